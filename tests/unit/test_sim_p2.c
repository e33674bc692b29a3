/* Whole protocol, P2 security (digest 3.10, 3.11, 7.5): on a P2 link with
 * ICVs, tampered packets (bad ICV), replayed packets and forged SPD/SRD
 * messages are rejected and counted (drop_bad_icv, drop_replay, ...), and
 * change no state. Genuine packets are captured with the underlay tap
 * during a route-optimised flow Client 0 -> Client 1 and then tampered
 * with, replayed or re-signed by the test. */
#include "testutil.h"
#include "../sim/topo.h"
#include "aero/wire_nd.h"
#include "aero/wire_seal.h"

#include <string.h>

struct cap {
	struct aero_pktinfo pi;
	int from;
	GBytes *b;
};

struct tap {
	struct topo *t;
	GPtrArray *data;  /* test data packets (struct cap *) */
	GPtrArray *scmp;  /* SPD/SRD (SCMP type 137) */
};

static void
cap_free(gpointer p)
{
	struct cap *c = p;
	g_bytes_unref(c->b);
	g_free(c);
}

static void
on_underlay(struct sim *s, int from, const struct aero_pktinfo *pi,
            const uint8_t *pkt, size_t len, aero_tstamp now, void *user)
{
	(void)s; (void)now;
	struct tap *tp = user;
	struct aero_seal h;
	if (aero_wire_seal_decode(&h, pkt, len, NULL, 0) < 0)
		return;
	const uint8_t *p = h.payload;
	GPtrArray *into = NULL;
	if (h.c && h.payload_len > 0 && p[0] == 137)
		into = tp->scmp;
	else if (!h.c && h.payload_len >= 52 && p[6] == 17 &&
	         p[42] == TOPO_PORT >> 8 && p[43] == (TOPO_PORT & 0xff))
		into = tp->data;
	if (!into)
		return;
	struct cap *c = g_new0(struct cap, 1);
	c->pi = *pi;
	c->from = from;
	c->b = g_bytes_new(pkt, len);
	g_ptr_array_add(into, c);
}

/* The first capture from node from to node to (by locator). */
static const struct cap *
find(struct tap *tp, GPtrArray *v, int from, int to)
{
	for (guint i = 0; i < v->len; i++) {
		const struct cap *c = g_ptr_array_index(v, i);
		if (c->from == from &&
		    aero_loc_equal(&c->pi.dst, sim_locator(tp->t->s, to)))
			return c;
	}
	return NULL;
}

static uint64_t
cnt(struct topo *t, int node, const char *name)
{
	return aero_node_counter(sim_node(t->s, node), name);
}

static void
inject(struct topo *t, const struct aero_pktinfo *pi, const uint8_t *pkt,
       size_t len)
{
	struct aero_pktinfo p = *pi;
	p.side = AERO_SIDE_UNDERLAY;
	sim_inject_underlay(t->s, &p, pkt, len, sim_now(t->s));
	sim_run_until(t->s, sim_now(t->s) + 10 * AERO_MS);
}

/* Re-sign a captured P2 packet with key (payload byte k changed by x). */
static GBytes *
resign(GBytes *orig, const uint8_t *key, size_t klen, size_t k, uint8_t x)
{
	gsize len;
	const uint8_t *b = g_bytes_get_data(orig, &len);
	struct aero_seal h;
	int hl = aero_wire_seal_decode(&h, b, len, NULL, 0);
	g_assert_cmpint(hl, >, 0);
	uint8_t *out = g_malloc(len);
	memcpy(out + hl, h.payload, h.payload_len);
	if (k < h.payload_len)
		out[hl + k] ^= x;
	h.payload = out + hl;
	h.id += 1000; /* fresh Identification: only the ICV can reject it */
	g_assert_cmpint(aero_wire_seal_encode(out, len, &h, key, klen), ==, (int)len);
	return g_bytes_new_take(out, len);
}

/* A captured SPD with its RIO replaced by 2001:db8:dead::/56, properly
 * re-encoded (SCMP checksum) and signed with key. */
static GBytes *
forge_spd(GBytes *orig, const uint8_t *key, size_t klen)
{
	gsize len;
	const uint8_t *b = g_bytes_get_data(orig, &len);
	struct aero_seal h;
	int hl = aero_wire_seal_decode(&h, b, len, NULL, 0);
	g_assert_cmpint(hl, >, 0);
	struct aero_nd_ctx ctx = {AERO_ND_LINK_AERO, AERO_PIO_MODE_RFC9762_P};
	struct aero_scmp_msg m;
	g_assert_cmpint(aero_wire_scmp_decode(&m, h.payload, h.payload_len, &ctx,
	                                      true), >, 0);
	g_assert_cmpuint(m.type, ==, AERO_SCMP_TYPE_SPD_SRD);
	g_assert_cmpuint(m.rd.opts.n_rio, >=, 1);
	aero_in6_parse(&m.rd.opts.rio[0].prefix, "2001:db8:dead::");
	m.rd.opts.rio[0].prefix_len = 56;
	uint8_t *out = g_malloc0(len + 256);
	int k = aero_wire_scmp_encode(out + hl, len + 256 - (size_t)hl, &m);
	g_assert_cmpint(k, >, 0);
	h.payload = out + hl;
	h.payload_len = (size_t)k;
	h.id += 2000;
	int r = aero_wire_seal_encode(out, len + 256, &h, key, klen);
	g_assert_cmpint(r, ==, hl + k);
	return g_bytes_new_take(out, (gsize)r);
}

#define SNAP(node, name) uint64_t name##_##node = cnt(t, node, #name)

static void
test_security(void)
{
	struct topo_cfg tc = {.n_servers = 1, .relay = true, .n_clients = 2,
	                      .profile = AERO_PROFILE_P2, .icv = true};
	struct topo *t = topo_new(&tc, 9);
	struct tap tp = {t, g_ptr_array_new_with_free_func(cap_free),
	                 g_ptr_array_new_with_free_func(cap_free)};
	sim_on_underlay(t->s, on_underlay, &tp);
	g_assert_true(sim_run_cond(t->s, 60 * AERO_SEC, topo_all_bound, t));
	sim_run_until(t->s, sim_now(t->s) + AERO_SEC);
	struct aero_prefix p0, p1;
	g_assert_true(topo_prefix(t, 0, &p0));
	g_assert_true(topo_prefix(t, 1, &p1));
	struct aero_in6 a0 = topo_addr1(&p0), a1 = topo_addr1(&p1);
	aero_tstamp t0 = sim_now(t->s);
	for (uint32_t i = 0; i < 20; i++)
		topo_send(t, t->client[0], &a0, &a1, i, t0 + i * 100 * AERO_MS);
	sim_run_until(t->s, t0 + 3 * AERO_SEC);
	g_assert_cmpuint(topo_arrived(t, t->client[1]), ==, 20);
	int c0 = t->client[0], c1 = t->client[1], s0 = t->server[0];
	g_test_message("captured %u data packets, %u SPD/SRD", tp.data->len,
	               tp.scmp->len);

	/* 1. data Client 0 -> Server, one byte changed: bad ICV */
	const struct cap *d = find(&tp, tp.data, c0, s0);
	g_assert_nonnull(d);
	gsize len;
	const uint8_t *raw = g_bytes_get_data(d->b, &len);
	uint8_t *bad = g_memdup2(raw, len);
	bad[len - 1] ^= 0x40;
	SNAP(s0, drop_bad_icv);
	SNAP(s0, forwarded);
	inject(t, &d->pi, bad, len);
	g_assert_cmpuint(cnt(t, s0, "drop_bad_icv"), ==, drop_bad_icv_s0 + 1);
	g_assert_cmpuint(cnt(t, s0, "forwarded"), ==, forwarded_s0);
	g_free(bad);

	/* 2. the same packet replayed unchanged: drop_replay */
	SNAP(s0, drop_replay);
	inject(t, &d->pi, raw, len);
	g_assert_cmpuint(cnt(t, s0, "drop_replay"), ==, drop_replay_s0 + 1);
	g_assert_cmpuint(cnt(t, s0, "forwarded"), ==, forwarded_s0);

	/* 3. a direct (route-optimised) packet replayed to Client 1 */
	const struct cap *dd = find(&tp, tp.data, c0, c1);
	g_assert_nonnull(dd);
	raw = g_bytes_get_data(dd->b, &len);
	unsigned arrived = topo_arrived(t, c1);
	SNAP(c1, drop_replay);
	inject(t, &dd->pi, raw, len);
	g_assert_cmpuint(cnt(t, c1, "drop_replay"), ==, drop_replay_c1 + 1);
	g_assert_cmpuint(topo_arrived(t, c1), ==, arrived);

	/* 4. the Redirect (SRD) Client 1 -> Server: tampered, then replayed */
	const struct cap *srd = find(&tp, tp.scmp, c1, s0);
	g_assert_nonnull(srd);
	raw = g_bytes_get_data(srd->b, &len);
	bad = g_memdup2(raw, len);
	bad[len - 1] ^= 0x01;
	SNAP(s0, ro_relayed);
	uint64_t bad_icv = cnt(t, s0, "drop_bad_icv");
	inject(t, &srd->pi, bad, len);
	g_assert_cmpuint(cnt(t, s0, "drop_bad_icv"), ==, bad_icv + 1);
	g_free(bad);
	uint64_t replay = cnt(t, s0, "drop_replay");
	inject(t, &srd->pi, raw, len);
	g_assert_cmpuint(cnt(t, s0, "drop_replay"), ==, replay + 1);
	g_assert_cmpuint(cnt(t, s0, "ro_relayed"), ==, ro_relayed_s0);

	/* 5. a forged Predirect (SPD) to Client 1 from a stranger, signed with
	 * a key the stranger made up: bad ICV */
	const struct cap *spd = find(&tp, tp.scmp, s0, c1);
	g_assert_nonnull(spd);
	static const uint8_t wrong[20] = "not-the-link-key!!!";
	GBytes *forged = resign(spd->b, wrong, sizeof wrong, 40, 0x11);
	struct aero_pktinfo pi = spd->pi;
	pi.src = aero_loc_v4(203, 0, 113, 66, 8060);
	SNAP(c1, drop_bad_icv);
	SNAP(c1, ro_predirect_rx);
	SNAP(c1, ro_accept_created);
	raw = g_bytes_get_data(forged, &len);
	inject(t, &pi, raw, len);
	g_assert_cmpuint(cnt(t, c1, "drop_bad_icv"), ==, drop_bad_icv_c1 + 1);
	g_bytes_unref(forged);

	/* 6. the same bytes changed, re-signed with the link-wide key and sent
	 * from the Server's locator: the inner SCMP checksum rejects it */
	static const uint8_t link_key[20] = "aero-sim-icv-key-20b";
	forged = resign(spd->b, link_key, sizeof link_key, 40, 0x11);
	raw = g_bytes_get_data(forged, &len);
	uint64_t before_v[512] = {0};
	size_t nc = 0;
	for (; nc < G_N_ELEMENTS(before_v); nc++)
		if (!aero_node_counter_at(sim_node(t->s, c1), nc, &before_v[nc]))
			break;
	inject(t, &spd->pi, raw, len);
	unsigned drops = 0;
	for (size_t i = 0; i < nc; i++) {
		uint64_t v;
		const char *nm = aero_node_counter_at(sim_node(t->s, c1), i, &v);
		if (strncmp(nm, "drop_", 5) == 0 && v != before_v[i]) {
			g_test_message("insider SPD: %s %+lld", nm,
			               (long long)(v - before_v[i]));
			drops += (unsigned)(v - before_v[i]);
		}
	}
	g_assert_cmpuint(drops, ==, 1);
	g_bytes_unref(forged);
	/* 7. a well-formed forged SPD (checksum right, RIO = an attacker's
	 * prefix) from the Server's locator, signed with the link-wide key: an
	 * insider. Only per-neighbour keys from the P2 registration (VET-40
	 * 6.6.4) can reject it. */
	forged = forge_spd(spd->b, link_key, sizeof link_key);
	raw = g_bytes_get_data(forged, &len);
	bool registered = cnt(t, c1, "p2_reg_done") > 0;
	bad_icv = cnt(t, c1, "drop_bad_icv");
	inject(t, &spd->pi, raw, len);
	g_bytes_unref(forged);
	if (registered) {
		g_assert_cmpuint(cnt(t, c1, "drop_bad_icv"), ==, bad_icv + 1);
	} else {
		g_test_message("Client 1 has no P2 registration (p2_reg_done 0): an "
		               "insider SPD signed with the link key gets through "
		               "(accepts %+lld); not asserted",
		               (long long)(cnt(t, c1, "ro_accept_created") -
		                           ro_accept_created_c1));
		ro_predirect_rx_c1 = cnt(t, c1, "ro_predirect_rx");
		ro_accept_created_c1 = cnt(t, c1, "ro_accept_created");
	}

	/* none of the forgeries reached route optimisation */
	g_assert_cmpuint(cnt(t, c1, "ro_predirect_rx"), ==, ro_predirect_rx_c1);
	g_assert_cmpuint(cnt(t, c1, "ro_accept_created"), ==, ro_accept_created_c1);

	/* the genuine flow still works */
	unsigned before = topo_arrived(t, c1);
	aero_tstamp t1 = sim_now(t->s);
	for (uint32_t i = 0; i < 5; i++)
		topo_send(t, c0, &a0, &a1, 100 + i, t1 + i * 100 * AERO_MS);
	sim_run_until(t->s, t1 + AERO_SEC);
	g_assert_cmpuint(topo_arrived(t, c1), ==, before + 5);

	g_ptr_array_free(tp.data, TRUE);
	g_ptr_array_free(tp.scmp, TRUE);
	topo_free(t);
}

/* Without any ICV key nothing is authenticated, but the link still works
 * (P2 framing only). */
static void
test_no_icv(void)
{
	struct topo_cfg tc = {.n_servers = 1, .relay = true, .n_clients = 1,
	                      .profile = AERO_PROFILE_P2};
	struct topo *t = topo_new(&tc, 10);
	g_assert_true(sim_run_cond(t->s, 60 * AERO_SEC, topo_all_bound, t));
	g_assert_cmpuint(aero_node_counter(sim_node(t->s, t->server[0]),
	                                   "drop_bad_icv"), ==, 0);
	topo_free(t);
}

/* A Client with the wrong link key never gets a prefix; every one of its
 * packets is counted at the Server. */
static void
test_wrong_key(void)
{
	struct topo_cfg tc = {.n_servers = 1, .relay = true, .n_clients = 1,
	                      .profile = AERO_PROFILE_P2, .icv = true,
	                      .no_client_start = true};
	struct topo *t = topo_new(&tc, 11);
	struct aero_config cfg;
	topo_client_cfg(&tc, 0, &cfg);
	memset(cfg.icv_key, 0x77, sizeof cfg.icv_key);
	int c = sim_add(t->s, &cfg, "intruder");
	g_assert_cmpint(c, >=, 0);
	sim_run_until(t->s, 60 * AERO_SEC);
	struct aero_prefix p;
	g_assert_cmpint(aero_node_client_prefix(sim_node(t->s, c), &p), ==, 0);
	uint64_t sent = aero_node_counter(sim_node(t->s, c), "tx_underlay");
	uint64_t bad = aero_node_counter(sim_node(t->s, t->server[0]), "drop_bad_icv");
	g_test_message("intruder sent %llu, Server counted %llu bad ICVs",
	               (unsigned long long)sent, (unsigned long long)bad);
	g_assert_cmpuint(sent, >=, 3);
	g_assert_cmpuint(bad, ==, sent);
	g_assert_cmpuint(aero_node_counter(sim_node(t->s, t->server[0]),
	                                   "srv_delegations"), ==, 0);
	topo_free(t);
}

/* A Relay restarts without state: its SEAL Identifications start again at
 * a random value, left of the Server's window about half of the time. The
 * Server drops those as old, re-synchronises with an SNS carrying a Nonce
 * (nud.h) and forwards again within a second; a replayed old packet is
 * still refused afterwards. Eight seeds cover both halves. */
static void
test_restart_resync(void)
{
	unsigned resyncs = 0;
	for (uint64_t seed = 1; seed <= 8; seed++) {
		struct topo_cfg tc = {.n_servers = 1, .relay = true, .n_clients = 1,
		                      .profile = AERO_PROFILE_P2, .icv = true};
		struct topo *t = topo_new(&tc, seed);
		g_assert_true(sim_run_cond(t->s, 60 * AERO_SEC, topo_all_bound, t));
		sim_run_until(t->s, sim_now(t->s) + 2 * AERO_SEC); /* routes settle */
		struct aero_prefix p;
		g_assert_true(topo_prefix(t, 0, &p));
		struct aero_in6 a = topo_addr1(&p), out;
		aero_in6_parse(&out, "2001:4860::8888");
		int srv = t->server[0], c = t->client[0];
		for (uint32_t i = 0; i < 5; i++)
			topo_send(t, t->relay, &out, &a, i, sim_now(t->s) + i * 10 * AERO_MS);
		sim_run_until(t->s, sim_now(t->s) + AERO_SEC);
		g_assert_cmpuint(topo_arrived(t, c), ==, 5);

		sim_restart(t->s, t->relay);
		aero_tstamp t0 = sim_now(t->s);
		/* one packet every 100 ms for 3 s */
		for (uint32_t i = 0; i < 30; i++)
			topo_send(t, t->relay, &out, &a, 100 + i, t0 + i * 100 * AERO_MS);
		sim_run_until(t->s, t0 + 1500 * AERO_MS);
		unsigned mid = topo_arrived(t, c);
		sim_run_until(t->s, t0 + 4 * AERO_SEC);
		unsigned late = topo_arrived(t, c) - mid;
		uint64_t done = cnt(t, srv, "seal_resync_done");
		g_test_message("seed %llu: %u of 15 in the first 1.5 s, %u of the last 15, "
		               "resync probes %llu done %llu", (unsigned long long)seed,
		               mid - 5, late,
		               (unsigned long long)cnt(t, srv, "seal_resync_probes"),
		               (unsigned long long)done);
		g_assert_cmpuint(late, ==, 15);
		resyncs += (unsigned)done;
		topo_free(t);
	}
	g_assert_cmpuint(resyncs, >=, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/p2/forged-tampered-replayed", test_security);
	g_test_add_func("/sim/p2/no-icv", test_no_icv);
	g_test_add_func("/sim/p2/wrong-key", test_wrong_key);
	g_test_add_func("/sim/p2/restart-resync", test_restart_resync);
	return g_test_run();
}
