/* reliability.c - Cronbach's alpha with GSL's variance, and the
 * per-construct report of a survey import (survey_reliability): one pass
 * over the stored answers, ordered by pid, fills a complete-case matrix per
 * construct (items on 0..1, reverse items flipped) for the alpha. The
 * caller owns the matrix given to survey_cronbach_alpha; one temporary
 * array of row totals is allocated there. */
#include "survey/reliability.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/store_survey.h"
#include "survey/survey.h"

int survey_cronbach_alpha(double *out, const double *matrix, size_t respondents, size_t items)
{
	double *totals = NULL, sum_var = 0, total_var;
	int rc = 0;

	/* GSL's default handler aborts; every status is checked here. */
	gsl_set_error_handler_off();
	if (items < 2)
		return err_set(ERR_INVALID, "alpha needs at least 2 items (has %zu)", items);
	if (respondents < 2)
		return err_set(
		    ERR_INVALID,
		    "alpha needs at least 2 respondents who answered every item (has %zu)",
		    respondents);
	for (size_t i = 0; i < respondents * items; i++)
		if (!isfinite(matrix[i]))
			return err_set(ERR_INVALID, "alpha: value %zu is not a finite number", i);
	totals = xcalloc(respondents, sizeof(double));
	for (size_t r = 0; r < respondents; r++)
		for (size_t i = 0; i < items; i++)
			totals[r] += matrix[r * items + i];
	for (size_t i = 0; i < items; i++)
		sum_var += gsl_stats_variance(matrix + i, items, respondents);
	total_var = gsl_stats_variance(totals, 1, respondents);
	if (!(total_var > 0) || !isfinite(total_var) || !isfinite(sum_var)) {
		rc = err_set(ERR_INVALID, "alpha is undefined: the total scores do not vary");
		goto out;
	}
	*out = (double)items / (double)(items - 1) * (1.0 - sum_var / total_var);
out:
	free(totals);
	return rc;
}

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
