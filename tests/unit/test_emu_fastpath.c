/* aerod's kernel data path, the ingress program (emu/aerod/fastpath.bpf.c),
 * run by the kernel on crafted packets (BPF_PROG_TEST_RUN; root): what it
 * decapsulates (from a trusted locator or an ACCEPT entry, to a delivered
 * destination: the inner packet, byte for byte, RFC 6040 ECN applied), what
 * it leaves to aerod and the core (control, other ports, black holes, CE
 * over Not-ECT, unknown sources: untouched), every truncation (untouched),
 * and 20000 random mutations (only those two outcomes). The programs are
 * loaded by aerod's own loader (fpload.c) from the object built into aerod.
 * Without root or BPF: skipped. */
#include "testutil.h"

#include "../../emu/aerod/fpload.c"

#include <arpa/inet.h>
#include <linux/pkt_cls.h>

static struct fp_obj obj;
static bool loaded;

#define SELF_IP "10.9.0.2"
#define SERVER_IP "10.9.0.1"
#define PEER_IP "10.9.0.3"

static uint32_t
ip4(const char *s)
{
	struct in_addr a;
	g_assert_cmpint(inet_pton(AF_INET, s, &a), ==, 1);
	return a.s_addr;
}

static void
key6(struct fp_lpm_key *k, const char *a, uint32_t len)
{
	memset(k, 0, sizeof *k);
	k->prefixlen = len;
	g_assert_cmpint(inet_pton(AF_INET6, a, k->addr), ==, 1);
}

/* a P1 Client at 10.9.0.2:8060 bound to the Server 10.9.0.1:8060 with
 * 2001:db8:1::/48 (::1 delivered, ff::/64 black-holed), an ACCEPT entry for
 * 2001:db8:2::/48 from 10.9.0.3:8060 */
static void
program(void)
{
	uint32_t zero = 0, one = 1;
	struct fp_cfg cfg = {.enabled = 1, .tun_ifindex = 1, .ul_ifindex = 1,
	                     .self_ip = ip4(SELF_IP), .self_port = htons(8060),
	                     .mtu = 1280, .local_only = 1};
	g_assert_cmpint(fp_map_op(BPF_MAP_UPDATE_ELEM, obj.map[FPM_CFG], &zero, &cfg, BPF_ANY), ==, 0);
	struct fp_loc4 srv = {.ip = ip4(SERVER_IP), .port = htons(8060)};
	g_assert_cmpint(fp_map_op(BPF_MAP_UPDATE_ELEM, obj.map[FPM_TRUST], &srv, &one, BPF_ANY), ==, 0);
	struct fp_lpm_key k;
	struct fp_route r = {.action = FPA_TUNNEL, .dst_ip = srv.ip, .dst_port = srv.port};
	key6(&k, "::", 0);
	g_assert_cmpint(fp_map_op(BPF_MAP_UPDATE_ELEM, obj.map[FPM_FIB], &k, &r, BPF_ANY), ==, 0);
	r = (struct fp_route){.action = FPA_DELIVER};
	key6(&k, "2001:db8:1::", 48);
	g_assert_cmpint(fp_map_op(BPF_MAP_UPDATE_ELEM, obj.map[FPM_FIB], &k, &r, BPF_ANY), ==, 0);
	r = (struct fp_route){.action = FPA_SLOW};
	key6(&k, "2001:db8:1:ff::", 64);
	g_assert_cmpint(fp_map_op(BPF_MAP_UPDATE_ELEM, obj.map[FPM_FIB], &k, &r, BPF_ANY), ==, 0);
	struct fp_accept a = {.peer_ip = ip4(PEER_IP), .peer_port = htons(8060), .dst_len = 48};
	g_assert_cmpint(inet_pton(AF_INET6, "2001:db8:1::", a.dst), ==, 1);
	key6(&k, "2001:db8:2::", 48);
	g_assert_cmpint(fp_map_op(BPF_MAP_UPDATE_ELEM, obj.map[FPM_ACCEPT], &k, &a, BPF_ANY), ==, 0);
}

static bool
need_bpf(void)
{
	if (loaded)
		return true;
	if (geteuid() != 0) {
		g_test_skip("needs root (BPF programs)");
		return false;
	}
	GError *err = NULL;
	if (fp_obj_load(&obj, &err) != 0) {
		g_test_message("cannot load: %s", err->message);
		g_test_skip("the kernel does not load the programs (BPF)");
		g_error_free(err);
		return false;
	}
	program();
	loaded = true;
	return true;
}

struct pkt {
	uint8_t b[256];
	size_t len;
};

/* Ethernet / IPv4 / UDP src:8060 -> dst:8060 / IPv6 src -> dst / UDP
 * 40000 -> 9 with 16 bytes; outer and inner ECN as given */
static struct pkt
build(const char *osrc, const char *odst, const char *isrc, const char *idst,
      uint8_t outer_ecn, uint8_t inner_ecn)
{
	struct pkt p = {.len = 14 + 20 + 8 + 40 + 8 + 16};
	uint8_t *e = p.b, *ip = e + 14, *udp = ip + 20, *i6 = udp + 8, *l4 = i6 + 40;
	memcpy(e, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	size_t ulen = 8 + 40 + 8 + 16, tot = 20 + ulen;
	ip[0] = 0x45;
	ip[1] = outer_ecn;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = 17;
	uint32_t s = ip4(osrc), d = ip4(odst);
	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	uint32_t sum = 0;
	for (int k = 0; k < 20; k += 2)
		sum += (uint32_t)(ip[k] << 8 | ip[k + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	udp[0] = 0x1f; udp[1] = 0x7c; udp[2] = 0x1f; udp[3] = 0x7c; /* 8060 */
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	i6[0] = 0x60;
	i6[1] = (uint8_t)(inner_ecn << 4);
	i6[5] = 8 + 16;
	i6[6] = 17;
	i6[7] = 63;
	g_assert_cmpint(inet_pton(AF_INET6, isrc, i6 + 8), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET6, idst, i6 + 24), ==, 1);
	l4[0] = 0x9c; l4[1] = 0x40; l4[3] = 9; l4[5] = 24;
	for (int k = 0; k < 16; k++)
		l4[8 + k] = (uint8_t)k;
	return p;
}

/* run the ingress program: TC_ACT_*, or -1 when the kernel refuses to
 * build the test skb (errno); out: the packet as the program left it */
static int
try_run(const struct pkt *in, struct pkt *out)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	memset(out, 0, sizeof *out);
	a.test.prog_fd = (uint32_t)obj.prog_in;
	a.test.data_in = (uintptr_t)in->b;
	a.test.data_size_in = (uint32_t)in->len;
	a.test.data_out = (uintptr_t)out->b;
	a.test.data_size_out = sizeof out->b;
	a.test.repeat = 1;
	if (fp_bpf(BPF_PROG_TEST_RUN, &a) != 0)
		return -1;
	out->len = a.test.data_size_out;
	return (int)a.test.retval;
}

static int
run(const struct pkt *in, struct pkt *out)
{
	int rc = try_run(in, out);
	if (rc < 0)
		g_error("BPF_PROG_TEST_RUN of %zu bytes: %s", in->len, g_strerror(errno));
	return rc;
}

static uint64_t
stat(uint32_t i)
{
	int n = (int)sysconf(_SC_NPROCESSORS_CONF);
	uint64_t *v = g_new0(uint64_t, (size_t)n), s = 0;
	g_assert_cmpint(fp_map_op(BPF_MAP_LOOKUP_ELEM, obj.map[FPM_STATS], &i, v, 0), ==, 0);
	for (int c = 0; c < n; c++)
		s += v[c];
	g_free(v);
	return s;
}

static void
assert_untouched(const struct pkt *in, const struct pkt *out, int rc)
{
	g_assert_cmpint(rc, ==, TC_ACT_OK);
	g_assert_cmpuint(out->len, ==, in->len);
	g_assert_cmpmem(out->b, out->len, in->b, in->len);
}

/* decapsulated: the Ethernet header, then the inner packet with ECN e */
static void
assert_decap(const struct pkt *in, const struct pkt *out, int rc, uint8_t e)
{
	g_assert_cmpint(rc, ==, TC_ACT_REDIRECT);
	g_assert_cmpuint(out->len, ==, in->len - FP_OUTER_LEN);
	g_assert_cmpmem(out->b, 14, in->b, 14);
	struct pkt want = *in;
	uint8_t *i6 = want.b + 14 + FP_OUTER_LEN;
	i6[1] = (uint8_t)((i6[1] & ~0x30) | (e << 4));
	g_assert_cmpmem(out->b + 14, out->len - 14, i6, in->len - 14 - FP_OUTER_LEN);
}

static void
test_decap(void)
{
	if (!need_bpf())
		return;
	struct pkt in = build(SERVER_IP, SELF_IP, "2001:db8:9::7", "2001:db8:1::1", 0, 0), out;
	uint64_t rx0 = stat(FPS_RX_PKTS);
	assert_decap(&in, &out, run(&in, &out), 0);
	g_assert_cmpuint(stat(FPS_RX_PKTS), ==, rx0 + 1);
	/* an ACCEPT entry: the peer's prefix from the peer's locator */
	in = build(PEER_IP, SELF_IP, "2001:db8:2::5", "2001:db8:1::1", 0, 0);
	assert_decap(&in, &out, run(&in, &out), 0);
}

static void
test_ecn(void)
{
	if (!need_bpf())
		return;
	/* outer, inner -> inner after (RFC 6040 figure 4; tunnel.c) */
	static const int8_t t[][3] = {
		{3, 2, 3}, {3, 1, 3}, {3, 3, 3}, {1, 2, 1}, {2, 1, 1}, {2, 2, 2},
		{0, 2, 2}, {1, 0, 0}, {2, 0, 0}, {1, 3, 3}, {3, 0, -1},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		struct pkt in = build(SERVER_IP, SELF_IP, "2001:db8:9::7", "2001:db8:1::1",
		                      (uint8_t)t[i][0], (uint8_t)t[i][1]), out;
		int rc = run(&in, &out);
		if (t[i][2] < 0)
			assert_untouched(&in, &out, rc); /* CE over Not-ECT: the core drops it */
		else
			assert_decap(&in, &out, rc, (uint8_t)t[i][2]);
	}
}

static void
test_left_to_the_core(void)
{
	if (!need_bpf())
		return;
	struct pkt out;
	struct {
		struct pkt p;
		int stat; /* the counter that must move, or -1 */
	} c[] = {
		/* a source nobody admitted; an ACCEPT prefix from another locator */
		{build("10.9.0.9", SELF_IP, "2001:db8:9::7", "2001:db8:1::1", 0, 0), FPS_RX_NOT_ADMITTED},
		{build("10.9.0.4", SELF_IP, "2001:db8:2::5", "2001:db8:1::1", 0, 0), FPS_RX_NOT_ADMITTED},
		/* not delivered here: black hole, another prefix */
		{build(SERVER_IP, SELF_IP, "2001:db8:9::7", "2001:db8:1:ff::1", 0, 0), FPS_RX_SLOW},
		{build(SERVER_IP, SELF_IP, "2001:db8:9::7", "2001:db8:5::1", 0, 0), FPS_RX_SLOW},
		/* control: link-local, multicast */
		{build(SERVER_IP, SELF_IP, "fe80::1", "2001:db8:1::1", 0, 0), -1},
		{build(SERVER_IP, SELF_IP, "2001:db8:9::7", "ff02::1", 0, 0), -1},
		/* not for this locator */
		{build(SERVER_IP, "10.9.0.99", "2001:db8:9::7", "2001:db8:1::1", 0, 0), -1},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(c); i++) {
		uint64_t s0 = c[i].stat >= 0 ? stat((uint32_t)c[i].stat) : 0;
		assert_untouched(&c[i].p, &out, run(&c[i].p, &out));
		if (c[i].stat >= 0)
			g_assert_cmpuint(stat((uint32_t)c[i].stat), ==, s0 + 1);
	}
	/* ND to a global address, another port, IPv4 options, a fragment, a
	 * wrong UDP length */
	struct pkt p = build(SERVER_IP, SELF_IP, "2001:db8:9::7", "2001:db8:1::1", 0, 0);
	struct pkt nd = p;
	nd.b[14 + 28 + 6] = 58;
	nd.b[14 + 28 + 40] = 135;
	assert_untouched(&nd, &out, run(&nd, &out));
	struct pkt port = p;
	port.b[14 + 20 + 3] = 0x7d;
	assert_untouched(&port, &out, run(&port, &out));
	struct pkt opt = p;
	opt.b[14] = 0x46;
	assert_untouched(&opt, &out, run(&opt, &out));
	struct pkt frag = p;
	frag.b[14 + 6] = 0x20; /* MF */
	assert_untouched(&frag, &out, run(&frag, &out));
	struct pkt csum = p;
	csum.b[14 + 10] ^= 0x40; /* the outer header checksum */
	assert_untouched(&csum, &out, run(&csum, &out));
	struct pkt bad = p;
	bad.b[14 + 20 + 5]++;
	uint64_t s0 = stat(FPS_RX_SLOW);
	assert_untouched(&bad, &out, run(&bad, &out));
	g_assert_cmpuint(stat(FPS_RX_SLOW), ==, s0 + 1);
}

/* every truncation of a packet the program would take: untouched */
static void
test_truncations(void)
{
	if (!need_bpf())
		return;
	struct pkt full = build(SERVER_IP, SELF_IP, "2001:db8:9::7", "2001:db8:1::1", 0, 0), out;
	GString *refused = g_string_new(NULL);
	for (size_t n = 14; n < full.len; n++) {
		struct pkt t = full;
		t.len = n;
		int rc = try_run(&t, &out);
		if (rc < 0) /* the kernel builds no skb of it (an IPv4 frame
		             * shorter than its header): nothing to run */
			g_string_append_printf(refused, " %zu", n);
		else
			assert_untouched(&t, &out, rc);
	}
	g_test_message("lengths the kernel refuses to build a test skb of:%s", refused->str);
	g_string_free(refused, TRUE);
}

/* random mutations: decapsulated as is, or untouched, nothing else */
static void
test_mutations(void)
{
	if (!need_bpf())
		return;
	GRand *g = g_rand_new_with_seed(6706);
	struct pkt base = build(SERVER_IP, SELF_IP, "2001:db8:9::7", "2001:db8:1::1", 0, 2), out;
	unsigned decap = 0, left = 0, refused = 0;
	for (int it = 0; it < 20000; it++) {
		struct pkt p = base;
		int nflip = g_rand_int_range(g, 1, 5);
		for (int k = 0; k < nflip; k++)
			p.b[g_rand_int_range(g, 14, (gint32)p.len)] ^= (uint8_t)g_rand_int_range(g, 1, 256);
		if (g_rand_int_range(g, 0, 4) == 0)
			p.len = (size_t)g_rand_int_range(g, 14, (gint32)p.len + 1);
		int rc = try_run(&p, &out);
		if (rc < 0) { /* no test skb of it (shorter than its IP header) */
			refused++;
			continue;
		}
		if (rc == TC_ACT_OK) {
			g_assert_cmpuint(out.len, ==, p.len);
			g_assert_cmpmem(out.b, out.len, p.b, p.len);
			left++;
			continue;
		}
		g_assert_cmpint(rc, ==, TC_ACT_REDIRECT);
		/* only with a valid outer header checksum (ip_rcv's rule) */
		uint32_t sum = 0;
		for (int k = 14; k < 34; k += 2)
			sum += (uint32_t)(p.b[k] << 8 | p.b[k + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		g_assert_cmphex(sum, ==, 0xffff);
		/* what it took: outer header stripped, the inner packet kept
		 * (but for its ECN bits) */
		g_assert_cmpuint(out.len, ==, p.len - FP_OUTER_LEN);
		g_assert_cmpmem(out.b, 14, p.b, 14);
		g_assert_cmpuint(out.b[14], ==, p.b[14 + FP_OUTER_LEN]);
		g_assert_cmpuint(out.b[15] & ~0x30, ==, p.b[15 + FP_OUTER_LEN] & ~0x30);
		g_assert_cmpmem(out.b + 16, out.len - 16, p.b + 16 + FP_OUTER_LEN, p.len - 16 - FP_OUTER_LEN);
		decap++;
	}
	g_test_message("20000 mutations: %u decapsulated, %u left to the core, %u not runnable",
	               decap, left, refused);
	g_assert_cmpuint(decap, >, 0);
	g_assert_cmpuint(left, >, 0);
	g_rand_free(g);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/emu/fastpath/decap", test_decap);
	g_test_add_func("/emu/fastpath/ecn", test_ecn);
	g_test_add_func("/emu/fastpath/left-to-the-core", test_left_to_the_core);
	g_test_add_func("/emu/fastpath/truncations", test_truncations);
	g_test_add_func("/emu/fastpath/mutations", test_mutations);
	int r = g_test_run();
	if (loaded)
		fp_obj_close(&obj);
	return r;
}
