/* Whole protocol: route optimisation (RFC 6706; digest 1.3, 6.7, 7.4)
 * between two Clients behind one Server, and behind two Servers through
 * the Relay, in P1 (Predirect/Redirect) and P2 (SPD/SRD). A flow from
 * Client 0 to Client 1 starts via the Server(s); after the exchange
 * Client 0 has a FORWARD entry (RO_UP) and sends directly. */
#include "testutil.h"
#include "../sim/topo.h"

#include <string.h>

struct ro_seen {
	struct topo *t;
	unsigned up[2], down[2];
	aero_tstamp first_up;
	struct aero_loc up_loc;
};

static void
on_event(struct sim *s, int node, const struct aero_event *ev, aero_tstamp now,
         void *user)
{
	(void)s;
	struct ro_seen *r = user;
	for (int i = 0; i < 2; i++) {
		if (node != r->t->client[i])
			continue;
		if (ev->type == AERO_EV_RO_UP) {
			if (!r->up[0] && !r->up[1]) {
				r->first_up = now;
				r->up_loc = ev->loc;
			}
			r->up[i]++;
		} else if (ev->type == AERO_EV_RO_DOWN) {
			r->down[i]++;
		}
	}
}

static uint64_t
cnt(struct topo *t, int node, const char *name)
{
	return aero_node_counter(sim_node(t->s, node), name);
}

static void
run_ro(enum aero_profile prof, int n_servers, bool via_relay)
{
	struct topo_cfg tc = {.n_servers = n_servers, .relay = true,
	                      .n_clients = 2, .profile = prof,
	                      .icv = prof == AERO_PROFILE_P2,
	                      .bgp_relay_only = via_relay};
	struct topo *t = topo_new(&tc, 5);
	struct ro_seen r = {.t = t};
	topo_on_event(t, on_event, &r);
	g_assert_true(sim_run_cond(t->s, 60 * AERO_SEC, topo_all_bound, t));
	sim_run_until(t->s, sim_now(t->s) + AERO_SEC);
	struct aero_prefix p0, p1;
	g_assert_true(topo_prefix(t, 0, &p0));
	g_assert_true(topo_prefix(t, 1, &p1));
	if (n_servers == 2) /* Client i starts with Server i */
		g_assert_cmpuint(p0.prefix.b[4], !=, p1.prefix.b[4]);
	struct aero_in6 a0 = topo_addr1(&p0), a1 = topo_addr1(&p1);

	/* 20 s of a flow Client 0 -> Client 1, one packet every 100 ms */
	aero_tstamp t0 = sim_now(t->s);
	uint64_t srv_fwd0 = cnt(t, t->server[0], "forwarded");
	const unsigned N = 200;
	for (uint32_t i = 0; i < N; i++)
		topo_send(t, t->client[0], &a0, &a1, i, t0 + i * 100 * AERO_MS);
	sim_run_until(t->s, t0 + N * 100 * AERO_MS + AERO_SEC);
	unsigned got = topo_arrived(t, t->client[1]);
	uint64_t direct = cnt(t, t->client[0], "client_ro_tx");
	uint64_t via_srv = cnt(t, t->server[0], "forwarded") - srv_fwd0;
	g_test_message("P%d, %d Server(s)%s: RO_UP %u/%u after %.3f s; %u/%u arrived; "
	               "%llu direct, %llu via Server 0; predirects %llu redirects %llu "
	               "relayed(relay) %llu",
	               prof, n_servers, via_relay ? " via the Relay" : "",
	               r.up[0], r.up[1],
	               r.up[0] ? (double)(r.first_up - t0) / AERO_SEC : -1.0, got, N,
	               (unsigned long long)direct, (unsigned long long)via_srv,
	               (unsigned long long)cnt(t, t->server[0], "ro_predirect_sent"),
	               (unsigned long long)cnt(t, t->client[1], "ro_redirect_sent"),
	               (unsigned long long)cnt(t, t->relay, "ro_relayed"));
	if (r.up[0] == 0 && r.up[1] == 0) {
		g_test_skip("no RO_UP event: route optimisation did not happen");
		topo_free(t);
		return;
	}
	g_assert_cmpuint(got, ==, N);
	g_assert_cmpuint(r.up[0], >=, 1);
	/* the FORWARD entry points at Client 1's locator */
	g_assert_true(aero_loc_equal(&r.up_loc, sim_locator(t->s, t->client[1])));
	g_assert_cmpuint(direct, >=, N * 8 / 10);
	g_assert_cmpuint(cnt(t, t->client[1], "ro_accept_created"), >=, 1);
	g_assert_cmpuint(r.down[0], ==, 0);
	if (via_relay) {
		/* the first packet and the Predirect/Redirect crossed the Relay */
		g_assert_cmpuint(cnt(t, t->relay, "relay_server_to_server"), >=, 1);
		g_assert_cmpuint(cnt(t, t->relay, "ro_relayed"), >=, 2);
	}

	/* the flow stops: the FORWARD entry expires (30 s), RO_DOWN */
	sim_run_until(t->s, sim_now(t->s) + 120 * AERO_SEC);
	g_assert_cmpuint(r.down[0], >=, 1);
	g_assert_cmpstr(t->violations->str, ==, "");
	topo_free(t);
}

static void test_p1_one(void) { run_ro(AERO_PROFILE_P1, 1, false); }
static void test_p1_two(void) { run_ro(AERO_PROFILE_P1, 2, false); }
static void test_p1_relay(void) { run_ro(AERO_PROFILE_P1, 2, true); }
static void test_p2_one(void) { run_ro(AERO_PROFILE_P2, 1, false); }
static void test_p2_two(void) { run_ro(AERO_PROFILE_P2, 2, false); }
static void test_p2_relay(void) { run_ro(AERO_PROFILE_P2, 2, true); }

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/ro/p1-one-server", test_p1_one);
	g_test_add_func("/sim/ro/p1-two-servers", test_p1_two);
	g_test_add_func("/sim/ro/p1-two-servers-via-relay", test_p1_relay);
	g_test_add_func("/sim/ro/p2-one-server", test_p2_one);
	g_test_add_func("/sim/ro/p2-two-servers", test_p2_two);
	g_test_add_func("/sim/ro/p2-two-servers-via-relay", test_p2_relay);
	return g_test_run();
}
