/*
 * aero/wire.h -- every wire codec of the AERO/VET core (umbrella header).
 * See wire_common.h for the conventions all codecs follow.
 */
#ifndef AERO_WIRE_H
#define AERO_WIRE_H

#include "aero/wire_common.h"
#include "aero/wire_ip.h"     /* outer IPv4/IPv6, UDP, flow label, port hash */
#include "aero/wire_addr.h"   /* link-locals, AERO address, name labels */
#include "aero/wire_nd.h"     /* ICMPv6 ND, options, RFC 6706, SCMP */
#include "aero/wire_seal.h"   /* SEAL v1 and the P2 shim with ICV */
#include "aero/wire_dhcp6.h"  /* DHCPv6 messages and options */
#include "aero/wire_packet.h" /* whole-packet layered decoder */
#include "aero/wire_dns.h"    /* DNS query/answer of the PRL name lookup */

#endif
