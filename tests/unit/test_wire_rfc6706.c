/* RFC 6706 Predirect / Redirect body (core/src/wire/rfc6706.c). */
#define ND_HELPERS_ONLY
#include "test_wire_nd.c"

static int
enc_6706(uint8_t *buf, size_t cap, const void *in)
{
	return aero_wire_rfc6706_encode(buf, cap, in);
}

static void
assert_6706_equal(const struct aero_rfc6706_msg *a, const struct aero_rfc6706_msg *b)
{
	g_assert_cmpint(a->p, ==, b->p);
	g_assert_cmpuint(a->reserved, ==, b->reserved);
	tu_assert_bytes(a->target.b, 16, b->target.b, 16);
	tu_assert_bytes(a->dest.b, 16, b->dest.b, 16);
	assert_opts_equal(&a->opts, &b->opts);
}

/* Decode, re-encode identically, NOBUF at every cap, every truncation fails
 * (the RHO is mandatory and comes last, so no shorter prefix is valid). */
static void
rt_6706(const uint8_t *v, size_t n, struct aero_rfc6706_msg *m)
{
	static uint8_t out[BUFCAP];
	struct aero_rfc6706_msg t;

	for (int mode = 0; mode < 2; mode++) {
		struct aero_nd_ctx c = {AERO_ND_LINK_ETHERNET,
		                        mode ? AERO_PIO_MODE_PIO_X : AERO_PIO_MODE_RFC9762_P};
		g_assert_cmpint(aero_wire_rfc6706_decode(m, v, n, mode ? &c : NULL), ==, (int)n);
	}
	g_assert_cmpint(aero_wire_rfc6706_encode(out, sizeof out, m), ==, (int)n);
	tu_assert_bytes(out, n, v, n);
	assert_nobuf_all(enc_6706, m, n);
	for (size_t len = 0; len < n; len++)
		g_assert_cmpint(aero_wire_rfc6706_decode(&t, v, len, NULL), <, 0);
}

static void
test_tv8_predirect(void)
{
	gsize n;
	guint8 *v = tu_load_vector("rfc6706-tv8-predirect", &n);
	struct aero_rfc6706_msg m;

	g_assert_cmpuint(n, ==, 104);
	rt_6706(v, n, &m);
	g_assert_true(m.p);
	g_assert_cmpuint(m.reserved, ==, 0);
	assert_ip6(&m.target, "fe80::5efe:c000:201");
	assert_ip6(&m.dest, "fe80::5efe:c000:201");
	g_assert_false(m.opts.has_sllao);
	g_assert_false(m.opts.has_tllao);
	g_assert_false(m.opts.has_mtu);
	g_assert_cmpuint(m.opts.n_pio, ==, 0);
	g_assert_cmpuint(m.opts.n_unknown, ==, 0);
	g_assert_cmpuint(m.opts.n_rio, ==, 1);
	g_assert_cmpuint(m.opts.rio[0].len_units, ==, 2);
	g_assert_cmpuint(m.opts.rio[0].prefix_len, ==, 56);
	g_assert_cmpuint(m.opts.rio[0].prf, ==, AERO_ND_PRF_MEDIUM);
	g_assert_cmpuint(m.opts.rio[0].reserved, ==, 0);
	g_assert_cmpuint(m.opts.rio[0].lifetime, ==, 40);
	assert_ip6(&m.opts.rio[0].prefix, "2001:db8:1000:2000::");
	g_assert_true(m.opts.has_rho);
	g_assert_cmpuint(m.opts.rho_len, ==, 40);
	g_assert_true(m.opts.rho == v + 64);
	assert_inner_hdr(m.opts.rho, m.opts.rho_len);
	/* Encode order RIO, RHO is the canonical one (TV8 reproduces). */
	g_assert_cmpuint(m.opts.n_order, ==, 2);
	m.opts.n_order = 0;
	{
		uint8_t out[128];
		g_assert_cmpint(aero_wire_rfc6706_encode(out, sizeof out, &m), ==, 104);
		tu_assert_bytes(out, 104, v, 104);
	}
	g_free(v);
}

static void
test_keepalive_and_null(void)
{
	gsize n;
	guint8 *v = tu_load_vector("rfc6706-keepalive-predirect", &n);
	struct aero_rfc6706_msg m;

	g_assert_cmpuint(n, ==, 88);
	rt_6706(v, n, &m);
	g_assert_true(m.p);
	g_assert_cmpuint(m.reserved, ==, 0);
	assert_ip6(&m.target, "fe80::2001:db8:1000:2000");
	assert_ip6(&m.dest, "fe80::2001:db8:1000:2000");
	g_assert_false(m.opts.has_tllao);
	g_assert_cmpuint(m.opts.n_rio, ==, 0);
	g_assert_true(m.opts.has_rho);
	assert_inner_hdr(m.opts.rho, m.opts.rho_len);
	g_assert_cmpuint(m.opts.n_order, ==, 1);
	g_free(v);

	v = tu_load_vector("rfc6706-null-redirect", &n);
	g_assert_cmpuint(n, ==, 88);
	rt_6706(v, n, &m);
	g_assert_false(m.p);
	g_assert_cmpuint(m.reserved, ==, 0);
	assert_ip6(&m.target, "::");
	assert_ip6(&m.dest, "::");
	g_assert_false(m.opts.has_tllao);
	g_assert_cmpuint(m.opts.n_rio, ==, 0);
	g_assert_true(m.opts.has_rho);
	assert_inner_hdr(m.opts.rho, m.opts.rho_len);
	g_free(v);
}

/* Redirect D->A (6.4.7) with a P1 TLLAO: the AERO link forms apply. */
static void
test_redirect_tllao(void)
{
	gsize n;
	guint8 *v = tu_hex(
	    "00 00 00 00 00 00 00 00"
	    "fe 80 00 00 00 00 00 00 20 01 0d b8 20 00 30 00"
	    "fe 80 00 00 00 00 00 00 20 01 0d b8 20 00 30 00"
	    "02 03 c0 00 00 00 00 00 00 00 00 00 00 00 00 00"
	    "00 00 ff ff cb 00 71 07"                          /* TLLAO P1 */
	    "18 02 30 00 00 00 00 28 20 01 0d b8 20 00 00 00"  /* RIO /48 */
	    "04 01 00 00 00 00 00 00",                         /* RHO, empty */
	    &n);
	struct aero_rfc6706_msg m;

	rt_6706(v, n, &m);
	g_assert_false(m.p);
	assert_ip6(&m.target, "fe80::2001:db8:2000:3000");
	g_assert_true(m.opts.has_tllao);
	g_assert_cmpint(m.opts.tllao.form, ==, AERO_ND_LLA_P1);
	g_assert_cmpuint(m.opts.tllao.port, ==, 49152);
	assert_ip6(&m.opts.tllao.addr, "::ffff:203.0.113.7");
	g_assert_cmpuint(m.opts.n_rio, ==, 1);
	g_assert_cmpuint(m.opts.rio[0].prefix_len, ==, 48);
	g_assert_true(m.opts.has_rho);
	g_assert_cmpuint(m.opts.rho_len, ==, 0);
	g_free(v);
}

static int
dec6706(const char *hex)
{
	gsize n;
	guint8 *v = tu_hex(hex, &n);
	struct aero_rfc6706_msg m;
	int rc = aero_wire_rfc6706_decode(&m, v, n, NULL);

	g_free(v);
	return rc;
}

#define ZERO32 "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
               "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"

static void
test_errors(void)
{
	static struct aero_rfc6706_msg m;
	uint8_t out[256];

	g_assert_cmpint(dec6706("00 00 00"), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec6706("00 00 00 00 80 00 00 00"), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec6706("01 00 00 00 00 00 00 00" ZERO32 "04 01 00 00 00 00 00 00"), ==,
	                AERO_WIRE_E_TYPE);
	g_assert_cmpint(dec6706("89 00 00 00 00 00 00 00" ZERO32 "04 01 00 00 00 00 00 00"), ==,
	                AERO_WIRE_E_TYPE);
	g_assert_cmpint(dec6706("00 01 00 00 00 00 00 00" ZERO32 "04 01 00 00 00 00 00 00"), ==,
	                AERO_WIRE_E_FIELD);
	g_assert_cmpint(dec6706("00 00 00 01 00 00 00 00" ZERO32 "04 01 00 00 00 00 00 00"), ==,
	                AERO_WIRE_E_FIELD);
	g_assert_cmpint(dec6706("00 00 ff 00 00 00 00 00" ZERO32 "04 01 00 00 00 00 00 00"), ==,
	                AERO_WIRE_E_FIELD);
	g_assert_cmpint(dec6706("00 00 00 00 00 00 00 00" ZERO32), ==, AERO_WIRE_E_MISSING);
	g_assert_cmpint(dec6706("00 00 00 00 00 00 00 00" ZERO32 "02 01 00 00 01 02 03 04"), ==,
	                AERO_WIRE_E_MISSING);
	g_assert_cmpint(dec6706("00 00 00 00 00 00 00 00" ZERO32 "04 00 00 00 00 00 00 00"), ==,
	                AERO_WIRE_E_BADLEN);
	g_assert_cmpint(dec6706("00 00 00 00 00 00 00 00" ZERO32 "04 02 00 00 00 00 00 00"), ==,
	                AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec6706("00 00 00 00 00 00 00 00" ZERO32
	                        "04 01 00 00 00 00 00 00 04 01 00 00 00 00 00 00"), ==,
	                AERO_WIRE_E_DUPLICATE);
	/* reserved bits are kept */
	g_assert_cmpint(dec6706("00 00 00 00 7f ff ff ff" ZERO32 "04 01 00 00 00 00 00 00"), ==, 48);
	/* encoder */
	memset(&m, 0, sizeof m);
	g_assert_cmpint(aero_wire_rfc6706_encode(out, sizeof out, &m), ==, AERO_WIRE_E_INVAL);
	m.opts.has_rho = true;
	g_assert_cmpint(aero_wire_rfc6706_encode(out, sizeof out, &m), ==, 48);
	m.reserved = 0x80000000u;
	g_assert_cmpint(aero_wire_rfc6706_encode(out, sizeof out, &m), ==, AERO_WIRE_E_INVAL);
	m.reserved = 0;
	m.opts.n_rio = 1;
	m.opts.rio[0].prf = 7;
	g_assert_cmpint(aero_wire_rfc6706_encode(out, sizeof out, &m), ==, AERO_WIRE_E_INVAL);
}

static void
test_random_roundtrip(void)
{
	GRand *r = tu_rand();
	static struct rpool pool;
	static uint8_t b1[BUFCAP], b2[BUFCAP];
	static struct aero_rfc6706_msg m, d;
	int n1, n2;

	for (int it = 0; it < 1000; it++) {
		struct aero_nd_ctx ctx = {AERO_ND_LINK_AERO,
		                          g_rand_boolean(r) ? AERO_PIO_MODE_PIO_X : AERO_PIO_MODE_RFC9762_P};
		pool.used = 0;
		memset(&m, 0, sizeof m);
		m.p = g_rand_boolean(r);
		m.reserved = rres(r, AERO_RFC6706_RESERVED);
		tu_rand_bytes(r, m.target.b, 16);
		if (g_rand_boolean(r))
			memset(m.target.b, 0, 16); /* NULL */
		tu_rand_bytes(r, m.dest.b, 16);
		/* mostly the RFC 6706 set (TLLAO, RIO, RHO), sometimes anything */
		rand_opts(r, &m.opts, &ctx,
		          it % 4 ? (RK_TLLAO | RK_RIO | RK_RHO) : RK_ALL, true, &pool);
		n1 = aero_wire_rfc6706_encode(b1, sizeof b1, &m);
		g_assert_cmpint(n1, >=, 48);
		g_assert_cmpint(aero_wire_rfc6706_decode(&d, b1, (size_t)n1, &ctx), ==, n1);
		assert_6706_equal(&m, &d);
		n2 = aero_wire_rfc6706_encode(b2, sizeof b2, &d);
		g_assert_cmpint(n2, ==, n1);
		tu_assert_bytes(b2, (size_t)n2, b1, (size_t)n1);
		if (it < 20)
			assert_nobuf_all(enc_6706, &m, (size_t)n1);
	}
	g_rand_free(r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wire/rfc6706/tv8-predirect", test_tv8_predirect);
	g_test_add_func("/wire/rfc6706/keepalive-and-null-redirect", test_keepalive_and_null);
	g_test_add_func("/wire/rfc6706/redirect-p1-tllao", test_redirect_tllao);
	g_test_add_func("/wire/rfc6706/errors", test_errors);
	g_test_add_func("/wire/rfc6706/random-roundtrip", test_random_roundtrip);
	return g_test_run();
}
