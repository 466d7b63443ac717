/* test_evaluate.c - AUC with ties, precision at k, the refusal under 20
 * outcomes, bootstrap determinism, and the weight fit recovering the
 * weights that generated its outcomes. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "core/err.h"
#include "scorer/evaluate.h"
#include "scorer/fit.h"

Test(scorer_evaluate, computes_auc_as_mann_whitney_with_ties_counting_half)
{
	const double s[6] = {1, 2, 3, 4, 5, 6};
	const int perfect[6] = {0, 0, 0, 1, 1, 1}, reverse[6] = {1, 1, 1, 0, 0, 0};
	const double tied[4] = {5, 5, 5, 5};
	const int y4[4] = {0, 1, 0, 1};
	/* positives at 2 and 6, negatives at 1, 3, 4, 5: pairs won 1 + 4 of 8 */
	const int mixed[6] = {0, 1, 0, 0, 0, 1};

	cr_assert(eq(dbl, evaluate_auc(s, perfect, 6), 1));
	cr_assert(eq(dbl, evaluate_auc(s, reverse, 6), 0));
	cr_assert(eq(dbl, evaluate_auc(tied, y4, 4), 0.5));
	cr_assert(epsilon_eq(dbl, evaluate_auc(s, mixed, 6), 5.0 / 8.0, 1e-12));
	cr_assert(isnan(evaluate_auc(s, (const int[6]){0}, 6)));
	cr_assert(eq(dbl, evaluate_precision(s, perfect, 6, 3), 1));
	cr_assert(epsilon_eq(dbl, evaluate_precision(s, mixed, 6, 4), 0.25, 1e-12));
}

static void sample(double *score, int *y, size_t n, unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	for (size_t i = 0; i < n; i++) {
		score[i] = 100 * gsl_rng_uniform(r);
		y[i] = gsl_rng_uniform(r) < score[i] / 100;
	}
	gsl_rng_free(r);
}

Test(scorer_evaluate, refuses_a_pilot_of_twelve_and_is_deterministic)
{
	double score[200];
	int y[200];
	struct evaluation a, b;

	sample(score, y, 200, 3);
	cr_assert(eq(int, evaluate_run(&a, score, y, 12, 12, 100, 1), ERR_INVALID));
	cr_assert(strstr(err_msg(), "a pilot of 12 cannot validate weights") != NULL);
	cr_assert(eq(int, evaluate_run(&a, score, y, 200, 12, 300, 7), 0), "%s", err_msg());
	cr_assert(eq(int, evaluate_run(&b, score, y, 200, 12, 300, 7), 0));
	cr_assert(a.auc.value == b.auc.value && a.auc.lo == b.auc.lo && a.auc.hi == b.auc.hi &&
	          a.precision.lo == b.precision.lo && a.bands[2].rate.hi == b.bands[2].rate.hi);
	cr_assert(a.auc.lo < a.auc.value && a.auc.value < a.auc.hi);
	cr_assert(gt(dbl, a.auc.value, 0.7));
	size_t people = 0;
	for (int k = 0; k < EVALUATE_BANDS; k++)
		people += a.bands[k].people;
	cr_assert(eq(sz, people, 200));
	/* the share rises from the lowest band to the highest */
	cr_assert(lt(dbl, a.bands[0].rate.value, a.bands[EVALUATE_BANDS - 1].rate.value));
}

Test(scorer_evaluate, fit_recovers_the_weights_that_made_the_outcomes)
{
	enum { N = 3000 };
	static double x[3 * N];
	static int y[N];
	const double truth[3] = {0.6, 0.25, 0.15}, start[3] = {0.4, 0.4, 0.2};
	struct fit_result a, b;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, 11);
	for (size_t i = 0; i < N; i++) {
		double z = 0;
		for (int j = 0; j < 3; j++) {
			x[3 * i + j] = log(0.05 + 0.95 * gsl_rng_uniform(r));
			z += 4 * truth[j] * x[3 * i + j];
		}
		y[i] = gsl_rng_uniform(r) < 1 / (1 + exp(-(z + 2)));
	}
	gsl_rng_free(r);
	cr_assert(eq(int, fit_weights(&a, x, y, N, start, 5, 200, 1), 0), "%s", err_msg());
	for (int j = 0; j < 3; j++)
		cr_assert(epsilon_eq(dbl, a.weights[j], truth[j], 0.05), "weight %d: %f", j,
		          a.weights[j]);
	cr_assert(epsilon_eq(dbl, a.weights[0] + a.weights[1] + a.weights[2], 1, 1e-12));
	cr_assert(ge(dbl, a.cv_proposed.value, a.cv_current.value - 0.01));
	cr_assert(eq(int, fit_weights(&b, x, y, N, start, 5, 200, 1), 0));
	for (int j = 0; j < 3; j++)
		cr_assert(eq(dbl, a.weights[j], b.weights[j]));
	cr_assert(a.lambda == b.lambda && a.cv_diff.lo == b.cv_diff.lo &&
	          a.cv_proposed.hi == b.cv_proposed.hi);
	cr_assert(eq(int, fit_weights(&b, x, y, 10, start, 5, 200, 1), ERR_INVALID));
}
