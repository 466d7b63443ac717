/* store_internal.h - shared by the store's own files only (core/store*.c).
 * Nothing outside core/store*.c may include this or sqlite3.h. */
#ifndef AMB_CORE_STORE_INTERNAL_H
#define AMB_CORE_STORE_INTERNAL_H

#include <sqlite3.h>

#include "core/store.h"
#include "core/store_scores.h"

#define STORE_STMT_CACHE 192 /* the distinct queries of one process, with room */

struct store {
	sqlite3 *db;
	char *path;
	unsigned flags;
	bool in_tx;
	/* activity_weekly was written in this transaction: store_commit bumps
	 * the activity version (store_activity_written) */
	bool activity_written;
	int read_depth;
	uint8_t suppress_secret[32];
	bool have_secret;
	struct {
		const char *sql; /* compared by pointer: pass string literals */
		sqlite3_stmt *stmt;
	} cache[STORE_STMT_CACHE];
	size_t ncache;
};

/* A snapshot row's detail as scorer_detail_encode writes it (an SQL
 * expression over the snapshot_scores row named `ss`). Rows written since
 * migration 16 keep the scored part in columns (flags not NULL), printed
 * back through SNAPSHOT_SCORED_FORMAT (core/store_scores.h), why_not and
 * consent from score_texts; json_quote escapes a text as the encoder does
 * when it has no control character, which the scored part's texts never
 * have. The facts part, when the row
 * has one, is its score_facts row after the 10-character head {"facts":{
 * (substr counts characters; the cut is ASCII), joined with a comma; else
 * "}}" closes the "facts" object and the detail. Rows written before
 * keep their scored part (or, before score_facts, the whole detail) as
 * JSON in `detail`: SQL_SNAPSHOT_DETAIL_JSON. */
#define SQL_SNAPSHOT_DETAIL_JSON                                                                   \
	"CASE WHEN ss.facts_id IS NULL THEN ss.detail ELSE substr(ss.detail, 1,"                   \
	" length(ss.detail) - 2) || ',' || (SELECT substr(facts, 11) FROM score_facts"             \
	" WHERE id = ss.facts_id) END"
#define SQL_SNAPSHOT_DETAIL                                                                        \
	"CASE WHEN ss.flags IS NULL THEN " SQL_SNAPSHOT_DETAIL_JSON                                \
	" ELSE printf('" SNAPSHOT_SCORED_FORMAT "',"                                               \
	" CASE WHEN ss.eligible THEN 'true' ELSE 'false' END,"                                     \
	" CASE WHEN ss.eligible THEN 'null' ELSE json_quote(coalesce((SELECT text FROM"            \
	" score_texts WHERE id = ss.why_not_id), '')) END, ss.flags, json_quote(coalesce((SELECT"  \
	" text FROM score_texts WHERE id = ss.consent_id), '')), coalesce(ss.steadiness, 'null')," \
	" coalesce(ss.volume, 'null'), coalesce(ss.response, 'null'),"                             \
	" coalesce(ss.conversation, 'null'), coalesce(ss.authenticity, 'null'),"                   \
	" coalesce(ss.weighted_volume, 'null'), coalesce(ss.own_share, 'null'),"                   \
	" coalesce(ss.engagement_per_post_shrunk, 'null'),"                                        \
	" coalesce(ss.company_engagement_per_post, 'null')) || CASE WHEN ss.facts_id IS NULL"      \
	" THEN '}}' ELSE ',' || (SELECT substr(facts, 11) FROM score_facts"                        \
	" WHERE id = ss.facts_id) END END"

/* A prepared statement for `sql`, cached by the address of the string (so
 * pass a literal or a static). It is reset and its bindings cleared.
 * Borrowed: do not finalize it. */
int store_prepare(store *s, const char *sql, sqlite3_stmt **out);

/* Translate a SQLite result code into an err_code with a message naming
 * `what` (once, at the boundary): SQLITE_BUSY -> ERR_BUSY, SQLITE_FULL ->
 * ERR_FULL "storage full", SQLITE_READONLY -> ERR_READONLY, corruption ->
 * ERR_CORRUPT, SQLITE_NOMEM -> ERR_NOMEM, I/O -> ERR_IO, else ERR_DB. */
int store_sqlerr(store *s, int rc, const char *what);

/* The meta key of the activity version (core/store_features.h). */
#define STORE_META_ACTIVITY_VERSION "activity_version"

/* A meta value as an integer (ERR_CORRUPT when it is not one); *out = 0
 * when absent. */
int store_meta_int(store *s, const char *key, int64_t *out);
int store_meta_set_int(store *s, const char *key, int64_t v);

/* The rule that keeps the feature cache honest, in one place: every
 * writer of activity_weekly calls this. Inside a transaction the activity
 * version is bumped once, by store_commit (a rollback drops it); outside
 * one, at once. Erasures bump it themselves (store_features_forget), as
 * they keep the cache valid. */
int store_activity_written(store *s);

/* Run a statement that returns no rows; SQLITE_DONE is success. */
int store_step_done(store *s, sqlite3_stmt *st, const char *what);

/* Execute literal SQL without parameters (schema, pragmas). */
int store_exec(store *s, const char *sql);

/* Bind a NUL-terminated string or NULL (as SQL NULL), transient copy.
 * Returns the SQLite result code, which callers must check: the copy can
 * fail for lack of memory (SQLITE_NOMEM), leaving the parameter NULL.
 * Prefer store_bind. */
int store_bind_text(sqlite3_stmt *st, int idx, const char *text);

/* One value for store_bind; build it with the BIND_* macros below, which
 * keep the C type of each value checked. */
struct store_val {
	enum {
		STORE_VAL_NULL,
		STORE_VAL_TEXT,
		STORE_VAL_TEXT_KEPT,
		STORE_VAL_INT,
		STORE_VAL_REAL,
		STORE_VAL_BLOB
	} kind;
	const char *text; /* NULL binds SQL NULL */
	const void *blob;
	int len; /* blob bytes */
	int64_t i;
	double d;
};

#define BIND_NULL       ((struct store_val){.kind = STORE_VAL_NULL})
#define BIND_TEXT(v)    ((struct store_val){.kind = STORE_VAL_TEXT, .text = (v)})
#define BIND_INT(v)     ((struct store_val){.kind = STORE_VAL_INT, .i = (v)})
#define BIND_REAL(v)    ((struct store_val){.kind = STORE_VAL_REAL, .d = (v)})
#define BIND_BLOB(p, n) ((struct store_val){.kind = STORE_VAL_BLOB, .blob = (p), .len = (n)})

/* Text that stays as it is until the statement has been stepped and reset
 * (SQLite's SQLITE_STATIC): bound without a copy, for a hot loop. */
#define BIND_TEXT_KEPT(v) ((struct store_val){.kind = STORE_VAL_TEXT_KEPT, .text = (v)})

/* Bind vals[0..n-1] to parameters 1..n of `st` and return 0, or stop at
 * the first failure and return its error (store_sqlerr, naming `what`).
 * Text (except BIND_TEXT_KEPT) and blobs are copied. */
__attribute__((warn_unused_result)) int store_bind_vals(store *s, sqlite3_stmt *st,
                                                        const char *what,
                                                        const struct store_val *vals, size_t n);

/* store_bind(s, st, what, BIND_TEXT(a), BIND_INT(b), ...): parameters 1, 2, ... */
#define store_bind(s, st, what, ...)                                                               \
	store_bind_vals((s), (st), (what), (const struct store_val[]){__VA_ARGS__},                \
	                sizeof((const struct store_val[]){__VA_ARGS__}) /                          \
	                    sizeof(struct store_val))

/* Text of column i into *out (NULL for an SQL NULL). SQLITE_NOMEM when
 * SQLite could not allocate the text of a non-NULL value (it then returns
 * NULL too), else SQLITE_OK: callers must not take that NULL for a NULL. */
static inline int store_column_text(sqlite3_stmt *st, int i, const char **out)
{
	*out = (const char *)sqlite3_column_text(st, i);
	return !*out && sqlite3_column_type(st, i) != SQLITE_NULL ? SQLITE_NOMEM : SQLITE_OK;
}

#endif
