#!/bin/bash
# TAP tests of the ns-3 host (sim-adapter/, `./aero sim`): small scenarios
# in tests/ns3/*.yaml run end to end, their results checked. Each run takes
# a few seconds of wall time (the quickstart about 20 s).
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${AERO_BUILD:-build}
SIM=$BUILD/aero-sim
n=0; failed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -z "${2:-}" ] || echo "$2" | sed 's/^/#   /' | head -20; }
if [ ! -x "$SIM" ]; then
	echo "not ok 1 - $SIM is not built"; echo "1..1"; exit 1
fi
run() { # $1 = name, $2 = scenario, rest = options; results in $tmp/$1
	local out
	out=$(AERO_BUILD=$BUILD ./aero sim "$2" --out "$tmp/$1" --quiet "${@:3}" 2>&1)
	local rc=$?
	echo "$out" >"$tmp/$1.txt"
	return $rc
}
# check NAME DESCRIPTION PYTHON: python gets s (summary.json), ev (events),
# fl (flows) and must print nothing and exit 0 when the check passes
check() {
	local name=$1 desc=$2 code=$3 out
	out=$(/usr/bin/python3 - "$tmp/$name" <<PY 2>&1
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
ev = [json.loads(l) for l in open(d + "/events.jsonl")]
fl = [json.loads(l) for l in open(d + "/flows.jsonl")]
def flow(k): return s["flows"][k]
def rx(k, after=0.0, node=None): return [f for f in fl if f["flow"] == k and f["dir"] == "rx" and f["t"] > after]
def fail(msg): print(msg); sys.exit(1)
$code
PY
)
	if [ $? -eq 0 ] && [ -z "$out" ]; then ok "$desc"; else nok "$desc" "$out"; fi
}

# ---- front door
out=$(./aero sim --help 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q -- '--seed'; then ok "aero sim --help exits 0 and documents --seed"; else nok "aero sim --help" "$out"; fi
AERO_BUILD=$BUILD ./aero sim >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "aero sim without a scenario is a usage error" || nok "aero sim without a scenario: status $rc, want 2"
AERO_BUILD=$BUILD ./aero sim tests/ns3/basic.yaml --seed x >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "aero sim --seed x is a usage error" || nok "aero sim --seed x: status $rc, want 2"
printf 'run: {name: x, duration: 1s}\nnodes: []\n' >"$tmp/bad.yaml"
AERO_BUILD=$BUILD ./aero sim "$tmp/bad.yaml" --out "$tmp/bad" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && ok "aero sim on an invalid scenario exits 1" || nok "aero sim on an invalid scenario: status $rc, want 1"

# ---- a Client obtains a prefix and a correspondent reaches it
if run basic tests/ns3/basic.yaml; then
	ok "basic scenario runs"
	missing=""
	for f in run.json scenario.json events.jsonl flows.jsonl counters.json summary.json \
	         pcap/c1-underlay.pcap pcap/c1-aero.pcap pcap/relay-aero.pcap pcap/cn-underlay.pcap; do
		[ -s "$tmp/basic/$f" ] || missing="$missing $f"
	done
	[ -z "$missing" ] && ok "results layout of analysis/RESULTS.md written" || nok "results files missing:$missing"
	check basic "run.json names the backend, seed and scenario hash" '
r = json.load(open(d + "/run.json"))
if r["backend"] != "ns-3" or not r["backend_version"].startswith("ns-3.37"): fail(r)
if r["seed"] != 7 or len(r["scenario_sha256"]) != 64: fail(r)'
	check basic "the Client obtains a prefix within 2 s" '
p = s["prefixes"][0]
if not p["prefix"] or not p["prefix"].startswith("2001:db8:1000:") or p["latency_s"] > 2: fail(p)'
	check basic "the correspondent reaches the Client across the overlay (PDR > 0.95, delay 30..40 ms)" '
f = flow(0)
if f["pdr"] < 0.95 or not 0.030 <= f["delay_mean_s"] <= 0.040: fail(f)'
	check basic "the Client reaches the correspondent and ping is answered" '
if flow(1)["pdr"] < 0.95 or flow(2)["pdr"] < 0.9: fail(s["flows"])
if not 0.063 <= flow(2)["rtt_mean_s"] <= 0.070: fail(flow(2))'
	check basic "the Relay learned the prefix by the iBGP model" '
c = json.load(open(d + "/counters.json"))
if s["control"]["ibgp_messages"] < 1: fail(s["control"])
if not any(e["type"] == "route-announce" and e["node"] == "s1" for e in ev): fail("no announce")'
else
	nok "basic scenario runs" "$(tail -5 "$tmp/basic.txt")"
fi

# ---- determinism: the same scenario and seed give the same bytes
if run basic2 tests/ns3/basic.yaml; then
	diffs=""
	for f in events.jsonl flows.jsonl counters.json pcap/*; do
		[ -e "$tmp/basic/$f" ] || continue
		cmp -s "$tmp/basic/$f" "$tmp/basic2/$f" || diffs="$diffs $f"
	done
	(cd "$tmp/basic" && ls pcap) >"$tmp/l1"; (cd "$tmp/basic2" && ls pcap) >"$tmp/l2"
	cmp -s "$tmp/l1" "$tmp/l2" || diffs="$diffs (pcap list)"
	[ -z "$diffs" ] && ok "same scenario and seed: byte-identical events, flows, counters and pcaps" \
		|| nok "determinism: these differ:$diffs"
else
	nok "determinism: second run failed"
fi
if run basic3 tests/ns3/basic.yaml --seed 99; then
	check basic3 "--seed overrides the scenario seed" '
r = json.load(open(d + "/run.json"))
if r["seed"] != 99: fail(r)'
else
	nok "--seed run failed"
fi

# ---- mobility: a Client moves between two access networks
if run move tests/ns3/move.yaml; then
	check move "after the move, traffic both ways resumes within 2 s" '
h = s["handovers"][0]
if h["event"] != "move" or h["interruption_s"] is None or h["interruption_s"] > 2: fail(h)
for k in (0, 1):
    if len(rx(k, after=12.0)) < 300: fail("flow %d: %d packets after the move" % (k, len(rx(k, after=12.0))))
if not any(e["type"] == "scenario" and e["name"] == "move" for e in ev): fail("no scenario move event")
if not any(e["type"] == "handover" and e["node"] == "m1" for e in ev): fail("no handover event from the core")'
else
	nok "move scenario runs" "$(tail -5 "$tmp/move.txt")"
fi

# ---- Server failover
if run failover tests/ns3/failover.yaml; then
	check failover "after its Server crashes the Client gets a prefix from the other Server and traffic resumes" '
p = [e for e in ev if e["type"] == "prefix-delegated" and e["node"] == "c1"]
if len(p) < 2 or not p[-1]["prefix"].startswith("2001:db8:2000:") or p[-1]["t"] <= 10: fail(p)
late = rx(0, after=p[-1]["t"] + 1)
if len(late) < 50: fail("%d packets after the new prefix" % len(late))'
else
	nok "failover scenario runs" "$(tail -5 "$tmp/failover.txt")"
fi

# ---- route optimisation takes the direct path
if run ro tests/ns3/route-opt.yaml; then
	check ro "route optimisation comes up and a -> b goes direct (40 ms, not 80 ms via the Server)" '
if s["route_optimisations"]["up"] < 1: fail(s["route_optimisations"])
late = [f["delay"] for f in rx(0, after=10.0)]
if len(late) < 500 or max(late) > 0.045: fail("late packets %d, max delay %s" % (len(late), max(late) if late else None))'
else
	nok "route-opt scenario runs" "$(tail -5 "$tmp/ro.txt")"
fi

# ---- P2 with ICVs
if run p2 tests/ns3/p2.yaml; then
	check p2 "P2 (SEAL, ICV) end to end: prefix, traffic both ways, no ICV drops" '
c = json.load(open(d + "/counters.json"))
if not s["prefixes"][0]["prefix"]: fail("no prefix")
if flow(0)["pdr"] < 0.95 or flow(1)["pdr"] < 0.95: fail(s["flows"])
if sum(v.get("drop_bad_icv", 0) + v.get("drop_not_p2", 0) for v in c.values()): fail("ICV drops")'
else
	nok "p2 scenario runs" "$(tail -5 "$tmp/p2.txt")"
fi

# ---- jitter on a wired link; a host behind a router Client's downstream link
if run jl tests/ns3/jitter-lan.yaml; then
	check jl "jitter: one-way delay spreads over 32 +- 4 ms (uniform per frame), mean about 32 ms" '
d = [f["delay"] for f in rx(0, after=4.0)]
if len(d) < 350: fail("%d packets" % len(d))
mean = sum(d) / len(d)
if not 0.0305 <= mean <= 0.0335 or max(d) - min(d) < 0.006: fail("mean %.4f min %.4f max %.4f" % (mean, min(d), max(d)))
if min(d) < 0.0279 or max(d) > 0.0365: fail("min %.4f max %.4f outside 28..36.5 ms" % (min(d), max(d)))'
	check jl "a host behind r1's downstream link gets an address in r1's prefix by the core's RA and answers cn's pings" '
h = s["lan_hosts"][0]
p = [e for e in ev if e["type"] == "prefix-delegated" and e["node"] == "r1"][0]["prefix"]
if h["node"] != "r1-lan1" or not h["address"] or h["address_at_s"] > 10: fail(h)
import ipaddress
net = ipaddress.ip_network(p)
if ipaddress.ip_address(h["address"]) not in net: fail("%s not in %s" % (h["address"], p))
if h["echo_rx"] < h["echo_tx"] - 2 or h["echo_rx"] < 5 or not 0.058 <= h["rtt_mean_s"] <= 0.072: fail(h)
c = json.load(open(d + "/counters.json"))
if c["r1"].get("client_ds_ra_tx", 0) < 1: fail("no downstream RA from the core")'
else
	nok "jitter-lan scenario runs" "$(tail -5 "$tmp/jl.txt")"
fi

# ---- the quickstart end to end, summary in expected ranges
if run qs scenarios/quickstart.yaml --snaplen 96; then
	check qs "quickstart: 4 prefixes < 2 s, UDP PDR > 0.98 at 30..45 ms, ping RTT 64..70 ms, TCP > 1 Mbit/s, handover < 2 s" '
if s["clients_with_prefix"] != 4 or s["prefix_latency_max_s"] > 2: fail(s["prefixes"])
f0, f1, f2 = flow(0), flow(1), flow(2)
if f0["pdr"] < 0.98 or not 0.030 <= f0["delay_mean_s"] <= 0.045: fail(f0)
if f1["pdr"] < 0.95 or not 0.063 <= f1["rtt_mean_s"] <= 0.070: fail(f1)
if f2["goodput_bps"] < 1e6: fail(f2)
h = s["handovers"][0]
if h["interruption_s"] is None or h["interruption_s"] > 2: fail(h)
if s["control"]["packets"] < 10: fail(s["control"])'
	check qs "quickstart: the hosts behind router1 and hybrid1 get addresses and cn reaches them" '
hs = {h["behind"]: h for h in s["lan_hosts"]}
for c in ("router1", "hybrid1"):
    h = hs.get(c)
    if not h or not h["address"] or h["echo_rx"] < 0.9 * (h["echo_tx"] - 2): fail(h)'
	grep -q 'aero-sim summary: quickstart' "$tmp/qs.txt" && grep -q 'PDR' "$tmp/qs.txt" \
		&& ok "quickstart prints a readable summary" || nok "quickstart summary text" "$(cat "$tmp/qs.txt")"
else
	nok "quickstart runs" "$(tail -5 "$tmp/qs.txt")"
fi

echo "1..$n"
[ $failed -eq 0 ]
