/* test_features.c - the activity feature cache (core/store_features.h):
 * a score from the cache equals one from the weekly cells bit for bit, and
 * everything that changes activity_weekly makes the cache unusable or
 * keeps it exact. */
#include "fixture.h"

#include "../support/testutil.h"
#include "core/mem.h"
#include "core/store_service.h"
#include "survey/activity.h"
#include "survey/roster.h"

static int64_t count_rows(store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n;

	cr_assert(eq(int, sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK), "%s", sql);
	cr_assert(eq(int, sqlite3_step(st), SQLITE_ROW));
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static scorer_population *load(store *s, const struct scorer_params *p, bool want_cache)
{
	scorer_population *pop = NULL;

	cr_assert(eq(int, scorer_population_load(s, FX_AS_OF, p, &pop), 0), "%s", err_msg());
	cr_assert(eq(int, pop->from_cache, want_cache), "from the cache: %d, expected %d",
	          pop->from_cache, want_cache);
	cr_assert(eq(int, scorer_compute(pop, p), 0), "%s", err_msg());
	return pop;
}

/* Score and save a snapshot (which stores the cache after a scan). */
static scorer_population *score_and_save(store *s, const struct scorer_params *p, bool want_cache)
{
	scorer_population *pop = load(s, p, want_cache);
	int64_t id;

	cr_assert(eq(int, scorer_snapshot_save(s, pop, p, "default", 1, &id), 0), "%s", err_msg());
	return pop;
}

/* Force the next load to scan the weekly cells. */
static void drop_cache(store *s)
{
	fx_sql(s, "DELETE FROM meta WHERE key = 'activity_features_version'");
}

/* Every person the same: sums, sub-features, score, rank, detail text. */
static void assert_same(const scorer_population *a, const scorer_population *b)
{
	struct buf da = {0}, db = {0};

	cr_assert(eq(sz, a->n, b->n));
	cr_assert(eq(sz, a->eligible, b->eligible));
	cr_assert(memcmp(&a->mean_response, &b->mean_response, sizeof(double)) == 0);
	for (size_t i = 0; i < a->n; i++) {
		const struct scorer_person *x = &a->people[i], *y = &b->people[i];
		cr_assert(eq(i64, x->pid, y->pid));
		cr_assert(memcmp(&x->total, &y->total, sizeof(x->total)) == 0, "%s: sums differ",
		          x->employee_id);
		cr_assert(memcmp(&x->steady_weight, &y->steady_weight, sizeof(double)) == 0);
		cr_assert(memcmp(&x->score, &y->score, sizeof(double)) == 0, "%s: %.17g vs %.17g",
		          x->employee_id, x->score, y->score);
		cr_assert(memcmp(&x->activity, &y->activity, sizeof(double)) == 0);
		cr_assert(eq(i64, x->rank, y->rank), "%s", x->employee_id);
		cr_assert(eq(int, x->eligible, y->eligible));
		cr_assert(eq(sz, x->plat_count, y->plat_count));
		buf_reset(&da);
		buf_reset(&db);
		fx_detail_json(a, x, &da);
		fx_detail_json(b, y, &db);
		cr_assert(eq(str, da.data, db.data));
	}
	buf_free(&da);
	buf_free(&db);
}

/* A crowd plus people on several platforms, with suggested content,
 * comments only, engagement of every kind, and one who has left. */
static void varied(store *s)
{
	fx_crowd(s, 40);
	for (int i = 0; i < 12; i++) {
		char id[16];
		snprintf(id, sizeof(id), "V%02d", i);
		int64_t pid = fx_person(s, id, i % 3 ? "IT" : "Legal", "employee", "yes");
		fx_survey(s, pid, 0.4 + 0.05 * i, 0.3 + 0.05 * i, 0.5, NULL);
		for (int a = i % 3; a < 26; a += 2 + i % 3) {
			fx_act(s, pid, a, 1 + (a + i) % 3, KIND_POST + i % 3, 0, 1 + i % 2,
			       3 * i + a, i % 4, a % 3);
			fx_act(s, pid, a, 1 + i % 3, KIND_COMMENT, 0, 1 + a % 2, 0, 0, 0);
			fx_act(s, pid, a, 2, KIND_RESHARE, ORIGIN_SUGGESTED, 2, 7, 1, 1);
			fx_act(s, pid, a, 3, KIND_REACTION, 0, 5, 0, 0, 0);
		}
	}
	int64_t gone = fx_person(s, "GONE", "IT", "employee", "yes");
	fx_survey(s, gone, 0.9, 0.9, 0.1, NULL);
	fx_steady(s, gone, 20, 9);
	fx_sql(s, "UPDATE people SET departed_at = 1 WHERE employee_id = 'GONE'");
}

Test(scorer_features, a_warm_cache_scores_bit_for_bit_like_the_weekly_cells_after_a_weight_change)
{
	store *s = fx_open();
	struct scorer_params p, q;

	varied(s);
	scorer_params_defaults(&p);
	scorer_population *cold1 = score_and_save(s, &p, false);
	cr_assert(gt(i64, count_rows(s, "SELECT count(*) FROM activity_features"), 50));
	/* The departed person's sums are cached too: the cache does not
	 * depend on who is scored. */
	cr_assert(eq(i64,
	             count_rows(s, "SELECT count(*) FROM activity_features f JOIN people p"
	                           " USING (pid) WHERE p.employee_id = 'GONE'"),
	             1));
	scorer_population *warm1 = load(s, &p, true);
	assert_same(cold1, warm1);

	/* Weights change, engagement weights included: still from the cache. */
	q = p;
	q.w_volume = 0.26;
	q.engagement_comments = 3.5;
	q.engagement_shares = 1.25;
	q.volume_amplification = 0.2;
	scorer_population *warm2 = load(s, &q, true);
	drop_cache(s);
	scorer_population *cold2 = load(s, &q, false);
	assert_same(cold2, warm2);

	/* Who is scored changes without activity changing: the cache stays. */
	scorer_population *saved = score_and_save(s, &q, false);
	scorer_population_destroy(&saved);
	fx_sql(s, "UPDATE people SET departed_at = NULL WHERE employee_id = 'GONE'");
	scorer_population *warm3 = load(s, &q, true);
	cr_assert(gt(dbl, fx_find(warm3, "GONE")->total.own, 0.0));
	drop_cache(s);
	scorer_population *cold3 = load(s, &q, false);
	assert_same(cold3, warm3);

	scorer_population *pops[] = {cold1, warm1, warm2, cold2, warm3, cold3};
	for (size_t i = 0; i < sizeof(pops) / sizeof(pops[0]); i++)
		scorer_population_destroy(&pops[i]);
	store_close(&s);
}

Test(scorer_features, a_snapshot_from_the_cache_is_byte_identical_to_one_from_the_weekly_cells)
{
	store *s = fx_open();
	struct scorer_params p;

	varied(s);
	scorer_params_defaults(&p);
	scorer_population *pop = score_and_save(s, &p, false); /* cold, builds the cache */
	scorer_population_destroy(&pop);
	pop = score_and_save(s, &p, true); /* snapshot 2 from the cache */
	scorer_population_destroy(&pop);
	cr_assert(
	    eq(i64,
	       count_rows(s, "SELECT count(*) FROM snapshot_scores a JOIN snapshot_scores b"
	                     " ON a.pid = b.pid AND a.snapshot_id = 1 AND b.snapshot_id = 2"
	                     " JOIN snapshot_details da ON da.snapshot_id = 1 AND da.pid = a.pid"
	                     " JOIN snapshot_details db ON db.snapshot_id = 2 AND db.pid = a.pid"
	                     " WHERE a.score IS b.score AND a.rank IS b.rank"
	                     " AND a.activity IS b.activity AND da.detail = db.detail"
	                     " AND a.facts_id = b.facts_id"),
	       count_rows(s, "SELECT count(*) FROM snapshot_scores WHERE snapshot_id = 1")));
	store_close(&s);
}

Test(scorer_features, other_parameters_or_changed_activity_are_never_read_from_the_cache)
{
	store *s = fx_open();
	struct scorer_params p, q;

	varied(s);
	scorer_params_defaults(&p);
	scorer_population *pop = score_and_save(s, &p, false);
	scorer_population_destroy(&pop);
	q = p;
	q.half_life_weeks = p.half_life_weeks + 1;
	pop = load(s, &q, false); /* another half-life */
	scorer_population_destroy(&pop);
	q = p;
	q.window_weeks = p.window_weeks - 1;
	pop = load(s, &q, false); /* another window */
	scorer_population_destroy(&pop);
	cr_assert(eq(int, scorer_population_load(s, FX_AS_OF + 7 * 86400, &p, &pop), 0));
	cr_assert(not(pop->from_cache)); /* another week */
	scorer_population_destroy(&pop);
	pop = load(s, &p, true);
	scorer_population_destroy(&pop);
	/* One more event (fx_act bumps the activity version as the importer does). */
	int64_t pid = count_rows(s, "SELECT pid FROM people WHERE employee_id = 'V01'");
	fx_act(s, pid, 0, 1, KIND_POST, 0, 1, 2, 0, 0);
	pop = load(s, &p, false);
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_features, a_cache_read_before_an_activity_change_is_not_stored)
{
	store *s = fx_open();
	struct scorer_params p;
	int64_t id;

	varied(s);
	scorer_params_defaults(&p);
	scorer_population *pop = load(s, &p, false);
	/* an import commits between the scan and the snapshot */
	cr_assert(eq(int, store_activity_changed(s), 0));
	cr_assert(eq(int, scorer_snapshot_save(s, pop, &p, "default", 1, &id), 0));
	scorer_population_destroy(&pop);
	cr_assert(eq(i64, count_rows(s, "SELECT count(*) FROM activity_features"), 0));
	pop = load(s, &p, false);
	scorer_population_destroy(&pop);
	store_close(&s);
}

/* --- with the importers and erasure, on a file ----------------------- */

static char *dir, *path;

static void setup(void)
{
	dir = tu_tempdir();
	cr_assert(asprintf(&path, "%s/t.db", dir) > 0);
	setenv("AMBASSADOR_NOW", "2024-07-01T00:00:00Z", 1); /* FX_AS_OF */
}

static void teardown(void)
{
	tu_rmrf(dir);
	free(dir);
	free(path);
}

static const char roster[] = "employee_id,department,consent\n"
                             "E1,Dev,yes\nE2,Sales,yes\nE3,Dev,yes\nE4,Sales,yes\n";

static const char events[] =
    "employee_id,occurred_at,platform,kind,origin,post_id,reach,reactions,comments,shares,"
    "clicks\n"
    "E1,2024-06-03T09:00:00Z,linkedin,post,,p1,100,10,2,1,5\n"
    "E1,2024-06-10T09:00:00Z,linkedin,post,,p2,100,20,3,0,5\n"
    "E1,2024-06-11T09:00:00Z,intranet,comment,,,,,,,\n"
    "E2,2024-06-04T09:00:00Z,linkedin,post,,p3,100,4,1,0,5\n"
    "E2,2024-05-04T09:00:00Z,linkedin,reshare,suggested,p4,1,1,0,0,0\n"
    "E3,2024-06-05T09:00:00Z,intranet,post,,p5,100,7,0,2,5\n"
    "E4,2024-06-06T09:00:00Z,linkedin,comment,,,,,,,\n";

static void import(store *s, const char *kind, const char *name, const char *text)
{
	char *file = tu_write(dir, name, text);
	struct import_opts opts = {0};
	struct import_summary sum = {0};
	int rc = strcmp(kind, "roster") == 0 ? roster_import(s, file, &opts, &sum)
	                                     : activity_import(s, file, &opts, &sum);

	cr_assert(eq(int, rc, 0), "%s", err_msg());
	import_summary_clear(&sum);
	free(file);
}

static store *file_store(void)
{
	store *s = NULL;

	cr_assert(eq(int, store_open(&s, path, 0), 0), "%s", err_msg());
	import(s, "roster", "r1.csv", roster);
	import(s, "activity", "a1.csv", events);
	return s;
}

/* The cache is usable and equals a scan of what is stored now. */
static void assert_cache_exact(store *s, const struct scorer_params *p)
{
	scorer_population *warm = load(s, p, true);
	drop_cache(s);
	scorer_population *cold = load(s, p, false);
	assert_same(cold, warm);
	scorer_population_destroy(&warm);
	scorer_population_destroy(&cold);
}

TestSuite(scorer_features_io, .init = setup, .fini = teardown);

Test(scorer_features_io, an_activity_import_makes_the_cache_stale_and_a_duplicate_does_not)
{
	store *s = file_store();
	struct scorer_params p;
	int64_t v0, v1;

	scorer_params_defaults(&p);
	scorer_population *pop = score_and_save(s, &p, false);
	double before = fx_find(pop, "E3")->total.own;
	scorer_population_destroy(&pop);
	cr_assert(eq(int, store_activity_version(s, &v0), 0));
	import(s, "activity", "a1-again.csv", events); /* same content: rolled back */
	pop = load(s, &p, true);
	scorer_population_destroy(&pop);
	import(s, "activity", "a2.csv",
	       "employee_id,occurred_at,platform,kind,origin,post_id,reach,reactions,comments,"
	       "shares,clicks\nE3,2024-06-20T09:00:00Z,intranet,post,,p9,1,1,0,0,0\n");
	cr_assert(eq(int, store_activity_version(s, &v1), 0));
	cr_assert(gt(i64, v1, v0));
	pop = score_and_save(s, &p, false);
	cr_assert(gt(dbl, fx_find(pop, "E3")->total.own, before));
	scorer_population_destroy(&pop);
	assert_cache_exact(s, &p);
	store_close(&s);
}

Test(scorer_features_io, an_erasure_removes_the_persons_cache_row_and_keeps_the_rest_exact)
{
	store *s = file_store();
	struct scorer_params p;
	int64_t v0, v1;

	scorer_params_defaults(&p);
	scorer_population *pop = score_and_save(s, &p, false);
	scorer_population_destroy(&pop);
	cr_assert(eq(int, store_activity_version(s, &v0), 0));
	int64_t rows = count_rows(s, "SELECT count(*) FROM activity_features");
	cr_assert(eq(int, store_erase_person(s, "E1", "test"), 0), "%s", err_msg());
	cr_assert(eq(int, store_activity_version(s, &v1), 0));
	cr_assert(eq(i64, v1, v0 + 1));
	cr_assert(eq(i64, count_rows(s, "SELECT count(*) FROM activity_features"), rows - 1));
	cr_assert(eq(i64,
	             count_rows(s, "SELECT count(*) FROM activity_features WHERE pid NOT IN"
	                           " (SELECT pid FROM people)"),
	             0));
	assert_cache_exact(s, &p);
	store_close(&s);
}

Test(scorer_features_io, an_opt_out_removes_the_persons_cache_row_and_keeps_the_rest_exact)
{
	store *s = file_store();
	struct scorer_params p;
	int64_t v0, v1;

	scorer_params_defaults(&p);
	scorer_population *pop = score_and_save(s, &p, false);
	scorer_population_destroy(&pop);
	cr_assert(eq(int, store_activity_version(s, &v0), 0));
	import(s, "roster", "r2.csv",
	       "employee_id,department,consent\nE1,Dev,yes\nE2,Sales,no\nE3,Dev,yes\n"
	       "E4,Sales,yes\n");
	cr_assert(eq(int, store_activity_version(s, &v1), 0));
	cr_assert(gt(i64, v1, v0));
	cr_assert(eq(i64,
	             count_rows(s, "SELECT count(*) FROM activity_features f JOIN people p"
	                           " USING (pid) WHERE p.employee_id = 'E2'"),
	             0));
	assert_cache_exact(s, &p);
	/* a purge while the cache was already stale leaves it stale */
	cr_assert(eq(int, store_activity_changed(s), 0));
	cr_assert(eq(int, store_erase_person(s, "E3", "test"), 0), "%s", err_msg());
	pop = load(s, &p, false);
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_features, a_cache_that_cannot_be_stored_does_not_fail_the_snapshot)
{
	store *s = fx_open();
	struct scorer_params p;

	varied(s);
	scorer_params_defaults(&p);
	fx_sql(s, "CREATE TEMP TRIGGER no_room BEFORE INSERT ON activity_features"
	          " BEGIN SELECT RAISE(ABORT, 'no room'); END");
	scorer_population *pop = score_and_save(s, &p, false);
	scorer_population_destroy(&pop);
	cr_assert(eq(i64, count_rows(s, "SELECT count(*) FROM snapshot_scores"),
	             count_rows(s, "SELECT people FROM snapshots")));
	cr_assert(eq(i64, count_rows(s, "SELECT count(*) FROM activity_features"), 0));
	pop = load(s, &p, false);
	scorer_population_destroy(&pop);
	fx_sql(s, "DROP TRIGGER no_room");
	pop = score_and_save(s, &p, false);
	scorer_population_destroy(&pop);
	pop = load(s, &p, true);
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_features, migration_7_keeps_every_snapshot_row_in_a_rowid_table)
{
	store *s = NULL;

	cr_assert(eq(int, store_open(&s, ":memory:", STORE_NO_MIGRATE), 0), "%s", err_msg());
	cr_assert(eq(int, store_migrate_to(s, 6), 0), "%s", err_msg());
	fx_sql(s,
	       "INSERT INTO snapshot_scores VALUES(1, 7, 1, 1, 80.5, 0.9, 0.8, NULL, '{\"a\":1}'),"
	       " (1, 8, 0, NULL, 0, 0.1, NULL, NULL, '{}'), (2, 7, 1, 1, 81, 0.9, 0.8, 0.7, '{}')");
	cr_assert(eq(int, store_migrate_to(s, 7), 0), "%s", err_msg());
	cr_assert(eq(i64, count_rows(s, "SELECT count(*) FROM snapshot_scores"), 3));
	cr_assert(
	    eq(i64,
	       count_rows(s, "SELECT count(*) FROM snapshot_scores WHERE snapshot_id = 1"
	                     " AND pid = 7 AND rank = 1 AND score = 80.5 AND motivation IS NULL"
	                     " AND detail = '{\"a\":1}'"),
	       1));
	cr_assert(
	    eq(i64,
	       count_rows(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'snapshot_scores'"
	                     " AND sql NOT LIKE '%WITHOUT ROWID%'"),
	       1));
	cr_assert(
	    eq(i64,
	       count_rows(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN"
	                     " ('snapshot_scores_pid', 'snapshot_scores_rank')"),
	       2));
	/* (snapshot_id, pid) is still a key */
	cr_assert(not(eq(int,
	                 store_exec(s, "INSERT INTO snapshot_scores VALUES(1, 7, 0, NULL, 0, 0,"
	                               " NULL, NULL, '{}')"),
	                 0)));
	store_close(&s);
}
