/*
 * core/src/node.c -- aero_node: the public API, role dispatch, the output
 * queue, the timer heap, counters, logging and the inner receive pipeline.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "node.h"
#include "nexthop.h"
#include "p2.h"
#include "ro.h"

const struct aero_in6 in6_all_nodes = {{0xff, 0x02, [15] = 1}};
const struct aero_in6 in6_all_routers = {{0xff, 0x02, [15] = 2}};
const struct aero_in6 in6_dhcp_agents = {{0xff, 0x02, [13] = 1, [15] = 2}};
const struct aero_in6 in6_any;

static const char *const counter_names[] = {
#define C(name, help) #name,
#include "counters.def"
#undef C
};

/* ---- small public helpers ------------------------------------------------ */

const char *
aero_strerror(int err)
{
	switch (err) {
	case 0: return "ok";
	case AERO_ERR_INVAL: return "invalid argument";
	case AERO_ERR_STATE: return "not allowed in this role or state";
	case AERO_ERR_FULL: return "table full";
	default: return "unknown error";
	}
}

const char *
aero_role_name(enum aero_role r)
{
	switch (r) {
	case AERO_ROLE_CLIENT: return "client";
	case AERO_ROLE_SERVER: return "server";
	case AERO_ROLE_RELAY: return "relay";
	}
	return "unknown";
}

const char *
aero_model_name(enum aero_model m)
{
	switch (m) {
	case AERO_MODEL_HOST: return "host";
	case AERO_MODEL_ROUTER: return "router";
	case AERO_MODEL_HYBRID: return "hybrid";
	}
	return "unknown";
}

static const char *const event_names[AERO_EV__COUNT] = {
	[AERO_EV_STATE] = "state",
	[AERO_EV_NAME_QUERY] = "name-query",
	[AERO_EV_PREFIX_DELEGATED] = "prefix-delegated",
	[AERO_EV_PREFIX_RENEWED] = "prefix-renewed",
	[AERO_EV_PREFIX_LOST] = "prefix-lost",
	[AERO_EV_ADDR_ADD] = "addr-add",
	[AERO_EV_ADDR_DEL] = "addr-del",
	[AERO_EV_ROUTE_ADD] = "route-add",
	[AERO_EV_ROUTE_DEL] = "route-del",
	[AERO_EV_ROUTE_ANNOUNCE] = "route-announce",
	[AERO_EV_ROUTE_WITHDRAW] = "route-withdraw",
	[AERO_EV_NEIGHBOR_UP] = "neighbor-up",
	[AERO_EV_NEIGHBOR_DOWN] = "neighbor-down",
	[AERO_EV_RO_UP] = "ro-up",
	[AERO_EV_RO_DOWN] = "ro-down",
	[AERO_EV_HANDOVER] = "handover",
	[AERO_EV_BINDING] = "binding",
	[AERO_EV_DROP] = "drop",
};

const char *
aero_event_name(enum aero_event_type t)
{
	if ((unsigned)t >= AERO_EV__COUNT)
		return "unknown";
	return event_names[t];
}

struct aero_loc
aero_loc_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct aero_loc l = {.family = 4, .port = port};
	l.ip[0] = a; l.ip[1] = b; l.ip[2] = c; l.ip[3] = d;
	return l;
}

struct aero_loc
aero_loc_v6(const struct aero_in6 *ip, uint16_t port)
{
	struct aero_loc l = {.family = 6, .port = port};
	memcpy(l.ip, ip->b, 16);
	return l;
}

bool
aero_loc_equal(const struct aero_loc *a, const struct aero_loc *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	return memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

const char *
aero_loc_format(const struct aero_loc *l, char *buf, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	if (l->family == 4) {
		inet_ntop(AF_INET, l->ip, ip, sizeof ip);
		snprintf(buf, cap, "%s:%u", ip, l->port);
	} else if (l->family == 6) {
		inet_ntop(AF_INET6, l->ip, ip, sizeof ip);
		snprintf(buf, cap, "[%s]:%u", ip, l->port);
	} else {
		snprintf(buf, cap, "-");
	}
	return buf;
}

int
aero_loc_parse(struct aero_loc *out, const char *s, uint16_t default_port)
{
	char tmp[64];
	const char *port = NULL;
	struct aero_loc l = {0};
	if (!out || !s || strlen(s) >= sizeof tmp)
		return AERO_ERR_INVAL;
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || (size_t)(e - s - 1) >= sizeof tmp)
			return AERO_ERR_INVAL;
		memcpy(tmp, s + 1, (size_t)(e - s - 1));
		tmp[e - s - 1] = 0;
		if (e[1] == ':')
			port = e + 2;
		else if (e[1] != 0)
			return AERO_ERR_INVAL;
		l.family = 6;
		if (inet_pton(AF_INET6, tmp, l.ip) != 1)
			return AERO_ERR_INVAL;
	} else {
		strcpy(tmp, s);
		char *c = strchr(tmp, ':');
		if (c && strchr(c + 1, ':') == NULL) { /* a.b.c.d:port */
			*c = 0;
			port = s + (c - tmp) + 1;
		}
		if (inet_pton(AF_INET, tmp, l.ip) == 1)
			l.family = 4;
		else if (!port && inet_pton(AF_INET6, s, l.ip) == 1)
			l.family = 6;
		else
			return AERO_ERR_INVAL;
	}
	l.port = default_port;
	if (port) {
		char *end;
		unsigned long p = strtoul(port, &end, 10);
		if (*port == 0 || *end != 0 || p > 65535)
			return AERO_ERR_INVAL;
		l.port = (uint16_t)p;
	}
	*out = l;
	return 0;
}

const char *
aero_in6_format(const struct aero_in6 *a, char *buf, size_t cap)
{
	if (!inet_ntop(AF_INET6, a->b, buf, (socklen_t)cap))
		snprintf(buf, cap, "?");
	return buf;
}

int
aero_in6_parse(struct aero_in6 *out, const char *s)
{
	return inet_pton(AF_INET6, s, out->b) == 1 ? 0 : AERO_ERR_INVAL;
}

/* ---- configuration -------------------------------------------------------- */

void
aero_config_default(struct aero_config *c, enum aero_role role)
{
	memset(c, 0, sizeof *c);
	c->role = role;
	c->profile = AERO_PROFILE_P1;
	c->mtu = 1280;
	c->replay_window = AERO_SEAL_REPLAY_WINDOW;
	c->model = AERO_MODEL_HOST;
	c->rapid_commit = true;
	c->iaid = 1;
	c->rs_mrt = 3600 * AERO_SEC;
	c->vltime = 7200;
	c->pltime = 3600;
	c->grace = AERO_TSTAMP_NONE;
	c->ra_lifetime = 1800;
	c->reachable_time = 30 * AERO_SEC;
	c->retrans_timer = 1 * AERO_SEC;
	c->forward_time = 30 * AERO_SEC;
	c->accept_time = 40 * AERO_SEC;
	c->keepalive_time = 5 * AERO_SEC;
	c->max_retry = 3;
	if (role == AERO_ROLE_CLIENT)
		c->self.port = 0;
	else
		c->self.port = 8060;
}

static int
config_check(const struct aero_config *c, const char **why)
{
	if (c->role > AERO_ROLE_RELAY)
		return *why = "unknown role", -1;
	if (c->profile != AERO_PROFILE_P1 && c->profile != AERO_PROFILE_P2)
		return *why = "profile must be P1 or P2", -1;
	if (c->self.family != 4 && c->self.family != 6)
		return *why = "own locator (self) not set", -1;
	if (c->mtu < 1280)
		return *why = "MTU below the IPv6 minimum 1280", -1;
	if (c->icv_key_len > sizeof c->icv_key)
		return *why = "ICV key longer than 20 bytes", -1;
	if (c->replay_window > 64)
		return *why = "replay window above 64", -1;
	if (c->role != AERO_ROLE_CLIENT && c->id == 0)
		return *why = "Server/Relay needs a non-zero link-local ID", -1;
	if (c->role == AERO_ROLE_CLIENT) {
		if (c->n_prl > AERO_MAX_PRL)
			return *why = "too many PRL entries", -1;
		if (c->n_prl == 0 && c->prl_name[0] == 0)
			return *why = "Client needs a PRL or a PRL name", -1;
		if (c->model > AERO_MODEL_HYBRID)
			return *why = "unknown client model", -1;
		if (c->n_downstream > AERO_MAX_DOWNSTREAM)
			return *why = "too many downstream links", -1;
		if (c->duid_len > AERO_MAX_DUID)
			return *why = "DUID too long", -1;
		if (c->hint.plen > 128)
			return *why = "hint prefix length above 128", -1;
	}
	if (c->role == AERO_ROLE_SERVER) {
		if (c->n_pools > AERO_MAX_POOLS || c->n_relays > AERO_MAX_RELAYS)
			return *why = "too many pools or relays", -1;
		if (c->n_pools == 0 && !c->dhcp_relay)
			return *why = "Server needs a prefix pool or dhcp_relay", -1;
		for (size_t i = 0; i < c->n_pools; i++)
			if (c->pools[i].plen > c->pools[i].deleg_len ||
			    c->pools[i].deleg_len > 128 ||
			    c->pools[i].deleg_len - c->pools[i].plen > 40)
				return *why = "pool: need plen <= deleg_len <= 128 and at most 2^40 prefixes", -1;
		if (c->pltime > c->vltime)
			return *why = "preferred lifetime above valid lifetime", -1;
	}
	if (c->role == AERO_ROLE_RELAY && c->n_aggregates > AERO_MAX_AGGREGATES)
		return *why = "too many aggregates", -1;
	return 0;
}

/* ---- logging, drops, randomness ------------------------------------------- */

void
node_log(const struct aero_node *n, int level, const char *fmt, ...)
{
	if (!n->cb->log)
		return;
	char msg[512];
	char self[64];
	int k = snprintf(msg, sizeof msg, "%llu.%06llu %s %s: ",
	                 (unsigned long long)(n->now / AERO_SEC),
	                 (unsigned long long)(n->now % AERO_SEC / AERO_US),
	                 n->ops->name,
	                 aero_loc_format(&n->cfg.self, self, sizeof self));
	va_list ap;
	va_start(ap, fmt);
	if (k > 0 && (size_t)k < sizeof msg)
		vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
	va_end(ap);
	n->cb->log(level, msg, n->user);
}

void
node_drop(struct aero_node *n, enum node_counter c, const char *func,
          const char *why)
{
	n->cnt[c]++;
	NLOG(n, LOG_DEBUG_, "%s: drop (%s): %s", func, counter_names[c], why);
	if (n->cfg.drop_events) {
		struct aero_event ev = {.type = AERO_EV_DROP,
		                        .name = counter_names[c]};
		out_event(n, &ev);
	}
}

uint32_t
node_rand32(struct aero_node *n)
{
	uint8_t b[4];
	n->cb->rand(b, sizeof b, n->user);
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

uint64_t
node_rand_below(struct aero_node *n, uint64_t bound)
{
	if (bound <= 1)
		return 0;
	uint8_t b[8];
	n->cb->rand(b, sizeof b, n->user);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v % bound;
}

aero_duration
node_jitter(struct aero_node *n, aero_duration d, double lo, double hi)
{
	/* d * (1 + U(lo, hi)) with a 2^-24 resolution */
	double u = (double)(node_rand32(n) >> 8) / (double)(1u << 24);
	double f = 1.0 + lo + (hi - lo) * u;
	if (f < 0)
		f = 0;
	return (aero_duration)((double)d * f);
}

/* ---- timers (intrusive binary min-heap) ------------------------------------ */

#define HEAP(n, i) ((struct tmr *)g_ptr_array_index((n)->heap, (i)))

static void
heap_swap(struct aero_node *n, size_t i, size_t j)
{
	gpointer *pd = n->heap->pdata;
	gpointer t = pd[i];
	pd[i] = pd[j];
	pd[j] = t;
	HEAP(n, i)->hidx = i;
	HEAP(n, j)->hidx = j;
}

static void
heap_up(struct aero_node *n, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (HEAP(n, p)->when <= HEAP(n, i)->when)
			break;
		heap_swap(n, i, p);
		i = p;
	}
}

static void
heap_down(struct aero_node *n, size_t i)
{
	size_t len = n->heap->len;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < len && HEAP(n, l)->when < HEAP(n, m)->when)
			m = l;
		if (r < len && HEAP(n, r)->when < HEAP(n, m)->when)
			m = r;
		if (m == i)
			break;
		heap_swap(n, i, m);
		i = m;
	}
}

void
tmr_init(struct tmr *t, tmr_fn fn)
{
	t->when = AERO_TSTAMP_NONE;
	t->hidx = SIZE_MAX;
	t->fn = fn;
}

void
tmr_cancel(struct aero_node *n, struct tmr *t)
{
	if (t->hidx == SIZE_MAX)
		return;
	size_t i = t->hidx, last = n->heap->len - 1;
	if (i != last) {
		heap_swap(n, i, last);
		g_ptr_array_set_size(n->heap, (guint)last);
		heap_down(n, i);
		heap_up(n, i);
	} else {
		g_ptr_array_set_size(n->heap, (guint)last);
	}
	t->hidx = SIZE_MAX;
	t->when = AERO_TSTAMP_NONE;
}

void
tmr_set(struct aero_node *n, struct tmr *t, aero_tstamp when)
{
	g_assert(t->fn != NULL);
	if (when == AERO_TSTAMP_NONE) {
		tmr_cancel(n, t);
		return;
	}
	if (t->hidx != SIZE_MAX) {
		aero_tstamp old = t->when;
		t->when = when;
		if (when < old)
			heap_up(n, t->hidx);
		else
			heap_down(n, t->hidx);
		return;
	}
	t->when = when;
	t->hidx = n->heap->len;
	g_ptr_array_add(n->heap, t);
	heap_up(n, t->hidx);
}

void
tmr_set_in(struct aero_node *n, struct tmr *t, aero_duration d)
{
	aero_tstamp w = n->now + d;
	if (w < n->now) /* overflow: effectively never */
		w = AERO_TSTAMP_NONE - 1;
	tmr_set(n, t, w);
}

/* ---- output queue ----------------------------------------------------------- */

struct outq_item {
	struct outq_item *next;
	struct aero_out o;
	size_t cap;
	uint8_t data[];
};

/* Outputs are recycled: items of up to OUTQ_SLOT bytes come from a small
 * per-node free list, so a busy node does not call malloc per packet. */
#define OUTQ_SLOT 2048
#define OUTQ_FREE_MAX 64

static struct outq_item *
outq_new(struct aero_node *n, size_t len)
{
	struct outq_item *it;
	if (len <= OUTQ_SLOT && n->oq_free) {
		it = n->oq_free;
		n->oq_free = it->next;
		n->oq_nfree--;
	} else {
		size_t cap = len <= OUTQ_SLOT ? OUTQ_SLOT : len;
		it = g_malloc(sizeof *it + cap);
		it->cap = cap;
	}
	memset(&it->o, 0, sizeof it->o);
	it->next = NULL;
	if (n->oq_tail)
		n->oq_tail->next = it;
	else
		n->oq_head = it;
	n->oq_tail = it;
	return it;
}

static void
outq_recycle(struct aero_node *n, struct outq_item *it)
{
	if (it->cap == OUTQ_SLOT && n->oq_nfree < OUTQ_FREE_MAX) {
		it->next = n->oq_free;
		n->oq_free = it;
		n->oq_nfree++;
	} else {
		g_free(it);
	}
}

void
out_underlay(struct aero_node *n, const struct aero_loc *dst, uint16_t sport,
             uint8_t tclass, uint8_t ttl, uint32_t flow_label,
             const uint8_t *hdr, size_t hlen, const uint8_t *payload,
             size_t len)
{
	struct outq_item *it = outq_new(n, hlen + len);
	if (hlen)
		memcpy(it->data, hdr, hlen);
	if (len)
		memcpy(it->data + hlen, payload, len);
	it->o.kind = AERO_OUT_PACKET;
	it->o.pi.side = AERO_SIDE_UNDERLAY;
	it->o.pi.src = n->cfg.self;
	if (sport)
		it->o.pi.src.port = sport;
	it->o.pi.dst = *dst;
	it->o.pi.tclass = tclass;
	it->o.pi.ttl = ttl;
	it->o.pi.flow_label = dst->family == 6 ? flow_label : 0;
	it->o.data = it->data;
	it->o.len = hlen + len;
	COUNT(n, tx_underlay);
	COUNT_ADD(n, tx_underlay_bytes, hlen + len);
}

void
out_tunnel(struct aero_node *n, uint32_t ifindex, const uint8_t *pkt,
           size_t len)
{
	struct outq_item *it = outq_new(n, len);
	memcpy(it->data, pkt, len);
	it->o.kind = AERO_OUT_PACKET;
	it->o.pi.side = AERO_SIDE_TUNNEL;
	it->o.pi.ifindex = ifindex;
	it->o.data = it->data;
	it->o.len = len;
	COUNT(n, tx_tunnel);
}

void
out_event(struct aero_node *n, const struct aero_event *ev)
{
	size_t nl = ev->name ? strlen(ev->name) + 1 : 0;
	struct outq_item *it = outq_new(n, nl);
	it->o.kind = AERO_OUT_EVENT;
	it->o.ev = *ev;
	if (nl) {
		memcpy(it->data, ev->name, nl);
		it->o.ev.name = (const char *)it->data;
	}
}

void
out_event_simple(struct aero_node *n, enum aero_event_type t, const char *name)
{
	struct aero_event ev = {.type = t, .name = name};
	out_event(n, &ev);
}

void
out_state(struct aero_node *n, const char *state)
{
	NLOG(n, LOG_INFO_, "state %s", state);
	out_event_simple(n, AERO_EV_STATE, state);
}

static void
release_polled(struct aero_node *n)
{
	if (n->polled)
		outq_recycle(n, n->polled);
	n->polled = NULL;
}

int
aero_node_poll(aero_node *n, struct aero_out *out)
{
	if (!n || !out)
		return AERO_ERR_INVAL;
	release_polled(n);
	struct outq_item *it = n->oq_head;
	if (!it)
		return 0;
	n->oq_head = it->next;
	if (!n->oq_head)
		n->oq_tail = NULL;
	n->polled = it;
	*out = it->o;
	return 1;
}

/* ---- lifecycle --------------------------------------------------------------- */

/* ---- hashing (shared by every table of the core) ---------------------------- */

uint64_t
in6_mix(const struct aero_in6 *a, uint64_t seed)
{
	/* two 64-bit words, multiply-xorshift: tables keyed by addresses are
	 * probed on every packet, keep it cheap */
	uint64_t x, y;
	memcpy(&x, a->b, 8);
	memcpy(&y, a->b + 8, 8);
	uint64_t h = ((x ^ seed) * 0x9e3779b97f4a7c15ull) ^ (y * 0xc2b2ae3d27d4eb4full);
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

guint
in6_hash(gconstpointer p)
{
	return (guint)in6_mix(p, 0);
}

gboolean
in6_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, 16) == 0;
}

uint64_t
hash_bytes(uint64_t seed, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ull), w;
	for (; len >= 8; b += 8, len -= 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	if (len > 0) {
		w = 0;
		for (size_t i = 0; i < len; i++)
			w = w << 8 | b[i];
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 32);
}


int
aero_node_new(aero_node **out, const struct aero_config *cfg,
              const struct aero_callbacks *cb, void *user, aero_tstamp now)
{
	const char *why = NULL;
	if (!out || !cfg || !cb || !cb->rand)
		return AERO_ERR_INVAL;
	*out = NULL;
	if (config_check(cfg, &why) < 0) {
		if (cb->log) {
			char msg[160];
			snprintf(msg, sizeof msg, "aero_node_new: bad configuration: %s", why);
			cb->log(LOG_ERR_, msg, user);
		}
		return AERO_ERR_INVAL;
	}
	struct aero_node *n = g_new0(struct aero_node, 1);
	n->cfg = *cfg;
	if (n->cfg.max_neighbors == 0)
		n->cfg.max_neighbors = 2000000;
	if (n->cfg.max_bindings == 0)
		n->cfg.max_bindings = 2000000;
	if (n->cfg.max_routes == 0)
		n->cfg.max_routes = 4000000;
	if (n->cfg.max_ro == 0)
		n->cfg.max_ro = 65536;
	n->cb = cb;
	n->user = user;
	n->now = now;
	n->heap = g_ptr_array_new();
	n->nc = g_hash_table_new(in6_hash, in6_equal);
	n->nc_loc = g_hash_table_new(nce_loc_hash, nce_loc_equal);
	n->ndctx.link = AERO_ND_LINK_AERO;
	n->ndctx.pio_mode = cfg->pio_x ? AERO_PIO_MODE_PIO_X : AERO_PIO_MODE_RFC9762_P;
	switch (cfg->role) {
	case AERO_ROLE_CLIENT: n->ops = &client_ops; break;
	case AERO_ROLE_SERVER: n->ops = &server_ops; break;
	case AERO_ROLE_RELAY: n->ops = &relay_ops; break;
	}
	if (cfg->role != AERO_ROLE_CLIENT)
		aero_addr_server_ll(&n->ll, cfg->id);
	ro_init(n);
	if (cfg->role != AERO_ROLE_CLIENT)
		nexthop_init(n);
	n->ops->start(n);
	*out = n;
	return 0;
}

static void
free_nce(gpointer key, gpointer val, gpointer user)
{
	(void)key;
	struct aero_node *n = user;
	struct nce *e = val;
	tmr_cancel(n, &e->t_nud);
	g_free(e);
}

static void
free_fib_entry(gpointer p)
{
	g_free(p);
}

void
aero_node_free(aero_node *n)
{
	if (!n)
		return;
	n->ops->destroy(n);
	ro_free(n);
	nexthop_free(n);
	g_hash_table_foreach(n->nc, free_nce, n);
	g_hash_table_destroy(n->nc);
	g_hash_table_destroy(n->nc_loc);
	for (int l = 0; l <= 128; l++)
		if (n->fib_len[l]) {
			GHashTableIter it;
			gpointer k, v;
			g_hash_table_iter_init(&it, n->fib_len[l]);
			while (g_hash_table_iter_next(&it, &k, &v))
				free_fib_entry(v);
			g_hash_table_destroy(n->fib_len[l]);
		}
	g_ptr_array_free(n->heap, TRUE);
	release_polled(n);
	for (struct outq_item *it = n->oq_head, *nx; it; it = nx) {
		nx = it->next;
		g_free(it);
	}
	for (struct outq_item *it = n->oq_free, *nx; it; it = nx) {
		nx = it->next;
		g_free(it);
	}
	g_free(n);
}

static int
enter(struct aero_node *n, aero_tstamp now)
{
	if (now < n->now)
		return AERO_ERR_INVAL;
	n->now = now;
	release_polled(n);
	return 0;
}

/* ---- inner receive pipeline ------------------------------------------------- */

int
build_nd(uint8_t *buf, size_t cap, const struct aero_in6 *src,
         const struct aero_in6 *dst, uint8_t hop_limit,
         const struct aero_nd_msg *m)
{
	if (cap < AERO_IPV6_HDR_LEN)
		return -1;
	int k = aero_wire_nd_encode(buf + AERO_IPV6_HDR_LEN,
	                            cap - AERO_IPV6_HDR_LEN, m, src, dst);
	if (k < 0)
		return -1;
	struct aero_ipv6 h = {.next_header = 58, .hop_limit = hop_limit,
	                      .src = *src, .dst = *dst,
	                      .payload_len = (size_t)k};
	return aero_wire_ipv6_encode(buf, cap, &h);
}

int
build_udp(uint8_t *buf, size_t cap, const struct aero_in6 *src,
          const struct aero_in6 *dst, uint8_t hop_limit, uint16_t sport,
          uint16_t dport, const uint8_t *payload, size_t plen)
{
	size_t off = AERO_IPV6_HDR_LEN + AERO_UDP_HDR_LEN;
	if (cap < off + plen)
		return -1;
	memmove(buf + off, payload, plen);
	struct aero_ip_pseudo ps = {.family = 6, .src = *src, .dst = *dst};
	struct aero_udp u = {.src_port = sport, .dst_port = dport,
	                     .payload = buf + off, .payload_len = plen};
	int k = aero_wire_udp_encode(buf + AERO_IPV6_HDR_LEN,
	                             cap - AERO_IPV6_HDR_LEN, &u, &ps, 0);
	if (k < 0)
		return -1;
	struct aero_ipv6 h = {.next_header = 17, .hop_limit = hop_limit,
	                      .src = *src, .dst = *dst,
	                      .payload_len = (size_t)k};
	return aero_wire_ipv6_encode(buf, cap, &h);
}

uint32_t
node_flow_hash(const uint8_t *pkt, size_t len)
{
	struct aero_flow_tuple t;
	if (aero_wire_flow_tuple(&t, pkt, len) < 0)
		return 0;
	return aero_wire_flow_label(&t);
}

/* Fill rx from an inner IPv6 packet; false when it does not decode. */
static bool
rx_parse(struct rxctx *rx, const uint8_t *pkt, size_t len)
{
	rx->pkt = pkt;
	rx->len = len;
	int k = aero_wire_ipv6_decode(&rx->ip6, pkt, len);
	if (k < 0)
		return false;
	rx->len = (size_t)k; /* trailing bytes are not part of the packet */
	if (aero_wire_ipv6_upper(&rx->ip6, &rx->proto, &rx->l4, &rx->l4len) < 0) {
		rx->proto = 0xff; /* non-first fragment: data only */
		rx->l4 = NULL;
		rx->l4len = 0;
	}
	return true;
}

static void
rx_control_or_data(struct aero_node *n, struct rxctx *rx)
{
	/* ICMPv6 ND (RFC 4861): hop limit 255 (digest 8.5), checksum */
	if (rx->proto == 58 && rx->l4len >= 1 && rx->l4[0] >= 133 &&
	    rx->l4[0] <= 137) {
		struct aero_nd_msg m;
		if (rx->ip6.hop_limit != 255) {
			DROP(n, drop_nd_hoplimit, "hop limit not 255");
			return;
		}
		if (aero_wire_nd_decode(&m, rx->l4, rx->l4len, &n->ndctx,
		                        &rx->ip6.src, &rx->ip6.dst) < 0) {
			DROP(n, drop_nd_malformed, "ND does not decode");
			return;
		}
		n->ops->rx_nd(n, rx, &m);
		return;
	}
	if (rx->proto == 17 && rx->l4len >= AERO_UDP_HDR_LEN) {
		uint16_t dport = (uint16_t)(rx->l4[2] << 8 | rx->l4[3]);
		bool dhcp = dport == 546 || dport == 547;
		bool ro = dport == 8060 && in6_is_ll(&rx->ip6.dst);
		if (dhcp || ro) {
			struct aero_udp u;
			struct aero_ip_pseudo ps = {.family = 6,
			                            .src = rx->ip6.src,
			                            .dst = rx->ip6.dst};
			if (aero_wire_udp_decode(&u, rx->l4, rx->l4len, &ps, 0) < 0) {
				DROP(n, drop_udp_malformed, "inner UDP");
				return;
			}
			if (dhcp)
				n->ops->rx_dhcp6(n, rx, u.payload, u.payload_len);
			else
				ro_rx(n, rx, u.payload, u.payload_len);
			return;
		}
	}
	n->ops->rx_data(n, rx);
}

/* P2: SRS/SRA/SNS/SNA are ND messages without an inner IPv6 header
 * (digest 3.11); they reach the role's rx_nd with the sender's link-local
 * taken from its neighbour entry (:: when unknown) and this node's own
 * link-local as destination. SPD/SRD go to route optimisation, errors to
 * the role. */
static void
rx_scmp(struct aero_node *n, struct rxctx *rx, struct aero_scmp_msg *sm)
{
	if (sm->type >= 133 && sm->type <= 136) {
		rx->ip6.src = rx->nb ? rx->nb->ll : in6_any;
		rx->ip6.dst = n->ll;
		rx->ip6.hop_limit = 255;
		rx->proto = 58;
		n->ops->rx_nd(n, rx, &sm->nd);
	} else if (sm->type == 137) {
		ro_rx_scmp(n, rx, sm);
	} else {
		n->ops->rx_scmp(n, rx, sm);
	}
}

int
node_send_nd(struct aero_node *n, struct nce *nb, const struct aero_loc *dst,
             const struct aero_in6 *src, const struct aero_in6 *to,
             const struct aero_nd_msg *m)
{
	uint8_t buf[INNER_MAX];
	int k;
	if (n->cfg.profile == AERO_PROFILE_P2) {
		struct aero_scmp_msg sm = {.type = m->type};
		sm.nd = *m;
		k = aero_wire_scmp_encode(buf, sizeof buf, &sm);
		if (k < 0) {
			NLOG(n, LOG_ERR_, "%s: SCMP encode failed: %s", __func__,
			     aero_wire_strerror(k));
			return -1;
		}
		return tunnel_send_scmp(n, nb, dst, buf, (size_t)k);
	}
	k = build_nd(buf, sizeof buf, src, to, 255, m);
	if (k < 0) {
		NLOG(n, LOG_ERR_, "%s: ND encode failed", __func__);
		return -1;
	}
	return node_send_ctl(n, nb, dst, buf, (size_t)k);
}

int
node_send_ctl(struct aero_node *n, struct nce *nb, const struct aero_loc *dst,
              const uint8_t *pkt, size_t len)
{
	COUNT(n, tx_control);
	COUNT_ADD(n, tx_control_bytes, len);
	if (nb && nb->loc.family)
		return tunnel_send(n, nb, pkt, len, NULL);
	if (!dst || dst->family == 0) {
		DROP(n, drop_no_neighbor, "control packet without a locator");
		return -1;
	}
	return tunnel_send_loc(n, dst, pkt, len);
}

int
node_send_udp(struct aero_node *n, struct nce *nb, const struct aero_loc *dst,
              const struct aero_in6 *src, const struct aero_in6 *to,
              uint8_t hop_limit, uint16_t sport, uint16_t dport,
              const uint8_t *payload, size_t plen)
{
	uint8_t buf[INNER_MAX + 64];
	int k = build_udp(buf, sizeof buf, src, to, hop_limit, sport, dport,
	                  payload, plen);
	if (k < 0) {
		NLOG(n, LOG_ERR_, "%s: UDP packet of %zu bytes does not fit",
		     __func__, plen);
		return -1;
	}
	return node_send_ctl(n, nb, dst, buf, (size_t)k);
}

static void
rx_underlay(struct aero_node *n, const struct aero_pktinfo *pi,
            const uint8_t *pkt, size_t len)
{
	struct rxctx rx = {.pi = pi, .from_underlay = true};
	const uint8_t *inner = pkt;
	size_t ilen = len;
	COUNT(n, rx_underlay);
	COUNT_ADD(n, rx_underlay_bytes, len);
	if (n->cfg.profile == AERO_PROFILE_P2) {
		struct aero_scmp_msg sm;
		int r = tunnel_unwrap(n, pi, pkt, len, &rx, &inner, &ilen, &sm);
		if (r < 0)
			return; /* counted */
		if (r == 1) { /* SCMP */
			if (rx.icv_link_key) {
				DROP(n, drop_bad_icv, "link-wide key from a neighbour with its own key");
				return;
			}
			rx_scmp(n, &rx, &sm);
			return;
		}
	} else if (len >= 1 && (pkt[0] >> 4) != 6) {
		DROP(n, drop_not_p2, "P1 expects an inner IPv6 packet");
		return;
	}
	if (!rx_parse(&rx, inner, ilen)) {
		DROP(n, drop_inner_malformed, "inner IPv6");
		return;
	}
	if (rx.icv_link_key && !p2_is_registration(&rx)) {
		DROP(n, drop_bad_icv, "link-wide key from a neighbour with its own key");
		return;
	}
	rx.nb = nce_lookup(n, &rx.ip6.src);
	rx_control_or_data(n, &rx);
}

int
aero_node_recv(aero_node *n, const struct aero_pktinfo *pi,
               const uint8_t *pkt, size_t len, aero_tstamp now)
{
	if (!n || !pi || (!pkt && len))
		return AERO_ERR_INVAL;
	if (enter(n, now) < 0)
		return AERO_ERR_INVAL;
	COUNT(n, rx_packets);
	if (pi->side == AERO_SIDE_UNDERLAY) {
		rx_underlay(n, pi, pkt, len);
		return 0;
	}
	struct rxctx rx = {.pi = pi, .from_underlay = false};
	COUNT(n, rx_tunnel);
	if (!rx_parse(&rx, pkt, len)) {
		DROP(n, drop_tunnel_malformed, "tunnel-side packet");
		return 0;
	}
	n->ops->tx_data(n, &rx);
	return 0;
}

int
aero_node_timeout(aero_node *n, aero_tstamp now)
{
	if (!n || enter(n, now) < 0)
		return AERO_ERR_INVAL;
	/* A callback that re-arms at or before now runs again in this loop;
	 * the bound stops a buggy zero-interval timer from hanging the host. */
	size_t guard = 4 * (size_t)n->heap->len + 100000;
	while (n->heap->len > 0 && HEAP(n, 0)->when <= now && guard-- > 0) {
		struct tmr *t = HEAP(n, 0);
		tmr_cancel(n, t);
		t->fn(n, t);
	}
	return 0;
}

aero_tstamp
aero_node_deadline(const aero_node *n)
{
	if (!n || n->heap->len == 0)
		return AERO_TSTAMP_NONE;
	return ((struct tmr *)g_ptr_array_index(n->heap, 0))->when;
}

int
aero_node_name_answer(aero_node *n, const char *name,
                      const struct aero_peer *peers, size_t n_peers,
                      aero_tstamp now)
{
	if (!n || !name || (n_peers && !peers) || enter(n, now) < 0)
		return AERO_ERR_INVAL;
	if (nexthop_answer(n, name, peers, n_peers) == 0)
		return 0;
	if (!n->ops->name_answer)
		return AERO_ERR_STATE;
	return n->ops->name_answer(n, name, peers, n_peers);
}

int
aero_node_set_locator(aero_node *n, const struct aero_loc *loc,
                      aero_tstamp now)
{
	if (!n || !loc || (loc->family != 4 && loc->family != 6) ||
	    enter(n, now) < 0)
		return AERO_ERR_INVAL;
	if (!n->ops->set_locator)
		return AERO_ERR_STATE;
	return n->ops->set_locator(n, loc);
}

int
aero_node_route_update(aero_node *n, bool add, const struct aero_prefix *p,
                       const struct aero_peer *server, aero_tstamp now)
{
	if (!n || !p || !server || p->plen > 128 || enter(n, now) < 0)
		return AERO_ERR_INVAL;
	if (!n->ops->route_update)
		return AERO_ERR_STATE;
	return n->ops->route_update(n, add, p, server);
}

int
aero_node_shutdown(aero_node *n, aero_tstamp now)
{
	if (!n || enter(n, now) < 0)
		return AERO_ERR_INVAL;
	if (!n->ops->shutdown)
		return 0;
	return n->ops->shutdown(n);
}

int
aero_node_bindings(const aero_node *n,
                   void (*fn)(const struct aero_binding_rec *b, void *user),
                   void *user)
{
	if (!n || !fn)
		return AERO_ERR_INVAL;
	if (!n->ops->bindings)
		return AERO_ERR_STATE;
	return n->ops->bindings(n, fn, user);
}

int
aero_node_binding_import(aero_node *n, const struct aero_binding_rec *b,
                         aero_tstamp now)
{
	if (!n || !b || b->duid_len < 3 || b->duid_len > AERO_MAX_DUID ||
	    b->prefix.plen > 128 || (b->loc.family != 4 && b->loc.family != 6) ||
	    enter(n, now) < 0)
		return AERO_ERR_INVAL;
	if (!n->ops->binding_import)
		return AERO_ERR_STATE;
	return n->ops->binding_import(n, b);
}

/* ---- introspection ------------------------------------------------------------ */

uint64_t
aero_node_counter(const aero_node *n, const char *name)
{
	if (!n || !name)
		return 0;
	for (size_t i = 0; i < CNT__COUNT; i++)
		if (strcmp(counter_names[i], name) == 0)
			return n->cnt[i];
	return 0;
}

const char *
aero_node_counter_at(const aero_node *n, size_t i, uint64_t *val)
{
	if (!n || i >= CNT__COUNT)
		return NULL;
	if (val)
		*val = n->cnt[i];
	return counter_names[i];
}

enum aero_role
aero_node_role(const aero_node *n)
{
	return n->cfg.role;
}

int
aero_node_client_prefix(const aero_node *n, struct aero_prefix *p)
{
	if (!n || !p || !n->ops->client_prefix)
		return 0;
	return n->ops->client_prefix(n, p);
}

/* ---- the fast-path export (aero.h) ------------------------------------------------ */

static void
fp_fib_route(struct aero_node *n, struct fib_entry *e, void *arg)
{
	struct aero_fastpath *fp = arg;
	if (fp->n_routes >= AERO_FP_MAX_ROUTES) {
		/* an incomplete table would route by a shorter prefix */
		fp->enabled = false;
		return;
	}
	struct aero_fp_route *r = &fp->routes[fp->n_routes++];
	r->dst = e->prefix;
	r->dst_len = e->plen;
	r->action = AERO_FP_SLOW;
	if (e->n_nh != 1)
		return; /* ECMP: the core hashes the flow */
	const struct fib_nh *nh = &e->nh[0];
	const struct nce *nb;
	switch (nh->kind) {
	case NH_NEIGHBOR:
		nb = nce_lookup(n, &nh->ll);
		if (nb && nb->loc.family && nb->state != NCE_UNREACHABLE) {
			r->action = AERO_FP_TUNNEL;
			r->loc = nb->loc;
		}
		break;
	case NH_LOCAL:
		r->action = AERO_FP_DELIVER;
		break;
	case NH_TUNNEL: /* the AERO interface (0) or downstream link k */
		r->action = AERO_FP_DELIVER;
		r->ifindex = nh->ifindex;
		break;
	case NH_BLACKHOLE:
		break;
	}
}

int
aero_node_fastpath(const aero_node *cn, struct aero_fastpath *fp)
{
	if (!cn || !fp)
		return AERO_ERR_INVAL;
	struct aero_node *n = (struct aero_node *)cn; /* read only */
	memset(fp, 0, sizeof *fp);
	if (!n->ops->fastpath)
		return 0;
	fp->enabled = true;
	fp->mtu = n->cfg.mtu;
	fp->self = n->cfg.self;
	n->ops->fastpath(n, fp); /* the role's routes come first */
	if (fp->enabled)
		fib_foreach(n, fp_fib_route, fp);
	if (!fp->enabled) /* nothing half-filled for the host */
		memset(fp, 0, sizeof *fp);
	return 0;
}

int
aero_node_fastpath_sent(aero_node *n, const uint8_t *pkt, size_t len,
                        aero_tstamp now)
{
	if (!n || !pkt || len < AERO_IPV6_HDR_LEN || (pkt[0] >> 4) != 6)
		return AERO_ERR_INVAL;
	if (enter(n, now) != 0)
		return AERO_ERR_INVAL;
	if (!n->ops->fastpath_sent)
		return 0;
	/* only the addresses matter to the bookkeeping; the bytes are kept as
	 * the quoted header of keepalives (a truncated packet, as RHO allows) */
	struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL};
	struct rxctx rx = {.pi = &pi, .pkt = pkt, .len = len, .proto = pkt[6]};
	rx.ip6.next_header = pkt[6];
	rx.ip6.hop_limit = pkt[7];
	memcpy(rx.ip6.src.b, pkt + 8, 16);
	memcpy(rx.ip6.dst.b, pkt + 24, 16);
	n->ops->fastpath_sent(n, &rx);
	return 0;
}

static void
js_key(GString *js, const char *key, bool comma)
{
	if (comma)
		g_string_append_c(js, ',');
	if (key)
		g_string_append_printf(js, "\"%s\":", key);
}

void
js_str(GString *js, const char *key, const char *val, bool comma)
{
	js_key(js, key, comma);
	g_string_append_c(js, '"');
	for (const char *p = val; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\')
			g_string_append_printf(js, "\\%c", c);
		else if (c < 0x20)
			g_string_append_printf(js, "\\u%04x", c);
		else
			g_string_append_c(js, (char)c);
	}
	g_string_append_c(js, '"');
}

void
js_u64(GString *js, const char *key, uint64_t v, bool comma)
{
	js_key(js, key, comma);
	g_string_append_printf(js, "%llu", (unsigned long long)v);
}

void
js_in6(GString *js, const char *key, const struct aero_in6 *a, bool comma)
{
	char b[64];
	js_str(js, key, aero_in6_format(a, b, sizeof b), comma);
}

void
js_loc(GString *js, const char *key, const struct aero_loc *l, bool comma)
{
	char b[64];
	js_str(js, key, aero_loc_format(l, b, sizeof b), comma);
}

void
js_prefix(GString *js, const char *key, const struct aero_in6 *p,
          uint8_t plen, bool comma)
{
	char b[64], c[72];
	snprintf(c, sizeof c, "%s/%u", aero_in6_format(p, b, sizeof b), plen);
	js_str(js, key, c, comma);
}

static void
dump_nce(struct aero_node *n, struct nce *e, void *arg)
{
	(void)n;
	GString *js = arg;
	if (js->str[js->len - 1] != '[')
		g_string_append_c(js, ',');
	g_string_append_c(js, '{');
	js_in6(js, "ll", &e->ll, false);
	js_loc(js, "loc", &e->loc, true);
	js_str(js, "state", nce_state_name[e->state], true);
	js_str(js, "kind", nce_kind_name[e->kind], true);
	g_string_append_c(js, '}');
}

static void
dump_route(struct aero_node *n, struct fib_entry *e, void *arg)
{
	(void)n;
	static const char *const kinds[] = {"neighbor", "tunnel", "blackhole",
	                                    "local"};
	GString *js = arg;
	if (js->str[js->len - 1] != '[')
		g_string_append_c(js, ',');
	g_string_append_c(js, '{');
	js_prefix(js, "prefix", &e->prefix, e->plen, false);
	g_string_append(js, ",\"nh\":[");
	for (unsigned i = 0; i < e->n_nh; i++) {
		g_string_append(js, i ? ",{" : "{");
		js_str(js, "kind", kinds[e->nh[i].kind], false);
		if (e->nh[i].kind == NH_NEIGHBOR)
			js_in6(js, "via", &e->nh[i].ll, true);
		g_string_append_c(js, '}');
	}
	g_string_append(js, "]}");
}

char *
aero_node_dump_json(const aero_node *cn)
{
	struct aero_node *n = (struct aero_node *)cn; /* iteration only */
	if (!n)
		return NULL;
	GString *js = g_string_new("{");
	js_str(js, "role", aero_role_name(n->cfg.role), false);
	js_in6(js, "ll", &n->ll, true);
	js_loc(js, "locator", &n->cfg.self, true);
	js_u64(js, "now_ns", n->now, true);
	n->ops->dump(n, js);
	g_string_append(js, ",\"neighbors\":[");
	nce_foreach(n, dump_nce, js);
	g_string_append(js, "],\"routes\":[");
	fib_foreach(n, dump_route, js);
	g_string_append(js, "]");
	ro_dump(n, js);
	g_string_append(js, ",\"counters\":{");
	for (size_t i = 0; i < CNT__COUNT; i++)
		js_u64(js, counter_names[i], n->cnt[i], i > 0);
	g_string_append(js, "}}");
	return g_string_free(js, FALSE);
}

const char *
aero_out_format(const struct aero_out *o, char *buf, size_t cap)
{
	char a[64], b[64], c[64];
	if (o->kind == AERO_OUT_PACKET) {
		if (o->pi.side == AERO_SIDE_UNDERLAY)
			snprintf(buf, cap, "packet underlay %s -> %s len %zu tc %u ttl %u",
			         aero_loc_format(&o->pi.src, a, sizeof a),
			         aero_loc_format(&o->pi.dst, b, sizeof b), o->len,
			         o->pi.tclass, o->pi.ttl);
		else
			snprintf(buf, cap, "packet tunnel if %u len %zu",
			         o->pi.ifindex, o->len);
		return buf;
	}
	const struct aero_event *e = &o->ev;
	snprintf(buf, cap, "event %s%s%s prefix %s/%u src %s/%u addr %s loc %s vl %u pl %u rk %d if %u",
	         aero_event_name(e->type), e->name ? " " : "",
	         e->name ? e->name : "",
	         aero_in6_format(&e->prefix, a, sizeof a), e->plen,
	         aero_in6_format(&e->src_prefix, c, sizeof c), e->src_plen,
	         aero_in6_format(&e->addr, b, sizeof b),
	         aero_loc_format(&e->loc, (char[64]){0}, 64), e->vltime,
	         e->pltime, (int)e->rkind, e->ifindex);
	return buf;
}

int
aero_out_frame(const struct aero_out *o, uint8_t *buf, size_t cap,
               uint16_t ip_id)
{
	if (!o || !buf || o->kind != AERO_OUT_PACKET ||
	    o->pi.side != AERO_SIDE_UNDERLAY)
		return AERO_ERR_INVAL;
	/* one outer header holds both addresses: same family, 4 or 6 */
	if ((o->pi.dst.family != 4 && o->pi.dst.family != 6) ||
	    o->pi.src.family != o->pi.dst.family)
		return AERO_ERR_INVAL;
	size_t hl = o->pi.dst.family == 4 ? 20 : 40;
	if (cap < hl + AERO_UDP_HDR_LEN + o->len)
		return AERO_ERR_INVAL;
	memcpy(buf + hl + AERO_UDP_HDR_LEN, o->data, o->len);
	struct aero_ip_pseudo ps = {.family = o->pi.dst.family};
	memcpy(ps.src.b, o->pi.src.ip, 16);
	memcpy(ps.dst.b, o->pi.dst.ip, 16);
	struct aero_udp u = {.src_port = o->pi.src.port, .dst_port = o->pi.dst.port,
	                     .payload = buf + hl + AERO_UDP_HDR_LEN,
	                     .payload_len = o->len};
	/* digest 8.6: zero UDP checksum over IPv4, computed over IPv6 */
	int k = aero_wire_udp_encode(buf + hl, cap - hl, &u, &ps,
	                             o->pi.dst.family == 4 ? AERO_UDP_F_ZERO_CSUM : 0);
	if (k < 0)
		return AERO_ERR_INVAL;
	int r;
	if (o->pi.dst.family == 4) {
		struct aero_ipv4 h = {.id = ip_id, .ttl = o->pi.ttl, .proto = 17,
		                      .dscp = o->pi.tclass >> 2,
		                      .ecn = o->pi.tclass & 3,
		                      .payload_len = (size_t)k};
		memcpy(h.src.b, o->pi.src.ip, 4);
		memcpy(h.dst.b, o->pi.dst.ip, 4);
		r = aero_wire_ipv4_encode(buf, cap, &h);
	} else {
		struct aero_ipv6 h = {.next_header = 17, .hop_limit = o->pi.ttl,
		                      .dscp = o->pi.tclass >> 2,
		                      .ecn = o->pi.tclass & 3,
		                      .flow_label = o->pi.flow_label & 0xfffff,
		                      .payload_len = (size_t)k};
		memcpy(h.src.b, o->pi.src.ip, 16);
		memcpy(h.dst.b, o->pi.dst.ip, 16);
		r = aero_wire_ipv6_encode(buf, cap, &h);
	}
	return r < 0 ? AERO_ERR_INVAL : r;
}
