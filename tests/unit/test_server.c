/* The Server (VBG) role (core/src/role_server.c), driven with hand-built
 * DHCPv6 / ND / data packets through aero_node_recv. */
#include "testutil.h"
#include "../sim/nodefix.h"
#include "../../core/src/node.h"
#include "../../core/src/pool.h"

#include <stdio.h>

#define in6(s) tu_in6(s)

/* ---- fixture ---------------------------------------------------------------- */

struct opkt {
	struct aero_pktinfo pi;
	uint8_t *data;
	size_t len;
};

struct oev {
	struct aero_event ev;
	char name[32];
};

struct fx {
	aero_node *n;
	struct aero_config cfg;
	aero_tstamp now;
	GPtrArray *pkts; /* struct opkt * */
	GArray *evs;     /* struct oev */
	uint32_t seed;
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

static void
opkt_free(gpointer p)
{
	struct opkt *o = p;
	g_free(o->data);
	g_free(o);
}

static const struct aero_loc SELF = {.family = 4, .ip = {192, 0, 2, 1}, .port = 8060};
static const struct aero_loc RELAY = {.family = 4, .ip = {192, 0, 2, 9}, .port = 8060};
static const struct aero_loc CL1 = {.family = 4, .ip = {198, 51, 100, 7}, .port = 40000};
static const struct aero_loc CL1B = {.family = 4, .ip = {203, 0, 113, 5}, .port = 41000};
static const struct aero_loc CL2 = {.family = 4, .ip = {198, 51, 100, 8}, .port = 40001};

static void
cfg_server(struct aero_config *c)
{
	aero_config_default(c, AERO_ROLE_SERVER);
	c->self = SELF;
	c->id = 1;
	c->pools[0].prefix = in6("2001:db8:1000::");
	c->pools[0].plen = 40;
	c->pools[0].deleg_len = 56;
	c->n_pools = 1;
	c->relays[0].loc = RELAY;
	c->relays[0].id = 9;
	c->n_relays = 1;
	c->preference = 200;
}

static void
fx_drain(struct fx *f)
{
	struct aero_out o;
	while (aero_node_poll(f->n, &o) == 1) {
		if (o.kind == AERO_OUT_PACKET) {
			struct opkt *p = g_new0(struct opkt, 1);
			p->pi = o.pi;
			p->data = g_memdup2(o.data, o.len);
			p->len = o.len;
			g_ptr_array_add(f->pkts, p);
		} else {
			struct oev e = {.ev = o.ev};
			if (o.ev.name)
				g_strlcpy(e.name, o.ev.name, sizeof e.name);
			e.ev.name = NULL;
			g_array_append_val(f->evs, e);
		}
	}
}

static void
fx_clear(struct fx *f)
{
	g_ptr_array_set_size(f->pkts, 0);
	g_array_set_size(f->evs, 0);
}

static void
fx_start(struct fx *f, const struct aero_config *c)
{
	f->cfg = *c;
	f->now = 1 * AERO_SEC;
	f->seed = 7;
	if (!f->pkts) {
		f->pkts = g_ptr_array_new_with_free_func(opkt_free);
		f->evs = g_array_new(FALSE, TRUE, sizeof(struct oev));
	}
	g_assert_cmpint(aero_node_new(&f->n, c, &fx_cb, f, f->now), ==, 0);
	fx_drain(f);
	fx_clear(f);
}

static void
fx_stop(struct fx *f)
{
	aero_node_free(f->n);
	f->n = NULL;
	g_ptr_array_unref(f->pkts);
	g_array_unref(f->evs);
	f->pkts = NULL;
	f->evs = NULL;
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

static uint64_t
cnt(struct fx *f, const char *name)
{
	return aero_node_counter(f->n, name);
}

/* Number of events of type t (and name, when given). */
static int
n_ev(struct fx *f, enum aero_event_type t, const char *name)
{
	int k = 0;
	for (guint i = 0; i < f->evs->len; i++) {
		const struct oev *e = &g_array_index(f->evs, struct oev, i);
		if (e->ev.type == t && (!name || strcmp(e->name, name) == 0))
			k++;
	}
	return k;
}

static const struct oev *
get_ev(struct fx *f, enum aero_event_type t, const char *name)
{
	for (guint i = 0; i < f->evs->len; i++) {
		const struct oev *e = &g_array_index(f->evs, struct oev, i);
		if (e->ev.type == t && (!name || strcmp(e->name, name) == 0))
			return e;
	}
	g_assert_not_reached();
	return NULL;
}

/* ---- packets in --------------------------------------------------------------- */

static void
recv_underlay(struct fx *f, const struct aero_loc *from, const uint8_t *pkt,
              size_t len)
{
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY, .src = *from,
	                          .dst = f->cfg.self, .ttl = 64};
	g_assert_cmpint(aero_node_recv(f->n, &pi, pkt, len, f->now), ==, 0);
	fx_drain(f);
}

static void
recv_tunnel(struct fx *f, const uint8_t *pkt, size_t len)
{
	struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL};
	g_assert_cmpint(aero_node_recv(f->n, &pi, pkt, len, f->now), ==, 0);
	fx_drain(f);
}

static const uint8_t DUID1[] = {0, 3, 0, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x01};
static const uint8_t DUID2[] = {0, 3, 0, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x02};
static const uint8_t SRV_DUID[] = {0, 3, 0, 1, 0x02, 0x00, 0, 0, 0, 1};

/* A client message with one IA_PD (iaid) and an optional hint. */
static void
mk_msg(struct aero_dhcp6_msg *m, uint8_t type, const uint8_t *duid,
       uint32_t iaid, const char *hint, uint8_t hplen)
{
	memset(m, 0, sizeof *m);
	m->msg_type = type;
	m->transaction_id = 0x123456;
	m->has_clientid = true;
	g_assert_cmpint(aero_wire_dhcp6_duid_decode(&m->clientid, duid, 10), ==, 10);
	m->has_elapsed = true;
	m->n_iapd = 1;
	m->iapd[0].iaid = iaid;
	if (hint) {
		m->iapd[0].n_prefix = 1;
		m->iapd[0].prefix[0].prefix = in6(hint);
		m->iapd[0].prefix[0].plen = hplen;
	}
}

static void
with_serverid(struct aero_dhcp6_msg *m, const uint8_t *duid)
{
	m->has_serverid = true;
	g_assert_cmpint(aero_wire_dhcp6_duid_decode(&m->serverid, duid, 10), ==, 10);
}

static const char *TEMP_LL = "fe80::5efe:c633:6407";

static void
send_dhcp_port(struct fx *f, const struct aero_loc *from, const char *src,
               const struct aero_dhcp6_msg *m, uint16_t dport)
{
	uint8_t msg[1500], pkt[1600];
	int k = aero_wire_dhcp6_encode(msg, sizeof msg, m);
	g_assert_cmpint(k, >, 0);
	struct aero_in6 s = in6(src), d = in6("ff02::1:2");
	int pl = build_udp(pkt, sizeof pkt, &s, &d, 255, 546, dport, msg, (size_t)k);
	g_assert_cmpint(pl, >, 0);
	recv_underlay(f, from, pkt, (size_t)pl);
}

static void
send_dhcp(struct fx *f, const struct aero_loc *from, const char *src,
          const struct aero_dhcp6_msg *m)
{
	send_dhcp_port(f, from, src, m, 547);
}

/* ---- packets out ------------------------------------------------------------------ */

static int
n_pkts(struct fx *f, enum aero_side side)
{
	int k = 0;
	for (guint i = 0; i < f->pkts->len; i++)
		if (((struct opkt *)g_ptr_array_index(f->pkts, i))->pi.side == side)
			k++;
	return k;
}

static const struct opkt *
last_pkt(struct fx *f, enum aero_side side)
{
	for (guint i = f->pkts->len; i-- > 0;) {
		const struct opkt *p = g_ptr_array_index(f->pkts, i);
		if (p->pi.side == side)
			return p;
	}
	g_assert_not_reached();
	return NULL;
}

/* The first underlay packet to loc (route optimisation may add more). */
static const struct opkt *
first_pkt_to(struct fx *f, const struct aero_loc *to)
{
	for (guint i = 0; i < f->pkts->len; i++) {
		const struct opkt *p = g_ptr_array_index(f->pkts, i);
		if (p->pi.side == AERO_SIDE_UNDERLAY && aero_loc_equal(&p->pi.dst, to))
			return p;
	}
	g_assert_not_reached();
	return NULL;
}

/* Decode the DHCPv6 reply in the last underlay packet (sent to to). */
static void
get_reply(struct fx *f, const struct aero_loc *to, struct aero_dhcp6_msg *r,
          const char *dst_ll)
{
	const struct opkt *p = last_pkt(f, AERO_SIDE_UNDERLAY);
	g_assert_true(aero_loc_equal(&p->pi.dst, to));
	g_assert_cmpuint(p->pi.src.port, ==, 8060);
	struct aero_ipv6 h;
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p->data, p->len), >, 0);
	tu_assert_in6(h.src, "fe80::1");
	tu_assert_in6(h.dst, dst_ll);
	g_assert_cmpuint(h.next_header, ==, 17);
	struct aero_udp u;
	struct aero_ip_pseudo ps = {.family = 6, .src = h.src, .dst = h.dst};
	g_assert_cmpint(aero_wire_udp_decode(&u, h.payload, h.payload_len, &ps, 0), >, 0);
	g_assert_cmpuint(u.src_port, ==, 547);
	g_assert_cmpuint(u.dst_port, ==, 546);
	g_assert_cmpint(aero_wire_dhcp6_decode(r, u.payload, u.payload_len), >, 0);
	g_assert_cmpuint(r->transaction_id, ==, 0x123456);
	g_assert_true(r->has_serverid);
	uint8_t sd[16];
	g_assert_cmpint(aero_wire_dhcp6_duid_encode(sd, sizeof sd, &r->serverid), ==, 10);
	g_assert_cmpmem(sd, 10, SRV_DUID, 10);
}

static void
assert_ia_prefix(const struct aero_dhcp6_msg *r, const char *prefix, uint8_t plen)
{
	g_assert_cmpuint(r->n_iapd, ==, 1);
	g_assert_false(r->iapd[0].has_status);
	g_assert_cmpuint(r->iapd[0].n_prefix, >=, 1);
	tu_assert_in6(r->iapd[0].prefix[0].prefix, prefix);
	g_assert_cmpuint(r->iapd[0].prefix[0].plen, ==, plen);
}

static void
assert_ia_status(const struct aero_dhcp6_msg *r, uint16_t code)
{
	g_assert_cmpuint(r->n_iapd, ==, 1);
	g_assert_true(r->iapd[0].has_status);
	g_assert_cmpuint(r->iapd[0].status.code, ==, code);
	g_assert_cmpuint(r->iapd[0].n_prefix, ==, 0);
}

/* Solicit + Rapid Commit for DUID1 from loc; returns after the Reply. */
static void
bind_rc(struct fx *f, const uint8_t *duid, const struct aero_loc *loc,
        const char *expect)
{
	struct aero_dhcp6_msg m, r;
	mk_msg(&m, AERO_DHCP6_SOLICIT, duid, 1, NULL, 0);
	m.has_rapid_commit = true;
	send_dhcp(f, loc, TEMP_LL, &m);
	get_reply(f, loc, &r, TEMP_LL);
	g_assert_cmpuint(r.msg_type, ==, AERO_DHCP6_REPLY);
	g_assert_true(r.has_rapid_commit);
	assert_ia_prefix(&r, expect, 56);
}

static struct nce *
client_nce(struct fx *f, const char *prefix)
{
	struct aero_in6 p = in6(prefix), aero;
	g_assert_cmpint(aero_addr_aero_from_prefix(&aero, &p, 56), ==, 0);
	return nce_lookup(f->n, &aero);
}

/* ---- tests ------------------------------------------------------------------------- */

static void
test_start(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	f.pkts = g_ptr_array_new_with_free_func(opkt_free);
	f.evs = g_array_new(FALSE, TRUE, sizeof(struct oev));
	f.now = AERO_SEC;
	g_assert_cmpint(aero_node_new(&f.n, &c, &fx_cb, &f, f.now), ==, 0);
	f.cfg = c;
	fx_drain(&f);
	g_assert_cmpint(n_ev(&f, AERO_EV_STATE, "serving"), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_NEIGHBOR_UP, "relay"), ==, 1);
	/* default route via the Relay */
	struct aero_in6 any = in6("2001:db8:ffff::1");
	struct fib_entry *e = fib_lookup(f.n, &any);
	g_assert_nonnull(e);
	g_assert_cmpuint(e->plen, ==, 0);
	tu_assert_in6(e->nh[0].ll, "fe80::9");
	g_assert_cmpuint(aero_node_deadline(f.n), ==, AERO_TSTAMP_NONE);
	fx_stop(&f);
}

static void
test_four_message(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	fx_start(&f, &c);
	struct aero_dhcp6_msg m, r;

	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID1, 7, NULL, 0);
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	get_reply(&f, &CL1, &r, TEMP_LL);
	g_assert_cmpuint(r.msg_type, ==, AERO_DHCP6_ADVERTISE);
	g_assert_true(r.has_preference);
	g_assert_cmpuint(r.preference, ==, 200);
	g_assert_false(r.has_rapid_commit);
	assert_ia_prefix(&r, "2001:db8:1000::", 56);
	g_assert_cmpuint(r.iapd[0].iaid, ==, 7);
	/* nothing is bound by an Advertise */
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_ANNOUNCE, NULL), ==, 0);
	g_assert_cmpuint(cnt(&f, "srv_advertise_tx"), ==, 1);
	fx_clear(&f);

	mk_msg(&m, AERO_DHCP6_REQUEST, DUID1, 7, "2001:db8:1000::", 56);
	with_serverid(&m, SRV_DUID);
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	get_reply(&f, &CL1, &r, TEMP_LL);
	g_assert_cmpuint(r.msg_type, ==, AERO_DHCP6_REPLY);
	assert_ia_prefix(&r, "2001:db8:1000::", 56);
	g_assert_cmpuint(r.iapd[0].t1, ==, 1800);
	g_assert_cmpuint(r.iapd[0].t2, ==, 2880);
	g_assert_cmpuint(r.iapd[0].prefix[0].preferred, ==, 3600);
	g_assert_cmpuint(r.iapd[0].prefix[0].valid, ==, 7200);
	g_assert_true(r.has_clientid);

	const struct oev *a = get_ev(&f, AERO_EV_ROUTE_ANNOUNCE, NULL);
	tu_assert_in6(a->ev.prefix, "2001:db8:1000::");
	g_assert_cmpuint(a->ev.plen, ==, 56);
	tu_assert_in6(a->ev.addr, "fe80::1");
	g_assert_true(aero_loc_equal(&a->ev.loc, &SELF));
	const struct oev *b = get_ev(&f, AERO_EV_BINDING, "bound");
	tu_assert_in6(b->ev.addr, "fe80::2001:db8:1000:0");
	g_assert_true(aero_loc_equal(&b->ev.loc, &CL1));
	g_assert_cmpint(n_ev(&f, AERO_EV_NEIGHBOR_UP, "client"), ==, 1);

	/* NCE keyed by the AERO address at the observed locator, route */
	struct nce *e = client_nce(&f, "2001:db8:1000::");
	g_assert_nonnull(e);
	g_assert_cmpint(e->kind, ==, NCE_CLIENT);
	g_assert_true(aero_loc_equal(&e->loc, &CL1));
	struct aero_in6 pfx = in6("2001:db8:1000::");
	struct fib_entry *fe = fib_exact(f.n, &pfx, 56);
	g_assert_nonnull(fe);
	g_assert_cmpuint(fe->origin, ==, FIB_ORIGIN_DHCP);
	tu_assert_in6(fe->nh[0].ll, "fe80::2001:db8:1000:0");
	g_assert_cmpuint(cnt(&f, "srv_delegations"), ==, 1);

	/* the lifetime timer is armed at the valid lifetime */
	g_assert_cmpuint(aero_node_deadline(f.n), ==, f.now + 7200 * AERO_SEC);

	char *js = aero_node_dump_json(f.n);
	g_assert_nonnull(strstr(js, "\"bindings\":{\"count\":1,\"bound\":1"));
	g_assert_nonnull(strstr(js, "\"prefix\":\"2001:db8:1000::/56\",\"state\":\"bound\""));
	g_assert_nonnull(strstr(js, "\"used\":1"));
	g_free(js);
	fx_stop(&f);
}

static void
test_two_message_and_hint(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "bound"), ==, 1);
	fx_clear(&f);

	/* the same client again: the same prefix, refreshed */
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "renewed"), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_ANNOUNCE, NULL), ==, 0);
	fx_clear(&f);

	/* a second client with a hint */
	struct aero_dhcp6_msg m, r;
	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID2, 1, "2001:db8:1000:4200::", 56);
	m.has_rapid_commit = true;
	send_dhcp(&f, &CL2, TEMP_LL, &m);
	get_reply(&f, &CL2, &r, TEMP_LL);
	assert_ia_prefix(&r, "2001:db8:1000:4200::", 56);
	g_assert_cmpuint(cnt(&f, "srv_delegations"), ==, 2);
	fx_stop(&f);
}

static void
test_no_prefix(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	c.pools[0].plen = 56; /* a single prefix */
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	fx_clear(&f);
	struct aero_dhcp6_msg m, r;
	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID2, 1, NULL, 0);
	m.has_rapid_commit = true;
	send_dhcp(&f, &CL2, TEMP_LL, &m);
	get_reply(&f, &CL2, &r, TEMP_LL);
	assert_ia_status(&r, AERO_DHCP6_ST_NO_PREFIX_AVAIL);
	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID2, 1, NULL, 0);
	send_dhcp(&f, &CL2, TEMP_LL, &m);
	get_reply(&f, &CL2, &r, TEMP_LL);
	g_assert_cmpuint(r.msg_type, ==, AERO_DHCP6_ADVERTISE);
	assert_ia_status(&r, AERO_DHCP6_ST_NO_PREFIX_AVAIL);
	g_assert_cmpuint(cnt(&f, "srv_no_prefix"), ==, 2);
	fx_stop(&f);

	/* max_bindings */
	cfg_server(&c);
	c.max_bindings = 1;
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID2, 1, NULL, 0);
	m.has_rapid_commit = true;
	send_dhcp(&f, &CL2, TEMP_LL, &m);
	get_reply(&f, &CL2, &r, TEMP_LL);
	assert_ia_status(&r, AERO_DHCP6_ST_NO_PREFIX_AVAIL);
	g_assert_cmpuint(cnt(&f, "srv_bindings_full"), ==, 1);
	fx_stop(&f);
}

static void
test_renew_moves(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	fx_clear(&f);
	f.now += 1800 * AERO_SEC;

	struct aero_dhcp6_msg m, r;
	const char *aero = "fe80::2001:db8:1000:0";
	mk_msg(&m, AERO_DHCP6_RENEW, DUID1, 1, "2001:db8:1000::", 56);
	with_serverid(&m, SRV_DUID);
	send_dhcp(&f, &CL1B, aero, &m);
	get_reply(&f, &CL1B, &r, aero);
	assert_ia_prefix(&r, "2001:db8:1000::", 56);
	g_assert_cmpuint(r.iapd[0].prefix[0].valid, ==, 7200);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "moved"), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "renewed"), ==, 1);
	g_assert_true(aero_loc_equal(&get_ev(&f, AERO_EV_BINDING, "moved")->ev.loc,
	                             &CL1B));
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_ANNOUNCE, NULL), ==, 0);
	struct nce *e = client_nce(&f, "2001:db8:1000::");
	g_assert_true(aero_loc_equal(&e->loc, &CL1B));
	g_assert_true(nce_by_loc(f.n, &CL1B) == e);
	g_assert_null(nce_by_loc(f.n, &CL1));
	g_assert_cmpuint(cnt(&f, "srv_moves"), ==, 1);
	/* lifetime timer moved on */
	g_assert_cmpuint(aero_node_deadline(f.n), ==, f.now + 7200 * AERO_SEC);
	fx_clear(&f);

	/* a Renew listing another prefix too: that one comes back with 0 */
	mk_msg(&m, AERO_DHCP6_RENEW, DUID1, 1, "2001:db8:1000::", 56);
	m.iapd[0].n_prefix = 2;
	m.iapd[0].prefix[1].prefix = in6("2001:db8:1000:900::");
	m.iapd[0].prefix[1].plen = 56;
	with_serverid(&m, SRV_DUID);
	send_dhcp(&f, &CL1B, aero, &m);
	get_reply(&f, &CL1B, &r, aero);
	g_assert_cmpuint(r.iapd[0].n_prefix, ==, 2);
	g_assert_cmpuint(r.iapd[0].prefix[1].valid, ==, 0);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "moved"), ==, 0);
	fx_stop(&f);
}

static void
test_release_hold(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	c.grace = 100 * AERO_SEC;
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	fx_clear(&f);

	struct aero_dhcp6_msg m, r;
	const char *aero = "fe80::2001:db8:1000:0";
	mk_msg(&m, AERO_DHCP6_RELEASE, DUID1, 1, "2001:db8:1000::", 56);
	with_serverid(&m, SRV_DUID);
	send_dhcp(&f, &CL1, aero, &m);
	get_reply(&f, &CL1, &r, aero);
	g_assert_true(r.has_status);
	g_assert_cmpuint(r.status.code, ==, AERO_DHCP6_ST_SUCCESS);
	g_assert_cmpuint(r.n_iapd, ==, 0);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "released"), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_NEIGHBOR_DOWN, NULL), ==, 1);
	g_assert_null(client_nce(&f, "2001:db8:1000::"));
	struct aero_in6 pfx = in6("2001:db8:1000::");
	g_assert_null(fib_exact(f.n, &pfx, 56));
	g_assert_cmpuint(cnt(&f, "srv_releases"), ==, 1);
	fx_clear(&f);

	/* a second Release: NoBinding */
	send_dhcp(&f, &CL1, aero, &m);
	get_reply(&f, &CL1, &r, aero);
	assert_ia_status(&r, AERO_DHCP6_ST_NO_BINDING);

	/* held: another client asking for it gets another prefix */
	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID2, 1, "2001:db8:1000::", 56);
	m.has_rapid_commit = true;
	send_dhcp(&f, &CL2, TEMP_LL, &m);
	get_reply(&f, &CL2, &r, TEMP_LL);
	assert_ia_prefix(&r, "2001:db8:1000:100::", 56);
	fx_clear(&f);

	/* grace over: free */
	fx_advance(&f, 100 * AERO_SEC);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "free"), ==, 1);
	tu_assert_in6(get_ev(&f, AERO_EV_BINDING, "free")->ev.prefix, "2001:db8:1000::");
	fx_clear(&f);
	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID2, 2, "2001:db8:1000::", 56);
	m.has_rapid_commit = true;
	send_dhcp(&f, &CL2, TEMP_LL, &m);
	get_reply(&f, &CL2, &r, TEMP_LL);
	assert_ia_prefix(&r, "2001:db8:1000::", 56);
	fx_stop(&f);
}

/* Decline: like Release, the prefix is held. */
static void
test_decline(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	fx_clear(&f);
	struct aero_dhcp6_msg m, r;
	mk_msg(&m, AERO_DHCP6_DECLINE, DUID1, 1, "2001:db8:1000::", 56);
	with_serverid(&m, SRV_DUID);
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	get_reply(&f, &CL1, &r, TEMP_LL);
	g_assert_cmpuint(r.status.code, ==, AERO_DHCP6_ST_SUCCESS);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 1);
	g_assert_cmpuint(cnt(&f, "srv_declines"), ==, 1);
	/* held for the valid lifetime (grace NONE) */
	g_assert_cmpuint(aero_node_deadline(f.n), ==, f.now + 7200 * AERO_SEC);
	fx_stop(&f);
}

static void
test_rebind_restart(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	/* restart: all state lost */
	aero_node_free(f.n);
	g_assert_cmpint(aero_node_new(&f.n, &c, &fx_cb, &f, f.now), ==, 0);
	fx_drain(&f);
	fx_clear(&f);

	const char *aero = "fe80::2001:db8:1000:0";
	/* RS from the AERO address: no binding, Router Lifetime 0 */
	struct aero_nd_msg rs = {.type = AERO_ND_TYPE_RS};
	uint8_t pkt[256];
	struct aero_in6 s = in6(aero);
	int k = build_nd(pkt, sizeof pkt, &s, &in6_all_routers, 255, &rs);
	recv_underlay(&f, &CL1, pkt, (size_t)k);
	const struct opkt *p = last_pkt(&f, AERO_SIDE_UNDERLAY);
	struct aero_ipv6 h;
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p->data, p->len), >, 0);
	struct aero_nd_msg ra;
	g_assert_cmpint(aero_wire_nd_decode(&ra, h.payload, h.payload_len,
	                &f.n->ndctx, &h.src, &h.dst), >, 0);
	g_assert_cmpuint(ra.type, ==, AERO_ND_TYPE_RA);
	g_assert_cmpuint(ra.ra.router_lifetime, ==, 0);
	g_assert_cmpuint(cnt(&f, "srv_ra_lost_state"), ==, 1);
	fx_clear(&f);

	/* a Renew is refused (NoBinding) ... */
	struct aero_dhcp6_msg m, r;
	mk_msg(&m, AERO_DHCP6_RENEW, DUID1, 1, "2001:db8:1000::", 56);
	with_serverid(&m, SRV_DUID);
	send_dhcp(&f, &CL1, aero, &m);
	get_reply(&f, &CL1, &r, aero);
	assert_ia_status(&r, AERO_DHCP6_ST_NO_BINDING);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_ANNOUNCE, NULL), ==, 0);
	fx_clear(&f);

	/* ... a Rebind restores the binding */
	mk_msg(&m, AERO_DHCP6_REBIND, DUID1, 1, "2001:db8:1000::", 56);
	send_dhcp(&f, &CL1, aero, &m);
	get_reply(&f, &CL1, &r, aero);
	assert_ia_prefix(&r, "2001:db8:1000::", 56);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_ANNOUNCE, NULL), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "bound"), ==, 1);
	g_assert_cmpuint(cnt(&f, "srv_recovered"), ==, 1);
	g_assert_nonnull(client_nce(&f, "2001:db8:1000::"));
	fx_clear(&f);

	/* Rebind for a prefix outside the pools, or bound to another client */
	mk_msg(&m, AERO_DHCP6_REBIND, DUID2, 1, "2001:db8:7777::", 56);
	send_dhcp(&f, &CL2, TEMP_LL, &m);
	get_reply(&f, &CL2, &r, TEMP_LL);
	assert_ia_status(&r, AERO_DHCP6_ST_NO_BINDING);
	mk_msg(&m, AERO_DHCP6_REBIND, DUID2, 1, "2001:db8:1000::", 56);
	send_dhcp(&f, &CL2, TEMP_LL, &m);
	get_reply(&f, &CL2, &r, TEMP_LL);
	assert_ia_status(&r, AERO_DHCP6_ST_NO_BINDING);
	g_assert_cmpuint(cnt(&f, "srv_no_binding"), ==, 3);
	fx_stop(&f);
}

static void
test_validation(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	fx_start(&f, &c);
	struct aero_dhcp6_msg m;
	static const uint8_t other[] = {0, 3, 0, 1, 0x02, 0x00, 0, 0, 0, 2};

	mk_msg(&m, AERO_DHCP6_REQUEST, DUID1, 1, NULL, 0);
	with_serverid(&m, other);
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	mk_msg(&m, AERO_DHCP6_RENEW, DUID1, 1, NULL, 0); /* no SERVERID */
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID1, 1, NULL, 0);
	with_serverid(&m, SRV_DUID); /* Solicit must not have one */
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	g_assert_cmpuint(cnt(&f, "drop_srv_serverid"), ==, 3);

	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID1, 1, NULL, 0);
	m.has_clientid = false;
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	g_assert_cmpuint(cnt(&f, "drop_srv_no_clientid"), ==, 1);

	mk_msg(&m, AERO_DHCP6_REPLY, DUID1, 1, NULL, 0);
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	g_assert_cmpuint(cnt(&f, "drop_srv_dhcp_type"), ==, 1);

	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID1, 1, NULL, 0);
	send_dhcp_port(&f, &CL1, TEMP_LL, &m, 546);
	g_assert_cmpuint(cnt(&f, "drop_srv_dhcp_port"), ==, 1);

	/* garbage payload */
	uint8_t junk[] = {1, 0, 0, 1, 0, 1, 0, 99};
	uint8_t pkt[256];
	struct aero_in6 s = in6(TEMP_LL), d = in6("ff02::1:2");
	int k = build_udp(pkt, sizeof pkt, &s, &d, 255, 546, 547, junk, sizeof junk);
	recv_underlay(&f, &CL1, pkt, (size_t)k);
	g_assert_cmpuint(cnt(&f, "drop_srv_dhcp_malformed"), ==, 1);

	g_assert_cmpint(n_pkts(&f, AERO_SIDE_UNDERLAY), ==, 0);

	/* Information-request: Reply with SERVERID, no IA */
	struct aero_dhcp6_msg r;
	mk_msg(&m, AERO_DHCP6_INFO_REQUEST, DUID1, 1, NULL, 0);
	m.n_iapd = 0;
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	get_reply(&f, &CL1, &r, TEMP_LL);
	g_assert_cmpuint(r.msg_type, ==, AERO_DHCP6_REPLY);
	g_assert_cmpuint(r.n_iapd, ==, 0);

	/* Confirm without addresses: no reply */
	fx_clear(&f);
	mk_msg(&m, AERO_DHCP6_CONFIRM, DUID1, 1, NULL, 0);
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	g_assert_cmpint(n_pkts(&f, AERO_SIDE_UNDERLAY), ==, 0);
	g_assert_cmpuint(cnt(&f, "srv_confirm_ignored"), ==, 1);
	fx_stop(&f);
}

/* Inner IPv6/UDP data packet src -> dst. */
static int
mk_data(uint8_t *buf, size_t cap, const char *src, const char *dst)
{
	struct aero_in6 s = in6(src), d = in6(dst);
	const uint8_t pl[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	return build_udp(buf, cap, &s, &d, 64, 5000, 6000, pl, sizeof pl);
}

static void
test_ingress_filter(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	bind_rc(&f, DUID2, &CL2, "2001:db8:1000:100::");
	fx_clear(&f);
	uint8_t pkt[256];

	/* inside the prefix, to the Internet: via the Relay */
	int k = mk_data(pkt, sizeof pkt, "2001:db8:1000:1::5", "2001:4860::8888");
	recv_underlay(&f, &CL1, pkt, (size_t)k);
	const struct opkt *p = first_pkt_to(&f, &RELAY);
	g_assert_cmpuint(p->data[7], ==, 63); /* hop limit decremented */
	g_assert_cmpuint(cnt(&f, "forwarded"), ==, 1);

	/* outside: dropped */
	k = mk_data(pkt, sizeof pkt, "2001:db8:1000:100::5", "2001:4860::8888");
	recv_underlay(&f, &CL1, pkt, (size_t)k);
	g_assert_cmpuint(cnt(&f, "drop_ingress_filter"), ==, 1);
	k = mk_data(pkt, sizeof pkt, "2001:db8:9::1", "2001:4860::8888");
	recv_underlay(&f, &CL1, pkt, (size_t)k);
	g_assert_cmpuint(cnt(&f, "drop_ingress_filter"), ==, 2);
	/* unknown locator */
	recv_underlay(&f, &CL1B, pkt, (size_t)k);
	g_assert_cmpuint(cnt(&f, "drop_srv_unknown_source"), ==, 1);
	g_assert_cmpuint(cnt(&f, "forwarded"), ==, 1);

	/* Client to Client through the Server */
	fx_clear(&f);
	k = mk_data(pkt, sizeof pkt, "2001:db8:1000:1::5", "2001:db8:1000:100::9");
	recv_underlay(&f, &CL1, pkt, (size_t)k);
	p = first_pkt_to(&f, &CL2);
	g_assert_cmpuint(p->len, ==, (size_t)k);

	/* from the Server's own stack (tunnel side) to a Client prefix */
	fx_clear(&f);
	k = mk_data(pkt, sizeof pkt, "2001:db8:ffff::1", "2001:db8:1000:1::5");
	recv_tunnel(&f, pkt, (size_t)k);
	p = last_pkt(&f, AERO_SIDE_UNDERLAY);
	g_assert_true(aero_loc_equal(&p->pi.dst, &CL1));
	fx_stop(&f);
}

static void
send_rs(struct fx *f, const struct aero_loc *from, const char *src)
{
	struct aero_nd_msg rs = {.type = AERO_ND_TYPE_RS};
	uint8_t pkt[256];
	struct aero_in6 s = in6(src);
	int k = build_nd(pkt, sizeof pkt, &s, &in6_all_routers, 255, &rs);
	recv_underlay(f, from, pkt, (size_t)k);
}

static void
get_ra(struct fx *f, const struct aero_loc *to, struct aero_nd_msg *ra,
       const char *dst)
{
	const struct opkt *p = last_pkt(f, AERO_SIDE_UNDERLAY);
	g_assert_true(aero_loc_equal(&p->pi.dst, to));
	struct aero_ipv6 h;
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p->data, p->len), >, 0);
	g_assert_cmpuint(h.hop_limit, ==, 255);
	tu_assert_in6(h.src, "fe80::1");
	tu_assert_in6(h.dst, dst);
	g_assert_cmpint(aero_wire_nd_decode(ra, h.payload, h.payload_len,
	                &f->n->ndctx, &h.src, &h.dst), >, 0);
	g_assert_cmpuint(ra->type, ==, AERO_ND_TYPE_RA);
}

static void
test_ra(void)
{
	const char *aero = "fe80::2001:db8:1000:0";
	struct fx f = {0};
	struct aero_config c;
	struct aero_nd_msg ra;

	for (int mode = 0; mode < 3; mode++) {
		cfg_server(&c);
		c.ra_pio = mode > 0;
		c.pio_x = mode == 2;
		fx_start(&f, &c);
		bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
		fx_clear(&f);
		f.now += 100 * AERO_SEC;
		send_rs(&f, &CL1, aero);
		get_ra(&f, &CL1, &ra, aero);
		g_assert_cmpuint(ra.ra.router_lifetime, ==, 1800);
		g_assert_true(ra.opts.has_mtu);
		g_assert_cmpuint(ra.opts.mtu, ==, 1280);
		g_assert_true(ra.opts.has_sllao);
		g_assert_cmpint(ra.opts.sllao.form, ==, AERO_ND_LLA_P1);
		g_assert_cmpuint(ra.opts.sllao.port, ==, 8060);
		tu_assert_in6(ra.opts.sllao.addr, "::ffff:192.0.2.1");
		if (mode == 0) {
			g_assert_cmpuint(ra.opts.n_pio, ==, 0);
		} else {
			g_assert_cmpuint(ra.opts.n_pio, ==, 1);
			tu_assert_in6(ra.opts.pio[0].prefix, "2001:db8:1000::");
			g_assert_cmpuint(ra.opts.pio[0].prefix_len, ==, 56);
			g_assert_false(ra.opts.pio[0].l);
			g_assert_cmpint(ra.opts.pio[0].x, ==, mode == 2);
			g_assert_false(ra.opts.pio[0].p);
			/* <= the remaining DHCPv6 lifetimes */
			g_assert_cmpuint(ra.opts.pio[0].valid_lifetime, ==, 7100);
			g_assert_cmpuint(ra.opts.pio[0].preferred_lifetime, ==, 3500);
		}
		g_assert_cmpuint(cnt(&f, "srv_ra_tx"), ==, 1);
		/* an RS from a temporary link-local: RA without PIO */
		fx_clear(&f);
		send_rs(&f, &CL2, TEMP_LL);
		get_ra(&f, &CL2, &ra, TEMP_LL);
		g_assert_cmpuint(ra.ra.router_lifetime, ==, 1800);
		g_assert_cmpuint(ra.opts.n_pio, ==, 0);
		g_assert_cmpuint(cnt(&f, "srv_ra_lost_state"), ==, 0);
		fx_stop(&f);
	}
}

static void
test_expiry(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	c.vltime = 100;
	c.pltime = 50;
	c.grace = 30 * AERO_SEC;
	fx_start(&f, &c);
	struct aero_dhcp6_msg m, r;
	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID1, 1, NULL, 0);
	m.has_rapid_commit = true;
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	get_reply(&f, &CL1, &r, TEMP_LL);
	g_assert_cmpuint(r.iapd[0].t1, ==, 25);
	g_assert_cmpuint(r.iapd[0].t2, ==, 40);
	fx_clear(&f);
	fx_advance(&f, 99 * AERO_SEC);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 0);
	fx_advance(&f, 1 * AERO_SEC);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "expired"), ==, 1);
	g_assert_null(client_nce(&f, "2001:db8:1000::"));
	g_assert_cmpuint(cnt(&f, "srv_expiries"), ==, 1);
	fx_advance(&f, 29 * AERO_SEC);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "free"), ==, 0);
	fx_advance(&f, 1 * AERO_SEC);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "free"), ==, 1);
	g_assert_cmpuint(aero_node_deadline(f.n), ==, AERO_TSTAMP_NONE);
	fx_stop(&f);
}

/* NUD failure: the Client is STALE, its route stays; a Renew revives. */
static void
test_nud_stale(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	bind_rc(&f, DUID2, &CL2, "2001:db8:1000:100::");
	fx_clear(&f);
	f.now += 60 * AERO_SEC; /* reachability lapsed */
	uint8_t pkt[256];
	int k = mk_data(pkt, sizeof pkt, "2001:db8:1000:100::5", "2001:db8:1000:1::1");
	recv_underlay(&f, &CL2, pkt, (size_t)k);
	struct nce *e = client_nce(&f, "2001:db8:1000::");
	g_assert_cmpint(e->state, ==, NCE_DELAY);
	fx_advance(&f, 10 * AERO_SEC); /* 5 s delay + 3 probes 1 s apart */
	g_assert_cmpuint(cnt(&f, "nud_probes"), ==, 3);
	g_assert_cmpint(e->state, ==, NCE_STALE);
	g_assert_cmpuint(cnt(&f, "srv_nud_stale"), ==, 1);
	struct aero_in6 pfx = in6("2001:db8:1000::");
	g_assert_nonnull(fib_exact(f.n, &pfx, 56));
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 0);
	char *js = aero_node_dump_json(f.n);
	g_assert_nonnull(strstr(js, "\"stale\":1"));
	g_free(js);
	/* valid packet from the Client: back to BOUND/REACHABLE */
	k = mk_data(pkt, sizeof pkt, "2001:db8:1000:1::1", "2001:4860::1");
	recv_underlay(&f, &CL1, pkt, (size_t)k);
	g_assert_cmpint(e->state, ==, NCE_REACHABLE);
	js = aero_node_dump_json(f.n);
	g_assert_nonnull(strstr(js, "\"stale\":0"));
	g_free(js);
	fx_stop(&f);
}

static void
test_route_update(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	fx_clear(&f);
	struct aero_peer other = {.loc = {.family = 4, .ip = {192, 0, 2, 2},
	                                  .port = 8060}, .id = 2};
	/* a prefix of another Server's Client */
	struct aero_prefix p = {.prefix = in6("2001:db8:2000::"), .plen = 56};
	g_assert_cmpint(aero_node_route_update(f.n, true, &p, &other, f.now), ==, 0);
	struct fib_entry *fe = fib_exact(f.n, &p.prefix, 56);
	g_assert_nonnull(fe);
	tu_assert_in6(fe->nh[0].ll, "fe80::2");
	struct nce *e = nce_lookup(f.n, &fe->nh[0].ll);
	g_assert_nonnull(e);
	g_assert_cmpint(e->kind, ==, NCE_SERVER);
	fx_drain(&f);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 0);

	/* our Client moved to the other Server: we withdraw ours */
	struct aero_prefix mine = {.prefix = in6("2001:db8:1000::"), .plen = 56};
	g_assert_cmpint(aero_node_route_update(f.n, true, &mine, &other, f.now), ==, 0);
	fx_drain(&f);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 1);
	fe = fib_exact(f.n, &mine.prefix, 56);
	g_assert_nonnull(fe);
	g_assert_cmpuint(fe->n_nh, ==, 1);
	tu_assert_in6(fe->nh[0].ll, "fe80::2");
	g_assert_null(client_nce(&f, "2001:db8:1000::"));
	g_assert_cmpuint(cnt(&f, "srv_routes_yielded"), ==, 1);

	/* the Client comes back with a Rebind: ours again */
	fx_clear(&f);
	struct aero_dhcp6_msg m, r;
	mk_msg(&m, AERO_DHCP6_REBIND, DUID1, 1, "2001:db8:1000::", 56);
	send_dhcp(&f, &CL1, "fe80::2001:db8:1000:0", &m);
	get_reply(&f, &CL1, &r, "fe80::2001:db8:1000:0");
	assert_ia_prefix(&r, "2001:db8:1000::", 56);
	fe = fib_exact(f.n, &mine.prefix, 56);
	g_assert_cmpuint(fe->origin, ==, FIB_ORIGIN_DHCP);
	g_assert_cmpuint(fe->n_nh, ==, 1);
	tu_assert_in6(fe->nh[0].ll, "fe80::2001:db8:1000:0");
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_ANNOUNCE, NULL), ==, 1);

	/* withdrawal of the other Server's route */
	g_assert_cmpint(aero_node_route_update(f.n, false, &p, &other, f.now), ==, 0);
	g_assert_null(fib_exact(f.n, &p.prefix, 56));
	fx_stop(&f);
}

static void
test_shutdown(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	bind_rc(&f, DUID2, &CL2, "2001:db8:1000:100::");
	fx_clear(&f);
	g_assert_cmpint(aero_node_shutdown(f.n, f.now), ==, 0);
	fx_drain(&f);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 2);
	g_assert_cmpuint(aero_node_deadline(f.n), ==, AERO_TSTAMP_NONE);
	struct aero_dhcp6_msg m;
	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID1, 1, NULL, 0);
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	g_assert_cmpuint(cnt(&f, "drop_srv_stopped"), ==, 1);
	fx_stop(&f);
}

/* Relay mode: Relay-forward out the tunnel side, Relay-reply back. */
static void
test_relay_mode(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	c.dhcp_relay = true;
	c.n_pools = 0;
	struct aero_in6 dsrv = in6("2001:db8:ffff::547");
	c.dhcp_server = aero_loc_v6(&dsrv, 547);
	c.dhcp_relay_src = in6("2001:db8:ffff::1");
	fx_start(&f, &c);

	struct aero_dhcp6_msg m;
	mk_msg(&m, AERO_DHCP6_SOLICIT, DUID1, 1, NULL, 0);
	m.has_rapid_commit = true;
	send_dhcp(&f, &CL1, TEMP_LL, &m);
	g_assert_cmpint(n_pkts(&f, AERO_SIDE_UNDERLAY), ==, 0);
	const struct opkt *p = last_pkt(&f, AERO_SIDE_TUNNEL);
	struct aero_ipv6 h;
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p->data, p->len), >, 0);
	tu_assert_in6(h.src, "2001:db8:ffff::1");
	tu_assert_in6(h.dst, "2001:db8:ffff::547");
	struct aero_udp u;
	struct aero_ip_pseudo ps = {.family = 6, .src = h.src, .dst = h.dst};
	g_assert_cmpint(aero_wire_udp_decode(&u, h.payload, h.payload_len, &ps, 0), >, 0);
	g_assert_cmpuint(u.dst_port, ==, 547);
	struct aero_dhcp6_msg rf, inner;
	g_assert_cmpint(aero_wire_dhcp6_decode(&rf, u.payload, u.payload_len), >, 0);
	g_assert_cmpuint(rf.msg_type, ==, AERO_DHCP6_RELAY_FORW);
	tu_assert_in6(rf.peer_addr, TEMP_LL);
	tu_assert_in6(rf.link_addr, "2001:db8:ffff::1");
	g_assert_true(rf.has_interface_id);
	g_assert_cmpint(aero_wire_dhcp6_relay_inner(&inner, &rf), >, 0);
	g_assert_cmpuint(inner.msg_type, ==, AERO_DHCP6_SOLICIT);
	g_assert_cmpuint(cnt(&f, "srv_relay_fwd"), ==, 1);

	/* the external server's Reply inside a Relay-reply */
	struct aero_dhcp6_msg rep;
	mk_msg(&rep, AERO_DHCP6_REPLY, DUID1, 1, "2001:db8:5000:300::", 56);
	static const uint8_t ext_duid[] = {0, 3, 0, 1, 0x02, 0xee, 0, 0, 0, 1};
	with_serverid(&rep, ext_duid);
	rep.has_rapid_commit = true;
	rep.iapd[0].t1 = 100;
	rep.iapd[0].t2 = 160;
	rep.iapd[0].prefix[0].preferred = 200;
	rep.iapd[0].prefix[0].valid = 400;
	uint8_t ib[512], rb[1024], pkt[1200];
	int ik = aero_wire_dhcp6_encode(ib, sizeof ib, &rep);
	g_assert_cmpint(ik, >, 0);
	struct aero_dhcp6_msg rr;
	memset(&rr, 0, sizeof rr);
	rr.msg_type = AERO_DHCP6_RELAY_REPL;
	rr.link_addr = rf.link_addr;
	rr.peer_addr = rf.peer_addr;
	rr.has_interface_id = true;
	rr.interface_id = rf.interface_id;
	rr.interface_id_len = rf.interface_id_len;
	rr.has_relay_msg = true;
	rr.relay_msg = ib;
	rr.relay_msg_len = (size_t)ik;
	int rk = aero_wire_dhcp6_encode(rb, sizeof rb, &rr);
	g_assert_cmpint(rk, >, 0);
	struct aero_in6 rs = c.dhcp_relay_src;
	int pk = build_udp(pkt, sizeof pkt, &dsrv, &rs, 64, 547, 547, rb, (size_t)rk);
	fx_clear(&f);
	recv_tunnel(&f, pkt, (size_t)pk);
	g_assert_cmpuint(cnt(&f, "srv_relay_repl"), ==, 1);
	/* forwarded to the Client at its locator, from our link-local */
	p = last_pkt(&f, AERO_SIDE_UNDERLAY);
	g_assert_true(aero_loc_equal(&p->pi.dst, &CL1));
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p->data, p->len), >, 0);
	tu_assert_in6(h.src, "fe80::1");
	tu_assert_in6(h.dst, TEMP_LL);
	ps = (struct aero_ip_pseudo){.family = 6, .src = h.src, .dst = h.dst};
	g_assert_cmpint(aero_wire_udp_decode(&u, h.payload, h.payload_len, &ps, 0), >, 0);
	g_assert_cmpmem(u.payload, u.payload_len, ib, (size_t)ik);
	/* snooped: binding, NCE, route, announcement */
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_ANNOUNCE, NULL), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "bound"), ==, 1);
	struct aero_in6 pfx = in6("2001:db8:5000:300::");
	g_assert_nonnull(fib_exact(f.n, &pfx, 56));
	g_assert_nonnull(client_nce(&f, "2001:db8:5000:300::"));
	g_assert_cmpuint(aero_node_deadline(f.n), ==, f.now + 400 * AERO_SEC);

	/* Release relayed: binding gone at once */
	fx_clear(&f);
	mk_msg(&m, AERO_DHCP6_RELEASE, DUID1, 1, "2001:db8:5000:300::", 56);
	with_serverid(&m, ext_duid);
	/* in relay mode the SERVERID is the external server's: not checked */
	send_dhcp(&f, &CL1, "fe80::2001:db8:5000:300", &m);
	g_assert_cmpuint(cnt(&f, "srv_relay_fwd"), ==, 2);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "free"), ==, 1);
	g_assert_null(fib_exact(f.n, &pfx, 56));
	g_assert_null(client_nce(&f, "2001:db8:5000:300::"));
	/* a Relay-reply without our INTERFACE_ID is dropped */
	rr.has_interface_id = false;
	rk = aero_wire_dhcp6_encode(rb, sizeof rb, &rr);
	pk = build_udp(pkt, sizeof pkt, &dsrv, &rs, 64, 547, 547, rb, (size_t)rk);
	recv_tunnel(&f, pkt, (size_t)pk);
	g_assert_cmpuint(cnt(&f, "drop_srv_relay_malformed"), ==, 1);
	fx_stop(&f);
}

/* What a relay answer needs from the Relay-forward (copied: the packet it
 * points into goes with fx_clear). */
struct relay_ctx {
	struct aero_in6 link, peer, dsrv, src;
	uint8_t ifid[64];
	size_t ifid_len;
};

/* Decode the last Relay-forward the Server sent out the tunnel side. */
static void
relay_fwd_of(struct fx *f, struct relay_ctx *rc)
{
	const struct opkt *p = last_pkt(f, AERO_SIDE_TUNNEL);
	struct aero_ipv6 h;
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p->data, p->len), >, 0);
	struct aero_udp u;
	struct aero_ip_pseudo ps = {.family = 6, .src = h.src, .dst = h.dst};
	g_assert_cmpint(aero_wire_udp_decode(&u, h.payload, h.payload_len, &ps, 0), >, 0);
	struct aero_dhcp6_msg *rf = g_new0(struct aero_dhcp6_msg, 1);
	g_assert_cmpint(aero_wire_dhcp6_decode(rf, u.payload, u.payload_len), >, 0);
	g_assert_cmpuint(rf->msg_type, ==, AERO_DHCP6_RELAY_FORW);
	g_assert_true(rf->has_interface_id);
	g_assert_cmpuint(rf->interface_id_len, <=, sizeof rc->ifid);
	rc->link = rf->link_addr;
	rc->peer = rf->peer_addr;
	rc->dsrv = h.dst;
	rc->src = h.src;
	memcpy(rc->ifid, rf->interface_id, rf->interface_id_len);
	rc->ifid_len = rf->interface_id_len;
	g_free(rf);
}

/* The external server's message rep, in a Relay-reply on the tunnel side. */
static void
relay_reply_in(struct fx *f, const struct relay_ctx *rc,
               const struct aero_dhcp6_msg *rep)
{
	uint8_t ib[512], rb[1024], pkt[1200];
	int ik = aero_wire_dhcp6_encode(ib, sizeof ib, rep);
	g_assert_cmpint(ik, >, 0);
	struct aero_dhcp6_msg *rr = g_new0(struct aero_dhcp6_msg, 1);
	rr->msg_type = AERO_DHCP6_RELAY_REPL;
	rr->link_addr = rc->link;
	rr->peer_addr = rc->peer;
	rr->has_interface_id = true;
	rr->interface_id = rc->ifid;
	rr->interface_id_len = rc->ifid_len;
	rr->has_relay_msg = true;
	rr->relay_msg = ib;
	rr->relay_msg_len = (size_t)ik;
	int rk = aero_wire_dhcp6_encode(rb, sizeof rb, rr);
	g_free(rr);
	g_assert_cmpint(rk, >, 0);
	int pk = build_udp(pkt, sizeof pkt, &rc->dsrv, &rc->src, 64, 547, 547, rb,
	                   (size_t)rk);
	g_assert_cmpint(pk, >, 0);
	recv_tunnel(f, pkt, (size_t)pk);
}

/* Relay mode, snooping (digest 6.3): when the external server gives the IA
 * another prefix, the old one is withdrawn (route, NCE) before the new one
 * is bound; a Reply without a prefix for the IA withdraws it. */
static void
test_relay_snoop_change(void)
{
	static const uint8_t ext_duid[] = {0, 3, 0, 1, 0x02, 0xee, 0, 0, 0, 1};
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	c.dhcp_relay = true;
	c.n_pools = 0;
	struct aero_in6 dsrv = in6("2001:db8:ffff::547");
	c.dhcp_server = aero_loc_v6(&dsrv, 547);
	c.dhcp_relay_src = in6("2001:db8:ffff::1");
	fx_start(&f, &c);

	struct aero_dhcp6_msg *m = g_new0(struct aero_dhcp6_msg, 1);
	mk_msg(m, AERO_DHCP6_SOLICIT, DUID1, 1, NULL, 0);
	m->has_rapid_commit = true;
	send_dhcp(&f, &CL1, TEMP_LL, m);
	struct relay_ctx rc;
	relay_fwd_of(&f, &rc);

	struct aero_in6 pa = in6("2001:db8:5000:300::"), pb = in6("2001:db8:5000:400::");
	mk_msg(m, AERO_DHCP6_REPLY, DUID1, 1, "2001:db8:5000:300::", 56);
	with_serverid(m, ext_duid);
	m->iapd[0].prefix[0].preferred = 200;
	m->iapd[0].prefix[0].valid = 400;
	relay_reply_in(&f, &rc, m);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "bound"), ==, 1);
	g_assert_nonnull(fib_exact(f.n, &pa, 56));

	/* another prefix for the same IA: A withdrawn and freed, B bound */
	fx_clear(&f);
	m->iapd[0].prefix[0].prefix = pb;
	relay_reply_in(&f, &rc, m);
	g_assert_cmpuint(cnt(&f, "srv_releases"), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "released"), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "free"), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_ANNOUNCE, NULL), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "bound"), ==, 1);
	g_assert_null(fib_exact(f.n, &pa, 56));
	g_assert_null(client_nce(&f, "2001:db8:5000:300::"));
	g_assert_nonnull(fib_exact(f.n, &pb, 56));
	g_assert_nonnull(client_nce(&f, "2001:db8:5000:400::"));

	/* the same prefix again: a renewal, nothing withdrawn */
	fx_clear(&f);
	relay_reply_in(&f, &rc, m);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 0);
	g_assert_cmpint(n_ev(&f, AERO_EV_BINDING, "renewed"), ==, 1);

	/* NoPrefixAvail for the IA: B withdrawn, nothing bound */
	fx_clear(&f);
	mk_msg(m, AERO_DHCP6_REPLY, DUID1, 1, NULL, 0);
	with_serverid(m, ext_duid);
	m->iapd[0].has_status = true;
	m->iapd[0].status.code = AERO_DHCP6_ST_NO_PREFIX_AVAIL;
	relay_reply_in(&f, &rc, m);
	g_assert_cmpuint(cnt(&f, "srv_releases"), ==, 2);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 1);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_ANNOUNCE, NULL), ==, 0);
	g_assert_null(fib_exact(f.n, &pb, 56));
	g_assert_null(client_nce(&f, "2001:db8:5000:400::"));
	g_free(m);
	fx_stop(&f);
}

static void
collect_rec(const struct aero_binding_rec *b, void *user)
{
	g_array_append_val((GArray *)user, *b);
}

/* A host's lease file: export every binding, restart with lost state,
 * import: routes, neighbours and announcements come back, a Renew is
 * answered, lifetimes run on from where they were. */
static void
test_export_import(void)
{
	struct fx f = {0};
	struct aero_config c;
	cfg_server(&c);
	fx_start(&f, &c);
	bind_rc(&f, DUID1, &CL1, "2001:db8:1000::");
	bind_rc(&f, DUID2, &CL2, "2001:db8:1000:100::");
	fx_advance(&f, 100 * AERO_SEC);
	GArray *recs = g_array_new(FALSE, TRUE, sizeof(struct aero_binding_rec));
	g_assert_cmpint(aero_node_bindings(f.n, collect_rec, recs), ==, 2);
	g_assert_cmpuint(recs->len, ==, 2);
	const struct aero_binding_rec *r0 =
		&g_array_index(recs, struct aero_binding_rec, 0);
	g_assert_true(aero_loc_equal(&r0->loc, &CL1));
	g_assert_cmpuint(r0->prefix.plen, ==, 56);
	g_assert_cmpuint(r0->vltime, ==, c.vltime - 100);
	g_assert_cmpmem(r0->duid, r0->duid_len, DUID1, sizeof DUID1);

	aero_node_free(f.n);
	g_assert_cmpint(aero_node_new(&f.n, &c, &fx_cb, &f, f.now), ==, 0);
	fx_drain(&f);
	fx_clear(&f);
	for (guint i = 0; i < recs->len; i++)
		g_assert_cmpint(aero_node_binding_import(f.n,
		                &g_array_index(recs, struct aero_binding_rec, i),
		                f.now), ==, 0);
	fx_drain(&f);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_ANNOUNCE, NULL), ==, 2);
	g_assert_cmpuint(cnt(&f, "srv_imported"), ==, 2);
	/* exported again: the same records (a restarted host rewrites its
	 * lease file from them) */
	GArray *again = g_array_new(FALSE, TRUE, sizeof(struct aero_binding_rec));
	g_assert_cmpint(aero_node_bindings(f.n, collect_rec, again), ==, 2);
	const struct aero_binding_rec *a0 =
		&g_array_index(again, struct aero_binding_rec, 0);
	g_assert_true(aero_loc_equal(&a0->loc, &CL1));
	g_assert_cmpuint(a0->vltime, ==, r0->vltime);
	g_array_free(again, TRUE);
	/* the same prefix again: taken */
	g_assert_cmpint(aero_node_binding_import(f.n, r0, f.now), ==, 0);
	struct aero_binding_rec other = *r0;
	other.duid[9] = 0x77;
	g_assert_cmpint(aero_node_binding_import(f.n, &other, f.now), ==,
	                AERO_ERR_STATE);
	other.duid_len = 1;
	g_assert_cmpint(aero_node_binding_import(f.n, &other, f.now), ==,
	                AERO_ERR_INVAL);
	fx_clear(&f);

	/* a Renew is answered with the binding (no NoBinding) */
	struct aero_dhcp6_msg m, r;
	const char *aero = "fe80::2001:db8:1000:0";
	mk_msg(&m, AERO_DHCP6_RENEW, DUID1, 1, "2001:db8:1000::", 56);
	with_serverid(&m, SRV_DUID);
	send_dhcp(&f, &CL1, aero, &m);
	get_reply(&f, &CL1, &r, aero);
	g_assert_cmpuint(r.n_iapd, ==, 1);
	g_assert_false(r.iapd[0].has_status &&
	               r.iapd[0].status.code != AERO_DHCP6_ST_SUCCESS);
	/* lifetimes ran on: the second binding expires 100 s early */
	fx_clear(&f);
	fx_advance(&f, (aero_duration)(c.vltime - 100) * AERO_SEC + AERO_SEC);
	g_assert_cmpint(n_ev(&f, AERO_EV_ROUTE_WITHDRAW, NULL), ==, 1);
	g_array_free(recs, TRUE);
	fx_stop(&f);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/server/start", test_start);
	g_test_add_func("/server/four_message", test_four_message);
	g_test_add_func("/server/two_message_and_hint", test_two_message_and_hint);
	g_test_add_func("/server/no_prefix", test_no_prefix);
	g_test_add_func("/server/renew_moves", test_renew_moves);
	g_test_add_func("/server/release_hold", test_release_hold);
	g_test_add_func("/server/decline", test_decline);
	g_test_add_func("/server/rebind_restart", test_rebind_restart);
	g_test_add_func("/server/validation", test_validation);
	g_test_add_func("/server/ingress_filter", test_ingress_filter);
	g_test_add_func("/server/ra", test_ra);
	g_test_add_func("/server/expiry", test_expiry);
	g_test_add_func("/server/nud_stale", test_nud_stale);
	g_test_add_func("/server/route_update", test_route_update);
	g_test_add_func("/server/shutdown", test_shutdown);
	g_test_add_func("/server/relay_mode", test_relay_mode);
	g_test_add_func("/server/relay_snoop_change", test_relay_snoop_change);
	g_test_add_func("/server/export_import", test_export_import);
	return g_test_run();
}
