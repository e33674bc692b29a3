#!/bin/bash
# run-cases.sh [--update] [NAME...]: run the replay regression cases of
# tests/replay/cases.txt through aero-replay.
#   check (default): TAP lines; each case must reproduce its canonical text
#     (golden/NAME.txt) and its output pcap (golden/NAME.pcap) exactly, and a
#     second run must give byte-identical pcap, events and counters.
#   --update: rewrite golden/NAME.{txt,pcap} (make golden-update); review
#     the diff like code.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${AERO_BUILD:-build}
REPLAY="$BUILD/aero-replay"
D=tests/replay
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
only=" $* "
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0; failed=0
[ -x "$REPLAY" ] || { echo "not ok - $REPLAY is not built"; exit 1; }
mkdir -p $D/golden

while read -r name input opts; do
	case "$name" in ''|'#'*) continue;; esac
	[ "$only" = "  " ] || [[ "$only" == *" $name "* ]] || continue
	n=$((n + 1))
	o=$tmp/$name
	mkdir -p "$o/a" "$o/b"
	# shellcheck disable=SC2086
	run() { "$REPLAY" $opts --name node --canon "$1/canon.txt" --pcap-out "$1/out.pcap" \
		--events "$1/events.jsonl" --counters "$1/counters.json" "$D/pcaps/$input" 2>"$1/stderr"; }
	if ! run "$o/a"; then
		failed=$((failed + 1))
		echo "not ok - replay case $name: aero-replay failed"; sed 's/^/#   /' "$o/a/stderr"
		continue
	fi
	if [ $update = 1 ]; then
		cp "$o/a/canon.txt" "$D/golden/$name.txt"
		cp "$o/a/out.pcap" "$D/golden/$name.pcap"
		echo "ok - replay case $name: golden files written ($(grep -c '^>' "$o/a/canon.txt") packets out)"
		continue
	fi
	run "$o/b"
	why=""
	if [ ! -e "$D/golden/$name.txt" ]; then why="no golden file $D/golden/$name.txt (make golden-update)"
	elif ! diff -u "$D/golden/$name.txt" "$o/a/canon.txt" > "$o/diff"; then why="canonical text differs from golden/$name.txt"
	elif ! cmp -s "$D/golden/$name.pcap" "$o/a/out.pcap"; then why="output pcap differs from golden/$name.pcap"
	else
		for f in out.pcap events.jsonl counters.json canon.txt; do
			cmp -s "$o/a/$f" "$o/b/$f" || why="$why second run: $f not byte-identical;"
		done
	fi
	if [ -z "$why" ]; then
		echo "ok - replay case $name ($input: $(grep -c '^<' "$o/a/canon.txt") in, $(grep -c '^>' "$o/a/canon.txt") out, $(grep -c '^!' "$o/a/canon.txt") events)"
	else
		failed=$((failed + 1))
		echo "not ok - replay case $name: $why"
		[ -s "$o/diff" ] && head -40 "$o/diff" | cut -c1-300 | sed 's/^/#   /'
	fi
done < $D/cases.txt
[ $n -gt 0 ] || { echo "not ok - no replay case matched"; exit 1; }
[ $failed -eq 0 ]
