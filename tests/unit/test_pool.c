/* Prefix pools and the binding table (core/src/pool.c). */
#include "testutil.h"
#include "../../core/src/pool.h"

#define in6(s) tu_in6(s)

static void
dummy_timer(struct aero_node *n, struct tmr *t)
{
	(void)n; (void)t;
}

static const uint8_t duid_a[] = {0, 3, 0, 1, 2, 0, 0, 0, 0, 0xa};
static const uint8_t duid_b[] = {0, 3, 0, 1, 2, 0, 0, 0, 0, 0xb};

static struct pool *
pool_40_56(size_t max)
{
	struct aero_pool p = {.prefix = in6("2001:db8:1000::"), .plen = 40,
	                      .deleg_len = 56};
	return pool_new(&p, 1, max);
}

static void
assert_prefix(const struct binding *b, const char *s, uint8_t plen)
{
	g_assert_nonnull(b);
	tu_assert_in6(b->prefix, s);
	g_assert_cmpuint(b->plen, ==, plen);
}

static void
test_sequential(void)
{
	struct pool *p = pool_40_56(100);
	enum pool_err e;
	struct binding *a = pool_alloc(p, duid_a, sizeof duid_a, 1, NULL,
	                               dummy_timer, &e);
	g_assert_cmpint(e, ==, POOL_OK);
	assert_prefix(a, "2001:db8:1000::", 56);
	struct binding *b = pool_alloc(p, duid_a, sizeof duid_a, 2, NULL,
	                               dummy_timer, &e);
	assert_prefix(b, "2001:db8:1000:100::", 56);
	g_assert_true(pool_find(p, duid_a, sizeof duid_a, 1) == a);
	g_assert_true(pool_find(p, duid_a, sizeof duid_a, 2) == b);
	g_assert_null(pool_find(p, duid_b, sizeof duid_b, 1));
	g_assert_true(pool_by_prefix(p, &b->prefix, 56) == b);
	/* the same DUID+IAID twice is refused */
	g_assert_null(pool_alloc(p, duid_a, sizeof duid_a, 1, NULL, dummy_timer, &e));
	g_assert_cmpint(e, ==, POOL_EXISTS);
	g_assert_cmpuint(pool_count(p), ==, 2);
	g_assert_cmpuint(pool_used(p, 0), ==, 2);
	g_assert_cmpuint(pool_size(p, 0), ==, 65536);
	pool_free(p, NULL, NULL);
}

/* The cursor's i-th prefix: i written into bits [plen, deleg_len), also
 * across the 64-bit boundary and up to /128. */
static void
test_nth_bits(void)
{
	struct aero_pool c = {.prefix = in6("2001:db8:0:ff0::"), .plen = 60,
	                      .deleg_len = 68};
	struct pool *p = pool_new(&c, 1, 100);
	struct binding *b[17];
	enum pool_err e;
	for (uint32_t k = 0; k < 17; k++)
		b[k] = pool_alloc(p, duid_a, sizeof duid_a, k + 1, NULL, dummy_timer, &e);
	assert_prefix(b[0], "2001:db8:0:ff0::", 68);
	assert_prefix(b[1], "2001:db8:0:ff0:1000::", 68);
	assert_prefix(b[15], "2001:db8:0:ff0:f000::", 68);
	assert_prefix(b[16], "2001:db8:0:ff1::", 68);
	pool_free(p, NULL, NULL);

	c = (struct aero_pool){.prefix = in6("2001:db8:ffff::ff00"), .plen = 120,
	                       .deleg_len = 128};
	p = pool_new(&c, 1, 100);
	for (uint32_t k = 0; k < 6; k++)
		b[k] = pool_alloc(p, duid_a, sizeof duid_a, k + 1, NULL, dummy_timer, &e);
	assert_prefix(b[0], "2001:db8:ffff::ff00", 128);
	assert_prefix(b[5], "2001:db8:ffff::ff05", 128);
	pool_free(p, NULL, NULL);

	c = (struct aero_pool){.prefix = in6("2001:db8:1000::"), .plen = 24,
	                       .deleg_len = 64};
	p = pool_new(&c, 1, 100);
	struct aero_prefix h = {.prefix = in6("2001:dbf:ffff:fffe::"), .plen = 64};
	b[0] = pool_alloc(p, duid_a, sizeof duid_a, 1, &h, dummy_timer, &e);
	assert_prefix(b[0], "2001:dbf:ffff:fffe::", 64);
	b[1] = pool_alloc(p, duid_a, sizeof duid_a, 2, NULL, dummy_timer, &e);
	assert_prefix(b[1], "2001:d00::", 64); /* the pool prefix is masked */
	b[2] = pool_alloc(p, duid_a, sizeof duid_a, 3, NULL, dummy_timer, &e);
	assert_prefix(b[2], "2001:d00:0:1::", 64);
	pool_free(p, NULL, NULL);
}

static void
test_hints(void)
{
	struct aero_pool pools[2] = {
		{.prefix = in6("2001:db8:1000::"), .plen = 40, .deleg_len = 56},
		{.prefix = in6("2001:db8:2000::"), .plen = 40, .deleg_len = 48},
	};
	struct pool *p = pool_new(pools, 2, 100);
	enum pool_err e;
	/* exact hint inside the pool */
	struct aero_prefix h = {.prefix = in6("2001:db8:1000:4200::"), .plen = 56};
	struct binding *a = pool_alloc(p, duid_a, sizeof duid_a, 1, &h,
	                               dummy_timer, &e);
	assert_prefix(a, "2001:db8:1000:4200::", 56);
	/* the same hint again: taken, the cursor gives the first free one */
	struct binding *b = pool_alloc(p, duid_b, sizeof duid_b, 1, &h,
	                               dummy_timer, &e);
	assert_prefix(b, "2001:db8:1000::", 56);
	/* shorter hint inside the pool: the pool's length */
	h = (struct aero_prefix){.prefix = in6("2001:db8:1000:4400::"), .plen = 52};
	b = pool_alloc(p, duid_b, sizeof duid_b, 2, &h, dummy_timer, &e);
	assert_prefix(b, "2001:db8:1000:4400::", 56);
	/* longer than the delegation length: ignored, cursor */
	h = (struct aero_prefix){.prefix = in6("2001:db8:1000:7700::"), .plen = 64};
	b = pool_alloc(p, duid_b, sizeof duid_b, 3, &h, dummy_timer, &e);
	assert_prefix(b, "2001:db8:1000:100::", 56);
	/* outside every pool: cursor of the first pool */
	h = (struct aero_prefix){.prefix = in6("2001:db8:9999::"), .plen = 56};
	b = pool_alloc(p, duid_b, sizeof duid_b, 4, &h, dummy_timer, &e);
	assert_prefix(b, "2001:db8:1000:200::", 56);
	/* a length-only hint picks the pool of that delegation length */
	h = (struct aero_prefix){.prefix = in6("::"), .plen = 48};
	b = pool_alloc(p, duid_b, sizeof duid_b, 5, &h, dummy_timer, &e);
	assert_prefix(b, "2001:db8:2000::", 48);
	/* peek does not allocate and does not move the cursor */
	struct aero_prefix pk, pk2;
	g_assert_cmpint(pool_peek(p, NULL, &pk), ==, POOL_OK);
	g_assert_cmpint(pool_peek(p, NULL, &pk2), ==, POOL_OK);
	g_assert_cmpmem(pk.prefix.b, 16, pk2.prefix.b, 16);
	tu_assert_in6(pk.prefix, "2001:db8:1000:300::");
	g_assert_cmpuint(pool_count(p), ==, 6);
	pool_free(p, NULL, NULL);
}

static void
test_exhaustion(void)
{
	struct aero_pool pl = {.prefix = in6("2001:db8:1000::"), .plen = 54,
	                       .deleg_len = 56};
	struct pool *p = pool_new(&pl, 1, 100);
	enum pool_err e;
	for (uint32_t i = 0; i < 4; i++)
		g_assert_nonnull(pool_alloc(p, duid_a, sizeof duid_a, i, NULL,
		                            dummy_timer, &e));
	g_assert_null(pool_alloc(p, duid_a, sizeof duid_a, 9, NULL, dummy_timer, &e));
	g_assert_cmpint(e, ==, POOL_EXHAUSTED);
	struct aero_prefix pk;
	g_assert_cmpint(pool_peek(p, NULL, &pk), ==, POOL_EXHAUSTED);
	pool_free(p, NULL, NULL);

	/* max_bindings */
	p = pool_40_56(2);
	g_assert_nonnull(pool_alloc(p, duid_a, sizeof duid_a, 1, NULL, dummy_timer, &e));
	g_assert_nonnull(pool_alloc(p, duid_a, sizeof duid_a, 2, NULL, dummy_timer, &e));
	g_assert_null(pool_alloc(p, duid_a, sizeof duid_a, 3, NULL, dummy_timer, &e));
	g_assert_cmpint(e, ==, POOL_FULL);
	struct aero_in6 x = in6("2001:db8:1000:ff00::");
	g_assert_null(pool_claim(p, duid_b, sizeof duid_b, 1, &x, 56, true,
	                         dummy_timer, &e));
	g_assert_cmpint(e, ==, POOL_FULL);
	/* bad DUID */
	g_assert_null(pool_alloc(p, duid_a, 2, 1, NULL, dummy_timer, &e));
	g_assert_cmpint(e, ==, POOL_INVAL);
	pool_free(p, NULL, NULL);
}

/* A prefix in HOLD is never given to anyone else, also after the cursor
 * wrapped; the same DUID+IAID finds it; released, it is free again. */
static void
test_hold(void)
{
	struct aero_pool pl = {.prefix = in6("2001:db8:1000::"), .plen = 54,
	                       .deleg_len = 56};
	struct pool *p = pool_new(&pl, 1, 100);
	enum pool_err e;
	struct binding *a = pool_alloc(p, duid_a, sizeof duid_a, 1, NULL,
	                               dummy_timer, &e);
	pool_set_state(p, a, BND_HOLD);
	g_assert_cmpuint(pool_count_state(p, BND_HOLD), ==, 1);
	g_assert_cmpuint(pool_count_state(p, BND_BOUND), ==, 0);
	struct aero_prefix h = {.prefix = a->prefix, .plen = 56};
	struct binding *got[3];
	for (uint32_t i = 0; i < 3; i++) {
		got[i] = pool_alloc(p, duid_b, sizeof duid_b, i, &h, dummy_timer, &e);
		g_assert_nonnull(got[i]);
		g_assert_false(in6_eq(&got[i]->prefix, &a->prefix));
	}
	/* all four are bound or held: nothing left, the held one included */
	g_assert_null(pool_alloc(p, duid_b, sizeof duid_b, 7, &h, dummy_timer, &e));
	g_assert_cmpint(e, ==, POOL_EXHAUSTED);
	g_assert_null(pool_claim(p, duid_b, sizeof duid_b, 8, &a->prefix, 56, true,
	                         dummy_timer, &e));
	g_assert_cmpint(e, ==, POOL_TAKEN);
	/* the owner finds its held binding */
	g_assert_true(pool_find(p, duid_a, sizeof duid_a, 1) == a);
	/* grace over: free again */
	struct aero_in6 freed = a->prefix;
	pool_release(p, a);
	struct binding *c = pool_alloc(p, duid_b, sizeof duid_b, 7, NULL,
	                               dummy_timer, &e);
	g_assert_nonnull(c);
	g_assert_true(in6_eq(&c->prefix, &freed));
	pool_free(p, NULL, NULL);
}

static void
test_claim(void)
{
	struct pool *p = pool_40_56(100);
	enum pool_err e;
	struct aero_in6 in = in6("2001:db8:1000:ab00::");
	struct aero_in6 out = in6("2001:db8:7000::");
	struct binding *b = pool_claim(p, duid_a, sizeof duid_a, 1, &in, 56, true,
	                               dummy_timer, &e);
	assert_prefix(b, "2001:db8:1000:ab00::", 56);
	g_assert_cmpuint(b->pool, ==, 0);
	g_assert_null(pool_claim(p, duid_b, sizeof duid_b, 1, &in, 56, true,
	                         dummy_timer, &e));
	g_assert_cmpint(e, ==, POOL_TAKEN);
	g_assert_null(pool_claim(p, duid_b, sizeof duid_b, 1, &out, 56, true,
	                         dummy_timer, &e));
	g_assert_cmpint(e, ==, POOL_OUTSIDE);
	/* wrong length for the pool: outside */
	g_assert_null(pool_claim(p, duid_b, sizeof duid_b, 1, &in, 60, true,
	                         dummy_timer, &e));
	g_assert_cmpint(e, ==, POOL_OUTSIDE);
	b = pool_claim(p, duid_b, sizeof duid_b, 1, &out, 48, false, dummy_timer, &e);
	assert_prefix(b, "2001:db8:7000::", 48);
	g_assert_cmpuint(b->pool, ==, POOL_NONE);
	g_assert_cmpuint(pool_used(p, 0), ==, 1);
	g_assert_cmpint(pool_index_of(p, &in, 56), ==, 0);
	g_assert_cmpint(pool_index_of(p, &out, 48), ==, -1);
	pool_free(p, NULL, NULL);
}

static void
test_overlap(void)
{
	struct aero_pool pools[2] = {
		{.prefix = in6("2001:db8:1000::"), .plen = 40, .deleg_len = 56},
		{.prefix = in6("2001:db8:1000::"), .plen = 44, .deleg_len = 48},
	};
	struct pool *p = pool_new(pools, 2, 10);
	g_assert_cmpuint(pool_n(p), ==, 1);
	g_assert_cmpuint(pool_ignored(p), ==, 1);
	pool_free(p, NULL, NULL);
}

static void
count_cb(struct binding *b, void *arg)
{
	(void)b;
	(*(unsigned *)arg)++;
}

/* Random alloc / hold / release: no prefix is ever bound twice, counts
 * stay consistent, a held prefix is only re-issued to its owner. */
static void
test_random_invariants(void)
{
	struct aero_pool pl = {.prefix = in6("2001:db8:1000::"), .plen = 50,
	                       .deleg_len = 56}; /* 64 prefixes */
	struct pool *p = pool_new(&pl, 1, 1000);
	GRand *r = tu_rand();
	for (int step = 0; step < 20000; step++) {
		uint8_t duid[10] = {0, 3, 0, 1, 2, 0, 0, 0, 0, 0};
		duid[9] = (uint8_t)g_rand_int_range(r, 0, 100);
		uint32_t iaid = (uint32_t)g_rand_int_range(r, 0, 2);
		struct binding *b = pool_find(p, duid, sizeof duid, iaid);
		enum pool_err e;
		int op = g_rand_int_range(r, 0, 3);
		if (!b && op == 0) {
			struct aero_prefix h = {.plen = 56};
			h.prefix = pl.prefix;
			h.prefix.b[6] = (uint8_t)(g_rand_int_range(r, 0, 64) & 0x3f);
			b = pool_alloc(p, duid, sizeof duid, iaid, &h, dummy_timer, &e);
			g_assert_true(b || e == POOL_EXHAUSTED);
		} else if (b && op == 1 && b->state != BND_HOLD) {
			pool_set_state(p, b, BND_HOLD);
		} else if (b && op == 2) {
			pool_release(p, b);
		}
		/* invariants */
		GPtrArray *v = pool_list(p, 0);
		g_assert_cmpuint(v->len, ==, pool_count(p));
		g_assert_cmpuint(pool_used(p, 0), ==, v->len);
		g_assert_cmpuint(pool_count_state(p, BND_BOUND) +
		                 pool_count_state(p, BND_STALE) +
		                 pool_count_state(p, BND_HOLD), ==, v->len);
		for (guint i = 1; i < v->len; i++) {
			const struct binding *x = g_ptr_array_index(v, i - 1);
			const struct binding *y = g_ptr_array_index(v, i);
			g_assert_false(in6_eq(&x->prefix, &y->prefix));
		}
		g_ptr_array_unref(v);
	}
	unsigned cnt = 0;
	size_t total = pool_count(p);
	pool_free(p, count_cb, &cnt);
	g_assert_cmpuint(cnt, ==, total);
	g_rand_free(r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pool/sequential", test_sequential);
	g_test_add_func("/pool/hints", test_hints);
	g_test_add_func("/pool/nth_bits", test_nth_bits);
	g_test_add_func("/pool/exhaustion", test_exhaustion);
	g_test_add_func("/pool/hold", test_hold);
	g_test_add_func("/pool/claim", test_claim);
	g_test_add_func("/pool/overlap", test_overlap);
	g_test_add_func("/pool/random_invariants", test_random_invariants);
	return g_test_run();
}
