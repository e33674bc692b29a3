/*
 * core/src/nud.c -- neighbour unreachability detection (see nud.h).
 * Placeholder until the implementation lands: entries never lapse.
 */
#include "nud.h"

void
nud_used(struct aero_node *n, struct nce *e)
{
	(void)n; (void)e;
}

void
nud_probe(struct aero_node *n, struct nce *e)
{
	(void)n; (void)e;
}

bool
nud_rx(struct aero_node *n, struct rxctx *rx, const struct aero_nd_msg *m)
{
	(void)n; (void)rx; (void)m;
	return false;
}
