/*
 * aero-decode: decode AERO/VET packets for people.
 *
 *   aero-decode [OPTIONS] [FILE...]      (no FILE or "-": standard input)
 *
 * Input: pcap/pcapng (Ethernet, raw IP, Linux cooked v1/v2, null/loopback)
 * or hex text ('#' comments, optional "0000  " offset column; a packet ends
 * at a blank line or at a new 0000 offset; --lines: one packet per line).
 * Output: one JSON object per packet on stdout. Exit status 0 when every
 * packet decoded, 1 when some did not, 2 on a usage or input-file error.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aero/wire.h"
#include "aero/json.h"
#include "json_packet.h"
#include "hexin.h"

struct opts {
	enum aero_packet_layer layer;
	struct aero_packet_opts popts;
	uint8_t key[64];
	bool lines;
	bool summary;
	bool strict;
};

struct stats {
	unsigned long packets, ok, failed, warnings, files_failed;
	unsigned long by_kind[AERO_PACKET_KIND_COUNT];
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: aero-decode [OPTIONS] [FILE...]\n"
	    "Decode AERO/VET packets from pcap/pcapng files or hex text (stdin when no FILE)\n"
	    "and print one JSON object per packet.\n\n"
	    "  --layer=L      first layer: auto (default), ip, ipv4, ipv6, udp-payload, icmpv6,\n"
	    "                 dhcp6, rfc6706, seal, scmp\n"
	    "  --profile=P    p1, p2 or auto (default): SEAL shim after UDP or not\n"
	    "  --pio-x        decode PIO bit 0x10 as the PIO-X X flag (default: RFC 9762 P)\n"
	    "  --icv-key=HEX  verify SEAL ICVs with this HMAC-SHA1 key\n"
	    "  --port=N       AERO UDP port (default 8060)\n"
	    "  --lines        hex input: every non-empty line is one packet\n"
	    "  --strict       a bad checksum fails the packet (default: decode it anyway\n"
	    "                 with a \"warning\" member, as captures of locally sent packets\n"
	    "                 often carry offloaded checksums)\n"
	    "  --no-checksums do not verify checksums at all\n"
	    "  --summary      print a summary line per input and a total on stderr\n"
	    "  -h, --help     this text\n");
}

static int
parse_hexkey(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(s);

	if (n == 0 || n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*len = n / 2;
	return 0;
}

static void
decode_one(const struct opts *o, struct stats *st, const char *src,
           unsigned long index, const uint8_t *p, size_t len,
           const char *note)
{
	struct aero_packet pkt;
	GString *s = g_string_new(NULL);
	struct aj j;
	enum aero_packet_layer csum_layer = AERO_PACKET_LAYER_AUTO;
	size_t csum_off = 0;
	bool csum_bad = false;
	int rc;

	rc = aero_wire_packet_decode(&pkt, p, len, o->layer, &o->popts);
	if (rc == AERO_WIRE_E_CHECKSUM && !o->strict) {
		/* Captures taken on the sending host often carry unfinished
		 * checksums (offload): decode anyway and say so. */
		struct aero_packet_opts lax = o->popts;
		csum_layer = pkt.err_layer;
		csum_off = pkt.err_offset;
		lax.verify_checksums = false;
		rc = aero_wire_packet_decode(&pkt, p, len, o->layer, &lax);
		csum_bad = rc >= 0;
	}
	aj_init(&j, s);
	aj_obj_begin(&j, NULL);
	aj_str(&j, "source", src);
	aj_uint(&j, "packet", index);
	aj_uint(&j, "length", len);
	if (note)
		aj_str(&j, "note", note);
	if (csum_bad) {
		aj_obj_begin(&j, "warning");
		aj_str(&j, "layer", aero_packet_layer_name(csum_layer));
		aj_str(&j, "reason", "bad checksum (checksum offload on the capturing host?)");
		aj_uint(&j, "offset", csum_off);
		aj_obj_end(&j);
	}
	json_packet(&j, &pkt);
	aj_obj_end(&j);
	puts(s->str);
	g_string_free(s, TRUE);

	st->packets++;
	st->by_kind[pkt.kind]++;
	if (rc < 0) {
		st->failed++;
		fflush(stdout);
		fprintf(stderr, "aero-decode: %s packet %lu: %s: %s at offset %zu\n",
		        src, index, aero_packet_layer_name(pkt.err_layer),
		        aero_wire_strerror(pkt.err), pkt.err_offset);
	} else {
		st->ok++;
		if (csum_bad)
			st->warnings++;
	}
}

/* ---- pcap input ------------------------------------------------------- */

/* Strip the link-layer header; returns the offset of the IP header or -1. */
static long
link_offset(int dlt, const uint8_t *p, size_t len)
{
	size_t off;
	uint16_t et;

	switch (dlt) {
	case DLT_RAW:
	case 14: /* DLT_RAW on OpenBSD */
	case DLT_IPV4:
	case DLT_IPV6:
		return 0;
	case DLT_NULL:
	case DLT_LOOP:
		return len >= 4 ? 4 : -1;
	case DLT_EN10MB:
		if (len < 14)
			return -1;
		off = 12;
		et = (uint16_t)(p[off] << 8 | p[off + 1]);
		while ((et == 0x8100 || et == 0x88a8) && len >= off + 6) {
			off += 4;
			et = (uint16_t)(p[off] << 8 | p[off + 1]);
		}
		if (et != 0x0800 && et != 0x86dd)
			return -1;
		return (long)(off + 2);
	case DLT_LINUX_SLL:
		if (len < 16)
			return -1;
		et = (uint16_t)(p[14] << 8 | p[15]);
		return (et == 0x0800 || et == 0x86dd) ? 16 : -1;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		if (len < 20)
			return -1;
		et = (uint16_t)(p[0] << 8 | p[1]);
		return (et == 0x0800 || et == 0x86dd) ? 20 : -1;
#endif
	default:
		return -2;
	}
}

static int
read_pcap(const struct opts *o, struct stats *st, const char *name,
          uint8_t *data, size_t size)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	FILE *f = fmemopen(data, size, "rb");
	pcap_t *pc;
	struct pcap_pkthdr *h;
	const u_char *pkt;
	unsigned long n = 0;
	int rc, dlt;

	if (!f) {
		fprintf(stderr, "aero-decode: %s: %s\n", name, strerror(errno));
		return -1;
	}
	pc = pcap_fopen_offline(f, errbuf);
	if (!pc) {
		fprintf(stderr, "aero-decode: %s: not a readable capture: %s\n", name, errbuf);
		fclose(f);
		return -1;
	}
	dlt = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &h, &pkt)) == 1) {
		long off = link_offset(dlt, pkt, h->caplen);
		n++;
		if (off == -2) {
			fprintf(stderr, "aero-decode: %s: unsupported link type %d (%s)\n",
			        name, dlt, pcap_datalink_val_to_name(dlt) ?
			        pcap_datalink_val_to_name(dlt) : "?");
			pcap_close(pc);
			return -1;
		}
		if (off < 0) {
			/* Not IP at the link layer: report it as an error record. */
			GString *s = g_string_new(NULL);
			struct aj j;
			aj_init(&j, s);
			aj_obj_begin(&j, NULL);
			aj_str(&j, "source", name);
			aj_uint(&j, "packet", n);
			aj_uint(&j, "length", h->caplen);
			aj_str(&j, "kind", "error");
			aj_obj_begin(&j, "error");
			aj_str(&j, "layer", "link");
			aj_str(&j, "reason", "not IPv4/IPv6");
			aj_obj_end(&j);
			aj_obj_end(&j);
			puts(s->str);
			g_string_free(s, TRUE);
			fprintf(stderr, "aero-decode: %s packet %lu: link layer: not IPv4/IPv6\n",
			        name, n);
			st->packets++;
			st->failed++;
			continue;
		}
		decode_one(o, st, name, n, pkt + off, h->caplen - (size_t)off,
		           h->caplen < h->len ? "capture truncated (snaplen)" : NULL);
	}
	if (rc == -1) {
		fprintf(stderr, "aero-decode: %s: bad capture record after packet %lu: %s\n",
		        name, n, pcap_geterr(pc));
		pcap_close(pc);
		return -1;
	}
	pcap_close(pc);
	return 0;
}

/* ---- hex input -------------------------------------------------------- */

struct hexctx {
	const struct opts *o;
	struct stats *st;
	const char *name;
	unsigned long n;
};

static void
hex_packet(void *user, const uint8_t *p, size_t len)
{
	struct hexctx *h = user;

	decode_one(h->o, h->st, h->name, ++h->n, p, len, NULL);
}

static int
read_hex(const struct opts *o, struct stats *st, const char *name,
         const char *text, size_t len)
{
	struct hexctx h = { o, st, name, 0 };
	struct hexin_err err;

	if (hexin_parse(text, len, o->lines, hex_packet, &h, &err) >= 0)
		return 0;
	fflush(stdout);
	if (err.ch >= 0x21 && err.ch < 0x7f)
		fprintf(stderr, "aero-decode: %s:%lu: %s: '%c'\n", name, err.line,
		        err.what, err.ch);
	else if (err.ch)
		fprintf(stderr, "aero-decode: %s:%lu: %s: byte 0x%02x\n", name,
		        err.line, err.what, err.ch);
	else
		fprintf(stderr, "aero-decode: %s:%lu: %s\n", name, err.line, err.what);
	return -1;
}

static int
read_input(const struct opts *o, struct stats *st, const char *path)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	gchar *data = NULL;
	gsize size = 0;
	GError *err = NULL;
	int rc;

	if (strcmp(path, "-") == 0) {
		GByteArray *b = g_byte_array_new();
		uint8_t buf[65536];
		size_t k;
		while ((k = fread(buf, 1, sizeof buf, stdin)) > 0)
			g_byte_array_append(b, buf, (guint)k);
		size = b->len;
		g_byte_array_append(b, (const uint8_t *)"", 1);
		data = (gchar *)g_byte_array_free(b, FALSE);
	} else if (!g_file_get_contents(path, &data, &size, &err)) {
		fprintf(stderr, "aero-decode: %s\n", err->message);
		g_error_free(err);
		return -1;
	}
	if (size >= 4 && (memcmp(data, "\xd4\xc3\xb2\xa1", 4) == 0 ||
	                  memcmp(data, "\xa1\xb2\xc3\xd4", 4) == 0 ||
	                  memcmp(data, "\x4d\x3c\xb2\xa1", 4) == 0 ||
	                  memcmp(data, "\xa1\xb2\x3c\x4d", 4) == 0 ||
	                  memcmp(data, "\x0a\x0d\x0d\x0a", 4) == 0))
		rc = read_pcap(o, st, name, (uint8_t *)data, size);
	else if (memchr(data, '\0', size))
		rc = (fprintf(stderr, "aero-decode: %s: neither a pcap file nor hex text\n", name), -1);
	else
		rc = read_hex(o, st, name, data, size);
	g_free(data);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct stats st;
	int nfiles = 0, i;
	size_t keylen = 0;

	memset(&o, 0, sizeof o);
	memset(&st, 0, sizeof st);
	o.layer = AERO_PACKET_LAYER_AUTO;
	aero_packet_opts_default(&o.popts);

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strncmp(a, "--layer=", 8) == 0) {
			if (aero_packet_layer_parse(a + 8, &o.layer) < 0) {
				fprintf(stderr, "aero-decode: unknown layer '%s'\n", a + 8);
				usage(stderr);
				return 2;
			}
		} else if (strcmp(a, "--profile=p1") == 0) {
			o.popts.profile = AERO_PACKET_PROFILE_P1;
		} else if (strcmp(a, "--profile=p2") == 0) {
			o.popts.profile = AERO_PACKET_PROFILE_P2;
		} else if (strcmp(a, "--profile=auto") == 0) {
			o.popts.profile = AERO_PACKET_PROFILE_AUTO;
		} else if (strcmp(a, "--pio-x") == 0) {
			o.popts.pio_x = true;
		} else if (strncmp(a, "--icv-key=", 10) == 0) {
			if (parse_hexkey(a + 10, o.key, sizeof o.key, &keylen) < 0) {
				fprintf(stderr, "aero-decode: --icv-key wants 1-64 bytes of hex\n");
				return 2;
			}
			o.popts.icv_key = o.key;
			o.popts.icv_key_len = keylen;
		} else if (strncmp(a, "--port=", 7) == 0) {
			char *end;
			long v = strtol(a + 7, &end, 10);
			if (*end || v <= 0 || v > 65535) {
				fprintf(stderr, "aero-decode: bad port '%s'\n", a + 7);
				return 2;
			}
			o.popts.aero_port = (uint16_t)v;
		} else if (strcmp(a, "--strict") == 0) {
			o.strict = true;
		} else if (strcmp(a, "--no-checksums") == 0) {
			o.popts.verify_checksums = false;
		} else if (strcmp(a, "--lines") == 0) {
			o.lines = true;
		} else if (strcmp(a, "--summary") == 0) {
			o.summary = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "aero-decode: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '-' && a[1] != '\0')
			continue;
		nfiles++;
		unsigned long before = st.packets, bad = st.failed;
		if (read_input(&o, &st, a) < 0)
			st.files_failed++;
		fflush(stdout); /* keep the JSON before the summary lines */
		if (o.summary)
			fprintf(stderr, "%s: %lu packets, %lu decoded, %lu failed\n",
			        a, st.packets - before, (st.packets - before) - (st.failed - bad),
			        st.failed - bad);
	}
	if (nfiles == 0 && read_input(&o, &st, "-") < 0)
		st.files_failed++;
	fflush(stdout);
	if (o.summary) {
		fprintf(stderr, "summary: %lu packets from %d input%s: %lu decoded, %lu failed",
		        st.packets, nfiles ? nfiles : 1, nfiles == 1 ? "" : "s", st.ok, st.failed);
		if (st.warnings)
			fprintf(stderr, " (%lu with bad checksums)", st.warnings);
		for (int k = 0; k < AERO_PACKET_KIND_COUNT; k++)
			if (st.by_kind[k])
				fprintf(stderr, "; %s %lu", aero_packet_kind_name((enum aero_packet_kind)k),
				        st.by_kind[k]);
		fprintf(stderr, "%s\n", st.files_failed ? "; some inputs unreadable" : "");
	}
	if (st.files_failed)
		return 2;
	return st.failed ? 1 : 0;
}
