/*
 * Whole-packet layered decoder (see aero/wire_packet.h).
 *
 *   +-----------+-----+--------+------------+---------------------------+
 *   | IPv4/IPv6 | UDP | [SEAL] | inner IPv6 | ND / UDP(DHCPv6|6706) / . |
 *   +-----------+-----+--------+------------+---------------------------+
 *                        P2 only: SEAL C=1 carries SCMP instead of IPv6
 *
 * Only the fields that say which layers were decoded are initialised; a
 * layer's struct is valid when AERO_PACKET_HAS(p, layer).
 */
#include "aero/wire_packet.h"

#include <string.h>

#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547

static const char *const layer_names[AERO_PACKET_LAYER_COUNT] = {
	[AERO_PACKET_LAYER_AUTO] = "ip",
	[AERO_PACKET_LAYER_OUTER_IPV4] = "outer_ipv4",
	[AERO_PACKET_LAYER_OUTER_IPV6] = "outer_ipv6",
	[AERO_PACKET_LAYER_UDP] = "udp",
	[AERO_PACKET_LAYER_UDP_PAYLOAD] = "udp_payload",
	[AERO_PACKET_LAYER_SEAL] = "seal",
	[AERO_PACKET_LAYER_INNER_IPV6] = "inner_ipv6",
	[AERO_PACKET_LAYER_INNER_UDP] = "inner_udp",
	[AERO_PACKET_LAYER_ICMPV6] = "icmpv6",
	[AERO_PACKET_LAYER_DHCP6] = "dhcp6",
	[AERO_PACKET_LAYER_RFC6706] = "rfc6706",
	[AERO_PACKET_LAYER_SCMP] = "scmp",
};

static const char *const kind_names[AERO_PACKET_KIND_COUNT] = {
	"error", "other", "data", "nd", "dhcp6", "rfc6706", "scmp",
};

const char *
aero_packet_layer_name(enum aero_packet_layer l)
{
	return (unsigned)l < AERO_PACKET_LAYER_COUNT ? layer_names[l] : "?";
}

const char *
aero_packet_kind_name(enum aero_packet_kind k)
{
	return (unsigned)k < AERO_PACKET_KIND_COUNT ? kind_names[k] : "?";
}

const char *
aero_packet_profile_name(enum aero_packet_profile pr)
{
	switch (pr) {
	case AERO_PACKET_PROFILE_P1: return "P1";
	case AERO_PACKET_PROFILE_P2: return "P2";
	case AERO_PACKET_PROFILE_NONE: return "none";
	default: return "auto";
	}
}

int
aero_packet_layer_parse(const char *name, enum aero_packet_layer *out)
{
	static const struct { const char *n; enum aero_packet_layer l; } t[] = {
		{"auto", AERO_PACKET_LAYER_AUTO},
		{"ip", AERO_PACKET_LAYER_AUTO},
		{"ipv4", AERO_PACKET_LAYER_OUTER_IPV4},
		{"ipv6", AERO_PACKET_LAYER_OUTER_IPV6},
		{"udp", AERO_PACKET_LAYER_UDP},
		{"udp-payload", AERO_PACKET_LAYER_UDP_PAYLOAD},
		{"seal", AERO_PACKET_LAYER_SEAL},
		{"inner-ipv6", AERO_PACKET_LAYER_INNER_IPV6},
		{"icmpv6", AERO_PACKET_LAYER_ICMPV6},
		{"nd", AERO_PACKET_LAYER_ICMPV6},
		{"dhcp6", AERO_PACKET_LAYER_DHCP6},
		{"rfc6706", AERO_PACKET_LAYER_RFC6706},
		{"scmp", AERO_PACKET_LAYER_SCMP},
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (strcmp(name, t[i].n) == 0) {
			*out = t[i].l;
			return 0;
		}
	}
	return -1;
}

void
aero_packet_opts_default(struct aero_packet_opts *o)
{
	memset(o, 0, sizeof *o);
	o->profile = AERO_PACKET_PROFILE_AUTO;
	o->aero_port = AERO_UDP_PORT;
	o->verify_checksums = true;
}

/* Decoding state shared by the layer functions. */
struct dec {
	struct aero_packet *p;
	const struct aero_packet_opts *o;
	const uint8_t *base;
};

static int
fail(struct dec *d, enum aero_packet_layer l, int err, const uint8_t *at)
{
	d->p->kind = AERO_PACKET_KIND_ERROR;
	d->p->err = err;
	d->p->err_layer = l;
	d->p->err_offset = (size_t)(at - d->base);
	return err;
}

static void
has(struct dec *d, enum aero_packet_layer l)
{
	d->p->layers |= 1u << l;
}

static int
data(struct dec *d, enum aero_packet_kind k, uint8_t proto,
     const uint8_t *b, size_t n)
{
	d->p->kind = k;
	d->p->data_proto = proto;
	d->p->data = b;
	d->p->data_len = n;
	return 0;
}

static struct aero_nd_ctx
nd_ctx(const struct dec *d, enum aero_nd_link link)
{
	struct aero_nd_ctx ctx = {
		.link = link,
		.pio_mode = d->o->pio_x ? AERO_PIO_MODE_PIO_X : AERO_PIO_MODE_RFC9762_P,
	};
	return ctx;
}

/* Record the outcome of a final (message) layer decoded at b. */
static int
message(struct dec *d, int rc, enum aero_packet_layer l,
        enum aero_packet_kind k, const uint8_t *b)
{
	if (rc < 0)
		return fail(d, l, rc, b);
	has(d, l);
	d->p->kind = k;
	return 0;
}

static int
do_nd(struct dec *d, const uint8_t *b, size_t n, enum aero_nd_link link,
      const struct aero_in6 *src, const struct aero_in6 *dst,
      enum aero_packet_kind if_other)
{
	struct aero_nd_ctx ctx = nd_ctx(d, link);

	if (n >= 1 && (b[0] < AERO_ND_TYPE_RS || b[0] > AERO_ND_TYPE_REDIRECT))
		return data(d, if_other, AERO_IP_PROTO_ICMPV6, b, n); /* echo etc. */
	if (!d->o->verify_checksums)
		src = dst = NULL;
	return message(d, aero_wire_nd_decode(&d->p->nd, b, n, &ctx, src, dst),
	               AERO_PACKET_LAYER_ICMPV6, AERO_PACKET_KIND_ND, b);
}

static int
do_dhcp6(struct dec *d, const uint8_t *b, size_t n)
{
	return message(d, aero_wire_dhcp6_decode(&d->p->dhcp6, b, n),
	               AERO_PACKET_LAYER_DHCP6, AERO_PACKET_KIND_DHCP6, b);
}

static int
do_rfc6706(struct dec *d, const uint8_t *b, size_t n)
{
	struct aero_nd_ctx ctx = nd_ctx(d, AERO_ND_LINK_AERO);

	return message(d, aero_wire_rfc6706_decode(&d->p->rfc6706, b, n, &ctx),
	               AERO_PACKET_LAYER_RFC6706, AERO_PACKET_KIND_RFC6706, b);
}

static int
do_scmp(struct dec *d, const uint8_t *b, size_t n)
{
	struct aero_nd_ctx ctx = nd_ctx(d, AERO_ND_LINK_AERO);

	return message(d, aero_wire_scmp_decode(&d->p->scmp, b, n, &ctx,
	                                        d->o->verify_checksums),
	               AERO_PACKET_LAYER_SCMP, AERO_PACKET_KIND_SCMP, b);
}

static int
do_inner_udp(struct dec *d, const uint8_t *b, size_t n,
             const struct aero_ip_pseudo *ps)
{
	struct aero_udp *u = &d->p->inner_udp;
	unsigned fl = d->o->allow_zero_udp6 ? AERO_UDP_F_ZERO6_OK : 0;
	int rc = aero_wire_udp_decode(u, b, n, NULL, fl);
	bool control = rc >= 0 && (u->dst_port == AERO_RFC6706_UDP_PORT ||
	                           u->dst_port == DHCP6_SERVER_PORT ||
	                           u->dst_port == DHCP6_CLIENT_PORT);

	/* Verify the checksum of control messages only: a tunnel endpoint
	 * leaves the inner transport checksums of data to the end hosts. */
	if (control && d->o->verify_checksums && ps)
		rc = aero_wire_udp_decode(u, b, n, ps, fl);
	if (rc < 0)
		return fail(d, AERO_PACKET_LAYER_INNER_UDP, rc, b);
	has(d, AERO_PACKET_LAYER_INNER_UDP);
	if (u->dst_port == AERO_RFC6706_UDP_PORT)
		return do_rfc6706(d, u->payload, u->payload_len);
	if (u->dst_port == DHCP6_SERVER_PORT || u->dst_port == DHCP6_CLIENT_PORT)
		return do_dhcp6(d, u->payload, u->payload_len);
	return data(d, AERO_PACKET_KIND_DATA, AERO_IP_PROTO_UDP, b, n);
}

/*
 * Decode an IPv6 header (layer l) and find its upper layer past any
 * extension headers. Returns 1 with *proto, *up and *uplen set, or the
 * final result (0, or an error) when there is nothing more to decode.
 */
static int
ipv6_layer(struct dec *d, struct aero_ipv6 *h, enum aero_packet_layer l,
           enum aero_packet_kind frag_kind, const uint8_t *b, size_t n,
           uint8_t *proto, const uint8_t **up, size_t *uplen)
{
	int rc = aero_wire_ipv6_decode(h, b, n);

	if (rc < 0)
		return fail(d, l, rc, b);
	has(d, l);
	rc = aero_wire_ipv6_upper(h, proto, up, uplen);
	if (rc == AERO_WIRE_E_FIELD) /* non-first fragment */
		return data(d, frag_kind, AERO_IP_PROTO_FRAGMENT, h->payload,
		            h->payload_len);
	if (rc < 0)
		return fail(d, l, rc, h->payload);
	return 1;
}

static int
do_inner6(struct dec *d, const uint8_t *b, size_t n)
{
	struct aero_ipv6 *h = &d->p->inner6;
	struct aero_ip_pseudo ps;
	const uint8_t *up;
	size_t uplen;
	uint8_t proto;
	int rc = ipv6_layer(d, h, AERO_PACKET_LAYER_INNER_IPV6,
	                    AERO_PACKET_KIND_DATA, b, n, &proto, &up, &uplen);

	if (rc != 1)
		return rc;
	switch (proto) {
	case AERO_IP_PROTO_ICMPV6:
		return do_nd(d, up, uplen, AERO_ND_LINK_AERO, &h->src, &h->dst,
		             AERO_PACKET_KIND_DATA);
	case AERO_IP_PROTO_UDP:
		aero_wire_ipv6_pseudo(&ps, h);
		return do_inner_udp(d, up, uplen, &ps);
	default:
		return data(d, AERO_PACKET_KIND_DATA, proto, up, uplen);
	}
}

static int
do_seal(struct dec *d, const uint8_t *b, size_t n)
{
	struct aero_seal *s = &d->p->seal;
	int rc;

	d->p->profile = AERO_PACKET_PROFILE_P2;
	rc = aero_wire_seal_decode(s, b, n, d->o->icv_key, d->o->icv_key_len);
	if (rc == AERO_WIRE_E_ICV) { /* header decoded, ICV did not verify */
		d->p->icv_checked = true;
		d->p->icv_ok = false;
		has(d, AERO_PACKET_LAYER_SEAL);
	}
	if (rc < 0)
		return fail(d, AERO_PACKET_LAYER_SEAL, rc, b);
	has(d, AERO_PACKET_LAYER_SEAL);
	if (s->i && d->o->icv_key) {
		d->p->icv_checked = true;
		d->p->icv_ok = true;
	}
	if (s->c || s->next_header == AERO_SEAL_NH_SCMP)
		return do_scmp(d, s->payload, s->payload_len);
	if (s->next_header == AERO_SEAL_NH_IPV6)
		return do_inner6(d, s->payload, s->payload_len);
	return data(d, AERO_PACKET_KIND_DATA, s->next_header, s->payload,
	            s->payload_len);
}

static int
do_udp_payload(struct dec *d, const uint8_t *b, size_t n)
{
	enum aero_packet_profile pr = d->o->profile;

	if (pr == AERO_PACKET_PROFILE_AUTO) /* an IPv6 header starts with 6 */
		pr = (n >= 1 && (b[0] >> 4) == 6) ? AERO_PACKET_PROFILE_P1 :
		                                    AERO_PACKET_PROFILE_P2;
	if (pr == AERO_PACKET_PROFILE_P2)
		return do_seal(d, b, n);
	d->p->profile = AERO_PACKET_PROFILE_P1;
	return do_inner6(d, b, n);
}

static int
do_udp(struct dec *d, const uint8_t *b, size_t n, const struct aero_ip_pseudo *ps)
{
	struct aero_udp *u = &d->p->udp;
	int rc = aero_wire_udp_decode(u, b, n, d->o->verify_checksums ? ps : NULL,
	                              d->o->allow_zero_udp6 ? AERO_UDP_F_ZERO6_OK : 0);

	if (rc < 0)
		return fail(d, AERO_PACKET_LAYER_UDP, rc, b);
	has(d, AERO_PACKET_LAYER_UDP);
	if (u->src_port == d->o->aero_port || u->dst_port == d->o->aero_port)
		return do_udp_payload(d, u->payload, u->payload_len);
	d->p->profile = AERO_PACKET_PROFILE_NONE;
	if (u->dst_port == DHCP6_SERVER_PORT || u->dst_port == DHCP6_CLIENT_PORT)
		return do_dhcp6(d, u->payload, u->payload_len);
	return data(d, AERO_PACKET_KIND_OTHER, AERO_IP_PROTO_UDP, u->payload,
	            u->payload_len);
}

static int
do_outer4(struct dec *d, const uint8_t *b, size_t n)
{
	struct aero_ipv4 *h = &d->p->outer4;
	struct aero_ip_pseudo ps;
	int rc = aero_wire_ipv4_decode(h, b, n,
	                               d->o->verify_checksums ? 0 : AERO_IPV4_F_NOCSUM);

	if (rc < 0)
		return fail(d, AERO_PACKET_LAYER_OUTER_IPV4, rc, b);
	has(d, AERO_PACKET_LAYER_OUTER_IPV4);
	d->p->profile = AERO_PACKET_PROFILE_NONE;
	if (h->mf || h->frag_off) /* a fragment: nothing more to decode */
		return data(d, AERO_PACKET_KIND_OTHER, h->proto, h->payload,
		            h->payload_len);
	if (h->proto != AERO_IP_PROTO_UDP)
		return data(d, AERO_PACKET_KIND_OTHER, h->proto, h->payload,
		            h->payload_len);
	aero_wire_ipv4_pseudo(&ps, h);
	return do_udp(d, h->payload, h->payload_len, &ps);
}

static int
do_outer6(struct dec *d, const uint8_t *b, size_t n)
{
	struct aero_ipv6 *h = &d->p->outer6;
	struct aero_ip_pseudo ps;
	const uint8_t *up;
	size_t uplen;
	uint8_t proto;
	int rc = ipv6_layer(d, h, AERO_PACKET_LAYER_OUTER_IPV6,
	                    AERO_PACKET_KIND_OTHER, b, n, &proto, &up, &uplen);

	d->p->profile = AERO_PACKET_PROFILE_NONE;
	if (rc != 1)
		return rc;
	switch (proto) {
	case AERO_IP_PROTO_UDP:
		aero_wire_ipv6_pseudo(&ps, h);
		return do_udp(d, up, uplen, &ps);
	case AERO_IP_PROTO_ICMPV6:
		return do_nd(d, up, uplen, AERO_ND_LINK_ETHERNET, &h->src, &h->dst,
		             AERO_PACKET_KIND_OTHER);
	default:
		return data(d, AERO_PACKET_KIND_OTHER, proto, up, uplen);
	}
}

int
aero_wire_packet_decode(struct aero_packet *p, const uint8_t *buf, size_t len,
                        enum aero_packet_layer start,
                        const struct aero_packet_opts *o)
{
	struct aero_packet_opts def;
	struct dec d = { .p = p, .o = o, .base = buf };
	int rc;

	if (!o) {
		aero_packet_opts_default(&def);
		d.o = &def;
	}
	p->kind = AERO_PACKET_KIND_ERROR;
	p->profile = AERO_PACKET_PROFILE_AUTO;
	p->layers = 0;
	p->err = 0;
	p->err_layer = AERO_PACKET_LAYER_AUTO;
	p->err_offset = 0;
	p->icv_checked = p->icv_ok = false;
	p->data = NULL;
	p->data_len = 0;
	p->data_proto = 0;

	switch (start) {
	case AERO_PACKET_LAYER_AUTO:
		if (len < 1)
			rc = fail(&d, AERO_PACKET_LAYER_AUTO, AERO_WIRE_E_TRUNCATED, buf);
		else if ((buf[0] >> 4) == 4)
			rc = do_outer4(&d, buf, len);
		else if ((buf[0] >> 4) == 6)
			rc = do_outer6(&d, buf, len);
		else
			rc = fail(&d, AERO_PACKET_LAYER_AUTO, AERO_WIRE_E_VERSION, buf);
		break;
	case AERO_PACKET_LAYER_OUTER_IPV4: rc = do_outer4(&d, buf, len); break;
	case AERO_PACKET_LAYER_OUTER_IPV6: rc = do_outer6(&d, buf, len); break;
	case AERO_PACKET_LAYER_UDP:        rc = do_udp(&d, buf, len, NULL); break;
	case AERO_PACKET_LAYER_UDP_PAYLOAD: rc = do_udp_payload(&d, buf, len); break;
	case AERO_PACKET_LAYER_SEAL:       rc = do_seal(&d, buf, len); break;
	case AERO_PACKET_LAYER_INNER_IPV6: rc = do_inner6(&d, buf, len); break;
	case AERO_PACKET_LAYER_INNER_UDP:  rc = do_inner_udp(&d, buf, len, NULL); break;
	case AERO_PACKET_LAYER_ICMPV6:
		rc = do_nd(&d, buf, len, AERO_ND_LINK_ETHERNET, NULL, NULL,
		           AERO_PACKET_KIND_OTHER);
		break;
	case AERO_PACKET_LAYER_DHCP6:      rc = do_dhcp6(&d, buf, len); break;
	case AERO_PACKET_LAYER_RFC6706:    rc = do_rfc6706(&d, buf, len); break;
	case AERO_PACKET_LAYER_SCMP:       rc = do_scmp(&d, buf, len); break;
	default:
		rc = fail(&d, AERO_PACKET_LAYER_AUTO, AERO_WIRE_E_INVAL, buf);
		break;
	}
	return rc < 0 ? rc : (int)len;
}
