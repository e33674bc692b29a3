/*
 * emu/aerod/main.c -- aerod: options, logging, the GLib main loop around one
 * core node, the events log and signal handling.
 *
 *   aerod --scenario FILE --node NAME [--tun aero0] [--ctl PATH] ...
 *   aerod --role server --locator 10.0.0.2 --id 2 --pool 2001:db8::/40,56 ...
 *
 * Exit status: 0 clean shutdown, 1 bad configuration or a missing device.
 */
#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "aerod.h"
#include "aero/json.h"
#include "aero/wire_ip.h"

const char *const aerod_host_counter_names[] = {
	"host_tun_rx", "host_tun_tx", "host_udp_rx", "host_udp_tx",
	"host_udp_tx_err", "host_netlink_err", "host_tun_tx_err", "host_ctl_req",
	"host_relay_rx", "host_relay_tx", "host_downstream_rx",
	"host_pcap_rx", "host_pcap_tx", "host_pcap_rx_bad", "host_pcap_rx_drop",
	"host_pcap_tx_fallback",
	"host_dns_tx", "host_dns_rx", "host_dns_bad",
	"host_tun_gso_rx", "host_tun_segments", "host_tun_csum_done", "host_tun_vnet_bad",
	"host_tun_gro_in", "host_tun_gro_out", "host_tun_gro_bad_csum",
	"host_udp_gso_tx", "host_udp_gro_rx", "host_udp_gso_err",
	"host_pcap_rx_gso", "host_tap_rx_not_ipv6",
	"host_fp_tx_packets", "host_fp_tx_bytes", "host_fp_tx_gso", "host_fp_tx_slow",
	"host_fp_tx_err", "host_fp_rx_packets", "host_fp_rx_bytes", "host_fp_rx_gso",
	"host_fp_rx_slow", "host_fp_rx_not_admitted", "host_fp_rx_err", "host_fp_rx_ecn_unused",
	"host_fp_reports", "host_fp_sync", "host_fp_map_err",
};
_Static_assert(sizeof aerod_host_counter_names / sizeof aerod_host_counter_names[0] == HC_COUNT,
               "one name per host counter");

static int log_level = 6;
static FILE *log_out;
static const char *log_name = "aerod";

uint64_t
aerod_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void
aerod_set_log_level(int level)
{
	log_level = CLAMP(level, 0, 7);
}

int
aerod_get_log_level(void)
{
	return log_level;
}

static int
glib_to_syslog(GLogLevelFlags f)
{
	if (f & G_LOG_LEVEL_ERROR) return 3;
	if (f & G_LOG_LEVEL_CRITICAL) return 3;
	if (f & G_LOG_LEVEL_WARNING) return 4;
	if (f & G_LOG_LEVEL_MESSAGE) return 5;
	if (f & G_LOG_LEVEL_INFO) return 6;
	return 7;
}

static void
log_handler(const gchar *domain, GLogLevelFlags flags, const gchar *msg,
            gpointer user)
{
	(void)domain; (void)user;
	int lv = glib_to_syslog(flags);
	if (lv > log_level)
		return;
	static const char *const names[] = {"emerg", "alert", "crit", "error",
	                                    "warn", "notice", "info", "debug"};
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(log_out ? log_out : stderr, "%02d:%02d:%02d.%03ld %s %s: %s\n",
	        tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
	        log_name, names[lv], msg);
	fflush(log_out ? log_out : stderr);
}

/* ---- core callbacks ------------------------------------------------------- */

static void
cb_rand(uint8_t *dst, size_t len, void *user)
{
	(void)user;
	while (len) {
		ssize_t k = getrandom(dst, len, 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			g_error("getrandom: %s", g_strerror(errno));
		}
		dst += k;
		len -= (size_t)k;
	}
}

static void
cb_log(int level, const char *msg, void *user)
{
	(void)user;
	GLogLevelFlags f = level <= 3 ? G_LOG_LEVEL_CRITICAL
	                 : level == 4 ? G_LOG_LEVEL_WARNING
	                 : level == 5 ? G_LOG_LEVEL_MESSAGE
	                 : level == 6 ? G_LOG_LEVEL_INFO : G_LOG_LEVEL_DEBUG;
	g_log("core", f, "%s", msg);
}

static const struct aero_callbacks callbacks = {.rand = cb_rand, .log = cb_log};

/* ---- the events log (results layout: events.jsonl) ------------------------ */

static void
event_json(struct aerod *d, const struct aero_event *e)
{
	if (!d->events)
		return;
	GString *s = g_string_new(NULL);
	struct aj j;
	aj_init(&j, s);
	aj_obj_begin(&j, NULL);
	uint64_t now = aerod_now();
	aj_num(&j, "t", now >= d->o.epoch_ns ? (double)(now - d->o.epoch_ns) / 1e9 : 0.0);
	aj_str(&j, "node", d->name);
	aj_str(&j, "type", aero_event_name(e->type));
	char buf[64];
	switch (e->type) {
	case AERO_EV_PREFIX_DELEGATED: case AERO_EV_PREFIX_RENEWED:
	case AERO_EV_PREFIX_LOST: case AERO_EV_ROUTE_ADD: case AERO_EV_ROUTE_DEL:
	case AERO_EV_ROUTE_ANNOUNCE: case AERO_EV_ROUTE_WITHDRAW:
	case AERO_EV_BINDING: case AERO_EV_RO_UP: case AERO_EV_RO_DOWN:
		aj_prefix6(&j, "prefix", &e->prefix, e->plen);
		break;
	default:
		break;
	}
	if (e->type == AERO_EV_RO_UP || e->type == AERO_EV_RO_DOWN)
		aj_prefix6(&j, "src_prefix", &e->src_prefix, e->src_plen);
	static const struct aero_in6 zero;
	if (memcmp(&e->addr, &zero, sizeof zero) != 0)
		aj_ip6(&j, "addr", &e->addr);
	if (e->loc.family)
		aj_str(&j, "loc", aero_loc_format(&e->loc, buf, sizeof buf));
	if (e->name)
		aj_str(&j, "name", e->name);
	if (e->vltime || e->pltime) {
		aj_uint(&j, "vltime", e->vltime);
		aj_uint(&j, "pltime", e->pltime);
	}
	if (e->ifindex)
		aj_uint(&j, "ifindex", e->ifindex);
	aj_obj_end(&j);
	g_string_append_c(s, '\n');
	fputs(s->str, d->events);
	fflush(d->events);
	g_string_free(s, TRUE);
}

/* ---- the loop --------------------------------------------------------------- */

static gboolean
timer_dispatch(GSource *src, GSourceFunc cb, gpointer user)
{
	(void)cb;
	struct aerod *d = user;
	g_source_set_ready_time(src, -1);
	aero_node_timeout(d->node, aerod_now());
	aerod_run_core(d);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_funcs = {.dispatch = timer_dispatch};

static void
handle_event(struct aerod *d, const struct aero_event *e)
{
	char buf[512];
	struct aero_out o = {.kind = AERO_OUT_EVENT, .ev = *e};
	g_info("%s", aero_out_format(&o, buf, sizeof buf));
	event_json(d, e);
	if (e->type == AERO_EV_NAME_QUERY) {
		resolve_query(d, e->name ? e->name : "");
		return;
	}
	if (e->type == AERO_EV_BINDING || e->type == AERO_EV_ROUTE_ANNOUNCE ||
	    e->type == AERO_EV_ROUTE_WITHDRAW)
		lease_event(d, e);
	if (!d->o.no_netlink)
		rtnl_apply_event(d, e);
}

/* One packet kept until the events of the same drain are applied (the
 * lease file is on disk before the Reply that answers it leaves), and, in a
 * batch (aerod_batch_begin/end around a burst of reads), until the end of
 * the burst: the underlay packets then leave in one sendmmsg. */
struct held {
	struct aero_pktinfo pi;
	size_t off, len;           /* the packet's bytes in held_arena */
};

static GArray *held;               /* struct held */
static uint8_t *held_arena;        /* grows, never shrinks: no malloc per packet */
static size_t held_used, held_cap;

static void
flush_held(struct aerod *d)
{
	if (!held || held->len == 0)
		return;
	const struct aero_out *ul[AEROD_SEND_BATCH];
	struct aero_out outs[AEROD_SEND_BATCH];
	size_t nul = 0;
	for (guint i = 0; i < held->len; i++) {
		const struct held *h = &g_array_index(held, struct held, i);
		const uint8_t *data = held_arena + h->off;
		if (h->pi.side == AERO_SIDE_UNDERLAY) {
			/* field by field: .ev is not read for a packet */
			outs[nul].kind = AERO_OUT_PACKET;
			outs[nul].pi = h->pi;
			outs[nul].data = data;
			outs[nul].len = h->len;
			ul[nul] = &outs[nul];
			if (++nul == AEROD_SEND_BATCH) {
				udp_send_many(d, ul, nul);
				nul = 0;
			}
		} else if (!dhcprelay_take(d, data, h->len)) {
			/* the AERO interface, or downstream link k: its own
			 * TUN (--downstream tun:NAME), else the AERO TUN and
			 * the kernel routes */
			tun_write_link(d, h->pi.ifindex, data, h->len);
		}
	}
	if (nul)
		udp_send_many(d, ul, nul);
	tun_flush(d); /* the user-space GRO of the AERO TUN */
	g_array_set_size(held, 0);
	held_used = 0;
}

static void
rearm(struct aerod *d)
{
	aero_tstamp dl = aero_node_deadline(d->node);
	if (dl == AERO_TSTAMP_NONE) {
		g_source_set_ready_time(d->timer, -1);
		if (d->shutting_down)
			g_main_loop_quit(d->loop);
	} else {
		g_source_set_ready_time(d->timer, (gint64)(dl / 1000));
	}
}

void
aerod_batch_begin(struct aerod *d)
{
	d->in_batch = !d->o.no_batch;
}

void
aerod_batch_end(struct aerod *d)
{
	d->in_batch = false;
	flush_held(d);
	fastpath_sync(d);
	rearm(d);
}

void
aerod_run_core(struct aerod *d)
{
	static bool busy;
	if (busy) /* re-entered from an event handler: the outer call drains */
		return;
	busy = true;
	if (!held)
		held = g_array_sized_new(FALSE, FALSE, sizeof(struct held), 4 * AEROD_SEND_BATCH);
	struct aero_out o;
	while (aero_node_poll(d->node, &o) == 1) {
		if (o.kind == AERO_OUT_EVENT) {
			handle_event(d, &o.ev);
			continue;
		}
		if (held_used + o.len > held_cap) {
			held_cap = MAX(MAX(2 * held_cap, held_used + o.len), (size_t)1 << 20);
			held_arena = g_realloc(held_arena, held_cap);
		}
		memcpy(held_arena + held_used, o.data, o.len);
		struct held h = {.pi = o.pi, .off = held_used, .len = o.len};
		g_array_append_val(held, h);
		held_used += o.len;
	}
	lease_flush(d); /* bindings on disk before the Replies leave */
	busy = false;
	if (d->in_batch && held->len < 4 * AEROD_SEND_BATCH)
		return; /* aerod_batch_end flushes and re-arms */
	flush_held(d);
	fastpath_sync(d);
	rearm(d);
}

static gboolean
drain_timeout(gpointer user)
{
	struct aerod *d = user;
	g_message("shutdown: drain time over");
	d->drain_id = 0;
	g_main_loop_quit(d->loop);
	return G_SOURCE_REMOVE;
}

static gboolean
on_signal(gpointer user)
{
	struct aerod *d = user;
	if (d->shutting_down) {
		g_main_loop_quit(d->loop);
		return G_SOURCE_CONTINUE;
	}
	g_message("signal: orderly shutdown");
	d->shutting_down = true;
	aero_node_shutdown(d->node, aerod_now());
	aerod_run_core(d);
	/* a Client waits for the Reply to its Release, bounded */
	d->drain_id = g_timeout_add(3000, drain_timeout, d);
	return G_SOURCE_CONTINUE;
}

/* ---- options ---------------------------------------------------------------- */

static char *opt_role, *opt_locator, *opt_model, *opt_profile, *opt_prl_name,
	*opt_icv_key, *opt_dhcp_relay, *opt_dhcp_relay_src;
static char **opt_prl, **opt_pool, **opt_relay, **opt_aggregate, **opt_peer,
	**opt_downstream;
static int opt_id, opt_port = 8060, opt_mtu, opt_verbose;
static gboolean opt_quiet, opt_version;

static GOptionEntry entries[] = {
	{"scenario", 's', 0, G_OPTION_ARG_FILENAME, NULL, "scenario manifest", "FILE"},
	{"node", 'n', 0, G_OPTION_ARG_STRING, NULL, "node of the scenario to run", "NAME"},
	{"role", 0, 0, G_OPTION_ARG_STRING, &opt_role, "without a scenario: client|server|relay", "ROLE"},
	{"locator", 0, 0, G_OPTION_ARG_STRING, &opt_locator, "own underlay address[:port]", "ADDR"},
	{"port", 0, 0, G_OPTION_ARG_INT, &opt_port, "AERO UDP port [8060]", "N"},
	{"id", 0, 0, G_OPTION_ARG_INT, &opt_id, "Server/Relay link-local ID (fe80::ID)", "N"},
	{"mtu", 0, 0, G_OPTION_ARG_INT, &opt_mtu, "inner MTU [1280]", "N"},
	{"profile", 0, 0, G_OPTION_ARG_STRING, &opt_profile, "P1|P2 [P1]", "P"},
	{"icv-key", 0, 0, G_OPTION_ARG_STRING, &opt_icv_key, "P2: link-wide ICV key, hex (up to 20 bytes)", "HEX"},
	{"dhcp-relay", 0, 0, G_OPTION_ARG_STRING, &opt_dhcp_relay, "Server: relay DHCPv6 to this external server (IPv6)", "ADDR6"},
	{"dhcp-relay-src", 0, 0, G_OPTION_ARG_STRING, &opt_dhcp_relay_src, "Server: own address the Relay-forwards leave from", "ADDR6"},
	{"model", 0, 0, G_OPTION_ARG_STRING, &opt_model, "Client: host|router|hybrid", "M"},
	{"prl", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_prl, "Client: a Server, ID@ADDR[:PORT] (repeat)", "ID@ADDR"},
	{"prl-name", 0, 0, G_OPTION_ARG_STRING, &opt_prl_name, "Client: PRL DNS name (linkupnetworks.DOMAIN), resolved over DNS", "NAME"},
	{"dns", 0, 0, G_OPTION_ARG_STRING, NULL, "Client: DNS server of the PRL name [first nameserver of /etc/resolv.conf]", "ADDR[:PORT]"},
	{"pool", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_pool, "Server: PREFIX/LEN,DELEG_LEN (repeat)", "P"},
	{"relay", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_relay, "Server: a Relay, ID@ADDR[:PORT] (repeat)", "ID@ADDR"},
	{"aggregate", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_aggregate, "Relay: PREFIX/LEN (repeat)", "P"},
	{"peer", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_peer, "Relay/Server: BGP next hop to a Server, NH6=ID@ADDR[:PORT] (repeat)", "MAP"},
	{"downstream", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_downstream, "Client router: downstream interface, or tun:NAME for a TUN aerod creates (repeat)", "IF"},
	{"tun", 0, 0, G_OPTION_ARG_STRING, NULL, "TUN device name [aero0]; none: no tunnel side (tests)", "NAME"},
	{"tun-gso-max", 0, 0, G_OPTION_ARG_INT, NULL, "largest TCP super-packet the kernel hands the TUN, bytes; 0: the kernel's (64 KB) [what one UDP GSO message carries]", "N"},
	{"tap", 0, 0, G_OPTION_ARG_NONE, NULL, "the AERO interface is a TAP device (Ethernet framing, NOARP) instead of a TUN", NULL},
	{"fastpath", 0, 0, G_OPTION_ARG_NONE, NULL, "P1 Client: carry established data packets in the kernel (eBPF, tcx; Linux >= 6.6), programmed from the core", NULL},
	{"ctl", 0, 0, G_OPTION_ARG_FILENAME, NULL, "control socket [/run/aero/NODE.sock]", "PATH"},
	{"lease", 0, 0, G_OPTION_ARG_FILENAME, NULL, "Server: lease file", "FILE"},
	{"events", 0, 0, G_OPTION_ARG_FILENAME, NULL, "events as JSON lines", "FILE"},
	{"log", 0, 0, G_OPTION_ARG_FILENAME, NULL, "log file [stderr]", "FILE"},
	{"underlay", 0, 0, G_OPTION_ARG_STRING, NULL, "udp|pcap: a UDP socket, or libpcap on the raw interface [udp]", "KIND"},
	{"underlay-if", 0, 0, G_OPTION_ARG_STRING, NULL, "pcap: interface [the one holding the locator]", "NAME"},
	{"pcap-snaplen", 0, 0, G_OPTION_ARG_INT, NULL, "pcap: bytes captured per frame [MTU + 64]; 65535 also reads peers' UDP GSO aggregates (fewer ring slots)", "N"},
	{"table", 0, 0, G_OPTION_ARG_INT, NULL, "routing table of delegated prefixes [8060]", "N"},
	{"learn-table", 0, 0, G_OPTION_ARG_INT, NULL, "Relay/Server: table of BGP-learned routes [8061]", "N"},
	{"epoch-ns", 0, 0, G_OPTION_ARG_INT64, NULL, "CLOCK_MONOTONIC ns of t = 0 in the events log", "NS"},
	{"seed", 0, 0, G_OPTION_ARG_INT, NULL, "run seed (recorded only)", "N"},
	{"no-netlink", 0, 0, G_OPTION_ARG_NONE, NULL, "do not apply events to the kernel", NULL},
	{"no-batch", 0, 0, G_OPTION_ARG_NONE, NULL, "one packet per system call (benchmark baseline)", NULL},
	{"no-offload", 0, 0, G_OPTION_ARG_NONE, NULL, "no TUN offloads (vnet header, TSO) and no UDP GSO/GRO", NULL},
	{"check", 0, 0, G_OPTION_ARG_NONE, NULL, "print the configuration and exit", NULL},
	{"verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, NULL, "more logging (repeat)", NULL},
	{"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "warnings and errors only", NULL},
	{"version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "print the version", NULL},
	{NULL, 0, 0, 0, NULL, NULL, NULL},
};

static gboolean
verbose_cb(const gchar *n, const gchar *v, gpointer data, GError **err)
{
	(void)n; (void)v; (void)data; (void)err;
	opt_verbose++;
	return TRUE;
}

static int
parse_peer(struct aero_peer *p, const char *s, int port, GError **err)
{
	const char *at = strchr(s, '@');
	char *end;
	unsigned long id = at ? strtoul(s, &end, 10) : 0;
	if (!at || end != at || id == 0 || id > 0xffffffffUL ||
	    aero_loc_parse(&p->loc, at + 1, (uint16_t)port) != 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "bad peer '%s' (want ID@ADDR[:PORT], ID > 0)", s);
		return -1;
	}
	p->id = (uint32_t)id;
	return 0;
}

static int
parse_prefix(struct aero_prefix *p, const char *s, GError **err)
{
	char *dup = g_strdup(s), *slash = strchr(dup, '/');
	char *end = NULL;
	long len = slash ? strtol(slash + 1, &end, 10) : -1;
	if (slash)
		*slash = 0;
	int rc = (!slash || *end || len < 0 || len > 128 ||
	          aero_in6_parse(&p->prefix, dup) != 0) ? -1 : 0;
	g_free(dup);
	if (rc)
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "bad IPv6 prefix '%s' (want ADDR/LEN)", s);
	else
		p->plen = (uint8_t)len;
	return rc;
}

static int
config_from_flags(struct aerod *d, GError **err)
{
	struct aero_config *c = &d->cfg;
	enum aero_role role;
	if (!opt_role) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
		            "give --scenario FILE --node NAME, or --role and its flags");
		return -1;
	}
	if (!strcmp(opt_role, "client")) role = AERO_ROLE_CLIENT;
	else if (!strcmp(opt_role, "server")) role = AERO_ROLE_SERVER;
	else if (!strcmp(opt_role, "relay")) role = AERO_ROLE_RELAY;
	else {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "unknown role '%s' (client, server or relay)", opt_role);
		return -1;
	}
	aero_config_default(c, role);
	if (opt_port <= 0 || opt_port > 65535) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "bad --port %d", opt_port);
		return -1;
	}
	if (!opt_locator || aero_loc_parse(&c->self, opt_locator, (uint16_t)opt_port) != 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--locator ADDR[:PORT] is required and must be an IPv4 or IPv6 address (got '%s')",
		            opt_locator ? opt_locator : "");
		return -1;
	}
	c->id = (uint32_t)opt_id;
	if (opt_mtu)
		c->mtu = (uint16_t)opt_mtu;
	if (opt_profile) {
		if (!g_ascii_strcasecmp(opt_profile, "P2")) c->profile = AERO_PROFILE_P2;
		else if (g_ascii_strcasecmp(opt_profile, "P1")) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "bad --profile '%s'", opt_profile);
			return -1;
		}
	}
	if (opt_model) {
		if (!strcmp(opt_model, "host")) c->model = AERO_MODEL_HOST;
		else if (!strcmp(opt_model, "router")) c->model = AERO_MODEL_ROUTER;
		else if (!strcmp(opt_model, "hybrid")) c->model = AERO_MODEL_HYBRID;
		else {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "bad --model '%s'", opt_model);
			return -1;
		}
	}
	if (opt_icv_key) {
		size_t kl = strlen(opt_icv_key);
		bool bad = kl == 0 || kl % 2 || kl / 2 > sizeof c->icv_key;
		for (size_t i = 0; !bad && i < kl / 2; i++) {
			int hi = g_ascii_xdigit_value(opt_icv_key[2 * i]);
			int lo = g_ascii_xdigit_value(opt_icv_key[2 * i + 1]);
			bad = hi < 0 || lo < 0;
			c->icv_key[i] = (uint8_t)(hi << 4 | lo);
		}
		if (bad) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "bad --icv-key (want 2 to 40 hex digits)");
			return -1;
		}
		c->icv_key_len = kl / 2;
	}
	if (opt_dhcp_relay) {
		struct aero_in6 a;
		if (aero_in6_parse(&a, opt_dhcp_relay) != 0) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "bad --dhcp-relay '%s' (want the IPv6 address of a DHCPv6 server)", opt_dhcp_relay);
			return -1;
		}
		c->dhcp_relay = true;
		c->dhcp_server = aero_loc_v6(&a, 547);
	}
	if (opt_dhcp_relay_src && aero_in6_parse(&c->dhcp_relay_src, opt_dhcp_relay_src) != 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "bad --dhcp-relay-src '%s'", opt_dhcp_relay_src);
		return -1;
	}
	for (char **p = opt_prl; p && *p; p++) {
		if (c->n_prl >= AERO_MAX_PRL) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "more than %d --prl", AERO_MAX_PRL);
			return -1;
		}
		if (parse_peer(&c->prl[c->n_prl++], *p, opt_port, err))
			return -1;
	}
	if (opt_prl_name)
		g_strlcpy(c->prl_name, opt_prl_name, sizeof c->prl_name);
	for (char **p = opt_pool; p && *p; p++) {
		char **f = g_strsplit(*p, ",", 2);
		struct aero_prefix pr;
		char *end = NULL;
		long dl = f[1] ? strtol(f[1], &end, 10) : -1;
		int bad = !f[1] || *end || dl < 1 || dl > 128 || parse_prefix(&pr, f[0], err);
		g_strfreev(f);
		if (bad || c->n_pools >= AERO_MAX_POOLS) {
			if (!*err)
				g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				            "bad --pool '%s' (want PREFIX/LEN,DELEG_LEN)", *p);
			return -1;
		}
		c->pools[c->n_pools++] = (struct aero_pool){pr.prefix, pr.plen, (uint8_t)dl};
	}
	for (char **p = opt_relay; p && *p; p++) {
		if (c->n_relays >= AERO_MAX_RELAYS) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "too many --relay");
			return -1;
		}
		if (parse_peer(&c->relays[c->n_relays++], *p, opt_port, err))
			return -1;
	}
	for (char **p = opt_aggregate; p && *p; p++) {
		if (c->n_aggregates >= AERO_MAX_AGGREGATES) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "too many --aggregate");
			return -1;
		}
		if (parse_prefix(&c->aggregates[c->n_aggregates++], *p, err))
			return -1;
	}
	g_strlcpy(d->name, opt_role, sizeof d->name);
	return 0;
}

static int
parse_peermap(struct aerod *d, GError **err)
{
	for (char **p = opt_peer; p && *p; p++) {
		char **f = g_strsplit(*p, "=", 2);
		struct aerod_peermap *m = &d->o.peermap[d->o.n_peermap];
		int bad = d->o.n_peermap >= AEROD_MAX_PEERMAP || !f[1] ||
		          aero_in6_parse(&m->nh, f[0]) != 0;
		if (!bad)
			bad = parse_peer(&m->peer, f[1], opt_port, err) != 0;
		g_strfreev(f);
		if (bad) {
			if (!*err)
				g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				            "bad --peer '%s' (want NEXTHOP6=ID@ADDR[:PORT])", *p);
			return -1;
		}
		d->o.n_peermap++;
	}
	return 0;
}

static struct aerod the_daemon;

static void
cleanup(struct aerod *d)
{
	ctl_close(d);
	fastpath_close(d);
	resolve_close();
	dhcprelay_close();
	pcapul_close(d);
	if (d->node)
		aero_node_free(d->node);
	d->node = NULL;
	tun_close(d);
	rtnl_close(d);
	lease_free(d);
	if (d->udp_fd >= 0)
		close(d->udp_fd);
	if (d->events)
		fclose(d->events);
}

int
main(int argc, char **argv)
{
	struct aerod *d = &the_daemon;
	d->tun_fd = d->udp_fd = d->nl_fd = d->nlmon_fd = d->ctl_fd = -1;
	for (unsigned i = 0; i < AERO_MAX_DOWNSTREAM; i++)
		d->ds_fd[i] = -1;
	d->o.table = AEROD_TABLE_DEFAULT;
	d->o.tun_gso_max = -1;
	d->o.learn_table = AEROD_LEARN_TABLE_DEFAULT;
	gint64 epoch = 0;
	int seed = 0;
	gboolean no_nl = FALSE, check = FALSE, no_batch = FALSE, no_offload = FALSE, tap = FALSE,
	         fastpath = FALSE;
	entries[0].arg_data = &d->o.scenario;
	entries[1].arg_data = &d->o.node;
	for (GOptionEntry *e = entries; e->long_name; e++) {
		if (!strcmp(e->long_name, "tun")) e->arg_data = &d->o.tun_name;
		else if (!strcmp(e->long_name, "ctl")) e->arg_data = &d->o.ctl_path;
		else if (!strcmp(e->long_name, "lease")) e->arg_data = &d->o.lease_path;
		else if (!strcmp(e->long_name, "events")) e->arg_data = &d->o.events_path;
		else if (!strcmp(e->long_name, "log")) e->arg_data = &d->o.log_path;
		else if (!strcmp(e->long_name, "underlay")) e->arg_data = &d->o.underlay;
		else if (!strcmp(e->long_name, "dns")) e->arg_data = &d->o.dns;
		else if (!strcmp(e->long_name, "underlay-if")) e->arg_data = &d->o.underlay_if;
		else if (!strcmp(e->long_name, "pcap-snaplen")) e->arg_data = &d->o.pcap_snaplen;
		else if (!strcmp(e->long_name, "tun-gso-max")) e->arg_data = &d->o.tun_gso_max;
		else if (!strcmp(e->long_name, "table")) e->arg_data = &d->o.table;
		else if (!strcmp(e->long_name, "learn-table")) e->arg_data = &d->o.learn_table;
		else if (!strcmp(e->long_name, "epoch-ns")) e->arg_data = &epoch;
		else if (!strcmp(e->long_name, "seed")) e->arg_data = &seed;
		else if (!strcmp(e->long_name, "no-netlink")) e->arg_data = &no_nl;
		else if (!strcmp(e->long_name, "no-batch")) e->arg_data = &no_batch;
		else if (!strcmp(e->long_name, "no-offload")) e->arg_data = &no_offload;
		else if (!strcmp(e->long_name, "tap")) e->arg_data = &tap;
		else if (!strcmp(e->long_name, "fastpath")) e->arg_data = &fastpath;
		else if (!strcmp(e->long_name, "check")) e->arg_data = &check;
		else if (!strcmp(e->long_name, "verbose")) e->arg_data = (gpointer)verbose_cb;
	}
	GOptionContext *ctx = g_option_context_new("- the AERO/VET emulation daemon");
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "aerod: %s (try --help)\n", err->message);
		return 1;
	}
	g_option_context_free(ctx);
	if (opt_version) {
		printf("aerod %s\n", AEROD_VERSION);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "aerod: unexpected argument '%s'\n", argv[1]);
		return 1;
	}
	d->o.epoch_ns = epoch > 0 ? (uint64_t)epoch : aerod_now();
	d->o.seed = (uint32_t)seed;
	d->o.no_netlink = no_nl;
	d->o.no_batch = no_batch;
	d->o.no_offload = no_offload;
	d->o.tap = tap;
	d->o.fastpath = fastpath;
	d->o.check_only = check;
	aerod_set_log_level(opt_quiet ? 4 : 6 + opt_verbose);
	for (char **p = opt_downstream; p && *p; p++) {
		if (d->o.n_downstream >= AERO_MAX_DOWNSTREAM) {
			fprintf(stderr, "aerod: too many --downstream\n");
			return 1;
		}
		d->o.downstream[d->o.n_downstream++] = *p;
	}
	if (d->o.tun_gso_max != -1 && (d->o.tun_gso_max < 0 || d->o.tun_gso_max > 65536 ||
	                               (d->o.tun_gso_max > 0 && d->o.tun_gso_max < 1280))) {
		fprintf(stderr, "aerod: --tun-gso-max %d: want 0 (the kernel's) or 1280..65536\n",
		        d->o.tun_gso_max);
		return 1;
	}
	bool pcap_ul = d->o.underlay && !strcmp(d->o.underlay, "pcap");
	if (d->o.underlay && strcmp(d->o.underlay, "udp") != 0 && !pcap_ul) {
		fprintf(stderr, "aerod: unknown --underlay=%s (udp or pcap)\n", d->o.underlay);
		return 1;
	}
	if (d->o.log_path) {
		log_out = fopen(d->o.log_path, "a");
		if (!log_out) {
			fprintf(stderr, "aerod: cannot open log %s: %s\n", d->o.log_path, g_strerror(errno));
			return 1;
		}
	}
	g_log_set_default_handler(log_handler, NULL);

	d->o.prl_port = (uint16_t)(opt_port > 0 && opt_port <= 65535 ? opt_port : AERO_UDP_PORT);
	int rc = d->o.scenario || d->o.node ? aerod_config_from_scenario(d, &err)
	                                    : config_from_flags(d, &err);
	if (rc == 0 && opt_prl_name && d->cfg.role == AERO_ROLE_CLIENT) {
		/* the PRL by name, also over a scenario's Server list */
		g_strlcpy(d->cfg.prl_name, opt_prl_name, sizeof d->cfg.prl_name);
		d->cfg.n_prl = 0;
	}
	if (rc == 0)
		rc = parse_peermap(d, &err);
	if (rc == 0)
		rc = aerod_config_check(d, &err);
	if (rc != 0) {
		fprintf(stderr, "aerod: configuration error: %s\n", err->message);
		return 1;
	}
	log_name = d->name;
	if (d->o.check_only) {
		char *s = aerod_config_describe(d);
		fputs(s, stdout);
		g_free(s);
		return 0;
	}
	if (d->o.events_path) {
		d->events = fopen(d->o.events_path, "a");
		if (!d->events) {
			fprintf(stderr, "aerod: cannot open events file %s: %s\n",
			        d->o.events_path, g_strerror(errno));
			return 1;
		}
	}
	lease_init(d);
	if ((!d->o.no_netlink && rtnl_open(d, &err) != 0) ||
	    tun_open(d, &err) != 0 || udp_open(d, &err) != 0 ||
	    (pcap_ul && pcapul_open(d, &err) != 0) ||
	    dhcprelay_open(d, &err) != 0 ||
	    ctl_open(d, &err) != 0 || lease_load(d, &err) != 0 ||
	    (!d->o.no_netlink && d->cfg.role != AERO_ROLE_CLIENT &&
	     rtnl_monitor_open(d, &err) != 0)) {
		fprintf(stderr, "aerod %s: %s\n", d->name, err->message);
		cleanup(d);
		return 1;
	}
	if (aero_node_new(&d->node, &d->cfg, &callbacks, d, aerod_now()) != 0) {
		fprintf(stderr, "aerod %s: the core rejected the configuration (see the log)\n", d->name);
		cleanup(d);
		return 1;
	}
	lease_import(d);
	if (d->o.fastpath && fastpath_open(d, &err) != 0) {
		fprintf(stderr, "aerod %s: %s\n", d->name, err->message);
		cleanup(d);
		return 1;
	}
	d->loop = g_main_loop_new(NULL, FALSE);
	d->timer = g_source_new(&timer_funcs, sizeof(GSource));
	g_source_set_callback(d->timer, NULL, d, NULL);
	g_source_attach(d->timer, NULL);
	if (d->tun_fd >= 0)
		g_unix_fd_add(d->tun_fd, G_IO_IN, tun_readable, d);
	g_unix_fd_add(d->udp_fd, G_IO_IN, udp_readable, d);
	g_unix_signal_add(SIGTERM, on_signal, d);
	g_unix_signal_add(SIGINT, on_signal, d);
	char self[64];
	g_message("started: %s on %s, locator %s, tun %s, ctl %s",
	          aero_role_name(d->cfg.role), d->name,
	          aero_loc_format(&d->cfg.self, self, sizeof self), d->tun_name,
	          d->o.ctl_path);
	if (d->cfg.role != AERO_ROLE_CLIENT && !d->o.no_netlink)
		rtnl_dump_table(d, (unsigned)d->o.learn_table, NULL);
	aerod_run_core(d);
	g_main_loop_run(d->loop);
	g_message("exit");
	cleanup(d);
	g_main_loop_unref(d->loop);
	if (log_out)
		fclose(log_out);
	return 0;
}
