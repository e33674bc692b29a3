#!/bin/bash
# aerod in network namespaces (root): Client, Server and Relay namespaces
# joined by veths (no Mininet). The Client gets a prefix, its TUN the
# address and the default route, the Server's table 8060 the route, BIRD on
# the Relay learns it over iBGP (table 8061) and the Relay's aerod takes it;
# kill -9 of the Server keeps the delegation (lease file, table 8060).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/emu/lib.sh
[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces, TUN)"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
[ -x "$B/aerod" ] || { echo "not ok 1 - $B/aerod is built"; echo "1..1"; exit 1; }
T=aet$$; C=$T-c; S=$T-s; R=$T-r
W=$(mktemp -d /tmp/t_ns.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for ns in $C $S $R; do ip netns del $ns 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
for ns in $C $S $R; do ip netns add $ns || skip_all "cannot create namespaces"; ip -n $ns link set lo up; done
ip link add ${T}c0 netns $C type veth peer name ${T}s0 netns $S
ip link add ${T}s1 netns $S type veth peer name ${T}r0 netns $R
for x in "$C ${T}c0 192.0.2.2/24" "$S ${T}s0 192.0.2.1/24" "$S ${T}s1 198.51.100.2/24" "$R ${T}r0 198.51.100.1/24"; do
	set -- $x; ip netns exec $1 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip -n $1 addr add $3 dev $2; ip -n $1 link set $2 up
done
ip -n $S addr add fd00:99::2/64 dev ${T}s1 nodad; ip -n $R addr add fd00:99::1/64 dev ${T}r0 nodad

start_server() {
	ip netns exec $S "$B/aerod" --role server --id 2 --locator 192.0.2.1 --pool 2001:db8:1000::/40,56 \
		--relay 1@198.51.100.1 --ctl "$W/s.sock" --lease "$W/s.lease" --log "$W/s.log" \
		--events "$W/s.events" -v &
	spid=$!; pids+=($spid)
}
start_server
ip netns exec $R "$B/aerod" --role relay --id 1 --locator 198.51.100.1 --aggregate 2001:db8::/32 \
	--peer fd00:99::2=2@192.0.2.1 --ctl "$W/r.sock" --log "$W/r.log" &
pids+=($!)
ip netns exec $C "$B/aerod" --role client --locator 192.0.2.2 --prl 2@192.0.2.1 \
	--ctl "$W/c.sock" --log "$W/c.log" --events "$W/c.events" &
cpid=$!; pids+=($cpid)

has_addr() { ip -n $C -6 addr show dev aero0 | grep -q "2001:db8:1000::1/128"; }
if wait_for 10 has_addr; then ok "client TUN aero0 has the address from the delegated prefix (ip -n)"; else nok "client TUN address" "$(ip -n $C -6 addr; tail -5 "$W/c.log")"; fi
expect "client default route via aero0" "^default dev aero0" "$(ip -n $C -6 route)"
expect "client host model: blackhole for the rest of the prefix" "blackhole 2001:db8:1000::/56" "$(ip -n $C -6 route)"
expect "server table 8060 holds the delegated prefix" "2001:db8:1000::/56" "$(ip -n $S -6 route show table 8060)"

if command -v bird >/dev/null; then
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

# kill -9 of the Server: the delegation survives (lease file + kernel table)
kill -9 $spid; wait $spid 2>/dev/null
expect "after kill -9: table 8060 still holds the route (unreachable route survives the TUN)" "2001:db8:1000::/56" "$(ip -n $S -6 route show table 8060)"
start_server
if wait_for 5 grep -q "1 bindings restored" "$W/s.log"; then ok "restarted Server restored the binding from the lease file"; else nok "binding restored" "$(tail -5 "$W/s.log")"; fi
expect "table 8060 still holds exactly the leased route" "^unreachable 2001:db8:1000::/56" "$(ip -n $S -6 route show table 8060)"
if command -v bird >/dev/null; then
	sleep 1
	expect "the Relay never lost the route" "2001:db8:1000::/56" "$(ip -n $R -6 route show table 8061)"
fi
kill -TERM $cpid; wait $cpid; rc=$?
[ $rc -eq 0 ] && ok "client exits 0 on SIGTERM" || nok "client exits 0 on SIGTERM ($rc)"
expect "client released its prefix" '"type":"prefix-lost".*"released"' "$(cat "$W/c.events")"
finish
