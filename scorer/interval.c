/* interval.c - rank intervals by resampling each person's evidence.
 *
 * The population's references (volume, conversation, the response scale)
 * stay those of the real data: an interval says how much a person's rank
 * rests on which of their own weeks and answers happened to be seen, not
 * how the company would look with other data. People are resampled in
 * rank order, each B times in a row, from one generator, so the result
 * depends only on the population, the weights, B and the seed. Every
 * draw's score is kept (B doubles per eligible person), replaced by its
 * rank when each draw is ranked, and sorted per person for the
 * percentiles. Nothing here is owned beyond the call.
 */
#include "scorer/interval.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/mem.h"
#include "scorer/rank.h"

/* Draw the person's evidence again into sp (a copy): as many weeks as the
 * window has, each any week of the window, and per construct as many
 * items as were answered. A construct that was not scored stays unknown;
 * one scored without items in the store (a codebook changed since) keeps
 * its score. */
static void resample(const scorer_population *pop, struct scorer_person *sp, gsl_rng *rng)
{
	size_t w = pop->window_weeks > 0 ? (size_t)pop->window_weeks : 0;
	double *in[SCORER_CONSTRUCTS] = {&sp->in_attitude, &sp->in_intrinsic, &sp->in_extrinsic};

	sp->total = (struct scorer_activity){0};
	sp->steady_weight = 0;
	for (size_t k = 0; k < w; k++) {
		size_t u = (size_t)gsl_rng_uniform_int(rng, w);
		const struct scorer_week *wk;
		if (u >= sp->week_count)
			continue; /* a week without activity */
		wk = &pop->weeks[sp->week_first + u];
		sp->total.own += wk->a.own;
		sp->total.conversation += wk->a.conversation;
		sp->total.amplification += wk->a.amplification;
		sp->total.posts += wk->a.posts;
		sp->total.engagement += wk->a.engagement;
		sp->total.weeks_active += wk->a.weeks_active;
		sp->steady_weight += wk->steady;
	}
	for (int c = 0; c < SCORER_CONSTRUCTS; c++) {
		size_t n = sp->item_count[c];
		double sum = 0;
		if (!isfinite(*in[c]) || n == 0)
			continue;
		for (size_t k = 0; k < n; k++)
			sum += pop->items[sp->item_first[c] + (size_t)gsl_rng_uniform_int(rng, n)];
		*in[c] = sum / (double)n;
	}
}

/* The b resampled scores of the person at position j of pop->order into
 * v[0..b): NaN when a draw leaves them not eligible. One person at a time,
 * all b draws: their record and evidence stay in the cache (a loop over
 * everyone per draw spent most of its time fetching them again). */
static void scores_of(const scorer_population *pop, const struct scorer_params *p, gsl_rng *rng,
                      size_t j, double *v, size_t b)
{
	const struct scorer_person *sp = &pop->people[pop->order[j]];

	for (size_t r = 0; r < b; r++) {
		struct scorer_person tmp = *sp; /* borrows the strings, frees nothing */
		resample(pop, &tmp, rng);
		scorer_person_rescore(pop, &tmp, p);
		v[r] = tmp.eligible ? tmp.score : NAN;
	}
}

/* Rank replicate r: everyone's score in it (m[j * b + r]) is replaced by
 * their rank among the eligible of that draw; NaN ranks after every
 * score, ties by employee_id. */
static void rank_replicate(const scorer_population *pop, struct scorer_rank_key *keys, double *m,
                           size_t b, size_t r)
{
	size_t e = pop->eligible;

	for (size_t j = 0; j < e; j++)
		keys[j] = (struct scorer_rank_key){m[j * b + r],
		                                   pop->people[pop->order[j]].employee_id, j};
	scorer_rank_sort(keys, e);
	for (size_t k = 0; k < e; k++)
		m[keys[k].index * b + r] = (double)(k + 1);
}

/* The percentiles of one person's b ranks x[0..b) (sorted here), rounded
 * outwards and widened to take in their rank. */
static void interval_of(struct scorer_person *sp, double *x, size_t b)
{
	double lo, hi;

	gsl_sort(x, 1, b);
	lo = floor(gsl_stats_quantile_from_sorted_data(x, 1, b, SCORER_INTERVAL_LO));
	hi = ceil(gsl_stats_quantile_from_sorted_data(x, 1, b, SCORER_INTERVAL_HI));
	sp->rank_lo = (int64_t)lo < sp->rank ? (int64_t)lo : sp->rank;
	sp->rank_hi = (int64_t)hi > sp->rank ? (int64_t)hi : sp->rank;
}

int scorer_intervals(scorer_population *pop, const struct scorer_params *p, size_t b, uint64_t seed)
{
	size_t e = pop->eligible;
	struct scorer_rank_key *keys;
	double *m; /* m[j * b + r]: the score, then the rank, of person j in draw r */
	gsl_rng *rng;

	if (b < 1 || b > SCORER_INTERVAL_MAXB)
		return err_set(ERR_INVALID, "rank intervals: %zu replicates (1 to %d)", b,
		               SCORER_INTERVAL_MAXB);
	if (!pop->evidence)
		return err_set(ERR_INVALID, "rank intervals need the evidence loaded");
	gsl_set_error_handler_off();
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!rng)
		return err_set(ERR_NOMEM, "rank intervals: no memory for the generator");
	gsl_rng_set(rng, (unsigned long)seed);
	keys = xreallocarray(NULL, e ? e : 1, sizeof(*keys));
	m = xreallocarray(NULL, (e ? e : 1) * b, sizeof(*m));
	for (size_t j = 0; j < e; j++)
		scores_of(pop, p, rng, j, m + j * b, b);
	for (size_t r = 0; r < b; r++)
		rank_replicate(pop, keys, m, b, r);
	for (size_t i = 0; i < pop->n; i++)
		pop->people[i].rank_lo = pop->people[i].rank_hi = 0;
	for (size_t j = 0; j < e; j++)
		interval_of(&pop->people[pop->order[j]], m + j * b, b);
	pop->intervals = true;
	gsl_rng_free(rng);
	free(keys);
	free(m);
	return 0;
}
