/* Whole protocol: prefix delegation on one Relay + one Server + Clients in
 * the harness -- 2-message and 4-message exchanges, Renew, Rebind,
 * Release, lifetimes expiring, and the data path both ways once bound. */
#include "testutil.h"
#include "../sim/topo.h"

#include <string.h>

#define in6(s) tu_in6(s)

static uint64_t
cnt(struct topo *t, int node, const char *name)
{
	return aero_node_counter(sim_node(t->s, node), name);
}

static struct topo *
one_server(struct topo_cfg *tc)
{
	tc->n_servers = 1;
	tc->relay = true;
	if (!tc->n_clients)
		tc->n_clients = 1;
	return topo_new(tc, 1);
}

/* The prefix is in Server 0's pool, the Relay learned it, and a packet
 * gets from the outside to the Client and back out. */
static void
check_bound_path(struct topo *t)
{
	struct aero_prefix p;
	g_assert_true(topo_prefix(t, 0, &p));
	g_assert_cmpuint(p.plen, ==, 56);
	struct aero_in6 pool = in6("2001:db8:100::");
	g_assert_cmpmem(p.prefix.b, 5, pool.b, 5);
	g_assert_cmpint(sim_rib_count(t->s, &p), ==, 1);
	/* after the BGP delay the Relay has the route */
	sim_run_until(t->s, sim_now(t->s) + 100 * AERO_MS);
	char *js = aero_node_dump_json(sim_node(t->s, t->relay));
	g_assert_nonnull(strstr(js, "\"learned_routes\":1"));
	g_free(js);

	struct aero_in6 cl = topo_addr1(&p), out = in6("2001:4860::8888");
	unsigned c0 = topo_arrived(t, t->client[0]), r0 = topo_arrived(t, t->relay);
	topo_send(t, t->relay, &out, &cl, 1, AERO_TSTAMP_NONE);
	topo_send(t, t->client[0], &cl, &out, 2, AERO_TSTAMP_NONE);
	sim_run_until(t->s, sim_now(t->s) + 100 * AERO_MS);
	g_assert_cmpuint(topo_arrived(t, t->client[0]), ==, c0 + 1);
	g_assert_cmpuint(topo_arrived(t, t->relay), ==, r0 + 1);
	/* one inner hop each way: the Server forwards underlay to underlay;
	 * the Relay and the Client hand packets to/from their host stacks,
	 * which count their own hops (tunnel.c) */
	for (guint i = t->arrivals->len - 2; i < t->arrivals->len; i++) {
		const struct topo_arrival *a = &g_array_index(t->arrivals,
		        struct topo_arrival, i);
		g_assert_cmpuint(a->hop_limit, ==, 63);
	}
}

static void
test_2msg(void)
{
	struct topo_cfg tc = {0};
	struct topo *t = one_server(&tc);
	g_assert_true(sim_run_cond(t->s, 30 * AERO_SEC, topo_all_bound, t));
	g_test_message("bound after %.3f s", (double)sim_now(t->s) / AERO_SEC);
	int s0 = t->server[0], c = t->client[0];
	g_assert_cmpuint(cnt(t, s0, "srv_advertise_tx"), ==, 0);
	g_assert_cmpuint(cnt(t, s0, "srv_delegations"), ==, 1);
	g_assert_cmpuint(cnt(t, c, "client_request_tx"), ==, 0);
	g_assert_cmpuint(cnt(t, c, "client_solicit_tx"), >=, 1);
	g_assert_cmpuint(t->delegated, ==, 1);
	check_bound_path(t);
	g_assert_cmpstr(t->violations->str, ==, "");
	topo_free(t);
}

static void
test_4msg(void)
{
	struct topo_cfg tc = {.four_msg = true};
	struct topo *t = one_server(&tc);
	g_assert_true(sim_run_cond(t->s, 30 * AERO_SEC, topo_all_bound, t));
	g_test_message("bound after %.3f s", (double)sim_now(t->s) / AERO_SEC);
	int s0 = t->server[0], c = t->client[0];
	g_assert_cmpuint(cnt(t, s0, "srv_advertise_tx"), >=, 1);
	g_assert_cmpuint(cnt(t, c, "client_advertise_rx"), >=, 1);
	g_assert_cmpuint(cnt(t, c, "client_request_tx"), >=, 1);
	g_assert_cmpuint(cnt(t, s0, "srv_delegations"), ==, 1);
	check_bound_path(t);
	topo_free(t);
}

/* Short lifetimes: T1 = 30 s, T2 = 48 s, valid 120 s. The Client renews
 * at T1 again and again and keeps its prefix. */
static void
test_renew(void)
{
	struct topo_cfg tc = {.vltime = 120, .pltime = 60};
	struct topo *t = one_server(&tc);
	g_assert_true(sim_run_cond(t->s, 30 * AERO_SEC, topo_all_bound, t));
	struct aero_prefix p0, p1;
	g_assert_true(topo_prefix(t, 0, &p0));
	sim_run_until(t->s, sim_now(t->s) + 300 * AERO_SEC);
	g_assert_true(topo_prefix(t, 0, &p1));
	g_assert_cmpmem(&p0, sizeof p0, &p1, sizeof p1);
	int c = t->client[0];
	g_test_message("renews %llu, renewed events %u",
	               (unsigned long long)cnt(t, c, "client_renew_tx"), t->renewed);
	g_assert_cmpuint(cnt(t, c, "client_renew_tx"), >=, 9);
	g_assert_cmpuint(t->renewed, >=, 9);
	g_assert_cmpuint(cnt(t, c, "client_rebind_tx"), ==, 0);
	g_assert_cmpuint(cnt(t, t->server[0], "srv_renewals"), >=, 9);
	g_assert_cmpuint(t->lost, ==, 0);
	g_assert_cmpuint(t->delegated, ==, 1);
	check_bound_path(t);
	topo_free(t);
}

/* The Server is unreachable from T1 until after T2: the Renews go
 * unanswered, the Client Rebinds and keeps its prefix. */
struct pair_arg {
	struct topo *t;
	bool up;
};

static void
set_pair(struct sim *s, void *user)
{
	struct pair_arg *a = user;
	sim_pair_up(s, a->t->client[0], a->t->server[0], a->up);
}

static void
test_rebind(void)
{
	struct topo_cfg tc = {.vltime = 120, .pltime = 60};
	struct topo *t = one_server(&tc);
	g_assert_true(sim_run_cond(t->s, 30 * AERO_SEC, topo_all_bound, t));
	struct aero_prefix p0, p1;
	g_assert_true(topo_prefix(t, 0, &p0));
	aero_tstamp t0 = sim_now(t->s);
	struct pair_arg down = {t, false}, up = {t, true};
	sim_at(t->s, t0 + 20 * AERO_SEC, set_pair, &down);
	sim_at(t->s, t0 + 55 * AERO_SEC, set_pair, &up); /* after T2 = 48 s */
	sim_run_until(t->s, t0 + 100 * AERO_SEC);
	int c = t->client[0];
	g_test_message("renews %llu, rebinds %llu",
	               (unsigned long long)cnt(t, c, "client_renew_tx"),
	               (unsigned long long)cnt(t, c, "client_rebind_tx"));
	g_assert_cmpuint(cnt(t, c, "client_rebind_tx"), >=, 1);
	g_assert_true(topo_prefix(t, 0, &p1));
	g_assert_cmpmem(&p0, sizeof p0, &p1, sizeof p1);
	g_assert_cmpuint(t->lost, ==, 0);
	check_bound_path(t);
	topo_free(t);
}

static void
do_shutdown(struct sim *s, void *user)
{
	struct topo *t = user;
	g_assert_cmpint(aero_node_shutdown(sim_node(s, t->client[0]), sim_now(s)),
	                ==, 0);
	sim_drain(s, t->client[0]);
}

static void
test_release(void)
{
	struct topo_cfg tc = {0};
	struct topo *t = one_server(&tc);
	g_assert_true(sim_run_cond(t->s, 30 * AERO_SEC, topo_all_bound, t));
	struct aero_prefix p;
	g_assert_true(topo_prefix(t, 0, &p));
	sim_run_until(t->s, sim_now(t->s) + AERO_SEC);
	sim_at(t->s, sim_now(t->s), do_shutdown, t);
	sim_run_until(t->s, sim_now(t->s) + 10 * AERO_SEC);
	g_assert_false(topo_prefix(t, 0, NULL));
	g_assert_cmpuint(t->lost, ==, 1);
	g_assert_cmpuint(cnt(t, t->client[0], "client_release_tx"), >=, 1);
	g_assert_cmpuint(cnt(t, t->server[0], "srv_releases"), ==, 1);
	g_assert_cmpint(sim_rib_count(t->s, &p), ==, 0);
	char *js = aero_node_dump_json(sim_node(t->s, t->relay));
	g_assert_nonnull(strstr(js, "\"learned_routes\":0"));
	g_free(js);
	/* the Client stays quiet: no new Solicit after its shutdown */
	uint64_t sol = cnt(t, t->client[0], "client_solicit_tx");
	sim_run_until(t->s, sim_now(t->s) + 60 * AERO_SEC);
	g_assert_cmpuint(cnt(t, t->client[0], "client_solicit_tx"), ==, sol);
	topo_free(t);
}

/* The Client is cut off for good: both sides let the lease expire at the
 * valid lifetime; the route is withdrawn. */
static void
test_expiry(void)
{
	struct topo_cfg tc = {.vltime = 120, .pltime = 60};
	struct topo *t = one_server(&tc);
	g_assert_true(sim_run_cond(t->s, 30 * AERO_SEC, topo_all_bound, t));
	struct aero_prefix p;
	g_assert_true(topo_prefix(t, 0, &p));
	aero_tstamp bound_at = sim_now(t->s);
	sim_pair_up(t->s, t->client[0], t->server[0], false);
	sim_run_until(t->s, bound_at + 119 * AERO_SEC);
	g_assert_true(topo_prefix(t, 0, NULL));
	g_assert_cmpint(sim_rib_count(t->s, &p), ==, 1);
	sim_run_until(t->s, bound_at + 122 * AERO_SEC);
	g_assert_false(topo_prefix(t, 0, NULL));
	g_assert_cmpuint(t->lost, ==, 1);
	g_assert_cmpuint(cnt(t, t->server[0], "srv_expiries"), ==, 1);
	g_assert_cmpint(sim_rib_count(t->s, &p), ==, 0);
	/* the Client solicits again; once the link is back it gets a prefix */
	sim_pair_up(t->s, t->client[0], t->server[0], true);
	g_assert_true(sim_run_cond(t->s, sim_now(t->s) + 600 * AERO_SEC,
	                           topo_all_bound, t));
	g_assert_cmpuint(t->delegated, ==, 2);
	g_assert_cmpstr(t->violations->str, ==, "");
	topo_free(t);
}

/* The PRL found by name (DNS via the harness). */
static void
test_dns(void)
{
	struct topo_cfg tc = {.client_dns = true};
	struct topo *t = one_server(&tc);
	g_assert_true(sim_run_cond(t->s, 30 * AERO_SEC, topo_all_bound, t));
	g_assert_cmpuint(cnt(t, t->client[0], "client_name_query"), >=, 1);
	check_bound_path(t);
	topo_free(t);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/pd/2msg", test_2msg);
	g_test_add_func("/sim/pd/4msg", test_4msg);
	g_test_add_func("/sim/pd/renew", test_renew);
	g_test_add_func("/sim/pd/rebind", test_rebind);
	g_test_add_func("/sim/pd/release", test_release);
	g_test_add_func("/sim/pd/expiry", test_expiry);
	g_test_add_func("/sim/pd/dns", test_dns);
	return g_test_run();
}
