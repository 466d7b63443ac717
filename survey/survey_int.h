/* survey_int.h - shared by the survey importer's own files only
 * (survey/survey.c, survey/survey_answer.c, survey/survey_header.c);
 * nothing else may include this. It holds the importer's state, the
 * buffered header rows and the helpers one file calls in another.
 */
#ifndef AMB_SURVEY_SURVEY_INT_H
#define AMB_SURVEY_SURVEY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/csv.h"
#include "core/store_survey.h"
#include "survey/survey.h"

struct owned_row {
	char **fields;
	size_t *lens;
	size_t count;
	int64_t line, number;
};

struct state {
	store *s;
	import_ctx *c;
	struct import_summary *sum;
	const struct codebook *cb;
	const labels *labels;
	const char *path;
	struct csv_reader_opts csv;
	enum timefmt_order order;
	int64_t now;
	/* header */
	size_t header_rows;
	size_t ncols;
	char **names; /* effective header names, for messages and rejects */
	int id_col, submitted_col, started_col, duration_col;
	int *item_col;
	size_t dont_know;   /* "don't know" answers of the row being read */
	bool decimal_comma; /* the export is ';'-separated: 3,5 is 3.5 */
	/* per-row scratch, one slot per codebook item or construct */
	double *values;
	bool *has;
	struct survey_answer *answers;
	struct survey_score *scores;
	struct survey_report *report;
};

static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool blank_cell(const char *s)
{
	while (is_blank(*s))
		s++;
	return !*s;
}

/* survey/survey_answer.c: whether `s` is a number with a decimal comma
 * (3,5). */
bool survey_decimal_comma(const char *s);

/* survey/survey_header.c: the first rows buffered as owned copies, the
 * vendor and header-row count they show, and the codebook's columns. */
void survey_row_copy(struct owned_row *o, const struct csv_row *r);
void survey_row_free(struct owned_row *o);
struct csv_row survey_row_view(const struct owned_row *o);
enum survey_vendor survey_detect(const struct owned_row *rows, size_t n, size_t *out_rows);
int survey_map_columns(struct state *st, const struct owned_row *rows, size_t header_rows,
                       enum survey_vendor v);

#endif
