#!/bin/bash
# emu/bench/bench-emu.sh -- `make bench-emu`: numbers side by side, not pass/fail.
#
#  A. Data path between two Clients through the overlay (aerod, P1, a Server
#     in the first namespace), against the kernel's VXLAN and plain veth,
#     all on ONE plain veth pair between two namespaces (no OVS in the
#     path): TCP throughput (iperf3 -C cubic, 1 stream) and the small-packet
#     rate (iperf3 UDP, 64-byte payload, unlimited rate), as ratios.
#  B. Set-up time and memory for 10, 50 and 100 emulated nodes: one Server
#     and N-1 Clients, each aerod in its own namespace on one OVS userspace
#     bridge (datapath_type=netdev); time until every Client has its prefix,
#     RSS of the aerods and the RSS growth of ovs-vswitchd.
#
# Knobs: SECS (iperf3 run length, 5), SIZES ("10 50 100"), AERO_BUILD.
# Root only. Creates only aebh* namespaces/links and the aebhsw bridge, and
# deletes exactly those.
set -u
cd "$(dirname "$0")/../.."
B=${AERO_BUILD:-build}
SECS=${SECS:-5}
SIZES=${SIZES:-"10 50 100"}
[ "$(id -u)" = 0 ] || { echo "bench-emu: needs root (namespaces, TUN, OVS)"; exit 1; }
for p in aerod aeroctl; do [ -x "$B/$p" ] || { echo "bench-emu: $B/$p not built"; exit 1; }; done
command -v iperf3 >/dev/null || { echo "bench-emu: iperf3 is not installed"; exit 1; }
NA=aebhA; NB=aebhB
W=$(mktemp -d /tmp/bench-emu.XXXXXX)
pids=()
# SIGTERM to all at once, Clients first (their Release drain is bounded by 3 s)
stop_pids() {
	local i
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	pids=()
}
nss=()
cleanup() {
	stop_pids
	for ns in $NA $NB "${nss[@]}"; do ip netns del "$ns" 2>/dev/null; done
	ovs-vsctl --timeout=5 --if-exists del-br aebhsw 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

base() {
	stop_pids
	ip netns del $NA 2>/dev/null; ip netns del $NB 2>/dev/null
	ip netns add $NA; ip netns add $NB
	ip link add aebhA0 netns $NA type veth peer name aebhB0 netns $NB
	for n in $NA $NB; do ip -n $n link set lo up; ip netns exec $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
	ip -n $NA addr add 10.202.0.1/24 dev aebhA0; ip -n $NB addr add 10.202.0.2/24 dev aebhB0
	ip -n $NA addr add 10.202.0.3/24 dev aebhA0
	ip -n $NA addr add fd00:202::1/64 dev aebhA0 nodad; ip -n $NB addr add fd00:202::2/64 dev aebhB0 nodad
	ip -n $NA link set aebhA0 up; ip -n $NB link set aebhB0 up
}

# iperf3 from A to DST in B; prints "gbps" (tcp) or "kpps" (udp64)
run_iperf() { # kind dst [bind]
	local kind=$1 dst=$2 bind=${3:-}
	ip netns exec $NB iperf3 -s -1 -p 5299 ${bind:+-B $dst} >/dev/null 2>&1 & local sp=$!
	sleep 0.5
	local args=(-c $dst -p 5299 -t $SECS -J)
	[ -n "$bind" ] && args+=(-B $bind)
	if [ $kind = tcp ]; then args+=(-C cubic); else args+=(-u -l 64 -b 0); fi
	ip netns exec $NA timeout $((SECS + 15)) iperf3 "${args[@]}" > "$W/ip.json" 2>/dev/null
	wait $sp 2>/dev/null
	/usr/bin/python3 - "$kind" "$W/ip.json" <<'PY'
import json, sys
try:
    j = json.load(open(sys.argv[2]))
    e = j["end"]
    if sys.argv[1] == "tcp":
        print("%.3f" % (e["sum_received"]["bits_per_second"] / 1e9))
    else:
        s = e["sum"]
        rx = s["packets"] - s.get("lost_packets", 0)
        print("%.1f" % (rx / s["seconds"] / 1e3))
except Exception as ex:
    print("nan")
PY
}

echo "bench-emu: $(nproc) cores, kernel $(uname -r), $(date -u +%FT%TZ); SECS=$SECS"
echo "NOTE: this machine has only 2 cores and is shared with other work: numbers are noisy;"
echo "      sender, receiver, aerods and softirq compete for the same 2 cores."
load=$(cut -d' ' -f1 /proc/loadavg); echo "load average before: $load"
declare -A R

# ---- A: veth --------------------------------------------------------------------------
base
R[veth,tcp]=$(run_iperf tcp fd00:202::2)
R[veth,udp]=$(run_iperf udp fd00:202::2)

# ---- A: kernel VXLAN (IPv6 inner over IPv4 UDP underlay) -----------------------------
base
ok=1
ip -n $NA link add aebhvx type vxlan id 42 local 10.202.0.1 remote 10.202.0.2 dstport 4789 dev aebhA0 2>/dev/null || ok=0
ip -n $NB link add aebhvx type vxlan id 42 local 10.202.0.2 remote 10.202.0.1 dstport 4789 dev aebhB0 2>/dev/null || ok=0
if [ $ok = 1 ]; then
	ip -n $NA addr add fd00:203::1/64 dev aebhvx nodad; ip -n $NB addr add fd00:203::2/64 dev aebhvx nodad
	ip -n $NA link set aebhvx up; ip -n $NB link set aebhvx up
	R[vxlan,tcp]=$(run_iperf tcp fd00:203::2)
	R[vxlan,udp]=$(run_iperf udp fd00:203::2)
else
	R[vxlan,tcp]=nan; R[vxlan,udp]=nan
fi

# ---- A: the AERO overlay: Client A -> Server -> Client B (aerod, P1) -----------------
# twice: "--no-batch" (one packet per system call, the first data path) and
# the default (recvmmsg/sendmmsg bursts)
overlay() { # key extra-aerod-args...
	local key=$1; shift
	base
	rm -f "$W"/a.ev "$W"/b.ev
	ip netns exec $NA "$B/aerod" --role server --id 1 --locator 10.202.0.3 --pool 2001:db8:1000::/40,56 \
		--tun aebhs0 --ctl "$W/s.sock" --log "$W/s.log" -q "$@" & pids+=($!)
	ip netns exec $NA "$B/aerod" --role client --locator 10.202.0.1 --prl 1@10.202.0.3 \
		--ctl "$W/a.sock" --log "$W/a.log" --events "$W/a.ev" -q "$@" & pids+=($!)
	ip netns exec $NB "$B/aerod" --role client --locator 10.202.0.2 --prl 1@10.202.0.3 \
		--ctl "$W/b.sock" --log "$W/b.log" --events "$W/b.ev" -q "$@" & pids+=($!)
	for i in $(seq 100); do grep -q prefix-delegated "$W/a.ev" 2>/dev/null && grep -q prefix-delegated "$W/b.ev" 2>/dev/null && break; sleep 0.1; done
	local pa pb
	pa=$(grep -m1 prefix-delegated "$W/a.ev" | sed 's/.*"prefix":"\([^"/]*\)\/.*/\1/')
	pb=$(grep -m1 prefix-delegated "$W/b.ev" | sed 's/.*"prefix":"\([^"/]*\)\/.*/\1/')
	if [ -n "$pa" ] && [ -n "$pb" ]; then
		A6=${pa}1; B6=${pb}1
		ip netns exec $NA ping -6 -c 3 -i 0.2 -I $A6 $B6 >/dev/null 2>&1
		R[$key,tcp]=$(run_iperf tcp $B6 $A6)
		R[$key,udp]=$(run_iperf udp $B6 $A6)
		ro=$("$B/aeroctl" -s "$W/a.sock" counters | grep -E '^(ro_|forwarded|tx_underlay:)' | grep -v ': 0$' | tr '\n' ' ')
	else
		R[$key,tcp]=nan; R[$key,udp]=nan
	fi
	stop_pids
}
overlay aero1 --no-batch
overlay aero

ratio() { /usr/bin/python3 -c 'import sys,math
a,b=float(sys.argv[1]),float(sys.argv[2])
print("%.3f"%(a/b) if b>0 and not math.isnan(a) and not math.isnan(b) else "-")' "$1" "$2"; }
echo
echo "A. two namespaces, one plain veth pair (no OVS), 1 stream, ${SECS} s each"
printf "%-28s %14s %10s %10s %16s %10s %10s\n" path "TCP Gbit/s" "/veth" "/vxlan" "64B UDP kpps" "/veth" "/vxlan"
for k in veth vxlan aero1 aero; do
	name=$k; [ $k = aero ] && name="aero (recvmmsg/sendmmsg)"; [ $k = aero1 ] && name="aero (--no-batch)"; [ $k = vxlan ] && name="kernel VXLAN"; [ $k = veth ] && name="plain veth"
	printf "%-28s %14s %10s %10s %16s %10s %10s\n" "$name" "${R[$k,tcp]}" "$(ratio ${R[$k,tcp]} ${R[veth,tcp]})" "$(ratio ${R[$k,tcp]} ${R[vxlan,tcp]})" \
		"${R[$k,udp]}" "$(ratio ${R[$k,udp]} ${R[veth,udp]})" "$(ratio ${R[$k,udp]} ${R[vxlan,udp]})"
done
echo "(aero: Client A -> Server -> Client B unless route optimisation made it direct; A's RO counters: ${ro:-?})"
ip netns del $NA 2>/dev/null; ip netns del $NB 2>/dev/null

# ---- B: set-up time and memory ---------------------------------------------------------
echo
echo "B. set-up time and memory: 1 Server + N-1 Clients, one aerod per namespace, one OVS userspace bridge"
if ! command -v ovs-vsctl >/dev/null || ! ovs-vsctl --timeout=3 show >/dev/null 2>&1; then
	[ -x /usr/share/openvswitch/scripts/ovs-ctl ] && /usr/share/openvswitch/scripts/ovs-ctl start >/dev/null 2>&1
fi
if ! ovs-vsctl --timeout=3 show >/dev/null 2>&1; then
	echo "SKIP: Open vSwitch cannot start"
	exit 0
fi
rss_of() { local s=0 r; for p in "$@"; do r=$(awk '/^VmRSS/ {print $2}' /proc/$p/status 2>/dev/null); s=$((s + ${r:-0})); done; echo $s; }
ovspid=$(pidof ovs-vswitchd | awk '{print $1}')
printf "%-6s %12s %12s %14s %14s %16s %14s\n" nodes "set-up s" "bound s" "aerod RSS MB" "per aerod MB" "ovs-vswitchd MB" "ovs delta MB"
for N in $SIZES; do
	stop_pids
	ovs0=$(rss_of $ovspid)
	t0=$(date +%s%N)
	ovs-vsctl --timeout=10 -- --may-exist add-br aebhsw -- set bridge aebhsw datapath_type=netdev
	ip link set aebhsw up 2>/dev/null
	cmd=(ovs-vsctl --timeout=30)
	nss=()
	for i in $(seq 1 $N); do
		ns=aebh$i; nss+=($ns)
		ip netns add $ns
		ip link add aebhp$i type veth peer name aebhq$i netns $ns
		ip link set aebhp$i up
		ip -n $ns link set lo up
		ip -n $ns addr add 10.203.$((i / 250)).$((i % 250 + 1))/16 dev aebhq$i
		ip -n $ns link set aebhq$i up
		ip netns exec $ns ethtool -K aebhq$i tx off >/dev/null 2>&1
		cmd+=(-- add-port aebhsw aebhp$i)
	done
	"${cmd[@]}"
	t1=$(date +%s%N)
	SV=10.203.0.2
	ip netns exec aebh1 "$B/aerod" --role server --id 1 --locator $SV --pool 2001:db8:1000::/40,56 \
		--ctl "$W/n1.sock" --log "$W/n1.log" -q & pids+=($!)
	for i in $(seq 2 $N); do
		ip netns exec aebh$i "$B/aerod" --role client --locator 10.203.$((i / 250)).$((i % 250 + 1)) \
			--prl 1@$SV --ctl "$W/n$i.sock" --events "$W/n$i.ev" --log "$W/n$i.log" -q & pids+=($!)
	done
	end=$(( $(date +%s) + 60 ))
	while [ "$(cat "$W"/n*.ev 2>/dev/null | grep -c prefix-delegated)" -lt $((N - 1)) ] && [ $(date +%s) -lt $end ]; do sleep 0.1; done
	t2=$(date +%s%N)
	bound=$(cat "$W"/n*.ev 2>/dev/null | grep -c prefix-delegated)
	sleep 1
	rss=$(rss_of "${pids[@]}"); ovs1=$(rss_of $ovspid)
	printf "%-6s %12.2f %12.2f %14.1f %14.2f %16.1f %14.1f%s\n" $N "$(echo "($t1 - $t0) / 1000000000" | bc -l)" \
		"$(echo "($t2 - $t1) / 1000000000" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$(echo "$rss / 1024 / $N" | bc -l)" \
		"$(echo "$ovs1 / 1024" | bc -l)" "$(echo "($ovs1 - $ovs0) / 1024" | bc -l)" \
		"$([ $bound -lt $((N - 1)) ] && echo "  (only $bound of $((N - 1)) bound in 60 s)")"
	stop_pids
	ovs-vsctl --timeout=10 --if-exists del-br aebhsw
	for ns in "${nss[@]}"; do ip netns del $ns 2>/dev/null; done
	nss=()
	rm -f "$W"/n*.ev "$W"/n*.log
done
echo "(set-up s: namespaces, veths and the OVS ports; bound s: aerods started until every Client has a prefix)"
