/*
 * core/src/ro.h -- route optimisation: RFC 6706 Predirect/Redirect (P1)
 * and SPD/SRD (P2), ACCEPT and FORWARD entries (digest 1.3, 6.7, 7.4).
 *
 * Who calls what:
 *  - node.c: ro_init/ro_free, ro_rx (inner UDP/8060 to a link-local
 *    destination), ro_rx_scmp (P2 SCMP type 137), ro_dump.
 *  - role_server.c: ro_server_forwarded() after forwarding a data packet
 *    from one of its Clients back out the AERO interface -- to another
 *    Client, and ALSO to a Server or Relay (multi-Server RO, see below).
 *  - role_client.c: ro_client_route() before sending a data packet via
 *    the Server (non-NULL = send directly to that neighbour instead);
 *    ro_client_accept() for a data packet that arrived from a neighbour
 *    that is not a Server/Relay; ro_locator_changed() when the own locator
 *    changed.
 *  - role_relay.c: nothing; Relays relay RFC 6706 messages and SPD/SRDs
 *    inside ro_rx/ro_rx_scmp by longest match.
 *
 * Multi-Server [P] (digest 6.7 last bullet, RFC 6706 App. A): Servers and
 * Relays forward an RFC 6706 message addressed to a Client AERO address
 * that is not their own neighbour by longest match on the /64 embedded in
 * that address; the Server that delivers it to its own Client rewrites the
 * inner destination to the Client's AERO address; Servers rewrite the inner
 * source to their own link-local, Relays keep it. A Server whose Client B
 * sends a packet that leaves towards a Server or Relay starts RO towards
 * fe80::/64 + the upper 64 bits of the packet's destination when that is a
 * global unicast (2000::/3) address. P2 SPD/SRDs are relayed by the RHO
 * destination (SPD) or RHO source (SRD) (VET-40 6.6.3).
 */
#ifndef AERO_RO_H
#define AERO_RO_H

#include "node.h"

/* [P] constants (digest 3.6, 5, 8 item 15) */
#define RO_HOP_LIMIT 8                 /* RFC 6706 6.4.5: inner hop limit */
#define RO_MAX_PKT 1280                /* digest 8.15: whole inner packet */
#define RO_RATE_INTERVAL (1 * AERO_SEC) /* RFC 4861 8.2-style: at most one
                                          Predirect per prefix pair per s */
#define RO_RHO_KEEP 48                 /* bytes of the last packet kept for
                                          keepalive RHOs (IPv6 hdr + 8) */

void ro_init(struct aero_node *n);
void ro_free(struct aero_node *n);
/* An RFC 6706 message (inner UDP/8060 payload to a link-local address);
 * also the P2 registration messages (first byte P2_REG_TYPE, p2.h). */
void ro_rx(struct aero_node *n, struct rxctx *rx, const uint8_t *msg,
           size_t len);
/* P2: an SPD/SRD (SCMP type 137). */
void ro_rx_scmp(struct aero_node *n, struct rxctx *rx,
                const struct aero_scmp_msg *m);
/* Server: a data packet from Client in_nb was just forwarded back out the
 * AERO interface to out_nb (a Client, or a Server/Relay for multi-Server
 * RO): start (or refresh) route optimisation (RFC 6706 6.4.5; digest 6.3).
 * Rate-limited inside; no-op for other roles. */
void ro_server_forwarded(struct aero_node *n, struct rxctx *rx,
                         struct nce *in_nb, struct nce *out_nb);
/* Ingress Client: the direct neighbour for this outgoing packet when a
 * FORWARD entry covers (source, destination), else NULL (use the Server).
 * Counts traffic for keepalives. */
struct nce *ro_client_route(struct aero_node *n, struct rxctx *rx);
/* Egress Client: true when an ACCEPT entry admits this packet that arrived
 * directly from a non-Server neighbour (RFC 6706 6.4.4). */
bool ro_client_accept(struct aero_node *n, struct rxctx *rx);
/* The node's own locator changed: drop FORWARD entries, NULL Redirects for
 * ACCEPT entries (RFC 6706 6.4.13). */
void ro_locator_changed(struct aero_node *n);
/* Append ",\"ro\":{...}" to the state dump. */
void ro_dump(struct aero_node *n, GString *js);
/* fast path (aero_node_fastpath): FORWARD routes and ACCEPT admissions */
void ro_fastpath(struct aero_node *n, struct aero_fastpath *fp);

/* Number of ACCEPT / FORWARD entries (tests, stats). */
size_t ro_count(struct aero_node *n, bool forward);

/* Where p2.c keeps its state (inside the RO state). */
void **ro_p2_slot(struct aero_node *n);

/* A locator as a P1 TLLAO (digest 3.7: IPv4 as ::ffff:a.b.c.d) and back
 * (P1, VET IPv6 and VET IPv4 forms; port 0 = 8060). ro_lla_to_loc returns
 * false for other forms or an unspecified address. */
void ro_loc_to_lla(const struct aero_loc *l, struct aero_nd_lla *o);
bool ro_lla_to_loc(const struct aero_nd_lla *a, struct aero_loc *l);

/* The Client's own delegated prefix (the role's client_prefix, else the
 * /64 of its AERO address). */
bool ro_own_prefix(struct aero_node *n, struct aero_in6 *p, uint8_t *plen);

#endif
