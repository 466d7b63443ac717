/* fit.c - penalised logistic regression of outcomes on the log components
 * (fit.h), with k-fold cross-validation and bootstrap intervals. Every
 * array is allocated and freed here; GSL statuses are checked. */
#include "scorer/fit.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

#define NP        4 /* intercept + 3 */
#define MAX_STEPS 100

static const double lambdas[FIT_NLAMBDAS] = {0.01, 0.1, 1, 10, 100, 1000};

static double sigmoid(double z)
{
	return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}

static double linear(const double *b, const double *x)
{
	return b[0] + b[1] * x[0] + b[2] * x[1] + b[3] * x[2];
}

/* Newton's method for the penalised fit on the rows where use[i] (all
 * when use is NULL). dims: 2 fits (b0, b1) on x[.][0] only (the scale
 * fit); 4 the full model. Returns 0 or ERR_INTERNAL when the Hessian is
 * not positive definite (cannot happen with lambda > 0 and both
 * outcomes). */
static int newton(double *b, const double *x, const int *y, size_t n, const bool *use, int dims,
                  double lambda, const double *prior)
{
	gsl_matrix *h = gsl_matrix_alloc(NP, NP);
	gsl_vector *g = gsl_vector_alloc(NP), *step = gsl_vector_alloc(NP);
	int rc = 0;

	if (!h || !g || !step)
		abort(); /* out of memory: the xmalloc policy */
	memset(b, 0, NP * sizeof(double));
	for (int it = 0; it < MAX_STEPS; it++) {
		double delta = 0;
		gsl_matrix_set_zero(h);
		gsl_vector_set_zero(g);
		for (size_t i = 0; i < n; i++) {
			if (use && !use[i])
				continue;
			double xi[NP] = {1, x[3 * i], x[3 * i + 1], x[3 * i + 2]};
			double mu = sigmoid(linear(b, &x[3 * i])), wgt = mu * (1 - mu);
			for (int a = 0; a < dims; a++) {
				*gsl_vector_ptr(g, (size_t)a) += xi[a] * (y[i] - mu);
				for (int c = 0; c < dims; c++)
					*gsl_matrix_ptr(h, (size_t)a, (size_t)c) +=
					    wgt * xi[a] * xi[c];
			}
		}
		for (int a = 0; a < NP; a++) {
			if (a >= dims) { /* unused: identity, no step */
				gsl_matrix_set(h, (size_t)a, (size_t)a, 1);
				continue;
			}
			double pen = a == 0 ? 1e-8 : lambda;
			*gsl_matrix_ptr(h, (size_t)a, (size_t)a) += pen;
			if (a > 0)
				*gsl_vector_ptr(g, (size_t)a) -= lambda * (b[a] - prior[a - 1]);
		}
		if (gsl_linalg_cholesky_decomp1(h) || gsl_linalg_cholesky_solve(h, g, step)) {
			rc = err_set(ERR_INTERNAL, "logistic fit: the system is singular");
			break;
		}
		for (int a = 0; a < dims; a++) {
			double s = gsl_vector_get(step, (size_t)a);
			b[a] += s;
			delta = fmax(delta, fabs(s));
		}
		if (delta < 1e-10)
			break;
	}
	gsl_matrix_free(h);
	gsl_vector_free(g);
	gsl_vector_free(step);
	return rc;
}

static double loglik(const double *b, const double *x, const int *y, size_t n, const bool *use)
{
	double ll = 0;

	for (size_t i = 0; i < n; i++) {
		if (!use[i])
			continue;
		double p = sigmoid(linear(b, &x[3 * i]));
		p = p < 1e-12 ? 1e-12 : p > 1 - 1e-12 ? 1 - 1e-12 : p;
		ll += y[i] ? log(p) : log(1 - p);
	}
	return ll;
}

/* The prior b = s w: s from a logistic fit on z = x . w. */
static int prior_of(double *prior, double *scale, const double *x, const int *y, size_t n,
                    const bool *use, const double w[3])
{
	double *z = xmalloc(3 * n * sizeof(double)), b[NP];
	int rc;

	for (size_t i = 0; i < n; i++) {
		z[3 * i] = w[0] * x[3 * i] + w[1] * x[3 * i + 1] + w[2] * x[3 * i + 2];
		z[3 * i + 1] = z[3 * i + 2] = 0;
	}
	rc = newton(b, z, y, n, use, 2, 0, (const double[3]){0, 0, 0});
	free(z);
	*scale = rc == 0 && b[1] > 0 ? b[1] : 0;
	for (int j = 0; j < 3; j++)
		prior[j] = *scale * w[j];
	return rc;
}

/* Fit on the rows with use[i]: prior from them, then the penalised model. */
static int fit_on(double *b, double *scale, const double *x, const int *y, size_t n,
                  const bool *use, const double w[3], double lambda)
{
	double prior[3];
	int rc;

	if ((rc = prior_of(prior, scale, x, y, n, use, w)))
		return rc;
	return newton(b, x, y, n, use, 4, lambda, prior);
}

/* Bootstrap the pooled held-out predictions: AUC of each and their
 * difference on the same resamples. */
static void cv_intervals(struct fit_result *out, const double *cur, const double *prop,
                         const int *y, size_t n, size_t resamples, gsl_rng *rng)
{
	double *a = xmalloc(resamples * sizeof(double)), *b = xmalloc(resamples * sizeof(double)),
	       *d = xmalloc(resamples * sizeof(double)), *sc = xmalloc(n * sizeof(double)),
	       *sp = xmalloc(n * sizeof(double));
	int *sy = xmalloc(n * sizeof(int));
	size_t m = 0;

	for (size_t r = 0; r < resamples; r++) {
		for (size_t i = 0; i < n; i++) {
			size_t j = (size_t)gsl_rng_uniform_int(rng, (unsigned long)n);
			sc[i] = cur[j];
			sp[i] = prop[j];
			sy[i] = y[j];
		}
		double x = evaluate_auc(sc, sy, n), z = evaluate_auc(sp, sy, n);
		if (isfinite(x) && isfinite(z)) {
			a[m] = x;
			b[m] = z;
			d[m++] = z - x;
		}
	}
	struct evaluate_figure *f[3] = {&out->cv_current, &out->cv_proposed, &out->cv_diff};
	double *v[3] = {a, b, d};
	for (int k = 0; k < 3; k++) {
		f[k]->lo = f[k]->hi = NAN;
		if (m) {
			gsl_sort(v[k], 1, m);
			f[k]->lo = gsl_stats_quantile_from_sorted_data(v[k], 1, m, 0.05);
			f[k]->hi = gsl_stats_quantile_from_sorted_data(v[k], 1, m, 0.95);
		}
	}
	free(a);
	free(b);
	free(d);
	free(sc);
	free(sp);
	free(sy);
}

int fit_weights(struct fit_result *out, const double *x, const int *y, size_t n, const double w[3],
                size_t folds, size_t resamples, uint64_t seed)
{
	double wn[3], wsum = w[0] + w[1] + w[2], best = -HUGE_VAL, b[NP], scale;
	double *cur = NULL, *prop = NULL;
	size_t *fold = NULL, pos = 0;
	bool *use = NULL;
	gsl_rng *rng = NULL;
	gsl_permutation *perm = NULL;
	int rc = 0;

	*out = (struct fit_result){.folds = folds, .n = n};
	for (size_t i = 0; i < n; i++)
		pos += y[i] != 0;
	out->positive = pos;
	if (n < EVALUATE_MIN_OUTCOMES)
		return err_set(ERR_INVALID,
		               "%zu outcomes; at least %d are needed to fit weights (a pilot of 12 "
		               "cannot validate weights, let alone fit them)",
		               n, EVALUATE_MIN_OUTCOMES);
	if (pos == 0 || pos == n)
		return err_set(ERR_INVALID, "all %zu outcomes are %s: nothing to fit", n,
		               pos ? "positive" : "negative");
	if (folds < 2 || folds > n)
		return err_set(ERR_INVALID, "--folds must be from 2 to the %zu people", n);
	if (!(wsum > 0))
		return err_set(ERR_INVALID, "the current weights sum to 0");
	gsl_set_error_handler_off();
	for (int j = 0; j < 3; j++)
		wn[j] = w[j] / wsum;
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	perm = gsl_permutation_alloc(n);
	if (!rng || !perm)
		abort(); /* out of memory */
	gsl_rng_set(rng, (unsigned long)seed);
	gsl_permutation_init(perm);
	gsl_ran_shuffle(rng, perm->data, n, sizeof(size_t));
	fold = xmalloc(n * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		fold[gsl_permutation_get(perm, i)] = i % folds;
	use = xmalloc(n * sizeof(bool));
	cur = xmalloc(n * sizeof(double));
	prop = xmalloc(n * sizeof(double));
	/* lambda by cross-validated log-likelihood */
	for (int l = 0; l < FIT_NLAMBDAS; l++) {
		double ll = 0;
		for (size_t k = 0; k < folds && rc == 0; k++) {
			for (size_t i = 0; i < n; i++)
				use[i] = fold[i] != k;
			rc = fit_on(b, &scale, x, y, n, use, wn, lambdas[l]);
			for (size_t i = 0; i < n; i++)
				use[i] = !use[i];
			ll += loglik(b, x, y, n, use);
		}
		if (rc)
			goto done;
		if (ll > best) {
			best = ll;
			out->lambda = lambdas[l];
		}
	}
	/* held-out predictions with the chosen lambda */
	for (size_t k = 0; k < folds; k++) {
		for (size_t i = 0; i < n; i++)
			use[i] = fold[i] != k;
		if ((rc = fit_on(b, &scale, x, y, n, use, wn, out->lambda)))
			goto done;
		for (size_t i = 0; i < n; i++)
			if (fold[i] == k)
				prop[i] = linear(b, &x[3 * i]);
	}
	for (size_t i = 0; i < n; i++) {
		cur[i] = wn[0] * x[3 * i] + wn[1] * x[3 * i + 1] + wn[2] * x[3 * i + 2];
		use[i] = true;
	}
	out->cv_current.value = evaluate_auc(cur, y, n);
	out->cv_proposed.value = evaluate_auc(prop, y, n);
	out->cv_diff.value = out->cv_proposed.value - out->cv_current.value;
	cv_intervals(out, cur, prop, y, n, resamples ? resamples : 1, rng);
	/* the proposal: all the data */
	if ((rc = fit_on(out->coef, &out->prior_scale, x, y, n, use, wn, out->lambda)))
		goto done;
	double sum = 0;
	for (int j = 0; j < 3; j++)
		sum += out->coef[j + 1] > 0 ? out->coef[j + 1] : 0;
	for (int j = 0; j < 3; j++) {
		double c = sum > 0 && out->coef[j + 1] > 0 ? out->coef[j + 1] / sum : 0;
		if (c < FIT_MIN_WEIGHT) {
			c = FIT_MIN_WEIGHT;
			out->clamped = true;
		}
		out->weights[j] = c;
	}
	sum = out->weights[0] + out->weights[1] + out->weights[2];
	for (int j = 0; j < 3; j++)
		out->weights[j] /= sum;
done:
	gsl_rng_free(rng);
	gsl_permutation_free(perm);
	free(fold);
	free(use);
	free(cur);
	free(prop);
	return rc;
}
