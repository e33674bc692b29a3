/* Internet checksum and error names (core/src/wire/common.c). */
#include "testutil.h"
#include "aero/wire_common.h"

#include <string.h>

/* RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2. */
static void
test_csum_rfc1071(void)
{
	const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

	g_assert_cmphex(aero_wire_csum_fold(aero_wire_csum_add(0, d, sizeof d)),
	                ==, (uint16_t)~0xddf2);
	/* Chaining in even chunks gives the same result. */
	uint32_t s = aero_wire_csum_add(0, d, 2);
	s = aero_wire_csum_add(s, d + 2, 6);
	g_assert_cmphex(aero_wire_csum_fold(s), ==, (uint16_t)~0xddf2);
	/* Odd trailing byte is padded with zero. */
	const uint8_t o[] = {0x12, 0x34, 0x56};
	g_assert_cmphex(aero_wire_csum_fold(aero_wire_csum_add(0, o, 3)), ==,
	                (uint16_t)~(0x1234 + 0x5600));
}

/* The IPv4 header of digest TV12 checksums to zero with its checksum field. */
static void
test_csum_ipv4_tv12(void)
{
	gsize n;
	guint8 *p = tu_load_vector("packet-tv12-p1-ipv4-rs", &n);

	g_assert_cmpuint(n, ==, 76);
	g_assert_cmphex(aero_wire_csum_fold(aero_wire_csum_add(0, p, 20)), ==, 0);
	/* Inner ICMPv6 RS: pseudo-header + 8 bytes verify to zero too. */
	struct aero_in6 src, dst;
	memcpy(src.b, p + 28 + 8, 16);
	memcpy(dst.b, p + 28 + 24, 16);
	uint32_t s = aero_wire_csum_pseudo6(0, &src, &dst, 8, 58);
	g_assert_cmphex(aero_wire_csum_fold(aero_wire_csum_add(s, p + 68, 8)), ==, 0);
	/* Pseudo4 over the outer UDP with checksum 0 yields a non-zero sum. */
	struct aero_in4 s4, d4;
	memcpy(s4.b, p + 12, 4);
	memcpy(d4.b, p + 16, 4);
	s = aero_wire_csum_pseudo4(0, &s4, &d4, 56, 17);
	g_assert_cmphex(aero_wire_csum_fold(aero_wire_csum_add(s, p + 20, 56)), !=, 0);
	g_free(p);
}

static void
test_strerror(void)
{
	for (int e = -1; e >= AERO_WIRE_E_MIN; e--) {
		const char *s = aero_wire_strerror(e);
		g_assert_nonnull(s);
		g_assert_cmpstr(s, !=, "unknown error");
		for (int f = e - 1; f >= AERO_WIRE_E_MIN; f--)
			g_assert_cmpstr(s, !=, aero_wire_strerror(f));
	}
	g_assert_cmpstr(aero_wire_strerror(0), ==, "ok");
	g_assert_cmpstr(aero_wire_strerror(-1000), ==, "unknown error");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wire/common/csum/rfc1071", test_csum_rfc1071);
	g_test_add_func("/wire/common/csum/ipv4-tv12", test_csum_ipv4_tv12);
	g_test_add_func("/wire/common/strerror", test_strerror);
	return g_test_run();
}
