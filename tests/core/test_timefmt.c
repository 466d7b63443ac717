/* Timestamps: ISO 8601 as before, and the formats survey tools export. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "core/err.h"
#include "core/timefmt.h"

static int64_t iso(const char *s)
{
	int64_t t = 0;

	cr_assert(eq(int, timefmt_parse(s, &t), 0), "%s", err_msg());
	return t;
}

static void same(const char *any, const char *want)
{
	int64_t t = 0;

	cr_assert(eq(int, timefmt_parse_any(any, &t), 0), "'%s': %s", any, err_msg());
	cr_assert(eq(i64, t, iso(want)), "'%s' read wrongly", any);
}

static void refused(const char *any)
{
	int64_t t = 0;

	cr_assert(eq(int, timefmt_parse_any(any, &t), ERR_INVALID), "'%s' was accepted", any);
}

Test(core_timefmt, still_parses_iso_8601)
{
	cr_assert(eq(i64, iso("1970-01-02"), 86400));
	cr_assert(eq(i64, iso("2026-03-14T09:05:00+01:00"), iso("2026-03-14T08:05:00Z")));
	cr_assert(eq(i64, iso("1700000000"), 1700000000));
	same("2026-03-14T09:05:00Z", "2026-03-14T09:05:00Z");
}

Test(core_timefmt, reads_iso_8601_with_utc_or_gmt_named)
{
	int64_t t = 0;

	/* LinkedIn's data export writes dates this way */
	cr_assert(eq(i64, iso("2026-10-21 08:14:02 UTC"), iso("2026-10-21T08:14:02Z")));
	cr_assert(eq(i64, iso("2026-10-21T08:14:02utc"), iso("2026-10-21T08:14:02Z")));
	cr_assert(eq(i64, iso("2026-10-21 08:14:02 GMT+02:00"), iso("2026-10-21T06:14:02Z")));
	/* another zone name would be read as UTC without a word: refused */
	cr_assert(eq(int, timefmt_parse("2026-10-21 08:14:02 CET", &t), ERR_INVALID));
	cr_assert(eq(int, timefmt_parse("2026-10-21 08:14:02 UTCX", &t), ERR_INVALID));
}

Test(core_timefmt, reads_qualtrics_timestamps)
{
	same("2026-03-09 07:26:14", "2026-03-09T07:26:14Z");
}

Test(core_timefmt, reads_microsoft_forms_timestamps)
{
	same("3/9/26 7:26:14", "2026-03-09T07:26:14Z");
	same("3/20/26 14:10:50", "2026-03-20T14:10:50Z");
	same("12/31/2026 23:59:59", "2026-12-31T23:59:59Z");
	same("3/9/2026 7:26", "2026-03-09T07:26:00Z");
}

Test(core_timefmt, reads_google_forms_timestamps_with_zones)
{
	same("2026/03/14 9:05:00 AM", "2026-03-14T09:05:00Z");
	same("2026/03/14 9:05:00 PM", "2026-03-14T21:05:00Z");
	same("2026/03/14 12:05:00 AM", "2026-03-14T00:05:00Z");
	same("2026/03/14 12:05:00 PM", "2026-03-14T12:05:00Z");
	same("2026/03/14 9:05:00 AM GMT+1", "2026-03-14T08:05:00Z");
	same("2026/03/14 9:05:00 AM GMT-5", "2026-03-14T14:05:00Z");
	same("2026/03/14 9:05:00 AM GMT+05:30", "2026-03-14T03:35:00Z");
	same("2026/03/14 9:05:00 AM CET", "2026-03-14T09:05:00Z");
	same("2026/03/14 9:05:00 am utc", "2026-03-14T09:05:00Z");
}

Test(core_timefmt, reads_surveymonkey_timestamps)
{
	same("03/14/2026 09:05:00 AM", "2026-03-14T09:05:00Z");
	same("03/14/2026 01:05:00 PM", "2026-03-14T13:05:00Z");
	same("03/14/2026 09:05", "2026-03-14T09:05:00Z");
}

Test(core_timefmt, refuses_impossible_or_foreign_timestamps)
{
	refused("yesterday");
	refused("");
	refused("2/30/2026 10:00");          /* no 30 February */
	refused("14/3/2026 10:00");          /* day first: month 14 */
	refused("3/14/2026 13:00 PM");       /* PM needs 1-12 */
	refused("3/14/2026 0:30 AM");        /* so does AM */
	refused("3/14/2026 24:00");          /* no hour 24 */
	refused("3/14/2026 10:00 GMT+99");   /* no such offset */
	refused("3/14/2026 10:00 Europe/X"); /* not a zone we read */
	refused("3/14/126 10:00");           /* three-digit year */
	refused("2026-13-01");
}

static void ordered(const char *s, enum timefmt_order o, const char *want)
{
	int64_t t = 0;

	cr_assert(eq(int, timefmt_parse_order(s, o, &t), 0), "'%s' (%s): %s", s,
	          timefmt_order_name(o), err_msg());
	cr_assert(eq(i64, t, iso(want)), "'%s' (%s) read wrongly", s, timefmt_order_name(o));
}

static void ordered_refused(const char *s, enum timefmt_order o)
{
	int64_t t = 0;

	cr_assert(eq(int, timefmt_parse_order(s, o, &t), ERR_INVALID), "'%s' (%s) was accepted", s,
	          timefmt_order_name(o));
}

Test(core_timefmt, reads_day_first_dates_in_the_order_given)
{
	ordered("09/10/2024", TIMEFMT_ORDER_DMY, "2024-10-09");
	ordered("09/10/2024", TIMEFMT_ORDER_MDY, "2024-09-10");
	ordered("09.10.2024 14:05", TIMEFMT_ORDER_DMY, "2024-10-09T14:05:00Z");
	ordered("09-03-2026 7:30:28", TIMEFMT_ORDER_DMY, "2026-03-09T07:30:28Z");
	ordered("9-3-26 7:30", TIMEFMT_ORDER_DMY, "2026-03-09T07:30:00Z");
	ordered("26/03/09", TIMEFMT_ORDER_YMD, "2026-03-09");
	/* Year-first dates and ISO 8601 are read whatever the order. */
	ordered("2026/03/09 7:30", TIMEFMT_ORDER_DMY, "2026-03-09T07:30:00Z");
	ordered("2026-03-09T07:30:00+01:00", TIMEFMT_ORDER_MDY, "2026-03-09T06:30:00Z");
	ordered_refused("14/10/2024", TIMEFMT_ORDER_MDY);
	ordered_refused("10/14/2024", TIMEFMT_ORDER_DMY);
	ordered_refused("09/10/2024", TIMEFMT_ORDER_YMD);
}

Test(core_timefmt, reads_a_date_by_itself_only_when_its_numbers_settle_the_order)
{
	ordered("14/10/2024", TIMEFMT_ORDER_AUTO, "2024-10-14");
	ordered("10/14/2024", TIMEFMT_ORDER_AUTO, "2024-10-14");
	ordered("09/09/2024", TIMEFMT_ORDER_AUTO, "2024-09-09");
	/* Dotted dates are day-first wherever they are written. */
	ordered("09.10.2024", TIMEFMT_ORDER_AUTO, "2024-10-09");
	ordered_refused("09/10/2024", TIMEFMT_ORDER_AUTO);
	ordered_refused("09-03-2026 7:30:28", TIMEFMT_ORDER_AUTO);
	ordered_refused("14/14/2024", TIMEFMT_ORDER_AUTO);
	int64_t t;
	cr_assert(eq(int, timefmt_parse_order("09/10/2024", TIMEFMT_ORDER_AUTO, &t), ERR_INVALID));
	cr_assert(strstr(err_msg(), "day-first or month-first") != NULL, "%s", err_msg());
}

Test(core_timefmt, reads_excel_serial_dates)
{
	ordered("45658", TIMEFMT_ORDER_AUTO, "2025-01-01");
	ordered("45658.5", TIMEFMT_ORDER_DMY, "2025-01-01T12:00:00Z");
	ordered("46090.3125", TIMEFMT_ORDER_MDY, "2026-03-09T07:30:00Z");
	ordered_refused("45658.", TIMEFMT_ORDER_AUTO);
	ordered_refused("4565", TIMEFMT_ORDER_AUTO);
}

Test(core_timefmt, names_and_parses_date_orders)
{
	enum timefmt_order o;

	cr_assert(eq(int, timefmt_order_parse("DMY", &o), 0));
	cr_assert(eq(int, o, TIMEFMT_ORDER_DMY));
	cr_assert(eq(int, timefmt_order_parse("ymd", &o), 0));
	cr_assert(eq(int, o, TIMEFMT_ORDER_YMD));
	cr_assert(eq(int, timefmt_order_parse("dm", &o), ERR_USAGE));
	cr_assert(eq(str, (char *)timefmt_order_name(TIMEFMT_ORDER_MDY), "mdy"));
}

Test(core_timefmt, finds_the_numbers_of_a_conventional_date)
{
	int a, b;
	char sep;

	cr_assert(eq(int, timefmt_numeric_date("09-03-2026 7:30:28", &a, &b, &sep), 1));
	cr_assert(eq(int, a, 9));
	cr_assert(eq(int, b, 3));
	cr_assert(eq(int, sep, '-'));
	cr_assert(eq(int, timefmt_numeric_date("2026-03-09", &a, &b, &sep), 0));
	cr_assert(eq(int, timefmt_numeric_date("2026/03/09", &a, &b, &sep), 0));
	cr_assert(eq(int, timefmt_numeric_date("45658", &a, &b, &sep), 0));
}
