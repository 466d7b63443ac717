/* outcomes.c - labels from invitations, activity after accepting and
 * ratings (outcomes.h). Rows arrive by employee_id; the set is sorted by
 * pid at the end, a person's last rating winning. */
#include "scorer/outcomes.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/store_outcomes.h"

static const char *const kind_names[] = {"accepted", "active", "rated"};

const char *outcome_kind_name(enum outcome_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "?";
}

int outcome_kind_parse(const char *s, enum outcome_kind *out)
{
	for (int k = 0; k < 3; k++)
		if (strcmp(s, kind_names[k]) == 0) {
			*out = (enum outcome_kind)k;
			return 0;
		}
	return err_set(ERR_USAGE, "--outcome must be accepted, active or rated, not '%s'", s);
}

struct collect {
	struct outcome_set *o;
	size_t cap;
	enum outcome_kind kind;
	int active_weeks;
	int64_t first_answer, first_rating;
};

static void add(struct collect *c, int64_t pid, int y)
{
	struct outcome_set *o = c->o;

	if (o->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		o->pid = xreallocarray(o->pid, c->cap, sizeof(*o->pid));
		o->y = xreallocarray(o->y, c->cap, sizeof(*o->y));
	}
	o->pid[o->n] = pid;
	o->y[o->n++] = y;
}

static int on_decision(void *ctx, const struct outcome_decision *d)
{
	struct collect *c = ctx;

	if (d->at < c->first_answer)
		c->first_answer = d->at;
	if (c->kind == OUTCOME_ACCEPTED)
		add(c, d->pid, d->accepted);
	else if (c->kind == OUTCOME_ACTIVE && d->accepted &&
	         (d->complete || d->weeks_after >= c->active_weeks))
		add(c, d->pid, d->weeks_after >= c->active_weeks);
	return 0;
}

static int on_rating(void *ctx, const struct outcome_rating *r)
{
	struct collect *c = ctx;

	if (r->at < c->first_rating)
		c->first_rating = r->at;
	/* ratings come by employee_id, then date: the latest replaces */
	if (c->o->n > 0 && c->o->pid[c->o->n - 1] == r->pid)
		c->o->n--;
	add(c, r->pid, r->scale == 1 ? r->value == 1 : r->value >= 4);
	return 0;
}

struct pair {
	int64_t pid;
	int y;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

int outcome_set_collect(store *s, enum outcome_kind kind, int64_t as_of, int active_weeks,
                        struct outcome_set *out)
{
	struct collect c = {.o = out,
	                    .kind = kind,
	                    .active_weeks = active_weeks,
	                    .first_answer = INT64_MAX,
	                    .first_rating = INT64_MAX};
	struct pair *p = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_decisions_each(s, as_of, on_decision, &c)))
		goto fail;
	if (kind == OUTCOME_RATED) {
		if ((rc = store_read_begin(s)))
			goto fail;
		rc = store_ratings_each(s, on_rating, &c);
		store_read_end(s);
		if (rc)
			goto fail;
	}
	out->first_at = c.first_answer != INT64_MAX ? c.first_answer : c.first_rating;
	p = xmalloc((out->n ? out->n : 1) * sizeof(*p));
	for (size_t i = 0; i < out->n; i++)
		p[i] = (struct pair){out->pid[i], out->y[i]};
	qsort(p, out->n, sizeof(*p), cmp_pair);
	for (size_t i = 0; i < out->n; i++) {
		out->pid[i] = p[i].pid;
		out->y[i] = p[i].y;
	}
	free(p);
	return 0;
fail:
	outcome_set_clear(out);
	return rc;
}

void outcome_set_clear(struct outcome_set *o)
{
	free(o->pid);
	free(o->y);
	memset(o, 0, sizeof(*o));
}

int outcome_set_find(const struct outcome_set *o, int64_t pid)
{
	size_t lo = 0, hi = o->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (o->pid[mid] == pid)
			return o->y[mid];
		if (o->pid[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
