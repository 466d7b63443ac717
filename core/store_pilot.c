/* store_pilot.c - publications, pilots and the pilot log (store_pilot.h).
 * Every write runs in the caller's transaction when one is open, else in
 * its own; every statement is a cached prepared statement.
 */
#include "core/store_internal.h"
#include "core/store_pilot.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

static const char *col_str(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t ? t : "";
}

static char *col_dup(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t ? xstrdup(t) : NULL;
}

/* One integer from a query with the given int parameters (none: pass 0
 * for n); *out = dflt when it returns no row. */
static int query_int(store *s, const char *sql, const char *what, const int64_t *args, size_t n,
                     int64_t dflt, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = sqlite3_bind_int64(st, (int)i + 1, args[i])) != SQLITE_OK)
			return store_sqlerr(s, rc, what);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL
	           ? sqlite3_column_int64(st, 0)
	           : dflt;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, what);
}

/* Begin a write transaction unless the caller holds one. */
static int tx_begin(store *s, bool *own)
{
	*own = !store_in_transaction(s);
	return *own ? store_begin(s) : 0;
}

static int tx_end(store *s, bool own, int rc)
{
	if (!own)
		return rc;
	if (rc) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}

/* --- publication --------------------------------------------------------- */

int store_publish(store *s, int64_t id, const char *by, int64_t at)
{
	static const char q_has[] = "SELECT count(*) FROM snapshots WHERE id = ?";
	static const char ins[] = "INSERT INTO publications(snapshot_id, at, by) VALUES(?, ?, ?)";
	sqlite3_stmt *st;
	int64_t has = 0;
	bool own;
	int rc;

	if ((rc = tx_begin(s, &own)))
		return rc;
	if ((rc = query_int(s, q_has, "reading a snapshot", &id, 1, 0, &has)))
		goto done;
	if (!has) {
		rc = err_set(ERR_NOT_FOUND, "no snapshot #%lld (see `ambassador snapshots`)",
		             (long long)id);
		goto done;
	}
	if (!(rc = store_prepare(s, ins, &st)) &&
	    !(rc = store_bind(s, st, "publishing a snapshot", BIND_INT(id), BIND_INT(at),
	                      BIND_TEXT(by))))
		rc = store_step_done(s, st, "publishing a snapshot");
done:
	return tx_end(s, own, rc);
}

int store_published_id(store *s, int64_t *out)
{
	static const char sql[] = "SELECT snapshot_id FROM publications ORDER BY id DESC LIMIT 1";

	return query_int(s, sql, "reading the published snapshot", NULL, 0, 0, out);
}

int store_published_stale(store *s, bool *out)
{
	/* Snapshots from before imports_seen was kept compare times. */
	static const char sql[] =
	    "SELECT EXISTS(SELECT 1 FROM imports i, snapshots n"
	    " WHERE n.id = (SELECT snapshot_id FROM publications ORDER BY id DESC LIMIT 1)"
	    " AND (i.id > n.imports_seen OR (n.imports_seen IS NULL"
	    " AND i.imported_at > n.computed_at)))";
	int64_t v = 0;
	int rc = query_int(s, sql, "comparing imports with the scores", NULL, 0, 0, &v);

	*out = v != 0;
	return rc;
}

int store_snapshots_each(store *s, store_snapshot_list_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT n.id, n.as_of, n.computed_at, n.profile, n.profile_version, n.people,"
	    " n.eligible, n.id = (SELECT snapshot_id FROM publications ORDER BY id DESC LIMIT 1),"
	    " (SELECT max(at) FROM publications p WHERE p.snapshot_id = n.id)"
	    " FROM snapshots n ORDER BY n.id DESC";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct snapshot_list_row r = {
		    .id = sqlite3_column_int64(st, 0),
		    .as_of = sqlite3_column_int64(st, 1),
		    .computed_at = sqlite3_column_int64(st, 2),
		    .profile = col_str(st, 3),
		    .profile_version = sqlite3_column_int64(st, 4),
		    .people = sqlite3_column_int64(st, 5),
		    .eligible = sqlite3_column_int64(st, 6),
		    .published = sqlite3_column_int(st, 7) != 0,
		    .published_at = sqlite3_column_int64(st, 8),
		};
		stop = fn(ctx, &r);
	}
	if (!stop)
		rc = rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "listing snapshots");
	sqlite3_reset(st);
	return stop ? stop : rc;
}

/* --- pilots ---------------------------------------------------------------- */

#define PILOT_COLS                                                                                 \
	"SELECT p.id, p.name, p.snapshot_id, p.size, p.created_at, p.created_by,"                  \
	" p.approved_at, p.approved_by,"                                                           \
	" (SELECT count(*) FROM pilot_members m WHERE m.pilot_id = p.id) FROM pilots p"

static void pilot_from_row(sqlite3_stmt *st, struct pilot_info *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->name = col_dup(st, 1);
	out->snapshot_id = sqlite3_column_int64(st, 2);
	out->size = sqlite3_column_int64(st, 3);
	out->created_at = sqlite3_column_int64(st, 4);
	out->created_by = col_dup(st, 5);
	out->approved_at = sqlite3_column_int64(st, 6);
	out->approved_by = col_dup(st, 7);
	out->members = sqlite3_column_int64(st, 8);
}

void store_pilot_info_free(struct pilot_info *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->created_by);
	free(p->approved_by);
	memset(p, 0, sizeof(*p));
}

int store_pilot_get(store *s, const char *name, bool approved_only, struct pilot_info *out)
{
	static const char by_name[] = PILOT_COLS " WHERE p.name = ?";
	static const char newest[] = PILOT_COLS " ORDER BY p.id DESC LIMIT 1";
	static const char approved[] =
	    PILOT_COLS " WHERE p.approved_at IS NOT NULL ORDER BY p.approved_at DESC, p.id DESC"
	               " LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_prepare(s, name ? by_name : approved_only ? approved : newest, &st)))
		return rc;
	if (name && (rc = store_bind(s, st, "reading a pilot", BIND_TEXT(name))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		pilot_from_row(st, out);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading a pilot");
}

int store_pilots_each(store *s, store_pilot_fn fn, void *ctx)
{
	static const char sql[] = PILOT_COLS " ORDER BY p.id DESC";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pilot_info p;
		pilot_from_row(st, &p);
		stop = fn(ctx, &p);
		store_pilot_info_free(&p);
	}
	if (!stop)
		rc = rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "listing pilots");
	sqlite3_reset(st);
	return stop ? stop : rc;
}

static int log_action(store *s, int64_t pilot_id, int64_t at, const char *by, const char *action,
                      int64_t pid, const char *reason)
{
	static const char sql[] = "INSERT INTO pilot_log(pilot_id, at, author, action, pid, reason)"
	                          " VALUES(?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "logging a pilot decision", BIND_INT(pilot_id), BIND_INT(at),
	                     BIND_TEXT(by), BIND_TEXT(action), pid ? BIND_INT(pid) : BIND_NULL,
	                     BIND_TEXT(reason && *reason ? reason : NULL))))
		return rc;
	return store_step_done(s, st, "logging a pilot decision");
}

static int insert_member(store *s, int64_t pilot_id, int64_t pid, int64_t position,
                         const char *reason)
{
	static const char sql[] =
	    "INSERT INTO pilot_members(pilot_id, pid, position, reason) VALUES(?, ?, ?, ?)";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "adding to a pilot", BIND_INT(pilot_id), BIND_INT(pid),
	                     BIND_INT(position), BIND_TEXT(reason ? reason : ""))))
		return rc;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return err_set(ERR_DUPLICATE, "already in the pilot");
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "adding to a pilot");
}

int store_pilot_create(store *s, const char *name, int64_t snapshot_id, int64_t size,
                       const struct pilot_member_in *m, size_t n, const char *by, int64_t at,
                       int64_t *out_id)
{
	static const char ins[] = "INSERT INTO pilots(name, snapshot_id, size, created_at, "
	                          "created_by) VALUES(?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int64_t id = 0;
	bool own;
	int rc;

	if ((rc = tx_begin(s, &own)))
		return rc;
	if ((rc = store_prepare(s, ins, &st)) ||
	    (rc = store_bind(s, st, "creating a pilot", BIND_TEXT(name), BIND_INT(snapshot_id),
	                     BIND_INT(size), BIND_INT(at), BIND_TEXT(by))))
		goto done;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		rc = err_set(ERR_DUPLICATE,
		             "a pilot named '%s' exists already (pick another --name)", name);
		goto done;
	}
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, rc, "creating a pilot");
		goto done;
	}
	id = sqlite3_last_insert_rowid(s->db);
	rc = log_action(s, id, at, by, "propose", 0, NULL);
	for (size_t i = 0; !rc && i < n; i++)
		rc = insert_member(s, id, m[i].pid, (int64_t)i + 1, m[i].reason);
done:
	rc = tx_end(s, own, rc);
	if (!rc && out_id)
		*out_id = id;
	return rc;
}

/* ERR_FORBIDDEN when the pilot is approved, ERR_NOT_FOUND when it is gone. */
static int must_be_draft(store *s, int64_t pilot_id)
{
	static const char sql[] = "SELECT approved_at IS NOT NULL FROM pilots WHERE id = ?";
	int64_t approved = -1;
	int rc = query_int(s, sql, "reading a pilot", &pilot_id, 1, -1, &approved);

	if (rc)
		return rc;
	if (approved < 0)
		return err_set(ERR_NOT_FOUND, "no such pilot");
	if (approved)
		return err_set(ERR_FORBIDDEN,
		               "the pilot is approved and frozen; propose a new one to change it");
	return 0;
}

int store_pilot_add(store *s, int64_t pilot_id, int64_t pid, const char *reason, const char *by,
                    int64_t at)
{
	static const char q_pos[] =
	    "SELECT coalesce(max(position), 0) + 1 FROM pilot_members WHERE pilot_id = ?";
	int64_t pos = 1;
	bool own;
	int rc;

	if ((rc = tx_begin(s, &own)))
		return rc;
	if (!(rc = must_be_draft(s, pilot_id)) &&
	    !(rc = query_int(s, q_pos, "adding to a pilot", &pilot_id, 1, 1, &pos)) &&
	    !(rc = insert_member(s, pilot_id, pid, pos, reason)))
		rc = log_action(s, pilot_id, at, by, "add", pid, reason);
	return tx_end(s, own, rc);
}

int store_pilot_remove(store *s, int64_t pilot_id, int64_t pid, const char *reason, const char *by,
                       int64_t at)
{
	static const char del[] = "DELETE FROM pilot_members WHERE pilot_id = ? AND pid = ?";
	sqlite3_stmt *st;
	bool own;
	int rc;

	if ((rc = tx_begin(s, &own)))
		return rc;
	if ((rc = must_be_draft(s, pilot_id)) || (rc = store_prepare(s, del, &st)) ||
	    (rc = store_bind(s, st, "removing from a pilot", BIND_INT(pilot_id), BIND_INT(pid))) ||
	    (rc = store_step_done(s, st, "removing from a pilot")))
		goto done;
	if (sqlite3_changes(s->db) == 0)
		rc = err_set(ERR_NOT_FOUND, "not in the pilot");
	else
		rc = log_action(s, pilot_id, at, by, "remove", pid, reason);
done:
	return tx_end(s, own, rc);
}

int store_pilot_approve(store *s, int64_t pilot_id, const char *by, int64_t at)
{
	static const char q_n[] = "SELECT count(*) FROM pilot_members WHERE pilot_id = ?";
	static const char upd[] = "UPDATE pilots SET approved_at = ?, approved_by = ? WHERE id = ?";
	sqlite3_stmt *st;
	int64_t n = 0;
	bool own;
	int rc;

	if ((rc = tx_begin(s, &own)))
		return rc;
	if ((rc = must_be_draft(s, pilot_id)) ||
	    (rc = query_int(s, q_n, "approving a pilot", &pilot_id, 1, 0, &n)))
		goto done;
	if (n == 0) {
		rc = err_set(ERR_INVALID, "the pilot has nobody in it: add people first");
		goto done;
	}
	if (!(rc = store_prepare(s, upd, &st)) &&
	    !(rc = store_bind(s, st, "approving a pilot", BIND_INT(at), BIND_TEXT(by),
	                      BIND_INT(pilot_id))) &&
	    !(rc = store_step_done(s, st, "approving a pilot")))
		rc = log_action(s, pilot_id, at, by, "approve", 0, NULL);
done:
	return tx_end(s, own, rc);
}

int store_pilot_members_each(store *s, int64_t pilot_id, store_pilot_member_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT m.pid, m.position, p.employee_id, p.name, p.email, p.department, p.level,"
	    " p.consent, p.departed_at IS NOT NULL, m.reason, i.status, i.updated_at"
	    " FROM pilot_members m JOIN people p ON p.pid = m.pid"
	    " LEFT JOIN invitations i ON i.pid = m.pid"
	    " WHERE m.pilot_id = ? ORDER BY m.position";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "reading a pilot", BIND_INT(pilot_id))))
		return rc;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pilot_member m = {
		    .pid = sqlite3_column_int64(st, 0),
		    .position = sqlite3_column_int64(st, 1),
		    .employee_id = col_str(st, 2),
		    .name = col_str(st, 3),
		    .email = col_str(st, 4),
		    .department = col_str(st, 5),
		    .level = col_str(st, 6),
		    .consent = col_str(st, 7),
		    .departed = sqlite3_column_int(st, 8) != 0,
		    .reason = col_str(st, 9),
		    .invitation =
		        sqlite3_column_type(st, 10) == SQLITE_NULL ? "none" : col_str(st, 10),
		    .invitation_at = sqlite3_column_int64(st, 11),
		};
		stop = fn(ctx, &m);
	}
	if (!stop)
		rc = rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading a pilot");
	sqlite3_reset(st);
	return stop ? stop : rc;
}

int store_pilot_log_each(store *s, int64_t pilot_id, store_pilot_log_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT l.at, l.author, l.action, p.employee_id, l.reason FROM pilot_log l"
	    " LEFT JOIN people p ON p.pid = l.pid WHERE l.pilot_id = ? ORDER BY l.id";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "reading a pilot's log", BIND_INT(pilot_id))))
		return rc;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pilot_log_row r = {
		    .at = sqlite3_column_int64(st, 0),
		    .author = col_str(st, 1),
		    .action = col_str(st, 2),
		    .employee_id = (const char *)sqlite3_column_text(st, 3),
		    .reason = (const char *)sqlite3_column_text(st, 4),
		};
		stop = fn(ctx, &r);
	}
	if (!stop)
		rc = rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading a pilot's log");
	sqlite3_reset(st);
	return stop ? stop : rc;
}

int store_pilot_approved_member(store *s, int64_t pid, bool *out)
{
	static const char sql[] =
	    "SELECT EXISTS(SELECT 1 FROM pilot_members m JOIN pilots p ON p.id = m.pilot_id"
	    " WHERE m.pid = ? AND p.approved_at IS NOT NULL)";
	int64_t v = 0;
	int rc = query_int(s, sql, "reading pilots", &pid, 1, 0, &v);

	*out = v != 0;
	return rc;
}

int store_pipeline_each(store *s, store_pipeline_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT p.employee_id, p.name, p.department, coalesce(i.status, 'none'),"
	    " (SELECT max(h.at) FROM invitation_history h WHERE h.pid = p.pid"
	    "  AND h.status = 'invited'), i.updated_at, i.updated_by,"
	    " (SELECT t.name FROM pilot_members m JOIN pilots t ON t.id = m.pilot_id"
	    "  WHERE m.pid = p.pid AND t.approved_at IS NOT NULL ORDER BY t.approved_at DESC,"
	    "  t.id DESC LIMIT 1),"
	    " p.consent = 'no', p.departed_at IS NOT NULL"
	    " FROM people p LEFT JOIN invitations i ON i.pid = p.pid"
	    " WHERE i.pid IS NOT NULL OR p.pid IN (SELECT m.pid FROM pilot_members m"
	    "  JOIN pilots t ON t.id = m.pilot_id WHERE t.approved_at IS NOT NULL)"
	    " ORDER BY p.department, p.employee_id";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pipeline_row r = {
		    .employee_id = col_str(st, 0),
		    .name = col_str(st, 1),
		    .department = col_str(st, 2),
		    .status = col_str(st, 3),
		    .invited_at = sqlite3_column_int64(st, 4),
		    .updated_at = sqlite3_column_int64(st, 5),
		    .updated_by = (const char *)sqlite3_column_text(st, 6),
		    .pilot = (const char *)sqlite3_column_text(st, 7),
		    .opted_out = sqlite3_column_int(st, 8) != 0,
		    .departed = sqlite3_column_int(st, 9) != 0,
		};
		stop = fn(ctx, &r);
	}
	if (!stop)
		rc = rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading the invitation pipeline");
	sqlite3_reset(st);
	return stop ? stop : rc;
}
