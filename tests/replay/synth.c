/*
 * tests/replay/synth.c -- AERO P1 frames from the wire encoders.
 */
#include "synth.h"

#include <string.h>

#include "aero/wire_ip.h"
#include "aero/wire_nd.h"

int
synth_p1(uint8_t *buf, size_t cap, const struct aero_loc *from,
         const struct aero_loc *to, const struct aero_in6 *src,
         const struct aero_in6 *dst, uint8_t hlim, uint8_t proto,
         const uint8_t *l4, size_t l4len)
{
	size_t oh = from->family == 4 ? AERO_IPV4_HDR_LEN : AERO_IPV6_HDR_LEN;
	size_t in = oh + AERO_UDP_HDR_LEN;
	int k;
	if (cap < in + AERO_IPV6_HDR_LEN + l4len)
		return AERO_WIRE_E_NOBUF;
	memmove(buf + in + AERO_IPV6_HDR_LEN, l4, l4len);
	struct aero_ipv6 h6 = {.next_header = proto, .hop_limit = hlim,
	                       .src = *src, .dst = *dst, .payload_len = l4len};
	k = aero_wire_ipv6_encode(buf + in, cap - in, &h6);
	if (k < 0)
		return k;
	struct aero_udp u = {.src_port = from->port, .dst_port = to->port,
	                     .payload_len = (size_t)k};
	struct aero_ip_pseudo ps = {.family = from->family};
	memcpy(ps.src.b, from->ip, 16);
	memcpy(ps.dst.b, to->ip, 16);
	k = aero_wire_udp_encode(buf + oh, cap - oh, &u, &ps,
	                         from->family == 4 ? AERO_UDP_F_ZERO_CSUM : 0);
	if (k < 0)
		return k;
	if (from->family == 4) {
		struct aero_ipv4 h = {.ttl = 64, .proto = AERO_IP_PROTO_UDP,
		                      .id = 1, .payload_len = (size_t)k};
		memcpy(h.src.b, from->ip, 4);
		memcpy(h.dst.b, to->ip, 4);
		return aero_wire_ipv4_encode(buf, cap, &h);
	}
	struct aero_ipv6 h = {.next_header = AERO_IP_PROTO_UDP, .hop_limit = 64,
	                      .payload_len = (size_t)k};
	memcpy(h.src.b, from->ip, 16);
	memcpy(h.dst.b, to->ip, 16);
	return aero_wire_ipv6_encode(buf, cap, &h);
}

/* inner UDP with its checksum over the inner pseudo-header */
static int
inner_udp(uint8_t *out, size_t cap, const struct aero_in6 *src,
          const struct aero_in6 *dst, uint16_t sport, uint16_t dport,
          const uint8_t *pl, size_t plen)
{
	if (cap < AERO_UDP_HDR_LEN + plen)
		return AERO_WIRE_E_NOBUF;
	memmove(out + AERO_UDP_HDR_LEN, pl, plen);
	struct aero_udp u = {.src_port = sport, .dst_port = dport,
	                     .payload_len = plen};
	struct aero_ip_pseudo ps = {.family = 6, .src = *src, .dst = *dst};
	return aero_wire_udp_encode(out, cap, &u, &ps, 0);
}

static const struct aero_in6 all_dhcp = {{0xff, 0x02, 0, 0, 0, 0, 0, 0,
                                          0, 0, 0, 0, 0, 1, 0, 2}};

int
synth_dhcp6(uint8_t *buf, size_t cap, const struct synth_client *c,
            uint8_t type, uint32_t xid, const struct aero_dhcp6_duid *serverid,
            const struct aero_in6 *prefix, uint8_t plen)
{
	static struct aero_dhcp6_msg m;
	uint8_t msg[512], l4[600];
	memset(&m, 0, sizeof m);
	m.msg_type = type;
	m.transaction_id = xid & AERO_DHCP6_XID_MAX;
	m.has_clientid = true;
	m.clientid.type = AERO_DHCP6_DUID_LL;
	m.clientid.hwtype = 1;
	m.clientid.data = c->mac;
	m.clientid.data_len = 6;
	m.has_elapsed = true;
	if (serverid) {
		m.has_serverid = true;
		m.serverid = *serverid;
	}
	if (type == AERO_DHCP6_SOLICIT)
		m.has_rapid_commit = true;
	m.n_iapd = 1;
	m.iapd[0].iaid = c->iaid;
	if (prefix) {
		m.iapd[0].n_prefix = 1;
		m.iapd[0].prefix[0].prefix = *prefix;
		m.iapd[0].prefix[0].plen = plen;
	}
	int k = aero_wire_dhcp6_encode(msg, sizeof msg, &m);
	if (k < 0)
		return k;
	k = inner_udp(l4, sizeof l4, &c->ll, &all_dhcp, 546, 547, msg, (size_t)k);
	if (k < 0)
		return k;
	return synth_p1(buf, cap, &c->loc, &c->server, &c->ll, &all_dhcp, 255,
	                AERO_IP_PROTO_UDP, l4, (size_t)k);
}

int
synth_rs(uint8_t *buf, size_t cap, const struct synth_client *c,
         uint32_t server_id)
{
	static struct aero_nd_msg m;
	uint8_t l4[64];
	struct aero_in6 dst = {{0xfe, 0x80}};
	dst.b[12] = (uint8_t)(server_id >> 24);
	dst.b[13] = (uint8_t)(server_id >> 16);
	dst.b[14] = (uint8_t)(server_id >> 8);
	dst.b[15] = (uint8_t)server_id;
	memset(&m, 0, sizeof m);
	m.type = AERO_ND_TYPE_RS;
	int k = aero_wire_nd_encode(l4, sizeof l4, &m, &c->ll, &dst);
	if (k < 0)
		return k;
	return synth_p1(buf, cap, &c->loc, &c->server, &c->ll, &dst, 255,
	                AERO_IP_PROTO_ICMPV6, l4, (size_t)k);
}

int
synth_data(uint8_t *buf, size_t cap, const struct synth_client *c,
           const struct aero_in6 *src, const struct aero_in6 *dst, size_t len)
{
	uint8_t pl[1500], l4[1600];
	if (len > sizeof pl)
		return AERO_WIRE_E_INVAL;
	for (size_t i = 0; i < len; i++)
		pl[i] = (uint8_t)i;
	int k = inner_udp(l4, sizeof l4, src, dst, 4000, 5000, pl, len);
	if (k < 0)
		return k;
	return synth_p1(buf, cap, &c->loc, &c->server, src, dst, 64,
	                AERO_IP_PROTO_UDP, l4, (size_t)k);
}
