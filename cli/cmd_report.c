/* cmd_report.c - `ambassador report --out FILE.html`: HR's report of a
 * snapshot (cli/report.h) as one self-contained HTML file, mode 0600.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_scoring.h"
#include "cli/report.h"
#include "core/err.h"
#include "core/store_pilot.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ambassador report --out FILE.html [--pilot NAME | --size N]\n"
	           "                         [--snapshot N]\n\n"
	           "Write HR's report as one HTML file (mode 0600) that opens offline in any\n"
	           "browser, on a laptop or a phone, and prints as a tidy document: a summary\n"
	           "of the snapshot (who was scored, who is eligible and why the others are\n"
	           "not), the list with each person's components, reasons, consent and\n"
	           "invitation status, charts (seats against eligible people per department\n"
	           "and level, the score distribution, activity against attitude, the\n"
	           "invitation funnel), each with a table of the same numbers, and the method\n"
	           "and parameters in plain words. No survey answers; groups smaller than the\n"
	           "profile's min_group are not shown on their own.\n\n"
	           "The list is the newest stored pilot (`ambassador pilot`), or with none the\n"
	           "candidates of the published snapshot.\n\n"
	           "  --out FILE.html  where to write (replaced when it exists)\n"
	           "  --pilot NAME     that stored pilot, with its own snapshot\n"
	           "  --size N         the candidates for N seats instead (default 20)\n"
	           "  --snapshot N     that snapshot instead of the published one\n");
}

struct report_opts {
	const char *out, *pilot;
	int64_t size, snapshot;
	bool size_given;
};

static int parse(int argc, char **argv, struct report_opts *o)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"size", required_argument, NULL, 'n'},
	    {"snapshot", required_argument, NULL, 's'},
	    {"pilot", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': o->out = optarg; break;
		case 'n':
			rc = scoring_parse_count("--size", optarg, 100000, &o->size);
			o->size_given = true;
			break;
		case 's':
			rc = scoring_parse_count("--snapshot", optarg, INT64_MAX, &o->snapshot);
			break;
		case 'p': o->pilot = optarg; break;
		default: return err_set(ERR_USAGE, "report: unknown option (see --help)");
		}
		if (rc)
			return rc;
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "report takes no arguments");
	if (!o->out || !*o->out)
		return err_set(ERR_USAGE, "report: --out FILE.html is required");
	if (o->size < 0 || (o->size == 0 && o->size_given))
		return err_set(ERR_USAGE, "report: --size must be 1 or more");
	if (o->pilot && (o->size_given || o->snapshot))
		return err_set(ERR_USAGE, "report: --pilot shows that pilot with its own snapshot; "
		                          "leave out --size and --snapshot");
	return 0;
}

/* The pilot to show into *out: 1 when there is one, 0 for the candidates
 * instead, or an err_code (ERR_NOT_FOUND for an unknown --pilot). */
static int which_pilot(struct app *app, const struct report_opts *o, struct pilot_info *out)
{
	store *s;
	int rc;

	if (o->size_given || o->snapshot)
		return 0;
	if ((rc = app_store(app, false, &s)))
		return rc;
	rc = store_pilot_get(s, o->pilot, false, out);
	if (rc == 0 && o->pilot)
		return err_set(ERR_NOT_FOUND, "no pilot '%s'", o->pilot);
	return rc;
}

int cmd_report(struct app *app, int argc, char **argv)
{
	struct report_opts o = {.size = 20};
	struct pilot_info pilot = {0};
	struct report r;
	FILE *f = NULL;
	int rc, has_pilot;

	if (cmd_wants_help(argc, argv)) {
		usage(app->out);
		return 0;
	}
	if ((rc = parse(argc, argv, &o)))
		return rc;
	if ((has_pilot = which_pilot(app, &o, &pilot)) < 0)
		return has_pilot;
	if ((rc = report_open(&r, app, has_pilot ? pilot.snapshot_id : o.snapshot))) {
		store_pilot_info_free(&pilot);
		return rc;
	}
	rc = has_pilot ? report_people_from_pilot(&r, &pilot)
	               : report_people_from_candidates(&r, (size_t)o.size);
	if (rc || (rc = report_load(&r)))
		goto done;
	if ((rc = app_create_private(o.out, &f)))
		goto done;
	rc = report_write_html(&r, f);
	if (fclose(f) != 0 && !rc)
		rc = err_set(ERR_IO, "writing %s failed", o.out);
	if (rc)
		goto done;
	if (!app->quiet)
		fprintf(app->out, "report of snapshot #%lld (%zu people listed) written to %s\n",
		        (long long)r.v.info.id, r.npeople, o.out);
done:
	report_close(&r);
	store_pilot_info_free(&pilot);
	return rc;
}
