/*
 * aero/wire_seal.h -- SEAL headers: the RFC 5320 1st-edition header
 * (reference only, digest 3.9) and the project P2 shim of digest 3.10 with
 * its HMAC-SHA1-80 ICV and the receiver's anti-replay window.
 *
 * SEAL v1 (RFC 5320 4.2.3), 4 bytes:
 *   |        ID Extension (16)      |A|R|M|RSV|SEG  | Next Header  |
 *
 * P2 shim [P digest 3.10], 8 bytes, 20 with ICV (I=1):
 *   0 NEXTHDR | 1 VER(2)=01 C A R I rsv(2) | 2 LINK_ID | 3 reserved
 *   4..7 Identification (32)
 *   8 F(1) Key(2) Algorithm(5) | 9..18 ICV (80 bits) | 19 pad
 *
 * ICV = first 80 bits of HMAC-SHA1(key, SEAL header with bytes 9..18
 * zeroed || SEAL payload) (digest 3.10; VET-40 6.6). Outer headers are not
 * covered (VET-40 6.6.3).
 *
 * Encoders follow the headroom convention of wire_ip.h: the payload is
 * expected right after the header (a non-NULL payload pointer elsewhere is
 * memmove()d into place first).
 */
#ifndef AERO_WIRE_SEAL_H
#define AERO_WIRE_SEAL_H

#include "aero/wire_common.h"

/* ---- SEAL 1st edition (RFC 5320 4.2.3) ---------------------------------- */

#define AERO_SEAL1_HDR_LEN   4
#define AERO_SEAL1_NH_NULL   59 /* NULL probe (RFC 5320 4.4.1) */
#define AERO_SEAL1_MAX_SEG   7

struct aero_seal1 {
	uint16_t id_ext;
	bool a;                  /* acknowledgement requested */
	bool r;                  /* report fragmentation */
	bool m;                  /* more segments */
	uint8_t rsv;             /* 2 reserved bits (kept for round trip) */
	uint8_t seg;             /* 0..7 */
	uint8_t next_header;
	const uint8_t *payload;  /* buf + 4 .. end of buf */
	size_t payload_len;
};

/*
 * Decode the 4-byte header; the payload is the rest of buf.
 * Returns 4, or AERO_WIRE_E_TRUNCATED (len < 4).
 */
int aero_wire_seal1_decode(struct aero_seal1 *out, const uint8_t *buf,
                           size_t len);

/*
 * Write the header; payload expected at buf + 4. Returns 4 + payload_len,
 * or AERO_WIRE_E_NOBUF (cap too small) / AERO_WIRE_E_INVAL (rsv > 3,
 * seg > 7).
 */
int aero_wire_seal1_encode(uint8_t *buf, size_t cap,
                           const struct aero_seal1 *in);

/* ---- P2 shim (digest 3.10) ------------------------------------------------ */

#define AERO_SEAL_VERSION       1
#define AERO_SEAL_HDR_LEN       8
#define AERO_SEAL_ICV_HDR_LEN   20
#define AERO_SEAL_ICV_LEN       10   /* 80 bits */
#define AERO_SEAL_KEY_LEN       20   /* 160-bit HMAC-SHA1 key (VET-40 6.6) */
#define AERO_SEAL_ALG_HMAC_SHA1 0    /* Algorithm 0: HMAC-SHA1, 80-bit MAC */

/* byte 1 */
#define AERO_SEAL_VER_MASK      0xc0
#define AERO_SEAL_VER_SHIFT     6
#define AERO_SEAL_FLAG_C        0x20 /* SCMP message follows */
#define AERO_SEAL_FLAG_A        0x10 /* elicit an SCMP response (NUD) */
#define AERO_SEAL_FLAG_R        0x08 /* source accepts redirects */
#define AERO_SEAL_FLAG_I        0x04 /* ICV present */
#define AERO_SEAL_RSV_MASK      0x03
/* ICV control octet */
#define AERO_SEAL_ICV_F         0x80
#define AERO_SEAL_ICV_KEY_MASK  0x60
#define AERO_SEAL_ICV_KEY_SHIFT 5
#define AERO_SEAL_ICV_ALG_MASK  0x1f

/* NEXTHDR values (digest 3.10) */
#define AERO_SEAL_NH_IPV4       4
#define AERO_SEAL_NH_IPV6       41
#define AERO_SEAL_NH_SCMP       58

struct aero_seal {
	uint8_t next_header;
	uint8_t version;         /* decode: always AERO_SEAL_VERSION; encode
	                          * writes AERO_SEAL_VERSION regardless */
	bool c, a, r, i;         /* flags; i: ICV fields below are present */
	uint8_t rsv_bits;        /* byte 1 low 2 bits (sent 0, kept) */
	uint8_t link_id;
	uint8_t rsv;             /* byte 3 (sent 0, kept) */
	uint32_t id;             /* Identification */
	/* if i: */
	bool icv_f;              /* F: must be 0 (80-bit MAC) */
	uint8_t icv_key;         /* Key: 0..3, key selector */
	uint8_t icv_alg;         /* Algorithm: AERO_SEAL_ALG_HMAC_SHA1 only */
	uint8_t icv[AERO_SEAL_ICV_LEN];
	uint8_t pad;             /* byte 19 (sent 0, kept) */
	const uint8_t *payload;  /* header end .. end of buf */
	size_t payload_len;
};

/* Header length of in: 8, or 20 when in->i. */
size_t aero_wire_seal_hdr_len(const struct aero_seal *in);

/*
 * Decode a P2 header; the payload is the rest of buf. With key != NULL and
 * I=1 the ICV is verified too (a header without ICV is returned as is:
 * whether an ICV is mandatory is the caller's policy). The engine can
 * decode with key NULL, pick the key by link_id/icv_key and then call
 * aero_wire_seal_verify().
 * Returns the header length (8 or 20), or
 *   AERO_WIRE_E_TRUNCATED  len < 8, or I=1 and len < 20
 *   AERO_WIRE_E_VERSION    VER != 1
 *   AERO_WIRE_E_FIELD      I=1 with F=1 or an unknown Algorithm
 *   AERO_WIRE_E_ICV        key given and the ICV does not verify
 */
int aero_wire_seal_decode(struct aero_seal *out, const uint8_t *buf,
                          size_t len, const uint8_t *key, size_t key_len);

/*
 * Verify the ICV of the P2 packet buf[0..len) (header + payload).
 * Returns 0, or AERO_WIRE_E_TRUNCATED / VERSION / FIELD as in decode,
 * AERO_WIRE_E_MISSING (I=0: no ICV), AERO_WIRE_E_ICV (mismatch).
 */
int aero_wire_seal_verify(const uint8_t *buf, size_t len, const uint8_t *key,
                          size_t key_len);

/*
 * Write a P2 header; payload expected at buf + header length. With I=1 and
 * key != NULL the ICV is computed over the final header and payload; with
 * key NULL in->icv is written verbatim (re-encoding a decoded header).
 * Returns header + payload length, or
 *   AERO_WIRE_E_NOBUF  cap too small
 *   AERO_WIRE_E_INVAL  rsv_bits > 3, icv_key > 3, I=1 with F=1 or an
 *                      unknown algorithm
 */
int aero_wire_seal_encode(uint8_t *buf, size_t cap, const struct aero_seal *in,
                          const uint8_t *key, size_t key_len);

/*
 * HMAC-SHA1 truncated to 80 bits (RFC 2104, RFC 2202 test case 1 = digest
 * TV9) over the concatenation of two chunks (b may be NULL when blen 0).
 * Uses GLib GHmac.
 */
void aero_wire_hmac_sha1_80(uint8_t out[AERO_SEAL_ICV_LEN], const uint8_t *key,
                            size_t key_len, const uint8_t *a, size_t alen,
                            const uint8_t *b, size_t blen);

/*
 * Compute the ICV of a 20-byte P2 header (its bytes 9..18 are treated as
 * zero) and payload into out.
 */
void aero_wire_seal_icv(uint8_t out[AERO_SEAL_ICV_LEN],
                        const uint8_t hdr[AERO_SEAL_ICV_HDR_LEN],
                        const uint8_t *payload, size_t payload_len,
                        const uint8_t *key, size_t key_len);

/* ---- anti-replay window (digest 3.10; RFC 4303 3.4.3 style) -------------- */

#define AERO_SEAL_REPLAY_WINDOW 64
/* Result codes of aero_seal_replay_check */
#define AERO_SEAL_REPLAY_OK   0
#define AERO_SEAL_REPLAY_DUP  AERO_WIRE_E_DUPLICATE /* seen already */
#define AERO_SEAL_REPLAY_OLD  AERO_WIRE_E_FIELD     /* left of the window */

/*
 * Per-neighbour receive state. Identification values compare with 32-bit
 * serial arithmetic (RFC 1982): id is "newer" than top when
 * (int32_t)(id - top) > 0, so the window slides across the 2^32 wrap.
 * A jump of 2^31 or more is seen as old; a peer that restarts its counter
 * must re-register (the engine resets the state).
 */
struct aero_seal_replay {
	bool init;               /* false: nothing received yet */
	uint32_t top;            /* highest Identification accepted */
	uint64_t bitmap;         /* bit k: top - k received (bit 0 = top) */
};

/* Reset to "nothing received". */
void aero_seal_replay_init(struct aero_seal_replay *w);

/*
 * Would id be accepted? Pure; call after the ICV verified.
 * Returns AERO_SEAL_REPLAY_OK, AERO_SEAL_REPLAY_DUP or AERO_SEAL_REPLAY_OLD.
 */
int aero_seal_replay_check(const struct aero_seal_replay *w, uint32_t id);

/* Record id as received (only after check returned OK and the packet was
 * authenticated). Ids that check rejects leave the state unchanged. */
void aero_seal_replay_update(struct aero_seal_replay *w, uint32_t id);

#endif
