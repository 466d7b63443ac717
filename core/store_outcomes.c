/* store_outcomes.c - ratings and derived pilot outcomes (store_outcomes.h).
 * Derived outcomes are read from invitations, their history and the weekly
 * activity cells, so they always agree with what is stored now. */
#include "core/store_outcomes.h"

#include "core/err.h"
#include "core/store_internal.h"
#include "core/timefmt.h"

int store_outcome_put(store *s, int64_t pid, int64_t at, int value, const char *note,
                      int64_t import_id, int64_t line, int64_t *out_first_line)
{
	static const char find[] = "SELECT import_id, line FROM outcomes WHERE pid = ? AND at = ?";
	static const char put[] = "INSERT OR REPLACE INTO outcomes(pid, at, value, scale, note,"
	                          " import_id, line) VALUES(?, ?, ?, 1, ?, ?, ?)";
	sqlite3_stmt *st;
	int rc;

	*out_first_line = 0;
	if ((rc = store_prepare(s, find, &st)) ||
	    (rc = store_bind(s, st, "reading a rating", BIND_INT(pid), BIND_INT(at))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) == import_id) {
		*out_first_line = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
		return ERR_DUPLICATE;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "reading a rating");
	if ((rc = store_prepare(s, put, &st)) ||
	    (rc = store_bind(s, st, "storing a rating", BIND_INT(pid), BIND_INT(at),
	                     BIND_INT(value), note && *note ? BIND_TEXT(note) : BIND_NULL,
	                     BIND_INT(import_id), BIND_INT(line))))
		return rc;
	return store_step_done(s, st, "storing a rating");
}

int store_outcomes_set_scale(store *s, int64_t import_id, int scale)
{
	static const char sql[] = "UPDATE outcomes SET scale = ? WHERE import_id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "setting the rating scale", BIND_INT(scale),
	                     BIND_INT(import_id))))
		return rc;
	return store_step_done(s, st, "setting the rating scale");
}

int store_ratings_each(store *s, store_rating_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT o.pid, p.employee_id, o.at, o.value, o.scale, o.note FROM outcomes o"
	    " JOIN people p ON p.pid = o.pid ORDER BY p.employee_id, o.at";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct outcome_rating r = {
		    .pid = sqlite3_column_int64(st, 0),
		    .employee_id = (const char *)sqlite3_column_text(st, 1),
		    .at = sqlite3_column_int64(st, 2),
		    .value = sqlite3_column_int(st, 3),
		    .scale = sqlite3_column_int(st, 4),
		    .note = (const char *)sqlite3_column_text(st, 5),
		};
		if (!r.employee_id)
			r.employee_id = "";
		if ((stop = fn(ctx, &r)))
			break;
	}
	sqlite3_reset(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading ratings");
}

/* Weeks with own posts or comments (origin original, kinds 1-4) of pid in
 * weeks first..last: one key range of the person's cells. */
static int weeks_active(store *s, int64_t pid, int64_t first, int64_t last, int *out)
{
	static const char sql[] =
	    "SELECT count(DISTINCT (cell >> 13) & 4095) FROM activity_weekly"
	    " WHERE cell >= (?1 << 25) | (?2 << 13) AND cell < (?1 << 25) | ((?3 + 1) << 13)"
	    " AND ((cell >> 1) & 7) BETWEEN 1 AND 4 AND (cell & 1) = 0 AND events > 0";
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if (first < 0)
		first = 0;
	if (last > 4095)
		last = 4095;
	if (last < first)
		return 0;
	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "counting active weeks", BIND_INT(pid), BIND_INT(first),
	                     BIND_INT(last))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(s, rc, "counting active weeks");
}

int store_decisions_each(store *s, int64_t as_of, store_decision_fn fn, void *ctx)
{
	/* The answer's time is its latest history row; updated_at if none. */
	static const char sql[] =
	    "SELECT i.pid, p.employee_id, i.status,"
	    " coalesce((SELECT max(h.at) FROM invitation_history h"
	    "  WHERE h.pid = i.pid AND h.status = i.status), i.updated_at)"
	    " FROM invitations i JOIN people p ON p.pid = i.pid"
	    " WHERE i.status IN ('accepted', 'declined') ORDER BY p.employee_id";
	int64_t now_week = timefmt_week(as_of);
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_read_begin(s)))
		return rc;
	if ((rc = store_prepare(s, sql, &st)))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 1);
		const char *status = (const char *)sqlite3_column_text(st, 2);
		struct outcome_decision d = {
		    .pid = sqlite3_column_int64(st, 0),
		    .employee_id = id ? id : "",
		    .accepted = status && status[0] == 'a',
		    .at = sqlite3_column_int64(st, 3),
		};
		int64_t week = timefmt_week(d.at);
		d.complete = now_week > week + OUTCOME_ACTIVE_SPAN;
		if (d.accepted) {
			int64_t last = week + OUTCOME_ACTIVE_SPAN;
			if (last >= now_week) /* not past as_of's week */
				last = now_week;
			/* the statement above stays open: weeks_active has its own */
			if ((stop = weeks_active(s, d.pid, week + 1, last, &d.weeks_after)))
				break;
		}
		if ((stop = fn(ctx, &d)))
			break;
	}
	sqlite3_reset(st);
	if (!stop && rc != SQLITE_DONE)
		stop = store_sqlerr(s, rc, "reading invitation outcomes");
	rc = stop;
out:
	store_read_end(s);
	return rc;
}
