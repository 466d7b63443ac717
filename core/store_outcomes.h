/* store_outcomes.h - what a pilot produced (migration 8): ratings HR gives
 * later (table outcomes, `import outcomes`), and the outcomes derived when
 * asked from invitations (accepted, declined) and from activity after
 * accepting (active). Nothing here reads or keeps sales figures: outcomes
 * are about taking part. */
#ifndef AMB_CORE_STORE_OUTCOMES_H
#define AMB_CORE_STORE_OUTCOMES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store.h"

/* The weeks after accepting that decide "active". */
#define OUTCOME_ACTIVE_SPAN 12

/* Store a rating inside the caller's import transaction: person pid, day
 * `at` (Unix seconds), value 0..5, note NULL or text. A rating for the same
 * person and day from an earlier import is replaced. Returns 0, or
 * ERR_DUPLICATE when this import already rated that person on that day
 * (its line in *out_first_line), or a store error. */
int store_outcome_put(store *s, int64_t pid, int64_t at, int value, const char *note,
                      int64_t import_id, int64_t line, int64_t *out_first_line);

/* Set the scale (1: values 0/1, 5: values 1-5) of every rating of import
 * import_id, inside its transaction. */
int store_outcomes_set_scale(store *s, int64_t import_id, int scale);

struct outcome_rating {
	int64_t pid;
	const char *employee_id;
	int64_t at;
	int value, scale;
	const char *note; /* NULL when none */
};

typedef int (*store_rating_fn)(void *ctx, const struct outcome_rating *r);

/* Visit every stored rating, by employee_id then date. Strings are
 * borrowed for the call. The callback returns 0 to go on; anything else
 * stops and is returned. */
int store_ratings_each(store *s, store_rating_fn fn, void *ctx);

struct outcome_decision {
	int64_t pid;
	const char *employee_id;
	bool accepted;   /* else declined */
	int64_t at;      /* when the answer was recorded */
	int weeks_after; /* accepted: weeks with own posts or comments in the
	                  * OUTCOME_ACTIVE_SPAN weeks after the week of accepting */
	bool complete;   /* those weeks are all before as_of's week */
};

typedef int (*store_decision_fn)(void *ctx, const struct outcome_decision *d);

/* Visit everyone whose invitation is now accepted or declined, by
 * employee_id, with activity counted up to as_of. */
int store_decisions_each(store *s, int64_t as_of, store_decision_fn fn, void *ctx);

#endif
