/*
 * libFuzzer target: the hex text reader of aero-decode (core/tools/hexin.c)
 * in both modes. Every delivered packet must be non-empty and the total
 * number of bytes can never exceed half the input length.
 */
#include <stdlib.h>

#include "../../core/tools/hexin.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static size_t total;

static void
count(void *user, const uint8_t *p, size_t len)
{
	(void)user;
	if (len == 0 || p == NULL)
		abort();
	total += len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct hexin_err err;

	for (int lines = 0; lines < 2; lines++) {
		total = 0;
		long k = hexin_parse((const char *)d, n, lines, count, NULL, &err);
		if (k < -1 || total > n / 2)
			abort();
		if (k < 0 && (err.line == 0 || err.what == NULL))
			abort();
	}
	return 0;
}
