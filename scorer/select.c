/* select.c - greedy, deterministic seat allocation (see select.h).
 *
 * Departments and levels are mapped to small ids once by sorting, so the
 * passes work on arrays: O(n log n) to prepare, then O(size * window) where
 * the window is the people within level_tie points of the next pick.
 */
#include "scorer/select.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

struct name_ix {
	const char *name;
	size_t index;
};

static int cmp_name_ix(const void *a, const void *b)
{
	const struct name_ix *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return (x->index > y->index) - (x->index < y->index);
}

/* Give every distinct name an id; out_ids[i] for people[i]. The sorted
 * array is returned so callers can walk a group in rank order. */
static size_t group_ids(struct name_ix *sorted, size_t *out_ids, size_t n)
{
	size_t groups = 0;

	qsort(sorted, n, sizeof(*sorted), cmp_name_ix);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(sorted[i].name, sorted[i - 1].name) != 0)
			groups++;
		out_ids[sorted[i].index] = groups;
	}
	return n ? groups + 1 : 0;
}

struct state {
	const struct select_person *people;
	size_t n;
	size_t *dept, *level;
	size_t *dept_seats, *level_seats;
	bool *taken;
	size_t cap;
	const struct select_opts *o;
};

static bool open_for(const struct state *st, size_t i)
{
	return !st->taken[i] && st->dept_seats[st->dept[i]] < st->cap &&
	       st->people[i].score >= st->o->min_score;
}

/* Among candidates within level_tie of `first` (members[] in rank order,
 * starting at `first`), the one whose level has the fewest seats. */
static size_t spread_level(const struct state *st, const size_t *members, size_t count,
                           size_t first)
{
	double floor_score = st->people[members[first]].score - st->o->level_tie;
	size_t best = members[first];

	for (size_t k = first + 1; k < count; k++) {
		size_t i = members[k];
		if (st->people[i].score < floor_score)
			break;
		if (open_for(st, i) &&
		    st->level_seats[st->level[i]] < st->level_seats[st->level[best]])
			best = i;
	}
	return best;
}

static void take(struct state *st, size_t i, enum select_how how, struct select_pick *out,
                 size_t *nout)
{
	st->taken[i] = true;
	st->dept_seats[st->dept[i]]++;
	st->level_seats[st->level[i]]++;
	out[(*nout)++] = (struct select_pick){i, how};
}

static int cmp_pick(const void *a, const void *b)
{
	const struct select_pick *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

size_t scorer_select_cap(const struct select_opts *o)
{
	double c = ceil(o->max_share * (double)o->size - 1e-9);
	return c < 1 ? 1 : (size_t)c;
}

int scorer_select(struct select_pick *out, size_t *out_n, const struct select_person *people,
                  size_t n, const struct select_opts *o)
{
	struct name_ix *by_dept, *by_level;
	size_t ndept, nlevel, nout = 0, *all, *members;
	struct state st = {.people = people, .n = n, .o = o};

	*out_n = 0;
	if (!(o->max_share > 0 && o->max_share <= 1))
		return err_set(ERR_INVALID, "max_share: must be above 0 and at most 1");
	if (n == 0 || o->size == 0)
		return 0;
	st.cap = scorer_select_cap(o);
	by_dept = xmalloc(n * sizeof(*by_dept));
	by_level = xmalloc(n * sizeof(*by_level));
	st.dept = xmalloc(n * sizeof(size_t));
	st.level = xmalloc(n * sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		by_dept[i] = (struct name_ix){people[i].department, i};
		by_level[i] = (struct name_ix){people[i].level ? people[i].level : "", i};
	}
	ndept = group_ids(by_dept, st.dept, n);
	nlevel = group_ids(by_level, st.level, n);
	st.dept_seats = xcalloc(ndept, sizeof(size_t));
	st.level_seats = xcalloc(nlevel, sizeof(size_t));
	st.taken = xcalloc(n, sizeof(bool));
	members = xmalloc(n * sizeof(size_t));
	all = xmalloc(n * sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		members[i] = by_dept[i].index; /* grouped by department, rank order within */
		all[i] = i;
	}

	/* Pass 1: a seat per department, departments by their best score. The
	 * first person of each department in rank order is its best. */
	bool *seen = xcalloc(ndept, sizeof(bool));
	size_t *start = xmalloc(ndept * sizeof(size_t)), *len = xcalloc(ndept, sizeof(size_t));
	for (size_t k = 0; k < n; k++) {
		size_t d = st.dept[members[k]];
		if (len[d]++ == 0)
			start[d] = k;
	}
	for (size_t i = 0; i < n && nout < o->size; i++) {
		size_t d = st.dept[i];
		if (seen[d])
			continue;
		seen[d] = true;
		if (!open_for(&st, i))
			continue;
		size_t pick = spread_level(&st, members + start[d], len[d], 0);
		take(&st, pick, pick == i ? SELECT_DEPARTMENT_BEST : SELECT_DEPARTMENT_LEVEL, out,
		     &nout);
	}

	/* Pass 2: by score under the department cap. Seats and takes only grow,
	 * so a person passed over once stays passed over: one cursor. */
	for (size_t cur = 0; nout < o->size;) {
		while (cur < n && !open_for(&st, cur))
			cur++;
		if (cur >= n)
			break;
		size_t pick = spread_level(&st, all, n, cur);
		take(&st, pick, pick == cur ? SELECT_BY_SCORE : SELECT_BY_SCORE_LEVEL, out, &nout);
	}
	qsort(out, nout, sizeof(*out), cmp_pick);
	*out_n = nout;
	free(seen);
	free(start);
	free(len);
	free(by_dept);
	free(by_level);
	free(st.dept);
	free(st.level);
	free(st.dept_seats);
	free(st.level_seats);
	free(st.taken);
	free(members);
	free(all);
	return 0;
}

size_t scorer_select_left_out(const struct select_pick *picks, size_t npicks, size_t n)
{
	/* Picks are few (the seats): a scan per person is cheap, and stops at
	 * the first person not picked, at most npicks + 1 people in. */
	for (size_t i = 0; i < n; i++) {
		bool picked = false;
		for (size_t k = 0; k < npicks && !picked; k++)
			picked = picks[k].index == i;
		if (!picked)
			return i;
	}
	return n;
}
