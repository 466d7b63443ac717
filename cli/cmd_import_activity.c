/* cmd_import_activity.c - `ambassador import activity FILE` (docs/design.md, Contract 2.3):
 * the shared import options and --source/--employee, then survey/activity.c
 * (our CSV), survey/activity_viva.c (a Viva Engage report) or
 * survey/activity_linkedin.c (a LinkedIn member archive) does the work. */
#include <string.h>

#include "cli/import_cmds.h"
#include "core/err.h"
#include "survey/activity.h"

static const char activity_help[] =
    "usage: ambassador import activity FILE [--skip-invalid] [options]\n"
    "       ambassador import activity --source viva-engage FILE [options]\n"
    "       ambassador import activity --source linkedin-export PATH --employee ID\n\n"
    "Reads social-activity events (columns employee_id, occurred_at, platform,\n"
    "kind; optional origin, post_id, reach, reactions, comments, shares, clicks)\n"
    "and adds them to the weekly activity totals used by scoring. Raw events\n"
    "are not kept. Events already counted (by post_id, or by the whole row when\n"
    "there is none) are skipped, so overlapping exports never count twice.\n"
    "Rows of people who opted out or left are skipped and counted.\n\n"
    "sources (--source):\n"
    "  csv               the columns above (default)\n"
    "  viva-engage       a Microsoft 365 \"Viva Engage activity user detail\"\n"
    "                    report: users matched by e-mail (User Principal Name),\n"
    "                    Posted Count as own posts, Liked Count as reactions;\n"
    "                    a 7-day report fills one week, a longer one is spread\n"
    "                    over its weeks and marked coarse (steadiness not\n"
    "                    observed); a week already counted is not counted again\n"
    "  linkedin-export   a LinkedIn member archive (the ZIP, or its folder) given\n"
    "                    by the employee named with --employee: Shares.csv,\n"
    "                    Comments.csv and Reactions.csv; no text is kept and the\n"
    "                    engagement of the posts is unknown, not zero\n\n"
    "options:\n"
    "  --source S          csv, viva-engage or linkedin-export (see above)\n"
    "  --employee ID       linkedin-export: whose archive it is (roster id)\n"
    "  --skip-invalid      keep the good rows; write bad ones, with reasons, to\n"
    "                      FILE.rejects.csv (default: any bad row rejects the file)\n"
    "  --rejects PATH      where --skip-invalid writes the bad rows\n"
    "  --max-errors N      bad rows listed before the rest are only counted (20)\n"
    "  --max-field BYTES   longest field accepted (65536)\n"
    "  --delimiter C       field separator (',')\n"
    "  --no-progress       no progress line on a terminal\n"
    "  --force             import even if the same content was imported before\n"
    "examples:\n"
    "  ambassador import activity --source viva-engage viva_engage_weekly.csv\n"
    "  ambassador import activity --source linkedin-export Basic_LinkedInDataExport.zip "
    "--employee E1002\n";

enum source { SRC_CSV, SRC_VIVA, SRC_LINKEDIN };

static int parse_source(const char *s, enum source *out)
{
	if (!s || strcmp(s, "csv") == 0)
		*out = SRC_CSV;
	else if (strcmp(s, "viva-engage") == 0)
		*out = SRC_VIVA;
	else if (strcmp(s, "linkedin-export") == 0)
		*out = SRC_LINKEDIN;
	else
		return err_set(ERR_USAGE,
		               "--source must be csv, viva-engage or linkedin-export, not '%s'", s);
	return 0;
}

int import_activity_cmd(struct app *app, int argc, char **argv)
{
	struct import_cmd_args a;
	struct import_summary sum = {0};
	enum source src = SRC_CSV;
	store *s;
	int rc;

	if ((rc = import_parse_common(app, argc, argv, &a)))
		return rc;
	if (a.help) {
		fputs(activity_help, app->out);
		return 0;
	}
	if ((rc = parse_source(a.source, &src)))
		return rc;
	if (a.codebook || a.labels || a.header_rows || a.date_order)
		return err_set(ERR_USAGE, "--codebook, --labels, --header-rows and --date-order "
		                          "are for `import survey`");
	if (a.nmaps)
		return err_set(ERR_USAGE, "--map is for `import roster`");
	if (src == SRC_LINKEDIN && !a.employee)
		return err_set(ERR_USAGE,
		               "--source linkedin-export needs --employee ID: the roster "
		               "id of the employee who gave the archive");
	if (src != SRC_LINKEDIN && a.employee)
		return err_set(ERR_USAGE, "--employee is for --source linkedin-export");
	if ((rc = app_store(app, true, &s)))
		return rc;
	switch (src) {
	case SRC_VIVA: rc = activity_import_viva(s, a.file, &a.opts, &sum); break;
	case SRC_LINKEDIN:
		rc = activity_import_linkedin(s, a.file, app_trim_id(a.employee), &a.opts, &sum);
		break;
	default: rc = activity_import(s, a.file, &a.opts, &sum); break;
	}
	import_print_summary(app, a.file, &sum);
	import_summary_clear(&sum);
	return rc;
}
