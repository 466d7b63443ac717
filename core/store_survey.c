/* store_survey.c - the survey tables: codebook items, one response per
 * person with its answers and construct scores. The importer owns the
 * latest-wins decision; this file only reads and replaces rows. */
#include "core/store_survey.h"

#include <string.h>

#include "core/err.h"
#include "core/store_internal.h"

int store_survey_item_put(store *s, const struct survey_item_in *it, int64_t import_id)
{
	static const char sql[] =
	    "INSERT INTO survey_items(item, construct, min, max, reverse, import_id)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
	    " ON CONFLICT(item) DO UPDATE SET construct = excluded.construct,"
	    " min = excluded.min, max = excluded.max, reverse = excluded.reverse,"
	    " import_id = excluded.import_id"
	    " WHERE construct != excluded.construct OR min != excluded.min"
	    " OR max != excluded.max OR reverse != excluded.reverse";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "saving a survey item", BIND_TEXT(it->item),
	                     BIND_TEXT(it->construct), BIND_REAL(it->min), BIND_REAL(it->max),
	                     BIND_INT(it->reverse), BIND_INT(import_id))))
		return rc;
	return store_step_done(s, st, "saving a survey item");
}

int store_survey_response_get(store *s, int64_t pid, struct survey_response_meta *out)
{
	static const char sql[] = "SELECT submitted_at, import_id FROM survey_responses"
	                          " WHERE pid = ?";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "reading a survey response", BIND_INT(pid))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->has_submitted = sqlite3_column_type(st, 0) != SQLITE_NULL;
		out->submitted_at = sqlite3_column_int64(st, 0);
		out->import_id = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading a survey response");
}

static bool same_opt_int(sqlite3_stmt *st, int col, bool has, int64_t v)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return !has;
	return has && sqlite3_column_int64(st, col) == v;
}

int store_survey_response_same(store *s, const struct survey_response *r)
{
	static const char head[] = "SELECT submitted_at, started_at, careless,"
	                           " (SELECT COUNT(*) FROM survey_answers a WHERE a.pid = r.pid)"
	                           " FROM survey_responses r WHERE pid = ?";
	static const char one[] = "SELECT value FROM survey_answers WHERE pid = ? AND item = ?";
	sqlite3_stmt *st;
	const char *careless;
	bool same;
	int rc;

	if ((rc = store_prepare(s, head, &st)))
		return rc;
	if ((rc = store_bind(s, st, "reading a survey response", BIND_INT(r->pid))))
		return rc;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading a survey response");
	}
	if ((rc = store_column_text(st, 2, &careless))) {
		sqlite3_reset(st);
		return store_sqlerr(s, rc, "reading a survey response");
	}
	same = same_opt_int(st, 0, r->has_submitted, r->submitted_at) &&
	       same_opt_int(st, 1, r->has_started, r->started_at) &&
	       (careless && r->careless ? !strcmp(careless, r->careless)
	                                : !careless == !r->careless) &&
	       sqlite3_column_int64(st, 3) == (sqlite3_int64)r->nanswers;
	sqlite3_reset(st);
	for (size_t i = 0; same && i < r->nanswers; i++) {
		if ((rc = store_prepare(s, one, &st)))
			return rc;
		if ((rc = store_bind(s, st, "reading a survey answer", BIND_INT(r->pid),
		                     BIND_TEXT(r->answers[i].item))))
			return rc;
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			sqlite3_reset(st);
			return store_sqlerr(s, rc, "reading a survey answer");
		}
		same = rc == SQLITE_ROW && sqlite3_column_double(st, 0) == r->answers[i].value;
		sqlite3_reset(st);
	}
	return same;
}

static int delete_person_rows(store *s, int64_t pid)
{
	static const char *const sqls[] = {
	    "DELETE FROM survey_answers WHERE pid = ?",
	    "DELETE FROM survey_scores WHERE pid = ?",
	};
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
		if ((rc = store_prepare(s, sqls[i], &st)))
			return rc;
		if ((rc = store_bind(s, st, "replacing a survey response", BIND_INT(pid))) ||
		    (rc = store_step_done(s, st, "replacing a survey response")))
			return rc;
	}
	return 0;
}

static int put_answers(store *s, const struct survey_response *r)
{
	static const char sql[] = "INSERT INTO survey_answers(pid, item, value) VALUES(?, ?, ?)";
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < r->nanswers; i++) {
		if ((rc = store_prepare(s, sql, &st)))
			return rc;
		if ((rc = store_bind(s, st, "saving a survey answer", BIND_INT(r->pid),
		                     BIND_TEXT(r->answers[i].item),
		                     BIND_REAL(r->answers[i].value))) ||
		    (rc = store_step_done(s, st, "saving a survey answer")))
			return rc;
	}
	return 0;
}

static int put_scores(store *s, const struct survey_response *r)
{
	static const char sql[] = "INSERT INTO survey_scores(pid, construct, score, answered,"
	                          " items) VALUES(?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < r->nscores; i++) {
		const struct survey_score *sc = &r->scores[i];
		if ((rc = store_prepare(s, sql, &st)))
			return rc;
		if ((rc = store_bind(s, st, "saving a survey score", BIND_INT(r->pid),
		                     BIND_TEXT(sc->construct),
		                     sc->has_score ? BIND_REAL(sc->score) : BIND_NULL,
		                     BIND_INT(sc->answered), BIND_INT(sc->items))) ||
		    (rc = store_step_done(s, st, "saving a survey score")))
			return rc;
	}
	return 0;
}

int store_survey_response_put(store *s, const struct survey_response *r, int64_t import_id)
{
	static const char sql[] =
	    "INSERT INTO survey_responses(pid, submitted_at, started_at, careless, import_id)"
	    " VALUES(?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT(pid) DO UPDATE SET submitted_at = excluded.submitted_at,"
	    " started_at = excluded.started_at, careless = excluded.careless,"
	    " import_id = excluded.import_id";
	sqlite3_stmt *st;
	int rc;

	if ((rc = delete_person_rows(s, r->pid)))
		return rc;
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "saving a survey response", BIND_INT(r->pid),
	                     r->has_submitted ? BIND_INT(r->submitted_at) : BIND_NULL,
	                     r->has_started ? BIND_INT(r->started_at) : BIND_NULL,
	                     BIND_TEXT(r->careless), BIND_INT(import_id))) ||
	    (rc = store_step_done(s, st, "saving a survey response")))
		return rc;
	if ((rc = put_answers(s, r)))
		return rc;
	return put_scores(s, r);
}

int store_survey_answers_each(store *s, bool trusted_only, store_answer_fn fn, void *ctx)
{
	static const char sql[] = "SELECT a.pid, a.item, a.value FROM survey_answers a"
	                          " JOIN survey_responses r ON r.pid = a.pid"
	                          " WHERE ?1 = 0 OR r.careless IS NULL ORDER BY a.pid, a.item";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "reading survey answers", BIND_INT(trusted_only))))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *item;
		if ((rc = store_column_text(st, 1, &item)))
			break;
		stop = fn(ctx, sqlite3_column_int64(st, 0), item ? item : "",
		          sqlite3_column_double(st, 2));
		if (stop)
			break;
	}
	sqlite3_reset(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading survey answers");
}

int store_survey_construct_stats(store *s, const char *construct, int64_t *out_respondents,
                                 double *out_mean)
{
	static const char sql[] = "SELECT COUNT(c.score), COALESCE(AVG(c.score), 0)"
	                          " FROM survey_scores c JOIN survey_responses r ON r.pid = c.pid"
	                          " WHERE c.construct = ? AND r.careless IS NULL";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "summarising survey scores", BIND_TEXT(construct))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out_respondents = sqlite3_column_int64(st, 0);
		*out_mean = sqlite3_column_double(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(s, rc, "summarising survey scores");
}

int store_survey_counts(store *s, int64_t *out_responses, int64_t *out_careless)
{
	static const char sql[] = "SELECT COUNT(*), COUNT(careless) FROM survey_responses";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out_responses = sqlite3_column_int64(st, 0);
		*out_careless = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(s, rc, "counting survey responses");
}
