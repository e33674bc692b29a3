/*
 * emu/aerod/lease.c -- a Server's bindings on disk, so that a crash loses
 * no answered delegation.
 *
 * On every binding change (AERO_EV_BINDING, ROUTE_ANNOUNCE / WITHDRAW)
 * lease_event() marks the file dirty; lease_flush(), called by main.c after
 * the events of one core call and BEFORE that call's packets are sent,
 * rewrites the whole file from aero_node_bindings() atomically: write
 * FILE.tmp, fsync, rename over FILE, fsync the folder. So a Reply leaves
 * only after its binding is on disk, and `kill -9` at any moment loses no
 * delegation that was answered.
 *
 * Format, one binding per line (text, sorted by prefix):
 *   PREFIX/LEN DUID-HEX IAID AERO-ADDR LOCATOR VALID-UNTIL PREFERRED-UNTIL
 * with the times in unix seconds (-1 = infinite).
 *
 * At start lease_load() reads the file back (before the core exists): it
 * drops expired lines and reconciles the BGP table (every lease present as
 * an unreachable route, nothing else), so BIRD keeps announcing across a
 * restart. lease_import() then hands every binding to the new core with
 * aero_node_binding_import() and the remaining lifetimes: neighbour entry,
 * route and announcement are back at once, and traffic to a restored Client
 * forwards without waiting for its Renew.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include "aerod.h"

struct lease {
	struct aero_binding_rec r;
	int64_t valid_until, pref_until; /* unix seconds; -1 = infinite */
};

static char *
key_of(const struct aero_in6 *p, unsigned plen)
{
	char a[64];
	return g_strdup_printf("%s/%u", aero_in6_format(p, a, sizeof a), plen);
}

void
lease_init(struct aerod *d)
{
	d->leases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

void
lease_free(struct aerod *d)
{
	if (d->leases)
		g_hash_table_destroy(d->leases);
	d->leases = NULL;
}

static int64_t
until(int64_t now, uint32_t lt)
{
	return lt == 0xffffffffu ? -1 : now + lt;
}

static uint32_t
remaining(int64_t now, int64_t t)
{
	if (t < 0)
		return 0xffffffffu;
	return t <= now ? 0 : (uint32_t)MIN(t - now, (int64_t)0xfffffffe);
}

struct wctx {
	FILE *f;
	int64_t now;
	unsigned count;
};

static void
write_one(const struct aero_binding_rec *b, void *user)
{
	struct wctx *w = user;
	char p[64], a[64], l[64];
	char duid[2 * AERO_MAX_DUID + 1];
	for (size_t i = 0; i < b->duid_len; i++)
		snprintf(duid + 2 * i, 3, "%02x", b->duid[i]);
	duid[2 * b->duid_len] = 0;
	/* P2: the Client's own ICV key (8th field, "-" when none), so that a
	 * restarted Server verifies it at once */
	char key[2 * sizeof b->icv_key + 1] = "-";
	for (size_t i = 0; i < b->icv_key_len && i < sizeof b->icv_key; i++)
		snprintf(key + 2 * i, 3, "%02x", b->icv_key[i]);
	fprintf(w->f, "%s/%u %s %u %s %s %lld %lld %s %u\n",
	        aero_in6_format(&b->prefix.prefix, p, sizeof p), b->prefix.plen,
	        b->duid_len ? duid : "-", b->iaid, aero_in6_format(&b->addr, a, sizeof a),
	        b->loc.family ? aero_loc_format(&b->loc, l, sizeof l) : "-",
	        (long long)until(w->now, b->vltime), (long long)until(w->now, b->pltime),
	        key, b->tx_id);
	w->count++;
}

/* Rewrite the whole file from the core's bindings. 0 or -1 (logged). */
static int
lease_write(struct aerod *d)
{
	char *tmp = g_strconcat(d->o.lease_path, ".tmp", NULL);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		g_warning("lease file %s: %s", tmp, g_strerror(errno));
		g_free(tmp);
		return -1;
	}
	struct wctx w = {.f = f, .now = time(NULL)};
	aero_node_bindings(d->node, write_one, &w);
	int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, d->o.lease_path) != 0) {
		g_warning("lease file %s: %s", d->o.lease_path, g_strerror(errno));
		unlink(tmp);
		g_free(tmp);
		return -1;
	}
	char *dir = g_path_get_dirname(d->o.lease_path);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	g_free(dir);
	g_free(tmp);
	d->lease_writes++;
	g_debug("lease file %s: %u bindings written", d->o.lease_path, w.count);
	return 0;
}

void
lease_event(struct aerod *d, const struct aero_event *e)
{
	/* after SIGTERM the Server withdraws its routes but its bindings stay
	 * valid: the file written before is what a restart must find */
	if (d->cfg.role != AERO_ROLE_SERVER || !d->o.lease_path ||
	    d->lease_importing || d->shutting_down)
		return;
	if (e->type == AERO_EV_BINDING || e->type == AERO_EV_ROUTE_ANNOUNCE ||
	    e->type == AERO_EV_ROUTE_WITHDRAW)
		d->lease_dirty = true;
}

void
lease_flush(struct aerod *d)
{
	if (!d->lease_dirty || !d->node)
		return;
	d->lease_dirty = false;
	lease_write(d);
}

static void
reconcile_one(struct aerod *d, const struct aero_in6 *p, unsigned plen,
              const struct aero_in6 *gw)
{
	(void)gw;
	char *key = key_of(p, plen);
	if (!g_hash_table_contains(d->leases, key)) {
		g_info("lease: %s in table %d has no lease: removed", key, d->o.table);
		rtnl_route(d, false, (unsigned)d->o.table, RTN_UNREACHABLE, p, plen, 0);
	}
	g_free(key);
}

static int
parse_hex(uint8_t *out, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = g_ascii_xdigit_value(s[2 * i]), lo = g_ascii_xdigit_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

static bool
parse_line(const char *line, struct lease *l)
{
	char pfx[64], duid[2 * AERO_MAX_DUID + 2], addr[64], loc[80], key[64] = "-";
	unsigned iaid;
	long long vu, pu;
	memset(l, 0, sizeof *l);
	unsigned txid = 0;
	int nf = sscanf(line, "%63s %261s %u %63s %79s %lld %lld %63s %u", pfx,
	                duid, &iaid, addr, loc, &vu, &pu, key, &txid);
	if (nf < 7) /* 7: files written before the P2 fields */
		return false;
	l->r.tx_id = txid;
	if (strcmp(key, "-") != 0) {
		int kl = parse_hex(l->r.icv_key, sizeof l->r.icv_key, key);
		if (kl != (int)sizeof l->r.icv_key)
			return false;
		l->r.icv_key_len = (size_t)kl;
	}
	char *slash = strchr(pfx, '/');
	if (!slash)
		return false;
	*slash = 0;
	char *end;
	long plen = strtol(slash + 1, &end, 10);
	int dl = parse_hex(l->r.duid, sizeof l->r.duid, duid);
	if (*end || plen < 0 || plen > 128 || dl < 0 ||
	    aero_in6_parse(&l->r.prefix.prefix, pfx) ||
	    aero_in6_parse(&l->r.addr, addr) ||
	    aero_loc_parse(&l->r.loc, loc, 8060))
		return false;
	l->r.prefix.plen = (uint8_t)plen;
	l->r.duid_len = (size_t)dl;
	l->r.iaid = iaid;
	l->valid_until = vu;
	l->pref_until = pu;
	return true;
}

int
lease_load(struct aerod *d, GError **err)
{
	if (d->cfg.role != AERO_ROLE_SERVER || !d->o.lease_path)
		return 0;
	char *text = NULL;
	GError *e2 = NULL;
	if (!g_file_get_contents(d->o.lease_path, &text, NULL, &e2)) {
		bool missing = g_error_matches(e2, G_FILE_ERROR, G_FILE_ERROR_NOENT);
		if (!missing)
			g_propagate_prefixed_error(err, e2, "lease file: ");
		else
			g_error_free(e2);
		if (missing && !d->o.no_netlink)
			rtnl_dump_table(d, (unsigned)d->o.table, reconcile_one);
		return missing ? 0 : -1;
	}
	char **lines = g_strsplit(text, "\n", -1);
	g_free(text);
	int64_t now = time(NULL);
	unsigned kept = 0, expired = 0, bad = 0;
	for (char **p = lines; *p; p++) {
		if (!**p)
			continue;
		struct lease l;
		if (!parse_line(*p, &l)) {
			g_warning("lease file %s: bad line '%s' ignored", d->o.lease_path, *p);
			bad++;
			continue;
		}
		if (l.valid_until >= 0 && l.valid_until <= now) {
			expired++;
			continue;
		}
		g_hash_table_insert(d->leases, key_of(&l.r.prefix.prefix, l.r.prefix.plen),
		                    g_memdup2(&l, sizeof l));
		if (!d->o.no_netlink)
			rtnl_route(d, true, (unsigned)d->o.table, RTN_UNREACHABLE,
			           &l.r.prefix.prefix, l.r.prefix.plen, 0);
		kept++;
	}
	g_strfreev(lines);
	if (!d->o.no_netlink)
		rtnl_dump_table(d, (unsigned)d->o.table, reconcile_one);
	g_message("lease file %s: %u bindings read, %u expired dropped, %u bad lines",
	          d->o.lease_path, kept, expired, bad);
	return 0;
}

void
lease_import(struct aerod *d)
{
	if (d->cfg.role != AERO_ROLE_SERVER || !d->o.lease_path || !d->leases)
		return;
	int64_t now = time(NULL);
	unsigned ok = 0, refused = 0;
	GHashTableIter it;
	gpointer k, v;
	d->lease_importing = true;
	g_hash_table_iter_init(&it, d->leases);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct lease *l = v;
		l->r.vltime = remaining(now, l->valid_until);
		l->r.pltime = remaining(now, l->pref_until);
		int rc = aero_node_binding_import(d->node, &l->r, aerod_now());
		if (rc == 0) {
			ok++;
		} else {
			refused++;
			g_warning("lease %s: not restored: %s", (char *)k, aero_strerror(rc));
			if (!d->o.no_netlink)
				rtnl_route(d, false, (unsigned)d->o.table, RTN_UNREACHABLE,
				           &l->r.prefix.prefix, l->r.prefix.plen, 0);
		}
	}
	d->lease_importing = false;
	g_message("lease file %s: %u bindings restored, %u refused", d->o.lease_path, ok,
	          refused);
	/* rewrite the file from the core's export: it says exactly what the
	 * restored core holds */
	d->lease_dirty = true;
	g_hash_table_remove_all(d->leases);
}
