/* Whole protocol: a seeded run is reproducible. The same seed gives a
 * byte-identical log of every output of every node (sim_keep_log); a
 * different seed gives a different one. The scenario exercises every
 * source of randomness: lossy, jittery, duplicating links, Solicit delays,
 * DUIDs and transaction ids, a move, a Server restart and data. */
#include "testutil.h"
#include "../sim/topo.h"

#include <string.h>

#define in6(s) tu_in6(s)

static void
act_move(struct sim *s, void *user)
{
	struct topo *t = user;
	struct aero_loc l = aero_loc_v4(172, 16, 9, 9, 31000);
	sim_move(s, t->client[3], &l);
}

static void
act_restart(struct sim *s, void *user)
{
	struct topo *t = user;
	sim_restart(s, t->server[1]);
}

static void
act_traffic(struct sim *s, void *user)
{
	struct topo *t = user;
	struct aero_in6 out = in6("2001:4860::8888");
	for (int i = 0; i < t->n_clients; i++) {
		struct aero_prefix p;
		if (!topo_prefix(t, i, &p))
			continue;
		struct aero_in6 a = topo_addr1(&p);
		topo_send(t, t->relay, &out, &a, (uint32_t)i, sim_now(s));
		topo_send(t, t->client[i], &a, &out, (uint32_t)i, sim_now(s));
	}
}

static gchar *
run(uint64_t seed, gsize *lines)
{
	struct topo_cfg tc = {.n_servers = 3, .relay = true, .n_clients = 20,
	                      .vltime = 300, .pltime = 120,
	                      .link = {.delay = 3 * AERO_MS, .jitter = 4 * AERO_MS,
	                               .loss = 0.1, .dup = 0.02}};
	struct topo *t = topo_new(&tc, seed);
	sim_keep_log(t->s, true);
	sim_at(t->s, 20 * AERO_SEC, act_traffic, t);
	sim_at(t->s, 30 * AERO_SEC, act_move, t);
	sim_at(t->s, 40 * AERO_SEC, act_restart, t);
	sim_at(t->s, 100 * AERO_SEC, act_traffic, t);
	sim_run_until(t->s, 400 * AERO_SEC);
	gchar *log = g_strdup(sim_log(t->s)->str);
	*lines = 0;
	for (const char *p = log; *p; p++)
		*lines += *p == '\n';
	topo_free(t);
	return log;
}

static void
test_same_seed(void)
{
	gsize la, lb, lc;
	gchar *a = run(42, &la), *b = run(42, &lb), *c = run(43, &lc);
	g_test_message("seed 42: %zu lines (%zu bytes); seed 43: %zu lines",
	               la, strlen(a), lc);
	g_assert_cmpuint(la, >, 1000);
	g_assert_cmpuint(la, ==, lb);
	g_assert_true(strcmp(a, b) == 0);
	g_assert_true(strcmp(a, c) != 0);
	/* the log holds events and packets of every kind of node */
	g_assert_nonnull(strstr(a, " server0 event route-announce"));
	g_assert_nonnull(strstr(a, " server1 restart\n"));
	g_assert_nonnull(strstr(a, " client3 move 172.16.9.9:31000\n"));
	g_assert_nonnull(strstr(a, " event prefix-delegated"));
	g_assert_nonnull(strstr(a, " packet underlay "));
	g_assert_nonnull(strstr(a, " packet tunnel "));
	g_free(a);
	g_free(b);
	g_free(c);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/determinism/seeded-log", test_same_seed);
	return g_test_run();
}
