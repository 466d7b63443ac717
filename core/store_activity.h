/* store_activity.h - the activity tables of migration 3: platforms,
 * activity_seen (de-duplication keys) and activity_weekly (aggregates),
 * with the codes of its kind and origin columns and the layout of its
 * cell key: the stored format the importer writes and the scorer reads. */
#ifndef AMB_CORE_STORE_ACTIVITY_H
#define AMB_CORE_STORE_ACTIVITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* activity_weekly.kind: part of the stored format, so a code never changes
 * meaning (new codes go at the end). Own content is POST, ARTICLE, VIDEO and COMMENT
 * (docs/design.md, Contract 3.3: counts for more); RESHARE and REACTION amplify others. */
enum activity_kind {
	KIND_POST = 1,
	KIND_ARTICLE = 2,
	KIND_VIDEO = 3,
	KIND_COMMENT = 4,
	KIND_RESHARE = 5,
	KIND_REACTION = 6,
};
#define ACTIVITY_KIND_MIN KIND_POST
#define ACTIVITY_KIND_MAX KIND_REACTION

/* activity_weekly.origin. SUGGESTED is content supplied by the company and
 * posted as is (docs/design.md, Contract 2.3): a megaphone signal, not own voice. */
enum activity_origin {
	ORIGIN_ORIGINAL = 0,
	ORIGIN_SUGGESTED = 1,
};

/* One activity_weekly row, or a contribution to it. The importer uses this
 * as its in-memory hash entry too (80 bytes); events == 0 marks a free
 * slot there. unrated counts the events whose reactions, comments and
 * shares were all left empty: engagement unknown, not zero. coarse counts
 * the events spread over this week from a report over several weeks
 * (migration 11): their week is an estimate, so steadiness is not observed. */
struct activity_cell {
	int64_t pid;
	int32_t week;      /* whole weeks since Monday 2000-01-03 */
	uint16_t platform; /* platforms.id */
	uint8_t kind;      /* enum activity_kind */
	uint8_t origin;    /* enum activity_origin */
	int64_t events;
	int64_t reach, reactions, comments, shares, clicks;
	int64_t unrated;
	int64_t coarse;
};

/* The integer key of a cell in activity_weekly: the same order as (pid,
 * week, platform, kind, origin), for pid < ACTIVITY_CELL_PID_LIMIT, week <
 * 2^12, platform < 2^9, kind < 2^3, origin < 2:
 *   cell = pid << 25 | week << 13 | platform << 4 | kind << 1 | origin
 * The layout is defined here only; the SQL texts below spell the same
 * shifts (the schema's generated columns, a person's range of cells). */
#define ACTIVITY_CELL_PID_SHIFT      25
#define ACTIVITY_CELL_WEEK_SHIFT     13
#define ACTIVITY_CELL_PLATFORM_SHIFT 4
#define ACTIVITY_CELL_KIND_SHIFT     1
#define ACTIVITY_CELL_PID_LIMIT      (INT64_C(1) << 38)
#define ACTIVITY_SQL_STR_(x)         #x
#define ACTIVITY_SQL_STR(x)          ACTIVITY_SQL_STR_(x)
/* " << 25" and friends, for SQL text. */
#define ACTIVITY_SQL_PID_SHIFT      " << " ACTIVITY_SQL_STR(ACTIVITY_CELL_PID_SHIFT)
#define ACTIVITY_SQL_WEEK_SHIFT     " << " ACTIVITY_SQL_STR(ACTIVITY_CELL_WEEK_SHIFT)
#define ACTIVITY_SQL_PLATFORM_SHIFT " << " ACTIVITY_SQL_STR(ACTIVITY_CELL_PLATFORM_SHIFT)
#define ACTIVITY_SQL_KIND_SHIFT     " << " ACTIVITY_SQL_STR(ACTIVITY_CELL_KIND_SHIFT)
/* SQL: the cells of person ?1 are those with
 * cell >= ACTIVITY_SQL_PERSON_FIRST AND cell < ACTIVITY_SQL_PERSON_END. */
#define ACTIVITY_SQL_PERSON_FIRST "?1" ACTIVITY_SQL_PID_SHIFT
#define ACTIVITY_SQL_PERSON_END   "(?1 + 1)" ACTIVITY_SQL_PID_SHIFT

static inline int64_t activity_cell_key(const struct activity_cell *c)
{
	return c->pid << ACTIVITY_CELL_PID_SHIFT | (int64_t)c->week << ACTIVITY_CELL_WEEK_SHIFT |
	       (int64_t)c->platform << ACTIVITY_CELL_PLATFORM_SHIFT |
	       (int64_t)c->kind << ACTIVITY_CELL_KIND_SHIFT | (int64_t)c->origin;
}

/* The (pid, week, platform, kind, origin) of a cell key into c. */
static inline void activity_cell_unkey(struct activity_cell *c, int64_t cell)
{
	c->pid = cell >> ACTIVITY_CELL_PID_SHIFT;
	c->week = (int32_t)((cell >> ACTIVITY_CELL_WEEK_SHIFT) & 4095);
	c->platform = (uint16_t)((cell >> ACTIVITY_CELL_PLATFORM_SHIFT) & 511);
	c->kind = (uint8_t)((cell >> ACTIVITY_CELL_KIND_SHIFT) & 7);
	c->origin = (uint8_t)(cell & 1);
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
