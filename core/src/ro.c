/*
 * core/src/ro.c -- route optimisation (see ro.h).
 */
#include "ro.h"

void
ro_init(struct aero_node *n)
{
	n->ro = NULL;
}

void
ro_free(struct aero_node *n)
{
	n->ro = NULL;
}

void
ro_rx(struct aero_node *n, struct rxctx *rx, const uint8_t *msg, size_t len)
{
	(void)rx; (void)msg; (void)len;
	DROP(n, drop_unexpected_ctl, "route optimisation not implemented yet");
}

void
ro_dump(struct aero_node *n, GString *js)
{
	(void)n; (void)js;
}

void
ro_rx_scmp(struct aero_node *n, struct rxctx *rx, const struct aero_scmp_msg *m)
{
	(void)rx; (void)m;
	DROP(n, drop_unexpected_ctl, "SPD/SRD not implemented yet");
}

void
ro_server_forwarded(struct aero_node *n, struct rxctx *rx, struct nce *in_nb,
                    struct nce *out_nb)
{
	(void)n; (void)rx; (void)in_nb; (void)out_nb;
}

struct nce *
ro_client_route(struct aero_node *n, struct rxctx *rx)
{
	(void)n; (void)rx;
	return NULL;
}

bool
ro_client_accept(struct aero_node *n, struct rxctx *rx)
{
	(void)n; (void)rx;
	return false;
}

void
ro_locator_changed(struct aero_node *n)
{
	(void)n;
}
