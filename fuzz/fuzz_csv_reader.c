/* fuzz_csv_reader.c - libFuzzer target I1 (fuzzing, docs/testing.md, section 'Faults, fuzzing and
 * analysers'): bytes -> csv_reader_open_mem -> every record, with no database.
 *
 * The first byte picks the options (bit 0: ragged, bit 1: a 64-byte field
 * cap, bit 2: ';' as the delimiter); the rest is the file. Checks, besides
 * what ASan/UBSan see:
 *  - every row has count >= 1, fields NUL-terminated with lens[i] ==
 *    strlen(fields[i]), and lines that never go backwards;
 *  - an error is sticky and has a message naming the input;
 *  - round trip: an input read to its end without error, written back with
 *    csv_write_row and read again, gives the same records, except that the
 *    writer puts an apostrophe before a cell a spreadsheet would run as a
 *    formula; without such cells both reads hash the same (csv_reader_digest).
 * The replay of tests/regress/fuzz_csv_reader/ (tests/core/test_regress.c)
 * includes this file with AMB_FUZZ_NO_MAIN defined. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"

int fuzz_csv_reader_one(const uint8_t *data, size_t size);

#define FCR_MAX_RECORDS 100000

struct fcr_records {
	size_t n, cap;
	size_t *counts;
	char ***fields;
	bool formula; /* some cell starts with = + - @ TAB or CR */
};

static void fcr_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_csv_reader: property failed: %s\n", what);
		abort();
	}
}

static void fcr_free(struct fcr_records *r)
{
	for (size_t i = 0; i < r->n; i++) {
		for (size_t j = 0; j < r->counts[i]; j++)
			free(r->fields[i][j]);
		free(r->fields[i]);
	}
	free(r->fields);
	free(r->counts);
	memset(r, 0, sizeof(*r));
}

static void fcr_add(struct fcr_records *r, const struct csv_row *row)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->counts = realloc(r->counts, r->cap * sizeof(*r->counts));
		r->fields = realloc(r->fields, r->cap * sizeof(*r->fields));
		fcr_check(r->counts && r->fields, "realloc");
	}
	r->counts[r->n] = row->count;
	r->fields[r->n] = calloc(row->count, sizeof(char *));
	fcr_check(r->fields[r->n] != NULL, "calloc");
	for (size_t j = 0; j < row->count; j++) {
		r->fields[r->n][j] = strdup(row->fields[j]);
		if (row->lens[j] && strchr("=+-@\t\r", row->fields[j][0]))
			r->formula = true;
	}
	r->n++;
}

/* Read everything; 0 at a clean end (records in *out when not NULL). */
static int fcr_read(const void *data, size_t len, const struct csv_reader_opts *opts,
                    struct fcr_records *out, uint8_t digest[SHA256_LEN])
{
	csv_reader *r = NULL;
	struct csv_row row;
	int64_t last_line = 0;
	int rc;

	if ((rc = csv_reader_open_mem(&r, "fuzz.csv", data, len, opts)) < 0)
		return rc;
	for (size_t i = 0; i < FCR_MAX_RECORDS; i++) {
		rc = csv_reader_next(r, &row);
		if (rc != 1)
			break;
		fcr_check(row.count >= 1, "a record has a field");
		fcr_check(row.line >= last_line && row.line >= 1, "lines go forward");
		last_line = row.line;
		for (size_t j = 0; j < row.count; j++)
			fcr_check(strlen(row.fields[j]) == row.lens[j], "lens[i] == strlen");
		if (out)
			fcr_add(out, &row);
	}
	if (rc < 0) {
		fcr_check(csv_reader_next(r, &row) == rc, "errors are sticky");
		fcr_check(strstr(err_msg(), "fuzz.csv") != NULL, "the message names the input");
	} else if (rc == 0 && digest) {
		csv_reader_digest(r, digest);
	}
	csv_reader_close(&r);
	return rc;
}

static bool fcr_same_cell(const char *orig, const char *again)
{
	if (*orig && strchr("=+-@\t\r", orig[0]))
		return again[0] == '\'' && strcmp(orig, again + 1) == 0;
	return strcmp(orig, again) == 0;
}

int fuzz_csv_reader_one(const uint8_t *data, size_t size)
{
	struct csv_reader_opts opts = {0};
	struct fcr_records first = {0}, second = {0};
	uint8_t d1[SHA256_LEN], d2[SHA256_LEN];
	char *text = NULL;
	size_t text_len = 0;
	FILE *f;

	if (size < 1)
		return 0;
	opts.ragged = data[0] & 1;
	opts.max_field = (data[0] & 2) ? 64 : 0;
	opts.delimiter = (data[0] & 4) ? ';' : ',';
	data++, size--;
	err_clear();
	if (fcr_read(data, size, &opts, &first, d1) != 0 || opts.delimiter != ',')
		goto out;
	/* Round trip through the writer. */
	f = open_memstream(&text, &text_len);
	fcr_check(f != NULL, "open_memstream");
	for (size_t i = 0; i < first.n; i++)
		csv_write_row(f, first.counts[i], (const char *const *)first.fields[i]);
	fclose(f);
	if (opts.max_field)
		opts.max_field += 1; /* room for the apostrophe */
	int rc = fcr_read(text, text_len, &opts, &second, d2);
	if (rc != 0)
		fprintf(stderr, "re-read failed: %s\n", err_msg());
	fcr_check(rc == 0, "what we write, we read");
	fcr_check(first.n == second.n, "same number of records");
	for (size_t i = 0; i < first.n; i++) {
		fcr_check(first.counts[i] == second.counts[i], "same number of fields");
		for (size_t j = 0; j < first.counts[i]; j++)
			fcr_check(fcr_same_cell(first.fields[i][j], second.fields[i][j]),
			          "same cell after the round trip");
	}
	if (!first.formula)
		fcr_check(memcmp(d1, d2, SHA256_LEN) == 0, "same content hash");
out:
	free(text);
	fcr_free(&first);
	fcr_free(&second);
	return 0;
}

#ifndef AMB_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_csv_reader_one(data, size);
}
#endif
