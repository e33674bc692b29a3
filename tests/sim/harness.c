/*
 * tests/sim/harness.c -- the in-process discrete-event network harness
 * (see harness.h).
 *
 * One binary min-heap of simulation events ordered by (time, insertion
 * sequence), so equal times run in the order they were scheduled and a run
 * is a pure function of the seed. Event kinds: an underlay packet arriving
 * at a locator, a node timer deadline (at most one pending per node,
 * invalidated by a generation counter), a test action, a DNS answer, a
 * tunnel-side injection and a BGP update.
 *
 * The iBGP model: a Server's ROUTE_ANNOUNCE/WITHDRAW is applied with
 * aero_node_route_update on every Relay and every other Server after the
 * BGP delay. The harness keeps the RIB (prefix -> announcing Server); when
 * a Server goes down or restarts its session drops and its routes are
 * withdrawn everywhere after the BGP delay; when it comes back up its
 * current routes are announced again; a restarted Relay or Server receives
 * the whole RIB again (session re-establishment).
 */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aero/wire_ip.h"

enum sev_kind { SEV_PKT, SEV_TIMER, SEV_ACTION, SEV_NAME, SEV_INJECT, SEV_FP_SENT,
                SEV_BGP };

struct sev {
	aero_tstamp at;
	uint64_t seq;
	enum sev_kind kind;
	int node;                 /* TIMER, NAME, INJECT, BGP: target (-1 = all) */
	uint64_t gen;             /* TIMER: generation */
	struct aero_pktinfo pi;   /* PKT */
	int from;                 /* PKT: sender; BGP: announcing Server */
	bool add;                 /* BGP */
	struct aero_prefix pfx;   /* BGP */
	void (*fn)(struct sim *, void *);
	void *user;
	char *name;               /* NAME */
	uint8_t *data;            /* PKT, INJECT */
	size_t len;
};

struct snode {
	struct sim *s;
	int idx;
	char *name;
	struct aero_config cfg;
	aero_node *n;
	bool up;
	struct aero_loc loc;      /* where the underlay delivers to it */
	uint64_t rng;             /* splitmix64 state of the rand callback */
	uint64_t tgen;            /* timer generation */
	aero_tstamp tpending;     /* the pending timer event, or NONE */
};

struct rib_key {
	int server;
	struct aero_prefix pfx;
};

struct dns_entry {
	struct aero_peer *peers;
	size_t n;
};

struct sim {
	uint64_t seed;
	uint64_t rng;             /* link draws */
	aero_tstamp now;
	uint64_t seq;
	GPtrArray *heap;          /* of struct sev * */
	GPtrArray *nodes;         /* of struct snode * */
	GHashTable *by_loc;       /* exact locator -> struct snode * */
	struct sim_link link_default;
	GHashTable *links;        /* (a << 32 | b) -> struct sim_link * */
	GHashTable *pair_down;    /* (min << 32 | max) -> 1 */
	GHashTable *dns;          /* name -> struct dns_entry * */
	GTree *rib;               /* struct rib_key * -> itself */
	aero_duration bgp_delay;
	bool bgp_no_servers;      /* Servers do not learn each other's routes */
	aero_duration dns_delay;
	sim_tunnel_fn on_tunnel;
	sim_underlay_fn on_underlay;
	void *on_underlay_user;
	void *on_tunnel_user;
	sim_event_fn on_event;
	void *on_event_user;
	sim_step_fn on_step;
	void *on_step_user;
	GString *log;
	bool trace;
	struct sim_stats stats;
	struct aero_callbacks cb;
};

/* ---- randomness (splitmix64) ---------------------------------------------- */

static uint64_t
splitmix64(uint64_t *st)
{
	uint64_t z = (*st += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double
rng_unit(uint64_t *st)
{
	return (double)(splitmix64(st) >> 11) * (1.0 / 9007199254740992.0);
}

static void
node_rand_cb(uint8_t *dst, size_t len, void *user)
{
	struct snode *sn = user;
	while (len > 0) {
		uint64_t v = splitmix64(&sn->rng);
		for (int i = 0; i < 8 && len > 0; i++, len--) {
			*dst++ = (uint8_t)v;
			v >>= 8;
		}
	}
}

static void
node_log_cb(int level, const char *msg, void *user)
{
	struct snode *sn = user;
	if (sn->s->trace)
		fprintf(stderr, "  [%d] %s: %s\n", level, sn->name, msg);
}

/* ---- the event heap ------------------------------------------------------- */

#define SEV(s, i) ((struct sev *)g_ptr_array_index((s)->heap, (i)))

static bool
sev_less(const struct sev *a, const struct sev *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void
heap_swap(struct sim *s, guint i, guint j)
{
	gpointer t = s->heap->pdata[i];
	s->heap->pdata[i] = s->heap->pdata[j];
	s->heap->pdata[j] = t;
}

static struct sev *
sev_new(struct sim *s, enum sev_kind kind, aero_tstamp at)
{
	struct sev *e = g_new0(struct sev, 1);
	e->kind = kind;
	e->at = at < s->now ? s->now : at;
	e->seq = s->seq++;
	e->node = -1;
	e->from = -1;
	return e;
}

static void
sev_push(struct sim *s, struct sev *e)
{
	g_ptr_array_add(s->heap, e);
	guint i = s->heap->len - 1;
	while (i > 0) {
		guint p = (i - 1) / 2;
		if (!sev_less(SEV(s, i), SEV(s, p)))
			break;
		heap_swap(s, i, p);
		i = p;
	}
}

static struct sev *
sev_pop(struct sim *s)
{
	if (s->heap->len == 0)
		return NULL;
	struct sev *top = SEV(s, 0);
	guint last = s->heap->len - 1;
	heap_swap(s, 0, last);
	g_ptr_array_set_size(s->heap, last);
	guint i = 0, len = last;
	for (;;) {
		guint l = 2 * i + 1, r = l + 1, m = i;
		if (l < len && sev_less(SEV(s, l), SEV(s, m)))
			m = l;
		if (r < len && sev_less(SEV(s, r), SEV(s, m)))
			m = r;
		if (m == i)
			break;
		heap_swap(s, i, m);
		i = m;
	}
	return top;
}

static void
sev_free(struct sev *e)
{
	g_free(e->name);
	g_free(e->data);
	g_free(e);
}

/* ---- locators, links ------------------------------------------------------- */

static guint
loc_hash(gconstpointer p)
{
	const struct aero_loc *l = p;
	uint32_t h = 2166136261u ^ l->family;
	for (int i = 0; i < (l->family == 4 ? 4 : 16); i++)
		h = (h ^ l->ip[i]) * 16777619u;
	return (h ^ l->port) * 16777619u;
}

static gboolean
loc_equal(gconstpointer a, gconstpointer b)
{
	return aero_loc_equal(a, b);
}

static guint64
pair_key(int a, int b)
{
	return (guint64)(uint32_t)a << 32 | (uint32_t)b;
}

static const struct sim_link *
link_of(struct sim *s, int a, int b)
{
	guint64 k = pair_key(a, b);
	const struct sim_link *l = g_hash_table_lookup(s->links, &k);
	return l ? l : &s->link_default;
}

static bool
pair_is_down(struct sim *s, int a, int b)
{
	guint64 k = a < b ? pair_key(a, b) : pair_key(b, a);
	return g_hash_table_contains(s->pair_down, &k);
}

static struct snode *
SN(const struct sim *s, int i)
{
	g_assert(i >= 0 && (guint)i < s->nodes->len);
	return g_ptr_array_index(s->nodes, (guint)i);
}

static struct snode *
node_at(struct sim *s, const struct aero_loc *l)
{
	return g_hash_table_lookup(s->by_loc, l);
}

/* ---- log --------------------------------------------------------------------- */

static void G_GNUC_PRINTF(3, 4)
sim_logf(struct sim *s, const char *who, const char *fmt, ...)
{
	if (!s->log && !s->trace)
		return;
	char line[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	char ts[40];
	snprintf(ts, sizeof ts, "%llu.%09llu",
	         (unsigned long long)(s->now / AERO_SEC),
	         (unsigned long long)(s->now % AERO_SEC));
	if (s->log)
		g_string_append_printf(s->log, "%s %s %s\n", ts, who, line);
	if (s->trace)
		fprintf(stderr, "%s %s %s\n", ts, who, line);
}

/* ---- BGP model ---------------------------------------------------------------- */

static gint
rib_cmp(gconstpointer pa, gconstpointer pb, gpointer user)
{
	(void)user;
	const struct rib_key *a = pa, *b = pb;
	if (a->server != b->server)
		return a->server < b->server ? -1 : 1;
	int c = memcmp(a->pfx.prefix.b, b->pfx.prefix.b, 16);
	if (c)
		return c;
	return (int)a->pfx.plen - (int)b->pfx.plen;
}

static bool
is_router(const struct snode *sn)
{
	return sn->cfg.role == AERO_ROLE_SERVER || sn->cfg.role == AERO_ROLE_RELAY;
}

/* Schedule an update from server to node target (-1 = every Relay and every
 * other Server). */
static void
bgp_schedule(struct sim *s, int server, int target, bool add,
             const struct aero_prefix *p)
{
	struct sev *e = sev_new(s, SEV_BGP, s->now + s->bgp_delay);
	e->from = server;
	e->node = target;
	e->add = add;
	e->pfx = *p;
	sev_push(s, e);
}

struct rib_walk {
	struct sim *s;
	int server;   /* only this server's routes (-1 = all) */
	int target;   /* receiver */
	int skip;     /* never this server's routes */
	bool add;
	bool only_up; /* only routes of Servers that are up */
};

static gboolean
rib_walk_fn(gpointer key, gpointer val, gpointer user)
{
	(void)val;
	const struct rib_key *k = key;
	struct rib_walk *w = user;
	if ((w->server >= 0 && k->server != w->server) || k->server == w->skip)
		return FALSE;
	if (w->only_up && !SN(w->s, k->server)->up)
		return FALSE;
	bgp_schedule(w->s, k->server, w->target, w->add, &k->pfx);
	return FALSE;
}

static void
bgp_session(struct sim *s, int server, bool add)
{
	struct rib_walk w = {s, server, -1, -1, add, false};
	g_tree_foreach(s->rib, rib_walk_fn, &w);
}

static void
bgp_resync(struct sim *s, int target)
{
	struct rib_walk w = {s, -1, target, target, true, true};
	g_tree_foreach(s->rib, rib_walk_fn, &w);
}

static void
rib_update(struct sim *s, int server, bool add, const struct aero_prefix *p)
{
	struct rib_key k = {.server = server, .pfx = *p};
	if (add) {
		if (!g_tree_lookup(s->rib, &k)) {
			struct rib_key *nk = g_memdup2(&k, sizeof k);
			g_tree_insert(s->rib, nk, nk);
		}
	} else {
		g_tree_remove(s->rib, &k);
	}
	if (SN(s, server)->up)
		bgp_schedule(s, server, -1, add, p);
}

static void node_drain(struct sim *s, struct snode *sn);

static void
bgp_apply_one(struct sim *s, struct snode *to, const struct sev *e)
{
	const struct snode *from = SN(s, e->from);
	struct aero_peer peer = {.loc = from->cfg.self, .id = from->cfg.id};
	aero_node_route_update(to->n, e->add, &e->pfx, &peer, s->now);
	node_drain(s, to);
}

static void
bgp_apply(struct sim *s, const struct sev *e)
{
	if (e->node >= 0) {
		bgp_apply_one(s, SN(s, e->node), e);
		return;
	}
	for (guint i = 0; i < s->nodes->len; i++) {
		struct snode *sn = SN(s, (int)i);
		if ((int)i != e->from && is_router(sn) &&
		    !(s->bgp_no_servers && sn->cfg.role == AERO_ROLE_SERVER))
			bgp_apply_one(s, sn, e);
	}
}

/* ---- node outputs ---------------------------------------------------------------- */

static void
send_underlay(struct sim *s, struct snode *from, const struct aero_out *o)
{
	if (!from->up) {
		s->stats.lost++;
		return;
	}
	s->stats.sent++;
	if (s->on_underlay)
		s->on_underlay(s, from->idx, &o->pi, o->data, o->len, s->now,
		               s->on_underlay_user);
	struct snode *to = node_at(s, &o->pi.dst);
	if (!to) {
		s->stats.undeliverable++;
		return;
	}
	if (pair_is_down(s, from->idx, to->idx)) {
		s->stats.lost++;
		return;
	}
	const struct sim_link *l = link_of(s, from->idx, to->idx);
	if (l->loss > 0 && rng_unit(&s->rng) < l->loss) {
		s->stats.lost++;
		return;
	}
	int copies = 1;
	if (l->dup > 0 && rng_unit(&s->rng) < l->dup) {
		copies = 2;
		s->stats.duplicated++;
	}
	for (int c = 0; c < copies; c++) {
		aero_duration d = l->delay;
		if (l->jitter > 0)
			d += (aero_duration)(rng_unit(&s->rng) * (double)l->jitter);
		struct sev *e = sev_new(s, SEV_PKT, s->now + d);
		e->from = from->idx;
		e->pi = o->pi;
		e->data = g_memdup2(o->data, o->len);
		e->len = o->len;
		sev_push(s, e);
	}
}

static void
handle_event(struct sim *s, struct snode *sn, const struct aero_event *ev)
{
	s->stats.events++;
	switch (ev->type) {
	case AERO_EV_NAME_QUERY:
		if (ev->name) {
			struct sev *e = sev_new(s, SEV_NAME, s->now + s->dns_delay);
			e->node = sn->idx;
			e->name = g_strdup(ev->name);
			sev_push(s, e);
		}
		break;
	case AERO_EV_ROUTE_ANNOUNCE:
	case AERO_EV_ROUTE_WITHDRAW:
		if (sn->cfg.role == AERO_ROLE_SERVER) {
			struct aero_prefix p = {.prefix = ev->prefix, .plen = ev->plen};
			rib_update(s, sn->idx, ev->type == AERO_EV_ROUTE_ANNOUNCE, &p);
		}
		break;
	default:
		break;
	}
}

/* Take every output of sn; re-arm its timer event. */
static void
node_drain(struct sim *s, struct snode *sn)
{
	struct aero_out o;
	char line[512];
	while (aero_node_poll(sn->n, &o) == 1) {
		if (s->log || s->trace)
			sim_logf(s, sn->name, "%s", aero_out_format(&o, line, sizeof line));
		if (o.kind == AERO_OUT_PACKET) {
			if (o.pi.side == AERO_SIDE_UNDERLAY)
				send_underlay(s, sn, &o);
			else if (s->on_tunnel)
				s->on_tunnel(s, sn->idx, o.data, o.len, s->now,
				             s->on_tunnel_user);
			continue;
		}
		handle_event(s, sn, &o.ev);
		if (s->on_event)
			s->on_event(s, sn->idx, &o.ev, s->now, s->on_event_user);
	}
	aero_tstamp d = aero_node_deadline(sn->n);
	if (d == sn->tpending)
		return;
	sn->tgen++;
	sn->tpending = d;
	if (d == AERO_TSTAMP_NONE)
		return;
	struct sev *e = sev_new(s, SEV_TIMER, d);
	e->node = sn->idx;
	e->gen = sn->tgen;
	sev_push(s, e);
}

/* ---- lifecycle ------------------------------------------------------------------ */

static void
dns_free(gpointer p)
{
	struct dns_entry *d = p;
	g_free(d->peers);
	g_free(d);
}

struct sim *
sim_new(uint64_t seed)
{
	struct sim *s = g_new0(struct sim, 1);
	s->seed = seed;
	s->rng = seed;
	s->heap = g_ptr_array_new();
	s->nodes = g_ptr_array_new();
	s->by_loc = g_hash_table_new(loc_hash, loc_equal);
	s->link_default.delay = 1 * AERO_MS;
	s->links = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	s->pair_down = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	s->dns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, dns_free);
	s->rib = g_tree_new_full(rib_cmp, NULL, g_free, NULL);
	s->bgp_delay = 10 * AERO_MS;
	s->dns_delay = 1 * AERO_MS;
	s->cb.rand = node_rand_cb;
	s->cb.log = node_log_cb;
	const char *t = g_getenv("AERO_SIM_TRACE");
	s->trace = t && *t && strcmp(t, "0") != 0;
	return s;
}

void
sim_free(struct sim *s)
{
	if (!s)
		return;
	struct sev *e;
	while ((e = sev_pop(s)))
		sev_free(e);
	g_ptr_array_free(s->heap, TRUE);
	for (guint i = 0; i < s->nodes->len; i++) {
		struct snode *sn = SN(s, (int)i);
		aero_node_free(sn->n);
		g_free(sn->name);
		g_free(sn);
	}
	g_ptr_array_free(s->nodes, TRUE);
	g_hash_table_destroy(s->by_loc);
	g_hash_table_destroy(s->links);
	g_hash_table_destroy(s->pair_down);
	g_hash_table_destroy(s->dns);
	g_tree_destroy(s->rib);
	if (s->log)
		g_string_free(s->log, TRUE);
	g_free(s);
}

int
sim_add(struct sim *s, const struct aero_config *cfg, const char *name)
{
	g_assert(s && cfg);
	if (node_at(s, &cfg->self))
		return -1;
	struct snode *sn = g_new0(struct snode, 1);
	sn->s = s;
	sn->idx = (int)s->nodes->len;
	sn->name = g_strdup(name ? name : "node");
	sn->cfg = *cfg;
	sn->up = true;
	sn->loc = cfg->self;
	uint64_t st = s->seed ^ (0x5851f42d4c957f2dull * (uint64_t)(sn->idx + 1));
	sn->rng = splitmix64(&st);
	sn->tpending = AERO_TSTAMP_NONE;
	if (aero_node_new(&sn->n, cfg, &s->cb, sn, s->now) != 0) {
		g_free(sn->name);
		g_free(sn);
		return -1;
	}
	g_ptr_array_add(s->nodes, sn);
	g_hash_table_insert(s->by_loc, &sn->loc, sn);
	sim_logf(s, sn->name, "add %s", aero_role_name(cfg->role));
	node_drain(s, sn);
	return sn->idx;
}

int
sim_count(const struct sim *s)
{
	return (int)s->nodes->len;
}

aero_node *
sim_node(struct sim *s, int i)
{
	return SN(s, i)->n;
}

const char *
sim_name(const struct sim *s, int i)
{
	return SN(s, i)->name;
}

const struct aero_config *
sim_config(const struct sim *s, int i)
{
	return &SN(s, i)->cfg;
}

int
sim_find(const struct sim *s, const char *name)
{
	for (guint i = 0; i < s->nodes->len; i++)
		if (strcmp(SN(s, (int)i)->name, name) == 0)
			return (int)i;
	return -1;
}

bool
sim_is_up(const struct sim *s, int i)
{
	return SN(s, i)->up;
}

const struct aero_loc *
sim_locator(const struct sim *s, int i)
{
	return &SN(s, i)->loc;
}

void
sim_link_default(struct sim *s, const struct sim_link *l)
{
	s->link_default = *l;
}

void
sim_link_set(struct sim *s, int a, int b, const struct sim_link *l)
{
	guint64 *k = g_new(guint64, 1);
	*k = pair_key(a, b);
	g_hash_table_replace(s->links, k, g_memdup2(l, sizeof *l));
}

void
sim_node_up(struct sim *s, int i, bool up)
{
	struct snode *sn = SN(s, i);
	if (sn->up == up)
		return;
	sn->up = up;
	sim_logf(s, sn->name, "%s", up ? "up" : "down");
	if (sn->cfg.role == AERO_ROLE_SERVER)
		bgp_session(s, i, up);
}

void
sim_pair_up(struct sim *s, int a, int b, bool up)
{
	guint64 *k = g_new(guint64, 1);
	*k = a < b ? pair_key(a, b) : pair_key(b, a);
	if (up) {
		g_hash_table_remove(s->pair_down, k);
		g_free(k);
	} else {
		g_hash_table_replace(s->pair_down, k, GINT_TO_POINTER(1));
	}
}

void
sim_restart(struct sim *s, int i)
{
	struct snode *sn = SN(s, i);
	sim_logf(s, sn->name, "restart");
	if (sn->cfg.role == AERO_ROLE_SERVER) {
		/* the BGP session drops: withdraw everything it announced */
		if (sn->up)
			bgp_session(s, i, false);
		struct rib_key lo = {.server = i};
		GPtrArray *gone = g_ptr_array_new();
		GTreeNode *tn = g_tree_lower_bound(s->rib, &lo);
		for (; tn; tn = g_tree_node_next(tn)) {
			struct rib_key *k = g_tree_node_key(tn);
			if (k->server != i)
				break;
			g_ptr_array_add(gone, k);
		}
		for (guint j = 0; j < gone->len; j++)
			g_tree_remove(s->rib, g_ptr_array_index(gone, j));
		g_ptr_array_free(gone, TRUE);
	}
	aero_node_free(sn->n);
	sn->n = NULL;
	sn->tgen++;
	sn->tpending = AERO_TSTAMP_NONE;
	struct aero_config cfg = sn->cfg;
	cfg.self = sn->loc;
	int rc = aero_node_new(&sn->n, &cfg, &s->cb, sn, s->now);
	g_assert_cmpint(rc, ==, 0);
	node_drain(s, sn);
	if (sn->cfg.role == AERO_ROLE_RELAY ||
	    (sn->cfg.role == AERO_ROLE_SERVER && !s->bgp_no_servers))
		bgp_resync(s, i);
}

void
sim_drain(struct sim *s, int i)
{
	node_drain(s, SN(s, i));
}

void
sim_move(struct sim *s, int i, const struct aero_loc *loc)
{
	struct snode *sn = SN(s, i);
	char b[64];
	g_assert(!node_at(s, loc) || node_at(s, loc) == sn);
	g_hash_table_remove(s->by_loc, &sn->loc);
	sn->loc = *loc;
	g_hash_table_insert(s->by_loc, &sn->loc, sn);
	sim_logf(s, sn->name, "move %s", aero_loc_format(loc, b, sizeof b));
	aero_node_set_locator(sn->n, loc, s->now);
	node_drain(s, sn);
}

void
sim_dns_add(struct sim *s, const char *name, const struct aero_peer *p,
            size_t n)
{
	struct dns_entry *d = g_new0(struct dns_entry, 1);
	d->peers = n ? g_memdup2(p, n * sizeof *p) : NULL;
	d->n = n;
	g_hash_table_replace(s->dns, g_strdup(name), d);
}

void
sim_set_bgp_delay(struct sim *s, aero_duration d)
{
	s->bgp_delay = d;
}

struct rib_count {
	const struct sim *s;
	struct aero_prefix p;
	int n;
};

static gboolean
rib_count_fn(gpointer key, gpointer val, gpointer user)
{
	(void)val;
	const struct rib_key *k = key;
	struct rib_count *c = user;
	if (k->pfx.plen == c->p.plen &&
	    memcmp(k->pfx.prefix.b, c->p.prefix.b, 16) == 0 &&
	    SN(c->s, k->server)->up)
		c->n++;
	return FALSE;
}

int
sim_rib_count(const struct sim *s, const struct aero_prefix *p)
{
	struct rib_count c = {.s = s, .p = *p};
	g_tree_foreach(s->rib, rib_count_fn, &c);
	return c.n;
}

void
sim_set_bgp_to_servers(struct sim *s, bool on)
{
	s->bgp_no_servers = !on;
}

/* a packet for node i at time at: injected on its tunnel side, or reported
 * as sent by a host fast path */
static void
push_node_packet(struct sim *s, enum sev_kind kind, int i, const uint8_t *pkt,
                 size_t len, aero_tstamp at)
{
	struct sev *e = sev_new(s, kind, at);
	e->node = i;
	e->data = g_memdup2(pkt, len);
	e->len = len;
	sev_push(s, e);
}

void
sim_inject_tunnel(struct sim *s, int i, const uint8_t *pkt, size_t len,
                  aero_tstamp at)
{
	push_node_packet(s, SEV_INJECT, i, pkt, len, at);
}

void
sim_fastpath_sent(struct sim *s, int i, const uint8_t *pkt, size_t len,
                  aero_tstamp at)
{
	push_node_packet(s, SEV_FP_SENT, i, pkt, len, at);
}

void
sim_on_tunnel(struct sim *s, sim_tunnel_fn fn, void *user)
{
	s->on_tunnel = fn;
	s->on_tunnel_user = user;
}

void
sim_on_underlay(struct sim *s, sim_underlay_fn fn, void *user)
{
	s->on_underlay = fn;
	s->on_underlay_user = user;
}

void
sim_inject_underlay(struct sim *s, const struct aero_pktinfo *pi,
                    const uint8_t *pkt, size_t len, aero_tstamp at)
{
	struct sev *e = sev_new(s, SEV_PKT, at);
	e->pi = *pi;
	e->data = g_memdup2(pkt, len);
	e->len = len;
	sev_push(s, e);
}

void
sim_on_event(struct sim *s, sim_event_fn fn, void *user)
{
	s->on_event = fn;
	s->on_event_user = user;
}

void
sim_on_step(struct sim *s, sim_step_fn fn, void *user)
{
	s->on_step = fn;
	s->on_step_user = user;
}

void
sim_at(struct sim *s, aero_tstamp at, void (*fn)(struct sim *, void *),
       void *user)
{
	struct sev *e = sev_new(s, SEV_ACTION, at);
	e->fn = fn;
	e->user = user;
	sev_push(s, e);
}

/* ---- the run loop ---------------------------------------------------------------- */

static void
deliver(struct sim *s, struct sev *e)
{
	struct snode *to = node_at(s, &e->pi.dst);
	if (!to) {
		s->stats.undeliverable++;
		return;
	}
	if (!to->up || (e->from >= 0 && pair_is_down(s, e->from, to->idx))) {
		s->stats.lost++;
		return;
	}
	s->stats.delivered++;
	struct aero_pktinfo pi = e->pi; /* src, dst, tclass, ttl, flow label */
	pi.side = AERO_SIDE_UNDERLAY;
	pi.ifindex = 0;
	aero_node_recv(to->n, &pi, e->data, e->len, s->now);
	node_drain(s, to);
}

static void
run_one(struct sim *s, struct sev *e)
{
	s->now = e->at;
	switch (e->kind) {
	case SEV_PKT:
		deliver(s, e);
		break;
	case SEV_TIMER: {
		struct snode *sn = SN(s, e->node);
		if (e->gen != sn->tgen)
			break;
		sn->tpending = AERO_TSTAMP_NONE;
		aero_node_timeout(sn->n, s->now);
		node_drain(s, sn);
		break;
	}
	case SEV_ACTION:
		e->fn(s, e->user);
		break;
	case SEV_NAME: {
		struct snode *sn = SN(s, e->node);
		struct dns_entry *d = g_hash_table_lookup(s->dns, e->name);
		sim_logf(s, sn->name, "dns %s -> %zu", e->name, d ? d->n : 0);
		aero_node_name_answer(sn->n, e->name, d ? d->peers : NULL,
		                      d ? d->n : 0, s->now);
		node_drain(s, sn);
		break;
	}
	case SEV_INJECT: {
		struct snode *sn = SN(s, e->node);
		struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL};
		aero_node_recv(sn->n, &pi, e->data, e->len, s->now);
		node_drain(s, sn);
		break;
	}
	case SEV_FP_SENT: {
		struct snode *sn = SN(s, e->node);
		aero_node_fastpath_sent(sn->n, e->data, e->len, s->now);
		node_drain(s, sn);
		break;
	}
	case SEV_BGP:
		bgp_apply(s, e);
		break;
	}
}

/* Process the next event if it is due at or before limit. */
static bool
step(struct sim *s, aero_tstamp limit)
{
	if (s->heap->len == 0 || SEV(s, 0)->at > limit)
		return false;
	struct sev *e = sev_pop(s);
	run_one(s, e);
	sev_free(e);
	if (s->on_step)
		s->on_step(s, s->now, s->on_step_user);
	return true;
}

void
sim_run_until(struct sim *s, aero_tstamp t)
{
	while (step(s, t))
		;
	if (t > s->now)
		s->now = t;
}

bool
sim_run_cond(struct sim *s, aero_tstamp limit,
             bool (*cond)(struct sim *, void *), void *user)
{
	if (cond(s, user))
		return true;
	while (step(s, limit))
		if (cond(s, user))
			return true;
	if (limit > s->now)
		s->now = limit;
	return cond(s, user);
}

aero_tstamp
sim_now(const struct sim *s)
{
	return s->now;
}

void
sim_keep_log(struct sim *s, bool on)
{
	if (on && !s->log)
		s->log = g_string_new(NULL);
	else if (!on && s->log) {
		g_string_free(s->log, TRUE);
		s->log = NULL;
	}
}

const GString *
sim_log(const struct sim *s)
{
	return s->log;
}

void
sim_note(struct sim *s, const char *text)
{
	sim_logf(s, "test", "%s", text);
}

const struct sim_stats *
sim_stats(const struct sim *s)
{
	return &s->stats;
}

size_t
sim_build_udp(uint8_t *buf, size_t cap, const struct aero_in6 *src,
              const struct aero_in6 *dst, uint16_t sport, uint16_t dport,
              const uint8_t *payload, size_t plen)
{
	size_t off = AERO_IPV6_HDR_LEN + AERO_UDP_HDR_LEN;
	g_assert(cap >= off + plen);
	memmove(buf + off, payload, plen);
	struct aero_ip_pseudo ps = {.family = 6, .src = *src, .dst = *dst};
	struct aero_udp u = {.src_port = sport, .dst_port = dport,
	                     .payload = buf + off, .payload_len = plen};
	int k = aero_wire_udp_encode(buf + AERO_IPV6_HDR_LEN,
	                             cap - AERO_IPV6_HDR_LEN, &u, &ps, 0);
	g_assert_cmpint(k, >, 0);
	struct aero_ipv6 h = {.next_header = 17, .hop_limit = 64, .src = *src,
	                      .dst = *dst, .payload_len = (size_t)k};
	int r = aero_wire_ipv6_encode(buf, cap, &h);
	g_assert_cmpint(r, >, 0);
	return (size_t)r;
}
