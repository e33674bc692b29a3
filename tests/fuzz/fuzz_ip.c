/*
 * libFuzzer target for core/src/wire/ip.c: the input is decoded as IPv4
 * (with and without checksum verification), IPv6 and UDP (without a
 * pseudo-header, with fixed IPv4/IPv6 pseudo-headers, and layered under a
 * decoded IP header); every successful decode is re-encoded and decoded
 * again, and the results must agree (abort() otherwise). The flow tuple,
 * flow label, port hash and extension-header walk run on the input too.
 */
#include <stdlib.h>
#include <string.h>

#include "aero/wire_ip.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static uint8_t out[70000];

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void
udp_round(const uint8_t *d, size_t n, const struct aero_ip_pseudo *ps,
          unsigned flags)
{
	struct aero_udp u, v;
	int rc = aero_wire_udp_decode(&u, d, n, ps, flags);
	unsigned eflags = 0;

	if (rc < 0)
		return;
	CHECK((size_t)rc == u.length && u.length == 8 + u.payload_len);
	if (ps == NULL)
		eflags = AERO_UDP_F_KEEP_CSUM;
	else if (u.checksum == 0)
		eflags = AERO_UDP_F_ZERO_CSUM | (flags & AERO_UDP_F_ZERO6_OK);
	int m = aero_wire_udp_encode(out, sizeof out, &u, ps, eflags);
	CHECK(m == rc);
	CHECK(memcmp(out, d, (size_t)rc) == 0);
	CHECK(aero_wire_udp_decode(&v, out, (size_t)m, ps, flags) == rc);
	CHECK(v.src_port == u.src_port && v.dst_port == u.dst_port &&
	      v.checksum == u.checksum && v.payload_len == u.payload_len);
	/* too small a buffer never succeeds */
	CHECK(aero_wire_udp_encode(out, (size_t)rc - 1, &u, ps, eflags) ==
	      AERO_WIRE_E_NOBUF);
}

static void
udp_all(const uint8_t *d, size_t n, const struct aero_ip_pseudo *ps)
{
	udp_round(d, n, ps, 0);
	udp_round(d, n, ps, AERO_UDP_F_ZERO6_OK);
}

static void
flow(const uint8_t *d, size_t n)
{
	struct aero_flow_tuple t;

	if (aero_wire_flow_tuple(&t, d, n) == 0) {
		uint32_t l = aero_wire_flow_label(&t);
		CHECK(l >= 1 && l <= AERO_IPV6_FLOW_MASK);
		CHECK(l == aero_wire_flow_label(&t));
		int p = aero_wire_udp_port_hash(&t, AERO_UDP_DYN_PORT_BASE,
		                                AERO_UDP_DYN_PORT_COUNT);
		CHECK(p >= AERO_UDP_DYN_PORT_BASE &&
		      p < AERO_UDP_DYN_PORT_BASE + AERO_UDP_DYN_PORT_COUNT);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct aero_ipv4 h4, g4;
	struct aero_ipv6 h6, g6;
	struct aero_ip_pseudo ps4 = {.family = 4}, ps6 = {.family = 6}, ps;
	int rc, m;

	memcpy(ps4.src.b, "\xc0\x00\x02\x01", 4);
	memcpy(ps4.dst.b, "\xc6\x33\x64\x0a", 4);
	ps6.src.b[0] = 0x20;
	ps6.src.b[15] = 1;
	ps6.dst.b[0] = 0x20;
	ps6.dst.b[15] = 2;

	/* IPv4 */
	for (unsigned f = 0; f < 2; f++) {
		unsigned flags = f ? AERO_IPV4_F_NOCSUM : 0;

		rc = aero_wire_ipv4_decode(&h4, d, n, flags);
		if (rc < 0)
			continue;
		CHECK((size_t)rc == h4.total_len && (size_t)rc <= n);
		CHECK(aero_wire_ipv4_hdr_len(&h4) + h4.payload_len == (size_t)rc);
		m = aero_wire_ipv4_encode(out, sizeof out, &h4);
		CHECK(m == rc);
		/* identical except possibly the checksum (0x0000 vs 0xffff, or
		 * a wrong one accepted under NOCSUM) */
		CHECK(memcmp(out, d, 10) == 0);
		CHECK(memcmp(out + 12, d + 12, (size_t)rc - 12) == 0);
		CHECK(aero_wire_ipv4_decode(&g4, out, (size_t)m, 0) == rc);
		CHECK(g4.id == h4.id && g4.ttl == h4.ttl && g4.proto == h4.proto &&
		      g4.dscp == h4.dscp && g4.ecn == h4.ecn &&
		      g4.frag_off == h4.frag_off && g4.df == h4.df &&
		      g4.mf == h4.mf && g4.rf == h4.rf &&
		      g4.options_len == h4.options_len &&
		      memcmp(&g4.src, &h4.src, 4) == 0 &&
		      memcmp(&g4.dst, &h4.dst, 4) == 0);
		CHECK(aero_wire_ipv4_encode(out, (size_t)rc - 1, &h4) ==
		      AERO_WIRE_E_NOBUF);
		/* layered UDP under the decoded header */
		aero_wire_ipv4_pseudo(&ps, &h4);
		udp_all(h4.payload, h4.payload_len, &ps);
		flow(h4.payload, h4.payload_len);
	}

	/* IPv6 */
	rc = aero_wire_ipv6_decode(&h6, d, n);
	if (rc >= 0) {
		const uint8_t *up;
		size_t ulen;
		uint8_t proto;

		CHECK((size_t)rc == 40 + h6.payload_len && (size_t)rc <= n);
		m = aero_wire_ipv6_encode(out, sizeof out, &h6);
		CHECK(m == rc && memcmp(out, d, (size_t)rc) == 0);
		CHECK(aero_wire_ipv6_decode(&g6, out, (size_t)m) == rc);
		CHECK(g6.flow_label == h6.flow_label);
		CHECK(aero_wire_ipv6_encode(out, (size_t)rc - 1, &h6) ==
		      AERO_WIRE_E_NOBUF);
		int off = aero_wire_ipv6_upper(&h6, &proto, &up, &ulen);
		if (off >= 0) {
			CHECK((size_t)off + ulen == h6.payload_len);
			CHECK(up == h6.payload + off);
			aero_wire_ipv6_pseudo(&ps, &h6);
			udp_all(up, ulen, &ps);
		}
		flow(h6.payload, h6.payload_len);
	}

	/* raw UDP */
	udp_all(d, n, NULL);
	udp_all(d, n, &ps4);
	udp_all(d, n, &ps6);
	flow(d, n);
	return 0;
}
