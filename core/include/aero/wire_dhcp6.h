/*
 * aero/wire_dhcp6.h -- DHCPv6 messages and options for Prefix Delegation
 * (RFC 8415; digest section 3.8).
 *
 * Client/server messages (RFC 8415 8): msg-type | transaction-id(24) | options
 * Relay messages (RFC 8415 9):  msg-type | hop-count | link-address |
 *                               peer-address | options (RELAY_MSG mandatory)
 *
 * Decoded options:
 *   CLIENTID 1, SERVERID 2   DUID (RFC 8415 11): LLT, EN, LL, UUID, other raw
 *   ORO 6                    list of 16-bit option codes
 *   PREFERENCE 7, ELAPSED_TIME 8, RAPID_COMMIT 14, RECONF_MSG 19, SOL_MAX_RT 82
 *   RELAY_MSG 9              by pointer: decode it with aero_wire_dhcp6_relay_inner()
 *   AUTH 11, STATUS_CODE 13 (top level, in IA_PD and in IAPREFIX)
 *   INTERFACE_ID 18          opaque bytes by pointer
 *   IA_PD 25 (repeatable) with IAPREFIX 26 (repeatable) inside
 *   anything else            kept as (code, pointer, length) and re-encoded
 *
 * Encoding order (canonical; the digest vectors TV3, TV4 and TV5 re-encode
 * byte-identically in it): CLIENTID, SERVERID, ELAPSED_TIME, ORO,
 * PREFERENCE, RAPID_COMMIT, RECONF_MSG, AUTH, STATUS_CODE, SOL_MAX_RT,
 * INTERFACE_ID, IA_PD..., RELAY_MSG, unknown options in decoded order.
 * Inside IA_PD: IAPREFIX..., STATUS_CODE, unknown; inside IAPREFIX:
 * STATUS_CODE, unknown. A message whose options came in another order
 * (real peers: dhcpcd, dhclient, dhcp6c, ISC dhcpd) re-encodes to the same
 * fields but not to the same bytes.
 *
 * The decoder only checks syntax. Semantic rules (server T1 > T2, IAPREFIX
 * preferred > valid, prefix length > 128, which options a message type may
 * carry, hop-count limit) are the protocol engine's: see
 * aero_wire_dhcp6_iapd_check().
 *
 * Decoded variable-length data points into the input buffer.
 * See aero/wire_common.h for the conventions every codec follows.
 */
#ifndef AERO_WIRE_DHCP6_H
#define AERO_WIRE_DHCP6_H

#include "aero/wire_common.h"

/* ---- constants ---------------------------------------------------------- */

/* UDP ports (RFC 8415 7.2). */
#define AERO_DHCP6_PORT_CLIENT 546
#define AERO_DHCP6_PORT_SERVER 547

/* Message types (RFC 8415 7.3). */
#define AERO_DHCP6_SOLICIT      1
#define AERO_DHCP6_ADVERTISE    2
#define AERO_DHCP6_REQUEST      3
#define AERO_DHCP6_CONFIRM      4
#define AERO_DHCP6_RENEW        5
#define AERO_DHCP6_REBIND       6
#define AERO_DHCP6_REPLY        7
#define AERO_DHCP6_RELEASE      8
#define AERO_DHCP6_DECLINE      9
#define AERO_DHCP6_RECONFIGURE  10
#define AERO_DHCP6_INFO_REQUEST 11
#define AERO_DHCP6_RELAY_FORW   12
#define AERO_DHCP6_RELAY_REPL   13

/* Option codes (RFC 8415 21; digest 3.8). */
#define AERO_DHCP6_OPT_CLIENTID     1
#define AERO_DHCP6_OPT_SERVERID     2
#define AERO_DHCP6_OPT_IA_NA        3
#define AERO_DHCP6_OPT_IAADDR       5
#define AERO_DHCP6_OPT_ORO          6
#define AERO_DHCP6_OPT_PREFERENCE   7
#define AERO_DHCP6_OPT_ELAPSED_TIME 8
#define AERO_DHCP6_OPT_RELAY_MSG    9
#define AERO_DHCP6_OPT_AUTH         11
#define AERO_DHCP6_OPT_UNICAST      12
#define AERO_DHCP6_OPT_STATUS_CODE  13
#define AERO_DHCP6_OPT_RAPID_COMMIT 14
#define AERO_DHCP6_OPT_VENDOR_CLASS 16
#define AERO_DHCP6_OPT_INTERFACE_ID 18
#define AERO_DHCP6_OPT_RECONF_MSG   19
#define AERO_DHCP6_OPT_RECONF_ACCEPT 20
#define AERO_DHCP6_OPT_DNS_SERVERS  23
#define AERO_DHCP6_OPT_DOMAIN_LIST  24
#define AERO_DHCP6_OPT_IA_PD        25
#define AERO_DHCP6_OPT_IAPREFIX     26
#define AERO_DHCP6_OPT_FQDN         39
#define AERO_DHCP6_OPT_PD_EXCLUDE   67
#define AERO_DHCP6_OPT_SOL_MAX_RT   82
#define AERO_DHCP6_OPT_INF_MAX_RT   83

/* Status codes (RFC 8415 21.13). */
#define AERO_DHCP6_ST_SUCCESS         0
#define AERO_DHCP6_ST_UNSPEC_FAIL     1
#define AERO_DHCP6_ST_NO_ADDRS_AVAIL  2
#define AERO_DHCP6_ST_NO_BINDING      3
#define AERO_DHCP6_ST_NOT_ON_LINK     4
#define AERO_DHCP6_ST_USE_MULTICAST   5
#define AERO_DHCP6_ST_NO_PREFIX_AVAIL 6

/* DUID types (RFC 8415 11.2-11.5). */
#define AERO_DHCP6_DUID_LLT  1
#define AERO_DHCP6_DUID_EN   2
#define AERO_DHCP6_DUID_LL   3
#define AERO_DHCP6_DUID_UUID 4

/* DUID sizes including the 2-byte type (RFC 8415 11.1: 1..128 bytes after
 * the type; 11.2-11.5: fixed parts). */
#define AERO_DHCP6_DUID_MIN_LEN     3
#define AERO_DHCP6_DUID_MAX_LEN     130
#define AERO_DHCP6_DUID_LLT_MIN_LEN 8  /* type, hwtype, time */
#define AERO_DHCP6_DUID_EN_MIN_LEN  6  /* type, enterprise number */
#define AERO_DHCP6_DUID_LL_MIN_LEN  4  /* type, hwtype */
#define AERO_DHCP6_DUID_UUID_LEN    18 /* type, 16-byte UUID */

/* Fixed sizes. */
#define AERO_DHCP6_HDR_LEN       4  /* msg-type, transaction-id (RFC 8415 8) */
#define AERO_DHCP6_RELAY_HDR_LEN 34 /* msg-type, hop, link, peer (RFC 8415 9) */
#define AERO_DHCP6_OPT_HDR_LEN   4  /* option-code, option-len (RFC 8415 21.1) */
#define AERO_DHCP6_IAPD_LEN      12 /* IAID, T1, T2 (RFC 8415 21.21) */
#define AERO_DHCP6_IAPREFIX_LEN  25 /* preferred, valid, plen, prefix (21.22) */
#define AERO_DHCP6_AUTH_LEN      11 /* protocol, algorithm, RDM, replay (21.11) */
#define AERO_DHCP6_STATUS_LEN    2  /* status-code (21.13) */
#define AERO_DHCP6_OPT_MAX_LEN   0xffff
#define AERO_DHCP6_XID_MAX       0xffffffu
#define AERO_DHCP6_PLEN_MAX      128

/* Capacities of the decoded arrays (overflow: AERO_WIRE_E_TOOMANY). */
#define AERO_DHCP6_MAX_IAPD              8
#define AERO_DHCP6_MAX_IAPREFIX          8  /* per IA_PD */
#define AERO_DHCP6_MAX_ORO               64 /* requested option codes */
#define AERO_DHCP6_MAX_UNKNOWN           16 /* top-level unknown options */
#define AERO_DHCP6_MAX_IAPD_UNKNOWN      4  /* unknown options in one IA_PD */
#define AERO_DHCP6_MAX_IAPREFIX_UNKNOWN  2  /* unknown options in one IAPREFIX */

/* ---- structures ----------------------------------------------------------- */

/* A DUID (RFC 8415 11). data/data_len hold the variable tail:
 * LLT and LL: link-layer address; EN: identifier; other types: every byte
 * after the type code. UUID uses uuid[] and no data. */
struct aero_dhcp6_duid {
	uint16_t type;
	uint16_t hwtype;       /* LLT, LL: hardware type (RFC 826 / IANA) */
	uint32_t time;         /* LLT: seconds since 2000-01-01 UTC mod 2^32 */
	uint32_t enterprise;   /* EN: IANA private enterprise number */
	uint8_t uuid[16];      /* UUID (RFC 6355) */
	const uint8_t *data;
	size_t data_len;
};

/* STATUS_CODE (RFC 8415 21.13): code and UTF-8 message (not validated). */
struct aero_dhcp6_status {
	uint16_t code;
	const uint8_t *msg;
	size_t msg_len;
};

/* An option kept as is (unknown here, or known but not decoded). */
struct aero_dhcp6_opt {
	uint16_t code;
	const uint8_t *data;
	size_t len;
};

/* AUTH (RFC 8415 21.11). */
struct aero_dhcp6_auth {
	uint8_t protocol;
	uint8_t algorithm;
	uint8_t rdm;
	uint64_t replay;
	const uint8_t *info;
	size_t info_len;
};

/* IAPREFIX (RFC 8415 21.22). */
struct aero_dhcp6_iaprefix {
	uint32_t preferred;
	uint32_t valid;
	uint8_t plen;
	struct aero_in6 prefix;
	bool has_status;
	struct aero_dhcp6_status status;
	size_t n_unknown;
	struct aero_dhcp6_opt unknown[AERO_DHCP6_MAX_IAPREFIX_UNKNOWN];
};

/* IA_PD (RFC 8415 21.21). */
struct aero_dhcp6_iapd {
	uint32_t iaid;
	uint32_t t1;
	uint32_t t2;
	size_t n_prefix;
	struct aero_dhcp6_iaprefix prefix[AERO_DHCP6_MAX_IAPREFIX];
	bool has_status;
	struct aero_dhcp6_status status;
	size_t n_unknown;
	struct aero_dhcp6_opt unknown[AERO_DHCP6_MAX_IAPD_UNKNOWN];
};

/*
 * One DHCPv6 message. transaction_id is used by types 1..11; hop_count,
 * link_addr and peer_addr by RELAY_FORW/RELAY_REPL (the decoder zeroes the
 * fields a type does not use; the encoder ignores them). has_* flags mark
 * the optional singletons; each field is meaningful only when its flag is set.
 * Array entries past their count (n_iapd, n_prefix, n_unknown) are
 * unspecified after decoding.
 */
struct aero_dhcp6_msg {
	uint8_t msg_type;
	uint32_t transaction_id;       /* 24 bits */
	uint8_t hop_count;
	struct aero_in6 link_addr;
	struct aero_in6 peer_addr;

	bool has_clientid;
	bool has_serverid;
	bool has_oro;
	bool has_preference;
	bool has_elapsed;
	bool has_relay_msg;
	bool has_auth;
	bool has_status;
	bool has_rapid_commit;
	bool has_interface_id;
	bool has_reconf_msg;
	bool has_sol_max_rt;

	struct aero_dhcp6_duid clientid;
	struct aero_dhcp6_duid serverid;
	size_t n_oro;
	uint16_t oro[AERO_DHCP6_MAX_ORO];
	uint8_t preference;
	uint16_t elapsed;              /* 1/100 s; 0xffff = longer */
	const uint8_t *relay_msg;      /* RELAY_MSG: a whole inner DHCPv6 message */
	size_t relay_msg_len;
	struct aero_dhcp6_auth auth;
	struct aero_dhcp6_status status;
	const uint8_t *interface_id;
	size_t interface_id_len;
	uint8_t reconf_msg;            /* RECONF_MSG: RENEW, REBIND or INFO_REQUEST */
	uint32_t sol_max_rt;           /* seconds */

	size_t n_iapd;
	struct aero_dhcp6_iapd iapd[AERO_DHCP6_MAX_IAPD];
	size_t n_unknown;
	struct aero_dhcp6_opt unknown[AERO_DHCP6_MAX_UNKNOWN];
};

/* ---- messages ----------------------------------------------------------- */

/*
 * Decode a DHCPv6 message occupying all of buf (a UDP payload or the body
 * of a RELAY_MSG option). Returns len, or:
 *  AERO_WIRE_E_TRUNCATED  buf shorter than the header, or an option header or
 *                         body (at any nesting level) running past its container
 *  AERO_WIRE_E_TYPE       msg-type not 1..13 (RFC 8415 7.3)
 *  AERO_WIRE_E_BADLEN     a fixed-size option with another length, ORO of odd
 *                         length, IA_PD < 12, IAPREFIX < 25, AUTH < 11,
 *                         STATUS_CODE < 2, or a DUID outside RFC 8415 11 sizes
 *  AERO_WIRE_E_DUPLICATE  a singleton option twice in its container, or two
 *                         IA_PDs with the same IAID
 *  AERO_WIRE_E_TOOMANY    more IA_PD, IAPREFIX, ORO codes or unknown options
 *                         than the AERO_DHCP6_MAX_* capacities
 *  AERO_WIRE_E_MISSING    a relay message without RELAY_MSG (RFC 8415 9)
 *  AERO_WIRE_E_FIELD      an IAPREFIX prefix length above 128
 * Semantic errors (T1 > T2, preferred > valid) are left to
 * aero_wire_dhcp6_iapd_check. Cutting a message exactly at an option boundary yields a shorter valid
 * message (DHCPv6 has no overall length field).
 */
int aero_wire_dhcp6_decode(struct aero_dhcp6_msg *out, const uint8_t *buf,
                           size_t len);

/*
 * Decode the message carried in relay's RELAY_MSG (one nesting level; loop
 * while the result is itself a relay message). Returns as
 * aero_wire_dhcp6_decode, or AERO_WIRE_E_MISSING when relay has no RELAY_MSG.
 */
int aero_wire_dhcp6_relay_inner(struct aero_dhcp6_msg *inner,
                                const struct aero_dhcp6_msg *relay);

/*
 * Encoded size of in, or AERO_WIRE_E_INVAL when it cannot be encoded:
 * msg_type not 1..13, transaction_id above 24 bits, relay message without
 * RELAY_MSG, prefix length > 128, a bad DUID (see aero_wire_dhcp6_duid_len),
 * a count above its capacity, a NULL pointer with a non-zero length, an
 * option body above 65535 bytes, or an unknown option whose code is decoded
 * in that position (it would not decode back as unknown).
 */
int aero_wire_dhcp6_encoded_len(const struct aero_dhcp6_msg *in);

/*
 * Encode in canonical option order (see top of file). Returns bytes
 * written, AERO_WIRE_E_NOBUF (cap < aero_wire_dhcp6_encoded_len(in); nothing
 * written) or AERO_WIRE_E_INVAL (as aero_wire_dhcp6_encoded_len).
 */
int aero_wire_dhcp6_encode(uint8_t *buf, size_t cap,
                           const struct aero_dhcp6_msg *in);

/* ---- DUID --------------------------------------------------------------- */

/*
 * Decode a DUID occupying all of buf (a CLIENTID/SERVERID body). Returns len
 * or AERO_WIRE_E_BADLEN (len outside 3..130, or shorter than the fixed part
 * of its type; UUID must be exactly 18).
 */
int aero_wire_dhcp6_duid_decode(struct aero_dhcp6_duid *out,
                                const uint8_t *buf, size_t len);

/* Encoded size of a DUID (3..130) or AERO_WIRE_E_INVAL (size out of range,
 * data NULL with data_len > 0). */
int aero_wire_dhcp6_duid_len(const struct aero_dhcp6_duid *in);

/* Encode a DUID. Returns bytes written, AERO_WIRE_E_NOBUF or
 * AERO_WIRE_E_INVAL (as aero_wire_dhcp6_duid_len). */
int aero_wire_dhcp6_duid_encode(uint8_t *buf, size_t cap,
                                const struct aero_dhcp6_duid *in);

/* True when a and b encode to the same bytes (invalid DUIDs: false). */
bool aero_wire_dhcp6_duid_equal(const struct aero_dhcp6_duid *a,
                                const struct aero_dhcp6_duid *b);

/* ---- semantic checks ---------------------------------------------------- */

/*
 * Pure validity check of a received IA_PD for the protocol engine:
 * AERO_WIRE_E_FIELD when T1 > T2 with both non-zero (RFC 8415 21.21: the
 * client discards the IA_PD), when an IAPREFIX has preferred > valid
 * (21.22: discard) or prefix length > 128; else 0.
 */
int aero_wire_dhcp6_iapd_check(const struct aero_dhcp6_iapd *ia);

/* ---- names -------------------------------------------------------------- */

/* "SOLICIT", "ADVERTISE", ..., "RELAY-FORW", "RELAY-REPL" or "unknown". */
const char *aero_wire_dhcp6_msg_type_name(uint8_t type);
/* "Success", "UnspecFail", ..., "NoPrefixAvail" or "unknown". */
const char *aero_wire_dhcp6_status_name(uint16_t code);
/* "DUID-LLT", "DUID-EN", "DUID-LL", "DUID-UUID" or "unknown". */
const char *aero_wire_dhcp6_duid_type_name(uint16_t type);
/* "CLIENTID", "IA_PD", ... for the codes defined above, or "unknown". */
const char *aero_wire_dhcp6_opt_name(uint16_t code);

#endif
