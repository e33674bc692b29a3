/* JSON printers for the outer IPv4 / IPv6 / UDP headers. */
#include "json_ip.h"

const char *
json_ip_proto_name(uint8_t proto)
{
	switch (proto) {
	case AERO_IP_PROTO_HOPOPTS:  return "hopopts";
	case AERO_IP_PROTO_IPV4:     return "ipv4";
	case AERO_IP_PROTO_TCP:      return "tcp";
	case AERO_IP_PROTO_UDP:      return "udp";
	case AERO_IP_PROTO_IPV6:     return "ipv6";
	case AERO_IP_PROTO_ROUTING:  return "routing";
	case AERO_IP_PROTO_FRAGMENT: return "fragment";
	case AERO_IP_PROTO_ESP:      return "esp";
	case AERO_IP_PROTO_AH:       return "ah";
	case AERO_IP_PROTO_ICMPV6:   return "ipv6-icmp";
	case AERO_IP_PROTO_NONE:     return "none";
	case AERO_IP_PROTO_DSTOPTS:  return "dstopts";
	case AERO_IP_PROTO_SCTP:     return "sctp";
	default:                     return NULL;
	}
}

static void
proto_fields(struct aj *j, const char *key, const char *name_key, uint8_t p)
{
	const char *name = json_ip_proto_name(p);

	aj_uint(j, key, p);
	if (name)
		aj_str(j, name_key, name);
}

void
json_ipv4(struct aj *j, const char *key, const struct aero_ipv4 *h)
{
	aj_obj_begin(j, key);
	aj_str(j, "type_name", "ipv4");
	aj_uint(j, "header_length", aero_wire_ipv4_hdr_len(h));
	aj_uint(j, "dscp", h->dscp);
	aj_uint(j, "ecn", h->ecn);
	aj_uint(j, "total_length", h->total_len);
	aj_uint(j, "identification", h->id);
	aj_bool(j, "reserved_flag", h->rf);
	aj_bool(j, "df", h->df);
	aj_bool(j, "mf", h->mf);
	aj_uint(j, "fragment_offset", h->frag_off);
	aj_uint(j, "ttl", h->ttl);
	proto_fields(j, "protocol", "protocol_name", h->proto);
	aj_uint(j, "checksum", h->checksum);
	aj_ip4(j, "src", &h->src);
	aj_ip4(j, "dst", &h->dst);
	if (h->options_len)
		aj_hex(j, "options", h->options, h->options_len);
	aj_uint(j, "payload_length", h->payload_len);
	aj_obj_end(j);
}

void
json_ipv6(struct aj *j, const char *key, const struct aero_ipv6 *h)
{
	aj_obj_begin(j, key);
	aj_str(j, "type_name", "ipv6");
	aj_uint(j, "dscp", h->dscp);
	aj_uint(j, "ecn", h->ecn);
	aj_uint(j, "flow_label", h->flow_label);
	aj_uint(j, "payload_length", h->payload_len);
	proto_fields(j, "next_header", "next_header_name", h->next_header);
	aj_uint(j, "hop_limit", h->hop_limit);
	aj_ip6(j, "src", &h->src);
	aj_ip6(j, "dst", &h->dst);
	aj_obj_end(j);
}

void
json_udp(struct aj *j, const char *key, const struct aero_udp *u)
{
	aj_obj_begin(j, key);
	aj_str(j, "type_name", "udp");
	aj_uint(j, "src_port", u->src_port);
	aj_uint(j, "dst_port", u->dst_port);
	aj_uint(j, "length", u->length);
	aj_uint(j, "checksum", u->checksum);
	aj_bool(j, "checksum_zero", u->checksum == 0);
	aj_uint(j, "payload_length", u->payload_len);
	aj_obj_end(j);
}
