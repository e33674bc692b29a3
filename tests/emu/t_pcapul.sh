#!/bin/bash
# aerod --underlay=pcap (emu/aerod/pcapul.c), root, namespaces only.
#   S (Server 192.0.2.1) --+
#   C1 (Client 192.0.2.2) -+-- bridge (ns X) -- R (192.0.2.254 | 203.0.113.254) -- C2 (Client 203.0.113.2)
# C1 and S are on one segment (next hop = the peer itself); C2 is behind the
# router R (next hop = the gateway's MAC; S reaches C2 through R as well).
# Phases: P1 all three in pcap mode; P2 (SEAL ICVs) with C1 on the ordinary
# UDP underlay talking to pcap peers; IPv6 locators, all pcap. Each: both
# Clients get a prefix, C1 pings C2's delegated address through the overlay,
# the pcap counters move and the UDP socket reads nothing twice; the frames
# the pcap nodes sent are captured and checked by tshark (IP and UDP
# checksums, DF, TTL). Then malformed frames are counted as bad (aerod lives)
# and bad configurations exit non-zero with a clear message.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/emu/lib.sh
need_netns "network namespaces, TUN, pcap"
T=aep$$; S=$T-s; C1=$T-c1; C2=$T-c2; R=$T-r; X=$T-x
W=$(mktemp -d /tmp/t_pcapul.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for ns in $S $C1 $C2 $R $X; do ip netns del $ns 2>/dev/null; done
	[ -n "${KEEP:-}" ] && echo "# kept $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
for ns in $S $C1 $C2 $R $X; do
	ip netns add $ns || skip_all "cannot create namespaces"
	ip -n $ns link set lo up
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
ip -n $X link add ${T}br type bridge || skip_all "no Linux bridge"
ip -n $X link set ${T}br up
for pair in "$S s" "$C1 a" "$R r"; do
	set -- $pair
	ip link add ${T}$2 netns $1 type veth peer name ${T}x$2 netns $X
	ip -n $X link set ${T}x$2 master ${T}br up
	ip -n $1 link set ${T}$2 up
done
ip link add ${T}b netns $C2 type veth peer name ${T}rb netns $R
ip -n $C2 link set ${T}b up; ip -n $R link set ${T}rb up
ip -n $S addr add 192.0.2.1/24 dev ${T}s; ip -n $S addr add fd00:1::1/64 dev ${T}s nodad
ip -n $C1 addr add 192.0.2.2/24 dev ${T}a; ip -n $C1 addr add fd00:1::2/64 dev ${T}a nodad
ip -n $R addr add 192.0.2.254/24 dev ${T}r; ip -n $R addr add fd00:1::fe/64 dev ${T}r nodad
ip -n $R addr add 203.0.113.254/24 dev ${T}rb; ip -n $R addr add fd00:3::fe/64 dev ${T}rb nodad
ip -n $C2 addr add 203.0.113.2/24 dev ${T}b; ip -n $C2 addr add fd00:3::2/64 dev ${T}b nodad
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
for ns in $S $C1; do ip -n $ns route add 203.0.113.0/24 via 192.0.2.254; ip -n $ns -6 route add fd00:3::/64 via fd00:1::fe; done
ip -n $C2 route add default via 203.0.113.254; ip -n $C2 -6 route add fd00:1::/64 via fd00:3::fe
# C1 runs on the ordinary UDP socket in phase P2: as in the emulated topologies
# (tx offload off on host interfaces), its kernel sends no UDP GSO aggregates,
# which a pcap receiver cannot split (counted in host_pcap_rx_bad)
command -v ethtool >/dev/null && ip netns exec $C1 ethtool -K ${T}a tx off >/dev/null 2>&1

dpid=()
start() { # ns name extra-args...: one aerod, its PID in dpid
	local ns=$1 name=$2; shift 2
	ip netns exec $ns "$B/aerod" --ctl "$W/$name.sock" --log "$W/$name.log" -v "$@" &
	dpid+=($!); pids+=($!)
}
stop_all() {
	for p in "${dpid[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	dpid=()
}
cnt() { # sock counter -> value
	"$B/aeroctl" -s "$W/$1.sock" counters --json | grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2
}
gaddr() { ip -n $1 -6 addr show dev aero0 scope global | awk '/inet6/ {sub("/.*", "", $2); print $2; exit}'; }

# phase TAG FAMILY(4|6) C1-UNDERLAY EXTRA-ARGS...
phase() {
	local tag=$1 fam=$2 c1ul=$3; shift 3
	local sl c1l c2l
	if [ $fam = 4 ]; then sl=192.0.2.1 c1l=192.0.2.2 c2l=203.0.113.2; else sl=fd00:1::1 c1l=fd00:1::2 c2l=fd00:3::2; fi
	local prl="2@$sl"; [ $fam = 6 ] && prl="2@[$sl]"
	rm -f "$W"/*.sock
	ip netns exec $X tcpdump -i ${T}xs -U -w "$W/$tag-s.pcap" udp port 8060 2>"$W/$tag-td1.log" & local t1=$!; pids+=($t1)
	ip netns exec $R tcpdump -i ${T}rb -U -w "$W/$tag-c2.pcap" udp port 8060 2>"$W/$tag-td2.log" & local t2=$!; pids+=($t2)
	wait_for 5 grep -q "listening on" "$W/$tag-td1.log"; wait_for 5 grep -q "listening on" "$W/$tag-td2.log"
	start $S s --role server --id 2 --locator $sl --pool 2001:db8:1000::/40,56 --underlay=pcap "$@"
	start $C1 c1 --role client --locator $c1l --prl $prl --tun aero0 --underlay=$c1ul "$@"
	start $C2 c2 --role client --locator $c2l --prl $prl --tun aero0 --underlay=pcap "$@"
	local a1 a2
	if wait_for 15 bash -c "[ -n \"\$(ip -n $C1 -6 addr show dev aero0 scope global)\" ] && [ -n \"\$(ip -n $C2 -6 addr show dev aero0 scope global)\" ]"; then
		a1=$(gaddr $C1); a2=$(gaddr $C2)
		ok "$tag: both Clients got a prefix over the pcap underlay ($a1, $a2)"
	else
		nok "$tag: both Clients got a prefix" "$(tail -3 "$W/s.log" "$W/c1.log" "$W/c2.log")"
		stop_all; kill $t1 $t2; wait $t1 $t2 2>/dev/null; return
	fi
	if wait_for 10 ip netns exec $C1 ping -6 -c 1 -W 1 -I $a1 $a2; then
		out=$(ip netns exec $C1 ping -6 -c 5 -i 0.2 -W 1 -I $a1 $a2 2>&1)
		expect "$tag: ping C1 -> C2 through the overlay (5 of 5; C2 behind a router)" " 5 received" "$out"
	else
		nok "$tag: ping C1 -> C2 through the overlay" "$("$B/aeroctl" -s "$W/s.sock" counters | grep -E '^(drop|host_)' | grep -v ': 0$')"
	fi
	if [ $tag = P1 ]; then
		# a new locator at run time: pcap filter and socket filter follow it
		ip -n $C1 addr add 192.0.2.3/24 dev ${T}a
		out=$("$B/aeroctl" -s "$W/c1.sock" locator 192.0.2.3 2>&1)
		[ $? -eq 0 ] && ok "$tag: C1 moves to locator 192.0.2.3 (aeroctl locator: pcap re-opened with the new filter)" || nok "$tag: aeroctl locator" "$out"
		if wait_for 10 ip netns exec $C1 ping -6 -c 1 -W 1 -I $a1 $a2; then
			out=$(ip netns exec $C1 ping -6 -c 3 -i 0.2 -W 1 -I $a1 $a2 2>&1)
			expect "$tag: ... ping C1 -> C2 still works after the move" " 3 received" "$out"
		else
			nok "$tag: ping after the move" "$(grep -iE 'pcap|locator' "$W/c1.log" | tail -5)"
		fi
		expect "$tag: ... the Server's neighbour entry follows the new locator" "192.0.2.3" "$("$B/aeroctl" -s "$W/s.sock" show neighbors)"
	fi
	if command -v iperf3 >/dev/null; then
		ip netns exec $C2 iperf3 -s -1 -B $a2 -p 5201 >"$W/iperf-s.log" 2>&1 & local ip3=$!; pids+=($ip3)
		sleep 0.5
		out=$(timeout 20 ip netns exec $C1 iperf3 -6 -c $a2 -B $a1 -p 5201 -t 2 -C cubic -f m 2>&1)
		local mbps=$(echo "$out" | awk '/receiver/ {print $(NF-2); exit}')
		echo "# $tag TCP C1 -> C2 through S ($([ $c1ul = pcap ] && echo all pcap || echo C1 UDP socket, S and C2 pcap)): ${mbps:-?} Mbit/s"
		awk -v x="${mbps:-0}" 'BEGIN{exit !(x > 0)}' && ok "$tag: TCP (iperf3) C1 -> C2 over the pcap underlay: ${mbps} Mbit/s" || nok "$tag: TCP C1 -> C2" "$out"
		kill $ip3 2>/dev/null; wait $ip3 2>/dev/null
	fi
	sleep 0.3
	local v
	local nd
	for nd in s c1 c2; do
		[ $nd = c1 ] && [ $c1ul != pcap ] && continue
		local prx ptx urx fb bad
		prx=$(cnt $nd host_pcap_rx); ptx=$(cnt $nd host_pcap_tx); urx=$(cnt $nd host_udp_rx)
		fb=$(cnt $nd host_pcap_tx_fallback); bad=$(cnt $nd host_pcap_rx_bad)
		v="host_pcap_rx $prx, host_pcap_tx $ptx, host_pcap_tx_fallback $fb, host_pcap_rx_bad $bad, host_pcap_rx_drop $(cnt $nd host_pcap_rx_drop), host_udp_rx $urx"
		echo "# $tag $nd: $v"
		echo "${fb:-0}" >"$W/$tag-$nd.fb"
		if [ "${prx:-0}" -gt 0 ] && [ "${ptx:-0}" -gt 0 ] && [ "${urx:-1}" -eq 0 ] && [ "${bad:-1}" -eq 0 ]; then
			ok "$tag: $nd counts pcap rx and tx, nothing read twice by the UDP socket, no bad frame"
		else
			nok "$tag: $nd pcap counters ($v)"
		fi
	done
	if [ $c1ul != pcap ]; then
		v=$(cnt c1 host_udp_rx)
		[ "${v:-0}" -gt 0 ] && ok "$tag: C1 on the ordinary UDP underlay talks to pcap peers (host_udp_rx $v)" || nok "$tag: C1 udp rx ($v)"
	fi
	stop_all
	kill $t1 $t2 2>/dev/null; wait $t1 $t2 2>/dev/null
	command -v tshark >/dev/null || { ok "$tag: tshark checks # SKIP no tshark"; return; }
	local ipf=ip chk="-o udp.check_checksum:TRUE -o ip.check_checksum:TRUE"
	[ $fam = 6 ] && ipf=ipv6
	# frames sent by S (pcap) on its port, and by C2 (pcap) on its access link
	for x in "s $sl $tag-s.pcap" "c2 $c2l $tag-c2.pcap"; do
		set -- $x
		local f="$ipf.src == $2 && udp.srcport == 8060"
		local tot good badc df
		tot=$(tshark -r "$W/$3" $chk -Y "$f" 2>/dev/null | wc -l)
		good=$(tshark -r "$W/$3" $chk -Y "$f && udp.checksum.status == 1" 2>/dev/null | wc -l)
		badc=$(tshark -r "$W/$3" $chk -Y "$f && udp.checksum.status == 0" 2>/dev/null | wc -l)
		if [ $fam = 4 ]; then
			df=$(tshark -r "$W/$3" $chk -Y "$f && ip.flags.df == 1 && ip.checksum.status == 1" 2>/dev/null | wc -l)
		else
			df=$tot
		fi
		echo "# $tag tshark $1: $tot frames from $2:8060, UDP checksum good $good, bad $badc ($(cat "$W/$tag-$1.fb") sent through the kernel socket with checksum offload: host_pcap_tx_fallback)"
		if [ "$tot" -gt 5 ] && [ "$good" -ge $((tot - $(cat "$W/$tag-$1.fb"))) ] && [ "$df" -eq "$tot" ]; then
			ok "$tag: tshark: frames $1 injected carry a correct UDP checksum$([ $fam = 4 ] && echo ', IPv4 header checksum and DF')"
		else
			nok "$tag: tshark on frames from $1 ($tot frames, $good good UDP checksums, $df with DF and good IP checksum)" \
				"$(tshark -r "$W/$3" $chk -Y "$f" -T fields -e frame.number -e $ipf.src -e $ipf.dst -e udp.checksum.status 2>/dev/null | head)"
		fi
	done
	# C2 -> S crosses R: each outer TTL/hop limit is one less at S than on C2's link
	local tf=ip.ttl
	[ $fam = 6 ] && tf=ipv6.hlim
	local tsel="$ipf.src == $c2l && $ipf.dst == $sl"
	local ttl_c2 ttl_s
	ttl_c2=$(tshark -r "$W/$tag-c2.pcap" -Y "$tsel" -T fields -e $tf 2>/dev/null | sort -un | awk '{print $1 - 1}' | tr '\n' ' ')
	ttl_s=$(tshark -r "$W/$tag-s.pcap" -Y "$tsel" -T fields -e $tf 2>/dev/null | sort -un | tr '\n' ' ')
	echo "# $tag outer TTLs/hop limits of C2 -> S frames, minus one: {${ttl_c2}} on C2's link; at S: {${ttl_s}}"
	[ -n "$ttl_c2" ] && [ "$ttl_s" = "$ttl_c2" ] && ok "$tag: C2's frames to S went through the gateway R (every outer TTL one less at S)" || nok "$tag: C2 frames routed by R ({$ttl_c2} vs {$ttl_s})"
}

echo "# P1, IPv4 locators, S, C1, C2 all --underlay=pcap"
phase P1 4 pcap
echo "# P2, IPv4 locators, S and C2 pcap, C1 on the ordinary UDP socket"
phase P2 4 udp --profile P2 --icv-key 00112233445566778899aabbccddeeff01234567
echo "# P1, IPv6 locators, all pcap"
phase v6 6 pcap

# ---- malformed frames to a pcap node: counted, never delivered, no crash --------
# (sent by R on the direct link to C2: the bridge, with br_netfilter, would
# drop some of them itself)
start $C2 c2 --role client --locator 203.0.113.2 --prl 2@192.0.2.1 --tun none --no-netlink --underlay=pcap
wait_for 5 test -S "$W/c2.sock"
b0=$(cnt c2 host_pcap_rx_bad); r0=$(cnt c2 host_pcap_rx)
mac=$(ip -n $C2 link show ${T}b | awk '/link\/ether/ {print $2}')
ip netns exec $R /usr/bin/python3 - ${T}rb "$mac" <<'EOP'
import socket, struct, sys
ifn, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifn, 0))
src = s.getsockname()[4]
def csum(b):
    if len(b) % 2: b += b"\0"
    x = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while x >> 16: x = (x & 0xffff) + (x >> 16)
    return ~x & 0xffff
def ip4(payload, tot=None, bad_csum=False):
    tot = tot if tot is not None else 20 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 1, 0x4000, 64, 17, 0,
                    socket.inet_aton("192.0.2.1"), socket.inet_aton("203.0.113.2"))
    c = csum(h) ^ (0x5555 if bad_csum else 0)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload
eth = mac + src + b"\x08\x00"
udp_ok = struct.pack("!HHHH", 8060, 8060, 8 + 40, 0) + b"\0" * 40
frames = [
    eth + ip4(udp_ok, bad_csum=True),                                # bad IPv4 header checksum
    eth + ip4(struct.pack("!HHHH", 8060, 8060, 500, 0) + b"\0" * 40),  # UDP length beyond the packet
    eth + ip4(udp_ok)[:30],                                          # truncated IP
    eth + ip4(udp_ok, tot=2000),                                     # IP length beyond the frame
    eth[:12] + b"\x88\xa8\x00\x07",                                  # cut in the VLAN tag
]
vlan = eth[:12] + b"\x81\x00\x00\x64\x08\x00" + ip4(udp_ok)       # good, VLAN 100: parsed, delivered
for f in frames + [vlan]:
    s.send(f)
print("sent %d malformed frames and one good VLAN-tagged one" % len(frames))
EOP
sleep 0.5
b1=$(cnt c2 host_pcap_rx_bad); r1=$(cnt c2 host_pcap_rx)
echo "# host_pcap_rx_bad $b0 -> $b1, host_pcap_rx $r0 -> $r1"
grep "dropped:" "$W/c2.log" | sed 's/^/# /'
[ "${b1:-0}" -ge $(( ${b0:-0} + 4 )) ] && ok "malformed frames counted in host_pcap_rx_bad ($b0 -> $b1; the truncated ones the kernel BPF filter may reject first)" || nok "malformed frames counted ($b0 -> $b1)" "$(tail -5 "$W/c2.log")"
[ "${r1:-0}" -gt "${r0:-0}" ] && ok "a VLAN-tagged frame to the locator is parsed and delivered (host_pcap_rx $r0 -> $r1)" || nok "VLAN frame delivered (host_pcap_rx $r0 -> $r1)"
check "... and aerod still answers (aeroctl ping)" 0 "$B/aeroctl" -s "$W/c2.sock" ping
# UDP GSO aggregates (3 x 1000 bytes, UDP_SEGMENT): from R (default veth
# offloads) one reaches C2 whole. Three P1 datagrams (each an inner IPv6
# packet) are split by their inner length and read as 3; 3000 zero bytes
# have no size to split by and are counted bad with a warning. From C1 (tx
# offload off) the kernel segments at the sender and C2 reads 3 frames.
gso() { # ns dst valid(1|0)
	ip netns exec $1 /usr/bin/python3 -c '
import socket, struct, sys
dgram = b"\0" * 1000
if sys.argv[2] == "1":   # IPv6, payload 960, no next header, hop limit 64
    dgram = struct.pack("!IHBB", 6 << 28, 960, 59, 64) + bytes(32) + bytes(960)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(17, 103, 1000)  # SOL_UDP, UDP_SEGMENT
s.sendto(dgram * 3, (sys.argv[1], 8060))' $2 $3
}
# default snaplen (MTU + 64): the aggregate is captured in part: bad, warning
b0=$(cnt c2 host_pcap_rx_bad); r0=$(cnt c2 host_pcap_rx)
gso $R 203.0.113.2 1; sleep 0.3
b1=$(cnt c2 host_pcap_rx_bad); r1=$(cnt c2 host_pcap_rx)
gso $C1 203.0.113.2 0; sleep 0.3
b2=$(cnt c2 host_pcap_rx_bad); r2=$(cnt c2 host_pcap_rx)
echo "# default snaplen: GSO aggregate from R: bad $b0 -> $b1; from C1 (tx off): rx $r1 -> $r2"
[ "$b1" -eq $((b0 + 1)) ] && [ "$r1" -eq "$r0" ] && grep -q "pcap-snaplen 65535 reads and splits" "$W/c2.log" && ok "default snaplen: a peer's UDP GSO aggregate is counted in host_pcap_rx_bad, with a warning naming --pcap-snaplen" || nok "GSO aggregate with the default snaplen ($b0 -> $b1)" "$(grep -i gso "$W/c2.log")"
[ "$r2" -eq $((r1 + 3)) ] && [ "$b2" -eq "$b1" ] && ok "... segmented by a sender with tx offload off: 3 frames read" || nok "GSO segmented at the sender (rx $r1 -> $r2, bad $b1 -> $b2)"
# --pcap-snaplen 65535: split by the inner IPv6 lengths
kill "${dpid[-1]}"; wait "${dpid[-1]}" 2>/dev/null
start $C2 c2b --role client --locator 203.0.113.2 --prl 2@192.0.2.1 --tun none --no-netlink --underlay=pcap --pcap-snaplen 65535
wait_for 5 test -S "$W/c2b.sock"
b0=$(cnt c2b host_pcap_rx_bad); r0=$(cnt c2b host_pcap_rx); g0=$(cnt c2b host_pcap_rx_gso)
gso $R 203.0.113.2 1; sleep 0.3
b1=$(cnt c2b host_pcap_rx_bad); r1=$(cnt c2b host_pcap_rx); g1=$(cnt c2b host_pcap_rx_gso)
gso $R 203.0.113.2 0; sleep 0.3
b2=$(cnt c2b host_pcap_rx_bad); r2=$(cnt c2b host_pcap_rx)
echo "# --pcap-snaplen 65535: P1 aggregate from R: rx $r0 -> $r1, gso $g0 -> $g1, bad $b0 -> $b1; zeros: bad $b1 -> $b2"
[ "$r1" -eq $((r0 + 3)) ] && [ "$g1" -eq $((g0 + 1)) ] && [ "$b1" -eq "$b0" ] && ok "--pcap-snaplen 65535: an aggregate of P1 packets is split by the inner lengths into 3 datagrams (host_pcap_rx_gso)" || nok "GSO aggregate split (rx $r0 -> $r1, gso $g0 -> $g1, bad $b0 -> $b1)" "$(grep -i gso "$W/c2b.log")"
[ "$b2" -eq $((b1 + 1)) ] && [ "$r2" -eq "$r1" ] && grep -q "no UDP GSO aggregate of AERO packets" "$W/c2b.log" && ok "... an aggregate with no AERO packet to size it by is counted in host_pcap_rx_bad, with a warning" || nok "unsizable aggregate counted bad ($b1 -> $b2)" "$(grep -i gso "$W/c2b.log")"
stop_all

# ---- bad configuration: clear error, non-zero exit --------------------------
check "--underlay-if on a missing interface: exit 1" 1 ip netns exec $C1 "$B/aerod" --role client --locator 192.0.2.2 --prl 2@192.0.2.1 --tun none --no-netlink --ctl "$W/bad.sock" --underlay=pcap --underlay-if ${T}nope
expect "... with a clear message" "no interface '${T}nope'" "$out"
check "--underlay=pcap with a locator on no interface: exit 1" 1 ip netns exec $C1 "$B/aerod" --role client --locator 198.18.0.9 --prl 2@192.0.2.1 --tun none --no-netlink --ctl "$W/bad.sock" --underlay=pcap
expect "... with a clear message" "locator 198.18.0.9:8060 is on no interface" "$out"
check "--underlay=bogus: exit 1" 1 "$B/aerod" --role client --locator 192.0.2.2 --prl 2@192.0.2.1 --underlay=bogus
expect "... with a clear message" "unknown --underlay=bogus" "$out"
finish
