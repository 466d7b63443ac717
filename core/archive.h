/* archive.h - named members of an export archive, read whole into memory:
 * a ZIP file (through libzip, touched here only) or the folder it was
 * unpacked into. Used for the LinkedIn member archive
 * (survey/activity_linkedin.c), whose few CSV files are small.
 */
#ifndef AMB_CORE_ARCHIVE_H
#define AMB_CORE_ARCHIVE_H

#include <stddef.h>

typedef struct archive archive;

/* Open `path`: a folder, or a regular file that must be a ZIP archive.
 * Returns 0 and *out, ERR_IO when it cannot be read, or ERR_INVALID when
 * a file is not a ZIP archive. Nothing is left open on failure. */
int archive_open(archive **out, const char *path);

/* Read member `name` (a file name without folders, matched ignoring ASCII
 * case, in the top folder or, in a ZIP, in any folder: the shallowest
 * wins). Returns 1 with *out (caller frees; NUL-terminated, *out_len bytes
 * without the NUL), 0 when there is no such member, ERR_LIMIT when it is
 * larger than max_bytes, or ERR_IO / ERR_INVALID. */
int archive_read(archive *a, const char *name, size_t max_bytes, char **out, size_t *out_len);

/* The path given to archive_open (borrowed). */
const char *archive_path(const archive *a);

/* Close; accepts NULL and sets *a to NULL. */
void archive_close(archive **a);

#endif
