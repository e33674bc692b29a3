/*
 * core/src/dhcp6_rt.h -- RFC 8415 section 15 retransmission (IRT, MRT, MRC,
 * MRD with RAND jitter) as a small reusable state, and the RFC 7559 Router
 * Solicitation back-off built on it (digest 5, 8 item 19).
 *
 *   RT(1)   = IRT + RAND*IRT                (first Solicit: RAND > 0)
 *   RT(k+1) = 2*RT(k) + RAND*RT(k)
 *   RT      > MRT  =>  RT = MRT + RAND*MRT  (MRT 0 = no cap)
 *   stop after MRC transmissions (0 = never) or MRD since the first (0 =
 *   never); the last RT is cut at the MRD deadline.
 *
 * RAND is carried as an integer in parts per million, uniform in
 * [-100000, +100000] (= [-0.1, +0.1]); dhcp6_rt_rand() draws it from the
 * node's randomness. Passing 0 gives the schedules of digest TV11 exactly.
 */
#ifndef AERO_DHCP6_RT_H
#define AERO_DHCP6_RT_H

#include "node.h"

/* RFC 8415 7.6 transmission and retransmission parameters (digest 5). */
#define SOL_MAX_DELAY   (1 * AERO_SEC)
#define SOL_TIMEOUT     (1 * AERO_SEC)
#define SOL_MAX_RT      (3600 * AERO_SEC)
#define REQ_TIMEOUT     (1 * AERO_SEC)
#define REQ_MAX_RT      (30 * AERO_SEC)
#define REQ_MAX_RC      10
#define REN_TIMEOUT     (10 * AERO_SEC)
#define REN_MAX_RT      (600 * AERO_SEC)
#define REB_TIMEOUT     (10 * AERO_SEC)
#define REB_MAX_RT      (600 * AERO_SEC)
#define REL_TIMEOUT     (1 * AERO_SEC)
#define REL_MAX_RC      4
/* RFC 8415 21.24: accepted range of a received SOL_MAX_RT option (s). */
#define SOL_MAX_RT_MIN_S 60
#define SOL_MAX_RT_MAX_S 86400

/* RFC 7559 2 (digest 5): RS back-off IRT = RTR_SOLICITATION_INTERVAL, MRT
 * 3600 s by default (cfg.rs_mrt), MRC 0 and MRD 0: on NBMA links RSs never
 * stop (digest 8 item 19; they double as keepalives). */
#define RS_IRT          (4 * AERO_SEC)
#define RS_MRT_DEFAULT  (3600 * AERO_SEC)

/* RAND bounds in parts per million (RFC 8415 15: [-0.1, +0.1]). */
#define DHCP6_RT_RAND_PPM 100000
#define DHCP6_RT_PPM      1000000

struct dhcp6_rt_params {
	aero_duration irt, mrt, mrd; /* mrt/mrd 0 = unlimited */
	unsigned mrc;                /* 0 = unlimited */
};

struct dhcp6_rt {
	struct dhcp6_rt_params p;
	aero_duration rt;    /* current RT */
	unsigned rtc;        /* transmissions so far */
	aero_tstamp start;   /* first transmission */
	aero_tstamp last;    /* latest transmission */
};

/* Parameter sets of the exchanges (RFC 8415 7.6; mrd filled by caller for
 * Renew/Rebind). */
extern const struct dhcp6_rt_params dhcp6_rt_solicit, dhcp6_rt_request,
	dhcp6_rt_renew, dhcp6_rt_rebind, dhcp6_rt_release;
/* The RFC 7559 RS parameters with MRT = mrt (0 = RS_MRT_DEFAULT). */
struct dhcp6_rt_params dhcp6_rt_rs_params(aero_duration mrt);

/* RAND in ppm from the node's randomness: uniform in [-100000, 100000],
 * or in [1, 100000] when positive (the first Solicit, RFC 8415 18.2.1:
 * "RT strictly greater than IRT"). */
int32_t dhcp6_rt_rand(struct aero_node *n, bool positive);

/* d + RAND*d (rand_ppm within +-DHCP6_RT_RAND_PPM). */
aero_duration dhcp6_rt_jitter(aero_duration d, int32_t rand_ppm);

/* The first transmission at now: RT = IRT + RAND*IRT, rtc = 1. Returns RT. */
aero_duration dhcp6_rt_first(struct dhcp6_rt *rt,
                             const struct dhcp6_rt_params *p, aero_tstamp now,
                             int32_t rand_ppm);

/* The current RT ran out at now. When MRC or MRD allow another
 * transmission: compute the next RT, count it and return true (the caller
 * sends and re-arms at dhcp6_rt_deadline()). Else false: the exchange
 * failed. */
bool dhcp6_rt_next(struct dhcp6_rt *rt, aero_tstamp now, int32_t rand_ppm);

/* When the current RT ends: last + RT, cut at start + MRD. */
aero_tstamp dhcp6_rt_deadline(const struct dhcp6_rt *rt);

/* ELAPSED_TIME value at now (RFC 8415 21.9: 1/100 s, 0xffff cap). */
uint16_t dhcp6_rt_elapsed(const struct dhcp6_rt *rt, aero_tstamp now);

#endif
