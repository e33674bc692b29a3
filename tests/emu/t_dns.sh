#!/bin/bash
# The Client's PRL by name (no --prl): aerod asks a real DNS server
# (dnsmasq, Debian dnsmasq-base) for linkupnetworks.<domain> and solicits
# the Servers it names; bad answers are counted and dropped. Loopback only,
# dnsmasq on a private port; no TUN, no netlink.
cd "$(dirname "$0")/../.."
. tests/emu/lib.sh
[ -x "$B/aerod" ] && [ -x "$B/aeroctl" ] || { echo "not ok 1 - $B/aerod and aeroctl are built"; echo "1..1"; exit 1; }
command -v dnsmasq >/dev/null || PATH=$PATH:/usr/sbin
command -v dnsmasq >/dev/null || skip_all "dnsmasq (dnsmasq-base) not installed"
W=$(mktemp -d /tmp/t_dns.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 143' TERM INT
P=$(( 36000 + ($$ % 4000) * 2 ))   # AERO ports P (Server), P+1 (Client)
D=$(( 44000 + ($$ % 4000) ))       # DNS port
NAME=linkupnetworks.aero.test

check "bad --dns: configuration error, exit 1" 1 "$B/aerod" --role client --locator 127.0.0.1:$((P + 1)) \
	--prl-name $NAME --dns not-an-address --tun none --no-netlink --ctl "$W/x.sock"
expect "... says what a DNS server looks like" "bad DNS server" "$out"

# 1. a DNS server that answers garbage: counted, no Server, the Client asks again
/usr/bin/python3 - "$D" > "$W/fake.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
print('ready', flush=True)
while True:
    q, a = s.recvfrom(4096)
    s.sendto(b'\x00\x01\x02', a)                      # truncated header
    r = bytearray(q); r[2] |= 0x80; r[7] = 1          # QR, ANCOUNT 1
    r += b'\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x05\x7f\x00\x00\x01\x00'  # A, RDLENGTH 5
    s.sendto(bytes(r), a)
    print('query', len(q), flush=True)
PY
pids+=($!)
wait_for 5 grep -q ready "$W/fake.log"
"$B/aerod" --role server --id 1 --locator 127.0.0.1:$P --pool 2001:db8:1000::/40,56 \
	--tun none --no-netlink --ctl "$W/s.sock" --log "$W/s.log" &
pids+=($!)
"$B/aerod" --role client --locator 127.0.0.1:$((P + 1)) --port $P --prl-name $NAME --dns 127.0.0.1:$D \
	--tun none --no-netlink --ctl "$W/c.sock" --events "$W/c.events" --log "$W/c.log" &
cpid=$!; pids+=($cpid)
cnt() { "$B/aeroctl" -s "$W/c.sock" counters --json 2>/dev/null | grep -o "\"$1\":[0-9]*" | cut -d: -f2; }
twobad() { [ "$(cnt host_dns_bad)" -ge 2 ]; }
if wait_for 10 twobad; then ok "garbage answers counted (host_dns_bad $(cnt host_dns_bad))"; else nok "garbage answers counted (host_dns_bad '$(cnt host_dns_bad)')" "$(tail -5 "$W/c.log")"; fi
again() { [ "$(cnt host_dns_tx)" -ge 2 ]; }
wait_for 15 again && ok "... the Client asked again ($(cnt host_dns_tx) queries)" || nok "the Client asked again ($(cnt host_dns_tx))"
kill -0 $cpid 2>/dev/null && ok "... and is still running" || nok "client survived garbage answers"
grep -q prefix-delegated "$W/c.events" && nok "no prefix without a Server" || ok "no prefix without a Server"
kill "$cpid"; wait "$cpid" 2>/dev/null
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null

# 2. dnsmasq names the Server: the Client finds it and gets a prefix
dnsmasq -k --no-resolv --no-hosts --listen-address=127.0.0.1 --bind-interfaces --port=$D \
	--user="$(id -un)" --pid-file="$W/dnsmasq.pid" --log-queries --log-facility="$W/dnsmasq.log" \
	--host-record=$NAME,127.0.0.1 &
pids+=($!)
wait_for 5 grep -q "started" "$W/dnsmasq.log" || sleep 1
"$B/aerod" --role client --locator 127.0.0.1:$((P + 1)) --port $P --prl-name $NAME --dns 127.0.0.1:$D \
	--tun none --no-netlink --ctl "$W/c2.sock" --events "$W/c2.events" --log "$W/c2.log" -v &
c2=$!; pids+=($c2)
bound() { "$B/aeroctl" -s "$W/c2.sock" show --json | grep -q '"prefix":"2001:db8:1000::/56"'; }
if wait_for 10 bound; then ok "Client found its Server through dnsmasq and got a prefix"; else nok "prefix through the DNS-named Server" "$(tail -8 "$W/c2.log")"; fi
expect "dnsmasq answered the A query for $NAME" "query\[A\] $NAME from 127.0.0.1" "$(cat "$W/dnsmasq.log")"
expect "... the Client logged the Server it found" "DNS: $NAME -> 1 Server" "$(cat "$W/c2.log")"
rx() { "$B/aeroctl" -s "$W/c2.sock" counters --json | grep -o '"host_dns_rx":[0-9]*' | cut -d: -f2; }
[ "$(rx)" -ge 1 ] && ok "host_dns_rx counts the answer ($(rx))" || nok "host_dns_rx ($(rx))"
kill -TERM $c2; wait $c2; rc=$?
[ $rc -eq 0 ] && ok "client exits 0 on SIGTERM" || nok "client exits 0 on SIGTERM ($rc)"
finish
