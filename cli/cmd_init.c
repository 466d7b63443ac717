/* cmd_init.c - `ambassador init`: create the database or migrate it. */
#include <stdio.h>

#include "cli/app.h"
#include "core/err.h"

int cmd_init(struct app *app, int argc, char **argv)
{
	store *s;
	int rc, version;

	if (cmd_wants_help(argc, argv)) {
		fprintf(app->out,
		        "usage: ambassador [--db PATH] init\n\n"
		        "Create the database file (readable by its owner only) or bring an\n"
		        "older one up to the current schema. Safe to run again.\n");
		return 0;
	}
	if (argc > 1)
		return err_set(ERR_USAGE, "init takes no arguments (see `ambassador init --help`)");
	if ((rc = app_store(app, true, &s)))
		return rc;
	if ((rc = store_schema_version(s, &version)))
		return rc;
	if (!app->quiet)
		fprintf(app->out, "%s: ready (schema version %d)\n", app->db_path, version);
	return 0;
}
