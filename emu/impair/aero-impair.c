/*
 * emu/impair/aero-impair.c -- the one link impairment of the emulation:
 * delay, jitter and loss in user space (this kernel has no netem).
 *
 * One process per emulated node (network namespace). Every interface of the
 * node that sits on an emulated network gets an iptables/ip6tables rule
 *   -t mangle -A POSTROUTING -o IF -j NFQUEUE --queue-num K
 * and aero-impair holds each queued packet for delay +- jitter (uniform),
 * then accepts it, or drops it with probability loss. The packet's one-way
 * delay on a network is therefore applied once, on the egress of the sender
 * (or of the forwarding router), for every kind of traffic alike (AERO
 * underlay, native IPv6, ICMP, TCP). Rate limits stay in the kernel (tbf).
 *
 *   aero-impair [--seed N] [--stats FILE] K:DELAY_US:JITTER_US:LOSS ... K:table:FILE ...
 *
 * Radio range (MANET on one shared segment): a queue given as K:table:FILE
 * is fed from the INGRESS of the node's radio interface
 *   -t mangle -A PREROUTING -i IF -j NFQUEUE --queue-num K
 * and decides per neighbour, by the frame's source MAC (the previous hop;
 * the IP source of a forwarded packet is not the neighbour that sent it):
 * FILE holds one line per neighbour in range,
 *   MAC DELAY_US LOSS [LOSS_MULTICAST]     (# starts a comment; blank lines ok)
 * A frame from a MAC not in the table is dropped (out of range); otherwise
 * it is held DELAY_US and dropped with probability LOSS (unicast) or
 * LOSS_MULTICAST (IPv4 multicast/broadcast, IPv6 multicast destination;
 * default LOSS). Deciding on the receiver's side is what makes one
 * multicast packet (a routing daemon's Hello) reach exactly the neighbours
 * in range. SIGHUP re-reads FILE (the runner rewrites it atomically at each
 * mobility tick); a file that does not parse keeps the previous table and
 * counts a reload error.
 *
 * Release (K:DELAY_US:JITTER_US:LOSS:IFNAME, what the runner uses on every
 * egress queue): the packet is copied, its verdict is NF_DROP at once, and
 * the copy leaves after the delay from a raw socket bound to IFNAME that
 * marks it AERO_IMPAIR_MARK (the runner's rule skips marked packets). The
 * sender's socket is thus not charged for the time the link holds its
 * packet, as with a real link (and netem, which orphans what it delays):
 * held in the sending kernel, a TCP sender's small-queue limit (TSQ) counts
 * the link's whole delay as its own queue and throttles itself -- a kernel
 * tunnel (aerod --fastpath) sending 3.7 instead of 32 Mbit/s over a 10 ms
 * link. Packets larger than IFNAME's MTU (fragmented later by the kernel)
 * and non-IP packets are held as before.
 *
 * On SIGTERM/SIGINT it writes per-queue statistics as JSON to --stats
 * (packets, dropped, mean applied delay in microseconds; table queues also
 * out_of_range, neighbours, reloads, reload_errors) and exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_Q 32
#define AERO_IMPAIR_MARK 0xae1 /* copies sent by a release queue (topologies/aero_emu.py) */
#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36
#endif

/* one neighbour in range (table queues) */
struct nbr {
	uint64_t delay_ns;
	double loss, loss_mc;
};

struct qconf {
	unsigned num;
	uint64_t delay_ns, jitter_ns;
	double loss;
	struct nfq_q_handle *qh;
	uint64_t pkts, dropped, held_sum_ns;
	/* table queues: per source MAC (uint64 key), NULL = plain queue */
	const char *table_path;
	GHashTable *table;
	uint64_t out_of_range, reloads, reload_errors;
	/* release queues: the interface, its MTU and the raw sockets */
	char ifname[IF_NAMESIZE];
	unsigned ifindex, mtu;
	int raw4, raw6;
	uint64_t released, send_errors;
};

struct held {
	uint64_t due;
	uint32_t id;
	struct qconf *q;
	uint8_t *copy;     /* release: the packet to send at due (else NULL) */
	size_t len;
};

static struct qconf qs[MAX_Q];
static unsigned n_q;
static GArray *heap; /* struct held, min-heap on due */
static GRand *rng;
static volatile sig_atomic_t stop, reload;

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
heap_push(struct held h)
{
	g_array_append_val(heap, h);
	struct held *a = (struct held *)heap->data;
	for (guint i = heap->len - 1; i > 0;) {
		guint p = (i - 1) / 2;
		if (a[p].due <= a[i].due)
			break;
		struct held t = a[p]; a[p] = a[i]; a[i] = t;
		i = p;
	}
}

static struct held
heap_pop(void)
{
	struct held *a = (struct held *)heap->data;
	struct held top = a[0];
	a[0] = a[heap->len - 1];
	g_array_set_size(heap, heap->len - 1);
	for (guint i = 0;;) {
		guint l = 2 * i + 1, r = l + 1, m = i;
		if (l < heap->len && a[l].due < a[m].due) m = l;
		if (r < heap->len && a[r].due < a[m].due) m = r;
		if (m == i)
			break;
		struct held t = a[m]; a[m] = a[i]; a[i] = t;
		i = m;
	}
	return top;
}

static uint64_t
mac_key(const uint8_t *m)
{
	uint64_t k = 0;
	for (int i = 0; i < 6; i++)
		k = k << 8 | m[i];
	return k;
}

/* FILE -> a new table (MAC -> struct nbr), or NULL with a message. */
static GHashTable *
table_load(const char *path)
{
	gchar *text = NULL;
	GError *err = NULL;
	if (!g_file_get_contents(path, &text, NULL, &err)) {
		fprintf(stderr, "aero-impair: table %s: %s\n", path, err->message);
		g_error_free(err);
		return NULL;
	}
	GHashTable *t = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	gchar **lines = g_strsplit(text, "\n", -1);
	bool ok = true;
	for (unsigned ln = 0; ok && lines[ln]; ln++) {
		char *hash = strchr(lines[ln], '#'); /* a comment to the end of the line */
		if (hash)
			*hash = '\0';
		char *l = g_strstrip(lines[ln]);
		if (!*l)
			continue;
		unsigned m[6];
		unsigned long long d;
		double loss, loss_mc = -1;
		char tail;
		int n = sscanf(l, "%x:%x:%x:%x:%x:%x %llu %lf %lf %c", &m[0], &m[1], &m[2], &m[3],
		               &m[4], &m[5], &d, &loss, &loss_mc, &tail);
		if (n == 8)
			loss_mc = loss;
		if ((n != 8 && n != 9) || loss < 0 || loss > 1 || loss_mc < 0 || loss_mc > 1 ||
		    d > 60000000ULL) {
			fprintf(stderr, "aero-impair: table %s line %u: bad line '%s' "
			        "(want MAC DELAY_US LOSS [LOSS_MULTICAST])\n", path, ln + 1, l);
			ok = false;
			break;
		}
		uint8_t mb[6];
		for (int i = 0; i < 6; i++) {
			if (m[i] > 255)
				ok = false;
			mb[i] = (uint8_t)m[i];
		}
		if (!ok) {
			fprintf(stderr, "aero-impair: table %s line %u: bad MAC\n", path, ln + 1);
			break;
		}
		uint64_t *k = g_new(uint64_t, 1);
		*k = mac_key(mb);
		struct nbr *v = g_new(struct nbr, 1);
		*v = (struct nbr){(uint64_t)d * 1000ULL, loss, loss_mc};
		g_hash_table_replace(t, k, v);
	}
	g_strfreev(lines);
	g_free(text);
	if (!ok) {
		g_hash_table_destroy(t);
		return NULL;
	}
	return t;
}

static void
tables_reload(void)
{
	for (unsigned k = 0; k < n_q; k++) {
		if (!qs[k].table_path)
			continue;
		GHashTable *t = table_load(qs[k].table_path);
		if (!t) {
			qs[k].reload_errors++;
			continue;
		}
		if (qs[k].table)
			g_hash_table_destroy(qs[k].table);
		qs[k].table = t;
		qs[k].reloads++;
	}
}

/* Multicast or broadcast IP destination (a frame every neighbour gets). */
static bool
ip_multicast(const unsigned char *p, int len)
{
	if (len >= 20 && (p[0] >> 4) == 4)
		return (p[16] >= 224 && p[16] <= 239) ||
		       (p[16] == 255 && p[17] == 255 && p[18] == 255 && p[19] == 255);
	if (len >= 40 && (p[0] >> 4) == 6)
		return p[24] == 0xff;
	return false;
}

static int
on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
          void *data)
{
	(void)msg;
	struct qconf *q = data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	if (!ph)
		return 0;
	uint32_t id = ntohl(ph->packet_id);
	q->pkts++;
	double loss = q->loss;
	uint64_t delay = q->delay_ns;
	if (q->table_path) {
		struct nfqnl_msg_packet_hw *hw = nfq_get_packet_hw(nfa);
		if (!hw || ntohs(hw->hw_addrlen) != 6)
			return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL); /* not from the radio */
		uint64_t key = mac_key(hw->hw_addr);
		const struct nbr *nb = q->table ? g_hash_table_lookup(q->table, &key) : NULL;
		if (!nb) {
			q->out_of_range++;
			q->dropped++;
			return nfq_set_verdict(qh, id, NF_DROP, 0, NULL);
		}
		unsigned char *pl = NULL;
		int len = nfq_get_payload(nfa, &pl);
		loss = ip_multicast(pl, len) ? nb->loss_mc : nb->loss;
		delay = nb->delay_ns;
	}
	if (loss > 0 && g_rand_double(rng) < loss) {
		q->dropped++;
		return nfq_set_verdict(qh, id, NF_DROP, 0, NULL);
	}
	int64_t d = (int64_t)delay;
	if (q->jitter_ns)
		d += (int64_t)(g_rand_double_range(rng, -1.0, 1.0) * (double)q->jitter_ns);
	if (d <= 0)
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	q->held_sum_ns += (uint64_t)d;
	struct held h = {now_ns() + (uint64_t)d, id, q, NULL, 0};
	if (q->ifindex) {
		unsigned char *pl = NULL;
		int len = nfq_get_payload(nfa, &pl);
		int v = len >= 20 ? pl[0] >> 4 : 0;
		if ((v == 4 || (v == 6 && len >= 40)) && (unsigned)len <= q->mtu) {
			h.copy = g_memdup2(pl, (gsize)len);
			h.len = (size_t)len;
			q->released++;
			nfq_set_verdict(qh, id, NF_DROP, 0, NULL); /* the sender is free */
		}
	}
	heap_push(h);
	return 0;
}

/* a release queue's copy leaves now, marked so that the rule lets it pass */
static void
send_copy(struct held *x)
{
	struct qconf *q = x->q;
	ssize_t r;
	if ((x->copy[0] >> 4) == 4) {
		struct sockaddr_in to = {.sin_family = AF_INET};
		memcpy(&to.sin_addr, x->copy + 16, 4);
		r = sendto(q->raw4, x->copy, x->len, 0, (struct sockaddr *)&to, sizeof to);
	} else {
		struct sockaddr_in6 to = {.sin6_family = AF_INET6};
		memcpy(&to.sin6_addr, x->copy + 24, 16);
		if (IN6_IS_ADDR_LINKLOCAL(&to.sin6_addr) || IN6_IS_ADDR_MULTICAST(&to.sin6_addr))
			to.sin6_scope_id = q->ifindex;
		r = sendto(q->raw6, x->copy, x->len, 0, (struct sockaddr *)&to, sizeof to);
	}
	if (r < 0 && q->send_errors++ < 5)
		fprintf(stderr, "aero-impair: queue %u: sending a released packet on %s: %s\n",
		        q->num, q->ifname, g_strerror(errno));
	g_free(x->copy);
}

static void
release(struct held *x)
{
	if (x->copy)
		send_copy(x);
	else
		nfq_set_verdict(x->q->qh, x->id, NF_ACCEPT, 0, NULL);
}

static int
raw_socket(int family, const char *ifname)
{
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return -1;
	int one = 1, mark = AERO_IMPAIR_MARK;
	if ((family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof one) != 0) ||
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) != 0) {
		close(fd);
		return -1;
	}
	if (family == AF_INET)
		setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	return fd;
}

static int
release_open(struct qconf *q)
{
	q->ifindex = if_nametoindex(q->ifname);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	g_strlcpy(ifr.ifr_name, q->ifname, sizeof ifr.ifr_name);
	q->raw4 = raw_socket(AF_INET, q->ifname);
	q->raw6 = raw_socket(AF_INET6, q->ifname);
	if (!q->ifindex || q->raw4 < 0 || q->raw6 < 0 || ioctl(q->raw4, SIOCGIFMTU, &ifr) != 0) {
		fprintf(stderr, "aero-impair: queue %u: release on %s: %s\n", q->num, q->ifname,
		        g_strerror(errno));
		return -1;
	}
	q->mtu = (unsigned)ifr.ifr_mtu;
	return 0;
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
}

static int
usage(void)
{
	fprintf(stderr, "usage: aero-impair [--seed N] [--stats FILE] QUEUE:DELAY_US:JITTER_US:LOSS ... "
	        "QUEUE:DELAY_US:JITTER_US:LOSS:IFNAME ... QUEUE:table:FILE ...\n");
	return 2;
}

int
main(int argc, char **argv)
{
	guint32 seed = (guint32)getpid();
	const char *stats = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = (guint32)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--stats") && i + 1 < argc)
			stats = argv[++i];
		else
			return usage();
	}
	for (; i < argc; i++) {
		unsigned num;
		unsigned long long dl, jt;
		double loss;
		int off = 0;
		if (n_q < MAX_Q && sscanf(argv[i], "%u:table:%n", &num, &off) == 1 && off > 0 &&
		    argv[i][off] && num <= 65535) {
			qs[n_q] = (struct qconf){.num = num, .table_path = argv[i] + off};
			qs[n_q].table = table_load(qs[n_q].table_path);
			if (!qs[n_q].table)
				return 2;
			n_q++;
			continue;
		}
		char ifn[IF_NAMESIZE + 1] = "";
		int nf = n_q < MAX_Q ? sscanf(argv[i], "%u:%llu:%llu:%lf:%15[^:]", &num, &dl, &jt, &loss, ifn) : 0;
		if (nf < 4 || loss < 0 || loss > 1 || num > 65535) {
			fprintf(stderr, "aero-impair: bad queue spec '%s'\n", argv[i]);
			return usage();
		}
		qs[n_q] = (struct qconf){.num = num, .delay_ns = dl * 1000ULL,
		                         .jitter_ns = jt * 1000ULL, .loss = loss, .raw4 = -1, .raw6 = -1};
		if (nf == 5) {
			g_strlcpy(qs[n_q].ifname, ifn, sizeof qs[n_q].ifname);
			if (release_open(&qs[n_q]) != 0)
				return 3;
		}
		n_q++;
	}
	if (n_q == 0)
		return usage();
	rng = g_rand_new_with_seed(seed);
	heap = g_array_new(FALSE, FALSE, sizeof(struct held));
	struct nfq_handle *h = nfq_open();
	if (!h) {
		fprintf(stderr, "aero-impair: nfq_open: %s (needs CAP_NET_ADMIN and nfnetlink_queue)\n",
		        g_strerror(errno));
		return 3;
	}
	for (unsigned k = 0; k < n_q; k++) {
		qs[k].qh = nfq_create_queue(h, (uint16_t)qs[k].num, on_packet, &qs[k]);
		if (!qs[k].qh) {
			fprintf(stderr, "aero-impair: cannot bind queue %u: %s\n", qs[k].num,
			        g_strerror(errno));
			return 3;
		}
		/* table queues look at the IP destination (multicast or not);
		 * release queues send a copy */
		if (qs[k].table_path)
			nfq_set_mode(qs[k].qh, NFQNL_COPY_PACKET, 40);
		else if (qs[k].ifindex)
			nfq_set_mode(qs[k].qh, NFQNL_COPY_PACKET, 0xffff);
		else
			nfq_set_mode(qs[k].qh, NFQNL_COPY_META, 0);
		nfq_set_queue_maxlen(qs[k].qh, 16384);
	}
	nfnl_rcvbufsiz(nfq_nfnlh(h), 8 << 20);
	int fd = nfq_fd(h);
	/* timing accuracy on a busy machine: real-time priority when allowed,
	 * no timer slack */
	struct sched_param sp = {.sched_priority = 10};
	if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
		fprintf(stderr, "aero-impair: no real-time priority (%s): delays may stretch under load\n",
		        g_strerror(errno));
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fprintf(stderr, "aero-impair: %u queue(s) ready\n", n_q);
	char buf[65536] __attribute__((aligned));
	while (!stop) {
		if (reload) {
			reload = 0;
			tables_reload();
		}
		uint64_t now = now_ns();
		while (heap->len && ((struct held *)heap->data)[0].due <= now) {
			struct held x = heap_pop();
			release(&x);
		}
		int timeout = -1;
		if (heap->len) {
			uint64_t due = ((struct held *)heap->data)[0].due;
			timeout = (int)((due - now + 999999) / 1000000);
		}
		/* sub-millisecond accuracy: spin-wait the last millisecond */
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int r = poll(&pfd, 1, timeout > 1 ? timeout - 1 : (heap->len ? 0 : -1));
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0) {
			for (int k = 0; k < 64; k++) {
				ssize_t len = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
				if (len <= 0)
					break;
				nfq_handle_packet(h, buf, (int)len);
			}
		} else if (r == 0 && heap->len) {
			/* spin a little: poll(0) until due */
			struct timespec ts = {0, 50000};
			nanosleep(&ts, NULL);
		}
	}
	while (heap->len) {
		struct held x = heap_pop();
		release(&x);
	}
	if (stats) {
		FILE *f = fopen(stats, "w");
		if (f) {
			fputs("{", f);
			for (unsigned k = 0; k < n_q; k++)
				fprintf(f, "%s\"%u\":{\"packets\":%llu,\"dropped\":%llu,\"mean_delay_us\":%.1f,"
				        "\"delay_us\":%llu,\"jitter_us\":%llu,\"loss\":%g,"
				        "\"released\":%llu,\"send_errors\":%llu}",
				        k ? "," : "", qs[k].num, (unsigned long long)qs[k].pkts,
				        (unsigned long long)qs[k].dropped,
				        qs[k].pkts > qs[k].dropped ? (double)qs[k].held_sum_ns / 1000.0 /
				                (double)(qs[k].pkts - qs[k].dropped) : 0.0,
				        (unsigned long long)(qs[k].delay_ns / 1000),
				        (unsigned long long)(qs[k].jitter_ns / 1000), qs[k].loss,
				        (unsigned long long)qs[k].released,
				        (unsigned long long)qs[k].send_errors);
			for (unsigned k = 0; k < n_q; k++)
				if (qs[k].table_path)
					fprintf(f, ",\"%u-table\":{\"out_of_range\":%llu,\"neighbours\":%u,"
					        "\"reloads\":%llu,\"reload_errors\":%llu}", qs[k].num,
					        (unsigned long long)qs[k].out_of_range,
					        qs[k].table ? g_hash_table_size(qs[k].table) : 0u,
					        (unsigned long long)qs[k].reloads,
					        (unsigned long long)qs[k].reload_errors);
			fputs("}\n", f);
			fclose(f);
		}
	}
	for (unsigned k = 0; k < n_q; k++) {
		if (qs[k].raw4 >= 0)
			close(qs[k].raw4);
		if (qs[k].raw6 >= 0)
			close(qs[k].raw6);
		nfq_destroy_queue(qs[k].qh);
		if (qs[k].table)
			g_hash_table_destroy(qs[k].table);
	}
	nfq_close(h);
	return 0;
}
