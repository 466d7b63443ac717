/* store_survey.h - survey items, responses, answers and construct scores
 * (schema: migration 2). One stored response per person: the importer
 * decides which one is the latest and replaces it whole. */
#ifndef AMB_CORE_STORE_SURVEY_H
#define AMB_CORE_STORE_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

struct survey_item_in {
	const char *item; /* the export's header text, as the codebook names it */
	const char *construct;
	double min, max;
	bool reverse;
};

/* An answer on its item's scale [min, max] as a value on 0..1, turned
 * round for a reverse-keyed item: how construct scores are made
 * (survey/survey.c) and how scoring resamples them (scorer/interval.h). */
static inline double store_survey_unit(double value, double min, double max, bool reverse)
{
	double r = (value - min) / (max - min);

	return reverse ? 1 - r : r;
}

/* Insert or update a codebook item; the row is rewritten (with
 * `import_id`) only when something about it changed. */
int store_survey_item_put(store *s, const struct survey_item_in *it, int64_t import_id);

struct survey_answer {
	const char *item;
	double value; /* on the item's own scale, as given (not reversed) */
};

struct survey_score {
	const char *construct;
	bool has_score; /* false: too few items answered */
	double score;   /* 0..1 after reversing */
	int answered, items;
};

struct survey_response {
	int64_t pid;
	bool has_submitted, has_started;
	int64_t submitted_at, started_at;
	const char *careless; /* NULL, "straight_line" or "too_fast" */
	const struct survey_answer *answers;
	size_t nanswers;
	const struct survey_score *scores;
	size_t nscores;
};

/* What is stored about a person's response, for the latest-wins rule. */
struct survey_response_meta {
	bool has_submitted;
	int64_t submitted_at;
	int64_t import_id;
};

/* 1 and *out when person `pid` has a stored response, 0 when not. */
int store_survey_response_get(store *s, int64_t pid, struct survey_response_meta *out);

/* 1 when the stored response of r->pid has the same timestamps, careless
 * flag and exactly the same answers as `r`, else 0. */
int store_survey_response_same(store *s, const struct survey_response *r);

/* Replace person r->pid's response, answers and scores with `r`. */
int store_survey_response_put(store *s, const struct survey_response *r, int64_t import_id);

/* Visit every stored answer, ordered by pid, skipping responses flagged
 * careless when `trusted_only`. The callback returns 0 to go on, non-zero
 * to stop (that value is returned). `item` is borrowed for the call. */
typedef int (*store_answer_fn)(void *ctx, int64_t pid, const char *item, double value);
int store_survey_answers_each(store *s, bool trusted_only, store_answer_fn fn, void *ctx);

/* For `construct`: respondents with a score (not flagged careless) and
 * their mean score (0 when none). */
int store_survey_construct_stats(store *s, const char *construct, int64_t *out_respondents,
                                 double *out_mean);

/* Counts over every stored response: all, and flagged careless. */
int store_survey_counts(store *s, int64_t *out_responses, int64_t *out_careless);

#endif
