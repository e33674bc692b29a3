/* A small streaming JSON writer over GString: the one JSON writer of the
 * project (aero-decode, the scenario export, node state dumps). */
#ifndef AERO_TOOLS_JSON_H
#define AERO_TOOLS_JSON_H

#include <glib.h>
#include <stdint.h>
#include <stdbool.h>
#include "aero/wire_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AJ_MAX_DEPTH 32

struct aj {
	GString *s;
	int depth;
	bool first[AJ_MAX_DEPTH]; /* no member written yet at this depth */
};

/* key is the member name inside an object and NULL inside an array. */
void aj_init(struct aj *j, GString *s);
void aj_obj_begin(struct aj *j, const char *key);
void aj_obj_end(struct aj *j);
void aj_arr_begin(struct aj *j, const char *key);
void aj_arr_end(struct aj *j);
void aj_int(struct aj *j, const char *key, long long v);
void aj_uint(struct aj *j, const char *key, unsigned long long v);
void aj_bool(struct aj *j, const char *key, bool v);
void aj_null(struct aj *j, const char *key);
/* A double, shortest round-trip form, locale-independent (g_ascii_dtostr). */
void aj_num(struct aj *j, const char *key, double v);
void aj_str(struct aj *j, const char *key, const char *v);
void aj_strn(struct aj *j, const char *key, const uint8_t *v, size_t len);
void aj_hex(struct aj *j, const char *key, const uint8_t *v, size_t len);
void aj_ip6(struct aj *j, const char *key, const struct aero_in6 *a);
void aj_ip4(struct aj *j, const char *key, const struct aero_in4 *a);
/* "2001:db8::/56" */
void aj_prefix6(struct aj *j, const char *key, const struct aero_in6 *a,
                unsigned plen);

#ifdef __cplusplus
}
#endif

#endif
