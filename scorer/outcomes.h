/* outcomes.h - pilot outcomes as 0/1 labels per person, for evaluating
 * and fitting weights. Three kinds, all about taking part (never sales):
 *   accepted  1 accepted an invitation, 0 declined
 *   active    among those who accepted and whose 12 weeks after are over
 *             (or who reached active_weeks already): 1 active, 0 not
 *   rated     the person's latest rating: 0/1 as given, 1-5 as 1 from 4 up
 */
#ifndef AMB_SCORER_OUTCOMES_H
#define AMB_SCORER_OUTCOMES_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

enum outcome_kind { OUTCOME_ACCEPTED, OUTCOME_ACTIVE, OUTCOME_RATED };

/* "accepted", "active", "rated". */
const char *outcome_kind_name(enum outcome_kind k);

/* Parse a kind name; ERR_USAGE naming the value otherwise. */
int outcome_kind_parse(const char *s, enum outcome_kind *out);

/* One label per person, in pid order. first_at is the earliest time behind
 * the labels (an answer to an invitation; for ratings, the earliest answer
 * if any, else the earliest rating), INT64_MAX when there are none. */
struct outcome_set {
	int64_t *pid;
	int *y;
	size_t n;
	int64_t first_at;
};

/* Collect the labels of `kind` with activity counted up to as_of. Returns
 * 0 or an err_code; *out is empty on failure. Free with
 * outcome_set_clear. */
int outcome_set_collect(store *s, enum outcome_kind kind, int64_t as_of, int active_weeks,
                        struct outcome_set *out);

void outcome_set_clear(struct outcome_set *o);

/* The label of pid, or -1 when pid has none (binary search). */
int outcome_set_find(const struct outcome_set *o, int64_t pid);

#endif
