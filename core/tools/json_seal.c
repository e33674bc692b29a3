/* JSON printers for SEAL v1 and the P2 shim. */
#include "json_seal.h"

static const char *
nh_name(uint8_t nh)
{
	switch (nh) {
	case AERO_SEAL_NH_IPV4: return "ipv4";
	case AERO_SEAL_NH_IPV6: return "ipv6";
	case AERO_SEAL_NH_SCMP: return "scmp";
	case AERO_SEAL1_NH_NULL: return "none";
	default:                return NULL;
	}
}

void
json_seal1(struct aj *j, const char *key, const struct aero_seal1 *s)
{
	const char *n = nh_name(s->next_header);

	aj_obj_begin(j, key);
	aj_str(j, "type_name", "seal-v1");
	aj_uint(j, "id_extension", s->id_ext);
	aj_bool(j, "a", s->a);
	aj_bool(j, "r", s->r);
	aj_bool(j, "m", s->m);
	aj_uint(j, "reserved", s->rsv);
	aj_uint(j, "seg", s->seg);
	aj_uint(j, "next_header", s->next_header);
	if (n)
		aj_str(j, "next_header_name", n);
	aj_uint(j, "payload_length", s->payload_len);
	aj_obj_end(j);
}

static void
seal_fields(struct aj *j, const struct aero_seal *s)
{
	const char *n = nh_name(s->next_header);

	aj_str(j, "type_name", s->c ? "seal-scmp" : "seal-data");
	aj_uint(j, "header_length", aero_wire_seal_hdr_len(s));
	aj_uint(j, "next_header", s->next_header);
	if (n)
		aj_str(j, "next_header_name", n);
	aj_uint(j, "version", s->version);
	aj_bool(j, "c", s->c);
	aj_bool(j, "a", s->a);
	aj_bool(j, "r", s->r);
	aj_bool(j, "i", s->i);
	aj_uint(j, "reserved_bits", s->rsv_bits);
	aj_uint(j, "link_id", s->link_id);
	aj_uint(j, "reserved", s->rsv);
	aj_uint(j, "identification", s->id);
	if (s->i) {
		aj_bool(j, "icv_f", s->icv_f);
		aj_uint(j, "icv_key", s->icv_key);
		aj_uint(j, "icv_algorithm", s->icv_alg);
		if (s->icv_alg == AERO_SEAL_ALG_HMAC_SHA1)
			aj_str(j, "icv_algorithm_name", "hmac-sha1-80");
		aj_hex(j, "icv", s->icv, sizeof s->icv);
		aj_uint(j, "pad", s->pad);
	}
	aj_uint(j, "payload_length", s->payload_len);
}

void
json_seal(struct aj *j, const char *key, const struct aero_seal *s)
{
	aj_obj_begin(j, key);
	seal_fields(j, s);
	aj_obj_end(j);
}

void
json_seal_verified(struct aj *j, const char *key, const struct aero_seal *s,
                   enum json_seal_icv icv)
{
	aj_obj_begin(j, key);
	seal_fields(j, s);
	if (s->i) {
		if (icv == JSON_SEAL_ICV_UNCHECKED)
			aj_null(j, "icv_verified");
		else
			aj_bool(j, "icv_verified", icv == JSON_SEAL_ICV_OK);
	}
	aj_obj_end(j);
}
