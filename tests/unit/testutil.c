#include "testutil.h"

#include <string.h>
#include <stdlib.h>

#ifndef AERO_TESTS_DIR
#define AERO_TESTS_DIR "tests"
#endif

gchar *
tu_tests_path(const char *rel)
{
	const char *dir = g_getenv("AERO_TESTS_DIR");

	return g_build_filename(dir ? dir : AERO_TESTS_DIR, rel, NULL);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

guint8 *
tu_hex(const char *text, gsize *len)
{
	GByteArray *out = g_byte_array_new();
	gchar **lines = g_strsplit(text, "\n", -1);

	for (gchar **l = lines; *l; l++) {
		char *line = *l;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		/* "0010  ..." offset column of a hex dump */
		if (strlen(p) >= 6 && hexval(p[0]) >= 0 && hexval(p[1]) >= 0 &&
		    hexval(p[2]) >= 0 && hexval(p[3]) >= 0 && p[4] == ' ' &&
		    p[5] == ' ')
			p += 6;
		int hi = -1;
		for (; *p; p++) {
			if (*p == ' ' || *p == '\t' || *p == '\r' || *p == ':')
				continue;
			int v = hexval(*p);
			if (v < 0)
				g_error("tu_hex: bad character '%c' in \"%s\"", *p, *l);
			if (hi < 0) {
				hi = v;
			} else {
				guint8 b = (guint8)(hi << 4 | v);
				g_byte_array_append(out, &b, 1);
				hi = -1;
			}
		}
		if (hi >= 0)
			g_error("tu_hex: odd number of hex digits in \"%s\"", *l);
	}
	g_strfreev(lines);
	*len = out->len;
	return g_byte_array_free(out, FALSE);
}

guint8 *
tu_load_vector(const char *name, gsize *len)
{
	gchar *rel = g_strconcat("vectors/", name, ".hex", NULL);
	gchar *path = tu_tests_path(rel);
	gchar *text = NULL;
	GError *err = NULL;

	if (!g_file_get_contents(path, &text, NULL, &err))
		g_error("cannot load vector %s: %s", path, err->message);
	guint8 *b = tu_hex(text, len);
	g_free(text);
	g_free(path);
	g_free(rel);
	return b;
}

GRand *
tu_rand(void)
{
	const char *s = g_getenv("AERO_TEST_SEED");
	guint32 seed = s ? (guint32)strtoul(s, NULL, 0) : 0xae80u;

	return g_rand_new_with_seed(seed);
}

void
tu_rand_bytes(GRand *r, uint8_t *dst, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = (uint8_t)g_rand_int_range(r, 0, 256);
}

void
tu_assert_bytes_impl(const char *file, int line, const uint8_t *a, gsize alen,
                     const uint8_t *b, gsize blen)
{
	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return;
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "%s:%d: byte mismatch (len %zu vs %zu)\n",
	                       file, line, (size_t)alen, (size_t)blen);
	gsize n = MAX(alen, blen);
	for (gsize i = 0; i < n; i++) {
		int x = i < alen ? a[i] : -1, y = i < blen ? b[i] : -1;
		if (x != y)
			g_string_append_printf(s, "  @%zu: %02x vs %02x\n",
			                       (size_t)i, x & 0xff, y & 0xff);
	}
	g_assertion_message(G_LOG_DOMAIN, file, line, "tu_assert_bytes", s->str);
	g_string_free(s, TRUE);
}
