/* test_regress.c - replays every input in tests/regress/<target>/ (crashes
 * the fuzzers found, and hand-made edge cases) and the seeds (the CSV files
 * in fuzz/seeds/ for the CSV targets, fuzz/seeds/<target>/ for the others)
 * through the same harness code as the libFuzzer targets, which are
 * included here with AMB_FUZZ_NO_MAIN. A harness aborts on a broken
 * property, which Criterion reports as a crash of the test. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define AMB_FUZZ_NO_MAIN
#include "fuzz/fuzz_csv_reader.c"
#include "fuzz/fuzz_ingest.c"
#include "fuzz/fuzz_request.c"
#include "fuzz/fuzz_scoring.c"
#include "fuzz/fuzz_zap.c"

#define REGRESS_MAX_INPUT (1024 * 1024)

typedef int (*harness_fn)(const uint8_t *data, size_t size);

static size_t replay_dir(const char *dir, harness_fn fn)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	uint8_t *buf = malloc(REGRESS_MAX_INPUT);

	cr_assert(buf != NULL);
	if (!d) {
		free(buf);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		FILE *f;
		size_t len;

		if (e->d_name[0] == '.' || strstr(e->d_name, ".md"))
			continue;
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue; /* the seeds of other targets live in subfolders */
		f = fopen(path, "rb");
		if (!f)
			continue;
		len = fread(buf, 1, REGRESS_MAX_INPUT, f);
		fclose(f);
		fprintf(stderr, "replaying %s (%zu bytes)\n", path, len);
		fn(buf, len);
		n++;
	}
	closedir(d);
	free(buf);
	return n;
}

Test(regress, every_saved_csv_reader_input_keeps_its_properties)
{
	size_t n = replay_dir(AMB_SOURCE_DIR "/tests/regress/fuzz_csv_reader", fuzz_csv_reader_one);

	n += replay_dir(AMB_SOURCE_DIR "/fuzz/seeds", fuzz_csv_reader_one);
	cr_assert(gt(sz, n, 0));
}

Test(regress, every_saved_ingest_input_imports_all_or_nothing)
{
	size_t n = replay_dir(AMB_SOURCE_DIR "/tests/regress/fuzz_ingest", fuzz_ingest_one);

	n += replay_dir(AMB_SOURCE_DIR "/fuzz/seeds", fuzz_ingest_one);
	cr_assert(gt(sz, n, 0));
}

Test(regress, every_saved_request_keeps_intranet_replies_clean)
{
	size_t n = replay_dir(AMB_SOURCE_DIR "/tests/regress/fuzz_request", fuzz_request_one);

	cr_assert(gt(sz, n, 0));
	n += replay_dir(AMB_SOURCE_DIR "/fuzz/seeds/fuzz_request", fuzz_request_one);
	cr_assert(gt(sz, n, 1));
}

Test(regress, every_saved_zap_request_admits_only_listed_keys)
{
	size_t n = replay_dir(AMB_SOURCE_DIR "/tests/regress/fuzz_zap", fuzz_zap_one);

	cr_assert(gt(sz, n, 0));
	n += replay_dir(AMB_SOURCE_DIR "/fuzz/seeds/fuzz_zap", fuzz_zap_one);
	cr_assert(gt(sz, n, 1));
}

Test(regress, every_saved_population_scores_finite_and_deterministic)
{
	size_t n = replay_dir(AMB_SOURCE_DIR "/tests/regress/fuzz_scoring", fuzz_scoring_one);

	cr_assert(gt(sz, n, 0));
	n += replay_dir(AMB_SOURCE_DIR "/fuzz/seeds/fuzz_scoring", fuzz_scoring_one);
	cr_assert(gt(sz, n, 1));
}
