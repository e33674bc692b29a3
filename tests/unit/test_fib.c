/*
 * The FIB of core/src/fib.c (digest 6.5): longest-prefix match over many
 * lengths, /0 and /128, delete restoring the shorter match, ECMP add and
 * remove, fib_pick stability and uniformity, the max_routes bound and the
 * fib_foreach order. Checked against a brute-force reference.
 */
#include "testutil.h"
#include "../../core/src/node.h"

#include <string.h>

#define CNT(n, name) aero_node_counter((n), #name)

static void
rnd(uint8_t *d, size_t len, void *u)
{
	(void)u;
	for (size_t i = 0; i < len; i++)
		d[i] = (uint8_t)(i * 31 + 7);
}

static const struct aero_callbacks cbs = {.rand = rnd};

static void
collect_route(struct aero_node *n, struct fib_entry *e, void *arg)
{
	(void)n;
	g_ptr_array_add(arg, e);
}

/* A Relay as a FIB container, with whatever its start() installed removed. */
static aero_node *
mk_node(size_t max_routes)
{
	struct aero_config c;
	aero_node *n = NULL;

	aero_config_default(&c, AERO_ROLE_RELAY);
	c.self = aero_loc_v4(192, 0, 2, 1, 8060);
	c.id = 1;
	c.max_routes = max_routes;
	g_assert_cmpint(aero_node_new(&n, &c, &cbs, NULL, 0), ==, 0);
	GPtrArray *v = g_ptr_array_new();
	fib_foreach(n, collect_route, v);
	for (guint i = 0; i < v->len; i++) {
		struct fib_entry *e = g_ptr_array_index(v, i);
		struct aero_in6 p = e->prefix;
		g_assert_cmpint(fib_del(n, &p, e->plen, NULL), ==, 0);
	}
	g_ptr_array_unref(v);
	g_assert_cmpuint(fib_count(n), ==, 0);
	return n;
}

static struct fib_nh
nh_ll(uint32_t id)
{
	struct fib_nh nh = {.kind = NH_NEIGHBOR};

	aero_addr_server_ll(&nh.ll, id);
	return nh;
}

static struct fib_nh
nh_tun(uint32_t ifindex)
{
	struct fib_nh nh = {.kind = NH_TUNNEL, .ifindex = ifindex};

	return nh;
}

static bool
in_prefix(const struct aero_in6 *a, const struct aero_in6 *p, unsigned plen)
{
	struct aero_in6 m;

	aero_addr_prefix_mask(&m, a, (uint8_t)plen);
	return in6_eq(&m, p);
}

/* ---- LPM against a brute-force reference --------------------------------- */

struct ref {
	struct aero_in6 p; /* masked */
	unsigned plen;
	uint32_t tag;      /* ifindex of the NH_TUNNEL next hop */
	bool live;
};

static const struct ref *
ref_lookup(const struct ref *r, size_t nr, const struct aero_in6 *a)
{
	const struct ref *best = NULL;

	for (size_t i = 0; i < nr; i++)
		if (r[i].live && in_prefix(a, &r[i].p, r[i].plen) &&
		    (!best || r[i].plen > best->plen))
			best = &r[i];
	return best;
}

/* A random address near one of a few bases, so prefixes nest. */
static struct aero_in6
rand_addr(GRand *g)
{
	static const char *const bases[] = {"2001:db8::", "2001:db8:1234::",
	                                    "2001:db8:1234:5600::", "fe80::"};
	struct aero_in6 a = tu_in6(bases[g_rand_int_range(g, 0, 4)]);
	int keep = g_rand_int_range(g, 0, 129); /* randomise bits from here */
	for (int b = keep; b < 128; b++)
		if (g_rand_boolean(g))
			a.b[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
	return a;
}

static void
test_lpm_random(void)
{
	GRand *g = tu_rand();
	aero_node *n = mk_node(0);
	enum { NR = 600 };
	struct ref *r = g_new0(struct ref, NR);
	size_t nr = 0;

	for (int round = 0; round < 3000; round++) {
		int op = g_rand_int_range(g, 0, 10);
		if (op < 5 && nr < NR) { /* add */
			struct aero_in6 a = rand_addr(g);
			unsigned plen = (unsigned)g_rand_int_range(g, 0, 129);
			struct aero_in6 p;
			aero_addr_prefix_mask(&p, &a, (uint8_t)plen);
			uint32_t tag = (uint32_t)round + 1;
			struct fib_nh nh = nh_tun(tag);
			struct fib_entry *e = fib_add(n, &a, (uint8_t)plen, &nh,
			                              FIB_ORIGIN_STATIC);
			g_assert_nonnull(e);
			g_assert_true(in6_eq(&e->prefix, &p)); /* stored masked */
			g_assert_cmpuint(e->plen, ==, plen);
			/* same prefix again: the different next hop replaces */
			bool found = false;
			for (size_t i = 0; i < nr; i++)
				if (r[i].live && r[i].plen == plen && in6_eq(&r[i].p, &p)) {
					r[i].tag = tag;
					found = true;
				}
			if (!found)
				r[nr++] = (struct ref){p, plen, tag, true};
		} else if (op < 7 && nr > 0) { /* delete */
			struct ref *x = &r[g_rand_int_range(g, 0, (gint32)nr)];
			int rc = fib_del(n, &x->p, (uint8_t)x->plen, NULL);
			int want = -1; /* a dead ref may have a live twin */
			for (size_t i = 0; i < nr; i++)
				if (r[i].live && r[i].plen == x->plen &&
				    in6_eq(&r[i].p, &x->p)) {
					want = 0;
					r[i].live = false;
				}
			g_assert_cmpint(rc, ==, want);
		} else { /* lookups */
			for (int k = 0; k < 20; k++) {
				struct aero_in6 a = rand_addr(g);
				const struct ref *want = ref_lookup(r, nr, &a);
				struct fib_entry *e = fib_lookup(n, &a);
				if (!want) {
					g_assert_null(e);
					continue;
				}
				g_assert_nonnull(e);
				g_assert_cmpuint(e->plen, ==, want->plen);
				g_assert_true(in6_eq(&e->prefix, &want->p));
				g_assert_cmpuint(e->nh[0].ifindex, ==, want->tag);
			}
		}
		size_t live = 0;
		for (size_t i = 0; i < nr; i++)
			live += r[i].live;
		g_assert_cmpuint(fib_count(n), ==, live);
	}
	g_free(r);
	g_rand_free(g);
	aero_node_free(n);
}

static void
test_lpm_edges(void)
{
	aero_node *n = mk_node(0);
	struct aero_in6 any = in6_any, a = tu_in6("2001:db8:1:2::99");
	struct fib_nh d = nh_tun(100);

	g_assert_null(fib_lookup(n, &a));
	g_assert_cmpint(fib_del(n, &any, 0, NULL), ==, -1);
	/* /0 default: matches everything, also with a non-zero prefix given */
	struct aero_in6 junk = tu_in6("ffff::1");
	g_assert_nonnull(fib_add(n, &junk, 0, &d, FIB_ORIGIN_STATIC));
	g_assert_nonnull(fib_exact(n, &any, 0));
	g_assert_cmpuint(fib_lookup(n, &a)->plen, ==, 0);
	g_assert_cmpuint(fib_lookup(n, &any)->plen, ==, 0);

	/* a chain of every length 1..128 along a */
	for (unsigned l = 1; l <= 128; l++) {
		struct fib_nh nh = nh_tun(l);
		g_assert_nonnull(fib_add(n, &a, (uint8_t)l, &nh, FIB_ORIGIN_STATIC));
	}
	g_assert_cmpuint(fib_count(n), ==, 129);
	g_assert_cmpuint(fib_lookup(n, &a)->plen, ==, 128);
	/* an address that leaves a's path after bit k matches /k */
	for (unsigned k = 0; k < 128; k++) {
		struct aero_in6 b = a;
		b.b[k / 8] ^= (uint8_t)(0x80 >> (k % 8));
		struct fib_entry *e = fib_lookup(n, &b);
		g_assert_nonnull(e);
		g_assert_cmpuint(e->plen, ==, k);
		g_assert_cmpuint(e->nh[0].ifindex, ==, k ? k : 100);
	}
	/* deleting the longest restores the next shorter one, down to /0 */
	for (unsigned l = 128; l >= 1; l--) {
		g_assert_cmpint(fib_del(n, &a, (uint8_t)l, NULL), ==, 0);
		g_assert_cmpint(fib_del(n, &a, (uint8_t)l, NULL), ==, -1);
		struct fib_entry *e = fib_lookup(n, &a);
		g_assert_nonnull(e);
		g_assert_cmpuint(e->plen, ==, l - 1);
	}
	g_assert_cmpint(fib_del(n, &any, 0, NULL), ==, 0);
	g_assert_null(fib_lookup(n, &a));
	g_assert_cmpuint(fib_count(n), ==, 0);

	/* /128 only matches itself */
	struct fib_nh h = nh_tun(7);
	g_assert_nonnull(fib_add(n, &a, 128, &h, FIB_ORIGIN_STATIC));
	struct aero_in6 b = a;
	b.b[15] ^= 1;
	g_assert_null(fib_lookup(n, &b));
	g_assert_nonnull(fib_lookup(n, &a));
	/* a kind change replaces the route */
	struct fib_nh bh = {.kind = NH_BLACKHOLE};
	struct fib_entry *e = fib_add(n, &a, 128, &bh, FIB_ORIGIN_DHCP);
	g_assert_cmpuint(e->n_nh, ==, 1);
	g_assert_cmpint(e->nh[0].kind, ==, NH_BLACKHOLE);
	g_assert_cmpuint(e->origin, ==, FIB_ORIGIN_DHCP);
	g_assert_cmpuint(fib_count(n), ==, 1);
	aero_node_free(n);
}

/* ---- ECMP ----------------------------------------------------------------- */

static void
test_ecmp(void)
{
	aero_node *n = mk_node(0);
	struct aero_in6 p = tu_in6("2001:db8:100::");
	struct fib_entry *e = NULL;

	for (uint32_t i = 1; i <= FIB_MAX_NH; i++) {
		struct fib_nh nh = nh_ll(i);
		e = fib_add(n, &p, 40, &nh, FIB_ORIGIN_LEARNED);
		g_assert_nonnull(e);
		g_assert_cmpuint(e->n_nh, ==, i);
		/* adding the same next hop again changes nothing */
		g_assert_true(fib_add(n, &p, 40, &nh, FIB_ORIGIN_LEARNED) == e);
		g_assert_cmpuint(e->n_nh, ==, i);
	}
	g_assert_cmpuint(fib_count(n), ==, 1);
	/* one more than FIB_MAX_NH: refused, the others stay */
	struct fib_nh extra = nh_ll(99);
	uint64_t f0 = CNT(n, drop_fib_full);
	g_assert_null(fib_add(n, &p, 40, &extra, FIB_ORIGIN_LEARNED));
	g_assert_cmpuint(CNT(n, drop_fib_full), ==, f0 + 1);
	g_assert_cmpuint(e->n_nh, ==, FIB_MAX_NH);
	for (uint32_t i = 1; i <= FIB_MAX_NH; i++) {
		struct fib_nh nh = nh_ll(i);
		bool have = false;
		for (unsigned k = 0; k < e->n_nh; k++)
			have |= in6_eq(&e->nh[k].ll, &nh.ll);
		g_assert_true(have);
	}

	/* fib_pick: stable per hash, uniform over the next hops */
	enum { FLOWS = 40000 };
	unsigned hits[FIB_MAX_NH] = {0};
	GRand *g = tu_rand();
	for (int f = 0; f < FLOWS; f++) {
		uint32_t h = g_rand_int(g);
		const struct fib_nh *a = fib_pick(e, h), *b = fib_pick(e, h);
		g_assert_true(a == b);
		g_assert_true(a >= e->nh && a < e->nh + e->n_nh);
		hits[a - e->nh]++;
	}
	for (unsigned k = 0; k < FIB_MAX_NH; k++) /* 10000 +- 5 % */
		g_assert_cmpuint(hits[k], >, FLOWS / FIB_MAX_NH * 95 / 100);
	/* real flow hashes of inner packets also spread */
	memset(hits, 0, sizeof hits);
	for (int f = 0; f < 4000; f++) {
		uint8_t pkt[128];
		struct aero_in6 s = tu_in6("2001:db8:1::1"), d = tu_in6("2001:db8:100::1");
		uint8_t pl[8] = {0};
		int k = build_udp(pkt, sizeof pkt, &s, &d, 64, (uint16_t)(1024 + f),
		                  80, pl, sizeof pl);
		g_assert_cmpint(k, >, 0);
		uint32_t h = node_flow_hash(pkt, (size_t)k);
		hits[fib_pick(e, h) - e->nh]++;
	}
	for (unsigned k = 0; k < FIB_MAX_NH; k++)
		g_assert_cmpuint(hits[k], >, 4000 / FIB_MAX_NH * 80 / 100);
	g_rand_free(g);

	/* remove next hops one by one; a removed one is never picked */
	for (uint32_t i = 1; i <= FIB_MAX_NH; i++) {
		struct fib_nh nh = nh_ll(i);
		g_assert_cmpint(fib_del(n, &p, 40, &nh), ==, 0);
		g_assert_cmpint(fib_del(n, &p, 40, &nh), ==, -1);
		if (i == FIB_MAX_NH)
			break;
		e = fib_exact(n, &p, 40);
		g_assert_nonnull(e);
		g_assert_cmpuint(e->n_nh, ==, FIB_MAX_NH - i);
		for (uint32_t h = 0; h < 1000; h++) {
			const struct fib_nh *x = fib_pick(e, h * 4294967u);
			g_assert_false(in6_eq(&x->ll, &nh.ll));
		}
	}
	g_assert_null(fib_exact(n, &p, 40)); /* last next hop gone: route gone */
	g_assert_cmpuint(fib_count(n), ==, 0);
	aero_node_free(n);
}

/* ---- bound and order ---------------------------------------------------------- */

static void
test_max_routes(void)
{
	aero_node *n = mk_node(10);
	struct aero_in6 p = tu_in6("2001:db8::");

	for (int i = 0; i < 10; i++) {
		p.b[6] = (uint8_t)i;
		struct fib_nh nh = nh_tun(1);
		g_assert_nonnull(fib_add(n, &p, 56, &nh, FIB_ORIGIN_DHCP));
	}
	uint64_t f0 = CNT(n, drop_fib_full);
	p.b[6] = 50;
	struct fib_nh nh = nh_tun(1);
	g_assert_null(fib_add(n, &p, 56, &nh, FIB_ORIGIN_DHCP));
	g_assert_null(fib_add(n, &p, 64, &nh, FIB_ORIGIN_DHCP));
	g_assert_cmpuint(CNT(n, drop_fib_full), ==, f0 + 2);
	g_assert_cmpuint(fib_count(n), ==, 10);
	/* an existing route can still be updated when full */
	p.b[6] = 3;
	struct fib_nh nb = nh_ll(5);
	g_assert_nonnull(fib_add(n, &p, 56, &nb, FIB_ORIGIN_LEARNED));
	/* and after a delete there is room again */
	g_assert_cmpint(fib_del(n, &p, 56, NULL), ==, 0);
	p.b[6] = 50;
	g_assert_nonnull(fib_add(n, &p, 56, &nh, FIB_ORIGIN_DHCP));
	g_assert_cmpuint(CNT(n, drop_fib_full), ==, f0 + 2);
	aero_node_free(n);
}

static void
test_foreach_order(void)
{
	aero_node *n = mk_node(0);
	static const struct { const char *p; unsigned l; } rt[] = {
		{"2001:db8:1::", 48}, {"::", 0}, {"2001:db8::", 32},
		{"2001:db8:1::", 64}, {"fe80::1", 128}, {"2001:db8:1::", 56},
		{"2000::", 3}, {"2001:db8:0:1::", 64},
	};
	static const char *const want[] = {
		"::/0", "2000::/3", "2001:db8::/32", "2001:db8:0:1::/64",
		"2001:db8:1::/48", "2001:db8:1::/56", "2001:db8:1::/64",
		"fe80::1/128",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(rt); i++) {
		struct aero_in6 p = tu_in6(rt[i].p);
		struct fib_nh nh = nh_tun(1);
		g_assert_nonnull(fib_add(n, &p, (uint8_t)rt[i].l, &nh, FIB_ORIGIN_STATIC));
	}
	GPtrArray *v = g_ptr_array_new();
	fib_foreach(n, collect_route, v);
	g_assert_cmpuint(v->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < v->len; i++) {
		struct fib_entry *e = g_ptr_array_index(v, i);
		char b[64], c[80];
		g_snprintf(c, sizeof c, "%s/%u", aero_in6_format(&e->prefix, b, sizeof b),
		           e->plen);
		g_assert_cmpstr(c, ==, want[i]);
	}
	g_ptr_array_unref(v);
	aero_node_free(n);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/fib/lpm/random", test_lpm_random);
	g_test_add_func("/fib/lpm/edges", test_lpm_edges);
	g_test_add_func("/fib/ecmp", test_ecmp);
	g_test_add_func("/fib/max-routes", test_max_routes);
	g_test_add_func("/fib/foreach-order", test_foreach_order);
	return g_test_run();
}
