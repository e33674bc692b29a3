/*
 * Independent cross-check: packets built by our encoders are written to a
 * pcap and decoded by tshark (Wireshark's dissectors); every field tshark
 * reports must equal the value we encoded, and tshark must find every
 * checksum good. UDP port 8060 is decoded as IPv6 (-d udp.port==8060,ipv6)
 * so the inner ND and DHCPv6 messages of P1 packets are dissected too.
 * (SEAL and SCMP have no Wireshark dissector: hand-checked vectors in
 * tests/vectors/seal-*.hex and scmp-*.hex stand in for them.)
 */
#include "testutil.h"
#include "aero/wire_ip.h"
#include "aero/wire_nd.h"
#include "aero/wire_dhcp6.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <string.h>

#define OFF_INNER 48 /* room for outer IPv6 (40) + UDP (8) */
#define ip6(s) tu_in6(s)
#define ip4(s) tu_in4(s)

struct pkt {
	uint8_t buf[2048];
	size_t start, len;
	GHashTable *expect; /* field -> expected string */
	bool nested;        /* carries a dissected packet (RHO): tshark lists
	                     * more occurrences after ours */
};

static GPtrArray *pkts;

static struct pkt *
pkt_new(void)
{
	struct pkt *p = g_new0(struct pkt, 1);

	p->expect = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_ptr_array_add(pkts, p);
	return p;
}

static void G_GNUC_PRINTF(3, 4)
expect(struct pkt *p, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_hash_table_insert(p->expect, (gpointer)field, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

static const char *
ntop6(const struct aero_in6 *a, char *buf)
{
	return inet_ntop(AF_INET6, a->b, buf, INET6_ADDRSTRLEN);
}

/* tshark prints 6-byte addresses as MACs (colons), others as plain hex */
static char *
hexcolon(const uint8_t *b, size_t n)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < n; i++)
		g_string_append_printf(s, "%s%02x", n == 6 && i ? ":" : "", b[i]);
	return g_string_free(s, FALSE);
}

/*
 * Wrap the upper-layer bytes already at p->buf + OFF_INNER + 40 into an
 * inner IPv6 header, UDP to 8060 and an outer IPv4 (outer == 4) or IPv6
 * header, recording the expected tshark values of every header field.
 */
static void
wrap(struct pkt *p, int outer, struct aero_ipv6 *inner, size_t upper_len)
{
	char a[INET6_ADDRSTRLEN];
	struct aero_ip_pseudo ps;
	struct aero_udp u = { .src_port = 49152, .dst_port = AERO_UDP_PORT };
	size_t inner_len = 40 + upper_len;

	inner->payload_len = upper_len;
	g_assert_cmpint(aero_wire_ipv6_encode(p->buf + OFF_INNER,
	                sizeof p->buf - OFF_INNER, inner), ==, 40 + (int)upper_len);
	u.payload_len = inner_len;
	if (outer == 4) {
		struct aero_ipv4 h = { .dscp = 46, .ecn = 1, .id = 0x1234, .df = false,
		                       .ttl = 63, .proto = AERO_IP_PROTO_UDP,
		                       .src = ip4("198.51.100.10"), .dst = ip4("192.0.2.1"),
		                       .payload_len = 8 + inner_len };
		p->start = OFF_INNER - 28;
		aero_wire_ipv4_pseudo(&ps, &h);
		/* computed checksum so tshark can check it (P1 default is 0) */
		g_assert_cmpint(aero_wire_udp_encode(p->buf + OFF_INNER - 8, 8 + inner_len,
		                &u, &ps, 0), ==, 8 + (int)inner_len);
		g_assert_cmpint(aero_wire_ipv4_encode(p->buf + p->start, 2048, &h), ==, 28 + (int)inner_len);
		expect(p, "ip.version", "4,6"); /* ip.version covers IPv6 too */
		expect(p, "ip.hdr_len", "20");
		expect(p, "ip.dsfield.dscp", "%u", h.dscp);
		expect(p, "ip.dsfield.ecn", "%u", h.ecn);
		expect(p, "ip.len", "%zu", 28 + inner_len);
		expect(p, "ip.id", "0x%04x", h.id);
		expect(p, "ip.flags.df", "0");
		expect(p, "ip.flags.mf", "0");
		expect(p, "ip.frag_offset", "0");
		expect(p, "ip.ttl", "%u", h.ttl);
		expect(p, "ip.proto", "17");
		expect(p, "ip.checksum.status", "1");
		expect(p, "ip.src", "198.51.100.10");
		expect(p, "ip.dst", "192.0.2.1");
	} else {
		struct aero_ipv6 h = { .dscp = 10, .ecn = 2, .flow_label = 0xabcde,
		                       .hop_limit = 64, .next_header = AERO_IP_PROTO_UDP,
		                       .src = ip6("2001:db8:ffff::a"), .dst = ip6("2001:db8:ffff::1"),
		                       .payload_len = 8 + inner_len };
		p->start = 0;
		aero_wire_ipv6_pseudo(&ps, &h);
		g_assert_cmpint(aero_wire_udp_encode(p->buf + OFF_INNER - 8, 8 + inner_len,
		                &u, &ps, AERO_UDP_P1_FLAGS_V6), ==, 8 + (int)inner_len);
		g_assert_cmpint(aero_wire_ipv6_encode(p->buf, 2048, &h), ==, 48 + (int)inner_len);
		/* outer and inner IPv6 fields aggregate: outer first */
		expect(p, "ipv6.flow", "0x%06x,0x%06x", h.flow_label, inner->flow_label);
		expect(p, "ipv6.tclass.dscp", "%u,%u", h.dscp, inner->dscp);
		expect(p, "ipv6.tclass.ecn", "%u,%u", h.ecn, inner->ecn);
		expect(p, "ipv6.plen", "%zu,%zu", 8 + inner_len, upper_len);
		expect(p, "ipv6.hlim", "%u,%u", h.hop_limit, inner->hop_limit);
		expect(p, "ipv6.nxt", "17,%u", inner->next_header);
		char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];
		expect(p, "ipv6.src", "%s,%s", ntop6(&h.src, b1), ntop6(&inner->src, b2));
		expect(p, "ipv6.dst", "%s,%s", ntop6(&h.dst, b1), ntop6(&inner->dst, b2));
	}
	p->len = OFF_INNER + inner_len - p->start;
	expect(p, "udp.srcport", "%u", u.src_port);
	expect(p, "udp.dstport", "%u", u.dst_port);
	expect(p, "udp.length", "%zu", 8 + inner_len);
	expect(p, "udp.checksum.status", "1");
	if (outer == 4) {
		expect(p, "ipv6.flow", "0x%06x", inner->flow_label);
		expect(p, "ipv6.tclass.dscp", "%u", inner->dscp);
		expect(p, "ipv6.tclass.ecn", "%u", inner->ecn);
		expect(p, "ipv6.plen", "%zu", upper_len);
		expect(p, "ipv6.hlim", "%u", inner->hop_limit);
		expect(p, "ipv6.nxt", "%u", inner->next_header);
		expect(p, "ipv6.src", "%s", ntop6(&inner->src, a));
		expect(p, "ipv6.dst", "%s", ntop6(&inner->dst, a));
	}
}

static struct aero_ipv6
inner_hdr(const char *src, const char *dst, uint8_t nh)
{
	struct aero_ipv6 h = { .dscp = 12, .ecn = 1, .flow_label = 0x54321,
	                       .hop_limit = 255, .next_header = nh,
	                       .src = ip6(src), .dst = ip6(dst) };
	return h;
}

/* ---- ICMPv6 ND ------------------------------------------------------------ */

static void
add_lla_expect(struct pkt *p, const char *field, const struct aero_nd_lla *l)
{
	uint8_t b[32];
	struct aero_nd_opts o = { .has_sllao = true, .sllao = *l };
	int n = aero_wire_nd_opts_encode(b, sizeof b, &o);

	g_assert_cmpint(n, >, 2);
	/* tshark shows the option body after Type/Length as raw bytes */
	gchar *h = hexcolon(b + 2, (size_t)n - 2);
	expect(p, field, "%s", h);
	g_free(h);
}

static void
build_ra(int outer)
{
	struct pkt *p = pkt_new();
	struct aero_ipv6 in = inner_hdr("fe80::1", "fe80::2001:db8:1000:2000",
	                                AERO_IP_PROTO_ICMPV6);
	struct aero_nd_msg m;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	memset(&m, 0, sizeof m);
	m.type = AERO_ND_TYPE_RA;
	m.ra.cur_hop_limit = 64;
	m.ra.managed = true;
	m.ra.home_agent = true;
	m.ra.prf = AERO_ND_PRF_HIGH;
	m.ra.router_lifetime = 1800;
	m.ra.reachable_time = 30000;
	m.ra.retrans_timer = 1000;
	m.opts.has_sllao = true;
	m.opts.sllao.form = AERO_ND_LLA_P1;
	m.opts.sllao.port = 8060;
	m.opts.sllao.link_id = 3;
	m.opts.sllao.pref = 7;
	m.opts.sllao.addr = ip6("::ffff:192.0.2.1");
	m.opts.has_mtu = true;
	m.opts.mtu = 1280;
	m.opts.n_pio = 2;
	m.opts.pio[0].prefix_len = 64;
	m.opts.pio[0].a = true;
	m.opts.pio[0].p = true;
	m.opts.pio[0].valid_lifetime = 86400;
	m.opts.pio[0].preferred_lifetime = 14400;
	m.opts.pio[0].prefix = ip6("2001:db8:1000:2000::");
	m.opts.pio[1].prefix_len = 48;
	m.opts.pio[1].l = true;
	m.opts.pio[1].r = true;
	m.opts.pio[1].valid_lifetime = 0xffffffff;
	m.opts.pio[1].preferred_lifetime = 600;
	m.opts.pio[1].prefix = ip6("2001:db8:aaaa::");
	m.opts.n_rio = 1;
	m.opts.rio[0].prefix_len = 56;
	m.opts.rio[0].prf = AERO_ND_PRF_LOW;
	m.opts.rio[0].lifetime = 600;
	m.opts.rio[0].prefix = ip6("2001:db8:1000:2000::");
	int n = aero_wire_nd_encode(p->buf + OFF_INNER + 40, 1500, &m, &in.src, &in.dst);
	g_assert_cmpint(n, >, 0);
	wrap(p, outer, &in, (size_t)n);

	expect(p, "icmpv6.type", "134");
	expect(p, "icmpv6.code", "0");
	expect(p, "icmpv6.checksum.status", "1");
	expect(p, "icmpv6.nd.ra.cur_hop_limit", "64");
	expect(p, "icmpv6.nd.ra.flag.m", "1");
	expect(p, "icmpv6.nd.ra.flag.o", "0");
	expect(p, "icmpv6.nd.ra.flag.h", "1");
	expect(p, "icmpv6.nd.ra.flag.prf", "%u", AERO_ND_PRF_HIGH);
	expect(p, "icmpv6.nd.ra.router_lifetime", "1800");
	expect(p, "icmpv6.nd.ra.reachable_time", "30000");
	expect(p, "icmpv6.nd.ra.retrans_timer", "1000");
	expect(p, "icmpv6.opt.type", "1,5,3,3,24");
	add_lla_expect(p, "icmpv6.opt.linkaddr", &m.opts.sllao);
	expect(p, "icmpv6.opt.mtu", "1280");
	expect(p, "icmpv6.opt.prefix.length", "64,48,56"); /* PIOs, then RIO */
	expect(p, "icmpv6.opt.prefix.flag.l", "0,1");
	expect(p, "icmpv6.opt.prefix.flag.a", "1,0");
	expect(p, "icmpv6.opt.prefix.flag.r", "0,1");
	/* tshark 4.0 has no P/X: bit 0x10 shows up in its reserved field */
	expect(p, "icmpv6.opt.prefix.flag.reserved", "16,0");
	expect(p, "icmpv6.opt.prefix.valid_lifetime", "86400,4294967295");
	expect(p, "icmpv6.opt.prefix.preferred_lifetime", "14400,600");
	expect(p, "icmpv6.opt.prefix", "%s,%s,%s", ntop6(&m.opts.pio[0].prefix, a),
	       ntop6(&m.opts.pio[1].prefix, b), "2001:db8:1000:2000::");
	expect(p, "icmpv6.opt.route_info.flag.route_preference", "%u", AERO_ND_PRF_LOW);
	expect(p, "icmpv6.opt.route_lifetime", "600");
}

static void
build_ns_na_redirect(void)
{
	char a[INET6_ADDRSTRLEN];
	struct aero_nd_msg m;
	int n;

	/* NS with a VET IPv4 SLLAO (Length 1) */
	struct pkt *p = pkt_new();
	struct aero_ipv6 in = inner_hdr("fe80::5efe:c000:201", "fe80::1", AERO_IP_PROTO_ICMPV6);
	memset(&m, 0, sizeof m);
	m.type = AERO_ND_TYPE_NS;
	m.target = ip6("fe80::1");
	m.opts.has_sllao = true;
	m.opts.sllao.form = AERO_ND_LLA_VET_IPV4;
	m.opts.sllao.ip4 = ip4("192.0.2.1");
	n = aero_wire_nd_encode(p->buf + OFF_INNER + 40, 1500, &m, &in.src, &in.dst);
	g_assert_cmpint(n, ==, 32);
	wrap(p, 6, &in, (size_t)n);
	expect(p, "icmpv6.type", "135");
	expect(p, "icmpv6.checksum.status", "1");
	expect(p, "icmpv6.nd.ns.target_address", "fe80::1");
	expect(p, "icmpv6.opt.type", "1");
	add_lla_expect(p, "icmpv6.opt.linkaddr", &m.opts.sllao);

	/* NA R=1 S=1 O=0 with a P1 TLLAO */
	p = pkt_new();
	in = inner_hdr("fe80::1", "fe80::5efe:c000:201", AERO_IP_PROTO_ICMPV6);
	memset(&m, 0, sizeof m);
	m.type = AERO_ND_TYPE_NA;
	m.na_router = m.na_solicited = true;
	m.target = ip6("fe80::1");
	m.opts.has_tllao = true;
	m.opts.tllao.form = AERO_ND_LLA_P1;
	m.opts.tllao.port = 49152;
	m.opts.tllao.addr = ip6("2001:db8:ffff::1");
	n = aero_wire_nd_encode(p->buf + OFF_INNER + 40, 1500, &m, &in.src, &in.dst);
	g_assert_cmpint(n, >, 0);
	wrap(p, 4, &in, (size_t)n);
	expect(p, "icmpv6.type", "136");
	expect(p, "icmpv6.checksum.status", "1");
	expect(p, "icmpv6.nd.na.flag.r", "1");
	expect(p, "icmpv6.nd.na.flag.s", "1");
	expect(p, "icmpv6.nd.na.flag.o", "0");
	expect(p, "icmpv6.nd.na.target_address", "fe80::1");
	expect(p, "icmpv6.opt.type", "2");
	add_lla_expect(p, "icmpv6.opt.linkaddr", &m.opts.tllao);

	/* Redirect with TLLAO and a Redirected Header */
	p = pkt_new();
	in = inner_hdr("fe80::1", "fe80::2001:db8:1000:2000", AERO_IP_PROTO_ICMPV6);
	uint8_t orig[48] = {0x60, 0, 0, 0, 0, 8, 17, 64};
	struct aero_in6 os = ip6("2001:db8:1000:2000::1"), od = ip6("2001:db8:2000:3000::1");
	memcpy(orig + 8, os.b, 16);
	memcpy(orig + 24, od.b, 16);
	memset(&m, 0, sizeof m);
	m.type = AERO_ND_TYPE_REDIRECT;
	m.target = ip6("fe80::2001:db8:2000:3000");
	m.dest = od;
	m.opts.has_tllao = true;
	m.opts.tllao.form = AERO_ND_LLA_P1;
	m.opts.tllao.addr = ip6("::ffff:203.0.113.9");
	m.opts.has_rho = true;
	m.opts.rho = orig;
	m.opts.rho_len = sizeof orig;
	p->nested = true;
	n = aero_wire_nd_encode(p->buf + OFF_INNER + 40, 1500, &m, &in.src, &in.dst);
	g_assert_cmpint(n, >, 0);
	wrap(p, 4, &in, (size_t)n);
	expect(p, "icmpv6.type", "137");
	expect(p, "icmpv6.checksum.status", "1");
	expect(p, "icmpv6.nd.rd.target_address", "%s", ntop6(&m.target, a));
	expect(p, "icmpv6.rd.na.destination_address", "%s", ntop6(&m.dest, a));
	expect(p, "icmpv6.opt.type", "2,4");
}

/* ---- DHCPv6 inside P1 --------------------------------------------------- */

#include "xcheck_dhcp6.inc"

/* ---- run tshark and compare ----------------------------------------------- */

static void
test_tshark(void)
{
	GHashTable *fields = g_hash_table_new(g_str_hash, g_str_equal);
	gchar *dir = g_dir_make_tmp("aero-xcheck-XXXXXX", NULL);
	gchar *path = g_build_filename(dir, "xcheck.pcap", NULL);
	GPtrArray *blobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	static const char *const extra[] = {
		"-d", "udp.port==8060,ipv6",
		"-o", "ip.check_checksum:TRUE",
		"-o", "udp.check_checksum:TRUE",
		NULL
	};

	for (guint i = 0; i < pkts->len; i++) {
		struct pkt *p = pkts->pdata[i];
		GHashTableIter it;
		gpointer k;
		g_ptr_array_add(blobs, g_bytes_new(p->buf + p->start, p->len));
		g_hash_table_iter_init(&it, p->expect);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_hash_table_add(fields, k);
	}
	tu_pcap_write_raw(path, blobs);
	guint nf = g_hash_table_size(fields);
	const char **flist = (const char **)g_hash_table_get_keys_as_array(fields, NULL);
	const char **fl = g_new0(const char *, nf + 1);
	memcpy(fl, flist, nf * sizeof *fl);
	GPtrArray *rows = tu_tshark_fields(path, fl, extra);
	g_assert_cmpuint(rows->len, ==, pkts->len);

	guint checked = 0, bad = 0;
	for (guint i = 0; i < pkts->len; i++) {
		struct pkt *p = pkts->pdata[i];
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, p->expect);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			const char *got = g_hash_table_lookup(rows->pdata[i], k);
			checked++;
			gchar *pre = g_strconcat(v, ",", NULL);
			bool same = g_strcmp0(got, v) == 0 ||
			            (p->nested && got && g_str_has_prefix(got, pre));
			g_free(pre);
			if (!same) {
				bad++;
				g_test_message("packet %u: %s: tshark \"%s\", encoded \"%s\"",
				               i + 1, (const char *)k, got, (const char *)v);
			}
		}
	}
	g_test_message("%u packets, %u field values compared with tshark, %u differ",
	               pkts->len, checked, bad);
	g_assert_cmpuint(checked, >=, 100);
	g_assert_cmpuint(bad, ==, 0);

	g_ptr_array_unref(rows);
	g_free(fl);
	g_free(flist);
	g_ptr_array_unref(blobs);
	g_hash_table_unref(fields);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

static void
pkt_free(gpointer data)
{
	struct pkt *p = data;

	g_hash_table_unref(p->expect);
	g_free(p);
}

int
main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	pkts = g_ptr_array_new_with_free_func(pkt_free);
	build_ra(4);
	build_ra(6);
	build_ns_na_redirect();
	build_dhcp6();
	g_test_add_func("/xcheck/tshark/ip-udp-nd-dhcp6", test_tshark);
	rc = g_test_run();
	g_ptr_array_unref(pkts);
	return rc;
}
