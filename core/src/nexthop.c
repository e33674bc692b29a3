/*
 * core/src/nexthop.c -- last-resort next-hop discovery by name (digest 4,
 * 6.5 last line, 8 item 11; VET-40 5.2.2, 6.4, 6.11; RFC 5558 5.4.4).
 *
 * When a node has no route at all for an inner destination (no default,
 * e.g. a Server or Relay of a partition without infrastructure, or nodes
 * of a MANET without a Relay), it asks the host to resolve the
 * destination's name under its PRL name (cfg.prl_name): first the full
 * 32-nibble VET-40 name (wildcard records answer for covering prefixes),
 * then the RFC 5558 /56 name. The core does no I/O: the question leaves as
 * an AERO_EV_NAME_QUERY event and the answer comes back through
 * aero_node_name_answer(). An answer installs a route for the /56 of the
 * destination via the answered neighbour (NCE kind PEER) for
 * NEXTHOP_ROUTE_TIME; an empty answer for both names is remembered for
 * NEXTHOP_NEG_TIME so that a flow does not flood the name service.
 * The packet that triggered the lookup is dropped (counted): upper layers
 * retransmit, as with an unresolved neighbour.
 */
#include "nexthop.h"

struct nh_query {
	struct tmr t;            /* expiry of the negative entry or route */
	struct aero_in6 prefix;  /* the /56 asked for */
	char name[AERO_NAME_MAX + 1];
	uint8_t stage;           /* 0 full name asked, 1 /56 name asked,
	                            2 negative, 3 route installed */
	struct aero_in6 via;     /* the neighbour of an installed route */
};

struct nh_state {
	GHashTable *by_prefix;   /* struct aero_in6 * (the /56) -> nh_query */
	GHashTable *by_name;     /* pending name -> nh_query */
};

static struct nh_state *
st(struct aero_node *n)
{
	return n->nexthop;
}

static guint
p_hash(gconstpointer p)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u;
	for (int i = 0; i < 16; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static gboolean
p_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, 16) == 0;
}

static void
q_free(struct aero_node *n, struct nh_query *q)
{
	tmr_cancel(n, &q->t);
	if (q->stage < 2)
		g_hash_table_remove(st(n)->by_name, q->name);
	g_hash_table_remove(st(n)->by_prefix, &q->prefix);
	g_free(q);
}

static void
q_expire(struct aero_node *n, struct tmr *t)
{
	struct nh_query *q = (struct nh_query *)t;
	if (q->stage == 3) {
		struct fib_nh nh = {.kind = NH_NEIGHBOR, .ll = q->via};
		fib_del(n, &q->prefix, NEXTHOP_PLEN, &nh);
		COUNT(n, nexthop_route_expired);
		struct aero_event ev = {.type = AERO_EV_ROUTE_DEL,
		                        .prefix = q->prefix, .plen = NEXTHOP_PLEN,
		                        .addr = q->via, .rkind = AERO_RT_VIA};
		out_event(n, &ev);
	} else if (q->stage < 2) {
		COUNT(n, nexthop_query_timeout);
	}
	q_free(n, q);
}

void
nexthop_init(struct aero_node *n)
{
	struct nh_state *s = g_new0(struct nh_state, 1);
	s->by_prefix = g_hash_table_new(p_hash, p_equal);
	s->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	n->nexthop = s;
}

void
nexthop_free(struct aero_node *n)
{
	struct nh_state *s = st(n);
	if (!s)
		return;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, s->by_prefix);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct nh_query *q = v;
		tmr_cancel(n, &q->t);
		g_free(q);
	}
	g_hash_table_destroy(s->by_prefix);
	g_hash_table_destroy(s->by_name);
	g_free(s);
	n->nexthop = NULL;
}

static bool
ask(struct aero_node *n, struct nh_query *q, const struct aero_in6 *dst)
{
	int k = q->stage == 0 ?
		aero_addr_name_full(q->name, sizeof q->name, dst, n->cfg.prl_name) :
		aero_addr_name_rfc5558(q->name, sizeof q->name, dst, n->cfg.prl_name);
	if (k < 0)
		return false; /* the PRL name is too long for a DNS name */
	g_hash_table_insert(st(n)->by_name, q->name, q);
	tmr_set_in(n, &q->t, NEXTHOP_QUERY_TIME);
	COUNT(n, nexthop_query_tx);
	out_event_simple(n, AERO_EV_NAME_QUERY, q->name);
	return true;
}

bool
nexthop_lookup(struct aero_node *n, const struct aero_in6 *dst)
{
	if (!st(n) || n->cfg.prl_name[0] == 0 || in6_is_ll(dst) || in6_is_mc(dst))
		return false;
	struct aero_in6 p;
	aero_addr_prefix_mask(&p, dst, NEXTHOP_PLEN);
	struct nh_query *q = g_hash_table_lookup(st(n)->by_prefix, &p);
	if (q) {
		COUNT(n, nexthop_pending); /* asked already, or known absent */
		return true;
	}
	if (g_hash_table_size(st(n)->by_prefix) >= NEXTHOP_MAX) {
		COUNT(n, nexthop_table_full);
		return false;
	}
	q = g_new0(struct nh_query, 1);
	tmr_init(&q->t, q_expire);
	q->prefix = p;
	if (!ask(n, q, dst)) {
		g_free(q);
		return false;
	}
	g_hash_table_insert(st(n)->by_prefix, &q->prefix, q);
	return true;
}

int
nexthop_answer(struct aero_node *n, const char *name,
               const struct aero_peer *peers, size_t n_peers)
{
	if (!st(n))
		return 1;
	struct nh_query *q = g_hash_table_lookup(st(n)->by_name, name);
	if (!q)
		return 1; /* not ours */
	g_hash_table_remove(st(n)->by_name, q->name);
	tmr_cancel(n, &q->t);
	size_t i;
	for (i = 0; i < n_peers; i++)
		if (peers[i].id != 0 &&
		    (peers[i].loc.family == 4 || peers[i].loc.family == 6))
			break;
	if (i == n_peers) {
		if (q->stage == 0) { /* digest 8.11: then the /56 name */
			q->stage = 1;
			if (ask(n, q, &q->prefix))
				return 0;
		}
		q->stage = 2;
		COUNT(n, nexthop_negative);
		tmr_set_in(n, &q->t, NEXTHOP_NEG_TIME);
		return 0;
	}
	struct aero_in6 ll;
	aero_addr_server_ll(&ll, peers[i].id);
	struct nce *e = nce_lookup(n, &ll);
	if (!e)
		e = nce_create(n, &ll, &peers[i].loc, NCE_PEER);
	if (!e) {
		q_free(n, q);
		return 0; /* counted: drop_nce_full */
	}
	struct fib_nh nh = {.kind = NH_NEIGHBOR, .ll = ll};
	if (!fib_exact(n, &q->prefix, NEXTHOP_PLEN) &&
	    fib_add(n, &q->prefix, NEXTHOP_PLEN, &nh, FIB_ORIGIN_LEARNED)) {
		q->stage = 3;
		q->via = ll;
		COUNT(n, nexthop_route_added);
		tmr_set_in(n, &q->t, NEXTHOP_ROUTE_TIME);
		struct aero_event ev = {.type = AERO_EV_ROUTE_ADD,
		                        .prefix = q->prefix, .plen = NEXTHOP_PLEN,
		                        .addr = ll, .loc = peers[i].loc,
		                        .rkind = AERO_RT_VIA};
		out_event(n, &ev);
		return 0;
	}
	q_free(n, q);
	return 0;
}

size_t
nexthop_count(struct aero_node *n)
{
	return st(n) ? g_hash_table_size(st(n)->by_prefix) : 0;
}
