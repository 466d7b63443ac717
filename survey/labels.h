/* labels.h - answer labels ("Strongly agree", "Helt enig", ...) and the
 * numbers they stand for.
 *
 * A label set starts with the built-in five-point agreement labels in
 * English, Danish, Swedish and Dutch (values 1..5, see docs/hr.md, section 'Survey import') and
 * can be extended from a CSV file with columns label,value. Labels are
 * compared after folding: trimmed, inner runs of blanks made one space,
 * ASCII case ignored, and Latin accents and ligatures taken off (å ä à á â
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

/* Where a label came from: the built-in agreement scale applies only to
 * items on 1..5; a label from --labels applies to any item whose scale
 * holds its value. */
enum label_origin { LABEL_BUILTIN = 0, LABEL_FILE = 1 };

/* A set with the built-in labels. Never fails (aborts on out-of-memory). */
labels *labels_new(void);

/* Add the labels of the CSV file `path` (columns label,value; header
 * required; ';' as separator is recognised). A label already known takes
 * the file's value. Errors (ERR_INVALID, "file:line:col: reason"): a
 * missing column, an empty label, a value that is not a finite number, the
 * same label twice in the file with different values. */
int labels_load(labels *l, const char *path, const struct csv_reader_opts *opts);

/* Look up `text`: 1 and the value and origin when known, 0 when not. */
int labels_find(const labels *l, const char *text, double *out_value,
                enum label_origin *out_origin);

/* Number of labels in the set. */
size_t labels_count(const labels *l);

void labels_destroy(labels **l);

/* Fold `s` as described above into out (NUL-terminated, truncated to
 * size - 1 bytes). Exposed for tests and for the codebook. */
void labels_fold(char *out, size_t size, const char *s);

#endif
