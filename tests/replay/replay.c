/*
 * tests/replay/replay.c -- the pcap replay engine (see replay.h).
 */
#include "replay.h"

#include <string.h>

#include "aero/json.h"
#include "aero/wire_dhcp6.h"
#include "aero/wire_ip.h"
#include "aero/wire_nd.h"
#include "aero/wire_packet.h"
#include "../../core/tools/json_packet.h"

/* ---- PRNG: xoshiro256** seeded by splitmix64 ---------------------------- */

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
xoshiro_next(uint64_t s[4])
{
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

static void
cb_rand(uint8_t *dst, size_t len, void *user)
{
	struct replay *r = user;
	while (len > 0) {
		uint64_t v = xoshiro_next(r->rng);
		size_t k = len < 8 ? len : 8;
		for (size_t i = 0; i < k; i++)
			dst[i] = (uint8_t)(v >> (8 * i));
		dst += k;
		len -= k;
	}
}

static void
cb_log(int level, const char *msg, void *user)
{
	struct replay *r = user;
	if (r->o.verbose)
		fprintf(stderr, "aero-replay: node[%d]: %s\n", level, msg);
}

/* ---- link layer ----------------------------------------------------------- */

bool
rp_link_supported(int dlt)
{
	switch (dlt) {
	case RP_LINKTYPE_NULL:
	case RP_LINKTYPE_ETHERNET:
	case RP_LINKTYPE_RAW:
	case RP_DLT_RAW_BSD:
	case RP_DLT_RAW_OPENBSD:
	case RP_LINKTYPE_LOOP:
	case RP_LINKTYPE_SLL:
	case RP_LINKTYPE_IPV4:
	case RP_LINKTYPE_IPV6:
	case RP_LINKTYPE_SLL2:
		return true;
	default:
		return false;
	}
}

const char *
rp_link_name(int dlt)
{
	switch (dlt) {
	case RP_LINKTYPE_NULL: return "NULL";
	case RP_LINKTYPE_ETHERNET: return "EN10MB";
	case RP_LINKTYPE_RAW: case RP_DLT_RAW_BSD: case RP_DLT_RAW_OPENBSD:
		return "RAW";
	case RP_LINKTYPE_LOOP: return "LOOP";
	case RP_LINKTYPE_SLL: return "LINUX_SLL";
	case RP_LINKTYPE_IPV4: return "IPV4";
	case RP_LINKTYPE_IPV6: return "IPV6";
	case RP_LINKTYPE_SLL2: return "LINUX_SLL2";
	default: return "unknown";
	}
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int
ip_at(const uint8_t *p, size_t caplen, size_t off, uint16_t ethertype,
      size_t *out)
{
	if (ethertype != 0x0800 && ethertype != 0x86dd)
		return RP_LINK_NOT_IP;
	if (caplen <= off)
		return RP_LINK_SHORT;
	(void)p;
	*out = off;
	return RP_LINK_OK;
}

int
rp_link_strip(int dlt, const uint8_t *p, size_t caplen, size_t *off)
{
	size_t o;
	uint16_t et;
	uint32_t af;

	switch (dlt) {
	case RP_LINKTYPE_RAW:
	case RP_DLT_RAW_BSD:
	case RP_DLT_RAW_OPENBSD:
	case RP_LINKTYPE_IPV4:
	case RP_LINKTYPE_IPV6:
		if (caplen < 1)
			return RP_LINK_SHORT;
		if ((p[0] >> 4) != 4 && (p[0] >> 4) != 6)
			return RP_LINK_NOT_IP;
		*off = 0;
		return RP_LINK_OK;
	case RP_LINKTYPE_NULL:
	case RP_LINKTYPE_LOOP:
		/* 4-byte address family: host order (NULL) or network (LOOP) */
		if (caplen < 4)
			return RP_LINK_SHORT;
		af = dlt == RP_LINKTYPE_LOOP ?
		     (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] :
		     (p[0] | p[1] | p[2]) == 0 ? p[3] : p[0];
		if (af != 2 && af != 10 && af != 24 && af != 28 && af != 30)
			return RP_LINK_NOT_IP;
		return ip_at(p, caplen, 4, af == 2 ? 0x0800 : 0x86dd, off);
	case RP_LINKTYPE_ETHERNET:
		if (caplen < 14)
			return RP_LINK_SHORT;
		o = 12;
		et = be16(p + o);
		while (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
			if (caplen < o + 6)
				return RP_LINK_SHORT;
			o += 4;
			et = be16(p + o);
		}
		return ip_at(p, caplen, o + 2, et, off);
	case RP_LINKTYPE_SLL: /* 16 bytes, protocol at 14 */
		if (caplen < 16)
			return RP_LINK_SHORT;
		return ip_at(p, caplen, 16, be16(p + 14), off);
	case RP_LINKTYPE_SLL2: /* 20 bytes, protocol at 0 */
		if (caplen < 20)
			return RP_LINK_SHORT;
		return ip_at(p, caplen, 20, be16(p), off);
	default:
		return RP_LINK_UNSUPPORTED;
	}
}

/* ---- output pcap --------------------------------------------------------- */

static void
put_le32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

void
rp_pcap_header(FILE *f)
{
	uint8_t h[24];
	put_le32(h, 0xa1b23c4d); /* nanosecond resolution */
	h[4] = 2; h[5] = 0; h[6] = 4; h[7] = 0;
	put_le32(h + 8, 0);
	put_le32(h + 12, 0);
	put_le32(h + 16, 65535);
	put_le32(h + 20, RP_LINKTYPE_RAW);
	fwrite(h, 1, sizeof h, f);
}

static void
pcap_rec(FILE *f, aero_tstamp t, const uint8_t *p, size_t len)
{
	uint8_t h[16];
	put_le32(h, (uint32_t)(t / AERO_SEC));
	put_le32(h + 4, (uint32_t)(t % AERO_SEC));
	put_le32(h + 8, (uint32_t)len);
	put_le32(h + 12, (uint32_t)len);
	fwrite(h, 1, sizeof h, f);
	fwrite(p, 1, len, f);
}

/* ---- canonical text ------------------------------------------------------- */

static void
str_replace_all(GString *s, const char *from, const char *to)
{
	if (from[0])
		g_string_replace(s, from, to, 0);
}

/* Decode an output packet and blank what changes with the random stream:
 * IPv4 Identification and checksums, UDP/ICMPv6 checksums, DHCPv6
 * transaction ids and Elapsed Time, SEAL Identification and ICV, the
 * node's random link-
 * local (pre-delegation, IPv6 locator). */
static void
canon_packet(struct replay *r, const char *side, const uint8_t *p, size_t len,
             enum aero_packet_layer start)
{
	static struct aero_packet pk; /* large; one replay at a time */
	struct aero_packet_opts po;
	struct aj j;

	aero_packet_opts_default(&po);
	po.pio_x = r->o.cfg.pio_x;
	po.profile = r->o.cfg.profile == AERO_PROFILE_P2 ?
	             AERO_PACKET_PROFILE_P2 : AERO_PACKET_PROFILE_P1;
	po.aero_port = AERO_UDP_PORT;
	if (r->o.cfg.icv_key_len) {
		po.icv_key = r->o.cfg.icv_key;
		po.icv_key_len = r->o.cfg.icv_key_len;
	}
	po.allow_zero_udp6 = true;
	memset(&pk, 0, sizeof pk);
	(void)aero_wire_packet_decode(&pk, p, len, start, &po);
	pk.outer4.id = 0;
	pk.outer4.checksum = 0;
	pk.udp.checksum = 0;
	pk.inner_udp.checksum = 0;
	pk.nd.checksum = 0;
	pk.scmp.checksum = 0;
	pk.seal.id = 0;
	memset(pk.seal.icv, 0, sizeof pk.seal.icv);
	pk.dhcp6.transaction_id = 0;
	pk.dhcp6.elapsed = 0; /* a time: follows the random back-off */

	g_string_truncate(r->scratch, 0);
	aj_init(&j, r->scratch);
	aj_obj_begin(&j, NULL);
	aj_str(&j, "side", side);
	aj_uint(&j, "length", len);
	json_packet(&j, &pk);
	aj_obj_end(&j);
	str_replace_all(r->scratch, r->random_ll, "<random-ll>");
	fprintf(r->canon, "> %s\n", r->scratch->str);
}

/* ---- events --------------------------------------------------------------- */

static void
event_members(struct aj *j, const struct aero_event *e)
{
	char b[64];
	aj_str(j, "type", aero_event_name(e->type));
	if (e->name)
		aj_str(j, "name", e->name);
	switch (e->type) {
	case AERO_EV_PREFIX_DELEGATED:
	case AERO_EV_PREFIX_RENEWED:
	case AERO_EV_PREFIX_LOST:
	case AERO_EV_ROUTE_ADD:
	case AERO_EV_ROUTE_DEL:
	case AERO_EV_ROUTE_ANNOUNCE:
	case AERO_EV_ROUTE_WITHDRAW:
	case AERO_EV_RO_UP:
	case AERO_EV_RO_DOWN:
	case AERO_EV_BINDING:
		aj_prefix6(j, "prefix", &e->prefix, e->plen);
		break;
	default:
		if (e->plen)
			aj_prefix6(j, "prefix", &e->prefix, e->plen);
		break;
	}
	if (e->type == AERO_EV_RO_UP || e->type == AERO_EV_RO_DOWN)
		aj_prefix6(j, "src_prefix", &e->src_prefix, e->src_plen);
	static const struct aero_in6 zero;
	if (memcmp(&e->addr, &zero, sizeof zero) != 0)
		aj_ip6(j, "addr", &e->addr);
	if (e->loc.family)
		aj_str(j, "loc", aero_loc_format(&e->loc, b, sizeof b));
	if (e->vltime || e->pltime || e->type == AERO_EV_PREFIX_DELEGATED ||
	    e->type == AERO_EV_PREFIX_RENEWED) {
		aj_uint(j, "vltime", e->vltime);
		aj_uint(j, "pltime", e->pltime);
	}
	if (e->type == AERO_EV_ROUTE_ADD || e->type == AERO_EV_ROUTE_DEL)
		aj_str(j, "route_kind", e->rkind == AERO_RT_VIA ? "via" :
		       e->rkind == AERO_RT_BLACKHOLE ? "blackhole" : "link");
	if (e->ifindex)
		aj_uint(j, "ifindex", e->ifindex);
	if (e->type == AERO_EV_ADDR_ADD)
		aj_bool(j, "nodad", e->nodad);
}

static void
out_event(struct replay *r, const struct aero_event *e)
{
	struct aj j;
	r->st.out_events++;
	if (r->events) {
		g_string_truncate(r->scratch, 0);
		aj_init(&j, r->scratch);
		aj_obj_begin(&j, NULL);
		aj_num(&j, "t", (double)(r->now - r->t0) / 1e9);
		aj_str(&j, "node", r->o.node_name);
		event_members(&j, e);
		aj_obj_end(&j);
		fprintf(r->events, "%s\n", r->scratch->str);
	}
	if (r->canon) {
		g_string_truncate(r->scratch, 0);
		aj_init(&j, r->scratch);
		aj_obj_begin(&j, NULL);
		event_members(&j, e);
		aj_obj_end(&j);
		str_replace_all(r->scratch, r->random_ll, "<random-ll>");
		fprintf(r->canon, "! %s\n", r->scratch->str);
	}
}

/* ---- draining -------------------------------------------------------------- */

static void
drain(struct replay *r)
{
	struct aero_out o;
	while (aero_node_poll(r->node, &o) == 1) {
		if (r->canon && r->timer_mark) {
			fputs("~ timer\n", r->canon);
			r->timer_mark = false;
		}
		if (o.kind == AERO_OUT_EVENT) {
			out_event(r, &o.ev);
			continue;
		}
		r->st.out_packets++;
		r->st.out_bytes += o.len;
		if (o.pi.side == AERO_SIDE_UNDERLAY) {
			r->st.out_underlay++;
			int k = aero_out_frame(&o, r->frame, sizeof r->frame,
			                       ++r->ip_id);
			if (k < 0) {
				if (r->canon)
					fprintf(r->canon, "> {\"side\":\"underlay\",\"error\":\"no outer frame (len %zu)\"}\n",
					        o.len);
				continue;
			}
			if (r->pcap)
				pcap_rec(r->pcap, r->now, r->frame, (size_t)k);
			if (r->canon)
				canon_packet(r, "underlay", r->frame, (size_t)k,
				             AERO_PACKET_LAYER_AUTO);
		} else {
			r->st.out_tunnel++;
			if (r->pcap)
				pcap_rec(r->pcap, r->now, o.data, o.len);
			if (r->canon)
				canon_packet(r, "tunnel", o.data, o.len,
				             AERO_PACKET_LAYER_INNER_IPV6);
		}
	}
	r->timer_mark = false;
}

/* Drain what the node queued at creation (a Client starts at once). */
static void
first_drain(struct replay *r)
{
	if (!r->started) {
		r->started = true;
		drain(r);
	}
}

static void
run_timers(struct replay *r, aero_tstamp until)
{
	for (;;) {
		aero_tstamp d = aero_node_deadline(r->node);
		if (d == AERO_TSTAMP_NONE || d > until)
			break;
		if (d < r->now)
			d = r->now;
		r->now = d;
		r->timer_mark = true;
		aero_node_timeout(r->node, d);
		drain(r);
	}
}

void
rp_run_until(struct replay *r, aero_tstamp end)
{
	first_drain(r);
	run_timers(r, end);
	if (end > r->now)
		r->now = end;
}

/* ---- classification -------------------------------------------------------- */

static struct aero_loc
loc_from_ip4(const struct aero_in4 *a, uint16_t port)
{
	return aero_loc_v4(a->b[0], a->b[1], a->b[2], a->b[3], port);
}

static bool
loc_ip_equal(const struct aero_loc *a, const struct aero_loc *b)
{
	size_t n = a->family == 4 ? 4 : 16;
	return a->family == b->family && memcmp(a->ip, b->ip, n) == 0;
}

/* UNDERLAY: outer IP + UDP to us. */
static void
classify_underlay(struct replay *r, const uint8_t *ip, size_t len)
{
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY};
	struct aero_udp u;
	const uint8_t *up;
	size_t ulen;

	if ((ip[0] >> 4) == 4) {
		struct aero_ipv4 h;
		if (aero_wire_ipv4_decode(&h, ip, len, AERO_IPV4_F_NOCSUM) < 0) {
			r->st.skip_short++;
			return;
		}
		if (h.mf || h.frag_off) {
			r->st.skip_fragment++;
			return;
		}
		if (h.proto != AERO_IP_PROTO_UDP) {
			r->st.skip_not_udp++;
			return;
		}
		if (aero_wire_udp_decode(&u, h.payload, h.payload_len, NULL, 0) < 0) {
			r->st.skip_short++;
			return;
		}
		pi.src = loc_from_ip4(&h.src, u.src_port);
		pi.dst = loc_from_ip4(&h.dst, u.dst_port);
		pi.tclass = (uint8_t)(h.dscp << 2 | h.ecn);
		pi.ttl = h.ttl;
	} else {
		struct aero_ipv6 h;
		uint8_t proto;
		if (aero_wire_ipv6_decode(&h, ip, len) < 0) {
			r->st.skip_short++;
			return;
		}
		int k = aero_wire_ipv6_upper(&h, &proto, &up, &ulen);
		if (k == AERO_WIRE_E_FIELD) {
			r->st.skip_fragment++;
			return;
		}
		if (k < 0) {
			r->st.skip_short++;
			return;
		}
		if (proto == AERO_IP_PROTO_FRAGMENT) {
			r->st.skip_fragment++;
			return;
		}
		if (proto != AERO_IP_PROTO_UDP) {
			r->st.skip_not_udp++;
			return;
		}
		if (aero_wire_udp_decode(&u, up, ulen, NULL, 0) < 0) {
			r->st.skip_short++;
			return;
		}
		pi.src = aero_loc_v6(&h.src, u.src_port);
		pi.dst = aero_loc_v6(&h.dst, u.dst_port);
		pi.tclass = (uint8_t)(h.dscp << 2 | h.ecn);
		pi.ttl = h.hop_limit;
		pi.flow_label = h.flow_label;
	}
	if (pi.dst.port != r->o.cfg.self.port ||
	    (!r->o.any_dst && !loc_ip_equal(&pi.dst, &r->o.cfg.self))) {
		r->st.skip_not_node++;
		return;
	}
	if (r->canon) {
		char a[64], b[64];
		fprintf(r->canon, "< %llu underlay %s -> %s len %zu\n",
		        (unsigned long long)r->in_index,
		        aero_loc_format(&pi.src, a, sizeof a),
		        aero_loc_format(&pi.dst, b, sizeof b), u.payload_len);
	}
	r->st.fed++;
	aero_node_recv(r->node, &pi, u.payload, u.payload_len, r->now);
	drain(r);
}

/* NATIVE: does a node of our role receive this native IPv6 packet? */
static bool
native_for_role(const struct replay *r, const struct aero_ipv6 *h,
                const char **what)
{
	uint8_t proto;
	const uint8_t *up;
	size_t ulen;
	bool client = r->o.cfg.role == AERO_ROLE_CLIENT;

	if (aero_wire_ipv6_upper(h, &proto, &up, &ulen) < 0)
		return false;
	if (proto == AERO_IP_PROTO_UDP && ulen >= 8) {
		uint16_t dport = be16(up + 2);
		*what = dport == 547 ? "dhcp6-to-server" : dport == 546 ?
		        "dhcp6-to-client" : "udp";
		return client ? dport == 546 : dport == 547;
	}
	if (proto == AERO_IP_PROTO_ICMPV6 && ulen >= 1) {
		switch (up[0]) {
		case AERO_ND_TYPE_RS: *what = "rs"; return !client;
		case AERO_ND_TYPE_RA: *what = "ra"; return client;
		case AERO_ND_TYPE_REDIRECT: *what = "redirect"; return client;
		case AERO_ND_TYPE_NS: *what = "ns"; return true;
		case AERO_ND_TYPE_NA: *what = "na"; return true;
		default: *what = "icmpv6"; return false;
		}
	}
	*what = "other";
	return false;
}

static struct aero_loc
native_peer(struct replay *r, const struct aero_in6 *src)
{
	gpointer v;
	unsigned k;
	if (!g_hash_table_lookup_extended(r->peers, src, NULL, &v)) {
		k = g_hash_table_size(r->peers);
		struct aero_in6 *key = g_memdup2(src, sizeof *src);
		g_hash_table_insert(r->peers, key, GUINT_TO_POINTER(k));
	} else {
		k = GPOINTER_TO_UINT(v);
	}
	struct aero_loc l = r->o.peer;
	size_t last = l.family == 4 ? 3 : 15;
	l.ip[last] = (uint8_t)(l.ip[last] + k);
	return l;
}

static guint
in6_hash(gconstpointer p)
{
	return aero_wire_hash_oaat(0, p, 16);
}

static gboolean
in6_eq(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, 16) == 0;
}

/* NATIVE: recompute the inner UDP / ICMPv6 checksum in place. Captures
 * taken on the sending host (veth) carry partial checksums from TX
 * offload (peers/NOTES.md); the receiver would have seen correct ones. */
static void
fix_checksum(uint8_t *ip, size_t len)
{
	struct aero_ipv6 h;
	uint8_t proto;
	const uint8_t *up;
	size_t ulen;
	if (aero_wire_ipv6_decode(&h, ip, len) < 0 ||
	    aero_wire_ipv6_upper(&h, &proto, &up, &ulen) < 0)
		return;
	uint8_t *u = ip + (up - ip);
	size_t at;
	if (proto == AERO_IP_PROTO_UDP && ulen >= 8)
		at = 6;
	else if (proto == AERO_IP_PROTO_ICMPV6 && ulen >= 4)
		at = 2;
	else
		return;
	u[at] = u[at + 1] = 0;
	uint32_t sum = aero_wire_csum_pseudo6(0, &h.src, &h.dst, (uint32_t)ulen, proto);
	sum = aero_wire_csum_add(sum, u, ulen);
	uint16_t c = aero_wire_csum_fold(sum);
	if (c == 0 && proto == AERO_IP_PROTO_UDP)
		c = 0xffff;
	u[at] = (uint8_t)(c >> 8);
	u[at + 1] = (uint8_t)c;
}

/* NATIVE, Server: the captured client talked to another server (Kea,
 * dhcpd), so its Request/Renew/Release name that server's DUID; put ours
 * (DUID-LL 02:00:<ID>, role_server.c) in its place so the exchange goes
 * on. Only plain IPv6 + UDP to port 547, non-relay messages. Writes the
 * new packet to r->frame; returns true when it rewrote. */
static bool
serverid_rewrite(struct replay *r, const uint8_t *ip, size_t *len)
{
	static struct aero_dhcp6_msg m;
	static uint8_t tmp[65536];
	struct aero_ipv6 h;
	struct aero_udp u;
	uint8_t mine[6] = {0x02, 0x00, (uint8_t)(r->o.cfg.id >> 24),
	                   (uint8_t)(r->o.cfg.id >> 16), (uint8_t)(r->o.cfg.id >> 8),
	                   (uint8_t)r->o.cfg.id};

	if (aero_wire_ipv6_decode(&h, ip, *len) < 0 || h.next_header != AERO_IP_PROTO_UDP ||
	    aero_wire_udp_decode(&u, h.payload, h.payload_len, NULL, 0) < 0 ||
	    u.dst_port != 547 ||
	    aero_wire_dhcp6_decode(&m, u.payload, u.payload_len) < 0 ||
	    !m.has_serverid || m.msg_type == AERO_DHCP6_RELAY_FORW)
		return false;
	if (m.serverid.type == AERO_DHCP6_DUID_LL && m.serverid.hwtype == 1 &&
	    m.serverid.data_len == 6 && memcmp(m.serverid.data, mine, 6) == 0)
		return false;
	m.serverid.type = AERO_DHCP6_DUID_LL;
	m.serverid.hwtype = 1;
	m.serverid.data = mine;
	m.serverid.data_len = 6;
	size_t at = AERO_IPV6_HDR_LEN + AERO_UDP_HDR_LEN;
	int k = aero_wire_dhcp6_encode(tmp + at, sizeof tmp - at, &m);
	if (k < 0)
		return false;
	struct aero_udp nu = {.src_port = u.src_port, .dst_port = u.dst_port,
	                      .payload_len = (size_t)k};
	k = aero_wire_udp_encode(tmp + AERO_IPV6_HDR_LEN, sizeof tmp - AERO_IPV6_HDR_LEN,
	                         &nu, NULL, AERO_UDP_F_KEEP_CSUM);
	if (k < 0)
		return false;
	h.payload = NULL;
	h.payload_len = (size_t)k;
	k = aero_wire_ipv6_encode(tmp, sizeof tmp, &h);
	if (k < 0 || (size_t)k > sizeof r->frame)
		return false;
	memcpy(r->frame, tmp, (size_t)k);
	*len = (size_t)k;
	return true;
}

static void
classify_inner(struct replay *r, const uint8_t *ip, size_t len)
{
	struct aero_ipv6 h;
	const char *what = "";
	char a[64], b[64];

	if ((ip[0] >> 4) != 6) {
		r->st.skip_not_ipv6++;
		return;
	}
	if (aero_wire_ipv6_decode(&h, ip, len) < 0) {
		r->st.skip_short++;
		return;
	}
	len = AERO_IPV6_HDR_LEN + h.payload_len; /* drop link padding */
	if (r->o.mode == RP_MODE_TUNNEL) {
		struct aero_pktinfo pi = {.side = AERO_SIDE_TUNNEL};
		if (r->canon)
			fprintf(r->canon, "< %llu tunnel %s -> %s len %zu\n",
			        (unsigned long long)r->in_index,
			        aero_in6_format(&h.src, a, sizeof a),
			        aero_in6_format(&h.dst, b, sizeof b), len);
		r->st.fed++;
		aero_node_recv(r->node, &pi, ip, len, r->now);
		drain(r);
		return;
	}
	if (!native_for_role(r, &h, &what)) {
		r->st.skip_native_other++;
		if (r->canon)
			fprintf(r->canon, "- %llu native %s %s -> %s: not for a %s\n",
			        (unsigned long long)r->in_index, what,
			        aero_in6_format(&h.src, a, sizeof a),
			        aero_in6_format(&h.dst, b, sizeof b),
			        aero_role_name(r->o.cfg.role));
		return;
	}
	if (!r->o.keep_checksums && len <= sizeof r->frame) {
		memcpy(r->frame, ip, len);
		ip = r->frame;
		fix_checksum(r->frame, len);
	}
	if (!r->o.keep_serverid && r->o.cfg.role == AERO_ROLE_SERVER &&
	    serverid_rewrite(r, ip, &len)) {
		ip = r->frame;
		fix_checksum(r->frame, len);
		r->st.native_serverid_rewritten++;
	}
	struct aero_pktinfo pi = {.side = AERO_SIDE_UNDERLAY, .ttl = 64};
	pi.src = native_peer(r, &h.src);
	pi.dst = r->o.cfg.self;
	if (r->canon)
		fprintf(r->canon, "< %llu native %s %s -> %s len %zu as %s\n",
		        (unsigned long long)r->in_index, what,
		        aero_in6_format(&h.src, a, sizeof a),
		        aero_in6_format(&h.dst, b, sizeof b), len,
		        aero_loc_format(&pi.src, (char[64]){0}, 64));
	r->st.fed++;
	aero_node_recv(r->node, &pi, ip, len, r->now);
	drain(r);
}

void
rp_record(struct replay *r, aero_tstamp ts, int dlt, const uint8_t *p,
          size_t caplen, size_t len)
{
	size_t off = 0;

	first_drain(r);
	r->st.records++;
	r->in_index = r->st.records;
	if (ts < r->now) {
		r->st.clock_backwards++;
		ts = r->now;
	}
	run_timers(r, ts);
	r->now = ts;
	r->last_rec = ts;

	int k = rp_link_strip(dlt, p, caplen, &off);
	if (k == RP_LINK_NOT_IP || k == RP_LINK_UNSUPPORTED) {
		r->st.skip_not_ip++;
		return;
	}
	if (k < 0) {
		r->st.skip_short++;
		return;
	}
	if (caplen < len) {
		r->st.skip_snaplen++;
		return;
	}
	p += off;
	caplen -= off;
	if (r->o.mode == RP_MODE_UNDERLAY)
		classify_underlay(r, p, caplen);
	else
		classify_inner(r, p, caplen);
}

/* ---- setup and the end ----------------------------------------------------- */

int
rp_init(struct replay *r, const struct rp_opts *o, aero_tstamp start,
        const char **why)
{
	uint64_t x = o->seed;
	int rc;

	memset(r, 0, sizeof *r);
	r->o = *o;
	if (!r->o.node_name)
		r->o.node_name = "node";
	for (int i = 0; i < 4; i++)
		r->rng[i] = splitmix64(&x);
	r->cb.rand = cb_rand;
	r->cb.log = o->verbose ? cb_log : NULL; /* no formatting cost when quiet */
	r->t0 = r->now = start;
	r->scratch = g_string_sized_new(2048);
	r->peers = g_hash_table_new_full(in6_hash, in6_eq, g_free, NULL);
	if (r->o.mode == RP_MODE_NATIVE && !r->o.peer.family) {
		if (o->cfg.role == AERO_ROLE_CLIENT && o->cfg.n_prl > 0)
			r->o.peer = o->cfg.prl[0].loc;
		else if (o->cfg.self.family == 6) {
			struct aero_in6 a = {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			                      0, 0, 0, 0, 0, 0, 0x01, 0x00}};
			r->o.peer = aero_loc_v6(&a, 49152);
		} else {
			r->o.peer = aero_loc_v4(192, 0, 2, 100, 49152);
		}
	}
	rc = aero_node_new(&r->node, &r->o.cfg, &r->cb, r, start);
	if (rc < 0) {
		*why = "the node refused the configuration (run with -v for the reason)";
		r->node = NULL;
		return rc;
	}
	/* The pre-delegation link-local of a Client with an IPv6 locator has
	 * a random IID: blank it in the canonical text. */
	if (o->cfg.role == AERO_ROLE_CLIENT && o->cfg.self.family == 6) {
		char *js = aero_node_dump_json(r->node);
		const char *p = js ? strstr(js, "\"ll\":\"") : NULL;
		if (p) {
			p += 6;
			size_t n = strcspn(p, "\"");
			if (n < sizeof r->random_ll)
				memcpy(r->random_ll, p, n);
		}
		g_free(js);
	}
	return 0;
}

void
rp_free(struct replay *r)
{
	if (r->node)
		aero_node_free(r->node);
	r->node = NULL;
	if (r->scratch)
		g_string_free(r->scratch, TRUE);
	r->scratch = NULL;
	if (r->peers)
		g_hash_table_destroy(r->peers);
	r->peers = NULL;
}

#define RP_STATS(X) \
	X(records) X(fed) X(skip_not_ip) X(skip_short) X(skip_snaplen) \
	X(skip_fragment) X(skip_not_udp) X(skip_not_node) X(skip_not_ipv6) \
	X(skip_native_other) X(native_serverid_rewritten) X(clock_backwards) X(out_packets) \
	X(out_underlay) X(out_tunnel) X(out_events) X(out_bytes)

void
rp_counters_json(const struct replay *r, GString *out)
{
	struct aj j;
	uint64_t v;
	const char *name;

	aj_init(&j, out);
	aj_obj_begin(&j, NULL);
	aj_obj_begin(&j, r->o.node_name);
	for (size_t i = 0; (name = aero_node_counter_at(r->node, i, &v)); i++)
		aj_uint(&j, name, v);
	/* the replay's own counters beside the node's, prefixed */
#define X(f) aj_uint(&j, "replay_" #f, r->st.f);
	RP_STATS(X)
#undef X
	aj_obj_end(&j);
	aj_obj_end(&j);
}

void
rp_finish(struct replay *r, FILE *counters_json)
{
	uint64_t v;
	const char *name;

	first_drain(r);
	if (r->canon) {
		fputs("= node counters (non-zero)\n", r->canon);
		for (size_t i = 0; (name = aero_node_counter_at(r->node, i, &v)); i++)
			if (v)
				fprintf(r->canon, "= %s %llu\n", name,
				        (unsigned long long)v);
		fputs("= replay\n", r->canon);
#define X(f) fprintf(r->canon, "= %s %llu\n", #f, (unsigned long long)r->st.f);
		RP_STATS(X)
#undef X
	}
	if (counters_json) {
		GString *s = g_string_new(NULL);
		rp_counters_json(r, s);
		fprintf(counters_json, "%s\n", s->str);
		g_string_free(s, TRUE);
	}
}
