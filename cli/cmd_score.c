/* cmd_score.c - `ambassador score`: compute a new immutable snapshot from
 * the stored survey constructs and activity aggregates with the active
 * weight profile (or --profile), for --as-of DATE (default: now).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmds_scoring.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/timefmt.h"
#include "scorer/model.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ambassador score [--as-of DATE] [--profile NAME]\n\n"
	           "Score everyone who may be scored and save the result as a new, numbered,\n"
	           "immutable snapshot that records the weight profile and version used.\n"
	           "--as-of DATE scores as of that date (ISO 8601): activity after it is\n"
	           "ignored, so a run can be repeated exactly; default now ($AMBASSADOR_NOW).\n"
	           "--profile NAME uses that profile instead of the active one.\n"
	           "See README.md, section 'How scoring works' for how scores are computed.\n");
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

int cmd_score(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"as-of", required_argument, NULL, 'a'},
	    {"profile", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	const char *profile = NULL;
	char *name = NULL, when[32];
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
			break;
		case 'p': profile = optarg; break;
		default: return err_set(ERR_USAGE, "score: unknown option (see --help)");
		}
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "score takes no arguments");
	if ((rc = app_store(app, false, &s)))
		return rc;
	if ((rc = scorer_profile_load(s, profile, true, &params, &version, &name)))
		goto done;
	if ((rc = scorer_population_load(s, as_of, &params, &pop)))
		goto done;
	if ((rc = scorer_compute(pop, &params)))
		goto done;
	if ((rc = scorer_snapshot_save(s, pop, &params, name, version, &id)))
		goto done;
	count_reasons(pop, &no_survey, &no_activity);
	timefmt_date(when, sizeof(when), as_of);
	fprintf(app->out,
	        "snapshot #%lld as of %s with profile %s v%lld: %zu people scored, %zu eligible "
	        "(%zu need a trusted survey answer, %zu have no own posts or comments in the "
	        "last %d weeks)\n",
	        (long long)id, when, name, (long long)version, pop->n, pop->eligible, no_survey,
	        no_activity, pop->window_weeks);
done:
	scorer_population_destroy(&pop);
	free(name);
	return rc;
}
