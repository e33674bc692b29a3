/*
 * emu/aerod/offload.h -- TUN offloads in user space (no GLib, no aerod
 * state: tests/unit/test_emu_offload.c links it alone).
 *
 * A TUN opened with IFF_VNET_HDR and TUNSETOFFLOAD (TUN_F_CSUM |
 * TUN_F_TSO6 | TUN_F_TSO_ECN) hands aerod one struct virtio_net_hdr in
 * front of every packet: a GSO super-packet of up to 64 KB (TCP over IPv6,
 * gso_size = MSS) or a packet whose checksum is still partial (NEEDS_CSUM).
 *
 *  - offload_segment(): such a read -> the packets the kernel would have put
 *    on the wire: TCP segments of at most gso_size payload bytes (and at most
 *    the AERO MTU), each with its own sequence number, flags (FIN/PSH on the
 *    last only, CWR on the first only), payload length and a full TCP
 *    checksum; a NEEDS_CSUM packet gets its checksum completed. Each packet
 *    goes to a callback (aerod: aero_node_recv, so every segment goes through
 *    the core, P2 ICVs included). Bad or unsupported headers: -1 and a
 *    counter, nothing delivered.
 *  - struct offload_gro: the other way, user-space GRO for TUN writes:
 *    consecutive in-order TCP/IPv6 segments of one flow (equal size, only
 *    ACK/PSH, identical options and window, checksums verified) are written
 *    as one GSO super-packet (NEEDS_CSUM, gso TCPV6); anything else is
 *    written alone behind a zero vnet header.
 */
#ifndef AEROD_OFFLOAD_H
#define AEROD_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define OFFLOAD_VNET_HDR_LEN 10 /* struct virtio_net_hdr (no num_buffers) */

/* Move the offsets of a vnet header (csum_start when NEEDS_CSUM, hdr_len
 * when set) by delta bytes: a TAP frame's offsets count its Ethernet header,
 * the TUN packets offload.c works on do not. false: an offset would leave
 * 0..65535 (a bad header). */
bool offload_vnet_shift(uint8_t *hdr, int delta);
#define OFFLOAD_MAX_PKT 65535   /* IPv6 header + payload length field */

/* Counters (aerod shows them among its host counters). */
struct offload_stats {
	uint64_t gso_rx;      /* GSO super-packets read from the TUN */
	uint64_t seg_out;     /* segments made from them */
	uint64_t csum_done;   /* NEEDS_CSUM packets completed */
	uint64_t bad;         /* truncated / garbage / unsupported vnet headers */
	uint64_t gro_in;      /* packets that went into a coalesced write */
	uint64_t gro_out;     /* coalesced (GSO) writes to the TUN */
	uint64_t gro_bad_csum; /* segments not coalesced: TCP checksum wrong */
};

/* Ones-complement sum helpers (native byte order, RFC 1071 style): add
 * pieces of even length (only the last may be odd), fold, store the result
 * as is (memcpy) into the packet. */
uint64_t offload_csum_add(uint64_t sum, const uint8_t *p, size_t len);
uint16_t offload_csum_fold(uint64_t sum);
/* The TCP/UDP checksum of an IPv6 upper-layer packet (pseudo-header with
 * src/dst of ip6, length len, next header nh), as stored in the packet. */
uint16_t offload_l4_csum6(const uint8_t *ip6, const uint8_t *l4, size_t len, uint8_t nh);

typedef void (*offload_pkt_fn)(void *user, uint8_t *pkt, size_t len);

/*
 * buf/len: one read from a TUN with a vnet header (header included). The
 * buffer is modified (segments are built in place). mtu: the largest inner
 * packet to produce (the AERO MTU; 0 = no limit beyond gso_size). Returns the
 * number of packets handed to fn (1 for a plain packet), or -1 (counted in
 * st->bad).
 */
int offload_segment(uint8_t *buf, size_t len, unsigned mtu, offload_pkt_fn fn,
                    void *user, struct offload_stats *st);

/* The coalescer for TUN writes. write() gets iov[0] = the vnet header
 * (OFFLOAD_VNET_HDR_LEN bytes) followed by the packet's pieces (one writev).
 * Zero copy: the packets given to offload_gro_add must stay valid and
 * unchanged until the next offload_gro_flush (aerod: its held arena). */
#define OFFLOAD_GRO_MAX_SEGS 64
typedef void (*offload_write_fn)(void *user, const struct iovec *iov, int iovcnt);

struct offload_gro {
	offload_write_fn write;
	void *user;
	struct offload_stats *st;
	size_t len;          /* bytes of the pending packet (0 = none) */
	unsigned nseg;
	unsigned mss;        /* payload of the first segment */
	unsigned hlen;       /* IPv6 + TCP header */
	uint32_t next_seq;
	bool closed;         /* last segment shorter or with PSH: no more */
	const uint8_t *first; /* the first segment as it came */
	/* vnet header + a copy of the first segment's IPv6 + TCP header */
	uint8_t hdr[OFFLOAD_VNET_HDR_LEN + 40 + 60];
	struct iovec iov[OFFLOAD_GRO_MAX_SEGS + 1]; /* [0] = hdr, then payloads */
};

void offload_gro_init(struct offload_gro *g, offload_write_fn write, void *user,
                      struct offload_stats *st);
/* Offer one inner packet; it is written now or later (pending). */
void offload_gro_add(struct offload_gro *g, const uint8_t *pkt, size_t len);
/* Write what is pending. */
void offload_gro_flush(struct offload_gro *g);

#endif
