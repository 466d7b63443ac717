/* survey.c - reading a survey export through its codebook.
 *
 * The first rows are buffered (owned copies) to recognise the vendor by its
 * header rows; rows that turn out to be data are then processed like any
 * other. Each data row is checked in full before anything is written; the
 * importer's state owns the per-row scratch arrays, the codebook and the
 * label set. Privacy: only codebook columns are ever read from a row.
 *
 * Answers are read in survey_answer.c, the vendor and the codebook's
 * columns found in survey_header.c, and the per-construct report made in
 * reliability.c; survey_int.h holds what they share. */
#include "survey/survey.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/store_roster.h"
#include "core/store_survey.h"
#include "core/timefmt.h"
#include "survey/roster.h"
#include "survey/survey_int.h"

/* Timestamps this far ahead of the clock are refused as "in the future";
 * a day leaves room for exports stamped in local time without a zone. */
#define FUTURE_SLACK (24 * 3600)

void survey_report_clear(struct survey_report *r)
{
	if (!r)
		return;
	free(r->constructs);
	r->constructs = NULL;
	r->nconstructs = 0;
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

	if (!st->decimal_comma || row->lens[col] >= size || !survey_decimal_comma(cell))
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
		survey_row_copy(&rows[n++], &row);
	if (rc < 0)
		goto out;
	if (n == 0) {
		rc = err_set(ERR_NODATA, "%s: the file is empty", import_name(st->c));
		goto out;
	}
	v = survey_detect(rows, n, &header_rows);
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
	if ((rc = survey_map_columns(st, rows, header_rows, v)))
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
		struct csv_row data = survey_row_view(&rows[i]);
		st->sum->rows_read++;
		rc = process_row(st, &data);
	}
out:
	for (size_t i = 0; i < n; i++)
		survey_row_free(&rows[i]);
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
