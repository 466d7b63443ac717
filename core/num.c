/* num.c - strict numbers from text (core/num.h). */
#include "core/num.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int num_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	const char *digits = s && *s == '-' ? s + 1 : s;
	int saved = errno;
	long long v;
	char *end;

	/* strtoll alone would take " 5", "+5" and a trailing nothing */
	if (!digits || *digits < '0' || *digits > '9' ||
	    strspn(digits, "0123456789") != strlen(digits))
		return NUM_BAD;
	errno = 0;
	v = strtoll(s, &end, 10);
	int overflow = errno == ERANGE;
	errno = saved;
	if (overflow || v < min || v > max)
		return NUM_RANGE;
	*out = v;
	return 0;
}

int num_double(const char *s, double *out)
{
	int saved = errno;
	char *end;
	double v;

	if (!s || !*s || strspn(s, "0123456789+-.eE") != strlen(s))
		return NUM_BAD;
	errno = 0;
	v = strtod(s, &end);
	int range = errno == ERANGE;
	errno = saved;
	if (*end || end == s)
		return NUM_BAD;
	if (range || !isfinite(v))
		return NUM_RANGE;
	*out = v + 0.0; /* -0 -> 0 */
	return 0;
}
