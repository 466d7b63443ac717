/* cmd_weights.c - `ambassador weights show|set|preview|history|rollback|use`:
 * named, versioned weight profiles. Every change is a new version with
 * author, time and note; preview computes in memory and writes nothing.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_outcomes.h"
#include "cli/cmds_scoring.h"
#include "cli/report.h"
#include "cli/table.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/timefmt.h"
#include "scorer/model.h"
#include "scorer/rank.h"

struct wopts {
	const char *profile, *author, *note;
	enum table_format fmt;
	int64_t to, top;
	const char *report; /* preview --report FILE.html */
	char **kv;          /* KEY=VALUE arguments */
	int nkv;
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ambassador weights show [--profile NAME] [--format table|csv|json]\n"
	        "       ambassador weights set KEY=VALUE... [--note TEXT] [--author NAME] "
	        "[--profile NAME]\n"
	        "       ambassador weights preview KEY=VALUE... [--top N] [--profile NAME]\n"
	        "                                  [--report FILE.html]\n"
	        "       ambassador weights history [--profile NAME] [--format ...]\n"
	        "       ambassador weights rollback [--to VERSION] [--note TEXT] [--author NAME]\n"
	        "       ambassador weights use NAME\n"
	        "       ambassador weights evaluate [--profile NAME[:VERSION]]... [--outcome K]\n"
	        "       ambassador weights fit --outcome K [--from PROFILE] [--note TEXT]\n\n"
	        "Profiles are named and versioned in the database; the active one (default\n"
	        "\"default\") is used by `score`. Every set or rollback writes a new version\n"
	        "(author from --author or $USER); nothing is overwritten. preview shows how\n"
	        "the top N (default 20) would change, without writing anything; --report\n"
	        "also writes it as a self-contained HTML page (mode 0600): who enters and\n"
	        "leaves, rank moves, seats per department, both distributions.\n"
	        "The keys, ranges and meaning: `weights show`, and\n"
	        "docs/design.md, section 'How scoring works'.\n");
}

/* --note and --author are shown in `weights history`: no control
 * characters (a CR or ESC there would rewrite a reader's screen). */
static int check_text(const char *what, const char *s)
{
	unsigned cp;
	size_t at;

	if (s && csv_find_control(s, strlen(s), &cp, &at))
		return err_set(ERR_USAGE, "%s has a control character (U+%04X) at character %zu",
		               what, cp, at);
	return 0;
}

static int parse(int argc, char **argv, struct wopts *o)
{
	static const struct option opts[] = {
	    {"profile", required_argument, NULL, 'p'}, {"author", required_argument, NULL, 'a'},
	    {"note", required_argument, NULL, 'n'},    {"format", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},      {"top", required_argument, NULL, 'k'},
	    {"report", required_argument, NULL, 'r'},  {NULL, 0, NULL, 0},
	};
	int ch, rc = 0;

	o->top = 20;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': o->profile = optarg; break;
		case 'a': o->author = optarg; break;
		case 'n': o->note = optarg; break;
		case 'f': rc = table_format_parse(optarg, &o->fmt); break;
		case 't': rc = scoring_parse_count("--to", optarg, INT64_MAX, &o->to); break;
		case 'k': rc = scoring_parse_count("--top", optarg, 100000, &o->top); break;
		case 'r': o->report = optarg; break;
		default: return err_set(ERR_USAGE, "weights: unknown option (see --help)");
		}
		if (rc)
			return rc;
	}
	o->kv = argv + optind;
	o->nkv = argc - optind;
	if (!o->author)
		o->author = getenv("USER") && *getenv("USER") ? getenv("USER") : "unknown";
	if ((rc = check_text("--note", o->note)) || (rc = check_text("--author", o->author)))
		return rc;
	return 0;
}

static int apply_kv(struct scorer_params *p, const struct wopts *o)
{
	int rc;

	if (o->nkv == 0)
		return err_set(ERR_USAGE, "give at least one KEY=VALUE (see `weights show`)");
	for (int i = 0; i < o->nkv; i++) {
		char *eq = strchr(o->kv[i], '=');
		if (!eq)
			return err_set(ERR_USAGE, "'%s' is not KEY=VALUE", o->kv[i]);
		*eq = '\0';
		rc = scorer_params_set(p, o->kv[i], eq + 1);
		*eq = '=';
		if (rc)
			return rc;
	}
	return scorer_params_check(p);
}

static void fmt_value(char *out, size_t size, const struct scorer_param_info *pi, double v)
{
	snprintf(out, size, pi->integer ? "%.0f" : "%g", v);
}

static int show(struct app *app, store *s, const struct wopts *o)
{
	static const struct table_column cols[] = {
	    {"key", TABLE_TEXT},   {"value", TABLE_NUMBER}, {"default", TABLE_NUMBER},
	    {"range", TABLE_TEXT}, {"meaning", TABLE_TEXT},
	};
	struct scorer_params p;
	int64_t version;
	char *name = NULL;
	int rc = scorer_profile_load(s, o->profile, false, &p, &version, &name);

	if (rc == ERR_NOT_FOUND && !o->profile) {
		scorer_params_defaults(&p); /* nothing saved yet: the defaults are in force */
		version = 0;
		name = xstrdup("default");
	} else if (rc) {
		return rc;
	}
	table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < scorer_param_count(); i++) {
		const struct scorer_param_info *pi = scorer_param_at(i);
		char val[32], def[32], range[64];
		fmt_value(val, sizeof(val), pi, scorer_param_value(&p, i));
		fmt_value(def, sizeof(def), pi, pi->def);
		snprintf(range, sizeof(range), "%g..%g", pi->min, pi->max);
		const char *cells[] = {pi->key, val, def, range, pi->help};
		table_add_row(t, cells);
	}
	if (o->fmt == TABLE_FORMAT_TABLE)
		fprintf(app->out, "profile %s, version %lld%s\n\n", name, (long long)version,
		        version ? "" : " (defaults, not saved yet)");
	rc = table_print(t, app->out, o->fmt);
	table_destroy(&t);
	free(name);
	return rc;
}

static int set(struct app *app, store *s, const struct wopts *o)
{
	struct scorer_params p;
	int64_t version;
	char *name = NULL;
	int rc = scorer_profile_load(s, o->profile, true, &p, &version, &name);

	if (!rc)
		rc = apply_kv(&p, o);
	if (!rc)
		rc = scorer_profile_save(s, name, &p, o->author, o->note, &version);
	if (!rc)
		fprintf(app->out,
		        "profile %s version %lld saved by %s; run `ambassador score` to apply it\n",
		        name, (long long)version, o->author);
	free(name);
	return rc;
}

static int rollback(struct app *app, store *s, const struct wopts *o)
{
	char *name = NULL;
	int64_t version;
	int rc;

	if (o->profile)
		name = xstrdup(o->profile);
	else if ((rc = scorer_profile_active(s, &name)))
		return rc;
	rc = scorer_profile_rollback(s, name, o->to, o->author, o->note, &version);
	if (!rc)
		fprintf(app->out,
		        "profile %s version %lld written with the weights of an earlier version; "
		        "run `ambassador score` to apply it\n",
		        name, (long long)version);
	free(name);
	return rc;
}

struct history_ctx {
	table *t;
	char *prev;
};

/* Keys whose value differs between two params JSON texts. */
static void diff_params(struct buf *b, const char *prev, const char *cur)
{
	struct scorer_params a, c;

	if (!prev) {
		buf_puts(b, "(first version)");
		return;
	}
	if (scorer_params_from_json(&a, prev) || scorer_params_from_json(&c, cur)) {
		buf_puts(b, "?");
		return;
	}
	for (size_t i = 0; i < scorer_param_count(); i++) {
		double x = scorer_param_value(&a, i), y = scorer_param_value(&c, i);
		if (x != y)
			buf_printf(b, "%s%s %g->%g", b->len ? ", " : "", scorer_param_at(i)->key, x,
			           y);
	}
	if (!b->len)
		buf_puts(b, "(no change)");
}

static int history_row(void *ctx, const struct profile_version *pv)
{
	struct history_ctx *h = ctx;
	char ver[32], when[32];
	struct buf changes = {0};

	snprintf(ver, sizeof(ver), "%lld", (long long)pv->version);
	timefmt_iso(when, sizeof(when), pv->created_at);
	diff_params(&changes, h->prev, pv->params);
	const char *cells[] = {ver, when, pv->author, pv->note, changes.data};
	table_add_row(h->t, cells);
	buf_free(&changes);
	free(h->prev);
	h->prev = xstrdup(pv->params);
	return 0;
}

static int history(struct app *app, store *s, const struct wopts *o)
{
	static const struct table_column cols[] = {
	    {"version", TABLE_NUMBER}, {"created_at", TABLE_TEXT}, {"author", TABLE_TEXT},
	    {"note", TABLE_TEXT},      {"changes", TABLE_TEXT},
	};
	struct history_ctx h = {table_new(cols, sizeof(cols) / sizeof(cols[0])), NULL};
	char *name = NULL;
	int rc;

	if (o->profile)
		name = xstrdup(o->profile);
	else if ((rc = scorer_profile_active(s, &name)))
		goto done;
	if ((rc = store_profile_history_each(s, name, history_row, &h)))
		goto done;
	if (o->fmt == TABLE_FORMAT_TABLE)
		fprintf(app->out, "profile %s%s\n\n", name,
		        table_rows(h.t) ? "" : ": no saved versions (defaults in force)");
	rc = table_print(h.t, app->out, o->fmt);
done:
	table_destroy(&h.t);
	free(h.prev);
	free(name);
	return rc;
}

static int use(struct app *app, store *s, const struct wopts *o)
{
	struct profile_version pv;
	int rc;

	if (o->nkv != 1)
		return err_set(ERR_USAGE, "usage: ambassador weights use NAME");
	if ((rc = store_profile_get(s, o->kv[0], 0, &pv)) < 0)
		return rc;
	store_profile_version_free(&pv);
	if (rc == 0)
		return err_set(ERR_NOT_FOUND,
		               "no weight profile named '%s' (create it with `weights set ... "
		               "--profile %s`)",
		               o->kv[0], o->kv[0]);
	if ((rc = store_meta_set(s, "active_profile", o->kv[0])))
		return rc;
	fprintf(app->out, "profile %s is now active; run `ambassador score` to apply it\n",
	        o->kv[0]);
	return 0;
}

static int weights_preview(struct app *app, store *s, const struct wopts *o);

int cmd_weights(struct app *app, int argc, char **argv)
{
	struct wopts o = {.fmt = TABLE_FORMAT_TABLE};
	const char *sub;
	store *s;
	int rc;

	if (argc < 2 || cmd_wants_help(argc, argv)) {
		usage(argc < 2 ? stderr : app->out);
		return argc < 2 ? err_set(ERR_USAGE, "weights: say show, set, preview, history, "
		                                     "rollback or use")
		                : 0;
	}
	sub = argv[1];
	if (strcmp(sub, "fit") == 0) /* options of its own */
		return (rc = app_store(app, false, &s)) ? rc
		                                        : weights_fit(app, s, argc - 1, argv + 1);
	if (strcmp(sub, "evaluate") == 0) /* options of its own */
		return (rc = app_store(app, false, &s))
		           ? rc
		           : weights_evaluate(app, s, argc - 1, argv + 1);
	if ((rc = parse(argc - 1, argv + 1, &o)))
		return rc;
	if ((rc = app_store(app, false, &s)))
		return rc;
	if (strcmp(sub, "show") == 0)
		return show(app, s, &o);
	if (strcmp(sub, "set") == 0)
		return set(app, s, &o);
	if (strcmp(sub, "preview") == 0)
		return weights_preview(app, s, &o);
	if (strcmp(sub, "history") == 0)
		return history(app, s, &o);
	if (strcmp(sub, "rollback") == 0)
		return rollback(app, s, &o);
	if (strcmp(sub, "use") == 0)
		return use(app, s, &o);
	return err_set(ERR_USAGE, "weights: unknown subcommand '%s'", sub);
}

/* --- preview ------------------------------------------------------------ */

static const struct table_column preview_cols[] = {
    {"rank", TABLE_NUMBER},      {"employee_id", TABLE_TEXT}, {"name", TABLE_TEXT},
    {"department", TABLE_TEXT},  {"score", TABLE_NUMBER},     {"was_rank", TABLE_NUMBER},
    {"was_score", TABLE_NUMBER}, {"change", TABLE_TEXT},
};

static void preview_table(table *t, const scorer_population *now, const scorer_population *next,
                          size_t top)
{
	for (size_t r = 0; r < next->eligible && r < top; r++) {
		size_t i = next->order[r];
		const struct scorer_person *a = &now->people[i], *b = &next->people[i];
		char rank[32], score[32], was[32], was_score[32], change[32];
		snprintf(rank, sizeof(rank), "%lld", (long long)b->rank);
		scoring_fmt_score(score, b->score);
		if (a->rank)
			snprintf(was, sizeof(was), "%lld", (long long)a->rank);
		else
			was[0] = '\0';
		scoring_fmt_score(was_score, a->eligible ? a->score : NAN);
		if (!a->rank || (size_t)a->rank > top)
			snprintf(change, sizeof(change), "enters");
		else if (a->rank == b->rank)
			snprintf(change, sizeof(change), "=");
		else
			snprintf(change, sizeof(change), "%+lld", (long long)(a->rank - b->rank));
		const char *cells[] = {rank, b->employee_id, b->name, b->department, score,
		                       was,  was_score,      change};
		table_add_row(t, cells);
	}
}

static double tau_between(const scorer_population *a, const scorer_population *b)
{
	int64_t *ra = xmalloc((a->n + 1) * sizeof(int64_t)),
	        *rb = xmalloc((a->n + 1) * sizeof(int64_t));
	size_t m = 0;
	double tau;

	for (size_t i = 0; i < a->n; i++) {
		if (a->people[i].rank && b->people[i].rank) {
			ra[m] = a->people[i].rank;
			rb[m++] = b->people[i].rank;
		}
	}
	tau = scorer_kendall_tau(ra, rb, m);
	free(ra);
	free(rb);
	return tau;
}

static int preview_report(const struct wopts *o, const scorer_population *now,
                          const scorer_population *then, const struct scorer_params *cur,
                          const struct scorer_params *next)
{
	struct preview_report pr = {.now = now,
	                            .next = then,
	                            .cur = cur,
	                            .prop = next,
	                            .top = (size_t)o->top,
	                            .tau = tau_between(now, then),
	                            .profile = o->profile ? o->profile : "(the active one)"};
	FILE *f = NULL;
	int rc;

	if ((rc = app_create_private(o->report, &f)))
		return rc;
	rc = report_preview_html(f, &pr);
	if (fclose(f) != 0 && !rc)
		rc = err_set(ERR_IO, "writing %s failed", o->report);
	return rc;
}

static int weights_preview(struct app *app, store *s, const struct wopts *o)
{
	struct scorer_params cur, next;
	scorer_population *now = NULL, *then = NULL;
	struct snapshot_info info;
	int64_t version = 0, as_of = clock_now();
	table *t = NULL;
	int rc = scorer_profile_load(s, o->profile, false, &cur, &version, NULL);

	/* Never create anything here: without a saved profile the defaults are
	 * what `score` would use. */
	if (rc == ERR_NOT_FOUND && !o->profile)
		scorer_params_defaults(&cur), rc = 0;
	if (rc)
		return rc;
	next = cur;
	if ((rc = apply_kv(&next, o)))
		return rc;
	/* Same as_of as the newest snapshot, so only the weights differ. */
	if ((rc = store_snapshot_get(s, 0, &info)) < 0)
		return rc;
	if (rc == 1)
		as_of = info.as_of;
	store_snapshot_info_free(&info);
	if ((rc = store_read_begin(s)))
		return rc;
	rc = scorer_population_load(s, as_of, &cur, &now);
	if (!rc)
		rc = scorer_population_load(s, as_of, &next, &then);
	store_read_end(s);
	if (!rc)
		rc = scorer_compute(now, &cur);
	if (!rc)
		rc = scorer_compute(then, &next);
	if (rc)
		goto done;
	size_t top = (size_t)o->top, leaves = 0;
	t = table_new(preview_cols, sizeof(preview_cols) / sizeof(preview_cols[0]));
	preview_table(t, now, then, top);
	struct buf note = {0};
	for (size_t r = 0; r < now->eligible && r < top; r++) {
		const struct scorer_person *b = &then->people[now->order[r]];
		if (!b->rank || (size_t)b->rank > top) {
			buf_printf(&note, "%sleaves the top %zu: %s (was %zu)", leaves ? "; " : "",
			           top, b->employee_id, r + 1);
			leaves++;
		}
	}
	buf_printf(&note,
	           "%sKendall rank correlation between the current and the proposed ranking: "
	           "%.3f (1 = same order). Nothing was saved; `weights set` saves.\n%s",
	           leaves ? "\n" : "", tau_between(now, then), SCORING_NOTICE);
	table_set_notice(t, note.data);
	buf_free(&note);
	if (o->report)
		rc = preview_report(o, now, then, &cur, &next);
	if (!rc)
		rc = table_print(t, app->out, o->fmt);
done:
	table_destroy(&t);
	scorer_population_destroy(&now);
	scorer_population_destroy(&then);
	return rc;
}
