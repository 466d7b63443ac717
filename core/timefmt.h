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

/* Parse a timestamp as ISO 8601 (timefmt_parse) or as one of the formats
 * survey tools export, into Unix seconds (UTC):
 *   Qualtrics        2026-03-14 09:05:00          (ISO with a space)
 *   Microsoft Forms  3/14/26 9:05:00, 3/14/2026 9:05:00
 *                    (US order month/day/year, 24-hour clock)
 *   Google Forms     2026/03/14 9:05:00 AM GMT+1, 2026/03/14 9:05:00 PM CET
 *   SurveyMonkey     03/14/2026 09:05:00 AM, 03/14/2026 09:05
 * Month/day/year dates take a two-digit year as 20YY. Seconds are
 * optional wherever a time is given; a date alone is midnight. AM/PM needs
 * hours 1-12 (12 AM is midnight). A trailing GMT+N, GMT-N, GMT+HH:MM,
 * UTC+N (or plain GMT/UTC/Z) shifts the time to UTC; a named zone such as
 * CET or EST (2-5 letters) is ignored, i.e. read as UTC. A time without a
 * zone is taken as UTC. Returns 0 or ERR_INVALID (message says why). */
int timefmt_parse_any(const char *s, int64_t *out);

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
