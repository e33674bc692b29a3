/* Neighbour unreachability detection (core/src/nud.c), on a Server node. */
#include "testutil.h"
#include "../sim/nodefix.h"
#include "../../core/src/node.h"
#include "../../core/src/nud.h"

#define in6(s) tu_in6(s)

struct fx {
	aero_node *n;
	aero_tstamp now;
	uint32_t seed;
	GPtrArray *pkts; /* GBytes of underlay payloads */
	GPtrArray *dsts; /* struct aero_loc * */
	int down;        /* NEIGHBOR_DOWN events */
};

static void
fx_rand(uint8_t *dst, size_t len, void *user)
{
	struct fx *f = user;
	for (size_t i = 0; i < len; i++) {
		f->seed = f->seed * 1103515245u + 12345u;
		dst[i] = (uint8_t)(f->seed >> 16);
	}
}

static const struct aero_callbacks fx_cb = {.rand = fx_rand};
static const struct aero_loc SELF = {.family = 4, .ip = {192, 0, 2, 1}, .port = 8060};
static const struct aero_loc CL = {.family = 4, .ip = {198, 51, 100, 7}, .port = 40000};
static const struct aero_loc OTHER = {.family = 4, .ip = {198, 51, 100, 9}, .port = 40000};
static const char *CL_LL = "fe80::2001:db8:1000:0";

static void
fx_drain(struct fx *f)
{
	struct aero_out o;
	while (aero_node_poll(f->n, &o) == 1) {
		if (o.kind == AERO_OUT_PACKET && o.pi.side == AERO_SIDE_UNDERLAY) {
			g_ptr_array_add(f->pkts, g_bytes_new(o.data, o.len));
			g_ptr_array_add(f->dsts, g_memdup2(&o.pi.dst, sizeof o.pi.dst));
		} else if (o.kind == AERO_OUT_EVENT && o.ev.type == AERO_EV_NEIGHBOR_DOWN) {
			f->down++;
		}
	}
}

static void
fx_clear(struct fx *f)
{
	g_ptr_array_set_size(f->pkts, 0);
	g_ptr_array_set_size(f->dsts, 0);
}

static void
fx_start(struct fx *f)
{
	struct aero_config c;
	aero_config_default(&c, AERO_ROLE_SERVER);
	c.self = SELF;
	c.id = 1;
	c.pools[0].prefix = in6("2001:db8:1000::");
	c.pools[0].plen = 40;
	c.pools[0].deleg_len = 56;
	c.n_pools = 1;
	memset(f, 0, sizeof *f);
	f->now = AERO_SEC;
	f->seed = 3;
	f->pkts = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	f->dsts = g_ptr_array_new_with_free_func(g_free);
	g_assert_cmpint(aero_node_new(&f->n, &c, &fx_cb, f, f->now), ==, 0);
	fx_drain(f);
	fx_clear(f);
}

static void
fx_stop(struct fx *f)
{
	aero_node_free(f->n);
	g_ptr_array_unref(f->pkts);
	g_ptr_array_unref(f->dsts);
}

static void
drain_cb(void *f)
{
	fx_drain(f);
}

static void
fx_advance(struct fx *f, aero_duration d)
{
	tn_advance(f->n, &f->now, d, drain_cb, f);
}

static void
send_nd(struct fx *f, const struct aero_loc *from, const char *src,
        const char *dst, const struct aero_nd_msg *m)
{
	uint8_t pkt[512];
	struct aero_in6 s = in6(src), d = in6(dst);
	int k = build_nd(pkt, sizeof pkt, &s, &d, 255, m);
	g_assert_cmpint(k, >, 0);
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY, .src = *from,
	                          .dst = SELF, .ttl = 64};
	g_assert_cmpint(aero_node_recv(f->n, &pi, pkt, (size_t)k, f->now), ==, 0);
	fx_drain(f);
}

/* Decode underlay packet i as inner ND. */
static void
get_nd(struct fx *f, guint i, struct aero_nd_msg *m, struct aero_ipv6 *h)
{
	g_assert_cmpuint(i, <, f->pkts->len);
	gsize len;
	const uint8_t *d = g_bytes_get_data(g_ptr_array_index(f->pkts, i), &len);
	g_assert_cmpint(aero_wire_ipv6_decode(h, d, len), >, 0);
	g_assert_cmpuint(h->hop_limit, ==, 255);
	g_assert_cmpint(aero_wire_nd_decode(m, h->payload, h->payload_len,
	                &f->n->ndctx, &h->src, &h->dst), >, 0);
}

static struct nce *
mk_client(struct fx *f)
{
	struct aero_in6 ll = in6(CL_LL);
	struct nce *e = nce_create(f->n, &ll, &CL, NCE_CLIENT);
	g_assert_nonnull(e);
	fx_drain(f);
	return e;
}

static void
test_ns_answered(void)
{
	struct fx f;
	fx_start(&f);
	struct aero_nd_msg ns = {.type = AERO_ND_TYPE_NS, .target = in6("fe80::1")};
	send_nd(&f, &CL, CL_LL, "fe80::1", &ns);
	g_assert_cmpuint(f.pkts->len, ==, 1);
	g_assert_true(aero_loc_equal(g_ptr_array_index(f.dsts, 0), &CL));
	struct aero_nd_msg na;
	struct aero_ipv6 h;
	get_nd(&f, 0, &na, &h);
	g_assert_cmpuint(na.type, ==, AERO_ND_TYPE_NA);
	tu_assert_in6(na.target, "fe80::1");
	tu_assert_in6(h.src, "fe80::1");
	tu_assert_in6(h.dst, CL_LL);
	g_assert_true(na.na_solicited);
	g_assert_true(na.na_router);
	g_assert_true(na.opts.has_tllao);
	g_assert_cmpint(na.opts.tllao.form, ==, AERO_ND_LLA_P1);
	g_assert_cmpuint(na.opts.tllao.port, ==, 8060);
	tu_assert_in6(na.opts.tllao.addr, "::ffff:192.0.2.1");
	g_assert_cmpuint(aero_node_counter(f.n, "nud_na_sent"), ==, 1);
	/* an NS for another target is not NUD's */
	fx_clear(&f);
	ns.target = in6("fe80::77");
	send_nd(&f, &CL, CL_LL, "fe80::77", &ns);
	g_assert_cmpuint(f.pkts->len, ==, 0);
	g_assert_cmpuint(aero_node_counter(f.n, "drop_unexpected_ctl"), ==, 1);
	fx_stop(&f);
}

static void
test_probe_confirmed(void)
{
	struct fx f;
	fx_start(&f);
	struct nce *e = mk_client(&f);
	nud_used(f.n, e); /* fresh: nothing */
	g_assert_cmpint(e->state, ==, NCE_REACHABLE);
	g_assert_cmpuint(aero_node_deadline(f.n), ==, AERO_TSTAMP_NONE);
	fx_advance(&f, 31 * AERO_SEC);
	nud_used(f.n, e);
	g_assert_cmpint(e->state, ==, NCE_DELAY);
	g_assert_cmpuint(aero_node_deadline(f.n), ==, f.now + 5 * AERO_SEC);
	nud_used(f.n, e); /* already running */
	fx_advance(&f, 5 * AERO_SEC);
	g_assert_cmpint(e->state, ==, NCE_PROBE);
	g_assert_cmpuint(f.pkts->len, ==, 1);
	g_assert_true(aero_loc_equal(g_ptr_array_index(f.dsts, 0), &CL));
	struct aero_nd_msg m;
	struct aero_ipv6 h;
	get_nd(&f, 0, &m, &h);
	g_assert_cmpuint(m.type, ==, AERO_ND_TYPE_NS);
	tu_assert_in6(m.target, CL_LL);
	tu_assert_in6(h.dst, CL_LL);
	tu_assert_in6(h.src, "fe80::1");

	/* NA from another locator: no confirmation */
	struct aero_nd_msg na = {.type = AERO_ND_TYPE_NA, .target = in6(CL_LL),
	                         .na_solicited = true};
	send_nd(&f, &OTHER, CL_LL, "fe80::1", &na);
	g_assert_cmpuint(aero_node_counter(f.n, "drop_nud_na_locator"), ==, 1);
	/* unsolicited NA: no confirmation either */
	na.na_solicited = false;
	send_nd(&f, &CL, CL_LL, "fe80::1", &na);
	g_assert_cmpuint(aero_node_counter(f.n, "nud_na_unsolicited"), ==, 1);
	g_assert_cmpint(e->state, ==, NCE_PROBE);
	/* the answer */
	na.na_solicited = true;
	send_nd(&f, &CL, CL_LL, "fe80::1", &na);
	g_assert_cmpint(e->state, ==, NCE_REACHABLE);
	g_assert_cmpuint(aero_node_counter(f.n, "nud_confirmed"), ==, 1);
	fx_clear(&f);
	fx_advance(&f, 10 * AERO_SEC); /* no more probes */
	g_assert_cmpuint(f.pkts->len, ==, 0);
	g_assert_cmpint(e->state, ==, NCE_REACHABLE);
	g_assert_cmpuint(aero_node_deadline(f.n), ==, AERO_TSTAMP_NONE);
	/* NA for nobody */
	na.target = in6("fe80::4444");
	send_nd(&f, &CL, "fe80::4444", "fe80::1", &na);
	g_assert_cmpuint(aero_node_counter(f.n, "drop_nud_na_unknown"), ==, 1);
	fx_stop(&f);
}

static void
test_probe_exhausted(void)
{
	struct fx f;
	fx_start(&f);
	struct nce *e = mk_client(&f);
	fx_advance(&f, 31 * AERO_SEC);
	nud_used(f.n, e);
	fx_advance(&f, 5 * AERO_SEC);
	g_assert_cmpuint(f.pkts->len, ==, 1);
	fx_advance(&f, 1 * AERO_SEC);
	g_assert_cmpuint(f.pkts->len, ==, 2);
	fx_advance(&f, 1 * AERO_SEC);
	g_assert_cmpuint(f.pkts->len, ==, 3);
	g_assert_cmpint(e->state, ==, NCE_PROBE);
	g_assert_cmpint(f.down, ==, 0);
	fx_advance(&f, 1 * AERO_SEC);
	g_assert_cmpuint(f.pkts->len, ==, 3); /* MAX_UNICAST_SOLICIT = 3 */
	g_assert_cmpint(e->state, ==, NCE_UNREACHABLE);
	g_assert_cmpint(f.down, ==, 1);
	g_assert_cmpuint(aero_node_counter(f.n, "nud_probes"), ==, 3);
	g_assert_cmpuint(aero_node_counter(f.n, "nud_unreachable"), ==, 1);
	g_assert_cmpuint(aero_node_deadline(f.n), ==, AERO_TSTAMP_NONE);
	/* used again later: probing starts over */
	nud_used(f.n, e);
	g_assert_cmpint(e->state, ==, NCE_DELAY);
	/* a confirmation from elsewhere (nce_confirm) ends it */
	nce_confirm(f.n, e, NULL);
	fx_clear(&f);
	fx_advance(&f, 10 * AERO_SEC);
	g_assert_cmpuint(f.pkts->len, ==, 0);
	g_assert_cmpint(e->state, ==, NCE_REACHABLE);
	fx_stop(&f);
}

static void
test_probe_now_and_delete(void)
{
	struct fx f;
	fx_start(&f);
	struct nce *e = mk_client(&f);
	nud_probe(f.n, e);
	g_assert_cmpuint(f.pkts->len, ==, 0);
	fx_drain(&f);
	g_assert_cmpuint(f.pkts->len, ==, 1);
	g_assert_cmpint(e->state, ==, NCE_PROBE);
	/* deleting the entry with its timer armed is safe */
	nce_delete(f.n, e);
	fx_advance(&f, 10 * AERO_SEC);
	g_assert_cmpuint(f.pkts->len, ==, 1);
	fx_stop(&f);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nud/ns_answered", test_ns_answered);
	g_test_add_func("/nud/probe_confirmed", test_probe_confirmed);
	g_test_add_func("/nud/probe_exhausted", test_probe_exhausted);
	g_test_add_func("/nud/probe_now_and_delete", test_probe_now_and_delete);
	return g_test_run();
}
