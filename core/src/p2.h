/*
 * core/src/p2.h -- P2 (VET-40/SEAL) key handling: the ESK of SPD/SRD
 * (digest 3.11; VET-40 6.6.3) and the bidirectional neighbour registration
 * between a Client and its Server (VET-40 6.6.4; digest 7.5).
 *
 * ---- ESK [P] --------------------------------------------------------------
 * The SCMP Authentication Key carries a 20-byte ESK (wire_nd.h, frozen).
 * RFC 3394 key wrap of even the smallest key (16 bytes) is 24 bytes and
 * does not fit, so the ESK is:
 *   S      16 random bytes chosen by the target (the redirect secret)
 *   ESK    AES-128-Encrypt(Kenc, S) || HMAC-SHA1(Kenc, "AERO-P2-KCV" || that
 *          block)[0..3]   (a 32-bit check: a wrong Kenc is detected)
 *   ICV key (160 bits) = HMAC-SHA1(S, "AERO-P2-ICV")
 * Kenc is the 16-byte encryption key the two hops share: the one set by the
 * registration below, else the link-wide one derived from cfg.icv_key as
 * HMAC-SHA1(cfg.icv_key, "AERO-P2-KEK-LINK")[0..15] (Servers <-> Relays).
 * Each VBG on the chain decrypts with the key of the hop it came from and
 * re-encrypts for the next hop (VET-40 6.6.3).
 *
 * ---- registration [P] ------------------------------------------------------
 * A short authenticated transaction Client -> Server carried like an RFC
 * 6706 message: inner IPv6 L3(Client) -> fe80::ID(Server), hop limit 255,
 * UDP 8060 -> 8060 (ro_rx dispatches on the first byte), inside the SEAL
 * shim whose ICV (current key) authenticates it:
 *
 *   0 Type = P2_REG_TYPE (1; RFC 6706 messages have Type 0)
 *   1 Code: 1 REQ, 2 REP, 3 TERM, 4 TERM-ACK
 *   2 LINK_ID (REQ: the Client's handle for its locator)
 *   3 reserved 0
 *   4..7   transaction id
 *   8..23  nonce (REQ: Client's, REP: Server's; TERM*: 0)
 *   24..   ND options: REQ: RIO(s) = the prefixes registered;
 *          REP: option P2_OPT_KEYS = 6 reserved bytes + RFC 3394 AES-128
 *          key wrap (48 bytes) of ICV key (20) || 0 (4) || Kenc (16)
 *          under KEK = HMAC-SHA1(cfg.icv_key, "AERO-P2-REG" || nonce_c ||
 *          nonce_s)[0..15]
 *
 * The Client retransmits REQ/TERM every retrans_timer, at most max_retry
 * times. The Server checks every RIO is delegated to the Client (FIB route
 * via its AERO address), answers with fresh keys (a retransmitted REQ gets
 * the same keys), then installs them; the Client installs them on REP.
 * Keys change on every registration. TERM removes them (back to the
 * link-wide key). Without a link-wide key there is nothing to protect the
 * keys with: the exchange registers prefixes and LINK_ID only.
 */
#ifndef AERO_P2_H
#define AERO_P2_H

#include "node.h"

#define P2_REG_TYPE 1
/* [P] how long a replaced ICV key still verifies received packets: covers
 * packets in flight and the registration retransmissions (3 x 1 s) */
#define P2_KEY_ROLLOVER (10 * AERO_SEC)
enum { P2_REQ = 1, P2_REP = 2, P2_TERM = 3, P2_TERM_ACK = 4 };
#define P2_REG_FIXED 24
#define P2_OPT_KEYS 253          /* RFC 4727 experimental ND option type */
#define P2_SECRET_LEN 16
#define P2_ENC_KEY_LEN 16
#define P2_WRAP_LEN 48           /* RFC 3394 of 40 bytes */

void p2_init(struct aero_node *n);
void p2_free(struct aero_node *n);

/* ---- crypto (nettle AES, GLib HMAC) ---- */
/* RFC 3394 AES-128 key wrap / unwrap; len a multiple of 8, >= 16.
 * p2_unwrap returns 0, or -1 when the integrity check fails. */
void p2_wrap(uint8_t *out, const uint8_t kek[16], const uint8_t *in,
             size_t len);
int p2_unwrap(uint8_t *out, const uint8_t kek[16], const uint8_t *in,
              size_t len);
void p2_icv_from_secret(uint8_t icv[AERO_SEAL_KEY_LEN],
                        const uint8_t s[P2_SECRET_LEN]);
void p2_esk_encrypt(uint8_t esk[AERO_SCMP_ESK_LEN],
                    const uint8_t kenc[P2_ENC_KEY_LEN],
                    const uint8_t s[P2_SECRET_LEN]);
/* 0, or -1 when the check bytes do not match (wrong key / forged). */
int p2_esk_decrypt(uint8_t s[P2_SECRET_LEN],
                   const uint8_t kenc[P2_ENC_KEY_LEN],
                   const uint8_t esk[AERO_SCMP_ESK_LEN]);
/* The encryption key shared with neighbour nb; false when there is none. */
bool p2_enc_key(struct aero_node *n, const struct nce *nb,
                uint8_t out[P2_ENC_KEY_LEN]);
/* Set the encryption key shared with the neighbour whose link-local is ll
 * (NULL key: forget it). */
void p2_set_enc_key(struct aero_node *n, const struct aero_in6 *ll,
                    const uint8_t *key);
/* Install a new ICV key on e (icv NULL: back to the link-wide key). */
void p2_set_icv_key(struct aero_node *n, struct nce *e, const uint8_t *icv);

/* ---- registration hooks ---- */
/* Client: register the own prefix, LINK_ID and get fresh keys from the
 * Server srv (after PD and on every renewal). Returns 0, AERO_ERR_STATE
 * (not a P2 Client, no prefix yet) or AERO_ERR_INVAL. */
int p2_register(struct aero_node *n, struct nce *srv);
/* Client: terminate the registration with srv (shutdown). */
int p2_deregister(struct aero_node *n, struct nce *srv);
/* A registration message (called by ro_rx). */
void p2_rx(struct aero_node *n, struct rxctx *rx, const uint8_t *msg,
           size_t len);
/* Forget the P2 state of a neighbour (call before nce_delete; optional). */
void p2_forget(struct aero_node *n, const struct aero_in6 *ll);
/* True when rx (a parsed inner packet) is a P2 registration message:
 * inner UDP to 8060 at a link-local address, first payload byte
 * P2_REG_TYPE. */
bool p2_is_registration(const struct rxctx *rx);
/* Client: true once a registration with srv completed (keys in place). */
bool p2_registered(struct aero_node *n, const struct aero_in6 *srv);

#endif
