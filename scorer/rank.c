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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Mid-rank percentile of v in sorted[0..n) (finite values), by binary
 * search: the same figure as scorer_percentile. */
static double percentile_sorted(const double *sorted, size_t n, double v)
{
	size_t lo = 0, hi = n, below;

	if (!isfinite(v) || n == 0)
		return NAN;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sorted[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	below = lo;
	hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sorted[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 100.0 * ((double)below + 0.5 * (double)(lo - below)) / (double)n;
}

/* Percentiles of value c of the peers idx[0..n) among the eligible ones,
 * into company or department figures. vals: scratch of n doubles. */
static void standings_of(struct scorer_standing *out, const struct scorer_peer *peers,
                         const size_t *idx, size_t n, int c, bool dept, double *vals)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		const struct scorer_peer *p = &peers[idx[i]];
		if (p->eligible && isfinite(p->v[c]))
			vals[m++] = p->v[c];
	}
	qsort(vals, m, sizeof(*vals), cmp_double);
	for (size_t i = 0; i < n; i++) {
		double pc = percentile_sorted(vals, m, peers[idx[i]].v[c]);
		if (dept)
			out[idx[i]].department[c] = pc;
		else
			out[idx[i]].company[c] = pc;
	}
}

struct dept_key {
	const char *department;
	size_t index;
};

static int cmp_dept(const void *va, const void *vb)
{
	const struct dept_key *a = va, *b = vb;
	int d = strcmp(a->department, b->department);

	return d ? d : (a->index > b->index) - (a->index < b->index);
}

void scorer_standings(struct scorer_standing *out, const struct scorer_peer *peers, size_t n,
                      size_t min_group)
{
	size_t *idx = xreallocarray(NULL, n ? n : 1, sizeof(*idx));
	double *vals = xreallocarray(NULL, n ? n : 1, sizeof(*vals));
	struct dept_key *keys = xreallocarray(NULL, n ? n : 1, sizeof(*keys));

	for (size_t i = 0; i < n; i++) {
		idx[i] = i;
		keys[i] = (struct dept_key){peers[i].department ? peers[i].department : "", i};
	}
	for (int c = 0; c < 4; c++)
		standings_of(out, peers, idx, n, c, false, vals);
	qsort(keys, n, sizeof(*keys), cmp_dept);
	for (size_t i = 0; i < n; i++)
		idx[i] = keys[i].index;
	for (size_t start = 0, end; start < n; start = end) {
		size_t eligible = 0;
		for (end = start;
		     end < n && strcmp(keys[end].department, keys[start].department) == 0; end++)
			eligible += peers[idx[end]].eligible;
		bool shown = eligible >= min_group;
		for (int c = 0; c < 4; c++) {
			if (shown)
				standings_of(out, peers, idx + start, end - start, c, true, vals);
			else
				for (size_t i = start; i < end; i++)
					out[idx[i]].department[c] = NAN;
		}
		for (size_t i = start; i < end; i++) {
			out[idx[i]].department_eligible = eligible;
			out[idx[i]].department_shown = shown;
		}
	}
	free(idx);
	free(vals);
	free(keys);
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
