/* evaluate.h - how well scores foretell pilot outcomes (`weights
 * evaluate`): the area under the ROC curve as the Mann-Whitney statistic,
 * precision among the best k, and a calibration table by score band, each
 * with a seeded bootstrap 90% interval (people resampled with
 * replacement). Pure computation over arrays; the caller owns them.
 */
#ifndef AMB_SCORER_EVALUATE_H
#define AMB_SCORER_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

/* Fewer outcomes than this cannot validate weights: evaluate refuses. */
#define EVALUATE_MIN_OUTCOMES 20
/* Score bands of the calibration table: [0,20) [20,40) ... [80,100]. */
#define EVALUATE_BANDS 5

/* A figure and its bootstrap 90% interval (5th and 95th percentiles).
 * NAN where undefined (a band with nobody in it). */
struct evaluate_figure {
	double value, lo, hi;
};

struct evaluate_band {
	double from, to;             /* score range */
	size_t people, positive;     /* in the sample */
	struct evaluate_figure rate; /* share positive */
	double mean_score;           /* mean score / 100 of the band */
};

struct evaluation {
	size_t n, positive;
	size_t k; /* precision at */
	struct evaluate_figure auc, precision;
	struct evaluate_band bands[EVALUATE_BANDS];
	size_t resamples;
};

/* AUC of scores against 0/1 outcomes y: the Mann-Whitney U over (positives
 * x negatives), ties counting one half. NAN without both outcomes. */
double evaluate_auc(const double *score, const int *y, size_t n);

/* Share of positives among the k best scores (ties by index order). */
double evaluate_precision(const double *score, const int *y, size_t n, size_t k);

/* Everything above with `resamples` bootstrap samples from a GSL
 * Mersenne Twister seeded with `seed`: the same inputs give the same
 * figures. Returns 0, or ERR_INVALID with a message saying why when there
 * are fewer than EVALUATE_MIN_OUTCOMES outcomes or only one kind. */
int evaluate_run(struct evaluation *out, const double *score, const int *y, size_t n, size_t k,
                 size_t resamples, uint64_t seed);

#endif
