/* store_backup.h - a consistent copy of a live database. */
#ifndef AMB_CORE_STORE_BACKUP_H
#define AMB_CORE_STORE_BACKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store.h"

struct store_backup_info {
	int schema_version; /* of the copy (as found: the source is not migrated) */
	int64_t bytes;      /* size of the copy */
};

/* Copies the database s into dest with VACUUM INTO, inside one read
 * transaction: the copy is the database as of one instant, and in WAL mode
 * writers (a running `serve`, an import) go on meanwhile. The copy is
 * written to a private (0600) temporary file beside dest, checked with
 * PRAGMA quick_check, synced and renamed onto dest, so dest is either the
 * old file or a complete copy. An existing dest is refused (ERR_DUPLICATE)
 * unless `replace`. Returns 0, ERR_DUPLICATE, ERR_IO, ERR_FULL, ERR_BUSY,
 * ERR_CORRUPT or ERR_DB. */
int store_backup(store *s, const char *dest, bool replace, struct store_backup_info *out);

#endif
