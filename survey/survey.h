/* survey.h - `import survey FILE --codebook CODEBOOK` (docs/design.md, Contract 2.2): survey
 * exports of Microsoft Forms, Google Forms, Qualtrics and SurveyMonkey (or
 * any CSV with a header) read through a codebook into survey_responses,
 * survey_answers and survey_scores, one transaction per file.
 *
 * Only the columns the codebook names are read; e-mail, names and free
 * text in the export are never stored. Respondents not on the roster,
 * opted out, departed or erased are skipped and counted. Each person
 * keeps one response: the latest by submitted_at (a tie, or no timestamp,
 * goes to the later row or the later import); an older answer never
 * replaces a newer stored one. docs/hr.md, section 'Survey import' has the rules and numbers.
 *
 * Defined in survey/survey.c (the import and its rows),
 * survey/survey_header.c (the vendor and the columns),
 * survey/survey_answer.c (reading an answer) and survey/reliability.c (the
 * per-construct report).
 */
#ifndef AMB_SURVEY_SURVEY_H
#define AMB_SURVEY_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "core/timefmt.h"
#include "survey/codebook.h"
#include "survey/import.h"
#include "survey/labels.h"

/* Seconds per answered item below which a response counts as too fast. */
#define SURVEY_MIN_SECONDS_PER_ITEM 2.0
/* Straight-lining: this many answered items on one scale, all the same. */
#define SURVEY_STRAIGHT_LINE_MIN_ITEMS 5
/* Most header rows --header-rows accepts. */
#define SURVEY_MAX_HEADER_ROWS 10

enum survey_vendor {
	SURVEY_GENERIC = 0,
	SURVEY_QUALTRICS,    /* 3 header rows: codes, question text, import ids */
	SURVEY_SURVEYMONKEY, /* 2 header rows: questions, sub-questions */
	SURVEY_MSFORMS,      /* 1 header row with Start time, Completion time */
	SURVEY_GOOGLE,       /* 1 header row starting with Timestamp */
};

struct survey_import_opts {
	const char *codebook; /* required */
	const char *labels;   /* NULL: built-in labels only */
	size_t header_rows;   /* 0 = detect (Qualtrics 3, SurveyMonkey 2, else 1) */
	/* Order of numeric dates such as 09/10/2024 in the timestamp columns.
	 * AUTO infers it from every timestamp of the file: a first number
	 * above 12 means day-first, a second above 12 month-first; a file
	 * whose dates are all ambiguous, or that holds both, is refused. */
	enum timefmt_order date_order;
};

/* Per construct, over every stored response not flagged careless. */
struct survey_construct_report {
	char name[CODEBOOK_NAME_MAX];
	size_t items;
	int64_t respondents; /* with a score */
	double mean;         /* mean score, 0..1 */
	size_t complete;     /* answered every item: alpha's rows (items on 0..1) */
	bool has_alpha;
	double alpha;
	char note[256]; /* why there is no alpha */
};

struct survey_report {
	enum survey_vendor vendor;
	size_t header_rows;
	int64_t straight_line, too_fast; /* flagged in this import */
	enum timefmt_order date_order;   /* how numeric dates were read (AUTO: none seen) */
	bool date_order_inferred;        /* from the file rather than the option */
	struct survey_construct_report *constructs;
	size_t nconstructs;
};

/* Import `path`. Returns 0 (also for a duplicate: sum->duplicate),
 * ERR_INVALID for a bad codebook, labels file or header (message with
 * file:line:col) or for bad rows (listed in sum->errors; nothing stored
 * unless opts->skip_invalid), ERR_NODATA for a file without data rows, or
 * another err_code. After a committed import `report` (may be NULL) holds
 * the per-construct summary; free it with survey_report_clear. */
int survey_import(store *s, const char *path, const struct survey_import_opts *sopts,
                  const struct import_opts *opts, struct import_summary *sum,
                  struct survey_report *report);

/* Respondents, mean and Cronbach's alpha per construct of `cb`, from the
 * stored answers (reverse items flipped, careless responses left out,
 * complete cases only). Fills report->constructs. Defined in
 * survey/reliability.c. */
int survey_reliability(store *s, const struct codebook *cb, struct survey_report *report);

void survey_report_clear(struct survey_report *r);

/* The vendor's name, for reports (survey/survey_header.c). */
const char *survey_vendor_name(enum survey_vendor v);

/* Read one answer cell for an item on [min, max]: a number (parsed whole
 * by strtod: no NaN, infinity, hex, overflow or decimal comma) or a label,
 * also with a number in front ("5 - Strongly agree", "(5) Strongly agree").
 * Returns 1 with *out, 0 for an empty cell (missing), 2 for a "don't know"
 * label (missing too), or -1 with the reason in why. Defined in
 * survey/survey_answer.c. */
int survey_parse_answer(const char *cell, double min, double max, const labels *l, double *out,
                        char *why, size_t whysize);

#endif
