/* reply_cache.c - the front end's reply cache: an open-addressing table
 * keyed by (role, request bytes), emptied when the snapshot generation
 * changes or when a put would pass its bounds.
 *
 * The cache owns its keys and the values put into it; free_value releases
 * a value.
 */
#include "ipc/reply_cache.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct rc_entry {
	uint64_t hash; /* 0 = empty slot */
	unsigned role;
	char *key;
	size_t klen;
	void *value;
	size_t vbytes;
	struct reply_cache_meta meta;
};

struct reply_cache {
	struct rc_entry *slots;
	size_t mask;
	size_t n, max_entries;
	size_t bytes, max_bytes;
	uint64_t gen, resets;
	void (*free_value)(void *);
};

static uint64_t rc_hash(unsigned role, const void *key, size_t klen)
{
	const unsigned char *p = key;
	uint64_t h = 1469598103934665603ULL ^ role; /* FNV-1a over role and key */

	for (size_t i = 0; i < klen; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	h ^= h >> 29;
	return h ? h : 1;
}

reply_cache *reply_cache_new(size_t max_entries, size_t max_bytes, void (*free_value)(void *))
{
	reply_cache *c = xcalloc(1, sizeof(*c));
	size_t size = 16;

	if (max_entries < 1)
		max_entries = 1;
	while (size < max_entries * 2)
		size *= 2;
	c->slots = xcalloc(size, sizeof(*c->slots));
	c->mask = size - 1;
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	c->free_value = free_value ? free_value : free;
	return c;
}

static void rc_clear(reply_cache *c)
{
	if (!c->n)
		return;
	for (size_t i = 0; i <= c->mask; i++) {
		struct rc_entry *e = &c->slots[i];
		if (!e->hash)
			continue;
		free(e->key);
		c->free_value(e->value);
		memset(e, 0, sizeof(*e));
	}
	c->n = 0;
	c->bytes = 0;
}

void reply_cache_destroy(reply_cache **cp)
{
	reply_cache *c = cp ? *cp : NULL;

	if (!c)
		return;
	rc_clear(c);
	free(c->slots);
	free(c);
	*cp = NULL;
}

void reply_cache_sync(reply_cache *c, uint64_t gen)
{
	if (c->gen == gen)
		return;
	rc_clear(c);
	c->gen = gen;
}

uint64_t reply_cache_gen(const reply_cache *c)
{
	return c->gen;
}

static struct rc_entry *rc_slot(const reply_cache *c, uint64_t h, unsigned role, const void *key,
                                size_t klen)
{
	size_t i = (size_t)h & c->mask;

	for (;; i = (i + 1) & c->mask) {
		struct rc_entry *e = &c->slots[i];
		if (!e->hash || (e->hash == h && e->role == role && e->klen == klen &&
		                 !memcmp(e->key, key, klen)))
			return e;
	}
}

void *reply_cache_get(const reply_cache *c, unsigned role, const void *key, size_t klen,
                      const struct reply_cache_meta **meta)
{
	struct rc_entry *e;

	if (!c->n || klen > REPLY_CACHE_MAX_KEY)
		return NULL;
	e = rc_slot(c, rc_hash(role, key, klen), role, key, klen);
	if (!e->hash)
		return NULL;
	if (meta)
		*meta = &e->meta;
	return e->value;
}

int reply_cache_put(reply_cache *c, uint64_t gen, unsigned role, const void *key, size_t klen,
                    void *value, size_t value_bytes, const struct reply_cache_meta *meta)
{
	uint64_t h = rc_hash(role, key, klen);
	struct rc_entry *e;

	if (gen != c->gen || klen > REPLY_CACHE_MAX_KEY || value_bytes > c->max_bytes ||
	    rc_slot(c, h, role, key, klen)->hash) {
		c->free_value(value);
		return 0;
	}
	if (c->n + 1 > c->max_entries || c->bytes + value_bytes > c->max_bytes) {
		/* Full: start again rather than track recency on the hot path. */
		rc_clear(c);
		c->resets++;
	}
	e = rc_slot(c, h, role, key, klen);
	e->hash = h;
	e->role = role;
	e->key = xmalloc(klen ? klen : 1);
	memcpy(e->key, key, klen);
	e->klen = klen;
	e->value = value;
	e->vbytes = value_bytes;
	if (meta)
		e->meta = *meta;
	c->n++;
	c->bytes += value_bytes;
	return 1;
}

size_t reply_cache_count(const reply_cache *c)
{
	return c->n;
}

size_t reply_cache_bytes(const reply_cache *c)
{
	return c->bytes;
}

uint64_t reply_cache_resets(const reply_cache *c)
{
	return c->resets;
}
