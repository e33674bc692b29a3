/*
 * libFuzzer target: a whole node (core/src/node.c and the roles) driven by
 * arbitrary inputs. Byte 0 picks the role and link (bit 0: Client instead
 * of Server, bit 1: P2, bit 2: link ICV key, bit 3: 4-message exchange /
 * router model, bit 4: PIO-X); the rest is a sequence of records
 *
 *   op(1) dt(1) len(2, big endian) bytes(len)
 *
 * dt advances the clock by dt * 10 ms (dt 255: by the time to the node's
 * deadline). op & 7: 0,1 underlay packet from one of four locators (op >>
 * 3 & 3; locator 0 is the Server / a Client of the Server), 2 tunnel-side
 * packet (ifindex op >> 3 & 3), 3 timers, 4 name answer, 5 new locator,
 * 6 route update, 7 shutdown. Every output is drained, formatted and
 * framed after every call. The node must never crash or misbehave under
 * the sanitizers; self-contained (tests/sim is not linked here).
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "aero/aero.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static uint64_t rng;

static void
frand(uint8_t *dst, size_t len, void *user)
{
	(void)user;
	for (size_t i = 0; i < len; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		dst[i] = (uint8_t)(rng >> 56);
	}
}

static void
drain(aero_node *nd)
{
	static uint8_t frame[70000];
	char line[512];
	struct aero_out o;
	while (aero_node_poll(nd, &o) == 1) {
		aero_out_format(&o, line, sizeof line);
		if (o.kind == AERO_OUT_PACKET && o.pi.side == AERO_SIDE_UNDERLAY) {
			int k = aero_out_frame(&o, frame, sizeof frame, 1);
			if (k < 0 && o.len + 48 <= sizeof frame)
				abort();
		}
		if (o.kind == AERO_OUT_EVENT && o.ev.name && strlen(o.ev.name) > 4096)
			abort();
	}
}

static struct aero_loc
loc_of(unsigned k)
{
	switch (k & 3) {
	case 0: return aero_loc_v4(192, 0, 2, 10, 8060);   /* the Server */
	case 1: return aero_loc_v4(10, 1, 0, 1, 40000);    /* a Client */
	case 2: return aero_loc_v4(192, 0, 2, 1, 8060);    /* a Relay */
	default: return aero_loc_v4(198, 51, 100, 7, 4444); /* a stranger */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (n < 1)
		return 0;
	uint8_t mode = d[0];
	struct aero_config cfg;
	bool client = mode & 1;
	aero_config_default(&cfg, client ? AERO_ROLE_CLIENT : AERO_ROLE_SERVER);
	if (mode & 2)
		cfg.profile = AERO_PROFILE_P2;
	if (mode & 4) {
		memset(cfg.icv_key, 0x0b, 20);
		cfg.icv_key_len = 20;
	}
	cfg.pio_x = (mode & 16) != 0;
	cfg.max_neighbors = 64;
	cfg.max_bindings = 64;
	cfg.max_routes = 256;
	cfg.max_ro = 16;
	if (client) {
		cfg.self = loc_of(1);
		cfg.prl[0].loc = loc_of(0);
		cfg.prl[0].id = 10;
		cfg.prl[1].loc = aero_loc_v4(192, 0, 2, 11, 8060);
		cfg.prl[1].id = 11;
		cfg.n_prl = (mode & 32) ? 0 : 2;
		strcpy(cfg.prl_name, "linkupnetworks.example.net");
		cfg.rapid_commit = !(mode & 8);
		cfg.model = (mode & 8) ? AERO_MODEL_ROUTER : (enum aero_model)((mode >> 6) % 3);
		cfg.n_downstream = 2;
	} else {
		cfg.self = loc_of(0);
		cfg.id = 10;
		aero_in6_parse(&cfg.pools[0].prefix, "2001:db8:100::");
		cfg.pools[0].plen = 40;
		cfg.pools[0].deleg_len = (mode & 8) ? 64 : 56;
		cfg.n_pools = 1;
		cfg.relays[0].loc = loc_of(2);
		cfg.relays[0].id = 1;
		cfg.n_relays = 1;
		cfg.vltime = 120;
		cfg.pltime = 60;
		cfg.dhcp_relay = (mode & 64) != 0;
		if (cfg.dhcp_relay)
			cfg.dhcp_server = aero_loc_v6(&(struct aero_in6){{0x20, 0x01, 0x0d,
			                              0xb8, [15] = 0x47}}, 547);
	}
	struct aero_callbacks cb = {.rand = frand};
	rng = 0x1234;
	aero_node *nd;
	aero_tstamp now = 1000 * AERO_SEC;
	if (aero_node_new(&nd, &cfg, &cb, NULL, now) != 0)
		abort();
	drain(nd);

	size_t i = 1;
	unsigned steps = 0;
	while (i + 4 <= n && steps++ < 256) {
		uint8_t op = d[i], dt = d[i + 1];
		size_t len = (size_t)d[i + 2] << 8 | d[i + 3];
		i += 4;
		if (len > n - i)
			len = n - i;
		const uint8_t *b = d + i;
		i += len;
		if (dt == 255) {
			aero_tstamp dl = aero_node_deadline(nd);
			if (dl != AERO_TSTAMP_NONE && dl > now)
				now = dl;
		} else {
			now += (aero_tstamp)dt * 10 * AERO_MS;
		}
		struct aero_pktinfo pi = {0};
		switch (op & 7) {
		case 0:
		case 1:
			pi.side = AERO_SIDE_UNDERLAY;
			pi.src = loc_of(op >> 3);
			pi.dst = cfg.self;
			pi.ttl = (uint8_t)(64 + (op & 1));
			pi.tclass = (uint8_t)(op >> 5);
			if (aero_node_recv(nd, &pi, b, len, now) != 0)
				abort();
			break;
		case 2:
			pi.side = AERO_SIDE_TUNNEL;
			pi.ifindex = (op >> 3) & 3;
			if (aero_node_recv(nd, &pi, b, len, now) != 0)
				abort();
			break;
		case 3:
			aero_node_timeout(nd, now);
			break;
		case 4: {
			struct aero_peer peers[2] = {{loc_of(0), 10}, {loc_of(2), 1}};
			aero_node_name_answer(nd, len && b[0] & 1 ? "other.name" :
			                      "linkupnetworks.example.net", peers,
			                      len ? b[0] % 3 : 1, now);
			break;
		}
		case 5: {
			struct aero_loc l = aero_loc_v4(172, 16, (uint8_t)(op >> 3),
			                                len ? b[0] : 1, 30000);
			aero_node_set_locator(nd, &l, now);
			break;
		}
		case 6: {
			struct aero_prefix p = {{{0x20, 0x01, 0x0d, 0xb8}}, 48};
			if (len >= 17) {
				memcpy(p.prefix.b, b, 16);
				p.plen = b[16];
			}
			struct aero_peer peer = {loc_of(op >> 3), 20 + (op >> 6)};
			aero_node_route_update(nd, (op >> 5) & 1, &p, &peer, now);
			break;
		}
		default:
			aero_node_shutdown(nd, now);
			break;
		}
		drain(nd);
	}
	/* let the timers run for a while: must terminate and stay sane */
	aero_node_timeout(nd, now);
	drain(nd);
	for (int k = 0; k < 64; k++) {
		aero_tstamp dl = aero_node_deadline(nd);
		if (dl == AERO_TSTAMP_NONE)
			break;
		if (dl < now)
			abort(); /* a deadline in the past after timeout ran */
		now = dl;
		aero_node_timeout(nd, now);
		drain(nd);
	}
	char *js = aero_node_dump_json(nd);
	if (!js || js[0] != '{')
		abort();
	g_free(js);
	for (size_t k = 0;; k++) {
		uint64_t v;
		if (!aero_node_counter_at(nd, k, &v))
			break;
	}
	aero_node_free(nd);
	return 0;
}
