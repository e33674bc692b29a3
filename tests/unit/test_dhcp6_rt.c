/* RFC 8415 section 15 retransmission and the RFC 7559 RS back-off
 * (core/src/dhcp6_rt.c); digest TV11. */
#include "testutil.h"
#include "../../core/src/dhcp6_rt.h"

/* Run an exchange with RAND = 0 and compare the RTs (seconds). */
static void
check_schedule(const struct dhcp6_rt_params *p, const unsigned *exp_s,
               size_t n_exp)
{
	struct dhcp6_rt rt;
	aero_tstamp now = 1000 * AERO_SEC;
	g_assert_cmpuint(dhcp6_rt_first(&rt, p, now, 0), ==,
	                 exp_s[0] * AERO_SEC);
	for (size_t i = 1; i < n_exp; i++) {
		aero_tstamp dl = dhcp6_rt_deadline(&rt);
		g_assert_cmpuint(dl, ==, now + exp_s[i - 1] * AERO_SEC);
		now = dl;
		g_assert_true(dhcp6_rt_next(&rt, now, 0));
		g_assert_cmpuint(rt.rt, ==, exp_s[i] * AERO_SEC);
		g_assert_cmpuint(rt.rtc, ==, i + 1);
	}
}

static void
test_tv11_solicit(void)
{
	static const unsigned exp[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512,
	                               1024, 2048, 3600, 3600, 3600};
	check_schedule(&dhcp6_rt_solicit, exp, G_N_ELEMENTS(exp));
}

static void
test_tv11_rs(void)
{
	static const unsigned exp[] = {4, 8, 16, 32, 64, 128, 256, 512, 1024,
	                               2048, 3600, 3600};
	struct dhcp6_rt_params p = dhcp6_rt_rs_params(0);
	check_schedule(&p, exp, G_N_ELEMENTS(exp));
	p = dhcp6_rt_rs_params(3600 * AERO_SEC); /* the config default */
	check_schedule(&p, exp, G_N_ELEMENTS(exp));
	g_assert_cmpuint(p.mrc, ==, 0);
	g_assert_cmpuint(p.mrd, ==, 0);
	/* a lower cap (digest 8 item 19: P1 may cap at e.g. 600 s) */
	static const unsigned exp600[] = {4, 8, 16, 32, 64, 128, 256, 512, 600,
	                                  600};
	p = dhcp6_rt_rs_params(600 * AERO_SEC);
	check_schedule(&p, exp600, G_N_ELEMENTS(exp600));
}

static void
test_tv11_renew(void)
{
	static const unsigned exp[] = {10, 20, 40, 80, 160, 320, 600, 600};
	check_schedule(&dhcp6_rt_renew, exp, G_N_ELEMENTS(exp));
	check_schedule(&dhcp6_rt_rebind, exp, G_N_ELEMENTS(exp));
}

static void
test_request_release_mrc(void)
{
	/* Request: 1, 2, 4, 8, 16, 30, 30, 30, 30, 30 then fail (MRC 10) */
	static const unsigned exp[] = {1, 2, 4, 8, 16, 30, 30, 30, 30, 30};
	check_schedule(&dhcp6_rt_request, exp, G_N_ELEMENTS(exp));
	struct dhcp6_rt rt;
	aero_tstamp now = 0;
	dhcp6_rt_first(&rt, &dhcp6_rt_request, now, 0);
	unsigned sent = 1;
	while (dhcp6_rt_next(&rt, dhcp6_rt_deadline(&rt), 0))
		sent++;
	g_assert_cmpuint(sent, ==, REQ_MAX_RC);
	/* Release: 1 s, no MRT, MRC 4: 1, 2, 4, 8 */
	static const unsigned rel[] = {1, 2, 4, 8};
	check_schedule(&dhcp6_rt_release, rel, G_N_ELEMENTS(rel));
	dhcp6_rt_first(&rt, &dhcp6_rt_release, 0, 0);
	sent = 1;
	while (dhcp6_rt_next(&rt, dhcp6_rt_deadline(&rt), 0))
		sent++;
	g_assert_cmpuint(sent, ==, REL_MAX_RC);
}

/* MRD: the last RT is cut at the deadline and the exchange then fails
 * (Renew until T2). */
static void
test_mrd(void)
{
	struct dhcp6_rt_params p = dhcp6_rt_renew;
	p.mrd = 45 * AERO_SEC;
	struct dhcp6_rt rt;
	dhcp6_rt_first(&rt, &p, 100 * AERO_SEC, 0);
	g_assert_cmpuint(dhcp6_rt_deadline(&rt), ==, 110 * AERO_SEC);
	g_assert_true(dhcp6_rt_next(&rt, 110 * AERO_SEC, 0));
	g_assert_cmpuint(dhcp6_rt_deadline(&rt), ==, 130 * AERO_SEC);
	g_assert_true(dhcp6_rt_next(&rt, 130 * AERO_SEC, 0));
	/* 130 + 40 = 170 is past 145: cut */
	g_assert_cmpuint(dhcp6_rt_deadline(&rt), ==, 145 * AERO_SEC);
	g_assert_false(dhcp6_rt_next(&rt, 145 * AERO_SEC, 0));
}

static void
test_elapsed(void)
{
	struct dhcp6_rt rt;
	dhcp6_rt_first(&rt, &dhcp6_rt_solicit, 5 * AERO_SEC, 0);
	g_assert_cmpuint(dhcp6_rt_elapsed(&rt, 5 * AERO_SEC), ==, 0);
	g_assert_cmpuint(dhcp6_rt_elapsed(&rt, 6 * AERO_SEC + 250 * AERO_MS),
	                 ==, 125);
	g_assert_cmpuint(dhcp6_rt_elapsed(&rt, 5 * AERO_SEC + 700 * AERO_SEC),
	                 ==, 0xffff);
}

/* ---- jitter with a real random source ------------------------------------ */

static void
grand_cb(uint8_t *dst, size_t len, void *user)
{
	tu_rand_bytes(user, dst, len);
}

static void
test_jitter_bounds(void)
{
	GRand *r = tu_rand();
	struct aero_callbacks cb = {.rand = grand_cb};
	struct aero_config cfg;
	aero_config_default(&cfg, AERO_ROLE_CLIENT);
	cfg.self = aero_loc_v4(192, 0, 2, 10, 49152);
	cfg.prl[0].loc = aero_loc_v4(192, 0, 2, 1, 8060);
	cfg.prl[0].id = 1;
	cfg.n_prl = 1;
	aero_node *n;
	g_assert_cmpint(aero_node_new(&n, &cfg, &cb, r, 0), ==, 0);

	bool neg = false, pos = false;
	for (int i = 0; i < 20000; i++) {
		int32_t x = dhcp6_rt_rand(n, false);
		g_assert_cmpint(x, >=, -DHCP6_RT_RAND_PPM);
		g_assert_cmpint(x, <=, DHCP6_RT_RAND_PPM);
		neg |= x < -DHCP6_RT_RAND_PPM / 2;
		pos |= x > DHCP6_RT_RAND_PPM / 2;
		int32_t y = dhcp6_rt_rand(n, true);
		g_assert_cmpint(y, >=, 1);
		g_assert_cmpint(y, <=, DHCP6_RT_RAND_PPM);
	}
	g_assert_true(neg && pos);

	/* whole schedules: first Solicit RT in (IRT, 1.1 IRT]; every later
	 * RT in [1.9, 2.1] x previous or [0.9, 1.1] x MRT */
	for (int run = 0; run < 200; run++) {
		struct dhcp6_rt rt;
		aero_tstamp now = 0;
		aero_duration d = dhcp6_rt_first(&rt, &dhcp6_rt_solicit, now,
		                                  dhcp6_rt_rand(n, true));
		g_assert_cmpuint(d, >, SOL_TIMEOUT);
		g_assert_cmpuint(d, <=, SOL_TIMEOUT + SOL_TIMEOUT / 10);
		for (int k = 0; k < 16; k++) {
			aero_duration prev = rt.rt;
			now = dhcp6_rt_deadline(&rt);
			g_assert_true(dhcp6_rt_next(&rt, now, dhcp6_rt_rand(n, false)));
			bool doubled = rt.rt >= prev * 19 / 10 &&
			               rt.rt <= prev * 21 / 10;
			bool capped = rt.rt >= SOL_MAX_RT * 9 / 10 &&
			              rt.rt <= SOL_MAX_RT * 11 / 10;
			g_assert_true(doubled || capped);
		}
		struct dhcp6_rt_params rs = dhcp6_rt_rs_params(0);
		d = dhcp6_rt_first(&rt, &rs, 0, dhcp6_rt_rand(n, false));
		g_assert_cmpuint(d, >=, RS_IRT * 9 / 10);
		g_assert_cmpuint(d, <=, RS_IRT * 11 / 10);
	}
	aero_node_free(n);
	g_rand_free(r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp6_rt/tv11/solicit", test_tv11_solicit);
	g_test_add_func("/dhcp6_rt/tv11/rs", test_tv11_rs);
	g_test_add_func("/dhcp6_rt/tv11/renew", test_tv11_renew);
	g_test_add_func("/dhcp6_rt/mrc", test_request_release_mrc);
	g_test_add_func("/dhcp6_rt/mrd", test_mrd);
	g_test_add_func("/dhcp6_rt/elapsed", test_elapsed);
	g_test_add_func("/dhcp6_rt/jitter_bounds", test_jitter_bounds);
	return g_test_run();
}
