/*
 * bench_server: the Server role through the core alone.
 *
 *  - delegations per second: Solicit + Rapid Commit in (aero_node_recv),
 *    Reply out and every event drained (aero_node_poll), for 10^3, 10^5
 *    and 10^6 distinct Clients (distinct DUIDs and locators);
 *  - memory per Client: heap in use (mallinfo2) and RSS before/after, each
 *    Client holding a binding, a neighbour cache entry and a FIB route;
 *  - FIB lookup time with 10^3, 10^5, 10^6 delegated prefixes.
 *
 * Targets (issue 3): 10^6 Clients in < 1 GiB; >= 200 000 delegations/s.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../../core/src/node.h"

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine may be shared */
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t
heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static size_t
rss_bytes(void)
{
	unsigned long size = 0, res = 0;
	FILE *fp = fopen("/proc/self/statm", "r");
	if (!fp)
		return 0;
	if (fscanf(fp, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(fp);
	return res * (size_t)sysconf(_SC_PAGESIZE);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static void
bench_rand(uint8_t *dst, size_t len, void *user)
{
	(void)user;
	for (size_t i = 0; i < len; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		dst[i] = (uint8_t)rng;
	}
}

static const struct aero_callbacks cb = {.rand = bench_rand};

/* A Solicit+RC template; the DUID's last 4 bytes are patched per Client. */
struct tmpl {
	uint8_t pkt[512];
	size_t len;
	size_t duid_off; /* offset of the 4 patched DUID bytes in pkt */
	struct aero_in6 src, dst;
};

static void
tmpl_init(struct tmpl *t)
{
	static const uint8_t duid[10] = {0, 3, 0, 1, 0x02, 0x42, 0, 0, 0, 0};
	struct aero_dhcp6_msg *m = g_new0(struct aero_dhcp6_msg, 1);
	m->msg_type = AERO_DHCP6_SOLICIT;
	m->transaction_id = 0xabcdef;
	m->has_clientid = true;
	aero_wire_dhcp6_duid_decode(&m->clientid, duid, sizeof duid);
	m->has_elapsed = true;
	m->has_rapid_commit = true;
	m->n_iapd = 1;
	m->iapd[0].iaid = 1;
	uint8_t msg[256];
	int k = aero_wire_dhcp6_encode(msg, sizeof msg, m);
	g_free(m);
	g_assert(k > 0);
	/* CLIENTID is first: code(2) len(2) duid(10) after the 4-byte header */
	g_assert(msg[4] == 0 && msg[5] == 1);
	aero_in6_parse(&t->src, "fe80::5efe:a00:1");
	aero_in6_parse(&t->dst, "ff02::1:2");
	int pl = build_udp(t->pkt, sizeof t->pkt, &t->src, &t->dst, 255, 546, 547,
	                   msg, (size_t)k);
	g_assert(pl > 0);
	t->len = (size_t)pl;
	t->duid_off = AERO_IPV6_HDR_LEN + AERO_UDP_HDR_LEN + 4 + 4 + 6;
}

/* Patch Client i into the template and fix the UDP checksum. */
static void
tmpl_client(struct tmpl *t, uint32_t i)
{
	uint8_t *d = t->pkt + t->duid_off;
	d[0] = (uint8_t)(i >> 24);
	d[1] = (uint8_t)(i >> 16);
	d[2] = (uint8_t)(i >> 8);
	d[3] = (uint8_t)i;
	uint8_t *udp = t->pkt + AERO_IPV6_HDR_LEN;
	size_t ulen = t->len - AERO_IPV6_HDR_LEN;
	udp[6] = udp[7] = 0;
	uint32_t s = aero_wire_csum_add(0, udp, ulen);
	s = aero_wire_csum_pseudo6(s, &t->src, &t->dst, (uint32_t)ulen, 17);
	uint16_t c = aero_wire_csum_fold(s);
	if (c == 0)
		c = 0xffff;
	udp[6] = (uint8_t)(c >> 8);
	udp[7] = (uint8_t)c;
}

static struct aero_loc
client_loc(uint32_t i)
{
	return aero_loc_v4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i,
	                   (uint16_t)(40000 + (i >> 24)));
}

struct result {
	size_t clients;
	double deleg_per_s, prep_s;
	double heap_per_client, rss_per_client;
	size_t heap_total, rss_total;
	double lookup_ns;
	uint64_t replies;
};

static void
run(size_t nclients, struct result *res)
{
	struct aero_config cfg;
	aero_config_default(&cfg, AERO_ROLE_SERVER);
	cfg.self = aero_loc_v4(192, 0, 2, 1, 8060);
	cfg.id = 1;
	aero_in6_parse(&cfg.pools[0].prefix, "2001:db8::");
	cfg.pools[0].plen = 32;
	cfg.pools[0].deleg_len = 56; /* 2^24 prefixes */
	cfg.n_pools = 1;
	cfg.relays[0].loc = aero_loc_v4(192, 0, 2, 9, 8060);
	cfg.relays[0].id = 9;
	cfg.n_relays = 1;

	struct tmpl *t = g_new0(struct tmpl, 1);
	tmpl_init(t);

	/* preparation cost alone (patching + checksum), to subtract */
	double p0 = now_s();
	for (uint32_t i = 0; i < nclients; i++)
		tmpl_client(t, i);
	res->prep_s = now_s() - p0;

	malloc_trim(0);
	size_t h0 = heap_used(), r0 = rss_bytes();
	aero_node *n;
	aero_tstamp now = AERO_SEC;
	if (aero_node_new(&n, &cfg, &cb, NULL, now) != 0)
		abort();
	struct aero_out o;
	while (aero_node_poll(n, &o) == 1)
		;
	uint64_t replies = 0;
	double t0 = now_s();
	for (uint32_t i = 0; i < nclients; i++) {
		tmpl_client(t, i);
		struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY,
		                          .src = client_loc(i), .dst = cfg.self,
		                          .ttl = 64};
		aero_node_recv(n, &pi, t->pkt, t->len, now);
		while (aero_node_poll(n, &o) == 1)
			if (o.kind == AERO_OUT_PACKET)
				replies++;
	}
	double el = now_s() - t0;
	/* drop the last polled item so only state remains */
	aero_node_timeout(n, now);
	size_t h1 = heap_used(), r1 = rss_bytes();
	res->clients = nclients;
	res->replies = replies;
	double core = el - res->prep_s;
	res->deleg_per_s = (double)nclients / (core > 0 ? core : el);
	res->heap_total = h1 - h0;
	res->rss_total = r1 > r0 ? r1 - r0 : 0;
	res->heap_per_client = (double)(h1 - h0) / (double)nclients;
	res->rss_per_client = (double)res->rss_total / (double)nclients;
	if (aero_node_counter(n, "srv_delegations") != nclients)
		fprintf(stderr, "bench_server: only %llu of %zu delegated\n",
		        (unsigned long long)aero_node_counter(n, "srv_delegations"),
		        nclients);

	/* FIB lookups: random addresses inside the delegated prefixes */
	size_t nl = 1000000;
	struct aero_in6 *dst = g_new(struct aero_in6, nl);
	if (getenv("BENCH_NO_LOOKUP"))
		nl = 1;
	struct aero_in6 base;
	aero_in6_parse(&base, "2001:db8::");
	for (size_t i = 0; i < nl; i++) {
		uint8_t r[8];
		bench_rand(r, sizeof r, NULL);
		uint32_t k = (uint32_t)((r[0] << 16 | r[1] << 8 | r[2]) % nclients);
		dst[i] = base;
		/* the cursor hands out prefixes in order: index k -> bits 32..55 */
		dst[i].b[4] = (uint8_t)(k >> 16);
		dst[i].b[5] = (uint8_t)(k >> 8);
		dst[i].b[6] = (uint8_t)k;
		memcpy(dst[i].b + 8, r, 8);
	}
	size_t hits = 0;
	double l0 = now_s();
	for (size_t i = 0; i < nl; i++) {
		const struct fib_entry *e = fib_lookup(n, &dst[i]);
		hits += e && e->plen == 56;
	}
	res->lookup_ns = (now_s() - l0) * 1e9 / (double)nl;
	if (hits != nl)
		fprintf(stderr, "bench_server: %zu of %zu lookups hit a /56\n", hits, nl);
	g_free(dst);
	aero_node_free(n);
	g_free(t);
}

int
main(int argc, char **argv)
{
	size_t sizes[] = {1000, 100000, 1000000};
	size_t ns = G_N_ELEMENTS(sizes);
	if (argc > 1 && strcmp(argv[1], "--quick") == 0)
		ns = 2;
	printf("Server core: Solicit+RC -> Reply (binding + NCE + route + events)\n");
	printf("%10s %14s %12s %12s %12s %12s %12s\n", "clients", "deleg/s",
	       "heap B/cl", "RSS B/cl", "heap MiB", "RSS MiB", "FIB ns/lkup");
	for (size_t i = 0; i < ns; i++) {
		struct result r;
		run(sizes[i], &r);
		printf("%10zu %14.0f %12.0f %12.0f %12.1f %12.1f %12.1f\n", r.clients,
		       r.deleg_per_s, r.heap_per_client, r.rss_per_client,
		       (double)r.heap_total / 1048576.0, (double)r.rss_total / 1048576.0,
		       r.lookup_ns);
		if (r.replies != r.clients) {
			fprintf(stderr, "bench_server: %llu replies for %zu clients\n",
			        (unsigned long long)r.replies, r.clients);
			return 1;
		}
	}
	printf("targets: 10^6 clients < 1024 MiB; >= 200000 delegations/s\n");
	return 0;
}
