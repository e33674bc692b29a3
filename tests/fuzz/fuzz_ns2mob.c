/*
 * libFuzzer target for the strict ns-2 movement parser
 * (scenarios/loader/ns2mob.c).
 *
 * Parse the input; on success check the trace's invariants, write it back
 * (ns2_trace_write), parse that again and compare nodes, moves and positions
 * at a few times exactly, and check that writing is a fixed point. Also run
 * the extent and a short CSV export. abort() on any inconsistency.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../scenarios/loader/ns2mob.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static bool
same(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static void
compare(const struct ns2_trace *a, const struct ns2_trace *b)
{
	check(ns2_trace_nodes(a) == ns2_trace_nodes(b));
	check(same(a->last_time, b->last_time));
	for (unsigned k = 0; k < ns2_trace_nodes(a); k++) {
		const struct ns2_node *na = &g_array_index(a->nodes, struct ns2_node, k);
		const struct ns2_node *nb = &g_array_index(b->nodes, struct ns2_node, k);
		check(same(na->x0, nb->x0) && same(na->y0, nb->y0) &&
		      same(na->z0, nb->z0));
		check(na->moves->len == nb->moves->len);
		for (guint j = 0; j < na->moves->len; j++) {
			const struct ns2_move *ma =
			        &g_array_index(na->moves, struct ns2_move, j);
			const struct ns2_move *mb =
			        &g_array_index(nb->moves, struct ns2_move, j);
			check(same(ma->t, mb->t) && same(ma->x, mb->x) &&
			      same(ma->y, mb->y) && same(ma->speed, mb->speed));
			check(isfinite(ma->t_end) && ma->t_end >= ma->t);
			check(isfinite(ma->x_from) && isfinite(ma->y_from));
			check(j == 0 || ma->t >= (ma - 1)->t);
		}
	}
}

static void
positions(const struct ns2_trace *a, const struct ns2_trace *b)
{
	double end;

	ns2_trace_extent(a, NULL, NULL, NULL, NULL, &end);
	check(isfinite(end) && end >= 0);
	const double times[] = {-1, 0, 0.5, 1, a->last_time / 2, a->last_time,
	                        a->last_time + 1, end / 3, end, end + 1};
	for (unsigned k = 0; k < ns2_trace_nodes(a); k++) {
		for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
			double x1, y1, z1, x2, y2, z2;
			ns2_trace_position(a, k, times[i], &x1, &y1, &z1);
			ns2_trace_position(b, k, times[i], &x2, &y2, &z2);
			check(isfinite(x1) && isfinite(y1) && isfinite(z1));
			check(same(x1, x2) && same(y1, y2) && same(z1, z2));
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	GError *err = NULL;
	struct ns2_trace *t = ns2_trace_parse("fuzz", (const char *)d, n, &err);

	if (!t) {
		check(err != NULL && err->domain == NS2_MOB_ERROR);
		check(strncmp(err->message, "fuzz:", 5) == 0);
		g_error_free(err);
		return 0;
	}
	check(err == NULL && ns2_trace_nodes(t) > 0);
	GString *w1 = g_string_new(NULL), *w2 = g_string_new(NULL);
	ns2_trace_write(t, w1);
	struct ns2_trace *u = ns2_trace_parse("again", w1->str, w1->len, &err);
	if (!u)
		abort();
	compare(t, u);
	positions(t, u);
	ns2_trace_write(u, w2);
	check(w1->len == w2->len && memcmp(w1->str, w2->str, w1->len) == 0);
	if (ns2_trace_nodes(t) <= 64) {
		GString *c = g_string_new(NULL);
		ns2_trace_write_csv(t, 0.25 + t->last_time / 8, t->last_time, c);
		check(strncmp(c->str, "t,node,x,y,z\n", 13) == 0);
		g_string_free(c, TRUE);
	}
	ns2_trace_free(u);
	ns2_trace_free(t);
	g_string_free(w1, TRUE);
	g_string_free(w2, TRUE);
	return 0;
}
