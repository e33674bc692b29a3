/*
 * tests/sim/topo.c -- standard AERO topologies and the delegation tracker
 * (see topo.h).
 */
#include "topo.h"

#include <stdio.h>
#include <string.h>

static const uint8_t topo_key[20] = "aero-sim-icv-key-20b";

void
topo_relay_cfg(struct aero_config *cfg)
{
	aero_config_default(cfg, AERO_ROLE_RELAY);
	cfg->self = aero_loc_v4(192, 0, 2, 1, 8060);
	cfg->id = 1;
	aero_in6_parse(&cfg->aggregates[0].prefix, "2001:db8::");
	cfg->aggregates[0].plen = 32;
	cfg->n_aggregates = 1;
}

static void
link_common(const struct topo_cfg *tc, struct aero_config *cfg)
{
	if (tc->profile == AERO_PROFILE_P2) {
		cfg->profile = AERO_PROFILE_P2;
		if (tc->icv) {
			memcpy(cfg->icv_key, topo_key, sizeof topo_key);
			cfg->icv_key_len = sizeof topo_key;
		}
	}
}

static struct aero_peer
server_peer(int k)
{
	struct aero_peer p = {aero_loc_v4(192, 0, 2, (uint8_t)(10 + k), 8060),
	                      (uint32_t)(10 + k)};
	return p;
}

void
topo_server_cfg(const struct topo_cfg *tc, int k, struct aero_config *cfg)
{
	aero_config_default(cfg, AERO_ROLE_SERVER);
	link_common(tc, cfg);
	struct aero_peer me = server_peer(k);
	cfg->self = me.loc;
	cfg->id = me.id;
	memset(&cfg->pools[0], 0, sizeof cfg->pools[0]);
	aero_in6_parse(&cfg->pools[0].prefix, "2001:db8::");
	cfg->pools[0].prefix.b[4] = (uint8_t)(k + 1);
	cfg->pools[0].plen = 40;
	cfg->pools[0].deleg_len = tc->deleg_len ? tc->deleg_len : 56;
	cfg->n_pools = 1;
	if (tc->vltime)
		cfg->vltime = tc->vltime;
	if (tc->pltime)
		cfg->pltime = tc->pltime;
	cfg->t1 = tc->t1;
	cfg->t2 = tc->t2;
	if (tc->relay) {
		struct aero_config rc;
		topo_relay_cfg(&rc);
		cfg->relays[0].loc = rc.self;
		cfg->relays[0].id = rc.id;
		cfg->n_relays = 1;
	}
}

void
topo_client_cfg(const struct topo_cfg *tc, int i, struct aero_config *cfg)
{
	aero_config_default(cfg, AERO_ROLE_CLIENT);
	link_common(tc, cfg);
	cfg->self = aero_loc_v4(10, (uint8_t)(1 + i / 62500),
	                        (uint8_t)(i / 250 % 250), (uint8_t)(1 + i % 250),
	                        (uint16_t)(40000 + i % 1000));
	cfg->model = tc->model;
	cfg->n_downstream = tc->n_downstream;
	cfg->rapid_commit = !tc->four_msg;
	if (tc->client_dns || tc->n_servers == 0) {
		snprintf(cfg->prl_name, sizeof cfg->prl_name,
		         "linkupnetworks.example.net");
		return;
	}
	for (int j = 0; j < tc->n_servers && j < AERO_MAX_PRL; j++)
		cfg->prl[j] = server_peer((i + j) % tc->n_servers);
	cfg->n_prl = (size_t)(tc->n_servers < AERO_MAX_PRL ? tc->n_servers
	                                                   : AERO_MAX_PRL);
}

/* ---- tracker ----------------------------------------------------------------- */

static gchar *
pkey(const struct aero_prefix *p)
{
	char b[64];
	return g_strdup(topo_pfx_str(p, b, sizeof b));
}

const char *
topo_pfx_str(const struct aero_prefix *p, char *buf, size_t cap)
{
	char a[64];
	snprintf(buf, cap, "%s/%u", aero_in6_format(&p->prefix, a, sizeof a),
	         p->plen);
	return buf;
}

static void
track_drop(struct topo *t, int node)
{
	struct aero_prefix *c = &t->cur[node];
	if (c->plen == 0)
		return;
	gchar *k = pkey(c);
	if (GPOINTER_TO_INT(g_hash_table_lookup(t->owner, k)) == node + 1)
		g_hash_table_remove(t->owner, k);
	g_free(k);
	memset(c, 0, sizeof *c);
}

static void
track_event(struct sim *s, int node, const struct aero_event *ev,
            aero_tstamp now, void *user)
{
	struct topo *t = user;
	if (sim_config(s, node)->role == AERO_ROLE_CLIENT) {
		struct aero_prefix p = {.prefix = ev->prefix, .plen = ev->plen};
		char b[64];
		switch (ev->type) {
		case AERO_EV_PREFIX_DELEGATED: {
			t->delegated++;
			track_drop(t, node);
			gchar *k = pkey(&p);
			int other = GPOINTER_TO_INT(g_hash_table_lookup(t->owner, k)) - 1;
			if (other >= 0 && other != node) {
				t->double_bound++;
				g_string_append_printf(t->violations,
				    "%llu ns: %s delegated to %s while %s holds it\n",
				    (unsigned long long)now, topo_pfx_str(&p, b, sizeof b),
				    sim_name(s, node), sim_name(s, other));
			}
			g_hash_table_replace(t->owner, k, GINT_TO_POINTER(node + 1));
			t->cur[node] = p;
			break;
		}
		case AERO_EV_PREFIX_RENEWED:
			t->renewed++;
			if (t->cur[node].plen != p.plen ||
			    memcmp(t->cur[node].prefix.b, p.prefix.b, 16) != 0)
				g_string_append_printf(t->violations,
				    "%llu ns: %s renewed %s it does not hold\n",
				    (unsigned long long)now, sim_name(s, node),
				    topo_pfx_str(&p, b, sizeof b));
			break;
		case AERO_EV_PREFIX_LOST:
			t->lost++;
			track_drop(t, node);
			break;
		default:
			break;
		}
	}
	if (t->ev_fn)
		t->ev_fn(s, node, ev, now, t->ev_user);
}

/* ---- test traffic ------------------------------------------------------------- */

static void
track_tunnel(struct sim *s, int node, const uint8_t *pkt, size_t len,
             aero_tstamp now, void *user)
{
	(void)s;
	struct topo *t = user;
	if (len < 52 || pkt[6] != 17 || pkt[42] != TOPO_PORT >> 8 ||
	    pkt[43] != (TOPO_PORT & 0xff))
		return;
	struct topo_arrival a = {.node = node, .at = now, .hop_limit = pkt[7]};
	a.seq = (uint32_t)pkt[48] << 24 | (uint32_t)pkt[49] << 16 |
	        (uint32_t)pkt[50] << 8 | pkt[51];
	g_array_append_val(t->arrivals, a);
}

void
topo_send(struct topo *t, int node, const struct aero_in6 *src,
          const struct aero_in6 *dst, uint32_t seq, aero_tstamp at)
{
	uint8_t buf[128], pl[8] = {(uint8_t)(seq >> 24), (uint8_t)(seq >> 16),
	                           (uint8_t)(seq >> 8), (uint8_t)seq};
	size_t len = sim_build_udp(buf, sizeof buf, src, dst, 5555, TOPO_PORT,
	                           pl, sizeof pl);
	sim_inject_tunnel(t->s, node, buf, len,
	                  at == AERO_TSTAMP_NONE ? sim_now(t->s) : at);
}

unsigned
topo_arrived(struct topo *t, int node)
{
	unsigned k = 0;
	for (guint i = 0; i < t->arrivals->len; i++)
		k += node < 0 || g_array_index(t->arrivals, struct topo_arrival, i).node == node;
	return k;
}

struct aero_in6
topo_addr1(const struct aero_prefix *p)
{
	struct aero_in6 a = p->prefix;
	a.b[15] |= 1;
	return a;
}

/* ---- topology ------------------------------------------------------------------ */

static void
grow_cur(struct topo *t)
{
	int n = sim_count(t->s);
	t->cur = g_renew(struct aero_prefix, t->cur, (gsize)n + 1);
	memset(&t->cur[n], 0, sizeof t->cur[n]);
}

struct topo *
topo_new(const struct topo_cfg *tc, uint64_t seed)
{
	struct topo *t = g_new0(struct topo, 1);
	t->c = *tc;
	t->s = sim_new(seed);
	t->owner = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	t->violations = g_string_new(NULL);
	t->cur = g_new0(struct aero_prefix, 1);
	t->relay = -1;
	if (tc->link.delay)
		sim_link_default(t->s, &tc->link);
	if (tc->bgp_relay_only)
		sim_set_bgp_to_servers(t->s, false);
	sim_on_event(t->s, track_event, t);
	t->arrivals = g_array_new(FALSE, FALSE, sizeof(struct topo_arrival));
	sim_on_tunnel(t->s, track_tunnel, t);
	struct aero_config cfg;
	if (tc->relay) {
		topo_relay_cfg(&cfg);
		link_common(tc, &cfg);
		t->relay = sim_add(t->s, &cfg, "relay");
		g_assert_cmpint(t->relay, >=, 0);
		grow_cur(t);
	}
	g_assert_cmpint(tc->n_servers, <=, TOPO_MAX_SERVERS);
	struct aero_peer prl[TOPO_MAX_SERVERS];
	for (int k = 0; k < tc->n_servers; k++) {
		char name[32];
		snprintf(name, sizeof name, "server%d", k);
		topo_server_cfg(tc, k, &cfg);
		t->server[k] = sim_add(t->s, &cfg, name);
		g_assert_cmpint(t->server[k], >=, 0);
		grow_cur(t);
		prl[k] = server_peer(k);
	}
	sim_dns_add(t->s, "linkupnetworks.example.net", prl, (size_t)tc->n_servers);
	t->n_clients = tc->n_clients;
	t->client = g_new(int, (gsize)tc->n_clients + 1);
	for (int i = 0; i < tc->n_clients; i++) {
		t->client[i] = -1;
		if (!tc->no_client_start)
			topo_add_client(t, i);
	}
	return t;
}

void
topo_add_client(struct topo *t, int i)
{
	struct aero_config cfg;
	char name[32];
	g_assert_cmpint(i, <, t->n_clients);
	snprintf(name, sizeof name, "client%d", i);
	topo_client_cfg(&t->c, i, &cfg);
	grow_cur(t); /* before sim_add: the first events come from inside it */
	t->client[i] = sim_add(t->s, &cfg, name);
	g_assert_cmpint(t->client[i], >=, 0);
}

void
topo_free(struct topo *t)
{
	if (!t)
		return;
	sim_free(t->s);
	g_hash_table_destroy(t->owner);
	g_string_free(t->violations, TRUE);
	g_free(t->cur);
	g_free(t->client);
	g_array_free(t->arrivals, TRUE);
	g_free(t);
}

void
topo_on_event(struct topo *t, sim_event_fn fn, void *user)
{
	t->ev_fn = fn;
	t->ev_user = user;
}

bool
topo_prefix(struct topo *t, int i, struct aero_prefix *p)
{
	int node = t->client[i];
	if (node < 0)
		return false;
	struct aero_prefix q;
	int have = aero_node_client_prefix(sim_node(t->s, node), &q);
	const struct aero_prefix *c = &t->cur[node];
	g_assert_cmpint(have, ==, c->plen != 0);
	if (!have)
		return false;
	g_assert_cmpuint(q.plen, ==, c->plen);
	g_assert_cmpmem(q.prefix.b, 16, c->prefix.b, 16);
	if (p)
		*p = q;
	return true;
}

int
topo_n_bound(struct topo *t)
{
	int k = 0;
	for (int i = 0; i < t->n_clients; i++)
		k += topo_prefix(t, i, NULL);
	return k;
}

bool
topo_all_bound(struct sim *s, void *user)
{
	(void)s;
	struct topo *t = user;
	return topo_n_bound(t) == t->n_clients;
}

int
topo_announce_errors(struct topo *t, GString *why)
{
	int bad = 0;
	for (int i = 0; i < t->n_clients; i++) {
		struct aero_prefix p;
		if (!topo_prefix(t, i, &p))
			continue;
		int n = sim_rib_count(t->s, &p);
		if (n == 1)
			continue;
		bad++;
		if (why) {
			char b[64];
			g_string_append_printf(why, "client%d %s announced by %d Servers\n",
			                       i, topo_pfx_str(&p, b, sizeof b), n);
		}
	}
	return bad;
}
