/* store_activity.c - queries on platforms, activity_seen and
 * activity_weekly. Statements are borrowed from the store's cache; the
 * batch functions prepare once and step many times, since the importer
 * calls them for every event. */
#include "core/store_activity.h"

#include "core/err.h"
#include "core/store_internal.h"

int store_platforms_each(store *s, store_platform_fn fn, void *ctx)
{
	static const char sql[] = "SELECT id, name FROM platforms ORDER BY id";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		stop =
		    fn(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1));
		if (stop)
			break;
	}
	sqlite3_reset(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading platforms");
}

int store_platform_add(store *s, const char *name, int64_t *out_id, bool *out_added)
{
	static const char find[] = "SELECT id FROM platforms WHERE name = ?";
	static const char add[] = "INSERT INTO platforms(name) VALUES (?)";
	sqlite3_stmt *st;
	int rc;

	*out_added = false;
	if ((rc = store_prepare(s, find, &st)))
		return rc;
	store_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out_id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "reading platforms");
	if ((rc = store_prepare(s, add, &st)))
		return rc;
	store_bind_text(st, 1, name);
	if ((rc = store_step_done(s, st, "adding a platform")))
		return rc;
	*out_id = sqlite3_last_insert_rowid(s->db);
	*out_added = true;
	return 0;
}

int store_activity_seen_add(store *s, const int64_t *keys, const uint32_t *order, size_t n,
                            uint8_t *out_new)
{
	static const char sql[] = "INSERT OR IGNORE INTO activity_seen(key) VALUES (?)";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		size_t k = order ? order[i] : i;
		sqlite3_bind_int64(st, 1, keys[k]);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return store_sqlerr(s, rc, "recording activity keys");
		/* OR IGNORE: no change means the key was there already. */
		out_new[k] = sqlite3_changes(s->db) != 0;
	}
	return 0;
}

int store_activity_add(store *s, const struct activity_cell *cells, const uint32_t *order, size_t n)
{
	/* min(..., 2^62): a sum that overflowed int64 would turn into a REAL. */
	static const char sql[] =
	    "INSERT INTO activity_weekly(pid, week, platform, kind, origin, events, reach,"
	    " reactions, comments, shares, clicks) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
	    " ON CONFLICT(pid, week, platform, kind, origin) DO UPDATE SET"
	    " events = min(events + excluded.events, 4611686018427387904),"
	    " reach = min(reach + excluded.reach, 4611686018427387904),"
	    " reactions = min(reactions + excluded.reactions, 4611686018427387904),"
	    " comments = min(comments + excluded.comments, 4611686018427387904),"
	    " shares = min(shares + excluded.shares, 4611686018427387904),"
	    " clicks = min(clicks + excluded.clicks, 4611686018427387904)";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct activity_cell *c = &cells[order ? order[i] : i];
		sqlite3_bind_int64(st, 1, c->pid);
		sqlite3_bind_int(st, 2, c->week);
		sqlite3_bind_int(st, 3, c->platform);
		sqlite3_bind_int(st, 4, c->kind);
		sqlite3_bind_int(st, 5, c->origin);
		sqlite3_bind_int64(st, 6, c->events);
		sqlite3_bind_int64(st, 7, c->reach);
		sqlite3_bind_int64(st, 8, c->reactions);
		sqlite3_bind_int64(st, 9, c->comments);
		sqlite3_bind_int64(st, 10, c->shares);
		sqlite3_bind_int64(st, 11, c->clicks);
		if ((rc = store_step_done(s, st, "adding weekly activity")))
			return rc;
	}
	return 0;
}

int store_activity_each(store *s, int32_t since_week, store_activity_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT pid, week, platform, kind, origin, events, reach, reactions, comments,"
	    " shares, clicks FROM activity_weekly WHERE week >= ?"
	    " ORDER BY pid, week, platform, kind, origin";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	sqlite3_bind_int(st, 1, since_week);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct activity_cell c = {
		    .pid = sqlite3_column_int64(st, 0),
		    .week = sqlite3_column_int(st, 1),
		    .platform = (uint16_t)sqlite3_column_int(st, 2),
		    .kind = (uint8_t)sqlite3_column_int(st, 3),
		    .origin = (uint8_t)sqlite3_column_int(st, 4),
		    .events = sqlite3_column_int64(st, 5),
		    .reach = sqlite3_column_int64(st, 6),
		    .reactions = sqlite3_column_int64(st, 7),
		    .comments = sqlite3_column_int64(st, 8),
		    .shares = sqlite3_column_int64(st, 9),
		    .clicks = sqlite3_column_int64(st, 10),
		};
		if ((stop = fn(ctx, &c)))
			break;
	}
	sqlite3_reset(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading weekly activity");
}
