#!/bin/bash
# TAP tests of ./aero analyze and ./aero sweep (analysis/): the metrics of a
# committed ns-3 results fixture (tests/analysis/fixtures/ns3-move, a run of
# tests/ns3/move.yaml with its pcaps cut to the control packets) against
# hand-computed values, a two-folder comparison that must flag exactly the
# metric that was changed, missing files, and a tiny sweep with CIs.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${AERO_BUILD:-build}
export AERO_BUILD=$BUILD
PY=/usr/bin/python3
FX=tests/analysis/fixtures/ns3-move
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -z "${2:-}" ] || echo "$2" | sed 's/^/#   /' | head -20; }
skip() { n=$((n + 1)); echo "ok $n # skip $1"; }
# pycheck DESC DIR CODE: CODE gets s = DIR/summary.json and prints nothing when it passes
pycheck() {
	local out
	out=$($PY - "$2" <<PY 2>&1
import json, sys, csv, os
d = sys.argv[1]
s = json.load(open(os.path.join(d, "summary.json")))
def near(a, b, eps=1e-6):
    assert a is not None and abs(a - b) <= eps, "%r != %r" % (a, b)
$3
PY
)
	if [ $? -eq 0 ] && [ -z "$out" ]; then ok "$1"; else nok "$1" "$out"; fi
}
have_mpl=0; $PY -c 'import matplotlib' 2>/dev/null && have_mpl=1
have_tshark=0; command -v tshark >/dev/null && command -v tcpdump >/dev/null && have_tshark=1

# 1. one folder: the numbers of the fixture (computed by hand from its files:
# events.jsonl m1 solicit at 0.001, prefix-delegated at 0.198621372; flows.jsonl
# 840 sent per flow, 835 and 839 received; flow 0 mean delay 0.035406375;
# around the move at 10 s flow 0 receives at 9.982026272 then 10.09811328)
./aero analyze $FX --out "$tmp/one" >"$tmp/one.txt" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q 'prefix delegation: 1 of 1 clients' "$tmp/one.txt" && ok "analyze of the fixture runs and reports" || nok "analyze of the fixture (status $rc)" "$(cat "$tmp/one.txt")"
pycheck "prefix delegation latency: first Solicit to prefix-delegated" "$tmp/one" '
near(s["prefix_delegation"]["per_client"]["m1"], 0.198621372 - 0.001)
assert s["prefix_delegation"]["clients_with_prefix"] == 1'
pycheck "delivery ratio and one-way delay per flow" "$tmp/one" '
f = s["flows"]
assert (f["0"]["tx"], f["0"]["rx"], f["1"]["tx"], f["1"]["rx"]) == (840, 835, 840, 839), f
near(f["0"]["pdr"], 835 / 840); near(f["1"]["pdr"], 839 / 840)
near(f["0"]["delay_mean_s"], 0.035406375, 1e-8)'
pycheck "handover interruption: longest reception gap around the move" "$tmp/one" '
h = s["handovers"]
assert h["moves"] == 1 and h["core_handover_events"] == 1
near(h["interruption_max_s"], 10.09811328 - 9.982026272)
rows = {r["flow"]: r for r in csv.DictReader(open(os.path.join(d, "handovers.csv")))}
near(float(rows["1"]["longest_gap_s"]), 0.06205776); near(float(rows["1"]["first_gap_s"]), 0.025)'
out=$(cd analysis && $PY -c '
import aero_metrics as am
ev = [{"type": "scenario", "name": "move", "node": "m", "from": "a", "to": "b", "t": 10.0}]
fl = [{"dir": "rx", "flow": 0, "t": t} for t in (9.0, 9.5, 10.0 + am.HO_WINDOW_S + 2, 18.0)]
m, rows = am.handovers(ev, fl, [{"from": "m", "to": "cn"}])
r = rows[0]
assert abs(r["first_gap_s"] - (am.HO_WINDOW_S + 2.5)) < 1e-9, r
assert abs(r["longest_gap_s"] - (am.HO_WINDOW_S + 2.5)) < 1e-9, r
' 2>&1)
[ -z "$out" ] && ok "handover: first reception later than the window still measured (no crash)" || nok "handover beyond the window" "$out"
pycheck "server bindings over time" "$tmp/one" '
assert s["bindings"]["max"] == {"s1": 1} and s["bindings"]["final"] == {"s1": 1}
rows = list(csv.DictReader(open(os.path.join(d, "bindings.csv"))))
assert [r["event"] for r in rows] == ["bound", "moved", "renewed"], rows'
pycheck "1 s bins: flow 0 sent 40 packets in [10, 11) s, received 38 of them" "$tmp/one" '
rows = [r for r in csv.DictReader(open(os.path.join(d, "flow_bins.csv"))) if r["flow"] == "0" and float(r["t"]) == 10.0]
assert len(rows) == 1 and (rows[0]["tx"], rows[0]["rx"]) == ("40", "38"), rows'
if [ $have_tshark = 1 ]; then
	pycheck "control overhead from the pcaps: 10 packets, 901 bytes, by type" "$tmp/one" '
c = s["control"]
assert c["source"] == "pcap", c["source"]
assert (c["packets"], c["bytes"]) == (10, 901), (c["packets"], c["bytes"])
bt = {k: v["packets"] for k, v in c["by_type"].items()}
assert bt == {"ICMPv6 RS": 3, "ICMPv6 RA": 3, "DHCPv6 Reply": 2, "DHCPv6 Renew": 1, "DHCPv6 Solicit": 1}, bt'
else
	skip "tshark/tcpdump not installed: pcap overhead"
fi
./aero analyze --no-pcap --no-plots $FX --out "$tmp/nopcap" >/dev/null 2>&1
pycheck "control overhead from counters.json (--no-pcap)" "$tmp/nopcap" '
c = s["control"]
assert c["source"] == "counters" and c["counters_packets"] == 10 and c["counters_bytes"] == 901, c
assert c["by_type"]["ICMPv6 RS"]["packets"] == 3'
if [ $have_mpl = 1 ]; then
	bad=""
	for f in delivery latency_cdf overhead bindings; do
		[ "$(head -c 4 "$tmp/one/$f.png" 2>/dev/null | od -An -c | tr -d ' ')" = "211PNG" ] || bad="$bad $f.png"
	done
	[ -z "$bad" ] && ok "PNG plots written" || nok "PNG plots missing:$bad"
else
	skip "matplotlib not installed: no plots"
fi

# 2. two folders: B = the fixture with flow 1 delayed by 10 ms more
# (35.4 -> 45.4 ms, +28 %): exactly flow 1's delay metrics are flagged
cp -r $FX "$tmp/B"
$PY - "$tmp/B/flows.jsonl" <<'PY'
import json, sys
p = sys.argv[1]
out = []
for l in open(p):
    d = json.loads(l)
    if d["flow"] == 1 and d["dir"] == "rx":
        d["delay"] += 0.010
        d["t"] += 0.010
    out.append(json.dumps(d))
open(p, "w").write("\n".join(out) + "\n")
PY
./aero analyze $FX "$tmp/B" --out "$tmp/cmp" >"$tmp/cmp.txt" 2>&1; rc=$?
pycheck "comparison flags exactly the changed metric (flow 1 delay)" "$tmp/cmp" '
assert sorted(s["exceeding"]) == ["flow1.delay_mean_s", "flow1.delay_median_s", "flow1.delay_p95_s"], s["exceeding"]
m = {r["metric"]: r for r in s["metrics"]}
near(m["flow1.delay_mean_s"]["diff"], 0.010, 1e-7)
assert m["flow0.delay_mean_s"]["exceeds"] is False and m["flow1.pdr"]["diff"] == 0'
[ $rc -eq 0 ] && grep -q 'beyond tolerance: flow1.delay_mean_s, flow1.delay_median_s, flow1.delay_p95_s' "$tmp/cmp.txt" && [ -s "$tmp/cmp/report.md" ] \
	&& ok "comparison text report and report.md" || nok "comparison report (status $rc)" "$(tail -5 "$tmp/cmp.txt")"
./aero analyze --no-plots $FX $FX --out "$tmp/same" >/dev/null 2>&1
pycheck "a folder compared with itself: nothing flagged" "$tmp/same" '
assert s["exceeding"] == [], s["exceeding"]'
./aero analyze --no-plots --tol latency=0.5 $FX "$tmp/B" --out "$tmp/tol" >/dev/null 2>&1
pycheck "--tol latency=0.5: the +28 % no longer flagged" "$tmp/tol" '
assert s["exceeding"] == [], s["exceeding"]'

# 3. missing files: a clear note, the rest still computed; exit codes
cp -r $FX "$tmp/nofl"; rm "$tmp/nofl/flows.jsonl" "$tmp/nofl/counters.json"; rm -r "$tmp/nofl/pcap"
./aero analyze --no-plots "$tmp/nofl" >"$tmp/nofl.txt" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q 'flows.jsonl missing' "$tmp/nofl.txt" && grep -q 'pcap/ missing' "$tmp/nofl.txt" \
	&& ok "missing flows.jsonl, counters.json, pcap/: noted, exit 0" || nok "missing files (status $rc)" "$(cat "$tmp/nofl.txt")"
pycheck "missing files: prefix delegation and bindings still computed" "$tmp/nofl/analysis" '
near(s["prefix_delegation"]["per_client"]["m1"], 0.197621372)
assert "flows" not in s and s["bindings"]["max"] == {"s1": 1}'
mkdir "$tmp/empty"
./aero analyze "$tmp/empty" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q 'not a results folder' "$tmp/err" && ok "a folder without results: exit 1" || nok "empty folder (status $rc)" "$(cat "$tmp/err")"
./aero analyze "$tmp/nonexistent" >/dev/null 2>&1; [ $? -eq 2 ] && ok "a missing folder: exit 2" || nok "missing folder exit"
./aero analyze >/dev/null 2>&1; [ $? -eq 2 ] && ok "no folder: usage, exit 2" || nok "no folder exit"
./aero analyze --help >/dev/null 2>&1; [ $? -eq 0 ] && ok "analyze --help" || nok "analyze --help"

# 4. a tiny sweep: 2 loss values x 2 seeds of tests/ns3/basic.yaml, -j 2
if [ -x "$BUILD/aero-sim" ] && [ -x "$BUILD/aero-scenario" ]; then
	./aero sweep tests/ns3/basic.yaml --set underlay.networks.access.loss=0,5% --seeds 2 -j 2 \
		--out "$tmp/sw" >"$tmp/sw.txt" 2>&1; rc=$?
	[ $rc -eq 0 ] && [ -s "$tmp/sw/analysis/aggregate.csv" ] && ok "sweep: 4 runs and the aggregate" || nok "sweep (status $rc)" "$(tail -15 "$tmp/sw.txt")"
	pycheck "sweep aggregate: mean and 95 % CI per combination match the runs" "$tmp/sw/analysis" '
import math, glob
rows = [r for r in s["aggregate"] if r["metric"] == "flow0.pdr"]
assert [r["underlay.networks.access.loss"] for r in rows] == [0, 0.05] and all(r["n"] == 2 for r in rows), rows
for r, tag in zip(rows, ("loss=0-", "loss=0.05-")):
    v = [json.load(open(p))["flows"][0]["pdr"] for p in sorted(glob.glob(d + "/../runs/*%sseed*/summary.json" % tag))]
    assert len(v) == 2, v
    mean = sum(v) / 2
    hw = 12.706 * abs(v[0] - v[1]) / math.sqrt(2) / math.sqrt(2)
    # summary.json rounds the PDR of each run; the t factor (12.706) magnifies
    # that rounding in the half-width
    near(r["mean"], mean, 1e-5); near(r["ci95"], hw, 1e-4)
assert rows[1]["mean"] < rows[0]["mean"], "5 % loss should deliver less"'
	if [ $have_mpl = 1 ]; then [ -s "$tmp/sw/analysis/sweep.png" ] && ok "sweep plot with error bars" || nok "sweep.png missing"; fi
	./aero sweep tests/ns3/basic.yaml --set link.timers.keepalive_time=5s,10s --seeds 3 -j 2 --scheduler slurm --dry-run \
		--out "$tmp/sl" >/dev/null 2>&1; rc=$?
	[ $rc -eq 0 ] && grep -q '^#SBATCH --array=0-5%2$' "$tmp/sl/slurm-array.sh" && [ "$(wc -l <"$tmp/sl/runs.txt")" -eq 6 ] \
		&& ok "Slurm job array script (--dry-run)" || nok "slurm script (status $rc)" "$(cat "$tmp/sl/slurm-array.sh" 2>&1)"
	./aero sweep tests/ns3/basic.yaml --set no.such.key=1 --out "$tmp/bad" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "no key 'no'" "$tmp/err" && ok "sweep: unknown key is a usage error" || nok "sweep bad key (status $rc)" "$(cat "$tmp/err")"
else
	skip "$BUILD/aero-sim not built: sweep"
fi
echo "1..$n"
[ $failed -eq 0 ]
