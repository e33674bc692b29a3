#include "testutil.h"
#include "../../core/tools/hexin.h"

#include <arpa/inet.h>
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

static void
hex_append(void *user, const uint8_t *p, size_t len)
{
	g_byte_array_append(user, p, (guint)len);
}

guint8 *
tu_hex(const char *text, gsize *len)
{
	GByteArray *out = g_byte_array_new();
	struct hexin_err err;

	/* one buffer: packets split by blank lines are concatenated */
	if (hexin_parse(text, strlen(text), false, hex_append, out, &err) < 0)
		g_error("tu_hex: line %lu: %s in \"%s\"", err.line, err.what, text);
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

static void
le32(guint8 *p, guint32 v)
{
	p[0] = (guint8)v;
	p[1] = (guint8)(v >> 8);
	p[2] = (guint8)(v >> 16);
	p[3] = (guint8)(v >> 24);
}

void
tu_pcap_write_raw(const char *path, GPtrArray *packets)
{
	GByteArray *f = g_byte_array_new();
	guint8 gh[24] = {0};
	GError *err = NULL;

	le32(gh, 0xa1b2c3d4);
	gh[4] = 2;  /* version 2.4 */
	gh[6] = 4;
	le32(gh + 16, 65535);
	le32(gh + 20, 101); /* LINKTYPE_RAW */
	g_byte_array_append(f, gh, sizeof gh);
	for (guint i = 0; i < packets->len; i++) {
		gsize n;
		const guint8 *d = g_bytes_get_data(packets->pdata[i], &n);
		guint8 rh[16];
		le32(rh, 1700000000u + i);
		le32(rh + 4, 0);
		le32(rh + 8, (guint32)n);
		le32(rh + 12, (guint32)n);
		g_byte_array_append(f, rh, sizeof rh);
		g_byte_array_append(f, d, (guint)n);
	}
	if (!g_file_set_contents(path, (const gchar *)f->data, f->len, &err))
		g_error("cannot write %s: %s", path, err->message);
	g_byte_array_free(f, TRUE);
}

GPtrArray *
tu_tshark_fields(const char *pcap, const char *const *fields,
                 const char *const *extra)
{
	GPtrArray *argv = g_ptr_array_new();
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_unref);
	gchar *out = NULL, *errout = NULL;
	gint status = 0;
	GError *err = NULL;
	guint nf = 0;

	g_ptr_array_add(argv, (gpointer) "tshark");
	g_ptr_array_add(argv, (gpointer) "-n");
	g_ptr_array_add(argv, (gpointer) "-r");
	g_ptr_array_add(argv, (gpointer)pcap);
	for (const char *const *e = extra; e && *e; e++)
		g_ptr_array_add(argv, (gpointer)*e);
	g_ptr_array_add(argv, (gpointer) "-T");
	g_ptr_array_add(argv, (gpointer) "fields");
	g_ptr_array_add(argv, (gpointer) "-E");
	g_ptr_array_add(argv, (gpointer) "separator=/t");
	g_ptr_array_add(argv, (gpointer) "-E");
	g_ptr_array_add(argv, (gpointer) "occurrence=a");
	g_ptr_array_add(argv, (gpointer) "-E");
	g_ptr_array_add(argv, (gpointer) "aggregator=,");
	for (const char *const *f = fields; *f; f++, nf++) {
		g_ptr_array_add(argv, (gpointer) "-e");
		g_ptr_array_add(argv, (gpointer)*f);
	}
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_sync(NULL, (gchar **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH,
	                  NULL, NULL, &out, &errout, &status, &err))
		g_error("cannot run tshark (install the Debian package tshark): %s",
		        err->message);
	if (!g_spawn_check_wait_status(status, &err))
		g_error("tshark failed: %s\n%s", err->message, errout);
	gchar **lines = g_strsplit(out, "\n", -1);
	for (gchar **l = lines; *l; l++) {
		if (**l == '\0')
			continue;
		gchar **cols = g_strsplit(*l, "\t", -1);
		GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
		guint i = 0;
		for (const char *const *f = fields; *f; f++, i++)
			g_hash_table_insert(h, (gpointer)*f,
			                    g_strdup(i < g_strv_length(cols) ? cols[i] : ""));
		g_ptr_array_add(rows, h);
		g_strfreev(cols);
	}
	g_strfreev(lines);
	g_free(out);
	g_free(errout);
	g_ptr_array_unref(argv);
	return rows;
}

struct aero_in6
tu_in6(const char *s)
{
	struct aero_in6 a;

	if (inet_pton(AF_INET6, s, a.b) != 1)
		g_error("tu_in6: not an IPv6 address: \"%s\"", s);
	return a;
}

struct aero_in4
tu_in4(const char *s)
{
	struct aero_in4 a;

	if (inet_pton(AF_INET, s, a.b) != 1)
		g_error("tu_in4: not an IPv4 address: \"%s\"", s);
	return a;
}

void
tu_corpus_run(const char *rel, const char *suffix, tu_corpus_load load,
              void *user, unsigned *good, unsigned *bad)
{
	gchar *dir = tu_tests_path(rel);
	GError *err = NULL;
	GDir *d = g_dir_open(dir, 0, &err);
	const char *f;

	g_assert_no_error(err);
	*good = *bad = 0;
	while ((f = g_dir_read_name(d)) != NULL) {
		if (!g_str_has_suffix(f, suffix))
			continue;
		gchar *path = g_build_filename(dir, f, NULL);
		if (g_str_has_prefix(f, "good-")) {
			if (!load(path, &err, user))
				g_error("%s", err->message);
			(*good)++;
		} else if (g_str_has_prefix(f, "bad-")) {
			gchar *text;
			g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
			gchar **lines = g_strsplit(text, "\n", 3);
			g_assert_true(g_str_has_prefix(lines[0], "# expect: "));
			g_assert_nonnull(lines[1]);
			g_assert_true(g_str_has_prefix(lines[1], "# at: "));
			const char *expect = lines[0] + strlen("# expect: ");
			gchar *at = g_strstrip(g_strdup(lines[1] + strlen("# at: ")));
			gchar *want = g_ascii_isdigit(at[0]) ?
			              g_strdup_printf("%s:%s: ", path, at) :
			              g_build_filename(dir, at, NULL);
			if (load(path, &err, user))
				g_error("%s loaded but should fail", f);
			if (!g_str_has_prefix(err->message, want) ||
			    !strstr(err->message, expect))
				g_error("%s: message '%s', expected prefix '%s' and '%s'",
				        f, err->message, want, expect);
			g_free(want);
			g_clear_error(&err);
			g_free(at);
			g_strfreev(lines);
			g_free(text);
			(*bad)++;
		}
		g_free(path);
	}
	g_dir_close(d);
	g_free(dir);
}
