/*
 * Strict ns-2 movement traces: parser, motion model, CSV and ns-2 writers.
 * See ns2mob.h for the accepted format.
 *
 * The parser works line by line on (pointer, length) ranges, never reading
 * past len. Initial positions are collected in file order (ids may be
 * sparse while reading) and checked when the first "$ns_ at" line or the end
 * of the text is reached: every node needs X_ and Y_, ids must be 0..N-1.
 */
#include "ns2mob.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(ns2-mob-error-quark, ns2_mob_error)

/* One line being parsed. */
struct lx {
	const char *name;
	const char *s; /* start of the line */
	size_t n;      /* its length, without "\n" or "\r\n" */
	size_t i;      /* cursor */
	unsigned line;
};

/* A token: bytes [b, e) of the line. */
struct tok {
	size_t b, e;
};

/* An initial position while reading the set lines. */
struct pre {
	unsigned id;
	double v[3]; /* X_, Y_, Z_ */
	unsigned line[3];
	unsigned first_line, first_col;
};

struct parser {
	const char *name;
	GArray *pre;       /* struct pre, file order */
	GHashTable *ids;   /* id -> index into pre + 1 */
	struct ns2_trace *tr; /* set once the set lines are checked */
	double prev_t;
	unsigned prev_line;
};

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static void
skip_ws(struct lx *l)
{
	while (l->i < l->n && is_ws(l->s[l->i]))
		l->i++;
}

/* After blanks: end of line or a comment. */
static bool
at_eol(struct lx *l)
{
	skip_ws(l);
	return l->i == l->n || l->s[l->i] == '#';
}

/* Next word: a run of bytes other than blanks, '#' and '"' (may be empty). */
static struct tok
word(struct lx *l)
{
	struct tok t;

	skip_ws(l);
	t.b = l->i;
	while (l->i < l->n && !is_ws(l->s[l->i]) && l->s[l->i] != '#' &&
	       l->s[l->i] != '"')
		l->i++;
	t.e = l->i;
	return t;
}

static bool
tok_is(const struct lx *l, struct tok t, const char *w)
{
	size_t n = strlen(w);

	return t.e - t.b == n && memcmp(l->s + t.b, w, n) == 0;
}

/* Printable, truncated copy of a token for messages. */
static const char *
repr(char *buf, size_t size, const struct lx *l, struct tok t)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t k = t.b; k < t.e; k++) {
		unsigned char c = (unsigned char)l->s[k];
		if (o + 8 >= size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '\\' || c == '\'') {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* Set *err to "NAME:LINE:COL: message" (col 1-based from byte offset off). */
static G_GNUC_PRINTF(5, 6) void
fail(GError **err, const struct lx *l, size_t off, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, NS2_MOB_ERROR, code, "%s:%u:%zu: %s", l->name, l->line,
	            off + 1, msg);
	g_free(msg);
}

/* Decimal number syntax: [+-] (d+ [. d*] | . d+) [(e|E) [+-] d+]. */
static bool
num_syntax(const char *p, size_t n)
{
	size_t i = 0, d = 0;

	if (i < n && (p[i] == '+' || p[i] == '-'))
		i++;
	while (i < n && g_ascii_isdigit(p[i]))
		i++, d++;
	if (i < n && p[i] == '.') {
		i++;
		while (i < n && g_ascii_isdigit(p[i]))
			i++, d++;
	}
	if (d == 0)
		return false;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		d = 0;
		while (i < n && g_ascii_isdigit(p[i]))
			i++, d++;
		if (d == 0)
			return false;
	}
	return i == n;
}

/* [+-] nan / inf / infinity, any case, optionally "nan(...)". */
static bool
nan_inf_word(const char *p, size_t n)
{
	if (n > 0 && (p[0] == '+' || p[0] == '-'))
		p++, n--;
	if (n >= 3 && g_ascii_strncasecmp(p, "nan", 3) == 0)
		return n == 3 || p[3] == '(';
	return (n == 3 && g_ascii_strncasecmp(p, "inf", 3) == 0) ||
	       (n == 8 && g_ascii_strncasecmp(p, "infinity", 8) == 0);
}

/* Parse the next word as a finite number; what names it in messages. */
static bool
number(struct lx *l, const char *what, double *out, struct tok *tp, GError **err)
{
	struct tok t = word(l);
	const char *p = l->s + t.b;
	size_t n = t.e - t.b;
	char rb[64];

	*tp = t;
	if (n == 0) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "missing argument (expected %s)", what);
		return false;
	}
	if (nan_inf_word(p, n)) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "NaN/inf '%s' is not allowed (expected a finite number for %s)",
		     repr(rb, sizeof rb, l, t), what);
		return false;
	}
	if (!num_syntax(p, n)) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "'%s' is not a number (expected a decimal number for %s)",
		     repr(rb, sizeof rb, l, t), what);
		return false;
	}
	char *c = g_strndup(p, n);
	char *end = NULL;
	double v = g_ascii_strtod(c, &end);
	bool whole = end == c + n;
	g_free(c);
	if (!whole) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "'%s' is not a number (expected a decimal number for %s)",
		     repr(rb, sizeof rb, l, t), what);
		return false;
	}
	if (!isfinite(v)) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "NaN/inf: '%s' overflows (expected a finite number for %s)",
		     repr(rb, sizeof rb, l, t), what);
		return false;
	}
	*out = v;
	return true;
}

/* Parse "$node_(<id>)" from the next word. */
static bool
node_ref(struct lx *l, unsigned *id, struct tok *tp, GError **err)
{
	static const char pfx[] = "$node_(";
	const size_t pl = sizeof pfx - 1;
	struct tok t = word(l);
	const char *p = l->s + t.b;
	size_t n = t.e - t.b;
	char rb[64];

	*tp = t;
	if (n == 0) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "missing argument (expected $node_(<id>))");
		return false;
	}
	bool ok = n > pl + 1 && memcmp(p, pfx, pl) == 0 && p[n - 1] == ')';
	for (size_t k = pl; ok && k < n - 1; k++)
		ok = g_ascii_isdigit(p[k]);
	if (!ok) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "malformed node reference '%s' (expected $node_(<id>) with a "
		     "decimal id)", repr(rb, sizeof rb, l, t));
		return false;
	}
	unsigned long v = 0;
	for (size_t k = pl; k < n - 1; k++) {
		v = v * 10 + (unsigned long)(p[k] - '0');
		if (v >= NS2_MAX_NODES) {
			fail(err, l, t.b, NS2_MOB_ERROR_INVALID,
			     "node id in '%s' too large (expected an id < %u)",
			     repr(rb, sizeof rb, l, t), NS2_MAX_NODES);
			return false;
		}
	}
	*id = (unsigned)v;
	return true;
}

static bool
end_of_line(struct lx *l, const char *after, GError **err)
{
	char rb[64];

	if (at_eol(l))
		return true;
	struct tok t = word(l);
	if (t.e == t.b)
		t.e = t.b + 1; /* a quote */
	fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
	     "trailing garbage '%s' after %s (expected end of line or # comment)",
	     repr(rb, sizeof rb, l, t), after);
	return false;
}

static bool
coord_range(struct lx *l, struct tok t, double v, const char *what, GError **err)
{
	if (fabs(v) <= NS2_MAX_COORD)
		return true;
	fail(err, l, t.b, NS2_MOB_ERROR_INVALID,
	     "%s out of range (expected |%s| <= %g m)", what, what, NS2_MAX_COORD);
	return false;
}

/* "$node_(i) set A_ v": the node reference is parsed already. */
static bool
set_line(struct parser *ps, struct lx *l, unsigned id, struct tok nt, GError **err)
{
	static const char *const attrs[3] = {"X_", "Y_", "Z_"};
	char rb[64];
	struct tok t = word(l);

	if (t.e == t.b) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "missing argument (expected set after $node_(%u))", id);
		return false;
	}
	if (tok_is(l, t, "setdest")) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "setdest outside $ns_ at (expected $ns_ at <t> \"$node_(%u) "
		     "setdest <x> <y> <speed>\")", id);
		return false;
	}
	if (!tok_is(l, t, "set")) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "unknown command '%s' (expected set X_, Y_ or Z_)",
		     repr(rb, sizeof rb, l, t));
		return false;
	}
	if (ps->tr) {
		fail(err, l, t.b, NS2_MOB_ERROR_INVALID,
		     "set line after the first $ns_ at line (initial positions "
		     "must all come first)");
		return false;
	}
	struct tok at = word(l);
	int a = -1;
	for (int k = 0; k < 3; k++)
		if (tok_is(l, at, attrs[k]))
			a = k;
	if (at.e == at.b) {
		fail(err, l, at.b, NS2_MOB_ERROR_SYNTAX,
		     "missing argument (expected X_, Y_ or Z_)");
		return false;
	}
	if (a < 0) {
		fail(err, l, at.b, NS2_MOB_ERROR_SYNTAX,
		     "unknown attribute '%s' (expected X_, Y_ or Z_)",
		     repr(rb, sizeof rb, l, at));
		return false;
	}
	double v;
	struct tok vt;
	if (!number(l, attrs[a], &v, &vt, err) ||
	    !end_of_line(l, "the value", err) ||
	    !coord_range(l, vt, v, attrs[a], err))
		return false;

	gpointer idx = g_hash_table_lookup(ps->ids, GUINT_TO_POINTER(id));
	struct pre *pr;
	if (idx == NULL) {
		struct pre np = {.id = id, .first_line = l->line,
		                 .first_col = (unsigned)nt.b + 1};
		g_array_append_val(ps->pre, np);
		g_hash_table_insert(ps->ids, GUINT_TO_POINTER(id),
		                    GUINT_TO_POINTER(ps->pre->len));
		pr = &g_array_index(ps->pre, struct pre, ps->pre->len - 1);
	} else {
		pr = &g_array_index(ps->pre, struct pre, GPOINTER_TO_UINT(idx) - 1);
	}
	if (pr->line[a]) {
		fail(err, l, at.b, NS2_MOB_ERROR_INVALID,
		     "duplicate set %s for node %u (first set at line %u)",
		     attrs[a], id, pr->line[a]);
		return false;
	}
	pr->line[a] = l->line;
	pr->v[a] = v;
	return true;
}

/* The set lines are over: check them and create the trace. */
static bool
finish_nodes(struct parser *ps, struct lx *l, GError **err)
{
	unsigned n = ps->pre->len;
	struct lx at = *l;

	for (unsigned k = 0; k < n; k++) {
		const struct pre *pr = &g_array_index(ps->pre, struct pre, k);
		at.line = pr->first_line;
		if (pr->id >= n) {
			/* some id below n is missing: find the smallest */
			unsigned miss = 0;
			while (g_hash_table_contains(ps->ids, GUINT_TO_POINTER(miss)))
				miss++;
			fail(err, &at, pr->first_col - 1, NS2_MOB_ERROR_INVALID,
			     "node ids are not contiguous: node %u is set but node %u "
			     "has no initial position (expected ids 0..%u)",
			     pr->id, miss, n - 1);
			return false;
		}
		for (int a = 0; a < 2; a++) {
			if (pr->line[a] == 0) {
				fail(err, &at, pr->first_col - 1, NS2_MOB_ERROR_INVALID,
				     "node %u has no initial %s (expected $node_(%u) "
				     "set %s <value>)", pr->id, a ? "Y_" : "X_",
				     pr->id, a ? "Y_" : "X_");
				return false;
			}
		}
	}
	struct ns2_trace *tr = g_new0(struct ns2_trace, 1);
	tr->name = g_strdup(ps->name);
	tr->nodes = g_array_sized_new(FALSE, TRUE, sizeof(struct ns2_node), n);
	g_array_set_size(tr->nodes, n);
	for (unsigned k = 0; k < n; k++) {
		const struct pre *pr = &g_array_index(ps->pre, struct pre, k);
		struct ns2_node *nd = &g_array_index(tr->nodes, struct ns2_node, pr->id);
		nd->x0 = pr->v[0];
		nd->y0 = pr->v[1];
		nd->z0 = pr->v[2];
		nd->moves = g_array_new(FALSE, FALSE, sizeof(struct ns2_move));
	}
	ps->tr = tr;
	return true;
}

/* $ns_ at <t> "$node_(i) setdest x y speed": "$ns_" is read already. */
static bool
at_line(struct parser *ps, struct lx *l, GError **err)
{
	char rb[64];
	struct tok t = word(l);

	if (t.e == t.b) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "missing argument (expected at after $ns_)");
		return false;
	}
	if (!tok_is(l, t, "at")) {
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "unknown command '$ns_ %s' (expected $ns_ at)",
		     repr(rb, sizeof rb, l, t));
		return false;
	}
	if (!ps->tr && !finish_nodes(ps, l, err))
		return false;

	double time;
	struct tok tt;
	if (!number(l, "a time", &time, &tt, err))
		return false;
	if (time < 0) {
		fail(err, l, tt.b, NS2_MOB_ERROR_INVALID,
		     "negative time %s (expected a time >= 0)",
		     repr(rb, sizeof rb, l, tt));
		return false;
	}
	if (time > NS2_MAX_TIME) {
		fail(err, l, tt.b, NS2_MOB_ERROR_INVALID,
		     "time out of range (expected a time <= %g s)", NS2_MAX_TIME);
		return false;
	}
	if (time < ps->prev_t) {
		fail(err, l, tt.b, NS2_MOB_ERROR_INVALID,
		     "time %s is before the time %.17g of line %u (times must be "
		     "non-decreasing)", repr(rb, sizeof rb, l, tt), ps->prev_t,
		     ps->prev_line);
		return false;
	}

	skip_ws(l);
	if (l->i == l->n || l->s[l->i] != '"') {
		fail(err, l, l->i, NS2_MOB_ERROR_SYNTAX,
		     "missing opening quote (expected \"$node_(<id>) setdest <x> "
		     "<y> <speed>\" after the time)");
		return false;
	}
	l->i++;

	unsigned id;
	struct tok nt;
	if (!node_ref(l, &id, &nt, err))
		return false;
	struct tok ct = word(l);
	if (ct.e == ct.b) {
		fail(err, l, ct.b, NS2_MOB_ERROR_SYNTAX,
		     "missing argument (expected setdest after $node_(%u))", id);
		return false;
	}
	if (tok_is(l, ct, "set")) {
		fail(err, l, ct.b, NS2_MOB_ERROR_INVALID,
		     "teleport (set inside $ns_ at) is not allowed (expected "
		     "setdest; initial positions come first, moves have a speed)");
		return false;
	}
	if (!tok_is(l, ct, "setdest")) {
		fail(err, l, ct.b, NS2_MOB_ERROR_SYNTAX,
		     "unknown command '%s' inside $ns_ at (expected setdest)",
		     repr(rb, sizeof rb, l, ct));
		return false;
	}
	if (id >= ps->tr->nodes->len) {
		fail(err, l, nt.b, NS2_MOB_ERROR_INVALID,
		     "node %u has no initial position (expected $node_(%u) set X_ "
		     "and Y_ lines before the first $ns_ at)", id, id);
		return false;
	}

	struct ns2_move m = {.t = time, .line = l->line};
	struct tok xt, yt, st;
	if (!number(l, "x", &m.x, &xt, err) ||
	    !coord_range(l, xt, m.x, "x", err) ||
	    !number(l, "y", &m.y, &yt, err) ||
	    !coord_range(l, yt, m.y, "y", err) ||
	    !number(l, "speed", &m.speed, &st, err))
		return false;
	if (m.speed <= 0) {
		fail(err, l, st.b, NS2_MOB_ERROR_INVALID,
		     "speed must be > 0 (pauses are gaps in time, not speed 0)");
		return false;
	}
	if (m.speed < NS2_MIN_SPEED || m.speed > NS2_MAX_SPEED) {
		fail(err, l, st.b, NS2_MOB_ERROR_INVALID,
		     "speed out of range (expected %g <= speed <= %g m/s)",
		     NS2_MIN_SPEED, NS2_MAX_SPEED);
		return false;
	}

	skip_ws(l);
	if (l->i == l->n || l->s[l->i] == '#') {
		fail(err, l, l->i, NS2_MOB_ERROR_SYNTAX,
		     "missing closing quote (expected \" after the speed)");
		return false;
	}
	if (l->s[l->i] != '"') {
		struct tok g = word(l);
		fail(err, l, g.b, NS2_MOB_ERROR_SYNTAX,
		     "trailing garbage '%s' after the speed (expected a closing "
		     "quote)", repr(rb, sizeof rb, l, g));
		return false;
	}
	l->i++;
	if (!end_of_line(l, "the closing quote", err))
		return false;

	struct ns2_node *nd = &g_array_index(ps->tr->nodes, struct ns2_node, id);
	g_array_append_val(nd->moves, m);
	ps->prev_t = time;
	ps->prev_line = l->line;
	ps->tr->last_time = time;
	return true;
}

static bool
parse_line(struct parser *ps, struct lx *l, GError **err)
{
	char rb[64];

	if (at_eol(l))
		return true;
	struct tok t = word(l);
	if (t.e == t.b) {
		t.e = t.b + 1;
		fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
		     "unexpected '\"' (expected $node_(<id>) set or $ns_ at)");
		return false;
	}
	if (tok_is(l, t, "$ns_"))
		return at_line(ps, l, err);
	if (t.e - t.b >= 7 && memcmp(l->s + t.b, "$node_(", 7) == 0) {
		unsigned id;
		struct tok nt;
		l->i = t.b;
		if (!node_ref(l, &id, &nt, err))
			return false;
		return set_line(ps, l, id, nt, err);
	}
	fail(err, l, t.b, NS2_MOB_ERROR_SYNTAX,
	     "unknown command '%s' (expected $node_(<id>) set or $ns_ at)",
	     repr(rb, sizeof rb, l, t));
	return false;
}

/* Position at time T under move m, which started at or before T. */
static void
in_move(const struct ns2_move *m, double T, double *x, double *y)
{
	if (T >= m->t_end) {
		*x = m->x;
		*y = m->y;
		return;
	}
	double f = (T - m->t) / (m->t_end - m->t);
	*x = m->x_from + (m->x - m->x_from) * f;
	*y = m->y_from + (m->y - m->y_from) * f;
}

/* Fill x_from, y_from, t_end of every move. Coordinates are bounded by
 * NS2_MAX_COORD, so the squares cannot overflow. */
static void
derive(struct ns2_trace *tr)
{
	for (guint k = 0; k < tr->nodes->len; k++) {
		struct ns2_node *nd = &g_array_index(tr->nodes, struct ns2_node, k);
		double x = nd->x0, y = nd->y0;
		for (guint j = 0; j < nd->moves->len; j++) {
			struct ns2_move *m = &g_array_index(nd->moves, struct ns2_move, j);
			if (j > 0)
				in_move(m - 1, m->t, &x, &y);
			m->x_from = x;
			m->y_from = y;
			double dx = m->x - x, dy = m->y - y;
			m->t_end = m->t + sqrt(dx * dx + dy * dy) / m->speed; /* as ns-3 */
		}
	}
}

struct ns2_trace *
ns2_trace_parse(const char *name, const char *text, size_t len, GError **err)
{
	struct parser ps = {.name = name ? name : "(trace)"};
	struct lx l = {.name = ps.name, .line = 0};
	size_t pos = 0;
	bool ok = true;

	ps.pre = g_array_new(FALSE, TRUE, sizeof(struct pre));
	ps.ids = g_hash_table_new(g_direct_hash, g_direct_equal);
	while (ok && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t e = nl ? (size_t)(nl - text) : len;
		l.s = text + pos;
		l.n = e - pos;
		if (l.n > 0 && l.s[l.n - 1] == '\r')
			l.n--;
		l.i = 0;
		l.line++;
		ok = parse_line(&ps, &l, err);
		pos = nl ? e + 1 : len;
	}
	if (l.line == 0)
		l.line = 1;
	if (ok && !ps.tr)
		ok = finish_nodes(&ps, &l, err);
	if (ok && ps.tr->nodes->len == 0) {
		fail(err, &l, 0, NS2_MOB_ERROR_INVALID,
		     "no nodes (expected $node_(<id>) set X_ / Y_ lines)");
		ok = false;
	}
	g_array_free(ps.pre, TRUE);
	g_hash_table_destroy(ps.ids);
	if (!ok) {
		ns2_trace_free(ps.tr);
		return NULL;
	}
	derive(ps.tr);
	return ps.tr;
}

struct ns2_trace *
ns2_trace_load(const char *path, GError **err)
{
	gchar *text = NULL;
	gsize len = 0;
	GError *e = NULL;

	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, NS2_MOB_ERROR, NS2_MOB_ERROR_IO, "%s: cannot read: %s",
		            path, e->message);
		g_error_free(e);
		return NULL;
	}
	struct ns2_trace *t = ns2_trace_parse(path, text, len, err);
	g_free(text);
	return t;
}

void
ns2_trace_free(struct ns2_trace *t)
{
	if (!t)
		return;
	for (guint k = 0; k < t->nodes->len; k++) {
		struct ns2_node *nd = &g_array_index(t->nodes, struct ns2_node, k);
		if (nd->moves)
			g_array_free(nd->moves, TRUE);
	}
	g_array_free(t->nodes, TRUE);
	g_free(t->name);
	g_free(t);
}

unsigned
ns2_trace_nodes(const struct ns2_trace *t)
{
	return t->nodes->len;
}

void
ns2_trace_position(const struct ns2_trace *t, unsigned node, double time,
                   double *x, double *y, double *z)
{
	if (node >= t->nodes->len) {
		*x = *y = *z = 0;
		return;
	}
	const struct ns2_node *nd = &g_array_index(t->nodes, struct ns2_node, node);
	const struct ns2_move *m = (const struct ns2_move *)(void *)nd->moves->data;
	/* last move with m->t <= time (binary search; NaN finds none) */
	guint lo = 0, hi = nd->moves->len;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		if (m[mid].t <= time)
			lo = mid + 1;
		else
			hi = mid;
	}
	*z = nd->z0;
	if (lo == 0) {
		*x = nd->x0;
		*y = nd->y0;
		return;
	}
	in_move(&m[lo - 1], time, x, y);
}

void
ns2_trace_extent(const struct ns2_trace *t, double *xmin, double *ymin,
                 double *xmax, double *ymax, double *end_time)
{
	double x0 = 0, y0 = 0, x1 = 0, y1 = 0, end = 0;
	bool first = true;

	for (guint k = 0; k < t->nodes->len; k++) {
		const struct ns2_node *nd = &g_array_index(t->nodes, struct ns2_node, k);
		guint n = nd->moves->len;
		/* the path is straight between consecutive move starts and from
		 * the last start to the last destination */
		for (guint j = 0; j <= n + 1; j++) {
			double px, py;
			if (j == 0) {
				px = nd->x0;
				py = nd->y0;
			} else if (j <= n) {
				const struct ns2_move *m =
				        &g_array_index(nd->moves, struct ns2_move, j - 1);
				px = m->x_from;
				py = m->y_from;
			} else if (n > 0) {
				const struct ns2_move *m =
				        &g_array_index(nd->moves, struct ns2_move, n - 1);
				px = m->x;
				py = m->y;
				if (m->t_end > end)
					end = m->t_end;
			} else {
				break;
			}
			if (first || px < x0)
				x0 = px;
			if (first || px > x1)
				x1 = px;
			if (first || py < y0)
				y0 = py;
			if (first || py > y1)
				y1 = py;
			first = false;
		}
	}
	if (xmin)
		*xmin = x0;
	if (ymin)
		*ymin = y0;
	if (xmax)
		*xmax = x1;
	if (ymax)
		*ymax = y1;
	if (end_time)
		*end_time = end;
}

static void
put_num(GString *out, const char *fmt, double v)
{
	char b[400]; /* "%.6f" of DBL_MAX needs 316 */

	g_string_append(out, g_ascii_formatd(b, sizeof b, fmt, v));
}

void
ns2_trace_write_csv(const struct ns2_trace *t, double step, double until,
                    GString *out)
{
	g_string_append(out, "t,node,x,y,z\n");
	if (!(step > 0) || !isfinite(step) || !(until >= 0) || !isfinite(until))
		return;
	for (double k = 0; k * step <= until + 1e-9 * step; k++) {
		double tm = k * step;
		for (guint n = 0; n < t->nodes->len; n++) {
			double x, y, z;
			ns2_trace_position(t, n, tm, &x, &y, &z);
			put_num(out, "%.6f", tm);
			g_string_append_printf(out, ",%u,", n);
			put_num(out, "%.6f", x);
			g_string_append_c(out, ',');
			put_num(out, "%.6f", y);
			g_string_append_c(out, ',');
			put_num(out, "%.6f", z);
			g_string_append_c(out, '\n');
		}
	}
}

struct wref {
	double t;
	unsigned line, node, idx;
};

static int
wref_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct wref *a = pa, *b = pb;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

void
ns2_trace_write(const struct ns2_trace *t, GString *out)
{
	static const char *const attrs[3] = {"X_", "Y_", "Z_"};
	GArray *refs = g_array_new(FALSE, FALSE, sizeof(struct wref));

	for (guint k = 0; k < t->nodes->len; k++) {
		const struct ns2_node *nd = &g_array_index(t->nodes, struct ns2_node, k);
		const double v[3] = {nd->x0, nd->y0, nd->z0};
		for (int a = 0; a < 3; a++) {
			g_string_append_printf(out, "$node_(%u) set %s ", k, attrs[a]);
			put_num(out, "%.17g", v[a]);
			g_string_append_c(out, '\n');
		}
		for (guint j = 0; j < nd->moves->len; j++) {
			const struct ns2_move *m =
			        &g_array_index(nd->moves, struct ns2_move, j);
			struct wref r = {m->t, m->line, k, j};
			g_array_append_val(refs, r);
		}
	}
	g_array_sort(refs, wref_cmp);
	for (guint k = 0; k < refs->len; k++) {
		const struct wref *r = &g_array_index(refs, struct wref, k);
		const struct ns2_node *nd =
		        &g_array_index(t->nodes, struct ns2_node, r->node);
		const struct ns2_move *m =
		        &g_array_index(nd->moves, struct ns2_move, r->idx);
		g_string_append(out, "$ns_ at ");
		put_num(out, "%.17g", m->t);
		g_string_append_printf(out, " \"$node_(%u) setdest ", r->node);
		put_num(out, "%.17g", m->x);
		g_string_append_c(out, ' ');
		put_num(out, "%.17g", m->y);
		g_string_append_c(out, ' ');
		put_num(out, "%.17g", m->speed);
		g_string_append(out, "\"\n");
	}
	g_array_free(refs, TRUE);
}
