/*
 * emu/aerod/dhcprelay.c -- a Server in DHCPv6 relay mode (cfg.dhcp_relay):
 * the host side of the relay agent of the core (role_server.c).
 *
 * The core emits each Relay-forward as an inner IPv6/UDP packet on the
 * tunnel side, from cfg.dhcp_relay_src:547 to cfg.dhcp_server:547. aerod
 * takes it off the tunnel path and sends its UDP payload from a socket bound
 * to [dhcp_relay_src]:547 (the kernel routes it to the DHCPv6 server, e.g.
 * Kea); the server's Relay-reply arrives on the same socket, and aerod wraps
 * the datagram again as IPv6/UDP (server -> relay_src, checksum computed) and
 * hands it to aero_node_recv() as a tunnel-side packet. No forwarding or
 * source-address tricks in the kernel are needed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aerod.h"

#define DHCP6_PORT 547

static int relay_fd = -1;

int
dhcprelay_open(struct aerod *d, GError **err)
{
	if (d->cfg.role != AERO_ROLE_SERVER || !d->cfg.dhcp_relay)
		return 0;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno), "relay socket: %s",
		            g_strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof one);
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(DHCP6_PORT)};
	memcpy(&sa.sin6_addr, d->cfg.dhcp_relay_src.b, 16);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		char a[64];
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "cannot bind the DHCPv6 relay socket to [%s]:547: %s",
		            aero_in6_format(&d->cfg.dhcp_relay_src, a, sizeof a), g_strerror(errno));
		close(fd);
		return -1;
	}
	relay_fd = fd;
	g_unix_fd_add(fd, G_IO_IN, dhcprelay_readable, d);
	return 0;
}

void
dhcprelay_close(void)
{
	if (relay_fd >= 0)
		close(relay_fd);
	relay_fd = -1;
}

static uint16_t
csum6(const uint8_t *src, const uint8_t *dst, const uint8_t *l4, size_t len)
{
	uint32_t s = 0;
	for (int i = 0; i < 16; i += 2)
		s += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + 17;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(l4[i] << 8 | l4[i + 1]);
	if (len & 1)
		s += (uint32_t)l4[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	uint16_t c = (uint16_t)~s;
	return c ? c : 0xffff;
}

gboolean
dhcprelay_readable(gint fd, GIOCondition c, gpointer user)
{
	(void)c;
	struct aerod *d = user;
	uint8_t pkt[40 + 8 + 4096];
	for (int i = 0; i < 16; i++) {
		struct sockaddr_in6 from;
		socklen_t fl = sizeof from;
		ssize_t k = recvfrom(fd, pkt + 48, sizeof pkt - 48, 0, (struct sockaddr *)&from, &fl);
		if (k < 0)
			break;
		size_t ul = (size_t)k + 8;
		memset(pkt, 0, 48);
		pkt[0] = 0x60;
		pkt[4] = (uint8_t)(ul >> 8);
		pkt[5] = (uint8_t)ul;
		pkt[6] = 17;
		pkt[7] = 64;
		memcpy(pkt + 8, &from.sin6_addr, 16);
		memcpy(pkt + 24, d->cfg.dhcp_relay_src.b, 16);
		uint8_t *u = pkt + 40;
		u[0] = (uint8_t)(ntohs(from.sin6_port) >> 8);
		u[1] = (uint8_t)ntohs(from.sin6_port);
		u[2] = DHCP6_PORT >> 8;
		u[3] = DHCP6_PORT & 0xff;
		u[4] = (uint8_t)(ul >> 8);
		u[5] = (uint8_t)ul;
		uint16_t cs = csum6(pkt + 8, pkt + 24, u, ul);
		u[6] = (uint8_t)(cs >> 8);
		u[7] = (uint8_t)cs;
		d->host_cnt[HC_RELAY_RX]++;
		struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL, .ifindex = 0};
		aero_node_recv(d->node, &pi, pkt, 40 + ul, aerod_now());
		aerod_run_core(d);
	}
	return G_SOURCE_CONTINUE;
}

bool
dhcprelay_take(struct aerod *d, const uint8_t *p, size_t len)
{
	if (relay_fd < 0 || len < 48 || (p[0] >> 4) != 6 || p[6] != 17 ||
	    memcmp(p + 8, d->cfg.dhcp_relay_src.b, 16) != 0 ||
	    memcmp(p + 24, d->cfg.dhcp_server.ip, 16) != 0 ||
	    (p[42] << 8 | p[43]) != DHCP6_PORT)
		return false;
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(DHCP6_PORT)};
	memcpy(&to.sin6_addr, p + 24, 16);
	if (sendto(relay_fd, p + 48, len - 48, 0, (struct sockaddr *)&to, sizeof to) < 0) {
		g_warning("relay-forward to the DHCPv6 server: %s", g_strerror(errno));
		d->host_cnt[HC_UDP_TX_ERR]++;
	} else {
		d->host_cnt[HC_RELAY_TX]++;
	}
	return true;
}
