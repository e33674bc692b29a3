/* The Relay role (core/src/role_relay.c): route learning from the iBGP
 * model, ECMP, withdrawal, the aggregate black hole and forwarding between
 * the outside (tunnel side) and the Servers (underlay). */
#include "testutil.h"
#include "../sim/harness.h"
#include "aero/aero.h"
#include "aero/wire_ip.h"

#include <string.h>

#define in6(s) tu_in6(s)

/* ---- a Relay driven by hand --------------------------------------------- */

struct out_copy {
	struct aero_out o;
	uint8_t *data;
};

struct rig {
	aero_node *n;
	struct aero_callbacks cb;
	uint64_t rng;
	aero_tstamp now;
	GPtrArray *outs; /* struct out_copy *, since the last call */
	struct aero_peer a, b;
};

static void
rig_rand(uint8_t *dst, size_t len, void *user)
{
	struct rig *r = user;
	for (size_t i = 0; i < len; i++) {
		r->rng = r->rng * 6364136223846793005ull + 1442695040888963407ull;
		dst[i] = (uint8_t)(r->rng >> 56);
	}
}

static void
out_copy_free(gpointer p)
{
	struct out_copy *c = p;
	g_free(c->data);
	g_free(c);
}

/* Take every output of the node into r->outs (cleared first). */
static void
rig_drain(struct rig *r)
{
	g_ptr_array_set_size(r->outs, 0);
	struct aero_out o;
	while (aero_node_poll(r->n, &o) == 1) {
		struct out_copy *c = g_new0(struct out_copy, 1);
		c->o = o;
		c->data = o.len ? g_memdup2(o.data, o.len) : NULL;
		c->o.data = c->data;
		c->o.ev.name = NULL;
		g_ptr_array_add(r->outs, c);
	}
}

static struct aero_config
relay_config(void)
{
	struct aero_config cfg;
	aero_config_default(&cfg, AERO_ROLE_RELAY);
	cfg.self = aero_loc_v4(192, 0, 2, 100, 8060);
	cfg.id = 100;
	cfg.aggregates[0].prefix = in6("2001:db8::");
	cfg.aggregates[0].plen = 32;
	cfg.n_aggregates = 1;
	return cfg;
}

static void
rig_init(struct rig *r, const struct aero_config *cfg)
{
	memset(r, 0, sizeof *r);
	r->cb.rand = rig_rand;
	r->rng = 42;
	r->now = 1000 * AERO_SEC;
	r->outs = g_ptr_array_new_with_free_func(out_copy_free);
	g_assert_cmpint(aero_node_new(&r->n, cfg, &r->cb, r, r->now), ==, 0);
	rig_drain(r);
	r->a = (struct aero_peer){aero_loc_v4(192, 0, 2, 1, 8060), 1};
	r->b = (struct aero_peer){aero_loc_v4(192, 0, 2, 2, 8060), 2};
}

static void
rig_fini(struct rig *r)
{
	aero_node_free(r->n);
	g_ptr_array_free(r->outs, TRUE);
}

static int
rig_route(struct rig *r, bool add, const char *prefix, uint8_t plen,
          const struct aero_peer *server)
{
	struct aero_prefix p = {.prefix = in6(prefix), .plen = plen};
	r->now += AERO_MS;
	int rc = aero_node_route_update(r->n, add, &p, server, r->now);
	rig_drain(r);
	return rc;
}

/* An inner UDP packet src -> dst (hop limit 64) with a source port. */
static size_t
mk_udp(uint8_t *buf, size_t cap, const char *src, const char *dst,
       uint16_t sport)
{
	struct aero_in6 s = in6(src), d = in6(dst);
	static const uint8_t payload[] = "relay test payload";
	return sim_build_udp(buf, cap, &s, &d, sport, 9, payload, sizeof payload);
}

static void
rig_from_outside(struct rig *r, const uint8_t *pkt, size_t len)
{
	struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL};
	r->now += AERO_MS;
	g_assert_cmpint(aero_node_recv(r->n, &pi, pkt, len, r->now), ==, 0);
	rig_drain(r);
}

static void
rig_from_underlay(struct rig *r, const struct aero_loc *src, uint8_t ttl,
                  const uint8_t *pkt, size_t len)
{
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY, .src = *src,
	                          .dst = aero_loc_v4(192, 0, 2, 100, 8060),
	                          .ttl = ttl};
	r->now += AERO_MS;
	g_assert_cmpint(aero_node_recv(r->n, &pi, pkt, len, r->now), ==, 0);
	rig_drain(r);
}

static const struct aero_out *
only_packet(struct rig *r)
{
	const struct aero_out *pkt = NULL;
	for (guint i = 0; i < r->outs->len; i++) {
		const struct out_copy *c = g_ptr_array_index(r->outs, i);
		if (c->o.kind != AERO_OUT_PACKET)
			continue;
		g_assert_null(pkt);
		pkt = &c->o;
	}
	return pkt;
}

static unsigned
count_events(struct rig *r, enum aero_event_type t)
{
	unsigned k = 0;
	for (guint i = 0; i < r->outs->len; i++) {
		const struct out_copy *c = g_ptr_array_index(r->outs, i);
		k += c->o.kind == AERO_OUT_EVENT && c->o.ev.type == t;
	}
	return k;
}

/* The packet went out the underlay to server, unchanged but for the hop
 * limit: one less (dhl 1) when the Relay forwarded it underlay to underlay,
 * as it came (dhl 0) from the tunnel side, where the host stack counts
 * hops (tunnel.c); outer TTL as given. */
static void
assert_to_server(const struct aero_out *o, const struct aero_peer *server,
                 const uint8_t *pkt, size_t len, uint8_t ttl, int dhl)
{
	g_assert_nonnull(o);
	g_assert_cmpint(o->pi.side, ==, AERO_SIDE_UNDERLAY);
	g_assert_true(aero_loc_equal(&o->pi.dst, &server->loc));
	g_assert_cmpuint(o->len, ==, len);
	g_assert_cmpuint(o->data[7], ==, pkt[7] - dhl);
	g_assert_cmpmem(o->data, 7, pkt, 7);
	g_assert_cmpmem(o->data + 8, len - 8, pkt + 8, len - 8);
	g_assert_cmpuint(o->pi.ttl, ==, ttl);
}

/* ---- tests ------------------------------------------------------------------ */

static void
test_start(void)
{
	struct aero_config cfg = relay_config();
	cfg.aggregates[1].prefix = in6("2001:db8:8000::");
	cfg.aggregates[1].plen = 33; /* not masked-aligned in the test on purpose */
	cfg.aggregates[1].prefix.b[15] = 1;
	cfg.n_aggregates = 2;
	struct rig r;
	memset(&r, 0, sizeof r);
	r.cb.rand = rig_rand;
	r.outs = g_ptr_array_new_with_free_func(out_copy_free);
	g_assert_cmpint(aero_node_new(&r.n, &cfg, &r.cb, &r, 5), ==, 0);
	rig_drain(&r);
	g_assert_cmpuint(count_events(&r, AERO_EV_ROUTE_ANNOUNCE), ==, 2);
	const struct out_copy *c = g_ptr_array_index(r.outs, 1);
	g_assert_cmpint(c->o.ev.type, ==, AERO_EV_ROUTE_ANNOUNCE);
	tu_assert_in6(c->o.ev.prefix, "2001:db8:8000::");
	g_assert_cmpuint(c->o.ev.plen, ==, 33);
	g_assert_true(aero_loc_equal(&c->o.ev.loc, &cfg.self));
	g_assert_cmpint(aero_node_role(r.n), ==, AERO_ROLE_RELAY);
	g_assert_cmpuint(aero_node_deadline(r.n), ==, AERO_TSTAMP_NONE);

	char *js = aero_node_dump_json(r.n);
	g_assert_nonnull(strstr(js, "\"role\":\"relay\""));
	g_assert_nonnull(strstr(js, "\"learned_routes\":0"));
	g_assert_nonnull(strstr(js, "\"prefix\":\"2001:db8::/32\",\"nh\":[{\"kind\":\"blackhole\"}]"));
	g_assert_nonnull(strstr(js, "\"prefix\":\"::/0\",\"nh\":[{\"kind\":\"tunnel\"}]"));
	g_free(js);
	rig_fini(&r);
}

static void
test_learn(void)
{
	struct aero_config cfg = relay_config();
	struct rig r;
	rig_init(&r, &cfg);
	g_assert_cmpint(rig_route(&r, true, "2001:db8:1:100::", 56, &r.a), ==, 0);
	g_assert_cmpuint(count_events(&r, AERO_EV_NEIGHBOR_UP), ==, 1);
	const struct out_copy *c = g_ptr_array_index(r.outs, 0);
	tu_assert_in6(c->o.ev.addr, "fe80::1");
	g_assert_true(aero_loc_equal(&c->o.ev.loc, &r.a.loc));
	/* announcing again is a refresh, not a second route */
	g_assert_cmpint(rig_route(&r, true, "2001:db8:1:100::", 56, &r.a), ==, 0);
	g_assert_cmpuint(r.outs->len, ==, 0);
	g_assert_cmpuint(aero_node_counter(r.n, "relay_routes_learned"), ==, 1);
	g_assert_cmpuint(aero_node_counter(r.n, "relay_routes_refreshed"), ==, 1);

	uint8_t pkt[256];
	size_t len = mk_udp(pkt, sizeof pkt, "2001:4860::8888",
	                    "2001:db8:1:1ab::1", 1000);
	rig_from_outside(&r, pkt, len);
	assert_to_server(only_packet(&r), &r.a, pkt, len, 64, 0);
	g_assert_cmpuint(aero_node_counter(r.n, "relay_to_server"), ==, 1);

	char *js = aero_node_dump_json(r.n);
	g_assert_nonnull(strstr(js, "\"learned_routes\":1"));
	g_assert_nonnull(strstr(js, "\"servers\":1"));
	g_assert_nonnull(strstr(js, "\"kind\":\"server\""));
	g_free(js);

	/* bad peers are caller misuse */
	struct aero_peer bad = {aero_loc_v4(192, 0, 2, 9, 8060), 0};
	g_assert_cmpint(rig_route(&r, true, "2001:db8:9::", 48, &bad), ==,
	                AERO_ERR_INVAL);
	bad = (struct aero_peer){{0}, 9};
	g_assert_cmpint(rig_route(&r, true, "2001:db8:9::", 48, &bad), ==,
	                AERO_ERR_INVAL);
	rig_fini(&r);
}

static void
test_ecmp_and_withdraw(void)
{
	struct aero_config cfg = relay_config();
	struct rig r;
	rig_init(&r, &cfg);
	g_assert_cmpint(rig_route(&r, true, "2001:db8:1:100::", 56, &r.a), ==, 0);
	g_assert_cmpint(rig_route(&r, true, "2001:db8:1:100::", 56, &r.b), ==, 0);
	unsigned to_a = 0, to_b = 0;
	uint8_t pkt[256];
	for (uint16_t port = 1000; port < 1064; port++) {
		size_t len = mk_udp(pkt, sizeof pkt, "2001:4860::8888",
		                    "2001:db8:1:100::1", port);
		const struct aero_loc *first = NULL;
		for (int rep = 0; rep < 2; rep++) { /* one flow, one Server */
			rig_from_outside(&r, pkt, len);
			const struct aero_out *o = only_packet(&r);
			g_assert_nonnull(o);
			if (!first) {
				first = aero_loc_equal(&o->pi.dst, &r.a.loc) ? &r.a.loc : &r.b.loc;
				to_a += first == &r.a.loc;
				to_b += first == &r.b.loc;
			} else {
				g_assert_true(aero_loc_equal(&o->pi.dst, first));
			}
		}
	}
	g_test_message("64 flows: %u to A, %u to B", to_a, to_b);
	g_assert_cmpuint(to_a, >=, 16);
	g_assert_cmpuint(to_b, >=, 16);

	/* withdraw A: everything goes to B */
	g_assert_cmpint(rig_route(&r, false, "2001:db8:1:100::", 56, &r.a), ==, 0);
	g_assert_cmpuint(count_events(&r, AERO_EV_NEIGHBOR_DOWN), ==, 1);
	for (uint16_t port = 1000; port < 1016; port++) {
		size_t len = mk_udp(pkt, sizeof pkt, "2001:4860::8888",
		                    "2001:db8:1:100::1", port);
		rig_from_outside(&r, pkt, len);
		assert_to_server(only_packet(&r), &r.b, pkt, len, 64, 0);
	}
	/* withdrawing twice is harmless */
	g_assert_cmpint(rig_route(&r, false, "2001:db8:1:100::", 56, &r.a), ==, 0);
	g_assert_cmpuint(aero_node_counter(r.n, "relay_withdraw_unknown"), ==, 1);
	/* withdraw B: the aggregate black hole takes it */
	g_assert_cmpint(rig_route(&r, false, "2001:db8:1:100::", 56, &r.b), ==, 0);
	size_t len = mk_udp(pkt, sizeof pkt, "2001:4860::8888",
	                    "2001:db8:1:100::1", 1000);
	rig_from_outside(&r, pkt, len);
	g_assert_null(only_packet(&r));
	g_assert_cmpuint(aero_node_counter(r.n, "drop_blackhole"), ==, 1);
	g_assert_cmpuint(aero_node_counter(r.n, "relay_routes_withdrawn"), ==, 2);
	char *js = aero_node_dump_json(r.n);
	g_assert_nonnull(strstr(js, "\"learned_routes\":0"));
	g_assert_nonnull(strstr(js, "\"neighbors\":[]"));
	g_free(js);
	rig_fini(&r);
}

static void
test_blackhole(void)
{
	struct aero_config cfg = relay_config();
	struct rig r;
	rig_init(&r, &cfg);
	uint8_t pkt[256];
	/* unknown client prefix inside the aggregate: dropped, not looped */
	size_t len = mk_udp(pkt, sizeof pkt, "2001:4860::8888",
	                    "2001:db8:ffff::1", 1);
	rig_from_outside(&r, pkt, len);
	g_assert_cmpuint(r.outs->len, ==, 0);
	g_assert_cmpuint(aero_node_counter(r.n, "drop_blackhole"), ==, 1);
	/* an outside destination from the outside would go straight back */
	len = mk_udp(pkt, sizeof pkt, "2001:4860::8888", "2001:db9::1", 1);
	rig_from_outside(&r, pkt, len);
	g_assert_cmpuint(r.outs->len, ==, 0);
	g_assert_cmpuint(aero_node_counter(r.n, "drop_relay_not_ours"), ==, 1);

	/* a Server announcing the whole aggregate replaces the black hole;
	 * withdrawing it brings the black hole back */
	g_assert_cmpint(rig_route(&r, true, "2001:db8::", 32, &r.a), ==, 0);
	len = mk_udp(pkt, sizeof pkt, "2001:4860::8888", "2001:db8:ffff::1", 1);
	rig_from_outside(&r, pkt, len);
	assert_to_server(only_packet(&r), &r.a, pkt, len, 64, 0);
	g_assert_cmpint(rig_route(&r, false, "2001:db8::", 32, &r.a), ==, 0);
	rig_from_outside(&r, pkt, len);
	g_assert_null(only_packet(&r));
	g_assert_cmpuint(aero_node_counter(r.n, "drop_blackhole"), ==, 2);
	rig_fini(&r);
}

static void
test_from_servers(void)
{
	struct aero_config cfg = relay_config();
	struct rig r;
	rig_init(&r, &cfg);
	g_assert_cmpint(rig_route(&r, true, "2001:db8:1:100::", 56, &r.a), ==, 0);
	g_assert_cmpint(rig_route(&r, true, "2001:db8:2:200::", 56, &r.b), ==, 0);
	uint8_t pkt[256];

	/* Server A -> outside: decapsulated, hop limit as it came (the
	 * Relay's stack decrements when it forwards it outside) */
	size_t len = mk_udp(pkt, sizeof pkt, "2001:db8:1:100::1",
	                    "2001:4860::8888", 5);
	rig_from_underlay(&r, &r.a.loc, 64, pkt, len);
	const struct aero_out *o = only_packet(&r);
	g_assert_nonnull(o);
	g_assert_cmpint(o->pi.side, ==, AERO_SIDE_TUNNEL);
	g_assert_cmpuint(o->pi.ifindex, ==, 0);
	g_assert_cmpuint(o->len, ==, len);
	g_assert_cmpuint(o->data[7], ==, 64);
	g_assert_cmpuint(aero_node_counter(r.n, "relay_to_outside"), ==, 1);

	/* Server A -> a prefix of Server B: re-encapsulated, outer TTL from
	 * the outer TTL (same interface, digest 6.1) */
	len = mk_udp(pkt, sizeof pkt, "2001:db8:1:100::1", "2001:db8:2:200::7", 5);
	rig_from_underlay(&r, &r.a.loc, 20, pkt, len);
	assert_to_server(only_packet(&r), &r.b, pkt, len, 19, 1);
	g_assert_cmpuint(aero_node_counter(r.n, "relay_server_to_server"), ==, 1);

	/* Server A -> its own prefix: never back to the sender */
	len = mk_udp(pkt, sizeof pkt, "2001:db8:2:200::7", "2001:db8:1:100::1", 5);
	rig_from_underlay(&r, &r.a.loc, 64, pkt, len);
	g_assert_cmpuint(r.outs->len, ==, 0);
	g_assert_cmpuint(aero_node_counter(r.n, "drop_loop"), ==, 1);

	/* not from a Server: dropped */
	struct aero_loc stranger = aero_loc_v4(198, 51, 100, 7, 4444);
	len = mk_udp(pkt, sizeof pkt, "2001:db8:1:100::1", "2001:4860::8888", 5);
	rig_from_underlay(&r, &stranger, 64, pkt, len);
	g_assert_cmpuint(r.outs->len, ==, 0);
	g_assert_cmpuint(aero_node_counter(r.n, "drop_relay_untrusted"), ==, 1);

	/* unknown prefix inside the aggregate from a Server: black hole */
	len = mk_udp(pkt, sizeof pkt, "2001:db8:1:100::1", "2001:db8:77::1", 5);
	rig_from_underlay(&r, &r.a.loc, 64, pkt, len);
	g_assert_cmpuint(r.outs->len, ==, 0);
	g_assert_cmpuint(aero_node_counter(r.n, "drop_blackhole"), ==, 1);

	/* DHCPv6 and stray control at a Relay are dropped and counted */
	static const uint8_t sol[] = {1, 0, 0, 1};
	struct aero_in6 s = in6("fe80::1"), d = in6("ff02::1:2");
	len = sim_build_udp(pkt, sizeof pkt, &s, &d, 546, 547, sol, sizeof sol);
	rig_from_underlay(&r, &r.a.loc, 64, pkt, len);
	g_assert_cmpuint(r.outs->len, ==, 0);
	g_assert_cmpuint(aero_node_counter(r.n, "drop_unexpected_ctl"), ==, 1);
	rig_fini(&r);
}

static void
test_bounded(void)
{
	struct aero_config cfg = relay_config();
	cfg.max_routes = 4; /* ::/0, the aggregate and two learned routes */
	struct rig r;
	rig_init(&r, &cfg);
	g_assert_cmpint(rig_route(&r, true, "2001:db8:1::", 48, &r.a), ==, 0);
	g_assert_cmpint(rig_route(&r, true, "2001:db8:2::", 48, &r.a), ==, 0);
	g_assert_cmpint(rig_route(&r, true, "2001:db8:3::", 48, &r.b), ==,
	                AERO_ERR_FULL);
	g_assert_cmpuint(aero_node_counter(r.n, "drop_fib_full"), ==, 1);
	/* the refused Server left no neighbour behind */
	char *js = aero_node_dump_json(r.n);
	g_assert_null(strstr(js, "fe80::2"));
	g_assert_nonnull(strstr(js, "\"learned_routes\":2"));
	g_free(js);
	/* ECMP is bounded too */
	for (uint32_t id = 10; id < 14; id++) {
		struct aero_peer p = {aero_loc_v4(192, 0, 2, (uint8_t)id, 8060), id};
		int rc = rig_route(&r, true, "2001:db8:1::", 48, &p);
		g_assert_cmpint(rc, ==, id < 13 ? 0 : AERO_ERR_FULL);
	}
	g_assert_cmpuint(aero_node_counter(r.n, "drop_relay_ecmp_full"), ==, 1);
	rig_fini(&r);
}

static void
test_p2(void)
{
	struct aero_config cfg = relay_config();
	cfg.profile = AERO_PROFILE_P2;
	memset(cfg.icv_key, 0x5a, 20);
	cfg.icv_key_len = 20;
	struct rig r;
	rig_init(&r, &cfg);
	g_assert_cmpint(rig_route(&r, true, "2001:db8:1:100::", 56, &r.a), ==, 0);
	uint8_t pkt[256];
	size_t len = mk_udp(pkt, sizeof pkt, "2001:4860::8888",
	                    "2001:db8:1:100::1", 1000);
	rig_from_outside(&r, pkt, len);
	const struct aero_out *o = only_packet(&r);
	g_assert_nonnull(o);
	g_assert_true(aero_loc_equal(&o->pi.dst, &r.a.loc));
	g_assert_cmpuint(o->len, >, len); /* SEAL shim with ICV in front */
	g_assert_cmpmem(o->data + o->len - len + 8, len - 8, pkt + 8, len - 8);
	rig_fini(&r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/relay/start", test_start);
	g_test_add_func("/relay/learn", test_learn);
	g_test_add_func("/relay/ecmp-withdraw", test_ecmp_and_withdraw);
	g_test_add_func("/relay/blackhole", test_blackhole);
	g_test_add_func("/relay/from-servers", test_from_servers);
	g_test_add_func("/relay/bounded", test_bounded);
	g_test_add_func("/relay/p2", test_p2);
	return g_test_run();
}
