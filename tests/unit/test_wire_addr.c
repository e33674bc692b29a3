/* Address and name helpers (core/src/wire/addr.c). */
#include "testutil.h"
#include "aero/wire_addr.h"

#include <arpa/inet.h>
#include <string.h>
#define in6(s) tu_in6(s)
#define in4(s) tu_in4(s)
#define assert_in6(a, s) tu_assert_in6(a, s)

/* ---- TV1 ------------------------------------------------------------------ */

static void
test_tv1(void)
{
	static const struct {
		const char *v4;
		enum aero_eui64_rule rule;
		const char *iid, *ll;
	} rows[] = {
		{"192.0.2.1", AERO_EUI64_RULE_STRICT, "02 00 5e fe c0 00 02 01",
		 "fe80::200:5efe:c000:201"},
		{"192.0.2.1", AERO_EUI64_RULE_LINUX, "00 00 5e fe c0 00 02 01",
		 "fe80::5efe:c000:201"},
		{"10.0.0.1", AERO_EUI64_RULE_LINUX, "00 00 5e fe 0a 00 00 01",
		 "fe80::5efe:a00:1"},
		{"10.0.0.1", AERO_EUI64_RULE_STRICT, "00 00 5e fe 0a 00 00 01",
		 "fe80::5efe:a00:1"},
		{"8.8.8.8", AERO_EUI64_RULE_LINUX, "02 00 5e fe 08 08 08 08",
		 "fe80::200:5efe:808:808"},
		{"8.8.8.8", AERO_EUI64_RULE_STRICT, "02 00 5e fe 08 08 08 08",
		 "fe80::200:5efe:808:808"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct aero_in4 v4 = in4(rows[i].v4), back;
		struct aero_in6 ll;
		uint8_t iid[8];
		gsize n;
		guint8 *exp = tu_hex(rows[i].iid, &n);

		g_assert_cmpint(aero_addr_eui64_iid(iid, &v4, rows[i].rule), ==, 0);
		tu_assert_bytes(iid, 8, exp, n);
		g_assert_cmpint(aero_addr_ll_from_ipv4(&ll, &v4, rows[i].rule), ==, 0);
		assert_in6(ll, rows[i].ll);
		g_assert_cmpint(aero_addr_classify(&ll), ==, AERO_ADDR_KIND_EUI64_V4);
		g_assert_cmpint(aero_addr_ll_to_ipv4(&back, &ll), ==, 0);
		g_assert_cmpmem(back.b, 4, v4.b, 4);
		g_free(exp);
	}
	g_assert_cmpint(AERO_EUI64_RULE_DEFAULT, ==, AERO_EUI64_RULE_LINUX);
}

/* The two global-bit rules over range edges (digest 4 table). */
static void
test_global_rules(void)
{
	static const struct {
		const char *a;
		bool strict, linux_;
	} rows[] = {
		{"0.0.0.1", true, false},           /* 0/8 */
		{"0.255.255.255", true, false},
		{"1.0.0.0", true, true},
		{"9.255.255.255", true, true},
		{"10.0.0.0", false, false},         /* 10/8 */
		{"10.255.255.255", false, false},
		{"11.0.0.0", true, true},
		{"127.0.0.1", true, false},         /* 127/8 */
		{"128.0.0.0", true, true},
		{"169.254.1.1", true, false},       /* 169.254/16 */
		{"169.253.255.255", true, true},
		{"169.255.0.0", true, true},
		{"172.15.255.255", true, true},
		{"172.16.0.0", false, false},       /* 172.16/12 */
		{"172.31.255.255", false, false},
		{"172.32.0.0", true, true},
		{"192.0.1.255", true, true},
		{"192.0.2.0", true, false},         /* 192.0.2/24 */
		{"192.0.3.0", true, true},
		{"192.88.99.1", true, false},       /* 192.88.99/24 */
		{"192.88.98.255", true, true},
		{"192.168.0.1", false, false},      /* 192.168/16 */
		{"192.169.0.0", true, true},
		{"198.17.255.255", true, true},
		{"198.18.0.0", true, false},        /* 198.18/15 */
		{"198.19.255.255", true, false},
		{"198.20.0.0", true, true},
		{"223.255.255.255", true, true},
		{"224.0.0.1", true, false},         /* 224/4 */
		{"239.255.255.255", true, false},
		{"240.0.0.0", true, true},
		{"255.255.255.254", true, true},
		{"255.255.255.255", true, false},   /* limited broadcast */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct aero_in4 a = in4(rows[i].a);
		uint8_t iid[8];

		g_assert_cmpint(aero_addr_ipv4_is_global(&a, AERO_EUI64_RULE_STRICT),
		                ==, rows[i].strict);
		g_assert_cmpint(aero_addr_ipv4_is_global(&a, AERO_EUI64_RULE_LINUX),
		                ==, rows[i].linux_);
		g_assert_cmpint(aero_addr_eui64_iid(iid, &a, AERO_EUI64_RULE_LINUX),
		                ==, 0);
		g_assert_cmpuint(iid[0], ==, rows[i].linux_ ? 0x02 : 0x00);
	}
	/* 0.0.0.0 is rejected under both rules */
	struct aero_in4 z = in4("0.0.0.0");
	struct aero_in6 ll;
	uint8_t iid[8];
	g_assert_cmpint(aero_addr_eui64_iid(iid, &z, AERO_EUI64_RULE_STRICT), ==,
	                AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_addr_eui64_iid(iid, &z, AERO_EUI64_RULE_LINUX), ==,
	                AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_addr_ll_from_ipv4(&ll, &z, AERO_EUI64_RULE_LINUX), ==,
	                AERO_WIRE_E_INVAL);
}

/* ---- TV2 and the link-local kinds ---------------------------------------- */

static void
test_tv2(void)
{
	static const struct {
		const char *prefix;
		unsigned plen;
		const char *aero;
	} rows[] = {
		{"2001:db8:1000:2000::", 56, "fe80::2001:db8:1000:2000"},
		{"2001:db8:1:2::", 64, "fe80::2001:db8:1:2"},
		{"2001:db8::", 48, "fe80::2001:db8:0:0"},
		{"2001:db8:1000:2000:1234::", 80, "fe80::2001:db8:1000:2000"},
		/* bits beyond the prefix length are zeroed */
		{"2001:db8:1000:20ff::", 56, "fe80::2001:db8:1000:2000"},
		{"2001:db8:ffff:ffff:ffff::", 33, "fe80::2001:db8:8000:0"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct aero_in6 p = in6(rows[i].prefix), a, back;

		g_assert_cmpint(aero_addr_aero_from_prefix(&a, &p, rows[i].plen), ==, 0);
		assert_in6(a, rows[i].aero);
		g_assert_cmpint(aero_addr_classify(&a), ==, AERO_ADDR_KIND_AERO);
		/* back to the prefix: its first MIN(plen, 64) bits */
		struct aero_in6 m;
		aero_addr_aero_to_prefix(&back, &a);
		aero_addr_prefix_mask(&m, &p, rows[i].plen < 64 ? rows[i].plen : 64);
		tu_assert_bytes(back.b, 16, m.b, 16);
	}
	struct aero_in6 a, back, p = in6("2001:db8:1000:2000::");
	g_assert_cmpint(aero_addr_aero_from_prefix(&a, &p, 56), ==, 0);
	aero_addr_aero_to_prefix(&back, &a);
	assert_in6(back, "2001:db8:1000:2000::");

	/* rejected: plen > 128, and prefixes whose AERO address would look
	 * like another kind (never the case for 2000::/3) */
	g_assert_cmpint(aero_addr_aero_from_prefix(&a, &p, 129), ==,
	                AERO_WIRE_E_INVAL);
	p = in6("::");
	g_assert_cmpint(aero_addr_aero_from_prefix(&a, &p, 0), ==, AERO_WIRE_E_INVAL);
	p = in6("2001:db8::");
	g_assert_cmpint(aero_addr_aero_from_prefix(&a, &p, 0), ==, AERO_WIRE_E_INVAL);
	p = in6("0:0:1::");
	g_assert_cmpint(aero_addr_aero_from_prefix(&a, &p, 48), ==,
	                AERO_WIRE_E_INVAL);
	p = in6("200:5efe:c000:200::");
	g_assert_cmpint(aero_addr_aero_from_prefix(&a, &p, 56), ==,
	                AERO_WIRE_E_INVAL);
}

static void
test_server_ll(void)
{
	struct aero_in6 a;

	g_assert_cmpint(aero_addr_server_ll(&a, 1), ==, 0);
	assert_in6(a, "fe80::1");
	g_assert_cmpint(aero_addr_classify(&a), ==, AERO_ADDR_KIND_SERVER);
	g_assert_cmpint(aero_addr_server_ll(&a, 0xffffffffu), ==, 0);
	assert_in6(a, "fe80::ffff:ffff");
	g_assert_cmpint(aero_addr_classify(&a), ==, AERO_ADDR_KIND_SERVER);
	g_assert_cmpint(aero_addr_server_ll(&a, 0), ==, AERO_WIRE_E_INVAL);
}

static void
test_classify(void)
{
	static const struct {
		const char *a;
		enum aero_addr_kind k;
	} rows[] = {
		{"fe80::", AERO_ADDR_KIND_OTHER},
		{"fe80::1", AERO_ADDR_KIND_SERVER},
		{"fe80::1:0", AERO_ADDR_KIND_SERVER},
		{"fe80::1:0:0", AERO_ADDR_KIND_AERO},
		{"fe80::5efe:c000:201", AERO_ADDR_KIND_EUI64_V4},
		{"fe80::200:5efe:808:808", AERO_ADDR_KIND_EUI64_V4},
		{"fe80::100:5efe:808:808", AERO_ADDR_KIND_AERO},
		{"fe80::5eff:c000:201", AERO_ADDR_KIND_AERO},
		{"fe80::5dfe:c000:201", AERO_ADDR_KIND_AERO},
		{"fe80::1:5efe:c000:201", AERO_ADDR_KIND_AERO},
		{"fe80::2001:db8:1000:2000", AERO_ADDR_KIND_AERO},
		{"fe80:0:0:1::1", AERO_ADDR_KIND_OTHER},
		{"fe81::1", AERO_ADDR_KIND_OTHER},
		{"2001:db8::1", AERO_ADDR_KIND_OTHER},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct aero_in6 a = in6(rows[i].a);
		struct aero_in4 v4;

		g_assert_cmpint(aero_addr_classify(&a), ==, rows[i].k);
		g_assert_cmpint(aero_addr_ll_to_ipv4(&v4, &a), ==,
		                rows[i].k == AERO_ADDR_KIND_EUI64_V4 ? 0 :
		                AERO_WIRE_E_TYPE);
	}
	g_assert_cmpstr(aero_addr_kind_name(AERO_ADDR_KIND_OTHER), ==, "other");
	g_assert_cmpstr(aero_addr_kind_name(AERO_ADDR_KIND_EUI64_V4), ==,
	                "eui64-ipv4");
	g_assert_cmpstr(aero_addr_kind_name(AERO_ADDR_KIND_SERVER), ==, "server");
	g_assert_cmpstr(aero_addr_kind_name(AERO_ADDR_KIND_AERO), ==, "aero");
	g_assert_cmpstr(aero_addr_kind_name(AERO_ADDR_KIND_COUNT), ==, "unknown");
}

/* ---- prefixes ------------------------------------------------------------- */

static void
test_prefix(void)
{
	static const struct {
		unsigned plen;
		const char *masked;
	} rows[] = {
		{0, "::"},
		{1, "8000::"},
		{7, "fe00::"},
		{8, "ff00::"},
		{9, "ff80::"},
		{56, "ffff:ffff:ffff:ff00::"},
		{63, "ffff:ffff:ffff:fffe::"},
		{64, "ffff:ffff:ffff:ffff::"},
		{127, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"},
		{128, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{200, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	};
	struct aero_in6 ones, m;

	memset(ones.b, 0xff, 16);
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		aero_addr_prefix_mask(&m, &ones, rows[i].plen);
		assert_in6(m, rows[i].masked);
	}
	/* in place */
	m = in6("2001:db8:1:2:3:4:5:6");
	aero_addr_prefix_mask(&m, &m, 48);
	assert_in6(m, "2001:db8:1::");

	struct aero_in6 a = in6("2001:db8:1000:2000::1");
	struct aero_in6 b = in6("2001:db8:1000:20ff::1");
	struct aero_in6 p = in6("2001:db8:1000:2000::");
	g_assert_cmpuint(aero_addr_prefix_common_len(&a, &b), ==, 56);
	g_assert_cmpuint(aero_addr_prefix_common_len(&a, &a), ==, 128);
	g_assert_true(aero_addr_prefix_match(&a, &b, 56));
	g_assert_false(aero_addr_prefix_match(&a, &b, 57));
	g_assert_false(aero_addr_prefix_match(&a, &b, 300));
	g_assert_true(aero_addr_prefix_match(&a, &a, 300));
	g_assert_true(aero_addr_prefix_contains(&p, 56, &a, 128));
	g_assert_true(aero_addr_prefix_contains(&p, 56, &b, 64));
	g_assert_false(aero_addr_prefix_contains(&p, 64, &b, 64));
	g_assert_false(aero_addr_prefix_contains(&p, 56, &p, 48));
	g_assert_true(aero_addr_prefix_contains(&p, 0, &b, 0));
	struct aero_in6 c = in6("::1"), d = in6("8000::");
	g_assert_cmpuint(aero_addr_prefix_common_len(&c, &d), ==, 0);
}

/* ---- names (TV10, RFC 5558 5.5) ------------------------------------------ */

static void
check_name(int rc, const char *buf, const char *exp)
{
	g_assert_cmpint(rc, ==, (int)strlen(exp));
	g_assert_cmpstr(buf, ==, exp);
}

static void
test_names_tv10(void)
{
	char buf[AERO_ADDR_NAME_MAX];
	struct aero_in6 a = in6("2001:DB8:1:2::1");
	struct aero_in6 p48 = in6("2001:db8:1::");

	check_name(aero_addr_name_rfc5558(buf, sizeof buf, &a,
	                                  "isatap.example.com"), buf,
	           "0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.isatap.example.com");
	check_name(aero_addr_name_full(buf, sizeof buf, &a,
	                               "linkupnetworks.example.com"), buf,
	           "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2"
	           ".ip6.linkupnetworks.example.com");
	check_name(aero_addr_name_wildcard(buf, sizeof buf, &p48, 48,
	                                   AERO_ADDR_PRL_HOSTNAME ".example.com"),
	           buf, "*.1.0.0.0.8.b.d.0.1.0.0.2.ip6.linkupnetworks.example.com");
	check_name(aero_addr_name_wildcard(buf, sizeof buf, &p48, 0, "x"), buf,
	           "*.ip6.x");
	check_name(aero_addr_name_wildcard(buf, sizeof buf, &a, 128, "x"), buf,
	           "*.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2"
	           ".ip6.x");
	g_assert_cmpint(aero_addr_name_wildcard(buf, sizeof buf, &p48, 50, "x"), ==,
	                AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_addr_name_wildcard(buf, sizeof buf, &p48, 132, "x"),
	                ==, AERO_WIRE_E_INVAL);

	/* RFC 5558 5.5 IPv4 prefix names */
	struct aero_in4 v4 = in4("192.0.2.0");
	check_name(aero_addr_name_ipv4(buf, sizeof buf, &v4, 24,
	                               AERO_ADDR_PRL_HOSTNAME_RFC5558
	                               ".example.com"), buf,
	           "2.0.0.0.0.c.ip4.isatap.example.com");
	struct aero_in4 h = in4("192.0.2.1");
	check_name(aero_addr_name_ipv4(buf, sizeof buf, &h, 32, "p"), buf,
	           "1.0.2.0.0.0.0.c.ip4.p");
	check_name(aero_addr_name_ipv4(buf, sizeof buf, &h, 4, "p"), buf,
	           "c.ip4.p");
	g_assert_cmpint(aero_addr_name_ipv4(buf, sizeof buf, &h, 0, "p"), ==,
	                AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_addr_name_ipv4(buf, sizeof buf, &h, 30, "p"), ==,
	                AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_addr_name_ipv4(buf, sizeof buf, &h, 36, "p"), ==,
	                AERO_WIRE_E_INVAL);
	g_assert_cmpstr(AERO_ADDR_PRL_HOSTNAME, ==, "linkupnetworks");
}

/* NOBUF at every capacity below length + 1; nothing past cap is written. */
static void
test_names_nobuf(void)
{
	char buf[AERO_ADDR_NAME_MAX + 8];
	struct aero_in6 a = in6("2001:db8:1:2::1");
	struct aero_in4 v4 = in4("192.0.2.0");
	const char *prl = "linkupnetworks.example.com";

	for (int f = 0; f < 4; f++) {
		int need;
		switch (f) {
		case 0: need = aero_addr_name_rfc5558(buf, sizeof buf, &a, prl); break;
		case 1: need = aero_addr_name_full(buf, sizeof buf, &a, prl); break;
		case 2: need = aero_addr_name_wildcard(buf, sizeof buf, &a, 64, prl);
		        break;
		default: need = aero_addr_name_ipv4(buf, sizeof buf, &v4, 24, prl);
		}
		g_assert_cmpint(need, >, 0);
		for (size_t cap = 0; cap <= (size_t)need; cap++) {
			int rc;

			memset(buf, 'Z', sizeof buf);
			switch (f) {
			case 0: rc = aero_addr_name_rfc5558(buf, cap, &a, prl); break;
			case 1: rc = aero_addr_name_full(buf, cap, &a, prl); break;
			case 2: rc = aero_addr_name_wildcard(buf, cap, &a, 64, prl); break;
			default: rc = aero_addr_name_ipv4(buf, cap, &v4, 24, prl);
			}
			g_assert_cmpint(rc, ==, AERO_WIRE_E_NOBUF);
			g_assert_cmpint(buf[0], ==, 'Z');
		}
		memset(buf, 'Z', sizeof buf);
		switch (f) {
		case 0: g_assert_cmpint(aero_addr_name_rfc5558(buf, (size_t)need + 1,
		                        &a, prl), ==, need); break;
		case 1: g_assert_cmpint(aero_addr_name_full(buf, (size_t)need + 1,
		                        &a, prl), ==, need); break;
		case 2: g_assert_cmpint(aero_addr_name_wildcard(buf, (size_t)need + 1,
		                        &a, 64, prl), ==, need); break;
		default: g_assert_cmpint(aero_addr_name_ipv4(buf, (size_t)need + 1,
		                         &v4, 24, prl), ==, need);
		}
		g_assert_cmpint(buf[need], ==, '\0');
		g_assert_cmpint(buf[need + 1], ==, 'Z');
	}
	/* the documented maximum fits a 253-byte PRLNAME wildcard /128 name */
	char prl253[254];
	memset(prl253, 'a', 253);
	prl253[253] = '\0';
	char big[AERO_ADDR_NAME_MAX];
	g_assert_cmpint(aero_addr_name_wildcard(big, sizeof big, &a, 128, prl253),
	                ==, AERO_ADDR_NAME_MAX - 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wire/addr/tv1", test_tv1);
	g_test_add_func("/wire/addr/global-rules", test_global_rules);
	g_test_add_func("/wire/addr/tv2", test_tv2);
	g_test_add_func("/wire/addr/server-ll", test_server_ll);
	g_test_add_func("/wire/addr/classify", test_classify);
	g_test_add_func("/wire/addr/prefix", test_prefix);
	g_test_add_func("/wire/addr/names/tv10", test_names_tv10);
	g_test_add_func("/wire/addr/names/nobuf", test_names_nobuf);
	return g_test_run();
}
