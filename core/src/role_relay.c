/*
 * core/src/role_relay.c -- the relay role (placeholder until the engine lands).
 */
#include "node.h"

static void relay_start(struct aero_node *n) { (void)n; }
static void relay_destroy(struct aero_node *n) { (void)n; }
static void relay_rx_nd(struct aero_node *n, struct rxctx *rx, const struct aero_nd_msg *m)
{ (void)rx; (void)m; DROP(n, drop_unexpected_ctl, "ND"); }
static void relay_rx_dhcp6(struct aero_node *n, struct rxctx *rx, const uint8_t *msg, size_t len)
{ (void)rx; (void)msg; (void)len; DROP(n, drop_unexpected_ctl, "DHCPv6"); }
static void relay_rx_scmp(struct aero_node *n, struct rxctx *rx, const struct aero_scmp_msg *m)
{ (void)rx; (void)m; DROP(n, drop_unexpected_ctl, "SCMP"); }
static void relay_rx_data(struct aero_node *n, struct rxctx *rx) { node_forward(n, rx); }
static void relay_tx_data(struct aero_node *n, struct rxctx *rx) { node_forward(n, rx); }
static void relay_dump(const struct aero_node *n, GString *js) { (void)n; (void)js; }

const struct role_ops relay_ops = {
	.name = "relay",
	.start = relay_start,
	.destroy = relay_destroy,
	.rx_nd = relay_rx_nd,
	.rx_dhcp6 = relay_rx_dhcp6,
	.rx_scmp = relay_rx_scmp,
	.rx_data = relay_rx_data,
	.tx_data = relay_tx_data,
	.dump = relay_dump,
};
