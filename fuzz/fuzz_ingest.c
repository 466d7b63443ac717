/* fuzz_ingest.c - libFuzzer target I2 (fuzzing, docs/testing.md, section 'Faults, fuzzing and
 * analysers'): bytes -> a whole roster import into a fresh ":memory:" store.
 *
 * The first byte picks the options (bit 0: --skip-invalid, its rejects
 * going to /dev/null; bit 1: a 64-byte field cap); the rest is the file,
 * handed over as /proc/self/fd/N of a memfd. After every input:
 *  - PRAGMA quick_check is ok (store_quick_check: the handle of a
 *    ":memory:" store is private to the store, so no full integrity_check);
 *  - all or nothing: a failed import leaves no person and no ledger row; a
 *    successful one stored exactly rows_kept people and one ledger row, and
 *    rows_read = kept + skipped + rejected;
 *  - a failure is only ever about the input (invalid, no data, field cap),
 *    never a database or internal error, and always has a message;
 *  - the same bytes imported again are a duplicate and change nothing.
 * The replay of tests/regress/fuzz_ingest/ (tests/core/test_regress.c)
 * includes this file with AMB_FUZZ_NO_MAIN defined. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/store.h"
#include "core/store_roster.h"
#include "survey/roster.h"

int fuzz_ingest_one(const uint8_t *data, size_t size);

static void fin_check(bool ok, const char *what, int rc)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ingest: property failed: %s (rc %d: %s)\n", what, rc,
		        err_msg());
		abort();
	}
}

static void fin_state(store *s, int64_t *people, size_t *ledger)
{
	struct roster_counts c;
	struct import_record recs[4];

	fin_check(store_quick_check(s) == 0, "quick_check ok", 0);
	fin_check(store_roster_counts(s, &c) == 0, "counting people", 0);
	fin_check(store_import_list(s, recs, 4, ledger) == 0, "listing imports", 0);
	*people = c.total;
}

int fuzz_ingest_one(const uint8_t *data, size_t size)
{
	struct import_opts opts = {0};
	struct import_summary sum = {0}, again = {0};
	store *s = NULL;
	char path[64];
	int64_t people;
	size_t ledger;
	int fd, rc;

	if (size < 1)
		return 0;
	log_set_level(LOG_ERROR);
	opts.skip_invalid = data[0] & 1;
	opts.rejects_path = "/dev/null";
	opts.csv.max_field = (data[0] & 2) ? 64 : 0;
	data++, size--;
	fd = memfd_create("fuzz_ingest", MFD_CLOEXEC);
	fin_check(fd >= 0, "memfd_create", 0);
	fin_check(size == 0 || write(fd, data, size) == (ssize_t)size, "write memfd", 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fin_check(store_open(&s, ":memory:", 0) == 0, "open :memory:", 0);
	err_clear();
	rc = roster_import(s, path, &opts, &sum);
	fin_state(s, &people, &ledger);
	if (rc != 0) {
		fin_check(rc == ERR_INVALID || rc == ERR_NODATA || rc == ERR_LIMIT,
		          "only input errors", rc);
		fin_check(err_msg()[0] != '\0', "an error has a message", rc);
		fin_check(people == 0 && ledger == 0, "a failed import stores nothing", rc);
	} else {
		fin_check(!sum.duplicate, "a fresh store has no duplicate", rc);
		fin_check(people == sum.rows_kept && ledger == 1, "all rows and one ledger row",
		          rc);
		fin_check(sum.rows_read == sum.rows_kept + sum.rows_skipped + sum.rows_rejected,
		          "every row counted once", rc);
		fin_check(opts.skip_invalid || sum.rows_rejected == 0, "rejects only when skipping",
		          rc);
		rc = roster_import(s, path, &opts, &again);
		fin_check(rc == 0 && again.duplicate, "the same bytes again are a duplicate", rc);
		int64_t people2;
		size_t ledger2;
		fin_state(s, &people2, &ledger2);
		fin_check(people2 == people && ledger2 == ledger, "a duplicate changes nothing",
		          rc);
	}
	import_summary_clear(&sum);
	import_summary_clear(&again);
	store_close(&s);
	close(fd);
	return 0;
}

#ifndef AMB_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_ingest_one(data, size);
}
#endif
