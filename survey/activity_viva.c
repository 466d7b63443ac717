/* activity_viva.c - `import activity --source viva-engage FILE`: the
 * Microsoft 365 "Viva Engage activity user detail" report (admin centre,
 * or Graph getYammerActivityUserDetail) into weekly activity.
 *
 * One row per user and report: Posted Count becomes own posts on platform
 * "viva engage" (engagement unknown: the report has none), Liked Count
 * becomes reactions. The period of Report Period days ends at Report
 * Refresh Date; it is cut, from its end, into blocks of 7 days (the
 * oldest may be shorter), and each block belongs to the week holding its
 * middle day. A 7-day report fills exactly one week. A longer one spreads
 * each count over its blocks in proportion to their days (largest
 * remainder, the most recent first) and marks the events coarse: when in
 * the period they happened is not known.
 *
 * De-duplication: each (person, kind, week) is keyed once, so the same
 * report imported again adds nothing, and a week already filled by an
 * earlier report is not filled again (the first report to cover a week
 * counts). People are matched by e-mail (User Principal Name, ASCII case
 * ignored); a user not on the roster is skipped and counted. No name or
 * other text of the report is stored.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/num.h"
#include "core/sha256.h"
#include "core/store_roster.h"
#include "survey/activity.h"
#include "survey/activity_source.h"

#define VIVA_PLATFORM   "viva engage"
#define VIVA_MAX_PERIOD 366
#define VIVA_MAX_BLOCKS ((VIVA_MAX_PERIOD + 6) / 7)

enum vcol { V_REFRESH, V_UPN, V_POSTED, V_LIKED, V_PERIOD, NVCOLS };

static const char *const vcol_names[NVCOLS] = {"Report Refresh Date", "User Principal Name",
                                               "Posted Count", "Liked Count", "Report Period"};

/* Columns of the report that are read by no one: not warned about. */
static const char *const vcol_unused[] = {"Display Name",         "User State", "State Change Date",
                                          "Last Activity Date",   "Read Count", "Assigned Products",
                                          "Has Other Action Type"};

/* e-mail (ASCII lowercased) -> employee id, sorted by e-mail. */
struct email {
	char *email, *id;
};

struct viva {
	struct email *emails;
	size_t n, cap;
	int map[NVCOLS];
	uint16_t platform;
	int64_t rows, unknown; /* data rows; of them, e-mails on no one's roster row */
};

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + ('a' - 'A'));
}

static int email_add(void *ctx, const char *id, const char *email)
{
	struct viva *v = ctx;

	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 256;
		v->emails = xreallocarray(v->emails, v->cap, sizeof(*v->emails));
	}
	v->emails[v->n].email = xstrdup(email);
	v->emails[v->n].id = xstrdup(id);
	lower_ascii(v->emails[v->n].email);
	v->n++;
	return 0;
}

static int email_cmp(const void *x, const void *y)
{
	return strcmp(((const struct email *)x)->email, ((const struct email *)y)->email);
}

/* The employee id of e-mail `upn`: 1 with *id, 0 when nobody has it, 2
 * when more than one person does. */
static int email_find(const struct viva *v, const char *upn, const char **id)
{
	char *key = xstrdup(upn);
	struct email k = {.email = key}, *hit;
	int rc = 0;

	lower_ascii(key);
	hit = bsearch(&k, v->emails, v->n, sizeof(*v->emails), email_cmp);
	if (hit) {
		/* bsearch may land on any of equal keys */
		bool twice = (hit > v->emails && strcmp(hit[-1].email, key) == 0) ||
		             (hit + 1 < v->emails + v->n && strcmp(hit[1].email, key) == 0);
		*id = hit->id;
		rc = twice ? 2 : 1;
	}
	free(key);
	return rc;
}

static void viva_free(struct viva *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->emails[i].email);
		free(v->emails[i].id);
	}
	free(v->emails);
}

static int map_header(struct viva *v, import_ctx *c, const struct csv_row *h)
{
	for (int i = 0; i < NVCOLS; i++) {
		v->map[i] = csv_header_find(h, vcol_names[i]);
		if (v->map[i] < 0)
			return err_set(ERR_INVALID,
			               "%s:%lld:1: required column '%s' is missing (is this a Viva "
			               "Engage activity user detail report?)",
			               import_name(c), (long long)h->line, vcol_names[i]);
	}
	for (size_t f = 0; f < h->count; f++) {
		bool known = false;
		for (int i = 0; i < NVCOLS; i++)
			known |= v->map[i] == (int)f;
		for (size_t u = 0; u < sizeof(vcol_unused) / sizeof(vcol_unused[0]); u++)
			known |= csv_name_equal(h->fields[f], h->lens[f], vcol_unused[u],
			                        strlen(vcol_unused[u]));
		if (!known)
			log_warn(
			    "%s: column '%s' is not a Viva Engage report column and is ignored",
			    import_name(c), h->fields[f]);
	}
	return 0;
}

/* Report Period: whole days, 1-366 ("7", or Graph's "D7"). */
static int period_days(const char *s, size_t len, int *out)
{
	int64_t d;

	if (len && (s[0] == 'D' || s[0] == 'd'))
		s++, len--;
	if (len == 0 || strlen(s) != len || num_int(s, 1, VIVA_MAX_PERIOD, &d) != 0)
		return ERR_INVALID;
	*out = (int)d;
	return 0;
}

/* Split n over blocks of len[b] days (sum `days`): largest remainder,
 * ties to the more recent block (lower b). */
static void apportion(int64_t n, const int *len, int nb, int days, int64_t *out)
{
	int64_t left = n;
	bool extra[VIVA_MAX_BLOCKS] = {false};

	for (int b = 0; b < nb; b++) {
		out[b] = n / days * len[b] + n % days * len[b] / days;
		left -= out[b];
	}
	for (; left > 0; left--) {
		int best = -1;
		int64_t best_rem = -1;
		for (int b = 0; b < nb; b++) {
			int64_t rem = n % days * len[b] % days;
			if (!extra[b] && rem > best_rem) {
				best = b;
				best_rem = rem;
			}
		}
		if (best < 0)
			break;
		extra[best] = true;
		out[best]++;
	}
}

static int emit_kind(struct act *a, const struct viva *v, int64_t pid, const char *id, int kind,
                     int64_t count, int64_t refresh, int days)
{
	int len[VIVA_MAX_BLOCKS];
	int64_t part[VIVA_MAX_BLOCKS];
	int nb = (days + 6) / 7, rc;
	uint8_t k = (uint8_t)kind, ident[SHA256_LEN];
	struct sha256 h;

	if (count == 0)
		return 0;
	/* The identity of (person, kind); the week is the key's top bits. */
	sha256_init(&h);
	sha256_update(&h, "V", 1);
	sha256_update(&h, &k, 1);
	sha256_update(&h, id, strlen(id) + 1);
	sha256_final(&h, ident);
	for (int b = 0; b < nb; b++)
		len[b] = days - 7 * b < 7 ? days - 7 * b : 7;
	apportion(count, len, nb, days, part);
	for (int b = 0; b < nb; b++) {
		/* noon of the block's middle day */
		int64_t mid = refresh - (int64_t)(7 * b + (len[b] - 1) / 2) * 86400 + 43200;
		struct activity_cell e = {
		    .pid = pid, .platform = v->platform, .kind = (uint8_t)kind};

		if (part[b] == 0 || !act_week_of(a, mid, &e.week))
			continue;
		e.events = part[b];
		e.unrated = kind == KIND_POST ? part[b] : 0; /* the report has no engagement */
		e.coarse = days > 7 ? part[b] : 0;
		if ((rc = act_emit(a, &e, act_key(e.week, ident, sizeof(ident)))))
			return rc;
	}
	return 0;
}

static int read_row(struct act *a, struct viva *v, const struct csv_row *row)
{
	import_ctx *c = act_import(a);
	const char *upn = row->fields[v->map[V_UPN]], *id = NULL, *why;
	int64_t pid, refresh, posted, liked;
	int days, rc;

	if (row->lens[v->map[V_UPN]] == 0)
		return import_reject(c, row, v->map[V_UPN], "User Principal Name is empty");
	v->rows++;
	rc = email_find(v, upn, &id);
	if (rc == 0) {
		v->unknown++;
		import_skip(c, "not on the roster");
		return 0;
	}
	if (rc == 2)
		return import_reject(c, row, v->map[V_UPN],
		                     "'%s' is the e-mail of more than one person on the roster",
		                     upn);
	if ((rc = act_person(a, row, v->map[V_UPN], id, strlen(id), &pid)) <= 0)
		return rc;
	if (period_days(row->fields[v->map[V_PERIOD]], row->lens[v->map[V_PERIOD]], &days))
		return import_reject(c, row, v->map[V_PERIOD],
		                     "Report Period '%.20s' is not a number of days from 1 to %d",
		                     row->fields[v->map[V_PERIOD]], VIVA_MAX_PERIOD);
	if ((rc = act_time(a, row, v->map[V_REFRESH], "Report Refresh Date", &refresh)) <= 0)
		return rc;
	refresh -= refresh % 86400; /* the day; a time of day is not meant */
	if ((why = activity_parse_count(row->fields[v->map[V_POSTED]], row->lens[v->map[V_POSTED]],
	                                &posted)))
		return import_reject(c, row, v->map[V_POSTED], "Posted Count '%.40s' %s",
		                     row->fields[v->map[V_POSTED]], why);
	if ((why = activity_parse_count(row->fields[v->map[V_LIKED]], row->lens[v->map[V_LIKED]],
	                                &liked)))
		return import_reject(c, row, v->map[V_LIKED], "Liked Count '%.40s' %s",
		                     row->fields[v->map[V_LIKED]], why);
	import_keep(c);
	if ((rc = emit_kind(a, v, pid, id, KIND_POST, posted, refresh, days)))
		return rc;
	return emit_kind(a, v, pid, id, KIND_REACTION, liked, refresh, days);
}

static int viva_read(struct act *a, void *ctx)
{
	struct viva *v = ctx;
	import_ctx *c = act_import(a);
	struct csv_row row;
	int rc;

	rc = csv_reader_next(import_reader(c), &row);
	if (rc <= 0)
		return rc == 0 ? err_set(ERR_NODATA, "%s: the file is empty", import_name(c)) : rc;
	import_set_header(c, &row);
	if ((rc = map_header(v, c, &row)))
		return rc;
	{
		/* Only the columns read go to a rejects file: no display names. */
		bool *shown = xcalloc(row.count, sizeof(*shown));
		for (int i = 0; i < NVCOLS; i++)
			shown[v->map[i]] = true;
		import_rejects_columns(c, shown, row.count);
		free(shown);
	}
	rc = act_platform(a, VIVA_PLATFORM, strlen(VIVA_PLATFORM), &v->platform);
	if (rc)
		return rc < 0 ? rc
		              : err_set(ERR_LIMIT, "too many platforms for '%s'", VIVA_PLATFORM);
	while ((rc = import_next(c, &row)) == 1)
		if ((rc = read_row(a, v, &row)) < 0)
			return rc;
	if (rc == 0 && v->rows > 0 && v->unknown == v->rows)
		/* the wrong roster or the wrong tenant: refuse, as a survey
		 * naming no one is refused */
		return err_set(ERR_NODATA,
		               "%s: nobody matched: none of the %lld users' User Principal Name is "
		               "an e-mail address on the roster; nothing imported (a report with "
		               "concealed user names cannot be matched: see docs/imports.md)",
		               import_name(c), (long long)v->rows);
	return rc;
}

/* Load the roster's e-mail addresses for matching; called before the
 * import's transaction (a read of the roster). */
static int load_emails(struct viva *v, store *s)
{
	int rc = store_people_emails_each(s, email_add, v);

	if (!rc)
		qsort(v->emails, v->n, sizeof(*v->emails), email_cmp);
	return rc;
}

int activity_import_viva(store *s, const char *path, const struct import_opts *opts,
                         struct import_summary *sum)
{
	struct viva v = {0};
	struct act_source src = {.read = viva_read, .ctx = &v};
	int rc;

	if ((rc = load_emails(&v, s)))
		goto out;
	if (v.n == 0) {
		rc = err_set(ERR_NODATA,
		             "%s: nobody on the roster has an e-mail address, and a Viva Engage "
		             "report matches people by e-mail; nothing imported",
		             path);
		goto out;
	}
	rc = act_source_run(s, path, &src, opts, sum);
out:
	viva_free(&v);
	return rc;
}
