/*
 * aero/wire_ip.h -- outer IPv4 / IPv6 / UDP headers of the AERO/VET tunnel,
 * the outer IPv6 flow label (RFC 6438) and the consistent UDP source port
 * hash (VET-40 section 6.5.3).
 *
 * Encapsulation stack (digest 3.1):
 *
 *   P1 over IPv4:  IPv4(20) | UDP(8) | inner IPv6 ...
 *   P1 over IPv6:  IPv6(40, flow label per 6.1) | UDP(8) | inner IPv6 ...
 *   P2:            ... | UDP(8) | SEAL(8 or 20) | inner ...
 *
 * Headroom style: every encoder here expects its payload to be already in
 * place right after the header it writes (buf + header length), so a whole
 * packet is built in one buffer by writing the inner packet first at a
 * known offset and then prepending UDP and the outer IP header:
 *
 *   inner at buf+28 -> aero_wire_udp_encode(buf+20, ...) ->
 *   aero_wire_ipv4_encode(buf, ...)
 *
 * If the struct's payload pointer is non-NULL and differs from
 * buf + header length, the encoder memmove()s payload_len bytes there
 * first (so a decoded struct re-encodes into any buffer); NULL means
 * "already in place".
 */
#ifndef AERO_WIRE_IP_H
#define AERO_WIRE_IP_H

#include "aero/wire_common.h"

/* AERO UDP port (IANA "aero", RFC 6706 section 7; digest section 5). */
#define AERO_UDP_PORT 8060

#define AERO_IP_PROTO_HOPOPTS  0
#define AERO_IP_PROTO_IPV4     4
#define AERO_IP_PROTO_TCP      6
#define AERO_IP_PROTO_UDP      17
#define AERO_IP_PROTO_IPV6     41
#define AERO_IP_PROTO_ROUTING  43
#define AERO_IP_PROTO_FRAGMENT 44
#define AERO_IP_PROTO_ESP      50
#define AERO_IP_PROTO_AH       51
#define AERO_IP_PROTO_ICMPV6   58
#define AERO_IP_PROTO_NONE     59
#define AERO_IP_PROTO_DSTOPTS  60
#define AERO_IP_PROTO_SCTP     132

/* ---- IPv4 (RFC 791) ---------------------------------------------------- */

#define AERO_IPV4_HDR_LEN      20
#define AERO_IPV4_MAX_OPT_LEN  40 /* IHL 15 */
#define AERO_IPV4_MAX_TOTAL    65535

/* Decode flag: do not verify the IPv4 header checksum. */
#define AERO_IPV4_F_NOCSUM     0x01u

struct aero_ipv4 {
	uint8_t dscp;            /* 6 bits (RFC 2474) */
	uint8_t ecn;             /* 2 bits (RFC 3168) */
	uint16_t total_len;      /* decode only; encode computes it */
	uint16_t id;
	bool rf;                 /* reserved flag (must be 0 per RFC 791; kept) */
	bool df;
	bool mf;
	uint16_t frag_off;       /* 13 bits, units of 8 bytes */
	uint8_t ttl;
	uint8_t proto;
	uint16_t checksum;       /* decode only; encode computes it */
	struct aero_in4 src, dst;
	const uint8_t *options;  /* IHL > 5: into buf; length multiple of 4 */
	size_t options_len;      /* 0..AERO_IPV4_MAX_OPT_LEN */
	const uint8_t *payload;  /* total_len - header length bytes */
	size_t payload_len;
};

/*
 * Decode an IPv4 header at buf[0..len). Bytes after total_len (link-layer
 * padding) are allowed and ignored. flags: AERO_IPV4_F_NOCSUM.
 * Returns total_len (bytes consumed) or
 *   AERO_WIRE_E_TRUNCATED  len < 20, < IHL*4 or < total length
 *   AERO_WIRE_E_VERSION    version != 4
 *   AERO_WIRE_E_BADLEN     IHL < 5 or total length < IHL*4
 *   AERO_WIRE_E_CHECKSUM   header checksum does not verify
 */
int aero_wire_ipv4_decode(struct aero_ipv4 *out, const uint8_t *buf,
                          size_t len, unsigned flags);

/* Header length in bytes the encoder will write for in (20 + options). */
size_t aero_wire_ipv4_hdr_len(const struct aero_ipv4 *in);

/*
 * Write the IPv4 header (IHL 5, or 5 + options_len/4) at buf, total length
 * = header + in->payload_len, and the header checksum. The payload is
 * expected at buf + header length (see the file comment).
 * Returns header + payload length, or
 *   AERO_WIRE_E_NOBUF  cap < header + payload_len
 *   AERO_WIRE_E_INVAL  dscp > 63, ecn > 3, frag_off > 8191, options_len
 *                      not a multiple of 4 or > 40, total > 65535
 */
int aero_wire_ipv4_encode(uint8_t *buf, size_t cap, const struct aero_ipv4 *in);

/* ---- IPv6 (RFC 8200) --------------------------------------------------- */

#define AERO_IPV6_HDR_LEN      40
#define AERO_IPV6_FLOW_MASK    0xfffffu
#define AERO_IPV6_MAX_EXT      8  /* extension headers walked by _upper */

struct aero_ipv6 {
	uint8_t dscp;            /* 6 bits of the Traffic Class */
	uint8_t ecn;             /* 2 bits of the Traffic Class */
	uint32_t flow_label;     /* 20 bits */
	uint8_t next_header;
	uint8_t hop_limit;
	struct aero_in6 src, dst;
	const uint8_t *payload;  /* the Payload Length bytes after the header */
	size_t payload_len;
};

/*
 * Decode an IPv6 header at buf[0..len). Bytes after the payload are ignored.
 * Returns 40 + payload length, or
 *   AERO_WIRE_E_TRUNCATED  len < 40 or payload length > len - 40
 *   AERO_WIRE_E_VERSION    version != 6
 */
int aero_wire_ipv6_decode(struct aero_ipv6 *out, const uint8_t *buf,
                          size_t len);

/*
 * Write the 40-byte IPv6 header at buf; Payload Length = in->payload_len,
 * payload expected at buf + 40 (see the file comment).
 * Returns 40 + payload_len, or
 *   AERO_WIRE_E_NOBUF  cap < 40 + payload_len
 *   AERO_WIRE_E_INVAL  dscp > 63, ecn > 3, flow label > 20 bits,
 *                      payload_len > 65535 (jumbograms unsupported)
 */
int aero_wire_ipv6_encode(uint8_t *buf, size_t cap, const struct aero_ipv6 *in);

/*
 * Skip the Hop-by-Hop, Routing, Destination Options, Fragment and AH
 * extension headers of a decoded IPv6 packet (RFC 8200 section 4) and find
 * the upper layer. Sets *proto, *upper and *upper_len (any may be NULL).
 * Returns the offset of the upper layer inside h->payload, or
 *   AERO_WIRE_E_TRUNCATED  an extension header runs past the payload
 *   AERO_WIRE_E_TOOMANY    more than AERO_IPV6_MAX_EXT extension headers
 *   AERO_WIRE_E_FIELD      a non-first fragment (no upper-layer header)
 */
int aero_wire_ipv6_upper(const struct aero_ipv6 *h, uint8_t *proto,
                         const uint8_t **upper, size_t *upper_len);

/* ---- UDP (RFC 768, RFC 8200 section 8.1, RFC 6935/6936) ----------------- */

#define AERO_UDP_HDR_LEN 8

/* Pseudo-header source: the enclosing IP header's addresses. */
struct aero_ip_pseudo {
	uint8_t family;           /* 4 or 6 */
	struct aero_in6 src, dst; /* IPv4: b[0..3], rest ignored */
};

/* Fill a pseudo-header description from a decoded/encoded IP header. */
void aero_wire_ipv4_pseudo(struct aero_ip_pseudo *ps, const struct aero_ipv4 *h);
void aero_wire_ipv6_pseudo(struct aero_ip_pseudo *ps, const struct aero_ipv6 *h);

/* Decode and encode: a zero checksum over IPv6 is allowed (RFC 6935/6936). */
#define AERO_UDP_F_ZERO6_OK   0x01u
/* Encode: send checksum 0 ("none"); over IPv6 only with AERO_UDP_F_ZERO6_OK. */
#define AERO_UDP_F_ZERO_CSUM  0x02u
/* Encode: write in->checksum verbatim (no pseudo-header needed). */
#define AERO_UDP_F_KEEP_CSUM  0x04u

/*
 * P1 encoder defaults [P, digest 8 item 6]: zero checksum over IPv4
 * (VET-40 6.5.3), computed checksum over IPv6.
 */
#define AERO_UDP_P1_FLAGS_V4  AERO_UDP_F_ZERO_CSUM
#define AERO_UDP_P1_FLAGS_V6  0u

struct aero_udp {
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t length;         /* decode only; encode writes 8 + payload_len */
	uint16_t checksum;       /* as on the wire (0 = none) */
	const uint8_t *payload;
	size_t payload_len;
};

/*
 * Decode a UDP header at buf[0..len); the datagram is length bytes, bytes
 * after it are ignored. With ps != NULL the checksum is verified: over
 * IPv4 a zero checksum means "none" and is accepted; over IPv6 a zero
 * checksum fails unless flags has AERO_UDP_F_ZERO6_OK. ps == NULL: not
 * verified. Returns length (bytes consumed), or
 *   AERO_WIRE_E_TRUNCATED  len < 8 or length > len
 *   AERO_WIRE_E_BADLEN     length < 8
 *   AERO_WIRE_E_CHECKSUM   checksum mismatch or forbidden zero checksum
 *   AERO_WIRE_E_INVAL      ps->family is neither 4 nor 6
 */
int aero_wire_udp_decode(struct aero_udp *out, const uint8_t *buf, size_t len,
                         const struct aero_ip_pseudo *ps, unsigned flags);

/*
 * Write the 8-byte UDP header at buf, length = 8 + in->payload_len, payload
 * expected at buf + 8 (see the file comment). Checksum: flags KEEP_CSUM ->
 * in->checksum; ZERO_CSUM -> 0; else computed over ps + header + payload
 * (a computed 0 is sent as 0xffff, RFC 768).
 * Returns 8 + payload_len, or
 *   AERO_WIRE_E_NOBUF  cap < 8 + payload_len
 *   AERO_WIRE_E_INVAL  payload_len > 65527; checksum to compute but ps is
 *                      NULL or of an unknown family; ZERO_CSUM over IPv6
 *                      without ZERO6_OK
 */
int aero_wire_udp_encode(uint8_t *buf, size_t cap, const struct aero_udp *in,
                         const struct aero_ip_pseudo *ps, unsigned flags);

/* ---- flow label (RFC 6438 section 3) and UDP source port hash ------------ */

/*
 * The inner flow as hashed for the outer flow label and the UDP source
 * port. Ports are 0 when the inner packet has none (not TCP/UDP/SCTP, or a
 * non-first fragment); flow_label is used only when family == 6.
 */
struct aero_flow_tuple {
	uint8_t family;           /* inner IP version: 4 or 6 */
	struct aero_in6 src, dst; /* IPv4: b[0..3], rest ignored */
	uint8_t proto;            /* inner upper-layer protocol */
	uint16_t sport, dport;
	uint32_t flow_label;      /* inner IPv6 flow label (20 bits) */
};

/*
 * Frozen [P] hash: Bob Jenkins' one-at-a-time hash (32 bit, initial value
 * 0) over the tuple serialised in network byte order, family-dependent:
 *   src (4|16) | dst (4|16) | proto (1) | sport (2) | dport (2)
 *   [| inner flow label (3 bytes, 20 bits, family 6 only)]
 * The flow label folds it to 20 bits as (h ^ (h >> 20)) & 0xfffff and
 * maps 0 to 1 [P digest 6.1]. The UDP port hash hashes the same bytes
 * without the flow label, prefixed by the salt byte AERO_FLOW_PORT_SALT,
 * so the two values are independent.
 */
#define AERO_FLOW_PORT_SALT 0x50

/* Jenkins one-at-a-time over p[0..len) (exposed for known-answer tests). */
uint32_t aero_wire_hash_oaat(uint32_t h, const uint8_t *p, size_t len);

/*
 * Outer IPv6 flow label for an inner flow: same value for every packet of
 * the flow, never 0. Returns 1..0xfffff.
 */
uint32_t aero_wire_flow_label(const struct aero_flow_tuple *t);

/* Default set of dynamic local ports for unidirectional neighbours [P]. */
#define AERO_UDP_DYN_PORT_BASE  49152
#define AERO_UDP_DYN_PORT_COUNT 16

/*
 * Consistent UDP source port for a unidirectional neighbour (VET-40
 * section 6.5.3): port_base + hash(tuple) mod port_count (multiply-shift
 * reduction, uniform over the set). Returns the port, or
 *   AERO_WIRE_E_INVAL  port_count == 0 or port_base + port_count > 65536
 */
int aero_wire_udp_port_hash(const struct aero_flow_tuple *t,
                            uint16_t port_base, uint32_t port_count);

/*
 * Extract the flow tuple from an inner IPv4 or IPv6 packet (version by the
 * first nibble; IPv4 checksum not verified). Ports are read for TCP, UDP
 * and SCTP when present; otherwise 0. Returns 0, or the decoder's
 * AERO_WIRE_E_TRUNCATED / BADLEN / VERSION.
 */
int aero_wire_flow_tuple(struct aero_flow_tuple *t, const uint8_t *inner,
                         size_t len);

#endif
