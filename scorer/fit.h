/* fit.h - fitting the three component weights to pilot outcomes.
 *
 * The score is a weighted geometric mean, so its log is linear in the log
 * components: log score = sum_j w_j ln c_j / sum w + const. A logistic
 * regression of the 0/1 outcome on x = (ln activity, ln attitude,
 * ln motivation) therefore fits weights the model can use directly:
 *
 *   P(y = 1) = 1 / (1 + exp(-(b0 + b . x)))
 *   minimise  -loglik(b0, b) + lambda/2 * |b - s w|^2
 *
 * where w are the current weights (summing to 1) and s the scale a
 * one-variable logistic regression on the current log score finds: the
 * ridge pulls toward the current profile, more strongly for larger lambda.
 * lambda is chosen from FIT_LAMBDAS by k-fold cross-validated
 * log-likelihood. Proposed weights are b / sum b (negative b as 0), each
 * raised to FIT_MIN_WEIGHT at least (the model needs activity and attitude
 * above 0) and summing to 1.
 * Folds come from a seeded GSL permutation: the same inputs give the same
 * fit. Newton steps with GSL's Cholesky solver; no other state.
 */
#ifndef AMB_SCORER_FIT_H
#define AMB_SCORER_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scorer/evaluate.h"

#define FIT_MIN_WEIGHT 0.01
#define FIT_NLAMBDAS   6

struct fit_result {
	double weights[3];  /* proposed, summing to 1 */
	double coef[4];     /* b0, b (on the log components), all data */
	double lambda;      /* chosen */
	double prior_scale; /* s */
	size_t folds, n, positive;
	bool clamped; /* a weight was raised to FIT_MIN_WEIGHT */
	/* cross-validated AUC of held-out predictions, with bootstrap 90%
	 * intervals; diff = proposed - current on the same resamples */
	struct evaluate_figure cv_current, cv_proposed, cv_diff;
};

/* Fit to n people: x is n rows of the three log components (row-major),
 * y their 0/1 outcomes, w the current weights (any positive scale).
 * Returns 0, or ERR_INVALID saying why (fewer than EVALUATE_MIN_OUTCOMES
 * people, one kind of outcome only, folds < 2 or more than n). */
int fit_weights(struct fit_result *out, const double *x, const int *y, size_t n, const double w[3],
                size_t folds, size_t resamples, uint64_t seed);

#endif
