/* store_scores.h - what scoring reads and writes: people and their
 * eligibility facts, survey construct scores, weekly activity aggregates,
 * weight profiles and immutable score snapshots.
 *
 * Plain C types only; the scorer (scorer/) turns them into features. Rows
 * handed to a callback are borrowed for the duration of that call.
 */
#ifndef AMB_CORE_STORE_SCORES_H
#define AMB_CORE_STORE_SCORES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* --- inputs ----------------------------------------------------------- */

struct score_person_row {
	int64_t pid;
	const char *employee_id;
	const char *name; /* "" when not given */
	const char *department;
	const char *level;      /* "" when not given */
	const char *consent;    /* "yes" or "" (never "no": those are not visited) */
	const char *invitation; /* invitation status or NULL */
	int64_t invitation_at;  /* when that status was set */
};
typedef int (*store_score_person_fn)(void *ctx, const struct score_person_row *r);

/* How many people store_scoring_people_each can visit at most: everyone
 * on file (a count, for sizing the population once). */
int store_scoring_people_bound(store *s, int64_t *out);

/* Visit, in pid order, every person who may be scored: on the roster, not
 * departed, not opted out, and not declined from `declined_since` up to
 * `declined_until` (the time scored: a later decline was not known then).
 * The callback returns 0 to go on; anything else stops and is returned. */
int store_scoring_people_each(store *s, int64_t declined_since, int64_t declined_until,
                              store_score_person_fn fn, void *ctx);

struct survey_score_row {
	int64_t pid;
	const char *construct;
	double score;         /* NAN when the construct was not scored */
	bool has_response;    /* a survey_responses row exists */
	const char *careless; /* NULL, "straight_line", "too_fast", ... */
};
typedef int (*store_survey_score_fn)(void *ctx, const struct survey_score_row *r);

/* Visit the attitude, intrinsic and extrinsic construct scores in pid
 * order, with the response's careless flag. */
int store_scoring_survey_each(store *s, store_survey_score_fn fn, void *ctx);

struct survey_item_row {
	int64_t pid;
	const char *construct;
	double unit; /* the answer on 0..1, turned round when reverse-keyed */
};
typedef int (*store_survey_item_fn)(void *ctx, const struct survey_item_row *r);

/* Visit the answers to attitude, intrinsic and extrinsic items of every
 * trusted response (not flagged careless) in pid order, each on 0..1 as
 * the construct scores take them (store_survey_unit). */
int store_scoring_items_each(store *s, store_survey_item_fn fn, void *ctx);

/* Weekly activity is read with store_activity_each (core/store_activity.h),
 * in primary-key order; platform names with store_platforms_each. */

/* --- weight profiles -------------------------------------------------- */

struct profile_version {
	char *name;
	int64_t version;
	char *params; /* JSON object */
	char *author;
	int64_t created_at;
	char *note; /* NULL when none */
};

/* Version `version` of profile `name`, or the newest when version is 0.
 * Returns 1 and fills *out (free with store_profile_version_free), 0 when
 * there is no such version, or an err_code. */
int store_profile_get(store *s, const char *name, int64_t version, struct profile_version *out);

/* Append a new version (newest + 1) inside the caller's transaction or on
 * its own. The version number goes to *out_version. */
int store_profile_add(store *s, const char *name, const char *params, const char *author,
                      const char *note, int64_t created_at, int64_t *out_version);

typedef int (*store_profile_fn)(void *ctx, const struct profile_version *p);
/* Every version of `name`, oldest first. */
int store_profile_history_each(store *s, const char *name, store_profile_fn fn, void *ctx);

void store_profile_version_free(struct profile_version *p);

/* --- snapshots -------------------------------------------------------- */

struct snapshot_info {
	int64_t id;
	int64_t computed_at, as_of;
	char *profile;
	int64_t profile_version;
	char *params; /* JSON copy of the weights used */
	int64_t people, eligible;
};

/* The scored part of a person's detail (scorer/detail.h: the members that
 * depend on the weights) as a snapshot row stores it: a column per member
 * (migration 16), the numbers as the detail prints them, so a row is a
 * third of the size its JSON was. SNAPSHOT_SCORED_FORMAT is the one
 * definition of that part's JSON: scorer_detail_encode prints it with C's
 * printf, and the store's readers with SQLite's printf() over the columns
 * (SQL_SNAPSHOT_DETAIL in core/store_internal.h), so both give the same
 * bytes. Its conversions, in order: eligible (true or false), why_not (a
 * JSON string, or null when eligible), flags (%d), consent (a JSON
 * string), then the SNAPSHOT_SCORED_NUMS numbers (each as "%.6g" prints
 * it, or null). It leaves the "facts" object open: the facts part
 * continues it (scorer/detail.h). */
#define SNAPSHOT_SCORED_FORMAT                                                                     \
	"{\"eligible\":%s,\"why_not\":%s,\"flags\":%d,\"consent\":%s,\"activity\":{"               \
	"\"steadiness\":%s,\"volume\":%s,\"response\":%s,\"conversation\":%s,"                     \
	"\"authenticity\":%s},\"facts\":{\"weighted_volume\":%s,\"own_share\":%s,"                 \
	"\"engagement_per_post_shrunk\":%s,\"company_engagement_per_post\":%s"
/* The numbers, in the format's order; each is a snapshot_scores column of
 * the same name. */
enum snapshot_scored_num {
	SCORED_STEADINESS,
	SCORED_VOLUME,
	SCORED_RESPONSE,
	SCORED_CONVERSATION,
	SCORED_AUTHENTICITY,
	SCORED_WEIGHTED_VOLUME,
	SCORED_OWN_SHARE,
	SCORED_ENGAGEMENT_PER_POST_SHRUNK,
	SCORED_COMPANY_ENGAGEMENT_PER_POST,
	SNAPSHOT_SCORED_NUMS
};

struct snapshot_scored {
	unsigned flags;
	const char *why_not;                   /* NULL when eligible; no control characters */
	const char *consent;                   /* no control characters */
	const char *num[SNAPSHOT_SCORED_NUMS]; /* "%.6g" texts; NULL = null */
};

struct snapshot_score_in {
	int64_t pid;
	bool eligible;
	int64_t rank;      /* 0 = none (not eligible) */
	double score;      /* finite */
	double activity;   /* finite */
	double attitude;   /* NAN = unknown, stored as NULL */
	double motivation; /* NAN = unknown, stored as NULL */
	int64_t rank_lo;   /* 90% rank interval; 0 = none (NULL) */
	int64_t rank_hi;
	/* The scored part of the detail (scorer/detail.h), and facts_hash,
	 * which identifies the facts part among the person's stored facts
	 * (table score_facts); 0 = no facts part. */
	struct snapshot_scored scored;
	uint64_t facts_hash;
};

/* Fills row i (0 <= i < n) of a snapshot being written; the scored
 * part's texts may point into buffers the callback reuses. Returns 0 or
 * an err_code. */
typedef int (*store_snapshot_row_fn)(void *ctx, size_t i, struct snapshot_score_in *out);

/* The facts part of row i's detail, asked for only when the person has no
 * stored facts with the row's facts_hash; *out may point into a buffer the
 * callback reuses. Returns 0 or an err_code. */
typedef int (*store_snapshot_facts_fn)(void *ctx, size_t i, const char **out);

/* Write a new snapshot (info->id is ignored) and its n rows, produced one at
 * a time by `row`, in one transaction with one prepared INSERT, so memory
 * does not grow with the detail text. A row with a facts_hash refers to
 * the person's stored facts with that hash, written first (from `facts`)
 * when there are none: after a weight change only the scored part of each
 * detail is written. Inside the caller's write transaction when one is
 * open (the caller commits or rolls back), else in its own. The new id
 * goes to *out_id. */
int store_snapshot_write(store *s, const struct snapshot_info *info, size_t n,
                         store_snapshot_row_fn row, store_snapshot_facts_fn facts, void *ctx,
                         int64_t *out_id);

/* Snapshot `id`, or the published one when id is 0 (core/store_pilot.h:
 * the newest snapshot is not served until published). Returns 1 and fills *out
 * (free with store_snapshot_info_free), 0 when there is none. */
int store_snapshot_get(store *s, int64_t id, struct snapshot_info *out);
void store_snapshot_info_free(struct snapshot_info *info);

/* A scored person as listed from a snapshot, joined with the roster. */
struct snapshot_row {
	int64_t pid;
	char *employee_id, *name, *department, *level;
	bool eligible;
	int64_t rank;             /* 0 when not eligible */
	int64_t rank_lo, rank_hi; /* 90% rank interval; 0 when none */
	double score, activity;
	double attitude, motivation; /* NAN when unknown */
	char *detail;                /* NULL unless asked for */
	char *email;                 /* "" when not given */
	char *consent;               /* "yes" or "" (not asked yet) */
	char *invitation;            /* invitation status, "none" when none */
};

/* All rows of snapshot `id`, eligible first by rank, then the others by
 * employee_id, leaving out anyone who has since departed, opted out or
 * declined at or after `declined_since`. With `employee_id` set, only that
 * person. `with_detail` loads the detail JSON. The caller frees the array
 * with store_snapshot_rows_free. */
int store_snapshot_rows(store *s, int64_t id, int64_t declined_since, const char *employee_id,
                        bool with_detail, struct snapshot_row **out, size_t *out_count);
/* The first `limit` eligible rows of snapshot `id` by rank, left out as
 * store_snapshot_rows leaves them out, and only of `department` and
 * `level` when given (ignoring ASCII case). Reads those rows through the
 * (snapshot_id, rank) index, not the snapshot: `rank --limit 20` at a
 * million people reads about 20 rows. */
int store_snapshot_top(store *s, int64_t id, int64_t declined_since, int64_t limit,
                       const char *department, const char *level, struct snapshot_row **out,
                       size_t *out_count);
void store_snapshot_rows_free(struct snapshot_row **rows, size_t n);

#endif
