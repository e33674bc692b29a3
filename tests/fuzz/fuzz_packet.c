/*
 * libFuzzer target: the whole-packet layered decoder (aero/wire_packet.h)
 * from every start layer, both PIO modes, with and without an ICV key and
 * checksum verification. Checks the error bookkeeping is consistent.
 */
#include <stdlib.h>
#include <string.h>

#include "aero/wire_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const uint8_t key[AERO_SEAL_KEY_LEN] = {
		0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
		0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	};
	static struct aero_packet p;
	struct aero_packet_opts o;

	for (int l = AERO_PACKET_LAYER_AUTO; l < AERO_PACKET_LAYER_COUNT; l++) {
		for (int v = 0; v < 4; v++) {
			aero_packet_opts_default(&o);
			o.pio_x = v & 1;
			o.verify_checksums = !(v & 2);
			if (v == 1) {
				o.icv_key = key;
				o.icv_key_len = sizeof key;
			}
			if (v == 3)
				o.profile = AERO_PACKET_PROFILE_P2;
			int rc = aero_wire_packet_decode(&p, d, n, (enum aero_packet_layer)l, &o);
			if (rc >= 0 && ((size_t)rc != n || p.kind == AERO_PACKET_KIND_ERROR))
				abort();
			if (rc < 0 && (p.err != rc || p.kind != AERO_PACKET_KIND_ERROR ||
			               p.err_offset > n || rc < AERO_WIRE_E_MIN))
				abort();
			if (p.data && (p.data < d || p.data + p.data_len > d + n))
				abort();
		}
	}
	return 0;
}
