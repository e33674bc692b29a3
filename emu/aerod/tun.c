/*
 * emu/aerod/tun.c -- the AERO interface: a Linux TUN device (IFF_TUN |
 * IFF_NO_PI). Without offloads (--no-offload, and always for downstream
 * TUNs) one inner IPv6 packet per read/write. With offloads (the default)
 * the AERO TUN has IFF_VNET_HDR and TUNSETOFFLOAD CSUM|TSO6|TSO_ECN: a read
 * may be a TCP super-packet of up to 64 KB, cut into segments of the AERO
 * MTU in user space (offload.c), each handed to the core; writes go through
 * the user-space GRO of offload.c (one GSO write per run of in-order TCP
 * segments of a flow, flushed by tun_flush at the end of every drain).
 *
 * --tap: the AERO interface is a TAP device instead (IFF_TAP, IFF_NOARP):
 * the kernel frames every packet in Ethernet (destination its own MAC, as
 * NOARP gives, or 33:33:x for multicast), aerod drops the Ethernet header
 * of what it reads (a frame that is not IPv6 is counted and dropped) and
 * adds one to what it writes (destination the TAP's MAC or the multicast
 * MAC, source TAP_PEER_MAC). With offloads the vnet header's offsets are
 * moved by the Ethernet header's length both ways, so TSO and the GRO work
 * as on the TUN.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "aerod.h"
#include "offload.h"

#define TUN_BATCH 64
/* gso_max_size of the AERO TUN: IPv6 + TCP header bytes of a segment, and
 * room per datagram for a P2 SEAL shim */
#define TUN_GSO_HDRS 60
#define TUN_GSO_SHIM 64

static bool tun_vnet;              /* the AERO TUN has a vnet header */
static bool tap;                   /* --tap: Ethernet framing */
static uint8_t tap_mac[ETH_ALEN];  /* the TAP's own MAC (NOARP: every unicast goes there) */
/* the far end of the TAP "link": source of the frames aerod writes */
static const uint8_t TAP_PEER_MAC[ETH_ALEN] = {0x02, 0xae, 0x00, 0x00, 0x00, 0x01};
static void gro_write(void *user, const struct iovec *iov, int iovcnt);
static struct offload_stats ost;
static struct offload_gro *gro;

static void
set_knobs(struct aerod *d, const char *ifname, const char *const (*knobs)[2], size_t n)
{
	for (size_t i = 0; !d->o.no_netlink && i < n; i++) {
		char *path = g_strdup_printf("/proc/sys/net/ipv6/conf/%s/%s", ifname,
		                             knobs[i][0]);
		/* a plain write: g_file_set_contents writes a temporary file
		 * and renames it, which /proc refuses (the knobs were never
		 * set, and the kernel sent its own RS on the AERO TUN) */
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		ssize_t w = fd >= 0 ? write(fd, knobs[i][1], strlen(knobs[i][1])) : -1;
		if (w < 0)
			g_warning("cannot set %s: %s", path, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		g_free(path);
	}
}

static int
tun_create(const char *name, char out[IF_NAMESIZE], bool vnet, bool is_tap, GError **err)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "cannot open /dev/net/tun: %s (TUN support and CAP_NET_ADMIN are needed)",
		            g_strerror(errno));
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = (short)((is_tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0));
	g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "cannot create %s device %s: %s", is_tap ? "TAP" : "TUN", name,
		            g_strerror(errno));
		close(fd);
		return -1;
	}
	int hsz = OFFLOAD_VNET_HDR_LEN;
	unsigned off = TUN_F_CSUM | TUN_F_TSO6 | TUN_F_TSO_ECN;
	if (vnet && (ioctl(fd, TUNSETVNETHDRSZ, &hsz) < 0 || ioctl(fd, TUNSETOFFLOAD, off) < 0)) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "TUN %s: cannot set the vnet header / offloads: %s (try --no-offload)",
		            name, g_strerror(errno));
		close(fd);
		return -1;
	}
	if (is_tap && ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 &&
	    ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER)
		memcpy(tap_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	g_strlcpy(out, ifr.ifr_name, IF_NAMESIZE);
	return fd;
}

struct ds_src {
	struct aerod *d;
	unsigned k;
};

static gboolean
ds_readable(gint fd, GIOCondition c, gpointer user)
{
	(void)c;
	struct ds_src *x = user;
	struct aerod *d = x->d;
	uint8_t buf[65536];
	for (int i = 0; i < TUN_BATCH; i++) {
		ssize_t k = read(fd, buf, sizeof buf);
		if (k <= 0)
			break;
		if ((buf[0] >> 4) != 6)
			continue;
		d->host_cnt[HC_DS_RX]++;
		struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL, .ifindex = x->k};
		aero_node_recv(d->node, &pi, buf, (size_t)k, aerod_now());
		aerod_run_core(d);
	}
	return G_SOURCE_CONTINUE;
}

/* Downstream link k (1-based): "tun:NAME" is a TUN that aerod creates and
 * whose packets carry ifindex k to the core (RS, DHCPv6 of a requesting
 * router such as dhcpcd, and traffic); a plain NAME is an existing
 * interface that the kernel routes to (routes and addresses only). */
static int
ds_open(struct aerod *d, GError **err)
{
	for (unsigned i = 0; i < d->o.n_downstream; i++) {
		d->ds_fd[i] = -1;
		const char *name = d->o.downstream[i];
		if (g_str_has_prefix(name, "tun:")) {
			char got[IF_NAMESIZE];
			int fd = tun_create(name + 4, got, false, false, err);
			if (fd < 0)
				return -1;
			d->ds_fd[i] = fd;
			d->ds_ifindex[i] = if_nametoindex(got);
			/* a random link-local for the requesting router's
			 * DHCPv6 and RS; no DAD, no RA processing */
			static const char *const knobs[][2] = {{"addr_gen_mode", "3"},
			                                       {"accept_ra", "0"},
			                                       {"router_solicitations", "0"},
			                                       {"accept_dad", "0"}};
			set_knobs(d, got, knobs, G_N_ELEMENTS(knobs));
			if (!d->o.no_netlink && rtnl_link_up(d, d->ds_ifindex[i], d->cfg.mtu, 0) != 0) {
				g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot bring %s up", got);
				return -1;
			}
			struct ds_src *x = g_new0(struct ds_src, 1); /* lives as long as aerod */
			x->d = d;
			x->k = i + 1;
			g_unix_fd_add(fd, G_IO_IN, ds_readable, x);
			continue;
		}
		d->ds_ifindex[i] = if_nametoindex(name);
		if (!d->ds_ifindex[i]) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			            "downstream interface %s does not exist", d->o.downstream[i]);
			return -1;
		}
	}
	return 0;
}

int
tun_open(struct aerod *d, GError **err)
{
	if (ds_open(d, err) != 0)
		return -1;
	if (!strcmp(d->o.tun_name, "none")) {
		/* --tun none (tests without privileges): the tunnel side is
		 * discarded and counted in host_tun_tx_err */
		g_strlcpy(d->tun_name, "none", sizeof d->tun_name);
		return 0;
	}
	tun_vnet = !d->o.no_offload;
	tap = d->o.tap;
	int fd = tun_create(d->o.tun_name, d->tun_name, tun_vnet, tap, err);
	if (fd < 0)
		return -1;
	d->tun_fd = fd;
	if (tun_vnet) {
		gro = g_new(struct offload_gro, 1); /* lives as long as aerod */
		offload_gro_init(gro, gro_write, d, &ost);
	}
	d->tun_ifindex = if_nametoindex(d->tun_name);
	/* no kernel-made link-local address, RS or DAD on the AERO interface:
	 * the core owns its addresses */
	static const char *const knobs[][2] = {{"addr_gen_mode", "1"},
	                                       {"accept_ra", "0"},
	                                       {"router_solicitations", "0"},
	                                       {"accept_dad", "0"}};
	set_knobs(d, d->tun_name, knobs, G_N_ELEMENTS(knobs));
	if (!d->o.no_netlink && rtnl_link_up(d, d->tun_ifindex, d->cfg.mtu, tap ? IFF_NOARP : 0) != 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "cannot bring %s up with MTU %u", d->tun_name, d->cfg.mtu);
		return -1;
	}
	if (tun_vnet && !d->o.no_netlink && d->cfg.mtu > TUN_GSO_HDRS && d->o.tun_gso_max != 0) {
		/* TCP super-packets no larger than what one UDP GSO message
		 * carries once cut to the MTU: one read, one send */
		uint32_t segs = AEROD_UDP_GSO_MAX_BYTES / (d->cfg.mtu + TUN_GSO_SHIM);
		uint32_t max = d->o.tun_gso_max > 0 ? (uint32_t)d->o.tun_gso_max
		                                    : segs * (d->cfg.mtu - TUN_GSO_HDRS);
		if (rtnl_link_gso_max(d, d->tun_ifindex, max) != 0)
			g_debug("%s: cannot set gso_max_size %u", d->tun_name, max);
	}
	return 0;
}

void
tun_close(struct aerod *d)
{
	if (d->tun_fd >= 0)
		close(d->tun_fd);
	d->tun_fd = -1;
	for (unsigned i = 0; i < d->o.n_downstream; i++)
		if (d->ds_fd[i] >= 0) {
			close(d->ds_fd[i]);
			d->ds_fd[i] = -1;
		}
}

/* offload counters into the host counters (after every burst) */
static void
sync_counters(struct aerod *d)
{
	d->host_cnt[HC_TUN_GSO_RX] = ost.gso_rx;
	d->host_cnt[HC_TUN_SEGS] = ost.seg_out;
	d->host_cnt[HC_TUN_CSUM] = ost.csum_done;
	d->host_cnt[HC_TUN_VNET_BAD] = ost.bad;
	d->host_cnt[HC_TUN_GRO_IN] = ost.gro_in;
	d->host_cnt[HC_TUN_GRO_OUT] = ost.gro_out;
	d->host_cnt[HC_TUN_GRO_BAD_CSUM] = ost.gro_bad_csum;
}

/* one packet (or segment) from the AERO TUN to the core */
static void
to_core(void *user, uint8_t *pkt, size_t len)
{
	struct aerod *d = user;
	if ((pkt[0] >> 4) != 6)
		return; /* the AERO interface carries IPv6 only */
	d->host_cnt[HC_TUN_RX]++;
	struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL, .ifindex = 0};
	aero_node_recv(d->node, &pi, pkt, len, aerod_now());
	aerod_run_core(d);
}

gboolean
tun_readable(gint fd, GIOCondition c, gpointer user)
{
	(void)c;
	struct aerod *d = user;
	static uint8_t frame[OFFLOAD_VNET_HDR_LEN + ETH_HLEN + 65536];
	aerod_batch_begin(d);
	for (int i = 0; i < TUN_BATCH; i++) {
		ssize_t k = read(fd, frame, sizeof frame);
		if (k < 0) {
			if (errno != EAGAIN && errno != EINTR)
				g_warning("read %s: %s", d->tun_name, g_strerror(errno));
			break;
		}
		uint8_t *buf = frame;
		if (tap) {
			/* [vnet header] Ethernet IPv6...: drop the Ethernet header
			 * (the vnet header moves up over it) */
			size_t vh = tun_vnet ? OFFLOAD_VNET_HDR_LEN : 0;
			if ((size_t)k < vh + ETH_HLEN ||
			    frame[vh + 12] != (ETH_P_IPV6 >> 8) || frame[vh + 13] != (ETH_P_IPV6 & 0xff)) {
				d->host_cnt[HC_TAP_RX_NOT_IPV6]++;
				continue;
			}
			if (vh) {
				memmove(frame + ETH_HLEN, frame, vh);
				if (!offload_vnet_shift(frame + ETH_HLEN, -ETH_HLEN)) {
					ost.bad++;
					continue;
				}
			}
			buf = frame + ETH_HLEN;
			k -= ETH_HLEN;
		}
		if (tun_vnet) {
			if (offload_segment(buf, (size_t)k, d->cfg.mtu, to_core, d, &ost) < 0)
				g_debug("read %s: bad or unsupported vnet header (%zd bytes)",
				        d->tun_name, k);
		} else if (k > 0) {
			to_core(d, buf, (size_t)k);
		}
	}
	aerod_batch_end(d);
	if (tun_vnet)
		sync_counters(d);
	return G_SOURCE_CONTINUE;
}

/* The Ethernet header of a frame aerod writes to the TAP for the IPv6
 * packet starting at ip6 (at least 40 bytes). */
static void
tap_eth(uint8_t eth[ETH_HLEN], const uint8_t *ip6)
{
	if (ip6[24] == 0xff) { /* multicast: 33:33 + the low 32 bits */
		eth[0] = eth[1] = 0x33;
		memcpy(eth + 2, ip6 + 36, 4);
	} else {
		memcpy(eth, tap_mac, ETH_ALEN);
	}
	memcpy(eth + ETH_ALEN, TAP_PEER_MAC, ETH_ALEN);
	eth[12] = ETH_P_IPV6 >> 8;
	eth[13] = ETH_P_IPV6 & 0xff;
}

/* TAP: the same write with an Ethernet header after the vnet header (whose
 * offsets move by its length). iov[0] begins with the vnet header; the
 * IPv6 header follows it in iov[0] or starts iov[1]. */
static ssize_t
tap_writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct iovec v[OFFLOAD_GRO_MAX_SEGS + 4];
	uint8_t vh[OFFLOAD_VNET_HDR_LEN], eth[ETH_HLEN];
	if (iovcnt < 1 || iovcnt + 2 > (int)G_N_ELEMENTS(v) || iov[0].iov_len < OFFLOAD_VNET_HDR_LEN) {
		errno = EINVAL;
		return -1;
	}
	const uint8_t *h0 = iov[0].iov_base;
	const uint8_t *ip6 = iov[0].iov_len > OFFLOAD_VNET_HDR_LEN ? h0 + OFFLOAD_VNET_HDR_LEN
	                     : iovcnt > 1 ? iov[1].iov_base : NULL;
	size_t iplen = iov[0].iov_len > OFFLOAD_VNET_HDR_LEN ? iov[0].iov_len - OFFLOAD_VNET_HDR_LEN
	               : iovcnt > 1 ? iov[1].iov_len : 0;
	if (!ip6 || iplen < 40) {
		errno = EINVAL;
		return -1;
	}
	memcpy(vh, h0, sizeof vh);
	if (!offload_vnet_shift(vh, ETH_HLEN)) {
		errno = EINVAL;
		return -1;
	}
	tap_eth(eth, ip6);
	int n = 0;
	v[n++] = (struct iovec){vh, sizeof vh};
	v[n++] = (struct iovec){eth, sizeof eth};
	if (iov[0].iov_len > OFFLOAD_VNET_HDR_LEN)
		v[n++] = (struct iovec){(uint8_t *)h0 + OFFLOAD_VNET_HDR_LEN,
		                        iov[0].iov_len - OFFLOAD_VNET_HDR_LEN};
	for (int i = 1; i < iovcnt; i++)
		v[n++] = iov[i];
	return writev(fd, v, n);
}

static void
gro_write(void *user, const struct iovec *iov, int iovcnt)
{
	struct aerod *d = user;
	if ((tap ? tap_writev(d->tun_fd, iov, iovcnt) : writev(d->tun_fd, iov, iovcnt)) < 0) {
		d->host_cnt[HC_TUN_TX_ERR]++;
		g_debug("write %s: %s", d->tun_name, g_strerror(errno));
		return;
	}
	d->host_cnt[HC_TUN_TX]++;
}

void
tun_write(struct aerod *d, const uint8_t *pkt, size_t len)
{
	if (d->tun_fd >= 0 && tun_vnet) {
		offload_gro_add(gro, pkt, len);
		return;
	}
	uint8_t eth[ETH_HLEN];
	if (tap && len >= 40)
		tap_eth(eth, pkt);
	struct iovec v[2] = {{eth, sizeof eth}, {(void *)pkt, len}};
	if (d->tun_fd < 0 || (tap ? (len < 40 ? (errno = EINVAL, -1) : writev(d->tun_fd, v, 2))
	                          : write(d->tun_fd, pkt, len)) < 0) {
		d->host_cnt[HC_TUN_TX_ERR]++;
		g_debug("write %s: %s", d->tun_name, g_strerror(errno));
		return;
	}
	d->host_cnt[HC_TUN_TX]++;
}

void
tun_flush(struct aerod *d)
{
	if (!gro)
		return;
	offload_gro_flush(gro);
	sync_counters(d);
}

void
tun_write_link(struct aerod *d, unsigned k, const uint8_t *pkt, size_t len)
{
	if (k >= 1 && k <= d->o.n_downstream && d->ds_fd[k - 1] >= 0) {
		if (write(d->ds_fd[k - 1], pkt, len) < 0) {
			d->host_cnt[HC_TUN_TX_ERR]++;
			return;
		}
		d->host_cnt[HC_TUN_TX]++;
		return;
	}
	tun_write(d, pkt, len);
}
