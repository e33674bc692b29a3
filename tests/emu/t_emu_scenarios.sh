#!/bin/bash
# The other shipped wired scenarios through ./aero emu, time-scaled (root,
# OVS userspace): route-opt (IPv6 underlay, Clients on two networks, one of
# them without a Server: the locator must be on the Server's; a router-model
# Client as the destination: its address is on the downstream link, /64
# number 0 is black-holed) and p2-secure (SEAL, lossy access network of
# Clients only). For each: every Client delegated, every flow delivered (p2-secure with TAP AERO interfaces),
# the impairment measured on every network (between locators: Clients have
# no native IPv6 address). Each of these failed once while the quickstart
# passed. Last, the quickstart with --fastpath (the Clients' kernel data
# path).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/emu/lib.sh
need_mininet
O=$(mktemp -d /tmp/t_emu_sc.XXXXXX)
trap 'rm -rf "$O"' EXIT

run_scenario() { # $1 scenario name, $2 time scale, $3 minimum delivery ratio, $4... runner options
	local sc=$1 scale=$2 min=$3 out rc res
	shift 3
	out=$(timeout 240 ./aero emu "scenarios/$sc.yaml" --out "$O/$sc" --time-scale "$scale" --calib-count 30 \
		--progress 60 --nd-reachable-ms 2000 "$@" 2>&1); rc=$?
	out_all=$out
	echo "$out" | sed -n '/==== summary/,$p' | sed 's/^/# /'
	[ $rc -eq 0 ] && ok "$sc: ./aero emu exits 0" || { nok "$sc: ./aero emu exits 0 (status $rc)" "$(echo "$out" | tail -8)"; return; }
	res=$(/usr/bin/python3 - "$O/$sc" "$min" <<'PY'
import json, sys
d, mn = sys.argv[1], float(sys.argv[2])
s = json.load(open(d + "/summary.json"))
sc = json.load(open(d + "/scenario.json"))
clients = [n["name"] for n in sc["nodes"] if n["role"] == "client"]
got = [c for c in clients if c in s.get("prefixes_delegated", {})]
print("prefixes", len(got), len(clients))
bad = []
for k, f in sorted(s["flows"].items()):
    if f.get("type") == "tcp_bulk":  # no ratio: some throughput
        r = f.get("throughput_mbit")
        if not r:
            bad.append(f"{k}:tcp_bulk:{f.get('from')}->{f.get('to')}={r}")
        continue
    r = f.get("delivery_ratio")
    if r is None or r < mn:
        bad.append(f"{k}:{f.get('type')}:{f.get('from')}->{f.get('to')}={r}")
print("flows", len(s["flows"]), "bad", " ".join(bad) or "-")
unmeasured = [n for n, r in s["impairment"].items() if r.get("observed_delay_ms") is None]
print("impair", len(s["impairment"]), "unmeasured", " ".join(unmeasured) or "-")
PY
)
	echo "$res" | sed 's/^/# /'
	set -- $(echo "$res" | awk '$1 == "prefixes" {print $2, $3}')
	[ "${1:-0}" -gt 0 ] && [ "${1:-0}" = "${2:-x}" ] && ok "$sc: every Client got a prefix ($1/$2)" || nok "$sc: prefixes ${1:-0}/${2:-?}"
	local fl; fl=$(echo "$res" | awk '$1 == "flows"')
	echo "$fl" | grep -q "bad -$" && [ "$(echo "$fl" | awk '{print $2}')" -gt 0 ] &&
		ok "$sc: every flow delivered >= $min" || nok "$sc: flows below $min: $fl"
	local im; im=$(echo "$res" | awk '$1 == "impair"')
	echo "$im" | grep -q "unmeasured -$" && ok "$sc: impairment measured on every network" || nok "$sc: impairment not measured: $im"
}

# route-opt: the ping of a router-model Client (b) and its flows; the
# measured delivery is 0.99-1.0
run_scenario route-opt 0.25 0.9
# p2-secure: 0.5 % loss on the access network, both ways for the flow
# between the two Clients; every AERO interface a TAP (--tap), and the
# layout of large networks (kernel access bridges of --access-group hosts
# on the OVS bridge) forced on the small ones
run_scenario p2-secure 0.25 0.9 --tap --access-threshold 2 --access-group 2
expect "p2-secure: hosts on kernel access bridges (the large-network layout)" "kernel access bridge" "$out_all"
# quickstart with the Clients' data path in the kernel (--fastpath): every
# flow as through aerod, every Client's data carried by the kernel (its
# aerod reads no data from the TUN), the impairment still applied (the
# kernel path goes through netfilter POSTROUTING), and TCP not throttled by
# the link delay (aero-impair's release mode)
run_scenario quickstart 0.2 0.85 --fastpath --nd-reachable-ms 1000
res=$(/usr/bin/python3 - "$O/quickstart" <<'PY'
import json, sys
d = sys.argv[1]
c = json.load(open(d + "/counters.json"))
s = json.load(open(d + "/summary.json"))
sc = json.load(open(d + "/scenario.json"))
srcs = {f["from"] for f in sc["traffic"]} & {n["name"] for n in sc["nodes"] if n["role"] == "client"}
for n in sorted(srcs):
    print("client", n, c[n].get("host_fp_tx_packets", 0), c[n].get("host_tun_rx", 0))
tcp = [f.get("throughput_mbit") or 0 for f in s["flows"].values() if f.get("type") == "tcp_bulk"]
print("tcp", min(tcp) if tcp else 0)
PY
)
echo "$res" | sed 's/^/# /'
bad=$(echo "$res" | awk '$1 == "client" && ($3 < 50 || $4 > 20)')
[ -n "$(echo "$res" | awk '$1 == "client"')" ] && [ -z "$bad" ] &&
	ok "quickstart --fastpath: every sending Client's data carried by the kernel (host_fp_tx_packets, host_tun_rx)" ||
	nok "quickstart --fastpath: data through the kernel" "$res"
awk -v t="$(echo "$res" | awk '$1 == "tcp" {print $2}')" 'BEGIN{exit !(t >= 10)}' &&
	ok "quickstart --fastpath: TCP over the 10+2+20 ms path at $(echo "$res" | awk '$1 == "tcp" {print $2}') Mbit/s (>= 10: not throttled by the held link delay)" ||
	nok "quickstart --fastpath: TCP throughput ($res)"
finish
