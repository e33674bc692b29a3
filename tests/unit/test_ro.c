/*
 * Route optimisation, P1 (core/src/ro.c; RFC 6706 6.4; digest 1.3, 3.6,
 * 6.7, 7.4, 8 items 4, 15, 16).
 *
 * Single nodes driven by hand: the Server/Relay/Client state the roles
 * would build (neighbour entries, FIB routes, the Client's AERO address)
 * is made with the internal API, the RO hooks are called directly, and
 * the RO messages each node emits are handed to the next node with
 * aero_node_recv. Independent of the role code being written beside it.
 */
#include "testutil.h"
#include "../sim/nodefix.h"
#include "../../core/src/node.h"
#include "../../core/src/ro.h"

#include <string.h>

#define CNT(n, name) aero_node_counter((n), #name)

static uint64_t prng = 0x5eed;

static void
rnd(uint8_t *d, size_t len, void *u)
{
	(void)u;
	for (size_t i = 0; i < len; i++) {
		prng = prng * 6364136223846793005ULL + 1442695040888963407ULL;
		d[i] = (uint8_t)(prng >> 56);
	}
}

static const struct aero_callbacks cbs = {.rand = rnd};
static aero_tstamp now;

/* ---- topology: B (2001:db8:1000:2000::/56) - S - D (2001:db8:2000:3000::/56) */

#define PB "2001:db8:1000:2000::"
#define PD "2001:db8:2000:3000::"
#define LL_B "fe80::2001:db8:1000:2000"
#define LL_D "fe80::2001:db8:2000:3000"

static const struct aero_loc LOC_S = {4, {192, 0, 2, 1}, 8060};
static const struct aero_loc LOC_S2 = {4, {192, 0, 2, 2}, 8060};
static const struct aero_loc LOC_R = {4, {192, 0, 2, 3}, 8060};
static const struct aero_loc LOC_B = {4, {198, 51, 100, 10}, 49152};
static const struct aero_loc LOC_D = {4, {203, 0, 113, 20}, 50000};


static aero_node *
mk_router(enum aero_role role, struct aero_loc self, uint32_t id)
{
	struct aero_config c;
	aero_node *n;
	aero_config_default(&c, role);
	c.self = self;
	c.id = id;
	if (role == AERO_ROLE_SERVER) {
		c.n_pools = 1;
		c.pools[0].prefix = tu_in6("2001:db8::");
		c.pools[0].plen = 32;
		c.pools[0].deleg_len = 56;
	}
	g_assert_cmpint(aero_node_new(&n, &c, &cbs, NULL, now), ==, 0);
	tn_drain(n);
	tn_fib_clear(n);
	return n;
}

/* A Client with AERO address ll (its own prefix is that /64 unless the
 * role knows a delegated one) and its Server at loc S / fe80::id. */
static aero_node *
mk_client(struct aero_loc self, const char *ll, struct aero_loc srv,
          uint32_t srv_id)
{
	struct aero_config c;
	aero_node *n;
	aero_config_default(&c, AERO_ROLE_CLIENT);
	c.self = self;
	c.n_prl = 1;
	c.prl[0].loc = srv;
	c.prl[0].id = srv_id;
	g_assert_cmpint(aero_node_new(&n, &c, &cbs, NULL, now), ==, 0);
	tn_drain(n);
	n->ll = tu_in6(ll);
	char sll[32];
	g_snprintf(sll, sizeof sll, "fe80::%x", srv_id);
	tn_nce(n, sll, srv, NCE_SERVER);
	tn_drain(n);
	return n;
}

/* One output of a node, copied. */
struct outp {
	struct aero_pktinfo pi;
	GBytes *data;
};

static void
outp_free(gpointer p)
{
	g_bytes_unref(((struct outp *)p)->data);
	g_free(p);
}

/* The RO (inner UDP/8060) packets among n's outputs, and its RO events. */
static GPtrArray *
take(aero_node *n, GArray *events)
{
	GPtrArray *v = g_ptr_array_new_with_free_func(outp_free);
	struct aero_out o;
	while (aero_node_poll(n, &o) == 1) {
		if (o.kind == AERO_OUT_EVENT) {
			if (events && (o.ev.type == AERO_EV_RO_UP ||
			               o.ev.type == AERO_EV_RO_DOWN))
				g_array_append_val(events, o.ev);
			continue;
		}
		if (o.pi.side != AERO_SIDE_UNDERLAY || o.len < 48 ||
		    o.data[6] != 17 || o.data[42] != 0x1f || o.data[43] != 0x7c)
			continue;
		struct outp *p = g_new0(struct outp, 1);
		p->pi = o.pi;
		p->data = g_bytes_new(o.data, o.len);
		g_ptr_array_add(v, p);
	}
	return v;
}

/* Exactly one RO packet from n; returns it (free with outp_free). */
static struct outp *
one(aero_node *n, GArray *events)
{
	GPtrArray *v = take(n, events);
	g_assert_cmpuint(v->len, ==, 1);
	struct outp *p = g_ptr_array_steal_index(v, 0);
	g_ptr_array_free(v, TRUE);
	return p;
}

static void
none(aero_node *n)
{
	GPtrArray *v = take(n, NULL);
	g_assert_cmpuint(v->len, ==, 0);
	g_ptr_array_free(v, TRUE);
}

/* Decode an RO packet: inner header and message. */
static void
decode(const struct outp *p, struct aero_ipv6 *h, struct aero_rfc6706_msg *m)
{
	gsize len;
	const uint8_t *d = g_bytes_get_data(p->data, &len);
	g_assert_cmpint(aero_wire_ipv6_decode(h, d, len), ==, (int)len);
	g_assert_cmpuint(len, <=, RO_MAX_PKT);
	g_assert_cmpuint(h->next_header, ==, 17);
	struct aero_udp u;
	struct aero_ip_pseudo ps = {.family = 6, .src = h->src, .dst = h->dst};
	g_assert_cmpint(aero_wire_udp_decode(&u, h->payload, h->payload_len, &ps, 0), >, 0);
	g_assert_cmpuint(u.src_port, ==, 8060);
	g_assert_cmpuint(u.dst_port, ==, 8060);
	g_assert_cmpint(aero_wire_rfc6706_decode(m, u.payload, u.payload_len, NULL), >, 0);
}

/* Deliver p (as sent) to node n arriving from locator from. */
static void
deliver(aero_node *n, const struct outp *p, struct aero_loc from)
{
	struct aero_pktinfo pi = p->pi;
	gsize len;
	const uint8_t *d = g_bytes_get_data(p->data, &len);
	pi.src = from;
	g_assert_cmpint(aero_node_recv(n, &pi, d, len, now), ==, 0);
}

static void
advance(aero_node **nodes, size_t k, aero_tstamp t)
{
	now = t;
	for (size_t i = 0; i < k; i++)
		aero_node_timeout(nodes[i], now);
}

/* A data packet src -> dst with plen bytes of UDP payload. */
static size_t
data_pkt(uint8_t *buf, size_t cap, const char *src, const char *dst, size_t plen)
{
	uint8_t pay[1400];
	struct aero_in6 s = tu_in6(src), d = tu_in6(dst);
	for (size_t i = 0; i < plen; i++)
		pay[i] = (uint8_t)i;
	int k = build_udp(buf, cap, &s, &d, 64, 1000, 2000, pay, plen);
	g_assert_cmpint(k, >, 0);
	return (size_t)k;
}

static void
mk_rx(struct rxctx *rx, struct aero_pktinfo *pi, struct aero_loc from,
      const uint8_t *pkt, size_t len)
{
	memset(rx, 0, sizeof *rx);
	memset(pi, 0, sizeof *pi);
	pi->side = AERO_SIDE_UNDERLAY;
	pi->src = from;
	rx->pi = pi;
	rx->pkt = pkt;
	rx->len = len;
	rx->from_underlay = true;
	g_assert_cmpint(aero_wire_ipv6_decode(&rx->ip6, pkt, len), >, 0);
}

static void
assert_loc(const struct aero_loc *a, const struct aero_loc *b)
{
	g_assert_true(aero_loc_equal(a, b));
}

/* ---- the single-Server scenario -------------------------------------------- */

struct net {
	aero_node *s, *b, *d;
	struct nce *s_b, *s_d;   /* Server's NCEs */
	uint8_t pkt[1500];
	size_t len;              /* a data packet B -> D */
};

static void
net_up(struct net *t, size_t payload)
{
	now = 1000 * AERO_SEC;
	t->s = mk_router(AERO_ROLE_SERVER, LOC_S, 1);
	t->s_b = tn_nce(t->s, LL_B, LOC_B, NCE_CLIENT);
	t->s_d = tn_nce(t->s, LL_D, LOC_D, NCE_CLIENT);
	tn_route(t->s, PB, 56, LL_B);
	tn_route(t->s, PD, 56, LL_D);
	tn_drain(t->s);
	t->b = mk_client(LOC_B, LL_B, LOC_S, 1);
	t->d = mk_client(LOC_D, LL_D, LOC_S, 1);
	t->len = data_pkt(t->pkt, sizeof t->pkt, PB "1", PD "1", payload);
}

static void
net_down(struct net *t)
{
	aero_node_free(t->s);
	aero_node_free(t->b);
	aero_node_free(t->d);
}

/* Server forwards B -> D: the Predirect to D. */
static struct outp *
server_predirect(struct net *t)
{
	struct rxctx rx;
	struct aero_pktinfo pi;
	mk_rx(&rx, &pi, LOC_B, t->pkt, t->len);
	ro_server_forwarded(t->s, &rx, t->s_b, t->s_d);
	return one(t->s, NULL);
}

/* Run the whole exchange; returns B's RO events. */
static GArray *
net_optimise(struct net *t)
{
	GArray *ev = g_array_new(FALSE, TRUE, sizeof(struct aero_event));
	struct outp *pre = server_predirect(t);
	deliver(t->d, pre, LOC_S);
	struct outp *red = one(t->d, NULL);
	deliver(t->s, red, LOC_D);
	struct outp *red2 = one(t->s, NULL);
	deliver(t->b, red2, LOC_S);
	GPtrArray *v = take(t->b, ev);
	g_assert_cmpuint(v->len, ==, 0);
	g_ptr_array_free(v, TRUE);
	outp_free(pre);
	outp_free(red);
	outp_free(red2);
	return ev;
}

static void
test_server_predirect(void)
{
	struct net t;
	struct aero_ipv6 h;
	struct aero_rfc6706_msg *m = g_new0(struct aero_rfc6706_msg, 1);
	net_up(&t, 1400 - 48);
	struct outp *p = server_predirect(&t);
	assert_loc(&p->pi.dst, &LOC_D);
	decode(p, &h, m);
	tu_assert_in6(h.src, "fe80::1");
	tu_assert_in6(h.dst, LL_D);
	g_assert_cmpuint(h.hop_limit, ==, RO_HOP_LIMIT);
	g_assert_true(m->p);
	tu_assert_in6(m->target, LL_B);
	tu_assert_in6(m->dest, LL_B);
	g_assert_true(m->opts.has_tllao);
	g_assert_cmpint(m->opts.tllao.form, ==, AERO_ND_LLA_P1);
	g_assert_cmpuint(m->opts.tllao.port, ==, 49152);
	tu_assert_in6(m->opts.tllao.addr, "::ffff:198.51.100.10");
	g_assert_cmpuint(m->opts.n_rio, ==, 1);
	tu_assert_in6(m->opts.rio[0].prefix, PB);
	g_assert_cmpuint(m->opts.rio[0].prefix_len, ==, 56);
	g_assert_cmpuint(m->opts.rio[0].lifetime, ==, 40);
	g_assert_true(m->opts.has_rho);
	/* the RHO quotes the packet from its start, truncated to fit 1280 */
	g_assert_cmpuint(m->opts.rho_len, >=, 40);
	g_assert_cmpuint(m->opts.rho_len, <, t.len);
	g_assert_cmpmem(m->opts.rho, 40, t.pkt, 40);
	g_assert_cmpuint(g_bytes_get_size(p->data), <=, 1280);
	g_assert_cmpuint(g_bytes_get_size(p->data), >, 1280 - 8);
	g_assert_cmpuint(CNT(t.s, ro_predirect_sent), ==, 1);
	outp_free(p);

	/* rate limit per prefix pair (RFC 4861 8.2 style) */
	struct rxctx rx;
	struct aero_pktinfo pi;
	mk_rx(&rx, &pi, LOC_B, t.pkt, t.len);
	ro_server_forwarded(t.s, &rx, t.s_b, t.s_d);
	none(t.s);
	g_assert_cmpuint(CNT(t.s, ro_rate_limited), ==, 1);
	aero_node *all[] = {t.s};
	advance(all, 1, now + RO_RATE_INTERVAL);
	p = server_predirect(&t);
	outp_free(p);

	/* a source outside B's prefix (spoofed) starts nothing */
	uint8_t bad[200];
	size_t bl = data_pkt(bad, sizeof bad, "2001:db8:9999::1", PD "1", 10);
	mk_rx(&rx, &pi, LOC_B, bad, bl);
	ro_server_forwarded(t.s, &rx, t.s_b, t.s_d);
	none(t.s);
	g_assert_cmpuint(CNT(t.s, ro_no_start), ==, 1);
	g_free(m);
	net_down(&t);
}

static void
test_egress(void)
{
	struct net t;
	struct aero_ipv6 h;
	struct aero_rfc6706_msg *m = g_new0(struct aero_rfc6706_msg, 1);
	net_up(&t, 100);
	struct outp *pre = server_predirect(&t);
	deliver(t.d, pre, LOC_S);
	struct outp *red = one(t.d, NULL);
	/* D: ACCEPT (P(B), own prefix), NCE for B at the TLLAO locator */
	g_assert_cmpuint(ro_count(t.d, false), ==, 1);
	g_assert_cmpuint(CNT(t.d, ro_accept_created), ==, 1);
	struct aero_in6 llb = tu_in6(LL_B);
	struct nce *e = nce_lookup(t.d, &llb);
	g_assert_nonnull(e);
	g_assert_cmpint(e->kind, ==, NCE_PEER);
	assert_loc(&e->loc, &LOC_B);
	/* the Redirect: to the Server's locator, L3(D) -> L3(B) */
	assert_loc(&red->pi.dst, &LOC_S);
	decode(red, &h, m);
	tu_assert_in6(h.src, LL_D);
	tu_assert_in6(h.dst, LL_B);
	g_assert_cmpuint(h.hop_limit, ==, 8);
	g_assert_false(m->p);
	tu_assert_in6(m->target, LL_D);
	tu_assert_in6(m->dest, LL_D);
	g_assert_true(m->opts.has_tllao);
	g_assert_cmpuint(m->opts.n_rio, ==, 1);
	tu_assert_in6(m->opts.rio[0].prefix, PD);
	g_assert_cmpmem(m->opts.rho, 40, t.pkt, 40);

	/* ro_client_accept: direct packets from B's locator only */
	uint8_t d2[200];
	size_t l2 = data_pkt(d2, sizeof d2, PB "7", PD "9", 10);
	struct rxctx rx;
	struct aero_pktinfo pi;
	mk_rx(&rx, &pi, LOC_B, d2, l2);
	g_assert_true(ro_client_accept(t.d, &rx));
	mk_rx(&rx, &pi, LOC_S2, d2, l2);
	g_assert_false(ro_client_accept(t.d, &rx));
	l2 = data_pkt(d2, sizeof d2, "2001:db8:7777::1", PD "9", 10);
	mk_rx(&rx, &pi, LOC_B, d2, l2);
	g_assert_false(ro_client_accept(t.d, &rx));

	/* a second Predirect refreshes (no second entry) */
	deliver(t.d, pre, LOC_S);
	outp_free(one(t.d, NULL));
	g_assert_cmpuint(ro_count(t.d, false), ==, 1);

	/* not from a router: dropped */
	deliver(t.d, pre, LOC_S2);
	none(t.d);
	g_assert_cmpuint(CNT(t.d, drop_ro_untrusted), ==, 1);

	/* the ACCEPT entry lapses after ACCEPT_TIME */
	aero_node *all[] = {t.d};
	advance(all, 1, now + 40 * AERO_SEC);
	g_assert_cmpuint(ro_count(t.d, false), ==, 0);
	g_assert_null(nce_lookup(t.d, &llb));
	outp_free(pre);
	outp_free(red);
	g_free(m);
	net_down(&t);
}

static void
test_server_redirect(void)
{
	struct net t;
	struct aero_ipv6 h;
	struct aero_rfc6706_msg *m = g_new0(struct aero_rfc6706_msg, 1);
	net_up(&t, 100);
	struct outp *pre = server_predirect(&t);
	deliver(t.d, pre, LOC_S);
	struct outp *red = one(t.d, NULL);
	/* D's NAT: the Server sees D at another port than D thinks */
	struct aero_loc nat = LOC_D;
	nat.port = 61000;
	nce_set_loc(t.s, t.s_d, &nat);
	deliver(t.s, red, nat);
	struct outp *fw = one(t.s, NULL);
	assert_loc(&fw->pi.dst, &LOC_B);
	decode(fw, &h, m);
	tu_assert_in6(h.src, "fe80::1");   /* rewritten L3 source */
	tu_assert_in6(h.dst, LL_B);
	g_assert_cmpuint(h.hop_limit, ==, 7);
	tu_assert_in6(m->target, LL_D);
	g_assert_cmpuint(m->opts.tllao.port, ==, 61000); /* observed locator */
	g_assert_cmpuint(CNT(t.s, ro_relayed), ==, 1);
	outp_free(fw);

	/* the RIO is not D's: unauthorised */
	fib_del(t.s, &(struct aero_in6){0}, 0, NULL);
	struct aero_in6 pd = tu_in6(PD);
	fib_del(t.s, &pd, 56, NULL);
	tn_route(t.s, PD, 56, LL_B);
	deliver(t.s, red, nat);
	none(t.s);
	g_assert_cmpuint(CNT(t.s, drop_ro_unauthorised), ==, 1);

	/* a Redirect from a locator that is not D's: L3 source mismatch */
	deliver(t.s, red, LOC_B);
	none(t.s);
	g_assert_cmpuint(CNT(t.s, drop_ro_untrusted), ==, 1);
	outp_free(pre);
	outp_free(red);
	g_free(m);
	net_down(&t);
}

static void
test_ingress(void)
{
	struct net t;
	net_up(&t, 100);
	GArray *ev = net_optimise(&t);
	g_assert_cmpuint(ev->len, ==, 1);
	struct aero_event *e = &g_array_index(ev, struct aero_event, 0);
	g_assert_cmpint(e->type, ==, AERO_EV_RO_UP);
	tu_assert_in6(e->src_prefix, PB);
	g_assert_cmpuint(e->src_plen, ==, 64); /* own prefix: the AERO /64 */
	tu_assert_in6(e->prefix, PD);
	g_assert_cmpuint(e->plen, ==, 64); /* D's RIO: its AERO /64 here */
	tu_assert_in6(e->addr, LL_D);
	assert_loc(&e->loc, &LOC_D);
	g_assert_cmpuint(ro_count(t.b, true), ==, 1);
	g_assert_cmpuint(CNT(t.b, ro_forward_created), ==, 1);

	/* ro_client_route: D's NCE for covered packets, NULL otherwise */
	struct rxctx rx;
	struct aero_pktinfo pi;
	mk_rx(&rx, &pi, LOC_B, t.pkt, t.len);
	rx.from_underlay = false;
	struct nce *d = ro_client_route(t.b, &rx);
	g_assert_nonnull(d);
	tu_assert_in6(d->ll, LL_D);
	assert_loc(&d->loc, &LOC_D);
	uint8_t o[200];
	size_t ol = data_pkt(o, sizeof o, PB "1", "2001:db8:4444::1", 10);
	mk_rx(&rx, &pi, LOC_B, o, ol);
	g_assert_null(ro_client_route(t.b, &rx));

	char *js = aero_node_dump_json(t.b);
	g_assert_nonnull(strstr(js, "\"ro\":{\"accept\":[],\"forward\":[{"
	                 "\"src\":\"2001:db8:1000:2000::/64\",\"dst\":\"2001:db8:2000:3000::/64\","
	                 "\"peer\":\"fe80::2001:db8:2000:3000\""));
	g_free(js);
	g_array_free(ev, TRUE);
	net_down(&t);
}

/* Traffic every second; D answers keepalives: one keepalive per 5 s. */
static void
test_keepalive(void)
{
	struct net t;
	net_up(&t, 100);
	g_array_free(net_optimise(&t), TRUE);
	aero_node *all[] = {t.s, t.b, t.d};
	aero_tstamp t0 = now;
	unsigned kas = 0;
	for (int s = 1; s <= 60; s++) {
		advance(all, 3, t0 + (aero_tstamp)s * AERO_SEC);
		struct rxctx rx;
		struct aero_pktinfo pi;
		mk_rx(&rx, &pi, LOC_B, t.pkt, t.len);
		g_assert_nonnull(ro_client_route(t.b, &rx));
		GPtrArray *v = take(t.b, NULL);
		for (guint i = 0; i < v->len; i++) {
			struct outp *p = g_ptr_array_index(v, i);
			struct aero_ipv6 h;
			struct aero_rfc6706_msg *m = g_new0(struct aero_rfc6706_msg, 1);
			decode(p, &h, m);
			/* keepalive Predirect directly to D (RFC 6706 6.4.10) */
			assert_loc(&p->pi.dst, &LOC_D);
			g_assert_true(m->p);
			tu_assert_in6(h.src, LL_B);
			tu_assert_in6(h.dst, LL_D);
			tu_assert_in6(m->target, LL_B);
			g_free(m);
			kas++;
			deliver(t.d, p, LOC_B);
			struct outp *r = one(t.d, NULL);
			assert_loc(&r->pi.dst, &LOC_B);
			deliver(t.b, r, LOC_D);
			outp_free(r);
		}
		g_ptr_array_free(v, TRUE);
		v = take(t.b, NULL);
		g_assert_cmpuint(v->len, ==, 0);
		g_ptr_array_free(v, TRUE);
	}
	g_assert_cmpuint(kas, ==, 12);
	g_assert_cmpuint(ro_count(t.b, true), ==, 1);
	g_assert_cmpuint(ro_count(t.d, false), ==, 1);  /* refreshed */
	g_assert_cmpuint(CNT(t.b, ro_keepalive_sent), ==, 12);
	g_assert_cmpuint(CNT(t.b, drop_ro_no_entry) + CNT(t.d, drop_ro_no_entry), ==, 0);

	/* traffic stops: the FORWARD entry lapses after FORWARD_TIME */
	GArray *ev = g_array_new(FALSE, TRUE, sizeof(struct aero_event));
	advance(all, 3, now + 30 * AERO_SEC);
	g_ptr_array_free(take(t.b, ev), TRUE);
	g_assert_cmpuint(ro_count(t.b, true), ==, 0);
	g_assert_cmpuint(ev->len, ==, 1);
	g_assert_cmpint(g_array_index(ev, struct aero_event, 0).type, ==, AERO_EV_RO_DOWN);
	g_array_free(ev, TRUE);
	net_down(&t);
}

/* D stops answering: MAX_RETRY keepalives, then back via the Server. */
static void
test_max_retry(void)
{
	struct net t;
	net_up(&t, 100);
	g_array_free(net_optimise(&t), TRUE);
	aero_node *all[] = {t.b};
	aero_tstamp t0 = now, down = 0;
	unsigned kas = 0;
	GArray *ev = g_array_new(FALSE, TRUE, sizeof(struct aero_event));
	for (int s = 1; s <= 29; s++) {
		advance(all, 1, t0 + (aero_tstamp)s * AERO_SEC);
		struct rxctx rx;
		struct aero_pktinfo pi;
		mk_rx(&rx, &pi, LOC_B, t.pkt, t.len);
		struct nce *d = ro_client_route(t.b, &rx);
		GPtrArray *v = take(t.b, ev);
		kas += v->len;
		g_ptr_array_free(v, TRUE);
		if (!d && !down)
			down = now;
	}
	g_assert_cmpuint(kas, ==, 3);
	/* keepalives at +5, +10, +15; gone at +20 */
	g_assert_cmpuint(down, ==, t0 + 20 * AERO_SEC);
	g_assert_cmpuint(CNT(t.b, ro_keepalive_failed), ==, 1);
	g_assert_cmpuint(ev->len, ==, 1);
	g_assert_cmpint(g_array_index(ev, struct aero_event, 0).type, ==, AERO_EV_RO_DOWN);
	g_array_free(ev, TRUE);
	net_down(&t);
}

/* D moves: NULL Redirect to B; B falls back. */
static void
test_null_redirect(void)
{
	struct net t;
	struct aero_ipv6 h;
	struct aero_rfc6706_msg *m = g_new0(struct aero_rfc6706_msg, 1);
	net_up(&t, 100);
	g_array_free(net_optimise(&t), TRUE);
	ro_locator_changed(t.d);
	g_assert_cmpuint(ro_count(t.d, false), ==, 0);
	struct outp *nr = one(t.d, NULL);
	assert_loc(&nr->pi.dst, &LOC_B);
	decode(nr, &h, m);
	g_assert_false(m->p);
	tu_assert_in6(m->target, "::");
	tu_assert_in6(m->dest, "::");
	tu_assert_in6(h.src, LL_D);
	g_assert_cmpuint(CNT(t.d, ro_null_redirect_sent), ==, 1);
	GArray *ev = g_array_new(FALSE, TRUE, sizeof(struct aero_event));
	deliver(t.b, nr, LOC_D);
	g_ptr_array_free(take(t.b, ev), TRUE);
	g_assert_cmpuint(ro_count(t.b, true), ==, 0);
	g_assert_cmpuint(ev->len, ==, 1);
	g_assert_cmpint(g_array_index(ev, struct aero_event, 0).type, ==, AERO_EV_RO_DOWN);
	/* again: nothing to delete */
	deliver(t.b, nr, LOC_D);
	g_assert_cmpuint(CNT(t.b, drop_ro_no_entry), ==, 1);
	outp_free(nr);
	g_array_free(ev, TRUE);
	g_free(m);
	net_down(&t);
}

/* B moves: its FORWARD entries go (RFC 6706 6.4.13). */
static void
test_ingress_moves(void)
{
	struct net t;
	net_up(&t, 100);
	g_array_free(net_optimise(&t), TRUE);
	GArray *ev = g_array_new(FALSE, TRUE, sizeof(struct aero_event));
	ro_locator_changed(t.b);
	GPtrArray *v = take(t.b, ev);
	g_assert_cmpuint(v->len, ==, 0);  /* no message for FORWARD entries */
	g_ptr_array_free(v, TRUE);
	g_assert_cmpuint(ro_count(t.b, true), ==, 0);
	g_assert_cmpuint(ev->len, ==, 1);
	g_assert_cmpint(g_array_index(ev, struct aero_event, 0).type, ==, AERO_EV_RO_DOWN);
	struct rxctx rx;
	struct aero_pktinfo pi;
	mk_rx(&rx, &pi, LOC_B, t.pkt, t.len);
	g_assert_null(ro_client_route(t.b, &rx));
	g_array_free(ev, TRUE);
	net_down(&t);
}

static void
test_bad_input(void)
{
	struct net t;
	net_up(&t, 100);
	struct outp *pre = server_predirect(&t);
	gsize len;
	uint8_t *c = g_bytes_unref_to_data(g_bytes_ref(pre->data), &len);
	/* corrupt the message Type (UDP checksum fixed up by hand is not
	 * needed: a bad checksum is its own drop) */
	c[48] = 9;
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY, .src = LOC_S,
	                          .dst = LOC_D};
	aero_node_recv(t.d, &pi, c, len, now);
	g_assert_cmpuint(CNT(t.d, drop_ro_malformed) + CNT(t.d, drop_udp_malformed), ==, 1);
	g_free(c);
	none(t.d);

	/* the table bound */
	t.d->cfg.max_ro = 0;
	deliver(t.d, pre, LOC_S);
	none(t.d);
	g_assert_cmpuint(CNT(t.d, drop_ro_full), ==, 1);
	t.d->cfg.max_ro = 10;

	/* a Predirect whose RHO destination is not D's prefix */
	uint8_t o[200];
	t.len = data_pkt(t.pkt, sizeof t.pkt, PB "1", "2001:db8:2000:3001::1", 10);
	struct aero_in6 p2 = tu_in6("2001:db8:2000:3000::");
	fib_del(t.s, &p2, 56, NULL);
	tn_route(t.s, "2001:db8:2000:3000::", 48, LL_D);
	outp_free(pre);
	pre = server_predirect(&t);
	deliver(t.d, pre, LOC_S);
	none(t.d);
	g_assert_cmpuint(CNT(t.d, drop_ro_not_target), ==, 1);
	(void)o;
	outp_free(pre);
	net_down(&t);
}

/* S1 - Relay - S2: B behind S1, D behind S2 (digest 6.7 [P], App. A). */
static void
test_multi_server(void)
{
	now = 1000 * AERO_SEC;
	aero_node *s1 = mk_router(AERO_ROLE_SERVER, LOC_S, 1);
	aero_node *s2 = mk_router(AERO_ROLE_SERVER, LOC_S2, 2);
	aero_node *r = mk_router(AERO_ROLE_RELAY, LOC_R, 3);
	struct nce *s1_b = tn_nce(s1, LL_B, LOC_B, NCE_CLIENT);
	struct nce *s1_r = tn_nce(s1, "fe80::3", LOC_R, NCE_RELAY);
	tn_route(s1, PB, 56, LL_B);
	tn_route(s1, "::", 0, "fe80::3");
	tn_nce(s2, LL_D, LOC_D, NCE_CLIENT);
	tn_nce(s2, "fe80::3", LOC_R, NCE_RELAY);
	tn_route(s2, PD, 56, LL_D);
	tn_route(s2, "::", 0, "fe80::3");
	tn_nce(r, "fe80::1", LOC_S, NCE_SERVER);
	tn_nce(r, "fe80::2", LOC_S2, NCE_SERVER);
	tn_route(r, PB, 56, "fe80::1");
	tn_route(r, PD, 56, "fe80::2");
	tn_drain(s1); tn_drain(s2); tn_drain(r);
	aero_node *b = mk_client(LOC_B, LL_B, LOC_S, 1);
	aero_node *d = mk_client(LOC_D, LL_D, LOC_S2, 2);

	uint8_t pkt[200];
	size_t len = data_pkt(pkt, sizeof pkt, PB "1", PD "abcd:1", 50);
	struct rxctx rx;
	struct aero_pktinfo pi;
	mk_rx(&rx, &pi, LOC_B, pkt, len);
	ro_server_forwarded(s1, &rx, s1_b, s1_r);
	struct outp *p1 = one(s1, NULL);
	assert_loc(&p1->pi.dst, &LOC_R);
	struct aero_ipv6 h;
	struct aero_rfc6706_msg *m = g_new0(struct aero_rfc6706_msg, 1);
	decode(p1, &h, m);
	tu_assert_in6(h.dst, LL_D); /* the /64 of the destination */
	deliver(r, p1, LOC_S);
	struct outp *p2 = one(r, NULL);
	assert_loc(&p2->pi.dst, &LOC_S2);
	decode(p2, &h, m);
	tu_assert_in6(h.src, "fe80::1"); /* Relays keep the source */
	g_assert_cmpuint(h.hop_limit, ==, 7);
	deliver(s2, p2, LOC_R);
	struct outp *p3 = one(s2, NULL);
	assert_loc(&p3->pi.dst, &LOC_D);
	decode(p3, &h, m);
	tu_assert_in6(h.src, "fe80::2");
	tu_assert_in6(h.dst, LL_D);
	g_assert_cmpuint(h.hop_limit, ==, 6);
	deliver(d, p3, LOC_S2);
	struct outp *q1 = one(d, NULL);
	assert_loc(&q1->pi.dst, &LOC_S2);
	deliver(s2, q1, LOC_D);
	struct outp *q2 = one(s2, NULL);
	assert_loc(&q2->pi.dst, &LOC_R);
	deliver(r, q2, LOC_S2);
	struct outp *q3 = one(r, NULL);
	assert_loc(&q3->pi.dst, &LOC_S);
	deliver(s1, q3, LOC_R);
	struct outp *q4 = one(s1, NULL);
	assert_loc(&q4->pi.dst, &LOC_B);
	decode(q4, &h, m);
	tu_assert_in6(h.src, "fe80::1");
	tu_assert_in6(m->target, LL_D);
	GArray *ev = g_array_new(FALSE, TRUE, sizeof(struct aero_event));
	deliver(b, q4, LOC_S);
	g_ptr_array_free(take(b, ev), TRUE);
	g_assert_cmpuint(ev->len, ==, 1);
	g_assert_cmpint(g_array_index(ev, struct aero_event, 0).type, ==, AERO_EV_RO_UP);
	tu_assert_in6(g_array_index(ev, struct aero_event, 0).prefix, PD);
	assert_loc(&g_array_index(ev, struct aero_event, 0).loc, &LOC_D);
	mk_rx(&rx, &pi, LOC_B, pkt, len);
	g_assert_nonnull(ro_client_route(b, &rx));

	/* a Predirect for an AERO address no one routes: dropped at the Relay */
	fib_del(r, &(struct aero_in6){{0}}, 0, NULL);
	struct aero_in6 pdd = tu_in6(PD);
	fib_del(r, &pdd, 56, NULL);
	deliver(r, p1, LOC_S);
	none(r);
	g_assert_cmpuint(CNT(r, drop_ro_no_route), ==, 1);

	struct outp *all[] = {p1, p2, p3, q1, q2, q3, q4};
	for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
		outp_free(all[i]);
	g_array_free(ev, TRUE);
	g_free(m);
	aero_node *nodes[] = {s1, s2, r, b, d};
	for (size_t i = 0; i < G_N_ELEMENTS(nodes); i++)
		aero_node_free(nodes[i]);
}

static void
test_lla(void)
{
	struct aero_nd_lla a;
	struct aero_loc l, v6;
	ro_loc_to_lla(&LOC_B, &a);
	g_assert_true(ro_lla_to_loc(&a, &l));
	assert_loc(&l, &LOC_B);
	struct aero_in6 ip = tu_in6("2001:db8::5");
	v6 = aero_loc_v6(&ip, 0);
	ro_loc_to_lla(&v6, &a);
	g_assert_true(ro_lla_to_loc(&a, &l));
	g_assert_cmpuint(l.family, ==, 6);
	g_assert_cmpuint(l.port, ==, 8060); /* port 0 = 8060 (digest 3.7) */
	memset(&a, 0, sizeof a);
	a.form = AERO_ND_LLA_P1;
	g_assert_false(ro_lla_to_loc(&a, &l)); /* unspecified address */
	a.form = AERO_ND_LLA_ETHERNET;
	g_assert_false(ro_lla_to_loc(&a, &l));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ro/p1/lla", test_lla);
	g_test_add_func("/ro/p1/server-predirect", test_server_predirect);
	g_test_add_func("/ro/p1/egress-accept", test_egress);
	g_test_add_func("/ro/p1/server-redirect", test_server_redirect);
	g_test_add_func("/ro/p1/ingress-forward", test_ingress);
	g_test_add_func("/ro/p1/keepalive", test_keepalive);
	g_test_add_func("/ro/p1/max-retry", test_max_retry);
	g_test_add_func("/ro/p1/null-redirect", test_null_redirect);
	g_test_add_func("/ro/p1/ingress-moves", test_ingress_moves);
	g_test_add_func("/ro/p1/bad-input", test_bad_input);
	g_test_add_func("/ro/p1/multi-server", test_multi_server);
	return g_test_run();
}
