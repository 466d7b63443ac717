/* import.h - what every import shares: one transaction with a ledger row,
 * the list of bad rows, the rejects CSV of --skip-invalid, progress, and
 * the summary counts.
 *
 * Policy: by default any bad row rejects the whole file; every bad row is
 * named (up to opts.max_errors) and nothing is stored. With skip_invalid
 * the good rows are kept and each bad row is written, with its line and
 * reason, to a rejects CSV next to the input (NAME.rejects.csv).
 */
#ifndef AMB_SURVEY_IMPORT_H
#define AMB_SURVEY_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/csv.h"
#include "core/store.h"

#define IMPORT_DEFAULT_MAX_ERRORS 20
#define IMPORT_MAX_NOTES          16

struct import_opts {
	bool skip_invalid;          /* keep good rows, write bad ones to a rejects CSV */
	size_t max_errors;          /* errors listed; 0 = IMPORT_DEFAULT_MAX_ERRORS */
	bool progress;              /* draw a progress line on stderr */
	const char *rejects_path;   /* NULL = INPUT.rejects.csv */
	struct csv_reader_opts csv; /* field cap, delimiter */
	bool force;                 /* import even content imported before */
	bool allow_departures;      /* roster: mark any share of people departed */
};

/* Named counters an importer adds to the summary, e.g. "not on roster". */
struct import_note {
	const char *label;
	int64_t count;
};

struct import_summary {
	int64_t import_id;
	int64_t rows_read, rows_kept, rows_rejected, rows_skipped;
	bool committed;       /* the import landed */
	bool duplicate;       /* the same content was imported before */
	bool duplicate_bytes; /* ... recognised by the file's bytes, rows not read */
	int64_t duplicate_of; /* its import id */
	struct {              /* the file as import_known_bytes hashed it */
		char sha256[2 * SHA256_LEN + 1];
		int64_t size, mtime_ns;
	} bytes;
	char rejects_path[1024]; /* "" when no rejects file was written */
	struct import_note notes[IMPORT_MAX_NOTES];
	size_t nnotes;
	char **errors;        /* "file:line:col: reason", up to max_errors */
	size_t nerrors;       /* listed */
	int64_t errors_total; /* all bad rows, listed or not */
};

/* Free the error list (the summary itself is caller-owned). */
void import_summary_clear(struct import_summary *sum);
/* Add `n` to the note `label` (a string literal). */
void import_note_add(struct import_summary *sum, const char *label, int64_t n);

typedef struct import_ctx import_ctx;

/* Before reading any row: hash the bytes of `path` (a regular file) and
 * look for a committed import of `kind` with the same bytes. Returns 1
 * when there is one (sum->duplicate, duplicate_bytes and duplicate_of
 * set: nothing to do), 0 otherwise (the hash is kept in sum->bytes for
 * import_begin to record), or an err_code. Nothing is checked with
 * opts->force, for standard input or a file that cannot be opened (the
 * import then says why). A file re-encoded (other quoting, line endings)
 * is still recognised, later, by the digest of its records. */
int import_known_bytes(store *s, const char *kind, const char *path, const struct import_opts *opts,
                       struct import_summary *sum);

/* Open `path`, begin the transaction and the ledger row of `kind`.
 * `header_rows` > 1 tells the reader to expect extra header rows; the
 * importer reads them itself. On failure nothing is left open. */
int import_begin(import_ctx **out, store *s, const char *kind, const char *path,
                 const struct import_opts *opts, struct import_summary *sum);

/* Begin an import whose input is several CSV texts, such as the members
 * of an archive: like import_begin, without a reader. `name` (the archive)
 * names the ledger row and the rejects file (NAME.rejects.csv, which then
 * holds only line and reason: the parts' columns differ). The ledger
 * digest covers every part's name and normalised records, in order. */
int import_begin_parts(import_ctx **out, store *s, const char *kind, const char *name,
                       const struct import_opts *opts, struct import_summary *sum);

/* Read the next part from memory: data (borrowed until the next
 * import_part or the end) becomes the reader; messages name it
 * NAME/part_name. Returns 0 or an err_code. */
int import_part(import_ctx *c, const char *part_name, const char *data, size_t len);

csv_reader *import_reader(import_ctx *c);
int64_t import_id(const import_ctx *c);
const char *import_name(const import_ctx *c);

/* Remember the header row (for the rejects CSV). */
void import_set_header(import_ctx *c, const struct csv_row *header);

/* Show only the columns i with shown[i] (after import_set_header) in the
 * rejects file: free text in other columns is never copied. */
void import_rejects_columns(import_ctx *c, const bool *shown, size_t n);

/* Next data row (counts rows_read, draws progress). 1, 0 at end, <0 error. */
int import_next(import_ctx *c, struct csv_row *row);

/* Record a bad row: `column` is the 0-based field index or -1 for the whole
 * row. The message is "NAME:LINE:COL: reason (column 'x')". Returns 0 when
 * the import can go on (always, unless writing the rejects file failed). */
int import_reject(import_ctx *c, const struct csv_row *row, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Count a row that was read but deliberately not stored (opted out, not on
 * the roster ...), under note `label`. */
void import_skip(import_ctx *c, const char *label);

/* Add n to the summary note `label` (a string literal). */
void import_note(import_ctx *c, const char *label, int64_t n);

/* Count a stored row. */
void import_keep(import_ctx *c);

/* Finish: with bad rows and no skip_invalid, roll back and return
 * ERR_INVALID ("N bad rows; nothing imported"). Otherwise write the ledger
 * (ERR_DUPLICATE and a rollback when the same content was imported before:
 * nothing changes) and commit. Frees the context either way. */
int import_end(import_ctx **c);

/* Abandon: roll back and free. For errors from the importer itself. */
void import_abort(import_ctx **c);

#endif
