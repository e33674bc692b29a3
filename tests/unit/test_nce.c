/*
 * The neighbour cache of core/src/nce.c: create/lookup, the locator index
 * (nce_by_loc) across nce_set_loc / nce_confirm moves, shared locators and
 * deletes (checked against a brute-force model), NEIGHBOR_UP/DOWN events
 * and the max_neighbors bound.
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
		d[i] = (uint8_t)(i * 13 + 1);
}

static const struct aero_callbacks cbs = {.rand = rnd};

static aero_node *
mk_node(size_t max_neighbors)
{
	struct aero_config c;
	aero_node *n = NULL;

	aero_config_default(&c, AERO_ROLE_RELAY);
	c.self = aero_loc_v4(192, 0, 2, 1, 8060);
	c.id = 1;
	c.max_neighbors = max_neighbors;
	g_assert_cmpint(aero_node_new(&n, &c, &cbs, NULL, 0), ==, 0);
	return n;
}

static struct aero_in6
ll_of(uint32_t id)
{
	struct aero_in6 a;

	aero_addr_server_ll(&a, id);
	return a;
}

static struct aero_loc
loc_of(unsigned i)
{
	if (i % 2)
		return aero_loc_v4(10, 0, (uint8_t)(i >> 8), (uint8_t)i,
		                   (uint16_t)(1000 + i % 3));
	struct aero_in6 a = tu_in6("2001:db8:ffff::");
	a.b[14] = (uint8_t)(i >> 8);
	a.b[15] = (uint8_t)i;
	return aero_loc_v6(&a, (uint16_t)(1000 + i % 3));
}

/* Events since the last call: counts of UP and DOWN, last address. */
struct evs {
	unsigned up, down;
	struct aero_in6 addr;
	struct aero_loc loc;
};

static struct evs
events(aero_node *n)
{
	struct evs e = {0};
	struct aero_out o;

	while (aero_node_poll(n, &o) == 1) {
		if (o.kind != AERO_OUT_EVENT)
			continue;
		if (o.ev.type == AERO_EV_NEIGHBOR_UP)
			e.up++;
		else if (o.ev.type == AERO_EV_NEIGHBOR_DOWN)
			e.down++;
		else
			continue;
		e.addr = o.ev.addr;
		e.loc = o.ev.loc;
	}
	return e;
}

static void
test_basic(void)
{
	aero_node *n = mk_node(0);
	struct aero_in6 a = ll_of(5);
	struct aero_loc la = loc_of(1);
	events(n);
	size_t c0 = nce_count(n);

	g_assert_null(nce_lookup(n, &a));
	g_assert_null(nce_by_loc(n, &la));
	struct nce *e = nce_create(n, &a, &la, NCE_SERVER);
	g_assert_nonnull(e);
	g_assert_true(in6_eq(&e->ll, &a));
	g_assert_true(aero_loc_equal(&e->loc, &la));
	g_assert_cmpint(e->state, ==, NCE_REACHABLE);
	g_assert_cmpint(e->kind, ==, NCE_SERVER);
	g_assert_false(tmr_armed(&e->t_nud));
	g_assert_true(nce_lookup(n, &a) == e);
	g_assert_true(nce_by_loc(n, &la) == e);
	g_assert_cmpuint(nce_count(n), ==, c0 + 1);
	struct evs ev = events(n);
	g_assert_cmpuint(ev.up, ==, 1);
	g_assert_cmpuint(ev.down, ==, 0);
	g_assert_true(in6_eq(&ev.addr, &a));
	g_assert_true(aero_loc_equal(&ev.loc, &la));
	/* creating again returns the same entry, no event */
	struct aero_loc other = loc_of(2);
	g_assert_true(nce_create(n, &a, &other, NCE_CLIENT) == e);
	g_assert_true(aero_loc_equal(&e->loc, &la));
	g_assert_cmpuint(events(n).up, ==, 0);
	/* same address bytes, different port: not the same locator */
	struct aero_loc lp = la;
	lp.port++;
	g_assert_null(nce_by_loc(n, &lp));
	struct aero_loc unset = {0};
	g_assert_null(nce_by_loc(n, &unset));
	g_assert_null(nce_by_loc(n, NULL));

	/* move */
	struct aero_loc lb = loc_of(2);
	nce_set_loc(n, e, &lb);
	g_assert_null(nce_by_loc(n, &la));
	g_assert_true(nce_by_loc(n, &lb) == e);
	/* confirm from a new locator: moved */
	struct aero_loc lc = loc_of(3);
	g_assert_true(nce_confirm(n, e, &lc));
	g_assert_false(nce_confirm(n, e, &lc));
	g_assert_false(nce_confirm(n, e, NULL));
	g_assert_null(nce_by_loc(n, &lb));
	g_assert_true(nce_by_loc(n, &lc) == e);
	g_assert_cmpuint(events(n).up, ==, 0); /* still up: no event */

	/* INCOMPLETE entry without locator */
	struct aero_in6 b = ll_of(6);
	struct nce *f = nce_create(n, &b, NULL, NCE_RELAY);
	g_assert_cmpint(f->state, ==, NCE_INCOMPLETE);
	g_assert_cmpuint(f->loc.family, ==, 0);
	g_assert_cmpuint(events(n).up, ==, 0);
	g_assert_true(nce_confirm(n, f, &la)); /* resolved: up */
	ev = events(n);
	g_assert_cmpuint(ev.up, ==, 1);
	g_assert_true(in6_eq(&ev.addr, &b));
	g_assert_true(nce_by_loc(n, &la) == f);

	/* delete */
	uint64_t d0 = CNT(n, nce_deleted);
	nce_delete(n, e);
	g_assert_null(nce_lookup(n, &a));
	g_assert_null(nce_by_loc(n, &lc));
	g_assert_true(nce_by_loc(n, &la) == f);
	g_assert_cmpuint(CNT(n, nce_deleted), ==, d0 + 1);
	ev = events(n);
	g_assert_cmpuint(ev.down, ==, 1);
	g_assert_true(in6_eq(&ev.addr, &a));
	nce_delete(n, f);
	g_assert_cmpuint(nce_count(n), ==, c0);
	aero_node_free(n);
}

/* Two entries on one locator (NAT, a neighbour that re-registered under a
 * new address): moving or deleting one must not corrupt the index. */
static void
test_shared_locator(void)
{
	aero_node *n = mk_node(0);
	struct aero_in6 a = ll_of(10), b = ll_of(11);
	struct aero_loc l1 = loc_of(1), l2 = loc_of(2), l3 = loc_of(3);

	struct nce *ea = nce_create(n, &a, &l1, NCE_CLIENT);
	struct nce *eb = nce_create(n, &b, &l2, NCE_CLIENT);
	g_assert_true(nce_by_loc(n, &l1) == ea);
	nce_set_loc(n, eb, &l1);  /* b takes over l1 */
	g_assert_true(nce_by_loc(n, &l1) == eb);
	g_assert_null(nce_by_loc(n, &l2));
	nce_set_loc(n, ea, &l3);  /* a moves away: l1 still finds b */
	g_assert_true(nce_by_loc(n, &l1) == eb);
	g_assert_true(nce_by_loc(n, &l3) == ea);
	nce_set_loc(n, ea, &l1);  /* a back on l1 */
	g_assert_true(nce_by_loc(n, &l1) == ea);
	nce_delete(n, eb);        /* deleting b keeps a's index */
	g_assert_true(nce_by_loc(n, &l1) == ea);
	g_assert_null(nce_by_loc(n, &l3));
	nce_delete(n, ea);
	g_assert_null(nce_by_loc(n, &l1));
	aero_node_free(n);
}

/* Random operations against a model: ll -> loc, and loc -> the entry that
 * most recently took that locator (if it still has it). */
static void
test_random_model(void)
{
	enum { NA = 64, NL = 24 };
	GRand *g = tu_rand();
	aero_node *n = mk_node(0);
	bool exists[NA] = {false};
	int loc_of_a[NA];     /* -1: none */
	int owner[NL];        /* last entry that took the locator, -1 */

	for (int i = 0; i < NL; i++)
		owner[i] = -1;
	for (int round = 0; round < 20000; round++) {
		int i = g_rand_int_range(g, 0, NA);
		int l = g_rand_int_range(g, 0, NL);
		struct aero_in6 a = ll_of(100 + (uint32_t)i);
		struct aero_loc loc = loc_of((unsigned)l);
		struct nce *e = nce_lookup(n, &a);
		g_assert_true((e != NULL) == exists[i]);
		switch (g_rand_int_range(g, 0, 5)) {
		case 0: /* create */
			if (!exists[i]) {
				bool with = g_rand_boolean(g);
				e = nce_create(n, &a, with ? &loc : NULL, NCE_CLIENT);
				exists[i] = true;
				loc_of_a[i] = with ? l : -1;
				if (with)
					owner[l] = i;
			}
			break;
		case 1: /* move */
			if (exists[i]) {
				nce_set_loc(n, e, &loc);
				loc_of_a[i] = l;
				owner[l] = i;
			}
			break;
		case 2: /* confirm */
			if (exists[i]) {
				bool moved = nce_confirm(n, e, &loc);
				g_assert_true(moved == (loc_of_a[i] != l));
				if (moved) {
					loc_of_a[i] = l;
					owner[l] = i;
				}
			}
			break;
		case 3: /* delete */
			if (exists[i]) {
				nce_delete(n, e);
				exists[i] = false;
				loc_of_a[i] = -1;
			}
			break;
		default:
			break;
		}
		/* the index: a locator maps to its last taker if that entry is
		 * still there and still on it; never to an entry elsewhere */
		for (int k = 0; k < NL; k++) {
			struct aero_loc lk = loc_of((unsigned)k);
			struct nce *x = nce_by_loc(n, &lk);
			int o = owner[k];
			if (o >= 0 && exists[o] && loc_of_a[o] == k) {
				g_assert_nonnull(x);
				struct aero_in6 ao = ll_of(100 + (uint32_t)o);
				g_assert_true(in6_eq(&x->ll, &ao));
			} else if (x) {
				g_assert_true(aero_loc_equal(&x->loc, &lk));
			}
		}
	}
	g_rand_free(g);
	aero_node_free(n); /* frees what is left (ASan checks the index) */
}

static void
test_events(void)
{
	aero_node *n = mk_node(0);
	struct aero_in6 a = ll_of(20);
	struct aero_loc la = loc_of(1);

	struct nce *e = nce_create(n, &a, &la, NCE_SERVER);
	g_assert_cmpuint(events(n).up, ==, 1);
	/* REACHABLE -> STALE -> DELAY -> PROBE: still up, no events */
	nce_set_state(n, e, NCE_STALE);
	nce_set_state(n, e, NCE_DELAY);
	nce_set_state(n, e, NCE_PROBE);
	struct evs ev = events(n);
	g_assert_cmpuint(ev.up + ev.down, ==, 0);
	uint64_t u0 = CNT(n, nud_unreachable);
	nce_set_state(n, e, NCE_UNREACHABLE);
	ev = events(n);
	g_assert_cmpuint(ev.down, ==, 1);
	g_assert_cmpuint(ev.up, ==, 0);
	g_assert_cmpuint(CNT(n, nud_unreachable), ==, u0 + 1);
	nce_set_state(n, e, NCE_UNREACHABLE); /* no change, no event */
	g_assert_cmpuint(events(n).down, ==, 0);
	nce_confirm(n, e, NULL); /* back: up */
	ev = events(n);
	g_assert_cmpuint(ev.up, ==, 1);
	g_assert_cmpuint(ev.down, ==, 0);

	/* UP and DOWN alternate whatever the path: down via UNREACHABLE,
	 * back via STALE/PROBE, then delete */
	nce_set_state(n, e, NCE_UNREACHABLE);
	nce_set_state(n, e, NCE_STALE);
	nce_set_state(n, e, NCE_PROBE);
	nce_set_state(n, e, NCE_REACHABLE);
	ev = events(n);
	g_assert_cmpuint(ev.down, ==, 1);
	g_assert_cmpuint(ev.up, ==, 1);
	nce_delete(n, e);
	ev = events(n);
	g_assert_cmpuint(ev.down, ==, 1);

	/* an entry that never came up never goes down */
	struct nce *f = nce_create(n, &a, NULL, NCE_SERVER);
	nce_set_state(n, f, NCE_UNREACHABLE);
	nce_delete(n, f);
	ev = events(n);
	g_assert_cmpuint(ev.up, ==, 0);
	g_assert_cmpuint(ev.down, ==, 0);
	/* deleting an UNREACHABLE entry: it already went down once */
	f = nce_create(n, &a, &la, NCE_SERVER);
	nce_set_state(n, f, NCE_UNREACHABLE);
	nce_delete(n, f);
	ev = events(n);
	g_assert_cmpuint(ev.up, ==, 1);
	g_assert_cmpuint(ev.down, ==, 1);
	aero_node_free(n);
}

static void
test_max_neighbors(void)
{
	aero_node *n = mk_node(5);
	size_t c0 = nce_count(n);
	g_assert_cmpuint(c0, <=, 5);

	for (uint32_t i = 0; i < 5 - c0; i++) {
		struct aero_in6 a = ll_of(200 + i);
		struct aero_loc l = loc_of(i);
		g_assert_nonnull(nce_create(n, &a, &l, NCE_CLIENT));
	}
	uint64_t f0 = CNT(n, drop_nce_full), k0 = CNT(n, nce_created);
	struct aero_in6 x = ll_of(999);
	struct aero_loc lx = loc_of(99);
	g_assert_null(nce_create(n, &x, &lx, NCE_CLIENT));
	g_assert_null(nce_create(n, &x, NULL, NCE_CLIENT));
	g_assert_cmpuint(CNT(n, drop_nce_full), ==, f0 + 2);
	g_assert_cmpuint(CNT(n, nce_created), ==, k0);
	g_assert_null(nce_by_loc(n, &lx));
	/* an existing entry is still returned when full */
	struct aero_in6 a0 = ll_of(200);
	g_assert_nonnull(nce_create(n, &a0, NULL, NCE_CLIENT));
	nce_delete(n, nce_lookup(n, &a0));
	g_assert_nonnull(nce_create(n, &x, &lx, NCE_CLIENT));
	g_assert_cmpuint(nce_count(n), ==, 5);
	aero_node_free(n);
}

static void
collect(struct aero_node *n, struct nce *e, void *arg)
{
	(void)n;
	g_ptr_array_add(arg, e);
}

static void
test_foreach_sorted(void)
{
	aero_node *n = mk_node(0);
	static const uint32_t ids[] = {7, 3, 0x100, 1000, 2, 0xffffffff};

	for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
		struct aero_in6 a = ll_of(ids[i]);
		nce_create(n, &a, NULL, NCE_PEER);
	}
	GPtrArray *v = g_ptr_array_new();
	nce_foreach(n, collect, v);
	g_assert_cmpuint(v->len, ==, nce_count(n));
	for (guint i = 1; i < v->len; i++) {
		struct nce *p = g_ptr_array_index(v, i - 1), *q = g_ptr_array_index(v, i);
		g_assert_cmpint(memcmp(p->ll.b, q->ll.b, 16), <, 0);
	}
	g_ptr_array_unref(v);
	aero_node_free(n);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nce/basic", test_basic);
	g_test_add_func("/nce/shared-locator", test_shared_locator);
	g_test_add_func("/nce/random-model", test_random_model);
	g_test_add_func("/nce/events", test_events);
	g_test_add_func("/nce/max-neighbors", test_max_neighbors);
	g_test_add_func("/nce/foreach-sorted", test_foreach_sorted);
	return g_test_run();
}
