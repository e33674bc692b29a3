/*
 * emu/aerod/ctl.c -- the UNIX control socket (aeroctl). One request line per
 * connection, one JSON answer, then the daemon closes:
 *
 *   show                 the node state (aero_node_dump_json) plus "node",
 *                        "tun", "host_counters"
 *   counters             {"counter": value, ...}: core and host counters
 *   log LEVEL            set the log level (0..7 or error|warn|notice|info|debug)
 *   locator ADDR[:PORT]  the node's locator changed (move, NAT rebinding):
 *                        rebind the socket, aero_node_set_locator
 *   shutdown             as SIGTERM
 *   ping                 liveness
 * Errors: {"error": "..."}.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "aerod.h"
#include "aero/json.h"

static const char *const level_names[] = {"emerg", "alert", "crit", "error",
                                          "warn", "notice", "info", "debug"};

static char *
answer_error(const char *msg)
{
	GString *s = g_string_new(NULL);
	struct aj j;
	aj_init(&j, s);
	aj_obj_begin(&j, NULL);
	aj_str(&j, "error", msg);
	aj_obj_end(&j);
	return g_string_free(s, FALSE);
}

static char *
answer_ok(const char *key, const char *val)
{
	GString *s = g_string_new(NULL);
	struct aj j;
	aj_init(&j, s);
	aj_obj_begin(&j, NULL);
	aj_bool(&j, "ok", true);
	if (key)
		aj_str(&j, key, val);
	aj_obj_end(&j);
	return g_string_free(s, FALSE);
}

static char *
answer_counters(struct aerod *d)
{
	fastpath_counters(d);
	GString *s = g_string_new(NULL);
	struct aj j;
	aj_init(&j, s);
	aj_obj_begin(&j, NULL);
	uint64_t v;
	const char *name;
	for (size_t i = 0; (name = aero_node_counter_at(d->node, i, &v)); i++)
		aj_uint(&j, name, v);
	for (size_t i = 0; i < G_N_ELEMENTS(aerod_host_counter_names); i++)
		aj_uint(&j, aerod_host_counter_names[i], d->host_cnt[i]);
	aj_obj_end(&j);
	return g_string_free(s, FALSE);
}

static char *
answer_show(struct aerod *d)
{
	fastpath_counters(d);
	char *dump = aero_node_dump_json(d->node);
	GString *s = g_string_new(NULL);
	struct aj j;
	aj_init(&j, s);
	aj_obj_begin(&j, NULL);
	aj_str(&j, "node", d->name);
	aj_str(&j, "tun", d->tun_name);
	char *fpd = fastpath_describe(d);
	aj_str(&j, "fastpath", fpd);
	g_free(fpd);
	aj_obj_begin(&j, "host_counters");
	for (size_t i = 0; i < G_N_ELEMENTS(aerod_host_counter_names); i++)
		aj_uint(&j, aerod_host_counter_names[i], d->host_cnt[i]);
	aj_obj_end(&j);
	aj_obj_end(&j);
	/* splice: {"node":...,"host_counters":{..}} + the core dump's members */
	if (dump && dump[0] == '{' && dump[1] != '}') {
		g_string_truncate(s, s->len - 1);
		g_string_append_c(s, ',');
		g_string_append(s, dump + 1);
	}
	g_free(dump);
	return g_string_free(s, FALSE);
}

static char *
handle(struct aerod *d, char *line)
{
	g_strstrip(line);
	char **w = g_strsplit_set(line, " \t", 3);
	char *out = NULL;
	const char *cmd = w[0] ? w[0] : "";
	d->host_cnt[HC_CTL_REQ]++;
	if (!strcmp(cmd, "show")) {
		out = answer_show(d);
	} else if (!strcmp(cmd, "counters")) {
		out = answer_counters(d);
	} else if (!strcmp(cmd, "ping")) {
		out = answer_ok("node", d->name);
	} else if (!strcmp(cmd, "log")) {
		int lv = -1;
		if (w[1] && g_ascii_isdigit(w[1][0]))
			lv = atoi(w[1]);
		for (int i = 0; w[1] && i < 8; i++)
			if (!strcmp(w[1], level_names[i]))
				lv = i;
		if (lv < 0 || lv > 7) {
			out = answer_error("log LEVEL: 0..7 or emerg|alert|crit|error|warn|notice|info|debug");
		} else {
			aerod_set_log_level(lv);
			g_message("log level set to %s", level_names[lv]);
			out = answer_ok("log", level_names[lv]);
		}
	} else if (!strcmp(cmd, "locator")) {
		struct aero_loc loc;
		GError *err = NULL;
		if (!w[1] || aero_loc_parse(&loc, w[1], d->cfg.self.port) != 0) {
			out = answer_error("locator ADDR[:PORT]: not an address");
		} else if (loc.family != d->cfg.self.family) {
			out = answer_error("locator: the address family cannot change");
		} else if (udp_rebind(d, &loc, &err) != 0) {
			out = answer_error(err->message);
			g_error_free(err);
		} else {
			char a[64];
			d->cfg.self = loc;
			int rc = aero_node_set_locator(d->node, &loc, aerod_now());
			aerod_run_core(d);
			aero_loc_format(&loc, a, sizeof a);
			g_message("locator now %s", a);
			out = rc ? answer_error(aero_strerror(rc)) : answer_ok("locator", a);
		}
	} else if (!strcmp(cmd, "shutdown")) {
		kill(getpid(), SIGTERM);
		out = answer_ok(NULL, NULL);
	} else {
		out = answer_error("unknown command (show, counters, log LEVEL, locator ADDR, shutdown, ping)");
	}
	g_strfreev(w);
	return out;
}

static gboolean
ctl_accept(gint fd, GIOCondition c, gpointer user)
{
	(void)c;
	struct aerod *d = user;
	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return G_SOURCE_CONTINUE;
	struct timeval tv = {.tv_sec = 1};
	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	char line[512];
	size_t n = 0;
	while (n < sizeof line - 1) {
		ssize_t k = read(cfd, line + n, sizeof line - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
		if (memchr(line, '\n', n))
			break;
	}
	line[n] = 0;
	char *nl = strchr(line, '\n');
	if (nl)
		*nl = 0;
	char *ans = handle(d, line);
	size_t len = strlen(ans), off = 0;
	while (off < len) {
		ssize_t k = write(cfd, ans + off, len - off);
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	if (write(cfd, "\n", 1) < 0)
		g_debug("control: write: %s", g_strerror(errno));
	g_free(ans);
	close(cfd);
	return G_SOURCE_CONTINUE;
}

int
ctl_open(struct aerod *d, GError **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(d->o.ctl_path) >= sizeof sa.sun_path) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "control socket path too long: %s", d->o.ctl_path);
		return -1;
	}
	char *dir = g_path_get_dirname(d->o.ctl_path);
	g_mkdir_with_parents(dir, 0755);
	g_free(dir);
	g_strlcpy(sa.sun_path, d->o.ctl_path, sizeof sa.sun_path);
	d->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	unlink(d->o.ctl_path);
	if (d->ctl_fd < 0 || bind(d->ctl_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(d->ctl_fd, 8) < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		            "control socket %s: %s", d->o.ctl_path, g_strerror(errno));
		return -1;
	}
	chmod(d->o.ctl_path, 0600);
	g_unix_fd_add(d->ctl_fd, G_IO_IN, ctl_accept, d);
	return 0;
}

void
ctl_close(struct aerod *d)
{
	if (d->ctl_fd >= 0) {
		close(d->ctl_fd);
		unlink(d->o.ctl_path);
	}
	d->ctl_fd = -1;
}
