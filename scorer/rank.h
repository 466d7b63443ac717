/* rank.h - ordering and comparing: the deterministic ranking of a
 * population, percentiles, and the Kendall rank correlation between two
 * rankings.
 */
#ifndef AMB_SCORER_RANK_H
#define AMB_SCORER_RANK_H

#include <stdbool.h>
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

/* One person as the percentile rule sees them: department, whether
 * eligible, and the values compared (score, activity, attitude,
 * motivation; NAN when unknown). */
struct scorer_peer {
	const char *department;
	bool eligible;
	double v[4];
};

/* Where a person's values stand: mid-rank percentiles (0..100) among the
 * eligible people of the company and of their department. */
struct scorer_standing {
	double company[4];          /* all NAN when the company is too small */
	bool company_shown;         /* eligible people in all >= min_group */
	double department[4];       /* all NAN when the department is too small */
	size_t department_eligible; /* eligible people in the department */
	bool department_shown;      /* department_eligible >= min_group */
};

/* The one percentile rule of `explain`, candidates and the service: for
 * every peer (eligible or not), the percentile of each value among the
 * eligible peers of the company and among the eligible peers of the same
 * department; department figures only when that department has at least
 * min_group eligible peers, company figures only when the company has
 * (docs/design.md, Contract 3.12: the company is a group too), else NAN.
 * out[i] is for peers[i].
 * O(n log n). */
void scorer_standings(struct scorer_standing *out, const struct scorer_peer *peers, size_t n,
                      size_t min_group);

/* Kendall's tau between two orderings of the same m items: a[i] and b[i]
 * are the ranks item i takes in each (distinct within a and within b).
 * O(m log m) by counting inversions. Returns 1 for m < 2. */
double scorer_kendall_tau(const int64_t *a, const int64_t *b, size_t m);

#endif
