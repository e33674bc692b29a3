#!/bin/bash
# aerod without privileges: configuration errors, the control socket
# protocol, and a Server and a Client on loopback (--tun none --no-netlink)
# that delegate a prefix, release it, and restore a lease after kill -9.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/emu/lib.sh
[ -x "$B/aerod" ] && [ -x "$B/aeroctl" ] || { echo "not ok 1 - $B/aerod and aeroctl are built"; echo "1..1"; exit 1; }
W=$(mktemp -d /tmp/t_aerod.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$W"; }
trap cleanup EXIT
Q=scenarios/quickstart.yaml

check "no arguments: configuration error, exit 1" 1 "$B/aerod"
expect "... says what is missing" "--scenario FILE --node NAME, or --role" "$out"
check "unknown role: exit 1" 1 "$B/aerod" --role king --locator 127.0.0.1
check "server without a pool: exit 1" 1 "$B/aerod" --role server --locator 127.0.0.1 --id 1
expect "... names the missing pool" "prefix pool" "$out"
check "server without an ID: exit 1" 1 "$B/aerod" --role server --locator 127.0.0.1 --pool 2001:db8::/40,56
check "bad locator: exit 1" 1 "$B/aerod" --role client --locator nowhere --prl 1@127.0.0.1
check "bad PRL entry: exit 1" 1 "$B/aerod" --role client --locator 127.0.0.1 --prl 127.0.0.1
check "bad pool: exit 1" 1 "$B/aerod" --role server --id 1 --locator 127.0.0.1 --pool 2001:db8::/40
check "unknown option: exit 1" 1 "$B/aerod" --frobnicate
check "--underlay=pcap is refused plainly" 1 "$B/aerod" --underlay pcap --role relay --id 1 --locator 127.0.0.1
expect "... as not implemented yet" "not implemented" "$out"
check "scenario correspondent is not an AERO node" 1 "$B/aerod" --scenario $Q --node cn
expect "... said plainly" "correspondent, not an AERO node" "$out"
check "scenario unknown node" 1 "$B/aerod" --scenario $Q --node nosuch
check "scenario missing file" 1 "$B/aerod" --scenario /nonexistent.yaml --node s1
check "missing downstream device: exit 1" 1 "$B/aerod" --role client --model router --locator 127.0.0.1 \
	--prl 1@127.0.0.1 --downstream aeroX-nosuch --tun none --no-netlink --ctl "$W/x.sock"
expect "... names the device" "aeroX-nosuch does not exist" "$out"
check "--check of scenario server s1" 0 "$B/aerod" --scenario $Q --node s1 --check
expect "... pool, locator, relay from the scenario" "pool 2001:db8:1000::/40,56" "$out"
expect "... relay is node 1 at its first address" "relay 1@10.0.0.1:8060" "$out"
check "--check of client mobile1" 0 "$B/aerod" --scenario $Q --node mobile1 --check
expect "... PRL lists both Servers" "prl 2@10.0.0.2:8060" "$out"
check "--check of relay lists the BGP next hops" 0 "$B/aerod" --scenario $Q --node relay --check
expect "... native6 of s1 on core" "peer fd00::1:0:0:a00:2=2@10.0.0.2:8060" "$out"

# ---- a live Server and Client on loopback --------------------------------------
P=$(( 30000 + ($$ % 5000) * 2 ))
start_server() {
	"$B/aerod" --role server --id 1 --locator 127.0.0.1:$P --pool 2001:db8:1000::/40,56 \
		--tun none --no-netlink --ctl "$W/s.sock" --lease "$W/s.lease" \
		--events "$W/s.events" --log "$W/s.log" -v &
	spid=$!; pids+=($spid)
}
start_server
"$B/aerod" --role client --locator 127.0.0.1:$((P + 1)) --prl 1@127.0.0.1:$P --tun none \
	--no-netlink --ctl "$W/c.sock" --events "$W/c.events" --log "$W/c.log" &
cpid=$!; pids+=($cpid)
if wait_for 5 "$B/aeroctl" -s "$W/s.sock" ping; then ok "server answers ping on its control socket"; else nok "server answers ping"; fi
bound() { "$B/aeroctl" -s "$W/c.sock" show --json | grep -q '"prefix":"2001:db8:1000::/56"'; }
if wait_for 10 bound; then ok "client got a prefix (seen through aeroctl)"; else nok "client got a prefix" "$(tail -5 "$W/c.log")"; fi
check "aeroctl show state (text)" 0 "$B/aeroctl" -s "$W/c.sock" show state
expect "... role and locator" "role: client" "$out"
check "aeroctl show bindings on the server" 0 "$B/aeroctl" -s "$W/s.sock" show bindings
expect "... lists the binding" "2001:db8:1000::/56 state bound" "$out"
check "aeroctl show neighbors" 0 "$B/aeroctl" -s "$W/s.sock" show neighbors
check "aeroctl show routes" 0 "$B/aeroctl" -s "$W/s.sock" show routes
check "aeroctl show ro" 0 "$B/aeroctl" -s "$W/s.sock" show ro
check "aeroctl counters --json" 0 "$B/aeroctl" -s "$W/s.sock" counters --json
expect "... srv_delegations is 1" '"srv_delegations":1[,}]' "$out"
expect "... host counters are there" '"host_udp_rx":[1-9]' "$out"
check "aeroctl log debug" 0 "$B/aeroctl" -s "$W/s.sock" log debug
check "aeroctl log bogus is refused" 1 "$B/aeroctl" -s "$W/s.sock" log bogus
check "aeroctl show nosuchsection" 1 "$B/aeroctl" -s "$W/s.sock" show nosuchsection
check "aeroctl without a daemon: exit 3" 3 "$B/aeroctl" -s "$W/none.sock" ping
check "aeroctl usage error: exit 2" 2 "$B/aeroctl" -s "$W/s.sock" frobnicate
out=$(printf 'frobnicate\n' | timeout 2 /usr/bin/python3 -c '
import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"frobnicate\n"); print(s.recv(4096).decode())' "$W/s.sock")
expect "raw protocol: unknown command gives a JSON error" '^\{"error":' "$out"
expect "lease file holds the binding" "^2001:db8:1000::/56 " "$(cat "$W/s.lease")"
expect "events.jsonl has prefix-delegated" '"type":"prefix-delegated","prefix":"2001:db8:1000::/56"' "$(cat "$W/c.events")"

# kill -9 of the Server and a restart: the binding comes back from the lease file
kill -9 $spid; wait $spid 2>/dev/null
start_server
if wait_for 5 grep -q "1 bindings restored" "$W/s.log"; then ok "kill -9 + restart: binding restored from the lease file"; else nok "binding restored" "$(tail -5 "$W/s.log")"; fi
expect "... and still in the lease file" "^2001:db8:1000::/56 " "$(cat "$W/s.lease")"

# SIGTERM of the Client: Release, the Server frees the binding
kill -TERM $cpid
wait_for 5 grep -q '"name":"released"' "$W/s.events"
wait $cpid; rc=$?
if [ $rc -eq 0 ]; then ok "client exits 0 on SIGTERM"; else nok "client exits 0 on SIGTERM (status $rc)"; fi
expect "client sent a Release (prefix-lost released)" '"type":"prefix-lost".*"name":"released"' "$(cat "$W/c.events")"
if [ "$(grep -c '"name":"released"' "$W/s.events")" -gt 0 ]; then
	if wait_for 3 test ! -s "$W/s.lease"; then ok "the released binding left the lease file"; else nok "released binding left the lease file" "$(cat "$W/s.lease")"; fi
else
	# the restarted Server's core has no binding (no import API yet):
	# the Release finds nothing to release
	ok "the released binding left the lease file # SKIP the core has no binding import API yet"
fi
finish
