/* evaluate.c - AUC, precision at k and calibration with bootstrap
 * intervals (evaluate.h). Sorting is by (score, index) so equal scores
 * always break the same way; temporary arrays are freed before return. */
#include "scorer/evaluate.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/mem.h"

struct item {
	double score;
	size_t idx;
};

static int cmp_asc(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_desc(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static struct item *items(const double *score, size_t n)
{
	struct item *it = xmalloc((n ? n : 1) * sizeof(*it));
	for (size_t i = 0; i < n; i++)
		it[i] = (struct item){isfinite(score[i]) ? score[i] : 0, i};
	return it;
}

double evaluate_auc(const double *score, const int *y, size_t n)
{
	struct item *it = items(score, n);
	double rank_sum = 0, n1 = 0, n0;

	qsort(it, n, sizeof(*it), cmp_asc);
	/* mid-ranks: a run of equal scores shares the mean of its positions */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && it[j + 1].score == it[i].score)
			j++;
		double mid = (double)(i + j) / 2.0 + 1.0;
		for (size_t k = i; k <= j; k++)
			if (y[it[k].idx]) {
				rank_sum += mid;
				n1++;
			}
		i = j + 1;
	}
	free(it);
	n0 = (double)n - n1;
	if (n1 == 0 || n0 == 0)
		return NAN;
	return (rank_sum - n1 * (n1 + 1) / 2.0) / (n1 * n0);
}

double evaluate_precision(const double *score, const int *y, size_t n, size_t k)
{
	struct item *it = items(score, n);
	size_t hit = 0;

	if (k > n)
		k = n;
	qsort(it, n, sizeof(*it), cmp_desc);
	for (size_t i = 0; i < k; i++)
		hit += y[it[i].idx] != 0;
	free(it);
	return k ? (double)hit / (double)k : NAN;
}

static int band_of(double score)
{
	int b = (int)floor(score / (100.0 / EVALUATE_BANDS));
	return b < 0 ? 0 : b >= EVALUATE_BANDS ? EVALUATE_BANDS - 1 : b;
}

/* Point figures of one sample: auc, precision, then each band's rate. */
static void figures(double *out, const double *score, const int *y, size_t n, size_t k)
{
	size_t people[EVALUATE_BANDS] = {0}, pos[EVALUATE_BANDS] = {0};

	out[0] = evaluate_auc(score, y, n);
	out[1] = evaluate_precision(score, y, n, k);
	for (size_t i = 0; i < n; i++) {
		int b = band_of(score[i]);
		people[b]++;
		pos[b] += y[i] != 0;
	}
	for (int b = 0; b < EVALUATE_BANDS; b++)
		out[2 + b] = people[b] ? (double)pos[b] / (double)people[b] : NAN;
}

/* 5th and 95th percentiles of the finite values among v[0..n) (stride). */
static void interval(double *v, size_t n, size_t stride, double *lo, double *hi)
{
	double *f = xmalloc((n ? n : 1) * sizeof(double));
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i * stride]))
			f[m++] = v[i * stride];
	*lo = *hi = NAN;
	if (m > 0) {
		gsl_sort(f, 1, m);
		*lo = gsl_stats_quantile_from_sorted_data(f, 1, m, 0.05);
		*hi = gsl_stats_quantile_from_sorted_data(f, 1, m, 0.95);
	}
	free(f);
}

int evaluate_run(struct evaluation *out, const double *score, const int *y, size_t n, size_t k,
                 size_t resamples, uint64_t seed)
{
	enum { NF = 2 + EVALUATE_BANDS };
	double point[NF], *boot = NULL, *bs = NULL;
	int *by = NULL;
	gsl_rng *rng = NULL;
	size_t pos = 0;

	*out = (struct evaluation){.n = n, .k = k > n ? n : k, .resamples = resamples};
	for (size_t i = 0; i < n; i++)
		pos += y[i] != 0;
	out->positive = pos;
	if (n < EVALUATE_MIN_OUTCOMES)
		return err_set(
		    ERR_INVALID,
		    "%zu outcomes; at least %d are needed to compare weights: with fewer, "
		    "chance decides the figures (a pilot of 12 cannot validate weights)",
		    n, EVALUATE_MIN_OUTCOMES);
	if (pos == 0 || pos == n)
		return err_set(ERR_INVALID,
		               "all %zu outcomes are %s: weights can only be judged by how they "
		               "separate both kinds",
		               n, pos ? "positive" : "negative");
	figures(point, score, y, n, out->k);
	boot = xmalloc((resamples ? resamples : 1) * NF * sizeof(double));
	bs = xmalloc(n * sizeof(double));
	by = xmalloc(n * sizeof(int));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!rng)
		abort(); /* out of memory: the xmalloc policy */
	gsl_rng_set(rng, (unsigned long)seed);
	for (size_t r = 0; r < resamples; r++) {
		for (size_t i = 0; i < n; i++) {
			size_t j = (size_t)gsl_rng_uniform_int(rng, (unsigned long)n);
			bs[i] = score[j];
			by[i] = y[j];
		}
		figures(boot + r * NF, bs, by, n, out->k);
	}
	out->auc.value = point[0];
	interval(boot, resamples, NF, &out->auc.lo, &out->auc.hi);
	out->precision.value = point[1];
	interval(boot + 1, resamples, NF, &out->precision.lo, &out->precision.hi);
	for (int b = 0; b < EVALUATE_BANDS; b++) {
		struct evaluate_band *eb = &out->bands[b];
		double sum = 0;
		eb->from = b * (100.0 / EVALUATE_BANDS);
		eb->to = (b + 1) * (100.0 / EVALUATE_BANDS);
		for (size_t i = 0; i < n; i++)
			if (band_of(score[i]) == b) {
				eb->people++;
				eb->positive += y[i] != 0;
				sum += score[i] / 100.0;
			}
		eb->mean_score = eb->people ? sum / (double)eb->people : NAN;
		eb->rate.value = point[2 + b];
		interval(boot + 2 + b, resamples, NF, &eb->rate.lo, &eb->rate.hi);
	}
	gsl_rng_free(rng);
	free(boot);
	free(bs);
	free(by);
	return 0;
}
