/* testutil.h - helpers shared by the Criterion suites (header-only: every
 * test file is its own binary). Tests may use SQLite directly to inspect a
 * database; the product code may not. */
#ifndef AMB_TESTS_TESTUTIL_H
#define AMB_TESTS_TESTUTIL_H

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sha256.h"

/* A fresh temporary directory; the caller frees the string. */
static inline char *tu_tempdir(void)
{
	char tmpl[] = "/tmp/amb-test-XXXXXX";
	char *d = mkdtemp(tmpl);

	cr_assert(d != NULL, "mkdtemp failed");
	return strdup(d);
}

/* Write `text` to dir/name; returns the malloc'ed path. */
static inline char *tu_write(const char *dir, const char *name, const char *text)
{
	char *path = NULL;
	FILE *f;

	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "wb");
	cr_assert(f != NULL, "cannot write %s", path);
	fwrite(text, 1, strlen(text), f);
	fclose(f);
	return path;
}

static inline void tu_rmrf(const char *dir)
{
	char *cmd = NULL;

	if (asprintf(&cmd, "rm -rf '%s'", dir) > 0 && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
}

/* SHA-256 hex of an ordered dump of every user table of the database at
 * `path` plus the schema: "DB unchanged" means this is equal before and
 * after. Also asserts PRAGMA integrity_check is ok. */
static inline void tu_db_digest(const char *path, char out[2 * SHA256_LEN + 1])
{
	sqlite3 *db;
	sqlite3_stmt *tables, *rows;
	struct sha256 h;
	uint8_t d[SHA256_LEN];

	cr_assert(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	sha256_init(&h);
	cr_assert(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &rows, NULL) == SQLITE_OK);
	cr_assert(sqlite3_step(rows) == SQLITE_ROW);
	cr_assert(strcmp((const char *)sqlite3_column_text(rows, 0), "ok") == 0);
	sqlite3_finalize(rows);
	cr_assert(sqlite3_prepare_v2(db,
	                             "SELECT name, sql FROM sqlite_schema WHERE name NOT LIKE "
	                             "'sqlite_%' ORDER BY name",
	                             -1, &tables, NULL) == SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		const char *sql = (const char *)sqlite3_column_text(tables, 1);
		char *q;

		sha256_update(&h, name, strlen(name));
		if (sql)
			sha256_update(&h, sql, strlen(sql));
		if (!sql || strncmp(sql, "CREATE TABLE", 12) != 0)
			continue;
		/* Order by every column so the dump does not depend on storage. */
		q = sqlite3_mprintf("SELECT * FROM \"%w\" LIMIT 0", name);
		cr_assert(sqlite3_prepare_v2(db, q, -1, &rows, NULL) == SQLITE_OK);
		int ncol = sqlite3_column_count(rows);
		sqlite3_finalize(rows);
		sqlite3_free(q);
		char order[1024] = "1";
		for (int c = 2; c <= ncol && strlen(order) < 1000; c++)
			snprintf(order + strlen(order), sizeof(order) - strlen(order), ",%d", c);
		q = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY %s", name, order);
		cr_assert(sqlite3_prepare_v2(db, q, -1, &rows, NULL) == SQLITE_OK, "%s",
		          sqlite3_errmsg(db));
		sqlite3_free(q);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(rows); c++) {
				const void *v = sqlite3_column_blob(rows, c);
				int n = sqlite3_column_bytes(rows, c);
				sha256_update(&h, v ? v : "", (size_t)n);
				sha256_update(&h, "\x1f", 1);
			}
			sha256_update(&h, "\x1e", 1);
		}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	sha256_final(&h, d);
	sha256_hex(out, d);
}

/* One integer from a query on the database at `path`. */
static inline long long tu_db_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	cr_assert(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	cr_assert(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
	          sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

#endif
