/*
 * core/src/ro.h -- route optimisation: RFC 6706 Predirect/Redirect (P1)
 * and SPD/SRD (P2), ACCEPT and FORWARD entries (digest 1.3, 6.7, 7.4).
 */
#ifndef AERO_RO_H
#define AERO_RO_H

#include "node.h"

void ro_init(struct aero_node *n);
void ro_free(struct aero_node *n);
/* An RFC 6706 message (inner UDP/8060 payload to a link-local address). */
void ro_rx(struct aero_node *n, struct rxctx *rx, const uint8_t *msg,
           size_t len);
/* P2: an SPD/SRD (SCMP type 137). */
void ro_rx_scmp(struct aero_node *n, struct rxctx *rx,
                const struct aero_scmp_msg *m);
/* Server: a data packet from Client in_nb was just forwarded back out the
 * AERO interface to Client out_nb: start (or refresh) route optimisation
 * (RFC 6706 6.4.5; digest 6.3). Rate-limited inside. */
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

#endif
