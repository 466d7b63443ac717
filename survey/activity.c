/* activity.c - `import activity FILE` (docs/design.md, Contract 2.3): social-activity events
 * into de-duplication key chunks and activity_weekly (the weekly
 * aggregates scoring reads). Raw events are never stored.
 *
 * This file reads and checks rows and computes each event's key; the
 * sink (survey/activity_sink.c) de-duplicates, aggregates and stores them.
 * Streaming, with memory bounded by the roster and fixed caps, never by
 * the file:
 *  - people: employee_id -> (pid, status), loaded once (grows with people);
 *  - platforms: name -> id, at most ACTIVITY_MAX_PLATFORMS;
 *  - the sink's batches, key cache and cell table (activity_sink.c).
 * Everything is one transaction (survey/import.c), so a failed import
 * leaves no trace. */
#include "survey/activity.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/num.h"
#include "core/sha256.h"
#include "core/store_activity.h"
#include "core/store_features.h"
#include "core/store_retention.h"
#include "core/store_roster.h"
#include "core/timefmt.h"
#include "survey/activity_sink.h"
#include "survey/activity_source.h"
#include "survey/roster.h"

#define KEY_BITS 51
#define WEEK_MAX ((1 << (63 - KEY_BITS)) - 1) /* 4095: weeks up to 2078 */
/* Monday 2000-01-03 00:00 UTC: week 0. */
#define WEEK_EPOCH 946857600LL

enum col {
	COL_ID,
	COL_AT,
	COL_PLATFORM,
	COL_KIND,
	COL_ORIGIN,
	COL_POST,
	COL_REACH, /* the five counts, in struct activity_cell order */
	COL_REACTIONS,
	COL_COMMENTS,
	COL_SHARES,
	COL_CLICKS,
	NCOLS
};
#define NCOUNTS 5

static const char *const col_names[NCOLS] = {"employee_id", "occurred_at", "platform", "kind",
                                             "origin",      "post_id",     "reach",    "reactions",
                                             "comments",    "shares",      "clicks"};
static const bool col_required[NCOLS] = {true, true, true, true};

static const char *const kind_names[] = {NULL,      "post",    "article", "video",
                                         "comment", "reshare", "reaction"};

const char *activity_kind_name(int kind)
{
	return kind >= ACTIVITY_KIND_MIN && kind <= ACTIVITY_KIND_MAX ? kind_names[kind] : "?";
}

const char *activity_origin_name(int origin)
{
	return origin == ORIGIN_ORIGINAL    ? "original"
	       : origin == ORIGIN_SUGGESTED ? "suggested"
	                                    : "?";
}

int activity_kind_parse(const char *s, size_t len)
{
	for (int k = ACTIVITY_KIND_MIN; k <= ACTIVITY_KIND_MAX; k++)
		if (strlen(kind_names[k]) == len && strncasecmp(s, kind_names[k], len) == 0)
			return k;
	return 0;
}

const char *activity_parse_count(const char *s, size_t len, int64_t *out)
{
	int64_t v;
	int rc;

	*out = 0;
	if (len == 0)
		return NULL; /* not reported */
	if (s[0] == '-')
		return "must not be negative";
	if (strlen(s) != len || (rc = num_int(s, 0, ACTIVITY_COUNT_MAX, &v)) == NUM_BAD)
		return "is not a whole number";
	if (rc == NUM_RANGE)
		return "is implausibly large (over 10^12)";
	*out = v;
	return NULL;
}

/* FNV-1a: short keys, no allocation. */
static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* --- people: employee_id -> (pid, status) ------------------------------ */

struct people {
	uint32_t *slots; /* person index + 1; 0 = free */
	size_t mask;
	int64_t *pid;
	uint32_t *off; /* of the id in arena */
	uint8_t *len;  /* ids are at most ROSTER_ID_MAX bytes */
	uint8_t *status;
	size_t n, cap;
	struct buf arena;
};

static int people_add(void *ctx, int64_t pid, const char *id, enum person_status status)
{
	struct people *p = ctx;
	size_t len = strlen(id);

	if (len > ROSTER_ID_MAX || p->arena.len > UINT32_MAX - len)
		return err_set(ERR_INTERNAL, "roster id too long or roster too large");
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 1024;
		p->pid = xreallocarray(p->pid, p->cap, sizeof(*p->pid));
		p->off = xreallocarray(p->off, p->cap, sizeof(*p->off));
		p->len = xreallocarray(p->len, p->cap, sizeof(*p->len));
		p->status = xreallocarray(p->status, p->cap, sizeof(*p->status));
	}
	p->pid[p->n] = pid;
	p->off[p->n] = (uint32_t)p->arena.len;
	p->len[p->n] = (uint8_t)len;
	p->status[p->n] = (uint8_t)status;
	buf_append(&p->arena, id, len);
	p->n++;
	return 0;
}

static int people_load(struct people *p, store *s)
{
	size_t nslots = 16;
	int rc;

	if ((rc = store_people_each(s, people_add, p)))
		return rc;
	while (nslots < 2 * p->n)
		nslots *= 2;
	p->slots = xcalloc(nslots, sizeof(*p->slots));
	p->mask = nslots - 1;
	for (size_t i = 0; i < p->n; i++) {
		size_t h = hash_bytes(p->arena.data + p->off[i], p->len[i]) & p->mask;
		while (p->slots[h])
			h = (h + 1) & p->mask;
		p->slots[h] = (uint32_t)(i + 1);
	}
	return 0;
}

/* Index of the person with this id, or -1. */
static long people_find(const struct people *p, const char *id, size_t len)
{
	size_t h = hash_bytes(id, len) & p->mask;

	for (uint32_t i; (i = p->slots[h]); h = (h + 1) & p->mask)
		if (p->len[i - 1] == len && memcmp(p->arena.data + p->off[i - 1], id, len) == 0)
			return (long)i - 1;
	return -1;
}

static void people_free(struct people *p)
{
	free(p->slots);
	free(p->pid);
	free(p->off);
	free(p->len);
	free(p->status);
	buf_free(&p->arena);
}

/* --- platforms: normalised name -> id ---------------------------------- */

#define PLATFORM_BYTES (4 * ACTIVITY_PLATFORM_MAX) /* UTF-8 */
#define PLATFORM_SLOTS (2 * ACTIVITY_MAX_PLATFORMS)

struct platforms {
	struct {
		char name[PLATFORM_BYTES + 1];
		uint16_t id;
	} ent[ACTIVITY_MAX_PLATFORMS];
	size_t n;
	uint16_t slots[PLATFORM_SLOTS]; /* entry index + 1; 0 = free */
};

static long platforms_find(const struct platforms *p, const char *name, size_t len, size_t *slot)
{
	size_t h = hash_bytes(name, len) & (PLATFORM_SLOTS - 1);

	for (uint16_t i; (i = p->slots[h]); h = (h + 1) & (PLATFORM_SLOTS - 1))
		if (strncmp(p->ent[i - 1].name, name, len) == 0 && p->ent[i - 1].name[len] == '\0')
			return i - 1;
	*slot = h;
	return -1;
}

static int platforms_put(void *ctx, int64_t id, const char *name)
{
	struct platforms *p = ctx;
	size_t len = strlen(name), slot;

	if (id < 1 || id > UINT16_MAX || len > PLATFORM_BYTES)
		return err_set(ERR_CORRUPT, "platforms: unexpected row %lld", (long long)id);
	if (platforms_find(p, name, len, &slot) >= 0)
		return 0;
	if (p->n == ACTIVITY_MAX_PLATFORMS)
		return err_set(ERR_INVALID, "more than %d platforms", ACTIVITY_MAX_PLATFORMS);
	memcpy(p->ent[p->n].name, name, len + 1);
	p->ent[p->n].id = (uint16_t)id;
	p->slots[slot] = (uint16_t)(++p->n);
	return 0;
}

/* Normalise a platform name into out (PLATFORM_BYTES + 1): spaces trimmed,
 * ASCII lowercased. Returns NULL or why the name is refused. */
static const char *platform_normalise(const char *s, size_t len, char *out, size_t *out_len)
{
	size_t chars = 0;

	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0)
		return "platform is empty";
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		/* The reader has checked UTF-8: refuse C0, DEL and C1 controls. */
		if (ch < 0x20 || ch == 0x7f ||
		    (ch == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0))
			return "platform has a control character";
		chars += (ch & 0xc0) != 0x80;
		if (chars > ACTIVITY_PLATFORM_MAX)
			return "platform is longer than 32 characters";
		out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch);
	}
	out[len] = '\0';
	*out_len = len;
	return NULL;
}

/* --- the importer ------------------------------------------------------- */

struct act {
	import_ctx *c;
	bool count_events; /* one event per row: the sink's counts are rows */
	store *s;
	int map[NCOLS];
	int64_t latest;      /* occurred_at above this is in the future */
	int64_t oldest_week; /* weeks before this are past the retention period */
	struct people people;
	struct platforms *plats;
	activity_sink *sink;
	struct activity_counts done; /* finished by the sink, not yet counted */
	pthread_mutex_t dbmu;        /* the store, when the sink's writer runs */
};

static int map_header(struct act *a, const struct csv_row *h)
{
	for (int i = 0; i < NCOLS; i++) {
		a->map[i] = csv_header_find(h, col_names[i]);
		if (a->map[i] < 0 && col_required[i])
			return err_set(ERR_INVALID, "%s:%lld:1: required column '%s' is missing",
			               import_name(a->c), (long long)h->line, col_names[i]);
	}
	for (size_t f = 0; f < h->count; f++) {
		bool known = false;
		for (int i = 0; i < NCOLS; i++)
			known |= a->map[i] == (int)f;
		for (size_t g = 0; g < f; g++)
			if (csv_name_equal(h->fields[f], h->lens[f], h->fields[g], h->lens[g]))
				return err_set(
				    ERR_INVALID, "%s:%lld:%zu: column '%s' appears twice",
				    import_name(a->c), (long long)h->line, f + 1, h->fields[f]);
		if (!known)
			log_warn("%s: column '%s' is not an activity column and is ignored",
			         import_name(a->c), h->fields[f]);
	}
	return 0;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	for (; v >= 0x80; v >>= 7)
		p[n++] = (uint8_t)(v | 0x80);
	p[n++] = (uint8_t)v;
	return n;
}

static size_t put_str(uint8_t *p, const char *s, size_t len)
{
	size_t n = put_varint(p, len);

	memcpy(p + n, s, len);
	return n + len;
}

/* The de-duplication key: (week << 51) | low 51 bits of SHA-256 over a
 * length-prefixed encoding of the event's identity. With a post_id that is
 * employee, platform, kind and post_id; without, the whole normalised row
 * (time in seconds, origin and the counts as parsed). A leading tag keeps
 * the two kinds of identity apart. */
static int64_t event_key(const struct activity_cell *e, const char *emp, size_t elen,
                         const char *plat, size_t plen, const char *post, size_t postlen, int64_t t)
{
	uint8_t buf[512], d[SHA256_LEN];
	size_t n = 0;
	uint64_t h = 0;

	if (postlen) {
		struct sha256 ctx;
		buf[n++] = 'P';
		n += put_str(buf + n, emp, elen);
		n += put_str(buf + n, plat, plen);
		buf[n++] = e->kind;
		n += put_varint(buf + n, postlen);
		sha256_init(&ctx);
		sha256_update(&ctx, buf, n);
		sha256_update(&ctx, post, postlen);
		sha256_final(&ctx, d);
	} else {
		buf[n++] = 'R';
		n += put_str(buf + n, emp, elen);
		n += put_str(buf + n, plat, plen);
		buf[n++] = e->kind;
		buf[n++] = e->origin;
		n += put_varint(buf + n, (uint64_t)t);
		n += put_varint(buf + n, (uint64_t)e->reach);
		n += put_varint(buf + n, (uint64_t)e->reactions);
		n += put_varint(buf + n, (uint64_t)e->comments);
		n += put_varint(buf + n, (uint64_t)e->shares);
		n += put_varint(buf + n, (uint64_t)e->clicks);
		sha256(d, buf, n);
	}
	for (int i = 0; i < 8; i++)
		h = h << 8 | d[i];
	return (int64_t)((uint64_t)e->week << KEY_BITS | (h & ((1ULL << KEY_BITS) - 1)));
}

static const char *cell_text(const struct csv_row *row, int idx, size_t *len)
{
	*len = idx >= 0 ? row->lens[idx] : 0;
	return idx >= 0 ? row->fields[idx] : "";
}

int act_person(struct act *a, const struct csv_row *row, int col, const char *id, size_t len,
               int64_t *pid)
{
	const char *why;
	long i;
	int rc;

	if ((why = roster_check_id(id, len)))
		return import_reject(a->c, row, col, "%s", why);
	if ((i = people_find(&a->people, id, len)) < 0) {
		pthread_mutex_lock(&a->dbmu);
		rc = store_is_suppressed(a->s, id);
		pthread_mutex_unlock(&a->dbmu);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			import_skip(a->c, "erased earlier");
			return 0;
		}
		return import_reject(a->c, row, col, "employee_id '%s' is not on the roster", id);
	}
	/* Skipped before any other check: nothing of theirs is looked at. */
	if (a->people.status[i] == PERSON_OPTED_OUT) {
		import_skip(a->c, "opted out");
		return 0;
	}
	if (a->people.status[i] == PERSON_DEPARTED) {
		import_skip(a->c, "departed");
		return 0;
	}
	*pid = a->people.pid[i];
	return 1;
}

int act_time(struct act *a, const struct csv_row *row, int col, const char *what, int64_t *t)
{
	size_t len;
	const char *v = cell_text(row, col, &len);
	char date[16];

	if (!len)
		return import_reject(a->c, row, col, "%s is empty", what);
	if (len > 64 || timefmt_parse(v, t))
		return import_reject(a->c, row, col,
		                     "%s '%.64s' is not an ISO 8601 date or date-time "
		                     "(e.g. 2026-03-14 or 2026-03-14T09:05:00Z)",
		                     what, v);
	if (*t > a->latest) {
		timefmt_date(date, sizeof(date), a->latest - ACTIVITY_FUTURE_TOLERANCE);
		return import_reject(a->c, row, col, "%s '%s' is in the future (today is %s)", what,
		                     v, date);
	}
	if (*t < WEEK_EPOCH)
		return import_reject(a->c, row, col,
		                     "%s '%s' is before 2000-01-03, where week numbering "
		                     "starts",
		                     what, v);
	if (timefmt_week(*t) > WEEK_MAX)
		return import_reject(a->c, row, col, "%s '%s' is after 2078", what, v);
	if (timefmt_week(*t) < a->oldest_week) {
		/* Purged by the retention policy: not brought back. */
		import_skip(a->c, "older than the retention period");
		return 0;
	}
	return 1;
}

int act_platform(struct act *a, const char *name, size_t len, uint16_t *id)
{
	size_t slot;
	long i = platforms_find(a->plats, name, len, &slot);
	int64_t pid;
	bool added;
	int rc;

	if (i >= 0) {
		*id = a->plats->ent[i].id;
		return 0;
	}
	if (a->plats->n == ACTIVITY_MAX_PLATFORMS)
		return 1; /* caller rejects the row */
	pthread_mutex_lock(&a->dbmu);
	rc = store_platform_add(a->s, name, &pid, &added);
	pthread_mutex_unlock(&a->dbmu);
	if (rc)
		return rc;
	if ((rc = platforms_put(a->plats, pid, name)))
		return rc;
	if (added)
		import_note(a->c, "new platforms", 1);
	*id = (uint16_t)pid;
	return 0;
}

/* Parse one row into *e and its key. 1 when the event is ready; 0 when the
 * row was rejected or skipped; <0 on failure. */
static int parse_row(struct act *a, const struct csv_row *row, struct activity_cell *e,
                     int64_t *key)
{
	char plat[PLATFORM_BYTES + 1];
	const char *v, *why;
	size_t len, plen, elen, postlen;
	int64_t t = 0, counts[NCOUNTS];
	int rc, unreported;

	memset(e, 0, sizeof(*e));
	v = cell_text(row, a->map[COL_ID], &len);
	if ((rc = act_person(a, row, a->map[COL_ID], v, len, &e->pid)) <= 0 ||
	    (rc = act_time(a, row, a->map[COL_AT], "occurred_at", &t)) <= 0)
		return rc;
	e->week = (int32_t)timefmt_week(t);
	v = cell_text(row, a->map[COL_PLATFORM], &len);
	if ((why = platform_normalise(v, len, plat, &plen)))
		return import_reject(a->c, row, a->map[COL_PLATFORM], "%s", why);
	v = cell_text(row, a->map[COL_KIND], &len);
	if (!(e->kind = (uint8_t)activity_kind_parse(v, len)))
		return import_reject(a->c, row, a->map[COL_KIND],
		                     "kind must be post, article, video, comment, reshare or "
		                     "reaction, not '%.40s'",
		                     v);
	v = cell_text(row, a->map[COL_ORIGIN], &len);
	if (len == 0 || (len == 8 && strncasecmp(v, "original", 8) == 0))
		e->origin = ORIGIN_ORIGINAL;
	else if (len == 9 && strncasecmp(v, "suggested", 9) == 0)
		e->origin = ORIGIN_SUGGESTED;
	else
		return import_reject(a->c, row, a->map[COL_ORIGIN],
		                     "origin must be original, suggested or empty, not '%.40s'", v);
	unreported = 0;
	for (int k = 0; k < NCOUNTS; k++) {
		v = cell_text(row, a->map[COL_REACH + k], &len);
		if (len == 0 && k >= COL_REACTIONS - COL_REACH && k <= COL_SHARES - COL_REACH)
			unreported++;
		if ((why = activity_parse_count(v, len, &counts[k])))
			return import_reject(a->c, row, a->map[COL_REACH + k], "%s '%.40s' %s",
			                     col_names[COL_REACH + k], v, why);
	}
	if ((rc = act_platform(a, plat, plen, &e->platform)) < 0)
		return rc;
	if (rc == 1)
		return import_reject(a->c, row, a->map[COL_PLATFORM],
		                     "more than %d different platforms; '%s' is one too many",
		                     ACTIVITY_MAX_PLATFORMS, plat);
	e->events = 1;
	e->reach = counts[0];
	e->reactions = counts[1];
	e->comments = counts[2];
	e->shares = counts[3];
	e->clicks = counts[4];
	/* none of the three reported: the engagement is unknown, not zero */
	e->unrated = unreported == COL_SHARES - COL_REACTIONS + 1;
	v = cell_text(row, a->map[COL_ID], &elen);
	const char *post = cell_text(row, a->map[COL_POST], &postlen);
	*key = event_key(e, v, elen, plat, plen, post, postlen, t);
	return 1;
}

/* Count what the sink has finished into the import summary: rows when a
 * row is one event, otherwise notes (the source counts its rows). */
static void count_done(struct act *a)
{
	if (!a->count_events) {
		import_note(a->c, "weekly figures added", a->done.kept);
		import_note(a->c, "weekly figures already counted", a->done.dup);
		a->done.kept = a->done.dup = 0;
		return;
	}
	for (; a->done.dup > 0; a->done.dup--)
		import_skip(a->c, "already counted");
	for (; a->done.kept > 0; a->done.kept--)
		import_keep(a->c);
}

int64_t act_key(int32_t week, const void *identity, size_t len)
{
	uint8_t d[SHA256_LEN];
	uint64_t h = 0;

	sha256(d, identity, len);
	for (int i = 0; i < 8; i++)
		h = h << 8 | d[i];
	return (int64_t)((uint64_t)week << KEY_BITS | (h & ((1ULL << KEY_BITS) - 1)));
}

int act_emit(struct act *a, const struct activity_cell *e, int64_t key)
{
	int64_t *slot_key;
	struct activity_cell *slot = activity_sink_slot(a->sink, &slot_key);
	int rc;

	*slot = *e;
	*slot_key = key;
	rc = activity_sink_add(a->sink, &a->done);
	count_done(a);
	return rc;
}

import_ctx *act_import(struct act *a)
{
	return a->c;
}

bool act_on_roster(struct act *a, const char *id)
{
	return people_find(&a->people, id, strlen(id)) >= 0;
}

int act_week_of(struct act *a, int64_t t, int32_t *week)
{
	if (t < WEEK_EPOCH || timefmt_week(t) > WEEK_MAX)
		return 0;
	*week = (int32_t)timefmt_week(t);
	return timefmt_week(t) >= a->oldest_week ? 1 : 0;
}

static int read_rows(struct act *a, const char *path)
{
	struct csv_row row;
	int rc;

	rc = csv_reader_next(import_reader(a->c), &row);
	if (rc <= 0)
		return rc == 0 ? err_set(ERR_NODATA, "%s: the file is empty", path) : rc;
	import_set_header(a->c, &row);
	if ((rc = map_header(a, &row)))
		return rc;
	/* Large files get the sink's writer thread (and the reader's
	 * read-ahead thread): three threads for two cores' worth of work. */
	if ((rc = activity_sink_new(&a->sink, a->s, &a->dbmu,
	                            csv_reader_size(import_reader(a->c)) >= CSV_PREFETCH_FROM)))
		return rc;
	while ((rc = import_next(a->c, &row)) == 1) {
		int64_t *key;
		struct activity_cell *e = activity_sink_slot(a->sink, &key);
		rc = parse_row(a, &row, e, key);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			rc = activity_sink_add(a->sink, &a->done);
			count_done(a);
			if (rc)
				return rc;
		}
	}
	if (rc < 0)
		return rc;
	rc = activity_sink_finish(a->sink, &a->done);
	count_done(a);
	return rc;
}

/* Set up after import_begin*: retention, the roster, the platforms. */
static int act_setup(struct act *a, store *s)
{
	int days, rc;

	if ((rc = store_retention_days(s, &days)))
		return rc;
	if (days > 0 && clock_now() - (int64_t)days * 86400 >= WEEK_EPOCH)
		a->oldest_week = timefmt_week(clock_now() - (int64_t)days * 86400);
	if ((rc = people_load(&a->people, s)) ||
	    (rc = store_platforms_each(s, platforms_put, a->plats)))
		return rc;
	return 0;
}

int act_source_run(store *s, const char *path, const struct act_source *src,
                   const struct import_opts *opts, struct import_summary *sum)
{
	struct act *a = xcalloc(1, sizeof(*a));
	int rc;

	a->s = s;
	a->plats = xcalloc(1, sizeof(*a->plats));
	a->latest = clock_now() + ACTIVITY_FUTURE_TOLERANCE;
	a->count_events = src->one_event_per_row;
	pthread_mutex_init(&a->dbmu, NULL);
	rc = src->parts ? import_begin_parts(&a->c, s, "activity", path, opts, sum)
	                : import_begin(&a->c, s, "activity", path, opts, sum);
	if (rc || (rc = act_setup(a, s)))
		goto out;
	/* Sources are small exports: no writer thread. */
	if ((rc = activity_sink_new(&a->sink, a->s, &a->dbmu, false)))
		goto out;
	if ((rc = src->read(a, src->ctx)))
		goto out;
	if ((rc = activity_sink_finish(a->sink, &a->done)))
		goto out;
	count_done(a);
	if (sum->rows_read == 0) {
		rc = err_set(ERR_NODATA, "%s: no data rows; nothing imported", path);
		goto out;
	}
	rc = import_end(&a->c);
out:
	activity_sink_free(&a->sink);
	import_abort(&a->c);
	pthread_mutex_destroy(&a->dbmu);
	people_free(&a->people);
	free(a->plats);
	free(a);
	return rc;
}

int activity_import(store *s, const char *path, const struct import_opts *opts,
                    struct import_summary *sum)
{
	struct act *a;
	int rc;

	if ((rc = import_known_bytes(s, "activity", path, opts, sum)))
		return rc < 0 ? rc : 0;
	a = xcalloc(1, sizeof(*a));
	a->s = s;
	a->plats = xcalloc(1, sizeof(*a->plats));
	a->latest = clock_now() + ACTIVITY_FUTURE_TOLERANCE;
	a->count_events = true;
	pthread_mutex_init(&a->dbmu, NULL);
	if ((rc = import_begin(&a->c, s, "activity", path, opts, sum)))
		goto out;
	if ((rc = act_setup(a, s)) || (rc = read_rows(a, path)))
		goto out;
	if (sum->rows_read == 0) {
		rc = err_set(ERR_NODATA, "%s: no data rows after the header; nothing imported",
		             path);
		goto out;
	}
	/* The weekly cells written make the feature cache stale: the store
	 * bumps the activity version at commit (store_activity_written). */
	rc = import_end(&a->c);
out:
	activity_sink_free(&a->sink); /* before a rollback: its writer may hold a batch */
	import_abort(&a->c);
	pthread_mutex_destroy(&a->dbmu);
	people_free(&a->people);
	free(a->plats);
	free(a);
	return rc;
}
