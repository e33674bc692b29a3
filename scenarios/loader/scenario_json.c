/*
 * JSON export of a loaded scenario (see aero_scenario_to_json in
 * scenario.h). Hand-written: strings are escaped, numbers printed with
 * "%.17g"-style precision through g_ascii_formatd (locale-independent).
 */
#include "scenario.h"

#include <inttypes.h>
#include <string.h>

static void
jstr(GString *o, const char *s)
{
	g_string_append_c(o, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(o, "\\%c", *p);
		else if (*p < 0x20)
			g_string_append_printf(o, "\\u%04x", *p);
		else
			g_string_append_c(o, (char)*p);
	}
	g_string_append_c(o, '"');
}

static void
jnum(GString *o, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	g_string_append(o, g_ascii_dtostr(buf, sizeof buf, v));
}

static void
jsec(GString *o, int64_t ns)
{
	jnum(o, (double)ns / 1e9);
}

static void
key(GString *o, const char *k)
{
	if (o->len && o->str[o->len - 1] != '{')
		g_string_append_c(o, ',');
	jstr(o, k);
	g_string_append_c(o, ':');
}

static void
jbool(GString *o, bool b)
{
	g_string_append(o, b ? "true" : "false");
}

static void
jaddr(GString *o, const struct aero_in6 *a, enum aero_scen_family f)
{
	char buf[64];

	aero_scen_addr_str(a, f, buf, sizeof buf);
	jstr(o, buf);
}

static void
jprefix(GString *o, const struct aero_scen_prefix *p)
{
	char buf[64];
	gchar *s;

	aero_scen_addr_str(&p->addr, p->family, buf, sizeof buf);
	s = g_strdup_printf("%s/%u", buf, p->plen);
	jstr(o, s);
	g_free(s);
}

static const char *
node_name(const struct aero_scenario *s, unsigned i)
{
	return ((const struct aero_scen_node *)s->nodes->pdata[i])->name;
}

static const char *
net_name(const struct aero_scenario *s, int i)
{
	return ((const struct aero_scen_network *)s->networks->pdata[i])->name;
}

static void
json_node(const struct aero_scenario *s, const struct aero_scen_node *nd,
          GString *o)
{
	g_string_append_c(o, '{');
	key(o, "name");
	jstr(o, nd->name);
	key(o, "group");
	jstr(o, nd->group);
	key(o, "index");
	g_string_append_printf(o, "%u", nd->index);
	key(o, "role");
	jstr(o, aero_scen_role_name(nd->role));
	key(o, "model");
	if (nd->model == AERO_SCEN_MODEL_NONE)
		g_string_append(o, "null");
	else
		jstr(o, aero_scen_model_name(nd->model));
	if (nd->has_pool) {
		key(o, "pool");
		g_string_append_c(o, '{');
		key(o, "prefix");
		jprefix(o, &nd->pool);
		key(o, "length");
		g_string_append_printf(o, "%u}", nd->pool_length);
	}
	if (nd->has_aggregate) {
		key(o, "aggregate");
		jprefix(o, &nd->aggregate);
	}
	key(o, "interfaces");
	g_string_append_c(o, '[');
	for (guint j = 0; j < nd->ifaces->len; j++) {
		const struct aero_scen_iface *f =
		        &g_array_index(nd->ifaces, struct aero_scen_iface, j);
		const struct aero_scen_network *net = s->networks->pdata[f->network];
		g_string_append(o, j ? ",{" : "{");
		key(o, "network");
		jstr(o, net->name);
		key(o, "address");
		jaddr(o, &f->addr, s->family);
		key(o, "plen");
		g_string_append_printf(o, "%u}", net->prefix.plen);
	}
	g_string_append_c(o, ']');
	key(o, "position");
	if (nd->has_position) {
		g_string_append_c(o, '[');
		for (int k = 0; k < 3; k++) {
			if (k)
				g_string_append_c(o, ',');
			jnum(o, nd->position[k]);
		}
		g_string_append_c(o, ']');
	} else {
		g_string_append(o, "null");
	}
	g_string_append_c(o, '}');
}

static void
json_event(const struct aero_scenario *s, const struct aero_scen_event *e,
           GString *o)
{
	g_string_append_c(o, '{');
	key(o, "at");
	jsec(o, e->at);
	key(o, "type");
	jstr(o, aero_scen_event_name(e->type));
	key(o, "node");
	jstr(o, node_name(s, e->node));
	if (e->network >= 0) {
		key(o, "network");
		jstr(o, net_name(s, e->network));
	}
	if (e->type == AERO_EVENT_MOVE) {
		key(o, "from");
		jstr(o, net_name(s, e->from));
		key(o, "to");
		jstr(o, net_name(s, e->to));
		key(o, "to_address");
		jaddr(o, &e->to_addr, s->family);
	}
	if (e->type == AERO_EVENT_SERVER_CRASH) {
		key(o, "keep_state");
		jbool(o, e->keep_state);
		key(o, "restart");
		if (e->has_restart)
			jsec(o, e->restart);
		else
			g_string_append(o, "null");
	}
	g_string_append_c(o, '}');
}

static void
json_flow(const struct aero_scenario *s, const struct aero_scen_traffic *f,
          GString *o)
{
	g_string_append_c(o, '{');
	key(o, "type");
	jstr(o, aero_scen_traffic_name(f->type));
	key(o, "from");
	jstr(o, node_name(s, f->from));
	key(o, "to");
	jstr(o, node_name(s, f->to));
	key(o, "start");
	jsec(o, f->start);
	key(o, "stop");
	jsec(o, f->stop);
	if (f->type == AERO_TRAFFIC_UDP_CBR) {
		key(o, "rate");
		g_string_append_printf(o, "%" PRIu64, f->rate);
	}
	if (f->type != AERO_TRAFFIC_TCP_BULK) {
		key(o, "size");
		g_string_append_printf(o, "%" PRIu32, f->size);
	}
	if (f->type == AERO_TRAFFIC_PING) {
		key(o, "interval");
		jsec(o, f->interval);
	}
	g_string_append_c(o, '}');
}

static void
json_underlay(const struct aero_scenario *s, GString *o)
{
	key(o, "underlay");
	g_string_append_c(o, '{');
	key(o, "family");
	jstr(o, s->family == AERO_FAMILY_IPV4 ? "ipv4" : "ipv6");
	if (s->manet_mode) {
		const struct aero_scen_manet *m = &s->manet;
		key(o, "manet");
		g_string_append_c(o, '{');
		key(o, "area");
		g_string_append_c(o, '[');
		jnum(o, m->area_x);
		g_string_append_c(o, ',');
		jnum(o, m->area_y);
		g_string_append_c(o, ']');
		key(o, "range");
		jnum(o, m->range);
		key(o, "delay_per_m");
		jnum(o, m->delay_per_m);
		key(o, "loss_at_range");
		jnum(o, m->loss_at_range);
		key(o, "routing");
		jstr(o, m->routing == AERO_ROUTING_OLSR ? "olsr" : "aodv");
		key(o, "wifi");
		g_string_append_c(o, '{');
		key(o, "standard");
		jstr(o, m->wifi_standard);
		key(o, "rate");
		g_string_append_printf(o, "%" PRIu64 "}}", m->wifi_rate);
	} else {
		key(o, "networks");
		g_string_append_c(o, '[');
		for (guint i = 0; i < s->networks->len; i++) {
			const struct aero_scen_network *n = s->networks->pdata[i];
			g_string_append(o, i ? ",{" : "{");
			key(o, "name");
			jstr(o, n->name);
			key(o, "prefix");
			jprefix(o, &n->prefix);
			key(o, "delay");
			jsec(o, n->delay);
			key(o, "jitter");
			jsec(o, n->jitter);
			key(o, "loss");
			jnum(o, n->loss);
			key(o, "rate");
			g_string_append_printf(o, "%" PRIu64, n->rate);
			key(o, "queue");
			g_string_append_printf(o, "%" PRIu32, n->queue);
			key(o, "hosts");
			g_string_append_printf(o, "%u}", n->hosts);
		}
		g_string_append_c(o, ']');
	}
	g_string_append_c(o, '}');
}

static void
json_mobility(const struct aero_scenario *s, GString *o)
{
	const struct aero_scen_mobility *m = &s->mobility;
	static const char *const kinds[] = {"none", "file", "random_waypoint",
	                                    "constant_position"};

	key(o, "mobility");
	g_string_append_c(o, '{');
	key(o, "kind");
	jstr(o, kinds[m->kind]);
	if (m->kind == AERO_MOBILITY_FILE) {
		double x0, y0, x1, y1, end;
		ns2_trace_extent(m->trace, &x0, &y0, &x1, &y1, &end);
		key(o, "file");
		jstr(o, m->file);
		key(o, "path");
		jstr(o, m->file_path);
		key(o, "extent");
		g_string_append_c(o, '[');
		jnum(o, x0);
		g_string_append_c(o, ',');
		jnum(o, y0);
		g_string_append_c(o, ',');
		jnum(o, x1);
		g_string_append_c(o, ',');
		jnum(o, y1);
		g_string_append_c(o, ']');
		key(o, "end_time");
		jnum(o, end);
	} else if (m->kind == AERO_MOBILITY_RANDOM_WAYPOINT) {
		key(o, "speed");
		g_string_append_c(o, '[');
		jnum(o, m->speed_min);
		g_string_append_c(o, ',');
		jnum(o, m->speed_max);
		g_string_append_c(o, ']');
		key(o, "pause");
		jsec(o, m->pause);
	}
	g_string_append_c(o, '}');
}

void
aero_scenario_to_json(const struct aero_scenario *s, GString *out)
{
	GString *o = g_string_new(NULL);
	const struct aero_scen_link *l = &s->link;

	g_string_append_c(o, '{');
	key(o, "run");
	g_string_append_c(o, '{');
	key(o, "name");
	jstr(o, s->run.name);
	key(o, "duration");
	jsec(o, s->run.duration);
	key(o, "seed");
	g_string_append_printf(o, "%" PRIu32, s->run.seed);
	key(o, "run");
	g_string_append_printf(o, "%" PRIu32, s->run.run);
	key(o, "output");
	jstr(o, s->run.output);
	key(o, "output_path");
	jstr(o, s->run.output_path);
	g_string_append_c(o, '}');

	key(o, "link");
	g_string_append_c(o, '{');
	key(o, "profile");
	jstr(o, l->profile == AERO_SCEN_PROFILE_P1 ? "P1" : "P2");
	key(o, "port");
	g_string_append_printf(o, "%u", l->port);
	key(o, "mtu");
	g_string_append_printf(o, "%" PRIu32, l->mtu);
	key(o, "pio_x");
	jbool(o, l->pio_x);
	key(o, "icv_key");
	if (l->has_icv_key) {
		g_string_append_c(o, '"');
		for (int i = 0; i < 20; i++)
			g_string_append_printf(o, "%02x", l->icv_key[i]);
		g_string_append_c(o, '"');
	} else {
		g_string_append(o, "null");
	}
	key(o, "timers");
	g_string_append_c(o, '{');
	key(o, "reachable_time");
	jsec(o, l->reachable_time);
	key(o, "retrans_timer");
	jsec(o, l->retrans_timer);
	key(o, "forward_time");
	jsec(o, l->forward_time);
	key(o, "accept_time");
	jsec(o, l->accept_time);
	key(o, "keepalive_time");
	jsec(o, l->keepalive_time);
	key(o, "rs_max_interval");
	jsec(o, l->rs_max_interval);
	g_string_append(o, "}}");

	json_underlay(s, o);

	key(o, "roles");
	g_string_append_c(o, '{');
	for (int r = 0; r < AERO_SCEN_ROLE_COUNT; r++) {
		key(o, aero_scen_role_name((enum aero_scen_role)r));
		g_string_append_printf(o, "%u", s->role_count[r]);
	}
	g_string_append_c(o, '}');

	key(o, "nodes");
	g_string_append_c(o, '[');
	for (guint i = 0; i < s->nodes->len; i++) {
		if (i)
			g_string_append_c(o, ',');
		json_node(s, s->nodes->pdata[i], o);
	}
	g_string_append_c(o, ']');

	json_mobility(s, o);

	key(o, "traffic");
	g_string_append_c(o, '[');
	for (guint i = 0; i < s->traffic->len; i++) {
		if (i)
			g_string_append_c(o, ',');
		json_flow(s, &g_array_index(s->traffic, struct aero_scen_traffic, i), o);
	}
	g_string_append_c(o, ']');

	key(o, "events");
	g_string_append_c(o, '[');
	for (guint i = 0; i < s->events->len; i++) {
		if (i)
			g_string_append_c(o, ',');
		json_event(s, &g_array_index(s->events, struct aero_scen_event, i), o);
	}
	g_string_append_c(o, ']');

	key(o, "capture");
	g_string_append_c(o, '{');
	key(o, "underlay");
	jbool(o, s->capture.underlay);
	key(o, "aero");
	jbool(o, s->capture.aero);
	key(o, "nodes");
	if (s->capture.all_nodes) {
		jstr(o, "all");
	} else {
		g_string_append_c(o, '[');
		for (guint i = 0; i < s->capture.nodes->len; i++) {
			if (i)
				g_string_append_c(o, ',');
			jstr(o, node_name(s, g_array_index(s->capture.nodes, unsigned, i)));
		}
		g_string_append_c(o, ']');
	}
	g_string_append(o, "}}\n");
	g_string_append_len(out, o->str, (gssize)o->len);
	g_string_free(o, TRUE);
}
