#include "json_packet.h"
#include "json_ip.h"
#include "json_seal.h"
#include "json_nd.h"
#include "json_dhcp6.h"

void
json_packet(struct aj *j, const struct aero_packet *p)
{
	aj_str(j, "kind", aero_packet_kind_name(p->kind));
	aj_str(j, "profile", aero_packet_profile_name(p->profile));
	if (AERO_PACKET_HAS(p, AERO_PACKET_LAYER_OUTER_IPV4))
		json_ipv4(j, "outer_ipv4", &p->outer4);
	if (AERO_PACKET_HAS(p, AERO_PACKET_LAYER_OUTER_IPV6))
		json_ipv6(j, "outer_ipv6", &p->outer6);
	if (AERO_PACKET_HAS(p, AERO_PACKET_LAYER_UDP))
		json_udp(j, "udp", &p->udp);
	if (AERO_PACKET_HAS(p, AERO_PACKET_LAYER_SEAL)) {
		json_seal_verified(j, "seal", &p->seal,
		                   !p->icv_checked ? JSON_SEAL_ICV_UNCHECKED :
		                   p->icv_ok ? JSON_SEAL_ICV_OK : JSON_SEAL_ICV_BAD);
	}
	if (AERO_PACKET_HAS(p, AERO_PACKET_LAYER_INNER_IPV6))
		json_ipv6(j, "inner_ipv6", &p->inner6);
	if (AERO_PACKET_HAS(p, AERO_PACKET_LAYER_INNER_UDP))
		json_udp(j, "inner_udp", &p->inner_udp);
	if (AERO_PACKET_HAS(p, AERO_PACKET_LAYER_ICMPV6))
		json_nd_msg(j, "icmpv6", &p->nd);
	if (AERO_PACKET_HAS(p, AERO_PACKET_LAYER_DHCP6))
		json_dhcp6_msg(j, "dhcp6", &p->dhcp6);
	if (AERO_PACKET_HAS(p, AERO_PACKET_LAYER_RFC6706))
		json_rfc6706_msg(j, "rfc6706", &p->rfc6706);
	if (AERO_PACKET_HAS(p, AERO_PACKET_LAYER_SCMP))
		json_scmp_msg(j, "scmp", &p->scmp);
	if (p->data) {
		aj_obj_begin(j, "data");
		aj_uint(j, "protocol", p->data_proto);
		aj_uint(j, "length", p->data_len);
		aj_hex(j, "head", p->data, p->data_len < 32 ? p->data_len : 32);
		aj_obj_end(j);
	}
	if (p->err < 0) {
		aj_obj_begin(j, "error");
		aj_str(j, "layer", aero_packet_layer_name(p->err_layer));
		aj_str(j, "reason", aero_wire_strerror(p->err));
		aj_int(j, "code", p->err);
		aj_uint(j, "offset", p->err_offset);
		aj_obj_end(j);
	}
}
