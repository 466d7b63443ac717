/* Survey import (docs/design.md, Contract 2.2, 3.7): the four vendor export styles, labels,
 * every rejection with its line and column, roster skips, latest answer
 * wins, careless flags, duplicates, data minimisation, and Cronbach's
 * alpha against a value worked out by hand. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "../support/testutil.h"
#include "core/err.h"
#include "core/store.h"
#include "core/timefmt.h"
#include "survey/reliability.h"
#include "survey/roster.h"
#include "survey/survey.h"

#define DATA AMB_SOURCE_DIR "/tests/data/survey/"

static char *dir, *db;

static void setup(void)
{
	dir = tu_tempdir();
	cr_assert(asprintf(&db, "%s/t.db", dir) > 0);
	setenv("AMBASSADOR_NOW", "2026-11-01T12:00:00Z", 1);
}

static void teardown(void)
{
	tu_rmrf(dir);
	free(dir);
	free(db);
}

TestSuite(survey_import, .init = setup, .fini = teardown);
TestSuite(survey_reliability);

/* The fixtures shrink the roster on purpose: departures are allowed. */
static void import_roster(const char *path)
{
	struct import_opts opts = {.allow_departures = true};
	struct import_summary sum = {0};
	store *s = NULL;

	cr_assert(eq(int, store_open(&s, db, 0), 0), "%s", err_msg());
	cr_assert(eq(int, roster_import(s, path, &opts, &sum), 0), "%s", err_msg());
	import_summary_clear(&sum);
	store_close(&s);
}

struct run {
	const char *labels;
	size_t header_rows;
	bool skip;
	enum timefmt_order date_order;
};

/* The Microsoft Forms fixture's dates (3/9/26) are ambiguous by
 * themselves: it is a US export, read month-first. */
static const struct run us_dates = {.date_order = TIMEFMT_ORDER_MDY};

/* Import `path` through `codebook`; the summary and report are the
 * caller's to clear. */
static int import_survey(const char *path, const char *codebook, const struct run *o,
                         struct import_summary *sum, struct survey_report *rep)
{
	struct survey_import_opts so = {.codebook = codebook};
	struct import_opts opts = {0};
	store *s = NULL;
	int rc;

	if (o) {
		so.labels = o->labels;
		so.header_rows = o->header_rows;
		opts.skip_invalid = o->skip;
		so.date_order = o->date_order;
	}
	memset(sum, 0, sizeof(*sum));
	cr_assert(eq(int, store_open(&s, db, 0), 0), "%s", err_msg());
	rc = survey_import(s, path, &so, &opts, sum, rep);
	store_close(&s);
	return rc;
}

/* Import inline text under `name` with the roster fixture loaded. */
static int import_text(const char *name, const char *text, const char *codebook,
                       const struct run *o, struct import_summary *sum)
{
	char *path = tu_write(dir, name, text);
	struct survey_report rep = {0};
	int rc = import_survey(path, codebook, o, sum, &rep);

	survey_report_clear(&rep);
	free(path);
	return rc;
}

static double db_double(const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	double v = -1;

	cr_assert(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	cr_assert(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(h));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -99 : sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* A value about employee `id`: `where` ends in "pid =", and is followed
 * by `rest` (may be ""). */
static double person_double(const char *where, const char *id, const char *rest)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "%s (SELECT pid FROM people WHERE employee_id = '%s') %s", where,
	         id, rest);
	return db_double(sql);
}

static double answer(const char *id, const char *item)
{
	char rest[256];

	snprintf(rest, sizeof(rest), "AND item = '%s'", item);
	return person_double("SELECT value FROM survey_answers WHERE pid =", id, rest);
}

static double score(const char *id, const char *construct)
{
	char rest[256];

	snprintf(rest, sizeof(rest), "AND construct = '%s'", construct);
	return person_double("SELECT score FROM survey_scores WHERE pid =", id, rest);
}

static long long careless_is(const char *id, const char *flag)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
	         "SELECT COUNT(*) FROM survey_responses r JOIN people p USING(pid)"
	         " WHERE p.employee_id = '%s' AND r.careless IS '%s'",
	         id, flag);
	return tu_db_int(db, sql);
}

static int64_t when(const char *iso)
{
	int64_t t = 0;

	cr_assert(eq(int, timefmt_parse(iso, &t), 0));
	return t;
}

static int64_t note(const struct import_summary *sum, const char *label)
{
	for (size_t i = 0; i < sum->nnotes; i++)
		if (!strcmp(sum->notes[i].label, label))
			return sum->notes[i].count;
	return 0;
}

static void assert_error(const struct import_summary *sum, const char *pos, const char *needle)
{
	for (size_t i = 0; i < sum->nerrors; i++)
		if (strstr(sum->errors[i], pos) && strstr(sum->errors[i], needle))
			return;
	cr_assert(false, "no error at '%s' mentions '%s' (first: %s)", pos, needle,
	          sum->nerrors ? sum->errors[0] : "none");
}

/* --- the four export styles -------------------------------------------- */

Test(survey_import, imports_a_microsoft_forms_export_with_labels_and_a_bom)
{
	struct import_summary sum;
	struct survey_report rep = {0};

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_survey(DATA "ms_forms.csv", DATA "codebook_ms_forms.csv", &us_dates,
	                           &sum, &rep),
	             0),
	          "%s", err_msg());
	cr_assert(eq(int, rep.vendor, SURVEY_MSFORMS));
	cr_assert(eq(i64, sum.rows_read, 4));
	cr_assert(eq(i64, sum.rows_kept, 3));
	cr_assert(eq(i64, note(&sum, "not on the roster"), 1));
	cr_assert(epsilon_eq(dbl, answer("E1", "I like my work"), 4, 1e-9));
	cr_assert(epsilon_eq(dbl, answer("E1", "My field fascinates me"), 3, 1e-9));
	cr_assert(epsilon_eq(dbl, answer("E1", "Recommend 0-10"), 8, 1e-9));
	/* Stored as given: the reverse item is not flipped in survey_answers. */
	cr_assert(epsilon_eq(dbl, answer("E2", "I would leave tomorrow"), 5, 1e-9));
	/* E1 attitude: (0.75 + 1 + (1 - 0.25) + 0.8) / 4 = 0.825 */
	cr_assert(epsilon_eq(dbl, score("E1", "attitude"), 0.825, 1e-9));
	cr_assert(epsilon_eq(dbl, score("E1", "intrinsic"), 0.625, 1e-9));
	/* E2 attitude: (0 + 0.25 + 0 + 0.2) / 4 */
	cr_assert(epsilon_eq(dbl, score("E2", "attitude"), 0.1125, 1e-9));
	cr_assert(epsilon_eq(
	    dbl, person_double("SELECT submitted_at FROM survey_responses WHERE pid =", "E1", ""),
	    (double)when("2026-03-09T07:30:28Z"), 1e-9));
	cr_assert(epsilon_eq(
	    dbl, person_double("SELECT started_at FROM survey_responses WHERE pid =", "E1", ""),
	    (double)when("2026-03-09T07:26:14Z"), 1e-9));
	cr_assert(eq(sz, rep.nconstructs, 2));
	import_summary_clear(&sum);
	survey_report_clear(&rep);
}

Test(survey_import, counts_an_empty_answer_as_missing_and_needs_two_thirds_of_the_items)
{
	struct import_summary sum;

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_survey(DATA "ms_forms.csv", DATA "codebook_ms_forms.csv", &us_dates,
	                           &sum, NULL),
	             0),
	          "%s", err_msg());
	/* E3 left "I recommend us" and the 0-10 item empty: no 0 is stored. */
	cr_assert(eq(i64,
	             tu_db_int(db, "SELECT COUNT(*) FROM survey_answers a JOIN people p USING(pid)"
	                           " WHERE p.employee_id = 'E3'"),
	             4));
	/* attitude: 2 of 4 answered, below ceil(2/3 * 4) = 3: no score. */
	cr_assert(epsilon_eq(dbl, score("E3", "attitude"), -99, 1e-9));
	cr_assert(eq(i64,
	             tu_db_int(db, "SELECT answered FROM survey_scores s JOIN people p USING(pid)"
	                           " WHERE p.employee_id = 'E3' AND construct = 'attitude'"),
	             2));
	cr_assert(epsilon_eq(dbl, score("E3", "intrinsic"), 0.75, 1e-9));
	import_summary_clear(&sum);
}

Test(survey_import, imports_a_google_forms_export_with_am_pm_times_and_zones)
{
	struct import_summary sum;
	struct survey_report rep = {0};

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_survey(DATA "google_forms.csv", DATA "codebook_google_forms.csv", NULL,
	                           &sum, &rep),
	             0),
	          "%s", err_msg());
	cr_assert(eq(int, rep.vendor, SURVEY_GOOGLE));
	cr_assert(eq(i64, sum.rows_kept, 3));
	cr_assert(epsilon_eq(dbl, answer("E1", "I like my work"), 5, 1e-9));
	cr_assert(epsilon_eq(
	    dbl, person_double("SELECT submitted_at FROM survey_responses WHERE pid =", "E1", ""),
	    (double)when("2026-03-14T08:05:00Z"), 1e-9));
	/* A named zone (CET) is ignored; 1:30 PM is 13:30. */
	cr_assert(epsilon_eq(
	    dbl, person_double("SELECT submitted_at FROM survey_responses WHERE pid =", "E2", ""),
	    (double)when("2026-03-14T13:30:00Z"), 1e-9));
	cr_assert(epsilon_eq(
	    dbl, person_double("SELECT submitted_at FROM survey_responses WHERE pid =", "E3", ""),
	    (double)when("2026-03-14T00:10:30Z"), 1e-9));
	/* E2 answered 3 to all five 1..5 items, the reverse one included. */
	cr_assert(eq(i64, careless_is("E2", "straight_line"), 1));
	cr_assert(eq(i64, rep.straight_line, 1));
	import_summary_clear(&sum);
	survey_report_clear(&rep);
}

Test(survey_import, imports_a_qualtrics_export_with_three_header_rows)
{
	struct import_summary sum;
	struct survey_report rep = {0};

	import_roster(DATA "roster.csv");
	cr_assert(
	    eq(int,
	       import_survey(DATA "qualtrics.csv", DATA "codebook_qualtrics.csv", NULL, &sum, &rep),
	       0),
	    "%s", err_msg());
	cr_assert(eq(int, rep.vendor, SURVEY_QUALTRICS));
	cr_assert(eq(sz, rep.header_rows, 3));
	cr_assert(eq(i64, sum.rows_read, 3));
	cr_assert(eq(i64, sum.rows_kept, 3));
	cr_assert(epsilon_eq(dbl, answer("E1", "Q1"), 4, 1e-9));
	cr_assert(epsilon_eq(dbl, answer("E1", "Q3"), 2, 1e-9));
	/* Matched against the question text of row 2. */
	cr_assert(epsilon_eq(dbl, answer("E1", "I enjoy sharing"), 4, 1e-9));
	cr_assert(epsilon_eq(dbl, answer("E2", "I enjoy sharing"), 5, 1e-9));
	/* E2: 6 s for 5 answers, below 2 s per item (Duration column). */
	cr_assert(eq(i64, careless_is("E2", "too_fast"), 1));
	cr_assert(eq(i64, careless_is("E1", "too_fast"), 0));
	/* E3 answered 1 of 2 intrinsic items: no score. */
	cr_assert(epsilon_eq(dbl, score("E3", "intrinsic"), -99, 1e-9));
	import_summary_clear(&sum);
	survey_report_clear(&rep);
}

Test(survey_import, imports_a_surveymonkey_export_with_a_question_spanning_columns)
{
	struct import_summary sum;
	struct survey_report rep = {0};

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_survey(DATA "surveymonkey.csv", DATA "codebook_surveymonkey.csv", NULL,
	                           &sum, &rep),
	             0),
	          "%s", err_msg());
	cr_assert(eq(int, rep.vendor, SURVEY_SURVEYMONKEY));
	cr_assert(eq(sz, rep.header_rows, 2));
	cr_assert(eq(i64, sum.rows_kept, 2));
	cr_assert(
	    epsilon_eq(dbl, answer("E1", "How much do you agree? - I like my work"), 4, 1e-9));
	cr_assert(epsilon_eq(dbl, answer("E1", "I would leave tomorrow"), 2, 1e-9));
	cr_assert(epsilon_eq(dbl, answer("E1", "My field fascinates me"), 3, 1e-9));
	cr_assert(
	    epsilon_eq(dbl, answer("E2", "How much do you agree? - I enjoy sharing"), 4, 1e-9));
	cr_assert(epsilon_eq(
	    dbl, person_double("SELECT submitted_at FROM survey_responses WHERE pid =", "E1", ""),
	    (double)when("2026-03-14T09:15:00Z"), 1e-9));
	cr_assert(epsilon_eq(
	    dbl, person_double("SELECT started_at FROM survey_responses WHERE pid =", "E2", ""),
	    (double)when("2026-03-14T10:00:00Z"), 1e-9));
	import_summary_clear(&sum);
	survey_report_clear(&rep);
}

Test(survey_import, takes_the_header_row_count_from_the_option)
{
	struct import_summary sum;
	struct run o = {.header_rows = 2};
	char *cb =
	    tu_write(dir, "cb.csv",
	             "column,construct,min,max,reverse\nid,id,,,\nq1,a,1,5,no\nq2,a,1,5,no\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_text("s.csv", "id,q1,q2\nEmployee,Question one,Question two\nE1,4,5\n",
	                         cb, &o, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, sum.rows_read, 1));
	cr_assert(epsilon_eq(dbl, answer("E1", "q2"), 5, 1e-9));
	import_summary_clear(&sum);
	free(cb);
}

/* --- labels ------------------------------------------------------------- */

static char *small_codebook(void)
{
	return tu_write(dir, "cb.csv",
	                "column,construct,min,max,reverse\n"
	                "emp,id,,,\nq1,attitude,1,5,no\nq2,attitude,1,5,no\nq3,attitude,1,5,yes\n"
	                "nps,attitude,0,10,no\n");
}

static void check_labels(const char *rows, double q1, double q2, double q3)
{
	struct import_summary sum;
	char *cb = small_codebook();
	char *text = NULL;

	import_roster(DATA "roster.csv");
	cr_assert(asprintf(&text, "emp,q1,q2,q3,nps\n%s", rows) > 0);
	cr_assert(eq(int, import_text("s.csv", text, cb, NULL, &sum), 0), "%s / %s", err_msg(),
	          sum.nerrors ? sum.errors[0] : "");
	cr_assert(epsilon_eq(dbl, answer("E1", "q1"), q1, 1e-9));
	cr_assert(epsilon_eq(dbl, answer("E1", "q2"), q2, 1e-9));
	cr_assert(epsilon_eq(dbl, answer("E1", "q3"), q3, 1e-9));
	import_summary_clear(&sum);
	free(text);
	free(cb);
}

Test(survey_import, reads_english_labels_in_any_case)
{
	check_labels("E1,STRONGLY AGREE,  neither agree nor disagree ,Neutral,7\n", 5, 3, 3);
}

Test(survey_import, reads_danish_labels)
{
	check_labels("E1,Helt enig,Hverken enig eller uenig,Helt uenig,7\n", 5, 3, 1);
}

Test(survey_import, reads_swedish_labels_with_or_without_accents)
{
	check_labels("E1,Instämmer helt,INSTAMMER DELVIS,Tar helt avstånd,7\n", 5, 4, 1);
}

Test(survey_import, reads_dutch_labels)
{
	check_labels("E1,Helemaal mee eens,Mee oneens,Neutraal,7\n", 5, 2, 3);
}

Test(survey_import, reads_extra_labels_from_a_labels_file)
{
	struct import_summary sum;
	struct run o = {.labels = DATA "labels_extra.csv"};
	char *cb = small_codebook();

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_text("s.csv",
	                         "emp,q1,q2,q3,nps\nE1,Stimme voll zu,stimme zu,Agree,"
	                         "Sehr wahrscheinlich\n",
	                         cb, &o, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(epsilon_eq(dbl, answer("E1", "q1"), 5, 1e-9));
	cr_assert(epsilon_eq(dbl, answer("E1", "q2"), 4, 1e-9));
	cr_assert(epsilon_eq(dbl, answer("E1", "q3"), 4, 1e-9));
	/* A --labels value on the item's own 0..10 scale is accepted. */
	cr_assert(epsilon_eq(dbl, answer("E1", "nps"), 9, 1e-9));
	import_summary_clear(&sum);
	/* Without the file a label that is not built in is unknown. */
	cr_assert(eq(int,
	             import_text("t.csv", "emp,q1,q2,q3,nps\nE2,4,4,4,Sehr wahrscheinlich\n", cb,
	                         NULL, &sum),
	             ERR_INVALID));
	assert_error(&sum, ":2:5:", "'Sehr wahrscheinlich' is neither a number");
	import_summary_clear(&sum);
	free(cb);
}

/* --- rejections ---------------------------------------------------------- */

/* Import one bad row 3 (row 2 is good); expect it named at line 3, col. */
static void check_rejected(const char *cell_row, const char *pos, const char *needle)
{
	struct import_summary sum;
	char *cb = small_codebook();
	char *text = NULL;
	char before[2 * SHA256_LEN + 1], after[2 * SHA256_LEN + 1];

	import_roster(DATA "roster.csv");
	tu_db_digest(db, before);
	cr_assert(asprintf(&text, "emp,q1,q2,q3,nps\nE1,1,2,3,4\n%s\n", cell_row) > 0);
	cr_assert(eq(int, import_text("s.csv", text, cb, NULL, &sum), ERR_INVALID));
	cr_assert(eq(i64, sum.rows_rejected, 1));
	assert_error(&sum, pos, needle);
	tu_db_digest(db, after);
	cr_assert(eq(str, before, after), "the database changed");
	import_summary_clear(&sum);
	free(text);
	free(cb);
}

Test(survey_import, rejects_a_number_off_the_scale_with_line_and_column)
{
	check_rejected("E2,1,6,3,4", "s.csv:3:3:", "'6' is off the item's scale 1..5");
	check_rejected("E2,1,2,3,11", "s.csv:3:5:", "'11' is off the item's scale 0..10");
}

Test(survey_import, rejects_an_unknown_label_with_line_and_column)
{
	check_rejected("E2,1,2,Sort of,4", "s.csv:3:4:", "'Sort of' is neither a number");
}

Test(survey_import, rejects_a_decimal_comma_with_a_hint)
{
	check_rejected("E2,1,\"3,5\",3,4", "s.csv:3:3:", "--delimiter");
}

Test(survey_import, rejects_nan_infinity_overflow_and_hex)
{
	check_rejected("E2,NaN,2,3,4", "s.csv:3:2:", "not a finite number");
	check_rejected("E2,1,inf,3,4", "s.csv:3:3:", "not a finite number");
	check_rejected("E2,1,2,3,1e999", "s.csv:3:5:", "out of range");
	check_rejected("E2,1,0x3,3,4", "s.csv:3:3:", "hexadecimal");
}

Test(survey_import, reads_minus_zero_as_zero_which_is_off_a_one_to_five_scale)
{
	struct import_summary sum;
	char *cb = small_codebook();

	check_rejected("E2,-0,2,3,4", "s.csv:3:2:", "off the item's scale 1..5");
	cr_assert(
	    eq(int, import_text("z.csv", "emp,q1,q2,q3,nps\nE2,1,2,3,-0\n", cb, NULL, &sum), 0));
	cr_assert(epsilon_eq(dbl, answer("E2", "nps"), 0, 1e-9));
	import_summary_clear(&sum);
	free(cb);
}

Test(survey_import, rejects_an_agreement_label_on_another_scale)
{
	check_rejected("E2,1,2,3,Agree",
	               "s.csv:3:5:", "agreement label of five- or seven-point scales");
}

Test(survey_import, rejects_a_bad_or_future_timestamp)
{
	struct import_summary sum;
	char *cb = tu_write(dir, "cb.csv",
	                    "column,construct,min,max,reverse\nemp,id,,,\nwhen,submitted_at,,,\n"
	                    "q1,a,1,5,no\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_text("s.csv",
	                         "emp,when,q1\nE1,yesterday,4\nE2,2030-01-01,4\nE3,2026-03-01,4\n",
	                         cb, NULL, &sum),
	             ERR_INVALID));
	cr_assert(eq(i64, sum.rows_rejected, 2));
	assert_error(&sum, "s.csv:2:2:", "yesterday");
	assert_error(&sum, "s.csv:3:2:", "in the future");
	import_summary_clear(&sum);
	free(cb);
}

Test(survey_import, keeps_good_rows_and_writes_bad_ones_with_skip_invalid)
{
	struct import_summary sum;
	struct run o = {.skip = true};
	char *cb = small_codebook();
	char *rejects = NULL;
	FILE *f;
	char buf[1024] = {0};

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_text("s.csv", "emp,q1,q2,q3,nps\nE1,1,2,3,4\nE2,9,2,3,4\nE3,1,2,3,4\n",
	                         cb, &o, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, sum.rows_kept, 2));
	cr_assert(eq(i64, sum.rows_rejected, 1));
	cr_assert(eq(i64, tu_db_int(db, "SELECT COUNT(*) FROM survey_responses"), 2));
	cr_assert(asprintf(&rejects, "%s/s.csv.rejects.csv", dir) > 0);
	f = fopen(rejects, "r");
	cr_assert(f != NULL);
	cr_assert(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	cr_assert(strstr(buf, "off the item's scale") != NULL, "%s", buf);
	import_summary_clear(&sum);
	free(rejects);
	free(cb);
}

Test(survey_import, rejects_a_codebook_item_missing_from_the_export_header)
{
	struct import_summary sum;
	char *cb = small_codebook();
	char before[2 * SHA256_LEN + 1], after[2 * SHA256_LEN + 1];

	import_roster(DATA "roster.csv");
	tu_db_digest(db, before);
	cr_assert(eq(int, import_text("s.csv", "emp,q1,q2,nps\nE1,1,2,3\n", cb, NULL, &sum),
	             ERR_INVALID));
	cr_assert(strstr(err_msg(), "cb.csv:5:1: column 'q3' is not in the header") != NULL, "%s",
	          err_msg());
	tu_db_digest(db, after);
	cr_assert(eq(str, before, after));
	import_summary_clear(&sum);
	free(cb);
}

/* --- who is kept ----------------------------------------------------------- */

Test(survey_import, skips_and_counts_people_not_on_the_roster_opted_out_or_departed)
{
	struct import_summary sum;
	char *cb = small_codebook();
	char *roster2 = tu_write(dir, "roster2.csv",
	                         "employee_id,department,consent\nE1,Dev,yes\nE2,Dev,\nE3,Dev,\n"
	                         "E7,Dev,no\n");

	import_roster(DATA "roster.csv");
	import_roster(roster2); /* E4 is no longer listed: departed */
	cr_assert(eq(int,
	             import_text("s.csv",
	                         "emp,q1,q2,q3,nps\nE1,1,2,3,4\nE4,1,2,3,4\nE7,5,5,1,10\n"
	                         "E404,1,2,3,4\nE2,1,2,3,4\n",
	                         cb, NULL, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, sum.rows_kept, 2));
	cr_assert(eq(i64, sum.rows_skipped, 3));
	cr_assert(eq(i64, sum.rows_rejected, 0));
	cr_assert(eq(i64, note(&sum, "not on the roster"), 1));
	cr_assert(eq(i64, note(&sum, "opted out"), 1));
	cr_assert(eq(i64, note(&sum, "departed"), 1));
	cr_assert(eq(i64,
	             tu_db_int(db, "SELECT COUNT(*) FROM survey_answers a JOIN people p USING(pid)"
	                           " WHERE p.employee_id IN ('E4', 'E7')"),
	             0));
	import_summary_clear(&sum);
	free(roster2);
	free(cb);
}

Test(survey_import, drops_a_person_who_opts_out_after_answering)
{
	struct import_summary sum;
	char *cb = small_codebook();
	char *roster2 =
	    tu_write(dir, "roster2.csv", "employee_id,department,consent\nE1,Dev,no\nE2,Dev,\n");

	import_roster(DATA "roster.csv");
	cr_assert(
	    eq(int, import_text("s.csv", "emp,q1,q2,q3,nps\nE1,1,2,3,4\n", cb, NULL, &sum), 0));
	import_summary_clear(&sum);
	import_roster(roster2);
	cr_assert(eq(i64, tu_db_int(db, "SELECT COUNT(*) FROM survey_answers"), 0));
	cr_assert(
	    eq(int, import_text("t.csv", "emp,q1,q2,q3,nps\nE1,2,2,3,4\n", cb, NULL, &sum), 0));
	cr_assert(eq(i64, note(&sum, "opted out"), 1));
	cr_assert(eq(i64, tu_db_int(db, "SELECT COUNT(*) FROM survey_responses"), 0));
	import_summary_clear(&sum);
	free(roster2);
	free(cb);
}

/* --- latest answer wins ------------------------------------------------- */

static char *timed_codebook(void)
{
	return tu_write(dir, "tcb.csv",
	                "column,construct,min,max,reverse\nemp,id,,,\nat,submitted_at,,,\n"
	                "q1,a,1,5,no\nq2,a,1,5,no\n");
}

Test(survey_import, keeps_the_latest_answer_per_person)
{
	struct import_summary sum;
	char *cb = timed_codebook();

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_text("s.csv",
	                         "emp,at,q1,q2\nE1,2026-03-10 09:00:00,1,1\n"
	                         "E1,2026-03-20 14:00:00,5,4\nE2,2026-03-20 10:00:00,4,4\n"
	                         "E2,2026-03-12 10:00:00,2,2\n",
	                         cb, NULL, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, sum.rows_kept, 2));
	cr_assert(eq(i64, note(&sum, "superseded by a later answer in this file"), 2));
	cr_assert(epsilon_eq(dbl, answer("E1", "q1"), 5, 1e-9));
	cr_assert(epsilon_eq(dbl, answer("E2", "q1"), 4, 1e-9));
	import_summary_clear(&sum);
	free(cb);
}

Test(survey_import, keeps_the_latest_answer_across_imports_and_ignores_an_older_export)
{
	struct import_summary sum;
	char *cb = timed_codebook();
	char before[2 * SHA256_LEN + 1], after[2 * SHA256_LEN + 1];

	import_roster(DATA "roster.csv");
	cr_assert(eq(
	    int, import_text("a.csv", "emp,at,q1,q2\nE1,2026-03-10 09:00:00,2,2\n", cb, NULL, &sum),
	    0));
	import_summary_clear(&sum);
	/* A later answer replaces it. */
	cr_assert(eq(int,
	             import_text("b.csv",
	                         "emp,at,q1,q2\nE1,2026-03-20 09:00:00,5,5\n"
	                         "E2,2026-03-20 09:00:00,3,3\n",
	                         cb, NULL, &sum),
	             0));
	cr_assert(eq(i64, note(&sum, "replaced an earlier answer"), 1));
	cr_assert(epsilon_eq(dbl, answer("E1", "q1"), 5, 1e-9));
	import_summary_clear(&sum);
	/* An older re-export does not overwrite it; an unchanged row is left. */
	tu_db_digest(db, before);
	cr_assert(eq(int,
	             import_text("c.csv",
	                         "emp,at,q1,q2\nE1,2026-03-10 09:00:00,2,2\n"
	                         "E2,2026-03-20 09:00:00,3,3\n",
	                         cb, NULL, &sum),
	             0));
	cr_assert(eq(i64, note(&sum, "older than the stored answer"), 1));
	cr_assert(eq(i64, note(&sum, "unchanged, already stored"), 1));
	cr_assert(eq(i64, sum.rows_kept, 0));
	cr_assert(epsilon_eq(dbl, answer("E1", "q1"), 5, 1e-9));
	tu_db_digest(db, after);
	/* Only the ledger gained a row. */
	cr_assert(eq(i64, tu_db_int(db, "SELECT COUNT(*) FROM imports WHERE kind = 'survey'"), 3));
	cr_assert(eq(i64,
	             tu_db_int(db, "SELECT COUNT(*) FROM survey_responses WHERE import_id = "
	                           "(SELECT MAX(id) FROM imports)"),
	             0));
	import_summary_clear(&sum);
	free(cb);
}

/* --- careless ------------------------------------------------------------ */

Test(survey_import, flags_straight_lining_and_too_fast_answers_but_keeps_their_scores)
{
	struct import_summary sum;
	struct survey_report rep = {0};
	char *cb = tu_write(dir, "cb.csv",
	                    "column,construct,min,max,reverse\nemp,id,,,\nstart,started_at,,,\n"
	                    "end,submitted_at,,,\nq1,a,1,5,no\nq2,a,1,5,no\nq3,a,1,5,yes\n"
	                    "q4,b,1,5,no\nq5,b,1,5,no\n");
	char *path = tu_write(dir, "s.csv",
	                      "start,end,emp,q1,q2,q3,q4,q5\n"
	                      /* the same answer everywhere, reverse item included */
	                      "2026-03-09 10:00:00,2026-03-09 10:05:00,E1,4,4,4,4,4\n"
	                      /* 9 s for 5 answers: below 2 s per item */
	                      "2026-03-09 10:00:00,2026-03-09 10:00:09,E2,4,5,2,4,3\n"
	                      /* 10 s for 5 answers is enough */
	                      "2026-03-09 10:00:00,2026-03-09 10:00:10,E3,4,5,2,4,3\n"
	                      /* four equal answers are too few to call */
	                      "2026-03-09 10:00:00,2026-03-09 10:05:00,E4,4,4,4,4,\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int, import_survey(path, cb, NULL, &sum, &rep), 0), "%s", err_msg());
	cr_assert(eq(i64, careless_is("E1", "straight_line"), 1));
	cr_assert(eq(i64, careless_is("E2", "too_fast"), 1));
	cr_assert(eq(
	    i64, tu_db_int(db, "SELECT COUNT(*) FROM survey_responses WHERE careless IS NULL"), 2));
	cr_assert(eq(i64, note(&sum, "flagged straight-lining"), 1));
	cr_assert(eq(i64, note(&sum, "flagged too fast"), 1));
	/* Scores are stored for everyone; the summary leaves the flagged out. */
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT COUNT(*) FROM survey_scores WHERE construct = 'a'"), 4));
	cr_assert(eq(sz, rep.nconstructs, 2));
	cr_assert(eq(i64, rep.constructs[0].respondents, 2));
	import_summary_clear(&sum);
	survey_report_clear(&rep);
	free(path);
	free(cb);
}

/* --- idempotence and minimisation ------------------------------------------ */

Test(survey_import, reports_a_duplicate_import_and_leaves_the_database_unchanged)
{
	struct import_summary sum;
	char before[2 * SHA256_LEN + 1], after[2 * SHA256_LEN + 1];

	import_roster(DATA "roster.csv");
	cr_assert(eq(
	    int,
	    import_survey(DATA "ms_forms.csv", DATA "codebook_ms_forms.csv", &us_dates, &sum, NULL),
	    0));
	import_summary_clear(&sum);
	tu_db_digest(db, before);
	cr_assert(eq(
	    int,
	    import_survey(DATA "ms_forms.csv", DATA "codebook_ms_forms.csv", &us_dates, &sum, NULL),
	    0));
	cr_assert(sum.duplicate);
	cr_assert(gt(i64, sum.duplicate_of, 0));
	tu_db_digest(db, after);
	cr_assert(eq(str, before, after));
	import_summary_clear(&sum);
}

/* Every text and blob value of every table except people (which holds the
 * roster's own name and e-mail) contains none of `needles`. */
static void assert_nowhere(const char *const *needles, size_t n)
{
	sqlite3 *h;
	sqlite3_stmt *tables, *rows;

	cr_assert(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	cr_assert(sqlite3_prepare_v2(h,
	                             "SELECT name FROM sqlite_schema WHERE type = 'table' AND name "
	                             "NOT LIKE 'sqlite_%' AND name != 'people'",
	                             -1, &tables, NULL) == SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		char *q = sqlite3_mprintf("SELECT * FROM \"%w\"", sqlite3_column_text(tables, 0));
		cr_assert(sqlite3_prepare_v2(h, q, -1, &rows, NULL) == SQLITE_OK);
		while (sqlite3_step(rows) == SQLITE_ROW)
			for (int c = 0; c < sqlite3_column_count(rows); c++) {
				const char *v = (const char *)sqlite3_column_text(rows, c);
				for (size_t i = 0; v && i < n; i++)
					cr_assert(strstr(v, needles[i]) == NULL,
					          "'%s' stored in %s", needles[i],
					          sqlite3_column_text(tables, 0));
			}
		sqlite3_finalize(rows);
		sqlite3_free(q);
	}
	sqlite3_finalize(tables);
	sqlite3_close(h);
}

Test(survey_import, stores_only_the_columns_the_codebook_names)
{
	static const char *const pii[] = {"example.com", "Testperson",  "Stranger",
	                                  "anonymous",   "Great place", "SUM(A1)",
	                                  "-1+1",        "Email",       "Anything else"};
	struct import_summary sum;

	import_roster(DATA "roster.csv");
	cr_assert(eq(
	    int,
	    import_survey(DATA "ms_forms.csv", DATA "codebook_ms_forms.csv", &us_dates, &sum, NULL),
	    0));
	import_summary_clear(&sum);
	cr_assert(eq(int,
	             import_survey(DATA "surveymonkey.csv", DATA "codebook_surveymonkey.csv", NULL,
	                           &sum, NULL),
	             0));
	import_summary_clear(&sum);
	assert_nowhere(pii, sizeof(pii) / sizeof(pii[0]));
	/* survey_answers has pid, item, value; items are keyed by codebook name
	 * (two SurveyMonkey items share MS Forms names: 6 + 3). */
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT COUNT(*) FROM pragma_table_info('survey_answers')"), 3));
	cr_assert(eq(i64, tu_db_int(db, "SELECT COUNT(*) FROM survey_items"), 9));
	/* No one outside the roster got a people row or an answer. */
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT COUNT(*) FROM people WHERE employee_id = 'E99'"), 0));
}

/* --- reliability ------------------------------------------------------------ */

/* Worked by hand, 3 respondents x 2 items:
 *   r1: 1 2   r2: 2 3   r3: 3 3
 *   item 1: mean 2,   var = (1 + 0 + 1) / 2 = 1
 *   item 2: mean 8/3, var = (4/9 + 1/9 + 1/9) / 2 = 1/3
 *   totals 3 5 6: mean 14/3, var = (25/9 + 1/9 + 16/9) / 2 = 7/3
 *   alpha = 2/1 * (1 - (1 + 1/3) / (7/3)) = 2 * (1 - 4/7) = 6/7 */
Test(survey_reliability, computes_cronbachs_alpha_of_a_hand_worked_matrix)
{
	const double m[] = {1, 2, 2, 3, 3, 3};
	double alpha = 0;

	cr_assert(eq(int, survey_cronbach_alpha(&alpha, m, 3, 2), 0), "%s", err_msg());
	cr_assert(epsilon_eq(dbl, alpha, 6.0 / 7.0, 1e-12));
}

Test(survey_reliability, refuses_alpha_without_two_items_two_respondents_or_variance)
{
	const double m[] = {1, 2, 2, 3, 3, 3};
	const double flat[] = {2, 4, 3, 3, 4, 2};
	double alpha = 0;

	cr_assert(eq(int, survey_cronbach_alpha(&alpha, m, 6, 1), ERR_INVALID));
	cr_assert(strstr(err_msg(), "2 items") != NULL);
	cr_assert(eq(int, survey_cronbach_alpha(&alpha, m, 1, 2), ERR_INVALID));
	cr_assert(strstr(err_msg(), "2 respondents") != NULL);
	cr_assert(eq(int, survey_cronbach_alpha(&alpha, flat, 3, 2), ERR_INVALID));
	cr_assert(strstr(err_msg(), "do not vary") != NULL);
}

Test(survey_import, reports_alpha_per_construct_from_the_stored_answers)
{
	struct import_summary sum;
	struct survey_report rep = {0};
	char *cb = tu_write(dir, "cb.csv",
	                    "column,construct,min,max,reverse\nemp,id,,,\nx1,c,1,5,no\n"
	                    "x2,c,1,5,yes\n");
	/* x2 is reversed: 6 - x2 gives the matrix of the hand-worked test. */
	char *path = tu_write(dir, "s.csv", "emp,x1,x2\nE1,1,4\nE2,2,3\nE3,3,3\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int, import_survey(path, cb, NULL, &sum, &rep), 0), "%s", err_msg());
	cr_assert(eq(sz, rep.nconstructs, 1));
	cr_assert(eq(i64, rep.constructs[0].respondents, 3));
	cr_assert(eq(sz, rep.constructs[0].complete, 3));
	cr_assert(rep.constructs[0].has_alpha);
	cr_assert(epsilon_eq(dbl, rep.constructs[0].alpha, 6.0 / 7.0, 1e-9));
	/* scores: E1 (0 + 0.25)/2, E2 (0.25 + 0.5)/2, E3 (0.5 + 0.5)/2 */
	cr_assert(epsilon_eq(dbl, rep.constructs[0].mean, (0.125 + 0.375 + 0.5) / 3, 1e-9));
	import_summary_clear(&sum);
	survey_report_clear(&rep);
	free(path);
	free(cb);
}

/* --- dates ----------------------------------------------------------------- */

static char *dated_codebook(void)
{
	return tu_write(dir, "tcb.csv",
	                "column,construct,min,max,reverse\nemp,id,,,\nstart,started_at,,,\n"
	                "end,submitted_at,,,\nq1,a,1,5,no\nq2,a,1,5,no\nq3,a,1,5,no\n");
}

static int64_t submitted(const char *id)
{
	return (int64_t)person_double("SELECT submitted_at FROM survey_responses WHERE pid =", id,
	                              "");
}

/* 09/10/2024 was read as 10 September while 14/10/2024 was refused: the
 * day-first date on line 3 settles the order for the whole file. */
Test(survey_import, reads_every_date_day_first_when_one_date_of_the_file_is_day_first)
{
	struct import_summary sum;
	struct survey_report rep = {0};
	char *cb = dated_codebook();
	char *path = tu_write(dir, "dmy.csv",
	                      "start,end,emp,q1,q2,q3\n"
	                      "09/10/2024 10:00,09/10/2024 10:05,E1,4,3,2\n"
	                      "14/10/2024 10:00,14/10/2024 10:05,E3,4,3,2\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int, import_survey(path, cb, NULL, &sum, &rep), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_kept, 2));
	cr_assert(eq(i64, submitted("E1"), when("2024-10-09T10:05:00Z")));
	cr_assert(eq(i64, submitted("E3"), when("2024-10-14T10:05:00Z")));
	cr_assert(eq(int, rep.date_order, TIMEFMT_ORDER_DMY));
	cr_assert(rep.date_order_inferred);
	import_summary_clear(&sum);
	survey_report_clear(&rep);
	free(path);
	free(cb);
}

Test(survey_import, refuses_a_file_whose_dates_are_all_ambiguous_naming_a_row_and_the_flag)
{
	struct import_summary sum;
	char before[2 * SHA256_LEN + 1], after[2 * SHA256_LEN + 1];

	import_roster(DATA "roster.csv");
	tu_db_digest(db, before);
	cr_assert(eq(
	    int, import_survey(DATA "ms_forms.csv", DATA "codebook_ms_forms.csv", NULL, &sum, NULL),
	    ERR_INVALID));
	cr_assert(strstr(err_msg(), "ms_forms.csv:2:") != NULL, "%s", err_msg());
	cr_assert(strstr(err_msg(), "--date-order dmy") != NULL, "%s", err_msg());
	tu_db_digest(db, after);
	cr_assert(eq(str, before, after), "the database changed");
	import_summary_clear(&sum);
}

Test(survey_import, refuses_a_file_with_day_first_and_month_first_dates)
{
	struct import_summary sum;
	char *cb = dated_codebook();
	char *path = tu_write(dir, "mixed.csv",
	                      "start,end,emp,q1,q2,q3\n"
	                      "14/10/2024 10:00,14/10/2024 10:05,E1,4,3,2\n"
	                      "10/15/2024 10:00,10/15/2024 10:05,E3,4,3,2\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int, import_survey(path, cb, NULL, &sum, NULL), ERR_INVALID));
	cr_assert(strstr(err_msg(), "mixed.csv:3:") != NULL, "%s", err_msg());
	cr_assert(strstr(err_msg(), "line 2 is day-first") != NULL, "%s", err_msg());
	cr_assert(eq(i64, tu_db_int(db, "SELECT COUNT(*) FROM survey_responses"), 0));
	import_summary_clear(&sum);
	/* With the order given, the rows in the other order are named. */
	struct run o = {.date_order = TIMEFMT_ORDER_DMY};
	cr_assert(eq(int, import_survey(path, cb, &o, &sum, NULL), ERR_INVALID));
	assert_error(&sum, "mixed.csv:3:", "10/15/2024 10:05");
	import_summary_clear(&sum);
	free(path);
	free(cb);
}

/* A Danish tenant's Microsoft Forms writes 09-03-2026 7:30:28. */
Test(survey_import, imports_day_first_dashed_dates_with_the_timing_checks_on)
{
	struct import_summary sum;
	char *cb = dated_codebook();
	char *path = tu_write(dir, "da.csv",
	                      "start,end,emp,q1,q2,q3\n"
	                      "09-03-2026 7:26:14,09-03-2026 7:30:28,E1,4,3,2\n"
	                      "09-03-2026 8:00:00,09-03-2026 8:00:03,E3,4,3,2\n");
	struct run o = {.date_order = TIMEFMT_ORDER_DMY};

	import_roster(DATA "roster.csv");
	cr_assert(eq(int, import_survey(path, cb, NULL, &sum, NULL), ERR_INVALID));
	cr_assert(strstr(err_msg(), "--date-order") != NULL, "%s", err_msg());
	import_summary_clear(&sum);
	cr_assert(eq(int, import_survey(path, cb, &o, &sum, NULL), 0), "%s", err_msg());
	cr_assert(eq(i64, submitted("E1"), when("2026-03-09T07:30:28Z")));
	/* 3 seconds for 3 answers: too fast. */
	cr_assert(eq(i64, careless_is("E3", "too_fast"), 1));
	cr_assert(eq(i64, careless_is("E1", "too_fast"), 0));
	import_summary_clear(&sum);
	free(path);
	free(cb);
}

Test(survey_import, reads_dotted_dates_and_excel_serial_dates)
{
	struct import_summary sum;
	char *cb = dated_codebook();
	char *path = tu_write(dir, "de.csv",
	                      "start,end,emp,q1,q2,q3\n"
	                      "09.03.2026 07:26,09.03.2026 07:30,E1,4,3,2\n"
	                      "46090.3125,46090.5,E3,4,3,2\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int, import_survey(path, cb, NULL, &sum, NULL), 0), "%s", err_msg());
	cr_assert(eq(i64, submitted("E1"), when("2026-03-09T07:30:00Z")));
	cr_assert(eq(i64, submitted("E3"), when("2026-03-09T12:00:00Z")));
	import_summary_clear(&sum);
	free(path);
	free(cb);
}

/* --- "don't know" ------------------------------------------------------------ */

Test(survey_import, counts_dont_know_answers_as_missing_not_as_errors)
{
	struct import_summary sum;
	char *cb = tu_write(dir, "dkcb.csv",
	                    "column,construct,min,max,reverse,missing\nemp,id,,,,\n"
	                    "q1,a,1,5,no,-1;-2\nq2,a,1,5,no,\nq3,a,1,5,no,\nq4,a,1,5,no,\n");
	char *lab = tu_write(dir, "lab.csv", "label,value\nKan ikke svare,\n");
	struct run o = {.labels = lab};

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_text("dk.csv",
	                         "emp,q1,q2,q3,q4\n"
	                         "E1,-1,Ved ikke,Enig,Helt enig\n"
	                         "E3,5 - Strongly agree,Unfamiliar (N/A),Kan ikke svare,4\n"
	                         "E4,-2,Weet niet,Vet ej,N/A\n",
	                         cb, &o, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, sum.rows_kept, 2));
	cr_assert(eq(i64, note(&sum, "no item answered"), 1));
	cr_assert(eq(i64, note(&sum, "\"don't know\" answers, counted as missing"), 8));
	cr_assert(eq(i64,
	             tu_db_int(db, "SELECT COUNT(*) FROM survey_answers a JOIN people p USING(pid)"
	                           " WHERE p.employee_id = 'E1'"),
	             2));
	cr_assert(epsilon_eq(dbl, answer("E3", "q1"), 5, 1e-9));
	/* E1: 2 of 4 answered is below two thirds: no score. */
	cr_assert(epsilon_eq(dbl, score("E1", "a"), -99, 1e-9));
	import_summary_clear(&sum);
	/* -1 without the codebook's missing list is off the scale. */
	cr_assert(eq(int, import_text("dk2.csv", "emp,q1,q2,q3,q4\nE1,1,-1,3,4\n", cb, &o, &sum),
	             ERR_INVALID));
	assert_error(&sum, "dk2.csv:2:3:", "off the item's scale");
	import_summary_clear(&sum);
	free(lab);
	free(cb);
}

Test(survey_import, never_flags_straight_lining_on_yes_no_items)
{
	struct import_summary sum;
	char *cb = tu_write(dir, "yn.csv",
	                    "column,construct,min,max,reverse\nemp,id,,,\nq1,a,0,1,no\n"
	                    "q2,a,0,1,no\nq3,a,0,1,no\nq4,a,0,1,no\nq5,a,0,1,no\nq6,a,0,1,no\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_text("yn_answers.csv", "emp,q1,q2,q3,q4,q5,q6\nE1,1,1,1,1,1,1\n", cb,
	                         NULL, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, careless_is("E1", "straight_line"), 0));
	cr_assert(eq(i64, note(&sum, "flagged straight-lining"), 0));
	import_summary_clear(&sum);
	free(cb);
}

Test(survey_import, writes_only_the_codebook_columns_of_a_bad_row_to_the_rejects_file)
{
	struct import_summary sum;
	struct run o = {.skip = true};
	char *cb = small_codebook();
	char *rejects = NULL;
	FILE *f;
	char buf[1024] = {0};

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_text("p.csv",
	                         "emp,Comments,q1,q2,q3,nps\nE1,fine,1,2,3,4\n"
	                         "E2,\"My manager, Jens, is unfair\",9,2,3,4\n",
	                         cb, &o, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, sum.rows_rejected, 1));
	cr_assert(asprintf(&rejects, "%s/p.csv.rejects.csv", dir) > 0);
	f = fopen(rejects, "r");
	cr_assert(f != NULL);
	cr_assert(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	cr_assert(strstr(buf, "line,error,emp,q1,q2,q3,nps\n") != NULL, "%s", buf);
	cr_assert(strstr(buf, "E2,9,2,3,4") != NULL, "%s", buf);
	cr_assert(strstr(buf, "Jens") == NULL, "free text copied: %s", buf);
	cr_assert(strstr(buf, "Comments") == NULL, "%s", buf);
	import_summary_clear(&sum);
	free(rejects);
	free(cb);
}

/* --- layouts ----------------------------------------------------------------- */

Test(survey_import, detects_the_older_surveymonkey_respondentid_header)
{
	struct import_summary sum;
	struct survey_report rep = {0};
	char *cb = small_codebook();
	char *path = tu_write(dir, "sm.csv",
	                      "RespondentID,emp,q1,q2,q3,nps\n"
	                      ",,Response,Response,Response,Response\n"
	                      "1001,E1,4,4,2,8\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int, import_survey(path, cb, NULL, &sum, &rep), 0), "%s", err_msg());
	cr_assert(eq(int, rep.vendor, SURVEY_SURVEYMONKEY));
	cr_assert(eq(sz, rep.header_rows, 2));
	cr_assert(eq(i64, sum.rows_kept, 1));
	import_summary_clear(&sum);
	survey_report_clear(&rep);
	free(path);
	free(cb);
}

Test(survey_import, detects_the_qualtrics_legacy_layouts)
{
	struct import_summary sum;
	struct survey_report rep = {0};
	char *cb = tu_write(dir, "qcb.csv",
	                    "column,construct,min,max,reverse\n"
	                    "What is your employee number?,id,,,\nI like my work,a,1,5,no\n"
	                    "Q2,a,1,5,no\n");
	char *v = tu_write(dir, "v.csv",
	                   "V1,V2,V3,V4,V5,V6,V7,V8,V9,V10,EmpID,Q1,Q2\n"
	                   "ResponseID,ResponseSet,Name,ExternalDataReference,EmailAddress,"
	                   "IPAddress,Status,StartDate,EndDate,Finished,"
	                   "What is your employee number?,I like my work,I recommend us\n"
	                   "R_1,Default,,,,,0,2026-03-09 10:00:00,2026-03-09 10:05:00,1,E1,4,5\n");
	char *q = tu_write(dir, "q.csv",
	                   "EmpID,Q1,Q2\nWhat is your employee number?,I like my work,I recommend "
	                   "us\n{'ImportId': 'QID1'},{'ImportId': 'QID2'},{'ImportId': 'QID3'}\n"
	                   "E3,3,2\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int, import_survey(v, cb, NULL, &sum, &rep), 0), "%s", err_msg());
	cr_assert(eq(int, rep.vendor, SURVEY_QUALTRICS));
	cr_assert(eq(sz, rep.header_rows, 2));
	cr_assert(epsilon_eq(dbl, answer("E1", "I like my work"), 4, 1e-9));
	import_summary_clear(&sum);
	survey_report_clear(&rep);
	cr_assert(eq(int, import_survey(q, cb, NULL, &sum, &rep), 0), "%s", err_msg());
	cr_assert(eq(int, rep.vendor, SURVEY_QUALTRICS));
	cr_assert(eq(sz, rep.header_rows, 3));
	cr_assert(epsilon_eq(dbl, answer("E3", "Q2"), 2, 1e-9));
	import_summary_clear(&sum);
	survey_report_clear(&rep);
	free(q);
	free(v);
	free(cb);
}

Test(survey_import, fails_loudly_when_a_header_row_is_read_as_data)
{
	struct import_summary sum;
	struct run o = {.header_rows = 1};
	char *cb = tu_write(dir, "qcb.csv",
	                    "column,construct,min,max,reverse\nEmpID,id,,,\nQ1,a,1,5,no\n"
	                    "Q2,a,1,5,no\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int, import_survey(DATA "qualtrics.csv", cb, &o, &sum, NULL), ERR_INVALID));
	cr_assert(strstr(err_msg(), "qualtrics.csv:2:") != NULL, "%s", err_msg());
	cr_assert(strstr(err_msg(), "reads like a header row") != NULL, "%s", err_msg());
	cr_assert(strstr(err_msg(), "--header-rows") != NULL, "%s", err_msg());
	cr_assert(eq(i64, tu_db_int(db, "SELECT COUNT(*) FROM survey_responses"), 0));
	import_summary_clear(&sum);
	free(cb);
}

Test(survey_import, refuses_an_import_that_scores_nobody)
{
	struct import_summary sum;
	char *cb = small_codebook();

	import_roster(DATA "roster.csv");
	/* One column per answer choice: the codebook's own columns are empty. */
	cr_assert(eq(int,
	             import_text("choices.csv",
	                         "emp,q1,q2,q3,nps,q1 - Agree,q1 - Disagree\n"
	                         "E1,,,,,1,\nE3,,,,,,1\n",
	                         cb, NULL, &sum),
	             ERR_NODATA));
	cr_assert(strstr(err_msg(), "nobody was scored") != NULL, "%s", err_msg());
	cr_assert(eq(i64, tu_db_int(db, "SELECT COUNT(*) FROM imports WHERE kind = 'survey'"), 0));
	import_summary_clear(&sum);
	free(cb);
}

Test(survey_import, matches_codebook_columns_and_labels_as_people_read_them)
{
	struct import_summary sum;
	/* The codebook writes "Årlig løn" precomposed and in capitals; the
	 * export writes "a" + U+030A (combining ring) in lower case. */
	char *cb = tu_write(dir, "ucb.csv",
	                    "column,construct,min,max,reverse\nemp,id,,,\n"
	                    "\xc3\x85RLIG L\xc3\x98N,a,1,5,no\nq2,a,1,5,no\n");

	import_roster(DATA "roster.csv");
	cr_assert(eq(int,
	             import_text("u.csv",
	                         "emp,a\xcc\x8arlig l\xc3\xb8n,q2\n"
	                         "E1,INSTA\xcc\x88MMER HELT,4\n",
	                         cb, NULL, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(epsilon_eq(dbl, answer("E1", "\xc3\x85RLIG L\xc3\x98N"), 5, 1e-9));
	import_summary_clear(&sum);
	free(cb);
}
