#include "hexin.h"

#include <glib.h>

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

struct out {
	GByteArray *cur;
	hexin_cb cb;
	void *user;
	long n;
};

static void
flush(struct out *o)
{
	if (o->cur->len) {
		o->cb(o->user, o->cur->data, o->cur->len);
		g_byte_array_set_size(o->cur, 0);
		o->n++;
	}
}

long
hexin_parse(const char *text, size_t len, bool lines, hexin_cb cb,
            void *user, struct hexin_err *err)
{
	struct out o = { g_byte_array_new(), cb, user, 0 };
	const unsigned char *t = (const unsigned char *)text;
	unsigned long lineno = 0;
	size_t pos = 0;
	long ret;

	while (pos < len) {
		size_t end = pos, stop;
		bool comment = false;
		int hi = -1;

		while (end < len && t[end] != '\n')
			end++;
		lineno++;
		for (stop = pos; stop < end && t[stop] != '#'; stop++)
			;
		comment = stop < end;
		while (pos < stop && is_space(t[pos]))
			pos++;
		if (pos == stop) {
			if (!comment) /* a blank line separates packets */
				flush(&o);
			pos = end + 1;
			continue;
		}
		if (stop - pos >= 6 && hexval(t[pos]) >= 0 && hexval(t[pos + 1]) >= 0 &&
		    hexval(t[pos + 2]) >= 0 && hexval(t[pos + 3]) >= 0 &&
		    t[pos + 4] == ' ' && t[pos + 5] == ' ') {
			if (t[pos] == '0' && t[pos + 1] == '0' && t[pos + 2] == '0' &&
			    t[pos + 3] == '0')
				flush(&o);
			pos += 6;
		} else if (lines) {
			flush(&o);
		}
		for (; pos < stop; pos++) {
			int v;
			if (is_space(t[pos]) || t[pos] == ':')
				continue;
			if ((v = hexval(t[pos])) < 0) {
				err->line = lineno;
				err->what = "not hex";
				err->ch = t[pos];
				ret = -1;
				goto out;
			}
			if (hi < 0) {
				hi = v;
			} else {
				uint8_t b = (uint8_t)(hi << 4 | v);
				g_byte_array_append(o.cur, &b, 1);
				hi = -1;
			}
		}
		if (hi >= 0) {
			err->line = lineno;
			err->what = "odd number of hex digits";
			err->ch = 0;
			ret = -1;
			goto out;
		}
		if (lines)
			flush(&o);
		pos = end + 1;
	}
	flush(&o);
	ret = o.n;
out:
	g_byte_array_free(o.cur, TRUE);
	return ret;
}
