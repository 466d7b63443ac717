/* store_service.h - what the ZeroMQ service and its CLI commands need from
 * the database: the latest score snapshot joined with the roster,
 * invitation status, the audit log and erasure. Plain C types only, so
 * ipc/ never sees SQLite.
 *
 * A store handle belongs to one thread: the server gives its loader, its
 * audit writer and each worker that writes their own handle.
 */
#ifndef AMB_CORE_STORE_SERVICE_H
#define AMB_CORE_STORE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* --- change detection --------------------------------------------------- */

/* Counters the server polls to notice changes made by other processes
 * (a new snapshot, an import, an invitation status, an erasure) without
 * reading any personal data. */
struct store_versions {
	int64_t snapshot; /* the published snapshot's id, 0 when none */
	int64_t imports;  /* max(imports.id) */
	int64_t invites;  /* max(invitation_history.id) */
	int64_t erasures; /* max(erasures.id) */
	int64_t pilots;   /* max(pilot_log.id): a pilot proposed, changed or approved */
};

int store_service_versions(store *s, struct store_versions *out);

/* --- snapshots -------------------------------------------------------------- */

struct service_snapshot {
	int64_t id, computed_at, as_of;
	char profile[64];
	int64_t profile_version;
	int64_t people, eligible;
	bool stale; /* an import changed the data after it was computed */
};

/* The published snapshot into *out: 0, or ERR_NOT_FOUND when none was
 * published (`score` never ran, or only drafts). */
int store_service_latest(store *s, struct service_snapshot *out);

/* The weights snapshot `id` was computed with: the JSON text the scorer
 * stored (malloc'ed, caller frees) into *out. */
int store_service_params(store *s, int64_t id, char **out);

/* One person of a snapshot, joined with the roster. Strings are borrowed
 * for the duration of the callback; name, email and level may be NULL. */
struct service_row {
	int64_t pid;
	const char *employee_id, *name, *email, *department, *level;
	bool opted_out, departed; /* the roster's current state */
	bool eligible;
	int64_t rank;             /* 0 when not ranked */
	int64_t rank_lo, rank_hi; /* 90% rank interval; 0 when none */
	double score, activity;
	double attitude, motivation; /* NAN when unknown */
	const char *detail;          /* JSON text as the scorer wrote it */
};

typedef int (*store_service_row_fn)(void *ctx, const struct service_row *row);

/* Visit every row of snapshot `id`, ranked people first by rank, then the
 * rest by employee_id. The callback returns 0 to go on; any other value
 * stops the walk and is returned. */
int store_service_each(store *s, int64_t id, store_service_row_fn fn, void *ctx);

/* --- invitations (docs/design.md, Contract 2.4) ----------------------------------------------- */

/* True for invited, accepted, declined, withdrawn. */
bool store_invitation_status_valid(const char *status);

/* Record `status` for employee_id at time `at` by `by` (a client or user
 * name), in one transaction with its history row. Returns 0,
 * ERR_NOT_FOUND (not on the roster, or erased), ERR_INVALID (bad status),
 * ERR_FORBIDDEN (invited or accepted for someone opted out, departed or
 * not in an approved pilot; the message says which) or a store error.
 * *out_pid (may be NULL) receives the person's pid. */
int store_invitation_set(store *s, const char *employee_id, const char *status, const char *by,
                         int64_t at, int64_t *out_pid);
/* Correct a mistake: employee_id has no status any more (none), kept in
 * the history with `reason` (required). ERR_INVALID when there is no
 * status to reset or no reason. */
int store_invitation_reset(store *s, const char *employee_id, const char *reason, const char *by,
                           int64_t at, int64_t *out_pid);

struct invitation_row {
	int64_t pid;
	const char *employee_id;
	const char *status;
	int64_t updated_at;
	const char *updated_by;
};

typedef int (*store_invitation_fn)(void *ctx, const struct invitation_row *row);

/* Visit the current status of everyone who has one, in pid order. */
int store_invitations_each(store *s, store_invitation_fn fn, void *ctx);

/* --- audit log ------------------------------------------------------------ */

/* Requests of one client, op and reply status ("ok" or an error code):
 * how many and how many people they returned. Never the payload. The
 * log keeps one row per minute (at is its start once stored). */
struct audit_entry {
	int64_t at;
	char client[64];
	char role[16];
	char op[32];
	int64_t people;
	char status[16];
	int64_t requests;
};

/* Sort `n` entries by (minute, client, role, op, status) and add up those
 * that share one; returns how many are left (at each minute's start). */
size_t store_audit_merge(struct audit_entry *entries, size_t n);

/* Add `n` merged entries to their minute's rows, in one transaction. */
int store_audit_append(store *s, const struct audit_entry *entries, size_t n);

typedef int (*store_audit_fn)(void *ctx, int64_t id, const struct audit_entry *e);

/* Visit the newest `limit` rows, newest minute first. */
int store_audit_each(store *s, size_t limit, store_audit_fn fn, void *ctx);

/* --- erasure (docs/design.md, Contract 6, test plan J1/J2) ------------------------------------ */

/* Erase employee_id for good: survey answers, activity, every snapshot
 * row, invitation status and history, pilot membership and decisions, and
 * the roster row; add its keyed hash to the suppression list; record that
 * an erasure happened (time, by) without the id. One transaction. Returns
 * 0 (committed), ERR_NOT_FOUND, ERR_BUSY (another writer, e.g. an import,
 * held the database past the busy timeout: nothing was erased) or a store
 * error. The caller then empties the WAL with store_checkpoint_truncate so
 * no bytes of the person stay in it. */
int store_erase_person(store *s, const char *employee_id, const char *by);

/* PRAGMA wal_checkpoint(TRUNCATE); ERR_BUSY when readers kept it from
 * completing. */
int store_checkpoint_truncate(store *s);

#endif
