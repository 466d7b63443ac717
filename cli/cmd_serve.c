/* cmd_serve.c - `ambassador serve`: options, then ipc_server_run. Also
 * holds cli_parse_int, shared by the service commands. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_service.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/num.h"
#include "core/testhook.h"
#include "ipc/auth.h"
#include "ipc/protocol.h"
#include "ipc/server.h"

int cli_parse_int(const char *text, const char *what, long long min, long long max, long long *out)
{
	int64_t v = 0;

	if (num_int(text, min, max, &v) != 0)
		return err_set(ERR_USAGE, "%s must be a whole number from %lld to %lld, not '%s'",
		               what, min, max, text);
	*out = v;
	return 0;
}

/* A public key given as the secret would start a server whose every
 * client times out in the handshake: refuse it at start. keygen writes
 * NAME.key and NAME.pub; a file named .pub, or whose key is the one in the
 * NAME.pub beside it, is a public key. */
static int check_secret_file(const char *path)
{
	size_t len = strlen(path);
	char key[41], other[41], *pub;
	int rc;

	if (len > 4 && strcmp(path + len - 4, ".pub") == 0)
		return err_set(ERR_USAGE,
		               "--curve-secret %s: that is a public key file; give the server's "
		               "secret key (NAME.key from `ambassador keygen NAME`)",
		               path);
	if ((rc = ipc_key_read(path, key)))
		return rc;
	if (len <= 4 || strcmp(path + len - 4, ".key") != 0)
		return 0;
	pub = xstrdup(path);
	memcpy(pub + len - 4, ".pub", 4);
	rc = ipc_key_read(pub, other) == 0 && strcmp(key, other) == 0;
	free(pub);
	err_clear();
	if (rc)
		return err_set(ERR_USAGE,
		               "--curve-secret %s: this key is the public key in the .pub file "
		               "beside it; give the secret key",
		               path);
	return 0;
}

static void print_op(void *ctx, const char *line)
{
	fprintf(ctx, "  %s\n", line);
}

static void serve_help(FILE *f)
{
	fprintf(f,
	        "usage: ambassador [--db PATH] serve [--bind ENDPOINT] [--pub ENDPOINT]\n"
	        "         [--role hr|intranet] [--socket-group GROUP]\n"
	        "         [--curve-secret KEYFILE --clients CLIENTS.csv]\n"
	        "         [--workers N] [--poll-ms N] [--rate-limit N [--rate-burst N]]\n"
	        "         [--max-connections N]\n\n"
	        "Answer requests of the JSON protocol on a ZeroMQ ROUTER socket from the\n"
	        "published score snapshot, held in memory; `invitations` lists the people of\n"
	        "the newest approved pilot (`ambassador pilot`). A newly published snapshot\n"
	        "or approved pilot is picked up without a restart (new snapshots are\n"
	        "announced on --pub as scores.updated). One line on start says where it\n"
	        "listens, who gets in and what it serves.\n\n"
	        "  --bind ENDPOINT     where clients connect (default %s)\n"
	        "  --pub ENDPOINT      also publish scores.updated here\n"
	        "  --role ROLE         without CURVE: the role every client gets (default hr\n"
	        "                      on ipc://, intranet on tcp://; hr on tcp:// lets every\n"
	        "                      local user read HR data and logs a warning)\n"
	        "  --socket-group GROUP  an ipc:// socket is 0660 for this group (default 0600)\n"
	        "  --curve-secret FILE the server's secret key (from `ambassador keygen`)\n"
	        "  --clients FILE      CSV public_key,role,name of the clients let in; SIGHUP\n"
	        "                      reloads it\n"
	        "  --workers N         worker threads (default 2)\n"
	        "  --poll-ms N         how often to look for a new publication (default 500)\n"
	        "  --rate-limit N      requests a second each client may send (default 0: no\n"
	        "                      limit; every client without CURVE is one client,\n"
	        "                      \"local\"); past it `rate_limited` with retry_after_ms\n"
	        "  --rate-burst N      requests a client may send at once (default: N of\n"
	        "                      --rate-limit)\n"
	        "  --max-connections N client connections open at once (default %d, or\n"
	        "                      fewer when the open-files limit is lower); one more\n"
	        "                      is closed as soon as it is accepted\n\n"
	        "The audit log keeps one row per minute, client, op and status with the\n"
	        "number of requests (`ambassador audit`); while it cannot be written only\n"
	        "ping is answered.\n"
	        "Without CURVE only loopback tcp:// or ipc:// may be bound. An ipc:// socket\n"
	        "lives in a directory of this user's that nobody else may write to; a second\n"
	        "server on the same path is refused. SIGINT or SIGTERM stop it cleanly. See\n"
	        "docs/operations.md, 'Security and hardening'.\n\nops:\n",
	        IPC_DEFAULT_ENDPOINT, IPC_MAX_CONNECTIONS);
	proto_describe_ops(print_op, f);
}

int cmd_serve(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"bind", required_argument, NULL, 'b'},
	    {"pub", required_argument, NULL, 'p'},
	    {"role", required_argument, NULL, 'r'},
	    {"socket-group", required_argument, NULL, 'g'},
	    {"curve-secret", required_argument, NULL, 's'},
	    {"clients", required_argument, NULL, 'c'},
	    {"workers", required_argument, NULL, 'w'},
	    {"poll-ms", required_argument, NULL, 'P'},
	    {"rate-limit", required_argument, NULL, 'L'},
	    {"rate-burst", required_argument, NULL, 'B'},
	    {"max-connections", required_argument, NULL, 'M'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ipc_server_opts o = {
	    .db_path = app->db_path,
	    .read_only = app->read_only,
	    .bind = IPC_DEFAULT_ENDPOINT,
	    .role = ROLE_NONE, /* chosen by the endpoint: see ipc_server_opts */
	    .workers = 2,
	    .poll_ms = 500,
	};
	long long v = 0;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': o.bind = optarg; break;
		case 'p': o.pub = optarg; break;
		case 'r':
			if ((o.role = ipc_role_parse(optarg)) == ROLE_NONE)
				return err_set(ERR_USAGE, "--role must be hr or intranet");
			break;
		case 'g': o.socket_group = optarg; break;
		case 's': o.curve_secret = optarg; break;
		case 'c': o.clients = optarg; break;
		case 'w':
			if ((rc = cli_parse_int(optarg, "--workers", 1, 16, &v)))
				return rc;
			o.workers = (int)v;
			break;
		case 'P':
			if ((rc = cli_parse_int(optarg, "--poll-ms", 10, 60000, &v)))
				return rc;
			o.poll_ms = (int)v;
			break;
		case 'L':
			if ((rc = cli_parse_int(optarg, "--rate-limit", 0, 1000000, &v)))
				return rc;
			o.rate_limit = (double)v;
			break;
		case 'B':
			if ((rc = cli_parse_int(optarg, "--rate-burst", 1, 1000000, &v)))
				return rc;
			o.rate_burst = (double)v;
			break;
		case 'M':
			if ((rc = cli_parse_int(optarg, "--max-connections", 1, 1000000, &v)))
				return rc;
			o.max_connections = (int)v;
			break;
		case 'h': serve_help(app->out); return 0;
		default: return err_set(ERR_USAGE, "see `ambassador serve --help`");
		}
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "serve takes no arguments (see --help)");
	if (o.rate_burst > 0 && !(o.rate_limit > 0))
		return err_set(ERR_USAGE, "--rate-burst needs --rate-limit");
	if (o.curve_secret && (rc = check_secret_file(o.curve_secret)))
		return rc;
	/* Test hook (core/testhook.h) for test plan F3: prove the server fails
	 * closed when no ZAP handler answers. Not in product builds. */
	const char *nozap = testhook_env("AMB_TEST_NO_ZAP");
	o.no_zap = nozap && strcmp(nozap, "1") == 0;
	return ipc_server_run(&o);
}
