/* store_report.c - aggregate reads for HR's report (store_report.h). */
#include "core/store_report.h"

#include <math.h>
#include <sqlite3.h>
#include <stddef.h>

#include "core/mem.h"

#include "core/err.h"
#include "core/store_internal.h"

int store_snapshot_reasons_each(store *s, int64_t id, store_reason_fn fn, void *ctx)
{
	/* One pass over the snapshot's rows with the primary key's prefix;
	 * rows written before migration 16 hold why_not in their JSON, and
	 * json_extract reads the one field, so the details are not copied. */
	static const char sql[] =
	    "SELECT coalesce(CASE WHEN flags IS NULL THEN json_extract(detail, '$.why_not')"
	    " ELSE (SELECT text FROM score_texts WHERE id = why_not_id) END, 'not recorded'),"
	    " count(*)"
	    " FROM snapshot_scores WHERE snapshot_id = ?1 AND NOT eligible"
	    " GROUP BY 1 ORDER BY 2 DESC, 1";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "reading the reasons", BIND_INT(id))))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *why = sqlite3_column_text(st, 0);
		int frc = fn(ctx, why ? (const char *)why : "", sqlite3_column_int64(st, 1));
		if (frc) {
			sqlite3_reset(st);
			return frc;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "reading the reasons");
	return 0;
}

int store_snapshot_detail(store *s, int64_t id, int64_t pid, char **out)
{
	static const char sql[] = "SELECT " SQL_SNAPSHOT_DETAIL " FROM snapshot_scores ss"
	                          " WHERE ss.snapshot_id = ?1 AND ss.pid = ?2";
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "reading a detail", BIND_INT(id), BIND_INT(pid))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *d = sqlite3_column_text(st, 0);
		*out = xstrdup(d ? (const char *)d : "{}");
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_sqlerr(s, rc, "reading a detail");
}

int store_snapshot_scores_of(store *s, int64_t id, int64_t pid, double out[5])
{
	static const char sql[] = "SELECT coalesce(rank, 0), score, activity, attitude, motivation"
	                          " FROM snapshot_scores WHERE snapshot_id = ?1 AND pid = ?2";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "reading a person's scores", BIND_INT(id), BIND_INT(pid))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		for (int i = 0; i < 5; i++)
			out[i] = sqlite3_column_type(st, i) == SQLITE_NULL
			             ? NAN
			             : sqlite3_column_double(st, i);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_sqlerr(s, rc, "reading a person's scores");
}
