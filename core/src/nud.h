/*
 * core/src/nud.h -- neighbour unreachability detection on the AERO
 * interface (RFC 4861 7.3 with the digest's timers: REACHABLE_TIME 30 s,
 * RETRANS_TIMER 1 s, MAX_UNICAST_SOLICIT 3; P1 unicast NS/NA, P2 SNS/SNA
 * or the SEAL A bit). Shared by every role; implemented in nud.c.
 */
#ifndef AERO_NUD_H
#define AERO_NUD_H

#include "node.h"

/* About to send to e: when its reachability has lapsed, enter DELAY and
 * start probing (RFC 4861 7.3.3). Cheap when e is REACHABLE. */
void nud_used(struct aero_node *n, struct nce *e);
/* Probe e now (e.g. a Client checking its Server). */
void nud_probe(struct aero_node *n, struct nce *e);
/* Handle an NS (answer with NA) or NA (confirm the entry) addressed to
 * this node. Returns true when m was an NS/NA and has been consumed. */
bool nud_rx(struct aero_node *n, struct rxctx *rx, const struct aero_nd_msg *m);
/* This node's own locator as a P1 S/TLLAO (digest 3.7: IPv4 as
 * ::ffff:a.b.c.d, port as configured). */
void nud_own_lla(const struct aero_node *n, struct aero_nd_lla *l);

/*
 * P2 Identification re-synchronisation [P] (digest 3.10 leaves a peer
 * restart open; the SEAL Identification restarts at a random value in a
 * node that lost its state, so half of the time its packets fall left of
 * the receiver's window for good). When a packet with a valid ICV is too
 * old (AERO_SEAL_REPLAY_OLD), the receiver drops it as a replay and, at
 * most once per RETRANS_TIMER, sends the neighbour an SNS carrying a fresh
 * RFC 3971 Nonce option; the neighbour's SNA echoes it (nud_rx). An SNA
 * with the ICV, the echoed nonce and an old Identification proves a fresh
 * sender: the window restarts at its Identification. A replayed packet
 * cannot carry the new nonce, so anti-replay holds.
 */
void nud_resync_probe(struct aero_node *n, struct nce *e);
/* sm is an SNA echoing e's outstanding nonce. */
bool nud_resync_answer(const struct aero_node *n, const struct nce *e,
                       const struct aero_scmp_msg *sm);

#endif
