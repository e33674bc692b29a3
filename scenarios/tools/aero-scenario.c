/*
 * aero-scenario: check a scenario manifest, print it as JSON, export the
 * positions of its ns-2 mobility trace.
 *
 *   aero-scenario check FILE       summary on stdout, exit 0; error: exit 1
 *   aero-scenario json FILE        the validated, defaults-filled JSON
 *   aero-scenario positions FILE --step S [--until T]
 *                                  t,node,x,y,z CSV (until: run.duration)
 *   aero-scenario ns2 FILE         the mobility trace in strict ns-2 form
 *                                  (BonnMotion style, %.17g round trip)
 *   aero-scenario export-core FILE --out DIR
 *                                  DIR/NAME.xml (CORE session) and
 *                                  DIR/NAME.ns_movements (its ns2script)
 *
 * Usage errors exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../loader/scenario.h"

static int
usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "aero-scenario: %s\n", msg);
	fprintf(stderr,
	        "usage: aero-scenario check FILE\n"
	        "       aero-scenario json FILE\n"
	        "       aero-scenario positions FILE --step SECONDS [--until SECONDS]\n"
	        "       aero-scenario ns2 FILE\n"
	        "       aero-scenario export-core FILE --out DIR\n");
	return 2;
}

static bool
parse_seconds(const char *s, double *out)
{
	char *end;

	*out = g_ascii_strtod(s, &end);
	return *s && !*end && *out == *out;
}

static void
summary(const struct aero_scenario *s)
{
	printf("scenario %s: %.9g s, seed %u, run %u, profile P%d, output %s\n",
	       s->run.name, (double)s->run.duration / 1e9, s->run.seed, s->run.run,
	       s->link.profile, s->run.output_path);
	printf("nodes: %u (", s->nodes->len);
	for (int r = 0; r < AERO_SCEN_ROLE_COUNT; r++)
		printf("%s%u %s", r ? ", " : "", s->role_count[r],
		       aero_scen_role_name((enum aero_scen_role)r));
	printf(")\n");
	if (s->manet_mode) {
		printf("underlay: %s MANET %gx%g m, range %g m, %s\n",
		       s->family == AERO_FAMILY_IPV4 ? "IPv4" : "IPv6", s->manet.area_x,
		       s->manet.area_y, s->manet.range,
		       s->manet.routing == AERO_ROUTING_OLSR ? "olsr" : "aodv");
	} else {
		printf("underlay: %s, %u network%s:", s->family == AERO_FAMILY_IPV4 ? "IPv4" : "IPv6",
		       s->networks->len, s->networks->len == 1 ? "" : "s");
		for (guint i = 0; i < s->networks->len; i++) {
			const struct aero_scen_network *n = s->networks->pdata[i];
			printf(" %s (%u hosts)", n->name, n->hosts);
		}
		printf("\n");
	}
	printf("traffic: %u flow%s, events: %u\n", s->traffic->len,
	       s->traffic->len == 1 ? "" : "s", s->events->len);
	switch (s->mobility.kind) {
	case AERO_MOBILITY_FILE: {
		double x0, y0, x1, y1, end;
		ns2_trace_extent(s->mobility.trace, &x0, &y0, &x1, &y1, &end);
		printf("mobility: %s, %u nodes, x %g..%g m, y %g..%g m, moves end at %g s\n",
		       s->mobility.file, ns2_trace_nodes(s->mobility.trace), x0, x1, y0,
		       y1, end);
		break;
	}
	case AERO_MOBILITY_RANDOM_WAYPOINT:
		printf("mobility: random waypoint, %g..%g m/s, pause %g s\n",
		       s->mobility.speed_min, s->mobility.speed_max,
		       (double)s->mobility.pause / 1e9);
		break;
	case AERO_MOBILITY_CONSTANT_POSITION:
		printf("mobility: constant position\n");
		break;
	default:
		printf("mobility: none\n");
	}
}

/* Write DIR/NAME.xml and, with a mobility file, DIR/NAME.ns_movements. */
static int
export_core(const struct aero_scenario *s, const char *dir)
{
	GError *err = NULL;
	gchar *ns2 = NULL, *xml = g_strdup_printf("%s/%s.xml", dir, s->run.name);
	GString *o = g_string_new(NULL);
	int rc = 0;

	if (g_mkdir_with_parents(dir, 0755) != 0) {
		fprintf(stderr, "aero-scenario: cannot create %s\n", dir);
		rc = 1;
		goto out;
	}
	if (s->mobility.trace) {
		GString *t = g_string_new(NULL);
		ns2 = g_strdup_printf("%s/%s.ns_movements", dir, s->run.name);
		ns2_trace_write(s->mobility.trace, t);
		if (!g_file_set_contents(ns2, t->str, (gssize)t->len, &err))
			rc = 1;
		g_string_free(t, TRUE);
	}
	if (rc == 0) {
		gchar *abs = ns2 ? g_canonicalize_filename(ns2, NULL) : NULL;
		aero_scenario_to_core_xml(s, abs, o);
		g_free(abs);
		if (!g_file_set_contents(xml, o->str, (gssize)o->len, &err))
			rc = 1;
	}
	if (rc) {
		fprintf(stderr, "aero-scenario: %s\n", err ? err->message : "write failed");
		g_clear_error(&err);
	} else {
		printf("%s\n", xml);
		if (ns2)
			printf("%s\n", ns2);
	}
out:
	g_string_free(o, TRUE);
	g_free(xml);
	g_free(ns2);
	return rc;
}

int
main(int argc, char **argv)
{
	GError *err = NULL;
	struct aero_scenario *s;
	double step = 0, until = -1;
	int rc = 0;

	if (argc < 2) {
		usage(NULL);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(NULL);
			return 0;
		}
	const char *cmd = argv[1];
	bool pos = strcmp(cmd, "positions") == 0;
	bool core = strcmp(cmd, "export-core") == 0;
	const char *outdir = NULL;
	if (strcmp(cmd, "check") != 0 && strcmp(cmd, "json") != 0 && !pos &&
	    !core && strcmp(cmd, "ns2") != 0)
		return usage("unknown command");
	if (argc < 3)
		return usage("missing FILE");
	if (!pos && !core && argc != 3)
		return usage("too many arguments");
	if (core) {
		if (argc != 5 || strcmp(argv[3], "--out") != 0)
			return usage("export-core needs --out DIR");
		outdir = argv[4];
	}
	if (pos) {
		for (int i = 3; i < argc; i++) {
			if (i + 1 >= argc)
				return usage("option needs a value");
			if (strcmp(argv[i], "--step") == 0) {
				if (!parse_seconds(argv[++i], &step) || step <= 0)
					return usage("--step: expected a positive number of seconds");
			} else if (strcmp(argv[i], "--until") == 0) {
				if (!parse_seconds(argv[++i], &until) || until < 0)
					return usage("--until: expected a number of seconds >= 0");
			} else {
				return usage("unknown option");
			}
		}
		if (step <= 0)
			return usage("positions needs --step");
	}
	s = aero_scenario_load(argv[2], &err);
	if (!s) {
		fprintf(stderr, "%s\n", err->message);
		g_error_free(err);
		return 1;
	}
	GString *out = g_string_new(NULL);
	if (strcmp(cmd, "check") == 0) {
		summary(s);
	} else if (strcmp(cmd, "json") == 0) {
		aero_scenario_to_json(s, out);
	} else if (core) {
		rc = export_core(s, outdir);
	} else if (strcmp(cmd, "ns2") == 0 && s->mobility.trace) {
		ns2_trace_write(s->mobility.trace, out);
	} else if (!s->mobility.trace) {
		fprintf(stderr, "%s: no mobility file (expected mobility: file:)\n",
		        argv[2]);
		rc = 1;
	} else {
		if (until < 0)
			until = (double)s->run.duration / 1e9;
		ns2_trace_write_csv(s->mobility.trace, step, until, out);
	}
	fwrite(out->str, 1, out->len, stdout);
	g_string_free(out, TRUE);
	aero_scenario_free(s);
	return rc;
}
