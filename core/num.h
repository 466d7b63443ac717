/* num.h - the one strict parser of numbers written as text: command-line
 * options, settings, CSV cells and values kept in the store's meta table.
 *
 * Strict means the whole text is the number: no blanks around it, no '+'
 * on whole numbers, no hexadecimal, no "inf" or "nan". Neither function
 * sets a message (callers know what the text was and say so); errno is
 * left as it was.
 */
#ifndef AMB_CORE_NUM_H
#define AMB_CORE_NUM_H

#include <stdint.h>

#define NUM_BAD   (-1) /* not a number of the kind asked for */
#define NUM_RANGE (-2) /* a number, but outside the range allowed */

/* A whole decimal number: an optional '-' and digits only, within
 * [min, max]. Returns 0 and *out, or NUM_BAD / NUM_RANGE (*out untouched). */
int num_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* A finite decimal number: digits, signs, '.', 'e' or 'E' only, read by
 * strtod; "-0" is read as 0. Returns 0 and *out, NUM_BAD, or NUM_RANGE when
 * it overflows or underflows a double (*out untouched). */
int num_double(const char *s, double *out);

#endif
