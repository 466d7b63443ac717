/* store.h - the SQLite store: one file, WAL mode, schema versioned in
 * PRAGMA user_version with ordered migrations, prepared statements only.
 *
 * The store is the only module that includes sqlite3.h. Each area keeps its
 * queries in its own file (store_roster.c, store_survey.c, ...) behind a
 * header of plain C types. A store handle belongs to one thread.
 */
#ifndef AMB_CORE_STORE_H
#define AMB_CORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/sha256.h"

typedef struct store store;

/* Schema version this binary writes. Older files are migrated on open; a
 * newer file is refused with ERR_VERSION. */
#define STORE_SCHEMA_VERSION 16

enum store_flags {
	STORE_READONLY = 1 << 0,   /* open with mode=ro; writes fail with ERR_READONLY */
	STORE_MUST_EXIST = 1 << 1, /* do not create a missing file */
	STORE_NO_MIGRATE = 1 << 2, /* tests: leave the schema as found */
	STORE_CHECK = 1 << 3,      /* run PRAGMA quick_check, ERR_CORRUPT unless ok */
};

/* Open (creating with mode 0600 unless STORE_MUST_EXIST) and migrate to
 * STORE_SCHEMA_VERSION. ":memory:" gives a private in-memory database.
 * Returns 0, ERR_IO, ERR_DB, ERR_VERSION, ERR_CORRUPT or ERR_READONLY;
 * on failure *out is NULL. */
int store_open(store **out, const char *path, unsigned flags);

/* Tests: migrate an open store up to `version` (<= STORE_SCHEMA_VERSION). */
int store_migrate_to(store *s, int version);

/* Close and set *s to NULL; accepts NULL. Rolls back an open transaction. */
void store_close(store **s);

/* The SQLite library's version, e.g. "3.40.1" (static). */
const char *store_sqlite_version(void);

/* The schema version found in the file, into *out. */
int store_schema_version(store *s, int *out);

/* PRAGMA quick_check: 0 when ok, ERR_CORRUPT with the first problem. */
int store_quick_check(store *s);

/* Set this connection's page cache to `mib` MiB (the default is 64). */
int store_set_cache_mib(store *s, int mib);

/* True when the file could only be opened read-only (STORE_READONLY, or
 * a file or directory this user may not write). */
bool store_is_readonly(store *s);

/* How long this connection waits for another's write lock (default 5 s). */
void store_set_busy_ms(store *s, int ms);

/* One write transaction (BEGIN IMMEDIATE: waits up to the busy timeout for
 * other writers, then ERR_BUSY). Transactions do not nest. */
int store_begin(store *s);
int store_commit(store *s);
/* Roll back if a transaction is open; never fails. */
void store_rollback(store *s);
bool store_in_transaction(store *s);

/* Run a read-only view (e.g. scoring) inside one read transaction, so all
 * of its queries see one consistent state while imports go on. */
int store_read_begin(store *s);
void store_read_end(store *s);

/* The clock under its former name: clock_now() (core/clock.h), which new
 * code calls. */
static inline int64_t store_now(void)
{
	return clock_now();
}

/* --- import ledger ---------------------------------------------------- */

struct import_record {
	int64_t id;
	char kind[16];    /* "roster", "survey", "activity" */
	char source[256]; /* the file's base name */
	char sha256[2 * SHA256_LEN + 1];
	char bytes_sha256[2 * SHA256_LEN + 1]; /* of the file's bytes; "" when not known */
	int64_t imported_at;
	int64_t rows_read, rows_kept, rows_rejected, rows_skipped;
	bool force; /* store_import_finish: record it even when it is a duplicate */
};

/* Start an import inside the open transaction: adds a pending ledger row
 * and returns its id in *out_id. */
int store_import_start(store *s, const char *kind, const char *source, int64_t *out_id);

/* Finish the import: write the content hash and counts. If the same kind
 * with the same content hash was imported before (for a roster: if it
 * equals the latest roster) and rec->force is not set, returns ERR_DUPLICATE
 * and fills *out_previous (when not NULL); the caller then rolls back. */
int store_import_finish(store *s, const struct import_record *rec,
                        struct import_record *out_previous);

/* The committed import of `kind` whose file had exactly these bytes
 * (hex SHA-256), under the same rule as store_import_finish (a roster
 * only if it is the latest). Returns 1 and fills *out, 0 when none. */
int store_import_find_bytes(store *s, const char *kind, const char *bytes_sha256,
                            struct import_record *out);

/* The most recent imports, newest first, at most `max`. */
int store_import_list(store *s, struct import_record *out, size_t max, size_t *out_count);

/* --- the activity version (the feature cache: core/store_features.h) ---- */

/* The current activity version (0 when never bumped). */
int store_activity_version(store *s, int64_t *out);

/* Bump the activity version now. The store's own writers of
 * activity_weekly (store_activity_add, retention) have it done at commit;
 * this is for a write the store does not see (a test's own SQL). */
int store_activity_changed(store *s);

/* --- meta key/value ---------------------------------------------------- */

/* Returns 1 and a malloc'ed copy in *out when set, 0 when not. */
int store_meta_get(store *s, const char *key, char **out);
int store_meta_set(store *s, const char *key, const char *value);

/* Keyed hash (HMAC-SHA-256 with a per-database secret) of an employee id,
 * for the erasure suppression list: no raw id is kept. */
int store_suppress_key(store *s, const char *employee_id, uint8_t out[SHA256_LEN]);
/* 1 when employee_id was erased and must not be imported again, else 0. */
int store_is_suppressed(store *s, const char *employee_id);

#endif
