/* DNS query / answer of the PRL name lookup (core/src/wire/dns.c).
 * Vectors: tests/vectors/dns-*.hex, written by independent encoders
 * (scapy, and real dnsmasq 2.90 answers) with tests/vectors/gen-dns.py. */
#include <glib.h>
#include <string.h>

#include "aero/wire_dns.h"
#include "testutil.h"

#define NAME "linkupnetworks.example.net"

static void
assert_addr(const struct aero_in6 *a, const char *text)
{
	struct aero_in6 want = tu_in6(text);
	tu_assert_bytes(a->b, 16, want.b, 16);
}

/* A vector decodes to len, and every shorter prefix fails. */
static void
check_vector(const char *vec, uint16_t id, const char *name, uint16_t qtype,
             struct aero_dns_answer *out)
{
	gsize n;
	guint8 *v = tu_load_vector(vec, &n);
	struct aero_dns_answer t;
	g_assert_cmpint(aero_wire_dns_answer_decode(out, v, n, id, name, qtype), ==, (int)n);
	for (size_t len = 0; len < n; len++)
		g_assert_cmpint(aero_wire_dns_answer_decode(&t, v, len, id, name, qtype), <, 0);
	g_free(v);
}

static void
test_scapy_a_two(void)
{
	struct aero_dns_answer a;
	check_vector("dns-scapy-a-two", 0x1234, NAME, AERO_DNS_TYPE_A, &a);
	g_assert_cmpuint(a.n_addrs, ==, 2);
	g_assert_cmpuint(a.ancount, ==, 2);
	assert_addr(&a.addrs[0], "::ffff:192.0.2.1");
	assert_addr(&a.addrs[1], "::ffff:192.0.2.2");
	g_assert_cmpuint(a.ttl, ==, 60);
	g_assert_cmpuint(a.flags & AERO_DNS_F_AA, !=, 0);
	g_assert_cmpuint(a.flags & AERO_DNS_RCODE_MASK, ==, 0);
	g_assert_false(a.more);
	/* names compare without regard to case, with or without the root dot */
	gsize n;
	guint8 *v = tu_load_vector("dns-scapy-a-two", &n);
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, v, n, 0x1234,
	                "LinkUpNetworks.EXAMPLE.net.", AERO_DNS_TYPE_A), ==, (int)n);
	g_assert_cmpuint(a.n_addrs, ==, 2);
	/* another ID, name or type is not the answer to our question */
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, v, n, 0x1235, NAME, AERO_DNS_TYPE_A),
	                ==, AERO_WIRE_E_FIELD);
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, v, n, 0x1234, "linkupnetworks.example.org",
	                AERO_DNS_TYPE_A), ==, AERO_WIRE_E_FIELD);
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, v, n, 0x1234, NAME, AERO_DNS_TYPE_AAAA),
	                ==, AERO_WIRE_E_FIELD);
	/* a query (QR clear) is not a response */
	v[2] &= 0x7f;
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, v, n, 0x1234, NAME, AERO_DNS_TYPE_A),
	                ==, AERO_WIRE_E_TYPE);
	g_free(v);
}

static void
test_scapy_cname(void)
{
	struct aero_dns_answer a;
	check_vector("dns-scapy-aaaa-cname", 0xbeef, NAME, AERO_DNS_TYPE_AAAA, &a);
	g_assert_cmpuint(a.ancount, ==, 3);
	g_assert_cmpuint(a.n_addrs, ==, 1); /* other.example.net is not ours */
	assert_addr(&a.addrs[0], "2001:db8::1");
	g_assert_cmpuint(a.ttl, ==, 120);
}

static void
test_scapy_nxdomain(void)
{
	struct aero_dns_answer a;
	check_vector("dns-scapy-nxdomain", 7, NAME, AERO_DNS_TYPE_A, &a);
	g_assert_cmpuint(a.n_addrs, ==, 0);
	g_assert_cmpuint(a.flags & AERO_DNS_RCODE_MASK, ==, AERO_DNS_RCODE_NXDOMAIN);
}

static void
test_real_dnsmasq(void)
{
	struct aero_dns_answer a;
	check_vector("dns-real-dnsmasq-a", 0x0a01, NAME, AERO_DNS_TYPE_A, &a);
	g_assert_cmpuint(a.n_addrs, ==, 2);
	assert_addr(&a.addrs[0], "::ffff:192.0.2.1");
	assert_addr(&a.addrs[1], "::ffff:192.0.2.2");
	check_vector("dns-real-dnsmasq-aaaa", 0x0a02, NAME, AERO_DNS_TYPE_AAAA, &a);
	g_assert_cmpuint(a.n_addrs, ==, 1);
	assert_addr(&a.addrs[0], "2001:db8::1");
	check_vector("dns-real-dnsmasq-refused", 0x0a03, "nosuch.example.net", AERO_DNS_TYPE_A, &a);
	g_assert_cmpuint(a.n_addrs, ==, 0);
	g_assert_cmpuint(a.flags & AERO_DNS_RCODE_MASK, !=, 0);
}

static void
test_query_encode(void)
{
	uint8_t buf[300];
	gsize n;
	/* scapy: raw(DNS(id=0x0a01, rd=1, qd=DNSQR(qname=NAME, qtype='A'))) */
	guint8 *want = tu_hex("0a01 0100 0001 0000 0000 0000"
	                      "0e 6c696e6b75706e6574776f726b73 07 6578616d706c65 03 6e6574 00"
	                      "0001 0001", &n);
	g_assert_cmpint(aero_wire_dns_query_encode(buf, sizeof buf, 0x0a01, NAME, AERO_DNS_TYPE_A),
	                ==, (int)n);
	tu_assert_bytes(buf, n, want, n);
	g_assert_cmpint(aero_wire_dns_query_encode(buf, sizeof buf, 0x0a01, "LINKUPNETWORKS.example.net.",
	                AERO_DNS_TYPE_A), ==, (int)n);
	tu_assert_bytes(buf, n, want, n);
	for (size_t cap = 0; cap < n; cap++)
		g_assert_cmpint(aero_wire_dns_query_encode(buf, cap, 1, NAME, AERO_DNS_TYPE_A),
		                ==, AERO_WIRE_E_NOBUF);
	g_free(want);
	/* names that cannot be encoded */
	char big[300];
	memset(big, 'a', sizeof big);
	big[64] = 0; /* one 64-byte label */
	const char *bad[] = {"", ".", "a..b", ".a", big};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(aero_wire_dns_query_encode(buf, sizeof buf, 1, bad[i], AERO_DNS_TYPE_A),
		                ==, AERO_WIRE_E_INVAL);
	for (int i = 0; i < 255; i++)
		big[i] = (i % 2) ? '.' : 'a';
	big[255] = 0; /* 128 labels, 255 characters */
	g_assert_cmpint(aero_wire_dns_query_encode(buf, sizeof buf, 1, big, AERO_DNS_TYPE_A),
	                ==, AERO_WIRE_E_INVAL);
	big[253] = 0; /* 253 characters: the longest name */
	g_assert_cmpint(aero_wire_dns_query_encode(buf, sizeof buf, 1, big, AERO_DNS_TYPE_A), >, 0);
	g_assert_cmpint(aero_wire_dns_query_encode(buf, sizeof buf, 1, NAME, AERO_DNS_TYPE_CNAME),
	                ==, AERO_WIRE_E_INVAL);
}

static void
test_round_trip(void)
{
	uint8_t buf[1024];
	GRand *r = g_rand_new_with_seed(53);
	for (int iter = 0; iter < 200; iter++) {
		struct aero_dns_answer in = {0}, out;
		in.id = (uint16_t)g_rand_int(r);
		in.flags = AERO_DNS_F_RD | AERO_DNS_F_RA;
		in.qtype = (iter & 1) ? AERO_DNS_TYPE_AAAA : AERO_DNS_TYPE_A;
		in.ttl = g_rand_int(r);
		in.n_addrs = (size_t)g_rand_int_range(r, 0, AERO_DNS_MAX_ADDRS + 1);
		for (size_t i = 0; i < in.n_addrs; i++) {
			tu_rand_bytes(r, in.addrs[i].b, 16);
			if (in.qtype == AERO_DNS_TYPE_A) {
				memset(in.addrs[i].b, 0, 10);
				in.addrs[i].b[10] = in.addrs[i].b[11] = 0xff;
			}
		}
		int n = aero_wire_dns_answer_encode(buf, sizeof buf, &in, NAME);
		g_assert_cmpint(n, >, 0);
		g_assert_cmpint(aero_wire_dns_answer_decode(&out, buf, (size_t)n, in.id, NAME, in.qtype),
		                ==, n);
		g_assert_cmpuint(out.n_addrs, ==, in.n_addrs);
		g_assert_cmpuint(out.flags, ==, in.flags | AERO_DNS_F_QR);
		g_assert_cmpuint(out.ttl, ==, in.n_addrs ? in.ttl : 0);
		for (size_t i = 0; i < in.n_addrs; i++)
			tu_assert_bytes(out.addrs[i].b, 16, in.addrs[i].b, 16);
		for (int cap = 0; cap < n; cap++)
			g_assert_cmpint(aero_wire_dns_answer_encode(buf, (size_t)cap, &in, NAME),
			                ==, AERO_WIRE_E_NOBUF);
		for (int len = 0; len < n; len++)
			g_assert_cmpint(aero_wire_dns_answer_decode(&out, buf, (size_t)len, in.id, NAME,
			                in.qtype), <, 0);
	}
	g_rand_free(r);
}

/* Hand-made malformed answers: pointer loops, forward pointers, extended
 * labels, bad address lengths, more addresses than kept. */
static void
test_malformed(void)
{
	uint8_t buf[2048];
	struct aero_dns_answer in = {.id = 9, .qtype = AERO_DNS_TYPE_A, .n_addrs = 1, .ttl = 5}, a;
	in.addrs[0] = tu_in6("::ffff:198.51.100.1");
	int n = aero_wire_dns_answer_encode(buf, sizeof buf, &in, NAME);
	g_assert_cmpint(n, >, 0);
	size_t rr = (size_t)n - 16; /* the one record: owner pointer at rr */
	g_assert_cmpuint(buf[rr], ==, 0xc0);

	uint8_t b2[2048];
	memcpy(b2, buf, (size_t)n);
	b2[rr + 1] = (uint8_t)rr; /* pointer to itself */
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, b2, (size_t)n, 9, NAME, AERO_DNS_TYPE_A),
	                ==, AERO_WIRE_E_BADLEN);
	b2[rr + 1] = (uint8_t)(rr + 2); /* forward */
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, b2, (size_t)n, 9, NAME, AERO_DNS_TYPE_A),
	                ==, AERO_WIRE_E_BADLEN);
	memcpy(b2, buf, (size_t)n);
	b2[12] = 0x4e; /* extended label type in the question */
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, b2, (size_t)n, 9, NAME, AERO_DNS_TYPE_A),
	                ==, AERO_WIRE_E_BADLEN);
	memcpy(b2, buf, (size_t)n);
	b2[rr + 11] = 5; /* A with RDLENGTH 5 (and one byte too few left) */
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, b2, (size_t)n, 9, NAME, AERO_DNS_TYPE_A),
	                ==, AERO_WIRE_E_TRUNCATED);
	b2[n] = 0;
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, b2, (size_t)n + 1, 9, NAME, AERO_DNS_TYPE_A),
	                ==, AERO_WIRE_E_BADLEN);
	memcpy(b2, buf, (size_t)n);
	b2[rr + 5] = 3; /* class CH: not ours */
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, b2, (size_t)n, 9, NAME, AERO_DNS_TYPE_A), ==, n);
	g_assert_cmpuint(a.n_addrs, ==, 0);
	memcpy(b2, buf, (size_t)n);
	b2[2] |= 0x08; /* opcode 1 */
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, b2, (size_t)n, 9, NAME, AERO_DNS_TYPE_A),
	                ==, AERO_WIRE_E_TYPE);

	/* 20 records: 16 kept, the rest flagged */
	memcpy(b2, buf, (size_t)n);
	size_t o = (size_t)n;
	for (int i = 1; i < 20; i++, o += 16)
		memcpy(b2 + o, buf + rr, 16);
	b2[7] = 20;
	g_assert_cmpint(aero_wire_dns_answer_decode(&a, b2, o, 9, NAME, AERO_DNS_TYPE_A), ==, (int)o);
	g_assert_cmpuint(a.n_addrs, ==, AERO_DNS_MAX_ADDRS);
	g_assert_true(a.more);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wire/dns/scapy-a-two", test_scapy_a_two);
	g_test_add_func("/wire/dns/scapy-cname", test_scapy_cname);
	g_test_add_func("/wire/dns/scapy-nxdomain", test_scapy_nxdomain);
	g_test_add_func("/wire/dns/real-dnsmasq", test_real_dnsmasq);
	g_test_add_func("/wire/dns/query-encode", test_query_encode);
	g_test_add_func("/wire/dns/round-trip", test_round_trip);
	g_test_add_func("/wire/dns/malformed", test_malformed);
	return g_test_run();
}
