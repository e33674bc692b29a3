#!/bin/bash
# Interop of aerod with real DHCPv6 software, in network namespaces (root):
#  1. dhcpcd (a requesting router) on a downstream link of a Client in router
#     model obtains a sub-delegated prefix from the Client. The downstream
#     link is a TUN that aerod creates (--downstream tun:NAME): its packets
#     reach the core as tunnel-side packets of downstream link 1, and the
#     core's answers go back out of it; dhcpcd runs on that TUN.
#  2. A Server in DHCPv6 relay mode (--dhcp-relay, --dhcp-relay-src) obtains
#     the Client's prefix from Kea (kea-dhcp6-server) in another namespace:
#     Relay-forward from [relay-src]:547, Relay-reply back to it; aerod feeds
#     it to the core, which snoops the IA_PD and binds the Client.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/emu/lib.sh
need_netns "network namespaces, TUN"
T=aei$$; C=$T-c; S=$T-s; K=$T-k
W=$(mktemp -d /tmp/t_interop.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for ns in $C $S $K; do ip netns del $ns 2>/dev/null; done
	[ -n "${KEEP:-}" ] && echo "# kept $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # timeout/Ctrl-C: still clean up
for ns in $C $S $K; do ip netns add $ns || skip_all "cannot create namespaces"; ip -n $ns link set lo up
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
ip link add ${T}c0 netns $C type veth peer name ${T}s0 netns $S
ip link add ${T}s1 netns $S type veth peer name ${T}k0 netns $K
ip -n $C addr add 192.0.2.2/24 dev ${T}c0; ip -n $S addr add 192.0.2.1/24 dev ${T}s0
ip -n $C addr add 192.0.2.3/24 dev ${T}c0
ip -n $S addr add fd00:98::2/64 dev ${T}s1 nodad; ip -n $K addr add fd00:98::1/64 dev ${T}k0 nodad
for x in "$C ${T}c0" "$S ${T}s0" "$S ${T}s1" "$K ${T}k0"; do set -- $x; ip -n $1 link set $2 up; done

# ---- 1. dhcpcd on a downstream link of a router Client -------------------------
if ! command -v dhcpcd >/dev/null; then
	ok "dhcpcd obtains a sub-delegated prefix # SKIP dhcpcd (dhcpcd-base) is not installed"
else
	ip netns exec $S "$B/aerod" --role server --id 2 --locator 192.0.2.1 --pool 2001:db8:1000::/40,56 \
		--ctl "$W/s.sock" --log "$W/s.log" & pids+=($!)
	DS=${T}d1
	ip netns exec $C "$B/aerod" --role client --model router --locator 192.0.2.2 --prl 2@192.0.2.1 \
		--downstream tun:$DS --ctl "$W/c.sock" --log "$W/c.log" --events "$W/c.events" -v & pids+=($!)
	bound() { grep -q '"type":"prefix-delegated"' "$W/c.events"; }
	wait_for 10 bound && ok "router Client got its prefix" || nok "router Client got its prefix" "$(tail -5 "$W/c.log")"
	CP=$(grep -m1 '"type":"prefix-delegated"' "$W/c.events" | sed 's/.*"prefix":"\([^"]*\)".*/\1/')
	expect "aerod created the downstream TUN $DS with a link-local address" "inet6 fe80::" "$(ip -n $C -6 addr show dev $DS 2>&1)"
	mkdir -p "$W/dlib" "$W/drun" /var/lib/dhcpcd /run/dhcpcd  # mount points (bind-mounted in the netns only)
	# a TUN has no hardware address: give dhcpcd its DUID (DUID-LL) in its file
	echo "00:03:00:01:02:00:5e:10:00:01" > "$W/dlib/duid"
	cat > "$W/dhcpcd.conf" <<EOC
ipv6only
noipv6rs
nohook resolv.conf, hostname, ntp, timesyncd, chrony, openntpd, wpa_supplicant, timezone, yp
option rapid_commit
interface $DS
	ia_pd 1
EOC
	ip netns exec $C sh -c "mount --bind '$W/dlib' /var/lib/dhcpcd && mount --bind '$W/drun' /run/dhcpcd && exec dhcpcd -f '$W/dhcpcd.conf' -B -d -t 20 $DS" \
		>"$W/dhcpcd.log" 2>&1 & dpid=$!; pids+=($dpid)
	got() { grep -q "delegated prefix" "$W/dhcpcd.log"; }
	if wait_for 20 got; then
		sub=$(sed -n 's/.*delegated prefix \([0-9a-f:]*\/[0-9]*\).*/\1/p' "$W/dhcpcd.log" | head -1)
		echo "# Client prefix $CP, dhcpcd got $sub"
		ok "dhcpcd obtained a sub-delegated prefix from the router Client: $sub"
		inside=$(/usr/bin/python3 -c 'import ipaddress,sys; print(ipaddress.ip_network(sys.argv[1]).subnet_of(ipaddress.ip_network(sys.argv[2])))' "$sub" "$CP" 2>&1)
		[ "$inside" = True ] && ok "... inside the Client's delegated prefix $CP" || nok "sub-delegated prefix inside $CP ($inside)"
		# (dhcpcd, in the same namespace here, adds its own unreachable
		# route for the prefix with a lower metric: the core's route is
		# the one through the downstream TUN)
		expect "... and the Client routes it to dhcpcd's link ($DS)" "^$sub dev $DS" "$(ip -n $C -6 route)"
		expect "the Client counts the sub-delegation" '"client_subdeleg":[1-9]' "$("$B/aeroctl" -s "$W/c.sock" counters --json)"
	else
		nok "dhcpcd obtained a sub-delegated prefix" "$(tail -8 "$W/dhcpcd.log"; "$B/aeroctl" -s "$W/c.sock" counters | grep -E 'drop|ds|sub' | grep -v ': 0$')"
	fi
	kill $dpid 2>/dev/null; wait $dpid 2>/dev/null
	# rdisc6 (ndisc6) reads a real RA of the project: the router Client's RA
	# on its downstream link (RS into the TUN, the core answers). A Server's
	# RA travels inside the AERO underlay and is consumed by the Client's
	# core, never written to a TUN, so no ND tool can sit in front of it
	# (t_ns.sh decodes it from the capture with tshark instead).
	if command -v rdisc6 >/dev/null; then
		ra=$(ip netns exec $C timeout 10 rdisc6 -1 -r 3 -w 1500 $DS 2>&1)
		echo "$ra" | grep -E 'Prefix|from|Router lifetime' | sed 's/^/# rdisc6: /'
		rp=$(echo "$ra" | sed -n 's/^ *Prefix *: *\([0-9a-f:]*\/[0-9]*\).*/\1/p' | head -1)
		inside=$(/usr/bin/python3 -c 'import ipaddress,sys; print(ipaddress.ip_network(sys.argv[1]).subnet_of(ipaddress.ip_network(sys.argv[2])))' "${rp:-::/0}" "$CP" 2>&1)
		[ "$inside" = True ] && ok "rdisc6 reads the router Client's RA on its downstream link: prefix $rp inside $CP" \
			|| nok "rdisc6 reads the router Client's RA (prefix '${rp}')" "$ra"
	else
		ok "rdisc6 reads the router Client's RA # SKIP ndisc6 is not installed"
	fi
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; pids=()
fi

# ---- 2. a Server in DHCPv6 relay mode, Kea behind it -------------------------------
if ! command -v kea-dhcp6 >/dev/null; then
	ok "Kea delegates through a relay-mode Server # SKIP kea-dhcp6-server is not installed"
else
	mkdir -p "$W/kea"
	cat > "$W/kea/kea.json" <<EOC
{ "Dhcp6": {
  "interfaces-config": { "interfaces": [ "${T}k0/fd00:98::1" ] },
  "data-directory": "$W/kea", "server-id": { "type": "LL", "persist": false },
  "lease-database": { "type": "memfile", "persist": false },
  "renew-timer": 1000, "rebind-timer": 2000, "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "subnet6": [ { "id": 1, "subnet": "fd00:98::/64", "rapid-commit": true,
     "pd-pools": [ { "prefix": "2001:db8:2000::", "prefix-len": 40, "delegated-len": 56 } ] } ],
  "loggers": [ { "name": "kea-dhcp6", "severity": "INFO", "output_options": [ { "output": "stdout" } ] } ]
} }
EOC
	KEA_PIDFILE_DIR="$W/kea" KEA_LOCKFILE_DIR="$W/kea" ip netns exec $K kea-dhcp6 -c "$W/kea/kea.json" >"$W/kea.log" 2>&1 & pids+=($!)
	wait_for 10 grep -q DHCP6_STARTED "$W/kea.log" || nok "Kea started" "$(tail -5 "$W/kea.log")"
	ip netns exec $S "$B/aerod" --role server --id 2 --locator 192.0.2.1 --dhcp-relay fd00:98::1 \
		--dhcp-relay-src fd00:98::2 --ctl "$W/sr.sock" --log "$W/sr.log" --events "$W/sr.events" \
		--lease "$W/sr.lease" -v & pids+=($!)
	ip netns exec $C "$B/aerod" --role client --locator 192.0.2.3 --prl 2@192.0.2.1 --tun aero1 \
		--ctl "$W/c2.sock" --log "$W/c2.log" --events "$W/c2.events" & pids+=($!)
	bound2() { grep -q '"type":"prefix-delegated"' "$W/c2.events"; }
	if wait_for 15 bound2; then
		p=$(grep -m1 '"type":"prefix-delegated"' "$W/c2.events" | sed 's/.*"prefix":"\([^"]*\)".*/\1/')
		echo "# Client prefix from Kea: $p"
		expect "a relay-mode Server obtained the Client's prefix from Kea (2001:db8:2000::/40 pool)" "^2001:db8:20[0-9a-f]{2}:" "$p"
	else
		nok "Client got a prefix through the relay-mode Server" "$(tail -5 "$W/kea.log"; "$B/aeroctl" -s "$W/sr.sock" counters | grep -E 'relay|drop' | grep -v ': 0$')"
	fi
	expect "Kea logged the PD allocation" "DHCP6_PD_LEASE_ALLOC" "$(cat "$W/kea.log")"
	expect "aerod relayed both ways (host_relay_tx/rx)" '"host_relay_rx":[1-9]' "$("$B/aeroctl" -s "$W/sr.sock" counters --json)"
	expect "the Server snooped the Reply: binding, route in table 8060" "2001:db8:20" "$(ip -n $S -6 route show table 8060)"
	expect "the Client's TUN has an address from Kea's prefix" "inet6 2001:db8:20" "$(ip -n $C -6 addr show dev aero1)"
fi
finish
