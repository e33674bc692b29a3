/*
 * ICMPv6 Neighbor Discovery messages and options (RFC 4861 section 4,
 * RFC 4191, RFC 6275 7.1/7.2, RFC 4389, RFC 9762, PIO-X draft, VET-40).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | RS/NS/Redirect: Reserved; NA: R S O Reserved;                 |
 * | RA: Cur Hop Limit |M|O|H|Prf|P|Rs| Router Lifetime            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | RA: Reachable Time, Retrans Timer | NS/NA/Redirect: Target    |
 * | Redirect: Destination Address                                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Options: Type | Length (8-octet units) | ...                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * S/TLLAO bodies by link kind (digest 3.7):
 *   Ethernet, Len 1:  Type | 1 | MAC(48)
 *   AERO, Len 1:      Type | 1 | Reserved(16) | IPv4(32)          (VET Fig. 2)
 *   AERO, Len 3:      Type | 3 | Port(16) | Link ID(8) | Pref(8) |
 *                     Reserved(16) | IPv6 / IPv4-mapped(128)       (P1 [P])
 *                     all of port..reserved zero = VET IPv6 (Fig. 3)
 * PIO:  Type 3 | 4 | PLen | L A R X/P Rsv(4) | Valid | Preferred | Rsv2 | Prefix
 * RIO:  Type 24 | 1..3 | PLen | Rsv(3) Prf(2) Rsv(3) | Lifetime | Prefix(0/8/16)
 * MTU:  Type 5 | 1 | Reserved(16) | MTU(32)
 * RHO:  Type 4 | Len | Reserved(48) | original packet...
 */
#include <string.h>

#include "aero/wire_nd.h"
#include "aero/bytes.h"

#define ICMPV6_NEXT_HEADER 58

static const struct aero_nd_ctx nd_ctx_default = {
	AERO_ND_LINK_ETHERNET, AERO_PIO_MODE_RFC9762_P
};

/* ---- S/TLLAO ------------------------------------------------------------ */

static void
lla_decode(struct aero_nd_lla *l, const uint8_t *p, size_t olen,
           enum aero_nd_link link)
{
	memset(l, 0, sizeof *l);
	if (link == AERO_ND_LINK_ETHERNET && olen == AERO_ND_LLA_ETHERNET_LEN) {
		l->form = AERO_ND_LLA_ETHERNET;
		memcpy(l->mac, p + 2, 6);
	} else if (link == AERO_ND_LINK_AERO && olen == AERO_ND_LLA_VET_IPV4_LEN) {
		l->form = AERO_ND_LLA_VET_IPV4; /* VET-40 Fig. 2 */
		l->reserved = get16(p + 2);
		memcpy(l->ip4.b, p + 4, 4);
	} else if (link == AERO_ND_LINK_AERO && olen == AERO_ND_LLA_P1_LEN) {
		l->port = get16(p + 2);
		l->link_id = p[4];
		l->pref = p[5];
		l->reserved = get16(p + 6);
		memcpy(l->addr.b, p + 8, 16);
		/* VET-40 Fig. 3 is P1 with every field before the address 0. */
		l->form = (l->port | l->link_id | l->pref | l->reserved) ?
		          AERO_ND_LLA_P1 : AERO_ND_LLA_VET_IPV6;
	} else {
		l->form = AERO_ND_LLA_OTHER;
		l->raw = p + 2;
		l->raw_len = olen - 2;
	}
}

/* Encoded size of an S/TLLAO, or AERO_WIRE_E_INVAL. */
static int
lla_size(const struct aero_nd_lla *l)
{
	switch (l->form) {
	case AERO_ND_LLA_ETHERNET: return AERO_ND_LLA_ETHERNET_LEN;
	case AERO_ND_LLA_VET_IPV4: return AERO_ND_LLA_VET_IPV4_LEN;
	case AERO_ND_LLA_VET_IPV6: return AERO_ND_LLA_VET_IPV6_LEN;
	case AERO_ND_LLA_P1:       return AERO_ND_LLA_P1_LEN;
	case AERO_ND_LLA_OTHER:
		if ((l->raw_len + 2) % AERO_ND_OPT_UNIT != 0 ||
		    l->raw_len + 2 > AERO_ND_OPT_MAX_LEN ||
		    (l->raw_len > 0 && l->raw == NULL))
			return AERO_WIRE_E_INVAL;
		return (int)l->raw_len + 2;
	}
	return AERO_WIRE_E_INVAL;
}

/* Write an S/TLLAO of size n (from lla_size). */
static void
lla_write(uint8_t *p, uint8_t type, const struct aero_nd_lla *l, int n)
{
	p[0] = type;
	p[1] = (uint8_t)(n / AERO_ND_OPT_UNIT);
	switch (l->form) {
	case AERO_ND_LLA_ETHERNET:
		memcpy(p + 2, l->mac, 6);
		break;
	case AERO_ND_LLA_VET_IPV4:
		put16(p + 2, l->reserved);
		memcpy(p + 4, l->ip4.b, 4);
		break;
	case AERO_ND_LLA_VET_IPV6:
		memset(p + 2, 0, 6);
		memcpy(p + 8, l->addr.b, 16);
		break;
	case AERO_ND_LLA_P1:
		put16(p + 2, l->port);
		p[4] = l->link_id;
		p[5] = l->pref;
		put16(p + 6, l->reserved);
		memcpy(p + 8, l->addr.b, 16);
		break;
	default:
		if (l->raw_len)
			memcpy(p + 2, l->raw, l->raw_len);
		break;
	}
}

/* ---- option list -------------------------------------------------------- */

static int
pio_decode(struct aero_nd_pio *o, const uint8_t *p, size_t olen,
           enum aero_pio_mode mode)
{
	if (olen != AERO_ND_PIO_LEN)
		return AERO_WIRE_E_BADLEN; /* RFC 4861 4.6.2: Length 4 */
	if (p[2] > 128)
		return AERO_WIRE_E_BADLEN;
	memset(o, 0, sizeof *o);
	o->prefix_len = p[2];
	o->l = (p[3] & AERO_ND_PIO_F_L) != 0;
	o->a = (p[3] & AERO_ND_PIO_F_A) != 0;
	o->r = (p[3] & AERO_ND_PIO_F_R) != 0;
	/* Bit 0x10: X or P depending on the interface (digest 8 item 1). */
	if (mode == AERO_PIO_MODE_PIO_X)
		o->x = (p[3] & AERO_ND_PIO_F_XP) != 0;
	else
		o->p = (p[3] & AERO_ND_PIO_F_XP) != 0;
	o->reserved1 = p[3] & AERO_ND_PIO_RESERVED1;
	o->valid_lifetime = get32(p + 4);
	o->preferred_lifetime = get32(p + 8);
	o->reserved2 = get32(p + 12);
	memcpy(o->prefix.b, p + 16, 16);
	return 0;
}

/* Smallest RIO Length for a prefix length (RFC 4191 2.3). */
static unsigned
rio_min_units(unsigned plen)
{
	return plen == 0 ? 1 : plen <= 64 ? 2 : 3;
}

static int
rio_decode(struct aero_nd_rio *o, const uint8_t *p, size_t olen)
{
	unsigned units = (unsigned)(olen / AERO_ND_OPT_UNIT);

	/* RFC 4191 2.3: Length 1, 2 or 3, large enough for the prefix. */
	if (units > 3 || p[2] > 128 || units < rio_min_units(p[2]))
		return AERO_WIRE_E_BADLEN;
	memset(o, 0, sizeof *o);
	o->len_units = (uint8_t)units;
	o->prefix_len = p[2];
	o->prf = (p[3] & AERO_ND_RIO_PRF_MASK) >> AERO_ND_RIO_PRF_SHIFT;
	o->reserved = p[3] & AERO_ND_RIO_RESERVED;
	o->lifetime = get32(p + 4);
	memcpy(o->prefix.b, p + 8, (units - 1) * 8);
	return 0;
}

static int
rio_units(const struct aero_nd_rio *o)
{
	unsigned u;

	if (o->prefix_len > 128 || o->prf > 3 ||
	    (o->reserved & ~AERO_ND_RIO_RESERVED) != 0)
		return AERO_WIRE_E_INVAL;
	u = o->len_units ? o->len_units : rio_min_units(o->prefix_len);
	if (u > 3 || u < rio_min_units(o->prefix_len))
		return AERO_WIRE_E_INVAL;
	return (int)u;
}

static void
order_add(struct aero_nd_opts *o, enum aero_nd_opt_kind k, size_t idx)
{
	o->order[o->n_order].kind = (uint8_t)k;
	o->order[o->n_order].idx = (uint8_t)idx;
	o->n_order++;
}

int
aero_wire_nd_opts_decode(struct aero_nd_opts *out, const uint8_t *buf,
                         size_t len, const struct aero_nd_ctx *ctx)
{
	size_t off = 0;
	int rc;

	if (ctx == NULL)
		ctx = &nd_ctx_default;
	memset(out, 0, sizeof *out);
	while (off < len) {
		const uint8_t *p = buf + off;
		size_t olen;

		if (len - off < 2)
			return AERO_WIRE_E_TRUNCATED;
		if (p[1] == 0)
			return AERO_WIRE_E_BADLEN; /* RFC 4861 4.6: MUST discard */
		olen = (size_t)p[1] * AERO_ND_OPT_UNIT;
		if (olen > len - off)
			return AERO_WIRE_E_TRUNCATED;
		switch (p[0]) {
		case AERO_ND_OPT_SLLAO:
		case AERO_ND_OPT_TLLAO: {
			bool s = p[0] == AERO_ND_OPT_SLLAO;
			bool *has = s ? &out->has_sllao : &out->has_tllao;
			if (*has)
				return AERO_WIRE_E_DUPLICATE;
			*has = true;
			lla_decode(s ? &out->sllao : &out->tllao, p, olen, ctx->link);
			order_add(out, s ? AERO_ND_OK_SLLAO : AERO_ND_OK_TLLAO, 0);
			break;
		}
		case AERO_ND_OPT_MTU:
			if (olen != 8)
				return AERO_WIRE_E_BADLEN; /* RFC 4861 4.6.4 */
			if (out->has_mtu)
				return AERO_WIRE_E_DUPLICATE;
			out->has_mtu = true;
			out->mtu_reserved = get16(p + 2);
			out->mtu = get32(p + 4);
			order_add(out, AERO_ND_OK_MTU, 0);
			break;
		case AERO_ND_OPT_RHO:
			if (out->has_rho)
				return AERO_WIRE_E_DUPLICATE;
			out->has_rho = true;
			memcpy(out->rho_reserved, p + 2, 6);
			out->rho = p + AERO_ND_RHO_HDR_LEN;
			out->rho_len = olen - AERO_ND_RHO_HDR_LEN;
			order_add(out, AERO_ND_OK_RHO, 0);
			break;
		case AERO_ND_OPT_PIO:
			if (out->n_pio == AERO_ND_MAX_PIO)
				return AERO_WIRE_E_TOOMANY;
			rc = pio_decode(&out->pio[out->n_pio], p, olen, ctx->pio_mode);
			if (rc < 0)
				return rc;
			order_add(out, AERO_ND_OK_PIO, out->n_pio++);
			break;
		case AERO_ND_OPT_RIO:
			if (out->n_rio == AERO_ND_MAX_RIO)
				return AERO_WIRE_E_TOOMANY;
			rc = rio_decode(&out->rio[out->n_rio], p, olen);
			if (rc < 0)
				return rc;
			order_add(out, AERO_ND_OK_RIO, out->n_rio++);
			break;
		default:
			/* RFC 4861 4.6: unrecognised options are skipped (kept). */
			if (out->n_unknown == AERO_ND_MAX_UNKNOWN)
				return AERO_WIRE_E_TOOMANY;
			out->unknown[out->n_unknown].type = p[0];
			out->unknown[out->n_unknown].data = p + 2;
			out->unknown[out->n_unknown].data_len = olen - 2;
			order_add(out, AERO_ND_OK_UNKNOWN, out->n_unknown++);
			break;
		}
		off += olen;
	}
	return (int)len;
}

static bool
opt_type_known(uint8_t t)
{
	return t == AERO_ND_OPT_SLLAO || t == AERO_ND_OPT_TLLAO ||
	       t == AERO_ND_OPT_PIO || t == AERO_ND_OPT_RHO ||
	       t == AERO_ND_OPT_MTU || t == AERO_ND_OPT_RIO;
}

/* Size of one option, or AERO_WIRE_E_INVAL. */
static int
opt_size(const struct aero_nd_opts *o, enum aero_nd_opt_kind k, size_t i)
{
	int u;

	switch (k) {
	case AERO_ND_OK_SLLAO: return lla_size(&o->sllao);
	case AERO_ND_OK_TLLAO: return lla_size(&o->tllao);
	case AERO_ND_OK_MTU:   return 8;
	case AERO_ND_OK_PIO:
		if (o->pio[i].prefix_len > 128 || (o->pio[i].x && o->pio[i].p) ||
		    (o->pio[i].reserved1 & ~AERO_ND_PIO_RESERVED1) != 0)
			return AERO_WIRE_E_INVAL;
		return AERO_ND_PIO_LEN;
	case AERO_ND_OK_RIO:
		u = rio_units(&o->rio[i]);
		return u < 0 ? u : u * AERO_ND_OPT_UNIT;
	case AERO_ND_OK_RHO:
		if (o->rho_len > AERO_ND_OPT_MAX_LEN - AERO_ND_RHO_HDR_LEN ||
		    (o->rho_len > 0 && o->rho == NULL))
			return AERO_WIRE_E_INVAL;
		return (int)(AERO_ND_RHO_HDR_LEN + (o->rho_len + 7) / 8 * 8);
	default: {
		const struct aero_nd_opt_unknown *x = &o->unknown[i];
		if (opt_type_known(x->type) ||
		    (x->data_len + 2) % AERO_ND_OPT_UNIT != 0 ||
		    x->data_len + 2 > AERO_ND_OPT_MAX_LEN ||
		    (x->data_len > 0 && x->data == NULL))
			return AERO_WIRE_E_INVAL;
		return (int)x->data_len + 2;
	}
	}
}

static void
opt_write(uint8_t *p, const struct aero_nd_opts *o, enum aero_nd_opt_kind k,
          size_t i, int n)
{
	switch (k) {
	case AERO_ND_OK_SLLAO:
		lla_write(p, AERO_ND_OPT_SLLAO, &o->sllao, n);
		break;
	case AERO_ND_OK_TLLAO:
		lla_write(p, AERO_ND_OPT_TLLAO, &o->tllao, n);
		break;
	case AERO_ND_OK_MTU:
		p[0] = AERO_ND_OPT_MTU;
		p[1] = 1;
		put16(p + 2, o->mtu_reserved);
		put32(p + 4, o->mtu);
		break;
	case AERO_ND_OK_PIO: {
		const struct aero_nd_pio *x = &o->pio[i];
		p[0] = AERO_ND_OPT_PIO;
		p[1] = AERO_ND_PIO_LEN / AERO_ND_OPT_UNIT;
		p[2] = x->prefix_len;
		p[3] = (uint8_t)((x->l ? AERO_ND_PIO_F_L : 0) |
		                 (x->a ? AERO_ND_PIO_F_A : 0) |
		                 (x->r ? AERO_ND_PIO_F_R : 0) |
		                 (x->x || x->p ? AERO_ND_PIO_F_XP : 0) |
		                 x->reserved1);
		put32(p + 4, x->valid_lifetime);
		put32(p + 8, x->preferred_lifetime);
		put32(p + 12, x->reserved2);
		memcpy(p + 16, x->prefix.b, 16);
		break;
	}
	case AERO_ND_OK_RIO: {
		const struct aero_nd_rio *x = &o->rio[i];
		p[0] = AERO_ND_OPT_RIO;
		p[1] = (uint8_t)(n / AERO_ND_OPT_UNIT);
		p[2] = x->prefix_len;
		p[3] = (uint8_t)((x->prf << AERO_ND_RIO_PRF_SHIFT) | x->reserved);
		put32(p + 4, x->lifetime);
		memcpy(p + 8, x->prefix.b, (size_t)n - 8);
		break;
	}
	case AERO_ND_OK_RHO:
		p[0] = AERO_ND_OPT_RHO;
		p[1] = (uint8_t)(n / AERO_ND_OPT_UNIT);
		memcpy(p + 2, o->rho_reserved, 6);
		if (o->rho_len)
			memcpy(p + AERO_ND_RHO_HDR_LEN, o->rho, o->rho_len);
		memset(p + AERO_ND_RHO_HDR_LEN + o->rho_len, 0,
		       (size_t)n - AERO_ND_RHO_HDR_LEN - o->rho_len);
		break;
	default:
		p[0] = o->unknown[i].type;
		p[1] = (uint8_t)(n / AERO_ND_OPT_UNIT);
		if (o->unknown[i].data_len)
			memcpy(p + 2, o->unknown[i].data, o->unknown[i].data_len);
		break;
	}
}

/*
 * Build the list of options to write: the recorded order when present
 * (validated: each present option exactly once), else the canonical one.
 * Returns the count or AERO_WIRE_E_INVAL.
 */
static int
opts_plan(const struct aero_nd_opts *o, struct aero_nd_opt_ref *plan)
{
	size_t n = 0, i;

	if (o->n_pio > AERO_ND_MAX_PIO || o->n_rio > AERO_ND_MAX_RIO ||
	    o->n_unknown > AERO_ND_MAX_UNKNOWN || o->n_order > AERO_ND_MAX_OPTS)
		return AERO_WIRE_E_INVAL;
	if (o->n_order == 0) {
		/* Canonical order: SLLAO, TLLAO, MTU, PIOs, RIOs, RHO, unknowns. */
		if (o->has_sllao)
			plan[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_SLLAO, 0};
		if (o->has_tllao)
			plan[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_TLLAO, 0};
		if (o->has_mtu)
			plan[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_MTU, 0};
		for (i = 0; i < o->n_pio; i++)
			plan[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_PIO, (uint8_t)i};
		for (i = 0; i < o->n_rio; i++)
			plan[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_RIO, (uint8_t)i};
		if (o->has_rho)
			plan[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_RHO, 0};
		for (i = 0; i < o->n_unknown; i++)
			plan[n++] = (struct aero_nd_opt_ref){AERO_ND_OK_UNKNOWN, (uint8_t)i};
		return (int)n;
	}
	{
		uint32_t seen[AERO_ND_OK_UNKNOWN + 1] = {0};
		size_t want = (size_t)o->has_sllao + o->has_tllao + o->has_mtu +
		              o->has_rho + o->n_pio + o->n_rio + o->n_unknown;

		if (o->n_order != want)
			return AERO_WIRE_E_INVAL;
		for (i = 0; i < o->n_order; i++) {
			struct aero_nd_opt_ref r = o->order[i];
			size_t lim;

			switch (r.kind) {
			case AERO_ND_OK_SLLAO: lim = o->has_sllao; break;
			case AERO_ND_OK_TLLAO: lim = o->has_tllao; break;
			case AERO_ND_OK_MTU:   lim = o->has_mtu; break;
			case AERO_ND_OK_RHO:   lim = o->has_rho; break;
			case AERO_ND_OK_PIO:   lim = o->n_pio; break;
			case AERO_ND_OK_RIO:   lim = o->n_rio; break;
			case AERO_ND_OK_UNKNOWN: lim = o->n_unknown; break;
			default: return AERO_WIRE_E_INVAL;
			}
			if (r.idx >= lim || (seen[r.kind] >> r.idx & 1u))
				return AERO_WIRE_E_INVAL;
			seen[r.kind] |= 1u << r.idx;
			plan[i] = r;
		}
		return (int)o->n_order;
	}
}

int
aero_wire_nd_opts_size(const struct aero_nd_opts *in)
{
	struct aero_nd_opt_ref plan[AERO_ND_MAX_OPTS];
	int n = opts_plan(in, plan), total = 0, i;

	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		int s = opt_size(in, (enum aero_nd_opt_kind)plan[i].kind, plan[i].idx);
		if (s < 0)
			return s;
		total += s;
	}
	return total;
}

int
aero_wire_nd_opts_encode(uint8_t *buf, size_t cap, const struct aero_nd_opts *in)
{
	struct aero_nd_opt_ref plan[AERO_ND_MAX_OPTS];
	int n, total, i, off = 0;

	total = aero_wire_nd_opts_size(in);
	if (total < 0)
		return total;
	if ((size_t)total > cap)
		return AERO_WIRE_E_NOBUF;
	n = opts_plan(in, plan);
	for (i = 0; i < n; i++) {
		enum aero_nd_opt_kind k = (enum aero_nd_opt_kind)plan[i].kind;
		int s = opt_size(in, k, plan[i].idx);
		opt_write(buf + off, in, k, plan[i].idx, s);
		off += s;
	}
	return off;
}

/* ---- messages ----------------------------------------------------------- */

/* Length of the fixed part of an ND message, 0 if not an ND type. */
static size_t
nd_fixed_len(uint8_t type)
{
	switch (type) {
	case AERO_ND_TYPE_RS:       return AERO_ND_RS_LEN;
	case AERO_ND_TYPE_RA:       return AERO_ND_RA_LEN;
	case AERO_ND_TYPE_NS:       return AERO_ND_NS_LEN;
	case AERO_ND_TYPE_NA:       return AERO_ND_NA_LEN;
	case AERO_ND_TYPE_REDIRECT: return AERO_ND_REDIRECT_LEN;
	default:                    return 0;
	}
}

int
aero_wire_nd_decode(struct aero_nd_msg *out, const uint8_t *buf, size_t len,
                    const struct aero_nd_ctx *ctx, const struct aero_in6 *src,
                    const struct aero_in6 *dst)
{
	size_t fixed;
	uint32_t w;
	int rc;

	memset(out, 0, sizeof *out);
	if (len < 4)
		return AERO_WIRE_E_TRUNCATED;
	fixed = nd_fixed_len(buf[0]);
	if (fixed == 0)
		return AERO_WIRE_E_TYPE;
	if (buf[1] != 0)
		return AERO_WIRE_E_FIELD; /* RFC 4861 6.1.1/6.1.2/7.1.1/7.1.2/8.1: Code 0 */
	if (len < fixed)
		return AERO_WIRE_E_TRUNCATED;
	if (src && dst) {
		uint32_t s = aero_wire_csum_pseudo6(0, src, dst, (uint32_t)len,
		                                    ICMPV6_NEXT_HEADER);
		if (aero_wire_csum_fold(aero_wire_csum_add(s, buf, len)) != 0)
			return AERO_WIRE_E_CHECKSUM;
	}
	out->type = buf[0];
	out->checksum = get16(buf + 2);
	w = get32(buf + 4);
	switch (out->type) {
	case AERO_ND_TYPE_RA: /* RFC 4861 4.2 */
		out->ra.cur_hop_limit = buf[4];
		out->ra.managed = (buf[5] & AERO_ND_RA_F_MANAGED) != 0;
		out->ra.other = (buf[5] & AERO_ND_RA_F_OTHER) != 0;
		out->ra.home_agent = (buf[5] & AERO_ND_RA_F_HOME_AGENT) != 0;
		out->ra.prf = (buf[5] & AERO_ND_RA_PRF_MASK) >> AERO_ND_RA_PRF_SHIFT;
		out->ra.proxy = (buf[5] & AERO_ND_RA_F_PROXY) != 0;
		out->ra.reserved = buf[5] & AERO_ND_RA_RESERVED;
		out->ra.router_lifetime = get16(buf + 6);
		out->ra.reachable_time = get32(buf + 8);
		out->ra.retrans_timer = get32(buf + 12);
		break;
	case AERO_ND_TYPE_NA: /* RFC 4861 4.4 */
		out->na_router = (buf[4] & AERO_ND_NA_F_ROUTER) != 0;
		out->na_solicited = (buf[4] & AERO_ND_NA_F_SOLICITED) != 0;
		out->na_override = (buf[4] & AERO_ND_NA_F_OVERRIDE) != 0;
		out->reserved = w & AERO_ND_NA_RESERVED;
		memcpy(out->target.b, buf + 8, 16);
		break;
	case AERO_ND_TYPE_NS: /* RFC 4861 4.3 */
		out->reserved = w;
		memcpy(out->target.b, buf + 8, 16);
		break;
	case AERO_ND_TYPE_REDIRECT: /* RFC 4861 4.5 */
		out->reserved = w;
		memcpy(out->target.b, buf + 8, 16);
		memcpy(out->dest.b, buf + 24, 16);
		break;
	default: /* RS, RFC 4861 4.1 */
		out->reserved = w;
		break;
	}
	rc = aero_wire_nd_opts_decode(&out->opts, buf + fixed, len - fixed, ctx);
	if (rc < 0)
		return rc;
	return (int)len;
}

int
aero_wire_nd_encode(uint8_t *buf, size_t cap, const struct aero_nd_msg *in,
                    const struct aero_in6 *src, const struct aero_in6 *dst)
{
	size_t fixed = nd_fixed_len(in->type);
	int olen;
	size_t total;

	if (fixed == 0)
		return AERO_WIRE_E_INVAL;
	if (in->type == AERO_ND_TYPE_RA &&
	    (in->ra.prf > 3 || (in->ra.reserved & ~AERO_ND_RA_RESERVED) != 0))
		return AERO_WIRE_E_INVAL;
	if (in->type == AERO_ND_TYPE_NA && (in->reserved & ~AERO_ND_NA_RESERVED) != 0)
		return AERO_WIRE_E_INVAL;
	olen = aero_wire_nd_opts_size(&in->opts);
	if (olen < 0)
		return olen;
	total = fixed + (size_t)olen;
	if (total > cap)
		return AERO_WIRE_E_NOBUF;
	memset(buf, 0, fixed);
	buf[0] = in->type;
	switch (in->type) {
	case AERO_ND_TYPE_RA:
		buf[4] = in->ra.cur_hop_limit;
		buf[5] = (uint8_t)((in->ra.managed ? AERO_ND_RA_F_MANAGED : 0) |
		                   (in->ra.other ? AERO_ND_RA_F_OTHER : 0) |
		                   (in->ra.home_agent ? AERO_ND_RA_F_HOME_AGENT : 0) |
		                   (in->ra.prf << AERO_ND_RA_PRF_SHIFT) |
		                   (in->ra.proxy ? AERO_ND_RA_F_PROXY : 0) |
		                   in->ra.reserved);
		put16(buf + 6, in->ra.router_lifetime);
		put32(buf + 8, in->ra.reachable_time);
		put32(buf + 12, in->ra.retrans_timer);
		break;
	case AERO_ND_TYPE_NA:
		put32(buf + 4, in->reserved);
		buf[4] |= (uint8_t)((in->na_router ? AERO_ND_NA_F_ROUTER : 0) |
		                    (in->na_solicited ? AERO_ND_NA_F_SOLICITED : 0) |
		                    (in->na_override ? AERO_ND_NA_F_OVERRIDE : 0));
		memcpy(buf + 8, in->target.b, 16);
		break;
	case AERO_ND_TYPE_NS:
		put32(buf + 4, in->reserved);
		memcpy(buf + 8, in->target.b, 16);
		break;
	case AERO_ND_TYPE_REDIRECT:
		put32(buf + 4, in->reserved);
		memcpy(buf + 8, in->target.b, 16);
		memcpy(buf + 24, in->dest.b, 16);
		break;
	default:
		put32(buf + 4, in->reserved);
		break;
	}
	/* Cannot fail: the size and the capacity were checked above. */
	(void)aero_wire_nd_opts_encode(buf + fixed, cap - fixed, &in->opts);
	if (src && dst) {
		uint32_t s = aero_wire_csum_pseudo6(0, src, dst, (uint32_t)total,
		                                    ICMPV6_NEXT_HEADER);
		uint16_t c = aero_wire_csum_fold(aero_wire_csum_add(s, buf, total));
		/* 0 and 0xffff are both ones'-complement zero: keep the one the
		 * message was decoded with, so decode -> encode is identical. */
		if (c == 0 && in->checksum == 0xffff)
			c = 0xffff;
		put16(buf + 2, c);
	}
	return (int)total;
}

struct aero_nd_pio_eff
aero_wire_nd_pio_x_effective(const struct aero_nd_pio *pio)
{
	struct aero_nd_pio_eff e;

	e.r = pio->r;
	e.x = pio->x && !pio->r;     /* PIO-X draft 5.2.1: R set => ignore X */
	e.l = e.x ? false : pio->l;  /* 5.2.2: X => L reads as 0 */
	e.a = e.x ? true : pio->a;   /*         and A reads as 1 */
	return e;
}

const char *
aero_wire_nd_type_name(uint8_t type)
{
	switch (type) {
	case AERO_ND_TYPE_RS:       return "RS";
	case AERO_ND_TYPE_RA:       return "RA";
	case AERO_ND_TYPE_NS:       return "NS";
	case AERO_ND_TYPE_NA:       return "NA";
	case AERO_ND_TYPE_REDIRECT: return "Redirect";
	default:                    return "unknown";
	}
}

const char *
aero_wire_nd_prf_name(uint8_t prf)
{
	static const char *const names[4] = {"medium", "high", "reserved", "low"};

	return names[prf & 3];
}

const char *
aero_wire_nd_lla_form_name(enum aero_nd_lla_form f)
{
	switch (f) {
	case AERO_ND_LLA_ETHERNET: return "ethernet";
	case AERO_ND_LLA_VET_IPV4: return "vet-ipv4";
	case AERO_ND_LLA_VET_IPV6: return "vet-ipv6";
	case AERO_ND_LLA_P1:       return "p1";
	default:                   return "other";
	}
}
