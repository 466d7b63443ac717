/* test_clock.c - the clock (core/clock.h) and the test hooks
 * (core/testhook.h). Criterion runs every test in a fresh process, so each
 * sees the clock before its first reading. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "core/testhook.h"

Test(core_clock, reads_ambassador_now_once_per_process)
{
	setenv("AMBASSADOR_NOW", "2026-11-20T00:00:00Z", 1);
	cr_assert(eq(i64, clock_now(), 1795132800));
	setenv("AMBASSADOR_NOW", "1000", 1);
	cr_assert(eq(i64, clock_now(), 1795132800), "the environment is read on the first call");
}

Test(core_clock, takes_unix_seconds)
{
	setenv("AMBASSADOR_NOW", "1700000000", 1);
	cr_assert(eq(i64, clock_now(), 1700000000));
}

Test(core_clock, ignores_an_unreadable_value_and_uses_the_real_clock)
{
	setenv("AMBASSADOR_NOW", "next tuesday", 1);
	int64_t before = (int64_t)time(NULL), now = clock_now();
	cr_assert(ge(i64, now, before));
	cr_assert(le(i64, now, (int64_t)time(NULL)));
}

Test(core_clock, runs_on_the_real_clock_when_unset)
{
	unsetenv("AMBASSADOR_NOW");
	int64_t before = (int64_t)time(NULL), now = clock_now();
	cr_assert(ge(i64, now, before));
	cr_assert(le(i64, now, (int64_t)time(NULL)));
}

/* The test presets build with the hooks: the fault tests depend on them. */
Test(core_testhook, test_builds_obey_the_hooks)
{
	cr_assert(testhook_enabled(), "configure the tests with -DAMB_TEST_HOOKS=ON");
	setenv("AMB_FAULT", "after_begin", 1);
	cr_assert(eq(str, (char *)testhook_env("AMB_FAULT"), "after_begin"));
	unsetenv("AMB_FAULT");
	cr_assert(eq(ptr, (void *)testhook_env("AMB_FAULT"), NULL));
}
