/* JSON printers for SEAL v1 and the P2 shim (aero-decode). */
#ifndef AERO_TOOLS_JSON_SEAL_H
#define AERO_TOOLS_JSON_SEAL_H

#include "aero/json.h"
#include "aero/wire_seal.h"

/* ICV state for json_seal_verified */
enum json_seal_icv {
	JSON_SEAL_ICV_UNCHECKED = 0, /* no key: "icv_verified": null */
	JSON_SEAL_ICV_OK,            /* true */
	JSON_SEAL_ICV_BAD,           /* false */
};

void json_seal1(struct aj *j, const char *key, const struct aero_seal1 *s);
/* P2 header with every field (ICV as hex when I=1). */
void json_seal(struct aj *j, const char *key, const struct aero_seal *s);
/* The same plus "icv_verified" (true/false/null) when I=1. */
void json_seal_verified(struct aj *j, const char *key,
                        const struct aero_seal *s, enum json_seal_icv icv);

#endif
