/* Whole protocol at scale: 3 Servers, 1 Relay and 200 Clients over links
 * losing 20 % of the packets. Every Client gets a prefix; no prefix is
 * ever delegated to two Clients at once (checked after every simulation
 * event); every live prefix is announced by exactly one Server. */
#include "testutil.h"
#include "../sim/topo.h"

#include <string.h>

static void
step_check(struct sim *s, aero_tstamp now, void *user)
{
	(void)s; (void)now;
	struct topo *t = user;
	if (t->double_bound)
		g_error("double delegation: %s", t->violations->str);
}

static void
check_distinct(struct topo *t)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; i < t->n_clients; i++) {
		struct aero_prefix p;
		if (!topo_prefix(t, i, &p))
			continue;
		char b[64];
		topo_pfx_str(&p, b, sizeof b);
		g_assert_false(g_hash_table_contains(seen, b));
		g_hash_table_add(seen, g_strdup(b));
	}
	g_hash_table_destroy(seen);
}

static void
run_scale(uint64_t seed, double loss)
{
	struct topo_cfg tc = {
		.n_servers = 3, .relay = true, .n_clients = 200,
		.vltime = 600, .pltime = 300,
		.link = {.delay = 2 * AERO_MS, .jitter = 3 * AERO_MS, .loss = loss},
	};
	struct topo *t = topo_new(&tc, seed);
	sim_on_step(t->s, step_check, t);
	bool all = sim_run_cond(t->s, 600 * AERO_SEC, topo_all_bound, t);
	g_test_message("seed %llu loss %.2f: %d/%d bound at %.1f s; %llu sent, %llu lost",
	               (unsigned long long)seed, loss, topo_n_bound(t), t->n_clients,
	               (double)sim_now(t->s) / AERO_SEC,
	               (unsigned long long)sim_stats(t->s)->sent,
	               (unsigned long long)sim_stats(t->s)->lost);
	g_assert_true(all);
	check_distinct(t);
	/* let BGP settle, then every live prefix has exactly one Server */
	sim_run_until(t->s, sim_now(t->s) + AERO_SEC);
	GString *why = g_string_new(NULL);
	int bad = topo_announce_errors(t, why);
	if (bad)
		g_test_message("%s", why->str);
	g_assert_cmpint(bad, ==, 0);

	/* keep running through several renewals under loss */
	sim_run_until(t->s, sim_now(t->s) + 700 * AERO_SEC);
	unsigned per_server[3] = {0};
	for (int k = 0; k < 3; k++)
		per_server[k] = (unsigned)aero_node_counter(sim_node(t->s, t->server[k]),
		                                            "srv_renewals");
	g_test_message("after 700 s more: %d bound, delegated %u renewed %u lost %u; "
	               "renewals per Server %u %u %u",
	               topo_n_bound(t), t->delegated, t->renewed, t->lost,
	               per_server[0], per_server[1], per_server[2]);
	g_assert_cmpint(topo_n_bound(t), >=, t->n_clients * 95 / 100);
	check_distinct(t);
	sim_run_until(t->s, sim_now(t->s) + AERO_SEC);
	g_string_truncate(why, 0);
	bad = topo_announce_errors(t, why);
	if (bad)
		g_test_message("%s", why->str);
	g_assert_cmpint(bad, ==, 0);
	g_assert_cmpuint(t->double_bound, ==, 0);
	g_string_free(why, TRUE);
	/* the Relay holds one route per live prefix at least */
	char *js = aero_node_dump_json(sim_node(t->s, t->relay));
	const char *lr = strstr(js, "\"learned_routes\":");
	g_assert_nonnull(lr);
	g_assert_cmpint(atoi(lr + 17), >=, topo_n_bound(t));
	g_free(js);
	topo_free(t);
}

static void
test_lossy(void)
{
	run_scale(1, 0.2);
}

static void
test_lossless(void)
{
	run_scale(2, 0.0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/scale/200-clients-20pct-loss", test_lossy);
	g_test_add_func("/sim/scale/200-clients-no-loss", test_lossless);
	return g_test_run();
}
