/* Whole protocol: Server failure and Server restart.
 *  - a Server goes down (sim_node_up false): its Clients fail over to the
 *    other Servers, which announce their new prefixes; the dead Server's
 *    routes leave the Relay with its BGP session;
 *  - a Server restarts with its state lost (sim_restart): its Clients
 *    restore their bindings (Rebind), the routes come back. */
#include "testutil.h"
#include "../sim/topo.h"

#include <string.h>

#define in6(s) tu_in6(s)
#define N_CLIENTS 30

static void
step_check(struct sim *s, aero_tstamp now, void *user)
{
	(void)s; (void)now;
	struct topo *t = user;
	if (t->double_bound)
		g_error("double delegation: %s", t->violations->str);
}

static bool
converged(struct sim *s, void *user)
{
	struct topo *t = user;
	return topo_all_bound(s, t) && topo_announce_errors(t, NULL) == 0;
}

/* Which Server holds Client i: the pool byte of its prefix. */
static int
server_index(struct topo *t, int i)
{
	struct aero_prefix p;
	if (!topo_prefix(t, i, &p))
		return -1;
	return p.prefix.b[4] - 1;
}

/* One packet from the outside to every Client; returns how many arrived. */
static unsigned
reach_all(struct topo *t)
{
	unsigned before = 0, after = 0;
	for (int i = 0; i < t->n_clients; i++)
		before += topo_arrived(t, t->client[i]);
	struct aero_in6 out = in6("2001:4860::8888");
	for (int i = 0; i < t->n_clients; i++) {
		struct aero_prefix p;
		if (!topo_prefix(t, i, &p))
			continue;
		struct aero_in6 a = topo_addr1(&p);
		topo_send(t, t->relay, &out, &a, (uint32_t)i, AERO_TSTAMP_NONE);
	}
	sim_run_until(t->s, sim_now(t->s) + 200 * AERO_MS);
	for (int i = 0; i < t->n_clients; i++)
		after += topo_arrived(t, t->client[i]);
	return after - before;
}

static struct topo *
setup(uint64_t seed)
{
	struct topo_cfg tc = {.n_servers = 3, .relay = true,
	                      .n_clients = N_CLIENTS, .vltime = 1200,
	                      .pltime = 600};
	struct topo *t = topo_new(&tc, seed);
	sim_on_step(t->s, step_check, t);
	g_assert_true(sim_run_cond(t->s, 60 * AERO_SEC, converged, t));
	sim_run_until(t->s, sim_now(t->s) + AERO_SEC);
	g_assert_cmpuint(reach_all(t), ==, N_CLIENTS);
	return t;
}

static void
test_server_down(void)
{
	struct topo *t = setup(1);
	int on0 = 0;
	for (int i = 0; i < N_CLIENTS; i++)
		on0 += server_index(t, i) == 0;
	g_assert_cmpint(on0, >, 0);
	aero_tstamp t0 = sim_now(t->s);
	sim_node_up(t->s, t->server[0], false);
	bool ok = sim_run_cond(t->s, t0 + 600 * AERO_SEC, converged, t);
	int still0 = 0;
	for (int i = 0; i < N_CLIENTS; i++)
		still0 += server_index(t, i) == 0;
	g_test_message("%d Clients on Server 0; converged after %.1f s; %d left "
	               "on it; delegated %u lost %u", on0,
	               (double)(sim_now(t->s) - t0) / AERO_SEC, still0,
	               t->delegated, t->lost);
	g_assert_true(ok);
	g_assert_cmpint(still0, ==, 0);
	sim_run_until(t->s, sim_now(t->s) + AERO_SEC);
	g_assert_cmpuint(reach_all(t), ==, N_CLIENTS);
	/* Server 0 comes back: its stale bindings must not take prefixes
	 * away from anyone, and nothing is announced twice */
	sim_node_up(t->s, t->server[0], true);
	sim_run_until(t->s, sim_now(t->s) + 1300 * AERO_SEC);
	g_assert_true(converged(t->s, t));
	g_assert_cmpuint(reach_all(t), ==, N_CLIENTS);
	g_assert_cmpuint(t->double_bound, ==, 0);
	topo_free(t);
}

static void
test_server_restart(void)
{
	struct topo *t = setup(2);
	struct aero_prefix before[N_CLIENTS];
	int on0 = 0;
	for (int i = 0; i < N_CLIENTS; i++) {
		g_assert_true(topo_prefix(t, i, &before[i]));
		on0 += server_index(t, i) == 0;
	}
	aero_tstamp t0 = sim_now(t->s);
	sim_restart(t->s, t->server[0]);
	/* the routes of Server 0 leave with its BGP session */
	sim_run_until(t->s, t0 + AERO_SEC);
	bool ok = sim_run_cond(t->s, t0 + 900 * AERO_SEC, converged, t);
	int same = 0;
	for (int i = 0; i < N_CLIENTS; i++) {
		struct aero_prefix p;
		same += topo_prefix(t, i, &p) && memcmp(&p, &before[i], sizeof p) == 0;
	}
	uint64_t rec = aero_node_counter(sim_node(t->s, t->server[0]), "srv_recovered");
	g_test_message("%d Clients on Server 0; restored after %.1f s; %d/%d kept "
	               "their prefix; Server 0 recovered %llu bindings", on0,
	               (double)(sim_now(t->s) - t0) / AERO_SEC, same, N_CLIENTS,
	               (unsigned long long)rec);
	g_assert_true(ok);
	sim_run_until(t->s, sim_now(t->s) + AERO_SEC);
	g_assert_cmpuint(reach_all(t), ==, N_CLIENTS);
	g_assert_cmpuint(t->double_bound, ==, 0);
	topo_free(t);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/failover/server-down", test_server_down);
	g_test_add_func("/sim/failover/server-restart", test_server_restart);
	return g_test_run();
}
