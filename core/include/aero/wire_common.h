/*
 * aero/wire_common.h -- shared definitions of the AERO/VET wire layer.
 *
 * Conventions every codec in core/src/wire follows:
 *  - Decoders: int aero_wire_<fmt>_decode(struct aero_<fmt> *out,
 *    const uint8_t *buf, size_t len, ...) fill a host-byte-order struct and
 *    return the number of bytes consumed (>= 0) or a negative AERO_WIRE_E_*.
 *    Variable-length data (DUIDs, unknown options, RHO contents...) is
 *    referenced by pointer into buf: decoded structs live no longer than buf.
 *  - Encoders: int aero_wire_<fmt>_encode(uint8_t *buf, size_t cap,
 *    const struct aero_<fmt> *in, ...) return bytes written or a negative
 *    AERO_WIRE_E_NOBUF / AERO_WIRE_E_INVAL; they never write past cap.
 *  - No allocation, no logging, no global mutable state, no I/O.
 */
#ifndef AERO_WIRE_COMMON_H
#define AERO_WIRE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Distinct negative error codes; 0 and positive values mean success. */
enum aero_wire_err {
	AERO_WIRE_E_TRUNCATED = -1,  /* input shorter than a header or a declared length */
	AERO_WIRE_E_BADLEN    = -2,  /* a length field is impossible or inconsistent */
	AERO_WIRE_E_CHECKSUM  = -3,  /* Internet checksum mismatch */
	AERO_WIRE_E_VERSION   = -4,  /* wrong version field */
	AERO_WIRE_E_DUPLICATE = -5,  /* a singleton option appears twice */
	AERO_WIRE_E_NOBUF     = -6,  /* encoder: output buffer too small */
	AERO_WIRE_E_TYPE      = -7,  /* unexpected message or option type */
	AERO_WIRE_E_TOOMANY   = -8,  /* more instances than the decoded struct can hold */
	AERO_WIRE_E_INVAL     = -9,  /* encoder: field value cannot be encoded */
	AERO_WIRE_E_MISSING   = -10, /* a mandatory option or field is absent */
	AERO_WIRE_E_ICV       = -11, /* SEAL integrity check value mismatch */
	AERO_WIRE_E_FIELD     = -12, /* a field holds a value the format forbids */
};
#define AERO_WIRE_E_MIN AERO_WIRE_E_FIELD

/* Human-readable name of an AERO_WIRE_E_* code ("truncated", ...). */
const char *aero_wire_strerror(int err);

/* An IPv6 address (also used for IPv4-mapped ::ffff:a.b.c.d). */
struct aero_in6 {
	uint8_t b[16];
};

/* An IPv4 address. */
struct aero_in4 {
	uint8_t b[4];
};

/*
 * Internet checksum (RFC 1071) in three steps: accumulate bytes into a
 * 32-bit partial sum (odd lengths are padded with a zero byte, so only the
 * last chunk of a message may be odd), add a pseudo-header, fold.
 * aero_wire_csum_fold returns the ones' complement of the folded sum, i.e.
 * the value to store in a checksum field (or 0 when verifying a correct one).
 */
uint32_t aero_wire_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint32_t aero_wire_csum_pseudo6(uint32_t sum, const struct aero_in6 *src,
                                const struct aero_in6 *dst, uint32_t len,
                                uint8_t next_header);
uint32_t aero_wire_csum_pseudo4(uint32_t sum, const struct aero_in4 *src,
                                const struct aero_in4 *dst, uint16_t len,
                                uint8_t proto);
uint16_t aero_wire_csum_fold(uint32_t sum);

#endif
