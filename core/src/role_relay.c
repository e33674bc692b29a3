/*
 * core/src/role_relay.c -- the Relay role (digest 1.1, 6.5, 7.3).
 *
 * The Relay is the border between the AERO link and the outside (its
 * tunnel side). It holds one iBGP-learned route per (client prefix,
 * Server): prefix -> NH_NEIGHBOR fe80::ID of the Server (ECMP when several
 * Servers announce the same prefix), and a neighbour entry per Server
 * (kind NCE_SERVER) at the locator the route came with.
 *
 *  - At start: every configured aggregate -> NH_BLACKHOLE, so a packet for
 *    an unknown client prefix inside the AERO service is dropped here and
 *    never loops between the Relay and the outside; ::/0 -> NH_TUNNEL
 *    ifindex 0 (the outside). Only the aggregates are announced outside
 *    (AERO_EV_ROUTE_ANNOUNCE with loc = own locator) [digest 7.3 P].
 *  - From the outside (tunnel side): forwarded by longest match to the
 *    Server owning the prefix; anything not inside the AERO service would
 *    go straight back out and is dropped.
 *  - From the underlay: admitted only from a known Server's locator
 *    (digest 6.2 (c): trusted intermediate routers), then forwarded by the
 *    FIB: natively to the outside, or back into the overlay to the Server
 *    that owns the destination prefix (never back to the sender).
 *  - RFC 6706 messages between Servers are relayed by ro.c (node.c hands
 *    them there before the role sees them).
 */
#include "node.h"
#include "nud.h"

/* One learned (prefix, Server) pair. */
struct relay_route {
	struct aero_in6 prefix; /* masked */
	uint8_t plen;
	uint32_t id;            /* the Server */
};

struct relay_state {
	GHashTable *routes;     /* struct relay_route * -> itself */
	GHashTable *servers;    /* uint32 id -> route count */
};

static struct relay_state *
RS(const struct aero_node *n)
{
	return n->rs;
}

static guint
route_hash(gconstpointer p)
{
	const struct relay_route *r = p;
	return (guint)in6_mix(&r->prefix, (uint64_t)r->id << 8 | r->plen);
}

static gboolean
route_equal(gconstpointer pa, gconstpointer pb)
{
	const struct relay_route *a = pa, *b = pb;
	return a->plen == b->plen && a->id == b->id &&
	       in6_eq(&a->prefix, &b->prefix);
}

static bool
is_aggregate(const struct aero_node *n, const struct aero_in6 *prefix,
             uint8_t plen)
{
	for (size_t i = 0; i < n->cfg.n_aggregates; i++) {
		const struct aero_prefix *a = &n->cfg.aggregates[i];
		if (a->plen == plen &&
		    aero_addr_prefix_match(&a->prefix, prefix, plen))
			return true;
	}
	return false;
}

static void
add_blackhole(struct aero_node *n, const struct aero_prefix *a)
{
	struct fib_nh bh = {.kind = NH_BLACKHOLE};
	fib_add(n, &a->prefix, a->plen, &bh, FIB_ORIGIN_STATIC);
}

static void
relay_start(struct aero_node *n)
{
	struct relay_state *rs = g_new0(struct relay_state, 1);
	rs->routes = g_hash_table_new_full(route_hash, route_equal, g_free, NULL);
	rs->servers = g_hash_table_new(g_direct_hash, g_direct_equal);
	n->rs = rs;
	struct fib_nh out = {.kind = NH_TUNNEL, .ifindex = 0};
	fib_add(n, &in6_any, 0, &out, FIB_ORIGIN_STATIC);
	for (size_t i = 0; i < n->cfg.n_aggregates; i++) {
		const struct aero_prefix *a = &n->cfg.aggregates[i];
		add_blackhole(n, a);
		struct aero_event ev = {.type = AERO_EV_ROUTE_ANNOUNCE,
		                        .plen = a->plen, .loc = n->cfg.self,
		                        .addr = n->ll, .name = "aggregate"};
		aero_addr_prefix_mask(&ev.prefix, &a->prefix, a->plen);
		out_event(n, &ev);
	}
	out_state(n, "running");
}

static void
relay_destroy(struct aero_node *n)
{
	struct relay_state *rs = RS(n);
	if (!rs)
		return;
	g_hash_table_destroy(rs->routes);
	g_hash_table_destroy(rs->servers);
	g_free(rs);
	n->rs = NULL;
}

/* ---- route learning (the iBGP model) ---------------------------------------- */

static unsigned
server_refs(struct relay_state *rs, uint32_t id)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(rs->servers,
	                                            GUINT_TO_POINTER(id)));
}

static void
server_ref(struct aero_node *n, uint32_t id, int delta)
{
	struct relay_state *rs = RS(n);
	unsigned c = server_refs(rs, id);
	c = delta > 0 ? c + 1 : (c > 0 ? c - 1 : 0);
	if (c > 0) {
		g_hash_table_insert(rs->servers, GUINT_TO_POINTER(id),
		                    GUINT_TO_POINTER(c));
		return;
	}
	g_hash_table_remove(rs->servers, GUINT_TO_POINTER(id));
	struct aero_in6 ll;
	aero_addr_server_ll(&ll, id);
	struct nce *e = nce_lookup(n, &ll);
	if (e)
		nce_delete(n, e);
}

static int
route_add(struct aero_node *n, const struct relay_route *key,
          const struct aero_peer *server)
{
	struct relay_state *rs = RS(n);
	struct aero_in6 ll;
	aero_addr_server_ll(&ll, server->id);
	struct nce *e = nce_lookup(n, &ll);
	if (e) {
		if (!aero_loc_equal(&e->loc, &server->loc)) {
			char a[64], b[64];
			NLOG(n, LOG_NOTICE_, "server %u moved %s -> %s", server->id,
			     aero_loc_format(&e->loc, a, sizeof a),
			     aero_loc_format(&server->loc, b, sizeof b));
			nce_set_loc(n, e, &server->loc);
		}
		nce_confirm(n, e, NULL);
	} else {
		e = nce_create(n, &ll, &server->loc, NCE_SERVER);
		if (!e)
			return AERO_ERR_FULL; /* counted */
	}
	if (g_hash_table_contains(rs->routes, key)) {
		COUNT(n, relay_routes_refreshed);
		return 0;
	}
	struct fib_nh nh = {.kind = NH_NEIGHBOR, .ll = ll};
	struct fib_entry *fe = fib_exact(n, &key->prefix, key->plen);
	if (fe && fe->nh[0].kind == NH_NEIGHBOR && fe->n_nh >= FIB_MAX_NH) {
		DROP(n, drop_relay_ecmp_full, "too many Servers for one prefix");
		if (server_refs(rs, server->id) == 0)
			nce_delete(n, e);
		return AERO_ERR_FULL;
	}
	if (!fib_add(n, &key->prefix, key->plen, &nh, FIB_ORIGIN_LEARNED)) {
		if (server_refs(rs, server->id) == 0)
			nce_delete(n, e);
		return AERO_ERR_FULL; /* counted as drop_fib_full */
	}
	g_hash_table_add(rs->routes, g_memdup2(key, sizeof *key));
	server_ref(n, server->id, +1);
	COUNT(n, relay_routes_learned);
	char b[64];
	NLOG(n, LOG_DEBUG_, "route %s/%u via server %u",
	     aero_in6_format(&key->prefix, b, sizeof b), key->plen, server->id);
	return 0;
}

static int
route_del(struct aero_node *n, const struct relay_route *key)
{
	struct relay_state *rs = RS(n);
	if (!g_hash_table_remove(rs->routes, key)) {
		COUNT(n, relay_withdraw_unknown);
		return 0;
	}
	struct fib_nh nh = {.kind = NH_NEIGHBOR};
	aero_addr_server_ll(&nh.ll, key->id);
	fib_del(n, &key->prefix, key->plen, &nh);
	if (!fib_exact(n, &key->prefix, key->plen) &&
	    is_aggregate(n, &key->prefix, key->plen)) {
		struct aero_prefix a = {.prefix = key->prefix, .plen = key->plen};
		add_blackhole(n, &a);
	}
	server_ref(n, key->id, -1);
	COUNT(n, relay_routes_withdrawn);
	return 0;
}

static int
relay_route_update(struct aero_node *n, bool add, const struct aero_prefix *p,
                   const struct aero_peer *server)
{
	if (server->id == 0 ||
	    (add && server->loc.family != 4 && server->loc.family != 6))
		return AERO_ERR_INVAL;
	struct relay_route key = {.plen = p->plen, .id = server->id};
	aero_addr_prefix_mask(&key.prefix, &p->prefix, p->plen);
	return add ? route_add(n, &key, server) : route_del(n, &key);
}

/* ---- data ----------------------------------------------------------------------- */

/* The next hop node_forward will take for this packet (same pick). */
static const struct fib_nh *
next_hop(struct aero_node *n, struct rxctx *rx)
{
	const struct fib_entry *e = fib_lookup(n, &rx->ip6.dst);
	if (!e)
		return NULL;
	return fib_pick(e, node_flow_hash(rx->pkt, rx->len));
}

/* From the outside: only destinations inside the AERO service. */
static void
relay_tx_data(struct aero_node *n, struct rxctx *rx)
{
	const struct fib_nh *nh = next_hop(n, rx);
	if (nh && nh->kind == NH_TUNNEL) {
		DROP(n, drop_relay_not_ours, "outside packet for the outside");
		return;
	}
	if (node_forward(n, rx))
		COUNT(n, relay_to_server);
}

/* From a Server over the underlay. */
static void
relay_rx_data(struct aero_node *n, struct rxctx *rx)
{
	struct nce *from = nce_by_loc(n, &rx->pi->src);
	if (!from || from->kind != NCE_SERVER) {
		DROP(n, drop_relay_untrusted, "underlay packet not from a Server");
		return;
	}
	const struct fib_nh *nh = next_hop(n, rx);
	if (nh && nh->kind == NH_NEIGHBOR && in6_eq(&nh->ll, &from->ll)) {
		DROP(n, drop_loop, "route points back to the sending Server");
		return;
	}
	if (!node_forward(n, rx))
		return;
	if (nh && nh->kind == NH_TUNNEL)
		COUNT(n, relay_to_outside);
	else
		COUNT(n, relay_server_to_server);
}

/* ---- control ---------------------------------------------------------------------- */

static void
relay_rx_nd(struct aero_node *n, struct rxctx *rx, const struct aero_nd_msg *m)
{
	if (nud_rx(n, rx, m)) /* NS/NA: Servers probing their default router */
		return;
	DROP(n, drop_unexpected_ctl, "ND message other than NS/NA");
}

static void
relay_rx_dhcp6(struct aero_node *n, struct rxctx *rx, const uint8_t *msg,
               size_t len)
{
	(void)rx; (void)msg; (void)len;
	DROP(n, drop_unexpected_ctl, "DHCPv6 at a Relay");
}

static void
relay_rx_scmp(struct aero_node *n, struct rxctx *rx,
              const struct aero_scmp_msg *m)
{
	(void)rx; (void)m;
	DROP(n, drop_unexpected_ctl, "SCMP error at a Relay");
}

static void
relay_dump(const struct aero_node *n, GString *js)
{
	struct relay_state *rs = RS(n);
	js_str(js, "state", "running", true);
	js_u64(js, "aggregates", n->cfg.n_aggregates, true);
	js_u64(js, "learned_routes", rs ? g_hash_table_size(rs->routes) : 0, true);
	js_u64(js, "servers", rs ? g_hash_table_size(rs->servers) : 0, true);
}

const struct role_ops relay_ops = {
	.name = "relay",
	.start = relay_start,
	.destroy = relay_destroy,
	.rx_nd = relay_rx_nd,
	.rx_dhcp6 = relay_rx_dhcp6,
	.rx_scmp = relay_rx_scmp,
	.rx_data = relay_rx_data,
	.tx_data = relay_tx_data,
	.route_update = relay_route_update,
	.dump = relay_dump,
};
