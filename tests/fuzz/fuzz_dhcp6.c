/*
 * libFuzzer target: DHCPv6 decoder. A successful decode is re-encoded,
 * decoded again and re-encoded once more: the two encodings must be
 * identical (canonical order), and every RELAY_MSG is decoded in turn.
 */
#include <stdlib.h>
#include <string.h>

#include "aero/wire_dhcp6.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static uint8_t b1[70000], b2[70000];
static struct aero_dhcp6_msg m1, m2, inner;

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	int rc = aero_wire_dhcp6_decode(&m1, d, n);

	if (rc < 0) {
		if (rc < AERO_WIRE_E_MIN)
			abort();
		return 0;
	}
	if ((size_t)rc != n)
		abort();
	int need = aero_wire_dhcp6_encoded_len(&m1);
	int e1 = aero_wire_dhcp6_encode(b1, sizeof b1, &m1);
	if (need < 0 || e1 != need)
		abort();
	/* a buffer one byte short must be refused, not overrun */
	if (e1 > 0 && aero_wire_dhcp6_encode(b2, (size_t)e1 - 1, &m1) != AERO_WIRE_E_NOBUF)
		abort();
	if (aero_wire_dhcp6_decode(&m2, b1, (size_t)e1) != e1)
		abort();
	int e2 = aero_wire_dhcp6_encode(b2, sizeof b2, &m2);
	if (e2 != e1 || memcmp(b1, b2, (size_t)e1) != 0)
		abort();
	/* walk the relay chain */
	const struct aero_dhcp6_msg *cur = &m1;
	for (int hop = 0; hop < 40 && cur->has_relay_msg; hop++) {
		if (aero_wire_dhcp6_relay_inner(&inner, cur) < 0)
			break;
		memcpy(&m2, &inner, sizeof m2);
		cur = &m2;
	}
	for (size_t i = 0; i < m1.n_iapd; i++)
		(void)aero_wire_dhcp6_iapd_check(&m1.iapd[i]);
	return 0;
}
