#!/bin/bash
# An emulation run interrupted in the middle (Ctrl-C = SIGINT, and SIGTERM)
# tears down exactly what it made: no aesw bridge, no host namespace, veth or
# process of the run left, exit status 1 and the "interrupted" message. The
# runner is started in the background of this script, which is how a script
# or a CI job starts it and where SIGINT arrives ignored by inheritance (the
# runner must install its own handler). A second run started meanwhile is
# refused and leaves the first alone. Root, OVS userspace.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/emu/lib.sh
need_mininet
O=$(mktemp -d /tmp/t_emu_int.XXXXXX)
trap 'rm -rf "$O"' EXIT

interrupt() { # $1 signal name
	local sig=$1 r="$O/$1" pid rc
	./aero emu scenarios/route-opt.yaml --out "$r" --time-scale 0.5 --calib-count 10 --no-capture >"$O/$sig.log" 2>&1 &
	pid=$!
	# ./aero execs the runner: $! is the Python process itself
	if ! wait_for 120 grep -q "running .* s of scenario time" "$O/$sig.log"; then
		nok "$sig: the run started" "$(tail -5 "$O/$sig.log")"
		kill -TERM $pid 2>/dev/null; wait $pid
		return
	fi
	sleep 3 # aerods, BIRD, tcpdump, traffic: everything is up
	if [ "$sig" = INT ]; then # a second run meanwhile is refused, and touches nothing
		local o2 rc2
		o2=$(timeout 60 ./aero emu scenarios/route-opt.yaml --out "$O/second" --time-scale 0.5 2>&1); rc2=$?
		[ $rc2 -eq 3 ] && echo "$o2" | grep -q "another emulation run" && [ "$(ovs-vsctl list-br | grep -c '^aesw')" -gt 0 ] &&
			ok "a second run while one is going: refused (exit 3), the first one's bridges untouched" ||
			nok "second run: status $rc2" "$o2"
	fi
	local before_p
	before_p=$(pgrep -f -- "$r" | wc -l)
	kill -s "$sig" $pid
	local t0=$(date +%s)
	wait $pid; rc=$?
	local dt=$(( $(date +%s) - t0 ))
	[ $rc -eq 1 ] && grep -q "interrupted; tearing down" "$O/$sig.log" &&
		ok "$sig: the run stops with status 1 and says it tears down (${dt} s)" ||
		nok "$sig: status $rc, want 1 and the message" "$(tail -5 "$O/$sig.log")"
	local left_br left_p left_if left_h
	left_br=$(ovs-vsctl list-br | grep -c '^aesw')
	left_p=$(pgrep -f -- "$r" | wc -l)
	left_if=$(ip -o link show | grep -cE ' (aesw[0-9]+|aeab[0-9]+g[0-9]+)-eth[0-9]+[@:]')
	left_h=$(pgrep -f 'mininet:ae[0-9]+$' | wc -l) # the hosts' shells (their namespaces)
	[ "$before_p" -gt 0 ] && [ "$left_br" = 0 ] && [ "$left_p" = 0 ] && [ "$left_if" = 0 ] && [ "$left_h" = 0 ] &&
		ok "$sig: everything torn down ($before_p processes of the run before, none after; no bridge, veth or host)" ||
		nok "$sig: teardown ($before_p processes before; left: $left_br bridges, $left_p processes, $left_if veths, $left_h hosts)"
}

interrupt INT
interrupt TERM
finish
