/* codebook.c - reading and validating the survey codebook. The codebook
 * owns copies of every string it holds; errors stop at the first problem
 * with its file, line and column. */
#include "survey/codebook.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/num.h"
#include "survey/labels.h"

enum cb_col { CB_COLUMN, CB_CONSTRUCT, CB_MIN, CB_MAX, CB_REVERSE, CB_MISSING, CB_NCOLS };

/* All but the last (missing) are required. */
static const char *const cb_names[CB_NCOLS] = {"column", "construct", "min",
                                               "max",    "reverse",   "missing"};

char codebook_sniff_delimiter(const char *path)
{
	char line[4096];
	FILE *f = fopen(path, "rb");
	char d = ',';

	if (!f)
		return d;
	if (fgets(line, sizeof(line), f) && strchr(line, ';') && !strchr(line, ','))
		d = ';';
	fclose(f);
	return d;
}

void codebook_destroy(struct codebook **cbp)
{
	struct codebook *cb = cbp ? *cbp : NULL;

	if (!cb)
		return;
	for (size_t i = 0; i < cb->nitems; i++) {
		free(cb->items[i].column);
		for (size_t j = 0; j < cb->items[i].nmissing; j++)
			free(cb->items[i].missing[j]);
		free(cb->items[i].missing);
	}
	free(cb->items);
	for (size_t i = 0; i < cb->nconstructs; i++)
		free(cb->constructs[i]);
	free(cb->constructs);
	free(cb->id.column);
	free(cb->submitted_at.column);
	free(cb->started_at.column);
	free(cb->path);
	free(cb);
	*cbp = NULL;
}

bool codebook_item_is_missing(const struct codebook_item *it, const char *cell)
{
	char folded[LABELS_MAX_LEN];

	if (!it->nmissing || strlen(cell) >= sizeof(folded))
		return false;
	labels_fold(folded, sizeof(folded), cell);
	for (size_t i = 0; i < it->nmissing; i++)
		if (!strcmp(folded, it->missing[i]))
			return true;
	return false;
}

/* The ';'-separated list of the missing column into it->missing. */
static int parse_missing(struct codebook_item *it, const char *path, const struct csv_row *row,
                         int col)
{
	const char *p = col >= 0 ? row->fields[col] : "";
	char folded[LABELS_MAX_LEN];

	while (*p) {
		size_t len = strcspn(p, ";");
		char *one = xstrndup(p, len);
		labels_fold(folded, sizeof(folded), one);
		free(one);
		if (len >= sizeof(folded))
			return err_set(ERR_INVALID,
			               "%s:%lld:%d: a missing value is longer than %d bytes", path,
			               (long long)row->line, col + 1, LABELS_MAX_LEN - 1);
		if (*folded) {
			it->missing = xreallocarray(it->missing, it->nmissing + 1, sizeof(char *));
			it->missing[it->nmissing++] = xstrdup(folded);
		}
		p += len + (p[len] == ';');
	}
	return 0;
}

size_t codebook_construct_items(const struct codebook *cb, size_t index)
{
	size_t n = 0;

	for (size_t i = 0; i < cb->nitems; i++)
		n += cb->items[i].construct_index == index;
	return n;
}

static int parse_number(const char *s, double *out)
{
	return num_double(s, out) == 0 ? 0 : -1;
}

/* 1 yes, 0 no, -1 unknown. */
static int parse_reverse(const char *s)
{
	static const char *const yes[] = {"yes", "y", "true", "1", "reverse", "reversed"};
	static const char *const no[] = {"", "no", "n", "false", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcasecmp(s, yes[i]))
			return 1;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcasecmp(s, no[i]))
			return 0;
	return -1;
}

/* Where a column name was first seen, to report duplicates. */
static int64_t seen_line(const struct codebook *cb, const char *name)
{
	const struct codebook_column *cols[] = {&cb->id, &cb->submitted_at, &cb->started_at};
	size_t len = strlen(name);

	for (size_t i = 0; i < cb->nitems; i++)
		if (csv_name_equal(cb->items[i].column, strlen(cb->items[i].column), name, len))
			return cb->items[i].line;
	for (size_t i = 0; i < 3; i++)
		if (cols[i]->column &&
		    csv_name_equal(cols[i]->column, strlen(cols[i]->column), name, len))
			return cols[i]->line;
	return 0;
}

static size_t construct_index(struct codebook *cb, const char *name)
{
	for (size_t i = 0; i < cb->nconstructs; i++)
		if (!strcmp(cb->constructs[i], name))
			return i;
	cb->constructs = xreallocarray(cb->constructs, cb->nconstructs + 1, sizeof(char *));
	cb->constructs[cb->nconstructs] = xstrdup(name);
	return cb->nconstructs++;
}

static int check_construct_name(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	return 0;
}

/* A special row (id, submitted_at, started_at). */
static int add_special(struct codebook *cb, struct codebook_column *col, const char *what,
                       const struct csv_row *row, const int map[CB_NCOLS])
{
	if (col->column)
		return err_set(ERR_INVALID,
		               "%s:%lld:%d: a second '%s' row (the first is on line %lld)",
		               cb->path, (long long)row->line, map[CB_CONSTRUCT] + 1, what,
		               (long long)col->line);
	col->column = xstrdup(row->fields[map[CB_COLUMN]]);
	col->line = row->line;
	return 0;
}

static int add_item(struct codebook *cb, const struct csv_row *row, const int map[CB_NCOLS])
{
	const char *construct = row->fields[map[CB_CONSTRUCT]];
	struct codebook_item it = {0};
	int rev;

	if (check_construct_name(construct))
		return err_set(ERR_INVALID,
		               "%s:%lld:%d: the construct name has a control character", cb->path,
		               (long long)row->line, map[CB_CONSTRUCT] + 1);
	for (int c = CB_MIN; c <= CB_MAX; c++)
		if (parse_number(row->fields[map[c]], c == CB_MIN ? &it.min : &it.max))
			return err_set(ERR_INVALID, "%s:%lld:%d: %s '%s' is not a number", cb->path,
			               (long long)row->line, map[c] + 1, cb_names[c],
			               row->fields[map[c]]);
	if (it.min >= it.max)
		return err_set(ERR_INVALID, "%s:%lld:%d: min %g is not below max %g", cb->path,
		               (long long)row->line, map[CB_MIN] + 1, it.min, it.max);
	rev = parse_reverse(row->fields[map[CB_REVERSE]]);
	if (rev < 0)
		return err_set(ERR_INVALID, "%s:%lld:%d: reverse must be yes or no, not '%s'",
		               cb->path, (long long)row->line, map[CB_REVERSE] + 1,
		               row->fields[map[CB_REVERSE]]);
	it.reverse = rev == 1;
	if (parse_missing(&it, cb->path, row, map[CB_MISSING])) {
		for (size_t i = 0; i < it.nmissing; i++)
			free(it.missing[i]);
		free(it.missing);
		return ERR_INVALID;
	}
	it.line = row->line;
	it.column = xstrdup(row->fields[map[CB_COLUMN]]);
	it.construct_index = construct_index(cb, construct);
	it.construct = cb->constructs[it.construct_index];
	cb->items = xreallocarray(cb->items, cb->nitems + 1, sizeof(*cb->items));
	cb->items[cb->nitems++] = it;
	return 0;
}

static int add_row(struct codebook *cb, const struct csv_row *row, const int map[CB_NCOLS])
{
	const char *column = row->fields[map[CB_COLUMN]];
	const char *construct = row->fields[map[CB_CONSTRUCT]];
	int64_t first;

	if (!*column)
		return err_set(ERR_INVALID, "%s:%lld:%d: the column name is empty", cb->path,
		               (long long)row->line, map[CB_COLUMN] + 1);
	if (row->lens[map[CB_COLUMN]] >= CODEBOOK_NAME_MAX ||
	    row->lens[map[CB_CONSTRUCT]] >= CODEBOOK_NAME_MAX)
		return err_set(ERR_INVALID, "%s:%lld:%d: a name is longer than %d bytes", cb->path,
		               (long long)row->line, map[CB_COLUMN] + 1, CODEBOOK_NAME_MAX - 1);
	if (!*construct)
		return err_set(ERR_INVALID, "%s:%lld:%d: the construct of '%s' is empty", cb->path,
		               (long long)row->line, map[CB_CONSTRUCT] + 1, column);
	if ((first = seen_line(cb, column)))
		return err_set(
		    ERR_INVALID, "%s:%lld:%d: column '%s' is named twice (first on line %lld)",
		    cb->path, (long long)row->line, map[CB_COLUMN] + 1, column, (long long)first);
	if (!strcasecmp(construct, "id"))
		return add_special(cb, &cb->id, "id", row, map);
	if (!strcasecmp(construct, "submitted_at"))
		return add_special(cb, &cb->submitted_at, "submitted_at", row, map);
	if (!strcasecmp(construct, "started_at"))
		return add_special(cb, &cb->started_at, "started_at", row, map);
	return add_item(cb, row, map);
}

static int read_codebook(struct codebook *cb, csv_reader *r)
{
	struct csv_row row;
	int map[CB_NCOLS], rc;

	rc = csv_reader_next(r, &row);
	if (rc <= 0)
		return rc ? rc : err_set(ERR_INVALID, "%s:1:1: the codebook is empty", cb->path);
	for (int i = 0; i < CB_NCOLS; i++) {
		map[i] = csv_header_find(&row, cb_names[i]);
		if (map[i] < 0 && i != CB_MISSING)
			return err_set(ERR_INVALID,
			               "%s:%lld:1: the codebook needs the column '%s' "
			               "(columns: column,construct,min,max,reverse)",
			               cb->path, (long long)row.line, cb_names[i]);
	}
	while ((rc = csv_reader_next(r, &row)) == 1)
		if ((rc = add_row(cb, &row, map)))
			return rc;
	if (rc < 0)
		return rc;
	if (!cb->id.column)
		return err_set(ERR_INVALID,
		               "%s:1:%d: no row with construct 'id' names the employee-id column",
		               cb->path, map[CB_CONSTRUCT] + 1);
	if (!cb->nitems)
		return err_set(ERR_INVALID, "%s:1:1: the codebook names no items", cb->path);
	return 0;
}

int codebook_load(struct codebook **out, const char *path, const struct csv_reader_opts *opts)
{
	struct csv_reader_opts o = opts ? *opts : (struct csv_reader_opts){0};
	struct codebook *cb = xcalloc(1, sizeof(*cb));
	csv_reader *r = NULL;
	int rc;

	*out = NULL;
	cb->path = xstrdup(path);
	o.delimiter = codebook_sniff_delimiter(path);
	o.ragged = false;
	if ((rc = csv_reader_open(&r, path, &o)))
		goto fail;
	if ((rc = read_codebook(cb, r)))
		goto fail;
	csv_reader_close(&r);
	*out = cb;
	return 0;
fail:
	csv_reader_close(&r);
	codebook_destroy(&cb);
	return rc;
}
