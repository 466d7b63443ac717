/* store_report.h - reads for HR's report (cli/report.c): why the people of
 * a snapshot who are not eligible are not, counted by reason, and one
 * person's detail.
 */
#ifndef AMB_CORE_STORE_REPORT_H
#define AMB_CORE_STORE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

typedef int (*store_reason_fn)(void *ctx, const char *why_not, int64_t count);

/* Visit the reasons ("why_not" of the detail JSON) of the people of
 * snapshot `id` who were not eligible, with how many, most frequent first
 * (then by text). Counted as the snapshot was taken. The callback returns 0
 * to go on; anything else stops and is returned. */
int store_snapshot_reasons_each(store *s, int64_t id, store_reason_fn fn, void *ctx);

/* The detail JSON of person `pid` in snapshot `id` (by the primary key, so
 * one lookup whatever the snapshot's size). Returns 1 and a malloc'ed copy
 * in *out, 0 when the person is not in that snapshot, or an err_code. */
int store_snapshot_detail(store *s, int64_t id, int64_t pid, char **out);

/* The scores of person `pid` in snapshot `id`, whatever has happened to
 * them since (a pilot member who declined stays on the record): rank (0
 * when not eligible), score and components (NAN when unknown) into out[5]
 * in that order. Returns 1, 0 when not in that snapshot, or an err_code. */
int store_snapshot_scores_of(store *s, int64_t id, int64_t pid, double out[5]);

#endif
