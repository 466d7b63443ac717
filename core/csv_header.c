/* csv_header.c - matching header names: a name is compared after
 * trimming spaces and tabs, as text_equal compares text (NFC, case folded),
 * so "Employee ID " in an export matches "employee id" in a codebook. */
#include <limits.h>
#include <string.h>

#include "core/csv.h"
#include "core/csv_internal.h"
#include "core/text.h"

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_blank((*s)[*len - 1]))
		(*len)--;
}

bool csv_name_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	trim(&a, &alen);
	trim(&b, &blen);
	return text_equal(a, alen, b, blen);
}

int csv_header_find(const struct csv_row *header, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < header->count && i < INT_MAX; i++)
		if (csv_name_equal(header->fields[i], header->lens[i], name, len))
			return (int)i;
	return -1;
}
