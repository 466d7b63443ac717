/* Timestamps: ISO 8601 as before, and the formats survey tools export. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

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
