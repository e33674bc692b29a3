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
/* Append ",\"ro\":{...}" to the state dump. */
void ro_dump(struct aero_node *n, GString *js);

#endif
