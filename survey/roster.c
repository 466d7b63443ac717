/* roster.c - reading the roster CSV into the people table. The whole file
 * is one transaction; the import ledger row doubles as the marker of who is
 * on this roster (people.roster_import), so duplicates within the file and
 * departures need no in-memory set however large the roster. */
#include "survey/roster.h"

#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/store_roster.h"

enum roster_col { COL_ID, COL_NAME, COL_EMAIL, COL_DEPT, COL_LEVEL, COL_CONSENT, NCOLS };

static const char *const col_names[NCOLS] = {"employee_id", "name",  "email",
                                             "department",  "level", "consent"};
static const bool col_required[NCOLS] = {true, false, false, true, false, false};

const char *roster_check_id(const char *id, size_t len)
{
	if (len == 0)
		return "employee_id is empty";
	if (len > ROSTER_ID_MAX)
		return "employee_id is longer than 64 characters";
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)id[i];
		if (ch < 0x20 || ch > 0x7e)
			return "employee_id has a character that is not printable ASCII";
	}
	return NULL;
}

static int map_header(import_ctx *c, const struct csv_row *h, int map[NCOLS])
{
	for (int i = 0; i < NCOLS; i++) {
		map[i] = csv_header_find(h, col_names[i]);
		if (map[i] < 0 && col_required[i])
			return err_set(ERR_INVALID, "%s:%lld:1: required column '%s' is missing",
			               import_name(c), (long long)h->line, col_names[i]);
	}
	for (size_t f = 0; f < h->count; f++) {
		bool known = false;
		for (int i = 0; i < NCOLS; i++)
			known |= map[i] == (int)f;
		for (size_t g = 0; g < f; g++)
			if (csv_name_equal(h->fields[f], h->lens[f], h->fields[g], h->lens[g]))
				return err_set(
				    ERR_INVALID, "%s:%lld:%zu: column '%s' appears twice",
				    import_name(c), (long long)h->line, f + 1, h->fields[f]);
		if (!known)
			log_warn("%s: column '%s' is not a roster column and is ignored",
			         import_name(c), h->fields[f]);
	}
	return 0;
}

static const char *cell(const struct csv_row *row, int idx)
{
	return idx >= 0 ? row->fields[idx] : "";
}

/* Normalise consent to "yes", "no" or ""; NULL when unrecognised. */
static const char *parse_consent(const char *v)
{
	if (!*v)
		return "";
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "y") || !strcasecmp(v, "true") ||
	    !strcmp(v, "1"))
		return "yes";
	if (!strcasecmp(v, "no") || !strcasecmp(v, "n") || !strcasecmp(v, "false") ||
	    !strcmp(v, "0"))
		return "no";
	return NULL;
}

/* Check one row; on success fill *p. Returns 0 or rejects the row. */
static int check_row(import_ctx *c, const struct csv_row *row, const int map[NCOLS],
                     struct person_in *p, bool *ok)
{
	const char *why;

	*ok = false;
	p->employee_id = cell(row, map[COL_ID]);
	p->name = cell(row, map[COL_NAME]);
	p->email = cell(row, map[COL_EMAIL]);
	p->department = cell(row, map[COL_DEPT]);
	p->level = cell(row, map[COL_LEVEL]);
	if ((why = roster_check_id(p->employee_id, strlen(p->employee_id))))
		return import_reject(c, row, map[COL_ID], "%s", why);
	if (!*p->department)
		return import_reject(c, row, map[COL_DEPT], "department is empty");
	for (int i = COL_NAME; i < NCOLS; i++)
		if (map[i] >= 0 && row->lens[map[i]] > ROSTER_TEXT_MAX)
			return import_reject(c, row, map[i], "longer than %d bytes",
			                     ROSTER_TEXT_MAX);
	if (*p->email && !strchr(p->email, '@'))
		return import_reject(c, row, map[COL_EMAIL], "not an e-mail address");
	p->consent = parse_consent(cell(row, map[COL_CONSENT]));
	if (!p->consent)
		return import_reject(c, row, map[COL_CONSENT],
		                     "consent must be yes, no or empty, not '%s'",
		                     cell(row, map[COL_CONSENT]));
	*ok = true;
	return 0;
}

static int store_row(import_ctx *c, store *s, const struct csv_row *row, const int map[NCOLS],
                     const struct person_in *p)
{
	int64_t pid = 0, first = 0;
	int rc = store_is_suppressed(s, p->employee_id);

	if (rc < 0)
		return rc;
	if (rc == 1) {
		import_skip(c, "erased earlier, not re-imported");
		return 0;
	}
	rc = store_person_upsert(s, p, import_id(c), row->line, &pid, &first);
	if (rc == ERR_DUPLICATE)
		return import_reject(c, row, map[COL_ID],
		                     "employee_id '%s' is listed twice (first on line %lld)",
		                     p->employee_id, (long long)first);
	if (rc)
		return rc;
	if (strcmp(p->consent, "no") == 0) {
		/* Opted out: their answers and activity go in this same import. */
		if ((rc = store_purge_person_data(s, pid)))
			return rc;
		import_note(c, "opted out (data removed)", 1);
	}
	import_keep(c);
	return 0;
}

/* A roster that drops more than a fifth of the people on it is more often
 * the wrong file (one department's export, a test file) than a fifth of the
 * company leaving: refused unless the user says so. */
static int check_departures(const char *path, int64_t departed, int64_t active,
                            const struct import_opts *opts)
{
	if (opts->allow_departures || active <= 0 || departed * 5 <= active)
		return 0;
	return err_set(ERR_INVALID,
	               "%s: this roster would mark %lld of %lld people (%.0f%%) as departed; "
	               "nothing imported. If they really left, import it again with "
	               "--allow-departures",
	               path, (long long)departed, (long long)active, 100.0 * departed / active);
}

int roster_import(store *s, const char *path, const struct import_opts *opts,
                  struct import_summary *sum)
{
	import_ctx *c = NULL;
	struct csv_row row;
	int map[NCOLS], rc;
	int64_t departed = 0;
	struct roster_counts before;

	if ((rc = import_begin(&c, s, "roster", path, opts, sum)))
		return rc;
	if ((rc = store_roster_counts(s, &before)))
		goto fail;
	rc = csv_reader_next(import_reader(c), &row);
	if (rc <= 0) {
		if (rc == 0)
			rc = err_set(ERR_NODATA, "%s: the file is empty", path);
		goto fail;
	}
	import_set_header(c, &row);
	if ((rc = map_header(c, &row, map)))
		goto fail;
	while ((rc = import_next(c, &row)) == 1) {
		struct person_in p;
		bool ok;
		if ((rc = check_row(c, &row, map, &p, &ok)))
			goto fail;
		if (ok && (rc = store_row(c, s, &row, map, &p)))
			goto fail;
	}
	if (rc < 0)
		goto fail;
	if (sum->rows_read == 0) {
		rc = err_set(ERR_NODATA, "%s: no data rows after the header; nothing imported",
		             path);
		goto fail;
	}
	if (sum->rows_rejected == 0) {
		if ((rc = store_roster_mark_departed(s, import_id(c), clock_now(), &departed)))
			goto fail;
		if ((rc = check_departures(path, departed, before.total - before.departed, opts)))
			goto fail;
		import_note(c, "marked as departed", departed);
	} else if (opts->skip_invalid) {
		/* A roster with rows left out is no evidence that anyone left. */
		import_note(c, "rows rejected, so departures were not marked", sum->rows_rejected);
	}
	return import_end(&c);
fail:
	import_abort(&c);
	return rc;
}
