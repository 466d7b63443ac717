/* Store: migrations, version checks, file mode, ledger, SHA-256. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>
#include <sys/stat.h>

#include "../support/testutil.h"
#include "core/err.h"
#include "core/store.h"
#include "core/store_activity.h"

static const char *tables_by_version[] = {
    "people",
    "survey_answers",
    "activity_weekly",
    "snapshot_scores",
    "suppressed",
    "activity_seen_chunks",
    "activity_features",
    "pilots",
    "roster_maps",
    "outcomes",
    "activity_weekly.coarse", /* a column: migration 11 adds no table */
    "audit_log_minute",
    "snapshot_scores.rank_lo",
    "imports.bytes_sha256",
    "score_facts",
    "snapshot_scores.steadiness",
};
_Static_assert(sizeof(tables_by_version) / sizeof(tables_by_version[0]) == STORE_SCHEMA_VERSION,
               "one entry per migration");

/* Whether the file has table `name`, or column `name` when it is written
 * "table.column"; NULL (a version adding nothing) counts as 1 when
 * `present`, 0 otherwise, so it passes both checks. */
static long long has_table(const char *path, const char *name, int present)
{
	const char *dot = name ? strchr(name, '.') : NULL;
	char *q;
	long long n;

	if (!name)
		return present;
	if (dot)
		q = sqlite3_mprintf(
		    "SELECT count(*) FROM pragma_table_info('%.*q') WHERE name = '%q'",
		    (int)(dot - name), name, dot + 1);
	else
		q = sqlite3_mprintf("SELECT count(*) FROM sqlite_schema WHERE name = '%q'", name);
	n = tu_db_int(path, q);
	sqlite3_free(q);
	return n;
}

Test(core_store, creates_a_new_file_at_the_current_version_readable_by_its_owner_only)
{
	char *dir = tu_tempdir(), *path = NULL;
	struct stat st;
	store *s = NULL;
	int version = 0;

	cr_assert(asprintf(&path, "%s/a.db", dir) > 0);
	cr_assert(eq(int, store_open(&s, path, 0), 0), "%s", err_msg());
	cr_assert(eq(int, store_schema_version(s, &version), 0));
	cr_assert(eq(int, version, STORE_SCHEMA_VERSION));
	store_close(&s);
	cr_assert(s == NULL);
	cr_assert(eq(int, stat(path, &st), 0));
	cr_assert(eq(int, (int)(st.st_mode & 0777), 0600));
	cr_assert(eq(i64, tu_db_int(path, "PRAGMA journal_mode = WAL") >= 0, 1));
	tu_rmrf(dir);
	free(path);
	free(dir);
}

Test(core_store, migrates_from_every_earlier_version)
{
	char *dir = tu_tempdir();

	for (int from = 0; from < STORE_SCHEMA_VERSION; from++) {
		char *path = NULL;
		store *s = NULL;
		int version = -1;

		cr_assert(asprintf(&path, "%s/v%d.db", dir, from) > 0);
		cr_assert(eq(int, store_open(&s, path, STORE_NO_MIGRATE), 0), "%s", err_msg());
		cr_assert(eq(int, store_migrate_to(s, from), 0), "%s", err_msg());
		store_close(&s);
		cr_assert(eq(i64, tu_db_int(path, "PRAGMA user_version"), from));
		for (int v = from; v < STORE_SCHEMA_VERSION; v++)
			cr_assert(eq(i64, has_table(path, tables_by_version[v], 0), 0),
			          "version %d already has %s", from, tables_by_version[v]);

		cr_assert(eq(int, store_open(&s, path, 0), 0), "%s", err_msg());
		cr_assert(eq(int, store_schema_version(s, &version), 0));
		cr_assert(eq(int, version, STORE_SCHEMA_VERSION));
		store_close(&s);
		for (int v = 0; v < STORE_SCHEMA_VERSION; v++)
			cr_assert(eq(i64, has_table(path, tables_by_version[v], 1), 1));
		free(path);
	}
	tu_rmrf(dir);
	free(dir);
}

Test(core_store, refuses_a_database_newer_than_the_binary)
{
	char *dir = tu_tempdir(), *path = NULL;
	sqlite3 *db;
	store *s = NULL;

	cr_assert(asprintf(&path, "%s/new.db", dir) > 0);
	cr_assert(eq(int, store_open(&s, path, 0), 0));
	store_close(&s);
	cr_assert(sqlite3_open(path, &db) == SQLITE_OK);
	cr_assert(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	cr_assert(eq(int, store_open(&s, path, 0), ERR_VERSION));
	cr_assert(s == NULL);
	cr_assert(strstr(err_msg(), "newer") != NULL, "message: %s", err_msg());
	cr_assert(strstr(err_msg(), "99") != NULL, "message: %s", err_msg());
	tu_rmrf(dir);
	free(path);
	free(dir);
}

Test(core_store, refuses_a_missing_file_when_it_must_exist)
{
	store *s = NULL;

	cr_assert(
	    eq(int, store_open(&s, "/nonexistent/dir/x.db", STORE_MUST_EXIST), ERR_NOT_FOUND));
	cr_assert(strstr(err_msg(), "ambassador init") != NULL);
}

Test(core_store, reports_a_duplicate_import_by_content_hash)
{
	store *s = NULL;
	struct import_record rec = {0}, prev;
	int64_t id1, id2;

	cr_assert(eq(int, store_open(&s, ":memory:", 0), 0));
	cr_assert(eq(int, store_begin(s), 0));
	cr_assert(eq(int, store_import_start(s, "roster", "a.csv", &id1), 0));
	rec.id = id1;
	strcpy(rec.kind, "roster");
	strcpy(rec.sha256, "abc");
	rec.rows_read = 3;
	cr_assert(eq(int, store_import_finish(s, &rec, &prev), 0));
	cr_assert(eq(int, store_commit(s), 0));

	cr_assert(eq(int, store_begin(s), 0));
	cr_assert(eq(int, store_import_start(s, "roster", "b.csv", &id2), 0));
	rec.id = id2;
	cr_assert(eq(int, store_import_finish(s, &rec, &prev), ERR_DUPLICATE));
	cr_assert(eq(i64, prev.id, id1));
	store_rollback(s);
	store_close(&s);
}

Test(core_store, opens_read_only_with_mode_ro_and_refuses_writes)
{
	char *dir = tu_tempdir(), *path = NULL;
	store *s = NULL;

	cr_assert(asprintf(&path, "%s/ro.db", dir) > 0);
	cr_assert(eq(int, store_open(&s, path, 0), 0));
	store_close(&s);
	cr_assert(eq(int, store_open(&s, path, STORE_READONLY), 0), "%s", err_msg());
	cr_assert(eq(int, store_meta_set(s, "k", "v"), ERR_READONLY));
	store_close(&s);
	tu_rmrf(dir);
	free(path);
	free(dir);
}

Test(core_store, refuses_a_corrupted_file_when_checked)
{
	char *dir = tu_tempdir(), *path = NULL;
	store *s = NULL;
	FILE *f;
	char junk[4096];

	cr_assert(asprintf(&path, "%s/bad.db", dir) > 0);
	memset(junk, 'x', sizeof(junk));
	f = fopen(path, "wb");
	fwrite(junk, 1, sizeof(junk), f);
	fclose(f);
	cr_assert(lt(int, store_open(&s, path, STORE_CHECK), 0));
	cr_assert(s == NULL);
	tu_rmrf(dir);
	free(path);
	free(dir);
}

Test(core_sha256, matches_the_fips_test_vectors)
{
	uint8_t d[SHA256_LEN];
	char hex[65];

	sha256(d, "abc", 3);
	sha256_hex(hex, d);
	cr_assert(eq(str, hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	sha256(d, "", 0);
	sha256_hex(hex, d);
	cr_assert(eq(str, hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	sha256(d, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56);
	sha256_hex(hex, d);
	cr_assert(eq(str, hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
}

/* The incremental digest on the FIPS million-'a' vector, and on many
 * lengths around the block size split into uneven updates, agrees with the
 * one-shot digest; a copied running digest finishes independently. */
Test(core_sha256, incremental_one_shot_and_copied_digests_agree)
{
	static const char *const want_million_a =
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	static const char hundred_a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	                                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	uint8_t buf[300], d[2][SHA256_LEN];
	char hex[65];
	struct sha256 s, t;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	sha256_init(&s);
	for (int i = 0; i < 10000; i++)
		sha256_update(&s, hundred_a, 100);
	sha256_final(&s, d[0]);
	sha256_hex(hex, d[0]);
	cr_assert(eq(str, hex, (char *)want_million_a));
	cr_assert(eq(ptr, s.ctx, NULL));
	for (size_t len = 0; len <= sizeof(buf); len += 7) {
		sha256(d[0], buf, len);
		sha256_init(&s);
		sha256_update(&s, buf, len / 3);
		sha256_copy(&t, &s);
		sha256_update(&s, buf + len / 3, len - len / 3);
		sha256_final(&s, d[1]);
		cr_assert(eq(int, memcmp(d[0], d[1], SHA256_LEN), 0), "length %zu", len);
		sha256_update(&t, buf + len / 3, len - len / 3);
		sha256_final(&t, d[1]);
		cr_assert(eq(int, memcmp(d[0], d[1], SHA256_LEN), 0), "copy, length %zu", len);
	}
	sha256_init(&s);
	sha256_update(&s, "x", 1);
	sha256_clear(&s);
	sha256_clear(&s); /* a cleared digest may be cleared again */
}

/* RFC 4231 case 6: a key longer than the block is hashed first. */
Test(core_sha256, computes_hmac_per_rfc_4231_case_6)
{
	uint8_t key[131], d[SHA256_LEN];
	char hex[65];
	const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";

	memset(key, 0xaa, sizeof(key));
	hmac_sha256(d, key, sizeof(key), msg, strlen(msg));
	sha256_hex(hex, d);
	cr_assert(eq(str, hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
}

Test(core_sha256, computes_hmac_per_rfc_4231_case_2)
{
	uint8_t d[SHA256_LEN];
	char hex[65];
	const char *msg = "what do ya want for nothing?";

	hmac_sha256(d, "Jefe", 4, msg, strlen(msg));
	sha256_hex(hex, d);
	cr_assert(eq(str, hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

Test(core_store, a_commit_bumps_the_activity_version_once_when_cells_were_written)
{
	char *dir = tu_tempdir(), *path = NULL;
	struct activity_cell c = {.pid = 1, .week = 1300, .platform = 1, .kind = 1, .events = 2};
	store *s = NULL;
	int64_t v0 = -1, v = -1;

	cr_assert(asprintf(&path, "%s/v.db", dir) > 0);
	cr_assert(eq(int, store_open(&s, path, 0), 0), "%s", err_msg());
	cr_assert(eq(int, store_activity_version(s, &v0), 0));
	/* rolled back: nothing changed, no bump */
	cr_assert(eq(int, store_begin(s), 0));
	cr_assert(eq(int, store_activity_add(s, &c, NULL, 1), 0), "%s", err_msg());
	store_rollback(s);
	cr_assert(eq(int, store_activity_version(s, &v), 0));
	cr_assert(eq(i64, v, v0));
	/* committed without a cell: no bump */
	cr_assert(eq(int, store_begin(s), 0));
	cr_assert(eq(int, store_activity_add(s, &c, NULL, 0), 0));
	cr_assert(eq(int, store_commit(s), 0));
	cr_assert(eq(int, store_activity_version(s, &v), 0));
	cr_assert(eq(i64, v, v0));
	/* two batches in one transaction: one bump, at the commit */
	cr_assert(eq(int, store_begin(s), 0));
	cr_assert(eq(int, store_activity_add(s, &c, NULL, 1), 0));
	cr_assert(eq(int, store_activity_add(s, &c, NULL, 1), 0));
	cr_assert(eq(int, store_activity_version(s, &v), 0));
	cr_assert(eq(i64, v, v0), "bumped before the commit");
	cr_assert(eq(int, store_commit(s), 0));
	cr_assert(eq(int, store_activity_version(s, &v), 0));
	cr_assert(eq(i64, v, v0 + 1));
	/* outside a transaction: at once */
	cr_assert(eq(int, store_activity_add(s, &c, NULL, 1), 0));
	cr_assert(eq(int, store_activity_version(s, &v), 0));
	cr_assert(eq(i64, v, v0 + 2));
	store_close(&s);
	tu_rmrf(dir);
	free(path);
	free(dir);
}
