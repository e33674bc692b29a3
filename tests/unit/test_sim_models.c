/* Whole protocol: the Client models (digest 1.4; PIO-X draft 6.2.1) ask the
 * host for the right configuration once a prefix is delegated, and undo
 * exactly that on Release:
 *   host    AERO address (fe80::/64, no DAD), prefix::1/128 on the AERO
 *           interface (no DAD), the prefix black-holed, default route via
 *           the Server;
 *   router  AERO address, the prefix black-holed, one /64 per downstream
 *           link k (on-link route + ::1/64 with DAD), default route; no
 *           address from the prefix on the AERO interface;
 *   hybrid  both. */
#include "testutil.h"
#include "../sim/topo.h"

#include <string.h>

#define in6(s) tu_in6(s)

struct rec {
	GArray *ev; /* struct aero_event (name dropped) of Client 0 */
	int client;
};

static void
on_event(struct sim *s, int node, const struct aero_event *ev, aero_tstamp now,
         void *user)
{
	(void)s; (void)now;
	struct rec *r = user;
	if (node != r->client)
		return;
	struct aero_event e = *ev;
	e.name = NULL;
	g_array_append_val(r->ev, e);
}

static unsigned
count(struct rec *r, enum aero_event_type type, const struct aero_in6 *a,
      uint8_t plen, uint32_t ifindex, int rkind, int nodad)
{
	unsigned k = 0;
	for (guint i = 0; i < r->ev->len; i++) {
		const struct aero_event *e = &g_array_index(r->ev, struct aero_event, i);
		if (e->type != type)
			continue;
		bool addr = type == AERO_EV_ADDR_ADD || type == AERO_EV_ADDR_DEL;
		const struct aero_in6 *x = addr ? &e->addr : &e->prefix;
		if (a && memcmp(x->b, a->b, 16) != 0)
			continue;
		if (e->plen != plen || e->ifindex != ifindex)
			continue;
		if (rkind >= 0 && (int)e->rkind != rkind)
			continue;
		if (nodad >= 0 && e->nodad != (bool)nodad)
			continue;
		k++;
	}
	return k;
}

static unsigned
count_type(struct rec *r, enum aero_event_type type)
{
	unsigned k = 0;
	for (guint i = 0; i < r->ev->len; i++)
		k += g_array_index(r->ev, struct aero_event, i).type == type;
	return k;
}

static void
do_shutdown(struct sim *s, void *user)
{
	struct topo *t = user;
	aero_node_shutdown(sim_node(s, t->client[0]), sim_now(s));
	sim_drain(s, t->client[0]);
}

static void
run_model(enum aero_model model, unsigned n_ds)
{
	struct topo_cfg tc = {.n_servers = 1, .relay = true, .n_clients = 1,
	                      .model = model, .n_downstream = n_ds,
	                      .no_client_start = true};
	struct topo *t = topo_new(&tc, 4);
	struct rec r = {g_array_new(FALSE, FALSE, sizeof(struct aero_event)),
	                sim_count(t->s)};
	topo_on_event(t, on_event, &r);
	topo_add_client(t, 0);
	g_assert_cmpint(r.client, ==, t->client[0]);
	g_assert_true(sim_run_cond(t->s, 30 * AERO_SEC, topo_all_bound, t));
	sim_run_until(t->s, sim_now(t->s) + 2 * AERO_SEC);
	struct aero_prefix p;
	g_assert_true(topo_prefix(t, 0, &p));

	struct aero_in6 aero = in6("fe80::");
	memcpy(aero.b + 8, p.prefix.b, 8);
	struct aero_in6 one = topo_addr1(&p), any = {{0}};
	bool host_addr = model != AERO_MODEL_ROUTER;
	unsigned ds = model == AERO_MODEL_HOST ? 0 : n_ds;

	g_assert_cmpuint(count(&r, AERO_EV_ADDR_ADD, &aero, 64, 0, -1, 1), ==, 1);
	g_assert_cmpuint(count(&r, AERO_EV_ADDR_ADD, &one, 128, 0, -1, 1), ==,
	                 host_addr ? 1 : 0);
	g_assert_cmpuint(count(&r, AERO_EV_ROUTE_ADD, &p.prefix, p.plen, 0,
	                       AERO_RT_BLACKHOLE, -1), ==, 1);
	g_assert_cmpuint(count(&r, AERO_EV_ROUTE_ADD, &any, 0, 0, AERO_RT_VIA, -1),
	                 ==, 1);
	for (unsigned k = 1; k <= n_ds; k++) {
		struct aero_in6 dp = p.prefix;
		dp.b[7] = (uint8_t)(dp.b[7] + k);
		struct aero_in6 da = dp;
		da.b[15] = 1;
		g_assert_cmpuint(count(&r, AERO_EV_ROUTE_ADD, &dp, 64, k,
		                       AERO_RT_LINK, -1), ==, k <= ds ? 1 : 0);
		g_assert_cmpuint(count(&r, AERO_EV_ADDR_ADD, &da, 64, k, -1, 0), ==,
		                 k <= ds ? 1 : 0);
	}
	unsigned adds = count_type(&r, AERO_EV_ADDR_ADD);
	unsigned routes = count_type(&r, AERO_EV_ROUTE_ADD);
	g_test_message("%s, %u downstream: %u ADDR_ADD, %u ROUTE_ADD",
	               aero_model_name(model), n_ds, adds, routes);
	g_assert_cmpuint(adds, ==, 1 + (host_addr ? 1 : 0) + ds);
	g_assert_cmpuint(routes, ==, 2 + ds);
	g_assert_cmpuint(count_type(&r, AERO_EV_PREFIX_DELEGATED), ==, 1);

	/* the host model's address takes traffic from the outside; a router's
	 * downstream /64 too */
	struct aero_in6 out = in6("2001:4860::8888");
	struct aero_in6 dst = one;
	if (ds) {
		dst = p.prefix;
		dst.b[7] = (uint8_t)(dst.b[7] + 1);
		dst.b[15] = 0x42;
	}
	topo_send(t, t->relay, &out, &dst, 1, AERO_TSTAMP_NONE);
	sim_run_until(t->s, sim_now(t->s) + 100 * AERO_MS);
	g_assert_cmpuint(topo_arrived(t, t->client[0]), ==, host_addr || ds ? 1 : 0);

	/* Release: every ADD is undone */
	sim_at(t->s, sim_now(t->s), do_shutdown, t);
	sim_run_until(t->s, sim_now(t->s) + 10 * AERO_SEC);
	g_assert_cmpuint(count_type(&r, AERO_EV_PREFIX_LOST), ==, 1);
	g_assert_cmpuint(count_type(&r, AERO_EV_ADDR_DEL), ==, adds);
	g_assert_cmpuint(count_type(&r, AERO_EV_ROUTE_DEL), ==, routes);
	g_assert_cmpuint(count(&r, AERO_EV_ADDR_DEL, &aero, 64, 0, -1, -1), ==, 1);
	g_array_free(r.ev, TRUE);
	topo_free(t);
}

static void test_host(void) { run_model(AERO_MODEL_HOST, 0); }
static void test_host_ds(void) { run_model(AERO_MODEL_HOST, 2); }
static void test_router(void) { run_model(AERO_MODEL_ROUTER, 2); }
static void test_hybrid(void) { run_model(AERO_MODEL_HYBRID, 1); }

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/models/host", test_host);
	g_test_add_func("/sim/models/host-ignores-downstream", test_host_ds);
	g_test_add_func("/sim/models/router", test_router);
	g_test_add_func("/sim/models/hybrid", test_hybrid);
	return g_test_run();
}
