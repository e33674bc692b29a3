/*
 * DHCPv6 messages and options (core/src/wire/dhcp6.c): digest TV3/TV4/TV5,
 * real peer messages from /work/shared/peers/pcaps, seeded random round
 * trips, every decoder and encoder error.
 */
#include "testutil.h"
#include "aero/wire_dhcp6.h"

#include <arpa/inet.h>
#include <limits.h>
#include <string.h>

#define BUFCAP 262144

#define ip6(s) tu_in6(s)

static void
assert_ip6(const struct aero_in6 *a, const char *s)
{
	tu_assert_in6(*a, s);
}

/* Exactly one IA_PD carrying exactly one IAPREFIX, with these values. */
static void
assert_one_prefix(const struct aero_dhcp6_msg *m, uint32_t iaid, uint32_t t1,
                  uint32_t t2, uint32_t preferred, uint32_t valid, uint8_t plen,
                  const char *prefix)
{
	g_assert_cmpuint(m->n_iapd, ==, 1);
	g_assert_cmpuint(m->iapd[0].iaid, ==, iaid);
	g_assert_cmpuint(m->iapd[0].t1, ==, t1);
	g_assert_cmpuint(m->iapd[0].t2, ==, t2);
	g_assert_cmpuint(m->iapd[0].n_prefix, ==, 1);
	g_assert_cmpuint(m->iapd[0].prefix[0].preferred, ==, preferred);
	g_assert_cmpuint(m->iapd[0].prefix[0].valid, ==, valid);
	g_assert_cmpuint(m->iapd[0].prefix[0].plen, ==, plen);
	assert_ip6(&m->iapd[0].prefix[0].prefix, prefix);
}

/* ---- field comparison ---------------------------------------------------- */

static void
blob_eq(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	g_assert_cmpuint(an, ==, bn);
	if (an > 0) {
		g_assert_nonnull(a);
		g_assert_nonnull(b);
		tu_assert_bytes(a, an, b, bn);
	}
}

static void
duid_eq(const struct aero_dhcp6_duid *a, const struct aero_dhcp6_duid *b)
{
	g_assert_cmpuint(a->type, ==, b->type);
	g_assert_cmpuint(a->hwtype, ==, b->hwtype);
	g_assert_cmpuint(a->time, ==, b->time);
	g_assert_cmpuint(a->enterprise, ==, b->enterprise);
	tu_assert_bytes(a->uuid, 16, b->uuid, 16);
	blob_eq(a->data, a->data_len, b->data, b->data_len);
}

static void
status_eq(bool ha, const struct aero_dhcp6_status *a, bool hb,
          const struct aero_dhcp6_status *b)
{
	g_assert_cmpint(ha, ==, hb);
	if (!ha)
		return;
	g_assert_cmpuint(a->code, ==, b->code);
	blob_eq(a->msg, a->msg_len, b->msg, b->msg_len);
}

static void
unk_eq(const struct aero_dhcp6_opt *a, size_t an,
       const struct aero_dhcp6_opt *b, size_t bn)
{
	g_assert_cmpuint(an, ==, bn);
	for (size_t i = 0; i < an; i++) {
		g_assert_cmpuint(a[i].code, ==, b[i].code);
		blob_eq(a[i].data, a[i].len, b[i].data, b[i].len);
	}
}

static void
iapd_eq(const struct aero_dhcp6_iapd *a, const struct aero_dhcp6_iapd *b)
{
	g_assert_cmpuint(a->iaid, ==, b->iaid);
	g_assert_cmpuint(a->t1, ==, b->t1);
	g_assert_cmpuint(a->t2, ==, b->t2);
	g_assert_cmpuint(a->n_prefix, ==, b->n_prefix);
	for (size_t i = 0; i < a->n_prefix; i++) {
		const struct aero_dhcp6_iaprefix *x = &a->prefix[i], *y = &b->prefix[i];

		g_assert_cmpuint(x->preferred, ==, y->preferred);
		g_assert_cmpuint(x->valid, ==, y->valid);
		g_assert_cmpuint(x->plen, ==, y->plen);
		tu_assert_bytes(x->prefix.b, 16, y->prefix.b, 16);
		status_eq(x->has_status, &x->status, y->has_status, &y->status);
		unk_eq(x->unknown, x->n_unknown, y->unknown, y->n_unknown);
	}
	status_eq(a->has_status, &a->status, b->has_status, &b->status);
	unk_eq(a->unknown, a->n_unknown, b->unknown, b->n_unknown);
}

/* Presence flags as a bit mask (for compact assertions). */
enum {
	F_CLIENTID = 1 << 0, F_SERVERID = 1 << 1, F_ORO = 1 << 2,
	F_PREFERENCE = 1 << 3, F_ELAPSED = 1 << 4, F_RELAY_MSG = 1 << 5,
	F_AUTH = 1 << 6, F_STATUS = 1 << 7, F_RAPID = 1 << 8,
	F_INTERFACE_ID = 1 << 9, F_RECONF = 1 << 10, F_SOL_MAX_RT = 1 << 11,
};

static unsigned
flags(const struct aero_dhcp6_msg *m)
{
	return (m->has_clientid ? F_CLIENTID : 0) |
	       (m->has_serverid ? F_SERVERID : 0) |
	       (m->has_oro ? F_ORO : 0) |
	       (m->has_preference ? F_PREFERENCE : 0) |
	       (m->has_elapsed ? F_ELAPSED : 0) |
	       (m->has_relay_msg ? F_RELAY_MSG : 0) |
	       (m->has_auth ? F_AUTH : 0) |
	       (m->has_status ? F_STATUS : 0) |
	       (m->has_rapid_commit ? F_RAPID : 0) |
	       (m->has_interface_id ? F_INTERFACE_ID : 0) |
	       (m->has_reconf_msg ? F_RECONF : 0) |
	       (m->has_sol_max_rt ? F_SOL_MAX_RT : 0);
}

/* Number of top-level options a decoded message holds. */
static size_t
n_opts(const struct aero_dhcp6_msg *m)
{
	size_t n = m->n_iapd + m->n_unknown;

	for (unsigned f = flags(m); f; f &= f - 1)
		n++;
	return n;
}

static void
msg_eq(const struct aero_dhcp6_msg *a, const struct aero_dhcp6_msg *b)
{
	g_assert_cmpuint(a->msg_type, ==, b->msg_type);
	g_assert_cmphex(a->transaction_id, ==, b->transaction_id);
	g_assert_cmpuint(a->hop_count, ==, b->hop_count);
	tu_assert_bytes(a->link_addr.b, 16, b->link_addr.b, 16);
	tu_assert_bytes(a->peer_addr.b, 16, b->peer_addr.b, 16);
	g_assert_cmphex(flags(a), ==, flags(b));
	if (a->has_clientid)
		duid_eq(&a->clientid, &b->clientid);
	if (a->has_serverid)
		duid_eq(&a->serverid, &b->serverid);
	if (a->has_oro) {
		g_assert_cmpuint(a->n_oro, ==, b->n_oro);
		for (size_t i = 0; i < a->n_oro; i++)
			g_assert_cmpuint(a->oro[i], ==, b->oro[i]);
	}
	if (a->has_preference)
		g_assert_cmpuint(a->preference, ==, b->preference);
	if (a->has_elapsed)
		g_assert_cmpuint(a->elapsed, ==, b->elapsed);
	if (a->has_relay_msg)
		blob_eq(a->relay_msg, a->relay_msg_len, b->relay_msg, b->relay_msg_len);
	if (a->has_auth) {
		g_assert_cmpuint(a->auth.protocol, ==, b->auth.protocol);
		g_assert_cmpuint(a->auth.algorithm, ==, b->auth.algorithm);
		g_assert_cmpuint(a->auth.rdm, ==, b->auth.rdm);
		g_assert_cmpuint(a->auth.replay, ==, b->auth.replay);
		blob_eq(a->auth.info, a->auth.info_len, b->auth.info, b->auth.info_len);
	}
	status_eq(a->has_status, &a->status, b->has_status, &b->status);
	if (a->has_interface_id)
		blob_eq(a->interface_id, a->interface_id_len, b->interface_id,
		        b->interface_id_len);
	if (a->has_reconf_msg)
		g_assert_cmpuint(a->reconf_msg, ==, b->reconf_msg);
	if (a->has_sol_max_rt)
		g_assert_cmpuint(a->sol_max_rt, ==, b->sol_max_rt);
	g_assert_cmpuint(a->n_iapd, ==, b->n_iapd);
	for (size_t i = 0; i < a->n_iapd; i++)
		iapd_eq(&a->iapd[i], &b->iapd[i]);
	unk_eq(a->unknown, a->n_unknown, b->unknown, b->n_unknown);
}

/* ---- vector helpers -------------------------------------------------------- */

static void
assert_duid_ll(const struct aero_dhcp6_duid *d, const char *mac_hex)
{
	gsize n;
	guint8 *mac = tu_hex(mac_hex, &n);

	g_assert_cmpuint(d->type, ==, AERO_DHCP6_DUID_LL);
	g_assert_cmpuint(d->hwtype, ==, 1);
	g_assert_cmpuint(d->time, ==, 0);
	g_assert_cmpuint(d->enterprise, ==, 0);
	blob_eq(d->data, d->data_len, mac, n);
	g_free(mac);
}

static void
assert_duid_llt(const struct aero_dhcp6_duid *d, uint32_t time,
                const char *mac_hex)
{
	gsize n;
	guint8 *mac = tu_hex(mac_hex, &n);

	g_assert_cmpuint(d->type, ==, AERO_DHCP6_DUID_LLT);
	g_assert_cmpuint(d->hwtype, ==, 1);
	g_assert_cmphex(d->time, ==, time);
	blob_eq(d->data, d->data_len, mac, n);
	g_free(mac);
}

static void
assert_str(const uint8_t *p, size_t n, const char *s)
{
	blob_eq(p, n, (const uint8_t *)s, strlen(s));
}

/* Offsets where the top-level options of buf start, plus len itself. */
static size_t
boundaries(const uint8_t *buf, size_t len, size_t *out, size_t cap)
{
	size_t off = (buf[0] == AERO_DHCP6_RELAY_FORW ||
	              buf[0] == AERO_DHCP6_RELAY_REPL) ?
	             AERO_DHCP6_RELAY_HDR_LEN : AERO_DHCP6_HDR_LEN;
	size_t n = 0;

	while (off < len) {
		g_assert_cmpuint(n, <, cap);
		out[n++] = off;
		off += AERO_DHCP6_OPT_HDR_LEN + ((size_t)buf[off + 2] << 8 | buf[off + 3]);
	}
	g_assert_cmpuint(off, ==, len);
	out[n++] = len;
	return n;
}

/*
 * Every truncation 0..len-1 of a valid message: a cut exactly at a top-level
 * option boundary is a valid message with the options before it (relay
 * messages: AERO_WIRE_E_MISSING while RELAY_MSG is cut off); any other cut
 * fails with a negative code.
 */
static void
check_truncations(const uint8_t *buf, size_t len)
{
	size_t bd[256];
	size_t nb = boundaries(buf, len, bd, G_N_ELEMENTS(bd));
	struct aero_dhcp6_msg *full = g_new0(struct aero_dhcp6_msg, 1);
	struct aero_dhcp6_msg *m = g_new0(struct aero_dhcp6_msg, 1);
	bool relay = buf[0] == AERO_DHCP6_RELAY_FORW || buf[0] == AERO_DHCP6_RELAY_REPL;
	size_t relay_at = SIZE_MAX;

	g_assert_cmpint(aero_wire_dhcp6_decode(full, buf, len), ==, (int)len);
	g_assert_cmpuint(n_opts(full), ==, nb - 1);
	for (size_t i = 0; i + 1 < nb; i++)
		if (buf[bd[i]] == 0 && buf[bd[i] + 1] == AERO_DHCP6_OPT_RELAY_MSG)
			relay_at = bd[i];
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = g_memdup2(buf, cut); /* exact size: ASan sees overreads */
		int rc = aero_wire_dhcp6_decode(m, copy, cut);
		size_t k = nb;

		for (size_t i = 0; i < nb; i++)
			if (bd[i] == cut)
				k = i;
		if (k == nb) {
			g_assert_cmpint(rc, <, 0);
		} else if (relay && cut <= relay_at) {
			g_assert_cmpint(rc, ==, AERO_WIRE_E_MISSING);
		} else {
			g_assert_cmpint(rc, ==, (int)cut);
			g_assert_cmpuint(n_opts(m), ==, k);
			g_assert_cmpuint(m->msg_type, ==, full->msg_type);
			g_assert_cmphex(m->transaction_id, ==, full->transaction_id);
		}
		g_free(copy);
	}
	g_free(full);
	g_free(m);
}

/* Re-encoding gives back the same bytes; every smaller cap is NOBUF. */
static void
check_reencode(const struct aero_dhcp6_msg *m, const uint8_t *buf, size_t len)
{
	uint8_t *out = g_malloc(len + 16);

	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, (int)len);
	memset(out, 0xee, len + 16);
	g_assert_cmpint(aero_wire_dhcp6_encode(out, len + 16, m), ==, (int)len);
	tu_assert_bytes(out, len, buf, len);
	for (size_t i = len; i < len + 16; i++)
		g_assert_cmphex(out[i], ==, 0xee);
	for (size_t cap = 0; cap < len; cap++) {
		memset(out, 0xee, len + 16);
		g_assert_cmpint(aero_wire_dhcp6_encode(out, cap, m), ==,
		                AERO_WIRE_E_NOBUF);
		for (size_t i = 0; i < len + 16; i++)
			g_assert_cmphex(out[i], ==, 0xee);
	}
	g_free(out);
}

/* Options in another order: re-encode, decode again, same fields and size. */
static void
check_reencode_fields(const struct aero_dhcp6_msg *m, const uint8_t *buf,
                      size_t len)
{
	uint8_t *out = g_malloc(len);
	struct aero_dhcp6_msg *d = g_new0(struct aero_dhcp6_msg, 1);

	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, (int)len);
	g_assert_cmpint(aero_wire_dhcp6_encode(out, len, m), ==, (int)len);
	g_assert_cmpint(memcmp(out, buf, len), !=, 0);
	g_assert_cmpint(aero_wire_dhcp6_decode(d, out, len), ==, (int)len);
	msg_eq(m, d);
	check_truncations(out, len);
	g_assert_cmpint(aero_wire_dhcp6_encode(out, len - 1, m), ==, AERO_WIRE_E_NOBUF);
	g_free(d);
	g_free(out);
}

static struct aero_dhcp6_msg *
load(const char *name, guint8 **buf, gsize *len)
{
	struct aero_dhcp6_msg *m = g_new0(struct aero_dhcp6_msg, 1);

	*buf = tu_load_vector(name, len);
	g_assert_cmpint(aero_wire_dhcp6_decode(m, *buf, *len), ==, (int)*len);
	return m;
}

/* ---- digest vectors -------------------------------------------------------- */

static void
assert_tv3(const struct aero_dhcp6_msg *m)
{
	g_assert_cmpuint(m->msg_type, ==, AERO_DHCP6_SOLICIT);
	g_assert_cmphex(m->transaction_id, ==, 0x5a1b2c);
	g_assert_cmpuint(m->hop_count, ==, 0);
	assert_ip6(&m->link_addr, "::");
	assert_ip6(&m->peer_addr, "::");
	g_assert_cmphex(flags(m), ==, F_CLIENTID | F_ELAPSED | F_ORO | F_RAPID);
	assert_duid_ll(&m->clientid, "00 00 5e 00 53 01");
	g_assert_cmpuint(m->elapsed, ==, 0);
	g_assert_cmpuint(m->n_oro, ==, 2);
	g_assert_cmpuint(m->oro[0], ==, AERO_DHCP6_OPT_DNS_SERVERS);
	g_assert_cmpuint(m->oro[1], ==, AERO_DHCP6_OPT_SOL_MAX_RT);
	assert_one_prefix(m, 1, 0, 0, 0, 0, 56, "::");
	g_assert_false(m->iapd[0].has_status);
	g_assert_cmpuint(m->iapd[0].n_unknown, ==, 0);
	g_assert_false(m->iapd[0].prefix[0].has_status);
	g_assert_cmpuint(m->iapd[0].prefix[0].n_unknown, ==, 0);
	g_assert_cmpuint(m->n_unknown, ==, 0);
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&m->iapd[0]), ==, 0);
}

static const uint8_t MAC1[6] = {0x00, 0x00, 0x5e, 0x00, 0x53, 0x01};
static const uint8_t MAC2[6] = {0x00, 0x00, 0x5e, 0x00, 0x53, 0x02};

/* TV3 built field by field, as a client engine would. */
static void
build_tv3(struct aero_dhcp6_msg *m)
{
	memset(m, 0, sizeof *m);
	m->msg_type = AERO_DHCP6_SOLICIT;
	m->transaction_id = 0x5a1b2c;
	m->has_clientid = true;
	m->clientid.type = AERO_DHCP6_DUID_LL;
	m->clientid.hwtype = 1;
	m->clientid.data = MAC1;
	m->clientid.data_len = 6;
	m->has_elapsed = true;
	m->has_oro = true;
	m->n_oro = 2;
	m->oro[0] = AERO_DHCP6_OPT_DNS_SERVERS;
	m->oro[1] = AERO_DHCP6_OPT_SOL_MAX_RT;
	m->has_rapid_commit = true;
	m->n_iapd = 1;
	m->iapd[0].iaid = 1;
	m->iapd[0].n_prefix = 1;
	m->iapd[0].prefix[0].plen = 56;
}

static void
test_tv3(void)
{
	gsize n;
	guint8 *b;
	struct aero_dhcp6_msg *m = load("dhcp6-tv3-solicit", &b, &n);
	struct aero_dhcp6_msg *e = g_new0(struct aero_dhcp6_msg, 1);
	uint8_t out[128];

	g_assert_cmpuint(n, ==, 81);
	assert_tv3(m);
	check_reencode(m, b, n);
	check_truncations(b, n);
	build_tv3(e);
	g_assert_cmpint(aero_wire_dhcp6_encode(out, sizeof out, e), ==, 81);
	tu_assert_bytes(out, 81, b, n);
	g_free(e);
	g_free(m);
	g_free(b);
}

static void
test_tv4(void)
{
	gsize n;
	guint8 *b;
	struct aero_dhcp6_msg *m = load("dhcp6-tv4-reply", &b, &n);
	uint8_t out[128];

	g_assert_cmpuint(n, ==, 81);
	g_assert_cmpuint(m->msg_type, ==, AERO_DHCP6_REPLY);
	g_assert_cmphex(m->transaction_id, ==, 0x5a1b2c);
	g_assert_cmphex(flags(m), ==, F_CLIENTID | F_SERVERID | F_RAPID);
	assert_duid_ll(&m->clientid, "00 00 5e 00 53 01");
	assert_duid_ll(&m->serverid, "00 00 5e 00 53 02");
	g_assert_cmpuint(m->n_oro, ==, 0);
	assert_one_prefix(m, 1, 1800, 2880, 3600, 7200, 56, "2001:db8:1000:2000::");
	g_assert_false(m->iapd[0].has_status);
	g_assert_cmpuint(m->iapd[0].n_unknown, ==, 0);
	g_assert_false(m->iapd[0].prefix[0].has_status);
	g_assert_cmpuint(m->iapd[0].prefix[0].n_unknown, ==, 0);
	g_assert_cmpuint(m->n_unknown, ==, 0);
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&m->iapd[0]), ==, 0);
	check_reencode(m, b, n);
	check_truncations(b, n);

	/* Built field by field, as a server engine would (from TV3's fields). */
	struct aero_dhcp6_msg *e = g_new0(struct aero_dhcp6_msg, 1);
	build_tv3(e);
	e->msg_type = AERO_DHCP6_REPLY;
	e->has_elapsed = e->has_oro = false;
	e->has_serverid = true;
	e->serverid = e->clientid;
	e->serverid.data = MAC2;
	e->iapd[0].t1 = 1800;
	e->iapd[0].t2 = 2880;
	e->iapd[0].prefix[0].preferred = 3600;
	e->iapd[0].prefix[0].valid = 7200;
	e->iapd[0].prefix[0].prefix = ip6("2001:db8:1000:2000::");
	g_assert_cmpint(aero_wire_dhcp6_encode(out, sizeof out, e), ==, 81);
	tu_assert_bytes(out, 81, b, n);
	g_free(e);
	g_free(m);
	g_free(b);
}

static void
test_tv5(void)
{
	gsize n, n3;
	guint8 *b, *b3;
	struct aero_dhcp6_msg *m = load("dhcp6-tv5-relay-forw", &b, &n);
	struct aero_dhcp6_msg *tv3 = load("dhcp6-tv3-solicit", &b3, &n3);
	struct aero_dhcp6_msg *in = g_new0(struct aero_dhcp6_msg, 1);
	uint8_t out[160];

	g_assert_cmpuint(n, ==, 128);
	g_assert_cmpuint(m->msg_type, ==, AERO_DHCP6_RELAY_FORW);
	g_assert_cmphex(m->transaction_id, ==, 0);
	g_assert_cmpuint(m->hop_count, ==, 0);
	assert_ip6(&m->link_addr, "2001:db8:ffff::1");
	assert_ip6(&m->peer_addr, "fe80::5efe:c000:201");
	g_assert_cmphex(flags(m), ==, F_INTERFACE_ID | F_RELAY_MSG);
	assert_str(m->interface_id, m->interface_id_len, "aero0");
	g_assert_true(m->relay_msg == b + 47); /* by pointer, no copy */
	blob_eq(m->relay_msg, m->relay_msg_len, b3, n3);
	g_assert_cmpuint(m->n_iapd, ==, 0);
	g_assert_cmpuint(m->n_unknown, ==, 0);
	/* The inner message decodes with the same decoder, equal to TV3. */
	g_assert_cmpint(aero_wire_dhcp6_relay_inner(in, m), ==, 81);
	assert_tv3(in);
	msg_eq(in, tv3);
	check_reencode(m, b, n);
	check_truncations(b, n);

	/* Built by a relay engine: encode TV3, then wrap it. */
	struct aero_dhcp6_msg *e = g_new0(struct aero_dhcp6_msg, 1);
	uint8_t inner[81];
	build_tv3(e);
	g_assert_cmpint(aero_wire_dhcp6_encode(inner, sizeof inner, e), ==, 81);
	memset(e, 0, sizeof *e);
	e->msg_type = AERO_DHCP6_RELAY_FORW;
	e->transaction_id = 0xffffffff; /* ignored by relay messages */
	e->link_addr = ip6("2001:db8:ffff::1");
	e->peer_addr = ip6("fe80::5efe:c000:201");
	e->has_interface_id = true;
	e->interface_id = (const uint8_t *)"aero0";
	e->interface_id_len = 5;
	e->has_relay_msg = true;
	e->relay_msg = inner;
	e->relay_msg_len = sizeof inner;
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(e), ==, 128);
	g_assert_cmpint(aero_wire_dhcp6_encode(out, sizeof out, e), ==, 128);
	tu_assert_bytes(out, 128, b, n);
	/* Relay-reply with the same body decodes too. */
	out[0] = AERO_DHCP6_RELAY_REPL;
	g_assert_cmpint(aero_wire_dhcp6_decode(in, out, 128), ==, 128);
	g_assert_cmpuint(in->msg_type, ==, AERO_DHCP6_RELAY_REPL);
	g_free(e);
	g_free(in);
	g_free(tv3);
	g_free(m);
	g_free(b);
	g_free(b3);
}

/* ---- real peer messages ------------------------------------------------------ */

static void
test_real_dhcpcd_solicit(void)
{
	gsize n;
	guint8 *b;
	struct aero_dhcp6_msg *m = load("dhcp6-real-dhcpcd-solicit", &b, &n);

	g_assert_cmpuint(m->msg_type, ==, AERO_DHCP6_SOLICIT);
	g_assert_cmphex(m->transaction_id, ==, 0xa6cddf);
	g_assert_cmphex(flags(m), ==, F_CLIENTID | F_ORO | F_ELAPSED | F_RAPID);
	assert_duid_ll(&m->clientid, "32 0f ad a0 33 05");
	g_assert_cmpuint(m->n_oro, ==, 2);
	g_assert_cmpuint(m->oro[0], ==, AERO_DHCP6_OPT_SOL_MAX_RT);
	g_assert_cmpuint(m->oro[1], ==, AERO_DHCP6_OPT_INF_MAX_RT);
	g_assert_cmpuint(m->elapsed, ==, 0);
	g_assert_cmpuint(m->n_iapd, ==, 1);
	g_assert_cmpuint(m->iapd[0].iaid, ==, 1);
	g_assert_cmpuint(m->iapd[0].t1, ==, 0);
	g_assert_cmpuint(m->iapd[0].t2, ==, 0);
	g_assert_cmpuint(m->iapd[0].n_prefix, ==, 0);
	/* VENDOR_CLASS is kept: enterprise 40712 + one length-prefixed string. */
	g_assert_cmpuint(m->n_unknown, ==, 1);
	g_assert_cmpuint(m->unknown[0].code, ==, AERO_DHCP6_OPT_VENDOR_CLASS);
	g_assert_cmpuint(m->unknown[0].len, ==, 60);
	g_assert_cmphex(m->unknown[0].data[2] << 8 | m->unknown[0].data[3], ==, 40712);
	assert_str(m->unknown[0].data + 6, 54,
	           "dhcpcd-9.4.1:Linux-6.18.44-fc-v657:x86_64:GenuineIntel");
	check_truncations(b, n);
	check_reencode_fields(m, b, n);
	g_free(m);
	g_free(b);
}

static void
test_real_kea_reply_rapid(void)
{
	gsize n;
	guint8 *b;
	struct aero_dhcp6_msg *m = load("dhcp6-real-kea-reply-rapid", &b, &n);

	g_assert_cmpuint(m->msg_type, ==, AERO_DHCP6_REPLY);
	g_assert_cmphex(m->transaction_id, ==, 0xa6cddf);
	g_assert_cmphex(flags(m), ==, F_CLIENTID | F_SERVERID | F_RAPID);
	assert_duid_ll(&m->clientid, "32 0f ad a0 33 05");
	assert_duid_ll(&m->serverid, "f6 a2 3d 16 15 60");
	assert_one_prefix(m, 1, 1000, 2000, 3000, 4000, 64, "fd00:aa00::");
	g_assert_cmpuint(m->n_unknown, ==, 0);
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&m->iapd[0]), ==, 0);
	check_reencode(m, b, n); /* canonical order: same bytes */
	check_truncations(b, n);
	g_free(m);
	g_free(b);
}

static void
test_real_dhclient_renew(void)
{
	gsize n;
	guint8 *b;
	struct aero_dhcp6_msg *m = load("dhcp6-real-dhclient-renew", &b, &n);

	g_assert_cmpuint(m->msg_type, ==, AERO_DHCP6_RENEW);
	g_assert_cmphex(m->transaction_id, ==, 0xcfea92);
	g_assert_cmphex(flags(m), ==, F_CLIENTID | F_SERVERID | F_ORO | F_ELAPSED);
	assert_duid_llt(&m->clientid, 0x32953dd4, "02 31 0d 94 9e 6f");
	assert_duid_ll(&m->serverid, "e2 13 bd 18 cc 2a");
	g_assert_cmpuint(m->n_oro, ==, 2);
	g_assert_cmpuint(m->oro[0], ==, AERO_DHCP6_OPT_DNS_SERVERS);
	g_assert_cmpuint(m->oro[1], ==, AERO_DHCP6_OPT_DOMAIN_LIST);
	assert_one_prefix(m, 0x0d949e6f, 3600, 5400, 7200, 7500, 64, "fd00:aa00::");
	g_assert_cmpuint(m->n_unknown, ==, 0);
	check_truncations(b, n);
	check_reencode_fields(m, b, n);
	g_free(m);
	g_free(b);
}

static void
test_real_dhcp6c_solicit(void)
{
	gsize n;
	guint8 *b;
	struct aero_dhcp6_msg *m = load("dhcp6-real-dhcp6c-solicit", &b, &n);

	g_assert_cmpuint(m->msg_type, ==, AERO_DHCP6_SOLICIT);
	g_assert_cmphex(m->transaction_id, ==, 0x21eff5);
	g_assert_cmphex(flags(m), ==, F_CLIENTID | F_RAPID | F_ELAPSED | F_ORO);
	assert_duid_llt(&m->clientid, 0x32953dd0, "56 e1 85 a0 6c 6c");
	g_assert_cmpuint(m->n_oro, ==, 1);
	g_assert_cmpuint(m->oro[0], ==, AERO_DHCP6_OPT_DNS_SERVERS);
	g_assert_cmpuint(m->n_iapd, ==, 1);
	g_assert_cmpuint(m->iapd[0].iaid, ==, 1);
	g_assert_cmpuint(m->iapd[0].n_prefix, ==, 0);
	g_assert_false(m->iapd[0].has_status);
	check_truncations(b, n);
	check_reencode_fields(m, b, n);
	g_free(m);
	g_free(b);
}

static void
test_real_kea_reply_status(void)
{
	gsize n;
	guint8 *b;
	struct aero_dhcp6_msg *m = load("dhcp6-real-kea-reply-status", &b, &n);

	g_assert_cmpuint(m->msg_type, ==, AERO_DHCP6_REPLY);
	g_assert_cmphex(m->transaction_id, ==, 0xce2e8a);
	g_assert_cmphex(flags(m), ==, F_CLIENTID | F_SERVERID | F_STATUS);
	assert_duid_llt(&m->clientid, 0x32953dd0, "56 e1 85 a0 6c 6c");
	assert_duid_ll(&m->serverid, "ca e2 2b e6 16 0a");
	g_assert_cmpuint(m->status.code, ==, AERO_DHCP6_ST_SUCCESS);
	assert_str(m->status.msg, m->status.msg_len,
	           "Summary status for all processed IA_NAs");
	g_assert_cmpuint(m->n_iapd, ==, 1);
	g_assert_cmpuint(m->iapd[0].iaid, ==, 1);
	g_assert_cmpuint(m->iapd[0].t1, ==, 0);
	g_assert_cmpuint(m->iapd[0].t2, ==, 0);
	g_assert_cmpuint(m->iapd[0].n_prefix, ==, 0);
	g_assert_true(m->iapd[0].has_status);
	g_assert_cmpuint(m->iapd[0].status.code, ==, AERO_DHCP6_ST_SUCCESS);
	assert_str(m->iapd[0].status.msg, m->iapd[0].status.msg_len,
	           "Lease released. Thank you, please come again.");
	check_reencode(m, b, n);
	check_truncations(b, n);
	g_free(m);
	g_free(b);
}

static void
test_real_dhcpd_reply(void)
{
	gsize n;
	guint8 *b;
	struct aero_dhcp6_msg *m = load("dhcp6-real-dhcpd-reply", &b, &n);

	g_assert_cmpuint(m->msg_type, ==, AERO_DHCP6_REPLY);
	g_assert_cmphex(m->transaction_id, ==, 0x86977e);
	g_assert_cmphex(flags(m), ==, F_CLIENTID | F_SERVERID);
	assert_duid_ll(&m->clientid, "0e ea 5d 6f 40 ea");
	assert_duid_llt(&m->serverid, 0x32953de0, "2e 75 04 5a d7 b5");
	assert_one_prefix(m, 1, 4, 6, 8, 16, 64, "fd00:aa00:0:ff::");
	check_truncations(b, n);
	check_reencode_fields(m, b, n);
	g_free(m);
	g_free(b);
}

/* ---- random round trips ------------------------------------------------------ */

struct rpool {
	uint8_t b[1 << 22];
	size_t used;
};

static const uint8_t *
rp_bytes(struct rpool *p, GRand *r, size_t n)
{
	uint8_t *q;

	if (n == 0)
		return NULL;
	g_assert_cmpuint(p->used + n, <=, sizeof p->b);
	q = p->b + p->used;
	p->used += n;
	tu_rand_bytes(r, q, n);
	return q;
}

static bool
coin(GRand *r, int pct)
{
	return g_rand_int_range(r, 0, 100) < pct;
}

static void
rand_duid(struct aero_dhcp6_duid *d, GRand *r, struct rpool *p)
{
	static const uint16_t types[] = {1, 2, 3, 4, 0, 5, 0xffff};

	memset(d, 0, sizeof *d);
	d->type = types[g_rand_int_range(r, 0, G_N_ELEMENTS(types))];
	switch (d->type) {
	case AERO_DHCP6_DUID_LLT:
		d->hwtype = (uint16_t)g_rand_int(r);
		d->time = g_rand_int(r);
		d->data_len = (size_t)g_rand_int_range(r, 0, 123);
		break;
	case AERO_DHCP6_DUID_EN:
		d->enterprise = g_rand_int(r);
		d->data_len = (size_t)g_rand_int_range(r, 0, 125);
		break;
	case AERO_DHCP6_DUID_LL:
		d->hwtype = (uint16_t)g_rand_int(r);
		d->data_len = coin(r, 70) ? 6 : (size_t)g_rand_int_range(r, 0, 127);
		break;
	case AERO_DHCP6_DUID_UUID:
		tu_rand_bytes(r, d->uuid, 16);
		return;
	default:
		d->data_len = (size_t)g_rand_int_range(r, 1, 129);
		break;
	}
	d->data = rp_bytes(p, r, d->data_len);
}

static void
rand_status(bool *has, struct aero_dhcp6_status *s, GRand *r, struct rpool *p)
{
	*has = coin(r, 40);
	if (!*has)
		return;
	s->code = (uint16_t)g_rand_int_range(r, 0, 9);
	s->msg_len = (size_t)g_rand_int_range(r, 0, 40);
	s->msg = rp_bytes(p, r, s->msg_len);
}

/* Random unknown options avoiding the codes decoded in that container. */
static size_t
rand_unknown(struct aero_dhcp6_opt *u, size_t cap, const uint16_t *avoid,
             GRand *r, struct rpool *p)
{
	size_t n = (size_t)g_rand_int_range(r, 0, (gint32)cap + 1);

	if (coin(r, 50))
		n = 0;
	for (size_t i = 0; i < n; i++) {
		bool bad;

		do {
			u[i].code = coin(r, 50) ? (uint16_t)g_rand_int_range(r, 0, 100) :
			                          (uint16_t)g_rand_int(r);
			bad = false;
			for (const uint16_t *a = avoid; *a; a++)
				bad |= u[i].code == *a;
		} while (bad);
		u[i].len = (size_t)g_rand_int_range(r, 0, 30);
		u[i].data = rp_bytes(p, r, u[i].len);
	}
	return n;
}

static const uint16_t AVOID_TOP[] = {1, 2, 6, 7, 8, 9, 11, 13, 14, 18, 19, 25, 82, 0};
static const uint16_t AVOID_IAPD[] = {13, 26, 0};
static const uint16_t AVOID_IAPREFIX[] = {13, 0};

static void
rand_iapd(struct aero_dhcp6_iapd *ia, GRand *r, struct rpool *p)
{
	memset(ia, 0, sizeof *ia);
	ia->iaid = g_rand_int(r);
	ia->t1 = coin(r, 30) ? 0 : g_rand_int(r);
	ia->t2 = coin(r, 30) ? 0 : g_rand_int(r);
	ia->n_prefix = (size_t)g_rand_int_range(r, 0, AERO_DHCP6_MAX_IAPREFIX + 1);
	for (size_t i = 0; i < ia->n_prefix; i++) {
		struct aero_dhcp6_iaprefix *pf = &ia->prefix[i];

		pf->preferred = g_rand_int(r);
		pf->valid = g_rand_int(r);
		pf->plen = (uint8_t)g_rand_int_range(r, 0, 129);
		tu_rand_bytes(r, pf->prefix.b, 16);
		rand_status(&pf->has_status, &pf->status, r, p);
		pf->n_unknown = rand_unknown(pf->unknown, AERO_DHCP6_MAX_IAPREFIX_UNKNOWN,
		                             AVOID_IAPREFIX, r, p);
	}
	rand_status(&ia->has_status, &ia->status, r, p);
	ia->n_unknown = rand_unknown(ia->unknown, AERO_DHCP6_MAX_IAPD_UNKNOWN,
	                             AVOID_IAPD, r, p);
}

static void rand_msg(struct aero_dhcp6_msg *m, GRand *r, struct rpool *p, int depth);

/* A RELAY_MSG body: an encoded random message, or random bytes. */
static void
rand_relay_msg(struct aero_dhcp6_msg *m, GRand *r, struct rpool *p, int depth)
{
	m->has_relay_msg = true;
	if (depth > 0 && coin(r, 80)) {
		struct aero_dhcp6_msg *in = g_new0(struct aero_dhcp6_msg, 1);
		int n;

		rand_msg(in, r, p, depth - 1);
		n = aero_wire_dhcp6_encoded_len(in);
		g_assert_cmpint(n, >, 0);
		g_assert_cmpuint(p->used + (size_t)n, <=, sizeof p->b);
		g_assert_cmpint(aero_wire_dhcp6_encode(p->b + p->used, (size_t)n, in), ==, n);
		m->relay_msg = p->b + p->used;
		m->relay_msg_len = (size_t)n;
		p->used += (size_t)n;
		g_free(in);
	} else {
		m->relay_msg_len = (size_t)g_rand_int_range(r, 0, 40);
		m->relay_msg = rp_bytes(p, r, m->relay_msg_len);
	}
}

static void
rand_msg(struct aero_dhcp6_msg *m, GRand *r, struct rpool *p, int depth)
{
	memset(m, 0, sizeof *m);
	m->msg_type = (uint8_t)g_rand_int_range(r, 1, 14);
	if (m->msg_type == AERO_DHCP6_RELAY_FORW || m->msg_type == AERO_DHCP6_RELAY_REPL) {
		m->hop_count = (uint8_t)g_rand_int(r);
		tu_rand_bytes(r, m->link_addr.b, 16);
		tu_rand_bytes(r, m->peer_addr.b, 16);
		rand_relay_msg(m, r, p, depth);
	} else {
		m->transaction_id = g_rand_int(r) & AERO_DHCP6_XID_MAX;
		if (coin(r, 10))
			rand_relay_msg(m, r, p, 0);
	}
	if ((m->has_clientid = coin(r, 70)))
		rand_duid(&m->clientid, r, p);
	if ((m->has_serverid = coin(r, 50)))
		rand_duid(&m->serverid, r, p);
	if ((m->has_oro = coin(r, 40))) {
		m->n_oro = (size_t)g_rand_int_range(r, 0, AERO_DHCP6_MAX_ORO + 1);
		for (size_t i = 0; i < m->n_oro; i++)
			m->oro[i] = (uint16_t)g_rand_int(r);
	}
	if ((m->has_preference = coin(r, 30)))
		m->preference = (uint8_t)g_rand_int(r);
	if ((m->has_elapsed = coin(r, 50)))
		m->elapsed = (uint16_t)g_rand_int(r);
	if ((m->has_auth = coin(r, 20))) {
		m->auth.protocol = (uint8_t)g_rand_int(r);
		m->auth.algorithm = (uint8_t)g_rand_int(r);
		m->auth.rdm = (uint8_t)g_rand_int(r);
		m->auth.replay = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
		m->auth.info_len = (size_t)g_rand_int_range(r, 0, 32);
		m->auth.info = rp_bytes(p, r, m->auth.info_len);
	}
	rand_status(&m->has_status, &m->status, r, p);
	m->has_rapid_commit = coin(r, 40);
	if ((m->has_interface_id = coin(r, 30))) {
		m->interface_id_len = (size_t)g_rand_int_range(r, 0, 20);
		m->interface_id = rp_bytes(p, r, m->interface_id_len);
	}
	if ((m->has_reconf_msg = coin(r, 15)))
		m->reconf_msg = (uint8_t)g_rand_int(r);
	if ((m->has_sol_max_rt = coin(r, 15)))
		m->sol_max_rt = g_rand_int(r);
	m->n_iapd = coin(r, 30) ? 0 : (size_t)g_rand_int_range(r, 1, AERO_DHCP6_MAX_IAPD + 1);
	for (size_t i = 0; i < m->n_iapd; i++) {
		rand_iapd(&m->iapd[i], r, p);
		m->iapd[i].iaid = (uint32_t)i * 0x01010101u ^ (g_rand_int(r) & 0xff00ff00u);
	}
	m->n_unknown = rand_unknown(m->unknown, AERO_DHCP6_MAX_UNKNOWN, AVOID_TOP, r, p);
}

static void
test_random(void)
{
	GRand *r = tu_rand();
	struct rpool *p = g_new0(struct rpool, 1);
	struct aero_dhcp6_msg *m = g_new0(struct aero_dhcp6_msg, 1);
	struct aero_dhcp6_msg *d = g_new0(struct aero_dhcp6_msg, 1);
	struct aero_dhcp6_msg *in = g_new0(struct aero_dhcp6_msg, 1);
	uint8_t *b1 = g_malloc(BUFCAP), *b2 = g_malloc(BUFCAP);
	unsigned types = 0, relays_decoded = 0;

	for (int it = 0; it < 1000; it++) {
		p->used = 0;
		rand_msg(m, r, p, 2);
		types |= 1u << m->msg_type;
		int n = aero_wire_dhcp6_encoded_len(m);
		g_assert_cmpint(n, >, 0);
		g_assert_cmpint(aero_wire_dhcp6_encode(b1, (size_t)n, m), ==, n);
		g_assert_cmpint(aero_wire_dhcp6_decode(d, b1, (size_t)n), ==, n);
		msg_eq(m, d);
		g_assert_cmpint(aero_wire_dhcp6_encode(b2, BUFCAP, d), ==, n);
		tu_assert_bytes(b2, (size_t)n, b1, (size_t)n);
		/* Nested relays decode all the way down. */
		const struct aero_dhcp6_msg *cur = d;
		while (cur->msg_type >= AERO_DHCP6_RELAY_FORW) {
			int rc = aero_wire_dhcp6_relay_inner(in, cur);
			if (rc < 0)
				break; /* random bytes */
			g_assert_cmpint(rc, ==, (int)cur->relay_msg_len);
			relays_decoded++;
			memcpy(d, in, sizeof *d);
			cur = d;
		}
		/* NOBUF at every cap for the first messages, a few caps after. */
		for (int k = 0; k < (it < 40 ? n : 4); k++) {
			size_t cap = it < 40 ? (size_t)k : (size_t)g_rand_int_range(r, 0, n);
			b2[0] = 0x5a;
			g_assert_cmpint(aero_wire_dhcp6_encode(b2, cap, m), ==, AERO_WIRE_E_NOBUF);
			g_assert_cmphex(b2[0], ==, 0x5a);
		}
	}
	g_assert_cmphex(types, ==, 0x3ffe); /* every type 1..13 */
	g_assert_cmpuint(relays_decoded, >, 50);
	g_free(b1);
	g_free(b2);
	g_free(in);
	g_free(d);
	g_free(m);
	g_free(p);
	g_rand_free(r);
}

/* ---- decoder errors ------------------------------------------------------- */

/* Decode hex; assert the result. */
static void
expect(const char *hex, int want)
{
	gsize n;
	guint8 *b = tu_hex(hex, &n);
	struct aero_dhcp6_msg *m = g_new0(struct aero_dhcp6_msg, 1);
	int rc = aero_wire_dhcp6_decode(m, b, n);

	if (rc != want)
		g_test_message("decoding %s", hex);
	g_assert_cmpint(rc, ==, want);
	g_free(m);
	g_free(b);
}

/* A Solicit header followed by options. */
static void
expect_opts(const char *opts, int want)
{
	gchar *h = g_strconcat("01 12 34 56 ", opts, NULL);
	gsize n;
	guint8 *b = tu_hex(h, &n);

	expect(h, want == 0 ? (int)n : want);
	g_free(b);
	g_free(h);
}

#define DUID_LL  "0003 0001 00005e005301"
#define CLIENTID "0001 000a " DUID_LL
#define IAPREFIX "001a 0019 00000e10 00001c20 38 20010db8100020000000000000000000"

static void
test_err_header(void)
{
	expect("", AERO_WIRE_E_TRUNCATED);
	expect("01", AERO_WIRE_E_TRUNCATED);
	expect("01 5a 1b", AERO_WIRE_E_TRUNCATED);
	expect("01 5a 1b 2c", 4);
	expect("0b 00 00 00", 4);
	expect("00", AERO_WIRE_E_TYPE);
	expect("00 5a 1b 2c", AERO_WIRE_E_TYPE);
	expect("0e 5a 1b 2c", AERO_WIRE_E_TYPE);
	expect("ff 5a 1b 2c " CLIENTID, AERO_WIRE_E_TYPE);
	/* Relay header is 34 bytes. */
	expect("0c 00 20010db8ffff00000000000000000001 fe80000000000000000000000000", AERO_WIRE_E_TRUNCATED);
	expect("0c", AERO_WIRE_E_TRUNCATED);
	/* Relay without RELAY_MSG (RFC 8415 9). */
	expect("0c 00 20010db8ffff00000000000000000001 fe800000000000000000000000000001",
	       AERO_WIRE_E_MISSING);
	expect("0d 01 20010db8ffff00000000000000000001 fe800000000000000000000000000001"
	       " 0012 0001 61", AERO_WIRE_E_MISSING);
	expect("0d 01 20010db8ffff00000000000000000001 fe800000000000000000000000000001"
	       " 0009 0000", 38);
	/* More than INT_MAX bytes cannot be reported as consumed (buffer never read). */
	struct aero_dhcp6_msg *m = g_new0(struct aero_dhcp6_msg, 1);
	const uint8_t one = 1;
	g_assert_cmpint(aero_wire_dhcp6_decode(m, &one, (size_t)INT_MAX + 1), ==,
	                AERO_WIRE_E_BADLEN);
	/* No RELAY_MSG to follow: MISSING, inner zeroed. */
	struct aero_dhcp6_msg *in = g_new0(struct aero_dhcp6_msg, 1);
	in->msg_type = 7;
	g_assert_cmpint(aero_wire_dhcp6_relay_inner(in, m), ==, AERO_WIRE_E_MISSING);
	g_assert_cmpuint(in->msg_type, ==, 0);
	g_free(in);
	g_free(m);
}

static void
test_err_truncated(void)
{
	expect_opts("00", AERO_WIRE_E_TRUNCATED);
	expect_opts("0001 00", AERO_WIRE_E_TRUNCATED);
	expect_opts("0001 000a 0003000100005e0053", AERO_WIRE_E_TRUNCATED);
	expect_opts(CLIENTID " 0008 0002 00", AERO_WIRE_E_TRUNCATED);
	expect_opts("00ff ffff 00", AERO_WIRE_E_TRUNCATED);
	/* Nested in IA_PD: option header cut, option body overrunning. */
	expect_opts("0019 000e 00000001 00000000 00000000 001a", AERO_WIRE_E_TRUNCATED);
	expect_opts("0019 0010 00000001 00000000 00000000 000d 0001", AERO_WIRE_E_TRUNCATED);
	/* IA_PD of 40 bytes holding a 29-byte IAPREFIX option after 12 bytes. */
	expect_opts("0019 0028 00000001 00000000 00000000 "
	            "001a 0019 00000e10 00001c20 38 20010db8100020000000000000000000 "
	            "0000 0000", AERO_WIRE_E_TRUNCATED);
	expect_opts("0019 0025 00000001 00000000 00000000 "
	            "001a 001a 00000e10 00001c20 38 20010db8100020000000000000000000 ",
	            AERO_WIRE_E_TRUNCATED);
	/* Nested in IAPREFIX. */
	expect_opts("0019 002c 00000001 00000000 00000000 "
	            "001a 001c 00000e10 00001c20 38 20010db8100020000000000000000000 000d 00",
	            AERO_WIRE_E_TRUNCATED);
	expect_opts("0019 002e 00000001 00000000 00000000 "
	            "001a 001e 00000e10 00001c20 38 20010db8100020000000000000000000 000d 0002 00",
	            AERO_WIRE_E_TRUNCATED);
	/* Well-formed nesting still decodes (control). */
	expect_opts("0019 0029 00000001 00000000 00000000 " IAPREFIX, 0);
}

static void
test_err_badlen(void)
{
	expect_opts("0007 0000", AERO_WIRE_E_BADLEN);
	expect_opts("0007 0002 0000", AERO_WIRE_E_BADLEN);
	expect_opts("0008 0001 00", AERO_WIRE_E_BADLEN);
	expect_opts("0008 0003 000000", AERO_WIRE_E_BADLEN);
	expect_opts("000e 0001 00", AERO_WIRE_E_BADLEN);
	expect_opts("0013 0000", AERO_WIRE_E_BADLEN);
	expect_opts("0013 0002 0505", AERO_WIRE_E_BADLEN);
	expect_opts("0052 0003 000e10", AERO_WIRE_E_BADLEN);
	expect_opts("0052 0005 00000e1000", AERO_WIRE_E_BADLEN);
	expect_opts("0006 0001 00", AERO_WIRE_E_BADLEN);
	expect_opts("0006 0003 001700", AERO_WIRE_E_BADLEN);
	expect_opts("0006 0000", 0);
	expect_opts("0019 000b 00000001 00000000 000000", AERO_WIRE_E_BADLEN);
	expect_opts("0019 0000", AERO_WIRE_E_BADLEN);
	expect_opts("0019 0028 00000001 00000000 00000000 "
	            "001a 0018 00000e10 00001c20 38 20010db81000200000000000000000",
	            AERO_WIRE_E_BADLEN);
	expect_opts("000b 000a 03 01 00 00000000000000", AERO_WIRE_E_BADLEN);
	expect_opts("000b 000b 03 01 00 0000000000000001", 0);
	expect_opts("000d 0001 00", AERO_WIRE_E_BADLEN);
	expect_opts("000d 0002 0006", 0);
	expect_opts("0019 0011 00000001 00000000 00000000 000d 0001 00", AERO_WIRE_E_BADLEN);
	expect_opts("0019 002e 00000001 00000000 00000000 "
	            "001a 001e 00000e10 00001c20 38 20010db8100020000000000000000000 000d 0001 00",
	            AERO_WIRE_E_BADLEN);
}

static void
test_err_duid(void)
{
	/* RFC 8415 11.1: 1..128 bytes after the type. */
	expect_opts("0001 0000", AERO_WIRE_E_BADLEN);
	expect_opts("0001 0002 0003", AERO_WIRE_E_BADLEN);
	expect_opts("0002 0003 ffff00", 0);
	expect_opts("0001 0007 0001 0001 000000", AERO_WIRE_E_BADLEN); /* LLT < 8 */
	expect_opts("0001 0008 0001 0001 00000000", 0);
	expect_opts("0001 0005 0002 00000a", AERO_WIRE_E_BADLEN);      /* EN < 6 */
	expect_opts("0001 0006 0002 0000000a", 0);
	expect_opts("0001 0003 0003 00", AERO_WIRE_E_BADLEN);          /* LL < 4 */
	expect_opts("0001 0004 0003 0001", 0);
	expect_opts("0002 0011 0004 000102030405060708090a0b0c0d0e", AERO_WIRE_E_BADLEN);
	expect_opts("0002 0013 0004 000102030405060708090a0b0c0d0e0f10", AERO_WIRE_E_BADLEN);
	expect_opts("0002 0012 0004 000102030405060708090a0b0c0d0e0f", 0);

	/* 130 bytes is the largest DUID; 131 is too long. */
	GString *s = g_string_new("0001 0082 0003 0001");
	for (int i = 0; i < 126; i++)
		g_string_append(s, " 5a");
	expect_opts(s->str, 0);
	g_string_assign(s, "0001 0083 0003 0001");
	for (int i = 0; i < 127; i++)
		g_string_append(s, " 5a");
	expect_opts(s->str, AERO_WIRE_E_BADLEN);
	g_string_free(s, TRUE);

	/* Standalone DUID functions. */
	struct aero_dhcp6_duid d, e;
	uint8_t buf[140];
	gsize n;
	guint8 *b = tu_hex("0002 00009f08 6964", &n);
	g_assert_cmpint(aero_wire_dhcp6_duid_decode(&d, b, n), ==, 8);
	g_assert_cmpuint(d.type, ==, AERO_DHCP6_DUID_EN);
	g_assert_cmpuint(d.enterprise, ==, 40712);
	assert_str(d.data, d.data_len, "id");
	g_assert_cmpint(aero_wire_dhcp6_duid_len(&d), ==, 8);
	for (size_t cap = 0; cap < 8; cap++)
		g_assert_cmpint(aero_wire_dhcp6_duid_encode(buf, cap, &d), ==, AERO_WIRE_E_NOBUF);
	g_assert_cmpint(aero_wire_dhcp6_duid_encode(buf, sizeof buf, &d), ==, 8);
	tu_assert_bytes(buf, 8, b, n);
	guint8 *b_en = b; /* d.data points into it: keep it until d is done */
	b = tu_hex("0004 000102030405060708090a0b0c0d0e0f", &n);
	g_assert_cmpint(aero_wire_dhcp6_duid_decode(&e, b, n), ==, 18);
	g_assert_cmpuint(e.type, ==, AERO_DHCP6_DUID_UUID);
	g_assert_cmphex(e.uuid[15], ==, 0x0f);
	g_assert_null(e.data);
	g_assert_cmpint(aero_wire_dhcp6_duid_encode(buf, sizeof buf, &e), ==, 18);
	tu_assert_bytes(buf, 18, b, n);
	g_assert_true(aero_wire_dhcp6_duid_equal(&e, &e));
	g_assert_false(aero_wire_dhcp6_duid_equal(&d, &e));
	e.uuid[0] ^= 1;
	struct aero_dhcp6_duid f;
	g_assert_cmpint(aero_wire_dhcp6_duid_decode(&f, b, n), ==, 18);
	g_assert_false(aero_wire_dhcp6_duid_equal(&e, &f));
	g_free(b);
	g_free(b_en);
	g_assert_cmpint(aero_wire_dhcp6_duid_decode(&d, buf, 2), ==, AERO_WIRE_E_BADLEN);
	g_assert_cmpint(aero_wire_dhcp6_duid_decode(&d, buf, 131), ==, AERO_WIRE_E_BADLEN);
	/* Unknown DUID type: raw bytes after the type. */
	b = tu_hex("0000 01", &n);
	g_assert_cmpint(aero_wire_dhcp6_duid_decode(&d, b, n), ==, 3);
	g_assert_cmpuint(d.type, ==, 0);
	g_assert_cmpuint(d.data_len, ==, 1);
	g_assert_true(d.data == b + 2);
	g_free(b);

	/* Encoder INVAL: too long, too short, NULL data. */
	memset(&d, 0, sizeof d);
	d.type = AERO_DHCP6_DUID_LL;
	d.data = buf;
	d.data_len = 126;
	g_assert_cmpint(aero_wire_dhcp6_duid_len(&d), ==, 130);
	d.data_len = 127;
	g_assert_cmpint(aero_wire_dhcp6_duid_len(&d), ==, AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_wire_dhcp6_duid_encode(buf, sizeof buf, &d), ==, AERO_WIRE_E_INVAL);
	g_assert_false(aero_wire_dhcp6_duid_equal(&d, &d));
	d.type = AERO_DHCP6_DUID_LLT;
	d.data_len = 123;
	g_assert_cmpint(aero_wire_dhcp6_duid_len(&d), ==, AERO_WIRE_E_INVAL);
	d.type = AERO_DHCP6_DUID_EN;
	d.data_len = 125;
	g_assert_cmpint(aero_wire_dhcp6_duid_len(&d), ==, AERO_WIRE_E_INVAL);
	d.type = 7;
	d.data_len = 0;
	g_assert_cmpint(aero_wire_dhcp6_duid_len(&d), ==, AERO_WIRE_E_INVAL);
	d.data_len = 128;
	g_assert_cmpint(aero_wire_dhcp6_duid_len(&d), ==, 130);
	d.data_len = 129;
	g_assert_cmpint(aero_wire_dhcp6_duid_len(&d), ==, AERO_WIRE_E_INVAL);
	d.data = NULL;
	d.data_len = 1;
	g_assert_cmpint(aero_wire_dhcp6_duid_len(&d), ==, AERO_WIRE_E_INVAL);
	d.type = AERO_DHCP6_DUID_LL;
	d.data_len = 0;
	g_assert_cmpint(aero_wire_dhcp6_duid_len(&d), ==, 4);
}

static void
test_err_duplicate(void)
{
	static const char *const singles[] = {
		CLIENTID,
		("0002 000a " DUID_LL),
		"0006 0002 0017",
		"0007 0001 ff",
		"0008 0002 0000",
		"0009 0004 0b000000",
		"000b 000b 03 01 00 0000000000000001",
		"000d 0002 0000",
		"000e 0000",
		"0012 0001 61",
		"0013 0001 05",
		"0052 0004 00000e10",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(singles); i++) {
		gchar *once = g_strdup_printf("%s", singles[i]);
		gchar *twice = g_strdup_printf("%s %s", singles[i], singles[i]);
		gchar *apart = g_strdup_printf("%s 00ff 0000 %s", singles[i], singles[i]);

		expect_opts(once, 0);
		expect_opts(twice, AERO_WIRE_E_DUPLICATE);
		expect_opts(apart, AERO_WIRE_E_DUPLICATE);
		g_free(once);
		g_free(twice);
		g_free(apart);
	}
	/* Relay: RELAY_MSG twice. */
	expect("0c 00 20010db8ffff00000000000000000001 fe800000000000000000000000000001"
	       " 0009 0004 0b000000 0009 0004 0b000000", AERO_WIRE_E_DUPLICATE);
	/* STATUS_CODE once per container: top + IA_PD + IAPREFIX is fine. */
	expect_opts("000d 0002 0000 0019 0035 00000001 00000000 00000000 "
	            "001a 001f 00000e10 00001c20 38 20010db8100020000000000000000000 000d 0002 0000 "
	            "000d 0002 0006", 0);
	expect_opts("0019 0018 00000001 00000000 00000000 000d 0002 0000 000d 0002 0000",
	            AERO_WIRE_E_DUPLICATE);
	expect_opts("0019 0035 00000001 00000000 00000000 "
	            "001a 0025 00000e10 00001c20 38 20010db8100020000000000000000000 "
	            "000d 0002 0000 000d 0002 0000", AERO_WIRE_E_DUPLICATE);
	/* IA_PDs: distinct IAIDs repeat, equal IAIDs do not (RFC 8415 21.21). */
	expect_opts("0019 000c 00000001 00000000 00000000 0019 000c 00000002 00000000 00000000", 0);
	expect_opts("0019 000c 00000001 00000000 00000000 0019 000c 00000001 00000e10 00001c20",
	            AERO_WIRE_E_DUPLICATE);
	/* IAPREFIX repeats inside an IA_PD. */
	expect_opts("0019 0046 00000001 00000000 00000000 " IAPREFIX " " IAPREFIX, 0);
}

static void
test_err_toomany(void)
{
	GString *s = g_string_new("");
	int i;

	for (i = 0; i < AERO_DHCP6_MAX_IAPD; i++)
		g_string_append_printf(s, "0019 000c %08x 00000000 00000000 ", i);
	expect_opts(s->str, 0);
	g_string_append_printf(s, "0019 000c %08x 00000000 00000000 ", i);
	expect_opts(s->str, AERO_WIRE_E_TOOMANY);

	g_string_truncate(s, 0);
	g_string_append_printf(s, "0019 %04x 00000001 00000000 00000000 ",
	                       12 + 29 * AERO_DHCP6_MAX_IAPREFIX);
	for (i = 0; i < AERO_DHCP6_MAX_IAPREFIX; i++)
		g_string_append(s, IAPREFIX " ");
	expect_opts(s->str, 0);
	g_string_truncate(s, 0);
	g_string_append_printf(s, "0019 %04x 00000001 00000000 00000000 ",
	                       12 + 29 * (AERO_DHCP6_MAX_IAPREFIX + 1));
	for (i = 0; i <= AERO_DHCP6_MAX_IAPREFIX; i++)
		g_string_append(s, IAPREFIX " ");
	expect_opts(s->str, AERO_WIRE_E_TOOMANY);

	g_string_truncate(s, 0);
	for (i = 0; i < AERO_DHCP6_MAX_UNKNOWN; i++)
		g_string_append(s, "0003 0000 ");
	expect_opts(s->str, 0);
	g_string_append(s, "0017 0000 ");
	expect_opts(s->str, AERO_WIRE_E_TOOMANY);

	g_string_truncate(s, 0);
	g_string_append_printf(s, "0019 %04x 00000001 00000000 00000000 ",
	                       12 + 4 * (AERO_DHCP6_MAX_IAPD_UNKNOWN + 1));
	for (i = 0; i <= AERO_DHCP6_MAX_IAPD_UNKNOWN; i++)
		g_string_append(s, "0043 0000 ");
	expect_opts(s->str, AERO_WIRE_E_TOOMANY);

	g_string_truncate(s, 0);
	g_string_append_printf(s, "0019 %04x 00000001 00000000 00000000 001a %04x "
	                       "00000e10 00001c20 38 20010db8100020000000000000000000 ",
	                       12 + 4 + 25 + 4 * (AERO_DHCP6_MAX_IAPREFIX_UNKNOWN + 1),
	                       25 + 4 * (AERO_DHCP6_MAX_IAPREFIX_UNKNOWN + 1));
	for (i = 0; i <= AERO_DHCP6_MAX_IAPREFIX_UNKNOWN; i++)
		g_string_append(s, "0043 0000 ");
	expect_opts(s->str, AERO_WIRE_E_TOOMANY);

	g_string_truncate(s, 0);
	g_string_append_printf(s, "0006 %04x", 2 * AERO_DHCP6_MAX_ORO);
	for (i = 0; i < AERO_DHCP6_MAX_ORO; i++)
		g_string_append(s, " 0017");
	expect_opts(s->str, 0);
	g_string_truncate(s, 0);
	g_string_append_printf(s, "0006 %04x", 2 * AERO_DHCP6_MAX_ORO + 2);
	for (i = 0; i <= AERO_DHCP6_MAX_ORO; i++)
		g_string_append(s, " 0017");
	expect_opts(s->str, AERO_WIRE_E_TOOMANY);
	g_string_free(s, TRUE);
}

/* Unknown options anywhere are kept, in order, and re-encoded. */
static void
test_unknown_kept(void)
{
	gsize n;
	guint8 *b = tu_hex("07 000001 " CLIENTID
	                   " 0019 0039 00000001 00000e10 00001c20 "
	                   "001a 0021 00000e10 00001c20 38 20010db8100020000000000000000000 "
	                   "0043 0004 40aabbcc "          /* PD_EXCLUDE in IAPREFIX */
	                   "0003 0004 01020304 "          /* IA_NA in IA_PD */
	                   "0017 0010 20010db8000000000000000000000053 " /* DNS */
	                   "001a 0000 "                   /* IAPREFIX at top level */
	                   "0003 0000", &n);
	struct aero_dhcp6_msg *m = g_new0(struct aero_dhcp6_msg, 1);

	g_assert_cmpint(aero_wire_dhcp6_decode(m, b, n), ==, (int)n);
	g_assert_cmpuint(m->n_unknown, ==, 3);
	g_assert_cmpuint(m->unknown[0].code, ==, AERO_DHCP6_OPT_DNS_SERVERS);
	g_assert_cmpuint(m->unknown[0].len, ==, 16);
	g_assert_true(m->unknown[0].data == b + 4 + 14 + 61 + 4);
	g_assert_cmpuint(m->unknown[1].code, ==, AERO_DHCP6_OPT_IAPREFIX);
	g_assert_cmpuint(m->unknown[1].len, ==, 0);
	g_assert_null(m->unknown[1].data);
	g_assert_cmpuint(m->unknown[2].code, ==, AERO_DHCP6_OPT_IA_NA);
	g_assert_cmpuint(m->iapd[0].n_unknown, ==, 1);
	g_assert_cmpuint(m->iapd[0].unknown[0].code, ==, AERO_DHCP6_OPT_IA_NA);
	g_assert_cmpuint(m->iapd[0].prefix[0].n_unknown, ==, 1);
	g_assert_cmpuint(m->iapd[0].prefix[0].unknown[0].code, ==, AERO_DHCP6_OPT_PD_EXCLUDE);
	g_assert_cmpuint(m->iapd[0].prefix[0].unknown[0].len, ==, 4);
	check_reencode(m, b, n);
	check_truncations(b, n);
	g_free(m);
	g_free(b);
}

/* ---- encoder errors -------------------------------------------------------- */

static void
expect_inval(const struct aero_dhcp6_msg *m)
{
	uint8_t buf[64];

	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, AERO_WIRE_E_INVAL);
	g_assert_cmpint(aero_wire_dhcp6_encode(buf, sizeof buf, m), ==, AERO_WIRE_E_INVAL);
}

static void
test_encode_inval(void)
{
	struct aero_dhcp6_msg *m = g_new0(struct aero_dhcp6_msg, 1);
	static uint8_t big[70000];

	build_tv3(m);
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, 81);
#define RESET() build_tv3(m)
	m->msg_type = 0;
	expect_inval(m);
	m->msg_type = 14;
	expect_inval(m);
	RESET();
	m->transaction_id = 0x1000000;
	expect_inval(m);
	RESET();
	m->msg_type = AERO_DHCP6_RELAY_FORW; /* no RELAY_MSG */
	expect_inval(m);
	m->has_relay_msg = true;
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, 81 - 4 + 34 + 4);
	m->relay_msg_len = 1; /* NULL pointer */
	expect_inval(m);
	m->relay_msg = big;
	m->relay_msg_len = 65536;
	expect_inval(m);
	m->relay_msg_len = 65535;
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), >, 65535);
	RESET();
	m->iapd[0].prefix[0].plen = 129;
	expect_inval(m);
	m->iapd[0].prefix[0].plen = 128;
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, 81);
	RESET();
	m->clientid.data_len = 127; /* DUID 131 bytes */
	m->clientid.data = big;
	expect_inval(m);
	RESET();
	m->has_serverid = true;
	m->serverid.type = 9; /* DUID of 2 bytes */
	expect_inval(m);
	RESET();
	m->n_iapd = AERO_DHCP6_MAX_IAPD + 1;
	expect_inval(m);
	RESET();
	m->iapd[0].n_prefix = AERO_DHCP6_MAX_IAPREFIX + 1;
	expect_inval(m);
	RESET();
	m->n_oro = AERO_DHCP6_MAX_ORO + 1;
	expect_inval(m);
	RESET();
	m->n_unknown = AERO_DHCP6_MAX_UNKNOWN + 1;
	expect_inval(m);
	RESET();
	m->iapd[0].n_unknown = AERO_DHCP6_MAX_IAPD_UNKNOWN + 1;
	expect_inval(m);
	RESET();
	m->iapd[0].prefix[0].n_unknown = AERO_DHCP6_MAX_IAPREFIX_UNKNOWN + 1;
	expect_inval(m);
	/* Unknown options with codes decoded in their position. */
	RESET();
	m->n_unknown = 1;
	m->unknown[0].code = AERO_DHCP6_OPT_CLIENTID;
	expect_inval(m);
	m->unknown[0].code = AERO_DHCP6_OPT_SOL_MAX_RT;
	expect_inval(m);
	m->unknown[0].code = AERO_DHCP6_OPT_IAPREFIX; /* fine at top level */
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, 85);
	m->unknown[0].len = 65536;
	m->unknown[0].data = big;
	expect_inval(m);
	m->unknown[0].len = 1;
	m->unknown[0].data = NULL;
	expect_inval(m);
	RESET();
	m->iapd[0].n_unknown = 1;
	m->iapd[0].unknown[0].code = AERO_DHCP6_OPT_IAPREFIX;
	expect_inval(m);
	m->iapd[0].unknown[0].code = AERO_DHCP6_OPT_STATUS_CODE;
	expect_inval(m);
	m->iapd[0].unknown[0].code = AERO_DHCP6_OPT_CLIENTID; /* fine in IA_PD */
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, 85);
	RESET();
	m->iapd[0].prefix[0].n_unknown = 1;
	m->iapd[0].prefix[0].unknown[0].code = AERO_DHCP6_OPT_STATUS_CODE;
	expect_inval(m);
	m->iapd[0].prefix[0].unknown[0].code = AERO_DHCP6_OPT_IAPREFIX;
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, 85);
	/* Body sizes above 65535. */
	RESET();
	m->has_status = true;
	m->status.msg = big;
	m->status.msg_len = 65534;
	expect_inval(m);
	m->status.msg_len = 65533;
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, 81 + 4 + 65535);
	m->status.msg = NULL;
	expect_inval(m);
	RESET();
	m->has_auth = true;
	m->auth.info = big;
	m->auth.info_len = 65525;
	expect_inval(m);
	m->auth.info_len = 65524;
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, 81 + 4 + 65535);
	RESET();
	m->has_interface_id = true;
	m->interface_id = big;
	m->interface_id_len = 65536;
	expect_inval(m);
	m->interface_id = NULL;
	m->interface_id_len = 3;
	expect_inval(m);
	RESET();
	m->iapd[0].has_status = true;
	m->iapd[0].status.msg_len = 2; /* NULL */
	expect_inval(m);
	RESET();
	m->iapd[0].prefix[0].has_status = true;
	m->iapd[0].prefix[0].status.msg_len = 2; /* NULL */
	expect_inval(m);
	/* IAPREFIX body and IA_PD body above 65535. */
	RESET();
	m->iapd[0].prefix[0].n_unknown = 2;
	for (int i = 0; i < 2; i++) {
		m->iapd[0].prefix[0].unknown[i].code = 99;
		m->iapd[0].prefix[0].unknown[i].data = big;
		m->iapd[0].prefix[0].unknown[i].len = 40000;
	}
	expect_inval(m);
	RESET();
	m->iapd[0].n_prefix = 3;
	for (int j = 0; j < 3; j++) {
		m->iapd[0].prefix[j].n_unknown = 1;
		m->iapd[0].prefix[j].unknown[0].code = 99;
		m->iapd[0].prefix[j].unknown[0].data = big;
		m->iapd[0].prefix[j].unknown[0].len = 30000;
	}
	expect_inval(m);
	m->iapd[0].n_prefix = 2;
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), >, 60000);
	RESET();
	m->iapd[0].n_unknown = 2;
	for (int i = 0; i < 2; i++) {
		m->iapd[0].unknown[i].code = 99;
		m->iapd[0].unknown[i].data = big;
		m->iapd[0].unknown[i].len = 40000;
	}
	expect_inval(m);
#undef RESET
	g_free(m);
}

/* Every optional singleton set: encode / decode / NOBUF at every cap. */
static void
test_all_options(void)
{
	struct aero_dhcp6_msg *m = g_new0(struct aero_dhcp6_msg, 1);
	struct aero_dhcp6_msg *d = g_new0(struct aero_dhcp6_msg, 1);
	uint8_t buf[512];
	static const uint8_t info[3] = {1, 2, 3};

	build_tv3(m);
	m->msg_type = AERO_DHCP6_RECONFIGURE;
	m->has_serverid = true;
	m->serverid.type = AERO_DHCP6_DUID_LLT;
	m->serverid.hwtype = 1;
	m->serverid.time = 0x12345678;
	m->serverid.data = MAC2;
	m->serverid.data_len = 6;
	m->has_preference = true;
	m->preference = 255;
	m->elapsed = 0xffff;
	m->has_reconf_msg = true;
	m->reconf_msg = AERO_DHCP6_RENEW;
	m->has_auth = true;
	m->auth.protocol = 3;
	m->auth.algorithm = 1;
	m->auth.rdm = 0;
	m->auth.replay = 0x0102030405060708ull;
	m->auth.info = info;
	m->auth.info_len = 3;
	m->has_status = true;
	m->status.code = AERO_DHCP6_ST_NO_PREFIX_AVAIL;
	m->has_sol_max_rt = true;
	m->sol_max_rt = 3600;
	m->has_interface_id = true;
	m->has_relay_msg = true;
	m->iapd[0].has_status = true;
	m->iapd[0].status.code = 3;
	m->iapd[0].prefix[0].has_status = true;
	m->iapd[0].prefix[0].status.code = 2;
	int n = aero_wire_dhcp6_encode(buf, sizeof buf, m);
	g_assert_cmpint(n, >, 81);
	/* Canonical order of the top-level codes. */
	static const uint16_t order[] = {1, 2, 8, 6, 7, 14, 19, 11, 13, 82, 18, 25, 9};
	size_t off = 4, k = 0;
	while (off < (size_t)n) {
		g_assert_cmpuint(k, <, G_N_ELEMENTS(order));
		g_assert_cmpuint(buf[off] << 8 | buf[off + 1], ==, order[k++]);
		off += 4 + (size_t)(buf[off + 2] << 8 | buf[off + 3]);
	}
	g_assert_cmpuint(k, ==, G_N_ELEMENTS(order));
	g_assert_cmpint(aero_wire_dhcp6_decode(d, buf, (size_t)n), ==, n);
	g_assert_cmphex(flags(d), ==, 0xfff);
	msg_eq(m, d);
	g_assert_cmpuint(d->auth.replay, ==, 0x0102030405060708ull);
	check_reencode(d, buf, (size_t)n);
	check_truncations(buf, (size_t)n);
	g_free(d);
	g_free(m);
}

/* ---- semantic check and names ------------------------------------------------- */

static void
test_iapd_check(void)
{
	struct aero_dhcp6_iapd ia;

	memset(&ia, 0, sizeof ia);
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&ia), ==, 0);
	ia.t1 = 10;
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&ia), ==, 0); /* T2 0: client's choice */
	ia.t2 = 5;
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&ia), ==, AERO_WIRE_E_FIELD);
	ia.t2 = 10;
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&ia), ==, 0);
	ia.t1 = 0;
	ia.t2 = 1;
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&ia), ==, 0);
	ia.n_prefix = 2;
	ia.prefix[1].preferred = 100;
	ia.prefix[1].valid = 99;
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&ia), ==, AERO_WIRE_E_FIELD);
	ia.prefix[1].valid = 100;
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&ia), ==, 0);
	ia.prefix[0].plen = 129;
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&ia), ==, AERO_WIRE_E_FIELD);
	ia.prefix[0].plen = 128;
	ia.n_prefix = AERO_DHCP6_MAX_IAPREFIX + 5; /* never reads past the array */
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&ia), ==, 0);

	/* Decoding leaves semantic errors (T1 > T2, preferred > valid) to the
	 * check, but a prefix length > 128 describes no prefix: the decoder
	 * refuses it, so every decoded message can be re-encoded (found by
	 * fuzz_dhcp6). */
	gsize n;
	guint8 *b = tu_hex("07 000001 0019 0029 00000001 00000e10 00000708 "
	                   "001a 0019 00000e10 00000708 81 20010db8100020000000000000000000", &n);
	struct aero_dhcp6_msg *m = g_new0(struct aero_dhcp6_msg, 1);
	g_assert_cmpint(aero_wire_dhcp6_decode(m, b, n), ==, AERO_WIRE_E_FIELD);
	b[32] = 0x80; /* /128 is fine */
	g_assert_cmpint(aero_wire_dhcp6_decode(m, b, n), ==, (int)n);
	g_assert_cmpuint(m->iapd[0].prefix[0].plen, ==, 128);
	/* T1 (3600) > T2 (1800) and preferred (3600) > valid (1800) decode */
	g_assert_cmpint(aero_wire_dhcp6_iapd_check(&m->iapd[0]), ==, AERO_WIRE_E_FIELD);
	g_assert_cmpint(aero_wire_dhcp6_encoded_len(m), ==, (int)n);
	g_free(m);
	g_free(b);
}

static void
test_names(void)
{
	g_assert_cmpstr(aero_wire_dhcp6_msg_type_name(0), ==, "unknown");
	g_assert_cmpstr(aero_wire_dhcp6_msg_type_name(1), ==, "SOLICIT");
	g_assert_cmpstr(aero_wire_dhcp6_msg_type_name(7), ==, "REPLY");
	g_assert_cmpstr(aero_wire_dhcp6_msg_type_name(11), ==, "INFORMATION-REQUEST");
	g_assert_cmpstr(aero_wire_dhcp6_msg_type_name(13), ==, "RELAY-REPL");
	g_assert_cmpstr(aero_wire_dhcp6_msg_type_name(14), ==, "unknown");
	g_assert_cmpstr(aero_wire_dhcp6_msg_type_name(255), ==, "unknown");
	for (int t = 1; t <= 13; t++)
		for (int u = t + 1; u <= 13; u++)
			g_assert_cmpstr(aero_wire_dhcp6_msg_type_name((uint8_t)t), !=,
			                aero_wire_dhcp6_msg_type_name((uint8_t)u));
	g_assert_cmpstr(aero_wire_dhcp6_status_name(0), ==, "Success");
	g_assert_cmpstr(aero_wire_dhcp6_status_name(6), ==, "NoPrefixAvail");
	g_assert_cmpstr(aero_wire_dhcp6_status_name(7), ==, "unknown");
	g_assert_cmpstr(aero_wire_dhcp6_duid_type_name(1), ==, "DUID-LLT");
	g_assert_cmpstr(aero_wire_dhcp6_duid_type_name(2), ==, "DUID-EN");
	g_assert_cmpstr(aero_wire_dhcp6_duid_type_name(3), ==, "DUID-LL");
	g_assert_cmpstr(aero_wire_dhcp6_duid_type_name(4), ==, "DUID-UUID");
	g_assert_cmpstr(aero_wire_dhcp6_duid_type_name(5), ==, "unknown");
	static const uint16_t codes[] = {1, 2, 3, 5, 6, 7, 8, 9, 11, 12, 13, 14, 16, 18,
	                                 19, 20, 23, 24, 25, 26, 39, 67, 82, 83};
	for (size_t i = 0; i < G_N_ELEMENTS(codes); i++) {
		g_assert_cmpstr(aero_wire_dhcp6_opt_name(codes[i]), !=, "unknown");
		for (size_t j = i + 1; j < G_N_ELEMENTS(codes); j++)
			g_assert_cmpstr(aero_wire_dhcp6_opt_name(codes[i]), !=,
			                aero_wire_dhcp6_opt_name(codes[j]));
	}
	g_assert_cmpstr(aero_wire_dhcp6_opt_name(25), ==, "IA_PD");
	g_assert_cmpstr(aero_wire_dhcp6_opt_name(4), ==, "unknown");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wire/dhcp6/tv3-solicit", test_tv3);
	g_test_add_func("/wire/dhcp6/tv4-reply", test_tv4);
	g_test_add_func("/wire/dhcp6/tv5-relay-forw", test_tv5);
	g_test_add_func("/wire/dhcp6/real/dhcpcd-solicit", test_real_dhcpcd_solicit);
	g_test_add_func("/wire/dhcp6/real/kea-reply-rapid", test_real_kea_reply_rapid);
	g_test_add_func("/wire/dhcp6/real/dhclient-renew", test_real_dhclient_renew);
	g_test_add_func("/wire/dhcp6/real/dhcp6c-solicit", test_real_dhcp6c_solicit);
	g_test_add_func("/wire/dhcp6/real/kea-reply-status", test_real_kea_reply_status);
	g_test_add_func("/wire/dhcp6/real/dhcpd-reply", test_real_dhcpd_reply);
	g_test_add_func("/wire/dhcp6/random-roundtrip", test_random);
	g_test_add_func("/wire/dhcp6/err/header", test_err_header);
	g_test_add_func("/wire/dhcp6/err/truncated", test_err_truncated);
	g_test_add_func("/wire/dhcp6/err/badlen", test_err_badlen);
	g_test_add_func("/wire/dhcp6/err/duid", test_err_duid);
	g_test_add_func("/wire/dhcp6/err/duplicate", test_err_duplicate);
	g_test_add_func("/wire/dhcp6/err/toomany", test_err_toomany);
	g_test_add_func("/wire/dhcp6/unknown-kept", test_unknown_kept);
	g_test_add_func("/wire/dhcp6/encode/inval", test_encode_inval);
	g_test_add_func("/wire/dhcp6/encode/all-options", test_all_options);
	g_test_add_func("/wire/dhcp6/iapd-check", test_iapd_check);
	g_test_add_func("/wire/dhcp6/names", test_names);
	return g_test_run();
}
