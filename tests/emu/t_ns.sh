#!/bin/bash
# aerod in network namespaces (root, no Mininet): a Client, a Server, a
# Relay and a correspondent (cn) outside the overlay, joined by veths.
#   cn --fd00:97::/64-- Relay ==underlay 198.51.100/24== Server ==192.0.2/24 (isp1)
#                                                        Server ==203.0.113/24 (isp2)== Client
# The Client gets a prefix (TUN address, default route, black hole), the
# Server's table 8060 the route, BIRD on the Relay learns it over iBGP
# (table 8061); cn pings and runs TCP (iperf3) to the Client's delegated
# address through Relay and Server; tshark decodes the DHCPv6 and ND inside
# the captured underlay (P1); the Client moves to isp2 during a ping flow
# (prefix kept, interruption measured); kill -9 of the Server loses nothing
# and traffic forwards at once after the restart.
# AERO_PROFILE=P2 (t_ns_p2.sh): the same with SEAL ICVs on every node, plus
# a tampered and a replayed underlay packet counted as dropped.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/emu/lib.sh
PROFILE=${AERO_PROFILE:-P1}
need_netns "network namespaces, TUN"
T=aet$$; C=$T-c; S=$T-s; R=$T-r; N=$T-n
W=$(mktemp -d /tmp/t_ns.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for ns in $C $S $R $N; do ip netns del $ns 2>/dev/null; done
	[ -n "${KEEP:-}" ] && echo "# kept $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # timeout/Ctrl-C: still clean up
echo "# profile $PROFILE"
P2ARGS=()
[ "$PROFILE" = P2 ] && P2ARGS=(--profile P2 --icv-key 00112233445566778899aabbccddeeff01234567)
# extra aerod flags for every node (e.g. AEROD_ARGS=--no-batch)
P2ARGS+=(${AEROD_ARGS:-})
for ns in $C $S $R $N; do ip netns add $ns || skip_all "cannot create namespaces"; ip -n $ns link set lo up; done
ip link add ${T}c0 netns $C type veth peer name ${T}s0 netns $S
ip link add ${T}c1 netns $C type veth peer name ${T}s2 netns $S
ip link add ${T}s1 netns $S type veth peer name ${T}r0 netns $R
ip link add ${T}r1 netns $R type veth peer name ${T}n0 netns $N
for ns in $C $S $R $N; do ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
for x in "$C ${T}c0 192.0.2.2/24" "$S ${T}s0 192.0.2.1/24" "$S ${T}s1 198.51.100.2/24" "$R ${T}r0 198.51.100.1/24" \
	"$C ${T}c1 203.0.113.2/24" "$S ${T}s2 203.0.113.1/24"; do
	set -- $x; ip -n $1 addr add $3 dev $2; ip -n $1 link set $2 up
done
ip -n $S addr add fd00:99::2/64 dev ${T}s1 nodad; ip -n $R addr add fd00:99::1/64 dev ${T}r0 nodad
ip -n $R addr add fd00:97::1/64 dev ${T}r1 nodad; ip -n $N addr add fd00:97::2/64 dev ${T}n0 nodad
ip -n $R link set ${T}r1 up; ip -n $N link set ${T}n0 up
ip netns exec $R sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n $N -6 route add 2001:db8::/32 via fd00:97::1
# the underlay is routed through the Server
ip netns exec $S sysctl -qw net.ipv4.ip_forward=1
ip -n $R route add 192.0.2.0/24 via 198.51.100.2
ip -n $R route add 203.0.113.0/24 via 198.51.100.2
ip -n $C route add 198.51.100.0/24 via 192.0.2.1

# the underlay capture of the Client's access link (tshark decode below)
if [ "$PROFILE" = P1 ] && command -v tcpdump >/dev/null; then
	ip netns exec $S tcpdump -i ${T}s0 -U -w "$W/underlay.pcap" udp port 8060 2>"$W/tcpdump.log" & tdpid=$!; pids+=($tdpid)
	wait_for 5 grep -q "listening on" "$W/tcpdump.log"
fi

start_server() {
	ip netns exec $S "$B/aerod" --role server --id 2 --locator 192.0.2.1 --pool 2001:db8:1000::/40,56 \
		--relay 1@198.51.100.1 --ctl "$W/s.sock" --lease "$W/s.lease" --log "$W/s.log" \
		--events "$W/s.events" "${P2ARGS[@]}" -v &
	spid=$!; pids+=($spid)
}
start_server
ip netns exec $R "$B/aerod" --role relay --id 1 --locator 198.51.100.1 --aggregate 2001:db8::/32 \
	--peer fd00:99::2=2@192.0.2.1 --ctl "$W/r.sock" --log "$W/r.log" "${P2ARGS[@]}" &
pids+=($!)
ip netns exec $C "$B/aerod" --role client --locator 192.0.2.2 --prl 2@192.0.2.1 \
	--ctl "$W/c.sock" --log "$W/c.log" --events "$W/c.events" "${P2ARGS[@]}" &
cpid=$!; pids+=($cpid)

has_addr() { ip -n $C -6 addr show dev aero0 | grep -q "2001:db8:1000::1/128"; }
if wait_for 10 has_addr; then ok "client TUN aero0 has the address from the delegated prefix (ip -n)"; else nok "client TUN address" "$(ip -n $C -6 addr; tail -5 "$W/c.log")"; fi
expect "client default route via aero0" "^default dev aero0" "$(ip -n $C -6 route)"
expect "client host model: blackhole for the rest of the prefix" "blackhole 2001:db8:1000::/56" "$(ip -n $C -6 route)"
expect "server table 8060 holds the delegated prefix" "2001:db8:1000::/56" "$(ip -n $S -6 route show table 8060)"

if [ "$PROFILE" = P1 ] && command -v tshark >/dev/null && [ -n "${tdpid:-}" ]; then
	sleep 1; kill $tdpid 2>/dev/null; wait $tdpid 2>/dev/null  # only the first seconds: DHCPv6 and ND
	tshark -r "$W/underlay.pcap" -d udp.port==8060,ipv6 -Y 'dhcpv6 || icmpv6.type >= 133' 2>/dev/null | head -8 | sed 's/^/# tshark: /'
	expect "tshark decodes DHCPv6 Solicit (1) inside the tunnel (-d udp.port==8060,ipv6)" " 1" "$(tshark -r "$W/underlay.pcap" -d udp.port==8060,ipv6 -Y 'dhcpv6.msgtype == 1' -T fields -e dhcpv6.msgtype 2>/dev/null | sort -u | sed 's/^/ /')"
	expect "... and the DHCPv6 Reply (7)" " 7" "$(tshark -r "$W/underlay.pcap" -d udp.port==8060,ipv6 -Y 'dhcpv6.msgtype == 7' -T fields -e dhcpv6.msgtype 2>/dev/null | sort -u | sed 's/^/ /')"
	expect "... and ND: Router Solicitation (133) and Advertisement (134)" "133.*134|134.*133" "$(tshark -r "$W/underlay.pcap" -d udp.port==8060,ipv6 -Y 'icmpv6.type == 133 || icmpv6.type == 134' -T fields -e icmpv6.type 2>/dev/null | sort -u | tr '\n' ' ')"
	expect "... the IA_PD prefix in the Reply is the Client's" "2001:db8:1000::" "$(tshark -r "$W/underlay.pcap" -d udp.port==8060,ipv6 -Y 'dhcpv6.msgtype == 7' -T fields -e dhcpv6.iaprefix.pref_addr 2>/dev/null)"
fi


have_bird=0
if command -v bird >/dev/null; then
	have_bird=1
	cat > "$W/bs.conf" <<EOC
router id 192.0.2.1;
ipv6 table t_aero;
protocol device {}
protocol kernel k_deleg { kernel table 8060; learn; scan time 2; ipv6 { table t_aero; import all; export none; }; }
protocol bgp relay { local fd00:99::2 as 65060; neighbor fd00:99::1 as 65060; direct; connect retry time 1;
	ipv6 { table t_aero; import none; export all; next hop self; }; }
EOC
	cat > "$W/br.conf" <<EOC
router id 198.51.100.1;
ipv6 table t_aero;
protocol device {}
protocol kernel k_learn { kernel table 8061; ipv6 { table t_aero; import none; export all; }; }
protocol bgp server { local fd00:99::1 as 65060; neighbor fd00:99::2 as 65060; direct; connect retry time 1;
	ipv6 { table t_aero; import all; export none; }; }
EOC
	ip netns exec $S bird -f -c "$W/bs.conf" -s "$W/bs.ctl" -P "$W/bs.pid" 2>"$W/bs.log" & pids+=($!)
	ip netns exec $R bird -f -c "$W/br.conf" -s "$W/br.ctl" -P "$W/br.pid" 2>"$W/br.log" & pids+=($!)
	learnt() { ip -n $R -6 route show table 8061 | grep -q "2001:db8:1000::/56"; }
	if wait_for 20 learnt; then ok "BIRD on the Relay learned the Client prefix over iBGP (table 8061)"; else nok "BIRD on the Relay learned the prefix" "$(birdc -s "$W/br.ctl" show protocols 2>&1)"; fi
	if wait_for 5 grep -q "BGP route learned 2001:db8:1000::/56 via fd00:99::2 (Server 2): ok" "$W/r.log"; then
		ok "the Relay's aerod took the BGP route into the core"; else nok "relay aerod took the route" "$(tail -5 "$W/r.log")"; fi
	expect "relay core FIB routes the prefix to the Server" '"prefix":"2001:db8:1000::/56"' "$("$B/aeroctl" -s "$W/r.sock" show routes --json)"
else
	ok "BIRD on the Relay learned the prefix # SKIP bird2 not installed"
fi

CADDR=2001:db8:1000::1
if [ $have_bird = 1 ]; then
	# ---- correspondent outside -> Relay -> Server -> Client ---------------------
	ping_ok() { ip netns exec $N ping -6 -c 1 -W 1 $CADDR; }
	if wait_for 10 ping_ok; then ok "$PROFILE: ping from cn outside to the Client's delegated address (Relay, Server)"; else nok "ping cn -> client" "$(echo relay:; "$B/aeroctl" -s "$W/r.sock" counters | grep -E '^(drop|p2|icv)' | grep -v ': 0$'; echo server:; "$B/aeroctl" -s "$W/s.sock" counters | grep -E '^(drop|p2|icv|forwarded)' | grep -v ': 0$'; echo client:; "$B/aeroctl" -s "$W/c.sock" counters | grep -E '^(drop|p2|icv)' | grep -v ': 0$')"; fi
	out=$(ip netns exec $N ping -6 -c 5 -i 0.2 -W 1 $CADDR 2>&1)
	expect "$PROFILE: ... 5 of 5 echo replies" " 5 received" "$out"
	out=$(ip netns exec $C ping -6 -c 3 -i 0.2 -W 1 -I $CADDR fd00:97::2 2>&1)
	expect "$PROFILE: ping from the Client to cn (the other way)" " 3 received" "$out"
	if command -v iperf3 >/dev/null; then
		ip netns exec $C iperf3 -s -1 -B $CADDR -p 5201 >"$W/iperf-s.log" 2>&1 & ipid=$!; pids+=($ipid)
		sleep 0.5
		out=$(timeout 20 ip netns exec $N iperf3 -6 -c $CADDR -p 5201 -t 2 -C cubic -f m 2>&1)
		mbps=$(echo "$out" | awk '/receiver/ {print $(NF-2); exit}')
		echo "# TCP cn -> client through Relay and Server ($PROFILE): ${mbps:-?} Mbit/s"
		awk -v x="${mbps:-0}" 'BEGIN{exit !(x > 0)}' && ok "$PROFILE: TCP (iperf3) from cn to the Client's delegated address: ${mbps} Mbit/s" || nok "TCP cn -> client" "$out"
		kill $ipid 2>/dev/null; wait $ipid 2>/dev/null
	else
		ok "TCP from cn # SKIP iperf3 not installed"
	fi
fi

if [ "$PROFILE" = P2 ]; then
	# ---- a tampered and a replayed underlay packet ------------------------------
	ip netns exec $N ping -6 -c 30 -i 0.1 $CADDR >/dev/null 2>&1 &
	pp=$!; pids+=($pp)
	if ip netns exec $C /usr/bin/python3 tests/emu/helpers/rawpkt.py capture ${T}c0 192.0.2.2 8060 "$W/frame.bin" 5 >"$W/cap.txt"; then
		sed 's/^/# /' "$W/cap.txt"
		b_icv=$("$B/aeroctl" -s "$W/s.sock" counters --json | grep -o '"drop_bad_icv":[0-9]*' | cut -d: -f2)
		b_rep=$("$B/aeroctl" -s "$W/s.sock" counters --json | grep -o '"drop_replay":[0-9]*' | cut -d: -f2)
		ip netns exec $C /usr/bin/python3 tests/emu/helpers/rawpkt.py send ${T}c0 "$W/frame.bin" replay
		ip netns exec $C /usr/bin/python3 tests/emu/helpers/rawpkt.py send ${T}c0 "$W/frame.bin" tamper
		sleep 0.3
		a_icv=$("$B/aeroctl" -s "$W/s.sock" counters --json | grep -o '"drop_bad_icv":[0-9]*' | cut -d: -f2)
		a_rep=$("$B/aeroctl" -s "$W/s.sock" counters --json | grep -o '"drop_replay":[0-9]*' | cut -d: -f2)
		echo "# server drop_bad_icv $b_icv -> $a_icv, drop_replay $b_rep -> $a_rep"
		[ "${a_rep:-0}" -gt "${b_rep:-0}" ] && ok "P2: a replayed underlay packet is dropped (aeroctl counters drop_replay)" || nok "replay dropped (drop_replay $b_rep -> $a_rep)"
		[ "${a_icv:-0}" -gt "${b_icv:-0}" ] && ok "P2: a tampered underlay packet is dropped (aeroctl counters drop_bad_icv)" || nok "tamper dropped (drop_bad_icv $b_icv -> $a_icv)"
	else
		nok "P2: capture an underlay packet of the Client"
	fi
	wait $pp 2>/dev/null
	v=$("$B/aeroctl" -s "$W/c.sock" counters --json | grep -o '"drop_\(bad_icv\|replay\)":[0-9]*' | tr '\n' ' ')
	echo "# P2 client drops on genuine traffic (informational): $v"
fi

if [ $have_bird = 1 ]; then
	# ---- the Client moves isp1 -> isp2 during a ping flow -----------------------
	ip netns exec $N ping -6 -D -i 0.05 -w 8 -W 1 $CADDR >"$W/flow.txt" 2>&1 & fp=$!; pids+=($fp)
	sleep 2
	tmove=$(date +%s.%N)
	ip -n $C addr del 192.0.2.2/24 dev ${T}c0
	ip -n $C route add 192.0.2.1/32 via 203.0.113.1 dev ${T}c1
	ip -n $C route replace 198.51.100.0/24 via 203.0.113.1 dev ${T}c1
	out=$("$B/aeroctl" -s "$W/c.sock" locator 203.0.113.2 2>&1)
	[ $? -eq 0 ] && ok "$PROFILE: Client moved to isp2 (aeroctl locator 203.0.113.2)" || nok "aeroctl locator" "$out"
	wait $fp
	gap=$(awk -F'[][]' '/bytes from/ {t=$2; if (p) {g=t-p; if (g>m) m=g}; p=t} END {printf "%.0f", m*1000}' "$W/flow.txt")
	rx=$(grep -c "bytes from" "$W/flow.txt")
	echo "# $PROFILE move isp1 -> isp2: interruption ${gap} ms (longest gap between echo replies, 50 ms probes), $rx replies"
	late=$(awk -F'[][]' -v t="$tmove" '/bytes from/ && $2 > t + 1 {k++} END {print k+0}' "$W/flow.txt")
	early=$(awk -F'[][]' -v t="$tmove" '/bytes from/ && $2 < t {k++} END {print k+0}' "$W/flow.txt")
	if [ "$early" -eq 0 ]; then nok "$PROFILE: the flow had no replies even before the move" "$("$B/aeroctl" -s "$W/c.sock" counters | grep -E '^drop' | grep -v ': 0$')"
	elif [ "$late" -gt 20 ]; then ok "$PROFILE: traffic resumed after the move (interruption ${gap} ms, $late replies later than 1 s after it)"
	else nok "traffic resumed after the move ($late replies after it)" "$(tail -3 "$W/flow.txt"; "$B/aeroctl" -s "$W/s.sock" counters | grep -E '^(drop|ro_)' | grep -v ': 0$'; grep -iE 'warn|handover|locator' "$W/c.log" | tail -5)"; fi
	expect "$PROFILE: ... the Client kept its prefix" "2001:db8:1000::1/128" "$(ip -n $C -6 addr show dev aero0)"
	expect "$PROFILE: ... the Server's neighbour entry follows the new locator" "203.0.113.2" "$("$B/aeroctl" -s "$W/s.sock" show neighbors)"
fi

# ---- kill -9 of the Server: the delegation survives, traffic at once ------------
ndel=$(grep -c '"type":"prefix-delegated"' "$W/c.events")
kill -9 $spid; wait $spid 2>/dev/null
expect "after kill -9: table 8060 still holds the route (unreachable route survives the TUN)" "2001:db8:1000::/56" "$(ip -n $S -6 route show table 8060)"
start_server
if wait_for 5 grep -q "1 bindings restored" "$W/s.log"; then ok "restarted Server restored the binding from the lease file (aero_node_binding_import)"; else nok "binding restored" "$(tail -5 "$W/s.log")"; fi
expect "table 8060 still holds exactly the leased route" "^unreachable 2001:db8:1000::/56" "$(ip -n $S -6 route show table 8060)"
if [ $have_bird = 1 ]; then
	t0=$(date +%s%N)
	if wait_for 10 ip netns exec $N ping -6 -c 1 -W 1 $CADDR; then
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		ok "traffic cn -> Client forwards at once after the restart (${ms} ms), no Renew needed"
	else
		nok "traffic after the restart" "$(tail -5 "$W/s.log"; "$B/aeroctl" -s "$W/r.sock" counters | grep -E 'replay|resync')"
	fi
	# P2: the restarted Server's SEAL Identifications start at a random
	# value; the Relay re-synchronises when they fall left of its window
	[ "$PROFILE" = P2 ] && echo "# Relay after the restart: $("$B/aeroctl" -s "$W/r.sock" counters | grep -E '^(drop_replay|seal_resync_(probes|done)):' | tr '\n' ' ')"
	expect "the Relay never lost the route" "2001:db8:1000::/56" "$(ip -n $R -6 route show table 8061)"
fi
expect "the Client neither lost nor re-acquired its prefix" "^$ndel$" "$(grep -c '"type":"prefix-delegated"' "$W/c.events")"
kill -TERM $cpid; wait $cpid; rc=$?
[ $rc -eq 0 ] && ok "client exits 0 on SIGTERM" || nok "client exits 0 on SIGTERM ($rc)"
expect "client released its prefix" '"type":"prefix-lost".*"released"' "$(cat "$W/c.events")"
finish
