/* test_detail.c - the scoring detail (scorer/detail.h): encoded and
 * decoded through one record, exactly; old and damaged texts. */
#include "fixture.h"

#include <stdint.h>

#include "core/mem.h"
#include "core/store_report.h"
#include "scorer/explain.h"

/* Every field of two records equal (numbers to the bit, NAN with NAN). */
static void assert_same_num(double a, double b, const char *what)
{
	cr_assert(memcmp(&a, &b, sizeof(a)) == 0 || (isnan(a) && isnan(b)), "%s: %.17g vs %.17g",
	          what, a, b);
}

static void assert_same_activity(const struct scorer_detail_activity *a,
                                 const struct scorer_detail_activity *b)
{
	cr_assert(eq(int, a->weeks_active, b->weeks_active));
	assert_same_num(a->own, b->own, "own");
	assert_same_num(a->conversation, b->conversation, "conversation");
	assert_same_num(a->amplification, b->amplification, "amplification");
	assert_same_num(a->own_posts, b->own_posts, "own_posts");
	assert_same_num(a->engagement_per_post, b->engagement_per_post, "engagement_per_post");
}

static void assert_same_detail(const struct scorer_detail *a, const struct scorer_detail *b)
{
	cr_assert(eq(int, a->eligible, b->eligible));
	cr_assert(eq(str, (char *)a->why_not, (char *)b->why_not));
	cr_assert(eq(uint, a->flags, b->flags));
	cr_assert(eq(str, (char *)a->consent, (char *)b->consent));
	assert_same_num(a->steadiness, b->steadiness, "steadiness");
	assert_same_num(a->volume, b->volume, "volume");
	assert_same_num(a->response, b->response, "response");
	assert_same_num(a->conversation, b->conversation, "conversation");
	assert_same_num(a->authenticity, b->authenticity, "authenticity");
	assert_same_activity(&a->total, &b->total);
	cr_assert(eq(int, a->window_weeks, b->window_weeks));
	assert_same_num(a->weighted_volume, b->weighted_volume, "weighted_volume");
	assert_same_num(a->own_share, b->own_share, "own_share");
	assert_same_num(a->engagement_per_post_shrunk, b->engagement_per_post_shrunk, "shrunk");
	assert_same_num(a->company_engagement_per_post, b->company_engagement_per_post, "company");
	cr_assert(eq(sz, a->nplatforms, b->nplatforms));
	for (size_t i = 0; i < a->nplatforms; i++) {
		cr_assert(eq(str, (char *)a->platforms[i].name, (char *)b->platforms[i].name));
		assert_same_activity(&a->platforms[i].a, &b->platforms[i].a);
	}
	assert_same_num(a->in_attitude, b->in_attitude, "attitude");
	assert_same_num(a->in_intrinsic, b->in_intrinsic, "intrinsic");
	assert_same_num(a->in_extrinsic, b->in_extrinsic, "extrinsic");
	cr_assert(eq(str, (char *)a->careless, (char *)b->careless));
}

/* A detail whose numbers have at most six significant digits, so that
 * decode(encode(d)) must give d back bit for bit. */
static struct scorer_detail *sample(void)
{
	struct scorer_detail *d = xcalloc(1, sizeof(*d));

	d->eligible = false;
	snprintf(d->why_not, sizeof(d->why_not), "%s", "needs a \"trusted\" survey answer\\");
	d->flags = SCORER_CARELESS | SCORER_CONSENT_NEEDED;
	snprintf(d->consent, sizeof(d->consent), "not_asked");
	d->steadiness = 0.5;
	d->volume = 0.123457;
	d->response = 0;
	d->conversation = 1;
	d->authenticity = NAN;
	d->total = (struct scorer_detail_activity){20, 18.5, 6, 2.25, 18.5, 7.2};
	d->window_weeks = 26;
	d->weighted_volume = 123456;
	d->own_share = 1e-5;
	d->engagement_per_post_shrunk = 6.9;
	d->company_engagement_per_post = 5.1e7;
	d->nplatforms = 2;
	snprintf(d->platforms[0].name, sizeof(d->platforms[0].name), "%s", "linkedin");
	d->platforms[0].a = (struct scorer_detail_activity){18, 15, 4, 1, 15, 8};
	/* 32 characters of three-byte UTF-8: the longest name the importer takes */
	for (size_t i = 0; i < 32; i++)
		memcpy(d->platforms[1].name + 3 * i, "\xe2\x82\xac", 3);
	d->platforms[1].a = (struct scorer_detail_activity){0, 0, 0, 0, 0, NAN};
	d->in_attitude = 0.83;
	d->in_intrinsic = NAN;
	d->in_extrinsic = 0.4;
	snprintf(d->careless, sizeof(d->careless), "straight_line");
	return d;
}

Test(scorer_detail, decodes_what_it_encodes_exactly)
{
	struct scorer_detail *d = sample(), *back = xcalloc(1, sizeof(*back));
	struct buf a = {0}, b = {0};

	cr_assert(eq(int, scorer_detail_encode(&a, d), 0), "%s", err_msg());
	cr_assert(eq(int, scorer_detail_decode(back, a.data), 0), "%s", err_msg());
	assert_same_detail(d, back);
	cr_assert(eq(int, scorer_detail_encode(&b, back), 0));
	cr_assert(eq(str, a.data, b.data));
	buf_free(&a);
	buf_free(&b);
	free(d);
	free(back);
}

Test(scorer_detail, writes_the_stored_format)
{
	struct scorer_detail *d = xcalloc(1, sizeof(*d));
	struct buf b = {0};

	d->eligible = true;
	snprintf(d->consent, sizeof(d->consent), "yes");
	d->steadiness = 2.0 / 3;
	d->volume = d->response = d->conversation = d->authenticity = 1;
	d->total = (struct scorer_detail_activity){3, 1.5, 0, 0, 1.5, 0};
	d->window_weeks = 26;
	d->weighted_volume = 1234567.0;
	d->own_share = 1;
	d->engagement_per_post_shrunk = d->company_engagement_per_post = 0.000123456;
	d->in_attitude = d->in_intrinsic = d->in_extrinsic = NAN;
	cr_assert(eq(int, scorer_detail_encode(&b, d), 0));
	cr_assert(eq(str, b.data,
	             "{\"eligible\":true,\"why_not\":null,\"flags\":0,\"consent\":\"yes\","
	             "\"activity\":{\"steadiness\":0.666667,\"volume\":1,\"response\":1,"
	             "\"conversation\":1,\"authenticity\":1},\"facts\":{"
	             "\"weighted_volume\":1.23457e+06,\"own_share\":1,"
	             "\"engagement_per_post_shrunk\":0.000123456,"
	             "\"company_engagement_per_post\":0.000123456,\"weeks_active\":3,"
	             "\"own\":1.5,\"conversation\":0,\"amplification\":0,\"own_posts\":1.5,"
	             "\"engagement_per_post\":0,\"window_weeks\":26},\"platforms\":[],"
	             "\"survey\":{\"attitude\":null,\"intrinsic\":null,\"extrinsic\":null,"
	             "\"careless\":null}}"));
	/* The two stored parts, each JSON, join to the same bytes. */
	struct buf w = {0}, f = {0};
	cr_assert(eq(int, scorer_detail_encode_scored(&w, d), 0));
	cr_assert(eq(int, scorer_detail_encode_facts(&f, d), 0));
	cr_assert(eq(str, w.data + w.len - 2, "}}"));
	cr_assert(eq(int, strncmp(f.data, SCORER_DETAIL_FACTS_HEAD, 10), 0));
	cr_assert(eq(int, (int)strlen(SCORER_DETAIL_FACTS_HEAD), 10));
	char *joined = NULL;
	cr_assert(asprintf(&joined, "%.*s,%s", (int)w.len - 2, w.data, f.data + 10) > 0);
	cr_assert(eq(str, joined, b.data));
	free(joined);
	buf_free(&w);
	buf_free(&f);
	buf_free(&b);
	free(d);
}

Test(scorer_detail, reads_a_hand_written_detail)
{
	static const char old[] =
	    "{\"eligible\":true,\"why_not\":null,\"flags\":0,\"consent\":\"yes\",\"activity\":{"
	    "\"steadiness\":0.8,\"volume\":0.7,\"response\":0.6,\"conversation\":0.5,"
	    "\"authenticity\":1},\"facts\":{\"weeks_active\":20,\"own\":18.5,\"conversation\":6,"
	    "\"amplification\":2,\"own_posts\":18.5,\"engagement_per_post\":7.2,\"window_weeks\":"
	    "26,\"weighted_volume\":21.7,\"own_share\":0.99,\"engagement_per_post_shrunk\":6.9,"
	    "\"company_engagement_per_post\":5.1},\"platforms\":[{\"platform\":\"linkedin\","
	    "\"weeks_active\":18,\"own\":15,\"conversation\":4,\"amplification\":1,\"own_posts\":"
	    "15,\"engagement_per_post\":8}],\"survey\":{\"attitude\":0.83,\"intrinsic\":0.75,"
	    "\"extrinsic\":0.4,\"careless\":null}}";
	struct scorer_detail *d = xcalloc(1, sizeof(*d));

	cr_assert(eq(int, scorer_detail_decode(d, old), 0), "%s", err_msg());
	cr_assert(d->eligible);
	cr_assert(epsilon_eq(dbl, d->authenticity, 1, 1e-12));
	cr_assert(eq(int, d->total.weeks_active, 20));
	cr_assert(eq(sz, d->nplatforms, 1));
	cr_assert(eq(str, d->platforms[0].name, "linkedin"));
	cr_assert(epsilon_eq(dbl, d->platforms[0].a.own, 15, 1e-12));
	cr_assert(eq(str, d->careless, ""));
	cr_assert(isnan(d->total.engagement_per_post) == 0);
	free(d);
}

Test(scorer_detail, refuses_damaged_text_without_cutting_it_short)
{
	struct scorer_detail *d = xcalloc(1, sizeof(*d));
	struct buf b = {0};

	cr_assert(eq(int, scorer_detail_decode(d, "[1,2]"), ERR_CORRUPT));
	cr_assert(eq(int, scorer_detail_decode(d, "{\"eligible\":"), ERR_CORRUPT));
	cr_assert(eq(int, scorer_detail_decode(d, NULL), ERR_CORRUPT));
	buf_puts(&b, "{\"survey\":{\"careless\":\"");
	for (int i = 0; i < 40; i++)
		buf_puts(&b, "x");
	buf_puts(&b, "\"}}");
	cr_assert(eq(int, scorer_detail_decode(d, b.data), ERR_CORRUPT));
	cr_assert(ne(ptr, strstr(err_msg(), "careless"), NULL), "%s", err_msg());
	buf_reset(&b);
	buf_puts(&b, "{\"platforms\":[");
	for (int i = 0; i <= SCORER_DETAIL_MAX_PLATFORMS; i++)
		buf_puts(&b, i ? ",{}" : "{}");
	buf_puts(&b, "]}");
	cr_assert(eq(int, scorer_detail_decode(d, b.data), ERR_CORRUPT));
	/* an empty object is an old or minimal detail: unknowns, no error */
	cr_assert(eq(int, scorer_detail_decode(d, "{}"), 0));
	cr_assert(isnan(d->steadiness));
	buf_free(&b);
	free(d);
}

Test(scorer_detail, refuses_to_encode_a_name_that_is_not_utf8)
{
	struct scorer_detail *d = sample();
	struct buf b = {0};

	d->platforms[0].name[2] = (char)0xff;
	cr_assert(eq(int, scorer_detail_encode(&b, d), ERR_INVALID));
	cr_assert(eq(sz, b.len, 0));
	buf_free(&b);
	free(d);
}

/* The scored part's texts are printed back by SQLite's json_quote, which
 * escapes control characters its own way: the encoder refuses them (they
 * come from the scorer, never from input), whole or in columns. */
Test(scorer_detail, refuses_a_scored_text_with_a_control_character)
{
	struct scorer_detail *d = sample();
	struct scorer_detail_scored sc;
	struct buf b = {0};

	d->eligible = false;
	snprintf(d->why_not, sizeof(d->why_not), "no\nsurvey");
	cr_assert(eq(int, scorer_detail_encode(&b, d), ERR_INVALID));
	cr_assert(eq(int, scorer_detail_encode_scored(&b, d), ERR_INVALID));
	cr_assert(eq(int, scorer_detail_scored_columns(d, &sc), ERR_INVALID));
	cr_assert(eq(sz, b.len, 0));
	snprintf(d->why_not, sizeof(d->why_not), "no survey");
	snprintf(d->consent, sizeof(d->consent), "y\tes");
	cr_assert(eq(int, scorer_detail_scored_columns(d, &sc), ERR_INVALID));
	snprintf(d->consent, sizeof(d->consent), "yes");
	cr_assert(eq(int, scorer_detail_scored_columns(d, &sc), 0));
	cr_assert(eq(str, (char *)sc.cols.why_not, "no survey"));
	cr_assert(eq(str, (char *)sc.cols.consent, "yes"));
	buf_free(&b);
	free(d);
}

/* Every detail of a scored population reads back to the record it was
 * written from, up to the six digits kept, and writes the same bytes. */
Test(scorer_detail, round_trips_every_person_of_a_scored_population)
{
	store *s = fx_open();
	fx_crowd(s, 30);
	int64_t pid = fx_person(s, "MULTI", "Ops", "employee", "yes");
	fx_act(s, pid, 0, 1, KIND_POST, 0, 2, 4, 0, 0);
	fx_act(s, pid, 1, 2, KIND_VIDEO, 0, 1, 4, 0, 0);
	fx_act(s, pid, 1, 3, KIND_COMMENT, 0, 3, 0, 0, 0);
	fx_survey(s, pid, 0.8, 0.8, 0.3, NULL);
	scorer_population *pop = fx_score(s, NULL);
	struct scorer_detail *d = xcalloc(1, sizeof(*d)), *back = xcalloc(1, sizeof(*back));
	struct buf a = {0}, b = {0};

	for (size_t i = 0; i < pop->n; i++) {
		buf_reset(&a);
		buf_reset(&b);
		scorer_detail_of(d, pop, &pop->people[i]);
		cr_assert(eq(int, scorer_detail_encode(&a, d), 0));
		cr_assert(eq(int, scorer_detail_decode(back, a.data), 0), "%s", err_msg());
		cr_assert(eq(int, scorer_detail_encode(&b, back), 0));
		cr_assert(eq(str, a.data, b.data));
		cr_assert(eq(sz, back->nplatforms, d->nplatforms));
		cr_assert(
		    epsilon_eq(dbl, back->total.own, d->total.own, 1e-5 * (1 + d->total.own)));
		cr_assert(eq(str, back->why_not, d->why_not));
	}
	buf_free(&a);
	buf_free(&b);
	free(d);
	free(back);
	scorer_population_destroy(&pop);
	store_close(&s);
}

Test(scorer_detail, formats_numbers_exactly_as_printf_does)
{
	static const double special[] = {
	    0,         1,          0.5,         1e-4,     9.99995e-5, 0.000123456, 9.999995,
	    99999.95,  999999.5,   999999.4,    123456.5, 123455.5,   1e6,         1e-5,
	    2.5e-4,    0.1,        0.3,         1.0 / 3,  2.0 / 3,    123.4565,    0.1234565,
	    1234567.0, 4503599.75, 7.000004999, 12.34565, 65.5,       1e300,       5e-324,
	};
	char a[64], b[64];
	uint64_t x = 88172645463325252ULL;

	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		size_t n = scorer_detail_fmt_g6(a, special[i]);
		snprintf(b, sizeof(b), "%.6g", special[i]);
		cr_assert(eq(str, a, b), "%.17g", special[i]);
		cr_assert(eq(sz, n, strlen(b)));
	}
	for (int i = 0; i < 2000000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* magnitudes 1e-6 .. 1e7, and values on a 6-digit grid +- a little */
		double v = (double)(x >> 11) / 9007199254740992.0 * pow(10, (int)(x % 14) - 6);
		if (i % 4 == 0)
			v = (floor(v * 1e4) + 0.5) / 1e4;
		snprintf(b, sizeof(b), "%.6g", v);
		scorer_detail_fmt_g6(a, v);
		cr_assert(eq(str, a, b), "%.17g", v);
	}
}

static long long rows_of(store *s, const char *sql)
{
	sqlite3_stmt *st;
	long long n;

	cr_assert(eq(int, sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK), "%s", sql);
	cr_assert(eq(int, sqlite3_step(st), SQLITE_ROW));
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Every row of snapshot id reads back (the readers' join, and the view
 * snapshot_details) as scorer_detail_encode writes the person's detail. */
static void assert_details_whole(store *s, const scorer_population *pop, int64_t id)
{
	struct buf want = {0};
	char *got = NULL, *q;

	for (size_t i = 0; i < pop->n; i++) {
		buf_reset(&want);
		fx_detail_json(pop, &pop->people[i], &want);
		cr_assert(eq(int, store_snapshot_detail(s, id, pop->people[i].pid, &got), 1));
		cr_assert(eq(str, got, want.data));
		free(got);
		q = sqlite3_mprintf("SELECT count(*) FROM snapshot_details WHERE snapshot_id = %lld"
		                    " AND pid = %lld AND detail = %Q",
		                    (long long)id, (long long)pop->people[i].pid, want.data);
		cr_assert(eq(i64, rows_of(s, q), 1), "the view gives the same detail");
		sqlite3_free(q);
	}
	buf_free(&want);
}

/* The facts part of a detail is stored once: a score after a weight
 * change writes only the scored parts and refers to the stored facts; a
 * change to one person's activity stores that person's facts again. */
Test(scorer_detail, a_snapshot_stores_the_facts_once_and_reads_back_whole)
{
	store *s = fx_open();
	struct scorer_params p;
	int64_t id[3];

	fx_crowd(s, 30);
	int64_t pid = fx_person(s, "MULTI", "Ops", "employee", "yes");
	fx_act(s, pid, 0, 1, KIND_POST, 0, 2, 4, 0, 0);
	fx_act(s, pid, 1, 2, KIND_VIDEO, 0, 1, 4, 0, 0);
	fx_survey(s, pid, 0.8, 0.8, 0.3, "straightlining");
	scorer_params_defaults(&p);
	scorer_population *pop = fx_score(s, &p);
	cr_assert(eq(int, scorer_snapshot_save(s, pop, &p, "default", 1, &id[0]), 0));
	cr_assert(eq(i64, rows_of(s, "SELECT count(*) FROM score_facts"), (long long)pop->n));
	assert_details_whole(s, pop, id[0]);

	p.w_volume = 0.9;
	p.volume_amplification = 0.5;
	cr_assert(eq(int, scorer_compute(pop, &p), 0));
	cr_assert(eq(int, scorer_snapshot_save(s, pop, &p, "default", 1, &id[1]), 0));
	cr_assert(eq(i64, rows_of(s, "SELECT count(*) FROM score_facts"), (long long)pop->n),
	          "no facts written again after a weight change");
	assert_details_whole(s, pop, id[1]);
	scorer_population_destroy(&pop);

	fx_act(s, pid, 0, 3, KIND_COMMENT, 0, 3, 0, 0, 0);
	pop = fx_score(s, &p);
	cr_assert(eq(int, scorer_snapshot_save(s, pop, &p, "default", 1, &id[2]), 0));
	cr_assert(eq(i64, rows_of(s, "SELECT count(*) FROM score_facts"), (long long)pop->n + 1),
	          "one person's activity changed: their facts only");
	assert_details_whole(s, pop, id[2]);
	const size_t fx_n = pop->n;
	cr_assert(eq(i64,
	             rows_of(s, "SELECT count(DISTINCT facts_id) FROM snapshot_scores"
	                        " WHERE snapshot_id IN (1, 2)"),
	             (long long)pop->n));
	scorer_population_destroy(&pop);

	/* Answers that change and change back: the second time, the facts
	 * stored for the first answers are found (they are no longer the
	 * person's newest) and nothing is written. */
	int64_t more[2];
	fx_survey(s, pid, 0.2, 0.8, 0.3, "straightlining");
	pop = fx_score(s, &p);
	cr_assert(eq(int, scorer_snapshot_save(s, pop, &p, "default", 1, &more[0]), 0));
	scorer_population_destroy(&pop);
	cr_assert(eq(i64, rows_of(s, "SELECT count(*) FROM score_facts"), (long long)fx_n + 2));
	fx_survey(s, pid, 0.8, 0.8, 0.3, "straightlining");
	pop = fx_score(s, &p);
	cr_assert(eq(int, scorer_snapshot_save(s, pop, &p, "default", 1, &more[1]), 0));
	cr_assert(eq(i64, rows_of(s, "SELECT count(*) FROM score_facts"), (long long)fx_n + 2),
	          "facts found again, not written again");
	assert_details_whole(s, pop, more[1]);
	char *q = sqlite3_mprintf("SELECT count(*) FROM snapshot_scores a JOIN snapshot_scores b"
	                          " USING (pid) WHERE a.snapshot_id = %lld AND b.snapshot_id = %lld"
	                          " AND a.facts_id = b.facts_id",
	                          (long long)id[2], (long long)more[1]);
	cr_assert(eq(i64, rows_of(s, q), (long long)fx_n), "the same facts rows as snapshot 3");
	sqlite3_free(q);
	scorer_population_destroy(&pop);
	store_close(&s);
}

/* Reasons of a snapshot, as "why=count;" in the order the store gives. */
static int add_reason(void *ctx, const char *why, int64_t n)
{
	buf_printf(ctx, "%s=%lld;", why, (long long)n);
	return 0;
}

static void exec_sql(store *s, char *q)
{
	cr_assert(eq(int, sqlite3_exec(s->db, q, NULL, NULL, NULL), SQLITE_OK), "%s: %s", q,
	          sqlite3_errmsg(s->db));
	sqlite3_free(q);
}

/* Rows written before the scored part had columns still read back whole:
 * the scored part as JSON with a facts_id (schema 15), and the whole
 * detail as JSON (before 15), beside rows in columns, in one snapshot. */
Test(scorer_detail, reads_rows_written_in_earlier_formats_beside_new_ones)
{
	store *s = fx_open();
	struct scorer_params p;
	struct scorer_detail *d = xcalloc(1, sizeof(*d));
	struct buf scored = {0}, whole = {0}, reasons = {0}, reasons_before = {0};
	int64_t id;

	fx_crowd(s, 30);
	int64_t quiet = fx_person(s, "NO-SURVEY", "Ops", "employee", "yes");
	fx_act(s, quiet, 0, 1, KIND_POST, 0, 2, 4, 0, 0);
	scorer_params_defaults(&p);
	scorer_population *pop = fx_score(s, &p);
	cr_assert(eq(int, scorer_snapshot_save(s, pop, &p, "default", 1, &id), 0));
	cr_assert(eq(int, store_snapshot_reasons_each(s, id, add_reason, &reasons_before), 0));
	cr_assert(strstr(reasons_before.data, "needs a trusted survey answer") != NULL, "%s",
	          reasons_before.data);
	cr_assert(
	    eq(i64, rows_of(s, "SELECT count(*) FROM snapshot_scores WHERE flags IS NULL"), 0),
	    "new rows keep the scored part in columns");
	for (size_t i = 0; i < pop->n; i++) {
		const struct scorer_person *sp = &pop->people[i];
		if (i % 3 == 2)
			continue; /* stays as written */
		buf_reset(&scored);
		buf_reset(&whole);
		scorer_detail_of(d, pop, sp);
		cr_assert(eq(int, scorer_detail_encode_scored(&scored, d), 0));
		cr_assert(eq(int, scorer_detail_encode(&whole, d), 0));
		exec_sql(
		    s, sqlite3_mprintf("UPDATE snapshot_scores SET flags = NULL, why_not_id = "
		                       "NULL, consent_id = NULL,"
		                       " steadiness = NULL, detail = %Q%s WHERE snapshot_id = %lld"
		                       " AND pid = %lld",
		                       i % 3 == 0 ? scored.data : whole.data,
		                       i % 3 == 0 ? "" : ", facts_id = NULL", (long long)id,
		                       (long long)sp->pid));
	}
	cr_assert(gt(i64,
	             rows_of(s, "SELECT count(*) FROM snapshot_scores WHERE flags IS NULL"
	                        " AND facts_id IS NULL"),
	             0));
	assert_details_whole(s, pop, id);
	cr_assert(eq(int, store_snapshot_reasons_each(s, id, add_reason, &reasons), 0));
	cr_assert(eq(str, reasons.data, reasons_before.data), "the report's reasons read both");
	scorer_population_destroy(&pop);
	buf_free(&scored);
	buf_free(&whole);
	buf_free(&reasons);
	buf_free(&reasons_before);
	free(d);
	store_close(&s);
}
