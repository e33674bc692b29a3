/*
 * bench_replay -- packets per second replayed through one node (make bench).
 *
 * Frames are built in memory with the wire encoders (synth.c) and handed
 * to the replay engine (rp_record: link-layer strip, classification, outer
 * decode, aero_node_recv, timers, output drain) with no output sinks, so
 * the number is the engine + core cost, not disk I/O. One core, one node.
 *
 * Workloads (Server 192.0.2.1:8060, ID 1, pool 2001:db8:1000::/40 /56):
 *   data    1 bound Client sends inner UDP from its delegated prefix
 *           (the Server's ingress check, FIB lookup and forwarding)
 *   rs      1000 Clients send RSs (the Server answers each with an RA)
 *   skip    frames for another UDP port (classification only)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay.h"
#include "synth.h"

#define N_FRAMES 1024
#define N_PACKETS 2000000

static uint8_t frames[N_FRAMES][256];
static size_t flen[N_FRAMES];
static struct replay r;

static double
now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct aero_in6
in6(const char *s)
{
	struct aero_in6 a;
	if (aero_in6_parse(&a, s) < 0)
		abort();
	return a;
}

static void
client(struct synth_client *c, unsigned i)
{
	memset(c, 0, sizeof *c);
	c->loc = aero_loc_v4(198, 51, (uint8_t)(100 + i / 250), (uint8_t)(1 + i % 250), 49152);
	c->server = aero_loc_v4(192, 0, 2, 1, 8060);
	c->ll = in6("fe80::200:5efe:c633:6400");
	memcpy(c->ll.b + 12, c->loc.ip, 4);
	c->mac[0] = 2;
	c->mac[4] = (uint8_t)(i >> 8);
	c->mac[5] = (uint8_t)i;
	c->iaid = 1;
}

static void
setup(void)
{
	struct rp_opts o;
	const char *why;
	memset(&o, 0, sizeof o);
	aero_config_default(&o.cfg, AERO_ROLE_SERVER);
	o.cfg.self = aero_loc_v4(192, 0, 2, 1, 8060);
	o.cfg.id = 1;
	o.cfg.pools[0].prefix = in6("2001:db8:1000::");
	o.cfg.pools[0].plen = 40;
	o.cfg.pools[0].deleg_len = 56;
	o.cfg.n_pools = 1;
	o.seed = 1;
	if (rp_init(&r, &o, 1000 * AERO_SEC, &why) < 0) {
		fprintf(stderr, "bench_replay: %s\n", why);
		exit(1);
	}
}

static double
run(const char *name, aero_tstamp *t)
{
	uint64_t out0 = r.st.out_packets, fed0 = r.st.fed;
	double t0 = now_s();
	for (unsigned i = 0; i < N_PACKETS; i++) {
		*t += 1000; /* 1 us apart: 1 M packets per simulated second */
		rp_record(&r, *t, RP_LINKTYPE_RAW, frames[i % N_FRAMES],
		          flen[i % N_FRAMES], flen[i % N_FRAMES]);
	}
	double dt = now_s() - t0;
	printf("replay %-5s %8.0f packets/s  (%u packets in %.3f s; fed %llu, out %llu)\n",
	       name, N_PACKETS / dt, N_PACKETS, dt,
	       (unsigned long long)(r.st.fed - fed0),
	       (unsigned long long)(r.st.out_packets - out0));
	return N_PACKETS / dt;
}

int
main(void)
{
	struct synth_client c;
	aero_tstamp t = 1000 * AERO_SEC;
	int k;
	struct aero_in6 hint = {{0}};

	setup();
	/* bind one Client */
	client(&c, 0);
	k = synth_dhcp6(frames[0], sizeof frames[0], &c, AERO_DHCP6_SOLICIT, 1, NULL, &hint, 56);
	rp_record(&r, t, RP_LINKTYPE_RAW, frames[0], (size_t)k, (size_t)k);
	struct aero_in6 src = in6("2001:db8:1000::1"), far = in6("2001:db8:ffff::1");
	c.ll = in6("fe80::2001:db8:1000:0");
	for (unsigned i = 0; i < N_FRAMES; i++) {
		src.b[15] = (uint8_t)(1 + i % 200);
		k = synth_data(frames[i], sizeof frames[i], &c, &src, &far, 64);
		flen[i] = (size_t)k;
	}
	run("data", &t);
	for (unsigned i = 0; i < N_FRAMES; i++) {
		client(&c, i % 1000);
		k = synth_rs(frames[i], sizeof frames[i], &c, 1);
		flen[i] = (size_t)k;
	}
	run("rs", &t);
	for (unsigned i = 0; i < N_FRAMES; i++) {
		client(&c, i);
		c.server.port = 9999;
		k = synth_rs(frames[i], sizeof frames[i], &c, 1);
		flen[i] = (size_t)k;
	}
	run("skip", &t);
	rp_free(&r);
	return 0;
}
