/*
 * Last-resort next-hop discovery by name (core/src/nexthop.c; digest 4,
 * 6.5, 8 item 11; VET-40 6.4; RFC 5558 5.4.4): a Server without any route
 * asks the host for the destination's name, first the full VET-40 form,
 * then the RFC 5558 /56 form, and installs the answer as a /56 route.
 */
#include "testutil.h"
#include "aero/aero.h"
#include "aero/wire.h"

#include <string.h>

struct fx {
	aero_node *n;
	aero_tstamp now;
	uint32_t seed;
	GPtrArray *names;   /* NAME_QUERY names, in order */
	unsigned route_add, route_del;
	GPtrArray *under;   /* underlay packets: struct aero_loc copies */
};

static void
fx_rand(uint8_t *dst, size_t len, void *user)
{
	struct fx *f = user;
	for (size_t i = 0; i < len; i++) {
		f->seed = f->seed * 1103515245u + 12345u;
		dst[i] = (uint8_t)(f->seed >> 16);
	}
}

static const struct aero_callbacks cb = {.rand = fx_rand};

static void
drain(struct fx *f)
{
	struct aero_out o;
	while (aero_node_poll(f->n, &o) == 1) {
		if (o.kind == AERO_OUT_EVENT) {
			if (o.ev.type == AERO_EV_NAME_QUERY)
				g_ptr_array_add(f->names, g_strdup(o.ev.name));
			f->route_add += o.ev.type == AERO_EV_ROUTE_ADD;
			f->route_del += o.ev.type == AERO_EV_ROUTE_DEL;
		} else if (o.pi.side == AERO_SIDE_UNDERLAY) {
			g_ptr_array_add(f->under, g_memdup2(&o.pi.dst, sizeof o.pi.dst));
		}
	}
}

static void
fx_start(struct fx *f)
{
	struct aero_config c;
	aero_config_default(&c, AERO_ROLE_SERVER);
	c.self = aero_loc_v4(192, 0, 2, 1, 8060);
	c.id = 1;
	c.n_pools = 1;
	g_assert_cmpint(aero_in6_parse(&c.pools[0].prefix, "2001:db8:1000::"), ==, 0);
	c.pools[0].plen = 40;
	c.pools[0].deleg_len = 56;
	strcpy(c.prl_name, "aero.example");
	memset(f, 0, sizeof *f);
	f->seed = 7;
	f->names = g_ptr_array_new_with_free_func(g_free);
	f->under = g_ptr_array_new_with_free_func(g_free);
	g_assert_cmpint(aero_node_new(&f->n, &c, &cb, f, 0), ==, 0);
	drain(f);
}

static void
fx_stop(struct fx *f)
{
	aero_node_free(f->n);
	g_ptr_array_free(f->names, TRUE);
	g_ptr_array_free(f->under, TRUE);
}

/* An inner packet from the Server's own stack (tunnel side) to dst. */
static void
send_to(struct fx *f, const char *dst)
{
	uint8_t pkt[128] = {0};
	struct aero_ipv6 h = {.next_header = 59, .hop_limit = 64,
	                      .payload_len = 8};
	g_assert_cmpint(aero_in6_parse(&h.src, "2001:db8:ffff::1"), ==, 0);
	g_assert_cmpint(aero_in6_parse(&h.dst, dst), ==, 0);
	int k = aero_wire_ipv6_encode(pkt, sizeof pkt, &h);
	g_assert_cmpint(k, ==, 48);
	struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL};
	g_assert_cmpint(aero_node_recv(f->n, &pi, pkt, (size_t)k, f->now), ==, 0);
	drain(f);
}

static void
advance(struct fx *f, aero_duration d)
{
	aero_tstamp end = f->now + d;
	for (;;) {
		aero_tstamp t = aero_node_deadline(f->n);
		if (t == AERO_TSTAMP_NONE || t > end)
			break;
		f->now = t > f->now ? t : f->now;
		aero_node_timeout(f->n, f->now);
		drain(f);
	}
	f->now = end;
}

static const char *
last_name(struct fx *f)
{
	g_assert_cmpuint(f->names->len, >, 0);
	return g_ptr_array_index(f->names, f->names->len - 1);
}

static void
test_full_then_56_then_negative(void)
{
	struct fx f;
	fx_start(&f);
	send_to(&f, "2001:db8:1:2::1");
	g_assert_cmpuint(f.names->len, ==, 1);
	char want[256];
	struct aero_in6 d;
	aero_in6_parse(&d, "2001:db8:1:2::1");
	g_assert_cmpint(aero_addr_name_full(want, sizeof want, &d, "aero.example"), >, 0);
	g_assert_cmpstr(last_name(&f), ==, want);
	g_assert_cmpuint(aero_node_counter(f.n, "drop_no_route"), ==, 1);
	/* the same /56 again: no second query */
	send_to(&f, "2001:db8:1:2::99");
	g_assert_cmpuint(f.names->len, ==, 1);
	g_assert_cmpuint(aero_node_counter(f.n, "nexthop_pending"), ==, 1);
	/* no such name: then the RFC 5558 /56 name (TV10 form) */
	g_assert_cmpint(aero_node_name_answer(f.n, want, NULL, 0, f.now), ==, 0);
	drain(&f);
	g_assert_cmpuint(f.names->len, ==, 2);
	g_assert_cmpstr(last_name(&f), ==,
	                "0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.aero.example");
	g_assert_cmpint(aero_node_name_answer(f.n, last_name(&f), NULL, 0, f.now), ==, 0);
	drain(&f);
	g_assert_cmpuint(aero_node_counter(f.n, "nexthop_negative"), ==, 1);
	/* remembered: no query while negative, a new one after 30 s */
	send_to(&f, "2001:db8:1:2::5");
	g_assert_cmpuint(f.names->len, ==, 2);
	advance(&f, 31 * AERO_SEC);
	send_to(&f, "2001:db8:1:2::5");
	g_assert_cmpuint(f.names->len, ==, 3);
	/* an answer for a name nobody asked is not ours: the Server has no
	 * name lookups of its own */
	g_assert_cmpint(aero_node_name_answer(f.n, "x.aero.example", NULL, 0, f.now),
	                ==, AERO_ERR_STATE);
	fx_stop(&f);
}

static void
test_answer_installs_route(void)
{
	struct fx f;
	fx_start(&f);
	send_to(&f, "2001:db8:1:2::1");
	struct aero_peer p = {.loc = aero_loc_v4(198, 51, 100, 9, 8060), .id = 9};
	g_assert_cmpint(aero_node_name_answer(f.n, last_name(&f), &p, 1, f.now), ==, 0);
	drain(&f);
	g_assert_cmpuint(f.route_add, ==, 1);
	g_assert_cmpuint(aero_node_counter(f.n, "nexthop_route_added"), ==, 1);
	/* traffic to the /56 now goes to the answered neighbour */
	send_to(&f, "2001:db8:1:ff::7");
	g_assert_cmpuint(f.under->len, ==, 1);
	const struct aero_loc *to = g_ptr_array_index(f.under, 0);
	g_assert_true(aero_loc_equal(to, &p.loc));
	/* ... but not outside it */
	send_to(&f, "2001:db8:1:100::7");
	g_assert_cmpuint(f.under->len, ==, 1);
	g_assert_cmpuint(f.names->len, ==, 2);
	/* the route expires after 10 minutes */
	advance(&f, 601 * AERO_SEC);
	g_assert_cmpuint(f.route_del, ==, 1);
	send_to(&f, "2001:db8:1:ff::7");
	g_assert_cmpuint(f.under->len, ==, 1);
	fx_stop(&f);
}

static void
test_unanswered(void)
{
	struct fx f;
	fx_start(&f);
	send_to(&f, "2001:db8:1:2::1");
	advance(&f, 6 * AERO_SEC);
	g_assert_cmpuint(aero_node_counter(f.n, "nexthop_query_timeout"), ==, 1);
	send_to(&f, "2001:db8:1:2::1");
	g_assert_cmpuint(f.names->len, ==, 2);
	/* a late answer to the old query is not ours any more */
	g_assert_cmpint(aero_node_name_answer(f.n, "nope.aero.example", NULL, 0, f.now),
	                ==, AERO_ERR_STATE);
	fx_stop(&f);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nexthop/full-then-56-then-negative",
	                test_full_then_56_then_negative);
	g_test_add_func("/nexthop/answer-installs-route", test_answer_installs_route);
	g_test_add_func("/nexthop/unanswered", test_unanswered);
	return g_test_run();
}
