/* store_roster.c - the people table: roster upserts, departures, look-ups. */
#include "core/store_roster.h"

#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/store_activity.h"
#include "core/store_features.h"
#include "core/mem.h"
#include "core/store_internal.h"

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

int store_person_upsert(store *s, const struct person_in *p, int64_t import_id, int64_t line,
                        int64_t *out_pid, int64_t *out_first_line)
{
	static const char find[] =
	    "SELECT roster_import, roster_line FROM people WHERE employee_id = ?";
	static const char upsert[] =
	    "INSERT INTO people(employee_id, name, email, department, level, consent,"
	    " departed_at, updated_at, roster_import, roster_line)"
	    /* One department whatever the case or surrounding spaces: the
	     * spelling seen first is kept. */
	    " VALUES(?1, ?2, ?3, coalesce((SELECT department FROM people"
	    "  WHERE department = trim(?4) COLLATE NOCASE ORDER BY pid LIMIT 1), trim(?4)),"
	    " ?5, ?6, NULL, ?7, ?8, ?9)"
	    " ON CONFLICT(employee_id) DO UPDATE SET name = excluded.name,"
	    " email = excluded.email, department = excluded.department,"
	    " level = excluded.level, consent = excluded.consent, departed_at = NULL,"
	    " updated_at = excluded.updated_at, roster_import = excluded.roster_import,"
	    " roster_line = excluded.roster_line"
	    " RETURNING pid";
	sqlite3_stmt *st;
	int rc;

	*out_pid = 0;
	if ((rc = store_prepare(s, find, &st)))
		return rc;
	if ((rc = store_bind(s, st, "looking up a person", BIND_TEXT(p->employee_id))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
	    sqlite3_column_int64(st, 0) == import_id) {
		if (out_first_line)
			*out_first_line = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
		return err_set(ERR_DUPLICATE, "employee_id '%s' is listed twice", p->employee_id);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "looking up a person");

	if ((rc = store_prepare(s, upsert, &st)))
		return rc;
	if ((rc = store_bind(s, st, "saving a person", BIND_TEXT(p->employee_id),
	                     BIND_TEXT(nz(p->name)), BIND_TEXT(nz(p->email)),
	                     BIND_TEXT(p->department), BIND_TEXT(nz(p->level)),
	                     BIND_TEXT(p->consent ? p->consent : ""), BIND_INT(clock_now()),
	                     BIND_INT(import_id), BIND_INT(line))))
		return rc;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_sqlerr(s, rc, "saving a person");
	}
	*out_pid = sqlite3_column_int64(st, 0);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "saving a person");
}

int store_roster_mark_departed(store *s, int64_t import_id, int64_t when, int64_t *out_count)
{
	static const char sql[] = "UPDATE people SET departed_at = ?1, updated_at = ?1"
	                          " WHERE departed_at IS NULL"
	                          " AND (roster_import IS NULL OR roster_import != ?2)";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "marking departures", BIND_INT(when), BIND_INT(import_id))) ||
	    (rc = store_step_done(s, st, "marking departures")))
		return rc;
	*out_count = sqlite3_changes(s->db);
	return 0;
}

static enum person_status status_of(const char *consent, int departed)
{
	if (departed)
		return PERSON_DEPARTED;
	if (consent && strcmp(consent, "no") == 0)
		return PERSON_OPTED_OUT;
	return PERSON_ACTIVE;
}

int store_person_status(store *s, const char *employee_id, int64_t *out_pid,
                        enum person_status *out_status)
{
	static const char sql[] = "SELECT pid, consent, departed_at IS NOT NULL FROM people"
	                          " WHERE employee_id = ?";
	sqlite3_stmt *st;
	int rc;

	*out_pid = 0;
	*out_status = PERSON_UNKNOWN;
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "looking up a person", BIND_TEXT(employee_id))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *consent;
		if ((rc = store_column_text(st, 1, &consent)) == SQLITE_OK) {
			*out_pid = sqlite3_column_int64(st, 0);
			*out_status = status_of(consent, sqlite3_column_int(st, 2));
			rc = SQLITE_DONE;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "looking up a person");
}

int store_people_each(store *s, store_person_fn fn, void *ctx)
{
	static const char sql[] = "SELECT pid, employee_id, consent, departed_at IS NOT NULL"
	                          " FROM people ORDER BY pid";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id, *consent;
		if ((rc = store_column_text(st, 1, &id)) ||
		    (rc = store_column_text(st, 2, &consent)))
			break;
		stop = fn(ctx, sqlite3_column_int64(st, 0), id ? id : "",
		          status_of(consent, sqlite3_column_int(st, 3)));
		if (stop)
			break;
	}
	sqlite3_reset(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading people");
}

int store_people_emails_each(store *s, store_email_fn fn, void *ctx)
{
	static const char sql[] = "SELECT employee_id, email FROM people"
	                          " WHERE email IS NOT NULL AND email != '' ORDER BY pid";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id, *email;
		if ((rc = store_column_text(st, 0, &id)) || (rc = store_column_text(st, 1, &email)))
			break;
		if ((stop = fn(ctx, id ? id : "", email ? email : "")))
			break;
	}
	sqlite3_reset(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading e-mail addresses");
}

int store_roster_counts(store *s, struct roster_counts *out)
{
	static const char sql[] =
	    "SELECT count(*),"
	    " sum(departed_at IS NULL AND consent != 'no'),"
	    " sum(departed_at IS NOT NULL),"
	    " sum(departed_at IS NULL AND consent = 'no'),"
	    " sum(departed_at IS NULL AND consent = 'yes'),"
	    " sum(departed_at IS NULL AND consent = ''),"
	    " count(DISTINCT CASE WHEN departed_at IS NULL THEN department END)"
	    " FROM people";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->total = sqlite3_column_int64(st, 0);
		out->active = sqlite3_column_int64(st, 1);
		out->departed = sqlite3_column_int64(st, 2);
		out->opted_out = sqlite3_column_int64(st, 3);
		out->consent_yes = sqlite3_column_int64(st, 4);
		out->consent_unasked = sqlite3_column_int64(st, 5);
		out->departments = sqlite3_column_int64(st, 6);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "counting people");
}

int store_roster_departments(store *s, store_department_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT department, sum(departed_at IS NULL AND consent != 'no'),"
	    " sum(departed_at IS NULL AND consent = 'no'), sum(departed_at IS NOT NULL)"
	    " FROM people GROUP BY department ORDER BY department";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text;
		if ((rc = store_column_text(st, 0, &text)))
			break;
		stop = fn(ctx, text ? text : "", sqlite3_column_int64(st, 1),
		          sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
		if (stop)
			break;
	}
	sqlite3_reset(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "listing departments");
}

int store_purge_person_data(store *s, int64_t pid)
{
	/* Every table holding data about a person, by pid. A new table with
	 * personal data must be added here (erasure tests check it). */
	static const char *const sqls[] = {
	    "DELETE FROM survey_responses WHERE pid = ?",
	    "DELETE FROM survey_answers WHERE pid = ?",
	    "DELETE FROM survey_scores WHERE pid = ?",
	    /* a person's cells are one key range (core/store_activity.h) */
	    "DELETE FROM activity_weekly WHERE cell >= " ACTIVITY_SQL_PERSON_FIRST
	    " AND cell < " ACTIVITY_SQL_PERSON_END,
	    /* one seek per snapshot id in the rows (there is no index by pid) */
	    "WITH RECURSIVE ids(id) AS (SELECT min(snapshot_id) FROM snapshot_scores"
	    " UNION ALL SELECT (SELECT min(snapshot_id) FROM snapshot_scores WHERE snapshot_id > "
	    "id)"
	    " FROM ids WHERE id IS NOT NULL)"
	    " DELETE FROM snapshot_scores WHERE snapshot_id IN (SELECT id FROM ids) AND pid = ?",
	    "DELETE FROM score_facts WHERE pid = ?",
	    "DELETE FROM invitations WHERE pid = ?",
	    "DELETE FROM invitation_history WHERE pid = ?",
	    "DELETE FROM pilot_members WHERE pid = ?",
	    "DELETE FROM pilot_log WHERE pid = ?",
	    "DELETE FROM outcomes WHERE pid = ?",
	};
	int rc;

	for (size_t i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
		sqlite3_stmt *st;
		if ((rc = store_prepare(s, sqls[i], &st)))
			return rc;
		if ((rc = store_bind(s, st, "removing a person's data", BIND_INT(pid))) ||
		    (rc = store_step_done(s, st, "removing a person's data")))
			return rc;
	}
	/* The feature cache row, and the activity version (it changed). */
	return store_features_forget(s, pid);
}

int store_roster_map_get(store *s, const char *header_key, char **out)
{
	static const char sql[] = "SELECT map FROM roster_maps WHERE header_key = ?";
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "reading a roster map", BIND_TEXT(header_key))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *map;
		if ((rc = store_column_text(st, 0, &map)) == SQLITE_OK) {
			*out = xstrdup(map);
			rc = SQLITE_DONE;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "reading a roster map");
	return *out ? 1 : 0;
}

int store_roster_map_put(store *s, const char *header_key, const char *map, int64_t import_id)
{
	static const char sql[] =
	    "INSERT INTO roster_maps(header_key, map, import_id) VALUES(?, ?, ?)"
	    " ON CONFLICT(header_key) DO UPDATE SET map = excluded.map,"
	    " import_id = excluded.import_id";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "storing a roster map", BIND_TEXT(header_key), BIND_TEXT(map),
	                     BIND_INT(import_id))))
		return rc;
	return store_step_done(s, st, "storing a roster map");
}
