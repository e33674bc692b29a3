/*
 * RFC 6706 Predirect / Redirect message (section 6.4.5), carried as the
 * payload of an inner UDP datagram to port 8060 (digest 3.6).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Type (=0)    |  Code (=0)    |       Checksum (=0)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |P|                        Reserved                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Target Address (16)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Destination Address (16)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Options: TLLAO (AERO link forms), RIO(s), RHO ...           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * P=1 Predirect, P=0 Redirect. NULL Target/Destination = :: (digest 8
 * item 16). Every variant carries an RHO (digest 3.6): a missing RHO is
 * AERO_WIRE_E_MISSING [P]. The UDP checksum protects the message.
 */
#include <string.h>

#include "aero/wire_nd.h"
#include "aero/bytes.h"

int
aero_wire_rfc6706_decode(struct aero_rfc6706_msg *out, const uint8_t *buf,
                         size_t len, const struct aero_nd_ctx *ctx)
{
	struct aero_nd_ctx c = {AERO_ND_LINK_AERO, AERO_PIO_MODE_RFC9762_P};
	uint32_t w;
	int rc;

	memset(out, 0, sizeof *out);
	if (ctx)
		c.pio_mode = ctx->pio_mode;
	if (len < 4)
		return AERO_WIRE_E_TRUNCATED;
	if (buf[0] != AERO_RFC6706_TYPE)
		return AERO_WIRE_E_TYPE;
	if (buf[1] != 0 || get16(buf + 2) != 0)
		return AERO_WIRE_E_FIELD; /* 6.4.5: Code 0, Checksum 0 */
	if (len < AERO_RFC6706_FIXED_LEN)
		return AERO_WIRE_E_TRUNCATED;
	w = get32(buf + 4);
	out->p = (w & AERO_RFC6706_F_P) != 0;
	out->reserved = w & AERO_RFC6706_RESERVED;
	memcpy(out->target.b, buf + 8, 16);
	memcpy(out->dest.b, buf + 24, 16);
	rc = aero_wire_nd_opts_decode(&out->opts, buf + AERO_RFC6706_FIXED_LEN,
	                              len - AERO_RFC6706_FIXED_LEN, &c);
	if (rc < 0)
		return rc;
	if (!out->opts.has_rho)
		return AERO_WIRE_E_MISSING;
	return (int)len;
}

int
aero_wire_rfc6706_encode(uint8_t *buf, size_t cap,
                         const struct aero_rfc6706_msg *in)
{
	int olen, rc;

	if ((in->reserved & ~AERO_RFC6706_RESERVED) != 0 || !in->opts.has_rho)
		return AERO_WIRE_E_INVAL;
	olen = aero_wire_nd_opts_size(&in->opts);
	if (olen < 0)
		return olen;
	if ((size_t)olen + AERO_RFC6706_FIXED_LEN > cap)
		return AERO_WIRE_E_NOBUF;
	memset(buf, 0, 4);
	put32(buf + 4, (in->p ? AERO_RFC6706_F_P : 0) | in->reserved);
	memcpy(buf + 8, in->target.b, 16);
	memcpy(buf + 24, in->dest.b, 16);
	/* Cannot fail: the size and the capacity were checked above. */
	rc = aero_wire_nd_opts_encode(buf + AERO_RFC6706_FIXED_LEN,
	                              cap - AERO_RFC6706_FIXED_LEN, &in->opts);
	return AERO_RFC6706_FIXED_LEN + rc;
}
