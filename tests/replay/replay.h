/*
 * tests/replay/replay.h -- the pcap replay engine behind aero-replay, its
 * benchmark and its fuzz target.
 *
 * One struct replay owns one core node (aero.h) and feeds it the records of
 * a capture in order, using each record's timestamp as the node's clock
 * (style anchors 3.6: ngtcp2's simulator loop with the pcap as the event
 * queue). Before every record every deadline that falls at or before the
 * record's time is run with aero_node_timeout(); after every call the
 * output queue is drained into the sinks:
 *
 *   pcap    what the node sends, LINKTYPE_RAW, nanosecond classic pcap:
 *           underlay outputs as full outer IPv4/IPv6 + UDP frames
 *           (aero_out_frame), tunnel outputs as the inner IPv6 packet
 *   events  events.jsonl lines (analysis/RESULTS.md)
 *   canon   the canonical text form: inputs fed, outputs decoded with the
 *           wire decoders (random fields blanked), events, final counters;
 *           no timestamps, so it survives changes of the random stream
 *
 * How a record reaches the node depends on the mode:
 *   UNDERLAY  outer IPv4/IPv6 UDP datagrams to the node's locator (address
 *             and port; any_dst: the port only) are stripped of their
 *             outer headers and fed as side UNDERLAY with pktinfo filled
 *   TUNNEL    every IPv6 packet is fed as an inner packet, side TUNNEL
 *   NATIVE    native (not tunnelled) IPv6 link traffic from third-party
 *             peers (dhcpcd, Kea, radvd...): every packet that a node of
 *             this role would receive (Server/Relay: DHCPv6 to port 547,
 *             RS, NS, NA; Client: DHCPv6 to port 546, RA, Redirect, NS, NA)
 *             is fed as side UNDERLAY, as if it had arrived over the AERO
 *             link from a locator of its own: the k-th distinct IPv6
 *             source gets peer locator + k (last address byte); inner
 *             UDP/ICMPv6 checksums are recomputed first (captures on the
 *             sender's veth carry partial checksums: TX offload); for a
 *             Server the SERVERID of client messages (the DUID of the
 *             server in the capture) is replaced by the node's own
 *
 * Everything else is skipped and counted (struct rp_stats). Nothing here
 * reads a clock or the environment: the same input and seed give the same
 * bytes out.
 */
#ifndef AERO_REPLAY_H
#define AERO_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "aero/aero.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Link types (tcpdump.org LINKTYPE_* values; DLT_* where they differ). */
#define RP_LINKTYPE_NULL     0
#define RP_LINKTYPE_ETHERNET 1
#define RP_LINKTYPE_RAW      101
#define RP_DLT_RAW_BSD       12  /* DLT_RAW on most BSDs and libpcap */
#define RP_DLT_RAW_OPENBSD   14
#define RP_LINKTYPE_LOOP     108
#define RP_LINKTYPE_SLL      113
#define RP_LINKTYPE_IPV4     228
#define RP_LINKTYPE_IPV6     229
#define RP_LINKTYPE_SLL2     276

/* rp_link_strip results */
#define RP_LINK_OK           0
#define RP_LINK_NOT_IP       (-1) /* a frame of a known link type, not IP */
#define RP_LINK_SHORT        (-2) /* shorter than its link-layer header */
#define RP_LINK_UNSUPPORTED  (-3) /* link type not handled */

/* Is dlt a link type rp_link_strip handles? */
bool rp_link_supported(int dlt);
/* Name for messages ("EN10MB", "RAW", ... or "unknown"). */
const char *rp_link_name(int dlt);

/*
 * Find the IP header in a captured frame of link type dlt. On RP_LINK_OK
 * *off is the offset of the IPv4/IPv6 header in p[0..caplen).
 */
int rp_link_strip(int dlt, const uint8_t *p, size_t caplen, size_t *off);

enum rp_mode { RP_MODE_UNDERLAY, RP_MODE_TUNNEL, RP_MODE_NATIVE };

struct rp_opts {
	struct aero_config cfg;  /* the node (cfg.self = its locator) */
	const char *node_name;   /* "node" in events.jsonl / counters.json */
	enum rp_mode mode;
	bool any_dst;            /* UNDERLAY: accept any address on our port */
	struct aero_loc peer;    /* NATIVE: locator of the first peer */
	uint64_t seed;           /* the rand callback's PRNG seed */
	bool keep_checksums;     /* NATIVE: do not recompute inner UDP/ICMPv6
	                            checksums (partial ones from TX offload) */
	bool keep_serverid;      /* NATIVE, Server: keep the captured SERVERID
	                            (default: replaced by the node's own) */
	bool verbose;            /* node log lines to stderr */
};

/* Records seen and why they were not fed (also in counters.json, in the
 * node's object as "replay_<field>"). */
struct rp_stats {
	uint64_t records;        /* capture records handed to rp_record */
	uint64_t fed;            /* packets given to the node */
	uint64_t skip_not_ip;    /* link layer says it is not IPv4/IPv6 */
	uint64_t skip_short;     /* frame or IP header truncated, bad IP */
	uint64_t skip_snaplen;   /* record cut by the snapshot length */
	uint64_t skip_fragment;  /* an IP fragment (not reassembled) */
	uint64_t skip_not_udp;   /* UNDERLAY: not UDP */
	uint64_t skip_not_node;  /* not addressed to the node */
	uint64_t skip_not_ipv6;  /* TUNNEL/NATIVE: not IPv6 */
	uint64_t skip_native_other; /* NATIVE: not a message for this role */
	uint64_t native_serverid_rewritten; /* NATIVE: SERVERID made ours */
	uint64_t clock_backwards;/* timestamp older than the previous: clamped */
	uint64_t out_packets, out_underlay, out_tunnel, out_events;
	uint64_t out_bytes;
};

struct replay {
	struct rp_opts o;
	aero_node *node;
	struct aero_callbacks cb;
	uint64_t rng[4];         /* xoshiro256** state */
	aero_tstamp t0, now, last_rec;
	bool started;
	struct rp_stats st;
	uint16_t ip_id;          /* IPv4 Identification of output frames */
	uint64_t in_index;       /* record number (1-based) being processed */
	bool timer_mark;         /* canon: a "~ timer" line is pending */
	char random_ll[64];      /* node's random pre-PD link-local, or "" */
	GHashTable *peers;       /* NATIVE: IPv6 source -> peer number */
	/* sinks (NULL = not written) */
	FILE *pcap;
	FILE *events;
	FILE *canon;
	GString *scratch;
	uint8_t frame[65536 + 128];
};

/* Create the node at time start (ns). Returns 0, or an aero_err with a
 * message in *why (static string or the node's log). */
int rp_init(struct replay *r, const struct rp_opts *o, aero_tstamp start,
            const char **why);
void rp_free(struct replay *r);

/* Write the 24-byte header of a nanosecond pcap, LINKTYPE_RAW. */
void rp_pcap_header(FILE *f);

/*
 * Handle one capture record: ts in ns, frame p[0..caplen) of link type
 * dlt, wire length len. Runs due timers, classifies, feeds, drains.
 */
void rp_record(struct replay *r, aero_tstamp ts, int dlt, const uint8_t *p,
               size_t caplen, size_t len);

/* Run every timer due at or before end (the run's last instant) and drain. */
void rp_run_until(struct replay *r, aero_tstamp end);

/* Canonical text of the final counters (non-zero node counters and the
 * replay statistics) to r->canon; then counters.json to f if not NULL. */
void rp_finish(struct replay *r, FILE *counters_json);

/* The run's counters as the {node: {...}} object of counters.json. */
void rp_counters_json(const struct replay *r, GString *out);

#ifdef __cplusplus
}
#endif

#endif
