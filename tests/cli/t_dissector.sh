#!/bin/bash
# TAP tests of the Wireshark Lua dissector analysis/wireshark/aero.lua with
# tshark -X lua_script: over the project's own packets (tests/vectors, the
# replay goldens): field values of the SEAL shim and its ICV, SCMP, RFC 6706,
# the VET/P1 link-layer address options, PIO X/P, and the hand-off of AERO
# (UDP 8060) to Wireshark's IPv6 and DHCPv6 dissectors.
set -uo pipefail
cd "$(dirname "$0")/../.."
LUA=analysis/wireshark/aero.lua
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
tmp=$(mktemp -d); trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
if ! command -v tshark >/dev/null; then echo "1..1"; echo "ok 1 - dissector # SKIP no tshark"; exit 0; fi
KEY=0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b
# ts PCAP [tshark options] -- fields...: one line per frame, fields joined by |
ts() {
	local pcap=$1; shift
	tshark -X lua_script:$LUA -r "$pcap" -T fields -E separator='|' -E occurrence=a -E aggregator=, "$@" 2>"$tmp/err"
}
# check DESC EXPECTED ACTUAL
check() { if [ "$2" = "$3" ]; then ok "$1"; else nok "$1" "want: $2" "got:  $3" "$(grep -i lua "$tmp/err" | head -2)"; fi; }

# the vectors as one raw-IP pcap, plus the SCMP SPD vector wrapped in
# outer IPv4 / UDP 8060 / SEAL (C=1, NEXTHDR 58)
V=tests/vectors
for v in packet-p2-ipv4-seal-icv-rs packet-p2-ipv6-scmp-srs packet-p1-ipv4-predirect packet-tv12-p1-ipv4-rs packet-p1-ipv6-ra scmp-spd-v1; do
	tests/fuzz/hex2bin.sh $V/$v.hex > "$tmp/$v.bin"
done
"$PY" - "$tmp" <<'PY'
import struct, sys
d = sys.argv[1]
names = ['packet-p2-ipv4-seal-icv-rs', 'packet-p2-ipv6-scmp-srs', 'packet-p1-ipv4-predirect',
         'packet-tv12-p1-ipv4-rs', 'packet-p1-ipv6-ra']
pk = [open(f'{d}/{n}.bin', 'rb').read() for n in names]
scmp = open(f'{d}/scmp-spd-v1.bin', 'rb').read()
seal = bytes([58, 0x60, 3, 0]) + struct.pack('>I', 42)          # VER 1, C=1; LINK_ID 3
udp = struct.pack('>HHHH', 49152, 8060, 8 + len(seal) + len(scmp), 0) + seal + scmp
ip = bytearray(struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 7, 0, 64, 17, 0,
                           bytes([192, 0, 2, 1]), bytes([203, 0, 113, 9])))
s = sum(struct.unpack('>10H', ip)); s = (s & 0xffff) + (s >> 16); s = (s & 0xffff) + (s >> 16)
ip[10:12] = struct.pack('>H', ~s & 0xffff)
pk.append(bytes(ip) + udp)
with open(f'{d}/v.pcap', 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i, p in enumerate(pk):
        f.write(struct.pack('<IIII', 1700000000 + i, 0, len(p), len(p)) + p)
PY
P="$tmp/v.pcap"

# 1. SEAL shim fields and the ICV (pure-Lua HMAC-SHA1-80) with the right key
check "SEAL shim: NEXTHDR, I, LINK_ID, Identification, ICV verified good with the key" \
	"P2|41|1|1|16909060|1234dbdaf0f3df9bd88a|good|1" \
	"$(ts "$P" -o aero.icv_key:$KEY -Y frame.number==1 -e aero.profile -e aero.seal.nexthdr -e aero.seal.i -e aero.seal.link_id -e aero.seal.id -e aero.seal.icv -e aero.seal.icv.status -e aero.seal.icv.good)"
check "SEAL ICV with a wrong key: bad" "bad|0" \
	"$(ts "$P" -o aero.icv_key:0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c -Y frame.number==1 -e aero.seal.icv.status -e aero.seal.icv.good)"
check "SEAL ICV without a key: shown, unverified" "unverified (no key in the preferences)" \
	"$(ts "$P" -Y frame.number==1 -e aero.seal.icv.status)"
check "P2 inner IPv6 handed to Wireshark: RS from the AERO address" "133|fe80::2001:db8:1000:2000" \
	"$(ts "$P" -Y frame.number==1 -e icmpv6.type -e ipv6.src | cut -d'|' -f1,2 | sed 's/,.*|/|/' )"

# 2. SCMP SRS with a VET IPv4 SLLAO; checksum over the message only
check "SCMP SRS: C=1, type 133, checksum good, VET IPv4 SLLAO 198.51.100.10" \
	"58|1|133|1|VET IPv4|198.51.100.10|198.51.100.10:8060" \
	"$(ts "$P" -Y frame.number==2 -e aero.seal.nexthdr -e aero.seal.c -e aero.scmp.type -e aero.scmp.checksum.good -e aero.lla.form -e aero.lla.ipv4 -e aero.lla.locator)"

# 3. SCMP SPD with V=1: Authentication Key, P1 TLLAO, RIO, RHO
check "SCMP SPD V=1: P, V, key selector 1, ESK, target/dest, P1 TLLAO port 49152, RIO /56, RHO" \
	"137|1|1|1|1|0102030405060708090a0b0c0d0e0f1011121314|fe80::5efe:c000:201|fe80::2001:db8:2000:3000|P1|49152|198.51.100.10|2001:db8:1000:2000::|56|2001:db8:1000:2000::1|2001:db8:2000:3000::1" \
	"$(ts "$P" -Y frame.number==6 -e aero.scmp.type -e aero.scmp.checksum.good -e aero.scmp.p -e aero.scmp.v -e aero.scmp.auth.key -e aero.scmp.auth.esk -e aero.scmp.target -e aero.scmp.dest -e aero.lla.form -e aero.lla.port -e aero.lla.ipv4 -e aero.rio.prefix -e aero.rio.plen -e aero.rho.src -e aero.rho.dst)"

# 4. RFC 6706 Predirect on inner UDP 8060 (TV8)
check "RFC 6706 Predirect: P=1, target, RIO 2001:db8:1000:2000::/56 lifetime 40, RHO" \
	"P1|0|1|Predirect|fe80::5efe:c000:201|fe80::5efe:c000:201|2001:db8:1000:2000::|56|40|2001:db8:2000:3000::1|8060,8060" \
	"$(ts "$P" -Y frame.number==3 -e aero.profile -e aero.rfc6706.type -e aero.rfc6706.p -e aero.rfc6706.kind -e aero.rfc6706.target -e aero.rfc6706.dest -e aero.rio.prefix -e aero.rio.plen -e aero.rio.lifetime -e aero.rho.dst -e udp.dstport)"

# 5. PIO bit 0x10: P by default, X with the preference
check "PIO 0x50 on AERO: P=1 by default (RFC 9762), no X" "64|1|1|" \
	"$(ts "$P" -Y frame.number==5 -e aero.pio.plen -e aero.pio.a -e aero.pio.p -e aero.pio.x)"
check "PIO 0x50 with aero.pio_x: X=1" "1|" \
	"$(ts "$P" -o aero.pio_x:TRUE -Y frame.number==5 -e aero.pio.x -e aero.pio.p)"

# 6. the replay goldens: P1 RA with a P1 SLLAO, DHCPv6 Reply through Wireshark's dissector
G=tests/replay/golden
check "replay output (P1): RA with a P1 SLLAO 192.0.2.1:8060 (IPv4-mapped)" "134|P1|8060|192.0.2.1:8060" \
	"$(ts $G/server-synth-v4.pcap -Y frame.number==1 -e icmpv6.type -e aero.lla.form -e aero.lla.port -e aero.lla.locator)"
check "replay output (P1): DHCPv6 Reply through Wireshark's dissector, prefix 2001:db8:1000::" "P1|7|2001:db8:1000::" \
	"$(ts $G/server-synth-v4.pcap -Y frame.number==2 -e aero.profile -e dhcpv6.msgtype -e dhcpv6.iaprefix.pref_addr)"
out=$(ts $G/server-p2-from-client.pcap -o aero.icv_key:$KEY -e aero.profile -e aero.seal.icv.status -e dhcpv6.msgtype -e aero.scmp.type | sort | uniq -c | sed 's/^ *//')
check "replay output (P2 scenario): 3 SEAL frames with good ICVs carrying DHCPv6 Replies, 2 SCMP SNS (re-synchronisation probes)" "3 P2|good|7|
2 P2|good||135" "$out"

# 7. no Lua error over every golden pcap; the load-time HMAC self-test (TV9)
errs=0
for g in $G/*.pcap tests/replay/pcaps/*.pcap*; do
	tshark -X lua_script:$LUA -o aero.icv_key:$KEY -r "$g" -V >/dev/null 2>"$tmp/e" || errs=$((errs + 1))
	grep -qi 'lua error' "$tmp/e" && { errs=$((errs + 1)); echo "# $g: $(grep -i 'lua error' "$tmp/e" | head -1)"; }
	tshark -X lua_script:$LUA -r "$g" -V 2>/dev/null | grep -qi 'lua error' && { errs=$((errs + 1)); echo "# $g: Lua error in the tree"; }
done
[ $errs -eq 0 ] && ok "no Lua error over every replay pcap and golden (-V, with and without a key)" || nok "Lua errors: $errs"

echo "1..$n"
[ $failed -eq 0 ]
