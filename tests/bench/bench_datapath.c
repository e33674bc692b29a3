/*
 * Data-path benchmark (make bench): inner packets per second one node
 * encapsulates and decapsulates, through the public API (aero_node_recv
 * + aero_node_poll), for P1 and P2 (SEAL with ICV), IPv4 and IPv6
 * underlay, 100- and 1280-byte inner packets.
 *
 * The node is a Relay with one Server neighbour (hand-made neighbour and
 * FIB entries): encapsulation = an outside packet to the Server's
 * delegated prefix (tunnel side in, underlay out); decapsulation = a
 * packet from the Server to the outside (underlay in, tunnel side out).
 * P2 decapsulation input is pre-built by a second node (fresh SEAL
 * Identifications); the Relay's anti-replay window is reset between
 * passes over that set.
 *
 * Each figure is the median of 5 runs of a loop calibrated to last at
 * least 50 ms of thread CPU time. Numbers, not pass/fail: the program fails only if a packet
 * does not come out the way it should.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../core/src/node.h"

#define RUNS 5
#define NPRE 1024

static double
now_ns(void)
{
	struct timespec ts;

	/* CPU time of this thread: the figures stay meaningful on a loaded
	 * machine (wall time would count other processes' slices) */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static uint64_t prng = 42;

static void
rnd(uint8_t *d, size_t len, void *u)
{
	(void)u;
	for (size_t i = 0; i < len; i++) {
		prng = prng * 6364136223846793005ULL + 1442695040888963407ULL;
		d[i] = (uint8_t)(prng >> 56);
	}
}

static const struct aero_callbacks cbs = {.rand = rnd};
static const uint8_t KEY[20] = "0123456789abcdefghij";

struct setup {
	aero_node *relay, *server;
	struct nce *srv_at_relay;     /* the Server in the Relay's cache */
	struct aero_pktinfo pi_tun, pi_und;
	uint8_t enc_pkt[2048];        /* outside -> Server */
	size_t enc_len;
	uint8_t *dec[NPRE];           /* underlay payloads Server -> outside */
	size_t dec_len[NPRE];
	size_t next;
	aero_tstamp now;
};

static void
die(const char *what)
{
	fprintf(stderr, "bench_datapath: %s\n", what);
	exit(1);
}

static aero_node *
mk(enum aero_profile prof, struct aero_loc self, uint32_t id)
{
	struct aero_config c;
	aero_node *n;

	aero_config_default(&c, AERO_ROLE_RELAY);
	c.profile = prof;
	c.self = self;
	c.id = id;
	if (prof == AERO_PROFILE_P2) {
		memcpy(c.icv_key, KEY, 20);
		c.icv_key_len = 20;
	}
	if (aero_node_new(&n, &c, &cbs, NULL, 0) != 0)
		die("aero_node_new");
	return n;
}

static size_t
mk_inner(uint8_t *buf, const char *src, const char *dst, size_t len)
{
	struct aero_in6 s, d;
	uint8_t pl[2048] = {0};

	aero_in6_parse(&s, src);
	aero_in6_parse(&d, dst);
	int k = build_udp(buf, 2048, &s, &d, 64, 5001, 5002, pl, len - 48);
	if (k != (int)len)
		die("build_udp");
	return len;
}

static void
drain(aero_node *n, enum aero_side want, size_t *count)
{
	struct aero_out o;

	while (aero_node_poll(n, &o) == 1)
		if (o.kind == AERO_OUT_PACKET && o.pi.side == want)
			(*count)++;
}

static void
setup(struct setup *s, enum aero_profile prof, bool v6, size_t inner)
{
	struct aero_in6 a6, b6;
	struct aero_loc lr, ls;

	memset(s, 0, sizeof *s);
	aero_in6_parse(&a6, "2001:db8:ffff::1");
	aero_in6_parse(&b6, "2001:db8:ffff::2");
	lr = v6 ? aero_loc_v6(&a6, 8060) : aero_loc_v4(192, 0, 2, 1, 8060);
	ls = v6 ? aero_loc_v6(&b6, 8060) : aero_loc_v4(192, 0, 2, 2, 8060);
	s->relay = mk(prof, lr, 1);
	s->server = mk(prof, ls, 2);
	struct aero_in6 ll_s, ll_r;
	aero_addr_server_ll(&ll_s, 2);
	aero_addr_server_ll(&ll_r, 1);
	s->srv_at_relay = nce_create(s->relay, &ll_s, &ls, NCE_SERVER);
	struct nce *rel_at_srv = nce_create(s->server, &ll_r, &lr, NCE_RELAY);
	if (!s->srv_at_relay || !rel_at_srv)
		die("nce_create");
	struct aero_in6 p;
	aero_in6_parse(&p, "2001:db8:1000::");
	struct fib_nh nh = {.kind = NH_NEIGHBOR, .ll = ll_s};
	struct fib_nh out = {.kind = NH_TUNNEL, .ifindex = 0};
	if (!fib_add(s->relay, &p, 40, &nh, FIB_ORIGIN_LEARNED) ||
	    !fib_add(s->relay, &in6_any, 0, &out, FIB_ORIGIN_STATIC))
		die("fib_add");

	s->pi_tun.side = AERO_SIDE_TUNNEL;
	s->enc_len = mk_inner(s->enc_pkt, "2001:db8:5::1", "2001:db8:1000::5", inner);

	/* decapsulation input: what the Server sends the Relay */
	uint8_t pkt[2048];
	size_t len = mk_inner(pkt, "2001:db8:1000::5", "2001:db8:5::1", inner);
	for (int i = 0; i < NPRE; i++) {
		struct aero_out o;
		if (tunnel_send(s->server, rel_at_srv, pkt, len, NULL) != 0)
			die("tunnel_send");
		int got = 0;
		while (aero_node_poll(s->server, &o) == 1) {
			if (o.kind != AERO_OUT_PACKET)
				continue;
			s->dec[i] = g_memdup2(o.data, o.len);
			s->dec_len[i] = o.len;
			s->pi_und = o.pi; /* src = Server, dst = Relay */
			got++;
		}
		if (got != 1)
			die("server output");
	}
	drain(s->relay, AERO_SIDE_TUNNEL, &(size_t){0});
}

static void
teardown(struct setup *s)
{
	for (int i = 0; i < NPRE; i++)
		g_free(s->dec[i]);
	aero_node_free(s->relay);
	aero_node_free(s->server);
}

/* n packets; returns how many came out */
static size_t
run_encap(struct setup *s, unsigned long n)
{
	size_t out = 0;

	for (unsigned long i = 0; i < n; i++) {
		aero_node_recv(s->relay, &s->pi_tun, s->enc_pkt, s->enc_len, s->now);
		drain(s->relay, AERO_SIDE_UNDERLAY, &out);
	}
	return out;
}

static size_t
run_decap(struct setup *s, unsigned long n)
{
	size_t out = 0;

	for (unsigned long i = 0; i < n; i++) {
		if (s->next == NPRE) { /* replay the set: forget the window */
			s->next = 0;
			aero_seal_replay_init(&s->srv_at_relay->rx_win);
		}
		aero_node_recv(s->relay, &s->pi_und, s->dec[s->next],
		               s->dec_len[s->next], s->now);
		s->next++;
		drain(s->relay, AERO_SIDE_TUNNEL, &out);
	}
	return out;
}

typedef size_t (*run_fn)(struct setup *s, unsigned long n);

static double
measure(struct setup *s, run_fn fn)
{
	double runs[RUNS];
	unsigned long n = 64;

	if (fn(s, 1) != 1) /* the packet comes out */
		die("a packet did not come out (see the node counters)");
	for (;;) {
		double t0 = now_ns();
		if (fn(s, n) != n)
			die("packets dropped");
		if (now_ns() - t0 > 50e6)
			break;
		n *= 2;
	}
	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ns();
		if (fn(s, n) != n)
			die("packets dropped");
		runs[r] = (now_ns() - t0) / (double)n;
	}
	qsort(runs, RUNS, sizeof runs[0], cmp_double);
	return runs[RUNS / 2];
}

int
main(void)
{
	static const size_t sizes[] = {100, 1280};

	printf("data path of one node (Relay), median of %d runs, thread CPU "
	       "time, public API (recv + poll)\n\n", RUNS);
	printf("%-8s %-8s %6s  %-6s %12s %10s\n", "profile", "underlay", "inner",
	       "dir", "packets/s", "ns/packet");
	for (int prof = 1; prof <= 2; prof++)
		for (int v6 = 0; v6 <= 1; v6++)
			for (size_t z = 0; z < G_N_ELEMENTS(sizes); z++) {
				struct setup s;
				setup(&s, (enum aero_profile)prof, v6, sizes[z]);
				double e = measure(&s, run_encap);
				double d = measure(&s, run_decap);
				const char *pn = prof == 1 ? "P1" : "P2+ICV";
				printf("%-8s %-8s %6zu  %-6s %12.0f %10.1f\n", pn,
				       v6 ? "IPv6" : "IPv4", sizes[z], "encap",
				       1e9 / e, e);
				printf("%-8s %-8s %6zu  %-6s %12.0f %10.1f\n", pn,
				       v6 ? "IPv6" : "IPv4", sizes[z], "decap",
				       1e9 / d, d);
				teardown(&s);
			}
	return 0;
}
