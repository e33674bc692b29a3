/* The in-process network harness (tests/sim/harness.c), exercised with two
 * Relays: Relay A has a route for 2001:db8:b::/48 via Relay B (as if B
 * were a Server), B one for 2001:db8:a::/48 via A (so A is a trusted
 * sender at B), and B has no aggregate, so what A encapsulates to B comes
 * out of B's tunnel side. A packet injected at A's tunnel side thus
 * crosses exactly one underlay link A -> B. */
#include "testutil.h"
#include "../sim/harness.h"
#include "aero/aero.h"

#include <math.h>
#include <string.h>

#define in6(s) tu_in6(s)

struct arrival {
	uint32_t seq;
	aero_tstamp at;
};

struct pair_rig {
	struct sim *s;
	int a, b;
	GArray *arr;     /* struct arrival at B's tunnel side */
	unsigned other;  /* tunnel outputs elsewhere */
};

static void
sink(struct sim *s, int node, const uint8_t *pkt, size_t len, aero_tstamp now,
     void *user)
{
	(void)s;
	struct pair_rig *r = user;
	if (node != r->b || len < 52) {
		r->other++;
		return;
	}
	struct arrival a = {.at = now};
	a.seq = (uint32_t)pkt[48] << 24 | (uint32_t)pkt[49] << 16 |
	        (uint32_t)pkt[50] << 8 | pkt[51];
	g_array_append_val(r->arr, a);
}

static struct aero_config
relay_cfg(uint8_t last, uint32_t id, bool aggregate)
{
	struct aero_config c;
	aero_config_default(&c, AERO_ROLE_RELAY);
	c.self = aero_loc_v4(192, 0, 2, last, 8060);
	c.id = id;
	if (aggregate) {
		c.aggregates[0].prefix = in6("2001:db8::");
		c.aggregates[0].plen = 32;
		c.n_aggregates = 1;
	}
	return c;
}

static void
pair_learn(struct pair_rig *r)
{
	struct aero_prefix pb = {in6("2001:db8:b::"), 48};
	struct aero_prefix pa = {in6("2001:db8:a::"), 48};
	struct aero_peer b = {*sim_locator(r->s, r->b), sim_config(r->s, r->b)->id};
	struct aero_peer a = {*sim_locator(r->s, r->a), sim_config(r->s, r->a)->id};
	g_assert_cmpint(aero_node_route_update(sim_node(r->s, r->a), true, &pb, &b,
	                                       sim_now(r->s)), ==, 0);
	g_assert_cmpint(aero_node_route_update(sim_node(r->s, r->b), true, &pa, &a,
	                                       sim_now(r->s)), ==, 0);
	/* the outputs (NEIGHBOR_UP) stay queued in the nodes until the next
	 * harness call on them drains them: harmless */
}

static void
pair_init(struct pair_rig *r, uint64_t seed)
{
	memset(r, 0, sizeof *r);
	r->s = sim_new(seed);
	struct aero_config ca = relay_cfg(1, 1, true), cb = relay_cfg(2, 2, false);
	r->a = sim_add(r->s, &ca, "A");
	r->b = sim_add(r->s, &cb, "B");
	g_assert_cmpint(r->a, ==, 0);
	g_assert_cmpint(r->b, ==, 1);
	r->arr = g_array_new(FALSE, FALSE, sizeof(struct arrival));
	sim_on_tunnel(r->s, sink, r);
	pair_learn(r);
}

static void
pair_fini(struct pair_rig *r)
{
	sim_free(r->s);
	g_array_free(r->arr, TRUE);
}

/* Inject packet seq at A's tunnel side at time at. */
static void
inject(struct pair_rig *r, uint32_t seq, aero_tstamp at)
{
	uint8_t buf[256], pl[16] = {0};
	pl[0] = (uint8_t)(seq >> 24); pl[1] = (uint8_t)(seq >> 16);
	pl[2] = (uint8_t)(seq >> 8); pl[3] = (uint8_t)seq;
	struct aero_in6 src = in6("2001:db8:a::1"), dst = in6("2001:db8:b::1");
	size_t len = sim_build_udp(buf, sizeof buf, &src, &dst, 4000, 5000, pl,
	                           sizeof pl);
	sim_inject_tunnel(r->s, r->a, buf, len, at);
}

static void
test_delay(void)
{
	struct pair_rig r;
	pair_init(&r, 1);
	struct sim_link l = {.delay = 5 * AERO_MS};
	sim_link_default(r.s, &l);
	aero_tstamp t0 = sim_now(r.s) + AERO_SEC;
	for (uint32_t i = 0; i < 10; i++)
		inject(&r, i, t0 + i * AERO_MS);
	sim_run_until(r.s, t0 + AERO_SEC);
	g_assert_cmpuint(sim_now(r.s), ==, t0 + AERO_SEC);
	g_assert_cmpuint(r.arr->len, ==, 10);
	for (guint i = 0; i < r.arr->len; i++) {
		struct arrival *a = &g_array_index(r.arr, struct arrival, i);
		g_assert_cmpuint(a->seq, ==, i);
		g_assert_cmpuint(a->at, ==, t0 + i * AERO_MS + 5 * AERO_MS);
	}
	const struct sim_stats *st = sim_stats(r.s);
	g_assert_cmpuint(st->sent, ==, 10);
	g_assert_cmpuint(st->delivered, ==, 10);
	g_assert_cmpuint(st->lost + st->duplicated + st->undeliverable, ==, 0);

	/* one direction only: A -> B slower, jitter reorders */
	struct sim_link slow = {.delay = 20 * AERO_MS, .jitter = 10 * AERO_MS};
	sim_link_set(r.s, r.a, r.b, &slow);
	g_array_set_size(r.arr, 0);
	aero_tstamp t1 = sim_now(r.s);
	for (uint32_t i = 0; i < 200; i++)
		inject(&r, i, t1 + i * 100 * AERO_US);
	sim_run_until(r.s, t1 + AERO_SEC);
	g_assert_cmpuint(r.arr->len, ==, 200);
	unsigned reordered = 0;
	for (guint i = 0; i < r.arr->len; i++) {
		struct arrival *a = &g_array_index(r.arr, struct arrival, i);
		aero_tstamp sent = t1 + a->seq * 100 * AERO_US;
		g_assert_cmpuint(a->at, >=, sent + 20 * AERO_MS);
		g_assert_cmpuint(a->at, <=, sent + 30 * AERO_MS);
		reordered += i > 0 && a->seq < g_array_index(r.arr, struct arrival, i - 1).seq;
	}
	g_test_message("jitter 10 ms at 0.1 ms spacing: %u reordered", reordered);
	g_assert_cmpuint(reordered, >, 0);
	pair_fini(&r);
}

static void
test_loss_dup(void)
{
	struct pair_rig r;
	pair_init(&r, 2);
	struct sim_link l = {.delay = AERO_MS, .loss = 0.2};
	sim_link_default(r.s, &l);
	const unsigned N = 4000;
	aero_tstamp t0 = sim_now(r.s) + AERO_MS;
	for (uint32_t i = 0; i < N; i++)
		inject(&r, i, t0 + i * 10 * AERO_US);
	sim_run_until(r.s, t0 + AERO_SEC);
	const struct sim_stats *st = sim_stats(r.s);
	/* binomial(4000, 0.2): mean 800, sd 25.3; 5 sd either side */
	g_test_message("loss 0.2: lost %llu of %u", (unsigned long long)st->lost, N);
	g_assert_cmpuint(st->lost, >=, 800 - 127);
	g_assert_cmpuint(st->lost, <=, 800 + 127);
	g_assert_cmpuint(r.arr->len + st->lost, ==, N);
	g_assert_cmpuint(st->sent, ==, N);

	/* duplication */
	struct sim_link d = {.delay = AERO_MS, .dup = 0.1};
	sim_link_default(r.s, &d);
	g_array_set_size(r.arr, 0);
	uint64_t dup0 = st->duplicated;
	aero_tstamp t1 = sim_now(r.s);
	for (uint32_t i = 0; i < N; i++)
		inject(&r, i, t1 + i * 10 * AERO_US);
	sim_run_until(r.s, t1 + AERO_SEC);
	uint64_t dups = st->duplicated - dup0;
	g_test_message("dup 0.1: %llu duplicated of %u", (unsigned long long)dups, N);
	g_assert_cmpuint(dups, >=, 400 - 95); /* sd 19 */
	g_assert_cmpuint(dups, <=, 400 + 95);
	g_assert_cmpuint(r.arr->len, ==, N + dups);
	pair_fini(&r);
}

static void
test_reachability(void)
{
	struct pair_rig r;
	pair_init(&r, 3);
	aero_tstamp t = sim_now(r.s);
	sim_pair_up(r.s, r.a, r.b, false);
	inject(&r, 1, t + AERO_MS);
	sim_run_until(r.s, t + 10 * AERO_MS);
	g_assert_cmpuint(r.arr->len, ==, 0);
	g_assert_cmpuint(sim_stats(r.s)->lost, ==, 1);
	sim_pair_up(r.s, r.a, r.b, true);
	inject(&r, 2, t + 20 * AERO_MS);
	sim_run_until(r.s, t + 30 * AERO_MS);
	g_assert_cmpuint(r.arr->len, ==, 1);

	/* a down receiver, then a down sender */
	sim_node_up(r.s, r.b, false);
	g_assert_false(sim_is_up(r.s, r.b));
	inject(&r, 3, t + 40 * AERO_MS);
	sim_run_until(r.s, t + 50 * AERO_MS);
	g_assert_cmpuint(r.arr->len, ==, 1);
	sim_node_up(r.s, r.b, true);
	sim_node_up(r.s, r.a, false);
	inject(&r, 4, t + 60 * AERO_MS);
	sim_run_until(r.s, t + 70 * AERO_MS);
	g_assert_cmpuint(r.arr->len, ==, 1);
	g_assert_cmpuint(sim_stats(r.s)->lost, ==, 3);
	sim_node_up(r.s, r.a, true);
	inject(&r, 5, t + 80 * AERO_MS);
	sim_run_until(r.s, t + 90 * AERO_MS);
	g_assert_cmpuint(r.arr->len, ==, 2);
	pair_fini(&r);
}

/* A packet in flight when its receiver goes down is lost at arrival. */
static void
down_b(struct sim *s, void *user)
{
	struct pair_rig *r = user;
	sim_node_up(s, r->b, false);
}

static void
test_in_flight(void)
{
	struct pair_rig r;
	pair_init(&r, 4);
	struct sim_link l = {.delay = 10 * AERO_MS};
	sim_link_default(r.s, &l);
	aero_tstamp t = sim_now(r.s);
	inject(&r, 1, t + AERO_MS);
	sim_at(r.s, t + 5 * AERO_MS, down_b, &r);
	sim_run_until(r.s, t + 50 * AERO_MS);
	g_assert_cmpuint(r.arr->len, ==, 0);
	g_assert_cmpuint(sim_stats(r.s)->sent, ==, 1);
	g_assert_cmpuint(sim_stats(r.s)->lost, ==, 1);
	pair_fini(&r);
}

static void
test_restart(void)
{
	struct pair_rig r;
	pair_init(&r, 5);
	aero_tstamp t = sim_now(r.s);
	aero_node *old = sim_node(r.s, r.b);
	(void)old;
	inject(&r, 1, t + AERO_MS);
	sim_run_until(r.s, t + 10 * AERO_MS);
	g_assert_cmpuint(r.arr->len, ==, 1);
	g_assert_cmpuint(aero_node_counter(sim_node(r.s, r.b), "relay_to_outside"), ==, 1);
	/* B forgets everything, including that A is a trusted peer */
	sim_restart(r.s, r.b);
	g_assert_cmpuint(aero_node_counter(sim_node(r.s, r.b), "relay_to_outside"), ==, 0);
	inject(&r, 2, t + 20 * AERO_MS);
	sim_run_until(r.s, t + 30 * AERO_MS);
	g_assert_cmpuint(r.arr->len, ==, 1);
	g_assert_cmpuint(aero_node_counter(sim_node(r.s, r.b), "drop_relay_untrusted"), ==, 1);
	pair_fini(&r);
}

static void
test_move(void)
{
	struct pair_rig r;
	pair_init(&r, 6);
	aero_tstamp t = sim_now(r.s);
	struct aero_loc nl = aero_loc_v4(198, 51, 100, 2, 8060);
	sim_move(r.s, r.b, &nl);
	g_assert_true(aero_loc_equal(sim_locator(r.s, r.b), &nl));
	/* A still sends to the old locator: nobody there */
	inject(&r, 1, t + AERO_MS);
	sim_run_until(r.s, t + 10 * AERO_MS);
	g_assert_cmpuint(r.arr->len, ==, 0);
	g_assert_cmpuint(sim_stats(r.s)->undeliverable, ==, 1);
	/* A learns the new locator (same id): delivered again */
	pair_learn(&r);
	inject(&r, 2, t + 20 * AERO_MS);
	sim_run_until(r.s, t + 30 * AERO_MS);
	g_assert_cmpuint(r.arr->len, ==, 1);
	g_assert_cmpint(sim_find(r.s, "B"), ==, r.b);
	g_assert_cmpint(sim_find(r.s, "nobody"), ==, -1);
	pair_fini(&r);
}

/* One lossy, jittery, duplicating run; returns its log. */
static gchar *
det_run(uint64_t seed)
{
	struct pair_rig r;
	pair_init(&r, seed);
	sim_keep_log(r.s, true);
	struct sim_link l = {.delay = 2 * AERO_MS, .jitter = 3 * AERO_MS,
	                     .loss = 0.1, .dup = 0.05};
	sim_link_default(r.s, &l);
	aero_tstamp t = sim_now(r.s);
	for (uint32_t i = 0; i < 300; i++)
		inject(&r, i, t + i * 200 * AERO_US);
	sim_note(r.s, "half way");
	sim_run_until(r.s, t + AERO_SEC);
	gchar *log = g_strdup(sim_log(r.s)->str);
	pair_fini(&r);
	return log;
}

static void
test_determinism(void)
{
	gchar *a = det_run(11), *b = det_run(11), *c = det_run(12);
	g_assert_cmpuint(strlen(a), >, 1000);
	g_assert_cmpstr(a, ==, b);
	g_assert_cmpstr(a, !=, c);
	g_assert_nonnull(strstr(a, " test half way\n"));
	g_assert_nonnull(strstr(a, " A packet underlay 192.0.2.1:8060 -> 192.0.2.2:8060"));
	g_free(a);
	g_free(b);
	g_free(c);
}

/* Actions run in time order, equal times in the order scheduled; the step
 * hook runs after each; sim_run_cond stops as soon as cond holds. */
struct order {
	GString *seen;
	unsigned steps;
};

static void act_x(struct sim *s, void *u) { (void)s; g_string_append_c(((struct order *)u)->seen, 'x'); }
static void act_y(struct sim *s, void *u) { (void)s; g_string_append_c(((struct order *)u)->seen, 'y'); }
static void act_z(struct sim *s, void *u) { (void)s; g_string_append_c(((struct order *)u)->seen, 'z'); }

static void
on_step(struct sim *s, aero_tstamp now, void *u)
{
	(void)s; (void)now;
	((struct order *)u)->steps++;
}

static bool
seen_two(struct sim *s, void *u)
{
	(void)s;
	return ((struct order *)u)->seen->len >= 2;
}

static void
test_actions(void)
{
	struct sim *s = sim_new(1);
	struct order o = {g_string_new(NULL), 0};
	sim_on_step(s, on_step, &o);
	sim_at(s, 30, act_z, &o);
	sim_at(s, 10, act_x, &o);
	sim_at(s, 10, act_y, &o);
	g_assert_true(sim_run_cond(s, 100, seen_two, &o));
	g_assert_cmpstr(o.seen->str, ==, "xy");
	g_assert_cmpuint(sim_now(s), ==, 10);
	g_assert_true(sim_run_cond(s, 20, seen_two, &o)); /* already true */
	sim_run_until(s, 30);
	g_assert_cmpstr(o.seen->str, ==, "xyz");
	g_assert_cmpuint(o.steps, ==, 3);
	g_assert_null(sim_log(s));
	g_assert_cmpint(sim_count(s), ==, 0);
	g_string_free(o.seen, TRUE);
	sim_free(s);
}

static void
test_add_refused(void)
{
	struct sim *s = sim_new(1);
	struct aero_config c = relay_cfg(1, 1, false);
	g_assert_cmpint(sim_add(s, &c, "r1"), ==, 0);
	g_assert_cmpint(sim_add(s, &c, "dup-locator"), ==, -1);
	c.self = aero_loc_v4(192, 0, 2, 9, 8060);
	c.id = 0; /* refused by aero_node_new */
	g_assert_cmpint(sim_add(s, &c, "bad"), ==, -1);
	g_assert_cmpint(sim_count(s), ==, 1);
	g_assert_cmpstr(sim_name(s, 0), ==, "r1");
	sim_free(s);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/harness/delay", test_delay);
	g_test_add_func("/harness/loss-dup", test_loss_dup);
	g_test_add_func("/harness/reachability", test_reachability);
	g_test_add_func("/harness/in-flight", test_in_flight);
	g_test_add_func("/harness/restart", test_restart);
	g_test_add_func("/harness/move", test_move);
	g_test_add_func("/harness/determinism", test_determinism);
	g_test_add_func("/harness/actions", test_actions);
	g_test_add_func("/harness/add-refused", test_add_refused);
	return g_test_run();
}
