/* The members of an export archive (core/archive.h): found by base name
 * ignoring case in a ZIP (any folder, shallowest first) or a folder; absent
 * members, size limits and files that are not ZIP archives. The ZIPs are
 * made here with libzip. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "../support/testutil.h"
#include "core/archive.h"
#include "core/err.h"

static char *dir;

static void setup(void)
{
	dir = tu_tempdir();
}

static void teardown(void)
{
	tu_rmrf(dir);
	free(dir);
}

TestSuite(core_archive, .init = setup, .fini = teardown);

/* A ZIP at dir/name holding n (member name, text) pairs. */
static char *make_zip(const char *name, const char *const *members, size_t n)
{
	char *path = NULL;
	int err = 0;
	zip_t *z;

	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	cr_assert(z != NULL);
	for (size_t i = 0; i < n; i++) {
		const char *text = members[2 * i + 1];
		zip_source_t *src = zip_source_buffer(z, text, strlen(text), 0);
		cr_assert(src != NULL);
		cr_assert(zip_file_add(z, members[2 * i], src, ZIP_FL_ENC_UTF_8) >= 0);
	}
	cr_assert(eq(int, zip_close(z), 0));
	return path;
}

Test(core_archive, reads_a_zip_member_by_base_name_ignoring_case_shallowest_first)
{
	const char *members[] = {"deep/er/Shares.csv", "deep", "shares.CSV", "top",
	                         "Other.csv",          "x"};
	char *path = make_zip("a.zip", members, 3), *data = NULL;
	archive *a = NULL;
	size_t len = 0;

	cr_assert(eq(int, archive_open(&a, path), 0), "%s", err_msg());
	cr_assert(eq(int, archive_read(a, "Shares.csv", 1024, &data, &len), 1), "%s", err_msg());
	cr_assert(eq(str, data, "top"));
	cr_assert(eq(sz, len, 3));
	free(data);
	cr_assert(eq(int, archive_read(a, "Comments.csv", 1024, &data, &len), 0));
	cr_assert(data == NULL);
	archive_close(&a);
	cr_assert(a == NULL);
	archive_close(&a); /* NULL is fine */
	free(path);
}

Test(core_archive, reads_a_folder_member_ignoring_case)
{
	char *file = tu_write(dir, "reactions.csv", "Date,Type,Link\n"), *data = NULL;
	archive *a = NULL;
	size_t len = 0;

	cr_assert(eq(int, archive_open(&a, dir), 0), "%s", err_msg());
	cr_assert(eq(int, archive_read(a, "Reactions.csv", 1024, &data, &len), 1), "%s", err_msg());
	cr_assert(eq(str, data, "Date,Type,Link\n"));
	free(data);
	cr_assert(eq(int, archive_read(a, "Shares.csv", 1024, &data, &len), 0));
	archive_close(&a);
	free(file);
}

Test(core_archive, refuses_a_member_over_the_limit_in_a_zip_and_a_folder)
{
	const char *members[] = {"Shares.csv", "0123456789abcdef"};
	char *path = make_zip("big.zip", members, 1), *data = NULL;
	char *file = tu_write(dir, "Comments.csv", "0123456789abcdef");
	archive *a = NULL;
	size_t len = 0;

	cr_assert(eq(int, archive_open(&a, path), 0));
	cr_assert(eq(int, archive_read(a, "Shares.csv", 10, &data, &len), ERR_LIMIT));
	cr_assert(data == NULL);
	cr_assert(eq(int, archive_read(a, "Shares.csv", 16, &data, &len), 1));
	free(data);
	archive_close(&a);
	cr_assert(eq(int, archive_open(&a, dir), 0));
	cr_assert(eq(int, archive_read(a, "Comments.csv", 10, &data, &len), ERR_LIMIT));
	archive_close(&a);
	free(path);
	free(file);
}

Test(core_archive, says_when_a_file_is_not_a_zip_or_is_missing)
{
	char *file = tu_write(dir, "Shares.csv", "Date,ShareLink\n"), *missing = NULL;
	archive *a = NULL;

	cr_assert(eq(int, archive_open(&a, file), ERR_INVALID));
	cr_assert(strstr(err_msg(), "neither a folder nor a ZIP archive") != NULL, "%s", err_msg());
	cr_assert(a == NULL);
	cr_assert(asprintf(&missing, "%s/nope.zip", dir) > 0);
	cr_assert(eq(int, archive_open(&a, missing), ERR_IO));
	free(file);
	free(missing);
}
