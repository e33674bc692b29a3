/*
 * emu/aerod/aerod.h -- aerod, the emulation daemon: one process hosting one
 * core node (aero.h) on Linux. The loop (main.c): on a packet from the TUN
 * (tun.c) or the underlay socket (udp.c), or on the one timer, call the core,
 * drain aero_node_poll and act on each output: packets to the TUN or the
 * socket, events to the kernel over rtnetlink (rtnl.c), to the lease file
 * (lease.c) and to the events log. ctl.c serves the UNIX control socket.
 * config.c turns a scenario node or command-line flags into aero_config.
 */
#ifndef AEROD_H
#define AEROD_H

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "aero/aero.h"

#define AEROD_TABLE_DEFAULT 8060   /* Server: delegated prefixes for BGP */
#define AEROD_LEARN_TABLE_DEFAULT 8061 /* Relay: routes BGP learned */
#define AEROD_MAX_PEERMAP 64
#define AEROD_VERSION "0.1"
#define AEROD_SEND_BATCH 64 /* underlay packets per sendmmsg */
#define AEROD_UDP_GSO_MAX_BYTES 65000 /* payload of one UDP GSO message (< 64 KB - headers) */
#define AEROD_FP_POLL_MS 500 /* --fastpath: reports to the core, counters */

/* A native IPv6 BGP next hop -> the Server behind it (Relay). */
struct aerod_peermap {
	struct aero_in6 nh;
	struct aero_peer peer;
};

struct aerod_opts {
	char *scenario, *node;     /* --scenario FILE --node NAME */
	char *tun_name;            /* --tun NAME [aero0] */
	char *ctl_path;            /* --ctl PATH [/run/aero/<node>.sock] */
	char *lease_path;          /* --lease FILE (Server) */
	char *events_path;         /* --events FILE (JSON lines) */
	char *log_path;            /* --log FILE [stderr] */
	char *underlay;            /* --underlay udp|pcap [udp] */
	char *underlay_if;         /* --underlay-if NAME (pcap) [the locator's] */
	int pcap_snaplen;          /* --pcap-snaplen N [0: MTU + 64] */
	int tun_gso_max;           /* --tun-gso-max N [-1: one UDP GSO message; 0: kernel's] */
	char *downstream[AERO_MAX_DOWNSTREAM];
	unsigned n_downstream;
	int table;                 /* --table N [8060] */
	int learn_table;           /* --learn-table N [8061] (Relay, Server) */
	uint64_t epoch_ns;         /* --epoch-ns: t = 0 of the events log */
	int log_level;             /* syslog level [6 = info] */
	bool no_netlink;           /* --no-netlink: core events not applied */
	bool no_batch;             /* --no-batch: recvmsg/sendmsg per packet */
	bool no_offload;           /* --no-offload: no vnet header, UDP GSO/GRO */
	bool tap;                  /* --tap: the AERO interface is a TAP (Ethernet, NOARP) */
	bool fastpath;             /* --fastpath: the eBPF data path (fastpath.c) */
	bool check_only;           /* --check: print the config and exit */
	struct aerod_peermap peermap[AEROD_MAX_PEERMAP];
	size_t n_peermap;
	uint32_t seed;             /* --seed: only recorded */
	char *dns;                 /* --dns ADDR[:PORT] (PRL name lookup) */
	uint16_t prl_port;         /* port of Servers found by name [8060] */
};

/* host counters (aeroctl show counters), names in main.c */
enum {
	HC_TUN_RX, HC_TUN_TX, HC_UDP_RX, HC_UDP_TX, HC_UDP_TX_ERR,
	HC_NL_ERR, HC_TUN_TX_ERR, HC_CTL_REQ, HC_RELAY_RX, HC_RELAY_TX, HC_DS_RX,
	HC_PCAP_RX, HC_PCAP_TX, HC_PCAP_RX_BAD, HC_PCAP_RX_DROP, HC_PCAP_TX_FALLBACK,
	HC_DNS_TX, HC_DNS_RX, HC_DNS_BAD,
	/* data path offloads (tun.c, udp.c, offload.c) */
	HC_TUN_GSO_RX, HC_TUN_SEGS, HC_TUN_CSUM, HC_TUN_VNET_BAD, HC_TUN_GRO_IN,
	HC_TUN_GRO_OUT, HC_TUN_GRO_BAD_CSUM, HC_UDP_GSO_TX, HC_UDP_GRO_RX, HC_UDP_GSO_ERR,
	HC_PCAP_RX_GSO, /* pcapul.c: a peer's UDP GSO aggregate split */
	HC_TAP_RX_NOT_IPV6, /* tun.c: a frame from the TAP that is not IPv6 */
	/* fastpath.c: the eBPF data path (its own counters, summed over CPUs) */
	HC_FP_TX_PKTS, HC_FP_TX_BYTES, HC_FP_TX_GSO, HC_FP_TX_SLOW, HC_FP_TX_ERR,
	HC_FP_RX_PKTS, HC_FP_RX_BYTES, HC_FP_RX_GSO, HC_FP_RX_SLOW, HC_FP_RX_NOT_ADMITTED,
	HC_FP_RX_ERR, HC_FP_RX_ECN_UNUSED, HC_FP_REPORTS, HC_FP_SYNC, HC_FP_MAP_ERR,
	HC_COUNT
};

struct aerod {
	struct aerod_opts o;
	struct aero_config cfg;
	aero_node *node;
	char name[64];             /* node name (log prefix, events) */
	GMainLoop *loop;
	GSource *timer;
	int tun_fd;
	char tun_name[IF_NAMESIZE];
	unsigned tun_ifindex;
	unsigned ds_ifindex[AERO_MAX_DOWNSTREAM];
	int ds_fd[AERO_MAX_DOWNSTREAM]; /* --downstream tun:NAME: its TUN, else -1 */
	int udp_fd;
	int nl_fd;                 /* rtnetlink requests */
	int nlmon_fd;              /* rtnetlink route monitor (Relay) */
	uint32_t nl_seq;
	int ctl_fd;
	FILE *events;
	FILE *logf;
	GHashTable *leases;        /* "prefix/len" -> struct lease * (start) */
	bool lease_dirty;          /* a binding changed: rewrite before sending */
	bool lease_importing;
	uint64_t lease_writes;
	bool shutting_down;
	bool in_batch;             /* inside a burst of reads: outputs deferred */
	guint drain_id;
	struct pcapul *pcapul;     /* --underlay=pcap (pcapul.c), else NULL */
	uint64_t host_cnt[HC_COUNT];     /* see host_counter_names in main.c */
};

extern const char *const aerod_host_counter_names[HC_COUNT];

/* main.c */
uint64_t aerod_now(void);                  /* CLOCK_MONOTONIC ns */
void aerod_run_core(struct aerod *d);      /* drain outputs, re-arm timer */
/* around a burst of reads: outputs leave together at the end */
void aerod_batch_begin(struct aerod *d);
void aerod_batch_end(struct aerod *d);
void aerod_set_log_level(int level);
int aerod_get_log_level(void);

/* config.c: fill d->cfg and d->name from the scenario or flags already in
 * d->o (plus argv leftovers already parsed). 0, or -1 with *err set. */
int aerod_config_from_scenario(struct aerod *d, GError **err);
int aerod_config_check(struct aerod *d, GError **err);
char *aerod_config_describe(const struct aerod *d);

/* tun.c */
int tun_open(struct aerod *d, GError **err);
void tun_close(struct aerod *d);
gboolean tun_readable(gint fd, GIOCondition c, gpointer user);
void tun_write(struct aerod *d, const uint8_t *pkt, size_t len);
/* a tunnel-side output for downstream link k (0 = the AERO interface) */
void tun_write_link(struct aerod *d, unsigned k, const uint8_t *pkt, size_t len);
/* end of a drain: write what the user-space GRO still holds */
void tun_flush(struct aerod *d);

/* dhcprelay.c: Server with --dhcp-relay (a socket on [relay_src]:547) */
int dhcprelay_open(struct aerod *d, GError **err);
void dhcprelay_close(void);
gboolean dhcprelay_readable(gint fd, GIOCondition c, gpointer user);
/* true if pkt is a Relay-forward to the DHCPv6 server (sent on the socket) */
bool dhcprelay_take(struct aerod *d, const uint8_t *pkt, size_t len);

/* udp.c */
int udp_open(struct aerod *d, GError **err);
gboolean udp_readable(gint fd, GIOCondition c, gpointer user);
void udp_send(struct aerod *d, const struct aero_out *o);
void udp_send_many(struct aerod *d, const struct aero_out *const *o, size_t n);
int udp_rebind(struct aerod *d, const struct aero_loc *loc, GError **err);

/* pcapul.c: --underlay=pcap (after udp_open: the UDP socket stays bound) */
struct pcapul;
int pcapul_open(struct aerod *d, GError **err);
void pcapul_close(struct aerod *d);
/* sends what it can through pcap; returns the count left for the UDP
 * socket, *rest pointing at them (valid until the next call) */
size_t pcapul_send_many(struct aerod *d, const struct aero_out *const *o, size_t n,
                        const struct aero_out *const **rest);
/* after udp_rebind made the new socket: pcap on the new locator */
int pcapul_rebind(struct aerod *d, const struct aero_loc *loc, GError **err);

/* rtnl.c */
int rtnl_open(struct aerod *d, GError **err);
void rtnl_close(struct aerod *d);
int rtnl_link_up(struct aerod *d, unsigned ifindex, unsigned mtu, unsigned flags);
/* the largest GSO packet the kernel hands to this interface (IFLA_GSO_MAX_SIZE) */
int rtnl_link_gso_max(struct aerod *d, unsigned ifindex, uint32_t size);
int rtnl_addr(struct aerod *d, bool add, unsigned ifindex,
              const struct aero_in6 *a, unsigned plen, bool nodad);
/* type: RTN_UNICAST (dev ifindex), RTN_BLACKHOLE, RTN_UNREACHABLE */
int rtnl_route(struct aerod *d, bool add, unsigned table, int type,
               const struct aero_in6 *p, unsigned plen, unsigned ifindex);
/* the same with an LWT BPF xmit program (prog_fd >= 0) on the route */
int rtnl_route_lwt(struct aerod *d, bool add, unsigned table, int type,
                   const struct aero_in6 *p, unsigned plen, unsigned ifindex, int prog_fd);
/* Every IPv6 route of table: fn(prefix, plen, gateway (or NULL)). */
int rtnl_dump_table(struct aerod *d, unsigned table,
                    void (*fn)(struct aerod *, const struct aero_in6 *,
                               unsigned, const struct aero_in6 *));
/* Relay/Server: watch learn_table; calls aero_node_route_update. */
int rtnl_monitor_open(struct aerod *d, GError **err);
void rtnl_apply_event(struct aerod *d, const struct aero_event *ev);

/* resolve.c: the PRL name lookup over DNS (AERO_EV_NAME_QUERY) */
int resolve_init(struct aerod *d, GError **err); /* the server; no I/O */
void resolve_query(struct aerod *d, const char *name);
void resolve_close(void);

/* ctl.c */
int ctl_open(struct aerod *d, GError **err);
void ctl_close(struct aerod *d);

/* fastpath.c: --fastpath (after tun_open and udp_open) */
int fastpath_open(struct aerod *d, GError **err);
void fastpath_close(struct aerod *d);
/* after every run of the core: program the kernel from the core's export */
void fastpath_sync(struct aerod *d);
char *fastpath_describe(struct aerod *d); /* g_free */
/* the kernel's counters into d->host_cnt now (also every AEROD_FP_POLL_MS) */
void fastpath_counters(struct aerod *d);
/* the LWT xmit program for routes through the AERO TUN, or -1 */
int fastpath_xmit_fd(void);

/* lease.c */
void lease_init(struct aerod *d);
int lease_load(struct aerod *d, GError **err);
void lease_import(struct aerod *d);       /* after aero_node_new */
void lease_event(struct aerod *d, const struct aero_event *ev);
void lease_flush(struct aerod *d);        /* rewrite the file if dirty */
void lease_free(struct aerod *d);

#endif
