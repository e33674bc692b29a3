/*
 * aero/aero.h -- the public API of the sans-I/O AERO/VET protocol core.
 *
 * One aero_node is one Client, Server (VBG) or Relay on one AERO/VET link.
 * The core owns no socket, thread, clock or event loop. A host:
 *
 *   1. creates the node with aero_node_new(cfg, callbacks, now);
 *   2. on every packet calls aero_node_recv(), on every timer expiry
 *      aero_node_timeout(), on host-side facts (a name resolved, a new
 *      locator, a route learned) the matching aero_node_*() input;
 *   3. after every call drains aero_node_poll() for packets to send and
 *      events to apply, and re-arms one timer at aero_node_deadline().
 *
 * Time is a nanosecond count whose epoch the host chooses (simulated time,
 * CLOCK_MONOTONIC or pcap timestamps). Randomness and logging are the only
 * callbacks, so a seeded run is byte-for-byte reproducible.
 *
 * Two sides carry packets (struct aero_pktinfo.side):
 *  - UNDERLAY: the UDP payload of an outer packet (P1: the inner IPv6
 *    packet; P2: SEAL shim + inner), with the outer addresses, ports,
 *    traffic class, TTL/hop limit and flow label beside it in pktinfo.
 *    aero_out_frame() builds the full outer IP/UDP packet for hosts that
 *    write raw frames (pcap underlay, captures).
 *  - TUNNEL: inner IPv6 packets to and from the node's own IP stack (the
 *    TUN device of the daemon, the VirtualNetDevice of ns-3). For a Relay
 *    this is the native "outside" side.
 *
 * Bad input from the network is never an error for the caller: the packet
 * is dropped and a named counter (aero_node_counter) is incremented.
 * Negative returns mean caller misuse only.
 */
#ifndef AERO_AERO_H
#define AERO_AERO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aero/wire_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t aero_tstamp;   /* ns; epoch chosen by the host */
typedef uint64_t aero_duration; /* ns */
#define AERO_TSTAMP_NONE UINT64_MAX
#define AERO_US  ((aero_duration)1000ULL)
#define AERO_MS  ((aero_duration)1000000ULL)
#define AERO_SEC ((aero_duration)1000000000ULL)

/* Return codes of the node API (0 = ok). */
enum aero_err {
	AERO_ERR_INVAL = -1, /* caller misuse: bad argument or configuration */
	AERO_ERR_STATE = -2, /* not allowed for this role or in this state */
	AERO_ERR_FULL  = -3, /* a bounded table is full */
};
const char *aero_strerror(int err);

enum aero_role { AERO_ROLE_CLIENT, AERO_ROLE_SERVER, AERO_ROLE_RELAY };
enum aero_profile { AERO_PROFILE_P1 = 1, AERO_PROFILE_P2 = 2 };
enum aero_model { AERO_MODEL_HOST, AERO_MODEL_ROUTER, AERO_MODEL_HYBRID };
enum aero_side { AERO_SIDE_UNDERLAY, AERO_SIDE_TUNNEL };

const char *aero_role_name(enum aero_role r);     /* "client" ... */
const char *aero_model_name(enum aero_model m);   /* "host" ... */

/* An underlay locator (RLOC): IPv4 (ip[0..3]) or IPv6, and a UDP port. */
struct aero_loc {
	uint8_t family; /* 4 or 6; 0 = unset */
	uint8_t ip[16];
	uint16_t port;
};
/* Build an IPv4 / IPv6 locator. */
struct aero_loc aero_loc_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d,
                            uint16_t port);
struct aero_loc aero_loc_v6(const struct aero_in6 *ip, uint16_t port);
/* Parse "192.0.2.1:8060", "[2001:db8::1]:8060" or an address alone (port
 * = default_port). Returns 0 or AERO_ERR_INVAL. */
int aero_loc_parse(struct aero_loc *out, const char *s, uint16_t default_port);
bool aero_loc_equal(const struct aero_loc *a, const struct aero_loc *b);
/* "192.0.2.1:8060" / "[2001:db8::1]:8060"; returns buf. cap >= 56. */
const char *aero_loc_format(const struct aero_loc *l, char *buf, size_t cap);
/* "2001:db8::1"; returns buf. cap >= 46. */
const char *aero_in6_format(const struct aero_in6 *a, char *buf, size_t cap);
/* Parse an IPv6 address; 0 or AERO_ERR_INVAL. */
int aero_in6_parse(struct aero_in6 *out, const char *s);

/* Metadata beside every packet in and out. */
struct aero_pktinfo {
	enum aero_side side;
	struct aero_loc src, dst; /* UNDERLAY: outer addresses and UDP ports */
	uint8_t tclass;           /* UNDERLAY: outer DSCP+ECN (TOS) */
	uint8_t ttl;              /* UNDERLAY: outer TTL / hop limit */
	uint32_t flow_label;      /* UNDERLAY over IPv6: outer flow label */
	uint32_t ifindex;         /* TUNNEL: 0 = the AERO interface, k = the
	                             k-th downstream link of a router Client */
};

/* ---- events ------------------------------------------------------------- */

enum aero_event_type {
	AERO_EV_STATE,            /* name = new state of the role machine */
	AERO_EV_NAME_QUERY,       /* name = DNS name to resolve; answer with
	                             aero_node_name_answer() */
	AERO_EV_PREFIX_DELEGATED, /* Client: prefix/plen, lifetimes, server */
	AERO_EV_PREFIX_RENEWED,   /* Client: lifetimes refreshed */
	AERO_EV_PREFIX_LOST,      /* Client: released, expired or refused */
	AERO_EV_ADDR_ADD,         /* addr on ifindex (0 = AERO iface) */
	AERO_EV_ADDR_DEL,
	AERO_EV_ROUTE_ADD,        /* prefix/plen: kind, next hop addr, ifindex */
	AERO_EV_ROUTE_DEL,
	AERO_EV_ROUTE_ANNOUNCE,   /* Server: prefix/plen delegated, via loc */
	AERO_EV_ROUTE_WITHDRAW,   /* Server: prefix/plen no longer delegated */
	AERO_EV_NEIGHBOR_UP,      /* addr (link-local) at loc */
	AERO_EV_NEIGHBOR_DOWN,
	AERO_EV_RO_UP,            /* route optimisation: src_prefix -> prefix
	                             direct to loc (FORWARD, ingress) */
	AERO_EV_RO_DOWN,
	AERO_EV_HANDOVER,         /* Client: new locator (loc) or new Server */
	AERO_EV_BINDING,          /* Server: binding created/refreshed/freed;
	                             name = "bound", "renewed", "released",
	                             "expired", "free", "moved"; "keys" = P2
	                             registration changed its keys (persist);
	                             addr = Client AERO */
	AERO_EV_DROP,             /* name = counter of the drop (only with
	                             cfg.drop_events) */
	AERO_EV__COUNT
};
const char *aero_event_name(enum aero_event_type t); /* "prefix-delegated" */

enum aero_route_kind {
	AERO_RT_VIA,       /* via next hop addr on the AERO interface */
	AERO_RT_BLACKHOLE, /* host model: the rest of the prefix */
	AERO_RT_LINK,      /* on-link on downstream link ifindex */
};

struct aero_event {
	enum aero_event_type type;
	struct aero_in6 prefix;     /* PREFIX_*, ROUTE_*, RO_* */
	uint8_t plen;
	struct aero_in6 src_prefix; /* RO_*: ingress-side prefix */
	uint8_t src_plen;
	struct aero_in6 addr;       /* ADDR_*, NEIGHBOR_*, ROUTE next hop, server */
	struct aero_loc loc;        /* NEIGHBOR_*, RO_*, HANDOVER, server */
	uint32_t vltime, pltime;    /* seconds (0xffffffff = infinity) */
	enum aero_route_kind rkind;
	uint32_t ifindex;
	bool nodad;                 /* ADDR_ADD: skip DAD (PIO-X / AERO iface) */
	const char *name;           /* valid until the next call on the node */
};

enum aero_out_kind { AERO_OUT_PACKET, AERO_OUT_EVENT };

/* One output. data/name point into the node and stay valid until the next
 * aero_node_* call on the same node. */
struct aero_out {
	enum aero_out_kind kind;
	struct aero_pktinfo pi; /* PACKET: side and, for UNDERLAY, where to */
	const uint8_t *data;
	size_t len;
	struct aero_event ev;   /* EVENT */
};

/* ---- configuration ------------------------------------------------------ */

#define AERO_MAX_PRL 8
#define AERO_MAX_POOLS 8
#define AERO_MAX_AGGREGATES 4
#define AERO_MAX_RELAYS 4
#define AERO_MAX_DOWNSTREAM 8
#define AERO_MAX_DUID 130
#define AERO_NAME_MAX 254

struct aero_pool {
	struct aero_in6 prefix; /* the pool, e.g. 2001:db8:1000::/40 */
	uint8_t plen;
	uint8_t deleg_len;      /* length of each delegated prefix, e.g. 56 */
};

struct aero_prefix {
	struct aero_in6 prefix;
	uint8_t plen;
};

/* A Server or Relay as a neighbour: locator and link-local ID (fe80::ID). */
struct aero_peer {
	struct aero_loc loc;
	uint32_t id;
};

struct aero_config {
	enum aero_role role;
	enum aero_profile profile;
	struct aero_loc self;   /* own underlay locator (Server/Relay: port 8060) */
	uint32_t id;            /* Server/Relay: link-local fe80::ID, 0 < ID */
	uint16_t mtu;           /* inner tunnel MTU; >= 1280 (default 1280) */
	bool pio_x;             /* PIO X mode on this AERO interface */
	uint8_t icv_key[20];    /* P2: link-wide ICV key (SEAL HMAC-SHA1-80) */
	size_t icv_key_len;     /* 0 = no ICV */
	uint32_t replay_window; /* P2 anti-replay window (packets, <= 64) */
	bool drop_events;       /* emit AERO_EV_DROP beside the counters */

	/* Client */
	enum aero_model model;
	struct aero_peer prl[AERO_MAX_PRL]; /* Potential Router List */
	size_t n_prl;
	char prl_name[AERO_NAME_MAX + 1];   /* Client: PRL name asked when n_prl
	                                       == 0; Server/Relay: domain of
	                                       last-resort next-hop lookups */
	uint8_t duid[AERO_MAX_DUID];        /* DHCPv6 DUID; len 0 = DUID-LL
	                                       from a random MAC at start */
	size_t duid_len;
	uint32_t iaid;
	struct aero_prefix hint;            /* plen 0 = no hint */
	bool rapid_commit;                  /* 2-message exchange (default) */
	unsigned n_downstream;              /* router/hybrid: downstream links */
	aero_duration rs_mrt;               /* RS back-off cap (RFC 7559 MRT) */

	/* Server */
	struct aero_pool pools[AERO_MAX_POOLS];
	size_t n_pools;
	uint32_t vltime, pltime;            /* s, delegated prefixes */
	uint32_t t1, t2;                    /* s; 0 = 0.5 / 0.8 x pltime */
	aero_duration grace;                /* hold a freed prefix; NONE = vltime */
	uint8_t preference;                 /* DHCPv6 Preference option */
	bool dhcp_relay;                    /* relay to an external server */
	struct aero_loc dhcp_server;        /* its address (outer, UDP 547) */
	struct aero_peer relays[AERO_MAX_RELAYS]; /* default route (ECMP) */
	size_t n_relays;
	bool ra_pio;                        /* include PIOs in RAs */
	uint32_t ra_lifetime;               /* s, Router Lifetime */

	/* Relay */
	struct aero_prefix aggregates[AERO_MAX_AGGREGATES];
	size_t n_aggregates;

	/* timers (defaults per digest section 5) */
	aero_duration reachable_time;       /* 30 s */
	aero_duration retrans_timer;        /* 1 s */
	aero_duration forward_time;         /* 30 s */
	aero_duration accept_time;          /* 40 s */
	aero_duration keepalive_time;       /* 5 s */
	unsigned max_retry;                 /* 3 */

	/* bounds (0 = default) */
	size_t max_neighbors, max_bindings, max_routes, max_ro;

	/* Server with dhcp_relay: source address of the Relay-forward
	 * messages sent out the tunnel side (and their link-address), where
	 * the DHCPv6 server sends its Relay-replies. A global address of the
	 * Server's own stack; :: = the link-local fe80::ID. */
	struct aero_in6 dhcp_relay_src;
};

/* Fill every default for the role (profile P1, MTU 1280, RFC timers). */
void aero_config_default(struct aero_config *cfg, enum aero_role role);

struct aero_callbacks {
	/* required: fill dst with len random bytes (seeded PRNG in simulation
	 * and replay, getrandom in the daemon) */
	void (*rand)(uint8_t *dst, size_t len, void *user);
	/* optional: one formatted line, no newline; level as syslog (3..7) */
	void (*log)(int level, const char *msg, void *user);
};

/* ---- the node ----------------------------------------------------------- */

typedef struct aero_node aero_node;

/*
 * Create a node and start it at now (a Client begins discovery at once).
 * cfg is copied; cb and user must outlive the node.
 * Returns 0, or AERO_ERR_INVAL (missing rand callback, bad config: the
 * reason is logged).
 */
int aero_node_new(aero_node **out, const struct aero_config *cfg,
                  const struct aero_callbacks *cb, void *user,
                  aero_tstamp now);
void aero_node_free(aero_node *n);

/* Hand the node one packet received at now (see the file comment for the
 * two sides). Returns 0 (also when the packet was dropped) or
 * AERO_ERR_INVAL (NULL arguments, time going backwards). */
int aero_node_recv(aero_node *n, const struct aero_pktinfo *pi,
                   const uint8_t *pkt, size_t len, aero_tstamp now);

/* Run every timer due at or before now. Returns 0 or AERO_ERR_INVAL. */
int aero_node_timeout(aero_node *n, aero_tstamp now);

/* The earliest time the node wants aero_node_timeout, or AERO_TSTAMP_NONE. */
aero_tstamp aero_node_deadline(const aero_node *n);

/* Take the next output: 1 = *out filled, 0 = queue empty. */
int aero_node_poll(aero_node *n, struct aero_out *out);

/* The host resolved a name the node asked for (AERO_EV_NAME_QUERY);
 * n_peers == 0 means "no such name". Returns 0 or AERO_ERR_STATE (no such
 * query pending). */
int aero_node_name_answer(aero_node *n, const char *name,
                          const struct aero_peer *peers, size_t n_peers,
                          aero_tstamp now);

/* The node's own locator changed (Client mobility, NAT rebinding). */
int aero_node_set_locator(aero_node *n, const struct aero_loc *loc,
                          aero_tstamp now);

/* Relay (and Server): a route learned or withdrawn from the route
 * distribution (BGP in emulation, messages in simulation): prefix via the
 * Server at peer. Returns 0, AERO_ERR_STATE (wrong role), AERO_ERR_FULL. */
int aero_node_route_update(aero_node *n, bool add,
                           const struct aero_prefix *prefix,
                           const struct aero_peer *server, aero_tstamp now);

/* Orderly shutdown: a Client releases its prefix (RFC 8415 Release), a
 * Server withdraws its routes. The node keeps running its timers until
 * aero_node_deadline() is NONE or the host frees it. */
int aero_node_shutdown(aero_node *n, aero_tstamp now);

/* ---- introspection ------------------------------------------------------ */

/* Value of a named counter ("rx_packets", "drop_bad_icv", ...); 0 for an
 * unknown name. */
uint64_t aero_node_counter(const aero_node *n, const char *name);
/* Iterate counters: index i = 0.. until it returns NULL. */
const char *aero_node_counter_at(const aero_node *n, size_t i, uint64_t *val);
/* The whole state as one JSON object (role, state, neighbours, bindings,
 * routes, RO entries, counters). g_free() the result. */
char *aero_node_dump_json(const aero_node *n);
enum aero_role aero_node_role(const aero_node *n);
/* Client: the delegated prefix (0 = none yet, 1 = *p filled). */
int aero_node_client_prefix(const aero_node *n, struct aero_prefix *p);

/* ---- Server bindings: export and import (lease files) ---------------- */

/* One DHCPv6 PD binding of a Server, as a host stores it to survive a
 * restart (the daemon's lease file). */
struct aero_binding_rec {
	struct aero_prefix prefix;
	uint8_t duid[AERO_MAX_DUID];
	size_t duid_len;
	uint32_t iaid;
	struct aero_in6 addr;    /* the Client's AERO address */
	struct aero_loc loc;     /* its locator */
	uint32_t vltime, pltime; /* remaining seconds (0xffffffff = infinity) */
	uint8_t icv_key[20];     /* P2: the Client's own ICV key (registration) */
	size_t icv_key_len;      /* 0 = none (P1, or not registered) */
	uint32_t tx_id;          /* P2: the Server's next SEAL Identification
	                            towards the Client; import continues
	                            2^31 - 1 later so the Client's anti-replay
	                            window accepts it whatever was sent since */
};

/* Server: call fn for every live (bound or stale) binding, in prefix
 * order. Returns the number of bindings, or AERO_ERR_STATE (not a
 * Server). */
int aero_node_bindings(const aero_node *n,
                       void (*fn)(const struct aero_binding_rec *b,
                                  void *user),
                       void *user);

/* Server: restore a binding exported before a restart: the neighbour
 * entry, the route and the ROUTE_ANNOUNCE, with the remaining lifetimes.
 * Returns 0, AERO_ERR_STATE (not a Server, or the prefix is taken or in
 * no pool), AERO_ERR_INVAL (bad record) or AERO_ERR_FULL. */
int aero_node_binding_import(aero_node *n, const struct aero_binding_rec *b,
                             aero_tstamp now);

/* ---- kernel fast path: what a host may forward without the core ---------- */

/*
 * A host may carry established data packets itself (aerod's eBPF data path)
 * as long as it does exactly what the core would do with them. The core
 * exports that as a table (aero_node_fastpath) and the host reports what it
 * carried (aero_node_fastpath_sent), so that the state the core keeps from
 * data traffic (route-optimisation keepalives, NUD of the Server) stays
 * live. Everything else -- every control message (they all have link-local
 * or multicast inner addresses), anything not in the table -- still goes
 * through the core. P1 Clients only: P2 needs the SEAL ICV and anti-replay
 * on every packet, and a Server or a Relay forwards between neighbours.
 */
#define AERO_FP_MAX_ROUTES 64
#define AERO_FP_MAX_ADMIT 32

enum aero_fp_action {
	AERO_FP_SLOW = 0,   /* through the core (black hole, ECMP, no neighbour) */
	AERO_FP_TUNNEL,     /* encapsulate to loc */
	AERO_FP_DELIVER,    /* from the underlay: to the AERO interface as is */
};

struct aero_fp_route {
	struct aero_in6 dst;  /* inner destination prefix */
	uint8_t dst_len;
	struct aero_in6 src;  /* only for inner sources in src/src_len */
	uint8_t src_len;      /* 0: any source */
	bool ro;              /* a route-optimisation FORWARD entry: takes
	                         precedence over every FIB route */
	uint8_t action;       /* enum aero_fp_action */
	struct aero_loc loc;  /* AERO_FP_TUNNEL: the neighbour's locator */
	uint32_t ifindex;     /* AERO_FP_DELIVER: 0 = the AERO interface, k =
	                         downstream link k (as in AERO_OUT_PACKET) */
};

/* Packets from loc are admitted when their inner source is in src/src_len
 * and their inner destination in dst/dst_len (0: any): a trusted
 * Server/Relay (digest 6.2 (c)) or a route-optimisation ACCEPT entry (b). */
struct aero_fp_admit {
	struct aero_loc loc;
	struct aero_in6 src, dst;
	uint8_t src_len, dst_len;
};

struct aero_fastpath {
	bool enabled;         /* false: everything through the core */
	uint32_t mtu;         /* inner packets above it: through the core (PTB) */
	bool local_only;      /* host model: every delivered packet is for this
	                         host (no forwarding to downstream links) */
	struct aero_loc self;
	size_t n_routes, n_admit;
	struct aero_fp_route routes[AERO_FP_MAX_ROUTES];
	struct aero_fp_admit admit[AERO_FP_MAX_ADMIT];
};

/* Fill *fp with the current table (deterministic order: a host compares
 * two snapshots with memcmp after zeroing *fp). Returns 0. */
int aero_node_fastpath(const aero_node *n, struct aero_fastpath *fp);

/* The host's fast path sent data packets from the tunnel side; pkt is the
 * start (at least the 40-byte IPv6 header) of the last one. The core does
 * the bookkeeping of a sent packet without sending it. Returns 0 or
 * AERO_ERR_INVAL. */
int aero_node_fastpath_sent(aero_node *n, const uint8_t *pkt, size_t len,
                            aero_tstamp now);

/* One-line text of an output for logs and golden files; returns buf. */
const char *aero_out_format(const struct aero_out *o, char *buf, size_t cap);

/*
 * Build the full outer packet (IPv4 or IPv6 header + UDP + payload) of an
 * UNDERLAY output, for hosts that write raw frames. ip_id: IPv4
 * Identification. Returns the length, or AERO_ERR_INVAL (not an underlay
 * packet, or cap too small).
 */
int aero_out_frame(const struct aero_out *o, uint8_t *buf, size_t cap,
                   uint16_t ip_id);

#ifdef __cplusplus
}
#endif

#endif
