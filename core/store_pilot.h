/* store_pilot.h - the pilot workflow's records: which snapshot is
 * published (served, and read by rank, candidates, explain and the report
 * unless another is named), the pilots HR proposes, reviews and approves,
 * and the log of every decision (time, author, reason).
 *
 * A snapshot written by `score` is a draft until published; the newest
 * publication names the live one. A pilot is a draft while people are
 * added and removed, and frozen once approved; the intranet invites the
 * people of the newest approved pilot. Strings in rows handed to a
 * callback are borrowed for the duration of that call.
 */
#ifndef AMB_CORE_STORE_PILOT_H
#define AMB_CORE_STORE_PILOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* --- publication --------------------------------------------------------- */

/* Publish snapshot `id` (it must exist): from now on it is the one served.
 * Inside the caller's transaction when one is open. ERR_NOT_FOUND when
 * there is no such snapshot. */
int store_publish(store *s, int64_t id, const char *by, int64_t at);

/* The published snapshot's id into *out (0 when none). */
int store_published_id(store *s, int64_t *out);

/* Whether an import changed the data after the published snapshot was
 * computed (*out true), so its scores are older than the data. False when
 * nothing is published. */
int store_published_stale(store *s, bool *out);

struct snapshot_list_row {
	int64_t id, as_of, computed_at;
	const char *profile;
	int64_t profile_version;
	int64_t people, eligible;
	bool published;       /* the one served now */
	int64_t published_at; /* when it was last published, 0 = never (a draft) */
};
typedef int (*store_snapshot_list_fn)(void *ctx, const struct snapshot_list_row *r);
/* Every snapshot, newest first. */
int store_snapshots_each(store *s, store_snapshot_list_fn fn, void *ctx);

/* --- pilots ---------------------------------------------------------------- */

struct pilot_info {
	int64_t id;
	char *name;
	int64_t snapshot_id, size, created_at;
	char *created_by;
	int64_t approved_at; /* 0 while a draft */
	char *approved_by;   /* NULL while a draft */
	int64_t members;
};
void store_pilot_info_free(struct pilot_info *p);

/* Pilot `name`, or the newest one when name is NULL, or with
 * `approved_only` the newest approved one. Returns 1 and fills *out (free
 * with store_pilot_info_free), 0 when there is none, or an err_code. */
int store_pilot_get(store *s, const char *name, bool approved_only, struct pilot_info *out);

typedef int (*store_pilot_fn)(void *ctx, const struct pilot_info *p);
/* Every pilot, newest first. */
int store_pilots_each(store *s, store_pilot_fn fn, void *ctx);

struct pilot_member_in {
	int64_t pid;
	const char *reason;
};

/* A new draft pilot `name` of snapshot `snapshot_id` with `n` members in
 * order, logged as proposed by `by`. ERR_DUPLICATE when the name is taken.
 * The id goes to *out_id (may be NULL). */
int store_pilot_create(store *s, const char *name, int64_t snapshot_id, int64_t size,
                       const struct pilot_member_in *m, size_t n, const char *by, int64_t at,
                       int64_t *out_id);

/* Add pid at the end of a draft pilot / remove it, logged with `reason`
 * (may be NULL). ERR_FORBIDDEN when the pilot is approved (frozen),
 * ERR_DUPLICATE when pid is already in it (add), ERR_NOT_FOUND when pid is
 * not in it (remove). */
int store_pilot_add(store *s, int64_t pilot_id, int64_t pid, const char *reason, const char *by,
                    int64_t at);
int store_pilot_remove(store *s, int64_t pilot_id, int64_t pid, const char *reason, const char *by,
                       int64_t at);

/* Approve a draft pilot: it is frozen from now on. ERR_FORBIDDEN when it is
 * approved already, ERR_INVALID when it has nobody in it. */
int store_pilot_approve(store *s, int64_t pilot_id, const char *by, int64_t at);

struct pilot_member {
	int64_t pid;
	int64_t position;
	const char *employee_id, *name, *email, *department, *level; /* never NULL */
	const char *consent;                                         /* "yes", "no" or "" */
	bool departed;
	const char *reason;
	const char *invitation; /* current status, "none" when none */
	int64_t invitation_at;  /* 0 when none */
};
typedef int (*store_pilot_member_fn)(void *ctx, const struct pilot_member *m);
/* The members of a pilot in order, joined with the roster's current state
 * and the invitation status. */
int store_pilot_members_each(store *s, int64_t pilot_id, store_pilot_member_fn fn, void *ctx);

struct pilot_log_row {
	int64_t at;
	const char *author, *action; /* propose, add, remove, approve */
	const char *employee_id;     /* NULL for the whole pilot */
	const char *reason;          /* NULL when none was given */
};
typedef int (*store_pilot_log_fn)(void *ctx, const struct pilot_log_row *r);
/* A pilot's decisions, oldest first. */
int store_pilot_log_each(store *s, int64_t pilot_id, store_pilot_log_fn fn, void *ctx);

/* --- the invitation pipeline --------------------------------------------- */

struct pipeline_row {
	const char *employee_id, *name, *department; /* never NULL */
	const char *status;                          /* "none" when none */
	int64_t invited_at;                          /* last time set invited, 0 = never */
	int64_t updated_at;                          /* when the status was set, 0 = none */
	const char *updated_by;                      /* NULL when none */
	const char *pilot; /* newest approved pilot holding them, NULL = none */
	bool opted_out, departed;
};
typedef int (*store_pipeline_fn)(void *ctx, const struct pipeline_row *r);
/* Everyone with an invitation status or in an approved pilot, by
 * department then employee_id. */
int store_pipeline_each(store *s, store_pipeline_fn fn, void *ctx);

/* Whether pid is a member of any approved pilot. */
int store_pilot_approved_member(store *s, int64_t pid, bool *out);

#endif
