/* roster.c - reading the roster CSV into the people table. The whole file
 * is one transaction; the import ledger row doubles as the marker of who is
 * on this roster (people.roster_import), so duplicates within the file and
 * departures need no in-memory set however large the roster. */
#include "survey/roster.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/sha256.h"
#include "core/text.h"
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

static int check_columns(import_ctx *c, const struct csv_row *h, const int map[NCOLS]);

/* Header names HR systems (SAP SuccessFactors, Workday, Personio, Visma,
 * BambooHR ...) export for each roster field, tried when the field's own
 * name is not in the header. */
static const char *const synonyms[NCOLS][12] = {
    [COL_ID] = {"Employee Number", "Employee ID", "Employee No", "Personnel number", "Personnel No",
                "Personal number", "Worker ID", "Emp ID", "Medarbejdernummer", "Personalnummer",
                "Personeelsnummer", "Anställningsnummer"},
    [COL_NAME] = {"Full Name", "Employee Name", "Display Name", "Worker", "Navn"},
    [COL_EMAIL] = {"Work Email", "Work E-mail", "Email Address", "E-mail", "Business Email",
                   "Primary Work Email", "Email", "Arbejdsmail"},
    [COL_DEPT] = {"Org Unit", "Organizational Unit", "Organisational Unit", "Department Name",
                  "Cost Center name", "Cost Centre name", "Supervisory Organization", "Team",
                  "Afdeling", "Abteilung", "Avdelning"},
    [COL_LEVEL] = {"Job Level", "Job Grade", "Grade", "Management Level", "Position Level",
                   "Career Level"},
    [COL_CONSENT] = {"Advocacy consent", "Consent given"},
};

/* "field=header" lines of a column map into header[field]. */
static int parse_map(const char *text, const char *what, const char *header[NCOLS], char **owned)
{
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, "\n"), klen;
		const char *eq = memchr(p, '=', len);
		int field = -1;
		if (len) {
			if (!eq)
				return err_set(ERR_USAGE, "%s: '%.*s' is not field=column", what,
				               (int)len, p);
			klen = (size_t)(eq - p);
			for (int i = 0; i < NCOLS; i++)
				if (strlen(col_names[i]) == klen &&
				    !strncasecmp(p, col_names[i], klen))
					field = i;
			if (field < 0)
				return err_set(
				    ERR_USAGE,
				    "%s: '%.*s' is not a roster field (employee_id, name, "
				    "email, department, level, consent)",
				    what, (int)klen, p);
			free(owned[field]);
			owned[field] = xstrndup(eq + 1, len - klen - 1);
			header[field] = owned[field];
		}
		p += len + (p[len] == '\n');
	}
	return 0;
}

/* The digest of the header's names, folded: the key of a stored map. */
static void header_key(const struct csv_row *h, char out[2 * SHA256_LEN + 1])
{
	struct sha256 sha;
	uint8_t digest[SHA256_LEN];
	char folded[1024];

	sha256_init(&sha);
	for (size_t i = 0; i < h->count; i++) {
		text_fold(folded, sizeof(folded), h->fields[i], h->lens[i]);
		sha256_update(&sha, folded, strlen(folded) + 1);
	}
	sha256_final(&sha, digest);
	sha256_hex(out, digest);
}

/* The column of `field` by its own name or, failing that, by one of the
 * HR systems' names: -1 none, else the index; two different synonyms in
 * one header are refused. */
static int find_field(import_ctx *c, const struct csv_row *h, int field, int *out)
{
	int hit = csv_header_find(h, col_names[field]), first = -1;

	*out = -1;
	for (size_t k = 0; hit < 0 && k < 12 && synonyms[field][k]; k++) {
		int col = csv_header_find(h, synonyms[field][k]);
		if (col < 0 || col == first)
			continue;
		if (first >= 0)
			return err_set(ERR_INVALID,
			               "%s:%lld:%d: both '%s' and '%s' could be %s; say which with "
			               "--map %s=\"COLUMN\"",
			               import_name(c), (long long)h->line, col + 1,
			               h->fields[first], h->fields[col], col_names[field],
			               col_names[field]);
		first = col;
	}
	if (hit < 0 && first >= 0) {
		hit = first;
		log_info("%s: column '%s' read as %s", import_name(c), h->fields[hit],
		         col_names[field]);
	}
	*out = hit;
	return 0;
}

/* Columns named by the map (from --map or stored), then by name. */
static int map_fields(import_ctx *c, const struct csv_row *h, const char *header[NCOLS],
                      int map[NCOLS])
{
	int rc;

	for (int i = 0; i < NCOLS; i++) {
		if (header[i]) {
			map[i] = csv_header_find(h, header[i]);
			if (map[i] < 0)
				return err_set(
				    ERR_INVALID,
				    "%s:%lld:1: the column map names '%s' for %s, but the "
				    "header has no such column",
				    import_name(c), (long long)h->line, header[i], col_names[i]);
		} else if ((rc = find_field(c, h, i, &map[i]))) {
			return rc;
		}
		if (map[i] < 0 && col_required[i])
			return err_set(ERR_INVALID,
			               "%s:%lld:1: required column '%s' is missing (name the "
			               "export's column with --map %s=\"COLUMN\")",
			               import_name(c), (long long)h->line, col_names[i],
			               col_names[i]);
	}
	return 0;
}

/* Serialise the fields of `header` given by --map, to store. */
static char *map_text(const char *header[NCOLS])
{
	char *text = xstrdup("");

	for (int i = 0; i < NCOLS; i++) {
		if (!header[i])
			continue;
		char *next = xasprintf("%s%s=%s\n", text, col_names[i], header[i]);
		free(text);
		text = next;
	}
	return text;
}

/* The column of each field: --map (then stored for this header), else the
 * map stored for this header by an earlier import, else by name. */
static int map_header(import_ctx *c, store *s, const char *spec, const struct csv_row *h,
                      int map[NCOLS])
{
	const char *header[NCOLS] = {0};
	char *owned[NCOLS] = {0}, *stored = NULL, key[2 * SHA256_LEN + 1];
	int rc;

	header_key(h, key);
	if (spec) {
		rc = parse_map(spec, "--map", header, owned);
	} else if ((rc = store_roster_map_get(s, key, &stored)) == 1) {
		rc = parse_map(stored, "the stored column map", header, owned);
		import_note(c, "columns mapped as stored by an earlier --map", 1);
	}
	if (rc < 0 || (rc = map_fields(c, h, header, map)))
		goto out;
	if (spec) {
		char *text = map_text(header);
		rc = store_roster_map_put(s, key, text, import_id(c));
		free(text);
		if (rc)
			goto out;
	}
	rc = check_columns(c, h, map);
out:
	for (int i = 0; i < NCOLS; i++)
		free(owned[i]);
	free(stored);
	return rc;
}

static int check_columns(import_ctx *c, const struct csv_row *h, const int map[NCOLS])
{
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
	for (int i = COL_NAME; i < NCOLS; i++) {
		unsigned cp;
		size_t at;
		if (map[i] >= 0 && row->lens[map[i]] > ROSTER_TEXT_MAX)
			return import_reject(c, row, map[i], "longer than %d bytes",
			                     ROSTER_TEXT_MAX);
		/* Names reach terminals: ESC, BEL or CR in one could rewrite the
		 * screen of whoever lists them. */
		if (map[i] >= 0 &&
		    csv_find_control(row->fields[map[i]], row->lens[map[i]], &cp, &at))
			return import_reject(c, row, map[i],
			                     "%s has a control character (U+%04X) at character %zu",
			                     col_names[i], cp, at);
	}
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
	return roster_import_mapped(s, path, opts, NULL, sum);
}

int roster_import_mapped(store *s, const char *path, const struct import_opts *opts,
                         const char *map_spec, struct import_summary *sum)
{
	import_ctx *c = NULL;
	struct csv_row row;
	int map[NCOLS], rc;
	int64_t departed = 0;
	struct roster_counts before;

	if ((rc = import_known_bytes(s, "roster", path, opts, sum)))
		return rc < 0 ? rc : 0;
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
	if ((rc = map_header(c, s, map_spec, &row, map)))
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
