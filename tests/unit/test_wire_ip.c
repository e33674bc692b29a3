/* Outer IPv4 / IPv6 / UDP, flow label and UDP port hash (core/src/wire/ip.c). */
#include "testutil.h"
#include "aero/wire_ip.h"

#include <arpa/inet.h>
#include <string.h>
#define in6(s) tu_in6(s)
#define in4(s) tu_in4(s)
#define assert_in6(a, s) tu_assert_in6(a, s)
#define assert_in4(a, s) tu_assert_in4(a, s)

/* ---- TV12: P1 over IPv4 -------------------------------------------------- */

static void
test_tv12_decode(void)
{
	gsize n;
	guint8 *p = tu_load_vector("packet-tv12-p1-ipv4-rs", &n);
	struct aero_ipv4 h;
	struct aero_udp u;
	struct aero_ipv6 i6;
	struct aero_ip_pseudo ps;

	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, n, 0), ==, 76);
	g_assert_cmpuint(h.dscp, ==, 0);
	g_assert_cmpuint(h.ecn, ==, 0);
	g_assert_cmpuint(h.total_len, ==, 76);
	g_assert_cmpuint(h.id, ==, 1);
	g_assert_false(h.rf);
	g_assert_false(h.df);
	g_assert_false(h.mf);
	g_assert_cmpuint(h.frag_off, ==, 0);
	g_assert_cmpuint(h.ttl, ==, 64);
	g_assert_cmpuint(h.proto, ==, AERO_IP_PROTO_UDP);
	g_assert_cmphex(h.checksum, ==, 0x8e61);
	assert_in4(h.src, "198.51.100.10");
	assert_in4(h.dst, "192.0.2.1");
	g_assert_null(h.options);
	g_assert_cmpuint(h.options_len, ==, 0);
	g_assert_true(h.payload == p + 20);
	g_assert_cmpuint(h.payload_len, ==, 56);
	g_assert_cmpuint(aero_wire_ipv4_hdr_len(&h), ==, 20);

	aero_wire_ipv4_pseudo(&ps, &h);
	g_assert_cmpuint(ps.family, ==, 4);
	g_assert_cmpint(aero_wire_udp_decode(&u, h.payload, h.payload_len, &ps, 0),
	                ==, 56);
	g_assert_cmpuint(u.src_port, ==, 49152);
	g_assert_cmpuint(u.dst_port, ==, AERO_UDP_PORT);
	g_assert_cmpuint(u.length, ==, 56);
	g_assert_cmphex(u.checksum, ==, 0);
	g_assert_true(u.payload == p + 28);
	g_assert_cmpuint(u.payload_len, ==, 48);

	g_assert_cmpint(aero_wire_ipv6_decode(&i6, u.payload, u.payload_len), ==, 48);
	g_assert_cmpuint(i6.dscp, ==, 0);
	g_assert_cmpuint(i6.ecn, ==, 0);
	g_assert_cmpuint(i6.flow_label, ==, 0);
	g_assert_cmpuint(i6.next_header, ==, AERO_IP_PROTO_ICMPV6);
	g_assert_cmpuint(i6.hop_limit, ==, 255);
	assert_in6(i6.src, "fe80::2001:db8:1000:2000");
	assert_in6(i6.dst, "fe80::1");
	g_assert_true(i6.payload == p + 68);
	g_assert_cmpuint(i6.payload_len, ==, 8);
	g_assert_cmpuint(i6.payload[0], ==, 133);   /* RS */
	g_free(p);
}

/* Build TV12 headroom style in one buffer: inner, then UDP, then IPv4. */
static void
test_tv12_rebuild(void)
{
	gsize n;
	guint8 *p = tu_load_vector("packet-tv12-p1-ipv4-rs", &n);
	uint8_t buf[128];
	struct aero_ipv4 h = {0};
	struct aero_udp u = {0};
	struct aero_ip_pseudo ps;

	memset(buf, 0xee, sizeof buf);
	memcpy(buf + 28, p + 28, 48);            /* inner RS from the vector */
	h.id = 1;
	h.ttl = 64;
	h.proto = AERO_IP_PROTO_UDP;
	h.src = in4("198.51.100.10");
	h.dst = in4("192.0.2.1");
	u.src_port = 49152;
	u.dst_port = AERO_UDP_PORT;
	u.payload_len = 48;
	aero_wire_ipv4_pseudo(&ps, &h);
	g_assert_cmpint(aero_wire_udp_encode(buf + 20, sizeof buf - 20, &u, &ps,
	                                     AERO_UDP_P1_FLAGS_V4), ==, 56);
	h.payload_len = 56;
	g_assert_cmpint(aero_wire_ipv4_encode(buf, sizeof buf, &h), ==, 76);
	tu_assert_bytes(buf, 76, p, n);
	g_assert_cmpuint(buf[76], ==, 0xee);     /* nothing written past it */

	/* The decoded structs re-encode into another buffer (payload copy). */
	struct aero_ipv4 d;
	struct aero_udp du;
	uint8_t out[128];
	g_assert_cmpint(aero_wire_ipv4_decode(&d, p, n, 0), ==, 76);
	g_assert_cmpint(aero_wire_udp_decode(&du, d.payload, d.payload_len, &ps, 0),
	                ==, 56);
	g_assert_cmpint(aero_wire_udp_encode(out + 20, sizeof out - 20, &du, NULL,
	                                     AERO_UDP_F_KEEP_CSUM), ==, 56);
	d.payload = NULL;                        /* UDP is in place now */
	g_assert_cmpint(aero_wire_ipv4_encode(out, sizeof out, &d), ==, 76);
	tu_assert_bytes(out, 76, p, n);
	g_free(p);
}

/* Every prefix of a vector fails at each layer that carries a length. */
static void
test_tv12_truncated(void)
{
	gsize n;
	guint8 *p = tu_load_vector("packet-tv12-p1-ipv4-rs", &n);
	struct aero_ipv4 h;
	struct aero_udp u;
	struct aero_ipv6 i6;
	struct aero_ip_pseudo ps = {.family = 4};

	memcpy(ps.src.b, p + 12, 4);
	memcpy(ps.dst.b, p + 16, 4);
	for (gsize k = 0; k < n; k++) {
		g_assert_cmpint(aero_wire_ipv4_decode(&h, p, k, 0), <, 0);
		g_assert_cmpint(aero_wire_ipv4_decode(&h, p, k, AERO_IPV4_F_NOCSUM),
		                <, 0);
	}
	for (gsize k = 0; k < 56; k++) {
		g_assert_cmpint(aero_wire_udp_decode(&u, p + 20, k, &ps, 0), <, 0);
		g_assert_cmpint(aero_wire_udp_decode(&u, p + 20, k, NULL, 0), <, 0);
	}
	for (gsize k = 0; k < 48; k++)
		g_assert_cmpint(aero_wire_ipv6_decode(&i6, p + 28, k), <, 0);
	g_free(p);
}

/* ---- P1 over IPv6 (ip-p1-ipv6-rs) ---------------------------------------- */

static void
test_p1v6_decode(void)
{
	gsize n;
	guint8 *p = tu_load_vector("ip-p1-ipv6-rs", &n);
	struct aero_ipv6 h, i6;
	struct aero_udp u;
	struct aero_ip_pseudo ps;
	struct aero_flow_tuple t;

	g_assert_cmpuint(n, ==, 96);
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p, n), ==, 96);
	g_assert_cmpuint(h.dscp, ==, 0);
	g_assert_cmpuint(h.ecn, ==, 0);
	g_assert_cmphex(h.flow_label, ==, 0xace47);
	g_assert_cmpuint(h.next_header, ==, AERO_IP_PROTO_UDP);
	g_assert_cmpuint(h.hop_limit, ==, 255);
	assert_in6(h.src, "2001:db8:0:1::10");
	assert_in6(h.dst, "2001:db8:0:2::1");
	g_assert_true(h.payload == p + 40);
	g_assert_cmpuint(h.payload_len, ==, 56);

	aero_wire_ipv6_pseudo(&ps, &h);
	g_assert_cmpint(aero_wire_udp_decode(&u, h.payload, h.payload_len, &ps, 0),
	                ==, 56);
	g_assert_cmpuint(u.src_port, ==, 49152);
	g_assert_cmpuint(u.dst_port, ==, 8060);
	g_assert_cmpuint(u.length, ==, 56);
	g_assert_cmphex(u.checksum, ==, 0x29b6);
	g_assert_cmpuint(u.payload_len, ==, 48);
	g_assert_cmpint(aero_wire_ipv6_decode(&i6, u.payload, u.payload_len), ==, 48);
	g_assert_cmpuint(i6.hop_limit, ==, 255);

	/* The outer flow label is the frozen hash of the inner flow. */
	g_assert_cmpint(aero_wire_flow_tuple(&t, u.payload, u.payload_len), ==, 0);
	g_assert_cmpuint(t.family, ==, 6);
	g_assert_cmpuint(t.proto, ==, 58);
	g_assert_cmpuint(t.sport, ==, 0);
	g_assert_cmpuint(t.dport, ==, 0);
	g_assert_cmphex(aero_wire_hash_oaat(0, (const uint8_t *)"", 0), ==, 0);
	g_assert_cmphex(aero_wire_flow_label(&t), ==, 0xace47);
	g_free(p);
}

static void
test_p1v6_rebuild(void)
{
	gsize n;
	guint8 *p = tu_load_vector("ip-p1-ipv6-rs", &n);
	uint8_t buf[160];
	struct aero_ipv6 h = {0};
	struct aero_udp u = {0};
	struct aero_ip_pseudo ps;
	struct aero_flow_tuple t;

	memset(buf, 0xee, sizeof buf);
	memcpy(buf + 48, p + 48, 48);
	g_assert_cmpint(aero_wire_flow_tuple(&t, buf + 48, 48), ==, 0);
	h.flow_label = aero_wire_flow_label(&t);
	h.next_header = AERO_IP_PROTO_UDP;
	h.hop_limit = buf[48 + 7];               /* copied from inner (6.1) */
	h.src = in6("2001:db8:0:1::10");
	h.dst = in6("2001:db8:0:2::1");
	u.src_port = 49152;
	u.dst_port = AERO_UDP_PORT;
	u.payload_len = 48;
	aero_wire_ipv6_pseudo(&ps, &h);
	g_assert_cmpint(aero_wire_udp_encode(buf + 40, sizeof buf - 40, &u, &ps,
	                                     AERO_UDP_P1_FLAGS_V6), ==, 56);
	h.payload_len = 56;
	g_assert_cmpint(aero_wire_ipv6_encode(buf, sizeof buf, &h), ==, 96);
	tu_assert_bytes(buf, 96, p, n);
	g_assert_cmpuint(buf[96], ==, 0xee);

	/* decode -> encode into another buffer */
	struct aero_ipv6 d;
	uint8_t out[160];
	g_assert_cmpint(aero_wire_ipv6_decode(&d, p, n), ==, 96);
	g_assert_cmpint(aero_wire_ipv6_encode(out, sizeof out, &d), ==, 96);
	tu_assert_bytes(out, 96, p, n);
	g_free(p);
}

static void
test_p1v6_truncated(void)
{
	gsize n;
	guint8 *p = tu_load_vector("ip-p1-ipv6-rs", &n);
	struct aero_ipv6 h;
	struct aero_udp u;
	struct aero_ip_pseudo ps = {.family = 6};

	memcpy(ps.src.b, p + 8, 16);
	memcpy(ps.dst.b, p + 24, 16);
	for (gsize k = 0; k < n; k++)
		g_assert_cmpint(aero_wire_ipv6_decode(&h, p, k), <, 0);
	for (gsize k = 0; k < 56; k++) {
		g_assert_cmpint(aero_wire_udp_decode(&u, p + 40, k, &ps, 0), <, 0);
		g_assert_cmpint(aero_wire_udp_decode(&u, p + 40, k, NULL, 0), <, 0);
	}
	g_free(p);
}

/* ---- IPv4 with options + UDP (ip-ipv4-opts-udp) ------------------------- */

static void
test_v4opts(void)
{
	gsize n;
	guint8 *p = tu_load_vector("ip-ipv4-opts-udp", &n);
	struct aero_ipv4 h;
	struct aero_udp u;
	struct aero_ip_pseudo ps;
	uint8_t out[64];

	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, n, 0), ==, 37);
	g_assert_cmpuint(h.dscp, ==, 46);
	g_assert_cmpuint(h.ecn, ==, 1);
	g_assert_cmpuint(h.total_len, ==, 37);
	g_assert_cmphex(h.id, ==, 0xbeef);
	g_assert_false(h.rf);
	g_assert_true(h.df);
	g_assert_false(h.mf);
	g_assert_cmpuint(h.frag_off, ==, 0);
	g_assert_cmpuint(h.ttl, ==, 17);
	g_assert_cmpuint(h.proto, ==, 17);
	g_assert_cmphex(h.checksum, ==, 0x1714);
	assert_in4(h.src, "192.0.2.1");
	assert_in4(h.dst, "203.0.113.5");
	g_assert_true(h.options == p + 20);
	g_assert_cmpuint(h.options_len, ==, 4);
	g_assert_cmpuint(h.options[0], ==, 148);
	g_assert_cmpuint(h.payload_len, ==, 13);
	g_assert_cmpuint(aero_wire_ipv4_hdr_len(&h), ==, 24);

	aero_wire_ipv4_pseudo(&ps, &h);
	g_assert_cmpint(aero_wire_udp_decode(&u, h.payload, h.payload_len, &ps, 0),
	                ==, 13);
	g_assert_cmpuint(u.src_port, ==, 8060);
	g_assert_cmpuint(u.dst_port, ==, 49153);
	g_assert_cmpuint(u.length, ==, 13);
	g_assert_cmphex(u.checksum, ==, 0xde7c);
	g_assert_cmpmem(u.payload, u.payload_len, "hello", 5);

	/* Re-encode: computed UDP checksum, options copied from the input. */
	memset(out, 0, sizeof out);
	g_assert_cmpint(aero_wire_udp_encode(out + 24, sizeof out - 24, &u, &ps, 0),
	                ==, 13);
	h.payload = NULL;
	g_assert_cmpint(aero_wire_ipv4_encode(out, sizeof out, &h), ==, 37);
	tu_assert_bytes(out, 37, p, n);

	for (gsize k = 0; k < n; k++) {
		g_assert_cmpint(aero_wire_ipv4_decode(&h, p, k, 0), <, 0);
		if (k < 13)
			g_assert_cmpint(aero_wire_udp_decode(&u, p + 24, k, &ps, 0),
			                <, 0);
	}
	g_free(p);
}

/* ---- IPv6 with extension headers (ip-ipv6-ext-udp) ---------------------- */

static void
test_v6ext(void)
{
	gsize n;
	guint8 *p = tu_load_vector("ip-ipv6-ext-udp", &n);
	struct aero_ipv6 h;
	struct aero_udp u;
	struct aero_ip_pseudo ps;
	struct aero_flow_tuple t;
	const uint8_t *up;
	size_t ulen;
	uint8_t proto, out[80];

	g_assert_cmpint(aero_wire_ipv6_decode(&h, p, n), ==, 67);
	g_assert_cmpuint(h.dscp, ==, 2);
	g_assert_cmpuint(h.ecn, ==, 2);
	g_assert_cmphex(h.flow_label, ==, 0x12345);
	g_assert_cmpuint(h.next_header, ==, AERO_IP_PROTO_HOPOPTS);
	g_assert_cmpuint(h.hop_limit, ==, 64);
	assert_in6(h.src, "2001:db8::1");
	assert_in6(h.dst, "2001:db8::2");
	g_assert_cmpuint(h.payload_len, ==, 27);

	g_assert_cmpint(aero_wire_ipv6_upper(&h, &proto, &up, &ulen), ==, 16);
	g_assert_cmpuint(proto, ==, AERO_IP_PROTO_UDP);
	g_assert_true(up == p + 56);
	g_assert_cmpuint(ulen, ==, 11);
	g_assert_cmpint(aero_wire_ipv6_upper(&h, NULL, NULL, NULL), ==, 16);

	aero_wire_ipv6_pseudo(&ps, &h);
	g_assert_cmpint(aero_wire_udp_decode(&u, up, ulen, &ps, 0), ==, 11);
	g_assert_cmpuint(u.src_port, ==, 1234);
	g_assert_cmpuint(u.dst_port, ==, 8060);
	g_assert_cmphex(u.checksum, ==, 0x7c13);
	g_assert_cmpuint(u.payload_len, ==, 3);

	g_assert_cmpint(aero_wire_flow_tuple(&t, p, n), ==, 0);
	g_assert_cmpuint(t.family, ==, 6);
	g_assert_cmpuint(t.proto, ==, 17);
	g_assert_cmpuint(t.sport, ==, 1234);
	g_assert_cmpuint(t.dport, ==, 8060);
	g_assert_cmphex(t.flow_label, ==, 0x12345);

	g_assert_cmpint(aero_wire_ipv6_encode(out, sizeof out, &h), ==, 67);
	tu_assert_bytes(out, 67, p, n);
	for (gsize k = 0; k < n; k++)
		g_assert_cmpint(aero_wire_ipv6_decode(&h, p, k), <, 0);
	g_free(p);
}

/* Extension-header walk errors. */
static void
test_v6_upper_errors(void)
{
	uint8_t pl[96];
	struct aero_ipv6 h = {0};
	uint8_t proto;

	memset(pl, 0, sizeof pl);
	h.payload = pl;

	/* no extension header: offset 0 */
	h.next_header = AERO_IP_PROTO_TCP;
	h.payload_len = 20;
	g_assert_cmpint(aero_wire_ipv6_upper(&h, &proto, NULL, NULL), ==, 0);
	g_assert_cmpuint(proto, ==, 6);

	/* HBH header cut before its length byte / beyond the payload */
	h.next_header = AERO_IP_PROTO_HOPOPTS;
	h.payload_len = 1;
	g_assert_cmpint(aero_wire_ipv6_upper(&h, NULL, NULL, NULL), ==,
	                AERO_WIRE_E_TRUNCATED);
	h.payload_len = 7;
	g_assert_cmpint(aero_wire_ipv6_upper(&h, NULL, NULL, NULL), ==,
	                AERO_WIRE_E_TRUNCATED);

	/* Routing header of 16 bytes then No Next Header */
	h.next_header = AERO_IP_PROTO_ROUTING;
	pl[0] = AERO_IP_PROTO_NONE;
	pl[1] = 1;
	h.payload_len = 16;
	g_assert_cmpint(aero_wire_ipv6_upper(&h, &proto, NULL, NULL), ==, 16);
	g_assert_cmpuint(proto, ==, AERO_IP_PROTO_NONE);

	/* Fragment: truncated, non-first, first */
	h.next_header = AERO_IP_PROTO_FRAGMENT;
	h.payload_len = 7;
	g_assert_cmpint(aero_wire_ipv6_upper(&h, NULL, NULL, NULL), ==,
	                AERO_WIRE_E_TRUNCATED);
	h.payload_len = 16;
	pl[0] = AERO_IP_PROTO_UDP;
	pl[1] = 0;
	pl[2] = 0x00;
	pl[3] = 0x08;                            /* offset 1 */
	g_assert_cmpint(aero_wire_ipv6_upper(&h, NULL, NULL, NULL), ==,
	                AERO_WIRE_E_FIELD);
	pl[3] = 0x01;                            /* offset 0, M=1 */
	g_assert_cmpint(aero_wire_ipv6_upper(&h, &proto, NULL, NULL), ==, 8);
	g_assert_cmpuint(proto, ==, 17);

	/* AH: (len + 2) * 4 bytes */
	memset(pl, 0, sizeof pl);
	h.next_header = AERO_IP_PROTO_AH;
	pl[0] = AERO_IP_PROTO_ESP;
	pl[1] = 4;                               /* 24 bytes */
	h.payload_len = 24;
	g_assert_cmpint(aero_wire_ipv6_upper(&h, &proto, NULL, NULL), ==, 24);
	g_assert_cmpuint(proto, ==, AERO_IP_PROTO_ESP);
	h.payload_len = 1;
	g_assert_cmpint(aero_wire_ipv6_upper(&h, NULL, NULL, NULL), ==,
	                AERO_WIRE_E_TRUNCATED);

	/* Nine 8-byte Destination Options headers: too many */
	memset(pl, 0, sizeof pl);
	for (int i = 0; i < 10; i++)
		pl[i * 8] = AERO_IP_PROTO_DSTOPTS;
	h.next_header = AERO_IP_PROTO_DSTOPTS;
	h.payload_len = 96;
	g_assert_cmpint(aero_wire_ipv6_upper(&h, NULL, NULL, NULL), ==,
	                AERO_WIRE_E_TOOMANY);
	pl[7 * 8] = AERO_IP_PROTO_UDP;           /* the 8th ends the chain */
	g_assert_cmpint(aero_wire_ipv6_upper(&h, &proto, NULL, NULL), ==, 64);
}

/* ---- decoder error codes -------------------------------------------------- */

static void
fix_ipv4_csum(uint8_t *p)
{
	size_t hl = (size_t)(p[0] & 15) * 4;

	p[10] = p[11] = 0;
	uint16_t c = aero_wire_csum_fold(aero_wire_csum_add(0, p, hl));
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
}

static void
test_ipv4_errors(void)
{
	gsize n;
	guint8 *v = tu_load_vector("packet-tv12-p1-ipv4-rs", &n);
	uint8_t p[128];
	struct aero_ipv4 h;

	/* version */
	memcpy(p, v, n);
	p[0] = 0x65;
	fix_ipv4_csum(p);
	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, n, 0), ==, AERO_WIRE_E_VERSION);
	/* IHL < 5 */
	memcpy(p, v, n);
	p[0] = 0x44;
	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, n, AERO_IPV4_F_NOCSUM), ==,
	                AERO_WIRE_E_BADLEN);
	/* IHL 15 (60 bytes) but only 40 bytes */
	memcpy(p, v, n);
	p[0] = 0x4f;
	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, 40, AERO_IPV4_F_NOCSUM), ==,
	                AERO_WIRE_E_TRUNCATED);
	/* total length < header length */
	memcpy(p, v, n);
	p[2] = 0;
	p[3] = 19;
	fix_ipv4_csum(p);
	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, n, 0), ==, AERO_WIRE_E_BADLEN);
	/* total length > available */
	memcpy(p, v, n);
	p[3] = 77;
	fix_ipv4_csum(p);
	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, n, 0), ==,
	                AERO_WIRE_E_TRUNCATED);
	/* bad header checksum; accepted with NOCSUM */
	memcpy(p, v, n);
	p[11] ^= 1;
	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, n, 0), ==, AERO_WIRE_E_CHECKSUM);
	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, n, AERO_IPV4_F_NOCSUM), ==, 76);
	p[11] ^= 1;
	p[8] = 63;                               /* TTL changed, checksum stale */
	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, n, 0), ==, AERO_WIRE_E_CHECKSUM);
	/* trailing bytes (e.g. Ethernet padding) beyond total length */
	memcpy(p, v, n);
	memset(p + n, 0xaa, 10);
	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, n + 10, 0), ==, 76);
	g_assert_cmpuint(h.payload_len, ==, 56);
	/* all flag bits and the fragment offset */
	memcpy(p, v, n);
	p[6] = 0xff;
	p[7] = 0xff;
	fix_ipv4_csum(p);
	g_assert_cmpint(aero_wire_ipv4_decode(&h, p, n, 0), ==, 76);
	g_assert_true(h.rf && h.df && h.mf);
	g_assert_cmphex(h.frag_off, ==, 0x1fff);
	g_free(v);
}

static void
test_ipv6_errors(void)
{
	gsize n;
	guint8 *v = tu_load_vector("ip-p1-ipv6-rs", &n);
	uint8_t p[128];
	struct aero_ipv6 h;

	memcpy(p, v, n);
	p[0] = 0x40;
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p, n), ==, AERO_WIRE_E_VERSION);
	memcpy(p, v, n);
	p[5] = 57;
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p, n), ==, AERO_WIRE_E_TRUNCATED);
	memcpy(p, v, n);
	memset(p + n, 0, 4);
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p, n + 4), ==, 96);
	p[4] = p[5] = 0;
	g_assert_cmpint(aero_wire_ipv6_decode(&h, p, n), ==, 40);
	g_assert_cmpuint(h.payload_len, ==, 0);
	g_free(v);
}

static void
test_udp_errors(void)
{
	gsize n4, n6;
	guint8 *v4 = tu_load_vector("ip-ipv4-opts-udp", &n4);
	guint8 *v6 = tu_load_vector("ip-p1-ipv6-rs", &n6);
	uint8_t p[128];
	struct aero_udp u;
	struct aero_ip_pseudo ps4 = {.family = 4}, ps6 = {.family = 6}, bad;
	const size_t o4 = 24, o6 = 40, l4 = 13, l6 = 56;

	memcpy(ps4.src.b, v4 + 12, 4);
	memcpy(ps4.dst.b, v4 + 16, 4);
	memcpy(ps6.src.b, v6 + 8, 16);
	memcpy(ps6.dst.b, v6 + 24, 16);

	/* lengths */
	memcpy(p, v4 + o4, l4);
	g_assert_cmpint(aero_wire_udp_decode(&u, p, 7, NULL, 0), ==,
	                AERO_WIRE_E_TRUNCATED);
	p[4] = 0;
	p[5] = 7;
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l4, NULL, 0), ==,
	                AERO_WIRE_E_BADLEN);
	p[5] = 14;
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l4, NULL, 0), ==,
	                AERO_WIRE_E_TRUNCATED);
	/* trailing bytes after the datagram are ignored */
	memcpy(p, v4 + o4, l4);
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l4 + 3, &ps4, 0), ==, 13);

	/* bad checksum over IPv4 and IPv6; ps NULL skips verification */
	memcpy(p, v4 + o4, l4);
	p[8] ^= 0x20;
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l4, &ps4, 0), ==,
	                AERO_WIRE_E_CHECKSUM);
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l4, NULL, 0), ==, 13);
	memcpy(p, v6 + o6, l6);
	p[7] ^= 1;
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l6, &ps6, 0), ==,
	                AERO_WIRE_E_CHECKSUM);
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l6, &ps6, AERO_UDP_F_ZERO6_OK),
	                ==, AERO_WIRE_E_CHECKSUM);
	/* a changed pseudo-header address fails too */
	memcpy(p, v6 + o6, l6);
	bad = ps6;
	bad.src.b[15] ^= 1;
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l6, &bad, 0), ==,
	                AERO_WIRE_E_CHECKSUM);

	/* zero checksum: "none" over IPv4; IPv6 only with ZERO6_OK */
	memcpy(p, v4 + o4, l4);
	p[6] = p[7] = 0;
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l4, &ps4, 0), ==, 13);
	memcpy(p, v6 + o6, l6);
	p[6] = p[7] = 0;
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l6, &ps6, 0), ==,
	                AERO_WIRE_E_CHECKSUM);
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l6, &ps6, AERO_UDP_F_ZERO6_OK),
	                ==, 56);
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l6, NULL, 0), ==, 56);

	/* unknown pseudo-header family */
	bad = ps4;
	bad.family = 5;
	g_assert_cmpint(aero_wire_udp_decode(&u, p, l6, &bad, 0), ==,
	                AERO_WIRE_E_INVAL);
	g_free(v4);
	g_free(v6);
}

/* A datagram whose checksum computes to 0 is sent as 0xffff (RFC 768). */
static void
test_udp_csum_ffff(void)
{
	uint8_t buf[16];
	struct aero_udp u = {.src_port = 1, .dst_port = 2, .payload_len = 2};
	struct aero_ip_pseudo ps = {.family = 6};
	struct aero_udp d;

	for (int fam = 4; fam <= 6; fam += 2) {
		ps.family = (uint8_t)fam;
		ps.src = in6("2001:db8::1");
		ps.dst = in6("2001:db8::2");
		buf[8] = buf[9] = 0;
		g_assert_cmpint(aero_wire_udp_encode(buf, sizeof buf, &u, &ps, 0), ==,
		                10);
		/* payload word = previous checksum makes the sum 0xffff */
		buf[8] = buf[6];
		buf[9] = buf[7];
		g_assert_cmpint(aero_wire_udp_encode(buf, sizeof buf, &u, &ps, 0), ==,
		                10);
		g_assert_cmphex(buf[6], ==, 0xff);
		g_assert_cmphex(buf[7], ==, 0xff);
		g_assert_cmpint(aero_wire_udp_decode(&d, buf, 10, &ps, 0), ==, 10);
		g_assert_cmphex(d.checksum, ==, 0xffff);
	}
}

/* ---- encoder errors ------------------------------------------------------- */

static void
test_encode_inval(void)
{
	uint8_t buf[256];
	struct aero_ipv4 h4 = {0};
	struct aero_ipv6 h6 = {0};
	struct aero_udp u = {0};
	struct aero_ip_pseudo ps6 = {.family = 6}, psx = {.family = 0};

	h4.dscp = 64;
	g_assert_cmpint(aero_wire_ipv4_encode(buf, sizeof buf, &h4), ==,
	                AERO_WIRE_E_INVAL);
	h4.dscp = 0;
	h4.ecn = 4;
	g_assert_cmpint(aero_wire_ipv4_encode(buf, sizeof buf, &h4), ==,
	                AERO_WIRE_E_INVAL);
	h4.ecn = 0;
	h4.frag_off = 0x2000;
	g_assert_cmpint(aero_wire_ipv4_encode(buf, sizeof buf, &h4), ==,
	                AERO_WIRE_E_INVAL);
	h4.frag_off = 0;
	h4.options_len = 3;
	g_assert_cmpint(aero_wire_ipv4_encode(buf, sizeof buf, &h4), ==,
	                AERO_WIRE_E_INVAL);
	h4.options_len = 44;
	g_assert_cmpint(aero_wire_ipv4_encode(buf, sizeof buf, &h4), ==,
	                AERO_WIRE_E_INVAL);
	h4.options_len = 0;
	h4.payload_len = 65536 - 20;
	g_assert_cmpint(aero_wire_ipv4_encode(buf, sizeof buf, &h4), ==,
	                AERO_WIRE_E_INVAL);
	h4.payload_len = 65535 - 20;             /* valid, but no room */
	g_assert_cmpint(aero_wire_ipv4_encode(buf, sizeof buf, &h4), ==,
	                AERO_WIRE_E_NOBUF);

	h6.dscp = 64;
	g_assert_cmpint(aero_wire_ipv6_encode(buf, sizeof buf, &h6), ==,
	                AERO_WIRE_E_INVAL);
	h6.dscp = 0;
	h6.ecn = 4;
	g_assert_cmpint(aero_wire_ipv6_encode(buf, sizeof buf, &h6), ==,
	                AERO_WIRE_E_INVAL);
	h6.ecn = 0;
	h6.flow_label = 0x100000;
	g_assert_cmpint(aero_wire_ipv6_encode(buf, sizeof buf, &h6), ==,
	                AERO_WIRE_E_INVAL);
	h6.flow_label = 0;
	h6.payload_len = 65536;
	g_assert_cmpint(aero_wire_ipv6_encode(buf, sizeof buf, &h6), ==,
	                AERO_WIRE_E_INVAL);

	u.payload_len = 65528;
	g_assert_cmpint(aero_wire_udp_encode(buf, sizeof buf, &u, NULL,
	                                     AERO_UDP_F_ZERO_CSUM), ==,
	                AERO_WIRE_E_INVAL);
	u.payload_len = 0;
	g_assert_cmpint(aero_wire_udp_encode(buf, sizeof buf, &u, NULL, 0), ==,
	                AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_wire_udp_encode(buf, sizeof buf, &u, &psx, 0), ==,
	                AERO_WIRE_E_INVAL);
	/* zero checksum over IPv6 needs ZERO6_OK (RFC 6935) */
	g_assert_cmpint(aero_wire_udp_encode(buf, sizeof buf, &u, &ps6,
	                                     AERO_UDP_F_ZERO_CSUM), ==,
	                AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_wire_udp_encode(buf, sizeof buf, &u, &ps6,
	                                     AERO_UDP_F_ZERO_CSUM |
	                                     AERO_UDP_F_ZERO6_OK), ==, 8);
	g_assert_cmphex(buf[6] << 8 | buf[7], ==, 0);
	/* KEEP_CSUM wins over ZERO_CSUM and needs no pseudo-header */
	u.checksum = 0x1234;
	g_assert_cmpint(aero_wire_udp_encode(buf, sizeof buf, &u, &ps6,
	                                     AERO_UDP_F_KEEP_CSUM |
	                                     AERO_UDP_F_ZERO_CSUM), ==, 8);
	g_assert_cmphex(buf[6] << 8 | buf[7], ==, 0x1234);
	/* zero checksum without pseudo-header (IPv4 P1 default) */
	g_assert_cmpint(aero_wire_udp_encode(buf, sizeof buf, &u, NULL,
	                                     AERO_UDP_P1_FLAGS_V4), ==, 8);
	g_assert_cmphex(buf[6] << 8 | buf[7], ==, 0);
}

/* NOBUF at every cap below the needed size, and no byte written past cap. */
static void
test_encode_nobuf(void)
{
	gsize n4, n6;
	guint8 *v4 = tu_load_vector("ip-ipv4-opts-udp", &n4);
	guint8 *v6 = tu_load_vector("ip-p1-ipv6-rs", &n6);
	struct aero_ipv4 h4;
	struct aero_ipv6 h6;
	struct aero_udp u;
	struct aero_ip_pseudo ps;
	uint8_t buf[128];

	g_assert_cmpint(aero_wire_ipv4_decode(&h4, v4, n4, 0), ==, 37);
	g_assert_cmpint(aero_wire_ipv6_decode(&h6, v6, n6), ==, 96);
	aero_wire_ipv6_pseudo(&ps, &h6);
	g_assert_cmpint(aero_wire_udp_decode(&u, h6.payload, h6.payload_len, &ps,
	                                     0), ==, 56);
	for (size_t cap = 0; cap < 37; cap++) {
		memset(buf, 0x5a, sizeof buf);
		g_assert_cmpint(aero_wire_ipv4_encode(buf, cap, &h4), ==,
		                AERO_WIRE_E_NOBUF);
		g_assert_cmpuint(buf[0], ==, 0x5a);
	}
	for (size_t cap = 0; cap < 96; cap++) {
		memset(buf, 0x5a, sizeof buf);
		g_assert_cmpint(aero_wire_ipv6_encode(buf, cap, &h6), ==,
		                AERO_WIRE_E_NOBUF);
		g_assert_cmpuint(buf[0], ==, 0x5a);
	}
	for (size_t cap = 0; cap < 56; cap++) {
		memset(buf, 0x5a, sizeof buf);
		g_assert_cmpint(aero_wire_udp_encode(buf, cap, &u, &ps, 0), ==,
		                AERO_WIRE_E_NOBUF);
		g_assert_cmpuint(buf[0], ==, 0x5a);
	}
	g_assert_cmpint(aero_wire_ipv4_encode(buf, 37, &h4), ==, 37);
	g_assert_cmpint(aero_wire_ipv6_encode(buf, 96, &h6), ==, 96);
	g_assert_cmpint(aero_wire_udp_encode(buf, 56, &u, &ps, 0), ==, 56);
	g_free(v4);
	g_free(v6);
}

/* ---- randomised round trips ---------------------------------------------- */

#define ROUNDS 600

static void
test_random_ipv4(void)
{
	GRand *r = tu_rand();
	uint8_t opts[40], pay[64], a[160], b[160];

	for (int i = 0; i < ROUNDS; i++) {
		struct aero_ipv4 in = {0}, d, d2;

		in.dscp = (uint8_t)g_rand_int_range(r, 0, 64);
		in.ecn = (uint8_t)g_rand_int_range(r, 0, 4);
		in.id = (uint16_t)g_rand_int(r);
		in.rf = g_rand_boolean(r);
		in.df = g_rand_boolean(r);
		in.mf = g_rand_boolean(r);
		in.frag_off = (uint16_t)g_rand_int_range(r, 0, 0x2000);
		in.ttl = (uint8_t)g_rand_int(r);
		in.proto = (uint8_t)g_rand_int(r);
		tu_rand_bytes(r, in.src.b, 4);
		tu_rand_bytes(r, in.dst.b, 4);
		in.options_len = 4 * (size_t)g_rand_int_range(r, 0, 11);
		tu_rand_bytes(r, opts, in.options_len);
		in.options = in.options_len ? opts : NULL;
		in.payload_len = (size_t)g_rand_int_range(r, 0, 65);
		tu_rand_bytes(r, pay, in.payload_len);
		in.payload = pay;

		int len = aero_wire_ipv4_encode(a, sizeof a, &in);
		g_assert_cmpint(len, ==, (int)(20 + in.options_len + in.payload_len));
		g_assert_cmpint(aero_wire_ipv4_decode(&d, a, (size_t)len, 0), ==, len);
		g_assert_cmpuint(d.dscp, ==, in.dscp);
		g_assert_cmpuint(d.ecn, ==, in.ecn);
		g_assert_cmpuint(d.total_len, ==, (unsigned)len);
		g_assert_cmpuint(d.id, ==, in.id);
		g_assert_cmpint(d.rf, ==, in.rf);
		g_assert_cmpint(d.df, ==, in.df);
		g_assert_cmpint(d.mf, ==, in.mf);
		g_assert_cmpuint(d.frag_off, ==, in.frag_off);
		g_assert_cmpuint(d.ttl, ==, in.ttl);
		g_assert_cmpuint(d.proto, ==, in.proto);
		g_assert_cmpmem(d.src.b, 4, in.src.b, 4);
		g_assert_cmpmem(d.dst.b, 4, in.dst.b, 4);
		g_assert_cmpmem(d.options, d.options_len, opts, in.options_len);
		g_assert_cmpmem(d.payload, d.payload_len, pay, in.payload_len);
		int len2 = aero_wire_ipv4_encode(b, sizeof b, &d);
		tu_assert_bytes(b, (gsize)len2, a, (gsize)len);
		g_assert_cmpint(aero_wire_ipv4_decode(&d2, b, (size_t)len2, 0), ==, len);
	}
	g_rand_free(r);
}

static void
test_random_ipv6(void)
{
	GRand *r = tu_rand();
	uint8_t pay[128], a[200], b[200];

	for (int i = 0; i < ROUNDS; i++) {
		struct aero_ipv6 in = {0}, d;

		in.dscp = (uint8_t)g_rand_int_range(r, 0, 64);
		in.ecn = (uint8_t)g_rand_int_range(r, 0, 4);
		in.flow_label = g_rand_int(r) & AERO_IPV6_FLOW_MASK;
		in.next_header = (uint8_t)g_rand_int(r);
		in.hop_limit = (uint8_t)g_rand_int(r);
		tu_rand_bytes(r, in.src.b, 16);
		tu_rand_bytes(r, in.dst.b, 16);
		in.payload_len = (size_t)g_rand_int_range(r, 0, 129);
		tu_rand_bytes(r, pay, in.payload_len);
		in.payload = pay;

		int len = aero_wire_ipv6_encode(a, sizeof a, &in);
		g_assert_cmpint(len, ==, (int)(40 + in.payload_len));
		g_assert_cmpint(aero_wire_ipv6_decode(&d, a, (size_t)len), ==, len);
		g_assert_cmpuint(d.dscp, ==, in.dscp);
		g_assert_cmpuint(d.ecn, ==, in.ecn);
		g_assert_cmpuint(d.flow_label, ==, in.flow_label);
		g_assert_cmpuint(d.next_header, ==, in.next_header);
		g_assert_cmpuint(d.hop_limit, ==, in.hop_limit);
		g_assert_cmpmem(d.src.b, 16, in.src.b, 16);
		g_assert_cmpmem(d.dst.b, 16, in.dst.b, 16);
		g_assert_cmpmem(d.payload, d.payload_len, pay, in.payload_len);
		int len2 = aero_wire_ipv6_encode(b, sizeof b, &d);
		tu_assert_bytes(b, (gsize)len2, a, (gsize)len);
	}
	g_rand_free(r);
}

static void
test_random_udp(void)
{
	GRand *r = tu_rand();
	uint8_t pay[100], a[128], b[128];

	for (int i = 0; i < ROUNDS; i++) {
		struct aero_udp in = {0}, d;
		struct aero_ip_pseudo ps = {0};
		unsigned flags = 0;

		ps.family = g_rand_boolean(r) ? 4 : 6;
		tu_rand_bytes(r, ps.src.b, 16);
		tu_rand_bytes(r, ps.dst.b, 16);
		if (ps.family == 4 && g_rand_boolean(r))
			flags = AERO_UDP_P1_FLAGS_V4;
		in.src_port = (uint16_t)g_rand_int(r);
		in.dst_port = (uint16_t)g_rand_int(r);
		in.payload_len = (size_t)g_rand_int_range(r, 0, 101);
		tu_rand_bytes(r, pay, in.payload_len);
		in.payload = pay;

		int len = aero_wire_udp_encode(a, sizeof a, &in, &ps, flags);
		g_assert_cmpint(len, ==, (int)(8 + in.payload_len));
		g_assert_cmpint(aero_wire_udp_decode(&d, a, (size_t)len, &ps, 0), ==,
		                len);
		g_assert_cmpuint(d.src_port, ==, in.src_port);
		g_assert_cmpuint(d.dst_port, ==, in.dst_port);
		g_assert_cmpuint(d.length, ==, (unsigned)len);
		if (flags)
			g_assert_cmphex(d.checksum, ==, 0);
		else
			g_assert_cmphex(d.checksum, !=, 0);
		g_assert_cmpmem(d.payload, d.payload_len, pay, in.payload_len);
		/* re-encode by computing again, and by keeping the checksum */
		int len2 = aero_wire_udp_encode(b, sizeof b, &d, &ps, flags);
		tu_assert_bytes(b, (gsize)len2, a, (gsize)len);
		memset(b, 0, sizeof b);
		len2 = aero_wire_udp_encode(b, sizeof b, &d, NULL, AERO_UDP_F_KEEP_CSUM);
		tu_assert_bytes(b, (gsize)len2, a, (gsize)len);
	}
	g_rand_free(r);
}

/* ---- flow label and port hash --------------------------------------------- */

/* Jenkins one-at-a-time known answers (from its reference implementation). */
static void
test_oaat_kat(void)
{
	const char *fox = "The quick brown fox jumps over the lazy dog";

	g_assert_cmphex(aero_wire_hash_oaat(0, (const uint8_t *)"a", 1), ==,
	                0xca2e9442);
	g_assert_cmphex(aero_wire_hash_oaat(0, (const uint8_t *)fox, strlen(fox)),
	                ==, 0x519e91f5);
}

static struct aero_flow_tuple
tuple4(const char *s, const char *d, uint8_t proto, uint16_t sp, uint16_t dp)
{
	struct aero_flow_tuple t = {0};
	struct aero_in4 a = in4(s), b = in4(d);

	t.family = 4;
	memcpy(t.src.b, a.b, 4);
	memcpy(t.dst.b, b.b, 4);
	t.proto = proto;
	t.sport = sp;
	t.dport = dp;
	return t;
}

static void
test_flow_label_rules(void)
{
	struct aero_flow_tuple t = tuple4("10.0.0.1", "10.0.0.2", 17, 1000, 2000);
	struct aero_flow_tuple u;
	uint32_t l = aero_wire_flow_label(&t);

	/* determinism and range */
	g_assert_cmpuint(l, >=, 1);
	g_assert_cmpuint(l, <=, 0xfffff);
	for (int i = 0; i < 10; i++)
		g_assert_cmphex(aero_wire_flow_label(&t), ==, l);

	/* frozen value: serialisation of digest 6.1 / wire_ip.h, 13 bytes */
	const uint8_t ser[] = {10, 0, 0, 1, 10, 0, 0, 2, 17, 0x03, 0xe8, 0x07, 0xd0};
	uint32_t h = aero_wire_hash_oaat(0, ser, sizeof ser);
	g_assert_cmphex(l, ==, (h ^ (h >> 20)) & 0xfffff);

	/* independence from the fields the family does not use */
	u = t;
	u.flow_label = 0xabcde;
	memset(u.src.b + 4, 0x77, 12);
	memset(u.dst.b + 4, 0x99, 12);
	g_assert_cmphex(aero_wire_flow_label(&u), ==, l);

	/* but every used field matters */
	u = t;
	u.sport++;
	g_assert_cmphex(aero_wire_flow_label(&u), !=, l);
	u = t;
	u.dport++;
	g_assert_cmphex(aero_wire_flow_label(&u), !=, l);
	u = t;
	u.proto = 6;
	g_assert_cmphex(aero_wire_flow_label(&u), !=, l);
	u = t;
	u.src.b[3] = 9;
	g_assert_cmphex(aero_wire_flow_label(&u), !=, l);

	/* IPv6 inner: the inner flow label is hashed (20 bits only) */
	struct aero_flow_tuple s = {.family = 6, .proto = 58};
	s.src = in6("2001:db8::1");
	s.dst = in6("2001:db8::2");
	uint32_t l6 = aero_wire_flow_label(&s);
	s.flow_label = 1;
	g_assert_cmphex(aero_wire_flow_label(&s), !=, l6);
	uint32_t l61 = aero_wire_flow_label(&s);
	s.flow_label = 0x100001;                 /* bits above 20 ignored */
	g_assert_cmphex(aero_wire_flow_label(&s), ==, l61);

	/* 0 -> 1 [P]: this tuple folds to 0 (found by search, hash 0x37900379) */
	t = tuple4("10.0.0.1", "10.0.0.2", 17, 19146, 27);
	const uint8_t z[] = {10, 0, 0, 1, 10, 0, 0, 2, 17, 0x4a, 0xca, 0x00, 27};
	h = aero_wire_hash_oaat(0, z, sizeof z);
	g_assert_cmphex(h, ==, 0x37900379);
	g_assert_cmphex((h ^ (h >> 20)) & 0xfffff, ==, 0);
	g_assert_cmphex(aero_wire_flow_label(&t), ==, 1);
}

/* Chi-square test of the flow label over random and sequential tuples. */
static double
chi2(const unsigned *cnt, unsigned nb, unsigned total)
{
	double e = (double)total / nb, x = 0;

	for (unsigned i = 0; i < nb; i++)
		x += ((double)cnt[i] - e) * ((double)cnt[i] - e) / e;
	return x;
}

static void
test_flow_label_uniform(void)
{
	GRand *r = tu_rand();
	enum { N = 65536, NB = 256 };
	unsigned hi[NB] = {0}, lo[NB] = {0}, seq[NB] = {0};

	for (unsigned i = 0; i < N; i++) {
		struct aero_flow_tuple t = {0};

		t.family = g_rand_boolean(r) ? 4 : 6;
		tu_rand_bytes(r, t.src.b, 16);
		tu_rand_bytes(r, t.dst.b, 16);
		t.proto = g_rand_boolean(r) ? 6 : 17;
		t.sport = (uint16_t)g_rand_int(r);
		t.dport = (uint16_t)g_rand_int(r);
		t.flow_label = g_rand_int(r) & 0xfffff;
		uint32_t l = aero_wire_flow_label(&t);
		hi[l >> 12]++;
		lo[l & 0xff]++;
		/* one host pair, sequential source ports (ECMP worst case) */
		struct aero_flow_tuple s = tuple4("192.0.2.1", "198.51.100.7", 6,
		                                  (uint16_t)(1024 + i), 443);
		seq[aero_wire_flow_label(&s) & 0xff]++;
	}
	/* 255 degrees of freedom: mean 255, sd 22.6; 400 is > 6 sd. */
	g_assert_cmpfloat(chi2(hi, NB, N), <, 400);
	g_assert_cmpfloat(chi2(lo, NB, N), <, 400);
	g_assert_cmpfloat(chi2(seq, NB, N), <, 400);
	g_rand_free(r);
}

static void
test_port_hash(void)
{
	GRand *r = tu_rand();
	enum { N = 32000 };
	unsigned cnt[AERO_UDP_DYN_PORT_COUNT] = {0};
	struct aero_flow_tuple t = tuple4("10.1.1.1", "10.2.2.2", 6, 5555, 80);
	int p = aero_wire_udp_port_hash(&t, AERO_UDP_DYN_PORT_BASE,
	                                AERO_UDP_DYN_PORT_COUNT);

	/* range and determinism */
	g_assert_cmpint(p, >=, AERO_UDP_DYN_PORT_BASE);
	g_assert_cmpint(p, <, AERO_UDP_DYN_PORT_BASE + AERO_UDP_DYN_PORT_COUNT);
	g_assert_cmpint(aero_wire_udp_port_hash(&t, AERO_UDP_DYN_PORT_BASE,
	                                        AERO_UDP_DYN_PORT_COUNT), ==, p);
	/* frozen value (python3 model of wire_ip.h: hash 0xfb426112 of the
	 * salt byte + TV12 inner tuple); the inner flow label does not enter
	 * the port hash */
	struct aero_flow_tuple s = {.family = 6, .proto = 58};
	s.src = in6("fe80::2001:db8:1000:2000");
	s.dst = in6("fe80::1");
	g_assert_cmpint(aero_wire_udp_port_hash(&s, 49152, 16), ==, 49167);
	s.flow_label = 0x12345;
	g_assert_cmpint(aero_wire_udp_port_hash(&s, 49152, 16), ==, 49167);

	/* range checks */
	g_assert_cmpint(aero_wire_udp_port_hash(&t, 1000, 0), ==, AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_wire_udp_port_hash(&t, 65535, 2), ==,
	                AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_wire_udp_port_hash(&t, 65535, 1), ==, 65535);
	g_assert_cmpint(aero_wire_udp_port_hash(&t, 0, 65536), >=, 0);

	/* distribution over the 16 default ports */
	for (unsigned i = 0; i < N; i++) {
		struct aero_flow_tuple x = {0};

		x.family = g_rand_boolean(r) ? 4 : 6;
		tu_rand_bytes(r, x.src.b, 16);
		tu_rand_bytes(r, x.dst.b, 16);
		x.proto = 17;
		x.sport = (uint16_t)g_rand_int(r);
		x.dport = (uint16_t)g_rand_int(r);
		p = aero_wire_udp_port_hash(&x, AERO_UDP_DYN_PORT_BASE,
		                            AERO_UDP_DYN_PORT_COUNT);
		g_assert_cmpint(p, >=, AERO_UDP_DYN_PORT_BASE);
		g_assert_cmpint(p, <, AERO_UDP_DYN_PORT_BASE + AERO_UDP_DYN_PORT_COUNT);
		cnt[p - AERO_UDP_DYN_PORT_BASE]++;
	}
	/* 15 degrees of freedom: p = 1e-6 at about 50 */
	g_assert_cmpfloat(chi2(cnt, AERO_UDP_DYN_PORT_COUNT, N), <, 50);
	g_rand_free(r);
}

static void
test_flow_tuple(void)
{
	gsize n;
	guint8 *v = tu_load_vector("ip-ipv4-opts-udp", &n);
	uint8_t p[128];
	struct aero_flow_tuple t;

	g_assert_cmpint(aero_wire_flow_tuple(&t, v, n), ==, 0);
	g_assert_cmpuint(t.family, ==, 4);
	g_assert_cmpmem(t.src.b, 4, v + 12, 4);
	g_assert_cmpmem(t.dst.b, 4, v + 16, 4);
	g_assert_cmpuint(t.proto, ==, 17);
	g_assert_cmpuint(t.sport, ==, 8060);
	g_assert_cmpuint(t.dport, ==, 49153);
	g_assert_cmpuint(t.flow_label, ==, 0);

	/* non-first fragment: 2-tuple + proto (RFC 6438 3) */
	memcpy(p, v, n);
	p[7] = 1;
	g_assert_cmpint(aero_wire_flow_tuple(&t, p, n), ==, 0);
	g_assert_cmpuint(t.sport, ==, 0);
	g_assert_cmpuint(t.dport, ==, 0);
	/* not TCP/UDP/SCTP */
	memcpy(p, v, n);
	p[9] = 47;
	g_assert_cmpint(aero_wire_flow_tuple(&t, p, n), ==, 0);
	g_assert_cmpuint(t.proto, ==, 47);
	g_assert_cmpuint(t.sport, ==, 0);

	/* errors come from the decoders */
	g_assert_cmpint(aero_wire_flow_tuple(&t, v, 0), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(aero_wire_flow_tuple(&t, v, 10), ==, AERO_WIRE_E_TRUNCATED);
	p[0] = 0x70;
	g_assert_cmpint(aero_wire_flow_tuple(&t, p, sizeof p), ==,
	                AERO_WIRE_E_VERSION);
	g_free(v);

	/* IPv6 with a non-first fragment: ports 0, proto = first next header */
	v = tu_load_vector("ip-ipv6-ext-udp", &n);
	memcpy(p, v, n);
	p[40 + 8 + 3] = 0x08;
	g_assert_cmpint(aero_wire_flow_tuple(&t, p, n), ==, 0);
	g_assert_cmpuint(t.proto, ==, 0);
	g_assert_cmpuint(t.sport, ==, 0);
	g_free(v);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wire/ip/tv12/decode", test_tv12_decode);
	g_test_add_func("/wire/ip/tv12/rebuild", test_tv12_rebuild);
	g_test_add_func("/wire/ip/tv12/truncated", test_tv12_truncated);
	g_test_add_func("/wire/ip/p1-ipv6/decode", test_p1v6_decode);
	g_test_add_func("/wire/ip/p1-ipv6/rebuild", test_p1v6_rebuild);
	g_test_add_func("/wire/ip/p1-ipv6/truncated", test_p1v6_truncated);
	g_test_add_func("/wire/ip/ipv4-opts-udp", test_v4opts);
	g_test_add_func("/wire/ip/ipv6-ext-udp", test_v6ext);
	g_test_add_func("/wire/ip/ipv6/upper-errors", test_v6_upper_errors);
	g_test_add_func("/wire/ip/ipv4/errors", test_ipv4_errors);
	g_test_add_func("/wire/ip/ipv6/errors", test_ipv6_errors);
	g_test_add_func("/wire/ip/udp/errors", test_udp_errors);
	g_test_add_func("/wire/ip/udp/csum-ffff", test_udp_csum_ffff);
	g_test_add_func("/wire/ip/encode/inval", test_encode_inval);
	g_test_add_func("/wire/ip/encode/nobuf", test_encode_nobuf);
	g_test_add_func("/wire/ip/random/ipv4", test_random_ipv4);
	g_test_add_func("/wire/ip/random/ipv6", test_random_ipv6);
	g_test_add_func("/wire/ip/random/udp", test_random_udp);
	g_test_add_func("/wire/ip/flow/oaat-kat", test_oaat_kat);
	g_test_add_func("/wire/ip/flow/rules", test_flow_label_rules);
	g_test_add_func("/wire/ip/flow/uniform", test_flow_label_uniform);
	g_test_add_func("/wire/ip/flow/port-hash", test_port_hash);
	g_test_add_func("/wire/ip/flow/tuple", test_flow_tuple);
	return g_test_run();
}
