/* table.c - aligned table, CSV and JSON output of a list of text cells.
 * The table owns copies of every cell; columns are borrowed.
 */
#include "cli/table.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"

struct table {
	const struct table_column *cols;
	size_t ncols;
	char **cells; /* rows * ncols, row-major */
	size_t rows, cap;
	char *notice;
};

int table_format_parse(const char *s, enum table_format *out)
{
	if (strcmp(s, "table") == 0)
		*out = TABLE_FORMAT_TABLE;
	else if (strcmp(s, "csv") == 0)
		*out = TABLE_FORMAT_CSV;
	else if (strcmp(s, "json") == 0)
		*out = TABLE_FORMAT_JSON;
	else
		return err_set(ERR_USAGE, "--format: '%s' is not table, csv or json", s);
	return 0;
}

table *table_new(const struct table_column *cols, size_t ncols)
{
	table *t = xcalloc(1, sizeof(*t));

	t->cols = cols;
	t->ncols = ncols;
	return t;
}

void table_add_row(table *t, const char *const *cells)
{
	if (t->rows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->cells = xreallocarray(t->cells, t->cap * t->ncols, sizeof(*t->cells));
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->rows * t->ncols + c] = cells[c] ? xstrdup(cells[c]) : NULL;
	t->rows++;
}

size_t table_rows(const table *t)
{
	return t->rows;
}

void table_set_notice(table *t, const char *notice)
{
	free(t->notice);
	t->notice = notice ? xstrdup(notice) : NULL;
}

void table_destroy(table **tp)
{
	table *t = tp ? *tp : NULL;

	if (!t)
		return;
	for (size_t i = 0; i < t->rows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->notice);
	free(t);
	*tp = NULL;
}

/* Display width: UTF-8 characters (continuation bytes do not count). */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

static void print_cell(FILE *f, const char *s, size_t w, enum table_kind kind, bool last)
{
	size_t cw = width(s);

	if (kind == TABLE_NUMBER)
		pad(f, w - cw);
	fputs(s ? s : "", f);
	if (kind == TABLE_TEXT && !last)
		pad(f, w - cw);
}

static void print_table(const table *t, FILE *f)
{
	size_t *w = xcalloc(t->ncols ? t->ncols : 1, sizeof(*w));

	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = width(t->cols[c].name);
		for (size_t r = 0; r < t->rows; r++) {
			size_t cw = width(t->cells[r * t->ncols + c]);
			w[c] = cw > w[c] ? cw : w[c];
		}
	}
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			fputs("  ", f);
		print_cell(f, t->cols[c].name, w[c], t->cols[c].kind, c + 1 == t->ncols);
	}
	fputc('\n', f);
	for (size_t r = 0; r < t->rows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				fputs("  ", f);
			print_cell(f, t->cells[r * t->ncols + c], w[c], t->cols[c].kind,
			           c + 1 == t->ncols);
		}
		fputc('\n', f);
	}
	if (t->notice)
		fprintf(f, "\n%s\n", t->notice);
	free(w);
}

static void print_csv(const table *t, FILE *f)
{
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			fputc(',', f);
		csv_write_field(f, t->cols[c].name, false);
	}
	fputc('\n', f);
	for (size_t r = 0; r < t->rows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			if (c)
				fputc(',', f);
			csv_write_field(f, s ? s : "", t->cols[c].kind == TABLE_NUMBER);
		}
		fputc('\n', f);
	}
}

void table_json_string(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* A number cell is written as a JSON number only when it is one. */
static bool is_json_number(const char *s)
{
	char *end;

	if (!*s || (*s != '-' && (*s < '0' || *s > '9')))
		return false;
	errno = 0;
	(void)strtod(s, &end);
	return *end == '\0' && errno == 0 && !strpbrk(s, "xXnNiI");
}

static void print_json(const table *t, FILE *f)
{
	fputs("{\"items\":[", f);
	for (size_t r = 0; r < t->rows; r++) {
		fputs(r ? ",\n{" : "\n{", f);
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			if (c)
				fputc(',', f);
			table_json_string(f, t->cols[c].name);
			fputc(':', f);
			if (!s)
				fputs("null", f);
			else if (t->cols[c].kind == TABLE_NUMBER && is_json_number(s))
				fputs(s, f);
			else
				table_json_string(f, s);
		}
		fputc('}', f);
	}
	fputs("]", f);
	if (t->notice) {
		fputs(",\"notice\":", f);
		table_json_string(f, t->notice);
	}
	fputs("}\n", f);
}

int table_print(const table *t, FILE *f, enum table_format fmt)
{
	switch (fmt) {
	case TABLE_FORMAT_CSV: print_csv(t, f); break;
	case TABLE_FORMAT_JSON: print_json(t, f); break;
	default: print_table(t, f); break;
	}
	if (fflush(f) != 0 || ferror(f))
		return err_set(ERR_IO, "writing the list: %s", strerror(errno));
	return 0;
}
