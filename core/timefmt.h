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
 * zone is taken as UTC. This is timefmt_parse_order with
 * TIMEFMT_ORDER_MDY (below). Returns 0 or ERR_INVALID (message says why). */
int timefmt_parse_any(const char *s, int64_t *out);

/* The order of day, month and year in a numeric date such as 09/10/2024.
 * AUTO reads a date only when its numbers settle the order (14/10/2024 is
 * day-first, 10/14/2024 month-first) and refuses 09/10/2024. */
enum timefmt_order {
	TIMEFMT_ORDER_AUTO = 0,
	TIMEFMT_ORDER_DMY,
	TIMEFMT_ORDER_MDY,
	TIMEFMT_ORDER_YMD,
};

/* "dmy", "mdy" or "ymd" (any case) into *out. Returns 0 or ERR_USAGE. */
int timefmt_order_parse(const char *s, enum timefmt_order *out);

/* "dmy", "mdy", "ymd" or "auto". */
const char *timefmt_order_name(enum timefmt_order o);

/* Parse as timefmt_parse_any does, but read numeric dates with the
 * separators '/', '-' or '.' whose first number has one or two digits
 * (9/10/2024, 09-10-2024, 09.10.2024, two-digit years as 20YY) in `order`.
 * With TIMEFMT_ORDER_AUTO such a date is read only when one of its first
 * two numbers is above 12, and a dotted date (09.10.2024, a day-first
 * convention everywhere it is written) as day-first; any other date is
 * refused with a message that names --date-order. Also reads Excel serial
 * dates: a number with a five-digit whole part (46090 or 46090.3125), days
 * since 1899-12-30, the fraction the time of day. A year-first date
 * (2026/03/14, 2026-03-14) is read as such whatever the order. Returns 0
 * or ERR_INVALID (message says why). */
int timefmt_parse_order(const char *s, enum timefmt_order order, int64_t *out);

/* When `s` starts with a numeric date whose order is a matter of
 * convention (first number of one or two digits, then '/', '-' or '.'),
 * 1 with its first two numbers and the separator; else 0. For inferring
 * the order of a whole file. */
int timefmt_numeric_date(const char *s, int *first, int *second, char *sep);

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
