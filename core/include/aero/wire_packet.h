/*
 * aero/wire_packet.h -- whole-packet layered decoder.
 *
 *   outer IPv4 | IPv6
 *     UDP (port AERO, default 8060)
 *       [SEAL P2 shim]            (profile P2, or auto-detected)
 *         inner IPv6                      | SCMP (SEAL C=1, NEXTHDR 58)
 *           ICMPv6 ND (RS/RA/NS/NA/Redirect)
 *           UDP 546/547 -> DHCPv6
 *           UDP 8060    -> RFC 6706 Predirect/Redirect
 *           anything else: data
 *     UDP 546/547 (not tunnelled)  -> DHCPv6
 *     ICMPv6 ND (not tunnelled)
 *
 * Pure: no allocation, decoded variable-length data points into the input.
 * Used by aero-decode, the fuzzers, the benchmarks and (later) replay.
 */
#ifndef AERO_WIRE_PACKET_H
#define AERO_WIRE_PACKET_H

#include "aero/wire_common.h"
#include "aero/wire_ip.h"
#include "aero/wire_nd.h"
#include "aero/wire_seal.h"
#include "aero/wire_dhcp6.h"

/* Layers, both as the place to start decoding and as where an error was. */
enum aero_packet_layer {
	AERO_PACKET_LAYER_AUTO = 0, /* start: outer IPv4 or IPv6 by version */
	AERO_PACKET_LAYER_OUTER_IPV4,
	AERO_PACKET_LAYER_OUTER_IPV6,
	AERO_PACKET_LAYER_UDP,
	AERO_PACKET_LAYER_UDP_PAYLOAD, /* start: SEAL or inner IPv6 */
	AERO_PACKET_LAYER_SEAL,
	AERO_PACKET_LAYER_INNER_IPV6,
	AERO_PACKET_LAYER_INNER_UDP,
	AERO_PACKET_LAYER_ICMPV6,
	AERO_PACKET_LAYER_DHCP6,
	AERO_PACKET_LAYER_RFC6706,
	AERO_PACKET_LAYER_SCMP,
	AERO_PACKET_LAYER_COUNT
};

/* What the packet is, for summaries and counters. */
enum aero_packet_kind {
	AERO_PACKET_KIND_ERROR = 0, /* decoding failed */
	AERO_PACKET_KIND_OTHER,     /* IP but neither AERO nor ND/DHCPv6 */
	AERO_PACKET_KIND_DATA,      /* tunnelled inner data packet */
	AERO_PACKET_KIND_ND,
	AERO_PACKET_KIND_DHCP6,
	AERO_PACKET_KIND_RFC6706,
	AERO_PACKET_KIND_SCMP,
	AERO_PACKET_KIND_COUNT
};

enum aero_packet_profile {
	AERO_PACKET_PROFILE_AUTO = 0,
	AERO_PACKET_PROFILE_P1,
	AERO_PACKET_PROFILE_P2,
	AERO_PACKET_PROFILE_NONE /* result only: not tunnelled */
};

/* Bits of aero_packet.layers: 1u << enum aero_packet_layer. */
#define AERO_PACKET_HAS(p, l) (((p)->layers >> (l)) & 1u)

struct aero_packet_opts {
	enum aero_packet_profile profile; /* AUTO: SEAL if the UDP payload is not IPv6 */
	bool pio_x;                       /* PIO bit 0x10 is X (else RFC 9762 P) */
	uint16_t aero_port;               /* default AERO_UDP_PORT (8060) */
	const uint8_t *icv_key;           /* verify SEAL ICVs when set */
	size_t icv_key_len;
	bool verify_checksums;            /* default true */
	bool allow_zero_udp6;             /* RFC 6935/6936 zero UDP checksum over IPv6 */
};

struct aero_packet {
	enum aero_packet_kind kind;
	enum aero_packet_profile profile;
	uint32_t layers;              /* AERO_PACKET_HAS() */
	/* error: the first layer that failed, the code and the byte offset */
	int err;
	enum aero_packet_layer err_layer;
	size_t err_offset;

	struct aero_ipv4 outer4;
	struct aero_ipv6 outer6;
	struct aero_udp udp;
	struct aero_seal seal;
	bool icv_checked, icv_ok;
	struct aero_ipv6 inner6;
	struct aero_udp inner_udp;
	struct aero_nd_msg nd;        /* ICMPv6 ND (tunnelled or not) */
	struct aero_dhcp6_msg dhcp6;
	struct aero_rfc6706_msg rfc6706;
	struct aero_scmp_msg scmp;
	const uint8_t *data;          /* KIND_DATA / OTHER: upper-layer bytes */
	size_t data_len;
	uint8_t data_proto;
};

void aero_packet_opts_default(struct aero_packet_opts *o);

/*
 * Decode buf[0..len) starting at layer start (AUTO = outer IP header).
 * Returns len on success; on failure a negative AERO_WIRE_E_* code, with
 * p->err, p->err_layer and p->err_offset set and every layer decoded before
 * the failing one still available (p->layers).
 */
int aero_wire_packet_decode(struct aero_packet *p, const uint8_t *buf,
                            size_t len, enum aero_packet_layer start,
                            const struct aero_packet_opts *o);

const char *aero_packet_layer_name(enum aero_packet_layer l);
const char *aero_packet_kind_name(enum aero_packet_kind k);
const char *aero_packet_profile_name(enum aero_packet_profile pr);
/* Parse a start layer name ("auto", "ip", "ipv4", "ipv6", "udp-payload",
 * "seal", "inner-ipv6", "icmpv6", "dhcp6", "rfc6706", "scmp"): 0 or -1. */
int aero_packet_layer_parse(const char *name, enum aero_packet_layer *out);

#endif
