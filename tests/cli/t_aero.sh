#!/bin/bash
# TAP tests of the ./aero front door: sub-commands, help, exit codes.
set -uo pipefail
cd "$(dirname "$0")/../.."
n=0; failed=0
check() { # $1 = description, $2 = expected status, rest = command
	local want=$2 desc=$1 out rc
	shift 2
	out=$("$@" 2>&1 </dev/null); rc=$?
	n=$((n + 1))
	if [ "$rc" -eq "$want" ]; then echo "ok $n - $desc"
	else failed=$((failed + 1)); echo "not ok $n - $desc (status $rc, want $want)"; echo "$out" | sed 's/^/#   /' | head -5; fi
}
check "--help exits 0" 0 ./aero --help
check "no command is a usage error" 2 ./aero
check "unknown command is a usage error" 2 ./aero frobnicate
check "decode works through the front door" 0 ./aero decode tests/vectors/packet-tv12-p1-ipv4-rs.hex
check "decode of garbage is a rejected input" 1 ./aero decode --layer=dhcp6 tests/vectors/nd-tv6-rs.hex
check "sim --help works (the ns-3 backend exists; tests/ns3/t_sim.sh runs it)" 0 ./aero sim --help
check "emu without a scenario is a usage error" 2 ./aero emu
check "replay of a missing capture is a usage/file error" 2 ./aero replay --role server x.pcap
check "analyze of a missing folder is a usage/file error (tests/cli/t_analyze.sh runs it)" 2 ./aero analyze results/x
out=$(./aero --help 2>&1)
n=$((n + 1))
if echo "$out" | grep -q 'decode' && echo "$out" | grep -q 'check SCENARIO'; then echo "ok $n - help lists the sub-commands"
else failed=$((failed + 1)); echo "not ok $n - help lists the sub-commands"; fi
echo "1..$n"
[ $failed -eq 0 ]
