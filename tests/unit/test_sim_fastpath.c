/* The fast-path export (aero.h: aero_node_fastpath, aero_node_fastpath_sent)
 * in whole-protocol runs: the table a host's kernel data path is programmed
 * from says what the core itself would do, and the reports of what that
 * data path carried keep the core's traffic-driven state (route-optimisation
 * keepalives) alive when no data packet passes through the core. */
#include "testutil.h"
#include "../sim/topo.h"
#include "aero/wire.h"

#include <string.h>

struct fp_seen {
	struct topo *t;
	unsigned up, down;
};

static void
on_event(struct sim *s, int node, const struct aero_event *ev, aero_tstamp now,
         void *user)
{
	(void)s;
	(void)now;
	struct fp_seen *r = user;
	if (node != r->t->client[0])
		return;
	if (ev->type == AERO_EV_RO_UP)
		r->up++;
	else if (ev->type == AERO_EV_RO_DOWN)
		r->down++;
}

static const struct aero_fp_route *
find_route(const struct aero_fastpath *fp, const struct aero_in6 *dst,
           uint8_t len, bool ro)
{
	for (size_t i = 0; i < fp->n_routes; i++)
		if (fp->routes[i].ro == ro && fp->routes[i].dst_len == len &&
		    !memcmp(&fp->routes[i].dst, dst, sizeof *dst))
			return &fp->routes[i];
	return NULL;
}

static bool
admits(const struct aero_fastpath *fp, const struct aero_loc *l,
       uint8_t src_len)
{
	for (size_t i = 0; i < fp->n_admit; i++)
		if (aero_loc_equal(&fp->admit[i].loc, l) &&
		    fp->admit[i].src_len == src_len)
			return true;
	return false;
}

static uint64_t
cnt(struct topo *t, int node, const char *name)
{
	return aero_node_counter(sim_node(t->s, node), name);
}

/* Client 0 -> Client 1 behind one Server, P1 */
static void
test_p1_table_and_reports(void)
{
	struct topo_cfg tc = {.n_servers = 1, .relay = true, .n_clients = 2,
	                      .profile = AERO_PROFILE_P1};
	struct topo *t = topo_new(&tc, 11);
	struct fp_seen r = {.t = t};
	topo_on_event(t, on_event, &r);
	struct aero_fastpath fp;

	/* before the prefix: nothing for the fast path */
	g_assert_cmpint(aero_node_fastpath(sim_node(t->s, t->client[0]), &fp), ==, 0);
	g_assert_false(fp.enabled);
	g_assert_cmpuint(fp.n_routes, ==, 0);

	g_assert_true(sim_run_cond(t->s, 60 * AERO_SEC, topo_all_bound, t));
	sim_run_until(t->s, sim_now(t->s) + AERO_SEC);
	struct aero_prefix p0, p1;
	g_assert_true(topo_prefix(t, 0, &p0));
	g_assert_true(topo_prefix(t, 1, &p1));
	aero_node *c0 = sim_node(t->s, t->client[0]);
	aero_node *c1 = sim_node(t->s, t->client[1]);
	const struct aero_loc *srv = sim_locator(t->s, t->server[0]);

	g_assert_cmpint(aero_node_fastpath(c0, &fp), ==, 0);
	g_assert_true(fp.enabled);
	g_assert_true(fp.local_only); /* host model */
	g_assert_cmpuint(fp.mtu, ==, sim_config(t->s, t->client[0])->mtu);
	g_assert_true(aero_loc_equal(&fp.self, sim_locator(t->s, t->client[0])));
	/* the default route through the Server, as node_forward takes it */
	struct aero_in6 any = {{0}};
	const struct aero_fp_route *dflt = find_route(&fp, &any, 0, false);
	g_assert_nonnull(dflt);
	g_assert_cmpint(dflt->action, ==, AERO_FP_TUNNEL);
	g_assert_true(aero_loc_equal(&dflt->loc, srv));
	/* the Server is admitted with any inner source */
	g_assert_true(admits(&fp, srv, 0));
	/* nothing of the prefix leaves by the tunnel: delivered or black-holed
	 * (through the core) */
	for (size_t i = 0; i < fp.n_routes; i++)
		if (fp.routes[i].dst_len >= p0.plen)
			g_assert_cmpint(fp.routes[i].action, !=, AERO_FP_TUNNEL);
	/* a second snapshot of the same state is byte-identical (hosts compare) */
	struct aero_fastpath fp2;
	aero_node_fastpath(c0, &fp2);
	g_assert_cmpint(memcmp(&fp, &fp2, sizeof fp), ==, 0);

	/* a flow until route optimisation is up */
	struct aero_in6 a0 = topo_addr1(&p0), a1 = topo_addr1(&p1);
	aero_tstamp t0 = sim_now(t->s);
	for (uint32_t i = 0; i < 50; i++)
		topo_send(t, t->client[0], &a0, &a1, i, t0 + i * 100 * AERO_MS);
	sim_run_until(t->s, t0 + 6 * AERO_SEC);
	if (r.up == 0) {
		g_test_skip("no RO_UP: route optimisation did not happen");
		topo_free(t);
		return;
	}
	aero_node_fastpath(c0, &fp);
	const struct aero_fp_route *ro = find_route(&fp, &p1.prefix, p1.plen, true);
	g_assert_nonnull(ro);
	g_assert_cmpint(ro->action, ==, AERO_FP_TUNNEL);
	g_assert_true(aero_loc_equal(&ro->loc, sim_locator(t->s, t->client[1])));
	g_assert_cmpuint(ro->src_len, ==, p0.plen);
	g_assert_true(aero_addr_prefix_match(&ro->src, &a0, ro->src_len));
	/* Client 1 admits Client 0's locator for P(c0) -> P(c1) */
	g_assert_cmpint(aero_node_fastpath(c1, &fp), ==, 0);
	g_assert_true(admits(&fp, sim_locator(t->s, t->client[0]), p0.plen));

	/* The fast path carries the flow now: not one data packet through the
	 * core for 90 s, only reports every 500 ms. The FORWARD entry (30 s)
	 * stays up through its keepalives. */
	uint8_t pkt[128];
	uint8_t payload[4] = {0};
	(void)sim_build_udp(pkt, sizeof pkt, &a0, &a1, 40000, 9, payload, sizeof payload);
	t0 = sim_now(t->s);
	uint64_t ka0 = cnt(t, t->client[0], "ro_keepalive_sent");
	uint64_t direct0 = cnt(t, t->client[0], "client_ro_tx");
	for (unsigned i = 0; i < 180; i++)
		sim_fastpath_sent(t->s, t->client[0], pkt, AERO_IPV6_HDR_LEN + 8,
		                  t0 + i * 500 * AERO_MS);
	sim_run_until(t->s, t0 + 90 * AERO_SEC);
	g_test_message("90 s of reports: %llu keepalives, %llu reports, RO_DOWN %u",
	               (unsigned long long)(cnt(t, t->client[0], "ro_keepalive_sent") - ka0),
	               (unsigned long long)cnt(t, t->client[0], "client_fastpath_reports"),
	               r.down);
	g_assert_cmpuint(r.down, ==, 0);
	g_assert_cmpuint(cnt(t, t->client[0], "client_fastpath_reports"), ==, 180);
	g_assert_cmpuint(cnt(t, t->client[0], "ro_keepalive_sent") - ka0, >=, 10);
	g_assert_cmpuint(cnt(t, t->client[0], "client_ro_tx"), ==, direct0);
	aero_node_fastpath(c0, &fp);
	g_assert_nonnull(find_route(&fp, &p1.prefix, p1.plen, true));

	/* the reports stop: the entry goes (RO_DOWN) and leaves the table */
	sim_run_until(t->s, sim_now(t->s) + 120 * AERO_SEC);
	g_assert_cmpuint(r.down, >=, 1);
	aero_node_fastpath(c0, &fp);
	g_assert_null(find_route(&fp, &p1.prefix, p1.plen, true));
	g_assert_cmpstr(t->violations->str, ==, "");
	topo_free(t);
}

/* P2 (ICV on every packet), Servers and Relays: everything through the core */
static void
test_disabled(void)
{
	struct topo_cfg tc = {.n_servers = 1, .relay = true, .n_clients = 1,
	                      .profile = AERO_PROFILE_P2, .icv = true};
	struct topo *t = topo_new(&tc, 12);
	g_assert_true(sim_run_cond(t->s, 60 * AERO_SEC, topo_all_bound, t));
	struct aero_fastpath fp;
	int nodes[3] = {t->client[0], t->server[0], t->relay};
	for (int i = 0; i < 3; i++) {
		g_assert_cmpint(aero_node_fastpath(sim_node(t->s, nodes[i]), &fp), ==, 0);
		g_assert_false(fp.enabled);
		g_assert_cmpuint(fp.n_routes + fp.n_admit, ==, 0);
	}
	topo_free(t);
}

static void
test_bad_input(void)
{
	struct topo_cfg tc = {.n_servers = 1, .n_clients = 1, .profile = AERO_PROFILE_P1};
	struct topo *t = topo_new(&tc, 13);
	aero_node *c = sim_node(t->s, t->client[0]);
	uint8_t pkt[40] = {0x60};
	g_assert_cmpint(aero_node_fastpath(NULL, NULL), ==, AERO_ERR_INVAL);
	g_assert_cmpint(aero_node_fastpath_sent(c, pkt, 39, sim_now(t->s)), ==, AERO_ERR_INVAL);
	pkt[0] = 0x40; /* not IPv6 */
	g_assert_cmpint(aero_node_fastpath_sent(c, pkt, 40, sim_now(t->s)), ==, AERO_ERR_INVAL);
	pkt[0] = 0x60;
	g_assert_cmpint(aero_node_fastpath_sent(c, pkt, 40, sim_now(t->s)), ==, 0);
	/* time going backwards */
	sim_run_until(t->s, sim_now(t->s) + AERO_SEC);
	g_assert_cmpint(aero_node_fastpath_sent(c, pkt, 40, 0), ==, AERO_ERR_INVAL);
	topo_free(t);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/fastpath/p1-table-and-reports", test_p1_table_and_reports);
	g_test_add_func("/sim/fastpath/disabled", test_disabled);
	g_test_add_func("/sim/fastpath/bad-input", test_bad_input);
	return g_test_run();
}
