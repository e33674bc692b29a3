/*
 * emu/aeroctl.c -- the control client of aerod.
 *
 *   aeroctl [-s SOCKET | NODE] [--json] show [state|neighbors|bindings|routes|ro|counters|all]
 *   aeroctl [-s SOCKET | NODE] counters [--json]
 *   aeroctl [-s SOCKET | NODE] log LEVEL
 *   aeroctl [-s SOCKET | NODE] locator ADDR[:PORT]
 *   aeroctl [-s SOCKET | NODE] shutdown | ping
 *
 * NODE means /run/aero/NODE.sock (or $AERO_CTL_DIR/NODE.sock).
 * Exit status: 0 ok, 1 the daemon answered an error, 2 usage, 3 no daemon.
 */
#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char *
request(const char *path, const char *line)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path)
		return NULL;
	g_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char *msg = g_strconcat(line, "\n", NULL);
	if (write(fd, msg, strlen(msg)) < 0) {
		g_free(msg);
		close(fd);
		return NULL;
	}
	g_free(msg);
	GString *s = g_string_new(NULL);
	char buf[65536];
	ssize_t k;
	while ((k = read(fd, buf, sizeof buf)) > 0)
		g_string_append_len(s, buf, k);
	close(fd);
	return g_string_free(s, FALSE);
}

static void print_node(JsonNode *n, int indent, const char *key);

static void
print_scalar(JsonNode *n, GString *s)
{
	if (JSON_NODE_HOLDS_NULL(n)) {
		g_string_append(s, "-");
		return;
	}
	GType t = json_node_get_value_type(n);
	if (t == G_TYPE_STRING)
		g_string_append(s, json_node_get_string(n));
	else if (t == G_TYPE_INT64)
		g_string_append_printf(s, "%" G_GINT64_FORMAT, json_node_get_int(n));
	else if (t == G_TYPE_DOUBLE)
		g_string_append_printf(s, "%g", json_node_get_double(n));
	else if (t == G_TYPE_BOOLEAN)
		g_string_append(s, json_node_get_boolean(n) ? "yes" : "no");
}

/* An object of scalars on one line: "key value key value". */
static bool
flat_object(JsonNode *n, GString *s)
{
	if (!JSON_NODE_HOLDS_OBJECT(n))
		return false;
	JsonObject *o = json_node_get_object(n);
	GList *m = json_object_get_members(o);
	for (GList *l = m; l; l = l->next) {
		JsonNode *v = json_object_get_member(o, l->data);
		if (!JSON_NODE_HOLDS_VALUE(v) && !JSON_NODE_HOLDS_NULL(v)) {
			/* one level of arrays of scalars/flat objects */
			if (JSON_NODE_HOLDS_ARRAY(v)) {
				g_string_append_printf(s, "%s%s [", s->len ? " " : "", (char *)l->data);
				JsonArray *a = json_node_get_array(v);
				for (guint i = 0; i < json_array_get_length(a); i++) {
					JsonNode *e = json_array_get_element(a, i);
					GString *t = g_string_new(NULL);
					if (JSON_NODE_HOLDS_VALUE(e))
						print_scalar(e, t);
					else if (!flat_object(e, t)) {
						g_string_free(t, TRUE);
						g_list_free(m);
						return false;
					}
					g_string_append_printf(s, "%s%s", i ? ", " : "", t->str);
					g_string_free(t, TRUE);
				}
				g_string_append(s, "]");
				continue;
			}
			g_list_free(m);
			return false;
		}
		g_string_append_printf(s, "%s%s ", s->len ? " " : "", (char *)l->data);
		print_scalar(v, s);
	}
	g_list_free(m);
	return true;
}

static void
print_node(JsonNode *n, int indent, const char *key)
{
	GString *s = g_string_new(NULL);
	if (JSON_NODE_HOLDS_VALUE(n) || JSON_NODE_HOLDS_NULL(n)) {
		print_scalar(n, s);
		printf("%*s%s%s%s\n", indent, "", key ? key : "", key ? ": " : "", s->str);
	} else if (JSON_NODE_HOLDS_ARRAY(n)) {
		JsonArray *a = json_node_get_array(n);
		guint len = json_array_get_length(a);
		printf("%*s%s%s(%u)\n", indent, "", key ? key : "", key ? ": " : "", len);
		for (guint i = 0; i < len; i++) {
			JsonNode *e = json_array_get_element(a, i);
			g_string_truncate(s, 0);
			if (JSON_NODE_HOLDS_VALUE(e)) {
				print_scalar(e, s);
				printf("%*s- %s\n", indent + 2, "", s->str);
			} else if (flat_object(e, s)) {
				printf("%*s- %s\n", indent + 2, "", s->str);
			} else {
				printf("%*s-\n", indent + 2, "");
				print_node(e, indent + 4, NULL);
			}
		}
	} else {
		JsonObject *o = json_node_get_object(n);
		if (key)
			printf("%*s%s:\n", indent, "", key);
		GList *m = json_object_get_members(o);
		for (GList *l = m; l; l = l->next)
			print_node(json_object_get_member(o, l->data), key ? indent + 2 : indent,
			           l->data);
		g_list_free(m);
	}
	g_string_free(s, TRUE);
}

static int
usage(int rc)
{
	fprintf(rc ? stderr : stdout,
	        "usage: aeroctl [-s SOCKET | NODE] [--json] COMMAND\n"
	        "  show [state|neighbors|bindings|routes|ro|counters|all]\n"
	        "  counters\n  log LEVEL (0..7, error, warn, notice, info, debug)\n"
	        "  locator ADDR[:PORT]\n  shutdown\n  ping\n");
	return rc;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL;
	bool json = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			json = true;
		else if ((!strcmp(argv[i], "-s") || !strcmp(argv[i], "--socket")) && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(0);
		else
			return usage(2);
	}
	static const char *const cmds[] = {"show", "counters", "log", "locator",
	                                   "shutdown", "ping", NULL};
	bool is_cmd = false;
	for (int k = 0; i < argc && cmds[k]; k++)
		is_cmd |= !strcmp(argv[i], cmds[k]);
	char *path = NULL;
	if (!sock && i < argc && !is_cmd) {
		const char *dir = g_getenv("AERO_CTL_DIR");
		path = g_strdup_printf("%s/%s.sock", dir ? dir : "/run/aero", argv[i++]);
		sock = path;
	}
	if (!sock || i >= argc)
		return usage(2);
	const char *cmd = argv[i++];
	const char *section = NULL;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			json = true;
		else if (!section)
			section = argv[i];
		else
			return usage(2);
	}
	char *line;
	if (!strcmp(cmd, "show") || !strcmp(cmd, "counters") ||
	    !strcmp(cmd, "shutdown") || !strcmp(cmd, "ping"))
		line = g_strdup(strcmp(cmd, "show") ? cmd : "show");
	else if ((!strcmp(cmd, "log") || !strcmp(cmd, "locator")) && section)
		line = g_strdup_printf("%s %s", cmd, section);
	else
		return usage(2);
	char *ans = request(sock, line);
	g_free(line);
	if (!ans) {
		fprintf(stderr, "aeroctl: cannot reach aerod at %s: %s\n", sock, g_strerror(errno));
		return 3;
	}
	JsonParser *p = json_parser_new();
	GError *err = NULL;
	if (!json_parser_load_from_data(p, ans, -1, &err)) {
		fprintf(stderr, "aeroctl: bad answer: %s\n", err->message);
		return 1;
	}
	JsonNode *root = json_parser_get_root(p);
	JsonObject *o = JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
	if (o && json_object_has_member(o, "error")) {
		fprintf(stderr, "aeroctl: %s\n", json_object_get_string_member(o, "error"));
		return 1;
	}
	JsonNode *show = root;
	const char *key = NULL;
	if (!strcmp(cmd, "show") && section && strcmp(section, "all") != 0 && o) {
		key = !strcmp(section, "ro") ? "ro" : section;
		if (!strcmp(section, "state")) {
			/* everything but the tables */
			JsonObject *st = json_object_new();
			GList *m = json_object_get_members(o);
			for (GList *l = m; l; l = l->next) {
				JsonNode *v = json_object_get_member(o, l->data);
				if (JSON_NODE_HOLDS_VALUE(v) || JSON_NODE_HOLDS_NULL(v))
					json_object_set_member(st, l->data, json_node_copy(v));
			}
			g_list_free(m);
			show = json_node_new(JSON_NODE_OBJECT);
			json_node_take_object(show, st);
			key = NULL;
		} else if (json_object_has_member(o, key)) {
			show = json_object_get_member(o, key);
		} else {
			/* the member may be named differently per role: search
			 * one level down (e.g. "server": {"bindings": ...}) */
			show = NULL;
			GList *m = json_object_get_members(o);
			for (GList *l = m; l && !show; l = l->next) {
				JsonNode *v = json_object_get_member(o, l->data);
				if (JSON_NODE_HOLDS_OBJECT(v) &&
				    json_object_has_member(json_node_get_object(v), key))
					show = json_object_get_member(json_node_get_object(v), key);
			}
			g_list_free(m);
			if (!show) {
				fprintf(stderr, "aeroctl: this node has no '%s'\n", section);
				return 1;
			}
		}
	}
	if (json) {
		JsonGenerator *g = json_generator_new();
		json_generator_set_pretty(g, FALSE);
		json_generator_set_root(g, show);
		char *t = json_generator_to_data(g, NULL);
		printf("%s\n", t);
		g_free(t);
		g_object_unref(g);
	} else {
		print_node(show, 0, key);
	}
	g_object_unref(p);
	g_free(ans);
	g_free(path);
	return 0;
}
