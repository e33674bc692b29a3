/*
 * Export of a loaded scenario to a CORE (Common Open Research Emulator)
 * session XML, with the ns-2 mobility script beside it, for researchers who
 * run the same topology in CORE. See aero_scenario_to_core_xml in
 * scenario.h.
 *
 * Mapping (CORE 7+ XML as written by core-daemon's corexml):
 *  - each underlay network -> <network type="SWITCH">; a MANET underlay ->
 *    one <network type="WIRELESS_LAN" model="basic_range"> whose range,
 *    bandwidth, delay and loss come from underlay.manet, plus the
 *    "ns2script" mobility model pointing at the movement file;
 *  - each node -> <device>: Clients and correspondents type "PC",
 *    Servers, Relays and routers type "router"; position from the node's
 *    position, else the trace's initial position, else a grid;
 *  - each interface -> <link node1=device node2=network> with its address;
 *    MANET nodes get 10.0.0.0/8 + (index + 1), the rule the hosts use;
 *  - session_origin scale 100 (100 pixels = 100 m), so canvas units are
 *    metres, the unit of the ns-2 script and of basic_range's range;
 *  - ns-2 ids are 0-based and CORE ids are not: the ns2script "map"
 *    configuration maps trace node i to its device id.
 */
#include "scenario.h"

#include <string.h>

/* Network ids are 1..N; device ids follow them. */
static unsigned
dev_id(const struct aero_scenario *s, unsigned node)
{
	unsigned nets = s->manet_mode ? 1 : s->networks->len;
	return nets + 1 + node;
}

static void
xml_attr(GString *o, const char *name, const char *val)
{
	gchar *e = g_markup_escape_text(val, -1);
	g_string_append_printf(o, " %s=\"%s\"", name, e);
	g_free(e);
}

static void
xml_conf(GString *o, const char *indent, const char *name, const char *val)
{
	g_string_append_printf(o, "%s<configuration", indent);
	xml_attr(o, "name", name);
	xml_attr(o, "value", val);
	g_string_append(o, "/>\n");
}

static void
position(const struct aero_scenario *s, unsigned i, double p[3])
{
	const struct aero_scen_node *nd = s->nodes->pdata[i];
	if (nd->has_position) {
		memcpy(p, nd->position, sizeof nd->position);
		return;
	}
	if (s->mobility.kind == AERO_MOBILITY_FILE) {
		ns2_trace_position(s->mobility.trace, i, 0.0, &p[0], &p[1], &p[2]);
		return;
	}
	/* a readable grid, 100 m apart */
	p[0] = 100.0 + 100.0 * (i % 10);
	p[1] = 100.0 + 100.0 * (i / 10);
	p[2] = 0.0;
}

static void
manet_addr(unsigned i, char *buf, size_t cap)
{
	unsigned v = i + 1;
	g_snprintf(buf, cap, "10.%u.%u.%u", (v >> 16) & 255, (v >> 8) & 255, v & 255);
}

static void
core_networks(const struct aero_scenario *s, GString *o)
{
	g_string_append(o, "  <networks>\n");
	if (s->manet_mode) {
		g_string_append(o, "    <network id=\"1\" name=\"manet\" model=\"basic_range\"");
		if (s->mobility.kind == AERO_MOBILITY_FILE)
			g_string_append(o, " mobility=\"ns2script\"");
		g_string_append_printf(o, " type=\"WIRELESS_LAN\">\n      <position x=\"%g\" y=\"%g\"/>\n    </network>\n",
		                       s->manet.area_x / 2, s->manet.area_y / 2);
	} else {
		for (guint i = 0; i < s->networks->len; i++) {
			const struct aero_scen_network *n = s->networks->pdata[i];
			g_string_append_printf(o, "    <network id=\"%u\"", i + 1);
			xml_attr(o, "name", n->name);
			g_string_append_printf(o, " type=\"SWITCH\">\n      <position x=\"%u\" y=\"50\"/>\n    </network>\n",
			                       100 + 150 * i);
		}
	}
	g_string_append(o, "  </networks>\n");
}

static void
core_devices(const struct aero_scenario *s, GString *o)
{
	g_string_append(o, "  <devices>\n");
	for (guint i = 0; i < s->nodes->len; i++) {
		const struct aero_scen_node *nd = s->nodes->pdata[i];
		bool host = nd->role == AERO_SCEN_ROLE_CLIENT ||
		            nd->role == AERO_SCEN_ROLE_CORRESPONDENT;
		double p[3];
		position(s, i, p);
		g_string_append_printf(o, "    <device id=\"%u\"", dev_id(s, i));
		xml_attr(o, "name", nd->name);
		g_string_append_printf(o, " type=\"%s\" class=\"\" image=\"\">\n",
		                       host ? "PC" : "router");
		char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE],
		     z[G_ASCII_DTOSTR_BUF_SIZE];
		g_string_append_printf(o, "      <position x=\"%s\" y=\"%s\" alt=\"%s\"/>\n",
		                       g_ascii_dtostr(x, sizeof x, p[0]),
		                       g_ascii_dtostr(y, sizeof y, p[1]),
		                       g_ascii_dtostr(z, sizeof z, p[2]));
		g_string_append(o, "    </device>\n");
	}
	g_string_append(o, "  </devices>\n");
}

static void
core_links(const struct aero_scenario *s, GString *o)
{
	char addr[64];

	g_string_append(o, "  <links>\n");
	for (guint i = 0; i < s->nodes->len; i++) {
		const struct aero_scen_node *nd = s->nodes->pdata[i];
		if (s->manet_mode) {
			manet_addr(i, addr, sizeof addr);
			g_string_append_printf(o, "    <link node1=\"%u\" node2=\"1\">\n"
			                       "      <iface1 id=\"0\" name=\"eth0\" ip4=\"%s\" ip4_mask=\"8\"/>\n"
			                       "    </link>\n", dev_id(s, i), addr);
			continue;
		}
		for (guint k = 0; k < nd->ifaces->len; k++) {
			const struct aero_scen_iface *f =
			        &g_array_index(nd->ifaces, struct aero_scen_iface, k);
			const struct aero_scen_network *n = s->networks->pdata[f->network];
			aero_scen_addr_str(&f->addr, s->family, addr, sizeof addr);
			g_string_append_printf(o, "    <link node1=\"%u\" node2=\"%u\">\n"
			                       "      <iface1 id=\"%u\" name=\"eth%u\"",
			                       dev_id(s, i), f->network + 1, k, k);
			if (s->family == AERO_FAMILY_IPV4)
				g_string_append_printf(o, " ip4=\"%s\" ip4_mask=\"%u\"", addr,
				                       n->prefix.plen);
			else
				g_string_append_printf(o, " ip6=\"%s\" ip6_mask=\"%u\"", addr,
				                       n->prefix.plen);
			g_string_append(o, "/>\n");
			if (n->delay || n->jitter || n->loss > 0 || n->rate) {
				g_string_append_printf(o, "      <options delay=\"%lld\" jitter=\"%lld\" loss=\"%.17g\" bandwidth=\"%llu\"/>\n",
				                       (long long)(n->delay / 1000),
				                       (long long)(n->jitter / 1000),
				                       n->loss * 100.0,
				                       (unsigned long long)n->rate);
			}
			g_string_append(o, "    </link>\n");
		}
	}
	g_string_append(o, "  </links>\n");
}

static void
core_mobility(const struct aero_scenario *s, const char *ns2_file, GString *o)
{
	char v[64];
	const char *ind = "      ";

	if (!s->manet_mode)
		return;
	g_string_append(o, "  <mobility_configurations>\n"
	                   "    <mobility_configuration node=\"1\" model=\"basic_range\">\n");
	g_snprintf(v, sizeof v, "%.17g", s->manet.range);
	xml_conf(o, ind, "range", v);
	g_snprintf(v, sizeof v, "%llu", (unsigned long long)s->manet.wifi_rate);
	xml_conf(o, ind, "bandwidth", v);
	xml_conf(o, ind, "jitter", "0");
	/* CORE applies one delay to the whole WLAN: the delay at half range */
	g_snprintf(v, sizeof v, "%.0f", s->manet.delay_per_m * s->manet.range / 2 * 1e6);
	xml_conf(o, ind, "delay", v);
	g_snprintf(v, sizeof v, "%.17g", s->manet.loss_at_range * 100.0 / 2);
	xml_conf(o, ind, "error", v);
	xml_conf(o, ind, "promiscuous", "0");
	g_string_append(o, "    </mobility_configuration>\n");
	if (s->mobility.kind == AERO_MOBILITY_FILE && ns2_file) {
		GString *map = g_string_new(NULL);
		for (guint i = 0; i < s->nodes->len; i++)
			g_string_append_printf(map, "%s%u:%u", i ? "," : "", i, dev_id(s, i));
		g_string_append(o, "    <mobility_configuration node=\"1\" model=\"ns2script\">\n");
		xml_conf(o, ind, "file", ns2_file);
		xml_conf(o, ind, "refresh_ms", "50");
		xml_conf(o, ind, "loop", "0");
		xml_conf(o, ind, "autostart", "0");
		xml_conf(o, ind, "map", map->str);
		xml_conf(o, ind, "script_start", "");
		xml_conf(o, ind, "script_pause", "");
		xml_conf(o, ind, "script_stop", "");
		g_string_append(o, "    </mobility_configuration>\n");
		g_string_free(map, TRUE);
	}
	g_string_append(o, "  </mobility_configurations>\n");
}

void
aero_scenario_to_core_xml(const struct aero_scenario *s, const char *ns2_file,
                          GString *o)
{
	g_string_append(o, "<?xml version='1.0' encoding='UTF-8'?>\n<scenario");
	xml_attr(o, "name", s->run.name);
	g_string_append(o, ">\n");
	core_networks(s, o);
	core_devices(s, o);
	core_links(s, o);
	core_mobility(s, ns2_file, o);
	g_string_append(o, "  <session_origin lat=\"47.5791667\" lon=\"-122.132322\" alt=\"2.0\" scale=\"100.0\"/>\n"
	                   "  <session_metadata>\n");
	char v[128];
	g_snprintf(v, sizeof v, "exported by aero-scenario from %s", s->path);
	xml_conf(o, "    ", "source", v);
	g_string_append(o, "  </session_metadata>\n</scenario>\n");
}
