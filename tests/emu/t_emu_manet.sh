#!/bin/bash
# The MANET emulation (scenarios/emu-manet.yaml, 60 s, root, OVS userspace):
# six nodes on one shared bridge, radio reachability/delay/loss per neighbour
# from the ns-2 trace (aero-impair tables), babeld for multi-hop routes,
# dnsmasq for the PRL name. Checks: prefixes (one over two radio hops), the
# radio follows the positions (a neighbour in range delivers, one out of
# range does not: link-local pings inside the run), m changes from sa to sb
# as it drives out of range, positions.csv, and teardown.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/emu/lib.sh
need_mininet
O=$(mktemp -d /tmp/t_emu_manet.XXXXXX)
R=$O/r
trap 'kill $EMU 2>/dev/null; wait $EMU 2>/dev/null; rm -rf "$O"' EXIT
timeout 200 ./aero emu scenarios/emu-manet.yaml --out "$R" --calib-count 50 --progress 30 >"$O/out" 2>&1 &
EMU=$!

# run time = the last realised position sample (flushed at every tick)
run_t() { tail -n 1 "$R/positions.csv" 2>/dev/null | cut -d, -f1 | grep -E '^[0-9.]+$' || echo -1; }
wait_run_t() { # $1 run time, $2 wall-clock limit (s)
	local end=$((SECONDS + $2))
	while kill -0 $EMU 2>/dev/null && [ $SECONDS -lt $end ]; do
		awk -v a="$(run_t)" -v b="$1" 'BEGIN{exit !(a >= b)}' && return 0
		sleep 0.2
	done
	return 1
}
pid_of() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["pid"])' "$R/logs/hosts.json" "$1"; }
llping() { # $1 from node, $2 link-local of the neighbour: number of replies of 5
	nsenter -t "$(pid_of "$1")" -n ping -6 -n -q -c 5 -i 0.2 -W 1 "$2%ae5-eth0" 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}
# trace nodes: sa 0, sb 1, a1 2, a2 3, b1 4, m 5 (link-local fe80::index+1); m is ae5
# at run time T: m reaches the neighbour `near` (link-local) and not `far`
radio_check() { # T near near-desc far far-desc
	if wait_run_t "$1" 120; then
		local in out t
		in=$(llping m "$2"); out=$(llping m "$4"); t=$(run_t)
		[ "${in:-0}" -ge 3 ] && ok "t=$t s: m -> $3 delivers ($in/5)" || nok "m -> $3: ${in:-none}/5"
		[ "${out:-9}" = 0 ] && ok "t=$t s: m -> $5 delivers nothing" || nok "m -> $5: ${out:-none}/5"
	else
		nok "the run reached t = $1 s" "$(tail -5 "$O/out")"
	fi
}
radio_check 5 fe80::3 "a1 (50 m, in range)" fe80::5 "b1 (750 m, out of range)"
radio_check 44 fe80::5 "b1 (100 m after the drive)" fe80::3 "a1 (800 m)"
wait $EMU; rc=$?
out=$(cat "$O/out")
echo "$out" | sed -n '/==== summary/,$p' | sed 's/^/# /'
[ $rc -eq 0 ] && ok "./aero emu emu-manet exits 0" || nok "./aero emu emu-manet exits 0 (status $rc)" "$out"
expect "all four Clients got a prefix" "prefixes delegated: 4/4" "$out"
res=$(/usr/bin/python3 - "$R" <<'PY'
import csv, json, sys
d = sys.argv[1]
ev = [json.loads(l) for l in open(d + "/events.jsonl")]
dl = [(e["t"], e.get("loc", "")) for e in ev if e["node"] == "m" and e["type"] == "prefix-delegated"]
print("m_servers", ",".join(l.split(":")[0] for t, l in dl) or "-")
print("m_change_t", next((round(t, 1) for t, l in dl if l.startswith("10.0.0.2")), "-"))
a2 = [e for e in ev if e["node"] == "a2" and e["type"] == "prefix-delegated"]
print("a2_prefix", 1 if a2 else 0)
rows = list(csv.DictReader(open(d + "/positions.csv")))
print("pos_nodes", len({r["node"] for r in rows}))
mx = [(float(r["t"]), float(r["x"])) for r in rows if r["node"] == "m"]
print("m_x_30", next((round(x) for t, x in mx if t >= 30), -1))
links = list(csv.DictReader(open(d + "/manet/links.csv")))
def has(a, b, lo, hi):
    ts = [r for r in links if lo <= float(r["t"]) < hi and {r["a"], r["b"]} == {a, b}]
    return len(ts)
print("a1m_early", has("a1", "m", 0, 19), "a1m_late", has("a1", "m", 45, 99))
print("b1m_early", has("b1", "m", 0, 19), "b1m_late", has("b1", "m", 45, 99))
print("a2sa_ever", has("a2", "sa", 0, 99))
s = json.load(open(d + "/summary.json"))
print("routing", s["manet"]["routing"].split()[0])
print("setup_s", s["setup_s"])
q = set()
import glob, re
for f in glob.glob(d + "/dns/dnsmasq*.log"):
    q |= set(re.findall(r"query\[A\] linkupnetworks\.aero\.test from ([\d.]+)", open(f).read()))
print("dns_clients", len(q & {"10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"}))
PY
)
echo "$res" | sed 's/^/# /'
v() { echo "$res" | awk -v k="$1" '{for (i = 1; i < NF; i += 2) if ($i == k) print $(i + 1)}'; }
[ "$(v m_servers)" = "10.0.0.1,10.0.0.2" ] && ok "m: prefix from sa, then from sb after driving out of sa's reach (at t=$(v m_change_t) s)" || nok "m's Servers: $(v m_servers)"
if [ "$(v routing)" = babeld ]; then
	[ "$(v a2_prefix)" = 1 ] && [ "$(v a2sa_ever)" = 0 ] && ok "a2 (300 m from sa, out of range) got its prefix over two radio hops (babeld)" || nok "a2 multi-hop ($(v a2_prefix), a2-sa links $(v a2sa_ever))"
else
	todo "a2 over two radio hops" "babeld is not installed: single hop only"
fi
[ "$(v pos_nodes)" = 6 ] && [ "$(v m_x_30)" -ge 450 ] && [ "$(v m_x_30)" -le 600 ] && ok "positions.csv: 6 nodes, m at x=$(v m_x_30) m at t=30 s (trace: 500)" || nok "positions.csv ($(v pos_nodes) nodes, m x=$(v m_x_30) at 30 s)"
[ "$(v a1m_early)" -gt 0 ] && [ "$(v a1m_late)" = 0 ] && [ "$(v b1m_early)" = 0 ] && [ "$(v b1m_late)" -gt 0 ] && ok "radio links follow the positions (m-a1 before the drive only, m-b1 after only)" || nok "links.csv: a1-m $(v a1m_early)/$(v a1m_late), b1-m $(v b1m_early)/$(v b1m_late)"
[ "$(v dns_clients)" = 4 ] && ok "all four Clients asked dnsmasq for linkupnetworks.aero.test" || nok "DNS queries from $(v dns_clients) Clients"
left_br=$(ovs-vsctl list-br | grep -c '^aesw')
left_p=$(pgrep -f -- "$R" | wc -l)
[ "$left_br" = 0 ] && [ "$left_p" = 0 ] && ok "everything torn down (no aesw bridge, no process of the run left)" || nok "teardown ($left_br bridges, $left_p processes)"
finish
