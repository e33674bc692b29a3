/*
 * core/src/fib.c -- the longest-prefix-match FIB with ECMP (digest 6.5).
 *
 * One hash table per prefix length in use, keyed by the masked prefix; a
 * lookup probes the lengths in use from the longest down. AERO tables hold
 * few distinct lengths (/0 default, the delegation lengths, /128 hosts), so
 * a lookup costs a handful of hash probes whatever the table size, and a
 * million /56 delegations cost one entry each. Bounded by cfg.max_routes.
 */
#include "node.h"

static void
lens_rebuild(struct aero_node *n)
{
	n->fib_nlens = 0;
	for (int l = 128; l >= 0; l--)
		if (n->fib_len[l] && g_hash_table_size(n->fib_len[l]) > 0)
			n->fib_lens[n->fib_nlens++] = (uint8_t)l;
}

static bool
nh_equal(const struct fib_nh *a, const struct fib_nh *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == NH_NEIGHBOR)
		return in6_eq(&a->ll, &b->ll);
	if (a->kind == NH_TUNNEL)
		return a->ifindex == b->ifindex;
	return true;
}

struct fib_entry *
fib_exact(struct aero_node *n, const struct aero_in6 *prefix, uint8_t plen)
{
	if (plen > 128 || !n->fib_len[plen])
		return NULL;
	struct aero_in6 key;
	aero_addr_prefix_mask(&key, prefix, plen);
	return g_hash_table_lookup(n->fib_len[plen], &key);
}

struct fib_entry *
fib_add(struct aero_node *n, const struct aero_in6 *prefix, uint8_t plen,
        const struct fib_nh *nh, uint8_t origin)
{
	g_assert(plen <= 128);
	struct fib_entry *e = fib_exact(n, prefix, plen);
	if (e) {
		for (unsigned i = 0; i < e->n_nh; i++)
			if (nh_equal(&e->nh[i], nh))
				return e;
		if (nh->kind == NH_NEIGHBOR && e->nh[0].kind == NH_NEIGHBOR) {
			if (e->n_nh >= FIB_MAX_NH) { /* keep the others */
				DROP(n, drop_fib_full, "ECMP next hops full");
				return NULL;
			}
			e->nh[e->n_nh++] = *nh; /* ECMP */
			return e;
		}
		/* a different kind of route replaces the old one */
		e->nh[0] = *nh;
		e->n_nh = 1;
		e->origin = origin;
		return e;
	}
	if (n->fib_n >= n->cfg.max_routes) {
		DROP(n, drop_fib_full, "FIB full");
		return NULL;
	}
	e = g_new0(struct fib_entry, 1);
	aero_addr_prefix_mask(&e->prefix, prefix, plen);
	e->plen = plen;
	e->nh[0] = *nh;
	e->n_nh = 1;
	e->origin = origin;
	if (!n->fib_len[plen]) {
		n->fib_len[plen] = g_hash_table_new(in6_hash, in6_equal);
	}
	bool new_len = g_hash_table_size(n->fib_len[plen]) == 0;
	g_hash_table_insert(n->fib_len[plen], &e->prefix, e);
	n->fib_n++;
	if (new_len)
		lens_rebuild(n);
	return e;
}

int
fib_del(struct aero_node *n, const struct aero_in6 *prefix, uint8_t plen,
        const struct fib_nh *nh)
{
	struct fib_entry *e = fib_exact(n, prefix, plen);
	if (!e)
		return -1;
	if (nh) {
		unsigned i;
		for (i = 0; i < e->n_nh; i++)
			if (nh_equal(&e->nh[i], nh))
				break;
		if (i == e->n_nh)
			return -1;
		e->nh[i] = e->nh[e->n_nh - 1];
		if (--e->n_nh > 0)
			return 0;
	}
	g_hash_table_remove(n->fib_len[plen], &e->prefix);
	g_free(e);
	n->fib_n--;
	if (g_hash_table_size(n->fib_len[plen]) == 0)
		lens_rebuild(n);
	return 0;
}

struct fib_entry *
fib_lookup(struct aero_node *n, const struct aero_in6 *dst)
{
	for (size_t i = 0; i < n->fib_nlens; i++) {
		uint8_t l = n->fib_lens[i];
		struct aero_in6 key;
		aero_addr_prefix_mask(&key, dst, l);
		struct fib_entry *e = g_hash_table_lookup(n->fib_len[l], &key);
		if (e)
			return e;
	}
	return NULL;
}

const struct fib_nh *
fib_pick(const struct fib_entry *e, uint32_t flow_hash)
{
	if (e->n_nh == 1)
		return &e->nh[0];
	/* multiply-shift: uniform over the next hops, stable per flow. The
	 * hash is spread over 32 bits first (Fibonacci hashing): callers pass
	 * node_flow_hash(), a 20-bit flow label, which alone would always
	 * pick the first next hop. */
	uint32_t h = flow_hash * 2654435761u;
	return &e->nh[(uint32_t)(((uint64_t)h * e->n_nh) >> 32)];
}

size_t
fib_count(const struct aero_node *n)
{
	return n->fib_n;
}

static gint
cmp_entry(gconstpointer a, gconstpointer b)
{
	const struct fib_entry *x = *(const struct fib_entry *const *)a;
	const struct fib_entry *y = *(const struct fib_entry *const *)b;
	int c = memcmp(x->prefix.b, y->prefix.b, 16);
	return c ? c : (int)x->plen - (int)y->plen;
}

void
fib_foreach(struct aero_node *n, void (*fn)(struct aero_node *,
            struct fib_entry *, void *), void *arg)
{
	GPtrArray *v = g_ptr_array_sized_new((guint)n->fib_n);
	for (int l = 0; l <= 128; l++) {
		if (!n->fib_len[l])
			continue;
		GHashTableIter it;
		gpointer k, val;
		g_hash_table_iter_init(&it, n->fib_len[l]);
		while (g_hash_table_iter_next(&it, &k, &val))
			g_ptr_array_add(v, val);
	}
	g_ptr_array_sort(v, cmp_entry);
	for (guint i = 0; i < v->len; i++)
		fn(n, g_ptr_array_index(v, i), arg);
	g_ptr_array_free(v, TRUE);
}
