/*
 * core/src/pool.c -- delegated-prefix pools and the binding table (see
 * pool.h).
 */
#include "pool.h"

const char *const binding_state_name[] = {"bound", "stale", "hold"};

struct pool_ent {
	struct aero_pool cfg;
	uint64_t size;    /* 2^(deleg_len - plen) */
	uint64_t used;    /* bindings (any state) inside */
	uint64_t cursor;  /* next index to try */
};

struct pool {
	struct pool_ent ent[AERO_MAX_POOLS];
	size_t n, ignored;
	size_t max;
	size_t n_state[3];
	GHashTable *by_id;     /* set of struct binding, key (DUID, IAID) */
	GHashTable *by_prefix; /* set of struct binding, key (prefix, plen) */
	struct binding *probe; /* lookup key scratch, room for any DUID */
};

const char *
pool_strerror(enum pool_err e)
{
	switch (e) {
	case POOL_OK: return "ok";
	case POOL_FULL: return "binding table full";
	case POOL_EXHAUSTED: return "no free prefix";
	case POOL_TAKEN: return "prefix bound or held";
	case POOL_OUTSIDE: return "prefix outside the pools";
	case POOL_EXISTS: return "binding exists";
	case POOL_INVAL: return "bad DUID";
	}
	return "unknown";
}

/* ---- hashing ------------------------------------------------------------- */

static guint
id_hash(gconstpointer k)
{
	const struct binding *b = k;
	return (guint)hash_bytes(b->iaid, b->duid, b->duid_len);
}

static gboolean
id_equal(gconstpointer a, gconstpointer b)
{
	const struct binding *x = a, *y = b;
	return x->iaid == y->iaid && x->duid_len == y->duid_len &&
	       memcmp(x->duid, y->duid, x->duid_len) == 0;
}

static guint
prefix_hash(gconstpointer k)
{
	const struct binding *b = k;
	return (guint)in6_mix(&b->prefix, b->plen);
}

static gboolean
prefix_equal(gconstpointer a, gconstpointer b)
{
	const struct binding *x = a, *y = b;
	return x->plen == y->plen && in6_eq(&x->prefix, &y->prefix);
}

/* ---- prefix arithmetic ---------------------------------------------------- */

/* The i-th delegated prefix of pool e: the pool prefix with i written into
 * bits [plen, deleg_len). */
static void
pool_nth(const struct pool_ent *e, uint64_t i, struct aero_in6 *out)
{
	aero_addr_prefix_mask(out, &e->cfg.prefix, e->cfg.plen);
	if (i == 0)
		return;
	/* the address as two big-endian words; i (< 2^40) ends at deleg_len */
	uint64_t hi = 0, lo = 0;
	for (int k = 0; k < 8; k++) {
		hi = hi << 8 | out->b[k];
		lo = lo << 8 | out->b[8 + k];
	}
	unsigned shift = 128u - e->cfg.deleg_len; /* < 128 - plen: i != 0 */
	if (shift >= 64) {
		hi |= i << (shift - 64);
	} else {
		lo |= i << shift;
		if (shift > 0)
			hi |= i >> (64 - shift);
	}
	for (int k = 7; k >= 0; k--) {
		out->b[k] = (uint8_t)hi;
		out->b[8 + k] = (uint8_t)lo;
		hi >>= 8;
		lo >>= 8;
	}
}

/* ---- lifecycle ---------------------------------------------------------------- */

struct pool *
pool_new(const struct aero_pool *pools, size_t n, size_t max_bindings)
{
	struct pool *p = g_new0(struct pool, 1);
	for (size_t i = 0; i < n && i < AERO_MAX_POOLS; i++) {
		const struct aero_pool *c = &pools[i];
		bool overlap = c->plen > c->deleg_len || c->deleg_len > 128 ||
		               c->deleg_len - c->plen > 40;
		for (size_t j = 0; j < p->n && !overlap; j++) {
			const struct aero_pool *o = &p->ent[j].cfg;
			unsigned l = c->plen < o->plen ? c->plen : o->plen;
			overlap = aero_addr_prefix_match(&c->prefix, &o->prefix, l);
		}
		if (overlap) {
			p->ignored++;
			continue;
		}
		struct pool_ent *e = &p->ent[p->n++];
		e->cfg = *c;
		aero_addr_prefix_mask(&e->cfg.prefix, &c->prefix, c->plen);
		e->size = 1ull << (c->deleg_len - c->plen);
	}
	p->max = max_bindings;
	p->by_id = g_hash_table_new(id_hash, id_equal);
	p->by_prefix = g_hash_table_new(prefix_hash, prefix_equal);
	p->probe = g_malloc0(sizeof *p->probe + AERO_DHCP6_DUID_MAX_LEN);
	return p;
}

void
pool_free(struct pool *p, void (*fn)(struct binding *b, void *arg), void *arg)
{
	if (!p)
		return;
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, p->by_id);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		if (fn)
			fn(k, arg);
		g_free(k);
	}
	g_hash_table_destroy(p->by_id);
	g_hash_table_destroy(p->by_prefix);
	g_free(p->probe);
	g_free(p);
}

/* ---- lookups ------------------------------------------------------------------- */

struct binding *
pool_find(struct pool *p, const uint8_t *duid, size_t duid_len, uint32_t iaid)
{
	if (duid_len < AERO_DHCP6_DUID_MIN_LEN || duid_len > AERO_DHCP6_DUID_MAX_LEN)
		return NULL;
	p->probe->duid_len = (uint8_t)duid_len;
	memcpy(p->probe->duid, duid, duid_len);
	p->probe->iaid = iaid;
	return g_hash_table_lookup(p->by_id, p->probe);
}

struct binding *
pool_by_prefix(struct pool *p, const struct aero_in6 *prefix, uint8_t plen)
{
	if (plen > 128)
		return NULL;
	aero_addr_prefix_mask(&p->probe->prefix, prefix, plen);
	p->probe->plen = plen;
	return g_hash_table_lookup(p->by_prefix, p->probe);
}

int
pool_index_of(const struct pool *p, const struct aero_in6 *prefix, uint8_t plen)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct aero_pool *c = &p->ent[i].cfg;
		if (plen == c->deleg_len &&
		    aero_addr_prefix_match(&c->prefix, prefix, c->plen))
			return (int)i;
	}
	return -1;
}

static bool
taken(struct pool *p, const struct aero_in6 *prefix, uint8_t plen)
{
	return pool_by_prefix(p, prefix, plen) != NULL;
}

/* ---- allocation ------------------------------------------------------------------ */

/*
 * Choose a prefix for hint. With advance, move the chosen pool's cursor
 * past it. Hint rules: an address inside pool i with a length up to its
 * delegation length names the prefix mask(hint, deleg_len) of that pool,
 * given when free; otherwise a pool whose delegation length equals the
 * hint length is preferred (a length-only hint "::/56"), then the first
 * pool with room, and the cursor finds its next free prefix.
 */
static enum pool_err
choose(struct pool *p, const struct aero_prefix *hint, struct aero_prefix *out,
       int *pool_idx, bool advance)
{
	if (g_hash_table_size(p->by_id) >= p->max)
		return POOL_FULL;
	bool has_hint = hint && hint->plen > 0;
	if (has_hint) {
		for (size_t i = 0; i < p->n; i++) {
			const struct aero_pool *c = &p->ent[i].cfg;
			if (hint->plen < c->plen || hint->plen > c->deleg_len ||
			    !aero_addr_prefix_match(&c->prefix, &hint->prefix, c->plen))
				continue;
			struct aero_in6 cand;
			aero_addr_prefix_mask(&cand, &hint->prefix, c->deleg_len);
			if (!taken(p, &cand, c->deleg_len)) {
				out->prefix = cand;
				out->plen = c->deleg_len;
				*pool_idx = (int)i;
				return POOL_OK;
			}
			break; /* named prefix not free: fall back to the cursor */
		}
	}
	int order[AERO_MAX_POOLS];
	size_t no = 0;
	if (has_hint)
		for (size_t i = 0; i < p->n; i++)
			if (p->ent[i].cfg.deleg_len == hint->plen)
				order[no++] = (int)i;
	for (size_t i = 0; i < p->n; i++)
		if (!has_hint || p->ent[i].cfg.deleg_len != hint->plen)
			order[no++] = (int)i;
	for (size_t k = 0; k < no; k++) {
		struct pool_ent *e = &p->ent[order[k]];
		if (e->used >= e->size)
			continue;
		/* used < size: a free prefix exists, the walk ends */
		uint64_t c = e->cursor;
		for (;;) {
			struct aero_in6 cand;
			pool_nth(e, c, &cand);
			c = (c + 1) & (e->size - 1);
			if (!taken(p, &cand, e->cfg.deleg_len)) {
				out->prefix = cand;
				out->plen = e->cfg.deleg_len;
				*pool_idx = order[k];
				if (advance)
					e->cursor = c;
				return POOL_OK;
			}
		}
	}
	return POOL_EXHAUSTED;
}

enum pool_err
pool_peek(struct pool *p, const struct aero_prefix *hint, struct aero_prefix *out)
{
	int idx;
	return choose(p, hint, out, &idx, false);
}

static struct binding *
insert(struct pool *p, const uint8_t *duid, size_t duid_len, uint32_t iaid,
       const struct aero_in6 *prefix, uint8_t plen, int pool_idx, tmr_fn fn)
{
	struct binding *b = g_malloc(sizeof *b + duid_len);
	tmr_init(&b->t, fn);
	aero_addr_prefix_mask(&b->prefix, prefix, plen);
	b->plen = plen;
	b->iaid = iaid;
	b->state = BND_BOUND;
	b->pool = pool_idx < 0 ? POOL_NONE : (uint8_t)pool_idx;
	b->duid_len = (uint8_t)duid_len;
	memcpy(b->duid, duid, duid_len);
	b->valid_until = b->pref_until = AERO_TSTAMP_NONE;
	g_hash_table_add(p->by_id, b);
	g_hash_table_add(p->by_prefix, b);
	if (pool_idx >= 0)
		p->ent[pool_idx].used++;
	p->n_state[BND_BOUND]++;
	return b;
}

static bool
duid_ok(size_t len)
{
	return len >= AERO_DHCP6_DUID_MIN_LEN && len <= AERO_DHCP6_DUID_MAX_LEN;
}

struct binding *
pool_alloc(struct pool *p, const uint8_t *duid, size_t duid_len, uint32_t iaid,
           const struct aero_prefix *hint, tmr_fn fn, enum pool_err *err)
{
	if (!duid_ok(duid_len))
		return *err = POOL_INVAL, NULL;
	if (pool_find(p, duid, duid_len, iaid))
		return *err = POOL_EXISTS, NULL;
	struct aero_prefix pf;
	int idx;
	enum pool_err e = choose(p, hint, &pf, &idx, true);
	if (e != POOL_OK)
		return *err = e, NULL;
	*err = POOL_OK;
	return insert(p, duid, duid_len, iaid, &pf.prefix, pf.plen, idx, fn);
}

struct binding *
pool_claim(struct pool *p, const uint8_t *duid, size_t duid_len, uint32_t iaid,
           const struct aero_in6 *prefix, uint8_t plen, bool pool_only,
           tmr_fn fn, enum pool_err *err)
{
	if (!duid_ok(duid_len) || plen > 128)
		return *err = POOL_INVAL, NULL;
	if (pool_find(p, duid, duid_len, iaid))
		return *err = POOL_EXISTS, NULL;
	if (g_hash_table_size(p->by_id) >= p->max)
		return *err = POOL_FULL, NULL;
	int idx = pool_index_of(p, prefix, plen);
	if (idx < 0 && pool_only)
		return *err = POOL_OUTSIDE, NULL;
	if (taken(p, prefix, plen))
		return *err = POOL_TAKEN, NULL;
	*err = POOL_OK;
	return insert(p, duid, duid_len, iaid, prefix, plen, idx, fn);
}

void
pool_release(struct pool *p, struct binding *b)
{
	g_assert(!tmr_armed(&b->t));
	g_hash_table_remove(p->by_id, b);
	g_hash_table_remove(p->by_prefix, b);
	if (b->pool != POOL_NONE && b->pool < p->n)
		p->ent[b->pool].used--;
	p->n_state[b->state]--;
	g_free(b);
}

void
pool_set_state(struct pool *p, struct binding *b, enum binding_state s)
{
	p->n_state[b->state]--;
	b->state = (uint8_t)s;
	p->n_state[s]++;
}

/* ---- introspection ------------------------------------------------------------------ */

size_t
pool_count(const struct pool *p)
{
	return g_hash_table_size(p->by_id);
}

size_t
pool_count_state(const struct pool *p, enum binding_state s)
{
	return p->n_state[s];
}

size_t
pool_n(const struct pool *p)
{
	return p->n;
}

const struct aero_pool *
pool_get(const struct pool *p, size_t i)
{
	return i < p->n ? &p->ent[i].cfg : NULL;
}

uint64_t
pool_size(const struct pool *p, size_t i)
{
	return i < p->n ? p->ent[i].size : 0;
}

uint64_t
pool_used(const struct pool *p, size_t i)
{
	return i < p->n ? p->ent[i].used : 0;
}

size_t
pool_ignored(const struct pool *p)
{
	return p->ignored;
}

static gint
cmp_prefix(gconstpointer a, gconstpointer b)
{
	const struct binding *x = *(const struct binding *const *)a;
	const struct binding *y = *(const struct binding *const *)b;
	int c = memcmp(x->prefix.b, y->prefix.b, 16);
	return c ? c : (int)x->plen - (int)y->plen;
}

GPtrArray *
pool_list(struct pool *p, size_t max)
{
	GPtrArray *v = g_ptr_array_sized_new(g_hash_table_size(p->by_id));
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, p->by_id);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(v, k);
	g_ptr_array_sort(v, cmp_prefix);
	if (max && v->len > max)
		g_ptr_array_set_size(v, (guint)max);
	return v;
}

void
pool_foreach(struct pool *p, void (*fn)(struct binding *b, void *arg),
             void *arg)
{
	GPtrArray *v = pool_list(p, 0);
	for (guint i = 0; i < v->len; i++)
		fn(g_ptr_array_index(v, i), arg);
	g_ptr_array_free(v, TRUE);
}
