/*
 * emu/aerod/rtnl.c -- core events to the kernel over rtnetlink (no `ip`
 * shell-outs): link up and MTU, addresses on the TUN, routes (default and
 * others via the TUN, the host model's black hole, downstream on-link), and
 * a Server's delegated prefixes in a dedicated table (d->o.table, 8060) from
 * which BIRD announces them. A Relay, and a Server (routes of the other
 * Servers), watches another table
 * (d->o.learn_table, 8061) where BIRD exports what it learned over iBGP and
 * hands each route to the core (aero_node_route_update).
 */
#include <errno.h>
#include <linux/lwtunnel.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aerod.h"

struct nlreq {
	struct nlmsghdr h;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rtm;
	} u;
	char attrs[512];
};

static void
add_attr(struct nlreq *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static struct rtattr *
nest_begin(struct nlreq *r, unsigned short type)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
	add_attr(r, type, NULL, 0);
	return a;
}

static void
nest_end(struct nlreq *r, struct rtattr *a)
{
	a->rta_len = (unsigned short)((char *)r + r->h.nlmsg_len - (char *)a);
}

int
rtnl_open(struct aerod *d, GError **err)
{
	d->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (d->nl_fd < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "rtnetlink socket: %s", g_strerror(errno));
		return -1;
	}
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(d->nl_fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "rtnetlink bind: %s", g_strerror(errno));
		return -1;
	}
	return 0;
}

void
rtnl_close(struct aerod *d)
{
	if (d->nl_fd >= 0)
		close(d->nl_fd);
	if (d->nlmon_fd >= 0)
		close(d->nlmon_fd);
	d->nl_fd = d->nlmon_fd = -1;
}

/* Send one request and wait for its ack; returns 0 or -errno. */
static int
transact(struct aerod *d, struct nlreq *r, const char *what)
{
	if (d->nl_fd < 0)
		return -EBADF;
	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->h.nlmsg_seq = ++d->nl_seq;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (sendto(d->nl_fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0) {
		d->host_cnt[HC_NL_ERR]++;
		g_warning("netlink %s: send: %s", what, g_strerror(errno));
		return -errno;
	}
	char buf[8192];
	for (;;) {
		ssize_t k = recv(d->nl_fd, buf, sizeof buf, 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			d->host_cnt[HC_NL_ERR]++;
			return -errno;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)k);
		     h = NLMSG_NEXT(h, k)) {
			if (h->nlmsg_seq != r->h.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (e && e != -EEXIST && e != -ESRCH && e != -EADDRNOTAVAIL) {
				d->host_cnt[HC_NL_ERR]++;
				g_warning("netlink %s: %s", what, g_strerror(-e));
			}
			return e == -EEXIST || e == -ESRCH || e == -EADDRNOTAVAIL ? 0 : e;
		}
	}
}

/* an RTM_NEWLINK request changing interface ifindex */
static void
link_req(struct nlreq *r, unsigned ifindex)
{
	memset(r, 0, sizeof *r);
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r->h.nlmsg_type = RTM_NEWLINK;
	r->u.ifi.ifi_family = AF_UNSPEC;
	r->u.ifi.ifi_index = (int)ifindex;
}

int
rtnl_link_up(struct aerod *d, unsigned ifindex, unsigned mtu, unsigned flags)
{
	struct nlreq r;
	link_req(&r, ifindex);
	r.u.ifi.ifi_flags = IFF_UP | flags;
	r.u.ifi.ifi_change = IFF_UP | flags;
	uint32_t m = mtu;
	if (mtu)
		add_attr(&r, IFLA_MTU, &m, sizeof m);
	return transact(d, &r, "link up");
}

int
rtnl_link_gso_max(struct aerod *d, unsigned ifindex, uint32_t size)
{
	struct nlreq r;
	link_req(&r, ifindex);
	add_attr(&r, IFLA_GSO_MAX_SIZE, &size, sizeof size);
	return transact(d, &r, "link gso_max_size");
}

int
rtnl_addr(struct aerod *d, bool add, unsigned ifindex, const struct aero_in6 *a,
          unsigned plen, bool nodad)
{
	struct nlreq r;
	memset(&r, 0, sizeof r);
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.h.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	if (add)
		r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	r.u.ifa.ifa_family = AF_INET6;
	r.u.ifa.ifa_prefixlen = (unsigned char)plen;
	r.u.ifa.ifa_index = ifindex;
	r.u.ifa.ifa_flags = nodad ? IFA_F_NODAD : 0;
	add_attr(&r, IFA_LOCAL, a->b, 16);
	add_attr(&r, IFA_ADDRESS, a->b, 16);
	return transact(d, &r, add ? "address add" : "address del");
}

int
rtnl_route_lwt(struct aerod *d, bool add, unsigned table, int type,
               const struct aero_in6 *p, unsigned plen, unsigned ifindex, int prog_fd)
{
	struct nlreq r;
	memset(&r, 0, sizeof r);
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r.h.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	if (add)
		r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	r.u.rtm.rtm_family = AF_INET6;
	r.u.rtm.rtm_dst_len = (unsigned char)plen;
	r.u.rtm.rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	r.u.rtm.rtm_protocol = RTPROT_STATIC;
	r.u.rtm.rtm_scope = type == RTN_UNICAST ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	r.u.rtm.rtm_type = (unsigned char)type;
	uint32_t t = table;
	add_attr(&r, RTA_TABLE, &t, sizeof t);
	if (plen)
		add_attr(&r, RTA_DST, p->b, 16);
	if (type == RTN_UNICAST) {
		uint32_t oif = ifindex;
		add_attr(&r, RTA_OIF, &oif, sizeof oif);
	}
	if (add && prog_fd >= 0) {
		/* encap bpf xmit: the fast path's program (fastpath.c) */
		uint16_t et = LWTUNNEL_ENCAP_BPF;
		add_attr(&r, RTA_ENCAP_TYPE, &et, sizeof et);
		struct rtattr *enc = nest_begin(&r, RTA_ENCAP);
		struct rtattr *x = nest_begin(&r, LWT_BPF_XMIT);
		uint32_t fd = (uint32_t)prog_fd;
		add_attr(&r, LWT_BPF_PROG_FD, &fd, sizeof fd);
		add_attr(&r, LWT_BPF_PROG_NAME, "aero_fp_xmit", sizeof "aero_fp_xmit");
		nest_end(&r, x);
		nest_end(&r, enc);
	}
	return transact(d, &r, add ? "route add" : "route del");
}

int
rtnl_route(struct aerod *d, bool add, unsigned table, int type,
           const struct aero_in6 *p, unsigned plen, unsigned ifindex)
{
	return rtnl_route_lwt(d, add, table, type, p, plen, ifindex, -1);
}

/* ---- route dumps and the Relay's monitor ---------------------------------------- */

struct rtinfo {
	struct aero_in6 dst, gw;
	unsigned plen, table;
	bool has_gw;
};

static bool
parse_route(struct nlmsghdr *h, struct rtinfo *ri)
{
	struct rtmsg *rtm = NLMSG_DATA(h);
	if (rtm->rtm_family != AF_INET6)
		return false;
	memset(ri, 0, sizeof *ri);
	ri->plen = rtm->rtm_dst_len;
	ri->table = rtm->rtm_table;
	int len = (int)RTM_PAYLOAD(h);
	for (struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 16)
			memcpy(ri->dst.b, RTA_DATA(a), 16);
		else if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) == 16) {
			memcpy(ri->gw.b, RTA_DATA(a), 16);
			ri->has_gw = true;
		} else if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) == 4)
			memcpy(&ri->table, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_MULTIPATH && !ri->has_gw) {
			struct rtnexthop *nh = RTA_DATA(a);
			int nlen = (int)nh->rtnh_len - (int)sizeof *nh;
			for (struct rtattr *b = RTNH_DATA(nh); RTA_OK(b, nlen); b = RTA_NEXT(b, nlen))
				if (b->rta_type == RTA_GATEWAY && RTA_PAYLOAD(b) == 16) {
					memcpy(ri->gw.b, RTA_DATA(b), 16);
					ri->has_gw = true;
				}
		}
	}
	return true;
}

static void
learned(struct aerod *d, bool add, const struct rtinfo *ri)
{
	char a[64], b[64];
	if (!ri->has_gw) {
		g_debug("learned route %s/%u without a next hop: ignored",
		        aero_in6_format(&ri->dst, a, sizeof a), ri->plen);
		return;
	}
	for (size_t i = 0; i < d->o.n_peermap; i++) {
		if (memcmp(&d->o.peermap[i].nh, &ri->gw, 16) != 0)
			continue;
		struct aero_prefix p = {ri->dst, (uint8_t)ri->plen};
		int rc = aero_node_route_update(d->node, add, &p, &d->o.peermap[i].peer,
		                                aerod_now());
		g_info("BGP route %s %s/%u via %s (Server %u): %s",
		       add ? "learned" : "withdrawn",
		       aero_in6_format(&ri->dst, a, sizeof a), ri->plen,
		       aero_in6_format(&ri->gw, b, sizeof b),
		       d->o.peermap[i].peer.id, rc ? aero_strerror(rc) : "ok");
		aerod_run_core(d);
		return;
	}
	g_warning("learned route %s/%u via %s: no Server known at that next hop",
	          aero_in6_format(&ri->dst, a, sizeof a), ri->plen,
	          aero_in6_format(&ri->gw, b, sizeof b));
}

static void
handle_msgs(struct aerod *d, char *buf, ssize_t k, unsigned table,
            void (*fn)(struct aerod *, const struct aero_in6 *, unsigned,
                       const struct aero_in6 *), bool *done)
{
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)k);
	     h = NLMSG_NEXT(h, k)) {
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
			if (done)
				*done = true;
			continue;
		}
		if (h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type != RTM_DELROUTE)
			continue;
		struct rtinfo ri;
		if (!parse_route(h, &ri) || ri.table != table)
			continue;
		if (fn)
			fn(d, &ri.dst, ri.plen, ri.has_gw ? &ri.gw : NULL);
		else if (d->node)
			learned(d, h->nlmsg_type == RTM_NEWROUTE, &ri);
	}
}

int
rtnl_dump_table(struct aerod *d, unsigned table,
                void (*fn)(struct aerod *, const struct aero_in6 *, unsigned,
                           const struct aero_in6 *))
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct nlreq r;
	memset(&r, 0, sizeof r);
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r.h.nlmsg_type = RTM_GETROUTE;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.h.nlmsg_seq = 1;
	r.u.rtm.rtm_family = AF_INET6;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (sendto(fd, &r, r.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	static char buf[65536];
	bool done = false;
	while (!done) {
		ssize_t k = recv(fd, buf, sizeof buf, 0);
		if (k <= 0)
			break;
		handle_msgs(d, buf, k, table, fn, &done);
	}
	close(fd);
	return 0;
}

static gboolean
monitor_readable(gint fd, GIOCondition c, gpointer user)
{
	(void)c;
	struct aerod *d = user;
	static char buf[65536];
	ssize_t k = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
	if (k < 0 && errno == ENOBUFS) {
		g_warning("route monitor overrun: dumping table %d again", d->o.learn_table);
		rtnl_dump_table(d, (unsigned)d->o.learn_table, NULL);
	} else if (k > 0) {
		handle_msgs(d, buf, k, (unsigned)d->o.learn_table, NULL, NULL);
	}
	return G_SOURCE_CONTINUE;
}

int
rtnl_monitor_open(struct aerod *d, GError **err)
{
	d->nlmon_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_IPV6_ROUTE};
	if (d->nlmon_fd < 0 || bind(d->nlmon_fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "rtnetlink route monitor: %s", g_strerror(errno));
		return -1;
	}
	g_unix_fd_add(d->nlmon_fd, G_IO_IN, monitor_readable, d);
	return 0;
}

/* ---- events -------------------------------------------------------------------- */

static unsigned
ev_ifindex(struct aerod *d, uint32_t k)
{
	if (k == 0 || k > d->o.n_downstream)
		return d->tun_ifindex;
	return d->ds_ifindex[k - 1];
}

void
rtnl_apply_event(struct aerod *d, const struct aero_event *e)
{
	bool ll = e->addr.b[0] == 0xfe && (e->addr.b[1] & 0xc0) == 0x80;
	switch (e->type) {
	case AERO_EV_ADDR_ADD:
	case AERO_EV_ADDR_DEL:
		rtnl_addr(d, e->type == AERO_EV_ADDR_ADD, ev_ifindex(d, e->ifindex),
		          &e->addr, e->plen ? e->plen : (ll ? 64 : 128),
		          e->nodad || e->ifindex == 0);
		break;
	case AERO_EV_ROUTE_ADD:
	case AERO_EV_ROUTE_DEL: {
		bool add = e->type == AERO_EV_ROUTE_ADD;
		int type = e->rkind == AERO_RT_BLACKHOLE ? RTN_BLACKHOLE : RTN_UNICAST;
		/* on-link or via a requesting router on downstream link k:
		 * that link's interface; else the AERO interface */
		unsigned oif = (e->rkind == AERO_RT_LINK || e->ifindex) &&
		               ev_ifindex(d, e->ifindex) ? ev_ifindex(d, e->ifindex)
		                                         : d->tun_ifindex;
		/* --fastpath: the routes through the AERO TUN carry the LWT
		 * program, which takes what the core's table allows */
		rtnl_route_lwt(d, add, RT_TABLE_MAIN, type, &e->prefix, e->plen, oif,
		               type == RTN_UNICAST && oif == d->tun_ifindex ? fastpath_xmit_fd() : -1);
		break;
	}
	case AERO_EV_ROUTE_ANNOUNCE:
	case AERO_EV_ROUTE_WITHDRAW: {
		bool add = e->type == AERO_EV_ROUTE_ANNOUNCE;
		/* unreachable in the BGP table: survives a crash of aerod (the
		 * TUN and every route through it vanish with the process) */
		rtnl_route(d, add, (unsigned)d->o.table, RTN_UNREACHABLE, &e->prefix,
		           e->plen, 0);
		if (d->cfg.role == AERO_ROLE_RELAY) /* aggregates: outside -> TUN */
			rtnl_route(d, add, RT_TABLE_MAIN, RTN_UNICAST, &e->prefix,
			           e->plen, d->tun_ifindex);
		break;
	}
	default:
		break;
	}
}
