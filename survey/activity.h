/* activity.h - `import activity FILE` (docs/design.md, Contract 2.3) and the codes it stores.
 *
 * The importer keeps no raw events. Each event is reduced to
 *  - a de-duplication key in activity_seen, and
 *  - its contribution to one activity_weekly row:
 *      (pid, week, platform, kind, origin) -> events, reach, reactions,
 *                                             comments, shares, clicks
 * which is the grain scoring reads. The kind and origin codes are part of
 * the stored format and defined with it, in core/store_activity.h.
 * platform holds platforms.id; week is whole weeks since Monday 2000-01-03
 * 00:00 UTC (timefmt_week). See docs/hr.md, section 'Social activity'.
 */
#ifndef AMB_SURVEY_ACTIVITY_H
#define AMB_SURVEY_ACTIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "core/store_activity.h"
#include "survey/import.h"

/* Platforms: the six well-known names are ordinary rows of the platforms
 * table like any other text; a name is 1-ACTIVITY_PLATFORM_MAX characters
 * with no control characters, stored with ASCII letters lowercased. At most
 * ACTIVITY_MAX_PLATFORMS distinct names in a database (bounds memory and
 * catches a column mix-up early). */
#define ACTIVITY_PLATFORM_MAX  32
#define ACTIVITY_MAX_PLATFORMS 256

/* Largest engagement count accepted for one event (reach, reactions, ...);
 * larger values are rejected as implausible. Sums saturate at
 * ACTIVITY_SUM_MAX. */
#define ACTIVITY_COUNT_MAX 1000000000000LL       /* 10^12 */
#define ACTIVITY_SUM_MAX   4611686018427387904LL /* 2^62 */

/* An event may be dated at most this far past clock_now(): exporting
 * platforms stamp dates in their own time zone (UTC+14 is "tomorrow") and
 * clocks drift. Later than that is rejected as a date in the future. */
#define ACTIVITY_FUTURE_TOLERANCE (24 * 3600)

/* Import an activity export. One transaction: events are de-duplicated
 * against everything imported before (and within the file) and added to
 * activity_weekly. Rows of opted-out or departed people are skipped and
 * counted, never stored. Returns 0 (also for a duplicate file:
 * sum->duplicate), ERR_INVALID with the bad rows in sum->errors (nothing
 * stored unless opts->skip_invalid), ERR_NODATA for a file without rows, or
 * another err_code. */
int activity_import(store *s, const char *path, const struct import_opts *opts,
                    struct import_summary *sum);

/* Import a Microsoft 365 "Viva Engage activity user detail" report
 * (survey/activity_viva.c): users matched to the roster by e-mail, Posted
 * Count as own posts (engagement unknown) and Liked Count as reactions on
 * platform "viva engage", over the report's period; a period longer than
 * 7 days is spread over its weeks and marked coarse. Same transaction,
 * de-duplication and return codes as activity_import; ERR_NODATA also when
 * no user matches anyone on the roster. */
int activity_import_viva(store *s, const char *path, const struct import_opts *opts,
                         struct import_summary *sum);

/* Import a LinkedIn member archive (survey/activity_linkedin.c) given by
 * employee `employee_id`: `path` is the ZIP or the folder it was unpacked
 * into. Shares.csv gives own posts (engagement unknown) or reshares,
 * Comments.csv comments and Reactions.csv reactions, on platform
 * "linkedin"; no text is kept. At least one of the three must be present.
 * ERR_NOT_FOUND when the employee is not on the roster; otherwise as
 * activity_import. */
int activity_import_linkedin(store *s, const char *path, const char *employee_id,
                             const struct import_opts *opts, struct import_summary *sum);

/* Name of a kind ("post", ...) or origin ("original", "suggested"); "?"
 * for an unknown code. Static strings. */
const char *activity_kind_name(int kind);
const char *activity_origin_name(int origin);

/* Parse a kind name, case-insensitively; 0 when not one of the six. */
int activity_kind_parse(const char *s, size_t len);

/* Parse an engagement count: empty is 0 (not reported); otherwise only
 * ASCII digits, at most ACTIVITY_COUNT_MAX. Returns NULL and *out, or a
 * static reason ("12.5", "-1", "1e3", "NaN", " " and "+1" are refused). */
const char *activity_parse_count(const char *s, size_t len, int64_t *out);

#endif
