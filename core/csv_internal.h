/* csv_internal.h - shared by the CSV files only (core/csv_header.c,
 * core/csv_write.c); nothing else may include this. */
#ifndef AMB_CORE_CSV_INTERNAL_H
#define AMB_CORE_CSV_INTERNAL_H

#include <stdbool.h>

/* What the reader trims from unquoted fields: spaces and tabs. */
static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

#endif
