/*
 * SEAL headers: RFC 5320 1st edition (digest 3.9) and the P2 shim with the
 * HMAC-SHA1-80 ICV and the anti-replay window (digest 3.10).
 *
 * SEAL v1 (RFC 5320 4.2.3):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          ID Extension         |A|R|M|RSV| SEG |  Next Header  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * P2 shim [P digest 3.10]:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    NEXTHDR    |VER|C|A|R|I|rsv|    LINK_ID    |   reserved    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                        Identification                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |F|Key|Algorithm|                                               |  (I=1)
 *   +-+-+-+-+-+-+-+-+        ICV (80 bits, bytes 9..18)             +
 *   |                                                               |
 *   +                                               +-+-+-+-+-+-+-+-+
 *   |                                               |     pad 0     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#include <glib.h>
#include <string.h>

#include "aero/wire_seal.h"
#include "aero/bytes.h"

#define ICV_OFF 9

static void
place(uint8_t *dst, const uint8_t *src, size_t len)
{
	if (src != NULL && src != dst && len > 0)
		memmove(dst, src, len);
}

/* ---- v1 ------------------------------------------------------------------ */

int
aero_wire_seal1_decode(struct aero_seal1 *out, const uint8_t *buf, size_t len)
{
	if (len < AERO_SEAL1_HDR_LEN)
		return AERO_WIRE_E_TRUNCATED;
	memset(out, 0, sizeof *out);
	out->id_ext = get16(buf);
	out->a = (buf[2] & 0x80) != 0;        /* RFC 5320 4.2.3 flags */
	out->r = (buf[2] & 0x40) != 0;
	out->m = (buf[2] & 0x20) != 0;
	out->rsv = (buf[2] >> 3) & 0x03;
	out->seg = buf[2] & 0x07;
	out->next_header = buf[3];
	out->payload = buf + AERO_SEAL1_HDR_LEN;
	out->payload_len = len - AERO_SEAL1_HDR_LEN;
	return AERO_SEAL1_HDR_LEN;
}

int
aero_wire_seal1_encode(uint8_t *buf, size_t cap, const struct aero_seal1 *in)
{
	if (in->rsv > 3 || in->seg > AERO_SEAL1_MAX_SEG)
		return AERO_WIRE_E_INVAL;
	if (cap < AERO_SEAL1_HDR_LEN || cap - AERO_SEAL1_HDR_LEN < in->payload_len)
		return AERO_WIRE_E_NOBUF;
	place(buf + AERO_SEAL1_HDR_LEN, in->payload, in->payload_len);
	put16(buf, in->id_ext);
	buf[2] = (uint8_t)((in->a ? 0x80 : 0) | (in->r ? 0x40 : 0) |
	                   (in->m ? 0x20 : 0) | in->rsv << 3 | in->seg);
	buf[3] = in->next_header;
	return (int)(AERO_SEAL1_HDR_LEN + in->payload_len);
}

/* ---- ICV ----------------------------------------------------------------- */

void
aero_wire_hmac_sha1_80(uint8_t out[AERO_SEAL_ICV_LEN], const uint8_t *key,
                       size_t key_len, const uint8_t *a, size_t alen,
                       const uint8_t *b, size_t blen)
{
	static const uint8_t nokey[1];
	uint8_t digest[20];
	gsize dlen = sizeof digest;
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA1, key ? key : nokey,
	                      key ? key_len : 0);

	if (alen > 0)
		g_hmac_update(h, a, (gssize)alen);
	if (blen > 0)
		g_hmac_update(h, b, (gssize)blen);
	g_hmac_get_digest(h, digest, &dlen);
	g_hmac_unref(h);
	memcpy(out, digest, AERO_SEAL_ICV_LEN);  /* first 80 bits */
}

void
aero_wire_seal_icv(uint8_t out[AERO_SEAL_ICV_LEN],
                   const uint8_t hdr[AERO_SEAL_ICV_HDR_LEN],
                   const uint8_t *payload, size_t payload_len,
                   const uint8_t *key, size_t key_len)
{
	uint8_t h[AERO_SEAL_ICV_HDR_LEN];

	/* digest 3.10: header with the ICV bytes 9..18 zeroed || payload */
	memcpy(h, hdr, sizeof h);
	memset(h + ICV_OFF, 0, AERO_SEAL_ICV_LEN);
	aero_wire_hmac_sha1_80(out, key, key_len, h, sizeof h, payload,
	                       payload_len);
}

/* ---- P2 header ----------------------------------------------------------- */

size_t
aero_wire_seal_hdr_len(const struct aero_seal *in)
{
	return in->i ? AERO_SEAL_ICV_HDR_LEN : AERO_SEAL_HDR_LEN;
}

/* Parse without ICV verification; returns the header length or an error. */
static int
seal_parse(struct aero_seal *out, const uint8_t *buf, size_t len)
{
	size_t hlen;

	if (len < AERO_SEAL_HDR_LEN)
		return AERO_WIRE_E_TRUNCATED;
	if ((buf[1] & AERO_SEAL_VER_MASK) >> AERO_SEAL_VER_SHIFT !=
	    AERO_SEAL_VERSION)                  /* digest 3.10 VER = 0b01 */
		return AERO_WIRE_E_VERSION;
	hlen = (buf[1] & AERO_SEAL_FLAG_I) ? AERO_SEAL_ICV_HDR_LEN
	                                   : AERO_SEAL_HDR_LEN;
	if (len < hlen)
		return AERO_WIRE_E_TRUNCATED;
	memset(out, 0, sizeof *out);
	if (hlen == AERO_SEAL_ICV_HDR_LEN) {
		/* VET-40 6.6: F=0, Algorithm 0 = HMAC-SHA1 with 80-bit MAC;
		 * nothing else is defined [P]. */
		if ((buf[8] & AERO_SEAL_ICV_F) ||
		    (buf[8] & AERO_SEAL_ICV_ALG_MASK) != AERO_SEAL_ALG_HMAC_SHA1)
			return AERO_WIRE_E_FIELD;
		out->i = true;
		out->icv_f = false;
		out->icv_key = (buf[8] & AERO_SEAL_ICV_KEY_MASK) >>
		               AERO_SEAL_ICV_KEY_SHIFT;
		out->icv_alg = buf[8] & AERO_SEAL_ICV_ALG_MASK;
		memcpy(out->icv, buf + ICV_OFF, AERO_SEAL_ICV_LEN);
		out->pad = buf[19];
	}
	out->next_header = buf[0];
	out->version = AERO_SEAL_VERSION;
	out->c = (buf[1] & AERO_SEAL_FLAG_C) != 0;
	out->a = (buf[1] & AERO_SEAL_FLAG_A) != 0;
	out->r = (buf[1] & AERO_SEAL_FLAG_R) != 0;
	out->rsv_bits = buf[1] & AERO_SEAL_RSV_MASK;
	out->link_id = buf[2];
	out->rsv = buf[3];
	out->id = get32(buf + 4);
	out->payload = buf + hlen;
	out->payload_len = len - hlen;
	return (int)hlen;
}

/* Constant-time comparison of two ICVs. */
static bool
icv_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (size_t i = 0; i < AERO_SEAL_ICV_LEN; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

int
aero_wire_seal_verify(const uint8_t *buf, size_t len, const uint8_t *key,
                      size_t key_len)
{
	struct aero_seal s;
	uint8_t icv[AERO_SEAL_ICV_LEN];
	int rc = seal_parse(&s, buf, len);

	if (rc < 0)
		return rc;
	if (!s.i)
		return AERO_WIRE_E_MISSING;
	aero_wire_seal_icv(icv, buf, s.payload, s.payload_len, key, key_len);
	return icv_equal(icv, buf + ICV_OFF) ? 0 : AERO_WIRE_E_ICV;
}

int
aero_wire_seal_decode(struct aero_seal *out, const uint8_t *buf, size_t len,
                      const uint8_t *key, size_t key_len)
{
	int rc = seal_parse(out, buf, len);

	if (rc < 0 || key == NULL || !out->i)
		return rc;
	return aero_wire_seal_verify(buf, len, key, key_len) < 0 ?
	       AERO_WIRE_E_ICV : rc;
}

int
aero_wire_seal_encode(uint8_t *buf, size_t cap, const struct aero_seal *in,
                      const uint8_t *key, size_t key_len)
{
	size_t hlen = aero_wire_seal_hdr_len(in);

	if (in->rsv_bits > AERO_SEAL_RSV_MASK)
		return AERO_WIRE_E_INVAL;
	if (in->i && (in->icv_f || in->icv_key > 3 ||
	              in->icv_alg != AERO_SEAL_ALG_HMAC_SHA1))
		return AERO_WIRE_E_INVAL;
	if (cap < hlen || cap - hlen < in->payload_len)
		return AERO_WIRE_E_NOBUF;

	place(buf + hlen, in->payload, in->payload_len);
	buf[0] = in->next_header;
	buf[1] = (uint8_t)(AERO_SEAL_VERSION << AERO_SEAL_VER_SHIFT |
	                   (in->c ? AERO_SEAL_FLAG_C : 0) |
	                   (in->a ? AERO_SEAL_FLAG_A : 0) |
	                   (in->r ? AERO_SEAL_FLAG_R : 0) |
	                   (in->i ? AERO_SEAL_FLAG_I : 0) | in->rsv_bits);
	buf[2] = in->link_id;
	buf[3] = in->rsv;
	put32(buf + 4, in->id);
	if (in->i) {
		buf[8] = (uint8_t)(in->icv_key << AERO_SEAL_ICV_KEY_SHIFT |
		                   in->icv_alg);
		buf[19] = in->pad;
		if (key) {
			/* VET-40 6.6: computed last, over the final header */
			memset(buf + ICV_OFF, 0, AERO_SEAL_ICV_LEN);
			aero_wire_seal_icv(buf + ICV_OFF, buf, buf + hlen,
			                   in->payload_len, key, key_len);
		} else {
			memcpy(buf + ICV_OFF, in->icv, AERO_SEAL_ICV_LEN);
		}
	}
	return (int)(hlen + in->payload_len);
}

/* ---- anti-replay --------------------------------------------------------- */

void
aero_seal_replay_init(struct aero_seal_replay *w)
{
	memset(w, 0, sizeof *w);
}

int
aero_seal_replay_check(const struct aero_seal_replay *w, uint32_t id)
{
	int32_t diff;

	if (!w->init)
		return AERO_SEAL_REPLAY_OK;
	diff = (int32_t)(id - w->top);        /* RFC 1982 serial arithmetic */
	if (diff > 0)
		return AERO_SEAL_REPLAY_OK;       /* right of the window */
	if (diff <= -AERO_SEAL_REPLAY_WINDOW)
		return AERO_SEAL_REPLAY_OLD;      /* RFC 4303 3.4.3: too old */
	if ((w->bitmap >> (uint32_t)-diff) & 1u)
		return AERO_SEAL_REPLAY_DUP;
	return AERO_SEAL_REPLAY_OK;
}

void
aero_seal_replay_update(struct aero_seal_replay *w, uint32_t id)
{
	int32_t diff;

	if (aero_seal_replay_check(w, id) != AERO_SEAL_REPLAY_OK)
		return;
	if (!w->init) {
		w->init = true;
		w->top = id;
		w->bitmap = 1;
		return;
	}
	diff = (int32_t)(id - w->top);
	if (diff > 0) {
		w->bitmap = diff >= AERO_SEAL_REPLAY_WINDOW ?
		            0 : w->bitmap << diff;
		w->bitmap |= 1;
		w->top = id;
	} else {
		w->bitmap |= (uint64_t)1 << (uint32_t)-diff;
	}
}
