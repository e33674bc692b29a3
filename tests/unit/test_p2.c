/*
 * P2 keys (core/src/p2.c) and SPD/SRD relaying (core/src/ro.c): the
 * crypto known answers, the ESK re-encrypted hop by hop B <- S <- D
 * (VET-40 6.6.3; digest 3.11), the new ICV key used on the direct path,
 * forged and replayed SRDs, and the Client <-> Server registration
 * (VET-40 6.6.4; digest 7.5). Nodes are driven by hand as in test_ro.c.
 */
#include "testutil.h"
#include "../sim/nodefix.h"
#include "../../core/src/node.h"
#include "../../core/src/p2.h"
#include "../../core/src/ro.h"

#include <string.h>

#define CNT(n, name) aero_node_counter((n), #name)

static uint64_t prng = 0xfeed;

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
static aero_tstamp now = 1000 * AERO_SEC;
static const uint8_t LINK_KEY[20] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
                                     0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
                                     0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
static const uint8_t K1[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static const uint8_t K2[16] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};

#define PB "2001:db8:1000:2000::"
#define PD "2001:db8:2000:3000::"
#define LL_B "fe80::2001:db8:1000:2000"
#define LL_D "fe80::2001:db8:2000:3000"

static const struct aero_loc LOC_S = {4, {192, 0, 2, 1}, 8060};
static const struct aero_loc LOC_B = {4, {198, 51, 100, 10}, 49152};
static const struct aero_loc LOC_D = {4, {203, 0, 113, 20}, 50000};

/* ---- crypto known answers ---------------------------------------------------- */

static void
test_keywrap_rfc3394(void)
{
	/* RFC 3394 4.1: 128-bit key data with a 128-bit KEK */
	gsize kl, el, xl;
	guint8 *kek = tu_hex("000102030405060708090A0B0C0D0E0F", &xl);
	guint8 *key = tu_hex("00112233445566778899AABBCCDDEEFF", &kl);
	guint8 *exp = tu_hex("1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5", &el);
	uint8_t out[24], back[16];
	p2_wrap(out, kek, key, kl);
	tu_assert_bytes(out, sizeof out, exp, el);
	g_assert_cmpint(p2_unwrap(back, kek, out, sizeof out), ==, 0);
	tu_assert_bytes(back, sizeof back, key, kl);
	out[5] ^= 1;
	g_assert_cmpint(p2_unwrap(back, kek, out, sizeof out), ==, -1);
	g_free(kek);
	g_free(key);
	g_free(exp);
}

static void
test_esk(void)
{
	/* FIPS-197 C.1: the first 16 ESK bytes are AES-128(Kenc, S) */
	gsize el, xl;
	guint8 *kenc = tu_hex("000102030405060708090a0b0c0d0e0f", &xl);
	guint8 *s = tu_hex("00112233445566778899aabbccddeeff", &xl);
	guint8 *exp = tu_hex("69c4e0d86a7b0430d8cdb78070b4c55a", &el);
	uint8_t esk[AERO_SCMP_ESK_LEN], back[16], icv[20], icv2[20];
	p2_esk_encrypt(esk, kenc, s);
	tu_assert_bytes(esk, 16, exp, el);
	g_assert_cmpint(p2_esk_decrypt(back, kenc, esk), ==, 0);
	g_assert_cmpmem(back, 16, s, 16);
	/* a wrong key is detected by the 32-bit check */
	g_assert_cmpint(p2_esk_decrypt(back, K1, esk), ==, -1);
	esk[3] ^= 0x80;
	g_assert_cmpint(p2_esk_decrypt(back, kenc, esk), ==, -1);
	/* the ICV key: HMAC-SHA1(S, "AERO-P2-ICV"), 160 bits, deterministic */
	p2_icv_from_secret(icv, s);
	p2_icv_from_secret(icv2, s);
	g_assert_cmpmem(icv, 20, icv2, 20);
	g_assert_true(memcmp(icv, s, 16) != 0);
	g_free(kenc);
	g_free(s);
	g_free(exp);
}

/* ---- nodes ------------------------------------------------------------------------ */


static aero_node *
mk(enum aero_role role, struct aero_loc self, const char *ll)
{
	struct aero_config c;
	aero_node *n;
	aero_config_default(&c, role);
	c.profile = AERO_PROFILE_P2;
	memcpy(c.icv_key, LINK_KEY, sizeof LINK_KEY);
	c.icv_key_len = sizeof LINK_KEY;
	c.self = self;
	if (role == AERO_ROLE_SERVER) {
		c.id = 1;
		c.n_pools = 1;
		c.pools[0].prefix = tu_in6("2001:db8::");
		c.pools[0].plen = 32;
		c.pools[0].deleg_len = 56;
	} else {
		c.n_prl = 1;
		c.prl[0].loc = LOC_S;
		c.prl[0].id = 1;
	}
	g_assert_cmpint(aero_node_new(&n, &c, &cbs, NULL, now), ==, 0);
	tn_drain(n);
	if (role == AERO_ROLE_SERVER) {
		tn_fib_clear(n);
	} else {
		n->ll = tu_in6(ll);
		tn_nce(n, "fe80::1", LOC_S, NCE_SERVER);
	}
	tn_drain(n);
	return n;
}

struct outp {
	struct aero_pktinfo pi;
	GBytes *data;
};

static void
outp_free(gpointer p)
{
	g_bytes_unref(((struct outp *)p)->data);
	g_free(p);
}

/* The SPD/SRDs and registration messages among n's outputs. */
static GPtrArray *
take(aero_node *n)
{
	GPtrArray *v = g_ptr_array_new_with_free_func(outp_free);
	struct aero_out o;
	while (aero_node_poll(n, &o) == 1) {
		struct aero_seal s;
		if (o.kind != AERO_OUT_PACKET || o.pi.side != AERO_SIDE_UNDERLAY ||
		    aero_wire_seal_decode(&s, o.data, o.len, NULL, 0) < 0)
			continue;
		bool want = (s.c && s.payload_len > 0 && s.payload[0] == 137) ||
		            (!s.c && s.payload_len > 48 && s.payload[6] == 17 &&
		             s.payload[42] == 0x1f && s.payload[43] == 0x7c);
		if (!want)
			continue;
		struct outp *p = g_new0(struct outp, 1);
		p->pi = o.pi;
		p->data = g_bytes_new(o.data, o.len);
		g_ptr_array_add(v, p);
	}
	return v;
}

static struct outp *
one(aero_node *n)
{
	GPtrArray *v = take(n);
	g_assert_cmpuint(v->len, ==, 1);
	struct outp *p = g_ptr_array_steal_index(v, 0);
	g_ptr_array_unref(v);
	return p;
}

static void
none(aero_node *n)
{
	GPtrArray *v = take(n);
	g_assert_cmpuint(v->len, ==, 0);
	g_ptr_array_unref(v);
}

static void
deliver(aero_node *n, const struct outp *p, struct aero_loc from)
{
	struct aero_pktinfo pi = p->pi;
	gsize len;
	const uint8_t *d = g_bytes_get_data(p->data, &len);
	pi.src = from;
	g_assert_cmpint(aero_node_recv(n, &pi, d, len, now), ==, 0);
}

/* The SCMP SPD/SRD inside p. */
static void
rd_of(const struct outp *p, struct aero_scmp_msg *m)
{
	gsize len;
	const uint8_t *d = g_bytes_get_data(p->data, &len);
	struct aero_seal s;
	g_assert_cmpint(aero_wire_seal_decode(&s, d, len, NULL, 0), >, 0);
	g_assert_true(s.c);
	g_assert_true(s.i);
	g_assert_cmpint(aero_wire_scmp_decode(m, s.payload, s.payload_len, NULL, true), >, 0);
	g_assert_cmpuint(m->type, ==, 137);
}

struct net {
	aero_node *s, *b, *d;
	struct nce *s_b, *s_d;
	uint8_t pkt[200];
	size_t len;
};

static void
net_up(struct net *t)
{
	t->s = mk(AERO_ROLE_SERVER, LOC_S, NULL);
	t->s_b = tn_nce(t->s, LL_B, LOC_B, NCE_CLIENT);
	t->s_d = tn_nce(t->s, LL_D, LOC_D, NCE_CLIENT);
	tn_route(t->s, PB, 56, LL_B);
	tn_route(t->s, PD, 56, LL_D);
	t->b = mk(AERO_ROLE_CLIENT, LOC_B, LL_B);
	t->d = mk(AERO_ROLE_CLIENT, LOC_D, LL_D);
	/* per-hop encryption keys (as a registration leaves them) */
	struct aero_in6 llb = tu_in6(LL_B), lld = tu_in6(LL_D), lls = tu_in6("fe80::1");
	p2_set_enc_key(t->s, &llb, K1);
	p2_set_enc_key(t->b, &lls, K1);
	p2_set_enc_key(t->s, &lld, K2);
	p2_set_enc_key(t->d, &lls, K2);
	struct aero_in6 s = tu_in6(PB "1"), d = tu_in6(PD "1");
	uint8_t pay[20] = {0};
	t->len = (size_t)build_udp(t->pkt, sizeof t->pkt, &s, &d, 64, 1, 2,
	                           pay, sizeof pay);
}

static void
net_down(struct net *t)
{
	aero_node_free(t->s);
	aero_node_free(t->b);
	aero_node_free(t->d);
}

static struct outp *
server_spd(struct net *t)
{
	struct rxctx rx;
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY, .src = LOC_B};
	memset(&rx, 0, sizeof rx);
	rx.pi = &pi;
	rx.pkt = t->pkt;
	rx.len = t->len;
	rx.from_underlay = true;
	g_assert_cmpint(aero_wire_ipv6_decode(&rx.ip6, t->pkt, t->len), >, 0);
	ro_server_forwarded(t->s, &rx, t->s_b, t->s_d);
	return one(t->s);
}

/* SPD S -> D; SRD D -> S -> B with the ESK re-encrypted; the direct path
 * B -> D then carries ICVs under the new key. */
static void
test_relay(void)
{
	struct net t;
	net_up(&t);
	struct aero_scmp_msg *m = g_new0(struct aero_scmp_msg, 1);
	struct outp *spd = server_spd(&t);
	g_assert_true(aero_loc_equal(&spd->pi.dst, &LOC_D));
	rd_of(spd, m);
	g_assert_true(m->rd.p);
	g_assert_false(m->rd.v);
	tu_assert_in6(m->rd.target, LL_B);
	g_assert_true(m->rd.opts.has_tllao);
	g_assert_cmpuint(m->rd.opts.n_rio, ==, 1);
	g_assert_cmpmem(m->rd.opts.rho, 40, t.pkt, 40);

	deliver(t.d, spd, LOC_S);
	struct outp *srd1 = one(t.d);
	g_assert_true(aero_loc_equal(&srd1->pi.dst, &LOC_S));
	rd_of(srd1, m);
	g_assert_false(m->rd.p);
	g_assert_true(m->rd.v);
	tu_assert_in6(m->rd.target, LL_D);
	uint8_t esk1[AERO_SCMP_ESK_LEN], s[16];
	memcpy(esk1, m->rd.auth.esk, sizeof esk1);
	g_assert_cmpint(p2_esk_decrypt(s, K2, esk1), ==, 0);
	g_assert_cmpuint(ro_count(t.d, false), ==, 1);
	struct aero_in6 llb = tu_in6(LL_B), lld = tu_in6(LL_D);
	struct nce *d_b = nce_lookup(t.d, &llb);
	g_assert_nonnull(d_b);
	g_assert_cmpuint(d_b->icv_key_len, ==, 20);

	deliver(t.s, srd1, LOC_D);
	struct outp *srd2 = one(t.s);
	g_assert_true(aero_loc_equal(&srd2->pi.dst, &LOC_B));
	rd_of(srd2, m);
	g_assert_true(m->rd.v);
	/* re-encrypted for the next hop: other bytes, same secret */
	g_assert_true(memcmp(esk1, m->rd.auth.esk, sizeof esk1) != 0);
	uint8_t s2[16];
	g_assert_cmpint(p2_esk_decrypt(s2, K1, m->rd.auth.esk), ==, 0);
	g_assert_cmpmem(s, 16, s2, 16);
	g_assert_cmpint(p2_esk_decrypt(s2, K2, m->rd.auth.esk), ==, -1);
	g_assert_cmpuint(CNT(t.s, p2_esk_reencrypted), ==, 1);

	deliver(t.b, srd2, LOC_S);
	none(t.b);
	g_assert_cmpuint(ro_count(t.b, true), ==, 1);
	g_assert_cmpuint(CNT(t.b, p2_key_installed), ==, 1);
	struct nce *b_d = nce_lookup(t.b, &lld);
	g_assert_nonnull(b_d);
	g_assert_cmpuint(b_d->icv_key_len, ==, 20);
	g_assert_cmpmem(b_d->icv_key, 20, d_b->icv_key, 20);
	g_assert_true(memcmp(b_d->icv_key, LINK_KEY, 20) != 0);

	/* the direct path: B -> D under the new key verifies at D */
	struct rxctx rx;
	struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL};
	memset(&rx, 0, sizeof rx);
	rx.pi = &pi;
	rx.pkt = t.pkt;
	rx.len = t.len;
	g_assert_cmpint(aero_wire_ipv6_decode(&rx.ip6, t.pkt, t.len), >, 0);
	struct nce *via = ro_client_route(t.b, &rx);
	g_assert_true(via == b_d);
	tn_drain(t.b);
	g_assert_cmpint(tunnel_send(t.b, via, t.pkt, t.len, NULL), ==, 0);
	struct aero_out o;
	g_assert_cmpint(aero_node_poll(t.b, &o), ==, 1);
	g_assert_true(aero_loc_equal(&o.pi.dst, &LOC_D));
	struct aero_pktinfo ipi = o.pi;
	ipi.src = LOC_B;
	struct rxctx r2 = {.pi = &ipi, .from_underlay = true};
	const uint8_t *inner;
	size_t ilen;
	struct aero_scmp_msg *sm = g_new0(struct aero_scmp_msg, 1);
	uint8_t *copy = g_memdup2(o.data, o.len);
	size_t clen = o.len;
	g_assert_cmpint(tunnel_unwrap(t.d, &ipi, copy, clen, &r2, &inner, &ilen, sm), ==, 0);
	g_assert_true(r2.icv_ok);
	g_assert_true(r2.nb == d_b);
	/* the same packet again: replay */
	g_assert_cmpint(tunnel_unwrap(t.d, &ipi, copy, clen, &r2, &inner, &ilen, sm), ==, -1);
	g_assert_cmpuint(CNT(t.d, drop_replay), ==, 1);
	/* a packet from B's locator under the link-wide key: rejected */
	b_d->icv_key_len = 0;
	g_assert_cmpint(tunnel_send(t.b, b_d, t.pkt, t.len, NULL), ==, 0);
	g_assert_cmpint(aero_node_poll(t.b, &o), ==, 1);
	g_free(copy);
	copy = g_memdup2(o.data, o.len);
	/* ... passes the shim only marked "link key" (node.c admits that for
	 * P2 registration messages alone) */
	struct rxctx r3 = {0};
	g_assert_cmpint(tunnel_unwrap(t.d, &ipi, copy, o.len, &r3, &inner, &ilen, sm), ==, 0);
	g_assert_true(r3.icv_link_key);
	g_assert_false(p2_is_registration(&r3)); /* not parsed: not one */
	/* through the whole node: data under the link key is dropped */
	g_assert_cmpint(tunnel_send(t.b, b_d, t.pkt, t.len, NULL), ==, 0);
	g_assert_cmpint(aero_node_poll(t.b, &o), ==, 1);
	g_free(copy);
	copy = g_memdup2(o.data, o.len);
	uint64_t bad0 = CNT(t.d, drop_bad_icv);
	g_assert_cmpint(aero_node_recv(t.d, &ipi, copy, o.len, t.d->now), ==, 0);
	g_assert_cmpuint(CNT(t.d, drop_bad_icv), ==, bad0 + 1);
	g_free(copy);
	g_free(sm);
	outp_free(spd);
	outp_free(srd1);
	outp_free(srd2);
	g_free(m);
	net_down(&t);
}

/* Forged SRDs: a wrong encryption key, an unauthorised RIO, a replay. */
static void
test_forged(void)
{
	struct net t;
	net_up(&t);
	struct outp *spd = server_spd(&t);
	/* D shares K1 (not K2) with S: S cannot decrypt its ESK */
	struct aero_in6 lls = tu_in6("fe80::1");
	p2_set_enc_key(t.d, &lls, K1);
	deliver(t.d, spd, LOC_S);
	struct outp *srd = one(t.d);
	deliver(t.s, srd, LOC_D);
	none(t.s);
	g_assert_cmpuint(CNT(t.s, drop_p2_bad_esk), ==, 1);
	/* replayed: the same SEAL Identification again */
	deliver(t.s, srd, LOC_D);
	none(t.s);
	g_assert_cmpuint(CNT(t.s, drop_replay), ==, 1);
	outp_free(srd);

	/* the RIO is not delegated to D at the Server */
	p2_set_enc_key(t.d, &lls, K2);
	outp_free(spd);
	now += AERO_SEC; /* a fresh SPD (rate limit; D drops a replayed one) */
	aero_node_timeout(t.s, now);
	spd = server_spd(&t);
	deliver(t.d, spd, LOC_S);
	srd = one(t.d);
	struct aero_in6 pd = tu_in6(PD);
	fib_del(t.s, &pd, 56, NULL);
	tn_route(t.s, PD, 56, LL_B);
	deliver(t.s, srd, LOC_D);
	none(t.s);
	g_assert_cmpuint(CNT(t.s, drop_ro_unauthorised), ==, 1);
	outp_free(srd);

	/* an SRD with a bad ICV (another link key) never reaches RO */
	fib_del(t.s, &pd, 56, NULL);
	tn_route(t.s, PD, 56, LL_D);
	outp_free(spd);
	now += AERO_SEC;
	aero_node_timeout(t.s, now);
	spd = server_spd(&t);
	deliver(t.d, spd, LOC_S);
	srd = one(t.d);
	gsize len;
	uint8_t *c = g_bytes_unref_to_data(g_bytes_ref(srd->data), &len);
	c[len - 1] ^= 1;
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY, .src = LOC_D,
	                          .dst = LOC_S};
	aero_node_recv(t.s, &pi, c, len, now);
	none(t.s);
	g_assert_cmpuint(CNT(t.s, drop_bad_icv), ==, 1);
	g_free(c);
	/* at B: an SRD whose ESK is not for B's key */
	deliver(t.s, srd, LOC_D);
	struct outp *srd2 = one(t.s);
	struct aero_in6 llb = tu_in6(LL_B);
	(void)llb;
	p2_set_enc_key(t.b, &lls, K2);
	deliver(t.b, srd2, LOC_S);
	none(t.b);
	g_assert_cmpuint(CNT(t.b, drop_p2_bad_esk), ==, 1);
	g_assert_cmpuint(ro_count(t.b, true), ==, 0);
	outp_free(srd);
	outp_free(srd2);
	outp_free(spd);
	net_down(&t);
}

/* The Client <-> Server registration: keys agreed, changed on
 * re-registration, retransmitted, terminated. */
static void
test_register(void)
{
	aero_node *s = mk(AERO_ROLE_SERVER, LOC_S, NULL);
	struct nce *s_b = tn_nce(s, LL_B, LOC_B, NCE_CLIENT);
	tn_route(s, PB, 56, LL_B);
	aero_node *b = mk(AERO_ROLE_CLIENT, LOC_B, LL_B);
	struct aero_in6 lls = tu_in6("fe80::1");
	struct nce *b_s = nce_lookup(b, &lls);
	uint8_t kb[16], ks[16], old[20];

	g_assert_cmpint(p2_register(b, b_s), ==, 0);
	struct outp *req = one(b);
	deliver(s, req, LOC_B);
	struct outp *rep = one(s);
	g_assert_cmpuint(s_b->icv_key_len, ==, 20);
	deliver(b, rep, LOC_S);
	g_assert_true(p2_registered(b, &lls));
	g_assert_cmpuint(b_s->icv_key_len, ==, 20);
	g_assert_cmpmem(b_s->icv_key, 20, s_b->icv_key, 20);
	g_assert_true(p2_enc_key(b, b_s, kb));
	g_assert_true(p2_enc_key(s, s_b, ks));
	g_assert_cmpmem(kb, 16, ks, 16);
	g_assert_cmpuint(CNT(s, p2_reg_done), ==, 1);
	g_assert_cmpuint(CNT(b, p2_reg_done), ==, 1);
	memcpy(old, b_s->icv_key, 20);
	outp_free(req);
	outp_free(rep);

	/* re-registration: new keys (under the current ones) */
	g_assert_cmpint(p2_register(b, b_s), ==, 0);
	req = one(b);
	deliver(s, req, LOC_B);
	rep = one(s);
	deliver(b, rep, LOC_S);
	g_assert_cmpmem(b_s->icv_key, 20, s_b->icv_key, 20);
	g_assert_true(memcmp(old, b_s->icv_key, 20) != 0);
	outp_free(req);
	outp_free(rep);

	/* no answer: max_retry REQs, one per retrans_timer, then give up */
	g_assert_cmpint(p2_register(b, b_s), ==, 0);
	unsigned sent = 0;
	for (int i = 0; i < 6; i++) {
		GPtrArray *v = take(b);
		sent += v->len;
		g_ptr_array_unref(v);
		now += AERO_SEC;
		aero_node_timeout(b, now);
	}
	g_assert_cmpuint(sent, ==, 3);
	g_assert_cmpuint(CNT(b, p2_reg_failed), ==, 1);

	/* a prefix the Client does not hold */
	struct aero_in6 pb = tu_in6(PB);
	fib_del(s, &pb, 56, NULL);
	g_assert_cmpint(p2_register(b, b_s), ==, 0);
	req = one(b);
	deliver(s, req, LOC_B);
	none(s);
	g_assert_cmpuint(CNT(s, drop_p2_reg_unauthorised), ==, 1);
	outp_free(req);
	tn_route(s, PB, 56, LL_B);

	/* termination: both sides back to the link-wide key */
	g_assert_cmpint(p2_deregister(b, b_s), ==, 0);
	req = one(b);
	deliver(s, req, LOC_B);
	rep = one(s);
	g_assert_cmpuint(s_b->icv_key_len, ==, 0);
	deliver(b, rep, LOC_S);
	g_assert_cmpuint(b_s->icv_key_len, ==, 0);
	g_assert_false(p2_registered(b, &lls));
	g_assert_cmpuint(CNT(b, p2_term_done), ==, 1);
	g_assert_cmpuint(CNT(s, p2_term_done), ==, 1);
	outp_free(req);
	outp_free(rep);

	/* a P1 Client cannot register */
	aero_node_free(s);
	aero_node_free(b);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/p2/crypto/keywrap-rfc3394", test_keywrap_rfc3394);
	g_test_add_func("/p2/crypto/esk", test_esk);
	g_test_add_func("/p2/spd-srd/relay-reencrypt", test_relay);
	g_test_add_func("/p2/spd-srd/forged", test_forged);
	g_test_add_func("/p2/register", test_register);
	return g_test_run();
}
