/*
 * DHCPv6 messages and the options used by Prefix Delegation (RFC 8415).
 *
 * Client/server message (RFC 8415 8):
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    msg-type   |               transaction-id                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                            options                            .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Relay-forward / Relay-reply (RFC 8415 9):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    msg-type   |   hop-count   |            link-address (128)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       |                    peer-address (128)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .            options (RELAY_MSG mandatory, INTERFACE_ID...)     .
 *
 * Option (RFC 8415 21.1):  option-code(16) | option-len(16) | data
 *   IA_PD 25 (21.21):      IAID(32) | T1(32) | T2(32) | IA_PD-options
 *   IAPREFIX 26 (21.22):   preferred(32) | valid(32) | plen(8) |
 *                          prefix(128) | IAprefix-options
 *   STATUS_CODE 13 (21.13): status-code(16) | UTF-8 message
 *   AUTH 11 (21.11):       protocol | algorithm | RDM | replay(64) | info
 *   DUID (11):             type(16) | LLT: hwtype(16) time(32) ll-addr
 *                                    | EN: enterprise(32) identifier
 *                                    | LL: hwtype(16) ll-addr
 *                                    | UUID: uuid(128)
 */
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "aero/wire_dhcp6.h"
#include "aero/bytes.h"

/* ---- DUID (RFC 8415 11) ------------------------------------------------- */

int
aero_wire_dhcp6_duid_decode(struct aero_dhcp6_duid *out, const uint8_t *buf,
                            size_t len)
{
	memset(out, 0, sizeof *out);
	/* RFC 8415 11.1: 1..128 octets after the 2-octet type. */
	if (len < AERO_DHCP6_DUID_MIN_LEN || len > AERO_DHCP6_DUID_MAX_LEN)
		return AERO_WIRE_E_BADLEN;
	out->type = get16(buf);
	switch (out->type) {
	case AERO_DHCP6_DUID_LLT: /* 11.2 */
		if (len < AERO_DHCP6_DUID_LLT_MIN_LEN)
			return AERO_WIRE_E_BADLEN;
		out->hwtype = get16(buf + 2);
		out->time = get32(buf + 4);
		out->data = buf + AERO_DHCP6_DUID_LLT_MIN_LEN;
		out->data_len = len - AERO_DHCP6_DUID_LLT_MIN_LEN;
		break;
	case AERO_DHCP6_DUID_EN: /* 11.3 */
		if (len < AERO_DHCP6_DUID_EN_MIN_LEN)
			return AERO_WIRE_E_BADLEN;
		out->enterprise = get32(buf + 2);
		out->data = buf + AERO_DHCP6_DUID_EN_MIN_LEN;
		out->data_len = len - AERO_DHCP6_DUID_EN_MIN_LEN;
		break;
	case AERO_DHCP6_DUID_LL: /* 11.4 */
		if (len < AERO_DHCP6_DUID_LL_MIN_LEN)
			return AERO_WIRE_E_BADLEN;
		out->hwtype = get16(buf + 2);
		out->data = buf + AERO_DHCP6_DUID_LL_MIN_LEN;
		out->data_len = len - AERO_DHCP6_DUID_LL_MIN_LEN;
		break;
	case AERO_DHCP6_DUID_UUID: /* 11.5, RFC 6355 4 */
		if (len != AERO_DHCP6_DUID_UUID_LEN)
			return AERO_WIRE_E_BADLEN;
		memcpy(out->uuid, buf + 2, 16);
		break;
	default:
		out->data = buf + 2;
		out->data_len = len - 2;
		break;
	}
	if (out->data_len == 0)
		out->data = NULL;
	return (int)len;
}

int
aero_wire_dhcp6_duid_len(const struct aero_dhcp6_duid *in)
{
	size_t n;

	switch (in->type) {
	case AERO_DHCP6_DUID_LLT:  n = AERO_DHCP6_DUID_LLT_MIN_LEN; break;
	case AERO_DHCP6_DUID_EN:   n = AERO_DHCP6_DUID_EN_MIN_LEN; break;
	case AERO_DHCP6_DUID_LL:   n = AERO_DHCP6_DUID_LL_MIN_LEN; break;
	case AERO_DHCP6_DUID_UUID: return AERO_DHCP6_DUID_UUID_LEN;
	default:                   n = 2; break;
	}
	if (in->data_len > AERO_DHCP6_DUID_MAX_LEN - n ||
	    (in->data_len > 0 && in->data == NULL))
		return AERO_WIRE_E_INVAL;
	n += in->data_len;
	if (n < AERO_DHCP6_DUID_MIN_LEN) /* RFC 8415 11.1 */
		return AERO_WIRE_E_INVAL;
	return (int)n;
}

/* Write a DUID validated by aero_wire_dhcp6_duid_len; returns its end. */
static uint8_t *
duid_write(uint8_t *p, const struct aero_dhcp6_duid *d)
{
	size_t h = 2;

	put16(p, d->type);
	switch (d->type) {
	case AERO_DHCP6_DUID_LLT:
		put16(p + 2, d->hwtype);
		put32(p + 4, d->time);
		h = AERO_DHCP6_DUID_LLT_MIN_LEN;
		break;
	case AERO_DHCP6_DUID_EN:
		put32(p + 2, d->enterprise);
		h = AERO_DHCP6_DUID_EN_MIN_LEN;
		break;
	case AERO_DHCP6_DUID_LL:
		put16(p + 2, d->hwtype);
		h = AERO_DHCP6_DUID_LL_MIN_LEN;
		break;
	case AERO_DHCP6_DUID_UUID:
		memcpy(p + 2, d->uuid, 16);
		return p + AERO_DHCP6_DUID_UUID_LEN;
	default:
		break;
	}
	if (d->data_len > 0)
		memcpy(p + h, d->data, d->data_len);
	return p + h + d->data_len;
}

int
aero_wire_dhcp6_duid_encode(uint8_t *buf, size_t cap,
                            const struct aero_dhcp6_duid *in)
{
	int n = aero_wire_dhcp6_duid_len(in);

	if (n < 0)
		return n;
	if ((size_t)n > cap)
		return AERO_WIRE_E_NOBUF;
	duid_write(buf, in);
	return n;
}

bool
aero_wire_dhcp6_duid_equal(const struct aero_dhcp6_duid *a,
                           const struct aero_dhcp6_duid *b)
{
	uint8_t x[AERO_DHCP6_DUID_MAX_LEN], y[AERO_DHCP6_DUID_MAX_LEN];
	int nx = aero_wire_dhcp6_duid_encode(x, sizeof x, a);
	int ny = aero_wire_dhcp6_duid_encode(y, sizeof y, b);

	return nx > 0 && nx == ny && memcmp(x, y, (size_t)nx) == 0;
}

/* ---- option list walking (RFC 8415 21.1) -------------------------------- */

struct opt {
	uint16_t code;
	const uint8_t *body;
	size_t len;
};

/* Read the option at *off in p[0..n); advance *off past it. */
static int
opt_next(const uint8_t *p, size_t n, size_t *off, struct opt *o)
{
	size_t rest = n - *off;

	if (rest < AERO_DHCP6_OPT_HDR_LEN)
		return AERO_WIRE_E_TRUNCATED;
	o->code = get16(p + *off);
	o->len = get16(p + *off + 2);
	if (o->len > rest - AERO_DHCP6_OPT_HDR_LEN)
		return AERO_WIRE_E_TRUNCATED;
	o->body = p + *off + AERO_DHCP6_OPT_HDR_LEN;
	*off += AERO_DHCP6_OPT_HDR_LEN + o->len;
	return 0;
}

/* Keep an option we do not decode. */
static int
unknown_add(struct aero_dhcp6_opt *arr, size_t *n, size_t cap,
            const struct opt *o)
{
	if (*n >= cap)
		return AERO_WIRE_E_TOOMANY;
	arr[*n].code = o->code;
	arr[*n].data = o->len ? o->body : NULL;
	arr[*n].len = o->len;
	(*n)++;
	return 0;
}

/* STATUS_CODE (RFC 8415 21.13): a singleton in each container. */
static int
status_decode(struct aero_dhcp6_status *s, bool *has, const struct opt *o)
{
	if (*has)
		return AERO_WIRE_E_DUPLICATE;
	if (o->len < AERO_DHCP6_STATUS_LEN)
		return AERO_WIRE_E_BADLEN;
	*has = true;
	s->code = get16(o->body);
	s->msg_len = o->len - AERO_DHCP6_STATUS_LEN;
	s->msg = s->msg_len ? o->body + AERO_DHCP6_STATUS_LEN : NULL;
	return 0;
}

/* ---- IAPREFIX and IA_PD (RFC 8415 21.21, 21.22) ------------------------- */

static int
iaprefix_decode(struct aero_dhcp6_iaprefix *pf, const uint8_t *p, size_t n)
{
	size_t off = AERO_DHCP6_IAPREFIX_LEN;
	struct opt o;
	int rc;

	memset(pf, 0, sizeof *pf);
	if (n < AERO_DHCP6_IAPREFIX_LEN)
		return AERO_WIRE_E_BADLEN;
	pf->preferred = get32(p);
	pf->valid = get32(p + 4);
	pf->plen = p[8];
	/* RFC 8415 21.22: an IPv6 prefix length is 0..128; a larger one cannot
	 * describe a prefix at all (and could not be re-encoded). */
	if (pf->plen > AERO_DHCP6_PLEN_MAX)
		return AERO_WIRE_E_FIELD;
	memcpy(pf->prefix.b, p + 9, 16);
	while (off < n) {
		if ((rc = opt_next(p, n, &off, &o)) < 0)
			return rc;
		if (o.code == AERO_DHCP6_OPT_STATUS_CODE)
			rc = status_decode(&pf->status, &pf->has_status, &o);
		else
			rc = unknown_add(pf->unknown, &pf->n_unknown,
			                 AERO_DHCP6_MAX_IAPREFIX_UNKNOWN, &o);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
iapd_decode(struct aero_dhcp6_iapd *ia, const uint8_t *p, size_t n)
{
	size_t off = AERO_DHCP6_IAPD_LEN;
	struct opt o;
	int rc;

	/* zero all but the prefix array: entries are zeroed as they are used */
	memset(ia, 0, offsetof(struct aero_dhcp6_iapd, prefix));
	memset(&ia->has_status, 0,
	       sizeof *ia - offsetof(struct aero_dhcp6_iapd, has_status));
	if (n < AERO_DHCP6_IAPD_LEN)
		return AERO_WIRE_E_BADLEN;
	ia->iaid = get32(p);
	ia->t1 = get32(p + 4);
	ia->t2 = get32(p + 8);
	while (off < n) {
		if ((rc = opt_next(p, n, &off, &o)) < 0)
			return rc;
		switch (o.code) {
		case AERO_DHCP6_OPT_IAPREFIX: /* may repeat (21.21) */
			if (ia->n_prefix >= AERO_DHCP6_MAX_IAPREFIX)
				return AERO_WIRE_E_TOOMANY;
			rc = iaprefix_decode(&ia->prefix[ia->n_prefix++], o.body, o.len);
			break;
		case AERO_DHCP6_OPT_STATUS_CODE:
			rc = status_decode(&ia->status, &ia->has_status, &o);
			break;
		default:
			rc = unknown_add(ia->unknown, &ia->n_unknown,
			                 AERO_DHCP6_MAX_IAPD_UNKNOWN, &o);
			break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- message decoding ---------------------------------------------------- */

static bool
is_relay(uint8_t type)
{
	return type == AERO_DHCP6_RELAY_FORW || type == AERO_DHCP6_RELAY_REPL;
}

/* Claim a singleton: AERO_WIRE_E_DUPLICATE the second time. */
static int
once(bool *has)
{
	if (*has)
		return AERO_WIRE_E_DUPLICATE;
	*has = true;
	return 0;
}

/* Claim a fixed-size singleton. */
static int
once_fixed(bool *has, const struct opt *o, size_t want)
{
	if (*has)
		return AERO_WIRE_E_DUPLICATE;
	if (o->len != want)
		return AERO_WIRE_E_BADLEN;
	*has = true;
	return 0;
}

static int
duid_opt(struct aero_dhcp6_duid *d, bool *has, const struct opt *o)
{
	int rc = once(has);

	if (rc < 0)
		return rc;
	rc = aero_wire_dhcp6_duid_decode(d, o->body, o->len);
	return rc < 0 ? rc : 0;
}

static int
oro_opt(struct aero_dhcp6_msg *m, const struct opt *o)
{
	int rc = once(&m->has_oro);

	if (rc < 0)
		return rc;
	if (o->len % 2 != 0) /* RFC 8415 21.7: list of 16-bit codes */
		return AERO_WIRE_E_BADLEN;
	if (o->len / 2 > AERO_DHCP6_MAX_ORO)
		return AERO_WIRE_E_TOOMANY;
	m->n_oro = o->len / 2;
	for (size_t i = 0; i < m->n_oro; i++)
		m->oro[i] = get16(o->body + 2 * i);
	return 0;
}

static int
auth_opt(struct aero_dhcp6_msg *m, const struct opt *o)
{
	struct aero_dhcp6_auth *a = &m->auth;
	int rc = once(&m->has_auth);

	if (rc < 0)
		return rc;
	if (o->len < AERO_DHCP6_AUTH_LEN) /* RFC 8415 21.11 */
		return AERO_WIRE_E_BADLEN;
	a->protocol = o->body[0];
	a->algorithm = o->body[1];
	a->rdm = o->body[2];
	a->replay = get64(o->body + 3);
	a->info_len = o->len - AERO_DHCP6_AUTH_LEN;
	a->info = a->info_len ? o->body + AERO_DHCP6_AUTH_LEN : NULL;
	return 0;
}

static int
iapd_opt(struct aero_dhcp6_msg *m, const struct opt *o)
{
	struct aero_dhcp6_iapd *ia;
	int rc;

	if (m->n_iapd >= AERO_DHCP6_MAX_IAPD)
		return AERO_WIRE_E_TOOMANY;
	ia = &m->iapd[m->n_iapd];
	if ((rc = iapd_decode(ia, o->body, o->len)) < 0)
		return rc;
	/* RFC 8415 21.21: the IAID identifies the IA_PD; one option each. */
	for (size_t i = 0; i < m->n_iapd; i++)
		if (m->iapd[i].iaid == ia->iaid)
			return AERO_WIRE_E_DUPLICATE;
	m->n_iapd++;
	return 0;
}

static int
msg_opt(struct aero_dhcp6_msg *m, const struct opt *o)
{
	int rc;

	switch (o->code) {
	case AERO_DHCP6_OPT_CLIENTID:
		return duid_opt(&m->clientid, &m->has_clientid, o);
	case AERO_DHCP6_OPT_SERVERID:
		return duid_opt(&m->serverid, &m->has_serverid, o);
	case AERO_DHCP6_OPT_ORO:
		return oro_opt(m, o);
	case AERO_DHCP6_OPT_PREFERENCE: /* 21.8 */
		if ((rc = once_fixed(&m->has_preference, o, 1)) == 0)
			m->preference = o->body[0];
		return rc;
	case AERO_DHCP6_OPT_ELAPSED_TIME: /* 21.9 */
		if ((rc = once_fixed(&m->has_elapsed, o, 2)) == 0)
			m->elapsed = get16(o->body);
		return rc;
	case AERO_DHCP6_OPT_RELAY_MSG: /* 21.10 */
		if ((rc = once(&m->has_relay_msg)) == 0) {
			m->relay_msg = o->len ? o->body : NULL;
			m->relay_msg_len = o->len;
		}
		return rc;
	case AERO_DHCP6_OPT_AUTH:
		return auth_opt(m, o);
	case AERO_DHCP6_OPT_STATUS_CODE:
		return status_decode(&m->status, &m->has_status, o);
	case AERO_DHCP6_OPT_RAPID_COMMIT: /* 21.14 */
		return once_fixed(&m->has_rapid_commit, o, 0);
	case AERO_DHCP6_OPT_INTERFACE_ID: /* 21.18 */
		if ((rc = once(&m->has_interface_id)) == 0) {
			m->interface_id = o->len ? o->body : NULL;
			m->interface_id_len = o->len;
		}
		return rc;
	case AERO_DHCP6_OPT_RECONF_MSG: /* 21.19 */
		if ((rc = once_fixed(&m->has_reconf_msg, o, 1)) == 0)
			m->reconf_msg = o->body[0];
		return rc;
	case AERO_DHCP6_OPT_SOL_MAX_RT: /* 21.24 */
		if ((rc = once_fixed(&m->has_sol_max_rt, o, 4)) == 0)
			m->sol_max_rt = get32(o->body);
		return rc;
	case AERO_DHCP6_OPT_IA_PD:
		return iapd_opt(m, o);
	default:
		return unknown_add(m->unknown, &m->n_unknown,
		                   AERO_DHCP6_MAX_UNKNOWN, o);
	}
}

int
aero_wire_dhcp6_decode(struct aero_dhcp6_msg *out, const uint8_t *buf,
                       size_t len)
{
	size_t off;
	struct opt o;
	int rc;

	/* The arrays are not zeroed (9 KiB; this is the Server's hot path):
	 * each entry is cleared when it is decoded, the rest is unspecified. */
	memset(out, 0, offsetof(struct aero_dhcp6_msg, iapd));
	out->n_unknown = 0;
	if (len > INT_MAX)
		return AERO_WIRE_E_BADLEN;
	if (len < 1)
		return AERO_WIRE_E_TRUNCATED;
	out->msg_type = buf[0];
	if (out->msg_type < AERO_DHCP6_SOLICIT ||
	    out->msg_type > AERO_DHCP6_RELAY_REPL) /* RFC 8415 7.3 */
		return AERO_WIRE_E_TYPE;
	if (is_relay(out->msg_type)) { /* RFC 8415 9 */
		if (len < AERO_DHCP6_RELAY_HDR_LEN)
			return AERO_WIRE_E_TRUNCATED;
		out->hop_count = buf[1];
		memcpy(out->link_addr.b, buf + 2, 16);
		memcpy(out->peer_addr.b, buf + 18, 16);
		off = AERO_DHCP6_RELAY_HDR_LEN;
	} else { /* RFC 8415 8 */
		if (len < AERO_DHCP6_HDR_LEN)
			return AERO_WIRE_E_TRUNCATED;
		out->transaction_id = get24(buf + 1);
		off = AERO_DHCP6_HDR_LEN;
	}
	while (off < len) {
		if ((rc = opt_next(buf, len, &off, &o)) < 0)
			return rc;
		if ((rc = msg_opt(out, &o)) < 0)
			return rc;
	}
	if (is_relay(out->msg_type) && !out->has_relay_msg) /* RFC 8415 9.1 */
		return AERO_WIRE_E_MISSING;
	return (int)len;
}

int
aero_wire_dhcp6_relay_inner(struct aero_dhcp6_msg *inner,
                            const struct aero_dhcp6_msg *relay)
{
	if (!relay->has_relay_msg) {
		memset(inner, 0, sizeof *inner);
		return AERO_WIRE_E_MISSING;
	}
	return aero_wire_dhcp6_decode(inner, relay->relay_msg,
	                              relay->relay_msg_len);
}

/* ---- encoding: sizes (validation) ------------------------------------------ */

/* Codes decoded in each container: an "unknown" option with one of these
 * would not decode back as unknown. */
static const uint16_t known_top[] = {
	AERO_DHCP6_OPT_CLIENTID, AERO_DHCP6_OPT_SERVERID, AERO_DHCP6_OPT_ORO,
	AERO_DHCP6_OPT_PREFERENCE, AERO_DHCP6_OPT_ELAPSED_TIME,
	AERO_DHCP6_OPT_RELAY_MSG, AERO_DHCP6_OPT_AUTH,
	AERO_DHCP6_OPT_STATUS_CODE, AERO_DHCP6_OPT_RAPID_COMMIT,
	AERO_DHCP6_OPT_INTERFACE_ID, AERO_DHCP6_OPT_RECONF_MSG,
	AERO_DHCP6_OPT_SOL_MAX_RT, AERO_DHCP6_OPT_IA_PD, 0,
};
static const uint16_t known_iapd[] = {
	AERO_DHCP6_OPT_IAPREFIX, AERO_DHCP6_OPT_STATUS_CODE, 0,
};
static const uint16_t known_iaprefix[] = {AERO_DHCP6_OPT_STATUS_CODE, 0};

#define OPT_SIZE(body) (AERO_DHCP6_OPT_HDR_LEN + (size_t)(body))

/* Check a body of fixed bytes plus len opaque bytes at p; returns the
 * option's size or AERO_WIRE_E_INVAL. */
static long
blob_size(const uint8_t *p, size_t len, size_t fixed)
{
	if (len > AERO_DHCP6_OPT_MAX_LEN - fixed || (len > 0 && p == NULL))
		return AERO_WIRE_E_INVAL;
	return (long)OPT_SIZE(fixed + len);
}

static long
unknown_size(const struct aero_dhcp6_opt *u, size_t n, size_t cap,
             const uint16_t *known)
{
	long sum = 0;

	if (n > cap)
		return AERO_WIRE_E_INVAL;
	for (size_t i = 0; i < n; i++) {
		long s = blob_size(u[i].data, u[i].len, 0);

		for (const uint16_t *k = known; *k; k++)
			if (u[i].code == *k)
				return AERO_WIRE_E_INVAL;
		if (s < 0)
			return s;
		sum += s;
	}
	return sum;
}

static long
status_size(const struct aero_dhcp6_status *s)
{
	return blob_size(s->msg, s->msg_len, AERO_DHCP6_STATUS_LEN);
}

/*
 * Size of a container option (IA_PD, IAPREFIX) whose body so far is n bytes,
 * plus its optional STATUS_CODE and its kept unknown options.
 */
static long
container_size(long n, bool has_status, const struct aero_dhcp6_status *st,
               const struct aero_dhcp6_opt *u, size_t nu, size_t cap,
               const uint16_t *known)
{
	long s;

	if (has_status) {
		if ((s = status_size(st)) < 0)
			return s;
		n += s;
	}
	if ((s = unknown_size(u, nu, cap, known)) < 0)
		return s;
	n += s;
	if (n > AERO_DHCP6_OPT_MAX_LEN)
		return AERO_WIRE_E_INVAL;
	return (long)OPT_SIZE(n);
}

/* Each returns the whole option's size (header included) or INVAL. */
static long
iaprefix_size(const struct aero_dhcp6_iaprefix *pf)
{
	long n = AERO_DHCP6_IAPREFIX_LEN;

	if (pf->plen > AERO_DHCP6_PLEN_MAX)
		return AERO_WIRE_E_INVAL;
	return container_size(n, pf->has_status, &pf->status, pf->unknown,
	                      pf->n_unknown, AERO_DHCP6_MAX_IAPREFIX_UNKNOWN,
	                      known_iaprefix);
}

static long
iapd_size(const struct aero_dhcp6_iapd *ia)
{
	long n = AERO_DHCP6_IAPD_LEN, s;

	if (ia->n_prefix > AERO_DHCP6_MAX_IAPREFIX)
		return AERO_WIRE_E_INVAL;
	for (size_t i = 0; i < ia->n_prefix; i++) {
		if ((s = iaprefix_size(&ia->prefix[i])) < 0)
			return s;
		n += s;
	}
	return container_size(n, ia->has_status, &ia->status, ia->unknown,
	                      ia->n_unknown, AERO_DHCP6_MAX_IAPD_UNKNOWN, known_iapd);
}

static long
duid_size(const struct aero_dhcp6_duid *d)
{
	int n = aero_wire_dhcp6_duid_len(d);

	return n < 0 ? n : (long)OPT_SIZE(n);
}

/* Adds the size of one optional part to *sum; false on error (in *sum). */
static bool
add(long *sum, long s)
{
	if (s < 0) {
		*sum = s;
		return false;
	}
	*sum += s;
	return true;
}

int
aero_wire_dhcp6_encoded_len(const struct aero_dhcp6_msg *m)
{
	long n;

	if (m->msg_type < AERO_DHCP6_SOLICIT || m->msg_type > AERO_DHCP6_RELAY_REPL)
		return AERO_WIRE_E_INVAL;
	if (is_relay(m->msg_type)) {
		if (!m->has_relay_msg) /* RFC 8415 9.1 */
			return AERO_WIRE_E_INVAL;
		n = AERO_DHCP6_RELAY_HDR_LEN;
	} else {
		if (m->transaction_id > AERO_DHCP6_XID_MAX)
			return AERO_WIRE_E_INVAL;
		n = AERO_DHCP6_HDR_LEN;
	}
	if (m->has_clientid && !add(&n, duid_size(&m->clientid)))
		return (int)n;
	if (m->has_serverid && !add(&n, duid_size(&m->serverid)))
		return (int)n;
	if (m->has_elapsed)
		n += OPT_SIZE(2);
	if (m->has_oro) {
		if (m->n_oro > AERO_DHCP6_MAX_ORO)
			return AERO_WIRE_E_INVAL;
		n += OPT_SIZE(2 * m->n_oro);
	}
	if (m->has_preference)
		n += OPT_SIZE(1);
	if (m->has_rapid_commit)
		n += OPT_SIZE(0);
	if (m->has_reconf_msg)
		n += OPT_SIZE(1);
	if (m->has_auth && !add(&n, blob_size(m->auth.info, m->auth.info_len,
	                                      AERO_DHCP6_AUTH_LEN)))
		return (int)n;
	if (m->has_status && !add(&n, status_size(&m->status)))
		return (int)n;
	if (m->has_sol_max_rt)
		n += OPT_SIZE(4);
	if (m->has_interface_id &&
	    !add(&n, blob_size(m->interface_id, m->interface_id_len, 0)))
		return (int)n;
	if (m->n_iapd > AERO_DHCP6_MAX_IAPD)
		return AERO_WIRE_E_INVAL;
	for (size_t i = 0; i < m->n_iapd; i++)
		if (!add(&n, iapd_size(&m->iapd[i])))
			return (int)n;
	if (m->has_relay_msg &&
	    !add(&n, blob_size(m->relay_msg, m->relay_msg_len, 0)))
		return (int)n;
	if (!add(&n, unknown_size(m->unknown, m->n_unknown,
	                          AERO_DHCP6_MAX_UNKNOWN, known_top)))
		return (int)n;
	return (int)n;
}

/* ---- encoding: writing (inputs already validated) ------------------------ */

/* Option header whose length is filled in by opt_end. */
static uint8_t *
opt_begin(uint8_t *p, uint16_t code)
{
	put16(p, code);
	return p + AERO_DHCP6_OPT_HDR_LEN;
}

static uint8_t *
opt_end(uint8_t *start, uint8_t *end)
{
	put16(start + 2, (uint16_t)(end - start - AERO_DHCP6_OPT_HDR_LEN));
	return end;
}

static uint8_t *
put_blob(uint8_t *p, uint16_t code, const uint8_t *d, size_t len)
{
	uint8_t *q = opt_begin(p, code);

	if (len > 0)
		memcpy(q, d, len);
	return opt_end(p, q + len);
}

static uint8_t *
put_status(uint8_t *p, const struct aero_dhcp6_status *s)
{
	uint8_t *q = opt_begin(p, AERO_DHCP6_OPT_STATUS_CODE);

	put16(q, s->code);
	q += AERO_DHCP6_STATUS_LEN;
	if (s->msg_len > 0)
		memcpy(q, s->msg, s->msg_len);
	return opt_end(p, q + s->msg_len);
}

static uint8_t *
put_unknown(uint8_t *p, const struct aero_dhcp6_opt *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p = put_blob(p, u[i].code, u[i].data, u[i].len);
	return p;
}

static uint8_t *
put_iaprefix(uint8_t *p, const struct aero_dhcp6_iaprefix *pf)
{
	uint8_t *q = opt_begin(p, AERO_DHCP6_OPT_IAPREFIX);

	put32(q, pf->preferred);
	put32(q + 4, pf->valid);
	q[8] = pf->plen;
	memcpy(q + 9, pf->prefix.b, 16);
	q += AERO_DHCP6_IAPREFIX_LEN;
	if (pf->has_status)
		q = put_status(q, &pf->status);
	q = put_unknown(q, pf->unknown, pf->n_unknown);
	return opt_end(p, q);
}

static uint8_t *
put_iapd(uint8_t *p, const struct aero_dhcp6_iapd *ia)
{
	uint8_t *q = opt_begin(p, AERO_DHCP6_OPT_IA_PD);

	put32(q, ia->iaid);
	put32(q + 4, ia->t1);
	put32(q + 8, ia->t2);
	q += AERO_DHCP6_IAPD_LEN;
	for (size_t i = 0; i < ia->n_prefix; i++)
		q = put_iaprefix(q, &ia->prefix[i]);
	if (ia->has_status)
		q = put_status(q, &ia->status);
	q = put_unknown(q, ia->unknown, ia->n_unknown);
	return opt_end(p, q);
}

static uint8_t *
put_duid(uint8_t *p, uint16_t code, const struct aero_dhcp6_duid *d)
{
	return opt_end(p, duid_write(opt_begin(p, code), d));
}

int
aero_wire_dhcp6_encode(uint8_t *buf, size_t cap, const struct aero_dhcp6_msg *m)
{
	int n = aero_wire_dhcp6_encoded_len(m);
	uint8_t *p = buf, *q;

	if (n < 0)
		return n;
	if ((size_t)n > cap)
		return AERO_WIRE_E_NOBUF;
	p[0] = m->msg_type;
	if (is_relay(m->msg_type)) {
		p[1] = m->hop_count;
		memcpy(p + 2, m->link_addr.b, 16);
		memcpy(p + 18, m->peer_addr.b, 16);
		p += AERO_DHCP6_RELAY_HDR_LEN;
	} else {
		put24(p + 1, m->transaction_id);
		p += AERO_DHCP6_HDR_LEN;
	}
	/* Canonical order: see aero/wire_dhcp6.h. */
	if (m->has_clientid)
		p = put_duid(p, AERO_DHCP6_OPT_CLIENTID, &m->clientid);
	if (m->has_serverid)
		p = put_duid(p, AERO_DHCP6_OPT_SERVERID, &m->serverid);
	if (m->has_elapsed) {
		q = opt_begin(p, AERO_DHCP6_OPT_ELAPSED_TIME);
		put16(q, m->elapsed);
		p = opt_end(p, q + 2);
	}
	if (m->has_oro) {
		q = opt_begin(p, AERO_DHCP6_OPT_ORO);
		for (size_t i = 0; i < m->n_oro; i++, q += 2)
			put16(q, m->oro[i]);
		p = opt_end(p, q);
	}
	if (m->has_preference)
		p = put_blob(p, AERO_DHCP6_OPT_PREFERENCE, &m->preference, 1);
	if (m->has_rapid_commit)
		p = put_blob(p, AERO_DHCP6_OPT_RAPID_COMMIT, NULL, 0);
	if (m->has_reconf_msg)
		p = put_blob(p, AERO_DHCP6_OPT_RECONF_MSG, &m->reconf_msg, 1);
	if (m->has_auth) {
		q = opt_begin(p, AERO_DHCP6_OPT_AUTH);
		q[0] = m->auth.protocol;
		q[1] = m->auth.algorithm;
		q[2] = m->auth.rdm;
		put64(q + 3, m->auth.replay);
		q += AERO_DHCP6_AUTH_LEN;
		if (m->auth.info_len > 0)
			memcpy(q, m->auth.info, m->auth.info_len);
		p = opt_end(p, q + m->auth.info_len);
	}
	if (m->has_status)
		p = put_status(p, &m->status);
	if (m->has_sol_max_rt) {
		q = opt_begin(p, AERO_DHCP6_OPT_SOL_MAX_RT);
		put32(q, m->sol_max_rt);
		p = opt_end(p, q + 4);
	}
	if (m->has_interface_id)
		p = put_blob(p, AERO_DHCP6_OPT_INTERFACE_ID, m->interface_id,
		             m->interface_id_len);
	for (size_t i = 0; i < m->n_iapd; i++)
		p = put_iapd(p, &m->iapd[i]);
	if (m->has_relay_msg)
		p = put_blob(p, AERO_DHCP6_OPT_RELAY_MSG, m->relay_msg,
		             m->relay_msg_len);
	p = put_unknown(p, m->unknown, m->n_unknown);
	return (int)(p - buf);
}

/* ---- semantic checks ---------------------------------------------------- */

int
aero_wire_dhcp6_iapd_check(const struct aero_dhcp6_iapd *ia)
{
	/* RFC 8415 21.21: T1 > T2 (both non-zero) => discard the IA_PD. */
	if (ia->t1 != 0 && ia->t2 != 0 && ia->t1 > ia->t2)
		return AERO_WIRE_E_FIELD;
	for (size_t i = 0; i < ia->n_prefix && i < AERO_DHCP6_MAX_IAPREFIX; i++) {
		const struct aero_dhcp6_iaprefix *pf = &ia->prefix[i];

		/* RFC 8415 21.22: preferred > valid => discard the prefix. */
		if (pf->preferred > pf->valid || pf->plen > AERO_DHCP6_PLEN_MAX)
			return AERO_WIRE_E_FIELD;
	}
	return 0;
}

/* ---- names -------------------------------------------------------------- */

const char *
aero_wire_dhcp6_msg_type_name(uint8_t type)
{
	static const char *const names[] = {
		[AERO_DHCP6_SOLICIT] = "SOLICIT",
		[AERO_DHCP6_ADVERTISE] = "ADVERTISE",
		[AERO_DHCP6_REQUEST] = "REQUEST",
		[AERO_DHCP6_CONFIRM] = "CONFIRM",
		[AERO_DHCP6_RENEW] = "RENEW",
		[AERO_DHCP6_REBIND] = "REBIND",
		[AERO_DHCP6_REPLY] = "REPLY",
		[AERO_DHCP6_RELEASE] = "RELEASE",
		[AERO_DHCP6_DECLINE] = "DECLINE",
		[AERO_DHCP6_RECONFIGURE] = "RECONFIGURE",
		[AERO_DHCP6_INFO_REQUEST] = "INFORMATION-REQUEST",
		[AERO_DHCP6_RELAY_FORW] = "RELAY-FORW",
		[AERO_DHCP6_RELAY_REPL] = "RELAY-REPL",
	};

	if (type < sizeof names / sizeof names[0] && names[type])
		return names[type];
	return "unknown";
}

const char *
aero_wire_dhcp6_status_name(uint16_t code)
{
	static const char *const names[] = {
		"Success", "UnspecFail", "NoAddrsAvail", "NoBinding",
		"NotOnLink", "UseMulticast", "NoPrefixAvail",
	};

	if (code < sizeof names / sizeof names[0])
		return names[code];
	return "unknown";
}

const char *
aero_wire_dhcp6_duid_type_name(uint16_t type)
{
	switch (type) {
	case AERO_DHCP6_DUID_LLT:  return "DUID-LLT";
	case AERO_DHCP6_DUID_EN:   return "DUID-EN";
	case AERO_DHCP6_DUID_LL:   return "DUID-LL";
	case AERO_DHCP6_DUID_UUID: return "DUID-UUID";
	default:                   return "unknown";
	}
}

const char *
aero_wire_dhcp6_opt_name(uint16_t code)
{
	switch (code) {
	case AERO_DHCP6_OPT_CLIENTID:      return "CLIENTID";
	case AERO_DHCP6_OPT_SERVERID:      return "SERVERID";
	case AERO_DHCP6_OPT_IA_NA:         return "IA_NA";
	case AERO_DHCP6_OPT_IAADDR:        return "IAADDR";
	case AERO_DHCP6_OPT_ORO:           return "ORO";
	case AERO_DHCP6_OPT_PREFERENCE:    return "PREFERENCE";
	case AERO_DHCP6_OPT_ELAPSED_TIME:  return "ELAPSED_TIME";
	case AERO_DHCP6_OPT_RELAY_MSG:     return "RELAY_MSG";
	case AERO_DHCP6_OPT_AUTH:          return "AUTH";
	case AERO_DHCP6_OPT_UNICAST:       return "UNICAST";
	case AERO_DHCP6_OPT_STATUS_CODE:   return "STATUS_CODE";
	case AERO_DHCP6_OPT_RAPID_COMMIT:  return "RAPID_COMMIT";
	case AERO_DHCP6_OPT_VENDOR_CLASS:  return "VENDOR_CLASS";
	case AERO_DHCP6_OPT_INTERFACE_ID:  return "INTERFACE_ID";
	case AERO_DHCP6_OPT_RECONF_MSG:    return "RECONF_MSG";
	case AERO_DHCP6_OPT_RECONF_ACCEPT: return "RECONF_ACCEPT";
	case AERO_DHCP6_OPT_DNS_SERVERS:   return "DNS_SERVERS";
	case AERO_DHCP6_OPT_DOMAIN_LIST:   return "DOMAIN_LIST";
	case AERO_DHCP6_OPT_IA_PD:         return "IA_PD";
	case AERO_DHCP6_OPT_IAPREFIX:      return "IAPREFIX";
	case AERO_DHCP6_OPT_FQDN:          return "CLIENT_FQDN";
	case AERO_DHCP6_OPT_PD_EXCLUDE:    return "PD_EXCLUDE";
	case AERO_DHCP6_OPT_SOL_MAX_RT:    return "SOL_MAX_RT";
	case AERO_DHCP6_OPT_INF_MAX_RT:    return "INF_MAX_RT";
	default:                           return "unknown";
	}
}
