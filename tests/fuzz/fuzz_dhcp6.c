/*
 * libFuzzer target for the DHCPv6 codec (core/src/wire/dhcp6.c).
 *
 * decode; when it succeeds: encode (every decoded message must encode: a
 * prefix length > 128, the one value that could not, is refused by the
 * decoder since this target found it), decode the encoding again, compare
 * the fields, re-encode and compare the bytes; then follow RELAY_MSG into
 * the inner message(s) and do the same there.
 */
#include <stdlib.h>
#include <string.h>

#include "aero/wire_dhcp6.h"

#define MAX_DEPTH 64

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
blob_eq(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	check(an == bn);
	check(an == 0 || memcmp(a, b, an) == 0);
}

static void
status_eq(bool ha, const struct aero_dhcp6_status *a, bool hb,
          const struct aero_dhcp6_status *b)
{
	check(ha == hb);
	if (ha) {
		check(a->code == b->code);
		blob_eq(a->msg, a->msg_len, b->msg, b->msg_len);
	}
}

static void
unk_eq(const struct aero_dhcp6_opt *a, size_t an,
       const struct aero_dhcp6_opt *b, size_t bn)
{
	check(an == bn);
	for (size_t i = 0; i < an; i++) {
		check(a[i].code == b[i].code);
		blob_eq(a[i].data, a[i].len, b[i].data, b[i].len);
	}
}

static void
msg_eq(const struct aero_dhcp6_msg *a, const struct aero_dhcp6_msg *b)
{
	check(a->msg_type == b->msg_type);
	check(a->transaction_id == b->transaction_id);
	check(a->hop_count == b->hop_count);
	check(memcmp(&a->link_addr, &b->link_addr, 16) == 0);
	check(memcmp(&a->peer_addr, &b->peer_addr, 16) == 0);
	check(a->has_clientid == b->has_clientid && a->has_serverid == b->has_serverid &&
	      a->has_oro == b->has_oro && a->has_preference == b->has_preference &&
	      a->has_elapsed == b->has_elapsed && a->has_relay_msg == b->has_relay_msg &&
	      a->has_auth == b->has_auth && a->has_rapid_commit == b->has_rapid_commit &&
	      a->has_interface_id == b->has_interface_id &&
	      a->has_reconf_msg == b->has_reconf_msg &&
	      a->has_sol_max_rt == b->has_sol_max_rt);
	check(!a->has_clientid || aero_wire_dhcp6_duid_equal(&a->clientid, &b->clientid));
	check(!a->has_serverid || aero_wire_dhcp6_duid_equal(&a->serverid, &b->serverid));
	check(a->n_oro == b->n_oro);
	check(memcmp(a->oro, b->oro, a->n_oro * sizeof a->oro[0]) == 0);
	check(a->preference == b->preference && a->elapsed == b->elapsed &&
	      a->reconf_msg == b->reconf_msg && a->sol_max_rt == b->sol_max_rt);
	blob_eq(a->relay_msg, a->relay_msg_len, b->relay_msg, b->relay_msg_len);
	blob_eq(a->interface_id, a->interface_id_len, b->interface_id,
	        b->interface_id_len);
	check(a->auth.protocol == b->auth.protocol &&
	      a->auth.algorithm == b->auth.algorithm && a->auth.rdm == b->auth.rdm &&
	      a->auth.replay == b->auth.replay);
	blob_eq(a->auth.info, a->auth.info_len, b->auth.info, b->auth.info_len);
	status_eq(a->has_status, &a->status, b->has_status, &b->status);
	check(a->n_iapd == b->n_iapd);
	for (size_t i = 0; i < a->n_iapd; i++) {
		const struct aero_dhcp6_iapd *x = &a->iapd[i], *y = &b->iapd[i];

		check(x->iaid == y->iaid && x->t1 == y->t1 && x->t2 == y->t2);
		check(x->n_prefix == y->n_prefix);
		for (size_t j = 0; j < x->n_prefix; j++) {
			const struct aero_dhcp6_iaprefix *p = &x->prefix[j], *q = &y->prefix[j];

			check(p->preferred == q->preferred && p->valid == q->valid &&
			      p->plen == q->plen);
			check(memcmp(&p->prefix, &q->prefix, 16) == 0);
			status_eq(p->has_status, &p->status, q->has_status, &q->status);
			unk_eq(p->unknown, p->n_unknown, q->unknown, q->n_unknown);
		}
		status_eq(x->has_status, &x->status, y->has_status, &y->status);
		unk_eq(x->unknown, x->n_unknown, y->unknown, y->n_unknown);
	}
	unk_eq(a->unknown, a->n_unknown, b->unknown, b->n_unknown);
}

/* Round-trip one decoded message m of n bytes. */
static void
roundtrip(const struct aero_dhcp6_msg *m, int n, struct aero_dhcp6_msg *d)
{
	int len = aero_wire_dhcp6_encoded_len(m);
	uint8_t *b1, *b2;

	check(len > 0 && len == n); /* same options, maybe reordered */
	b1 = malloc((size_t)len);
	b2 = malloc((size_t)len);
	check(b1 && b2);
	check(aero_wire_dhcp6_encode(b1, (size_t)len - 1, m) == AERO_WIRE_E_NOBUF);
	check(aero_wire_dhcp6_encode(b1, (size_t)len, m) == len);
	check(aero_wire_dhcp6_decode(d, b1, (size_t)len) == len);
	msg_eq(m, d);
	check(aero_wire_dhcp6_encode(b2, (size_t)len, d) == len);
	check(memcmp(b1, b2, (size_t)len) == 0);
	free(b1);
	free(b2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aero_dhcp6_msg *m = malloc(sizeof *m);
	struct aero_dhcp6_msg *in = malloc(sizeof *in);
	struct aero_dhcp6_msg *d = malloc(sizeof *d);
	int rc;

	check(m && in && d);
	rc = aero_wire_dhcp6_decode(m, data, size);
	check(rc == (int)size || (rc < 0 && rc >= AERO_WIRE_E_MIN));
	for (int depth = 0; rc >= 0 && depth < MAX_DEPTH; depth++) {
		roundtrip(m, rc, d);
		for (size_t i = 0; i < m->n_iapd; i++) /* entries past n_iapd are unspecified */
			check(aero_wire_dhcp6_iapd_check(&m->iapd[i]) <= 0);
		if (!m->has_relay_msg)
			break;
		rc = aero_wire_dhcp6_relay_inner(in, m);
		check(rc == (int)m->relay_msg_len || (rc < 0 && rc >= AERO_WIRE_E_MIN));
		memcpy(m, in, sizeof *m);
	}
	free(m);
	free(in);
	free(d);
	return 0;
}
