/* JSON of decoded ICMPv6 ND, RFC 6706 and SCMP messages (aero-decode). */
#ifndef AERO_TOOLS_JSON_ND_H
#define AERO_TOOLS_JSON_ND_H

#include "aero/json.h"
#include "aero/wire_nd.h"

/* An object "key" with every field of an ND option list. */
void json_nd_opts(struct aj *j, const char *key, const struct aero_nd_opts *o);
/* An object "key" for an ICMPv6 ND message (RS, RA, NS, NA, Redirect). */
void json_nd_msg(struct aj *j, const char *key, const struct aero_nd_msg *m);
/* An object "key" for an RFC 6706 Predirect/Redirect. */
void json_rfc6706_msg(struct aj *j, const char *key,
                      const struct aero_rfc6706_msg *m);
/* An object "key" for an SCMP message. */
void json_scmp_msg(struct aj *j, const char *key, const struct aero_scmp_msg *m);

#endif
