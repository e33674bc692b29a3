/*
 * Hex text input shared by aero-decode and the tests: '#' starts a comment,
 * a line may start with a "0000  " offset column (4 hex digits and two
 * spaces, as in the protocol digest's dumps), bytes are pairs of hex digits
 * separated by white space or ':' (or not at all). A packet ends at a
 * blank line, at a new "0000" offset, at the end of the text, or, in lines
 * mode, at the end of every non-empty line.
 */
#ifndef AERO_TOOLS_HEXIN_H
#define AERO_TOOLS_HEXIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hexin_err {
	unsigned long line; /* 1-based line of the error */
	const char *what;   /* "not hex", "odd number of hex digits" */
	unsigned char ch;   /* the offending character for "not hex" */
};

typedef void (*hexin_cb)(void *user, const uint8_t *pkt, size_t len);

/*
 * Parse text[0..len) (no NUL needed) and call cb once per packet, in
 * order. Returns the number of packets, or -1 with *err filled (packets
 * before the error have been delivered).
 */
long hexin_parse(const char *text, size_t len, bool lines, hexin_cb cb,
                 void *user, struct hexin_err *err);

#endif
