/*
 * core/src/nce.c -- the neighbour cache of the AERO interface (digest 6.6):
 * one entry per neighbour link-local address (AERO address of a Client,
 * fe80::ID of a Server/Relay, temporary link-local before PD), with its
 * observed locator and RFC 4861 state. Bounded by cfg.max_neighbors.
 */
#include "node.h"

const char *const nce_state_name[] = {"incomplete", "reachable", "stale",
                                      "delay", "probe", "unreachable"};
const char *const nce_kind_name[] = {"server", "relay", "client", "peer"};

static void
nce_event(struct aero_node *n, const struct nce *e, enum aero_event_type t)
{
	struct aero_event ev = {.type = t, .addr = e->ll, .loc = e->loc,
	                        .name = nce_kind_name[e->kind]};
	out_event(n, &ev);
}

guint
nce_loc_hash(gconstpointer p)
{
	const struct aero_loc *l = p;
	return (guint)hash_bytes((uint64_t)l->family << 16 | l->port, l->ip,
	                         l->family == 4 ? 4 : 16);
}

gboolean
nce_loc_equal(gconstpointer a, gconstpointer b)
{
	return aero_loc_equal(a, b);
}

struct nce *
nce_by_loc(struct aero_node *n, const struct aero_loc *loc)
{
	if (!loc || loc->family == 0)
		return NULL;
	return g_hash_table_lookup(n->nc_loc, loc);
}

void
nce_set_loc(struct aero_node *n, struct nce *e, const struct aero_loc *loc)
{
	if (e->loc.family && g_hash_table_lookup(n->nc_loc, &e->loc) == e)
		g_hash_table_remove(n->nc_loc, &e->loc);
	e->loc = *loc;
	/* replace, not insert: the key must be this entry's own loc (insert
	 * would keep another entry's key pointer, which changes or is freed
	 * when that entry moves or goes) */
	if (loc->family) {
		/* one SEAL Identification sequence per locator (tunnel.c): an
		 * entry taking over a locator continues the previous one's */
		struct nce *prev = n->cfg.profile == AERO_PROFILE_P2 ?
		                   g_hash_table_lookup(n->nc_loc, loc) : NULL;
		if (prev && prev != e)
			e->tx_id = prev->tx_id;
		g_hash_table_replace(n->nc_loc, &e->loc, e);
	}
}

struct nce *
nce_lookup(struct aero_node *n, const struct aero_in6 *ll)
{
	return g_hash_table_lookup(n->nc, ll);
}

static void
nce_nud_stub(struct aero_node *n, struct tmr *t)
{
	(void)n; (void)t;
}

struct nce *
nce_create(struct aero_node *n, const struct aero_in6 *ll,
           const struct aero_loc *loc, enum nce_kind kind)
{
	struct nce *e = nce_lookup(n, ll);
	if (e)
		return e;
	if (g_hash_table_size(n->nc) >= n->cfg.max_neighbors) {
		DROP(n, drop_nce_full, "neighbour cache full");
		return NULL;
	}
	e = g_new0(struct nce, 1);
	e->ll = *ll;
	e->kind = kind;
	e->state = loc ? NCE_REACHABLE : NCE_INCOMPLETE;
	e->reach_until = n->now + n->cfg.reachable_time;
	tmr_init(&e->t_nud, nce_nud_stub);
	aero_seal_replay_init(&e->rx_win);
	e->tx_id = node_rand32(n);
	g_hash_table_insert(n->nc, &e->ll, e);
	if (loc)
		nce_set_loc(n, e, loc);
	COUNT(n, nce_created);
	if (e->state == NCE_REACHABLE)
		nce_event(n, e, AERO_EV_NEIGHBOR_UP);
	return e;
}

void
nce_set_state(struct aero_node *n, struct nce *e, enum nce_state s)
{
	enum nce_state old = e->state;
	if (old == s)
		return;
	e->state = s;
	if (s == NCE_UNREACHABLE)
		COUNT(n, nud_unreachable);
	/* UP and DOWN alternate (as in nce_create/nce_delete): an entry is
	 * up in every state but INCOMPLETE and UNREACHABLE */
	bool was_up = old != NCE_UNREACHABLE && old != NCE_INCOMPLETE;
	bool is_up = s != NCE_UNREACHABLE && s != NCE_INCOMPLETE;
	if (was_up && !is_up)
		nce_event(n, e, AERO_EV_NEIGHBOR_DOWN);
	else if (!was_up && is_up)
		nce_event(n, e, AERO_EV_NEIGHBOR_UP);
}

bool
nce_confirm(struct aero_node *n, struct nce *e, const struct aero_loc *loc)
{
	bool moved = false;
	if (loc && loc->family && !aero_loc_equal(&e->loc, loc)) {
		nce_set_loc(n, e, loc);
		moved = true;
	}
	e->reach_until = n->now + n->cfg.reachable_time;
	e->probes = 0;
	nce_set_state(n, e, NCE_REACHABLE);
	return moved;
}

void
nce_delete(struct aero_node *n, struct nce *e)
{
	tmr_cancel(n, &e->t_nud);
	if (e->state != NCE_UNREACHABLE && e->state != NCE_INCOMPLETE)
		nce_event(n, e, AERO_EV_NEIGHBOR_DOWN);
	g_hash_table_remove(n->nc, &e->ll);
	if (e->loc.family && g_hash_table_lookup(n->nc_loc, &e->loc) == e)
		g_hash_table_remove(n->nc_loc, &e->loc);
	COUNT(n, nce_deleted);
	g_free(e);
}

size_t
nce_count(const struct aero_node *n)
{
	return g_hash_table_size(n->nc);
}

static gint
cmp_in6(gconstpointer a, gconstpointer b)
{
	return memcmp(*(const struct nce *const *)a, *(const struct nce *const *)b, 16);
}

void
nce_foreach(struct aero_node *n, void (*fn)(struct aero_node *, struct nce *,
            void *), void *arg)
{
	/* sorted by address so dumps are deterministic */
	GPtrArray *v = g_ptr_array_sized_new(g_hash_table_size(n->nc));
	GHashTableIter it;
	gpointer k, val;
	g_hash_table_iter_init(&it, n->nc);
	while (g_hash_table_iter_next(&it, &k, &val))
		g_ptr_array_add(v, val);
	g_ptr_array_sort(v, cmp_in6);
	for (guint i = 0; i < v->len; i++)
		fn(n, g_ptr_array_index(v, i), arg);
	g_ptr_array_free(v, TRUE);
}
