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
#include "scorer/fit.h"
#include "scorer/model.h"
#include "scorer/outcomes.h"
#include "scorer/rank.h"

#define MAX_PROFILES 8

struct learn_opts {
	const char *profiles[MAX_PROFILES];
	size_t nprofiles;
	const char *from, *note, *name, *author;
	long long folds;
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
	    {"from", required_argument, NULL, 'F'},
	    {"note", required_argument, NULL, 'n'},
	    {"name", required_argument, NULL, 'N'},
	    {"author", required_argument, NULL, 'A'},
	    {"folds", required_argument, NULL, 'K'},
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
		case 'F': o->from = optarg; break;
		case 'n': o->note = optarg; break;
		case 'N': o->name = optarg; break;
		case 'A': o->author = optarg; break;
		case 'K': rc = cli_parse_int(optarg, "--folds", 2, 100, &o->folds); break;
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
 * profile). *label receives "NAME vVERSION" and *out_name (when not NULL)
 * the profile's name; the caller frees both. */
static int load_profile_named(store *s, const char *spec, struct scorer_params *out, char **label,
                              char **out_name)
{
	struct profile_version pv = {0};
	struct buf b = {0};
	char *name = NULL, *colon;
	int64_t version = 0;
	int rc;

	*label = NULL;
	if (out_name)
		*out_name = NULL;
	if (!spec) {
		rc = scorer_profile_load(s, NULL, false, out, &version, &name);
		if (rc == ERR_NOT_FOUND) {
			scorer_params_defaults(out); /* nothing saved: the defaults are in force */
			name = xstrdup("default");
			buf_puts(&b, "default (defaults)");
			rc = 0;
		} else if (rc == 0) {
			buf_printf(&b, "%s v%lld", name, (long long)version);
		}
		goto done;
	}
	name = xstrdup(spec);
	if ((colon = strchr(name, ':'))) {
		char *end;
		*colon = '\0';
		version = strtoll(colon + 1, &end, 10);
		if (*end || end == colon + 1 || version < 1) {
			rc = err_set(ERR_USAGE,
			             "profile %s: the version after ':' must be a number", spec);
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
	buf_printf(&b, "%s v%lld", pv.name, (long long)pv.version);
done:
	store_profile_version_free(&pv);
	if (rc) {
		buf_free(&b);
		free(name);
		return rc;
	}
	*label = b.data;
	if (out_name)
		*out_name = name;
	else
		free(name);
	return 0;
}

static int load_profile(store *s, const char *spec, struct scorer_params *out, char **label)
{
	return load_profile_named(s, spec, out, label, NULL);
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

/* --- fit ---------------------------------------------------------------- */

static const char fit_help[] =
    "usage: ambassador weights fit --outcome accepted|active|rated [--from PROFILE[:V]]\n"
    "           [--name NAME] [--note TEXT] [--author NAME] [--folds K] [--size N]\n"
    "           [--active-weeks N] [--as-of DATE] [--resamples B] [--seed S]\n\n"
    "Fits the weights of activity, attitude and motivation to the outcome: a\n"
    "logistic regression on the log components (the log of the score is linear\n"
    "in them), ridge toward the current profile (--from, default the active\n"
    "one), its strength chosen by K-fold cross-validation (default 5). Writes\n"
    "the result as a new version of profile NAME (default FROM-fitted), never\n"
    "activated: `weights use NAME` does that after review. Prints the\n"
    "cross-validated AUC of the current and the proposed weights with 90%\n"
    "intervals and how the top N (default 12) would change. Deterministic\n"
    "(--seed). Only eligible people with an outcome count; at least 20.\n";

/* The log components of a scored person, as scorer_combine takes them. */
static void log_components(double *x, const struct scorer_person *sp, double floor)
{
	const double c[3] = {sp->activity, sp->attitude, sp->motivation};

	for (int j = 0; j < 3; j++) {
		double v = isfinite(c[j]) && c[j] > floor ? c[j] : floor;
		x[j] = log(v > 1 ? 1 : v);
	}
}

/* Eligible people with an outcome: their log components and labels. */
static int fit_data(store *s, const struct scorer_params *p, int64_t as_of,
                    const struct outcome_set *o, double *x, int *y, size_t *n, size_t *not_eligible)
{
	scorer_population *pop = NULL;
	int rc;

	*n = *not_eligible = 0;
	if ((rc = store_read_begin(s)))
		return rc;
	rc = scorer_population_load(s, as_of, p, &pop);
	store_read_end(s);
	if (!rc)
		rc = scorer_compute(pop, p);
	for (size_t i = 0; !rc && i < pop->n; i++) {
		const struct scorer_person *sp = &pop->people[i];
		int label = outcome_set_find(o, sp->pid);
		if (label < 0)
			continue;
		if (!sp->eligible) {
			(*not_eligible)++;
			continue;
		}
		log_components(&x[3 * *n], sp, p->component_floor);
		y[(*n)++] = label;
	}
	scorer_population_destroy(&pop);
	return rc;
}

/* Who would enter or leave the top `top` with the proposed weights, as of
 * the newest snapshot (or now), and the Kendall tau of the two rankings. */
static int fit_preview(struct app *app, store *s, const struct scorer_params *cur,
                       const struct scorer_params *next, size_t top)
{
	scorer_population *a = NULL, *b = NULL;
	struct snapshot_info info;
	int64_t as_of = store_now(), *ra = NULL, *rb = NULL;
	size_t m = 0;
	int rc;

	if ((rc = store_snapshot_get(s, 0, &info)) < 0)
		return rc;
	if (rc == 1)
		as_of = info.as_of;
	store_snapshot_info_free(&info);
	if ((rc = store_read_begin(s)))
		return rc;
	rc = scorer_population_load(s, as_of, cur, &a);
	if (!rc)
		rc = scorer_population_load(s, as_of, next, &b);
	store_read_end(s);
	if (!rc)
		rc = scorer_compute(a, cur);
	if (!rc)
		rc = scorer_compute(b, next);
	if (rc)
		goto done;
	fprintf(app->out,
	        "\nPreview (as of the newest scores): the top %zu with the proposed "
	        "weights\n",
	        top);
	for (size_t r = 0; r < b->eligible && r < top; r++) {
		const struct scorer_person *p = &b->people[b->order[r]],
		                           *q = &a->people[b->order[r]];
		fprintf(app->out, "  %3zu  %-12s %6.1f  %s\n", r + 1, p->employee_id, p->score,
		        q->rank && (size_t)q->rank <= top ? "" : "enters");
	}
	for (size_t r = 0; r < a->eligible && r < top; r++) {
		const struct scorer_person *p = &b->people[a->order[r]];
		if (!p->rank || (size_t)p->rank > top)
			fprintf(app->out, "  leaves: %s (was %zu, would be %lld)\n", p->employee_id,
			        r + 1, (long long)p->rank);
	}
	ra = xmalloc((a->n + 1) * sizeof(int64_t));
	rb = xmalloc((a->n + 1) * sizeof(int64_t));
	for (size_t i = 0; i < a->n; i++)
		if (a->people[i].rank && b->people[i].rank) {
			ra[m] = a->people[i].rank;
			rb[m++] = b->people[i].rank;
		}
	fprintf(app->out, "Kendall rank correlation with the current ranking: %.3f\n",
	        scorer_kendall_tau(ra, rb, m));
done:
	free(ra);
	free(rb);
	scorer_population_destroy(&a);
	scorer_population_destroy(&b);
	return rc;
}

static void print_figure(FILE *f, const char *what, const struct evaluate_figure *e)
{
	fprintf(f, "  %-34s %6.3f  (90%% interval %.3f to %.3f)\n", what, e->value, e->lo, e->hi);
}

int weights_fit(struct app *app, store *s, int argc, char **argv)
{
	struct learn_opts o = {
	    .active_weeks = 6, .size = 12, .resamples = 1000, .seed = 1, .folds = 5};
	struct outcome_set set = {0};
	struct scorer_params cur, next;
	struct fit_result fr;
	struct buf note = {0};
	double *x = NULL;
	int *y = NULL;
	int64_t as_of, version = 0;
	char *label = NULL, *from = NULL, *name = NULL, date[16];
	size_t n = 0, not_eligible = 0;
	bool done, have_outcome = false;
	int rc;

	for (int i = 1; i < argc; i++)
		have_outcome |=
		    strcmp(argv[i], "--outcome") == 0 || strncmp(argv[i], "--outcome=", 10) == 0;
	if ((rc = parse_learn(argc, argv, &o, fit_help, app, &done)) || done)
		return rc;
	scorer_params_defaults(&cur);
	if (!have_outcome)
		return err_set(ERR_USAGE, "weights fit needs --outcome accepted, active or rated");
	if (o.nprofiles)
		return err_set(ERR_USAGE, "weights fit takes --from PROFILE, not --profile");
	if ((rc = load_profile_named(s, o.from, &cur, &label, &from)))
		return rc;
	if ((rc = outcome_set_collect(s, o.outcome, store_now(), (int)o.active_weeks, &set)))
		goto out;
	learn_as_of(&o, &set, &as_of);
	x = xmalloc((set.n ? set.n : 1) * 3 * sizeof(double));
	y = xmalloc((set.n ? set.n : 1) * sizeof(int));
	if ((rc = fit_data(s, &cur, as_of, &set, x, y, &n, &not_eligible)))
		goto out;
	const double w[3] = {cur.w_activity, cur.w_attitude, cur.w_motivation};
	if ((rc = fit_weights(&fr, x, y, n, w, (size_t)o.folds, (size_t)o.resamples,
	                      (uint64_t)o.seed))) {
		rc = err_wrap(rc, "weights fit, outcome %s", outcome_kind_name(o.outcome));
		goto out;
	}
	next = cur;
	/* three decimals: what `weights show` prints is what is stored */
	next.w_activity = round(fr.weights[0] * 1000) / 1000;
	next.w_attitude = round(fr.weights[1] * 1000) / 1000;
	next.w_motivation = round(fr.weights[2] * 1000) / 1000;
	if ((rc = scorer_params_check(&next)))
		goto out;
	{
		struct buf nb = {0};
		buf_printf(&nb, "%s-fitted", from);
		name = o.name ? xstrdup(o.name) : nb.data;
		if (o.name)
			buf_free(&nb);
	}
	if (o.note)
		buf_puts(&note, o.note);
	else
		buf_printf(&note,
		           "fitted to %zu '%s' outcomes from %s; CV AUC %.3f -> %.3f (not active "
		           "until `weights use`)",
		           n, outcome_kind_name(o.outcome), label, fr.cv_current.value,
		           fr.cv_proposed.value);
	if (!o.author) {
		const char *user = getenv("USER");
		o.author = user && *user ? user : "unknown";
	}
	if ((rc = scorer_profile_save(s, name, &next, o.author, note.data ? note.data : "",
	                              &version)))
		goto out;
	timefmt_date(date, sizeof(date), as_of);
	fprintf(app->out,
	        "Fitted to %zu people with a known '%s' outcome (%zu with it; %zu more with an "
	        "outcome were not eligible and are left out), scored as of %s.\n"
	        "Ridge toward %s, strength %g chosen by %zu-fold cross-validation.\n\n"
	        "  %-14s %8s %8s\n  %-14s %8.3f %8.3f\n  %-14s %8.3f %8.3f\n  %-14s %8.3f %8.3f\n",
	        n, outcome_kind_name(o.outcome), fr.positive, not_eligible, date, label, fr.lambda,
	        fr.folds, "weight", "current", "proposed", "w_activity",
	        w[0] / (w[0] + w[1] + w[2]), next.w_activity, "w_attitude",
	        w[1] / (w[0] + w[1] + w[2]), next.w_attitude, "w_motivation",
	        w[2] / (w[0] + w[1] + w[2]), next.w_motivation);
	if (fr.clamped)
		fprintf(app->out, "  (a weight the data put at or below 0 was raised to %.2f)\n",
		        FIT_MIN_WEIGHT);
	fprintf(app->out, "\nCross-validated AUC (held-out people, %zu bootstrap resamples):\n",
	        (size_t)o.resamples);
	print_figure(app->out, "current weights", &fr.cv_current);
	print_figure(app->out, "proposed weights", &fr.cv_proposed);
	print_figure(app->out, "proposed minus current", &fr.cv_diff);
	if ((rc = fit_preview(app, s, &cur, &next, (size_t)o.size)))
		goto out;
	fprintf(app->out,
	        "\nSaved as profile %s version %lld, not active. Review it with `weights "
	        "evaluate --profile %s`; `weights use %s` makes it the one `score` uses.\n%s\n",
	        name, (long long)version, name, name, SCORING_NOTICE);
out:
	outcome_set_clear(&set);
	buf_free(&note);
	free(label);
	free(from);
	free(name);
	free(x);
	free(y);
	return rc;
}
