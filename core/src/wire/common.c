/* Error names and the Internet checksum (RFC 1071) shared by all codecs. */
#include "aero/wire_common.h"
#include "bytes.h"

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

uint32_t
aero_wire_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += get16(p + i);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	/* Keep the partial sum small so callers can chain many chunks. */
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
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
