#!/bin/bash
# aerod --fastpath: the kernel data path of P1 Clients (eBPF: an LWT xmit
# program on the routes through the AERO TUN, a tcx ingress program on the
# locator's device), programmed from the core (root, Linux >= 6.6).
#
# Three namespaces: the Server in aefpS, which also holds a Linux bridge
# joining it to Client A (aefpA) and Client B (aefpB), both with --fastpath.
# The host interfaces have tx checksum offload off, as in the Mininet runner.
# Checks: the tables are in the kernel; ping and TCP between the Clients
# carried by the kernel and not by aerod's user-space path (its counters);
# the encapsulation on the wire, decoded by tshark, follows the digest's
# rules (TTL := hop limit, TOS := traffic class, DF = 0, ports, UDP checksum
# 0); route optimisation stays up on reports alone (keepalives); a forged
# packet from an unknown locator is left to the core, which drops it; a
# move of Client A; the programs are gone when the aerods stop; --fastpath
# refused where it cannot hold (a Server). Creates only aefp* namespaces
# (the bridge is inside aefpS) and deletes exactly those.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/emu/lib.sh
need_netns "TUN devices, namespaces and eBPF"
command -v iperf3 >/dev/null || skip_all "iperf3 is not installed"
command -v tshark >/dev/null || skip_all "tshark is not installed"
NA=aefpA; NB=aefpB; NS=aefpS
W=$(mktemp -d /tmp/t_fastpath.XXXXXX)
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; pids=(); }
cleanup() { stop; for ns in $NA $NB $NS; do ip netns del $ns 2>/dev/null; done; rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 143' TERM INT
progs() { /usr/bin/python3 tests/emu/helpers/bpf_progs.py | grep -c '^aero_fp_'; }
actr() { "$B/aeroctl" -s "$W/$1.sock" counters | awk -v k="$2:" '$1 == k {print $2}'; }

# a refused combination first: nothing to set up
out=$("$B/aerod" --role server --id 1 --locator 127.0.0.1 --pool 2001:db8:1000::/40,56 --tun none \
	--no-netlink --ctl "$W/x.sock" --fastpath 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "P1 Clients only" &&
	ok "--fastpath on a Server: refused with a clear error (exit $rc)" || nok "--fastpath on a Server refused" "$out"

progs0=$(progs)
for ns in $NA $NB $NS; do ip netns del $ns 2>/dev/null; ip netns add $ns; ip -n $ns link set lo up; done
ip -n $NS link add aefpbr type bridge
ip -n $NS link set aefpbr up
for c in A B; do
	ip link add aefp${c}0 netns aefp$c type veth peer name aefps$c netns $NS
	ip -n $NS link set aefps$c master aefpbr
	ip -n $NS link set aefps$c up
	ip netns exec aefp$c ethtool -K aefp${c}0 tx off >/dev/null 2>&1
	ip netns exec $NS ethtool -K aefps$c tx off >/dev/null 2>&1
	ip -n aefp$c link set aefp${c}0 up
done
ip -n $NS addr add 10.206.0.3/24 dev aefpbr
ip -n $NA addr add 10.206.0.1/24 dev aefpA0
ip -n $NB addr add 10.206.0.2/24 dev aefpB0
ip netns exec $NS "$B/aerod" --role server --id 1 --locator 10.206.0.3 --pool 2001:db8:1000::/40,56 \
	--tun aefps0 --ctl "$W/s.sock" --log "$W/s.log" -q & pids+=($!)
ip netns exec $NA "$B/aerod" --role client --locator 10.206.0.1 --prl 1@10.206.0.3 --fastpath \
	--ctl "$W/a.sock" --log "$W/a.log" --events "$W/a.ev" & pids+=($!)
ip netns exec $NB "$B/aerod" --role client --locator 10.206.0.2 --prl 1@10.206.0.3 --fastpath \
	--ctl "$W/b.sock" --log "$W/b.log" --events "$W/b.ev" & pids+=($!)
if ! wait_for 10 sh -c "grep -q prefix-delegated '$W/a.ev' && grep -q prefix-delegated '$W/b.ev'"; then
	nok "Server and both Clients up, prefixes delegated" "$(tail -5 "$W"/*.log)"
	finish; exit
fi
pa=$(grep -m1 prefix-delegated "$W/a.ev" | sed 's/.*"prefix":"\([^"/]*\)\/.*/\1/')
pb=$(grep -m1 prefix-delegated "$W/b.ev" | sed 's/.*"prefix":"\([^"/]*\)\/.*/\1/')
A6=${pa}1; B6=${pb}1
ok "Server and both Clients (--fastpath) up, prefixes delegated (A: $A6, B: $B6)"

# the tables in the kernel
wait_for 3 sh -c "'$B/aeroctl' -s '$W/a.sock' --json show | grep -q '\"fastpath\":\"on'"
expect "Client A: the fast path is on (aeroctl show)" '"fastpath":"on: xmit on the routes through aero0, ingress on aefpA0' \
	"$("$B/aeroctl" -s "$W/a.sock" --json show | grep -o '"fastpath":"[^"]*"')"
expect "Client A's default route carries the LWT program" "default +encap bpf xmit aero_fp_xmit dev aero0" \
	"$(ip -n $NA -6 route show default)"
n_progs=$(progs)
[ "$n_progs" -eq $((progs0 + 4)) ] && ok "four eBPF programs loaded (xmit and ingress per Client)" ||
	nok "four eBPF programs loaded (found $n_progs, $progs0 before)"

# ping: carried by the kernel both ways, the user-space path carries nothing
ip netns exec $NS tcpdump -i aefpsA -U -w "$W/wire.pcap" udp port 8060 >/dev/null 2>&1 & tdp=$!
wait_for 3 test -s "$W/wire.pcap"
check "ping A -> B (IPv6 through the overlay, traffic class 0xb8)" 0 \
	ip netns exec $NA ping -6 -Q 0xb8 -c 5 -i 0.2 -W 2 -I $A6 $B6
tx=$(actr a host_fp_tx_packets); rx=$(actr b host_fp_rx_packets); tun=$(actr a host_tun_rx)
[ "${tx:-0}" -ge 5 ] && [ "${rx:-0}" -ge 1 ] && [ "${tun:-1}" -eq 0 ] &&
	ok "the kernel carried it: A sent $tx, B received $rx in the fast path; A's aerod read $tun packets from the TUN" ||
	nok "ping in the kernel (A host_fp_tx_packets ${tx:-?} >= 5, B host_fp_rx_packets ${rx:-?} >= 1, A host_tun_rx ${tun:-?} = 0)"
sleep 0.5; kill $tdp 2>/dev/null; wait $tdp 2>/dev/null
# the encapsulation on the wire (tshark decodes UDP 8060 as IPv6)
fields=$(tshark -r "$W/wire.pcap" -d udp.port==8060,ipv6 -Y "ip.src==10.206.0.1 && icmpv6.type==128" \
	-T fields -E separator=' ' -e ip.ttl -e ipv6.hlim -e ip.dsfield -e ipv6.tclass -e ip.flags.df \
	-e udp.srcport -e udp.dstport -e udp.checksum -e ipv6.src -e ipv6.dst 2>/dev/null | head -3)
bad=$(echo "$fields" | /usr/bin/python3 -c 'import sys
a, b = sys.argv[1:3]
for l in sys.stdin:
    f = l.split()
    good = (len(f) == 10 and f[0] == f[1] and int(f[2], 16) == int(f[3], 16) == 0xb8 and f[4] in ("0", "False")
            and f[5] == f[6] == "8060" and int(f[7], 16) == 0 and f[8] == a and f[9] == b)
    if not good:
        print(l.strip())' "$A6" "$B6")
[ -n "$fields" ] && [ -z "$bad" ] &&
	ok "tshark decodes the kernel's packets: TTL = hop limit, TOS = traffic class, DF 0, 8060 -> 8060, UDP checksum 0 ($(echo "$fields" | head -1))" ||
	nok "the encapsulation on the wire (ttl hlim dsfield tclass df sport dport csum src dst)" "${fields:-no packet}"

# TCP A -> B: super-packets encapsulated and decapsulated in the kernel
ip netns exec $NB iperf3 -s -1 -p 5302 -B $B6 >/dev/null 2>&1 & sp=$!
wait_for 5 sh -c "ip netns exec $NB ss -ltn | grep -q ':5302 '"
tun0=$(actr a host_tun_rx)
ip netns exec $NA timeout 20 iperf3 -c $B6 -B $A6 -p 5302 -t 3 -C cubic -J >"$W/ip.json" 2>/dev/null
wait $sp 2>/dev/null
g=$(/usr/bin/python3 -c 'import json,sys
try: print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception: print(0)' "$W/ip.json")
gso=$(actr a host_fp_tx_gso); rgso=$(actr b host_fp_rx_gso); tun1=$(actr a host_tun_rx)
awk -v g="$g" 'BEGIN{exit !(g > 0)}' && [ "${gso:-0}" -gt 0 ] && [ $((tun1 - tun0)) -lt 20 ] &&
	ok "TCP A -> B: $g Gbit/s; $gso super-packets encapsulated by the kernel (B decapsulated $rgso aggregates); A's aerod read $((tun1 - tun0)) packets" ||
	nok "TCP A -> B in the kernel ($g Gbit/s, host_fp_tx_gso ${gso:-?}, host_tun_rx +$((tun1 - tun0)))"

# route optimisation lives on reports alone: 12 s of pings, only the kernel
# carries them, and the core still sends its keepalives (every >= 5 s)
ro_tx0=$(actr a client_ro_tx); ka0=$(actr a ro_keepalive_sent); rep0=$(actr a client_fastpath_reports)
ip netns exec $NA ping -6 -c 60 -i 0.2 -W 2 -I $A6 $B6 >/dev/null 2>&1
ka=$(( $(actr a ro_keepalive_sent) - ka0 )); rep=$(( $(actr a client_fastpath_reports) - rep0 ))
ro=$("$B/aeroctl" -s "$W/a.sock" --json show | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["ro"]["forward"]))' 2>/dev/null)
[ "$ka" -ge 1 ] && [ "$rep" -ge 5 ] && [ "$(actr a client_ro_tx)" = "$ro_tx0" ] && [ "${ro:-0}" -ge 1 ] &&
	ok "route optimisation kept up by $rep reports: $ka keepalives, $ro FORWARD entry, no data packet through the core" ||
	nok "RO on reports (keepalives +$ka, reports +$rep, client_ro_tx $ro_tx0 -> $(actr a client_ro_tx), forward entries ${ro:-?})"

# a forged packet from a locator nobody admitted: the kernel leaves it to
# the core, which drops it
na0=$(actr b host_fp_rx_not_admitted); dn0=$(actr b drop_not_admitted)
ip netns exec $NS /usr/bin/python3 - "$A6" "$B6" <<'PY' >/dev/null 2>&1
import sys
from scapy.all import IP, UDP, IPv6, ICMPv6EchoRequest, Ether, sendp, conf
conf.verb = 0
p = (Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src="10.206.0.9", dst="10.206.0.2") / UDP(sport=8060, dport=8060) /
     IPv6(src=sys.argv[1], dst=sys.argv[2]) / ICMPv6EchoRequest(id=7, seq=1))
sendp(p, iface="aefpbr")
PY
wait_for 3 sh -c "[ \$('$B/aeroctl' -s '$W/b.sock' counters | awk '\$1 == \"drop_not_admitted:\" {print \$2}') -gt $dn0 ]"
na=$(( $(actr b host_fp_rx_not_admitted) - na0 )); dn=$(( $(actr b drop_not_admitted) - dn0 ))
[ "$na" -eq 1 ] && [ "$dn" -eq 1 ] &&
	ok "a forged packet from 10.206.0.9: not admitted by the kernel, dropped and counted by the core" ||
	nok "forged packet (host_fp_rx_not_admitted +$na, drop_not_admitted +$dn; want 1 and 1)"

# Client A moves to a new locator: the core renews, the table follows
ip -n $NA addr add 10.206.0.11/24 dev aefpA0
sync0=$(actr a host_fp_sync)
"$B/aeroctl" -s "$W/a.sock" locator 10.206.0.11 >/dev/null 2>&1
wait_for 5 sh -c "[ \$('$B/aeroctl' -s '$W/a.sock' counters | awk '\$1 == \"host_fp_sync:\" {print \$2}') -gt $sync0 ]"
tx0=$(actr a host_fp_tx_packets)
check "after the move: ping A -> B" 0 ip netns exec $NA ping -6 -c 5 -i 0.2 -W 2 -I $A6 $B6
ip netns exec $NS tcpdump -i aefpbr -c 1 -w "$W/move.pcap" "udp port 8060 and src host 10.206.0.11" >/dev/null 2>&1 & tdp=$!
sleep 0.3
ip netns exec $NA ping -6 -c 3 -i 0.2 -W 2 -I $A6 $B6 >/dev/null 2>&1
wait_for 3 sh -c "! kill -0 $tdp 2>/dev/null"; kill $tdp 2>/dev/null; wait $tdp 2>/dev/null
tx=$(( $(actr a host_fp_tx_packets) - tx0 ))
[ "$tx" -ge 5 ] && [ -s "$W/move.pcap" ] &&
	ok "the kernel sends from the new locator 10.206.0.11 ($tx packets)" ||
	nok "fast path after the move (host_fp_tx_packets +$tx, a packet from 10.206.0.11: $(test -s "$W/move.pcap" && echo yes || echo no))"

# the programs go with the aerods
stop
wait_for 5 sh -c "[ \$(/usr/bin/python3 tests/emu/helpers/bpf_progs.py | grep -c '^aero_fp_') -eq $progs0 ]"
left=$(progs)
[ "$left" -eq "$progs0" ] && ok "after the aerods stop no aero_fp_* program is left" ||
	nok "aero_fp_* programs left after stop: $((left - progs0))"
finish
