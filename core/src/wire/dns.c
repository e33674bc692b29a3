/*
 * core/src/wire/dns.c -- DNS query / response for the PRL name lookup
 * (see aero/wire_dns.h). Names are compared in uncompressed wire form,
 * ASCII case-insensitively (RFC 4343), so a label holding a '.' can never
 * pass for two labels.
 */
#include "aero/wire_dns.h"

#include <string.h>

#include "aero/bytes.h"

#define WIRE_NAME_MAX 255 /* RFC 1035 section 2.3.4, wire form */

/* Text name -> wire form (lower case). Returns its length or
 * AERO_WIRE_E_INVAL. */
static int
name_to_wire(uint8_t out[WIRE_NAME_MAX], const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > AERO_DNS_NAME_MAX)
		return AERO_WIRE_E_INVAL;
	size_t o = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && name[i] != '.')
			continue;
		size_t l = i - start;
		if (l == 0 || l > 63 || o + 1 + l + 1 > WIRE_NAME_MAX)
			return AERO_WIRE_E_INVAL;
		out[o++] = (uint8_t)l;
		for (size_t k = start; k < i; k++) {
			uint8_t ch = (uint8_t)name[k];
			out[o++] = (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch + 32) : ch;
		}
		start = i + 1;
	}
	out[o++] = 0;
	return (int)o;
}

/*
 * Read the (possibly compressed) name at *off into wire form (lower
 * case); *off moves past the name as it sits at its place. limit bounds
 * the in-place part (the end of an RDATA or of the message). Returns the
 * wire length or a negative AERO_WIRE_E_*.
 */
static int
read_name(uint8_t out[WIRE_NAME_MAX], const uint8_t *buf, size_t len,
          size_t *off, size_t limit)
{
	size_t p = *off, o = 0, end = 0;
	unsigned hops = 0;
	bool jumped = false;
	for (;;) {
		if (p >= (jumped ? len : limit))
			return AERO_WIRE_E_TRUNCATED;
		uint8_t l = buf[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= (jumped ? len : limit))
				return AERO_WIRE_E_TRUNCATED;
			size_t to = (size_t)get16(buf + p) & 0x3fffu;
			/* only backwards: a pointer to itself or later is a loop */
			if (to >= p || ++hops > AERO_DNS_PTR_HOPS)
				return AERO_WIRE_E_BADLEN;
			if (!jumped)
				end = p + 2;
			jumped = true;
			p = to;
			continue;
		}
		if (l & 0xc0) /* 0x40 / 0x80: extended label types (RFC 6891) */
			return AERO_WIRE_E_BADLEN;
		if (o + 1 + l > WIRE_NAME_MAX)
			return AERO_WIRE_E_BADLEN;
		if (p + 1 + l > (jumped ? len : limit))
			return AERO_WIRE_E_TRUNCATED;
		out[o++] = l;
		if (l == 0) {
			*off = jumped ? end : p + 1;
			return (int)o;
		}
		for (size_t k = 0; k < l; k++) {
			uint8_t ch = buf[p + 1 + k];
			out[o++] = (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch + 32) : ch;
		}
		p += 1u + l;
	}
}

static void
put_header(uint8_t *buf, uint16_t id, uint16_t flags, uint16_t an)
{
	put16(buf, id);
	put16(buf + 2, flags);
	put16(buf + 4, 1);
	put16(buf + 6, an);
	put16(buf + 8, 0);
	put16(buf + 10, 0);
}

static bool
addr_type_ok(uint16_t qtype)
{
	return qtype == AERO_DNS_TYPE_A || qtype == AERO_DNS_TYPE_AAAA;
}

int
aero_wire_dns_query_encode(uint8_t *buf, size_t cap, uint16_t id,
                           const char *name, uint16_t qtype)
{
	uint8_t w[WIRE_NAME_MAX];
	int wl = name_to_wire(w, name);
	if (wl < 0 || !addr_type_ok(qtype))
		return AERO_WIRE_E_INVAL;
	size_t need = AERO_DNS_HDR_LEN + (size_t)wl + 4;
	if (cap < need)
		return AERO_WIRE_E_NOBUF;
	put_header(buf, id, AERO_DNS_F_RD, 0);
	memcpy(buf + AERO_DNS_HDR_LEN, w, (size_t)wl);
	put16(buf + AERO_DNS_HDR_LEN + wl, qtype);
	put16(buf + AERO_DNS_HDR_LEN + wl + 2, AERO_DNS_CLASS_IN);
	return (int)need;
}

int
aero_wire_dns_answer_encode(uint8_t *buf, size_t cap,
                            const struct aero_dns_answer *in, const char *name)
{
	uint8_t w[WIRE_NAME_MAX];
	int wl = name_to_wire(w, name);
	if (wl < 0 || !addr_type_ok(in->qtype) || in->n_addrs > AERO_DNS_MAX_ADDRS)
		return AERO_WIRE_E_INVAL;
	size_t alen = in->qtype == AERO_DNS_TYPE_A ? 4 : 16;
	size_t need = AERO_DNS_HDR_LEN + (size_t)wl + 4 + in->n_addrs * (12 + alen);
	if (cap < need)
		return AERO_WIRE_E_NOBUF;
	put_header(buf, in->id, (uint16_t)(in->flags | AERO_DNS_F_QR),
	           (uint16_t)in->n_addrs);
	size_t o = AERO_DNS_HDR_LEN;
	memcpy(buf + o, w, (size_t)wl);
	o += (size_t)wl;
	put16(buf + o, in->qtype);
	put16(buf + o + 2, AERO_DNS_CLASS_IN);
	o += 4;
	for (size_t i = 0; i < in->n_addrs; i++) {
		put16(buf + o, 0xc000u | AERO_DNS_HDR_LEN); /* owner = the question */
		put16(buf + o + 2, in->qtype);
		put16(buf + o + 4, AERO_DNS_CLASS_IN);
		put32(buf + o + 6, in->ttl);
		put16(buf + o + 10, (uint16_t)alen);
		memcpy(buf + o + 12, in->addrs[i].b + 16 - alen, alen);
		o += 12 + alen;
	}
	return (int)o;
}

int
aero_wire_dns_answer_decode(struct aero_dns_answer *out, const uint8_t *buf,
                            size_t len, uint16_t id, const char *name,
                            uint16_t qtype)
{
	uint8_t want[WIRE_NAME_MAX], got[WIRE_NAME_MAX];
	uint8_t owners[1 + AERO_DNS_MAX_CNAMES][WIRE_NAME_MAX];
	int owner_len[1 + AERO_DNS_MAX_CNAMES];
	size_t n_owners = 1;

	memset(out, 0, sizeof *out);
	int wl = name_to_wire(want, name);
	if (wl < 0 || !addr_type_ok(qtype))
		return AERO_WIRE_E_INVAL;
	if (len < AERO_DNS_HDR_LEN)
		return AERO_WIRE_E_TRUNCATED;
	out->id = get16(buf);
	out->flags = get16(buf + 2);
	out->qtype = qtype;
	out->ancount = get16(buf + 6);
	if (!(out->flags & AERO_DNS_F_QR) || ((out->flags >> 11) & 0xf) != 0)
		return AERO_WIRE_E_TYPE;
	if (out->id != id || get16(buf + 4) != 1)
		return AERO_WIRE_E_FIELD;

	size_t off = AERO_DNS_HDR_LEN;
	int gl = read_name(got, buf, len, &off, len);
	if (gl < 0)
		return gl;
	if (off + 4 > len)
		return AERO_WIRE_E_TRUNCATED;
	if (gl != wl || memcmp(got, want, (size_t)wl) != 0 ||
	    get16(buf + off) != qtype || get16(buf + off + 2) != AERO_DNS_CLASS_IN)
		return AERO_WIRE_E_FIELD;
	off += 4;
	memcpy(owners[0], want, (size_t)wl);
	owner_len[0] = wl;

	out->ttl = UINT32_MAX;
	for (unsigned i = 0; i < out->ancount; i++) {
		int ol = read_name(got, buf, len, &off, len);
		if (ol < 0)
			return ol;
		if (off + 10 > len)
			return AERO_WIRE_E_TRUNCATED;
		uint16_t type = get16(buf + off), cls = get16(buf + off + 2);
		uint32_t ttl = get32(buf + off + 4);
		size_t rdlen = get16(buf + off + 8);
		off += 10;
		if (off + rdlen > len)
			return AERO_WIRE_E_TRUNCATED;
		size_t rd = off;
		off += rdlen;
		bool mine = false;
		for (size_t k = 0; k < n_owners && !mine; k++)
			mine = owner_len[k] == ol && memcmp(owners[k], got, (size_t)ol) == 0;
		if (!mine || cls != AERO_DNS_CLASS_IN)
			continue;
		if (type == AERO_DNS_TYPE_CNAME) {
			size_t p = rd;
			int tl = read_name(got, buf, len, &p, rd + rdlen);
			if (tl < 0)
				return tl;
			if (p != rd + rdlen)
				return AERO_WIRE_E_BADLEN;
			if (n_owners <= AERO_DNS_MAX_CNAMES) {
				memcpy(owners[n_owners], got, (size_t)tl);
				owner_len[n_owners++] = tl;
			}
			continue;
		}
		if (type != qtype)
			continue;
		size_t alen = qtype == AERO_DNS_TYPE_A ? 4 : 16;
		if (rdlen != alen)
			return AERO_WIRE_E_BADLEN;
		if (out->n_addrs == AERO_DNS_MAX_ADDRS) {
			out->more = true;
			continue;
		}
		struct aero_in6 *a = &out->addrs[out->n_addrs++];
		memset(a, 0, sizeof *a);
		if (alen == 4) {
			a->b[10] = a->b[11] = 0xff;
			memcpy(a->b + 12, buf + rd, 4);
		} else {
			memcpy(a->b, buf + rd, 16);
		}
		if (ttl < out->ttl)
			out->ttl = ttl;
	}
	if (out->n_addrs == 0)
		out->ttl = 0;
	/* authority and additional sections are not needed */
	return (int)len;
}
