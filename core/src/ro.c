/*
 * core/src/ro.c -- route optimisation (see ro.h): RFC 6706 6.4 with the
 * digest's resolutions (1.3, 3.6, 6.7, 7.4, 8 items 2-5, 15, 16) in P1 and
 * the SCMP SPD/SRD form of VET-40 6.6.3 (digest 3.11) in P2.
 *
 *   B (ingress Client) --data--> A (Server) --data--> D (egress Client)
 *   A --Predirect/SPD (Tgt=Dst=L3(B), TLLAO=L2(B), RIO=P(B), RHO)--> D
 *   D: ACCEPT (P(B), P(D)); NCE B --Redirect/SRD (L3(D), L2(D), P(D))--> A
 *   A: RIO authorised for D? --Redirect/SRD--> B: FORWARD (P(B), P(D))
 *   B ==data==> D directly; keepalive Predirect/Redirect every >= 5 s
 *
 * One message layer (struct ro_msg) serves both profiles: P1 sends it as
 * inner IPv6/UDP 8060 with link-local addresses, P2 as SCMP type 137 to a
 * neighbour. The processing is the same except for addressing: P1 routes
 * by the inner destination (an AERO address), P2 by the RHO (VET-40
 * 6.6.3: SPD by the original destination, SRD by the original source).
 */
#include <stddef.h>

#include "ro.h"
#include "p2.h"

enum ro_kind { RO_ACCEPT, RO_FORWARD };
static const char *const ro_kind_name[] = {"accept", "forward"};

struct ro_entry {
	enum ro_kind kind;
	/* FORWARD: src = own prefix, dst = the peer's (RIO);
	 * ACCEPT:  src = the peer's (RIO), dst = own prefix */
	struct aero_in6 src, dst;
	uint8_t src_len, dst_len;
	struct aero_in6 peer;     /* the other Client's AERO address */
	aero_tstamp expires;
	struct tmr t_expire;
	/* FORWARD: keepalives (RFC 6706 6.4.10) */
	struct tmr t_ka;
	aero_tstamp used, ka_sent;
	unsigned unanswered;
	uint8_t rho[RO_RHO_KEEP];
	size_t rho_len;
	/* ACCEPT, P2: the redirect secret behind the peer's ICV key */
	bool has_secret;
	uint8_t secret[P2_SECRET_LEN];
};

/* Server: last Predirect per (P(B), P(D)) pair (rate limit). */
struct ro_rl {
	struct aero_in6 a, b;
	uint8_t alen, blen;
	aero_tstamp last;
};

struct ro_state {
	GPtrArray *entries;   /* struct ro_entry * */
	GHashTable *rl;       /* struct ro_rl * (key and value) */
	void *p2;             /* p2.c state */
};

/* The decoded message, both profiles. */
struct ro_msg {
	bool p;
	struct aero_in6 target, dest;
	bool has_tllao;
	struct aero_loc tllao;
	bool has_rio;
	struct aero_in6 rio;
	uint8_t rio_len;
	uint32_t rio_life;
	const uint8_t *rho;
	size_t rho_len;
	bool v;                    /* P2 */
	struct aero_scmp_auth auth;
};

#define RO_OF(t, member) \
	((struct ro_entry *)(void *)((char *)(t) - offsetof(struct ro_entry, member)))

static struct ro_state *
st(struct aero_node *n)
{
	return n->ro;
}

void **
ro_p2_slot(struct aero_node *n)
{
	return &st(n)->p2;
}

/* ---- small helpers ----------------------------------------------------------- */

void
ro_loc_to_lla(const struct aero_loc *l, struct aero_nd_lla *o)
{
	memset(o, 0, sizeof *o);
	o->form = AERO_ND_LLA_P1;
	o->port = l->port;
	if (l->family == 4) {
		o->addr.b[10] = o->addr.b[11] = 0xff;
		memcpy(o->addr.b + 12, l->ip, 4);
	} else {
		memcpy(o->addr.b, l->ip, 16);
	}
}

bool
ro_lla_to_loc(const struct aero_nd_lla *a, struct aero_loc *l)
{
	static const uint8_t v4mapped[12] = {[10] = 0xff, [11] = 0xff};
	memset(l, 0, sizeof *l);
	switch (a->form) {
	case AERO_ND_LLA_VET_IPV4:
		l->family = 4;
		memcpy(l->ip, a->ip4.b, 4);
		l->port = AERO_RFC6706_UDP_PORT;
		break;
	case AERO_ND_LLA_P1:
	case AERO_ND_LLA_VET_IPV6:
		if (memcmp(a->addr.b, v4mapped, 12) == 0) {
			l->family = 4;
			memcpy(l->ip, a->addr.b + 12, 4);
		} else {
			l->family = 6;
			memcpy(l->ip, a->addr.b, 16);
		}
		l->port = a->port ? a->port : AERO_RFC6706_UDP_PORT;
		break;
	default:
		return false;
	}
	static const uint8_t zero[16];
	return memcmp(l->ip, zero, l->family == 4 ? 4 : 16) != 0;
}

bool
ro_own_prefix(struct aero_node *n, struct aero_in6 *p, uint8_t *plen)
{
	struct aero_prefix ap;
	if (n->cfg.role != AERO_ROLE_CLIENT)
		return false;
	if (n->ops->client_prefix && n->ops->client_prefix(n, &ap) == 1) {
		aero_addr_prefix_mask(p, &ap.prefix, ap.plen);
		*plen = ap.plen;
		return true;
	}
	if (aero_addr_classify(&n->ll) == AERO_ADDR_KIND_AERO) {
		aero_addr_aero_to_prefix(p, &n->ll);
		*plen = 64;
		return true;
	}
	return false;
}

static bool
fib_via(const struct fib_entry *e, const struct aero_in6 *ll)
{
	for (unsigned i = 0; e && i < e->n_nh; i++)
		if (e->nh[i].kind == NH_NEIGHBOR && in6_eq(&e->nh[i].ll, ll))
			return true;
	return false;
}

/* The prefix p/plen is (inside) one delegated to the Client with AERO
 * address ll: the longest FIB match is a route via ll no longer than p. */
static bool
prefix_authorised(struct aero_node *n, const struct aero_in6 *p, uint8_t plen,
                  const struct aero_in6 *ll)
{
	const struct fib_entry *e = fib_lookup(n, p);
	return e && e->plen <= plen && fib_via(e, ll);
}

/* The target's AERO address embeds the first 64 bits of its prefix: it
 * must lie inside the RIO prefix [P] (binds Target to the RIO). */
static bool
target_in_prefix(const struct aero_in6 *target, const struct aero_in6 *p,
                 uint8_t plen)
{
	struct aero_in6 emb;
	if (aero_addr_classify(target) != AERO_ADDR_KIND_AERO)
		return false;
	aero_addr_aero_to_prefix(&emb, target);
	return aero_addr_prefix_match(&emb, p, plen < 64 ? plen : 64);
}

static bool
rho_addrs(const struct ro_msg *m, struct aero_in6 *src, struct aero_in6 *dst)
{
	if (!m->rho || m->rho_len < AERO_IPV6_HDR_LEN || (m->rho[0] >> 4) != 6)
		return false;
	memcpy(src->b, m->rho + 8, 16);
	memcpy(dst->b, m->rho + 24, 16);
	return true;
}

static bool
is_router(const struct nce *e)
{
	return e && (e->kind == NCE_SERVER || e->kind == NCE_RELAY);
}

static bool
is_null(const struct aero_in6 *a)
{
	return in6_eq(a, &in6_any);
}

/* ---- sending ------------------------------------------------------------------ */

/* Send m to neighbour nb: P1 as inner IPv6 l3src -> l3dst / UDP 8060 with
 * hop limit hop (whole packet <= 1280, RHO truncated, digest 8.15); P2 as
 * SCMP SPD/SRD. Returns 0 or -1. */
static int
ro_send(struct aero_node *n, struct nce *nb, const struct aero_in6 *l3src,
        const struct aero_in6 *l3dst, uint8_t hop, const struct ro_msg *m)
{
	struct aero_nd_opts *o = g_new0(struct aero_nd_opts, 1);
	int rc = -1;
	size_t fixed = m->v ? AERO_SCMP_RD_FIXED_LEN + AERO_SCMP_AUTH_LEN
	                    : AERO_RFC6706_FIXED_LEN;
	size_t over = n->cfg.profile == AERO_PROFILE_P1
	              ? AERO_IPV6_HDR_LEN + AERO_UDP_HDR_LEN
	              : AERO_SEAL_ICV_HDR_LEN;
	if (m->has_tllao) {
		o->has_tllao = true;
		ro_loc_to_lla(&m->tllao, &o->tllao);
		fixed += AERO_ND_LLA_P1_LEN;
	}
	if (m->has_rio) {
		o->n_rio = 1;
		o->rio[0].prefix_len = m->rio_len;
		o->rio[0].lifetime = m->rio_life;
		aero_addr_prefix_mask(&o->rio[0].prefix, &m->rio, m->rio_len);
		fixed += m->rio_len == 0 ? 8 : m->rio_len <= 64 ? 16 : 24; /* RFC 4191 2.3 */
	}
	size_t cap = (RO_MAX_PKT - over - fixed - AERO_ND_RHO_HDR_LEN) & ~(size_t)7;
	o->has_rho = true;
	o->rho = m->rho;
	o->rho_len = m->rho_len < cap ? m->rho_len : cap;
	uint8_t buf[RO_MAX_PKT];
	int k;
	if (n->cfg.profile == AERO_PROFILE_P1) {
		struct aero_rfc6706_msg w = {.p = m->p, .target = m->target,
		                             .dest = m->dest};
		w.opts = *o;
		k = aero_wire_rfc6706_encode(buf, sizeof buf, &w);
		if (k >= 0)
			rc = node_send_udp(n, nb, NULL, l3src, l3dst, hop,
			                   AERO_RFC6706_UDP_PORT,
			                   AERO_RFC6706_UDP_PORT, buf, (size_t)k);
	} else {
		struct aero_scmp_msg *s = g_new0(struct aero_scmp_msg, 1);
		s->type = AERO_SCMP_TYPE_SPD_SRD;
		s->rd.p = m->p;
		s->rd.v = m->v;
		s->rd.target = m->target;
		s->rd.dest = m->dest;
		s->rd.auth = m->auth;
		s->rd.opts = *o;
		k = aero_wire_scmp_encode(buf, sizeof buf, s);
		g_free(s);
		if (k >= 0)
			rc = tunnel_send_scmp(n, nb, NULL, buf, (size_t)k);
	}
	if (k < 0)
		NLOG(n, LOG_ERR_, "%s: encode failed: %s", __func__,
		     aero_wire_strerror(k));
	g_free(o);
	return rc;
}

/* ---- entries ------------------------------------------------------------------ */

static void entry_expired(struct aero_node *n, struct tmr *t);
static void entry_keepalive(struct aero_node *n, struct tmr *t);

static struct ro_entry *
entry_find(struct aero_node *n, enum ro_kind kind, const struct aero_in6 *src,
           uint8_t slen, const struct aero_in6 *dst, uint8_t dlen)
{
	GPtrArray *v = st(n)->entries;
	for (guint i = 0; i < v->len; i++) {
		struct ro_entry *e = g_ptr_array_index(v, i);
		if (e->kind == kind && e->src_len == slen && e->dst_len == dlen &&
		    aero_addr_prefix_match(&e->src, src, slen) &&
		    aero_addr_prefix_match(&e->dst, dst, dlen))
			return e;
	}
	return NULL;
}

/* The entry of kind whose prefixes cover the addresses s and d (longest
 * destination prefix first), optionally only with peer. */
static struct ro_entry *
entry_match(struct aero_node *n, enum ro_kind kind, const struct aero_in6 *s,
            const struct aero_in6 *d, const struct aero_in6 *peer)
{
	GPtrArray *v = st(n)->entries;
	struct ro_entry *best = NULL;
	for (guint i = 0; i < v->len; i++) {
		struct ro_entry *e = g_ptr_array_index(v, i);
		if (e->kind != kind || (peer && !in6_eq(&e->peer, peer)))
			continue;
		if (!aero_addr_prefix_match(&e->src, s, e->src_len) ||
		    !aero_addr_prefix_match(&e->dst, d, e->dst_len))
			continue;
		if (!best || e->dst_len > best->dst_len)
			best = e;
	}
	return best;
}

static bool
peer_in_use(struct aero_node *n, const struct aero_in6 *peer)
{
	GPtrArray *v = st(n)->entries;
	for (guint i = 0; i < v->len; i++)
		if (in6_eq(&((struct ro_entry *)g_ptr_array_index(v, i))->peer, peer))
			return true;
	return false;
}

static void
ro_event(struct aero_node *n, const struct ro_entry *e, enum aero_event_type t)
{
	struct aero_event ev = {.type = t, .prefix = e->dst, .plen = e->dst_len,
	                        .src_prefix = e->src, .src_plen = e->src_len,
	                        .addr = e->peer};
	struct nce *nb = nce_lookup(n, &e->peer);
	if (nb)
		ev.loc = nb->loc;
	out_event(n, &ev);
}

/* Remove e; FORWARD entries emit RO_DOWN. The peer's NCE goes when no
 * other entry uses it and RO created it (NCE_PEER). */
static void
entry_delete(struct aero_node *n, struct ro_entry *e)
{
	char a[64], b[64];
	NLOG(n, LOG_INFO_, "ro: delete %s %s/%u -> %s/%u", ro_kind_name[e->kind],
	     aero_in6_format(&e->src, a, sizeof a), e->src_len,
	     aero_in6_format(&e->dst, b, sizeof b), e->dst_len);
	if (e->kind == RO_FORWARD) {
		ro_event(n, e, AERO_EV_RO_DOWN);
		COUNT(n, ro_forward_deleted);
	} else {
		COUNT(n, ro_accept_deleted);
	}
	tmr_cancel(n, &e->t_expire);
	tmr_cancel(n, &e->t_ka);
	g_ptr_array_remove_fast(st(n)->entries, e);
	struct aero_in6 peer = e->peer;
	g_free(e);
	struct nce *nb = nce_lookup(n, &peer);
	if (nb && nb->kind == NCE_PEER && !peer_in_use(n, &peer)) {
		p2_forget(n, &peer);
		nce_delete(n, nb);
	}
}

static struct ro_entry *
entry_get(struct aero_node *n, enum ro_kind kind, const struct aero_in6 *src,
          uint8_t slen, const struct aero_in6 *dst, uint8_t dlen, bool *created)
{
	struct ro_entry *e = entry_find(n, kind, src, slen, dst, dlen);
	*created = false;
	if (e)
		return e;
	if (st(n)->entries->len >= n->cfg.max_ro) {
		DROP(n, drop_ro_full, "RO table full");
		return NULL;
	}
	e = g_new0(struct ro_entry, 1);
	e->kind = kind;
	aero_addr_prefix_mask(&e->src, src, slen);
	aero_addr_prefix_mask(&e->dst, dst, dlen);
	e->src_len = slen;
	e->dst_len = dlen;
	tmr_init(&e->t_expire, entry_expired);
	tmr_init(&e->t_ka, entry_keepalive);
	g_ptr_array_add(st(n)->entries, e);
	*created = true;
	return e;
}

static void
entry_expired(struct aero_node *n, struct tmr *t)
{
	entry_delete(n, RO_OF(t, t_expire));
}

/* A 40-byte IPv6 header src -> dst (no payload) as an RHO when there is no
 * packet to quote (NULL Redirects, keepalives before any traffic). */
static size_t
synth_rho(uint8_t *buf, const struct aero_in6 *src, const struct aero_in6 *dst)
{
	struct aero_ipv6 h = {.next_header = 59, .hop_limit = 64, .src = *src,
	                      .dst = *dst};
	int k = aero_wire_ipv6_encode(buf, AERO_IPV6_HDR_LEN, &h);
	return k < 0 ? 0 : (size_t)k;
}

/* Ingress: keepalive Predirect B -> D directly (RFC 6706 6.4.10). */
static void
send_keepalive(struct aero_node *n, struct ro_entry *e)
{
	struct nce *nb = nce_lookup(n, &e->peer);
	if (!nb)
		return;
	struct ro_msg m = {.p = true, .target = n->ll, .dest = n->ll};
	if (e->rho_len == 0)
		e->rho_len = synth_rho(e->rho, &e->src, &e->dst);
	m.rho = e->rho;
	m.rho_len = e->rho_len;
	e->unanswered++;
	e->ka_sent = n->now;
	COUNT(n, ro_keepalive_sent);
	ro_send(n, nb, &n->ll, &e->peer, RO_HOP_LIMIT, &m);
	tmr_set_in(n, &e->t_ka, n->cfg.keepalive_time);
}

static void
entry_keepalive(struct aero_node *n, struct tmr *t)
{
	struct ro_entry *e = RO_OF(t, t_ka);
	if (e->unanswered >= n->cfg.max_retry) {
		/* MAX_RETRY keepalives unanswered: back via the Server */
		COUNT(n, ro_keepalive_failed);
		entry_delete(n, e);
		return;
	}
	if (e->used > e->ka_sent)
		send_keepalive(n, e);
	/* else idle: the next packet sends one (ro_client_route) */
}

/* ---- Server: start route optimisation ------------------------------------------- */

static guint
rl_hash(gconstpointer p)
{
	const struct ro_rl *r = p;
	return (guint)in6_mix(&r->a, in6_mix(&r->b, (uint64_t)r->alen << 8 | r->blen));
}

static gboolean
rl_equal(gconstpointer x, gconstpointer y)
{
	const struct ro_rl *a = x, *b = y;
	return a->alen == b->alen && a->blen == b->blen && in6_eq(&a->a, &b->a) &&
	       in6_eq(&a->b, &b->b);
}

static gboolean
rl_old(gpointer k, gpointer v, gpointer user)
{
	(void)v;
	struct aero_node *n = user;
	const struct ro_rl *r = k;
	return r->last + RO_RATE_INTERVAL <= n->now;
}

/* true when a Predirect for the pair may go now (and records it). */
static bool
rate_ok(struct aero_node *n, const struct aero_in6 *a, uint8_t alen,
        const struct aero_in6 *b, uint8_t blen)
{
	struct ro_rl key = {.a = *a, .b = *b, .alen = alen, .blen = blen};
	struct ro_rl *r = g_hash_table_lookup(st(n)->rl, &key);
	if (r) {
		if (r->last + RO_RATE_INTERVAL > n->now) {
			COUNT(n, ro_rate_limited);
			return false;
		}
		r->last = n->now;
		return true;
	}
	if (g_hash_table_size(st(n)->rl) >= n->cfg.max_ro) {
		g_hash_table_foreach_remove(st(n)->rl, rl_old, n);
		if (g_hash_table_size(st(n)->rl) >= n->cfg.max_ro) {
			DROP(n, drop_ro_full, "rate-limit table full");
			return false;
		}
	}
	r = g_memdup2(&key, sizeof key);
	r->last = n->now;
	g_hash_table_add(st(n)->rl, r);
	return true;
}

void
ro_server_forwarded(struct aero_node *n, struct rxctx *rx, struct nce *in_nb,
                    struct nce *out_nb)
{
	if (n->cfg.role != AERO_ROLE_SERVER || !rx || !in_nb || !out_nb)
		return;
	if (in_nb->kind != NCE_CLIENT || in_nb->loc.family == 0) {
		COUNT(n, ro_no_start);
		return;
	}
	/* B's prefix: the FIB route via B covering the source (digest 6.2) */
	const struct fib_entry *se = fib_lookup(n, &rx->ip6.src);
	if (!se || !fib_via(se, &in_nb->ll)) {
		COUNT(n, ro_no_start);
		return;
	}
	struct aero_in6 dpfx, target;
	uint8_t dlen;
	if (out_nb->kind == NCE_CLIENT) {
		const struct fib_entry *de = fib_lookup(n, &rx->ip6.dst);
		if (!de || !fib_via(de, &out_nb->ll)) {
			COUNT(n, ro_no_start);
			return;
		}
		dpfx = de->prefix;
		dlen = de->plen;
		target = out_nb->ll;
	} else if (is_router(out_nb) && (rx->ip6.dst.b[0] & 0xe0) == 0x20) {
		/* [P] multi-Server (ro.h): towards the AERO address the
		 * destination's /64 would have; the Servers/Relays on the way
		 * route it by that /64 (digest 6.7, RFC 6706 App. A). */
		aero_addr_prefix_mask(&dpfx, &rx->ip6.dst, 64);
		dlen = 64;
		if (aero_addr_aero_from_prefix(&target, &dpfx, 64) < 0) {
			COUNT(n, ro_no_start);
			return;
		}
	} else {
		COUNT(n, ro_no_start);
		return;
	}
	if (!rate_ok(n, &se->prefix, se->plen, &dpfx, dlen))
		return;
	struct ro_msg m = {.p = true, .target = in_nb->ll, .dest = in_nb->ll,
	                   .has_tllao = true, .tllao = in_nb->loc,
	                   .has_rio = true, .rio = se->prefix, .rio_len = se->plen,
	                   .rio_life = (uint32_t)(n->cfg.accept_time / AERO_SEC),
	                   .rho = rx->pkt, .rho_len = rx->len};
	char a[64];
	NLOG(n, LOG_DEBUG_, "ro: Predirect for %s to %s",
	     aero_in6_format(&in_nb->ll, a, sizeof a),
	     aero_in6_format(&target, (char[64]){0}, 64));
	COUNT(n, ro_predirect_sent);
	ro_send(n, out_nb, &n->ll, &target, RO_HOP_LIMIT, &m);
}

/* ---- Servers and Relays: relay ---------------------------------------------------- */

/* The neighbour a message for AERO address dst goes to next: the Client
 * itself, else by longest match on its embedded /64 (digest 6.7). *deliver
 * is set when that neighbour is the destination Client (inner destination
 * rewritten to its AERO address). */
static struct nce *
relay_next_p1(struct aero_node *n, const struct aero_in6 *dst, bool *deliver,
              struct aero_in6 *new_dst)
{
	struct nce *nb = nce_lookup(n, dst);
	*new_dst = *dst;
	*deliver = false;
	if (nb && nb->kind != NCE_PEER) {
		*deliver = nb->kind == NCE_CLIENT;
		return nb;
	}
	if (aero_addr_classify(dst) != AERO_ADDR_KIND_AERO)
		return NULL;
	struct aero_in6 p;
	aero_addr_aero_to_prefix(&p, dst);
	const struct fib_entry *e = fib_lookup(n, &p);
	if (!e)
		return NULL;
	const struct fib_nh *nh = fib_pick(e, 0);
	if (nh->kind != NH_NEIGHBOR)
		return NULL;
	nb = nce_lookup(n, &nh->ll);
	if (nb && nb->kind == NCE_CLIENT) {
		*deliver = true;
		*new_dst = nb->ll;
	}
	return nb;
}

static struct nce *
relay_next_p2(struct aero_node *n, const struct aero_in6 *addr)
{
	const struct fib_entry *e = fib_lookup(n, addr);
	if (!e)
		return NULL;
	const struct fib_nh *nh = fib_pick(e, 0);
	if (nh->kind != NH_NEIGHBOR)
		return NULL;
	return nce_lookup(n, &nh->ll);
}

static void
relay(struct aero_node *n, struct rxctx *rx, struct ro_msg *m, struct nce *l2nb)
{
	bool p1 = n->cfg.profile == AERO_PROFILE_P1;
	struct aero_in6 rs, rd;
	if (!l2nb) {
		DROP(n, drop_ro_untrusted, "relay: sender is not a neighbour");
		return;
	}
	if (!rho_addrs(m, &rs, &rd)) {
		DROP(n, drop_ro_invalid, "RHO without an IPv6 header");
		return;
	}
	if (p1 && rx->ip6.hop_limit <= 1) {
		DROP(n, drop_hop_limit, "RO message hop limit exhausted");
		return;
	}
	if (l2nb->kind == NCE_CLIENT) {
		/* From one of this Server's Clients: only the egress Client's
		 * Redirect/SRD comes this way (RFC 6706 6.4.7-6.4.8). */
		if (m->p || n->cfg.role != AERO_ROLE_SERVER) {
			DROP(n, drop_ro_invalid, "Predirect from a Client");
			return;
		}
		if (p1 && !in6_eq(&rx->ip6.src, &l2nb->ll)) {
			DROP(n, drop_ro_untrusted, "Redirect L3 source is not its sender");
			return;
		}
		if (!m->has_rio || !in6_eq(&m->target, &l2nb->ll) ||
		    !prefix_authorised(n, &m->rio, m->rio_len, &l2nb->ll)) {
			DROP(n, drop_ro_unauthorised,
			     "Redirect RIO not delegated to its sender");
			return;
		}
		/* [P] the TLLAO carries the locator as this Server observes it
		 * (the Client cannot know its NAT mapping; digest 3.6) */
		m->has_tllao = true;
		m->tllao = l2nb->loc;
	} else if (!is_router(l2nb)) {
		DROP(n, drop_ro_untrusted, "relay: sender not a Client, Server or Relay");
		return;
	}
	struct nce *nb;
	struct aero_in6 dst = rx->ip6.dst;
	bool deliver = false;
	if (p1)
		nb = relay_next_p1(n, &rx->ip6.dst, &deliver, &dst);
	else
		nb = relay_next_p2(n, m->p ? &rd : &rs);
	if (!nb || nb->loc.family == 0) {
		DROP(n, drop_ro_no_route, "no route to relay the RO message");
		return;
	}
	if (nb == l2nb) {
		DROP(n, drop_loop, "RO message would go back to its sender");
		return;
	}
	if (!p1 && m->v) {
		/* VET-40 6.6.3: decrypt with the previous hop's key, re-encrypt
		 * with the next hop's */
		uint8_t kin[P2_ENC_KEY_LEN], kout[P2_ENC_KEY_LEN], s[P2_SECRET_LEN];
		if (!p2_enc_key(n, l2nb, kin) || !p2_enc_key(n, nb, kout)) {
			DROP(n, drop_p2_no_enc_key, "no encryption key for a hop");
			return;
		}
		if (p2_esk_decrypt(s, kin, m->auth.esk) < 0) {
			DROP(n, drop_p2_bad_esk, "ESK does not decrypt");
			return;
		}
		p2_esk_encrypt(m->auth.esk, kout, s);
		memset(s, 0, sizeof s);
		COUNT(n, p2_esk_reencrypted);
	}
	/* Servers rewrite the inner source (RFC 6706 6.4.8), Relays keep it */
	const struct aero_in6 *src = n->cfg.role == AERO_ROLE_SERVER ? &n->ll
	                                                              : &rx->ip6.src;
	(void)deliver;
	COUNT(n, ro_relayed);
	ro_send(n, nb, src, &dst, p1 ? (uint8_t)(rx->ip6.hop_limit - 1) : 0, m);
}

/* ---- Clients: egress (Predirect / SPD) ---------------------------------------------- */

static void
send_redirect(struct aero_node *n, struct nce *to, const struct aero_in6 *l3dst,
              const struct ro_msg *pm, bool full, struct ro_entry *acc,
              struct nce *peer)
{
	struct ro_msg m = {.p = false, .target = n->ll, .dest = n->ll,
	                   .rho = pm->rho, .rho_len = pm->rho_len};
	if (full) {
		m.has_tllao = true;
		m.tllao = n->cfg.self;
		m.has_rio = ro_own_prefix(n, &m.rio, &m.rio_len);
		m.rio_life = (uint32_t)(n->cfg.forward_time / AERO_SEC);
	}
	if (n->cfg.profile == AERO_PROFILE_P2 && full && acc) {
		uint8_t kenc[P2_ENC_KEY_LEN];
		if (p2_enc_key(n, to, kenc)) {
			if (!acc->has_secret) {
				n->cb->rand(acc->secret, sizeof acc->secret, n->user);
				acc->has_secret = true;
			}
			uint8_t icv[AERO_SEAL_KEY_LEN];
			p2_icv_from_secret(icv, acc->secret);
			p2_set_icv_key(n, peer, icv);
			m.v = true;
			p2_esk_encrypt(m.auth.esk, kenc, acc->secret);
		}
	}
	COUNT(n, ro_redirect_sent);
	ro_send(n, to, &n->ll, l3dst, RO_HOP_LIMIT, &m);
}


/* ---- Clients: egress (Predirect / SPD) ---------------------------------------------- */

/* The message came directly from the RO peer target (keepalives): its L2
 * source is the peer's NCE and, in P1, its L3 source the peer itself. */
static bool
from_peer(struct aero_node *n, const struct nce *l2nb,
          const struct aero_in6 *l3src, const struct aero_in6 *target)
{
	return l2nb && l2nb->kind == NCE_PEER && in6_eq(&l2nb->ll, target) &&
	       (n->cfg.profile == AERO_PROFILE_P2 || in6_eq(l3src, target));
}

/* The RO peer's NCE at the TLLAO locator of m: created, or moved when the
 * peer entry's locator changed. NULL when the cache is full (counted); a
 * just-created RO entry e is then deleted. */
static struct nce *
peer_nce(struct aero_node *n, const struct ro_msg *m, struct ro_entry *e,
         bool created)
{
	struct nce *peer = nce_lookup(n, &m->target);
	if (!peer)
		peer = nce_create(n, &m->target, &m->tllao, NCE_PEER);
	else if (peer->kind == NCE_PEER && !aero_loc_equal(&peer->loc, &m->tllao))
		nce_set_loc(n, peer, &m->tllao);
	if (!peer && created)
		entry_delete(n, e);
	return peer;
}

static void
egress_rx(struct aero_node *n, const struct ro_msg *m, struct nce *l2nb,
          const struct aero_in6 *l3src)
{
	struct aero_in6 rs, rd, own;
	uint8_t olen;
	/* RFC 4861 8.1 as adapted by RFC 6706 6.4.7 (digest 6.7, 8.4):
	 * Target = Destination = a link-local (AERO) address, RHO present */
	if (!rho_addrs(m, &rs, &rd) || !in6_eq(&m->target, &m->dest) ||
	    aero_addr_classify(&m->target) != AERO_ADDR_KIND_AERO ||
	    in6_eq(&m->target, &n->ll)) {
		DROP(n, drop_ro_invalid, "Predirect: bad Target/Destination or RHO");
		return;
	}
	if (!ro_own_prefix(n, &own, &olen) ||
	    !aero_addr_prefix_match(&own, &rd, olen)) {
		DROP(n, drop_ro_not_target, "Predirect: RHO destination not ours");
		return;
	}
	if (is_router(l2nb)) {
		if (!m->has_tllao || !m->has_rio) {
			DROP(n, drop_ro_invalid, "Predirect without TLLAO or RIO");
			return;
		}
		if (!aero_addr_prefix_match(&m->rio, &rs, m->rio_len) ||
		    !target_in_prefix(&m->target, &m->rio, m->rio_len)) {
			DROP(n, drop_ro_invalid, "Predirect RIO does not cover source/Target");
			return;
		}
		bool created;
		struct ro_entry *e = entry_get(n, RO_ACCEPT, &m->rio, m->rio_len,
		                               &own, olen, &created);
		if (!e)
			return;
		if (!created && !in6_eq(&e->peer, &m->target))
			e->has_secret = false; /* the prefix moved: new key */
		e->peer = m->target;
		struct nce *peer = peer_nce(n, m, e, created);
		if (!peer)
			return;
		e->expires = n->now + n->cfg.accept_time;
		tmr_set(n, &e->t_expire, e->expires);
		if (created) {
			char a[64], b[64];
			COUNT(n, ro_accept_created);
			NLOG(n, LOG_INFO_, "ro: accept %s/%u -> %s/%u from %s",
			     aero_in6_format(&e->src, a, sizeof a), e->src_len,
			     aero_in6_format(&e->dst, b, sizeof b), e->dst_len,
			     aero_in6_format(&e->peer, (char[64]){0}, 64));
		}
		COUNT(n, ro_predirect_rx);
		/* RFC 6706 6.4.7: Redirect L3(D) -> L3(B) via the router */
		send_redirect(n, l2nb, &m->target, m, true, e, peer);
		return;
	}
	if (from_peer(n, l2nb, l3src, &m->target)) {
		/* keepalive (RFC 6706 6.4.10): refresh, answer directly */
		struct ro_entry *e = entry_match(n, RO_ACCEPT, &rs, &rd, &m->target);
		if (!e) {
			DROP(n, drop_ro_no_entry, "keepalive Predirect without ACCEPT entry");
			return;
		}
		e->expires = n->now + n->cfg.accept_time;
		tmr_set(n, &e->t_expire, e->expires);
		COUNT(n, ro_predirect_rx);
		send_redirect(n, l2nb, &m->target, m, false, NULL, NULL);
		return;
	}
	DROP(n, drop_ro_untrusted, "Predirect not from a router or the RO peer");
}

/* ---- Clients: ingress (Redirect / SRD) ----------------------------------------------- */

static void
ingress_rx(struct aero_node *n, const struct ro_msg *m, struct nce *l2nb,
           const struct aero_in6 *l3src)
{
	struct aero_in6 rs, rd, own;
	uint8_t olen;
	bool p2 = n->cfg.profile == AERO_PROFILE_P2;
	if (!rho_addrs(m, &rs, &rd)) {
		DROP(n, drop_ro_invalid, "Redirect: RHO without an IPv6 header");
		return;
	}
	if (!ro_own_prefix(n, &own, &olen) ||
	    !aero_addr_prefix_match(&own, &rs, olen)) {
		DROP(n, drop_ro_not_target, "Redirect: RHO source not ours");
		return;
	}
	if (is_null(&m->target) && is_null(&m->dest)) {
		/* NULL Redirect from the egress peer (RFC 6706 6.4.12-6.4.14) */
		const struct aero_in6 *peer = p2 ? (l2nb ? &l2nb->ll : NULL) : l3src;
		GPtrArray *v = st(n)->entries;
		unsigned hit = 0;
		struct ro_entry *e;
		while (peer && (e = entry_match(n, RO_FORWARD, &rs, &rd, peer))) {
			entry_delete(n, e);
			hit++;
		}
		for (guint i = v->len; peer && hit == 0 && i-- > 0;) {
			e = g_ptr_array_index(v, i);
			if (e->kind == RO_FORWARD && in6_eq(&e->peer, peer)) {
				entry_delete(n, e);
				hit++;
				i = v->len; /* restart: deletion reorders */
			}
		}
		if (!hit) {
			DROP(n, drop_ro_no_entry, "NULL Redirect without FORWARD entry");
			return;
		}
		COUNT(n, ro_redirect_rx);
		return;
	}
	if (!in6_eq(&m->target, &m->dest) ||
	    aero_addr_classify(&m->target) != AERO_ADDR_KIND_AERO ||
	    in6_eq(&m->target, &n->ll)) {
		DROP(n, drop_ro_invalid, "Redirect: bad Target/Destination");
		return;
	}
	if (is_router(l2nb)) {
		/* RFC 6706 6.4.8-6.4.9: from our Server, authorised by it */
		if (!m->has_tllao || !m->has_rio) {
			DROP(n, drop_ro_invalid, "Redirect without TLLAO or RIO");
			return;
		}
		if (!aero_addr_prefix_match(&m->rio, &rd, m->rio_len) ||
		    !target_in_prefix(&m->target, &m->rio, m->rio_len)) {
			DROP(n, drop_ro_invalid, "Redirect RIO does not cover destination/Target");
			return;
		}
		uint8_t icv[AERO_SEAL_KEY_LEN];
		bool have_key = false;
		if (p2 && m->v) {
			uint8_t kenc[P2_ENC_KEY_LEN], s[P2_SECRET_LEN];
			if (!p2_enc_key(n, l2nb, kenc)) {
				DROP(n, drop_p2_no_enc_key, "SRD key but no key with the sender");
				return;
			}
			if (p2_esk_decrypt(s, kenc, m->auth.esk) < 0) {
				DROP(n, drop_p2_bad_esk, "SRD ESK does not decrypt");
				return;
			}
			p2_icv_from_secret(icv, s);
			memset(s, 0, sizeof s);
			have_key = true;
		}
		bool created;
		struct ro_entry *e = entry_get(n, RO_FORWARD, &own, olen, &m->rio,
		                               m->rio_len, &created);
		if (!e)
			return;
		struct nce *peer = peer_nce(n, m, e, created);
		if (!peer)
			return;
		if (have_key) {
			p2_set_icv_key(n, peer, icv);
			COUNT(n, p2_key_installed);
		}
		bool changed = !created && !in6_eq(&e->peer, &m->target);
		if (changed)
			ro_event(n, e, AERO_EV_RO_DOWN);
		e->peer = m->target;
		e->expires = n->now + n->cfg.forward_time;
		tmr_set(n, &e->t_expire, e->expires);
		e->unanswered = 0;
		if (created) {
			e->ka_sent = n->now;
			tmr_set_in(n, &e->t_ka, n->cfg.keepalive_time);
			COUNT(n, ro_forward_created);
		}
		if (created || changed) {
			char a[64], b[64];
			NLOG(n, LOG_INFO_, "ro: forward %s/%u -> %s/%u via %s",
			     aero_in6_format(&e->src, a, sizeof a), e->src_len,
			     aero_in6_format(&e->dst, b, sizeof b), e->dst_len,
			     aero_in6_format(&e->peer, (char[64]){0}, 64));
			ro_event(n, e, AERO_EV_RO_UP);
		}
		COUNT(n, ro_redirect_rx);
		return;
	}
	if (from_peer(n, l2nb, l3src, &m->target)) {
		/* keepalive answer (RFC 6706 6.4.10) */
		struct ro_entry *e = entry_match(n, RO_FORWARD, &rs, &rd, &m->target);
		if (!e) {
			DROP(n, drop_ro_no_entry, "keepalive Redirect without FORWARD entry");
			return;
		}
		e->expires = n->now + n->cfg.forward_time;
		tmr_set(n, &e->t_expire, e->expires);
		e->unanswered = 0;
		COUNT(n, ro_redirect_rx);
		return;
	}
	DROP(n, drop_ro_untrusted, "Redirect not from a router or the RO peer");
}

/* ---- receive -------------------------------------------------------------------- */

static void
ro_process(struct aero_node *n, struct rxctx *rx, struct ro_msg *m,
           struct nce *l2nb, const struct aero_in6 *l3src,
           const struct aero_in6 *l3dst)
{
	if (n->cfg.role != AERO_ROLE_CLIENT) {
		if (n->cfg.profile == AERO_PROFILE_P1 && in6_eq(l3dst, &n->ll)) {
			DROP(n, drop_ro_role, "RO message addressed to a Server/Relay");
			return;
		}
		relay(n, rx, m, l2nb);
		return;
	}
	if (n->cfg.profile == AERO_PROFILE_P1 && !in6_eq(l3dst, &n->ll)) {
		DROP(n, drop_ro_not_target, "RO message for another AERO address");
		return;
	}
	if (m->p)
		egress_rx(n, m, l2nb, l3src);
	else
		ingress_rx(n, m, l2nb, l3src);
}

static void
msg_from_opts(struct ro_msg *m, const struct aero_nd_opts *o)
{
	if (o->n_rio > 0) {
		m->has_rio = true;
		m->rio = o->rio[0].prefix;
		m->rio_len = o->rio[0].prefix_len;
		m->rio_life = o->rio[0].lifetime;
	}
	m->rho = o->rho;
	m->rho_len = o->rho_len;
}

void
ro_rx(struct aero_node *n, struct rxctx *rx, const uint8_t *msg, size_t len)
{
	if (len >= 1 && msg[0] == P2_REG_TYPE) {
		p2_rx(n, rx, msg, len);
		return;
	}
	if (n->cfg.profile != AERO_PROFILE_P1) {
		DROP(n, drop_ro_role, "RFC 6706 message on a P2 link (digest 8.3)");
		return;
	}
	struct aero_rfc6706_msg *w = g_new(struct aero_rfc6706_msg, 1);
	int k = aero_wire_rfc6706_decode(w, msg, len, &n->ndctx);
	if (k < 0) {
		g_free(w);
		DROP(n, drop_ro_malformed, "RFC 6706 message does not decode");
		return;
	}
	struct ro_msg m = {.p = w->p, .target = w->target, .dest = w->dest};
	msg_from_opts(&m, &w->opts);
	bool bad = !in6_is_ll(&rx->ip6.src) || !in6_is_ll(&rx->ip6.dst);
	if (w->opts.has_tllao) {
		m.has_tllao = true;
		bad = bad || !ro_lla_to_loc(&w->opts.tllao, &m.tllao);
	}
	if (bad) {
		g_free(w);
		DROP(n, drop_ro_invalid, "RFC 6706: non-link-local L3 address or bad TLLAO");
		return;
	}
	struct nce *l2nb = rx->pi ? nce_by_loc(n, &rx->pi->src) : NULL;
	ro_process(n, rx, &m, l2nb, &rx->ip6.src, &rx->ip6.dst);
	g_free(w);
}

void
ro_rx_scmp(struct aero_node *n, struct rxctx *rx, const struct aero_scmp_msg *sm)
{
	if (n->cfg.profile != AERO_PROFILE_P2) {
		DROP(n, drop_ro_role, "SPD/SRD on a P1 link");
		return;
	}
	const struct aero_scmp_rd *rd = &sm->rd;
	struct ro_msg m = {.p = rd->p, .target = rd->target, .dest = rd->dest,
	                   .v = rd->v, .auth = rd->auth};
	msg_from_opts(&m, &rd->opts);
	if (rd->opts.has_tllao) {
		m.has_tllao = true;
		if (!ro_lla_to_loc(&rd->opts.tllao, &m.tllao)) {
			DROP(n, drop_ro_invalid, "SPD/SRD: bad TLLAO");
			return;
		}
	}
	if (m.v && (m.auth.f || m.auth.alg != AERO_SCMP_AUTH_ALG_HMAC_SHA1)) {
		DROP(n, drop_ro_invalid, "SPD/SRD: unsupported key algorithm");
		return;
	}
	struct nce *l2nb = rx->nb;
	ro_process(n, rx, &m, l2nb, l2nb ? &l2nb->ll : &in6_any, &n->ll);
}

/* ---- Client hooks ------------------------------------------------------------------- */

struct nce *
ro_client_route(struct aero_node *n, struct rxctx *rx)
{
	if (n->cfg.role != AERO_ROLE_CLIENT || !n->ro || !rx)
		return NULL;
	struct ro_entry *e = entry_match(n, RO_FORWARD, &rx->ip6.src,
	                                 &rx->ip6.dst, NULL);
	if (!e)
		return NULL;
	struct nce *nb = nce_lookup(n, &e->peer);
	if (!nb || nb->loc.family == 0 || nb->state == NCE_UNREACHABLE)
		return NULL;
	e->used = n->now;
	e->rho_len = rx->len < RO_RHO_KEEP ? rx->len : RO_RHO_KEEP;
	memcpy(e->rho, rx->pkt, e->rho_len);
	if (!tmr_armed(&e->t_ka))
		send_keepalive(n, e); /* traffic resumed after an idle period */
	return nb;
}

bool
ro_client_accept(struct aero_node *n, struct rxctx *rx)
{
	if (n->cfg.role != AERO_ROLE_CLIENT || !n->ro || !rx || !rx->pi)
		return false;
	GPtrArray *v = st(n)->entries;
	for (guint i = 0; i < v->len; i++) {
		struct ro_entry *e = g_ptr_array_index(v, i);
		if (e->kind != RO_ACCEPT ||
		    !aero_addr_prefix_match(&e->src, &rx->ip6.src, e->src_len) ||
		    !aero_addr_prefix_match(&e->dst, &rx->ip6.dst, e->dst_len))
			continue;
		/* RFC 6706 6.4.4 (b): the ACCEPT state binds L3 to L2 */
		struct nce *nb = nce_lookup(n, &e->peer);
		if (nb && aero_loc_equal(&nb->loc, &rx->pi->src))
			return true;
	}
	return false;
}

void
ro_locator_changed(struct aero_node *n)
{
	if (n->cfg.role != AERO_ROLE_CLIENT || !n->ro)
		return;
	GPtrArray *v = st(n)->entries;
	for (guint i = v->len; i-- > 0;) {
		if (i >= v->len)
			continue;
		struct ro_entry *e = g_ptr_array_index(v, i);
		if (e->kind == RO_ACCEPT) {
			/* RFC 6706 6.4.13: NULL Redirect before forgetting */
			struct nce *nb = nce_lookup(n, &e->peer);
			uint8_t rho[AERO_IPV6_HDR_LEN];
			struct ro_msg m = {.p = false, .rho = rho,
			                   .rho_len = synth_rho(rho, &e->src, &e->dst)};
			if (nb && nb->loc.family) {
				COUNT(n, ro_null_redirect_sent);
				ro_send(n, nb, &n->ll, &e->peer, RO_HOP_LIMIT, &m);
			}
		}
		entry_delete(n, e);
	}
}

/* ---- state ------------------------------------------------------------------------- */

size_t
ro_count(struct aero_node *n, bool forward)
{
	size_t c = 0;
	GPtrArray *v = st(n)->entries;
	for (guint i = 0; i < v->len; i++)
		if ((((struct ro_entry *)g_ptr_array_index(v, i))->kind == RO_FORWARD) == forward)
			c++;
	return c;
}

/* The fast-path export (aero_node_fastpath): FORWARD entries whose peer
 * ro_client_route would use, and ACCEPT entries bound to the peer's
 * locator as ro_client_accept checks them. */
void
ro_fastpath(struct aero_node *n, struct aero_fastpath *fp)
{
	if (n->cfg.role != AERO_ROLE_CLIENT || !n->ro)
		return;
	GPtrArray *v = st(n)->entries;
	for (guint i = 0; i < v->len; i++) {
		struct ro_entry *e = g_ptr_array_index(v, i);
		struct nce *nb = nce_lookup(n, &e->peer);
		if (!nb || nb->loc.family == 0)
			continue;
		if (e->kind == RO_FORWARD && nb->state != NCE_UNREACHABLE &&
		    fp->n_routes < AERO_FP_MAX_ROUTES) {
			struct aero_fp_route *r = &fp->routes[fp->n_routes++];
			r->dst = e->dst;
			r->dst_len = e->dst_len;
			r->src = e->src;
			r->src_len = e->src_len;
			r->ro = true;
			r->action = AERO_FP_TUNNEL;
			r->loc = nb->loc;
		} else if (e->kind == RO_ACCEPT && fp->n_admit < AERO_FP_MAX_ADMIT) {
			struct aero_fp_admit *a = &fp->admit[fp->n_admit++];
			a->loc = nb->loc;
			a->src = e->src;
			a->src_len = e->src_len;
			a->dst = e->dst;
			a->dst_len = e->dst_len;
		}
	}
}

void
ro_dump(struct aero_node *n, GString *js)
{
	GPtrArray *v = st(n)->entries;
	g_string_append(js, ",\"ro\":{");
	for (int k = RO_ACCEPT; k <= RO_FORWARD; k++) {
		g_string_append_printf(js, "%s\"%s\":[", k ? "," : "", ro_kind_name[k]);
		bool first = true;
		for (guint i = 0; i < v->len; i++) {
			struct ro_entry *e = g_ptr_array_index(v, i);
			if ((int)e->kind != k)
				continue;
			g_string_append(js, first ? "{" : ",{");
			first = false;
			js_prefix(js, "src", &e->src, e->src_len, false);
			js_prefix(js, "dst", &e->dst, e->dst_len, true);
			js_in6(js, "peer", &e->peer, true);
			js_u64(js, "expires_in_ns", e->expires > n->now ?
			       e->expires - n->now : 0, true);
			if (e->kind == RO_FORWARD)
				js_u64(js, "unanswered", e->unanswered, true);
			g_string_append_c(js, '}');
		}
		g_string_append_c(js, ']');
	}
	if (n->cfg.role == AERO_ROLE_SERVER)
		js_u64(js, "rate_limit_pairs", g_hash_table_size(st(n)->rl), true);
	g_string_append_c(js, '}');
}

void
ro_init(struct aero_node *n)
{
	struct ro_state *s = g_new0(struct ro_state, 1);
	s->entries = g_ptr_array_new();
	s->rl = g_hash_table_new_full(rl_hash, rl_equal, g_free, NULL);
	n->ro = s;
	p2_init(n);
}

void
ro_free(struct aero_node *n)
{
	struct ro_state *s = n->ro;
	if (!s)
		return;
	p2_free(n);
	for (guint i = 0; i < s->entries->len; i++) {
		struct ro_entry *e = g_ptr_array_index(s->entries, i);
		tmr_cancel(n, &e->t_expire);
		tmr_cancel(n, &e->t_ka);
		g_free(e);
	}
	g_ptr_array_free(s->entries, TRUE);
	g_hash_table_destroy(s->rl);
	g_free(s);
	n->ro = NULL;
}
