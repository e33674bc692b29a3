/* Strict ns-2 movement traces (scenarios/loader/ns2mob.c). */
#include "testutil.h"
#include "../../scenarios/loader/ns2mob.h"

#include <math.h>
#include <string.h>

#define EPS 1e-9

static struct ns2_trace *
parse_ok(const char *text)
{
	GError *err = NULL;
	struct ns2_trace *t = ns2_trace_parse("t", text, strlen(text), &err);

	g_assert_no_error(err);
	g_assert_nonnull(t);
	return t;
}

/* Parse must fail with a message starting "t:<at>: " and containing sub. */
static void
parse_bad(const char *text, const char *at, const char *sub)
{
	GError *err = NULL;
	struct ns2_trace *t = ns2_trace_parse("t", text, strlen(text), &err);
	gchar *pfx = g_strdup_printf("t:%s: ", at);

	g_assert_null(t);
	g_assert_error(err, NS2_MOB_ERROR, err->code);
	if (!g_str_has_prefix(err->message, pfx) || !strstr(err->message, sub))
		g_error("text:\n%s\nmessage: %s\nexpected prefix '%s' and '%s'", text,
		        err->message, pfx, sub);
	g_free(pfx);
	g_error_free(err);
}

static void
assert_pos(const struct ns2_trace *t, unsigned node, double time, double ex,
           double ey, double ez)
{
	double x, y, z;

	ns2_trace_position(t, node, time, &x, &y, &z);
	if (fabs(x - ex) > EPS || fabs(y - ey) > EPS || fabs(z - ez) > EPS)
		g_error("node %u at %g: (%.17g, %.17g, %.17g), expected (%g, %g, %g)",
		        node, time, x, y, z, ex, ey, ez);
}

/* Identical nodes and moves, exact doubles (lines are not compared). */
static void
assert_same(const struct ns2_trace *a, const struct ns2_trace *b)
{
	g_assert_cmpuint(ns2_trace_nodes(a), ==, ns2_trace_nodes(b));
	g_assert_true(a->last_time == b->last_time);
	for (unsigned k = 0; k < ns2_trace_nodes(a); k++) {
		const struct ns2_node *na = &g_array_index(a->nodes, struct ns2_node, k);
		const struct ns2_node *nb = &g_array_index(b->nodes, struct ns2_node, k);
		g_assert_true(memcmp(&na->x0, &nb->x0, sizeof na->x0) == 0);
		g_assert_true(memcmp(&na->y0, &nb->y0, sizeof na->y0) == 0);
		g_assert_true(memcmp(&na->z0, &nb->z0, sizeof na->z0) == 0);
		g_assert_cmpuint(na->moves->len, ==, nb->moves->len);
		for (guint j = 0; j < na->moves->len; j++) {
			const struct ns2_move *ma =
			        &g_array_index(na->moves, struct ns2_move, j);
			const struct ns2_move *mb =
			        &g_array_index(nb->moves, struct ns2_move, j);
			g_assert_true(ma->t == mb->t && ma->x == mb->x &&
			              ma->y == mb->y && ma->speed == mb->speed);
			g_assert_true(ma->x_from == mb->x_from &&
			              ma->y_from == mb->y_from && ma->t_end == mb->t_end);
		}
	}
}

/* parse(write(t)) == t, and write is a fixed point. */
static void
check_roundtrip(const struct ns2_trace *t)
{
	GString *w1 = g_string_new(NULL), *w2 = g_string_new(NULL);
	GError *err = NULL;

	ns2_trace_write(t, w1);
	struct ns2_trace *u = ns2_trace_parse("w", w1->str, w1->len, &err);
	g_assert_no_error(err);
	assert_same(t, u);
	ns2_trace_write(u, w2);
	g_assert_cmpstr(w1->str, ==, w2->str);
	ns2_trace_free(u);
	g_string_free(w1, TRUE);
	g_string_free(w2, TRUE);
}

/* ---- corpus ---------------------------------------------------------- */

/* Every good-* parses and round-trips; every bad-* fails with the message
 * of its "# expect: " first line at the "# at: LINE:COL" of its second. */
static gboolean
load_trace(const char *path, GError **err, void *user)
{
	struct ns2_trace *t = ns2_trace_load(path, err);

	(void)user;
	if (!t) {
		g_assert_error(*err, NS2_MOB_ERROR, (*err)->code);
		return FALSE;
	}
	g_assert_cmpuint(ns2_trace_nodes(t), >, 0);
	g_assert_cmpstr(t->name, ==, path);
	check_roundtrip(t);
	ns2_trace_free(t);
	return TRUE;
}

static void
test_corpus(void)
{
	unsigned good, bad;

	tu_corpus_run("scenarios/ns2", ".ns_movements", load_trace, NULL, &good, &bad);
	g_assert_cmpuint(good, >=, 3);
	g_assert_cmpuint(bad, >=, 20);
	if (g_test_verbose())
		g_test_message("%u good, %u bad corpus files", good, bad);
}

/* A few corpus errors with their line numbers spelled out here as well. */
static void
test_corpus_lines(void)
{
	static const struct {
		const char *file;
		const char *loc;
	} cases[] = {
		{"bad-speed-zero.ns_movements", ":8:34: speed must be > 0"},
		{"bad-teleport.ns_movements", ":8:22: teleport"},
		{"bad-decreasing-time.ns_movements", ":9:9: time 4 is before"},
		{"bad-noncontiguous.ns_movements", ":6:1: node ids are not contiguous"},
		{"bad-empty.ns_movements", ":4:1: no nodes"},
	};
	for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
		gchar *rel = g_build_filename("scenarios/ns2", cases[k].file, NULL);
		gchar *path = tu_tests_path(rel);
		gchar *want = g_strconcat(path, cases[k].loc, NULL);
		GError *err = NULL;
		g_assert_null(ns2_trace_load(path, &err));
		g_assert_nonnull(err);
		if (!g_str_has_prefix(err->message, want))
			g_error("'%s' does not start with '%s'", err->message, want);
		g_error_free(err);
		g_free(want);
		g_free(path);
		g_free(rel);
	}
}

/* good-cut-move: the cut move, by hand (see the file's comment). */
static void
test_corpus_cut(void)
{
	gchar *path = tu_tests_path("scenarios/ns2/good-cut-move.ns_movements");
	GError *err = NULL;
	struct ns2_trace *t = ns2_trace_load(path, &err);

	g_assert_no_error(err);
	assert_pos(t, 0, 5, 0, 5, 10);     /* 5 s at 1 m/s up */
	assert_pos(t, 0, 10, 0, 10, 10);   /* cut here, far from (0,100) */
	assert_pos(t, 0, 15, 2.5, 10, 10); /* 5 s at 0.5 m/s right */
	assert_pos(t, 0, 20, 5, 10, 10);   /* 5 m / 0.5 m/s = 10 s: arrived */
	assert_pos(t, 0, 25, 5, 10, 10);   /* pause */
	assert_pos(t, 0, 32, 5, 6, 10);    /* 2 s at 2 m/s down */
	assert_pos(t, 0, 35, 5, 0, 10);    /* 10 m / 2 m/s = 5 s: arrived */
	assert_pos(t, 0, 1e4, 5, 0, 10);
	double x0, y0, x1, y1, end;
	ns2_trace_extent(t, &x0, &y0, &x1, &y1, &end);
	g_assert_cmpfloat(x0, ==, 0);
	g_assert_cmpfloat(y0, ==, 0);
	g_assert_cmpfloat(x1, ==, 5);
	g_assert_cmpfloat(y1, ==, 10);
	g_assert_cmpfloat(end, ==, 35);
	ns2_trace_free(t);
	g_free(path);
}

static void
test_load_missing(void)
{
	GError *err = NULL;

	g_assert_null(ns2_trace_load("/nonexistent/x.ns_movements", &err));
	g_assert_error(err, NS2_MOB_ERROR, NS2_MOB_ERROR_IO);
	g_assert_true(g_str_has_prefix(err->message, "/nonexistent/x.ns_movements: "));
	g_error_free(err);
}

/* ---- motion ---------------------------------------------------------- */

static const char motion[] =
        "$node_(0) set X_ 0\n"
        "$node_(0) set Y_ 0\n"
        "$node_(0) set Z_ 2\n"
        "$node_(1) set X_ 100\n"
        "$node_(1) set Y_ 100\n"
        "$node_(1) set Z_ 7\n"
        "$node_(2) set X_ -5\n"
        "$node_(2) set Y_ 3\n"
        "$ns_ at 0 \"$node_(1) setdest 100 50 10\"\n"
        "$ns_ at 10 \"$node_(0) setdest 30 40 5\"\n"
        "$ns_ at 30 \"$node_(0) setdest 30 0 4\"\n"
        "$ns_ at 35 \"$node_(0) setdest 0 20 1\"\n"
        "$ns_ at 70 \"$node_(0) setdest 0 20 3\"\n";

static void
test_positions(void)
{
	struct ns2_trace *t = parse_ok(motion);

	g_assert_cmpuint(ns2_trace_nodes(t), ==, 3);
	g_assert_cmpfloat(t->last_time, ==, 70);
	/* Before the first setdest (and for t < 0): the initial position. */
	assert_pos(t, 0, -1, 0, 0, 2);
	assert_pos(t, 0, 5, 0, 0, 2);
	assert_pos(t, 0, 10, 0, 0, 2);
	/* Straight move at 10 s from (0,0) to (30,40): distance 50, speed 5,
	 * so 10 s, arriving at 20 s; direction (0.6, 0.8), 5 m/s.
	 * At 12 s: 2 s * 5 m/s = 10 m -> (6, 8). At 17.5 s: 37.5 m -> (22.5, 30). */
	assert_pos(t, 0, 12, 6, 8, 2);
	assert_pos(t, 0, 17.5, 22.5, 30, 2);
	/* Arrival then rest until the next setdest at 30 s. */
	assert_pos(t, 0, 20, 30, 40, 2);
	assert_pos(t, 0, 29.999, 30, 40, 2);
	/* At 30 s toward (30,0) at 4 m/s: 40 m, would arrive at 40 s. At 35 s
	 * the node is 20 m down: (30, 20); there the move is cut by the setdest
	 * toward (0,20) at 1 m/s: 30 m, arriving at 65 s. */
	assert_pos(t, 0, 32.5, 30, 30, 2);
	assert_pos(t, 0, 35, 30, 20, 2);
	assert_pos(t, 0, 50, 15, 20, 2);
	assert_pos(t, 0, 65, 0, 20, 2);
	/* Zero-length move at 70 s: the node stays at (0,20). */
	assert_pos(t, 0, 70, 0, 20, 2);
	assert_pos(t, 0, 71, 0, 20, 2);
	/* Long after the last setdest. */
	assert_pos(t, 0, 1e6, 0, 20, 2);
	/* Node 1: at 0 s from (100,100) to (100,50) at 10 m/s: arrives at 5 s;
	 * at 2.5 s it has gone 25 m: (100, 75). Z_ stays 7. */
	assert_pos(t, 1, 0, 100, 100, 7);
	assert_pos(t, 1, 2.5, 100, 75, 7);
	assert_pos(t, 1, 5, 100, 50, 7);
	assert_pos(t, 1, 1e9, 100, 50, 7);
	/* Node 2: no moves, Z_ omitted -> 0. */
	assert_pos(t, 2, 0, -5, 3, 0);
	assert_pos(t, 2, 1e3, -5, 3, 0);
	/* An id out of range gives zeros. */
	assert_pos(t, 3, 1, 0, 0, 0);
	/* Derived fields of the cut move. */
	const struct ns2_node *n0 = &g_array_index(t->nodes, struct ns2_node, 0);
	const struct ns2_move *m = &g_array_index(n0->moves, struct ns2_move, 2);
	g_assert_cmpfloat_with_epsilon(m->x_from, 30, EPS);
	g_assert_cmpfloat_with_epsilon(m->y_from, 20, EPS);
	g_assert_cmpfloat_with_epsilon(m->t_end, 65, EPS);
	g_assert_cmpuint(m->line, ==, 12);
	ns2_trace_free(t);
}

/* Several setdests of one node at the same time: the last one wins, and it
 * starts where the node is (the earlier ones last zero time). */
static void
test_same_time(void)
{
	struct ns2_trace *t = parse_ok(
	        "$node_(0) set X_ 0\n$node_(0) set Y_ 0\n"
	        "$ns_ at 1 \"$node_(0) setdest 100 0 1\"\n"
	        "$ns_ at 1 \"$node_(0) setdest 0 10 2\"\n");
	/* from (0,0) at 1 s toward (0,10) at 2 m/s: at 3 s (0,4), arrives 6 s */
	assert_pos(t, 0, 1, 0, 0, 0);
	assert_pos(t, 0, 3, 0, 4, 0);
	assert_pos(t, 0, 6, 0, 10, 0);
	check_roundtrip(t);
	ns2_trace_free(t);
}

/* Distances far below and above 1 m: 3-4-5 triangles scaled by 1e-3 and
 * 1e8; the move takes 5 s at speed 1e-3 and 1e8 m/s respectively. */
static void
test_distance_scale(void)
{
	struct ns2_trace *t = parse_ok(
	        "$node_(0) set X_ 0\n$node_(0) set Y_ 0\n"
	        "$node_(1) set X_ 0\n$node_(1) set Y_ 0\n"
	        "$ns_ at 0 \"$node_(0) setdest 0.003 0.004 0.001\"\n"
	        "$ns_ at 0 \"$node_(1) setdest 3e8 4e8 1e8\"\n");
	const struct ns2_node *n0 = &g_array_index(t->nodes, struct ns2_node, 0);
	const struct ns2_node *n1 = &g_array_index(t->nodes, struct ns2_node, 1);

	g_assert_cmpfloat_with_epsilon(g_array_index(n0->moves, struct ns2_move, 0).t_end,
	                               5, 1e-12);
	g_assert_cmpfloat_with_epsilon(g_array_index(n1->moves, struct ns2_move, 0).t_end,
	                               5, 1e-12);
	assert_pos(t, 0, 2.5, 0.0015, 0.002, 0);
	assert_pos(t, 1, 2.5, 1.5e8, 2e8, 0);
	ns2_trace_free(t);
}

/* The writer orders equal times by line, then node, then move index: a
 * trace built by hand (line 0 everywhere) keeps each node's move order. */
static void
test_write_handmade(void)
{
	struct ns2_trace *t = parse_ok(
	        "$node_(0) set X_ 0\n$node_(0) set Y_ 0\n"
	        "$node_(1) set X_ 0\n$node_(1) set Y_ 0\n"
	        "$ns_ at 1 \"$node_(1) setdest 1 0 1\"\n"
	        "$ns_ at 1 \"$node_(1) setdest 2 0 1\"\n"
	        "$ns_ at 1 \"$node_(0) setdest 3 0 1\"\n");
	GString *w = g_string_new(NULL);

	for (unsigned k = 0; k < 2; k++) {
		GArray *mv = g_array_index(t->nodes, struct ns2_node, k).moves;
		for (guint j = 0; j < mv->len; j++)
			g_array_index(mv, struct ns2_move, j).line = 0;
	}
	ns2_trace_write(t, w);
	g_assert_nonnull(strstr(w->str,
	        "$ns_ at 1 \"$node_(0) setdest 3 0 1\"\n"
	        "$ns_ at 1 \"$node_(1) setdest 1 0 1\"\n"
	        "$ns_ at 1 \"$node_(1) setdest 2 0 1\"\n"));
	check_roundtrip(t);
	g_string_free(w, TRUE);
	ns2_trace_free(t);
}

static void
test_extent(void)
{
	double x0, y0, x1, y1, end;
	struct ns2_trace *t = parse_ok(motion);

	/* node 0: (0,0) -> (30,40) -> cut at (30,20) -> (0,20); node 1:
	 * (100,100) -> (100,50); node 2 at (-5,3). The last moves end at 70 s
	 * (node 0, zero length) and 5 s (node 1). */
	ns2_trace_extent(t, &x0, &y0, &x1, &y1, &end);
	g_assert_cmpfloat(x0, ==, -5);
	g_assert_cmpfloat(y0, ==, 0);
	g_assert_cmpfloat(x1, ==, 100);
	g_assert_cmpfloat(y1, ==, 100);
	g_assert_cmpfloat_with_epsilon(end, 70, EPS);
	ns2_trace_free(t);

	/* A cut move does not reach its destination: from (0,0) toward (0,100)
	 * at 1 m/s from 0 s, cut at 10 s at (0,10), back to (0,5) at 1 m/s:
	 * y stays in [0, 10] and the last move ends at 10 + 5 = 15 s. */
	t = parse_ok("$node_(0) set X_ 0\n$node_(0) set Y_ 0\n"
	             "$ns_ at 0 \"$node_(0) setdest 0 100 1\"\n"
	             "$ns_ at 10 \"$node_(0) setdest 0 5 1\"\n");
	ns2_trace_extent(t, &x0, &y0, &x1, &y1, &end);
	g_assert_cmpfloat(x0, ==, 0);
	g_assert_cmpfloat(x1, ==, 0);
	g_assert_cmpfloat(y0, ==, 0);
	g_assert_cmpfloat_with_epsilon(y1, 10, EPS);
	g_assert_cmpfloat_with_epsilon(end, 15, EPS);
	ns2_trace_extent(t, NULL, NULL, NULL, NULL, NULL);
	ns2_trace_free(t);

	/* No moves: the box of the initial positions, end time 0. */
	t = parse_ok("$node_(0) set X_ 3\n$node_(0) set Y_ -4\n"
	             "$node_(1) set X_ -1\n$node_(1) set Y_ 9\n");
	ns2_trace_extent(t, &x0, &y0, &x1, &y1, &end);
	g_assert_cmpfloat(x0, ==, -1);
	g_assert_cmpfloat(y0, ==, -4);
	g_assert_cmpfloat(x1, ==, 3);
	g_assert_cmpfloat(y1, ==, 9);
	g_assert_cmpfloat(end, ==, 0);
	g_assert_cmpfloat(t->last_time, ==, 0);
	ns2_trace_free(t);
}

/* ---- ns-3 Ns2MobilityHelper-style syntax ----------------------------- */

static void
test_conformance(void)
{
	struct ns2_trace *t;

	/* Comments at the end of lines, whole-line comments, blank lines. */
	t = parse_ok("# header\n\n$node_(0) set X_ 1 # x\n$node_(0) set Y_ 2# y\n"
	             "   # indented comment\n"
	             "$ns_ at 1 \"$node_(0) setdest 4 6 5\" # move\n");
	assert_pos(t, 0, 2, 4, 6, 0);
	ns2_trace_free(t);
	/* Exponent floats, signs, tabs, extra spaces, "10." and ".5". */
	t = parse_ok("\t$node_(0)\tset  X_\t1e1\n$node_(0) set Y_ -2.5E-1   \n"
	             "$node_(0) set Z_ +1.5e+0\n"
	             "$ns_  at\t.5  \"  $node_(0)   setdest 1E1 -0.25 2.5e-1  \"\n"
	             "$ns_ at 10. \"$node_(0) setdest 10 0.25 1\"\t\n");
	{
		const struct ns2_node *n = &g_array_index(t->nodes, struct ns2_node, 0);
		g_assert_cmpfloat(n->x0, ==, 10);
		g_assert_cmpfloat(n->y0, ==, -0.25);
		g_assert_cmpfloat(n->z0, ==, 1.5);
		g_assert_cmpuint(n->moves->len, ==, 2);
		g_assert_cmpfloat(g_array_index(n->moves, struct ns2_move, 0).t, ==, 0.5);
		g_assert_cmpfloat(g_array_index(n->moves, struct ns2_move, 0).speed, ==, 0.25);
		g_assert_cmpfloat(g_array_index(n->moves, struct ns2_move, 1).t, ==, 10);
	}
	/* zero-length move at .5, then from (10,-0.25) to (10,0.25) at 1 m/s */
	assert_pos(t, 0, 10.25, 10, 0, 1.5);
	ns2_trace_free(t);
	/* CRLF line ends, including a comment line and no final newline. */
	t = parse_ok("# crlf\r\n$node_(0) set X_ 0\r\n$node_(0) set Y_ 0\r\n\r\n"
	             "$ns_ at 0 \"$node_(0) setdest 3 4 1\" # c\r\n"
	             "$ns_ at 100 \"$node_(0) setdest 0 0 1\"");
	assert_pos(t, 0, 2.5, 1.5, 2, 0);
	assert_pos(t, 0, 105, 0, 0, 0);
	ns2_trace_free(t);
	/* Initial positions in any order, ids interleaved. */
	t = parse_ok("$node_(1) set Y_ 4\n$node_(0) set X_ 1\n$node_(1) set X_ 3\n"
	             "$node_(0) set Y_ 2\n$node_(1) set Z_ 5\n");
	assert_pos(t, 0, 0, 1, 2, 0);
	assert_pos(t, 1, 0, 3, 4, 5);
	ns2_trace_free(t);
	/* Not NUL-terminated: parse only len bytes. */
	{
		const char txt[] = "$node_(0) set X_ 1\n$node_(0) set Y_ 2\n$node_(0) set Z_ 3x";
		GError *err = NULL;
		t = ns2_trace_parse("t", txt, sizeof txt - 2, &err);
		g_assert_no_error(err);
		assert_pos(t, 0, 0, 1, 2, 3);
		ns2_trace_free(t);
	}
}

/* Errors with exact line:column, one per rule. */
static void
test_errors(void)
{
	static const char init[] = "$node_(0) set X_ 0\n$node_(0) set Y_ 0\n";
	static const struct {
		const char *moves; /* appended to init (lines 3...) */
		const char *at;
		const char *sub;
	} cases[] = {
		{"$ns_ at 1 \"$node_(0) setdest 1 1 0\"\n", "3:34", "speed must be > 0"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1 -1\"\n", "3:34", "speed must be > 0"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1 1e-12\"\n", "3:34", "speed out of range"},
		{"$ns_ at 1 \"$node_(0) set X_ 5\"\n", "3:22", "teleport"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1 1\"\n$node_(0) set Z_ 1\n", "4:11",
		 "set line after the first $ns_ at"},
		{"$ns_ at 1 \"$node_(1) setdest 1 1 1\"\n", "3:12", "node 1 has no initial position"},
		{"$ns_ at 2 \"$node_(0) setdest 1 1 1\"\n$ns_ at 1.5 \"$node_(0) setdest 1 1 1\"\n",
		 "4:9", "times must be non-decreasing"},
		{"$ns_ at -1 \"$node_(0) setdest 1 1 1\"\n", "3:9", "negative time"},
		{"$ns_ at 2e9 \"$node_(0) setdest 1 1 1\"\n", "3:9", "time out of range"},
		{"$ns_ at nan \"$node_(0) setdest 1 1 1\"\n", "3:9", "NaN/inf"},
		{"$ns_ at 1 \"$node_(0) setdest -Infinity 1 1\"\n", "3:30", "NaN/inf"},
		{"$ns_ at 1 \"$node_(0) setdest 1 inf 1\"\n", "3:32", "NaN/inf"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1 1e400\"\n", "3:34", "overflows"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1 NaN(1)\"\n", "3:34", "NaN/inf"},
		{"$god_ set-dist 0 1 2\n", "3:1", "unknown command '$god_'"},
		{"$ns_ at 1 \"$node_(0) start\"\n", "3:22", "unknown command 'start' inside"},
		{"$ns_ after 1\n", "3:6", "unknown command '$ns_ after'"},
		{"$ns_\n", "3:5", "missing argument (expected at"},
		{"$ns_ at 1 $node_(0) setdest 1 1 1\n", "3:11", "missing opening quote"},
		{"$ns_ at 1\n", "3:10", "missing opening quote"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1 1\n", "3:35", "missing closing quote"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1 1 # c\"\n", "3:36", "missing closing quote"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1\"\n", "3:33", "missing argument (expected speed)"},
		{"$ns_ at 1 \"$node_(0)\"\n", "3:21", "missing argument (expected setdest"},
		{"$ns_ at 1 \"\"\n", "3:12", "missing argument (expected $node_"},
		{"$ns_ at \"$node_(0) setdest 1 1 1\"\n", "3:9", "missing argument (expected a time)"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1 1\" x\n", "3:37", "trailing garbage 'x' after the closing quote"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1 1\"\"\n", "3:36", "trailing garbage '\"'"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1 1 2\"\n", "3:36", "trailing garbage '2' after the speed"},
		{"$ns_ at 1 \"$node_(0) setdest 1 1x 1\"\n", "3:32", "'1x' is not a number"},
		{"$ns_ at 1 \"$node_(0) setdest 0x10 1 1\"\n", "3:30", "'0x10' is not a number"},
		{"$ns_ at 1 \"$node_(0) setdest . 1 1\"\n", "3:30", "'.' is not a number"},
		{"$ns_ at 1 \"$node_(0) setdest 1e 1 1\"\n", "3:30", "'1e' is not a number"},
		{"$ns_ at 1 \"$node_(0) setdest 2e9 1 1\"\n", "3:30", "x out of range"},
		{"$ns_ at 1 \"$node(0) setdest 1 1 1\"\n", "3:12", "malformed node reference"},
		{"$ns_ at 1 \"$node_(1000000) setdest 1 1 1\"\n", "3:12", "too large"},
		{"$node_(0) set X_ 1\n", "3:15", "duplicate set X_ for node 0 (first set at line 1)"},
		{"$node_(0) setdest 1 1 1\n", "3:11", "setdest outside $ns_ at"},
		{"$node_(0) set W_ 1\n", "3:15", "unknown attribute 'W_'"},
		{"$node_(0) set\n", "3:14", "missing argument (expected X_, Y_ or Z_)"},
		{"$node_(0)\n", "3:10", "missing argument (expected set"},
		{"$node_(0) sett Z_ 1\n", "3:11", "unknown command 'sett'"},
		{"$node_(0) set Z_\n", "3:17", "missing argument (expected Z_)"},
		{"$node_(0) set Z_ 1 2\n", "3:20", "trailing garbage '2' after the value"},
		{"$node_(0) set Z_ abc\n", "3:18", "'abc' is not a number"},
		{"$node_(0) set Z_ -1e10\n", "3:18", "Z_ out of range"},
		{"$node_(-1) set Z_ 1\n", "3:1", "malformed node reference"},
		{"$node_() set Z_ 1\n", "3:1", "malformed node reference"},
		{"$node_(0)x set Z_ 1\n", "3:1", "malformed node reference"},
		{"\"x\"\n", "3:1", "unexpected '\"'"},
		{"$node_(0) set Z_ 1\x01\n", "3:18", "'1\\x01' is not a number"},
		{"\xef\xbb\xbf\n", "3:1", "unknown command '\\xef\\xbb\\xbf'"},
		{"$node_(2) set X_ 0\n$node_(2) set Y_ 0\n", "3:1",
		 "node ids are not contiguous: node 2 is set but node 1 has no initial position (expected ids 0..1)"},
		{"$node_(1) set X_ 0\n", "3:1", "node 1 has no initial Y_"},
		{"$node_(1) set Y_ 0\n$ns_ at 1 \"$node_(0) setdest 1 1 1\"\n", "3:1",
		 "node 1 has no initial X_"},
	};

	for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
		gchar *text = g_strconcat(init, cases[k].moves, NULL);
		parse_bad(text, cases[k].at, cases[k].sub);
		g_free(text);
	}
	/* empty text, only blanks/comments: no nodes */
	parse_bad("", "1:1", "no nodes");
	parse_bad("\n\n# c\n", "3:1", "no nodes");
	/* setdest with no set lines at all */
	parse_bad("$ns_ at 1 \"$node_(0) setdest 1 1 1\"\n", "1:12",
	          "node 0 has no initial position");
	/* duplicate Y_ / Z_ */
	parse_bad("$node_(0) set Y_ 1\n$node_(0) set Y_ 1\n", "2:15", "duplicate set Y_");
	parse_bad("$node_(0) set Z_ 1\n$node_(0) set Z_ 1\n", "2:15", "duplicate set Z_");
	/* a NUL byte */
	{
		const char txt[] = "$node_(0) set X_ 1\0\n";
		GError *err = NULL;
		g_assert_null(ns2_trace_parse("t", txt, sizeof txt - 1, &err));
		g_assert_nonnull(strstr(err->message, "t:1:18: '1\\x00' is not a number"));
		g_error_free(err);
	}
	/* NULL name */
	{
		GError *err = NULL;
		g_assert_null(ns2_trace_parse(NULL, "x", 1, &err));
		g_assert_true(g_str_has_prefix(err->message, "(trace):1:1: "));
		g_error_free(err);
	}
	/* a very long token is truncated in the message */
	{
		GString *s = g_string_new("$node_(0) set X_ ");
		for (int k = 0; k < 500; k++)
			g_string_append_c(s, 'a');
		GError *err = NULL;
		g_assert_null(ns2_trace_parse("t", s->str, s->len, &err));
		g_assert_cmpuint(strlen(err->message), <, 200);
		g_assert_nonnull(strstr(err->message, "...' is not a number"));
		g_error_free(err);
		g_string_free(s, TRUE);
	}
}

/* ---- writers --------------------------------------------------------- */

/* Random traces with full-precision numbers survive write -> parse. */
static void
test_roundtrip(void)
{
	GRand *r = tu_rand();

	for (int iter = 0; iter < 50; iter++) {
		GString *s = g_string_new("# random\n");
		unsigned n = (unsigned)g_rand_int_range(r, 1, 8);
		char b[G_ASCII_DTOSTR_BUF_SIZE];
		for (unsigned k = n; k-- > 0;) {
			g_string_append_printf(s, "$node_(%u) set X_ %s\n", k,
			        g_ascii_dtostr(b, sizeof b, g_rand_double_range(r, -1e4, 1e4)));
			g_string_append_printf(s, "$node_(%u) set Y_ %s\n", k,
			        g_ascii_dtostr(b, sizeof b, g_rand_double_range(r, -1e4, 1e4)));
			if (g_rand_boolean(r))
				g_string_append_printf(s, "$node_(%u) set Z_ %s\n", k,
				        g_ascii_dtostr(b, sizeof b, g_rand_double_range(r, -10, 10)));
		}
		double tm = 0;
		int moves = g_rand_int_range(r, 0, 40);
		for (int j = 0; j < moves; j++) {
			if (g_rand_boolean(r))
				tm += g_rand_double_range(r, 0, 20);
			gchar *x = g_strdup(g_ascii_dtostr(b, sizeof b,
			                    g_rand_double_range(r, -1e4, 1e4)));
			gchar *y = g_strdup(g_ascii_dtostr(b, sizeof b,
			                    g_rand_double_range(r, -1e4, 1e4)));
			gchar *sp = g_strdup(g_ascii_dtostr(b, sizeof b,
			                     g_rand_double_range(r, 0.01, 50)));
			g_string_append_printf(s, "$ns_ at %s \"$node_(%u) setdest %s %s %s\"\n",
			                       g_ascii_dtostr(b, sizeof b, tm),
			                       (unsigned)g_rand_int_range(r, 0, (gint32)n),
			                       x, y, sp);
			g_free(x);
			g_free(y);
			g_free(sp);
		}
		struct ns2_trace *t = parse_ok(s->str);
		check_roundtrip(t);
		/* positions agree with a re-parse at random times */
		GString *w = g_string_new(NULL);
		ns2_trace_write(t, w);
		struct ns2_trace *u = parse_ok(w->str);
		for (int q = 0; q < 20; q++) {
			double at = g_rand_double_range(r, -1, tm + 100);
			unsigned node = (unsigned)g_rand_int_range(r, 0, (gint32)n);
			double x1, y1, z1, x2, y2, z2;
			ns2_trace_position(t, node, at, &x1, &y1, &z1);
			ns2_trace_position(u, node, at, &x2, &y2, &z2);
			g_assert_true(x1 == x2 && y1 == y2 && z1 == z2);
		}
		ns2_trace_free(u);
		g_string_free(w, TRUE);
		ns2_trace_free(t);
		g_string_free(s, TRUE);
	}
	g_rand_free(r);
}

static void
test_write_format(void)
{
	struct ns2_trace *t = parse_ok(
	        "$node_(1) set X_ 0.1\n$node_(1) set Y_ 2\n"
	        "$node_(0) set X_ 1e3\n$node_(0) set Y_ -0\n$node_(0) set Z_ 1.5\n"
	        "$ns_ at 1 \"$node_(1) setdest 3 4 1\"\n"
	        "$ns_ at 1 \"$node_(0) setdest 3 4 1\"\n"
	        "$ns_ at 2.5 \"$node_(1) setdest 0.30000000000000004 4 1\"\n");
	GString *w = g_string_new(NULL);

	ns2_trace_write(t, w);
	g_assert_cmpstr(w->str, ==,
	        "$node_(0) set X_ 1000\n$node_(0) set Y_ -0\n$node_(0) set Z_ 1.5\n"
	        "$node_(1) set X_ 0.10000000000000001\n$node_(1) set Y_ 2\n"
	        "$node_(1) set Z_ 0\n"
	        "$ns_ at 1 \"$node_(1) setdest 3 4 1\"\n"
	        "$ns_ at 1 \"$node_(0) setdest 3 4 1\"\n"
	        "$ns_ at 2.5 \"$node_(1) setdest 0.30000000000000004 4 1\"\n");
	g_string_free(w, TRUE);
	ns2_trace_free(t);
}

static void
test_csv(void)
{
	struct ns2_trace *t = parse_ok(motion);
	GString *c = g_string_new(NULL);

	/* 0, 0.1, ..., 100: 1001 steps, 3 nodes each, plus the header */
	ns2_trace_write_csv(t, 0.1, 100, c);
	gchar **rows = g_strsplit(c->str, "\n", -1);
	guint nrows = g_strv_length(rows);
	g_assert_cmpuint(nrows, ==, 1 + 1001 * 3 + 1); /* last "" after \n */
	g_assert_cmpstr(rows[0], ==, "t,node,x,y,z");
	g_assert_cmpstr(rows[nrows - 1], ==, "");
	/* t = 12 s, node 0 (row 1 + 120 * 3): (6, 8, 2) */
	g_assert_cmpstr(rows[1 + 120 * 3], ==, "12.000000,0,6.000000,8.000000,2.000000");
	g_assert_cmpstr(rows[1 + 1000 * 3 + 2], ==, "100.000000,2,-5.000000,3.000000,0.000000");
	for (guint k = 1; k + 1 < nrows; k++) {
		gchar **f = g_strsplit(rows[k], ",", -1);
		g_assert_cmpuint(g_strv_length(f), ==, 5);
		double tm = g_ascii_strtod(f[0], NULL);
		unsigned node = (unsigned)g_ascii_strtoull(f[1], NULL, 10);
		g_assert_cmpuint(node, ==, (k - 1) % 3);
		g_assert_cmpfloat_with_epsilon(tm, 0.1 * (double)((k - 1) / 3), 1e-6);
		double x, y, z;
		ns2_trace_position(t, node, 0.1 * (double)((k - 1) / 3), &x, &y, &z);
		g_assert_cmpfloat_with_epsilon(g_ascii_strtod(f[2], NULL), x, 1e-6);
		g_assert_cmpfloat_with_epsilon(g_ascii_strtod(f[3], NULL), y, 1e-6);
		g_assert_cmpfloat_with_epsilon(g_ascii_strtod(f[4], NULL), z, 1e-6);
		g_strfreev(f);
	}
	g_strfreev(rows);

	/* until not a multiple of step: 0, 3, 6, 9 */
	g_string_truncate(c, 0);
	ns2_trace_write_csv(t, 3, 10, c);
	rows = g_strsplit(c->str, "\n", -1);
	g_assert_cmpuint(g_strv_length(rows), ==, 1 + 4 * 3 + 1);
	g_strfreev(rows);
	/* degenerate arguments: header only */
	const double bad[][2] = {{0, 10}, {-1, 10}, {NAN, 10}, {1, -1}, {1, NAN}, {INFINITY, 1}};
	for (size_t k = 0; k < G_N_ELEMENTS(bad); k++) {
		g_string_truncate(c, 0);
		ns2_trace_write_csv(t, bad[k][0], bad[k][1], c);
		g_assert_cmpstr(c->str, ==, "t,node,x,y,z\n");
	}
	/* until = 0: one time step */
	g_string_truncate(c, 0);
	ns2_trace_write_csv(t, 1, 0, c);
	g_assert_cmpstr(c->str, ==, "t,node,x,y,z\n"
	                "0.000000,0,0.000000,0.000000,2.000000\n"
	                "0.000000,1,100.000000,100.000000,7.000000\n"
	                "0.000000,2,-5.000000,3.000000,0.000000\n");
	g_string_free(c, TRUE);
	ns2_trace_free(t);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/scen/ns2mob/corpus", test_corpus);
	g_test_add_func("/scen/ns2mob/corpus-lines", test_corpus_lines);
	g_test_add_func("/scen/ns2mob/corpus-cut", test_corpus_cut);
	g_test_add_func("/scen/ns2mob/load-missing", test_load_missing);
	g_test_add_func("/scen/ns2mob/positions", test_positions);
	g_test_add_func("/scen/ns2mob/same-time", test_same_time);
	g_test_add_func("/scen/ns2mob/distance-scale", test_distance_scale);
	g_test_add_func("/scen/ns2mob/write-handmade", test_write_handmade);
	g_test_add_func("/scen/ns2mob/extent", test_extent);
	g_test_add_func("/scen/ns2mob/conformance", test_conformance);
	g_test_add_func("/scen/ns2mob/errors", test_errors);
	g_test_add_func("/scen/ns2mob/roundtrip", test_roundtrip);
	g_test_add_func("/scen/ns2mob/write-format", test_write_format);
	g_test_add_func("/scen/ns2mob/csv", test_csv);
	return g_test_run();
}
