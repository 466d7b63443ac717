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
#include "core/num.h"
#include "scorer/explain.h"
#include "scorer/interval.h"
#include "scorer/rank.h"
#include "scorer/select.h"
#include "core/store_pilot.h"
#include "core/store_report.h"
#include "ipc/invite_book.h"

static const struct table_column cand_cols[] = {
    {"rank", TABLE_NUMBER},     {"employee_id", TABLE_TEXT},    {"name", TABLE_TEXT},
    {"department", TABLE_TEXT}, {"level", TABLE_TEXT},          {"score", TABLE_NUMBER},
    {"activity", TABLE_NUMBER}, {"attitude", TABLE_NUMBER},     {"motivation", TABLE_NUMBER},
    {"reason", TABLE_TEXT},     {"rank_interval", TABLE_RANGE}, {"close_call", TABLE_FLAG},
    {"email", TABLE_TEXT},      {"consent", TABLE_TEXT},        {"invitation", TABLE_TEXT},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ambassador candidates --size N [--max-share F] [--department D]\n"
	           "                             [--format table|csv|json|xlsx] [--out FILE]\n"
	           "                             [--excel] [--delimiter ';'] [--snapshot ID]\n\n"
	           "A pilot list of up to N people from the newest snapshot. Every department\n"
	           "whose best person reaches the profile's min_score gets a seat while seats\n"
	           "remain (departments in the order of their best score); the other seats go\n"
	           "by score, no department above ceil(F * N) seats (F default: the profile's\n"
	           "max_share, 0.25); within level_tie points a less represented level goes\n"
	           "first. Deterministic; each person comes with the reason.\n"
	           "When the snapshot was scored with `score --intervals`, each pick shows\n"
	           "the 90%% interval of their rank, and a \"close call\" when it overlaps\n"
	           "the interval of the best person left out.\n\n" TABLE_OUTPUT_HELP);
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

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': rc = scoring_parse_count("--size", optarg, 100000, &o->size); break;
		case 'm':
			if (num_double(optarg, &o->max_share) != 0 ||
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

static void add_row(table *t, const struct candidate *c)
{
	const struct snapshot_row *r = c->row;
	char rank[32], score[32], act[32], att[32], mot[32], iv[SCORING_INTERVAL_BYTES];

	snprintf(rank, sizeof(rank), "%lld", (long long)r->rank);
	scoring_fmt_score(score, r->score);
	scoring_fmt_component(act, r->activity);
	scoring_fmt_component(att, r->attitude);
	scoring_fmt_component(mot, r->motivation);
	const char *cells[] = {rank,
	                       r->employee_id,
	                       r->name,
	                       r->department,
	                       r->level,
	                       score,
	                       act,
	                       att,
	                       mot,
	                       c->reason,
	                       scoring_fmt_interval(iv, r),
	                       c->close_call ? "close call" : NULL,
	                       r->email,
	                       *r->consent ? r->consent : "not asked",
	                       r->invitation};
	table_add_row(t, cells);
}

int candidates_pick(const struct scoring_view *v, const struct candidates_req *req,
                    struct candidate **out, size_t *out_n)
{
	struct select_person *people = xcalloc(v->eligible + 1, sizeof(*people));
	size_t *row_of = xcalloc(v->eligible + 1, sizeof(*row_of)), n = 0, npicks = 0;
	struct select_pick *picks = xcalloc(req->size + 1, sizeof(*picks));
	struct candidate *c = NULL;
	struct select_opts so = {
	    .size = req->size,
	    .max_share = req->max_share > 0 ? req->max_share : v->params.max_share,
	    .min_score = v->params.min_score,
	    .level_tie = v->params.level_tie,
	};
	int rc;

	*out = NULL;
	*out_n = 0;
	struct snapshot_row *picked = NULL;
	struct scorer_standing *st = NULL;
	for (size_t i = 0; i < v->eligible; i++) {
		if (req->department &&
		    !served_same_department(req->department, v->rows[i].department))
			continue;
		people[n] = (struct select_person){v->rows[i].department, v->rows[i].level,
		                                   v->rows[i].score};
		row_of[n++] = i;
	}
	if ((rc = scorer_select(picks, &npicks, people, n, &so)))
		goto done;
	/* The picks' percentiles by the one rule (scoring_standings), as
	 * `explain` and the service show them. */
	picked = xcalloc(npicks + 1, sizeof(*picked));
	st = xcalloc(npicks + 1, sizeof(*st));
	for (size_t k = 0; k < npicks; k++)
		picked[k] = v->rows[row_of[picks[k].index]];
	if ((rc = scoring_standings(v, picked, npicks, st)))
		goto done;
	c = xcalloc(npicks + 1, sizeof(*c));
	size_t out_i = scorer_select_left_out(picks, npicks, n);
	const struct snapshot_row *left_out = out_i < n ? &v->rows[row_of[out_i]] : NULL;
	for (size_t k = 0; k < npicks; k++) {
		const struct snapshot_row *r = &v->rows[row_of[picks[k].index]];
		struct scorer_detail d;
		struct buf reason = {0};
		char *own = NULL;
		const char *detail = r->detail;
		how_phrase(&reason, picks[k].how, r);
		/* A view opened without details: the picks' are read by primary
		 * key, one lookup each whatever the snapshot's size. */
		if (!detail && store_snapshot_detail(v->store, v->info.id, r->pid, &own) == 1)
			detail = own;
		if (detail && scorer_detail_decode(&d, detail) == 0)
			explain_facts(&reason, &d, r->attitude, r->motivation, st[k].company[2],
			              st[k].company[3]);
		free(own);
		c[k].row = r;
		c[k].reason = reason.data ? reason.data : xstrdup("");
		c[k].close_call =
		    left_out && scorer_intervals_overlap(r->rank_lo, r->rank_hi, left_out->rank_lo,
		                                         left_out->rank_hi);
	}
	*out = c;
	*out_n = npicks;
	c = NULL;
done:
	free(c);
	free(people);
	free(row_of);
	free(picks);
	free(picked);
	free(st);
	return rc;
}

void candidates_free(struct candidate **c, size_t n)
{
	if (!c || !*c)
		return;
	for (size_t i = 0; i < n; i++)
		free((*c)[i].reason);
	free(*c);
	*c = NULL;
}

int cmd_candidates(struct app *app, int argc, char **argv)
{
	struct cand_opts o = {.out.fmt = TABLE_FORMAT_TABLE};
	struct scoring_view v;
	struct candidate *picks = NULL;
	size_t npicks = 0;
	table *t = NULL;
	bool stale = false;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		usage(app->out);
		return 0;
	}
	if ((rc = parse(argc, argv, &o)))
		return rc;
	/* Details are read for the picks only (candidates_pick). */
	if ((rc = scoring_view_open(app, o.snapshot, NULL, false, &v)))
		return rc;
	struct candidates_req req = {
	    .size = (size_t)o.size, .max_share = o.max_share, .department = o.dept};
	if ((rc = candidates_pick(&v, &req, &picks, &npicks)))
		goto done;
	if (!o.snapshot && (rc = store_published_stale(v.store, &stale)))
		goto done;
	/* e-mail, consent and invitation status are for HR's next step: in
	 * csv and json; the terminal table stays readable without them. */
	t = table_new(cand_cols, sizeof(cand_cols) / sizeof(cand_cols[0]) -
	                             (o.out.fmt == TABLE_FORMAT_TABLE ? 3 : 0) -
	                             (o.out.fmt == TABLE_FORMAT_TABLE && !v.intervals ? 2 : 0));
	for (size_t k = 0; k < npicks; k++)
		add_row(t, &picks[k]);
	struct buf note = {0};
	buf_printf(&note,
	           "%zu of %lld seats filled from snapshot #%lld (at most %zu per department, "
	           "minimum score %.0f).",
	           npicks, (long long)o.size, (long long)v.info.id,
	           scorer_select_cap(&(struct select_opts){
	               .size = (size_t)o.size,
	               .max_share = o.max_share > 0 ? o.max_share : v.params.max_share}),
	           v.params.min_score);
	if (npicks < (size_t)o.size)
		buf_puts(&note, " Fewer people than seats reach the minimum score.");
	if (stale)
		buf_puts(&note,
		         "\nData newer than the published snapshot: run `ambassador score`.");
	buf_printf(&note, "\n%s", SCORING_NOTICE);
	table_set_notice(t, note.data);
	scoring_view_facts(t, &v);
	table_add_fact_number(t, "seats asked (--size)", (double)o.size);
	table_add_fact_number(t, "max_share used",
	                      o.max_share > 0 ? o.max_share : v.params.max_share);
	if (o.dept)
		table_add_fact_text(t, "department filter", o.dept);
	rc = table_write(t, app->out, &o.out);
	if (o.out.fmt == TABLE_FORMAT_CSV && !o.out.path && !app->quiet)
		fprintf(stderr, "%s\n", note.data);
	buf_free(&note);
done:
	table_destroy(&t);
	candidates_free(&picks, npicks);
	scoring_view_close(&v);
	return rc;
}
