#!/bin/bash
# run-tests.sh PROG... : run every test program and script, print their TAP
# output and finish with one line "N passed, N failed[, N skipped]".
#   build/tests/test_x   a GTest binary, run with --tap
#   tests/cli/t_x.sh     a script printing TAP
#   fuzz:NAME            libFuzzer target NAME run once over its seed corpus
# Every program and script runs under a time limit (TEST_TIMEOUT seconds,
# default 600): a hung test fails instead of hanging the whole run.
set -uo pipefail
cd "$(dirname "$0")/.."
export AERO_TESTS_DIR="$PWD/tests"
export AERO_BUILD="${AERO_BUILD:-build}"
FUZZ_BUILD="${FUZZ_BUILD:-build/fuzz}"
TEST_TIMEOUT="${TEST_TIMEOUT:-600}"
# timeout signals the test's whole process group (TERM, then KILL 20 s
# later), so scripts run their cleanup traps and their daemons stop too
limit() { timeout --kill-after=20 "$TEST_TIMEOUT" "$@"; }
timed_out() { # $1 = name, $2 = exit code
	if [ "$2" -eq 124 ] || [ "$2" -eq 137 ]; then
		echo "not ok - $1 timed out after $TEST_TIMEOUT s" | tee -a "$out"
	fi
}
pass=0; fail=0; skip=0
failed_names=()

count() { # $1 = name, $2 = file with TAP output, $3 = exit code
	local p f s
	p=$(grep -cE '^ok ' "$2" | head -1); s=$(grep -cE '^ok .*# (SKIP|skip)' "$2" | head -1)
	# TAP: "not ok ... # TODO" is a known, reported failure, not counted
	f=$(grep -E '^not ok ' "$2" | grep -cvE '# (TODO|todo)' | head -1)
	p=$((p - s))
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok - $1 exited with status $3"; fi
	if [ $((p + f + s)) -eq 0 ]; then f=1; echo "not ok - $1 ran no test"; fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	[ "$f" -gt 0 ] && failed_names+=("$1")
	return 0
}

out=$(mktemp); trap 'rm -f "$out"' EXIT
for t in "$@"; do
	echo "# ---- $t"
	case "$t" in
	fuzz:*)
		name=${t#fuzz:}
		seeds=("$FUZZ_BUILD/seeds/$name"/*)
		if [ ! -e "${seeds[0]}" ]; then
			echo "not ok 1 - fuzz target $name has no seed corpus" | tee "$out"; rc=0
		elif "$FUZZ_BUILD/$name" "${seeds[@]}" >"$out.log" 2>&1; then
			echo "ok 1 - fuzz target $name over ${#seeds[@]} seed inputs" | tee "$out"; rc=0
		else
			tail -30 "$out.log"
			echo "not ok 1 - fuzz target $name crashed on its seed corpus" | tee "$out"; rc=0
		fi
		rm -f "$out.log";;
	*.sh)
		limit bash "$t" 2>&1 | tee "$out"; rc=${PIPESTATUS[0]}; timed_out "$t" "$rc";;
	*)
		if [ ! -x "$t" ]; then echo "not ok - $t missing" | tee "$out"; rc=1
		else limit "$t" --tap 2>&1 | tee "$out"; rc=${PIPESTATUS[0]}; timed_out "$t" "$rc"; fi;;
	esac
	count "$t" "$out" "$rc"
done

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "# failed: ${failed_names[*]}"
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
