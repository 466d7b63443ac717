/* cmd_candidates.c - `ambassador candidates --size N`: a pilot list spread
 * across departments and levels (scorer/select.h), each with a reason.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cmds_scoring.h"
#include "cli/table.h"
#include "core/err.h"
#include "core/store_report.h"
#include "scorer/explain.h"
#include "scorer/rank.h"
#include "scorer/select.h"

static const struct table_column cand_cols[] = {
    {"rank", TABLE_NUMBER},     {"employee_id", TABLE_TEXT}, {"name", TABLE_TEXT},
    {"department", TABLE_TEXT}, {"level", TABLE_TEXT},       {"score", TABLE_NUMBER},
    {"activity", TABLE_NUMBER}, {"attitude", TABLE_NUMBER},  {"motivation", TABLE_NUMBER},
    {"reason", TABLE_TEXT},
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ambassador candidates --size N [--max-share F] [--department D]\n"
	        "                             [--format table|csv|json|xlsx] [--out FILE]\n"
	        "                             [--excel] [--delimiter ';'] [--snapshot ID]\n\n"
	        "A pilot list of up to N people from the newest snapshot. Every department\n"
	        "whose best person reaches the profile's min_score gets a seat while seats\n"
	        "remain (departments in the order of their best score); the other seats go\n"
	        "by score, no department above ceil(F * N) seats (F default: the profile's\n"
	        "max_share, 0.25); within level_tie points a less represented level goes\n"
	        "first. Deterministic; each person comes with the reason.\n\n" TABLE_OUTPUT_HELP);
}

static void how_phrase(struct buf *b, enum select_how how, const struct snapshot_row *r)
{
	switch (how) {
	case SELECT_DEPARTMENT_BEST: buf_printf(b, "Best in %s", r->department); break;
	case SELECT_DEPARTMENT_LEVEL:
		buf_printf(b, "Seat for %s, close to its best, spreading levels (%s)",
		           r->department, *r->level ? r->level : "level not given");
		break;
	case SELECT_BY_SCORE: buf_puts(b, "Among the next best scores"); break;
	case SELECT_BY_SCORE_LEVEL:
		buf_printf(b, "Close to the next best score, spreading levels (%s)",
		           *r->level ? r->level : "level not given");
		break;
	}
}

struct cand_opts {
	int64_t size;
	double max_share;
	const char *dept;
	struct table_output out;
	int64_t snapshot;
};

static int parse(int argc, char **argv, struct cand_opts *o)
{
	static const struct option opts[] = {
	    {"size", required_argument, NULL, 'n'},
	    {"max-share", required_argument, NULL, 'm'},
	    {"department", required_argument, NULL, 'd'},
	    {"snapshot", required_argument, NULL, 's'},
	    TABLE_OUTPUT_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc = 0;
	char *end;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': rc = scoring_parse_count("--size", optarg, 100000, &o->size); break;
		case 'm':
			errno = 0;
			o->max_share = strtod(optarg, &end);
			if (end == optarg || *end || errno ||
			    !(o->max_share > 0 && o->max_share <= 1))
				rc = err_set(ERR_USAGE,
				             "--max-share: '%s' is not a number above 0 and "
				             "at most 1",
				             optarg);
			break;
		case 'd': o->dept = optarg; break;
		case 's':
			rc = scoring_parse_count("--snapshot", optarg, INT64_MAX, &o->snapshot);
			break;
		default:
			if ((rc = table_output_option(&o->out, ch, optarg)) == 0)
				return err_set(ERR_USAGE,
				               "candidates: unknown option (see --help)");
			rc = rc < 0 ? rc : 0;
		}
		if (rc)
			return rc;
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "candidates takes no arguments");
	if (o->size <= 0)
		return err_set(ERR_USAGE, "candidates: --size N (1 or more) is required");
	return table_output_check(&o->out);
}

static void add_row(table *t, const struct snapshot_row *r, const char *reason)
{
	char rank[32], score[32], act[32], att[32], mot[32];

	snprintf(rank, sizeof(rank), "%lld", (long long)r->rank);
	scoring_fmt_score(score, r->score);
	scoring_fmt_component(act, r->activity);
	scoring_fmt_component(att, r->attitude);
	scoring_fmt_component(mot, r->motivation);
	const char *cells[] = {
	    rank, r->employee_id, r->name, r->department, r->level, score, act, att, mot, reason};
	table_add_row(t, cells);
}

/* The reason of one pick: how the seat was given, then the facts from the
 * person's detail JSON (read from the store when the view has none). */
static char *pick_reason(const struct scoring_view *v, const struct select_pick *p,
                         const struct snapshot_row *r, const double *att, const double *mot)
{
	char *own = NULL;
	const char *detail = r->detail;
	struct explain_detail d;
	struct buf reason = {0};

	how_phrase(&reason, p->how, r);
	/* By primary key: one lookup, whatever the snapshot's size. */
	if (!detail && store_snapshot_detail(v->store, v->info.id, r->pid, &own) == 1)
		detail = own;
	if (detail && explain_detail_parse(&d, detail) == 0)
		explain_facts(&reason, &d, r->attitude, r->motivation,
		              scorer_percentile(att, v->eligible, r->attitude),
		              scorer_percentile(mot, v->eligible, r->motivation));
	free(own);
	return reason.data ? reason.data : xstrdup("");
}

int scoring_candidates(const struct scoring_view *v, const struct select_opts *so, const char *dept,
                       struct scoring_candidate **out, size_t *out_n)
{
	struct select_person *people = xcalloc(v->eligible + 1, sizeof(*people));
	size_t *row_of = xcalloc(v->eligible + 1, sizeof(*row_of)), n = 0, npicks = 0;
	double *att = xcalloc(v->eligible + 1, sizeof(double));
	double *mot = xcalloc(v->eligible + 1, sizeof(double));
	struct select_pick *picks = xcalloc(so->size + 1, sizeof(*picks));
	struct scoring_candidate *c = NULL;
	int rc;

	*out = NULL;
	*out_n = 0;
	for (size_t i = 0; i < v->eligible; i++) {
		att[i] = v->rows[i].attitude;
		mot[i] = v->rows[i].motivation;
		if (dept && strcasecmp(dept, v->rows[i].department) != 0)
			continue;
		people[n] = (struct select_person){v->rows[i].department, v->rows[i].level,
		                                   v->rows[i].score};
		row_of[n++] = i;
	}
	if ((rc = scorer_select(picks, &npicks, people, n, so)))
		goto done;
	c = xcalloc(npicks + 1, sizeof(*c));
	for (size_t k = 0; k < npicks; k++) {
		c[k].row = row_of[picks[k].index];
		c[k].how = picks[k].how;
		c[k].reason = pick_reason(v, &picks[k], &v->rows[c[k].row], att, mot);
	}
	*out = c;
	*out_n = npicks;
done:
	free(people);
	free(row_of);
	free(picks);
	free(att);
	free(mot);
	return rc;
}

void scoring_candidates_free(struct scoring_candidate **c, size_t n)
{
	if (!c || !*c)
		return;
	for (size_t i = 0; i < n; i++)
		free((*c)[i].reason);
	free(*c);
	*c = NULL;
}

struct select_opts scoring_select_opts(const struct scoring_view *v, size_t size, double max_share)
{
	return (struct select_opts){
	    .size = size,
	    .max_share = max_share > 0 ? max_share : v->params.max_share,
	    .min_score = v->params.min_score,
	    .level_tie = v->params.level_tie,
	};
}

int cmd_candidates(struct app *app, int argc, char **argv)
{
	struct cand_opts o = {.out.fmt = TABLE_FORMAT_TABLE};
	struct scoring_view v;
	struct scoring_candidate *c = NULL;
	size_t npicks = 0;
	table *t = NULL;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		usage(app->out);
		return 0;
	}
	if ((rc = parse(argc, argv, &o)))
		return rc;
	/* Details are read for the picks only (pick_reason), not for everyone. */
	if ((rc = scoring_view_open(app, o.snapshot, NULL, false, &v)))
		return rc;
	struct select_opts so = scoring_select_opts(&v, (size_t)o.size, o.max_share);
	if ((rc = scoring_candidates(&v, &so, o.dept, &c, &npicks)))
		goto done;
	t = table_new(cand_cols, sizeof(cand_cols) / sizeof(cand_cols[0]));
	for (size_t k = 0; k < npicks; k++)
		add_row(t, &v.rows[c[k].row], c[k].reason);
	struct buf note = {0};
	buf_printf(&note,
	           "%zu of %lld seats filled from snapshot #%lld (at most %zu per department, "
	           "minimum score %.0f).",
	           npicks, (long long)o.size, (long long)v.info.id, scorer_select_cap(&so),
	           so.min_score);
	if (npicks < (size_t)o.size)
		buf_puts(&note, " Fewer people than seats reach the minimum score.");
	buf_printf(&note, "\n%s", SCORING_NOTICE);
	table_set_notice(t, note.data);
	scoring_view_facts(t, &v);
	table_add_fact_number(t, "seats asked (--size)", (double)o.size);
	table_add_fact_number(t, "max_share used", so.max_share);
	if (o.dept)
		table_add_fact_text(t, "department filter", o.dept);
	rc = table_write(t, app->out, &o.out);
	if (o.out.fmt == TABLE_FORMAT_CSV && !o.out.path && !app->quiet)
		fprintf(stderr, "%s\n", note.data);
	buf_free(&note);
done:
	table_destroy(&t);
	scoring_candidates_free(&c, npicks);
	scoring_view_close(&v);
	return rc;
}
