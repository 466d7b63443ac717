/* outcomes.h - `import outcomes FILE`: ratings HR gives after a pilot.
 *
 * Columns employee_id, date, outcome and optionally note (any order, other
 * columns ignored with a warning). outcome is one digit: 0/1 (did not /
 * did take part as hoped) or 1-5 (a rating). A file is one scale: the
 * first value other than 1 decides it (0: 0/1; 2-5: 1-5; only 1s: 0/1),
 * and a later value of the other scale is a bad row. date is an ISO date
 * (or date-time), not in the future. The same rules as every import: one
 * transaction, file:line:col errors, --skip-invalid with a rejects file,
 * duplicate files change nothing. A person rated twice on one day in a
 * file is a bad row; a later file's rating for the same person and day
 * replaces the earlier one. Rows of people not on the roster are bad rows;
 * rows of people who opted out, left or were erased are skipped and
 * counted.
 */
#ifndef AMB_SURVEY_OUTCOMES_H
#define AMB_SURVEY_OUTCOMES_H

#include "core/store.h"
#include "survey/import.h"

/* Longest note kept, in bytes; longer is a bad row. */
#define OUTCOME_NOTE_MAX 500

/* Import a ratings file. Returns 0 (also for a duplicate: sum->duplicate),
 * ERR_INVALID with the bad rows in sum->errors (nothing stored unless
 * opts->skip_invalid), ERR_NODATA for a file without rows, or another
 * err_code. */
int outcomes_import(store *s, const char *path, const struct import_opts *opts,
                    struct import_summary *sum);

#endif
