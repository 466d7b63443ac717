/* cmd_export.c - `ambassador export ID`: everything stored about one
 * person, as JSON (right of access and data portability). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmds_service.h"
#include "core/err.h"
#include "core/store_export.h"

int cmd_export(struct app *app, int argc, char **argv)
{
	json_t *doc;
	store *s;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		fprintf(app->out,
		        "usage: ambassador export EMPLOYEE_ID\n\n"
		        "Everything stored about one person, as one JSON document on standard\n"
		        "output: the roster entry, survey answers and construct scores, weekly\n"
		        "activity, the derived activity sums, the score and its detail in every\n"
		        "snapshot with the weights used, the invitation status and its history,\n"
		        "and a plain-language summary of how scores are made. Nothing about\n"
		        "anyone else. For a request of access or portability; see also `erase`.\n");
		return 0;
	}
	if (argc != 2 || !argv[1][0])
		return err_set(ERR_USAGE, "usage: ambassador export EMPLOYEE_ID");
	if ((rc = app_store(app, false, &s)))
		return rc;
	if ((rc = store_person_export(s, argv[1], &doc)))
		return rc;
	rc = json_dumpf(doc, app->out, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	json_decref(doc);
	if (rc != 0 || fputc('\n', app->out) == EOF)
		return err_set(ERR_IO, "cannot write the export");
	return 0;
}
