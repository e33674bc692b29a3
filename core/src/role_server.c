/*
 * core/src/role_server.c -- the Server (VBG) role: DHCPv6 prefix
 * delegation over the AERO interface (RFC 8415; digest 1.2, 3.8, 6.3, 7.2),
 * unicast RAs (digest 3.4, 8.18), ingress filtering and forwarding
 * (digest 6.2, 6.5), and the route distribution hooks (digest 8.17).
 *
 * Per Client binding (digest 7.2; pool.h):
 *
 *   NONE --Solicit+RC / Request--> BOUND: NCE(AERO addr -> observed
 *        locator), route prefix -> NCE, ROUTE_ANNOUNCE, Reply
 *   BOUND --Renew/Rebind--> BOUND: lifetimes refreshed, NCE locator
 *        rewritten from the outer source (mobility, digest 1.3a)
 *   BOUND --NUD failure--> STALE (route kept [P]); any valid packet -> BOUND
 *   BOUND/STALE --Release/Decline/expiry/other Server announces it-->
 *        HOLD: ROUTE_WITHDRAW, route and NCE deleted, grace timer
 *   HOLD --grace expiry--> NONE (prefix free again)
 *
 * With cfg.dhcp_relay the Server is a DHCPv6 relay agent (RFC 8415 19):
 * Client messages go out the tunnel side in Relay-forward to
 * cfg.dhcp_server; Relay-replies come back on the tunnel side, the IA_PD
 * of the inner Reply is snooped to create the same binding state
 * (digest 6.3) and the inner message goes to the Client. The Client's
 * locator travels in the INTERFACE_ID option, which the server copies back
 * (RFC 8415 19.1.1), so the relay keeps no per-transaction state.
 */
#include "node.h"
#include "nud.h"
#include "p2.h"
#include "pool.h"
#include "ro.h"

/* [P] constants */
#define SRV_DHCP_HOP_LIMIT 255   /* inner hop limit of DHCPv6 replies */
#define SRV_RELAY_HOP_LIMIT 64   /* Relay-forward towards the server */
#define SRV_RA_CUR_HOP_LIMIT 64
#define SRV_RA_MAX_LIFETIME 9000 /* RFC 4861 6.2.1 MaxRtrAdvInterval bound */
#define SRV_DUMP_MAX 64          /* bindings listed in the state dump */
#define SRV_DUID_HWTYPE 1        /* DUID-LL hardware type: Ethernet */
#define SRV_IFID_MAGIC "AERO"    /* INTERFACE_ID: magic, family, port, ip */
#define SRV_IFID_LEN 23
#define LT_INF 0xffffffffu       /* RFC 8415 7.7 infinity */

struct server {
	struct pool *pool;
	uint8_t duid[10];            /* DUID-LL 02:00:<ID> (RFC 8415 11.4) */
	struct aero_dhcp6_duid sduid;
	bool stopped;
	struct aero_in6 relay_src;   /* source of Relay-forward messages */
	/* message buffers (one request at a time; keeps them off the stack) */
	struct aero_dhcp6_msg m, r, inner;
};

static const char *const st_text[] = {
	[AERO_DHCP6_ST_SUCCESS] = "ok",
	[AERO_DHCP6_ST_NO_BINDING] = "no binding for this IA",
	[AERO_DHCP6_ST_NOT_ON_LINK] = "no addresses are on-link on an AERO link",
	[AERO_DHCP6_ST_NO_ADDRS_AVAIL] = "this server delegates prefixes only",
	[AERO_DHCP6_ST_NO_PREFIX_AVAIL] = "no prefix available",
};

static struct server *
srv(const struct aero_node *n)
{
	return n->rs;
}

static struct binding *
binding_of_timer(struct tmr *t)
{
	return (struct binding *)(void *)((char *)t - offsetof(struct binding, t));
}

/* ---- lifetimes ------------------------------------------------------------ */

static aero_tstamp
until(const struct aero_node *n, uint32_t s)
{
	if (s == LT_INF)
		return AERO_TSTAMP_NONE;
	return n->now + (aero_duration)s * AERO_SEC;
}

/* Seconds left until t (LT_INF for NONE). */
static uint32_t
remaining(const struct aero_node *n, aero_tstamp t)
{
	if (t == AERO_TSTAMP_NONE)
		return LT_INF;
	if (t <= n->now)
		return 0;
	uint64_t s = (t - n->now) / AERO_SEC;
	return s >= LT_INF ? LT_INF - 1 : (uint32_t)s;
}

/* RFC 8415 21.21: T1/T2 configured, else 0.5 / 0.8 x preferred lifetime. */
static void
t1t2(const struct aero_node *n, uint32_t pl, uint32_t *t1, uint32_t *t2)
{
	if (pl == LT_INF) {
		*t1 = n->cfg.t1 ? n->cfg.t1 : LT_INF;
		*t2 = n->cfg.t2 ? n->cfg.t2 : LT_INF;
	} else {
		*t1 = n->cfg.t1 ? n->cfg.t1 : pl / 2;
		*t2 = n->cfg.t2 ? n->cfg.t2 : (uint32_t)((uint64_t)pl * 4 / 5);
	}
	if (*t1 > *t2)
		*t1 = *t2;
}

/* ---- events ---------------------------------------------------------------- */

static void
ev_binding(struct aero_node *n, const struct binding *b, const char *name,
           const struct aero_loc *loc)
{
	struct aero_event ev = {.type = AERO_EV_BINDING, .prefix = b->prefix,
	                        .plen = b->plen, .name = name,
	                        .vltime = remaining(n, b->valid_until),
	                        .pltime = remaining(n, b->pref_until)};
	aero_addr_aero_from_prefix(&ev.addr, &b->prefix, b->plen);
	if (loc)
		ev.loc = *loc;
	out_event(n, &ev);
}

static void
ev_route(struct aero_node *n, const struct binding *b, enum aero_event_type t)
{
	struct aero_event ev = {.type = t, .prefix = b->prefix, .plen = b->plen,
	                        .addr = n->ll, .loc = n->cfg.self,
	                        .vltime = remaining(n, b->valid_until),
	                        .pltime = remaining(n, b->pref_until)};
	out_event(n, &ev);
}

/* ---- binding state changes ---------------------------------------------------- */

static void bnd_timer(struct aero_node *n, struct tmr *t);

/* The Client's neighbour entry, when it belongs to b. */
static struct nce *
bnd_nce(struct aero_node *n, const struct binding *b)
{
	struct aero_in6 aero;
	if (aero_addr_aero_from_prefix(&aero, &b->prefix, b->plen) < 0)
		return NULL;
	struct nce *e = nce_lookup(n, &aero);
	return e && e->role_data == b ? e : NULL;
}

/*
 * Make b active for the Client at loc with lifetimes vl/pl (s): NCE,
 * route, announcement (when b was not active), timer. fresh: b was just
 * created or comes out of HOLD. Returns 0, or -1 (counted) when the NCE
 * or route could not be installed; b is then unchanged except lifetimes.
 */
static int
bnd_activate(struct aero_node *n, struct binding *b, const struct aero_loc *loc,
             uint32_t vl, uint32_t pl, bool fresh)
{
	struct server *s = srv(n);
	struct aero_in6 aero;
	if (aero_addr_aero_from_prefix(&aero, &b->prefix, b->plen) < 0) {
		COUNT(n, srv_bind_conflict);
		NLOG(n, LOG_WARN_, "%s: prefix has no AERO address", __func__);
		return -1;
	}
	struct nce *e = nce_lookup(n, &aero);
	bool created = false, moved = false;
	if (e && e->role_data && e->role_data != b) {
		/* two prefixes with one /64 (delegation length > 64) */
		COUNT(n, srv_bind_conflict);
		NLOG(n, LOG_WARN_, "%s: AERO address in use by another binding",
		     __func__);
		return -1;
	}
	if (!e) {
		e = nce_create(n, &aero, loc, NCE_CLIENT);
		if (!e)
			return -1; /* counted: drop_nce_full */
		created = true;
	} else {
		moved = nce_confirm(n, e, loc);
		e->kind = NCE_CLIENT;
	}
	struct fib_entry *fe = fib_exact(n, &b->prefix, b->plen);
	if (fe && fe->origin != FIB_ORIGIN_DHCP)
		fib_del(n, &b->prefix, b->plen, NULL); /* learned from another
		                                          Server: the Client is back */
	struct fib_nh nh = {.kind = NH_NEIGHBOR, .ll = aero};
	if (!fib_add(n, &b->prefix, b->plen, &nh, FIB_ORIGIN_DHCP)) {
		if (created)
			nce_delete(n, e);
		return -1; /* counted: drop_fib_full */
	}
	e->role_data = b;
	b->valid_until = until(n, vl);
	b->pref_until = until(n, pl);
	tmr_set(n, &b->t, b->valid_until);
	if (fresh || b->state == BND_HOLD) {
		pool_set_state(s->pool, b, BND_BOUND);
		COUNT(n, srv_delegations);
		ev_route(n, b, AERO_EV_ROUTE_ANNOUNCE);
		ev_binding(n, b, "bound", loc);
		return 0;
	}
	if (b->state == BND_STALE)
		pool_set_state(s->pool, b, BND_BOUND);
	COUNT(n, srv_renewals);
	if (moved) {
		COUNT(n, srv_moves);
		ev_binding(n, b, "moved", loc);
	}
	ev_binding(n, b, "renewed", loc);
	return 0;
}

/* Grace period of a freed prefix (digest 5: P1 default = valid lifetime). */
static aero_tstamp
grace_until(const struct aero_node *n)
{
	if (n->cfg.grace != AERO_TSTAMP_NONE) {
		aero_tstamp w = n->now + n->cfg.grace;
		return w < n->now ? AERO_TSTAMP_NONE - 1 : w;
	}
	return until(n, n->cfg.vltime); /* infinite: held until the Client returns */
}

static void
bnd_free(struct aero_node *n, struct binding *b)
{
	ev_binding(n, b, "free", NULL);
	COUNT(n, srv_freed);
	tmr_cancel(n, &b->t);
	pool_release(srv(n)->pool, b);
}

/*
 * Deactivate an active binding: ROUTE_WITHDRAW, route and NCE deleted,
 * then HOLD for the grace period (pool bindings) or free (snooped relay
 * bindings: the external server owns the prefix). why names the event.
 */
static void
bnd_deactivate(struct aero_node *n, struct binding *b, const char *why)
{
	struct server *s = srv(n);
	struct nce *e = bnd_nce(n, b);
	struct aero_loc loc = e ? e->loc : (struct aero_loc){0};
	ev_route(n, b, AERO_EV_ROUTE_WITHDRAW);
	struct fib_entry *fe = fib_exact(n, &b->prefix, b->plen);
	if (fe && fe->origin == FIB_ORIGIN_DHCP)
		fib_del(n, &b->prefix, b->plen, NULL);
	if (e)
		nce_delete(n, e);
	tmr_cancel(n, &b->t);
	pool_set_state(s->pool, b, BND_HOLD);
	ev_binding(n, b, why, &loc);
	if (b->pool == POOL_NONE) {
		bnd_free(n, b);
		return;
	}
	tmr_set(n, &b->t, grace_until(n));
}

static void
bnd_timer(struct aero_node *n, struct tmr *t)
{
	struct binding *b = binding_of_timer(t);
	if (b->state == BND_HOLD) {
		bnd_free(n, b);
		return;
	}
	COUNT(n, srv_expiries);
	bnd_deactivate(n, b, "expired");
}

/* ---- DHCPv6 helpers -------------------------------------------------------------- */

static bool
serverid_ours(const struct server *s, const struct aero_dhcp6_msg *m)
{
	uint8_t b[AERO_DHCP6_DUID_MAX_LEN];
	int k = aero_wire_dhcp6_duid_encode(b, sizeof b, &m->serverid);
	return k == (int)sizeof s->duid && memcmp(b, s->duid, sizeof s->duid) == 0;
}

static void
reply_start(struct server *s, struct aero_dhcp6_msg *r, uint8_t type,
            const struct aero_dhcp6_msg *m)
{
	/* only the header part: the arrays are filled up to their counts */
	memset(r, 0, offsetof(struct aero_dhcp6_msg, iapd));
	r->n_iapd = 0;
	r->n_unknown = 0;
	r->msg_type = type;
	r->transaction_id = m->transaction_id;
	r->has_serverid = true;
	r->serverid = s->sduid;
	if (m->has_clientid) {
		r->has_clientid = true;
		r->clientid = m->clientid;
	}
}

static void
set_status(struct aero_dhcp6_status *st, uint16_t code)
{
	st->code = code;
	st->msg = (const uint8_t *)st_text[code];
	st->msg_len = strlen(st_text[code]);
}

static struct aero_dhcp6_iapd *
ia_add(struct aero_dhcp6_msg *r, uint32_t iaid, const struct aero_node *n,
       uint32_t pl)
{
	if (r->n_iapd >= AERO_DHCP6_MAX_IAPD)
		return NULL;
	struct aero_dhcp6_iapd *ia = &r->iapd[r->n_iapd++];
	ia->iaid = iaid;
	ia->n_prefix = 0;
	ia->n_unknown = 0;
	ia->has_status = false;
	if (n)
		t1t2(n, pl, &ia->t1, &ia->t2);
	else
		ia->t1 = ia->t2 = 0;
	return ia;
}

static void
ia_prefix(struct aero_dhcp6_iapd *ia, const struct aero_in6 *p, uint8_t plen,
          uint32_t pl, uint32_t vl)
{
	if (!ia || ia->n_prefix >= AERO_DHCP6_MAX_IAPREFIX)
		return;
	struct aero_dhcp6_iaprefix *x = &ia->prefix[ia->n_prefix++];
	memset(x, 0, sizeof *x);
	x->prefix = *p;
	x->plen = plen;
	x->preferred = pl;
	x->valid = vl;
}

static void
ia_status(struct aero_dhcp6_iapd *ia, uint16_t code)
{
	if (!ia)
		return;
	ia->has_status = true;
	set_status(&ia->status, code);
	ia->t1 = ia->t2 = 0;
}

static void
send_reply(struct aero_node *n, struct rxctx *rx, const struct aero_dhcp6_msg *r)
{
	uint8_t buf[INNER_MAX];
	int k = aero_wire_dhcp6_encode(buf, sizeof buf, r);
	if (k < 0) {
		NLOG(n, LOG_ERR_, "%s: DHCPv6 encode failed: %s", __func__,
		     aero_wire_strerror(k));
		return;
	}
	if (r->msg_type == AERO_DHCP6_ADVERTISE)
		COUNT(n, srv_advertise_tx);
	else
		COUNT(n, srv_reply_tx);
	/* digest 8.14: the source may be the temporary link-local; the reply
	 * goes to it, at the locator the request came from (NAT-aware) */
	node_send_udp(n, NULL, &rx->pi->src, &n->ll, &rx->ip6.src,
	              SRV_DHCP_HOP_LIMIT, AERO_DHCP6_PORT_SERVER,
	              AERO_DHCP6_PORT_CLIENT, buf, (size_t)k);
}

/* The requested prefix of an IA_PD as a hint (plen 0 = none). */
static struct aero_prefix
ia_hint(const struct aero_dhcp6_iapd *ia)
{
	struct aero_prefix h = {.plen = 0};
	if (ia->n_prefix > 0 && ia->prefix[0].plen <= 128) {
		h.prefix = ia->prefix[0].prefix;
		h.plen = ia->prefix[0].plen;
	}
	return h;
}

/* Client prefixes other than b's go back with lifetime 0 (RFC 8415
 * 18.3.4/18.3.5: not valid for the link any more); "::/len" is only a
 * length hint and is skipped. */
static void
ia_zero_others(struct aero_dhcp6_iapd *out, const struct aero_dhcp6_iapd *in,
               const struct binding *b)
{
	for (size_t i = 0; i < in->n_prefix; i++) {
		const struct aero_dhcp6_iaprefix *x = &in->prefix[i];
		if (x->plen > 128 || in6_eq(&x->prefix, &in6_any))
			continue;
		if (x->plen == b->plen &&
		    aero_addr_prefix_match(&x->prefix, &b->prefix, b->plen))
			continue;
		ia_prefix(out, &x->prefix, x->plen, 0, 0);
	}
}

/* ---- message handlers ---------------------------------------------------------------- */

struct req {
	struct aero_node *n;
	struct rxctx *rx;
	const struct aero_dhcp6_msg *m;
	uint8_t duid[AERO_DHCP6_DUID_MAX_LEN];
	size_t duid_len;
};

/* Solicit without Rapid Commit: offer, allocate nothing (RFC 8415 18.3.1). */
static void
do_advertise(struct req *q, struct aero_dhcp6_msg *r)
{
	struct aero_node *n = q->n;
	struct server *s = srv(n);
	r->has_preference = true;
	r->preference = n->cfg.preference;
	for (size_t i = 0; i < q->m->n_iapd; i++) {
		const struct aero_dhcp6_iapd *in = &q->m->iapd[i];
		struct aero_dhcp6_iapd *ia = ia_add(r, in->iaid, n, n->cfg.pltime);
		struct binding *b = pool_find(s->pool, q->duid, q->duid_len, in->iaid);
		struct aero_prefix pf;
		if (b) {
			pf.prefix = b->prefix;
			pf.plen = b->plen;
		} else {
			struct aero_prefix h = ia_hint(in);
			if (pool_peek(s->pool, &h, &pf) != POOL_OK) {
				COUNT(n, srv_no_prefix);
				ia_status(ia, AERO_DHCP6_ST_NO_PREFIX_AVAIL);
				continue;
			}
		}
		ia_prefix(ia, &pf.prefix, pf.plen, n->cfg.pltime, n->cfg.vltime);
	}
}

/* Request, or Solicit with Rapid Commit: bind (RFC 8415 18.3.2). */
static void
do_commit(struct req *q, struct aero_dhcp6_msg *r)
{
	struct aero_node *n = q->n;
	struct server *s = srv(n);
	for (size_t i = 0; i < q->m->n_iapd; i++) {
		const struct aero_dhcp6_iapd *in = &q->m->iapd[i];
		struct aero_dhcp6_iapd *ia = ia_add(r, in->iaid, n, n->cfg.pltime);
		struct binding *b = pool_find(s->pool, q->duid, q->duid_len, in->iaid);
		bool fresh = false;
		if (!b) {
			struct aero_prefix h = ia_hint(in);
			enum pool_err err;
			b = pool_alloc(s->pool, q->duid, q->duid_len, in->iaid, &h,
			               bnd_timer, &err);
			if (!b) {
				if (err == POOL_FULL)
					COUNT(n, srv_bindings_full);
				COUNT(n, srv_no_prefix);
				ia_status(ia, AERO_DHCP6_ST_NO_PREFIX_AVAIL);
				continue;
			}
			fresh = true;
		}
		if (bnd_activate(n, b, &q->rx->pi->src, n->cfg.vltime,
		                 n->cfg.pltime, fresh) < 0) {
			if (fresh)
				pool_release(s->pool, b);
			COUNT(n, srv_no_prefix);
			ia_status(ia, AERO_DHCP6_ST_NO_PREFIX_AVAIL);
			continue;
		}
		ia_prefix(ia, &b->prefix, b->plen, n->cfg.pltime, n->cfg.vltime);
	}
}

/* Renew (RFC 8415 18.3.4) and Rebind (18.3.5). */
static void
do_renew(struct req *q, struct aero_dhcp6_msg *r, bool rebind)
{
	struct aero_node *n = q->n;
	struct server *s = srv(n);
	for (size_t i = 0; i < q->m->n_iapd; i++) {
		const struct aero_dhcp6_iapd *in = &q->m->iapd[i];
		struct aero_dhcp6_iapd *ia = ia_add(r, in->iaid, n, n->cfg.pltime);
		struct binding *b = pool_find(s->pool, q->duid, q->duid_len, in->iaid);
		bool fresh = false;
		if (b && b->state == BND_HOLD && !rebind)
			b = NULL; /* released: Renew finds no binding */
		if (!b && rebind) {
			/*
			 * [P] Recovery (VET-40 6.12, digest 6.3 and 8.17): a Rebind
			 * for a prefix of our pools that nobody holds re-creates the
			 * binding, so a Server that lost its state (restart) or a
			 * Client failing over keeps its prefix.
			 */
			for (size_t k = 0; k < in->n_prefix && !b; k++) {
				enum pool_err err;
				b = pool_claim(s->pool, q->duid, q->duid_len, in->iaid,
				               &in->prefix[k].prefix, in->prefix[k].plen,
				               true, bnd_timer, &err);
				if (!b && err == POOL_FULL)
					COUNT(n, srv_bindings_full);
			}
			if (b) {
				fresh = true;
				COUNT(n, srv_recovered);
			}
		} else if (b && b->state == BND_HOLD) {
			COUNT(n, srv_recovered); /* same Client, prefix still held */
		}
		if (b && bnd_activate(n, b, &q->rx->pi->src, n->cfg.vltime,
		                      n->cfg.pltime, fresh) < 0) {
			if (fresh)
				pool_release(s->pool, b);
			b = NULL;
		}
		if (!b) {
			COUNT(n, srv_no_binding);
			ia_status(ia, AERO_DHCP6_ST_NO_BINDING);
			continue;
		}
		ia_prefix(ia, &b->prefix, b->plen, n->cfg.pltime, n->cfg.vltime);
		ia_zero_others(ia, in, b);
	}
}

/* Release (RFC 8415 18.3.7) and Decline (18.3.8): Reply Success; IAs we
 * have no binding for get NoBinding. The prefixes go to HOLD. */
static void
do_release(struct req *q, struct aero_dhcp6_msg *r, bool decline)
{
	struct aero_node *n = q->n;
	struct server *s = srv(n);
	r->has_status = true;
	set_status(&r->status, AERO_DHCP6_ST_SUCCESS);
	for (size_t i = 0; i < q->m->n_iapd; i++) {
		const struct aero_dhcp6_iapd *in = &q->m->iapd[i];
		struct binding *b = pool_find(s->pool, q->duid, q->duid_len, in->iaid);
		if (!b || b->state == BND_HOLD) {
			struct aero_dhcp6_iapd *ia = ia_add(r, in->iaid, NULL, 0);
			COUNT(n, srv_no_binding);
			ia_status(ia, AERO_DHCP6_ST_NO_BINDING);
			continue;
		}
		if (decline)
			COUNT(n, srv_declines);
		else
			COUNT(n, srv_releases);
		bnd_deactivate(n, b, "released");
	}
}

/* Confirm carries no prefixes (RFC 3633 12.1); with addresses (IA_NA or
 * IA_TA) the answer is NotOnLink: nothing is on-link on an AERO link
 * (digest 8.8). Without, RFC 8415 18.3.3: no reply. */
static bool
do_confirm(struct req *q, struct aero_dhcp6_msg *r)
{
	bool addrs = false;
	for (size_t i = 0; i < q->m->n_unknown; i++)
		if (q->m->unknown[i].code == AERO_DHCP6_OPT_IA_NA ||
		    q->m->unknown[i].code == 4 /* IA_TA */)
			addrs = true;
	if (!addrs) {
		COUNT(q->n, srv_confirm_ignored);
		return false;
	}
	r->has_status = true;
	set_status(&r->status, AERO_DHCP6_ST_NOT_ON_LINK);
	return true;
}

/* ---- relay agent (cfg.dhcp_relay) ------------------------------------------------------ */

static void
ifid_encode(uint8_t out[SRV_IFID_LEN], const struct aero_loc *l)
{
	memcpy(out, SRV_IFID_MAGIC, 4);
	out[4] = l->family;
	out[5] = (uint8_t)(l->port >> 8);
	out[6] = (uint8_t)l->port;
	memcpy(out + 7, l->ip, 16);
}

static bool
ifid_decode(struct aero_loc *l, const uint8_t *p, size_t len)
{
	if (len != SRV_IFID_LEN || memcmp(p, SRV_IFID_MAGIC, 4) != 0 ||
	    (p[4] != 4 && p[4] != 6))
		return false;
	memset(l, 0, sizeof *l);
	l->family = p[4];
	l->port = (uint16_t)(p[5] << 8 | p[6]);
	memcpy(l->ip, p + 7, l->family == 4 ? 4 : 16);
	return true;
}

static void
relay_forward(struct aero_node *n, struct rxctx *rx, const uint8_t *msg,
              size_t len)
{
	struct server *s = srv(n);
	const struct aero_dhcp6_msg *m = &s->m;
	if (n->cfg.dhcp_server.family != 6) {
		DROP(n, drop_srv_relay_config, "dhcp_server is not an IPv6 address");
		return;
	}
	/* a Release/Decline ends the binding now (the Reply carries no IA) */
	if ((m->msg_type == AERO_DHCP6_RELEASE || m->msg_type == AERO_DHCP6_DECLINE)) {
		uint8_t duid[AERO_DHCP6_DUID_MAX_LEN];
		int dl = aero_wire_dhcp6_duid_encode(duid, sizeof duid, &m->clientid);
		for (size_t i = 0; dl > 0 && i < m->n_iapd; i++) {
			struct binding *b = pool_find(s->pool, duid, (size_t)dl,
			                              m->iapd[i].iaid);
			if (b && b->state != BND_HOLD) {
				COUNT(n, srv_releases);
				bnd_deactivate(n, b, "released");
			}
		}
	}
	uint8_t ifid[SRV_IFID_LEN];
	ifid_encode(ifid, &rx->pi->src);
	struct aero_dhcp6_msg *f = &s->r;
	memset(f, 0, offsetof(struct aero_dhcp6_msg, iapd));
	f->n_iapd = f->n_unknown = 0;
	f->msg_type = AERO_DHCP6_RELAY_FORW;
	f->hop_count = 0;
	/* RFC 8415 19.1.1: link-address identifies the link, :: when the
	 * INTERFACE_ID does */
	if (!in6_is_ll(&s->relay_src))
		f->link_addr = s->relay_src;
	f->peer_addr = rx->ip6.src;
	f->has_interface_id = true;
	f->interface_id = ifid;
	f->interface_id_len = sizeof ifid;
	f->has_relay_msg = true;
	f->relay_msg = msg;
	f->relay_msg_len = len;
	uint8_t buf[INNER_MAX + 128];
	int k = aero_wire_dhcp6_encode(buf, sizeof buf, f);
	if (k < 0) {
		DROP(n, drop_srv_dhcp_malformed, "Relay-forward does not encode");
		return;
	}
	uint8_t pkt[INNER_MAX + 256];
	struct aero_in6 dst;
	memcpy(dst.b, n->cfg.dhcp_server.ip, 16);
	int pl = build_udp(pkt, sizeof pkt, &s->relay_src, &dst,
	                   SRV_RELAY_HOP_LIMIT, AERO_DHCP6_PORT_SERVER,
	                   AERO_DHCP6_PORT_SERVER, buf, (size_t)k);
	if (pl < 0) {
		DROP(n, drop_srv_dhcp_malformed, "Relay-forward too large");
		return;
	}
	COUNT(n, srv_relay_fwd);
	out_tunnel(n, 0, pkt, (size_t)pl);
}

/* Snoop the IA_PDs of a Reply relayed to the Client at loc (digest 6.3). */
static void
relay_snoop(struct aero_node *n, const struct aero_dhcp6_msg *in,
            const struct aero_loc *loc)
{
	struct server *s = srv(n);
	uint8_t duid[AERO_DHCP6_DUID_MAX_LEN];
	if (!in->has_clientid)
		return;
	int dl = aero_wire_dhcp6_duid_encode(duid, sizeof duid, &in->clientid);
	if (dl < 0)
		return;
	for (size_t i = 0; i < in->n_iapd; i++) {
		const struct aero_dhcp6_iapd *ia = &in->iapd[i];
		struct binding *b = pool_find(s->pool, duid, (size_t)dl, ia->iaid);
		const struct aero_dhcp6_iaprefix *p = NULL;
		if ((!ia->has_status || ia->status.code == AERO_DHCP6_ST_SUCCESS) &&
		    aero_wire_dhcp6_iapd_check(ia) == 0)
			for (size_t k = 0; k < ia->n_prefix && !p; k++)
				if (ia->prefix[k].valid > 0 && (!ia->prefix[k].has_status ||
				    ia->prefix[k].status.code == AERO_DHCP6_ST_SUCCESS))
					p = &ia->prefix[k];
		if (b && b->state != BND_HOLD &&
		    (!p || p->plen != b->plen ||
		     !aero_addr_prefix_match(&p->prefix, &b->prefix, b->plen))) {
			COUNT(n, srv_releases);
			bnd_deactivate(n, b, "released");
			b = pool_find(s->pool, duid, (size_t)dl, ia->iaid);
		}
		if (!p)
			continue;
		bool fresh = false;
		if (b && b->state == BND_HOLD) {
			tmr_cancel(n, &b->t);
			pool_release(s->pool, b);
			b = NULL;
		}
		if (!b) {
			enum pool_err err;
			b = pool_claim(s->pool, duid, (size_t)dl, ia->iaid, &p->prefix,
			               p->plen, false, bnd_timer, &err);
			if (!b) {
				if (err == POOL_FULL)
					COUNT(n, srv_bindings_full);
				NLOG(n, LOG_WARN_, "%s: cannot record delegation: %s",
				     __func__, pool_strerror(err));
				continue;
			}
			fresh = true;
		}
		if (bnd_activate(n, b, loc, p->valid, p->preferred, fresh) < 0 && fresh)
			pool_release(s->pool, b);
	}
}

/* A Relay-reply from the DHCPv6 server (tunnel side, UDP to 547). */
static void
relay_reply(struct aero_node *n, struct rxctx *rx)
{
	struct server *s = srv(n);
	struct aero_udp u;
	struct aero_ip_pseudo ps = {.family = 6, .src = rx->ip6.src,
	                            .dst = rx->ip6.dst};
	if (aero_wire_udp_decode(&u, rx->l4, rx->l4len, &ps, 0) < 0) {
		DROP(n, drop_udp_malformed, "Relay-reply UDP");
		return;
	}
	if (aero_wire_dhcp6_decode(&s->m, u.payload, u.payload_len) < 0 ||
	    s->m.msg_type != AERO_DHCP6_RELAY_REPL) {
		DROP(n, drop_srv_relay_malformed, "not a Relay-reply");
		return;
	}
	struct aero_loc loc;
	if (!s->m.has_interface_id ||
	    !ifid_decode(&loc, s->m.interface_id, s->m.interface_id_len)) {
		DROP(n, drop_srv_relay_malformed, "INTERFACE_ID missing or not ours");
		return;
	}
	if (aero_wire_dhcp6_relay_inner(&s->inner, &s->m) < 0 ||
	    s->inner.msg_type == AERO_DHCP6_RELAY_FORW ||
	    s->inner.msg_type == AERO_DHCP6_RELAY_REPL) {
		DROP(n, drop_srv_relay_malformed, "inner message");
		return;
	}
	if (s->inner.msg_type == AERO_DHCP6_REPLY)
		relay_snoop(n, &s->inner, &loc);
	COUNT(n, srv_relay_repl);
	node_send_udp(n, NULL, &loc, &n->ll, &s->m.peer_addr, SRV_DHCP_HOP_LIMIT,
	              AERO_DHCP6_PORT_SERVER, AERO_DHCP6_PORT_CLIENT,
	              s->m.relay_msg, s->m.relay_msg_len);
}

/* ---- DHCPv6 entry ------------------------------------------------------------------------ */

/* RFC 8415 16: which messages need / forbid a SERVERID. */
static bool
validate(struct aero_node *n, const struct aero_dhcp6_msg *m)
{
	struct server *s = srv(n);
	switch (m->msg_type) {
	case AERO_DHCP6_SOLICIT:
	case AERO_DHCP6_REBIND:
	case AERO_DHCP6_CONFIRM:
		if (!m->has_clientid) {
			DROP(n, drop_srv_no_clientid, "no CLIENTID");
			return false;
		}
		if (m->has_serverid) {
			DROP(n, drop_srv_serverid, "SERVERID in Solicit/Rebind/Confirm");
			return false;
		}
		return true;
	case AERO_DHCP6_REQUEST:
	case AERO_DHCP6_RENEW:
	case AERO_DHCP6_RELEASE:
	case AERO_DHCP6_DECLINE:
		if (!m->has_clientid) {
			DROP(n, drop_srv_no_clientid, "no CLIENTID");
			return false;
		}
		/* relaying: the SERVERID is the external server's */
		if (!m->has_serverid || (!n->cfg.dhcp_relay && !serverid_ours(s, m))) {
			DROP(n, drop_srv_serverid, "SERVERID missing or not ours");
			return false;
		}
		return true;
	case AERO_DHCP6_INFO_REQUEST:
		if (m->has_serverid && !n->cfg.dhcp_relay && !serverid_ours(s, m)) {
			DROP(n, drop_srv_serverid, "Information-request for another server");
			return false;
		}
		return true;
	default:
		DROP(n, drop_srv_dhcp_type, aero_wire_dhcp6_msg_type_name(m->msg_type));
		return false;
	}
}

static void
server_rx_dhcp6(struct aero_node *n, struct rxctx *rx, const uint8_t *msg,
                size_t len)
{
	struct server *s = srv(n);
	if (s->stopped) {
		DROP(n, drop_srv_stopped, "DHCPv6 after shutdown");
		return;
	}
	uint16_t dport = (uint16_t)(rx->l4[2] << 8 | rx->l4[3]);
	if (dport != AERO_DHCP6_PORT_SERVER) {
		DROP(n, drop_srv_dhcp_port, "not to port 547");
		return;
	}
	struct aero_dhcp6_msg *m = &s->m;
	if (aero_wire_dhcp6_decode(m, msg, len) < 0) {
		DROP(n, drop_srv_dhcp_malformed, "DHCPv6 does not decode");
		return;
	}
	COUNT(n, srv_dhcp_rx);
	if (!validate(n, m))
		return;
	if (n->cfg.dhcp_relay) {
		relay_forward(n, rx, msg, len);
		return;
	}
	struct req q = {.n = n, .rx = rx, .m = m};
	if (m->has_clientid) {
		int dl = aero_wire_dhcp6_duid_encode(q.duid, sizeof q.duid, &m->clientid);
		if (dl < 0) {
			DROP(n, drop_srv_dhcp_malformed, "CLIENTID does not encode");
			return;
		}
		q.duid_len = (size_t)dl;
	}
	struct aero_dhcp6_msg *r = &s->r;
	switch (m->msg_type) {
	case AERO_DHCP6_SOLICIT:
		if (m->n_iapd == 0) {
			/* RFC 8415 18.3.1: nothing to offer to address-only clients */
			reply_start(s, r, AERO_DHCP6_ADVERTISE, m);
			r->has_status = true;
			set_status(&r->status, AERO_DHCP6_ST_NO_ADDRS_AVAIL);
			break;
		}
		if (m->has_rapid_commit) {
			reply_start(s, r, AERO_DHCP6_REPLY, m);
			r->has_rapid_commit = true;
			do_commit(&q, r);
		} else {
			reply_start(s, r, AERO_DHCP6_ADVERTISE, m);
			do_advertise(&q, r);
		}
		break;
	case AERO_DHCP6_REQUEST:
		reply_start(s, r, AERO_DHCP6_REPLY, m);
		do_commit(&q, r);
		break;
	case AERO_DHCP6_RENEW:
	case AERO_DHCP6_REBIND:
		reply_start(s, r, AERO_DHCP6_REPLY, m);
		do_renew(&q, r, m->msg_type == AERO_DHCP6_REBIND);
		break;
	case AERO_DHCP6_RELEASE:
	case AERO_DHCP6_DECLINE:
		reply_start(s, r, AERO_DHCP6_REPLY, m);
		do_release(&q, r, m->msg_type == AERO_DHCP6_DECLINE);
		break;
	case AERO_DHCP6_CONFIRM:
		reply_start(s, r, AERO_DHCP6_REPLY, m);
		if (!do_confirm(&q, r))
			return;
		break;
	case AERO_DHCP6_INFO_REQUEST:
		reply_start(s, r, AERO_DHCP6_REPLY, m);
		break;
	default:
		return; /* validate() let nothing else through */
	}
	send_reply(n, rx, r);
}

/* ---- Router Advertisements ------------------------------------------------------------------ */

/* digest 3.4 / 8.18: never advertise a prefix the Server itself uses. */
static bool
prefix_is_own(const struct aero_node *n, const struct binding *b)
{
	const struct server *s = srv(n);
	if (!in6_eq(&s->relay_src, &n->ll) &&
	    aero_addr_prefix_contains(&b->prefix, b->plen, &s->relay_src, 128))
		return true;
	return aero_addr_prefix_contains(&b->prefix, b->plen, &n->ll, 128);
}

static void
send_ra(struct aero_node *n, struct rxctx *rx)
{
	struct nce *nb = rx->nb;
	struct binding *b = nb && nb->kind == NCE_CLIENT ? nb->role_data : NULL;
	if (b && b->state == BND_HOLD)
		b = NULL;
	/*
	 * [P] An RS from an AERO address this Server holds no binding for
	 * means the Server lost its state (restart) or the binding expired:
	 * answer with Router Lifetime 0. The Client then Rebinds (digest 6.3,
	 * VET-40 6.12) and the Rebind re-creates the binding (recovery).
	 */
	bool lost = !b && aero_addr_classify(&rx->ip6.src) == AERO_ADDR_KIND_AERO;
	struct aero_nd_msg rab, *ra = &rab;
	memset(ra, 0, sizeof *ra);
	ra->type = AERO_ND_TYPE_RA;
	ra->ra.cur_hop_limit = SRV_RA_CUR_HOP_LIMIT;
	uint32_t rl = n->cfg.ra_lifetime;
	ra->ra.router_lifetime = lost ? 0 : (uint16_t)(rl > SRV_RA_MAX_LIFETIME ?
	                                     SRV_RA_MAX_LIFETIME : rl);
	ra->ra.reachable_time = (uint32_t)(n->cfg.reachable_time / AERO_MS);
	ra->ra.retrans_timer = (uint32_t)(n->cfg.retrans_timer / AERO_MS);
	ra->opts.has_sllao = true;
	nud_own_lla(n, &ra->opts.sllao);
	ra->opts.has_mtu = true;
	ra->opts.mtu = n->cfg.mtu;
	if (lost)
		COUNT(n, srv_ra_lost_state);
	if (b && n->cfg.ra_pio && !prefix_is_own(n, b)) {
		/* digest 8.18: lifetimes <= the remaining DHCPv6 lifetimes;
		 * PIO-X draft 5.3: L=0, A=1 with X (only in pio_x mode) */
		struct aero_nd_pio *p = &ra->opts.pio[ra->opts.n_pio++];
		memset(p, 0, sizeof *p);
		p->prefix = b->prefix;
		p->prefix_len = b->plen;
		p->l = false;
		p->x = n->cfg.pio_x;
		p->a = n->cfg.pio_x;
		p->valid_lifetime = remaining(n, b->valid_until);
		p->preferred_lifetime = remaining(n, b->pref_until);
	}
	const struct aero_in6 *to = in6_eq(&rx->ip6.src, &in6_any) ?
	                            &in6_all_nodes : &rx->ip6.src;
	struct nce *via = nb && aero_loc_equal(&nb->loc, &rx->pi->src) ? nb : NULL;
	COUNT(n, srv_ra_tx);
	node_send_nd(n, via, &rx->pi->src, &n->ll, to, ra);
	if (b && via) { /* an RS is a valid packet from the Client (digest 7.2) */
		nce_confirm(n, nb, NULL);
		if (b->state == BND_STALE)
			pool_set_state(srv(n)->pool, b, BND_BOUND);
	}
}

static void
server_rx_nd(struct aero_node *n, struct rxctx *rx, const struct aero_nd_msg *m)
{
	if (srv(n)->stopped) {
		DROP(n, drop_srv_stopped, "ND after shutdown");
		return;
	}
	if (nud_rx(n, rx, m))
		return;
	if (m->type != AERO_ND_TYPE_RS) {
		DROP(n, drop_unexpected_ctl, aero_wire_nd_type_name(m->type));
		return;
	}
	send_ra(n, rx);
}

static void
server_rx_scmp(struct aero_node *n, struct rxctx *rx, const struct aero_scmp_msg *m)
{
	(void)rx;
	DROP(n, drop_unexpected_ctl, aero_wire_scmp_type_name(m->type));
}

/* ---- data path ------------------------------------------------------------------------------ */

/* After forwarding: NUD for the Client it went to; RO when it came from a
 * Client and leaves the AERO interface again (digest 6.3). */
static void
after_forward(struct aero_node *n, struct rxctx *rx, struct nce *in,
              const struct fib_entry *e)
{
	if (!e)
		return;
	const struct fib_nh *nh = e->n_nh == 1 ? &e->nh[0] :
	                          fib_pick(e, node_flow_hash(rx->pkt, rx->len));
	if (nh->kind != NH_NEIGHBOR)
		return;
	struct nce *out = nce_lookup(n, &nh->ll);
	if (!out)
		return;
	if (out->kind == NCE_CLIENT)
		nud_used(n, out);
	if (in && in->kind == NCE_CLIENT && out != in)
		ro_server_forwarded(n, rx, in, out);
}

static void
server_rx_data(struct aero_node *n, struct rxctx *rx)
{
	if (srv(n)->stopped) {
		DROP(n, drop_srv_stopped, "data after shutdown");
		return;
	}
	struct nce *in = nce_by_loc(n, &rx->pi->src);
	if (!in) {
		DROP(n, drop_srv_unknown_source, "data from an unknown locator");
		return;
	}
	if (in->kind == NCE_CLIENT) {
		/* digest 6.2: source inside the delegated prefix or the AERO address */
		struct binding *b = in->role_data;
		if (!b || (!aero_addr_prefix_contains(&b->prefix, b->plen,
		                                      &rx->ip6.src, 128) &&
		           !in6_eq(&rx->ip6.src, &in->ll))) {
			DROP(n, drop_ingress_filter, "source outside the Client's prefix");
			return;
		}
		nce_confirm(n, in, NULL); /* any valid packet refreshes (7.2) */
		if (b->state == BND_STALE)
			pool_set_state(srv(n)->pool, b, BND_BOUND);
	}
	if (in6_eq(&rx->ip6.dst, &n->ll)) {
		COUNT(n, srv_to_self);
		tunnel_deliver(n, rx, 0);
		return;
	}
	after_forward(n, rx, in, node_forward(n, rx));
}

static void
server_tx_data(struct aero_node *n, struct rxctx *rx)
{
	if (srv(n)->stopped) {
		DROP(n, drop_srv_stopped, "tunnel-side packet after shutdown");
		return;
	}
	if (n->cfg.dhcp_relay && rx->proto == AERO_IP_PROTO_UDP &&
	    rx->l4len >= AERO_UDP_HDR_LEN &&
	    (rx->l4[2] << 8 | rx->l4[3]) == AERO_DHCP6_PORT_SERVER) {
		relay_reply(n, rx);
		return;
	}
	after_forward(n, rx, NULL, node_forward(n, rx));
}

/* NUD gave up on a neighbour: a Client is marked STALE and keeps its
 * route (digest 7.2 [P]); a Client Renew or any valid packet revives it. */
static void
server_nud_failed(struct aero_node *n, struct nce *e)
{
	if (e->kind != NCE_CLIENT || !e->role_data)
		return;
	struct binding *b = e->role_data;
	if (b->state == BND_BOUND)
		pool_set_state(srv(n)->pool, b, BND_STALE);
	COUNT(n, srv_nud_stale);
	nce_set_state(n, e, NCE_STALE);
}

/* ---- route distribution ---------------------------------------------------------------------- */

static int
server_route_update(struct aero_node *n, bool add, const struct aero_prefix *p,
                    const struct aero_peer *server)
{
	struct server *s = srv(n);
	if (server->id == n->cfg.id && aero_loc_equal(&server->loc, &n->cfg.self))
		return 0; /* our own announcement */
	struct aero_in6 sll;
	if (aero_addr_server_ll(&sll, server->id) < 0 || p->plen == 0)
		return AERO_ERR_INVAL;
	struct fib_nh nh = {.kind = NH_NEIGHBOR, .ll = sll};
	if (!add) {
		if (fib_del(n, &p->prefix, p->plen, &nh) == 0)
			COUNT(n, srv_routes_unlearned);
		return 0;
	}
	/* digest 8.17: another Server announces a prefix we hold: the Client
	 * moved there, withdraw ours */
	struct binding *b = pool_by_prefix(s->pool, &p->prefix, p->plen);
	if (b && b->state != BND_HOLD) {
		COUNT(n, srv_routes_yielded);
		bnd_deactivate(n, b, "released");
	}
	struct nce *e = nce_lookup(n, &sll);
	if (!e)
		e = nce_create(n, &sll, &server->loc, NCE_SERVER);
	else if (!aero_loc_equal(&e->loc, &server->loc) && e->kind == NCE_SERVER)
		nce_set_loc(n, e, &server->loc);
	if (!e)
		return AERO_ERR_FULL;
	struct fib_entry *fe = fib_exact(n, &p->prefix, p->plen);
	if (fe && fe->origin == FIB_ORIGIN_DHCP)
		fib_del(n, &p->prefix, p->plen, NULL);
	if (!fib_add(n, &p->prefix, p->plen, &nh, FIB_ORIGIN_LEARNED))
		return AERO_ERR_FULL;
	COUNT(n, srv_routes_learned);
	return 0;
}

/* ---- lifecycle ---------------------------------------------------------------------------------- */

static void
server_start(struct aero_node *n)
{
	struct server *s = g_new0(struct server, 1);
	n->rs = s;
	uint32_t id = n->cfg.id;
	const uint8_t duid[10] = {0, AERO_DHCP6_DUID_LL, 0, SRV_DUID_HWTYPE,
	                          0x02, 0x00, (uint8_t)(id >> 24),
	                          (uint8_t)(id >> 16), (uint8_t)(id >> 8),
	                          (uint8_t)id};
	memcpy(s->duid, duid, sizeof duid);
	aero_wire_dhcp6_duid_decode(&s->sduid, s->duid, sizeof s->duid);
	s->pool = pool_new(n->cfg.pools, n->cfg.n_pools, n->cfg.max_bindings);
	if (pool_ignored(s->pool))
		NLOG(n, LOG_WARN_, "%s: %zu overlapping pool(s) ignored", __func__,
		     pool_ignored(s->pool));
	s->relay_src = n->ll;
	if (!in6_eq(&n->cfg.dhcp_relay_src, &in6_any))
		s->relay_src = n->cfg.dhcp_relay_src;
	if (n->cfg.dhcp_relay && n->cfg.dhcp_server.family != 6)
		NLOG(n, LOG_ERR_, "%s: dhcp_relay needs an IPv6 dhcp_server", __func__);
	/* default route: ::/0 over the Relays (ECMP) */
	for (size_t i = 0; i < n->cfg.n_relays && i < AERO_MAX_RELAYS; i++) {
		struct aero_in6 ll;
		if (aero_addr_server_ll(&ll, n->cfg.relays[i].id) < 0)
			continue;
		if (!nce_create(n, &ll, &n->cfg.relays[i].loc, NCE_RELAY))
			continue;
		struct fib_nh nh = {.kind = NH_NEIGHBOR, .ll = ll};
		fib_add(n, &in6_any, 0, &nh, FIB_ORIGIN_STATIC);
	}
	out_state(n, "serving");
}

static void
cancel_binding(struct binding *b, void *arg)
{
	tmr_cancel(arg, &b->t);
}

static void
server_destroy(struct aero_node *n)
{
	struct server *s = srv(n);
	if (!s)
		return;
	pool_free(s->pool, cancel_binding, n);
	g_free(s);
	n->rs = NULL;
}

static void
stop_nud(struct aero_node *n, struct nce *e, void *arg)
{
	(void)arg;
	tmr_cancel(n, &e->t_nud);
}

static int
server_shutdown(struct aero_node *n)
{
	struct server *s = srv(n);
	if (s->stopped)
		return 0;
	GPtrArray *v = pool_list(s->pool, 0);
	for (guint i = 0; i < v->len; i++) {
		struct binding *b = g_ptr_array_index(v, i);
		tmr_cancel(n, &b->t);
		if (b->state == BND_HOLD)
			continue;
		ev_route(n, b, AERO_EV_ROUTE_WITHDRAW);
		struct nce *e = bnd_nce(n, b);
		fib_del(n, &b->prefix, b->plen, NULL);
		if (e)
			nce_delete(n, e);
	}
	g_ptr_array_unref(v);
	nce_foreach(n, stop_nud, NULL);
	s->stopped = true;
	out_state(n, "stopped");
	return 0;
}

static void
server_dump(const struct aero_node *cn, GString *js)
{
	struct aero_node *n = (struct aero_node *)cn; /* iteration only */
	struct server *s = srv(n);
	js_str(js, "state", s->stopped ? "stopped" : "serving", true);
	g_string_append(js, ",\"bindings\":{");
	js_u64(js, "count", pool_count(s->pool), false);
	js_u64(js, "bound", pool_count_state(s->pool, BND_BOUND), true);
	js_u64(js, "stale", pool_count_state(s->pool, BND_STALE), true);
	js_u64(js, "hold", pool_count_state(s->pool, BND_HOLD), true);
	g_string_append(js, ",\"list\":[");
	GPtrArray *v = pool_list(s->pool, SRV_DUMP_MAX);
	for (guint i = 0; i < v->len; i++) {
		const struct binding *b = g_ptr_array_index(v, i);
		g_string_append(js, i ? ",{" : "{");
		js_prefix(js, "prefix", &b->prefix, b->plen, false);
		js_str(js, "state", binding_state_name[b->state], true);
		js_u64(js, "iaid", b->iaid, true);
		g_string_append(js, ",\"duid\":\"");
		for (unsigned k = 0; k < b->duid_len; k++)
			g_string_append_printf(js, "%02x", b->duid[k]);
		g_string_append_c(js, '"');
		if (b->state != BND_HOLD) {
			js_u64(js, "valid_s", remaining(n, b->valid_until), true);
			js_u64(js, "preferred_s", remaining(n, b->pref_until), true);
		}
		g_string_append_c(js, '}');
	}
	g_ptr_array_unref(v);
	g_string_append(js, "]},\"pools\":[");
	for (size_t i = 0; i < pool_n(s->pool); i++) {
		const struct aero_pool *p = pool_get(s->pool, i);
		g_string_append(js, i ? ",{" : "{");
		js_prefix(js, "prefix", &p->prefix, p->plen, false);
		js_u64(js, "deleg_len", p->deleg_len, true);
		js_u64(js, "size", pool_size(s->pool, i), true);
		js_u64(js, "used", pool_used(s->pool, i), true);
		g_string_append_c(js, '}');
	}
	g_string_append_c(js, ']');
}

/* ---- binding export / import (lease files of the hosts) ----------------- */

struct export_ctx {
	const struct aero_node *n;
	void (*fn)(const struct aero_binding_rec *b, void *user);
	void *user;
	int count;
};

static void
export_one(struct binding *b, void *arg)
{
	struct export_ctx *x = arg;
	if (b->state == BND_HOLD)
		return;
	struct aero_binding_rec r = {.prefix = {.prefix = b->prefix,
	                                        .plen = b->plen},
	                             .iaid = b->iaid, .duid_len = b->duid_len};
	memcpy(r.duid, b->duid, b->duid_len);
	if (aero_addr_aero_from_prefix(&r.addr, &b->prefix, b->plen) < 0)
		return;
	struct nce *e = bnd_nce((struct aero_node *)x->n, b);
	if (e) {
		r.loc = e->loc;
		r.icv_key_len = e->icv_key_len;
		memcpy(r.icv_key, e->icv_key, e->icv_key_len);
		r.tx_id = e->tx_id;
	}
	r.vltime = remaining(x->n, b->valid_until);
	r.pltime = remaining(x->n, b->pref_until);
	x->fn(&r, x->user);
	x->count++;
}

static int
server_bindings(const struct aero_node *n,
                void (*fn)(const struct aero_binding_rec *b, void *user),
                void *user)
{
	struct export_ctx x = {.n = n, .fn = fn, .user = user};
	pool_foreach(srv((struct aero_node *)n)->pool, export_one, &x);
	return x.count;
}

static int
server_binding_import(struct aero_node *n, const struct aero_binding_rec *r)
{
	struct server *s = srv(n);
	if (r->vltime == 0)
		return AERO_ERR_STATE; /* expired while the host was down */
	struct binding *b = pool_find(s->pool, r->duid, r->duid_len, r->iaid);
	bool fresh = false;
	if (b && (b->plen != r->prefix.plen ||
	          !in6_eq(&b->prefix, &r->prefix.prefix)))
		return AERO_ERR_STATE;
	if (!b) {
		enum pool_err err;
		b = pool_claim(s->pool, r->duid, r->duid_len, r->iaid,
		               &r->prefix.prefix, r->prefix.plen,
		               !n->cfg.dhcp_relay, bnd_timer, &err);
		if (!b)
			return err == POOL_FULL ? AERO_ERR_FULL : AERO_ERR_STATE;
		fresh = true;
	}
	if (bnd_activate(n, b, &r->loc, r->vltime,
	                 r->pltime > r->vltime ? r->vltime : r->pltime, fresh) < 0) {
		if (fresh)
			pool_release(s->pool, b);
		return AERO_ERR_FULL;
	}
	struct nce *e = bnd_nce(n, b);
	if (e && r->icv_key_len == AERO_SEAL_KEY_LEN) {
		p2_set_icv_key(n, e, r->icv_key); /* P2: the registered key */
		e->tx_id = r->tx_id + 0x7fffffffu;
	}
	COUNT(n, srv_imported);
	return 0;
}

const struct role_ops server_ops = {
	.name = "server",
	.start = server_start,
	.destroy = server_destroy,
	.rx_nd = server_rx_nd,
	.rx_dhcp6 = server_rx_dhcp6,
	.rx_scmp = server_rx_scmp,
	.rx_data = server_rx_data,
	.tx_data = server_tx_data,
	.route_update = server_route_update,
	.shutdown = server_shutdown,
	.bindings = server_bindings,
	.binding_import = server_binding_import,
	.dump = server_dump,
	.nud_failed = server_nud_failed,
};
