/*
 * Strict ns-2 movement traces: the subset of the ns-2 mobility format that
 * ns-3's Ns2MobilityHelper, CORE and BonnMotion all read.
 *
 * A trace is, in this order:
 *
 *   $node_(<i>) set X_ <x>          initial positions, every node 0..N-1,
 *   $node_(<i>) set Y_ <y>          X_ and Y_ exactly once each, Z_ at most
 *   $node_(<i>) set Z_ <z>          once (omitted: 0), lines in any order
 *   $ns_ at <t> "$node_(<i>) setdest <x> <y> <speed>"   moves, t non-decreasing
 *
 * Metres and seconds; numbers are decimal (sign, fraction, exponent: "10.",
 * ".5", "2.5E-1"), never NaN, infinity or hexadecimal. '#' starts a comment
 * anywhere on a line; blank lines, spaces, tabs and CRLF line ends are fine.
 * To keep every derived quantity finite the parser also requires
 * |coordinate| <= NS2_MAX_COORD, 0 <= t <= NS2_MAX_TIME,
 * NS2_MIN_SPEED <= speed <= NS2_MAX_SPEED and node ids < NS2_MAX_NODES.
 *
 * Motion (ns-2 / ns-3 Ns2MobilityHelper): a setdest at time t moves the node
 * in a straight line from where it is at t toward (x, y) at the given speed;
 * it arrives at t + distance / speed and stays. A later setdest of the same
 * node before that arrival starts from the interpolated position at its own
 * time (the old move is cut). Z never changes.
 *
 * GLib-based, no global mutable state, no output.
 */
#ifndef AERO_SCEN_NS2MOB_H
#define AERO_SCEN_NS2MOB_H

#include <glib.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NS2_MAX_COORD 1e9      /* metres, |x|, |y|, |z| */
#define NS2_MAX_TIME 1e9       /* seconds */
#define NS2_MIN_SPEED 1e-9     /* metres per second */
#define NS2_MAX_SPEED 1e9
#define NS2_MAX_NODES 1000000u /* node ids are < this */

/* GError domain of ns2_trace_parse / ns2_trace_load. */
#define NS2_MOB_ERROR (ns2_mob_error_quark())

enum ns2_mob_error {
	NS2_MOB_ERROR_IO = 1,   /* the file cannot be read */
	NS2_MOB_ERROR_SYNTAX,   /* malformed line, number, node reference */
	NS2_MOB_ERROR_INVALID,  /* well-formed but breaks a rule of the format */
};

/* One setdest. t, x, y, speed come from the file; line is its line number
 * (0 if built by hand); x_from, y_from (where the move starts) and t_end
 * (arrival time if not cut) are derived by the parser. */
struct ns2_move {
	double t, x, y, speed;
	unsigned line;
	double x_from, y_from, t_end;
};

struct ns2_node {
	double x0, y0, z0;
	GArray *moves; /* struct ns2_move, time order (file order) */
};

struct ns2_trace {
	char *name;
	GArray *nodes;    /* struct ns2_node, index = node id */
	double last_time; /* time of the last setdest, 0 if none */
};

/* The error domain quark of NS2_MOB_ERROR. */
GQuark ns2_mob_error_quark(void);

/*
 * Parse len bytes of text (need not be NUL-terminated; a NUL byte is just an
 * invalid character). name is used in error messages. On error returns NULL
 * and sets *err (NS2_MOB_ERROR) to "NAME:LINE:COL: what is wrong (what was
 * expected)", LINE and COL 1-based, COL counting bytes.
 */
struct ns2_trace *ns2_trace_parse(const char *name, const char *text, size_t len,
                                  GError **err);

/* Read and parse the file at path (messages are prefixed with path). */
struct ns2_trace *ns2_trace_load(const char *path, GError **err);

/* Free a trace (NULL is fine). */
void ns2_trace_free(struct ns2_trace *t);

/* Number of nodes N (ids 0..N-1). */
unsigned ns2_trace_nodes(const struct ns2_trace *t);

/*
 * Exact position of node at time (time < 0 or before the node's first
 * setdest: the initial position). A node id >= N gives (0, 0, 0).
 */
void ns2_trace_position(const struct ns2_trace *t, unsigned node, double time,
                        double *x, double *y, double *z);

/*
 * Bounding box (x, y) of every position any node ever takes, and the time the
 * last move ends (the latest arrival of a move that is not cut; 0 without
 * moves). Any output pointer may be NULL.
 */
void ns2_trace_extent(const struct ns2_trace *t, double *xmin, double *ymin,
                      double *xmax, double *ymax, double *end_time);

/*
 * Append CSV: a header "t,node,x,y,z" then, for k = 0, 1, ... while
 * k * step <= until (with a relative slack of 1e-9 step, so 0.1 steps reach
 * 1.0), one row per node in id order at t = k * step. All numbers, t
 * included, are printed with "%.6f" (micrometres), locale-independent. With
 * step <= 0, a non-finite step or until < 0 only the header is written.
 */
void ns2_trace_write_csv(const struct ns2_trace *t, double step, double until,
                         GString *out);

/*
 * Append the trace in strict ns-2 format, BonnMotion style: X_, Y_, Z_ lines
 * for every node, then the setdest lines in time order (ties: file order),
 * numbers with "%.17g" so that parse(write(t)) gives the same doubles.
 */
void ns2_trace_write(const struct ns2_trace *t, GString *out);

#ifdef __cplusplus
}
#endif

#endif
