/*
 * core/src/nexthop.h -- last-resort next-hop discovery by name (see
 * nexthop.c). Used by Servers and Relays; Clients always have a default
 * route via their Server.
 */
#ifndef AERO_NEXTHOP_H
#define AERO_NEXTHOP_H

#include "node.h"

#define NEXTHOP_PLEN 56                   /* RFC 5558 5.4.4 granularity [P] */
#define NEXTHOP_QUERY_TIME (5 * AERO_SEC) /* an unanswered query is dropped [P] */
#define NEXTHOP_NEG_TIME (30 * AERO_SEC)  /* "no such name" remembered [P] */
#define NEXTHOP_ROUTE_TIME (600 * AERO_SEC) /* a learned route lives [P] */
#define NEXTHOP_MAX 4096                  /* pending + learned entries */

void nexthop_init(struct aero_node *n);
void nexthop_free(struct aero_node *n);
/* No route for dst: start (or join) a lookup when a PRL name is set.
 * Returns true when a lookup is pending for dst's /56. */
bool nexthop_lookup(struct aero_node *n, const struct aero_in6 *dst);
/* A name answer: 0 when it answered one of our queries, 1 when the name is
 * not ours (the role's turn). */
int nexthop_answer(struct aero_node *n, const char *name,
                   const struct aero_peer *peers, size_t n_peers);
size_t nexthop_count(struct aero_node *n);

#endif
