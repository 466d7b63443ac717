/* cmd_outcomes.c - `ambassador outcomes` lists what pilots produced, with
 * counts: answers to invitations, whether those who accepted stayed
 * active, and ratings imported with `import outcomes FILE`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmds_outcomes.h"
#include "cli/cmds_service.h"
#include "cli/import_cmds.h"
#include "cli/table.h"
#include "core/err.h"
#include "core/store_outcomes.h"
#include "core/timefmt.h"
#include "survey/outcomes.h"

static const char outcomes_help[] =
    "usage: ambassador outcomes [--active-weeks N] [--format table|csv|json]\n\n"
    "What pilots produced, one line per outcome, then the counts:\n"
    "  accepted / declined  the answer to an invitation (`invitations set`)\n"
    "  active / not active  after accepting: own posts or comments in at least N\n"
    "                       of the 12 weeks after the week of accepting (N =\n"
    "                       --active-weeks, default 6); 'pending' until those\n"
    "                       12 weeks have passed\n"
    "  rating               imported with `ambassador import outcomes FILE`\n"
    "                       (0/1, or 1-5 where 4 and 5 count as positive)\n"
    "Columns: employee_id, kind, date, outcome, detail.\n";

static const char import_help[] =
    "usage: ambassador import outcomes FILE [--skip-invalid] [options]\n\n"
    "Reads ratings HR gives after a pilot: columns employee_id, date, outcome\n"
    "and optionally note. outcome is 0/1 or a rating 1-5; one file is one\n"
    "scale (the first value other than 1 decides it). One rating per person\n"
    "and day: a later file's rating for the same day replaces the earlier one.\n"
    "Rows of people who opted out or left are skipped and counted.\n\n"
    "options:\n"
    "  --skip-invalid      keep the good rows; write bad ones, with reasons, to\n"
    "                      FILE.rejects.csv (default: any bad row rejects the file)\n"
    "  --rejects PATH      where --skip-invalid writes the bad rows\n"
    "  --max-errors N      bad rows listed before the rest are only counted (20)\n"
    "  --max-field BYTES   longest field accepted (65536)\n"
    "  --delimiter C       field separator (',')\n"
    "  --no-progress       no progress line on a terminal\n";

int import_outcomes_cmd(struct app *app, int argc, char **argv)
{
	return import_run_simple(app, argc, argv, import_help, outcomes_import);
}

static const struct table_column cols[] = {
    {"employee_id", TABLE_TEXT}, {"kind", TABLE_TEXT},   {"date", TABLE_TEXT},
    {"outcome", TABLE_TEXT},     {"detail", TABLE_TEXT},
};

struct listing {
	table *t;
	int active_weeks;
	long long accepted, declined, active, inactive, pending, ratings, positive;
};

static int add_decision(void *ctx, const struct outcome_decision *d)
{
	struct listing *l = ctx;
	char date[16], end[16], detail[64];
	const char *what;

	timefmt_date(date, sizeof(date), d->at);
	{
		const char *const v[] = {d->employee_id, "invitation", date,
		                         d->accepted ? "accepted" : "declined", NULL};
		table_add_row(l->t, v);
	}
	if (!d->accepted) {
		l->declined++;
		return 0;
	}
	l->accepted++;
	/* the Sunday that ends the 12th week after the week of accepting
	 * (weeks count from Monday 2000-01-03, timefmt_week) */
	timefmt_date(end, sizeof(end),
	             946857600 + (timefmt_week(d->at) + OUTCOME_ACTIVE_SPAN) * 604800 + 6 * 86400);
	snprintf(detail, sizeof(detail), "%d of %d weeks with own posts or comments%s",
	         d->weeks_after, OUTCOME_ACTIVE_SPAN, d->complete ? "" : " so far");
	if (d->weeks_after >= l->active_weeks) {
		what = "active"; /* reached already: more weeks cannot undo it */
		l->active++;
	} else if (!d->complete) {
		what = "pending";
		l->pending++;
	} else {
		what = "not active";
		l->inactive++;
	}
	const char *const v[] = {d->employee_id, "activity", end, what, detail};
	table_add_row(l->t, v);
	return 0;
}

static int add_rating(void *ctx, const struct outcome_rating *r)
{
	struct listing *l = ctx;
	char date[16], value[32];
	bool positive = r->scale == 1 ? r->value == 1 : r->value >= 4;

	timefmt_date(date, sizeof(date), r->at);
	if (r->scale == 1)
		snprintf(value, sizeof(value), "%d (0/1)", r->value);
	else
		snprintf(value, sizeof(value), "%d of 5", r->value);
	l->ratings++;
	l->positive += positive;
	const char *const v[] = {r->employee_id, "rating", date, value, r->note};
	table_add_row(l->t, v);
	return 0;
}

int cmd_outcomes(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"active-weeks", required_argument, NULL, 'a'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	enum table_format fmt = TABLE_FORMAT_TABLE;
	struct listing l = {.active_weeks = 6};
	long long n;
	char notice[512];
	store *s;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			if ((rc = cli_parse_int(optarg, "--active-weeks", 1, OUTCOME_ACTIVE_SPAN,
			                        &n)))
				return rc;
			l.active_weeks = (int)n;
			break;
		case 'f':
			if ((rc = table_format_parse(optarg, &fmt)))
				return rc;
			break;
		case 'h': fputs(outcomes_help, app->out); return 0;
		default: return err_set(ERR_USAGE, "see `ambassador outcomes --help`");
		}
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "outcomes takes no arguments");
	if ((rc = app_store(app, false, &s)))
		return rc;
	l.t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	if ((rc = store_decisions_each(s, store_now(), add_decision, &l)))
		goto done;
	if ((rc = store_read_begin(s)))
		goto done;
	rc = store_ratings_each(s, add_rating, &l);
	store_read_end(s);
	if (rc)
		goto done;
	snprintf(notice, sizeof(notice),
	         "invitations: %lld accepted, %lld declined; after accepting: %lld active, "
	         "%lld not active, %lld pending (active = own posts or comments in %d of the "
	         "%d weeks after); ratings: %lld, %lld positive",
	         l.accepted, l.declined, l.active, l.inactive, l.pending, l.active_weeks,
	         OUTCOME_ACTIVE_SPAN, l.ratings, l.positive);
	table_set_notice(l.t, notice);
	rc = table_print(l.t, app->out, fmt);
done:
	table_destroy(&l.t);
	return rc;
}
