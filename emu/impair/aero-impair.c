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
 *   aero-impair [--seed N] [--stats FILE] K:DELAY_US:JITTER_US:LOSS ...
 *
 * On SIGTERM/SIGINT it writes per-queue statistics as JSON to --stats
 * (packets, dropped, mean applied delay in microseconds) and exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_Q 32

struct qconf {
	unsigned num;
	uint64_t delay_ns, jitter_ns;
	double loss;
	struct nfq_q_handle *qh;
	uint64_t pkts, dropped, held_sum_ns;
};

struct held {
	uint64_t due;
	uint32_t id;
	struct qconf *q;
};

static struct qconf qs[MAX_Q];
static unsigned n_q;
static GArray *heap; /* struct held, min-heap on due */
static GRand *rng;
static volatile sig_atomic_t stop;

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
	if (q->loss > 0 && g_rand_double(rng) < q->loss) {
		q->dropped++;
		return nfq_set_verdict(qh, id, NF_DROP, 0, NULL);
	}
	int64_t d = (int64_t)q->delay_ns;
	if (q->jitter_ns)
		d += (int64_t)(g_rand_double_range(rng, -1.0, 1.0) * (double)q->jitter_ns);
	if (d <= 0)
		return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	q->held_sum_ns += (uint64_t)d;
	heap_push((struct held){now_ns() + (uint64_t)d, id, q});
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
usage(void)
{
	fprintf(stderr, "usage: aero-impair [--seed N] [--stats FILE] QUEUE:DELAY_US:JITTER_US:LOSS ...\n");
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
		if (n_q >= MAX_Q || sscanf(argv[i], "%u:%llu:%llu:%lf", &num, &dl, &jt, &loss) != 4 ||
		    loss < 0 || loss > 1 || num > 65535) {
			fprintf(stderr, "aero-impair: bad queue spec '%s'\n", argv[i]);
			return usage();
		}
		qs[n_q++] = (struct qconf){.num = num, .delay_ns = dl * 1000ULL,
		                           .jitter_ns = jt * 1000ULL, .loss = loss};
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
	fprintf(stderr, "aero-impair: %u queue(s) ready\n", n_q);
	char buf[65536] __attribute__((aligned));
	while (!stop) {
		uint64_t now = now_ns();
		while (heap->len && ((struct held *)heap->data)[0].due <= now) {
			struct held x = heap_pop();
			nfq_set_verdict(x.q->qh, x.id, NF_ACCEPT, 0, NULL);
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
		nfq_set_verdict(x.q->qh, x.id, NF_ACCEPT, 0, NULL);
	}
	if (stats) {
		FILE *f = fopen(stats, "w");
		if (f) {
			fputs("{", f);
			for (unsigned k = 0; k < n_q; k++)
				fprintf(f, "%s\"%u\":{\"packets\":%llu,\"dropped\":%llu,\"mean_delay_us\":%.1f,"
				        "\"delay_us\":%llu,\"jitter_us\":%llu,\"loss\":%g}",
				        k ? "," : "", qs[k].num, (unsigned long long)qs[k].pkts,
				        (unsigned long long)qs[k].dropped,
				        qs[k].pkts > qs[k].dropped ? (double)qs[k].held_sum_ns / 1000.0 /
				                (double)(qs[k].pkts - qs[k].dropped) : 0.0,
				        (unsigned long long)(qs[k].delay_ns / 1000),
				        (unsigned long long)(qs[k].jitter_ns / 1000), qs[k].loss);
			fputs("}\n", f);
			fclose(f);
		}
	}
	for (unsigned k = 0; k < n_q; k++)
		nfq_destroy_queue(qs[k].qh);
	nfq_close(h);
	return 0;
}
