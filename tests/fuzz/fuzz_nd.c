/*
 * libFuzzer target: ICMPv6 ND messages and option lists (core/src/wire/nd.c)
 * under every link kind / PIO mode, with and without checksum verification.
 * Every successful decode must re-encode to the input bytes exactly (all
 * reserved fields are kept), and decode again to the same encoding.
 */
#include <stdlib.h>
#include <string.h>

#include "aero/wire_nd.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

#define CAP (1u << 17)

static void
check_msg(const uint8_t *d, size_t n, const struct aero_nd_ctx *ctx,
          const struct aero_in6 *src, const struct aero_in6 *dst)
{
	static struct aero_nd_msg m, m2;
	static uint8_t out[CAP], out2[CAP];
	int rc = aero_wire_nd_decode(&m, d, n, ctx, src, dst);

	if (rc < 0)
		return;
	if ((size_t)rc != n || n > CAP)
		abort();
	if (aero_wire_nd_encode(out, CAP, &m, src, dst) != rc)
		abort();
	if (src && dst) {
		if (memcmp(out, d, n) != 0)
			abort();
	} else if (out[2] != 0 || out[3] != 0 || out[0] != d[0] || out[1] != d[1] ||
	           memcmp(out + 4, d + 4, n - 4) != 0) {
		abort();
	}
	if (aero_wire_nd_decode(&m2, out, n, ctx, src, dst) != rc)
		abort();
	if (aero_wire_nd_encode(out2, CAP, &m2, src, dst) != rc ||
	    memcmp(out, out2, n) != 0)
		abort();
	/* canonical order: same size, still decodes */
	m2.opts.n_order = 0;
	if (aero_wire_nd_encode(out2, CAP, &m2, NULL, NULL) != rc ||
	    aero_wire_nd_decode(&m, out2, n, ctx, NULL, NULL) != rc)
		abort();
}

static void
check_opts(const uint8_t *d, size_t n, const struct aero_nd_ctx *ctx)
{
	static struct aero_nd_opts o;
	static uint8_t out[CAP];
	int rc = aero_wire_nd_opts_decode(&o, d, n, ctx);

	if (rc < 0)
		return;
	if ((size_t)rc != n || n > CAP || aero_wire_nd_opts_size(&o) != rc ||
	    aero_wire_nd_opts_encode(out, CAP, &o) != rc || memcmp(out, d, n) != 0)
		abort();
	if (n > 0 && aero_wire_nd_opts_encode(out, n - 1, &o) != AERO_WIRE_E_NOBUF)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const struct aero_nd_ctx ctxs[4] = {
		{AERO_ND_LINK_ETHERNET, AERO_PIO_MODE_RFC9762_P},
		{AERO_ND_LINK_ETHERNET, AERO_PIO_MODE_PIO_X},
		{AERO_ND_LINK_AERO, AERO_PIO_MODE_RFC9762_P},
		{AERO_ND_LINK_AERO, AERO_PIO_MODE_PIO_X},
	};

	for (int i = 0; i < 4; i++) {
		check_msg(d, n, &ctxs[i], NULL, NULL);
		check_opts(d, n, &ctxs[i]);
		if (n >= 32) {
			struct aero_in6 src, dst;
			memcpy(src.b, d, 16);
			memcpy(dst.b, d + 16, 16);
			check_msg(d + 32, n - 32, &ctxs[i], &src, &dst);
		}
	}
	check_msg(d, n, NULL, NULL, NULL);
	return 0;
}
