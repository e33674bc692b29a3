/*
 * core/src/node.h -- internals shared by node.c, the tables, the tunnel
 * rules and the role files. Hosts never include this; they use aero/aero.h.
 *
 * Discipline (style anchors 3.2):
 *  - no clock, socket or sleep: time is n->now, set by every API entry;
 *  - every timer is a struct tmr embedded in the object it belongs to and
 *    armed with tmr_set(); aero_node_deadline() is the top of one heap;
 *  - every dropped packet goes through DROP(n, reason) which counts it in a
 *    named counter (counters.def) and logs at debug;
 *  - outputs are queued with out_*(); the host drains them with poll.
 */
#ifndef AERO_NODE_H
#define AERO_NODE_H

#include <glib.h>
#include <stdarg.h>
#include <string.h>

#include "aero/aero.h"
#include "aero/wire.h"

/* ---- counters (X-macro; one .def per module, each owned by its file) ---- */
enum node_counter {
#define C(name, help) CNT_##name,
#include "counters.def"
#undef C
	CNT__COUNT
};

/* ---- logging ------------------------------------------------------------ */
enum { LOG_ERR_ = 3, LOG_WARN_ = 4, LOG_NOTICE_ = 5, LOG_INFO_ = 6,
       LOG_DEBUG_ = 7 };
void node_log(const struct aero_node *n, int level, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
#define NLOG(n, lvl, ...) node_log((n), (lvl), __VA_ARGS__)

/* Count a drop under a named reason (CNT_drop_<reason>), log it at debug
 * with the function name, and emit AERO_EV_DROP when configured. */
void node_drop(struct aero_node *n, enum node_counter c, const char *func,
               const char *why);
#define DROP(n, reason, why) node_drop((n), CNT_##reason, __func__, (why))
#define COUNT(n, name) ((n)->cnt[CNT_##name]++)
#define COUNT_ADD(n, name, v) ((n)->cnt[CNT_##name] += (v))

/* ---- timers --------------------------------------------------------------
 * An intrusive min-heap. Embed a struct tmr in any object, tmr_init() it
 * with its callback once, then tmr_set()/tmr_cancel() freely. The callback
 * runs from aero_node_timeout() with the timer already disarmed. Always
 * tmr_cancel() before freeing the object. */
struct tmr;
typedef void (*tmr_fn)(struct aero_node *n, struct tmr *t);
struct tmr {
	aero_tstamp when;  /* AERO_TSTAMP_NONE when disarmed */
	size_t hidx;       /* position in the heap (SIZE_MAX when disarmed) */
	tmr_fn fn;
};
void tmr_init(struct tmr *t, tmr_fn fn);
void tmr_set(struct aero_node *n, struct tmr *t, aero_tstamp when);
void tmr_set_in(struct aero_node *n, struct tmr *t, aero_duration d);
void tmr_cancel(struct aero_node *n, struct tmr *t);
static inline bool tmr_armed(const struct tmr *t)
{
	return t->when != AERO_TSTAMP_NONE;
}

/* ---- randomness --------------------------------------------------------- */
uint32_t node_rand32(struct aero_node *n);
/* uniform in [0, bound) */
uint64_t node_rand_below(struct aero_node *n, uint64_t bound);
/* d * (1 + U(-frac, +frac)), frac in [0,1] (RFC 4861/8415 jitter) */
aero_duration node_jitter(struct aero_node *n, aero_duration d, double lo,
                          double hi);

/* ---- neighbour cache (nce.c) -------------------------------------------- */
enum nce_state { NCE_INCOMPLETE, NCE_REACHABLE, NCE_STALE, NCE_DELAY,
                 NCE_PROBE, NCE_UNREACHABLE };
enum nce_kind { NCE_SERVER, NCE_RELAY, NCE_CLIENT, NCE_PEER };
extern const char *const nce_state_name[];
extern const char *const nce_kind_name[];

struct nce {
	struct aero_in6 ll;     /* AERO address / fe80::ID / temporary LL */
	struct aero_loc loc;    /* observed locator (NAT-aware) */
	enum nce_state state;
	enum nce_kind kind;
	uint8_t link_id;
	unsigned probes;        /* NUD probes sent in PROBE */
	aero_tstamp reach_until;
	struct tmr t_nud;       /* owned by the NUD code (nud.c) */
	/* P2 (tunnel.c) */
	uint32_t tx_id;
	struct aero_seal_replay rx_win;
	uint8_t icv_key[20];
	size_t icv_key_len;     /* 0: use the link-wide key */
	uint8_t icv_prev[20];   /* the key before the last change, accepted */
	size_t icv_prev_len;    /* on receive until icv_prev_until */
	aero_tstamp icv_prev_until;
	/* P2 Identification re-synchronisation (nud_resync_*): a nonce sent
	 * in an SNS after a valid packet fell left of the window */
	uint8_t resync_nonce[AERO_ND_NONCE_LEN];
	bool resync_pending;
	aero_tstamp resync_sent;
	void *role_data;        /* Server: the binding; freed by the role */
};
struct nce *nce_lookup(struct aero_node *n, const struct aero_in6 *ll);
/* Create (or return the existing) entry; NULL when the table is full
 * (counted as drop_nce_full). Emits NEIGHBOR_UP when created REACHABLE. */
struct nce *nce_create(struct aero_node *n, const struct aero_in6 *ll,
                       const struct aero_loc *loc, enum nce_kind kind);
/* Change state; emits NEIGHBOR_UP/DOWN on the REACHABLE<->UNREACHABLE
 * edges. */
void nce_set_state(struct aero_node *n, struct nce *e, enum nce_state s);
/* A valid packet from the neighbour: REACHABLE, refresh reach_until,
 * update the locator if it moved (returns true when it did). */
bool nce_confirm(struct aero_node *n, struct nce *e, const struct aero_loc *loc);
void nce_delete(struct aero_node *n, struct nce *e);
/* The entry whose locator is loc (NULL if none). */
struct nce *nce_by_loc(struct aero_node *n, const struct aero_loc *loc);
/* Move an entry to a new locator (keeps the locator index right). */
void nce_set_loc(struct aero_node *n, struct nce *e, const struct aero_loc *loc);
size_t nce_count(const struct aero_node *n);
guint nce_loc_hash(gconstpointer p);
gboolean nce_loc_equal(gconstpointer a, gconstpointer b);
void nce_foreach(struct aero_node *n, void (*fn)(struct aero_node *,
                 struct nce *, void *), void *arg);

/* ---- FIB: longest-prefix match with ECMP (fib.c) ------------------------ */
enum nh_kind {
	NH_NEIGHBOR,  /* encapsulate to the neighbour with link-local ll */
	NH_TUNNEL,    /* deliver to the host's IP stack (tunnel side) */
	NH_BLACKHOLE, /* drop (host model, Relay aggregate) */
	NH_LOCAL,     /* addressed to this node */
};
#define FIB_MAX_NH 4
struct fib_nh {
	enum nh_kind kind;
	struct aero_in6 ll;  /* NH_NEIGHBOR */
	uint32_t ifindex;    /* NH_TUNNEL */
};
struct fib_entry {
	struct aero_in6 prefix;   /* masked */
	uint8_t plen;
	uint8_t n_nh;
	uint8_t origin;           /* FIB_ORIGIN_* */
	struct fib_nh nh[FIB_MAX_NH];
};
enum { FIB_ORIGIN_STATIC, FIB_ORIGIN_DHCP, FIB_ORIGIN_LEARNED,
       FIB_ORIGIN_RA };
/* Add a route or a next hop to an existing route (ECMP). Returns the
 * entry, or NULL when the FIB is full (counted). */
struct fib_entry *fib_add(struct aero_node *n, const struct aero_in6 *prefix,
                          uint8_t plen, const struct fib_nh *nh, uint8_t origin);
/* Remove one next hop (nh != NULL) or the whole route. 0 or -1 (absent). */
int fib_del(struct aero_node *n, const struct aero_in6 *prefix, uint8_t plen,
            const struct fib_nh *nh);
struct fib_entry *fib_exact(struct aero_node *n, const struct aero_in6 *prefix,
                            uint8_t plen);
/* Longest match for dst; NULL = no route. */
struct fib_entry *fib_lookup(struct aero_node *n, const struct aero_in6 *dst);
/* Pick the ECMP next hop by a consistent flow hash. */
const struct fib_nh *fib_pick(const struct fib_entry *e, uint32_t flow_hash);
size_t fib_count(const struct aero_node *n);
void fib_foreach(struct aero_node *n, void (*fn)(struct aero_node *,
                 struct fib_entry *, void *), void *arg);

/* ---- received packet context -------------------------------------------- */
struct rxctx {
	const struct aero_pktinfo *pi; /* as received */
	const uint8_t *pkt;            /* the inner IPv6 packet */
	size_t len;
	struct aero_ipv6 ip6;          /* decoded inner header */
	uint8_t proto;                 /* upper-layer protocol */
	const uint8_t *l4;             /* upper-layer header */
	size_t l4len;
	struct nce *nb;                /* neighbour whose ll is the inner
	                                  source, or NULL */
	bool from_underlay;
	bool icv_ok;                   /* P2: ICV verified with a key */
	bool icv_link_key;             /* P2: verified only with the link-wide
	                                  key although the neighbour has its
	                                  own (registration messages only) */
	uint8_t seal_flags;            /* P2: SEAL flags as received */
	uint8_t seal_link_id;
};

/* ---- role table ---------------------------------------------------------- */
struct role_ops {
	const char *name;
	void (*start)(struct aero_node *n);
	void (*destroy)(struct aero_node *n);
	/* inner ICMPv6 ND from the underlay (already decoded, hop limit 255
	 * and checksum checked) */
	void (*rx_nd)(struct aero_node *n, struct rxctx *rx,
	              const struct aero_nd_msg *m);
	/* inner DHCPv6 (UDP 546/547 payload) */
	void (*rx_dhcp6)(struct aero_node *n, struct rxctx *rx,
	                 const uint8_t *msg, size_t len);
	/* P2: SCMP error message (types 1..4) from the underlay; SRS..SNA go
	 * to rx_nd (node.c converts them), SPD/SRD to ro.c */
	void (*rx_scmp)(struct aero_node *n, struct rxctx *rx,
	                const struct aero_scmp_msg *m);
	/* inner data packet from the underlay (not addressed to the node's
	 * control plane) */
	void (*rx_data)(struct aero_node *n, struct rxctx *rx);
	/* inner packet from the tunnel side (host stack / outside) */
	void (*tx_data)(struct aero_node *n, struct rxctx *rx);
	int (*name_answer)(struct aero_node *n, const char *name,
	                   const struct aero_peer *peers, size_t n_peers);
	int (*set_locator)(struct aero_node *n, const struct aero_loc *loc);
	int (*route_update)(struct aero_node *n, bool add,
	                    const struct aero_prefix *p,
	                    const struct aero_peer *server);
	int (*shutdown)(struct aero_node *n);
	void (*dump)(const struct aero_node *n, GString *js);
	int (*client_prefix)(const struct aero_node *n, struct aero_prefix *p);
	/* Server: binding export/import (aero_node_bindings/_import) */
	int (*bindings)(const struct aero_node *n,
	                void (*fn)(const struct aero_binding_rec *b, void *user),
	                void *user);
	int (*binding_import)(struct aero_node *n,
	                      const struct aero_binding_rec *b);
	/* optional: the fast-path table (aero_node_fastpath; fp zeroed and
	 * filled with the FIB by node.c) and the bookkeeping of a packet the
	 * host's fast path sent (aero_node_fastpath_sent) */
	void (*fastpath)(struct aero_node *n, struct aero_fastpath *fp);
	void (*fastpath_sent)(struct aero_node *n, struct rxctx *rx);
	/* NUD gave up on e (it is now NCE_UNREACHABLE); optional */
	void (*nud_failed)(struct aero_node *n, struct nce *e);
};
extern const struct role_ops client_ops, server_ops, relay_ops;

/* ---- the node ------------------------------------------------------------ */
struct outq_item;

struct aero_node {
	struct aero_config cfg;
	const struct aero_callbacks *cb;
	void *user;
	aero_tstamp now;
	const struct role_ops *ops;
	void *rs;                   /* role state (role file's struct) */
	void *ro;                   /* route optimisation state (ro.c) */
	void *nexthop;              /* last-resort name lookups (nexthop.c) */
	struct aero_in6 ll;         /* own link-local on the AERO interface */
	struct aero_nd_ctx ndctx;   /* AERO link, PIO mode from cfg */

	/* output queue */
	struct outq_item *oq_head, *oq_tail; /* pending outputs */
	struct outq_item *oq_free;  /* recycled items (node.c) */
	unsigned oq_nfree;
	struct outq_item *polled;   /* recycled at the next API call */
	GString *scratch;           /* event names that need storage */

	/* timers */
	GPtrArray *heap;            /* of struct tmr * */

	/* tables */
	GHashTable *nc;             /* struct aero_in6 * -> struct nce * */
	GHashTable *nc_loc;         /* struct aero_loc * -> struct nce * */
	GHashTable *fib_len[129];   /* per prefix length; NULL = empty */
	size_t fib_n;
	uint8_t fib_lens[129];      /* lengths in use, longest first */
	size_t fib_nlens;

	uint64_t cnt[CNT__COUNT];
	uint16_t ip_id;
};

/* ---- outputs ------------------------------------------------------------- */
/* Queue an underlay packet: payload (P1 inner / P2 SEAL+inner) to dst. */
void out_underlay(struct aero_node *n, const struct aero_loc *dst,
                  uint16_t sport, uint8_t tclass, uint8_t ttl,
                  uint32_t flow_label, const uint8_t *hdr, size_t hlen,
                  const uint8_t *payload, size_t len);
/* Queue an inner packet to the tunnel side (host stack / outside). */
void out_tunnel(struct aero_node *n, uint32_t ifindex, const uint8_t *pkt,
                size_t len);
/* Queue an event (ev->name is copied). */
void out_event(struct aero_node *n, const struct aero_event *ev);
/* Shorthands. */
void out_event_simple(struct aero_node *n, enum aero_event_type t,
                      const char *name);
void out_state(struct aero_node *n, const char *state);

/* ---- tunnel rules and sending (tunnel.c) ---------------------------------
 * Send an inner IPv6 packet to a neighbour over the underlay, applying the
 * encapsulation rules (digest 6.1): outer TTL := inner hop limit, outer TC
 * := inner TC (RFC 6040 normal mode), RFC 6438 flow label, P2 SEAL shim with
 * the neighbour's Identification and ICV. Does not touch the inner packet.
 * outer_in != NULL: re-encapsulation out the same interface, TTL/TC copied
 * outer->outer (minus one TTL). Returns 0, or -1 when dropped (counted). */
int tunnel_send(struct aero_node *n, struct nce *nb, const uint8_t *pkt,
                size_t len, const struct aero_pktinfo *outer_in);
/* The same to a bare locator (no neighbour entry yet: Solicit to a PRL
 * entry, replies to an unknown Client). P2 uses the link-wide key. */
int tunnel_send_loc(struct aero_node *n, const struct aero_loc *dst,
                    const uint8_t *pkt, size_t len);
/* Decapsulation ECN rule (RFC 6040 fig. 4): returns the new inner ECN, or
 * -1 to drop (outer CE over Not-ECT inner). */
int tunnel_ecn_decap(uint8_t outer_ecn, uint8_t inner_ecn);
/* Deliver a decapsulated inner packet to the tunnel side with the RFC 6040
 * ECN rule applied (copying the packet when the ECN changes). */
void tunnel_deliver(struct aero_node *n, struct rxctx *rx, uint32_t ifindex);
/* Strip and check the P2 SEAL shim of an underlay packet: ICV (with the
 * sending neighbour's key, else the link-wide key), anti-replay, SCMP.
 * Fills rx->icv_ok/seal_flags/seal_link_id. Returns 0 with inner and ilen set
 * (an inner packet follows), 1 with *sm decoded (an SCMP message), or -1
 * (dropped and counted). */
int tunnel_unwrap(struct aero_node *n, const struct aero_pktinfo *pi,
                  const uint8_t *pkt, size_t len, struct rxctx *rx,
                  const uint8_t **inner, size_t *ilen,
                  struct aero_scmp_msg *sm);
/* P2: send an SCMP message (already encoded) to a neighbour or locator
 * inside a SEAL shim with C=1. */
int tunnel_send_scmp(struct aero_node *n, struct nce *nb,
                     const struct aero_loc *dst, const uint8_t *msg,
                     size_t len);
/* Forward an inner packet by the FIB (hop limit decremented here, ICMPv6
 * Time Exceeded not sent: counted). rx describes the packet as received.
 * Returns the FIB entry used, or NULL when dropped (counted). */
const struct fib_entry *node_forward(struct aero_node *n, struct rxctx *rx);

/* ---- building inner control packets (node.c) ----------------------------- */
#define INNER_MAX 1500
/* Build IPv6 + ICMPv6 ND into buf; returns the length or -1. */
int build_nd(uint8_t *buf, size_t cap, const struct aero_in6 *src,
             const struct aero_in6 *dst, uint8_t hop_limit,
             const struct aero_nd_msg *m);
/* Build IPv6 + UDP (checksummed) around payload; returns length or -1. */
int build_udp(uint8_t *buf, size_t cap, const struct aero_in6 *src,
              const struct aero_in6 *dst, uint8_t hop_limit, uint16_t sport,
              uint16_t dport, const uint8_t *payload, size_t plen);

/* Send a control packet (a complete inner IPv6 packet) to a neighbour
 * (nb) or, without one, to a bare locator; counted as tx_control. */
int node_send_ctl(struct aero_node *n, struct nce *nb,
                  const struct aero_loc *dst, const uint8_t *pkt, size_t len);
/* Send an ND message: P1 as inner IPv6/ICMPv6 (hop limit 255) from src to
 * to; P2 as an SCMP message (no inner IPv6 header; src/to unused). */
int node_send_nd(struct aero_node *n, struct nce *nb, const struct aero_loc *dst,
                 const struct aero_in6 *src, const struct aero_in6 *to,
                 const struct aero_nd_msg *m);
/* Send an inner IPv6/UDP packet (DHCPv6, RFC 6706) built around payload. */
int node_send_udp(struct aero_node *n, struct nce *nb,
                  const struct aero_loc *dst, const struct aero_in6 *src,
                  const struct aero_in6 *to, uint8_t hop_limit,
                  uint16_t sport, uint16_t dport, const uint8_t *payload,
                  size_t plen);

/* Well-known inner addresses. */
extern const struct aero_in6 in6_all_nodes;       /* ff02::1 */
extern const struct aero_in6 in6_all_routers;     /* ff02::2 */
extern const struct aero_in6 in6_dhcp_agents;     /* ff02::1:2 */
extern const struct aero_in6 in6_any;             /* :: */
static inline bool in6_eq(const struct aero_in6 *a, const struct aero_in6 *b)
{
	return memcmp(a->b, b->b, 16) == 0;
}
static inline bool in6_is_ll(const struct aero_in6 *a)
{
	return a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}
static inline bool in6_is_mc(const struct aero_in6 *a)
{
	return a->b[0] == 0xff;
}
/* Hash of the inner flow (for ECMP and the outer flow label). */
uint32_t node_flow_hash(const uint8_t *pkt, size_t len);
/* Table hashing (node.c): an address mixed with a seed (fold the other key
 * fields into the seed); GHashTable functions for keys that start with a
 * struct aero_in6; any bytes. Values are process-local (tables only). */
uint64_t in6_mix(const struct aero_in6 *a, uint64_t seed);
guint in6_hash(gconstpointer p);
gboolean in6_equal(gconstpointer a, gconstpointer b);
uint64_t hash_bytes(uint64_t seed, const void *p, size_t len);

/* JSON helpers for dump() (append to a GString). */
void js_str(GString *js, const char *key, const char *val, bool comma);
void js_u64(GString *js, const char *key, uint64_t v, bool comma);
void js_in6(GString *js, const char *key, const struct aero_in6 *a, bool comma);
void js_loc(GString *js, const char *key, const struct aero_loc *l, bool comma);
void js_prefix(GString *js, const char *key, const struct aero_in6 *p,
               uint8_t plen, bool comma);

#endif
