/* table.h - one way to print a list: an aligned table for people, CSV or
 * JSON for programs. Every list command builds a table of text cells and
 * prints it in the format the user asked for.
 *
 *   table *t = table_new(cols, ncols);
 *   table_add_row(t, cells);            (copies the cells)
 *   table_set_notice(t, "...");         (optional)
 *   table_print(t, stdout, fmt);
 *   table_destroy(&t);
 *
 * Table: a header, columns padded to their widest cell (counted in UTF-8
 * characters), numbers right-aligned, then the notice. Cells are escaped
 * for the terminal (table_escape) so no cell can move the cursor, set the
 * title or clear the screen. CSV: a header row and
 * one record per row through csv_write_field, so text cells that a
 * spreadsheet would run as a formula are neutralised; no notice. JSON: an
 * object {"items":[{column: value, ...}], "notice": ...}; number cells are
 * JSON numbers, empty (NULL) cells are null.
 */
#ifndef AMB_CLI_TABLE_H
#define AMB_CLI_TABLE_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum table_format { TABLE_FORMAT_TABLE, TABLE_FORMAT_CSV, TABLE_FORMAT_JSON, TABLE_FORMAT_XLSX };

enum table_kind {
	TABLE_TEXT,   /* left-aligned; a JSON string; formula-safe in CSV */
	TABLE_NUMBER, /* right-aligned; a JSON number; written as is in CSV */
	TABLE_DATE,   /* ISO 8601 date or date-time text; an Excel date in xlsx */
	TABLE_RANGE,  /* "lo-hi" of two whole numbers; a JSON array [lo, hi] */
	TABLE_FLAG,   /* a word when set, empty when not; JSON true or false */
};

struct table_column {
	const char *name; /* header and JSON key */
	enum table_kind kind;
};

typedef struct table table;

/* Parse "table", "csv", "json" or "xlsx". ERR_USAGE naming the value
 * otherwise. */
int table_format_parse(const char *s, enum table_format *out);

/* Where and how a list is written: --format, --out, --excel, --delimiter. */
struct table_output {
	enum table_format fmt;
	const char *path; /* --out FILE (mode 0600); NULL: standard output */
	bool excel;       /* CSV: a UTF-8 byte-order mark first, for Excel */
	char delimiter;   /* CSV: ',' (0 means ',') or ';' */
};

/* The getopt_long entries of those options; their values are 'f', 'o', 'E'
 * and 'D', so a command's own options must use other letters. */
#define TABLE_OUTPUT_LONGOPTS                                                                      \
	{"format", required_argument, NULL, 'f'}, {"out", required_argument, NULL, 'o'},           \
	    {"excel", no_argument, NULL, 'E'},                                                     \
	{                                                                                          \
		"delimiter", required_argument, NULL, 'D'                                          \
	}

/* The usage lines of those options, for a command's --help. */
#define TABLE_OUTPUT_HELP                                                                          \
	"  --format table|csv|json|xlsx  how to write the list (xlsx needs --out)\n"               \
	"  --out FILE                    write to FILE (mode 0600) instead of the terminal\n"      \
	"  --excel                       csv: start with a UTF-8 byte-order mark for Excel\n"      \
	"  --delimiter ';'               csv: separate fields with ';' instead of ','\n"

/* Handle getopt result `ch` with argument `arg` if it is one of the output
 * options: returns 1 when handled, 0 when `ch` is not one of them, or
 * ERR_USAGE for a bad value. */
int table_output_option(struct table_output *o, int ch, const char *arg);

/* After parsing: xlsx needs --out, --excel and --delimiter need csv.
 * ERR_USAGE otherwise. */
int table_output_check(const struct table_output *o);

/* A new empty table. `cols` is borrowed and must outlive the table (pass a
 * static array). */
table *table_new(const struct table_column *cols, size_t ncols);

/* Append a row of ncols cells (copied). A NULL cell is empty in a table and
 * CSV and null in JSON. */
void table_add_row(table *t, const char *const *cells);

size_t table_rows(const table *t);

/* A line printed under the table, and as "notice" in JSON (copied). */
void table_set_notice(table *t, const char *notice);

/* One fact for the xlsx "About" sheet (snapshot, profile, parameters):
 * text, a number or a date-time (epoch seconds, UTC). Copied. Ignored by
 * the other formats. */
void table_add_fact_text(table *t, const char *key, const char *value);
void table_add_fact_number(table *t, const char *key, double value);
void table_add_fact_time(table *t, const char *key, int64_t epoch);

/* Print in `fmt` (table, csv or json). Returns 0 or ERR_IO when the stream
 * failed. */
int table_print(const table *t, FILE *f, enum table_format fmt);

/* Write as `o` says: to `o->path` (created with mode 0600, replaced when it
 * exists) or to `f`. Returns 0, ERR_USAGE (xlsx without a path) or ERR_IO
 * naming the file. */
int table_write(const table *t, FILE *f, const struct table_output *o);

/* Cell access for writers of other formats. */
size_t table_columns(const table *t);
const struct table_column *table_column_at(const table *t, size_t c);
const char *table_cell(const table *t, size_t row, size_t c); /* NULL: empty */
const char *table_notice(const table *t);                     /* NULL: none */

enum table_fact_kind { TABLE_FACT_TEXT, TABLE_FACT_NUMBER, TABLE_FACT_TIME };
struct table_fact {
	char *key;
	enum table_fact_kind kind;
	char *text;
	double number;
	int64_t epoch;
};
size_t table_facts(const table *t);
const struct table_fact *table_fact_at(const table *t, size_t i);

/* cli/table_xlsx.c: write the table and its facts as an xlsx workbook at
 * `path`. Returns 0 or ERR_IO naming the file and libxlsxwriter's reason. */
int table_write_xlsx(const table *t, const char *path);

void table_destroy(table **t);

/* A copy of `s` (len bytes) safe to print on a terminal: C0 control
 * characters, DEL and bytes that are not UTF-8 become \xHH, C1 controls
 * and the bidirectional overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069) \u{HHHH}; with keep_newlines, LF stays. Everything else,
 * backslashes included, is copied as is. The caller frees the result. */
char *table_escape(const char *s, size_t len, bool keep_newlines);

/* Write s as a JSON string (null for NULL), escaped as the JSON lists are. */
void table_json_string(FILE *f, const char *s);

#endif
