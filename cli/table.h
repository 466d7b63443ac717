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
 * characters), numbers right-aligned, then the notice. CSV: a header row and
 * one record per row through csv_write_field, so text cells that a
 * spreadsheet would run as a formula are neutralised; no notice. JSON: an
 * object {"items":[{column: value, ...}], "notice": ...}; number cells are
 * JSON numbers, empty (NULL) cells are null.
 */
#ifndef AMB_CLI_TABLE_H
#define AMB_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

enum table_format { TABLE_FORMAT_TABLE, TABLE_FORMAT_CSV, TABLE_FORMAT_JSON };

enum table_kind {
	TABLE_TEXT,   /* left-aligned; a JSON string; formula-safe in CSV */
	TABLE_NUMBER, /* right-aligned; a JSON number; written as is in CSV */
};

struct table_column {
	const char *name; /* header and JSON key */
	enum table_kind kind;
};

typedef struct table table;

/* Parse "table", "csv" or "json". ERR_USAGE naming the value otherwise. */
int table_format_parse(const char *s, enum table_format *out);

/* A new empty table. `cols` is borrowed and must outlive the table (pass a
 * static array). */
table *table_new(const struct table_column *cols, size_t ncols);

/* Append a row of ncols cells (copied). A NULL cell is empty in a table and
 * CSV and null in JSON. */
void table_add_row(table *t, const char *const *cells);

size_t table_rows(const table *t);

/* A line printed under the table, and as "notice" in JSON (copied). */
void table_set_notice(table *t, const char *notice);

/* Print in `fmt`. Returns 0 or ERR_IO when the stream failed. */
int table_print(const table *t, FILE *f, enum table_format fmt);

void table_destroy(table **t);

/* Write s as a JSON string (null for NULL), escaped as the JSON lists are. */
void table_json_string(FILE *f, const char *s);

#endif
