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
echo "1..$n"
[ $failed -eq 0 ]
