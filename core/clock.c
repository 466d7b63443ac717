/* clock.c - the clock, with $AMBASSADOR_NOW read once (core/clock.h). */
#include "core/clock.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "core/timefmt.h"

static pthread_once_t clock_once = PTHREAD_ONCE_INIT;
static bool clock_fixed;
static int64_t clock_fixed_at;

static void clock_read_env(void)
{
	const char *env = getenv("AMBASSADOR_NOW");
	int64_t t;

	if (env && *env && timefmt_parse(env, &t) == 0) {
		clock_fixed_at = t;
		clock_fixed = true;
	}
}

int64_t clock_now(void)
{
	pthread_once(&clock_once, clock_read_env);
	return clock_fixed ? clock_fixed_at : (int64_t)time(NULL);
}
