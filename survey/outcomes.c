/* outcomes.c - reading a ratings file into the outcomes table
 * (outcomes.h). Rows are checked and stored one at a time inside the
 * import's transaction; the file's scale is fixed by the first value other
 * than 1 and written to all its rows at the end. */
#include "survey/outcomes.h"

#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/store_outcomes.h"
#include "core/store_roster.h"
#include "core/timefmt.h"
#include "survey/roster.h"

enum outcome_col { COL_ID, COL_DATE, COL_OUTCOME, COL_NOTE, NCOLS };

static const char *const col_names[NCOLS] = {"employee_id", "date", "outcome", "note"};
static const bool col_required[NCOLS] = {true, true, true, false};

struct reader {
	import_ctx *c;
	store *s;
	int map[NCOLS];
	int scale;          /* 0 until decided, then 1 or 5 */
	int64_t scale_line; /* the line that decided it */
};

static int map_header(struct reader *r, const struct csv_row *h)
{
	for (int i = 0; i < NCOLS; i++) {
		r->map[i] = csv_header_find(h, col_names[i]);
		if (r->map[i] < 0 && col_required[i])
			return err_set(ERR_INVALID, "%s:%lld:1: required column '%s' is missing",
			               import_name(r->c), (long long)h->line, col_names[i]);
	}
	for (size_t f = 0; f < h->count; f++) {
		bool known = false;
		for (int i = 0; i < NCOLS; i++)
			known |= r->map[i] == (int)f;
		for (size_t g = 0; g < f; g++)
			if (csv_name_equal(h->fields[f], h->lens[f], h->fields[g], h->lens[g]))
				return err_set(
				    ERR_INVALID, "%s:%lld:%zu: column '%s' appears twice",
				    import_name(r->c), (long long)h->line, f + 1, h->fields[f]);
		if (!known)
			log_warn("%s: column '%s' is not an outcomes column and is ignored",
			         import_name(r->c), h->fields[f]);
	}
	return 0;
}

static const char *cell(const struct csv_row *row, int idx, size_t *len)
{
	*len = idx >= 0 ? row->lens[idx] : 0;
	return idx >= 0 ? row->fields[idx] : "";
}

/* The person of a row: 1 with *pid, 0 when rejected or skipped, <0 error. */
static int row_person(struct reader *r, const struct csv_row *row, int64_t *pid)
{
	size_t len;
	const char *id = cell(row, r->map[COL_ID], &len), *why;
	enum person_status st;
	int rc;

	if ((why = roster_check_id(id, len)))
		return import_reject(r->c, row, r->map[COL_ID], "%s", why);
	if ((rc = store_person_status(r->s, id, pid, &st)))
		return rc;
	if (st == PERSON_UNKNOWN) {
		if ((rc = store_is_suppressed(r->s, id)) < 0)
			return rc;
		if (rc == 1) {
			import_skip(r->c, "erased earlier");
			return 0;
		}
		return import_reject(r->c, row, r->map[COL_ID],
		                     "employee_id '%s' is not on the roster", id);
	}
	if (st == PERSON_OPTED_OUT || st == PERSON_DEPARTED) {
		import_skip(r->c, st == PERSON_OPTED_OUT ? "opted out" : "departed");
		return 0;
	}
	return 1;
}

/* The value, checked against the file's scale. 1 with *value, 0 rejected. */
static int row_value(struct reader *r, const struct csv_row *row, int *value)
{
	size_t len;
	const char *v = cell(row, r->map[COL_OUTCOME], &len);
	int scale;

	if (len != 1 || v[0] < '0' || v[0] > '5')
		return import_reject(r->c, row, r->map[COL_OUTCOME],
		                     "outcome must be 0 or 1, or a rating 1-5, not '%.40s'", v);
	*value = v[0] - '0';
	if (*value == 1)
		return 1; /* fits either scale */
	scale = *value == 0 ? 1 : 5;
	if (r->scale == 0) {
		r->scale = scale;
		r->scale_line = row->line;
	} else if (r->scale != scale) {
		return import_reject(
		    r->c, row, r->map[COL_OUTCOME],
		    "outcome %d does not fit this file's scale (%s, from line %lld)", *value,
		    r->scale == 1 ? "0/1" : "1-5", (long long)r->scale_line);
	}
	return 1;
}

static int read_row(struct reader *r, const struct csv_row *row)
{
	int64_t pid = 0, at = 0, first = 0;
	size_t len;
	const char *v, *note;
	int value = 0, rc;

	if ((rc = row_person(r, row, &pid)) <= 0)
		return rc;
	v = cell(row, r->map[COL_DATE], &len);
	if (len == 0)
		return import_reject(r->c, row, r->map[COL_DATE], "date is empty");
	if (timefmt_parse(v, &at)) {
		rc = import_reject(r->c, row, r->map[COL_DATE], "date '%.40s': %s", v, err_msg());
		return rc;
	}
	if (at > store_now() + 24 * 3600)
		return import_reject(r->c, row, r->map[COL_DATE], "date '%.40s' is in the future",
		                     v);
	at -= at % 86400; /* one rating per person and day */
	if (at < 0)
		return import_reject(r->c, row, r->map[COL_DATE], "date '%.40s' is before 1970", v);
	if ((rc = row_value(r, row, &value)) <= 0)
		return rc;
	note = cell(row, r->map[COL_NOTE], &len);
	if (len > OUTCOME_NOTE_MAX)
		return import_reject(r->c, row, r->map[COL_NOTE], "note is longer than %d bytes",
		                     OUTCOME_NOTE_MAX);
	rc = store_outcome_put(r->s, pid, at, value, note, import_id(r->c), row->line, &first);
	if (rc == ERR_DUPLICATE)
		return import_reject(r->c, row, r->map[COL_ID],
		                     "'%s' is rated twice for this day (first on line %lld)",
		                     row->fields[r->map[COL_ID]], (long long)first);
	if (rc)
		return rc;
	import_keep(r->c);
	return 0;
}

int outcomes_import(store *s, const char *path, const struct import_opts *opts,
                    struct import_summary *sum)
{
	struct reader r = {.s = s};
	struct csv_row row;
	int rc;

	if ((rc = import_known_bytes(s, "outcomes", path, opts, sum)))
		return rc < 0 ? rc : 0;
	if ((rc = import_begin(&r.c, s, "outcomes", path, opts, sum)))
		return rc;
	rc = csv_reader_next(import_reader(r.c), &row);
	if (rc <= 0) {
		if (rc == 0)
			rc = err_set(ERR_NODATA, "%s: the file is empty", path);
		goto fail;
	}
	import_set_header(r.c, &row);
	if ((rc = map_header(&r, &row)))
		goto fail;
	while ((rc = import_next(r.c, &row)) == 1)
		if ((rc = read_row(&r, &row)))
			goto fail;
	if (rc < 0)
		goto fail;
	if (sum->rows_read == 0) {
		rc = err_set(ERR_NODATA, "%s: no data rows after the header; nothing imported",
		             path);
		goto fail;
	}
	if ((rc = store_outcomes_set_scale(s, import_id(r.c), r.scale ? r.scale : 1)))
		goto fail;
	return import_end(&r.c);
fail:
	import_abort(&r.c);
	return rc;
}
