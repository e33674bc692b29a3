/*
 * The public node API of core/src/node.c (aero/aero.h): configuration
 * defaults and checks, time monotonicity, locator parse/format, outer
 * frames (aero_out_frame, digest 3.1 and 8.6, cross-checked with tshark),
 * aero_out_format, the timer heap (node.h), counters and the JSON dump.
 */
#include "testutil.h"
#include "../../core/src/node.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define CNT(n, name) aero_node_counter((n), #name)

static void
rnd(uint8_t *d, size_t len, void *u)
{
	(void)u;
	for (size_t i = 0; i < len; i++)
		d[i] = (uint8_t)(i * 29 + 3);
}

static GString *logbuf;

static void
logcb(int level, const char *msg, void *u)
{
	(void)u;
	if (logbuf)
		g_string_append_printf(logbuf, "%d %s\n", level, msg);
}

static const struct aero_callbacks cbs = {.rand = rnd, .log = logcb};

static void
cfg_for(struct aero_config *c, enum aero_role role)
{
	aero_config_default(c, role);
	c->self = aero_loc_v4(192, 0, 2, 1, role == AERO_ROLE_CLIENT ? 0 : 8060);
	if (role != AERO_ROLE_CLIENT)
		c->id = 1;
	if (role == AERO_ROLE_CLIENT) {
		c->prl[0].loc = aero_loc_v4(192, 0, 2, 2, 8060);
		c->prl[0].id = 2;
		c->n_prl = 1;
	}
	if (role == AERO_ROLE_SERVER) {
		c->pools[0].prefix = tu_in6("2001:db8:1000::");
		c->pools[0].plen = 40;
		c->pools[0].deleg_len = 56;
		c->n_pools = 1;
	}
}

static aero_node *
mk_relay(void)
{
	struct aero_config c;
	aero_node *n = NULL;

	cfg_for(&c, AERO_ROLE_RELAY);
	g_assert_cmpint(aero_node_new(&n, &c, &cbs, NULL, 1000), ==, 0);
	return n;
}

/* ---- configuration -------------------------------------------------------- */

static void
test_config_default(void)
{
	static const enum aero_role roles[] = {AERO_ROLE_CLIENT, AERO_ROLE_SERVER,
	                                       AERO_ROLE_RELAY};
	for (size_t i = 0; i < G_N_ELEMENTS(roles); i++) {
		struct aero_config c;
		memset(&c, 0xa5, sizeof c);
		aero_config_default(&c, roles[i]);
		g_assert_cmpint(c.role, ==, roles[i]);
		g_assert_cmpint(c.profile, ==, AERO_PROFILE_P1);
		g_assert_cmpuint(c.mtu, ==, 1280);
		g_assert_cmpuint(c.self.family, ==, 0);
		g_assert_cmpuint(c.self.port, ==, roles[i] == AERO_ROLE_CLIENT ? 0 : 8060);
		g_assert_cmpuint(c.id, ==, 0);
		g_assert_false(c.pio_x);                       /* digest 2 item 8 */
		g_assert_cmpuint(c.icv_key_len, ==, 0);
		g_assert_cmpuint(c.replay_window, ==, 64);     /* digest 3.10 */
		g_assert_false(c.drop_events);
		g_assert_cmpint(c.model, ==, AERO_MODEL_HOST);
		g_assert_cmpuint(c.n_prl, ==, 0);
		g_assert_cmpstr(c.prl_name, ==, "");
		g_assert_cmpuint(c.duid_len, ==, 0);
		g_assert_true(c.rapid_commit);
		g_assert_cmpuint(c.rs_mrt, ==, 3600 * AERO_SEC); /* RFC 7559 MRT */
		g_assert_cmpuint(c.n_pools, ==, 0);
		g_assert_cmpuint(c.pltime, <=, c.vltime);
		g_assert_cmpuint(c.t1, ==, 0);
		g_assert_cmpuint(c.t2, ==, 0);
		g_assert_cmpuint(c.grace, ==, AERO_TSTAMP_NONE); /* = vltime */
		g_assert_false(c.dhcp_relay);
		g_assert_cmpuint(c.n_relays, ==, 0);
		g_assert_cmpuint(c.n_aggregates, ==, 0);
		/* digest 5 */
		g_assert_cmpuint(c.reachable_time, ==, 30 * AERO_SEC);
		g_assert_cmpuint(c.retrans_timer, ==, 1 * AERO_SEC);
		g_assert_cmpuint(c.forward_time, ==, 30 * AERO_SEC);
		g_assert_cmpuint(c.accept_time, ==, 40 * AERO_SEC);
		g_assert_cmpuint(c.keepalive_time, ==, 5 * AERO_SEC);
		g_assert_cmpuint(c.max_retry, ==, 3);
		g_assert_cmpuint(c.max_neighbors, ==, 0);
		g_assert_cmpuint(c.max_bindings, ==, 0);
		g_assert_cmpuint(c.max_routes, ==, 0);
		g_assert_cmpuint(c.max_ro, ==, 0);
	}
}

typedef void (*cfg_break)(struct aero_config *c);
static void b_noloc(struct aero_config *c) { c->self.family = 0; }
static void b_family(struct aero_config *c) { c->self.family = 5; }
static void b_mtu(struct aero_config *c) { c->mtu = 1279; }
static void b_mtu0(struct aero_config *c) { c->mtu = 0; }
static void b_profile(struct aero_config *c) { c->profile = 3; }
static void b_profile0(struct aero_config *c) { c->profile = 0; }
static void b_role(struct aero_config *c) { c->role = 7; }
static void b_key(struct aero_config *c) { c->icv_key_len = 21; }
static void b_window(struct aero_config *c) { c->replay_window = 65; }
static void b_id0(struct aero_config *c) { c->id = 0; }
static void b_pools(struct aero_config *c) { c->n_pools = 0; }
static void b_npools(struct aero_config *c) { c->n_pools = AERO_MAX_POOLS + 1; }
static void b_pool_len(struct aero_config *c) { c->pools[0].deleg_len = 39; }
static void b_pool_129(struct aero_config *c) { c->pools[0].plen = 120; c->pools[0].deleg_len = 129; }
static void b_pool_many(struct aero_config *c) { c->pools[0].deleg_len = 81; }
static void b_lifetimes(struct aero_config *c) { c->pltime = c->vltime + 1; }
static void b_relays(struct aero_config *c) { c->n_relays = AERO_MAX_RELAYS + 1; }
static void b_prl(struct aero_config *c) { c->n_prl = 0; c->prl_name[0] = 0; }
static void b_nprl(struct aero_config *c) { c->n_prl = AERO_MAX_PRL + 1; }
static void b_model(struct aero_config *c) { c->model = 9; }
static void b_down(struct aero_config *c) { c->n_downstream = AERO_MAX_DOWNSTREAM + 1; }
static void b_duid(struct aero_config *c) { c->duid_len = AERO_MAX_DUID + 1; }
static void b_hint(struct aero_config *c) { c->hint.plen = 129; }
static void b_aggr(struct aero_config *c) { c->n_aggregates = AERO_MAX_AGGREGATES + 1; }

static void
test_config_reject(void)
{
	static const struct {
		enum aero_role role;
		cfg_break fn;
		const char *name;
	} bad[] = {
		{AERO_ROLE_RELAY, b_noloc, "no locator"},
		{AERO_ROLE_CLIENT, b_noloc, "client no locator"},
		{AERO_ROLE_SERVER, b_family, "bad family"},
		{AERO_ROLE_RELAY, b_mtu, "MTU 1279"},
		{AERO_ROLE_CLIENT, b_mtu0, "MTU 0"},
		{AERO_ROLE_RELAY, b_profile, "profile 3"},
		{AERO_ROLE_RELAY, b_profile0, "profile 0"},
		{AERO_ROLE_RELAY, b_role, "role 7"},
		{AERO_ROLE_RELAY, b_key, "key 21"},
		{AERO_ROLE_RELAY, b_window, "window 65"},
		{AERO_ROLE_RELAY, b_id0, "relay id 0"},
		{AERO_ROLE_SERVER, b_id0, "server id 0"},
		{AERO_ROLE_SERVER, b_pools, "server without pools"},
		{AERO_ROLE_SERVER, b_npools, "too many pools"},
		{AERO_ROLE_SERVER, b_pool_len, "deleg_len < plen"},
		{AERO_ROLE_SERVER, b_pool_129, "deleg_len 129"},
		{AERO_ROLE_SERVER, b_pool_many, "2^41 prefixes"},
		{AERO_ROLE_SERVER, b_lifetimes, "pltime > vltime"},
		{AERO_ROLE_SERVER, b_relays, "too many relays"},
		{AERO_ROLE_CLIENT, b_prl, "client without PRL or name"},
		{AERO_ROLE_CLIENT, b_nprl, "too many PRL"},
		{AERO_ROLE_CLIENT, b_model, "model 9"},
		{AERO_ROLE_CLIENT, b_down, "too many downstream"},
		{AERO_ROLE_CLIENT, b_duid, "DUID too long"},
		{AERO_ROLE_CLIENT, b_hint, "hint /129"},
		{AERO_ROLE_RELAY, b_aggr, "too many aggregates"},
	};
	logbuf = g_string_new(NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct aero_config c;
		aero_node *n = (aero_node *)&c; /* must be reset to NULL */
		cfg_for(&c, bad[i].role);
		bad[i].fn(&c);
		g_string_truncate(logbuf, 0);
		int rc = aero_node_new(&n, &c, &cbs, NULL, 0);
		if (rc != AERO_ERR_INVAL)
			g_error("%s: accepted", bad[i].name);
		g_assert_null(n);
		/* the reason is logged at error level */
		g_assert_true(g_str_has_prefix(logbuf->str, "3 "));
		g_assert_nonnull(strstr(logbuf->str, "bad configuration"));
	}
	g_string_free(logbuf, TRUE);
	logbuf = NULL;

	/* misuse without a configuration problem */
	struct aero_config c;
	aero_node *n = NULL;
	struct aero_callbacks norand = {.log = logcb};
	cfg_for(&c, AERO_ROLE_RELAY);
	g_assert_cmpint(aero_node_new(&n, &c, &norand, NULL, 0), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_new(&n, &c, NULL, NULL, 0), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_new(&n, NULL, &cbs, NULL, 0), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_new(NULL, &c, &cbs, NULL, 0), ==, AERO_ERR_INVAL);

	/* good configurations of each role; a Client by name, MTU 9000, P2 */
	static const enum aero_role roles[] = {AERO_ROLE_CLIENT, AERO_ROLE_SERVER,
	                                       AERO_ROLE_RELAY};
	for (size_t i = 0; i < G_N_ELEMENTS(roles); i++) {
		cfg_for(&c, roles[i]);
		c.mtu = 9000;
		c.profile = AERO_PROFILE_P2;
		c.icv_key_len = 20;
		if (roles[i] == AERO_ROLE_CLIENT) {
			c.n_prl = 0;
			g_strlcpy(c.prl_name, "linkupnetworks.example.net", sizeof c.prl_name);
		}
		g_assert_cmpint(aero_node_new(&n, &c, &cbs, NULL, 0), ==, 0);
		g_assert_nonnull(n);
		g_assert_cmpint(aero_node_role(n), ==, roles[i]);
		aero_node_free(n);
	}
	aero_node_free(NULL);
	/* Server with an external DHCPv6 server instead of pools */
	cfg_for(&c, AERO_ROLE_SERVER);
	c.n_pools = 0;
	c.dhcp_relay = true;
	c.dhcp_server = aero_loc_v4(192, 0, 2, 99, 547);
	g_assert_cmpint(aero_node_new(&n, &c, &cbs, NULL, 0), ==, 0);
	aero_node_free(n);
}

static void
test_time_backwards(void)
{
	aero_node *n = mk_relay(); /* created at 1000 */
	struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL};
	uint8_t pkt[64] = {0x60};
	struct aero_loc l = aero_loc_v4(192, 0, 2, 1, 8060);
	struct aero_prefix p = {.prefix = tu_in6("2001:db8::"), .plen = 32};
	struct aero_peer peer = {.loc = l, .id = 2};

	g_assert_cmpint(aero_node_timeout(n, 999), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_recv(n, &pi, pkt, sizeof pkt, 999), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_set_locator(n, &l, 999), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_route_update(n, true, &p, &peer, 999), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_name_answer(n, "x", NULL, 0, 999), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_shutdown(n, 999), ==, AERO_ERR_INVAL);
	g_assert_cmpuint(CNT(n, rx_packets), ==, 0); /* nothing was processed */
	/* equal time is fine, and then later */
	g_assert_cmpint(aero_node_timeout(n, 1000), ==, 0);
	g_assert_cmpint(aero_node_timeout(n, 5000), ==, 0);
	g_assert_cmpint(aero_node_timeout(n, 4999), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_recv(n, &pi, pkt, sizeof pkt, 5000), ==, 0);
	g_assert_cmpuint(CNT(n, rx_packets), ==, 1);
	/* NULL arguments */
	g_assert_cmpint(aero_node_recv(NULL, &pi, pkt, 1, 6000), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_recv(n, NULL, pkt, 1, 6000), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_recv(n, &pi, NULL, 1, 6000), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_timeout(NULL, 6000), ==, AERO_ERR_INVAL);
	struct aero_out o;
	g_assert_cmpint(aero_node_poll(n, NULL), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_poll(NULL, &o), ==, AERO_ERR_INVAL);
	struct aero_loc bad = {0};
	g_assert_cmpint(aero_node_set_locator(n, &bad, 6000), ==, AERO_ERR_INVAL);
	p.plen = 129;
	g_assert_cmpint(aero_node_route_update(n, true, &p, &peer, 6000), ==, AERO_ERR_INVAL);
	g_assert_cmpuint(aero_node_deadline(NULL), ==, AERO_TSTAMP_NONE);
	g_assert_cmpuint(aero_node_counter(NULL, "rx_packets"), ==, 0);
	g_assert_cmpuint(aero_node_counter(n, "no_such_counter"), ==, 0);
	g_assert_null(aero_node_dump_json(NULL));
	aero_node_free(n);
}

/* ---- locators ---------------------------------------------------------------- */

static void
test_loc(void)
{
	static const struct {
		const char *in;
		uint16_t defport;
		const char *out; /* NULL: rejected */
		uint8_t family;
	} rows[] = {
		{"192.0.2.1:8060", 1, "192.0.2.1:8060", 4},
		{"192.0.2.1", 8060, "192.0.2.1:8060", 4},
		{"0.0.0.0:0", 1, "0.0.0.0:0", 4},
		{"255.255.255.255:65535", 1, "255.255.255.255:65535", 4},
		{"[2001:db8::1]:8060", 1, "[2001:db8::1]:8060", 6},
		{"[2001:DB8:0:0::1]:80", 1, "[2001:db8::1]:80", 6},
		{"[::1]", 9, "[::1]:9", 6},
		{"2001:db8::1", 8060, "[2001:db8::1]:8060", 6},
		{"::", 5, "[::]:5", 6},
		{"::ffff:192.0.2.1", 5, "[::ffff:192.0.2.1]:5", 6},
		{"[::ffff:192.0.2.1]:7", 5, "[::ffff:192.0.2.1]:7", 6},
		{"fe80::1:2", 5, "[fe80::1:2]:5", 6},
		{"", 1, NULL, 0},
		{"192.0.2.1:", 1, NULL, 0},
		{"192.0.2.1:65536", 1, NULL, 0},
		{"192.0.2.1:-1", 1, NULL, 0},
		{"192.0.2.1:80x", 1, NULL, 0},
		{"192.0.2.256", 1, NULL, 0},
		{"192.0.2", 1, NULL, 0},
		{"example.net:80", 1, NULL, 0},
		{"[2001:db8::1]", 1, "[2001:db8::1]:1", 6},
		{"[2001:db8::1]:", 1, NULL, 0},
		{"[2001:db8::1]x", 1, NULL, 0},
		{"[2001:db8::1", 1, NULL, 0},
		{"[192.0.2.1]:80", 1, NULL, 0},
		{"[]:80", 1, NULL, 0},
		{"2001:db8::1:8060:", 1, NULL, 0},
		{"2001:db8::g", 1, NULL, 0},
		{"garbage", 1, NULL, 0},
		{"1:2:3:4:5:6:7:8:9", 1, NULL, 0},
		{"[1111:2222:3333:4444:5555:6666:7777:8888]:65535", 1,
		 "[1111:2222:3333:4444:5555:6666:7777:8888]:65535", 6},
		{"[1111:2222:3333:4444:5555:6666:7777:8888]:655350000000000000000000", 1, NULL, 0},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct aero_loc l, keep;
		memset(&l, 0x5a, sizeof l);
		keep = l;
		int rc = aero_loc_parse(&l, rows[i].in, rows[i].defport);
		if (!rows[i].out) {
			if (rc != AERO_ERR_INVAL)
				g_error("\"%s\" accepted", rows[i].in);
			g_assert_cmpmem(&l, sizeof l, &keep, sizeof keep); /* untouched */
			continue;
		}
		if (rc != 0)
			g_error("\"%s\" rejected", rows[i].in);
		g_assert_cmpuint(l.family, ==, rows[i].family);
		char buf[56];
		g_assert_cmpstr(aero_loc_format(&l, buf, sizeof buf), ==, rows[i].out);
		/* the formatted form parses back to the same locator */
		struct aero_loc back;
		g_assert_cmpint(aero_loc_parse(&back, buf, 1), ==, 0);
		g_assert_true(aero_loc_equal(&back, &l));
	}
	/* a very long string */
	char longs[300];
	memset(longs, '1', sizeof longs - 1);
	longs[sizeof longs - 1] = 0;
	struct aero_loc l;
	g_assert_cmpint(aero_loc_parse(&l, longs, 1), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_loc_parse(NULL, "1.2.3.4", 1), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_loc_parse(&l, NULL, 1), ==, AERO_ERR_INVAL);

	/* builders and equality */
	struct aero_loc a = aero_loc_v4(192, 0, 2, 1, 8060), b;
	g_assert_cmpint(aero_loc_parse(&b, "192.0.2.1:8060", 0), ==, 0);
	g_assert_true(aero_loc_equal(&a, &b));
	b.port = 8061;
	g_assert_false(aero_loc_equal(&a, &b));
	struct aero_in6 ip = tu_in6("2001:db8::1");
	struct aero_loc c = aero_loc_v6(&ip, 8060), d;
	g_assert_cmpint(aero_loc_parse(&d, "[2001:db8::1]:8060", 0), ==, 0);
	g_assert_true(aero_loc_equal(&c, &d));
	g_assert_false(aero_loc_equal(&a, &c));
	/* v4 equality ignores the unused bytes */
	struct aero_loc e = a;
	e.ip[10] = 0x77;
	g_assert_true(aero_loc_equal(&a, &e));
	/* format of an unset locator, and truncation */
	struct aero_loc unset = {0};
	char buf[56];
	g_assert_cmpstr(aero_loc_format(&unset, buf, sizeof buf), ==, "-");
	char small[8];
	aero_loc_format(&a, small, sizeof small);
	g_assert_cmpstr(small, ==, "192.0.2");

	/* in6 */
	struct aero_in6 x;
	g_assert_cmpint(aero_in6_parse(&x, "2001:db8::5"), ==, 0);
	g_assert_cmpstr(aero_in6_format(&x, buf, sizeof buf), ==, "2001:db8::5");
	g_assert_cmpint(aero_in6_parse(&x, "2001:db8::5/64"), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_in6_parse(&x, "192.0.2.1"), ==, AERO_ERR_INVAL);
}

static void
test_names(void)
{
	g_assert_cmpstr(aero_role_name(AERO_ROLE_CLIENT), ==, "client");
	g_assert_cmpstr(aero_role_name(AERO_ROLE_SERVER), ==, "server");
	g_assert_cmpstr(aero_role_name(AERO_ROLE_RELAY), ==, "relay");
	g_assert_cmpstr(aero_role_name((enum aero_role)9), ==, "unknown");
	g_assert_cmpstr(aero_model_name(AERO_MODEL_HYBRID), ==, "hybrid");
	g_assert_cmpstr(aero_event_name(AERO_EV_PREFIX_DELEGATED), ==, "prefix-delegated");
	g_assert_cmpstr(aero_event_name(AERO_EV__COUNT), ==, "unknown");
	for (int t = 0; t < AERO_EV__COUNT; t++) {
		const char *s = aero_event_name((enum aero_event_type)t);
		g_assert_nonnull(s);
		g_assert_cmpstr(s, !=, "unknown");
	}
	g_assert_cmpstr(aero_strerror(0), ==, "ok");
	g_assert_cmpstr(aero_strerror(AERO_ERR_FULL), ==, "table full");
	g_assert_cmpstr(aero_strerror(-99), ==, "unknown error");
}

/* ---- outer frames ------------------------------------------------------------ */

static const uint8_t inner_stub[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3b, 0x40, /* IPv6, no next header */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
};

static struct aero_out
mk_out(bool v6)
{
	struct aero_out o = {.kind = AERO_OUT_PACKET};
	struct aero_in6 a = tu_in6("2001:db8:ffff::1"), b = tu_in6("2001:db8:ffff::2");

	o.pi.side = AERO_SIDE_UNDERLAY;
	o.pi.src = v6 ? aero_loc_v6(&a, 8060) : aero_loc_v4(192, 0, 2, 1, 8060);
	o.pi.dst = v6 ? aero_loc_v6(&b, 40001) : aero_loc_v4(198, 51, 100, 2, 40001);
	o.pi.tclass = 0xb9; /* DSCP 46, ECT(1) */
	o.pi.ttl = 57;
	o.pi.flow_label = v6 ? 0xabcde : 0;
	o.data = inner_stub;
	o.len = sizeof inner_stub;
	return o;
}

static void
test_out_frame(void)
{
	uint8_t buf[256];
	struct aero_out o4 = mk_out(false), o6 = mk_out(true);
	GPtrArray *frames = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);

	/* IPv4: zero UDP checksum, DF = 0 (digest 3.1, 8.6) */
	int k = aero_out_frame(&o4, buf, sizeof buf, 0x1234);
	g_assert_cmpint(k, ==, 20 + 8 + (int)sizeof inner_stub);
	struct aero_ipv4 h4;
	g_assert_cmpint(aero_wire_ipv4_decode(&h4, buf, (size_t)k, 0), ==, k);
	g_assert_cmpuint(h4.id, ==, 0x1234);
	g_assert_cmpuint(h4.ttl, ==, 57);
	g_assert_cmpuint(h4.dscp, ==, 46);
	g_assert_cmpuint(h4.ecn, ==, 1);
	g_assert_cmpuint(h4.proto, ==, 17);
	g_assert_false(h4.df);
	g_assert_false(h4.mf);
	tu_assert_in4(h4.src, "192.0.2.1");
	tu_assert_in4(h4.dst, "198.51.100.2");
	struct aero_ip_pseudo ps;
	aero_wire_ipv4_pseudo(&ps, &h4);
	struct aero_udp u;
	g_assert_cmpint(aero_wire_udp_decode(&u, h4.payload, h4.payload_len, &ps, 0), >, 0);
	g_assert_cmpuint(u.checksum, ==, 0);
	g_assert_cmpuint(u.src_port, ==, 8060);
	g_assert_cmpuint(u.dst_port, ==, 40001);
	tu_assert_bytes(u.payload, u.payload_len, inner_stub, sizeof inner_stub);
	g_ptr_array_add(frames, g_bytes_new(buf, (gsize)k));

	/* IPv6: computed UDP checksum, flow label, hop limit, TC */
	k = aero_out_frame(&o6, buf, sizeof buf, 0x1234);
	g_assert_cmpint(k, ==, 40 + 8 + (int)sizeof inner_stub);
	struct aero_ipv6 h6;
	g_assert_cmpint(aero_wire_ipv6_decode(&h6, buf, (size_t)k), ==, k);
	g_assert_cmpuint(h6.flow_label, ==, 0xabcde);
	g_assert_cmpuint(h6.hop_limit, ==, 57);
	g_assert_cmpuint(h6.dscp, ==, 46);
	g_assert_cmpuint(h6.ecn, ==, 1);
	g_assert_cmpuint(h6.next_header, ==, 17);
	tu_assert_in6(h6.src, "2001:db8:ffff::1");
	tu_assert_in6(h6.dst, "2001:db8:ffff::2");
	aero_wire_ipv6_pseudo(&ps, &h6);
	g_assert_cmpint(aero_wire_udp_decode(&u, h6.payload, h6.payload_len, &ps, 0), >, 0);
	g_assert_cmpuint(u.checksum, !=, 0);
	tu_assert_bytes(u.payload, u.payload_len, inner_stub, sizeof inner_stub);
	/* a wrong checksum would be caught: flip a payload bit */
	buf[k - 1] ^= 1;
	g_assert_cmpint(aero_wire_udp_decode(&u, h6.payload, h6.payload_len, &ps, 0),
	                ==, AERO_WIRE_E_CHECKSUM);
	buf[k - 1] ^= 1;
	g_ptr_array_add(frames, g_bytes_new(buf, (gsize)k));

	/* errors: capacity, tunnel-side packets, events */
	g_assert_cmpint(aero_out_frame(&o6, buf, 40 + 8 + sizeof inner_stub - 1, 0),
	                ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_out_frame(&o4, buf, 20, 0), ==, AERO_ERR_INVAL);
	struct aero_out t = o4;
	t.pi.side = AERO_SIDE_TUNNEL;
	g_assert_cmpint(aero_out_frame(&t, buf, sizeof buf, 0), ==, AERO_ERR_INVAL);
	t = o4;
	t.kind = AERO_OUT_EVENT;
	g_assert_cmpint(aero_out_frame(&t, buf, sizeof buf, 0), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_out_frame(NULL, buf, sizeof buf, 0), ==, AERO_ERR_INVAL);
	/* an IPv4 source cannot go in an IPv6 header, nor an unset locator */
	t = o6;
	t.pi.src = o4.pi.src;
	g_assert_cmpint(aero_out_frame(&t, buf, sizeof buf, 0), ==, AERO_ERR_INVAL);
	t = o4;
	t.pi.dst = o6.pi.dst;
	g_assert_cmpint(aero_out_frame(&t, buf, sizeof buf, 0), ==, AERO_ERR_INVAL);
	t = o4;
	t.pi.src.family = t.pi.dst.family = 0;
	g_assert_cmpint(aero_out_frame(&t, buf, sizeof buf, 0), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_out_frame(&o4, NULL, sizeof buf, 0), ==, AERO_ERR_INVAL);

	/* independent decoder: tshark */
	gchar *dir = g_dir_make_tmp("aero-node-api-XXXXXX", NULL);
	g_assert_nonnull(dir);
	gchar *path = g_build_filename(dir, "frames.pcap", NULL);
	tu_pcap_write_raw(path, frames);
	static const char *const fields[] = {
		"ip.ttl", "ip.id", "ip.dsfield", "ip.flags.df", "ip.checksum.status",
		"ipv6.hlim", "ipv6.flow", "ipv6.tclass", "udp.srcport", "udp.dstport",
		"udp.checksum", "udp.checksum.status", "ipv6.dst", NULL};
	static const char *const extra[] = {"-o", "udp.check_checksum:TRUE",
	                                    "-o", "ip.check_checksum:TRUE",
	                                    "-d", "udp.port==8060,ipv6", NULL};
	GPtrArray *rows = tu_tshark_fields(path, fields, extra);
	g_assert_cmpuint(rows->len, ==, 2);
	GHashTable *r4 = g_ptr_array_index(rows, 0), *r6 = g_ptr_array_index(rows, 1);
	g_assert_cmpstr(g_hash_table_lookup(r4, "ip.ttl"), ==, "57");
	g_assert_cmpuint(strtoul(g_hash_table_lookup(r4, "ip.id"), NULL, 0), ==, 0x1234);
	g_assert_cmpuint(strtoul(g_hash_table_lookup(r4, "ip.dsfield"), NULL, 0), ==, 0xb9);
	g_assert_cmpstr(g_hash_table_lookup(r4, "ip.flags.df"), !=, "1");
	g_assert_cmpstr(g_hash_table_lookup(r4, "ip.checksum.status"), ==, "1" /* good */);
	g_assert_cmpuint(strtoul(g_hash_table_lookup(r4, "udp.checksum"), NULL, 0), ==, 0);
	g_assert_cmpstr(g_hash_table_lookup(r4, "udp.srcport"), ==, "8060");
	g_assert_cmpstr(g_hash_table_lookup(r4, "udp.dstport"), ==, "40001");
	/* inner IPv6 decoded behind the UDP header */
	g_assert_cmpstr(g_hash_table_lookup(r4, "ipv6.dst"), ==, "2001:db8::2");
	const char *hlim = g_hash_table_lookup(r6, "ipv6.hlim");
	g_assert_true(g_str_has_prefix(hlim, "57"));
	g_assert_cmpuint(strtoul(g_hash_table_lookup(r6, "ipv6.flow"), NULL, 0), ==, 0xabcde);
	g_assert_cmpuint(strtoul(g_hash_table_lookup(r6, "ipv6.tclass"), NULL, 0), ==, 0xb9);
	g_assert_cmpstr(g_hash_table_lookup(r6, "udp.checksum.status"), ==, "1" /* good */);
	g_ptr_array_unref(rows);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
	g_ptr_array_unref(frames);
}

static void
test_out_format(void)
{
	char buf[512];
	struct aero_out o = mk_out(false);

	g_assert_cmpstr(aero_out_format(&o, buf, sizeof buf), ==,
	                "packet underlay 192.0.2.1:8060 -> 198.51.100.2:40001 len 40 tc 185 ttl 57");
	o.pi.side = AERO_SIDE_TUNNEL;
	o.pi.ifindex = 3;
	g_assert_cmpstr(aero_out_format(&o, buf, sizeof buf), ==, "packet tunnel if 3 len 40");
	struct aero_out e = {.kind = AERO_OUT_EVENT};
	e.ev.type = AERO_EV_NEIGHBOR_UP;
	e.ev.addr = tu_in6("fe80::2");
	e.ev.loc = aero_loc_v4(192, 0, 2, 2, 8060);
	e.ev.name = "server";
	aero_out_format(&e, buf, sizeof buf);
	g_assert_true(g_str_has_prefix(buf, "event neighbor-up server "));
	g_assert_nonnull(strstr(buf, "addr fe80::2 "));
	g_assert_nonnull(strstr(buf, "loc 192.0.2.2:8060 "));
	e.ev.name = NULL;
	aero_out_format(&e, buf, sizeof buf);
	g_assert_true(g_str_has_prefix(buf, "event neighbor-up prefix "));
	/* truncation is safe */
	char small[10];
	aero_out_format(&e, small, sizeof small);
	g_assert_cmpuint(strlen(small), ==, 9);
}

/* ---- the timer heap ------------------------------------------------------------ */

struct tt {
	struct tmr t; /* first member */
	int id;
	int fired;
	aero_tstamp fired_at, armed_for;
};

#define NT 300
static struct tt tts[NT];
static int fire_log[4 * NT];
static int n_fire;
static aero_tstamp last_when;
static int cancel_victim = -1;   /* cancelled by the next callback */
static int rearm_left;           /* callbacks that re-arm at now */

static void
tt_fire(struct aero_node *n, struct tmr *t)
{
	struct tt *x = (struct tt *)t;

	g_assert_false(tmr_armed(t)); /* disarmed before the callback */
	g_assert_cmpuint(t->hidx, ==, SIZE_MAX);
	g_assert_cmpuint(x->armed_for, <=, n->now);
	g_assert_cmpuint(x->armed_for, >=, last_when); /* deadline order */
	last_when = x->armed_for;
	x->fired++;
	x->fired_at = n->now;
	g_assert_cmpint(n_fire, <, (int)G_N_ELEMENTS(fire_log));
	fire_log[n_fire++] = x->id;
	if (cancel_victim >= 0) {
		tmr_cancel(n, &tts[cancel_victim].t);
		cancel_victim = -1;
	}
	if (rearm_left > 0) {
		rearm_left--;
		x->armed_for = n->now;
		tmr_set(n, t, n->now);
	}
}

/* The heap invariant, the index of every entry, and our timers in it. */
static void
check_heap(aero_node *n)
{
	GPtrArray *h = n->heap;
	aero_tstamp min = AERO_TSTAMP_NONE;

	for (guint i = 0; i < h->len; i++) {
		struct tmr *t = g_ptr_array_index(h, i);
		g_assert_cmpuint(t->hidx, ==, i);
		g_assert_true(tmr_armed(t));
		if (i > 0) {
			struct tmr *p = g_ptr_array_index(h, (i - 1) / 2);
			g_assert_cmpuint(p->when, <=, t->when);
		}
		min = MIN(min, t->when);
	}
	g_assert_cmpuint(aero_node_deadline(n), ==, min);
	for (int i = 0; i < NT; i++) {
		struct tmr *t = &tts[i].t;
		if (!tmr_armed(t)) {
			g_assert_cmpuint(t->hidx, ==, SIZE_MAX);
			continue;
		}
		g_assert_cmpuint(t->hidx, <, h->len);
		g_assert_true(g_ptr_array_index(h, t->hidx) == t);
		g_assert_cmpuint(t->when, ==, tts[i].armed_for);
	}
}

static aero_node *
timers_setup(void)
{
	aero_node *n = mk_relay();

	memset(tts, 0, sizeof tts);
	for (int i = 0; i < NT; i++) {
		tmr_init(&tts[i].t, tt_fire);
		tts[i].id = i;
	}
	n_fire = 0;
	last_when = 0;
	cancel_victim = -1;
	rearm_left = 0;
	return n;
}

static void
timers_teardown(aero_node *n)
{
	for (int i = 0; i < NT; i++)
		tmr_cancel(n, &tts[i].t);
	aero_node_free(n);
}

static void
test_timers_random(void)
{
	GRand *g = tu_rand();
	aero_node *n = timers_setup();
	aero_tstamp now = 1000;

	for (int round = 0; round < 40; round++) {
		/* a burst of set / re-arm / cancel */
		for (int k = 0; k < 200; k++) {
			int i = g_rand_int_range(g, 0, NT);
			struct tt *x = &tts[i];
			int op = g_rand_int_range(g, 0, 10);
			if (op < 7) {
				/* many equal deadlines: a coarse grid */
				aero_tstamp w = now + (aero_tstamp)g_rand_int_range(g, 0, 50) * 100;
				x->armed_for = w;
				if (op == 6)
					tmr_set_in(n, &x->t, w - now);
				else
					tmr_set(n, &x->t, w);
			} else if (op < 9) {
				tmr_cancel(n, &x->t);
				tmr_cancel(n, &x->t); /* twice is harmless */
			} else {
				tmr_set(n, &x->t, AERO_TSTAMP_NONE); /* = cancel */
				g_assert_false(tmr_armed(&x->t));
			}
			check_heap(n);
		}
		/* advance: exactly the due timers fire, in deadline order */
		int before[NT];
		bool due[NT];
		aero_tstamp to = now + (aero_tstamp)g_rand_int_range(g, 0, 3000);
		for (int i = 0; i < NT; i++) {
			before[i] = tts[i].fired;
			due[i] = tmr_armed(&tts[i].t) && tts[i].armed_for <= to;
		}
		last_when = 0;
		n_fire = 0;
		g_assert_cmpint(aero_node_timeout(n, to), ==, 0);
		for (int i = 0; i < NT; i++) {
			g_assert_cmpint(tts[i].fired - before[i], ==, due[i] ? 1 : 0);
			if (due[i])
				g_assert_cmpuint(tts[i].fired_at, ==, to);
		}
		check_heap(n);
		g_assert_cmpuint(aero_node_deadline(n), >, to);
		now = to;
	}
	g_rand_free(g);
	timers_teardown(n);
}

static void
test_timers_edges(void)
{
	aero_node *n = timers_setup();
	aero_tstamp T = 10000;

	/* equal deadlines: all fire together, not a tick early */
	for (int i = 0; i < 50; i++) {
		tts[i].armed_for = T;
		tmr_set(n, &tts[i].t, T);
	}
	g_assert_cmpuint(aero_node_deadline(n), ==, T);
	g_assert_cmpint(aero_node_timeout(n, T - 1), ==, 0);
	g_assert_cmpint(n_fire, ==, 0);
	g_assert_cmpint(aero_node_timeout(n, T), ==, 0);
	g_assert_cmpint(n_fire, ==, 50);
	for (int i = 0; i < 50; i++)
		g_assert_cmpint(tts[i].fired, ==, 1);
	check_heap(n);

	/* re-arming moves a timer both ways */
	n_fire = 0;
	last_when = 0;
	T = 20000;
	for (int i = 0; i < 10; i++) {
		tts[i].armed_for = T + (aero_tstamp)i;
		tmr_set(n, &tts[i].t, tts[i].armed_for);
	}
	tts[9].armed_for = T - 5; /* later one becomes first */
	tmr_set(n, &tts[9].t, T - 5);
	tts[0].armed_for = T + 100; /* first one becomes last */
	tmr_set(n, &tts[0].t, T + 100);
	check_heap(n);
	g_assert_cmpuint(aero_node_deadline(n), ==, T - 5);
	g_assert_cmpint(aero_node_timeout(n, T + 100), ==, 0);
	static const int order[] = {9, 1, 2, 3, 4, 5, 6, 7, 8, 0};
	g_assert_cmpint(n_fire, ==, 10);
	g_assert_cmpmem(fire_log, sizeof order, order, sizeof order);

	/* cancel from inside a callback: the victim, due at the same time
	 * and later, never fires */
	n_fire = 0;
	last_when = 0;
	T = 30000;
	tts[0].armed_for = T;
	tmr_set(n, &tts[0].t, T);
	tts[1].armed_for = T + 1;
	tmr_set(n, &tts[1].t, T + 1);
	cancel_victim = 1;
	g_assert_cmpint(aero_node_timeout(n, T + 10), ==, 0);
	g_assert_cmpint(n_fire, ==, 1);
	g_assert_cmpint(fire_log[0], ==, 0);
	g_assert_false(tmr_armed(&tts[1].t));
	check_heap(n);
	/* same deadline: whichever runs first cancels the other */
	n_fire = 0;
	last_when = 0;
	T = 40000;
	tts[2].armed_for = tts[3].armed_for = T;
	tmr_set(n, &tts[2].t, T);
	tmr_set(n, &tts[3].t, T);
	cancel_victim = -2; /* set below by peeking at the heap top */
	int first = ((struct tt *)g_ptr_array_index(n->heap, 0))->id;
	g_assert_true(first == 2 || first == 3);
	cancel_victim = first == 2 ? 3 : 2;
	g_assert_cmpint(aero_node_timeout(n, T), ==, 0);
	g_assert_cmpint(n_fire, ==, 1);
	g_assert_cmpint(fire_log[0], ==, first);
	check_heap(n);

	/* a callback that re-arms at now runs again in the same call */
	n_fire = 0;
	last_when = 0;
	T = 50000;
	tts[4].armed_for = T;
	tmr_set(n, &tts[4].t, T);
	rearm_left = 3;
	int f4 = tts[4].fired;
	g_assert_cmpint(aero_node_timeout(n, T + 7), ==, 0);
	g_assert_cmpint(tts[4].fired - f4, ==, 4);
	g_assert_false(tmr_armed(&tts[4].t));

	/* overflow of tmr_set_in: armed, far away */
	tts[5].armed_for = AERO_TSTAMP_NONE - 1;
	tmr_set_in(n, &tts[5].t, UINT64_MAX - 3);
	g_assert_true(tmr_armed(&tts[5].t));
	check_heap(n);
	tmr_cancel(n, &tts[5].t);
	check_heap(n);
	timers_teardown(n);
}

/* ---- counters and the JSON dump -------------------------------------------------- */

static void
test_counters(void)
{
	aero_node *n = mk_relay();
	struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL};
	uint8_t junk[10] = {0};

	aero_node_recv(n, &pi, junk, sizeof junk, 2000);
	aero_node_recv(n, &pi, junk, sizeof junk, 2000);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	size_t i;
	const char *name;
	uint64_t v;
	for (i = 0; (name = aero_node_counter_at(n, i, &v)); i++) {
		g_assert_cmpuint(strlen(name), >, 0);
		for (const char *p = name; *p; p++)
			g_assert_true(g_ascii_islower(*p) || g_ascii_isdigit(*p) || *p == '_');
		g_assert_false(g_hash_table_contains(seen, name)); /* unique */
		g_hash_table_add(seen, (gpointer)name);
		g_assert_cmpuint(aero_node_counter(n, name), ==, v);
		g_assert_true(aero_node_counter_at(n, i, NULL) == name);
	}
	g_assert_cmpuint(i, ==, CNT__COUNT);
	g_assert_null(aero_node_counter_at(n, i + 1, &v));
	g_assert_null(aero_node_counter_at(NULL, 0, &v));
	g_assert_true(g_hash_table_contains(seen, "rx_packets"));
	g_assert_true(g_hash_table_contains(seen, "drop_bad_icv"));
	g_assert_cmpuint(CNT(n, rx_packets), ==, 2);
	g_assert_cmpuint(CNT(n, rx_tunnel), ==, 2);
	g_assert_cmpuint(CNT(n, drop_tunnel_malformed), ==, 2);
	g_hash_table_unref(seen);
	aero_node_free(n);
}

static void
test_dump_json(void)
{
	if (!g_file_test("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)) {
		g_test_skip("no /usr/bin/python3");
		return;
	}
	aero_node *n = mk_relay();
	struct aero_in6 a = tu_in6("fe80::2"), b = tu_in6("fe80::3");
	struct aero_loc la = aero_loc_v4(192, 0, 2, 2, 8060);
	struct aero_in6 ip6 = tu_in6("2001:db8::3");
	struct aero_loc lb = aero_loc_v6(&ip6, 8060);
	nce_create(n, &a, &la, NCE_SERVER);
	nce_create(n, &b, &lb, NCE_CLIENT);
	struct fib_nh nh = {.kind = NH_NEIGHBOR, .ll = a}, nh2 = {.kind = NH_NEIGHBOR, .ll = b};
	struct aero_in6 p = tu_in6("2001:db8:1::");
	fib_add(n, &p, 48, &nh, FIB_ORIGIN_LEARNED);
	fib_add(n, &p, 48, &nh2, FIB_ORIGIN_LEARNED);
	struct fib_nh bh = {.kind = NH_BLACKHOLE};
	p = tu_in6("2001:db8::");
	fib_add(n, &p, 32, &bh, FIB_ORIGIN_STATIC);

	char *js = aero_node_dump_json(n);
	g_assert_nonnull(js);
	gchar *dir = g_dir_make_tmp("aero-node-api-XXXXXX", NULL);
	gchar *path = g_build_filename(dir, "dump.json", NULL);
	g_assert_true(g_file_set_contents(path, js, -1, NULL));
	const char *script =
		"import json,sys\n"
		"d=json.load(open(sys.argv[1]))\n"
		"nb=d['neighbors']; rt=d['routes']; c=d['counters']\n"
		"r=[x for x in rt if x['prefix']=='2001:db8:1::/48'][0]\n"
		"print(d['role'], d['ll'], d['locator'], len(nb), nb[0]['ll'], nb[1]['loc'],"
		" len(r['nh']), r['nh'][1]['via'], c['nce_created'], len(c))\n";
	gchar *argv[] = {(gchar *)"/usr/bin/python3", (gchar *)"-c", (gchar *)script,
	                 path, NULL};
	gchar *out = NULL, *err = NULL;
	gint status;
	g_assert_true(g_spawn_sync(NULL, argv, NULL, 0, NULL, NULL, &out, &err,
	                           &status, NULL));
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("dump is not valid JSON: %s\n%s", err, js);
	gchar *want = g_strdup_printf("relay fe80::1 192.0.2.1:8060 %u fe80::2 [2001:db8::3]:8060 2 fe80::3 %llu %d\n",
	                              (unsigned)nce_count(n),
	                              (unsigned long long)CNT(n, nce_created),
	                              (int)CNT__COUNT);
	g_assert_cmpstr(out, ==, want);
	g_free(want);
	g_free(out);
	g_free(err);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
	g_free(js);
	aero_node_free(n);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/node-api/config/default", test_config_default);
	g_test_add_func("/node-api/config/reject", test_config_reject);
	g_test_add_func("/node-api/time-backwards", test_time_backwards);
	g_test_add_func("/node-api/loc", test_loc);
	g_test_add_func("/node-api/names", test_names);
	g_test_add_func("/node-api/out-frame", test_out_frame);
	g_test_add_func("/node-api/out-format", test_out_format);
	g_test_add_func("/node-api/timers/random", test_timers_random);
	g_test_add_func("/node-api/timers/edges", test_timers_edges);
	g_test_add_func("/node-api/counters", test_counters);
	g_test_add_func("/node-api/dump-json", test_dump_json);
	return g_test_run();
}
