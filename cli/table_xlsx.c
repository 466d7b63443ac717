/* table_xlsx.c - a table as an Excel workbook, through libxlsxwriter (the
 * only file that includes it). Sheet "List": the header row in bold,
 * frozen and with an autofilter, number cells as numbers, date cells as
 * dates, text cells as
 * text (never as a formula, whatever they start with), columns as wide as
 * their content up to a limit. Sheet "About": the table's facts (snapshot,
 * profile, parameters), dates as dates, then its notice.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "cli/table.h"
#include "core/err.h"
#include "core/timefmt.h"

#define WIDTH_MIN 6.0
#define WIDTH_MAX 60.0

struct xlsx {
	lxw_workbook *wb;
	lxw_format *head, *date, *day, *wrap;
	const char *path;
};

static int lxw_fail(const struct xlsx *x, lxw_error e)
{
	return err_set(ERR_IO, "writing %s: %s", x->path, lxw_strerror(e));
}

/* Characters (not bytes) of a UTF-8 string. */
static double chars(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return (double)n;
}

/* A number cell holds what we formatted; anything else is written as text. */
static bool number_of(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return *end == '\0' && errno == 0 && isfinite(*out);
}

static int write_cell(struct xlsx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                      const char *s, enum table_kind kind)
{
	double v;
	int64_t when;

	if (kind == TABLE_FLAG) /* TRUE or FALSE, as JSON's true or false */
		return worksheet_write_boolean(ws, row, col, s && *s, NULL);
	if (!s || !*s)
		return 0;
	if (kind == TABLE_NUMBER && number_of(s, &v))
		return worksheet_write_number(ws, row, col, v, NULL);
	if (kind == TABLE_DATE && timefmt_parse(s, &when) == 0)
		return worksheet_write_unixtime(ws, row, col, when,
		                                strlen(s) > 10 ? x->date : x->day);
	/* worksheet_write_string stores a shared string: Excel shows it as
	 * typed and never evaluates it, "=1+1" included. */
	return worksheet_write_string(ws, row, col, s, NULL);
}

static int list_sheet(struct xlsx *x, const table *t)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, "List");
	size_t nc = table_columns(t), nr = table_rows(t);
	lxw_error e;

	if (!ws)
		return err_set(ERR_IO, "writing %s: cannot add a sheet", x->path);
	for (size_t c = 0; c < nc; c++) {
		const struct table_column *col = table_column_at(t, c);
		double w = chars(col->name);
		if ((e = worksheet_write_string(ws, 0, (lxw_col_t)c, col->name, x->head)))
			return lxw_fail(x, e);
		for (size_t r = 0; r < nr; r++) {
			const char *s = table_cell(t, r, c);
			double cw = chars(s);
			w = cw > w ? cw : w;
			if ((e = write_cell(x, ws, (lxw_row_t)(r + 1), (lxw_col_t)c, s, col->kind)))
				return lxw_fail(x, e);
		}
		w = w + 2 < WIDTH_MIN ? WIDTH_MIN : w + 2 > WIDTH_MAX ? WIDTH_MAX : w + 2;
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w,
		                     w >= WIDTH_MAX ? x->wrap : NULL);
	}
	worksheet_freeze_panes(ws, 1, 0);
	if (nc && (e = worksheet_autofilter(ws, 0, 0, (lxw_row_t)nr, (lxw_col_t)(nc - 1))))
		return lxw_fail(x, e);
	return 0;
}

static int about_sheet(struct xlsx *x, const table *t)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, "About");
	lxw_row_t row = 1;
	lxw_error e = LXW_NO_ERROR;

	if (!ws)
		return err_set(ERR_IO, "writing %s: cannot add a sheet", x->path);
	worksheet_write_string(ws, 0, 0, "fact", x->head);
	worksheet_write_string(ws, 0, 1, "value", x->head);
	for (size_t i = 0; i < table_facts(t) && !e; i++, row++) {
		const struct table_fact *f = table_fact_at(t, i);
		if ((e = worksheet_write_string(ws, row, 0, f->key, NULL)))
			break;
		if (f->kind == TABLE_FACT_NUMBER)
			e = worksheet_write_number(ws, row, 1, f->number, NULL);
		else if (f->kind == TABLE_FACT_TIME)
			e = worksheet_write_unixtime(ws, row, 1, f->epoch, x->date);
		else if (*f->text)
			e = worksheet_write_string(ws, row, 1, f->text, NULL);
	}
	if (!e && table_notice(t))
		e = worksheet_write_string(ws, row + 1, 0, table_notice(t), NULL);
	if (e)
		return lxw_fail(x, e);
	worksheet_set_column(ws, 0, 0, 28, NULL);
	worksheet_set_column(ws, 1, 1, 24, NULL);
	worksheet_freeze_panes(ws, 1, 0);
	return 0;
}

int table_write_xlsx(const table *t, const char *path)
{
	struct xlsx x = {.path = path};
	lxw_error e;
	int rc;

	if (!(x.wb = workbook_new(path)))
		return err_set(ERR_IO, "cannot write %s: %s", path, strerror(errno));
	x.head = workbook_add_format(x.wb);
	format_set_bold(x.head);
	format_set_bottom(x.head, LXW_BORDER_THIN);
	x.date = workbook_add_format(x.wb);
	format_set_num_format(x.date, "yyyy-mm-dd hh:mm");
	format_set_align(x.date, LXW_ALIGN_LEFT);
	x.day = workbook_add_format(x.wb);
	format_set_num_format(x.day, "yyyy-mm-dd");
	format_set_align(x.day, LXW_ALIGN_LEFT);
	x.wrap = workbook_add_format(x.wb);
	format_set_text_wrap(x.wrap);
	rc = list_sheet(&x, t);
	if (!rc)
		rc = about_sheet(&x, t);
	/* workbook_close writes the file and frees the workbook either way. */
	e = workbook_close(x.wb);
	if (!rc && e)
		rc = err_set(ERR_IO, "writing %s: %s", path, lxw_strerror(e));
	return rc;
}
