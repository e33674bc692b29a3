#include "aero/json.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

void
aj_init(struct aj *j, GString *s)
{
	j->s = s;
	j->depth = 0;
	j->first[0] = true;
}

static void
put_escaped(GString *s, const uint8_t *v, size_t len)
{
	g_string_append_c(s, '"');
	for (size_t i = 0; i < len; i++) {
		uint8_t c = v[i];
		if (c == '"' || c == '\\') {
			g_string_append_c(s, '\\');
			g_string_append_c(s, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			g_string_append_printf(s, "\\u%04x", c);
		} else {
			g_string_append_c(s, (char)c);
		}
	}
	g_string_append_c(s, '"');
}

static void
begin(struct aj *j, const char *key)
{
	if (!j->first[j->depth])
		g_string_append_c(j->s, ',');
	j->first[j->depth] = false;
	if (key) {
		put_escaped(j->s, (const uint8_t *)key, strlen(key));
		g_string_append_c(j->s, ':');
	}
}

void
aj_obj_begin(struct aj *j, const char *key)
{
	begin(j, key);
	g_string_append_c(j->s, '{');
	g_assert(j->depth + 1 < AJ_MAX_DEPTH);
	j->first[++j->depth] = true;
}

void
aj_obj_end(struct aj *j)
{
	g_string_append_c(j->s, '}');
	j->depth--;
}

void
aj_arr_begin(struct aj *j, const char *key)
{
	begin(j, key);
	g_string_append_c(j->s, '[');
	g_assert(j->depth + 1 < AJ_MAX_DEPTH);
	j->first[++j->depth] = true;
}

void
aj_arr_end(struct aj *j)
{
	g_string_append_c(j->s, ']');
	j->depth--;
}

void
aj_num(struct aj *j, const char *key, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	begin(j, key);
	g_string_append(j->s, g_ascii_dtostr(buf, sizeof buf, v));
}

void
aj_int(struct aj *j, const char *key, long long v)
{
	begin(j, key);
	g_string_append_printf(j->s, "%lld", v);
}

void
aj_uint(struct aj *j, const char *key, unsigned long long v)
{
	begin(j, key);
	g_string_append_printf(j->s, "%llu", v);
}

void
aj_bool(struct aj *j, const char *key, bool v)
{
	begin(j, key);
	g_string_append(j->s, v ? "true" : "false");
}

void
aj_null(struct aj *j, const char *key)
{
	begin(j, key);
	g_string_append(j->s, "null");
}

void
aj_str(struct aj *j, const char *key, const char *v)
{
	begin(j, key);
	put_escaped(j->s, (const uint8_t *)v, strlen(v));
}

void
aj_strn(struct aj *j, const char *key, const uint8_t *v, size_t len)
{
	begin(j, key);
	put_escaped(j->s, v, len);
}

void
aj_hex(struct aj *j, const char *key, const uint8_t *v, size_t len)
{
	begin(j, key);
	g_string_append_c(j->s, '"');
	for (size_t i = 0; i < len; i++)
		g_string_append_printf(j->s, "%02x", v[i]);
	g_string_append_c(j->s, '"');
}

void
aj_ip6(struct aj *j, const char *key, const struct aero_in6 *a)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a->b, buf, sizeof buf);
	aj_str(j, key, buf);
}

void
aj_ip4(struct aj *j, const char *key, const struct aero_in4 *a)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, a->b, buf, sizeof buf);
	aj_str(j, key, buf);
}

void
aj_prefix6(struct aj *j, const char *key, const struct aero_in6 *a,
           unsigned plen)
{
	char buf[INET6_ADDRSTRLEN + 8];

	inet_ntop(AF_INET6, a->b, buf, INET6_ADDRSTRLEN);
	snprintf(buf + strlen(buf), 8, "/%u", plen);
	aj_str(j, key, buf);
}
