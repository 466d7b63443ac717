/* timefmt.c - dates without the C library's locale and time-zone state:
 * everything is UTC and computed with civil-calendar arithmetic. */
#include "core/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

/* Epoch of the week numbering: Monday 2000-01-03 00:00 UTC. */
#define WEEK_EPOCH 946857600LL

int64_t timefmt_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Shift the year to start in March so the leap day is last. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int timefmt_valid_date(int64_t y, unsigned m, unsigned d)
{
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Read exactly n digits at *p into *out; advance. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int parse_offset(const char *p, int *out_seconds)
{
	int sign, hh, mm = 0;

	if (*p == 'Z' || *p == 'z') {
		*out_seconds = 0;
		return p[1] == '\0' ? 0 : -1;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &hh))
		return -1;
	if (*p == ':')
		p++;
	if (*p && digits(&p, 2, &mm))
		return -1;
	if (*p || hh > 23 || mm > 59)
		return -1;
	*out_seconds = sign * (hh * 3600 + mm * 60);
	return 0;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int parse_zone(const char *p, int *off);

/* "UTC" or "GMT" (any case) at p: the only zone names an ISO date-time
 * may carry here (LinkedIn writes "2026-10-21 08:14:02 UTC"); a name
 * such as CET would silently mean UTC, so those stay refused. */
static int utc_name(const char *p)
{
	return strncasecmp(p, "UTC", 3) == 0 || strncasecmp(p, "GMT", 3) == 0;
}

int timefmt_parse(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, hh = 0, mi = 0, ss = 0, off = 0;

	if (all_digits(s) && strlen(s) > 8) {
		int64_t v = 0;
		for (; *p && v < 100000000000LL; p++)
			v = v * 10 + (*p - '0');
		if (*p)
			return err_set(ERR_INVALID, "timestamp '%s' is out of range", s);
		*out = v;
		return 0;
	}
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		goto bad;
	if (!timefmt_valid_date(y, (unsigned)mo, (unsigned)d))
		return err_set(ERR_INVALID, "'%s' is not a calendar date", s);
	if (*p == 'T' || *p == 't' || (*p == ' ' && p[1] >= '0' && p[1] <= '9')) {
		p++;
		if (digits(&p, 2, &hh) || *p++ != ':' || digits(&p, 2, &mi))
			goto bad;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &ss))
				goto bad;
			if (*p == '.' || *p == ',') /* fractions are dropped */
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
		}
		if (hh > 23 || mi > 59 || ss > 60)
			return err_set(ERR_INVALID, "'%s' has an impossible time of day", s);
		if (*p == ' ')
			p++;
		if (*p && (utc_name(p) ? parse_zone(p, &off) : parse_offset(p, &off)))
			goto bad;
	} else if (*p) {
		goto bad;
	}
	*out = timefmt_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mi * 60 +
	       (ss == 60 ? 59 : ss) - off;
	return 0;
bad:
	return err_set(ERR_INVALID,
	               "'%s' is not an ISO 8601 date or date-time (e.g. 2026-03-14 or "
	               "2026-03-14T09:05:00Z)",
	               s);
}

void timefmt_iso(char *out, size_t size, int64_t t)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400, y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(out, size, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
	         (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

void timefmt_date(char *out, size_t size, int64_t t)
{
	char buf[32];

	timefmt_iso(buf, sizeof(buf), t);
	snprintf(out, size, "%.10s", buf);
}

int64_t timefmt_week(int64_t t)
{
	int64_t delta = t - WEEK_EPOCH;

	return delta >= 0 ? delta / 604800 : -((-delta + 604799) / 604800);
}

/* --- survey-tool formats ------------------------------------------------ */

/* Read 1..max digits at *p; advance. */
static int digits_upto(const char **p, int max, int *out, int *count)
{
	int v = 0, n = 0;

	while (n < max && (*p)[n] >= '0' && (*p)[n] <= '9') {
		v = v * 10 + ((*p)[n] - '0');
		n++;
	}
	if (n == 0)
		return -1;
	*p += n;
	*out = v;
	if (count)
		*count = n;
	return 0;
}

static int is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int upper(char c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* "H:MM[:SS[.fff]]" with an optional " AM"/" PM". */
static int parse_clock(const char **pp, int *hh, int *mi, int *ss)
{
	const char *p = *pp;

	*ss = 0;
	if (digits_upto(&p, 2, hh, NULL) || *p++ != ':' || digits(&p, 2, mi))
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, ss))
			return -1;
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	const char *q = p;
	while (*q == ' ')
		q++;
	if ((upper(q[0]) == 'A' || upper(q[0]) == 'P') && upper(q[1]) == 'M' && !is_alpha(q[2])) {
		if (*hh < 1 || *hh > 12)
			return -1;
		*hh = *hh % 12 + (upper(q[0]) == 'P' ? 12 : 0);
		p = q + 2;
	}
	if (*hh > 23 || *mi > 59 || *ss > 60)
		return -1;
	*pp = p;
	return 0;
}

/* The zone after a time: "", "Z", "GMT", "UTC", "GMT+1", "GMT-05:30",
 * "+01:00", or a named zone (2-5 letters, ignored). Offset in seconds. */
static int parse_zone(const char *p, int *off)
{
	*off = 0;
	while (*p == ' ')
		p++;
	if (!*p)
		return 0;
	if ((upper(p[0]) == 'G' && upper(p[1]) == 'M' && upper(p[2]) == 'T') ||
	    (upper(p[0]) == 'U' && upper(p[1]) == 'T' && upper(p[2]) == 'C')) {
		p += 3;
		if (!*p)
			return 0;
		if (*p != '+' && *p != '-')
			return -1;
		int sign = *p++ == '-' ? -1 : 1, hh, mm = 0;
		if (digits_upto(&p, 2, &hh, NULL))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &mm))
				return -1;
		}
		if (*p || hh > 14 || mm > 59)
			return -1;
		*off = sign * (hh * 3600 + mm * 60);
		return 0;
	}
	if (*p == '+' || *p == '-' || *p == 'Z' || *p == 'z')
		return parse_offset(p, off);
	size_t n = 0;
	while (is_alpha(p[n]))
		n++;
	return n >= 2 && n <= 5 && !p[n] ? 0 : -1;
}

/* Excel serial date: five digits, optionally a fraction (time of day).
 * 1 with *out, 0 when `s` is not one. Serial 25569 is 1970-01-01. */
static int excel_serial(const char *s, int64_t *out)
{
	const char *p = s;
	int64_t days = 0, frac = 0, scale = 1;
	int n = 0;

	for (; *p >= '0' && *p <= '9'; p++, n++)
		days = days * 10 + (*p - '0');
	if (n != 5)
		return 0;
	if (*p == '.') {
		/* Up to nine fraction digits count; more are below a millisecond. */
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale < 1000000000)
				frac = frac * 10 + (*p - '0'), scale *= 10;
		if (p[-1] == '.')
			return 0;
	}
	if (*p)
		return 0;
	*out = (days - 25569) * 86400 + (frac * 86400 + scale / 2) / scale;
	return 1;
}

int timefmt_order_parse(const char *s, enum timefmt_order *out)
{
	static const char *const names[] = {"dmy", "mdy", "ymd"};

	for (int i = 0; i < 3; i++) {
		if (!strcasecmp(s, names[i])) {
			*out = (enum timefmt_order)(TIMEFMT_ORDER_DMY + i);
			return 0;
		}
	}
	return err_set(ERR_USAGE, "--date-order is dmy, mdy or ymd, not '%s'", s);
}

const char *timefmt_order_name(enum timefmt_order o)
{
	switch (o) {
	case TIMEFMT_ORDER_DMY: return "dmy";
	case TIMEFMT_ORDER_MDY: return "mdy";
	case TIMEFMT_ORDER_YMD: return "ymd";
	default: return "auto";
	}
}

/* "A<sep>B<sep>C" with A of 1-4 digits, B of 1-2, C of 1-4, sep one of
 * '/', '-', '.' (the same twice). Fills the numbers, digit counts, sep. */
static int split_date(const char **pp, int n[3], int len[3], char *sep)
{
	const char *p = *pp;

	if (digits_upto(&p, 4, &n[0], &len[0]) || !strchr("/-.", *p) || !*p)
		return -1;
	*sep = *p++;
	if (digits_upto(&p, 2, &n[1], &len[1]) || *p++ != *sep ||
	    digits_upto(&p, 4, &n[2], &len[2]))
		return -1;
	*pp = p;
	return 0;
}

int timefmt_numeric_date(const char *s, int *first, int *second, char *sep)
{
	int n[3], len[3];

	if (split_date(&s, n, len, sep) || len[0] > 2 || (len[2] != 2 && len[2] != 4))
		return 0;
	*first = n[0];
	*second = n[1];
	return 1;
}

/* Resolve a numeric date's order. 0, or -1 with the reason in why. */
static int order_date(const int n[3], const int len[3], char sep, enum timefmt_order order, int *y,
                      int *mo, int *d, const char **why)
{
	*why = "is not a date";
	if (len[0] == 4) { /* year first, whatever the order */
		if (len[2] > 2)
			return -1;
		*y = n[0], *mo = n[1], *d = n[2];
		return 0;
	}
	if (len[0] > 2 || (len[2] != 2 && len[2] != 4))
		return -1;
	if (order == TIMEFMT_ORDER_AUTO) {
		/* 09/09/2024 (n[0] == n[1]) is the same date either way. */
		if (sep == '.' || (n[0] > 12 && n[1] <= 12) || n[0] == n[1])
			order = TIMEFMT_ORDER_DMY;
		else if (n[1] > 12 && n[0] <= 12)
			order = TIMEFMT_ORDER_MDY;
		else if (n[0] <= 12) {
			*why = "could be day-first or month-first";
			return -1;
		}
	}
	switch (order) {
	case TIMEFMT_ORDER_DMY: *d = n[0], *mo = n[1], *y = n[2]; break;
	case TIMEFMT_ORDER_MDY: *mo = n[0], *d = n[1], *y = n[2]; break;
	case TIMEFMT_ORDER_YMD:
		if (len[0] != 2 || len[2] != 2) {
			*why = "is not year-month-day";
			return -1;
		}
		*y = n[0], *mo = n[1], *d = n[2];
		break;
	default: return -1;
	}
	if (*y < 100)
		*y += 2000;
	return 0;
}

int timefmt_parse_order(const char *s, enum timefmt_order order, int64_t *out)
{
	const char *p = s, *why;
	int n[3], len[3], y, mo, d, hh = 0, mi = 0, ss = 0, off = 0;
	char sep;

	if (excel_serial(s, out))
		return 0;
	if (split_date(&p, n, len, &sep) || (sep == '-' && len[0] == 4))
		return timefmt_parse(s, out);
	if (order_date(n, len, sep, order, &y, &mo, &d, &why))
		return err_set(ERR_INVALID, "'%s' %s", s, why);
	if (y < 1900 || !timefmt_valid_date(y, (unsigned)mo, (unsigned)d))
		return err_set(ERR_INVALID, "'%s' is not a calendar date (read as %s)", s,
		               timefmt_order_name(order == TIMEFMT_ORDER_AUTO && sep == '.'
		                                      ? TIMEFMT_ORDER_DMY
		                                      : order));
	if (*p == ',')
		p++;
	if (*p == ' ' || *p == 'T') {
		while (*p == ' ' || *p == 'T')
			p++;
		if (*p && parse_clock(&p, &hh, &mi, &ss))
			return err_set(ERR_INVALID, "'%s' has an impossible time of day", s);
	}
	if (parse_zone(p, &off))
		goto bad;
	*out = timefmt_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mi * 60 +
	       (ss == 60 ? 59 : ss) - off;
	return 0;
bad:
	return err_set(ERR_INVALID,
	               "'%s' is not a timestamp this tool reads (ISO 8601, 3/14/2026 9:05:00, "
	               "14.03.2026 09:05, 2026/03/14 9:05:00 AM GMT+1, 03/14/2026 09:05 AM)",
	               s);
}

int timefmt_parse_any(const char *s, int64_t *out)
{
	return timefmt_parse_order(s, TIMEFMT_ORDER_MDY, out);
}
