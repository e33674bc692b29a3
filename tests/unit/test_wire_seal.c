/* SEAL v1, the P2 shim with ICV, and the anti-replay window
 * (core/src/wire/seal.c). */
#include "testutil.h"
#include "aero/wire_seal.h"

#include <string.h>

static const uint8_t key0b[AERO_SEAL_KEY_LEN] = {
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
};

/* ---- SEAL v1 (TV13) ------------------------------------------------------ */

static void
check_v1(const char *name, bool a, bool r, bool m, uint8_t seg)
{
	gsize n;
	guint8 *p = tu_load_vector(name, &n);
	struct aero_seal1 h;
	uint8_t out[8], big[16];

	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpint(aero_wire_seal1_decode(&h, p, n), ==, 4);
	g_assert_cmphex(h.id_ext, ==, 0x1234);
	g_assert_cmpint(h.a, ==, a);
	g_assert_cmpint(h.r, ==, r);
	g_assert_cmpint(h.m, ==, m);
	g_assert_cmpuint(h.rsv, ==, 0);
	g_assert_cmpuint(h.seg, ==, seg);
	g_assert_cmpuint(h.next_header, ==, 41);
	g_assert_true(h.payload == p + 4);
	g_assert_cmpuint(h.payload_len, ==, 0);
	g_assert_cmpint(aero_wire_seal1_encode(out, sizeof out, &h), ==, 4);
	tu_assert_bytes(out, 4, p, n);
	for (gsize k = 0; k < n; k++)
		g_assert_cmpint(aero_wire_seal1_decode(&h, p, k), ==,
		                AERO_WIRE_E_TRUNCATED);
	for (size_t cap = 0; cap < 4; cap++)
		g_assert_cmpint(aero_wire_seal1_encode(out, cap, &h), ==,
		                AERO_WIRE_E_NOBUF);
	/* payload = rest of the buffer; re-encoded with it */
	memcpy(big, p, 4);
	memcpy(big + 4, "\x60\x00\x00\x00", 4);
	g_assert_cmpint(aero_wire_seal1_decode(&h, big, 8), ==, 4);
	g_assert_cmpuint(h.payload_len, ==, 4);
	memset(out, 0, sizeof out);
	g_assert_cmpint(aero_wire_seal1_encode(out, sizeof out, &h), ==, 8);
	tu_assert_bytes(out, 8, big, 8);
	g_assert_cmpint(aero_wire_seal1_encode(out, 7, &h), ==, AERO_WIRE_E_NOBUF);
	g_free(p);
}

static void
test_v1_ack(void)
{
	check_v1("seal-v1-tv13-ack", true, false, false, 0);
}

static void
test_v1_seg2(void)
{
	check_v1("seal-v1-tv13-seg2", false, true, true, 2);
}

static void
test_v1_fields(void)
{
	struct aero_seal1 h = {.id_ext = 0xffff, .a = true, .r = true, .m = true,
	                       .rsv = 3, .seg = 7, .next_header = 59};
	uint8_t out[4];

	g_assert_cmpint(aero_wire_seal1_encode(out, 4, &h), ==, 4);
	g_assert_cmpmem(out, 4, "\xff\xff\xff\x3b", 4);
	h.rsv = 4;
	g_assert_cmpint(aero_wire_seal1_encode(out, 4, &h), ==, AERO_WIRE_E_INVAL);
	h.rsv = 0;
	h.seg = 8;
	g_assert_cmpint(aero_wire_seal1_encode(out, 4, &h), ==, AERO_WIRE_E_INVAL);
	/* every header byte value decodes and re-encodes */
	for (unsigned b = 0; b < 256; b++) {
		uint8_t in[4] = {0xab, 0xcd, (uint8_t)b, 0x04};
		struct aero_seal1 d;

		g_assert_cmpint(aero_wire_seal1_decode(&d, in, 4), ==, 4);
		g_assert_cmpint(aero_wire_seal1_encode(out, 4, &d), ==, 4);
		tu_assert_bytes(out, 4, in, 4);
	}
}

/* ---- HMAC-SHA1-80 (TV9 = RFC 2202 test case 1) --------------------------- */

static void
test_hmac_tv9(void)
{
	uint8_t out[AERO_SEAL_ICV_LEN];
	const uint8_t exp[AERO_SEAL_ICV_LEN] = {
		0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b};

	aero_wire_hmac_sha1_80(out, key0b, sizeof key0b,
	                       (const uint8_t *)"Hi There", 8, NULL, 0);
	tu_assert_bytes(out, sizeof out, exp, sizeof exp);
	/* the same message in two chunks */
	aero_wire_hmac_sha1_80(out, key0b, sizeof key0b,
	                       (const uint8_t *)"Hi T", 4,
	                       (const uint8_t *)"here", 4);
	tu_assert_bytes(out, sizeof out, exp, sizeof exp);
	/* RFC 2202 test case 2: key "Jefe" (4 bytes: any key length works) */
	const uint8_t exp2[AERO_SEAL_ICV_LEN] = {
		0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74};
	const char *d2 = "what do ya want for nothing?";
	aero_wire_hmac_sha1_80(out, (const uint8_t *)"Jefe", 4,
	                       (const uint8_t *)d2, strlen(d2), NULL, 0);
	tu_assert_bytes(out, sizeof out, exp2, sizeof exp2);
	/* NULL key is an empty key: HMAC-SHA1("", "") = fbdb1d1b18aa6c08... */
	const uint8_t exp3[4] = {0xfb, 0xdb, 0x1d, 0x1b};
	aero_wire_hmac_sha1_80(out, NULL, 0, NULL, 0, NULL, 0);
	tu_assert_bytes(out, 4, exp3, 4);
}

/* ---- P2 without ICV ------------------------------------------------------- */

static void
test_p2_noicv(void)
{
	gsize n;
	guint8 *p = tu_load_vector("seal-p2-noicv", &n);
	struct aero_seal s;
	uint8_t out[32];

	g_assert_cmpuint(n, ==, 12);
	g_assert_cmpint(aero_wire_seal_decode(&s, p, n, NULL, 0), ==, 8);
	g_assert_cmpuint(s.next_header, ==, AERO_SEAL_NH_IPV6);
	g_assert_cmpuint(s.version, ==, 1);
	g_assert_false(s.c);
	g_assert_false(s.a);
	g_assert_true(s.r);
	g_assert_false(s.i);
	g_assert_cmpuint(s.rsv_bits, ==, 0);
	g_assert_cmpuint(s.link_id, ==, 7);
	g_assert_cmpuint(s.rsv, ==, 0);
	g_assert_cmphex(s.id, ==, 0x01020304);
	g_assert_false(s.icv_f);
	g_assert_cmpuint(s.icv_key, ==, 0);
	g_assert_cmpuint(s.icv_alg, ==, 0);
	g_assert_cmpuint(s.pad, ==, 0);
	g_assert_true(s.payload == p + 8);
	g_assert_cmpuint(s.payload_len, ==, 4);
	g_assert_cmpuint(aero_wire_seal_hdr_len(&s), ==, 8);
	/* a key does not matter without I (policy is the caller's) */
	g_assert_cmpint(aero_wire_seal_decode(&s, p, n, key0b, 20), ==, 8);
	g_assert_cmpint(aero_wire_seal_verify(p, n, key0b, 20), ==,
	                AERO_WIRE_E_MISSING);

	g_assert_cmpint(aero_wire_seal_encode(out, sizeof out, &s, NULL, 0), ==, 12);
	tu_assert_bytes(out, 12, p, n);
	g_assert_cmpint(aero_wire_seal_encode(out, sizeof out, &s, key0b, 20), ==,
	                12);
	tu_assert_bytes(out, 12, p, n);

	/* truncation: < 8 fails; 8..11 is a valid header with a shorter
	 * payload (SEAL carries no length: the UDP length delimits it) */
	for (gsize k = 0; k < n; k++) {
		int rc = aero_wire_seal_decode(&s, p, k, NULL, 0);
		if (k < 8) {
			g_assert_cmpint(rc, ==, AERO_WIRE_E_TRUNCATED);
		} else {
			g_assert_cmpint(rc, ==, 8);
			g_assert_cmpuint(s.payload_len, ==, k - 8);
		}
	}
	g_assert_cmpint(aero_wire_seal_decode(&s, p, n, NULL, 0), ==, 8);
	for (size_t cap = 0; cap < 12; cap++)
		g_assert_cmpint(aero_wire_seal_encode(out, cap, &s, NULL, 0), ==,
		                AERO_WIRE_E_NOBUF);
	g_free(p);
}

/* ---- P2 with ICV ---------------------------------------------------------- */

static void
test_p2_icv(void)
{
	gsize n;
	guint8 *p = tu_load_vector("seal-p2-icv", &n);
	struct aero_seal s;
	uint8_t out[64], q[64];
	const uint8_t icv[AERO_SEAL_ICV_LEN] = {
		0x8c, 0x1e, 0xf1, 0x09, 0x01, 0x80, 0x05, 0x7d, 0xf8, 0xbb};

	g_assert_cmpuint(n, ==, 28);
	g_assert_cmpint(aero_wire_seal_decode(&s, p, n, key0b, sizeof key0b), ==,
	                20);
	g_assert_cmpuint(s.next_header, ==, AERO_SEAL_NH_SCMP);
	g_assert_cmpuint(s.version, ==, AERO_SEAL_VERSION);
	g_assert_true(s.c);
	g_assert_true(s.a);
	g_assert_false(s.r);
	g_assert_true(s.i);
	g_assert_cmpuint(s.rsv_bits, ==, 0);
	g_assert_cmpuint(s.link_id, ==, 3);
	g_assert_cmpuint(s.rsv, ==, 0);
	g_assert_cmphex(s.id, ==, 0xfffffffe);
	g_assert_false(s.icv_f);
	g_assert_cmpuint(s.icv_key, ==, 1);
	g_assert_cmpuint(s.icv_alg, ==, AERO_SEAL_ALG_HMAC_SHA1);
	tu_assert_bytes(s.icv, sizeof s.icv, icv, sizeof icv);
	g_assert_cmpuint(s.pad, ==, 0);
	g_assert_true(s.payload == p + 20);
	g_assert_cmpuint(s.payload_len, ==, 8);
	g_assert_cmpuint(aero_wire_seal_hdr_len(&s), ==, 20);
	g_assert_cmpint(aero_wire_seal_verify(p, n, key0b, sizeof key0b), ==, 0);
	/* decode without a key: fields only, no verification */
	g_assert_cmpint(aero_wire_seal_decode(&s, p, n, NULL, 0), ==, 20);

	/* encode with the key computes the same ICV; without, copies it */
	memset(out, 0xee, sizeof out);
	g_assert_cmpint(aero_wire_seal_encode(out, sizeof out, &s, key0b, 20), ==,
	                28);
	tu_assert_bytes(out, 28, p, n);
	g_assert_cmpuint(out[28], ==, 0xee);
	memset(out, 0, sizeof out);
	g_assert_cmpint(aero_wire_seal_encode(out, sizeof out, &s, NULL, 0), ==, 28);
	tu_assert_bytes(out, 28, p, n);

	/* headroom style: SCMP payload already in place at out + 20 */
	struct aero_seal h = s;
	memset(out, 0, sizeof out);
	memcpy(out + 20, p + 20, 8);
	h.payload = NULL;
	memset(h.icv, 0, sizeof h.icv);
	g_assert_cmpint(aero_wire_seal_encode(out, 28, &h, key0b, 20), ==, 28);
	tu_assert_bytes(out, 28, p, n);

	/* aero_wire_seal_icv on the raw header ignores the ICV bytes */
	uint8_t c[AERO_SEAL_ICV_LEN];
	aero_wire_seal_icv(c, p, p + 20, 8, key0b, 20);
	tu_assert_bytes(c, sizeof c, icv, sizeof icv);

	/* any change to header, ICV or payload fails; a wrong key fails */
	for (gsize i = 0; i < n; i++) {
		memcpy(q, p, n);
		q[i] ^= 0x01;
		int rc = aero_wire_seal_verify(q, n, key0b, 20);
		if (i == 8)       /* Algorithm 1 */
			g_assert_cmpint(rc, ==, AERO_WIRE_E_FIELD);
		else
			g_assert_cmpint(rc, ==, AERO_WIRE_E_ICV);
		rc = aero_wire_seal_decode(&s, q, n, key0b, 20);
		g_assert_cmpint(rc, ==, i == 8 ? AERO_WIRE_E_FIELD : AERO_WIRE_E_ICV);
	}
	uint8_t k2[20];
	memcpy(k2, key0b, 20);
	k2[19] ^= 0x80;
	g_assert_cmpint(aero_wire_seal_verify(p, n, k2, 20), ==, AERO_WIRE_E_ICV);
	g_assert_cmpint(aero_wire_seal_verify(p, n, key0b, 19), ==, AERO_WIRE_E_ICV);
	g_assert_cmpint(aero_wire_seal_decode(&s, p, n, k2, 20), ==, AERO_WIRE_E_ICV);

	/* truncation: < 20 fails; 20..27 decodes without a key (shorter
	 * payload) and fails the ICV with it */
	for (gsize k = 0; k < n; k++) {
		if (k < 20) {
			g_assert_cmpint(aero_wire_seal_decode(&s, p, k, NULL, 0), ==,
			                AERO_WIRE_E_TRUNCATED);
			g_assert_cmpint(aero_wire_seal_verify(p, k, key0b, 20), ==,
			                AERO_WIRE_E_TRUNCATED);
		} else {
			g_assert_cmpint(aero_wire_seal_decode(&s, p, k, NULL, 0), ==, 20);
			g_assert_cmpuint(s.payload_len, ==, k - 20);
			g_assert_cmpint(aero_wire_seal_decode(&s, p, k, key0b, 20), ==,
			                AERO_WIRE_E_ICV);
		}
		g_assert_cmpint(aero_wire_seal_decode(&s, p, k, key0b, 20), <, 0);
	}
	g_assert_cmpint(aero_wire_seal_decode(&s, p, n, NULL, 0), ==, 20);
	for (size_t cap = 0; cap < n; cap++) {
		memset(out, 0x5a, sizeof out);
		g_assert_cmpint(aero_wire_seal_encode(out, cap, &s, key0b, 20), ==,
		                AERO_WIRE_E_NOBUF);
		g_assert_cmpuint(out[0], ==, 0x5a);
	}
	g_free(p);
}

/* Key of another length than AERO_SEAL_KEY_LEN (the caller's choice). */
static void
test_p2_keylen(void)
{
	uint8_t key[32], buf[64];
	struct aero_seal s = {.next_header = 41, .i = true, .id = 7};

	memset(key, 0x42, sizeof key);
	memcpy(buf + 20, "payload", 7);
	s.payload_len = 7;
	g_assert_cmpint(aero_wire_seal_encode(buf, sizeof buf, &s, key, 32), ==, 27);
	g_assert_cmpint(aero_wire_seal_verify(buf, 27, key, 32), ==, 0);
	g_assert_cmpint(aero_wire_seal_verify(buf, 27, key, 20), ==, AERO_WIRE_E_ICV);
}

static void
test_p2_errors(void)
{
	gsize n;
	guint8 *p = tu_load_vector("seal-p2-icv", &n);
	uint8_t q[64];
	struct aero_seal s;

	/* VER must be 1 */
	for (unsigned v = 0; v < 4; v++) {
		if (v == 1)
			continue;
		memcpy(q, p, n);
		q[1] = (uint8_t)((q[1] & 0x3f) | v << 6);
		g_assert_cmpint(aero_wire_seal_decode(&s, q, n, NULL, 0), ==,
		                AERO_WIRE_E_VERSION);
		g_assert_cmpint(aero_wire_seal_verify(q, n, key0b, 20), ==,
		                AERO_WIRE_E_VERSION);
	}
	/* F=1 and every unknown Algorithm: FIELD */
	memcpy(q, p, n);
	q[8] |= AERO_SEAL_ICV_F;
	g_assert_cmpint(aero_wire_seal_decode(&s, q, n, NULL, 0), ==,
	                AERO_WIRE_E_FIELD);
	for (unsigned alg = 1; alg < 32; alg++) {
		memcpy(q, p, n);
		q[8] = (uint8_t)((q[8] & 0xe0) | alg);
		g_assert_cmpint(aero_wire_seal_decode(&s, q, n, NULL, 0), ==,
		                AERO_WIRE_E_FIELD);
	}
	/* every Key value is accepted */
	for (unsigned k = 0; k < 4; k++) {
		memcpy(q, p, n);
		q[8] = (uint8_t)(k << 5);
		g_assert_cmpint(aero_wire_seal_decode(&s, q, n, NULL, 0), ==, 20);
		g_assert_cmpuint(s.icv_key, ==, k);
	}
	/* reserved fields are kept (sent 0, ignored on receipt) */
	memcpy(q, p, n);
	q[1] |= 0x03;
	q[3] = 0x55;
	q[19] = 0x66;
	g_assert_cmpint(aero_wire_seal_decode(&s, q, n, NULL, 0), ==, 20);
	g_assert_cmpuint(s.rsv_bits, ==, 3);
	g_assert_cmpuint(s.rsv, ==, 0x55);
	g_assert_cmpuint(s.pad, ==, 0x66);
	uint8_t out[64];
	g_assert_cmpint(aero_wire_seal_encode(out, sizeof out, &s, NULL, 0), ==, 28);
	tu_assert_bytes(out, 28, q, n);

	/* encoder INVAL */
	g_assert_cmpint(aero_wire_seal_decode(&s, p, n, NULL, 0), ==, 20);
	struct aero_seal e = s;
	e.rsv_bits = 4;
	g_assert_cmpint(aero_wire_seal_encode(out, sizeof out, &e, NULL, 0), ==,
	                AERO_WIRE_E_INVAL);
	e = s;
	e.icv_key = 4;
	g_assert_cmpint(aero_wire_seal_encode(out, sizeof out, &e, NULL, 0), ==,
	                AERO_WIRE_E_INVAL);
	e = s;
	e.icv_f = true;
	g_assert_cmpint(aero_wire_seal_encode(out, sizeof out, &e, NULL, 0), ==,
	                AERO_WIRE_E_INVAL);
	e = s;
	e.icv_alg = 1;
	g_assert_cmpint(aero_wire_seal_encode(out, sizeof out, &e, NULL, 0), ==,
	                AERO_WIRE_E_INVAL);
	/* ICV fields are ignored when I = 0 */
	e.i = false;
	e.icv_key = 9;
	g_assert_cmpint(aero_wire_seal_encode(out, sizeof out, &e, NULL, 0), ==, 16);
	g_free(p);
}

static void
test_random_seal(void)
{
	GRand *r = tu_rand();
	uint8_t key[AERO_SEAL_KEY_LEN], pay[80], a[128], b[128];

	for (int i = 0; i < 600; i++) {
		struct aero_seal in = {0}, d, d2;
		struct aero_seal1 v1 = {0}, e1;

		tu_rand_bytes(r, key, sizeof key);
		in.next_header = (uint8_t)g_rand_int(r);
		in.c = g_rand_boolean(r);
		in.a = g_rand_boolean(r);
		in.r = g_rand_boolean(r);
		in.i = g_rand_boolean(r);
		in.rsv_bits = (uint8_t)g_rand_int_range(r, 0, 4);
		in.link_id = (uint8_t)g_rand_int(r);
		in.rsv = (uint8_t)g_rand_int(r);
		in.id = g_rand_int(r);
		if (in.i) {
			in.icv_key = (uint8_t)g_rand_int_range(r, 0, 4);
			in.pad = (uint8_t)g_rand_int(r);
		}
		in.payload_len = (size_t)g_rand_int_range(r, 0, 81);
		tu_rand_bytes(r, pay, in.payload_len);
		in.payload = pay;

		int len = aero_wire_seal_encode(a, sizeof a, &in, key, sizeof key);
		g_assert_cmpint(len, ==, (int)(aero_wire_seal_hdr_len(&in) +
		                               in.payload_len));
		g_assert_cmpint(aero_wire_seal_decode(&d, a, (size_t)len, key,
		                                      sizeof key), ==,
		                (int)aero_wire_seal_hdr_len(&in));
		g_assert_cmpuint(d.next_header, ==, in.next_header);
		g_assert_cmpint(d.c, ==, in.c);
		g_assert_cmpint(d.a, ==, in.a);
		g_assert_cmpint(d.r, ==, in.r);
		g_assert_cmpint(d.i, ==, in.i);
		g_assert_cmpuint(d.rsv_bits, ==, in.rsv_bits);
		g_assert_cmpuint(d.link_id, ==, in.link_id);
		g_assert_cmpuint(d.rsv, ==, in.rsv);
		g_assert_cmphex(d.id, ==, in.id);
		g_assert_cmpuint(d.icv_key, ==, in.icv_key);
		g_assert_cmpuint(d.pad, ==, in.pad);
		g_assert_cmpmem(d.payload, d.payload_len, pay, in.payload_len);
		if (in.i)
			g_assert_cmpint(aero_wire_seal_verify(a, (size_t)len, key,
			                                      sizeof key), ==, 0);
		int len2 = aero_wire_seal_encode(b, sizeof b, &d, NULL, 0);
		tu_assert_bytes(b, (gsize)len2, a, (gsize)len);
		len2 = aero_wire_seal_encode(b, sizeof b, &d, key, sizeof key);
		tu_assert_bytes(b, (gsize)len2, a, (gsize)len);
		g_assert_cmpint(aero_wire_seal_decode(&d2, b, (size_t)len2, NULL, 0),
		                >, 0);

		/* v1 */
		v1.id_ext = (uint16_t)g_rand_int(r);
		v1.a = g_rand_boolean(r);
		v1.r = g_rand_boolean(r);
		v1.m = g_rand_boolean(r);
		v1.rsv = (uint8_t)g_rand_int_range(r, 0, 4);
		v1.seg = (uint8_t)g_rand_int_range(r, 0, 8);
		v1.next_header = (uint8_t)g_rand_int(r);
		v1.payload = pay;
		v1.payload_len = in.payload_len;
		len = aero_wire_seal1_encode(a, sizeof a, &v1);
		g_assert_cmpint(len, ==, (int)(4 + v1.payload_len));
		g_assert_cmpint(aero_wire_seal1_decode(&e1, a, (size_t)len), ==, 4);
		g_assert_cmpuint(e1.id_ext, ==, v1.id_ext);
		g_assert_cmpint(e1.a, ==, v1.a);
		g_assert_cmpint(e1.r, ==, v1.r);
		g_assert_cmpint(e1.m, ==, v1.m);
		g_assert_cmpuint(e1.rsv, ==, v1.rsv);
		g_assert_cmpuint(e1.seg, ==, v1.seg);
		g_assert_cmpuint(e1.next_header, ==, v1.next_header);
		g_assert_cmpmem(e1.payload, e1.payload_len, pay, v1.payload_len);
		len2 = aero_wire_seal1_encode(b, sizeof b, &e1);
		tu_assert_bytes(b, (gsize)len2, a, (gsize)len);
	}
	g_rand_free(r);
}

/* ---- anti-replay ---------------------------------------------------------- */

/* check, then update when accepted; returns the check result */
static int
accept_id(struct aero_seal_replay *w, uint32_t id)
{
	int rc = aero_seal_replay_check(w, id);

	if (rc == AERO_SEAL_REPLAY_OK)
		aero_seal_replay_update(w, id);
	return rc;
}

static void
test_replay_basic(void)
{
	struct aero_seal_replay w;

	aero_seal_replay_init(&w);
	/* first packet: any value */
	g_assert_cmpint(accept_id(&w, 1000), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 1000), ==, AERO_SEAL_REPLAY_DUP);
	/* in order */
	for (uint32_t id = 1001; id < 1200; id++)
		g_assert_cmpint(accept_id(&w, id), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpuint(w.top, ==, 1199);
	/* duplicates inside the window */
	for (uint32_t id = 1199 - 63; id <= 1199; id++)
		g_assert_cmpint(accept_id(&w, id), ==, AERO_SEAL_REPLAY_DUP);
	/* old: left of the 64-entry window */
	g_assert_cmpint(accept_id(&w, 1199 - 64), ==, AERO_SEAL_REPLAY_OLD);
	g_assert_cmpint(accept_id(&w, 0), ==, AERO_SEAL_REPLAY_OLD);

	/* out of order inside the window: accepted once */
	aero_seal_replay_init(&w);
	g_assert_cmpint(accept_id(&w, 100), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 110), ==, AERO_SEAL_REPLAY_OK);
	for (uint32_t id = 101; id < 110; id++) {
		g_assert_cmpint(accept_id(&w, id), ==, AERO_SEAL_REPLAY_OK);
		g_assert_cmpint(accept_id(&w, id), ==, AERO_SEAL_REPLAY_DUP);
	}
	g_assert_cmpint(accept_id(&w, 110 - 63), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 110 - 64), ==, AERO_SEAL_REPLAY_OLD);
	g_assert_cmpuint(w.top, ==, 110);

	/* rejected ids leave the state unchanged */
	struct aero_seal_replay before = w;
	aero_seal_replay_update(&w, 110);
	aero_seal_replay_update(&w, 0);
	g_assert_cmpmem(&w, sizeof w, &before, sizeof before);
}

static void
test_replay_jumps(void)
{
	struct aero_seal_replay w;

	aero_seal_replay_init(&w);
	g_assert_cmpint(accept_id(&w, 5000), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 4990), ==, AERO_SEAL_REPLAY_OK);
	/* jump by exactly 63: the old top stays in the window */
	g_assert_cmpint(accept_id(&w, 5063), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 5000), ==, AERO_SEAL_REPLAY_DUP);
	g_assert_cmpint(accept_id(&w, 4999), ==, AERO_SEAL_REPLAY_OLD);
	/* jump by exactly 64: the window is emptied, old top is now old */
	g_assert_cmpint(accept_id(&w, 5127), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 5063), ==, AERO_SEAL_REPLAY_OLD);
	g_assert_cmpint(accept_id(&w, 5064), ==, AERO_SEAL_REPLAY_OK);
	/* large forward jump (< 2^31): accepted, window reset */
	g_assert_cmpint(accept_id(&w, 5127 + 1000000), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmphex(w.bitmap, ==, 1);
	g_assert_cmpint(accept_id(&w, 5127 + 1000000 - 1), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 5127), ==, AERO_SEAL_REPLAY_OLD);
	/* a jump of 2^31 or more counts as old (serial arithmetic) */
	g_assert_cmpint(aero_seal_replay_check(&w, w.top + 0x80000000u), ==,
	                AERO_SEAL_REPLAY_OLD);
	g_assert_cmpint(aero_seal_replay_check(&w, w.top + 0x7fffffffu), ==,
	                AERO_SEAL_REPLAY_OK);
}

static void
test_replay_wrap(void)
{
	struct aero_seal_replay w;

	aero_seal_replay_init(&w);
	g_assert_cmpint(accept_id(&w, 0xfffffffe), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 0xffffffff), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 0), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 2), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpuint(w.top, ==, 2);
	g_assert_cmpint(accept_id(&w, 1), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 0xffffffff), ==, AERO_SEAL_REPLAY_DUP);
	g_assert_cmpint(accept_id(&w, 0xfffffffe), ==, AERO_SEAL_REPLAY_DUP);
	g_assert_cmpint(accept_id(&w, 0xfffffffd), ==, AERO_SEAL_REPLAY_OK);
	/* 2 - 63 = 0xffffffc3 is the left edge */
	g_assert_cmpint(accept_id(&w, 0xffffffc3), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpint(accept_id(&w, 0xffffffc2), ==, AERO_SEAL_REPLAY_OLD);
	/* counting through the wrap in order */
	aero_seal_replay_init(&w);
	for (uint32_t k = 0, id = 0xffffff00u; k < 512; k++, id++)
		g_assert_cmpint(accept_id(&w, id), ==, AERO_SEAL_REPLAY_OK);
	g_assert_cmpuint(w.top, ==, 0xffu);
}

/* Against a reference model: a set of accepted ids, window by distance. */
static void
test_replay_random(void)
{
	GRand *r = tu_rand();
	struct aero_seal_replay w;
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	uint32_t base = 0xfffff000u, top = 0;
	bool init = false;

	aero_seal_replay_init(&w);
	for (int i = 0; i < 20000; i++) {
		uint32_t id = base + (uint32_t)g_rand_int_range(r, 0, 100) + (uint32_t)i / 4;
		int exp;

		if (!init || (int32_t)(id - top) > 0)
			exp = AERO_SEAL_REPLAY_OK;
		else if ((int32_t)(id - top) <= -64)
			exp = AERO_SEAL_REPLAY_OLD;
		else if (g_hash_table_contains(seen, GUINT_TO_POINTER(id)))
			exp = AERO_SEAL_REPLAY_DUP;
		else
			exp = AERO_SEAL_REPLAY_OK;
		g_assert_cmpint(accept_id(&w, id), ==, exp);
		if (exp == AERO_SEAL_REPLAY_OK) {
			g_hash_table_add(seen, GUINT_TO_POINTER(id));
			if (!init || (int32_t)(id - top) > 0)
				top = id;
			init = true;
		}
	}
	g_hash_table_destroy(seen);
	g_rand_free(r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wire/seal/v1/tv13-ack", test_v1_ack);
	g_test_add_func("/wire/seal/v1/tv13-seg2", test_v1_seg2);
	g_test_add_func("/wire/seal/v1/fields", test_v1_fields);
	g_test_add_func("/wire/seal/hmac/tv9", test_hmac_tv9);
	g_test_add_func("/wire/seal/p2/noicv", test_p2_noicv);
	g_test_add_func("/wire/seal/p2/icv", test_p2_icv);
	g_test_add_func("/wire/seal/p2/keylen", test_p2_keylen);
	g_test_add_func("/wire/seal/p2/errors", test_p2_errors);
	g_test_add_func("/wire/seal/random", test_random_seal);
	g_test_add_func("/wire/seal/replay/basic", test_replay_basic);
	g_test_add_func("/wire/seal/replay/jumps", test_replay_jumps);
	g_test_add_func("/wire/seal/replay/wrap", test_replay_wrap);
	g_test_add_func("/wire/seal/replay/random", test_replay_random);
	return g_test_run();
}
