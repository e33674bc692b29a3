/*
 * emu/aerod/fastpath_maps.h -- the maps shared by aerod's eBPF data path
 * (fastpath.bpf.c, compiled with clang -target bpf) and its loader
 * (fastpath.c). Plain fixed-size types only: both sides include this file.
 * Addresses and ports are in network byte order, as on the wire.
 *
 * aerod programs the maps from the core's export (aero_node_fastpath):
 *   fp_cfg     the one configuration record (devices, own locator, MTU)
 *   fp_ro      route-optimisation FORWARD entries, by inner destination
 *   fp_fib     the core's FIB, by inner destination
 *   fp_trust   trusted locators (PRL, Server, Relays): any inner source
 *   fp_accept  ACCEPT entries, by inner source
 *   fp_stats   per-CPU counters (FPS_*)
 */
#ifndef AEROD_FASTPATH_MAPS_H
#define AEROD_FASTPATH_MAPS_H

#include <linux/types.h>

#define FP_MAX_ROUTES 256
#define FP_MAX_TRUST 64
#define FP_MAX_ACCEPT 64
#define FP_SAMPLE_LEN 48          /* IPv6 header + 8: the core's RHO quote */
#define FP_SAMPLE_EVERY_NS 100000000ull /* refresh the sample at most 10/s */
#define FP_OUTER_LEN 28           /* IPv4 + UDP */
#define FP_ETH_LEN 14

enum fp_action { FPA_SLOW = 0, FPA_TUNNEL = 1, FPA_DELIVER = 2 };

struct fp_cfg {
	__u32 enabled;
	__u32 tun_ifindex;        /* the AERO interface (TUN) */
	__u32 ul_ifindex;         /* the underlay device of the locator */
	__u32 self_ip;            /* own IPv4 locator */
	__u16 self_port;          /* aerod's bound UDP port */
	__u16 mtu;                /* inner MTU of the AERO interface */
	__u32 local_only;         /* host model: GSO aggregates may be decapsulated */
};

struct fp_lpm_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct fp_route {
	__u32 action;             /* enum fp_action */
	__u32 dst_ip;             /* FPA_TUNNEL: the neighbour's IPv4 locator */
	__u16 dst_port;
	__u8 src_len;             /* inner sources in src/src_len only (0: any) */
	__u8 pad;
	__u8 src[16];
	__u32 out_ifindex;        /* FPA_DELIVER: the device (0: the AERO TUN) */
	__u32 pad2;
	/* written by the data path, read by aerod (reports to the core) */
	__u64 pkts, bytes, last_ns, sample_ns;
	__u8 sample[FP_SAMPLE_LEN];
};

struct fp_loc4 {
	__u32 ip;
	__u16 port;
	__u16 pad;
};

struct fp_accept {
	__u32 peer_ip;
	__u16 peer_port;
	__u8 dst_len;
	__u8 pad;
	__u8 dst[16];
};

/* fp_stats (per CPU, summed by aerod; names in fastpath.c); PKTS, BYTES,
 * GSO stay consecutive in both directions (fastpath.bpf.c: carried) */
enum {
	FPS_TX_PKTS, FPS_TX_BYTES, FPS_TX_GSO, FPS_TX_SLOW, FPS_TX_ERR,
	FPS_RX_PKTS, FPS_RX_BYTES, FPS_RX_GSO, FPS_RX_SLOW, FPS_RX_NOT_ADMITTED,
	FPS_RX_ERR, FPS_RX_ECN_UNUSED,
	FPS_COUNT
};

#endif
