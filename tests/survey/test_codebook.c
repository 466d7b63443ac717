/* The survey codebook: a good one loads; every kind of mistake is named
 * with file, line and column. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "../support/testutil.h"
#include "core/err.h"
#include "survey/codebook.h"

static char *dir;

static void setup(void)
{
	dir = tu_tempdir();
}

static void teardown(void)
{
	tu_rmrf(dir);
	free(dir);
}

TestSuite(survey_codebook, .init = setup, .fini = teardown);

#define HEAD "column,construct,min,max,reverse\n"

/* Load `text`; on failure check the message holds `needle`. */
static int load(const char *text, const char *needle)
{
	char *path = tu_write(dir, "cb.csv", text);
	struct codebook *cb = NULL;
	int rc = codebook_load(&cb, path, NULL);

	if (needle)
		cr_assert(strstr(err_msg(), needle) != NULL, "'%s' not in '%s'", needle, err_msg());
	codebook_destroy(&cb);
	free(path);
	return rc;
}

Test(survey_codebook, loads_items_constructs_and_the_named_columns)
{
	char *path =
	    tu_write(dir, "cb.csv",
	             HEAD "Employee number,id,,,\nStart,started_at,,,\nEnd,submitted_at,,,\n"
	                  "Q1,attitude,1,5,no\nQ2,attitude,1,5,yes\nQ3,intrinsic,1,5,\n"
	                  "NPS,attitude,0,10,No\n");
	struct codebook *cb = NULL;

	cr_assert(eq(int, codebook_load(&cb, path, NULL), 0), "%s", err_msg());
	cr_assert(eq(str, cb->id.column, "Employee number"));
	cr_assert(eq(str, cb->started_at.column, "Start"));
	cr_assert(eq(str, cb->submitted_at.column, "End"));
	cr_assert(eq(sz, cb->nitems, 4));
	cr_assert(eq(sz, cb->nconstructs, 2));
	cr_assert(eq(str, cb->constructs[0], "attitude"));
	cr_assert(cb->items[1].reverse);
	cr_assert(not(cb->items[2].reverse));
	cr_assert(epsilon_eq(dbl, cb->items[3].max, 10, 1e-12));
	cr_assert(eq(sz, codebook_construct_items(cb, 0), 3));
	cr_assert(eq(i64, cb->items[0].line, 5));
	codebook_destroy(&cb);
	cr_assert(cb == NULL);
	free(path);
}

Test(survey_codebook, reads_a_semicolon_separated_codebook)
{
	cr_assert(eq(int,
	             load("column;construct;min;max;reverse\nid;id;;;\nQ1;attitude;1;5;no\n", NULL),
	             0),
	          "%s", err_msg());
}

Test(survey_codebook, rejects_item_with_min_not_below_max)
{
	cr_assert(eq(int,
	             load(HEAD "id,id,,,\nQ1,a,5,1,no\n", "cb.csv:3:3: min 5 is not below max 1"),
	             ERR_INVALID));
	cr_assert(eq(int, load(HEAD "id,id,,,\nQ1,a,3,3,no\n", "cb.csv:3:3:"), ERR_INVALID));
}

Test(survey_codebook, rejects_a_scale_that_is_not_a_number)
{
	cr_assert(eq(int, load(HEAD "id,id,,,\nQ1,a,one,5,no\n", "cb.csv:3:3: min 'one' is not"),
	             ERR_INVALID));
	cr_assert(
	    eq(int, load(HEAD "id,id,,,\nQ1,a,1,,no\n", "cb.csv:3:4: max '' is not"), ERR_INVALID));
	cr_assert(eq(int, load(HEAD "id,id,,,\nQ1,a,1,nan,no\n", "cb.csv:3:4:"), ERR_INVALID));
	cr_assert(eq(int, load(HEAD "id,id,,,\nQ1,a,1,1e999,no\n", "cb.csv:3:4:"), ERR_INVALID));
}

Test(survey_codebook, rejects_an_unknown_reverse_value)
{
	cr_assert(eq(int,
	             load(HEAD "id,id,,,\nQ1,a,1,5,maybe\n",
	                  "cb.csv:3:5: reverse must be yes or no, not 'maybe'"),
	             ERR_INVALID));
}

Test(survey_codebook, rejects_a_column_named_twice)
{
	cr_assert(eq(int,
	             load(HEAD "id,id,,,\nQ1,a,1,5,no\n q1 ,b,1,5,no\n",
	                  "cb.csv:4:1: column 'q1' is named twice (first on line 3)"),
	             ERR_INVALID));
}

Test(survey_codebook, rejects_a_missing_or_second_id_row)
{
	cr_assert(eq(int, load(HEAD "Q1,a,1,5,no\n", "cb.csv:1:2: no row with construct 'id'"),
	             ERR_INVALID));
	cr_assert(eq(int,
	             load(HEAD "id,id,,,\nemp,id,,,\nQ1,a,1,5,no\n",
	                  "cb.csv:3:2: a second 'id' row (the first is on line 2)"),
	             ERR_INVALID));
}

Test(survey_codebook, rejects_a_missing_header_column_no_items_and_empty_names)
{
	cr_assert(eq(int, load("column,construct,min,max\nid,id,,\n", "needs the column 'reverse'"),
	             ERR_INVALID));
	cr_assert(eq(int, load(HEAD "id,id,,,\n", "names no items"), ERR_INVALID));
	cr_assert(eq(int,
	             load(HEAD "id,id,,,\n,a,1,5,no\n", "cb.csv:3:1: the column name is empty"),
	             ERR_INVALID));
	cr_assert(eq(int, load(HEAD "id,id,,,\nQ1,,1,5,no\n", "cb.csv:3:2:"), ERR_INVALID));
}

Test(survey_codebook, reports_a_malformed_row_with_its_position)
{
	cr_assert(eq(int, load(HEAD "id,id,,,\nQ1,a,1,5\n", "cb.csv:3:"), ERR_INVALID));
}

Test(survey_codebook, reads_the_answers_each_item_counts_as_missing)
{
	char *path = tu_write(dir, "cb.csv",
	                      "column,construct,min,max,reverse,missing\nid,id,,,,\n"
	                      "Q1,attitude,1,5,no,-1;-2;N/A\nQ2,attitude,1,5,no,\n"
	                      "Q3,attitude,1,5,no,\"Ved ikke; Weiß nicht\"\n");
	struct codebook *cb = NULL;

	cr_assert(eq(int, codebook_load(&cb, path, NULL), 0), "%s", err_msg());
	cr_assert(eq(sz, cb->items[0].nmissing, 3));
	cr_assert(codebook_item_is_missing(&cb->items[0], "-1"));
	cr_assert(codebook_item_is_missing(&cb->items[0], " -2 "));
	cr_assert(codebook_item_is_missing(&cb->items[0], "n/a"));
	cr_assert(not(codebook_item_is_missing(&cb->items[0], "1")));
	cr_assert(not(codebook_item_is_missing(&cb->items[0], "-3")));
	cr_assert(eq(sz, cb->items[1].nmissing, 0));
	cr_assert(not(codebook_item_is_missing(&cb->items[1], "-1")));
	cr_assert(codebook_item_is_missing(&cb->items[2], "VED IKKE"));
	cr_assert(codebook_item_is_missing(&cb->items[2], "Weiss nicht"));
	codebook_destroy(&cb);
	free(path);
}
