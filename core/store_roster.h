/* store_roster.h - people from the roster. */
#ifndef AMB_CORE_STORE_ROSTER_H
#define AMB_CORE_STORE_ROSTER_H

#include <stdint.h>

#include "core/store.h"

struct person_in {
	const char *employee_id;
	const char *name;  /* NULL or "" = not given */
	const char *email; /* NULL or "" = not given */
	const char *department;
	const char *level;   /* NULL or "" = not given */
	const char *consent; /* "yes", "no" or "" */
};

/* Insert or update a person by employee_id within import `import_id`,
 * clearing any departed mark. Returns 0 and the pid in *out_pid, or
 * ERR_DUPLICATE when the same import already listed this id (the earlier
 * line in *out_first_line). */
int store_person_upsert(store *s, const struct person_in *p, int64_t import_id, int64_t line,
                        int64_t *out_pid, int64_t *out_first_line);

/* Mark everyone not listed by roster import `import_id` as departed at
 * `when` (if not already); count in *out_count. */
int store_roster_mark_departed(store *s, int64_t import_id, int64_t when, int64_t *out_count);

/* The column map stored for a roster header (`header_key`, a digest of
 * its names): 1 and *out ("field=header" lines; caller frees), or 0 when
 * none is stored. */
int store_roster_map_get(store *s, const char *header_key, char **out);

/* Store (or replace) the column map of `header_key`, within the current
 * transaction of roster import `import_id`. */
int store_roster_map_put(store *s, const char *header_key, const char *map, int64_t import_id);

enum person_status {
	PERSON_UNKNOWN = 0,   /* not on the roster */
	PERSON_ACTIVE = 1,    /* on the roster; consent yes or not asked */
	PERSON_OPTED_OUT = 2, /* consent = no */
	PERSON_DEPARTED = 3,  /* missing from the latest roster */
};

/* Look a person up by employee_id: status and pid (0 when unknown). */
int store_person_status(store *s, const char *employee_id, int64_t *out_pid,
                        enum person_status *out_status);

/* Visit every person on the roster (any status), in pid order. The
 * callback returns 0 to go on, non-zero to stop (that value is returned).
 * Strings are borrowed for the call only. */
typedef int (*store_person_fn)(void *ctx, int64_t pid, const char *employee_id,
                               enum person_status status);
int store_people_each(store *s, store_person_fn fn, void *ctx);

/* Visit every person with an e-mail address on the roster (any status),
 * in pid order, as (employee_id, email). Same callback contract. */
typedef int (*store_email_fn)(void *ctx, const char *employee_id, const char *email);
int store_people_emails_each(store *s, store_email_fn fn, void *ctx);

struct roster_counts {
	int64_t total, active, departed, opted_out, consent_yes, consent_unasked;
	int64_t departments;
};
int store_roster_counts(store *s, struct roster_counts *out);

/* Per department: active people (consent yes or unasked, not departed). */
typedef int (*store_department_fn)(void *ctx, const char *department, int64_t active,
                                   int64_t opted_out, int64_t departed);
int store_roster_departments(store *s, store_department_fn fn, void *ctx);

/* Delete everything derived from or about person `pid` except the people
 * row itself: survey answers and scores, activity aggregates, snapshot
 * scores, invitations. Used for opt-out and erasure. */
int store_purge_person_data(store *s, int64_t pid);

#endif
