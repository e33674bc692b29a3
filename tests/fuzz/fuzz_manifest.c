/*
 * libFuzzer target for the scenario manifest loader
 * (scenarios/loader/scenario.c, scenario_json.c).
 *
 * Parse the input from memory without a base folder (dir NULL), so a
 * mobility `file:` fails cleanly and nothing is read from disk. On success
 * export the JSON and check a few invariants; on failure check that the
 * message starts with the name. abort() on any inconsistency.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../scenarios/loader/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	GError *err = NULL;
	struct aero_scenario *s;

	if (n > 65536)
		return 0;
	s = aero_scenario_parse("fuzz.yaml", NULL, (const char *)d, n, &err);
	if (!s) {
		check(err != NULL);
		check(strncmp(err->message, "fuzz.yaml:", 10) == 0);
		g_error_free(err);
		return 0;
	}
	check(err == NULL);
	check(s->nodes->len > 0 && s->nodes->len <= AERO_SCEN_MAX_NODES);
	check(s->run.duration > 0);
	check(s->mobility.kind != AERO_MOBILITY_FILE);
	unsigned roles = 0;
	for (int r = 0; r < AERO_SCEN_ROLE_COUNT; r++)
		roles += s->role_count[r];
	check(roles == s->nodes->len);
	for (guint i = 0; i < s->traffic->len; i++) {
		const struct aero_scen_traffic *t =
		        &g_array_index(s->traffic, struct aero_scen_traffic, i);
		check(t->start < t->stop && t->stop <= s->run.duration);
		check(t->from < s->nodes->len && t->to < s->nodes->len);
	}
	for (guint i = 0; i < s->events->len; i++) {
		const struct aero_scen_event *e =
		        &g_array_index(s->events, struct aero_scen_event, i);
		check(e->at <= s->run.duration && e->node < s->nodes->len);
	}
	GString *js = g_string_new(NULL);
	aero_scenario_to_json(s, js);
	check(js->len > 2 && js->str[0] == '{' && strlen(js->str) == js->len);
	g_string_free(js, TRUE);
	aero_scenario_free(s);
	return 0;
}
