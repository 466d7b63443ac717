/* Roster import (docs/design.md, Contract 2.1): validation, whole-file rejection with the DB
 * unchanged, re-import, departures, opt-out purging, erasure suppression. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "../support/testutil.h"
#include "core/err.h"
#include "core/store.h"
#include "core/store_activity.h"
#include "core/store_roster.h"
#include "survey/roster.h"

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

TestSuite(survey_roster, .init = setup, .fini = teardown);

static const char good[] = "employee_id,name,email,department,level,consent\n"
                           "E1,Ada Holm,ada@example.com,Development,employee,yes\n"
                           "E2,Bo Lind,bo@example.com,Sales,manager,\n"
                           "E3,Cy Berg,cy@example.com,Finance,intern,no\n";

/* Import `text` as a roster; returns the importer's code. Departures are
 * allowed: the fixtures shrink the roster on purpose. */
static int import_text(const char *name, const char *text, bool skip, struct import_summary *sum)
{
	char *path = tu_write(dir, name, text);
	struct import_opts opts = {.skip_invalid = skip, .allow_departures = true};
	store *s = NULL;
	int rc;

	memset(sum, 0, sizeof(*sum));
	cr_assert(eq(int, store_open(&s, db, 0), 0), "%s", err_msg());
	rc = roster_import(s, path, &opts, sum);
	store_close(&s);
	free(path);
	return rc;
}

static void assert_error_mentions(const struct import_summary *sum, const char *needle)
{
	for (size_t i = 0; i < sum->nerrors; i++)
		if (strstr(sum->errors[i], needle))
			return;
	cr_assert(false, "no error mentions '%s' (first: %s)", needle,
	          sum->nerrors ? sum->errors[0] : "none");
}

Test(survey_roster, imports_people_and_counts_consent)
{
	struct import_summary sum;

	cr_assert(eq(int, import_text("r.csv", good, false, &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, sum.rows_read, 3));
	cr_assert(eq(i64, sum.rows_kept, 3));
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM people"), 3));
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM people WHERE consent = 'no'"), 1));
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM imports WHERE kind = 'roster'"), 1));
	import_summary_clear(&sum);
}

static void assert_rejected_unchanged(const char *bad, const char *needle)
{
	struct import_summary sum;
	char before[65], after[65];

	cr_assert(eq(int, import_text("good.csv", good, false, &sum), 0));
	import_summary_clear(&sum);
	tu_db_digest(db, before);
	cr_assert(eq(int, import_text("bad.csv", bad, false, &sum), ERR_INVALID));
	assert_error_mentions(&sum, needle);
	tu_db_digest(db, after);
	cr_assert(eq(str, before, after), "database changed by a rejected import");
	import_summary_clear(&sum);
}

Test(survey_roster, rejects_a_missing_department_with_its_line_and_leaves_the_db_unchanged)
{
	assert_rejected_unchanged("employee_id,department\nE1,Sales\nE2,\nE3,Finance\n",
	                          "bad.csv:3:2: department is empty");
}

Test(survey_roster, rejects_a_duplicate_employee_id_naming_both_lines)
{
	assert_rejected_unchanged(
	    "employee_id,department\nE1,Sales\nE9,Ops\nE1,Finance\n",
	    "bad.csv:4:1: employee_id 'E1' is listed twice (first on line 2)");
}

Test(survey_roster, rejects_an_over_long_employee_id)
{
	char text[256];

	snprintf(text, sizeof(text), "employee_id,department\n%s,Sales\n",
	         "E12345678901234567890123456789012345678901234567890123456789012345");
	assert_rejected_unchanged(text, "bad.csv:2:1: employee_id is longer than 64 characters");
}

Test(survey_roster, rejects_an_unknown_consent_value)
{
	assert_rejected_unchanged("employee_id,department,consent\nE1,Sales,maybe\n",
	                          "bad.csv:2:3: consent must be yes, no or empty");
}

Test(survey_roster, rejects_control_characters_in_text_fields_with_line_and_column)
{
	/* ESC sets a terminal title, CR overwrites the ID column, BEL rings. */
	assert_rejected_unchanged(
	    "employee_id,name,department\nE1,\x1b]0;owned\x07,Sales\n",
	    "bad.csv:2:2: name has a control character (U+001B) at character 1");
	assert_rejected_unchanged("employee_id,name,department\nE1,\"\rX\",Sales\n",
	                          "bad.csv:2:2: name has a control character (U+000D)");
	assert_rejected_unchanged("employee_id,department,level\nE1,Sa\x07les,x\n",
	                          "bad.csv:2:2: department has a control character (U+0007) at "
	                          "character 3");
	/* C1: U+009B is CSI on terminals that honour 8-bit controls */
	assert_rejected_unchanged("employee_id,department,email\nE1,Sales,a\xc2\x9b@x.dk\n",
	                          "bad.csv:2:3: email has a control character (U+009B)");
	assert_rejected_unchanged("employee_id,department,level\nE1,Sales,\"a\nb\"\n",
	                          "bad.csv:2:3: level has a control character (U+000A)");
}

Test(survey_roster, names_every_bad_line_not_just_the_first)
{
	struct import_summary sum;

	cr_assert(
	    eq(int,
	       import_text("bad.csv", "employee_id,department\n,Sales\nE2,\nE3,Ops\n", false, &sum),
	       ERR_INVALID));
	cr_assert(eq(sz, sum.nerrors, 2));
	cr_assert(strstr(sum.errors[0], ":2:") && strstr(sum.errors[1], ":3:"));
	import_summary_clear(&sum);
}

Test(survey_roster, rejects_a_file_without_the_required_columns)
{
	struct import_summary sum;

	cr_assert(
	    eq(int, import_text("bad.csv", "id,department\nE1,Sales\n", false, &sum), ERR_INVALID));
	cr_assert(strstr(err_msg(), "'employee_id' is missing") != NULL, "%s", err_msg());
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM imports"), 0));
	import_summary_clear(&sum);
}

Test(survey_roster, reports_no_data_for_empty_and_header_only_files)
{
	struct import_summary sum;

	cr_assert(eq(int, import_text("e.csv", "", false, &sum), ERR_NODATA));
	cr_assert(
	    eq(int, import_text("h.csv", "employee_id,department\n", false, &sum), ERR_NODATA));
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM imports"), 0));
}

Test(survey_roster, reimport_updates_people_and_marks_the_departed)
{
	struct import_summary sum;

	cr_assert(eq(int, import_text("r1.csv", good, false, &sum), 0));
	import_summary_clear(&sum);
	cr_assert(
	    eq(int,
	       import_text("r2.csv",
	                   "employee_id,department,level\nE1,Marketing,manager\nE3,Finance,\n",
	                   false, &sum),
	       0),
	    "%s", err_msg());
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM people"), 3));
	cr_assert(eq(i64,
	             tu_db_int(db, "SELECT count(*) FROM people WHERE employee_id = 'E1' AND "
	                           "department = 'Marketing' AND level = 'manager'"),
	             1));
	cr_assert(eq(i64,
	             tu_db_int(db, "SELECT departed_at IS NOT NULL FROM people WHERE "
	                           "employee_id = 'E2'"),
	             1));
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT count(*) FROM people WHERE departed_at IS NULL"), 2));
	import_summary_clear(&sum);

	/* Back on a later roster: no longer departed. */
	cr_assert(eq(int, import_text("r3.csv", good, false, &sum), 0), "%s", err_msg());
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT count(*) FROM people WHERE departed_at IS NULL"), 3));
	import_summary_clear(&sum);
}

/* Five people, then a roster that drops two (40%): refused unless allowed. */
Test(survey_roster, a_roster_that_drops_over_a_fifth_is_refused_without_allow_departures)
{
	static const char five[] = "employee_id,department\nE1,Sales\nE2,Sales\nE3,IT\nE4,IT\n"
	                           "E5,Legal\n";
	static const char three[] = "employee_id,department\nE1,Sales\nE2,Sales\nE3,IT\n";
	struct import_opts opts = {0};
	struct import_summary sum = {0};
	char before[65], after[65], *path;
	store *s = NULL;

	cr_assert(eq(int, import_text("five.csv", five, false, &sum), 0));
	import_summary_clear(&sum);
	tu_db_digest(db, before);
	path = tu_write(dir, "three.csv", three);
	cr_assert(eq(int, store_open(&s, db, 0), 0));
	cr_assert(eq(int, roster_import(s, path, &opts, &sum), ERR_INVALID));
	cr_assert(not(eq(ptr, strstr(err_msg(), "mark 2 of 5 people (40%) as departed"), NULL)),
	          "%s", err_msg());
	cr_assert(not(eq(ptr, strstr(err_msg(), "--allow-departures"), NULL)));
	import_summary_clear(&sum);
	tu_db_digest(db, after);
	cr_assert(eq(str, before, after), "a refused roster changes nothing");
	opts.allow_departures = true;
	cr_assert(eq(int, roster_import(s, path, &opts, &sum), 0), "%s", err_msg());
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT count(*) FROM people WHERE departed_at IS NOT NULL"), 2));
	import_summary_clear(&sum);
	store_close(&s);
	free(path);
}

Test(survey_roster, one_departure_in_five_needs_no_flag)
{
	struct import_opts opts = {0};
	struct import_summary sum = {0};
	char *path = tu_write(dir, "four.csv", "employee_id,department\nE1,A\nE2,A\nE3,B\nE4,B\n");
	store *s = NULL;

	cr_assert(
	    eq(int,
	       import_text("five.csv", "employee_id,department\nE1,A\nE2,A\nE3,B\nE4,B\nE5,C\n",
	                   false, &sum),
	       0));
	import_summary_clear(&sum);
	cr_assert(eq(int, store_open(&s, db, 0), 0));
	cr_assert(eq(int, roster_import(s, path, &opts, &sum), 0), "%s", err_msg());
	import_summary_clear(&sum);
	store_close(&s);
	free(path);
}

Test(survey_roster, departments_are_one_whatever_the_case_and_surrounding_spaces)
{
	struct import_summary sum;

	cr_assert(eq(int,
	             import_text("d.csv",
	                         "employee_id,department\nE1,Sales\nE2,\" sales \"\nE3,SALES\n"
	                         "E4,IT\n",
	                         false, &sum),
	             0),
	          "%s", err_msg());
	import_summary_clear(&sum);
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(DISTINCT department) FROM people"), 2));
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT count(*) FROM people WHERE department = 'Sales'"), 3));
}

Test(survey_roster, force_imports_the_same_content_again)
{
	struct import_opts opts = {.force = true, .allow_departures = true};
	struct import_summary sum = {0};
	char *path = tu_write(dir, "again.csv", good);
	store *s = NULL;

	cr_assert(eq(int, import_text("r1.csv", good, false, &sum), 0));
	import_summary_clear(&sum);
	cr_assert(eq(int, store_open(&s, db, 0), 0));
	cr_assert(eq(int, roster_import(s, path, &opts, &sum), 0), "%s", err_msg());
	cr_assert(not(sum.duplicate));
	cr_assert(sum.committed);
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM imports WHERE kind = 'roster'"), 2));
	import_summary_clear(&sum);
	store_close(&s);
	free(path);
}

Test(survey_roster, reports_the_same_content_again_as_a_duplicate_and_changes_nothing)
{
	struct import_summary sum;
	char before[65], after[65];
	char crlf_bom[512];

	cr_assert(eq(int, import_text("r1.csv", good, false, &sum), 0));
	import_summary_clear(&sum);
	tu_db_digest(db, before);
	/* Same records with a BOM and CRLF line ends: the same content. */
	snprintf(crlf_bom, sizeof(crlf_bom), "\xEF\xBB\xBF%s",
	         "employee_id,name,email,department,level,consent\r\n"
	         "E1,Ada Holm,ada@example.com,Development,employee,yes\r\n"
	         "E2,Bo Lind,bo@example.com,Sales,manager,\r\n"
	         "E3,Cy Berg,cy@example.com,Finance,intern,no\r\n");
	cr_assert(eq(int, import_text("other-name.csv", crlf_bom, false, &sum), 0));
	cr_assert(sum.duplicate);
	tu_db_digest(db, after);
	cr_assert(eq(str, before, after));
	import_summary_clear(&sum);
}

Test(survey_roster, recognises_the_same_bytes_before_reading_a_row)
{
	static const char other[] = "employee_id,name,email,department,level,consent\n"
	                            "E1,Ada Holm,ada@example.com,Development,employee,yes\n";
	struct import_summary sum;

	cr_assert(eq(int, import_text("r1.csv", good, false, &sum), 0));
	cr_assert(not(sum.duplicate));
	cr_assert(eq(
	    i64, tu_db_int(db, "SELECT count(*) FROM imports WHERE bytes_sha256 IS NOT NULL"), 1));
	import_summary_clear(&sum);
	/* The same bytes under another name: known before any row is read. */
	cr_assert(eq(int, import_text("copy.csv", good, false, &sum), 0));
	cr_assert(sum.duplicate && sum.duplicate_bytes);
	cr_assert(eq(i64, sum.duplicate_of, 1));
	cr_assert(eq(i64, sum.rows_read, 0));
	import_summary_clear(&sum);
	/* Another roster, then the first again: a roster replaces the one
	 * before, so the old bytes are a new import, not a duplicate. */
	cr_assert(eq(int, import_text("r2.csv", other, false, &sum), 0));
	cr_assert(not(sum.duplicate));
	import_summary_clear(&sum);
	cr_assert(eq(int, import_text("r1.csv", good, false, &sum), 0));
	cr_assert(not(sum.duplicate));
	cr_assert(sum.committed);
	cr_assert(eq(i64, sum.rows_read, 3));
	import_summary_clear(&sum);
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM imports WHERE kind = 'roster'"), 3));
}

Test(survey_roster, opting_out_removes_stored_answers_and_activity_in_the_same_import)
{
	struct import_summary sum;
	sqlite3 *h;

	cr_assert(eq(int, import_text("r1.csv", good, false, &sum), 0));
	import_summary_clear(&sum);
	cr_assert(sqlite3_open(db, &h) == SQLITE_OK);
	cr_assert(sqlite3_exec(h,
	                       "INSERT INTO survey_answers SELECT pid, 'q1', 4 FROM people WHERE "
	                       "employee_id = 'E1';"
	                       "INSERT INTO activity_weekly(cell, events, reach, reactions, "
	                       "comments, shares, clicks) SELECT (pid" ACTIVITY_SQL_PID_SHIFT
	                       ") | (1400" ACTIVITY_SQL_WEEK_SHIFT
	                       ") | (1" ACTIVITY_SQL_PLATFORM_SHIFT ") | (1" ACTIVITY_SQL_KIND_SHIFT
	                       "), 3, 0, 0, 0, 0, 0 FROM people WHERE "
	                       "employee_id = 'E1';",
	                       NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(h);
	cr_assert(eq(int,
	             import_text("r2.csv",
	                         "employee_id,department,consent\nE1,Development,no\nE2,Sales,\n"
	                         "E3,Finance,no\n",
	                         false, &sum),
	             0));
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM survey_answers"), 0));
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM activity_weekly"), 0));
	import_summary_clear(&sum);
}

Test(survey_roster, skip_invalid_keeps_good_rows_and_writes_rejects_without_marking_departures)
{
	struct import_summary sum;
	char line[512];
	FILE *f;

	cr_assert(eq(int, import_text("r1.csv", good, false, &sum), 0));
	import_summary_clear(&sum);
	cr_assert(eq(
	    int, import_text("r2.csv", "employee_id,department\nE1,Sales\n=cmd(),\n", true, &sum),
	    0));
	cr_assert(eq(i64, sum.rows_kept, 1));
	cr_assert(eq(i64, sum.rows_rejected, 1));
	cr_assert(
	    eq(i64, tu_db_int(db, "SELECT count(*) FROM people WHERE departed_at IS NULL"), 3));
	f = fopen(sum.rejects_path, "r");
	cr_assert(f != NULL);
	cr_assert(fgets(line, sizeof(line), f) != NULL);
	cr_assert(eq(str, line, "line,error,employee_id,department\n"));
	cr_assert(fgets(line, sizeof(line), f) != NULL);
	/* The formula cell is neutralised in the CSV we write. */
	cr_assert(strstr(line, "'=cmd()") != NULL, "%s", line);
	fclose(f);
	import_summary_clear(&sum);
}

/* The schema, as one number computed by SQLite from its rows' text. */
#define SCHEMA_FINGERPRINT                                                                         \
	"SELECT sum(length(sql) * 31 + unicode(substr(sql, 7, 1)) + length(name) * 7)"             \
	" + count(*) * 1000003 FROM sqlite_schema"

Test(survey_roster, stores_sql_metacharacters_verbatim)
{
	struct import_summary sum;
	long long schema, tables;

	/* a plain roster first: the database and its schema exist */
	cr_assert(
	    eq(int, import_text("r0.csv", "employee_id,department\nE0,Sales\n", false, &sum), 0));
	import_summary_clear(&sum);
	schema = tu_db_int(db, SCHEMA_FINGERPRINT);
	tables = tu_db_int(db, "SELECT count(*) FROM sqlite_schema");

	cr_assert(eq(int,
	             import_text("r.csv",
	                         "employee_id,department,name,\"x\"\"); DROP TABLE people;--\"\n"
	                         "E1,\"' OR 1=1\",\"Robert'); DROP TABLE people;--\",zz\n",
	                         false, &sum),
	             0));
	cr_assert(eq(
	    i64, tu_db_int(db, "SELECT count(*) FROM people WHERE department = ''' OR 1=1'"), 1));
	cr_assert(eq(i64,
	             tu_db_int(db, "SELECT count(*) FROM people WHERE name = "
	                           "'Robert''); DROP TABLE people;--'"),
	             1));
	/* and the schema is exactly as before */
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM sqlite_schema"), tables));
	cr_assert(eq(i64, tu_db_int(db, SCHEMA_FINGERPRINT), schema));
	import_summary_clear(&sum);
}

static int import_mapped(const char *name, const char *text, const char *map,
                         struct import_summary *sum)
{
	char *path = tu_write(dir, name, text);
	struct import_opts opts = {.allow_departures = true};
	store *s = NULL;
	int rc;

	memset(sum, 0, sizeof(*sum));
	cr_assert(eq(int, store_open(&s, db, 0), 0), "%s", err_msg());
	rc = roster_import_mapped(s, path, &opts, map, sum);
	store_close(&s);
	free(path);
	return rc;
}

Test(survey_roster, recognises_the_header_names_of_hr_systems)
{
	struct import_summary sum;

	cr_assert(eq(int,
	             import_text("hr.csv",
	                         "Personnel number,Full Name,Work Email,Org Unit,Job Level\n"
	                         "P1,Ada,ada@example.com,Sales,Senior\n",
	                         false, &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64,
	             tu_db_int(db, "SELECT count(*) FROM people WHERE employee_id = 'P1' AND "
	                           "department = 'Sales' AND email = 'ada@example.com' AND "
	                           "level = 'Senior'"),
	             1));
	import_summary_clear(&sum);
	/* Two columns that could both be the department: say which. */
	cr_assert(eq(int,
	             import_text("hr2.csv", "Employee ID,Org Unit,Cost Center name\nP1,Sales,S1\n",
	                         false, &sum),
	             ERR_INVALID));
	cr_assert(strstr(err_msg(), "--map department=") != NULL, "%s", err_msg());
	import_summary_clear(&sum);
}

Test(survey_roster, reads_columns_through_a_map_and_keeps_it_for_the_same_header)
{
	struct import_summary sum;
	const char *header = "Emp,Cost Center name,Division\n";
	char *text = NULL;

	cr_assert(eq(int, import_text("a.csv", "Emp,Division\nP1,X\n", false, &sum), ERR_INVALID));
	cr_assert(strstr(err_msg(), "--map employee_id=") != NULL, "%s", err_msg());
	import_summary_clear(&sum);
	cr_assert(asprintf(&text, "%sP1,Sales,X\nP2,Finance,Y\n", header) > 0);
	cr_assert(eq(int,
	             import_mapped("b.csv", text, "employee_id=Emp\ndepartment=Division\n", &sum),
	             0),
	          "%s", err_msg());
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM people WHERE department = 'Y'"), 1));
	import_summary_clear(&sum);
	free(text);
	/* The next export with the same header needs no map. */
	cr_assert(asprintf(&text, "%sP1,Sales,X\nP2,Finance,Z\n", header) > 0);
	cr_assert(eq(int, import_text("c.csv", text, false, &sum), 0), "%s", err_msg());
	cr_assert(eq(i64, tu_db_int(db, "SELECT count(*) FROM people WHERE department = 'Z'"), 1));
	import_summary_clear(&sum);
	free(text);
	/* A map naming a column the header lacks, or a field that is none. */
	cr_assert(eq(int,
	             import_mapped("d.csv", "Emp,Division\nP1,X\n", "employee_id=Staff\n", &sum),
	             ERR_INVALID));
	cr_assert(strstr(err_msg(), "'Staff' for employee_id") != NULL, "%s", err_msg());
	import_summary_clear(&sum);
	cr_assert(eq(int, import_mapped("e.csv", "Emp,Division\nP1,X\n", "staff=Emp\n", &sum),
	             ERR_USAGE));
	import_summary_clear(&sum);
}
