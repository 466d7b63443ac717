/* Activity import (docs/design.md, Contract 2.3, test plan A14, B1-B4): weekly aggregation,
 * de-duplication across and within files, every rejection with its
 * position, --skip-invalid and its rejects CSV, opted-out and departed
 * people, and memory that does not grow with the file. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <criterion/new/assert.h>
#include <string.h>
#include <sys/resource.h>

#include "../support/testutil.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/store.h"
#include "core/store_activity.h"
#include "core/timefmt.h"
#include "survey/activity.h"
#include "survey/roster.h"

/* De-duplication keys stored: 8 bytes each in the chunk blobs, plus any
 * left as rows of the table from before chunks. */
#define SEEN_KEYS                                                                                  \
	"SELECT (SELECT coalesce(sum(length(keys)), 0) / 8 FROM activity_seen_chunks)"             \
	" + (SELECT count(*) FROM activity_seen)"
static char *dir, *db;

static const char header[] =
    "employee_id,occurred_at,platform,kind,origin,post_id,reach,reactions,comments,shares,"
    "clicks\n";

static void import_roster(const char *name, const char *text)
{
	char *path = tu_write(dir, name, text);
	struct import_opts opts = {.allow_departures = true};
	struct import_summary sum = {0};
	store *s = NULL;

	cr_assert(eq(int, store_open(&s, db, 0), 0), "%s", err_msg());
	cr_assert(eq(int, roster_import(s, path, &opts, &sum), 0), "%s", err_msg());
	import_summary_clear(&sum);
	store_close(&s);
	free(path);
}

/* E1, E2 active; E3 opted out; E4 departed (missing from the 2nd roster). */
static void setup(void)
{
	dir = tu_tempdir();
	cr_assert(asprintf(&db, "%s/t.db", dir) > 0);
	setenv("AMBASSADOR_NOW", "2026-11-01T12:00:00Z", 1);
	import_roster("r1.csv", "employee_id,department,consent\nE1,Dev,yes\nE2,Sales,\n"
	                        "E3,Finance,no\nE4,HR,yes\n");
	import_roster("r2.csv", "employee_id,department,consent\nE1,Dev,yes\nE2,Sales,\n"
	                        "E3,Finance,no\n");
}

static void teardown(void)
{
	tu_rmrf(dir);
	free(dir);
	free(db);
}

TestSuite(survey_activity, .init = setup, .fini = teardown);

static int import_path(const char *path, bool skip, struct import_summary *sum)
{
	struct import_opts opts = {.skip_invalid = skip};
	store *s = NULL;
	int rc;

	memset(sum, 0, sizeof(*sum));
	cr_assert(eq(int, store_open(&s, db, 0), 0), "%s", err_msg());
	rc = activity_import(s, path, &opts, sum);
	store_close(&s);
	return rc;
}

/* Import header + rows written to dir/name. */
static int import_rows(const char *name, const char *rows, bool skip, struct import_summary *sum)
{
	char *text = NULL, *path;
	int rc;

	cr_assert(asprintf(&text, "%s%s", header, rows) > 0);
	path = tu_write(dir, name, text);
	rc = import_path(path, skip, sum);
	free(text);
	free(path);
	return rc;
}

static int64_t note(const struct import_summary *sum, const char *label)
{
	for (size_t i = 0; i < sum->nnotes; i++)
		if (strcmp(sum->notes[i].label, label) == 0)
			return sum->notes[i].count;
	return 0;
}

static long long week_of(const char *date)
{
	int64_t t;

	cr_assert(eq(int, timefmt_parse(date, &t), 0));
	return (long long)timefmt_week(t);
}

/* One column of the activity_weekly row of (employee, week of date,
 * platform, kind, origin); -1 when there is no such row. */
static long long cell(const char *emp, const char *date, const char *platform, int kind, int origin,
                      const char *column)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
	         "SELECT w.%s FROM activity_weekly w JOIN people p USING (pid)"
	         " JOIN platforms f ON f.id = w.platform WHERE p.employee_id = '%s'"
	         " AND w.week = %lld AND f.name = '%s' AND w.kind = %d AND w.origin = %d",
	         column, emp, week_of(date), platform, kind, origin);
	return tu_db_int(db, sql);
}

static const char week_rows[] =
    "E1,2026-10-05T09:00:00Z,LinkedIn,post,,p1,100,10,2,1,5\n"
    "E1,2026-10-06,linkedin,POST,original,p2,50,5,,,\n"
    "E1,2026-10-07T10:00:00+02:00,linkedin,post,suggested,p3,10,1,0,0,0\n"
    "E1,2026-10-11T23:59:59Z,linkedin,post,,p4,1,1,1,1,1\n"
    "E1,2026-10-12,linkedin,comment,,,,,,,\n"
    "E2,2026-10-05,MyForum,reaction,Suggested,,,,,,\n";

Test(survey_activity, aggregates_events_per_week_platform_kind_and_origin)
{
	struct import_summary sum;

	cr_assert(eq(int, import_rows("a.csv", week_rows, false, &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_read, 6));
	cr_assert(eq(i64, sum.rows_kept, 6));
	cr_assert(eq(i64, sum.rows_skipped, 0));
	/* Monday 2026-10-05 .. Sunday 2026-10-11 is one week. */
	cr_assert(eq(i64, week_of("2026-10-11T23:59:59Z"), week_of("2026-10-05")));
	cr_assert(
	    eq(i64, cell("E1", "2026-10-05", "linkedin", KIND_POST, ORIGIN_ORIGINAL, "events"), 3));
	cr_assert(eq(i64, cell("E1", "2026-10-05", "linkedin", KIND_POST, ORIGIN_ORIGINAL, "reach"),
	             151));
	cr_assert(eq(i64,
	             cell("E1", "2026-10-05", "linkedin", KIND_POST, ORIGIN_ORIGINAL, "reactions"),
	             16));
	cr_assert(eq(
	    i64, cell("E1", "2026-10-05", "linkedin", KIND_POST, ORIGIN_ORIGINAL, "comments"), 3));
	cr_assert(
	    eq(i64, cell("E1", "2026-10-05", "linkedin", KIND_POST, ORIGIN_ORIGINAL, "shares"), 2));
	cr_assert(
	    eq(i64, cell("E1", "2026-10-05", "linkedin", KIND_POST, ORIGIN_ORIGINAL, "clicks"), 6));
	cr_assert(eq(
	    i64, cell("E1", "2026-10-05", "linkedin", KIND_POST, ORIGIN_SUGGESTED, "events"), 1));
	cr_assert(eq(
	    i64, cell("E1", "2026-10-05", "linkedin", KIND_POST, ORIGIN_SUGGESTED, "reach"), 10));
	cr_assert(eq(
	    i64, cell("E1", "2026-10-12", "linkedin", KIND_COMMENT, ORIGIN_ORIGINAL, "events"), 1));
	cr_assert(eq(i64,
	             cell("E2", "2026-10-05", "myforum", KIND_REACTION, ORIGIN_SUGGESTED, "events"),
	             1));
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM activity_weekly"), 4));
	cr_assert(eq(i64, tu_db_int(db, SEEN_KEYS), 6));
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM platforms"), 2));
	/* A chunk id's top bits are the week (key >> 51 = chunk >> 8). */
	cr_assert(eq(i64, tu_db_int(db, "SELECT min(chunk >> 8) FROM activity_seen_chunks"),
	             week_of("2026-10-05")));
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM activity_seen"), 0));
	cr_assert(eq(i64, note(&sum, "new platforms"), 2));
	import_summary_clear(&sum);
}

Test(survey_activity, reimporting_the_same_content_is_a_duplicate_and_changes_nothing)
{
	struct import_summary sum;
	char before[65], after[65];
	char *text = NULL, *path;

	cr_assert(eq(int, import_rows("a.csv", week_rows, false, &sum), 0), "%s", err_msg());
	import_summary_clear(&sum);
	tu_db_digest(db, before);
	cr_assert(eq(int, import_rows("a.csv", week_rows, false, &sum), 0), "%s", err_msg());
	cr_assert(sum.duplicate);
	import_summary_clear(&sum);
	/* B2: another name, CRLF line ends and a BOM: still the same records. */
	cr_assert(asprintf(&text, "\xEF\xBB\xBF%s%s", header, week_rows) > 0);
	struct buf crlf = {0};
	for (const char *p = text; *p; p++)
		buf_append(&crlf, *p == '\n' ? "\r\n" : p, *p == '\n' ? 2 : 1);
	path = tu_write(dir, "renamed.csv", crlf.data);
	cr_assert(eq(int, import_path(path, false, &sum), 0), "%s", err_msg());
	cr_assert(sum.duplicate);
	import_summary_clear(&sum);
	tu_db_digest(db, after);
	cr_assert(eq(str, before, after));
	buf_free(&crlf);
	free(text);
	free(path);
}

Test(survey_activity, never_counts_an_overlapping_event_twice)
{
	static const char first[] = "E1,2026-10-05,linkedin,post,,p1,100,,,,\n"
	                            "E1,2026-10-06,linkedin,comment,,,,,,,\n"
	                            "E2,2026-10-07,x,reaction,,,,,,,\n";
	/* A later export: the same three (reordered, one with a changed case
	 * and time written differently) and two new events. */
	static const char second[] = "E2,2026-10-07T00:00:00Z,X,reaction,,,,,,,\n"
	                             "E1,2026-10-05,linkedin,post,,p1,100,,,,\n"
	                             "E1,2026-10-08,linkedin,post,,p2,40,,,,\n"
	                             "E1,2026-10-06T02:00:00+02:00,LinkedIn,comment,,,,,,,\n"
	                             "E2,2026-10-19,x,reaction,,,,,,,\n";
	struct import_summary sum;

	cr_assert(eq(int, import_rows("a.csv", first, false, &sum), 0), "%s", err_msg());
	import_summary_clear(&sum);
	cr_assert(eq(int, import_rows("b.csv", second, false, &sum), 0), "%s", err_msg());
	cr_assert(not(sum.duplicate));
	cr_assert(eq(i64, sum.rows_kept, 2));
	cr_assert(eq(i64, sum.rows_skipped, 3));
	cr_assert(eq(i64, note(&sum, "already counted"), 3));
	import_summary_clear(&sum);
	cr_assert(eq(i64, tu_db_int(db, "SELECT sum(events) FROM activity_weekly"), 5));
	cr_assert(eq(i64, cell("E1", "2026-10-05", "linkedin", KIND_POST, 0, "events"), 2));
	cr_assert(eq(i64, cell("E1", "2026-10-05", "linkedin", KIND_POST, 0, "reach"), 140));
	cr_assert(eq(i64, cell("E1", "2026-10-05", "linkedin", KIND_COMMENT, 0, "events"), 1));
	cr_assert(eq(i64, cell("E2", "2026-10-19", "x", KIND_REACTION, 0, "events"), 1));
}

/* A database from before key chunks holds one row per key in
 * activity_seen: an import still finds those events counted, and moves
 * the rows it touches into chunks. */
Test(survey_activity, reads_and_moves_keys_stored_one_per_row)
{
	static const char first[] = "E1,2026-10-05,linkedin,post,,p1,100,,,,\n"
	                            "E1,2026-10-06,linkedin,comment,,,,,,,\n"
	                            "E2,2026-10-07,x,reaction,,,,,,,\n";
	static const char second[] = "E2,2026-10-07T00:00:00Z,X,reaction,,,,,,,\n"
	                             "E1,2026-10-05,linkedin,post,,p1,100,,,,\n"
	                             "E1,2026-10-19,linkedin,post,,p2,40,,,,\n";
	struct import_summary sum;
	sqlite3 *h;
	sqlite3_stmt *st;
	int moved = 0;

	cr_assert(eq(int, import_rows("a.csv", first, false, &sum), 0), "%s", err_msg());
	import_summary_clear(&sum);
	/* Turn the chunks back into rows, as an older version stored them. */
	cr_assert(eq(int, sqlite3_open(db, &h), SQLITE_OK));
	cr_assert(eq(int,
	             sqlite3_prepare_v2(h, "SELECT keys FROM activity_seen_chunks", -1, &st, NULL),
	             SQLITE_OK));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_blob(st, 0);
		int len = sqlite3_column_bytes(st, 0);
		for (int i = 0; i + 8 <= len; i += 8) {
			uint64_t k = 0;
			char sql[128];
			for (int j = 0; j < 8; j++)
				k = k << 8 | b[i + j];
			snprintf(sql, sizeof(sql), "INSERT INTO activity_seen(key) VALUES (%lld)",
			         (long long)k);
			cr_assert(eq(int, sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK));
			moved++;
		}
	}
	sqlite3_finalize(st);
	cr_assert(eq(int, sqlite3_exec(h, "DELETE FROM activity_seen_chunks", NULL, NULL, NULL),
	             SQLITE_OK));
	sqlite3_close(h);
	cr_assert(eq(int, moved, 3));

	cr_assert(eq(int, import_rows("b.csv", second, false, &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_kept, 1));
	cr_assert(eq(i64, note(&sum, "already counted"), 2));
	import_summary_clear(&sum);
	cr_assert(eq(i64, tu_db_int(db, "SELECT sum(events) FROM activity_weekly"), 4));
	/* The two rows it looked up moved into chunks; the one of a week it
	 * did not touch (E1's comment of 2026-10-06) is still a row. */
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM activity_seen"), 1));
	cr_assert(eq(i64, tu_db_int(db, SEEN_KEYS), 4));
}

Test(survey_activity, skips_repeated_events_by_post_id_and_by_whole_row)
{
	static const char rows[] =
	    /* the same post_id: counted once, with the first line's counts */
	    "E1,2026-10-05,linkedin,post,,p1,100,,,,\n"
	    "E1,2026-10-05T10:00:00Z,linkedin,post,,p1,250,,,,\n"
	    /* the same post_id on another kind or person is another event */
	    "E1,2026-10-05,linkedin,comment,,p1,,,,,\n"
	    "E2,2026-10-05,linkedin,post,,p1,1,,,,\n"
	    /* no post_id: identical rows are one event ... */
	    "E2,2026-10-06T08:00:00Z,x,reaction,,,,,,,\n"
	    "E2,2026-10-06T08:00:00Z,x,reaction,,,,,,,\n"
	    "E2,2026-10-06T10:00:00+02:00,x,reaction,original,,0,,,,\n"
	    /* ... rows that differ in anything are two */
	    "E2,2026-10-06T08:00:01Z,x,reaction,,,,,,,\n"
	    "E2,2026-10-06T08:00:00Z,x,reaction,suggested,,,,,,\n";
	struct import_summary sum;

	cr_assert(eq(int, import_rows("a.csv", rows, false, &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_read, 9));
	cr_assert(eq(i64, sum.rows_kept, 6));
	cr_assert(eq(i64, note(&sum, "already counted"), 3));
	import_summary_clear(&sum);
	cr_assert(eq(i64, cell("E1", "2026-10-05", "linkedin", KIND_POST, 0, "events"), 1));
	cr_assert(eq(i64, cell("E1", "2026-10-05", "linkedin", KIND_POST, 0, "reach"), 100));
	cr_assert(eq(i64, cell("E2", "2026-10-05", "x", KIND_REACTION, 0, "events"), 2));
	cr_assert(eq(i64, cell("E2", "2026-10-05", "x", KIND_REACTION, 1, "events"), 1));
	cr_assert(eq(i64, tu_db_int(db, SEEN_KEYS), 6));
}

static void assert_error_mentions(const struct import_summary *sum, const char *needle)
{
	for (size_t i = 0; i < sum->nerrors; i++)
		if (strstr(sum->errors[i], needle))
			return;
	cr_assert(false, "no error mentions '%s' (first: %s)", needle,
	          sum->nerrors ? sum->errors[0] : "none");
}

/* A good row on line 2 and `bad` on line 3: the file is rejected whole,
 * naming line 3 and the column, and the database is unchanged. */
static void assert_rejected(const char *bad, const char *position, const char *reason)
{
	struct import_summary sum;
	char before[65], after[65], *rows = NULL;

	tu_db_digest(db, before);
	cr_assert(asprintf(&rows, "E1,2026-10-05,linkedin,post,,p1,1,,,,\n%s\n", bad) > 0);
	cr_assert(eq(int, import_rows("bad.csv", rows, false, &sum), ERR_INVALID), "%s", bad);
	cr_assert(eq(i64, sum.rows_rejected, 1), "%s", bad);
	assert_error_mentions(&sum, position);
	assert_error_mentions(&sum, reason);
	cr_assert(strstr(err_msg(), "nothing imported") != NULL, "%s", err_msg());
	import_summary_clear(&sum);
	tu_db_digest(db, after);
	cr_assert(eq(str, before, after), "%s changed the database", bad);
	free(rows);
}

Test(survey_activity, rejects_each_bad_value_with_line_and_column)
{
	assert_rejected("E1,2026-11-03,linkedin,post,,p2,,,,,", "bad.csv:3:2:", "in the future");
	assert_rejected("E1,2026-13-01,linkedin,post,,p2,,,,,",
	                "bad.csv:3:2:", "not an ISO 8601 date");
	assert_rejected("E1,last tuesday,linkedin,post,,p2,,,,,",
	                "bad.csv:3:2:", "not an ISO 8601 date");
	assert_rejected("E1,,linkedin,post,,p2,,,,,", "bad.csv:3:2:", "occurred_at is empty");
	assert_rejected("E1,1999-12-31,linkedin,post,,p2,,,,,",
	                "bad.csv:3:2:", "before 2000-01-03");
	assert_rejected("E1,2026-10-05,linkedin,post,,p2,-1,,,,",
	                "bad.csv:3:7:", "reach '-1' must not be negative");
	assert_rejected("E1,2026-10-05,linkedin,post,,p2,,12.5,,,",
	                "bad.csv:3:8:", "reactions '12.5' is not a whole number");
	assert_rejected("E1,2026-10-05,linkedin,post,,p2,,,1e3,,",
	                "bad.csv:3:9:", "not a whole number");
	assert_rejected("E1,2026-10-05,linkedin,post,,p2,,,,NaN,",
	                "bad.csv:3:10:", "not a whole number");
	assert_rejected("E1,2026-10-05,linkedin,post,,p2,,,,,\" \"",
	                "bad.csv:3:11:", "clicks ' ' is not a whole number");
	assert_rejected("E1,2026-10-05,linkedin,post,,p2,,,,,+4",
	                "bad.csv:3:11:", "not a whole number");
	assert_rejected("E1,2026-10-05,linkedin,post,,p2,99999999999999999999,,,,",
	                "bad.csv:3:7:", "implausibly large");
	assert_rejected("E1,2026-10-05,linkedin,story,,p2,,,,,", "bad.csv:3:4:",
	                "kind must be post, article, video, comment, reshare or reaction");
	assert_rejected("E1,2026-10-05,linkedin,post,paid,p2,,,,,",
	                "bad.csv:3:5:", "origin must be original, suggested or empty");
	assert_rejected("E99,2026-10-05,linkedin,post,,p2,,,,,",
	                "bad.csv:3:1:", "employee_id 'E99' is not on the roster");
	assert_rejected(",2026-10-05,linkedin,post,,p2,,,,,",
	                "bad.csv:3:1:", "employee_id is empty");
	assert_rejected("E1,2026-10-05,,post,,p2,,,,,", "bad.csv:3:3:", "platform is empty");
	assert_rejected("E1,2026-10-05,a-platform-name-far-longer-than-32-chars,post,,p2,,,,,",
	                "bad.csv:3:3:", "longer than 32 characters");
	assert_rejected("E1,2026-10-05,\"link\x01din\",post,,p2,,,,,",
	                "bad.csv:3:3:", "control character");
}

Test(survey_activity, rejects_a_file_without_a_required_column)
{
	static const char *const required[] = {"employee_id", "occurred_at", "platform", "kind"};
	struct import_summary sum;

	for (size_t i = 0; i < 4; i++) {
		struct buf text = {0};
		char want[64];
		const char *cols[] = {"employee_id", "occurred_at", "platform", "kind"};
		const char *vals[] = {"E1", "2026-10-05", "linkedin", "post"};
		for (size_t j = 0; j < 4; j++)
			if (j != i)
				buf_printf(&text, "%s%s", text.len ? "," : "", cols[j]);
		buf_puts(&text, ",extra\n");
		for (size_t j = 0, n = 0; j < 4; j++)
			if (j != i)
				buf_printf(&text, "%s%s", n++ ? "," : "", vals[j]);
		buf_puts(&text, ",x\n");
		char *path = tu_write(dir, "m.csv", text.data);
		cr_assert(eq(int, import_path(path, false, &sum), ERR_INVALID));
		snprintf(want, sizeof(want), "m.csv:1:1: required column '%s' is missing",
		         required[i]);
		cr_assert(strstr(err_msg(), want) != NULL, "%s", err_msg());
		import_summary_clear(&sum);
		buf_free(&text);
		free(path);
	}
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM imports WHERE kind='activity'"), 0));
}

Test(survey_activity, reads_columns_in_any_order_and_case_and_ignores_unknown_ones)
{
	struct import_summary sum;
	char *path = tu_write(dir, "o.csv",
	                      " KIND ,Platform,Notes,Employee_ID,OCCURRED_AT,Reach\n"
	                      "article,intranet,\"=cmd\",E2,2026-10-05,7\n");

	cr_assert(eq(int, import_path(path, false, &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_kept, 1));
	cr_assert(eq(i64, cell("E2", "2026-10-05", "intranet", KIND_ARTICLE, 0, "reach"), 7));
	import_summary_clear(&sum);
	free(path);
}

Test(survey_activity, rejects_an_empty_file_or_one_with_only_a_header)
{
	struct import_summary sum;
	char *path = tu_write(dir, "e.csv", "");

	cr_assert(eq(int, import_path(path, false, &sum), ERR_NODATA));
	free(path);
	import_summary_clear(&sum);
	cr_assert(eq(int, import_rows("h.csv", "", false, &sum), ERR_NODATA));
	import_summary_clear(&sum);
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM imports WHERE kind='activity'"), 0));
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = {0};
	char chunk[4096];
	size_t n;

	cr_assert(f != NULL, "cannot read %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return b.data;
}

Test(survey_activity, skip_invalid_keeps_good_rows_and_writes_bad_ones_with_reasons)
{
	static const char rows[] = "E1,2026-10-05,linkedin,post,,p1,5,,,,\n"
	                           "E1,2026-10-05,linkedin,post,,p2,-3,,,,\n"
	                           "E77,2026-10-05,linkedin,post,,p3,,,,,\n"
	                           "E2,2026-10-06,x,comment,,,,,,,\n"
	                           "E1,2030-01-01,x,comment,,,,,,,\n";
	struct import_summary sum;
	char *rejects;

	cr_assert(eq(int, import_rows("s.csv", rows, true, &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_kept, 2));
	cr_assert(eq(i64, sum.rows_rejected, 3));
	cr_assert(strstr(sum.rejects_path, "s.csv.rejects.csv") != NULL);
	rejects = slurp(sum.rejects_path);
	cr_assert(strstr(rejects, "line,error,employee_id,occurred_at") == rejects, "%s", rejects);
	cr_assert(strstr(rejects, "3,reach '-3' must not be negative,E1,") != NULL, "%s", rejects);
	cr_assert(strstr(rejects, "4,employee_id 'E77' is not on the roster,E77,") != NULL, "%s",
	          rejects);
	cr_assert(strstr(rejects, "6,occurred_at '2030-01-01' is in the future") != NULL, "%s",
	          rejects);
	cr_assert(eq(i64, tu_db_int(db, "SELECT sum(events) FROM activity_weekly"), 2));
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT rows_rejected FROM imports WHERE kind='activity'"), 3));
	import_summary_clear(&sum);
	free(rejects);
}

Test(survey_activity, neutralises_formula_cells_in_the_rejects_csv)
{
	static const char rows[] = "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",2026-10-05,linkedin,"
	                           "post,,p1,,,,,\n"
	                           "E1,2026-10-05,+1,story,,@SUM(A1),,,,,\n"
	                           "E1,2026-10-05,linkedin,post,,-1+1,-5,,,,\n";
	struct import_summary sum;
	char *rejects;

	cr_assert(eq(int, import_rows("f.csv", rows, true, &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_rejected, 3));
	rejects = slurp(sum.rejects_path);
	cr_assert(strstr(rejects, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"") != NULL, "%s",
	          rejects);
	cr_assert(strstr(rejects, ",'+1,story,,'@SUM(A1),") != NULL, "%s", rejects);
	cr_assert(strstr(rejects, ",'-1+1,'-5,") != NULL, "%s", rejects);
	/* No line of the rejects file starts a cell with a bare formula sign. */
	for (const char *p = rejects; (p = strpbrk(p, ",\n")); p++)
		cr_assert(p[1] != '=' && p[1] != '+' && p[1] != '@' && p[1] != '-', "%s", p);
	import_summary_clear(&sum);
	free(rejects);
}

Test(survey_activity, skips_and_counts_opted_out_and_departed_people)
{
	static const char rows[] = "E1,2026-10-05,linkedin,post,,p1,,,,,\n"
	                           "E3,2026-10-05,linkedin,post,,p2,,,,,\n"
	                           "E3,not a date,linkedin,post,,p3,,,,,\n"
	                           "E4,2026-10-05,linkedin,post,,p4,,,,,\n";
	struct import_summary sum;

	cr_assert(eq(int, import_rows("o.csv", rows, false, &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_kept, 1));
	cr_assert(eq(i64, sum.rows_skipped, 3));
	cr_assert(eq(i64, note(&sum, "opted out"), 2));
	cr_assert(eq(i64, note(&sum, "departed"), 1));
	import_summary_clear(&sum);
	cr_assert(
	    eq(i64,
	       tu_db_int(db, "SELECT count(*) FROM activity_weekly w JOIN people p USING (pid)"
	                     " WHERE p.employee_id IN ('E3','E4')"),
	       0));
	cr_assert(eq(i64, tu_db_int(db, SEEN_KEYS), 1));
}

Test(survey_activity, parses_counts_strictly)
{
	int64_t v;

	cr_assert(activity_parse_count("", 0, &v) == NULL && v == 0);
	cr_assert(activity_parse_count("0", 1, &v) == NULL && v == 0);
	cr_assert(activity_parse_count("007", 3, &v) == NULL && v == 7);
	cr_assert(activity_parse_count("1000000000000", 13, &v) == NULL && v == ACTIVITY_COUNT_MAX);
	cr_assert(activity_parse_count("1000000000001", 13, &v) != NULL);
	cr_assert(activity_parse_count("-0", 2, &v) != NULL);
	cr_assert(activity_parse_count("5 ", 2, &v) != NULL);
	cr_assert(activity_parse_count("inf", 3, &v) != NULL);
	cr_assert(activity_parse_count("0x10", 4, &v) != NULL);
	cr_assert(eq(int, activity_kind_parse("Reshare", 7), KIND_RESHARE));
	cr_assert(eq(int, activity_kind_parse("posts", 5), 0));
	cr_assert(eq(str, (char *)activity_kind_name(KIND_VIDEO), "video"));
}

/* --- bounded memory ------------------------------------------------------ */

#define BIG_PEOPLE 2000
/* Under AddressSanitizer the freed-memory quarantine makes RSS meaningless
 * and the import is ~5x slower: 300k rows there, and the bound is only
 * checked in plain builds. */
#if defined(__SANITIZE_ADDRESS__)
#define BIG_ROWS_BUILD 300000
#define RSS_CHECKED    0
#else
#define BIG_ROWS_BUILD 1000000
#define RSS_CHECKED    1
#endif
/* scripts/valgrind.sh sets AMB_VALGRIND: there the import is ~50x slower
 * and RSS is valgrind's, so 200k rows and no bound (memcheck looks for
 * leaks and bad accesses, not the size). */
static bool under_valgrind(void)
{
	const char *v = getenv("AMB_VALGRIND");
	return v && *v == '1';
}
#define BIG_ROWS (under_valgrind() ? 200000 : BIG_ROWS_BUILD)

static char *write_events(const char *name, long first, long n)
{
	char *path = NULL;
	static const char *const plats[] = {"linkedin", "x", "instagram", "intranet"};
	static const char *const kinds[] = {"post", "comment", "reshare", "reaction"};
	FILE *f;
	char ts[32];
	/* 2025-01-06 .. about 90 weeks on, time-ordered. */
	const int64_t start = 1736121600, span = 90LL * 7 * 86400;

	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	cr_assert(f != NULL);
	fputs(header, f);
	for (long i = first; i < first + n; i++) {
		uint64_t r = (uint64_t)i * 0x9E3779B97F4A7C15ULL;
		r ^= r >> 29;
		timefmt_iso(ts, sizeof(ts),
		            start + (first ? 17 : 0) + (int64_t)(span * (i - first) / n));
		if (r % 5)
			fprintf(f, "E%lu,%s,%s,%s,,p%ld,%lu,%lu,,,\n",
			        (unsigned long)(r >> 20) % BIG_PEOPLE, ts, plats[r % 4],
			        kinds[(r >> 8) % 4], i, (unsigned long)(r >> 40) % 5000,
			        (unsigned long)(r >> 50) % 100);
		else
			fprintf(f, "E%lu,%s,%s,reaction,suggested,,,,,,\n",
			        (unsigned long)(r >> 20) % BIG_PEOPLE, ts, plats[r % 4]);
	}
	fclose(f);
	return path;
}

static long maxrss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* 100k events, then 1M more: the peak may grow with caches that are
 * bounded (SQLite's page cache, 32 MiB for imports, the cell table of
 * 16 MiB, the de-duplication key cache of 8 MiB, the batch queue of about
 * 12 MiB, the read-ahead ring of about 4 MiB), never with the file. */
Test(survey_activity, memory_does_not_grow_with_the_file, .timeout = 240)
{
	struct buf roster = {0};
	struct import_summary sum;
	char *small, *big;
	long before, after;

	buf_puts(&roster, "employee_id,department\n");
	for (int i = 0; i < BIG_PEOPLE; i++)
		buf_printf(&roster, "E%d,D%d\n", i, i % 12);
	import_roster("big-roster.csv", roster.data);
	buf_free(&roster);
	small = write_events("small.csv", 0, 100000);
	big = write_events("big.csv", 100000, BIG_ROWS);
	cr_assert(eq(int, import_path(small, false, &sum), 0), "%s", err_msg());
	import_summary_clear(&sum);
	before = maxrss_kib();
	cr_assert(eq(int, import_path(big, false, &sum), 0), "%s", err_msg());
	after = maxrss_kib();
	cr_assert(eq(i64, sum.rows_kept, BIG_ROWS));
	import_summary_clear(&sum);
	cr_log_info("peak RSS after 100k events %ld KiB, after %d more %ld KiB", before, BIG_ROWS,
	            after);
	if (RSS_CHECKED && !under_valgrind())
		cr_assert(lt(i64, after - before, 80 * 1024), "grew %ld KiB", after - before);
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT sum(events) FROM activity_weekly"), 100000 + BIG_ROWS));
	free(small);
	free(big);
}

static void big_roster(void)
{
	struct buf roster = {0};

	buf_puts(&roster, "employee_id,department\n");
	for (int i = 0; i < BIG_PEOPLE; i++)
		buf_printf(&roster, "E%d,D%d\n", i, i % 12);
	import_roster("big-roster.csv", roster.data);
	buf_free(&roster);
}

/* count and a checksum over every stored cell, and the keys */
static void activity_fingerprint(long long out[3])
{
	out[0] = tu_db_int(db, "SELECT count(*) FROM activity_weekly");
	/* By employee id, not pid: the two databases number people apart. */
	out[1] = tu_db_int(db, "SELECT sum((CAST(substr(p.employee_id, 2) AS INTEGER) * 4099 + "
	                       "w.week * 31 + w.platform * 7 + w.kind * 3 + w.origin) * 1009 + "
	                       "w.events * 13 + w.reach * 17 + w.reactions * 19)"
	                       " FROM activity_weekly w JOIN people p USING (pid)");
	out[2] = tu_db_int(db, SEEN_KEYS);
}

/* A file large enough for the reading, writer and read-ahead threads,
 * holding every event twice, stores exactly what the same rows store when
 * imported in parts small enough to run on one thread. */
Test(survey_activity, threaded_import_stores_what_the_single_threaded_one_does, .timeout = 240)
{
	const long n = 120000, part = 30000;
	char *events, *text, *path, *twice = NULL;
	struct import_summary sum;
	long long threaded[3], parts[3];
	const char *rows;
	char *saved = db;

	big_roster();
	events = write_events("events.csv", 0, n);
	text = slurp(events);
	rows = strchr(text, '\n') + 1;
	cr_assert(asprintf(&twice, "%s%s%s", header, rows, rows) > 0);
	path = tu_write(dir, "twice.csv", twice);
	cr_assert(gt(sz, strlen(twice), (size_t)CSV_PREFETCH_FROM));
	cr_assert(eq(int, import_path(path, false, &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_read, 2 * n));
	cr_assert(eq(i64, sum.rows_kept, n));
	cr_assert(eq(i64, note(&sum, "already counted"), n));
	import_summary_clear(&sum);
	activity_fingerprint(threaded);

	/* The same rows in parts below the threshold, into a second database. */
	cr_assert(asprintf(&db, "%s/parts.db", dir) > 0);
	big_roster();
	for (int copy = 0; copy < 2; copy++) {
		const char *p = rows;
		for (long done = 0; done < n; done += part) {
			struct buf b = {0};
			const char *end = p;
			for (long i = 0; i < part && *end; i++)
				end = strchr(end, '\n') + 1;
			buf_puts(&b, header);
			buf_append(&b, p, (size_t)(end - p));
			buf_append(&b, "", 1);
			cr_assert(lt(sz, b.len, (size_t)CSV_PREFETCH_FROM));
			char *pp = tu_write(dir, "part.csv", b.data);
			int rc = import_path(pp, false, &sum);
			/* The second copy's parts are byte-identical to the first's:
			 * refused as duplicate files, which stores nothing either. */
			cr_assert(eq(int, rc, 0), "%s", err_msg());
			import_summary_clear(&sum);
			free(pp);
			buf_free(&b);
			p = end;
		}
	}
	activity_fingerprint(parts);
	free(db);
	db = saved;
	cr_assert(eq(i64, threaded[0], parts[0]));
	cr_assert(eq(i64, threaded[1], parts[1]));
	cr_assert(eq(i64, threaded[2], parts[2]));
	cr_assert(eq(i64, threaded[2], n));
	free(events);
	free(text);
	free(path);
	free(twice);
}

/* Migration 6 keys the weekly cells by one integer: rows written by the
 * version before keep their values and get the key the importer uses. */
Test(survey_activity, migration_keys_existing_weekly_cells_like_the_importer)
{
	char *path = NULL;
	store *s = NULL;
	sqlite3 *h;
	struct activity_cell c = {.pid = 3, .week = 1400, .platform = 5, .kind = 2, .origin = 1};
	char want[64];

	cr_assert(asprintf(&path, "%s/v5.db", dir) > 0);
	cr_assert(eq(int, store_open(&s, path, STORE_NO_MIGRATE), 0), "%s", err_msg());
	cr_assert(eq(int, store_migrate_to(s, 5), 0), "%s", err_msg());
	store_close(&s);
	cr_assert(eq(int, sqlite3_open(path, &h), SQLITE_OK));
	cr_assert(eq(
	    int,
	    sqlite3_exec(h,
	                 "INSERT INTO activity_weekly VALUES (3, 1400, 5, 2, 1, 4, 10, 2, 0, 0, 0);"
	                 "INSERT INTO activity_weekly VALUES (4, 1399, 1, 1, 0, 1, 0, 0, 0, 0, 0);",
	                 NULL, NULL, NULL),
	    SQLITE_OK));
	sqlite3_close(h);
	cr_assert(eq(int, store_open(&s, path, 0), 0), "%s", err_msg());
	store_close(&s);
	snprintf(want, sizeof(want), "%lld", (long long)activity_cell_key(&c));
	cr_assert(eq(i64, tu_db_int(path, "SELECT cell FROM activity_weekly WHERE pid = 3"),
	             (long long)activity_cell_key(&c)),
	          "want %s", want);
	cr_assert(eq(i64, tu_db_int(path, "SELECT events FROM activity_weekly WHERE pid = 3"), 4));
	cr_assert(eq(i64, tu_db_int(path, "SELECT reach FROM activity_weekly WHERE pid = 3"), 10));
	/* key order is (pid, week, ...) order */
	cr_assert(
	    eq(i64, tu_db_int(path, "SELECT pid FROM activity_weekly ORDER BY cell LIMIT 1"), 3));
	free(path);
}
