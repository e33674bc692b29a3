/*
 * core/src/dhcp6_rt.c -- RFC 8415 section 15 retransmission and the RFC
 * 7559 RS back-off (see dhcp6_rt.h).
 */
#include "dhcp6_rt.h"

const struct dhcp6_rt_params dhcp6_rt_solicit = {
	.irt = SOL_TIMEOUT, .mrt = SOL_MAX_RT, .mrc = 0, .mrd = 0};
const struct dhcp6_rt_params dhcp6_rt_request = {
	.irt = REQ_TIMEOUT, .mrt = REQ_MAX_RT, .mrc = REQ_MAX_RC, .mrd = 0};
const struct dhcp6_rt_params dhcp6_rt_renew = {
	.irt = REN_TIMEOUT, .mrt = REN_MAX_RT, .mrc = 0, .mrd = 0};
const struct dhcp6_rt_params dhcp6_rt_rebind = {
	.irt = REB_TIMEOUT, .mrt = REB_MAX_RT, .mrc = 0, .mrd = 0};
const struct dhcp6_rt_params dhcp6_rt_release = {
	.irt = REL_TIMEOUT, .mrt = 0, .mrc = REL_MAX_RC, .mrd = 0};

struct dhcp6_rt_params
dhcp6_rt_rs_params(aero_duration mrt)
{
	struct dhcp6_rt_params p = {.irt = RS_IRT,
	                            .mrt = mrt ? mrt : RS_MRT_DEFAULT,
	                            .mrc = 0, .mrd = 0};
	return p;
}

int32_t
dhcp6_rt_rand(struct aero_node *n, bool positive)
{
	if (positive)
		return 1 + (int32_t)node_rand_below(n, DHCP6_RT_RAND_PPM);
	return (int32_t)node_rand_below(n, 2 * DHCP6_RT_RAND_PPM + 1) -
	       DHCP6_RT_RAND_PPM;
}

aero_duration
dhcp6_rt_jitter(aero_duration d, int32_t rand_ppm)
{
	if (rand_ppm > DHCP6_RT_RAND_PPM)
		rand_ppm = DHCP6_RT_RAND_PPM;
	if (rand_ppm < -DHCP6_RT_RAND_PPM)
		rand_ppm = -DHCP6_RT_RAND_PPM;
	/* d <= 2^64 / 10^6 is far beyond any RFC timer; split to avoid
	 * overflow of d * ppm for large d anyway */
	uint64_t whole = d / DHCP6_RT_PPM, frac = d % DHCP6_RT_PPM;
	int64_t mag = rand_ppm < 0 ? -(int64_t)rand_ppm : rand_ppm;
	uint64_t delta = whole * (uint64_t)mag +
	                 frac * (uint64_t)mag / DHCP6_RT_PPM;
	return rand_ppm < 0 ? d - delta : d + delta;
}

aero_duration
dhcp6_rt_first(struct dhcp6_rt *rt, const struct dhcp6_rt_params *p,
               aero_tstamp now, int32_t rand_ppm)
{
	rt->p = *p;
	rt->rt = dhcp6_rt_jitter(p->irt, rand_ppm);
	if (p->mrt && rt->rt > p->mrt)
		rt->rt = dhcp6_rt_jitter(p->mrt, rand_ppm);
	rt->rtc = 1;
	rt->start = now;
	rt->last = now;
	return rt->rt;
}

bool
dhcp6_rt_next(struct dhcp6_rt *rt, aero_tstamp now, int32_t rand_ppm)
{
	if (rt->p.mrc && rt->rtc >= rt->p.mrc)
		return false;
	if (rt->p.mrd && now >= rt->start + rt->p.mrd)
		return false;
	/* RFC 8415 15: RT = 2*RTprev + RAND*RTprev; capped by MRT + RAND*MRT */
	aero_duration prev = rt->rt;
	if (prev > UINT64_MAX / 4)
		prev = UINT64_MAX / 4;
	aero_duration next = prev + dhcp6_rt_jitter(prev, rand_ppm);
	if (rt->p.mrt && next > rt->p.mrt)
		next = dhcp6_rt_jitter(rt->p.mrt, rand_ppm);
	rt->rt = next;
	rt->rtc++;
	rt->last = now;
	return true;
}

aero_tstamp
dhcp6_rt_deadline(const struct dhcp6_rt *rt)
{
	aero_tstamp d = rt->last + rt->rt;
	if (rt->p.mrd && d > rt->start + rt->p.mrd)
		d = rt->start + rt->p.mrd;
	return d;
}

uint16_t
dhcp6_rt_elapsed(const struct dhcp6_rt *rt, aero_tstamp now)
{
	if (now <= rt->start)
		return 0;
	uint64_t cs = (now - rt->start) / (10 * AERO_MS);
	return cs >= 0xffff ? 0xffff : (uint16_t)cs;
}
