/* test_table.c - list output: aligned table, formula-safe CSV, JSON. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/table.h"
#include "core/err.h"

static const struct table_column cols[] = {
    {"employee_id", TABLE_TEXT}, {"name", TABLE_TEXT}, {"score", TABLE_NUMBER}};

static char *render(enum table_format fmt)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	table *t = table_new(cols, 3);
	const char *r1[] = {"E1", "Søren Østergaard", "-5"};
	const char *r2[] = {"E2", "=HYPERLINK(\"x\")", "88.5"};
	const char *r3[] = {"E3", NULL, "7"};
	table_add_row(t, r1);
	table_add_row(t, r2);
	table_add_row(t, r3);
	table_set_notice(t, "suggestions, not decisions");
	cr_assert(eq(int, table_print(t, f, fmt), 0));
	table_destroy(&t);
	fclose(f);
	return out;
}

Test(cli_table, aligns_columns_by_characters_not_bytes)
{
	char *s = render(TABLE_FORMAT_TABLE);
	/* the score column ends at the same character position on every line */
	cr_assert(ne(ptr, strstr(s, "E1           Søren Østergaard     -5\n"), NULL), "%s", s);
	cr_assert(ne(ptr, strstr(s, "E3                                 7\n"), NULL), "%s", s);
	cr_assert(ne(ptr, strstr(s, "suggestions, not decisions"), NULL));
	free(s);
}

Test(cli_table, escapes_control_characters_in_table_cells_and_aligns_what_it_prints)
{
	static const struct table_column c2[] = {{"employee_id", TABLE_TEXT}, {"name", TABLE_TEXT}};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	table *t = table_new(c2, 2);
	const char *r1[] = {"E1", "\x1b]0;owned\x07\rX"};
	const char *r2[] = {"E2", "a\xc2\x9b"
	                          "b\xe2\x80\xae"
	                          "c\xff"};
	const char *r3[] = {"E3", "Søren"};
	table_add_row(t, r1);
	table_add_row(t, r2);
	table_add_row(t, r3);
	cr_assert(eq(int, table_print(t, f, TABLE_FORMAT_TABLE), 0));
	table_destroy(&t);
	fclose(f);
	for (size_t i = 0; i < len; i++) {
		bool raw = (unsigned char)out[i] < 0x20 && out[i] != '\n';
		cr_assert(not(raw), "raw byte %02x: %s", (unsigned char)out[i], out);
	}
	cr_assert(ne(ptr, strstr(out, "E1           \\x1b]0;owned\\x07\\x0dX\n"), NULL), "%s", out);
	cr_assert(ne(ptr, strstr(out, "E2           a\\u{009b}b\\u{202e}c\\xff\n"), NULL), "%s",
	          out);
	cr_assert(ne(ptr, strstr(out, "E3           Søren\n"), NULL), "%s", out);
	free(out);
}

Test(cli_table, escape_keeps_newlines_only_when_asked)
{
	char *a = table_escape("a\nb\x1b", 4, true);
	char *b = table_escape("a\nb", 3, false);
	cr_assert(eq(str, a, "a\nb\\x1b"));
	cr_assert(eq(str, b, "a\\x0ab"));
	free(a);
	free(b);
}

Test(cli_table, neutralises_formulas_in_csv_but_not_numbers)
{
	char *s = render(TABLE_FORMAT_CSV);
	cr_assert(ne(ptr, strstr(s, "employee_id,name,score\n"), NULL), "%s", s);
	cr_assert(ne(ptr, strstr(s, "E1,Søren Østergaard,-5\n"), NULL), "%s", s);
	cr_assert(ne(ptr, strstr(s, "'=HYPERLINK"), NULL), "%s", s);
	cr_assert(eq(ptr, strstr(s, "suggestions"), NULL));
	free(s);
}

Test(cli_table, writes_json_with_numbers_and_nulls)
{
	char *s = render(TABLE_FORMAT_JSON);
	cr_assert(
	    ne(ptr,
	       strstr(s, "{\"employee_id\":\"E1\",\"name\":\"Søren Østergaard\",\"score\":-5}"),
	       NULL),
	    "%s", s);
	cr_assert(ne(ptr, strstr(s, "\"name\":\"=HYPERLINK(\\\"x\\\")\""), NULL), "%s", s);
	cr_assert(ne(ptr, strstr(s, "\"name\":null"), NULL), "%s", s);
	cr_assert(ne(ptr, strstr(s, "\"notice\":\"suggestions, not decisions\""), NULL), "%s", s);
	free(s);
}

Test(cli_table, rejects_an_unknown_format)
{
	enum table_format f;
	cr_assert(eq(int, table_format_parse("xml", &f), -14));
	cr_assert(eq(int, table_format_parse("csv", &f), 0));
	cr_assert(eq(int, f, TABLE_FORMAT_CSV));
}

static char *render_output(const struct table_output *o)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	table *t = table_new(cols, 3);
	const char *r1[] = {"E1", "Søren; Østergaard", "-5"};
	const char *r2[] = {"E2", "Bo, Ek", "88.5"};
	table_add_row(t, r1);
	table_add_row(t, r2);
	cr_assert(eq(int, table_write(t, f, o), 0));
	table_destroy(&t);
	fclose(f);
	return out;
}

Test(cli_table, csv_for_excel_starts_with_a_byte_order_mark)
{
	struct table_output o = {.fmt = TABLE_FORMAT_CSV, .excel = true};
	char *s = render_output(&o);
	cr_assert(eq(int,
	             memcmp(s,
	                    "\xEF\xBB\xBF"
	                    "employee_id,name,score\n",
	                    26),
	             0),
	          "%s", s);
	cr_assert(ne(ptr, strstr(s, "E2,\"Bo, Ek\",88.5\n"), NULL), "%s", s);
	free(s);
}

Test(cli_table, semicolon_delimiter_quotes_fields_holding_a_semicolon)
{
	struct table_output o = {.fmt = TABLE_FORMAT_CSV, .delimiter = ';'};
	char *s = render_output(&o);
	cr_assert(ne(ptr, strstr(s, "employee_id;name;score\n"), NULL), "%s", s);
	cr_assert(ne(ptr, strstr(s, "E1;\"Søren; Østergaard\";-5\n"), NULL), "%s", s);
	cr_assert(ne(ptr, strstr(s, "E2;Bo, Ek;88.5\n"), NULL), "%s", s);
	cr_assert(ne(int, s[0], '\xEF'));
	free(s);
}

Test(cli_table, output_options_are_checked_together)
{
	struct table_output o = {.fmt = TABLE_FORMAT_TABLE};
	cr_assert(eq(int, table_output_option(&o, 'D', "|"), ERR_USAGE));
	cr_assert(eq(int, table_output_option(&o, 'D', ";"), 1));
	cr_assert(eq(int, table_output_check(&o), ERR_USAGE), "--delimiter needs csv");
	cr_assert(eq(int, table_output_option(&o, 'f', "csv"), 1));
	cr_assert(eq(int, table_output_check(&o), 0));
	cr_assert(eq(int, table_output_option(&o, 'f', "xlsx"), 1));
	o.delimiter = 0;
	cr_assert(eq(int, table_output_check(&o), ERR_USAGE), "xlsx needs --out");
	cr_assert(eq(int, table_output_option(&o, 'x', "y"), 0), "not an output option");
}

Test(cli_table, lists_without_xlsx_output_refuse_it)
{
	table *t = table_new(cols, 3);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	cr_assert(eq(int, table_print(t, f, TABLE_FORMAT_XLSX), ERR_USAGE));
	fclose(f);
	cr_assert(eq(sz, len, 0));
	free(out);
	table_destroy(&t);
}
