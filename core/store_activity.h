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
 * as its in-memory hash entry too (64 bytes); events == 0 marks a free
 * slot there. */
struct activity_cell {
	int64_t pid;
	int32_t week;      /* whole weeks since Monday 2000-01-03 */
	uint16_t platform; /* platforms.id */
	uint8_t kind;      /* enum activity_kind */
	uint8_t origin;    /* enum activity_origin */
	int64_t events;
	int64_t reach, reactions, comments, shares, clicks;
};

/* Visit every platform (id, name) in id order. The callback returns 0 to
 * go on, non-zero to stop (that value is returned). name is borrowed for
 * the call only. */
typedef int (*store_platform_fn)(void *ctx, int64_t id, const char *name);
int store_platforms_each(store *s, store_platform_fn fn, void *ctx);

/* The id of platform `name` (already normalised), adding it when new.
 * Returns 0 and *out_id; *out_added tells whether it was new. */
int store_platform_add(store *s, const char *name, int64_t *out_id, bool *out_added);

/* Record de-duplication keys in activity_seen (INSERT OR IGNORE), in the
 * order keys[order[0]], keys[order[1]], ... (order NULL: as given; sorted
 * keys insert with better locality). out_new[k] is 1 when keys[k] was not
 * there before (nor earlier in that order), 0 when it was: that event is
 * already counted. */
int store_activity_seen_add(store *s, const int64_t *keys, const uint32_t *order, size_t n,
                            uint8_t *out_new);

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
