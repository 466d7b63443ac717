/* Activity from the sources companies have (survey/activity_viva.c,
 * survey/activity_linkedin.c): a Viva Engage activity user detail report
 * matched by e-mail, one week or spread and marked coarse, counted once
 * when imported again; a LinkedIn member archive folder with posts of
 * unknown engagement, reshares, comments and reactions, and no text kept.
 * Every file is made here. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../support/testutil.h"
#include "core/err.h"
#include "core/store.h"
#include "core/store_activity.h"
#include "core/timefmt.h"
#include "survey/activity.h"
#include "survey/roster.h"

static char *dir, *db;

static const char viva_header[] =
    "Report Refresh Date,User Principal Name,Display Name,User State,State Change Date,"
    "Last Activity Date,Posted Count,Read Count,Liked Count,Assigned Products,Report Period\n";

static void setup(void)
{
	char *path;
	struct import_opts opts = {0};
	struct import_summary sum = {0};
	store *s = NULL;

	dir = tu_tempdir();
	cr_assert(asprintf(&db, "%s/t.db", dir) > 0);
	setenv("AMBASSADOR_NOW", "2026-11-01T12:00:00Z", 1);
	path = tu_write(dir, "roster.csv",
	                "employee_id,email,department,consent\n"
	                "E1,ann.lund@example.com,Dev,yes\n"
	                "E2,Bo.Ek@Example.com,Sales,\n"
	                "E3,cai@example.com,Finance,no\n"
	                "E4,,HR,yes\n");
	cr_assert(eq(int, store_open(&s, db, 0), 0), "%s", err_msg());
	cr_assert(eq(int, roster_import(s, path, &opts, &sum), 0), "%s", err_msg());
	import_summary_clear(&sum);
	store_close(&s);
	free(path);
}

static void teardown(void)
{
	tu_rmrf(dir);
	free(dir);
	free(db);
}

TestSuite(survey_activity_sources, .init = setup, .fini = teardown);

static int64_t note(const struct import_summary *sum, const char *label)
{
	for (size_t i = 0; i < sum->nnotes; i++)
		if (strcmp(sum->notes[i].label, label) == 0)
			return sum->notes[i].count;
	return 0;
}

static int viva(const char *name, const char *rows, bool force, struct import_summary *sum)
{
	char *text = NULL, *path;
	struct import_opts opts = {.force = force};
	store *s = NULL;
	int rc;

	cr_assert(asprintf(&text, "%s%s", viva_header, rows) > 0);
	path = tu_write(dir, name, text);
	memset(sum, 0, sizeof(*sum));
	cr_assert(eq(int, store_open(&s, db, 0), 0), "%s", err_msg());
	rc = activity_import_viva(s, path, &opts, sum);
	store_close(&s);
	free(text);
	free(path);
	return rc;
}

static long long week_of(const char *date)
{
	int64_t t;

	cr_assert(eq(int, timefmt_parse(date, &t), 0));
	return (long long)timefmt_week(t);
}

/* `select` over the weekly cells of employee emp and kind. */
static long long q(const char *select, const char *emp, int kind)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
	         "%s FROM activity_weekly w JOIN people p USING (pid)"
	         " WHERE p.employee_id = '%s' AND w.kind = %d",
	         select, emp, kind);
	return tu_db_int(db, sql);
}

#define SUM_OF(col) "SELECT coalesce(sum(w." col "), 0)"
#define WEEKS       "SELECT count(DISTINCT w.week)"
#define ONLY_WEEK   "SELECT min(w.week)"

Test(survey_activity_sources, a_7_day_viva_report_fills_exactly_one_week)
{
	struct import_summary sum;

	/* Refreshed on Monday 2026-10-26: six of its seven days are in the
	 * week of Monday 2026-10-19, which holds the period's middle day. */
	cr_assert(
	    eq(int,
	       viva("w.csv", "2026-10-26,ann.lund@example.com,Ann,,,,3,40,5,,7\n", false, &sum), 0),
	    "%s", err_msg());
	cr_assert(eq(i64, sum.rows_kept, 1));
	cr_assert(eq(i64, q(WEEKS, "E1", KIND_POST), 1));
	cr_assert(eq(i64, q(ONLY_WEEK, "E1", KIND_POST), week_of("2026-10-22")));
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_POST), 3));
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_REACTION), 5));
	cr_assert(eq(i64, q(WEEKS, "E1", KIND_REACTION), 1));
	/* the report has no engagement: posts are unrated, and not coarse */
	cr_assert(eq(i64, q(SUM_OF("unrated"), "E1", KIND_POST), 3));
	cr_assert(eq(i64, q(SUM_OF("coarse"), "E1", KIND_POST), 0));
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT count(*) FROM platforms WHERE name = 'viva engage'"), 1));
	import_summary_clear(&sum);
}

Test(survey_activity_sources, a_28_day_viva_report_spreads_over_4_weeks_and_is_coarse)
{
	struct import_summary sum;

	cr_assert(eq(int,
	             viva("m.csv", "2026-10-25,ann.lund@example.com,,,,,10,0,5,,28\n", false, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, q(WEEKS, "E1", KIND_POST), 4));
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_POST), 10));
	cr_assert(eq(i64, q(SUM_OF("coarse"), "E1", KIND_POST), 10));
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_REACTION), 5));
	cr_assert(eq(i64, q(SUM_OF("coarse"), "E1", KIND_REACTION), 5));
	/* 10 over 4 weeks: 3, 3, 2, 2, the most recent weeks first */
	cr_assert(eq(i64, q(ONLY_WEEK, "E1", KIND_POST), week_of("2026-10-01")));
	cr_assert(eq(i64,
	             tu_db_int(db, "SELECT events FROM activity_weekly WHERE kind = 1 ORDER BY "
	                           "week DESC LIMIT 1"),
	             3));
	cr_assert(eq(i64,
	             tu_db_int(db, "SELECT events FROM activity_weekly WHERE kind = 1 ORDER BY "
	                           "week LIMIT 1"),
	             2));
	import_summary_clear(&sum);
}

Test(survey_activity_sources, the_same_viva_report_twice_counts_once)
{
	struct import_summary sum;
	const char *rows = "2026-10-25,ann.lund@example.com,,,,,2,0,1,,7\n"
	                   "2026-10-25,bo.ek@example.com,,,,,1,0,0,,7\n";

	cr_assert(eq(int, viva("a.csv", rows, false, &sum), 0), "%s", err_msg());
	import_summary_clear(&sum);
	/* the same file: the ledger sees it */
	cr_assert(eq(int, viva("a.csv", rows, false, &sum), 0), "%s", err_msg());
	cr_assert(sum.duplicate);
	import_summary_clear(&sum);
	/* forced, and saved again in another row order: the week keys see it */
	cr_assert(eq(int,
	             viva("b.csv",
	                  "2026-10-25,bo.ek@example.com,,,,,1,0,0,,7\n"
	                  "2026-10-25,ann.lund@example.com,,,,,2,0,1,,7\n",
	                  true, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, note(&sum, "weekly figures already counted"), 3));
	cr_assert(eq(i64, note(&sum, "weekly figures added"), 0));
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_POST), 2));
	cr_assert(eq(i64, q(SUM_OF("events"), "E2", KIND_POST), 1));
	import_summary_clear(&sum);
	/* the next week's report adds to the history */
	cr_assert(eq(int,
	             viva("c.csv", "2026-11-01,ann.lund@example.com,,,,,4,0,0,,7\n", false, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_POST), 6));
	cr_assert(eq(i64, q(WEEKS, "E1", KIND_POST), 2));
	import_summary_clear(&sum);
}

Test(survey_activity_sources, matches_the_upn_ignoring_case_and_skips_unknown_users)
{
	struct import_summary sum;

	cr_assert(eq(int,
	             viva("u.csv",
	                  "2026-10-25,ANN.LUND@EXAMPLE.COM,,,,,1,0,0,,7\n"
	                  "2026-10-25,bo.ek@example.com,,,,,1,0,0,,7\n"
	                  "2026-10-25,someone@partner.example.net,,,,,1,0,0,,7\n"
	                  "2026-10-25,cai@example.com,,,,,1,0,0,,7\n",
	                  false, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, sum.rows_read, 4));
	cr_assert(eq(i64, sum.rows_kept, 2));
	cr_assert(eq(i64, sum.rows_skipped, 2));
	cr_assert(eq(i64, note(&sum, "not on the roster"), 1));
	cr_assert(eq(i64, note(&sum, "opted out"), 1));
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_POST), 1));
	cr_assert(eq(i64, q(SUM_OF("events"), "E2", KIND_POST), 1));
	cr_assert(eq(i64, q(SUM_OF("events"), "E3", KIND_POST), 0));
	import_summary_clear(&sum);
}

Test(survey_activity_sources, refuses_a_report_that_matches_nobody)
{
	struct import_summary sum;

	cr_assert(eq(int,
	             viva("n.csv", "2026-10-25,x@elsewhere.example,,,,,1,0,0,,7\n", false, &sum),
	             ERR_NODATA));
	cr_assert(strstr(err_msg(), "nobody matched") != NULL, "%s", err_msg());
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM activity_weekly"), 0));
	import_summary_clear(&sum);
}

Test(survey_activity_sources, names_file_and_column_when_a_viva_column_is_missing)
{
	char *path = tu_write(dir, "bad.csv",
	                      "Report Refresh Date,User Principal Name,Posted Count,Report Period\n"
	                      "2026-10-25,ann.lund@example.com,1,7\n");
	struct import_opts opts = {0};
	struct import_summary sum = {0};
	store *s = NULL;

	cr_assert(eq(int, store_open(&s, db, 0), 0));
	cr_assert(eq(int, activity_import_viva(s, path, &opts, &sum), ERR_INVALID));
	cr_assert(strstr(err_msg(), "bad.csv:1:1: required column 'Liked Count' is missing") !=
	              NULL,
	          "%s", err_msg());
	store_close(&s);
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT count(*) FROM imports WHERE kind = 'activity'"), 0));
	import_summary_clear(&sum);
	free(path);
}

Test(survey_activity_sources, rejects_a_bad_period_or_count_and_stores_nothing)
{
	struct import_summary sum;

	cr_assert(eq(int,
	             viva("p.csv",
	                  "2026-10-25,ann.lund@example.com,,,,,1,0,0,,7\n"
	                  "2026-10-25,bo.ek@example.com,,,,,1,0,0,,0\n"
	                  "2026-10-25,ann.lund@example.com,,,,,-1,0,0,,7\n",
	                  false, &sum),
	             ERR_INVALID));
	cr_assert(eq(sz, sum.nerrors, 2));
	cr_assert(strstr(sum.errors[0], "p.csv:3:11: Report Period '0'") != NULL, "%s",
	          sum.errors[0]);
	cr_assert(strstr(sum.errors[1], "Posted Count '-1' must not be negative") != NULL, "%s",
	          sum.errors[1]);
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM activity_weekly"), 0));
	import_summary_clear(&sum);
}

/* --- LinkedIn ------------------------------------------------------------ */

static char *archive_dir(const char *shares, const char *comments, const char *reactions)
{
	char *d = NULL, *f;

	cr_assert(asprintf(&d, "%s/archive", dir) > 0);
	mkdir(d, 0700);
	if (shares)
		free(tu_write(d, "Shares.csv", shares));
	if (comments)
		free(tu_write(d, "Comments.csv", comments));
	if (reactions)
		free(tu_write(d, "Reactions.csv", reactions));
	f = tu_write(d, "Profile.csv", "First Name,Last Name\nAnn,Lund\n"); /* never read */
	free(f);
	return d;
}

static int linkedin(const char *path, const char *emp, struct import_summary *sum)
{
	struct import_opts opts = {0};
	store *s = NULL;
	int rc;

	memset(sum, 0, sizeof(*sum));
	cr_assert(eq(int, store_open(&s, db, 0), 0), "%s", err_msg());
	rc = activity_import_linkedin(s, path, emp, &opts, sum);
	store_close(&s);
	return rc;
}

static const char shares[] =
    "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"
    "2026-10-21 08:14:02,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A11,"
    "\"SECRETCOMMENTARY about builds\",https://example.com/blog,,MEMBER_NETWORK\n"
    "2026-10-14 12:40:55,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7,,"
    "https://www.linkedin.com/feed/update/urn:li:activity:99/,,MEMBER_NETWORK\n"
    "2026-10-07 17:02:31,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A3,,"
    ",https://media.example.com/p.jpg,MEMBER_NETWORK\n";
static const char comments[] = "Date,Link,Message\n"
                               "2026-10-22 09:31:10,https://www.linkedin.com/feed/update/"
                               "urn%3Ali%3Aactivity%3A2,\"SECRETMESSAGE, with a comma\"\n";
static const char reactions[] = "Date,Type,Link\n"
                                "2026-10-23 07:55:00,LIKE,https://www.linkedin.com/feed/update/"
                                "urn%3Ali%3Aactivity%3A4\n";

Test(survey_activity_sources, reads_a_linkedin_archive_folder_into_kinds)
{
	char *d = archive_dir(shares, comments, reactions);
	struct import_summary sum;

	cr_assert(eq(int, linkedin(d, "E1", &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_read, 5));
	cr_assert(eq(i64, sum.rows_kept, 5));
	/* the share with no text of its own pointing at a post is a reshare;
	 * the photo without text is an own post */
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_POST), 2));
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_RESHARE), 1));
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_COMMENT), 1));
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_REACTION), 1));
	/* engagement unknown, not zero */
	cr_assert(eq(i64, q(SUM_OF("unrated"), "E1", KIND_POST), 2));
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT count(*) FROM platforms WHERE name = 'linkedin'"), 1));
	import_summary_clear(&sum);
	free(d);
}

Test(survey_activity_sources, keeps_no_text_of_the_archive)
{
	char *d = archive_dir(shares, comments, reactions), *bytes;
	struct import_summary sum;
	size_t n;
	FILE *f;

	cr_assert(eq(int, linkedin(d, "E1", &sum), 0), "%s", err_msg());
	import_summary_clear(&sum);
	f = fopen(db, "rb");
	cr_assert(f != NULL);
	bytes = malloc(64 << 20);
	n = fread(bytes, 1, 64 << 20, f);
	fclose(f);
	cr_assert(n > 0);
	cr_assert(memmem(bytes, n, "SECRETCOMMENTARY", 16) == NULL);
	cr_assert(memmem(bytes, n, "SECRETMESSAGE", 13) == NULL);
	cr_assert(memmem(bytes, n, "urn%3Ali", 8) == NULL);
	free(bytes);
	free(d);
}

Test(survey_activity_sources, counts_a_linkedin_archive_imported_again_once)
{
	char *d = archive_dir(shares, comments, reactions);
	struct import_summary sum;

	cr_assert(eq(int, linkedin(d, "E1", &sum), 0), "%s", err_msg());
	import_summary_clear(&sum);
	cr_assert(eq(int, linkedin(d, "E1", &sum), 0), "%s", err_msg());
	cr_assert(sum.duplicate);
	import_summary_clear(&sum);
	cr_assert(eq(i64, q(SUM_OF("events"), "E1", KIND_POST), 2));
	free(d);
}

Test(survey_activity_sources, refuses_an_employee_not_on_the_roster_or_a_folder_without_files)
{
	char *d = archive_dir(shares, NULL, NULL);
	struct import_summary sum;

	cr_assert(eq(int, linkedin(d, "E99", &sum), ERR_NOT_FOUND));
	cr_assert(strstr(err_msg(), "E99 is not on the roster") != NULL, "%s", err_msg());
	import_summary_clear(&sum);
	cr_assert(eq(int, linkedin(dir, "E1", &sum), ERR_INVALID)); /* no Shares.csv etc. */
	cr_assert(strstr(err_msg(), "not a LinkedIn member archive") != NULL, "%s", err_msg());
	import_summary_clear(&sum);
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM activity_weekly"), 0));
	free(d);
}

Test(survey_activity_sources, names_the_archive_file_and_column_when_one_is_missing)
{
	char *d = archive_dir(shares, "Date,Link\n2026-10-22 09:31:10,x\n", NULL);
	struct import_summary sum;

	cr_assert(eq(int, linkedin(d, "E1", &sum), ERR_INVALID));
	cr_assert(strstr(err_msg(), "archive/Comments.csv:1:1: required column 'Message' is "
	                            "missing") != NULL,
	          "%s", err_msg());
	/* atomic: the good Shares.csv before it is not stored either */
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM activity_weekly"), 0));
	import_summary_clear(&sum);
	free(d);
}

Test(survey_activity_sources, skips_the_archive_of_an_opted_out_employee)
{
	char *d = archive_dir(shares, NULL, NULL);
	struct import_summary sum;

	cr_assert(eq(int, linkedin(d, "E3", &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_skipped, 3));
	cr_assert(eq(i64, note(&sum, "opted out"), 3));
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM activity_weekly"), 0));
	import_summary_clear(&sum);
	free(d);
}
