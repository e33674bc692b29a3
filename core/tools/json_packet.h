/* JSON of a whole decoded packet (aero-decode). */
#ifndef AERO_TOOLS_JSON_PACKET_H
#define AERO_TOOLS_JSON_PACKET_H

#include "aero/json.h"
#include "aero/wire_packet.h"

/* Members (not an object) describing p: kind, profile, one member per
 * decoded layer, and "error" when decoding failed. */
void json_packet(struct aj *j, const struct aero_packet *p);

#endif
