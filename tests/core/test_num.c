/* test_num.c - the strict number parser (core/num.h). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include "core/num.h"

Test(core_num, reads_whole_numbers_within_the_range)
{
	int64_t v = 7;

	cr_assert(eq(int, num_int("0", 0, 10, &v), 0));
	cr_assert(eq(i64, v, 0));
	cr_assert(eq(int, num_int("-42", -100, 100, &v), 0));
	cr_assert(eq(i64, v, -42));
	cr_assert(eq(int, num_int("9223372036854775807", 0, INT64_MAX, &v), 0));
	cr_assert(eq(i64, v, INT64_MAX));
	cr_assert(eq(int, num_int("007", 0, 10, &v), 0));
	cr_assert(eq(i64, v, 7));
}

Test(core_num, refuses_anything_but_digits_in_a_whole_number)
{
	static const char *const bad[] = {"",    "-",   " 5", "5 ",  "+5", "0x10",
	                                  "1.0", "1e3", "5a", "--5", "٣",  "five"};
	int64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert(eq(int, num_int(bad[i], INT64_MIN, INT64_MAX, &v), NUM_BAD), "'%s'",
		          bad[i]);
		cr_assert(eq(i64, v, 7), "untouched after '%s'", bad[i]);
	}
	cr_assert(eq(int, num_int(NULL, 0, 1, &v), NUM_BAD));
}

Test(core_num, tells_a_number_out_of_range_from_no_number)
{
	int64_t v = 7;

	cr_assert(eq(int, num_int("11", 0, 10, &v), NUM_RANGE));
	cr_assert(eq(int, num_int("-1", 0, 10, &v), NUM_RANGE));
	cr_assert(eq(int, num_int("9223372036854775808", 0, INT64_MAX, &v), NUM_RANGE));
	cr_assert(eq(int, num_int("-99999999999999999999", INT64_MIN, 0, &v), NUM_RANGE));
	cr_assert(eq(i64, v, 7));
}

Test(core_num, leaves_errno_as_it_was)
{
	int64_t v;
	double d;

	errno = EINTR;
	cr_assert(eq(int, num_int("99999999999999999999", 0, INT64_MAX, &v), NUM_RANGE));
	cr_assert(eq(int, errno, EINTR));
	cr_assert(eq(int, num_double("1e999", &d), NUM_RANGE));
	cr_assert(eq(int, errno, EINTR));
}

Test(core_num, reads_decimal_numbers)
{
	double v = 0;

	cr_assert(eq(int, num_double("0.25", &v), 0));
	cr_assert(epsilon_eq(dbl, v, 0.25, 1e-15));
	cr_assert(eq(int, num_double("+1.5e2", &v), 0));
	cr_assert(epsilon_eq(dbl, v, 150, 1e-12));
	cr_assert(eq(int, num_double(".5", &v), 0));
	cr_assert(epsilon_eq(dbl, v, 0.5, 1e-15));
	cr_assert(eq(int, num_double("-0", &v), 0));
	cr_assert(eq(int, signbit(v) != 0, 0), "-0 is read as 0");
}

Test(core_num, refuses_blanks_hex_and_infinities)
{
	static const char *const bad[] = {"",    " 1",  "1 ", "0x1p3", "inf", "-Infinity",
	                                  "nan", "1,5", "e5", ".",     "1e",  "--1"};
	double v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert(eq(int, num_double(bad[i], &v), NUM_BAD), "'%s'", bad[i]);
		cr_assert(epsilon_eq(dbl, v, 7, 0), "untouched after '%s'", bad[i]);
	}
	cr_assert(eq(int, num_double("1e400", &v), NUM_RANGE));
	cr_assert(eq(int, num_double("1e-400", &v), NUM_RANGE));
}
