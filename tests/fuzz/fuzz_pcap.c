/*
 * fuzz_pcap -- the replay tool's capture path: libpcap's reader over the
 * input bytes (fmemopen + pcap_fopen_offline, classic or pcapng), then what
 * the project wrote: link-layer stripping (every link type, the input's
 * first byte picks one when the file's own is not supported), record ->
 * pktinfo classification in all three modes, one Server/Client node, the
 * canonical text and events writers. Seeds: tests/fuzz/regress/fuzz_pcap/.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "../replay/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
	RP_LINKTYPE_NULL, RP_LINKTYPE_ETHERNET, RP_LINKTYPE_RAW, RP_DLT_RAW_BSD,
	RP_LINKTYPE_LOOP, RP_LINKTYPE_SLL, RP_LINKTYPE_IPV4, RP_LINKTYPE_IPV6,
	RP_LINKTYPE_SLL2, 147,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	static struct replay r;
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *pkt;
	const char *why;
	size_t off;

	if (size < 1)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	/* the bare link-layer stripper over the whole input, every type */
	for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++)
		if (rp_link_strip(dlts[i], data, size, &off) == RP_LINK_OK && off >= size)
			__builtin_trap();

	FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");
	if (!f)
		return 0;
	pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		fclose(f);
		return 0;
	}
	int dlt = pcap_datalink(pc);
	if (!rp_link_supported(dlt))
		dlt = dlts[data[size - 1] % (sizeof dlts / sizeof dlts[0])];

	struct rp_opts o;
	memset(&o, 0, sizeof o);
	unsigned sel = data[size / 2] % 3;
	o.mode = sel == 0 ? RP_MODE_UNDERLAY : sel == 1 ? RP_MODE_NATIVE : RP_MODE_TUNNEL;
	aero_config_default(&o.cfg, (data[0] & 1) ? AERO_ROLE_CLIENT : AERO_ROLE_SERVER);
	o.cfg.self = aero_loc_v4(192, 0, 2, 1, 8060);
	o.any_dst = true;
	if (o.cfg.role == AERO_ROLE_SERVER) {
		o.cfg.id = 1;
		aero_in6_parse(&o.cfg.pools[0].prefix, "2001:db8:1000::");
		o.cfg.pools[0].plen = 40;
		o.cfg.pools[0].deleg_len = 56;
		o.cfg.n_pools = 1;
	} else {
		o.cfg.self.port = 49152;
		o.cfg.prl[0].loc = aero_loc_v4(192, 0, 2, 2, 8060);
		o.cfg.prl[0].id = 1;
		o.cfg.n_prl = 1;
	}
	o.seed = size;
	bool inited = false;
	unsigned n = 0;
	while (n < 64 && pcap_next_ex(pc, &h, &pkt) == 1) {
		aero_tstamp ts = (aero_tstamp)(uint32_t)h->ts.tv_sec * AERO_SEC +
		                 (aero_tstamp)(uint32_t)h->ts.tv_usec % AERO_SEC;
		/* keep runs short: at most 10 simulated minutes between records
		 * (a jump of years would run years of timers, correctly but slowly) */
		if (inited && ts > r.now + 600 * AERO_SEC)
			ts = r.now + 600 * AERO_SEC;
		if (!inited) {
			if (rp_init(&r, &o, ts, &why) < 0)
				break;
			r.canon = devnull;
			r.events = devnull;
			inited = true;
		}
		rp_record(&r, ts, dlt, pkt, h->caplen, h->len);
		n++;
	}
	if (inited) {
		rp_run_until(&r, r.now + 10 * AERO_SEC);
		rp_finish(&r, NULL);
		rp_free(&r);
	}
	pcap_close(pc);
	return 0;
}
