/* codebook.h - the survey codebook (docs/design.md, Contract 2.2): which export column holds
 * which item, its construct, scale and direction, and which columns hold
 * the employee id and the timestamps.
 *
 * CSV columns: column,construct,min,max,reverse. construct `id` names the
 * employee-id column (exactly one row); `submitted_at` and `started_at`
 * (at most one each) name timestamp columns; on these rows min, max and
 * reverse are ignored. Every other row is an item: min < max, both finite
 * numbers; reverse is yes/no (also y/n, true/false, 1/0, or empty = no).
 * An optional column `missing` lists, separated by ';', the answers of the
 * item that count as missing ("-1;-2;N/A"), numbers or labels.
 */
#ifndef AMB_SURVEY_CODEBOOK_H
#define AMB_SURVEY_CODEBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/csv.h"

#define CODEBOOK_NAME_MAX 256 /* bytes in a column or construct name */

struct codebook_item {
	char *column;          /* header text as the codebook writes it */
	const char *construct; /* borrowed from constructs[construct_index] */
	size_t construct_index;
	double min, max;
	bool reverse;
	char **missing; /* answers that count as missing, folded (labels_fold) */
	size_t nmissing;
	int64_t line; /* codebook line, for messages */
};

/* A named column that is not an item (the id and timestamp columns). */
struct codebook_column {
	char *column; /* NULL when the codebook has no such row */
	int64_t line;
};

struct codebook {
	char *path;
	struct codebook_item *items;
	size_t nitems;
	char **constructs; /* distinct constructs in order of first use */
	size_t nconstructs;
	struct codebook_column id, submitted_at, started_at;
};

/* Read and validate the codebook at `path`. Errors are ERR_INVALID with
 * "path:line:col: reason": a missing header column, an empty column or
 * construct, min or max not a finite number, min >= max, an unknown
 * reverse value, a column named twice, two id rows, no id row, no item.
 * `opts` may be NULL; the delimiter is sniffed (',' or ';'). On success
 * *out is owned by the caller (codebook_destroy). */
int codebook_load(struct codebook **out, const char *path, const struct csv_reader_opts *opts);

void codebook_destroy(struct codebook **cb);

/* True when `cell` (trimmed, compared as labels are) is one of the
 * item's missing answers. */
bool codebook_item_is_missing(const struct codebook_item *it, const char *cell);

/* Number of items of construct `index`. */
size_t codebook_construct_items(const struct codebook *cb, size_t index);

/* ';' when the first line of `path` holds a ';' but no ',', else ','
 * (also when the file cannot be read: the reader reports that). */
char codebook_sniff_delimiter(const char *path);

#endif
