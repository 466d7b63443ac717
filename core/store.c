/* store.c - opening the database, migrations, transactions, the import
 * ledger, meta settings and per-person purging.
 *
 * The store owns its sqlite3 handle and every cached statement; callers get
 * borrowed statements from store_prepare and never finalize them.
 */
#include "core/store_internal.h"
#include "core/store_schema.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/num.h"
#include "core/testhook.h"
#include "core/timefmt.h"

#define BUSY_TIMEOUT_MS 5000

int store_sqlerr(store *s, int rc, const char *what)
{
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return err_set(ERR_BUSY, "%s: the database is busy (another import?); retry", what);
	case SQLITE_FULL: return err_set(ERR_FULL, "%s: storage full: %s", what, msg);
	case SQLITE_READONLY:
		return err_set(ERR_READONLY, "%s: the database is read-only: %s", what, msg);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return err_set(ERR_CORRUPT, "%s: the database file is damaged: %s", what, msg);
	case SQLITE_NOMEM: return err_set(ERR_NOMEM, "%s: out of memory", what);
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN: return err_set(ERR_IO, "%s: I/O error: %s", what, msg);
	default: return err_set(ERR_DB, "%s: %s", what, msg);
	}
}

int store_exec(store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);

	sqlite3_free(msg);
	return rc == SQLITE_OK ? 0 : store_sqlerr(s, rc, "database");
}

int store_prepare(store *s, const char *sql, sqlite3_stmt **out)
{
	*out = NULL;
	for (size_t i = 0; i < s->ncache; i++) {
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].stmt);
			sqlite3_clear_bindings(s->cache[i].stmt);
			*out = s->cache[i].stmt;
			return 0;
		}
	}
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(s, rc, "preparing a query");
	if (s->ncache < STORE_STMT_CACHE) {
		s->cache[s->ncache].sql = sql;
		s->cache[s->ncache].stmt = st;
		s->ncache++;
	} else {
		/* Should not happen: the set of queries is fixed and small. */
		sqlite3_finalize(st);
		return err_set(ERR_INTERNAL, "statement cache full");
	}
	*out = st;
	return 0;
}

int store_step_done(store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, what);
}

int store_bind_text(sqlite3_stmt *st, int idx, const char *text)
{
	if (!text)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT);
}

int store_bind_vals(store *s, sqlite3_stmt *st, const char *what, const struct store_val *vals,
                    size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct store_val *v = &vals[k];
		int idx = (int)k + 1, rc = SQLITE_MISUSE;

		switch (v->kind) {
		case STORE_VAL_NULL: rc = sqlite3_bind_null(st, idx); break;
		case STORE_VAL_TEXT: rc = store_bind_text(st, idx, v->text); break;
		case STORE_VAL_TEXT_KEPT:
			rc = v->text ? sqlite3_bind_text(st, idx, v->text, -1, SQLITE_STATIC)
			             : sqlite3_bind_null(st, idx);
			break;
		case STORE_VAL_INT: rc = sqlite3_bind_int64(st, idx, v->i); break;
		case STORE_VAL_REAL: rc = sqlite3_bind_double(st, idx, v->d); break;
		case STORE_VAL_BLOB:
			rc = sqlite3_bind_blob(st, idx, v->blob, v->len, SQLITE_TRANSIENT);
			break;
		}
		if (rc != SQLITE_OK) {
			/* No parameter may be left half-set for a later step. */
			sqlite3_clear_bindings(st);
			return store_sqlerr(s, rc, what);
		}
	}
	return 0;
}

int store_schema_version(store *s, int *out)
{
	sqlite3_stmt *st;
	int rc = store_prepare(s, "PRAGMA user_version", &st);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return store_sqlerr(s, rc, "reading the schema version");
	*out = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return 0;
}

int store_migrate_to(store *s, int version)
{
	int have = 0, rc;

	if ((rc = store_schema_version(s, &have)))
		return rc;
	if (have > STORE_SCHEMA_VERSION)
		return err_set(ERR_VERSION,
		               "%s has schema version %d, newer than this ambassador (%d); "
		               "use a newer ambassador",
		               s->path, have, STORE_SCHEMA_VERSION);
	for (int v = have; v < version; v++) {
		char bump[64];

		if ((rc = store_exec(s, "BEGIN IMMEDIATE")))
			return err_wrap(rc, "migrating %s to version %d", s->path, v + 1);
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		rc = store_exec(s, store_migrations[v]);
		if (!rc)
			rc = store_exec(s, bump);
		if (!rc)
			rc = store_exec(s, "COMMIT");
		if (rc) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return err_wrap(rc, "migrating %s to version %d", s->path, v + 1);
		}
	}
	return 0;
}

int store_set_cache_mib(store *s, int mib)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", mib * 1024);
	return store_exec(s, sql);
}

void store_set_busy_ms(store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms);
}

bool store_is_readonly(store *s)
{
	return sqlite3_db_readonly(s->db, "main") == 1;
}

int store_quick_check(store *s)
{
	sqlite3_stmt *st;
	int rc = store_prepare(s, "PRAGMA quick_check", &st);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return store_sqlerr(s, rc, "checking the database");
	const char *res = (const char *)sqlite3_column_text(st, 0);
	if (!res || strcmp(res, "ok") != 0) {
		rc = err_set(ERR_CORRUPT, "%s is damaged (quick_check: %s); restore a backup",
		             s->path, res ? res : "?");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return 0;
}

/* Create the file with mode 0600 before SQLite opens it, so personal data
 * is never readable by others, whatever the umask. */
static int create_private_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return err_set(ERR_IO, "cannot create %s: %s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

/* The database and its -wal and -shm hold personal data: mode 0600. A
 * file that others may read (an existing database made under umask 022,
 * or through a symlink) is set to 0600; when that is not allowed (not our
 * file) but we could write to it, nothing is opened and the message names
 * the command that fixes it. Another user's file we cannot write is left
 * alone: SQLite opens it read-only and we add nothing to it. SQLite gives
 * new -wal and -shm files the database's mode. */
static int enforce_private(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	int rc = 0;

	for (size_t i = 0; i < 3 && !rc; i++) {
		char *p = xasprintf("%s%s", path, suffix[i]);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) &&
		    chmod(p, 0600) != 0 && access(p, W_OK) == 0)
			rc = err_set(ERR_IO,
			             "%s is readable by others (mode %04o) and cannot be made "
			             "private (%s); as its owner run: chmod 600 %s %s-wal %s-shm",
			             p, (unsigned)(st.st_mode & 07777), strerror(errno), path, path,
			             path);
		free(p);
	}
	return rc;
}

/* Test hook (core/testhook.h; docs/testing.md, section 'Faults, fuzzing and analysers', case C3):
 * $AMBASSADOR_MAX_PAGES=N caps the database at N pages (PRAGMA max_page_count; never below its
 * current size), so "disk full" can be tested deterministically. Unset or empty, or a product
 * build: no cap. */
static int apply_max_pages(store *s)
{
	const char *env = testhook_env("AMBASSADOR_MAX_PAGES");
	char sql[64];
	int64_t n;

	if (!env || !*env)
		return 0;
	if (num_int(env, 1, INT64_MAX, &n) != 0)
		return err_set(ERR_USAGE,
		               "AMBASSADOR_MAX_PAGES must be a positive number, not '%s'", env);
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", (long long)n);
	return store_exec(s, sql);
}

static int configure(store *s)
{
	int rc;

	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(s->db, 1);
	if ((rc = store_exec(s, "PRAGMA foreign_keys = ON")))
		return rc;
	if (!(s->flags & STORE_READONLY) && strcmp(s->path, ":memory:") != 0) {
		if ((rc = store_exec(s, "PRAGMA journal_mode = WAL")))
			return rc;
	}
	/* NORMAL is durable across application crashes in WAL mode; only a
	 * power loss can lose the last commits, never corrupt the file. */
	if ((rc = store_exec(s, "PRAGMA synchronous = NORMAL")))
		return rc;
	/* Erased data is overwritten, not left in free pages. */
	if ((rc = store_exec(s, "PRAGMA secure_delete = ON")))
		return rc;
	if ((rc = store_exec(s, "PRAGMA cache_size = -65536"))) /* 64 MiB */
		return rc;
	return apply_max_pages(s);
}

int store_open(store **out, const char *path, unsigned flags)
{
	store *s = NULL;
	int rc, oflags;
	bool memory = strcmp(path, ":memory:") == 0;

	*out = NULL;
	if (!memory && (flags & (STORE_MUST_EXIST | STORE_READONLY)) && access(path, F_OK) != 0)
		return err_set(ERR_NOT_FOUND, "no database at %s (run `ambassador init` first)",
		               path);
	if (!memory && !(flags & (STORE_MUST_EXIST | STORE_READONLY)) &&
	    (rc = create_private_file(path)))
		return rc;
	/* Read-only opens leave modes alone: they may be another user's file. */
	if (!memory && !(flags & STORE_READONLY) && (rc = enforce_private(path)))
		return rc;

	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->flags = flags;
	oflags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX |
	         ((flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
	                                   : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (flags & STORE_READONLY && !memory) {
		/* A URI: '%', '?' and '#' in the path must be escaped. */
		struct buf uri = {0};
		buf_puts(&uri, "file:");
		for (const char *p = path; *p; p++) {
			if (*p == '%' || *p == '?' || *p == '#')
				buf_printf(&uri, "%%%02X", (unsigned char)*p);
			else
				buf_append(&uri, p, 1);
		}
		buf_puts(&uri, "?mode=ro");
		buf_append(&uri, "", 1);
		rc = sqlite3_open_v2(uri.data, &s->db, oflags, NULL);
		buf_free(&uri);
	} else {
		rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
	}
	if (rc != SQLITE_OK) {
		rc = store_sqlerr(s, rc, path);
		goto fail;
	}
	if ((rc = configure(s)))
		goto fail;
	if ((flags & STORE_CHECK) && (rc = store_quick_check(s)))
		goto fail;
	if (!(flags & STORE_NO_MIGRATE)) {
		int have = 0;
		if ((rc = store_schema_version(s, &have)))
			goto fail;
		if (have > STORE_SCHEMA_VERSION) {
			rc = store_migrate_to(s, STORE_SCHEMA_VERSION); /* sets the message */
			goto fail;
		}
		if (have < STORE_SCHEMA_VERSION && (flags & STORE_READONLY)) {
			rc = err_set(ERR_READONLY,
			             "%s has schema version %d and needs migrating; "
			             "open it once read-write",
			             path, have);
			goto fail;
		}
		if ((rc = store_migrate_to(s, STORE_SCHEMA_VERSION)))
			goto fail;
	}
	*out = s;
	return 0;
fail:
	store_close(&s);
	return rc;
}

const char *store_sqlite_version(void)
{
	return sqlite3_libversion();
}

void store_close(store **sp)
{
	store *s = sp ? *sp : NULL;

	if (!s)
		return;
	if (s->in_tx)
		store_rollback(s);
	for (size_t i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].stmt);
	sqlite3_close(s->db);
	free(s->path);
	memset(s->suppress_secret, 0, sizeof(s->suppress_secret));
	free(s);
	*sp = NULL;
}

int store_begin(store *s)
{
	sqlite3_stmt *st;
	int rc;

	if (s->in_tx)
		return err_set(ERR_INTERNAL, "transaction already open");
	if ((rc = store_prepare(s, "BEGIN IMMEDIATE", &st)))
		return rc;
	if ((rc = store_step_done(s, st, "starting a transaction")))
		return rc;
	s->in_tx = true;
	s->activity_written = false;
	return 0;
}

int store_meta_int(store *s, const char *key, int64_t *out)
{
	char *v = NULL;
	int rc = store_meta_get(s, key, &v);

	*out = 0;
	if (rc < 0)
		return rc;
	if (rc == 1 && num_int(v, INT64_MIN, INT64_MAX, out) != 0) {
		free(v);
		return err_set(ERR_CORRUPT, "meta %s is not a number", key);
	}
	free(v);
	return 0;
}

int store_meta_set_int(store *s, const char *key, int64_t v)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", (long long)v);
	return store_meta_set(s, key, text);
}

int store_activity_version(store *s, int64_t *out)
{
	return store_meta_int(s, STORE_META_ACTIVITY_VERSION, out);
}

int store_activity_changed(store *s)
{
	int64_t v;
	int rc = store_activity_version(s, &v);

	return rc ? rc : store_meta_set_int(s, STORE_META_ACTIVITY_VERSION, v + 1);
}

int store_activity_written(store *s)
{
	if (!s->in_tx)
		return store_activity_changed(s);
	s->activity_written = true;
	return 0;
}

int store_commit(store *s)
{
	sqlite3_stmt *st;
	int rc;

	if (!s->in_tx)
		return err_set(ERR_INTERNAL, "no transaction to commit");
	if (s->activity_written && (rc = store_activity_changed(s))) {
		store_rollback(s);
		return rc;
	}
	s->activity_written = false;
	if ((rc = store_prepare(s, "COMMIT", &st)))
		return rc;
	if ((rc = store_step_done(s, st, "committing"))) {
		store_rollback(s);
		return rc;
	}
	s->in_tx = false;
	return 0;
}

void store_rollback(store *s)
{
	if (!s || !s->in_tx)
		return;
	/* Not through the cache: ROLLBACK must work even when preparing new
	 * statements fails (out of memory, full disk). */
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = false;
	s->activity_written = false;
}

bool store_in_transaction(store *s)
{
	return s->in_tx;
}

int store_read_begin(store *s)
{
	sqlite3_stmt *st;
	int rc;

	if (s->in_tx || s->read_depth++ > 0)
		return 0;
	if ((rc = store_prepare(s, "BEGIN DEFERRED", &st)))
		return rc;
	return store_step_done(s, st, "starting a read");
}

void store_read_end(store *s)
{
	if (s->in_tx || s->read_depth == 0 || --s->read_depth > 0)
		return;
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

/* --- ledger ------------------------------------------------------------ */

int store_import_start(store *s, const char *kind, const char *source, int64_t *out_id)
{
	static const char sql[] =
	    "INSERT INTO imports(kind, source, sha256, imported_at) VALUES(?, ?, ?, ?)";
	sqlite3_stmt *st;
	char pending[64];
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	/* A unique placeholder until the content hash is known. */
	snprintf(pending, sizeof(pending), "pending-%lld", (long long)clock_now());
	if ((rc = store_bind(s, st, "recording the import", BIND_TEXT(kind), BIND_TEXT(source),
	                     BIND_TEXT(pending), BIND_INT(clock_now()))) ||
	    (rc = store_step_done(s, st, "recording the import")))
		return rc;
	*out_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static void read_import_row(sqlite3_stmt *st, struct import_record *r)
{
	const char *t;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	t = (const char *)sqlite3_column_text(st, 1);
	snprintf(r->kind, sizeof(r->kind), "%s", t ? t : "");
	t = (const char *)sqlite3_column_text(st, 2);
	snprintf(r->source, sizeof(r->source), "%s", t ? t : "");
	t = (const char *)sqlite3_column_text(st, 3);
	snprintf(r->sha256, sizeof(r->sha256), "%s", t ? t : "");
	r->imported_at = sqlite3_column_int64(st, 4);
	r->rows_read = sqlite3_column_int64(st, 5);
	r->rows_kept = sqlite3_column_int64(st, 6);
	r->rows_rejected = sqlite3_column_int64(st, 7);
	r->rows_skipped = sqlite3_column_int64(st, 8);
}

int store_import_finish(store *s, const struct import_record *rec,
                        struct import_record *out_previous)
{
	static const char find[] =
	    "SELECT id, kind, source, sha256, imported_at, rows_read, rows_kept,"
	    " rows_rejected, rows_skipped FROM imports WHERE kind = ?1 AND sha256 = ?2 AND id != ?3"
	    /* A roster replaces the previous one: only the latest counts. */
	    " AND (kind != 'roster' OR id = (SELECT max(id) FROM imports"
	    "  WHERE kind = 'roster' AND id != ?3))";
	static const char update[] =
	    "UPDATE imports SET sha256 = ?, rows_read = ?, rows_kept = ?, rows_rejected = ?,"
	    " rows_skipped = ?, bytes_sha256 = NULLIF(?, '') WHERE id = ?";
	sqlite3_stmt *st;
	int rc;

	if (rec->force)
		goto record;
	if ((rc = store_prepare(s, find, &st)))
		return rc;
	if ((rc = store_bind(s, st, "checking the import ledger", BIND_TEXT(rec->kind),
	                     BIND_TEXT(rec->sha256), BIND_INT(rec->id))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct import_record prev;
		read_import_row(st, &prev);
		sqlite3_reset(st);
		if (out_previous)
			*out_previous = prev;
		return err_set(ERR_DUPLICATE,
		               "this %s content was already imported as import #%lld", rec->kind,
		               (long long)prev.id);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "checking the import ledger");
record:
	if ((rc = store_prepare(s, update, &st)))
		return rc;
	if ((rc = store_bind(s, st, "recording the import", BIND_TEXT(rec->sha256),
	                     BIND_INT(rec->rows_read), BIND_INT(rec->rows_kept),
	                     BIND_INT(rec->rows_rejected), BIND_INT(rec->rows_skipped),
	                     BIND_TEXT(rec->bytes_sha256), BIND_INT(rec->id))))
		return rc;
	return store_step_done(s, st, "recording the import");
}

int store_import_find_bytes(store *s, const char *kind, const char *bytes_sha256,
                            struct import_record *out)
{
	static const char find[] =
	    "SELECT id, kind, source, sha256, imported_at, rows_read, rows_kept,"
	    " rows_rejected, rows_skipped FROM imports WHERE kind = ?1 AND bytes_sha256 = ?2"
	    " AND (kind != 'roster' OR id = (SELECT max(id) FROM imports WHERE kind = 'roster'))"
	    " ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, find, &st)))
		return rc;
	if ((rc = store_bind(s, st, "checking the import ledger", BIND_TEXT(kind),
	                     BIND_TEXT(bytes_sha256))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_import_row(st, out);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "checking the import ledger");
}

int store_import_list(store *s, struct import_record *out, size_t max, size_t *out_count)
{
	static const char sql[] = "SELECT id, kind, source, sha256, imported_at, rows_read,"
	                          " rows_kept, rows_rejected, rows_skipped FROM imports"
	                          " ORDER BY id DESC LIMIT ?";
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	*out_count = 0;
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "listing imports", BIND_INT((int64_t)max))))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
		read_import_row(st, &out[n++]);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(s, rc, "listing imports");
	*out_count = n;
	return 0;
}

/* --- meta ---------------------------------------------------------------- */

int store_meta_get(store *s, const char *key, char **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = store_prepare(s, "SELECT value FROM meta WHERE key = ?", &st)))
		return rc;
	if ((rc = store_bind(s, st, "reading a setting", BIND_TEXT(key))))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		/* NULL for a NOT NULL column: SQLite could not allocate the text */
		if (!v) {
			rc = sqlite3_errcode(s->db);
			sqlite3_reset(st);
			return store_sqlerr(s, rc == SQLITE_NOMEM ? rc : SQLITE_NOMEM,
			                    "reading a setting");
		}
		*out = xstrdup(v);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading a setting");
}

int store_meta_set(store *s, const char *key, const char *value)
{
	static const char sql[] = "INSERT INTO meta(key, value) VALUES(?, ?)"
	                          " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "saving a setting", BIND_TEXT(key), BIND_TEXT(value))))
		return rc;
	return store_step_done(s, st, "saving a setting");
}

static int load_secret(store *s)
{
	char *hex = NULL;
	int rc;

	if (s->have_secret)
		return 0;
	rc = store_meta_get(s, "suppress_secret", &hex);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		/* First use: a random per-database secret. */
		uint8_t raw[32];
		char buf[65];
		FILE *f = fopen("/dev/urandom", "rb");
		if (!f || fread(raw, 1, sizeof(raw), f) != sizeof(raw)) {
			if (f)
				fclose(f);
			return err_set(ERR_IO, "cannot read /dev/urandom");
		}
		fclose(f);
		sha256_hex(buf, raw); /* 32 bytes of entropy, hex-encoded via a hash */
		if ((rc = store_meta_set(s, "suppress_secret", buf)))
			return rc;
		hex = xstrdup(buf);
	}
	memcpy(s->suppress_secret, hex, 32);
	s->have_secret = true;
	free(hex);
	return 0;
}

int store_suppress_key(store *s, const char *employee_id, uint8_t out[SHA256_LEN])
{
	int rc = load_secret(s);

	if (rc)
		return rc;
	hmac_sha256(out, s->suppress_secret, sizeof(s->suppress_secret), employee_id,
	            strlen(employee_id));
	return 0;
}

int store_is_suppressed(store *s, const char *employee_id)
{
	uint8_t key[SHA256_LEN];
	sqlite3_stmt *st;
	int rc;

	/* Nothing was ever erased: avoid creating the secret on a read path. */
	if ((rc = store_prepare(s, "SELECT 1 FROM suppressed LIMIT 1", &st)))
		return rc;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_sqlerr(s, rc, "reading the erasure list");
	if ((rc = store_suppress_key(s, employee_id, key)))
		return rc;
	if ((rc = store_prepare(s, "SELECT 1 FROM suppressed WHERE hmac = ?", &st)))
		return rc;
	if ((rc = store_bind(s, st, "reading the erasure list", BIND_BLOB(key, SHA256_LEN))))
		return rc;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading the erasure list");
}
