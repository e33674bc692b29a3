/* Error names and the Internet checksum (RFC 1071) shared by all codecs. */
#include "aero/wire_common.h"
#include "aero/bytes.h"

#include <string.h>

const char *
aero_wire_strerror(int err)
{
	switch (err) {
	case AERO_WIRE_E_TRUNCATED: return "truncated";
	case AERO_WIRE_E_BADLEN:    return "bad length";
	case AERO_WIRE_E_CHECKSUM:  return "bad checksum";
	case AERO_WIRE_E_VERSION:   return "bad version";
	case AERO_WIRE_E_DUPLICATE: return "duplicate singleton option";
	case AERO_WIRE_E_NOBUF:     return "output buffer too small";
	case AERO_WIRE_E_TYPE:      return "unexpected type";
	case AERO_WIRE_E_TOOMANY:   return "too many instances";
	case AERO_WIRE_E_INVAL:     return "invalid field value";
	case AERO_WIRE_E_MISSING:   return "mandatory part missing";
	case AERO_WIRE_E_ICV:       return "bad integrity check value";
	case AERO_WIRE_E_FIELD:     return "forbidden field value";
	default:                    return err >= 0 ? "ok" : "unknown error";
	}
}

/* Fold a 64-bit ones'-complement accumulator to 16 bits. */
static uint32_t
fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/*
 * RFC 1071 section 2 (B): the sum is byte-order independent, so words are
 * added in native order 32 bits at a time into a 64-bit accumulator and
 * the folded result is byte-swapped once on little-endian hosts.
 */
uint32_t
aero_wire_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	uint32_t w;

	while (len >= 16) {
		uint32_t a, b, c, d;
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		memcpy(&c, p + 8, 4);
		memcpy(&d, p + 12, 4);
		s += (uint64_t)a + b + c + d;
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		memcpy(&w, p, 4);
		s += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;
		memcpy(&h, p, 2);
		s += h;
		p += 2;
		len -= 2;
	}
	if (len) { /* odd trailing byte: pad with zero (in network order) */
		uint8_t last[2] = { p[0], 0 };
		uint16_t h;
		memcpy(&h, last, 2);
		s += h;
	}
	w = fold64(s);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w = ((w & 0xff) << 8) | (w >> 8);
#endif
	return fold64((uint64_t)w + sum);
}

uint32_t
aero_wire_csum_pseudo6(uint32_t sum, const struct aero_in6 *src,
                       const struct aero_in6 *dst, uint32_t len,
                       uint8_t next_header)
{
	uint8_t tail[8];

	put32(tail, len);
	tail[4] = tail[5] = tail[6] = 0;
	tail[7] = next_header;
	sum = aero_wire_csum_add(sum, src->b, 16);
	sum = aero_wire_csum_add(sum, dst->b, 16);
	return aero_wire_csum_add(sum, tail, sizeof tail);
}

uint32_t
aero_wire_csum_pseudo4(uint32_t sum, const struct aero_in4 *src,
                       const struct aero_in4 *dst, uint16_t len,
                       uint8_t proto)
{
	uint8_t tail[4];

	tail[0] = 0;
	tail[1] = proto;
	put16(tail + 2, len);
	sum = aero_wire_csum_add(sum, src->b, 4);
	sum = aero_wire_csum_add(sum, dst->b, 4);
	return aero_wire_csum_add(sum, tail, sizeof tail);
}

uint16_t
aero_wire_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
