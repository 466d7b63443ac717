/* survey.c - reading a survey export through its codebook.
 *
 * The first rows are buffered (owned copies) to recognise the vendor by its
 * header rows; rows that turn out to be data are then processed like any
 * other. Each data row is checked in full before anything is written; the
 * importer's state owns the per-row scratch arrays, the codebook and the
 * label set. Privacy: only codebook columns are ever read from a row. */
#include "survey/survey.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/store_roster.h"
#include "core/store_survey.h"
#include "core/timefmt.h"
#include "survey/reliability.h"
#include "survey/roster.h"

/* Timestamps this far ahead of the clock are refused as "in the future";
 * a day leaves room for exports stamped in local time without a zone. */
#define FUTURE_SLACK (24 * 3600)

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

void survey_report_clear(struct survey_report *r)
{
	if (!r)
		return;
	free(r->constructs);
	r->constructs = NULL;
	r->nconstructs = 0;
}

/* --- answers ------------------------------------------------------------ */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool decimal_comma(const char *s)
{
	size_t i = 0, d1 = 0, d2 = 0;

	if (s[i] == '+' || s[i] == '-')
		i++;
	for (; s[i] >= '0' && s[i] <= '9'; i++)
		d1++;
	if (s[i++] != ',')
		return false;
	for (; s[i] >= '0' && s[i] <= '9'; i++)
		d2++;
	return d1 && d2 && !s[i];
}

static bool non_finite_word(const char *s)
{
	static const char *const words[] = {"nan", "inf", "infinity"};

	if (*s == '+' || *s == '-')
		s++;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

static int parse_number(const char *s, double min, double max, double *out, char *why,
                        size_t whysize)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*end || end == s) {
		snprintf(why, whysize, "'%s' is not a number", s);
		return -1;
	}
	if (errno == ERANGE || !isfinite(v)) {
		snprintf(why, whysize, "'%s' is out of range", s);
		return -1;
	}
	/* "-0" is read as 0 and then judged against the scale like 0. */
	v += 0.0;
	if (v < min || v > max) {
		snprintf(why, whysize, "'%s' is off the item's scale %g..%g", s, min, max);
		return -1;
	}
	*out = v;
	return 1;
}

/* The value of a built-in agreement label on [min, max]: a scale of five
 * or seven whole points. 0 when the scale is neither. */
static int builtin_value(const struct label_match *m, double min, double max, double *out)
{
	if (min != floor(min))
		return 0;
	if (max - min == 4)
		*out = min + m->value - 1;
	else if (max - min == 6)
		*out = min + m->value7 - 1;
	else
		return 0;
	return 1;
}

static void unknown_label(const char *s, double min, double max, char *why, size_t whysize)
{
	if (decimal_comma(s))
		snprintf(why, whysize,
		         "'%s' has a decimal comma; write numbers with a decimal point "
		         "(decimal commas are read in ';'-separated files: --delimiter ';')",
		         s);
	else if (non_finite_word(s))
		snprintf(why, whysize, "'%s' is not a finite number", s);
	else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		snprintf(why, whysize, "'%s': hexadecimal numbers are not read", s);
	else
		snprintf(why, whysize,
		         "'%s' is neither a number on the scale %g..%g nor a known label "
		         "(add labels with --labels)",
		         s, min, max);
}

/* "5 - Strongly agree", "(5) Strongly agree", "5. Strongly agree",
 * "5 = Strongly agree": the number in front (into *num) and the label
 * after it, or NULL when `s` has no such prefix. */
static const char *number_prefix(const char *s, int *num)
{
	const char *p = s;
	bool paren = *p == '(';
	int n = 0, digits = 0;

	p += paren;
	for (; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
		n = n * 10 + (*p - '0');
	if (!digits || (paren && *p++ != ')'))
		return NULL;
	if (!paren && !strchr(" -.=:)", *p))
		return NULL;
	while (*p && strchr(" -.=:)", *p))
		p++;
	if (!*p || (*p >= '0' && *p <= '9'))
		return NULL;
	*num = n;
	return p;
}

/* 1 with *out, 2 for a "don't know" label (missing), -1 with why. */
static int parse_label(const char *s, double min, double max, const labels *l, double *out,
                       char *why, size_t whysize)
{
	struct label_match m;
	const char *text = s;
	double v;
	int num = 0;

	if (!labels_match(l, text, &m) && (text = number_prefix(s, &num)) &&
	    !labels_match(l, text, &m)) {
		/* A numbered label of the survey's own: the number is the answer. */
		if (num >= min && num <= max) {
			*out = num;
			return 1;
		}
		text = NULL;
	}
	if (!text) {
		unknown_label(s, min, max, why, whysize);
		return -1;
	}
	if (m.origin == LABEL_MISSING)
		return 2;
	v = m.value;
	if (m.origin == LABEL_BUILTIN && !builtin_value(&m, min, max, &v)) {
		snprintf(why, whysize,
		         "'%s' is an agreement label of five- or seven-point scales, but the "
		         "item's scale is %g..%g",
		         s, min, max);
		return -1;
	}
	if (v < min || v > max) {
		snprintf(why, whysize, "label '%s' stands for %g, off the item's scale %g..%g", s,
		         v, min, max);
		return -1;
	}
	*out = v;
	return 1;
}

int survey_parse_answer(const char *cell, double min, double max, const labels *l, double *out,
                        char *why, size_t whysize)
{
	char buf[LABELS_MAX_LEN];
	size_t len;

	while (is_blank(*cell))
		cell++;
	len = strlen(cell);
	while (len && is_blank(cell[len - 1]))
		len--;
	if (!len)
		return 0;
	if (len >= sizeof(buf)) {
		snprintf(why, whysize, "a %zu-byte answer is neither a number nor a known label",
		         len);
		return -1;
	}
	memcpy(buf, cell, len);
	buf[len] = '\0';
	if (strspn(buf, "0123456789+-.eE") == len && strpbrk(buf, "0123456789"))
		return parse_number(buf, min, max, out, why, whysize);
	return parse_label(buf, min, max, l, out, why, whysize);
}

/* --- header rows --------------------------------------------------------- */

static void row_copy(struct owned_row *o, const struct csv_row *r)
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

static void row_free(struct owned_row *o)
{
	for (size_t i = 0; i < o->count; i++)
		free(o->fields[i]);
	free(o->fields);
	free(o->lens);
	memset(o, 0, sizeof(*o));
}

static struct csv_row row_view(const struct owned_row *o)
{
	struct csv_row r = {.count = o->count,
	                    .fields = (const char *const *)o->fields,
	                    .lens = o->lens,
	                    .line = o->line,
	                    .number = o->number};
	return r;
}

static bool blank_cell(const char *s)
{
	while (is_blank(*s))
		s++;
	return !*s;
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
static enum survey_vendor detect(const struct owned_row *rows, size_t n, size_t *out_rows)
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
		struct csv_row h = row_view(&rows[0]);
		int rid = csv_header_find(&h, "Respondent ID");
		if (rid < 0) /* older exports */
			rid = csv_header_find(&h, "RespondentID");
		if (rid >= 0 && blank_cell(rows[1].fields[rid])) {
			*out_rows = 2;
			return SURVEY_SURVEYMONKEY;
		}
	}
	/* One header row: named only for the report. */
	struct csv_row h = row_view(&rows[0]);
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

static int map_columns(struct state *st, const struct owned_row *rows, size_t header_rows,
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

/* --- rows ---------------------------------------------------------------- */

static void trimmed(char *out, size_t size, const char *s)
{
	size_t len;

	while (is_blank(*s))
		s++;
	len = strlen(s);
	while (len && is_blank(s[len - 1]))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

/* 1 when the cell holds a time (into *out), 0 when empty, <0 rejected. */
static int row_time(struct state *st, const struct csv_row *row, int col, const char *what,
                    int64_t *out)
{
	char cell[128], why[512];

	if (col < 0 || blank_cell(row->fields[col]))
		return 0;
	if (row->lens[col] >= sizeof(cell))
		return import_reject(st->c, row, col, "%s is not a timestamp", what) ? -2 : -1;
	trimmed(cell, sizeof(cell), row->fields[col]);
	if (timefmt_parse_order(cell, st->order, out)) {
		int a, b;
		char sep;
		snprintf(why, sizeof(why), "%s", err_msg());
		/* Only standard input gets here undecided (no second pass). */
		if (st->order == TIMEFMT_ORDER_AUTO && timefmt_numeric_date(cell, &a, &b, &sep))
			return import_reject(st->c, row, col,
			                     "%s: %s; add --date-order dmy or --date-order mdy",
			                     what, why)
			           ? -2
			           : -1;
		return import_reject(st->c, row, col, "%s: %s", what, why) ? -2 : -1;
	}
	if (*out > st->now + FUTURE_SLACK)
		return import_reject(st->c, row, col, "%s '%s' is in the future", what, cell) ? -2
		                                                                              : -1;
	return 1;
}

/* The construct scores of the answers in st->values/has. */
static void score_row(struct state *st)
{
	const struct codebook *cb = st->cb;

	for (size_t k = 0; k < cb->nconstructs; k++) {
		struct survey_score *sc = &st->scores[k];
		double sum = 0;
		int answered = 0, items = 0;
		for (size_t i = 0; i < cb->nitems; i++) {
			const struct codebook_item *it = &cb->items[i];
			if (it->construct_index != k)
				continue;
			items++;
			if (!st->has[i])
				continue;
			sum += store_survey_unit(st->values[i], it->min, it->max, it->reverse);
			answered++;
		}
		sc->construct = cb->constructs[k];
		sc->answered = answered;
		sc->items = items;
		/* At least two thirds of the items, rounded up. */
		sc->has_score = answered > 0 && answered >= (2 * items + 2) / 3;
		sc->score = sc->has_score ? sum / answered : 0;
	}
}

/* Straight-lining: on the scale most of the answered items share, at least
 * SURVEY_STRAIGHT_LINE_MIN_ITEMS answers, all the same raw value. Only
 * scales of three points or more count: the same answer to yes/no items
 * says nothing about care. */
static bool straight_lined(const struct state *st)
{
	const struct codebook *cb = st->cb;
	size_t best = 0, best_n = 0;

	for (size_t i = 0; i < cb->nitems; i++) {
		size_t n = 0;
		if (!st->has[i] || cb->items[i].max - cb->items[i].min < 2)
			continue;
		for (size_t j = 0; j < cb->nitems; j++)
			n += st->has[j] && cb->items[j].min == cb->items[i].min &&
			     cb->items[j].max == cb->items[i].max;
		if (n > best_n)
			best_n = n, best = i;
	}
	if (best_n < SURVEY_STRAIGHT_LINE_MIN_ITEMS)
		return false;
	for (size_t j = 0; j < cb->nitems; j++)
		if (st->has[j] && cb->items[j].min == cb->items[best].min &&
		    cb->items[j].max == cb->items[best].max && st->values[j] != st->values[best])
			return false;
	return true;
}

static double duration_cell(const struct state *st, const struct csv_row *row)
{
	char *end;
	double v;

	if (st->duration_col < 0 || blank_cell(row->fields[st->duration_col]))
		return -1;
	errno = 0;
	v = strtod(row->fields[st->duration_col], &end);
	while (is_blank(*end))
		end++;
	return errno || *end || !isfinite(v) || v < 0 ? -1 : v;
}

static const char *careless_flag(struct state *st, const struct csv_row *row,
                                 const struct survey_response *r)
{
	double seconds = -1;

	if (straight_lined(st))
		return "straight_line";
	if (r->has_started && r->has_submitted)
		seconds = (double)(r->submitted_at - r->started_at);
	else
		seconds = duration_cell(st, row);
	if (seconds >= 0 && seconds < SURVEY_MIN_SECONDS_PER_ITEM * (double)r->nanswers)
		return "too_fast";
	return NULL;
}

/* The answer cell `col` of the row; in a ';'-separated file a decimal
 * comma (3,5) is made a point in `buf`. */
static const char *answer_cell(const struct state *st, const struct csv_row *row, int col,
                               char *buf, size_t size)
{
	const char *cell = row->fields[col];

	if (!st->decimal_comma || row->lens[col] >= size || !decimal_comma(cell))
		return cell;
	memcpy(buf, cell, row->lens[col] + 1);
	*strchr(buf, ',') = '.';
	return buf;
}

/* Read every answer of the row; rejects the row at the first bad cell. */
static int read_answers(struct state *st, const struct csv_row *row, size_t *out_n, bool *ok)
{
	const struct codebook *cb = st->cb;
	char why[512];
	size_t n = 0;

	*ok = false;
	st->dont_know = 0;
	for (size_t i = 0; i < cb->nitems; i++) {
		const struct codebook_item *it = &cb->items[i];
		int col = st->item_col[i];
		char point[64];
		const char *cell = answer_cell(st, row, col, point, sizeof(point));
		int r = codebook_item_is_missing(it, cell)
		            ? 2
		            : survey_parse_answer(cell, it->min, it->max, st->labels,
		                                  &st->values[i], why, sizeof(why));
		if (r < 0)
			return import_reject(st->c, row, col, "%s", why);
		st->has[i] = r == 1;
		if (r == 2)
			st->dont_know++;
		if (r == 1) {
			st->answers[n].item = it->column;
			st->answers[n].value = st->values[i];
			n++;
		}
	}
	*out_n = n;
	*ok = true;
	if (st->dont_know)
		import_note(st->c, "\"don't know\" answers, counted as missing",
		            (int64_t)st->dont_know);
	return 0;
}

/* 0 and *ok when the person may be kept; skips are counted here. */
static int check_person(struct state *st, const char *id, int64_t *pid, bool *ok)
{
	enum person_status status;
	int rc;

	*ok = false;
	if ((rc = store_is_suppressed(st->s, id)) < 0)
		return rc;
	if (rc == 1) {
		import_skip(st->c, "erased earlier, not re-imported");
		return 0;
	}
	if ((rc = store_person_status(st->s, id, pid, &status)))
		return rc;
	switch (status) {
	case PERSON_ACTIVE: *ok = true; break;
	case PERSON_OPTED_OUT: import_skip(st->c, "opted out"); break;
	case PERSON_DEPARTED: import_skip(st->c, "departed"); break;
	default: import_skip(st->c, "not on the roster"); break;
	}
	return 0;
}

/* Latest wins: store `r` unless the stored response is newer or equal. */
static int keep_latest(struct state *st, const struct survey_response *r)
{
	struct survey_response_meta meta;
	int rc = store_survey_response_get(st->s, r->pid, &meta);

	if (rc < 0)
		return rc;
	if (rc == 1) {
		bool this_file = meta.import_id == import_id(st->c);
		if (r->has_submitted && meta.has_submitted && r->submitted_at < meta.submitted_at) {
			import_skip(st->c, this_file ? "superseded by a later answer in this file"
			                             : "older than the stored answer");
			return 0;
		}
		if ((rc = store_survey_response_same(st->s, r)) < 0)
			return rc;
		if (rc == 1) {
			import_skip(st->c, "unchanged, already stored");
			return 0;
		}
		if (this_file) {
			/* The earlier row of this file was counted as kept; it no
			 * longer is, so kept counts respondents, not rows. */
			st->sum->rows_kept--;
			import_skip(st->c, "superseded by a later answer in this file");
		} else {
			import_note(st->c, "replaced an earlier answer", 1);
		}
	}
	if ((rc = store_survey_response_put(st->s, r, import_id(st->c))))
		return rc;
	if (r->careless && !strcmp(r->careless, "straight_line")) {
		st->report->straight_line++;
		import_note(st->c, "flagged straight-lining", 1);
	} else if (r->careless) {
		st->report->too_fast++;
		import_note(st->c, "flagged too fast", 1);
	}
	import_keep(st->c);
	return 0;
}

/* A skipped row among the first data rows whose answers are not answers
 * is a header row read as data (the wrong --header-rows, or a layout not
 * recognised): stop rather than import the rest with "not on the roster"
 * counted. 0 when the row may be skipped quietly. */
static int header_like(struct state *st, const struct csv_row *row, const char *id)
{
	char why[512];
	double v;

	if ((size_t)row->number > st->header_rows + 3)
		return 0;
	for (size_t i = 0; i < st->cb->nitems; i++) {
		const struct codebook_item *it = &st->cb->items[i];
		char point[64];
		const char *cell = answer_cell(st, row, st->item_col[i], point, sizeof(point));
		if (codebook_item_is_missing(it, cell) ||
		    survey_parse_answer(cell, it->min, it->max, st->labels, &v, why, sizeof(why)) >=
		        0)
			continue;
		return err_set(
		    ERR_INVALID,
		    "%s:%lld:%d: line %lld reads like a header row, not data: '%s' is not "
		    "on the roster and %s; check the header rows of the export "
		    "(--header-rows N; %zu were used)",
		    import_name(st->c), (long long)row->line, st->item_col[i] + 1,
		    (long long)row->line, id, why, st->header_rows);
	}
	return 0;
}

static int process_row(struct state *st, const struct csv_row *row)
{
	struct survey_response r = {0};
	char id[ROSTER_ID_MAX + 1];
	const char *why;
	bool ok;
	int rc;

	if (row->lens[st->id_col] > ROSTER_ID_MAX + 16)
		return import_reject(st->c, row, st->id_col, "employee id is too long");
	trimmed(id, sizeof(id), row->fields[st->id_col]);
	if ((why = roster_check_id(id, strlen(id))))
		return import_reject(st->c, row, st->id_col, "%s", why);
	if ((rc = check_person(st, id, &r.pid, &ok)))
		return rc;
	if (!ok)
		return header_like(st, row, id);
	if ((rc = row_time(st, row, st->submitted_col, "submitted_at", &r.submitted_at)) < 0)
		return rc == -2 ? ERR_IO : 0;
	r.has_submitted = rc == 1;
	if ((rc = row_time(st, row, st->started_col, "started_at", &r.started_at)) < 0)
		return rc == -2 ? ERR_IO : 0;
	r.has_started = rc == 1;
	if (r.has_started && r.has_submitted && r.started_at > r.submitted_at)
		return import_reject(st->c, row, st->started_col,
		                     "started_at is later than submitted_at");
	if ((rc = read_answers(st, row, &r.nanswers, &ok)) || !ok)
		return rc;
	if (r.nanswers == 0) {
		import_skip(st->c, "no item answered");
		return 0;
	}
	score_row(st);
	r.answers = st->answers;
	r.scores = st->scores;
	r.nscores = st->cb->nconstructs;
	r.careless = careless_flag(st, row, &r);
	return keep_latest(st, &r);
}

/* --- the import ---------------------------------------------------------- */

static int save_items(struct state *st)
{
	for (size_t i = 0; i < st->cb->nitems; i++) {
		const struct codebook_item *it = &st->cb->items[i];
		struct survey_item_in in = {.item = it->column,
		                            .construct = it->construct,
		                            .min = it->min,
		                            .max = it->max,
		                            .reverse = it->reverse};
		int rc = store_survey_item_put(st->s, &in, import_id(st->c));
		if (rc)
			return rc;
	}
	return 0;
}

/* Privacy: bad rows go to the rejects file with the codebook's columns
 * only, never the free text or e-mail of the others. */
static void show_codebook_columns(struct state *st)
{
	bool *shown = xcalloc(st->ncols ? st->ncols : 1, sizeof(bool));
	int named[] = {st->id_col, st->submitted_col, st->started_col, st->duration_col};

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i] >= 0)
			shown[named[i]] = true;
	for (size_t j = 0; j < st->cb->nitems; j++)
		shown[st->item_col[j]] = true;
	import_rejects_columns(st->c, shown, st->ncols);
	free(shown);
}

static void log_ignored(const struct state *st)
{
	size_t used = 0;

	for (size_t i = 0; i < st->ncols; i++) {
		bool named = (int)i == st->id_col || (int)i == st->submitted_col ||
		             (int)i == st->started_col || (int)i == st->duration_col;
		for (size_t j = 0; j < st->cb->nitems && !named; j++)
			named = st->item_col[j] == (int)i;
		used += named;
	}
	if (used < st->ncols)
		log_info("%s: %zu column%s not in the codebook are ignored and not stored",
		         import_name(st->c), st->ncols - used, st->ncols - used == 1 ? "" : "s");
}

/* The first timestamp cell of each kind met by infer_order. */
struct date_seen {
	int64_t line;
	int col;
	char cell[64];
};

static void seen(struct date_seen *d, const struct csv_row *row, int col, const char *cell)
{
	if (d->line)
		return;
	d->line = row->line;
	d->col = col;
	trimmed(d->cell, sizeof(d->cell), cell);
}

/* Settle the order of numeric dates from every timestamp cell of the file,
 * in a first pass over it (not possible on standard input: there each
 * row's dates must settle their own order). Reading errors are left to
 * the import's own pass, which reports them in place. */
static int infer_order(struct state *st, size_t header_rows)
{
	struct date_seen dmy = {0}, mdy = {0}, amb = {0};
	int cols[2] = {st->submitted_col, st->started_col};
	struct csv_reader_opts o = st->csv;
	csv_reader *r = NULL;
	struct csv_row row;

	if (st->order != TIMEFMT_ORDER_AUTO || (cols[0] < 0 && cols[1] < 0) ||
	    !strcmp(st->path, "-"))
		return 0;
	o.prefetch_from = 0;
	if (csv_reader_open(&r, st->path, &o)) {
		err_clear();
		return 0;
	}
	while (csv_reader_next(r, &row) == 1) {
		for (int k = 0; k < 2 && (size_t)row.number > header_rows; k++) {
			const char *cell =
			    cols[k] >= 0 && (size_t)cols[k] < row.count ? row.fields[cols[k]] : "";
			int a, b;
			char sep;
			while (is_blank(*cell))
				cell++;
			/* Dotted dates are day-first by convention; 09/09 either way. */
			if (!timefmt_numeric_date(cell, &a, &b, &sep) || sep == '.' || a == b)
				continue;
			if (a > 12 && b <= 12)
				seen(&dmy, &row, cols[k], cell);
			else if (b > 12 && a <= 12)
				seen(&mdy, &row, cols[k], cell);
			else if (a <= 12 && b <= 12)
				seen(&amb, &row, cols[k], cell);
		}
	}
	csv_reader_close(&r);
	err_clear();
	if (dmy.line && mdy.line)
		return err_set(ERR_INVALID,
		               "%s:%lld:%d: dates are mixed: '%s' is month-first, but '%s' on line "
		               "%lld is day-first; correct the file, or add --date-order dmy or "
		               "--date-order mdy to reject the rows in the other order",
		               import_name(st->c), (long long)mdy.line, mdy.col + 1, mdy.cell,
		               dmy.cell, (long long)dmy.line);
	if (dmy.line || mdy.line) {
		st->order = dmy.line ? TIMEFMT_ORDER_DMY : TIMEFMT_ORDER_MDY;
		st->report->date_order_inferred = true;
		log_info("%s: dates read %s, as line %lld shows ('%s')", import_name(st->c),
		         dmy.line ? "day-first" : "month-first",
		         (long long)(dmy.line ? dmy.line : mdy.line),
		         dmy.line ? dmy.cell : mdy.cell);
		return 0;
	}
	if (amb.line)
		return err_set(ERR_INVALID,
		               "%s:%lld:%d: date '%s' could be day-first or month-first and no "
		               "date in the file settles it; add --date-order dmy or "
		               "--date-order mdy (column '%s')",
		               import_name(st->c), (long long)amb.line, amb.col + 1, amb.cell,
		               st->names[amb.col]);
	return 0;
}

/* Read the header rows and map the codebook; rows buffered beyond the
 * header are data and are processed here. */
static int read_header(struct state *st, size_t want_rows)
{
	struct owned_row rows[SURVEY_MAX_HEADER_ROWS];
	size_t n = 0, header_rows, wanted = want_rows > 3 ? want_rows : 3;
	enum survey_vendor v;
	struct csv_row row;
	int rc = 0;

	memset(rows, 0, sizeof(rows));
	while (n < wanted && (rc = csv_reader_next(import_reader(st->c), &row)) == 1)
		row_copy(&rows[n++], &row);
	if (rc < 0)
		goto out;
	if (n == 0) {
		rc = err_set(ERR_NODATA, "%s: the file is empty", import_name(st->c));
		goto out;
	}
	v = detect(rows, n, &header_rows);
	if (want_rows && want_rows != header_rows) {
		header_rows = want_rows;
		v = SURVEY_GENERIC;
	}
	if (n < header_rows) {
		rc = err_set(ERR_NODATA, "%s: only %zu rows, fewer than the %zu header rows",
		             import_name(st->c), n, header_rows);
		goto out;
	}
	st->report->vendor = v;
	st->report->header_rows = header_rows;
	st->header_rows = header_rows;
	if ((rc = map_columns(st, rows, header_rows, v)))
		goto out;
	st->decimal_comma = csv_reader_delimiter(import_reader(st->c)) == ';';
	if ((rc = infer_order(st, header_rows)))
		goto out;
	st->report->date_order = st->order;
	struct csv_row names = {
	    .count = st->ncols, .fields = (const char *const *)st->names, .line = rows[0].line};
	import_set_header(st->c, &names);
	show_codebook_columns(st);
	log_ignored(st);
	if ((rc = save_items(st)))
		goto out;
	for (size_t i = header_rows; i < n && !rc; i++) {
		struct csv_row data = row_view(&rows[i]);
		st->sum->rows_read++;
		rc = process_row(st, &data);
	}
out:
	for (size_t i = 0; i < n; i++)
		row_free(&rows[i]);
	return rc;
}

static void state_free(struct state *st)
{
	for (size_t i = 0; st->names && i < st->ncols; i++)
		free(st->names[i]);
	free(st->names);
	free(st->item_col);
	free(st->values);
	free(st->has);
	free(st->answers);
	free(st->scores);
}

static int load_inputs(const struct survey_import_opts *sopts, const struct import_opts *opts,
                       struct codebook **cb, labels **l)
{
	int rc;

	if (!sopts->codebook)
		return err_set(ERR_USAGE, "import survey needs --codebook CODEBOOK");
	if (sopts->header_rows > SURVEY_MAX_HEADER_ROWS)
		return err_set(ERR_USAGE, "--header-rows is at most %d", SURVEY_MAX_HEADER_ROWS);
	/* --encoding is the export's: the codebook and labels are our own files. */
	struct csv_reader_opts own = opts->csv;
	own.encoding = NULL;
	if ((rc = codebook_load(cb, sopts->codebook, &own)))
		return rc;
	*l = labels_new();
	if (sopts->labels && (rc = labels_load(*l, sopts->labels, &own)))
		return rc;
	return 0;
}

static int64_t note_count(const struct import_summary *sum, const char *label)
{
	for (size_t i = 0; i < sum->nnotes; i++)
		if (!strcmp(sum->notes[i].label, label))
			return sum->notes[i].count;
	return 0;
}

/* An import in which every row either answered none of the codebook's
 * items or names no one on the roster is refused: the codebook does not
 * fit the export (one column per answer choice, the wrong id column). Rows
 * of people who opted out, left or were erased are a legitimate reason to
 * store nothing and are not counted against the file. */
static int scored_anyone(const struct state *st, const struct import_summary *sum)
{
	int64_t unanswered = note_count(sum, "no item answered");
	int64_t unknown = note_count(sum, "not on the roster");

	if (sum->rows_kept > 0 || sum->rows_rejected > 0 || unanswered + unknown < sum->rows_read)
		return 0;
	return err_set(ERR_NODATA,
	               "%s: nobody was scored: of %lld rows, %lld answered none of the "
	               "codebook's items and %lld name no one on the roster; nothing imported "
	               "(does the codebook fit this export? one column per answer choice is "
	               "not read)",
	               import_name(st->c), (long long)sum->rows_read, (long long)unanswered,
	               (long long)unknown);
}

static int run(struct state *st, const struct survey_import_opts *sopts, struct import_summary *sum)
{
	struct csv_row row;
	int rc;

	if ((rc = read_header(st, sopts->header_rows)))
		return rc;
	while ((rc = import_next(st->c, &row)) == 1)
		if ((rc = process_row(st, &row)))
			return rc;
	if (rc < 0)
		return rc;
	if (sum->rows_read == 0)
		return err_set(ERR_NODATA, "%s: no data rows after the header; nothing imported",
		               import_name(st->c));
	return scored_anyone(st, sum);
}

int survey_import(store *s, const char *path, const struct survey_import_opts *sopts,
                  const struct import_opts *opts, struct import_summary *sum,
                  struct survey_report *report)
{
	struct survey_report local = {0};
	struct codebook *cb = NULL;
	labels *l = NULL;
	struct state st = {0};
	int rc;

	if (!report)
		report = &local;
	memset(report, 0, sizeof(*report));
	if ((rc = load_inputs(sopts, opts, &cb, &l)))
		goto out;
	if ((rc = import_known_bytes(s, "survey", path, opts, sum))) {
		rc = rc < 0 ? rc : 0;
		goto out;
	}
	st.s = s;
	st.cb = cb;
	st.labels = l;
	st.path = path;
	st.csv = opts->csv;
	st.csv.sniff_delimiter = !st.csv.delimiter;
	st.order = sopts->date_order;
	st.now = clock_now();
	st.report = report;
	st.sum = sum;
	st.item_col = xcalloc(cb->nitems, sizeof(int));
	st.values = xcalloc(cb->nitems, sizeof(double));
	st.has = xcalloc(cb->nitems, sizeof(bool));
	st.answers = xcalloc(cb->nitems, sizeof(*st.answers));
	st.scores = xcalloc(cb->nconstructs, sizeof(*st.scores));
	if ((rc = import_begin(&st.c, s, "survey", path, opts, sum)))
		goto out;
	if ((rc = run(&st, sopts, sum))) {
		import_abort(&st.c);
		goto out;
	}
	rc = import_end(&st.c);
	if (!rc && !sum->duplicate)
		rc = survey_reliability(s, cb, report);
out:
	state_free(&st);
	codebook_destroy(&cb);
	labels_destroy(&l);
	if (report == &local)
		survey_report_clear(&local);
	return rc;
}

/* --- reliability ----------------------------------------------------------- */

/* Complete-case matrices, one per construct, filled from a pass over the
 * stored answers ordered by pid. */
struct rel {
	const struct codebook *cb;
	int64_t pid;
	double *values;
	bool *has;
	double **m; /* per construct: rows x items, reverse items flipped */
	size_t *rows, *cap, *k;
};

static void rel_flush(struct rel *r)
{
	const struct codebook *cb = r->cb;

	for (size_t c = 0; c < cb->nconstructs; c++) {
		size_t col = 0;
		bool complete = r->k[c] > 0;
		for (size_t i = 0; i < cb->nitems && complete; i++)
			complete = cb->items[i].construct_index != c || r->has[i];
		if (!complete)
			continue;
		if (r->rows[c] == r->cap[c]) {
			r->cap[c] = r->cap[c] ? 2 * r->cap[c] : 64;
			r->m[c] = xreallocarray(r->m[c], r->cap[c] * r->k[c], sizeof(double));
		}
		for (size_t i = 0; i < cb->nitems; i++) {
			const struct codebook_item *it = &cb->items[i];
			if (it->construct_index != c)
				continue;
			/* On 0..1, as in the construct score, so a 0..10 item
			 * weighs like a 1..5 one. */
			r->m[c][r->rows[c] * r->k[c] + col++] =
			    store_survey_unit(r->values[i], it->min, it->max, it->reverse);
		}
		r->rows[c]++;
	}
	memset(r->has, 0, cb->nitems * sizeof(bool));
}

static int rel_answer(void *ctx, int64_t pid, const char *item, double value)
{
	struct rel *r = ctx;

	if (pid != r->pid) {
		rel_flush(r);
		r->pid = pid;
	}
	for (size_t i = 0; i < r->cb->nitems; i++) {
		if (!strcmp(r->cb->items[i].column, item)) {
			r->values[i] = value;
			r->has[i] = true;
			break;
		}
	}
	return 0;
}

static int rel_report(store *s, struct rel *r, struct survey_report *report)
{
	const struct codebook *cb = r->cb;
	int rc;

	report->constructs = xcalloc(cb->nconstructs, sizeof(*report->constructs));
	report->nconstructs = cb->nconstructs;
	for (size_t c = 0; c < cb->nconstructs; c++) {
		struct survey_construct_report *cr = &report->constructs[c];
		snprintf(cr->name, sizeof(cr->name), "%s", cb->constructs[c]);
		cr->items = r->k[c];
		cr->complete = r->rows[c];
		if ((rc = store_survey_construct_stats(s, cb->constructs[c], &cr->respondents,
		                                       &cr->mean)))
			return rc;
		if (survey_cronbach_alpha(&cr->alpha, r->m[c], r->rows[c], r->k[c]) == 0)
			cr->has_alpha = true;
		else
			snprintf(cr->note, sizeof(cr->note), "%s", err_msg());
	}
	err_clear();
	return 0;
}

int survey_reliability(store *s, const struct codebook *cb, struct survey_report *report)
{
	struct rel r = {.cb = cb, .pid = -1};
	int rc;

	survey_report_clear(report);
	r.values = xcalloc(cb->nitems, sizeof(double));
	r.has = xcalloc(cb->nitems, sizeof(bool));
	r.m = xcalloc(cb->nconstructs, sizeof(double *));
	r.rows = xcalloc(cb->nconstructs, sizeof(size_t));
	r.cap = xcalloc(cb->nconstructs, sizeof(size_t));
	r.k = xcalloc(cb->nconstructs, sizeof(size_t));
	for (size_t c = 0; c < cb->nconstructs; c++)
		r.k[c] = codebook_construct_items(cb, c);
	if ((rc = store_read_begin(s)))
		goto out;
	rc = store_survey_answers_each(s, true, rel_answer, &r);
	if (!rc) {
		rel_flush(&r);
		rc = rel_report(s, &r, report);
	}
	store_read_end(s);
out:
	if (rc)
		survey_report_clear(report);
	for (size_t c = 0; c < cb->nconstructs; c++)
		free(r.m[c]);
	free(r.m);
	free(r.rows);
	free(r.cap);
	free(r.k);
	free(r.values);
	free(r.has);
	return rc;
}
