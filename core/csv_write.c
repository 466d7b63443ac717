/* csv_write.c - the CSV writer: fields quoted when a reader would trim or
 * split them, text cells that a spreadsheet would run as a formula
 * neutralised with a leading apostrophe, and the check for control
 * characters that text fields reaching a terminal are refused with. */
#include <stdio.h>
#include <string.h>

#include "core/csv.h"
#include "core/csv_internal.h"

bool csv_find_control(const char *s, size_t len, unsigned *out_cp, size_t *out_pos)
{
	size_t pos = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch & 0xC0) != 0x80)
			pos++;
		if (ch < 0x20 || ch == 0x7f) {
			*out_cp = ch;
			*out_pos = pos;
			return true;
		}
		/* C1 in UTF-8 is C2 80..C2 9F. */
		if (ch == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] < 0xA0) {
			*out_cp = (unsigned char)s[i + 1];
			*out_pos = pos;
			return true;
		}
	}
	return false;
}

void csv_write_field(FILE *f, const char *s, bool numeric)
{
	csv_write_field_sep(f, s, numeric, ',');
}

void csv_write_field_sep(FILE *f, const char *s, bool numeric, char sep)
{
	size_t len = s ? strlen(s) : 0;
	const char specials[] = {sep, '"', '\r', '\n', '\0'};
	bool formula = !numeric && len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	/* What the reader would trim or split on is protected by quotes. The
	 * apostrophe, when added, comes first, so a leading blank is then no
	 * longer leading. A cell starting with U+FEFF is quoted too: first in a
	 * file, a reader would take it for a byte-order mark and drop it. */
	bool quote =
	    len > 0 && ((!formula && is_blank(s[0])) || is_blank(s[len - 1]) ||
	                strpbrk(s, specials) != NULL || strncmp(s, "\xEF\xBB\xBF", 3) == 0);

	if (quote)
		fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (size_t i = 0; i < len;) {
		const char *q = quote ? memchr(s + i, '"', len - i) : NULL;
		size_t run = q ? (size_t)(q - (s + i)) + 1 : len - i;

		fwrite(s + i, 1, run, f);
		if (q)
			fputc('"', f); /* the quote is doubled */
		i += run;
	}
	if (quote)
		fputc('"', f);
}

void csv_write_row(FILE *f, size_t count, const char *const *fields)
{
	/* A lone empty field would be a blank line, which readers skip. */
	if (count == 1 && (!fields[0] || !fields[0][0])) {
		fputs("\"\"\n", f);
		return;
	}
	for (size_t i = 0; i < count; i++) {
		if (i > 0)
			fputc(',', f);
		csv_write_field(f, fields[i], false);
	}
	fputc('\n', f);
}
