/*
 * SCMP messages (VET-40 section 6.6; digest 3.11), carried after a SEAL
 * header with C=1, NEXTHDR=58 (coded elsewhere). ICMPv6 framing; the
 * checksum is the Internet checksum of the SCMP message alone, with no
 * pseudo-header [P].
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * 133..136 SRS/SRA/SNS/SNA: body exactly as the ND RS/RA/NS/NA [S], with
 *          S/TLLAOs in the VET/P1 RLOC forms (AERO link context).
 * 137 SPD/SRD (VET-40 Fig. 4):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |P|V|                        Reserved                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Target Address (16) at 8                      |
 * |               Destination Address (16) at 24                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |F|Key|Algorithm|   ESK (20 bytes [P]) ...  | pad to 24 [P]     |  V=1 only
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Options: RHO (mandatory), S/TLLAOs, RIO ...                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * 1..4 errors (mirror ICMPv6 [P]):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Unused (1, 3) / MTU (2) / Pointer (4)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        As much of the packet in error as fits ...             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#include <limits.h>
#include <string.h>

#include "aero/wire_nd.h"
#include "aero/bytes.h"

static bool
scmp_is_error(uint8_t t)
{
	return t >= AERO_SCMP_TYPE_DEST_UNREACH && t <= AERO_SCMP_TYPE_PARAM_PROB;
}

static bool
scmp_is_nd(uint8_t t)
{
	return t >= AERO_SCMP_TYPE_SRS && t <= AERO_SCMP_TYPE_SNA;
}

static int
rd_decode(struct aero_scmp_rd *rd, const uint8_t *buf, size_t len,
          const struct aero_nd_ctx *c)
{
	size_t off = AERO_SCMP_RD_FIXED_LEN;
	uint32_t w;
	int rc;

	if (len < AERO_SCMP_RD_FIXED_LEN)
		return AERO_WIRE_E_TRUNCATED;
	w = get32(buf + 4);
	rd->p = (w & AERO_SCMP_RD_F_P) != 0;
	rd->v = (w & AERO_SCMP_RD_F_V) != 0;
	rd->reserved = w & AERO_SCMP_RD_RESERVED;
	memcpy(rd->target.b, buf + 8, 16);
	memcpy(rd->dest.b, buf + 24, 16);
	if (rd->v) {
		/* VET-40 Fig. 5; ESK length and padding [P]. */
		if (len < off + AERO_SCMP_AUTH_LEN)
			return AERO_WIRE_E_TRUNCATED;
		rd->auth.f = (buf[off] & AERO_SCMP_AUTH_F) != 0;
		rd->auth.key = (buf[off] & AERO_SCMP_AUTH_KEY_MASK) >> AERO_SCMP_AUTH_KEY_SHIFT;
		rd->auth.alg = buf[off] & AERO_SCMP_AUTH_ALG_MASK;
		memcpy(rd->auth.esk, buf + off + 1, AERO_SCMP_ESK_LEN);
		memcpy(rd->auth.pad, buf + off + 1 + AERO_SCMP_ESK_LEN,
		       AERO_SCMP_AUTH_PAD_LEN);
		off += AERO_SCMP_AUTH_LEN;
	}
	rc = aero_wire_nd_opts_decode(&rd->opts, buf + off, len - off, c);
	if (rc < 0)
		return rc;
	if (!rd->opts.has_rho)
		return AERO_WIRE_E_MISSING; /* VET-40 6.6.3: MUST include an RHO */
	return (int)len;
}

int
aero_wire_scmp_decode(struct aero_scmp_msg *out, const uint8_t *buf,
                      size_t len, const struct aero_nd_ctx *ctx,
                      bool verify_csum)
{
	struct aero_nd_ctx c = {AERO_ND_LINK_AERO, AERO_PIO_MODE_RFC9762_P};

	memset(out, 0, sizeof *out);
	if (ctx)
		c.pio_mode = ctx->pio_mode;
	if (len < 4)
		return AERO_WIRE_E_TRUNCATED;
	if (!scmp_is_error(buf[0]) && !scmp_is_nd(buf[0]) &&
	    buf[0] != AERO_SCMP_TYPE_SPD_SRD)
		return AERO_WIRE_E_TYPE;
	if (!scmp_is_error(buf[0]) && buf[1] != 0)
		return AERO_WIRE_E_FIELD; /* formatted as the ND message: Code 0 */
	if (verify_csum && aero_wire_csum_fold(aero_wire_csum_add(0, buf, len)) != 0)
		return AERO_WIRE_E_CHECKSUM;
	out->type = buf[0];
	out->code = buf[1];
	out->checksum = get16(buf + 2);
	if (scmp_is_error(out->type)) {
		if (len < AERO_SCMP_ERROR_HDR_LEN)
			return AERO_WIRE_E_TRUNCATED;
		out->err.param = get32(buf + 4);
		out->err.pkt = buf + AERO_SCMP_ERROR_HDR_LEN;
		out->err.pkt_len = len - AERO_SCMP_ERROR_HDR_LEN;
		return (int)len;
	}
	if (out->type == AERO_SCMP_TYPE_SPD_SRD)
		return rd_decode(&out->rd, buf, len, &c);
	/* The ND decoder rechecks type and code (both already valid here). */
	return aero_wire_nd_decode(&out->nd, buf, len, &c, NULL, NULL);
}

/* Encoded size of an error or SPD/SRD message, or AERO_WIRE_E_INVAL. */
static int
scmp_size(const struct aero_scmp_msg *in)
{
	int olen;

	if (scmp_is_error(in->type)) {
		if ((in->err.pkt_len > 0 && in->err.pkt == NULL) ||
		    in->err.pkt_len > (size_t)INT_MAX - AERO_SCMP_ERROR_HDR_LEN)
			return AERO_WIRE_E_INVAL;
		return (int)(AERO_SCMP_ERROR_HDR_LEN + in->err.pkt_len);
	}
	if (in->type != AERO_SCMP_TYPE_SPD_SRD || in->code != 0 ||
	    !in->rd.opts.has_rho || (in->rd.reserved & ~AERO_SCMP_RD_RESERVED) ||
	    (in->rd.v && (in->rd.auth.key > 3 || in->rd.auth.alg > AERO_SCMP_AUTH_ALG_MASK)))
		return AERO_WIRE_E_INVAL;
	olen = aero_wire_nd_opts_size(&in->rd.opts);
	if (olen < 0)
		return olen;
	return AERO_SCMP_RD_FIXED_LEN + (in->rd.v ? AERO_SCMP_AUTH_LEN : 0) + olen;
}

static void
rd_write(uint8_t *buf, size_t cap, const struct aero_scmp_rd *rd)
{
	size_t off = AERO_SCMP_RD_FIXED_LEN;

	buf[0] = AERO_SCMP_TYPE_SPD_SRD;
	buf[1] = 0;
	put32(buf + 4, (rd->p ? AERO_SCMP_RD_F_P : 0) |
	               (rd->v ? AERO_SCMP_RD_F_V : 0) | rd->reserved);
	memcpy(buf + 8, rd->target.b, 16);
	memcpy(buf + 24, rd->dest.b, 16);
	if (rd->v) {
		buf[off] = (uint8_t)((rd->auth.f ? AERO_SCMP_AUTH_F : 0) |
		                     (rd->auth.key << AERO_SCMP_AUTH_KEY_SHIFT) |
		                     rd->auth.alg);
		memcpy(buf + off + 1, rd->auth.esk, AERO_SCMP_ESK_LEN);
		memcpy(buf + off + 1 + AERO_SCMP_ESK_LEN, rd->auth.pad,
		       AERO_SCMP_AUTH_PAD_LEN);
		off += AERO_SCMP_AUTH_LEN;
	}
	/* Cannot fail: size and capacity were checked by the caller. */
	(void)aero_wire_nd_opts_encode(buf + off, cap - off, &rd->opts);
}

int
aero_wire_scmp_encode(uint8_t *buf, size_t cap, const struct aero_scmp_msg *in)
{
	uint16_t c;
	int n;

	if (scmp_is_nd(in->type)) {
		/* SRS..SNA: the ND encoder sizes, checks and writes the body. */
		if (in->code != 0 || in->nd.type != in->type)
			return AERO_WIRE_E_INVAL;
		n = aero_wire_nd_encode(buf, cap, &in->nd, NULL, NULL);
		if (n < 0)
			return n;
	} else {
		n = scmp_size(in);
		if (n < 0)
			return n;
		if ((size_t)n > cap)
			return AERO_WIRE_E_NOBUF;
		if (scmp_is_error(in->type)) {
			buf[0] = in->type;
			buf[1] = in->code;
			put32(buf + 4, in->err.param);
			if (in->err.pkt_len)
				memcpy(buf + AERO_SCMP_ERROR_HDR_LEN, in->err.pkt,
				       in->err.pkt_len);
		} else {
			rd_write(buf, cap, &in->rd);
		}
	}
	/* Checksum over the SCMP message only [P]. */
	put16(buf + 2, 0);
	c = aero_wire_csum_fold(aero_wire_csum_add(0, buf, (size_t)n));
	/* 0 and 0xffff are both ones'-complement zero: keep the decoded one. */
	if (c == 0 && in->checksum == 0xffff)
		c = 0xffff;
	put16(buf + 2, c);
	return n;
}

const char *
aero_wire_scmp_type_name(uint8_t type)
{
	switch (type) {
	case AERO_SCMP_TYPE_DEST_UNREACH: return "dest-unreachable";
	case AERO_SCMP_TYPE_PKT_TOO_BIG:  return "packet-too-big";
	case AERO_SCMP_TYPE_TIME_EXCEED:  return "time-exceeded";
	case AERO_SCMP_TYPE_PARAM_PROB:   return "parameter-problem";
	case AERO_SCMP_TYPE_SRS:          return "SRS";
	case AERO_SCMP_TYPE_SRA:          return "SRA";
	case AERO_SCMP_TYPE_SNS:          return "SNS";
	case AERO_SCMP_TYPE_SNA:          return "SNA";
	case AERO_SCMP_TYPE_SPD_SRD:      return "SPD/SRD";
	default:                          return "unknown";
	}
}
