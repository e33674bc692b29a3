/*
 * emu/aerod/fastpath.bpf.c -- aerod's kernel data path (aerod --fastpath):
 * two eBPF programs that carry a P1 Client's established data packets
 * without the two trips through user space, exactly as the core would:
 *
 *  xmit    a lightweight-tunnel (LWT) program on the routes aerod installs
 *          through the AERO interface (the default route via the Server): an
 *          inner IPv6 data packet whose destination has a route-optimisation
 *          FORWARD entry or a FIB route to a neighbour (fp_ro, then fp_fib)
 *          gets its outer IPv4 / UDP header (digest 3.1 and 6.1: TTL := hop
 *          limit, TOS := traffic class, DF = 0, UDP checksum 0 over IPv4)
 *          and is routed again by the kernel (BPF_LWT_REROUTE): IPv4
 *          routing, netfilter POSTROUTING (where the emulation's aero-impair
 *          applies delay and loss), qdiscs and neighbours, as aerod's own
 *          UDP socket would send it;
 *  ingress a tc program (tcx) on the underlay device: an IPv4/UDP packet to
 *          the own locator and port, from a trusted locator or an ACCEPT
 *          entry (digest 6.2), whose inner destination the FIB delivers
 *          locally, is decapsulated (RFC 6040 ECN) and handed to the AERO
 *          interface as if aerod had written it.
 *
 * Everything else -- control messages (link-local or multicast inner
 * addresses, ND), packets above the MTU, unknown destinations or sources,
 * CE over Not-ECT, a bad outer IPv4 header checksum, inconsistent lengths --
 * is left alone (TC_ACT_OK) and takes aerod's user-space path through the
 * core (or the kernel's drop), which counts and handles it. The outer UDP
 * checksum is not verified here: it covers the inner packet, whose own
 * transport checksum the receiving stack verifies. Egress route entries
 * count packets and keep a sample of the last header: aerod reports it to
 * the core (aero_node_fastpath_sent), which keeps route optimisation alive.
 *
 * Built with clang -target bpf; loaded by fastpath.c (no libbpf: the map
 * references are the only relocations). No global data, no BPF-to-BPF calls.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "fastpath_maps.h"

#define SEC(n) __attribute__((section(n), used))
#define INLINE static inline __attribute__((always_inline))

#ifndef BPF_F_ADJ_ROOM_DECAP_L3_IPV6
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8) /* Linux >= 6.3 */
#endif

/* helpers, by number (linux/bpf.h) */
static void *(*map_lookup)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static __u64 (*ktime_ns)(void) = (void *)BPF_FUNC_ktime_get_ns;
static __u32 (*prandom)(void) = (void *)BPF_FUNC_get_prandom_u32;
static long (*skb_load)(struct __sk_buff *skb, __u32 off, void *to, __u32 len) =
	(void *)BPF_FUNC_skb_load_bytes;
static long (*skb_store)(struct __sk_buff *skb, __u32 off, const void *from, __u32 len,
                         __u64 flags) = (void *)BPF_FUNC_skb_store_bytes;
static long (*skb_adjust_room)(struct __sk_buff *skb, __s32 len_diff, __u32 mode,
                               __u64 flags) = (void *)BPF_FUNC_skb_adjust_room;
static long (*lwt_push_encap)(struct __sk_buff *skb, __u32 type, void *hdr, __u32 len) =
	(void *)BPF_FUNC_lwt_push_encap;
static long (*redirect)(__u32 ifindex, __u64 flags) = (void *)BPF_FUNC_redirect;

/* the maps: symbols only; fastpath.c creates them and patches every load */
struct fp_map_sym { int unused; };
struct fp_map_sym fp_cfg SEC("maps");
struct fp_map_sym fp_ro SEC("maps");
struct fp_map_sym fp_fib SEC("maps");
struct fp_map_sym fp_trust SEC("maps");
struct fp_map_sym fp_accept SEC("maps");
struct fp_map_sym fp_stats SEC("maps");

#define BE16(x) ((__u16)((((x) & 0xff) << 8) | (((x) >> 8) & 0xff)))

INLINE void
stat_add(__u32 idx, __u64 v)
{
	__u64 *c = map_lookup(&fp_stats, &idx);
	if (c)
		*c += v; /* per CPU */
}

/* the configuration when the data path is on and the packet is of the
 * expected outer protocol, else NULL (the packet is none of ours) */
INLINE struct fp_cfg *
cfg_for(struct __sk_buff *skb, __u16 proto)
{
	__u32 zero = 0;
	struct fp_cfg *cfg = map_lookup(&fp_cfg, &zero);
	return cfg && cfg->enabled && skb->protocol == BE16(proto) ? cfg : 0;
}

/* a packet carried: counters first, first + 1, first + 2 (FPS_*_PKTS,
 * _BYTES, _GSO are in that order for both directions) */
INLINE void
carried(__u32 first, __u32 segs, __u32 bytes, int gso)
{
	stat_add(first, segs);
	stat_add(first + 1, bytes);
	if (gso)
		stat_add(first + 2, 1);
}

INLINE int
slow(__u32 idx)
{
	stat_add(idx, 1);
	return TC_ACT_OK;
}

/* a control packet: link-local or multicast inner address, or ND */
INLINE int
is_control(const __u8 *ip6, __u8 l4type)
{
	const __u8 *src = ip6 + 8, *dst = ip6 + 24;
	if (dst[0] == 0xff || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80) ||
	    (src[0] == 0xfe && (src[1] & 0xc0) == 0x80))
		return 1;
	if (ip6[6] == 58 && l4type >= 133 && l4type <= 137)
		return 1;
	return 0;
}

INLINE int
prefix_match(const __u8 *a, const __u8 *b, __u32 len)
{
	for (int i = 0; i < 16; i++) {
		int bits = (int)len - 8 * i;
		if (bits <= 0)
			break;
		__u8 m = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		if ((a[i] ^ b[i]) & m)
			return 0;
	}
	return 1;
}

INLINE __u16
ip4_csum(const __u16 *w)
{
	__u32 s = 0;
	for (int i = 0; i < 10; i++)
		s += w[i];
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

SEC("lwt/xmit")
int
aero_fp_xmit(struct __sk_buff *skb)
{
	struct fp_cfg *cfg = cfg_for(skb, 0x86dd);
	if (!cfg)
		return BPF_OK;
	__u8 ip6[41];
	if (skb_load(skb, 0, ip6, 41) < 0)
		return slow(FPS_TX_SLOW);
	if ((ip6[0] >> 4) != 6 || is_control(ip6, ip6[40]))
		return BPF_OK; /* aerod and the core: not counted as slow */
	__u32 len = skb->len;
	int gso = skb->gso_segs > 1 || skb->gso_size > 0;
	__u32 segs = gso && skb->gso_segs ? skb->gso_segs : 1; /* before the encapsulation resets it */
	if ((!gso && len > cfg->mtu) || len + FP_OUTER_LEN > 0xffff)
		return slow(FPS_TX_SLOW); /* the core sends the PTB */

	struct fp_lpm_key k = {.prefixlen = 128};
	__builtin_memcpy(k.addr, ip6 + 24, 16);
	struct fp_route *r = map_lookup(&fp_ro, &k);
	if (r) {
		/* the core takes the longest FORWARD entry; another source:
		 * let it decide */
		if (r->src_len && !prefix_match(r->src, ip6 + 8, r->src_len))
			return slow(FPS_TX_SLOW);
	} else {
		r = map_lookup(&fp_fib, &k);
	}
	if (!r || r->action != FPA_TUNNEL || r->dst_ip == 0)
		return slow(FPS_TX_SLOW);
	__u32 dst_ip = r->dst_ip;
	__u16 dst_port = r->dst_port;

	/* what aerod reports to the core */
	__u64 now = ktime_ns();
	__sync_fetch_and_add(&r->pkts, segs);
	__sync_fetch_and_add(&r->bytes, len);
	r->last_ns = now;
	if (now - r->sample_ns > FP_SAMPLE_EVERY_NS) {
		r->sample_ns = now;
		if (len >= FP_SAMPLE_LEN)
			skb_load(skb, 0, r->sample, FP_SAMPLE_LEN);
		else
			skb_load(skb, 0, r->sample, 40);
	}

	/* outer header (digest 3.1, 6.1) */
	__u8 tc = (__u8)((ip6[0] & 0x0f) << 4 | ip6[1] >> 4);
	__u8 ttl = ip6[7] ? ip6[7] : 1;
	__u16 tot = (__u16)(len + FP_OUTER_LEN);
	__u16 hdr[14];
	hdr[0] = BE16(0x4500 | tc);
	hdr[1] = BE16(tot);
	hdr[2] = (__u16)prandom();
	hdr[3] = 0;                       /* DF = 0 */
	hdr[4] = BE16((__u16)(ttl << 8 | 17));
	hdr[5] = 0;
	__builtin_memcpy(&hdr[6], &cfg->self_ip, 4);
	__builtin_memcpy(&hdr[8], &dst_ip, 4);
	hdr[5] = ip4_csum(hdr);
	hdr[10] = cfg->self_port;
	hdr[11] = dst_port;
	hdr[12] = BE16((__u16)(len + 8));
	hdr[13] = 0;                      /* UDP checksum 0 over IPv4 (digest 3.1) */

	if (lwt_push_encap(skb, BPF_LWT_ENCAP_IP, hdr, sizeof hdr) < 0)
		return slow(FPS_TX_ERR); /* unchanged: aerod sends it */
	carried(FPS_TX_PKTS, segs, len, gso);
	return BPF_LWT_REROUTE; /* IPv4 routing, netfilter, qdiscs, neighbours */
}

SEC("tc/ingress")
int
aero_fp_ingress(struct __sk_buff *skb)
{
	struct fp_cfg *cfg = cfg_for(skb, 0x0800);
	if (!cfg)
		return TC_ACT_OK;
	/* Ethernet (14) + IPv4 (20) + UDP (8) + IPv6 (40) + 1 */
	__u8 p[83];
	if (skb_load(skb, 0, p, sizeof p) < 0)
		return TC_ACT_OK; /* too short for us */
	const __u8 *ip = p + FP_ETH_LEN, *udp = ip + 20, *ip6 = udp + 8;
	if (ip[0] != 0x45 || ip[9] != 17 || (((ip[6] & 0x3f) << 8) | ip[7]) != 0)
		return TC_ACT_OK; /* options or a fragment: not ours to judge */
	__u16 iph[10];
	__builtin_memcpy(iph, ip, 20);
	if (ip4_csum(iph) != 0)
		return TC_ACT_OK; /* a bad header checksum: ip_rcv drops it */
	__u32 daddr, saddr;
	__builtin_memcpy(&daddr, ip + 16, 4);
	__builtin_memcpy(&saddr, ip + 12, 4);
	__u16 dport, sport;
	__builtin_memcpy(&dport, udp + 2, 2);
	__builtin_memcpy(&sport, udp, 2);
	if (daddr != cfg->self_ip || dport != cfg->self_port)
		return TC_ACT_OK; /* not the AERO port */
	if ((ip6[0] >> 4) != 6 || is_control(ip6, ip6[40]))
		return TC_ACT_OK; /* control: the core */
	int gso = skb->gso_segs > 1 || skb->gso_size > 0;
	__u32 segs = gso && skb->gso_segs ? skb->gso_segs : 1;
	if (gso && !cfg->local_only)
		return slow(FPS_RX_SLOW); /* 6.18 cannot clear a stale tunnel GSO
		                              type for forwarding: the core */
	if (!gso) {
		__u32 tot = (__u32)ip[2] << 8 | ip[3];
		__u32 ulen = (__u32)udp[4] << 8 | udp[5];
		__u32 plen = (__u32)ip6[4] << 8 | ip6[5];
		if (tot != skb->len - FP_ETH_LEN || ulen != tot - 20 || plen + 40 != ulen - 8)
			return slow(FPS_RX_SLOW); /* malformed or padded: the core */
	}

	/* admission (digest 6.2): a trusted locator, or an ACCEPT entry */
	struct fp_loc4 lk = {.ip = saddr, .port = sport};
	if (!map_lookup(&fp_trust, &lk)) {
		struct fp_lpm_key ak = {.prefixlen = 128};
		__builtin_memcpy(ak.addr, ip6 + 8, 16);
		struct fp_accept *a = map_lookup(&fp_accept, &ak);
		if (!a || a->peer_ip != saddr || a->peer_port != sport ||
		    !prefix_match(a->dst, ip6 + 24, a->dst_len))
			return slow(FPS_RX_NOT_ADMITTED); /* the core counts the drop */
	}
	/* the FIB delivers it here */
	struct fp_lpm_key k = {.prefixlen = 128};
	__builtin_memcpy(k.addr, ip6 + 24, 16);
	struct fp_route *r = map_lookup(&fp_fib, &k);
	if (!r || r->action != FPA_DELIVER)
		return slow(FPS_RX_SLOW);
	__u32 out_ifindex = r->out_ifindex;

	/* RFC 6040 decapsulation (digest 6.1; tunnel.c: tunnel_ecn_decap) */
	__u8 outer = ip[1] & 3, inner = (ip6[1] >> 4) & 3;
	if (outer == 3 && inner == 0)
		return slow(FPS_RX_SLOW); /* CE over Not-ECT: the core drops it */
	if ((inner == 0 && (outer == 1 || outer == 2)) || (inner == 1 && outer == 2) ||
	    (inner == 3 && outer == 1))
		stat_add(FPS_RX_ECN_UNUSED, 1); /* RFC 6040 "currently unused" */
	__u8 e = inner;
	if (outer == 3)
		e = 3;
	else if (inner == 2 && outer == 1)
		e = 1;
	if (e != inner) {
		__u8 b1 = (__u8)((ip6[1] & ~0x30) | (e << 4));
		if (skb_store(skb, FP_ETH_LEN + FP_OUTER_LEN + 1, &b1, 1, 0) < 0)
			return slow(FPS_RX_ERR);
	}
	__u32 len = skb->len;
	if (skb_adjust_room(skb, -FP_OUTER_LEN, BPF_ADJ_ROOM_MAC,
	                    BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_DECAP_L3_IPV6) < 0)
		return slow(FPS_RX_ERR);
	carried(FPS_RX_PKTS, segs, len - FP_ETH_LEN - FP_OUTER_LEN, gso);
	/* as aerod writes it: to the AERO TUN or a downstream link's TUN */
	return (int)redirect(out_ifindex ? out_ifindex : cfg->tun_ifindex, BPF_F_INGRESS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
