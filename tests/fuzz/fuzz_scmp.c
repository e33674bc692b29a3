/*
 * libFuzzer target: SCMP messages (core/src/wire/scmp.c) in both PIO
 * modes, with and without checksum verification. A successful decode must
 * re-encode to the input (checksum recomputed: identical when it was
 * verified, else identical except bytes 2..3) and decode again.
 */
#include <stdlib.h>
#include <string.h>

#include "aero/wire_nd.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

#define CAP (1u << 17)

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct aero_scmp_msg m, m2;
	static uint8_t out[CAP], out2[CAP];

	for (int i = 0; i < 4; i++) {
		struct aero_nd_ctx c = {AERO_ND_LINK_ETHERNET,
		                        (i & 1) ? AERO_PIO_MODE_PIO_X : AERO_PIO_MODE_RFC9762_P};
		bool verify = (i & 2) != 0;
		int rc = aero_wire_scmp_decode(&m, d, n, &c, verify);
		if (rc < 0)
			continue;
		if ((size_t)rc != n || n > CAP || n < 4)
			abort();
		if (aero_wire_scmp_encode(out, CAP, &m) != rc)
			abort();
		if (verify ? memcmp(out, d, n) != 0
		           : (out[0] != d[0] || out[1] != d[1] ||
		              memcmp(out + 4, d + 4, n - 4) != 0))
			abort();
		if (aero_wire_scmp_encode(out2, n - 1, &m) != AERO_WIRE_E_NOBUF)
			abort();
		if (aero_wire_scmp_decode(&m2, out, n, &c, true) != rc ||
		    aero_wire_scmp_encode(out2, CAP, &m2) != rc ||
		    memcmp(out, out2, n) != 0)
			abort();
	}
	return 0;
}
