/* Whole-packet layered decoder (core/src/wire/packet.c). */
#include "testutil.h"
#include "aero/wire_packet.h"

#include <arpa/inet.h>
#include <string.h>

static struct aero_packet pkt; /* large: keep it off the stack */

static const uint8_t key0b[AERO_SEAL_KEY_LEN] = {
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
};

#define assert_ip6(a, s) tu_assert_in6(*(a), s)

static int
decode_vec(const char *name, enum aero_packet_layer start,
           const struct aero_packet_opts *o, guint8 **out, gsize *n)
{
	*out = tu_load_vector(name, n);
	return aero_wire_packet_decode(&pkt, *out, *n, start, o);
}

#define HAS(l) AERO_PACKET_HAS(&pkt, AERO_PACKET_LAYER_##l)

static void
test_tv12(void)
{
	guint8 *b;
	gsize n;

	g_assert_cmpint(decode_vec("packet-tv12-p1-ipv4-rs", AERO_PACKET_LAYER_AUTO,
	                           NULL, &b, &n), ==, 76);
	g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_ND);
	g_assert_cmpint(pkt.profile, ==, AERO_PACKET_PROFILE_P1);
	g_assert_true(HAS(OUTER_IPV4) && HAS(UDP) && HAS(INNER_IPV6) && HAS(ICMPV6));
	g_assert_false(HAS(OUTER_IPV6) || HAS(SEAL) || HAS(DHCP6));
	g_assert_cmpuint(pkt.outer4.ttl, ==, 64);
	g_assert_cmpuint(pkt.outer4.id, ==, 1);
	g_assert_false(pkt.outer4.df);
	g_assert_cmpuint(pkt.udp.src_port, ==, 49152);
	g_assert_cmpuint(pkt.udp.dst_port, ==, 8060);
	g_assert_cmpuint(pkt.udp.checksum, ==, 0);
	g_assert_cmpuint(pkt.inner6.hop_limit, ==, 255);
	assert_ip6(&pkt.inner6.src, "fe80::2001:db8:1000:2000");
	assert_ip6(&pkt.inner6.dst, "fe80::1");
	g_assert_cmpuint(pkt.nd.type, ==, AERO_ND_TYPE_RS);
	g_assert_cmpint(pkt.err, ==, 0);
	g_free(b);
}

static void
test_p1_dhcp6(void)
{
	guint8 *b;
	gsize n;

	g_assert_cmpint(decode_vec("packet-p1-ipv4-dhcp6-solicit", AERO_PACKET_LAYER_AUTO,
	                           NULL, &b, &n), ==, (int)n);
	g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_DHCP6);
	g_assert_true(HAS(INNER_UDP) && HAS(DHCP6));
	g_assert_cmpuint(pkt.inner_udp.dst_port, ==, 547);
	g_assert_cmpuint(pkt.dhcp6.msg_type, ==, AERO_DHCP6_SOLICIT);
	g_assert_cmpuint(pkt.dhcp6.transaction_id, ==, 0x5a1b2c);
	g_assert_true(pkt.dhcp6.has_rapid_commit);
	g_assert_cmpuint(pkt.dhcp6.n_iapd, ==, 1);
	g_assert_cmpuint(pkt.dhcp6.iapd[0].prefix[0].plen, ==, 56);
	g_free(b);
}

static void
test_p1_ipv6_ra(void)
{
	struct aero_packet_opts o;
	guint8 *b;
	gsize n;

	aero_packet_opts_default(&o);
	g_assert_cmpint(decode_vec("packet-p1-ipv6-ra", AERO_PACKET_LAYER_AUTO, &o,
	                           &b, &n), ==, (int)n);
	g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_ND);
	g_assert_true(HAS(OUTER_IPV6) && HAS(UDP) && HAS(INNER_IPV6) && HAS(ICMPV6));
	g_assert_cmphex(pkt.outer6.flow_label, ==, 0x12345);
	g_assert_cmpuint(pkt.udp.src_port, ==, 8060);
	g_assert_cmpuint(pkt.nd.type, ==, AERO_ND_TYPE_RA);
	g_assert_cmpuint(pkt.nd.ra.router_lifetime, ==, 1800);
	g_assert_cmpuint(pkt.nd.opts.n_pio, ==, 1);
	g_assert_true(pkt.nd.opts.pio[0].p);
	g_assert_false(pkt.nd.opts.pio[0].x);
	o.pio_x = true;
	g_assert_cmpint(aero_wire_packet_decode(&pkt, b, n, AERO_PACKET_LAYER_AUTO, &o), ==, (int)n);
	g_assert_true(pkt.nd.opts.pio[0].x);
	g_assert_false(pkt.nd.opts.pio[0].p);
	/* corrupt the outer UDP checksum: named at the UDP layer */
	b[46] ^= 0x01;
	g_assert_cmpint(aero_wire_packet_decode(&pkt, b, n, AERO_PACKET_LAYER_AUTO, &o), ==,
	                AERO_WIRE_E_CHECKSUM);
	g_assert_cmpint(pkt.err_layer, ==, AERO_PACKET_LAYER_UDP);
	g_assert_cmpuint(pkt.err_offset, ==, 40);
	g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_ERROR);
	g_assert_true(HAS(OUTER_IPV6));
	g_assert_false(HAS(UDP));
	o.verify_checksums = false;
	g_assert_cmpint(aero_wire_packet_decode(&pkt, b, n, AERO_PACKET_LAYER_AUTO, &o), ==, (int)n);
	g_free(b);
}

static void
test_p1_predirect(void)
{
	guint8 *b;
	gsize n;

	g_assert_cmpint(decode_vec("packet-p1-ipv4-predirect", AERO_PACKET_LAYER_AUTO,
	                           NULL, &b, &n), ==, (int)n);
	g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_RFC6706);
	g_assert_cmpuint(pkt.inner6.hop_limit, ==, 8);
	g_assert_true(pkt.rfc6706.p);
	assert_ip6(&pkt.rfc6706.target, "fe80::5efe:c000:201");
	g_assert_cmpuint(pkt.rfc6706.opts.n_rio, ==, 1);
	g_assert_true(pkt.rfc6706.opts.has_rho);
	g_free(b);
}

static void
test_p2_icv(void)
{
	struct aero_packet_opts o;
	uint8_t bad[AERO_SEAL_KEY_LEN];
	guint8 *b;
	gsize n;

	aero_packet_opts_default(&o);
	/* auto profile: the UDP payload does not start with an IPv6 header */
	g_assert_cmpint(decode_vec("packet-p2-ipv4-seal-icv-rs", AERO_PACKET_LAYER_AUTO, &o,
	                           &b, &n), ==, (int)n);
	g_assert_cmpint(pkt.profile, ==, AERO_PACKET_PROFILE_P2);
	g_assert_true(HAS(SEAL) && HAS(INNER_IPV6) && HAS(ICMPV6));
	g_assert_true(pkt.seal.i && pkt.seal.r);
	g_assert_cmphex(pkt.seal.id, ==, 0x01020304);
	g_assert_false(pkt.icv_checked);
	/* the right key verifies (ICV computed independently by gen-packets.py) */
	o.icv_key = key0b;
	o.icv_key_len = sizeof key0b;
	g_assert_cmpint(aero_wire_packet_decode(&pkt, b, n, AERO_PACKET_LAYER_AUTO, &o), ==, (int)n);
	g_assert_true(pkt.icv_checked && pkt.icv_ok);
	g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_ND);
	/* a wrong key: error at the SEAL layer, header still shown */
	memcpy(bad, key0b, sizeof bad);
	bad[0] ^= 1;
	o.icv_key = bad;
	g_assert_cmpint(aero_wire_packet_decode(&pkt, b, n, AERO_PACKET_LAYER_AUTO, &o), ==,
	                AERO_WIRE_E_ICV);
	g_assert_cmpint(pkt.err_layer, ==, AERO_PACKET_LAYER_SEAL);
	g_assert_cmpuint(pkt.err_offset, ==, 28);
	g_assert_true(HAS(SEAL) && pkt.icv_checked && !pkt.icv_ok);
	/* a flipped payload bit with the right key */
	o.icv_key = key0b;
	b[n - 1] ^= 0x80;
	g_assert_cmpint(aero_wire_packet_decode(&pkt, b, n, AERO_PACKET_LAYER_AUTO, &o), ==,
	                AERO_WIRE_E_ICV);
	/* forcing P1 on a P2 packet: the inner IPv6 decoder rejects SEAL */
	b[n - 1] ^= 0x80;
	o.profile = AERO_PACKET_PROFILE_P1;
	g_assert_cmpint(aero_wire_packet_decode(&pkt, b, n, AERO_PACKET_LAYER_AUTO, &o), <, 0);
	g_assert_cmpint(pkt.err_layer, ==, AERO_PACKET_LAYER_INNER_IPV6);
	g_free(b);
}

static void
test_p2_scmp(void)
{
	guint8 *b;
	gsize n;

	g_assert_cmpint(decode_vec("packet-p2-ipv6-scmp-srs", AERO_PACKET_LAYER_AUTO,
	                           NULL, &b, &n), ==, (int)n);
	g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_SCMP);
	g_assert_true(pkt.seal.c);
	g_assert_cmpuint(pkt.scmp.type, ==, AERO_SCMP_TYPE_SRS);
	g_assert_true(pkt.scmp.nd.opts.has_sllao);
	g_assert_cmpint(pkt.scmp.nd.opts.sllao.form, ==, AERO_ND_LLA_VET_IPV4);
	g_free(b);
}

/* Message-level vectors through the start-layer option. */
static void
test_start_layers(void)
{
	static const struct { const char *vec; const char *layer; enum aero_packet_kind k; } t[] = {
		{"dhcp6-tv3-solicit", "dhcp6", AERO_PACKET_KIND_DHCP6},
		{"dhcp6-tv5-relay-forw", "dhcp6", AERO_PACKET_KIND_DHCP6},
		{"nd-tv6-rs", "icmpv6", AERO_PACKET_KIND_ND},
		{"nd-tv7-ra-pio", "nd", AERO_PACKET_KIND_ND},
		{"rfc6706-tv8-predirect", "rfc6706", AERO_PACKET_KIND_RFC6706},
		{"scmp-spd-v1", "scmp", AERO_PACKET_KIND_SCMP},
		{"seal-p2-icv", "seal", AERO_PACKET_KIND_SCMP},
		{"packet-tv12-p1-ipv4-rs", "ipv4", AERO_PACKET_KIND_ND},
		{"packet-tv12-p1-ipv4-rs", "ip", AERO_PACKET_KIND_ND},
		{"packet-p1-ipv6-ra", "ipv6", AERO_PACKET_KIND_ND},
		{"ip-p1-ipv6-rs", "auto", AERO_PACKET_KIND_ND},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		enum aero_packet_layer l;
		guint8 *b;
		gsize n;
		g_assert_cmpint(aero_packet_layer_parse(t[i].layer, &l), ==, 0);
		int rc = decode_vec(t[i].vec, l, NULL, &b, &n);
		if (rc < 0)
			g_test_message("%s: %s at %s", t[i].vec, aero_wire_strerror(rc),
			               aero_packet_layer_name(pkt.err_layer));
		g_assert_cmpint(rc, ==, (int)n);
		g_assert_cmpint(pkt.kind, ==, t[i].k);
		g_free(b);
	}
	/* inner layers from the middle of TV12 */
	gsize n;
	guint8 *b = tu_load_vector("packet-tv12-p1-ipv4-rs", &n);
	g_assert_cmpint(aero_wire_packet_decode(&pkt, b + 20, n - 20, AERO_PACKET_LAYER_UDP, NULL),
	                ==, (int)n - 20);
	g_assert_cmpint(aero_wire_packet_decode(&pkt, b + 28, n - 28,
	                AERO_PACKET_LAYER_UDP_PAYLOAD, NULL), ==, (int)n - 28);
	g_assert_cmpint(aero_wire_packet_decode(&pkt, b + 28, n - 28,
	                AERO_PACKET_LAYER_INNER_IPV6, NULL), ==, (int)n - 28);
	g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_ND);
	g_free(b);
	enum aero_packet_layer l;
	g_assert_cmpint(aero_packet_layer_parse("bogus", &l), ==, -1);
	g_assert_cmpint(aero_wire_packet_decode(&pkt, (const uint8_t *)"", 0,
	                (enum aero_packet_layer)99, NULL), ==, AERO_WIRE_E_INVAL);
}

/* Classification of non-AERO traffic and of data packets. */
static void
test_kinds(void)
{
	gsize n;
	guint8 *b = tu_load_vector("packet-tv12-p1-ipv4-rs", &n);
	guint8 c[128];

	/* a UDP port other than 8060 and 546/547: other, not tunnelled */
	memcpy(c, b, n);
	c[22] = 0x13;
	c[23] = 0x88; /* dst 5000 */
	g_assert_cmpint(aero_wire_packet_decode(&pkt, c, n, AERO_PACKET_LAYER_AUTO, NULL), ==, (int)n);
	g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_OTHER);
	g_assert_cmpint(pkt.profile, ==, AERO_PACKET_PROFILE_NONE);
	g_assert_cmpuint(pkt.data_len, ==, n - 28);
	/* an IPv4 fragment (MF set): other, with the fragment as data */
	memcpy(c, b, n);
	c[6] = 0x20;
	uint32_t s = aero_wire_csum_add(0, c, 10);
	c[10] = c[11] = 0;
	s = aero_wire_csum_add(0, c, 20);
	uint16_t k = aero_wire_csum_fold(s);
	c[10] = (uint8_t)(k >> 8);
	c[11] = (uint8_t)k;
	g_assert_cmpint(aero_wire_packet_decode(&pkt, c, n, AERO_PACKET_LAYER_AUTO, NULL), ==, (int)n);
	g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_OTHER);
	g_assert_false(HAS(UDP));
	/* an inner ICMPv6 echo request: data */
	memcpy(c, b, n);
	c[68] = 128;
	struct aero_in6 src, dst;
	memcpy(src.b, c + 36, 16);
	memcpy(dst.b, c + 52, 16);
	c[70] = c[71] = 0;
	s = aero_wire_csum_pseudo6(0, &src, &dst, 8, 58);
	k = aero_wire_csum_fold(aero_wire_csum_add(s, c + 68, 8));
	c[70] = (uint8_t)(k >> 8);
	c[71] = (uint8_t)k;
	g_assert_cmpint(aero_wire_packet_decode(&pkt, c, n, AERO_PACKET_LAYER_AUTO, NULL), ==, (int)n);
	g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_DATA);
	g_assert_cmpuint(pkt.data_proto, ==, 58);
	/* an inner RS with a bad ICMPv6 checksum */
	memcpy(c, b, n);
	c[70] ^= 1;
	g_assert_cmpint(aero_wire_packet_decode(&pkt, c, n, AERO_PACKET_LAYER_AUTO, NULL), ==,
	                AERO_WIRE_E_CHECKSUM);
	g_assert_cmpint(pkt.err_layer, ==, AERO_PACKET_LAYER_ICMPV6);
	g_assert_cmpuint(pkt.err_offset, ==, 68);
	/* not IP at all */
	c[0] = 0x50;
	g_assert_cmpint(aero_wire_packet_decode(&pkt, c, n, AERO_PACKET_LAYER_AUTO, NULL), ==,
	                AERO_WIRE_E_VERSION);
	g_assert_cmpint(aero_wire_packet_decode(&pkt, c, 0, AERO_PACKET_LAYER_AUTO, NULL), ==,
	                AERO_WIRE_E_TRUNCATED);
	g_free(b);
}

/* Every truncation of every whole-packet vector fails cleanly at some layer. */
static void
test_truncations(void)
{
	static const char *const vecs[] = {
		"packet-tv12-p1-ipv4-rs", "packet-p1-ipv4-dhcp6-solicit", "packet-p1-ipv6-ra",
		"packet-p1-ipv4-predirect", "packet-p2-ipv4-seal-icv-rs", "packet-p2-ipv6-scmp-srs",
		"ip-p1-ipv6-rs",
	};
	struct aero_packet_opts o;

	aero_packet_opts_default(&o);
	for (size_t v = 0; v < G_N_ELEMENTS(vecs); v++) {
		gsize n;
		guint8 *b = tu_load_vector(vecs[v], &n);
		for (gsize cut = 0; cut < n; cut++) {
			guint8 *c = g_memdup2(b, cut); /* exact-size copy for ASan */
			int rc = aero_wire_packet_decode(&pkt, c, cut, AERO_PACKET_LAYER_AUTO, &o);
			/* outer IP headers carry the total length: every cut is caught */
			g_assert_cmpint(rc, <, 0);
			g_assert_cmpint(rc, >=, AERO_WIRE_E_MIN);
			g_assert_cmpint(pkt.err, ==, rc);
			g_assert_cmpuint(pkt.err_offset, <=, cut);
			g_assert_cmpint(pkt.kind, ==, AERO_PACKET_KIND_ERROR);
			g_free(c);
		}
		g_free(b);
	}
}

static void
test_names(void)
{
	for (int l = 0; l < AERO_PACKET_LAYER_COUNT; l++)
		g_assert_cmpstr(aero_packet_layer_name((enum aero_packet_layer)l), !=, "?");
	g_assert_cmpstr(aero_packet_layer_name(AERO_PACKET_LAYER_COUNT), ==, "?");
	for (int k = 0; k < AERO_PACKET_KIND_COUNT; k++)
		g_assert_cmpstr(aero_packet_kind_name((enum aero_packet_kind)k), !=, "?");
	g_assert_cmpstr(aero_packet_kind_name(AERO_PACKET_KIND_COUNT), ==, "?");
	g_assert_cmpstr(aero_packet_profile_name(AERO_PACKET_PROFILE_P1), ==, "P1");
	g_assert_cmpstr(aero_packet_profile_name(AERO_PACKET_PROFILE_P2), ==, "P2");
	g_assert_cmpstr(aero_packet_profile_name(AERO_PACKET_PROFILE_NONE), ==, "none");
	g_assert_cmpstr(aero_packet_profile_name(AERO_PACKET_PROFILE_AUTO), ==, "auto");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wire/packet/tv12", test_tv12);
	g_test_add_func("/wire/packet/p1-dhcp6", test_p1_dhcp6);
	g_test_add_func("/wire/packet/p1-ipv6-ra", test_p1_ipv6_ra);
	g_test_add_func("/wire/packet/p1-predirect", test_p1_predirect);
	g_test_add_func("/wire/packet/p2-icv", test_p2_icv);
	g_test_add_func("/wire/packet/p2-scmp", test_p2_scmp);
	g_test_add_func("/wire/packet/start-layers", test_start_layers);
	g_test_add_func("/wire/packet/kinds", test_kinds);
	g_test_add_func("/wire/packet/truncations", test_truncations);
	g_test_add_func("/wire/packet/names", test_names);
	return g_test_run();
}
