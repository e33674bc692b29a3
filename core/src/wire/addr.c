/*
 * AERO/VET address and name helpers (digest section 4).
 *
 * Modified EUI-64 IID of an IPv4 address (RFC 5342 2.2.1, RFC 5214 6.1):
 *    0       1       2       3       4       5       6       7
 *   +-------+-------+-------+-------+-------+-------+-------+-------+
 *   |0000 0u00| 00  |  5e   |  fe   |      IPv4 address (4)         |
 *   +-------+-------+-------+-------+-------+-------+-------+-------+
 *   u = 1 (0x02) for a global IPv4 address, 0 for a local one.
 *
 * Link-local forms under fe80::/64 (bytes 0..7 = fe 80 00 .. 00):
 *   bytes 8..15 = EUI-64 IID above          VET link-local (TV1)
 *   bytes 8..15 = prefix bits 0..63         AERO address   (TV2)
 *   bytes 8..11 = 0, 12..15 = ID != 0       Server/Relay   [P]
 *
 * Names (RFC 5558 5.4.4, 5.5; VET-40 6.4; digest TV10):
 *   n.n.n ... .n.ip6.<PRLNAME>   nibbles least significant first
 */
#include <string.h>

#include "aero/wire_addr.h"
#include "aero/bytes.h"

static const uint8_t ll_prefix[8] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0};

/* a/len (len bits, 1..32) contains v4 */
static bool
in4_net(const struct aero_in4 *v4, uint32_t net, unsigned len)
{
	uint32_t mask = len == 32 ? 0xffffffffu : ~(0xffffffffu >> len);

	return (get32(v4->b) & mask) == net;
}

bool
aero_addr_ipv4_is_global(const struct aero_in4 *v4, enum aero_eui64_rule rule)
{
	/* RFC 1918 private ranges: local under both rules. */
	if (in4_net(v4, 0x0a000000, 8) || in4_net(v4, 0xac100000, 12) ||
	    in4_net(v4, 0xc0a80000, 16))
		return false;
	if (rule == AERO_EUI64_RULE_STRICT)
		return true;
	/* Linux net/ipv6/addrconf.c __ipv6_isatap_ifid (digest 4 table) */
	if (in4_net(v4, 0x00000000, 8) ||    /* 0/8 zeronet */
	    in4_net(v4, 0x7f000000, 8) ||    /* 127/8 loopback */
	    in4_net(v4, 0xa9fe0000, 16) ||   /* 169.254/16 link-local */
	    in4_net(v4, 0xc0000200, 24) ||   /* 192.0.2/24 TEST-NET-1 */
	    in4_net(v4, 0xc0586300, 24) ||   /* 192.88.99/24 6to4 anycast */
	    in4_net(v4, 0xc6120000, 15) ||   /* 198.18/15 benchmarking */
	    in4_net(v4, 0xe0000000, 4) ||    /* 224/4 multicast */
	    in4_net(v4, 0xffffffff, 32))     /* limited broadcast */
		return false;
	return true;
}

int
aero_addr_eui64_iid(uint8_t iid[8], const struct aero_in4 *v4,
                    enum aero_eui64_rule rule)
{
	if (get32(v4->b) == 0)                /* Linux: 0.0.0.0 has no IID */
		return AERO_WIRE_E_INVAL;
	iid[0] = aero_addr_ipv4_is_global(v4, rule) ? 0x02 : 0x00;
	iid[1] = 0x00;                        /* RFC 5342 2.2.1: 00-00-5E-FE */
	iid[2] = 0x5e;
	iid[3] = 0xfe;
	memcpy(iid + 4, v4->b, 4);
	return 0;
}

int
aero_addr_ll_from_ipv4(struct aero_in6 *out, const struct aero_in4 *v4,
                       enum aero_eui64_rule rule)
{
	uint8_t iid[8];
	int rc = aero_addr_eui64_iid(iid, v4, rule);

	if (rc < 0)
		return rc;
	memcpy(out->b, ll_prefix, 8);
	memcpy(out->b + 8, iid, 8);
	return 0;
}

int
aero_addr_ll_to_ipv4(struct aero_in4 *out, const struct aero_in6 *ll)
{
	if (aero_addr_classify(ll) != AERO_ADDR_KIND_EUI64_V4)
		return AERO_WIRE_E_TYPE;
	memcpy(out->b, ll->b + 12, 4);
	return 0;
}

int
aero_addr_aero_from_prefix(struct aero_in6 *out, const struct aero_in6 *prefix,
                           unsigned plen)
{
	struct aero_in6 m, r;

	if (plen > 128)
		return AERO_WIRE_E_INVAL;
	aero_addr_prefix_mask(&m, prefix, plen);
	memcpy(r.b, ll_prefix, 8);
	memcpy(r.b + 8, m.b, 8);             /* bits 64.. are lost (TV2 /80) */
	if (aero_addr_classify(&r) != AERO_ADDR_KIND_AERO)
		return AERO_WIRE_E_INVAL;
	*out = r;
	return 0;
}

void
aero_addr_aero_to_prefix(struct aero_in6 *prefix, const struct aero_in6 *aero)
{
	struct aero_in6 p;

	memcpy(p.b, aero->b + 8, 8);
	memset(p.b + 8, 0, 8);
	*prefix = p;
}

int
aero_addr_server_ll(struct aero_in6 *out, uint32_t id)
{
	if (id == 0)                          /* [P] 0 < ID < 2^32 */
		return AERO_WIRE_E_INVAL;
	memset(out->b, 0, 16);
	memcpy(out->b, ll_prefix, 8);
	put32(out->b + 12, id);
	return 0;
}

enum aero_addr_kind
aero_addr_classify(const struct aero_in6 *a)
{
	static const uint8_t zero[8];

	if (memcmp(a->b, ll_prefix, 8) != 0 || memcmp(a->b + 8, zero, 8) == 0)
		return AERO_ADDR_KIND_OTHER;
	if (memcmp(a->b + 8, zero, 4) == 0)
		return AERO_ADDR_KIND_SERVER;
	if ((a->b[8] == 0x00 || a->b[8] == 0x02) && a->b[9] == 0x00 &&
	    a->b[10] == 0x5e && a->b[11] == 0xfe)
		return AERO_ADDR_KIND_EUI64_V4;
	return AERO_ADDR_KIND_AERO;
}

const char *
aero_addr_kind_name(enum aero_addr_kind k)
{
	switch (k) {
	case AERO_ADDR_KIND_OTHER:    return "other";
	case AERO_ADDR_KIND_EUI64_V4: return "eui64-ipv4";
	case AERO_ADDR_KIND_SERVER:   return "server";
	case AERO_ADDR_KIND_AERO:     return "aero";
	default:                      return "unknown";
	}
}

/* ---- prefixes ------------------------------------------------------------ */

void
aero_addr_prefix_mask(struct aero_in6 *out, const struct aero_in6 *a,
                      unsigned plen)
{
	struct aero_in6 r = *a;
	unsigned full = plen / 8;

	if (full < 16) {
		r.b[full] &= (uint8_t)(0xff << (8 - plen % 8)); /* 0 when plen % 8 == 0 */
		memset(r.b + full + 1, 0, 15 - full);
	}
	*out = r;
}

unsigned
aero_addr_prefix_common_len(const struct aero_in6 *a, const struct aero_in6 *b)
{
	unsigned n = 0;

	for (unsigned i = 0; i < 16; i++) {
		uint8_t x = a->b[i] ^ b->b[i];

		if (x == 0) {
			n += 8;
			continue;
		}
		while (!(x & 0x80)) {
			n++;
			x = (uint8_t)(x << 1);
		}
		break;
	}
	return n;
}

bool
aero_addr_prefix_match(const struct aero_in6 *a, const struct aero_in6 *b,
                       unsigned plen)
{
	if (plen > 128)
		plen = 128;
	return aero_addr_prefix_common_len(a, b) >= plen;
}

bool
aero_addr_prefix_contains(const struct aero_in6 *prefix, unsigned plen,
                          const struct aero_in6 *sub, unsigned sub_len)
{
	return sub_len >= plen && aero_addr_prefix_match(prefix, sub, plen);
}

/* ---- names --------------------------------------------------------------- */

/*
 * Write [wild "*."] + the first nnib nibbles of bytes reversed, each
 * followed by '.', then tag ("ip6." / "ip4.") and prlname.
 */
static int
name_nibbles(char *buf, size_t cap, const uint8_t *bytes, unsigned nnib,
             bool wild, const char *tag, const char *prlname)
{
	static const char hex[] = "0123456789abcdef";
	size_t plen = strlen(prlname), tlen = strlen(tag);
	size_t need = (wild ? 2 : 0) + 2 * (size_t)nnib + tlen + plen;
	size_t o = 0;

	if (cap < need + 1)
		return AERO_WIRE_E_NOBUF;
	if (wild) {
		buf[o++] = '*';
		buf[o++] = '.';
	}
	for (unsigned i = nnib; i-- > 0;) {
		uint8_t byte = bytes[i / 2];

		buf[o++] = hex[(i & 1) ? (byte & 0x0f) : (byte >> 4)];
		buf[o++] = '.';
	}
	memcpy(buf + o, tag, tlen);
	o += tlen;
	memcpy(buf + o, prlname, plen);
	o += plen;
	buf[o] = '\0';
	return (int)o;
}

int
aero_addr_name_rfc5558(char *buf, size_t cap, const struct aero_in6 *a,
                       const char *prlname)
{
	/* RFC 5558 5.4.4: the /56 prefix, i.e. 14 nibbles */
	return name_nibbles(buf, cap, a->b, 14, false, "ip6.", prlname);
}

int
aero_addr_name_full(char *buf, size_t cap, const struct aero_in6 *a,
                    const char *prlname)
{
	return name_nibbles(buf, cap, a->b, 32, false, "ip6.", prlname);
}

int
aero_addr_name_wildcard(char *buf, size_t cap, const struct aero_in6 *prefix,
                        unsigned plen, const char *prlname)
{
	if (plen > 128 || plen % 4 != 0)      /* RFC 4592: nibble boundary */
		return AERO_WIRE_E_INVAL;
	return name_nibbles(buf, cap, prefix->b, plen / 4, true, "ip6.",
	                    prlname);
}

int
aero_addr_name_ipv4(char *buf, size_t cap, const struct aero_in4 *prefix,
                    unsigned plen, const char *prlname)
{
	if (plen == 0 || plen > 32 || plen % 4 != 0)  /* RFC 5558 5.5 */
		return AERO_WIRE_E_INVAL;
	return name_nibbles(buf, cap, prefix->b, plen / 4, false, "ip4.",
	                    prlname);
}
