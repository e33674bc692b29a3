/*
 * core/src/nud.c -- neighbour unreachability detection (RFC 4861 7.3;
 * digest 5, 7.2; see nud.h).
 *
 *   REACHABLE --(reach_until passed, then used)--> DELAY
 *   DELAY --(DELAY_FIRST_PROBE_TIME, no confirmation)--> PROBE: unicast NS
 *   PROBE --(RETRANS_TIMER, probes < MAX_UNICAST_SOLICIT)--> NS again
 *   PROBE --(all probes unanswered)--> UNREACHABLE, role nud_failed()
 *   any --(solicited NA from the neighbour's locator, or nce_confirm)--> REACHABLE
 *
 * The timer is e->t_nud. nce.c initialises it with a stub callback; the
 * first nud_used()/nud_probe() re-initialises it (disarmed, so safe) with
 * nud_timer. A confirmation does not cancel it: the callback sees the entry
 * REACHABLE again and stops. P2 sends the NS as an SCMP SNS (node_send_nd).
 */
#include "nud.h"

/* RFC 4861 10: DELAY_FIRST_PROBE_TIME. */
#define NUD_DELAY_FIRST_PROBE (5 * AERO_SEC)

static void nud_timer(struct aero_node *n, struct tmr *t);

static struct nce *
nce_of_timer(struct tmr *t)
{
	return (struct nce *)(void *)((char *)t - offsetof(struct nce, t_nud));
}

static void
ensure_timer(struct nce *e)
{
	if (e->t_nud.fn != nud_timer && !tmr_armed(&e->t_nud))
		tmr_init(&e->t_nud, nud_timer);
}

void
nud_own_lla(const struct aero_node *n, struct aero_nd_lla *l)
{
	memset(l, 0, sizeof *l);
	l->form = AERO_ND_LLA_P1;
	l->port = n->cfg.self.port;
	if (n->cfg.self.family == 4) {
		l->addr.b[10] = 0xff;
		l->addr.b[11] = 0xff;
		memcpy(l->addr.b + 12, n->cfg.self.ip, 4);
	} else {
		memcpy(l->addr.b, n->cfg.self.ip, 16);
	}
}

static void
send_ns(struct aero_node *n, struct nce *e)
{
	struct aero_nd_msg m;
	memset(&m, 0, sizeof m);
	m.type = AERO_ND_TYPE_NS;
	m.target = e->ll;
	COUNT(n, nud_probes);
	node_send_nd(n, e, NULL, &n->ll, &e->ll, &m);
}

static void
start_probe(struct aero_node *n, struct nce *e)
{
	nce_set_state(n, e, NCE_PROBE);
	e->probes = 1;
	send_ns(n, e);
	tmr_set_in(n, &e->t_nud, n->cfg.retrans_timer);
}

static void
nud_timer(struct aero_node *n, struct tmr *t)
{
	struct nce *e = nce_of_timer(t);
	switch (e->state) {
	case NCE_DELAY:
		if (n->now < e->reach_until) { /* confirmed meanwhile */
			nce_set_state(n, e, NCE_REACHABLE);
			return;
		}
		start_probe(n, e);
		return;
	case NCE_PROBE:
		if (e->probes < n->cfg.max_retry) {
			e->probes++;
			send_ns(n, e);
			tmr_set_in(n, &e->t_nud, n->cfg.retrans_timer);
			return;
		}
		NLOG(n, LOG_INFO_, "%s: neighbour unreachable after %u probes",
		     __func__, e->probes);
		nce_set_state(n, e, NCE_UNREACHABLE);
		if (n->ops->nud_failed)
			n->ops->nud_failed(n, e); /* may delete e */
		return;
	default:
		return; /* REACHABLE again (confirmed), STALE, ... */
	}
}

void
nud_used(struct aero_node *n, struct nce *e)
{
	if (e->loc.family == 0)
		return; /* INCOMPLETE: nothing to probe */
	switch (e->state) {
	case NCE_REACHABLE:
		if (n->now <= e->reach_until)
			return;
		break;
	case NCE_STALE:
	case NCE_UNREACHABLE:
		break;
	default:
		return; /* DELAY / PROBE already running, INCOMPLETE */
	}
	ensure_timer(e);
	if (tmr_armed(&e->t_nud))
		return;
	nce_set_state(n, e, NCE_DELAY);
	tmr_set_in(n, &e->t_nud, NUD_DELAY_FIRST_PROBE);
}

void
nud_resync_probe(struct aero_node *n, struct nce *e)
{
	if (e->loc.family == 0 ||
	    (e->resync_pending && n->now < e->resync_sent + n->cfg.retrans_timer))
		return;
	n->cb->rand(e->resync_nonce, sizeof e->resync_nonce, n->user);
	e->resync_pending = true;
	e->resync_sent = n->now;
	struct aero_nd_msg m;
	memset(&m, 0, sizeof m);
	m.type = AERO_ND_TYPE_NS;
	m.target = e->ll;
	m.opts.unknown[0] = (struct aero_nd_opt_unknown){
		.type = AERO_ND_OPT_NONCE, .data = e->resync_nonce,
		.data_len = sizeof e->resync_nonce};
	m.opts.n_unknown = 1;
	COUNT(n, seal_resync_probes);
	node_send_nd(n, e, NULL, &n->ll, &e->ll, &m);
}

bool
nud_resync_answer(const struct aero_node *n, const struct nce *e,
                  const struct aero_scmp_msg *sm)
{
	(void)n;
	if (!e->resync_pending || sm->type != AERO_SCMP_TYPE_SNA)
		return false;
	for (size_t i = 0; i < sm->nd.opts.n_unknown; i++) {
		const struct aero_nd_opt_unknown *u = &sm->nd.opts.unknown[i];
		if (u->type == AERO_ND_OPT_NONCE && u->data_len == AERO_ND_NONCE_LEN &&
		    memcmp(u->data, e->resync_nonce, AERO_ND_NONCE_LEN) == 0)
			return true;
	}
	return false;
}

void
nud_probe(struct aero_node *n, struct nce *e)
{
	if (e->loc.family == 0)
		return;
	ensure_timer(e);
	tmr_cancel(n, &e->t_nud);
	start_probe(n, e);
}

bool
nud_rx(struct aero_node *n, struct rxctx *rx, const struct aero_nd_msg *m)
{
	if (m->type == AERO_ND_TYPE_NS) {
		if (!in6_eq(&m->target, &n->ll))
			return false; /* not for us: the role may proxy it */
		struct aero_nd_msg na;
		memset(&na, 0, sizeof na);
		na.type = AERO_ND_TYPE_NA;
		na.target = n->ll;
		na.na_router = n->cfg.role != AERO_ROLE_CLIENT;
		na.na_solicited = !in6_eq(&rx->ip6.src, &in6_any);
		na.na_override = true;
		na.opts.has_tllao = true;
		nud_own_lla(n, &na.opts.tllao);
		/* echo a Nonce (RFC 3971 5.3.2; P2 re-synchronisation, nud.h) */
		for (size_t i = 0; i < m->opts.n_unknown; i++)
			if (m->opts.unknown[i].type == AERO_ND_OPT_NONCE &&
			    m->opts.unknown[i].data_len == AERO_ND_NONCE_LEN) {
				na.opts.unknown[0] = m->opts.unknown[i];
				na.opts.n_unknown = 1;
				break;
			}
		/* RFC 4861 7.2.4: to the NS source, or all-nodes from :: */
		const struct aero_in6 *to = na.na_solicited ? &rx->ip6.src
		                                             : &in6_all_nodes;
		struct nce *nb = rx->nb;
		if (rx->from_underlay && nb && !aero_loc_equal(&nb->loc, &rx->pi->src))
			nb = NULL; /* answer where it came from (NAT) */
		COUNT(n, nud_na_sent);
		node_send_nd(n, nb, rx->from_underlay ? &rx->pi->src : NULL,
		             &n->ll, to, &na);
		return true;
	}
	if (m->type == AERO_ND_TYPE_NA) {
		struct nce *e = rx->nb;
		if (!e || !in6_eq(&e->ll, &m->target))
			e = nce_lookup(n, &m->target);
		if (!e) {
			DROP(n, drop_nud_na_unknown, "NA for no neighbour entry");
			return true;
		}
		if (!m->na_solicited) {
			COUNT(n, nud_na_unsolicited);
			return true; /* RFC 4861 7.2.5: no reachability confirmation */
		}
		if (rx->from_underlay && !aero_loc_equal(&e->loc, &rx->pi->src)) {
			/* only the DHCPv6 exchange moves a neighbour (digest 2.7) */
			DROP(n, drop_nud_na_locator, "NA from another locator");
			return true;
		}
		COUNT(n, nud_confirmed);
		nce_confirm(n, e, NULL);
		return true;
	}
	return false;
}
