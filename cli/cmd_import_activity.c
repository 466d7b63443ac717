/* cmd_import_activity.c - `ambassador import activity FILE` (docs/design.md, Contract 2.3):
 * the shared import options, then survey/activity.c does the work. */
#include "cli/import_cmds.h"
#include "core/err.h"
#include "survey/activity.h"

static const char activity_help[] =
    "usage: ambassador import activity FILE [--skip-invalid] [options]\n\n"
    "Reads social-activity events (columns employee_id, occurred_at, platform,\n"
    "kind; optional origin, post_id, reach, reactions, comments, shares, clicks)\n"
    "and adds them to the weekly activity totals used by scoring. Raw events\n"
    "are not kept. Events already counted (by post_id, or by the whole row when\n"
    "there is none) are skipped, so overlapping exports never count twice.\n"
    "Rows of people who opted out or left are skipped and counted.\n\n"
    "options:\n"
    "  --skip-invalid      keep the good rows; write bad ones, with reasons, to\n"
    "                      FILE.rejects.csv (default: any bad row rejects the file)\n"
    "  --rejects PATH      where --skip-invalid writes the bad rows\n"
    "  --max-errors N      bad rows listed before the rest are only counted (20)\n"
    "  --max-field BYTES   longest field accepted (65536)\n"
    "  --delimiter C       field separator (',')\n"
    "  --no-progress       no progress line on a terminal\n";

int import_activity_cmd(struct app *app, int argc, char **argv)
{
	return import_run_simple(app, argc, argv, activity_help, activity_import);
}
