/* text.c - NFC and case folding through utf8proc, the one module that uses
 * it. Pure functions: the caller owns every buffer. */
#include "core/text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static void ascii_fold(char *out, size_t size, const char *s, size_t len)
{
	size_t n = len < size - 1 ? len : size - 1;

	for (size_t i = 0; i < n; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	out[n] = '\0';
}

void text_fold(char *out, size_t size, const char *s, size_t len)
{
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t n;

	if (!size)
		return;
	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &mapped,
	                 UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
	if (n < 0) {
		ascii_fold(out, size, s, len);
		return;
	}
	if ((size_t)n >= size) {
		/* Cut before a continuation byte, never inside a character. */
		n = (utf8proc_ssize_t)size - 1;
		while (n > 0 && (mapped[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, mapped, (size_t)n);
	out[n] = '\0';
	free(mapped);
}

bool text_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	char fa[1024], fb[1024];
	bool ascii = true;

	for (size_t i = 0; i < alen && ascii; i++)
		ascii = (unsigned char)a[i] < 0x80;
	for (size_t i = 0; i < blen && ascii; i++)
		ascii = (unsigned char)b[i] < 0x80;
	if (ascii) {
		if (alen != blen)
			return false;
		for (size_t i = 0; i < alen; i++) {
			char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] - 'A' + 'a') : a[i];
			char y = b[i] >= 'A' && b[i] <= 'Z' ? (char)(b[i] - 'A' + 'a') : b[i];
			if (x != y)
				return false;
		}
		return true;
	}
	/* Names longer than the buffers compare on their first kilobyte. */
	text_fold(fa, sizeof(fa), a, alen);
	text_fold(fb, sizeof(fb), b, blen);
	return strcmp(fa, fb) == 0;
}
