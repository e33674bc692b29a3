/* tests/sim/nodefix.c -- see nodefix.h. */
#include "nodefix.h"

#include "../unit/testutil.h"

static void
collect_route(struct aero_node *n, struct fib_entry *e, void *arg)
{
	(void)n;
	g_ptr_array_add(arg, g_memdup2(e, sizeof *e));
}

void
tn_fib_clear(aero_node *n)
{
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
	fib_foreach(n, collect_route, v);
	for (guint i = 0; i < v->len; i++) {
		struct fib_entry *e = g_ptr_array_index(v, i);
		g_assert_cmpint(fib_del(n, &e->prefix, e->plen, NULL), ==, 0);
	}
	g_assert_cmpuint(fib_count(n), ==, 0);
	g_ptr_array_unref(v);
}

void
tn_route(aero_node *n, const char *p, uint8_t plen, const char *via)
{
	struct aero_in6 a = tu_in6(p);
	struct fib_nh nh = {.kind = NH_NEIGHBOR, .ll = tu_in6(via)};
	g_assert_nonnull(fib_add(n, &a, plen, &nh, FIB_ORIGIN_STATIC));
}

struct nce *
tn_nce(aero_node *n, const char *ll, struct aero_loc loc, enum nce_kind k)
{
	struct aero_in6 a = tu_in6(ll);
	struct nce *e = nce_create(n, &a, &loc, k);
	g_assert_nonnull(e);
	e->kind = k;
	return e;
}

void
tn_drain(aero_node *n)
{
	struct aero_out o;
	while (aero_node_poll(n, &o) == 1)
		;
}

void
tn_advance(aero_node *n, aero_tstamp *now, aero_duration d,
           void (*drain)(void *user), void *user)
{
	aero_tstamp end = *now + d;
	for (;;) {
		aero_tstamp dl = aero_node_deadline(n);
		if (dl == AERO_TSTAMP_NONE || dl > end)
			break;
		*now = dl > *now ? dl : *now;
		aero_node_timeout(n, *now);
		drain(user);
	}
	*now = end;
	aero_node_timeout(n, *now);
	drain(user);
}
