/*
 * core/src/tunnel.c -- the tunnel rules of the AERO/VET interface
 * (digest 6.1 and 6.4; VET-40 6.5; RFC 6040; RFC 6438): encapsulation,
 * decapsulation, same-interface re-encapsulation, MTU and Packet Too Big,
 * the P2 SEAL shim with ICV and anti-replay, and FIB forwarding.
 */
#include "node.h"
#include "nexthop.h"
#include "nud.h"

/* RFC 6040 section 4.2, figure 4: rows = inner ECN, columns = outer ECN.
 * Values: the new inner ECN, or -1 = drop. ECN codepoints: 0 Not-ECT,
 * 1 ECT(1), 2 ECT(0), 3 CE. */
static const int8_t ecn_decap[4][4] = {
	/* outer:   Not-ECT ECT(1) ECT(0) CE */
	/* Not-ECT */ {0, 0, 0, -1},
	/* ECT(1)  */ {1, 1, 1, 3},
	/* ECT(0)  */ {2, 1, 2, 3},
	/* CE      */ {3, 3, 3, 3},
};

int
tunnel_ecn_decap(uint8_t outer_ecn, uint8_t inner_ecn)
{
	return ecn_decap[inner_ecn & 3][outer_ecn & 3];
}

/* RFC 6040 "currently unused" combinations, to be logged (digest 6.1):
 * Not-ECT inner under ECT(0)/ECT(1); ECT(1) inner under ECT(0); CE inner
 * under ECT(1) (and CE over Not-ECT is the drop case). */
static bool
ecn_unused(uint8_t outer, uint8_t inner)
{
	return (inner == 0 && (outer == 1 || outer == 2)) ||
	       (inner == 1 && outer == 2) || (inner == 3 && outer == 1);
}

/* ---- P2 SEAL shim ----------------------------------------------------------- */

static const uint8_t *
p2_key(const struct aero_node *n, const struct nce *nb, size_t *klen)
{
	if (nb && nb->icv_key_len) {
		*klen = nb->icv_key_len;
		return nb->icv_key;
	}
	*klen = n->cfg.icv_key_len;
	return n->cfg.icv_key_len ? n->cfg.icv_key : NULL;
}

static int
send_raw(struct aero_node *n, struct nce *nb, const struct aero_loc *dst,
         const uint8_t *pkt, size_t len, uint8_t tclass, uint8_t ttl,
         uint32_t fl, bool scmp)
{
	if (n->cfg.profile == AERO_PROFILE_P1) {
		out_underlay(n, dst, 0, tclass, ttl, fl, NULL, 0, pkt, len);
		return 0;
	}
	uint8_t hdr[AERO_SEAL_ICV_HDR_LEN];
	size_t klen;
	const uint8_t *key = p2_key(n, nb, &klen);
	struct aero_seal s = {
		.next_header = scmp ? AERO_SEAL_NH_SCMP : AERO_SEAL_NH_IPV6,
		.c = scmp,
		.r = n->cfg.role == AERO_ROLE_CLIENT,
		.i = key != NULL,
		.link_id = nb ? nb->link_id : 0,
		.icv_alg = AERO_SEAL_ALG_HMAC_SHA1,
		.payload = pkt,
		.payload_len = len,
	};
	/* One Identification sequence per destination locator: the receiver
	 * keeps its anti-replay window per locator (tunnel_unwrap looks the
	 * sender up by its locator), so packets sent without a neighbour (DHCPv6
	 * replies) or through another entry with the same locator (temporary
	 * link-local, AERO address) must not start a sequence of their own. */
	struct nce *idn = nce_by_loc(n, dst);
	if (!idn)
		idn = nb;
	if (idn)
		s.id = idn->tx_id++;
	else
		s.id = node_rand32(n);
	size_t hl = aero_wire_seal_hdr_len(&s);
	/* encode header + payload into one buffer to compute the ICV */
	uint8_t *buf = g_malloc(hl + len);
	memcpy(buf + hl, pkt, len);
	s.payload = buf + hl;
	int k = aero_wire_seal_encode(buf, hl + len, &s, key, klen);
	g_assert(k > 0);
	memcpy(hdr, buf, hl);
	out_underlay(n, dst, 0, tclass, ttl, fl, hdr, hl, pkt, len);
	g_free(buf);
	return 0;
}

int
tunnel_unwrap(struct aero_node *n, const struct aero_pktinfo *pi,
              const uint8_t *pkt, size_t len, struct rxctx *rx,
              const uint8_t **inner, size_t *ilen, struct aero_scmp_msg *sm)
{
	struct aero_seal s;
	/* 0x60..0x6f is no SEAL NEXTHDR (41, 4, 58): an IPv6 header, whatever
	 * its traffic class makes the second byte look like */
	if (len >= 1 && (pkt[0] >> 4) == 6) {
		DROP(n, drop_not_p2, "P2 link: no SEAL shim");
		return -1;
	}
	int hl = aero_wire_seal_decode(&s, pkt, len, NULL, 0);
	if (hl < 0) {
		DROP(n, drop_seal_malformed, aero_wire_strerror(hl));
		return -1;
	}
	struct nce *nb = nce_by_loc(n, &pi->src);
	size_t klen;
	const uint8_t *key = p2_key(n, nb, &klen);
	if (key) {
		bool ok = s.i && aero_wire_seal_verify(pkt, len, key, klen) == 0;
		/* key rollover: packets in flight under the neighbour's previous
		 * key stay valid for a short window (P2 re-registration, SRD) */
		if (!ok && s.i && nb && nb->icv_prev_len && n->now < nb->icv_prev_until &&
		    aero_wire_seal_verify(pkt, len, nb->icv_prev, nb->icv_prev_len) == 0) {
			ok = true;
			COUNT(n, icv_prev_key_used);
		}
		/* a neighbour with its own key may still use the link-wide key
		 * for the P2 registration itself (a lost reply leaves it without
		 * the new key); node.c admits such packets for that only */
		if (!ok && s.i && nb && nb->icv_key_len && n->cfg.icv_key_len &&
		    aero_wire_seal_verify(pkt, len, n->cfg.icv_key,
		                          n->cfg.icv_key_len) == 0) {
			ok = true;
			rx->icv_link_key = true;
		}
		if (!ok) {
			DROP(n, drop_bad_icv, s.i ? "ICV mismatch" : "ICV missing");
			return -1;
		}
		rx->icv_ok = true;
	}
	if (nb && key) {
		int rc = aero_seal_replay_check(&nb->rx_win, s.id);
		bool fresh = rc == AERO_SEAL_REPLAY_OLD && !rx->icv_link_key;
		if (fresh && nb->resync_pending &&
		    (s.c || s.next_header == AERO_SEAL_NH_SCMP) &&
		    aero_wire_scmp_decode(sm, s.payload, s.payload_len, &n->ndctx, true) >= 0 &&
		    nud_resync_answer(n, nb, sm)) {
			/* the neighbour restarted its sequence (nud.h) */
			aero_seal_replay_init(&nb->rx_win);
			nb->resync_pending = false;
			COUNT(n, seal_resync_done);
			rc = AERO_SEAL_REPLAY_OK;
		}
		if (rc != AERO_SEAL_REPLAY_OK) {
			DROP(n, drop_replay, "Identification replayed or old");
			if (fresh)
				nud_resync_probe(n, nb);
			return -1;
		}
		aero_seal_replay_update(&nb->rx_win, s.id);
	}
	rx->seal_flags = (uint8_t)((s.c ? AERO_SEAL_FLAG_C : 0) |
	                           (s.a ? AERO_SEAL_FLAG_A : 0) |
	                           (s.r ? AERO_SEAL_FLAG_R : 0) |
	                           (s.i ? AERO_SEAL_FLAG_I : 0));
	rx->seal_link_id = s.link_id;
	rx->nb = nb;
	if (s.c || s.next_header == AERO_SEAL_NH_SCMP) {
		int k = aero_wire_scmp_decode(sm, s.payload, s.payload_len,
		                              &n->ndctx, true);
		if (k < 0) {
			DROP(n, drop_scmp_malformed, aero_wire_strerror(k));
			return -1;
		}
		rx->pkt = s.payload;
		rx->len = s.payload_len;
		return 1;
	}
	if (s.next_header != AERO_SEAL_NH_IPV6) {
		DROP(n, drop_seal_malformed, "SEAL next header not IPv6");
		return -1;
	}
	*inner = s.payload;
	*ilen = s.payload_len;
	return 0;
}

int
tunnel_send_scmp(struct aero_node *n, struct nce *nb, const struct aero_loc *dst,
                 const uint8_t *msg, size_t len)
{
	const struct aero_loc *to = nb ? &nb->loc : dst;
	COUNT(n, tx_control);
	COUNT_ADD(n, tx_control_bytes, len);
	return send_raw(n, nb, to, msg, len, 0, 64, 0, true);
}

/* ---- encapsulation ------------------------------------------------------------ */

static bool
inner_tc(const uint8_t *pkt, size_t len, uint8_t *tc, uint8_t *hl)
{
	if (len < AERO_IPV6_HDR_LEN)
		return false;
	*tc = (uint8_t)((pkt[0] & 0x0f) << 4 | pkt[1] >> 4);
	*hl = pkt[7];
	return true;
}

static int
encap(struct aero_node *n, struct nce *nb, const struct aero_loc *dst,
      const uint8_t *pkt, size_t len, const struct aero_pktinfo *outer_in)
{
	uint8_t tc = 0, hl = 64;
	if (!inner_tc(pkt, len, &tc, &hl)) {
		DROP(n, drop_inner_malformed, "short inner packet");
		return -1;
	}
	uint8_t ttl = hl;
	if (outer_in && outer_in->side == AERO_SIDE_UNDERLAY) {
		/* same-interface re-encapsulation: outer -> outer (digest 6.1) */
		if (outer_in->ttl <= 1) {
			DROP(n, drop_outer_ttl, "outer TTL exhausted");
			return -1;
		}
		ttl = (uint8_t)(outer_in->ttl - 1);
		tc = outer_in->tclass;
	}
	if (ttl == 0)
		ttl = 1;
	uint32_t fl = dst->family == 6 ? node_flow_hash(pkt, len) : 0;
	return send_raw(n, nb, dst, pkt, len, tc, ttl, fl, false);
}

int
tunnel_send(struct aero_node *n, struct nce *nb, const uint8_t *pkt,
            size_t len, const struct aero_pktinfo *outer_in)
{
	if (!nb || nb->loc.family == 0) {
		DROP(n, drop_no_neighbor, "neighbour without a locator");
		return -1;
	}
	return encap(n, nb, &nb->loc, pkt, len, outer_in);
}

int
tunnel_send_loc(struct aero_node *n, const struct aero_loc *dst,
                const uint8_t *pkt, size_t len)
{
	return encap(n, nce_by_loc(n, dst), dst, pkt, len, NULL);
}

void
tunnel_deliver(struct aero_node *n, struct rxctx *rx, uint32_t ifindex)
{
	if (!rx->from_underlay || rx->len < AERO_IPV6_HDR_LEN) {
		out_tunnel(n, ifindex, rx->pkt, rx->len);
		return;
	}
	uint8_t outer = rx->pi->tclass & 3, inner = rx->ip6.ecn;
	int e = tunnel_ecn_decap(outer, inner);
	if (e < 0) {
		DROP(n, drop_ecn_ce, "CE over Not-ECT");
		return;
	}
	if (ecn_unused(outer, inner)) {
		COUNT(n, ecn_unused_combo);
		NLOG(n, LOG_DEBUG_, "%s: RFC 6040 unused ECN outer %u inner %u",
		     __func__, outer, inner);
	}
	if (e == inner) {
		out_tunnel(n, ifindex, rx->pkt, rx->len);
		return;
	}
	uint8_t *c = g_memdup2(rx->pkt, rx->len);
	c[1] = (uint8_t)((c[1] & ~0x30) | (e << 4));
	out_tunnel(n, ifindex, c, rx->len);
	g_free(c);
}

/* ---- ICMPv6 Packet Too Big (digest 6.4) ----------------------------------------- */

static void
send_ptb(struct aero_node *n, struct rxctx *rx)
{
	uint8_t buf[1280];
	size_t quote = rx->len;
	if (quote > sizeof buf - AERO_IPV6_HDR_LEN - 8)
		quote = sizeof buf - AERO_IPV6_HDR_LEN - 8;
	uint8_t *icmp = buf + AERO_IPV6_HDR_LEN;
	icmp[0] = 2; /* Packet Too Big */
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	uint32_t mtu = n->cfg.mtu;
	icmp[4] = (uint8_t)(mtu >> 24); icmp[5] = (uint8_t)(mtu >> 16);
	icmp[6] = (uint8_t)(mtu >> 8); icmp[7] = (uint8_t)mtu;
	memcpy(icmp + 8, rx->pkt, quote);
	size_t ilen = 8 + quote;
	const struct aero_in6 *src = &n->ll;
	uint32_t s = aero_wire_csum_add(0, icmp, ilen);
	s = aero_wire_csum_pseudo6(s, src, &rx->ip6.src, (uint32_t)ilen, 58);
	uint16_t c = aero_wire_csum_fold(s);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	struct aero_ipv6 h = {.next_header = 58, .hop_limit = 64, .src = *src,
	                      .dst = rx->ip6.src, .payload_len = ilen};
	int k = aero_wire_ipv6_encode(buf, sizeof buf, &h);
	if (k < 0)
		return;
	COUNT(n, icmp6_ptb_sent);
	if (!rx->from_underlay)
		out_tunnel(n, rx->pi->ifindex, buf, (size_t)k);
	else if (rx->nb)
		tunnel_send(n, rx->nb, buf, (size_t)k, NULL);
	else
		tunnel_send_loc(n, &rx->pi->src, buf, (size_t)k);
}

/* ---- forwarding (digest 6.5) ------------------------------------------------------ */

/*
 * Hop limit (digest 6.1): the AERO/VET link is one inner hop and the node
 * that forwards across it decrements. Packets the core takes from or hands
 * to the tunnel side pass through the host's IP stack, which does its own
 * accounting (it decremented a forwarded packet before routing it into the
 * AERO interface, and it will decrement one it forwards further), so only
 * underlay-to-underlay forwarding inside the core (a Server between two
 * Clients, towards a Relay, a Relay between Servers) decrements here.
 */
const struct fib_entry *
node_forward(struct aero_node *n, struct rxctx *rx)
{
	const struct fib_entry *e = fib_lookup(n, &rx->ip6.dst);
	if (!e) {
		nexthop_lookup(n, &rx->ip6.dst); /* last resort: ask the name service */
		DROP(n, drop_no_route, "no route");
		return NULL;
	}
	/* the flow hash only matters with ECMP (it costs a pass over the
	 * headers) */
	const struct fib_nh *nh = e->n_nh > 1 ?
		fib_pick(e, node_flow_hash(rx->pkt, rx->len)) : &e->nh[0];
	switch (nh->kind) {
	case NH_BLACKHOLE:
		DROP(n, drop_blackhole, "black-holed prefix");
		return NULL;
	case NH_LOCAL:
		tunnel_deliver(n, rx, 0);
		return e;
	case NH_TUNNEL:
		tunnel_deliver(n, rx, nh->ifindex);
		COUNT(n, forwarded);
		return e;
	case NH_NEIGHBOR:
		break;
	}
	struct nce *nb = nce_lookup(n, &nh->ll);
	if (!nb || nb->loc.family == 0) {
		DROP(n, drop_no_neighbor, "next hop not in the neighbour cache");
		return NULL;
	}
	if (rx->from_underlay && aero_loc_equal(&nb->loc, &rx->pi->src) &&
	    nb == rx->nb) {
		DROP(n, drop_loop, "would return to its sender");
		return NULL;
	}
	if (rx->from_underlay && rx->ip6.hop_limit <= 1) {
		DROP(n, drop_hop_limit, "hop limit exhausted");
		return NULL;
	}
	if (rx->len > n->cfg.mtu) {
		send_ptb(n, rx);
		DROP(n, drop_too_big, "inner packet above the tunnel MTU");
		return NULL;
	}
	int r;
	if (rx->from_underlay) {
		/* outer -> outer: the packet leaves the interface it came in
		 * on; this node is the inner hop */
		uint8_t *c = g_memdup2(rx->pkt, rx->len);
		c[7]--;
		r = tunnel_send(n, nb, c, rx->len, rx->pi);
		g_free(c);
	} else {
		r = tunnel_send(n, nb, rx->pkt, rx->len, NULL);
	}
	if (r == 0)
		COUNT(n, forwarded);
	return r == 0 ? e : NULL;
}
