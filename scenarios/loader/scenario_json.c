/*
 * JSON export of a loaded scenario (see aero_scenario_to_json in
 * scenario.h), written with the project's one JSON writer (aero/json.h):
 * strings escaped, numbers in the shortest round-trip form, independent of
 * the locale.
 */
#include "scenario.h"

#include <string.h>

#include "aero/json.h"

static void
jsec(struct aj *j, const char *k, int64_t ns)
{
	aj_num(j, k, (double)ns / 1e9);
}

static void
jaddr(struct aj *j, const char *k, const struct aero_in6 *a,
      enum aero_scen_family f)
{
	char buf[64];

	aero_scen_addr_str(a, f, buf, sizeof buf);
	aj_str(j, k, buf);
}

static void
jprefix(struct aj *j, const char *k, const struct aero_scen_prefix *p)
{
	char buf[64];
	gchar *s;

	aero_scen_addr_str(&p->addr, p->family, buf, sizeof buf);
	s = g_strdup_printf("%s/%u", buf, p->plen);
	aj_str(j, k, s);
	g_free(s);
}

/* [a, b, ...] of doubles */
static void
jnums(struct aj *j, const char *k, const double *v, size_t n)
{
	aj_arr_begin(j, k);
	for (size_t i = 0; i < n; i++)
		aj_num(j, NULL, v[i]);
	aj_arr_end(j);
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

static unsigned
nd_index(const struct aero_scenario *s, const struct aero_scen_node *nd)
{
	for (guint i = 0; i < s->nodes->len; i++)
		if (s->nodes->pdata[i] == nd)
			return i;
	return 0;
}

static void
json_node(const struct aero_scenario *s, const struct aero_scen_node *nd,
          struct aj *j)
{
	aj_obj_begin(j, NULL);
	aj_str(j, "name", nd->name);
	aj_str(j, "group", nd->group);
	aj_uint(j, "index", nd->index);
	aj_str(j, "role", aero_scen_role_name(nd->role));
	if (nd->model == AERO_SCEN_MODEL_NONE)
		aj_null(j, "model");
	else
		aj_str(j, "model", aero_scen_model_name(nd->model));
	if (nd->has_pool) {
		aj_obj_begin(j, "pool");
		jprefix(j, "prefix", &nd->pool);
		aj_uint(j, "length", nd->pool_length);
		aj_obj_end(j);
	}
	if (nd->has_aggregate)
		jprefix(j, "aggregate", &nd->aggregate);
	aj_arr_begin(j, "interfaces");
	for (guint k = 0; k < nd->ifaces->len; k++) {
		const struct aero_scen_iface *f =
		        &g_array_index(nd->ifaces, struct aero_scen_iface, k);
		const struct aero_scen_network *net = s->networks->pdata[f->network];
		aj_obj_begin(j, NULL);
		aj_str(j, "network", net->name);
		jaddr(j, "address", &f->addr, s->family);
		aj_uint(j, "plen", net->prefix.plen);
		struct aero_in6 n6;
		aero_scen_native6(s, nd_index(s, nd), k, &n6);
		aj_ip6(j, "native6", &n6);
		aj_obj_end(j);
	}
	aj_arr_end(j);
	int li = aero_scen_locator_iface(s, nd_index(s, nd));
	if (li >= 0 && (nd->role == AERO_SCEN_ROLE_CLIENT || nd->role == AERO_SCEN_ROLE_SERVER ||
	                nd->role == AERO_SCEN_ROLE_RELAY))
		aj_uint(j, "locator_iface", (unsigned)li);
	else
		aj_null(j, "locator_iface");
	struct aero_in6 ma;
	if (aero_scen_manet_addr(s, nd_index(s, nd), &ma))
		jaddr(j, "manet_address", &ma, s->family);
	else
		aj_null(j, "manet_address");
	if (nd->has_position)
		jnums(j, "position", nd->position, 3);
	else
		aj_null(j, "position");
	aj_obj_end(j);
}

static void
json_event(const struct aero_scenario *s, const struct aero_scen_event *e,
           struct aj *j)
{
	aj_obj_begin(j, NULL);
	jsec(j, "at", e->at);
	aj_str(j, "type", aero_scen_event_name(e->type));
	aj_str(j, "node", node_name(s, e->node));
	if (e->network >= 0)
		aj_str(j, "network", net_name(s, e->network));
	if (e->type == AERO_EVENT_MOVE) {
		aj_str(j, "from", net_name(s, e->from));
		aj_str(j, "to", net_name(s, e->to));
		jaddr(j, "to_address", &e->to_addr, s->family);
	}
	if (e->type == AERO_EVENT_SERVER_CRASH) {
		aj_bool(j, "keep_state", e->keep_state);
		if (e->has_restart)
			jsec(j, "restart", e->restart);
		else
			aj_null(j, "restart");
	}
	aj_obj_end(j);
}

static void
json_flow(const struct aero_scenario *s, const struct aero_scen_traffic *f,
          struct aj *j)
{
	aj_obj_begin(j, NULL);
	aj_str(j, "type", aero_scen_traffic_name(f->type));
	aj_str(j, "from", node_name(s, f->from));
	aj_str(j, "to", node_name(s, f->to));
	jsec(j, "start", f->start);
	jsec(j, "stop", f->stop);
	if (f->type == AERO_TRAFFIC_UDP_CBR)
		aj_uint(j, "rate", f->rate);
	if (f->type != AERO_TRAFFIC_TCP_BULK)
		aj_uint(j, "size", f->size);
	if (f->type == AERO_TRAFFIC_PING)
		jsec(j, "interval", f->interval);
	aj_obj_end(j);
}

static void
json_underlay(const struct aero_scenario *s, struct aj *j)
{
	aj_obj_begin(j, "underlay");
	aj_str(j, "family", s->family == AERO_FAMILY_IPV4 ? "ipv4" : "ipv6");
	if (s->manet_mode) {
		const struct aero_scen_manet *m = &s->manet;
		double area[2] = {m->area_x, m->area_y};
		aj_obj_begin(j, "manet");
		jnums(j, "area", area, 2);
		aj_num(j, "range", m->range);
		aj_num(j, "delay_per_m", m->delay_per_m);
		aj_num(j, "loss_at_range", m->loss_at_range);
		aj_str(j, "routing", m->routing == AERO_ROUTING_OLSR ? "olsr" : "aodv");
		aj_obj_begin(j, "wifi");
		aj_str(j, "standard", m->wifi_standard);
		aj_uint(j, "rate", m->wifi_rate);
		aj_obj_end(j);
		aj_obj_end(j);
	} else {
		aj_arr_begin(j, "networks");
		for (guint i = 0; i < s->networks->len; i++) {
			const struct aero_scen_network *n = s->networks->pdata[i];
			aj_obj_begin(j, NULL);
			aj_str(j, "name", n->name);
			jprefix(j, "prefix", &n->prefix);
			jsec(j, "delay", n->delay);
			jsec(j, "jitter", n->jitter);
			aj_num(j, "loss", n->loss);
			aj_uint(j, "rate", n->rate);
			aj_uint(j, "queue", n->queue);
			aj_uint(j, "hosts", n->hosts);
			aj_obj_end(j);
		}
		aj_arr_end(j);
	}
	aj_obj_end(j);
}

static void
json_mobility(const struct aero_scenario *s, struct aj *j)
{
	const struct aero_scen_mobility *m = &s->mobility;
	static const char *const kinds[] = {"none", "file", "random_waypoint",
	                                    "constant_position"};

	aj_obj_begin(j, "mobility");
	aj_str(j, "kind", kinds[m->kind]);
	if (m->kind == AERO_MOBILITY_FILE) {
		double ext[4], end;
		ns2_trace_extent(m->trace, &ext[0], &ext[1], &ext[2], &ext[3], &end);
		aj_str(j, "file", m->file);
		aj_str(j, "path", m->file_path);
		jnums(j, "extent", ext, 4);
		aj_num(j, "end_time", end);
	} else if (m->kind == AERO_MOBILITY_RANDOM_WAYPOINT) {
		double speed[2] = {m->speed_min, m->speed_max};
		jnums(j, "speed", speed, 2);
		jsec(j, "pause", m->pause);
	}
	aj_obj_end(j);
}

static void
json_link(const struct aero_scen_link *l, struct aj *j)
{
	aj_obj_begin(j, "link");
	aj_str(j, "profile", l->profile == AERO_SCEN_PROFILE_P1 ? "P1" : "P2");
	aj_uint(j, "port", l->port);
	aj_uint(j, "mtu", l->mtu);
	aj_bool(j, "pio_x", l->pio_x);
	if (l->has_icv_key)
		aj_hex(j, "icv_key", l->icv_key, 20);
	else
		aj_null(j, "icv_key");
	aj_obj_begin(j, "timers");
	jsec(j, "reachable_time", l->reachable_time);
	jsec(j, "retrans_timer", l->retrans_timer);
	jsec(j, "forward_time", l->forward_time);
	jsec(j, "accept_time", l->accept_time);
	jsec(j, "keepalive_time", l->keepalive_time);
	jsec(j, "rs_max_interval", l->rs_max_interval);
	aj_obj_end(j);
	aj_obj_end(j);
}

void
aero_scenario_to_json(const struct aero_scenario *s, GString *out)
{
	struct aj j;

	aj_init(&j, out);
	aj_obj_begin(&j, NULL);
	aj_obj_begin(&j, "run");
	aj_str(&j, "name", s->run.name);
	jsec(&j, "duration", s->run.duration);
	aj_uint(&j, "seed", s->run.seed);
	aj_uint(&j, "run", s->run.run);
	aj_str(&j, "output", s->run.output);
	aj_str(&j, "output_path", s->run.output_path);
	aj_obj_end(&j);

	json_link(&s->link, &j);
	json_underlay(s, &j);

	aj_obj_begin(&j, "roles");
	for (int r = 0; r < AERO_SCEN_ROLE_COUNT; r++)
		aj_uint(&j, aero_scen_role_name((enum aero_scen_role)r),
		        s->role_count[r]);
	aj_obj_end(&j);

	aj_arr_begin(&j, "nodes");
	for (guint i = 0; i < s->nodes->len; i++)
		json_node(s, s->nodes->pdata[i], &j);
	aj_arr_end(&j);

	json_mobility(s, &j);

	aj_arr_begin(&j, "traffic");
	for (guint i = 0; i < s->traffic->len; i++)
		json_flow(s, &g_array_index(s->traffic, struct aero_scen_traffic, i), &j);
	aj_arr_end(&j);

	aj_arr_begin(&j, "events");
	for (guint i = 0; i < s->events->len; i++)
		json_event(s, &g_array_index(s->events, struct aero_scen_event, i), &j);
	aj_arr_end(&j);

	aj_obj_begin(&j, "capture");
	aj_bool(&j, "underlay", s->capture.underlay);
	aj_bool(&j, "aero", s->capture.aero);
	if (s->capture.all_nodes) {
		aj_str(&j, "nodes", "all");
	} else {
		aj_arr_begin(&j, "nodes");
		for (guint i = 0; i < s->capture.nodes->len; i++)
			aj_str(&j, NULL, node_name(s, g_array_index(s->capture.nodes, unsigned, i)));
		aj_arr_end(&j);
	}
	aj_obj_end(&j);
	aj_obj_end(&j);
	g_string_append_c(out, '\n');
}
