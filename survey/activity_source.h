/* activity_source.h - the activity importer's frame (survey/activity.c)
 * for sources other than our own CSV: a Viva Engage report
 * (survey/activity_viva.c) and a LinkedIn member archive
 * (survey/activity_linkedin.c). Internal to survey/.
 *
 * A source reads its input through the import context (act_import) and
 * hands each event to act_emit with a de-duplication key of its own
 * (act_key); the frame does the rest as for `import activity FILE`: the
 * roster, retention, platforms, de-duplication, weekly cells, the ledger
 * and the one transaction.
 */
#ifndef AMB_SURVEY_ACTIVITY_SOURCE_H
#define AMB_SURVEY_ACTIVITY_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/csv_row.h"
#include "core/store.h"
#include "core/store_activity.h"
#include "survey/import.h"

struct act;

struct act_source {
	/* Read the input and emit its events; 0 or an err_code. */
	int (*read)(struct act *a, void *ctx);
	void *ctx;
	bool parts;             /* several CSV texts: import_begin_parts */
	bool one_event_per_row; /* the sink's counts are the rows kept/skipped */
};

/* Run an activity import from `src`, as activity_import does for a CSV
 * file: one transaction, nothing stored when it fails. */
int act_source_run(store *s, const char *path, const struct act_source *src,
                   const struct import_opts *opts, struct import_summary *sum);

/* The import context, for reading rows and counting them. Borrowed. */
import_ctx *act_import(struct act *a);

/* The person with employee id (id, len) of `row` (column col for
 * messages): 1 with *pid when active; 0 when the row was skipped (opted
 * out, departed, erased) or rejected (not on the roster); <0 on failure. */
int act_person(struct act *a, const struct csv_row *row, int col, const char *id, size_t len,
               int64_t *pid);

/* The date-time in column col of `row` (named `what` in messages): 1 with
 * *t; 0 when the row was rejected (unreadable, in the future, before 2000)
 * or skipped (past the retention period); <0 on failure. */
int act_time(struct act *a, const struct csv_row *row, int col, const char *what, int64_t *t);

/* The week of time t: 1 with *week; 0 when the week is out of range or
 * past the retention period (the caller leaves it out). */
int act_week_of(struct act *a, int64_t t, int32_t *week);

/* The id of platform `name` (normalised: lowercase ASCII), added when new.
 * 0, 1 when there are already too many platforms, or <0. */
int act_platform(struct act *a, const char *name, size_t len, uint16_t *id);

/* A de-duplication key for an event of `week` whose identity is the
 * given bytes (a source-specific tag first keeps sources apart). */
int64_t act_key(int32_t week, const void *identity, size_t len);

/* Store one event (events > 0): counted once whatever imports repeat its
 * key. 0 or an err_code. */
int act_emit(struct act *a, const struct activity_cell *e, int64_t key);

/* Whether employee id `id` is on the roster (any status). */
bool act_on_roster(struct act *a, const char *id);

#endif
