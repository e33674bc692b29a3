/*
 * emu/aerod/pcapul.c -- --underlay=pcap: the underlay through libpcap on the
 * raw interface that holds the locator (or --underlay-if NAME), for full
 * control of the outer headers.
 *
 * Receive: a pcap handle (immediate mode, non-blocking, direction in, its
 * selectable fd in the GLib loop) with the BPF filter "udp to the locator
 * address and port" (also VLAN-tagged). Each frame is parsed here with bounds
 * checks (Ethernet + up to two VLAN tags, or raw IP; IPv4 without options
 * limits, IPv6 without extension headers; UDP) and its payload handed to the
 * core with the outer source, TOS/traffic class, TTL/hop limit and flow label,
 * as udp.c does. A frame that does not parse is counted (host_pcap_rx_bad),
 * never delivered. The UDP checksum is not verified (frames sent with
 * checksum offload are captured with a partial one); the IPv4 header
 * checksum is. Not handled (counted bad): IPv4 fragments, IPv6 extension
 * headers, and UDP GSO aggregates from a peer whose kernel did not segment
 * them (veth passes them whole; the tap sees one frame over the MTU, without
 * its segment size): senders towards a pcap node need tx offload off on
 * their interface (as the emulated topologies have), or no UDP GSO.
 * Kernel ring overflows (pcap_stats ps_drop) are host_pcap_rx_drop.
 *
 * The ordinary UDP socket stays bound on the locator (so the kernel does not
 * answer ICMP port unreachable) and stays polled, but a socket filter drops
 * what arrived on the pcap interface (SKF_AD_IFINDEX): each datagram is read
 * once, through pcap if it came in on the pcap interface, otherwise (another
 * interface, weak host model) through the socket (host_udp_rx).
 *
 * Send: the whole frame is built here (Ethernet with the next hop's MAC,
 * IPv4 with the core's TOS and TTL and DF set, or IPv6 with its traffic
 * class, hop limit and flow label; UDP with its checksum) and written with
 * pcap_inject. The next hop comes from the kernel over rtnetlink
 * (RTM_GETROUTE, then RTM_GETNEIGH for the gateway or the destination),
 * cached per destination (5 s when resolved, 0.2 s when not). A packet whose
 * next hop is unresolved, behind another interface or local, or which is
 * larger than the interface MTU, goes through the ordinary UDP socket
 * instead (the kernel then resolves the neighbour, or fragments) and is
 * counted (host_pcap_tx_fallback). A failed pcap_inject counts in
 * host_udp_tx_err. The cache is not told about neighbour changes: a peer
 * whose MAC changed is unreachable over pcap for up to 5 s.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pcap/pcap.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aero/bytes.h"
#include "aerod.h"
#include "aero/wire_ip.h"
#include "aero/wire_seal.h"

/* default snaplen = MTU + this (Ethernet, two VLAN tags): small ring slots
 * hold more frames (libpcap uses TPACKET_V2 with fixed slots in immediate
 * mode); larger frames are peers' UDP GSO aggregates, read and split only
 * with --pcap-snaplen 65535 */
#define PCAPUL_SNAP_EXTRA 64
#define PCAPUL_BUF (4 << 20)
#define NH_TTL_OK_NS (5ULL * 1000000000ULL)
#define NH_TTL_BAD_NS (200ULL * 1000000ULL)
#define NH_MAX 4096

struct nh_key {
	uint8_t family;
	uint8_t ip[16];
};

struct nh_entry {
	struct nh_key k;
	bool ok;            /* inject with mac; else the socket */
	uint8_t mac[6];
	uint64_t expires;
};

struct pcapul {
	pcap_t *p;
	guint watch;
	char ifname[IF_NAMESIZE];
	unsigned ifindex;
	int dlt;            /* DLT_EN10MB or DLT_RAW */
	size_t l2len;       /* 14 or 0 */
	uint8_t mac[6];
	unsigned mtu;
	struct aero_loc self;
	uint8_t def_ttl;
	uint16_t ip_id;
	int nl_fd;
	uint32_t nl_seq;
	GHashTable *nh;     /* struct nh_key -> struct nh_entry (same block) */
	unsigned last_drop; /* pcap_stats ps_drop already counted */
};

/* ---- small helpers ------------------------------------------------------- */

static size_t
loc_len(const struct aero_loc *l)
{
	return l->family == 4 ? 4 : 16;
}

static guint
nh_hash(gconstpointer p)
{
	const struct nh_key *k = p;
	guint h = 5381u + k->family;
	for (size_t i = 0; i < sizeof k->ip; i++)
		h = h * 33u + k->ip[i];
	return h;
}

static gboolean
nh_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct nh_key)) == 0;
}

/* ---- the interface ------------------------------------------------------- */

/* The interface holding address l, or -1. */
static int
find_ifname(const struct aero_loc *l, char name[IF_NAMESIZE])
{
	struct ifaddrs *ifa0;
	if (getifaddrs(&ifa0) != 0)
		return -1;
	int rc = -1;
	for (struct ifaddrs *i = ifa0; i && rc; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		const void *a = NULL;
		if (l->family == 4 && i->ifa_addr->sa_family == AF_INET)
			a = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
		else if (l->family == 6 && i->ifa_addr->sa_family == AF_INET6)
			a = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
		if (a && memcmp(a, l->ip, loc_len(l)) == 0) {
			g_strlcpy(name, i->ifa_name, IF_NAMESIZE);
			rc = 0;
		}
	}
	freeifaddrs(ifa0);
	return rc;
}

static unsigned
read_uint_file(const char *path, unsigned dflt)
{
	char *s = NULL;
	unsigned v = dflt;
	if (g_file_get_contents(path, &s, NULL, NULL)) {
		guint64 x = g_ascii_strtoull(s, NULL, 10);
		if (x > 0 && x < 256)
			v = (unsigned)x;
	}
	g_free(s);
	return v;
}

/* The socket filter of the UDP socket: drop what came in on ifindex (pcap
 * reads it), keep the rest. And no UDP GRO for the socket: with it the
 * kernel would merge datagrams to the locator (on a GRO-enabled interface)
 * before the pcap tap, into frames pcap cannot split. */
static int
attach_sock_filter(int fd, unsigned ifindex)
{
	int zero = 0;
	setsockopt(fd, IPPROTO_UDP, UDP_GRO, &zero, sizeof zero);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_IFINDEX)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ifindex, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
	};
	struct sock_fprog prog = {.len = G_N_ELEMENTS(f), .filter = f};
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

/* Open and set up a pcap handle on ifname for locator self into u (p,
 * ifname, ifindex, dlt, l2len, mac, mtu, def_ttl). 0 or -1 with *err. */
static int
open_handle(struct aerod *d, struct pcapul *u, const char *ifname,
            const struct aero_loc *self, GError **err)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	unsigned ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
		            "--underlay=pcap: no interface '%s'", ifname);
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	g_strlcpy(ifr.ifr_name, ifname, sizeof ifr.ifr_name);
	unsigned mtu = ioctl(d->udp_fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0 ? (unsigned)ifr.ifr_mtu : 1500;
	pcap_t *p = pcap_create(ifname, eb);
	if (!p) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "--underlay=pcap: pcap_create %s: %s", ifname, eb);
		return -1;
	}
	unsigned snap = d->o.pcap_snaplen > 0 ? (unsigned)d->o.pcap_snaplen : mtu + PCAPUL_SNAP_EXTRA;
	pcap_set_snaplen(p, (int)MIN(snap, 65600u));
	pcap_set_promisc(p, 0);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, PCAPUL_BUF);
	int rc = pcap_activate(p);
	if (rc < 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "--underlay=pcap: cannot capture on %s: %s (%s)", ifname,
		            pcap_statustostr(rc), pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	if (rc > 0)
		g_warning("pcap on %s: %s (%s)", ifname, pcap_statustostr(rc), pcap_geterr(p));
	int dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB && dlt != DLT_RAW) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
		            "--underlay=pcap: %s has link type %s (only Ethernet and raw IP)",
		            ifname, pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?");
		pcap_close(p);
		return -1;
	}
	/* only what arrives: our own injected frames are not read back */
	if (pcap_setdirection(p, PCAP_D_IN) != 0)
		g_warning("pcap on %s: cannot capture inbound only: %s", ifname, pcap_geterr(p));
	char ip[INET6_ADDRSTRLEN];
	inet_ntop(self->family == 4 ? AF_INET : AF_INET6, self->ip, ip, sizeof ip);
	char *f1 = g_strdup_printf("%s and udp and dst host %s and dst port %u",
	                           self->family == 4 ? "ip" : "ip6", ip, self->port);
	char *filter = dlt == DLT_EN10MB ? g_strdup_printf("(%s) or (vlan and %s)", f1, f1)
	                                 : g_strdup(f1);
	g_free(f1);
	struct bpf_program prog;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(p, &prog) != 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "--underlay=pcap: filter '%s' on %s: %s", filter, ifname, pcap_geterr(p));
		g_free(filter);
		pcap_close(p);
		return -1;
	}
	pcap_freecode(&prog);
	g_debug("pcap on %s: filter %s", ifname, filter);
	g_free(filter);
	if (pcap_setnonblock(p, 1, eb) != 0 || pcap_get_selectable_fd(p) < 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "--underlay=pcap: %s: no non-blocking selectable fd (%s)", ifname, eb);
		pcap_close(p);
		return -1;
	}
	memset(u->mac, 0, sizeof u->mac);
	if (dlt == DLT_EN10MB && ioctl(d->udp_fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(u->mac, ifr.ifr_hwaddr.sa_data, 6);
	u->mtu = mtu;
	char *path = self->family == 4 ? g_strdup("/proc/sys/net/ipv4/ip_default_ttl")
	                               : g_strdup_printf("/proc/sys/net/ipv6/conf/%s/hop_limit", ifname);
	u->def_ttl = (uint8_t)read_uint_file(path, 64);
	g_free(path);
	u->p = p;
	g_strlcpy(u->ifname, ifname, sizeof u->ifname);
	u->ifindex = ifindex;
	u->dlt = dlt;
	u->l2len = dlt == DLT_EN10MB ? 14 : 0;
	u->self = *self;
	u->last_drop = 0;
	return 0;
}

/* ---- receive --------------------------------------------------------------- */

/* Parse one captured frame: 0 with pi (src, tclass, ttl, flow label) and the
 * UDP payload, or -1 with *why. Everything is bounds-checked against n. */
static int
parse_frame(const struct pcapul *u, const uint8_t *b, size_t n,
            struct aero_pktinfo *pi, const uint8_t **pl, size_t *pllen,
            const char **why)
{
	size_t off = 0;
	unsigned ver;
	if (u->dlt == DLT_EN10MB) {
		if (n < 14) {
			*why = "short Ethernet header";
			return -1;
		}
		uint16_t et = get16(b + 12);
		off = 14;
		for (int tags = 0; (et == 0x8100 || et == 0x88a8) && tags < 2; tags++) {
			if (n < off + 4) {
				*why = "short VLAN tag";
				return -1;
			}
			et = get16(b + off + 2);
			off += 4;
		}
		if (et == 0x0800)
			ver = 4;
		else if (et == 0x86dd)
			ver = 6;
		else {
			*why = "not IPv4 or IPv6";
			return -1;
		}
	} else {
		ver = n ? b[0] >> 4 : 0;
	}
	/* IP and UDP through the core's codecs (core/src/wire/ip.c); the UDP
	 * checksum is not verified: offloaded senders' frames carry partial ones */
	const uint8_t *ip = b + off, *l4;
	size_t iplen = n - off, l4len, iptot;
	int r;
	memset(&pi->src, 0, sizeof pi->src);
	if (ver == 4) {
		struct aero_ipv4 h;
		if ((r = aero_wire_ipv4_decode(&h, ip, iplen, 0)) < 0) {
			*why = r == AERO_WIRE_E_CHECKSUM ? "bad IPv4 header checksum" : "bad IPv4 header";
			return -1;
		}
		if (h.mf || h.frag_off) {
			*why = "IPv4 fragment (not reassembled in pcap mode)";
			return -1;
		}
		if (h.proto != AERO_IP_PROTO_UDP) {
			*why = "not UDP";
			return -1;
		}
		pi->tclass = (uint8_t)(h.dscp << 2 | h.ecn);
		pi->ttl = h.ttl;
		pi->src.family = 4;
		memcpy(pi->src.ip, h.src.b, 4);
		if (u->self.family != 4 || memcmp(h.dst.b, u->self.ip, 4) != 0) {
			*why = "not to the locator";
			return -1;
		}
		l4 = h.payload;
		l4len = h.payload_len;
	} else if (ver == 6) {
		struct aero_ipv6 h;
		if ((r = aero_wire_ipv6_decode(&h, ip, iplen)) < 0) {
			*why = "bad IPv6 header";
			return -1;
		}
		if (h.next_header != AERO_IP_PROTO_UDP) {
			*why = "not UDP (or IPv6 extension headers)";
			return -1;
		}
		pi->tclass = (uint8_t)(h.dscp << 2 | h.ecn);
		pi->flow_label = h.flow_label;
		pi->ttl = h.hop_limit;
		pi->src.family = 6;
		memcpy(pi->src.ip, h.src.b, 16);
		if (u->self.family != 6 || memcmp(h.dst.b, u->self.ip, 16) != 0) {
			*why = "not to the locator";
			return -1;
		}
		l4 = h.payload;
		l4len = h.payload_len;
	} else {
		*why = "not IP";
		return -1;
	}
	iptot = (size_t)r;
	struct aero_udp udp;
	if (aero_wire_udp_decode(&udp, l4, l4len, NULL, 0) < 0) {
		*why = "bad UDP length";
		return -1;
	}
	if (udp.dst_port != u->self.port) {
		*why = "not to the locator's port";
		return -1;
	}
	if (ver == 6 && udp.checksum == 0) {
		*why = "IPv6 UDP without checksum";
		return -1;
	}
	(void)iptot; /* over the MTU: a UDP GSO aggregate, split by on_frame */
	pi->src.port = udp.src_port;
	*pl = udp.payload;
	*pllen = udp.payload_len;
	return 0;
}

/*
 * A frame over the MTU is a peer's UDP GSO aggregate (a veth hands the
 * unsegmented skb to the tap): equal-size datagrams, the last one shorter,
 * concatenated, and pcap does not give the segment size. The first
 * datagram tells it: P1 an inner IPv6 packet (40 + Payload Length), P2 a
 * SEAL header and an inner IPv6 packet. 0: no size to be found.
 */
static size_t
aggregate_seg(const struct aerod *d, const uint8_t *pl, size_t len)
{
	size_t hl = 0;
	if (d->cfg.profile == AERO_PROFILE_P2) {
		struct aero_seal sh;
		int r = aero_wire_seal_decode(&sh, pl, len, NULL, 0);
		if (r < 0 || sh.c || sh.next_header != AERO_SEAL_NH_IPV6)
			return 0;
		hl = (size_t)r;
	}
	struct aero_ipv6 h;
	int r = aero_wire_ipv6_decode(&h, pl + hl, len - hl);
	return r < 0 ? 0 : hl + (size_t)r;
}

static void
on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct aerod *d = (struct aerod *)(void *)user;
	struct pcapul *u = d->pcapul;
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY};
	const uint8_t *pl;
	size_t len;
	const char *why = "truncated capture";
	static bool warned;
	if (h->caplen < h->len ||
	    parse_frame(u, bytes, h->caplen, &pi, &pl, &len, &why) != 0) {
		d->host_cnt[HC_PCAP_RX_BAD]++;
		if (h->caplen < h->len && h->len > u->mtu + u->l2len && !warned) {
			g_warning("pcap on %s: a frame of %u bytes, over the MTU, captured in part: a peer "
			          "sends UDP GSO aggregates; --pcap-snaplen 65535 reads and splits them "
			          "(or turn GSO off at the sender: ethtool -K IF tx off); counted in "
			          "host_pcap_rx_bad", u->ifname, h->len);
			warned = true;
		}
		g_debug("pcap on %s: frame of %u bytes dropped: %s", u->ifname, h->len, why);
		return;
	}
	pi.dst = u->self;
	size_t seg = len;
	if (h->len > u->mtu + u->l2len) {
		seg = aggregate_seg(d, pl, len);
		if (seg == 0 || seg >= len) {
			d->host_cnt[HC_PCAP_RX_BAD]++;
			if (!warned)
				g_warning("pcap on %s: a frame of %u bytes, over the MTU, that is no UDP GSO "
				          "aggregate of AERO packets: counted in host_pcap_rx_bad",
				          u->ifname, h->len);
			warned = true;
			return;
		}
		d->host_cnt[HC_PCAP_RX_GSO]++;
	}
	for (size_t off = 0; off < len; off += seg) {
		d->host_cnt[HC_PCAP_RX]++;
		aero_node_recv(d->node, &pi, pl + off, MIN(seg, len - off), aerod_now());
		aerod_run_core(d);
	}
}

static gboolean
pcapul_readable(gint fd, GIOCondition c, gpointer user)
{
	(void)fd; (void)c;
	struct aerod *d = user;
	struct pcapul *u = d->pcapul;
	aerod_batch_begin(d);
	for (int round = 0; round < 4; round++) {
		int k = pcap_dispatch(u->p, d->o.no_batch ? 1 : 64, on_frame, (u_char *)d);
		if (k < 0) {
			g_warning("pcap on %s: %s", u->ifname, pcap_geterr(u->p));
			break;
		}
		if (k == 0)
			break;
	}
	struct pcap_stat st;
	if (pcap_stats(u->p, &st) == 0 && st.ps_drop > u->last_drop) {
		d->host_cnt[HC_PCAP_RX_DROP] += st.ps_drop - u->last_drop;
		u->last_drop = st.ps_drop;
	}
	aerod_batch_end(d);
	return G_SOURCE_CONTINUE;
}

/* ---- next hop over rtnetlink ------------------------------------------------- */

struct nlbuf {
	struct nlmsghdr h;
	union {
		struct rtmsg rtm;
		struct ndmsg ndm;
	} u;
	char attrs[128];
};

static void
nl_attr(struct nlbuf *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(void *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Send r, copy the answer of type want into ans. 0 or -errno. */
static int
nl_get(struct pcapul *u, struct nlbuf *r, uint16_t want, char *ans, size_t cap)
{
	r->h.nlmsg_flags = NLM_F_REQUEST;
	r->h.nlmsg_seq = ++u->nl_seq;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (sendto(u->nl_fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -errno;
	for (;;) {
		ssize_t k = recv(u->nl_fd, ans, cap, 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno; /* EAGAIN: SO_RCVTIMEO passed */
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)(void *)ans; NLMSG_OK(h, (size_t)k);
		     h = NLMSG_NEXT(h, k)) {
			if (h->nlmsg_seq != r->h.nlmsg_seq)
				continue; /* a late answer to an earlier request */
			if (h->nlmsg_type == NLMSG_ERROR) {
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
					return -EPROTO;
				int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				return e ? e : -ENOENT;
			}
			if (h->nlmsg_type == want) {
				if ((char *)h != ans)
					memmove(ans, h, h->nlmsg_len);
				return 0;
			}
		}
	}
}

/* Output route to dst: oif, gateway (or dst itself), route type. */
static int
route_get(struct pcapul *u, const struct nh_key *dst, unsigned *oif,
          uint8_t gw[16], unsigned *type, const char **why)
{
	size_t al = dst->family == 4 ? 4 : 16;
	char ans[4096];
	int e = 0;
	for (int with_src = 1; with_src >= 0; with_src--) {
		struct nlbuf r;
		memset(&r, 0, sizeof r);
		r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
		r.h.nlmsg_type = RTM_GETROUTE;
		r.u.rtm.rtm_family = dst->family == 4 ? AF_INET : AF_INET6;
		r.u.rtm.rtm_dst_len = (unsigned char)(al * 8);
		nl_attr(&r, RTA_DST, dst->ip, al);
		if (with_src) { /* source-based rules; retried without */
			r.u.rtm.rtm_src_len = (unsigned char)(al * 8);
			nl_attr(&r, RTA_SRC, u->self.ip, al);
		}
		e = nl_get(u, &r, RTM_NEWROUTE, ans, sizeof ans);
		if (e == 0)
			break;
	}
	if (e) {
		*why = "no route";
		return e;
	}
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)ans;
	struct rtmsg *rtm = NLMSG_DATA(h);
	*type = rtm->rtm_type;
	*oif = 0;
	memcpy(gw, dst->ip, 16);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *rtm);
	for (struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) >= 4)
			memcpy(oif, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) == al)
			memcpy(gw, RTA_DATA(a), al);
		else if (a->rta_type == RTA_VIA) {
			*why = "route via another address family";
			return -EAFNOSUPPORT;
		}
	}
	return 0;
}

/* The neighbour entry of addr on ifindex: 0 with mac, or -errno. */
static int
neigh_get(struct pcapul *u, uint8_t family, const uint8_t *addr, unsigned ifindex,
          uint8_t mac[6], const char **why)
{
	size_t al = family == 4 ? 4 : 16;
	struct nlbuf r;
	memset(&r, 0, sizeof r);
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	r.h.nlmsg_type = RTM_GETNEIGH;
	r.u.ndm.ndm_family = family == 4 ? AF_INET : AF_INET6;
	r.u.ndm.ndm_ifindex = (int)ifindex;
	nl_attr(&r, NDA_DST, addr, al);
	char ans[1024];
	int e = nl_get(u, &r, RTM_NEWNEIGH, ans, sizeof ans);
	if (e) {
		*why = "no neighbour entry";
		return e;
	}
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)ans;
	struct ndmsg *ndm = NLMSG_DATA(h);
	if (!(ndm->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
	                        NUD_PERMANENT | NUD_NOARP))) {
		*why = "neighbour not resolved";
		return -EAGAIN;
	}
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *ndm);
	for (struct rtattr *a = (struct rtattr *)(void *)((char *)ndm + NLMSG_ALIGN(sizeof *ndm));
	     RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
			memcpy(mac, RTA_DATA(a), 6);
			return 0;
		}
	}
	*why = "neighbour without a MAC address";
	return -ENOENT;
}

/* The cached next hop of dst (looked up again once expired). */
static const struct nh_entry *
nexthop(struct pcapul *u, const struct aero_loc *dst, uint64_t now)
{
	struct nh_key k;
	memset(&k, 0, sizeof k);
	k.family = dst->family;
	memcpy(k.ip, dst->ip, loc_len(dst));
	struct nh_entry *e = g_hash_table_lookup(u->nh, &k);
	if (e && now < e->expires)
		return e;
	if (!e) {
		if (g_hash_table_size(u->nh) >= NH_MAX)
			g_hash_table_remove_all(u->nh);
		e = g_new0(struct nh_entry, 1);
		e->k = k;
		g_hash_table_insert(u->nh, &e->k, e);
	}
	bool was_ok = e->ok;
	e->ok = false;
	const char *why = "";
	unsigned oif = 0, type = 0;
	uint8_t gw[16];
	if (u->dlt == DLT_RAW) {
		e->ok = true; /* no link-layer header */
	} else if (route_get(u, &k, &oif, gw, &type, &why) == 0) {
		if (type != RTN_UNICAST)
			why = type == RTN_LOCAL ? "a local address" : "not a unicast route";
		else if (oif != u->ifindex)
			why = "route through another interface";
		else
			e->ok = neigh_get(u, k.family, gw, oif, e->mac, &why) == 0;
	}
	e->expires = now + (e->ok ? NH_TTL_OK_NS : NH_TTL_BAD_NS);
	if (e->ok != was_ok || !e->ok) {
		char a[64];
		aero_loc_format(dst, a, sizeof a);
		if (e->ok)
			g_debug("pcap: next hop of %s is %02x:%02x:%02x:%02x:%02x:%02x on %s", a,
			        e->mac[0], e->mac[1], e->mac[2], e->mac[3], e->mac[4], e->mac[5],
			        u->ifname);
		else
			g_debug("pcap: %s through the UDP socket: %s", a, why);
	}
	return e;
}

/* ---- send ------------------------------------------------------------------- */

/* Build the frame of o into f; its length, or 0 if larger than the MTU. */
static size_t
build_frame(struct pcapul *u, const struct nh_entry *nh, const struct aero_out *o,
            uint8_t *f, size_t cap)
{
	bool v6 = u->self.family == 6;
	size_t iph = v6 ? 40 : 20, ipl = iph + 8 + o->len;
	if (ipl > u->mtu || u->l2len + ipl > cap || ipl > 65535)
		return 0;
	uint8_t *ip = f + u->l2len;
	if (u->l2len) {
		memcpy(f, nh->mac, 6);
		memcpy(f + 6, u->mac, 6);
		put16(f + 12, v6 ? 0x86dd : 0x0800);
	}
	/* UDP then IP through the core's encoders (headroom style, wire_ip.h) */
	memcpy(ip + iph + AERO_UDP_HDR_LEN, o->data, o->len);
	uint8_t ttl = o->pi.ttl ? o->pi.ttl : u->def_ttl;
	struct aero_ip_pseudo ps = {.family = v6 ? 6 : 4};
	struct aero_ipv4 h4 = {.dscp = o->pi.tclass >> 2, .ecn = o->pi.tclass & 3,
	                       .id = u->ip_id++, .df = true, .ttl = ttl,
	                       .proto = AERO_IP_PROTO_UDP,
	                       .payload_len = AERO_UDP_HDR_LEN + o->len};
	struct aero_ipv6 h6 = {.dscp = o->pi.tclass >> 2, .ecn = o->pi.tclass & 3,
	                       .flow_label = o->pi.flow_label & AERO_IPV6_FLOW_MASK,
	                       .next_header = AERO_IP_PROTO_UDP, .hop_limit = ttl,
	                       .payload_len = AERO_UDP_HDR_LEN + o->len};
	if (v6) {
		memcpy(h6.src.b, u->self.ip, 16);
		memcpy(h6.dst.b, o->pi.dst.ip, 16);
		aero_wire_ipv6_pseudo(&ps, &h6);
	} else {
		memcpy(h4.src.b, u->self.ip, 4);
		memcpy(h4.dst.b, o->pi.dst.ip, 4);
		aero_wire_ipv4_pseudo(&ps, &h4);
	}
	struct aero_udp uh = {.src_port = u->self.port, .dst_port = o->pi.dst.port,
	                      .payload_len = o->len};
	if (aero_wire_udp_encode(ip + iph, cap - u->l2len - iph, &uh, &ps, 0) < 0 ||
	    (v6 ? aero_wire_ipv6_encode(ip, cap - u->l2len, &h6)
	        : aero_wire_ipv4_encode(ip, cap - u->l2len, &h4)) < 0)
		return 0;
	return u->l2len + ipl;
}

size_t
pcapul_send_many(struct aerod *d, const struct aero_out *const *o, size_t n,
                 const struct aero_out *const **rest)
{
	struct pcapul *u = d->pcapul;
	static const struct aero_out *fb[AEROD_SEND_BATCH];
	static uint8_t frame[14 + 40 + 8 + 65536];
	size_t nfb = 0;
	uint64_t now = aerod_now();
	for (size_t i = 0; i < n; i++) {
		const struct nh_entry *nh = NULL;
		size_t fl = 0;
		if (o[i]->pi.dst.family == u->self.family) { /* else: udp.c counts it */
			nh = nexthop(u, &o[i]->pi.dst, now);
			if (nh->ok)
				fl = build_frame(u, nh, o[i], frame, sizeof frame);
			if (fl == 0)
				d->host_cnt[HC_PCAP_TX_FALLBACK]++;
		}
		if (fl == 0) {
			if (nfb < G_N_ELEMENTS(fb))
				fb[nfb++] = o[i];
			else
				d->host_cnt[HC_UDP_TX_ERR]++;
			continue;
		}
		if (pcap_inject(u->p, frame, fl) != (int)fl) {
			d->host_cnt[HC_UDP_TX_ERR]++;
			g_debug("pcap_inject on %s: %s", u->ifname, pcap_geterr(u->p));
			continue;
		}
		d->host_cnt[HC_PCAP_TX]++;
	}
	*rest = fb;
	return nfb;
}

/* ---- open, rebind, close -------------------------------------------------------- */

int
pcapul_open(struct aerod *d, GError **err)
{
	struct pcapul *u = g_new0(struct pcapul, 1);
	u->nl_fd = -1;
	char ifname[IF_NAMESIZE];
	char a[64];
	aero_loc_format(&d->cfg.self, a, sizeof a);
	if (d->o.underlay_if) {
		g_strlcpy(ifname, d->o.underlay_if, sizeof ifname);
	} else if (find_ifname(&d->cfg.self, ifname) != 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
		            "--underlay=pcap: the locator %s is on no interface here (give --underlay-if NAME)", a);
		g_free(u);
		return -1;
	}
	if (open_handle(d, u, ifname, &d->cfg.self, err) != 0) {
		g_free(u);
		return -1;
	}
	u->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
	if (u->nl_fd < 0 || bind(u->nl_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    setsockopt(u->nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
	    attach_sock_filter(d->udp_fd, u->ifindex) != 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "--underlay=pcap: %s", g_strerror(errno));
		if (u->nl_fd >= 0)
			close(u->nl_fd);
		pcap_close(u->p);
		g_free(u);
		return -1;
	}
	u->nh = g_hash_table_new_full(nh_hash, nh_equal, NULL, g_free);
	uint16_t id;
	if (getrandom(&id, sizeof id, 0) == sizeof id)
		u->ip_id = id;
	d->pcapul = u;
	u->watch = g_unix_fd_add(pcap_get_selectable_fd(u->p), G_IO_IN, pcapul_readable, d);
	g_message("underlay pcap on %s (%s, MTU %u), locator %s", u->ifname,
	          pcap_datalink_val_to_name(u->dlt), u->mtu, a);
	return 0;
}

int
pcapul_rebind(struct aerod *d, const struct aero_loc *loc, GError **err)
{
	struct pcapul *u = d->pcapul, nu = *u;
	char ifname[IF_NAMESIZE];
	char a[64];
	aero_loc_format(loc, a, sizeof a);
	int rc = 0;
	if (d->o.underlay_if)
		g_strlcpy(ifname, d->o.underlay_if, sizeof ifname);
	else if (find_ifname(loc, ifname) != 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
		            "--underlay=pcap: the locator %s is on no interface here", a);
		rc = -1;
	}
	if (rc == 0)
		rc = open_handle(d, &nu, ifname, loc, err);
	if (rc == 0) {
		g_source_remove(u->watch);
		pcap_close(u->p);
		*u = nu;
		g_hash_table_remove_all(u->nh);
		u->watch = g_unix_fd_add(pcap_get_selectable_fd(u->p), G_IO_IN, pcapul_readable, d);
		g_message("underlay pcap now on %s, locator %s", u->ifname, a);
	}
	/* the UDP socket is new (udp_rebind): filter it again */
	if (attach_sock_filter(d->udp_fd, u->ifindex) != 0)
		g_warning("pcap: socket filter: %s", g_strerror(errno));
	return rc;
}

void
pcapul_close(struct aerod *d)
{
	struct pcapul *u = d->pcapul;
	if (!u)
		return;
	if (u->watch)
		g_source_remove(u->watch);
	pcap_close(u->p);
	if (u->nl_fd >= 0)
		close(u->nl_fd);
	g_hash_table_destroy(u->nh);
	g_free(u);
	d->pcapul = NULL;
}
