/* csv_prefetch.h - reading ahead in a thread of its own (core/csv.c's
 * helper; not a public interface). A large file is parsed, checked and
 * digested by a producer thread into a ring of row blocks while the
 * importer validates and stores the rows before them: on two cores the
 * parsing costs the import almost nothing.
 *
 * The producer pulls rows from a source (the reader's direct functions);
 * the consumer gets the same rows, in the same order, with the same error
 * at the same place, as without read-ahead. Rows stay valid until the
 * next call, as always. The ring knows rows only (core/csv_row.h), not
 * the reader. */
#ifndef AMB_CORE_CSV_PREFETCH_H
#define AMB_CORE_CSV_PREFETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/csv_row.h"

typedef struct csv_prefetch csv_prefetch;

/* Where the rows come from. next runs on the producer thread: 1 with a
 * row, 0 at the end, or a negative err_code; error_again (on the
 * consumer's thread, after the producer stopped) sets that error again as
 * the caller's message and returns it; bytes_read is the input consumed. */
struct csv_row_source {
	void *ctx;
	int (*next)(void *ctx, struct csv_row *out);
	uint64_t (*bytes_read)(const void *ctx);
	int (*error_again)(const void *ctx);
};

/* Start reading ahead of src (copied; its ctx must outlive the ring).
 * Returns 0 or an error (then the source is read directly). */
int csv_prefetch_start(csv_prefetch **out, const struct csv_row_source *src);
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
