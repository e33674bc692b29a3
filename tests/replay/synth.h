/*
 * tests/replay/synth.h -- build AERO P1 frames with the wire encoders, for
 * the synthetic replay cases (aero-replay-gen) and the replay benchmark.
 */
#ifndef AERO_REPLAY_SYNTH_H
#define AERO_REPLAY_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "aero/aero.h"
#include "aero/wire_dhcp6.h"

/* One Client as seen on the underlay. */
struct synth_client {
	struct aero_loc loc;      /* its locator (IPv4 or IPv6, its port) */
	struct aero_loc server;   /* the Server's locator */
	struct aero_in6 ll;       /* inner source (temporary link-local) */
	uint8_t mac[6];           /* DUID-LL */
	uint32_t iaid;
};

/*
 * Outer IPv4/IPv6 + UDP (loc -> server) around inner IPv6 (src -> dst,
 * hop limit hlim) carrying proto/l4 (l4 already has its checksum).
 * Returns the frame length or a negative AERO_WIRE_E_* code.
 */
int synth_p1(uint8_t *buf, size_t cap, const struct aero_loc *from,
             const struct aero_loc *to, const struct aero_in6 *src,
             const struct aero_in6 *dst, uint8_t hlim, uint8_t proto,
             const uint8_t *l4, size_t l4len);

/* A DHCPv6 message from the Client (UDP 546 -> 547, to ff02::1:2).
 * type: SOLICIT (rapid commit), REQUEST, RENEW, REBIND, RELEASE;
 * serverid/prefix as needed (NULL: none). */
int synth_dhcp6(uint8_t *buf, size_t cap, const struct synth_client *c,
                uint8_t type, uint32_t xid, const struct aero_dhcp6_duid *serverid,
                const struct aero_in6 *prefix, uint8_t plen);

/* An RS from the Client to fe80::ID. */
int synth_rs(uint8_t *buf, size_t cap, const struct synth_client *c,
             uint32_t server_id);

/* An inner data packet (UDP 4000 -> 5000, payload len bytes) src -> dst. */
int synth_data(uint8_t *buf, size_t cap, const struct synth_client *c,
               const struct aero_in6 *src, const struct aero_in6 *dst,
               size_t len);

#endif
