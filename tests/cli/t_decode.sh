#!/bin/bash
# TAP tests of the aero-decode command-line tool (./aero decode).
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${AERO_BUILD:-build}
DEC="$BUILD/aero-decode"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# jq-like check with python: $1 = json lines file, $2 = python expression over
# the list `p` of decoded objects; prints nothing, exit 0 when true.
pycheck() {
	"$PY" -c 'import json,sys
p=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

hex2bin() { tests/fuzz/hex2bin.sh "$1"; }
mkpcap() { # $1 out, $2 linktype, then binary packet files
	"$PY" - "$@" <<'PY'
import struct, sys
out, lt, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
with open(out, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, lt))
    for i, name in enumerate(files):
        d = open(name, 'rb').read()
        f.write(struct.pack('<IIII', 1700000000 + i, 0, len(d), len(d)) + d)
PY
}

V=tests/vectors
hex2bin $V/packet-tv12-p1-ipv4-rs.hex > "$tmp/tv12.bin"

# 1. hex on stdin: TV12 decoded through every layer
if tr -d '\n' < <(grep -v '^#' $V/packet-tv12-p1-ipv4-rs.hex | sed 's/^[0-9a-f]\{4\}  //') | "$DEC" > "$tmp/o1" 2>"$tmp/e1" &&
   pycheck "$tmp/o1" 'len(p)==1 and p[0]["outer_ipv4"]["src"]=="198.51.100.10" and p[0]["outer_ipv4"]["ttl"]==64 and p[0]["udp"]["dst_port"]==8060 and p[0]["udp"]["checksum"]==0 and p[0]["inner_ipv6"]["src"]=="fe80::2001:db8:1000:2000" and p[0]["inner_ipv6"]["hop_limit"]==255 and p[0]["icmpv6"]["type"]==133 and p[0]["kind"]=="nd" and p[0]["profile"]=="P1"'; then
	ok "hex on stdin: TV12 decoded to outer IPv4, UDP 8060, inner IPv6, RS"
else nok "hex on stdin: TV12" "$(cat "$tmp/o1" "$tmp/e1")"; fi

# 2. the same packet in a raw-IP pcap and in an Ethernet pcap
mkpcap "$tmp/raw.pcap" 101 "$tmp/tv12.bin"
{ printf '\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00'; cat "$tmp/tv12.bin"; } > "$tmp/eth.bin"
mkpcap "$tmp/eth.pcap" 1 "$tmp/eth.bin"
if "$DEC" "$tmp/raw.pcap" "$tmp/eth.pcap" > "$tmp/o2" 2>"$tmp/e2" &&
   pycheck "$tmp/o2" 'len(p)==2 and all(x["icmpv6"]["type"]==133 and x["udp"]["src_port"]==49152 for x in p)'; then
	ok "pcap input (raw IP and Ethernet link types)"
else nok "pcap input" "$(cat "$tmp/o2" "$tmp/e2")"; fi

# 3. real captures of third-party peers (dhcpcd, dhcp6c, dhclient, Kea, dhcpd, radvd) decode
peers=../shared/peers/pcaps
if [ -d "$peers" ]; then
	for f in "$peers"/*.pcap; do
		b=$(basename "$f")
		if "$DEC" "$f" > "$tmp/o3" 2>"$tmp/e3" &&
		   pycheck "$tmp/o3" 'len(p)>=2 and all(x["kind"] in ("dhcp6","nd","other") for x in p) and any(x["kind"] in ("dhcp6","nd") for x in p)'; then
			ok "real capture $b: $(wc -l < "$tmp/o3") packets decoded"
		else nok "real capture $b" "$(head -c 1500 "$tmp/o3"; cat "$tmp/e3")"; fi
	done
	# our decoder against tshark's on every packet of the real captures
	for f in "$peers"/*.pcap; do
		b=$(basename "$f")
		if out=$("$PY" - "$DEC" "$f" <<'PY' 2>&1
import json, subprocess, sys
dec, pcap = sys.argv[1], sys.argv[2]
ours = [json.loads(l) for l in subprocess.run([dec, pcap], capture_output=True, text=True).stdout.splitlines()]
fields = ["ipv6.src", "ipv6.dst", "ipv6.hlim", "ipv6.flow", "udp.srcport", "udp.dstport",
          "dhcpv6.msgtype", "dhcpv6.xid", "dhcpv6.iaid", "dhcpv6.iaid.t1", "dhcpv6.iaid.t2",
          "dhcpv6.iaprefix.pref_addr", "dhcpv6.iaprefix.pref_len", "dhcpv6.iaprefix.pref_lifetime",
          "dhcpv6.iaprefix.valid_lifetime", "dhcpv6.status_code", "dhcpv6.requested_option_code",
          "dhcpv6.elapsed_time", "icmpv6.type", "icmpv6.nd.ra.router_lifetime",
          "icmpv6.nd.ra.cur_hop_limit", "icmpv6.opt.prefix", "icmpv6.opt.prefix.length",
          "icmpv6.opt.prefix.valid_lifetime", "icmpv6.opt.mtu"]
cmd = ["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]
for f in fields:
    cmd += ["-e", f]
rows = [l.split("\t") for l in subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()]
assert len(rows) == len(ours), (len(rows), len(ours))
n = 0
for i, (t, o) in enumerate(zip(rows, ours)):
    t = dict(zip(fields, t + [""] * len(fields)))
    ip = o.get("outer_ipv6")
    def eq(a, b, what):
        global n
        n += 1
        if str(a) != str(b):
            raise SystemExit("packet %d: %s: tshark %r, aero-decode %r" % (i + 1, what, a, b))
    if ip:
        eq(t["ipv6.src"], ip["src"], "ipv6.src"); eq(t["ipv6.dst"], ip["dst"], "ipv6.dst")
        eq(int(t["ipv6.hlim"]), ip["hop_limit"], "hop limit"); eq(int(t["ipv6.flow"], 16), ip["flow_label"], "flow label")
    if "udp" in o:
        eq(int(t["udp.srcport"]), o["udp"]["src_port"], "udp.srcport"); eq(int(t["udp.dstport"]), o["udp"]["dst_port"], "udp.dstport")
    d = o.get("dhcp6")
    if d:
        eq(int(t["dhcpv6.msgtype"]), d["msg_type"], "msg-type"); eq(int(t["dhcpv6.xid"], 16), d["transaction_id"], "xid")
        ias = d.get("ia_pd", [])
        eq(t["dhcpv6.iaid"], ",".join("%08x" % a["iaid"] for a in ias), "iaid")
        eq(t["dhcpv6.iaid.t1"], ",".join(str(a["t1"]) for a in ias), "T1")
        eq(t["dhcpv6.iaid.t2"], ",".join(str(a["t2"]) for a in ias), "T2")
        pf = [p for a in ias for p in a["prefixes"]]
        eq(t["dhcpv6.iaprefix.pref_addr"], ",".join(p["prefix"].split("/")[0] for p in pf), "prefix")
        eq(t["dhcpv6.iaprefix.pref_len"], ",".join(p["prefix"].split("/")[1] for p in pf), "prefix length")
        eq(t["dhcpv6.iaprefix.pref_lifetime"], ",".join(str(p["preferred_lifetime"]) for p in pf), "preferred")
        eq(t["dhcpv6.iaprefix.valid_lifetime"], ",".join(str(p["valid_lifetime"]) for p in pf), "valid")
        eq(t["dhcpv6.requested_option_code"], ",".join(str(c) for c in d.get("option_request", [])), "ORO")
        if "elapsed_time_cs" in d:
            eq(int(t["dhcpv6.elapsed_time"]), d["elapsed_time_cs"] * 10, "elapsed (ms)")
    nd = o.get("icmpv6")
    if nd:
        eq(int(t["icmpv6.type"]), nd["type"], "icmpv6 type")
        if nd["type"] == 134:
            eq(int(t["icmpv6.nd.ra.router_lifetime"]), nd["router_lifetime"], "router lifetime")
            eq(int(t["icmpv6.nd.ra.cur_hop_limit"]), nd["cur_hop_limit"], "cur hop limit")
            pios = nd["options"].get("pio", [])
            eq(t["icmpv6.opt.prefix"], ",".join(x["prefix"].split("/")[0] for x in pios), "PIO prefixes")
            eq(t["icmpv6.opt.prefix.length"], ",".join(x["prefix"].split("/")[1] for x in pios), "PIO lengths")
            eq(t["icmpv6.opt.prefix.valid_lifetime"], ",".join(str(x["valid_lifetime"]) for x in pios), "PIO valid")
            if "mtu" in nd["options"]:
                eq(int(t["icmpv6.opt.mtu"]), nd["options"]["mtu"], "MTU")
print("%d values" % n)
PY
); then ok "decoder matches tshark on $b ($out)"
		else nok "decoder vs tshark on $b" "$out"; fi
	done
	if "$DEC" "$peers"/kea-dhcpcd-rapid.pcap > "$tmp/o3" 2>/dev/null &&
	   pycheck "$tmp/o3" 'any(x.get("dhcp6",{}).get("msg_type")==1 and x["dhcp6"]["rapid_commit"] for x in p) and any(x.get("dhcp6",{}).get("msg_type")==7 and x["dhcp6"]["ia_pd"][0]["prefixes"] for x in p)'; then
		ok "kea-dhcpcd-rapid.pcap: rapid-commit Solicit and Reply with a delegated prefix"
	else nok "kea-dhcpcd-rapid.pcap content" "$(head -c 3000 "$tmp/o3")"; fi
else
	ok "real captures # SKIP ../shared/peers/pcaps not present"
fi

# 4. garbage gives a JSON error member, a stderr message and exit status 1
echo "45 00 00 14 de ad" | "$DEC" > "$tmp/o4" 2>"$tmp/e4"; rc=$?
if [ $rc -eq 1 ] && pycheck "$tmp/o4" 'len(p)==1 and "error" in p[0] and p[0]["error"]["layer"]=="outer_ipv4"' && grep -q 'truncated\|bad length' "$tmp/e4"; then
	ok "undecodable bytes: JSON error, message, exit 1"
else nok "undecodable bytes (rc=$rc)" "$(cat "$tmp/o4" "$tmp/e4")"; fi

# 5. bad checksum: a warning by default (offloaded checksums in local captures), an error with --strict
sed 's/8e 61/8e 62/' $V/packet-tv12-p1-ipv4-rs.hex > "$tmp/badsum.hex"
"$DEC" "$tmp/badsum.hex" > "$tmp/o5" 2>"$tmp/e5"; rc=$?
"$DEC" --strict "$tmp/badsum.hex" > "$tmp/o5s" 2>"$tmp/e5s"; rcs=$?
if [ $rc -eq 0 ] && pycheck "$tmp/o5" 'p[0]["warning"]["layer"]=="outer_ipv4" and p[0]["kind"]=="nd"' &&
   [ $rcs -eq 1 ] && pycheck "$tmp/o5s" 'p[0]["error"]["reason"]=="bad checksum" and p[0]["error"]["layer"]=="outer_ipv4"'; then
	ok "corrupted IPv4 header checksum: warning by default, error with --strict"
else nok "bad checksum (rc=$rc/$rcs)" "$(cat "$tmp/o5" "$tmp/e5" "$tmp/o5s" "$tmp/e5s")"; fi

# 6. malformed hex text: clear error, exit 2
echo "45 0" | "$DEC" > /dev/null 2>"$tmp/e6"; rc=$?
if [ $rc -eq 2 ] && grep -q 'odd number of hex digits' "$tmp/e6"; then ok "odd hex digits: error and exit 2"
else nok "odd hex digits (rc=$rc)" "$(cat "$tmp/e6")"; fi
echo "zz" | "$DEC" > /dev/null 2>"$tmp/e6b"; rc=$?
if [ $rc -eq 2 ] && grep -q "not hex" "$tmp/e6b"; then ok "non-hex text: error and exit 2"
else nok "non-hex text (rc=$rc)" "$(cat "$tmp/e6b")"; fi

# 7. truncated pcap record: error naming the position, exit 2, earlier packets still printed
mkpcap "$tmp/two.pcap" 101 "$tmp/tv12.bin" "$tmp/tv12.bin"
head -c $(( $(stat -c %s "$tmp/two.pcap") - 10 )) "$tmp/two.pcap" > "$tmp/cut.pcap"
"$DEC" "$tmp/cut.pcap" > "$tmp/o7" 2>"$tmp/e7"; rc=$?
if [ $rc -eq 2 ] && grep -q 'after packet 1' "$tmp/e7" && pycheck "$tmp/o7" 'len(p)==1'; then
	ok "truncated pcap record: position reported, exit 2"
else nok "truncated pcap (rc=$rc)" "$(cat "$tmp/o7" "$tmp/e7")"; fi

# 8. unsupported link type
mkpcap "$tmp/lt.pcap" 147 "$tmp/tv12.bin"
"$DEC" "$tmp/lt.pcap" > /dev/null 2>"$tmp/e8"; rc=$?
if [ $rc -eq 2 ] && grep -q 'unsupported link type 147' "$tmp/e8"; then ok "unsupported link type: error, exit 2"
else nok "unsupported link type (rc=$rc)" "$(cat "$tmp/e8")"; fi

# 9. --layer for message-level vectors
if "$DEC" --layer=dhcp6 $V/dhcp6-tv3-solicit.hex > "$tmp/o9" 2>"$tmp/e9" &&
   pycheck "$tmp/o9" 'p[0]["dhcp6"]["msg_type"]==1 and p[0]["dhcp6"]["transaction_id"]==0x5a1b2c'; then
	ok "--layer=dhcp6 decodes TV3 Solicit"
else nok "--layer=dhcp6" "$(cat "$tmp/o9" "$tmp/e9")"; fi

# 10. PIO bit 0x10: P by default, X with --pio-x
if "$DEC" --layer=icmpv6 $V/nd-tv7-ra-pio.hex > "$tmp/o10a" 2>&1 && "$DEC" --layer=icmpv6 --pio-x $V/nd-tv7-ra-pio.hex > "$tmp/o10b" 2>&1 &&
   grep -q '"p":true' "$tmp/o10a" && grep -q '"x":true' "$tmp/o10b" && ! grep -q '"x":true' "$tmp/o10a"; then
	ok "PIO bit 0x10 decoded as P by default and as X with --pio-x"
else nok "PIO mode" "$(cat "$tmp/o10a" "$tmp/o10b")"; fi

# 10b. hex packet separation: blank lines, 0000 offsets, --lines
tv=$(grep -v '^#' $V/packet-tv12-p1-ipv4-rs.hex | sed 's/^[0-9a-f]\{4\}  //' | tr -d '\n')
printf '%s\n\n# comment\n%s\n' "$tv" "$tv" | "$DEC" > "$tmp/o10c" 2>&1; rc1=$?
cat $V/packet-tv12-p1-ipv4-rs.hex $V/packet-p1-ipv6-ra.hex | "$DEC" > "$tmp/o10d" 2>&1; rc2=$?
printf '%s\n%s\n' "$tv" "$tv" | "$DEC" --lines > "$tmp/o10e" 2>&1; rc3=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ $rc3 -eq 0 ] && [ "$(wc -l < "$tmp/o10c")" -eq 2 ] &&
   [ "$(wc -l < "$tmp/o10d")" -eq 2 ] && [ "$(wc -l < "$tmp/o10e")" -eq 2 ]; then
	ok "hex input: packets split at blank lines, 0000 offsets and with --lines"
else nok "hex packet separation ($rc1 $rc2 $rc3)" "$(cat "$tmp/o10c" "$tmp/o10d" "$tmp/o10e")"; fi

# 11. usage errors
"$DEC" --bogus </dev/null >/dev/null 2>&1; rc1=$?
"$DEC" --help >/dev/null 2>&1; rc2=$?
"$DEC" /nonexistent/file >/dev/null 2>"$tmp/e11"; rc3=$?
if [ $rc1 -eq 2 ] && [ $rc2 -eq 0 ] && [ $rc3 -eq 2 ] && grep -q nonexistent "$tmp/e11"; then ok "usage errors and missing files"
else nok "usage errors ($rc1 $rc2 $rc3)"; fi

# 12. the front door and the main job's summary
if ./aero decode --summary tests/vectors/packet-*.hex > "$tmp/o12" 2>"$tmp/e12" && grep -q '^summary: .* 0 failed' "$tmp/e12"; then
	ok "./aero decode --summary over the bundled packets"
else nok "./aero decode --summary" "$(cat "$tmp/e12")"; fi

echo "1..$n"
[ $failed -eq 0 ]
