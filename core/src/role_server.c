/*
 * core/src/role_server.c -- the server role (placeholder until the engine lands).
 */
#include "node.h"

static void server_start(struct aero_node *n) { (void)n; }
static void server_destroy(struct aero_node *n) { (void)n; }
static void server_rx_nd(struct aero_node *n, struct rxctx *rx, const struct aero_nd_msg *m)
{ (void)rx; (void)m; DROP(n, drop_unexpected_ctl, "ND"); }
static void server_rx_dhcp6(struct aero_node *n, struct rxctx *rx, const uint8_t *msg, size_t len)
{ (void)rx; (void)msg; (void)len; DROP(n, drop_unexpected_ctl, "DHCPv6"); }
static void server_rx_scmp(struct aero_node *n, struct rxctx *rx, const struct aero_scmp_msg *m)
{ (void)rx; (void)m; DROP(n, drop_unexpected_ctl, "SCMP"); }
static void server_rx_data(struct aero_node *n, struct rxctx *rx) { node_forward(n, rx); }
static void server_tx_data(struct aero_node *n, struct rxctx *rx) { node_forward(n, rx); }
static void server_dump(const struct aero_node *n, GString *js) { (void)n; (void)js; }

const struct role_ops server_ops = {
	.name = "server",
	.start = server_start,
	.destroy = server_destroy,
	.rx_nd = server_rx_nd,
	.rx_dhcp6 = server_rx_dhcp6,
	.rx_scmp = server_rx_scmp,
	.rx_data = server_rx_data,
	.tx_data = server_tx_data,
	.dump = server_dump,
};
