/* store_backup.c - `ambassador backup`: VACUUM INTO a temporary file,
 * verify it, rename it into place. VACUUM INTO rather than the online backup
 * API because it copies from one read transaction in a single statement
 * (the backup API restarts when another connection writes between steps)
 * and leaves a compact file without free pages, so erased data that
 * secure_delete overwrote is not carried along either. */
#include "core/store_backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/store_internal.h"

/* An empty private file for VACUUM INTO to fill (it accepts an empty file),
 * so the copy of personal data is never readable by others. */
static int make_temp(const char *dest, char **out)
{
	struct buf path = {0};
	int fd;

	buf_printf(&path, "%s.tmp-XXXXXX", dest);
	buf_append(&path, "", 1);
	fd = mkstemp(path.data); /* mode 0600 */
	if (fd < 0) {
		int rc =
		    err_set(ERR_IO, "cannot create a file beside %s: %s", dest, strerror(errno));
		buf_free(&path);
		return rc;
	}
	close(fd);
	*out = path.data;
	return 0;
}

static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0 || fsync(fd) != 0)
		rc = err_set(ERR_IO, "cannot sync %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The directory holding path, synced so the rename survives a power loss. */
static int sync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir =
	    slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	int rc = sync_path(dir);

	free(dir);
	return rc;
}

static int check_copy(const char *path, struct store_backup_info *out)
{
	store *copy = NULL;
	struct stat st;
	int rc;

	if ((rc = store_open(&copy, path, STORE_MUST_EXIST | STORE_NO_MIGRATE | STORE_CHECK)))
		goto cleanup;
	if ((rc = store_schema_version(copy, &out->schema_version)))
		goto cleanup;
	/* store_open put the copy in WAL mode; back to one self-contained
	 * file, with no -wal or -shm to carry along. */
	if ((rc = store_exec(copy, "PRAGMA journal_mode = DELETE")))
		goto cleanup;
	store_close(&copy);
	if (stat(path, &st) != 0) {
		rc = err_set(ERR_IO, "cannot stat %s: %s", path, strerror(errno));
		goto cleanup;
	}
	out->bytes = (int64_t)st.st_size;
	rc = sync_path(path);
cleanup:
	store_close(&copy);
	return rc;
}

int store_backup(store *s, const char *dest, bool replace, struct store_backup_info *out)
{
	sqlite3_stmt *st = NULL;
	char *tmp = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!replace && access(dest, F_OK) == 0)
		return err_set(ERR_DUPLICATE, "%s exists (use --force to replace it)", dest);
	if ((rc = make_temp(dest, &tmp)))
		return rc;
	rc = sqlite3_prepare_v2(s->db, "VACUUM INTO ?", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sqlerr(s, rc, "backup");
		goto cleanup;
	}
	if ((rc = store_bind_text(st, 1, tmp)) != SQLITE_OK) {
		rc = store_sqlerr(s, rc, "backup");
		goto cleanup;
	}
	if ((rc = store_step_done(s, st, "backup")))
		goto cleanup;
	if ((rc = check_copy(tmp, out)))
		goto cleanup;
	if (rename(tmp, dest) != 0) {
		rc = err_set(ERR_IO, "cannot rename %s to %s: %s", tmp, dest, strerror(errno));
		goto cleanup;
	}
	rc = sync_dir_of(dest);
cleanup:
	sqlite3_finalize(st);
	if (tmp) {
		if (rc) {
			/* The partial copy and any journal its check left. */
			char side[4096];
			unlink(tmp);
			snprintf(side, sizeof(side), "%s-wal", tmp);
			unlink(side);
			snprintf(side, sizeof(side), "%s-shm", tmp);
			unlink(side);
		}
		free(tmp);
	}
	return rc;
}
