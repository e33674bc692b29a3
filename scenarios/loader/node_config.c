/*
 * The one mapping from a scenario node to the core's struct aero_config,
 * shared by every host (aerod, aero-sim, aero-replay): see
 * aero_scenario_node_config in scenario.h for the rules.
 */
#include "scenario.h"

#include <string.h>

static const struct aero_scen_iface *
iface(const struct aero_scen_node *n, guint k)
{
	return &g_array_index(n->ifaces, struct aero_scen_iface, k);
}

/* The address of node m that node n reaches directly: m's address on the
 * first network both are attached to, else m's first interface. NULL when
 * m has no interface. */
static const struct aero_in6 *
reach_addr(const struct aero_scen_node *n, const struct aero_scen_node *m)
{
	if (!m->ifaces || m->ifaces->len == 0)
		return NULL;
	for (guint i = 0; n->ifaces && i < n->ifaces->len; i++)
		for (guint j = 0; j < m->ifaces->len; j++)
			if (iface(n, i)->network == iface(m, j)->network)
				return &iface(m, j)->addr;
	return &iface(m, 0)->addr;
}

static bool
shares(const struct aero_scen_node *n, const struct aero_scen_node *m)
{
	for (guint i = 0; n->ifaces && i < n->ifaces->len; i++)
		for (guint j = 0; m->ifaces && j < m->ifaces->len; j++)
			if (iface(n, i)->network == iface(m, j)->network)
				return true;
	return false;
}

struct aero_loc
aero_scen_loc(const struct aero_scenario *s, const struct aero_in6 *a,
              uint16_t port)
{
	if (s->family == AERO_FAMILY_IPV4)
		return aero_loc_v4(a->b[12], a->b[13], a->b[14], a->b[15], port);
	return aero_loc_v6(a, port);
}

int
aero_scen_locator_iface(const struct aero_scenario *s, unsigned k)
{
	if (s->manet_mode || k >= s->nodes->len)
		return -1;
	const struct aero_scen_node *n = s->nodes->pdata[k];
	if (!n->ifaces || n->ifaces->len == 0)
		return -1;
	if (n->role != AERO_SCEN_ROLE_CLIENT)
		return 0;
	for (guint i = 0; i < n->ifaces->len; i++)
		for (guint j = 0; j < s->nodes->len; j++) {
			const struct aero_scen_node *m = s->nodes->pdata[j];
			if (m->role != AERO_SCEN_ROLE_SERVER || !m->ifaces)
				continue;
			for (guint q = 0; q < m->ifaces->len; q++)
				if (iface(m, q)->network == iface(n, i)->network)
					return (int)i;
		}
	return 0;
}

/* The node's own underlay address (MANET: the manet rule). */
static bool
own_addr(const struct aero_scenario *s, unsigned k, struct aero_in6 *out)
{
	if (s->manet_mode)
		return aero_scen_manet_addr(s, k, out);
	int i = aero_scen_locator_iface(s, k);
	if (i < 0)
		return false;
	*out = iface(s->nodes->pdata[k], (guint)i)->addr;
	return true;
}

/* The address node k reaches node j at. */
static bool
peer_addr(const struct aero_scenario *s, unsigned k, unsigned j,
          struct aero_in6 *out)
{
	if (s->manet_mode)
		return own_addr(s, j, out);
	const struct aero_in6 *a = reach_addr(s->nodes->pdata[k], s->nodes->pdata[j]);
	if (!a)
		return false;
	*out = *a;
	return true;
}

int
aero_scenario_node_config(const struct aero_scenario *s, unsigned k,
                          struct aero_config *c, GError **err)
{
	if (k >= s->nodes->len) {
		g_set_error(err, AERO_SCEN_ERROR, AERO_SCEN_ERROR_INVALID,
		            "%s: no node %u", s->path, k);
		return -1;
	}
	const struct aero_scen_node *n = s->nodes->pdata[k];
	enum aero_role role;
	switch (n->role) {
	case AERO_SCEN_ROLE_CLIENT: role = AERO_ROLE_CLIENT; break;
	case AERO_SCEN_ROLE_SERVER: role = AERO_ROLE_SERVER; break;
	case AERO_SCEN_ROLE_RELAY: role = AERO_ROLE_RELAY; break;
	default:
		g_set_error(err, AERO_SCEN_ERROR, AERO_SCEN_ERROR_INVALID,
		            "%s: node '%s' is a %s, not an AERO node (expected "
		            "client, server or relay)", s->path, n->name,
		            aero_scen_role_name(n->role));
		return -1;
	}
	aero_config_default(c, role);
	const struct aero_scen_link *l = &s->link;
	c->profile = l->profile == AERO_SCEN_PROFILE_P2 ? AERO_PROFILE_P2
	                                                : AERO_PROFILE_P1;
	c->mtu = (uint16_t)MIN(l->mtu, 65535u);
	c->pio_x = l->pio_x;
	if (l->has_icv_key) {
		memcpy(c->icv_key, l->icv_key, sizeof l->icv_key);
		c->icv_key_len = sizeof l->icv_key;
	}
	c->reachable_time = (aero_duration)l->reachable_time;
	c->retrans_timer = (aero_duration)l->retrans_timer;
	c->forward_time = (aero_duration)l->forward_time;
	c->accept_time = (aero_duration)l->accept_time;
	c->keepalive_time = (aero_duration)l->keepalive_time;
	c->rs_mrt = (aero_duration)l->rs_max_interval;

	struct aero_in6 a;
	if (!own_addr(s, k, &a)) {
		g_set_error(err, AERO_SCEN_ERROR, AERO_SCEN_ERROR_INVALID,
		            "%s: node '%s' has no underlay address", s->path, n->name);
		return -1;
	}
	c->self = aero_scen_loc(s, &a, role == AERO_ROLE_CLIENT ?
	                        AERO_SCEN_CLIENT_PORT : l->port);
	if (role != AERO_ROLE_CLIENT)
		c->id = k + 1;

	/* Clients: every Server, those sharing a network first; Servers:
	 * every Relay (the default route, ECMP) */
	for (int pass = 0; pass < 2; pass++)
		for (guint j = 0; j < s->nodes->len; j++) {
			const struct aero_scen_node *m = s->nodes->pdata[j];
			bool near = s->manet_mode || shares(n, m);
			if (role == AERO_ROLE_CLIENT && m->role == AERO_SCEN_ROLE_SERVER &&
			    near == (pass == 0) && c->n_prl < AERO_MAX_PRL &&
			    peer_addr(s, k, j, &a))
				c->prl[c->n_prl++] = (struct aero_peer){
					aero_scen_loc(s, &a, l->port), j + 1};
			if (role == AERO_ROLE_SERVER && m->role == AERO_SCEN_ROLE_RELAY &&
			    near == (pass == 0) && c->n_relays < AERO_MAX_RELAYS &&
			    peer_addr(s, k, j, &a))
				c->relays[c->n_relays++] = (struct aero_peer){
					aero_scen_loc(s, &a, l->port), j + 1};
		}
	if (role == AERO_ROLE_CLIENT)
		c->model = n->model == AERO_SCEN_MODEL_ROUTER ? AERO_MODEL_ROUTER
		         : n->model == AERO_SCEN_MODEL_HYBRID ? AERO_MODEL_HYBRID
		                                              : AERO_MODEL_HOST;
	if (role == AERO_ROLE_SERVER && n->has_pool) {
		c->pools[0] = (struct aero_pool){n->pool.addr, (uint8_t)n->pool.plen,
		                                 (uint8_t)n->pool_length};
		c->n_pools = 1;
	}
	if (role == AERO_ROLE_RELAY && n->has_aggregate) {
		c->aggregates[0] = (struct aero_prefix){n->aggregate.addr,
		                                        (uint8_t)n->aggregate.plen};
		c->n_aggregates = 1;
	}
	return 0;
}
