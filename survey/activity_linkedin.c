/* activity_linkedin.c - `import activity --source linkedin-export PATH
 * --employee ID`: a LinkedIn member archive ("Get a copy of your data")
 * that an employee gave to take part, as a ZIP or the folder it was
 * unpacked into (core/archive.h). Three of its files are read, all others
 * are left unread:
 *   Shares.csv     Date, ShareLink, ShareCommentary, SharedUrl, MediaUrl
 *   Comments.csv   Date, Link, Message
 *   Reactions.csv  Date, Type, Link
 * A share is an own post, or a reshare when it has no commentary of its
 * own and no media and only points at a LinkedIn post (SharedUrl). The
 * archive carries no engagement counts, so every own post is stored with
 * its engagement unknown (unrated), never as zero.
 *
 * No text is kept: ShareCommentary and Message are only looked at for
 * being empty or not; links only enter the de-duplication hash. The three
 * files are one import (one ledger row, one transaction). The file bytes
 * are owned here until the import ends.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/archive.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/sha256.h"
#include "survey/activity.h"
#include "survey/activity_source.h"

#define LINKEDIN_PLATFORM  "linkedin"
#define LINKEDIN_MAX_BYTES (64u << 20) /* per file; archives hold a few MB */

enum part { P_SHARES, P_COMMENTS, P_REACTIONS, NPARTS };

static const char *const part_names[NPARTS] = {"Shares.csv", "Comments.csv", "Reactions.csv"};

/* The columns each part needs, in the order of enum lcol. */
enum lcol { L_DATE, L_LINK, L_TEXT, L_SHARED, L_MEDIA, NLCOLS };

static const char *const part_cols[NPARTS][NLCOLS] = {
    {"Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl"},
    {"Date", "Link", "Message", NULL, NULL},
    {"Date", "Link", "Type", NULL, NULL},
};

struct linkedin {
	const char *employee_id;
	char *data[NPARTS];
	size_t len[NPARTS];
	int map[NLCOLS];
	uint16_t platform;
};

static int map_header(struct linkedin *l, import_ctx *c, enum part p, const struct csv_row *h)
{
	for (int i = 0; i < NLCOLS; i++) {
		l->map[i] = -1;
		if (!part_cols[p][i])
			continue;
		if ((l->map[i] = csv_header_find(h, part_cols[p][i])) < 0)
			return err_set(ERR_INVALID, "%s:%lld:1: required column '%s' is missing",
			               import_name(c), (long long)h->line, part_cols[p][i]);
	}
	return 0;
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* Whether url names a LinkedIn post (someone's update), not an article
 * or another site. */
static bool is_linkedin_post(const char *url)
{
	if (strncasecmp(url, "urn:li:", 7) == 0)
		return true;
	if (!strcasestr(url, "linkedin.com/"))
		return false;
	return strcasestr(url, "/feed/update/") || strcasestr(url, "/posts/");
}

/* The kind of a share row (see the top of the file). */
static int share_kind(const struct linkedin *l, const struct csv_row *row)
{
	bool own_text = !blank(row->fields[l->map[L_TEXT]], row->lens[l->map[L_TEXT]]);
	bool media = !blank(row->fields[l->map[L_MEDIA]], row->lens[l->map[L_MEDIA]]);

	if (!own_text && !media && is_linkedin_post(row->fields[l->map[L_SHARED]]))
		return KIND_RESHARE;
	return KIND_POST;
}

static int read_row(struct act *a, struct linkedin *l, enum part p, const struct csv_row *row)
{
	struct activity_cell e = {.platform = l->platform, .origin = ORIGIN_ORIGINAL};
	const char *link = row->fields[l->map[L_LINK]];
	size_t idlen = strlen(l->employee_id);
	struct sha256 h;
	uint8_t d[SHA256_LEN];
	int64_t t;
	int rc;

	if ((rc = act_person(a, row, -1, l->employee_id, idlen, &e.pid)) <= 0 ||
	    (rc = act_time(a, row, l->map[L_DATE], "Date", &t)) <= 0 ||
	    (rc = act_week_of(a, t, &e.week)) <= 0)
		return rc;
	e.kind = (uint8_t)(p == P_SHARES     ? share_kind(l, row)
	                   : p == P_COMMENTS ? KIND_COMMENT
	                                     : KIND_REACTION);
	e.events = 1;
	e.unrated = e.kind == KIND_POST; /* the archive has no engagement counts */
	/* Identity: employee, kind, time and link (a share's own link, the post
	 * commented on or reacted to), hashed; none of it is stored. */
	sha256_init(&h);
	sha256_update(&h, "L", 1);
	sha256_update(&h, l->employee_id, idlen + 1);
	sha256_update(&h, &e.kind, 1);
	sha256_update(&h, &t, sizeof(t));
	sha256_update(&h, link, strlen(link));
	sha256_final(&h, d);
	return act_emit(a, &e, act_key(e.week, d, sizeof(d)));
}

static int read_part(struct act *a, struct linkedin *l, enum part p)
{
	import_ctx *c = act_import(a);
	struct csv_row row;
	int rc;

	if ((rc = import_part(c, part_names[p], l->data[p], l->len[p])))
		return rc;
	rc = csv_reader_next(import_reader(c), &row);
	if (rc <= 0)
		return rc; /* an empty file: nothing of this kind */
	import_set_header(c, &row);
	if ((rc = map_header(l, c, p, &row)))
		return rc;
	while ((rc = import_next(c, &row)) == 1)
		if ((rc = read_row(a, l, p, &row)) < 0)
			return rc;
	return rc;
}

static int linkedin_read(struct act *a, void *ctx)
{
	struct linkedin *l = ctx;
	int rc;

	if (!act_on_roster(a, l->employee_id))
		return err_set(ERR_NOT_FOUND,
		               "--employee %s is not on the roster; nothing imported",
		               l->employee_id);
	rc = act_platform(a, LINKEDIN_PLATFORM, strlen(LINKEDIN_PLATFORM), &l->platform);
	if (rc)
		return rc < 0
		           ? rc
		           : err_set(ERR_LIMIT, "too many platforms for '%s'", LINKEDIN_PLATFORM);
	for (int p = 0; p < NPARTS; p++)
		if (l->data[p] && (rc = read_part(a, l, (enum part)p)))
			return rc;
	return 0;
}

/* Read the three files (those present) before the import begins. */
static int load_parts(struct linkedin *l, const char *path)
{
	archive *ar = NULL;
	int rc, found = 0;

	if ((rc = archive_open(&ar, path)))
		return rc;
	for (int p = 0; p < NPARTS; p++) {
		rc = archive_read(ar, part_names[p], LINKEDIN_MAX_BYTES, &l->data[p], &l->len[p]);
		if (rc < 0)
			goto out;
		found += rc;
	}
	rc = found ? 0
	           : err_set(ERR_INVALID,
	                     "%s: not a LinkedIn member archive: it holds no Shares.csv, "
	                     "Comments.csv or Reactions.csv",
	                     path);
out:
	archive_close(&ar);
	return rc;
}

int activity_import_linkedin(store *s, const char *path, const char *employee_id,
                             const struct import_opts *opts, struct import_summary *sum)
{
	struct linkedin l = {.employee_id = employee_id};
	struct act_source src = {
	    .read = linkedin_read, .ctx = &l, .parts = true, .one_event_per_row = true};
	char *name = xstrdup(path);
	size_t n = strlen(name);
	int rc;

	/* "folder/" names the folder: the ledger and the rejects file use it */
	while (n > 1 && name[n - 1] == '/')
		name[--n] = '\0';
	if ((rc = load_parts(&l, name)) == 0)
		rc = act_source_run(s, name, &src, opts, sum);
	for (int p = 0; p < NPARTS; p++)
		free(l.data[p]);
	free(name);
	return rc;
}
