/* survey_header.c - the header rows of a survey export: the vendor and
 * its header-row count recognised from the first rows (Qualtrics' import
 * ids or V1..V10, SurveyMonkey's blank second row under Respondent ID,
 * Microsoft Forms' and Google Forms' first columns), the effective column
 * names (SurveyMonkey questions spanning columns become "question - row
 * 2"), and each codebook column found in them, unambiguously. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/mem.h"
#include "survey/survey.h"
#include "survey/survey_int.h"

const char *survey_vendor_name(enum survey_vendor v)
{
	switch (v) {
	case SURVEY_QUALTRICS: return "Qualtrics";
	case SURVEY_SURVEYMONKEY: return "SurveyMonkey";
	case SURVEY_MSFORMS: return "Microsoft Forms";
	case SURVEY_GOOGLE: return "Google Forms";
	default: return "generic";
	}
}

void survey_row_copy(struct owned_row *o, const struct csv_row *r)
{
	o->count = r->count;
	o->line = r->line;
	o->number = r->number;
	o->fields = xcalloc(r->count ? r->count : 1, sizeof(char *));
	o->lens = xcalloc(r->count ? r->count : 1, sizeof(size_t));
	for (size_t i = 0; i < r->count; i++) {
		o->fields[i] = xstrndup(r->fields[i], r->lens[i]);
		o->lens[i] = r->lens[i];
	}
}

void survey_row_free(struct owned_row *o)
{
	for (size_t i = 0; i < o->count; i++)
		free(o->fields[i]);
	free(o->fields);
	free(o->lens);
	memset(o, 0, sizeof(*o));
}

struct csv_row survey_row_view(const struct owned_row *o)
{
	struct csv_row r = {.count = o->count,
	                    .fields = (const char *const *)o->fields,
	                    .lens = o->lens,
	                    .line = o->line,
	                    .number = o->number};
	return r;
}

static bool has_import_ids(const struct owned_row *o)
{
	for (size_t i = 0; i < o->count; i++)
		if (!strncmp(o->fields[i], "{\"ImportId\":", 12) ||
		    !strncmp(o->fields[i], "{'ImportId':", 12)) /* older exports */
			return true;
	return false;
}

/* Qualtrics' legacy layout names its columns V1, V2, ... V10 before the
 * question codes, with the question text in row 2. */
static bool qualtrics_legacy(const struct owned_row *h)
{
	return h->count >= 10 && !strcmp(h->fields[0], "V1") && !strcmp(h->fields[9], "V10");
}

/* The vendor and its header-row count, from the buffered first rows. */
enum survey_vendor survey_detect(const struct owned_row *rows, size_t n, size_t *out_rows)
{
	*out_rows = 1;
	if (n >= 3 && has_import_ids(&rows[2])) {
		*out_rows = 3;
		return SURVEY_QUALTRICS;
	}
	if (n >= 2 && has_import_ids(&rows[1])) {
		*out_rows = 2;
		return SURVEY_QUALTRICS;
	}
	if (n >= 2 && qualtrics_legacy(&rows[0])) {
		*out_rows = 2;
		return SURVEY_QUALTRICS;
	}
	if (n >= 2) {
		struct csv_row h = survey_row_view(&rows[0]);
		int rid = csv_header_find(&h, "Respondent ID");
		if (rid < 0) /* older exports */
			rid = csv_header_find(&h, "RespondentID");
		if (rid >= 0 && blank_cell(rows[1].fields[rid])) {
			*out_rows = 2;
			return SURVEY_SURVEYMONKEY;
		}
	}
	/* One header row: named only for the report. */
	struct csv_row h = survey_row_view(&rows[0]);
	if (csv_header_find(&h, "Start time") >= 0 && csv_header_find(&h, "Completion time") >= 0)
		return SURVEY_MSFORMS;
	if (h.count && csv_name_equal(h.fields[0], h.lens[0], "Timestamp", 9))
		return SURVEY_GOOGLE;
	return SURVEY_GENERIC;
}

static bool sm_plain_subheader(const char *s)
{
	return blank_cell(s) || !strcasecmp(s, "Response") || !strcasecmp(s, "Open-Ended Response");
}

/* Effective names: row 1, except that SurveyMonkey questions spanning
 * columns (row-1 cell blank after the first) become "question - row 2". */
static char **effective_names(const struct owned_row *rows, enum survey_vendor v)
{
	const struct owned_row *h = &rows[0];
	char **names = xcalloc(h->count ? h->count : 1, sizeof(char *));
	const char *question = NULL;

	for (size_t i = 0; i < h->count; i++) {
		bool spans = false;
		if (v == SURVEY_SURVEYMONKEY) {
			bool next_blank = i + 1 < h->count && blank_cell(h->fields[i + 1]);
			if (!blank_cell(h->fields[i]))
				question = h->fields[i];
			spans = question && !sm_plain_subheader(rows[1].fields[i]) &&
			        (blank_cell(h->fields[i]) || next_blank);
		}
		names[i] = spans ? xasprintf("%s - %s", question, rows[1].fields[i])
		                 : xstrdup(h->fields[i]);
	}
	return names;
}

/* Find `name` at header level `level` (0: effective names, then the raw
 * header rows). -1 none, -2 ambiguous (*first, *second set). */
static int find_at_level(char **names, const struct owned_row *rows, size_t level, const char *name,
                         int *first, int *second)
{
	size_t n = rows[0].count, len = strlen(name);
	int hit = -1;

	for (size_t i = 0; i < n; i++) {
		const char *cell = level == 0 ? names[i] : rows[level].fields[i];
		if (!csv_name_equal(cell, strlen(cell), name, len))
			continue;
		if (hit >= 0) {
			*first = hit;
			*second = (int)i;
			return -2;
		}
		hit = (int)i;
	}
	return hit;
}

static int find_column(struct state *st, const struct owned_row *rows, size_t header_rows,
                       enum survey_vendor v, const char *name, int64_t cb_line, int *out)
{
	int a = 0, b = 0, col = -1;

	for (size_t level = 0; level < header_rows && col == -1; level++) {
		if (v == SURVEY_QUALTRICS && level > 0 && has_import_ids(&rows[level]))
			continue;
		col = find_at_level(st->names, rows, level, name, &a, &b);
	}
	if (col == -2)
		return err_set(ERR_INVALID,
		               "%s:%lld:1: column '%s' matches export columns %d and %d of %s; "
		               "name it unambiguously",
		               st->cb->path, (long long)cb_line, name, a + 1, b + 1,
		               import_name(st->c));
	if (col < 0)
		return err_set(ERR_INVALID, "%s:%lld:1: column '%s' is not in the header of %s",
		               st->cb->path, (long long)cb_line, name, import_name(st->c));
	*out = col;
	return 0;
}

int survey_map_columns(struct state *st, const struct owned_row *rows, size_t header_rows,
                       enum survey_vendor v)
{
	const struct codebook *cb = st->cb;
	int rc;

	st->ncols = rows[0].count;
	st->names = effective_names(rows, v);
	st->submitted_col = st->started_col = st->duration_col = -1;
	if ((rc = find_column(st, rows, header_rows, v, cb->id.column, cb->id.line, &st->id_col)))
		return rc;
	if (cb->submitted_at.column &&
	    (rc = find_column(st, rows, header_rows, v, cb->submitted_at.column,
	                      cb->submitted_at.line, &st->submitted_col)))
		return rc;
	if (cb->started_at.column &&
	    (rc = find_column(st, rows, header_rows, v, cb->started_at.column, cb->started_at.line,
	                      &st->started_col)))
		return rc;
	for (size_t i = 0; i < cb->nitems; i++) {
		if ((rc = find_column(st, rows, header_rows, v, cb->items[i].column,
		                      cb->items[i].line, &st->item_col[i])))
			return rc;
		for (size_t j = 0; j < i; j++)
			if (st->item_col[j] == st->item_col[i])
				return err_set(ERR_INVALID,
				               "%s:%lld:1: '%s' is the same export column as '%s' "
				               "(line %lld)",
				               cb->path, (long long)cb->items[i].line,
				               cb->items[i].column, cb->items[j].column,
				               (long long)cb->items[j].line);
	}
	/* Qualtrics' own duration column helps the too-fast check even when
	 * the codebook does not name it. */
	for (size_t i = 0; i < st->ncols; i++)
		if (csv_name_equal(st->names[i], strlen(st->names[i]), "Duration (in seconds)", 21))
			st->duration_col = (int)i;
	return 0;
}
