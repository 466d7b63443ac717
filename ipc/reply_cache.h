/* reply_cache.h - the front end's cache of replies, per snapshot.
 *
 * Replies that are a pure function of (snapshot, role, request bytes) - see
 * proto_op_cacheable() - kept for the snapshot generation they were
 * computed from, so a repeated request is answered without decoding or
 * encoding anything. Used by one thread only (the server's front end), so
 * it has no lock. Bounded: at most max_entries replies and max_bytes of
 * reply text; a put that would pass either bound empties the cache first.
 * The key is the request's exact bytes (no parsing needed to look up): a
 * request that differs in a single byte is another entry.
 */
#ifndef AMB_IPC_REPLY_CACHE_H
#define AMB_IPC_REPLY_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define REPLY_CACHE_MAX_KEY 512 /* longer requests are never cached */

typedef struct reply_cache reply_cache;

struct reply_cache_meta {
	char op[24];    /* for the audit line */
	int64_t people; /* ditto */
};

/* free_value releases a value handed to reply_cache_put (NULL: free()). */
reply_cache *reply_cache_new(size_t max_entries, size_t max_bytes, void (*free_value)(void *));
void reply_cache_destroy(reply_cache **c);
/* Follow the snapshot: when gen is not the generation of the entries held,
 * every entry is dropped and gen becomes the cache's generation. */
void reply_cache_sync(reply_cache *c, uint64_t gen);
uint64_t reply_cache_gen(const reply_cache *c);
/* The value stored for (role, key), or NULL; *meta (when not NULL) gets its
 * audit facts. */
void *reply_cache_get(const reply_cache *c, unsigned role, const void *key, size_t klen,
                      const struct reply_cache_meta **meta);
/* Store value (taking ownership) for (role, key), computed from snapshot
 * generation gen. Returns 1 when stored; 0 when refused (gen is not the
 * cache's, the key is too long, the value alone passes max_bytes, or the key
 * is already there): then the value is released at once. */
int reply_cache_put(reply_cache *c, uint64_t gen, unsigned role, const void *key, size_t klen,
                    void *value, size_t value_bytes, const struct reply_cache_meta *meta);
size_t reply_cache_count(const reply_cache *c);
size_t reply_cache_bytes(const reply_cache *c);
/* How many times the cache was emptied because it was full. */
uint64_t reply_cache_resets(const reply_cache *c);

#endif
