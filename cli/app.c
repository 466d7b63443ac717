/* app.c - helpers shared by the subcommands. */
#include "cli/app.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/table.h"

#include "core/err.h"

int app_store(struct app *app, bool create, store **out)
{
	int rc;

	if (create && app->read_only)
		return err_set(ERR_USAGE, "--read-only: this command writes to the database");
	if (!app->store && (rc = store_open(&app->store, app->db_path,
	                                    app->read_only ? STORE_READONLY
	                                    : create       ? 0
	                                                   : STORE_MUST_EXIST)))
		return rc;
	*out = app->store;
	return 0;
}

bool cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

const char *app_user(struct app *app)
{
	const char *u = getenv("USER");

	snprintf(app->user, sizeof(app->user), "cli:%s", u && *u ? u : "unknown");
	return app->user;
}

int app_format_only(int argc, char **argv, const char *cmd, enum table_format *out_fmt)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	enum table_format fmt = TABLE_FORMAT_TABLE;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'f')
			return err_set(ERR_USAGE, "%s: unknown option (see --help)", cmd);
		if ((rc = table_format_parse(optarg, &fmt)))
			return rc;
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "%s takes no arguments", cmd);
	*out_fmt = fmt;
	return 0;
}

char *app_trim_id(char *s)
{
	size_t n = strlen(s);
	char *p = s;

	while (n && strchr(" \t\r\n", s[n - 1]))
		s[--n] = '\0';
	while (*p && strchr(" \t\r\n", *p))
		p++;
	memmove(s, p, strlen(p) + 1);
	return s;
}
