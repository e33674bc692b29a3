/*
 * Codec micro-benchmark (make bench): ns per encode and per decode of a
 * full P1 data packet (outer IPv4 or IPv6 + UDP + 1280-byte inner IPv6)
 * and of a P2 packet (outer IPv6 + UDP + SEAL with ICV + 1280-byte inner),
 * with the HMAC-SHA1-80 cost shown on its own.
 *
 * Each figure is the median of 7 runs of a loop calibrated to last at least
 * 50 ms. Numbers, not pass/fail: the program fails only if a codec does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aero/wire.h"

#define INNER_LEN 1280
#define RUNS 7

static volatile uint32_t sink;

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

typedef int (*bench_fn)(void *arg);

/* Median ns per call of fn(arg). */
static double
measure(bench_fn fn, void *arg)
{
	double runs[RUNS];
	unsigned long n = 1;

	for (;;) { /* calibrate */
		double t0 = now_ns();
		for (unsigned long i = 0; i < n; i++)
			if (fn(arg) < 0) {
				fprintf(stderr, "bench: codec failed\n");
				exit(1);
			}
		double dt = now_ns() - t0;
		if (dt > 50e6)
			break;
		n *= 2;
	}
	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ns();
		for (unsigned long i = 0; i < n; i++)
			fn(arg);
		runs[r] = (now_ns() - t0) / (double)n;
	}
	qsort(runs, RUNS, sizeof runs[0], cmp_double);
	return runs[RUNS / 2];
}

struct ctx {
	uint8_t buf[2048];
	size_t len;
	int outer; /* 4 or 6 */
	bool seal;
	uint8_t key[AERO_SEAL_KEY_LEN];
	size_t off_inner;
	struct aero_packet_opts po;
	struct aero_packet pkt;
};

/* inner IPv6 + UDP + payload at c->buf + off */
static void
build_inner(struct ctx *c, size_t off)
{
	struct aero_ipv6 ip = {0};
	struct aero_udp u = {0};
	struct aero_ip_pseudo ps;
	uint8_t *p = c->buf + off;

	for (size_t i = 48; i < INNER_LEN; i++)
		p[i] = (uint8_t)(i * 7);
	ip.hop_limit = 64;
	ip.next_header = AERO_IP_PROTO_UDP;
	ip.flow_label = 0x12345;
	memcpy(ip.src.b, "\x20\x01\x0d\xb8\x10\x00\x20\x00\0\0\0\0\0\0\0\x01", 16);
	memcpy(ip.dst.b, "\x20\x01\x0d\xb8\x20\x00\x30\x00\0\0\0\0\0\0\0\x01", 16);
	ip.payload_len = INNER_LEN - 40;
	u.src_port = 5000;
	u.dst_port = 5001;
	u.payload_len = INNER_LEN - 48;
	aero_wire_ipv6_pseudo(&ps, &ip);
	if (aero_wire_udp_encode(p + 40, INNER_LEN - 40, &u, &ps, 0) < 0 ||
	    aero_wire_ipv6_encode(p, INNER_LEN, &ip) < 0) {
		fprintf(stderr, "bench: inner encode failed\n");
		exit(1);
	}
}

/* The encapsulation a sender performs per packet: [SEAL +] UDP + outer IP. */
static int
encap(void *arg)
{
	struct ctx *c = arg;
	size_t ohl = c->outer == 4 ? AERO_IPV4_HDR_LEN : AERO_IPV6_HDR_LEN;
	size_t sl = c->seal ? AERO_SEAL_ICV_HDR_LEN : 0;
	size_t payload = sl + INNER_LEN;
	struct aero_ip_pseudo ps;
	struct aero_udp u = { .src_port = 49152, .dst_port = AERO_UDP_PORT,
	                      .payload_len = payload };
	int rc;

	if (c->seal) {
		struct aero_seal s = { .next_header = AERO_SEAL_NH_IPV6, .r = true,
		                       .i = true, .link_id = 1, .id = 0x01020304,
		                       .icv_alg = AERO_SEAL_ALG_HMAC_SHA1,
		                       .payload_len = INNER_LEN };
		rc = aero_wire_seal_encode(c->buf + ohl + 8, sizeof c->buf - ohl - 8,
		                           &s, c->key, sizeof c->key);
		if (rc < 0)
			return rc;
	}
	if (c->outer == 4) {
		struct aero_ipv4 ip = { .ttl = 64, .proto = AERO_IP_PROTO_UDP, .id = 7,
		                        .payload_len = 8 + payload };
		memcpy(ip.src.b, "\xc6\x33\x64\x0a", 4);
		memcpy(ip.dst.b, "\xc0\x00\x02\x01", 4);
		aero_wire_ipv4_pseudo(&ps, &ip);
		rc = aero_wire_udp_encode(c->buf + ohl, sizeof c->buf - ohl, &u, &ps,
		                          AERO_UDP_P1_FLAGS_V4);
		if (rc < 0)
			return rc;
		rc = aero_wire_ipv4_encode(c->buf, sizeof c->buf, &ip);
	} else {
		struct aero_ipv6 ip = { .hop_limit = 64, .next_header = AERO_IP_PROTO_UDP,
		                        .flow_label = 0xabcde, .payload_len = 8 + payload };
		memcpy(ip.src.b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x0a", 16);
		memcpy(ip.dst.b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
		aero_wire_ipv6_pseudo(&ps, &ip);
		rc = aero_wire_udp_encode(c->buf + ohl, sizeof c->buf - ohl, &u, &ps,
		                          AERO_UDP_P1_FLAGS_V6);
		if (rc < 0)
			return rc;
		rc = aero_wire_ipv6_encode(c->buf, sizeof c->buf, &ip);
	}
	c->len = ohl + 8 + payload;
	return rc;
}

static int
decode(void *arg)
{
	struct ctx *c = arg;
	int rc = aero_wire_packet_decode(&c->pkt, c->buf, c->len,
	                                 AERO_PACKET_LAYER_AUTO, &c->po);

	if (rc >= 0 && c->pkt.kind != AERO_PACKET_KIND_DATA)
		return -1;
	return rc;
}

static int
hmac_only(void *arg)
{
	struct ctx *c = arg;
	uint8_t icv[AERO_SEAL_ICV_LEN];

	aero_wire_hmac_sha1_80(icv, c->key, sizeof c->key, c->buf, 20,
	                       c->buf + 20, INNER_LEN + 8);
	sink += icv[0];
	return 0;
}

static void
setup(struct ctx *c, int outer, bool seal)
{
	memset(c, 0, sizeof *c);
	c->outer = outer;
	c->seal = seal;
	memset(c->key, 0x0b, sizeof c->key);
	c->off_inner = (outer == 4 ? 20 : 40) + 8 + (seal ? AERO_SEAL_ICV_HDR_LEN : 0);
	build_inner(c, c->off_inner);
	aero_packet_opts_default(&c->po);
	if (seal) {
		c->po.profile = AERO_PACKET_PROFILE_P2;
		c->po.icv_key = c->key;
		c->po.icv_key_len = sizeof c->key;
	}
	if (encap(c) < 0 || decode(c) < 0) {
		fprintf(stderr, "bench: setup round trip failed (%d/%d)\n", outer, seal);
		exit(1);
	}
}

static void
row(const char *what, size_t bytes, double ns)
{
	printf("  %-46s %5zu B %9.1f ns %8.2f Mpps %7.2f Gbit/s\n", what, bytes, ns,
	       1e3 / ns, (double)bytes * 8 / ns);
}

int
main(void)
{
	static struct ctx c;

	printf("wire codec micro-benchmark (median of %d runs; inner packet %d B)\n",
	       RUNS, INNER_LEN);
	setup(&c, 4, false);
	row("P1 IPv4 encap (UDP csum 0) encode", c.len, measure(encap, &c));
	row("P1 IPv4 decode (IPv4 csum, UDP, inner IPv6)", c.len, measure(decode, &c));
	setup(&c, 6, false);
	row("P1 IPv6 encap (UDP csum computed) encode", c.len, measure(encap, &c));
	row("P1 IPv6 decode (UDP csum verified)", c.len, measure(decode, &c));
	setup(&c, 6, true);
	row("P2 IPv6+SEAL ICV encode", c.len, measure(encap, &c));
	row("P2 IPv6+SEAL ICV decode + verify", c.len, measure(decode, &c));
	row("  of which HMAC-SHA1-80 alone (GHmac)", INNER_LEN + 28, measure(hmac_only, &c));
	return 0;
}
