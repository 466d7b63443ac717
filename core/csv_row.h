/* csv_row.h - one CSV record as the reader hands it out (core/csv.h), on
 * its own so that the read-ahead ring (core/csv_prefetch.h) needs nothing
 * else of the reader. */
#ifndef AMB_CORE_CSV_ROW_H
#define AMB_CORE_CSV_ROW_H

#include <stddef.h>
#include <stdint.h>

/* One record. Borrowed from the reader: valid until the next call to
 * csv_reader_next or csv_reader_close. Fields are NUL-terminated (they can
 * hold no NUL byte) and lens[i] == strlen(fields[i]). */
struct csv_row {
	size_t count;
	const char *const *fields;
	const size_t *lens;
	int64_t line;   /* line on which the record starts, 1-based */
	int64_t number; /* record number, 1-based; the header is record 1 */
};

#endif
