/* cmd_erase.c - `ambassador erase ID`: the right to erasure (docs/design.md, Contract 6,
 * test plan J1/J2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_service.h"
#include "core/err.h"
#include "core/store_service.h"

int cmd_erase(struct app *app, int argc, char **argv)
{
	const char *user = getenv("USER");
	char by[96];
	store *s;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		fprintf(app->out,
		        "usage: ambassador erase EMPLOYEE_ID\n\n"
		        "Erase a person for good: survey answers, activity, scores in every\n"
		        "snapshot, invitation status and history, and the roster entry. A keyed\n"
		        "hash of the id is kept so a re-import of an old file does not bring the\n"
		        "person back; the erasure itself is recorded (time, by whom) without the\n"
		        "id. A running server stops listing the person within a second.\n");
		return 0;
	}
	if (argc != 2 || !argv[1][0])
		return err_set(ERR_USAGE, "usage: ambassador erase EMPLOYEE_ID");
	snprintf(by, sizeof(by), "cli:%s", user && *user ? user : "unknown");
	if ((rc = app_store(app, false, &s)))
		return rc;
	rc = store_erase_person(s, argv[1], by);
	if (rc == ERR_NOT_FOUND) {
		/* Perhaps erased before, with the WAL still to empty (see below):
		 * that is what running erase again is for, so try now. */
		(void)store_checkpoint_truncate(s);
		return err_set(rc, "%s: no such person (nothing erased)", argv[1]);
	}
	if (rc == ERR_BUSY)
		return err_set(rc,
		               "the database is busy (an import or score is writing): nothing "
		               "erased; run `ambassador erase %s` again when it is done",
		               argv[1]);
	if (rc)
		return rc;
	/* Committed; the WAL may still hold old pages of the person until
	 * readers let go: empty it now, or say how. */
	for (int tries = 0; tries < 2 && (rc = store_checkpoint_truncate(s)); tries++)
		continue;
	if (rc)
		return err_set(ERR_BUSY,
		               "erased, but the WAL could not be emptied yet; run "
		               "`ambassador erase %s` again later or stop the server",
		               argv[1]);
	if (!app->quiet)
		fprintf(app->out, "erased %s\n", argv[1]);
	return 0;
}
