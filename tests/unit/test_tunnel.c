/*
 * The tunnel rules of core/src/tunnel.c (digest 6.1, 6.4, 6.5, 3.10):
 * RFC 6040 decapsulation, encapsulation (TTL, TC, RFC 6438 flow label),
 * same-interface re-encapsulation, Packet Too Big, hop limit, and the P2
 * SEAL shim (ICV, per-neighbour Identification, anti-replay, P1/P2 mix).
 *
 * The node is a Relay used only as a container: the tests drive the
 * internal functions (tunnel_*, node_forward) with hand-made neighbour and
 * FIB entries, so they do not depend on the role code.
 */
#include "testutil.h"
#include "../sim/nodefix.h"
#include "../../core/src/node.h"

#include <string.h>

#define CNT(n, name) aero_node_counter((n), #name)

static uint64_t prng = 0x1234567;

static void
rnd(uint8_t *d, size_t len, void *u)
{
	(void)u;
	for (size_t i = 0; i < len; i++) {
		prng = prng * 6364136223846793005ULL + 1442695040888963407ULL;
		d[i] = (uint8_t)(prng >> 56);
	}
}

static const struct aero_callbacks cbs = {.rand = rnd};

static const uint8_t KEY[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                14, 15, 16, 17, 18, 19, 20};

static aero_node *
mk_node(enum aero_profile prof, struct aero_loc self, uint32_t id,
        const uint8_t *key, uint16_t mtu)
{
	struct aero_config c;
	aero_node *n = NULL;

	aero_config_default(&c, AERO_ROLE_RELAY);
	c.profile = prof;
	c.self = self;
	c.id = id;
	if (mtu)
		c.mtu = mtu;
	if (key) {
		memcpy(c.icv_key, key, 20);
		c.icv_key_len = 20;
	}
	g_assert_cmpint(aero_node_new(&n, &c, &cbs, NULL, 0), ==, 0);
	tn_fib_clear(n);
	return n;
}

static struct aero_in6
server_ll(uint32_t id)
{
	struct aero_in6 a;

	aero_addr_server_ll(&a, id);
	return a;
}

static struct nce *
mk_nce(aero_node *n, uint32_t id, struct aero_loc loc)
{
	struct aero_in6 ll = server_ll(id);
	struct nce *e = nce_create(n, &ll, &loc, NCE_SERVER);

	g_assert_nonnull(e);
	return e;
}

/* An inner IPv6/UDP packet of total length len with traffic class tc. */
static size_t
mk_inner(uint8_t *buf, const char *src, const char *dst, uint8_t tc,
         uint8_t hl, uint16_t sport, size_t len)
{
	uint8_t pl[2048];
	struct aero_in6 s = tu_in6(src), d = tu_in6(dst);

	g_assert_cmpuint(len, >=, 48);
	for (size_t i = 0; i < len - 48; i++)
		pl[i] = (uint8_t)(i * 7 + sport);
	int k = build_udp(buf, 2048, &s, &d, hl, sport, 9, pl, len - 48);
	g_assert_cmpint(k, ==, (int)len);
	buf[0] = (uint8_t)(0x60 | tc >> 4);
	buf[1] = (uint8_t)((tc & 0x0f) << 4 | (buf[1] & 0x0f));
	return len;
}

static void
mk_rx(struct rxctx *rx, const struct aero_pktinfo *pi, const uint8_t *pkt,
      size_t len, bool under)
{
	memset(rx, 0, sizeof *rx);
	rx->pi = pi;
	rx->pkt = pkt;
	rx->len = len;
	rx->from_underlay = under;
	g_assert_cmpint(aero_wire_ipv6_decode(&rx->ip6, pkt, len), ==, (int)len);
	g_assert_cmpint(aero_wire_ipv6_upper(&rx->ip6, &rx->proto, &rx->l4,
	                                     &rx->l4len), >=, 0);
}

struct cap {
	struct aero_pktinfo pi;
	size_t len;
	uint8_t d[2048];
};

/* Drain the output queue; keep packets, skip events. */
static unsigned
drain(aero_node *n, struct cap *out, unsigned max)
{
	struct aero_out o;
	unsigned k = 0;

	while (aero_node_poll(n, &o) == 1) {
		if (o.kind != AERO_OUT_PACKET)
			continue;
		g_assert_cmpuint(k, <, max);
		g_assert_cmpuint(o.len, <=, sizeof out[k].d);
		out[k].pi = o.pi;
		out[k].len = o.len;
		memcpy(out[k].d, o.data, o.len);
		k++;
	}
	return k;
}

/* ---- RFC 6040 decapsulation --------------------------------------------- */

/* ECN codepoints: 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE. Figure 4 of RFC 6040
 * written out again (rows inner, columns outer), -1 = drop. */
static const int rfc6040[4][4] = {
	/* outer: Not-ECT ECT(1) ECT(0) CE */
	{0, 0, 0, -1}, /* inner Not-ECT */
	{1, 1, 1, 3},  /* inner ECT(1) */
	{2, 1, 2, 3},  /* inner ECT(0) */
	{3, 3, 3, 3},  /* inner CE */
};
/* the "(!!!)" currently-unused combinations that are not the drop case:
 * Not-ECT under ECT(0)/ECT(1), ECT(1) under ECT(0), CE under ECT(1) */
static const bool unused6040[4][4] = {
	{false, true, true, false},
	{false, false, true, false},
	{false, false, false, false},
	{false, true, false, false},
};

static void
test_ecn_table(void)
{
	struct aero_loc me = aero_loc_v4(192, 0, 2, 1, 8060);
	aero_node *n = mk_node(AERO_PROFILE_P1, me, 1, NULL, 0);
	struct cap out[4];

	for (int in = 0; in < 4; in++)
		for (int ou = 0; ou < 4; ou++) {
			g_assert_cmpint(tunnel_ecn_decap((uint8_t)ou, (uint8_t)in),
			                ==, rfc6040[in][ou]);
			uint8_t pkt[2048];
			/* inner DSCP 10, outer DSCP 46: the inner DSCP stays */
			size_t len = mk_inner(pkt, "2001:db8::1", "2001:db8::2",
			                      (uint8_t)(10 << 2 | in), 64, 1000, 100);
			struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY,
			                          .src = aero_loc_v4(192, 0, 2, 9, 8060),
			                          .dst = me,
			                          .tclass = (uint8_t)(46 << 2 | ou),
			                          .ttl = 20};
			struct rxctx rx;
			mk_rx(&rx, &pi, pkt, len, true);
			uint64_t d0 = CNT(n, drop_ecn_ce), u0 = CNT(n, ecn_unused_combo);
			tunnel_deliver(n, &rx, 5);
			unsigned k = drain(n, out, 4);
			if (rfc6040[in][ou] < 0) {
				g_assert_cmpuint(k, ==, 0);
				g_assert_cmpuint(CNT(n, drop_ecn_ce), ==, d0 + 1);
				continue;
			}
			g_assert_cmpuint(CNT(n, drop_ecn_ce), ==, d0);
			g_assert_cmpuint(CNT(n, ecn_unused_combo), ==,
			                 u0 + (unused6040[in][ou] ? 1 : 0));
			g_assert_cmpuint(k, ==, 1);
			g_assert_cmpint(out[0].pi.side, ==, AERO_SIDE_TUNNEL);
			g_assert_cmpuint(out[0].pi.ifindex, ==, 5);
			g_assert_cmpuint(out[0].len, ==, len);
			struct aero_ipv6 h;
			g_assert_cmpint(aero_wire_ipv6_decode(&h, out[0].d, out[0].len), ==, (int)len);
			g_assert_cmpuint(h.ecn, ==, (unsigned)rfc6040[in][ou]);
			g_assert_cmpuint(h.dscp, ==, 10);
			/* nothing but the ECN bits changed */
			uint8_t exp[2048];
			memcpy(exp, pkt, len);
			exp[1] = (uint8_t)((exp[1] & ~0x30) | rfc6040[in][ou] << 4);
			tu_assert_bytes(out[0].d, out[0].len, exp, len);
		}
	aero_node_free(n);
}

/* ---- encapsulation ---------------------------------------------------------- */

static void
check_encap(bool v6)
{
	struct aero_in6 a6 = tu_in6("2001:db8:ffff::1"), b6 = tu_in6("2001:db8:ffff::2");
	struct aero_loc me = v6 ? aero_loc_v6(&a6, 8060) : aero_loc_v4(192, 0, 2, 1, 8060);
	struct aero_loc peer = v6 ? aero_loc_v6(&b6, 8060) : aero_loc_v4(192, 0, 2, 2, 8060);
	aero_node *n = mk_node(AERO_PROFILE_P1, me, 1, NULL, 0);
	struct nce *nb = mk_nce(n, 2, peer);
	struct cap out[4];
	uint8_t pkt[2048];
	uint32_t labels[32];

	for (unsigned f = 0; f < 32; f++) {
		/* flow f: sport 2000+f; two packets of different sizes, TC, hl */
		for (int rep = 0; rep < 2; rep++) {
			uint8_t tc = rep ? 0xb9 : 0x02;
			uint8_t hl = (uint8_t)(rep ? 57 : 1 + f);
			size_t len = mk_inner(pkt, "2001:db8:1::1", "2001:db8:2::2", tc,
			                      hl, (uint16_t)(2000 + f), rep ? 300 : 120);
			g_assert_cmpint(tunnel_send(n, nb, pkt, len, NULL), ==, 0);
			g_assert_cmpuint(drain(n, out, 4), ==, 1);
			g_assert_cmpint(out[0].pi.side, ==, AERO_SIDE_UNDERLAY);
			g_assert_true(aero_loc_equal(&out[0].pi.dst, &peer));
			g_assert_true(aero_loc_equal(&out[0].pi.src, &me));
			g_assert_cmpuint(out[0].pi.ttl, ==, hl);      /* outer TTL = inner HL */
			g_assert_cmpuint(out[0].pi.tclass, ==, tc);   /* outer TC = inner TC */
			tu_assert_bytes(out[0].d, out[0].len, pkt, len); /* inner untouched */
			if (!v6) {
				g_assert_cmpuint(out[0].pi.flow_label, ==, 0);
				continue;
			}
			g_assert_cmpuint(out[0].pi.flow_label, !=, 0);
			g_assert_cmpuint(out[0].pi.flow_label, <=, 0xfffff);
			if (rep == 0)
				labels[f] = out[0].pi.flow_label;
			else /* stable per flow */
				g_assert_cmpuint(out[0].pi.flow_label, ==, labels[f]);
		}
	}
	if (v6) { /* different flows spread over labels */
		unsigned distinct = 0;
		for (unsigned i = 0; i < 32; i++) {
			bool dup = false;
			for (unsigned j = 0; j < i; j++)
				dup |= labels[i] == labels[j];
			distinct += !dup;
		}
		g_assert_cmpuint(distinct, >=, 28);
	}
	/* a too-short inner packet is refused and counted */
	uint64_t m0 = CNT(n, drop_inner_malformed);
	g_assert_cmpint(tunnel_send(n, nb, pkt, 20, NULL), ==, -1);
	g_assert_cmpuint(CNT(n, drop_inner_malformed), ==, m0 + 1);
	/* a neighbour without a locator */
	struct aero_in6 ll9 = server_ll(9);
	struct nce *e9 = nce_create(n, &ll9, NULL, NCE_SERVER);
	uint64_t z0 = CNT(n, drop_no_neighbor);
	g_assert_cmpint(tunnel_send(n, e9, pkt, 120, NULL), ==, -1);
	g_assert_cmpint(tunnel_send(n, NULL, pkt, 120, NULL), ==, -1);
	g_assert_cmpuint(CNT(n, drop_no_neighbor), ==, z0 + 2);
	g_assert_cmpuint(drain(n, out, 4), ==, 0);
	aero_node_free(n);
}

static void test_encap_v4(void) { check_encap(false); }
static void test_encap_v6(void) { check_encap(true); }

/* ---- forwarding: re-encapsulation, MTU, hop limit ------------------------------ */

struct fwd {
	aero_node *n;
	struct aero_loc me, lx, ly;
	struct nce *x, *y;
};

static void
fwd_setup(struct fwd *f, uint16_t mtu)
{
	f->me = aero_loc_v4(192, 0, 2, 1, 8060);
	f->lx = aero_loc_v4(192, 0, 2, 10, 8060);
	f->ly = aero_loc_v4(192, 0, 2, 20, 8060);
	f->n = mk_node(AERO_PROFILE_P1, f->me, 1, NULL, mtu);
	f->x = mk_nce(f->n, 0x10, f->lx);
	f->y = mk_nce(f->n, 0x20, f->ly);
	struct aero_in6 p = tu_in6("2001:db8:20::");
	struct fib_nh nh = {.kind = NH_NEIGHBOR, .ll = f->y->ll};
	g_assert_nonnull(fib_add(f->n, &p, 48, &nh, FIB_ORIGIN_STATIC));
	p = tu_in6("2001:db8:99::");
	struct fib_nh tn = {.kind = NH_TUNNEL, .ifindex = 2};
	g_assert_nonnull(fib_add(f->n, &p, 48, &tn, FIB_ORIGIN_STATIC));
	struct cap out[8];
	drain(f->n, out, 8);
}

static void
test_reencap(void)
{
	struct fwd f;
	struct cap out[4];
	uint8_t pkt[2048];

	fwd_setup(&f, 0);
	size_t len = mk_inner(pkt, "2001:db8:10::1", "2001:db8:20::5", 0x00, 64,
	                      4000, 200);
	/* from X over the underlay: outer TTL 33, TC 0x2a (ECN ECT(0)) */
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY, .src = f.lx,
	                          .dst = f.me, .tclass = 0x2a, .ttl = 33};
	struct rxctx rx;
	mk_rx(&rx, &pi, pkt, len, true);
	rx.nb = f.x;
	uint64_t fw0 = CNT(f.n, forwarded);
	g_assert_nonnull(node_forward(f.n, &rx));
	g_assert_cmpuint(CNT(f.n, forwarded), ==, fw0 + 1);
	g_assert_cmpuint(drain(f.n, out, 4), ==, 1);
	g_assert_true(aero_loc_equal(&out[0].pi.dst, &f.ly));
	g_assert_cmpuint(out[0].pi.ttl, ==, 32);     /* outer -> outer, minus one */
	g_assert_cmpuint(out[0].pi.tclass, ==, 0x2a); /* outer TC copied */
	uint8_t exp[2048];
	memcpy(exp, pkt, len);
	exp[7] = 63; /* the inner hop limit is decremented once */
	tu_assert_bytes(out[0].d, out[0].len, exp, len);
	g_assert_cmpuint(pkt[7], ==, 64); /* the received packet is untouched */

	/* outer TTL 1: dropped */
	pi.ttl = 1;
	uint64_t t0 = CNT(f.n, drop_outer_ttl);
	g_assert_null(node_forward(f.n, &rx));
	g_assert_cmpuint(CNT(f.n, drop_outer_ttl), ==, t0 + 1);
	g_assert_cmpuint(drain(f.n, out, 4), ==, 0);
	pi.ttl = 0;
	g_assert_null(node_forward(f.n, &rx));
	g_assert_cmpuint(CNT(f.n, drop_outer_ttl), ==, t0 + 2);

	/* from the tunnel side: encapsulation rules from the inner header */
	struct aero_pktinfo tp = {.side = AERO_SIDE_TUNNEL};
	len = mk_inner(pkt, "2001:db8:10::1", "2001:db8:20::5", 0xb8, 64, 4000, 200);
	mk_rx(&rx, &tp, pkt, len, false);
	g_assert_nonnull(node_forward(f.n, &rx));
	g_assert_cmpuint(drain(f.n, out, 4), ==, 1);
	g_assert_cmpuint(out[0].pi.ttl, ==, 64); /* the host stack counted */
	g_assert_cmpuint(out[0].d[7], ==, 64);   /* its hop already */
	g_assert_cmpuint(out[0].pi.tclass, ==, 0xb8);

	/* back to the sender: loop */
	pi.ttl = 30;
	pi.src = f.ly;
	len = mk_inner(pkt, "2001:db8:10::1", "2001:db8:20::5", 0, 64, 4000, 200);
	mk_rx(&rx, &pi, pkt, len, true);
	rx.nb = f.y;
	uint64_t l0 = CNT(f.n, drop_loop);
	g_assert_null(node_forward(f.n, &rx));
	g_assert_cmpuint(CNT(f.n, drop_loop), ==, l0 + 1);

	/* to the tunnel side (NH_TUNNEL): decapsulated, hop limit as it came
	 * (the host stack decrements when it forwards) */
	pi.src = f.lx;
	len = mk_inner(pkt, "2001:db8:10::1", "2001:db8:99::5", 0, 64, 4000, 200);
	mk_rx(&rx, &pi, pkt, len, true);
	rx.nb = f.x;
	g_assert_nonnull(node_forward(f.n, &rx));
	g_assert_cmpuint(drain(f.n, out, 4), ==, 1);
	g_assert_cmpint(out[0].pi.side, ==, AERO_SIDE_TUNNEL);
	g_assert_cmpuint(out[0].pi.ifindex, ==, 2);
	tu_assert_bytes(out[0].d, out[0].len, pkt, len);

	/* no route */
	uint64_t r0 = CNT(f.n, drop_no_route);
	len = mk_inner(pkt, "2001:db8:10::1", "2001:db8:77::5", 0, 64, 4000, 200);
	mk_rx(&rx, &pi, pkt, len, true);
	g_assert_null(node_forward(f.n, &rx));
	g_assert_cmpuint(CNT(f.n, drop_no_route), ==, r0 + 1);
	aero_node_free(f.n);
}

static void
test_hop_limit(void)
{
	struct fwd f;
	struct cap out[4];
	uint8_t pkt[2048];

	/* underlay to underlay: this node is the inner hop (digest 6.1) */
	fwd_setup(&f, 0);
	struct aero_pktinfo up = {.side = AERO_SIDE_UNDERLAY, .src = f.lx,
	                          .ttl = 64};
	for (int hl = 0; hl <= 2; hl++) {
		size_t len = mk_inner(pkt, "2001:db8:10::1", "2001:db8:20::5", 0,
		                      (uint8_t)hl, 4000, 100);
		struct rxctx rx;
		mk_rx(&rx, &up, pkt, len, true);
		rx.nb = f.x;
		uint64_t h0 = CNT(f.n, drop_hop_limit);
		const struct fib_entry *e = node_forward(f.n, &rx);
		if (hl <= 1) {
			g_assert_null(e);
			g_assert_cmpuint(CNT(f.n, drop_hop_limit), ==, h0 + 1);
			g_assert_cmpuint(drain(f.n, out, 4), ==, 0);
		} else {
			g_assert_nonnull(e);
			g_assert_cmpuint(drain(f.n, out, 4), ==, 1);
			g_assert_cmpuint(out[0].d[7], ==, 1);
			g_assert_cmpuint(out[0].pi.ttl, ==, 63); /* outer -> outer */
		}
	}
	/* from the tunnel side the host stack already counted: hop limit 1
	 * goes out as it is */
	struct aero_pktinfo tp = {.side = AERO_SIDE_TUNNEL};
	size_t len = mk_inner(pkt, "2001:db8:10::1", "2001:db8:20::5", 0, 1,
	                      4000, 100);
	struct rxctx rx;
	mk_rx(&rx, &tp, pkt, len, false);
	g_assert_nonnull(node_forward(f.n, &rx));
	g_assert_cmpuint(drain(f.n, out, 4), ==, 1);
	g_assert_cmpuint(out[0].d[7], ==, 1);
	g_assert_cmpuint(out[0].pi.ttl, ==, 1);
	aero_node_free(f.n);
}

/* Check a Packet Too Big: to dst, MTU mtu, quoting orig. */
static void
check_ptb(const uint8_t *p, size_t len, const struct aero_in6 *from,
          const uint8_t *orig, size_t olen, uint32_t mtu)
{
	struct aero_ipv6 h;

	g_assert_cmpuint(len, <=, 1280);
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p, len), ==, (int)len);
	g_assert_cmpuint(h.next_header, ==, 58);
	g_assert_cmpmem(h.dst.b, 16, orig + 8, 16); /* to the original source */
	g_assert_cmpmem(h.src.b, 16, from->b, 16);
	const uint8_t *icmp = h.payload;
	g_assert_cmpuint(icmp[0], ==, 2);
	g_assert_cmpuint(icmp[1], ==, 0);
	uint32_t m = (uint32_t)icmp[4] << 24 | icmp[5] << 16 | icmp[6] << 8 | icmp[7];
	g_assert_cmpuint(m, ==, mtu);
	uint32_t s = aero_wire_csum_add(0, icmp, h.payload_len);
	s = aero_wire_csum_pseudo6(s, &h.src, &h.dst, (uint32_t)h.payload_len, 58);
	g_assert_cmpuint(aero_wire_csum_fold(s), ==, 0);
	size_t q = h.payload_len - 8;
	g_assert_cmpuint(q, ==, MIN(olen, 1280 - 48)); /* as much as fits */
	g_assert_cmpmem(icmp + 8, q, orig, q);
}

static void
check_too_big(uint16_t mtu)
{
	struct fwd f;
	struct cap out[4];
	uint8_t pkt[2048];
	uint16_t eff = mtu ? mtu : 1280;

	fwd_setup(&f, mtu);
	/* exactly the MTU passes */
	struct aero_pktinfo tp = {.side = AERO_SIDE_TUNNEL, .ifindex = 3};
	size_t len = mk_inner(pkt, "2001:db8:10::1", "2001:db8:20::5", 0, 64,
	                      4000, eff);
	struct rxctx rx;
	mk_rx(&rx, &tp, pkt, len, false);
	g_assert_nonnull(node_forward(f.n, &rx));
	g_assert_cmpuint(drain(f.n, out, 4), ==, 1);
	g_assert_cmpuint(out[0].len, ==, eff);

	/* one more byte from the tunnel side: PTB back to the stack */
	len = mk_inner(pkt, "2001:db8:10::1", "2001:db8:20::5", 0, 64, 4000,
	               eff + 1u);
	mk_rx(&rx, &tp, pkt, len, false);
	uint64_t d0 = CNT(f.n, drop_too_big), s0 = CNT(f.n, icmp6_ptb_sent);
	g_assert_null(node_forward(f.n, &rx));
	g_assert_cmpuint(CNT(f.n, drop_too_big), ==, d0 + 1);
	g_assert_cmpuint(CNT(f.n, icmp6_ptb_sent), ==, s0 + 1);
	g_assert_cmpuint(drain(f.n, out, 4), ==, 1);
	g_assert_cmpint(out[0].pi.side, ==, AERO_SIDE_TUNNEL);
	g_assert_cmpuint(out[0].pi.ifindex, ==, 3);
	check_ptb(out[0].d, out[0].len, &f.n->ll, pkt, len, eff);

	/* from the underlay (neighbour X): PTB encapsulated back to X */
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY, .src = f.lx,
	                          .dst = f.me, .ttl = 40};
	len = mk_inner(pkt, "2001:db8:10::1", "2001:db8:20::5", 0, 64, 4000, 1500);
	mk_rx(&rx, &pi, pkt, len, true);
	rx.nb = f.x;
	g_assert_null(node_forward(f.n, &rx));
	g_assert_cmpuint(CNT(f.n, drop_too_big), ==, d0 + 2);
	g_assert_cmpuint(drain(f.n, out, 4), ==, 1);
	g_assert_cmpint(out[0].pi.side, ==, AERO_SIDE_UNDERLAY);
	g_assert_true(aero_loc_equal(&out[0].pi.dst, &f.lx));
	check_ptb(out[0].d, out[0].len, &f.n->ll, pkt, len, eff);

	/* from an unknown locator: PTB to that locator */
	pi.src = aero_loc_v4(198, 51, 100, 7, 40000);
	mk_rx(&rx, &pi, pkt, len, true);
	g_assert_null(node_forward(f.n, &rx));
	g_assert_cmpuint(drain(f.n, out, 4), ==, 1);
	g_assert_true(aero_loc_equal(&out[0].pi.dst, &pi.src));
	check_ptb(out[0].d, out[0].len, &f.n->ll, pkt, len, eff);
	aero_node_free(f.n);
}

static void test_too_big(void) { check_too_big(0); }
static void test_too_big_mtu1400(void) { check_too_big(1400); }

/* ---- P2: SEAL shim ------------------------------------------------------------ */

struct p2 {
	aero_node *a, *b;
	struct aero_loc la, lb, lc;
	struct nce *ab, *ac, *ba;
};

static void
p2_setup(struct p2 *p, const uint8_t *key_a, const uint8_t *key_b)
{
	p->la = aero_loc_v4(192, 0, 2, 1, 8060);
	p->lb = aero_loc_v4(192, 0, 2, 2, 8060);
	p->lc = aero_loc_v4(192, 0, 2, 3, 8060);
	p->a = mk_node(AERO_PROFILE_P2, p->la, 1, key_a, 0);
	p->b = mk_node(AERO_PROFILE_P2, p->lb, 2, key_b, 0);
	p->ab = mk_nce(p->a, 2, p->lb);
	p->ac = mk_nce(p->a, 3, p->lc);
	p->ba = mk_nce(p->b, 1, p->la);
}

static void
p2_free(struct p2 *p)
{
	aero_node_free(p->a);
	aero_node_free(p->b);
}

/* A sends pkt to nb; returns the captured UDP payload. */
static void
p2_send(struct p2 *p, struct nce *nb, const uint8_t *pkt, size_t len,
        struct cap *c)
{
	g_assert_cmpint(tunnel_send(p->a, nb, pkt, len, NULL), ==, 0);
	g_assert_cmpuint(drain(p->a, c, 1), ==, 1);
}

/* B receives c; returns tunnel_unwrap's result. */
static int
p2_recv(struct p2 *p, const struct cap *c, const uint8_t **inner, size_t *ilen)
{
	struct aero_pktinfo pi = c->pi; /* as sent: src = A, dst = B */
	struct rxctx rx = {.pi = &pi, .from_underlay = true};
	struct aero_scmp_msg sm;

	return tunnel_unwrap(p->b, &pi, c->d, c->len, &rx, inner, ilen, &sm);
}

static void
test_p2_icv(void)
{
	struct p2 p;
	struct cap c[8], cc[2];
	uint8_t pkt[2048];
	const uint8_t *inner;
	size_t ilen;
	struct aero_seal s;

	p2_setup(&p, KEY, KEY);
	size_t len = mk_inner(pkt, "2001:db8:1::1", "2001:db8:2::2", 0, 64, 77, 400);
	uint32_t id0 = p.ab->tx_id;
	for (int i = 0; i < 4; i++) {
		p2_send(&p, p.ab, pkt, len, &c[i]);
		g_assert_cmpuint(c[i].len, ==, len + AERO_SEAL_ICV_HDR_LEN);
		g_assert_cmpint(aero_wire_seal_decode(&s, c[i].d, c[i].len, KEY, 20),
		                ==, AERO_SEAL_ICV_HDR_LEN);
		g_assert_true(s.i);
		g_assert_false(s.c);
		g_assert_cmpuint(s.next_header, ==, AERO_SEAL_NH_IPV6);
		g_assert_cmpuint(s.id, ==, id0 + (uint32_t)i); /* +1 per packet */
		g_assert_cmpint(aero_wire_seal_verify(c[i].d, c[i].len, KEY, 20), ==, 0);
		tu_assert_bytes(s.payload, s.payload_len, pkt, len);
	}
	/* a second neighbour has its own Identification sequence */
	uint32_t idc = p.ac->tx_id;
	for (int i = 0; i < 2; i++) {
		p2_send(&p, p.ac, pkt, len, &cc[i]);
		g_assert_cmpint(aero_wire_seal_decode(&s, cc[i].d, cc[i].len, NULL, 0), >, 0);
		g_assert_cmpuint(s.id, ==, idc + (uint32_t)i);
	}
	p2_send(&p, p.ab, pkt, len, &c[4]);
	g_assert_cmpint(aero_wire_seal_decode(&s, c[4].d, c[4].len, NULL, 0), >, 0);
	g_assert_cmpuint(s.id, ==, id0 + 4);

	/* B accepts 0, then 2 before 1 (inside the window) */
	static const int order[] = {0, 2, 1, 3};
	for (int i = 0; i < 4; i++) {
		g_assert_cmpint(p2_recv(&p, &c[order[i]], &inner, &ilen), ==, 0);
		tu_assert_bytes(inner, ilen, pkt, len);
	}
	/* replay */
	uint64_t r0 = CNT(p.b, drop_replay);
	g_assert_cmpint(p2_recv(&p, &c[2], &inner, &ilen), ==, -1);
	g_assert_cmpuint(CNT(p.b, drop_replay), ==, r0 + 1);

	/* tamper with each byte of c[4] in turn: every change is caught */
	uint64_t b0 = CNT(p.b, drop_bad_icv);
	unsigned caught = 0, tried = 0;
	for (size_t off = 0; off < c[4].len; off += 37) {
		struct cap t = c[4];
		if (off == 1 || off == 19 || off == 3)
			continue; /* flags (handled below), pad, reserved */
		t.d[off] ^= 0x01;
		tried++;
		if (p2_recv(&p, &t, &inner, &ilen) < 0)
			caught++;
	}
	g_assert_cmpuint(caught, ==, tried);
	g_assert_cmpuint(CNT(p.b, drop_bad_icv), >=, b0 + tried - 1);
	/* the intact packet is still accepted (a failed ICV does not advance
	 * the replay window) */
	g_assert_cmpint(p2_recv(&p, &c[4], &inner, &ilen), ==, 0);
	p2_free(&p);
}

/* One Identification sequence per destination locator: a packet sent
 * without a neighbour (a DHCPv6 Reply) or through a second entry with the
 * same locator continues it, so the receiver's window (kept per sender
 * locator) accepts them all. A random ID here would move B's window ahead
 * of the sequence and B would drop every later packet as old. */
static void
test_p2_id_per_locator(void)
{
	struct p2 p;
	struct cap c[4];
	uint8_t pkt[2048], msg[16] = {1};
	const uint8_t *inner;
	size_t ilen;
	struct aero_seal s;

	p2_setup(&p, KEY, KEY);
	size_t len = mk_inner(pkt, "2001:db8:1::1", "2001:db8:2::2", 0, 64, 77, 200);
	uint32_t id0 = p.ab->tx_id;
	p2_send(&p, p.ab, pkt, len, &c[0]);
	struct aero_in6 src = server_ll(1), to = server_ll(2);
	g_assert_cmpint(node_send_udp(p.a, NULL, &p.lb, &src, &to, 255, 547, 546,
	                              msg, sizeof msg), ==, 0);
	g_assert_cmpuint(drain(p.a, &c[1], 1), ==, 1);
	/* a second entry at B's locator (a temporary link-local, say) */
	struct nce *ab2 = mk_nce(p.a, 4, p.lb);
	p2_send(&p, ab2, pkt, len, &c[2]);
	p2_send(&p, p.ab, pkt, len, &c[3]);
	for (int i = 0; i < 4; i++) {
		g_assert_cmpint(aero_wire_seal_decode(&s, c[i].d, c[i].len, NULL, 0), >, 0);
		g_assert_cmpuint(s.id, ==, id0 + (uint32_t)i);
		g_assert_cmpint(p2_recv(&p, &c[i], &inner, &ilen), ==, 0);
	}
	g_assert_cmpuint(CNT(p.b, drop_replay), ==, 0);
	p2_free(&p);
}

static void
test_p2_icv_missing(void)
{
	struct p2 p;
	struct cap c[2];
	uint8_t pkt[2048];
	const uint8_t *inner;
	size_t ilen;
	struct aero_seal s;

	/* A has no key, B requires one */
	p2_setup(&p, NULL, KEY);
	size_t len = mk_inner(pkt, "2001:db8:1::1", "2001:db8:2::2", 0, 64, 77, 100);
	p2_send(&p, p.ab, pkt, len, &c[0]);
	g_assert_cmpuint(c[0].len, ==, len + AERO_SEAL_HDR_LEN);
	g_assert_cmpint(aero_wire_seal_decode(&s, c[0].d, c[0].len, NULL, 0), ==, 8);
	g_assert_false(s.i);
	uint64_t b0 = CNT(p.b, drop_bad_icv);
	g_assert_cmpint(p2_recv(&p, &c[0], &inner, &ilen), ==, -1);
	g_assert_cmpuint(CNT(p.b, drop_bad_icv), ==, b0 + 1);
	p2_free(&p);

	/* wrong key */
	uint8_t other[20];
	memcpy(other, KEY, 20);
	other[19] ^= 0x80;
	p2_setup(&p, other, KEY);
	p2_send(&p, p.ab, pkt, len, &c[0]);
	b0 = CNT(p.b, drop_bad_icv);
	g_assert_cmpint(p2_recv(&p, &c[0], &inner, &ilen), ==, -1);
	g_assert_cmpuint(CNT(p.b, drop_bad_icv), ==, b0 + 1);
	/* a per-neighbour key overrides the link-wide one */
	memcpy(p.ba->icv_key, other, 20);
	p.ba->icv_key_len = 20;
	p2_send(&p, p.ab, pkt, len, &c[1]);
	g_assert_cmpint(p2_recv(&p, &c[1], &inner, &ilen), ==, 0);
	p2_free(&p);

	/* no key anywhere: accepted without ICV */
	p2_setup(&p, NULL, NULL);
	p2_send(&p, p.ab, pkt, len, &c[0]);
	g_assert_cmpint(p2_recv(&p, &c[0], &inner, &ilen), ==, 0);
	tu_assert_bytes(inner, ilen, pkt, len);
	p2_free(&p);
}

static void
test_p2_not_p2(void)
{
	struct p2 p;
	uint8_t pkt[2048];
	const uint8_t *inner;
	size_t ilen;

	p2_setup(&p, KEY, KEY);
	/* P1 packets (bare inner IPv6) on the P2 link, several traffic
	 * classes (the second byte of an IPv6 header can look like a SEAL
	 * version field) */
	for (unsigned tc = 0; tc < 256; tc += 4) {
		size_t len = mk_inner(pkt, "2001:db8:1::1", "2001:db8:2::2",
		                      (uint8_t)tc, 64, 77, 100);
		struct cap c = {.pi = {.side = AERO_SIDE_UNDERLAY, .src = p.la,
		                       .dst = p.lb, .ttl = 64}, .len = len};
		memcpy(c.d, pkt, len);
		uint64_t n0 = CNT(p.b, drop_not_p2);
		g_assert_cmpint(p2_recv(&p, &c, &inner, &ilen), ==, -1);
		g_assert_cmpuint(CNT(p.b, drop_not_p2), ==, n0 + 1);
		/* and through the public entry point */
		g_assert_cmpint(aero_node_recv(p.b, &c.pi, c.d, c.len, 0), ==, 0);
		g_assert_cmpuint(CNT(p.b, drop_not_p2), ==, n0 + 2);
	}
	/* a P2 packet on a P1 link */
	struct cap c;
	size_t len = mk_inner(pkt, "2001:db8:1::1", "2001:db8:2::2", 0, 64, 77, 100);
	p2_send(&p, p.ab, pkt, len, &c);
	aero_node *p1 = mk_node(AERO_PROFILE_P1, p.lb, 2, NULL, 0);
	uint64_t n0 = CNT(p1, drop_not_p2);
	g_assert_cmpint(aero_node_recv(p1, &c.pi, c.d, c.len, 0), ==, 0);
	g_assert_cmpuint(CNT(p1, drop_not_p2), ==, n0 + 1);
	aero_node_free(p1);
	p2_free(&p);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tunnel/ecn/rfc6040-table", test_ecn_table);
	g_test_add_func("/tunnel/encap/ipv4", test_encap_v4);
	g_test_add_func("/tunnel/encap/ipv6", test_encap_v6);
	g_test_add_func("/tunnel/forward/reencap", test_reencap);
	g_test_add_func("/tunnel/forward/hop-limit", test_hop_limit);
	g_test_add_func("/tunnel/forward/too-big", test_too_big);
	g_test_add_func("/tunnel/forward/too-big-mtu1400", test_too_big_mtu1400);
	g_test_add_func("/tunnel/p2/icv-replay", test_p2_icv);
	g_test_add_func("/tunnel/p2/id-per-locator", test_p2_id_per_locator);
	g_test_add_func("/tunnel/p2/icv-missing", test_p2_icv_missing);
	g_test_add_func("/tunnel/p2/not-p2", test_p2_not_p2);
	return g_test_run();
}
