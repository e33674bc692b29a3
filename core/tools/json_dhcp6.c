#include "json_dhcp6.h"

static void
status(struct aj *j, const char *key, const struct aero_dhcp6_status *s)
{
	aj_obj_begin(j, key);
	aj_uint(j, "code", s->code);
	aj_str(j, "name", aero_wire_dhcp6_status_name(s->code));
	aj_strn(j, "message", s->msg, s->msg_len);
	aj_obj_end(j);
}

static void
unknown(struct aj *j, const struct aero_dhcp6_opt *o, size_t n)
{
	if (n == 0)
		return;
	aj_arr_begin(j, "other_options");
	for (size_t i = 0; i < n; i++) {
		aj_obj_begin(j, NULL);
		aj_uint(j, "code", o[i].code);
		aj_str(j, "name", aero_wire_dhcp6_opt_name(o[i].code));
		aj_hex(j, "data", o[i].data, o[i].len);
		aj_obj_end(j);
	}
	aj_arr_end(j);
}

void
json_dhcp6_duid(struct aj *j, const char *key, const struct aero_dhcp6_duid *d)
{
	aj_obj_begin(j, key);
	aj_uint(j, "type", d->type);
	aj_str(j, "type_name", aero_wire_dhcp6_duid_type_name(d->type));
	switch (d->type) {
	case AERO_DHCP6_DUID_LLT:
		aj_uint(j, "hwtype", d->hwtype);
		aj_uint(j, "time", d->time);
		aj_hex(j, "link_layer_address", d->data, d->data_len);
		break;
	case AERO_DHCP6_DUID_EN:
		aj_uint(j, "enterprise", d->enterprise);
		aj_hex(j, "identifier", d->data, d->data_len);
		break;
	case AERO_DHCP6_DUID_LL:
		aj_uint(j, "hwtype", d->hwtype);
		aj_hex(j, "link_layer_address", d->data, d->data_len);
		break;
	case AERO_DHCP6_DUID_UUID:
		aj_hex(j, "uuid", d->uuid, sizeof d->uuid);
		break;
	default:
		aj_hex(j, "data", d->data, d->data_len);
		break;
	}
	aj_obj_end(j);
}

static void
iapd(struct aj *j, const struct aero_dhcp6_iapd *ia)
{
	aj_obj_begin(j, NULL);
	aj_uint(j, "iaid", ia->iaid);
	aj_uint(j, "t1", ia->t1);
	aj_uint(j, "t2", ia->t2);
	aj_arr_begin(j, "prefixes");
	for (size_t i = 0; i < ia->n_prefix; i++) {
		const struct aero_dhcp6_iaprefix *p = &ia->prefix[i];
		aj_obj_begin(j, NULL);
		aj_prefix6(j, "prefix", &p->prefix, p->plen);
		aj_uint(j, "preferred_lifetime", p->preferred);
		aj_uint(j, "valid_lifetime", p->valid);
		if (p->has_status)
			status(j, "status", &p->status);
		unknown(j, p->unknown, p->n_unknown);
		aj_obj_end(j);
	}
	aj_arr_end(j);
	if (ia->has_status)
		status(j, "status", &ia->status);
	unknown(j, ia->unknown, ia->n_unknown);
	aj_obj_end(j);
}

/* RFC 8415 section 7.6 HOP_COUNT_LIMIT: deeper nesting is not decoded */
#define RELAY_DEPTH_MAX 8

static void msg_at(struct aj *j, const char *key, const struct aero_dhcp6_msg *m,
                   int depth);

void
json_dhcp6_msg(struct aj *j, const char *key, const struct aero_dhcp6_msg *m)
{
	msg_at(j, key, m, 0);
}

static void
msg_at(struct aj *j, const char *key, const struct aero_dhcp6_msg *m, int depth)
{
	bool relay = m->msg_type == AERO_DHCP6_RELAY_FORW ||
	             m->msg_type == AERO_DHCP6_RELAY_REPL;

	aj_obj_begin(j, key);
	aj_uint(j, "msg_type", m->msg_type);
	aj_str(j, "type_name", aero_wire_dhcp6_msg_type_name(m->msg_type));
	if (relay) {
		aj_uint(j, "hop_count", m->hop_count);
		aj_ip6(j, "link_address", &m->link_addr);
		aj_ip6(j, "peer_address", &m->peer_addr);
	} else {
		aj_uint(j, "transaction_id", m->transaction_id);
	}
	if (m->has_clientid)
		json_dhcp6_duid(j, "client_id", &m->clientid);
	if (m->has_serverid)
		json_dhcp6_duid(j, "server_id", &m->serverid);
	if (m->has_elapsed)
		aj_uint(j, "elapsed_time_cs", m->elapsed);
	if (m->has_oro) {
		aj_arr_begin(j, "option_request");
		for (size_t i = 0; i < m->n_oro; i++)
			aj_uint(j, NULL, m->oro[i]);
		aj_arr_end(j);
	}
	if (m->has_preference)
		aj_uint(j, "preference", m->preference);
	if (m->has_rapid_commit)
		aj_bool(j, "rapid_commit", true);
	if (m->has_reconf_msg)
		aj_uint(j, "reconfigure_msg", m->reconf_msg);
	if (m->has_auth) {
		aj_obj_begin(j, "auth");
		aj_uint(j, "protocol", m->auth.protocol);
		aj_uint(j, "algorithm", m->auth.algorithm);
		aj_uint(j, "rdm", m->auth.rdm);
		aj_uint(j, "replay_detection", m->auth.replay);
		aj_hex(j, "info", m->auth.info, m->auth.info_len);
		aj_obj_end(j);
	}
	if (m->has_status)
		status(j, "status", &m->status);
	if (m->has_sol_max_rt)
		aj_uint(j, "sol_max_rt", m->sol_max_rt);
	if (m->has_interface_id)
		aj_strn(j, "interface_id", m->interface_id, m->interface_id_len);
	if (m->n_iapd) {
		aj_arr_begin(j, "ia_pd");
		for (size_t i = 0; i < m->n_iapd; i++)
			iapd(j, &m->iapd[i]);
		aj_arr_end(j);
	}
	unknown(j, m->unknown, m->n_unknown);
	if (!relay && m->has_relay_msg) /* RELAY_MSG outside a relay message */
		aj_hex(j, "relay_msg", m->relay_msg, m->relay_msg_len);
	if (relay && m->has_relay_msg && depth >= RELAY_DEPTH_MAX) {
		aj_obj_begin(j, "relay_message");
		aj_str(j, "error", "relay nesting deeper than the hop-count limit");
		aj_hex(j, "data", m->relay_msg, m->relay_msg_len);
		aj_obj_end(j);
	} else if (relay && m->has_relay_msg) {
		/* the relayed message, decoded from the RELAY_MSG bytes */
		struct aero_dhcp6_msg *inner = g_new(struct aero_dhcp6_msg, 1);
		int rc = aero_wire_dhcp6_relay_inner(inner, m);
		if (rc >= 0) {
			msg_at(j, "relay_message", inner, depth + 1);
		} else {
			aj_obj_begin(j, "relay_message");
			aj_str(j, "error", aero_wire_strerror(rc));
			aj_hex(j, "data", m->relay_msg, m->relay_msg_len);
			aj_obj_end(j);
		}
		g_free(inner);
	}
	aj_obj_end(j);
}
