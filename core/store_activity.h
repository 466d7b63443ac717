/* store_activity.h - the activity tables of migration 3: platforms,
 * activity_seen (de-duplication keys) and activity_weekly (aggregates).
 * kind and origin codes are defined in survey/activity.h. */
#ifndef AMB_CORE_STORE_ACTIVITY_H
#define AMB_CORE_STORE_ACTIVITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* One activity_weekly row, or a contribution to it. The importer uses this
 * as its in-memory hash entry too (72 bytes); events == 0 marks a free
 * slot there. unrated counts the events whose reactions, comments and
 * shares were all left empty: engagement unknown, not zero. */
struct activity_cell {
	int64_t pid;
	int32_t week;      /* whole weeks since Monday 2000-01-03 */
	uint16_t platform; /* platforms.id */
	uint8_t kind;      /* enum activity_kind */
	uint8_t origin;    /* enum activity_origin */
	int64_t events;
	int64_t reach, reactions, comments, shares, clicks;
	int64_t unrated;
};

/* The integer key of a cell in activity_weekly: the same order as (pid,
 * week, platform, kind, origin), for pid < ACTIVITY_CELL_PID_LIMIT, week <
 * 2^12, platform < 2^9, kind < 2^3, origin < 2. */
#define ACTIVITY_CELL_PID_LIMIT (INT64_C(1) << 38)
static inline int64_t activity_cell_key(const struct activity_cell *c)
{
	return c->pid << 25 | (int64_t)c->week << 13 | (int64_t)c->platform << 4 |
	       (int64_t)c->kind << 1 | (int64_t)c->origin;
}

/* Visit every platform (id, name) in id order. The callback returns 0 to
 * go on, non-zero to stop (that value is returned). name is borrowed for
 * the call only. */
typedef int (*store_platform_fn)(void *ctx, int64_t id, const char *name);
int store_platforms_each(store *s, store_platform_fn fn, void *ctx);

/* The id of platform `name` (already normalised), adding it when new.
 * Returns 0 and *out_id; *out_added tells whether it was new. */
int store_platform_add(store *s, const char *name, int64_t *out_id, bool *out_added);

/* De-duplication keys, (week << 51) | 51 bits of a hash, are kept in
 * chunks: every key k lives in the blob of chunk k >> STORE_SEEN_CHUNK_SHIFT
 * (a week and 8 bits of hash), sorted, 8 bytes big-endian each. The
 * importer loads a chunk, merges new keys in memory and saves it whole:
 * a few thousand blob writes for millions of events instead of a B-tree
 * insert each.
 *
 * Databases from before chunks hold keys as rows of activity_seen; with
 * legacy true, loading a chunk also reads the rows in its range, and
 * saving it deletes them (the rows move into the chunk). */
#define STORE_SEEN_CHUNK_SHIFT 43
/* Whether activity_seen still holds any rows. */
bool store_seen_legacy(store *s);
/* Load chunk `chunk` into *keys (grown with xreallocarray; *cap its
 * size): *n sorted, distinct keys. An absent chunk loads as empty.
 * *from_rows tells whether any came from activity_seen rows (the chunk
 * should then be saved, to move them). */
int store_seen_chunk_load(store *s, int64_t chunk, bool legacy, int64_t **keys, size_t *n,
                          size_t *cap, bool *from_rows);
/* Replace chunk `chunk` with keys[0..n) (sorted, distinct). */
int store_seen_chunk_save(store *s, int64_t chunk, bool legacy, const int64_t *keys, size_t n);

/* Add cells to activity_weekly, in the order cells[order[0]], ... (order
 * NULL: as given): a new row, or the sums added to an existing row
 * (saturating at 2^62). Write them in key order for B-tree locality. */
int store_activity_add(store *s, const struct activity_cell *cells, const uint32_t *order,
                       size_t n);

/* Visit activity_weekly rows with week >= since_week, in (pid, week,
 * platform, kind, origin) order. Same callback contract as above. */
typedef int (*store_activity_fn)(void *ctx, const struct activity_cell *cell);
int store_activity_each(store *s, int32_t since_week, store_activity_fn fn, void *ctx);

#endif
