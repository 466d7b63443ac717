/* cmd_score.c - `ambassador score`: compute a new immutable snapshot from
 * the stored survey constructs and activity aggregates with the active
 * weight profile (or --profile), for --as-of DATE (default: now), and
 * publish it unless it is a draft. Also `snapshots` (the list) and
 * `publish N`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_scoring.h"
#include "cli/table.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/store_pilot.h"
#include "core/num.h"
#include "core/timefmt.h"
#include "scorer/interval.h"
#include "scorer/model.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ambassador score [--draft] [--as-of DATE] [--profile NAME]\n"
	        "                        [--intervals [B]]\n\n"
	        "Score everyone who may be scored and save the result as a new, numbered,\n"
	        "immutable snapshot that records the weight profile and version used, then\n"
	        "publish it: the published snapshot is the one `serve`, `rank`, `candidates`,\n"
	        "`explain`, `pilot propose` and `report` read.\n"
	        "--draft    save it without publishing (a trial: nothing served changes;\n"
	        "           read it with --snapshot N, publish it with `ambassador publish N`)\n"
	        "--as-of DATE scores as of that date (ISO 8601): activity after it is\n"
	        "           ignored, so a run can be repeated exactly; default now\n"
	        "           ($AMBASSADOR_NOW). Implies --draft.\n"
	        "--profile NAME uses that profile instead of the active one; a profile other\n"
	        "           than the active one implies --draft.\n"
	        "--intervals [B] also works out how sure each rank is: every eligible\n"
	        "           person's weeks and survey answers are drawn again B times\n"
	        "           (default %d) and everyone ranked again; the 90%% interval of\n"
	        "           their rank goes into the snapshot for rank, candidates, explain,\n"
	        "           the report and the service. Several times the work of a score.\n"
	        "See docs/design.md, section 'How scoring works' for how scores are computed.\n",
	        SCORER_INTERVAL_B);
}

static void count_reasons(const scorer_population *pop, size_t *survey, size_t *activity)
{
	*survey = *activity = 0;
	for (size_t i = 0; i < pop->n; i++) {
		unsigned f = pop->people[i].flags;
		if (f & (SCORER_NO_SURVEY | SCORER_CARELESS | SCORER_NO_ATTITUDE |
		         SCORER_NO_MOTIVATION))
			(*survey)++;
		if (f & SCORER_NO_ACTIVITY)
			(*activity)++;
	}
}

/* --intervals, --intervals=B or --intervals B: the number of replicates.
 * score takes no arguments, so a whole number after it is its B. */
static int intervals_option(int argc, char **argv, const char *arg, int64_t *out)
{
	int64_t b = SCORER_INTERVAL_B;

	if (!arg && optind < argc && num_int(argv[optind], 1, SCORER_INTERVAL_MAXB, &b) == 0)
		optind++;
	else if (arg && num_int(arg, 1, SCORER_INTERVAL_MAXB, &b) != 0)
		return err_set(ERR_USAGE, "--intervals: '%s' is not a whole number from 1 to %d",
		               arg, SCORER_INTERVAL_MAXB);
	*out = b;
	return 0;
}

int cmd_score(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"as-of", required_argument, NULL, 'a'},
	    {"profile", required_argument, NULL, 'p'},
	    {"draft", no_argument, NULL, 'D'},
	    {"intervals", optional_argument, NULL, 'i'},
	    {NULL, 0, NULL, 0},
	};
	int64_t replicates = 0;
	const char *profile = NULL;
	char *name = NULL, *active = NULL, when[32];
	bool draft = false;
	int64_t as_of = clock_now(), version = 0, id = 0;
	struct scorer_params params;
	scorer_population *pop = NULL;
	size_t no_survey, no_activity;
	store *s;
	int ch, rc;

	if (cmd_wants_help(argc, argv)) {
		usage(app->out);
		return 0;
	}
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			if ((rc = timefmt_parse(optarg, &as_of)))
				return err_wrap(ERR_USAGE, "--as-of");
			draft = true;
			break;
		case 'p': profile = optarg; break;
		case 'D': draft = true; break;
		case 'i':
			if ((rc = intervals_option(argc, argv, optarg, &replicates)))
				return rc;
			break;
		default: return err_set(ERR_USAGE, "score: unknown option (see --help)");
		}
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "score takes no arguments");
	if ((rc = app_store(app, false, &s)))
		return rc;
	/* Scoring reads each table once, in order, and appends a snapshot: a
	 * page is not read twice, so a large page cache only costs memory to
	 * fill (at 100k people 64 MiB took a third of the time; docs/design.md,
	 * section 'Cost'). */
	if ((rc = store_set_cache_mib(s, 8)))
		goto done;
	if ((rc = scorer_profile_load(s, profile, true, &params, &version, &name)))
		goto done;
	if ((rc = scorer_population_load_with(s, as_of, &params,
	                                      replicates ? SCORER_LOAD_EVIDENCE : 0, &pop)))
		goto done;
	if ((rc = scorer_compute(pop, &params)))
		goto done;
	if (replicates &&
	    (rc = scorer_intervals(pop, &params, (size_t)replicates, SCORER_INTERVAL_SEED)))
		goto done;
	if ((rc = scorer_profile_active(s, &active)))
		goto done;
	if (strcmp(active, name) != 0)
		draft = true;
	/* The snapshot and its publication in one transaction. */
	if ((rc = store_begin(s)))
		goto done;
	if ((rc = scorer_snapshot_save(s, pop, &params, name, version, &id)) ||
	    (!draft && (rc = store_publish(s, id, app_user(app), clock_now()))) ||
	    (rc = store_commit(s))) {
		store_rollback(s);
		goto done;
	}
	count_reasons(pop, &no_survey, &no_activity);
	timefmt_date(when, sizeof(when), as_of);
	fprintf(app->out,
	        "snapshot #%lld as of %s with profile %s v%lld: %zu people scored, %zu eligible "
	        "(%zu need a trusted survey answer, %zu have no own posts or comments in the "
	        "last %d weeks)\n",
	        (long long)id, when, name, (long long)version, pop->n, pop->eligible, no_survey,
	        no_activity, pop->window_weeks);
	if (replicates)
		fprintf(app->out,
		        "rank intervals: 90%% of %lld resamples of each person's evidence\n",
		        (long long)replicates);
	if (draft)
		fprintf(
		    app->out,
		    "draft: not published, nothing served changes (read it with --snapshot %lld; "
		    "`ambassador publish %lld` makes it live)\n",
		    (long long)id, (long long)id);
	else
		fprintf(app->out, "published: snapshot #%lld is now served\n", (long long)id);
done:
	scorer_population_destroy(&pop);
	free(name);
	free(active);
	return rc;
}

static const struct table_column snap_cols[] = {
    {"id", TABLE_NUMBER},       {"as_of", TABLE_TEXT},     {"computed_at", TABLE_TEXT},
    {"profile", TABLE_TEXT},    {"version", TABLE_NUMBER}, {"people", TABLE_NUMBER},
    {"eligible", TABLE_NUMBER}, {"published", TABLE_TEXT},
};

static int add_snapshot_row(void *ctx, const struct snapshot_list_row *r)
{
	char id[24], as_of[32], at[32], ver[24], people[24], elig[24], pub[48];

	snprintf(id, sizeof(id), "%lld", (long long)r->id);
	timefmt_date(as_of, sizeof(as_of), r->as_of);
	timefmt_iso(at, sizeof(at), r->computed_at);
	snprintf(ver, sizeof(ver), "%lld", (long long)r->profile_version);
	snprintf(people, sizeof(people), "%lld", (long long)r->people);
	snprintf(elig, sizeof(elig), "%lld", (long long)r->eligible);
	if (r->published)
		snprintf(pub, sizeof(pub), "yes (served)");
	else if (r->published_at)
		snprintf(pub, sizeof(pub), "earlier");
	else
		snprintf(pub, sizeof(pub), "no (draft)");
	const char *cells[] = {id, as_of, at, r->profile, ver, people, elig, pub};
	table_add_row(ctx, cells);
	return 0;
}

int cmd_snapshots(struct app *app, int argc, char **argv)
{
	enum table_format fmt = TABLE_FORMAT_TABLE;
	table *t = NULL;
	store *s;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		fprintf(app->out,
		        "usage: ambassador snapshots [--format table|csv|json]\n\n"
		        "Every score snapshot, newest first: id, as_of, computed_at, profile and\n"
		        "version, people scored, eligible, and whether it is published (the one\n"
		        "served), was published earlier, or is a draft.\n");
		return 0;
	}
	if ((rc = app_format_only(argc, argv, "snapshots", &fmt)))
		return rc;
	if ((rc = app_store(app, false, &s)))
		return rc;
	t = table_new(snap_cols, sizeof(snap_cols) / sizeof(snap_cols[0]));
	if ((rc = store_snapshots_each(s, add_snapshot_row, t)) == 0) {
		if (table_rows(t) == 0)
			table_set_notice(t, "nothing scored yet: run `ambassador score`");
		rc = table_print(t, app->out, fmt);
	}
	table_destroy(&t);
	return rc;
}

int cmd_publish(struct app *app, int argc, char **argv)
{
	int64_t id = 0;
	store *s;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		fprintf(app->out,
		        "usage: ambassador publish N\n\n"
		        "Publish snapshot N (see `ambassador snapshots`): from now on it is the\n"
		        "one served and read by rank, candidates, explain, pilot and report.\n"
		        "A running server switches to it within its poll interval.\n");
		return 0;
	}
	if (argc != 2)
		return err_set(ERR_USAGE, "usage: ambassador publish N");
	if ((rc = scoring_parse_count("snapshot", argv[1], INT64_MAX, &id)))
		return rc;
	if ((rc = app_store(app, false, &s)) ||
	    (rc = store_publish(s, id, app_user(app), clock_now())))
		return rc;
	if (!app->quiet)
		fprintf(app->out, "published: snapshot #%lld is now served\n", (long long)id);
	return 0;
}
