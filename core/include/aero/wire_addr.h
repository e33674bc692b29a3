/*
 * aero/wire_addr.h -- AERO/VET address and name helpers (digest section 4).
 *
 *   modified EUI-64 IID from IPv4 (RFC 5342 2.2.1, RFC 5214 6.1):
 *     | 0x02 or 0x00 | 00 | 5e | fe | IPv4 address (4) |
 *   VET link-local:     fe80::/64 | IID                 (VET-40 5.2.1)
 *   AERO address:       fe80::/64 | prefix bits 0..63   ([R], digest TV2)
 *   Server/Relay LL:    fe80::ID, 0 < ID < 2^32         ([P])
 *   names:              <reversed nibbles>.ip6.<PRLNAME> (RFC 5558 5.4.4),
 *                       <reversed nibbles>.ip4.<PRLNAME> (RFC 5558 5.5)
 *
 * Pure functions; names are written into caller buffers, NUL-terminated.
 */
#ifndef AERO_WIRE_ADDR_H
#define AERO_WIRE_ADDR_H

#include "aero/wire_common.h"

/* PRLNAME default hostnames (digest 4, 8 item 10): VET-40 [S] / RFC 5558 [V].
 * P1 default PRLNAME = AERO_ADDR_PRL_HOSTNAME "." <domainname>. */
#define AERO_ADDR_PRL_HOSTNAME         "linkupnetworks"
#define AERO_ADDR_PRL_HOSTNAME_RFC5558 "isatap"

/* A buffer of this size holds any name built here with a PRLNAME of at
 * most 253 bytes (64 nibble characters + 4 for "ip6." + 2 for "*."). */
#define AERO_ADDR_NAME_MAX 324

/* Rule for the modified-EUI-64 "global" (u) bit of an IPv4-derived IID. */
enum aero_eui64_rule {
	/* u = 1 unless the address is RFC 1918 private (10/8, 172.16/12,
	 * 192.168/16): the literal reading of RFC 5342 2.2.1. */
	AERO_EUI64_RULE_STRICT = 0,
	/* u = 0 for the list of Linux __ipv6_isatap_ifid (digest 4 table):
	 * 0/8, 10/8, 127/8, 169.254/16, 172.16/12, 192.0.2/24, 192.88.99/24,
	 * 192.168/16, 198.18/15, 224/4, 255.255.255.255. */
	AERO_EUI64_RULE_LINUX = 1,
};
/* [P] digest 8 item 9: the Linux list, for interoperability. */
#define AERO_EUI64_RULE_DEFAULT AERO_EUI64_RULE_LINUX

/* True when v4 counts as "global" (u bit 1) under rule. */
bool aero_addr_ipv4_is_global(const struct aero_in4 *v4,
                              enum aero_eui64_rule rule);

/*
 * Modified EUI-64 interface identifier of an IPv4 address (RFC 5342 2.2.1).
 * Returns 0, or AERO_WIRE_E_INVAL for 0.0.0.0.
 */
int aero_addr_eui64_iid(uint8_t iid[8], const struct aero_in4 *v4,
                        enum aero_eui64_rule rule);

/*
 * fe80::/64 + modified EUI-64 IID of v4 (VET-40 5.2.1; digest TV1).
 * Returns 0, or AERO_WIRE_E_INVAL for 0.0.0.0.
 */
int aero_addr_ll_from_ipv4(struct aero_in6 *out, const struct aero_in4 *v4,
                           enum aero_eui64_rule rule);

/*
 * The IPv4 address inside a link-local with a modified EUI-64 IID of the
 * 00-00-5E-FE form (either u bit). Returns 0, or AERO_WIRE_E_TYPE when ll
 * is not such an address.
 */
int aero_addr_ll_to_ipv4(struct aero_in4 *out, const struct aero_in6 *ll);

/*
 * AERO address of a delegated prefix: fe80::/64 || the first 64 bits of the
 * prefix, bits beyond plen zeroed (digest 4, TV2). Returns 0, or
 * AERO_WIRE_E_INVAL for plen > 128 or when the result would not classify
 * as AERO_ADDR_KIND_AERO (IID zero, < 2^32 or of the 00-00-5E-FE form:
 * such prefixes, all outside 2000::/3, cannot have an AERO address).
 */
int aero_addr_aero_from_prefix(struct aero_in6 *out,
                               const struct aero_in6 *prefix, unsigned plen);

/* The /64 prefix an AERO address stands for (IID moved to the top). */
void aero_addr_aero_to_prefix(struct aero_in6 *prefix,
                              const struct aero_in6 *aero);

/*
 * Server/Relay link-local fe80::ID [P digest 4]. Returns 0, or
 * AERO_WIRE_E_INVAL for id 0.
 */
int aero_addr_server_ll(struct aero_in6 *out, uint32_t id);

/* What kind of fe80::/64 address a is (see aero_addr_classify). */
enum aero_addr_kind {
	AERO_ADDR_KIND_OTHER = 0,  /* not fe80::/64, or IID all zero */
	AERO_ADDR_KIND_EUI64_V4,   /* fe80::[02]00:5efe:a.b.c.d (VET/ISATAP) */
	AERO_ADDR_KIND_SERVER,     /* fe80::ID, 0 < ID < 2^32 */
	AERO_ADDR_KIND_AERO,       /* fe80::<upper 64 bits of a prefix> */
	AERO_ADDR_KIND_COUNT
};

/*
 * Tell the link-local kinds apart: fe80::/64 with IID 0 -> OTHER; IID
 * 0000:0000:xxxx:xxxx -> SERVER; IID 0[0|2]00:5efe:xxxx:xxxx -> EUI64_V4;
 * any other IID -> AERO (prefixes from 2000::/3 never collide with the
 * first two [P digest 2 item 5]). Non-fe80::/64 -> OTHER.
 */
enum aero_addr_kind aero_addr_classify(const struct aero_in6 *a);
const char *aero_addr_kind_name(enum aero_addr_kind k);

/* ---- prefixes ------------------------------------------------------------ */

/* out = a with the bits beyond plen cleared (plen > 128 treated as 128). */
void aero_addr_prefix_mask(struct aero_in6 *out, const struct aero_in6 *a,
                           unsigned plen);
/* True when a and b agree on the first plen bits (plen > 128 -> 128). */
bool aero_addr_prefix_match(const struct aero_in6 *a, const struct aero_in6 *b,
                            unsigned plen);
/* True when prefix/plen contains the prefix (or address, sub_len 128)
 * sub/sub_len, i.e. sub_len >= plen and they match on plen bits. */
bool aero_addr_prefix_contains(const struct aero_in6 *prefix, unsigned plen,
                               const struct aero_in6 *sub, unsigned sub_len);
/* Length of the longest common prefix of a and b (0..128). */
unsigned aero_addr_prefix_common_len(const struct aero_in6 *a,
                                     const struct aero_in6 *b);

/* ---- name-service labels (RFC 5558 5.4.4/5.5, VET-40 6.4, TV10) --------- */

/*
 * RFC 5558 5.4.4 next-hop name: the 14 nibbles of the /56 of a, reversed,
 * + ".ip6." + prlname, e.g. 0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.isatap.example.com.
 * All name functions return the name length (without the NUL), or
 *   AERO_WIRE_E_NOBUF  cap < length + 1 (nothing useful is written)
 *   AERO_WIRE_E_INVAL  bad prefix length (see each function)
 */
int aero_addr_name_rfc5558(char *buf, size_t cap, const struct aero_in6 *a,
                           const char *prlname);

/* VET-40 6.4 full-address name: all 32 nibbles reversed + ".ip6." + prlname
 * (digest 8 item 11: query this first, then the /56 name). */
int aero_addr_name_full(char *buf, size_t cap, const struct aero_in6 *a,
                        const char *prlname);

/* Covering wildcard record (RFC 4592) for prefix/plen: "*." + plen/4
 * nibbles reversed + ".ip6." + prlname. INVAL unless plen % 4 == 0 and
 * plen <= 128 (plen 0 gives "*.ip6.<prlname>"). */
int aero_addr_name_wildcard(char *buf, size_t cap, const struct aero_in6 *prefix,
                            unsigned plen, const char *prlname);

/* RFC 5558 5.5 IPv4 prefix name: plen/4 nibbles reversed + ".ip4." +
 * prlname, e.g. 192.0.2/24 -> 2.0.0.0.0.c.ip4.isatap.example.com. INVAL
 * unless plen % 4 == 0 and 0 < plen <= 32. */
int aero_addr_name_ipv4(char *buf, size_t cap, const struct aero_in4 *prefix,
                        unsigned plen, const char *prlname);

#endif
