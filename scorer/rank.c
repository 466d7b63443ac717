/* rank.c - the deterministic ranking, percentiles and Kendall's tau.
 *
 * Sorting is libc qsort over (score, id, index) keys: gsl_sort_index is a
 * heapsort and twice as slow at a million people (measured on this class of machine), and it
 * cannot break ties by employee_id.
 */
#include "scorer/rank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "scorer/model.h"

static int cmp_key(const void *va, const void *vb)
{
	const struct scorer_rank_key *a = va, *b = vb;
	bool na = !isfinite(a->score), nb = !isfinite(b->score);

	if (na != nb)
		return na ? 1 : -1;
	if (!na && a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return strcmp(a->id, b->id);
}

void scorer_rank_sort(struct scorer_rank_key *keys, size_t n)
{
	if (n > 1)
		qsort(keys, n, sizeof(*keys), cmp_key);
}

int scorer_rank_population(struct scorer_population *pop)
{
	struct scorer_rank_key *keys = xmalloc((pop->n ? pop->n : 1) * sizeof(*keys));
	size_t k = 0;

	for (size_t i = 0; i < pop->n; i++) {
		pop->people[i].rank = 0;
		if (pop->people[i].eligible)
			keys[k++] = (struct scorer_rank_key){pop->people[i].score,
			                                     pop->people[i].employee_id, i};
	}
	scorer_rank_sort(keys, k);
	free(pop->order);
	pop->order = xmalloc((k ? k : 1) * sizeof(*pop->order));
	for (size_t r = 0; r < k; r++) {
		pop->order[r] = keys[r].index;
		pop->people[keys[r].index].rank = (int64_t)r + 1;
	}
	pop->eligible = k;
	free(keys);
	return 0;
}

double scorer_percentile(const double *values, size_t n, double v)
{
	size_t below = 0, equal = 0, total = 0;

	if (!isfinite(v))
		return NAN;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(values[i]))
			continue;
		total++;
		if (values[i] < v)
			below++;
		else if (values[i] == v)
			equal++;
	}
	if (total == 0)
		return NAN;
	return 100.0 * ((double)below + 0.5 * (double)equal) / (double)total;
}

/* Merge sort of `v`, counting pairs out of order. */
static uint64_t sort_count(int64_t *v, int64_t *tmp, size_t n)
{
	uint64_t inv;
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return 0;
	inv = sort_count(v, tmp, mid) + sort_count(v + mid, tmp, n - mid);
	while (i < mid && j < n) {
		if (v[i] <= v[j]) {
			tmp[k++] = v[i++];
		} else {
			inv += mid - i;
			tmp[k++] = v[j++];
		}
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
	return inv;
}

struct pair {
	int64_t a, b;
};

static int cmp_pair(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;
	return (p->a > q->a) - (p->a < q->a);
}

double scorer_kendall_tau(const int64_t *a, const int64_t *b, size_t m)
{
	struct pair *pairs;
	int64_t *v, *tmp;
	uint64_t discordant;
	double total;

	if (m < 2)
		return 1;
	pairs = xmalloc(m * sizeof(*pairs));
	v = xmalloc(m * sizeof(*v));
	tmp = xmalloc(m * sizeof(*tmp));
	for (size_t i = 0; i < m; i++)
		pairs[i] = (struct pair){a[i], b[i]};
	/* Order by the first ranking; the inversions left in the second are
	 * the discordant pairs. */
	qsort(pairs, m, sizeof(*pairs), cmp_pair);
	for (size_t i = 0; i < m; i++)
		v[i] = pairs[i].b;
	discordant = sort_count(v, tmp, m);
	total = (double)m * (double)(m - 1) / 2;
	free(pairs);
	free(v);
	free(tmp);
	return 1.0 - 2.0 * (double)discordant / total;
}
