/*
 * tests/sim/nodefix.h -- small fixtures for unit tests that build single
 * nodes by hand through the core's internal API (core/src/node.h):
 * clear the FIB a role's start() installed, add routes and neighbour
 * entries, drain outputs. Linked into every test program (tests/sim/ is).
 */
#ifndef AERO_TESTS_SIM_NODEFIX_H
#define AERO_TESTS_SIM_NODEFIX_H

#include "../../core/src/node.h"

/* Remove every route (a Relay's default to the outside, a Server's
 * default via its Relays): the tests install their own. */
void tn_fib_clear(aero_node *n);
/* Route p/plen via the neighbour with link-local via (asserts). */
void tn_route(aero_node *n, const char *p, uint8_t plen, const char *via);
/* A neighbour entry of kind k at loc (asserts). */
struct nce *tn_nce(aero_node *n, const char *ll, struct aero_loc loc,
                   enum nce_kind k);
/* Advance *now by d, running every timer due on the way (each at its own
 * deadline) and once at the end; after each call drain(user) takes the
 * outputs. */
void tn_advance(aero_node *n, aero_tstamp *now, aero_duration d,
                void (*drain)(void *user), void *user);
/* Poll and drop every pending output. */
void tn_drain(aero_node *n);

#endif
