/*
 * emu/aerod/offload.c -- TUN offloads in user space: TCP/IPv6 segmentation
 * of GSO super-packets read from the TUN, checksum completion, and GRO
 * (coalescing) for TUN writes. See offload.h. The vnet header is in host
 * byte order (a legacy TUN without TUNSETVNETLE/BE).
 */
#include <linux/virtio_net.h>
#include <string.h>

#include "aero/bytes.h"
#include "offload.h"

#define IP6_HLEN 40
#define NH_TCP 6
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80
#define TCP_CSUM_OFF 16

struct vnet {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

static void
vnet_get(struct vnet *v, const uint8_t *p)
{
	v->flags = p[0];
	v->gso_type = p[1];
	memcpy(&v->hdr_len, p + 2, 2);
	memcpy(&v->gso_size, p + 4, 2);
	memcpy(&v->csum_start, p + 6, 2);
	memcpy(&v->csum_offset, p + 8, 2);
}

static void
vnet_put(uint8_t *p, const struct vnet *v)
{
	p[0] = v->flags;
	p[1] = v->gso_type;
	memcpy(p + 2, &v->hdr_len, 2);
	memcpy(p + 4, &v->gso_size, 2);
	memcpy(p + 6, &v->csum_start, 2);
	memcpy(p + 8, &v->csum_offset, 2);
}

bool
offload_vnet_shift(uint8_t *hdr, int delta)
{
	struct vnet v;
	vnet_get(&v, hdr);
	if (v.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if ((int)v.csum_start + delta < 0 || (int)v.csum_start + delta > 65535)
			return false;
		v.csum_start = (uint16_t)(v.csum_start + delta);
	}
	if ((v.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE || v.hdr_len) {
		if ((int)v.hdr_len + delta < 0 || (int)v.hdr_len + delta > 65535)
			return false;
		v.hdr_len = (uint16_t)(v.hdr_len + delta);
	}
	vnet_put(hdr, &v);
	return true;
}

/* Native 64-bit loads, end-around carry: the 16-bit ones-complement sum
 * in native byte order (2^16 = 1 mod 2^16 - 1, so any word width works). */
static inline uint64_t
add_carry(uint64_t a, uint64_t b)
{
	a += b;
	return a + (a < b);
}

uint64_t
offload_csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t x0, x1, x2, x3, s0 = sum, s1 = 0;
	while (len >= 32) {
		memcpy(&x0, p, 8);
		memcpy(&x1, p + 8, 8);
		memcpy(&x2, p + 16, 8);
		memcpy(&x3, p + 24, 8);
		s0 = add_carry(s0, x0);
		s1 = add_carry(s1, x1);
		s0 = add_carry(s0, x2);
		s1 = add_carry(s1, x3);
		p += 32;
		len -= 32;
	}
	s0 = add_carry(s0, s1);
	while (len >= 8) {
		memcpy(&x0, p, 8);
		s0 = add_carry(s0, x0);
		p += 8;
		len -= 8;
	}
	uint8_t t[8] = {0};
	if (len) {
		memcpy(t, p, len); /* zero padded: an odd last byte is a high byte */
		memcpy(&x0, t, 8);
		s0 = add_carry(s0, x0);
	}
	/* 64 -> 33 bits: the caller folds further */
	return (s0 & 0xffffffffu) + (s0 >> 32);
}

uint16_t
offload_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint64_t
pseudo6(const uint8_t *ip6, size_t len, uint8_t nh)
{
	uint8_t ph[8];
	put32(ph, (uint32_t)len);
	ph[4] = ph[5] = ph[6] = 0;
	ph[7] = nh;
	return offload_csum_add(offload_csum_add(0, ip6 + 8, 32), ph, sizeof ph);
}

uint16_t
offload_l4_csum6(const uint8_t *ip6, const uint8_t *l4, size_t len, uint8_t nh)
{
	return (uint16_t)~offload_csum_fold(offload_csum_add(pseudo6(ip6, len, nh), l4, len));
}

/* ---- TUN read: segmentation ------------------------------------------------ */

static int
bad(struct offload_stats *st)
{
	st->bad++;
	return -1;
}

int
offload_segment(uint8_t *buf, size_t len, unsigned mtu, offload_pkt_fn fn,
                void *user, struct offload_stats *st)
{
	if (len < OFFLOAD_VNET_HDR_LEN)
		return bad(st);
	struct vnet v;
	vnet_get(&v, buf);
	uint8_t *pkt = buf + OFFLOAD_VNET_HDR_LEN;
	size_t plen = len - OFFLOAD_VNET_HDR_LEN;
	uint8_t gso = v.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	if (gso == VIRTIO_NET_HDR_GSO_NONE) {
		if (v.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			/* the field holds the pseudo-header sum: add the rest */
			size_t at = (size_t)v.csum_start + v.csum_offset;
			if (plen == 0 || v.csum_start >= plen || at + 2 > plen)
				return bad(st);
			uint16_t c = (uint16_t)~offload_csum_fold(
				offload_csum_add(0, pkt + v.csum_start, plen - v.csum_start));
			memcpy(pkt + at, &c, 2);
			st->csum_done++;
		}
		if (plen == 0)
			return bad(st);
		fn(user, pkt, plen);
		return 1;
	}
	/* the AERO interface carries IPv6: only TSO6 is offered */
	if (gso != VIRTIO_NET_HDR_GSO_TCPV6 || v.gso_size == 0)
		return bad(st);
	if (plen < IP6_HLEN + 20 || (pkt[0] >> 4) != 6 || pkt[6] != NH_TCP)
		return bad(st);
	if ((v.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (v.csum_start != IP6_HLEN || v.csum_offset != TCP_CSUM_OFF))
		return bad(st);
	uint8_t *th = pkt + IP6_HLEN;
	unsigned doff = (unsigned)(th[12] >> 4) * 4;
	unsigned hlen = IP6_HLEN + doff;
	if (doff < 20 || hlen > plen)
		return bad(st);
	size_t mss = v.gso_size;
	if (mtu && hlen + mss > mtu) {
		if (mtu <= hlen)
			return bad(st);
		mss = mtu - hlen;
	}
	size_t payload = plen - hlen;
	size_t n = payload ? (payload + mss - 1) / mss : 1;
	uint8_t hdr[IP6_HLEN + 60];
	memcpy(hdr, pkt, hlen);
	uint32_t seq0 = get32(th + 4);
	uint8_t flags0 = th[13];
	for (size_t i = 0; i < n; i++) {
		size_t seglen = payload - i * mss < mss ? payload - i * mss : mss;
		/* in place: the header goes just before the segment's payload,
		 * over bytes the previous segment no longer needs */
		uint8_t *s = pkt + i * mss;
		if (i)
			memcpy(s, hdr, hlen);
		uint8_t *t = s + IP6_HLEN;
		put16(s + 4, (unsigned)(doff + seglen));
		put32(t + 4, seq0 + (uint32_t)(i * mss));
		uint8_t f = flags0;
		if (i + 1 < n)
			f &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (i)
			f &= (uint8_t)~TCP_CWR;
		t[13] = f;
		t[16] = t[17] = 0;
		uint16_t c = offload_l4_csum6(s, t, doff + seglen, NH_TCP);
		memcpy(t + TCP_CSUM_OFF, &c, 2);
		fn(user, s, hlen + seglen);
	}
	st->gso_rx++;
	st->seg_out += n;
	return (int)n;
}

/* ---- TUN write: GRO ----------------------------------------------------------- */

void
offload_gro_init(struct offload_gro *g, offload_write_fn write, void *user,
                 struct offload_stats *st)
{
	g->write = write;
	g->user = user;
	g->st = st;
	g->len = 0;
	g->nseg = 0;
	g->closed = false;
}

static const uint8_t zero_vnet[OFFLOAD_VNET_HDR_LEN];

static void
write_alone(struct offload_gro *g, const uint8_t *pkt, size_t len)
{
	struct iovec iov[2] = {{(void *)zero_vnet, OFFLOAD_VNET_HDR_LEN}, {(void *)pkt, len}};
	g->write(g->user, iov, 2);
}

/* A TCP/IPv6 data segment with no extension header and ACK (+ PSH) only:
 * *hlen = IPv6 + TCP header, *pay = payload bytes (> 0). */
static bool
tcp6_data(const uint8_t *p, size_t len, unsigned *hlen, size_t *pay)
{
	if (len < IP6_HLEN + 20 || (p[0] >> 4) != 6 || p[6] != NH_TCP ||
	    IP6_HLEN + (size_t)get16(p + 4) != len)
		return false;
	unsigned doff = (unsigned)(p[IP6_HLEN + 12] >> 4) * 4;
	uint8_t f = p[IP6_HLEN + 13];
	if (doff < 20 || IP6_HLEN + doff >= len || (f & (uint8_t)~(TCP_ACK | TCP_PSH)) ||
	    !(f & TCP_ACK))
		return false;
	*hlen = IP6_HLEN + doff;
	*pay = len - *hlen;
	return true;
}

static bool
csum_ok(const uint8_t *p, size_t len)
{
	return offload_l4_csum6(p, p + IP6_HLEN, len - IP6_HLEN, NH_TCP) == 0;
}

void
offload_gro_flush(struct offload_gro *g)
{
	if (!g->len)
		return;
	if (g->nseg == 1) {
		write_alone(g, g->first, g->len);
	} else {
		uint8_t *q = g->hdr + OFFLOAD_VNET_HDR_LEN;
		size_t tl = g->len - IP6_HLEN;
		put16(q + 4, (unsigned)tl);
		/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum */
		uint16_t seed = offload_csum_fold(pseudo6(q, tl, NH_TCP));
		memcpy(q + IP6_HLEN + TCP_CSUM_OFF, &seed, 2);
		struct vnet v = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		                 .gso_type = VIRTIO_NET_HDR_GSO_TCPV6,
		                 .hdr_len = (uint16_t)g->hlen, .gso_size = (uint16_t)g->mss,
		                 .csum_start = IP6_HLEN, .csum_offset = TCP_CSUM_OFF};
		vnet_put(g->hdr, &v);
		g->iov[0] = (struct iovec){g->hdr, OFFLOAD_VNET_HDR_LEN + g->hlen};
		g->write(g->user, g->iov, (int)g->nseg + 1);
		g->st->gro_out++;
		g->st->gro_in += g->nseg;
	}
	g->len = 0;
	g->nseg = 0;
	g->closed = false;
}

/* can p (hlen, pay) follow the pending packet? */
static bool
gro_match(const struct offload_gro *g, const uint8_t *p, unsigned hlen, size_t pay)
{
	const uint8_t *q = g->hdr + OFFLOAD_VNET_HDR_LEN;
	const uint8_t *qt = q + IP6_HLEN, *pt = p + IP6_HLEN;
	return !g->closed && hlen == g->hlen && pay <= g->mss &&
	       g->len - IP6_HLEN + pay <= 65535 &&
	       !memcmp(q, p, 4) && q[7] == p[7] &&         /* tclass, flow, hop limit */
	       !memcmp(q + 8, p + 8, 32) &&                /* addresses */
	       !memcmp(qt, pt, 4) &&                       /* ports */
	       get32(pt + 4) == g->next_seq &&
	       !memcmp(qt + 8, pt + 8, 5) &&               /* ack, data offset */
	       (pt[13] & (uint8_t)~TCP_PSH) == qt[13] &&
	       !memcmp(qt + 14, pt + 14, 2) &&             /* window */
	       !memcmp(qt + 18, pt + 18, hlen - IP6_HLEN - 18); /* urg, options */
}

void
offload_gro_add(struct offload_gro *g, const uint8_t *pkt, size_t len)
{
	unsigned hlen;
	size_t pay;
	if (!tcp6_data(pkt, len, &hlen, &pay)) {
		offload_gro_flush(g);
		write_alone(g, pkt, len);
		return;
	}
	bool ok = csum_ok(pkt, len);
	if (!ok)
		g->st->gro_bad_csum++;
	uint8_t f = pkt[IP6_HLEN + 13];
	if (g->len && ok && gro_match(g, pkt, hlen, pay)) {
		g->iov[++g->nseg] = (struct iovec){(void *)(pkt + hlen), pay};
		g->len += pay;
		g->next_seq += (uint32_t)pay;
		if (f & TCP_PSH) {
			g->hdr[OFFLOAD_VNET_HDR_LEN + IP6_HLEN + 13] |= TCP_PSH;
			g->closed = true;
		}
		if (pay < g->mss || g->nseg == OFFLOAD_GRO_MAX_SEGS)
			g->closed = true;
		if (g->closed)
			offload_gro_flush(g);
		return;
	}
	offload_gro_flush(g);
	if (!ok || (f & TCP_PSH)) {
		/* written alone: the kernel checks (and drops) a bad one */
		write_alone(g, pkt, len);
		return;
	}
	memcpy(g->hdr + OFFLOAD_VNET_HDR_LEN, pkt, hlen);
	g->first = pkt;
	g->iov[1] = (struct iovec){(void *)(pkt + hlen), pay};
	g->len = len;
	g->nseg = 1;
	g->mss = (unsigned)pay;
	g->hlen = hlen;
	g->next_seq = get32(pkt + IP6_HLEN + 4) + (uint32_t)pay;
	g->closed = false;
}
