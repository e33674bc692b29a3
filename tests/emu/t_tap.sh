#!/bin/bash
# aerod --tap: the AERO interface as a TAP device (Ethernet framing, NOARP)
# instead of a TUN (root). Two namespaces on one veth pair: a Server and
# Client A (TAP) in aetapA, Client B (TUN) in aetapB. Checks the device
# (Ethernet, NOARP), ping and TCP both ways with offloads (TSO super-frames
# read from the TAP, the user-space GRO writing to it), the same without
# offloads, a captured frame on the TAP, and a non-IPv6 frame counted and
# dropped. Creates only aetap* namespaces and deletes exactly those.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/emu/lib.sh
need_netns "TAP devices and namespaces"
command -v iperf3 >/dev/null || skip_all "iperf3 is not installed"
NA=aetapA; NB=aetapB
W=$(mktemp -d /tmp/t_tap.XXXXXX)
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; pids=(); }
cleanup() { stop; ip netns del $NA 2>/dev/null; ip netns del $NB 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 143' TERM INT

setup() { # $1: extra aerod options (both Clients and the Server)
	stop
	ip netns del $NA 2>/dev/null; ip netns del $NB 2>/dev/null
	ip netns add $NA; ip netns add $NB
	ip link add aetapA0 netns $NA type veth peer name aetapB0 netns $NB
	local ns
	for ns in $NA $NB; do ip -n $ns link set lo up; done
	ip -n $NA addr add 10.205.0.1/24 dev aetapA0; ip -n $NA addr add 10.205.0.3/24 dev aetapA0
	ip -n $NB addr add 10.205.0.2/24 dev aetapB0
	ip -n $NA link set aetapA0 up; ip -n $NB link set aetapB0 up
	rm -f "$W"/*.ev
	ip netns exec $NA "$B/aerod" --role server --id 1 --locator 10.205.0.3 --pool 2001:db8:1000::/40,56 \
		--tun aetaps0 --ctl "$W/s.sock" --log "$W/s.log" -q $1 & pids+=($!)
	ip netns exec $NA "$B/aerod" --role client --locator 10.205.0.1 --prl 1@10.205.0.3 --tap --tun aetapa0 \
		--ctl "$W/a.sock" --log "$W/a.log" --events "$W/a.ev" -q $1 & pids+=($!)
	ip netns exec $NB "$B/aerod" --role client --locator 10.205.0.2 --prl 1@10.205.0.3 --tun aetapb0 \
		--ctl "$W/b.sock" --log "$W/b.log" --events "$W/b.ev" -q $1 & pids+=($!)
	wait_for 10 sh -c "grep -q prefix-delegated '$W/a.ev' && grep -q prefix-delegated '$W/b.ev'" || return 1
	local pa pb
	pa=$(grep -m1 prefix-delegated "$W/a.ev" | sed 's/.*"prefix":"\([^"/]*\)\/.*/\1/')
	pb=$(grep -m1 prefix-delegated "$W/b.ev" | sed 's/.*"prefix":"\([^"/]*\)\/.*/\1/')
	A6=${pa}1; B6=${pb}1
}
tcp() { # $1 from-ns $2 to-ns $3 dst $4 src: Gbit/s (3 s, cubic), or 0
	ip netns exec $2 iperf3 -s -1 -p 5301 -B $3 >/dev/null 2>&1 & local sp=$!
	wait_for 5 sh -c "ip netns exec $2 ss -ltn | grep -q ':5301 '"
	ip netns exec $1 timeout 20 iperf3 -c $3 -B $4 -p 5301 -t 3 -C cubic -J >"$W/ip.json" 2>/dev/null
	wait $sp 2>/dev/null
	/usr/bin/python3 -c 'import json,sys
try: print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception: print(0)' "$W/ip.json"
}
ctr() { "$B/aeroctl" -s "$W/a.sock" counters | awk -v k="$1:" '$1 == k {print $2}'; }

if ! setup ""; then
	nok "Server and both Clients up, prefixes delegated (offloads on)" "$(tail -3 "$W"/*.log)"
	finish; exit
fi
ok "Server and both Clients up, prefixes delegated (offloads on; A: $A6, B: $B6)"
link=$(ip -n $NA -d link show dev aetapa0)
echo "$link" | grep -q NOARP && echo "$link" | grep -q "link/ether" && echo "$link" | grep -q "tun type tap" &&
	ok "the AERO interface of Client A is a TAP (Ethernet, NOARP)" || nok "Client A's AERO interface is a TAP with NOARP" "$link"
ip netns exec $NA tcpdump -i aetapa0 -U -c 4 -w "$W/tap.pcap" ip6 >/dev/null 2>&1 & tdp=$!
sleep 0.5
check "ping A -> B over the TAP (IPv6, through the overlay)" 0 ip netns exec $NA ping -6 -c 3 -i 0.2 -W 2 -I $A6 $B6
check "ping B -> A (frames written to the TAP)" 0 ip netns exec $NB ping -6 -c 3 -i 0.2 -W 2 -I $B6 $A6
wait_for 3 sh -c "! kill -0 $tdp 2>/dev/null"; kill $tdp 2>/dev/null; wait $tdp 2>/dev/null
expect "tcpdump on the TAP sees Ethernet frames carrying IPv6" "ethertype IPv6" "$(tcpdump -e -n -r "$W/tap.pcap" 2>&1 | head -4)"
g=$(tcp $NA $NB $B6 $A6)
gso=$(ctr host_tun_gso_rx)
awk -v g="$g" 'BEGIN{exit !(g > 0)}' && [ "${gso:-0}" -gt 0 ] &&
	ok "TCP A -> B through the TAP: $g Gbit/s, $gso TSO super-frames segmented" || nok "TCP A -> B ($g Gbit/s, host_tun_gso_rx ${gso:-?})"
g=$(tcp $NB $NA $A6 $B6)
gro=$(ctr host_tun_gro_out)
awk -v g="$g" 'BEGIN{exit !(g > 0)}' && [ "${gro:-0}" -gt 0 ] &&
	ok "TCP B -> A written to the TAP through the user-space GRO: $g Gbit/s, $gro GSO writes" || nok "TCP B -> A ($g Gbit/s, host_tun_gro_out ${gro:-?})"
# a frame that is not IPv6 (an ARP request sent into the TAP by the kernel's
# packet socket): counted and dropped, aerod carries on
ip netns exec $NA /usr/bin/python3 - <<'PY' 2>/dev/null
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("aetapa0", 0))
arp = bytes.fromhex("0001080006040001") + bytes(6) + bytes([10, 205, 0, 1]) + bytes(6) + bytes([10, 205, 0, 9])
s.send(b"\xff" * 6 + bytes.fromhex("02ae00000099") + b"\x08\x06" + arp)
PY
wait_for 3 sh -c "[ \"\$('$B/aeroctl' -s '$W/a.sock' counters | awk '\$1 == \"host_tap_rx_not_ipv6:\" {print \$2}')\" -ge 1 ]" &&
	ok "a non-IPv6 frame from the TAP is counted (host_tap_rx_not_ipv6) and dropped" || nok "host_tap_rx_not_ipv6 ($(ctr host_tap_rx_not_ipv6))"
check "... and the Client still forwards (ping A -> B)" 0 ip netns exec $NA ping -6 -c 2 -i 0.2 -W 2 -I $A6 $B6

if setup "--no-offload"; then
	check "--tap --no-offload: ping A -> B" 0 ip netns exec $NA ping -6 -c 3 -i 0.2 -W 2 -I $A6 $B6
	g=$(tcp $NA $NB $B6 $A6)
	awk -v g="$g" 'BEGIN{exit !(g > 0)}' && ok "--tap --no-offload: TCP A -> B $g Gbit/s" || nok "--tap --no-offload: TCP A -> B ($g)"
else
	nok "--tap --no-offload: prefixes delegated" "$(tail -3 "$W"/*.log)"
fi
stop
finish
