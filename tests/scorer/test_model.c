/* test_model.c - the scoring properties of docs/design.md, Contract 3, each a test
 * that fails if the model loses the property. */
#include "fixture.h"

#include "core/mem.h"

Test(scorer_model, ranks_an_active_cynic_and_a_silent_fan_below_someone_good_on_both)
{
	store *s = fx_open();
	fx_crowd(s, 20);
	int64_t cynic = fx_person(s, "CYNIC", "Sales", "employee", "yes");
	int64_t fan = fx_person(s, "FAN", "Sales", "employee", "yes");
	int64_t good = fx_person(s, "GOOD", "Sales", "employee", "yes");
	/* the cynic posts twice a week with big engagement, hates the place */
	fx_steady(s, cynic, 26, 40);
	fx_steady(s, cynic, 26, 40);
	fx_survey(s, cynic, 0.05, 0.9, 0.1, NULL);
	/* the fan loves it and posted once, long ago */
	fx_act(s, fan, 20, 1, KIND_POST, 0, 1, 1, 0, 0);
	fx_survey(s, fan, 1.0, 1.0, 0.0, NULL);
	/* good on both, nowhere extreme */
	fx_steady(s, good, 20, 12);
	fx_survey(s, good, 0.75, 0.75, 0.3, NULL);
	scorer_population *pop = fx_score(s, NULL);
	cr_assert(lt(i64, fx_rank(pop, "GOOD"), fx_rank(pop, "CYNIC")));
	cr_assert(lt(i64, fx_rank(pop, "GOOD"), fx_rank(pop, "FAN")));
	cr_assert(lt(dbl, fx_find(pop, "CYNIC")->score, 40.0));
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_model, ranks_a_megaphone_of_suggested_reshares_below_an_own_post_writer)
{
	store *s = fx_open();
	fx_crowd(s, 20);
	int64_t mega = fx_person(s, "MEGA", "Marketing", "employee", "yes");
	int64_t writer = fx_person(s, "WRITER", "Marketing", "employee", "yes");
	for (int a = 0; a < 26; a++) {
		fx_act(s, mega, a, 1, KIND_RESHARE, ORIGIN_SUGGESTED, 15, 30, 3, 2);
		fx_act(s, mega, a, 1, KIND_POST, ORIGIN_SUGGESTED, 3, 30, 3, 2);
		fx_act(s, mega, a, 1, KIND_REACTION, 0, 40, 0, 0, 0);
	}
	fx_act(s, mega, 3, 1, KIND_POST, 0, 1, 2, 0, 0); /* one own post */
	fx_survey(s, mega, 0.8, 0.8, 0.3, NULL);
	for (int a = 0; a < 26; a += 2)
		fx_act(s, writer, a, 1, KIND_POST, 0, 1, 8, 1, 0);
	fx_survey(s, writer, 0.8, 0.8, 0.3, NULL);
	scorer_population *pop = fx_score(s, NULL);
	cr_assert(lt(i64, fx_rank(pop, "WRITER"), fx_rank(pop, "MEGA")));
	cr_assert(lt(dbl, fx_find(pop, "MEGA")->authenticity, 0.2));
	cr_assert(gt(dbl, fx_find(pop, "WRITER")->activity, 3 * fx_find(pop, "MEGA")->activity));
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_model, ranks_a_one_week_burst_below_months_of_steady_posting)
{
	store *s = fx_open();
	fx_crowd(s, 20);
	int64_t burst = fx_person(s, "BURST", "IT", "employee", "yes");
	int64_t steady = fx_person(s, "STEADY", "IT", "employee", "yes");
	fx_act(s, burst, 1, 1, KIND_POST, 0, 25, 25 * 8, 25, 0);
	fx_survey(s, burst, 0.8, 0.8, 0.3, NULL);
	for (int a = 0; a < 26; a++)
		fx_act(s, steady, a, 1, KIND_POST, 0, 1, 8, 1, 0);
	fx_survey(s, steady, 0.8, 0.8, 0.3, NULL);
	scorer_population *pop = fx_score(s, NULL);
	cr_assert(lt(i64, fx_rank(pop, "STEADY"), fx_rank(pop, "BURST")));
	cr_assert(gt(dbl, fx_find(pop, "STEADY")->steadiness, 0.9));
	cr_assert(lt(dbl, fx_find(pop, "BURST")->steadiness, 0.1));
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_model, gives_volume_diminishing_returns)
{
	store *s = fx_open();
	fx_crowd(s, 20);
	int64_t ten = fx_person(s, "TEN", "IT", "employee", "yes");
	int64_t hundred = fx_person(s, "HUNDRED", "IT", "employee", "yes");
	fx_act(s, ten, 0, 1, KIND_POST, 0, 10, 0, 0, 0);
	fx_act(s, hundred, 0, 1, KIND_POST, 0, 100, 0, 0, 0);
	scorer_population *pop = fx_score(s, NULL);
	double v10 = fx_find(pop, "TEN")->volume, v100 = fx_find(pop, "HUNDRED")->volume;
	cr_assert(gt(dbl, v100, v10 - 1e-12));
	cr_assert(lt(dbl, v100, 2 * v10)); /* ten times the posts, far less than twice */
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_model, shrinks_two_lucky_viral_posts_toward_the_company_mean)
{
	store *s = fx_open();
	fx_crowd(s, 20);
	int64_t lucky = fx_person(s, "LUCKY", "HR", "employee", "yes");
	int64_t steady = fx_person(s, "STEADY", "HR", "employee", "yes");
	fx_act(s, lucky, 2, 1, KIND_POST, 0, 1, 900, 80, 60);
	fx_act(s, lucky, 9, 1, KIND_POST, 0, 1, 700, 50, 40);
	fx_survey(s, lucky, 0.8, 0.8, 0.3, NULL);
	fx_steady(s, steady, 26, 15);
	fx_survey(s, steady, 0.8, 0.8, 0.3, NULL);
	scorer_population *pop = fx_score(s, NULL);
	const struct scorer_person *l = fx_find(pop, "LUCKY");
	cr_assert(lt(dbl, l->response_shrunk, 0.5 * l->response_raw));
	cr_assert(gt(dbl, l->response_shrunk, pop->mean_response));
	cr_assert(lt(i64, fx_rank(pop, "STEADY"), fx_rank(pop, "LUCKY")));
	/* log scale: (posts * log1p(rate) + prior * centre) / (posts + prior) */
	cr_assert(epsilon_eq(dbl, response_shrunk_log(100, 0, 2, 5), 0, 1e-12));
	cr_assert(epsilon_eq(dbl, response_shrunk_log(0, 5, 2, 5), 1, 1e-12));
	cr_assert(epsilon_eq(dbl, response_shrunk_log(5 * expm1(4.0), 5, 2, 5), 3, 1e-12));
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_model, counts_old_activity_less_than_recent)
{
	store *s = fx_open();
	fx_crowd(s, 20);
	int64_t recent = fx_person(s, "RECENT", "HR", "employee", "yes");
	int64_t old = fx_person(s, "OLD", "HR", "employee", "yes");
	for (int a = 0; a < 8; a++) {
		fx_act(s, recent, a, 1, KIND_POST, 0, 1, 10, 1, 0);
		fx_act(s, old, 18 + a, 1, KIND_POST, 0, 1, 10, 1, 0);
	}
	fx_survey(s, recent, 0.8, 0.8, 0.3, NULL);
	fx_survey(s, old, 0.8, 0.8, 0.3, NULL);
	/* activity before the window does not count at all */
	int64_t ancient = fx_person(s, "ANCIENT", "HR", "employee", "yes");
	fx_act(s, ancient, 30, 1, KIND_POST, 0, 50, 10, 1, 0);
	fx_survey(s, ancient, 0.8, 0.8, 0.3, NULL);
	scorer_population *pop = fx_score(s, NULL);
	cr_assert(gt(dbl, fx_find(pop, "RECENT")->activity, fx_find(pop, "OLD")->activity));
	cr_assert(lt(i64, fx_rank(pop, "RECENT"), fx_rank(pop, "OLD")));
	cr_assert(eq(i64, fx_find(pop, "ANCIENT")->rank, 0));
	/* a shorter half-life widens the gap */
	struct scorer_params p;
	scorer_params_defaults(&p);
	p.half_life_weeks = 4;
	scorer_population *pop4 = fx_score(s, &p);
	double gap13 = fx_find(pop, "RECENT")->steadiness - fx_find(pop, "OLD")->steadiness;
	double gap4 = fx_find(pop4, "RECENT")->steadiness - fx_find(pop4, "OLD")->steadiness;
	cr_assert(gt(dbl, gap4, gap13));
	scorer_population_destroy(&pop);
	scorer_population_destroy(&pop4);
	store_close(&s);
}

Test(scorer_model, does_not_trust_straight_liners_too_fast_or_half_answered_surveys)
{
	store *s = fx_open();
	fx_crowd(s, 10);
	const char *ids[] = {"STRAIGHT", "FAST", "HALF", "NONE"};
	for (int i = 0; i < 4; i++) {
		int64_t pid = fx_person(s, ids[i], "Ops", "employee", "yes");
		fx_steady(s, pid, 26, 10);
		if (i == 0)
			fx_survey(s, pid, 1, 1, 0, "straight_line");
		else if (i == 1)
			fx_survey(s, pid, 1, 1, 0, "too_fast");
		else if (i == 2)
			fx_survey(s, pid, NAN, 1, 0, NULL);
	}
	scorer_population *pop = fx_score(s, NULL);
	for (int i = 0; i < 4; i++) {
		const struct scorer_person *sp = fx_find(pop, ids[i]);
		cr_assert(not(sp->eligible), "%s", ids[i]);
		cr_assert(eq(i64, sp->rank, 0));
		cr_assert(
		    eq(int, strncmp(scorer_flag_text(sp->flags), "needs a trusted survey", 22), 0));
	}
	cr_assert(eq(int, isnan(fx_find(pop, "STRAIGHT")->attitude) != 0, 1));
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_model, leaves_out_opted_out_departed_and_recently_declined_people)
{
	store *s = fx_open();
	fx_crowd(s, 10);
	int64_t out = fx_person(s, "OPTOUT", "Ops", "employee", "no");
	int64_t gone = fx_person(s, "GONE", "Ops", "employee", "yes");
	int64_t declined = fx_person(s, "DECLINED", "Ops", "employee", "yes");
	int64_t old_decline = fx_person(s, "OLDDECLINE", "Ops", "employee", "yes");
	int64_t pids[] = {out, gone, declined, old_decline};
	for (int i = 0; i < 4; i++) {
		fx_steady(s, pids[i], 26, 30);
		fx_survey(s, pids[i], 0.9, 0.9, 0.1, NULL);
	}
	fx_sql(s, "UPDATE people SET departed_at = 1 WHERE employee_id = 'GONE'");
	char sql[256];
	snprintf(sql, sizeof(sql),
	         "INSERT INTO invitations(pid, status, updated_at, updated_by) VALUES"
	         " (%lld, 'declined', %lld, 't'), (%lld, 'declined', %lld, 't')",
	         (long long)declined, (long long)(FX_AS_OF - 30 * 86400), (long long)old_decline,
	         (long long)(FX_AS_OF - 400 * 86400));
	fx_sql(s, sql);
	scorer_population *pop = fx_score(s, NULL);
	cr_assert(eq(ptr, (void *)fx_find(pop, "OPTOUT"), NULL));
	cr_assert(eq(ptr, (void *)fx_find(pop, "GONE"), NULL));
	cr_assert(eq(ptr, (void *)fx_find(pop, "DECLINED"), NULL));
	cr_assert(ne(ptr, (void *)fx_find(pop, "OLDDECLINE"), NULL)); /* cool-down over */
	/* and not in the stored snapshot either */
	struct scorer_params p;
	int64_t id;
	scorer_params_defaults(&p);
	cr_assert(eq(int, scorer_snapshot_save(s, pop, &p, "default", 1, &id), 0));
	sqlite3_stmt *st;
	sqlite3_prepare_v2(s->db, "SELECT count(*) FROM snapshot_scores WHERE pid IN (?, ?, ?)", -1,
	                   &st, NULL);
	sqlite3_bind_int64(st, 1, out);
	sqlite3_bind_int64(st, 2, gone);
	sqlite3_bind_int64(st, 3, declined);
	cr_assert(eq(int, sqlite3_step(st), SQLITE_ROW));
	cr_assert(eq(int, sqlite3_column_int(st, 0), 0));
	sqlite3_finalize(st);
	/* someone who leaves after the snapshot is not listed from it */
	fx_sql(s, "UPDATE people SET departed_at = 2 WHERE employee_id = 'OLDDECLINE'");
	struct snapshot_row *rows;
	size_t n;
	cr_assert(eq(int, store_snapshot_rows(s, id, 0, "OLDDECLINE", false, &rows, &n), 0));
	cr_assert(eq(sz, n, 0));
	store_snapshot_rows_free(&rows, n);
	scorer_population_destroy(&pop);
	store_close(&s);
}

static void snapshot_dump(store *s, int64_t id, struct buf *b)
{
	sqlite3_stmt *st;
	sqlite3_prepare_v2(
	    s->db,
	    "SELECT s.pid, s.eligible, s.rank, quote(s.score), quote(s.activity),"
	    " quote(s.attitude), quote(s.motivation), d.detail FROM snapshot_scores s"
	    " JOIN snapshot_details d USING (snapshot_id, pid)"
	    " WHERE s.snapshot_id = ? ORDER BY s.pid",
	    -1, &st, NULL);
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int c = 0; c < 8; c++)
			buf_printf(b, "%s|", (const char *)sqlite3_column_text(st, c) ?: "NULL");
	sqlite3_finalize(st);
}

Test(scorer_model, gives_byte_identical_snapshots_for_identical_input)
{
	store *s = fx_open();
	fx_crowd(s, 40);
	struct scorer_params p;
	int64_t id[2];
	struct buf b[2] = {{0}, {0}};
	scorer_params_defaults(&p);
	for (int i = 0; i < 2; i++) {
		scorer_population *pop = fx_score(s, &p);
		cr_assert(eq(int, scorer_snapshot_save(s, pop, &p, "default", 1, &id[i]), 0));
		scorer_population_destroy(&pop);
		snapshot_dump(s, id[i], &b[i]);
	}
	cr_assert(ne(i64, id[0], id[1]));
	cr_assert(gt(sz, b[0].len, 100));
	cr_assert(eq(str, b[0].data, b[1].data));
	buf_free(&b[0]);
	buf_free(&b[1]);
	store_close(&s);
}

Test(scorer_model, breaks_ties_by_employee_id)
{
	store *s = fx_open();
	const char *ids[] = {"E3", "E1", "E2"};
	for (int i = 0; i < 3; i++) {
		int64_t pid = fx_person(s, ids[i], "Ops", "employee", "yes");
		fx_steady(s, pid, 26, 10);
		fx_survey(s, pid, 0.8, 0.7, 0.2, NULL);
	}
	scorer_population *pop = fx_score(s, NULL);
	cr_assert(eq(i64, fx_rank(pop, "E1"), 1));
	cr_assert(eq(i64, fx_rank(pop, "E2"), 2));
	cr_assert(eq(i64, fx_rank(pop, "E3"), 3));
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_model, combines_components_so_that_one_low_component_sinks_the_score)
{
	double w[3] = {0.4, 0.4, 0.2};
	double both[3] = {0.6, 0.6, 0.6}, cynic[3] = {1.0, 0.1, 1.0}, zero[3] = {0, 1, 1};
	double nan_in[3] = {NAN, INFINITY, -1};
	cr_assert(epsilon_eq(dbl, scorer_combine(both, w, 0.01), 60, 1e-9));
	cr_assert(lt(dbl, scorer_combine(cynic, w, 0.01), 40));
	cr_assert(lt(dbl, scorer_combine(zero, w, 0.01), 16));
	double v = scorer_combine(nan_in, w, 0.01);
	cr_assert(eq(int, isfinite(v) != 0, 1));
}

Test(scorer_model, keeps_nan_and_huge_counts_out_of_the_ranking)
{
	store *s = fx_open();
	fx_crowd(s, 10);
	int64_t a = fx_person(s, "HUGE", "Ops", "employee", "yes");
	int64_t b = fx_person(s, "WEIRD", "Ops", "employee", "yes");
	fx_act(s, a, 0, 1, KIND_POST, 0, INT64_MAX, INT64_MAX, INT64_MAX, -5);
	fx_act(s, a, 1, 9, KIND_COMMENT, 0, -3, 0, 0, 0);
	fx_survey(s, a, 0.8, 0.8, 0.3, NULL);
	fx_steady(s, b, 26, 10);
	fx_survey(s, b, 0.8, 0.8, 0.3, NULL);
	fx_sql(s, "UPDATE survey_scores SET score = 1e999 WHERE construct = 'attitude'"
	          " AND pid = (SELECT pid FROM people WHERE employee_id = 'WEIRD')");
	fx_sql(s, "UPDATE survey_scores SET score = -1e999 WHERE construct = 'intrinsic'"
	          " AND pid = (SELECT pid FROM people WHERE employee_id = 'C001')");
	fx_sql(s, "UPDATE survey_scores SET score = 7 WHERE construct = 'attitude'"
	          " AND pid = (SELECT pid FROM people WHERE employee_id = 'C002')");
	scorer_population *pop = fx_score(s, NULL);
	for (size_t i = 0; i < pop->n; i++) {
		const struct scorer_person *sp = &pop->people[i];
		cr_assert(eq(int, isfinite(sp->score) != 0, 1), "%s", sp->employee_id);
		cr_assert(eq(int, isfinite(sp->activity) != 0, 1), "%s", sp->employee_id);
		cr_assert(ge(dbl, sp->score, 0));
		cr_assert(le(dbl, sp->score, 100));
	}
	cr_assert(not(fx_find(pop, "WEIRD")->eligible));
	cr_assert(not(fx_find(pop, "C001")->eligible));
	cr_assert(not(fx_find(pop, "C002")->eligible));
	cr_assert(fx_find(pop, "HUGE")->eligible);
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_model, keeps_activity_per_platform_as_well_as_in_total)
{
	store *s = fx_open();
	int64_t pid = fx_person(s, "MULTI", "Ops", "employee", "yes");
	fx_act(s, pid, 0, 1, KIND_POST, 0, 2, 4, 0, 0);
	fx_act(s, pid, 1, 2, KIND_VIDEO, 0, 1, 4, 0, 0);
	fx_act(s, pid, 1, 3, KIND_COMMENT, 0, 3, 0, 0, 0);
	fx_survey(s, pid, 0.8, 0.8, 0.3, NULL);
	scorer_population *pop = fx_score(s, NULL);
	const struct scorer_person *sp = fx_find(pop, "MULTI");
	cr_assert(eq(sz, sp->plat_count, 3));
	cr_assert(eq(int, sp->total.weeks_active, 2));
	struct buf b = {0};
	fx_detail_json(pop, sp, &b);
	cr_assert(ne(ptr, strstr(b.data, "\"platform\":\"instagram\""), NULL), "%s", b.data);
	cr_assert(ne(ptr, strstr(b.data, "\"platform\":\"intranet\""), NULL));
	buf_free(&b);
	scorer_population_destroy(&pop);
	store_close(&s);
}
