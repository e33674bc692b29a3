/* JSON printers for the outer IPv4 / IPv6 / UDP headers (aero-decode). */
#ifndef AERO_TOOLS_JSON_IP_H
#define AERO_TOOLS_JSON_IP_H

#include "aero/json.h"
#include "aero/wire_ip.h"

/* Name of an IP protocol / next header number ("udp", "ipv6-icmp", ...),
 * or NULL when unknown. */
const char *json_ip_proto_name(uint8_t proto);

/* Each writes an object under key with every decoded field. */
void json_ipv4(struct aj *j, const char *key, const struct aero_ipv4 *h);
void json_ipv6(struct aj *j, const char *key, const struct aero_ipv6 *h);
void json_udp(struct aj *j, const char *key, const struct aero_udp *u);

#endif
