/* csv_prefetch.h - reading ahead in a thread of its own (core/csv.c's
 * helper; not a public interface). A large file is parsed, checked and
 * digested by a producer thread into a ring of row blocks while the
 * importer validates and stores the rows before them: on two cores the
 * parsing costs the import almost nothing.
 *
 * The producer calls the reader's direct next function; the consumer gets
 * the same rows, in the same order, with the same error at the same place,
 * as without read-ahead. Rows stay valid until the next call, as always. */
#ifndef AMB_CORE_CSV_PREFETCH_H
#define AMB_CORE_CSV_PREFETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/csv.h"

typedef struct csv_prefetch csv_prefetch;

/* The reader's own next, which the producer thread calls. */
int csv_reader_next_direct(csv_reader *r, struct csv_row *out);
/* Input bytes the reader itself has consumed. */
uint64_t csv_reader_bytes_read_direct(const csv_reader *r);
/* The reader's kept error set again as this thread's message. */
int csv_reader_error_again(const csv_reader *r);

/* Start reading ahead of r. Returns 0 or an error (then r is read
 * directly). */
int csv_prefetch_start(csv_prefetch **out, csv_reader *r);
/* The next row, as csv_reader_next. */
int csv_prefetch_next(csv_prefetch *p, struct csv_row *out);
/* Input bytes consumed up to the rows handed out so far. */
uint64_t csv_prefetch_bytes_read(const csv_prefetch *p);
/* Whether the producer has finished (all rows handed out, or an error):
 * after that the reader's digest is final and safe to read. */
bool csv_prefetch_done(const csv_prefetch *p);
/* Stop the producer (if running), wait for it, free everything. */
void csv_prefetch_stop(csv_prefetch **p);

#endif
