/*
 * aero/wire_nd.h -- ICMPv6 Neighbor Discovery (RFC 4861) with its options,
 * the RFC 6706 Predirect/Redirect body and SCMP (VET-40 section 6.6).
 *
 * One option codec serves all three message families:
 *
 *   SLLAO 1 / TLLAO 2   link-layer address; form chosen by the link kind
 *   PIO 3               RFC 4861 4.6.2 (+ RFC 9762 P or PIO-X X at 0x10)
 *   RHO 4               Redirected Header, original packet by pointer
 *   MTU 5               RFC 4861 4.6.4
 *   RIO 24              RFC 4191 2.3
 *   anything else       kept as (type, pointer, length) and re-encoded
 *
 * Decoded variable-length data points into the input buffer.
 * See aero/wire_common.h for the conventions every codec follows.
 */
#ifndef AERO_WIRE_ND_H
#define AERO_WIRE_ND_H

#include "aero/wire_common.h"

/* ---- constants ---------------------------------------------------------- */

/* ICMPv6 ND message types (RFC 4861 section 4). */
#define AERO_ND_TYPE_RS       133
#define AERO_ND_TYPE_RA       134
#define AERO_ND_TYPE_NS       135
#define AERO_ND_TYPE_NA       136
#define AERO_ND_TYPE_REDIRECT 137

/* Option types (RFC 4861 4.6, RFC 4191 2.3). */
#define AERO_ND_OPT_SLLAO 1
#define AERO_ND_OPT_TLLAO 2
#define AERO_ND_OPT_PIO   3
#define AERO_ND_OPT_RHO   4
#define AERO_ND_OPT_MTU   5
#define AERO_ND_OPT_RIO   24
/* RFC 3971 5.3.2 Nonce: kept as an unknown option (6 bytes: Length 1);
 * P2 SNS/SNA use it to re-synchronise SEAL Identifications (nud.h). */
#define AERO_ND_OPT_NONCE 14
#define AERO_ND_NONCE_LEN 6

/* Option lengths are in units of 8 octets; the length byte caps an option. */
#define AERO_ND_OPT_UNIT    8
#define AERO_ND_OPT_MAX_LEN (255 * AERO_ND_OPT_UNIT)

/* Capacities of the decoded option arrays (overflow: AERO_WIRE_E_TOOMANY). */
#define AERO_ND_MAX_PIO     16
#define AERO_ND_MAX_RIO     16
#define AERO_ND_MAX_UNKNOWN 16
/* Every option a decoded list can hold: 4 singletons + the arrays. */
#define AERO_ND_MAX_OPTS (4 + AERO_ND_MAX_PIO + AERO_ND_MAX_RIO + AERO_ND_MAX_UNKNOWN)

/* RA flags byte (RFC 4861 4.2, RFC 6275 7.1, RFC 4191 2.2, RFC 4389). */
#define AERO_ND_RA_F_MANAGED    0x80
#define AERO_ND_RA_F_OTHER      0x40
#define AERO_ND_RA_F_HOME_AGENT 0x20
#define AERO_ND_RA_PRF_MASK     0x18
#define AERO_ND_RA_PRF_SHIFT    3
#define AERO_ND_RA_F_PROXY      0x04
#define AERO_ND_RA_RESERVED     0x03

/* Router / route preference values (RFC 4191 2.1). */
#define AERO_ND_PRF_MEDIUM   0
#define AERO_ND_PRF_HIGH     1
#define AERO_ND_PRF_RESERVED 2
#define AERO_ND_PRF_LOW      3

/* NA flags, first byte after the checksum (RFC 4861 4.4). */
#define AERO_ND_NA_F_ROUTER    0x80
#define AERO_ND_NA_F_SOLICITED 0x40
#define AERO_ND_NA_F_OVERRIDE  0x20
#define AERO_ND_NA_RESERVED    0x1fffffffu /* low 29 bits of bytes 4..7 */

/* PIO flags byte (RFC 4861 4.6.2, RFC 6275 7.2, PIO-X draft 5.1, RFC 9762 5). */
#define AERO_ND_PIO_F_L       0x80
#define AERO_ND_PIO_F_A       0x40
#define AERO_ND_PIO_F_R       0x20
#define AERO_ND_PIO_F_XP      0x10 /* X (PIO-X mode) or P (RFC 9762) */
#define AERO_ND_PIO_RESERVED1 0x0f

/* RIO byte 3: Resvd(3) Prf(2) Resvd(3) (RFC 4191 2.3). */
#define AERO_ND_RIO_PRF_MASK  0x18
#define AERO_ND_RIO_PRF_SHIFT 3
#define AERO_ND_RIO_RESERVED  0xe7

/* Fixed part lengths (type..last fixed field). */
#define AERO_ND_RS_LEN       8
#define AERO_ND_RA_LEN       16
#define AERO_ND_NS_LEN       24
#define AERO_ND_NA_LEN       24
#define AERO_ND_REDIRECT_LEN 40
#define AERO_ND_RHO_HDR_LEN  8 /* type, length, 6 reserved */

/* ---- decode context ----------------------------------------------------- */

/* Link kind: decides how S/TLLAO bodies are read (digest 3.7). */
enum aero_nd_link {
	AERO_ND_LINK_ETHERNET = 0, /* Length 1 = 6-byte MAC */
	AERO_ND_LINK_AERO,         /* tunnel: Length 1 = VET IPv4, Length 3 = P1/VET IPv6 */
};

/* Meaning of PIO bit 0x10 (digest section 8 item 1). */
enum aero_pio_mode {
	AERO_PIO_MODE_RFC9762_P = 0, /* default: P "DHCPv6-PD preferred" */
	AERO_PIO_MODE_PIO_X,         /* interfaces configured pio_x_mode: X */
};

struct aero_nd_ctx {
	enum aero_nd_link link;
	enum aero_pio_mode pio_mode;
};

/* ---- options ------------------------------------------------------------ */

/* How an S/TLLAO body was (or is to be) laid out. */
enum aero_nd_lla_form {
	AERO_ND_LLA_ETHERNET = 0, /* Len 1: 6-byte MAC (Ethernet links) */
	AERO_ND_LLA_VET_IPV4,     /* Len 1: Reserved16 | IPv4 (VET-40 Fig. 2) */
	AERO_ND_LLA_VET_IPV6,     /* Len 3: Reserved48 (all zero) | IPv6 (VET-40 Fig. 3) */
	AERO_ND_LLA_P1,           /* Len 3: port16 | link8 | pref8 | Resvd16 | addr128 [P] */
	AERO_ND_LLA_OTHER,        /* anything else: raw body bytes */
};

/* Wire sizes of the S/TLLAO forms. */
#define AERO_ND_LLA_ETHERNET_LEN 8
#define AERO_ND_LLA_VET_IPV4_LEN 8
#define AERO_ND_LLA_VET_IPV6_LEN 24
#define AERO_ND_LLA_P1_LEN       24

struct aero_nd_lla {
	enum aero_nd_lla_form form;
	uint8_t mac[6];        /* ETHERNET */
	struct aero_in4 ip4;   /* VET_IPV4 */
	uint16_t reserved;     /* VET_IPV4 Reserved16 / P1 Reserved16 (kept) */
	uint16_t port;         /* P1: UDP port; 0 = "use 8060" (VET_IPV6: 0) */
	uint8_t link_id;       /* P1 (VET_IPV6: 0) */
	uint8_t pref;          /* P1 (VET_IPV6: 0) */
	struct aero_in6 addr;  /* P1 / VET_IPV6: IPv6 or IPv4-mapped RLOC */
	const uint8_t *raw;    /* OTHER: option bytes after Type/Length */
	size_t raw_len;        /* OTHER: Length * 8 - 2 */
};

struct aero_nd_pio {
	uint8_t prefix_len;    /* 0..128 */
	bool l, a, r;
	bool x;                /* bit 0x10 in AERO_PIO_MODE_PIO_X */
	bool p;                /* bit 0x10 in AERO_PIO_MODE_RFC9762_P */
	uint8_t reserved1;     /* low 4 flag bits, kept */
	uint32_t valid_lifetime;     /* s; 0xffffffff = infinity */
	uint32_t preferred_lifetime;
	uint32_t reserved2;
	struct aero_in6 prefix;
};
#define AERO_ND_PIO_LEN 32

struct aero_nd_rio {
	uint8_t len_units;     /* 1..3 as on the wire; encoder: 0 = smallest */
	uint8_t prefix_len;
	uint8_t prf;           /* AERO_ND_PRF_* */
	uint8_t reserved;      /* other bits of byte 3 (mask AERO_ND_RIO_RESERVED) */
	uint32_t lifetime;     /* s */
	struct aero_in6 prefix; /* bytes not on the wire are zero */
};

struct aero_nd_opt_unknown {
	uint8_t type;
	const uint8_t *data;   /* bytes after Type/Length */
	size_t data_len;       /* Length * 8 - 2 */
};

/* Option kinds, for the recorded order. */
enum aero_nd_opt_kind {
	AERO_ND_OK_SLLAO = 0,
	AERO_ND_OK_TLLAO,
	AERO_ND_OK_MTU,
	AERO_ND_OK_PIO,
	AERO_ND_OK_RIO,
	AERO_ND_OK_RHO,
	AERO_ND_OK_UNKNOWN,
};

struct aero_nd_opt_ref {
	uint8_t kind;          /* enum aero_nd_opt_kind */
	uint8_t idx;           /* index into pio/rio/unknown (0 for singletons) */
};

struct aero_nd_opts {
	bool has_sllao, has_tllao, has_mtu, has_rho;
	struct aero_nd_lla sllao, tllao;
	uint16_t mtu_reserved;
	uint32_t mtu;
	uint8_t rho_reserved[6];
	const uint8_t *rho;    /* original packet bytes (incl. padding) */
	size_t rho_len;        /* encoder pads to a multiple of 8 with zeros */
	size_t n_pio, n_rio, n_unknown;
	struct aero_nd_pio pio[AERO_ND_MAX_PIO];
	struct aero_nd_rio rio[AERO_ND_MAX_RIO];
	struct aero_nd_opt_unknown unknown[AERO_ND_MAX_UNKNOWN];
	/*
	 * Order the options appeared in (decoder fills it). The encoder follows
	 * it when n_order > 0 (so captures re-encode byte-identically: radvd
	 * puts PIOs before the SLLAO); with n_order == 0 it uses the canonical
	 * order SLLAO, TLLAO, MTU, PIOs, RIOs, RHO, unknowns.
	 */
	size_t n_order;
	struct aero_nd_opt_ref order[AERO_ND_MAX_OPTS];
};

/* ---- ND messages -------------------------------------------------------- */

struct aero_nd_ra {
	uint8_t cur_hop_limit;
	bool managed, other, home_agent, proxy;
	uint8_t prf;           /* AERO_ND_PRF_* (RFC 4191 2.2) */
	uint8_t reserved;      /* low 2 flag bits */
	uint16_t router_lifetime;  /* s */
	uint32_t reachable_time;   /* ms */
	uint32_t retrans_timer;    /* ms */
};

struct aero_nd_msg {
	uint8_t type;          /* AERO_ND_TYPE_*; the Code is always 0 */
	uint16_t checksum;     /* as decoded; the encoder computes it or writes 0
	                        * (a computed 0 is written as 0xffff when this
	                        * is 0xffff: both are ones'-complement zero) */
	uint32_t reserved;     /* RS/NS/Redirect: bytes 4..7; NA: low 29 bits */
	bool na_router, na_solicited, na_override;
	struct aero_nd_ra ra;
	struct aero_in6 target; /* NS, NA, Redirect */
	struct aero_in6 dest;   /* Redirect */
	struct aero_nd_opts opts;
};

/* Effective PIO flags after the PIO-X receiver rules. */
struct aero_nd_pio_eff {
	bool l, a, r, x;
};

/* ---- RFC 6706 Predirect / Redirect (section 6.4.5) ----------------------- */

#define AERO_RFC6706_UDP_PORT  8060
#define AERO_RFC6706_TYPE      0
#define AERO_RFC6706_F_P       0x80000000u /* bit 0 of bytes 4..7 */
#define AERO_RFC6706_RESERVED  0x7fffffffu
#define AERO_RFC6706_FIXED_LEN 40

struct aero_rfc6706_msg {
	bool p;                /* 1 Predirect, 0 Redirect */
	uint32_t reserved;     /* low 31 bits */
	struct aero_in6 target;   /* :: = NULL (digest 8 item 16) */
	struct aero_in6 dest;
	struct aero_nd_opts opts; /* TLLAO (AERO forms), RIO(s), RHO (mandatory [P]) */
};

/* ---- SCMP (VET-40 section 6.6; digest 3.11) ------------------------------ */

/* Error types mirror ICMPv6 [P]; the rest mirror ND [S]. */
#define AERO_SCMP_TYPE_DEST_UNREACH 1
#define AERO_SCMP_TYPE_PKT_TOO_BIG  2
#define AERO_SCMP_TYPE_TIME_EXCEED  3
#define AERO_SCMP_TYPE_PARAM_PROB   4
#define AERO_SCMP_TYPE_SRS          133
#define AERO_SCMP_TYPE_SRA          134
#define AERO_SCMP_TYPE_SNS          135
#define AERO_SCMP_TYPE_SNA          136
#define AERO_SCMP_TYPE_SPD_SRD      137

#define AERO_SCMP_ERROR_HDR_LEN     8  /* Type Code Checksum + 32-bit parameter */
#define AERO_SCMP_RD_F_P            0x80000000u /* 1 SPD, 0 SRD */
#define AERO_SCMP_RD_F_V            0x40000000u /* Authentication Key present */
#define AERO_SCMP_RD_RESERVED       0x3fffffffu
#define AERO_SCMP_RD_FIXED_LEN      40 /* up to and including Destination */
/* Authentication Key (VET-40 Fig. 5): control octet F(1) Key(2) Alg(5). */
#define AERO_SCMP_AUTH_F            0x80
#define AERO_SCMP_AUTH_KEY_MASK     0x60
#define AERO_SCMP_AUTH_KEY_SHIFT    5
#define AERO_SCMP_AUTH_ALG_MASK     0x1f
#define AERO_SCMP_AUTH_ALG_HMAC_SHA1 0 /* F=0, Alg=0: HMAC-SHA1 160/80 */
#define AERO_SCMP_ESK_LEN           20 /* [P] digest 3.11 */
#define AERO_SCMP_AUTH_LEN          24 /* [P] control + ESK, padded to 24 */
#define AERO_SCMP_AUTH_PAD_LEN      (AERO_SCMP_AUTH_LEN - 1 - AERO_SCMP_ESK_LEN)

struct aero_scmp_auth {
	bool f;
	uint8_t key;           /* 2 bits */
	uint8_t alg;           /* 5 bits */
	uint8_t esk[AERO_SCMP_ESK_LEN];
	uint8_t pad[AERO_SCMP_AUTH_PAD_LEN]; /* kept as received */
};

/* SPD (P=1) / SRD (P=0), VET-40 Fig. 4. */
struct aero_scmp_rd {
	bool p, v;
	uint32_t reserved;     /* low 30 bits */
	struct aero_in6 target, dest;
	struct aero_scmp_auth auth; /* when v */
	struct aero_nd_opts opts;   /* RHO mandatory; S/TLLAOs; RIO */
};

/* Errors 1..4: Dest Unreach (unused), PTB (MTU), Time Exceeded (unused),
 * Parameter Problem (pointer). */
struct aero_scmp_err {
	uint32_t param;        /* unused / MTU / pointer */
	const uint8_t *pkt;    /* packet in error (plays the RHO role) */
	size_t pkt_len;
};

struct aero_scmp_msg {
	uint8_t type;          /* AERO_SCMP_TYPE_* */
	uint8_t code;          /* 0 for 133..137; any for errors */
	uint16_t checksum;     /* as decoded; the encoder computes it (a computed
	                        * 0 is written as 0xffff when this is 0xffff) */
	union {
		struct aero_nd_msg nd;   /* SRS..SNA: nd.type == type */
		struct aero_scmp_rd rd;  /* 137 */
		struct aero_scmp_err err; /* 1..4 */
	};
};

/* ---- functions ---------------------------------------------------------- */

/*
 * Decode the option list buf[0..len) (RFC 4861 4.6). ctx NULL = Ethernet
 * link, RFC 9762 P mode. Returns len, or AERO_WIRE_E_TRUNCATED (an option
 * overruns the buffer), AERO_WIRE_E_BADLEN (Length 0, PIO/MTU of the wrong
 * length, inconsistent RIO, prefix length > 128), AERO_WIRE_E_DUPLICATE (a
 * second SLLAO, TLLAO, MTU or RHO), AERO_WIRE_E_TOOMANY (array full).
 */
int aero_wire_nd_opts_decode(struct aero_nd_opts *out, const uint8_t *buf,
                             size_t len, const struct aero_nd_ctx *ctx);

/* Bytes the option list encodes to, or AERO_WIRE_E_INVAL. */
int aero_wire_nd_opts_size(const struct aero_nd_opts *in);

/*
 * Encode the option list. Returns bytes written, AERO_WIRE_E_NOBUF or
 * AERO_WIRE_E_INVAL (a field that cannot be encoded: counts above capacity,
 * bad LLA form/raw length, PIO x and p both set, prefix length > 128,
 * inconsistent RIO length, unknown option with a known type or a length not
 * a multiple of 8, an order list that does not name each option once).
 */
int aero_wire_nd_opts_encode(uint8_t *buf, size_t cap,
                             const struct aero_nd_opts *in);

/*
 * Decode an ICMPv6 ND message (RS, RA, NS, NA, Redirect) occupying all of
 * buf[0..len). When src and dst are both given the ICMPv6 pseudo-header
 * checksum is verified. Hop-limit checks are the caller's.
 * Returns len, or AERO_WIRE_E_TRUNCATED (shorter than the fixed part or an
 * option overrun), AERO_WIRE_E_TYPE (not 133..137), AERO_WIRE_E_FIELD (Code
 * not 0, RFC 4861 6.1), AERO_WIRE_E_CHECKSUM, or an option error (above).
 */
int aero_wire_nd_decode(struct aero_nd_msg *out, const uint8_t *buf,
                        size_t len, const struct aero_nd_ctx *ctx,
                        const struct aero_in6 *src, const struct aero_in6 *dst);

/*
 * Encode an ND message. The checksum is computed when src and dst are both
 * given, else written as 0. Returns bytes written, AERO_WIRE_E_NOBUF or
 * AERO_WIRE_E_INVAL (bad type, RA prf/reserved, NA reserved above 29 bits,
 * or an option error).
 */
int aero_wire_nd_encode(uint8_t *buf, size_t cap, const struct aero_nd_msg *in,
                        const struct aero_in6 *src, const struct aero_in6 *dst);

/* PIO-X receiver rules (draft 5.2.1/5.2.2): X is ignored when R is set;
 * with X in effect L reads as 0 and A as 1. Pure; never fails. */
struct aero_nd_pio_eff aero_wire_nd_pio_x_effective(const struct aero_nd_pio *pio);

/* "RS", "RA", "NS", "NA", "Redirect" or "unknown". */
const char *aero_wire_nd_type_name(uint8_t type);
/* "medium", "high", "reserved", "low" for prf & 3. */
const char *aero_wire_nd_prf_name(uint8_t prf);
/* "ethernet", "vet-ipv4", "vet-ipv6", "p1", "other". */
const char *aero_wire_nd_lla_form_name(enum aero_nd_lla_form f);

/*
 * Decode an RFC 6706 Predirect/Redirect (the UDP/8060 payload). Options
 * are read with an AERO link context (ctx supplies only the PIO mode; NULL
 * = RFC 9762 P). Returns len, or AERO_WIRE_E_TRUNCATED, AERO_WIRE_E_TYPE
 * (Type not 0), AERO_WIRE_E_FIELD (Code or Checksum not 0),
 * AERO_WIRE_E_MISSING (no RHO, [P] digest 3.6) or an option error.
 */
int aero_wire_rfc6706_decode(struct aero_rfc6706_msg *out, const uint8_t *buf,
                             size_t len, const struct aero_nd_ctx *ctx);

/* Returns bytes written, AERO_WIRE_E_NOBUF or AERO_WIRE_E_INVAL (reserved
 * above 31 bits, missing RHO, or an option error). */
int aero_wire_rfc6706_encode(uint8_t *buf, size_t cap,
                             const struct aero_rfc6706_msg *in);

/*
 * Decode an SCMP message (after the SEAL header). Options are read with an
 * AERO link context (ctx supplies only the PIO mode). The checksum (over
 * the SCMP message only, no pseudo-header [P]) is verified when
 * verify_csum. Returns len, or AERO_WIRE_E_TRUNCATED, AERO_WIRE_E_TYPE
 * (not 1..4 or 133..137), AERO_WIRE_E_FIELD (Code not 0 for 133..137),
 * AERO_WIRE_E_CHECKSUM, AERO_WIRE_E_MISSING (SPD/SRD without RHO) or an
 * option error.
 */
int aero_wire_scmp_decode(struct aero_scmp_msg *out, const uint8_t *buf,
                          size_t len, const struct aero_nd_ctx *ctx,
                          bool verify_csum);

/* Encode with the checksum computed. Returns bytes written,
 * AERO_WIRE_E_NOBUF or AERO_WIRE_E_INVAL (bad type, nd.type != type, Code
 * not 0 for 133..137, SPD/SRD without RHO or with bad auth fields, or an
 * option error). */
int aero_wire_scmp_encode(uint8_t *buf, size_t cap,
                          const struct aero_scmp_msg *in);

/* "SRS", "SRA", "SNS", "SNA", "SPD/SRD", "dest-unreachable",
 * "packet-too-big", "time-exceeded", "parameter-problem" or "unknown". */
const char *aero_wire_scmp_type_name(uint8_t type);

#endif
