/* store_service.c - the service's queries: the served snapshot joined with
 * the roster, invitation status and history, the audit log and erasure.
 * Every statement is a cached prepared statement owned by the store.
 */
#include "core/store_internal.h"
#include "core/store_service.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/store_roster.h"

static const char *col_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

/* NULL (unknown, e.g. no trusted survey answer) is NAN. */
static double col_real(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

static int max_of(store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = store_sqlerr(s, rc, "reading versions");
		sqlite3_reset(st);
		return rc;
	}
	*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int store_service_versions(store *s, struct store_versions *out)
{
	static const char q_snap[] =
	    "SELECT coalesce((SELECT snapshot_id FROM publications ORDER BY id DESC LIMIT 1), 0)";
	static const char q_pil[] = "SELECT coalesce(max(id), 0) FROM pilot_log";
	static const char q_imp[] = "SELECT coalesce(max(id), 0) FROM imports";
	static const char q_inv[] = "SELECT coalesce(max(id), 0) FROM invitation_history";
	static const char q_era[] = "SELECT coalesce(max(id), 0) FROM erasures";
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_read_begin(s)))
		return rc;
	if (!(rc = max_of(s, q_snap, &out->snapshot)) && !(rc = max_of(s, q_imp, &out->imports)) &&
	    !(rc = max_of(s, q_inv, &out->invites)) && !(rc = max_of(s, q_era, &out->erasures)))
		rc = max_of(s, q_pil, &out->pilots);
	store_read_end(s);
	return rc;
}

/* --- snapshots ---------------------------------------------------------- */

int store_service_latest(store *s, struct service_snapshot *out)
{
	static const char sql[] =
	    "SELECT id, computed_at, as_of, profile, profile_version, people, eligible"
	    " FROM snapshots WHERE id = (SELECT snapshot_id FROM publications ORDER BY id DESC"
	    " LIMIT 1)";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return err_set(ERR_NOT_FOUND, "no published scores yet (run `ambassador score`, or "
		                              "`ambassador publish N` for a draft)");
	}
	if (rc != SQLITE_ROW) {
		rc = store_sqlerr(s, rc, "reading the published snapshot");
		sqlite3_reset(st);
		return rc;
	}
	out->id = sqlite3_column_int64(st, 0);
	out->computed_at = sqlite3_column_int64(st, 1);
	out->as_of = sqlite3_column_int64(st, 2);
	snprintf(out->profile, sizeof(out->profile), "%s", col_text(st, 3) ? col_text(st, 3) : "");
	out->profile_version = sqlite3_column_int64(st, 4);
	out->people = sqlite3_column_int64(st, 5);
	out->eligible = sqlite3_column_int64(st, 6);
	sqlite3_reset(st);
	return 0;
}

int store_service_params(store *s, int64_t id, char **out)
{
	static const char sql[] = "SELECT params FROM snapshots WHERE id = ?";
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "reading a snapshot", BIND_INT(id))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = xstrdup(col_text(st, 0) ? col_text(st, 0) : "{}");
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? err_set(ERR_NOT_FOUND, "no snapshot %lld", (long long)id)
		                       : store_sqlerr(s, rc, "reading a snapshot");
	}
	sqlite3_reset(st);
	return rc;
}

int store_service_each(store *s, int64_t id, store_service_row_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT ss.pid, p.employee_id, p.name, p.email, p.department, p.level,"
	    " p.consent = 'no', p.departed_at IS NOT NULL, ss.eligible, coalesce(ss.rank, 0),"
	    " ss.score, ss.activity, ss.attitude, ss.motivation, " SQL_SNAPSHOT_DETAIL ","
	    " coalesce(ss.rank_lo, 0), coalesce(ss.rank_hi, 0)"
	    " FROM snapshot_scores ss JOIN people p ON p.pid = ss.pid"
	    " WHERE ss.snapshot_id = ?"
	    " ORDER BY ss.rank IS NULL, ss.rank, p.employee_id";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "reading a snapshot", BIND_INT(id))))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct service_row r = {
		    .pid = sqlite3_column_int64(st, 0),
		    .employee_id = col_text(st, 1),
		    .name = col_text(st, 2),
		    .email = col_text(st, 3),
		    .department = col_text(st, 4),
		    .level = col_text(st, 5),
		    .opted_out = sqlite3_column_int(st, 6) != 0,
		    .departed = sqlite3_column_int(st, 7) != 0,
		    .eligible = sqlite3_column_int(st, 8) != 0,
		    .rank = sqlite3_column_int64(st, 9),
		    .score = sqlite3_column_double(st, 10),
		    .activity = sqlite3_column_double(st, 11),
		    .attitude = col_real(st, 12),
		    .motivation = col_real(st, 13),
		    .detail = col_text(st, 14),
		    .rank_lo = sqlite3_column_int64(st, 15),
		    .rank_hi = sqlite3_column_int64(st, 16),
		};
		int stop = fn(ctx, &r);
		if (stop) {
			sqlite3_reset(st);
			return stop;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, rc, "reading a snapshot");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return 0;
}

/* --- invitations -------------------------------------------------------- */

bool store_invitation_status_valid(const char *status)
{
	static const char *const valid[] = {"invited", "accepted", "declined", "withdrawn"};

	for (size_t i = 0; status && i < sizeof(valid) / sizeof(valid[0]); i++)
		if (strcmp(status, valid[i]) == 0)
			return true;
	return false;
}

static int find_pid(store *s, const char *employee_id, int64_t *out)
{
	static const char sql[] = "SELECT pid FROM people WHERE employee_id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "looking a person up", BIND_TEXT(employee_id))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return err_set(ERR_NOT_FOUND, "employee_id: no such person");
	return store_sqlerr(s, rc, "looking a person up");
}

/* Record status (and a history row with `reason`, may be NULL); "none"
 * only writes the history row (the caller deleted the status). */
static int write_invitation(store *s, int64_t pid, const char *status, const char *by, int64_t at,
                            const char *reason)
{
	static const char upsert[] =
	    "INSERT INTO invitations(pid, status, updated_at, updated_by) VALUES(?, ?, ?, ?)"
	    " ON CONFLICT(pid) DO UPDATE SET status = excluded.status,"
	    " updated_at = excluded.updated_at, updated_by = excluded.updated_by";
	static const char hist[] =
	    "INSERT INTO invitation_history(pid, status, at, by, reason) VALUES(?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int rc;

	if (strcmp(status, "none") != 0 &&
	    ((rc = store_prepare(s, upsert, &st)) ||
	     (rc = store_bind(s, st, "recording an invitation status", BIND_INT(pid),
	                      BIND_TEXT(status), BIND_INT(at), BIND_TEXT(by))) ||
	     (rc = store_step_done(s, st, "recording an invitation status"))))
		return rc;
	if ((rc = store_prepare(s, hist, &st)) ||
	    (rc = store_bind(s, st, "recording an invitation status", BIND_INT(pid),
	                     BIND_TEXT(status), BIND_INT(at), BIND_TEXT(by), BIND_TEXT(reason))))
		return rc;
	return store_step_done(s, st, "recording an invitation status");
}

/* Invited and accepted only for people who may take part: on the roster,
 * not opted out, not departed, and in an approved pilot (a person decided
 * to invite them). Declined and withdrawn may be recorded for anyone on
 * the roster. */
static int check_invitable(store *s, const char *employee_id, const char *status, int64_t *pid)
{
	static const char sql[] =
	    "SELECT p.pid, p.consent = 'no', p.departed_at IS NOT NULL,"
	    " EXISTS(SELECT 1 FROM pilot_members m JOIN pilots t ON t.id = m.pilot_id"
	    "  WHERE m.pid = p.pid AND t.approved_at IS NOT NULL)"
	    " FROM people p WHERE p.employee_id = ?";
	bool opted_out, departed, in_pilot;
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "looking a person up", BIND_TEXT(employee_id))))
		return rc;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? err_set(ERR_NOT_FOUND, "employee_id: no such person")
		                         : store_sqlerr(s, rc, "looking a person up");
	}
	*pid = sqlite3_column_int64(st, 0);
	opted_out = sqlite3_column_int(st, 1) != 0;
	departed = sqlite3_column_int(st, 2) != 0;
	in_pilot = sqlite3_column_int(st, 3) != 0;
	sqlite3_reset(st);
	if (strcmp(status, "invited") != 0 && strcmp(status, "accepted") != 0)
		return 0;
	if (opted_out)
		return err_set(ERR_FORBIDDEN, "%s has opted out and cannot be %s", employee_id,
		               status);
	if (departed)
		return err_set(ERR_FORBIDDEN, "%s has left the organisation and cannot be %s",
		               employee_id, status);
	if (!in_pilot)
		return err_set(ERR_FORBIDDEN,
		               "%s is not in an approved pilot: only people a person reviewed and "
		               "approved are %s (see `ambassador pilot`)",
		               employee_id, status);
	return 0;
}

int store_invitation_set(store *s, const char *employee_id, const char *status, const char *by,
                         int64_t at, int64_t *out_pid)
{
	int64_t pid = 0;
	int rc;

	if (!store_invitation_status_valid(status))
		return err_set(ERR_INVALID,
		               "status: must be invited, accepted, declined or withdrawn");
	if ((rc = store_begin(s)))
		return rc;
	if ((rc = check_invitable(s, employee_id, status, &pid)) ||
	    (rc = write_invitation(s, pid, status, by, at, NULL)))
		goto fail;
	if ((rc = store_commit(s)))
		return rc;
	if (out_pid)
		*out_pid = pid;
	return 0;
fail:
	store_rollback(s);
	return rc;
}

int store_invitation_reset(store *s, const char *employee_id, const char *reason, const char *by,
                           int64_t at, int64_t *out_pid)
{
	static const char del[] = "DELETE FROM invitations WHERE pid = ?";
	sqlite3_stmt *st;
	int64_t pid = 0;
	int rc;

	if (!reason || !*reason)
		return err_set(ERR_INVALID, "reason: say why the status goes back to none");
	if ((rc = store_begin(s)))
		return rc;
	if ((rc = find_pid(s, employee_id, &pid)) || (rc = store_prepare(s, del, &st)) ||
	    (rc = store_bind(s, st, "resetting an invitation status", BIND_INT(pid))) ||
	    (rc = store_step_done(s, st, "resetting an invitation status")))
		goto fail;
	if (sqlite3_changes(s->db) == 0) {
		rc = err_set(ERR_INVALID, "%s has no invitation status to reset", employee_id);
		goto fail;
	}
	if ((rc = write_invitation(s, pid, "none", by, at, reason)) || (rc = store_commit(s)))
		goto fail;
	if (out_pid)
		*out_pid = pid;
	return 0;
fail:
	store_rollback(s);
	return rc;
}

int store_invitations_each(store *s, store_invitation_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT i.pid, p.employee_id, i.status, i.updated_at, i.updated_by"
	    " FROM invitations i JOIN people p ON p.pid = i.pid ORDER BY i.pid";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct invitation_row r = {
		    .pid = sqlite3_column_int64(st, 0),
		    .employee_id = col_text(st, 1),
		    .status = col_text(st, 2),
		    .updated_at = sqlite3_column_int64(st, 3),
		    .updated_by = col_text(st, 4),
		};
		int stop = fn(ctx, &r);
		if (stop) {
			sqlite3_reset(st);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading invitations");
	sqlite3_reset(st);
	return rc;
}

/* --- audit log ------------------------------------------------------------ */

static int64_t audit_minute(int64_t at)
{
	int64_t r = at % 60;

	return at - (r < 0 ? r + 60 : r);
}

static int audit_cmp(const void *pa, const void *pb)
{
	const struct audit_entry *a = pa, *b = pb;
	int64_t ma = audit_minute(a->at), mb = audit_minute(b->at);
	int c;

	if (ma != mb)
		return ma < mb ? -1 : 1;
	if ((c = strcmp(a->client, b->client)) || (c = strcmp(a->role, b->role)) ||
	    (c = strcmp(a->op, b->op)))
		return c;
	return strcmp(a->status, b->status);
}

size_t store_audit_merge(struct audit_entry *entries, size_t n)
{
	size_t k = 0;

	if (n == 0)
		return 0;
	qsort(entries, n, sizeof(*entries), audit_cmp);
	for (size_t i = 0; i < n; i++) {
		entries[i].at = audit_minute(entries[i].at);
		if (k > 0 && audit_cmp(&entries[k - 1], &entries[i]) == 0) {
			entries[k - 1].requests += entries[i].requests;
			entries[k - 1].people += entries[i].people;
		} else {
			entries[k++] = entries[i];
		}
	}
	return k;
}

int store_audit_append(store *s, const struct audit_entry *entries, size_t n)
{
	static const char sql[] =
	    "INSERT INTO audit_log(at, client, role, op, people, status, requests)"
	    " VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(at, client, role, op, status) DO UPDATE"
	    " SET people = people + excluded.people, requests = requests + excluded.requests";
	int rc;

	if (n == 0)
		return 0;
	if ((rc = store_begin(s)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct audit_entry *e = &entries[i];
		sqlite3_stmt *st;
		if ((rc = store_prepare(s, sql, &st)))
			goto fail;
		if ((rc = store_bind(s, st, "writing the audit log", BIND_INT(audit_minute(e->at)),
		                     BIND_TEXT(e->client), BIND_TEXT(e->role), BIND_TEXT(e->op),
		                     BIND_INT(e->people), BIND_TEXT(e->status),
		                     BIND_INT(e->requests > 0 ? e->requests : 1))) ||
		    (rc = store_step_done(s, st, "writing the audit log")))
			goto fail;
	}
	return store_commit(s);
fail:
	store_rollback(s);
	return rc;
}

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int store_audit_each(store *s, size_t limit, store_audit_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT id, at, client, role, op, people, status, requests FROM audit_log"
	    " ORDER BY at DESC, id DESC LIMIT ?";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "reading the audit log", BIND_INT((int64_t)limit))))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_entry e = {.at = sqlite3_column_int64(st, 1),
		                        .people = sqlite3_column_int64(st, 5),
		                        .requests = sqlite3_column_int64(st, 7)};
		copy_text(e.client, sizeof(e.client), col_text(st, 2));
		copy_text(e.role, sizeof(e.role), col_text(st, 3));
		copy_text(e.op, sizeof(e.op), col_text(st, 4));
		copy_text(e.status, sizeof(e.status), col_text(st, 6));
		int stop = fn(ctx, sqlite3_column_int64(st, 0), &e);
		if (stop) {
			sqlite3_reset(st);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading the audit log");
	sqlite3_reset(st);
	return rc;
}

/* --- erasure -------------------------------------------------------------- */

int store_checkpoint_truncate(store *s)
{
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);

	if (rc == SQLITE_BUSY || (rc == SQLITE_OK && log > 0 && done < log))
		return err_set(ERR_BUSY,
		               "checkpoint: readers kept the WAL from being emptied; retry");
	return rc == SQLITE_OK ? 0 : store_sqlerr(s, rc, "checkpoint");
}

static int erase_rows(store *s, int64_t pid, const char *employee_id, const char *by)
{
	static const char del_person[] = "DELETE FROM people WHERE pid = ?";
	static const char add_supp[] = "INSERT OR IGNORE INTO suppressed(hmac) VALUES(?)";
	static const char add_erasure[] = "INSERT INTO erasures(at, by) VALUES(?, ?)";
	uint8_t key[SHA256_LEN];
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_purge_person_data(s, pid)))
		return rc;
	if ((rc = store_prepare(s, del_person, &st)))
		return rc;
	if ((rc = store_bind(s, st, "erasing a person", BIND_INT(pid))) ||
	    (rc = store_step_done(s, st, "erasing a person")))
		return rc;
	if ((rc = store_suppress_key(s, employee_id, key)))
		return rc;
	if ((rc = store_prepare(s, add_supp, &st)))
		return rc;
	if ((rc = store_bind(s, st, "adding to the erasure list", BIND_BLOB(key, SHA256_LEN))) ||
	    (rc = store_step_done(s, st, "adding to the erasure list")))
		return rc;
	if ((rc = store_prepare(s, add_erasure, &st)))
		return rc;
	if ((rc = store_bind(s, st, "recording the erasure", BIND_INT(clock_now()), BIND_TEXT(by))))
		return rc;
	return store_step_done(s, st, "recording the erasure");
}

int store_erase_person(store *s, const char *employee_id, const char *by)
{
	int64_t pid = 0;
	int rc;

	if ((rc = store_begin(s)))
		return rc;
	if ((rc = find_pid(s, employee_id, &pid)) || (rc = erase_rows(s, pid, employee_id, by))) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}
