/* table.c - aligned table, CSV and JSON output of a list of text cells.
 * The table owns copies of every cell; columns are borrowed.
 */
#include "cli/table.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/app.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"

struct table {
	const struct table_column *cols;
	size_t ncols;
	char **cells; /* rows * ncols, row-major */
	size_t rows, cap;
	char *notice;
	struct table_fact *facts;
	size_t nfacts;
};

int table_format_parse(const char *s, enum table_format *out)
{
	if (strcmp(s, "table") == 0)
		*out = TABLE_FORMAT_TABLE;
	else if (strcmp(s, "csv") == 0)
		*out = TABLE_FORMAT_CSV;
	else if (strcmp(s, "json") == 0)
		*out = TABLE_FORMAT_JSON;
	else if (strcmp(s, "xlsx") == 0)
		*out = TABLE_FORMAT_XLSX;
	else
		return err_set(ERR_USAGE, "--format: '%s' is not table, csv, json or xlsx", s);
	return 0;
}

int table_output_option(struct table_output *o, int ch, const char *arg)
{
	int rc;

	switch (ch) {
	case 'f': return (rc = table_format_parse(arg, &o->fmt)) ? rc : 1;
	case 'o':
		if (!*arg)
			return err_set(ERR_USAGE, "--out: the file name is empty");
		o->path = arg;
		return 1;
	case 'E': o->excel = true; return 1;
	case 'D':
		if (strcmp(arg, ",") != 0 && strcmp(arg, ";") != 0)
			return err_set(ERR_USAGE, "--delimiter: '%s' is not ',' or ';'", arg);
		o->delimiter = arg[0];
		return 1;
	default: return 0;
	}
}

int table_output_check(const struct table_output *o)
{
	if (o->fmt == TABLE_FORMAT_XLSX && !o->path)
		return err_set(ERR_USAGE, "--format xlsx needs --out FILE.xlsx");
	if ((o->excel || o->delimiter) && o->fmt != TABLE_FORMAT_CSV)
		return err_set(ERR_USAGE, "--excel and --delimiter go with --format csv");
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
	for (size_t i = 0; i < t->nfacts; i++) {
		free(t->facts[i].key);
		free(t->facts[i].text);
	}
	free(t->facts);
	free(t);
	*tp = NULL;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2, cp = s[0] & 0x1Fu;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3, cp = s[0] & 0x0Fu;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return need;
}

static unsigned utf8_cp(const unsigned char *s, size_t n)
{
	unsigned cp = n == 2 ? s[0] & 0x1Fu : n == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;

	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3Fu);
	return cp;
}

char *table_escape(const char *str, size_t len, bool keep_newlines)
{
	const unsigned char *s = (const unsigned char *)str;
	struct buf b = {0};

	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(s + i, len - i);
		unsigned cp = n > 1 ? utf8_cp(s + i, n) : (n ? s[i] : 0);

		if (n == 0 ||
		    (n == 1 && (cp < 0x20 || cp == 0x7f) && !(keep_newlines && cp == '\n'))) {
			buf_printf(&b, "\\x%02x", s[i]);
			i++;
			continue;
		}
		if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			buf_printf(&b, "\\u{%04x}", cp);
		else
			buf_append(&b, s + i, n);
		i += n;
	}
	buf_append(&b, "", 1);
	return b.data;
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
	if (kind != TABLE_NUMBER && !last)
		pad(f, w - cw);
}

static void print_table(const table *t, FILE *f)
{
	size_t *w = xcalloc(t->ncols ? t->ncols : 1, sizeof(*w));
	size_t ncells = t->rows * t->ncols;
	char **esc = xcalloc(ncells ? ncells : 1, sizeof(*esc));

	/* Widths are those of the escaped text, as printed. */
	for (size_t i = 0; i < ncells; i++)
		if (t->cells[i])
			esc[i] = table_escape(t->cells[i], strlen(t->cells[i]), false);
	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = width(t->cols[c].name);
		for (size_t r = 0; r < t->rows; r++) {
			size_t cw = width(esc[r * t->ncols + c]);
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
			print_cell(f, esc[r * t->ncols + c], w[c], t->cols[c].kind,
			           c + 1 == t->ncols);
		}
		fputc('\n', f);
	}
	if (t->notice)
		fprintf(f, "\n%s\n", t->notice);
	for (size_t i = 0; i < ncells; i++)
		free(esc[i]);
	free(esc);
	free(w);
}

static void print_csv(const table *t, FILE *f, bool bom, char sep)
{
	/* Excel reads a CSV file without a byte-order mark in the system's
	 * legacy code page (so "Sørensen" shows as "SÃ¸rensen"). */
	if (bom)
		fputs("\xEF\xBB\xBF", f);
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			fputc(sep, f);
		csv_write_field_sep(f, t->cols[c].name, false, sep);
	}
	fputc('\n', f);
	for (size_t r = 0; r < t->rows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			if (c)
				fputc(sep, f);
			csv_write_field_sep(f, s ? s : "", t->cols[c].kind == TABLE_NUMBER, sep);
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

/* A range cell "lo-hi" as the JSON array [lo,hi]; null when it is not
 * two whole numbers. */
static void json_range(FILE *f, const char *s)
{
	char *end;
	long long lo, hi;

	errno = 0;
	lo = strtoll(s, &end, 10);
	if (end == s || *end != '-' || errno) {
		fputs("null", f);
		return;
	}
	s = end + 1;
	hi = strtoll(s, &end, 10);
	if (end == s || *end || errno) {
		fputs("null", f);
		return;
	}
	fprintf(f, "[%lld,%lld]", lo, hi);
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
			if (t->cols[c].kind == TABLE_FLAG)
				fputs(s && *s ? "true" : "false", f);
			else if (!s)
				fputs("null", f);
			else if (t->cols[c].kind == TABLE_RANGE)
				json_range(f, s);
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

static int print_as(const table *t, FILE *f, const struct table_output *o)
{
	switch (o->fmt) {
	case TABLE_FORMAT_CSV: print_csv(t, f, o->excel, o->delimiter ? o->delimiter : ','); break;
	case TABLE_FORMAT_JSON: print_json(t, f); break;
	default: print_table(t, f); break;
	}
	if (fflush(f) != 0 || ferror(f))
		return err_set(ERR_IO, "writing the list: %s", strerror(errno));
	return 0;
}

int table_print(const table *t, FILE *f, enum table_format fmt)
{
	struct table_output o = {.fmt = fmt};

	/* Only the lists that take --out write workbooks (table_write). */
	if (fmt == TABLE_FORMAT_XLSX)
		return err_set(ERR_USAGE,
		               "--format xlsx: this list is written as table, csv or json "
		               "(xlsx: rank, candidates, invitations list)");
	return print_as(t, f, &o);
}

int table_write(const table *t, FILE *f, const struct table_output *o)
{
	FILE *file = NULL;
	int rc;

	if ((rc = table_output_check(o)))
		return rc;
	if (o->fmt == TABLE_FORMAT_XLSX) {
		/* Created empty with mode 0600 first: libxlsxwriter then writes
		 * into the file with that mode. */
		if ((rc = app_create_private(o->path, &file)))
			return rc;
		fclose(file);
		return table_write_xlsx(t, o->path);
	}
	if (!o->path)
		return print_as(t, f, o);
	if ((rc = app_create_private(o->path, &file)))
		return rc;
	rc = print_as(t, file, o);
	if (fclose(file) != 0 && !rc)
		rc = err_set(ERR_IO, "writing %s: %s", o->path, strerror(errno));
	return rc;
}

static struct table_fact *add_fact(table *t, const char *key, enum table_fact_kind kind)
{
	struct table_fact *f;

	t->facts = xreallocarray(t->facts, t->nfacts + 1, sizeof(*t->facts));
	f = &t->facts[t->nfacts++];
	*f = (struct table_fact){.key = xstrdup(key), .kind = kind};
	return f;
}

void table_add_fact_text(table *t, const char *key, const char *value)
{
	add_fact(t, key, TABLE_FACT_TEXT)->text = xstrdup(value ? value : "");
}

void table_add_fact_number(table *t, const char *key, double value)
{
	add_fact(t, key, TABLE_FACT_NUMBER)->number = value;
}

void table_add_fact_time(table *t, const char *key, int64_t epoch)
{
	add_fact(t, key, TABLE_FACT_TIME)->epoch = epoch;
}

size_t table_columns(const table *t)
{
	return t->ncols;
}

const struct table_column *table_column_at(const table *t, size_t c)
{
	return &t->cols[c];
}

const char *table_cell(const table *t, size_t row, size_t c)
{
	return t->cells[row * t->ncols + c];
}

const char *table_notice(const table *t)
{
	return t->notice;
}

size_t table_facts(const table *t)
{
	return t->nfacts;
}

const struct table_fact *table_fact_at(const table *t, size_t i)
{
	return &t->facts[i];
}
