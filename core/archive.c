/* archive.c - members of a ZIP archive or of a folder, read whole. The
 * archive owns its path copy and the libzip handle; a member read belongs
 * to the caller. libzip's errors are turned into err_set messages here, so
 * no other module sees zip.h.
 *
 * A member is read up to max_bytes + 1 whatever its header claims: a ZIP
 * whose declared sizes lie (a "zip bomb") is caught by what it inflates
 * to, not by what it says.
 */
#include "core/archive.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zip.h>

#include "core/err.h"
#include "core/mem.h"

struct archive {
	char *path;
	zip_t *zip; /* NULL for a folder */
};

int archive_open(archive **out, const char *path)
{
	struct stat st;
	archive *a;
	int zerr = 0;

	*out = NULL;
	if (stat(path, &st) != 0)
		return err_set(ERR_IO, "cannot open %s: %s", path, strerror(errno));
	a = xcalloc(1, sizeof(*a));
	a->path = xstrdup(path);
	if (!S_ISDIR(st.st_mode)) {
		a->zip = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
		if (!a->zip) {
			zip_error_t ze;
			int rc;
			zip_error_init_with_code(&ze, zerr);
			rc = zerr == ZIP_ER_OPEN || zerr == ZIP_ER_READ || zerr == ZIP_ER_MEMORY
			         ? err_set(ERR_IO, "cannot open %s: %s", path,
			                   zip_error_strerror(&ze))
			         : err_set(ERR_INVALID,
			                   "%s is neither a folder nor a ZIP archive (%s)", path,
			                   zip_error_strerror(&ze));
			zip_error_fini(&ze);
			archive_close(&a);
			return rc;
		}
	}
	*out = a;
	return 0;
}

const char *archive_path(const archive *a)
{
	return a->path;
}

static const char *base_name(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash ? slash + 1 : p;
}

static size_t depth(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
		n += *p == '/';
	return n;
}

/* Read up to max_bytes + 1 from a member; ERR_LIMIT beyond max_bytes. */
static int read_zip_member(archive *a, zip_int64_t idx, const char *name, size_t max_bytes,
                           char **out, size_t *out_len)
{
	zip_file_t *f = zip_fopen_index(a->zip, (zip_uint64_t)idx, 0);
	size_t cap = 64 * 1024, len = 0;
	char *data;
	int rc = 0;

	if (!f)
		return err_set(ERR_INVALID, "%s: cannot read %s: %s", a->path, name,
		               zip_strerror(a->zip));
	data = xmalloc(cap + 1);
	for (;;) {
		zip_int64_t n;
		if (len == cap) {
			if (cap > max_bytes) {
				rc = err_set(ERR_LIMIT, "%s: %s is larger than %zu bytes", a->path,
				             name, max_bytes);
				break;
			}
			cap *= 2;
			data = xrealloc(data, cap + 1);
		}
		n = zip_fread(f, data + len, cap - len);
		if (n < 0) {
			rc = err_set(ERR_INVALID, "%s: cannot read %s: %s", a->path, name,
			             zip_file_strerror(f));
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	zip_fclose(f);
	if (!rc && len > max_bytes)
		rc =
		    err_set(ERR_LIMIT, "%s: %s is larger than %zu bytes", a->path, name, max_bytes);
	if (rc) {
		free(data);
		return rc;
	}
	data[len] = '\0';
	*out = data;
	*out_len = len;
	return 1;
}

static int read_zip(archive *a, const char *name, size_t max_bytes, char **out, size_t *out_len)
{
	zip_int64_t n = zip_get_num_entries(a->zip, 0), best = -1;
	size_t best_depth = 0;

	for (zip_int64_t i = 0; i < n; i++) {
		const char *e = zip_get_name(a->zip, (zip_uint64_t)i, 0);
		if (!e || strcasecmp(base_name(e), name) != 0)
			continue;
		if (best < 0 || depth(e) < best_depth) {
			best = i;
			best_depth = depth(e);
		}
	}
	if (best < 0)
		return 0;
	return read_zip_member(a, best, name, max_bytes, out, out_len);
}

static int read_folder(archive *a, const char *name, size_t max_bytes, char **out, size_t *out_len)
{
	DIR *d = opendir(a->path);
	struct dirent *e;
	char *path = NULL, *data = NULL;
	FILE *f = NULL;
	size_t len = 0;
	int rc = 0;

	if (!d)
		return err_set(ERR_IO, "cannot open %s: %s", a->path, strerror(errno));
	while ((e = readdir(d)))
		if (strcasecmp(e->d_name, name) == 0) {
			path = xasprintf("%s/%s", a->path, e->d_name);
			break;
		}
	closedir(d);
	if (!path)
		return 0;
	if (!(f = fopen(path, "rb"))) {
		rc = err_set(ERR_IO, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	data = xmalloc(max_bytes + 2);
	len = fread(data, 1, max_bytes + 1, f);
	if (ferror(f))
		rc = err_set(ERR_IO, "cannot read %s: %s", path, strerror(errno));
	else if (len > max_bytes)
		rc = err_set(ERR_LIMIT, "%s is larger than %zu bytes", path, max_bytes);
out:
	if (f)
		fclose(f);
	free(path);
	if (rc) {
		free(data);
		return rc;
	}
	data = xrealloc(data, len + 1);
	data[len] = '\0';
	*out = data;
	*out_len = len;
	return 1;
}

int archive_read(archive *a, const char *name, size_t max_bytes, char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	return a->zip ? read_zip(a, name, max_bytes, out, out_len)
	              : read_folder(a, name, max_bytes, out, out_len);
}

void archive_close(archive **ap)
{
	archive *a = *ap;

	if (!a)
		return;
	*ap = NULL;
	if (a->zip)
		zip_discard(a->zip); /* read-only: nothing to write back */
	free(a->path);
	free(a);
}
