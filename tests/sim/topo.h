/*
 * tests/sim/topo.h -- standard AERO topologies on the harness for the
 * whole-protocol tests (tests/unit/test_sim_*.c), and a tracker of the
 * delegations the Clients report.
 *
 * Addressing:
 *   Relay       192.0.2.1:8060, fe80::1, aggregate 2001:db8::/32
 *   Server k    192.0.2.(10+k):8060, fe80::(10+k), pool 2001:db8:(k+1)00::/40
 *               delegating /deleg_len (default /56)
 *   Client i    10.(1+i/62500).(i/250%250).(1+i%250):(40000+i%1000)
 * Client i's PRL lists every Server, starting with Server i % n_servers.
 */
#ifndef AERO_TESTS_SIM_TOPO_H
#define AERO_TESTS_SIM_TOPO_H

#include "harness.h"

#define TOPO_MAX_SERVERS 8

struct topo_cfg {
	int n_servers;             /* 0..8 */
	bool relay;                /* one Relay */
	int n_clients;
	enum aero_profile profile; /* 0 = P1 */
	bool icv;                  /* P2: a link-wide ICV key on every node */
	uint8_t deleg_len;         /* 0 = 56 */
	uint32_t vltime, pltime;   /* Server lifetimes; 0 = defaults */
	uint32_t t1, t2;           /* Server T1/T2; 0 = defaults */
	bool four_msg;             /* Clients without Rapid Commit */
	enum aero_model model;
	unsigned n_downstream;
	bool client_dns;           /* Clients find the PRL by name (DNS) */
	bool no_client_start;      /* do not add the Clients (the test does) */
	bool bgp_relay_only;       /* Servers do not learn each other's routes
	                              (sim_set_bgp_to_servers false) */
	struct sim_link link;      /* delay 0 = harness default */
};

struct topo {
	struct sim *s;
	struct topo_cfg c;
	int relay;                     /* -1 without */
	int server[TOPO_MAX_SERVERS];
	int *client;                   /* sim index of Client i */
	int n_clients;
	/* tracker (from the Clients' events) */
	struct aero_prefix *cur;       /* by sim index: plen 0 = none */
	GHashTable *owner;             /* prefix key -> sim index + 1 */
	unsigned double_bound;         /* a prefix delegated to two at once */
	GString *violations;
	unsigned delegated, renewed, lost;
	/* test traffic (UDP to port TOPO_PORT) seen on tunnel sides */
	GArray *arrivals;              /* struct topo_arrival */
	/* chained hooks */
	sim_event_fn ev_fn;
	void *ev_user;
};

#define TOPO_PORT 7777
struct topo_arrival {
	int node;
	uint32_t seq;
	aero_tstamp at;
	uint8_t hop_limit;
};

void topo_relay_cfg(struct aero_config *cfg);
void topo_server_cfg(const struct topo_cfg *tc, int k, struct aero_config *cfg);
void topo_client_cfg(const struct topo_cfg *tc, int i, struct aero_config *cfg);

/* Build the network (nodes added at time 0) and install the tracker. */
struct topo *topo_new(const struct topo_cfg *tc, uint64_t seed);
void topo_free(struct topo *t);
/* Add Client i (0 <= i < n_clients) now (with no_client_start). */
void topo_add_client(struct topo *t, int i);
/* A further event hook, called after the tracker's. */
void topo_on_event(struct topo *t, sim_event_fn fn, void *user);

/* Client i's prefix as its events report it (false = none), cross-checked
 * against aero_node_client_prefix. */
bool topo_prefix(struct topo *t, int i, struct aero_prefix *p);
/* Number of Clients holding a prefix. */
int topo_n_bound(struct topo *t);
/* sim_run_cond condition: every Client holds a prefix. */
bool topo_all_bound(struct sim *s, void *topo);
/* Live prefixes (held by a Client) not announced by exactly one Server
 * that is up; details appended to why (may be NULL). */
int topo_announce_errors(struct topo *t, GString *why);
/* Inject a test UDP packet src -> dst:TOPO_PORT carrying seq on node's
 * tunnel side at time at (NONE = now). */
void topo_send(struct topo *t, int node, const struct aero_in6 *src,
               const struct aero_in6 *dst, uint32_t seq, aero_tstamp at);
/* Test packets that arrived at node's tunnel side (all nodes: -1). */
unsigned topo_arrived(struct topo *t, int node);
/* prefix::1, the host-model address of a delegated prefix. */
struct aero_in6 topo_addr1(const struct aero_prefix *p);
/* "2001:db8:100::/56" */
const char *topo_pfx_str(const struct aero_prefix *p, char *buf, size_t cap);

#endif
