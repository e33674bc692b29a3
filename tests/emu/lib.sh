# tests/emu/lib.sh: TAP helpers shared by the emulation tests (sourced).
n=0; failed=0
B=${AERO_BUILD:-build}
case "$B" in /*) ;; *) B="$PWD/$B";; esac
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/#   /' | head -15; return 0; }
check() { # $1 desc, $2 expected status, rest: command (output in $out)
	local desc=$1 want=$2 rc
	shift 2
	out=$("$@" 2>&1 </dev/null); rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$desc"; else nok "$desc (status $rc, want $want)" "$out"; fi
}
expect() { # $1 desc, $2 pattern (grep -E), $3 text
	if echo "$3" | grep -qE -- "$2"; then ok "$1"; else nok "$1 (no /$2/)" "$3"; fi
}
wait_for() { # $1 timeout s (wall clock), rest: command; polls every 0.1 s
	local end=$(( $(date +%s%N) + $1 * 1000000000 )); shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s%N)" -lt $end ] || return 1
		sleep 0.1
	done
}
todo() { # $1 desc, $2 reason: a known failure of code outside emu/ (TAP TODO: not counted)
	n=$((n + 1)); echo "not ok $n - $1 # TODO $2"; }
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
need_netns() { # $1: what root is needed for; root, a TUN device and aerod, or skip/fail
	[ "$(id -u)" = 0 ] || skip_all "needs root ($1)"
	[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
	[ -x "$B/aerod" ] || { echo "not ok 1 - $B/aerod is built"; echo "1..1"; exit 1; }
}
need_mininet() { # root, Mininet, a running Open vSwitch and no other emulation run, or skip
	[ "$(id -u)" = 0 ] || skip_all "needs root (Mininet)"
	/usr/bin/python3 -c 'import mininet' 2>/dev/null || skip_all "mininet (python3) is not installed"
	command -v ovs-vsctl >/dev/null || skip_all "openvswitch-switch is not installed"
	if ! ovs-vsctl --timeout=3 show >/dev/null 2>&1; then
		/usr/share/openvswitch/scripts/ovs-ctl start >/dev/null 2>&1
		ovs-vsctl --timeout=3 show >/dev/null 2>&1 || skip_all "Open vSwitch cannot start"
	fi
	if ovs-vsctl list-br | grep -q '^aesw'; then skip_all "another emulation run holds the aesw bridges"; fi
}
finish() { echo "1..$n"; [ $failed -eq 0 ]; }
