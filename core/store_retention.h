/* store_retention.h - the retention policy: how long scores, the audit
 * log and weekly activity are kept (docs/intranet.md, section 'Retention'). */
#ifndef AMB_CORE_STORE_RETENTION_H
#define AMB_CORE_STORE_RETENTION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store.h"

struct retention_counts {
	int64_t snapshots, snapshot_rows; /* score snapshots removed, and their rows */
	int64_t audit;                    /* audit log entries removed */
	int64_t activity_cells;           /* weekly activity cells removed */
	int64_t key_chunks;               /* de-duplication key chunks removed */
	int64_t cutoff;                   /* everything before this time went (0: not applied) */
	int64_t audit_cutoff;             /* audit entries before this time went */
};

/* Keep `days` days (0: leave scores and activity alone): remove every
 * snapshot computed before now - days but the newest one, audit entries
 * older than that, and weekly activity (and its de-duplication keys) of
 * weeks that ended before it; record the policy (meta retention_days),
 * which later activity imports honour by skipping older events.
 * `audit_days` > 0 gives the audit log its own period instead (meta
 * audit_retention_days), shorter or longer. At least one of the two is
 * > 0 (ERR_USAGE). One transaction; with dry_run the counts are measured
 * and everything rolled back. */
int store_retention_apply(store *s, int64_t now, int days, int audit_days, bool dry_run,
                          struct retention_counts *out);

/* The recorded policy in days, 0 when none. */
int store_retention_days(store *s, int *out_days);

#endif
