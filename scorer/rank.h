/* rank.h - ordering and comparing: the deterministic ranking of a
 * population, percentiles, and the Kendall rank correlation between two
 * rankings.
 */
#ifndef AMB_SCORER_RANK_H
#define AMB_SCORER_RANK_H

#include <stddef.h>
#include <stdint.h>

struct scorer_population;

/* A (score, id) pair to sort: score descending, then id ascending (bytes). */
struct scorer_rank_key {
	double score;
	const char *id;
	size_t index;
};

/* Sort keys best first; NaN scores (never expected) sort last. O(n log n). */
void scorer_rank_sort(struct scorer_rank_key *keys, size_t n);

/* Rank the eligible people of a computed population: fills pop->order,
 * pop->eligible and each person's rank (1 = best). Returns 0. */
int scorer_rank_population(struct scorer_population *pop);

/* Mid-rank percentile of `v` within values[0..n): the share of values
 * below it plus half the share equal to it, times 100 (0..100). Non-finite
 * values are ignored. Returns NAN when n has no finite value. */
double scorer_percentile(const double *values, size_t n, double v);

/* Kendall's tau between two orderings of the same m items: a[i] and b[i]
 * are the ranks item i takes in each (distinct within a and within b).
 * O(m log m) by counting inversions. Returns 1 for m < 2. */
double scorer_kendall_tau(const int64_t *a, const int64_t *b, size_t m);

#endif
