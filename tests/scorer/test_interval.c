/* test_interval.c - rank intervals: deterministic, around the rank, wider
 * for thin evidence, a point when the evidence cannot vary, and fed by
 * the survey items as well as the weeks. */
#include "fixture.h"
#include "scorer/interval.h"

#define B 100

static scorer_population *load(store *s, const struct scorer_params *pp)
{
	struct scorer_params p;
	scorer_population *pop = NULL;

	if (pp)
		p = *pp;
	else
		scorer_params_defaults(&p);
	cr_assert(
	    eq(int, scorer_population_load_with(s, FX_AS_OF, &p, SCORER_LOAD_EVIDENCE, &pop), 0),
	    "%s", err_msg());
	cr_assert(eq(int, scorer_compute(pop, &p), 0), "%s", err_msg());
	cr_assert(eq(int, scorer_intervals(pop, &p, B, SCORER_INTERVAL_SEED), 0), "%s", err_msg());
	return pop;
}

/* Codebook items of the three constructs on a 1..5 scale. */
static void items(store *s)
{
	fx_sql(s, "INSERT INTO survey_items(item, construct, min, max, reverse, import_id) VALUES"
	          " ('a1', 'attitude', 1, 5, 0, 1), ('a2', 'attitude', 1, 5, 0, 1),"
	          " ('a3', 'attitude', 1, 5, 0, 1), ('a4', 'attitude', 1, 5, 1, 1),"
	          " ('i1', 'intrinsic', 1, 5, 0, 1), ('i2', 'intrinsic', 1, 5, 0, 1),"
	          " ('e1', 'extrinsic', 1, 5, 0, 1)");
}

/* Answers a1..a4 (a4 reverse-keyed), i1, i2, e1 of pid. */
static void answers(store *s, int64_t pid, const double a[4], double i, double e)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
	         "INSERT INTO survey_answers(pid, item, value) VALUES (%lld, 'a1', %g),"
	         " (%lld, 'a2', %g), (%lld, 'a3', %g), (%lld, 'a4', %g), (%lld, 'i1', %g),"
	         " (%lld, 'i2', %g), (%lld, 'e1', %g)",
	         (long long)pid, a[0], (long long)pid, a[1], (long long)pid, a[2], (long long)pid,
	         a[3], (long long)pid, i, (long long)pid, i, (long long)pid, e);
	fx_sql(s, sql);
}

Test(scorer_interval, is_the_same_run_after_run)
{
	store *s = fx_open();
	fx_crowd(s, 40);
	scorer_population *a = load(s, NULL), *b = load(s, NULL);

	cr_assert(gt(sz, a->eligible, 30));
	for (size_t i = 0; i < a->n; i++) {
		cr_assert(eq(i64, a->people[i].rank_lo, b->people[i].rank_lo));
		cr_assert(eq(i64, a->people[i].rank_hi, b->people[i].rank_hi));
	}
	scorer_population_destroy(&a);
	scorer_population_destroy(&b);
	store_close(&s);
}

Test(scorer_interval, holds_the_rank_of_everyone_eligible)
{
	store *s = fx_open();
	fx_crowd(s, 40);
	int64_t careless = fx_person(s, "X001", "Sales", "employee", "yes");
	fx_survey(s, careless, 0.9, 0.9, 0.1, "straight_line");
	fx_steady(s, careless, 26, 9);
	scorer_population *pop = load(s, NULL);
	size_t wide = 0;

	for (size_t i = 0; i < pop->n; i++) {
		const struct scorer_person *sp = &pop->people[i];
		if (!sp->eligible) {
			cr_assert(eq(i64, sp->rank_lo, 0));
			cr_assert(eq(i64, sp->rank_hi, 0));
			continue;
		}
		cr_assert(le(i64, 1, sp->rank_lo));
		cr_assert(le(i64, sp->rank_lo, sp->rank), "%s: %lld > %lld", sp->employee_id,
		          (long long)sp->rank_lo, (long long)sp->rank);
		cr_assert(le(i64, sp->rank, sp->rank_hi), "%s: %lld < %lld", sp->employee_id,
		          (long long)sp->rank, (long long)sp->rank_hi);
		cr_assert(le(i64, sp->rank_hi, (int64_t)pop->eligible));
		wide += sp->rank_hi > sp->rank_lo;
	}
	cr_assert(gt(sz, wide, 0), "the crowd's evidence varies: some interval has width");
	cr_assert(not(fx_find(pop, "X001")->eligible));
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_interval, is_wider_for_one_week_than_for_26_steady_weeks)
{
	store *s = fx_open();
	fx_crowd(s, 40);
	int64_t steady = fx_person(s, "S001", "Sales", "employee", "yes");
	int64_t burst = fx_person(s, "S002", "Sales", "employee", "yes");
	fx_survey(s, steady, 0.55, 0.5, 0.4, NULL);
	fx_survey(s, burst, 0.55, 0.5, 0.4, NULL);
	fx_steady(s, steady, 26, 3);
	/* All of it in one week: about the same volume and response. */
	fx_act(s, burst, 3, 1, KIND_POST, 0, 40, 300, 40, 0);
	fx_act(s, burst, 3, 1, KIND_COMMENT, 0, 40, 0, 0, 0);
	scorer_population *pop = load(s, NULL);
	const struct scorer_person *a = fx_find(pop, "S001"), *b = fx_find(pop, "S002");

	cr_assert(a->eligible && b->eligible);
	cr_assert(lt(dbl, fabs(a->score - b->score), 10.0), "scores %g and %g", a->score, b->score);
	cr_assert(gt(i64, b->rank_hi - b->rank_lo, a->rank_hi - a->rank_lo),
	          "one week %lld-%lld (rank %lld), steady %lld-%lld (rank %lld)",
	          (long long)b->rank_lo, (long long)b->rank_hi, (long long)b->rank,
	          (long long)a->rank_lo, (long long)a->rank_hi, (long long)a->rank);
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_interval, collapses_to_the_rank_when_the_evidence_cannot_vary)
{
	struct scorer_params p;
	store *s = fx_open();
	static const double same[4] = {4, 4, 4, 2}; /* a4 is reverse-keyed: 2 is 0.75 */
	char id[16];

	/* One week in the window, one week of activity each, and answers all
	 * alike: every replicate draws exactly the evidence seen. */
	scorer_params_defaults(&p);
	p.window_weeks = 1;
	items(s);
	for (int i = 0; i < 12; i++) {
		snprintf(id, sizeof(id), "P%02d", i);
		int64_t pid = fx_person(s, id, i % 2 ? "Sales" : "Finance", "employee", "yes");
		fx_survey(s, pid, 0.75, 0.75, 0.25, NULL);
		answers(s, pid, same, 4, 2);
		fx_act(s, pid, 0, 1, KIND_POST, 0, 1 + i, 3 * i, 1, 0);
	}
	scorer_population *pop = load(s, &p);

	cr_assert(eq(sz, pop->eligible, 12));
	for (size_t i = 0; i < pop->n; i++) {
		const struct scorer_person *sp = &pop->people[i];
		cr_assert(eq(sz, sp->item_count[SCORER_ATTITUDE], 4));
		cr_assert(eq(i64, sp->rank_lo, sp->rank), "%s", sp->employee_id);
		cr_assert(eq(i64, sp->rank_hi, sp->rank), "%s", sp->employee_id);
	}
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_interval, resamples_the_survey_items_too)
{
	struct scorer_params p;
	store *s = fx_open();
	static const double agree[4] = {4, 4, 4, 2}, split[4] = {5, 5, 5, 5};
	char id[16];

	/* As above, but one person's attitude items disagree (0.75 on
	 * average from 1, 1, 1 and 0): only the items can move them. */
	scorer_params_defaults(&p);
	p.window_weeks = 1;
	items(s);
	for (int i = 0; i < 12; i++) {
		snprintf(id, sizeof(id), "P%02d", i);
		int64_t pid = fx_person(s, id, "Sales", "employee", "yes");
		fx_survey(s, pid, 0.75, 0.75, 0.25, NULL);
		answers(s, pid, i == 5 ? split : agree, 4, 2);
		fx_act(s, pid, 0, 1, KIND_POST, 0, 1 + i, 3 * i, 1, 0);
	}
	scorer_population *pop = load(s, &p);
	const struct scorer_person *moved = fx_find(pop, "P05");

	cr_assert(gt(i64, moved->rank_hi - moved->rank_lo, 0), "%lld-%lld",
	          (long long)moved->rank_lo, (long long)moved->rank_hi);
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_interval, needs_the_evidence_loaded)
{
	store *s = fx_open();
	fx_crowd(s, 10);
	struct scorer_params p;
	scorer_params_defaults(&p);
	scorer_population *pop = fx_score(s, &p);

	cr_assert(eq(int, scorer_intervals(pop, &p, B, 1), ERR_INVALID));
	scorer_population_destroy(&pop);
	store_close(&s);
}
