/*
 * aero-replay-gen -- write the synthetic AERO captures of the replay cases
 * (tests/replay/pcaps/synth-*.pcap) with the project's wire encoders.
 *
 *   aero-replay-gen NAME OUT.pcap [raw|eth|sll|sll2]
 *
 * NAME:
 *   client-pd-v4  one Client (198.51.100.10:49152) talking to the Server
 *                 192.0.2.1:8060 (ID 1): RS, Solicit with rapid commit and
 *                 a ::/56 hint, data from its delegated prefix (the first
 *                 /56 of 2001:db8:1000::/40) and from a foreign source, Renew
 *                 at 900 s, Release at 1000 s; plus noise the replay must
 *                 skip (TCP, another UDP port, another address, an IPv4
 *                 fragment, and with eth an ARP frame)
 *   client-pd-v6  the same over an IPv6 underlay (2001:db8:c::10 ->
 *                 2001:db8:s::1, see the source)
 *   many-clients  40 Clients soliciting one after another, 10 ms apart
 *   tunnel-data   inner IPv6 packets as a node's own stack sends them
 *                 (tunnel side): from 2001:db8:1000::1 to 2001:db8:ffff::1
 *                 and back, 1 s apart, plus one IPv4 packet to skip
 *   empty         no record at all (a Client left to its timers)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aero/wire_ip.h"
#include "synth.h"

static FILE *out;
static int linkt;

static void
le32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16); b[3] = (uint8_t)(v >> 24);
}

static const int dlt_of[] = {101, 1, 113, 276};

static void
rec(double t, const uint8_t *ip, size_t len, uint16_t ethertype_override)
{
	uint8_t h[16], l2[20];
	size_t hl = 0;
	uint16_t et = ethertype_override ? ethertype_override :
	              (ip[0] >> 4) == 4 ? 0x0800 : 0x86dd;
	memset(l2, 0, sizeof l2);
	switch (linkt) {
	case 1: /* Ethernet: dst 02:00:00:00:00:01, src 02:00:00:00:00:02 */
		l2[0] = 2; l2[5] = 1; l2[6] = 2; l2[11] = 2;
		l2[12] = (uint8_t)(et >> 8); l2[13] = (uint8_t)et;
		hl = 14;
		break;
	case 2: /* SLL: packet type 0 (to us), ARPHRD_ETHER, 6-byte address */
		l2[3] = 1; l2[5] = 6; l2[6] = 2; l2[11] = 2;
		l2[14] = (uint8_t)(et >> 8); l2[15] = (uint8_t)et;
		hl = 16;
		break;
	case 3: /* SLL2: protocol, reserved, ifindex 2, ARPHRD_ETHER, type, 6 */
		l2[0] = (uint8_t)(et >> 8); l2[1] = (uint8_t)et;
		l2[7] = 2; l2[9] = 1; l2[10] = 0; l2[11] = 6; l2[12] = 2; l2[17] = 2;
		hl = 20;
		break;
	default:
		break;
	}
	uint32_t sec = 1700000000u + (uint32_t)t;
	uint32_t usec = (uint32_t)((t - (uint32_t)t) * 1e6 + 0.5);
	le32(h, sec);
	le32(h + 4, usec);
	le32(h + 8, (uint32_t)(hl + len));
	le32(h + 12, (uint32_t)(hl + len));
	fwrite(h, 1, 16, out);
	fwrite(l2, 1, hl, out);
	fwrite(ip, 1, len, out);
}

static void
must(int k, const char *what)
{
	if (k < 0) {
		fprintf(stderr, "aero-replay-gen: %s: encoder error %d\n", what, k);
		exit(1);
	}
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
client_pd(bool v6)
{
	static uint8_t b[2048];
	struct synth_client c;
	memset(&c, 0, sizeof c);
	if (v6) {
		struct aero_in6 l = in6("2001:db8:c::10"), s = in6("2001:db8:5::1");
		c.loc = aero_loc_v6(&l, 49152);
		c.server = aero_loc_v6(&s, 8060);
		c.ll = in6("fe80::1234:5678:9abc:def0");
	} else {
		c.loc = aero_loc_v4(198, 51, 100, 10, 49152);
		c.server = aero_loc_v4(192, 0, 2, 1, 8060);
		c.ll = in6("fe80::200:5efe:c633:640a"); /* modified EUI-64, TV1 */
	}
	uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x00, 0x53, 0x0a};
	memcpy(c.mac, mac, 6);
	c.iaid = 1;
	struct aero_in6 hint = {{0}};
	struct aero_in6 pfx = in6("2001:db8:1000::");
	struct aero_in6 aero = in6("fe80::2001:db8:1000:0");
	struct aero_in6 src = in6("2001:db8:1000::1"), foreign = in6("2001:db8:9999::1");
	struct aero_in6 far = in6("2001:db8:ffff::1");
	uint8_t sid[6] = {0x02, 0x00, 0, 0, 0, 1}; /* DUID-LL 02:00:<ID 1> */
	struct aero_dhcp6_duid sduid = {.type = AERO_DHCP6_DUID_LL, .hwtype = 1,
	                                .data = sid, .data_len = 6};
	int k;

	must(k = synth_rs(b, sizeof b, &c, 1), "rs");
	rec(0.0, b, (size_t)k, 0);
	must(k = synth_dhcp6(b, sizeof b, &c, AERO_DHCP6_SOLICIT, 0x5a1b2c, NULL, &hint, 56), "solicit");
	rec(0.25, b, (size_t)k, 0);
	/* after the Reply the Client uses its AERO address */
	c.ll = aero;
	must(k = synth_data(b, sizeof b, &c, &src, &far, 64), "data");
	rec(60.0, b, (size_t)k, 0);
	must(k = synth_data(b, sizeof b, &c, &foreign, &far, 64), "data foreign");
	rec(61.0, b, (size_t)k, 0);
	/* noise: UDP to another port, to another address, TCP, a fragment */
	struct aero_loc other = c.server;
	other.port = 8061;
	struct synth_client c2 = c;
	c2.server = other;
	must(k = synth_data(b, sizeof b, &c2, &src, &far, 16), "other port");
	rec(62.0, b, (size_t)k, 0);
	c2.server = c.server;
	c2.server.ip[c.server.family == 4 ? 3 : 15] ^= 0x40;
	must(k = synth_data(b, sizeof b, &c2, &src, &far, 16), "other addr");
	rec(62.5, b, (size_t)k, 0);
	must(k = synth_data(b, sizeof b, &c, &src, &far, 16), "tcp");
	if (!v6) {
		b[9] = 6; /* protocol TCP (header checksum not rechecked) */
		rec(63.0, b, (size_t)k, 0);
		must(k = synth_data(b, sizeof b, &c, &src, &far, 16), "frag");
		b[6] = 0x20; /* MF */
		rec(63.5, b, (size_t)k, 0);
	} else {
		b[6] = 6;
		rec(63.0, b, (size_t)k, 0);
	}
	if (linkt >= 1) {
		uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1};
		rec(64.0, arp, sizeof arp, 0x0806);
	}
	must(k = synth_dhcp6(b, sizeof b, &c, AERO_DHCP6_RENEW, 0x00beef, &sduid, &pfx, 56), "renew");
	rec(900.0, b, (size_t)k, 0);
	must(k = synth_dhcp6(b, sizeof b, &c, AERO_DHCP6_RELEASE, 0x00cafe, &sduid, &pfx, 56), "release");
	rec(1000.0, b, (size_t)k, 0);
}

static void
many_clients(void)
{
	static uint8_t b[2048];
	for (unsigned i = 0; i < 40; i++) {
		struct synth_client c;
		memset(&c, 0, sizeof c);
		c.loc = aero_loc_v4(198, 51, 100, (uint8_t)(10 + i), 49152);
		c.server = aero_loc_v4(192, 0, 2, 1, 8060);
		c.ll = in6("fe80::200:5efe:c633:6400");
		c.ll.b[15] = (uint8_t)(10 + i);
		uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x00, 0x54, (uint8_t)i};
		memcpy(c.mac, mac, 6);
		c.iaid = 1;
		struct aero_in6 hint = {{0}};
		int k = synth_dhcp6(b, sizeof b, &c, AERO_DHCP6_SOLICIT, 0x100 + i, NULL, &hint, 56);
		must(k, "solicit");
		rec(0.01 * i, b, (size_t)k, 0);
	}
}

static void
tunnel_data(void)
{
	static uint8_t b[2048];
	struct synth_client c;
	struct aero_in6 a = in6("2001:db8:1000::1"), z = in6("2001:db8:ffff::1");
	memset(&c, 0, sizeof c);
	c.loc = aero_loc_v4(198, 51, 100, 10, 49152);
	c.server = aero_loc_v4(192, 0, 2, 1, 8060);
	for (unsigned i = 0; i < 4; i++) {
		int k = synth_data(b, sizeof b, &c, i % 2 ? &z : &a, i % 2 ? &a : &z, 32);
		must(k, "data");
		rec(1.0 * i, b + 28, (size_t)k - 28, 0); /* the inner packet */
	}
	int k = synth_data(b, sizeof b, &c, &a, &z, 8);
	rec(5.0, b, (size_t)k, 0); /* an IPv4 packet: not for the tunnel side */
}

int
main(int argc, char **argv)
{
	uint8_t h[24];
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: aero-replay-gen client-pd-v4|client-pd-v6|many-clients|tunnel-data|empty OUT.pcap [raw|eth|sll|sll2]\n");
		return 2;
	}
	if (argc == 4) {
		const char *l[] = {"raw", "eth", "sll", "sll2"};
		linkt = -1;
		for (int i = 0; i < 4; i++)
			if (!strcmp(argv[3], l[i]))
				linkt = i;
		if (linkt < 0) {
			fprintf(stderr, "aero-replay-gen: unknown link '%s'\n", argv[3]);
			return 2;
		}
	}
	out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		return 2;
	}
	le32(h, 0xa1b2c3d4);
	h[4] = 2; h[5] = 0; h[6] = 4; h[7] = 0;
	le32(h + 8, 0); le32(h + 12, 0); le32(h + 16, 65535);
	le32(h + 20, (uint32_t)dlt_of[linkt]);
	fwrite(h, 1, 24, out);
	if (!strcmp(argv[1], "client-pd-v4"))
		client_pd(false);
	else if (!strcmp(argv[1], "client-pd-v6"))
		client_pd(true);
	else if (!strcmp(argv[1], "many-clients"))
		many_clients();
	else if (!strcmp(argv[1], "tunnel-data"))
		tunnel_data();
	else if (!strcmp(argv[1], "empty"))
		;
	else {
		fprintf(stderr, "aero-replay-gen: unknown capture '%s'\n", argv[1]);
		return 2;
	}
	return fclose(out) == 0 ? 0 : 1;
}
