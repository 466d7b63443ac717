/* labels.h - answer labels ("Strongly agree", "Helt enig", ...) and the
 * numbers they stand for.
 *
 * A label set starts with the built-in five- and seven-point agreement
 * labels and "don't know" answers in English, Danish, Swedish, Dutch and
 * German (see docs/imports.md) and can be extended from a CSV file with
 * columns label,value (an empty value: the label marks a missing answer). Labels are
 * compared after folding: Unicode NFC and case folding (core/text.h),
 * trimmed, inner runs of blanks made one space, and Latin accents and ligatures taken off (å ä à á
 * â
 * -> a, æ -> ae, ø ö ó ò ô -> o, é è ê ë -> e, ß -> ss, ...), so "INSTÄMMER
 * HELT" and "instammer  helt" are the same label.
 */
#ifndef AMB_SURVEY_LABELS_H
#define AMB_SURVEY_LABELS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/csv.h"

#define LABELS_MAX_LEN 256

typedef struct labels labels;

/* What a label is: a built-in agreement label applies to items on a
 * five- or seven-point scale; a label from --labels applies to any item
 * whose scale holds its value; a missing label ("Don't know", "Ved ikke",
 * or a labels-file row with an empty value) makes the answer missing. */
enum label_origin { LABEL_BUILTIN = 0, LABEL_FILE = 1, LABEL_MISSING = 2 };

struct label_match {
	enum label_origin origin;
	double value;  /* LABEL_FILE: the value; LABEL_BUILTIN: on 1..5 */
	double value7; /* LABEL_BUILTIN: on 1..7 */
};

/* A set with the built-in labels. Never fails (aborts on out-of-memory). */
labels *labels_new(void);

/* Add the labels of the CSV file `path` (columns label,value; header
 * required; ';' as separator is recognised). A label already known takes
 * the file's value. Errors (ERR_INVALID, "file:line:col: reason"): a
 * missing column, an empty label, a value that is neither empty nor a
 * finite number, the same label twice in the file with different values. */
int labels_load(labels *l, const char *path, const struct csv_reader_opts *opts);

/* Look up `text`: 1 and *out when known, 0 when not. */
int labels_match(const labels *l, const char *text, struct label_match *out);

/* Look up `text`: 1 and the value (on 1..5 for a built-in label; 0 for a
 * missing label) and origin when known, 0 when not. */
int labels_find(const labels *l, const char *text, double *out_value,
                enum label_origin *out_origin);

/* Number of labels in the set. */
size_t labels_count(const labels *l);

void labels_destroy(labels **l);

/* Fold `s` as described above into out (NUL-terminated, truncated to
 * size - 1 bytes). Exposed for tests and for the codebook. */
void labels_fold(char *out, size_t size, const char *s);

#endif
