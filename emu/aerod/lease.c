/*
 * emu/aerod/lease.c -- a Server's bindings on disk, so that a crash loses
 * no answered delegation. Every change (AERO_EV_BINDING, ROUTE_ANNOUNCE /
 * WITHDRAW) rewrites the whole file atomically: write FILE.tmp, fsync,
 * rename over FILE, fsync the folder. main.c handles the events of one core
 * call before it sends that call's packets, so a Reply leaves only after its
 * binding is on disk.
 *
 * Format, one binding per line:
 *   PREFIX/LEN AERO-ADDR LOCATOR VALID-UNTIL(unix s) PREFERRED-UNTIL(unix s)
 *
 * At start the file is read back, expired lines are dropped, and the BGP
 * table is reconciled with it (every lease present as an unreachable route,
 * nothing else), so BIRD keeps announcing across a restart. The core has no
 * binding import API yet (see the report): until it has one the restored
 * Server forwards to a restored Client only after the Client's next
 * Renew/Rebind recreates the binding in the core.
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
	struct aero_in6 prefix;
	unsigned plen;
	struct aero_in6 addr;
	struct aero_loc loc;
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

static int
key_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
lease_write(struct aerod *d)
{
	if (!d->o.lease_path)
		return;
	char *tmp = g_strconcat(d->o.lease_path, ".tmp", NULL);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		g_warning("lease file %s: %s", tmp, g_strerror(errno));
		g_free(tmp);
		return;
	}
	GPtrArray *keys = g_ptr_array_new();
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, d->leases);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_ptr_array_add(keys, k);
	g_ptr_array_sort(keys, key_cmp);
	for (guint i = 0; i < keys->len; i++) {
		struct lease *l = g_hash_table_lookup(d->leases, keys->pdata[i]);
		char a[64], b[64];
		fprintf(f, "%s %s %s %lld %lld\n", (char *)keys->pdata[i],
		        aero_in6_format(&l->addr, a, sizeof a),
		        l->loc.family ? aero_loc_format(&l->loc, b, sizeof b) : "-",
		        (long long)l->valid_until, (long long)l->pref_until);
	}
	g_ptr_array_free(keys, TRUE);
	int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, d->o.lease_path) != 0) {
		g_warning("lease file %s: %s", d->o.lease_path, g_strerror(errno));
	} else {
		char *dir = g_path_get_dirname(d->o.lease_path);
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		g_free(dir);
	}
	g_free(tmp);
}

static int64_t
until(uint32_t lt)
{
	return lt == 0xffffffffu ? -1 : (int64_t)time(NULL) + lt;
}

void
lease_event(struct aerod *d, const struct aero_event *e)
{
	if (d->cfg.role != AERO_ROLE_SERVER)
		return;
	char *key = key_of(&e->prefix, e->plen);
	bool add = e->type == AERO_EV_ROUTE_ANNOUNCE ||
	           (e->type == AERO_EV_BINDING && e->name &&
	            (!strcmp(e->name, "bound") || !strcmp(e->name, "renewed")));
	bool del = e->type == AERO_EV_ROUTE_WITHDRAW ||
	           (e->type == AERO_EV_BINDING && e->name &&
	            (!strcmp(e->name, "released") || !strcmp(e->name, "expired") ||
	             !strcmp(e->name, "free")));
	if (add) {
		struct lease *l = g_hash_table_lookup(d->leases, key);
		if (!l) {
			l = g_new0(struct lease, 1);
			g_hash_table_insert(d->leases, g_strdup(key), l);
		}
		l->prefix = e->prefix;
		l->plen = e->plen;
		if (e->type == AERO_EV_BINDING) {
			l->addr = e->addr;
			if (e->loc.family)
				l->loc = e->loc;
		}
		l->valid_until = until(e->vltime);
		l->pref_until = until(e->pltime);
		lease_write(d);
	} else if (del && g_hash_table_remove(d->leases, key)) {
		lease_write(d);
	}
	g_free(key);
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
	unsigned kept = 0, expired = 0;
	for (char **p = lines; *p; p++) {
		if (!**p)
			continue;
		char pfx[64], addr[64], loc[80];
		long long vu, pu;
		struct lease l = {0};
		char *slash;
		if (sscanf(*p, "%63s %63s %79s %lld %lld", pfx, addr, loc, &vu, &pu) != 5 ||
		    !(slash = strchr(pfx, '/'))) {
			g_warning("lease file %s: bad line '%s' ignored", d->o.lease_path, *p);
			continue;
		}
		*slash = 0;
		l.plen = (unsigned)atoi(slash + 1);
		if (aero_in6_parse(&l.prefix, pfx) || aero_in6_parse(&l.addr, addr) ||
		    l.plen > 128) {
			g_warning("lease file %s: bad line ignored", d->o.lease_path);
			continue;
		}
		if (strcmp(loc, "-") != 0)
			aero_loc_parse(&l.loc, loc, 8060);
		l.valid_until = vu;
		l.pref_until = pu;
		if (vu >= 0 && vu <= now) {
			expired++;
			continue;
		}
		g_hash_table_insert(d->leases, key_of(&l.prefix, l.plen), g_memdup2(&l, sizeof l));
		if (!d->o.no_netlink)
			rtnl_route(d, true, (unsigned)d->o.table, RTN_UNREACHABLE,
			           &l.prefix, l.plen, 0);
		kept++;
	}
	g_strfreev(lines);
	if (!d->o.no_netlink)
		rtnl_dump_table(d, (unsigned)d->o.table, reconcile_one);
	g_message("lease file %s: %u bindings restored, %u expired dropped",
	          d->o.lease_path, kept, expired);
	if (expired)
		lease_write(d);
	return 0;
}
