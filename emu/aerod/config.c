/*
 * emu/aerod/config.c -- a scenario node (through the one scenario loader)
 * to an aero_config, and the checks aerod makes before it touches the
 * kernel.
 *
 * The mapping is the one every host shares, aero_scenario_node_config
 * (scenarios/loader/node_config.c: role, link, timers, ID = index + 1,
 * PRL and Relays with those sharing a network first, pool, aggregate,
 * model). The emulation differs in two documented ways (topologies/
 * follows them): every node, Clients included, listens on port link.port
 * of its own locator (first interface; MANET: aero_scen_manet_addr), and
 * a peer is reached at that locator (aerod binds its socket to it; the
 * Mininet underlay routes between networks) rather than at its address on
 * a shared network. The BGP next hops of a Relay or Server (routes learned
 * in table --learn-table): the native6 address of every interface of every
 * other Server (aero_scen_native6).
 */
#include <string.h>
#include <unistd.h>

#include "aerod.h"
#include "scenario.h"

/* Node k's own locator (the loader's rule: aero_scen_locator_iface, MANET
 * aero_scen_manet_addr) at link.port. */
static struct aero_loc
scen_loc(const struct aero_scenario *s, unsigned k)
{
	struct aero_in6 a;
	if (s->manet_mode) {
		if (!aero_scen_manet_addr(s, k, &a))
			return (struct aero_loc){0};
	} else {
		int li = aero_scen_locator_iface(s, k);
		if (li < 0)
			return (struct aero_loc){0};
		const struct aero_scen_node *n = g_ptr_array_index(s->nodes, k);
		a = g_array_index(n->ifaces, struct aero_scen_iface, (guint)li).addr;
	}
	return aero_scen_loc(s, &a, s->link.port);
}

/* A peer's locator in the emulation: the peer's own locator (scen_loc),
 * whichever network the shared rule picked, since aerod binds its socket
 * to that one address and the Mininet underlay routes between networks. */
static void
own_locators(const struct aero_scenario *s, struct aero_peer *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].id >= 1 && p[i].id <= s->nodes->len)
			p[i].loc = scen_loc(s, p[i].id - 1);
}

int
aerod_config_from_scenario(struct aerod *d, GError **err)
{
	if (!d->o.scenario || !d->o.node) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
		            "--scenario FILE and --node NAME go together");
		return -1;
	}
	struct aero_scenario *s = aero_scenario_load(d->o.scenario, err);
	if (!s)
		return -1;
	int k = aero_scenario_find_node(s, d->o.node);
	if (k < 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "%s: no node called '%s'", d->o.scenario, d->o.node);
		aero_scenario_free(s);
		return -1;
	}
	const struct aero_scen_node *n = g_ptr_array_index(s->nodes, (guint)k);
	struct aero_in6 manet_a;
	if (s->manet_mode && n->role != AERO_SCEN_ROLE_CORRESPONDENT &&
	    !aero_scen_manet_addr(s, (unsigned)k, &manet_a)) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "node '%s': the emulation runs IPv4 MANETs only", n->name);
		aero_scenario_free(s);
		return -1;
	}
	/* the one mapping every host shares (scenarios/loader/node_config.c),
	 * then the emulation's differences, documented at the top */
	struct aero_config *c = &d->cfg;
	if (aero_scenario_node_config(s, (unsigned)k, c, err) != 0) {
		aero_scenario_free(s);
		return -1;
	}
	c->self = scen_loc(s, (unsigned)k); /* Clients too listen on link.port */
	own_locators(s, c->prl, c->n_prl);
	own_locators(s, c->relays, c->n_relays);
	d->o.prl_port = s->link.port; /* Servers found by name listen here */
	g_strlcpy(d->name, n->name, sizeof d->name);
	if (c->role != AERO_ROLE_CLIENT) /* Relays, and Servers from each other */
		for (guint i = 0; i < s->nodes->len; i++) {
			const struct aero_scen_node *m = g_ptr_array_index(s->nodes, i);
			if (m->role != AERO_SCEN_ROLE_SERVER || i == (guint)k)
				continue;
			unsigned nif = s->manet_mode ? 1 : m->ifaces->len; /* MANET: one native6 */
			for (unsigned f = 0; f < nif && d->o.n_peermap < AEROD_MAX_PEERMAP; f++) {
				struct aerod_peermap *pm = &d->o.peermap[d->o.n_peermap++];
				aero_scen_native6(s, i, f, &pm->nh);
				pm->peer = (struct aero_peer){scen_loc(s, i), i + 1};
			}
		}
	if (!d->o.ctl_path)
		d->o.ctl_path = g_strdup_printf("/run/aero/%s.sock", n->name);
	aero_scenario_free(s);
	return 0;
}

int
aerod_config_check(struct aerod *d, GError **err)
{
	struct aero_config *c = &d->cfg;
	const char *why = NULL;
	if (c->role != AERO_ROLE_CLIENT && c->id == 0)
		why = "a Server or Relay needs --id N (N > 0)";
	else if (c->role == AERO_ROLE_CLIENT && c->n_prl == 0 && !c->prl_name[0])
		why = "a Client needs a Server: --prl ID@ADDR or --prl-name NAME";
	else if (c->role == AERO_ROLE_SERVER && c->n_pools == 0 && !c->dhcp_relay)
		why = "a Server needs a prefix pool: --pool PREFIX/LEN,DELEG_LEN (or --dhcp-relay ADDR6)";
	else if (c->dhcp_relay && c->role != AERO_ROLE_SERVER)
		why = "--dhcp-relay is for a Server";
	else if (c->dhcp_relay && (c->dhcp_relay_src.b[0] == 0 || c->dhcp_relay_src.b[0] == 0xfe))
		why = "--dhcp-relay needs --dhcp-relay-src ADDR6, a global address of this host";
	else if (c->profile == AERO_PROFILE_P2 && c->icv_key_len == 0)
		why = "--profile P2 needs --icv-key HEX (the link-wide ICV key)";
	else if (c->mtu < 1280)
		why = "MTU below 1280";
	else if (c->role == AERO_ROLE_CLIENT && c->model == AERO_MODEL_HOST &&
	         d->o.n_downstream > 0)
		why = "--downstream needs a Client in router or hybrid model";
	for (size_t i = 0; !why && i < c->n_prl; i++)
		if (c->prl[i].loc.family != c->self.family)
			why = "a PRL entry is of another address family than the locator";
	if (why) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s", why);
		return -1;
	}
	if (c->role == AERO_ROLE_CLIENT && c->n_prl == 0 && resolve_init(d, err) != 0)
		return -1;
	if (c->role == AERO_ROLE_CLIENT)
		c->n_downstream = d->o.n_downstream;
	if (c->role == AERO_ROLE_CLIENT && c->self.port == 0)
		c->self.port = 8060;
	if (!d->o.tun_name)
		d->o.tun_name = g_strdup("aero0");
	if (strlen(d->o.tun_name) >= IF_NAMESIZE) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "TUN name '%s' longer than %d characters", d->o.tun_name, IF_NAMESIZE - 1);
		return -1;
	}
	if (!d->o.ctl_path)
		d->o.ctl_path = g_strdup_printf("/run/aero/%s.sock", d->name);
	return 0;
}

char *
aerod_config_describe(const struct aerod *d)
{
	const struct aero_config *c = &d->cfg;
	GString *s = g_string_new(NULL);
	char a[64];
	g_string_append_printf(s, "node %s\nrole %s\nprofile P%d\nlocator %s\nid %u\nmtu %u\n",
	                       d->name, aero_role_name(c->role), (int)c->profile,
	                       aero_loc_format(&c->self, a, sizeof a), c->id, c->mtu);
	if (c->role == AERO_ROLE_CLIENT)
		g_string_append_printf(s, "model %s\n", aero_model_name(c->model));
	for (size_t i = 0; i < c->n_prl; i++)
		g_string_append_printf(s, "prl %u@%s\n", c->prl[i].id,
		                       aero_loc_format(&c->prl[i].loc, a, sizeof a));
	for (size_t i = 0; i < c->n_pools; i++)
		g_string_append_printf(s, "pool %s/%u,%u\n",
		                       aero_in6_format(&c->pools[i].prefix, a, sizeof a),
		                       c->pools[i].plen, c->pools[i].deleg_len);
	for (size_t i = 0; i < c->n_relays; i++)
		g_string_append_printf(s, "relay %u@%s\n", c->relays[i].id,
		                       aero_loc_format(&c->relays[i].loc, a, sizeof a));
	for (size_t i = 0; i < c->n_aggregates; i++)
		g_string_append_printf(s, "aggregate %s/%u\n",
		                       aero_in6_format(&c->aggregates[i].prefix, a, sizeof a),
		                       c->aggregates[i].plen);
	for (size_t i = 0; i < d->o.n_peermap; i++) {
		char b[64];
		g_string_append_printf(s, "peer %s=%u@%s\n",
		                       aero_in6_format(&d->o.peermap[i].nh, b, sizeof b),
		                       d->o.peermap[i].peer.id,
		                       aero_loc_format(&d->o.peermap[i].peer.loc, a, sizeof a));
	}
	g_string_append_printf(s, "tun %s\nctl %s\n", d->o.tun_name, d->o.ctl_path);
	return g_string_free(s, FALSE);
}
