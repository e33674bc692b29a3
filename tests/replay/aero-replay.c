/*
 * aero-replay -- feed a capture through one AERO core node (./aero replay).
 *
 *   aero-replay [OPTIONS] CAPTURE
 *
 * See usage() and tests/replay/README.md. Exit status: 0 done, 1 the
 * capture is bad (unreadable record, unknown link type: the message names
 * the record and its byte offset), 2 usage error or unreadable file.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <pcap/pcap.h>

#include "aero/aero.h"
#include "aero/json.h"
#include "aero/wire_ip.h"
#include "../../scenarios/loader/scenario.h"
#include "replay.h"

static void
usage(FILE *f)
{
	fputs(
	    "usage: aero-replay [OPTIONS] CAPTURE\n"
	    "Replay a pcap/pcapng capture (Ethernet, raw IP, Linux cooked v1/v2, loopback)\n"
	    "through one AERO core node, the capture's timestamps as its clock.\n"
	    "\n"
	    "The node:\n"
	    "  --scenario FILE --node NAME   take role and configuration from a scenario node\n"
	    "  --role client|server|relay    (or) the role, then:\n"
	    "  --locator ADDR[:PORT]         own underlay locator (default port 8060)\n"
	    "  --id N                        Server/Relay link-local fe80::N\n"
	    "  --pool PREFIX/LEN[,DELEG]     Server pool (repeatable; DELEG default 56 or 64)\n"
	    "  --prl ADDR[:PORT]=ID          Client: a Server (repeatable)\n"
	    "  --aggregate PREFIX/LEN        Relay: an aggregate (repeatable)\n"
	    "  --profile p1|p2  --icv-key HEX  --pio-x  --mtu N  --model host|router|hybrid\n"
	    "  --vltime S --pltime S --t1 S --t2 S     Server lease times\n"
	    "  --no-rapid-commit --duid HEX --iaid N   Client DHCPv6\n"
	    "  --seed N                      PRNG seed of the rand callback (default 1)\n"
	    "The capture:\n"
	    "  --side underlay|tunnel|native what the capture holds (default underlay):\n"
	    "      underlay: outer IPv4/IPv6 UDP datagrams; those to the node's locator are fed\n"
	    "      tunnel:   inner IPv6 packets of the node's own stack (side TUNNEL)\n"
	    "      native:   native IPv6 link traffic of third-party peers (dhcpcd, Kea, radvd):\n"
	    "                each packet this role would receive is fed as if it came over\n"
	    "                the AERO link from the locator --peer (+k for the k-th source)\n"
	    "  --keep-checksums              native: keep the captured inner checksums (default:\n"
	    "                                recompute them; captures on veth have partial ones)\n"
	    "  --keep-serverid               native, server: keep the captured SERVERID (default:\n"
	    "                                replace it by the node's DUID, so Request/Renew go on)\n"
	    "  --any-dst                     underlay: accept any destination address on our port\n"
	    "  --peer ADDR[:PORT]            native: first peer locator (Client: its first PRL entry;\n"
	    "                                else 192.0.2.100:49152 or [2001:db8::100]:49152)\n"
	    "  --start SEC                   start time when the capture is empty (default 0)\n"
	    "  --linger SEC                  run the node's timers SEC after the last record (0)\n"
	    "  --until SEC                   run until SEC after the start (overrides --linger)\n"
	    "Outputs:\n"
	    "  -o, --out DIR                 events.jsonl, counters.json, run.json, canon.txt,\n"
	    "                                pcap/NODE-out.pcap (LINKTYPE_RAW, ns timestamps)\n"
	    "  --pcap-out F --events F --counters F --canon F   single outputs ('-' = stdout)\n"
	    "  --name NAME                   node name in events and counters (default: --node or role)\n"
	    "  -v, --verbose                 node log lines on stderr\n",
	    f);
}

static int G_GNUC_PRINTF(1, 2)
die_usage(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "aero-replay: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(aero-replay --help for the options)\n");
	return 2;
}

static int
parse_prefix(const char *s, struct aero_in6 *p, uint8_t *plen)
{
	char buf[128];
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof buf)
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	char *end;
	unsigned long l = strtoul(slash + 1, &end, 10);
	if (end == slash + 1 || l > 128 || (*end && *end != ','))
		return -1;
	if (aero_in6_parse(p, buf) < 0)
		return -1;
	*plen = (uint8_t)l;
	return 0;
}

static int
parse_hex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = 0;
	while (*s) {
		if (*s == ':' || *s == '-' || *s == ' ') {
			s++;
			continue;
		}
		if (!g_ascii_isxdigit(s[0]) || !g_ascii_isxdigit(s[1]) || n >= cap)
			return -1;
		out[n++] = (uint8_t)(g_ascii_xdigit_value(s[0]) << 4 |
		                     g_ascii_xdigit_value(s[1]));
		s += 2;
	}
	*len = n;
	return 0;
}

static bool
parse_u32(const char *s, uint32_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || end == s || *end || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool
parse_sec(const char *s, double *v)
{
	char *end;
	*v = g_ascii_strtod(s, &end);
	return end != s && !*end && *v >= 0 && *v < 1e10;
}

static uint8_t
deleg_default(uint8_t plen)
{
	return plen < 56 ? 56 : plen < 64 ? 64 : plen;
}

/* A scenario node as a core configuration: the one mapping every host
 * uses (aero_scenario_node_config, scenarios/loader/node_config.c). */
static int
config_from_scenario(struct aero_config *c, const char *path, const char *name)
{
	GError *err = NULL;
	struct aero_scenario *s = aero_scenario_load(path, &err);
	if (!s) {
		fprintf(stderr, "aero-replay: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	int rc = 0;
	int k = aero_scenario_find_node(s, name);
	if (k < 0) {
		fprintf(stderr, "aero-replay: %s: no node named '%s'\n", path, name);
		rc = 2;
	} else if (aero_scenario_node_config(s, (unsigned)k, c, &err) < 0) {
		fprintf(stderr, "aero-replay: %s\n", err->message);
		g_error_free(err);
		rc = 2;
	}
	aero_scenario_free(s);
	return rc;
}

static FILE *
open_out(const char *path)
{
	if (!path)
		return NULL;
	if (strcmp(path, "-") == 0)
		return stdout;
	FILE *f = fopen(path, "wb");
	if (!f)
		fprintf(stderr, "aero-replay: %s: %s\n", path, strerror(errno));
	return f;
}

static void
close_out(FILE *f)
{
	if (f && f != stdout)
		fclose(f);
	else if (f)
		fflush(f);
}

enum {
	O_SCENARIO = 256, O_NODE, O_ROLE, O_LOCATOR, O_ID, O_POOL, O_PRL,
	O_AGGREGATE, O_PROFILE, O_ICV, O_PIOX, O_MTU, O_MODEL, O_VLTIME,
	O_PLTIME, O_T1, O_T2, O_NORC, O_DUID, O_IAID, O_SEED, O_SIDE, O_ANYDST,
	O_PEER, O_START, O_LINGER, O_UNTIL, O_PCAP, O_EVENTS, O_COUNTERS,
	O_CANON, O_NAME, O_KEEPCS, O_KEEPSID,
};

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"scenario", 1, 0, O_SCENARIO}, {"node", 1, 0, O_NODE},
		{"role", 1, 0, O_ROLE}, {"locator", 1, 0, O_LOCATOR},
		{"id", 1, 0, O_ID}, {"pool", 1, 0, O_POOL}, {"prl", 1, 0, O_PRL},
		{"aggregate", 1, 0, O_AGGREGATE}, {"profile", 1, 0, O_PROFILE},
		{"icv-key", 1, 0, O_ICV}, {"pio-x", 0, 0, O_PIOX},
		{"mtu", 1, 0, O_MTU}, {"model", 1, 0, O_MODEL},
		{"vltime", 1, 0, O_VLTIME}, {"pltime", 1, 0, O_PLTIME},
		{"t1", 1, 0, O_T1}, {"t2", 1, 0, O_T2},
		{"no-rapid-commit", 0, 0, O_NORC}, {"duid", 1, 0, O_DUID},
		{"iaid", 1, 0, O_IAID}, {"seed", 1, 0, O_SEED},
		{"side", 1, 0, O_SIDE}, {"any-dst", 0, 0, O_ANYDST}, {"keep-checksums", 0, 0, O_KEEPCS}, {"keep-serverid", 0, 0, O_KEEPSID},
		{"peer", 1, 0, O_PEER}, {"start", 1, 0, O_START},
		{"linger", 1, 0, O_LINGER}, {"until", 1, 0, O_UNTIL},
		{"out", 1, 0, 'o'}, {"pcap-out", 1, 0, O_PCAP},
		{"events", 1, 0, O_EVENTS}, {"counters", 1, 0, O_COUNTERS},
		{"canon", 1, 0, O_CANON}, {"name", 1, 0, O_NAME},
		{"verbose", 0, 0, 'v'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0},
	};
	const char *scen = NULL, *node = NULL, *outdir = NULL, *name = NULL;
	const char *f_pcap = NULL, *f_events = NULL, *f_counters = NULL, *f_canon = NULL;
	double start_s = 0, linger_s = 0, until_s = -1;
	int c, rc;
	struct rp_opts ro;
	/* flags are applied after the scenario: remember them */
	GPtrArray *later = g_ptr_array_new();
	bool have_role = false;

	memset(&ro, 0, sizeof ro);
	ro.seed = 1;
	ro.mode = RP_MODE_UNDERLAY;
	while ((c = getopt_long(argc, argv, "o:vh", lo, NULL)) != -1) {
		switch (c) {
		case O_SCENARIO: scen = optarg; break;
		case O_NODE: node = optarg; break;
		case O_SEED:
			if (!parse_u32(optarg, &(uint32_t){0}))
				return die_usage("bad --seed '%s'", optarg);
			ro.seed = strtoull(optarg, NULL, 0);
			break;
		case O_SIDE:
			if (!strcmp(optarg, "underlay")) ro.mode = RP_MODE_UNDERLAY;
			else if (!strcmp(optarg, "tunnel")) ro.mode = RP_MODE_TUNNEL;
			else if (!strcmp(optarg, "native")) ro.mode = RP_MODE_NATIVE;
			else return die_usage("bad --side '%s' (underlay, tunnel or native)", optarg);
			break;
		case O_ANYDST: ro.any_dst = true; break;
		case O_KEEPCS: ro.keep_checksums = true; break;
		case O_KEEPSID: ro.keep_serverid = true; break;
		case O_PEER:
			if (aero_loc_parse(&ro.peer, optarg, 49152) < 0)
				return die_usage("bad --peer '%s'", optarg);
			break;
		case O_START:
			if (!parse_sec(optarg, &start_s))
				return die_usage("bad --start '%s'", optarg);
			break;
		case O_LINGER:
			if (!parse_sec(optarg, &linger_s))
				return die_usage("bad --linger '%s'", optarg);
			break;
		case O_UNTIL:
			if (!parse_sec(optarg, &until_s))
				return die_usage("bad --until '%s'", optarg);
			break;
		case 'o': outdir = optarg; break;
		case O_PCAP: f_pcap = optarg; break;
		case O_EVENTS: f_events = optarg; break;
		case O_COUNTERS: f_counters = optarg; break;
		case O_CANON: f_canon = optarg; break;
		case O_NAME: name = optarg; break;
		case 'v': ro.verbose = true; break;
		case 'h': usage(stdout); return 0;
		case '?': return 2;
		case O_ROLE: have_role = true; /* fall through */
		default:
			g_ptr_array_add(later, GINT_TO_POINTER(c));
			g_ptr_array_add(later, optarg);
			break;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	const char *input = argv[optind];
	struct aero_config *cfg = &ro.cfg;
	if (scen || node) {
		if (!scen || !node)
			return die_usage("%s", "--scenario and --node go together");
		if ((rc = config_from_scenario(cfg, scen, node)) != 0)
			return rc;
	} else if (!have_role) {
		return die_usage("%s", "give --role or --scenario/--node");
	}
	/* the flags, in order, over the scenario's values */
	for (guint i = 0; i < later->len; i += 2) {
		int k = GPOINTER_TO_INT(g_ptr_array_index(later, i));
		const char *a = g_ptr_array_index(later, i + 1);
		uint32_t v;
		switch (k) {
		case O_ROLE: {
			enum aero_role r;
			if (!strcmp(a, "client")) r = AERO_ROLE_CLIENT;
			else if (!strcmp(a, "server")) r = AERO_ROLE_SERVER;
			else if (!strcmp(a, "relay")) r = AERO_ROLE_RELAY;
			else return die_usage("bad --role '%s'", a);
			if (!scen || cfg->role != r) {
				struct aero_loc self = cfg->self;
				aero_config_default(cfg, r);
				if (self.family)
					cfg->self = self;
			}
			break;
		}
		case O_LOCATOR:
			if (aero_loc_parse(&cfg->self, a, AERO_UDP_PORT) < 0)
				return die_usage("bad --locator '%s'", a);
			break;
		case O_ID:
			if (!parse_u32(a, &v) || v == 0)
				return die_usage("bad --id '%s'", a);
			cfg->id = v;
			break;
		case O_POOL: {
			struct aero_pool *p = &cfg->pools[cfg->n_pools];
			const char *comma = strchr(a, ',');
			if (cfg->n_pools >= AERO_MAX_POOLS || parse_prefix(a, &p->prefix, &p->plen) < 0)
				return die_usage("bad --pool '%s' (PREFIX/LEN[,DELEG])", a);
			p->deleg_len = deleg_default(p->plen);
			if (comma) {
				if (!parse_u32(comma + 1, &v) || v > 128)
					return die_usage("bad --pool '%s' (PREFIX/LEN[,DELEG])", a);
				p->deleg_len = (uint8_t)v;
			}
			cfg->n_pools++;
			break;
		}
		case O_PRL: {
			char buf[128];
			const char *eq = strrchr(a, '=');
			struct aero_peer *p = &cfg->prl[cfg->n_prl];
			if (!eq || (size_t)(eq - a) >= sizeof buf || cfg->n_prl >= AERO_MAX_PRL)
				return die_usage("bad --prl '%s' (ADDR[:PORT]=ID)", a);
			memcpy(buf, a, (size_t)(eq - a));
			buf[eq - a] = 0;
			if (aero_loc_parse(&p->loc, buf, AERO_UDP_PORT) < 0 ||
			    !parse_u32(eq + 1, &p->id) || p->id == 0)
				return die_usage("bad --prl '%s' (ADDR[:PORT]=ID)", a);
			cfg->n_prl++;
			break;
		}
		case O_AGGREGATE: {
			struct aero_prefix *p = &cfg->aggregates[cfg->n_aggregates];
			if (cfg->n_aggregates >= AERO_MAX_AGGREGATES ||
			    parse_prefix(a, &p->prefix, &p->plen) < 0)
				return die_usage("bad --aggregate '%s'", a);
			cfg->n_aggregates++;
			break;
		}
		case O_PROFILE:
			if (!g_ascii_strcasecmp(a, "p1")) cfg->profile = AERO_PROFILE_P1;
			else if (!g_ascii_strcasecmp(a, "p2")) cfg->profile = AERO_PROFILE_P2;
			else return die_usage("bad --profile '%s'", a);
			break;
		case O_ICV:
			if (parse_hex(a, cfg->icv_key, sizeof cfg->icv_key, &cfg->icv_key_len) < 0)
				return die_usage("bad --icv-key '%s' (up to 20 bytes of hex)", a);
			break;
		case O_PIOX: cfg->pio_x = true; break;
		case O_MTU:
			if (!parse_u32(a, &v) || v < 1280 || v > 65535)
				return die_usage("bad --mtu '%s'", a);
			cfg->mtu = (uint16_t)v;
			break;
		case O_MODEL:
			if (!strcmp(a, "host")) cfg->model = AERO_MODEL_HOST;
			else if (!strcmp(a, "router")) cfg->model = AERO_MODEL_ROUTER;
			else if (!strcmp(a, "hybrid")) cfg->model = AERO_MODEL_HYBRID;
			else return die_usage("bad --model '%s'", a);
			break;
		case O_VLTIME: case O_PLTIME: case O_T1: case O_T2: case O_IAID:
			if (!parse_u32(a, &v))
				return die_usage("bad number '%s'", a);
			if (k == O_VLTIME) cfg->vltime = v;
			else if (k == O_PLTIME) cfg->pltime = v;
			else if (k == O_T1) cfg->t1 = v;
			else if (k == O_T2) cfg->t2 = v;
			else cfg->iaid = v;
			break;
		case O_NORC: cfg->rapid_commit = false; break;
		case O_DUID:
			if (parse_hex(a, cfg->duid, sizeof cfg->duid, &cfg->duid_len) < 0)
				return die_usage("bad --duid '%s'", a);
			break;
		default: break;
		}
	}
	g_ptr_array_free(later, TRUE);
	ro.node_name = name ? name : node ? node : aero_role_name(cfg->role);

	/* open the capture */
	char errbuf[PCAP_ERRBUF_SIZE];
	FILE *inf = fopen(input, "rb");
	if (!inf) {
		fprintf(stderr, "aero-replay: %s: %s\n", input, strerror(errno));
		return 2;
	}
	pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(inf, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		fprintf(stderr, "aero-replay: %s: not a readable pcap or pcapng capture (at byte offset 0): %s\n",
		        input, errbuf);
		fclose(inf);
		return 1;
	}
	int dlt = pcap_datalink(pc);
	if (!rp_link_supported(dlt)) {
		const char *dn = pcap_datalink_val_to_name(dlt);
		fprintf(stderr, "aero-replay: %s: unsupported link type %d (%s); supported: EN10MB, RAW, IPV4, IPV6, LINUX_SLL, LINUX_SLL2, NULL, LOOP\n",
		        input, dlt, dn ? dn : "unknown");
		pcap_close(pc);
		return 1;
	}

	/* outputs */
	char *p_pcap = NULL, *p_events = NULL, *p_counters = NULL, *p_canon = NULL, *p_run = NULL;
	if (outdir) {
		char *pd = g_build_filename(outdir, "pcap", NULL);
		if (g_mkdir_with_parents(pd, 0755) < 0) {
			fprintf(stderr, "aero-replay: %s: %s\n", pd, strerror(errno));
			return 2;
		}
		char *base = g_strdup_printf("%s-out.pcap", ro.node_name);
		p_pcap = g_build_filename(pd, base, NULL);
		g_free(base);
		g_free(pd);
		p_events = g_build_filename(outdir, "events.jsonl", NULL);
		p_counters = g_build_filename(outdir, "counters.json", NULL);
		p_canon = g_build_filename(outdir, "canon.txt", NULL);
		p_run = g_build_filename(outdir, "run.json", NULL);
	}
	FILE *fo_pcap = open_out(f_pcap ? f_pcap : p_pcap);
	FILE *fo_events = open_out(f_events ? f_events : p_events);
	FILE *fo_counters = open_out(f_counters ? f_counters : p_counters);
	FILE *fo_canon = open_out(f_canon ? f_canon : p_canon);
	if (((f_pcap || p_pcap) && !fo_pcap) || ((f_events || p_events) && !fo_events) ||
	    ((f_counters || p_counters) && !fo_counters) || ((f_canon || p_canon) && !fo_canon))
		return 2;
	if (fo_pcap)
		rp_pcap_header(fo_pcap);

	/* the loop: the node starts at the first record's time */
	static struct replay r;
	struct pcap_pkthdr *h;
	const u_char *pkt;
	bool inited = false;
	long off = ftell(pcap_file(pc));
	unsigned long long n = 0;
	const char *why = "";
	aero_tstamp first = (aero_tstamp)(start_s * 1e9);
	int exitc = 0;
	while ((rc = pcap_next_ex(pc, &h, &pkt)) == 1) {
		aero_tstamp ts = (aero_tstamp)h->ts.tv_sec * AERO_SEC + (aero_tstamp)h->ts.tv_usec;
		n++;
		if (h->ts.tv_sec < 0)
			ts = 0;
		if (!inited) {
			first = ts;
			if (rp_init(&r, &ro, ts, &why) < 0) {
				fprintf(stderr, "aero-replay: %s\n", why);
				return 2;
			}
			r.pcap = fo_pcap;
			r.events = fo_events;
			r.canon = fo_canon;
			inited = true;
		}
		rp_record(&r, ts, dlt, pkt, h->caplen, h->len);
		off = ftell(pcap_file(pc));
	}
	if (rc == -1) {
		fprintf(stderr, "aero-replay: %s: bad capture record %llu at byte offset %ld: %s\n",
		        input, n + 1, off, pcap_geterr(pc));
		exitc = 1;
	}
	if (!inited) {
		if (rp_init(&r, &ro, first, &why) < 0) {
			fprintf(stderr, "aero-replay: %s\n", why);
			return 2;
		}
		r.pcap = fo_pcap;
		r.events = fo_events;
		r.canon = fo_canon;
		r.last_rec = first;
	}
	aero_tstamp end = until_s >= 0 ? r.t0 + (aero_tstamp)(until_s * 1e9) :
	                  r.last_rec + (aero_tstamp)(linger_s * 1e9);
	rp_run_until(&r, end);
	rp_finish(&r, fo_counters);
	if (p_run) {
		FILE *f = fopen(p_run, "w");
		if (f) {
			GString *s = g_string_new(NULL);
			struct aj j;
			char ts[64];
			time_t t0 = (time_t)(r.t0 / AERO_SEC);
			struct tm tm;
			gmtime_r(&t0, &tm);
			strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
			aj_init(&j, s);
			aj_obj_begin(&j, NULL);
			if (scen)
				aj_str(&j, "scenario_path", scen);
			else
				aj_null(&j, "scenario_path");
			aj_str(&j, "backend", "replay");
			aj_str(&j, "input", input);
			aj_str(&j, "node", ro.node_name);
			aj_str(&j, "role", aero_role_name(cfg->role));
			aj_str(&j, "side", ro.mode == RP_MODE_UNDERLAY ? "underlay" :
			       ro.mode == RP_MODE_TUNNEL ? "tunnel" : "native");
			aj_uint(&j, "seed", ro.seed);
			aj_str(&j, "started_utc", ts); /* the capture's first record */
			aj_num(&j, "duration_s", (double)(r.now - r.t0) / 1e9);
			aj_uint(&j, "records", r.st.records);
			aj_bool(&j, "capture_complete", exitc == 0);
			aj_obj_end(&j);
			fprintf(f, "%s\n", s->str);
			g_string_free(s, TRUE);
			fclose(f);
		}
	}
	fprintf(stderr, "aero-replay: %s: %llu records, %llu fed to the %s, %llu packets and %llu events out\n",
	        input, (unsigned long long)r.st.records, (unsigned long long)r.st.fed,
	        aero_role_name(cfg->role), (unsigned long long)r.st.out_packets,
	        (unsigned long long)r.st.out_events);
	rp_free(&r);
	pcap_close(pc);
	close_out(fo_pcap);
	close_out(fo_events);
	close_out(fo_counters);
	close_out(fo_canon);
	g_free(p_pcap); g_free(p_events); g_free(p_counters); g_free(p_canon); g_free(p_run);
	return exitc;
}
