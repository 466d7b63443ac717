/* store_activity.c - queries on platforms, the de-duplication keys
 * (activity_seen_chunks) and activity_weekly. Statements are borrowed from the store's cache; the
 * batch functions prepare once and step many times, since the importer
 * calls them for every event. */
#include "core/store_activity.h"

#include <stdlib.h>

#include "core/err.h"
#include "core/mem.h"
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
	if ((rc = store_prepare(s, find, &st)) ||
	    (rc = store_bind(s, st, "reading platforms", BIND_TEXT(name))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out_id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "reading platforms");
	if ((rc = store_prepare(s, add, &st)) ||
	    (rc = store_bind(s, st, "adding a platform", BIND_TEXT(name))))
		return rc;
	if ((rc = store_step_done(s, st, "adding a platform")))
		return rc;
	*out_id = sqlite3_last_insert_rowid(s->db);
	*out_added = true;
	return 0;
}

bool store_seen_legacy(store *s)
{
	sqlite3_stmt *st;
	bool any;

	if (store_prepare(s, "SELECT 1 FROM activity_seen LIMIT 1", &st))
		return true; /* when in doubt, look */
	any = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return any;
}

static int64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

static void put_be64(unsigned char *p, int64_t v)
{
	for (int i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8))
		p[i] = (unsigned char)v;
}

static int key_cmp(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return (a > b) - (a < b);
}

int store_seen_chunk_load(store *s, int64_t chunk, bool legacy, int64_t **keys, size_t *n,
                          size_t *cap, bool *from_rows)
{
	static const char sql[] = "SELECT keys FROM activity_seen_chunks WHERE chunk = ?";
	static const char old[] = "SELECT key FROM activity_seen WHERE key >= ? AND key < ?";
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	*from_rows = false;
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = sqlite3_bind_int64(st, 1, chunk)) != SQLITE_OK)
		return store_sqlerr(s, rc, "reading activity keys");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *blob = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		if (len % 8 || (len && !blob)) {
			sqlite3_reset(st);
			return err_set(ERR_CORRUPT, "activity key chunk %lld has %zu bytes",
			               (long long)chunk, len);
		}
		if (len / 8 > *cap) {
			*cap = len / 8;
			*keys = xreallocarray(*keys, *cap, sizeof(**keys));
		}
		for (size_t i = 0; i < len / 8; i++)
			(*keys)[i] = get_be64(blob + 8 * i);
		*n = len / 8;
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "reading activity keys");
	if (!legacy)
		return 0;
	/* Keys from before chunks (one row each) join the chunk they fall in;
	 * store_seen_chunk_save removes the rows. */
	if ((rc = store_prepare(s, old, &st)))
		return rc;
	if ((rc = sqlite3_bind_int64(st, 1, chunk << STORE_SEEN_CHUNK_SHIFT)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(st, 2, (chunk + 1) << STORE_SEEN_CHUNK_SHIFT)) != SQLITE_OK)
		return store_sqlerr(s, rc, "reading activity keys");
	size_t before = *n;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*keys = xreallocarray(*keys, *cap, sizeof(**keys));
		}
		(*keys)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "reading activity keys");
	if (*n != before) {
		size_t u = 0;
		*from_rows = true;
		qsort(*keys, *n, sizeof(**keys), key_cmp);
		for (size_t i = 0; i < *n; i++)
			if (u == 0 || (*keys)[u - 1] != (*keys)[i])
				(*keys)[u++] = (*keys)[i];
		*n = u;
	}
	return 0;
}

int store_seen_chunk_save(store *s, int64_t chunk, bool legacy, const int64_t *keys, size_t n)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO activity_seen_chunks(chunk, keys) VALUES (?, ?)";
	static const char old[] = "DELETE FROM activity_seen WHERE key >= ? AND key < ?";
	unsigned char *blob = xmalloc(n ? 8 * n : 1);
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < n; i++)
		put_be64(blob + 8 * i, keys[i]);
	if ((rc = store_prepare(s, sql, &st)))
		goto out;
	if ((rc = sqlite3_bind_int64(st, 1, chunk)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob64(st, 2, blob, 8 * (sqlite3_uint64)n, SQLITE_STATIC)) !=
	        SQLITE_OK) {
		sqlite3_clear_bindings(st);
		rc = store_sqlerr(s, rc, "recording activity keys");
		goto out;
	}
	rc = store_step_done(s, st, "recording activity keys");
	sqlite3_clear_bindings(st); /* the blob is freed below */
	if (rc || !legacy)
		goto out;
	if ((rc = store_prepare(s, old, &st)))
		goto out;
	if ((rc = sqlite3_bind_int64(st, 1, chunk << STORE_SEEN_CHUNK_SHIFT)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(st, 2, (chunk + 1) << STORE_SEEN_CHUNK_SHIFT)) != SQLITE_OK) {
		rc = store_sqlerr(s, rc, "recording activity keys");
		goto out;
	}
	rc = store_step_done(s, st, "recording activity keys");
out:
	free(blob);
	return rc;
}

int store_activity_add(store *s, const struct activity_cell *cells, const uint32_t *order, size_t n)
{
	/* min(..., 2^62): a sum that overflowed int64 would turn into a REAL. */
	static const char sql[] =
	    "INSERT INTO activity_weekly(cell, events, reach, reactions, comments, shares, clicks,"
	    " unrated, coarse) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(cell) DO UPDATE SET"
	    " events = min(events + excluded.events, 4611686018427387904),"
	    " reach = min(reach + excluded.reach, 4611686018427387904),"
	    " reactions = min(reactions + excluded.reactions, 4611686018427387904),"
	    " comments = min(comments + excluded.comments, 4611686018427387904),"
	    " shares = min(shares + excluded.shares, 4611686018427387904),"
	    " clicks = min(clicks + excluded.clicks, 4611686018427387904),"
	    " unrated = min(unrated + excluded.unrated, 4611686018427387904),"
	    " coarse = min(coarse + excluded.coarse, 4611686018427387904)";
	sqlite3_stmt *st;
	int rc;

	if (n && (rc = store_activity_written(s)))
		return rc;
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct activity_cell *c = &cells[order ? order[i] : i];
		int64_t cell;
		if (c->pid < 0 || c->pid >= ACTIVITY_CELL_PID_LIMIT || c->week < 0 ||
		    c->week >= (1 << 12) || c->platform >= (1 << 9) || c->kind >= (1 << 3) ||
		    c->origin > 1)
			return err_set(ERR_INTERNAL, "weekly cell out of range (pid %lld, week %d)",
			               (long long)c->pid, (int)c->week);
		cell = activity_cell_key(c);
		if ((rc = sqlite3_bind_int64(st, 1, cell)) ||
		    (rc = sqlite3_bind_int64(st, 2, c->events)) ||
		    (rc = sqlite3_bind_int64(st, 3, c->reach)) ||
		    (rc = sqlite3_bind_int64(st, 4, c->reactions)) ||
		    (rc = sqlite3_bind_int64(st, 5, c->comments)) ||
		    (rc = sqlite3_bind_int64(st, 6, c->shares)) ||
		    (rc = sqlite3_bind_int64(st, 7, c->clicks)) ||
		    (rc = sqlite3_bind_int64(st, 8, c->unrated)) ||
		    (rc = sqlite3_bind_int64(st, 9, c->coarse)))
			return store_sqlerr(s, rc, "adding weekly activity");
		if ((rc = store_step_done(s, st, "adding weekly activity")))
			return rc;
	}
	return 0;
}

int store_activity_each(store *s, int32_t since_week, store_activity_fn fn, void *ctx)
{
	static const char sql[] = "SELECT cell, events, reach, reactions, comments, shares, clicks,"
	                          " unrated, coarse FROM activity_weekly ORDER BY cell";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	/* The week filter is applied here, on the decoded key: in SQL it
	 * would compute the virtual column for every row. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t cell = sqlite3_column_int64(st, 0);
		struct activity_cell c = {
		    .events = sqlite3_column_int64(st, 1),
		    .reach = sqlite3_column_int64(st, 2),
		    .reactions = sqlite3_column_int64(st, 3),
		    .comments = sqlite3_column_int64(st, 4),
		    .shares = sqlite3_column_int64(st, 5),
		    .clicks = sqlite3_column_int64(st, 6),
		    .unrated = sqlite3_column_int64(st, 7),
		    .coarse = sqlite3_column_int64(st, 8),
		};
		activity_cell_unkey(&c, cell);
		if (c.week < since_week)
			continue;
		if ((stop = fn(ctx, &c)))
			break;
	}
	sqlite3_reset(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading weekly activity");
}
