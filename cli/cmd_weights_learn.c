/* cmd_weights_learn.c - `weights evaluate`: how well each profile's scores
 * foretell pilot outcomes. The scores are computed in memory as of the day
 * before the first outcome (the list the pilot was chosen from), nothing
 * is written. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_outcomes.h"
#include "cli/cmds_scoring.h"
#include "cli/cmds_service.h"
#include "cli/table.h"
#include "core/err.h"
#include "core/timefmt.h"
#include "scorer/evaluate.h"
#include "scorer/model.h"
#include "scorer/outcomes.h"

#define MAX_PROFILES 8

struct learn_opts {
	const char *profiles[MAX_PROFILES];
	size_t nprofiles;
	enum outcome_kind outcome;
	long long active_weeks, size, resamples, seed;
	int64_t as_of; /* 0: the day before the first outcome */
	enum table_format fmt;
};

static const char evaluate_help[] =
    "usage: ambassador weights evaluate [--profile NAME[:VERSION]]...\n"
    "           [--outcome accepted|active|rated] [--active-weeks N] [--as-of DATE]\n"
    "           [--size K] [--resamples B] [--seed S] [--format table|csv|json]\n\n"
    "Scores the people with a known outcome under each profile (default: the\n"
    "active one; up to 8) and reports how well the scores foretell it:\n"
    "  auc           the chance that someone with the outcome scores above\n"
    "                someone without (Mann-Whitney; 0.5 = no better than chance)\n"
    "  precision     share with the outcome among the K best scores (K = --size,\n"
    "                the pilot size, default 12)\n"
    "  band A-B      share with the outcome among scores from A to B\n"
    "each with a 90% interval from B bootstrap resamples of the people (default\n"
    "1000, seeded: --seed, default 1). Scores are as of --as-of, by default the\n"
    "day before the first outcome, so the pilot's own activity does not count.\n"
    "Outcomes (`ambassador outcomes`): accepted (accepted vs declined), active\n"
    "(own posts or comments in --active-weeks of the 12 weeks after accepting,\n"
    "default 6), rated (the latest rating: 1, or 4-5 on a 1-5 scale). Refuses\n"
    "with fewer than 20 outcomes. Writes nothing.\n";

static int parse_learn(int argc, char **argv, struct learn_opts *o, const char *help,
                       struct app *app, bool *done)
{
	static const struct option opts[] = {
	    {"profile", required_argument, NULL, 'p'},
	    {"outcome", required_argument, NULL, 'o'},
	    {"active-weeks", required_argument, NULL, 'w'},
	    {"as-of", required_argument, NULL, 'a'},
	    {"size", required_argument, NULL, 'k'},
	    {"resamples", required_argument, NULL, 'b'},
	    {"seed", required_argument, NULL, 's'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc = 0;

	*done = false;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if (o->nprofiles == MAX_PROFILES)
				return err_set(ERR_USAGE, "at most %d --profile options",
				               MAX_PROFILES);
			o->profiles[o->nprofiles++] = optarg;
			break;
		case 'o': rc = outcome_kind_parse(optarg, &o->outcome); break;
		case 'w':
			rc = cli_parse_int(optarg, "--active-weeks", 1, 12, &o->active_weeks);
			break;
		case 'a':
			if (timefmt_parse(optarg, &o->as_of))
				return err_wrap(ERR_USAGE, "--as-of");
			break;
		case 'k': rc = cli_parse_int(optarg, "--size", 1, 100000, &o->size); break;
		case 'b':
			rc = cli_parse_int(optarg, "--resamples", 1, 100000, &o->resamples);
			break;
		case 's': rc = cli_parse_int(optarg, "--seed", 0, 4294967295LL, &o->seed); break;
		case 'f': rc = table_format_parse(optarg, &o->fmt); break;
		case 'h':
			fputs(help, app->out);
			*done = true;
			return 0;
		default: return err_set(ERR_USAGE, "see `ambassador weights %s --help`", argv[0]);
		}
		if (rc)
			return rc;
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "weights %s: unexpected argument '%s'", argv[0],
		               argv[optind]);
	return 0;
}

/* Load "NAME" (newest version), "NAME:VERSION" or NULL (the active
 * profile). *label receives "NAME vVERSION" (caller frees). */
static int load_profile(store *s, const char *spec, struct scorer_params *out, char **label)
{
	struct profile_version pv = {0};
	char *name = NULL, *colon;
	int64_t version = 0;
	int rc;

	*label = NULL;
	if (!spec) {
		if ((rc = scorer_profile_load(s, NULL, false, out, &version, &name)) ==
		    ERR_NOT_FOUND) {
			scorer_params_defaults(out); /* nothing saved: the defaults are in force */
			*label = xstrdup("default (defaults)");
			return 0;
		}
		if (rc)
			return rc;
		struct buf b = {0};
		buf_printf(&b, "%s v%lld", name, (long long)version);
		*label = b.data;
		free(name);
		return 0;
	}
	name = xstrdup(spec);
	if ((colon = strchr(name, ':'))) {
		char *end;
		*colon = '\0';
		version = strtoll(colon + 1, &end, 10);
		if (*end || end == colon + 1 || version < 1) {
			rc = err_set(ERR_USAGE,
			             "--profile %s: the version after ':' must be a number", spec);
			goto done;
		}
	}
	if ((rc = store_profile_get(s, name, version, &pv)) < 0)
		goto done;
	if (rc == 0) {
		rc = err_set(ERR_NOT_FOUND, "no weight profile %s", spec);
		goto done;
	}
	if ((rc = scorer_params_from_json(out, pv.params)))
		goto done;
	struct buf b = {0};
	buf_printf(&b, "%s v%lld", pv.name, (long long)pv.version);
	*label = b.data;
done:
	store_profile_version_free(&pv);
	free(name);
	return rc;
}

static int learn_scores(store *s, const struct scorer_params *p, int64_t as_of,
                        const struct outcome_set *o, double *score, int *y, int64_t *pid, size_t *n)
{
	scorer_population *pop = NULL;
	int rc;

	*n = 0;
	if ((rc = store_read_begin(s)))
		return rc;
	rc = scorer_population_load(s, as_of, p, &pop);
	store_read_end(s);
	if (!rc)
		rc = scorer_compute(pop, p);
	if (rc)
		goto done;
	/* both in pid order: one merge */
	for (size_t i = 0, j = 0; i < pop->n && j < o->n;) {
		if (pop->people[i].pid < o->pid[j]) {
			i++;
		} else if (pop->people[i].pid > o->pid[j]) {
			j++;
		} else {
			score[*n] = pop->people[i].score;
			y[*n] = o->y[j];
			if (pid)
				pid[*n] = o->pid[j];
			(*n)++;
			i++;
			j++;
		}
	}
done:
	scorer_population_destroy(&pop);
	return rc;
}

static void add_figure(table *t, const char *profile, const char *figure, size_t people,
                       const struct evaluate_figure *f)
{
	char n[32], v[32], lo[32], hi[32];

	snprintf(n, sizeof(n), "%zu", people);
	snprintf(v, sizeof(v), "%.4f", f->value);
	snprintf(lo, sizeof(lo), "%.4f", f->lo);
	snprintf(hi, sizeof(hi), "%.4f", f->hi);
	const char *const cells[] = {profile,
	                             figure,
	                             n,
	                             isfinite(f->value) ? v : NULL,
	                             isfinite(f->lo) ? lo : NULL,
	                             isfinite(f->hi) ? hi : NULL};
	table_add_row(t, cells);
}

static int learn_as_of(const struct learn_opts *o, const struct outcome_set *set, int64_t *out)
{
	*out = o->as_of                     ? o->as_of
	       : set->first_at != INT64_MAX ? set->first_at - set->first_at % 86400 - 86400
	                                    : store_now();
	return 0;
}

int weights_evaluate(struct app *app, store *s, int argc, char **argv)
{
	static const struct table_column cols[] = {
	    {"profile", TABLE_TEXT}, {"figure", TABLE_TEXT}, {"people", TABLE_NUMBER},
	    {"value", TABLE_NUMBER}, {"lo90", TABLE_NUMBER}, {"hi90", TABLE_NUMBER},
	};
	struct learn_opts o = {.active_weeks = 6, .size = 12, .resamples = 1000, .seed = 1};
	struct outcome_set set = {0};
	struct evaluation ev;
	double *score = NULL;
	int *y = NULL;
	table *t = NULL;
	int64_t as_of;
	char *label = NULL, date[16], notice[512];
	bool done;
	int rc;

	if ((rc = parse_learn(argc, argv, &o, evaluate_help, app, &done)) || done)
		return rc;
	if ((rc = outcome_set_collect(s, o.outcome, store_now(), (int)o.active_weeks, &set)))
		return rc;
	learn_as_of(&o, &set, &as_of);
	score = xmalloc((set.n ? set.n : 1) * sizeof(double));
	y = xmalloc((set.n ? set.n : 1) * sizeof(int));
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t p = 0; p < (o.nprofiles ? o.nprofiles : 1); p++) {
		struct scorer_params params;
		size_t n;
		free(label);
		label = NULL;
		if ((rc = load_profile(s, o.nprofiles ? o.profiles[p] : NULL, &params, &label)) ||
		    (rc = learn_scores(s, &params, as_of, &set, score, y, NULL, &n)))
			goto done;
		if ((rc = evaluate_run(&ev, score, y, n, (size_t)o.size, (size_t)o.resamples,
		                       (uint64_t)o.seed))) {
			rc = err_wrap(rc, "weights evaluate, outcome %s",
			              outcome_kind_name(o.outcome));
			goto done;
		}
		char fig[64];
		add_figure(t, label, "auc", ev.n, &ev.auc);
		snprintf(fig, sizeof(fig), "precision at %zu", ev.k);
		add_figure(t, label, fig, ev.k, &ev.precision);
		for (int b = 0; b < EVALUATE_BANDS; b++) {
			snprintf(fig, sizeof(fig), "band %.0f-%.0f", ev.bands[b].from,
			         ev.bands[b].to);
			add_figure(t, label, fig, ev.bands[b].people, &ev.bands[b].rate);
		}
	}
	timefmt_date(date, sizeof(date), as_of);
	snprintf(notice, sizeof(notice),
	         "outcome %s: %zu people, %zu with it; scored as of %s; 90%% intervals from %lld "
	         "bootstrap resamples (seed %lld). A band's value is the share with the outcome. "
	         "Nothing was saved.",
	         outcome_kind_name(o.outcome), ev.n, ev.positive, date, o.resamples, o.seed);
	table_set_notice(t, notice);
	rc = table_print(t, app->out, o.fmt);
done:
	table_destroy(&t);
	outcome_set_clear(&set);
	free(label);
	free(score);
	free(y);
	return rc;
}
