/*
 * The scenario manifest loader (see scenario.h).
 *
 * The YAML text is loaded into a libyaml document; the sections are then read
 * in a fixed order (run, link, underlay, nodes, mobility, traffic, events,
 * capture) so that references resolve, and the first error stops the load.
 * Every mapping is checked for unknown and duplicate keys before its values
 * are read. Every node of the document is visited at most once, so aliases
 * (which would share a node) are rejected and cannot blow up the walk.
 */
#include "scenario.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

G_DEFINE_QUARK(aero-scen-error-quark, aero_scen_error)

#define EXPECT_DURATION "expected seconds or <num>(ns|us|ms|s|min|h)"
#define EXPECT_RATE "expected bit/s or <num>(bit|kbit|Mbit|Gbit)"

struct ctx {
	const char *name;
	yaml_document_t *doc;
	guint8 *seen; /* per document node: visited */
	size_t nseen;
	GError **err;
	bool failed;
	struct aero_scenario *s;
	GHashTable *node_names; /* expanded name -> index + 1 */
	GHashTable *net_names;  /* network name -> index + 1 */
	yaml_node_t *mob_file_node, *first_position;
	char *first_position_node;  /* name of the node of first_position */
	GPtrArray *net_prefix_nodes; /* yaml_node_t * of each network's prefix */
	int64_t duration;
};

static const char *const role_names[] = {"client", "server", "relay",
                                         "correspondent", "router"};
static const char *const model_names[] = {"none", "host", "router", "hybrid"};
static const char *const event_names[] = {"link_down", "link_up", "node_down",
                                          "node_up", "move", "server_crash",
                                          "nat_rebind"};
static const char *const traffic_names[] = {"udp_cbr", "ping", "tcp_bulk"};
static const char *const wifi_names[] = {"80211a", "80211b", "80211g",
                                         "80211n", "80211ac"};
#define N_(a) (sizeof(a) / sizeof((a)[0]))

const char *
aero_scen_role_name(enum aero_scen_role r)
{
	return (unsigned)r < N_(role_names) ? role_names[r] : "?";
}

const char *
aero_scen_model_name(enum aero_scen_model m)
{
	return (unsigned)m < N_(model_names) ? model_names[m] : "?";
}

const char *
aero_scen_event_name(enum aero_scen_event_type t)
{
	return (unsigned)t < N_(event_names) ? event_names[t] : "?";
}

const char *
aero_scen_traffic_name(enum aero_scen_traffic_type t)
{
	return (unsigned)t < N_(traffic_names) ? traffic_names[t] : "?";
}

/* ---- errors and document access ------------------------------------------ */

static bool G_GNUC_PRINTF(4, 5)
fail(struct ctx *c, const yaml_node_t *n, const char *where, const char *fmt, ...)
{
	va_list ap;
	gchar *msg;

	if (c->failed)
		return false;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(c->err, AERO_SCEN_ERROR, AERO_SCEN_ERROR_INVALID,
	            "%s:%lu:%lu: %s: %s", c->name,
	            n ? (unsigned long)n->start_mark.line + 1 : 1UL,
	            n ? (unsigned long)n->start_mark.column + 1 : 1UL, where, msg);
	g_free(msg);
	c->failed = true;
	return false;
}

/* Take document node idx (1-based), at most once. */
static yaml_node_t *
take(struct ctx *c, int idx, const char *where)
{
	yaml_node_t *n = yaml_document_get_node(c->doc, idx);

	if (!n || c->failed)
		return NULL;
	if (c->seen[idx - 1]) {
		fail(c, n, where, "aliases are not supported (expected plain values)");
		return NULL;
	}
	c->seen[idx - 1] = 1;
	return n;
}

static const char *
type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/* The scalar text of n (NUL-terminated by libyaml), or NULL after an error. */
static const char *
scalar(struct ctx *c, const yaml_node_t *n, const char *where, const char *key,
       const char *expect)
{
	if (n->type != YAML_SCALAR_NODE) {
		fail(c, n, where, "%s: is %s (expected %s)", key, type_name(n), expect);
		return NULL;
	}
	if (memchr(n->data.scalar.value, 0, n->data.scalar.length)) {
		fail(c, n, where, "%s: contains a NUL character (expected %s)", key,
		     expect);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

/*
 * Check mapping n: every key a known, distinct scalar. vals[i] receives the
 * value of keys[i] or NULL. Returns false after an error.
 */
static bool
map_check(struct ctx *c, const yaml_node_t *n, const char *where,
          const char *const *keys, size_t nkeys, yaml_node_t **vals)
{
	for (size_t i = 0; i < nkeys; i++)
		vals[i] = NULL;
	if (n->type != YAML_MAPPING_NODE)
		return fail(c, n, where, "is %s (expected a mapping)", type_name(n));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = take(c, p->key, where);
		if (!k)
			return false;
		const char *name = scalar(c, k, where, "key", "a plain key");
		if (!name)
			return false;
		size_t i;
		for (i = 0; i < nkeys; i++)
			if (strcmp(name, keys[i]) == 0)
				break;
		if (i == nkeys) {
			GString *e = g_string_new(NULL);
			for (size_t j = 0; j < nkeys; j++)
				g_string_append_printf(e, "%s%s", j ? ", " : "", keys[j]);
			fail(c, k, where, "unknown key '%s' (expected one of %s)", name,
			     e->str);
			g_string_free(e, TRUE);
			return false;
		}
		if (vals[i])
			return fail(c, k, where, "duplicate key '%s' (expected each key once)",
			            name);
		vals[i] = take(c, p->value, where);
		if (!vals[i])
			return false;
	}
	return true;
}

static bool
missing(struct ctx *c, const yaml_node_t *n, const char *where, const char *key,
        const char *expect)
{
	return fail(c, n, where, "missing key '%s' (expected %s)", key, expect);
}

/* ---- scalar readers ------------------------------------------------------ */

/* Strict decimal number at the start of s; returns its end or NULL. */
static const char *
scan_number(const char *s, double *out)
{
	const char *p = s;

	if (*p == '+' || *p == '-')
		p++;
	const char *d = p;
	while (g_ascii_isdigit(*p))
		p++;
	bool digits = p > d;
	if (*p == '.') {
		p++;
		const char *f = p;
		while (g_ascii_isdigit(*p))
			p++;
		digits = digits || p > f;
	}
	if (!digits)
		return NULL;
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		if (*q == '+' || *q == '-')
			q++;
		if (g_ascii_isdigit(*q)) {
			while (g_ascii_isdigit(*q))
				q++;
			p = q;
		}
	}
	gchar *num = g_strndup(s, (gsize)(p - s));
	*out = g_ascii_strtod(num, NULL);
	g_free(num);
	if (!isfinite(*out))
		return NULL;
	return p;
}

static bool
rd_double(struct ctx *c, const yaml_node_t *n, const char *where,
          const char *key, double min, double max, double *out)
{
	const char *v = scalar(c, n, where, key, "a number");
	const char *e;

	if (!v)
		return false;
	if (!(e = scan_number(v, out)) || *e)
		return fail(c, n, where, "%s: bad number '%s' (expected a decimal number)",
		            key, v);
	if (*out < 0 && min >= 0)
		return fail(c, n, where, "%s: negative value %s (expected >= %g)", key,
		            v, min);
	if (*out < min || *out > max)
		return fail(c, n, where, "%s: %s is out of range (expected %g..%g)", key,
		            v, min, max);
	return true;
}

static bool
rd_uint(struct ctx *c, const yaml_node_t *n, const char *where, const char *key,
        uint64_t min, uint64_t max, uint64_t *out)
{
	const char *v = scalar(c, n, where, key, "an integer");

	if (!v)
		return false;
	if (v[0] == '-' && g_ascii_isdigit(v[1]))
		return fail(c, n, where, "%s: negative value %s (expected %" G_GUINT64_FORMAT
		            "..%" G_GUINT64_FORMAT ")", key, v, min, max);
	size_t i = 0;
	uint64_t x = 0;
	for (; g_ascii_isdigit(v[i]); i++) {
		if (x > (UINT64_MAX - 9) / 10)
			return fail(c, n, where, "%s: %s is too large (expected at most %"
			            G_GUINT64_FORMAT ")", key, v, max);
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (i == 0 || v[i])
		return fail(c, n, where, "%s: bad integer '%s' (expected a decimal integer)",
		            key, v);
	if (x < min || x > max)
		return fail(c, n, where, "%s: %s is out of range (expected %" G_GUINT64_FORMAT
		            "..%" G_GUINT64_FORMAT ")", key, v, min, max);
	*out = x;
	return true;
}

static bool
rd_bool(struct ctx *c, const yaml_node_t *n, const char *where, const char *key,
        bool *out)
{
	const char *v = scalar(c, n, where, key, "true or false");

	if (!v)
		return false;
	if (strcmp(v, "true") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0)
		*out = false;
	else
		return fail(c, n, where, "%s: bad boolean '%s' (expected true or false)",
		            key, v);
	return true;
}

/* Seconds or <num><unit>, >= 0, converted to nanoseconds. */
static bool
rd_duration(struct ctx *c, const yaml_node_t *n, const char *where,
            const char *key, int64_t *out)
{
	static const struct {
		const char *u;
		double ns;
	} units[] = {{"", 1e9}, {"ns", 1}, {"us", 1e3}, {"ms", 1e6},
	             {"s", 1e9}, {"min", 60e9}, {"h", 3600e9}};
	const char *v = scalar(c, n, where, key, "a duration");
	const char *e;
	double x;

	if (!v)
		return false;
	if (!(e = scan_number(v, &x)))
		return fail(c, n, where, "%s: bad duration '%s' (" EXPECT_DURATION ")",
		            key, v);
	size_t i;
	for (i = 0; i < N_(units); i++)
		if (strcmp(e, units[i].u) == 0)
			break;
	if (i == N_(units))
		return fail(c, n, where, "%s: bad duration '%s': unknown unit '%s' ("
		            EXPECT_DURATION ")", key, v, e);
	if (x < 0)
		return fail(c, n, where, "%s: negative duration '%s' (expected >= 0)",
		            key, v);
	double ns = x * units[i].ns;
	if (!(ns <= AERO_SCEN_MAX_SECONDS * 1e9))
		return fail(c, n, where, "%s: duration '%s' is too long (expected at most %g s)",
		            key, v, AERO_SCEN_MAX_SECONDS);
	*out = (int64_t)llround(ns);
	return true;
}

/* bit/s or <num><unit>, >= 0. */
static bool
rd_rate(struct ctx *c, const yaml_node_t *n, const char *where, const char *key,
        uint64_t *out)
{
	static const struct {
		const char *u;
		double f;
	} units[] = {{"", 1}, {"bit", 1}, {"kbit", 1e3}, {"Mbit", 1e6},
	             {"Gbit", 1e9}};
	const char *v = scalar(c, n, where, key, "a rate");
	const char *e;
	double x;

	if (!v)
		return false;
	if (!(e = scan_number(v, &x)))
		return fail(c, n, where, "%s: bad rate '%s' (" EXPECT_RATE ")", key, v);
	size_t i;
	for (i = 0; i < N_(units); i++)
		if (strcmp(e, units[i].u) == 0)
			break;
	if (i == N_(units))
		return fail(c, n, where, "%s: bad rate '%s': unknown unit '%s' ("
		            EXPECT_RATE ")", key, v, e);
	if (x < 0)
		return fail(c, n, where, "%s: negative rate '%s' (expected >= 0)", key, v);
	double r = x * units[i].f;
	if (!(r <= 1e15))
		return fail(c, n, where, "%s: rate '%s' is too high (expected at most 1e15 bit/s)",
		            key, v);
	*out = (uint64_t)llround(r);
	return true;
}

/* A number in [0, 1] or "<num>%". */
static bool
rd_prob(struct ctx *c, const yaml_node_t *n, const char *where, const char *key,
        double *out)
{
	const char *v = scalar(c, n, where, key, "a probability");
	const char *e;
	double x;

	if (!v)
		return false;
	if (!(e = scan_number(v, &x)) || (*e && strcmp(e, "%") != 0))
		return fail(c, n, where, "%s: bad probability '%s' (expected a number "
		            "in [0,1] or <num>%%)", key, v);
	if (*e)
		x /= 100;
	if (x < 0 || x > 1)
		return fail(c, n, where, "%s: probability '%s' is out of range "
		            "(expected 0..1 or 0%%..100%%)", key, v);
	*out = x;
	return true;
}

static bool
rd_enum(struct ctx *c, const yaml_node_t *n, const char *where, const char *key,
        const char *const *names, size_t count, int *out)
{
	GString *e = g_string_new(NULL);
	const char *v;

	for (size_t j = 0; j < count; j++)
		g_string_append_printf(e, "%s%s", j ? ", " : "", names[j]);
	v = scalar(c, n, where, key, e->str);
	if (v) {
		for (size_t j = 0; j < count; j++) {
			if (strcmp(v, names[j]) == 0) {
				*out = (int)j;
				g_string_free(e, TRUE);
				return true;
			}
		}
		fail(c, n, where, "unknown %s '%s' (expected %s)", key, v, e->str);
	}
	g_string_free(e, TRUE);
	return false;
}

static bool
valid_name(const char *v)
{
	if (!*v || strlen(v) > 64)
		return false;
	for (; *v; v++)
		if (!g_ascii_isalnum(*v) && *v != '_' && *v != '-')
			return false;
	return true;
}

static bool
rd_name(struct ctx *c, const yaml_node_t *n, const char *where, const char *key,
        const char **out)
{
	const char *v = scalar(c, n, where, key, "a name");

	if (!v)
		return false;
	if (!valid_name(v))
		return fail(c, n, where, "%s: bad name '%s' (expected 1 to 64 of "
		            "A-Z a-z 0-9 _ -)", key, v);
	*out = v;
	return true;
}

/* A path relative to the manifest: non-empty, no NUL. */
static bool
rd_path(struct ctx *c, const yaml_node_t *n, const char *where, const char *key,
        const char **out)
{
	const char *v = scalar(c, n, where, key, "a path");

	if (!v)
		return false;
	if (!*v)
		return fail(c, n, where, "%s: empty path (expected a file name)", key);
	*out = v;
	return true;
}

/* "addr/len"; fam 0 accepts either family. */
static bool
rd_prefix(struct ctx *c, const yaml_node_t *n, const char *where,
          const char *key, enum aero_scen_family fam,
          struct aero_scen_prefix *out)
{
	const char *v = scalar(c, n, where, key, "an address/length prefix");
	const char *slash;

	if (!v)
		return false;
	slash = strchr(v, '/');
	if (!slash || !g_ascii_isdigit(slash[1]) || strlen(slash + 1) > 3)
		return fail(c, n, where, "%s: bad prefix '%s' (expected address/length)",
		            key, v);
	gchar *a = g_strndup(v, (gsize)(slash - v));
	uint8_t b[16];
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, a, b) == 1) {
		out->family = AERO_FAMILY_IPV4;
		out->addr.b[10] = out->addr.b[11] = 0xff;
		memcpy(out->addr.b + 12, b, 4);
	} else if (inet_pton(AF_INET6, a, b) == 1) {
		out->family = AERO_FAMILY_IPV6;
		memcpy(out->addr.b, b, 16);
	} else {
		g_free(a);
		return fail(c, n, where, "%s: bad address in prefix '%s' (expected an "
		            "IPv4 or IPv6 address before '/')", key, v);
	}
	g_free(a);
	unsigned max = out->family == AERO_FAMILY_IPV4 ? 32 : 128;
	char *end;
	unsigned long len = strtoul(slash + 1, &end, 10);
	if (*end || len > max)
		return fail(c, n, where, "%s: bad prefix length in '%s' (expected 0..%u)",
		            key, v, max);
	out->plen = (unsigned)len;
	if (fam && out->family != fam)
		return fail(c, n, where, "%s: prefix '%s' is %s (expected an %s prefix)",
		            key, v, out->family == AERO_FAMILY_IPV4 ? "IPv4" : "IPv6",
		            fam == AERO_FAMILY_IPV4 ? "IPv4" : "IPv6");
	unsigned off = out->family == AERO_FAMILY_IPV4 ? 96 : 0;
	for (unsigned bit = off + out->plen; bit < 128; bit++)
		if (out->addr.b[bit / 8] & (0x80 >> (bit % 8)))
			return fail(c, n, where, "%s: prefix '%s' has host bits set "
			            "(expected the network address)", key, v);
	return true;
}

/* A list of k numbers (k in [kmin, kmax]) in [min, max]. */
static bool
rd_vec(struct ctx *c, const yaml_node_t *n, const char *where, const char *key,
       unsigned kmin, unsigned kmax, double min, double max, double *out,
       unsigned *k)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(c, n, where, "%s: is %s (expected a list of %u numbers)", key,
		            type_name(n), kmax);
	size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len < kmin || len > kmax)
		return fail(c, n, where, "%s: has %zu values (expected %u%s%s)", key, len,
		            kmin, kmin == kmax ? "" : " or ",
		            kmin == kmax ? "" : (kmax == 3 ? "3" : "?"));
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *e = take(c, n->data.sequence.items.start[i], where);
		if (!e || !rd_double(c, e, where, key, min, max, &out[i]))
			return false;
	}
	*k = (unsigned)len;
	return true;
}

static bool
is_seq(struct ctx *c, const yaml_node_t *n, const char *where, const char *key)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return true;
	return fail(c, n, where, "%s: is %s (expected a list)", key, type_name(n));
}

/* ---- sections ------------------------------------------------------------- */

static bool
sec_run(struct ctx *c, const yaml_node_t *n)
{
	static const char *const k[] = {"name", "duration", "seed", "run", "output"};
	yaml_node_t *v[N_(k)];
	struct aero_scen_run *r = &c->s->run;
	const char *name, *out = "results";
	uint64_t x;

	if (!map_check(c, n, "run", k, N_(k), v))
		return false;
	if (!v[0])
		return missing(c, n, "run", "name", "a scenario name");
	if (!rd_name(c, v[0], "run", "name", &name))
		return false;
	r->name = g_strdup(name);
	if (!v[1])
		return missing(c, n, "run", "duration", "a duration such as 120s");
	if (!rd_duration(c, v[1], "run", "duration", &r->duration))
		return false;
	if (r->duration <= 0)
		return fail(c, v[1], "run", "duration: must be > 0 (expected a positive duration)");
	c->duration = r->duration;
	r->seed = r->run = 1;
	if (v[2]) {
		if (!rd_uint(c, v[2], "run", "seed", 0, UINT32_MAX, &x))
			return false;
		r->seed = (uint32_t)x;
	}
	if (v[3]) {
		if (!rd_uint(c, v[3], "run", "run", 0, UINT32_MAX, &x))
			return false;
		r->run = (uint32_t)x;
	}
	if (v[4] && !rd_path(c, v[4], "run", "output", &out))
		return false;
	r->output = g_strdup(out);
	r->output_path = g_path_is_absolute(out)
	                         ? g_strdup(out)
	                         : g_build_filename(c->s->dir ? c->s->dir : ".", out, NULL);
	return true;
}

static bool
sec_timers(struct ctx *c, const yaml_node_t *n)
{
	static const char *const k[] = {"reachable_time", "retrans_timer",
	                                "forward_time", "accept_time",
	                                "keepalive_time", "rs_max_interval"};
	yaml_node_t *v[N_(k)];
	struct aero_scen_link *l = &c->s->link;
	int64_t *dst[] = {&l->reachable_time, &l->retrans_timer, &l->forward_time,
	                  &l->accept_time, &l->keepalive_time, &l->rs_max_interval};

	if (!map_check(c, n, "link.timers", k, N_(k), v))
		return false;
	for (size_t i = 0; i < N_(k); i++) {
		if (!v[i])
			continue;
		if (!rd_duration(c, v[i], "link.timers", k[i], dst[i]))
			return false;
		if (*dst[i] <= 0)
			return fail(c, v[i], "link.timers", "%s: must be > 0 (expected a "
			            "positive duration)", k[i]);
	}
	return true;
}

static bool
sec_link(struct ctx *c, const yaml_node_t *n)
{
	static const char *const k[] = {"profile", "port", "mtu", "pio_x",
	                                "icv_key", "timers"};
	static const char *const profiles[] = {"P1", "P2"};
	yaml_node_t *v[N_(k)];
	struct aero_scen_link *l = &c->s->link;
	uint64_t x;
	int p;

	if (!n)
		return true;
	if (!map_check(c, n, "link", k, N_(k), v))
		return false;
	if (v[0]) {
		if (!rd_enum(c, v[0], "link", "profile", profiles, 2, &p))
			return false;
		l->profile = p == 0 ? AERO_SCEN_PROFILE_P1 : AERO_SCEN_PROFILE_P2;
	}
	if (v[1]) {
		if (!rd_uint(c, v[1], "link", "port", 1, 65535, &x))
			return false;
		l->port = (uint16_t)x;
	}
	if (v[2]) {
		if (!rd_uint(c, v[2], "link", "mtu", 1280, 65535, &x))
			return false;
		l->mtu = (uint32_t)x;
	}
	if (v[3] && !rd_bool(c, v[3], "link", "pio_x", &l->pio_x))
		return false;
	if (v[4]) {
		const char *h = scalar(c, v[4], "link", "icv_key", "40 hex digits");
		if (!h)
			return false;
		if (l->profile != AERO_SCEN_PROFILE_P2)
			return fail(c, v[4], "link", "icv_key: only with profile P2 "
			            "(expected no icv_key for P1)");
		if (strlen(h) != 40)
			return fail(c, v[4], "link", "icv_key: has %zu characters (expected "
			            "40 hex digits)", strlen(h));
		for (size_t i = 0; i < 40; i++)
			if (!g_ascii_isxdigit(h[i]))
				return fail(c, v[4], "link", "icv_key: bad hex digit '%c' "
				            "(expected 40 hex digits)", h[i]);
		for (size_t i = 0; i < 20; i++)
			l->icv_key[i] = (uint8_t)(g_ascii_xdigit_value(h[2 * i]) << 4 |
			                          g_ascii_xdigit_value(h[2 * i + 1]));
		l->has_icv_key = true;
	}
	if (l->profile == AERO_SCEN_PROFILE_P2 && !l->has_icv_key)
		return missing(c, n, "link", "icv_key", "40 hex digits with profile P2");
	if (v[5] && !sec_timers(c, v[5]))
		return false;
	return true;
}

static bool
sec_network(struct ctx *c, const yaml_node_t *n, unsigned idx)
{
	static const char *const k[] = {"name", "prefix", "delay", "jitter",
	                                "loss", "rate", "queue"};
	yaml_node_t *v[N_(k)];
	gchar *where = g_strdup_printf("network #%u", idx + 1);
	struct aero_scen_network *net = g_new0(struct aero_scen_network, 1);
	const char *name = NULL;
	uint64_t x;
	bool ok = false;

	g_ptr_array_add(c->s->networks, net);
	net->queue = 100;
	if (!map_check(c, n, where, k, N_(k), v))
		goto out;
	if (!v[0]) {
		missing(c, n, where, "name", "a network name");
		goto out;
	}
	if (!rd_name(c, v[0], where, "name", &name))
		goto out;
	net->name = g_strdup(name);
	g_free(where);
	where = g_strdup_printf("network '%s'", name);
	if (g_hash_table_contains(c->net_names, name)) {
		fail(c, v[0], where, "duplicate network name (expected unique names)");
		goto out;
	}
	g_hash_table_insert(c->net_names, net->name, GUINT_TO_POINTER(idx + 1));
	if (!v[1]) {
		missing(c, n, where, "prefix", "an address/length prefix");
		goto out;
	}
	if (!rd_prefix(c, v[1], where, "prefix", c->s->family, &net->prefix))
		goto out;
	g_ptr_array_add(c->net_prefix_nodes, v[1]);
	if ((v[2] && !rd_duration(c, v[2], where, "delay", &net->delay)) ||
	    (v[3] && !rd_duration(c, v[3], where, "jitter", &net->jitter)) ||
	    (v[4] && !rd_prob(c, v[4], where, "loss", &net->loss)) ||
	    (v[5] && !rd_rate(c, v[5], where, "rate", &net->rate)))
		goto out;
	if (v[6]) {
		if (!rd_uint(c, v[6], where, "queue", 1, 1000000, &x))
			goto out;
		net->queue = (uint32_t)x;
	}
	ok = true;
out:
	g_free(where);
	return ok;
}

static bool
sec_manet(struct ctx *c, const yaml_node_t *n)
{
	static const char *const k[] = {"area", "range", "delay_per_m",
	                                "loss_at_range", "routing", "wifi"};
	static const char *const wk[] = {"standard", "rate"};
	static const char *const routings[] = {"olsr", "aodv"};
	yaml_node_t *v[N_(k)], *w[N_(wk)];
	struct aero_scen_manet *m = &c->s->manet;
	double area[2];
	unsigned cnt;
	int e;

	if (!map_check(c, n, "underlay.manet", k, N_(k), v))
		return false;
	if (!v[0])
		return missing(c, n, "underlay.manet", "area", "[width, height] in metres");
	if (!rd_vec(c, v[0], "underlay.manet", "area", 2, 2, 0, 1e9, area, &cnt))
		return false;
	if (area[0] <= 0 || area[1] <= 0)
		return fail(c, v[0], "underlay.manet", "area: must be > 0 (expected "
		            "positive width and height)");
	m->area_x = area[0];
	m->area_y = area[1];
	if (!v[1])
		return missing(c, n, "underlay.manet", "range", "the radio range in metres");
	if (!rd_double(c, v[1], "underlay.manet", "range", 0, 1e9, &m->range))
		return false;
	if (m->range <= 0)
		return fail(c, v[1], "underlay.manet", "range: must be > 0 (expected "
		            "a positive number of metres)");
	if (v[2] && !rd_double(c, v[2], "underlay.manet", "delay_per_m", 0, 1,
	                       &m->delay_per_m))
		return false;
	if (v[3] && !rd_prob(c, v[3], "underlay.manet", "loss_at_range",
	                     &m->loss_at_range))
		return false;
	if (v[4]) {
		if (!rd_enum(c, v[4], "underlay.manet", "routing", routings, 2, &e))
			return false;
		m->routing = (enum aero_scen_routing)e;
	}
	if (v[5]) {
		if (!map_check(c, v[5], "underlay.manet.wifi", wk, N_(wk), w))
			return false;
		if (w[0]) {
			if (!rd_enum(c, w[0], "underlay.manet.wifi", "standard", wifi_names,
			             N_(wifi_names), &e))
				return false;
			g_free(m->wifi_standard);
			m->wifi_standard = g_strdup(wifi_names[e]);
		}
		if (w[1] && !rd_rate(c, w[1], "underlay.manet.wifi", "rate", &m->wifi_rate))
			return false;
		if (m->wifi_rate == 0)
			return fail(c, w[1], "underlay.manet.wifi", "rate: must be > 0 "
			            "(expected a positive rate)");
	}
	return true;
}

static bool
sec_underlay(struct ctx *c, const yaml_node_t *n)
{
	static const char *const k[] = {"family", "networks", "manet"};
	static const char *const fams[] = {"ipv4", "ipv6"};
	yaml_node_t *v[N_(k)];
	int f;

	if (!map_check(c, n, "underlay", k, N_(k), v))
		return false;
	if (v[0]) {
		if (!rd_enum(c, v[0], "underlay", "family", fams, 2, &f))
			return false;
		c->s->family = f ? AERO_FAMILY_IPV6 : AERO_FAMILY_IPV4;
	}
	if (v[1] && v[2])
		return fail(c, v[2], "underlay", "both networks and manet (expected "
		            "exactly one of them)");
	if (!v[1] && !v[2])
		return fail(c, n, "underlay", "neither networks nor manet (expected "
		            "exactly one of them)");
	if (v[2]) {
		c->s->manet_mode = true;
		return sec_manet(c, v[2]);
	}
	if (!is_seq(c, v[1], "underlay", "networks"))
		return false;
	yaml_node_item_t *it = v[1]->data.sequence.items.start;
	unsigned cnt = (unsigned)(v[1]->data.sequence.items.top - it);
	if (cnt == 0)
		return fail(c, v[1], "underlay", "networks: empty list (expected at "
		            "least one network)");
	for (unsigned i = 0; i < cnt; i++) {
		yaml_node_t *e = take(c, it[i], "underlay");
		if (!e || !sec_network(c, e, i))
			return false;
	}
	return true;
}

static void
node_free(gpointer p)
{
	struct aero_scen_node *nd = p;

	g_free(nd->name);
	g_free(nd->group);
	if (nd->ifaces)
		g_array_free(nd->ifaces, TRUE);
	g_free(nd);
}

static void
network_free(gpointer p)
{
	struct aero_scen_network *net = p;

	g_free(net->name);
	g_free(net);
}

static bool
sec_node(struct ctx *c, const yaml_node_t *n, unsigned idx)
{
	static const char *const k[] = {"name", "role", "count", "model", "pool",
	                                "aggregate", "networks", "position"};
	static const char *const pk[] = {"prefix", "length"};
	yaml_node_t *v[N_(k)], *pv[N_(pk)];
	gchar *where = g_strdup_printf("node #%u", idx + 1);
	struct aero_scen_node t;
	const char *name = NULL;
	uint64_t count = 1, x;
	GArray *nets = g_array_new(FALSE, FALSE, sizeof(unsigned));
	bool ok = false;
	int e;

	memset(&t, 0, sizeof t);
	if (!map_check(c, n, where, k, N_(k), v))
		goto out;
	if (!v[0]) {
		missing(c, n, where, "name", "a node name");
		goto out;
	}
	if (!rd_name(c, v[0], where, "name", &name))
		goto out;
	g_free(where);
	where = g_strdup_printf("node '%s'", name);
	if (!v[1]) {
		missing(c, n, where, "role", "client, server, relay, correspondent, router");
		goto out;
	}
	if (!rd_enum(c, v[1], where, "role", role_names, N_(role_names), &e))
		goto out;
	t.role = (enum aero_scen_role)e;
	if (v[2] && !rd_uint(c, v[2], where, "count", 1, AERO_SCEN_MAX_NODES, &count))
		goto out;
	if (c->s->nodes->len + count > AERO_SCEN_MAX_NODES) {
		fail(c, v[2] ? v[2] : v[0], where, "too many nodes (expected at most %u "
		     "in all)", AERO_SCEN_MAX_NODES);
		goto out;
	}
	t.model = t.role == AERO_SCEN_ROLE_CLIENT ? AERO_SCEN_MODEL_HOST : AERO_SCEN_MODEL_NONE;
	if (v[3]) {
		if (t.role != AERO_SCEN_ROLE_CLIENT) {
			fail(c, v[3], where, "model: only clients have a model (expected no "
			     "model for a %s)", role_names[t.role]);
			goto out;
		}
		if (!rd_enum(c, v[3], where, "model", model_names + 1, 3, &e))
			goto out;
		t.model = (enum aero_scen_model)(e + 1);
	}
	if (v[4] && t.role != AERO_SCEN_ROLE_SERVER) {
		fail(c, v[4], where, "pool: only servers have a pool (expected no pool "
		     "for a %s)", role_names[t.role]);
		goto out;
	}
	if (t.role == AERO_SCEN_ROLE_SERVER) {
		if (!v[4]) {
			missing(c, n, where, "pool", "{prefix: ..., length: ...} for a server");
			goto out;
		}
		if (!map_check(c, v[4], where, pk, N_(pk), pv))
			goto out;
		if (!pv[0]) {
			missing(c, v[4], where, "prefix", "the pool's IPv6 prefix");
			goto out;
		}
		if (!rd_prefix(c, pv[0], where, "pool prefix", AERO_FAMILY_IPV6, &t.pool))
			goto out;
		if (!pv[1]) {
			missing(c, v[4], where, "length", "the delegated prefix length");
			goto out;
		}
		if (!rd_uint(c, pv[1], where, "pool length", 0, 128, &x))
			goto out;
		if (x <= t.pool.plen || x > 64) {
			fail(c, pv[1], where, "pool length %u is not in %u..64 (expected longer "
			     "than the pool prefix /%u and at most 64)", (unsigned)x,
			     t.pool.plen + 1, t.pool.plen);
			goto out;
		}
		t.pool_length = (unsigned)x;
		t.has_pool = true;
	}
	if (v[5] && t.role != AERO_SCEN_ROLE_RELAY) {
		fail(c, v[5], where, "aggregate: only relays have an aggregate (expected "
		     "no aggregate for a %s)", role_names[t.role]);
		goto out;
	}
	if (t.role == AERO_SCEN_ROLE_RELAY) {
		if (!v[5]) {
			missing(c, n, where, "aggregate", "the relay's IPv6 aggregate prefix");
			goto out;
		}
		if (!rd_prefix(c, v[5], where, "aggregate", AERO_FAMILY_IPV6, &t.aggregate))
			goto out;
		t.has_aggregate = true;
	}
	if (c->s->manet_mode && v[6]) {
		fail(c, v[6], where, "networks: not with a manet underlay (expected no "
		     "networks)");
		goto out;
	}
	if (!c->s->manet_mode) {
		if (!v[6]) {
			missing(c, n, where, "networks", "a list of underlay network names");
			goto out;
		}
		if (!is_seq(c, v[6], where, "networks"))
			goto out;
		yaml_node_item_t *it = v[6]->data.sequence.items.start;
		unsigned cnt = (unsigned)(v[6]->data.sequence.items.top - it);
		if (cnt == 0) {
			fail(c, v[6], where, "networks: empty list (expected at least one "
			     "network)");
			goto out;
		}
		for (unsigned i = 0; i < cnt; i++) {
			yaml_node_t *en = take(c, it[i], where);
			const char *nn;
			if (!en || !(nn = scalar(c, en, where, "network", "a network name")))
				goto out;
			unsigned ni = GPOINTER_TO_UINT(g_hash_table_lookup(c->net_names, nn));
			if (!ni) {
				fail(c, en, where, "unknown network '%s' (expected a name from "
				     "underlay.networks)", nn);
				goto out;
			}
			for (guint j = 0; j < nets->len; j++) {
				if (g_array_index(nets, unsigned, j) == ni - 1) {
					fail(c, en, where, "network '%s' listed twice (expected "
					     "each network once)", nn);
					goto out;
				}
			}
			ni--;
			g_array_append_val(nets, ni);
		}
	}
	if (v[7]) {
		unsigned cnt;
		if (!rd_vec(c, v[7], where, "position", 2, 3, -1e9, 1e9, t.position, &cnt))
			goto out;
		t.has_position = true;
		if (!c->first_position) {
			c->first_position = v[7];
			c->first_position_node = g_strdup(where);
		}
	}
	for (unsigned i = 0; i < count; i++) {
		struct aero_scen_node *nd = g_new(struct aero_scen_node, 1);
		*nd = t;
		nd->group = g_strdup(name);
		nd->name = count > 1 ? g_strdup_printf("%s%u", name, i) : g_strdup(name);
		nd->index = i;
		nd->count = (unsigned)count;
		nd->ifaces = g_array_new(FALSE, TRUE, sizeof(struct aero_scen_iface));
		for (guint j = 0; j < nets->len; j++) {
			struct aero_scen_iface f = {g_array_index(nets, unsigned, j), {{0}}};
			g_array_append_val(nd->ifaces, f);
		}
		g_ptr_array_add(c->s->nodes, nd);
		if (g_hash_table_contains(c->node_names, nd->name)) {
			fail(c, v[0], where, "duplicate node name '%s'%s (expected unique "
			     "names)", nd->name, count > 1 ? " after expansion" : "");
			goto out;
		}
		g_hash_table_insert(c->node_names, nd->name,
		                    GUINT_TO_POINTER(c->s->nodes->len));
		c->s->role_count[t.role]++;
	}
	ok = true;
out:
	g_array_free(nets, TRUE);
	g_free(where);
	return ok;
}

/* Host address number k (1-based) of prefix p; false if it does not fit. */
static bool
host_addr(const struct aero_scen_prefix *p, uint64_t k, struct aero_in6 *out)
{
	unsigned hostbits = (p->family == AERO_FAMILY_IPV4 ? 32 : 128) - p->plen;
	uint64_t room;

	if (hostbits >= 64)
		room = UINT64_MAX;
	else
		room = (UINT64_C(1) << hostbits) - 1; /* excluding the all-zeros one */
	if (p->family == AERO_FAMILY_IPV4 && hostbits >= 2)
		room--; /* and the broadcast address */
	if (k > room)
		return false;
	*out = p->addr;
	for (int i = 15; i >= 0 && k; i--) {
		unsigned s = out->b[i] + (unsigned)(k & 0xff);
		out->b[i] = (uint8_t)s;
		k = (k >> 8) + (s >> 8);
	}
	return true;
}

static bool
sec_nodes(struct ctx *c, const yaml_node_t *n, const yaml_node_t *root)
{
	if (!n)
		return missing(c, root, "manifest", "nodes", "a list of nodes");
	if (!is_seq(c, n, "manifest", "nodes"))
		return false;
	yaml_node_item_t *it = n->data.sequence.items.start;
	unsigned cnt = (unsigned)(n->data.sequence.items.top - it);
	if (cnt == 0)
		return fail(c, n, "manifest", "nodes: empty list (expected at least one node)");
	for (unsigned i = 0; i < cnt; i++) {
		yaml_node_t *e = take(c, it[i], "nodes");
		if (!e || !sec_node(c, e, i))
			return false;
	}
	/* Addresses: per network, in node order. */
	for (guint i = 0; i < c->s->nodes->len; i++) {
		struct aero_scen_node *nd = c->s->nodes->pdata[i];
		for (guint j = 0; j < nd->ifaces->len; j++) {
			struct aero_scen_iface *f =
			        &g_array_index(nd->ifaces, struct aero_scen_iface, j);
			struct aero_scen_network *net = c->s->networks->pdata[f->network];
			if (!host_addr(&net->prefix, ++net->hosts, &f->addr)) {
				gchar *w = g_strdup_printf("network '%s'", net->name);
				fail(c, c->net_prefix_nodes->pdata[f->network], w,
				     "prefix /%u has no room for %u hosts (expected a "
				     "larger prefix)", net->prefix.plen, net->hosts);
				g_free(w);
				return false;
			}
		}
	}
	return true;
}

static int
node_ref(struct ctx *c, const yaml_node_t *n, const char *where, const char *key)
{
	const char *v = scalar(c, n, where, key, "a node name");

	if (!v)
		return -1;
	unsigned i = GPOINTER_TO_UINT(g_hash_table_lookup(c->node_names, v));
	if (!i) {
		fail(c, n, where, "%s: unknown node '%s' (expected a node name after "
		     "expansion)", key, v);
		return -1;
	}
	return (int)i - 1;
}

static int
net_ref(struct ctx *c, const yaml_node_t *n, const char *where, const char *key)
{
	const char *v = scalar(c, n, where, key, "a network name");

	if (!v)
		return -1;
	unsigned i = GPOINTER_TO_UINT(g_hash_table_lookup(c->net_names, v));
	if (!i) {
		fail(c, n, where, "%s: unknown network '%s' (expected a name from "
		     "underlay.networks)", key, v);
		return -1;
	}
	return (int)i - 1;
}

static bool
sec_mobility(struct ctx *c, const yaml_node_t *n)
{
	static const char *const k[] = {"file", "model", "speed", "pause"};
	static const char *const models[] = {"random_waypoint", "constant_position"};
	yaml_node_t *v[N_(k)];
	struct aero_scen_mobility *m = &c->s->mobility;
	const char *file = NULL;
	int e;

	if (!n)
		return true;
	if (!map_check(c, n, "mobility", k, N_(k), v))
		return false;
	if (v[0] && v[1])
		return fail(c, v[1], "mobility", "both file and model (expected one "
		            "of them)");
	if (!v[0] && !v[1])
		return fail(c, n, "mobility", "neither file nor model (expected one "
		            "of them)");
	if (v[0]) {
		if (v[2] || v[3])
			return fail(c, v[2] ? v[2] : v[3], "mobility", "%s: only with "
			            "model random_waypoint (expected no %s with a file)",
			            v[2] ? "speed" : "pause", v[2] ? "speed" : "pause");
		if (!rd_path(c, v[0], "mobility", "file", &file))
			return false;
		if (!c->s->dir)
			return fail(c, v[0], "mobility", "file: no files may be read here "
			            "(expected a manifest loaded with a base folder)");
		m->kind = AERO_MOBILITY_FILE;
		m->file = g_strdup(file);
		m->file_path = g_path_is_absolute(file)
		                       ? g_strdup(file)
		                       : g_build_filename(c->s->dir, file, NULL);
		c->mob_file_node = v[0];
		return true;
	}
	if (!rd_enum(c, v[1], "mobility", "model", models, 2, &e))
		return false;
	if (e == 1) {
		m->kind = AERO_MOBILITY_CONSTANT_POSITION;
		if (v[2] || v[3])
			return fail(c, v[2] ? v[2] : v[3], "mobility", "%s: only with model "
			            "random_waypoint (expected no %s)", v[2] ? "speed" : "pause",
			            v[2] ? "speed" : "pause");
		return true;
	}
	m->kind = AERO_MOBILITY_RANDOM_WAYPOINT;
	if (!v[2])
		return missing(c, n, "mobility", "speed", "[min, max] in m/s");
	double sp[2];
	unsigned cnt;
	if (!rd_vec(c, v[2], "mobility", "speed", 2, 2, 0, 1e9, sp, &cnt))
		return false;
	if (sp[0] <= 0 || sp[1] < sp[0])
		return fail(c, v[2], "mobility", "speed: [%g, %g] (expected 0 < min <= max)",
		            sp[0], sp[1]);
	m->speed_min = sp[0];
	m->speed_max = sp[1];
	if (v[3] && !rd_duration(c, v[3], "mobility", "pause", &m->pause))
		return false;
	return true;
}

/* Start and stop of a flow, checked against each other and the duration. */
static bool
start_stop(struct ctx *c, yaml_node_t *vs, yaml_node_t *ve, const yaml_node_t *n,
           const char *where, int64_t *start, int64_t *stop)
{
	*start = 0;
	*stop = c->duration;
	if (vs && !rd_duration(c, vs, where, "start", start))
		return false;
	if (ve && !rd_duration(c, ve, where, "stop", stop))
		return false;
	if (*stop > c->duration)
		return fail(c, ve ? ve : n, where, "stop %.9g s is after the end of the "
		            "run (expected <= run.duration %.9g s)", (double)*stop / 1e9,
		            (double)c->duration / 1e9);
	if (*start >= *stop)
		return fail(c, vs ? vs : n, where, "start %.9g s is not before stop "
		            "%.9g s (expected start < stop)", (double)*start / 1e9,
		            (double)*stop / 1e9);
	return true;
}

static bool
sec_flow(struct ctx *c, const yaml_node_t *n, unsigned idx)
{
	static const char *const k[] = {"type", "from", "to", "start", "stop",
	                                "rate", "size", "interval"};
	yaml_node_t *v[N_(k)];
	gchar *where = g_strdup_printf("traffic #%u", idx + 1);
	struct aero_scen_traffic f;
	bool ok = false;
	int e;
	uint64_t x;

	memset(&f, 0, sizeof f);
	if (!map_check(c, n, where, k, N_(k), v))
		goto out;
	if (!v[0]) {
		missing(c, n, where, "type", "udp_cbr, ping, tcp_bulk");
		goto out;
	}
	if (!rd_enum(c, v[0], where, "traffic type", traffic_names, N_(traffic_names),
	             &e))
		goto out;
	f.type = (enum aero_scen_traffic_type)e;
	for (unsigned i = 1; i <= 2; i++) {
		if (!v[i]) {
			missing(c, n, where, k[i], "a node name");
			goto out;
		}
		if ((e = node_ref(c, v[i], where, k[i])) < 0)
			goto out;
		if (i == 1)
			f.from = (unsigned)e;
		else
			f.to = (unsigned)e;
	}
	if (f.from == f.to) {
		fail(c, v[2], where, "from and to are the same node (expected two "
		     "different nodes)");
		goto out;
	}
	if (!start_stop(c, v[3], v[4], n, where, &f.start, &f.stop))
		goto out;
	/* Per-type parameters. */
	bool allow_rate = f.type == AERO_TRAFFIC_UDP_CBR;
	bool allow_size = f.type != AERO_TRAFFIC_TCP_BULK;
	bool allow_int = f.type == AERO_TRAFFIC_PING;
	if ((v[5] && !allow_rate) || (v[6] && !allow_size) || (v[7] && !allow_int)) {
		const char *key = v[5] && !allow_rate ? "rate"
		                  : v[6] && !allow_size ? "size" : "interval";
		fail(c, v[5] && !allow_rate ? v[5] : v[6] && !allow_size ? v[6] : v[7],
		     where, "%s: not a parameter of %s (expected no %s)", key,
		     traffic_names[f.type], key);
		goto out;
	}
	if (f.type == AERO_TRAFFIC_UDP_CBR) {
		if (!v[5]) {
			missing(c, n, where, "rate", "a rate for udp_cbr");
			goto out;
		}
		if (!rd_rate(c, v[5], where, "rate", &f.rate))
			goto out;
		if (f.rate == 0) {
			fail(c, v[5], where, "rate: must be > 0 (expected a positive rate)");
			goto out;
		}
	}
	f.size = f.type == AERO_TRAFFIC_UDP_CBR ? 200 : f.type == AERO_TRAFFIC_PING ? 56 : 0;
	if (v[6]) {
		if (!rd_uint(c, v[6], where, "size", 1, 65000, &x))
			goto out;
		f.size = (uint32_t)x;
	}
	if (f.type == AERO_TRAFFIC_PING) {
		f.interval = AERO_SCEN_S;
		if (v[7] && !rd_duration(c, v[7], where, "interval", &f.interval))
			goto out;
		if (f.interval <= 0) {
			fail(c, v[7], where, "interval: must be > 0 (expected a positive "
			     "duration)");
			goto out;
		}
	}
	g_array_append_val(c->s->traffic, f);
	ok = true;
out:
	g_free(where);
	return ok;
}

static bool
attached(const struct aero_scen_node *nd, int net)
{
	for (guint j = 0; j < nd->ifaces->len; j++)
		if ((int)g_array_index(nd->ifaces, struct aero_scen_iface, j).network == net)
			return true;
	return false;
}

static bool
sec_event(struct ctx *c, const yaml_node_t *n, unsigned idx)
{
	static const char *const k[] = {"at", "type", "node", "network", "from",
	                                "to", "keep_state", "restart"};
	yaml_node_t *v[N_(k)];
	gchar *where = g_strdup_printf("event #%u", idx + 1);
	struct aero_scen_event ev;
	struct aero_scen_node *nd;
	bool ok = false;
	int e;

	memset(&ev, 0, sizeof ev);
	ev.network = ev.from = ev.to = -1;
	if (!map_check(c, n, where, k, N_(k), v))
		goto out;
	if (!v[0]) {
		missing(c, n, where, "at", "the time of the event");
		goto out;
	}
	if (!rd_duration(c, v[0], where, "at", &ev.at))
		goto out;
	if (ev.at > c->duration) {
		fail(c, v[0], where, "at %.9g s is after the end of the run (expected "
		     "<= run.duration %.9g s)", (double)ev.at / 1e9,
		     (double)c->duration / 1e9);
		goto out;
	}
	if (!v[1]) {
		missing(c, n, where, "type", "link_down, link_up, node_down, node_up, "
		        "move, server_crash, nat_rebind");
		goto out;
	}
	if (!rd_enum(c, v[1], where, "event type", event_names, N_(event_names), &e))
		goto out;
	ev.type = (enum aero_scen_event_type)e;
	if (!v[2]) {
		missing(c, n, where, "node", "a node name");
		goto out;
	}
	if ((e = node_ref(c, v[2], where, "node")) < 0)
		goto out;
	ev.node = (unsigned)e;
	nd = c->s->nodes->pdata[ev.node];
	bool is_link = ev.type == AERO_EVENT_LINK_DOWN || ev.type == AERO_EVENT_LINK_UP;
	bool is_move = ev.type == AERO_EVENT_MOVE;
	bool is_crash = ev.type == AERO_EVENT_SERVER_CRASH;
	const struct {
		int i;
		bool allowed;
	} extra[] = {{3, is_link && !c->s->manet_mode}, {4, is_move}, {5, is_move},
	             {6, is_crash}, {7, is_crash}};
	for (size_t j = 0; j < N_(extra); j++) {
		if (v[extra[j].i] && !extra[j].allowed) {
			fail(c, v[extra[j].i], where, "%s: not a parameter of %s%s "
			     "(expected no %s)", k[extra[j].i], event_names[ev.type],
			     c->s->manet_mode && extra[j].i == 3 ? " with a manet underlay" : "",
			     k[extra[j].i]);
			goto out;
		}
	}
	if (is_link && !c->s->manet_mode) {
		if (!v[3]) {
			missing(c, n, where, "network", "the network of the link");
			goto out;
		}
		if ((ev.network = net_ref(c, v[3], where, "network")) < 0)
			goto out;
		if (!attached(nd, ev.network)) {
			fail(c, v[3], where, "node '%s' is not on network '%s' (expected one "
			     "of its networks)", nd->name,
			     ((struct aero_scen_network *)c->s->networks->pdata[ev.network])->name);
			goto out;
		}
	}
	if (is_move) {
		if (c->s->manet_mode) {
			fail(c, v[1], where, "move: not with a manet underlay (expected "
			     "explicit networks)");
			goto out;
		}
		if (nd->role != AERO_SCEN_ROLE_CLIENT) {
			fail(c, v[2], where, "move: node '%s' is a %s (expected a client)",
			     nd->name, role_names[nd->role]);
			goto out;
		}
		for (unsigned i = 4; i <= 5; i++)
			if (!v[i]) {
				missing(c, n, where, k[i], "a network name");
				goto out;
			}
		if ((ev.from = net_ref(c, v[4], where, "from")) < 0 ||
		    (ev.to = net_ref(c, v[5], where, "to")) < 0)
			goto out;
		if (!attached(nd, ev.from)) {
			fail(c, v[4], where, "from: node '%s' is not on network '%s' "
			     "(expected one of its networks)", nd->name,
			     ((struct aero_scen_network *)c->s->networks->pdata[ev.from])->name);
			goto out;
		}
		if (ev.from == ev.to) {
			fail(c, v[5], where, "to: same network as from (expected another "
			     "network)");
			goto out;
		}
		struct aero_scen_network *net = c->s->networks->pdata[ev.to];
		if (!host_addr(&net->prefix, ++net->hosts, &ev.to_addr)) {
			fail(c, v[5], where, "to: network '%s' has no room for %u hosts "
			     "(expected a larger prefix)", net->name, net->hosts);
			goto out;
		}
	}
	if (is_crash) {
		if (nd->role != AERO_SCEN_ROLE_SERVER) {
			fail(c, v[2], where, "server_crash: node '%s' is a %s (expected a "
			     "server)", nd->name, role_names[nd->role]);
			goto out;
		}
		if (v[6] && !rd_bool(c, v[6], where, "keep_state", &ev.keep_state))
			goto out;
		if (v[7]) {
			if (!rd_duration(c, v[7], where, "restart", &ev.restart))
				goto out;
			if (ev.restart <= ev.at || ev.restart > c->duration) {
				fail(c, v[7], where, "restart %.9g s is not in (at, duration] "
				     "(expected an absolute time after 'at' and <= run.duration)",
				     (double)ev.restart / 1e9);
				goto out;
			}
			ev.has_restart = true;
		}
	}
	if ((ev.type == AERO_EVENT_NAT_REBIND) && nd->role != AERO_SCEN_ROLE_CLIENT) {
		fail(c, v[2], where, "nat_rebind: node '%s' is a %s (expected a client)",
		     nd->name, role_names[nd->role]);
		goto out;
	}
	g_array_append_val(c->s->events, ev);
	ok = true;
out:
	g_free(where);
	return ok;
}

static bool
sec_list(struct ctx *c, const yaml_node_t *n, const char *key,
         bool (*item)(struct ctx *, const yaml_node_t *, unsigned))
{
	if (!n)
		return true;
	if (!is_seq(c, n, "manifest", key))
		return false;
	yaml_node_item_t *it = n->data.sequence.items.start;
	unsigned cnt = (unsigned)(n->data.sequence.items.top - it);
	for (unsigned i = 0; i < cnt; i++) {
		yaml_node_t *e = take(c, it[i], key);
		if (!e || !item(c, e, i))
			return false;
	}
	return true;
}

static bool
sec_capture(struct ctx *c, const yaml_node_t *n)
{
	static const char *const k[] = {"underlay", "aero", "nodes"};
	yaml_node_t *v[N_(k)];
	struct aero_scen_capture *cp = &c->s->capture;

	if (!n)
		return true;
	if (!map_check(c, n, "capture", k, N_(k), v))
		return false;
	if ((v[0] && !rd_bool(c, v[0], "capture", "underlay", &cp->underlay)) ||
	    (v[1] && !rd_bool(c, v[1], "capture", "aero", &cp->aero)))
		return false;
	if (!v[2])
		return true;
	if (v[2]->type == YAML_SCALAR_NODE) {
		const char *a = scalar(c, v[2], "capture", "nodes", "all or a list");
		if (!a)
			return false;
		if (strcmp(a, "all") != 0)
			return fail(c, v[2], "capture", "nodes: '%s' (expected all or a "
			            "list of node names)", a);
		return true;
	}
	if (!is_seq(c, v[2], "capture", "nodes"))
		return false;
	cp->all_nodes = false;
	yaml_node_item_t *it = v[2]->data.sequence.items.start;
	unsigned cnt = (unsigned)(v[2]->data.sequence.items.top - it);
	for (unsigned i = 0; i < cnt; i++) {
		yaml_node_t *e = take(c, it[i], "capture");
		int ni;
		if (!e || (ni = node_ref(c, e, "capture", "nodes")) < 0)
			return false;
		unsigned u = (unsigned)ni;
		g_array_append_val(cp->nodes, u);
	}
	return true;
}

/* Mobility file: load, node count, positions. */
static bool
check_mobility(struct ctx *c)
{
	struct aero_scen_mobility *m = &c->s->mobility;

	if (m->kind != AERO_MOBILITY_FILE)
		return true;
	if (c->first_position)
		return fail(c, c->first_position, c->first_position_node,
		            "position: not with a mobility file (expected the trace "
		            "to give positions)");
	GError *e = NULL;
	m->trace = ns2_trace_load(m->file_path, &e);
	if (!m->trace) {
		if (e->code == NS2_MOB_ERROR_IO) {
			fail(c, c->mob_file_node, "mobility", "file '%s' cannot be read: "
			     "%s (expected an ns-2 movement file)", m->file, e->message);
			g_error_free(e);
			return false;
		}
		g_propagate_error(c->err, e);
		c->failed = true;
		return false;
	}
	unsigned tn = ns2_trace_nodes(m->trace);
	if (tn != c->s->nodes->len)
		return fail(c, c->mob_file_node, "mobility", "file '%s' has %u nodes "
		            "but the manifest has %u after expansion (expected one trace "
		            "node per node, in order)", m->file, tn, c->s->nodes->len);
	return true;
}

/* ---- entry points --------------------------------------------------------- */

static struct aero_scenario *
scen_new(const char *name, const char *dir)
{
	struct aero_scenario *s = g_new0(struct aero_scenario, 1);

	s->path = g_strdup(name);
	s->dir = g_strdup(dir);
	s->link.profile = AERO_SCEN_PROFILE_P1;
	s->link.port = 8060;
	s->link.mtu = 1280;
	s->link.reachable_time = 30 * AERO_SCEN_S;
	s->link.retrans_timer = AERO_SCEN_S;
	s->link.forward_time = 30 * AERO_SCEN_S;
	s->link.accept_time = 40 * AERO_SCEN_S;
	s->link.keepalive_time = 5 * AERO_SCEN_S;
	s->link.rs_max_interval = 3600 * AERO_SCEN_S;
	s->family = AERO_FAMILY_IPV4;
	s->networks = g_ptr_array_new_with_free_func(network_free);
	s->manet.routing = AERO_ROUTING_OLSR;
	s->manet.wifi_standard = g_strdup("80211g");
	s->manet.wifi_rate = 54000000;
	s->nodes = g_ptr_array_new_with_free_func(node_free);
	s->traffic = g_array_new(FALSE, TRUE, sizeof(struct aero_scen_traffic));
	s->events = g_array_new(FALSE, TRUE, sizeof(struct aero_scen_event));
	s->capture.underlay = s->capture.aero = s->capture.all_nodes = true;
	s->capture.nodes = g_array_new(FALSE, FALSE, sizeof(unsigned));
	return s;
}

void
aero_scenario_free(struct aero_scenario *s)
{
	if (!s)
		return;
	g_free(s->path);
	g_free(s->dir);
	g_free(s->run.name);
	g_free(s->run.output);
	g_free(s->run.output_path);
	g_ptr_array_free(s->networks, TRUE);
	g_free(s->manet.wifi_standard);
	g_ptr_array_free(s->nodes, TRUE);
	g_free(s->mobility.file);
	g_free(s->mobility.file_path);
	ns2_trace_free(s->mobility.trace);
	g_array_free(s->traffic, TRUE);
	g_array_free(s->events, TRUE);
	g_array_free(s->capture.nodes, TRUE);
	g_free(s);
}

static bool
load_doc(struct ctx *c, yaml_node_t *root)
{
	static const char *const k[] = {"run", "link", "underlay", "nodes",
	                                "mobility", "traffic", "events", "capture"};
	yaml_node_t *v[N_(k)];

	if (!map_check(c, root, "manifest", k, N_(k), v))
		return false;
	if (!v[0])
		return missing(c, root, "manifest", "run", "a run: section");
	if (!sec_run(c, v[0]) || !sec_link(c, v[1]))
		return false;
	if (!v[2])
		return missing(c, root, "manifest", "underlay", "an underlay: section");
	return sec_underlay(c, v[2]) && sec_nodes(c, v[3], root) &&
	       sec_mobility(c, v[4]) && sec_list(c, v[5], "traffic", sec_flow) &&
	       sec_list(c, v[6], "events", sec_event) && sec_capture(c, v[7]) &&
	       check_mobility(c);
}

struct aero_scenario *
aero_scenario_parse(const char *name, const char *dir, const char *text,
                    size_t len, GError **err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ctx c;
	struct aero_scenario *s;
	bool ok = false;

	memset(&c, 0, sizeof c);
	if (!yaml_parser_initialize(&parser)) {
		g_set_error(err, AERO_SCEN_ERROR, AERO_SCEN_ERROR_IO,
		            "%s: cannot initialise the YAML parser", name);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		const char *ctxs = parser.context;
		g_set_error(err, AERO_SCEN_ERROR, AERO_SCEN_ERROR_SYNTAX,
		            "%s:%lu:%lu: YAML: %s%s%s (expected well-formed YAML)", name,
		            (unsigned long)parser.problem_mark.line + 1,
		            (unsigned long)parser.problem_mark.column + 1,
		            parser.problem ? parser.problem : "syntax error",
		            ctxs ? " " : "", ctxs ? ctxs : "");
		yaml_parser_delete(&parser);
		return NULL;
	}
	s = scen_new(name, dir);
	c.name = name;
	c.doc = &doc;
	c.err = err;
	c.s = s;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)) {
		g_set_error(err, AERO_SCEN_ERROR, AERO_SCEN_ERROR_INVALID,
		            "%s:1:1: manifest: empty document (expected a mapping with "
		            "run, underlay and nodes)", name);
		goto out;
	}
	/* A second document is an error. */
	yaml_document_t doc2;
	if (!yaml_parser_load(&parser, &doc2)) {
		g_set_error(err, AERO_SCEN_ERROR, AERO_SCEN_ERROR_SYNTAX,
		            "%s:%lu:%lu: YAML: %s (expected well-formed YAML)", name,
		            (unsigned long)parser.problem_mark.line + 1,
		            (unsigned long)parser.problem_mark.column + 1,
		            parser.problem ? parser.problem : "syntax error");
		goto out;
	}
	bool more = yaml_document_get_root_node(&doc2) != NULL;
	unsigned long l2 = (unsigned long)doc2.start_mark.line + 1;
	yaml_document_delete(&doc2);
	if (more) {
		g_set_error(err, AERO_SCEN_ERROR, AERO_SCEN_ERROR_INVALID,
		            "%s:%lu:1: manifest: a second YAML document (expected one "
		            "document)", name, l2);
		goto out;
	}
	c.nseen = (size_t)(doc.nodes.top - doc.nodes.start);
	c.seen = g_malloc0(c.nseen ? c.nseen : 1);
	c.node_names = g_hash_table_new(g_str_hash, g_str_equal);
	c.net_names = g_hash_table_new(g_str_hash, g_str_equal);
	c.net_prefix_nodes = g_ptr_array_new();
	ok = load_doc(&c, root);
	if (!ok && !c.failed)
		g_set_error(err, AERO_SCEN_ERROR, AERO_SCEN_ERROR_INVALID,
		            "%s:1:1: manifest: invalid", name);
	g_hash_table_destroy(c.node_names);
	g_hash_table_destroy(c.net_names);
	g_ptr_array_free(c.net_prefix_nodes, TRUE);
	g_free(c.first_position_node);
	g_free(c.seen);
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (!ok) {
		aero_scenario_free(s);
		return NULL;
	}
	return s;
}

struct aero_scenario *
aero_scenario_load(const char *path, GError **err)
{
	gchar *text = NULL, *dir;
	gsize len = 0;
	GError *e = NULL;
	struct aero_scenario *s;

	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, AERO_SCEN_ERROR, AERO_SCEN_ERROR_IO, "%s: %s", path,
		            e->message);
		g_error_free(e);
		return NULL;
	}
	dir = g_path_get_dirname(path);
	s = aero_scenario_parse(path, dir, text, len, err);
	g_free(dir);
	g_free(text);
	return s;
}

int
aero_scenario_find_node(const struct aero_scenario *s, const char *name)
{
	for (guint i = 0; i < s->nodes->len; i++)
		if (strcmp(((struct aero_scen_node *)s->nodes->pdata[i])->name, name) == 0)
			return (int)i;
	return -1;
}

void
aero_scen_native6(const struct aero_scenario *s, unsigned node, unsigned k,
                  struct aero_in6 *out)
{
	const struct aero_scen_node *nd = s->nodes->pdata[node];
	uint32_t net = 0, host = node + 1;

	memset(out, 0, sizeof *out);
	if (!s->manet_mode && k < nd->ifaces->len) {
		const struct aero_scen_iface *f =
		        &g_array_index(nd->ifaces, struct aero_scen_iface, k);
		net = f->network;
		host = (uint32_t)f->addr.b[12] << 24 | (uint32_t)f->addr.b[13] << 16 |
		       (uint32_t)f->addr.b[14] << 8 | f->addr.b[15];
	}
	out->b[0] = 0xfd;
	out->b[6] = (uint8_t)((net + 1) >> 8);
	out->b[7] = (uint8_t)(net + 1);
	out->b[12] = (uint8_t)(host >> 24);
	out->b[13] = (uint8_t)(host >> 16);
	out->b[14] = (uint8_t)(host >> 8);
	out->b[15] = (uint8_t)host;
}

bool
aero_scen_manet_addr(const struct aero_scenario *s, unsigned node,
                     struct aero_in6 *out)
{
	uint32_t host = node + 1;

	memset(out, 0, sizeof *out);
	if (!s->manet_mode || s->family != AERO_FAMILY_IPV4 || host > 0xfffe)
		return false;
	out->b[10] = out->b[11] = 0xff;
	out->b[12] = 10;
	out->b[13] = 0;
	out->b[14] = (uint8_t)(host >> 8);
	out->b[15] = (uint8_t)host;
	return true;
}

void
aero_scen_addr_str(const struct aero_in6 *a, enum aero_scen_family f, char *buf,
                   size_t len)
{
	if (f == AERO_FAMILY_IPV4)
		inet_ntop(AF_INET, a->b + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, a->b, buf, (socklen_t)len);
}
