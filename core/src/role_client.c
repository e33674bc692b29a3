/*
 * core/src/role_client.c -- the Client (VET host / VBR) of an AERO/VET link
 * (digest 1.2, 1.3a, 1.4, 7.1; RFC 8415 DHCPv6 PD; RFC 7559 RS back-off).
 *
 *   INIT --(PRL known)--> SOLICIT --Reply(RC)--------------------> BOUND
 *                            |  \--Advertise(s)--> REQUEST --Reply-/  |
 *                            |<-- valid lifetime expiry --------------|
 *   BOUND --T1 / new locator--> RENEW --T2--> REBIND --Reply--> BOUND
 *   any --shutdown--> Release (REL 1 s, MRC 4) --> INIT
 *
 * The PRL comes from cfg.prl, or from the host answering a NAME_QUERY for
 * cfg.prl_name (retried with the RFC 7559 back-off). Before PD the Client
 * uses a temporary link-local (digest 8 item 14); DHCPv6 goes inner
 * temp-LL -> ff02::1:2, UDP 546 -> 547, the multicast mapped to one Server
 * locator (VET-40 5.2.3). After PD the Client's link-local is the AERO
 * address, the Server is a neighbour (NCE_SERVER) and the default route;
 * the model (host / router / hybrid, digest 1.4) decides the addresses and
 * routes requested from the host as ADDR_ADD / ROUTE_ADD events, mirrored
 * in the FIB. A router/hybrid Client answers RSs and acts as a DHCPv6 PD
 * server (sub-delegation) on its downstream links (tunnel side ifindex k).
 *
 * Decisions [P] (digest 7.1, 8): 3 RTs without answer or NoPrefixAvail
 * move Solicit (and Rebind) to the next PRL entry; an RA with Router
 * Lifetime 0 from the current Server means it lost our state: Rebind at
 * once (VET-40 6.12); RSs never stop (digest 8 item 19).
 */
#include <stddef.h>

#include "dhcp6_rt.h"
#include "nud.h"
#include "p2.h"
#include "ro.h"

/* ---- constants ------------------------------------------------------------ */

#define CLIENT_SOLICIT_TRIES 3   /* [P] digest 7.1: RTs per PRL entry */
#define CLIENT_REBIND_TRIES 3    /* [P] the same for Rebind after T2 */
#define CLIENT_PREF_IMMEDIATE 255 /* RFC 8415 18.2.1: take at once */
#define CLIENT_DS_PLEN 64        /* one /64 per downstream link */
#define CLIENT_SUBDELEG_PLEN 64  /* [P] length of sub-delegated prefixes
                                    (>= 64; from the part of the prefix not
                                    used by the downstream /64s) */
#define CLIENT_MAX_SUBDELEG 16   /* bound of the sub-delegation table */
#define CLIENT_MAX_RA_ADDRS 4    /* bound of RA-configured addresses */
#define CLIENT_MAX_CFG 64        /* bound of configuration records */
#define CLIENT_DS_RA_LIFETIME 1800 /* s, Router Lifetime downstream */
#define CLIENT_DS_HOP_LIMIT 64   /* CurHopLimit downstream */
#define DHCP6_INFINITY 0xffffffffu /* RFC 8415 7.7 */
#define CLIENT_T1_NUM 5          /* RFC 8415 21.21: T1 = 0.5 x pltime */
#define CLIENT_T2_NUM 8          /*                 T2 = 0.8 x pltime */

enum cstate { CS_INIT, CS_SOLICIT, CS_REQUEST, CS_BOUND, CS_RENEW, CS_REBIND };
static const char *const cstate_name[] = {"init", "solicit", "request",
                                          "bound", "renew", "rebind"};

/* One configuration request emitted to the host (ADDR_ADD / ROUTE_ADD);
 * undone in reverse order with the matching DEL event. */
struct cfgrec {
	struct aero_event ev;
	bool fib;                 /* a FIB entry prefix/plen goes with it */
	struct aero_in6 fprefix;
	uint8_t fplen;
};

/* An address configured from an RA PIO (A flag, or PIO-X exclusive). */
struct ra_addr {
	bool used;
	struct aero_in6 addr;
	struct aero_in6 prefix;
	uint8_t plen;
	bool nodad;
	struct tmr t;             /* valid lifetime */
};

/* A downstream requesting router's binding (sub-delegation server). */
struct sub {
	bool used, bound;
	uint8_t duid[AERO_MAX_DUID];
	size_t duid_len;
	uint32_t iaid;
	uint32_t ifindex;
	struct aero_in6 ll;       /* requester's link-local (next hop) */
	struct aero_in6 prefix;
	struct tmr t;             /* valid lifetime of the binding */
};

struct client {
	enum cstate state;
	bool shut;                /* shutdown called: never restart */

	/* PRL */
	struct aero_peer prl[AERO_MAX_PRL];
	size_t n_prl, prl_idx;
	bool name_pending;
	struct dhcp6_rt name_rt;
	struct tmr t_name;

	/* identity */
	uint8_t duid[AERO_MAX_DUID];
	size_t duid_len;
	struct aero_in6 temp_ll;  /* before PD (digest 8 item 14) */
	struct aero_in6 aero;     /* AERO address after PD */
	uint8_t slaac_iid[8];     /* IID for RA A-flag addresses */

	/* the running client exchange */
	uint8_t xtype;            /* AERO_DHCP6_SOLICIT ... ; 0 = none */
	uint32_t xid;
	struct dhcp6_rt rt;
	struct tmr t_rt;
	bool sol_wait;            /* t_rt is the SOL_MAX_DELAY wait */
	unsigned tries;           /* transmissions to the current target */
	struct aero_loc dst;      /* where the exchange goes */
	aero_duration sol_max_rt; /* RFC 8415 21.24 (SOL_MAX_RT option) */

	/* best Advertise (4-message exchange) */
	bool adv;
	uint8_t adv_pref;
	struct aero_loc adv_loc;
	uint8_t adv_sid[AERO_MAX_DUID];
	size_t adv_sid_len;
	struct aero_in6 adv_prefix;
	uint8_t adv_plen;

	/* lease */
	bool have;
	struct aero_in6 prefix;
	uint8_t plen;
	uint32_t t1, t2, pltime, vltime; /* s as received (T1/T2 resolved) */
	aero_tstamp at;           /* when the lease was last refreshed */
	struct tmr t_t1, t_t2, t_valid;

	/* Server */
	bool have_srv;
	struct aero_in6 srv_ll;
	struct aero_loc srv_loc;
	uint8_t srv_id[AERO_MAX_DUID];
	size_t srv_id_len;
	bool dflt;                /* default route via srv_ll installed */

	/* RS keepalives (RFC 7559, never stop) and RA facts */
	struct dhcp6_rt rs_rt;
	struct tmr t_rs;
	uint16_t ra_lifetime;
	uint32_t ra_mtu;
	aero_tstamp ra_at;

	/* Release after shutdown */
	struct dhcp6_rt rel_rt;
	struct tmr t_rel;
	uint32_t rel_xid;
	struct aero_loc rel_loc;
	struct aero_in6 rel_src, rel_prefix;
	uint8_t rel_plen;
	uint8_t rel_sid[AERO_MAX_DUID];
	size_t rel_sid_len;

	/* configuration emitted to the host */
	GArray *cfg;              /* of struct cfgrec */
	struct ra_addr ra_addrs[CLIENT_MAX_RA_ADDRS];
	struct sub subs[CLIENT_MAX_SUBDELEG];
};

#define CL(n) ((struct client *)(n)->rs)
#define CONTAINER(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

static void client_rt_fire(struct aero_node *n, struct tmr *t);
static void enter_solicit(struct aero_node *n, bool delay);
static void start_rebind(struct aero_node *n, const struct aero_loc *dst);

/* ---- small helpers ---------------------------------------------------------- */

static void
set_state(struct aero_node *n, enum cstate s)
{
	struct client *c = CL(n);
	if (c->state == s)
		return;
	c->state = s;
	out_state(n, cstate_name[s]);
}

/* out = prefix + (units << (128 - len)), a 128-bit big-endian add. */
static void
in6_add_units(struct aero_in6 *out, const struct aero_in6 *prefix,
              uint64_t units, unsigned len)
{
	*out = *prefix;
	unsigned shift = 128 - len; /* bits */
	unsigned carry = 0;
	for (int i = 15; i >= 0; i--) {
		unsigned bitpos = (unsigned)(15 - i) * 8; /* of byte i's LSB */
		uint64_t part = 0;
		if (bitpos + 8 > shift && bitpos < shift + 64) {
			/* bits of units landing in byte i */
			if (bitpos >= shift)
				part = (units >> (bitpos - shift)) & 0xff;
			else
				part = (units << (shift - bitpos)) & 0xff;
		}
		unsigned v = out->b[i] + (unsigned)part + carry;
		out->b[i] = (uint8_t)v;
		carry = v >> 8;
	}
}

/* Seconds left of a lifetime granted at `at` (infinity stays). */
static uint32_t
remaining(const struct aero_node *n, uint32_t lifetime, aero_tstamp at)
{
	if (lifetime == DHCP6_INFINITY)
		return DHCP6_INFINITY;
	aero_tstamp end = at + (aero_duration)lifetime * AERO_SEC;
	if (end <= n->now)
		return 0;
	return (uint32_t)((end - n->now) / AERO_SEC);
}

static void
arm_s(struct aero_node *n, struct tmr *t, aero_tstamp at, uint32_t s)
{
	if (s == DHCP6_INFINITY)
		tmr_cancel(n, t);
	else
		tmr_set(n, t, at + (aero_duration)s * AERO_SEC);
}

static struct nce *
server_nce(struct aero_node *n)
{
	struct client *c = CL(n);
	return c->have_srv ? nce_lookup(n, &c->srv_ll) : NULL;
}

static bool
loc_in_prl(const struct client *c, const struct aero_loc *l)
{
	for (size_t i = 0; i < c->n_prl; i++)
		if (aero_loc_equal(&c->prl[i].loc, l))
			return true;
	return false;
}

static void
prl_next(struct aero_node *n)
{
	struct client *c = CL(n);
	if (c->n_prl == 0)
		return;
	c->prl_idx = (c->prl_idx + 1) % c->n_prl;
	COUNT(n, client_prl_next);
}

static bool
is_router_model(const struct aero_node *n)
{
	return n->cfg.model == AERO_MODEL_ROUTER ||
	       n->cfg.model == AERO_MODEL_HYBRID;
}

/* ---- configuration requests (ADDR/ROUTE events mirrored in the FIB) --------- */

static void
cfg_add(struct aero_node *n, const struct aero_event *ev,
        const struct fib_nh *nh, const struct aero_in6 *fprefix,
        uint8_t fplen)
{
	struct client *c = CL(n);
	struct cfgrec r = {.ev = *ev};
	if (c->cfg->len >= CLIENT_MAX_CFG) {
		NLOG(n, LOG_WARN_, "%s: configuration table full", __func__);
		return;
	}
	if (nh && fib_add(n, fprefix, fplen, nh, FIB_ORIGIN_DHCP)) {
		r.fib = true;
		r.fprefix = *fprefix;
		r.fplen = fplen;
	}
	r.ev.name = NULL;
	g_array_append_val(c->cfg, r);
	out_event(n, ev);
}

static void
cfg_addr(struct aero_node *n, const struct aero_in6 *a, uint8_t plen,
         uint32_t ifindex, bool nodad, bool local)
{
	struct aero_event ev = {.type = AERO_EV_ADDR_ADD, .addr = *a,
	                        .plen = plen, .ifindex = ifindex,
	                        .nodad = nodad};
	struct fib_nh nh = {.kind = NH_LOCAL};
	cfg_add(n, &ev, local ? &nh : NULL, a, 128);
}

static void
cfg_route(struct aero_node *n, const struct aero_in6 *p, uint8_t plen,
          enum aero_route_kind k, uint32_t ifindex, const struct fib_nh *nh)
{
	struct aero_event ev = {.type = AERO_EV_ROUTE_ADD, .prefix = *p,
	                        .plen = plen, .rkind = k, .ifindex = ifindex};
	cfg_add(n, &ev, nh, p, plen);
}

static void
cfg_undo_all(struct aero_node *n)
{
	struct client *c = CL(n);
	for (guint i = c->cfg->len; i-- > 0;) {
		struct cfgrec *r = &g_array_index(c->cfg, struct cfgrec, i);
		struct aero_event ev = r->ev;
		ev.type = ev.type == AERO_EV_ADDR_ADD ? AERO_EV_ADDR_DEL
		                                      : AERO_EV_ROUTE_DEL;
		if (r->fib)
			fib_del(n, &r->fprefix, r->fplen, NULL);
		out_event(n, &ev);
	}
	g_array_set_size(c->cfg, 0);
}

static bool
cfg_has_addr(struct aero_node *n, const struct aero_in6 *a)
{
	struct client *c = CL(n);
	for (guint i = 0; i < c->cfg->len; i++) {
		struct cfgrec *r = &g_array_index(c->cfg, struct cfgrec, i);
		if (r->ev.type == AERO_EV_ADDR_ADD && in6_eq(&r->ev.addr, a))
			return true;
	}
	for (size_t i = 0; i < CLIENT_MAX_RA_ADDRS; i++)
		if (c->ra_addrs[i].used && in6_eq(&c->ra_addrs[i].addr, a))
			return true;
	return false;
}

/* The /64 of downstream link k (index k of the prefix's /64s); false when
 * the prefix has no room for it. */
static bool
ds_prefix(const struct client *c, unsigned k, struct aero_in6 *out)
{
	if (c->plen > CLIENT_DS_PLEN)
		return false;
	if (CLIENT_DS_PLEN - c->plen < 63 &&
	    (uint64_t)k >= (1ull << (CLIENT_DS_PLEN - c->plen)))
		return false;
	in6_add_units(out, &c->prefix, k, CLIENT_DS_PLEN);
	return true;
}

/* Address ::1 of a prefix. */
static struct aero_in6
addr_one(const struct aero_in6 *p)
{
	struct aero_in6 a = *p;
	a.b[15] |= 1;
	return a;
}

/* Everything the model asks of the host once a prefix is delegated
 * (digest 1.4, 7.1 BOUND/enter). */
static void
configure(struct aero_node *n)
{
	struct client *c = CL(n);
	/* AERO address on the AERO interface, no DAD (digest 1.4) */
	cfg_addr(n, &c->aero, 64, 0, true, true);
	if (n->cfg.model != AERO_MODEL_ROUTER) {
		/* host/hybrid: an address from the prefix on the AERO interface
		 * as a /128 (digest 8 item 8: never on-link there), no DAD */
		struct aero_in6 a = addr_one(&c->prefix);
		cfg_addr(n, &a, 128, 0, true, true);
	}
	/* the rest of the prefix is black-holed (host model, digest 1.4; also
	 * router/hybrid so unassigned parts never loop via the default route,
	 * RFC 7084 WPD-5) */
	struct fib_nh bh = {.kind = NH_BLACKHOLE};
	cfg_route(n, &c->prefix, c->plen, AERO_RT_BLACKHOLE, 0, &bh);
	if (!is_router_model(n))
		return;
	for (unsigned k = 1; k <= n->cfg.n_downstream; k++) {
		struct aero_in6 p;
		if (!ds_prefix(c, k, &p)) {
			NLOG(n, LOG_WARN_, "%s: prefix /%u has no /64 for downstream link %u",
			     __func__, c->plen, k);
			continue;
		}
		struct fib_nh nh = {.kind = NH_TUNNEL, .ifindex = k};
		cfg_route(n, &p, CLIENT_DS_PLEN, AERO_RT_LINK, k, &nh);
		struct aero_in6 a = addr_one(&p);
		cfg_addr(n, &a, CLIENT_DS_PLEN, k, false, false);
	}
}

/* ---- the Server as neighbour and default router ----------------------------- */

static void
default_route(struct aero_node *n, bool add)
{
	struct client *c = CL(n);
	struct aero_event ev = {.type = add ? AERO_EV_ROUTE_ADD : AERO_EV_ROUTE_DEL,
	                        .addr = c->srv_ll, .rkind = AERO_RT_VIA};
	struct fib_nh nh = {.kind = NH_NEIGHBOR, .ll = c->srv_ll};
	if (add == c->dflt)
		return;
	if (add)
		fib_add(n, &in6_any, 0, &nh, FIB_ORIGIN_DHCP);
	else
		fib_del(n, &in6_any, 0, NULL);
	c->dflt = add;
	out_event(n, &ev);
}

static void
rs_send(struct aero_node *n)
{
	struct client *c = CL(n);
	struct nce *e = server_nce(n);
	if (!e || !c->have)
		return;
	nud_used(n, e);
	struct aero_nd_msg m = {.type = AERO_ND_TYPE_RS};
	if (node_send_nd(n, e, NULL, &c->aero, &c->srv_ll, &m) == 0)
		COUNT(n, client_rs_tx);
}

static void
rs_fire(struct aero_node *n, struct tmr *t)
{
	struct client *c = CL(n);
	(void)t;
	/* MRC 0, MRD 0: never stops on NBMA links (digest 8 item 19) */
	if (!dhcp6_rt_next(&c->rs_rt, n->now, dhcp6_rt_rand(n, false)))
		return;
	rs_send(n);
	tmr_set(n, &c->t_rs, dhcp6_rt_deadline(&c->rs_rt));
}

static void
rs_start(struct aero_node *n)
{
	struct client *c = CL(n);
	struct dhcp6_rt_params p = dhcp6_rt_rs_params(n->cfg.rs_mrt);
	dhcp6_rt_first(&c->rs_rt, &p, n->now, dhcp6_rt_rand(n, false));
	rs_send(n);
	tmr_set(n, &c->t_rs, dhcp6_rt_deadline(&c->rs_rt));
}

/* Adopt (ll, loc, serverid) as the Server: NCE, default route; a change
 * of Server is a handover (digest 1.3a, 8 item 17). */
static void
server_adopt(struct aero_node *n, const struct aero_in6 *ll,
             const struct aero_loc *loc, const uint8_t *sid, size_t sid_len,
             bool announce)
{
	struct client *c = CL(n);
	bool change = c->have_srv && !in6_eq(&c->srv_ll, ll);
	if (change) {
		default_route(n, false);
		struct nce *old = server_nce(n);
		if (old)
			nce_delete(n, old);
		COUNT(n, client_handover);
	}
	c->have_srv = true;
	c->srv_ll = *ll;
	c->srv_loc = *loc;
	memcpy(c->srv_id, sid, sid_len);
	c->srv_id_len = sid_len;
	struct nce *e = nce_lookup(n, ll);
	if (e) {
		e->kind = NCE_SERVER;
		nce_confirm(n, e, loc);
	} else {
		e = nce_create(n, ll, loc, NCE_SERVER);
	}
	if (!e)
		NLOG(n, LOG_WARN_, "%s: no neighbour entry for the Server", __func__);
	default_route(n, true);
	if (change && announce) {
		struct aero_event ev = {.type = AERO_EV_HANDOVER, .addr = *ll,
		                        .loc = *loc, .name = "server"};
		out_event(n, &ev);
	}
}

/* ---- DHCPv6 client messages ------------------------------------------------------ */

struct dhcp_out {
	uint8_t type;
	uint32_t xid;
	uint16_t elapsed;
	const uint8_t *sid;       /* SERVERID, NULL = none */
	size_t sid_len;
	const struct aero_in6 *prefix; /* IAPREFIX, NULL = none */
	uint8_t plen;
	bool rapid;
	bool oro;
	const struct aero_in6 *src;
	const struct aero_loc *dst;
};

static int
dhcp_send(struct aero_node *n, const struct dhcp_out *o)
{
	struct client *c = CL(n);
	struct aero_dhcp6_msg m;
	memset(&m, 0, sizeof m);
	m.msg_type = o->type;
	m.transaction_id = o->xid;
	m.has_clientid = true;
	if (aero_wire_dhcp6_duid_decode(&m.clientid, c->duid, c->duid_len) < 0)
		return -1;
	if (o->sid) {
		m.has_serverid = true;
		if (aero_wire_dhcp6_duid_decode(&m.serverid, o->sid, o->sid_len) < 0)
			return -1;
	}
	m.has_elapsed = true;
	m.elapsed = o->elapsed;
	if (o->oro) {
		m.has_oro = true;
		m.n_oro = 2;
		m.oro[0] = AERO_DHCP6_OPT_DNS_SERVERS;
		m.oro[1] = AERO_DHCP6_OPT_SOL_MAX_RT; /* RFC 8415 18.2.1 */
	}
	m.has_rapid_commit = o->rapid;
	m.n_iapd = 1;
	m.iapd[0].iaid = n->cfg.iaid;
	if (o->prefix) {
		m.iapd[0].n_prefix = 1;
		m.iapd[0].prefix[0].plen = o->plen;
		m.iapd[0].prefix[0].prefix = *o->prefix;
	}
	uint8_t buf[INNER_MAX];
	int k = aero_wire_dhcp6_encode(buf, sizeof buf, &m);
	if (k < 0) {
		NLOG(n, LOG_ERR_, "%s: encode failed: %s", __func__,
		     aero_wire_strerror(k));
		return -1;
	}
	/* the inner multicast mapped to the Server's locator (VET-40 5.2.3) */
	return node_send_udp(n, NULL, o->dst, o->src, &in6_dhcp_agents, 255,
	                     AERO_DHCP6_PORT_CLIENT, AERO_DHCP6_PORT_SERVER,
	                     buf, (size_t)k);
}

/* (Re)transmit the running exchange to c->dst. */
static void
xchg_send(struct aero_node *n)
{
	struct client *c = CL(n);
	struct dhcp_out o = {.type = c->xtype, .xid = c->xid,
	                     .elapsed = dhcp6_rt_elapsed(&c->rt, n->now),
	                     .oro = true, .dst = &c->dst,
	                     .src = c->have ? &c->aero : &c->temp_ll};
	switch (c->xtype) {
	case AERO_DHCP6_SOLICIT:
		o.rapid = n->cfg.rapid_commit;
		if (n->cfg.hint.plen) {
			o.prefix = &n->cfg.hint.prefix;
			o.plen = n->cfg.hint.plen;
		}
		COUNT(n, client_solicit_tx);
		break;
	case AERO_DHCP6_REQUEST:
		o.sid = c->adv_sid;
		o.sid_len = c->adv_sid_len;
		o.prefix = &c->adv_prefix;
		o.plen = c->adv_plen;
		COUNT(n, client_request_tx);
		break;
	case AERO_DHCP6_RENEW:
		o.sid = c->srv_id;
		o.sid_len = c->srv_id_len;
		/* fall through */
	case AERO_DHCP6_REBIND:
		o.prefix = &c->prefix;
		o.plen = c->plen;
		if (c->xtype == AERO_DHCP6_RENEW)
			COUNT(n, client_renew_tx);
		else
			COUNT(n, client_rebind_tx);
		break;
	default:
		return;
	}
	struct nce *e = nce_by_loc(n, &c->dst);
	if (e)
		nud_used(n, e);
	dhcp_send(n, &o);
	c->tries++;
}

static void
xchg_start(struct aero_node *n, uint8_t type, const struct dhcp6_rt_params *p,
           const struct aero_loc *dst)
{
	struct client *c = CL(n);
	c->xtype = type;
	c->xid = node_rand32(n) & AERO_DHCP6_XID_MAX;
	c->tries = 0;
	c->sol_wait = false;
	c->dst = *dst;
	/* RFC 8415 18.2.1: the first Solicit RT is strictly greater than IRT */
	dhcp6_rt_first(&c->rt, p, n->now,
	               dhcp6_rt_rand(n, type == AERO_DHCP6_SOLICIT));
	xchg_send(n);
	tmr_set(n, &c->t_rt, dhcp6_rt_deadline(&c->rt));
}

static void
xchg_stop(struct aero_node *n)
{
	struct client *c = CL(n);
	c->xtype = 0;
	c->sol_wait = false;
	tmr_cancel(n, &c->t_rt);
}

static void
solicit_now(struct aero_node *n)
{
	struct client *c = CL(n);
	struct dhcp6_rt_params p = dhcp6_rt_solicit;
	p.mrt = c->sol_max_rt;
	c->adv = false;
	xchg_start(n, AERO_DHCP6_SOLICIT, &p, &c->prl[c->prl_idx].loc);
}

static void
enter_solicit(struct aero_node *n, bool delay)
{
	struct client *c = CL(n);
	tmr_cancel(n, &c->t_t1);
	tmr_cancel(n, &c->t_t2);
	set_state(n, CS_SOLICIT);
	c->adv = false;
	if (c->n_prl == 0)
		return;
	if (!delay) {
		solicit_now(n);
		return;
	}
	/* RFC 8415 18.2.1: delay the first Solicit by U(0, SOL_MAX_DELAY) */
	xchg_stop(n);
	c->sol_wait = true;
	tmr_set(n, &c->t_rt, n->now + node_rand_below(n, SOL_MAX_DELAY + 1));
}

static void
request_start(struct aero_node *n)
{
	struct client *c = CL(n);
	set_state(n, CS_REQUEST);
	xchg_start(n, AERO_DHCP6_REQUEST, &dhcp6_rt_request, &c->adv_loc);
}

static void
start_renew(struct aero_node *n)
{
	struct client *c = CL(n);
	struct dhcp6_rt_params p = dhcp6_rt_renew;
	/* RFC 8415 18.2.4: MRD = remaining time until T2 */
	if (c->t2 != DHCP6_INFINITY) {
		aero_tstamp t2 = c->at + (aero_duration)c->t2 * AERO_SEC;
		p.mrd = t2 > n->now ? t2 - n->now : 1;
	}
	set_state(n, CS_RENEW);
	xchg_start(n, AERO_DHCP6_RENEW, &p, &c->srv_loc);
}

static void
start_rebind(struct aero_node *n, const struct aero_loc *dst)
{
	struct client *c = CL(n);
	struct dhcp6_rt_params p = dhcp6_rt_rebind;
	/* RFC 8415 18.2.5: MRD = remaining time until valid lifetimes end */
	if (c->vltime != DHCP6_INFINITY) {
		aero_tstamp end = c->at + (aero_duration)c->vltime * AERO_SEC;
		p.mrd = end > n->now ? end - n->now : 1;
	}
	tmr_cancel(n, &c->t_t1);
	tmr_cancel(n, &c->t_t2);
	set_state(n, CS_REBIND);
	xchg_start(n, AERO_DHCP6_REBIND, &p, dst);
}

/* The retransmission timer of the running exchange. */
static void
client_rt_fire(struct aero_node *n, struct tmr *t)
{
	struct client *c = CL(n);
	(void)t;
	if (c->sol_wait) {
		c->sol_wait = false;
		solicit_now(n);
		return;
	}
	switch (c->xtype) {
	case AERO_DHCP6_SOLICIT:
		/* RFC 8415 18.2.1: after the first RT take the best Advertise */
		if (c->adv) {
			request_start(n);
			return;
		}
		dhcp6_rt_next(&c->rt, n->now, dhcp6_rt_rand(n, false));
		if (c->tries >= CLIENT_SOLICIT_TRIES && c->n_prl > 1) {
			prl_next(n); /* [P] digest 7.1 */
			c->dst = c->prl[c->prl_idx].loc;
			c->tries = 0;
		}
		break;
	case AERO_DHCP6_REQUEST:
		if (!dhcp6_rt_next(&c->rt, n->now, dhcp6_rt_rand(n, false))) {
			/* REQ_MAX_RC: back to Solicit at the next PRL entry */
			prl_next(n);
			enter_solicit(n, false);
			return;
		}
		break;
	case AERO_DHCP6_RENEW:
		/* MRD ends at T2, where the T2 timer takes over */
		if (!dhcp6_rt_next(&c->rt, n->now, dhcp6_rt_rand(n, false))) {
			xchg_stop(n);
			return;
		}
		break;
	case AERO_DHCP6_REBIND:
		/* MRD ends at the valid lifetime (t_valid takes over) */
		if (!dhcp6_rt_next(&c->rt, n->now, dhcp6_rt_rand(n, false))) {
			xchg_stop(n);
			return;
		}
		if (c->tries >= CLIENT_REBIND_TRIES && c->n_prl > 0) {
			/* the Server stays silent: the next PRL entry [P] */
			if (aero_loc_equal(&c->dst, &c->prl[c->prl_idx].loc))
				prl_next(n);
			c->dst = c->prl[c->prl_idx].loc;
			c->tries = 0;
		}
		break;
	default:
		return;
	}
	xchg_send(n);
	tmr_set(n, &c->t_rt, dhcp6_rt_deadline(&c->rt));
}

/* ---- lease -------------------------------------------------------------------- */

static void sub_clear_all(struct aero_node *n);
static void sub_fire(struct aero_node *n, struct tmr *t);
static void ra_addrs_clear(struct aero_node *n);

/* Remove every address and route of the lease; PREFIX_LOST (why). */
static void
lease_lose(struct aero_node *n, const char *why)
{
	struct client *c = CL(n);
	if (!c->have)
		return;
	tmr_cancel(n, &c->t_t1);
	tmr_cancel(n, &c->t_t2);
	tmr_cancel(n, &c->t_valid);
	tmr_cancel(n, &c->t_rs);
	sub_clear_all(n);
	ra_addrs_clear(n);
	default_route(n, false);
	cfg_undo_all(n);
	struct aero_event ev = {.type = AERO_EV_PREFIX_LOST, .prefix = c->prefix,
	                        .plen = c->plen, .addr = c->srv_ll,
	                        .loc = c->srv_loc, .name = why};
	out_event(n, &ev);
	COUNT(n, client_prefix_lost);
	c->have = false;
	n->ll = c->temp_ll;
}

static void
t1_fire(struct aero_node *n, struct tmr *t)
{
	(void)t;
	if (CL(n)->state == CS_BOUND)
		start_renew(n);
}

static void
t2_fire(struct aero_node *n, struct tmr *t)
{
	struct client *c = CL(n);
	(void)t;
	if (c->state == CS_BOUND || c->state == CS_RENEW)
		start_rebind(n, &c->srv_loc);
}

static void
valid_fire(struct aero_node *n, struct tmr *t)
{
	(void)t;
	xchg_stop(n);
	lease_lose(n, "expired");
	enter_solicit(n, false);
}

/* A Reply granted prefix pf (IA ia) from the Server at (ll, loc). */
static void
lease_bind(struct aero_node *n, struct rxctx *rx,
           const struct aero_dhcp6_msg *m, const struct aero_dhcp6_iapd *ia,
           const struct aero_dhcp6_iaprefix *pf)
{
	struct client *c = CL(n);
	uint8_t sid[AERO_MAX_DUID];
	int sl = aero_wire_dhcp6_duid_encode(sid, sizeof sid, &m->serverid);
	if (sl < 0)
		return;
	struct aero_in6 p;
	aero_addr_prefix_mask(&p, &pf->prefix, pf->plen);
	struct aero_in6 aero;
	if (aero_addr_aero_from_prefix(&aero, &p, pf->plen) < 0) {
		DROP(n, drop_client_dhcp6_noia, "prefix has no AERO address");
		return;
	}
	bool same = c->have && c->plen == pf->plen && in6_eq(&c->prefix, &p);
	if (c->have && !same)
		lease_lose(n, "replaced");
	bool fresh = !c->have;
	xchg_stop(n);

	c->prefix = p;
	c->plen = pf->plen;
	c->pltime = pf->preferred;
	c->vltime = pf->valid;
	c->t1 = ia->t1;
	c->t2 = ia->t2;
	/* RFC 8415 21.21: T1/T2 0 = the client's choice (0.5 / 0.8 pltime) */
	if (c->t1 == 0)
		c->t1 = c->pltime == DHCP6_INFINITY ? DHCP6_INFINITY
		        : (uint32_t)((uint64_t)c->pltime * CLIENT_T1_NUM / 10);
	if (c->t2 == 0)
		c->t2 = c->pltime == DHCP6_INFINITY ? DHCP6_INFINITY
		        : (uint32_t)((uint64_t)c->pltime * CLIENT_T2_NUM / 10);
	if (c->t1 > c->t2)
		c->t1 = c->t2;
	c->at = n->now;
	c->aero = aero;
	c->have = true;
	n->ll = aero;

	bool srv_change = c->have_srv && !in6_eq(&c->srv_ll, &rx->ip6.src);
	server_adopt(n, &rx->ip6.src, &rx->pi->src, sid, (size_t)sl, !fresh);
	struct aero_event ev = {.type = fresh ? AERO_EV_PREFIX_DELEGATED
	                                      : AERO_EV_PREFIX_RENEWED,
	                        .prefix = c->prefix, .plen = c->plen,
	                        .vltime = c->vltime, .pltime = c->pltime,
	                        .addr = c->srv_ll, .loc = c->srv_loc};
	out_event(n, &ev);
	if (fresh)
		configure(n);
	arm_s(n, &c->t_t1, c->at, c->t1);
	arm_s(n, &c->t_t2, c->at, c->t2);
	arm_s(n, &c->t_valid, c->at, c->vltime);
	if (fresh || srv_change)
		rs_start(n);
	COUNT(n, client_bound);
	set_state(n, CS_BOUND);
	/* P2 (VET-40 6.6.4, digest 7.5): register prefix, LINK_ID and fresh
	 * keys with the Server after PD and on every renewal */
	if (n->cfg.profile == AERO_PROFILE_P2) {
		struct nce *srv = server_nce(n);
		if (srv)
			p2_register(n, srv);
	}
}

/* ---- receiving DHCPv6 ------------------------------------------------------------ */

static const struct aero_dhcp6_iapd *
find_ia(const struct aero_node *n, const struct aero_dhcp6_msg *m)
{
	for (size_t i = 0; i < m->n_iapd; i++)
		if (m->iapd[i].iaid == n->cfg.iaid)
			return &m->iapd[i];
	return NULL;
}

/* The first usable prefix of ia: status Success, valid > 0. NULL when
 * none; *nopfx set when the status says NoPrefixAvail. */
static const struct aero_dhcp6_iaprefix *
usable_prefix(const struct aero_dhcp6_msg *m, const struct aero_dhcp6_iapd *ia,
              bool *nopfx)
{
	*nopfx = false;
	if (m->has_status && m->status.code != AERO_DHCP6_ST_SUCCESS) {
		*nopfx = m->status.code == AERO_DHCP6_ST_NO_PREFIX_AVAIL;
		return NULL;
	}
	if (!ia) {
		return NULL;
	}
	if (ia->has_status && ia->status.code != AERO_DHCP6_ST_SUCCESS) {
		*nopfx = ia->status.code == AERO_DHCP6_ST_NO_PREFIX_AVAIL;
		return NULL;
	}
	if (aero_wire_dhcp6_iapd_check(ia) < 0)
		return NULL;
	for (size_t i = 0; i < ia->n_prefix; i++) {
		const struct aero_dhcp6_iaprefix *pf = &ia->prefix[i];
		if (pf->has_status && pf->status.code != AERO_DHCP6_ST_SUCCESS)
			continue;
		if (pf->valid == 0 || pf->plen == 0 || pf->plen > 128)
			continue;
		return pf;
	}
	if (ia->n_prefix == 0)
		*nopfx = true;
	return NULL;
}

static void
release_done(struct aero_node *n)
{
	struct client *c = CL(n);
	tmr_cancel(n, &c->t_rel);
	c->rel_xid = UINT32_MAX;
}

static void
rx_advertise(struct aero_node *n, struct rxctx *rx,
             const struct aero_dhcp6_msg *m)
{
	struct client *c = CL(n);
	bool nopfx;
	const struct aero_dhcp6_iaprefix *pf = usable_prefix(m, find_ia(n, m),
	                                                     &nopfx);
	if (!pf) {
		DROP(n, drop_client_dhcp6_noia, "Advertise without a prefix");
		if (nopfx && c->n_prl > 1) {
			prl_next(n); /* [P] digest 7.1: NoPrefixAvail */
			solicit_now(n);
		}
		return;
	}
	COUNT(n, client_advertise_rx);
	uint8_t pref = m->has_preference ? m->preference : 0;
	if (!c->adv || pref > c->adv_pref) {
		int sl = aero_wire_dhcp6_duid_encode(c->adv_sid, sizeof c->adv_sid,
		                                     &m->serverid);
		if (sl < 0)
			return;
		c->adv = true;
		c->adv_sid_len = (size_t)sl;
		c->adv_pref = pref;
		c->adv_loc = rx->pi->src;
		aero_addr_prefix_mask(&c->adv_prefix, &pf->prefix, pf->plen);
		c->adv_plen = pf->plen;
	}
	/* RFC 8415 18.2.1/18.2.9: preference 255 or after the first RT: go */
	if (pref == CLIENT_PREF_IMMEDIATE || c->rt.rtc > 1)
		request_start(n);
}

static void
rx_reply(struct aero_node *n, struct rxctx *rx, const struct aero_dhcp6_msg *m)
{
	struct client *c = CL(n);
	if (c->xtype == AERO_DHCP6_SOLICIT && !m->has_rapid_commit) {
		DROP(n, drop_client_dhcp6_unexpected, "Reply to Solicit without RAPID_COMMIT");
		return;
	}
	const struct aero_dhcp6_iapd *ia = find_ia(n, m);
	bool nopfx;
	const struct aero_dhcp6_iaprefix *pf = usable_prefix(m, ia, &nopfx);
	if (pf) {
		lease_bind(n, rx, m, ia, pf);
		return;
	}
	DROP(n, drop_client_dhcp6_noia, "Reply without a usable prefix");
	switch (c->xtype) {
	case AERO_DHCP6_SOLICIT:
		if (nopfx && c->n_prl > 1) {
			prl_next(n);
			solicit_now(n);
		}
		break;
	case AERO_DHCP6_REQUEST:
		prl_next(n);
		enter_solicit(n, false);
		break;
	case AERO_DHCP6_RENEW:
	case AERO_DHCP6_REBIND:
		/* NoBinding/NoPrefixAvail or the prefix withdrawn (valid 0):
		 * start over; a refused prefix is gone (RFC 8415 18.2.10.1) */
		if (ia && ia->n_prefix > 0 && ia->prefix[0].valid == 0) {
			xchg_stop(n);
			lease_lose(n, "refused");
		}
		xchg_stop(n);
		enter_solicit(n, false);
		break;
	default:
		break;
	}
}

static void
client_rx_dhcp6(struct aero_node *n, struct rxctx *rx, const uint8_t *msg,
                size_t len)
{
	struct client *c = CL(n);
	struct aero_dhcp6_msg m;
	uint16_t sport = (uint16_t)(rx->l4[0] << 8 | rx->l4[1]);
	uint16_t dport = (uint16_t)(rx->l4[2] << 8 | rx->l4[3]);
	if (sport != AERO_DHCP6_PORT_SERVER || dport != AERO_DHCP6_PORT_CLIENT) {
		DROP(n, drop_client_dhcp6_bad, "not server port 547 to client port 546");
		return;
	}
	if (aero_wire_dhcp6_decode(&m, msg, len) < 0) {
		DROP(n, drop_client_dhcp6_malformed, "does not decode");
		return;
	}
	if (m.msg_type != AERO_DHCP6_ADVERTISE && m.msg_type != AERO_DHCP6_REPLY) {
		DROP(n, drop_client_dhcp6_unexpected, "not Advertise/Reply");
		return;
	}
	struct aero_dhcp6_duid me;
	if (!m.has_clientid || !m.has_serverid ||
	    aero_wire_dhcp6_duid_decode(&me, c->duid, c->duid_len) < 0 ||
	    !aero_wire_dhcp6_duid_equal(&me, &m.clientid)) {
		DROP(n, drop_client_dhcp6_bad, "CLIENTID/SERVERID missing or not ours");
		return;
	}
	if (!in6_is_ll(&rx->ip6.src)) {
		DROP(n, drop_client_dhcp6_bad, "Server source not link-local");
		return;
	}
	if (m.msg_type == AERO_DHCP6_REPLY && m.transaction_id == c->rel_xid &&
	    tmr_armed(&c->t_rel)) {
		release_done(n);
		return;
	}
	if (c->xtype == 0 || c->sol_wait || m.transaction_id != c->xid) {
		DROP(n, drop_client_dhcp6_bad, "no exchange with this transaction-id");
		return;
	}
	/* RFC 8415 21.24: SOL_MAX_RT from the server */
	if (m.has_sol_max_rt && m.sol_max_rt >= SOL_MAX_RT_MIN_S &&
	    m.sol_max_rt <= SOL_MAX_RT_MAX_S)
		c->sol_max_rt = (aero_duration)m.sol_max_rt * AERO_SEC;
	if (m.msg_type == AERO_DHCP6_ADVERTISE) {
		if (c->xtype != AERO_DHCP6_SOLICIT) {
			DROP(n, drop_client_dhcp6_unexpected, "Advertise outside Solicit");
			return;
		}
		rx_advertise(n, rx, &m);
		return;
	}
	if (c->xtype == AERO_DHCP6_RENEW) {
		uint8_t sid[AERO_MAX_DUID];
		int sl = aero_wire_dhcp6_duid_encode(sid, sizeof sid, &m.serverid);
		if (sl < 0 || (size_t)sl != c->srv_id_len ||
		    memcmp(sid, c->srv_id, c->srv_id_len) != 0) {
			DROP(n, drop_client_dhcp6_bad, "Renew Reply from another server");
			return;
		}
	}
	rx_reply(n, rx, &m);
}

/* ---- Release (shutdown) ------------------------------------------------------------ */

static void
release_send(struct aero_node *n)
{
	struct client *c = CL(n);
	struct dhcp_out o = {.type = AERO_DHCP6_RELEASE, .xid = c->rel_xid,
	                     .elapsed = dhcp6_rt_elapsed(&c->rel_rt, n->now),
	                     .sid = c->rel_sid, .sid_len = c->rel_sid_len,
	                     .prefix = &c->rel_prefix, .plen = c->rel_plen,
	                     .src = &c->rel_src, .dst = &c->rel_loc};
	if (dhcp_send(n, &o) == 0)
		COUNT(n, client_release_tx);
}

static void
rel_fire(struct aero_node *n, struct tmr *t)
{
	struct client *c = CL(n);
	(void)t;
	/* REL_MAX_RC: give up silently (RFC 8415 18.2.7) */
	if (!dhcp6_rt_next(&c->rel_rt, n->now, dhcp6_rt_rand(n, false))) {
		c->rel_xid = UINT32_MAX;
		return;
	}
	release_send(n);
	tmr_set(n, &c->t_rel, dhcp6_rt_deadline(&c->rel_rt));
}

/* ---- name query for the PRL ------------------------------------------------------- */

static void
name_query(struct aero_node *n)
{
	struct client *c = CL(n);
	c->name_pending = true;
	COUNT(n, client_name_query);
	out_event_simple(n, AERO_EV_NAME_QUERY, n->cfg.prl_name);
}

static void
name_fire(struct aero_node *n, struct tmr *t)
{
	struct client *c = CL(n);
	(void)t;
	if (c->shut || c->n_prl > 0)
		return;
	/* unanswered or empty: retry with the RFC 7559 back-off */
	dhcp6_rt_next(&c->name_rt, n->now, dhcp6_rt_rand(n, false));
	name_query(n);
	tmr_set(n, &c->t_name, dhcp6_rt_deadline(&c->name_rt));
}

static int
client_name_answer(struct aero_node *n, const char *name,
                   const struct aero_peer *peers, size_t n_peers)
{
	struct client *c = CL(n);
	if (!c->name_pending || c->shut || strcmp(name, n->cfg.prl_name) != 0)
		return AERO_ERR_STATE;
	if (n_peers == 0)
		return 0; /* "no such name": the back-off timer asks again */
	c->name_pending = false;
	tmr_cancel(n, &c->t_name);
	c->n_prl = 0;
	for (size_t i = 0; i < n_peers && c->n_prl < AERO_MAX_PRL; i++)
		if (peers[i].loc.family == 4 || peers[i].loc.family == 6)
			c->prl[c->n_prl++] = peers[i];
	if (c->n_prl == 0) {
		c->name_pending = true;
		return 0;
	}
	c->prl_idx = 0;
	enter_solicit(n, true);
	return 0;
}

/* ---- RA from the Server ------------------------------------------------------------- */

static void
ra_addr_fire(struct aero_node *n, struct tmr *t)
{
	struct ra_addr *a = CONTAINER(t, struct ra_addr, t);
	struct aero_event ev = {.type = AERO_EV_ADDR_DEL, .addr = a->addr,
	                        .plen = 128, .nodad = a->nodad};
	fib_del(n, &a->addr, 128, NULL);
	a->used = false;
	out_event(n, &ev);
}

static void
ra_addrs_clear(struct aero_node *n)
{
	struct client *c = CL(n);
	for (size_t i = 0; i < CLIENT_MAX_RA_ADDRS; i++)
		if (c->ra_addrs[i].used) {
			tmr_cancel(n, &c->ra_addrs[i].t);
			ra_addr_fire(n, &c->ra_addrs[i].t);
		}
}

/* One PIO (digest 3.4): A-flag address, or with PIO-X an exclusive prefix:
 * address without DAD (PIO-X draft 6.2.1), lifetimes no longer than the
 * DHCPv6 lease (digest 8 item 18). L is never on-link here (8 item 8). */
static void
ra_pio(struct aero_node *n, const struct aero_nd_pio *pio)
{
	struct client *c = CL(n);
	struct aero_nd_pio_eff eff = {.l = pio->l, .a = pio->a, .r = pio->r};
	if (n->cfg.pio_x)
		eff = aero_wire_nd_pio_x_effective(pio);
	bool x = n->cfg.pio_x && eff.x;
	if (!x && (!eff.a || pio->p || pio->prefix_len != 64))
		return; /* RFC 9762 7.1: no SLAAC from P+A; SLAAC needs a /64 */
	struct aero_in6 p, a;
	aero_addr_prefix_mask(&p, &pio->prefix, pio->prefix_len);
	if (x) {
		a = addr_one(&p);
	} else {
		a = p;
		memcpy(a.b + 8, c->slaac_iid, 8);
	}
	uint32_t vl = pio->valid_lifetime;
	if (x) {
		uint32_t left = remaining(n, c->vltime, c->at);
		if (vl > left)
			vl = left;
	}
	struct ra_addr *slot = NULL, *free_slot = NULL;
	for (size_t i = 0; i < CLIENT_MAX_RA_ADDRS; i++) {
		struct ra_addr *r = &c->ra_addrs[i];
		if (r->used && in6_eq(&r->addr, &a))
			slot = r;
		else if (!r->used && !free_slot)
			free_slot = r;
	}
	if (vl == 0) {
		if (slot) {
			tmr_cancel(n, &slot->t);
			ra_addr_fire(n, &slot->t);
		}
		return;
	}
	if (!slot) {
		if (cfg_has_addr(n, &a))
			return; /* already ours (e.g. prefix::1 of the host model) */
		if (!free_slot) {
			DROP(n, drop_client_ra_addr_full, "no room for an RA address");
			return;
		}
		slot = free_slot;
		slot->used = true;
		slot->addr = a;
		slot->prefix = p;
		slot->plen = pio->prefix_len;
		slot->nodad = x;
		struct fib_nh nh = {.kind = NH_LOCAL};
		fib_add(n, &a, 128, &nh, FIB_ORIGIN_RA);
		struct aero_event ev = {.type = AERO_EV_ADDR_ADD, .addr = a,
		                        .plen = 128, .ifindex = 0, .nodad = x,
		                        .vltime = vl,
		                        .pltime = pio->preferred_lifetime < vl
		                                  ? pio->preferred_lifetime : vl};
		out_event(n, &ev);
	}
	arm_s(n, &slot->t, n->now, vl);
}

static void
rx_ra(struct aero_node *n, struct rxctx *rx, const struct aero_nd_msg *m)
{
	struct client *c = CL(n);
	struct nce *srv = server_nce(n);
	bool from_srv = c->have && srv &&
	                (rx->nb == srv || in6_eq(&rx->ip6.src, &c->srv_ll));
	if (!from_srv) {
		DROP(n, drop_client_ra_not_server, "RA not from the current Server");
		return;
	}
	COUNT(n, client_ra_rx);
	nce_confirm(n, srv, rx->from_underlay ? &rx->pi->src : NULL);
	c->ra_at = n->now;
	c->ra_lifetime = m->ra.router_lifetime;
	if (m->ra.router_lifetime == 0) {
		/* [P] the Server lost our state (VET-40 6.12): Rebind at once */
		COUNT(n, client_ra_rebind);
		if (c->state == CS_BOUND || c->state == CS_RENEW)
			start_rebind(n, &c->srv_loc);
		return;
	}
	if (m->opts.has_mtu && m->opts.mtu >= 1280) {
		c->ra_mtu = m->opts.mtu;
		n->cfg.mtu = (uint16_t)(m->opts.mtu > 0xffff ? 0xffff : m->opts.mtu);
	}
	for (size_t i = 0; i < m->opts.n_pio; i++)
		ra_pio(n, &m->opts.pio[i]);
}

static void
client_rx_nd(struct aero_node *n, struct rxctx *rx, const struct aero_nd_msg *m)
{
	if (nud_rx(n, rx, m))
		return;
	if (m->type == AERO_ND_TYPE_RA) {
		rx_ra(n, rx, m);
		return;
	}
	DROP(n, drop_client_nd_unexpected, aero_wire_nd_type_name(m->type));
}

static void
client_rx_scmp(struct aero_node *n, struct rxctx *rx,
               const struct aero_scmp_msg *m)
{
	(void)rx; (void)m;
	COUNT(n, client_scmp_rx);
}

/* ---- downstream links: RS -> RA, DHCPv6 PD server ------------------------------------ */

static bool
ds_link_ok(const struct aero_node *n, uint32_t k)
{
	return is_router_model(n) && k >= 1 && k <= n->cfg.n_downstream;
}

static void
ds_ra(struct aero_node *n, uint32_t k, const struct aero_in6 *to)
{
	struct client *c = CL(n);
	struct aero_in6 p;
	if (!c->have || !ds_prefix(c, k, &p)) {
		DROP(n, drop_client_not_bound, "RS on a downstream link without a prefix");
		return;
	}
	struct aero_nd_msg m;
	memset(&m, 0, sizeof m);
	m.type = AERO_ND_TYPE_RA;
	m.ra.cur_hop_limit = CLIENT_DS_HOP_LIMIT;
	m.ra.router_lifetime = CLIENT_DS_RA_LIFETIME;
	m.ra.other = true;
	m.opts.has_mtu = true;
	m.opts.mtu = n->cfg.mtu;
	m.opts.n_pio = 1;
	m.opts.pio[0].prefix_len = CLIENT_DS_PLEN;
	m.opts.pio[0].l = true;
	m.opts.pio[0].a = true;
	m.opts.pio[0].prefix = p;
	m.opts.pio[0].valid_lifetime = remaining(n, c->vltime, c->at);
	m.opts.pio[0].preferred_lifetime = remaining(n, c->pltime, c->at);
	uint8_t buf[INNER_MAX];
	/* the router's link-local on every downstream link: the AERO address */
	int len = build_nd(buf, sizeof buf, &c->aero, to, 255, &m);
	if (len < 0)
		return;
	out_tunnel(n, k, buf, (size_t)len);
	COUNT(n, client_ds_ra_tx);
}

static void
sub_free(struct aero_node *n, struct sub *s)
{
	tmr_cancel(n, &s->t);
	if (s->bound) {
		fib_del(n, &s->prefix, CLIENT_SUBDELEG_PLEN, NULL);
		struct aero_event ev = {.type = AERO_EV_ROUTE_DEL,
		                        .prefix = s->prefix,
		                        .plen = CLIENT_SUBDELEG_PLEN,
		                        .addr = s->ll, .rkind = AERO_RT_VIA,
		                        .ifindex = s->ifindex};
		out_event(n, &ev);
	}
	memset(s, 0, sizeof *s);
	tmr_init(&s->t, sub_fire);
}

static void
sub_fire(struct aero_node *n, struct tmr *t)
{
	sub_free(n, CONTAINER(t, struct sub, t));
}

static void
sub_clear_all(struct aero_node *n)
{
	struct client *c = CL(n);
	for (size_t i = 0; i < CLIENT_MAX_SUBDELEG; i++)
		if (c->subs[i].used)
			sub_free(n, &c->subs[i]);
}

/* Sub-delegated prefix number slot: after the downstream /64s. */
static bool
sub_prefix(const struct aero_node *n, size_t slot, struct aero_in6 *out)
{
	const struct client *c = CL(n);
	struct aero_in6 base;
	if (c->plen > CLIENT_DS_PLEN)
		return false;
	in6_add_units(&base, &c->prefix, n->cfg.n_downstream + 1, CLIENT_DS_PLEN);
	in6_add_units(out, &base, slot, CLIENT_SUBDELEG_PLEN);
	return aero_addr_prefix_contains(&c->prefix, c->plen, out,
	                                 CLIENT_SUBDELEG_PLEN);
}

static struct sub *
sub_find(struct aero_node *n, const uint8_t *duid, size_t dl, uint32_t iaid,
         bool create)
{
	struct client *c = CL(n);
	struct sub *free_s = NULL;
	size_t free_i = 0;
	for (size_t i = 0; i < CLIENT_MAX_SUBDELEG; i++) {
		struct sub *s = &c->subs[i];
		if (s->used && s->iaid == iaid && s->duid_len == dl &&
		    memcmp(s->duid, duid, dl) == 0)
			return s;
		if (!s->used && !free_s) {
			free_s = s;
			free_i = i;
		}
	}
	if (!create)
		return NULL;
	if (!free_s || !sub_prefix(n, free_i, &free_s->prefix)) {
		DROP(n, drop_client_subdeleg_full, "no prefix left to sub-delegate");
		return NULL;
	}
	free_s->used = true;
	memcpy(free_s->duid, duid, dl);
	free_s->duid_len = dl;
	free_s->iaid = iaid;
	tmr_init(&free_s->t, sub_fire);
	return free_s;
}

static void
sub_bind(struct aero_node *n, struct sub *s, uint32_t k,
         const struct aero_in6 *ll, uint32_t vl)
{
	bool moved = s->bound && (s->ifindex != k || !in6_eq(&s->ll, ll));
	if (moved) {
		struct aero_event ev = {.type = AERO_EV_ROUTE_DEL, .prefix = s->prefix,
		                        .plen = CLIENT_SUBDELEG_PLEN, .addr = s->ll,
		                        .rkind = AERO_RT_VIA, .ifindex = s->ifindex};
		fib_del(n, &s->prefix, CLIENT_SUBDELEG_PLEN, NULL);
		out_event(n, &ev);
		s->bound = false;
	}
	s->ifindex = k;
	s->ll = *ll;
	if (!s->bound) {
		s->bound = true;
		struct fib_nh nh = {.kind = NH_TUNNEL, .ifindex = k};
		fib_add(n, &s->prefix, CLIENT_SUBDELEG_PLEN, &nh, FIB_ORIGIN_DHCP);
		/* the route the host needs: prefix via the requesting router on
		 * downstream link k */
		struct aero_event ev = {.type = AERO_EV_ROUTE_ADD, .prefix = s->prefix,
		                        .plen = CLIENT_SUBDELEG_PLEN, .addr = *ll,
		                        .rkind = AERO_RT_VIA, .ifindex = k};
		out_event(n, &ev);
		COUNT(n, client_subdeleg);
	}
	arm_s(n, &s->t, n->now, vl);
}

/* The DHCPv6 PD server on downstream link k (RFC 8415 18.3). */
static void
ds_dhcp6(struct aero_node *n, struct rxctx *rx, uint32_t k)
{
	struct client *c = CL(n);
	struct aero_udp u;
	struct aero_ip_pseudo ps = {.family = 6, .src = rx->ip6.src,
	                            .dst = rx->ip6.dst};
	struct aero_dhcp6_msg m;
	if (aero_wire_udp_decode(&u, rx->l4, rx->l4len, &ps, 0) < 0 ||
	    aero_wire_dhcp6_decode(&m, u.payload, u.payload_len) < 0) {
		DROP(n, drop_client_ds_malformed, "downstream DHCPv6");
		return;
	}
	uint8_t t = m.msg_type;
	if (t != AERO_DHCP6_SOLICIT && t != AERO_DHCP6_REQUEST &&
	    t != AERO_DHCP6_RENEW && t != AERO_DHCP6_REBIND &&
	    t != AERO_DHCP6_RELEASE) {
		DROP(n, drop_client_dhcp6_unexpected, "downstream DHCPv6 type");
		return;
	}
	if (!c->have) {
		DROP(n, drop_client_not_bound, "no prefix to sub-delegate");
		return;
	}
	uint8_t cid[AERO_MAX_DUID];
	int cl = m.has_clientid ? aero_wire_dhcp6_duid_encode(cid, sizeof cid,
	                                                     &m.clientid) : -1;
	struct aero_dhcp6_duid me;
	aero_wire_dhcp6_duid_decode(&me, c->duid, c->duid_len);
	if (cl < 0 || (t == AERO_DHCP6_SOLICIT && m.has_serverid) ||
	    ((t == AERO_DHCP6_REQUEST || t == AERO_DHCP6_RENEW ||
	      t == AERO_DHCP6_RELEASE) &&
	     (!m.has_serverid || !aero_wire_dhcp6_duid_equal(&me, &m.serverid)))) {
		DROP(n, drop_client_dhcp6_bad, "downstream CLIENTID/SERVERID");
		return;
	}
	struct aero_dhcp6_msg r;
	memset(&r, 0, sizeof r);
	bool rapid = t == AERO_DHCP6_SOLICIT && m.has_rapid_commit;
	r.msg_type = (t == AERO_DHCP6_SOLICIT && !rapid) ? AERO_DHCP6_ADVERTISE
	                                                  : AERO_DHCP6_REPLY;
	r.transaction_id = m.transaction_id;
	r.has_clientid = true;
	r.clientid = m.clientid;
	r.has_serverid = true;
	r.serverid = me;
	r.has_rapid_commit = rapid;
	uint32_t vl = remaining(n, c->vltime, c->at);
	uint32_t pl = remaining(n, c->pltime, c->at);
	if (pl > vl)
		pl = vl;
	for (size_t i = 0; i < m.n_iapd && r.n_iapd < AERO_DHCP6_MAX_IAPD; i++) {
		struct aero_dhcp6_iapd *ia = &r.iapd[r.n_iapd++];
		ia->iaid = m.iapd[i].iaid;
		bool create = t == AERO_DHCP6_SOLICIT || t == AERO_DHCP6_REQUEST ||
		              t == AERO_DHCP6_REBIND;
		struct sub *s = sub_find(n, cid, (size_t)cl, ia->iaid,
		                         create && t != AERO_DHCP6_RELEASE);
		if (t == AERO_DHCP6_RELEASE) {
			if (s)
				sub_free(n, s);
			r.n_iapd--;
			continue;
		}
		if (!s) {
			ia->has_status = true;
			ia->status.code = t == AERO_DHCP6_RENEW
			                  ? AERO_DHCP6_ST_NO_BINDING
			                  : AERO_DHCP6_ST_NO_PREFIX_AVAIL;
			continue;
		}
		bool bind = t != AERO_DHCP6_SOLICIT || rapid;
		if (bind)
			sub_bind(n, s, k, &rx->ip6.src, vl);
		ia->t1 = pl == DHCP6_INFINITY ? DHCP6_INFINITY
		         : (uint32_t)((uint64_t)pl * CLIENT_T1_NUM / 10);
		ia->t2 = pl == DHCP6_INFINITY ? DHCP6_INFINITY
		         : (uint32_t)((uint64_t)pl * CLIENT_T2_NUM / 10);
		ia->n_prefix = 1;
		ia->prefix[0].prefix = s->prefix;
		ia->prefix[0].plen = CLIENT_SUBDELEG_PLEN;
		ia->prefix[0].preferred = pl;
		ia->prefix[0].valid = vl;
		if (!bind && !s->bound) {
			/* an offer only: forget it unless a Request follows */
			tmr_set(n, &s->t, n->now + 60 * AERO_SEC);
		}
	}
	if (t == AERO_DHCP6_RELEASE) {
		r.has_status = true;
		r.status.code = AERO_DHCP6_ST_SUCCESS;
	}
	uint8_t msg[INNER_MAX], pkt[INNER_MAX + 64];
	int ml = aero_wire_dhcp6_encode(msg, sizeof msg, &r);
	if (ml < 0)
		return;
	int pl2 = build_udp(pkt, sizeof pkt, &c->aero, &rx->ip6.src, 255,
	                    AERO_DHCP6_PORT_SERVER, AERO_DHCP6_PORT_CLIENT, msg,
	                    (size_t)ml);
	if (pl2 < 0)
		return;
	out_tunnel(n, k, pkt, (size_t)pl2);
	COUNT(n, client_ds_dhcp6_tx);
}

/* ---- data ------------------------------------------------------------------------------ */

/* Inner multicast (and MLD) to the Server as unicast (VET-40 6.9.1). */
static void
mcast_to_server(struct aero_node *n, struct rxctx *rx)
{
	struct nce *e = server_nce(n);
	if (!e || !CL(n)->have) {
		DROP(n, drop_client_not_bound, "multicast without a Server");
		return;
	}
	nud_used(n, e);
	if (tunnel_send(n, e, rx->pkt, rx->len, NULL) == 0)
		COUNT(n, client_mcast_to_server);
}

static bool
is_mld(const struct rxctx *rx)
{
	return rx->proto == 58 && rx->l4len >= 1 &&
	       (rx->l4[0] == 130 || rx->l4[0] == 131 || rx->l4[0] == 132 ||
	        rx->l4[0] == 143);
}

static void
client_tx_data(struct aero_node *n, struct rxctx *rx)
{
	uint32_t k = rx->pi->ifindex;
	if (k != 0 && !ds_link_ok(n, k)) {
		DROP(n, drop_client_bad_ifindex, "unknown downstream link");
		return;
	}
	if (k != 0) {
		/* RS from a downstream host: answer with an RA */
		if (rx->proto == 58 && rx->l4len >= 1 &&
		    rx->l4[0] == AERO_ND_TYPE_RS) {
			struct aero_nd_msg m;
			struct aero_nd_ctx eth = {.link = AERO_ND_LINK_ETHERNET};
			if (rx->ip6.hop_limit != 255 ||
			    aero_wire_nd_decode(&m, rx->l4, rx->l4len, &eth,
			                        &rx->ip6.src, &rx->ip6.dst) < 0) {
				DROP(n, drop_client_ds_malformed, "downstream RS");
				return;
			}
			bool unspec = in6_eq(&rx->ip6.src, &in6_any);
			ds_ra(n, k, unspec ? &in6_all_nodes : &rx->ip6.src);
			return;
		}
		/* DHCPv6 to the server port: sub-delegation */
		if (rx->proto == 17 && rx->l4len >= AERO_UDP_HDR_LEN &&
		    (rx->l4[2] << 8 | rx->l4[3]) == AERO_DHCP6_PORT_SERVER) {
			ds_dhcp6(n, rx, k);
			return;
		}
	}
	if (in6_is_mc(&rx->ip6.dst) || is_mld(rx)) {
		mcast_to_server(n, rx);
		return;
	}
	struct nce *d = ro_client_route(n, rx);
	if (d && d->loc.family && rx->len <= n->cfg.mtu) {
		/* from the host stack: no hop-limit change (tunnel.c) */
		int r = tunnel_send(n, d, rx->pkt, rx->len, NULL);
		if (r == 0)
			COUNT(n, client_ro_tx);
		return;
	}
	struct nce *e = server_nce(n);
	if (e)
		nud_used(n, e);
	node_forward(n, rx);
}

static void
client_rx_data(struct aero_node *n, struct rxctx *rx)
{
	struct client *c = CL(n);
	struct nce *srv = server_nce(n);
	/* RFC 6706 6.4.4 (digest 6.2): trusted Server/Relay locators, or an
	 * ACCEPT entry */
	bool ok = loc_in_prl(c, &rx->pi->src) ||
	          (srv && aero_loc_equal(&srv->loc, &rx->pi->src)) ||
	          (rx->nb && (rx->nb->kind == NCE_SERVER ||
	                      rx->nb->kind == NCE_RELAY) &&
	           aero_loc_equal(&rx->nb->loc, &rx->pi->src)) ||
	          ro_client_accept(n, rx);
	if (!ok) {
		DROP(n, drop_not_admitted, "source neither Server/Relay nor admitted");
		return;
	}
	node_forward(n, rx);
}

/* ---- the host's fast path (aero.h: aero_node_fastpath) ---------------------------------- */

/* What client_tx_data and client_rx_data would do, as a table: P1 only (P2
 * needs the ICV on every packet), once bound to a reachable Server. The
 * admission list mirrors client_rx_data: the PRL, the Server, every
 * Server/Relay neighbour, then the ACCEPT entries (ro.c). */
static void
client_fastpath(struct aero_node *n, struct aero_fastpath *fp)
{
	struct client *c = CL(n);
	struct nce *srv = server_nce(n);
	if (n->cfg.profile != AERO_PROFILE_P1 || !c->have || c->shut || !srv ||
	    srv->loc.family == 0 || srv->state == NCE_UNREACHABLE) {
		fp->enabled = false;
		return;
	}
	fp->local_only = !is_router_model(n);
	for (size_t i = 0; i < c->n_prl && fp->n_admit < AERO_FP_MAX_ADMIT; i++)
		fp->admit[fp->n_admit++].loc = c->prl[i].loc;
	if (!loc_in_prl(c, &srv->loc) && fp->n_admit < AERO_FP_MAX_ADMIT)
		fp->admit[fp->n_admit++].loc = srv->loc;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, n->nc);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct nce *e = v;
		if ((e->kind != NCE_SERVER && e->kind != NCE_RELAY) || e == srv ||
		    e->loc.family == 0 || loc_in_prl(c, &e->loc))
			continue;
		if (fp->n_admit >= AERO_FP_MAX_ADMIT) {
			fp->enabled = false;
			return;
		}
		fp->admit[fp->n_admit++].loc = e->loc;
	}
	ro_fastpath(n, fp);
}

/* client_tx_data's bookkeeping for a data packet the host sent itself */
static void
client_fastpath_sent(struct aero_node *n, struct rxctx *rx)
{
	COUNT(n, client_fastpath_reports);
	if (ro_client_route(n, rx))
		return;
	struct nce *e = server_nce(n);
	if (e)
		nud_used(n, e);
}

/* ---- host inputs ------------------------------------------------------------------------ */

static int
client_set_locator(struct aero_node *n, const struct aero_loc *loc)
{
	struct client *c = CL(n);
	n->cfg.self = *loc;
	ro_locator_changed(n);
	/* P2: the Server finds a neighbour's own ICV key by its locator, so
	 * from the new one we speak with the link-wide key (the old key keeps
	 * verifying the Server's packets for P2_KEY_ROLLOVER) until the
	 * re-registration that follows the Renew's Reply gives fresh keys [P] */
	struct nce *srv = server_nce(n);
	if (n->cfg.profile == AERO_PROFILE_P2 && srv && srv->icv_key_len)
		p2_set_icv_key(n, srv, NULL);
	COUNT(n, client_handover);
	struct aero_event ev = {.type = AERO_EV_HANDOVER, .loc = *loc,
	                        .addr = c->srv_ll, .name = "locator"};
	out_event(n, &ev);
	if (c->shut)
		return 0;
	switch (c->state) {
	case CS_BOUND:
	case CS_RENEW:
		/* digest 1.3a: an immediate Renew; the Server rewrites our NCE
		 * from the outer source */
		start_renew(n);
		break;
	case CS_REBIND:
		start_rebind(n, &c->dst);
		break;
	case CS_SOLICIT:
		if (!c->sol_wait && c->n_prl)
			solicit_now(n);
		break;
	case CS_REQUEST:
		request_start(n);
		break;
	case CS_INIT:
		break;
	}
	return 0;
}

static void
client_nud_failed(struct aero_node *n, struct nce *e)
{
	struct client *c = CL(n);
	if (c->shut || !c->have || !c->have_srv || !in6_eq(&e->ll, &c->srv_ll))
		return;
	/* digest 1.3a / 8 item 17: the Server is gone: Rebind via the next
	 * PRL entry */
	if (c->n_prl == 0)
		return;
	if (c->state == CS_REBIND) {
		/* already rebinding: keep the exchange (and its xid), just stop
		 * sending to the dead Server */
		if (c->n_prl > 1 && aero_loc_equal(&c->dst, &c->srv_loc)) {
			prl_next(n);
			if (aero_loc_equal(&c->prl[c->prl_idx].loc, &c->srv_loc))
				prl_next(n);
			c->dst = c->prl[c->prl_idx].loc;
			c->tries = 0;
		}
		return;
	}
	if (c->n_prl > 1) {
		prl_next(n);
		if (aero_loc_equal(&c->prl[c->prl_idx].loc, &c->srv_loc))
			prl_next(n);
	}
	start_rebind(n, &c->prl[c->prl_idx].loc);
}

static int
client_shutdown(struct aero_node *n)
{
	struct client *c = CL(n);
	if (c->shut)
		return 0;
	c->shut = true;
	xchg_stop(n);
	tmr_cancel(n, &c->t_name);
	c->name_pending = false;
	if (c->have) {
		c->rel_xid = node_rand32(n) & AERO_DHCP6_XID_MAX;
		c->rel_loc = c->srv_loc;
		c->rel_src = c->aero;
		c->rel_prefix = c->prefix;
		c->rel_plen = c->plen;
		memcpy(c->rel_sid, c->srv_id, c->srv_id_len);
		c->rel_sid_len = c->srv_id_len;
		dhcp6_rt_first(&c->rel_rt, &dhcp6_rt_release, n->now,
		               dhcp6_rt_rand(n, false));
		release_send(n);
		tmr_set(n, &c->t_rel, dhcp6_rt_deadline(&c->rel_rt));
		if (n->cfg.profile == AERO_PROFILE_P2 && server_nce(n))
			p2_deregister(n, server_nce(n));
		lease_lose(n, "released");
	}
	tmr_cancel(n, &c->t_rs);
	set_state(n, CS_INIT);
	return 0;
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

static void
client_start(struct aero_node *n)
{
	struct client *c = g_new0(struct client, 1);
	n->rs = c;
	c->cfg = g_array_new(FALSE, TRUE, sizeof(struct cfgrec));
	c->rel_xid = UINT32_MAX;
	c->sol_max_rt = SOL_MAX_RT;
	tmr_init(&c->t_name, name_fire);
	tmr_init(&c->t_rt, client_rt_fire);
	tmr_init(&c->t_t1, t1_fire);
	tmr_init(&c->t_t2, t2_fire);
	tmr_init(&c->t_valid, valid_fire);
	tmr_init(&c->t_rs, rs_fire);
	tmr_init(&c->t_rel, rel_fire);
	for (size_t i = 0; i < CLIENT_MAX_RA_ADDRS; i++)
		tmr_init(&c->ra_addrs[i].t, ra_addr_fire);
	for (size_t i = 0; i < CLIENT_MAX_SUBDELEG; i++)
		tmr_init(&c->subs[i].t, sub_fire);

	/* DUID: configured, or DUID-LL (RFC 8415 11.4) of a random locally
	 * administered unicast MAC made now */
	if (n->cfg.duid_len >= AERO_DHCP6_DUID_MIN_LEN) {
		memcpy(c->duid, n->cfg.duid, n->cfg.duid_len);
		c->duid_len = n->cfg.duid_len;
	} else {
		uint8_t mac[6];
		n->cb->rand(mac, sizeof mac, n->user);
		mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
		c->duid[0] = 0;
		c->duid[1] = AERO_DHCP6_DUID_LL;
		c->duid[2] = 0;
		c->duid[3] = 1; /* Ethernet */
		memcpy(c->duid + 4, mac, 6);
		c->duid_len = 10;
	}
	struct aero_dhcp6_duid chk;
	if (aero_wire_dhcp6_duid_decode(&chk, c->duid, c->duid_len) < 0) {
		NLOG(n, LOG_ERR_, "%s: configured DUID is invalid; using a DUID-LL",
		     __func__);
		c->duid_len = 0;
		uint8_t mac[6];
		n->cb->rand(mac, sizeof mac, n->user);
		mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
		uint8_t d[10] = {0, AERO_DHCP6_DUID_LL, 0, 1};
		memcpy(d + 4, mac, 6);
		memcpy(c->duid, d, sizeof d);
		c->duid_len = sizeof d;
	}

	/* temporary link-local (digest 2 item 4, 8 item 14) */
	struct aero_in4 v4;
	memcpy(v4.b, n->cfg.self.ip, 4);
	if (n->cfg.self.family != 4 ||
	    aero_addr_ll_from_ipv4(&c->temp_ll, &v4, AERO_EUI64_RULE_DEFAULT) < 0) {
		memset(&c->temp_ll, 0, sizeof c->temp_ll);
		c->temp_ll.b[0] = 0xfe;
		c->temp_ll.b[1] = 0x80;
		n->cb->rand(c->temp_ll.b + 8, 8, n->user);
		/* never fe80::ID or fe80::[02]00:5efe:... */
		c->temp_ll.b[8] |= 0x80;
	}
	n->cb->rand(c->slaac_iid, sizeof c->slaac_iid, n->user);
	c->slaac_iid[0] &= 0xfd; /* u bit 0: not EUI-64 derived */
	n->ll = c->temp_ll;

	out_state(n, cstate_name[CS_INIT]);
	if (n->cfg.n_prl > 0) {
		memcpy(c->prl, n->cfg.prl, sizeof c->prl);
		c->n_prl = n->cfg.n_prl;
		enter_solicit(n, true);
		return;
	}
	struct dhcp6_rt_params p = dhcp6_rt_rs_params(n->cfg.rs_mrt);
	dhcp6_rt_first(&c->name_rt, &p, n->now, dhcp6_rt_rand(n, false));
	name_query(n);
	tmr_set(n, &c->t_name, dhcp6_rt_deadline(&c->name_rt));
}

static void
client_destroy(struct aero_node *n)
{
	struct client *c = CL(n);
	if (!c)
		return;
	tmr_cancel(n, &c->t_name);
	tmr_cancel(n, &c->t_rt);
	tmr_cancel(n, &c->t_t1);
	tmr_cancel(n, &c->t_t2);
	tmr_cancel(n, &c->t_valid);
	tmr_cancel(n, &c->t_rs);
	tmr_cancel(n, &c->t_rel);
	for (size_t i = 0; i < CLIENT_MAX_RA_ADDRS; i++)
		tmr_cancel(n, &c->ra_addrs[i].t);
	for (size_t i = 0; i < CLIENT_MAX_SUBDELEG; i++)
		tmr_cancel(n, &c->subs[i].t);
	g_array_free(c->cfg, TRUE);
	g_free(c);
	n->rs = NULL;
}

static void
js_timer(GString *js, const char *key, const struct tmr *t)
{
	if (tmr_armed(t))
		js_u64(js, key, t->when, true);
}

static void
client_dump(const struct aero_node *cn, GString *js)
{
	const struct client *c = CL(cn);
	g_string_append(js, ",\"client\":{");
	js_str(js, "state", cstate_name[c->state], false);
	js_str(js, "model", aero_model_name(cn->cfg.model), true);
	js_in6(js, "temp_ll", &c->temp_ll, true);
	js_u64(js, "prl_index", c->prl_idx, true);
	js_u64(js, "prl_size", c->n_prl, true);
	if (c->have) {
		js_prefix(js, "prefix", &c->prefix, c->plen, true);
		js_in6(js, "aero", &c->aero, true);
		js_u64(js, "t1", c->t1, true);
		js_u64(js, "t2", c->t2, true);
		js_u64(js, "pltime", c->pltime, true);
		js_u64(js, "vltime", c->vltime, true);
		js_u64(js, "bound_at_ns", c->at, true);
	}
	if (c->have_srv) {
		js_in6(js, "server", &c->srv_ll, true);
		js_loc(js, "server_loc", &c->srv_loc, true);
	}
	js_u64(js, "ra_lifetime", c->ra_lifetime, true);
	g_string_append(js, ",\"timers\":{");
	js_u64(js, "now", cn->now, false);
	js_timer(js, "retransmit", &c->t_rt);
	js_timer(js, "t1", &c->t_t1);
	js_timer(js, "t2", &c->t_t2);
	js_timer(js, "valid", &c->t_valid);
	js_timer(js, "rs", &c->t_rs);
	js_timer(js, "release", &c->t_rel);
	js_timer(js, "name", &c->t_name);
	g_string_append(js, "},\"subdelegations\":[");
	bool first = true;
	for (size_t i = 0; i < CLIENT_MAX_SUBDELEG; i++) {
		const struct sub *s = &c->subs[i];
		if (!s->used || !s->bound)
			continue;
		if (!first)
			g_string_append_c(js, ',');
		first = false;
		g_string_append_c(js, '{');
		js_prefix(js, "prefix", &s->prefix, CLIENT_SUBDELEG_PLEN, false);
		js_u64(js, "ifindex", s->ifindex, true);
		js_in6(js, "via", &s->ll, true);
		g_string_append_c(js, '}');
	}
	g_string_append(js, "]}");
}

static int
client_prefix(const struct aero_node *n, struct aero_prefix *p)
{
	const struct client *c = CL(n);
	if (!c->have)
		return 0;
	p->prefix = c->prefix;
	p->plen = c->plen;
	return 1;
}

const struct role_ops client_ops = {
	.name = "client",
	.start = client_start,
	.destroy = client_destroy,
	.rx_nd = client_rx_nd,
	.rx_dhcp6 = client_rx_dhcp6,
	.rx_scmp = client_rx_scmp,
	.rx_data = client_rx_data,
	.tx_data = client_tx_data,
	.name_answer = client_name_answer,
	.set_locator = client_set_locator,
	.shutdown = client_shutdown,
	.dump = client_dump,
	.client_prefix = client_prefix,
	.nud_failed = client_nud_failed,
	.fastpath = client_fastpath,
	.fastpath_sent = client_fastpath_sent,
};
