/*
 * emu/aerod/tun.c -- the AERO interface: a Linux TUN device (IFF_TUN |
 * IFF_NO_PI), one inner IPv6 packet per read/write.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "aerod.h"

#define TUN_BATCH 64

int
tun_open(struct aerod *d, GError **err)
{
	for (unsigned i = 0; i < d->o.n_downstream; i++) {
		d->ds_ifindex[i] = if_nametoindex(d->o.downstream[i]);
		if (!d->ds_ifindex[i]) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			            "downstream interface %s does not exist", d->o.downstream[i]);
			return -1;
		}
	}
	if (!strcmp(d->o.tun_name, "none")) {
		/* --tun none (tests without privileges): the tunnel side is
		 * discarded and counted in host_tun_tx_err */
		g_strlcpy(d->tun_name, "none", sizeof d->tun_name);
		return 0;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "cannot open /dev/net/tun: %s (TUN support and CAP_NET_ADMIN are needed)",
		            g_strerror(errno));
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	g_strlcpy(ifr.ifr_name, d->o.tun_name, IFNAMSIZ);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "cannot create TUN device %s: %s", d->o.tun_name, g_strerror(errno));
		close(fd);
		return -1;
	}
	g_strlcpy(d->tun_name, ifr.ifr_name, sizeof d->tun_name);
	d->tun_fd = fd;
	d->tun_ifindex = if_nametoindex(d->tun_name);
	/* no kernel-made link-local address, RS or DAD on the AERO interface:
	 * the core owns its addresses */
	static const char *const knobs[][2] = {{"addr_gen_mode", "1"},
	                                       {"accept_ra", "0"},
	                                       {"router_solicitations", "0"},
	                                       {"accept_dad", "0"}};
	for (size_t i = 0; !d->o.no_netlink && i < G_N_ELEMENTS(knobs); i++) {
		char *path = g_strdup_printf("/proc/sys/net/ipv6/conf/%s/%s",
		                             d->tun_name, knobs[i][0]);
		if (!g_file_set_contents(path, knobs[i][1], -1, NULL))
			g_debug("cannot set %s", path);
		g_free(path);
	}
	if (!d->o.no_netlink && rtnl_link_up(d, d->tun_ifindex, d->cfg.mtu) != 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "cannot bring %s up with MTU %u", d->tun_name, d->cfg.mtu);
		return -1;
	}
	return 0;
}

void
tun_close(struct aerod *d)
{
	if (d->tun_fd >= 0)
		close(d->tun_fd);
	d->tun_fd = -1;
}

gboolean
tun_readable(gint fd, GIOCondition c, gpointer user)
{
	(void)c;
	struct aerod *d = user;
	uint8_t buf[65536];
	for (int i = 0; i < TUN_BATCH; i++) {
		ssize_t k = read(fd, buf, sizeof buf);
		if (k < 0) {
			if (errno != EAGAIN && errno != EINTR)
				g_warning("read %s: %s", d->tun_name, g_strerror(errno));
			break;
		}
		if (k == 0 || (buf[0] >> 4) != 6)
			continue; /* the AERO interface carries IPv6 only */
		d->host_cnt[HC_TUN_RX]++;
		struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL, .ifindex = 0};
		aero_node_recv(d->node, &pi, buf, (size_t)k, aerod_now());
		aerod_run_core(d);
	}
	return G_SOURCE_CONTINUE;
}

void
tun_write(struct aerod *d, const uint8_t *pkt, size_t len)
{
	if (d->tun_fd < 0 || write(d->tun_fd, pkt, len) < 0) {
		d->host_cnt[HC_TUN_TX_ERR]++;
		g_debug("write %s: %s", d->tun_name, g_strerror(errno));
		return;
	}
	d->host_cnt[HC_TUN_TX]++;
}
