/* JSON printers for DHCPv6 messages (aero-decode). */
#ifndef AERO_TOOLS_JSON_DHCP6_H
#define AERO_TOOLS_JSON_DHCP6_H

#include "aero/json.h"
#include "aero/wire_dhcp6.h"

void json_dhcp6_duid(struct aj *j, const char *key, const struct aero_dhcp6_duid *d);
/* Every decoded field; a Relay-forward/-reply's RELAY_MSG is decoded and
 * printed as "relay_message" (recursively, hop by hop). */
void json_dhcp6_msg(struct aj *j, const char *key, const struct aero_dhcp6_msg *m);

#endif
