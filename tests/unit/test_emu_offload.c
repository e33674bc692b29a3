/* aerod's user-space TUN offloads (emu/aerod/offload.c): TCP/IPv6
 * segmentation of GSO super-packets, checksum completion, GRO for TUN
 * writes, and bad vnet headers failing cleanly with a counter. Checked
 * against a byte-by-byte RFC 1071 reference, not against offload.c's own
 * checksum code. */
#include "testutil.h"

/* offload.c has no GLib and no aerod state: compiled into the test */
#include "../../emu/aerod/offload.c"

#include <arpa/inet.h>

/* ---- reference -------------------------------------------------------------- */

static uint16_t
ref_csum6(const uint8_t *ip6, const uint8_t *l4, size_t len, uint8_t nh)
{
	uint32_t s = 0;
	for (int i = 0; i < 32; i += 2)
		s += (uint32_t)(ip6[8 + i] << 8 | ip6[9 + i]);
	s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + nh;
	for (size_t i = 0; i < len; i += 2)
		s += (uint32_t)(l4[i] << 8 | (i + 1 < len ? l4[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s; /* host order */
}

static bool
ref_valid6(const uint8_t *ip6, size_t len)
{
	return ref_csum6(ip6, ip6 + 40, len - 40, ip6[6]) == 0;
}

/* vnet header (host order) + IPv6 + TCP (doff 32: timestamps) + payload */
static size_t
mk_super(uint8_t *buf, size_t payload, uint16_t gso_size, uint8_t gso_type,
         uint8_t flags, uint32_t seq)
{
	struct vnet v = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = gso_type,
	                 .hdr_len = 40 + 32, .gso_size = gso_size, .csum_start = 40,
	                 .csum_offset = 16};
	vnet_put(buf, &v);
	uint8_t *p = buf + OFFLOAD_VNET_HDR_LEN;
	memset(p, 0, 72);
	p[0] = 0x60 | 0x2; /* tclass 0x2x */
	p[1] = 0x01;
	p[2] = 0x23;
	p[3] = 0x45;
	put16(p + 4, (unsigned)(32 + payload)); /* what the kernel leaves there */
	p[6] = 6;
	p[7] = 64;
	struct in6_addr a, b;
	inet_pton(AF_INET6, "2001:db8:1000:100::1", &a);
	inet_pton(AF_INET6, "2001:db8:1000:200::1", &b);
	memcpy(p + 8, &a, 16);
	memcpy(p + 24, &b, 16);
	uint8_t *t = p + 40;
	put16(t, 40000);
	put16(t + 2, 5201);
	put32(t + 4, seq);
	put32(t + 8, 0x11223344);
	t[12] = 8 << 4;
	t[13] = flags;
	put16(t + 14, 512);
	/* options: NOP NOP TS */
	t[20] = 1;
	t[21] = 1;
	t[22] = 8;
	t[23] = 10;
	put32(t + 24, 0xa1a2a3a4);
	put32(t + 28, 0xb1b2b3b4);
	/* the pseudo-header seed a CHECKSUM_PARTIAL packet carries (length 0
	 * for GSO, as tcp_v6_gso_csum_prep does): offload.c must not use it */
	put16(t + 16, 0xdead);
	for (size_t i = 0; i < payload; i++)
		p[72 + i] = (uint8_t)(i * 7 + 3);
	return OFFLOAD_VNET_HDR_LEN + 72 + payload;
}

struct seglist {
	unsigned n;
	size_t len[256];
	uint8_t *pkt[256];
};

static void
collect(void *user, uint8_t *pkt, size_t len)
{
	struct seglist *l = user;
	g_assert_cmpuint(l->n, <, 256);
	l->pkt[l->n] = g_memdup2(pkt, len);
	l->len[l->n++] = len;
}

static void
seglist_free(struct seglist *l)
{
	for (unsigned i = 0; i < l->n; i++)
		g_free(l->pkt[i]);
	l->n = 0;
}

/* ---- segmentation ------------------------------------------------------------ */

static void
check_segments(size_t payload, uint16_t gso, unsigned mtu, uint8_t flags, bool ecn)
{
	static uint8_t buf[OFFLOAD_VNET_HDR_LEN + 65536], orig[OFFLOAD_VNET_HDR_LEN + 65536];
	uint32_t seq0 = 0xfffff000; /* wraps */
	size_t len = mk_super(buf, payload, gso,
	                      VIRTIO_NET_HDR_GSO_TCPV6 | (ecn ? VIRTIO_NET_HDR_GSO_ECN : 0),
	                      flags, seq0);
	memcpy(orig, buf, len);
	struct offload_stats st = {0};
	struct seglist l = {0};
	size_t mss = gso;
	if (mtu && 72 + mss > mtu)
		mss = mtu - 72;
	size_t want = (payload + mss - 1) / mss;
	g_assert_cmpint(offload_segment(buf, len, mtu, collect, &l, &st), ==, (int)want);
	g_assert_cmpuint(l.n, ==, want);
	g_assert_cmpuint(st.gso_rx, ==, 1);
	g_assert_cmpuint(st.seg_out, ==, want);
	g_assert_cmpuint(st.bad, ==, 0);
	const uint8_t *op = orig + OFFLOAD_VNET_HDR_LEN;
	size_t got = 0;
	for (unsigned i = 0; i < l.n; i++) {
		const uint8_t *p = l.pkt[i], *t = p + 40;
		size_t seg = i + 1 < l.n ? mss : payload - i * mss;
		g_assert_cmpuint(l.len[i], ==, 72 + seg);
		if (mtu)
			g_assert_cmpuint(l.len[i], <=, mtu);
		g_assert_cmpuint(get16(p + 4), ==, 32 + seg);          /* payload length */
		g_assert_cmpmem(p, 4, op, 4);                         /* version, tclass, flow */
		g_assert_cmpmem(p + 6, 34, op + 6, 34);               /* nh, hlim, addresses */
		g_assert_cmphex(get32(t + 4), ==, seq0 + (uint32_t)(i * mss)); /* sequence */
		g_assert_cmpmem(t + 8, 5, op + 48, 5);                /* ack, doff */
		g_assert_cmpmem(t + 14, 2, op + 54, 2);               /* window */
		uint8_t f = op[53];
		if (i + 1 < l.n)
			f &= (uint8_t)~(0x01 | 0x08);                 /* FIN, PSH: last only */
		if (i)
			f &= (uint8_t)~0x80;                          /* CWR: first only */
		g_assert_cmphex(t[13], ==, f);
		g_assert_cmpmem(t + 18, 14, op + 58, 14);             /* urg, options */
		g_assert_cmpmem(p + 72, seg, op + 72 + i * mss, seg); /* payload */
		g_assert_true(ref_valid6(p, l.len[i]));               /* checksum */
		got += seg;
	}
	g_assert_cmpuint(got, ==, payload);
	seglist_free(&l);
}

static void
test_segment_sizes(void)
{
	check_segments(64000, 1196, 1280, 0x18, false);        /* ACK PSH, MSS 1196 */
	check_segments(65535 - 72, 1196, 1280, 0x19, false);   /* ACK PSH FIN, max */
	check_segments(1196 * 3, 1196, 1280, 0x10, false);     /* exact multiple */
	check_segments(1197, 1196, 1280, 0x10, false);         /* 1 + 1 byte */
	check_segments(3001, 1000, 0, 0x10, false);            /* odd tail, no MTU */
	check_segments(5000, 1400, 1280, 0x10, false);         /* clamped to the MTU */
	check_segments(8000, 1196, 1280, 0x90 | 0x08, true);   /* CWR on the first only */
	check_segments(100, 1196, 1280, 0x18, false);          /* one segment */
}

static void
test_segment_random(void)
{
	GRand *r = tu_rand();
	for (int k = 0; k < 200; k++) {
		size_t payload = (size_t)g_rand_int_range(r, 1, 65535 - 72 + 1);
		uint16_t gso = (uint16_t)g_rand_int_range(r, 1, 1500);
		if (payload / gso > 250)
			continue;
		check_segments(payload, gso, 0, (uint8_t)(0x10 | (g_rand_boolean(r) ? 0x08 : 0) |
		                                          (g_rand_boolean(r) ? 0x01 : 0)), false);
	}
	g_rand_free(r);
}

/* a packet without GSO whose checksum is partial (a UDP datagram) */
static void
test_needs_csum(void)
{
	uint8_t buf[OFFLOAD_VNET_HDR_LEN + 40 + 8 + 101];
	memset(buf, 0, sizeof buf);
	struct vnet v = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 40, .csum_offset = 6};
	vnet_put(buf, &v);
	uint8_t *p = buf + OFFLOAD_VNET_HDR_LEN;
	p[0] = 0x60;
	put16(p + 4, 8 + 101);
	p[6] = 17;
	p[7] = 64;
	p[8] = 0x20;
	p[23] = 1;
	p[24] = 0x20;
	p[39] = 2;
	put16(p + 40, 1234);
	put16(p + 42, 5678);
	put16(p + 44, 8 + 101);
	for (int i = 0; i < 101; i++)
		p[48 + i] = (uint8_t)(0xf0 + i);
	/* the seed: the pseudo-header sum, not complemented */
	uint16_t seed = offload_csum_fold(pseudo6(p, 8 + 101, 17));
	memcpy(p + 46, &seed, 2);
	struct offload_stats st = {0};
	struct seglist l = {0};
	g_assert_cmpint(offload_segment(buf, sizeof buf, 1280, collect, &l, &st), ==, 1);
	g_assert_cmpuint(st.csum_done, ==, 1);
	g_assert_cmpuint(l.len[0], ==, 40 + 8 + 101);
	g_assert_true(ref_valid6(l.pkt[0], l.len[0]));
	seglist_free(&l);

	/* no flags: passed through untouched */
	memset(buf, 0, OFFLOAD_VNET_HDR_LEN);
	p[46] = 0x12;
	g_assert_cmpint(offload_segment(buf, sizeof buf, 1280, collect, &l, &st), ==, 1);
	g_assert_cmpuint(l.pkt[0][46], ==, 0x12);
	g_assert_cmpuint(st.csum_done, ==, 1);
	seglist_free(&l);
}

struct bounds {
	const uint8_t *buf;
	size_t len;
	unsigned n;
};

static void
bounded(void *user, uint8_t *pkt, size_t len)
{
	struct bounds *b = user;
	g_assert_true(pkt >= b->buf + OFFLOAD_VNET_HDR_LEN);
	g_assert_true(pkt + len <= b->buf + b->len);
	b->n++;
}

/* truncated and garbage vnet headers: -1, counted, nothing delivered */
static void
test_bad_headers(void)
{
	static uint8_t buf[OFFLOAD_VNET_HDR_LEN + 65536];
	struct offload_stats st = {0};
	struct seglist l = {0};
	uint64_t nbad = 0;
#define BAD(len, mtu) do { \
		g_assert_cmpint(offload_segment(buf, (len), (mtu), collect, &l, &st), ==, -1); \
		g_assert_cmpuint(st.bad, ==, ++nbad); \
		g_assert_cmpuint(l.n, ==, 0); \
	} while (0)
	size_t len = mk_super(buf, 5000, 1196, VIRTIO_NET_HDR_GSO_TCPV6, 0x10, 1);
	for (size_t k = 0; k < OFFLOAD_VNET_HDR_LEN; k++)
		BAD(k, 1280);                                   /* truncated vnet header */
	BAD(OFFLOAD_VNET_HDR_LEN, 1280);                        /* GSO but no packet */
	BAD(OFFLOAD_VNET_HDR_LEN + 50, 1280);                   /* GSO, truncated TCP */
	buf[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	BAD(len, 1280);
	buf[1] = VIRTIO_NET_HDR_GSO_UDP;
	BAD(len, 1280);
	buf[1] = 5; /* UDP_L4 */
	BAD(len, 1280);
	buf[1] = 0x7f;
	BAD(len, 1280);
	buf[1] = VIRTIO_NET_HDR_GSO_TCPV6;
	uint16_t z = 0;
	memcpy(buf + 4, &z, 2);                                 /* gso_size 0 */
	BAD(len, 1280);
	len = mk_super(buf, 5000, 1196, VIRTIO_NET_HDR_GSO_TCPV6, 0x10, 1);
	BAD(len, 72);                                           /* MTU below the headers */
	buf[OFFLOAD_VNET_HDR_LEN] = 0x45;                       /* IPv4 under TCPV6 */
	BAD(len, 1280);
	len = mk_super(buf, 5000, 1196, VIRTIO_NET_HDR_GSO_TCPV6, 0x10, 1);
	buf[OFFLOAD_VNET_HDR_LEN + 6] = 17;                     /* not TCP */
	BAD(len, 1280);
	len = mk_super(buf, 5000, 1196, VIRTIO_NET_HDR_GSO_TCPV6, 0x10, 1);
	buf[OFFLOAD_VNET_HDR_LEN + 52] = 0xf0;                  /* doff 60 > what is there */
	BAD(OFFLOAD_VNET_HDR_LEN + 80, 1280);
	buf[OFFLOAD_VNET_HDR_LEN + 52] = 0x40;                  /* doff 16 < 20 */
	BAD(len, 1280);
	len = mk_super(buf, 5000, 1196, VIRTIO_NET_HDR_GSO_TCPV6, 0x10, 1);
	uint16_t cs = 41;                                       /* csum_start not the TCP header */
	memcpy(buf + 6, &cs, 2);
	BAD(len, 1280);
	/* NEEDS_CSUM without GSO: offsets out of the packet */
	struct vnet v = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 100, .csum_offset = 6};
	vnet_put(buf, &v);
	BAD(OFFLOAD_VNET_HDR_LEN + 100, 1280);
	v.csum_start = 40;
	v.csum_offset = 0xffff;
	vnet_put(buf, &v);
	BAD(OFFLOAD_VNET_HDR_LEN + 100, 1280);
	v.csum_offset = 59;
	vnet_put(buf, &v);
	BAD(OFFLOAD_VNET_HDR_LEN + 100, 1280);                  /* field one byte too far */
#undef BAD
	/* random garbage: never a crash, never a segment outside the buffer */
	GRand *r = tu_rand();
	for (int k = 0; k < 20000; k++) {
		size_t n = (size_t)g_rand_int_range(r, 0, 400);
		tu_rand_bytes(r, buf, n);
		if (k & 1) {
			buf[1] = g_rand_boolean(r) ? VIRTIO_NET_HDR_GSO_TCPV6 : 0;
			buf[OFFLOAD_VNET_HDR_LEN] = 0x60;
			buf[OFFLOAD_VNET_HDR_LEN + 6] = 6;
		}
		struct bounds b = {buf, n, 0};
		int rc = offload_segment(buf, n, (unsigned)g_rand_int_range(r, 0, 1500), bounded, &b, &st);
		g_assert_cmpint(rc, >=, -1);
		g_assert_cmpint(rc, ==, rc < 0 ? -1 : (int)b.n);
	}
	g_rand_free(r);
}

/* ---- GRO ------------------------------------------------------------------------ */

struct wlist {
	unsigned n;
	uint8_t vnet[64][OFFLOAD_VNET_HDR_LEN];
	uint8_t *pkt[64];
	size_t len[64];
};

static void
wcollect(void *user, const struct iovec *iov, int iovcnt)
{
	struct wlist *w = user;
	g_assert_cmpuint(w->n, <, 64);
	g_assert_cmpint(iovcnt, >=, 2);
	g_assert_cmpuint(iov[0].iov_len, >=, OFFLOAD_VNET_HDR_LEN);
	GByteArray *b = g_byte_array_new();
	for (int i = 0; i < iovcnt; i++)
		g_byte_array_append(b, iov[i].iov_base, (guint)iov[i].iov_len);
	memcpy(w->vnet[w->n], b->data, OFFLOAD_VNET_HDR_LEN);
	size_t len = b->len - OFFLOAD_VNET_HDR_LEN;
	w->len[w->n] = len;
	w->pkt[w->n++] = g_memdup2(b->data + OFFLOAD_VNET_HDR_LEN, len);
	g_byte_array_free(b, TRUE);
}

static void
wlist_free(struct wlist *w)
{
	for (unsigned i = 0; i < w->n; i++)
		g_free(w->pkt[i]);
	w->n = 0;
}

/* segment a super-packet, coalesce the segments again: the same bytes come
 * out as one GSO write whose partial checksum completes to a valid one */
static void
test_gro_roundtrip(void)
{
	static uint8_t buf[OFFLOAD_VNET_HDR_LEN + 65536], orig[OFFLOAD_VNET_HDR_LEN + 65536];
	size_t payload = 30000;
	size_t len = mk_super(buf, payload, 1196, VIRTIO_NET_HDR_GSO_TCPV6, 0x18, 77);
	memcpy(orig, buf, len);
	struct offload_stats st = {0};
	struct seglist l = {0};
	g_assert_cmpint(offload_segment(buf, len, 1280, collect, &l, &st), ==, 26);
	struct offload_gro *g = g_new0(struct offload_gro, 1);
	struct wlist w = {0};
	offload_gro_init(g, wcollect, &w, &st);
	for (unsigned i = 0; i < l.n; i++)
		offload_gro_add(g, l.pkt[i], l.len[i]);
	offload_gro_flush(g);
	/* the last segment (shorter, PSH) closes the run: one write */
	g_assert_cmpuint(w.n, ==, 1);
	g_assert_cmpuint(st.gro_out, ==, 1);
	g_assert_cmpuint(st.gro_in, ==, 26);
	struct vnet v;
	vnet_get(&v, w.vnet[0]);
	g_assert_cmpuint(v.gso_type, ==, VIRTIO_NET_HDR_GSO_TCPV6);
	g_assert_cmpuint(v.flags, ==, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	g_assert_cmpuint(v.gso_size, ==, 1196);
	g_assert_cmpuint(v.hdr_len, ==, 72);
	g_assert_cmpuint(v.csum_start, ==, 40);
	g_assert_cmpuint(v.csum_offset, ==, 16);
	g_assert_cmpuint(w.len[0], ==, len - OFFLOAD_VNET_HDR_LEN);
	const uint8_t *op = orig + OFFLOAD_VNET_HDR_LEN, *p = w.pkt[0];
	g_assert_cmpmem(p, 16, op, 16);
	g_assert_cmpmem(p + 16, 40 - 16 + 16, op + 16, 40 - 16 + 16); /* through the window */
	g_assert_cmphex(p[53], ==, 0x18);                             /* PSH of the last */
	g_assert_cmpmem(p + 58, len - OFFLOAD_VNET_HDR_LEN - 58, op + 58, len - OFFLOAD_VNET_HDR_LEN - 58);
	/* complete the partial checksum as the kernel would: valid */
	uint8_t *c = g_memdup2(p, w.len[0]);
	uint16_t x = (uint16_t)~offload_csum_fold(offload_csum_add(0, c + 40, w.len[0] - 40));
	memcpy(c + 56, &x, 2);
	g_assert_true(ref_valid6(c, w.len[0]));
	g_free(c);
	wlist_free(&w);

	/* reordered: 0 2 1 -> the run stops at the gap */
	offload_gro_add(g, l.pkt[0], l.len[0]);
	offload_gro_add(g, l.pkt[2], l.len[2]);
	offload_gro_add(g, l.pkt[1], l.len[1]);
	offload_gro_flush(g);
	g_assert_cmpuint(w.n, ==, 3);
	for (unsigned i = 0; i < 3; i++) {
		g_assert_cmpuint(w.vnet[i][1], ==, VIRTIO_NET_HDR_GSO_NONE); /* written alone */
		g_assert_cmpuint(w.len[i], ==, 72 + 1196);
		g_assert_true(ref_valid6(w.pkt[i], w.len[i]));
	}
	wlist_free(&w);

	/* a segment with a bad checksum is not coalesced, and counted */
	l.pkt[1][100] ^= 0x55;
	offload_gro_add(g, l.pkt[0], l.len[0]);
	offload_gro_add(g, l.pkt[1], l.len[1]);
	offload_gro_add(g, l.pkt[2], l.len[2]);
	offload_gro_flush(g);
	g_assert_cmpuint(st.gro_bad_csum, ==, 1);
	g_assert_cmpuint(w.n, ==, 3);
	g_assert_cmpmem(w.pkt[1], w.len[1], l.pkt[1], l.len[1]); /* as it came: the kernel drops it */
	wlist_free(&w);
	l.pkt[1][100] ^= 0x55;

	/* a non-TCP packet in between flushes the pending run first */
	uint8_t udp[48] = {0x60, 0, 0, 0, 0, 8, 17, 64};
	offload_gro_add(g, l.pkt[0], l.len[0]);
	offload_gro_add(g, l.pkt[1], l.len[1]);
	offload_gro_add(g, udp, sizeof udp);
	offload_gro_add(g, l.pkt[2], l.len[2]);
	offload_gro_flush(g);
	g_assert_cmpuint(w.n, ==, 3);
	g_assert_cmpuint(w.len[0], ==, 72 + 2 * 1196);              /* 0+1 coalesced */
	g_assert_cmpuint(w.len[1], ==, sizeof udp);
	g_assert_cmpuint(w.len[2], ==, 72 + 1196);
	wlist_free(&w);

	/* another flow (other port) breaks the run */
	uint8_t *o = g_memdup2(l.pkt[1], l.len[1]);
	o[41] ^= 1;
	o[56] = o[57] = 0;
	put16(o + 56, ref_csum6(o, o + 40, l.len[1] - 40, 6));
	g_assert_true(ref_valid6(o, l.len[1]));
	offload_gro_add(g, l.pkt[0], l.len[0]);
	offload_gro_add(g, o, l.len[1]);
	offload_gro_flush(g);
	g_assert_cmpuint(w.n, ==, 2);
	g_free(o);
	wlist_free(&w);
	seglist_free(&l);

	/* at most OFFLOAD_GRO_MAX_SEGS segments per write */
	len = mk_super(buf, 100 * 100, 100, VIRTIO_NET_HDR_GSO_TCPV6, 0x10, 5);
	g_assert_cmpint(offload_segment(buf, len, 1280, collect, &l, &st), ==, 100);
	for (unsigned i = 0; i < l.n; i++)
		offload_gro_add(g, l.pkt[i], l.len[i]);
	offload_gro_flush(g);
	g_assert_cmpuint(w.n, ==, 2);
	g_assert_cmpuint(w.len[0], ==, 72 + OFFLOAD_GRO_MAX_SEGS * 100);
	g_assert_cmpuint(w.len[1], ==, 72 + (100 - OFFLOAD_GRO_MAX_SEGS) * 100);
	wlist_free(&w);
	seglist_free(&l);
	g_free(g);
}

/* offload_vnet_shift: the TAP's Ethernet header in and out of the offsets */
static void
test_vnet_shift(void)
{
	uint8_t h[OFFLOAD_VNET_HDR_LEN], h0[OFFLOAD_VNET_HDR_LEN];
	struct vnet v = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV6,
	                 .hdr_len = 14 + 72, .gso_size = 1208, .csum_start = 14 + 40, .csum_offset = 16}, w;
	vnet_put(h, &v);
	memcpy(h0, h, sizeof h);
	g_assert_true(offload_vnet_shift(h, -14));
	vnet_get(&w, h);
	g_assert_cmpuint(w.csum_start, ==, 40);
	g_assert_cmpuint(w.hdr_len, ==, 72);
	g_assert_cmpuint(w.gso_size, ==, 1208);
	g_assert_cmpuint(w.csum_offset, ==, 16);
	g_assert_true(offload_vnet_shift(h, 14));
	g_assert_cmpmem(h, sizeof h, h0, sizeof h0);
	/* nothing to move: no checksum to complete, no GSO, no hdr_len */
	memset(h, 0, sizeof h);
	g_assert_true(offload_vnet_shift(h, -14));
	g_assert_cmpmem(h, sizeof h, (uint8_t[OFFLOAD_VNET_HDR_LEN]){0}, OFFLOAD_VNET_HDR_LEN);
	/* offsets that would leave 0..65535: a bad header */
	v = (struct vnet){.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 10, .csum_offset = 6};
	vnet_put(h, &v);
	g_assert_false(offload_vnet_shift(h, -14));
	v = (struct vnet){.gso_type = VIRTIO_NET_HDR_GSO_TCPV6, .hdr_len = 65530, .gso_size = 1000};
	vnet_put(h, &v);
	g_assert_false(offload_vnet_shift(h, 14));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/emu/offload/segment/sizes", test_segment_sizes);
	g_test_add_func("/emu/offload/segment/random", test_segment_random);
	g_test_add_func("/emu/offload/needs-csum", test_needs_csum);
	g_test_add_func("/emu/offload/bad-headers", test_bad_headers);
	g_test_add_func("/emu/offload/gro", test_gro_roundtrip);
	g_test_add_func("/emu/offload/vnet-shift", test_vnet_shift);
	return g_test_run();
}
