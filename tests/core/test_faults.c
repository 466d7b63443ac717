/* test_faults.c - storage faults under a whole roster import, at the store
 * level (docs/testing.md, section 'Faults, fuzzing and analysers', case C4, C5, C6, C8):
 *  - a VFS shim that fails the Nth write, sync or truncate (once, or from
 *    then on) for every N until an import needs fewer operations;
 *  - a failing allocator under SQLite (SQLITE_CONFIG_MALLOC) that fails the
 *    Nth allocation, likewise;
 *  - a read-only store and a damaged file.
 * Every N must give an error or a success, never a crash or a leak (the ASan
 * suite runs this too); a failure must leave the database unchanged and a
 * success must leave it fully imported. Our own allocations (xmalloc) abort
 * on out-of-memory by design (the style guide), so only SQLite's are failed here. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/store.h"
#include "core/store_internal.h"
#include "survey/roster.h"
#include "tests/support/testutil.h"

#define BIG_ROWS  30
#define MAX_FAULT 4000 /* bound on N; each loop stops earlier when N is never reached */

struct fixture {
	char *dir, *base, *work, *small, *big;
	char pre[2 * SHA256_LEN + 1], full[2 * SHA256_LEN + 1];
};

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[8192];
	size_t n;

	cr_assert(in && out, "cannot copy %s to %s", from, to);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		cr_assert(eq(sz, fwrite(buf, 1, n, out), n));
	fclose(in);
	fclose(out);
}

static char *write_big_roster(const char *dir)
{
	char *path = NULL;
	FILE *f;

	cr_assert(asprintf(&path, "%s/big.csv", dir) > 0);
	f = fopen(path, "w");
	cr_assert(f != NULL);
	fputs("employee_id,name,email,department,level,consent\n", f);
	for (int i = 1; i <= BIG_ROWS; i++)
		fprintf(f, "T%05d,Synthetic Person %d,p%d@example.invalid,Dept%d,employee,%s\n", i,
		        i, i, i % 5, i % 17 == 0 ? "no" : "yes");
	fclose(f);
	return path;
}

static int import_file(store *s, const char *csv)
{
	struct import_opts opts = {.allow_departures = true};
	struct import_summary sum = {0};
	int rc = roster_import(s, csv, &opts, &sum);

	import_summary_clear(&sum);
	return rc;
}

static void fixture_setup(struct fixture *fx)
{
	store *s = NULL;

	setenv("AMBASSADOR_NOW", "2025-03-01T12:00:00Z", 1);
	fx->dir = tu_tempdir();
	fx->small = tu_write(fx->dir, "small.csv",
	                     "employee_id,name,department,consent\n"
	                     "S1,Small One,Sales,yes\nS2,Small Two,Legal,no\n");
	fx->big = write_big_roster(fx->dir);
	cr_assert(asprintf(&fx->base, "%s/base.db", fx->dir) > 0);
	cr_assert(asprintf(&fx->work, "%s/work.db", fx->dir) > 0);
	cr_assert(eq(int, store_open(&s, fx->base, 0), 0));
	cr_assert(eq(int, import_file(s, fx->small), 0));
	store_close(&s);
	tu_db_digest(fx->base, fx->pre);
	copy_file(fx->base, fx->work);
	cr_assert(eq(int, store_open(&s, fx->work, 0), 0));
	cr_assert(eq(int, import_file(s, fx->big), 0));
	store_close(&s);
	tu_db_digest(fx->work, fx->full);
	cr_assert(strcmp(fx->pre, fx->full) != 0);
}

static void fixture_teardown(struct fixture *fx)
{
	tu_rmrf(fx->dir);
	free(fx->dir);
	free(fx->base);
	free(fx->work);
	free(fx->small);
	free(fx->big);
}

/* A fresh copy of the base database (no -wal or -shm left over). */
static void reset_work(const struct fixture *fx)
{
	char side[1100];

	for (int i = 0; i < 2; i++) {
		snprintf(side, sizeof(side), "%s%s", fx->work, i ? "-shm" : "-wal");
		remove(side);
	}
	copy_file(fx->base, fx->work);
}

/* After a faulted import: unchanged on failure, complete on success
 * (checked only when `strict`). */
static bool strict = true;

static void check_outcome(const struct fixture *fx, int rc, long n)
{
	char got[2 * SHA256_LEN + 1];

	tu_db_digest(fx->work, got);
	if (rc == 0 && !strict)
		return;
	if (rc == 0)
		cr_assert(eq(str, got, (char *)fx->full), "N=%ld: success but not fully imported",
		          n);
	else
		cr_assert(eq(str, got, (char *)fx->pre), "N=%ld: failed (%s) but the DB changed", n,
		          err_msg());
}

/* ---- a VFS that fails the Nth write, sync or truncate --------------------- */

static struct {
	sqlite3_vfs *real;
	sqlite3_vfs vfs;
	bool armed, persist;
	long count, fail_at;
	bool fired;
} fv;

struct fault_file {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
};

static bool fault_now(void)
{
	if (!fv.armed)
		return false;
	fv.count++;
	if (fv.count == fv.fail_at || (fv.persist && fv.count > fv.fail_at)) {
		fv.fired = true;
		return true;
	}
	return false;
}

#define REAL(f) (((struct fault_file *)(f))->real)

static int ff_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods->xClose(REAL(f));

	f->pMethods = NULL;
	return rc;
}
static int ff_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}
static int ff_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	if (fault_now())
		return SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (fault_now())
		return SQLITE_IOERR_TRUNCATE;
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int ff_sync(sqlite3_file *f, int flags)
{
	if (fault_now())
		return SQLITE_IOERR_FSYNC;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int ff_size(sqlite3_file *f, sqlite3_int64 *out)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), out);
}
static int ff_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int ff_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int ff_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int ff_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int ff_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int ff_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int ff_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}
static int ff_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void ff_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int ff_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

/* Version 2 methods: no xFetch/xUnfetch, so SQLite does not memory-map. */
static const sqlite3_io_methods ff_methods = {
    2,           ff_close,       ff_read,       ff_write, ff_truncate, ff_sync,    ff_size,
    ff_lock,     ff_unlock,      ff_check_lock, ff_fcntl, ff_sector,   ff_devchar, ff_shm_map,
    ff_shm_lock, ff_shm_barrier, ff_shm_unmap,  NULL,     NULL,
};

static int ff_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct fault_file *ff = (struct fault_file *)f;
	int rc;

	ff->real = (sqlite3_file *)(ff + 1);
	f->pMethods = NULL;
	rc = fv.real->xOpen(fv.real, name, ff->real, flags, out);
	if (ff->real->pMethods)
		f->pMethods = &ff_methods;
	return rc;
}
static int ff_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	return fv.real->xDelete(fv.real, name, sync);
}
static int ff_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	return fv.real->xAccess(fv.real, name, flags, out);
}
static int ff_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	return fv.real->xFullPathname(fv.real, name, n, out);
}
static int ff_random(sqlite3_vfs *vfs, int n, char *out)
{
	return fv.real->xRandomness(fv.real, n, out);
}
static int ff_sleep(sqlite3_vfs *vfs, int us)
{
	return fv.real->xSleep(fv.real, us);
}
static int ff_time(sqlite3_vfs *vfs, double *out)
{
	return fv.real->xCurrentTime(fv.real, out);
}
static int ff_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	return fv.real->xGetLastError(fv.real, n, out);
}
static int ff_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	return fv.real->xCurrentTimeInt64(fv.real, out);
}

static void fault_vfs_install(void)
{
	fv.real = sqlite3_vfs_find(NULL);
	cr_assert(fv.real != NULL);
	memset(&fv.vfs, 0, sizeof(fv.vfs));
	fv.vfs.iVersion = 2;
	fv.vfs.szOsFile = (int)sizeof(struct fault_file) + fv.real->szOsFile;
	fv.vfs.mxPathname = fv.real->mxPathname;
	fv.vfs.zName = "amb-faulty";
	fv.vfs.xOpen = ff_open;
	fv.vfs.xDelete = ff_delete;
	fv.vfs.xAccess = ff_access;
	fv.vfs.xFullPathname = ff_fullpath;
	fv.vfs.xRandomness = ff_random;
	fv.vfs.xSleep = ff_sleep;
	fv.vfs.xCurrentTime = ff_time;
	fv.vfs.xGetLastError = ff_last_error;
	fv.vfs.xCurrentTimeInt64 = ff_time64;
	cr_assert(eq(int, sqlite3_vfs_register(&fv.vfs, 1), SQLITE_OK));
}

/* Import under an I/O fault at operation N for N = 1, 2, ... until the
 * import needs fewer than N operations; returns how many N were tried. */
static long io_fault_sweep(const struct fixture *fx, bool persist)
{
	long n;

	fv.persist = persist;
	for (n = 1; n <= MAX_FAULT; n++) {
		store *s = NULL;
		int rc;

		reset_work(fx);
		cr_assert(eq(int, store_open(&s, fx->work, 0), 0));
		fv.count = 0;
		fv.fired = false;
		fv.fail_at = n;
		fv.armed = true;
		rc = import_file(s, fx->big);
		fv.armed = false;
		cr_assert(rc == 0 || *err_msg(), "N=%ld: error %d without a message", n, rc);
		store_close(&s);
		check_outcome(fx, rc, n);
		if (!fv.fired) {
			cr_assert(eq(int, rc, 0), "N=%ld: failed without a fault: %s", n,
			          err_msg());
			break;
		}
	}
	cr_assert(n <= MAX_FAULT, "more than %d I/O operations in one import", MAX_FAULT);
	return n;
}

Test(store_faults, every_failed_write_or_sync_leaves_the_database_unchanged)
{
	struct fixture fx;

	fault_vfs_install();
	fixture_setup(&fx);
	long n = io_fault_sweep(&fx, false);
	cr_log_info("one-shot I/O faults: %ld points", n);
	fixture_teardown(&fx);
}

Test(store_faults, a_disk_that_keeps_failing_leaves_the_database_unchanged)
{
	struct fixture fx;

	fault_vfs_install();
	fixture_setup(&fx);
	long n = io_fault_sweep(&fx, true);
	cr_log_info("persistent I/O faults: %ld points", n);
	fixture_teardown(&fx);
}

/* ---- an allocator that fails the Nth allocation --------------------------- */

static struct {
	sqlite3_mem_methods real;
	bool armed, persist, fired;
	long count, fail_at;
} fm;

static bool oom_now(void)
{
	if (!fm.armed)
		return false;
	fm.count++;
	if (fm.count == fm.fail_at || (fm.persist && fm.count > fm.fail_at)) {
		fm.fired = true;
		return true;
	}
	return false;
}

static void *fm_malloc(int n)
{
	return oom_now() ? NULL : fm.real.xMalloc(n);
}

static void *fm_realloc(void *p, int n)
{
	return oom_now() ? NULL : fm.real.xRealloc(p, n);
}

static void failing_malloc_install(void)
{
	sqlite3_mem_methods m;

	cr_assert(eq(int, sqlite3_shutdown(), SQLITE_OK));
	cr_assert(eq(int, sqlite3_config(SQLITE_CONFIG_GETMALLOC, &fm.real), SQLITE_OK));
	m = fm.real;
	m.xMalloc = fm_malloc;
	m.xRealloc = fm_realloc;
	cr_assert(eq(int, sqlite3_config(SQLITE_CONFIG_MALLOC, &m), SQLITE_OK));
	cr_assert(eq(int, sqlite3_initialize(), SQLITE_OK));
}

static long oom_sweep(const struct fixture *fx, bool persist)
{
	long n;

	fm.persist = persist;
	for (n = 1; n <= MAX_FAULT; n++) {
		store *s = NULL;
		int rc;

		reset_work(fx);
		cr_assert(eq(int, store_open(&s, fx->work, 0), 0));
		fm.count = 0;
		fm.fired = false;
		fm.fail_at = n;
		fm.armed = true;
		rc = import_file(s, fx->big);
		fm.armed = false;
		cr_assert(rc == 0 || *err_msg(), "N=%ld: error %d without a message", n, rc);
		store_close(&s);
		check_outcome(fx, rc, n);
		if (!fm.fired) {
			cr_assert(eq(int, rc, 0), "N=%ld: failed without a fault: %s", n,
			          err_msg());
			break;
		}
	}
	cr_assert(n <= MAX_FAULT, "more than %d allocations in one import", MAX_FAULT);
	return n;
}

/* With an allocation failing, SQLite's sqlite3_bind_text(SQLITE_TRANSIENT)
 * fails with SQLITE_NOMEM and leaves the parameter NULL; while the store did
 * not check bind results, an import could report success with a name or
 * e-mail silently stored as NULL (found by the strict test at N=313;
 * docs/testing.md, section 'Faults, fuzzing and analysers', finding 1). The store
 * now checks every bind (store_bind), so the strict test below also checks
 * that every success stored every value. */
Test(store_faults,
     every_failed_allocation_gives_an_error_and_a_failure_leaves_the_database_unchanged)
{
	struct fixture fx;

	failing_malloc_install();
	fixture_setup(&fx);
	strict = false;
	long n = oom_sweep(&fx, false);
	cr_log_info("one-shot OOM: %ld points", n);
	fixture_teardown(&fx);
}

Test(store_faults, an_import_that_succeeds_under_allocation_failures_stored_every_value)
{
	struct fixture fx;

	failing_malloc_install();
	fixture_setup(&fx);
	long n = oom_sweep(&fx, false);
	cr_log_info("one-shot OOM, strict: %ld points", n);
	fixture_teardown(&fx);
}

Test(store_faults, memory_that_stays_exhausted_gives_an_error_and_leaves_the_database_unchanged)
{
	struct fixture fx;

	failing_malloc_install();
	fixture_setup(&fx);
	strict = false;
	long n = oom_sweep(&fx, true);
	cr_log_info("persistent OOM: %ld points", n);
	fixture_teardown(&fx);
}

Test(store_faults, a_hard_heap_limit_fails_the_import_cleanly)
{
	struct fixture fx;
	store *s = NULL;
	int rc;

	fixture_setup(&fx);
	reset_work(&fx);
	cr_assert(eq(int, store_open(&s, fx.work, 0), 0));
	sqlite3_hard_heap_limit64(1); /* below what SQLite already holds */
	rc = import_file(s, fx.big);
	sqlite3_hard_heap_limit64(0);
	cr_assert(lt(int, rc, 0));
	cr_assert(err_msg()[0] != '\0');
	store_close(&s);
	check_outcome(&fx, rc, 0);
	fixture_teardown(&fx);
}

/* ---- a value that SQLite refuses to bind ---------------------------------- */

/* SQLite refuses a string longer than the connection's SQLITE_LIMIT_LENGTH
 * with SQLITE_TOOBIG and leaves the parameter NULL, exactly as when its
 * copy of the string cannot be allocated (SQLITE_NOMEM), but here at a
 * known value: the name. The import must fail and change nothing, not
 * store the person without a name. The rows themselves stay under the
 * limit once the name is NULL, so only the bind can notice. */
Test(store_faults, a_name_that_cannot_be_bound_fails_the_import_instead_of_storing_null)
{
	struct fixture fx;
	store *s = NULL;
	char got[2 * SHA256_LEN + 1], name[231], *csv = NULL, *path;

	fixture_setup(&fx);
	reset_work(&fx);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	cr_assert(asprintf(&csv,
	                   "employee_id,name,email,department,consent\n"
	                   "L1,%s,l1@example.invalid,Sales,yes\n",
	                   name) > 0);
	path = tu_write(fx.dir, "long.csv", csv);
	cr_assert(eq(int, store_open(&s, fx.work, 0), 0));
	sqlite3_limit(s->db, SQLITE_LIMIT_LENGTH, 200);
	int rc = import_file(s, path);
	cr_assert(lt(int, rc, 0), "the import succeeded (rc %d) with a name SQLite did not take",
	          rc);
	cr_assert(strstr(err_msg(), "saving a person") != NULL, "%s", err_msg());
	store_close(&s);
	tu_db_digest(fx.work, got);
	cr_assert(eq(str, got, fx.pre), "failed (%s) but the DB changed", err_msg());
	free(csv);
	free(path);
	fixture_teardown(&fx);
}

/* ---- read-only and damaged files ------------------------------------------ */

Test(store_faults, a_read_only_store_reads_and_refuses_an_import_cleanly)
{
	struct fixture fx;
	struct import_record recs[4];
	size_t n = 0;
	store *s = NULL;
	char got[2 * SHA256_LEN + 1];

	fixture_setup(&fx);
	reset_work(&fx);
	cr_assert(eq(int, store_open(&s, fx.work, STORE_READONLY), 0));
	cr_assert(eq(int, store_import_list(s, recs, 4, &n), 0));
	cr_assert(eq(sz, n, 1));
	int rc = import_file(s, fx.big);
	cr_assert(eq(int, rc, ERR_READONLY), "got %d: %s", rc, err_msg());
	cr_assert(strstr(err_msg(), "read-only") != NULL, "%s", err_msg());
	cr_assert(eq(int, store_import_list(s, recs, 4, &n), 0), "reads go on after the refusal");
	store_close(&s);
	tu_db_digest(fx.work, got);
	cr_assert(eq(str, got, fx.pre));
	fixture_teardown(&fx);
}

static void damage_page(const char *path, long page)
{
	FILE *f = fopen(path, "r+b");
	unsigned char junk[4096];

	cr_assert(f != NULL);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(0xA5 ^ (i * 31));
	cr_assert(eq(int, fseek(f, (page - 1) * 4096, SEEK_SET), 0));
	cr_assert(eq(sz, fwrite(junk, 1, sizeof(junk), f), sizeof(junk)));
	fclose(f);
}

Test(store_faults, a_damaged_page_is_refused_at_start_up_with_store_check)
{
	struct fixture fx;
	store *s = NULL;

	fixture_setup(&fx);
	reset_work(&fx);
	damage_page(fx.work, 2);
	int rc = store_open(&s, fx.work, STORE_MUST_EXIST | STORE_CHECK);
	cr_assert(eq(int, rc, ERR_CORRUPT), "got %d: %s", rc, err_msg());
	cr_assert(s == NULL);
	cr_assert(strstr(err_msg(), "damaged") != NULL, "%s", err_msg());
	fixture_teardown(&fx);
}

Test(store_faults, without_store_check_a_damaged_meta_page_goes_unnoticed_at_open)
{
	/* Why `serve` must open with STORE_CHECK (C6): page 2 holds the meta
	 * table, which opening does not read. */
	struct fixture fx;
	store *s = NULL;

	fixture_setup(&fx);
	reset_work(&fx);
	damage_page(fx.work, 2);
	cr_assert(eq(int, store_open(&s, fx.work, STORE_MUST_EXIST), 0));
	cr_assert(eq(int, store_quick_check(s), ERR_CORRUPT));
	store_close(&s);
	fixture_teardown(&fx);
}
