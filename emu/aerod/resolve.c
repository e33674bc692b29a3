/*
 * emu/aerod/resolve.c -- the host side of the Client's PRL name lookup.
 *
 * The core asks for a name with AERO_EV_NAME_QUERY (a Client without a
 * configured PRL asks for cfg.prl_name, "linkupnetworks.<domain>") and
 * retries with the RFC 7559 back-off itself. aerod answers each query
 * with one DNS question (A for an IPv4 underlay, AAAA for IPv6) sent over
 * UDP to the server of --dns (default: the first "nameserver" line of
 * /etc/resolv.conf), decodes the response with the core's DNS codec
 * (core/src/wire/dns.c) and hands the addresses back with
 * aero_node_name_answer as Servers at the AERO port (--port, or the
 * scenario's link port). Only the answer to the latest question counts:
 * a retry replaces the ID, late or foreign datagrams are counted and
 * dropped. No answer at all is the core's business (it asks again).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aerod.h"
#include "aero/wire_dns.h"

static struct {
	struct sockaddr_storage srv;
	socklen_t srv_len;
	bool have_srv;
	int fd;
	guint watch;
	bool pending;
	uint16_t id, qtype;
	char name[AERO_NAME_MAX + 1];
} R = {.fd = -1};

/* "ADDR", "ADDR:PORT" (IPv4) or "[ADDR6]:PORT" -> R.srv. */
static int
parse_server(const char *s, GError **err)
{
	struct aero_loc l;
	if (aero_loc_parse(&l, s, AERO_DNS_PORT) != 0 || l.port == 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "bad DNS server '%s' (expected ADDR, ADDR:PORT or [ADDR6]:PORT)", s);
		return -1;
	}
	memset(&R.srv, 0, sizeof R.srv);
	if (l.family == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)&R.srv;
		a->sin_family = AF_INET;
		a->sin_port = htons(l.port);
		memcpy(&a->sin_addr, l.ip, 4); /* aero_loc: IPv4 in ip[0..3] */
		R.srv_len = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&R.srv;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(l.port);
		memcpy(&a->sin6_addr, l.ip, 16);
		R.srv_len = sizeof *a;
	}
	R.have_srv = true;
	return 0;
}

/* The first "nameserver ADDR" of path; NULL when there is none. */
static char *
resolv_conf_server(const char *path)
{
	char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	char *found = NULL;
	char **lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l && !found; l++) {
		char **w = g_strsplit_set(g_strstrip(*l), " \t", -1);
		if (w[0] && !strcmp(w[0], "nameserver") && w[1] && w[1][0]) {
			/* an IPv6 server with a port needs brackets; resolv.conf has none */
			found = strchr(w[1], ':') ? g_strdup_printf("[%s]", w[1]) : g_strdup(w[1]);
			char *pct = strchr(found, '%'); /* fe80::1%eth0: no zone support */
			if (pct)
				g_clear_pointer(&found, g_free);
		}
		g_strfreev(w);
	}
	g_strfreev(lines);
	g_free(text);
	return found;
}

int
resolve_init(struct aerod *d, GError **err)
{
	if (R.have_srv)
		return 0;
	if (d->o.dns)
		return parse_server(d->o.dns, err);
	char *s = resolv_conf_server("/etc/resolv.conf");
	if (!s) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "PRL name '%s' needs a DNS server: give --dns ADDR "
		            "(/etc/resolv.conf has no usable nameserver)", d->cfg.prl_name);
		return -1;
	}
	int rc = parse_server(s, err);
	g_free(s);
	return rc;
}

static void
answer(struct aerod *d, const struct aero_dns_answer *a)
{
	struct aero_peer peers[AERO_MAX_PRL];
	size_t n = 0;
	for (size_t i = 0; i < a->n_addrs && n < AERO_MAX_PRL; i++) {
		struct aero_loc l = aero_loc_v6(&a->addrs[i], d->o.prl_port);
		if (a->qtype == AERO_DNS_TYPE_A) {
			l = aero_loc_v4(a->addrs[i].b[12], a->addrs[i].b[13], a->addrs[i].b[14],
			                a->addrs[i].b[15], d->o.prl_port);
		}
		peers[n++] = (struct aero_peer){.loc = l, .id = 0};
	}
	g_info("DNS: %s -> %zu Server(s)%s (rcode %u)", R.name, n,
	       a->more ? " and more not kept" : "", a->flags & AERO_DNS_RCODE_MASK);
	R.pending = false;
	aero_node_name_answer(d->node, R.name, peers, n, aerod_now());
	aerod_run_core(d);
}

static gboolean
resolve_readable(gint fd, GIOCondition c, gpointer user)
{
	struct aerod *d = user;
	uint8_t buf[4096];
	(void)c;
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof from;
		ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				g_warning("DNS: recvfrom: %s", g_strerror(errno));
				d->host_cnt[HC_DNS_BAD]++;
			}
			return G_SOURCE_CONTINUE;
		}
		d->host_cnt[HC_DNS_RX]++;
		if (flen != R.srv_len || memcmp(&from, &R.srv, flen) != 0 || !R.pending) {
			d->host_cnt[HC_DNS_BAD]++; /* not from our server, or unasked */
			continue;
		}
		struct aero_dns_answer a;
		int rc = aero_wire_dns_answer_decode(&a, buf, (size_t)n, R.id, R.name, R.qtype);
		if (rc < 0) {
			d->host_cnt[HC_DNS_BAD]++;
			g_warning("DNS: bad answer for %s (%zd bytes): %s", R.name, n,
			          aero_wire_strerror(rc));
			continue;
		}
		answer(d, &a);
	}
}

static int
open_socket(struct aerod *d)
{
	int fd = socket(R.srv.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		g_warning("DNS: socket: %s", g_strerror(errno));
		return -1;
	}
	R.fd = fd;
	R.watch = g_unix_fd_add(fd, G_IO_IN, resolve_readable, d);
	return 0;
}

void
resolve_query(struct aerod *d, const char *name)
{
	GError *err = NULL;
	uint8_t q[AERO_DNS_UDP_MAX];
	if (resolve_init(d, &err) != 0 || (R.fd < 0 && open_socket(d) != 0)) {
		if (err)
			g_warning("DNS: %s", err->message);
		g_clear_error(&err);
		d->host_cnt[HC_DNS_BAD]++;
		aero_node_name_answer(d->node, name, NULL, 0, aerod_now());
		return;
	}
	g_strlcpy(R.name, name, sizeof R.name);
	R.qtype = d->cfg.self.family == 6 ? AERO_DNS_TYPE_AAAA : AERO_DNS_TYPE_A;
	if (getrandom(&R.id, sizeof R.id, 0) != sizeof R.id)
		R.id ^= 0x5a5a;
	int n = aero_wire_dns_query_encode(q, sizeof q, R.id, R.name, R.qtype);
	if (n < 0) {
		g_warning("DNS: cannot ask for '%s': %s", name, aero_wire_strerror(n));
		d->host_cnt[HC_DNS_BAD]++;
		aero_node_name_answer(d->node, name, NULL, 0, aerod_now());
		return;
	}
	R.pending = true;
	if (sendto(R.fd, q, (size_t)n, 0, (struct sockaddr *)&R.srv, R.srv_len) != n) {
		g_warning("DNS: sendto: %s", g_strerror(errno));
		d->host_cnt[HC_DNS_BAD]++;
		return; /* the core asks again after its back-off */
	}
	d->host_cnt[HC_DNS_TX]++;
	g_debug("DNS: asked for %s (%s, id %u)", R.name,
	        R.qtype == AERO_DNS_TYPE_A ? "A" : "AAAA", R.id);
}

void
resolve_close(void)
{
	if (R.watch)
		g_source_remove(R.watch);
	if (R.fd >= 0)
		close(R.fd);
	R.watch = 0;
	R.fd = -1;
	R.pending = false;
}
