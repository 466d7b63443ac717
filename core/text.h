/* text.h - comparing text as people read it: Unicode NFC normalisation and
 * case folding (utf8proc), so "Á" written precomposed in a codebook and "á"
 * written as "a" + a combining accent in an export are the same. */
#ifndef AMB_CORE_TEXT_H
#define AMB_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* The first `len` bytes of `s` normalised to NFC and case-folded, into out
 * (NUL-terminated, truncated to size - 1 bytes at a character boundary).
 * Text that is not valid UTF-8 is copied with ASCII letters lowered. */
void text_fold(char *out, size_t size, const char *s, size_t len);

/* True when a and b are equal after text_fold. */
bool text_equal(const char *a, size_t alen, const char *b, size_t blen);

#endif
