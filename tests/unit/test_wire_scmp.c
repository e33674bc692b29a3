/* SCMP messages (core/src/wire/scmp.c). */
#define ND_HELPERS_ONLY
#include "test_wire_nd.c"

#include <stdint.h>

static int
enc_scmp(uint8_t *buf, size_t cap, const void *in)
{
	return aero_wire_scmp_encode(buf, cap, in);
}

static void
assert_scmp_equal(const struct aero_scmp_msg *a, const struct aero_scmp_msg *b)
{
	g_assert_cmpuint(a->type, ==, b->type);
	g_assert_cmpuint(a->code, ==, b->code);
	if (a->type >= AERO_SCMP_TYPE_SRS && a->type <= AERO_SCMP_TYPE_SNA) {
		assert_nd_equal(&a->nd, &b->nd);
	} else if (a->type == AERO_SCMP_TYPE_SPD_SRD) {
		g_assert_cmpint(a->rd.p, ==, b->rd.p);
		g_assert_cmpint(a->rd.v, ==, b->rd.v);
		g_assert_cmpuint(a->rd.reserved, ==, b->rd.reserved);
		tu_assert_bytes(a->rd.target.b, 16, b->rd.target.b, 16);
		tu_assert_bytes(a->rd.dest.b, 16, b->rd.dest.b, 16);
		if (a->rd.v) {
			g_assert_cmpint(a->rd.auth.f, ==, b->rd.auth.f);
			g_assert_cmpuint(a->rd.auth.key, ==, b->rd.auth.key);
			g_assert_cmpuint(a->rd.auth.alg, ==, b->rd.auth.alg);
			tu_assert_bytes(a->rd.auth.esk, AERO_SCMP_ESK_LEN, b->rd.auth.esk,
			                AERO_SCMP_ESK_LEN);
			tu_assert_bytes(a->rd.auth.pad, AERO_SCMP_AUTH_PAD_LEN, b->rd.auth.pad,
			                AERO_SCMP_AUTH_PAD_LEN);
		}
		assert_opts_equal(&a->rd.opts, &b->rd.opts);
	} else {
		g_assert_cmpuint(a->err.param, ==, b->err.param);
		tu_assert_bytes(a->err.pkt, a->err.pkt_len, b->err.pkt, b->err.pkt_len);
	}
}

/*
 * Decode (checksum verified and not), re-encode byte-identically, NOBUF at
 * every cap, and every truncation: with the checksum verified all fail;
 * without, exactly the lengths in ok (option boundaries) or >= ok_from
 * (error messages: a shorter packet in error) succeed.
 */
static void
rt_scmp(const uint8_t *v, size_t n, const size_t *ok, size_t n_ok, size_t ok_from,
        struct aero_scmp_msg *m)
{
	static uint8_t out[BUFCAP];
	static struct aero_scmp_msg t;

	g_assert_cmpint(aero_wire_scmp_decode(m, v, n, &CTX_ETH_X, false), ==, (int)n);
	g_assert_cmpint(aero_wire_scmp_decode(m, v, n, NULL, true), ==, (int)n);
	g_assert_cmpint(aero_wire_scmp_encode(out, sizeof out, m), ==, (int)n);
	tu_assert_bytes(out, n, v, n);
	assert_nobuf_all(enc_scmp, m, n);
	for (size_t len = 0; len < n; len++) {
		int rc = aero_wire_scmp_decode(&t, v, len, NULL, true);
		g_assert_cmpint(rc, <, 0);
		rc = aero_wire_scmp_decode(&t, v, len, NULL, false);
		if (in_list(len, ok, n_ok) || len >= ok_from)
			g_assert_cmpint(rc, ==, (int)len);
		else
			g_assert_cmpint(rc, <, 0);
	}
}

static void
test_srs(void)
{
	gsize n;
	guint8 *v = tu_load_vector("scmp-srs", &n);
	static struct aero_scmp_msg m;
	const size_t ok[] = {8};

	g_assert_cmpuint(n, ==, 16);
	rt_scmp(v, n, ok, 1, SIZE_MAX, &m);
	g_assert_cmpuint(m.type, ==, AERO_SCMP_TYPE_SRS);
	g_assert_cmpuint(m.code, ==, 0);
	g_assert_cmphex(m.checksum, ==, 0xb7fc);
	g_assert_cmpuint(m.nd.type, ==, AERO_ND_TYPE_RS);
	g_assert_cmpuint(m.nd.reserved, ==, 0);
	g_assert_true(m.nd.opts.has_sllao);
	g_assert_cmpint(m.nd.opts.sllao.form, ==, AERO_ND_LLA_VET_IPV4);
	g_assert_cmpuint(m.nd.opts.sllao.reserved, ==, 0);
	assert_ip4(&m.nd.opts.sllao.ip4, "192.0.2.1");
	g_assert_cmpuint(m.nd.opts.n_order, ==, 1);
	g_free(v);
}

static void
test_sra(void)
{
	gsize n;
	guint8 *v = tu_load_vector("scmp-sra", &n);
	static struct aero_scmp_msg m;
	const size_t ok[] = {16, 40, 48};

	g_assert_cmpuint(n, ==, 80);
	rt_scmp(v, n, ok, 3, SIZE_MAX, &m);
	g_assert_cmpuint(m.type, ==, AERO_SCMP_TYPE_SRA);
	g_assert_cmpuint(m.code, ==, 0);
	g_assert_cmphex(m.checksum, ==, 0xa143);
	g_assert_cmpuint(m.nd.ra.cur_hop_limit, ==, 64);
	g_assert_false(m.nd.ra.managed);
	g_assert_true(m.nd.ra.other);
	g_assert_false(m.nd.ra.home_agent);
	g_assert_false(m.nd.ra.proxy);
	g_assert_cmpuint(m.nd.ra.prf, ==, AERO_ND_PRF_HIGH);
	g_assert_cmpuint(m.nd.ra.reserved, ==, 0);
	g_assert_cmpuint(m.nd.ra.router_lifetime, ==, 1800);
	g_assert_cmpuint(m.nd.ra.reachable_time, ==, 30000);
	g_assert_cmpuint(m.nd.ra.retrans_timer, ==, 1000);
	g_assert_true(m.nd.opts.has_sllao);
	g_assert_cmpint(m.nd.opts.sllao.form, ==, AERO_ND_LLA_P1);
	g_assert_cmpuint(m.nd.opts.sllao.port, ==, 8060);
	g_assert_cmpuint(m.nd.opts.sllao.link_id, ==, 1);
	g_assert_cmpuint(m.nd.opts.sllao.pref, ==, 2);
	g_assert_cmpuint(m.nd.opts.sllao.reserved, ==, 0);
	assert_ip6(&m.nd.opts.sllao.addr, "::ffff:192.0.2.1");
	g_assert_true(m.nd.opts.has_mtu);
	g_assert_cmpuint(m.nd.opts.mtu, ==, 1280);
	g_assert_cmpuint(m.nd.opts.mtu_reserved, ==, 0);
	g_assert_cmpuint(m.nd.opts.n_pio, ==, 1);
	g_assert_cmpuint(m.nd.opts.pio[0].prefix_len, ==, 64);
	g_assert_false(m.nd.opts.pio[0].l);
	g_assert_true(m.nd.opts.pio[0].a);
	g_assert_false(m.nd.opts.pio[0].r);
	g_assert_true(m.nd.opts.pio[0].p); /* default mode */
	g_assert_false(m.nd.opts.pio[0].x);
	g_assert_cmpuint(m.nd.opts.pio[0].valid_lifetime, ==, 86400);
	g_assert_cmpuint(m.nd.opts.pio[0].preferred_lifetime, ==, 14400);
	assert_ip6(&m.nd.opts.pio[0].prefix, "2001:db8:1000:2000::");
	g_assert_false(m.nd.opts.has_tllao || m.nd.opts.has_rho);
	g_assert_cmpuint(m.nd.opts.n_rio + m.nd.opts.n_unknown, ==, 0);
	/* PIO-X mode */
	g_assert_cmpint(aero_wire_scmp_decode(&m, v, n, &CTX_AERO_X, true), ==, 80);
	g_assert_true(m.nd.opts.pio[0].x);
	g_assert_false(m.nd.opts.pio[0].p);
	g_free(v);
}

static void
test_sns_sna(void)
{
	gsize n;
	guint8 *v = tu_load_vector("scmp-sns", &n);
	static struct aero_scmp_msg m;
	const size_t ok[] = {24};

	g_assert_cmpuint(n, ==, 48);
	rt_scmp(v, n, ok, 1, SIZE_MAX, &m);
	g_assert_cmpuint(m.type, ==, AERO_SCMP_TYPE_SNS);
	g_assert_cmpuint(m.code, ==, 0);
	g_assert_cmphex(m.checksum, ==, 0xee07);
	g_assert_cmpuint(m.nd.reserved, ==, 0);
	assert_ip6(&m.nd.target, "fe80::2001:db8:1000:2000");
	g_assert_true(m.nd.opts.has_sllao);
	g_assert_cmpint(m.nd.opts.sllao.form, ==, AERO_ND_LLA_VET_IPV6);
	g_assert_cmpuint(m.nd.opts.sllao.port, ==, 0);
	g_assert_cmpuint(m.nd.opts.sllao.link_id, ==, 0);
	g_assert_cmpuint(m.nd.opts.sllao.pref, ==, 0);
	assert_ip6(&m.nd.opts.sllao.addr, "2001:db8::1");
	g_free(v);

	v = tu_load_vector("scmp-sna", &n);
	g_assert_cmpuint(n, ==, 32);
	rt_scmp(v, n, ok, 1, SIZE_MAX, &m);
	g_assert_cmpuint(m.type, ==, AERO_SCMP_TYPE_SNA);
	g_assert_cmpuint(m.code, ==, 0);
	g_assert_cmphex(m.checksum, ==, 0x8f85);
	g_assert_false(m.nd.na_router);
	g_assert_true(m.nd.na_solicited);
	g_assert_true(m.nd.na_override);
	g_assert_cmpuint(m.nd.reserved, ==, 0);
	assert_ip6(&m.nd.target, "fe80::2001:db8:1000:2000");
	g_assert_false(m.nd.opts.has_sllao);
	g_assert_true(m.nd.opts.has_tllao);
	g_assert_cmpint(m.nd.opts.tllao.form, ==, AERO_ND_LLA_VET_IPV4);
	assert_ip4(&m.nd.opts.tllao.ip4, "198.51.100.10");
	g_free(v);
}

static void
test_spd_v1(void)
{
	gsize n;
	guint8 *v = tu_load_vector("scmp-spd-v1", &n);
	static struct aero_scmp_msg m;

	g_assert_cmpuint(n, ==, 152);
	rt_scmp(v, n, NULL, 0, SIZE_MAX, &m);
	g_assert_cmpuint(m.type, ==, AERO_SCMP_TYPE_SPD_SRD);
	g_assert_cmpuint(m.code, ==, 0);
	g_assert_cmphex(m.checksum, ==, 0x78fd);
	g_assert_true(m.rd.p);
	g_assert_true(m.rd.v);
	g_assert_cmpuint(m.rd.reserved, ==, 0);
	assert_ip6(&m.rd.target, "fe80::5efe:c000:201");
	assert_ip6(&m.rd.dest, "fe80::2001:db8:2000:3000");
	g_assert_false(m.rd.auth.f);
	g_assert_cmpuint(m.rd.auth.key, ==, 1);
	g_assert_cmpuint(m.rd.auth.alg, ==, AERO_SCMP_AUTH_ALG_HMAC_SHA1);
	for (int i = 0; i < AERO_SCMP_ESK_LEN; i++)
		g_assert_cmpuint(m.rd.auth.esk[i], ==, i + 1);
	for (int i = 0; i < AERO_SCMP_AUTH_PAD_LEN; i++)
		g_assert_cmpuint(m.rd.auth.pad[i], ==, 0);
	g_assert_true(m.rd.opts.has_tllao);
	g_assert_cmpint(m.rd.opts.tllao.form, ==, AERO_ND_LLA_P1);
	g_assert_cmpuint(m.rd.opts.tllao.port, ==, 49152);
	g_assert_cmpuint(m.rd.opts.tllao.link_id, ==, 0);
	g_assert_cmpuint(m.rd.opts.tllao.pref, ==, 0);
	g_assert_cmpuint(m.rd.opts.tllao.reserved, ==, 0);
	assert_ip6(&m.rd.opts.tllao.addr, "::ffff:198.51.100.10");
	g_assert_cmpuint(m.rd.opts.n_rio, ==, 1);
	g_assert_cmpuint(m.rd.opts.rio[0].len_units, ==, 2);
	g_assert_cmpuint(m.rd.opts.rio[0].prefix_len, ==, 56);
	g_assert_cmpuint(m.rd.opts.rio[0].prf, ==, AERO_ND_PRF_MEDIUM);
	g_assert_cmpuint(m.rd.opts.rio[0].lifetime, ==, 40);
	assert_ip6(&m.rd.opts.rio[0].prefix, "2001:db8:1000:2000::");
	g_assert_true(m.rd.opts.has_rho);
	g_assert_true(m.rd.opts.rho == v + 112);
	assert_inner_hdr(m.rd.opts.rho, m.rd.opts.rho_len);
	g_assert_false(m.rd.opts.has_sllao || m.rd.opts.has_mtu);
	g_assert_cmpuint(m.rd.opts.n_pio + m.rd.opts.n_unknown, ==, 0);
	g_free(v);
}

static void
test_srd_v0(void)
{
	gsize n;
	guint8 *v = tu_load_vector("scmp-srd-v0", &n);
	static struct aero_scmp_msg m;

	g_assert_cmpuint(n, ==, 112);
	rt_scmp(v, n, NULL, 0, SIZE_MAX, &m);
	g_assert_cmpuint(m.type, ==, AERO_SCMP_TYPE_SPD_SRD);
	g_assert_cmphex(m.checksum, ==, 0x29fa);
	g_assert_false(m.rd.p);
	g_assert_false(m.rd.v);
	g_assert_cmpuint(m.rd.reserved, ==, 0);
	assert_ip6(&m.rd.target, "fe80::2001:db8:2000:3000");
	assert_ip6(&m.rd.dest, "fe80::2001:db8:2000:3000");
	g_assert_true(m.rd.opts.has_tllao);
	g_assert_cmpint(m.rd.opts.tllao.form, ==, AERO_ND_LLA_VET_IPV4);
	assert_ip4(&m.rd.opts.tllao.ip4, "203.0.113.7");
	g_assert_cmpuint(m.rd.opts.n_rio, ==, 1);
	g_assert_cmpuint(m.rd.opts.rio[0].prefix_len, ==, 48);
	g_assert_cmpuint(m.rd.opts.rio[0].prf, ==, AERO_ND_PRF_HIGH);
	g_assert_cmpuint(m.rd.opts.rio[0].lifetime, ==, 1800);
	assert_ip6(&m.rd.opts.rio[0].prefix, "2001:db8:2000::");
	g_assert_true(m.rd.opts.has_rho);
	assert_inner_hdr(m.rd.opts.rho, m.rd.opts.rho_len);
	g_free(v);
}

static void
test_errors_msgs(void)
{
	static const struct {
		const char *name;
		uint8_t type, code;
		uint32_t param;
		uint16_t csum;
	} t[] = {
		{"scmp-err-dest-unreach", 1, 3, 0, 0x8947},
		{"scmp-err-pkt-too-big", 2, 0, 1400, 0x82d2},
		{"scmp-err-time-exceeded", 3, 0, 0, 0x874a},
		{"scmp-err-param-problem", 4, 0, 6, 0x8644},
	};
	static struct aero_scmp_msg m;

	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		gsize n;
		guint8 *v = tu_load_vector(t[i].name, &n);
		g_assert_cmpuint(n, ==, 48);
		rt_scmp(v, n, NULL, 0, AERO_SCMP_ERROR_HDR_LEN, &m);
		g_assert_cmpuint(m.type, ==, t[i].type);
		g_assert_cmpuint(m.code, ==, t[i].code);
		g_assert_cmphex(m.checksum, ==, t[i].csum);
		g_assert_cmpuint(m.err.param, ==, t[i].param);
		g_assert_cmpuint(m.err.pkt_len, ==, 40);
		g_assert_true(m.err.pkt == v + 8);
		assert_inner_hdr(m.err.pkt, m.err.pkt_len);
		g_free(v);
	}
}

/* Decode hex with the checksum fixed up first (so the named error shows). */
static int
dec_scmp(const char *hex, bool fix_csum)
{
	gsize n;
	guint8 *v = tu_hex(hex, &n);
	static struct aero_scmp_msg m;
	int rc;

	if (fix_csum && n >= 4) {
		v[2] = v[3] = 0;
		uint16_t c = aero_wire_csum_fold(aero_wire_csum_add(0, v, n));
		v[2] = (uint8_t)(c >> 8);
		v[3] = (uint8_t)c;
	}
	rc = aero_wire_scmp_decode(&m, v, n, NULL, true);
	g_free(v);
	return rc;
}

#define Z32 "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
#define RHO "04 01 00 00 00 00 00 00"

static void
test_decode_errors(void)
{
	/* TRUNCATED */
	g_assert_cmpint(dec_scmp("85 00 00", false), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_scmp("85 00 00 00 00 00", true), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_scmp("01 00 00 00 00 00", true), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_scmp("89 00 00 00 00 00 00 00", true), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_scmp("89 00 00 00 40 00 00 00" Z32 "00 00 00 00", true), ==,
	                AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_scmp("89 00 00 00 00 00 00 00" Z32 "04 02 00 00 00 00 00 00", true),
	                ==, AERO_WIRE_E_TRUNCATED);
	/* TYPE */
	g_assert_cmpint(dec_scmp("00 00 00 00 00 00 00 00", true), ==, AERO_WIRE_E_TYPE);
	g_assert_cmpint(dec_scmp("05 00 00 00 00 00 00 00", true), ==, AERO_WIRE_E_TYPE);
	g_assert_cmpint(dec_scmp("84 00 00 00 00 00 00 00", true), ==, AERO_WIRE_E_TYPE);
	g_assert_cmpint(dec_scmp("8a 00 00 00 00 00 00 00", true), ==, AERO_WIRE_E_TYPE);
	g_assert_cmpint(dec_scmp("80 00 00 00 00 00 00 00", true), ==, AERO_WIRE_E_TYPE);
	/* FIELD: Code must be 0 for 133..137, any for errors */
	g_assert_cmpint(dec_scmp("85 01 00 00 00 00 00 00", true), ==, AERO_WIRE_E_FIELD);
	g_assert_cmpint(dec_scmp("89 07 00 00 00 00 00 00" Z32 RHO, true), ==, AERO_WIRE_E_FIELD);
	g_assert_cmpint(dec_scmp("01 07 00 00 00 00 00 00", true), ==, 8);
	g_assert_cmpint(dec_scmp("04 ff 00 00 00 00 00 00", true), ==, 8);
	/* CHECKSUM */
	g_assert_cmpint(dec_scmp("85 00 00 01 00 00 00 00", false), ==, AERO_WIRE_E_CHECKSUM);
	g_assert_cmpint(dec_scmp("02 00 12 34 00 00 05 00", false), ==, AERO_WIRE_E_CHECKSUM);
	/* MISSING: SPD/SRD without RHO */
	g_assert_cmpint(dec_scmp("89 00 00 00 80 00 00 00" Z32, true), ==, AERO_WIRE_E_MISSING);
	g_assert_cmpint(dec_scmp("89 00 00 00 40 00 00 00" Z32 "00 00 00 00 00 00 00 00"
	                         "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", true), ==,
	                AERO_WIRE_E_MISSING);
	g_assert_cmpint(dec_scmp("89 00 00 00 00 00 00 00" Z32 "18 01 00 00 00 00 00 00", true),
	                ==, AERO_WIRE_E_MISSING);
	/* option errors through SPD/SRD and SRS..SNA */
	g_assert_cmpint(dec_scmp("89 00 00 00 00 00 00 00" Z32 "04 00 00 00 00 00 00 00", true),
	                ==, AERO_WIRE_E_BADLEN);
	g_assert_cmpint(dec_scmp("89 00 00 00 00 00 00 00" Z32 RHO RHO, true), ==,
	                AERO_WIRE_E_DUPLICATE);
	g_assert_cmpint(dec_scmp("85 00 00 00 00 00 00 00 05 03 00 00 00 00 00 00"
	                         "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", true), ==,
	                AERO_WIRE_E_BADLEN);
	{
		/* TOOMANY: 17 unknown options in an SRD */
		GString *s = g_string_new("89 00 00 00 00 00 00 00" Z32 RHO);
		for (int i = 0; i < 17; i++)
			g_string_append(s, "c8 01 00 00 00 00 00 00");
		g_assert_cmpint(dec_scmp(s->str, true), ==, AERO_WIRE_E_TOOMANY);
		g_string_free(s, TRUE);
	}
}

static void
test_encode_errors(void)
{
	static struct aero_scmp_msg m, base;
	uint8_t out[512];
	const uint8_t pkt[8] = {0x60};

	memset(&base, 0, sizeof base);
	base.type = AERO_SCMP_TYPE_SPD_SRD;
	base.rd.opts.has_rho = true;
	g_assert_cmpint(aero_wire_scmp_encode(out, sizeof out, &base), ==, 48);
#define EXPECT_INVAL(stmt) do { m = base; stmt; \
	g_assert_cmpint(aero_wire_scmp_encode(out, sizeof out, &m), ==, AERO_WIRE_E_INVAL); \
	} while (0)
	EXPECT_INVAL(m.type = 5);
	EXPECT_INVAL(m.type = 0);
	EXPECT_INVAL(m.type = 138);
	EXPECT_INVAL(m.code = 1);
	EXPECT_INVAL(m.rd.opts.has_rho = false);
	EXPECT_INVAL(m.rd.reserved = 0x40000000u);
	EXPECT_INVAL((m.rd.v = true, m.rd.auth.key = 4));
	EXPECT_INVAL((m.rd.v = true, m.rd.auth.alg = 32));
	EXPECT_INVAL((m.rd.opts.n_rio = 1, m.rd.opts.rio[0].prf = 9));
	/* SRS..SNA: nd.type must match, Code 0, ND-level checks apply */
	memset(&base, 0, sizeof base);
	base.type = AERO_SCMP_TYPE_SRA;
	base.nd.type = AERO_ND_TYPE_RA;
	g_assert_cmpint(aero_wire_scmp_encode(out, sizeof out, &base), ==, 16);
	EXPECT_INVAL(m.nd.type = AERO_ND_TYPE_RS);
	EXPECT_INVAL(m.code = 1);
	EXPECT_INVAL(m.nd.ra.prf = 5);
	m = base;
	g_assert_cmpint(aero_wire_scmp_encode(out, 15, &m), ==, AERO_WIRE_E_NOBUF);
	/* errors: a NULL packet with a length */
	memset(&base, 0, sizeof base);
	base.type = AERO_SCMP_TYPE_PKT_TOO_BIG;
	base.err.pkt = pkt;
	base.err.pkt_len = sizeof pkt;
	g_assert_cmpint(aero_wire_scmp_encode(out, sizeof out, &base), ==, 16);
	EXPECT_INVAL(m.err.pkt = NULL);
	EXPECT_INVAL(m.err.pkt_len = (size_t)INT32_MAX);
	/* an empty packet in error is fine */
	m = base;
	m.err.pkt = NULL;
	m.err.pkt_len = 0;
	g_assert_cmpint(aero_wire_scmp_encode(out, sizeof out, &m), ==, 8);
	g_assert_cmpint(aero_wire_scmp_decode(&m, out, 8, NULL, true), ==, 8);
#undef EXPECT_INVAL
}

/* Fuzzer find: a message whose checksum field is 0xffff (ones'-complement
 * negative zero) must re-encode byte-identically. */
static void
test_checksum_negative_zero(void)
{
	gsize n;
	guint8 *v = tu_hex("02 ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff"
	                   "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff 00"
	                   "fd ff ff ff", &n);
	static struct aero_scmp_msg m;
	uint8_t out[64];

	g_assert_cmpint(aero_wire_scmp_decode(&m, v, n, NULL, true), ==, 36);
	g_assert_cmphex(m.checksum, ==, 0xffff);
	g_assert_cmpuint(m.code, ==, 0xff);
	g_assert_cmpuint(m.err.param, ==, 0xffffffffu);
	g_assert_cmpint(aero_wire_scmp_encode(out, sizeof out, &m), ==, 36);
	tu_assert_bytes(out, 36, v, n);
	m.checksum = 0;
	g_assert_cmpint(aero_wire_scmp_encode(out, sizeof out, &m), ==, 36);
	g_assert_cmphex(out[2] | out[3], ==, 0);
	g_assert_cmpint(aero_wire_scmp_decode(&m, out, 36, NULL, true), ==, 36);
	g_free(v);
}

static void
test_names(void)
{
	g_assert_cmpstr(aero_wire_scmp_type_name(1), ==, "dest-unreachable");
	g_assert_cmpstr(aero_wire_scmp_type_name(2), ==, "packet-too-big");
	g_assert_cmpstr(aero_wire_scmp_type_name(3), ==, "time-exceeded");
	g_assert_cmpstr(aero_wire_scmp_type_name(4), ==, "parameter-problem");
	g_assert_cmpstr(aero_wire_scmp_type_name(133), ==, "SRS");
	g_assert_cmpstr(aero_wire_scmp_type_name(134), ==, "SRA");
	g_assert_cmpstr(aero_wire_scmp_type_name(135), ==, "SNS");
	g_assert_cmpstr(aero_wire_scmp_type_name(136), ==, "SNA");
	g_assert_cmpstr(aero_wire_scmp_type_name(137), ==, "SPD/SRD");
	g_assert_cmpstr(aero_wire_scmp_type_name(0), ==, "unknown");
}

static void
test_random_roundtrip(void)
{
	static const uint8_t types[9] = {1, 2, 3, 4, 133, 134, 135, 136, 137};
	GRand *r = tu_rand();
	static struct rpool pool;
	static uint8_t b1[BUFCAP], b2[BUFCAP];
	static struct aero_scmp_msg m, d;

	for (int it = 0; it < 9 * 500; it++) {
		struct aero_nd_ctx ctx = {AERO_ND_LINK_AERO,
		                          g_rand_boolean(r) ? AERO_PIO_MODE_PIO_X : AERO_PIO_MODE_RFC9762_P};
		uint8_t t = types[it % 9];
		int n1, n2;

		pool.used = 0;
		memset(&m, 0, sizeof m);
		m.type = t;
		if (t <= AERO_SCMP_TYPE_PARAM_PROB) {
			m.code = (uint8_t)rbits(r, 8);
			m.err.param = g_rand_int(r);
			m.err.pkt_len = (size_t)g_rand_int_range(r, 0, 200);
			m.err.pkt = rp_bytes(&pool, r, m.err.pkt_len);
		} else if (t == AERO_SCMP_TYPE_SPD_SRD) {
			m.rd.p = g_rand_boolean(r);
			m.rd.v = g_rand_boolean(r);
			m.rd.reserved = rres(r, AERO_SCMP_RD_RESERVED);
			tu_rand_bytes(r, m.rd.target.b, 16);
			tu_rand_bytes(r, m.rd.dest.b, 16);
			if (m.rd.v) {
				m.rd.auth.f = g_rand_boolean(r);
				m.rd.auth.key = (uint8_t)rbits(r, 2);
				m.rd.auth.alg = (uint8_t)rbits(r, 5);
				tu_rand_bytes(r, m.rd.auth.esk, AERO_SCMP_ESK_LEN);
				if (g_rand_int_range(r, 0, 4) == 0)
					tu_rand_bytes(r, m.rd.auth.pad, AERO_SCMP_AUTH_PAD_LEN);
			}
			rand_opts(r, &m.rd.opts, &ctx,
			          it % 2 ? (RK_SLLAO | RK_TLLAO | RK_RIO | RK_RHO) : RK_ALL,
			          true, &pool);
		} else {
			rand_nd_msg(r, &m.nd, t, &ctx, &pool);
		}
		n1 = aero_wire_scmp_encode(b1, sizeof b1, &m);
		g_assert_cmpint(n1, >=, 8);
		g_assert_cmpint(aero_wire_scmp_decode(&d, b1, (size_t)n1, &ctx, true), ==, n1);
		assert_scmp_equal(&m, &d);
		n2 = aero_wire_scmp_encode(b2, sizeof b2, &d);
		g_assert_cmpint(n2, ==, n1);
		tu_assert_bytes(b2, (size_t)n2, b1, (size_t)n1);
		if (it < 45)
			assert_nobuf_all(enc_scmp, &m, (size_t)n1);
	}
	g_rand_free(r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wire/scmp/srs", test_srs);
	g_test_add_func("/wire/scmp/sra", test_sra);
	g_test_add_func("/wire/scmp/sns-sna", test_sns_sna);
	g_test_add_func("/wire/scmp/spd-v1", test_spd_v1);
	g_test_add_func("/wire/scmp/srd-v0", test_srd_v0);
	g_test_add_func("/wire/scmp/errors-1-4", test_errors_msgs);
	g_test_add_func("/wire/scmp/decode-errors", test_decode_errors);
	g_test_add_func("/wire/scmp/encode-errors", test_encode_errors);
	g_test_add_func("/wire/scmp/names", test_names);
	g_test_add_func("/wire/scmp/checksum-negative-zero", test_checksum_negative_zero);
	g_test_add_func("/wire/scmp/random-roundtrip", test_random_roundtrip);
	return g_test_run();
}
