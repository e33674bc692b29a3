/*
 * The scenario manifest: one YAML file (read with libyaml) describing a run
 * of the AERO/VET testbed, shared by the ns-3 and Mininet hosts. This is the
 * one loader: it validates everything, fills every default, expands counted
 * node groups, assigns underlay addresses and loads the ns-2 mobility trace.
 *
 * Conventions of the returned structure:
 *  - durations and times are int64_t nanoseconds (AERO_SCEN_S = 1 s);
 *  - rates are uint64_t bits per second (0 = unlimited);
 *  - probabilities (loss) are doubles in [0, 1];
 *  - addresses are struct aero_in6; IPv4 ones are stored IPv4-mapped
 *    (::ffff:a.b.c.d) and prefix lengths are then in IPv4 terms (0..32);
 *  - node, network references are indexes into s->nodes / s->networks.
 *
 * Errors: the first error found is reported, as
 * "FILE:LINE:COL: context: what is wrong (expected ...)" with libyaml's mark
 * (1-based). Errors in the mobility file come from ns2mob.
 *
 * GLib-based, no global mutable state, no output.
 */
#ifndef AERO_SCEN_SCENARIO_H
#define AERO_SCEN_SCENARIO_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aero/aero.h"
#include "aero/wire_common.h"
#include "ns2mob.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AERO_SCEN_S INT64_C(1000000000) /* nanoseconds per second */
#define AERO_SCEN_MAX_NODES 100000u     /* after group expansion */
#define AERO_SCEN_MAX_SECONDS 1e9       /* longest duration accepted */

/* GError domain of aero_scenario_load / aero_scenario_parse. */
#define AERO_SCEN_ERROR (aero_scen_error_quark())

enum aero_scen_error {
	AERO_SCEN_ERROR_IO = 1,  /* the manifest cannot be read */
	AERO_SCEN_ERROR_SYNTAX,  /* YAML syntax error */
	AERO_SCEN_ERROR_INVALID, /* valid YAML, invalid scenario */
};

enum aero_scen_role {
	AERO_SCEN_ROLE_CLIENT,
	AERO_SCEN_ROLE_SERVER,
	AERO_SCEN_ROLE_RELAY,
	AERO_SCEN_ROLE_CORRESPONDENT,
	AERO_SCEN_ROLE_ROUTER,
	AERO_SCEN_ROLE_COUNT
};

enum aero_scen_model {
	AERO_SCEN_MODEL_NONE, /* not a client */
	AERO_SCEN_MODEL_HOST,
	AERO_SCEN_MODEL_ROUTER,
	AERO_SCEN_MODEL_HYBRID,
};

enum aero_scen_profile { AERO_SCEN_PROFILE_P1 = 1, AERO_SCEN_PROFILE_P2 = 2 };

enum aero_scen_family { AERO_FAMILY_IPV4 = 4, AERO_FAMILY_IPV6 = 6 };

enum aero_scen_routing { AERO_ROUTING_OLSR, AERO_ROUTING_AODV };

enum aero_scen_mobility_kind {
	AERO_MOBILITY_NONE,              /* no mobility: section */
	AERO_MOBILITY_FILE,              /* ns-2 trace */
	AERO_MOBILITY_RANDOM_WAYPOINT,
	AERO_MOBILITY_CONSTANT_POSITION,
};

enum aero_scen_traffic_type {
	AERO_TRAFFIC_UDP_CBR,
	AERO_TRAFFIC_PING,
	AERO_TRAFFIC_TCP_BULK,
};

enum aero_scen_event_type {
	AERO_EVENT_LINK_DOWN,
	AERO_EVENT_LINK_UP,
	AERO_EVENT_NODE_DOWN,
	AERO_EVENT_NODE_UP,
	AERO_EVENT_MOVE,
	AERO_EVENT_SERVER_CRASH,
	AERO_EVENT_NAT_REBIND,
};

struct aero_scen_prefix {
	struct aero_in6 addr; /* IPv4: IPv4-mapped */
	unsigned plen;        /* IPv4: 0..32, IPv6: 0..128 */
	enum aero_scen_family family;
};

struct aero_scen_run {
	char *name;
	int64_t duration;
	uint32_t seed; /* [1] */
	uint32_t run;  /* [1] ns-3 RngRun */
	char *output;  /* as written [results] */
	char *output_path; /* resolved against the manifest's folder */
};

struct aero_scen_link {
	enum aero_scen_profile profile; /* [P1] */
	uint16_t port;                  /* [8060] */
	uint32_t mtu;                   /* [1280] */
	bool pio_x;                     /* [false] */
	bool has_icv_key;               /* P2 only, then always true */
	uint8_t icv_key[20];
	int64_t reachable_time, retrans_timer, forward_time, accept_time,
	        keepalive_time, rs_max_interval;
};

struct aero_scen_network {
	char *name;
	struct aero_scen_prefix prefix;
	int64_t delay, jitter; /* one way, per link [0] */
	double loss;           /* [0] */
	uint64_t rate;         /* bit/s [0 = unlimited] */
	uint32_t queue;        /* packets [100] */
	unsigned hosts;        /* addresses handed out (attached nodes + moves) */
};

struct aero_scen_manet {
	double area_x, area_y; /* metres */
	double range;          /* metres */
	double delay_per_m;    /* seconds per metre [0] */
	double loss_at_range;  /* [0] */
	enum aero_scen_routing routing; /* [olsr] */
	char *wifi_standard;   /* [80211g] */
	uint64_t wifi_rate;    /* bit/s [54Mbit] */
};

struct aero_scen_iface {
	unsigned network;     /* index into s->networks */
	struct aero_in6 addr; /* host address in that network */
};

struct aero_scen_node {
	char *name;  /* expanded: group name + index when count > 1 */
	char *group; /* name as written */
	unsigned index, count; /* place in its group */
	enum aero_scen_role role;
	enum aero_scen_model model; /* clients: [host]; others: NONE */
	bool has_pool;              /* servers */
	struct aero_scen_prefix pool;
	unsigned pool_length;       /* length of the prefixes delegated */
	bool has_aggregate;         /* relays */
	struct aero_scen_prefix aggregate;
	GArray *ifaces; /* struct aero_scen_iface, in the order written */
	bool has_position;
	double position[3];
};

struct aero_scen_mobility {
	enum aero_scen_mobility_kind kind;
	char *file;                 /* as written */
	char *file_path;            /* resolved */
	struct ns2_trace *trace;    /* AERO_MOBILITY_FILE */
	double speed_min, speed_max; /* random waypoint, m/s */
	int64_t pause;               /* random waypoint */
};

struct aero_scen_traffic {
	enum aero_scen_traffic_type type;
	unsigned from, to;     /* node indexes */
	int64_t start, stop;   /* [0], [run.duration] */
	uint64_t rate;         /* udp_cbr: bit/s (required) */
	uint32_t size;         /* udp_cbr [200], ping [56]: payload bytes */
	int64_t interval;      /* ping [1s] */
};

struct aero_scen_event {
	int64_t at;
	enum aero_scen_event_type type;
	unsigned node;
	int network;           /* link_down/up (networks underlay); else -1 */
	int from, to;          /* move; else -1 */
	struct aero_in6 to_addr; /* move: address the node gets in 'to' */
	bool keep_state;       /* server_crash [false] */
	bool has_restart;      /* server_crash: restart given */
	int64_t restart;       /* absolute time of the restart, > at */
};

struct aero_scen_capture {
	bool underlay, aero; /* [true] */
	bool all_nodes;      /* [true] */
	GArray *nodes;       /* unsigned node indexes when !all_nodes */
};

struct aero_scenario {
	char *path; /* manifest name used in messages */
	char *dir;  /* base of relative paths (NULL: no files are read) */
	struct aero_scen_run run;
	struct aero_scen_link link;
	enum aero_scen_family family; /* underlay locators [ipv4] */
	bool manet_mode;              /* underlay.manet instead of networks */
	GPtrArray *networks;          /* struct aero_scen_network * */
	struct aero_scen_manet manet;
	GPtrArray *nodes;             /* struct aero_scen_node *, expanded */
	unsigned role_count[AERO_SCEN_ROLE_COUNT];
	struct aero_scen_mobility mobility;
	GArray *traffic;              /* struct aero_scen_traffic */
	GArray *events;               /* struct aero_scen_event, file order */
	struct aero_scen_capture capture;
};

/* The error domain quark of AERO_SCEN_ERROR. */
GQuark aero_scen_error_quark(void);

/*
 * Load the manifest at path and its mobility file (relative paths are
 * relative to the manifest's folder). Returns the validated scenario with
 * every default filled, or NULL with *err set (messages start with path).
 */
struct aero_scenario *aero_scenario_load(const char *path, GError **err);

/*
 * The same from len bytes of text in memory. name is used in messages; dir
 * is the base of relative paths. With dir NULL no file is ever read: a
 * mobility `file:` is an error (the fuzzer does this) and run.output is
 * resolved against ".".
 */
struct aero_scenario *aero_scenario_parse(const char *name, const char *dir,
                                          const char *text, size_t len,
                                          GError **err);

/* Free a scenario (NULL is fine). */
void aero_scenario_free(struct aero_scenario *s);

/*
 * Append the scenario as one JSON object: every field including defaults,
 * the expanded node list with interface addresses, durations and times as
 * numbers of seconds, rates in bit/s. Valid JSON (UTF-8 strings escaped).
 */
void aero_scenario_to_json(const struct aero_scenario *s, GString *out);

/* Names used in manifests and JSON ("client", "host", "udp_cbr", ...). */
/*
 * Append a CORE session XML for s (networks, devices, links, the
 * basic_range WLAN and, when ns2_file is not NULL and the scenario has a
 * mobility file, the ns2script model reading ns2_file). See export_core.c
 * for the mapping.
 */
void aero_scenario_to_core_xml(const struct aero_scenario *s,
                               const char *ns2_file, GString *out);

/*
 * The native (non-overlay) IPv6 address of node's k-th interface [P]:
 * fd00:0:0:<network index + 1>::<low 32 bits of its underlay address>/64
 * (MANET: fd00:0:0:1::<node index + 1>). Correspondents and the Relay's
 * outside use these; both backends and the JSON export ("native6") follow
 * this one rule.
 */
void aero_scen_native6(const struct aero_scenario *s, unsigned node,
                       unsigned k, struct aero_in6 *out);

/*
 * The underlay address of node on an IPv4 MANET [P]: 10.0.0.0/16 with host
 * part node index + 1, IPv4-mapped (::ffff:10.0.x.y). Every backend and the
 * JSON export ("manet_address") follow this one rule. Returns false (out
 * zeroed) when the scenario has no IPv4 MANET or the index does not fit.
 */
bool aero_scen_manet_addr(const struct aero_scenario *s, unsigned node,
                          struct aero_in6 *out);

/* UDP port of Clients' locators (Servers and Relays use link.port) [P]. */
#define AERO_SCEN_CLIENT_PORT 49152

/*
 * The core configuration of node k, the one rule every host uses
 * (node_config.c): role; link profile, MTU, PIO-X, ICV key and timers;
 * own locator = the interface aero_scen_locator_iface names (MANET:
 * aero_scen_manet_addr),
 * port link.port for Servers and Relays, AERO_SCEN_CLIENT_PORT for
 * Clients; Server/Relay ID = k + 1; a Client's PRL = every Server (those
 * sharing a network with it first, then the rest), each at its address on
 * the first shared network (else its first interface); a Server's Relays
 * likewise; client model, Server pool, Relay aggregate. Returns 0, or -1
 * with *err set (not an AERO node, no underlay address).
 */
int aero_scenario_node_config(const struct aero_scenario *s, unsigned k,
                              struct aero_config *c, GError **err);
/* Index of the interface that holds node k's own locator: a Client's
 * first interface on a network shared with a Server (its Servers answer
 * to that address on-link; a network no Server is on may have no route
 * back, e.g. a Clients-only access network kept for route optimisation),
 * else its first; any other node's first. -1: MANET (one radio address,
 * aero_scen_manet_addr), no interface or no such node. */
int aero_scen_locator_iface(const struct aero_scenario *s, unsigned k);

/* A locator from an address as the loader stores it (IPv4-mapped when the
 * underlay is IPv4) and a port. */
struct aero_loc aero_scen_loc(const struct aero_scenario *s,
                              const struct aero_in6 *a, uint16_t port);

const char *aero_scen_role_name(enum aero_scen_role r);
const char *aero_scen_model_name(enum aero_scen_model m);
const char *aero_scen_event_name(enum aero_scen_event_type t);
const char *aero_scen_traffic_name(enum aero_scen_traffic_type t);

/* Index of the node called name, or -1. */
int aero_scenario_find_node(const struct aero_scenario *s, const char *name);

/* Format an address of the scenario (IPv4-mapped ones as dotted quad). */
void aero_scen_addr_str(const struct aero_in6 *a, enum aero_scen_family f,
                        char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
