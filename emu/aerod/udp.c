/*
 * emu/aerod/udp.c -- the underlay: one UDP socket bound to the node's
 * locator. Receives with the outer TOS/TTL (IP_RECVTOS/IP_RECVTTL, or
 * IPV6_RECVTCLASS/IPV6_RECVHOPLIMIT) and destination (PKTINFO) into
 * aero_pktinfo; sends with the per-packet TOS/TTL as ancillary data.
 * Offloads (unless --no-offload): UDP GRO on receive (a coalesced buffer
 * with its gso_size in a UDP_GRO cmsg is cut back into datagrams, each to the
 * core), UDP GSO on send (a run of equal-size datagrams to the same
 * destination with the same TOS/TTL leaves in one message with UDP_SEGMENT;
 * the last of a run may be shorter).
 */
#define _GNU_SOURCE /* struct in6_pktinfo */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aerod.h"

#define UDP_BATCH 32
#define UDP_GSO_MAX_SEGS 64     /* kernel UDP_MAX_SEGMENTS is at least 64 */
#define UDP_GSO_MAX_BYTES AEROD_UDP_GSO_MAX_BYTES

static bool udp_gro, udp_gso;     /* offloads on the socket (--no-offload: off) */

static socklen_t
to_sockaddr(const struct aero_loc *l, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (l->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(l->port);
		memcpy(&s4->sin_addr, l->ip, 4);
		return sizeof *s4;
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(l->port);
	memcpy(&s6->sin6_addr, l->ip, 16);
	return sizeof *s6;
}

static void
from_sockaddr(struct aero_loc *l, const struct sockaddr_storage *ss)
{
	memset(l, 0, sizeof *l);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		l->family = 4;
		memcpy(l->ip, &s4->sin_addr, 4);
		l->port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		l->family = 6;
		memcpy(l->ip, &s6->sin6_addr, 16);
		l->port = ntohs(s6->sin6_port);
	}
}

static int
open_bound(const struct aero_loc *self, GError **err)
{
	int v6 = self->family == 6;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "UDP socket: %s", g_strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	int buf = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
	if (v6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof one);
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one);
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof one);
	} else {
		setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof one);
		setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one);
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
	}
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(self, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		char a[64];
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "cannot bind the underlay socket to %s: %s",
		            aero_loc_format(self, a, sizeof a), g_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* UDP GRO on the socket; GSO needs nothing but a cmsg per message */
static void
set_offloads(struct aerod *d, int fd)
{
	int one = 1;
	udp_gso = udp_gro = false;
	if (d->o.no_offload)
		return;
	udp_gso = true;
	udp_gro = setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof one) == 0;
	if (!udp_gro)
		g_debug("UDP_GRO: %s", g_strerror(errno));
}

int
udp_open(struct aerod *d, GError **err)
{
	d->udp_fd = open_bound(&d->cfg.self, err);
	if (d->udp_fd >= 0)
		set_offloads(d, d->udp_fd);
	return d->udp_fd < 0 ? -1 : 0;
}

int
udp_rebind(struct aerod *d, const struct aero_loc *loc, GError **err)
{
	int fd = open_bound(loc, err);
	if (fd < 0)
		return -1;
	set_offloads(d, fd);
	/* the main loop watches the fd number: keep it with dup2 */
	if (dup2(fd, d->udp_fd) < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "dup2: %s", g_strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return d->pcapul ? pcapul_rebind(d, loc, err) : 0;
}

/* recvmmsg: up to UDP_BATCH datagrams per system call */
#define UDP_SLOT 65536
#define UDP_CM_LEN (CMSG_SPACE(sizeof(struct in6_pktinfo)) + 5 * CMSG_SPACE(sizeof(int)))

/* the gso_size of a UDP GRO buffer, 0 if it is one datagram */
static size_t
gro_size(struct msghdr *mh)
{
	for (struct cmsghdr *ch = CMSG_FIRSTHDR(mh); ch; ch = CMSG_NXTHDR(mh, ch))
		if (ch->cmsg_level == SOL_UDP && ch->cmsg_type == UDP_GRO) {
			int v;
			memcpy(&v, CMSG_DATA(ch), sizeof v);
			return v > 0 ? (size_t)v : 0;
		}
	return 0;
}

static void
pktinfo_from_cmsg(struct aero_pktinfo *pi, struct msghdr *mh)
{
	for (struct cmsghdr *ch = CMSG_FIRSTHDR(mh); ch; ch = CMSG_NXTHDR(mh, ch)) {
		if (ch->cmsg_level == IPPROTO_IP && ch->cmsg_type == IP_TOS)
			pi->tclass = *(uint8_t *)CMSG_DATA(ch);
		else if (ch->cmsg_level == IPPROTO_IP && ch->cmsg_type == IP_TTL)
			pi->ttl = (uint8_t)*(int *)CMSG_DATA(ch);
		else if (ch->cmsg_level == IPPROTO_IP && ch->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo p4;
			memcpy(&p4, CMSG_DATA(ch), sizeof p4);
			memcpy(pi->dst.ip, &p4.ipi_addr, 4);
		} else if (ch->cmsg_level == IPPROTO_IPV6 && ch->cmsg_type == IPV6_TCLASS)
			pi->tclass = (uint8_t)*(int *)CMSG_DATA(ch);
		else if (ch->cmsg_level == IPPROTO_IPV6 && ch->cmsg_type == IPV6_HOPLIMIT)
			pi->ttl = (uint8_t)*(int *)CMSG_DATA(ch);
		else if (ch->cmsg_level == IPPROTO_IPV6 && ch->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo p6;
			memcpy(&p6, CMSG_DATA(ch), sizeof p6);
			memcpy(pi->dst.ip, &p6.ipi6_addr, 16);
		}
	}
}

gboolean
udp_readable(gint fd, GIOCondition c, gpointer user)
{
	(void)c;
	struct aerod *d = user;
	static uint8_t bufs[UDP_BATCH][UDP_SLOT];
	static union {
		char b[UDP_CM_LEN];
		struct cmsghdr align;
	} cms[UDP_BATCH];
	static struct sockaddr_storage from[UDP_BATCH];
	static struct iovec iov[UDP_BATCH];
	static struct mmsghdr mm[UDP_BATCH];
	aerod_batch_begin(d);
	for (int round = 0; round < (d->o.no_batch ? UDP_BATCH : 4); round++) {
		for (int i = 0; i < UDP_BATCH; i++) {
			iov[i] = (struct iovec){bufs[i], UDP_SLOT};
			mm[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i],
			                                .msg_iov = &iov[i], .msg_iovlen = 1,
			                                .msg_control = cms[i].b,
			                                .msg_controllen = sizeof cms[i].b};
			mm[i].msg_len = 0;
		}
		unsigned vlen = d->o.no_batch ? 1 : UDP_BATCH;
		int k = recvmmsg(fd, mm, vlen, MSG_DONTWAIT, NULL);
		if (k < 0) {
			if (errno != EAGAIN && errno != EINTR)
				g_warning("recvmmsg: %s", g_strerror(errno));
			break;
		}
		for (int i = 0; i < k; i++) {
			struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY};
			from_sockaddr(&pi.src, &from[i]);
			pi.dst = d->cfg.self;
			pktinfo_from_cmsg(&pi, &mm[i].msg_hdr);
			size_t len = mm[i].msg_len, seg = udp_gro ? gro_size(&mm[i].msg_hdr) : 0;
			if (!seg || seg >= len)
				seg = len;
			else
				d->host_cnt[HC_UDP_GRO_RX] += (len + seg - 1) / seg;
			/* a UDP GRO buffer: datagrams of seg bytes, the last shorter
			 * (same source, TOS and TTL: the kernel merges no others) */
			size_t off = 0;
			do {
				size_t l = MIN(seg, len - off);
				d->host_cnt[HC_UDP_RX]++;
				aero_node_recv(d->node, &pi, bufs[i] + off, l, aerod_now());
				aerod_run_core(d);
				off += l;
			} while (off < len);
		}
		if (k < (int)vlen)
			break;
	}
	aerod_batch_end(d);
	return G_SOURCE_CONTINUE;
}

struct txslot {
	struct sockaddr_storage ss;
	union {
		char b[3 * CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
};

/* Fill mh for one message: iov[0..niov) to o's destination with its outer
 * TOS and TTL as ancillary data, and UDP_SEGMENT gso if not 0. */
static void
build_msg(struct msghdr *mh, struct txslot *t, const struct aero_out *o,
          struct iovec *iov, size_t niov, uint16_t gso)
{
	memset(&t->cm, 0, sizeof t->cm);
	socklen_t sl = to_sockaddr(&o->pi.dst, &t->ss);
	*mh = (struct msghdr){.msg_name = &t->ss, .msg_namelen = sl, .msg_iov = iov,
	                      .msg_iovlen = niov, .msg_control = t->cm.b,
	                      .msg_controllen = sizeof t->cm.b};
	bool v6 = o->pi.dst.family == 6;
	struct cmsghdr *ch = CMSG_FIRSTHDR(mh);
	size_t used = 0;
	int tos = o->pi.tclass, ttl = o->pi.ttl;
	/* IPv4: IP_TOS takes one byte or an int; IP_TTL an int */
	ch->cmsg_level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
	ch->cmsg_type = v6 ? IPV6_TCLASS : IP_TOS;
	ch->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(ch), &tos, sizeof tos);
	used += CMSG_SPACE(sizeof(int));
	if (ttl) {
		ch = CMSG_NXTHDR(mh, ch);
		ch->cmsg_level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
		ch->cmsg_type = v6 ? IPV6_HOPLIMIT : IP_TTL;
		ch->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(ch), &ttl, sizeof ttl);
		used += CMSG_SPACE(sizeof(int));
	}
	if (gso) {
		ch = CMSG_NXTHDR(mh, ch);
		ch->cmsg_level = SOL_UDP;
		ch->cmsg_type = UDP_SEGMENT;
		ch->cmsg_len = CMSG_LEN(sizeof(uint16_t));
		memcpy(CMSG_DATA(ch), &gso, sizeof gso);
		used += CMSG_SPACE(sizeof(uint16_t));
	}
	mh->msg_controllen = used;
}

/* may b follow a (same destination, TOS, TTL) in one GSO message? */
static bool
same_path(const struct aero_out *a, const struct aero_out *b)
{
	return a->pi.dst.family == b->pi.dst.family && a->pi.dst.port == b->pi.dst.port &&
	       !memcmp(a->pi.dst.ip, b->pi.dst.ip, a->pi.dst.family == 6 ? 16 : 4) &&
	       a->pi.tclass == b->pi.tclass && a->pi.ttl == b->pi.ttl;
}

static void
send_error(struct aerod *d, const struct aero_out *o, int e)
{
	d->host_cnt[HC_UDP_TX_ERR]++;
	char a[64];
	g_debug("sendmsg to %s: %s", aero_loc_format(&o->pi.dst, a, sizeof a),
	        o->pi.dst.family != d->cfg.self.family ? "other address family"
	                                                : g_strerror(e));
}

void
udp_send(struct aerod *d, const struct aero_out *o)
{
	udp_send_many(d, &o, 1);
}

/* sendmmsg: one system call for a burst (outputs of the other address
 * family than the socket are counted as errors); with UDP GSO, one message
 * per run of equal-size datagrams on the same path. */
void
udp_send_many(struct aerod *d, const struct aero_out *const *o, size_t n)
{
	static struct txslot slots[AEROD_SEND_BATCH];
	static struct mmsghdr mm[AEROD_SEND_BATCH];
	static struct iovec iov[AEROD_SEND_BATCH];
	static size_t first[AEROD_SEND_BATCH], count[AEROD_SEND_BATCH];
	static const struct aero_out *which[AEROD_SEND_BATCH];
	if (d->pcapul && (n = pcapul_send_many(d, o, n, &o)) == 0)
		return; /* --underlay=pcap: o, n are now what pcap left to the socket */
	size_t k = 0, m = 0; /* k messages, m datagrams */
	size_t seg = 0, bytes = 0;
	bool open = false;   /* message k-1 can take more datagrams */
	for (size_t i = 0; i < n && m < AEROD_SEND_BATCH; i++) {
		if (o[i]->pi.dst.family != d->cfg.self.family) {
			send_error(d, o[i], 0);
			continue;
		}
		iov[m] = (struct iovec){(void *)o[i]->data, o[i]->len};
		which[m] = o[i];
		if (open && o[i]->len <= seg && count[k - 1] < UDP_GSO_MAX_SEGS &&
		    bytes + o[i]->len <= UDP_GSO_MAX_BYTES && same_path(which[first[k - 1]], o[i])) {
			count[k - 1]++;
			bytes += o[i]->len;
			open = o[i]->len == seg; /* a shorter one ends the run */
		} else {
			first[k] = m;
			count[k++] = 1;
			seg = o[i]->len;
			bytes = seg;
			open = udp_gso && seg > 0;
		}
		m++;
	}
	for (size_t j = 0; j < k; j++)
		build_msg(&mm[j].msg_hdr, &slots[j], which[first[j]], &iov[first[j]], count[j],
		          count[j] > 1 ? (uint16_t)iov[first[j]].iov_len : 0);
	size_t done = 0;
	while (done < k) {
		int r = sendmmsg(d->udp_fd, mm + done, (unsigned)(k - done), 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			if (count[done] > 1) {
				/* GSO refused (EIO, EINVAL: no checksum offload on
				 * the path...): these one by one, no more GSO */
				d->host_cnt[HC_UDP_GSO_ERR]++;
				g_debug("UDP GSO send: %s: GSO off", g_strerror(e));
				udp_gso = false;
				for (size_t x = first[done]; x < first[done] + count[done]; x++) {
					struct msghdr mh;
					build_msg(&mh, &slots[done], which[x], &iov[x], 1, 0);
					if (sendmsg(d->udp_fd, &mh, 0) < 0)
						send_error(d, which[x], errno);
					else
						d->host_cnt[HC_UDP_TX]++;
				}
			} else {
				/* the first message failed: count it, go on with the rest */
				send_error(d, which[first[done]], e);
			}
			done++;
			continue;
		}
		for (size_t j = done; j < done + (size_t)r; j++) {
			d->host_cnt[HC_UDP_TX] += count[j];
			if (count[j] > 1)
				d->host_cnt[HC_UDP_GSO_TX]++;
		}
		done += (size_t)r;
	}
}
