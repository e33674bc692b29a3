/* JSON of decoded ICMPv6 ND, RFC 6706 and SCMP messages (aero-decode). */
#include "json_nd.h"

static void
json_lla(struct aj *j, const char *key, const struct aero_nd_lla *l)
{
	aj_obj_begin(j, key);
	aj_str(j, "form", aero_wire_nd_lla_form_name(l->form));
	switch (l->form) {
	case AERO_ND_LLA_ETHERNET: {
		char mac[18];
		g_snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x",
		           l->mac[0], l->mac[1], l->mac[2], l->mac[3], l->mac[4],
		           l->mac[5]);
		aj_str(j, "mac", mac);
		break;
	}
	case AERO_ND_LLA_VET_IPV4:
		aj_uint(j, "reserved", l->reserved);
		aj_ip4(j, "ipv4", &l->ip4);
		break;
	case AERO_ND_LLA_VET_IPV6:
	case AERO_ND_LLA_P1:
		aj_uint(j, "port", l->port);
		aj_uint(j, "link_id", l->link_id);
		aj_uint(j, "preference", l->pref);
		aj_uint(j, "reserved", l->reserved);
		aj_ip6(j, "address", &l->addr);
		break;
	default:
		aj_hex(j, "raw", l->raw, l->raw_len);
		break;
	}
	aj_obj_end(j);
}

static const char *
opt_kind_name(uint8_t k)
{
	static const char *const names[] = {"sllao", "tllao", "mtu", "pio", "rio",
	                                    "rho", "unknown"};

	return k < G_N_ELEMENTS(names) ? names[k] : "?";
}

void
json_nd_opts(struct aj *j, const char *key, const struct aero_nd_opts *o)
{
	size_t i;

	aj_obj_begin(j, key);
	if (o->has_sllao)
		json_lla(j, "sllao", &o->sllao);
	if (o->has_tllao)
		json_lla(j, "tllao", &o->tllao);
	if (o->has_mtu) {
		aj_obj_begin(j, "mtu");
		aj_uint(j, "mtu", o->mtu);
		aj_uint(j, "reserved", o->mtu_reserved);
		aj_obj_end(j);
	}
	if (o->n_pio) {
		aj_arr_begin(j, "pio");
		for (i = 0; i < o->n_pio; i++) {
			const struct aero_nd_pio *p = &o->pio[i];
			struct aero_nd_pio_eff e = aero_wire_nd_pio_x_effective(p);
			aj_obj_begin(j, NULL);
			aj_prefix6(j, "prefix", &p->prefix, p->prefix_len);
			aj_bool(j, "l", p->l);
			aj_bool(j, "a", p->a);
			aj_bool(j, "r", p->r);
			aj_bool(j, "x", p->x);
			aj_bool(j, "p", p->p);
			aj_uint(j, "reserved1", p->reserved1);
			aj_uint(j, "valid_lifetime", p->valid_lifetime);
			aj_uint(j, "preferred_lifetime", p->preferred_lifetime);
			aj_uint(j, "reserved2", p->reserved2);
			if (p->x) {
				aj_obj_begin(j, "pio_x_effective");
				aj_bool(j, "l", e.l);
				aj_bool(j, "a", e.a);
				aj_bool(j, "x", e.x);
				aj_obj_end(j);
			}
			aj_obj_end(j);
		}
		aj_arr_end(j);
	}
	if (o->n_rio) {
		aj_arr_begin(j, "rio");
		for (i = 0; i < o->n_rio; i++) {
			const struct aero_nd_rio *r = &o->rio[i];
			aj_obj_begin(j, NULL);
			aj_prefix6(j, "prefix", &r->prefix, r->prefix_len);
			aj_uint(j, "length", r->len_units);
			aj_uint(j, "prf", r->prf);
			aj_str(j, "prf_name", aero_wire_nd_prf_name(r->prf));
			aj_uint(j, "reserved", r->reserved);
			aj_uint(j, "lifetime", r->lifetime);
			aj_obj_end(j);
		}
		aj_arr_end(j);
	}
	if (o->has_rho) {
		aj_obj_begin(j, "rho");
		aj_hex(j, "reserved", o->rho_reserved, sizeof o->rho_reserved);
		aj_uint(j, "length", o->rho_len);
		aj_hex(j, "packet", o->rho, o->rho_len);
		aj_obj_end(j);
	}
	if (o->n_unknown) {
		aj_arr_begin(j, "unknown");
		for (i = 0; i < o->n_unknown; i++) {
			aj_obj_begin(j, NULL);
			aj_uint(j, "type", o->unknown[i].type);
			aj_hex(j, "data", o->unknown[i].data, o->unknown[i].data_len);
			aj_obj_end(j);
		}
		aj_arr_end(j);
	}
	aj_arr_begin(j, "order");
	for (i = 0; i < o->n_order; i++)
		aj_str(j, NULL, opt_kind_name(o->order[i].kind));
	aj_arr_end(j);
	aj_obj_end(j);
}

/* Members of an ND message body (inside an open object). */
static void
nd_members(struct aj *j, const struct aero_nd_msg *m)
{
	switch (m->type) {
	case AERO_ND_TYPE_RA:
		aj_uint(j, "cur_hop_limit", m->ra.cur_hop_limit);
		aj_bool(j, "managed", m->ra.managed);
		aj_bool(j, "other", m->ra.other);
		aj_bool(j, "home_agent", m->ra.home_agent);
		aj_uint(j, "prf", m->ra.prf);
		aj_str(j, "prf_name", aero_wire_nd_prf_name(m->ra.prf));
		aj_bool(j, "proxy", m->ra.proxy);
		aj_uint(j, "flags_reserved", m->ra.reserved);
		aj_uint(j, "router_lifetime", m->ra.router_lifetime);
		aj_uint(j, "reachable_time", m->ra.reachable_time);
		aj_uint(j, "retrans_timer", m->ra.retrans_timer);
		break;
	case AERO_ND_TYPE_NA:
		aj_bool(j, "router", m->na_router);
		aj_bool(j, "solicited", m->na_solicited);
		aj_bool(j, "override", m->na_override);
		aj_uint(j, "reserved", m->reserved);
		aj_ip6(j, "target", &m->target);
		break;
	case AERO_ND_TYPE_NS:
		aj_uint(j, "reserved", m->reserved);
		aj_ip6(j, "target", &m->target);
		break;
	case AERO_ND_TYPE_REDIRECT:
		aj_uint(j, "reserved", m->reserved);
		aj_ip6(j, "target", &m->target);
		aj_ip6(j, "destination", &m->dest);
		break;
	default:
		aj_uint(j, "reserved", m->reserved);
		break;
	}
	json_nd_opts(j, "options", &m->opts);
}

void
json_nd_msg(struct aj *j, const char *key, const struct aero_nd_msg *m)
{
	aj_obj_begin(j, key);
	aj_uint(j, "type", m->type);
	aj_str(j, "type_name", aero_wire_nd_type_name(m->type));
	aj_uint(j, "code", 0);
	aj_uint(j, "checksum", m->checksum);
	nd_members(j, m);
	aj_obj_end(j);
}

void
json_rfc6706_msg(struct aj *j, const char *key, const struct aero_rfc6706_msg *m)
{
	aj_obj_begin(j, key);
	aj_uint(j, "type", AERO_RFC6706_TYPE);
	aj_str(j, "type_name", m->p ? "Predirect" : "Redirect");
	aj_bool(j, "p", m->p);
	aj_uint(j, "reserved", m->reserved);
	aj_ip6(j, "target", &m->target);
	aj_ip6(j, "destination", &m->dest);
	json_nd_opts(j, "options", &m->opts);
	aj_obj_end(j);
}

void
json_scmp_msg(struct aj *j, const char *key, const struct aero_scmp_msg *m)
{
	aj_obj_begin(j, key);
	aj_uint(j, "type", m->type);
	if (m->type == AERO_SCMP_TYPE_SPD_SRD)
		aj_str(j, "type_name", m->rd.p ? "SPD" : "SRD");
	else
		aj_str(j, "type_name", aero_wire_scmp_type_name(m->type));
	aj_uint(j, "code", m->code);
	aj_uint(j, "checksum", m->checksum);
	switch (m->type) {
	case AERO_SCMP_TYPE_DEST_UNREACH:
	case AERO_SCMP_TYPE_TIME_EXCEED:
		aj_uint(j, "unused", m->err.param);
		aj_hex(j, "packet", m->err.pkt, m->err.pkt_len);
		break;
	case AERO_SCMP_TYPE_PKT_TOO_BIG:
		aj_uint(j, "mtu", m->err.param);
		aj_hex(j, "packet", m->err.pkt, m->err.pkt_len);
		break;
	case AERO_SCMP_TYPE_PARAM_PROB:
		aj_uint(j, "pointer", m->err.param);
		aj_hex(j, "packet", m->err.pkt, m->err.pkt_len);
		break;
	case AERO_SCMP_TYPE_SPD_SRD:
		aj_bool(j, "p", m->rd.p);
		aj_bool(j, "v", m->rd.v);
		aj_uint(j, "reserved", m->rd.reserved);
		aj_ip6(j, "target", &m->rd.target);
		aj_ip6(j, "destination", &m->rd.dest);
		if (m->rd.v) {
			aj_obj_begin(j, "auth_key");
			aj_bool(j, "f", m->rd.auth.f);
			aj_uint(j, "key", m->rd.auth.key);
			aj_uint(j, "algorithm", m->rd.auth.alg);
			aj_hex(j, "esk", m->rd.auth.esk, sizeof m->rd.auth.esk);
			aj_hex(j, "pad", m->rd.auth.pad, sizeof m->rd.auth.pad);
			aj_obj_end(j);
		}
		json_nd_opts(j, "options", &m->rd.opts);
		break;
	case AERO_SCMP_TYPE_SRS:
	case AERO_SCMP_TYPE_SRA:
	case AERO_SCMP_TYPE_SNS:
	case AERO_SCMP_TYPE_SNA:
		nd_members(j, &m->nd);
		break;
	default:
		break;
	}
	aj_obj_end(j);
}
