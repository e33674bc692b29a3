/*
 * libFuzzer target: RFC 6706 Predirect/Redirect (core/src/wire/rfc6706.c)
 * in both PIO modes. A successful decode must re-encode to the input bytes
 * and decode again to the same encoding.
 */
#include <stdlib.h>
#include <string.h>

#include "aero/wire_nd.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

#define CAP (1u << 17)

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct aero_rfc6706_msg m, m2;
	static uint8_t out[CAP], out2[CAP];

	for (int mode = 0; mode < 3; mode++) {
		struct aero_nd_ctx c = {AERO_ND_LINK_ETHERNET,
		                        mode == 1 ? AERO_PIO_MODE_PIO_X : AERO_PIO_MODE_RFC9762_P};
		int rc = aero_wire_rfc6706_decode(&m, d, n, mode == 2 ? NULL : &c);
		if (rc < 0)
			continue;
		if ((size_t)rc != n || n > CAP)
			abort();
		if (aero_wire_rfc6706_encode(out, CAP, &m) != rc || memcmp(out, d, n) != 0)
			abort();
		if (aero_wire_rfc6706_encode(out, n - 1, &m) != AERO_WIRE_E_NOBUF)
			abort();
		if (aero_wire_rfc6706_decode(&m2, out, n, &c) != rc ||
		    aero_wire_rfc6706_encode(out2, CAP, &m2) != rc ||
		    memcmp(out2, d, n) != 0)
			abort();
	}
	return 0;
}
