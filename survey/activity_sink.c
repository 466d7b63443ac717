/* activity_sink.c - where parsed activity events go (activity_sink.h):
 * de-duplication against the key chunks, the weekly cell table, and, for
 * large files, the writer thread that does both while the importer parses
 * the next rows.
 *
 * Memory is bounded by fixed caps, never by the file:
 *  - batches of ACTIVITY_BATCH events (one filling, up to QUEUE - 1 with
 *    the writer thread) whose keys are checked against the key chunks
 *    (core/store_activity.h) held in a cache of at most SEEN_CACHE_KEYS
 *    keys (a key already there is an event already counted, by an earlier
 *    import or earlier in this file); when the cache fills, and at the
 *    end, changed chunks are saved and dropped;
 *  - an open-addressing table of weekly cells, at most AGG_MAX entries,
 *    upserted into activity_weekly whenever it fills and at the end. */
#include "survey/activity_sink.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "survey/activity.h"

#define QUEUE           16              /* batches between the reading and writer threads */
#define SEEN_CACHE_KEYS (1u << 20)      /* 8 MiB of cached keys */
#define AGG_MIN         (1u << 12)      /* first size of the cell table (slots) */
#define AGG_SLOTS       (1u << 18)      /* largest size: 16 MiB of 64-byte cells */
#define AGG_MAX         (AGG_SLOTS / 2) /* flush at this many cells (load 1/2) */
#define BATCH           ACTIVITY_BATCH

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
	slot->unrated = sat_add(slot->unrated, c->unrated);
	slot->coarse = sat_add(slot->coarse, c->coarse);
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

struct activity_sink {
	store *s;
	pthread_mutex_t *dbmu; /* the store, when the writer runs */
	struct agg agg;
	struct seen seen;
	struct batch batches[QUEUE];
	struct batch *fill; /* the batch the importer adds to */
	struct writer w;
	struct activity_counts *out; /* where apply_counts adds */
};

static int process_batch(activity_sink *a, struct batch *b)
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

/* Count a processed batch into the caller's totals and empty it. */
static void apply_counts(activity_sink *a, struct batch *b)
{
	a->out->kept += b->kept;
	a->out->dup += b->dup;
	b->n = 0;
	b->kept = b->dup = 0;
}

static void *writer_main(void *arg)
{
	activity_sink *a = arg;
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
			pthread_mutex_lock(a->dbmu);
			rc = process_batch(a, b);
			pthread_mutex_unlock(a->dbmu);
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
static void apply_finished(activity_sink *a)
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
static int writer_wait(activity_sink *a, size_t in_hand)
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

static void writer_stop(activity_sink *a)
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
 * thread when there is one, and start filling the next. */
static int flush_batch(activity_sink *a)
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

int activity_sink_new(activity_sink **out, store *s, pthread_mutex_t *dbmu, bool threaded)
{
	activity_sink *a = xcalloc(1, sizeof(*a));

	a->s = s;
	a->dbmu = dbmu;
	a->fill = &a->batches[0];
	a->seen.legacy = store_seen_legacy(s);
	pthread_mutex_init(&a->w.mu, NULL);
	pthread_cond_init(&a->w.cv, NULL);
	if (threaded && pthread_create(&a->w.thread, NULL, writer_main, a) == 0)
		a->w.running = true; /* else: all on the caller's thread, only slower */
	*out = a;
	return 0;
}

struct activity_cell *activity_sink_slot(activity_sink *a, int64_t **key)
{
	*key = &a->fill->keys[a->fill->n];
	return &a->fill->cells[a->fill->n];
}

int activity_sink_add(activity_sink *a, struct activity_counts *done)
{
	a->out = done;
	return ++a->fill->n == BATCH ? flush_batch(a) : 0;
}

int activity_sink_finish(activity_sink *a, struct activity_counts *done)
{
	int rc;

	a->out = done;
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

void activity_sink_free(activity_sink **ap)
{
	activity_sink *a = *ap;

	if (!a)
		return;
	writer_stop(a); /* before a rollback: it may hold a batch */
	pthread_mutex_destroy(&a->w.mu);
	pthread_cond_destroy(&a->w.cv);
	seen_free(&a->seen);
	free(a->agg.cells);
	free(a->agg.pairs);
	free(a->agg.order);
	free(a);
	*ap = NULL;
}
