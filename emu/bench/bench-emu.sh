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
#  C. The idle CPU cost of OVS userspace ports (100, 200, 400 hosts; C_SIZES,
#     C_SECS, C_SETTLE): switch-side IPv6 on and off, one bridge or four.
#
#  CPU: beside every number, the CPU time the aerods burnt during the run
#  (user+system, % of one core) and the machine-wide busy % (2 shared cores:
#  an efficiency figure that survives other load), and for TCP the aerods'
#  CPU seconds per GB moved.
#
# Knobs: SECS (iperf3 run length, 5), REPEAT (rounds of part A, 1; more print
# the medians of the ratios, each against its own round's VXLAN), SIZES ("10 50 100"), AERO_BUILD,
# PARTS ("A B C"), VARIANTS (aerod variants of part A, default
# "nobatch nooffload offload mtu1450"; "nobatch" = --no-batch --no-offload, the
# first data path; "nooffload" = recvmmsg/sendmmsg bursts without offloads;
# "mtu1450" = the default path with VXLAN's inner MTU (1450) instead of the
# AERO default 1280, the like-for-like row against the kernel tunnel;
# "offload" = the default: TUN offloads (IFF_VNET_HDR, TSO), UDP GSO/GRO, the
# TUN's gso_max_size cut to what one UDP GSO message carries; "gso64k" = the
# same with the kernel's 64 KB super-packets (two UDP GSO messages each);
# "fastpath" = the Clients' aerods with --fastpath: established data packets
# are encapsulated and decapsulated by eBPF programs in the kernel (tcx on
# the TUN and the veth), programmed from the core; the Server stays in user
# space (it is in the same namespace as Client A, so Client A's packets to
# it take the user-space path until route optimisation makes A -> B direct)).
# Root only. Creates only aebh*/aebc* namespaces and links and the aebhsw and
# aebcsw<k> bridges, and deletes exactly those.
set -u
cd "$(dirname "$0")/../.."
B=${AERO_BUILD:-build}
SECS=${SECS:-5}
SIZES=${SIZES:-"10 50 100"}
PARTS=${PARTS:-"A B C"}
VARIANTS=${VARIANTS:-"nobatch nooffload offload mtu1450 fastpath fastpath1450"}
REPEAT=${REPEAT:-1}
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
	for b in 0 1 2 3; do ovs-vsctl --timeout=5 --if-exists del-br aebcsw$b 2>/dev/null; done
	for l in $(ip -o link show 2>/dev/null | grep -oE ' aebc[auv][0-9]+[@:]' | tr -d ' @:'); do ip link del "$l" 2>/dev/null; done
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

# CPU ticks (user+system) of the given PIDs; machine "busy total" from /proc/stat
ticks_of() { local s=0 p; for p in "$@"; do s=$((s + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0))); done; echo $s; }
machine() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }
HZ=$(getconf CLK_TCK)

# iperf3 from A to DST in B; prints "gbps" (tcp) or "kpps" (udp64), then the
# aerods' CPU (% of one core) and the machine busy % over the run
run_iperf() { # kind dst [bind]
	local kind=$1 dst=$2 bind=${3:-}
	ip netns exec $NB iperf3 -s -1 -p 5299 ${bind:+-B $dst} >/dev/null 2>&1 & local sp=$!
	sleep 0.5
	local args=(-c $dst -p 5299 -t $SECS -J)
	[ -n "$bind" ] && args+=(-B $bind)
	if [ $kind = tcp ]; then args+=(-C cubic); else args+=(-u -l 64 -b 0); fi
	local t0 m0 w0 t1 m1 w1
	t0=$(ticks_of "${pids[@]}"); m0=$(machine); w0=$(date +%s%N)
	ip netns exec $NA timeout $((SECS + 15)) iperf3 "${args[@]}" > "$W/ip.json" 2>/dev/null
	t1=$(ticks_of "${pids[@]}"); m1=$(machine); w1=$(date +%s%N)
	wait $sp 2>/dev/null
	/usr/bin/python3 - "$kind" "$W/ip.json" "$((t1 - t0))" "$HZ" "$(( (w1 - w0) / 1000000 ))" $m0 $m1 <<'PY'
import json, sys
kind, f, ticks, hz, ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
b0, t0, b1, t1 = (float(x) for x in sys.argv[6:10])
cpu = 100.0 * ticks / hz / (ms / 1000.0) if ms > 0 else float("nan")
busy = 100.0 * (b1 - b0) / (t1 - t0) if t1 > t0 else float("nan")
try:
    j = json.load(open(f))
    e = j["end"]
    if kind == "tcp":
        r = e["sum_received"]
        v = "%.3f" % (r["bits_per_second"] / 1e9)
        gb = r["bytes"] / 1e9
        eff = "%.2f" % (ticks / hz / gb) if gb > 0 else "-"
    else:
        s = e["sum"]
        rx = s["packets"] - s.get("lost_packets", 0)
        v = "%.1f" % (rx / s["seconds"] / 1e3)
        eff = "-"
except Exception as ex:
    v, eff = "nan", "-"
print(v, "%.0f" % cpu, "%.0f" % busy, eff)
PY
}

echo "bench-emu: $(nproc) cores, kernel $(uname -r), $(date -u +%FT%TZ); SECS=$SECS"
echo "NOTE: this machine has only 2 cores and is shared with other work: numbers are noisy;"
echo "      sender, receiver, aerods and softirq compete for the same 2 cores."
load=$(cut -d' ' -f1 /proc/loadavg); echo "load average before: $load"
declare -A R

if [[ " $PARTS " == *" A "* ]]; then
# ---- A: the AERO overlay: Client A -> Server -> Client B (aerod, P1) -----------------
# one run per variant (VARIANTS), all in this same run of the bench
declare -A VNAME=([nobatch]="aero --no-batch --no-offload" [nooffload]="aero mmsg, --no-offload"
                  [gso64k]="aero offloads, TUN GSO 64 KB"
                  [offload]="aero mmsg + offloads" [offload1]="aero --no-batch + offloads"
                  [mtu1450]="aero offloads, inner MTU 1450"
                  [fastpath]="aero --fastpath (eBPF, kernel)"
                  [fastpath1450]="aero --fastpath, inner MTU 1450")
declare -A VARGS=([nobatch]="--no-batch --no-offload" [nooffload]="--no-offload" [offload]=""
                  [gso64k]="--tun-gso-max 0"
                  [offload1]="--no-batch" [mtu1450]="--mtu 1450" [fastpath]="--fastpath"
                  [fastpath1450]="--fastpath --mtu 1450")
declare -A RO
overlay() { # key extra-aerod-args...
	local key=$1; shift
	base
	rm -f "$W"/a.ev "$W"/b.ev
	local sargs=() a
	for a in "$@"; do [ "$a" = --fastpath ] || sargs+=("$a"); done # Clients only
	ip netns exec $NA "$B/aerod" --role server --id 1 --locator 10.202.0.3 --pool 2001:db8:1000::/40,56 \
		--tun aebhs0 --ctl "$W/s.sock" --log "$W/s.log" -q "${sargs[@]}" & pids+=($!)
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
		RO[$key]=$("$B/aeroctl" -s "$W/a.sock" counters | grep -E '^(ro_|forwarded|tx_underlay:|host_)' | grep -v ': 0$' | tr '\n' ' ')
	else
		R[$key,tcp]="nan - - -"; R[$key,udp]="nan - - -"
	fi
	stop_pids
}
ratio() { /usr/bin/python3 -c 'import sys,math
try: a,b=float(sys.argv[1]),float(sys.argv[2])
except ValueError: a,b=float("nan"),0
print("%.3f"%(a/b) if b>0 and not math.isnan(a) and not math.isnan(b) else "-")' "$1" "$2"; }
f1() { echo "$1"; }
measure_a() { # one round: veth, VXLAN and every variant, back to back
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
	R[vxlan,tcp]="nan - - -"; R[vxlan,udp]="nan - - -"
fi

for v in $VARIANTS; do
	[ -n "${VNAME[$v]:-}" ] || { echo "bench-emu: unknown variant $v (${!VNAME[*]})"; continue; }
	# shellcheck disable=SC2086
	overlay $v ${VARGS[$v]}
done

}
print_a() { # $1: round
echo
echo "A. (round $1 of $REPEAT) two namespaces, one plain veth pair (no OVS), 1 stream, ${SECS} s each; TCP: iperf3 -C cubic;"
echo "   aerod CPU = the aerods' user+system time in % of one core; busy = machine-wide CPU busy % (2 cores);"
echo "   CPU s/GB = aerod CPU seconds per GB received (lower is better; robust to shared load)"
printf "%-30s %8s %6s %6s %6s %5s %8s | %9s %6s %6s %6s %5s\n" path "TCP Gb/s" /veth /vxlan "aeroCPU" busy "CPUs/GB" \
	"64B kpps" /veth /vxlan "aeroCPU" busy
for k in veth vxlan $VARIANTS; do
	name=${VNAME[$k]:-$k}; [ $k = vxlan ] && name="kernel VXLAN"; [ $k = veth ] && name="plain veth"
	[ -n "${R[$k,tcp]:-}" ] || continue
	# shellcheck disable=SC2086
	set -- ${R[$k,tcp]} ; t=$1 tc=$2 tb=$3 te=$4
	# shellcheck disable=SC2086
	set -- ${R[$k,udp]} ; u=$1 uc=$2 ub=$3
	[ $k = veth ] || [ $k = vxlan ] && { tc=-; uc=-; te=-; }
	printf "%-30s %8s %6s %6s %6s %5s %8s | %9s %6s %6s %6s %5s\n" "$name" "$t" "$(ratio $t $(f1 ${R[veth,tcp]}))" \
		"$(ratio $t $(f1 ${R[vxlan,tcp]}))" "$tc" "$tb" "$te" "$u" "$(ratio $u $(f1 ${R[veth,udp]}))" \
		"$(ratio $u $(f1 ${R[vxlan,udp]}))" "$uc" "$ub"
done
	for k in veth vxlan $VARIANTS; do # paired ratios of this round, for the medians
		[ -n "${R[$k,tcp]:-}" ] || continue
		# shellcheck disable=SC2086
		echo "$k $(f1 ${R[$k,tcp]}) $(ratio $(f1 ${R[$k,tcp]}) $(f1 ${R[vxlan,tcp]})) $(f1 ${R[$k,udp]}) $(ratio $(f1 ${R[$k,udp]}) $(f1 ${R[vxlan,udp]}))" >> "$W/rounds"
	done
}
for rep in $(seq "$REPEAT"); do
	measure_a
	print_a "$rep"
done
for v in $VARIANTS; do echo "($v: Client A counters after the runs: ${RO[$v]:-?})"; done
echo "(aero: Client A -> Server -> Client B unless route optimisation made it direct: see ro_/forwarded above)"
if [ "$REPEAT" -gt 1 ]; then
	echo
	echo "A. medians over $REPEAT rounds (each ratio against the VXLAN run of its own round):"
	/usr/bin/python3 - "$W/rounds" <<'PY'
import statistics, sys
rows = {}
for l in open(sys.argv[1]):
    k, *v = l.split()
    rows.setdefault(k, []).append(v)
def med(vals):
    x = [float(v) for v in vals if v not in ("-", "nan")]
    return ("%.3f" % statistics.median(x)) if x else "-"
def rng(vals):
    x = [float(v) for v in vals if v not in ("-", "nan")]
    return ("%.2f-%.2f" % (min(x), max(x))) if x else "-"
print("%-12s %10s %10s %12s | %10s %10s" % ("path", "TCP Gb/s", "TCP/vxlan", "(range)", "64B kpps", "kpps/vxlan"))
for k, v in rows.items():
    print("%-12s %10s %10s %12s | %10s %10s" % (k, med([r[0] for r in v]), med([r[1] for r in v]),
          rng([r[1] for r in v]), med([r[2] for r in v]), med([r[3] for r in v])))
PY
fi
ip netns del $NA 2>/dev/null; ip netns del $NB 2>/dev/null
fi

if [[ " $PARTS " == *" B "* ]]; then
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
fi

[[ " $PARTS " == *" C "* ]] || exit 0
# ---- C: the idle cost of OVS userspace ports ----------------------------------------
# N hosts (a namespace each, IPv6 on as in Mininet) on OVS userspace bridges,
# nothing running: CPU of ovs-vswitchd and of the whole machine, with the
# switch side of the veths (root namespace) as the kernel leaves it and with
# its IPv6 off (what the Mininet runner does), and N spread over 4 bridges
# joined by patch ports (every netdev bridge shares one datapath, so the
# layout is not where the cost is), and in the runner's large-network layout:
# kernel access bridges of 50 hosts, each one OVS port.
echo
echo "C. idle cost of OVS userspace ports: N hosts, nothing running, ${C_SECS:-10} s after ${C_SETTLE:-10} s"
if ! ovs-vsctl --timeout=3 show >/dev/null 2>&1; then
	[ -x /usr/share/openvswitch/scripts/ovs-ctl ] && /usr/share/openvswitch/scripts/ovs-ctl start >/dev/null 2>&1
fi
ovs-vsctl --timeout=3 show >/dev/null 2>&1 || { echo "SKIP: Open vSwitch cannot start"; exit 0; }
ovspid=$(pidof ovs-vswitchd | awk '{print $1}')
hz=$(getconf CLK_TCK)
jiffies_of() { awk '{print $14 + $15}' /proc/$1/stat; }
machine() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat; }
idle_row() { # $1 hosts, $2 bridges, $3 switch-side IPv6 (on|off), $4 access (hosts per kernel access bridge, 0: none)
	local n=$1 k=$2 v6=$3 ag=${4:-0} i b g
	nss=()
	for i in $(seq 1 $n); do nss+=(aebc$i); done
	printf 'netns add %s\n' "${nss[@]}" | ip -batch -
	for i in $(seq 1 $n); do echo "link add aebcp$i type veth peer name aebcq$i netns aebc$i"; done | ip -batch -
	[ "$v6" = off ] && for i in $(seq 1 $n); do echo 1 >/proc/sys/net/ipv6/conf/aebcp$i/disable_ipv6; done
	for i in $(seq 1 $n); do echo "link set aebcp$i up"; done | ip -batch -
	for i in $(seq 1 $n); do ip -n aebc$i link set aebcq$i up; done
	local cmd=(ovs-vsctl --timeout=120)
	for b in $(seq 0 $((k - 1))); do
		cmd+=(-- add-br aebcsw$b -- set bridge aebcsw$b datapath_type=netdev fail-mode=standalone)
		[ $b -gt 0 ] && cmd+=(-- add-port aebcsw0 aebcx$b -- set interface aebcx$b type=patch options:peer=aebcy$b
		                      -- add-port aebcsw$b aebcy$b -- set interface aebcy$b type=patch options:peer=aebcx$b)
	done
	if [ "$ag" -gt 0 ]; then
		# the runner's large-network layout: hosts on kernel bridges of
		# $ag, each bridge one OVS port (a veth aebcu<g> / aebcv<g>)
		for g in $(seq 0 $(( (n - 1) / ag ))); do
			ip link add aebca$g type bridge mcast_snooping 0
			echo 1 >/proc/sys/net/ipv6/conf/aebca$g/disable_ipv6
			ip link add aebcu$g type veth peer name aebcv$g
			echo 1 >/proc/sys/net/ipv6/conf/aebcu$g/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/aebcv$g/disable_ipv6
			ip link set aebcv$g master aebca$g; ip link set aebcv$g up; ip link set aebcu$g up; ip link set aebca$g up
			cmd+=(-- add-port aebcsw0 aebcu$g)
		done
		for i in $(seq 1 $n); do ip link set aebcp$i master aebca$(( (i - 1) / ag )); done
	else
		for i in $(seq 1 $n); do cmd+=(-- add-port aebcsw$((i % k)) aebcp$i); done
	fi
	"${cmd[@]}"
	sleep "${C_SETTLE:-10}"
	local c0 c1 m0 m1
	c0=$(jiffies_of $ovspid); m0=($(machine)); sleep "${C_SECS:-10}"; c1=$(jiffies_of $ovspid); m1=($(machine))
	printf "%-6s %8s %14s %20.1f %18.1f\n" $n "$k$([ "$ag" -gt 0 ] && echo "+${ag}/br")" $v6 "$(echo "($c1 - $c0) * 100 / $hz / ${C_SECS:-10}" | bc -l)" \
		"$(echo "(${m1[0]} - ${m0[0]}) * 100 / (${m1[1]} - ${m0[1]})" | bc -l)"
	for b in $(seq 0 $((k - 1))); do ovs-vsctl --timeout=60 --if-exists del-br aebcsw$b; done
	if [ "$ag" -gt 0 ]; then
		for g in $(seq 0 $(( (n - 1) / ag ))); do ip link del aebcu$g 2>/dev/null; ip link del aebca$g 2>/dev/null; done
	fi
	printf 'netns del %s\n' "${nss[@]}" | ip -batch -
	for i in $(seq 1 $n); do echo "link del aebcp$i"; done | ip -batch - 2>/dev/null
	nss=()
}
printf "%-6s %8s %14s %20s %18s\n" hosts bridges "switch IPv6" "ovs-vswitchd % core" "machine busy %"
for n in ${C_SIZES:-100 200 400}; do
	idle_row $n 1 on
	idle_row $n 1 off
done
big=$(echo ${C_SIZES:-100 200 400} | awk '{print $NF}')
idle_row $big 4 off
idle_row $big 1 off 50
echo "(machine busy %: both cores; the flood of the hosts' IPv6 start-up chatter (DAD, RS, MLD) reaches every port)"
