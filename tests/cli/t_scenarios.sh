#!/bin/bash
# TAP: every shipped scenario passes ./aero check; JSON and positions export
# work through the front door; a broken manifest is rejected with file:line:col.
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

for f in scenarios/*.yaml; do
	if ./aero check "$f" > "$tmp/out" 2>&1; then ok "./aero check $f"
	else nok "./aero check $f" "$(cat "$tmp/out")"; fi
done
if ./aero json scenarios/quickstart.yaml > "$tmp/q.json" 2>"$tmp/e" &&
   "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if isinstance(d, dict) else 1)' "$tmp/q.json"; then
	ok "./aero json gives valid JSON"
else nok "./aero json" "$(head -c 500 "$tmp/q.json"; cat "$tmp/e")"; fi
if ./aero positions scenarios/manet-50.yaml --step 10 --until 20 > "$tmp/p.csv" 2>"$tmp/e" &&
   [ "$(head -1 "$tmp/p.csv")" = "t,node,x,y,z" ] && [ "$(wc -l < "$tmp/p.csv")" -eq $((1 + 3 * 53)) ]; then
	ok "./aero positions: header and 3 steps x 53 nodes"
else nok "./aero positions" "$(head -3 "$tmp/p.csv"; cat "$tmp/e")"; fi
sed 's/role: client, model: host, networks: \[isp1\]}/role: clinet, model: host, networks: [isp1]}/' scenarios/quickstart.yaml > "$tmp/bad.yaml"
./aero check "$tmp/bad.yaml" > /dev/null 2>"$tmp/e"; rc=$?
if [ $rc -eq 1 ] && grep -q "bad.yaml:22:25: node 'host1': unknown role 'clinet'" "$tmp/e"; then
	ok "a misspelt role is rejected with file:line:col and exit 1"
else nok "misspelt role (rc=$rc)" "$(cat "$tmp/e")"; fi
# CORE export: well-formed XML whose devices, links and ns2script map cover
# every node, and a movement file that reads back to the same trace.
if ./aero export-core scenarios/manet-50.yaml --out "$tmp/core" > /dev/null 2>"$tmp/e" &&
   "$PY" - "$tmp/core/manet-50.xml" <<'PYEOF' 2>>"$tmp/e"
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
dev = r.findall('devices/device'); links = r.findall('links/link')
mob = {c.get('model'): {x.get('name'): x.get('value') for x in c} for c in r.findall('mobility_configurations/mobility_configuration')}
ids = {d.get('id') for d in dev}
pairs = [p.split(':') for p in mob['ns2script']['map'].split(',')]
assert len(dev) == 53 and len(links) == 53, (len(dev), len(links))
assert [int(a) for a, b in pairs] == list(range(53)) and all(b in ids for a, b in pairs)
assert float(mob['basic_range']['range']) == 250.0, mob['basic_range']
PYEOF
then ok "./aero export-core: CORE XML with 53 devices, links and the ns2script map"
else nok "./aero export-core manet-50" "$(cat "$tmp/e")"; fi
sed "s#file: mobility/manet-50.ns_movements#file: $tmp/core/manet-50.ns_movements#" scenarios/manet-50.yaml > "$tmp/rt.yaml"
./aero ns2 scenarios/manet-50.yaml > "$tmp/a.ns2" 2>"$tmp/e"
if ./aero ns2 "$tmp/rt.yaml" > "$tmp/b.ns2" 2>>"$tmp/e" && [ -s "$tmp/a.ns2" ] &&
   cmp -s "$tmp/a.ns2" "$tmp/b.ns2" && cmp -s "$tmp/a.ns2" "$tmp/core/manet-50.ns_movements"; then
	ok "ns-2 output round trip: the exported trace reads back identical"
else nok "ns-2 round trip" "$(cat "$tmp/e")"; fi
if ./aero export-core scenarios/quickstart.yaml --out "$tmp/core" > /dev/null 2>"$tmp/e" &&
   ./aero json scenarios/quickstart.yaml > "$tmp/q.json" &&
   "$PY" - "$tmp/core/quickstart.xml" "$tmp/q.json" <<'PYEOF' 2>>"$tmp/e"
import sys, json, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot(); s = json.load(open(sys.argv[2]))
nets = r.findall('networks/network'); links = r.findall('links/link')
assert len(nets) == len(s['underlay']['networks'])
assert len(links) == sum(len(n['interfaces']) for n in s['nodes'])
addrs = {l.find('iface1').get('ip4') or l.find('iface1').get('ip6') for l in links}
assert addrs == {i['address'] for n in s['nodes'] for i in n['interfaces']}
assert r.find('mobility_configurations') is None
PYEOF
then ok "./aero export-core quickstart: one switch per network, one link per interface"
else nok "./aero export-core quickstart" "$(cat "$tmp/e")"; fi
# JSON round trip: manifest -> JSON -> a manifest rebuilt from the JSON alone
# (every node single, every default explicit) -> JSON: the same scenario.
for f in scenarios/*.yaml tests/scenarios/manifests/good-*.yaml; do
	if ./aero json "$f" > "$tmp/a.json" 2>"$tmp/e" &&
	   "$PY" tests/cli/scen_json2yaml.py "$tmp/a.json" > "$tmp/rt.yaml" 2>>"$tmp/e" &&
	   ./aero json "$tmp/rt.yaml" > "$tmp/b.json" 2>>"$tmp/e" &&
	   "$PY" - "$tmp/a.json" "$tmp/b.json" <<'PYEOF' 2>>"$tmp/e"
import json, os, sys
def norm(path):
    s = json.load(open(path))
    s['run'].pop('output')  # as written; output_path is the resolved one
    s['run']['output_path'] = os.path.abspath(s['run']['output_path'])
    s['mobility'].pop('file', None)
    if 'path' in s['mobility']:
        s['mobility']['path'] = os.path.abspath(s['mobility']['path'])
    for n in s['nodes']:  # groups are written out as single nodes
        n.pop('group'); n.pop('index')
    return s
a, b = norm(sys.argv[1]), norm(sys.argv[2])
bad = [k for k in a if a[k] != b.get(k)]
if bad:
    sys.exit('differs in %s: %s vs %s' % (bad, json.dumps(a[bad[0]])[:400], json.dumps(b[bad[0]])[:400]))
PYEOF
	then ok "JSON round trip: $f"
	else nok "JSON round trip: $f" "$(cat "$tmp/e")"; fi
done
echo "1..$n"
[ $failed -eq 0 ]
