/*
 * tests/sim/harness.h -- the in-process discrete-event network harness.
 *
 * N core nodes (aero_node) on one simulated underlay; links with delay,
 * jitter, loss, duplication and reordering drawn from one seeded RNG; a
 * virtual clock that jumps from event to event. Whole-protocol tests run
 * in milliseconds and are byte-for-byte reproducible for a seed.
 *
 * The harness is the host of every node: it delivers underlay packets to
 * the node whose locator matches the destination, runs node timers at
 * their deadlines, answers NAME_QUERY events from its DNS table, carries
 * ROUTE_ANNOUNCE/WITHDRAW from Servers to every Relay (and to the other
 * Servers) after a BGP delay, and hands tunnel-side packets to a sink.
 */
#ifndef AERO_TESTS_SIM_HARNESS_H
#define AERO_TESTS_SIM_HARNESS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "aero/aero.h"

struct sim;

struct sim_link {
	aero_duration delay;   /* one-way base delay */
	aero_duration jitter;  /* + U(0, jitter) per packet (reorders) */
	double loss;           /* probability a packet is lost */
	double dup;            /* probability a packet is duplicated */
};

/* A new empty network; seed drives every random draw (links and the
 * nodes' rand callbacks). Default link: 1 ms, no loss. */
struct sim *sim_new(uint64_t seed);
void sim_free(struct sim *s);

/* Add a node (cfg copied; cfg->self must be unique). Returns its index
 * (0, 1, ...) or -1 when aero_node_new refused the configuration. */
int sim_add(struct sim *s, const struct aero_config *cfg, const char *name);
int sim_count(const struct sim *s);
aero_node *sim_node(struct sim *s, int i);
const char *sim_name(const struct sim *s, int i);
const struct aero_config *sim_config(const struct sim *s, int i);
/* The index of the node called name, or -1. */
int sim_find(const struct sim *s, const char *name);
/* Whether node i is up (sim_node_up), and where the underlay delivers to
 * it now (its configured locator, or the last sim_move). */
bool sim_is_up(const struct sim *s, int i);
const struct aero_loc *sim_locator(const struct sim *s, int i);

/* Link parameters: the default for every pair, or one direction a -> b. */
void sim_link_default(struct sim *s, const struct sim_link *l);
void sim_link_set(struct sim *s, int a, int b, const struct sim_link *l);

/* Reachability: a down node neither sends nor receives (its timers still
 * run); a down pair (both directions) loses everything between a and b. */
void sim_node_up(struct sim *s, int i, bool up);
void sim_pair_up(struct sim *s, int a, int b, bool up);

/* Crash and restart node i now: free it and create it again with the same
 * configuration (state lost). */
void sim_restart(struct sim *s, int i);

/* After a test called an aero_node_* input on node i itself (say
 * aero_node_shutdown), take the node's outputs and re-arm its timer. */
void sim_drain(struct sim *s, int i);

/* Mobility: node i now has locator loc (the underlay delivers to it there
 * at once; the node is told with aero_node_set_locator). */
void sim_move(struct sim *s, int i, const struct aero_loc *loc);

/* Name service for NAME_QUERY: name -> peers (replaces an entry). */
void sim_dns_add(struct sim *s, const char *name, const struct aero_peer *p,
                 size_t n);

/* Delay of the modelled iBGP session Server -> Relay/Server (default
 * 10 ms). Announcements are applied with aero_node_route_update. The
 * session of a Server drops when it goes down (sim_node_up false) or
 * restarts: its routes are withdrawn everywhere after the delay, and
 * announced again when it comes back up; a restarted Relay or Server gets
 * every route of the Servers that are up again (session re-established). */
void sim_set_bgp_delay(struct sim *s, aero_duration d);
/* Whether Servers receive each other's routes (default true: a full iBGP
 * mesh). false: only the Relays learn them, so traffic and RFC 6706
 * messages between Clients of different Servers pass through a Relay
 * (the Servers' default route). */
void sim_set_bgp_to_servers(struct sim *s, bool on);

/* The modelled iBGP RIB: how many Servers that are up currently announce
 * exactly this prefix (as emitted, before the BGP delay). */
int sim_rib_count(const struct sim *s, const struct aero_prefix *p);

/* Inject an inner IPv6 packet on node i's tunnel side at time at. */
void sim_inject_tunnel(struct sim *s, int i, const uint8_t *pkt, size_t len,
                       aero_tstamp at);

/* Report to node i at time at that a host fast path sent the packet that
 * starts with pkt (aero_node_fastpath_sent), as aerod's eBPF data path
 * does for the traffic it carries past the core. */
void sim_fastpath_sent(struct sim *s, int i, const uint8_t *pkt, size_t len,
                       aero_tstamp at);

/* Callbacks. The tunnel sink sees every packet a node delivers to its
 * tunnel side; the event hook sees every event (after the harness acted on
 * it); the step hook runs after every processed simulation event (use it
 * for invariants checked "after every event"). */
/* Hooks run while the harness is draining a node: they may read any node
 * and schedule work (sim_at, sim_inject_*), but must not call sim_restart,
 * sim_move or aero_node_* inputs themselves (schedule them with sim_at). */
typedef void (*sim_tunnel_fn)(struct sim *s, int node, const uint8_t *pkt,
                              size_t len, aero_tstamp now, void *user);
typedef void (*sim_event_fn)(struct sim *s, int node,
                             const struct aero_event *ev, aero_tstamp now,
                             void *user);
typedef void (*sim_step_fn)(struct sim *s, aero_tstamp now, void *user);
void sim_on_tunnel(struct sim *s, sim_tunnel_fn fn, void *user);
/* The underlay tap sees every underlay packet a node sends (from an up
 * node, before the link model drops or delays it). */
typedef void (*sim_underlay_fn)(struct sim *s, int from,
                                const struct aero_pktinfo *pi,
                                const uint8_t *pkt, size_t len,
                                aero_tstamp now, void *user);
void sim_on_underlay(struct sim *s, sim_underlay_fn fn, void *user);
/* Deliver a packet of the test's own making (forged, replayed) to the node
 * at pi->dst at time at, as if sent from pi->src; no link model. */
void sim_inject_underlay(struct sim *s, const struct aero_pktinfo *pi,
                         const uint8_t *pkt, size_t len, aero_tstamp at);
void sim_on_event(struct sim *s, sim_event_fn fn, void *user);
void sim_on_step(struct sim *s, sim_step_fn fn, void *user);

/* Schedule fn(s, user) at time at (test-driven actions on the timeline). */
void sim_at(struct sim *s, aero_tstamp at, void (*fn)(struct sim *, void *),
            void *user);

/* Run until the clock reaches t (events at exactly t are processed). */
void sim_run_until(struct sim *s, aero_tstamp t);
/* Run until cond returns true (checked after every event) or the clock
 * passes limit. Returns cond's final value. */
bool sim_run_cond(struct sim *s, aero_tstamp limit,
                  bool (*cond)(struct sim *, void *), void *user);
aero_tstamp sim_now(const struct sim *s);

/* Every output of every node as one text line ("<t> <node> <line>"), in
 * order: the determinism test compares two runs' logs. NULL unless
 * sim_keep_log(s, true) was called before running. */
void sim_keep_log(struct sim *s, bool on);
const GString *sim_log(const struct sim *s);
/* Append a test's own line ("<t> test <text>") to the log. */
void sim_note(struct sim *s, const char *text);
/* Environment AERO_SIM_TRACE=1 prints every log line and every node log
 * message to stderr while running (debugging aid). */

/* Harness counters: underlay packets sent, delivered, lost, duplicated,
 * undeliverable (no node at the destination locator). */
struct sim_stats {
	uint64_t sent, delivered, lost, duplicated, undeliverable, events;
};
const struct sim_stats *sim_stats(const struct sim *s);

/* Build a minimal inner IPv6/UDP packet src -> dst with payload bytes
 * (test traffic; payload may carry a sequence number). Returns length. */
size_t sim_build_udp(uint8_t *buf, size_t cap, const struct aero_in6 *src,
                     const struct aero_in6 *dst, uint16_t sport,
                     uint16_t dport, const uint8_t *payload, size_t plen);

#endif
