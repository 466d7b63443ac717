/* store_export.c - the access and portability export (store_export.h).
 *
 * Rows are turned into JSON objects by column name and SQL type, so a
 * column added to one of these tables is exported without a change here;
 * a new table with personal data must be added both here and to
 * store_purge_person_data (the export test compares the two lists). */
#include "core/store_export.h"

#include <stdbool.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/store_activity.h"
#include "core/store_internal.h"
#include "core/timefmt.h"

/* Column value as JSON; detail columns hold JSON text and are parsed. */
static json_t *column_json(sqlite3_stmt *st, int i)
{
	const char *name = sqlite3_column_name(st, i);

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER: return json_integer((json_int_t)sqlite3_column_int64(st, i));
	case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, i));
	case SQLITE_TEXT: {
		const char *t = (const char *)sqlite3_column_text(st, i);
		if (!t)
			return NULL; /* out of memory: the caller fails */
		if (name && (strcmp(name, "detail") == 0 || strcmp(name, "params") == 0)) {
			json_t *j = json_loads(t, 0, NULL);
			if (j)
				return j;
		}
		return json_string(t);
	}
	case SQLITE_BLOB: return json_string("(binary, derived)");
	default: return json_null();
	}
}

/* Every row of `sql` (parameter 1 = pid) as an array of objects. */
static int rows_json(store *s, const char *sql, int64_t pid, const char *what, json_t **out)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK) {
		json_decref(arr);
		return store_sqlerr(s, rc, what);
	}
	if ((rc = sqlite3_bind_int64(st, 1, pid)) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = json_object();
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			json_t *v = column_json(st, i);
			if (!v) {
				json_decref(row);
				rc = SQLITE_NOMEM;
				goto fail;
			}
			json_object_set_new(row, sqlite3_column_name(st, i), v);
		}
		json_array_append_new(arr, row);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	*out = arr;
	return 0;
fail:
	sqlite3_finalize(st);
	json_decref(arr);
	return store_sqlerr(s, rc, what);
}

/* single: at most one row, exported as an object (or null). */
static const struct part {
	const char *key, *sql;
	bool single;
} parts[] = {
    {.key = "person",
     .single = true,
     .sql = "SELECT employee_id, name, email, department, level, consent,"
            " strftime('%Y-%m-%dT%H:%M:%SZ', departed_at, 'unixepoch') AS departed_at, "
            "strftime('%Y-%m-%dT%H:%M:%SZ', updated_at, 'unixepoch') AS updated_at"
            " FROM people WHERE pid = ?1"},
    {.key = "survey_response",
     .single = true,
     .sql = "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', submitted_at, 'unixepoch') AS submitted_at, "
            "strftime('%Y-%m-%dT%H:%M:%SZ', started_at, 'unixepoch') AS started_at, careless"
            " FROM survey_responses WHERE pid = ?1"},
    {.key = "survey_answers",
     .single = false,
     .sql = "SELECT item, value FROM survey_answers WHERE pid = ?1 ORDER BY item"},
    {.key = "survey_scores",
     .single = false,
     .sql = "SELECT construct, score, answered, items FROM survey_scores"
            " WHERE pid = ?1 ORDER BY construct"},
    {.key = "activity_weekly",
     .single = false,
     .sql = "SELECT date(946857600 + w.week * 604800, 'unixepoch') AS week_starting,"
            " p.name AS platform, CASE w.kind WHEN 1 THEN 'post' WHEN 2 THEN 'article'"
            " WHEN 3 THEN 'video' WHEN 4 THEN 'comment' WHEN 5 THEN 'reshare'"
            " WHEN 6 THEN 'reaction' END AS kind,"
            " CASE w.origin WHEN 0 THEN 'original' ELSE 'suggested' END AS origin,"
            " w.events, w.reach, w.reactions, w.comments, w.shares, w.clicks,"
            " w.unrated AS engagement_unknown, w.coarse AS spread_from_longer_report"
            " FROM activity_weekly w LEFT JOIN platforms p ON p.id = w.platform"
            " WHERE w.cell >= " ACTIVITY_SQL_PERSON_FIRST " AND w.cell < " ACTIVITY_SQL_PERSON_END
            " ORDER BY w.cell"},
    {.key = "activity_features",
     .single = true,
     .sql = "SELECT weeks_active, steady_weight, platforms FROM activity_features"
            " WHERE pid = ?1"},
    /* snapshot by snapshot, one seek each: there is no index by pid */
    {.key = "scores",
     .single = false,
     .sql = "SELECT ss.snapshot_id, strftime('%Y-%m-%dT%H:%M:%SZ', n.computed_at, 'unixepoch') AS "
            "computed_at, strftime('%Y-%m-%dT%H:%M:%SZ', n.as_of, 'unixepoch') AS as_of,"
            " n.profile, n.profile_version, ss.eligible, ss.rank, ss.rank_lo, ss.rank_hi,"
            " ss.score, ss.activity, ss.attitude, ss.motivation, " SQL_SNAPSHOT_DETAIL
            " AS detail, n.params FROM snapshots n"
            " CROSS JOIN snapshot_scores ss ON ss.snapshot_id = n.id"
            " WHERE ss.pid = ?1 ORDER BY n.id"},
    {.key = "invitation",
     .single = true,
     .sql = "SELECT status, strftime('%Y-%m-%dT%H:%M:%SZ', updated_at, 'unixepoch') AS updated_at, "
            "updated_by FROM invitations"
            " WHERE pid = ?1"},
    {.key = "invitation_history",
     .single = false,
     .sql = "SELECT status, strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch') AS at, by, reason FROM "
            "invitation_history WHERE pid = ?1"
            " ORDER BY id"},
    {.key = "pilots",
     .single = false,
     .sql = "SELECT t.name AS pilot, m.position, m.reason, strftime('%Y-%m-%dT%H:%M:%SZ', "
            "t.approved_at, 'unixepoch') AS approved_at FROM pilot_members m"
            " JOIN pilots t ON t.id = m.pilot_id WHERE m.pid = ?1 ORDER BY t.id"},
    {.key = "pilot_decisions",
     .single = false,
     .sql = "SELECT t.name AS pilot, l.action, strftime('%Y-%m-%dT%H:%M:%SZ', l.at, 'unixepoch')"
            " AS at, l.author, l.reason FROM pilot_log l JOIN pilots t ON t.id = l.pilot_id"
            " WHERE l.pid = ?1 ORDER BY l.id"},
    {.key = "outcomes",
     .single = false,
     .sql = "SELECT date(at, 'unixepoch') AS date, value AS outcome,"
            " CASE scale WHEN 1 THEN '0/1' ELSE '1-5' END AS scale, note FROM outcomes"
            " WHERE pid = ?1 ORDER BY at"},
};

static const char logic[] =
    "Each consenting employee on the roster is scored on three components, each from 0 "
    "to 1: activity (own posts and comments on social media in a recent window, recent "
    "weeks counting more, steadiness over volume, own content over reshared company "
    "material), attitude toward the organisation and intrinsic motivation (both from the "
    "survey answers). The score combines them with the weights in 'params' so that a "
    "low component cannot be made up by a high one. Scores rank people as candidates for a "
    "voluntary advocacy programme: they support an HR decision and never make it; sales "
    "figures are never used. 'detail' in each score holds the inputs and sub-scores "
    "behind it.";

int store_person_export(store *s, const char *employee_id, json_t **out)
{
	json_t *doc = NULL;
	int64_t pid = 0;
	int rc;

	*out = NULL;
	if ((rc = store_read_begin(s)))
		return rc;
	{
		sqlite3_stmt *st;
		if ((rc = store_prepare(s, "SELECT pid FROM people WHERE employee_id = ?", &st)) ||
		    (rc = store_bind(s, st, "looking up a person", BIND_TEXT(employee_id))))
			goto out;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			pid = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			rc = store_sqlerr(s, rc, "looking up a person");
			goto out;
		}
		if (rc == SQLITE_DONE) {
			rc = err_set(ERR_NOT_FOUND, "%s: no such person", employee_id);
			goto out;
		}
	}
	char when[40];
	timefmt_iso(when, sizeof(when), clock_now());
	doc = json_pack("{s:s,s:s,s:s}", "employee_id", employee_id, "exported_at", when,
	                "how_scores_are_made", logic);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		json_t *rows;
		if ((rc = rows_json(s, parts[i].sql, pid, "exporting a person's data", &rows)))
			goto out;
		if (parts[i].single) {
			json_t *one = json_array_size(rows) ? json_incref(json_array_get(rows, 0))
			                                    : json_null();
			json_decref(rows);
			rows = one;
		}
		json_object_set_new(doc, parts[i].key, rows);
	}
	rc = 0;
out:
	store_read_end(s);
	if (rc)
		json_decref(doc);
	else
		*out = doc;
	return rc;
}
