/*
 * Outer IPv4 / IPv6 / UDP headers, IPv6 extension-header walk, flow label
 * (RFC 6438) and consistent UDP source port hash (VET-40 section 6.5.3).
 *
 * IPv4 (RFC 791 section 3.1):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Identification        |R|D|M|    Fragment Offset      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   |                    Options (IHL > 5)                          |
 *
 * IPv6 (RFC 8200 section 3):
 *   |Version| Traffic Class (DSCP|ECN) |         Flow Label (20)      |
 *   |    Payload Length (16)    | Next Header (8) |  Hop Limit (8)     |
 *   |                Source Address (128)                            |
 *   |                Destination Address (128)                       |
 *
 * UDP (RFC 768):
 *   |        Source Port            |       Destination Port        |
 *   |          Length               |          Checksum             |
 */
#include <string.h>

#include "aero/wire_ip.h"
#include "aero/bytes.h"

/* Move a payload into place unless it is there already (NULL: in place). */
static void
place(uint8_t *dst, const uint8_t *src, size_t len)
{
	if (src != NULL && src != dst && len > 0)
		memmove(dst, src, len);
}

/* ---- IPv4 ---------------------------------------------------------------- */

int
aero_wire_ipv4_decode(struct aero_ipv4 *out, const uint8_t *buf, size_t len,
                      unsigned flags)
{
	size_t hlen, tlen;
	uint16_t frag;

	if (len < AERO_IPV4_HDR_LEN)
		return AERO_WIRE_E_TRUNCATED;
	if ((buf[0] >> 4) != 4)               /* RFC 791 3.1 Version */
		return AERO_WIRE_E_VERSION;
	hlen = (size_t)(buf[0] & 0x0f) * 4;
	if (hlen < AERO_IPV4_HDR_LEN)          /* RFC 791: minimum IHL is 5 */
		return AERO_WIRE_E_BADLEN;
	if (hlen > len)
		return AERO_WIRE_E_TRUNCATED;
	tlen = get16(buf + 2);
	if (tlen < hlen)                       /* Total Length covers the header */
		return AERO_WIRE_E_BADLEN;
	if (tlen > len)
		return AERO_WIRE_E_TRUNCATED;
	/* RFC 791 3.1 / RFC 1071: the header sums to 0xffff */
	if (!(flags & AERO_IPV4_F_NOCSUM) &&
	    aero_wire_csum_fold(aero_wire_csum_add(0, buf, hlen)) != 0)
		return AERO_WIRE_E_CHECKSUM;

	memset(out, 0, sizeof *out);
	out->dscp = buf[1] >> 2;
	out->ecn = buf[1] & 0x03;
	out->total_len = (uint16_t)tlen;
	out->id = get16(buf + 4);
	frag = get16(buf + 6);
	out->rf = (frag & 0x8000) != 0;
	out->df = (frag & 0x4000) != 0;
	out->mf = (frag & 0x2000) != 0;
	out->frag_off = frag & 0x1fff;
	out->ttl = buf[8];
	out->proto = buf[9];
	out->checksum = get16(buf + 10);
	memcpy(out->src.b, buf + 12, 4);
	memcpy(out->dst.b, buf + 16, 4);
	if (hlen > AERO_IPV4_HDR_LEN) {
		out->options = buf + AERO_IPV4_HDR_LEN;
		out->options_len = hlen - AERO_IPV4_HDR_LEN;
	}
	out->payload = buf + hlen;
	out->payload_len = tlen - hlen;
	return (int)tlen;
}

size_t
aero_wire_ipv4_hdr_len(const struct aero_ipv4 *in)
{
	return AERO_IPV4_HDR_LEN + in->options_len;
}

int
aero_wire_ipv4_encode(uint8_t *buf, size_t cap, const struct aero_ipv4 *in)
{
	size_t hlen, tlen;
	uint16_t frag;

	if (in->dscp > 63 || in->ecn > 3 || in->frag_off > 0x1fff ||
	    in->options_len % 4 != 0 || in->options_len > AERO_IPV4_MAX_OPT_LEN)
		return AERO_WIRE_E_INVAL;
	hlen = AERO_IPV4_HDR_LEN + in->options_len;
	if (in->payload_len > AERO_IPV4_MAX_TOTAL - hlen)
		return AERO_WIRE_E_INVAL;
	tlen = hlen + in->payload_len;
	if (cap < tlen)
		return AERO_WIRE_E_NOBUF;

	/* Payload first, then options: both may come from another buffer. */
	place(buf + hlen, in->payload, in->payload_len);
	place(buf + AERO_IPV4_HDR_LEN, in->options, in->options_len);
	buf[0] = (uint8_t)(0x40 | (hlen / 4));
	buf[1] = (uint8_t)(in->dscp << 2 | in->ecn);
	put16(buf + 2, (uint16_t)tlen);
	put16(buf + 4, in->id);
	frag = in->frag_off;
	if (in->rf)
		frag |= 0x8000;
	if (in->df)
		frag |= 0x4000;
	if (in->mf)
		frag |= 0x2000;
	put16(buf + 6, frag);
	buf[8] = in->ttl;
	buf[9] = in->proto;
	put16(buf + 10, 0);
	memcpy(buf + 12, in->src.b, 4);
	memcpy(buf + 16, in->dst.b, 4);
	put16(buf + 10, aero_wire_csum_fold(aero_wire_csum_add(0, buf, hlen)));
	return (int)tlen;
}

/* ---- IPv6 ---------------------------------------------------------------- */

int
aero_wire_ipv6_decode(struct aero_ipv6 *out, const uint8_t *buf, size_t len)
{
	uint32_t w;
	size_t plen;

	if (len < AERO_IPV6_HDR_LEN)
		return AERO_WIRE_E_TRUNCATED;
	w = get32(buf);
	if ((w >> 28) != 6)                    /* RFC 8200 3 Version */
		return AERO_WIRE_E_VERSION;
	plen = get16(buf + 4);
	if (plen > len - AERO_IPV6_HDR_LEN)   /* RFC 8200 3 Payload Length */
		return AERO_WIRE_E_TRUNCATED;

	memset(out, 0, sizeof *out);
	out->dscp = (uint8_t)((w >> 22) & 0x3f);
	out->ecn = (uint8_t)((w >> 20) & 0x03);
	out->flow_label = w & AERO_IPV6_FLOW_MASK;
	out->next_header = buf[6];
	out->hop_limit = buf[7];
	memcpy(out->src.b, buf + 8, 16);
	memcpy(out->dst.b, buf + 24, 16);
	out->payload = buf + AERO_IPV6_HDR_LEN;
	out->payload_len = plen;
	return (int)(AERO_IPV6_HDR_LEN + plen);
}

int
aero_wire_ipv6_encode(uint8_t *buf, size_t cap, const struct aero_ipv6 *in)
{
	if (in->dscp > 63 || in->ecn > 3 ||
	    in->flow_label > AERO_IPV6_FLOW_MASK || in->payload_len > 0xffff)
		return AERO_WIRE_E_INVAL;
	if (cap < AERO_IPV6_HDR_LEN || cap - AERO_IPV6_HDR_LEN < in->payload_len)
		return AERO_WIRE_E_NOBUF;

	place(buf + AERO_IPV6_HDR_LEN, in->payload, in->payload_len);
	put32(buf, 6u << 28 | (uint32_t)in->dscp << 22 |
	      (uint32_t)in->ecn << 20 | in->flow_label);
	put16(buf + 4, (uint16_t)in->payload_len);
	buf[6] = in->next_header;
	buf[7] = in->hop_limit;
	memcpy(buf + 8, in->src.b, 16);
	memcpy(buf + 24, in->dst.b, 16);
	return (int)(AERO_IPV6_HDR_LEN + in->payload_len);
}

int
aero_wire_ipv6_upper(const struct aero_ipv6 *h, uint8_t *proto,
                     const uint8_t **upper, size_t *upper_len)
{
	const uint8_t *p = h->payload;
	size_t off = 0, n = h->payload_len, elen;
	uint8_t nh = h->next_header;
	int count = 0;

	for (;;) {
		switch (nh) {
		case AERO_IP_PROTO_HOPOPTS:   /* RFC 8200 4.3, 4.4, 4.6 */
		case AERO_IP_PROTO_ROUTING:
		case AERO_IP_PROTO_DSTOPTS:
			if (n - off < 2)
				return AERO_WIRE_E_TRUNCATED;
			elen = ((size_t)p[off + 1] + 1) * 8;
			break;
		case AERO_IP_PROTO_FRAGMENT:  /* RFC 8200 4.5: fixed 8 bytes */
			if (n - off < 8)
				return AERO_WIRE_E_TRUNCATED;
			if ((get16(p + off + 2) >> 3) != 0)
				return AERO_WIRE_E_FIELD;
			elen = 8;
			break;
		case AERO_IP_PROTO_AH:        /* RFC 4302 2.2: (len + 2) * 4 */
			if (n - off < 2)
				return AERO_WIRE_E_TRUNCATED;
			elen = ((size_t)p[off + 1] + 2) * 4;
			break;
		default:
			if (proto)
				*proto = nh;
			if (upper)
				*upper = p + off;
			if (upper_len)
				*upper_len = n - off;
			return (int)off;
		}
		if (++count > AERO_IPV6_MAX_EXT)
			return AERO_WIRE_E_TOOMANY;
		if (elen > n - off)
			return AERO_WIRE_E_TRUNCATED;
		nh = p[off];
		off += elen;
	}
}

/* ---- UDP ----------------------------------------------------------------- */

void
aero_wire_ipv4_pseudo(struct aero_ip_pseudo *ps, const struct aero_ipv4 *h)
{
	memset(ps, 0, sizeof *ps);
	ps->family = 4;
	memcpy(ps->src.b, h->src.b, 4);
	memcpy(ps->dst.b, h->dst.b, 4);
}

void
aero_wire_ipv6_pseudo(struct aero_ip_pseudo *ps, const struct aero_ipv6 *h)
{
	ps->family = 6;
	ps->src = h->src;
	ps->dst = h->dst;
}

/* Sum of the pseudo-header (RFC 768 / RFC 8200 8.1) for a UDP datagram. */
static uint32_t
pseudo_sum(const struct aero_ip_pseudo *ps, size_t ulen)
{
	struct aero_in4 s4, d4;

	if (ps->family == 6)
		return aero_wire_csum_pseudo6(0, &ps->src, &ps->dst,
		                              (uint32_t)ulen, AERO_IP_PROTO_UDP);
	memcpy(s4.b, ps->src.b, 4);
	memcpy(d4.b, ps->dst.b, 4);
	return aero_wire_csum_pseudo4(0, &s4, &d4, (uint16_t)ulen,
	                              AERO_IP_PROTO_UDP);
}

int
aero_wire_udp_decode(struct aero_udp *out, const uint8_t *buf, size_t len,
                     const struct aero_ip_pseudo *ps, unsigned flags)
{
	size_t ulen;
	uint16_t csum;

	if (ps && ps->family != 4 && ps->family != 6)
		return AERO_WIRE_E_INVAL;
	if (len < AERO_UDP_HDR_LEN)
		return AERO_WIRE_E_TRUNCATED;
	ulen = get16(buf + 4);
	if (ulen < AERO_UDP_HDR_LEN)           /* RFC 768: length includes header */
		return AERO_WIRE_E_BADLEN;
	if (ulen > len)
		return AERO_WIRE_E_TRUNCATED;
	csum = get16(buf + 6);
	if (ps) {
		if (csum == 0) {
			/* RFC 768: 0 = no checksum (IPv4); RFC 8200 8.1 forbids
			 * it over IPv6 unless RFC 6935/6936 zero-checksum mode. */
			if (ps->family == 6 && !(flags & AERO_UDP_F_ZERO6_OK))
				return AERO_WIRE_E_CHECKSUM;
		} else if (aero_wire_csum_fold(aero_wire_csum_add(
		               pseudo_sum(ps, ulen), buf, ulen)) != 0) {
			return AERO_WIRE_E_CHECKSUM;
		}
	}
	memset(out, 0, sizeof *out);
	out->src_port = get16(buf);
	out->dst_port = get16(buf + 2);
	out->length = (uint16_t)ulen;
	out->checksum = csum;
	out->payload = buf + AERO_UDP_HDR_LEN;
	out->payload_len = ulen - AERO_UDP_HDR_LEN;
	return (int)ulen;
}

int
aero_wire_udp_encode(uint8_t *buf, size_t cap, const struct aero_udp *in,
                     const struct aero_ip_pseudo *ps, unsigned flags)
{
	size_t ulen;
	uint16_t csum;

	if (in->payload_len > 0xffff - AERO_UDP_HDR_LEN)
		return AERO_WIRE_E_INVAL;
	ulen = AERO_UDP_HDR_LEN + in->payload_len;
	if (!(flags & (AERO_UDP_F_KEEP_CSUM | AERO_UDP_F_ZERO_CSUM)) &&
	    (ps == NULL || (ps->family != 4 && ps->family != 6)))
		return AERO_WIRE_E_INVAL;
	if (!(flags & AERO_UDP_F_KEEP_CSUM) && (flags & AERO_UDP_F_ZERO_CSUM) &&
	    ps && ps->family == 6 && !(flags & AERO_UDP_F_ZERO6_OK))
		return AERO_WIRE_E_INVAL;     /* RFC 8200 8.1 */
	if (cap < ulen)
		return AERO_WIRE_E_NOBUF;

	place(buf + AERO_UDP_HDR_LEN, in->payload, in->payload_len);
	put16(buf, in->src_port);
	put16(buf + 2, in->dst_port);
	put16(buf + 4, (uint16_t)ulen);
	put16(buf + 6, 0);
	if (flags & AERO_UDP_F_KEEP_CSUM) {
		csum = in->checksum;
	} else if (flags & AERO_UDP_F_ZERO_CSUM) {
		csum = 0;
	} else {
		csum = aero_wire_csum_fold(aero_wire_csum_add(pseudo_sum(ps, ulen),
		                                              buf, ulen));
		if (csum == 0)                 /* RFC 768: computed 0 -> all ones */
			csum = 0xffff;
	}
	put16(buf + 6, csum);
	return (int)ulen;
}

/* ---- flow label and port hash -------------------------------------------- */

uint32_t
aero_wire_hash_oaat(uint32_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h += p[i];
		h += h << 10;
		h ^= h >> 6;
	}
	h += h << 3;
	h ^= h >> 11;
	h += h << 15;
	return h;
}

/* Serialise the tuple (see wire_ip.h); returns its length (<= 40). */
static size_t
tuple_bytes(const struct aero_flow_tuple *t, uint8_t *b, bool with_label)
{
	size_t alen = t->family == 4 ? 4 : 16, n = 0;

	memcpy(b, t->src.b, alen);
	n += alen;
	memcpy(b + n, t->dst.b, alen);
	n += alen;
	b[n++] = t->proto;
	put16(b + n, t->sport);
	n += 2;
	put16(b + n, t->dport);
	n += 2;
	if (with_label && t->family != 4) {
		put24(b + n, t->flow_label & AERO_IPV6_FLOW_MASK);
		n += 3;
	}
	return n;
}

uint32_t
aero_wire_flow_label(const struct aero_flow_tuple *t)
{
	uint8_t b[48];
	size_t n = tuple_bytes(t, b, true);
	uint32_t h = aero_wire_hash_oaat(0, b, n);

	/* RFC 6438 3: 20-bit value; [P] digest 6.1: 0 is sent as 1. */
	h = (h ^ (h >> 20)) & AERO_IPV6_FLOW_MASK;
	return h == 0 ? 1 : h;
}

int
aero_wire_udp_port_hash(const struct aero_flow_tuple *t, uint16_t port_base,
                        uint32_t port_count)
{
	uint8_t b[48];
	size_t n;
	uint32_t h;

	if (port_count == 0 || (uint32_t)port_base + port_count > 65536)
		return AERO_WIRE_E_INVAL;
	b[0] = AERO_FLOW_PORT_SALT;
	n = 1 + tuple_bytes(t, b + 1, false);
	h = aero_wire_hash_oaat(0, b, n);
	return (int)(port_base + (uint32_t)(((uint64_t)h * port_count) >> 32));
}

static bool
has_ports(uint8_t proto)
{
	return proto == AERO_IP_PROTO_TCP || proto == AERO_IP_PROTO_UDP ||
	       proto == AERO_IP_PROTO_SCTP;
}

int
aero_wire_flow_tuple(struct aero_flow_tuple *t, const uint8_t *inner,
                     size_t len)
{
	const uint8_t *up = NULL;
	size_t ulen = 0;
	int rc;

	memset(t, 0, sizeof *t);
	if (len < 1)
		return AERO_WIRE_E_TRUNCATED;
	if ((inner[0] >> 4) == 4) {
		struct aero_ipv4 h;

		rc = aero_wire_ipv4_decode(&h, inner, len, AERO_IPV4_F_NOCSUM);
		if (rc < 0)
			return rc;
		t->family = 4;
		memcpy(t->src.b, h.src.b, 4);
		memcpy(t->dst.b, h.dst.b, 4);
		t->proto = h.proto;
		if (h.frag_off == 0) {        /* RFC 6438 3: 2-tuple for fragments */
			up = h.payload;
			ulen = h.payload_len;
		}
	} else {
		struct aero_ipv6 h;

		rc = aero_wire_ipv6_decode(&h, inner, len);
		if (rc < 0)
			return rc;
		t->family = 6;
		t->src = h.src;
		t->dst = h.dst;
		t->flow_label = h.flow_label;
		t->proto = h.next_header;
		if (aero_wire_ipv6_upper(&h, &t->proto, &up, &ulen) < 0)
			up = NULL;
	}
	if (up && ulen >= 4 && has_ports(t->proto)) {
		t->sport = get16(up);
		t->dport = get16(up + 2);
	}
	return 0;
}
