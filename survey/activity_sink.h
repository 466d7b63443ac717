/* activity_sink.h - where the activity importer (survey/activity.c) puts
 * the events it has parsed: de-duplication and weekly aggregation, on a
 * writer thread of its own for large files. The importer fills one slot
 * at a time and counts what the sink reports back into its summary, so
 * the summary has one writer. */
#ifndef AMB_SURVEY_ACTIVITY_SINK_H
#define AMB_SURVEY_ACTIVITY_SINK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/store.h"
#include "core/store_activity.h"

#define ACTIVITY_BATCH 8192 /* events per de-duplication round */

typedef struct activity_sink activity_sink;

/* Events the sink has finished with: new ones kept, and ones already
 * counted (by an earlier import or earlier in the file). */
struct activity_counts {
	int64_t kept, dup;
};

/* A sink storing into s. threaded: run a writer thread; the store is
 * then used under *dbmu, which the caller must hold for its own store
 * calls too. */
int activity_sink_new(activity_sink **out, store *s, pthread_mutex_t *dbmu, bool threaded);
/* The next free event slot and its key slot; fill both, then call
 * activity_sink_add. */
struct activity_cell *activity_sink_slot(activity_sink *k, int64_t **key);
/* Take the filled slot. Adds to *done what finished meanwhile. */
int activity_sink_add(activity_sink *k, struct activity_counts *done);
/* Everything stored; adds the rest to *done. */
int activity_sink_finish(activity_sink *k, struct activity_counts *done);
/* Stops the writer (if any) and frees; safe after a failure. */
void activity_sink_free(activity_sink **k);

#endif
