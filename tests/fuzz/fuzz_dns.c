/*
 * libFuzzer target: DNS answers of the PRL name lookup
 * (core/src/wire/dns.c). The ID is taken from the input so that the
 * header check passes; both address types are tried. A successful decode
 * must re-encode and decode again to the same addresses.
 */
#include <stdlib.h>
#include <string.h>

#include "aero/wire_dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

#define NAME "linkupnetworks.example.net"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static uint8_t out[4096];
	struct aero_dns_answer a, b;
	uint16_t id = n >= 2 ? (uint16_t)((d[0] << 8) | d[1]) : 0;
	const uint16_t types[] = {AERO_DNS_TYPE_A, AERO_DNS_TYPE_AAAA};
	for (int i = 0; i < 2; i++) {
		int rc = aero_wire_dns_answer_decode(&a, d, n, id, NAME, types[i]);
		if (rc < 0)
			continue;
		if ((size_t)rc != n || a.n_addrs > AERO_DNS_MAX_ADDRS)
			abort();
		int m = aero_wire_dns_answer_encode(out, sizeof out, &a, NAME);
		if (m <= 0)
			abort();
		if (aero_wire_dns_answer_decode(&b, out, (size_t)m, id, NAME, types[i]) != m ||
		    b.n_addrs != a.n_addrs ||
		    memcmp(b.addrs, a.addrs, a.n_addrs * sizeof a.addrs[0]) != 0)
			abort();
	}
	return 0;
}
