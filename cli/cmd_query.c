/* cmd_query.c - `ambassador query JSON`: send one request to a server and
 * print the reply. Exit status 0 only for an `ok:true` reply. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_service.h"
#include "cli/table.h"
#include "core/err.h"
#include "ipc/auth.h"
#include "ipc/client.h"
#include "ipc/protocol.h"
#include "ipc/server.h"

/* The largest reply of the protocol (rank, limit 1000) is well under 1 MiB. */
#define QUERY_MAX_REPLY (16 * 1024 * 1024)

static void query_help(FILE *f)
{
	fprintf(f,
	        "usage: ambassador query JSON [--connect ENDPOINT] [--timeout MS] [--retries N]\n"
	        "         [--max-reply BYTES] [--curve-server-key FILE --curve-secret FILE]\n\n"
	        "Send one request, e.g. '{\"op\":\"rank\",\"limit\":5}', print the reply. On\n"
	        "no reply within --timeout (default 2000 ms) the request is sent again on a\n"
	        "fresh socket, up to --retries times (default 2). Exit status 0 for an\n"
	        "ok reply, 1 for an error reply or no reply. Control characters in the reply\n"
	        "are printed escaped (\\xHH, \\u{HHHH}).\n\n"
	        "  --connect ENDPOINT        default %s\n"
	        "  --max-reply BYTES         longer replies are not read (default %d)\n"
	        "  --curve-server-key FILE   the server's public key (.pub): use CURVE\n"
	        "  --curve-secret FILE       this client's secret key (.key)\n",
	        IPC_DEFAULT_ENDPOINT, QUERY_MAX_REPLY);
}

int cmd_query(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"connect", required_argument, NULL, 'c'},
	    {"timeout", required_argument, NULL, 't'},
	    {"retries", required_argument, NULL, 'r'},
	    {"max-reply", required_argument, NULL, 'm'},
	    {"curve-server-key", required_argument, NULL, 'k'},
	    {"curve-secret", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ipc_client_opts o = {.endpoint = IPC_DEFAULT_ENDPOINT,
	                            .timeout_ms = 2000,
	                            .retries = 2,
	                            .max_reply = QUERY_MAX_REPLY};
	const char *server_file = NULL, *secret_file = NULL, *req = NULL;
	char server_key[41], secret_key[41];
	char *reply = NULL;
	size_t len;
	long long v = 0;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': o.endpoint = optarg; break;
		case 't':
			if ((rc = cli_parse_int(optarg, "--timeout", 1, 3600000, &v)))
				return rc;
			o.timeout_ms = (int)v;
			break;
		case 'r':
			if ((rc = cli_parse_int(optarg, "--retries", 0, 100, &v)))
				return rc;
			o.retries = (int)v;
			break;
		case 'm':
			if ((rc = cli_parse_int(optarg, "--max-reply", 64, 1LL << 32, &v)))
				return rc;
			o.max_reply = v;
			break;
		case 'k': server_file = optarg; break;
		case 's': secret_file = optarg; break;
		case 'h': query_help(app->out); return 0;
		default: return err_set(ERR_USAGE, "see `ambassador query --help`");
		}
	}
	if (optind + 1 != argc)
		return err_set(ERR_USAGE, "usage: ambassador query JSON [options] (see --help)");
	req = argv[optind];
	if (!server_file != !secret_file)
		return err_set(ERR_USAGE, "--curve-server-key and --curve-secret go together");
	if (server_file) {
		if ((rc = ipc_key_read(server_file, server_key)) ||
		    (rc = ipc_key_check_private(secret_file)) ||
		    (rc = ipc_key_read(secret_file, secret_key)))
			return rc;
		o.server_key = server_key;
		o.secret_key = secret_key;
	}
	rc = ipc_client_request(&o, req, strlen(req), &reply, &len);
	memset(secret_key, 0, sizeof(secret_key));
	if (rc)
		return rc;
	/* Only a broken or hostile server sends raw control characters (JSON
	 * escapes them): never pass them to the terminal. */
	char *shown = table_escape(reply, len, false);
	fputs(shown, app->out);
	fputc('\n', app->out);
	free(shown);
	rc = proto_reply_ok(reply, len) ? 0 : err_set(ERR_INVALID, "the server answered an error");
	free(reply);
	return rc;
}
