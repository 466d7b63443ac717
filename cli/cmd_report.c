/* cmd_report.c - `ambassador report --out FILE.html`: HR's report of a
 * snapshot (cli/report.h) as one self-contained HTML file, mode 0600.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_scoring.h"
#include "cli/report.h"
#include "core/err.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ambassador report --out FILE.html [--size N] [--snapshot N]\n"
	           "                         [--pilot NAME]\n\n"
	           "Write HR's report as one HTML file (mode 0600) that opens offline in any\n"
	           "browser, on a laptop or a phone, and prints as a tidy document: a summary\n"
	           "of the snapshot (who was scored, who is eligible and why the others are\n"
	           "not), the list with each person's components, reasons, consent and\n"
	           "invitation status, charts (seats against eligible people per department\n"
	           "and level, the score distribution, activity against attitude, the\n"
	           "invitation funnel), each with a table of the same numbers, and the method\n"
	           "and parameters in plain words. No survey answers; groups smaller than the\n"
	           "profile's min_group are not shown on their own.\n\n"
	           "  --out FILE.html  where to write (replaced when it exists)\n"
	           "  --size N         the list: the pilot candidates for N seats (default 20)\n"
	           "  --snapshot N     that snapshot instead of the newest\n"
	           "  --pilot NAME     a stored pilot: not implemented yet\n");
}

struct report_opts {
	const char *out, *pilot;
	int64_t size, snapshot;
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
		case 'n': rc = scoring_parse_count("--size", optarg, 100000, &o->size); break;
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
	if (o->size < 1)
		return err_set(ERR_USAGE, "report: --size must be 1 or more");
	if (o->pilot)
		return err_set(ERR_USAGE, "report --pilot: not implemented (stored pilots do not "
		                          "exist yet); the report shows the pilot candidates");
	return 0;
}

int cmd_report(struct app *app, int argc, char **argv)
{
	struct report_opts o = {.size = 20};
	struct report r;
	FILE *f = NULL;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		usage(app->out);
		return 0;
	}
	if ((rc = parse(argc, argv, &o)))
		return rc;
	if ((rc = report_open(&r, app, o.snapshot)))
		return rc;
	if ((rc = report_people_from_candidates(&r, (size_t)o.size)) || (rc = report_load(&r)))
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
	return rc;
}
