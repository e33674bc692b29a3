/*
 * emu/aerod/fastpath.c -- aerod --fastpath: the kernel data path of a P1
 * Client (fastpath.bpf.c). This file loads the two programs (the object is
 * built into aerod): the LWT xmit program, which rtnl.c puts on every route
 * aerod installs through the AERO TUN (the routes vanish with the TUN when
 * aerod exits), and the tc ingress program, attached with a tcx link to the
 * locator's device (the link goes away with the process, also after kill
 * -9). It programs the maps from the core's export
 * (aero_node_fastpath) after every run of the core, and every
 * AEROD_FP_POLL_MS reports what the kernel carried (aero_node_fastpath_sent)
 * and folds the data path's counters into the host counters. Loading
 * the object: fpload.c.
 */
#include "aerod.h"
#include "fpload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FP_TCX_INGRESS 46 /* enum bpf_attach_type, Linux >= 6.6 */

struct fastpath {
	struct fp_obj o;
	int link_in;
	unsigned in_ifindex;           /* where the ingress program is attached */
	struct aero_fastpath cur;      /* the export last programmed */
	bool have_cur;
	uint64_t pkts_seen[AERO_FP_MAX_ROUTES]; /* by index in cur.routes */
	guint poll_id;
	int ncpu;
	char why[160];                 /* why the table is not in the kernel */
};

/* the ingress program on ifindex, for as long as the returned link fd */
static int
link_ingress(int prog, unsigned ifindex, GError **err)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.link_create.prog_fd = (uint32_t)prog;
	a.link_create.target_ifindex = ifindex;
	a.link_create.attach_type = FP_TCX_INGRESS;
	int fd = (int)fp_bpf(BPF_LINK_CREATE, &a);
	if (fd < 0) {
		char name[IF_NAMESIZE] = "?";
		if_indextoname(ifindex, name);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "fastpath: tcx ingress on %s: %s (tcx needs Linux >= 6.6)", name,
		            g_strerror(errno));
	}
	return fd;
}

/* ---- the table --------------------------------------------------------------------- */

/* the device that holds an IPv4 address; 0 when none does */
static unsigned
ifindex_of_v4(const uint8_t ip[4])
{
	struct ifaddrs *ifa, *i;
	unsigned k = 0;
	if (getifaddrs(&ifa) != 0)
		return 0;
	for (i = ifa; i && !k; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		const struct sockaddr_in *s = (const void *)i->ifa_addr;
		if (!memcmp(&s->sin_addr, ip, 4))
			k = if_nametoindex(i->ifa_name);
	}
	freeifaddrs(ifa);
	return k;
}

static void
key_of(struct fp_lpm_key *k, const struct aero_in6 *a, uint8_t len)
{
	memset(k, 0, sizeof *k);
	k->prefixlen = len;
	memcpy(k->addr, a->b, 16);
	for (int i = 0; i < 16; i++) { /* masked, as the trie compares */
		int bits = (int)len - 8 * i;
		k->addr[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

static bool
loc4(const struct aero_loc *l, uint32_t *ip, uint16_t *port)
{
	if (l->family != 4)
		return false;
	memcpy(ip, l->ip, 4);
	*port = htons(l->port);
	return true;
}

/* Replace the contents of an LPM map by want[0..n) (keys) and vals,
 * keeping the data path's counters of an entry that stays. */
static void
lpm_replace(struct aerod *d, int fd, const struct fp_lpm_key *want, void *vals,
            size_t vsz, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (vsz == sizeof(struct fp_route)) {
			struct fp_route old, *nw = (struct fp_route *)vals + i;
			if (fp_map_op(BPF_MAP_LOOKUP_ELEM, fd, &want[i], &old, 0) == 0 &&
			    old.action == nw->action && old.dst_ip == nw->dst_ip &&
			    old.dst_port == nw->dst_port) {
				nw->pkts = old.pkts;
				nw->bytes = old.bytes;
				nw->last_ns = old.last_ns;
				nw->sample_ns = old.sample_ns;
				memcpy(nw->sample, old.sample, sizeof nw->sample);
			}
		}
		if (fp_map_op(BPF_MAP_UPDATE_ELEM, fd, &want[i], (uint8_t *)vals + i * vsz, BPF_ANY) != 0) {
			d->host_cnt[HC_FP_MAP_ERR]++;
			g_warning("fastpath: map update: %s", g_strerror(errno));
		}
	}
	/* delete what is no longer wanted */
	struct fp_lpm_key k, next;
	bool first = true;
	GArray *gone = g_array_new(FALSE, FALSE, sizeof(struct fp_lpm_key));
	while (fp_map_op(BPF_MAP_GET_NEXT_KEY, fd, first ? NULL : &k, &next, 0) == 0) {
		first = false;
		k = next;
		bool keep = false;
		for (size_t i = 0; i < n && !keep; i++)
			keep = !memcmp(&want[i], &k, sizeof k);
		if (!keep)
			g_array_append_val(gone, k);
	}
	for (guint i = 0; i < gone->len; i++)
		fp_map_op(BPF_MAP_DELETE_ELEM, fd, &g_array_index(gone, struct fp_lpm_key, i), NULL, 0);
	g_array_free(gone, TRUE);
}

static void
clear_hash(int fd)
{
	struct fp_loc4 k;
	while (fp_map_op(BPF_MAP_GET_NEXT_KEY, fd, NULL, &k, 0) == 0)
		if (fp_map_op(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0) != 0)
			break;
}

static void
program(struct aerod *d, struct fastpath *fp, const struct aero_fastpath *x)
{
	struct fp_cfg cfg = {0};
	uint32_t zero = 0;
	uint32_t self_ip = 0;
	uint16_t self_port = 0;
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	unsigned ul = 0;
	fp->why[0] = 0;
	if (!x->enabled)
		g_strlcpy(fp->why, "the core keeps every packet (not bound, P2, or no reachable Server)",
		          sizeof fp->why);
	else if (!loc4(&x->self, &self_ip, &self_port))
		g_strlcpy(fp->why, "IPv6 locator: the kernel path is IPv4 only", sizeof fp->why);
	else if (getsockname(d->udp_fd, (struct sockaddr *)&sa, &sl) != 0 ||
	         sa.sin_family != AF_INET)
		g_strlcpy(fp->why, "the UDP socket has no IPv4 address", sizeof fp->why);
	else if (!(ul = ifindex_of_v4(x->self.ip)))
		g_strlcpy(fp->why, "no device holds the locator", sizeof fp->why);
	if (fp->why[0]) {
		/* off first: the data path stops before the tables change */
		fp_map_op(BPF_MAP_UPDATE_ELEM, fp->o.map[FPM_CFG], &zero, &cfg, BPF_ANY);
		lpm_replace(d, fp->o.map[FPM_RO], NULL, NULL, sizeof(struct fp_route), 0);
		lpm_replace(d, fp->o.map[FPM_FIB], NULL, NULL, sizeof(struct fp_route), 0);
		lpm_replace(d, fp->o.map[FPM_ACCEPT], NULL, NULL, sizeof(struct fp_accept), 0);
		clear_hash(fp->o.map[FPM_TRUST]);
		g_info("fastpath: off: %s", fp->why);
		return;
	}
	if (ul != fp->in_ifindex) { /* first time, or the Client moved */
		GError *err = NULL;
		int l = link_ingress(fp->o.prog_in, ul, &err);
		if (l < 0) {
			g_warning("%s", err->message);
			g_strlcpy(fp->why, err->message, sizeof fp->why);
			g_error_free(err);
			d->host_cnt[HC_FP_MAP_ERR]++;
			fp_map_op(BPF_MAP_UPDATE_ELEM, fp->o.map[FPM_CFG], &zero, &cfg, BPF_ANY);
			return;
		}
		if (fp->link_in >= 0)
			close(fp->link_in);
		fp->link_in = l;
		fp->in_ifindex = ul;
	}
	cfg.tun_ifindex = d->tun_ifindex;
	cfg.ul_ifindex = ul;
	cfg.self_ip = self_ip;
	cfg.self_port = sa.sin_port; /* the bound port, as the core's packets */
	cfg.mtu = (uint16_t)MIN(x->mtu, 65535u);
	cfg.local_only = x->local_only;

	struct fp_lpm_key rk[AERO_FP_MAX_ROUTES], fk[AERO_FP_MAX_ROUTES], ak[AERO_FP_MAX_ADMIT];
	struct fp_route rv[AERO_FP_MAX_ROUTES], fv[AERO_FP_MAX_ROUTES];
	struct fp_accept av[AERO_FP_MAX_ADMIT];
	size_t nr = 0, nf = 0, na = 0;
	for (size_t i = 0; i < x->n_routes; i++) {
		const struct aero_fp_route *r = &x->routes[i];
		struct fp_route v = {.action = r->action, .src_len = r->src_len};
		memcpy(v.src, r->src.b, 16);
		if (r->action == AERO_FP_TUNNEL && !loc4(&r->loc, &v.dst_ip, &v.dst_port))
			v.action = FPA_SLOW;
		/* downstream link k: its own TUN (--downstream tun:NAME), else
		 * the AERO TUN and the kernel's routes, as tun_write_link */
		if (r->action == AERO_FP_DELIVER && r->ifindex > 0 && r->ifindex <= d->o.n_downstream &&
		    d->ds_fd[r->ifindex - 1] >= 0)
			v.out_ifindex = d->ds_ifindex[r->ifindex - 1];
		else if (r->action == AERO_FP_DELIVER && r->ifindex > d->o.n_downstream)
			v.action = FPA_SLOW; /* no such link: the core counts it */
		if (r->ro) {
			key_of(&rk[nr], &r->dst, r->dst_len);
			rv[nr++] = v;
		} else {
			key_of(&fk[nf], &r->dst, r->dst_len);
			fv[nf++] = v;
		}
	}
	clear_hash(fp->o.map[FPM_TRUST]);
	for (size_t i = 0; i < x->n_admit; i++) {
		const struct aero_fp_admit *a = &x->admit[i];
		struct fp_loc4 lk = {0};
		if (!loc4(&a->loc, &lk.ip, &lk.port))
			continue; /* IPv6 locator: the core admits it */
		if (a->src_len == 0 && a->dst_len == 0) {
			uint32_t one = 1;
			fp_map_op(BPF_MAP_UPDATE_ELEM, fp->o.map[FPM_TRUST], &lk, &one, BPF_ANY);
			continue;
		}
		struct fp_lpm_key k;
		key_of(&k, &a->src, a->src_len);
		bool dup = false; /* one ACCEPT per source prefix; the core decides the rest */
		for (size_t j = 0; j < na && !dup; j++)
			dup = !memcmp(&ak[j], &k, sizeof k);
		if (dup)
			continue;
		ak[na] = k;
		av[na] = (struct fp_accept){.peer_ip = lk.ip, .peer_port = lk.port,
		                            .dst_len = a->dst_len};
		memcpy(av[na].dst, a->dst.b, 16);
		na++;
	}
	lpm_replace(d, fp->o.map[FPM_RO], rk, rv, sizeof rv[0], nr);
	lpm_replace(d, fp->o.map[FPM_FIB], fk, fv, sizeof fv[0], nf);
	lpm_replace(d, fp->o.map[FPM_ACCEPT], ak, av, sizeof av[0], na);
	cfg.enabled = 1;
	if (fp_map_op(BPF_MAP_UPDATE_ELEM, fp->o.map[FPM_CFG], &zero, &cfg, BPF_ANY) != 0)
		d->host_cnt[HC_FP_MAP_ERR]++;
	d->host_cnt[HC_FP_SYNC]++;
	g_info("fastpath: on: %zu RO routes, %zu FIB routes, %zu accept entries", nr, nf, na);
}

/* ---- reports and counters -------------------------------------------------------- */

static void
fold_stats(struct aerod *d, struct fastpath *fp)
{
	static const int hc[FPS_COUNT] = {
		[FPS_TX_PKTS] = HC_FP_TX_PKTS, [FPS_TX_BYTES] = HC_FP_TX_BYTES,
		[FPS_TX_GSO] = HC_FP_TX_GSO, [FPS_TX_SLOW] = HC_FP_TX_SLOW,
		[FPS_TX_ERR] = HC_FP_TX_ERR, [FPS_RX_PKTS] = HC_FP_RX_PKTS,
		[FPS_RX_BYTES] = HC_FP_RX_BYTES, [FPS_RX_GSO] = HC_FP_RX_GSO,
		[FPS_RX_SLOW] = HC_FP_RX_SLOW, [FPS_RX_NOT_ADMITTED] = HC_FP_RX_NOT_ADMITTED,
		[FPS_RX_ERR] = HC_FP_RX_ERR, [FPS_RX_ECN_UNUSED] = HC_FP_RX_ECN_UNUSED,
	};
	uint64_t *v = g_new0(uint64_t, (size_t)fp->ncpu);
	for (uint32_t i = 0; i < FPS_COUNT; i++) {
		if (fp_map_op(BPF_MAP_LOOKUP_ELEM, fp->o.map[FPM_STATS], &i, v, 0) != 0)
			continue;
		uint64_t s = 0;
		for (int c = 0; c < fp->ncpu; c++)
			s += v[c];
		d->host_cnt[hc[i]] = s;
	}
	g_free(v);
}

static struct fastpath *the_fp;

void
fastpath_counters(struct aerod *d)
{
	if (the_fp)
		fold_stats(d, the_fp);
}

static gboolean
poll_cb(gpointer user)
{
	struct aerod *d = user;
	struct fastpath *fp = the_fp;
	if (!fp || !d->node)
		return G_SOURCE_CONTINUE;
	fold_stats(d, fp);
	if (!fp->have_cur || !fp->cur.enabled || fp->why[0])
		return G_SOURCE_CONTINUE;
	bool any = false;
	for (size_t i = 0; i < fp->cur.n_routes; i++) {
		const struct aero_fp_route *r = &fp->cur.routes[i];
		if (r->action != AERO_FP_TUNNEL)
			continue;
		struct fp_lpm_key k;
		struct fp_route v;
		key_of(&k, &r->dst, r->dst_len);
		if (fp_map_op(BPF_MAP_LOOKUP_ELEM, fp->o.map[r->ro ? FPM_RO : FPM_FIB], &k, &v, 0) != 0)
			continue;
		if (v.pkts == fp->pkts_seen[i] || v.sample_ns == 0)
			continue;
		fp->pkts_seen[i] = v.pkts;
		aero_node_fastpath_sent(d->node, v.sample, sizeof v.sample, aerod_now());
		d->host_cnt[HC_FP_REPORTS]++;
		any = true;
	}
	if (any)
		aerod_run_core(d);
	return G_SOURCE_CONTINUE;
}

void
fastpath_sync(struct aerod *d)
{
	struct fastpath *fp = the_fp;
	if (!fp || !d->node)
		return;
	struct aero_fastpath *x = g_new(struct aero_fastpath, 1);
	aero_node_fastpath(d->node, x);
	if (fp->have_cur && !memcmp(x, &fp->cur, sizeof *x)) {
		g_free(x);
		return;
	}
	program(d, fp, x);
	fp->cur = *x;
	fp->have_cur = true;
	memset(fp->pkts_seen, 0, sizeof fp->pkts_seen);
	g_free(x);
}

int
fastpath_open(struct aerod *d, GError **err)
{
	if (d->cfg.role != AERO_ROLE_CLIENT || d->cfg.profile != AERO_PROFILE_P1) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "--fastpath: P1 Clients only (a Server or Relay forwards between "
		            "neighbours, P2 needs the ICV on every packet)");
		return -1;
	}
	if (d->o.tap || d->pcapul) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "--fastpath: with a TUN and the UDP underlay only (not --tap, not --underlay=pcap)");
		return -1;
	}
	struct fastpath *fp = g_new0(struct fastpath, 1);
	fp->link_in = -1;
	fp->ncpu = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (fp->ncpu < 1)
		fp->ncpu = 1;
	if (fp_obj_load(&fp->o, err) != 0) {
		g_free(fp);
		return -1;
	}
	the_fp = fp;
	fp->poll_id = g_timeout_add(AEROD_FP_POLL_MS, poll_cb, d);
	g_message("fastpath: eBPF data path loaded (xmit on the routes through %s; ingress on "
	          "the locator's device once the Client is bound)", d->tun_name);
	return 0;
}

void
fastpath_close(struct aerod *d)
{
	(void)d;
	struct fastpath *fp = the_fp;
	if (!fp)
		return;
	if (fp->poll_id)
		g_source_remove(fp->poll_id);
	if (fp->link_in >= 0)
		close(fp->link_in);
	fp_obj_close(&fp->o);
	g_free(fp);
	the_fp = NULL;
}

char *
fastpath_describe(struct aerod *d)
{
	(void)d;
	struct fastpath *fp = the_fp;
	if (!fp)
		return g_strdup("off (aerod without --fastpath)");
	if (fp->why[0])
		return g_strdup_printf("loaded, not carrying traffic: %s", fp->why);
	char ifn[IF_NAMESIZE] = "?";
	if_indextoname(fp->in_ifindex, ifn);
	return g_strdup_printf("on: xmit on the routes through %s, ingress on %s", d->tun_name, ifn);
}

int
fastpath_xmit_fd(void)
{
	return the_fp ? the_fp->o.prog_xmit : -1;
}
