/* Helpers shared by the GTest unit tests. */
#ifndef AERO_TESTUTIL_H
#define AERO_TESTUTIL_H

#include <glib.h>
#include <stdint.h>

#include "aero/wire_common.h"

/*
 * Load tests/vectors/<name>.hex: hex bytes separated by white space; '#'
 * starts a comment; a line may begin with a 4-hex-digit offset followed by
 * two spaces (the digest's dump format), which is skipped. Aborts the test
 * on a missing or malformed file. Free with g_free.
 */
guint8 *tu_load_vector(const char *name, gsize *len);

/* Parse a hex string in the same syntax. Aborts on malformed input. */
guint8 *tu_hex(const char *text, gsize *len);

/* Path of tests/<rel> (env AERO_TESTS_DIR overrides the built-in path). */
gchar *tu_tests_path(const char *rel);

/* A GRand with a fixed seed (env AERO_TEST_SEED overrides), for
 * reproducible randomised tests. */
GRand *tu_rand(void);

/* Fill len bytes from r. */
void tu_rand_bytes(GRand *r, uint8_t *dst, size_t len);

/* Parse an IPv6 / IPv4 address literal; fails the test on a bad literal. */
struct aero_in6 tu_in6(const char *s);
struct aero_in4 tu_in4(const char *s);

/* Assert an address equals a literal (hex diff on mismatch). */
#define tu_assert_in6(a, s) do { \
	struct aero_in6 tu_e6_ = tu_in6(s); \
	tu_assert_bytes((a).b, 16, tu_e6_.b, 16); \
} while (0)
#define tu_assert_in4(a, s) do { \
	struct aero_in4 tu_e4_ = tu_in4(s); \
	tu_assert_bytes((a).b, 4, tu_e4_.b, 4); \
} while (0)

/* Compare two byte buffers, printing a hex diff on mismatch. */
#define tu_assert_bytes(a, alen, b, blen) \
	tu_assert_bytes_impl(__FILE__, __LINE__, (a), (alen), (b), (blen))
void tu_assert_bytes_impl(const char *file, int line, const uint8_t *a,
                          gsize alen, const uint8_t *b, gsize blen);

#endif

/* ---- independent decoder cross-check (tshark) --------------------------- */

/* Write packets (GBytes each, starting at an IPv4/IPv6 header) to a classic
 * pcap file with link type DLT_RAW. Aborts the test on I/O errors. */
void tu_pcap_write_raw(const char *path, GPtrArray *packets);

/*
 * Run tshark over a pcap and return one GHashTable per packet mapping each
 * requested field name to its value(s) as tshark prints them (several
 * occurrences joined with ','; absent fields map to ""). extra is a
 * NULL-terminated list of extra tshark arguments (e.g. "-d",
 * "udp.port==8060,ipv6"). Fails the test if tshark cannot run.
 * Free with g_ptr_array_unref.
 */
GPtrArray *tu_tshark_fields(const char *pcap, const char *const *fields,
                            const char *const *extra);

/* ---- error corpora ------------------------------------------------------- */

/* Load path; return TRUE when it loaded (good files are checked by the
 * callback itself), FALSE with *err set when it was rejected. */
typedef gboolean (*tu_corpus_load)(const char *path, GError **err, void *user);

/*
 * Run every file of tests/<rel> ending in suffix through load: good-* files must
 * load; bad-* files must be rejected with a message that starts with
 * "PATH:LINE:COL: " (from their second line "# at: LINE:COL", or
 * "# at: OTHERFILE" for an error reported in another file of the folder)
 * and contains the text of their first line "# expect: TEXT".
 * Sets *good and *bad to the counts.
 */
void tu_corpus_run(const char *rel, const char *suffix, tu_corpus_load load,
                   void *user, unsigned *good, unsigned *bad);
