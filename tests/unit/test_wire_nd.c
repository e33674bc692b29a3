/*
 * ICMPv6 ND messages and options (core/src/wire/nd.c).
 *
 * The first part (random generators, comparators, truncation helper) is
 * shared: test_wire_rfc6706.c and test_wire_scmp.c include this file with
 * ND_HELPERS_ONLY defined.
 */
#include "testutil.h"
#include "aero/wire_nd.h"

#include <arpa/inet.h>
#include <string.h>

#define BUFCAP 65536

static G_GNUC_UNUSED const struct aero_nd_ctx CTX_ETH_P = {AERO_ND_LINK_ETHERNET, AERO_PIO_MODE_RFC9762_P};
static G_GNUC_UNUSED const struct aero_nd_ctx CTX_ETH_X = {AERO_ND_LINK_ETHERNET, AERO_PIO_MODE_PIO_X};
static G_GNUC_UNUSED const struct aero_nd_ctx CTX_AERO_P = {AERO_ND_LINK_AERO, AERO_PIO_MODE_RFC9762_P};
static G_GNUC_UNUSED const struct aero_nd_ctx CTX_AERO_X = {AERO_ND_LINK_AERO, AERO_PIO_MODE_PIO_X};

static G_GNUC_UNUSED struct aero_in6
ip6(const char *s)
{
	struct aero_in6 a;

	g_assert_cmpint(inet_pton(AF_INET6, s, a.b), ==, 1);
	return a;
}

static G_GNUC_UNUSED void
assert_ip6(const struct aero_in6 *a, const char *s)
{
	struct aero_in6 b = ip6(s);

	tu_assert_bytes(a->b, 16, b.b, 16);
}

static G_GNUC_UNUSED void
assert_ip4(const struct aero_in4 *a, const char *s)
{
	struct aero_in4 b;

	g_assert_cmpint(inet_pton(AF_INET, s, b.b), ==, 1);
	tu_assert_bytes(a->b, 4, b.b, 4);
}

/* ---- random structures --------------------------------------------------- */

/* Backing store for the pointers of random structures. */
struct rpool {
	uint8_t b[BUFCAP];
	size_t used;
};

static G_GNUC_UNUSED const uint8_t *
rp_bytes(struct rpool *p, GRand *r, size_t n)
{
	uint8_t *q;

	g_assert_cmpuint(p->used + n, <=, sizeof p->b);
	q = p->b + p->used;
	tu_rand_bytes(r, q, n);
	p->used += n;
	return q;
}

static G_GNUC_UNUSED uint32_t
rbits(GRand *r, unsigned bits)
{
	return bits >= 32 ? g_rand_int(r) : g_rand_int(r) & ((1u << bits) - 1);
}

/* A random 32-bit value that is often 0 (reserved fields). */
static G_GNUC_UNUSED uint32_t
rres(GRand *r, uint32_t mask)
{
	return g_rand_int_range(r, 0, 4) == 0 ? g_rand_int(r) & mask : 0;
}

/* A random S/TLLAO whose form decodes back the same on this link. */
static G_GNUC_UNUSED void
rand_lla(GRand *r, struct aero_nd_lla *l, enum aero_nd_link link, struct rpool *p)
{
	memset(l, 0, sizeof *l);
	if (g_rand_int_range(r, 0, 6) == 0) {
		size_t units;
		do
			units = (size_t)g_rand_int_range(r, 1, 6);
		while ((link == AERO_ND_LINK_ETHERNET && units == 1) ||
		       (link == AERO_ND_LINK_AERO && (units == 1 || units == 3)));
		l->form = AERO_ND_LLA_OTHER;
		l->raw_len = units * 8 - 2;
		l->raw = rp_bytes(p, r, l->raw_len);
		return;
	}
	if (link == AERO_ND_LINK_ETHERNET) {
		l->form = AERO_ND_LLA_ETHERNET;
		tu_rand_bytes(r, l->mac, 6);
		return;
	}
	switch (g_rand_int_range(r, 0, 3)) {
	case 0:
		l->form = AERO_ND_LLA_VET_IPV4;
		l->reserved = (uint16_t)rres(r, 0xffff);
		tu_rand_bytes(r, l->ip4.b, 4);
		break;
	case 1:
		l->form = AERO_ND_LLA_VET_IPV6;
		tu_rand_bytes(r, l->addr.b, 16);
		break;
	default:
		l->form = AERO_ND_LLA_P1;
		do {
			l->port = (uint16_t)rbits(r, 16);
			l->link_id = (uint8_t)rbits(r, 2);
			l->pref = (uint8_t)rbits(r, 2);
			l->reserved = (uint16_t)rres(r, 0xffff);
		} while (!(l->port | l->link_id | l->pref | l->reserved));
		tu_rand_bytes(r, l->addr.b, 16);
		break;
	}
}

/* Option kinds a generator may use. */
#define RK_SLLAO   (1u << AERO_ND_OK_SLLAO)
#define RK_TLLAO   (1u << AERO_ND_OK_TLLAO)
#define RK_MTU     (1u << AERO_ND_OK_MTU)
#define RK_PIO     (1u << AERO_ND_OK_PIO)
#define RK_RIO     (1u << AERO_ND_OK_RIO)
#define RK_RHO     (1u << AERO_ND_OK_RHO)
#define RK_UNKNOWN (1u << AERO_ND_OK_UNKNOWN)
#define RK_ALL     0x7fu

static G_GNUC_UNUSED size_t
rcount(GRand *r, size_t max)
{
	/* mostly small, sometimes the full capacity */
	if (g_rand_int_range(r, 0, 40) == 0)
		return max;
	return (size_t)g_rand_int_range(r, 0, 4);
}

static G_GNUC_UNUSED void
rand_opts(GRand *r, struct aero_nd_opts *o, const struct aero_nd_ctx *ctx,
          unsigned kinds, bool need_rho, struct rpool *p)
{
	size_t i;

	memset(o, 0, sizeof *o);
	if ((kinds & RK_SLLAO) && g_rand_boolean(r)) {
		o->has_sllao = true;
		rand_lla(r, &o->sllao, ctx->link, p);
	}
	if ((kinds & RK_TLLAO) && g_rand_boolean(r)) {
		o->has_tllao = true;
		rand_lla(r, &o->tllao, ctx->link, p);
	}
	if ((kinds & RK_MTU) && g_rand_boolean(r)) {
		o->has_mtu = true;
		o->mtu_reserved = (uint16_t)rres(r, 0xffff);
		o->mtu = g_rand_int(r);
	}
	if ((kinds & RK_RHO) && (need_rho || g_rand_boolean(r))) {
		o->has_rho = true;
		tu_rand_bytes(r, o->rho_reserved, 6);
		if (g_rand_boolean(r))
			memset(o->rho_reserved, 0, 6);
		o->rho_len = (size_t)g_rand_int_range(r, 0, 12) * 8;
		o->rho = rp_bytes(p, r, o->rho_len);
	}
	if (kinds & RK_PIO)
		o->n_pio = rcount(r, AERO_ND_MAX_PIO);
	for (i = 0; i < o->n_pio; i++) {
		struct aero_nd_pio *x = &o->pio[i];
		x->prefix_len = (uint8_t)g_rand_int_range(r, 0, 129);
		x->l = g_rand_boolean(r);
		x->a = g_rand_boolean(r);
		x->r = g_rand_boolean(r);
		if (ctx->pio_mode == AERO_PIO_MODE_PIO_X)
			x->x = g_rand_boolean(r);
		else
			x->p = g_rand_boolean(r);
		x->reserved1 = (uint8_t)rres(r, AERO_ND_PIO_RESERVED1);
		x->valid_lifetime = g_rand_int(r);
		x->preferred_lifetime = g_rand_int(r);
		x->reserved2 = rres(r, 0xffffffffu);
		tu_rand_bytes(r, x->prefix.b, 16);
	}
	if (kinds & RK_RIO)
		o->n_rio = rcount(r, AERO_ND_MAX_RIO);
	for (i = 0; i < o->n_rio; i++) {
		struct aero_nd_rio *x = &o->rio[i];
		unsigned min;
		x->prefix_len = (uint8_t)g_rand_int_range(r, 0, 129);
		min = x->prefix_len == 0 ? 1 : x->prefix_len <= 64 ? 2 : 3;
		x->len_units = (uint8_t)g_rand_int_range(r, (gint32)min, 4);
		x->prf = (uint8_t)rbits(r, 2);
		x->reserved = (uint8_t)rres(r, AERO_ND_RIO_RESERVED);
		x->lifetime = g_rand_int(r);
		tu_rand_bytes(r, x->prefix.b, (size_t)(x->len_units - 1) * 8);
	}
	if (kinds & RK_UNKNOWN)
		o->n_unknown = rcount(r, AERO_ND_MAX_UNKNOWN);
	for (i = 0; i < o->n_unknown; i++) {
		struct aero_nd_opt_unknown *x = &o->unknown[i];
		uint8_t t;
		do
			t = (uint8_t)rbits(r, 8);
		while (t == 1 || t == 2 || t == 3 || t == 4 || t == 5 || t == 24);
		x->type = t;
		x->data_len = (size_t)g_rand_int_range(r, 1, 5) * 8 - 2;
		x->data = rp_bytes(p, r, x->data_len);
	}
	/* Half of the time an explicit random order, else the canonical one. */
	if (g_rand_boolean(r)) {
		struct aero_nd_opt_ref *ord = o->order;
		size_t n = 0, j;
		if (o->has_sllao) ord[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_SLLAO, 0};
		if (o->has_tllao) ord[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_TLLAO, 0};
		if (o->has_mtu) ord[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_MTU, 0};
		if (o->has_rho) ord[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_RHO, 0};
		for (j = 0; j < o->n_pio; j++) ord[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_PIO, (uint8_t)j};
		for (j = 0; j < o->n_rio; j++) ord[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_RIO, (uint8_t)j};
		for (j = 0; j < o->n_unknown; j++) ord[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_UNKNOWN, (uint8_t)j};
		for (j = n; j > 1; j--) {
			size_t k = (size_t)g_rand_int_range(r, 0, (gint32)j);
			struct aero_nd_opt_ref t = ord[j - 1];
			ord[j - 1] = ord[k];
			ord[k] = t;
		}
		/* A decoder fills the arrays in wire order: renumber so that the
		 * k-th PIO/RIO/unknown on the wire is element k. */
		{
			uint8_t next[AERO_ND_OK_UNKNOWN + 1] = {0};
			for (j = 0; j < n; j++)
				ord[j].idx = next[ord[j].kind]++;
		}
		o->n_order = n;
	}
}

static G_GNUC_UNUSED void
rand_nd_msg(GRand *r, struct aero_nd_msg *m, uint8_t type,
            const struct aero_nd_ctx *ctx, struct rpool *p)
{
	memset(m, 0, sizeof *m);
	m->type = type;
	switch (type) {
	case AERO_ND_TYPE_RA:
		m->ra.cur_hop_limit = (uint8_t)rbits(r, 8);
		m->ra.managed = g_rand_boolean(r);
		m->ra.other = g_rand_boolean(r);
		m->ra.home_agent = g_rand_boolean(r);
		m->ra.proxy = g_rand_boolean(r);
		m->ra.prf = (uint8_t)rbits(r, 2);
		m->ra.reserved = (uint8_t)rres(r, AERO_ND_RA_RESERVED);
		m->ra.router_lifetime = (uint16_t)rbits(r, 16);
		m->ra.reachable_time = g_rand_int(r);
		m->ra.retrans_timer = g_rand_int(r);
		break;
	case AERO_ND_TYPE_NA:
		m->na_router = g_rand_boolean(r);
		m->na_solicited = g_rand_boolean(r);
		m->na_override = g_rand_boolean(r);
		m->reserved = rres(r, AERO_ND_NA_RESERVED);
		tu_rand_bytes(r, m->target.b, 16);
		break;
	case AERO_ND_TYPE_REDIRECT:
		tu_rand_bytes(r, m->dest.b, 16);
		/* fall through */
	case AERO_ND_TYPE_NS:
		tu_rand_bytes(r, m->target.b, 16);
		/* fall through */
	default:
		m->reserved = rres(r, 0xffffffffu);
		break;
	}
	rand_opts(r, &m->opts, ctx, RK_ALL, false, p);
}

/* ---- comparators ---------------------------------------------------------- */

static G_GNUC_UNUSED void
assert_lla_equal(const struct aero_nd_lla *a, const struct aero_nd_lla *b)
{
	g_assert_cmpint(a->form, ==, b->form);
	switch (a->form) {
	case AERO_ND_LLA_ETHERNET:
		tu_assert_bytes(a->mac, 6, b->mac, 6);
		break;
	case AERO_ND_LLA_VET_IPV4:
		g_assert_cmpuint(a->reserved, ==, b->reserved);
		tu_assert_bytes(a->ip4.b, 4, b->ip4.b, 4);
		break;
	case AERO_ND_LLA_VET_IPV6:
	case AERO_ND_LLA_P1:
		g_assert_cmpuint(a->port, ==, b->port);
		g_assert_cmpuint(a->link_id, ==, b->link_id);
		g_assert_cmpuint(a->pref, ==, b->pref);
		g_assert_cmpuint(a->reserved, ==, b->reserved);
		tu_assert_bytes(a->addr.b, 16, b->addr.b, 16);
		break;
	default:
		tu_assert_bytes(a->raw, a->raw_len, b->raw, b->raw_len);
		break;
	}
}

/* Compare two option sets field by field; the order only when both have one. */
static G_GNUC_UNUSED void
assert_opts_equal(const struct aero_nd_opts *a, const struct aero_nd_opts *b)
{
	size_t i;

	g_assert_cmpint(a->has_sllao, ==, b->has_sllao);
	g_assert_cmpint(a->has_tllao, ==, b->has_tllao);
	g_assert_cmpint(a->has_mtu, ==, b->has_mtu);
	g_assert_cmpint(a->has_rho, ==, b->has_rho);
	if (a->has_sllao)
		assert_lla_equal(&a->sllao, &b->sllao);
	if (a->has_tllao)
		assert_lla_equal(&a->tllao, &b->tllao);
	if (a->has_mtu) {
		g_assert_cmpuint(a->mtu, ==, b->mtu);
		g_assert_cmpuint(a->mtu_reserved, ==, b->mtu_reserved);
	}
	if (a->has_rho) {
		tu_assert_bytes(a->rho_reserved, 6, b->rho_reserved, 6);
		tu_assert_bytes(a->rho, a->rho_len, b->rho, b->rho_len);
	}
	g_assert_cmpuint(a->n_pio, ==, b->n_pio);
	for (i = 0; i < a->n_pio; i++) {
		const struct aero_nd_pio *x = &a->pio[i], *y = &b->pio[i];
		g_assert_cmpuint(x->prefix_len, ==, y->prefix_len);
		g_assert_cmpint(x->l, ==, y->l);
		g_assert_cmpint(x->a, ==, y->a);
		g_assert_cmpint(x->r, ==, y->r);
		g_assert_cmpint(x->x, ==, y->x);
		g_assert_cmpint(x->p, ==, y->p);
		g_assert_cmpuint(x->reserved1, ==, y->reserved1);
		g_assert_cmpuint(x->valid_lifetime, ==, y->valid_lifetime);
		g_assert_cmpuint(x->preferred_lifetime, ==, y->preferred_lifetime);
		g_assert_cmpuint(x->reserved2, ==, y->reserved2);
		tu_assert_bytes(x->prefix.b, 16, y->prefix.b, 16);
	}
	g_assert_cmpuint(a->n_rio, ==, b->n_rio);
	for (i = 0; i < a->n_rio; i++) {
		const struct aero_nd_rio *x = &a->rio[i], *y = &b->rio[i];
		g_assert_cmpuint(x->len_units, ==, y->len_units);
		g_assert_cmpuint(x->prefix_len, ==, y->prefix_len);
		g_assert_cmpuint(x->prf, ==, y->prf);
		g_assert_cmpuint(x->reserved, ==, y->reserved);
		g_assert_cmpuint(x->lifetime, ==, y->lifetime);
		tu_assert_bytes(x->prefix.b, 16, y->prefix.b, 16);
	}
	g_assert_cmpuint(a->n_unknown, ==, b->n_unknown);
	for (i = 0; i < a->n_unknown; i++) {
		g_assert_cmpuint(a->unknown[i].type, ==, b->unknown[i].type);
		tu_assert_bytes(a->unknown[i].data, a->unknown[i].data_len,
		                b->unknown[i].data, b->unknown[i].data_len);
	}
	if (a->n_order && b->n_order) {
		g_assert_cmpuint(a->n_order, ==, b->n_order);
		for (i = 0; i < a->n_order; i++) {
			g_assert_cmpuint(a->order[i].kind, ==, b->order[i].kind);
			g_assert_cmpuint(a->order[i].idx, ==, b->order[i].idx);
		}
	}
}

static G_GNUC_UNUSED void
assert_nd_equal(const struct aero_nd_msg *a, const struct aero_nd_msg *b)
{
	g_assert_cmpuint(a->type, ==, b->type);
	g_assert_cmpuint(a->reserved, ==, b->reserved);
	g_assert_cmpint(a->na_router, ==, b->na_router);
	g_assert_cmpint(a->na_solicited, ==, b->na_solicited);
	g_assert_cmpint(a->na_override, ==, b->na_override);
	g_assert_cmpuint(a->ra.cur_hop_limit, ==, b->ra.cur_hop_limit);
	g_assert_cmpint(a->ra.managed, ==, b->ra.managed);
	g_assert_cmpint(a->ra.other, ==, b->ra.other);
	g_assert_cmpint(a->ra.home_agent, ==, b->ra.home_agent);
	g_assert_cmpint(a->ra.proxy, ==, b->ra.proxy);
	g_assert_cmpuint(a->ra.prf, ==, b->ra.prf);
	g_assert_cmpuint(a->ra.reserved, ==, b->ra.reserved);
	g_assert_cmpuint(a->ra.router_lifetime, ==, b->ra.router_lifetime);
	g_assert_cmpuint(a->ra.reachable_time, ==, b->ra.reachable_time);
	g_assert_cmpuint(a->ra.retrans_timer, ==, b->ra.retrans_timer);
	tu_assert_bytes(a->target.b, 16, b->target.b, 16);
	tu_assert_bytes(a->dest.b, 16, b->dest.b, 16);
	assert_opts_equal(&a->opts, &b->opts);
}

/* Is n in the list? */
static G_GNUC_UNUSED bool
in_list(size_t n, const size_t *l, size_t nl)
{
	for (size_t i = 0; i < nl; i++)
		if (l[i] == n)
			return true;
	return false;
}

/* Every encoder cap below the needed size gives NOBUF and leaves the rest
 * of the buffer untouched. enc(buf, cap) wraps the encoder under test. */
typedef int (*enc_fn)(uint8_t *buf, size_t cap, const void *in);

static G_GNUC_UNUSED void
assert_nobuf_all(enc_fn enc, const void *in, size_t need)
{
	static uint8_t buf[BUFCAP + 16];

	for (size_t cap = 0; cap < need; cap++) {
		memset(buf, 0xa5, cap + 16);
		g_assert_cmpint(enc(buf, cap, in), ==, AERO_WIRE_E_NOBUF);
		for (size_t i = cap; i < cap + 16; i++)
			g_assert_cmphex(buf[i], ==, 0xa5);
	}
	g_assert_cmpint(enc(buf, need, in), ==, (int)need);
}

/* The 40-byte inner IPv6 header carried in the RHO of TV8 and the SCMP
 * vectors (2001:db8:1000:2000::1 -> 2001:db8:2000:3000::1). */
static void G_GNUC_UNUSED
assert_inner_hdr(const uint8_t *p, size_t n)
{
	gsize hn;
	guint8 *h = tu_hex("60 00 00 00 00 00 3a 40 20 01 0d b8 10 00 20 00"
	                   "00 00 00 00 00 00 00 01 20 01 0d b8 20 00 30 00"
	                   "00 00 00 00 00 00 00 01", &hn);
	tu_assert_bytes(p, n, h, hn);
	g_free(h);
}

#ifndef ND_HELPERS_ONLY

/* ---- ND vector helpers ---------------------------------------------------- */

static const struct aero_in6 *nobuf_src, *nobuf_dst;

static int
enc_nd(uint8_t *buf, size_t cap, const void *in)
{
	return aero_wire_nd_encode(buf, cap, in, nobuf_src, nobuf_dst);
}

/*
 * Decode, re-encode (byte-identical) and truncate an ND vector. ok_lens
 * lists the truncated lengths that are valid messages when the checksum is
 * not verified (cuts at an option boundary); with the checksum verified
 * every truncation must fail.
 */
static void
nd_roundtrip(const uint8_t *v, size_t n, const struct aero_nd_ctx *ctx,
             const struct aero_in6 *src, const struct aero_in6 *dst,
             const size_t *ok_lens, size_t n_ok, struct aero_nd_msg *m)
{
	static uint8_t out[BUFCAP];
	struct aero_nd_msg t;
	size_t len;

	g_assert_cmpint(aero_wire_nd_decode(m, v, n, ctx, src, dst), ==, (int)n);
	g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, m, src, dst), ==, (int)n);
	tu_assert_bytes(out, n, v, n);
	/* Without src/dst the checksum is left 0. */
	g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, m, NULL, NULL), ==, (int)n);
	g_assert_cmphex(out[2] | out[3], ==, 0);
	tu_assert_bytes(out + 4, n - 4, v + 4, n - 4);
	nobuf_src = src;
	nobuf_dst = dst;
	assert_nobuf_all(enc_nd, m, n);
	for (len = 0; len < n; len++) {
		int rc = aero_wire_nd_decode(&t, v, len, ctx, src, dst);
		g_assert_cmpint(rc, <, 0);
		rc = aero_wire_nd_decode(&t, v, len, ctx, NULL, NULL);
		if (in_list(len, ok_lens, n_ok)) {
			g_assert_cmpint(rc, ==, (int)len);
			g_assert_cmpuint(t.opts.n_order, <, m->opts.n_order);
		} else {
			g_assert_cmpint(rc, <, 0);
		}
	}
}

/* ---- vectors --------------------------------------------------------------- */

static void
test_tv6_rs(void)
{
	gsize n;
	guint8 *v = tu_load_vector("nd-tv6-rs", &n);
	struct aero_in6 src = ip6("fe80::5efe:c000:201"), dst = ip6("ff02::2");
	struct aero_nd_msg m;

	g_assert_cmpuint(n, ==, 8);
	nd_roundtrip(v, n, &CTX_AERO_P, &src, &dst, NULL, 0, &m);
	g_assert_cmpuint(m.type, ==, AERO_ND_TYPE_RS);
	g_assert_cmphex(m.checksum, ==, 0x5c37);
	g_assert_cmpuint(m.reserved, ==, 0);
	g_assert_cmpuint(m.opts.n_order, ==, 0);
	g_assert_false(m.opts.has_sllao);
	/* A wrong destination fails the pseudo-header checksum. */
	dst = ip6("ff02::1");
	g_assert_cmpint(aero_wire_nd_decode(&m, v, n, NULL, &src, &dst), ==,
	                AERO_WIRE_E_CHECKSUM);
	/* Only one of src/dst: no verification. */
	g_assert_cmpint(aero_wire_nd_decode(&m, v, n, NULL, &src, NULL), ==, 8);
	g_assert_cmpint(aero_wire_nd_decode(&m, v, n, NULL, NULL, &dst), ==, 8);
	g_free(v);
}

static void
assert_tv7_common(const struct aero_nd_msg *m)
{
	g_assert_cmpuint(m->type, ==, AERO_ND_TYPE_RA);
	g_assert_cmphex(m->checksum, ==, 0xad01);
	g_assert_cmpuint(m->ra.cur_hop_limit, ==, 64);
	g_assert_false(m->ra.managed);
	g_assert_false(m->ra.other);
	g_assert_false(m->ra.home_agent);
	g_assert_false(m->ra.proxy);
	g_assert_cmpuint(m->ra.prf, ==, AERO_ND_PRF_MEDIUM);
	g_assert_cmpuint(m->ra.reserved, ==, 0);
	g_assert_cmpuint(m->ra.router_lifetime, ==, 1800);
	g_assert_cmpuint(m->ra.reachable_time, ==, 0);
	g_assert_cmpuint(m->ra.retrans_timer, ==, 0);
	g_assert_false(m->opts.has_sllao);
	g_assert_false(m->opts.has_tllao);
	g_assert_false(m->opts.has_mtu);
	g_assert_false(m->opts.has_rho);
	g_assert_cmpuint(m->opts.n_rio, ==, 0);
	g_assert_cmpuint(m->opts.n_unknown, ==, 0);
	g_assert_cmpuint(m->opts.n_pio, ==, 1);
	g_assert_cmpuint(m->opts.n_order, ==, 1);
	g_assert_cmpuint(m->opts.order[0].kind, ==, AERO_ND_OK_PIO);
	const struct aero_nd_pio *p = &m->opts.pio[0];
	g_assert_cmpuint(p->prefix_len, ==, 64);
	g_assert_false(p->l);
	g_assert_true(p->a);
	g_assert_false(p->r);
	g_assert_cmpuint(p->reserved1, ==, 0);
	g_assert_cmpuint(p->valid_lifetime, ==, 86400);
	g_assert_cmpuint(p->preferred_lifetime, ==, 14400);
	g_assert_cmpuint(p->reserved2, ==, 0);
	assert_ip6(&p->prefix, "2001:db8:1000:2000::");
}

static void
test_tv7_ra(void)
{
	gsize n;
	guint8 *v = tu_load_vector("nd-tv7-ra-pio", &n);
	struct aero_in6 src = ip6("fe80::1"), dst = ip6("fe80::2001:db8:1000:2000");
	struct aero_nd_msg m;
	const size_t ok[] = {16};
	struct aero_nd_pio_eff e;

	g_assert_cmpuint(n, ==, 48);
	/* RFC 9762 mode: bit 0x10 is P. */
	nd_roundtrip(v, n, &CTX_AERO_P, &src, &dst, ok, 1, &m);
	assert_tv7_common(&m);
	g_assert_true(m.opts.pio[0].p);
	g_assert_false(m.opts.pio[0].x);
	e = aero_wire_nd_pio_x_effective(&m.opts.pio[0]);
	g_assert_false(e.x);
	g_assert_false(e.l);
	g_assert_true(e.a);
	/* PIO-X mode: bit 0x10 is X. */
	nd_roundtrip(v, n, &CTX_ETH_X, &src, &dst, ok, 1, &m);
	assert_tv7_common(&m);
	g_assert_true(m.opts.pio[0].x);
	g_assert_false(m.opts.pio[0].p);
	e = aero_wire_nd_pio_x_effective(&m.opts.pio[0]);
	g_assert_true(e.x);
	g_assert_false(e.l);
	g_assert_true(e.a);
	g_assert_false(e.r);
	/* The canonical order reproduces TV7 too. */
	m.opts.n_order = 0;
	{
		uint8_t out[64];
		g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &m, &src, &dst), ==, 48);
		tu_assert_bytes(out, 48, v, 48);
	}
	g_free(v);
}

static void
test_pio_x_rules(void)
{
	struct aero_nd_pio p;
	struct aero_nd_pio_eff e;

	memset(&p, 0, sizeof p);
	/* X with R set: X ignored, L/A as sent (draft 5.2.1). */
	p.x = p.r = p.l = true;
	p.a = false;
	e = aero_wire_nd_pio_x_effective(&p);
	g_assert_false(e.x);
	g_assert_true(e.r);
	g_assert_true(e.l);
	g_assert_false(e.a);
	/* X without R: L reads 0, A reads 1 (5.2.2). */
	p.r = false;
	e = aero_wire_nd_pio_x_effective(&p);
	g_assert_true(e.x);
	g_assert_false(e.l);
	g_assert_true(e.a);
	/* P (RFC 9762) never triggers the X rules. */
	p.x = false;
	p.p = true;
	e = aero_wire_nd_pio_x_effective(&p);
	g_assert_false(e.x);
	g_assert_true(e.l);
	g_assert_false(e.a);
}

static void
assert_radvd_sllao(const struct aero_nd_lla *l)
{
	const uint8_t mac[6] = {0xfe, 0xec, 0xad, 0xad, 0xfc, 0x11};

	g_assert_cmpint(l->form, ==, AERO_ND_LLA_ETHERNET);
	tu_assert_bytes(l->mac, 6, mac, 6);
}

static void
test_real_radvd_ra(void)
{
	gsize n;
	guint8 *v = tu_load_vector("nd-real-radvd-ra", &n);
	struct aero_in6 src = ip6("fe80::fcec:adff:fead:fc11"), dst = ip6("ff02::1");
	struct aero_nd_msg m;
	const size_t ok[] = {16, 48};

	g_assert_cmpuint(n, ==, 56);
	nd_roundtrip(v, n, &CTX_ETH_P, &src, &dst, ok, 2, &m);
	g_assert_cmpuint(m.type, ==, AERO_ND_TYPE_RA);
	g_assert_cmphex(m.checksum, ==, 0x8ee5);
	g_assert_cmpuint(m.ra.cur_hop_limit, ==, 64);
	g_assert_true(m.ra.managed);
	g_assert_true(m.ra.other);
	g_assert_false(m.ra.home_agent);
	g_assert_false(m.ra.proxy);
	g_assert_cmpuint(m.ra.prf, ==, AERO_ND_PRF_MEDIUM);
	g_assert_cmpuint(m.ra.reserved, ==, 0);
	g_assert_cmpuint(m.ra.router_lifetime, ==, 1800);
	g_assert_cmpuint(m.ra.reachable_time, ==, 0);
	g_assert_cmpuint(m.ra.retrans_timer, ==, 0);
	g_assert_cmpuint(m.opts.n_pio, ==, 1);
	g_assert_cmpuint(m.opts.pio[0].prefix_len, ==, 64);
	g_assert_true(m.opts.pio[0].l);
	g_assert_true(m.opts.pio[0].a);
	g_assert_true(m.opts.pio[0].r);
	g_assert_false(m.opts.pio[0].p);
	g_assert_false(m.opts.pio[0].x);
	g_assert_cmpuint(m.opts.pio[0].reserved1, ==, 0);
	g_assert_cmpuint(m.opts.pio[0].valid_lifetime, ==, 3600);
	g_assert_cmpuint(m.opts.pio[0].preferred_lifetime, ==, 1800);
	g_assert_cmpuint(m.opts.pio[0].reserved2, ==, 0);
	assert_ip6(&m.opts.pio[0].prefix, "fd00:3::");
	g_assert_true(m.opts.has_sllao);
	assert_radvd_sllao(&m.opts.sllao);
	g_assert_false(m.opts.has_tllao);
	g_assert_false(m.opts.has_mtu);
	g_assert_false(m.opts.has_rho);
	g_assert_cmpuint(m.opts.n_rio, ==, 0);
	g_assert_cmpuint(m.opts.n_unknown, ==, 0);
	/* radvd's order: PIO then SLLAO (kept so the capture re-encodes). */
	g_assert_cmpuint(m.opts.n_order, ==, 2);
	g_assert_cmpuint(m.opts.order[0].kind, ==, AERO_ND_OK_PIO);
	g_assert_cmpuint(m.opts.order[1].kind, ==, AERO_ND_OK_SLLAO);
	/* The canonical order would put the SLLAO first. */
	{
		uint8_t out[64];
		m.opts.n_order = 0;
		g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &m, &src, &dst), ==, 56);
		g_assert_cmphex(out[16], ==, AERO_ND_OPT_SLLAO);
		g_assert_cmphex(out[24], ==, AERO_ND_OPT_PIO);
	}
	g_free(v);
}

static void
test_real_pflag_ra(void)
{
	gsize n;
	guint8 *v = tu_load_vector("nd-real-pflag-ra", &n);
	struct aero_in6 src = ip6("fe80::fcec:adff:fead:fc11"), dst = ip6("ff02::1");
	struct aero_nd_msg m;
	const size_t ok[] = {16, 24, 56, 88};
	const char *pfx[3] = {"fd00:3:0:10::", "fd00:3:0:20::", "fd00:3:0:30::"};
	const bool l[3] = {true, false, true}, a[3] = {true, false, true};
	const bool bit10[3] = {true, true, false};

	g_assert_cmpuint(n, ==, 120);
	for (int mode = 0; mode < 2; mode++) {
		nd_roundtrip(v, n, mode ? &CTX_ETH_X : &CTX_ETH_P, &src, &dst, ok, 4, &m);
		g_assert_cmpuint(m.type, ==, AERO_ND_TYPE_RA);
		g_assert_cmphex(m.checksum, ==, 0xe404);
		g_assert_cmpuint(m.ra.cur_hop_limit, ==, 64);
		g_assert_false(m.ra.managed || m.ra.other || m.ra.home_agent || m.ra.proxy);
		g_assert_cmpuint(m.ra.prf, ==, 0);
		g_assert_cmpuint(m.ra.reserved, ==, 0);
		g_assert_cmpuint(m.ra.router_lifetime, ==, 1800);
		g_assert_cmpuint(m.ra.reachable_time, ==, 0);
		g_assert_cmpuint(m.ra.retrans_timer, ==, 0);
		g_assert_true(m.opts.has_sllao);
		assert_radvd_sllao(&m.opts.sllao);
		g_assert_false(m.opts.has_tllao || m.opts.has_mtu || m.opts.has_rho);
		g_assert_cmpuint(m.opts.n_rio, ==, 0);
		g_assert_cmpuint(m.opts.n_unknown, ==, 0);
		g_assert_cmpuint(m.opts.n_pio, ==, 3);
		g_assert_cmpuint(m.opts.n_order, ==, 4);
		g_assert_cmpuint(m.opts.order[0].kind, ==, AERO_ND_OK_SLLAO);
		for (int i = 0; i < 3; i++) {
			const struct aero_nd_pio *p = &m.opts.pio[i];
			g_assert_cmpuint(m.opts.order[i + 1].kind, ==, AERO_ND_OK_PIO);
			g_assert_cmpuint(m.opts.order[i + 1].idx, ==, i);
			g_assert_cmpuint(p->prefix_len, ==, 64);
			g_assert_cmpint(p->l, ==, l[i]);
			g_assert_cmpint(p->a, ==, a[i]);
			g_assert_false(p->r);
			g_assert_cmpint(p->p, ==, mode ? false : bit10[i]);
			g_assert_cmpint(p->x, ==, mode ? bit10[i] : false);
			g_assert_cmpuint(p->reserved1, ==, 0);
			g_assert_cmpuint(p->valid_lifetime, ==, 3600);
			g_assert_cmpuint(p->preferred_lifetime, ==, 1800);
			g_assert_cmpuint(p->reserved2, ==, 0);
			assert_ip6(&p->prefix, pfx[i]);
			if (mode) {
				struct aero_nd_pio_eff e = aero_wire_nd_pio_x_effective(p);
				g_assert_cmpint(e.x, ==, bit10[i]);
				g_assert_cmpint(e.l, ==, bit10[i] ? false : l[i]);
				g_assert_cmpint(e.a, ==, bit10[i] ? true : a[i]);
			}
		}
		/* This capture's order is the canonical one. */
		{
			uint8_t out[128];
			m.opts.n_order = 0;
			g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &m, &src, &dst), ==, 120);
			tu_assert_bytes(out, 120, v, 120);
		}
	}
	g_free(v);
}

static void
test_real_ns_na(void)
{
	gsize n;
	guint8 *v = tu_load_vector("nd-real-ns", &n);
	struct aero_in6 a = ip6("fe80::fcec:adff:fead:fc11");
	struct aero_in6 b = ip6("fe80::1f:64ff:fecf:d0e5");
	struct aero_in6 sn = ip6("ff02::1:ffcf:d0e5");
	struct aero_nd_msg m;
	const size_t ok[] = {24};
	const uint8_t mac_b[6] = {0x02, 0x1f, 0x64, 0xcf, 0xd0, 0xe5};

	nd_roundtrip(v, n, &CTX_ETH_P, &a, &sn, ok, 1, &m);
	g_assert_cmpuint(m.type, ==, AERO_ND_TYPE_NS);
	g_assert_cmphex(m.checksum, ==, 0x27bb);
	g_assert_cmpuint(m.reserved, ==, 0);
	assert_ip6(&m.target, "fe80::1f:64ff:fecf:d0e5");
	g_assert_true(m.opts.has_sllao);
	assert_radvd_sllao(&m.opts.sllao);
	g_assert_cmpuint(m.opts.n_order, ==, 1);
	g_free(v);

	v = tu_load_vector("nd-real-na", &n);
	nd_roundtrip(v, n, &CTX_ETH_P, &b, &a, ok, 1, &m);
	g_assert_cmpuint(m.type, ==, AERO_ND_TYPE_NA);
	g_assert_cmphex(m.checksum, ==, 0xd2f7);
	g_assert_false(m.na_router);
	g_assert_true(m.na_solicited);
	g_assert_true(m.na_override);
	g_assert_cmpuint(m.reserved, ==, 0);
	assert_ip6(&m.target, "fe80::1f:64ff:fecf:d0e5");
	g_assert_false(m.opts.has_sllao);
	g_assert_true(m.opts.has_tllao);
	g_assert_cmpint(m.opts.tllao.form, ==, AERO_ND_LLA_ETHERNET);
	tu_assert_bytes(m.opts.tllao.mac, 6, mac_b, 6);
	g_assert_cmpuint(m.opts.n_order, ==, 1);
	g_free(v);
}

/* Option-list round trip with truncations (a cut at 0 is an empty list). */
static void
opts_roundtrip(const uint8_t *v, size_t n, const struct aero_nd_ctx *ctx,
               struct aero_nd_opts *o)
{
	uint8_t out[256];
	struct aero_nd_opts t;

	g_assert_cmpint(aero_wire_nd_opts_decode(o, v, n, ctx), ==, (int)n);
	g_assert_cmpint(aero_wire_nd_opts_size(o), ==, (int)n);
	g_assert_cmpint(aero_wire_nd_opts_encode(out, sizeof out, o), ==, (int)n);
	tu_assert_bytes(out, n, v, n);
	for (size_t cap = 0; cap < n; cap++)
		g_assert_cmpint(aero_wire_nd_opts_encode(out, cap, o), ==, AERO_WIRE_E_NOBUF);
	g_assert_cmpint(aero_wire_nd_opts_decode(&t, v, 0, ctx), ==, 0);
	g_assert_cmpuint(t.n_order, ==, 0);
	for (size_t len = 1; len < n; len++)
		g_assert_cmpint(aero_wire_nd_opts_decode(&t, v, len, ctx), ==,
		                AERO_WIRE_E_TRUNCATED);
}

static void
test_tv13_vet_tllao(void)
{
	gsize n4, n6;
	guint8 *v4 = tu_load_vector("nd-tv13-vet-tllao-ipv4", &n4);
	guint8 *v6 = tu_load_vector("nd-tv13-vet-tllao-ipv6", &n6);
	struct aero_nd_opts o;

	g_assert_cmpuint(n4, ==, 8);
	g_assert_cmpuint(n6, ==, 24);
	opts_roundtrip(v4, n4, &CTX_AERO_P, &o);
	g_assert_true(o.has_tllao);
	g_assert_false(o.has_sllao);
	g_assert_cmpint(o.tllao.form, ==, AERO_ND_LLA_VET_IPV4);
	g_assert_cmpuint(o.tllao.reserved, ==, 0);
	assert_ip4(&o.tllao.ip4, "192.0.2.1");

	opts_roundtrip(v6, n6, &CTX_AERO_X, &o);
	g_assert_true(o.has_tllao);
	g_assert_cmpint(o.tllao.form, ==, AERO_ND_LLA_VET_IPV6);
	/* parses as P1 with port 0, link 0, pref 0 (digest 3.7) */
	g_assert_cmpuint(o.tllao.port, ==, 0);
	g_assert_cmpuint(o.tllao.link_id, ==, 0);
	g_assert_cmpuint(o.tllao.pref, ==, 0);
	g_assert_cmpuint(o.tllao.reserved, ==, 0);
	assert_ip6(&o.tllao.addr, "2001:db8::1");

	/* On an Ethernet link the same bytes are a MAC / an unknown form. */
	opts_roundtrip(v4, n4, &CTX_ETH_P, &o);
	g_assert_cmpint(o.tllao.form, ==, AERO_ND_LLA_ETHERNET);
	tu_assert_bytes(o.tllao.mac, 6, v4 + 2, 6);
	opts_roundtrip(v6, n6, NULL, &o);
	g_assert_cmpint(o.tllao.form, ==, AERO_ND_LLA_OTHER);
	g_assert_cmpuint(o.tllao.raw_len, ==, 22);
	g_assert_true(o.tllao.raw == v6 + 2);

	/* A P1 form (digest 3.7 [P]): port 8060, link 1, pref 2, ::ffff:192.0.2.1. */
	{
		gsize n;
		guint8 *p1 = tu_hex("01 03 1f 7c 01 02 00 00  00 00 00 00 00 00 00 00"
		                    "00 00 ff ff c0 00 02 01", &n);
		opts_roundtrip(p1, n, &CTX_AERO_P, &o);
		g_assert_true(o.has_sllao);
		g_assert_cmpint(o.sllao.form, ==, AERO_ND_LLA_P1);
		g_assert_cmpuint(o.sllao.port, ==, 8060);
		g_assert_cmpuint(o.sllao.link_id, ==, 1);
		g_assert_cmpuint(o.sllao.pref, ==, 2);
		g_assert_cmpuint(o.sllao.reserved, ==, 0);
		assert_ip6(&o.sllao.addr, "::ffff:192.0.2.1");
		g_free(p1);
		/* Length 2 on an AERO link: other */
		p1 = tu_hex("02 02 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e", &n);
		opts_roundtrip(p1, n, &CTX_AERO_P, &o);
		g_assert_cmpint(o.tllao.form, ==, AERO_ND_LLA_OTHER);
		g_assert_cmpuint(o.tllao.raw_len, ==, 14);
		g_free(p1);
	}
	g_free(v4);
	g_free(v6);
}

/* MTU, RIO (all three lengths), RHO and unknown options through a Redirect. */
static void
test_redirect_options(void)
{
	gsize n;
	guint8 *v = tu_hex(
	    "89 00 00 00 00 00 00 00"                         /* Redirect */
	    "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01" /* target */
	    "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02" /* dest */
	    "05 01 00 00 00 00 05 00"                         /* MTU 1280 */
	    "18 01 00 18 00 00 00 0a"                         /* RIO ::/0 low */
	    "18 02 30 08 00 00 01 00 20 01 0d b8 00 01 00 00" /* RIO /48 high */
	    "18 03 80 00 ff ff ff ff 20 01 0d b8 00 00 00 00"
	    "00 00 00 00 00 00 00 07"                         /* RIO /128 */
	    "0e 01 11 22 33 44 55 66"                         /* nonce (unknown) */
	    "04 02 00 00 00 00 00 00 60 00 00 00 00 00 3b 40" /* RHO */
	    "02 01 00 11 22 33 44 55",                        /* TLLAO */
	    &n);
	struct aero_in6 src = ip6("fe80::1"), dst = ip6("fe80::2");
	struct aero_nd_msg m;
	const size_t ok[] = {40, 48, 56, 72, 96, 104, 120};
	static uint8_t out[256];
	int len;

	/* Fill in the checksum with the encoder, then round trip. */
	g_assert_cmpint(aero_wire_nd_decode(&m, v, n, NULL, NULL, NULL), ==, (int)n);
	len = aero_wire_nd_encode(out, sizeof out, &m, &src, &dst);
	g_assert_cmpint(len, ==, (int)n);
	memcpy(v, out, n);
	nd_roundtrip(v, n, &CTX_ETH_P, &src, &dst, ok, 7, &m);
	g_assert_cmpuint(m.type, ==, AERO_ND_TYPE_REDIRECT);
	g_assert_cmpuint(m.reserved, ==, 0);
	assert_ip6(&m.target, "2001:db8::1");
	assert_ip6(&m.dest, "2001:db8::2");
	g_assert_true(m.opts.has_mtu);
	g_assert_cmpuint(m.opts.mtu, ==, 1280);
	g_assert_cmpuint(m.opts.mtu_reserved, ==, 0);
	g_assert_cmpuint(m.opts.n_rio, ==, 3);
	g_assert_cmpuint(m.opts.rio[0].len_units, ==, 1);
	g_assert_cmpuint(m.opts.rio[0].prefix_len, ==, 0);
	g_assert_cmpuint(m.opts.rio[0].prf, ==, AERO_ND_PRF_LOW);
	g_assert_cmpuint(m.opts.rio[0].lifetime, ==, 10);
	assert_ip6(&m.opts.rio[0].prefix, "::");
	g_assert_cmpuint(m.opts.rio[1].len_units, ==, 2);
	g_assert_cmpuint(m.opts.rio[1].prefix_len, ==, 48);
	g_assert_cmpuint(m.opts.rio[1].prf, ==, AERO_ND_PRF_HIGH);
	g_assert_cmpuint(m.opts.rio[1].reserved, ==, 0);
	g_assert_cmpuint(m.opts.rio[1].lifetime, ==, 256);
	assert_ip6(&m.opts.rio[1].prefix, "2001:db8:1::");
	g_assert_cmpuint(m.opts.rio[2].len_units, ==, 3);
	g_assert_cmpuint(m.opts.rio[2].prefix_len, ==, 128);
	g_assert_cmpuint(m.opts.rio[2].prf, ==, AERO_ND_PRF_MEDIUM);
	g_assert_cmpuint(m.opts.rio[2].lifetime, ==, 0xffffffffu);
	assert_ip6(&m.opts.rio[2].prefix, "2001:db8::7");
	g_assert_cmpuint(m.opts.n_unknown, ==, 1);
	g_assert_cmpuint(m.opts.unknown[0].type, ==, 14);
	g_assert_cmpuint(m.opts.unknown[0].data_len, ==, 6);
	g_assert_true(m.opts.unknown[0].data == v + 98);
	g_assert_true(m.opts.has_rho);
	g_assert_cmpuint(m.opts.rho_len, ==, 8);
	g_assert_true(m.opts.rho == v + 112);
	g_assert_true(m.opts.has_tllao);
	g_assert_cmpint(m.opts.tllao.form, ==, AERO_ND_LLA_ETHERNET);
	/* RHO padding: a 3-byte packet encodes as 8 bytes of zero-padded data. */
	{
		const uint8_t pkt[3] = {0x60, 0x01, 0x02};
		struct aero_nd_opts o, t;
		memset(&o, 0, sizeof o);
		o.has_rho = true;
		o.rho = pkt;
		o.rho_len = 3;
		g_assert_cmpint(aero_wire_nd_opts_encode(out, sizeof out, &o), ==, 16);
		g_assert_cmphex(out[1], ==, 2);
		g_assert_cmphex(out[8], ==, 0x60);
		g_assert_cmphex(out[10], ==, 0x02);
		g_assert_cmphex(out[11] | out[12] | out[13] | out[14] | out[15], ==, 0);
		g_assert_cmpint(aero_wire_nd_opts_decode(&t, out, 16, NULL), ==, 16);
		g_assert_cmpuint(t.rho_len, ==, 8);
		/* RIO len_units 0 = smallest */
		memset(&o, 0, sizeof o);
		o.n_rio = 3;
		o.rio[0].prefix_len = 0;
		o.rio[1].prefix_len = 64;
		o.rio[2].prefix_len = 65;
		g_assert_cmpint(aero_wire_nd_opts_encode(out, sizeof out, &o), ==, 8 + 16 + 24);
		g_assert_cmphex(out[1], ==, 1);
		g_assert_cmphex(out[9], ==, 2);
		g_assert_cmphex(out[25], ==, 3);
	}
	g_free(v);
}

/* ---- error codes ------------------------------------------------------------ */

static int
dec_hex(const char *hex, const struct aero_nd_ctx *ctx)
{
	gsize n;
	guint8 *v = tu_hex(hex, &n);
	struct aero_nd_msg m;
	int rc = aero_wire_nd_decode(&m, v, n, ctx, NULL, NULL);

	g_free(v);
	return rc;
}

static void
test_decode_errors(void)
{
	static uint8_t buf[4096];
	struct aero_nd_msg m;
	size_t i;

	/* TRUNCATED */
	g_assert_cmpint(dec_hex("85 00 00", NULL), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_hex("85 00 00 00 00 00 00", NULL), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_hex("86 00 00 00 00 00 00 00 00 00 00 00 00 00 00", NULL), ==,
	                AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_hex("87 00 00 00 00 00 00 00", NULL), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_hex("88 00 00 00 00 00 00 00", NULL), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_hex("89 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	                        "00 00 00 00 00 00 00 00", NULL), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_hex("85 00 00 00 00 00 00 00 01", NULL), ==, AERO_WIRE_E_TRUNCATED);
	g_assert_cmpint(dec_hex("85 00 00 00 00 00 00 00 01 02 00 00 00 00 00 00", NULL), ==,
	                AERO_WIRE_E_TRUNCATED);
	/* TYPE */
	g_assert_cmpint(dec_hex("80 00 00 00 00 00 00 00", NULL), ==, AERO_WIRE_E_TYPE);
	g_assert_cmpint(dec_hex("84 00 00 00 00 00 00 00", NULL), ==, AERO_WIRE_E_TYPE);
	g_assert_cmpint(dec_hex("8a 00 00 00 00 00 00 00", NULL), ==, AERO_WIRE_E_TYPE);
	g_assert_cmpint(dec_hex("01 00 00 00 00 00 00 00", NULL), ==, AERO_WIRE_E_TYPE);
	/* FIELD: Code not 0 (RFC 4861 6.1.1) */
	g_assert_cmpint(dec_hex("85 01 00 00 00 00 00 00", NULL), ==, AERO_WIRE_E_FIELD);
	g_assert_cmpint(dec_hex("86 ff 00 00", NULL), ==, AERO_WIRE_E_FIELD);
	/* CHECKSUM */
	{
		struct aero_in6 s = ip6("fe80::5efe:c000:201"), d = ip6("ff02::2");
		gsize n;
		guint8 *v = tu_hex("85 00 5c 36 00 00 00 00", &n);
		g_assert_cmpint(aero_wire_nd_decode(&m, v, n, NULL, &s, &d), ==,
		                AERO_WIRE_E_CHECKSUM);
		g_free(v);
	}
	/* BADLEN */
	const char *badlen[] = {
		"85 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00",  /* Length 0 */
		"85 00 00 00 00 00 00 00 03 03 40 00 00 00 00 00"
		"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",  /* PIO len 3 */
		"85 00 00 00 00 00 00 00 03 04 81 00 00 00 00 00"
		"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
		"00 00 00 00 00 00 00 00",                          /* PIO plen 129 */
		"85 00 00 00 00 00 00 00 05 02 00 00 00 00 00 00"
		"00 00 00 00 00 00 00 00",                          /* MTU len 2 */
		"85 00 00 00 00 00 00 00 18 04 00 00 00 00 00 00"
		"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
		"00 00 00 00 00 00 00 00",                          /* RIO len 4 */
		"85 00 00 00 00 00 00 00 18 02 41 00 00 00 00 00"
		"00 00 00 00 00 00 00 00",                          /* RIO /65 len 2 */
		"85 00 00 00 00 00 00 00 18 01 01 00 00 00 00 00",  /* RIO /1 len 1 */
		"85 00 00 00 00 00 00 00 18 03 81 00 00 00 00 00"
		"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",  /* RIO /129 */
	};
	for (i = 0; i < G_N_ELEMENTS(badlen); i++)
		g_assert_cmpint(dec_hex(badlen[i], NULL), ==, AERO_WIRE_E_BADLEN);
	/* DUPLICATE singletons */
	const char *dup[] = {
		"85 00 00 00 00 00 00 00 01 01 00 00 00 00 00 00 01 01 00 00 00 00 00 00",
		"85 00 00 00 00 00 00 00 02 01 00 00 00 00 00 00 02 01 00 00 00 00 00 00",
		"85 00 00 00 00 00 00 00 05 01 00 00 00 00 00 00 05 01 00 00 00 00 00 00",
		"85 00 00 00 00 00 00 00 04 01 00 00 00 00 00 00 04 01 00 00 00 00 00 00",
	};
	for (i = 0; i < G_N_ELEMENTS(dup); i++)
		g_assert_cmpint(dec_hex(dup[i], &CTX_AERO_P), ==, AERO_WIRE_E_DUPLICATE);
	/* TOOMANY: 17 PIOs, RIOs or unknown options (16 is fine) */
	for (int kind = 0; kind < 3; kind++) {
		size_t osz = kind == 0 ? 32 : 8, off = 8;
		memset(buf, 0, sizeof buf);
		buf[0] = AERO_ND_TYPE_RS;
		for (i = 0; i < 17; i++, off += osz) {
			buf[off] = kind == 0 ? AERO_ND_OPT_PIO : kind == 1 ? AERO_ND_OPT_RIO : 200;
			buf[off + 1] = (uint8_t)(osz / 8);
			if (i == 15)
				g_assert_cmpint(aero_wire_nd_decode(&m, buf, off + osz, NULL, NULL, NULL),
				                ==, (int)(off + osz));
		}
		g_assert_cmpint(aero_wire_nd_decode(&m, buf, off, NULL, NULL, NULL), ==,
		                AERO_WIRE_E_TOOMANY);
	}
}

static void
test_encode_errors(void)
{
	static uint8_t out[BUFCAP];
	static struct aero_nd_msg m, base;
	const uint8_t raw[16] = {0};

	memset(&base, 0, sizeof base);
	base.type = AERO_ND_TYPE_RA;
#define EXPECT_INVAL(stmt) do { m = base; stmt; \
	g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &m, NULL, NULL), ==, \
	                AERO_WIRE_E_INVAL); } while (0)
	g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &base, NULL, NULL), ==, 16);
	EXPECT_INVAL(m.type = 132);
	EXPECT_INVAL(m.ra.prf = 4);
	EXPECT_INVAL(m.ra.reserved = 4);
	EXPECT_INVAL((m.type = AERO_ND_TYPE_NA, m.reserved = 0x20000000u));
	EXPECT_INVAL((m.opts.n_pio = 1, m.opts.pio[0].x = m.opts.pio[0].p = true));
	EXPECT_INVAL((m.opts.n_pio = 1, m.opts.pio[0].prefix_len = 129));
	EXPECT_INVAL((m.opts.n_pio = 1, m.opts.pio[0].reserved1 = 0x10));
	EXPECT_INVAL(m.opts.n_pio = AERO_ND_MAX_PIO + 1);
	EXPECT_INVAL(m.opts.n_rio = AERO_ND_MAX_RIO + 1);
	EXPECT_INVAL(m.opts.n_unknown = AERO_ND_MAX_UNKNOWN + 1);
	EXPECT_INVAL((m.opts.n_rio = 1, m.opts.rio[0].prefix_len = 129));
	EXPECT_INVAL((m.opts.n_rio = 1, m.opts.rio[0].prf = 4));
	EXPECT_INVAL((m.opts.n_rio = 1, m.opts.rio[0].reserved = 0x18));
	EXPECT_INVAL((m.opts.n_rio = 1, m.opts.rio[0].len_units = 4));
	EXPECT_INVAL((m.opts.n_rio = 1, m.opts.rio[0].prefix_len = 8, m.opts.rio[0].len_units = 1));
	EXPECT_INVAL((m.opts.n_rio = 1, m.opts.rio[0].prefix_len = 65, m.opts.rio[0].len_units = 2));
	EXPECT_INVAL((m.opts.has_sllao = true, m.opts.sllao.form = 99));
	EXPECT_INVAL((m.opts.has_tllao = true, m.opts.tllao.form = AERO_ND_LLA_OTHER,
	              m.opts.tllao.raw = raw, m.opts.tllao.raw_len = 5));
	EXPECT_INVAL((m.opts.has_tllao = true, m.opts.tllao.form = AERO_ND_LLA_OTHER,
	              m.opts.tllao.raw_len = 6));
	EXPECT_INVAL((m.opts.has_tllao = true, m.opts.tllao.form = AERO_ND_LLA_OTHER,
	              m.opts.tllao.raw = raw, m.opts.tllao.raw_len = 2046));
	EXPECT_INVAL((m.opts.has_rho = true, m.opts.rho = raw, m.opts.rho_len = 2033));
	EXPECT_INVAL((m.opts.has_rho = true, m.opts.rho_len = 8));
	EXPECT_INVAL((m.opts.n_unknown = 1, m.opts.unknown[0].type = AERO_ND_OPT_MTU,
	              m.opts.unknown[0].data = raw, m.opts.unknown[0].data_len = 6));
	EXPECT_INVAL((m.opts.n_unknown = 1, m.opts.unknown[0].type = 1,
	              m.opts.unknown[0].data = raw, m.opts.unknown[0].data_len = 6));
	for (uint8_t t = 2; t <= 24; t++)
		if (t <= 5 || t == 24)
			EXPECT_INVAL((m.opts.n_unknown = 1, m.opts.unknown[0].type = t,
			              m.opts.unknown[0].data = raw, m.opts.unknown[0].data_len = 6));
	EXPECT_INVAL((m.opts.n_unknown = 1, m.opts.unknown[0].type = 99,
	              m.opts.unknown[0].data = raw, m.opts.unknown[0].data_len = 7));
	EXPECT_INVAL((m.opts.n_unknown = 1, m.opts.unknown[0].type = 99,
	              m.opts.unknown[0].data_len = 6));
	EXPECT_INVAL((m.opts.n_unknown = 1, m.opts.unknown[0].type = 99,
	              m.opts.unknown[0].data = raw, m.opts.unknown[0].data_len = 2046));
	/* order lists that do not name every option exactly once */
	EXPECT_INVAL((m.opts.has_mtu = true, m.opts.n_order = 2,
	              m.opts.order[0] = (struct aero_nd_opt_ref){AERO_ND_OK_MTU, 0},
	              m.opts.order[1] = (struct aero_nd_opt_ref){AERO_ND_OK_MTU, 0}));
	EXPECT_INVAL((m.opts.has_mtu = true, m.opts.n_order = 1,
	              m.opts.order[0] = (struct aero_nd_opt_ref){AERO_ND_OK_SLLAO, 0}));
	EXPECT_INVAL((m.opts.has_mtu = true, m.opts.n_order = 1,
	              m.opts.order[0] = (struct aero_nd_opt_ref){AERO_ND_OK_MTU, 1}));
	EXPECT_INVAL((m.opts.has_mtu = true, m.opts.n_order = 1,
	              m.opts.order[0] = (struct aero_nd_opt_ref){99, 0}));
	EXPECT_INVAL((m.opts.n_pio = 2, m.opts.n_order = 2,
	              m.opts.order[0] = (struct aero_nd_opt_ref){AERO_ND_OK_PIO, 1},
	              m.opts.order[1] = (struct aero_nd_opt_ref){AERO_ND_OK_PIO, 1}));
	EXPECT_INVAL((m.opts.has_mtu = true, m.opts.n_order = AERO_ND_MAX_OPTS + 1));
	/* the option-list encoder alone */
	m = base;
	m.opts.n_rio = 1;
	m.opts.rio[0].prf = 4;
	g_assert_cmpint(aero_wire_nd_opts_encode(out, sizeof out, &m.opts), ==, AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_wire_nd_opts_size(&m.opts), ==, AERO_WIRE_E_INVAL);
	/* only one of src/dst: checksum left 0 */
	{
		struct aero_in6 a = ip6("fe80::1");
		m = base;
		g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &m, &a, NULL), ==, 16);
		g_assert_cmphex(out[2] | out[3], ==, 0);
		g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &m, NULL, &a), ==, 16);
		g_assert_cmphex(out[2] | out[3], ==, 0);
	}
	/* every kind is accepted in an order list */
	m = base;
	m.opts.has_sllao = m.opts.has_tllao = m.opts.has_mtu = m.opts.has_rho = true;
	m.opts.n_pio = m.opts.n_rio = m.opts.n_unknown = 1;
	m.opts.unknown[0].type = 99;
	m.opts.unknown[0].data = raw;
	m.opts.unknown[0].data_len = 6;
	for (int k = AERO_ND_OK_UNKNOWN; k >= 0; k--)
		m.opts.order[m.opts.n_order++] = (struct aero_nd_opt_ref){(uint8_t)k, 0};
	g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &m, NULL, NULL), ==,
	                16 + 8 + 8 + 8 + 32 + 8 + 8 + 8);
	g_assert_cmphex(out[16], ==, 99);
	g_assert_cmphex(out[16 + 8], ==, AERO_ND_OPT_RHO);
	g_assert_cmphex(out[16 + 16], ==, AERO_ND_OPT_RIO);
	g_assert_cmphex(out[16 + 24], ==, AERO_ND_OPT_PIO);
	g_assert_cmphex(out[16 + 56], ==, AERO_ND_OPT_MTU);
	g_assert_cmphex(out[16 + 64], ==, AERO_ND_OPT_TLLAO);
	g_assert_cmphex(out[16 + 72], ==, AERO_ND_OPT_SLLAO);
#undef EXPECT_INVAL
}

static void
test_names(void)
{
	g_assert_cmpstr(aero_wire_nd_type_name(133), ==, "RS");
	g_assert_cmpstr(aero_wire_nd_type_name(134), ==, "RA");
	g_assert_cmpstr(aero_wire_nd_type_name(135), ==, "NS");
	g_assert_cmpstr(aero_wire_nd_type_name(136), ==, "NA");
	g_assert_cmpstr(aero_wire_nd_type_name(137), ==, "Redirect");
	g_assert_cmpstr(aero_wire_nd_type_name(1), ==, "unknown");
	g_assert_cmpstr(aero_wire_nd_prf_name(0), ==, "medium");
	g_assert_cmpstr(aero_wire_nd_prf_name(1), ==, "high");
	g_assert_cmpstr(aero_wire_nd_prf_name(2), ==, "reserved");
	g_assert_cmpstr(aero_wire_nd_prf_name(3), ==, "low");
	g_assert_cmpstr(aero_wire_nd_lla_form_name(AERO_ND_LLA_ETHERNET), ==, "ethernet");
	g_assert_cmpstr(aero_wire_nd_lla_form_name(AERO_ND_LLA_VET_IPV4), ==, "vet-ipv4");
	g_assert_cmpstr(aero_wire_nd_lla_form_name(AERO_ND_LLA_VET_IPV6), ==, "vet-ipv6");
	g_assert_cmpstr(aero_wire_nd_lla_form_name(AERO_ND_LLA_P1), ==, "p1");
	g_assert_cmpstr(aero_wire_nd_lla_form_name(AERO_ND_LLA_OTHER), ==, "other");
}

/* 0xffff and 0x0000 are both ones'-complement zero: a message received
 * with 0xffff re-encodes with 0xffff, otherwise the encoder writes 0. */
static void
test_checksum_negative_zero(void)
{
	struct aero_in6 src = ip6("fe80::1"), dst = ip6("ff02::2");
	static struct aero_nd_msg m;
	uint8_t out[8], in[8];

	memset(&m, 0, sizeof m);
	m.type = AERO_ND_TYPE_RS;
	g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &m, &src, &dst), ==, 8);
	/* Reserved = the checksum of the all-zero body makes the sum 0xffff. */
	m.reserved = (uint32_t)((out[2] << 8) | out[3]) << 16;
	g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &m, &src, &dst), ==, 8);
	g_assert_cmphex(out[2] | out[3], ==, 0);
	memcpy(in, out, 8);
	in[2] = in[3] = 0xff;
	g_assert_cmpint(aero_wire_nd_decode(&m, in, 8, NULL, &src, &dst), ==, 8);
	g_assert_cmphex(m.checksum, ==, 0xffff);
	g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &m, &src, &dst), ==, 8);
	tu_assert_bytes(out, 8, in, 8);
	/* Without src/dst the field is simply 0. */
	g_assert_cmpint(aero_wire_nd_encode(out, sizeof out, &m, NULL, NULL), ==, 8);
	g_assert_cmphex(out[2] | out[3], ==, 0);
}

/* ---- randomised round trips --------------------------------------------------- */

static void
test_random_roundtrip(void)
{
	GRand *r = tu_rand();
	static struct rpool pool;
	static uint8_t b1[BUFCAP], b2[BUFCAP];
	static struct aero_nd_msg m, d, d2;
	const struct aero_nd_ctx *ctxs[4] = {&CTX_ETH_P, &CTX_ETH_X, &CTX_AERO_P, &CTX_AERO_X};
	unsigned count[5] = {0};

	for (int it = 0; it < 3000; it++) {
		uint8_t type = (uint8_t)(AERO_ND_TYPE_RS + it % 5);
		const struct aero_nd_ctx *ctx = ctxs[g_rand_int_range(r, 0, 4)];
		struct aero_in6 src, dst;
		int n1, n2;

		pool.used = 0;
		tu_rand_bytes(r, src.b, 16);
		tu_rand_bytes(r, dst.b, 16);
		rand_nd_msg(r, &m, type, ctx, &pool);
		n1 = aero_wire_nd_encode(b1, sizeof b1, &m, &src, &dst);
		g_assert_cmpint(n1, >, 0);
		g_assert_cmpint(aero_wire_nd_decode(&d, b1, (size_t)n1, ctx, &src, &dst), ==, n1);
		assert_nd_equal(&m, &d);
		n2 = aero_wire_nd_encode(b2, sizeof b2, &d, &src, &dst);
		g_assert_cmpint(n2, ==, n1);
		tu_assert_bytes(b2, (size_t)n2, b1, (size_t)n1);
		/* the canonical order gives a valid message with the same content */
		d.opts.n_order = 0;
		n2 = aero_wire_nd_encode(b2, sizeof b2, &d, NULL, NULL);
		g_assert_cmpint(n2, ==, n1);
		g_assert_cmpint(aero_wire_nd_decode(&d2, b2, (size_t)n2, ctx, NULL, NULL), ==, n2);
		d2.opts.n_order = 0;
		assert_nd_equal(&m, &d2);
		if (it < 25) {
			nobuf_src = &src;
			nobuf_dst = &dst;
			assert_nobuf_all(enc_nd, &m, (size_t)n1);
		}
		count[it % 5]++;
	}
	for (int i = 0; i < 5; i++)
		g_assert_cmpuint(count[i], >=, 500);
	g_rand_free(r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wire/nd/tv6-rs", test_tv6_rs);
	g_test_add_func("/wire/nd/tv7-ra-pio-modes", test_tv7_ra);
	g_test_add_func("/wire/nd/pio-x-rules", test_pio_x_rules);
	g_test_add_func("/wire/nd/real-radvd-ra", test_real_radvd_ra);
	g_test_add_func("/wire/nd/real-pflag-ra", test_real_pflag_ra);
	g_test_add_func("/wire/nd/real-ns-na", test_real_ns_na);
	g_test_add_func("/wire/nd/tv13-vet-tllao", test_tv13_vet_tllao);
	g_test_add_func("/wire/nd/redirect-options", test_redirect_options);
	g_test_add_func("/wire/nd/decode-errors", test_decode_errors);
	g_test_add_func("/wire/nd/encode-errors", test_encode_errors);
	g_test_add_func("/wire/nd/names", test_names);
	g_test_add_func("/wire/nd/checksum-negative-zero", test_checksum_negative_zero);
	g_test_add_func("/wire/nd/random-roundtrip", test_random_roundtrip);
	return g_test_run();
}

#endif /* ND_HELPERS_ONLY */
