/* timefmt.h - parsing and formatting timestamps (UTC, Unix seconds). */
#ifndef AMB_CORE_TIMEFMT_H
#define AMB_CORE_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Parse an ISO 8601 date or date-time into Unix seconds (UTC):
 *   YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]] with 'T' or ' ' between,
 *   optionally followed by Z or +HH:MM / -HH:MM / +HHMM.
 * A time without an offset is taken as UTC. Also accepts plain Unix
 * seconds (all digits). Returns 0 or ERR_INVALID (message says why). */
int timefmt_parse(const char *s, int64_t *out);

/* Days since 1970-01-01 of a proleptic Gregorian date; no validation. */
int64_t timefmt_days_from_civil(int64_t y, unsigned m, unsigned d);

/* True when y-m-d is a real calendar date. */
int timefmt_valid_date(int64_t y, unsigned m, unsigned d);

/* Format as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void timefmt_iso(char *out, size_t size, int64_t t);

/* Format the date only, "YYYY-MM-DD". */
void timefmt_date(char *out, size_t size, int64_t t);

/* Whole weeks since Monday 2000-01-03 (negative before). */
int64_t timefmt_week(int64_t t);

#endif
