/*
 * libFuzzer target for core/src/wire/seal.c: the input is decoded as a
 * SEAL v1 header and as a P2 shim without a key and with a fixed key
 * (20 x 0x0b); successful decodes are re-encoded (copying the ICV, and
 * recomputing it when it verified) and must give the input bytes back.
 * The input also drives the anti-replay window as a list of 32-bit ids,
 * checked against the window's invariants.
 */
#include <stdlib.h>
#include <string.h>

#include "aero/wire_seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static uint8_t out[70000];

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static const uint8_t key[AERO_SEAL_KEY_LEN] = {
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
};

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct aero_seal1 v1, w1;
	struct aero_seal s, t;
	int rc, m;

	if (n > sizeof out)
		return 0;

	/* v1 */
	rc = aero_wire_seal1_decode(&v1, d, n);
	if (rc >= 0) {
		CHECK(rc == 4 && v1.payload_len == n - 4);
		m = aero_wire_seal1_encode(out, sizeof out, &v1);
		CHECK(m == (int)n && memcmp(out, d, n) == 0);
		CHECK(aero_wire_seal1_decode(&w1, out, (size_t)m) == 4);
		CHECK(w1.seg == v1.seg && w1.next_header == v1.next_header);
	} else {
		CHECK(n < 4);
	}

	/* P2 without a key */
	rc = aero_wire_seal_decode(&s, d, n, NULL, 0);
	int vr = aero_wire_seal_verify(d, n, key, sizeof key);
	if (rc >= 0) {
		CHECK((size_t)rc == aero_wire_seal_hdr_len(&s));
		CHECK((size_t)rc + s.payload_len == n);
		m = aero_wire_seal_encode(out, sizeof out, &s, NULL, 0);
		CHECK(m == (int)n && memcmp(out, d, n) == 0);
		CHECK(aero_wire_seal_encode(out, n - 1, &s, NULL, 0) ==
		      AERO_WIRE_E_NOBUF);
		CHECK(s.i ? (vr == 0 || vr == AERO_WIRE_E_ICV)
		          : vr == AERO_WIRE_E_MISSING);
	} else {
		CHECK(vr == rc);
	}

	/* P2 with the key */
	int rk = aero_wire_seal_decode(&t, d, n, key, sizeof key);
	if (rc >= 0 && s.i)
		CHECK(vr == 0 ? rk == rc : rk == AERO_WIRE_E_ICV);
	else
		CHECK(rk == rc);
	if (rk >= 0) {
		/* recomputing the ICV with the same key reproduces the input */
		m = aero_wire_seal_encode(out, sizeof out, &t, key, sizeof key);
		CHECK(m == (int)n && memcmp(out, d, n) == 0);
		CHECK(aero_wire_seal_decode(&s, out, (size_t)m, key, sizeof key) ==
		      rk);
	}

	/* anti-replay window driven by the input */
	struct aero_seal_replay w;
	aero_seal_replay_init(&w);
	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t id = (uint32_t)d[i] << 24 | (uint32_t)d[i + 1] << 16 |
		              (uint32_t)d[i + 2] << 8 | d[i + 3];
		int c = aero_seal_replay_check(&w, id);
		struct aero_seal_replay before = w;

		aero_seal_replay_update(&w, id);
		if (c == AERO_SEAL_REPLAY_OK) {
			CHECK(aero_seal_replay_check(&w, id) == AERO_SEAL_REPLAY_DUP);
			CHECK(w.init && (w.bitmap & 1));
		} else {
			CHECK(c == AERO_SEAL_REPLAY_DUP || c == AERO_SEAL_REPLAY_OLD);
			CHECK(memcmp(&w, &before, sizeof w) == 0);
		}
	}
	return 0;
}
