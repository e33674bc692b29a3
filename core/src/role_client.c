/*
 * core/src/role_client.c -- the client role (placeholder until the engine lands).
 */
#include "node.h"

static void client_start(struct aero_node *n) { (void)n; }
static void client_destroy(struct aero_node *n) { (void)n; }
static void client_rx_nd(struct aero_node *n, struct rxctx *rx, const struct aero_nd_msg *m)
{ (void)rx; (void)m; DROP(n, drop_unexpected_ctl, "ND"); }
static void client_rx_dhcp6(struct aero_node *n, struct rxctx *rx, const uint8_t *msg, size_t len)
{ (void)rx; (void)msg; (void)len; DROP(n, drop_unexpected_ctl, "DHCPv6"); }
static void client_rx_scmp(struct aero_node *n, struct rxctx *rx, const struct aero_scmp_msg *m)
{ (void)rx; (void)m; DROP(n, drop_unexpected_ctl, "SCMP"); }
static void client_rx_data(struct aero_node *n, struct rxctx *rx) { node_forward(n, rx); }
static void client_tx_data(struct aero_node *n, struct rxctx *rx) { node_forward(n, rx); }
static void client_dump(const struct aero_node *n, GString *js) { (void)n; (void)js; }

const struct role_ops client_ops = {
	.name = "client",
	.start = client_start,
	.destroy = client_destroy,
	.rx_nd = client_rx_nd,
	.rx_dhcp6 = client_rx_dhcp6,
	.rx_scmp = client_rx_scmp,
	.rx_data = client_rx_data,
	.tx_data = client_tx_data,
	.dump = client_dump,
};
