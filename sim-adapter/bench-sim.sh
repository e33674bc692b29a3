#!/bin/bash
# sim-adapter/bench-sim.sh -- `make bench-sim` (issue 6 benchmarks).
#
# For manet-50 and 100- and 200-Client variants (same area, range, Wi-Fi,
# OLSR, traffic; random-waypoint traces made by scenarios/mobility/gen-rwp.py
# in a temporary folder, seed = node count) it runs aero-sim twice: with AERO
# and with --plain (the same ns-3 network without AERO: the flows sent
# natively over the IPv4 MANET), and prints wall time, CPU time, events,
# events per second and peak RSS of both, and the AERO/plain ratios
# (goal <= 1.3). Captures are off in both runs (the cost of the model, not
# of writing pcaps). Then scale-1000 (wired, 1000 Clients on one segment).
#
# Environment: BENCH_DURATION (simulated seconds per MANET run, default 60),
# BENCH_SIZES (default "50 100 200"), BENCH_SCALE_DURATION (default 60;
# 0 skips scale-1000), AERO_BUILD (default build).
# Wall times on a shared machine are noisy: CPU time is the better measure.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${AERO_BUILD:-build}
SIM=$BUILD/aero-sim
D=${BENCH_DURATION:-60}
SIZES=${BENCH_SIZES:-50 100 200}
SD=${BENCH_SCALE_DURATION:-60}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
[ -x "$SIM" ] || { echo "bench-sim: $SIM is not built" >&2; exit 1; }

echo "# bench-sim: ns-3 $(pkg-config --modversion ns3-core 2>/dev/null || echo 3.37), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# MANET runs: ${D} s simulated each (manet-50's traffic starts at 30 s), captures off"

variant() { # $1 = clients -> $tmp/manet-$1.yaml
	local n=$1 f=$tmp/manet-$1.yaml
	if [ "$n" = 50 ]; then
		sed -e 's|file: mobility/manet-50.ns_movements|file: '"$PWD"'/scenarios/mobility/manet-50.ns_movements|' \
			scenarios/manet-50.yaml >"$f"
	else
		/usr/bin/python3 scenarios/mobility/gen-rwp.py --static 3 --mobile "$n" --area 1500 1000 \
			--speed 1 5 --pause 2 --duration $((D + 5)) --seed "$n" >"$tmp/manet-$n.ns_movements" || return 1
		sed -e "s|name: manet-50|name: manet-$n|" -e "s|count: 50|count: $n|" \
			-e "s|file: mobility/manet-50.ns_movements|file: manet-$n.ns_movements|" \
			scenarios/manet-50.yaml >"$f"
	fi
	printf 'capture: {underlay: false, aero: false}\n' >>"$f"
}

# one run; prints "wall cpu events rss_kb" from summary.json
one() { # $1 = out dir, rest = aero-sim arguments
	local out=$1; shift
	"$SIM" "$@" --out "$out" --quiet >"$out.txt" 2>&1 || { echo "FAIL"; return 1; }
	/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
print(s["wall_s"], s["cpu_s"], s["events"], s["peak_rss_kb"])' "$out"
}

printf '\n%-9s %5s | %8s %8s %10s %9s %7s | %8s %8s %10s %9s %7s | %6s %6s %6s\n' \
	scenario nodes "wall_s" "cpu_s" events "ev/s" "RSS_MB" "wall_s" "cpu_s" events "ev/s" "RSS_MB" \
	"wall×" "cpu×" "RSS×"
printf '%-9s %5s | %-50s | %-50s |\n' "" "" "AERO" "plain ns-3 (no AERO)"
for n in $SIZES; do
	variant "$n" || { echo "bench-sim: trace for $n failed" >&2; continue; }
	a=$(one "$tmp/a$n" "$tmp/manet-$n.yaml" --duration "$D")
	p=$(one "$tmp/p$n" "$tmp/manet-$n.yaml" --duration "$D" --plain)
	/usr/bin/python3 - "$n" "$a" "$p" <<'PY'
import sys
n, a, p = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
if len(a) < 4 or len(p) < 4:
    print("manet-%s: a run failed (%s / %s)" % (n, a, p)); sys.exit(0)
aw, ac, ae, ar = float(a[0]), float(a[1]), int(a[2]), int(a[3])
pw, pc, pe, pr = float(p[0]), float(p[1]), int(p[2]), int(p[3])
print("%-9s %5d | %8.1f %8.1f %10d %9.0f %7.0f | %8.1f %8.1f %10d %9.0f %7.0f | %6.2f %6.2f %6.2f" % (
    "manet-" + n, int(n) + 3, aw, ac, ae, ae / aw, ar / 1024, pw, pc, pe, pe / pw, pr / 1024,
    aw / pw, ac / pc, ar / pr))
PY
done

if [ "$SD" != 0 ]; then
	echo
	echo "# scale-1000 (wired: 4 Servers, 1000 Clients on one access segment, a Relay): ${SD} s simulated, captures off"
	sed -e 's|^traffic:|capture: {underlay: false, aero: false}\ntraffic:|' scenarios/scale-1000.yaml >"$tmp/scale-1000.yaml"
	r=$(one "$tmp/s1000" "$tmp/scale-1000.yaml" --duration "$SD")
	/usr/bin/python3 - "$tmp/s1000" "$r" <<'PY'
import json, sys
r = sys.argv[2].split()
if len(r) < 4:
    print("scale-1000: the run failed"); sys.exit(0)
s = json.load(open(sys.argv[1] + "/summary.json"))
w, c, e, rss = float(r[0]), float(r[1]), int(r[2]), int(r[3])
print("scale-1000: %.1f s wall, %.1f s CPU, %d events (%.0f/s), peak RSS %.0f MB" % (w, c, e, e / w, rss / 1024))
print("  %d of %d Clients got a prefix, latency mean %.2f s max %.2f s" % (
    s["clients_with_prefix"], s["clients"], s["prefix_latency_mean_s"], s["prefix_latency_max_s"]))
for f in s["flows"]:
    print("  flow %d %s %s -> %s: PDR %.3f" % (f["flow"], f["type"], f["from"], f["to"], f["pdr"]))
print("  control: %d packets, %d iBGP messages" % (s["control"]["packets"], s["control"]["ibgp_messages"]))
PY
fi
