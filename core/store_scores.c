/* store_scores.c - the queries behind scoring: eligibility facts, survey
 * constructs, weekly activity, weight profiles and snapshots.
 *
 * Scoring reads each input table once in pid order (activity_weekly by its
 * primary key, so no sort and no temp B-tree) and never touches raw events:
 * there are none. A snapshot is written with one prepared INSERT in one
 * transaction. Everything returned by value is malloc'ed and owned by the
 * caller; callback rows are borrowed.
 */
#include "core/store_scores.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/store_internal.h"
#include "core/store_survey.h"

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return t ? t : "";
}

static const char *col_text_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL
	                                                 : (const char *)sqlite3_column_text(st, i);
}

static double col_real_or_nan(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Step through a prepared query, calling `row` per result; stops early on a
 * non-zero return from it. */
static int each_row(store *s, sqlite3_stmt *st, const char *what,
                    int (*row)(sqlite3_stmt *, void *), void *ctx)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int stop = row(st, ctx);
		if (stop) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, what);
}

/* --- people ------------------------------------------------------------ */

struct fn_ctx {
	void *fn;
	void *ctx;
};

static int person_row(sqlite3_stmt *st, void *vctx)
{
	struct fn_ctx *c = vctx;
	struct score_person_row r = {
	    .pid = sqlite3_column_int64(st, 0),
	    .employee_id = col_text(st, 1),
	    .name = col_text(st, 2),
	    .department = col_text(st, 3),
	    .level = col_text(st, 4),
	    .consent = col_text(st, 5),
	    .invitation = col_text_or_null(st, 6),
	    .invitation_at = sqlite3_column_int64(st, 7),
	};
	return ((store_score_person_fn)c->fn)(c->ctx, &r);
}

int store_scoring_people_bound(store *s, int64_t *out)
{
	static const char sql[] = "SELECT count(*) FROM people";
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(s, rc, "counting people");
}

int store_scoring_people_each(store *s, int64_t declined_since, int64_t declined_until,
                              store_score_person_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT p.pid, p.employee_id, p.name, p.department, p.level, p.consent,"
	    " i.status, i.updated_at FROM people p LEFT JOIN invitations i ON i.pid = p.pid"
	    " WHERE p.departed_at IS NULL AND p.consent != 'no'"
	    " AND NOT (i.status IS 'declined' AND i.updated_at >= ?1 AND i.updated_at <= ?2)"
	    " ORDER BY p.pid";
	struct fn_ctx c = {(void *)fn, ctx};
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "reading people for scoring", BIND_INT(declined_since),
	                     BIND_INT(declined_until))))
		return rc;
	return each_row(s, st, "reading people for scoring", person_row, &c);
}

/* --- survey ------------------------------------------------------------ */

static int survey_row(sqlite3_stmt *st, void *vctx)
{
	struct fn_ctx *c = vctx;
	struct survey_score_row r = {
	    .pid = sqlite3_column_int64(st, 0),
	    .construct = col_text(st, 1),
	    .score = col_real_or_nan(st, 2),
	    .has_response = sqlite3_column_int(st, 3) != 0,
	    .careless = col_text_or_null(st, 4),
	};
	return ((store_survey_score_fn)c->fn)(c->ctx, &r);
}

int store_scoring_survey_each(store *s, store_survey_score_fn fn, void *ctx)
{
	static const char sql[] =
	    "SELECT sc.pid, sc.construct, sc.score, r.pid IS NOT NULL, r.careless"
	    " FROM survey_scores sc LEFT JOIN survey_responses r ON r.pid = sc.pid"
	    " WHERE sc.construct IN ('attitude', 'intrinsic', 'extrinsic')"
	    " ORDER BY sc.pid, sc.construct";
	struct fn_ctx c = {(void *)fn, ctx};
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	return each_row(s, st, "reading survey scores", survey_row, &c);
}

static int item_row(sqlite3_stmt *st, void *vctx)
{
	struct fn_ctx *c = vctx;
	struct survey_item_row r = {
	    .pid = sqlite3_column_int64(st, 0),
	    .construct = col_text(st, 1),
	    .unit = store_survey_unit(sqlite3_column_double(st, 2), sqlite3_column_double(st, 3),
	                              sqlite3_column_double(st, 4), sqlite3_column_int(st, 5) != 0),
	};
	return ((store_survey_item_fn)c->fn)(c->ctx, &r);
}

int store_scoring_items_each(store *s, store_survey_item_fn fn, void *ctx)
{
	/* survey_answers in its key order: pid order with no sort. */
	static const char sql[] =
	    "SELECT a.pid, i.construct, a.value, i.min, i.max, i.reverse"
	    " FROM survey_answers a JOIN survey_responses r ON r.pid = a.pid"
	    " JOIN survey_items i ON i.item = a.item"
	    " WHERE r.careless IS NULL AND i.construct IN ('attitude', 'intrinsic', 'extrinsic')"
	    " ORDER BY a.pid";
	struct fn_ctx c = {(void *)fn, ctx};
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	return each_row(s, st, "reading survey answers", item_row, &c);
}

/* --- profiles ---------------------------------------------------------- */

static void read_profile(sqlite3_stmt *st, struct profile_version *p)
{
	p->name = xstrdup(col_text(st, 0));
	p->version = sqlite3_column_int64(st, 1);
	p->params = xstrdup(col_text(st, 2));
	p->author = xstrdup(col_text(st, 3));
	p->created_at = sqlite3_column_int64(st, 4);
	p->note = col_text_or_null(st, 5) ? xstrdup(col_text(st, 5)) : NULL;
}

int store_profile_get(store *s, const char *name, int64_t version, struct profile_version *out)
{
	static const char sql[] =
	    "SELECT name, version, params, author, created_at, note FROM profiles"
	    " WHERE name = ?1 AND (?2 = 0 OR version = ?2) ORDER BY version DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc =
	         store_bind(s, st, "reading a weight profile", BIND_TEXT(name), BIND_INT(version))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_profile(st, out);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading a weight profile");
}

int store_profile_add(store *s, const char *name, const char *params, const char *author,
                      const char *note, int64_t created_at, int64_t *out_version)
{
	static const char sql[] =
	    "INSERT INTO profiles(name, version, params, author, created_at, note)"
	    " SELECT ?1, coalesce(max(version), 0) + 1, ?2, ?3, ?4, ?5 FROM profiles"
	    " WHERE name = ?1 RETURNING version";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "saving a weight profile", BIND_TEXT(name), BIND_TEXT(params),
	                     BIND_TEXT(author), BIND_INT(created_at),
	                     note && *note ? BIND_TEXT(note) : BIND_NULL)))
		return rc;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_sqlerr(s, rc, "saving a weight profile");
	}
	*out_version = sqlite3_column_int64(st, 0);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "saving a weight profile");
}

static int profile_row(sqlite3_stmt *st, void *vctx)
{
	struct fn_ctx *c = vctx;
	struct profile_version p;
	int rc;

	read_profile(st, &p);
	rc = ((store_profile_fn)c->fn)(c->ctx, &p);
	store_profile_version_free(&p);
	return rc;
}

int store_profile_history_each(store *s, const char *name, store_profile_fn fn, void *ctx)
{
	static const char sql[] = "SELECT name, version, params, author, created_at, note"
	                          " FROM profiles WHERE name = ? ORDER BY version";
	struct fn_ctx c = {(void *)fn, ctx};
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "reading profile history", BIND_TEXT(name))))
		return rc;
	return each_row(s, st, "reading profile history", profile_row, &c);
}

void store_profile_version_free(struct profile_version *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->params);
	free(p->author);
	free(p->note);
	memset(p, 0, sizeof(*p));
}

/* --- snapshots --------------------------------------------------------- */

static struct store_val real_or_null(double v)
{
	return isfinite(v) ? BIND_REAL(v) : BIND_NULL;
}

/* The scored part's texts live in the row callback's buffers until the
 * row is written: no copies. */
static struct store_val text_or_null(const char *v)
{
	return v ? BIND_TEXT_KEPT(v) : BIND_NULL;
}

/* Each person's newest stored facts (score_facts), in pid order: after a
 * weight change every row finds its facts here. One per person, so the
 * memory does not grow with the snapshots kept; the read does, by the 24
 * bytes of an index entry per stored version. */
struct facts_key {
	int64_t pid, hash, id;
};

struct facts_index {
	struct facts_key *keys;
	size_t n, cap;
};

/* The index score_facts_key, read alone (it covers pid, hash and id) and
 * in its order: of a person's entries, the one with the highest id. */
static int facts_index_load(store *s, struct facts_index *fx)
{
	static const char sql[] = "SELECT pid, hash, id FROM score_facts ORDER BY pid, hash";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct facts_key k = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		                      sqlite3_column_int64(st, 2)};
		if (fx->n > 0 && fx->keys[fx->n - 1].pid == k.pid) {
			if (k.id > fx->keys[fx->n - 1].id)
				fx->keys[fx->n - 1] = k;
			continue;
		}
		if (fx->n == fx->cap) {
			fx->cap = fx->cap ? 2 * fx->cap : 1024;
			fx->keys = xreallocarray(fx->keys, fx->cap, sizeof(*fx->keys));
		}
		fx->keys[fx->n++] = k;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading the stored facts");
}

/* The id of the person's newest facts when they have that hash, or 0. */
static int64_t facts_find(const struct facts_index *fx, int64_t pid, int64_t hash)
{
	size_t lo = 0, hi = fx->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fx->keys[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < fx->n && fx->keys[lo].pid == pid && fx->keys[lo].hash == hash ? fx->keys[lo].id
	                                                                          : 0;
}

/* The id of the person's stored facts with that hash, or 0: for facts
 * that are not their newest (activity that changed back, a draft scored
 * as of an earlier date). */
static int facts_lookup(store *s, int64_t pid, int64_t hash, int64_t *out)
{
	static const char sql[] = "SELECT id FROM score_facts WHERE pid = ?1 AND hash = ?2";
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "reading scoring facts", BIND_INT(pid), BIND_INT(hash))))
		return rc;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
	                                             : store_sqlerr(s, rc, "reading scoring facts");
}

/* The score_facts id for row i: the stored one, or a new row. */
static int facts_id_of(store *s, const struct facts_index *fx, size_t i,
                       const struct snapshot_score_in *r, store_snapshot_facts_fn facts, void *ctx,
                       int64_t *out)
{
	static const char sql[] = "INSERT INTO score_facts(pid, hash, facts) VALUES(?, ?, ?)";
	int64_t hash = (int64_t)r->facts_hash;
	const char *text = NULL;
	sqlite3_stmt *st;
	int rc;

	if ((*out = facts_find(fx, r->pid, hash)))
		return 0;
	if ((rc = facts_lookup(s, r->pid, hash, out)) || *out)
		return rc;
	if ((rc = facts(ctx, i, &text)) || (rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "writing scoring facts", BIND_INT(r->pid), BIND_INT(hash),
	                     BIND_TEXT(text))) ||
	    (rc = store_step_done(s, st, "writing scoring facts")))
		return rc;
	*out = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* The scored part's few texts (why_not, consent), each stored once in
 * score_texts: their ids, remembered while a snapshot is written. */
struct text_ids {
	struct {
		char *text;
		int64_t id;
	} e[16];
	size_t n;
};

static void text_ids_free(struct text_ids *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].text);
	t->n = 0;
}

/* The id of `text` in score_texts, stored now when it is new; 0 for NULL. */
static int text_id(store *s, struct text_ids *t, const char *text, int64_t *out)
{
	static const char ins[] = "INSERT INTO score_texts(text) VALUES(?1)"
	                          " ON CONFLICT(text) DO NOTHING";
	static const char sel[] = "SELECT id FROM score_texts WHERE text = ?1";
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if (!text)
		return 0;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->e[i].text, text) == 0) {
			*out = t->e[i].id;
			return 0;
		}
	if ((rc = store_prepare(s, ins, &st)) ||
	    (rc = store_bind(s, st, "writing a scoring text", BIND_TEXT(text))) ||
	    (rc = store_step_done(s, st, "writing a scoring text")) ||
	    (rc = store_prepare(s, sel, &st)) ||
	    (rc = store_bind(s, st, "reading a scoring text", BIND_TEXT(text))))
		return rc;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? err_set(ERR_CORRUPT, "a scoring text was not stored")
		                         : store_sqlerr(s, rc, "reading a scoring text");
	if (t->n < sizeof(t->e) / sizeof(t->e[0])) {
		t->e[t->n].text = xstrdup(text);
		t->e[t->n++].id = *out;
	}
	return 0;
}

static int insert_snapshot_rows(store *s, int64_t id, size_t n, store_snapshot_row_fn row,
                                store_snapshot_facts_fn facts, void *ctx)
{
	static const char sql[] =
	    "INSERT INTO snapshot_scores(snapshot_id, pid, eligible, rank, score, activity,"
	    " attitude, motivation, detail, rank_lo, rank_hi, facts_id, flags, why_not_id,"
	    " consent_id, steadiness, volume, response, conversation, authenticity,"
	    " weighted_volume, own_share, engagement_per_post_shrunk, company_engagement_per_post)"
	    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct facts_index fx = {0};
	struct text_ids texts = {0};
	sqlite3_stmt *st;
	int rc;

	if ((facts && (rc = facts_index_load(s, &fx))) || (rc = store_prepare(s, sql, &st)))
		goto done;
	for (size_t i = 0; i < n; i++) {
		struct snapshot_score_in in = {0};
		const struct snapshot_score_in *r = &in;
		int64_t facts_id = 0, why_not_id, consent_id;
		if ((rc = row(ctx, i, &in)) ||
		    (facts && in.facts_hash &&
		     (rc = facts_id_of(s, &fx, i, r, facts, ctx, &facts_id))) ||
		    (rc = text_id(s, &texts, r->scored.why_not, &why_not_id)) ||
		    (rc = text_id(s, &texts, r->scored.consent ? r->scored.consent : "",
		                  &consent_id)))
			goto done;
		if ((rc = store_bind(
		         s, st, "writing snapshot scores", BIND_INT(id), BIND_INT(r->pid),
		         BIND_INT(r->eligible ? 1 : 0), r->rank > 0 ? BIND_INT(r->rank) : BIND_NULL,
		         BIND_REAL(isfinite(r->score) ? r->score : 0.0),
		         BIND_REAL(isfinite(r->activity) ? r->activity : 0.0),
		         real_or_null(r->attitude), real_or_null(r->motivation),
		         r->rank_lo > 0 ? BIND_INT(r->rank_lo) : BIND_NULL,
		         r->rank_hi > 0 ? BIND_INT(r->rank_hi) : BIND_NULL,
		         facts_id ? BIND_INT(facts_id) : BIND_NULL, BIND_INT(r->scored.flags),
		         why_not_id ? BIND_INT(why_not_id) : BIND_NULL, BIND_INT(consent_id),
		         text_or_null(r->scored.num[0]), text_or_null(r->scored.num[1]),
		         text_or_null(r->scored.num[2]), text_or_null(r->scored.num[3]),
		         text_or_null(r->scored.num[4]), text_or_null(r->scored.num[5]),
		         text_or_null(r->scored.num[6]), text_or_null(r->scored.num[7]),
		         text_or_null(r->scored.num[8]))) ||
		    (rc = store_step_done(s, st, "writing snapshot scores")))
			goto done;
	}
done:
	free(fx.keys);
	text_ids_free(&texts);
	return rc;
}

int store_snapshot_write(store *s, const struct snapshot_info *info, size_t n,
                         store_snapshot_row_fn row, store_snapshot_facts_fn facts, void *ctx,
                         int64_t *out_id)
{
	static const char sql[] =
	    "INSERT INTO snapshots(computed_at, as_of, profile, profile_version, params, people,"
	    " eligible, imports_seen) VALUES(?, ?, ?, ?, ?, ?, ?,"
	    " (SELECT coalesce(max(id), 0) FROM imports))";
	bool own_tx = !store_in_transaction(s);
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	if (own_tx && (rc = store_begin(s)))
		return rc;
	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "writing a snapshot", BIND_INT(info->computed_at),
	                     BIND_INT(info->as_of), BIND_TEXT(info->profile),
	                     BIND_INT(info->profile_version), BIND_TEXT(info->params),
	                     BIND_INT(info->people), BIND_INT(info->eligible))) ||
	    (rc = store_step_done(s, st, "writing a snapshot")))
		goto fail;
	id = sqlite3_last_insert_rowid(s->db);
	if ((rc = insert_snapshot_rows(s, id, n, row, facts, ctx)))
		goto fail;
	if (own_tx && (rc = store_commit(s)))
		return rc;
	*out_id = id;
	return 0;
fail:
	if (own_tx)
		store_rollback(s);
	return rc;
}

int store_snapshot_get(store *s, int64_t id, struct snapshot_info *out)
{
	static const char sql[] =
	    "SELECT id, computed_at, as_of, profile, profile_version, params, people, eligible"
	    " FROM snapshots WHERE id = CASE ?1 WHEN 0 THEN"
	    " (SELECT snapshot_id FROM publications ORDER BY id DESC LIMIT 1) ELSE ?1 END";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "reading a snapshot", BIND_INT(id))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->computed_at = sqlite3_column_int64(st, 1);
		out->as_of = sqlite3_column_int64(st, 2);
		out->profile = xstrdup(col_text(st, 3));
		out->profile_version = sqlite3_column_int64(st, 4);
		out->params = xstrdup(col_text(st, 5));
		out->people = sqlite3_column_int64(st, 6);
		out->eligible = sqlite3_column_int64(st, 7);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading a snapshot");
}

void store_snapshot_info_free(struct snapshot_info *info)
{
	if (!info)
		return;
	free(info->profile);
	free(info->params);
	memset(info, 0, sizeof(*info));
}

/* The columns every snapshot row query selects, in read_rows' order. */
#define SNAPSHOT_ROW_COLUMNS                                                                       \
	"SELECT p.pid, p.employee_id, p.name, p.department, p.level, ss.eligible, ss.rank,"        \
	" ss.score, ss.activity, ss.attitude, ss.motivation,"                                      \
	" CASE WHEN ?3 THEN " SQL_SNAPSHOT_DETAIL " END, p.email, p.consent,"                      \
	" coalesce(i.status, 'none'), coalesce(ss.rank_lo, 0), coalesce(ss.rank_hi, 0)"            \
	" FROM snapshot_scores ss JOIN people p ON p.pid = ss.pid"                                 \
	" LEFT JOIN invitations i ON i.pid = ss.pid"

/* Roster facts are re-checked at read time: someone who left, opted out
 * or declined after the snapshot was taken is not listed. */
#define SNAPSHOT_ROW_LISTABLE                                                                      \
	" p.departed_at IS NULL AND p.consent != 'no'"                                             \
	" AND NOT (i.status IS 'declined' AND i.updated_at >= ?2)"

/* Step a bound query of SNAPSHOT_ROW_COLUMNS to its end into *out. */
static int read_rows(store *s, sqlite3_stmt *st, struct snapshot_row **out, size_t *out_count)
{
	struct snapshot_row *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct snapshot_row *r;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			rows = xreallocarray(rows, cap, sizeof(*rows));
		}
		r = &rows[n++];
		r->pid = sqlite3_column_int64(st, 0);
		r->employee_id = xstrdup(col_text(st, 1));
		r->name = xstrdup(col_text(st, 2));
		r->department = xstrdup(col_text(st, 3));
		r->level = xstrdup(col_text(st, 4));
		r->eligible = sqlite3_column_int(st, 5) != 0;
		r->rank = sqlite3_column_int64(st, 6);
		r->score = sqlite3_column_double(st, 7);
		r->activity = sqlite3_column_double(st, 8);
		r->attitude = col_real_or_nan(st, 9);
		r->motivation = col_real_or_nan(st, 10);
		r->detail = col_text_or_null(st, 11) ? xstrdup(col_text(st, 11)) : NULL;
		r->email = xstrdup(col_text_or_null(st, 12) ? col_text(st, 12) : "");
		r->consent = xstrdup(col_text(st, 13));
		r->invitation = xstrdup(col_text(st, 14));
		r->rank_lo = sqlite3_column_int64(st, 15);
		r->rank_hi = sqlite3_column_int64(st, 16);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_snapshot_rows_free(&rows, n);
		return store_sqlerr(s, rc, "reading a snapshot");
	}
	*out = rows;
	*out_count = n;
	return 0;
}

int store_snapshot_rows(store *s, int64_t id, int64_t declined_since, const char *employee_id,
                        bool with_detail, struct snapshot_row **out, size_t *out_count)
{
	static const char sql[] =
	    SNAPSHOT_ROW_COLUMNS " WHERE ss.snapshot_id = ?1 AND" SNAPSHOT_ROW_LISTABLE
	                         " AND (?4 IS NULL OR p.employee_id = ?4)"
	                         " ORDER BY ss.rank IS NULL, ss.rank, p.employee_id";
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*out_count = 0;
	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "reading snapshot scores", BIND_INT(id),
	                     BIND_INT(declined_since), BIND_INT(with_detail ? 1 : 0),
	                     BIND_TEXT(employee_id))))
		return rc;
	return read_rows(s, st, out, out_count);
}

int store_snapshot_top(store *s, int64_t id, int64_t declined_since, int64_t limit,
                       const char *department, const char *level, struct snapshot_row **out,
                       size_t *out_count)
{
	/* Eligible rows have a rank, unique within the snapshot: ORDER BY
	 * rank walks the index and LIMIT stops it. */
	static const char sql[] = SNAPSHOT_ROW_COLUMNS
	    " WHERE ss.snapshot_id = ?1 AND ss.rank IS NOT NULL AND" SNAPSHOT_ROW_LISTABLE
	    " AND (?4 IS NULL OR p.department = ?4 COLLATE NOCASE)"
	    " AND (?5 IS NULL OR p.level = ?5 COLLATE NOCASE)"
	    " ORDER BY ss.rank LIMIT ?6";
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*out_count = 0;
	if ((rc = store_prepare(s, sql, &st)) ||
	    (rc = store_bind(s, st, "reading snapshot scores", BIND_INT(id),
	                     BIND_INT(declined_since), BIND_INT(0), BIND_TEXT(department),
	                     BIND_TEXT(level), BIND_INT(limit > 0 ? limit : -1))))
		return rc;
	return read_rows(s, st, out, out_count);
}

void store_snapshot_rows_free(struct snapshot_row **rows, size_t n)
{
	if (!rows || !*rows)
		return;
	for (size_t i = 0; i < n; i++) {
		free((*rows)[i].employee_id);
		free((*rows)[i].name);
		free((*rows)[i].department);
		free((*rows)[i].level);
		free((*rows)[i].detail);
		free((*rows)[i].email);
		free((*rows)[i].consent);
		free((*rows)[i].invitation);
	}
	free(*rows);
	*rows = NULL;
}
