/* Whole protocol: mobility (digest 1.3a). A Client changes its locator 50
 * times while a UDP flow from a correspondent behind the Relay runs; the
 * Server's neighbour entry follows each move (Renew from the new locator)
 * and few packets are lost per move. */
#include "testutil.h"
#include "../sim/topo.h"

#include <stdio.h>
#include <string.h>

#define in6(s) tu_in6(s)
#define MOVES 50
#define MOVE_EVERY (2 * AERO_SEC)
#define FLOW_GAP (10 * AERO_MS)

struct mob {
	struct topo *t;
	int k;                    /* moves done */
	struct aero_loc loc[MOVES];
	unsigned nce_ok;          /* server NCE at the new locator, checked
	                             just before the next move */
	unsigned handovers;
};

static void
do_move(struct sim *s, void *user)
{
	struct mob *m = user;
	int c = m->t->client[0];
	if (m->k > 0) {
		/* the Server's NCE for the Client follows the previous move */
		char *js = aero_node_dump_json(sim_node(s, m->t->server[0]));
		char want[80], b[64];
		snprintf(want, sizeof want, "\"loc\":\"%s\",\"state\"",
		         aero_loc_format(&m->loc[m->k - 1], b, sizeof b));
		m->nce_ok += strstr(js, want) != NULL;
		g_free(js);
	}
	if (m->k >= MOVES)
		return;
	sim_move(s, c, &m->loc[m->k]);
	m->k++;
}

static void
on_event(struct sim *s, int node, const struct aero_event *ev, aero_tstamp now,
         void *user)
{
	(void)now;
	struct mob *m = user;
	if (node == m->t->client[0] && ev->type == AERO_EV_HANDOVER)
		m->handovers++;
	(void)s;
}

static void
run_mobility(bool lossy)
{
	struct topo_cfg tc = {.n_servers = 1, .relay = true, .n_clients = 1};
	if (lossy)
		tc.link = (struct sim_link){.delay = 5 * AERO_MS,
		                            .jitter = 5 * AERO_MS, .loss = 0.01};
	struct topo *t = topo_new(&tc, 3);
	struct mob m = {.t = t};
	topo_on_event(t, on_event, &m);
	g_assert_true(sim_run_cond(t->s, 30 * AERO_SEC, topo_all_bound, t));
	sim_run_until(t->s, sim_now(t->s) + AERO_SEC); /* BGP */
	struct aero_prefix p;
	g_assert_true(topo_prefix(t, 0, &p));
	struct aero_in6 dst = topo_addr1(&p), src = in6("2001:4860::8888");

	for (int k = 0; k < MOVES; k++)
		m.loc[k] = aero_loc_v4(172, 16, (uint8_t)(k / 200), (uint8_t)(1 + k % 200),
		                       (uint16_t)(30000 + k));
	aero_tstamp t0 = sim_now(t->s) + 100 * AERO_MS;
	aero_tstamp end = t0 + MOVES * MOVE_EVERY + AERO_SEC;
	uint32_t sent = 0;
	for (aero_tstamp at = t0; at < end; at += FLOW_GAP)
		topo_send(t, t->relay, &src, &dst, sent++, at);
	for (int k = 0; k <= MOVES; k++)
		sim_at(t->s, t0 + 500 * AERO_MS + (aero_tstamp)k * MOVE_EVERY, do_move, &m);
	sim_run_until(t->s, end + AERO_SEC);

	unsigned got = topo_arrived(t, t->client[0]);
	/* count distinct sequence numbers (duplicates do not hide losses) */
	GHashTable *seq = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 0; i < t->arrivals->len; i++) {
		const struct topo_arrival *a = &g_array_index(t->arrivals,
		                                              struct topo_arrival, i);
		if (a->node == t->client[0])
			g_hash_table_add(seq, GUINT_TO_POINTER(a->seq + 1));
	}
	unsigned distinct = g_hash_table_size(seq);
	g_hash_table_destroy(seq);
	unsigned lost = sent - distinct;
	uint64_t moves_seen = aero_node_counter(sim_node(t->s, t->server[0]), "srv_moves");
	g_test_message("%s: %u sent, %u arrived (%u distinct), %u lost: %.2f per "
	               "move; Server saw %llu moves; NCE followed %u/%d; handovers %u",
	               lossy ? "lossy 5+-5 ms, 1 %" : "clean 1 ms", sent, got,
	               distinct, lost, (double)lost / MOVES,
	               (unsigned long long)moves_seen, m.nce_ok, MOVES, m.handovers);
	g_assert_cmpuint(m.handovers, ==, MOVES);
	g_assert_cmpuint(m.nce_ok, ==, MOVES);
	g_assert_cmpuint(moves_seen, ==, MOVES);
	g_assert_true(topo_prefix(t, 0, NULL));
	g_assert_cmpuint(t->delegated, ==, 1);
	/* the flow pauses for about one Client->Server round trip per move;
	 * bound it at 3 packet gaps per move (plus the random loss) */
	double bound = lossy ? 3.0 + 0.02 * sent / MOVES + 1 : 3.0;
	g_assert_cmpfloat((double)lost / MOVES, <=, bound);
	topo_free(t);
}

static void
test_clean(void)
{
	run_mobility(false);
}

static void
test_lossy(void)
{
	run_mobility(true);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/mobility/50-moves", test_clean);
	g_test_add_func("/sim/mobility/50-moves-lossy", test_lossy);
	return g_test_run();
}
