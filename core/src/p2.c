/*
 * core/src/p2.c -- P2 keys: the SPD/SRD ESK and the Client <-> Server
 * bidirectional neighbour registration (see p2.h for the formats).
 * AES-128 and RFC 3394 key wrap come from nettle (Debian nettle-dev),
 * HMAC-SHA1 from GLib.
 */
#include <nettle/aes.h>
#include <nettle/nist-keywrap.h>
#include <stddef.h>

#include "p2.h"
#include "ro.h"

static const uint8_t kw_iv[8] = {0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6};

struct p2_peer {
	struct aero_in6 ll;
	bool has_enc;
	uint8_t enc[P2_ENC_KEY_LEN];
	/* Client: the pending transaction */
	struct tmr t;
	uint8_t code;             /* P2_REQ / P2_TERM pending, 0 = idle */
	uint32_t txid;
	unsigned tries;
	uint8_t nonce_c[16];
	bool registered;
	/* Server: the last answered REQ (a retransmission gets the same) */
	bool has_last;
	uint32_t last_txid;
	uint8_t last_nonce_c[16], last_nonce_s[16];
	uint8_t last_icv[AERO_SEAL_KEY_LEN], last_enc[P2_ENC_KEY_LEN];
};

struct p2_state {
	GHashTable *peers;        /* ll -> struct p2_peer * (owned) */
	bool has_link_enc;
	uint8_t link_enc[P2_ENC_KEY_LEN];
};

static struct p2_state *
pst(struct aero_node *n)
{
	return *ro_p2_slot(n);
}

/* ---- crypto ------------------------------------------------------------------ */

static void
hmac_sha1(uint8_t out[20], const uint8_t *key, size_t klen, const uint8_t *a,
          size_t alen, const uint8_t *b, size_t blen)
{
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA1, key, klen);
	gsize olen = 20;
	g_hmac_update(h, a, (gssize)alen);
	if (blen)
		g_hmac_update(h, b, (gssize)blen);
	g_hmac_get_digest(h, out, &olen);
	g_hmac_unref(h);
}

void
p2_wrap(uint8_t *out, const uint8_t kek[16], const uint8_t *in, size_t len)
{
	struct aes128_ctx c;
	aes128_set_encrypt_key(&c, kek);
	aes128_keywrap(&c, kw_iv, len + 8, out, in);
}

int
p2_unwrap(uint8_t *out, const uint8_t kek[16], const uint8_t *in, size_t len)
{
	struct aes128_ctx c;
	if (len < 24 || len % 8)
		return -1;
	aes128_set_decrypt_key(&c, kek);
	return aes128_keyunwrap(&c, kw_iv, len - 8, out, in) ? 0 : -1;
}

void
p2_icv_from_secret(uint8_t icv[AERO_SEAL_KEY_LEN], const uint8_t s[P2_SECRET_LEN])
{
	static const char label[] = "AERO-P2-ICV";
	hmac_sha1(icv, s, P2_SECRET_LEN, (const uint8_t *)label,
	          sizeof label - 1, NULL, 0);
}

static void
esk_check(uint8_t out[4], const uint8_t kenc[P2_ENC_KEY_LEN],
          const uint8_t block[16])
{
	static const char label[] = "AERO-P2-KCV";
	uint8_t h[20];
	hmac_sha1(h, kenc, P2_ENC_KEY_LEN, (const uint8_t *)label,
	          sizeof label - 1, block, 16);
	memcpy(out, h, 4);
}

void
p2_esk_encrypt(uint8_t esk[AERO_SCMP_ESK_LEN],
               const uint8_t kenc[P2_ENC_KEY_LEN],
               const uint8_t s[P2_SECRET_LEN])
{
	struct aes128_ctx c;
	aes128_set_encrypt_key(&c, kenc);
	aes128_encrypt(&c, 16, esk, s);
	esk_check(esk + 16, kenc, esk);
}

int
p2_esk_decrypt(uint8_t s[P2_SECRET_LEN], const uint8_t kenc[P2_ENC_KEY_LEN],
               const uint8_t esk[AERO_SCMP_ESK_LEN])
{
	uint8_t chk[4];
	esk_check(chk, kenc, esk);
	/* not secret-dependent timing: the check is over public bytes */
	if (memcmp(chk, esk + 16, 4) != 0)
		return -1;
	struct aes128_ctx c;
	aes128_set_decrypt_key(&c, kenc);
	aes128_decrypt(&c, 16, s, esk);
	return 0;
}

/* ---- per-neighbour state -------------------------------------------------------- */

static void p2_retransmit(struct aero_node *n, struct tmr *t);

static struct p2_peer *
peer_get(struct aero_node *n, const struct aero_in6 *ll, bool create)
{
	struct p2_peer *p = g_hash_table_lookup(pst(n)->peers, ll);
	if (p || !create)
		return p;
	if (g_hash_table_size(pst(n)->peers) >= n->cfg.max_neighbors)
		return NULL;
	p = g_new0(struct p2_peer, 1);
	p->ll = *ll;
	tmr_init(&p->t, p2_retransmit);
	g_hash_table_insert(pst(n)->peers, &p->ll, p);
	return p;
}

bool
p2_enc_key(struct aero_node *n, const struct nce *nb, uint8_t out[P2_ENC_KEY_LEN])
{
	struct p2_peer *p = nb ? peer_get(n, &nb->ll, false) : NULL;
	if (p && p->has_enc) {
		memcpy(out, p->enc, P2_ENC_KEY_LEN);
		return true;
	}
	if (pst(n)->has_link_enc) {
		memcpy(out, pst(n)->link_enc, P2_ENC_KEY_LEN);
		return true;
	}
	return false;
}

void
p2_set_enc_key(struct aero_node *n, const struct aero_in6 *ll, const uint8_t *key)
{
	struct p2_peer *p = peer_get(n, ll, key != NULL);
	if (!p)
		return;
	p->has_enc = key != NULL;
	if (key)
		memcpy(p->enc, key, P2_ENC_KEY_LEN);
	else
		memset(p->enc, 0, sizeof p->enc);
}

void
p2_set_icv_key(struct aero_node *n, struct nce *e, const uint8_t *icv)
{
	/* a replaced per-neighbour key keeps verifying packets in flight for
	 * P2_KEY_ROLLOVER (tunnel.c); the link-wide key never comes back
	 * as a "previous" key: once a neighbour has its own key, the link key
	 * is good for the registration messages only */
	memcpy(e->icv_prev, e->icv_key, sizeof e->icv_prev);
	e->icv_prev_len = e->icv_key_len;
	e->icv_prev_until = n->now + P2_KEY_ROLLOVER;
	if (icv) {
		memcpy(e->icv_key, icv, AERO_SEAL_KEY_LEN);
		e->icv_key_len = AERO_SEAL_KEY_LEN;
	} else {
		memset(e->icv_key, 0, sizeof e->icv_key);
		e->icv_key_len = 0;
	}
}

void
p2_forget(struct aero_node *n, const struct aero_in6 *ll)
{
	if (!n->ro || !pst(n))
		return;
	struct p2_peer *p = peer_get(n, ll, false);
	if (!p)
		return;
	tmr_cancel(n, &p->t);
	g_hash_table_remove(pst(n)->peers, ll);
}

bool
p2_registered(struct aero_node *n, const struct aero_in6 *srv)
{
	struct p2_peer *p = peer_get(n, srv, false);
	return p && p->registered;
}

void
p2_init(struct aero_node *n)
{
	struct p2_state *s = g_new0(struct p2_state, 1);
	s->peers = g_hash_table_new_full(in6_hash, in6_equal, NULL, g_free);
	if (n->cfg.icv_key_len) {
		static const char label[] = "AERO-P2-KEK-LINK";
		uint8_t h[20];
		hmac_sha1(h, n->cfg.icv_key, n->cfg.icv_key_len,
		          (const uint8_t *)label, sizeof label - 1, NULL, 0);
		memcpy(s->link_enc, h, P2_ENC_KEY_LEN);
		s->has_link_enc = true;
	}
	*ro_p2_slot(n) = s;
}

void
p2_free(struct aero_node *n)
{
	struct p2_state *s = pst(n);
	if (!s)
		return;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, s->peers);
	while (g_hash_table_iter_next(&it, &k, &v))
		tmr_cancel(n, &((struct p2_peer *)v)->t);
	g_hash_table_destroy(s->peers);
	g_free(s);
	*ro_p2_slot(n) = NULL;
}

/* ---- registration ------------------------------------------------------------------ */

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void
reg_kek(struct aero_node *n, uint8_t kek[16], const uint8_t nc[16],
        const uint8_t ns[16])
{
	static const char label[] = "AERO-P2-REG";
	uint8_t m[sizeof label - 1 + 32], h[20];
	memcpy(m, label, sizeof label - 1);
	memcpy(m + sizeof label - 1, nc, 16);
	memcpy(m + sizeof label - 1 + 16, ns, 16);
	hmac_sha1(h, n->cfg.icv_key, n->cfg.icv_key_len, m, sizeof m, NULL, 0);
	memcpy(kek, h, 16);
}

/* Send a registration message; opts may be NULL. */
static void
reg_send(struct aero_node *n, struct nce *nb, uint8_t code, uint32_t txid,
         const uint8_t nonce[16], const struct aero_nd_opts *opts)
{
	uint8_t buf[512];
	memset(buf, 0, P2_REG_FIXED);
	buf[0] = P2_REG_TYPE;
	buf[1] = code;
	buf[2] = nb->link_id;
	put32(buf + 4, txid);
	if (nonce)
		memcpy(buf + 8, nonce, 16);
	size_t len = P2_REG_FIXED;
	if (opts) {
		int k = aero_wire_nd_opts_encode(buf + len, sizeof buf - len, opts);
		if (k < 0) {
			NLOG(n, LOG_ERR_, "%s: options do not encode: %s", __func__,
			     aero_wire_strerror(k));
			return;
		}
		len += (size_t)k;
	}
	node_send_udp(n, nb, NULL, &n->ll, &nb->ll, 255, AERO_RFC6706_UDP_PORT,
	              AERO_RFC6706_UDP_PORT, buf, len);
}

static void
client_send(struct aero_node *n, struct p2_peer *p)
{
	struct nce *srv = nce_lookup(n, &p->ll);
	if (!srv) {
		p->code = 0;
		return;
	}
	struct aero_nd_opts *o = NULL;
	if (p->code == P2_REQ) {
		o = g_new0(struct aero_nd_opts, 1);
		struct aero_in6 own;
		uint8_t olen;
		if (ro_own_prefix(n, &own, &olen)) {
			o->n_rio = 1;
			o->rio[0].prefix = own;
			o->rio[0].prefix_len = olen;
			o->rio[0].lifetime = n->cfg.vltime;
		}
	}
	p->tries++;
	COUNT(n, p2_reg_sent);
	reg_send(n, srv, p->code, p->txid, p->code == P2_REQ ? p->nonce_c : NULL, o);
	g_free(o);
	tmr_set_in(n, &p->t, n->cfg.retrans_timer);
}

static void
p2_retransmit(struct aero_node *n, struct tmr *t)
{
	struct p2_peer *p = (struct p2_peer *)(void *)((char *)t - offsetof(struct p2_peer, t));
	if (!p->code)
		return;
	if (p->tries >= n->cfg.max_retry) {
		COUNT(n, p2_reg_failed);
		NLOG(n, LOG_WARN_, "p2: %s unanswered after %u tries",
		     p->code == P2_REQ ? "registration" : "termination", p->tries);
		if (p->code == P2_TERM) {
			/* terminate locally anyway (VET-40 6.6.4) */
			struct nce *srv = nce_lookup(n, &p->ll);
			if (srv)
				p2_set_icv_key(n, srv, NULL);
			p->has_enc = false;
			p->registered = false;
		}
		p->code = 0;
		return;
	}
	client_send(n, p);
}

static int
client_start(struct aero_node *n, struct nce *srv, uint8_t code)
{
	if (n->cfg.role != AERO_ROLE_CLIENT || n->cfg.profile != AERO_PROFILE_P2 ||
	    !srv || !n->ro)
		return AERO_ERR_STATE;
	struct aero_in6 own;
	uint8_t olen;
	if (code == P2_REQ && !ro_own_prefix(n, &own, &olen))
		return AERO_ERR_STATE;
	struct p2_peer *p = peer_get(n, &srv->ll, true);
	if (!p)
		return AERO_ERR_FULL;
	p->code = code;
	p->txid = node_rand32(n);
	p->tries = 0;
	n->cb->rand(p->nonce_c, sizeof p->nonce_c, n->user);
	client_send(n, p);
	return 0;
}

int
p2_register(struct aero_node *n, struct nce *srv)
{
	return client_start(n, srv, P2_REQ);
}

int
p2_deregister(struct aero_node *n, struct nce *srv)
{
	return client_start(n, srv, P2_TERM);
}

static bool
route_via(struct aero_node *n, const struct aero_in6 *p, uint8_t plen,
          const struct aero_in6 *ll)
{
	const struct fib_entry *e = fib_lookup(n, p);
	if (!e || e->plen > plen)
		return false;
	for (unsigned i = 0; i < e->n_nh; i++)
		if (e->nh[i].kind == NH_NEIGHBOR && in6_eq(&e->nh[i].ll, ll))
			return true;
	return false;
}

static void
server_req(struct aero_node *n, struct nce *nb, const uint8_t *msg, size_t len)
{
	struct aero_nd_opts *o = g_new0(struct aero_nd_opts, 1);
	if (aero_wire_nd_opts_decode(o, msg + P2_REG_FIXED, len - P2_REG_FIXED,
	                             &n->ndctx) < 0 || o->n_rio == 0) {
		g_free(o);
		DROP(n, drop_p2_reg_invalid, "REQ options");
		return;
	}
	for (size_t i = 0; i < o->n_rio; i++)
		if (!route_via(n, &o->rio[i].prefix, o->rio[i].prefix_len, &nb->ll)) {
			g_free(o);
			DROP(n, drop_p2_reg_unauthorised, "REQ prefix not delegated to the Client");
			return;
		}
	g_free(o);
	struct p2_peer *p = peer_get(n, &nb->ll, true);
	if (!p) {
		DROP(n, drop_p2_reg_invalid, "no room for the neighbour");
		return;
	}
	uint32_t txid = get32(msg + 4);
	nb->link_id = msg[2];
	bool again = p->has_last && p->last_txid == txid &&
	             memcmp(p->last_nonce_c, msg + 8, 16) == 0;
	struct aero_nd_opts *r = g_new0(struct aero_nd_opts, 1);
	uint8_t keys[P2_WRAP_LEN + 6];
	if (n->cfg.icv_key_len) {
		if (!again) {
			n->cb->rand(p->last_icv, sizeof p->last_icv, n->user);
			n->cb->rand(p->last_enc, sizeof p->last_enc, n->user);
			n->cb->rand(p->last_nonce_s, sizeof p->last_nonce_s, n->user);
		}
		uint8_t plain[40] = {0}, kek[16];
		memcpy(plain, p->last_icv, 20);
		memcpy(plain + 24, p->last_enc, 16);
		reg_kek(n, kek, msg + 8, p->last_nonce_s);
		memset(keys, 0, 6);
		p2_wrap(keys + 6, kek, plain, sizeof plain);
		memset(plain, 0, sizeof plain);
		r->n_unknown = 1;
		r->unknown[0].type = P2_OPT_KEYS;
		r->unknown[0].data = keys;
		r->unknown[0].data_len = sizeof keys;
	}
	p->has_last = true;
	p->last_txid = txid;
	memcpy(p->last_nonce_c, msg + 8, 16);
	/* answer under the current key, then switch (p2.h) */
	reg_send(n, nb, P2_REP, txid, p->last_nonce_s, r);
	g_free(r);
	if (n->cfg.icv_key_len) {
		p2_set_icv_key(n, nb, p->last_icv);
		p->has_enc = true;
		memcpy(p->enc, p->last_enc, sizeof p->enc);
		/* hosts that keep bindings across restarts (lease files,
		 * aero_node_bindings) must store the Client's new key */
		struct aero_event ev = {.type = AERO_EV_BINDING, .name = "keys",
		                        .addr = nb->ll, .loc = nb->loc};
		out_event(n, &ev);
	}
	p->registered = true;
	COUNT(n, p2_reg_done);
}

static void
client_rep(struct aero_node *n, struct nce *nb, const uint8_t *msg, size_t len)
{
	struct p2_peer *p = peer_get(n, &nb->ll, false);
	if (!p || p->code != P2_REQ || p->txid != get32(msg + 4)) {
		DROP(n, drop_p2_reg_invalid, "REP without a pending REQ");
		return;
	}
	struct aero_nd_opts *o = g_new0(struct aero_nd_opts, 1);
	uint8_t plain[40];
	bool keyed = false;
	if (aero_wire_nd_opts_decode(o, msg + P2_REG_FIXED, len - P2_REG_FIXED,
	                             &n->ndctx) < 0) {
		g_free(o);
		DROP(n, drop_p2_reg_invalid, "REP options");
		return;
	}
	for (size_t i = 0; i < o->n_unknown; i++) {
		if (o->unknown[i].type != P2_OPT_KEYS ||
		    o->unknown[i].data_len != P2_WRAP_LEN + 6 || !n->cfg.icv_key_len)
			continue;
		uint8_t kek[16];
		reg_kek(n, kek, p->nonce_c, msg + 8);
		if (p2_unwrap(plain, kek, o->unknown[i].data + 6, P2_WRAP_LEN) < 0) {
			g_free(o);
			DROP(n, drop_p2_bad_esk, "REP keys do not unwrap");
			return;
		}
		keyed = true;
	}
	g_free(o);
	if (n->cfg.icv_key_len && !keyed) {
		DROP(n, drop_p2_reg_invalid, "REP without keys");
		return;
	}
	if (keyed) {
		p2_set_icv_key(n, nb, plain);
		p->has_enc = true;
		memcpy(p->enc, plain + 24, P2_ENC_KEY_LEN);
		memset(plain, 0, sizeof plain);
	}
	tmr_cancel(n, &p->t);
	p->code = 0;
	p->registered = true;
	COUNT(n, p2_reg_done);
}

void
p2_rx(struct aero_node *n, struct rxctx *rx, const uint8_t *msg, size_t len)
{
	if (n->cfg.profile != AERO_PROFILE_P2 || len < P2_REG_FIXED ||
	    msg[3] != 0 || rx->ip6.hop_limit != 255) {
		DROP(n, drop_p2_reg_invalid, "not a P2 registration message");
		return;
	}
	/* the sender is the neighbour by both L3 and L2 address */
	struct nce *nb = nce_lookup(n, &rx->ip6.src);
	if (!nb || !rx->pi || nce_by_loc(n, &rx->pi->src) != nb ||
	    !in6_eq(&rx->ip6.dst, &n->ll)) {
		DROP(n, drop_p2_reg_invalid, "registration from an unknown neighbour");
		return;
	}
	uint8_t code = msg[1];
	if (n->cfg.role == AERO_ROLE_SERVER && nb->kind == NCE_CLIENT) {
		if (code == P2_REQ) {
			server_req(n, nb, msg, len);
		} else if (code == P2_TERM) {
			reg_send(n, nb, P2_TERM_ACK, get32(msg + 4), NULL, NULL);
			p2_set_icv_key(n, nb, NULL);
			p2_forget(n, &nb->ll);
			COUNT(n, p2_term_done);
		} else {
			DROP(n, drop_p2_reg_invalid, "unexpected code at a Server");
		}
		return;
	}
	if (n->cfg.role == AERO_ROLE_CLIENT && nb->kind == NCE_SERVER) {
		struct p2_peer *p = peer_get(n, &nb->ll, false);
		if (code == P2_REP) {
			client_rep(n, nb, msg, len);
		} else if (code == P2_TERM_ACK && p && p->code == P2_TERM &&
		           p->txid == get32(msg + 4)) {
			tmr_cancel(n, &p->t);
			p2_set_icv_key(n, nb, NULL);
			p2_forget(n, &nb->ll);
			COUNT(n, p2_term_done);
		} else {
			DROP(n, drop_p2_reg_invalid, "unexpected code at a Client");
		}
		return;
	}
	DROP(n, drop_p2_reg_invalid, "registration between these roles");
}

bool
p2_is_registration(const struct rxctx *rx)
{
	return rx->proto == 17 && rx->l4 && rx->l4len > AERO_UDP_HDR_LEN &&
	       (rx->l4[2] << 8 | rx->l4[3]) == AERO_RFC6706_UDP_PORT &&
	       in6_is_ll(&rx->ip6.dst) && rx->l4[AERO_UDP_HDR_LEN] == P2_REG_TYPE;
}
