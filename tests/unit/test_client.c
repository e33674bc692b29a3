/* The Client role (core/src/role_client.c): one Client node driven with
 * hand-built Server replies through aero_node_recv / aero_node_timeout. */
#include "testutil.h"
#include "../../core/src/node.h"
#include "../../core/src/dhcp6_rt.h"
#include "../sim/harness.h"

#define in6(s) tu_in6(s)

/* ---- fixture ----------------------------------------------------------------- */

struct rec {
	struct aero_out o;
	guint8 *data;
	char *name;
};

struct fx {
	aero_node *n;
	GRand *r;
	aero_tstamp now;
	GPtrArray *recs; /* of struct rec * */
	bool nud_silent;  /* do not answer the Client's NUD probes */
	GPtrArray *old;   /* cleared records, kept alive for decoded views */
};

static const uint8_t srv_duid_a[] = {0, 3, 0, 1, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02};
static const uint8_t srv_duid_b[] = {0, 3, 0, 1, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x03};

static struct aero_loc
loc_a(void)
{
	return aero_loc_v4(198, 51, 100, 1, 8060);
}

static struct aero_loc
loc_b(void)
{
	return aero_loc_v4(198, 51, 100, 2, 8060);
}

static struct aero_loc
loc_self(void)
{
	return aero_loc_v4(192, 0, 2, 10, 49152);
}

static void
rec_free(gpointer p)
{
	struct rec *r = p;
	g_free(r->data);
	g_free(r->name);
	g_free(r);
}

static void
rand_cb(uint8_t *dst, size_t len, void *user)
{
	tu_rand_bytes(user, dst, len);
}

static const struct aero_callbacks cbs = {.rand = rand_cb};

static void
base_cfg(struct aero_config *cfg)
{
	aero_config_default(cfg, AERO_ROLE_CLIENT);
	cfg->self = loc_self();
	cfg->prl[0].loc = loc_a();
	cfg->prl[0].id = 1;
	cfg->prl[1].loc = loc_b();
	cfg->prl[1].id = 2;
	cfg->n_prl = 2;
	cfg->hint.plen = 56;
}

static void fx_answer_ns(struct fx *f, GPtrArray *ns);

/* Take every output; NUD probes (NS) to a Server are answered with a
 * solicited NA unless f->nud_silent (the Servers are alive). */
static void
fx_drain(struct fx *f)
{
	struct aero_out o;
	GPtrArray *ns = g_ptr_array_new_with_free_func(g_free);
	while (aero_node_poll(f->n, &o) == 1) {
		if (o.kind == AERO_OUT_PACKET && o.pi.side == AERO_SIDE_UNDERLAY &&
		    o.len > 40 + 8 && o.data[6] == 58 && o.data[40] == 135) {
			struct aero_out *c = g_new(struct aero_out, 1);
			*c = o;
			c->data = g_memdup2(o.data, o.len);
			g_ptr_array_add(ns, c);
		}
		struct rec *r = g_new0(struct rec, 1);
		r->o = o;
		if (o.kind == AERO_OUT_PACKET) {
			r->data = g_memdup2(o.data, o.len);
			r->o.data = r->data;
		} else if (o.ev.name) {
			r->name = g_strdup(o.ev.name);
			r->o.ev.name = r->name;
		}
		g_ptr_array_add(f->recs, r);
	}
	if (!f->nud_silent)
		fx_answer_ns(f, ns);
	for (guint i = 0; i < ns->len; i++)
		g_free((void *)((struct aero_out *)ns->pdata[i])->data);
	g_ptr_array_free(ns, TRUE);
}

static struct fx *
fx_new(const struct aero_config *cfg)
{
	struct fx *f = g_new0(struct fx, 1);
	f->r = tu_rand();
	f->recs = g_ptr_array_new();
	f->old = g_ptr_array_new_with_free_func(rec_free);
	f->now = 1000 * AERO_SEC;
	g_assert_cmpint(aero_node_new(&f->n, cfg, &cbs, f->r, f->now), ==, 0);
	fx_drain(f);
	return f;
}

static void
fx_free(struct fx *f)
{
	aero_node_free(f->n);
	for (guint i = 0; i < f->recs->len; i++)
		rec_free(f->recs->pdata[i]);
	g_ptr_array_free(f->recs, TRUE);
	g_ptr_array_free(f->old, TRUE);
	g_rand_free(f->r);
	g_free(f);
}

static void
fx_clear(struct fx *f)
{
	for (guint i = 0; i < f->recs->len; i++)
		g_ptr_array_add(f->old, f->recs->pdata[i]);
	g_ptr_array_set_size(f->recs, 0);
}

/* Run the node's next timer. */
static void
fx_fire(struct fx *f)
{
	aero_tstamp d = aero_node_deadline(f->n);
	g_assert_cmpuint(d, !=, AERO_TSTAMP_NONE);
	if (d > f->now)
		f->now = d;
	g_assert_cmpint(aero_node_timeout(f->n, f->now), ==, 0);
	fx_drain(f);
}

/* Run every timer up to t and stop the clock at t. */
static void
fx_run(struct fx *f, aero_tstamp t)
{
	while (aero_node_deadline(f->n) <= t)
		fx_fire(f);
	f->now = t;
	g_assert_cmpint(aero_node_timeout(f->n, f->now), ==, 0);
	fx_drain(f);
}

static struct rec *
fx_rec(struct fx *f, guint i)
{
	return g_ptr_array_index(f->recs, i);
}

static int
count_ev(struct fx *f, enum aero_event_type t)
{
	int k = 0;
	for (guint i = 0; i < f->recs->len; i++)
		if (fx_rec(f, i)->o.kind == AERO_OUT_EVENT &&
		    fx_rec(f, i)->o.ev.type == t)
			k++;
	return k;
}

/* The idx-th event of type t (NULL if absent). */
static const struct aero_event *
find_ev(struct fx *f, enum aero_event_type t, int idx)
{
	for (guint i = 0; i < f->recs->len; i++) {
		struct rec *r = fx_rec(f, i);
		if (r->o.kind == AERO_OUT_EVENT && r->o.ev.type == t && idx-- == 0)
			return &r->o.ev;
	}
	return NULL;
}

static bool
has_state(struct fx *f, const char *s)
{
	for (guint i = 0; i < f->recs->len; i++) {
		struct rec *r = fx_rec(f, i);
		if (r->o.kind == AERO_OUT_EVENT && r->o.ev.type == AERO_EV_STATE &&
		    strcmp(r->o.ev.name, s) == 0)
			return true;
	}
	return false;
}

/* An ADDR/ROUTE event matching the fields given (NULL/0 = any). */
static const struct aero_event *
find_cfg(struct fx *f, enum aero_event_type t, const char *a, uint8_t plen,
         int ifindex)
{
	for (guint i = 0; i < f->recs->len; i++) {
		struct rec *r = fx_rec(f, i);
		const struct aero_event *e = &r->o.ev;
		if (r->o.kind != AERO_OUT_EVENT || e->type != t)
			continue;
		struct aero_in6 x = in6(a);
		const struct aero_in6 *y = (t == AERO_EV_ADDR_ADD ||
		                            t == AERO_EV_ADDR_DEL) ? &e->addr
		                                                   : &e->prefix;
		if (!in6_eq(&x, y) || e->plen != plen)
			continue;
		if (ifindex >= 0 && e->ifindex != (uint32_t)ifindex)
			continue;
		return e;
	}
	return NULL;
}

/* A decoded inner packet of an output. */
struct inner {
	struct rec *r;
	struct aero_ipv6 ip6;
	uint8_t proto;
	const uint8_t *l4;
	size_t l4len;
	struct aero_udp udp;
	struct aero_dhcp6_msg dhcp;
	bool is_dhcp;
	struct aero_nd_msg nd;
	bool is_nd;
};

static bool
inner_decode(struct rec *r, struct inner *in)
{
	memset(in, 0, sizeof *in);
	in->r = r;
	if (r->o.kind != AERO_OUT_PACKET)
		return false;
	if (aero_wire_ipv6_decode(&in->ip6, r->data, r->o.len) < 0)
		return false;
	if (aero_wire_ipv6_upper(&in->ip6, &in->proto, &in->l4, &in->l4len) < 0)
		return false;
	if (in->proto == 17) {
		struct aero_ip_pseudo ps = {.family = 6, .src = in->ip6.src,
		                            .dst = in->ip6.dst};
		g_assert_cmpint(aero_wire_udp_decode(&in->udp, in->l4, in->l4len,
		                                     &ps, 0), >, 0);
		if (in->udp.dst_port == 547 || in->udp.dst_port == 546) {
			g_assert_cmpint(aero_wire_dhcp6_decode(&in->dhcp,
			                in->udp.payload, in->udp.payload_len), >, 0);
			in->is_dhcp = true;
		}
	} else if (in->proto == 58 && in->l4len && in->l4[0] >= 133 &&
	           in->l4[0] <= 137) {
		struct aero_nd_ctx ctx = {.link = AERO_ND_LINK_ETHERNET};
		g_assert_cmpint(aero_wire_nd_decode(&in->nd, in->l4, in->l4len, &ctx,
		                                    &in->ip6.src, &in->ip6.dst), >, 0);
		in->is_nd = true;
	}
	return true;
}

/* The idx-th underlay DHCPv6 message of type t sent by the Client. */
static bool
find_dhcp(struct fx *f, uint8_t t, int idx, struct inner *in)
{
	for (guint i = 0; i < f->recs->len; i++) {
		struct rec *r = fx_rec(f, i);
		if (r->o.kind != AERO_OUT_PACKET ||
		    r->o.pi.side != AERO_SIDE_UNDERLAY)
			continue;
		if (inner_decode(r, in) && in->is_dhcp && in->dhcp.msg_type == t &&
		    idx-- == 0)
			return true;
	}
	return false;
}

static int
count_dhcp(struct fx *f, uint8_t t)
{
	struct inner in;
	int k = 0;
	while (find_dhcp(f, t, k, &in))
		k++;
	return k;
}

/* The idx-th ND message of type t on side/ifindex. */
static bool
find_nd(struct fx *f, enum aero_side side, uint32_t ifindex, uint8_t t,
        int idx, struct inner *in)
{
	for (guint i = 0; i < f->recs->len; i++) {
		struct rec *r = fx_rec(f, i);
		if (r->o.kind != AERO_OUT_PACKET || r->o.pi.side != side ||
		    (side == AERO_SIDE_TUNNEL && r->o.pi.ifindex != ifindex))
			continue;
		if (inner_decode(r, in) && in->is_nd && in->nd.type == t &&
		    idx-- == 0)
			return true;
	}
	return false;
}

/* ---- building Server messages --------------------------------------------------- */

struct srv {
	struct aero_loc loc;
	struct aero_in6 ll;
	const uint8_t *duid;
	size_t duid_len;
};

static struct srv
srv_a(void)
{
	struct srv s = {loc_a(), in6("fe80::1"), srv_duid_a, sizeof srv_duid_a};
	return s;
}

static struct srv
srv_b(void)
{
	struct srv s = {loc_b(), in6("fe80::2"), srv_duid_b, sizeof srv_duid_b};
	return s;
}

/* Deliver an inner packet from the underlay at src. */
static void
deliver(struct fx *f, const struct aero_loc *src, const uint8_t *pkt,
        size_t len)
{
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY, .src = *src,
	                          .dst = f->n->cfg.self, .ttl = 64};
	g_assert_cmpint(aero_node_recv(f->n, &pi, pkt, len, f->now), ==, 0);
	fx_drain(f);
}

static void
fx_answer_ns(struct fx *f, GPtrArray *ns)
{
	for (guint i = 0; i < ns->len; i++) {
		struct aero_out *o = ns->pdata[i];
		struct aero_ipv6 h;
		g_assert_cmpint(aero_wire_ipv6_decode(&h, o->data, o->len), >, 0);
		struct aero_nd_msg m;
		memset(&m, 0, sizeof m);
		m.type = AERO_ND_TYPE_NA;
		m.target = h.dst;
		m.na_solicited = true;
		m.na_override = true;
		m.na_router = true;
		uint8_t pkt[200];
		int k = build_nd(pkt, sizeof pkt, &h.dst, &h.src, 255, &m);
		g_assert_cmpint(k, >, 0);
		deliver(f, &o->pi.dst, pkt, (size_t)k);
	}
}

/* A reply (type) to the client message req from server s, granting
 * prefix/plen (NULL = none; status != 0 = IA status instead). */
static void
srv_answer(struct fx *f, const struct srv *s, const struct inner *req,
           uint8_t type, const char *prefix, uint8_t plen, uint32_t t1,
           uint32_t t2, uint32_t pl, uint32_t vl, int pref, uint16_t status)
{
	struct aero_dhcp6_msg m;
	memset(&m, 0, sizeof m);
	m.msg_type = type;
	m.transaction_id = req->dhcp.transaction_id;
	m.has_clientid = true;
	m.clientid = req->dhcp.clientid;
	m.has_serverid = true;
	g_assert_cmpint(aero_wire_dhcp6_duid_decode(&m.serverid, s->duid,
	                                            s->duid_len), >, 0);
	m.has_rapid_commit = type == AERO_DHCP6_REPLY &&
	                     req->dhcp.msg_type == AERO_DHCP6_SOLICIT;
	if (pref >= 0) {
		m.has_preference = true;
		m.preference = (uint8_t)pref;
	}
	m.n_iapd = 1;
	m.iapd[0].iaid = req->dhcp.iapd[0].iaid;
	m.iapd[0].t1 = t1;
	m.iapd[0].t2 = t2;
	if (status) {
		m.iapd[0].has_status = true;
		m.iapd[0].status.code = status;
	} else if (prefix) {
		m.iapd[0].n_prefix = 1;
		m.iapd[0].prefix[0].prefix = in6(prefix);
		m.iapd[0].prefix[0].plen = plen;
		m.iapd[0].prefix[0].preferred = pl;
		m.iapd[0].prefix[0].valid = vl;
	}
	uint8_t msg[1500], pkt[1600];
	int k = aero_wire_dhcp6_encode(msg, sizeof msg, &m);
	g_assert_cmpint(k, >, 0);
	size_t len = sim_build_udp(pkt, sizeof pkt, &s->ll, &req->ip6.src, 547,
	                           546, msg, (size_t)k);
	deliver(f, &s->loc, pkt, len);
}

#define PFX "2001:db8:1000:2000::"

static void
srv_grant(struct fx *f, const struct srv *s, const struct inner *req,
          uint8_t type)
{
	srv_answer(f, s, req, type, PFX, 56, 1800, 2880, 3600, 7200, -1, 0);
}

/* Bring a fresh Client to BOUND by a 2-message exchange with Server A. */
static void
bind_2msg(struct fx *f)
{
	fx_fire(f); /* SOL_MAX_DELAY */
	struct inner sol;
	g_assert_true(find_dhcp(f, AERO_DHCP6_SOLICIT, 0, &sol));
	struct srv a = srv_a();
	fx_clear(f);
	srv_grant(f, &a, &sol, AERO_DHCP6_REPLY);
	g_assert_true(has_state(f, "bound"));
}

/* An RA from Server s to the Client. */
static void
srv_ra(struct fx *f, const struct srv *s, uint16_t lifetime,
       const struct aero_nd_pio *pios, size_t n_pio)
{
	struct aero_nd_msg m;
	memset(&m, 0, sizeof m);
	m.type = AERO_ND_TYPE_RA;
	m.ra.cur_hop_limit = 64;
	m.ra.router_lifetime = lifetime;
	for (size_t i = 0; i < n_pio; i++)
		m.opts.pio[i] = pios[i];
	m.opts.n_pio = n_pio;
	uint8_t pkt[1500];
	int k = build_nd(pkt, sizeof pkt, &s->ll, &f->n->ll, 255, &m);
	g_assert_cmpint(k, >, 0);
	deliver(f, &s->loc, pkt, (size_t)k);
}

/* ---- tests ---------------------------------------------------------------------------- */

/* Solicit contents (digest 1.2, TV3 layout) and retransmission timing. */
static void
test_solicit(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	struct fx *f = fx_new(&cfg);
	g_assert_true(has_state(f, "init"));
	g_assert_true(has_state(f, "solicit"));
	aero_tstamp t0 = f->now;
	/* RFC 8415 18.2.1: first Solicit after U(0, SOL_MAX_DELAY) */
	g_assert_cmpuint(aero_node_deadline(f->n), <=, t0 + SOL_MAX_DELAY);
	fx_fire(f);
	struct inner s;
	g_assert_true(find_dhcp(f, AERO_DHCP6_SOLICIT, 0, &s));
	g_assert_true(aero_loc_equal(&s.r->o.pi.dst, &cfg.prl[0].loc));
	tu_assert_in6(s.ip6.src, "fe80::5efe:c000:20a"); /* TV1 Linux rule */
	tu_assert_in6(s.ip6.dst, "ff02::1:2");
	g_assert_cmpuint(s.udp.src_port, ==, 546);
	g_assert_cmpuint(s.udp.dst_port, ==, 547);
	g_assert_true(s.dhcp.has_clientid);
	g_assert_cmpuint(s.dhcp.clientid.type, ==, AERO_DHCP6_DUID_LL);
	g_assert_cmpuint(s.dhcp.clientid.data_len, ==, 6);
	g_assert_true(s.dhcp.has_elapsed);
	g_assert_cmpuint(s.dhcp.elapsed, ==, 0);
	g_assert_true(s.dhcp.has_oro);
	g_assert_cmpuint(s.dhcp.n_oro, ==, 2);
	g_assert_cmpuint(s.dhcp.oro[0], ==, 23);
	g_assert_cmpuint(s.dhcp.oro[1], ==, 82);
	g_assert_true(s.dhcp.has_rapid_commit);
	g_assert_false(s.dhcp.has_serverid);
	g_assert_cmpuint(s.dhcp.n_iapd, ==, 1);
	g_assert_cmpuint(s.dhcp.iapd[0].iaid, ==, 1);
	g_assert_cmpuint(s.dhcp.iapd[0].t1, ==, 0);
	g_assert_cmpuint(s.dhcp.iapd[0].n_prefix, ==, 1);
	g_assert_cmpuint(s.dhcp.iapd[0].prefix[0].plen, ==, 56);
	g_assert_cmpuint(aero_node_counter(f->n, "client_solicit_tx"), ==, 1);

	/* first RT strictly above IRT, at most 1.1 IRT */
	aero_tstamp sent = f->now;
	uint32_t xid = s.dhcp.transaction_id;
	aero_duration rt = aero_node_deadline(f->n) - sent;
	g_assert_cmpuint(rt, >, SOL_TIMEOUT);
	g_assert_cmpuint(rt, <=, SOL_TIMEOUT * 11 / 10);
	/* next two RTs double (+-10 %), same xid, ELAPSED grows, same PRL entry */
	for (int i = 1; i <= 2; i++) {
		fx_clear(f);
		fx_fire(f);
		struct inner r;
		g_assert_true(find_dhcp(f, AERO_DHCP6_SOLICIT, 0, &r));
		g_assert_cmpuint(r.dhcp.transaction_id, ==, xid);
		g_assert_true(aero_loc_equal(&r.r->o.pi.dst, &cfg.prl[0].loc));
		g_assert_cmpuint(r.dhcp.elapsed, ==, (f->now - sent) / (10 * AERO_MS));
		aero_duration nrt = aero_node_deadline(f->n) - f->now;
		g_assert_cmpuint(nrt, >=, rt * 19 / 10);
		g_assert_cmpuint(nrt, <=, rt * 21 / 10);
		rt = nrt;
	}
	/* 3 RTs without answer: the next PRL entry (digest 7.1 [P]) */
	fx_clear(f);
	fx_fire(f);
	struct inner r;
	g_assert_true(find_dhcp(f, AERO_DHCP6_SOLICIT, 0, &r));
	g_assert_true(aero_loc_equal(&r.r->o.pi.dst, &cfg.prl[1].loc));
	g_assert_cmpuint(aero_node_counter(f->n, "client_prl_next"), ==, 1);
	fx_free(f);
}

/* 2-message PD, host model: the exact configuration requested. */
static void
test_pd_2msg_host(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	struct fx *f = fx_new(&cfg);
	fx_fire(f);
	struct inner sol;
	g_assert_true(find_dhcp(f, AERO_DHCP6_SOLICIT, 0, &sol));
	struct srv a = srv_a();
	fx_clear(f);
	srv_grant(f, &a, &sol, AERO_DHCP6_REPLY);
	g_assert_true(has_state(f, "bound"));

	const struct aero_event *e = find_ev(f, AERO_EV_PREFIX_DELEGATED, 0);
	g_assert_nonnull(e);
	tu_assert_in6(e->prefix, PFX);
	g_assert_cmpuint(e->plen, ==, 56);
	g_assert_cmpuint(e->vltime, ==, 7200);
	g_assert_cmpuint(e->pltime, ==, 3600);
	tu_assert_in6(e->addr, "fe80::1");
	g_assert_true(aero_loc_equal(&e->loc, &a.loc));

	/* AERO address (TV2), nodad, ifindex 0 */
	e = find_cfg(f, AERO_EV_ADDR_ADD, "fe80::2001:db8:1000:2000", 64, 0);
	g_assert_nonnull(e);
	g_assert_true(e->nodad);
	tu_assert_in6(f->n->ll, "fe80::2001:db8:1000:2000");
	/* host: prefix::1 on the AERO interface, rest black-holed */
	e = find_cfg(f, AERO_EV_ADDR_ADD, "2001:db8:1000:2000::1", 128, 0);
	g_assert_nonnull(e);
	g_assert_true(e->nodad);
	e = find_cfg(f, AERO_EV_ROUTE_ADD, PFX, 56, -1);
	g_assert_nonnull(e);
	g_assert_cmpint(e->rkind, ==, AERO_RT_BLACKHOLE);
	/* default via the Server */
	e = find_cfg(f, AERO_EV_ROUTE_ADD, "::", 0, -1);
	g_assert_nonnull(e);
	g_assert_cmpint(e->rkind, ==, AERO_RT_VIA);
	tu_assert_in6(e->addr, "fe80::1");
	g_assert_cmpint(count_ev(f, AERO_EV_ADDR_ADD), ==, 2);
	g_assert_cmpint(count_ev(f, AERO_EV_ROUTE_ADD), ==, 2);
	/* the Server's NCE */
	struct aero_in6 sll = in6("fe80::1");
	struct nce *nb = nce_lookup(f->n, &sll);
	g_assert_nonnull(nb);
	g_assert_cmpint(nb->kind, ==, NCE_SERVER);
	g_assert_true(aero_loc_equal(&nb->loc, &a.loc));
	g_assert_cmpint(count_ev(f, AERO_EV_NEIGHBOR_UP), ==, 1);
	/* FIB */
	struct aero_in6 x = in6("2001:db8:1000:2000::1");
	const struct fib_entry *fe = fib_lookup(f->n, &x);
	g_assert_nonnull(fe);
	g_assert_cmpint(fe->nh[0].kind, ==, NH_LOCAL);
	x = in6("2001:db8:1000:20ff::5");
	fe = fib_lookup(f->n, &x);
	g_assert_cmpint(fe->nh[0].kind, ==, NH_BLACKHOLE);
	x = in6("2001:db8:9::1");
	fe = fib_lookup(f->n, &x);
	g_assert_cmpint(fe->nh[0].kind, ==, NH_NEIGHBOR);
	/* RS unicast to the Server from the AERO address */
	struct inner rs;
	g_assert_true(find_nd(f, AERO_SIDE_UNDERLAY, 0, AERO_ND_TYPE_RS, 0, &rs));
	tu_assert_in6(rs.ip6.src, "fe80::2001:db8:1000:2000");
	tu_assert_in6(rs.ip6.dst, "fe80::1");
	g_assert_true(aero_loc_equal(&rs.r->o.pi.dst, &a.loc));
	struct aero_prefix p;
	g_assert_cmpint(aero_node_client_prefix(f->n, &p), ==, 1);
	g_assert_cmpuint(p.plen, ==, 56);

	/* data from the Server to prefix::1 -> own stack; to the rest ->
	 * black hole; from a stranger -> not admitted */
	uint8_t pkt[200], pl[8] = {1};
	struct aero_in6 src = in6("2001:db8:9::1"), dst = in6(PFX "1");
	size_t len = sim_build_udp(pkt, sizeof pkt, &src, &dst, 1, 2, pl, 8);
	fx_clear(f);
	deliver(f, &a.loc, pkt, len);
	g_assert_cmpuint(f->recs->len, ==, 1);
	g_assert_cmpint(fx_rec(f, 0)->o.pi.side, ==, AERO_SIDE_TUNNEL);
	g_assert_cmpuint(fx_rec(f, 0)->o.pi.ifindex, ==, 0);
	dst = in6("2001:db8:1000:2001::1");
	len = sim_build_udp(pkt, sizeof pkt, &src, &dst, 1, 2, pl, 8);
	fx_clear(f);
	deliver(f, &a.loc, pkt, len);
	g_assert_cmpuint(f->recs->len, ==, 0);
	g_assert_cmpuint(aero_node_counter(f->n, "drop_blackhole"), ==, 1);
	struct aero_loc stranger = aero_loc_v4(203, 0, 113, 9, 5000);
	deliver(f, &stranger, pkt, len);
	g_assert_cmpuint(aero_node_counter(f->n, "drop_not_admitted"), ==, 1);

	/* from the own stack: to the Server */
	src = in6(PFX "1");
	dst = in6("2001:db8:9::1");
	len = sim_build_udp(pkt, sizeof pkt, &src, &dst, 1, 2, pl, 8);
	fx_clear(f);
	struct aero_pktinfo tpi = {.side = AERO_SIDE_TUNNEL, .ifindex = 0};
	g_assert_cmpint(aero_node_recv(f->n, &tpi, pkt, len, f->now), ==, 0);
	fx_drain(f);
	g_assert_cmpuint(f->recs->len, ==, 1);
	g_assert_true(aero_loc_equal(&fx_rec(f, 0)->o.pi.dst, &a.loc));
	/* inner multicast (MLD report to ff02::16) to the Server as unicast */
	dst = in6("ff02::16");
	len = sim_build_udp(pkt, sizeof pkt, &src, &dst, 1, 2, pl, 8);
	pkt[7] = 1; /* hop limit 1 */
	fx_clear(f);
	g_assert_cmpint(aero_node_recv(f->n, &tpi, pkt, len, f->now), ==, 0);
	fx_drain(f);
	g_assert_cmpuint(f->recs->len, ==, 1);
	g_assert_true(aero_loc_equal(&fx_rec(f, 0)->o.pi.dst, &a.loc));
	g_assert_cmpuint(aero_node_counter(f->n, "client_mcast_to_server"), ==, 1);

	char *js = aero_node_dump_json(f->n);
	g_assert_nonnull(strstr(js, "\"state\":\"bound\""));
	g_assert_nonnull(strstr(js, "\"prefix\":\"2001:db8:1000:2000::/56\""));
	g_free(js);
	fx_free(f);
}

/* 4-message PD: Advertises collected during the first RT, best
 * preference wins; preference 255 goes at once. */
static void
test_pd_4msg(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	cfg.rapid_commit = false;
	struct fx *f = fx_new(&cfg);
	fx_fire(f);
	struct inner sol;
	g_assert_true(find_dhcp(f, AERO_DHCP6_SOLICIT, 0, &sol));
	g_assert_false(sol.dhcp.has_rapid_commit);
	struct srv a = srv_a(), b = srv_b();
	fx_clear(f);
	srv_answer(f, &a, &sol, AERO_DHCP6_ADVERTISE, PFX, 56, 0, 0, 3600, 7200, 10, 0);
	srv_answer(f, &b, &sol, AERO_DHCP6_ADVERTISE, "2001:db8:2000:3000::", 56,
	           0, 0, 3600, 7200, 20, 0);
	g_assert_cmpint(count_dhcp(f, AERO_DHCP6_REQUEST), ==, 0);
	fx_fire(f); /* the first RT ends: Request to the best (B) */
	struct inner req;
	g_assert_true(find_dhcp(f, AERO_DHCP6_REQUEST, 0, &req));
	g_assert_true(has_state(f, "request"));
	g_assert_true(aero_loc_equal(&req.r->o.pi.dst, &b.loc));
	g_assert_true(req.dhcp.has_serverid);
	g_assert_cmpuint(req.dhcp.serverid.data[5], ==, 0x03);
	tu_assert_in6(req.dhcp.iapd[0].prefix[0].prefix, "2001:db8:2000:3000::");
	/* REQ timers: RT about 1 s */
	aero_duration rt = aero_node_deadline(f->n) - f->now;
	g_assert_cmpuint(rt, >=, REQ_TIMEOUT * 9 / 10);
	g_assert_cmpuint(rt, <=, REQ_TIMEOUT * 11 / 10);
	fx_clear(f);
	srv_answer(f, &b, &req, AERO_DHCP6_REPLY, "2001:db8:2000:3000::", 56,
	           1800, 2880, 3600, 7200, -1, 0);
	g_assert_true(has_state(f, "bound"));
	const struct aero_event *e = find_ev(f, AERO_EV_PREFIX_DELEGATED, 0);
	g_assert_nonnull(e);
	tu_assert_in6(e->addr, "fe80::2");
	fx_free(f);

	/* preference 255: Request at once */
	f = fx_new(&cfg);
	fx_fire(f);
	g_assert_true(find_dhcp(f, AERO_DHCP6_SOLICIT, 0, &sol));
	fx_clear(f);
	srv_answer(f, &a, &sol, AERO_DHCP6_ADVERTISE, PFX, 56, 0, 0, 3600, 7200, 255, 0);
	g_assert_true(find_dhcp(f, AERO_DHCP6_REQUEST, 0, &req));
	g_assert_true(aero_loc_equal(&req.r->o.pi.dst, &a.loc));
	/* a Reply to the Request with NoPrefixAvail: back to Solicit at the
	 * next PRL entry */
	fx_clear(f);
	srv_answer(f, &a, &req, AERO_DHCP6_REPLY, NULL, 0, 0, 0, 0, 0, -1,
	           AERO_DHCP6_ST_NO_PREFIX_AVAIL);
	g_assert_true(has_state(f, "solicit"));
	g_assert_true(find_dhcp(f, AERO_DHCP6_SOLICIT, 0, &sol));
	g_assert_true(aero_loc_equal(&sol.r->o.pi.dst, &b.loc));
	fx_free(f);
}

/* NoPrefixAvail in a rapid-commit Reply: next PRL entry at once. */
static void
test_noprefix_next_prl(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	struct fx *f = fx_new(&cfg);
	fx_fire(f);
	struct inner sol;
	g_assert_true(find_dhcp(f, AERO_DHCP6_SOLICIT, 0, &sol));
	struct srv a = srv_a();
	fx_clear(f);
	srv_answer(f, &a, &sol, AERO_DHCP6_REPLY, NULL, 0, 0, 0, 0, 0, -1,
	           AERO_DHCP6_ST_NO_PREFIX_AVAIL);
	g_assert_true(find_dhcp(f, AERO_DHCP6_SOLICIT, 0, &sol));
	g_assert_true(aero_loc_equal(&sol.r->o.pi.dst, &cfg.prl[1].loc));
	/* a stale Reply (other xid) and a foreign CLIENTID are dropped */
	struct inner bad = sol;
	bad.dhcp.transaction_id ^= 1;
	srv_grant(f, &a, &bad, AERO_DHCP6_REPLY);
	g_assert_cmpuint(aero_node_counter(f->n, "drop_client_dhcp6_bad"), ==, 1);
	bad = sol;
	uint8_t other[] = {0, 3, 0, 1, 1, 2, 3, 4, 5, 6};
	bad.dhcp.clientid.data = other + 4;
	srv_grant(f, &a, &bad, AERO_DHCP6_REPLY);
	g_assert_cmpuint(aero_node_counter(f->n, "drop_client_dhcp6_bad"), ==, 2);
	fx_free(f);
}

/* Router model: one /64 per downstream link; RS -> RA; Solicit ->
 * sub-delegation. */
static void
test_router(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	cfg.model = AERO_MODEL_ROUTER;
	cfg.n_downstream = 2;
	struct fx *f = fx_new(&cfg);
	bind_2msg(f);
	/* no address from the prefix on the AERO interface */
	g_assert_null(find_cfg(f, AERO_EV_ADDR_ADD, PFX "1", 128, 0));
	g_assert_nonnull(find_cfg(f, AERO_EV_ADDR_ADD, "fe80::2001:db8:1000:2000", 64, 0));
	for (int k = 1; k <= 2; k++) {
		char p[64], a[64];
		g_snprintf(p, sizeof p, "2001:db8:1000:200%d::", k);
		g_snprintf(a, sizeof a, "2001:db8:1000:200%d::1", k);
		const struct aero_event *e = find_cfg(f, AERO_EV_ROUTE_ADD, p, 64, k);
		g_assert_nonnull(e);
		g_assert_cmpint(e->rkind, ==, AERO_RT_LINK);
		e = find_cfg(f, AERO_EV_ADDR_ADD, a, 64, k);
		g_assert_nonnull(e);
		g_assert_false(e->nodad); /* DAD on downstream links */
		struct aero_in6 x = in6(a);
		const struct fib_entry *fe = fib_lookup(f->n, &x);
		g_assert_cmpint(fe->nh[0].kind, ==, NH_TUNNEL);
		g_assert_cmpuint(fe->nh[0].ifindex, ==, (unsigned)k);
	}
	g_assert_cmpint(count_ev(f, AERO_EV_ADDR_ADD), ==, 3);

	/* downstream RS on link 2 -> RA with the PIO of link 2's /64 */
	struct aero_nd_msg rs = {.type = AERO_ND_TYPE_RS};
	struct aero_in6 hll = in6("fe80::abcd"), allr = in6("ff02::2");
	uint8_t pkt[1500];
	int k = build_nd(pkt, sizeof pkt, &hll, &allr, 255, &rs);
	struct aero_pktinfo tpi = {.side = AERO_SIDE_TUNNEL, .ifindex = 2};
	fx_clear(f);
	g_assert_cmpint(aero_node_recv(f->n, &tpi, pkt, (size_t)k, f->now), ==, 0);
	fx_drain(f);
	struct inner ra;
	g_assert_true(find_nd(f, AERO_SIDE_TUNNEL, 2, AERO_ND_TYPE_RA, 0, &ra));
	tu_assert_in6(ra.ip6.dst, "fe80::abcd");
	g_assert_cmpuint(ra.ip6.hop_limit, ==, 255);
	g_assert_cmpuint(ra.nd.opts.n_pio, ==, 1);
	tu_assert_in6(ra.nd.opts.pio[0].prefix, "2001:db8:1000:2002::");
	g_assert_cmpuint(ra.nd.opts.pio[0].prefix_len, ==, 64);
	g_assert_true(ra.nd.opts.pio[0].a);
	g_assert_cmpuint(ra.nd.ra.router_lifetime, >, 0);
	/* RS on a link that does not exist */
	tpi.ifindex = 5;
	g_assert_cmpint(aero_node_recv(f->n, &tpi, pkt, (size_t)k, f->now), ==, 0);
	g_assert_cmpuint(aero_node_counter(f->n, "drop_client_bad_ifindex"), ==, 1);

	/* downstream requesting router on link 1: Solicit with rapid commit */
	struct aero_dhcp6_msg m;
	memset(&m, 0, sizeof m);
	m.msg_type = AERO_DHCP6_SOLICIT;
	m.transaction_id = 0x123456;
	m.has_clientid = true;
	uint8_t cid[] = {0, 3, 0, 1, 2, 0, 0, 0, 0, 7};
	aero_wire_dhcp6_duid_decode(&m.clientid, cid, sizeof cid);
	m.has_rapid_commit = true;
	m.has_elapsed = true;
	m.n_iapd = 1;
	m.iapd[0].iaid = 9;
	uint8_t msg[1500];
	int ml = aero_wire_dhcp6_encode(msg, sizeof msg, &m);
	struct aero_in6 rll = in6("fe80::99"), agents = in6("ff02::1:2");
	size_t len = sim_build_udp(pkt, sizeof pkt, &rll, &agents, 546, 547, msg,
	                           (size_t)ml);
	tpi.ifindex = 1;
	fx_clear(f);
	g_assert_cmpint(aero_node_recv(f->n, &tpi, pkt, len, f->now), ==, 0);
	fx_drain(f);
	struct inner rep = {0};
	bool found = false;
	for (guint i = 0; i < f->recs->len && !found; i++)
		if (fx_rec(f, i)->o.kind == AERO_OUT_PACKET &&
		    fx_rec(f, i)->o.pi.side == AERO_SIDE_TUNNEL &&
		    fx_rec(f, i)->o.pi.ifindex == 1 &&
		    inner_decode(fx_rec(f, i), &rep) && rep.is_dhcp)
			found = true;
	g_assert_true(found);
	g_assert_cmpuint(rep.dhcp.msg_type, ==, AERO_DHCP6_REPLY);
	g_assert_true(rep.dhcp.has_rapid_commit);
	g_assert_cmpuint(rep.dhcp.transaction_id, ==, 0x123456);
	tu_assert_in6(rep.ip6.dst, "fe80::99");
	g_assert_cmpuint(rep.udp.src_port, ==, 547);
	g_assert_cmpuint(rep.dhcp.iapd[0].iaid, ==, 9);
	g_assert_cmpuint(rep.dhcp.iapd[0].n_prefix, ==, 1);
	/* the first prefix after the downstream /64s (1, 2): index 3 */
	tu_assert_in6(rep.dhcp.iapd[0].prefix[0].prefix, "2001:db8:1000:2003::");
	g_assert_cmpuint(rep.dhcp.iapd[0].prefix[0].plen, ==, 64);
	g_assert_cmpuint(rep.dhcp.iapd[0].prefix[0].valid, <=, 7200);
	g_assert_cmpuint(rep.dhcp.iapd[0].prefix[0].valid, >, 0);
	const struct aero_event *e = find_cfg(f, AERO_EV_ROUTE_ADD,
	                                      "2001:db8:1000:2003::", 64, 1);
	g_assert_nonnull(e);
	g_assert_cmpint(e->rkind, ==, AERO_RT_VIA);
	tu_assert_in6(e->addr, "fe80::99");
	/* data from the Server to the sub-delegated prefix -> link 1 */
	struct aero_in6 src = in6("2001:db8:9::1"), dst = in6("2001:db8:1000:2003::5");
	uint8_t pl[4] = {0};
	len = sim_build_udp(pkt, sizeof pkt, &src, &dst, 1, 2, pl, 4);
	fx_clear(f);
	struct aero_loc la = loc_a();
	deliver(f, &la, pkt, len);
	g_assert_cmpuint(f->recs->len, ==, 1);
	g_assert_cmpuint(fx_rec(f, 0)->o.pi.ifindex, ==, 1);

	/* Release from the requesting router removes the route */
	m.msg_type = AERO_DHCP6_RELEASE;
	m.has_rapid_commit = false;
	m.has_serverid = true;
	m.serverid = rep.dhcp.serverid;
	uint8_t sid[200];
	int sl = aero_wire_dhcp6_duid_encode(sid, sizeof sid, &rep.dhcp.serverid);
	aero_wire_dhcp6_duid_decode(&m.serverid, sid, (size_t)sl);
	m.iapd[0].n_prefix = 1;
	m.iapd[0].prefix[0] = rep.dhcp.iapd[0].prefix[0];
	ml = aero_wire_dhcp6_encode(msg, sizeof msg, &m);
	g_assert_cmpint(ml, >, 0);
	len = sim_build_udp(pkt, sizeof pkt, &rll, &agents, 546, 547, msg, (size_t)ml);
	fx_clear(f);
	g_assert_cmpint(aero_node_recv(f->n, &tpi, pkt, len, f->now), ==, 0);
	fx_drain(f);
	g_assert_nonnull(find_cfg(f, AERO_EV_ROUTE_DEL, "2001:db8:1000:2003::", 64, 1));
	fx_free(f);
}

/* Hybrid: addresses on the AERO interface and downstream links. */
static void
test_hybrid(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	cfg.model = AERO_MODEL_HYBRID;
	cfg.n_downstream = 1;
	struct fx *f = fx_new(&cfg);
	bind_2msg(f);
	g_assert_nonnull(find_cfg(f, AERO_EV_ADDR_ADD, PFX "1", 128, 0));
	g_assert_nonnull(find_cfg(f, AERO_EV_ADDR_ADD, "2001:db8:1000:2001::1", 64, 1));
	g_assert_nonnull(find_cfg(f, AERO_EV_ROUTE_ADD, "2001:db8:1000:2001::", 64, 1));
	g_assert_nonnull(find_cfg(f, AERO_EV_ROUTE_ADD, PFX, 56, -1));
	g_assert_cmpint(count_ev(f, AERO_EV_ADDR_ADD), ==, 3);
	fx_free(f);
}

/* Renew at T1, Rebind at T2 (then the next PRL entry), expiry. */
static void
test_renew_rebind_expiry(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	struct fx *f = fx_new(&cfg);
	bind_2msg(f);
	aero_tstamp bound = f->now;
	struct srv a = srv_a();
	fx_clear(f);
	fx_run(f, bound + 1800 * AERO_SEC - 1);
	g_assert_cmpint(count_dhcp(f, AERO_DHCP6_RENEW), ==, 0);
	fx_run(f, bound + 1800 * AERO_SEC);
	struct inner ren;
	g_assert_true(find_dhcp(f, AERO_DHCP6_RENEW, 0, &ren));
	g_assert_true(has_state(f, "renew"));
	g_assert_true(ren.dhcp.has_serverid);
	tu_assert_in6(ren.ip6.src, "fe80::2001:db8:1000:2000");
	tu_assert_in6(ren.dhcp.iapd[0].prefix[0].prefix, PFX);
	g_assert_true(aero_loc_equal(&ren.r->o.pi.dst, &a.loc));
	/* REN timers: the retransmission about 10 s later */
	aero_tstamp t1 = f->now;
	fx_clear(f);
	fx_run(f, t1 + 9 * AERO_SEC);
	g_assert_cmpint(count_dhcp(f, AERO_DHCP6_RENEW), ==, 0);
	fx_run(f, t1 + 11 * AERO_SEC);
	g_assert_true(find_dhcp(f, AERO_DHCP6_RENEW, 0, &ren));
	g_assert_cmpuint(ren.dhcp.elapsed, >=, 900);
	fx_clear(f);
	srv_grant(f, &a, &ren, AERO_DHCP6_REPLY);
	g_assert_true(has_state(f, "bound"));
	g_assert_cmpint(count_ev(f, AERO_EV_PREFIX_RENEWED), ==, 1);
	g_assert_cmpint(count_ev(f, AERO_EV_ADDR_ADD), ==, 0);

	/* silence from now on: Renews until T2, then Rebind */
	bound = f->now;
	fx_clear(f);
	fx_run(f, bound + 2880 * AERO_SEC - 1);
	int renews = count_dhcp(f, AERO_DHCP6_RENEW);
	g_assert_cmpint(renews, >=, 5);
	g_assert_cmpint(count_dhcp(f, AERO_DHCP6_REBIND), ==, 0);
	fx_run(f, bound + 2880 * AERO_SEC);
	struct inner reb;
	g_assert_true(find_dhcp(f, AERO_DHCP6_REBIND, 0, &reb));
	g_assert_false(reb.dhcp.has_serverid);
	g_assert_true(aero_loc_equal(&reb.r->o.pi.dst, &a.loc));
	g_assert_true(has_state(f, "rebind"));
	/* after 3 Rebinds to the silent Server: the next PRL entry */
	fx_clear(f);
	for (int guard = 0; guard < 100 && count_dhcp(f, AERO_DHCP6_REBIND) < 3;
	     guard++)
		fx_fire(f);
	g_assert_true(find_dhcp(f, AERO_DHCP6_REBIND, 1, &reb));
	g_assert_true(aero_loc_equal(&reb.r->o.pi.dst, &a.loc));
	g_assert_true(find_dhcp(f, AERO_DHCP6_REBIND, 2, &reb));
	g_assert_true(aero_loc_equal(&reb.r->o.pi.dst, &cfg.prl[1].loc));
	/* valid lifetime expiry: everything undone, back to Solicit */
	fx_clear(f);
	fx_run(f, bound + 7200 * AERO_SEC);
	g_assert_true(has_state(f, "solicit"));
	const struct aero_event *e = find_ev(f, AERO_EV_PREFIX_LOST, 0);
	g_assert_nonnull(e);
	g_assert_cmpstr(e->name, ==, "expired");
	g_assert_cmpint(count_ev(f, AERO_EV_ADDR_DEL), ==, 2);
	g_assert_cmpint(count_ev(f, AERO_EV_ROUTE_DEL), ==, 2);
	g_assert_nonnull(find_cfg(f, AERO_EV_ROUTE_DEL, "::", 0, -1));
	g_assert_nonnull(find_cfg(f, AERO_EV_ADDR_DEL, "fe80::2001:db8:1000:2000", 64, 0));
	g_assert_cmpuint(fib_count(f->n), ==, 0);
	tu_assert_in6(f->n->ll, "fe80::5efe:c000:20a");
	struct aero_prefix p;
	g_assert_cmpint(aero_node_client_prefix(f->n, &p), ==, 0);
	g_assert_cmpint(count_dhcp(f, AERO_DHCP6_SOLICIT), ==, 1);
	fx_free(f);
}

/* Rebind answered by another Server: adopt it (handover). */
static void
test_rebind_new_server(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	struct fx *f = fx_new(&cfg);
	bind_2msg(f);
	struct srv a = srv_a(), b = srv_b();
	struct aero_in6 all = in6("fe80::1");
	struct nce *sa = nce_lookup(f->n, &all);
	g_assert_nonnull(sa);
	/* NUD gave up on Server A: Rebind via the next PRL entry at once */
	fx_clear(f);
	f->n->ops->nud_failed(f->n, sa);
	fx_drain(f);
	struct inner reb;
	g_assert_true(find_dhcp(f, AERO_DHCP6_REBIND, 0, &reb));
	g_assert_true(aero_loc_equal(&reb.r->o.pi.dst, &b.loc));
	fx_clear(f);
	srv_grant(f, &b, &reb, AERO_DHCP6_REPLY);
	g_assert_true(has_state(f, "bound"));
	const struct aero_event *e = find_ev(f, AERO_EV_HANDOVER, 0);
	g_assert_nonnull(e);
	tu_assert_in6(e->addr, "fe80::2");
	g_assert_true(aero_loc_equal(&e->loc, &b.loc));
	e = find_cfg(f, AERO_EV_ROUTE_DEL, "::", 0, -1);
	g_assert_nonnull(e);
	tu_assert_in6(e->addr, "fe80::1");
	e = find_cfg(f, AERO_EV_ROUTE_ADD, "::", 0, -1);
	g_assert_nonnull(e);
	tu_assert_in6(e->addr, "fe80::2");
	g_assert_null(nce_lookup(f->n, &all));
	struct aero_in6 bll = in6("fe80::2");
	g_assert_nonnull(nce_lookup(f->n, &bll));
	struct aero_in6 x = in6("2001:db8:9::1");
	const struct fib_entry *fe = fib_lookup(f->n, &x);
	g_assert_cmpuint(fe->n_nh, ==, 1);
	tu_assert_in6(fe->nh[0].ll, "fe80::2");
	/* the configuration itself stays */
	g_assert_cmpint(count_ev(f, AERO_EV_ADDR_DEL), ==, 0);
	g_assert_cmpint(count_ev(f, AERO_EV_PREFIX_RENEWED), ==, 1);
	/* the next Renew goes to B with B's SERVERID */
	(void)a;
	fx_clear(f);
	fx_run(f, f->now + 1800 * AERO_SEC);
	struct inner ren;
	g_assert_true(find_dhcp(f, AERO_DHCP6_RENEW, 0, &ren));
	g_assert_true(aero_loc_equal(&ren.r->o.pi.dst, &b.loc));
	g_assert_cmpuint(ren.dhcp.serverid.data[5], ==, 0x03);
	fx_free(f);
}

/* A silent Server: NUD (nud.c) gives up and the Client rebinds via the
 * next PRL entry (digest 1.3a, 8 item 17). */
static void
test_nud_failover(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	struct fx *f = fx_new(&cfg);
	bind_2msg(f);
	f->nud_silent = true;
	fx_clear(f);
	/* the RS at ~4 s finds the Server's reachability fresh; later ones
	 * start probing once REACHABLE_TIME has passed */
	fx_run(f, f->now + 120 * AERO_SEC);
	g_assert_true(has_state(f, "rebind"));
	struct inner reb;
	g_assert_true(find_dhcp(f, AERO_DHCP6_REBIND, 0, &reb));
	g_assert_true(aero_loc_equal(&reb.r->o.pi.dst, &cfg.prl[1].loc));
	struct srv b = srv_b();
	fx_clear(f);
	srv_grant(f, &b, &reb, AERO_DHCP6_REPLY);
	g_assert_true(has_state(f, "bound"));
	g_assert_cmpint(count_ev(f, AERO_EV_HANDOVER), ==, 1);
	fx_free(f);
}

/* Shutdown: Release (REL 1 s, MRC 4), DEL events, INIT. */
static void
test_release(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	struct fx *f = fx_new(&cfg);
	bind_2msg(f);
	fx_clear(f);
	g_assert_cmpint(aero_node_shutdown(f->n, f->now), ==, 0);
	fx_drain(f);
	struct inner rel;
	g_assert_true(find_dhcp(f, AERO_DHCP6_RELEASE, 0, &rel));
	g_assert_true(rel.dhcp.has_serverid);
	tu_assert_in6(rel.dhcp.iapd[0].prefix[0].prefix, PFX);
	g_assert_true(aero_loc_equal(&rel.r->o.pi.dst, &cfg.prl[0].loc));
	g_assert_true(has_state(f, "init"));
	const struct aero_event *e = find_ev(f, AERO_EV_PREFIX_LOST, 0);
	g_assert_nonnull(e);
	g_assert_cmpstr(e->name, ==, "released");
	g_assert_cmpint(count_ev(f, AERO_EV_ADDR_DEL), ==, 2);
	g_assert_cmpint(count_ev(f, AERO_EV_ROUTE_DEL), ==, 2);
	/* unanswered: 4 transmissions in all, then nothing is left to run */
	while (aero_node_deadline(f->n) != AERO_TSTAMP_NONE)
		fx_fire(f);
	g_assert_cmpint(count_dhcp(f, AERO_DHCP6_RELEASE), ==, REL_MAX_RC);
	g_assert_cmpint(count_dhcp(f, AERO_DHCP6_SOLICIT), ==, 0);
	fx_free(f);

	/* answered: retransmission stops */
	f = fx_new(&cfg);
	bind_2msg(f);
	fx_clear(f);
	aero_node_shutdown(f->n, f->now);
	fx_drain(f);
	g_assert_true(find_dhcp(f, AERO_DHCP6_RELEASE, 0, &rel));
	struct srv a = srv_a();
	srv_answer(f, &a, &rel, AERO_DHCP6_REPLY, NULL, 0, 0, 0, 0, 0, -1, 0);
	g_assert_cmpuint(aero_node_deadline(f->n), ==, AERO_TSTAMP_NONE);
	fx_free(f);
}

/* The PRL from the host's name service. */
static void
test_name_query(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	cfg.n_prl = 0;
	g_strlcpy(cfg.prl_name, "linkupnetworks.example.com", sizeof cfg.prl_name);
	struct fx *f = fx_new(&cfg);
	const struct aero_event *e = find_ev(f, AERO_EV_NAME_QUERY, 0);
	g_assert_nonnull(e);
	g_assert_cmpstr(e->name, ==, "linkupnetworks.example.com");
	aero_tstamp t0 = f->now;
	/* unanswered: asked again with the RS back-off (about 4 s) */
	fx_clear(f);
	fx_fire(f);
	g_assert_cmpint(count_ev(f, AERO_EV_NAME_QUERY), ==, 1);
	g_assert_cmpuint(f->now - t0, >=, RS_IRT * 9 / 10);
	g_assert_cmpuint(f->now - t0, <=, RS_IRT * 11 / 10);
	/* "no such name": keep asking */
	g_assert_cmpint(aero_node_name_answer(f->n, "linkupnetworks.example.com",
	                                      NULL, 0, f->now), ==, 0);
	g_assert_cmpuint(aero_node_deadline(f->n), !=, AERO_TSTAMP_NONE);
	g_assert_cmpint(aero_node_name_answer(f->n, "other.example.com", NULL, 0,
	                                      f->now), ==, AERO_ERR_STATE);
	struct aero_peer peers[1] = {{.loc = loc_b(), .id = 2}};
	fx_clear(f);
	g_assert_cmpint(aero_node_name_answer(f->n, "linkupnetworks.example.com",
	                                      peers, 1, f->now), ==, 0);
	fx_drain(f);
	fx_fire(f);
	struct inner sol;
	g_assert_true(find_dhcp(f, AERO_DHCP6_SOLICIT, 0, &sol));
	g_assert_true(aero_loc_equal(&sol.r->o.pi.dst, &peers[0].loc));
	g_assert_cmpint(count_ev(f, AERO_EV_NAME_QUERY), ==, 0);
	/* answered once: no longer pending */
	g_assert_cmpint(aero_node_name_answer(f->n, "linkupnetworks.example.com",
	                                      peers, 1, f->now), ==, AERO_ERR_STATE);
	fx_free(f);
}

/* RA processing with PIO-X (digest 3.4). */
static void
test_pio_x(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	cfg.pio_x = true;
	struct fx *f = fx_new(&cfg);
	bind_2msg(f);
	struct srv a = srv_a();
	struct aero_nd_pio pios[3];
	memset(pios, 0, sizeof pios);
	/* X set, L=1 A=0: exclusive -> ::1 without DAD, lifetime capped at
	 * the DHCPv6 valid lifetime (digest 8 item 18) */
	pios[0].prefix_len = 64;
	pios[0].prefix = in6("2001:db8:1000:2001::");
	pios[0].x = true;
	pios[0].l = true;
	pios[0].valid_lifetime = 86400;
	pios[0].preferred_lifetime = 14400;
	/* X with R set: X ignored; A=0 -> nothing */
	pios[1].prefix_len = 64;
	pios[1].prefix = in6("2001:db8:1000:2002::");
	pios[1].x = true;
	pios[1].r = true;
	pios[1].valid_lifetime = 86400;
	/* plain A=1: SLAAC address with DAD */
	pios[2].prefix_len = 64;
	pios[2].prefix = in6("2001:db8:1000:2003::");
	pios[2].a = true;
	pios[2].valid_lifetime = 600;
	pios[2].preferred_lifetime = 300;
	fx_clear(f);
	srv_ra(f, &a, 1800, pios, 3);
	g_assert_cmpuint(aero_node_counter(f->n, "client_ra_rx"), ==, 1);
	const struct aero_event *e = find_cfg(f, AERO_EV_ADDR_ADD,
	                                      "2001:db8:1000:2001::1", 128, 0);
	g_assert_nonnull(e);
	g_assert_true(e->nodad);
	g_assert_cmpuint(e->vltime, <=, 7200);
	g_assert_cmpint(count_ev(f, AERO_EV_ADDR_ADD), ==, 2);
	const struct aero_event *s = find_ev(f, AERO_EV_ADDR_ADD, 1);
	g_assert_false(s->nodad);
	g_assert_cmpmem(s->addr.b, 8, pios[2].prefix.b, 8);
	struct aero_in6 x = in6("2001:db8:1000:2001::1");
	g_assert_cmpint(fib_lookup(f->n, &x)->nh[0].kind, ==, NH_LOCAL);
	/* the SLAAC address ends with its valid lifetime */
	fx_clear(f);
	fx_run(f, f->now + 600 * AERO_SEC);
	g_assert_cmpint(count_ev(f, AERO_EV_ADDR_DEL), ==, 1);
	g_assert_cmpmem(find_ev(f, AERO_EV_ADDR_DEL, 0)->addr.b, 8,
	                pios[2].prefix.b, 8);
	/* an RA from someone else than the Server */
	struct srv b = srv_b();
	srv_ra(f, &b, 1800, pios, 1);
	g_assert_cmpuint(aero_node_counter(f->n, "drop_client_ra_not_server"), ==, 1);
	fx_free(f);

	/* without PIO-X the bit is RFC 9762 P: P+A gives no address */
	cfg.pio_x = false;
	f = fx_new(&cfg);
	bind_2msg(f);
	memset(pios, 0, sizeof pios);
	pios[0].prefix_len = 64;
	pios[0].prefix = in6("2001:db8:1000:2001::");
	pios[0].p = true;
	pios[0].a = true;
	pios[0].valid_lifetime = 600;
	fx_clear(f);
	srv_ra(f, &a, 1800, pios, 1);
	g_assert_cmpint(count_ev(f, AERO_EV_ADDR_ADD), ==, 0);
	fx_free(f);
}

/* RA with Router Lifetime 0 from the Server: Rebind at once. */
static void
test_ra_lifetime0(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	struct fx *f = fx_new(&cfg);
	bind_2msg(f);
	struct srv a = srv_a();
	fx_clear(f);
	srv_ra(f, &a, 0, NULL, 0);
	g_assert_true(has_state(f, "rebind"));
	struct inner reb;
	g_assert_true(find_dhcp(f, AERO_DHCP6_REBIND, 0, &reb));
	g_assert_true(aero_loc_equal(&reb.r->o.pi.dst, &a.loc));
	g_assert_cmpuint(aero_node_counter(f->n, "client_ra_rebind"), ==, 1);
	/* the Server answers the Rebind: bound again, same configuration */
	fx_clear(f);
	srv_grant(f, &a, &reb, AERO_DHCP6_REPLY);
	g_assert_true(has_state(f, "bound"));
	g_assert_cmpint(count_ev(f, AERO_EV_PREFIX_RENEWED), ==, 1);
	g_assert_cmpint(count_ev(f, AERO_EV_HANDOVER), ==, 0);
	fx_free(f);
}

/* Mobility: set_locator -> HANDOVER and an immediate Renew from the new
 * locator. */
static void
test_set_locator(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	struct fx *f = fx_new(&cfg);
	bind_2msg(f);
	struct aero_loc nl = aero_loc_v4(203, 0, 113, 5, 40000);
	fx_clear(f);
	g_assert_cmpint(aero_node_set_locator(f->n, &nl, f->now), ==, 0);
	fx_drain(f);
	const struct aero_event *e = find_ev(f, AERO_EV_HANDOVER, 0);
	g_assert_nonnull(e);
	g_assert_true(aero_loc_equal(&e->loc, &nl));
	struct inner ren;
	g_assert_true(find_dhcp(f, AERO_DHCP6_RENEW, 0, &ren));
	g_assert_true(aero_loc_equal(&ren.r->o.pi.src, &nl));
	g_assert_true(aero_loc_equal(&ren.r->o.pi.dst, &cfg.prl[0].loc));
	g_assert_true(has_state(f, "renew"));
	struct srv a = srv_a();
	fx_clear(f);
	srv_grant(f, &a, &ren, AERO_DHCP6_REPLY);
	g_assert_true(has_state(f, "bound"));
	fx_free(f);
}

/* RSs keep going with the never-stopping back-off (digest 8 item 19). */
static void
test_rs_keepalive(void)
{
	struct aero_config cfg;
	base_cfg(&cfg);
	cfg.rs_mrt = 600 * AERO_SEC;
	struct fx *f = fx_new(&cfg);
	bind_2msg(f);
	aero_tstamp t0 = f->now;
	struct srv a = srv_a();
	fx_clear(f);
	/* RA answers do not stop them on NBMA links */
	srv_ra(f, &a, 1800, NULL, 0);
	fx_run(f, t0 + 1700 * AERO_SEC);
	/* 4+8+...+512 = 1020 s; then every ~600 s: 8 RSs + 1 by 1700 s */
	int n_rs = 0;
	struct inner rs;
	while (find_nd(f, AERO_SIDE_UNDERLAY, 0, AERO_ND_TYPE_RS, n_rs, &rs))
		n_rs++;
	g_assert_cmpint(n_rs, >=, 8);
	g_assert_cmpint(n_rs, <=, 10);
	fx_free(f);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/solicit", test_solicit);
	g_test_add_func("/client/pd/2msg_host", test_pd_2msg_host);
	g_test_add_func("/client/pd/4msg", test_pd_4msg);
	g_test_add_func("/client/pd/noprefix_next_prl", test_noprefix_next_prl);
	g_test_add_func("/client/model/router", test_router);
	g_test_add_func("/client/model/hybrid", test_hybrid);
	g_test_add_func("/client/renew_rebind_expiry", test_renew_rebind_expiry);
	g_test_add_func("/client/rebind_new_server", test_rebind_new_server);
	g_test_add_func("/client/nud_failover", test_nud_failover);
	g_test_add_func("/client/release", test_release);
	g_test_add_func("/client/name_query", test_name_query);
	g_test_add_func("/client/ra/pio_x", test_pio_x);
	g_test_add_func("/client/ra/lifetime0", test_ra_lifetime0);
	g_test_add_func("/client/set_locator", test_set_locator);
	g_test_add_func("/client/rs_keepalive", test_rs_keepalive);
	return g_test_run();
}
