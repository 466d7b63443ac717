/* activity.c - `import activity FILE` (SPEC 2.3): social-activity events
 * into de-duplication key chunks and activity_weekly (the weekly
 * aggregates scoring reads). Raw events are never stored.
 *
 * Streaming, with memory bounded by the roster and fixed caps, never by
 * the file:
 *  - people: employee_id -> (pid, status), loaded once (grows with people);
 *  - platforms: name -> id, at most ACTIVITY_MAX_PLATFORMS;
 *  - batches of BATCH parsed events (one filling, up to QUEUE - 1 with
 *    the writer thread that large files get: see struct writer) whose keys are
 *    checked against the key chunks (core/store_activity.h) held in a
 *    cache of at most
 *    SEEN_CACHE_KEYS keys (a key already there is an event already
 *    counted, by an earlier import or earlier in this file); when the
 *    cache fills, and at the end, changed chunks are saved and dropped;
 *  - an open-addressing table of weekly cells, at most AGG_MAX entries,
 *    upserted into activity_weekly whenever it fills and at the end.
 * The import context owns all of these; everything is one transaction
 * (survey/import.c), so a failed import leaves no trace. */
#include "survey/activity.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/sha256.h"
#include "core/store_activity.h"
#include "core/store_features.h"
#include "core/store_retention.h"
#include "core/store_roster.h"
#include "core/timefmt.h"
#include "survey/roster.h"

#define BATCH           8192            /* events per de-duplication round */
#define QUEUE           16              /* batches between the reading and writer threads */
#define SEEN_CACHE_KEYS (1u << 20)      /* 8 MiB of cached keys */
#define AGG_MIN         (1u << 12)      /* first size of the cell table (slots) */
#define AGG_SLOTS       (1u << 18)      /* largest size: 16 MiB of 64-byte cells */
#define AGG_MAX         (AGG_SLOTS / 2) /* flush at this many cells (load 1/2) */
#define KEY_BITS        51
#define WEEK_MAX        ((1 << (63 - KEY_BITS)) - 1) /* 4095: weeks up to 2078 */
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
	char *end;
	long long v;

	*out = 0;
	if (len == 0)
		return NULL; /* not reported */
	if (s[0] == '-')
		return "must not be negative";
	/* strtoll alone would take " 5", "+5" and "0x5"; only digits here. */
	if (s[0] < '0' || s[0] > '9')
		return "is not a whole number";
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end != s + len)
		return "is not a whole number";
	if (errno == ERANGE || v > ACTIVITY_COUNT_MAX)
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

/* --- weekly cells: open addressing, flushed when AGG_MAX are in use ----- */

/* A sort key with the index of what it belongs to: sorting 16-byte pairs
 * by an integer beats moving 64-byte cells through a comparator. */
struct order_pair {
	uint64_t key;
	uint32_t idx;
};

/* Sort pairs[0..n) by key, ties in index order, and write their indices
 * to order. An LSD radix sort, 16 bits a pass, skipping passes where every
 * key has the same digit (the week bits of a batch usually do): a few
 * linear passes instead of n log n calls of a comparator. */
static void sort_pairs(struct order_pair *pairs, uint32_t *order, size_t n)
{
	struct order_pair *tmp, *src = pairs, *dst;
	uint32_t count[1 << 16];

	if (n < 2) {
		for (size_t i = 0; i < n; i++)
			order[i] = pairs[i].idx;
		return;
	}
	tmp = xcalloc(n, sizeof(*tmp));
	dst = tmp;
	for (unsigned shift = 0; shift < 64; shift += 16) {
		size_t sum = 0;
		unsigned first = (unsigned)(src[0].key >> shift) & 0xFFFF;
		bool same = true;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++) {
			unsigned d = (unsigned)(src[i].key >> shift) & 0xFFFF;
			count[d]++;
			same &= d == first;
		}
		if (same)
			continue;
		for (size_t d = 0; d < (1 << 16); d++) {
			uint32_t c = count[d];
			count[d] = (uint32_t)sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i].key >> shift) & 0xFFFF]++] = src[i];
		struct order_pair *t = src;
		src = dst;
		dst = t;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = src[i].idx;
	free(tmp);
}

struct agg {
	struct activity_cell *cells; /* events == 0: free */
	size_t nslots, n;
	struct order_pair *pairs; /* AGG_MAX, for the flush */
	uint32_t *order;
	int64_t flushes;
};

static uint64_t cell_hash(const struct activity_cell *c)
{
	uint64_t h = (uint64_t)c->pid * 0x9E3779B97F4A7C15ULL;

	h ^= ((uint64_t)(uint32_t)c->week << 32 | (uint64_t)c->platform << 16 |
	      (uint64_t)c->kind << 8 | c->origin) *
	     0xC2B2AE3D27D4EB4FULL;
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ULL;
	return h ^ (h >> 29);
}

static bool cell_same(const struct activity_cell *a, const struct activity_cell *b)
{
	return a->pid == b->pid && a->week == b->week && a->platform == b->platform &&
	       a->kind == b->kind && a->origin == b->origin;
}

static int key_cmp64(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return (a > b) - (a < b);
}

static int64_t sat_add(int64_t a, int64_t b)
{
	return a > ACTIVITY_SUM_MAX - b ? ACTIVITY_SUM_MAX : a + b;
}

static struct activity_cell *agg_slot(struct agg *g, const struct activity_cell *c)
{
	size_t mask = g->nslots - 1, h = cell_hash(c) & mask;

	while (g->cells[h].events && !cell_same(&g->cells[h], c))
		h = (h + 1) & mask;
	return &g->cells[h];
}

static void agg_grow(struct agg *g)
{
	struct activity_cell *old = g->cells;
	size_t nold = g->nslots;

	g->nslots = nold ? 2 * nold : AGG_MIN;
	g->cells = xcalloc(g->nslots, sizeof(*g->cells));
	for (size_t i = 0; i < nold; i++)
		if (old[i].events)
			*agg_slot(g, &old[i]) = old[i];
	free(old);
}

/* Write every cell to activity_weekly, sorted by key, and empty the table. */
static int agg_flush(struct agg *g, store *s)
{
	size_t n = 0;
	int rc;

	if (!g->n)
		return 0;
	if (!g->pairs) {
		g->pairs = xcalloc(AGG_MAX + 1, sizeof(*g->pairs));
		g->order = xcalloc(AGG_MAX + 1, sizeof(*g->order));
	}
	for (size_t i = 0; i < g->nslots; i++) {
		if (!g->cells[i].events)
			continue;
		g->cells[n] = g->cells[i];
		/* Out-of-range pids sort anywhere: store_activity_add refuses them. */
		g->pairs[n].key = (uint64_t)activity_cell_key(&g->cells[n]);
		g->pairs[n].idx = (uint32_t)n;
		n++;
	}
	sort_pairs(g->pairs, g->order, n);
	rc = store_activity_add(s, g->cells, g->order, n);
	memset(g->cells, 0, g->nslots * sizeof(*g->cells));
	g->n = 0;
	g->flushes++;
	return rc;
}

static int agg_add(struct agg *g, store *s, const struct activity_cell *c)
{
	struct activity_cell *slot;
	int rc;

	if (g->n >= g->nslots / 2) {
		if (g->nslots < AGG_SLOTS)
			agg_grow(g);
		else if ((rc = agg_flush(g, s)))
			return rc;
	}
	slot = agg_slot(g, c);
	if (!slot->events) {
		*slot = *c;
		g->n++;
		return 0;
	}
	slot->events = sat_add(slot->events, c->events);
	slot->reach = sat_add(slot->reach, c->reach);
	slot->reactions = sat_add(slot->reactions, c->reactions);
	slot->comments = sat_add(slot->comments, c->comments);
	slot->shares = sat_add(slot->shares, c->shares);
	slot->clicks = sat_add(slot->clicks, c->clicks);
	return 0;
}

/* --- de-duplication keys: a cache of chunks ---------------------------- */

struct seen_chunk {
	int64_t id; /* -1: free slot */
	int64_t *keys;
	size_t n, cap;
	bool dirty;
};

struct seen {
	struct seen_chunk *slots;
	size_t nslots, n;
	size_t nkeys;
	bool legacy; /* activity_seen still has rows to move */
	int64_t *merge;
	size_t merge_cap;
	int64_t *ids; /* for saving in chunk order */
};

static struct seen_chunk *seen_slot(struct seen *c, int64_t id)
{
	size_t mask = c->nslots - 1,
	       h = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ULL >> 20) & mask;

	while (c->slots[h].id != -1 && c->slots[h].id != id)
		h = (h + 1) & mask;
	return &c->slots[h];
}

static void seen_alloc(struct seen *c, size_t nslots)
{
	c->slots = xcalloc(nslots, sizeof(*c->slots));
	c->nslots = nslots;
	for (size_t i = 0; i < nslots; i++)
		c->slots[i].id = -1;
}

/* The chunk with this id, loaded when not cached. */
static int seen_get(struct seen *c, store *s, int64_t id, struct seen_chunk **out)
{
	struct seen_chunk *ch;
	int rc;

	if (!c->slots)
		seen_alloc(c, 1024);
	if (2 * (c->n + 1) > c->nslots) {
		struct seen_chunk *old = c->slots;
		size_t nold = c->nslots;
		seen_alloc(c, 2 * nold);
		for (size_t i = 0; i < nold; i++)
			if (old[i].id != -1)
				*seen_slot(c, old[i].id) = old[i];
		free(old);
	}
	ch = seen_slot(c, id);
	if (ch->id == -1) {
		ch->id = id;
		ch->keys = NULL;
		ch->n = ch->cap = 0;
		ch->dirty = false;
		c->n++;
		if ((rc = store_seen_chunk_load(s, id, c->legacy, &ch->keys, &ch->n, &ch->cap,
		                                &ch->dirty)))
			return rc;
		c->nkeys += ch->n;
	}
	*out = ch;
	return 0;
}

/* Save every changed chunk (in chunk order) and empty the cache. */
static int seen_flush(struct seen *c, store *s)
{
	size_t n = 0;
	int rc = 0;

	if (!c->n)
		return 0;
	c->ids = xreallocarray(c->ids, c->n, sizeof(*c->ids));
	for (size_t i = 0; i < c->nslots; i++)
		if (c->slots[i].id != -1 && c->slots[i].dirty)
			c->ids[n++] = c->slots[i].id;
	qsort(c->ids, n, sizeof(*c->ids), key_cmp64);
	for (size_t i = 0; i < n && !rc; i++) {
		struct seen_chunk *ch = seen_slot(c, c->ids[i]);
		rc = store_seen_chunk_save(s, ch->id, c->legacy, ch->keys, ch->n);
	}
	for (size_t i = 0; i < c->nslots; i++) {
		if (c->slots[i].id != -1)
			free(c->slots[i].keys);
		c->slots[i].id = -1;
	}
	c->n = 0;
	c->nkeys = 0;
	return rc;
}

static void seen_free(struct seen *c)
{
	for (size_t i = 0; i < c->nslots; i++)
		if (c->slots[i].id != -1)
			free(c->slots[i].keys);
	free(c->slots);
	free(c->merge);
	free(c->ids);
}

/* Merge the sorted keys keys[order[from..to)] (all in chunk ch) into it;
 * fresh[k] is 1 for a key not there before (nor earlier in the run). */
static void seen_merge(struct seen *c, struct seen_chunk *ch, const int64_t *keys,
                       const uint32_t *order, size_t from, size_t to, uint8_t *fresh)
{
	size_t p = 0, out = 0, need = ch->n + (to - from);

	if (need > c->merge_cap) {
		c->merge_cap = need < 1024 ? 1024 : 2 * need;
		c->merge = xreallocarray(c->merge, c->merge_cap, sizeof(*c->merge));
	}
	for (size_t i = from; i < to; i++) {
		uint32_t k = order[i];
		int64_t key = keys[k];
		while (p < ch->n && ch->keys[p] < key)
			c->merge[out++] = ch->keys[p++];
		if ((p < ch->n && ch->keys[p] == key) || (out && c->merge[out - 1] == key)) {
			fresh[k] = 0;
			continue;
		}
		fresh[k] = 1;
		c->merge[out++] = key;
	}
	while (p < ch->n)
		c->merge[out++] = ch->keys[p++];
	if (out == ch->n)
		return; /* nothing new */
	if (out > ch->cap) {
		ch->cap = out + out / 2;
		ch->keys = xreallocarray(ch->keys, ch->cap, sizeof(*ch->keys));
	}
	memcpy(ch->keys, c->merge, out * sizeof(*ch->keys));
	c->nkeys += out - ch->n;
	ch->n = out;
	ch->dirty = true;
}

/* --- the importer ------------------------------------------------------- */

/* Parsed events on their way to de-duplication and aggregation. */
struct batch {
	size_t n;
	int64_t keys[BATCH];
	struct order_pair pairs[BATCH];
	uint32_t order[BATCH];
	uint8_t fresh[BATCH];
	struct activity_cell cells[BATCH];
	int64_t kept, dup; /* results, applied to the summary by the reading thread */
};

/* For large files a writer thread de-duplicates, aggregates and stores
 * one batch while the reading thread parses the next (and the CSV
 * read-ahead thread the one after). The reading thread touches the store
 * only under dbmu (an unknown employee id, a new platform), and counts the
 * writer's results when it takes a batch back, so the summary has one
 * writer. */
struct writer {
	pthread_t thread;
	bool running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Batches go round a ring of QUEUE in order: the reading thread has
	 * handed over `filled`, the writer has finished `processed`, and the
	 * reading thread has counted `applied` (applied <= processed <=
	 * filled <= applied + QUEUE). The queue absorbs the writer's bursts
	 * (a flush of the cell table) without stopping the reading. */
	size_t filled, processed, applied;
	bool quit;
	int rc; /* first failure; then msg */
	char msg[512];
};

struct act {
	import_ctx *c;
	store *s;
	int map[NCOLS];
	int64_t latest;      /* occurred_at above this is in the future */
	int64_t oldest_week; /* weeks before this are past the retention period */
	struct people people;
	struct platforms *plats;
	struct agg agg;
	struct seen seen;
	struct batch batches[QUEUE];
	struct batch *fill; /* the batch parse_row adds to */
	struct writer w;
	pthread_mutex_t dbmu; /* the store, when the writer runs */
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

/* The person of a row: 1 with *pid for an active person; 0 when the row
 * was skipped or rejected; <0 on failure. */
static int row_person(struct act *a, const struct csv_row *row, int64_t *pid)
{
	size_t len;
	const char *id = cell_text(row, a->map[COL_ID], &len), *why;
	long i;
	int rc;

	if ((why = roster_check_id(id, len)))
		return import_reject(a->c, row, a->map[COL_ID], "%s", why);
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
		return import_reject(a->c, row, a->map[COL_ID],
		                     "employee_id '%s' is not on the roster", id);
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

static int row_time(struct act *a, const struct csv_row *row, int64_t *t)
{
	size_t len;
	const char *v = cell_text(row, a->map[COL_AT], &len);
	char date[16];

	if (!len)
		return import_reject(a->c, row, a->map[COL_AT], "occurred_at is empty");
	if (len > 64 || timefmt_parse(v, t))
		return import_reject(a->c, row, a->map[COL_AT],
		                     "occurred_at '%.64s' is not an ISO 8601 date or date-time "
		                     "(e.g. 2026-03-14 or 2026-03-14T09:05:00Z)",
		                     v);
	if (*t > a->latest) {
		timefmt_date(date, sizeof(date), a->latest - ACTIVITY_FUTURE_TOLERANCE);
		return import_reject(a->c, row, a->map[COL_AT],
		                     "occurred_at '%s' is in the future (today is %s)", v, date);
	}
	if (*t < WEEK_EPOCH)
		return import_reject(a->c, row, a->map[COL_AT],
		                     "occurred_at '%s' is before 2000-01-03, where week numbering "
		                     "starts",
		                     v);
	if (timefmt_week(*t) > WEEK_MAX)
		return import_reject(a->c, row, a->map[COL_AT], "occurred_at '%s' is after 2078",
		                     v);
	if (timefmt_week(*t) < a->oldest_week) {
		/* Purged by the retention policy: not brought back. */
		import_skip(a->c, "older than the retention period");
		return 0;
	}
	return 1;
}

static int row_platform(struct act *a, const char *name, size_t len, uint16_t *id)
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
	int rc;

	memset(e, 0, sizeof(*e));
	if ((rc = row_person(a, row, &e->pid)) <= 0 || (rc = row_time(a, row, &t)) <= 0)
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
	for (int k = 0; k < NCOUNTS; k++) {
		v = cell_text(row, a->map[COL_REACH + k], &len);
		if ((why = activity_parse_count(v, len, &counts[k])))
			return import_reject(a->c, row, a->map[COL_REACH + k], "%s '%.40s' %s",
			                     col_names[COL_REACH + k], v, why);
	}
	if ((rc = row_platform(a, plat, plen, &e->platform)) < 0)
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
	v = cell_text(row, a->map[COL_ID], &elen);
	const char *post = cell_text(row, a->map[COL_POST], &postlen);
	*key = event_key(e, v, elen, plat, plen, post, postlen, t);
	return 1;
}

/* De-duplicate the batch against activity_seen, then aggregate what is new. */
/* De-duplicate batch b against the key chunks, then aggregate what is
 * new; the counts go to b->kept and b->dup. */
static int process_batch(struct act *a, struct batch *b)
{
	int rc;

	b->kept = b->dup = 0;
	if (!b->n)
		return 0;
	/* Keys in order: chunks are visited once each, in order. */
	for (size_t i = 0; i < b->n; i++) {
		b->pairs[i].key = (uint64_t)b->keys[i];
		b->pairs[i].idx = (uint32_t)i;
	}
	sort_pairs(b->pairs, b->order, b->n);
	for (size_t i = 0, j; i < b->n; i = j) {
		int64_t id = b->keys[b->order[i]] >> STORE_SEEN_CHUNK_SHIFT;
		struct seen_chunk *ch;
		for (j = i + 1; j < b->n && b->keys[b->order[j]] >> STORE_SEEN_CHUNK_SHIFT == id;
		     j++)
			;
		if ((rc = seen_get(&a->seen, a->s, id, &ch)))
			return rc;
		seen_merge(&a->seen, ch, b->keys, b->order, i, j, b->fresh);
	}
	if (a->seen.nkeys > SEEN_CACHE_KEYS && (rc = seen_flush(&a->seen, a->s)))
		return rc;
	for (size_t i = 0; i < b->n; i++) {
		if (!b->fresh[i]) {
			b->dup++;
			continue;
		}
		if ((rc = agg_add(&a->agg, a->s, &b->cells[i])))
			return rc;
		b->kept++;
	}
	return 0;
}

/* Count a processed batch into the summary and empty it. */
static void apply_counts(struct act *a, struct batch *b)
{
	for (int64_t i = 0; i < b->dup; i++)
		import_skip(a->c, "already counted");
	for (int64_t i = 0; i < b->kept; i++)
		import_keep(a->c);
	b->n = 0;
	b->kept = b->dup = 0;
}

static void *writer_main(void *arg)
{
	struct act *a = arg;
	struct writer *w = &a->w;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->processed == w->filled && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->processed == w->filled)
			break;
		struct batch *b = &a->batches[w->processed % QUEUE];
		bool failed = w->rc != 0;
		pthread_mutex_unlock(&w->mu);
		int rc = 0;
		if (!failed) { /* after a failure batches are only passed on */
			pthread_mutex_lock(&a->dbmu);
			rc = process_batch(a, b);
			pthread_mutex_unlock(&a->dbmu);
		}
		pthread_mutex_lock(&w->mu);
		if (rc && !w->rc) {
			w->rc = rc;
			snprintf(w->msg, sizeof(w->msg), "%s", err_msg());
		}
		w->processed++;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Count the batches the writer has finished (called with w->mu held; the
 * lock is dropped while counting). */
static void apply_finished(struct act *a)
{
	struct writer *w = &a->w;

	while (w->applied < w->processed && !w->rc) {
		struct batch *b = &a->batches[w->applied % QUEUE];
		pthread_mutex_unlock(&w->mu);
		apply_counts(a, b);
		pthread_mutex_lock(&w->mu);
		w->applied++;
	}
}

/* Wait until at most `in_hand` batches are handed over and not yet
 * counted; count the finished ones. Returns the writer's failure, if any. */
static int writer_wait(struct act *a, size_t in_hand)
{
	struct writer *w = &a->w;
	int rc;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		apply_finished(a);
		if (w->rc || w->filled - w->applied <= in_hand)
			break;
		pthread_cond_wait(&w->cv, &w->mu);
	}
	rc = w->rc;
	pthread_mutex_unlock(&w->mu);
	return rc ? err_set(rc, "%s", w->msg) : 0;
}

static void writer_stop(struct act *a)
{
	struct writer *w = &a->w;

	if (!w->running)
		return;
	pthread_mutex_lock(&w->mu);
	w->quit = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	w->running = false;
}

/* The fill batch is full (or the file ended): process it, on the writer
 * thread when there is one, and start filling the other. */
static int flush_batch(struct act *a)
{
	struct batch *b = a->fill;
	int rc;

	if (!a->w.running) {
		if ((rc = process_batch(a, b)))
			return rc;
		apply_counts(a, b);
		return 0;
	}
	pthread_mutex_lock(&a->w.mu);
	a->w.filled++;
	pthread_cond_broadcast(&a->w.cv);
	pthread_mutex_unlock(&a->w.mu);
	/* The next batch to fill must be counted and free. */
	if ((rc = writer_wait(a, QUEUE - 1)))
		return rc;
	a->fill = &a->batches[a->w.filled % QUEUE];
	return 0;
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
	if (csv_reader_size(import_reader(a->c)) >= CSV_PREFETCH_FROM) {
		if (pthread_create(&a->w.thread, NULL, writer_main, a) == 0)
			a->w.running = true; /* else: all on this thread, only slower */
	}
	while ((rc = import_next(a->c, &row)) == 1) {
		struct batch *b = a->fill;
		rc = parse_row(a, &row, &b->cells[b->n], &b->keys[b->n]);
		if (rc < 0)
			return rc;
		if (rc == 1 && ++b->n == BATCH && (rc = flush_batch(a)))
			return rc;
	}
	if (rc < 0)
		return rc;
	if ((rc = flush_batch(a)))
		return rc;
	if (a->w.running) {
		if ((rc = writer_wait(a, 0)))
			return rc;
		writer_stop(a);
	}
	if ((rc = seen_flush(&a->seen, a->s)) || (rc = agg_flush(&a->agg, a->s)))
		return rc;
	return 0;
}

int activity_import(store *s, const char *path, const struct import_opts *opts,
                    struct import_summary *sum)
{
	struct act *a = xcalloc(1, sizeof(*a));
	int rc;

	a->s = s;
	a->plats = xcalloc(1, sizeof(*a->plats));
	a->latest = store_now() + ACTIVITY_FUTURE_TOLERANCE;
	a->fill = &a->batches[0];
	pthread_mutex_init(&a->dbmu, NULL);
	pthread_mutex_init(&a->w.mu, NULL);
	pthread_cond_init(&a->w.cv, NULL);
	if ((rc = import_begin(&a->c, s, "activity", path, opts, sum)))
		goto out;
	a->seen.legacy = store_seen_legacy(s);
	{
		int days;
		if ((rc = store_retention_days(s, &days)))
			goto out;
		if (days > 0 && store_now() - (int64_t)days * 86400 >= WEEK_EPOCH)
			a->oldest_week = timefmt_week(store_now() - (int64_t)days * 86400);
	}
	if ((rc = people_load(&a->people, s)) ||
	    (rc = store_platforms_each(s, platforms_put, a->plats)))
		goto out;
	if ((rc = read_rows(a, path)))
		goto out;
	if (sum->rows_read == 0) {
		rc = err_set(ERR_NODATA, "%s: no data rows after the header; nothing imported",
		             path);
		goto out;
	}
	/* Weekly cells changed: the feature cache is stale (core/store_features.h). */
	if ((rc = store_activity_changed(s)))
		goto out;
	rc = import_end(&a->c);
out:
	writer_stop(a); /* before a rollback: it may hold a batch */
	import_abort(&a->c);
	pthread_mutex_destroy(&a->dbmu);
	pthread_mutex_destroy(&a->w.mu);
	pthread_cond_destroy(&a->w.cv);
	people_free(&a->people);
	seen_free(&a->seen);
	free(a->agg.cells);
	free(a->agg.pairs);
	free(a->agg.order);
	free(a->plats);
	free(a);
	return rc;
}
