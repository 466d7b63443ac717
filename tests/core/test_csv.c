/* test_csv.c - the strict streaming CSV reader and the CSV writer
 * (test plan section A: A1-A10, A11's delimiter, A13, A14's writer side).
 *
 * Inputs are built inside the tests; large ones are generated into a mkdtemp
 * directory that each test removes. csv-spectrum is read from the shared
 * conformance folder ($AMB_CONFORMANCE_DIR first). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/err.h"

/* ---- helpers ---- */

static char tmpdir[256];

static void tmp_setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/amb_csv_XXXXXX", base && *base ? base : "/tmp");
	cr_assert(mkdtemp(tmpdir) != NULL, "mkdtemp %s", tmpdir);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tmp_teardown(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(core_csv_files, .init = tmp_setup, .fini = tmp_teardown);

/* Path of `name` inside the test's temporary directory (static storage). */
static const char *tmp_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert(f != NULL, "cannot create %s", path);
	cr_assert(eq(sz, fwrite(data, 1, len, f), len));
	cr_assert(eq(int, fclose(f), 0));
}

/* Read every record of an open reader into "f1|f2\n" lines; *rc gets the
 * final return (0 at the end, or the error). The caller frees. */
static char *dump_reader(csv_reader *r, int *rc, int64_t *records)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	struct csv_row row;
	int n = 0;

	cr_assert(out != NULL);
	while ((*rc = csv_reader_next(r, &row)) == 1) {
		for (size_t i = 0; i < row.count; i++) {
			cr_assert(eq(sz, strlen(row.fields[i]), row.lens[i]));
			fprintf(out, "%s%s", i ? "|" : "", row.fields[i]);
		}
		fputc('\n', out);
		n++;
	}
	fclose(out);
	if (records)
		*records = n;
	return text;
}

static char *dump_mem(const char *data, size_t len, const struct csv_reader_opts *opts, int *rc)
{
	csv_reader *r = NULL;
	char *text;

	cr_assert(eq(int, csv_reader_open_mem(&r, "t.csv", data, len, opts), 0));
	text = dump_reader(r, rc, NULL);
	csv_reader_close(&r);
	cr_assert(r == NULL);
	return text;
}

/* The input reads as exactly `want` ("f1|f2\n" per record). */
static void expect_records(const char *data, size_t len, const char *want)
{
	int rc;
	char *got = dump_mem(data, len, NULL, &rc);

	cr_assert(eq(int, rc, 0), "error: %s", err_msg());
	cr_assert(eq(str, got, (char *)want));
	free(got);
}

/* Reading fails with `code`, and the message holds each of `subs`. */
static void expect_error(const char *data, size_t len, const struct csv_reader_opts *opts, int code,
                         const char *sub1, const char *sub2)
{
	int rc;
	char *got = dump_mem(data, len, opts, &rc);

	cr_assert(eq(int, rc, code), "message: %s", err_msg());
	cr_assert(strstr(err_msg(), sub1) != NULL, "\"%s\" not in \"%s\"", sub1, err_msg());
	if (sub2)
		cr_assert(strstr(err_msg(), sub2) != NULL, "\"%s\" not in \"%s\"", sub2, err_msg());
	free(got);
}

#define S(lit) (lit), sizeof(lit) - 1

static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- A1: csv-spectrum ---- */

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The csv-spectrum folder, or NULL. */
static const char *spectrum_dir(void)
{
	static char dir[1024];
	const char *env = getenv("AMB_CONFORMANCE_DIR");
	char probe[1100];

	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s/csv-spectrum", env);
		snprintf(probe, sizeof(probe), "%s/csvs", dir);
		if (is_dir(probe))
			return dir;
		snprintf(dir, sizeof(dir), "%s", env);
		snprintf(probe, sizeof(probe), "%s/csvs", dir);
		if (is_dir(probe))
			return dir;
	}
	snprintf(dir, sizeof(dir), "%s/../shared/conformance/csv-spectrum", AMB_SOURCE_DIR);
	snprintf(probe, sizeof(probe), "%s/csvs", dir);
	return is_dir(probe) ? dir : NULL;
}

static const char *require_spectrum(void)
{
	const char *dir = spectrum_dir();

	if (!dir && getenv("CI"))
		cr_fail("csv-spectrum not found (set AMB_CONFORMANCE_DIR); required in CI");
	if (!dir)
		cr_skip_test("csv-spectrum not found under %s/../shared/conformance "
		             "(set AMB_CONFORMANCE_DIR); skipped outside CI",
		             AMB_SOURCE_DIR);
	return dir;
}

static bool is_known_bad(const char *dir, const char *name)
{
	char path[1200], line[256];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/known-bad-expectations.txt", dir);
	f = fopen(path, "r");
	if (!f)
		return strcmp(name, "location_coordinates") == 0;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\r\n")] = '\0';
		found = strcmp(line, name) == 0;
	}
	fclose(f);
	return found;
}

/* Read csvs/NAME.csv into the JSON shape csv-spectrum expects. */
static json_t *spectrum_read(const char *csv_path)
{
	struct csv_reader_opts opts = {.ragged = false};
	csv_reader *r = NULL;
	struct csv_row row;
	json_t *arr = json_array();
	char **header = NULL;
	size_t ncols = 0;
	int rc;

	cr_assert(eq(int, csv_reader_open(&r, csv_path, &opts), 0), "%s", err_msg());
	while ((rc = csv_reader_next(r, &row)) == 1) {
		if (row.number == 1) {
			ncols = row.count;
			header = calloc(ncols, sizeof(*header));
			for (size_t i = 0; i < ncols; i++)
				header[i] = strdup(row.fields[i]);
			continue;
		}
		json_t *obj = json_object();
		for (size_t i = 0; i < row.count; i++)
			json_object_set_new(obj, header[i],
			                    json_stringn(row.fields[i], row.lens[i]));
		json_array_append_new(arr, obj);
	}
	cr_assert(eq(int, rc, 0), "%s: %s", csv_path, err_msg());
	for (size_t i = 0; i < ncols; i++)
		free(header[i]);
	free(header);
	csv_reader_close(&r);
	return arr;
}

Test(core_csv_spectrum, valid_cases_match_the_expected_json)
{
	const char *dir = require_spectrum();
	char csvs[1100], path[1400];
	struct dirent *de;
	DIR *d;
	int compared = 0;

	snprintf(csvs, sizeof(csvs), "%s/csvs", dir);
	d = opendir(csvs);
	cr_assert(d != NULL);
	while ((de = readdir(d)) != NULL) {
		char name[256];
		size_t len = strlen(de->d_name);
		json_error_t jerr;

		if (len < 5 || strcmp(de->d_name + len - 4, ".csv") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 4), de->d_name);
		if (is_known_bad(dir, name))
			continue;
		snprintf(path, sizeof(path), "%s/json/%s.json", dir, name);
		json_t *want = json_load_file(path, 0, &jerr);
		cr_assert(want != NULL, "%s: %s", path, jerr.text);
		snprintf(path, sizeof(path), "%s/%s", csvs, de->d_name);
		json_t *got = spectrum_read(path);
		if (!json_equal(want, got)) {
			char *a = json_dumps(want, JSON_SORT_KEYS),
			     *b = json_dumps(got, JSON_SORT_KEYS);
			cr_fail("%s: want %s, got %s", name, a, b);
		}
		json_decref(want);
		json_decref(got);
		compared++;
	}
	closedir(d);
	cr_assert(eq(int, compared, 11));
}

Test(core_csv_spectrum, rejects_location_coordinates_in_strict_mode)
{
	const char *dir = require_spectrum();
	char path[1200];
	csv_reader *r = NULL;
	struct csv_row row;
	int rc;

	snprintf(path, sizeof(path), "%s/csvs/location_coordinates.csv", dir);
	cr_assert(eq(int, csv_reader_open(&r, path, NULL), 0), "%s", err_msg());
	while ((rc = csv_reader_next(r, &row)) == 1)
		;
	cr_assert(eq(int, rc, ERR_INVALID), "%s", err_msg());
	/* The bare quote after 37°36'37.8 on line 2. */
	cr_assert(strstr(err_msg(), "location_coordinates.csv:2:") != NULL, "%s", err_msg());
	cr_assert(strstr(err_msg(), "quote") != NULL, "%s", err_msg());
	csv_reader_close(&r);
}

/* ---- A2: unterminated quotes ---- */

Test(core_csv, rejects_unterminated_quote_at_eof)
{
	csv_reader *r = NULL;
	struct csv_row row;
	const char in[] = "a,b\n1,x\n2,\"abc\ndef\n";

	cr_assert(eq(int, csv_reader_open_mem(&r, "t.csv", S(in), NULL), 0));
	cr_assert(eq(int, csv_reader_next(r, &row), 1));
	cr_assert(eq(int, csv_reader_next(r, &row), 1));
	cr_assert(eq(int, csv_reader_next(r, &row), ERR_INVALID));
	cr_assert(strstr(err_msg(), "t.csv:3:1: unterminated quoted field") != NULL, "%s",
	          err_msg());
	csv_reader_close(&r);
}

static char *unterminated_mid_file(const char *filler, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	fputs("id,name\n1,ok\n2,\"never closed\n", f);
	for (int i = 0; i < 10000; i++)
		fputs(filler, f);
	fclose(f);
	return text;
}

Test(core_csv, rejects_unterminated_quote_mid_file_followed_by_10000_lines)
{
	size_t len;
	char *in = unterminated_mid_file("3,x\n", &len);
	int64_t records;
	int rc;
	csv_reader *r = NULL;
	char *got;

	cr_assert(eq(int, csv_reader_open_mem(&r, "t.csv", in, len, NULL), 0));
	got = dump_reader(r, &rc, &records);
	cr_assert(eq(int, rc, ERR_INVALID), "%s", err_msg());
	cr_assert(eq(i64, records, 2)); /* header and the first row only */
	cr_assert(strstr(err_msg(), "t.csv:3:1: unterminated quoted field") != NULL, "%s",
	          err_msg());
	free(got);
	csv_reader_close(&r);
	free(in);
}

Test(core_csv, unterminated_quote_that_swallows_more_than_the_cap_names_its_line)
{
	size_t len;
	char *in = unterminated_mid_file("3,some longer filler text to pass the cap\n", &len);

	cr_assert(gt(sz, len, (size_t)CSV_DEFAULT_MAX_FIELD));
	expect_error(in, len, NULL, ERR_LIMIT, "t.csv:3:2: field longer than 65536 bytes",
	             "quoted field opened on line 3");
	free(in);
}

/* ---- A3: misplaced quotes ---- */

Test(core_csv, rejects_stray_quote_in_unquoted_field)
{
	expect_error(S("a,b\nx,ab\"c\n"), NULL, ERR_INVALID, "t.csv:2:5: misplaced quote",
	             "unquoted");
}

Test(core_csv, rejects_text_after_closing_quote)
{
	expect_error(S("a,b\nx,\"ab\"c\n"), NULL, ERR_INVALID, "t.csv:2:7: misplaced quote",
	             "closing quote");
}

Test(core_csv, rejects_doubled_closing_quote_that_leaves_the_field_open)
{
	expect_error(S("a,b\nx,\"a\"\"\n"), NULL, ERR_INVALID,
	             "t.csv:2:1: unterminated quoted field", NULL);
}

Test(core_csv, reports_column_of_a_syntax_error_after_a_bom_and_on_later_lines)
{
	expect_error(S("\xEF\xBB\xBFid,name\r\n1,a\"b\r\n"), NULL, ERR_INVALID, "t.csv:2:4:", NULL);
	expect_error(S("id,name\r1,ok\r\r2,x\"\r"), NULL, ERR_INVALID, "t.csv:4:4:", NULL);
}

/* ---- A4: field counts ---- */

Test(core_csv, rejects_short_row_with_line_and_field)
{
	expect_error(S("a,b,c\n1,2,3\n4,5\n"), NULL, ERR_INVALID,
	             "t.csv:3:3: expected 3 fields, found 2", NULL);
}

Test(core_csv, rejects_long_row_with_line_and_field)
{
	expect_error(S("a,b\n1,2,3\n"), NULL, ERR_INVALID, "t.csv:2:3: expected 2 fields, found 3",
	             NULL);
}

Test(core_csv, rejects_trailing_comma_that_adds_an_empty_field)
{
	expect_error(S("a,b,c\n1,2,3,\n"), NULL, ERR_INVALID,
	             "t.csv:2:4: expected 3 fields, found 4", NULL);
}

Test(core_csv, accepts_ragged_rows_when_asked)
{
	struct csv_reader_opts opts = {.ragged = true};
	int rc;
	char *got = dump_mem(S("a,b,c\n1\n1,2,3,4\n"), &opts, &rc);

	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(str, got, "a|b|c\n1\n1|2|3|4\n"));
	free(got);
}

/* ---- A5: headers ---- */

Test(core_csv, keeps_duplicate_header_names_and_finds_the_first)
{
	csv_reader *r = NULL;
	struct csv_row row;

	cr_assert(eq(int, csv_reader_open_mem(&r, "t.csv", S("id,Name,name\n1,a,b\n"), NULL), 0));
	cr_assert(eq(int, csv_reader_next(r, &row), 1));
	cr_assert(eq(sz, row.count, 3));
	cr_assert(eq(int, csv_header_find(&row, "NAME"), 1));
	csv_reader_close(&r);
}

Test(core_csv, finds_reordered_columns_by_trimmed_case_insensitive_name)
{
	csv_reader *r = NULL;
	struct csv_row row;

	cr_assert(
	    eq(int, csv_reader_open_mem(&r, "t.csv", S("\" Email \",ID,\"\tName\"\nx,1,y\n"), NULL),
	       0));
	cr_assert(eq(int, csv_reader_next(r, &row), 1));
	cr_assert(eq(str, (char *)row.fields[0], " Email ")); /* quoted: verbatim */
	cr_assert(eq(int, csv_header_find(&row, "email"), 0));
	cr_assert(eq(int, csv_header_find(&row, "id"), 1));
	cr_assert(eq(int, csv_header_find(&row, " NAME\t"), 2));
	cr_assert(eq(int, csv_header_find(&row, "department"), -1));
	cr_assert(eq(int, csv_header_find(&row, ""), -1));
	csv_reader_close(&r);

	cr_assert(csv_name_equal(S("Employee_ID "), S("\temployee_id")));
	cr_assert(not(csv_name_equal(S("employee_id"), S("employee id"))));
	cr_assert(not(csv_name_equal(S("ab"), S("abc"))));
	cr_assert(csv_name_equal(S("  "), S("")));
	/* Unicode case folding and NFC: "É" is "é", also written as "e" and a
	 * combining acute accent (U+0301). */
	cr_assert(csv_name_equal(S("\xC3\x89"), S("\xC3\xA9")));
	cr_assert(csv_name_equal(S("Caf\xC3\xA9"), S("CAFE\xCC\x81")));
	cr_assert(not(csv_name_equal(S("Caf\xC3\xA9"), S("Cafe"))));
	cr_assert(eq(int,
	             csv_header_find(&(struct csv_row){.count = 1,
	                                               .fields = (const char *const[]){"\xC3\x81r"},
	                                               .lens = (const size_t[]){3}},
	                             "\xC3\xA1R"),
	             0));
}

Test(core_csv, header_only_file_gives_no_data_rows)
{
	csv_reader *r = NULL;
	struct csv_row row;

	cr_assert(eq(int, csv_reader_open_mem(&r, "t.csv", S("a,b\n"), NULL), 0));
	cr_assert(eq(int, csv_reader_next(r, &row), 1));
	cr_assert(eq(i64, row.number, 1));
	cr_assert(eq(int, csv_reader_next(r, &row), 0));
	cr_assert(eq(int, csv_reader_next(r, &row), 0));
	csv_reader_close(&r);
}

Test(core_csv, empty_and_blank_inputs_give_no_records)
{
	expect_records("", 0, "");
	expect_records(NULL, 0, "");
	expect_records(S("\n\r\n\r  \t\n"), "");
}

Test(core_csv, bom_only_file_gives_no_records)
{
	expect_records(S("\xEF\xBB\xBF"), "");
	expect_records(S("\xEF\xBB\xBF\r\n"), "");
}

/* ---- A6: encodings ---- */

Test(core_csv, strips_utf8_bom_so_first_header_matches)
{
	csv_reader *r = NULL;
	struct csv_row row;

	cr_assert(
	    eq(int, csv_reader_open_mem(&r, "t.csv", S("\xEF\xBB\xBFid,name\n1,x\n"), NULL), 0));
	cr_assert(eq(int, csv_reader_next(r, &row), 1));
	cr_assert(eq(str, (char *)row.fields[0], "id"));
	cr_assert(eq(int, csv_header_find(&row, "id"), 0));
	csv_reader_close(&r);
	/* Only at the very start: a BOM elsewhere is data. */
	expect_records(S("a\n\xEF\xBB\xBFx\n"), "a\n\xEF\xBB\xBFx\n");
}

Test(core_csv, rejects_utf16_byte_order_marks)
{
	expect_error(S("\xFF\xFEi\0d\0\n\0"), NULL, ERR_INVALID, "t.csv:1:1:", "UTF-16");
	expect_error(S("\xFE\xFF\0i\0d"), NULL, ERR_INVALID, "t.csv:1:1:", "UTF-16");
}

Test(core_csv, rejects_cp1252_byte_with_offset_and_position)
{
	/* "name\n" is 5 bytes: 0xE5 is at offset 7, line 2 column 3. */
	expect_error(S("name\nBj\xE5rn\n"), NULL, ERR_INVALID, "t.csv:2:3:", "byte offset 7");
}

Test(core_csv, rejects_overlong_encoding)
{
	expect_error(S("a\nx\xC0\xAF\n"), NULL, ERR_INVALID, "t.csv:2:2:", "byte offset 3");
	expect_error(S("a\nx\xE0\x80\xAF\n"), NULL, ERR_INVALID, "t.csv:2:2:", "overlong");
	expect_error(S("a\nx\xF0\x80\x80\xAF\n"), NULL, ERR_INVALID, "byte offset 3", "overlong");
}

Test(core_csv, rejects_utf16_surrogate)
{
	expect_error(S("a\n\xED\xA0\x80\n"), NULL, ERR_INVALID, "t.csv:2:1:", "byte offset 2");
	expect_error(S("a\n\xED\xA0\x80\n"), NULL, ERR_INVALID, "surrogate", NULL);
}

Test(core_csv, rejects_bytes_f5_to_ff_and_code_points_past_10ffff)
{
	expect_error(S("a\nxy\xF5\x80\x80\x80\n"), NULL, ERR_INVALID,
	             "t.csv:2:3:", "byte offset 4");
	expect_error(S("a\n\xFF\n"), NULL, ERR_INVALID, "t.csv:2:1:", "0xFF");
	expect_error(S("a\n\xF4\x90\x80\x80\n"), NULL, ERR_INVALID, "t.csv:2:1:", "U+10FFFF");
}

Test(core_csv, rejects_stray_continuation_byte)
{
	expect_error(S("ab\xBF\n"), NULL, ERR_INVALID, "t.csv:1:3:", "continuation");
}

Test(core_csv, rejects_sequence_cut_off_at_eof)
{
	expect_error(S("a\nx\xE2\x82"), NULL, ERR_INVALID, "t.csv:2:2:", "byte offset 3");
	expect_error(S("a\nx\xE2\x82"), NULL, ERR_INVALID, "end of input", NULL);
	/* Cut off by a line end rather than by EOF. */
	expect_error(S("a\nx\xE2\x82\n"), NULL, ERR_INVALID, "t.csv:2:2:", "truncated");
}

Test(core_csv, accepts_valid_utf8_up_to_four_bytes)
{
	expect_records(S("n\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xEE\x80\x80\n"),
	               "n\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xEE\x80\x80\n");
}

Test(core_csv_files, checks_utf8_sequences_across_chunk_boundaries)
{
	size_t len = 200 * 1024;
	char *in = malloc(len);
	csv_reader *r = NULL;
	int rc;
	int64_t records;
	char *got;

	/* Lines of 100 bytes whose euro signs straddle 64 KiB boundaries. */
	for (size_t i = 0; i < len; i += 100) {
		memset(in + i, 'a', 100);
		memcpy(in + i + 40, "\xE2\x82\xAC", 3);
		in[i + 99] = '\n';
	}
	memcpy(in + 65535, "\xE2\x82\xAC", 3); /* 65535..65537 inside one line */
	write_file(tmp_path("euro.csv"), in, len);
	cr_assert(eq(int, csv_reader_open(&r, tmp_path("euro.csv"), NULL), 0), "%s", err_msg());
	got = dump_reader(r, &rc, &records);
	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(i64, records, (int64_t)(len / 100)));
	cr_assert(eq(u64, csv_reader_bytes_read(r), len));
	cr_assert(eq(u64, csv_reader_size(r), len));
	csv_reader_close(&r);
	free(got);

	/* The same split sequence, broken in the next chunk. */
	in[65537] = 'z';
	expect_error(in, len, NULL, ERR_INVALID, "byte offset 65535", "t.csv:656:36:");
	free(in);
}

/* ---- A7: line endings ---- */

Test(core_csv, line_endings_lf_crlf_cr_and_mixed_give_the_same_records)
{
	const char *want = "id|name\n1|Ann\n2|Bo\n3|\n";

	expect_records(S("id,name\n1,Ann\n2,Bo\n3,\n"), want);
	expect_records(S("id,name\r\n1,Ann\r\n2,Bo\r\n3,\r\n"), want);
	expect_records(S("id,name\r1,Ann\r2,Bo\r3,\r"), want);
	expect_records(S("id,name\r\n1,Ann\n2,Bo\r3,"), want);
}

Test(core_csv, counts_lines_the_same_for_every_line_ending)
{
	expect_error(S("a,b\n1,2\n\n3\n"), NULL, ERR_INVALID, "t.csv:4:2:", NULL);
	expect_error(S("a,b\r\n1,2\r\n\r\n3\r\n"), NULL, ERR_INVALID, "t.csv:4:2:", NULL);
	expect_error(S("a,b\r1,2\r\r3\r"), NULL, ERR_INVALID, "t.csv:4:2:", NULL);
	expect_error(S("a,b\n\r1,2\r\n3"), NULL, ERR_INVALID, "t.csv:4:2:", NULL);
}

Test(core_csv, keeps_crlf_inside_quoted_field_verbatim)
{
	expect_records(S("a,b\r\n\"line1\r\nline2\",\"x\ny\rz\"\r\n"),
	               "a|b\nline1\r\nline2|x\ny\rz\n");
}

/* ---- A8: NUL bytes ---- */

Test(core_csv, rejects_nul_in_a_field)
{
	expect_error(S("a,b\n1,x\0y\n"), NULL, ERR_INVALID, "t.csv:2:4: NUL byte", "offset 7");
	expect_error(S("a,b\n1,\"x\0y\"\n"), NULL, ERR_INVALID, "t.csv:2:5: NUL byte", NULL);
}

Test(core_csv, rejects_nul_in_the_header)
{
	expect_error(S("id,na\0me\n1,x\n"), NULL, ERR_INVALID, "t.csv:1:6: NUL byte", "offset 5");
}

/* ---- A9: huge inputs ---- */

Test(core_csv, enforces_the_field_cap_exactly)
{
	struct csv_reader_opts opts = {.max_field = 9};
	int rc;
	char *got;

	got = dump_mem(S("a,b\n123456789,\"12\"\"456789\"\n"), &opts, &rc);
	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(str, got, "a|b\n123456789|12\"456789\n"));
	free(got);
	/* Trailing spaces and the closing quote are not counted. */
	got = dump_mem(S("a,b\n123456789   ,\"123456789\"  \n"), &opts, &rc);
	cr_assert(eq(int, rc, 0), "%s", err_msg());
	free(got);
	expect_error(S("a,b\n1234567890,x\n"), &opts, ERR_LIMIT,
	             "t.csv:2:1: field longer than 9 bytes", NULL);
	expect_error(S("a,b\nx,\"1234\"\"567890\""), &opts, ERR_LIMIT,
	             "t.csv:2:2: field longer than 9 bytes", NULL);
}

/* Write `rows` copies of `line`, after `head`, in 1 MiB blocks. */
static void write_repeated(const char *path, const char *head, const char *line, size_t rows)
{
	size_t block = 1 << 20, len = strlen(line), used = 0;
	char *buf = malloc(block);
	FILE *f = fopen(path, "wb");

	cr_assert(f != NULL && buf != NULL);
	fputs(head, f);
	for (size_t i = 0; i < rows; i++) {
		if (used + len > block) {
			cr_assert(eq(sz, fwrite(buf, 1, used, f), used));
			used = 0;
		}
		memcpy(buf + used, line, len);
		used += len;
	}
	cr_assert(eq(sz, fwrite(buf, 1, used, f), used));
	cr_assert(eq(int, fclose(f), 0));
	free(buf);
}

Test(core_csv_files, rejects_10_mib_field_with_nomem_and_bounded_memory)
{
	const char *path = tmp_path("big_field.csv");
	csv_reader *r = NULL;
	struct csv_row row;
	long before, after;
	double t0;
	int rc;

	write_repeated(path, "id,notes\n1,", "xxxxxxxxxxxxxxxx", 10 * 1024 * 1024 / 16);
	before = max_rss_kib();
	t0 = now_s();
	cr_assert(eq(int, csv_reader_open(&r, path, NULL), 0), "%s", err_msg());
	cr_assert(eq(int, csv_reader_next(r, &row), 1));
	rc = csv_reader_next(r, &row);
	cr_assert(eq(int, rc, ERR_LIMIT), "%s", err_msg());
	cr_assert(strstr(err_msg(), "big_field.csv:2:2: field longer than 65536 bytes") != NULL,
	          "%s", err_msg());
	/* Rejected early: within the cap plus two chunks. */
	cr_assert(le(u64, csv_reader_bytes_read(r), (uint64_t)(3 * 64 * 1024)));
	cr_assert(eq(int, csv_reader_next(r, &row), ERR_LIMIT));
	csv_reader_close(&r);
	after = max_rss_kib();
	cr_log_info("10 MiB field: max RSS %ld KiB before, %ld KiB after (+%ld KiB), %.3f s",
	            before, after, after - before, now_s() - t0);
	fprintf(stderr, "csv: 10 MiB field: max RSS %ld KiB before, %ld KiB after (+%ld KiB)\n",
	        before, after, after - before);
	cr_assert(lt(long, after - before, 32L * 1024));
}

Test(core_csv_files, reads_1m_rows_streaming_with_bounded_memory)
{
	const char *path = tmp_path("rows.csv");
	csv_reader *r = NULL;
	struct csv_row row;
	long before, after;
	double t0, secs;
	int64_t n = 0;
	int rc;

	/* 50 MB: more than the RSS bound, so a reader that kept the input
	 * would fail it. */
	write_repeated(path, "employee_id,kind,count,at\n",
	               "E0000123,\"post, shared\",42,2026-01-05T09:30:00+01:00\r\n", 1000000);
	before = max_rss_kib();
	t0 = now_s();
	cr_assert(eq(int, csv_reader_open(&r, path, NULL), 0), "%s", err_msg());
	while ((rc = csv_reader_next(r, &row)) == 1) {
		n++;
		if (row.number > 1 && row.lens[1] != 12)
			cr_fail("row %lld: %s", (long long)row.number, row.fields[1]);
	}
	secs = now_s() - t0;
	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(i64, n, 1000001));
	cr_assert(eq(i64, row.line, 1000001));
	cr_assert(eq(u64, csv_reader_bytes_read(r), csv_reader_size(r)));
	csv_reader_close(&r);
	after = max_rss_kib();
	cr_log_info("1M rows: %.3f s, max RSS %ld KiB before, %ld KiB after (+%ld KiB)", secs,
	            before, after, after - before);
	fprintf(stderr, "csv: 1M rows: %.3f s, max RSS %ld KiB before, %ld KiB after (+%ld KiB)\n",
	        secs, before, after, after - before);
	cr_assert(lt(long, after - before, 32L * 1024));
}

Test(core_csv, rejects_100000_columns)
{
	size_t len = 100000 * 2;
	char *in = malloc(len);

	for (size_t i = 0; i < len; i += 2) {
		in[i] = 'c';
		in[i + 1] = ',';
	}
	in[len - 1] = '\n';
	expect_error(in, len, NULL, ERR_INVALID, "t.csv:1:4097: more than 4096 fields", NULL);
	free(in);
}

/* ---- A10, A13: values ---- */

Test(core_csv, trims_unquoted_spaces_and_keeps_quoted_ones)
{
	expect_records(S("a,b,c,d\n  x  ,\" y \", \t z\t, \" q\" \n"), "a|b|c|d\nx| y |z| q\n");
	expect_records(S("a,b\n x y ,\"\"\n"), "a|b\nx y|\n");
}

Test(core_csv, returns_sql_metacharacters_verbatim)
{
	expect_records(S("id,\"x\"\"); DROP TABLE t;--\"\n1,' OR 1=1\n2,\"x\"\"); DROP TABLE "
	                 "t;--\"\n"),
	               "id|x\"); DROP TABLE t;--\n1|' OR 1=1\n2|x\"); DROP TABLE t;--\n");
}

Test(core_csv, reports_start_lines_across_multiline_quoted_fields_and_blank_lines)
{
	csv_reader *r = NULL;
	struct csv_row row;
	const int64_t want[] = {1, 2, 5, 8, 9};
	const char in[] = "a,b\n1,\"l1\nl2\r\nl3\"\n2,x\n\n\r\n3,y\r\n  \"4\",\"\n\"";

	cr_assert(eq(int, csv_reader_open_mem(&r, "t.csv", S(in), NULL), 0));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert(eq(int, csv_reader_next(r, &row), 1), "%s", err_msg());
		cr_assert(eq(i64, row.line, want[i]), "record %zu", i + 1);
		cr_assert(eq(i64, row.number, (int64_t)i + 1));
	}
	cr_assert(eq(str, (char *)row.fields[1], "\n"));
	cr_assert(eq(int, csv_reader_next(r, &row), 0));
	csv_reader_close(&r);
	expect_error(S("a,b\n1,\"l1\nl2\nl3\"\n2,x\n3\n"), NULL, ERR_INVALID,
	             "t.csv:6:2: expected 2 fields, found 1", NULL);
}

/* ---- digest ---- */

static void digest_of(const char *data, size_t len, uint8_t out[SHA256_LEN])
{
	csv_reader *r = NULL;
	int rc;
	char *got;

	cr_assert(eq(int, csv_reader_open_mem(&r, "t.csv", data, len, NULL), 0));
	got = dump_reader(r, &rc, NULL);
	cr_assert(eq(int, rc, 0), "%s", err_msg());
	csv_reader_digest(r, out);
	csv_reader_close(&r);
	free(got);
}

Test(core_csv, digest_is_the_same_for_lf_crlf_bom_and_quoting)
{
	uint8_t a[SHA256_LEN], b[SHA256_LEN], c[SHA256_LEN], d[SHA256_LEN], e[SHA256_LEN];
	uint8_t f[SHA256_LEN];

	digest_of(S("id,name\n1,Ann\n"), a);
	digest_of(S("id,name\r\n1,Ann\r\n"), b);
	digest_of(S("\xEF\xBB\xBFid,name\n1,Ann"), c);
	digest_of(S("\"id\",name\n\n1,\"Ann\"\n"), d);
	digest_of(S("id,name\n1,Anna\n"), e);
	digest_of(S("id,name,\n1,Ann,\n"), f);
	cr_assert(eq(int, memcmp(a, b, SHA256_LEN), 0));
	cr_assert(eq(int, memcmp(a, c, SHA256_LEN), 0));
	cr_assert(eq(int, memcmp(a, d, SHA256_LEN), 0));
	cr_assert(ne(int, memcmp(a, e, SHA256_LEN), 0));
	cr_assert(ne(int, memcmp(a, f, SHA256_LEN), 0));

	/* The documented normalisation: fields + 0x1F, records + 0x1E. */
	uint8_t want[SHA256_LEN];
	const char norm[] = "id\x1Fname\x1F\x1E"
	                    "1\x1F"
	                    "Ann\x1F\x1E";
	sha256(want, norm, sizeof(norm) - 1);
	cr_assert(eq(int, memcmp(a, want, SHA256_LEN), 0));
}

/* ---- A14 (writer), round trip ---- */

static char *write_to_string(void (*fn)(FILE *, const void *), const void *arg)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	cr_assert(f != NULL);
	fn(f, arg);
	fclose(f);
	return text;
}

static void write_golden_cells(FILE *f, const void *arg)
{
	static const char *const text[] = {
	    "=1+2",     "+1",      "-1+1",  "@SUM(A1)",
	    "\tx",      "\rx",     "plain", "=HYPERLINK(\"http://x\",\"y\")",
	    " padded ", "a,b",     "",      "'quoted'",
	    "x\"y",     "line\r\n"};
	(void)arg;
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		csv_write_field(f, text[i], false);
		fputc(',', f);
	}
	csv_write_field(f, "-5", true);
	fputc(',', f);
	csv_write_field(f, "3.25", true);
	fputc('\n', f);
}

Test(core_csv, writer_neutralises_formulas_golden)
{
	char *got = write_to_string(write_golden_cells, NULL);

	cr_assert(eq(str, got,
	             "'=1+2,'+1,'-1+1,'@SUM(A1),'\tx,\"'\rx\",plain,"
	             "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\" padded \",\"a,b\",,'quoted',"
	             "\"x\"\"y\",\"line\r\n\",-5,3.25\n"));
	free(got);
}

struct rows_arg {
	size_t nrows, ncols;
	const char *const *cells;
};

static void write_rows(FILE *f, const void *arg)
{
	const struct rows_arg *a = arg;

	for (size_t i = 0; i < a->nrows; i++)
		csv_write_row(f, a->ncols, a->cells + i * a->ncols);
}

Test(core_csv, writer_quoting_round_trips_through_the_reader)
{
	static const char *const cells[] = {"id",
	                                    "text",
	                                    "more",
	                                    "1",
	                                    "a,b",
	                                    "say \"hi\"",
	                                    "2",
	                                    " lead",
	                                    "trail ",
	                                    "3",
	                                    "\ttab",
	                                    "x\t",
	                                    "4",
	                                    "multi\r\nline",
	                                    "cr\ronly",
	                                    "5",
	                                    "",
	                                    "\"",
	                                    "6",
	                                    "\xC3\xA9t\xC3\xA9",
	                                    "; DROP",
	                                    "7",
	                                    "'apostrophe",
	                                    "semi;colon"};
	struct rows_arg arg = {8, 3, cells};
	char *text = write_to_string(write_rows, &arg);
	csv_reader *r = NULL;
	struct csv_row row;
	size_t n = 0;

	cr_assert(eq(int, csv_reader_open_mem(&r, "rt.csv", text, strlen(text), NULL), 0));
	while (csv_reader_next(r, &row) == 1) {
		cr_assert(eq(sz, row.count, 3));
		for (size_t i = 0; i < 3; i++) {
			const char *want = cells[n * 3 + i];
			/* Text cells starting with a formula character come back
			 * with the apostrophe the writer added. */
			if (want[0] == '\t') {
				cr_assert(eq(str, (char *)row.fields[i] + 1, (char *)want));
				cr_assert(eq(chr, row.fields[i][0], '\''));
			} else {
				cr_assert(eq(str, (char *)row.fields[i], (char *)want), "%s", text);
			}
		}
		n++;
	}
	cr_assert(eq(int, csv_reader_next(r, &row), 0), "%s", err_msg());
	cr_assert(eq(sz, n, 8));
	csv_reader_close(&r);
	free(text);
}

static void write_single_empty(FILE *f, const void *arg)
{
	static const char *const one[] = {""};
	static const char *const head[] = {"h"};

	(void)arg;
	csv_write_row(f, 1, head);
	csv_write_row(f, 1, one);
}

Test(core_csv, writer_keeps_a_row_of_one_empty_field)
{
	char *text = write_to_string(write_single_empty, NULL);

	cr_assert(eq(str, text, "h\n\"\"\n"));
	expect_records(text, strlen(text), "h\n\n");
	free(text);
}

static void write_bom_cell(FILE *f, const void *arg)
{
	static const char *const row[] = {"\xEF\xBB\xBFid", "x"};

	(void)arg;
	csv_write_row(f, 2, row);
}

/* Found by the fuzz round trip: a first cell starting with U+FEFF was
 * written bare, and read back as a byte-order mark and dropped. */
Test(core_csv, writer_quotes_a_cell_that_starts_like_a_bom)
{
	char *text = write_to_string(write_bom_cell, NULL);

	cr_assert(eq(str, text, "\"\xEF\xBB\xBFid\",x\n"));
	expect_records(text, strlen(text), "\xEF\xBB\xBFid|x\n");
	free(text);
}

/* A random cell of up to 80 bytes from characters that need care. It starts
 * with 'x', which keeps it clear of the writer's formula apostrophe. */
static void random_cell(char *out, uint32_t *seed)
{
	static const char *const parts[] = {"a",  "b",  " ", ",", "\"",      "\r",
	                                    "\n", "\t", "=", ";", "\xC3\xA9"};
	size_t len = 0, k;

	*seed = *seed * 1103515245u + 12345u;
	k = (*seed >> 16) % 40;
	out[len++] = 'x';
	while (k--) {
		*seed = *seed * 1103515245u + 12345u;
		const char *p = parts[(*seed >> 16) % (sizeof(parts) / sizeof(parts[0]))];
		memcpy(out + len, p, strlen(p));
		len += strlen(p);
	}
	out[len] = '\0';
}

Test(core_csv_files, round_trips_random_records_across_many_chunks)
{
	const char *path = tmp_path("random.csv");
	FILE *f = fopen(path, "wb");
	char cells[4][128];
	const char *ptrs[4];
	uint32_t seed = 12345;
	csv_reader *r = NULL;
	struct csv_row row;
	int rows = 6000, n = 0;

	cr_assert(f != NULL);
	for (int i = 0; i < rows; i++) {
		for (int c = 0; c < 4; c++) {
			random_cell(cells[c], &seed);
			ptrs[c] = cells[c];
		}
		csv_write_row(f, 4, ptrs);
	}
	cr_assert(eq(int, fclose(f), 0));

	cr_assert(eq(int, csv_reader_open(&r, path, NULL), 0));
	seed = 12345;
	while (csv_reader_next(r, &row) == 1) {
		cr_assert(eq(sz, row.count, 4));
		for (int c = 0; c < 4; c++) {
			random_cell(cells[c], &seed);
			cr_assert(eq(str, (char *)row.fields[c], cells[c]), "row %d field %d", n,
			          c);
		}
		n++;
	}
	cr_assert(eq(int, csv_reader_next(r, &row), 0), "%s", err_msg());
	cr_assert(eq(int, n, rows));
	cr_assert(gt(u64, csv_reader_bytes_read(r), (uint64_t)(3 * 64 * 1024)));
	csv_reader_close(&r);
}

/* ---- A11: delimiter ---- */

Test(core_csv, reads_semicolon_delimited_file)
{
	struct csv_reader_opts opts = {.delimiter = ';'};
	int rc;
	char *got = dump_mem(S("name;score\nAnn;3,5\n\"B;o\"; 4 \n"), &opts, &rc);

	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(str, got, "name|score\nAnn|3,5\nB;o|4\n"));
	free(got);
	/* The same file read with ',' fails the field-count check. */
	expect_error(S("name;score\nAnn;3,5\n"), NULL, ERR_INVALID,
	             "t.csv:2:2: expected 1 fields, found 2", NULL);
}

Test(core_csv, reads_tab_delimited_file)
{
	struct csv_reader_opts opts = {.delimiter = '\t'};
	int rc;
	char *got = dump_mem(S("a\tb\n x \t\n"), &opts, &rc);

	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(str, got, "a|b\nx|\n"));
	free(got);
}

Test(core_csv, refuses_a_delimiter_it_cannot_honour)
{
	struct csv_reader_opts opts = {.delimiter = '"'};
	csv_reader *r = NULL;

	cr_assert(eq(int, csv_reader_open_mem(&r, "t.csv", S("a"), &opts), ERR_INVALID));
	cr_assert(r == NULL);
}

/* ---- reader plumbing ---- */

Test(core_csv, errors_are_sticky)
{
	csv_reader *r = NULL;
	struct csv_row row;
	char first[512];

	cr_assert(eq(int, csv_reader_open_mem(&r, "t.csv", S("a,b\n1\n2,3\n"), NULL), 0));
	cr_assert(eq(int, csv_reader_next(r, &row), 1));
	cr_assert(eq(int, csv_reader_next(r, &row), ERR_INVALID));
	snprintf(first, sizeof(first), "%s", err_msg());
	err_clear();
	cr_assert(eq(int, csv_reader_next(r, &row), ERR_INVALID));
	cr_assert(eq(str, (char *)err_msg(), first));
	cr_assert(eq(int, csv_reader_next(r, &row), ERR_INVALID));
	csv_reader_close(&r);
	csv_reader_close(&r); /* NULL is fine */
}

Test(core_csv, open_of_a_missing_file_is_an_io_error)
{
	csv_reader *r = (csv_reader *)1;

	cr_assert(eq(int, csv_reader_open(&r, "/nonexistent/dir/x.csv", NULL), ERR_IO));
	cr_assert(r == NULL);
	cr_assert(strstr(err_msg(), "/nonexistent/dir/x.csv") != NULL, "%s", err_msg());
}

Test(core_csv_files, reads_standard_input_for_dash)
{
	const char *path = tmp_path("in.csv");
	csv_reader *r = NULL;
	int rc;
	char *got;

	write_file(path, S("a,b\n1,2\n"));
	cr_assert(freopen(path, "rb", stdin) != NULL);
	cr_assert(eq(int, csv_reader_open(&r, "-", NULL), 0));
	cr_assert(eq(str, (char *)csv_reader_name(r), "<stdin>"));
	got = dump_reader(r, &rc, NULL);
	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(str, got, "a|b\n1|2\n"));
	free(got);
	csv_reader_close(&r);
}

Test(core_csv_files, reports_name_size_and_progress_of_a_file)
{
	const char *path = tmp_path("p.csv");
	csv_reader *r = NULL;
	struct csv_row row;

	write_file(path, S("a,b\n1,2\n3,4\n"));
	cr_assert(eq(int, csv_reader_open(&r, path, NULL), 0));
	cr_assert(eq(str, (char *)csv_reader_name(r), (char *)path));
	cr_assert(eq(u64, csv_reader_size(r), 12));
	cr_assert(eq(u64, csv_reader_bytes_read(r), 0));
	cr_assert(eq(int, csv_reader_next(r, &row), 1));
	cr_assert(eq(u64, csv_reader_bytes_read(r), 4));
	while (csv_reader_next(r, &row) == 1)
		;
	cr_assert(eq(u64, csv_reader_bytes_read(r), 12));
	csv_reader_close(&r);
}

/* ---- reading ahead in a thread ---------------------------------------- */

/* A file of n rows with quoted fields, embedded line breaks and commas;
 * row bad (1-based data row, 0 for none) has one field too many. */
static char *write_mixed(const char *dir, const char *name, int n, int bad)
{
	char *path = NULL;
	FILE *f;

	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	cr_assert(f != NULL);
	fputs("id,text,n\n", f);
	for (int i = 1; i <= n; i++) {
		if (i == bad)
			fprintf(f, "%d,x,%d,extra\n", i, i);
		else if (i % 7 == 0)
			fprintf(f, "%d,\"two\nlines, and \"\"quotes\"\"\",%d\r\n", i, i * 3);
		else
			fprintf(f, "%d,plain text %d,%d\n", i, i % 100, i);
	}
	fclose(f);
	return path;
}

struct read_result {
	int rc;
	long rows;
	char err[512];
	uint8_t digest[SHA256_LEN];
	unsigned long long sum; /* over lines, numbers, lengths and bytes */
};

static void read_all(const char *path, uint64_t prefetch_from, struct read_result *res)
{
	struct csv_reader_opts o = {.prefetch_from = prefetch_from};
	struct csv_row row;
	csv_reader *r;

	memset(res, 0, sizeof(*res));
	cr_assert(eq(int, csv_reader_open(&r, path, &o), 0));
	while ((res->rc = csv_reader_next(r, &row)) == 1) {
		res->rows++;
		res->sum = res->sum * 31 + (unsigned long long)row.line * 7 +
		           (unsigned long long)row.number;
		for (size_t i = 0; i < row.count; i++) {
			cr_assert(eq(sz, strlen(row.fields[i]), row.lens[i]));
			for (size_t j = 0; j < row.lens[i]; j++)
				res->sum = res->sum * 131 + (unsigned char)row.fields[i][j];
		}
	}
	if (res->rc < 0)
		snprintf(res->err, sizeof(res->err), "%s", err_msg());
	/* After the end or an error, the same answer again. */
	cr_assert(eq(int, csv_reader_next(r, &row), res->rc));
	if (res->rc == 0)
		csv_reader_digest(r, res->digest);
	csv_reader_close(&r);
}

Test(csv_prefetch, gives_the_same_rows_digest_and_errors_as_direct_reading, .init = tmp_setup)
{
	struct read_result direct, ahead;
	char *good = write_mixed(tmpdir, "good.csv", 50000, 0);
	char *bad = write_mixed(tmpdir, "bad.csv", 50000, 41234);

	read_all(good, 0, &direct);
	read_all(good, 1, &ahead);
	cr_assert(eq(int, direct.rc, 0));
	cr_assert(eq(int, ahead.rc, 0));
	cr_assert(eq(long, ahead.rows, 50001));
	cr_assert(eq(long, direct.rows, ahead.rows));
	cr_assert(eq(u64, direct.sum, ahead.sum));
	cr_assert(eq(int, memcmp(direct.digest, ahead.digest, SHA256_LEN), 0));

	read_all(bad, 0, &direct);
	read_all(bad, 1, &ahead);
	cr_assert(lt(int, ahead.rc, 0));
	cr_assert(eq(int, direct.rc, ahead.rc));
	cr_assert(eq(long, direct.rows, ahead.rows));
	cr_assert(eq(str, direct.err, ahead.err));
	cr_assert(strstr(ahead.err, "expected 3 fields, found 4") != NULL, "%s", ahead.err);
	free(good);
	free(bad);
}

static int thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	cr_assert(d != NULL);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

Test(csv_prefetch, closing_early_stops_the_thread, .init = tmp_setup)
{
	struct csv_reader_opts o = {.prefetch_from = 1};
	char *path = write_mixed(tmpdir, "early.csv", 100000, 0);
	struct csv_row row;
	csv_reader *r;

	for (int stop = 0; stop < 3; stop++) {
		int before = thread_count();
		cr_assert(eq(int, csv_reader_open(&r, path, &o), 0));
		cr_assert(eq(int, thread_count(), before + 1), "the reader runs a thread");
		for (int i = 0; i < stop * 5000; i++)
			cr_assert(eq(int, csv_reader_next(r, &row), 1));
		csv_reader_close(&r); /* must neither hang nor leak (ASan) */
		cr_assert(eq(ptr, r, NULL));
		cr_assert(eq(int, thread_count(), before));
	}
	free(path);
}

Test(core_csv, names_windows_1252_and_the_option_when_a_file_is_not_utf8)
{
	/* "Søren" and "Café" as Excel's plain "CSV" writes them on Windows. */
	expect_error(S("name,dept\nS\xf8ren,Caf\xe9\n"), NULL, ERR_INVALID,
	             "t.csv:2:2:", "--encoding cp1252");
	/* Not every bad byte is Windows-1252: 0x81 is undefined there. */
	int rc;
	char *got = dump_mem(S("a\n\x81\n"), NULL, &rc);
	cr_assert(eq(int, rc, ERR_INVALID));
	cr_assert(strstr(err_msg(), "--encoding") == NULL, "%s", err_msg());
	free(got);
}

Test(core_csv, converts_windows_1252_and_latin1_to_utf8)
{
	struct csv_reader_opts cp = {.encoding = "cp1252"}, l1 = {.encoding = "latin1"};
	int rc;
	char *got = dump_mem(S("name,note\nS\xf8ren,\x80 5 \x93ok\x94\n"), &cp, &rc);

	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(
	    eq(str, got, "name|note\nS\xc3\xb8ren|\xe2\x82\xac 5 \xe2\x80\x9cok\xe2\x80\x9d\n"));
	free(got);
	got = dump_mem(S("a\n\xe6\xf8\xe5\n"), &l1, &rc);
	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(str, got, "a\n\xc3\xa6\xc3\xb8\xc3\xa5\n"));
	free(got);
	/* 0x81 is not Windows-1252. */
	got = dump_mem(S("a\n\x81\n"), &cp, &rc);
	cr_assert(eq(int, rc, ERR_INVALID));
	cr_assert(strstr(err_msg(), "is not cp1252") != NULL, "%s", err_msg());
	free(got);
	cr_assert(eq(int, csv_encoding_check("Windows-1252"), 0));
	cr_assert(eq(int, csv_encoding_check("utf-16"), ERR_USAGE));
}

Test(core_csv, takes_semicolons_from_the_header_line_when_asked)
{
	struct csv_reader_opts sniff = {.sniff_delimiter = true};
	int rc;
	char *got = dump_mem(S("\"a,b\";c;d\n1;2,5;3\n"), &sniff, &rc);

	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(str, got, "a,b|c|d\n1|2,5|3\n"));
	free(got);
	got = dump_mem(S("a,b;c\n1,2;3\n"), &sniff, &rc);
	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(str, got, "a|b;c\n1|2;3\n"));
	free(got);
	/* Without sniffing a ';' file is one column. */
	got = dump_mem(S("a;b\n1;2\n"), NULL, &rc);
	cr_assert(eq(str, got, "a;b\n1;2\n"));
	free(got);
}
