/* csv.c - the strict, streaming CSV reader over libcsv. Header names are
 * matched in csv_header.c; the writer is csv_write.c.
 *
 * A reader owns its name, a 64 KiB chunk buffer (file input only; memory
 * input is read in place), one libcsv parser and the storage of the current
 * record. Rows handed out borrow that storage until the next call.
 *
 * Bytes are scanned here before libcsv sees them: UTF-8 validity, NUL bytes,
 * line counting and where each record starts. Each csv_parse call gets one
 * "piece" of input that ends just after the first line terminator (CR or LF)
 * or at the end of the chunk. Hence:
 *  - every byte of a piece but its last lies on one line, so the line and
 *    byte column of a parse error are exact;
 *  - a record ends only at a terminator outside quotes (or at csv_fini), so
 *    at most one record completes per piece and no queue of records is
 *    needed: csv_reader_next feeds pieces until one completes a record.
 * libcsv's field buffer grows with the field and has no cap of its own; it is
 * checked against opts.max_field after every piece (and each finished field
 * in the field callback), so memory stays below the cap plus one chunk.
 *
 * Errors are sticky: the first one is kept, with its message, and returned
 * again by every later call.
 */
#include "core/csv.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/csv_prefetch.h"
#include "core/err.h"
#include "core/mem.h"

#define CHUNK_SIZE   (64 * 1024)
#define LIBCSV_BLOCK 4096 /* libcsv grows its field buffer by this much */
#define FIELD_SEP    0x1F /* digest: after each field */
#define RECORD_SEP   0x1E /* digest: after each record */
#define DIGEST_STAGE (64 * 1024)
#define ERRBUF_SIZE  1024

/* Streaming UTF-8 validator: a sequence may straddle chunks. */
struct utf8_state {
	unsigned need;        /* continuation bytes still expected */
	unsigned char lo, hi; /* allowed range of the next continuation byte */
	unsigned char lead;   /* first byte of the open sequence */
	uint64_t start;       /* offset of that byte */
};

struct csv_reader {
	char *name;
	csv_prefetch *pf; /* reading ahead in a thread, or NULL */
	FILE *f;          /* NULL for memory input */
	bool own_f;       /* false for stdin */
	unsigned char *buf;
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	const unsigned char *chunk; /* current window: buf, or a part of mem */
	size_t chunk_len, chunk_pos;
	bool started; /* the first chunk was seen (BOM checks done) */
	bool at_eof;  /* input exhausted and csv_fini called */
	uint64_t size;
	uint64_t offset; /* absolute offset of chunk[chunk_pos] */

	iconv_t cd;           /* (iconv_t)-1: the input is UTF-8 */
	unsigned char *conv;  /* the chunk converted to UTF-8 */
	const char *encoding; /* its name, for messages */
	bool sniff;           /* choose ',' or ';' from the first line */

	struct csv_parser parser;
	bool parser_ready;
	size_t max_field, max_columns;
	unsigned char delim;
	bool ragged;

	/* Where the next byte is: its line, where that line starts, and whether
	 * the previous byte was a CR (so that an LF right after it is not a
	 * second line end). */
	int64_t line;
	uint64_t line_start;
	bool prev_cr;
	struct utf8_state u8;

	/* The record being built, or the one just handed out. */
	bool in_record; /* a non-blank byte of it was seen */
	int64_t rec_line;
	uint64_t rec_col;
	int64_t quote_line; /* line where the open quoted field began, or 0 */
	struct buf data;    /* field bytes, each followed by a NUL */
	size_t *offs, *lens;
	const char **ptrs;
	size_t count, cap;
	bool have_row;
	int64_t number;
	size_t ncols; /* fields in the first record */

	struct sha256 sha;
	struct buf stage; /* digest input not yet hashed */
	int err;
	char errbuf[ERRBUF_SIZE];
};

/* Keep the first error with its "NAME:LINE:COL: " prefix (no position when
 * line is 0) and set it as the thread's message. Returns the kept code. */
__attribute__((format(printf, 5, 6))) static int reader_fail(csv_reader *r, int code, int64_t line,
                                                             uint64_t col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->err)
		return r->err;
	if (line > 0)
		n = snprintf(r->errbuf, sizeof(r->errbuf), "%s:%" PRId64 ":%" PRIu64 ": ", r->name,
		             line, col);
	else
		n = snprintf(r->errbuf, sizeof(r->errbuf), "%s: ", r->name);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(r->errbuf))
		n = (int)sizeof(r->errbuf) - 1;
	va_start(ap, fmt);
	vsnprintf(r->errbuf + n, sizeof(r->errbuf) - (size_t)n, fmt, ap);
	va_end(ap);
	r->err = code;
	return err_set(code, "%s", r->errbuf);
}

/* The kept error, set again as the thread's message. */
static int reader_error(const csv_reader *r)
{
	return err_set(r->err, "%s", r->errbuf);
}

/* 1-based byte column of absolute offset `off` on the current line. */
static uint64_t col_of(const csv_reader *r, uint64_t off)
{
	return off - r->line_start + 1;
}

/* ---- UTF-8 ---- */

/* Why the sequence in progress (or a new one) cannot take byte `b`. */
static const char *utf8_reason(const struct utf8_state *u, unsigned char b)
{
	bool cont = b >= 0x80 && b <= 0xBF;

	if (u->need == 0) {
		if (cont)
			return "unexpected continuation byte";
		if (b == 0xC0 || b == 0xC1)
			return "overlong encoding";
		return "byte never valid in UTF-8";
	}
	if (!cont)
		return "truncated sequence (Windows-1252 or Latin-1 text? save the file as UTF-8)";
	if (u->lead == 0xED)
		return "UTF-16 surrogate (U+D800..U+DFFF)";
	if (u->lead == 0xF4)
		return "code point above U+10FFFF";
	return "overlong encoding";
}

/* Bytes Windows-1252 leaves undefined. */
static bool cp1252_byte(unsigned char b)
{
	return b >= 0x80 && b != 0x81 && b != 0x8D && b != 0x8F && b != 0x90 && b != 0x9D;
}

/* Report an encoding error at byte `b`, the byte at r->offset, which the
 * validator refused (or a NUL byte). */
static int encoding_error(csv_reader *r, unsigned char b)
{
	const struct utf8_state *u = &r->u8;

	if (b == 0 && u->need == 0)
		return reader_fail(r, ERR_INVALID, r->line, col_of(r, r->offset),
		                   "NUL byte at byte offset %" PRIu64 " (binary or UTF-16 file?)",
		                   r->offset);
	/* A high byte that Windows-1252 defines: most likely Excel's "CSV". */
	const char *hint = b != 0 && !r->encoding && cp1252_byte(u->need ? u->lead : b)
	                       ? "; the file is not UTF-8 but reads as Windows-1252, as Excel "
	                         "saves \"CSV\": add --encoding cp1252 (or save it as \"CSV "
	                         "UTF-8\")"
	                       : "";
	if (u->need == 0)
		return reader_fail(r, ERR_INVALID, r->line, col_of(r, r->offset),
		                   "invalid UTF-8 at byte offset %" PRIu64 ": byte 0x%02X, %s%s",
		                   r->offset, b, utf8_reason(u, b), hint);
	/* The sequence started on this line: it cannot hold a terminator. */
	return reader_fail(r, ERR_INVALID, r->line, col_of(r, u->start),
	                   "invalid UTF-8 at byte offset %" PRIu64
	                   ": byte 0x%02X then 0x%02X, %s%s",
	                   u->start, u->lead, b, utf8_reason(u, b), hint);
}

/* Start a sequence at lead byte `b` (>= 0x80). False when `b` cannot lead. */
static bool utf8_lead(struct utf8_state *u, unsigned char b, uint64_t off)
{
	if (b < 0xC2 || b > 0xF4)
		return false;
	u->lead = b;
	u->start = off;
	u->lo = 0x80;
	u->hi = 0xBF;
	if (b < 0xE0) {
		u->need = 1;
	} else if (b < 0xF0) {
		u->need = 2;
		if (b == 0xE0)
			u->lo = 0xA0; /* below: overlong */
		else if (b == 0xED)
			u->hi = 0x9F; /* above: surrogates */
	} else {
		u->need = 3;
		if (b == 0xF0)
			u->lo = 0x90; /* below: overlong */
		else if (b == 0xF4)
			u->hi = 0x8F; /* above: past U+10FFFF */
	}
	return true;
}

/* ---- libcsv callbacks ---- */

/* The field being built (or just ended) is longer than the cap: name the
 * record's line and the field number. A quoted field that spans lines is
 * most often a missing closing quote, so say where it opened. */
static int field_too_long(csv_reader *r)
{
	int64_t line = r->in_record ? r->rec_line : r->line;

	if (r->quote_line > 0 && r->quote_line < r->line)
		return reader_fail(r, ERR_LIMIT, line, (uint64_t)r->count + 1,
		                   "field longer than %zu bytes (the quoted field opened on line "
		                   "%" PRId64 " may lack its closing quote)",
		                   r->max_field, r->quote_line);
	return reader_fail(r, ERR_LIMIT, line, (uint64_t)r->count + 1,
	                   "field longer than %zu bytes", r->max_field);
}

static void record_grow(csv_reader *r)
{
	size_t cap = r->cap ? 2 * r->cap : 16;

	if (cap > r->max_columns)
		cap = r->max_columns;
	r->offs = xreallocarray(r->offs, cap, sizeof(*r->offs));
	r->lens = xreallocarray(r->lens, cap, sizeof(*r->lens));
	r->ptrs = xreallocarray(r->ptrs, cap, sizeof(*r->ptrs));
	r->cap = cap;
}

/* libcsv field callback: copy the field into the current record. With
 * CSV_APPEND_NULL, s[len] is a NUL that is copied too. */
static void on_field(void *s, size_t len, void *data)
{
	csv_reader *r = data;

	if (r->err)
		return;
	if (len > r->max_field) {
		field_too_long(r);
		return;
	}
	if (r->count == r->max_columns) {
		reader_fail(r, ERR_INVALID, r->rec_line, (uint64_t)r->max_columns + 1,
		            "more than %zu fields", r->max_columns);
		return;
	}
	if (r->count == r->cap)
		record_grow(r);
	r->offs[r->count] = r->data.len;
	r->lens[r->count] = len;
	if (s)
		buf_append(&r->data, s, len + 1);
	else
		buf_append(&r->data, "", 1);
	r->count++;
	r->quote_line = 0;
}

/* libcsv record callback: check the field count, expose and hash the
 * record. `c` is the terminator, or -1 at csv_fini. */
static void on_record(int c, void *data)
{
	csv_reader *r = data;
	uint8_t sep;

	(void)c;
	if (r->err)
		return;
	if (!r->in_record) { /* not expected: every record has a non-blank byte */
		r->rec_line = r->line;
		r->rec_col = 1;
	}
	if (!r->ragged && r->number == 0) {
		r->ncols = r->count;
	} else if (!r->ragged && r->count != r->ncols) {
		size_t at = r->count < r->ncols ? r->count + 1 : r->ncols + 1;

		reader_fail(r, ERR_INVALID, r->rec_line, at, "expected %zu fields, found %zu",
		            r->ncols, r->count);
		return;
	}
	r->number++;
	/* The record's fields sit back to back in data, each followed by a
	 * NUL: copy them into the digest stage in one piece and turn each NUL
	 * into the field separator. The stage is hashed in large pieces. */
	if (r->count) {
		size_t first = r->offs[0], base = r->stage.len;
		buf_append(&r->stage, r->data.data + first, r->data.len - first);
		for (size_t i = 0; i < r->count; i++) {
			r->ptrs[i] = r->data.data + r->offs[i];
			r->stage.data[base + (r->offs[i] - first) + r->lens[i]] = FIELD_SEP;
		}
	}
	sep = RECORD_SEP;
	buf_append(&r->stage, &sep, 1);
	if (r->stage.len >= DIGEST_STAGE) {
		sha256_update(&r->sha, r->stage.data, r->stage.len);
		r->stage.len = 0;
	}
	r->have_row = true;
	r->in_record = false;
}

/* ---- feeding libcsv ---- */

/* Scan up to `avail` bytes at `p`: validate them, note where a record
 * starts, and stop just after the first line terminator. Returns how many
 * bytes may go to libcsv; *term tells whether the last one is a terminator,
 * *bad whether the byte right after them was refused. */
static size_t scan_piece(csv_reader *r, const unsigned char *p, size_t avail, bool *term, bool *bad)
{
	struct utf8_state *u = &r->u8;
	size_t i;

	*term = *bad = false;
	for (i = 0; i < avail; i++) {
		unsigned char b = p[i];

		if (u->need) {
			if (b < u->lo || b > u->hi) {
				*bad = true;
				return i;
			}
			u->lo = 0x80;
			u->hi = 0xBF;
			u->need--;
			continue;
		}
		if (b == '\r' || b == '\n') {
			*term = true;
			return i + 1;
		}
		if (b == 0 || (b >= 0x80 && !utf8_lead(u, b, r->offset + i))) {
			*bad = true;
			return i;
		}
		/* libcsv skips blank lines and leading spaces: a record starts at
		 * its first other byte. */
		if (!r->in_record && ((b != ' ' && b != '\t') || b == r->delim)) {
			r->in_record = true;
			r->rec_line = r->line;
			r->rec_col = col_of(r, r->offset + i);
		}
	}
	return i;
}

/* After a piece, see whether the field libcsv holds is already too long.
 * The bytes it holds that may still be dropped (trailing spaces of an
 * unquoted field, spaces and the closing quote after a quoted one) are not
 * counted, so this only refuses fields that on_field would refuse; a run
 * of more than one chunk of such spaces is refused too, to bound memory. */
static int check_field_size(csv_reader *r)
{
	const struct csv_parser *p = &r->parser;
	size_t trail = p->spaces + (p->quoted ? 1 : 0);
	size_t held = p->entry_pos > trail ? p->entry_pos - trail : 0;

	if (held <= r->max_field && p->entry_pos - held <= CHUNK_SIZE)
		return 0;
	return field_too_long(r);
}

/* csv_parse stopped at absolute offset `off`, on the current line. */
static int parse_error(csv_reader *r, uint64_t off)
{
	int e = csv_error(&r->parser);

	if (e != CSV_EPARSE) /* CSV_ENOMEM, or CSV_ETOOBIG: a field beyond size_t */
		return reader_fail(r, e == CSV_ENOMEM ? ERR_NOMEM : ERR_LIMIT, r->line,
		                   col_of(r, off), "%s", csv_strerror(e));
	if (!r->parser.quoted)
		return reader_fail(r, ERR_INVALID, r->line, col_of(r, off),
		                   "misplaced quote: a quote inside an unquoted field (quote the "
		                   "whole field and double the quote)");
	return reader_fail(r, ERR_INVALID, r->line, col_of(r, off),
	                   "misplaced quote: text after the closing quote of a quoted field "
	                   "(a quote inside a quoted field must be doubled)");
}

/* A piece ending in terminator `b` was consumed; `alone` when the piece was
 * only that byte (so an LF may complete a CRLF). */
static void end_line(csv_reader *r, unsigned char b, bool alone)
{
	if (b == '\n' && r->prev_cr && alone) {
		r->prev_cr = false;
	} else {
		r->line++;
		r->prev_cr = b == '\r';
	}
	r->line_start = r->offset;
}

/* Scan and parse the next piece of the current chunk. */
static int feed_piece(csv_reader *r)
{
	const unsigned char *p = r->chunk + r->chunk_pos;
	size_t avail = r->chunk_len - r->chunk_pos;
	bool term, bad;
	size_t n = scan_piece(r, p, avail, &term, &bad);
	int rc;

	if (n > 0) {
		size_t got = csv_parse(&r->parser, p, n, on_field, on_record, r);

		if (r->err)
			return reader_error(r);
		if (r->parser.quoted && r->quote_line == 0)
			r->quote_line = r->line;
		/* Size first: a field that grew past the cap before a misplaced
		 * quote is refused for its size, as it would be had the chunk
		 * ended between the two. */
		if ((rc = check_field_size(r)) < 0)
			return rc;
		if (got < n)
			return parse_error(r, r->offset + got);
		r->offset += n;
		r->chunk_pos += n;
		if (term)
			end_line(r, p[n - 1], n == 1);
		else
			r->prev_cr = false;
	}
	if (bad)
		return encoding_error(r, p[n]);
	return 0;
}

/* Convert the chunk from a single-byte encoding to UTF-8 (at most three
 * bytes per byte), so no sequence straddles two chunks. */
static int convert_chunk(csv_reader *r)
{
	char *in = (char *)r->chunk, *out = (char *)r->conv;
	size_t inleft = r->chunk_len, outleft = 3 * CHUNK_SIZE;

	iconv(r->cd, NULL, NULL, NULL, NULL);
	if (iconv(r->cd, &in, &inleft, &out, &outleft) == (size_t)-1)
		return reader_fail(r, ERR_INVALID, r->line, 1,
		                   "byte 0x%02X (%zu bytes into this block of the file) is not "
		                   "%s; check --encoding",
		                   (unsigned char)*in, r->chunk_len - inleft, r->encoding);
	r->chunk = r->conv;
	r->chunk_len = 3 * CHUNK_SIZE - outleft;
	return 0;
}

/* ';' instead of ',' when the first line has more of them outside quotes. */
static void sniff_delimiter(csv_reader *r)
{
	size_t commas = 0, semis = 0;
	bool quoted = false;

	for (size_t i = r->chunk_pos; i < r->chunk_len; i++) {
		unsigned char c = r->chunk[i];
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == '\n' || c == '\r'))
			break;
		else if (!quoted)
			commas += c == ',', semis += c == ';';
	}
	if (semis > commas) {
		r->delim = ';';
		csv_set_delim(&r->parser, ';');
	}
}

/* Load the next chunk; chunk_len is 0 at the end of the input. The first
 * chunk is checked for byte-order marks. */
static int reader_fill(csv_reader *r)
{
	size_t n;

	if (r->f) {
		n = fread(r->buf, 1, CHUNK_SIZE, r->f);
		if (n < CHUNK_SIZE && ferror(r->f))
			return reader_fail(r, ERR_IO, 0, 0,
			                   "read failed at byte offset %" PRIu64 ": %s",
			                   r->offset + n, strerror(errno));
		r->chunk = r->buf;
	} else {
		n = r->mem_len - r->mem_pos;
		if (n > CHUNK_SIZE)
			n = CHUNK_SIZE;
		r->chunk = r->mem + r->mem_pos;
		r->mem_pos += n;
	}
	r->chunk_len = n;
	r->chunk_pos = 0;
	if (r->cd != (iconv_t)-1 && n && convert_chunk(r) < 0)
		return r->err;
	if (r->started)
		return 0;
	r->started = true;
	if (r->sniff)
		sniff_delimiter(r);
	if (n >= 2 && ((r->chunk[0] == 0xFF && r->chunk[1] == 0xFE) ||
	               (r->chunk[0] == 0xFE && r->chunk[1] == 0xFF)))
		return reader_fail(
		    r, ERR_INVALID, 1, 1,
		    "the file looks like UTF-16 (byte-order mark %02X %02X); save it "
		    "as UTF-8",
		    r->chunk[0], r->chunk[1]);
	if (n >= 3 && r->chunk[0] == 0xEF && r->chunk[1] == 0xBB && r->chunk[2] == 0xBF) {
		r->chunk_pos = 3;
		r->offset = 3;
		r->line_start = 3; /* columns count from after the BOM */
	}
	return 0;
}

/* End of input: a cut-off sequence, an open quote, or the last record. */
static int reader_finish(csv_reader *r)
{
	const struct utf8_state *u = &r->u8;

	r->at_eof = true;
	if (u->need)
		return reader_fail(r, ERR_INVALID, r->line, col_of(r, u->start),
		                   "invalid UTF-8 at byte offset %" PRIu64
		                   ": sequence starting with byte 0x%02X cut off at end of input%s",
		                   u->start, u->lead,
		                   !r->encoding && cp1252_byte(u->lead)
		                       ? "; the file is not UTF-8 but reads as Windows-1252: add "
		                         "--encoding cp1252"
		                       : "");
	if (csv_fini(&r->parser, on_field, on_record, r) != 0) {
		if (r->quote_line > 0 && r->quote_line != r->rec_line)
			return reader_fail(r, ERR_INVALID, r->rec_line, r->rec_col,
			                   "unterminated quoted field in the record starting here "
			                   "(quote opened on line %" PRId64 ")",
			                   r->quote_line);
		return reader_fail(r, ERR_INVALID, r->rec_line, r->rec_col,
		                   "unterminated quoted field in the record starting here");
	}
	if (r->err)
		return reader_error(r);
	return 0;
}

/* ---- public API ---- */

static int reader_new(csv_reader **out, const char *name, const struct csv_reader_opts *opts)
{
	csv_reader *r;
	unsigned char delim = opts && opts->delimiter ? (unsigned char)opts->delimiter : ',';

	*out = NULL;
	/* The delimiter comes from a profile; one that libcsv or the UTF-8
	 * check would misread is refused rather than asserted. */
	if (delim == '"' || delim == '\r' || delim == '\n' || delim >= 0x80)
		return err_set(ERR_INVALID, "%s: invalid CSV delimiter 0x%02X", name, delim);
	r = xcalloc(1, sizeof(*r));
	r->name = xstrdup(name);
	r->max_field = opts && opts->max_field ? opts->max_field : CSV_DEFAULT_MAX_FIELD;
	r->max_columns = opts && opts->max_columns ? opts->max_columns : CSV_DEFAULT_MAX_COLUMNS;
	r->delim = delim;
	r->ragged = opts && opts->ragged;
	r->sniff = opts && opts->sniff_delimiter && !opts->delimiter;
	r->cd = (iconv_t)-1;
	if (opts && opts->encoding && strcasecmp(opts->encoding, "utf-8") != 0 &&
	    strcasecmp(opts->encoding, "utf8") != 0) {
		if (csv_encoding_check(opts->encoding)) {
			csv_reader_close(&r);
			return err_set(ERR_USAGE, "%s: unknown encoding '%s'", name,
			               opts->encoding);
		}
		r->encoding = opts->encoding;
		r->cd = iconv_open("UTF-8",
		                   strcasestr(opts->encoding, "1252") ? "CP1252" : "ISO-8859-1");
		if (r->cd == (iconv_t)-1) {
			csv_reader_close(&r);
			return err_set(ERR_INTERNAL, "%s: iconv cannot convert from %s", name,
			               opts->encoding);
		}
		r->conv = xmalloc(3 * CHUNK_SIZE);
	}
	r->line = 1;
	sha256_init(&r->sha);
	if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		csv_reader_close(&r);
		return err_set(ERR_INTERNAL, "%s: csv_init failed", name);
	}
	r->parser_ready = true;
	csv_set_delim(&r->parser, delim);
	csv_set_blk_size(&r->parser, LIBCSV_BLOCK);
	*out = r;
	return 0;
}

/* The reader as the read-ahead thread's row source (below). */
static int source_next(void *ctx, struct csv_row *out);
static uint64_t source_bytes_read(const void *ctx);
static int source_error_again(const void *ctx);

int csv_reader_open(csv_reader **out, const char *path, const struct csv_reader_opts *opts)
{
	bool is_stdin = strcmp(path, "-") == 0;
	csv_reader *r = NULL;
	FILE *f;
	struct stat st;
	int rc;

	*out = NULL;
	f = is_stdin ? stdin : fopen(path, "rb");
	if (!f)
		return err_set(ERR_IO, "cannot open %s: %s", path, strerror(errno));
	rc = reader_new(&r, is_stdin ? "<stdin>" : path, opts);
	if (rc < 0)
		goto cleanup;
	r->f = f;
	r->own_f = !is_stdin;
	f = NULL;
	r->buf = xmalloc(CHUNK_SIZE);
	if (fstat(fileno(r->f), &st) == 0 && S_ISREG(st.st_mode))
		r->size = (uint64_t)st.st_size;
	/* Without a thread the file is read directly: that is only slower. */
	if (opts && opts->prefetch_from && r->size >= opts->prefetch_from &&
	    csv_prefetch_start(&r->pf, &(struct csv_row_source){r, source_next, source_bytes_read,
	                                                        source_error_again}) < 0)
		r->pf = NULL;
	*out = r;
cleanup:
	if (f && !is_stdin)
		fclose(f);
	return rc;
}

int csv_reader_open_mem(csv_reader **out, const char *name, const void *data, size_t len,
                        const struct csv_reader_opts *opts)
{
	int rc = reader_new(out, name, opts);

	if (rc < 0)
		return rc;
	(*out)->mem = data;
	(*out)->mem_len = data ? len : 0;
	(*out)->size = (*out)->mem_len;
	return 0;
}

/* The reader's own next, without read-ahead (the prefetch thread's
 * source). */
static int reader_next_direct(csv_reader *r, struct csv_row *out)
{
	int rc;

	if (r->err)
		return reader_error(r);
	if (r->have_row) { /* the row handed out last time is released */
		r->have_row = false;
		r->count = 0;
		buf_reset(&r->data);
	}
	while (!r->have_row && !r->at_eof) {
		if (r->chunk_pos < r->chunk_len)
			rc = feed_piece(r);
		else if ((rc = reader_fill(r)) == 0 && r->chunk_len == 0)
			rc = reader_finish(r);
		if (rc < 0)
			return rc;
	}
	if (!r->have_row)
		return 0;
	out->count = r->count;
	out->fields = r->ptrs;
	out->lens = r->lens;
	out->line = r->rec_line;
	out->number = r->number;
	return 1;
}

int csv_reader_next(csv_reader *r, struct csv_row *out)
{
	return r->pf ? csv_prefetch_next(r->pf, out) : reader_next_direct(r, out);
}

/* --- the source the read-ahead thread pulls from ----------------------- */

static int source_next(void *ctx, struct csv_row *out)
{
	return reader_next_direct(ctx, out);
}

static uint64_t source_bytes_read(const void *ctx)
{
	return ((const csv_reader *)ctx)->offset;
}

static int source_error_again(const void *ctx)
{
	return reader_error(ctx);
}

void csv_reader_digest(csv_reader *r, uint8_t out[SHA256_LEN])
{
	struct sha256 s;

	/* Normally called after the last row, when the thread has finished;
	 * otherwise it is stopped first, so the digest is not being written. */
	if (r->pf && !csv_prefetch_done(r->pf))
		csv_prefetch_stop(&r->pf);
	sha256_copy(&s, &r->sha);

	if (r->stage.len)
		sha256_update(&s, r->stage.data, r->stage.len);
	sha256_final(&s, out);
}

uint64_t csv_reader_bytes_read(const csv_reader *r)
{
	return r->pf ? csv_prefetch_bytes_read(r->pf) : r->offset;
}

char csv_reader_delimiter(const csv_reader *r)
{
	return (char)r->delim;
}

int csv_encoding_check(const char *name)
{
	static const char *const known[] = {"utf-8",        "utf8",   "cp1252",
	                                    "windows-1252", "latin1", "iso-8859-1"};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcasecmp(name, known[i]))
			return 0;
	return err_set(ERR_USAGE, "--encoding is utf-8, cp1252 or latin1, not '%s'", name);
}

uint64_t csv_reader_size(const csv_reader *r)
{
	return r->size;
}

const char *csv_reader_name(const csv_reader *r)
{
	return r->name;
}

#define CSV_STR_(x) #x
#define CSV_STR(x)  CSV_STR_(x)

const char *csv_library_version(void)
{
	return CSV_STR(CSV_MAJOR) "." CSV_STR(CSV_MINOR) "." CSV_STR(CSV_RELEASE);
}

void csv_reader_close(csv_reader **rp)
{
	csv_reader *r;

	if (!rp || !*rp)
		return;
	r = *rp;
	csv_prefetch_stop(&r->pf); /* before anything the thread uses goes */
	if (r->parser_ready)
		csv_free(&r->parser);
	if (r->f && r->own_f)
		fclose(r->f);
	free(r->buf);
	free(r->conv);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->name);
	buf_free(&r->data);
	buf_free(&r->stage);
	sha256_clear(&r->sha);
	free(r->offs);
	free(r->lens);
	free(r->ptrs);
	free(r);
	*rp = NULL;
}
