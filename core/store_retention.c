/* store_retention.c - the retention job (store_retention.h). */
#include "core/store_retention.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/num.h"
#include "core/store_activity.h"
#include "core/store_features.h"
#include "core/store_internal.h"
#include "core/timefmt.h"

/* Run `sql` with ?1 = arg; *changed = rows it deleted. */
static int delete_rows(store *s, const char *sql, int64_t arg, int64_t *changed)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return store_sqlerr(s, rc, "applying the retention policy");
	if ((rc = sqlite3_bind_int64(st, 1, arg)) == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "applying the retention policy");
	*changed = sqlite3_changes64(s->db);
	return 0;
}

int store_retention_days(store *s, int *out_days)
{
	char *v = NULL;
	int rc = store_meta_get(s, "retention_days", &v);

	*out_days = 0;
	if (rc < 0)
		return rc;
	if (rc == 1) {
		int64_t d = 0;
		bool ok = num_int(v, 1, 36500, &d) == 0;
		free(v);
		if (!ok)
			return err_set(ERR_CORRUPT, "meta retention_days is not a number of days");
		*out_days = (int)d;
	}
	return 0;
}

/* Scores and activity older than out->cutoff (inside the caller's
 * transaction); the audit log too unless it has its own period. */
static int retain_data(store *s, int days, bool audit_too, struct retention_counts *out)
{
	/* The newest snapshot and the published one are never removed. */
	static const char old_snapshots[] =
	    "(SELECT id FROM snapshots WHERE computed_at < ?1 AND id <> (SELECT max(id) FROM "
	    "snapshots)"
	    " AND id IS NOT (SELECT snapshot_id FROM publications ORDER BY id DESC LIMIT 1))";
	char sql[256], value[32];
	int64_t week, n = 0;
	int rc;

	/* Whole weeks only: a week is removed once it has ended before the cutoff. */
	week = out->cutoff < 946857600 ? 0 : timefmt_week(out->cutoff);
	snprintf(sql, sizeof(sql), "DELETE FROM snapshot_scores WHERE snapshot_id IN %s",
	         old_snapshots);
	if ((rc = delete_rows(s, sql, out->cutoff, &out->snapshot_rows)))
		return rc;
	snprintf(sql, sizeof(sql), "DELETE FROM snapshots WHERE id IN %s", old_snapshots);
	if ((rc = delete_rows(s, sql, out->cutoff, &out->snapshots)) ||
	    /* facts no remaining row refers to (not counted: part of those rows) */
	    (rc = delete_rows(s,
	                      "DELETE FROM score_facts WHERE ?1 = ?1 AND id NOT IN"
	                      " (SELECT facts_id FROM snapshot_scores WHERE facts_id IS NOT NULL)",
	                      0, &n)) ||
	    (audit_too && (rc = delete_rows(s, "DELETE FROM audit_log WHERE at < ?1", out->cutoff,
	                                    &out->audit))) ||
	    (rc = delete_rows(s, "DELETE FROM activity_weekly WHERE week < ?1", week,
	                      &out->activity_cells)) ||
	    (rc = delete_rows(s, "DELETE FROM activity_seen_chunks WHERE chunk < ?1 << 8", week,
	                      &out->key_chunks)) ||
	    (rc = delete_rows(s, "DELETE FROM activity_seen WHERE key < ?1 << 51", week, &n)))
		return rc;
	if (out->activity_cells && (rc = store_activity_written(s)))
		return rc;
	snprintf(value, sizeof(value), "%d", days);
	return store_meta_set(s, "retention_days", value);
}

int store_retention_apply(store *s, int64_t now, int days, int audit_days, bool dry_run,
                          struct retention_counts *out)
{
	char value[32];
	int rc;

	*out = (struct retention_counts){0};
	if (days < 0 || audit_days < 0 || (days == 0 && audit_days == 0))
		return err_set(ERR_USAGE, "retention: --days or --audit-days must be at least 1");
	out->cutoff = days ? now - (int64_t)days * 86400 : 0;
	out->audit_cutoff = audit_days ? now - (int64_t)audit_days * 86400 : out->cutoff;
	if ((rc = store_begin(s)))
		return rc;
	if (days && (rc = retain_data(s, days, audit_days == 0, out)))
		goto fail;
	if (audit_days) {
		snprintf(value, sizeof(value), "%d", audit_days);
		if ((rc = delete_rows(s, "DELETE FROM audit_log WHERE at < ?1", out->audit_cutoff,
		                      &out->audit)) ||
		    (rc = store_meta_set(s, "audit_retention_days", value)))
			goto fail;
	}
	if (dry_run) {
		store_rollback(s);
		return 0;
	}
	return store_commit(s);
fail:
	store_rollback(s);
	return rc;
}
