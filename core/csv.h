/* csv.h - a strict, streaming CSV reader over libcsv, and a safe CSV writer.
 *
 * The reader pulls one record at a time. Memory is bounded whatever the file
 * size: a field longer than opts.max_field is an error (ERR_LIMIT with
 * "field too long"), and input is read in fixed-size chunks. The reader
 * itself counts lines (LF, CRLF and lone CR all end a line, quoted line
 * breaks included), so every error names file:line:column.
 *
 * Checks made here, each an ERR_INVALID with position:
 *  - libcsv strict mode (CSV_STRICT | CSV_STRICT_FINI): stray or unterminated
 *    quotes, junk after a closing quote;
 *  - the bytes are valid UTF-8 (no overlongs, surrogates, >U+10FFFF, cut-off
 *    sequences) and hold no NUL byte; a UTF-16 BOM is named as such; a file
 *    that is not UTF-8 but reads as Windows-1252 is named as such, with the
 *    option to give (opts.encoding converts it);
 *  - every record has as many fields as the first record (the header);
 *  - at most opts.max_columns fields.
 * A UTF-8 byte-order mark at the very start is skipped. Unquoted fields are
 * trimmed of spaces and tabs (libcsv's default); quoted fields are verbatim.
 * Empty lines between records are skipped.
 *
 * Column in a message: for syntax and encoding errors, the 1-based byte
 * column within the line; for a wrong field count, the field number.
 */
#ifndef AMB_CORE_CSV_H
#define AMB_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/csv_row.h"
#include "core/sha256.h"

#define CSV_DEFAULT_MAX_FIELD   (64 * 1024)
#define CSV_DEFAULT_MAX_COLUMNS 4096

typedef struct csv_reader csv_reader;

struct csv_reader_opts {
	size_t max_field;   /* bytes; 0 = CSV_DEFAULT_MAX_FIELD */
	size_t max_columns; /* 0 = CSV_DEFAULT_MAX_COLUMNS */
	char delimiter;     /* 0 = ',' */
	bool ragged;        /* true: do not check field counts (generic reading) */
	/* With delimiter 0: take ';' instead of ',' when the first line holds
	 * more semicolons than commas outside quotes (Excel in much of Europe). */
	bool sniff_delimiter;
	/* NULL or "utf-8": the input must be UTF-8. "cp1252" (Windows-1252,
	 * Excel's "CSV" on Western Windows) or "latin1" (ISO-8859-1): converted
	 * to UTF-8 through iconv as it is read; positions in messages then
	 * count the converted bytes. */
	const char *encoding;
	/* Parse in a thread of its own, ahead of the caller, when the input is
	 * a regular file of at least this many bytes (0: never). Rows, errors
	 * and the digest are the same either way. */
	uint64_t prefetch_from;
};

/* What importers use for prefetch_from. */
#define CSV_PREFETCH_FROM (4u << 20)

/* Open `path` for reading ("-" reads standard input). `name` in messages is
 * the path. opts may be NULL for the defaults. Returns 0 or ERR_IO. */
int csv_reader_open(csv_reader **out, const char *path, const struct csv_reader_opts *opts);

/* Read from memory (tests, fuzzing). `name` is used in messages. The buffer
 * is borrowed and must outlive the reader. */
int csv_reader_open_mem(csv_reader **out, const char *name, const void *data, size_t len,
                        const struct csv_reader_opts *opts);

/* Next record into *out. Returns 1 when a record was read, 0 at the end of
 * the input, or a negative err_code with err_msg() set to
 * "NAME:LINE:COL: reason". After an error every further call returns the
 * same error. */
int csv_reader_next(csv_reader *r, struct csv_row *out);

/* SHA-256 over the normalised records read so far (each field followed by
 * 0x1F, each record by 0x1E), so the same content hashes the same whatever
 * its quoting, line endings or BOM. Valid after csv_reader_next returned 0. */
void csv_reader_digest(csv_reader *r, uint8_t out[SHA256_LEN]);

/* The field delimiter in use (after sniffing). */
char csv_reader_delimiter(const csv_reader *r);

/* 0 when `name` is an encoding the reader takes (utf-8, cp1252,
 * windows-1252, latin1, iso-8859-1, any case), else ERR_USAGE. */
int csv_encoding_check(const char *name);

/* Bytes consumed and total size (0 when unknown, e.g. stdin): for progress. */
uint64_t csv_reader_bytes_read(const csv_reader *r);
uint64_t csv_reader_size(const csv_reader *r);
const char *csv_reader_name(const csv_reader *r);

void csv_reader_close(csv_reader **r);

/* The libcsv version built against, e.g. "3.0.3" (static; libcsv has no
 * run-time version call). */
const char *csv_library_version(void);

/* Header helpers: names are compared after trimming spaces and tabs, as
 * text_equal does (NFC, case folded: "Á" matches "á"). Returns the index
 * of `name` in the row or -1. */
int csv_header_find(const struct csv_row *header, const char *name);
/* True when two header names match under the same rule. */
bool csv_name_equal(const char *a, size_t alen, const char *b, size_t blen);

/* The first control character in `s` (len bytes of checked UTF-8): C0
 * (U+0000-U+001F, tab, CR and LF included), DEL or C1 (U+0080-U+009F).
 * Returns true with its code point and its 1-based character position, or
 * false when the text has none. Text fields that reach a terminal are
 * refused with this rather than printed (ESC, BEL, CR rewrite a screen). */
bool csv_find_control(const char *s, size_t len, unsigned *out_cp, size_t *out_pos);

/* CSV writer. Quotes a field when needed (delimiter, quote, CR, LF, leading
 * or trailing space) and, for text cells, neutralises spreadsheet formulas:
 * a cell starting with = + - @ TAB or CR gets a leading apostrophe.
 * `numeric` cells (numbers we produced) are written as they are. */
void csv_write_field(FILE *f, const char *s, bool numeric);

/* csv_write_field with another delimiter (e.g. ';' for spreadsheets set to
 * a locale whose decimal mark is a comma): a field holding `sep` is quoted. */
void csv_write_field_sep(FILE *f, const char *s, bool numeric, char sep);
/* Write a whole record of text cells, separated by commas, ending in LF. */
void csv_write_row(FILE *f, size_t count, const char *const *fields);

#endif
