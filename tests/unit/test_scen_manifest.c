/* Scenario manifests (scenarios/loader/scenario.c, scenario_json.c). */
#include "testutil.h"
#include "../../scenarios/loader/scenario.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static struct aero_scenario *
load_ok(const char *rel)
{
	gchar *path = tu_tests_path(rel);
	GError *err = NULL;
	struct aero_scenario *s = aero_scenario_load(path, &err);

	if (!s)
		g_error("%s: %s", rel, err->message);
	g_free(path);
	return s;
}

static const struct aero_scen_node *
node(const struct aero_scenario *s, const char *name)
{
	int i = aero_scenario_find_node(s, name);

	g_assert_cmpint(i, >=, 0);
	return s->nodes->pdata[i];
}

static void
assert_iface(const struct aero_scenario *s, const char *name, guint k,
             const char *net, const char *addr)
{
	const struct aero_scen_node *nd = node(s, name);
	char buf[64];

	g_assert_cmpuint(k, <, nd->ifaces->len);
	const struct aero_scen_iface *f =
	        &g_array_index(nd->ifaces, struct aero_scen_iface, k);
	const struct aero_scen_network *n = s->networks->pdata[f->network];
	g_assert_cmpstr(n->name, ==, net);
	aero_scen_addr_str(&f->addr, s->family, buf, sizeof buf);
	g_assert_cmpstr(buf, ==, addr);
}

/* Every bad-* fails with the message of its "# expect: " first line at the
 * "# at: " of its second: "LINE:COL" in the manifest itself, or
 * "OTHERFILE:LINE:COL" for errors in a referenced mobility file. */
static gboolean
load_manifest(const char *path, GError **err, void *user)
{
	struct aero_scenario *s = aero_scenario_load(path, err);

	(void)user;
	if (!s) {
		g_assert_true((*err)->domain == AERO_SCEN_ERROR ||
		              (*err)->domain == NS2_MOB_ERROR);
		return FALSE;
	}
	g_assert_cmpuint(s->nodes->len, >, 0);
	aero_scenario_free(s);
	return TRUE;
}

static void
test_corpus(void)
{
	unsigned good, bad;

	tu_corpus_run("scenarios/manifests", ".yaml", load_manifest, NULL, &good, &bad);
	g_assert_cmpuint(good, >=, 3);
	g_assert_cmpuint(bad, >=, 25);
	if (g_test_verbose())
		g_test_message("%u good, %u bad manifests", good, bad);
}

/* A few messages spelled out in full. */
static void
test_messages(void)
{
	static const struct {
		const char *file, *msg;
	} cases[] = {
		{"bad-unknown-role.yaml", ":13:21: node 'c': unknown role 'clinet' "
		 "(expected client, server, relay, correspondent, router)"},
		{"bad-unknown-run-key.yaml", ":6:3: run: unknown key 'sede' (expected "
		 "one of name, duration, seed, run, output)"},
		{"bad-duplicate-key.yaml", ":6:3: run: duplicate key 'duration'"},
		{"bad-event-after-end.yaml", ":16:10: event #1: at 101 s is after the "
		 "end of the run (expected <= run.duration 100 s)"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		gchar *rel = g_strconcat("scenarios/manifests/", cases[i].file, NULL);
		gchar *path = tu_tests_path(rel);
		GError *err = NULL;
		g_assert_null(aero_scenario_load(path, &err));
		gchar *want = g_strconcat(path, cases[i].msg, NULL);
		g_assert_nonnull(err);
		if (!g_str_has_prefix(err->message, want))
			g_error("%s: '%s', expected '%s'", cases[i].file, err->message, want);
		g_error_free(err);
		g_free(want);
		g_free(path);
		g_free(rel);
	}
}

static void
test_defaults(void)
{
	struct aero_scenario *s = load_ok("scenarios/manifests/good-minimal.yaml");

	g_assert_cmpstr(s->run.name, ==, "minimal");
	g_assert_cmpint(s->run.duration, ==, 10 * AERO_SCEN_S);
	g_assert_cmpuint(s->run.seed, ==, 1);
	g_assert_cmpuint(s->run.run, ==, 1);
	g_assert_cmpstr(s->run.output, ==, "results");
	g_assert_true(g_str_has_suffix(s->run.output_path, "manifests/results"));
	g_assert_cmpint(s->link.profile, ==, AERO_SCEN_PROFILE_P1);
	g_assert_cmpuint(s->link.port, ==, 8060);
	g_assert_cmpuint(s->link.mtu, ==, 1280);
	g_assert_false(s->link.pio_x);
	g_assert_false(s->link.has_icv_key);
	g_assert_cmpint(s->link.reachable_time, ==, 30 * AERO_SCEN_S);
	g_assert_cmpint(s->link.retrans_timer, ==, AERO_SCEN_S);
	g_assert_cmpint(s->link.forward_time, ==, 30 * AERO_SCEN_S);
	g_assert_cmpint(s->link.accept_time, ==, 40 * AERO_SCEN_S);
	g_assert_cmpint(s->link.keepalive_time, ==, 5 * AERO_SCEN_S);
	g_assert_cmpint(s->link.rs_max_interval, ==, 3600 * AERO_SCEN_S);
	g_assert_cmpint(s->family, ==, AERO_FAMILY_IPV4);
	g_assert_false(s->manet_mode);
	const struct aero_scen_network *n = s->networks->pdata[0];
	g_assert_cmpint(n->delay, ==, 0);
	g_assert_true(n->loss == 0);
	g_assert_cmpuint(n->rate, ==, 0);
	g_assert_cmpuint(n->queue, ==, 100);
	g_assert_cmpuint(n->hosts, ==, 2);
	g_assert_cmpint(node(s, "a")->model, ==, AERO_SCEN_MODEL_HOST);
	g_assert_cmpint(node(s, "b")->model, ==, AERO_SCEN_MODEL_NONE);
	assert_iface(s, "a", 0, "lan", "10.0.0.1");
	assert_iface(s, "b", 0, "lan", "10.0.0.2");
	g_assert_cmpint(s->mobility.kind, ==, AERO_MOBILITY_NONE);
	g_assert_true(s->capture.underlay && s->capture.aero && s->capture.all_nodes);
	aero_scenario_free(s);
}

static void
test_full(void)
{
	struct aero_scenario *s = load_ok("scenarios/manifests/good-full.yaml");

	g_assert_cmpint(s->run.duration, ==, 120 * AERO_SCEN_S);
	g_assert_cmpuint(s->run.seed, ==, 7);
	g_assert_cmpint(s->link.profile, ==, AERO_SCEN_PROFILE_P2);
	g_assert_true(s->link.has_icv_key);
	g_assert_cmpuint(s->link.icv_key[19], ==, 0x0b);
	g_assert_cmpint(s->link.reachable_time, ==, 20 * AERO_SCEN_S);
	g_assert_cmpint(s->link.rs_max_interval, ==, 3600 * AERO_SCEN_S);
	g_assert_cmpuint(s->nodes->len, ==, 7);
	g_assert_cmpuint(s->role_count[AERO_SCEN_ROLE_CLIENT], ==, 3);
	g_assert_cmpuint(s->role_count[AERO_SCEN_ROLE_SERVER], ==, 2);
	const struct aero_scen_network *n = s->networks->pdata[0];
	g_assert_cmpint(n->delay, ==, 10000000);
	g_assert_cmpint(n->jitter, ==, 1000000);
	g_assert_cmpfloat_with_epsilon(n->loss, 0.001, 1e-15);
	g_assert_cmpuint(n->rate, ==, 100000000);
	/* r1 s0 s1 c0 c1 c2 on isp1 in node order; r1 cn on isp2 */
	assert_iface(s, "r1", 0, "isp1", "192.0.2.1");
	assert_iface(s, "r1", 1, "isp2", "198.51.100.1");
	assert_iface(s, "s1", 0, "isp1", "192.0.2.3");
	assert_iface(s, "c2", 0, "isp1", "192.0.2.6");
	assert_iface(s, "cn", 0, "isp2", "198.51.100.2");
	const struct aero_scen_node *c1 = node(s, "c1");
	g_assert_cmpstr(c1->group, ==, "c");
	g_assert_cmpuint(c1->index, ==, 1);
	g_assert_cmpint(c1->model, ==, AERO_SCEN_MODEL_HYBRID);
	const struct aero_scen_node *s0 = node(s, "s0");
	g_assert_true(s0->has_pool);
	g_assert_cmpuint(s0->pool.plen, ==, 40);
	g_assert_cmpuint(s0->pool_length, ==, 56);
	g_assert_true(node(s, "r1")->has_aggregate);
	g_assert_cmpint(s->mobility.kind, ==, AERO_MOBILITY_FILE);
	g_assert_cmpuint(ns2_trace_nodes(s->mobility.trace), ==, 7);
	g_assert_cmpuint(s->traffic->len, ==, 3);
	const struct aero_scen_traffic *t1 =
	        &g_array_index(s->traffic, struct aero_scen_traffic, 1);
	g_assert_cmpint(t1->type, ==, AERO_TRAFFIC_PING);
	g_assert_cmpint(t1->stop, ==, 120 * AERO_SCEN_S);
	g_assert_cmpint(t1->interval, ==, 500000000);
	g_assert_cmpuint(t1->size, ==, 56);
	g_assert_cmpuint(s->events->len, ==, 7);
	const struct aero_scen_event *mv =
	        &g_array_index(s->events, struct aero_scen_event, 4);
	g_assert_cmpint(mv->type, ==, AERO_EVENT_MOVE);
	char buf[64];
	aero_scen_addr_str(&mv->to_addr, s->family, buf, sizeof buf);
	g_assert_cmpstr(buf, ==, "198.51.100.3");
	const struct aero_scen_event *cr =
	        &g_array_index(s->events, struct aero_scen_event, 5);
	g_assert_true(cr->keep_state && cr->has_restart);
	g_assert_cmpint(cr->restart, ==, 60 * AERO_SCEN_S);
	g_assert_false(s->capture.all_nodes);
	g_assert_cmpuint(s->capture.nodes->len, ==, 2);
	aero_scenario_free(s);
}

/* The interface of a node's own locator (aero_scen_locator_iface): a
 * Client's first network shared with a Server, else its first. */
static void
test_locator_iface(void)
{
	static const char text[] =
	        "run: {name: loc, duration: 10s}\n"
	        "underlay:\n"
	        "  family: ipv6\n"
	        "  networks:\n"
	        "    - {name: access, prefix: \"2001:db8:ffff::/64\"}\n"
	        "    - {name: far, prefix: \"2001:db8:fffe::/64\"}\n"
	        "    - {name: lan, prefix: \"2001:db8:fffd::/64\"}\n"
	        "nodes:\n"
	        "  - {name: s1, role: server, pool: {prefix: \"2001:db8:1000::/40\", length: 56}, networks: [far]}\n"
	        "  - {name: a, role: client, networks: [access, far]}\n"
	        "  - {name: lone, role: client, networks: [lan, access]}\n"
	        "  - {name: cn, role: correspondent, networks: [access]}\n";
	gchar *dir = g_dir_make_tmp("aero-loc-XXXXXX", NULL);
	gchar *path = g_build_filename(dir, "loc.yaml", NULL);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	GError *err = NULL;
	struct aero_scenario *s = aero_scenario_load(path, &err);
	if (!s)
		g_error("%s", err->message);
	g_assert_cmpint(aero_scen_locator_iface(s, 0), ==, 0); /* a Server: first */
	g_assert_cmpint(aero_scen_locator_iface(s, 1), ==, 1); /* far, not access */
	g_assert_cmpint(aero_scen_locator_iface(s, 2), ==, 0); /* no Server near: first */
	g_assert_cmpint(aero_scen_locator_iface(s, 9), ==, -1);
	struct aero_config c;
	g_assert_cmpint(aero_scenario_node_config(s, 1, &c, &err), ==, 0);
	char buf[64];
	struct aero_in6 a;
	memcpy(a.b, c.self.ip, 16);
	aero_scen_addr_str(&a, s->family, buf, sizeof buf);
	g_assert_cmpstr(buf, ==, "2001:db8:fffe::2");
	aero_scenario_free(s);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);

	s = load_ok("scenarios/manifests/good-manet.yaml"); /* one radio address */
	g_assert_cmpint(aero_scen_locator_iface(s, 0), ==, -1);
	aero_scenario_free(s);
}

static void
test_manet(void)
{
	struct aero_scenario *s = load_ok("scenarios/manifests/good-manet.yaml");

	g_assert_true(s->manet_mode);
	g_assert_cmpint(s->family, ==, AERO_FAMILY_IPV6);
	g_assert_cmpuint(s->nodes->len, ==, 53);
	g_assert_cmpstr(node(s, "m49")->name, ==, "m49");
	g_assert_cmpint(node(s, "m49")->model, ==, AERO_SCEN_MODEL_ROUTER);
	g_assert_true(s->manet.range == 250);
	g_assert_cmpfloat_with_epsilon(s->manet.loss_at_range, 0.1, 1e-15);
	g_assert_cmpint(s->manet.routing, ==, AERO_ROUTING_AODV);
	g_assert_cmpstr(s->manet.wifi_standard, ==, "80211a");
	g_assert_cmpuint(s->manet.wifi_rate, ==, 6000000);
	g_assert_true(node(s, "s2")->has_position);
	g_assert_true(node(s, "s2")->position[2] == 10);
	g_assert_cmpint(s->mobility.kind, ==, AERO_MOBILITY_RANDOM_WAYPOINT);
	g_assert_true(s->mobility.speed_min == 1 && s->mobility.speed_max == 5);
	g_assert_cmpint(s->mobility.pause, ==, 2 * AERO_SCEN_S);
	g_assert_cmpint(g_array_index(s->events, struct aero_scen_event, 0).network,
	                ==, -1);
	aero_scenario_free(s);
}

/* The JSON is valid (python3 json) and holds the expanded nodes. */
static void
test_json(void)
{
	const char *files[] = {"good-full.yaml", "good-minimal.yaml", "good-manet.yaml"};

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		gchar *rel = g_strconcat("scenarios/manifests/", files[i], NULL);
		struct aero_scenario *s = load_ok(rel);
		GString *js = g_string_new(NULL);
		aero_scenario_to_json(s, js);
		gchar *tmp = NULL;
		gint fd = g_file_open_tmp("aero-scen-XXXXXX.json", &tmp, NULL);
		g_assert_cmpint(fd, >=, 0);
		close(fd);
		g_assert_true(g_file_set_contents(tmp, js->str, (gssize)js->len, NULL));
		gchar *code = g_strdup_printf(
		        "import json,sys; d=json.load(open(sys.argv[1])); "
		        "print(len(d['nodes']), d['nodes'][-1]['name'], d['run']['duration'])");
		gchar *argv[] = {"/usr/bin/python3", "-c", code, tmp, NULL};
		gchar *out = NULL, *errout = NULL;
		gint status = 0;
		if (!g_file_test(argv[0], G_FILE_TEST_IS_EXECUTABLE)) {
			g_test_skip("no /usr/bin/python3");
		} else {
			g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
			                           NULL, &out, &errout, &status, NULL));
			if (!g_spawn_check_wait_status(status, NULL))
				g_error("%s: invalid JSON: %s\n%s", files[i], errout, js->str);
			const struct aero_scen_node *last =
			        s->nodes->pdata[s->nodes->len - 1];
			gchar *want = g_strdup_printf("%u %s ", s->nodes->len, last->name);
			g_assert_true(g_str_has_prefix(out, want));
			g_free(want);
		}
		if (i == 0) {
			g_assert_nonnull(strstr(js->str, "\"name\":\"c2\",\"group\":\"c\""));
			g_assert_nonnull(strstr(js->str, "\"address\":\"192.0.2.6\""));
			g_assert_nonnull(strstr(js->str, "\"to_address\":\"198.51.100.3\""));
			g_assert_nonnull(strstr(js->str, "\"duration\":120"));
		}
		g_unlink(tmp);
		g_free(tmp);
		g_free(out);
		g_free(errout);
		g_free(code);
		g_string_free(js, TRUE);
		aero_scenario_free(s);
		g_free(rel);
	}
}

/* Values of durations, rates, probabilities from memory. */
static struct aero_scenario *
parse_text(const char *text, GError **err)
{
	return aero_scenario_parse("m.yaml", "/nonexistent-aero-dir", text,
	                           strlen(text), err);
}

static void
test_units(void)
{
	static const struct {
		const char *dur;
		int64_t ns;
	} durs[] = {{"1", AERO_SCEN_S}, {"1.5", 1500000000}, {"250ns", 250},
	            {"3us", 3000}, {"7ms", 7000000}, {"2s", 2 * AERO_SCEN_S},
	            {"2min", 120 * AERO_SCEN_S}, {"1h", 3600 * AERO_SCEN_S},
	            {"1e3ms", AERO_SCEN_S}, {"\"5s\"", 5 * AERO_SCEN_S}};

	for (size_t i = 0; i < G_N_ELEMENTS(durs); i++) {
		gchar *t = g_strdup_printf(
		        "run: {name: u, duration: %s}\nunderlay:\n  networks:\n"
		        "    - {name: n, prefix: \"2001:db8::/64\", rate: 1.5kbit, loss: 2.5%%}\n"
		        "  family: ipv6\nnodes:\n  - {name: a, role: router, networks: [n]}\n",
		        durs[i].dur);
		GError *err = NULL;
		struct aero_scenario *s = parse_text(t, &err);
		g_assert_no_error(err);
		g_assert_cmpint(s->run.duration, ==, durs[i].ns);
		const struct aero_scen_network *n = s->networks->pdata[0];
		g_assert_cmpuint(n->rate, ==, 1500);
		g_assert_cmpfloat_with_epsilon(n->loss, 0.025, 1e-15);
		assert_iface(s, "a", 0, "n", "2001:db8::1");
		aero_scenario_free(s);
		g_free(t);
	}
	/* in-memory errors, including a mobility file that cannot be read */
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"", "m.yaml:1:1: manifest: empty document"},
		{"[1]", "m.yaml:1:1: manifest: is a list (expected a mapping)"},
		{"run: {name: a, duration: 1}\n---\nrun: {}\n", "m.yaml:2:1: manifest: a second YAML document"},
		{"run: {name: a, duration: 0}\n", "m.yaml:1:26: run: duration: must be > 0"},
		{"run: {name: a, duration: \"1\\0s\"}\n", "m.yaml:1:26: run: duration: contains a NUL"},
		{"run: {name: a, duration: 1}\nunderlay: {manet: {area: [1, 1], range: 1}}\n"
		 "nodes: [{name: a, role: client}]\nmobility: {file: x.ns_movements}\n",
		 "m.yaml:4:18: mobility: file 'x.ns_movements' cannot be read"},
	};
	/* dir NULL: no file is read, not even an absolute one */
	const char *abs = "run: {name: a, duration: 1}\nunderlay: {manet: {area: [1, 1], "
	                  "range: 1}}\nnodes: [{name: a, role: client}]\n"
	                  "mobility: {file: /etc/hostname}\n";
	GError *e = NULL;
	g_assert_null(aero_scenario_parse("m.yaml", NULL, abs, strlen(abs), &e));
	g_assert_true(g_str_has_prefix(e->message, "m.yaml:4:18: mobility: file: no files"));
	g_error_free(e);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		GError *err = NULL;
		g_assert_null(parse_text(bad[i].text, &err));
		g_assert_nonnull(err);
		if (!g_str_has_prefix(err->message, bad[i].msg))
			g_error("'%s': '%s', expected '%s'", bad[i].text, err->message,
			        bad[i].msg);
		g_error_free(err);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/scen/manifest/corpus", test_corpus);
	g_test_add_func("/scen/manifest/messages", test_messages);
	g_test_add_func("/scen/manifest/defaults", test_defaults);
	g_test_add_func("/scen/manifest/full", test_full);
	g_test_add_func("/scen/manifest/manet", test_manet);
	g_test_add_func("/scen/manifest/locator-iface", test_locator_iface);
	g_test_add_func("/scen/manifest/json", test_json);
	g_test_add_func("/scen/manifest/units", test_units);
	return g_test_run();
}
