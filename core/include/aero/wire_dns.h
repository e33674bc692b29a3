/*
 * aero/wire_dns.h -- the DNS messages of the PRL name lookup (VET-40
 * section 6.4.1 / digest 6.1: a Client finds its Servers by resolving
 * "linkupnetworks.<domain>"). RFC 1035 (header, question, resource
 * records, name compression section 4.1.4), A (RFC 1035) and AAAA
 * (RFC 3596) records.
 *
 * Only what a host needs to ask one question and read the answer:
 *  - aero_wire_dns_query_encode: a standard query (RD set) for one name
 *    and type, class IN.
 *  - aero_wire_dns_answer_decode: a response to that query; checks the ID,
 *    QR, the echoed question, and collects the addresses of the A or AAAA
 *    records owned by the name or by the targets of CNAMEs in the answer
 *    section (compression pointers followed with a hop limit).
 *  - aero_wire_dns_answer_encode: a response as a server writes one (the
 *    question, then one record per address, owner compressed to the
 *    question); used by tests, the fuzz target and test servers.
 * IPv4 addresses are stored IPv4-mapped (::ffff:a.b.c.d), like locators.
 * Conventions of wire_common.h (no allocation, no I/O).
 */
#ifndef AERO_WIRE_DNS_H
#define AERO_WIRE_DNS_H

#include "aero/wire_common.h"

#define AERO_DNS_PORT        53
#define AERO_DNS_HDR_LEN     12
#define AERO_DNS_TYPE_A      1
#define AERO_DNS_TYPE_CNAME  5
#define AERO_DNS_TYPE_AAAA   28
#define AERO_DNS_CLASS_IN    1
#define AERO_DNS_NAME_MAX    253 /* text form, no trailing dot */
#define AERO_DNS_MAX_ADDRS   16  /* addresses kept per answer */
#define AERO_DNS_MAX_CNAMES  8   /* CNAME targets followed */
#define AERO_DNS_PTR_HOPS    32  /* compression pointers per name */
#define AERO_DNS_UDP_MAX     512 /* RFC 1035 UDP payload without EDNS */

/* Header flags (second 16-bit word). */
#define AERO_DNS_F_QR 0x8000u
#define AERO_DNS_F_AA 0x0400u
#define AERO_DNS_F_TC 0x0200u
#define AERO_DNS_F_RD 0x0100u
#define AERO_DNS_F_RA 0x0080u
#define AERO_DNS_RCODE_MASK 0x000fu
#define AERO_DNS_RCODE_NXDOMAIN 3

struct aero_dns_answer {
	uint16_t id;
	uint16_t flags;      /* as on the wire (QR, AA, TC, RD, RA, RCODE) */
	uint16_t qtype;
	uint16_t ancount;    /* decode: records in the answer section */
	size_t n_addrs;      /* addresses of qtype owned by the name */
	bool more;           /* decode: more than AERO_DNS_MAX_ADDRS were there */
	uint32_t ttl;        /* decode: smallest TTL of the kept records;
	                        encode: TTL of every record */
	struct aero_in6 addrs[AERO_DNS_MAX_ADDRS];
};

/* A query for name (text, with or without the trailing dot) and qtype
 * (A or AAAA). Returns bytes written, AERO_WIRE_E_INVAL for a name that
 * is empty, has an empty or > 63-byte label or is longer than
 * AERO_DNS_NAME_MAX, AERO_WIRE_E_NOBUF. */
int aero_wire_dns_query_encode(uint8_t *buf, size_t cap, uint16_t id,
                               const char *name, uint16_t qtype);

/* The response to the query (id, name, qtype). Returns len on success
 * (out->n_addrs may be 0: NXDOMAIN or no record, see out->flags), or
 * AERO_WIRE_E_TRUNCATED (a header, name or record runs past len),
 * AERO_WIRE_E_TYPE (not a response, opcode not QUERY), AERO_WIRE_E_FIELD
 * (another ID, question or class), AERO_WIRE_E_BADLEN (a bad label,
 * pointer loop or forward pointer, an A/AAAA of the wrong length),
 * AERO_WIRE_E_INVAL (name not encodable). */
int aero_wire_dns_answer_decode(struct aero_dns_answer *out,
                                const uint8_t *buf, size_t len, uint16_t id,
                                const char *name, uint16_t qtype);

/* A response for name with in->flags (QR forced on), in->qtype and one
 * record per in->addrs[0 .. n_addrs) (A: the low 4 bytes). */
int aero_wire_dns_answer_encode(uint8_t *buf, size_t cap,
                                const struct aero_dns_answer *in,
                                const char *name);

#endif
