/* test_reply_cache.c - the server's per-snapshot reply cache: exact-bytes
 * keys per role, invalidation by snapshot generation, the bounds, the
 * generation counter of the served slot, and which ops may be cached. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/protocol.h"
#include "ipc/reply_cache.h"
#include "ipc/served.h"

static int freed;

static void count_free(void *p)
{
	freed++;
	free(p);
}

static char *val(const char *s)
{
	return strdup(s);
}

static int put(reply_cache *c, uint64_t gen, unsigned role, const char *key, const char *v)
{
	struct reply_cache_meta m = {.people = (int64_t)strlen(v)};

	snprintf(m.op, sizeof(m.op), "rank");
	return reply_cache_put(c, gen, role, key, strlen(key), val(v), strlen(v), &m);
}

static const char *get(reply_cache *c, unsigned role, const char *key)
{
	return reply_cache_get(c, role, key, strlen(key), NULL);
}

Test(reply_cache, keys_are_exact_bytes_per_role)
{
	reply_cache *c = reply_cache_new(16, 1 << 20, count_free);
	const struct reply_cache_meta *m = NULL;

	reply_cache_sync(c, 7);
	cr_assert(eq(int, put(c, 7, ROLE_HR, "{\"op\":\"rank\"}", "hr-reply"), 1));
	cr_assert(eq(str, (char *)get(c, ROLE_HR, "{\"op\":\"rank\"}"), "hr-reply"));
	/* Another role never sees it; nor does a request one byte apart. */
	cr_assert(eq(ptr, (void *)get(c, ROLE_INTRANET, "{\"op\":\"rank\"}"), NULL));
	cr_assert(eq(ptr, (void *)get(c, ROLE_HR, "{\"op\":\"rank\" }"), NULL));
	cr_assert(eq(ptr, (void *)get(c, ROLE_HR, "{\"op\":\"ran\"}"), NULL));
	cr_assert_not_null(reply_cache_get(c, ROLE_HR, "{\"op\":\"rank\"}", 13, &m));
	cr_assert(eq(str, (char *)m->op, "rank"));
	cr_assert(eq(i64, m->people, 8));
	/* A second put of the same key is refused and its value released. */
	freed = 0;
	cr_assert(eq(int, put(c, 7, ROLE_HR, "{\"op\":\"rank\"}", "other"), 0));
	cr_assert(eq(int, freed, 1));
	cr_assert(eq(str, (char *)get(c, ROLE_HR, "{\"op\":\"rank\"}"), "hr-reply"));
	reply_cache_destroy(&c);
	cr_assert_null(c);
}

Test(reply_cache, a_new_generation_drops_everything)
{
	reply_cache *c = reply_cache_new(16, 1 << 20, count_free);

	reply_cache_sync(c, 1);
	put(c, 1, ROLE_HR, "a", "1");
	put(c, 1, ROLE_HR, "b", "2");
	cr_assert(eq(sz, reply_cache_count(c), 2));
	freed = 0;
	reply_cache_sync(c, 1); /* same generation: nothing happens */
	cr_assert(eq(int, freed, 0));
	reply_cache_sync(c, 2);
	cr_assert(eq(int, freed, 2));
	cr_assert(eq(sz, reply_cache_count(c), 0));
	cr_assert(eq(sz, reply_cache_bytes(c), 0));
	cr_assert(eq(ptr, (void *)get(c, ROLE_HR, "a"), NULL));
	/* A reply computed from the old snapshot is not stored. */
	freed = 0;
	cr_assert(eq(int, put(c, 1, ROLE_HR, "a", "stale"), 0));
	cr_assert(eq(int, freed, 1));
	cr_assert(eq(ptr, (void *)get(c, ROLE_HR, "a"), NULL));
	cr_assert(eq(int, put(c, 2, ROLE_HR, "a", "fresh"), 1));
	cr_assert(eq(str, (char *)get(c, ROLE_HR, "a"), "fresh"));
	reply_cache_destroy(&c);
}

Test(reply_cache, bounded_in_entries_and_bytes)
{
	reply_cache *c = reply_cache_new(4, 100, count_free);
	char key[32], big[200];

	reply_cache_sync(c, 1);
	for (int i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		cr_assert(eq(int, put(c, 1, ROLE_HR, key, "0123456789"), 1));
	}
	cr_assert(eq(sz, reply_cache_count(c), 4));
	cr_assert(eq(sz, reply_cache_bytes(c), 40));
	/* The fifth empties the cache first. */
	cr_assert(eq(int, put(c, 1, ROLE_HR, "k4", "0123456789"), 1));
	cr_assert(eq(sz, reply_cache_count(c), 1));
	cr_assert(eq(u64, reply_cache_resets(c), 1));
	cr_assert(eq(ptr, (void *)get(c, ROLE_HR, "k0"), NULL));
	cr_assert_not_null(get(c, ROLE_HR, "k4"));
	/* Bytes: 10 + 95 passes 100. */
	memset(big, 'x', 95);
	big[95] = '\0';
	cr_assert(eq(int, put(c, 1, ROLE_HR, "big", big), 1));
	cr_assert(eq(sz, reply_cache_count(c), 1));
	cr_assert(le(sz, reply_cache_bytes(c), 100));
	/* A value larger than the whole budget is never stored. */
	memset(big, 'y', 150);
	big[150] = '\0';
	cr_assert(eq(int, put(c, 1, ROLE_HR, "huge", big), 0));
	cr_assert(eq(ptr, (void *)get(c, ROLE_HR, "huge"), NULL));
	/* Nor a key longer than REPLY_CACHE_MAX_KEY. */
	char *longkey = malloc(REPLY_CACHE_MAX_KEY + 2);
	memset(longkey, 'k', REPLY_CACHE_MAX_KEY + 1);
	longkey[REPLY_CACHE_MAX_KEY + 1] = '\0';
	cr_assert(eq(int, put(c, 1, ROLE_HR, longkey, "v"), 0));
	free(longkey);
	reply_cache_destroy(&c);
}

Test(reply_cache, many_keys_stay_findable)
{
	reply_cache *c = reply_cache_new(1000, 1 << 20, NULL);
	char key[32], v[32];

	reply_cache_sync(c, 3);
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "{\"op\":\"rank\",\"offset\":%d}", i);
		snprintf(v, sizeof(v), "r%d", i);
		cr_assert(eq(int, put(c, 3, i % 2 ? ROLE_HR : ROLE_INTRANET, key, v), 1));
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "{\"op\":\"rank\",\"offset\":%d}", i);
		snprintf(v, sizeof(v), "r%d", i);
		cr_assert(eq(str, (char *)get(c, i % 2 ? ROLE_HR : ROLE_INTRANET, key), v));
		cr_assert(eq(ptr, (void *)get(c, i % 2 ? ROLE_INTRANET : ROLE_HR, key), NULL));
	}
	reply_cache_destroy(&c);
}

Test(reply_cache, the_slot_generation_moves_with_every_swap)
{
	struct served_slot slot;
	struct service_snapshot info = {.id = 5};
	uint64_t g0, g1, g2;
	served *sv;

	served_slot_init(&slot);
	g0 = served_slot_generation(&slot);
	sv = served_new(&info);
	served_seal(sv);
	served_slot_swap(&slot, &sv);
	g1 = served_slot_generation(&slot);
	cr_assert(ne(u64, g0, g1));
	served *got = served_slot_get_gen(&slot, &g2);
	cr_assert(eq(u64, g1, g2));
	cr_assert(eq(i64, served_info(got)->id, 5));
	served_unref(&got);
	/* Reloading the same snapshot id (a roster change, an erasure) is a
	 * new generation too. */
	sv = served_new(&info);
	served_seal(sv);
	served_slot_swap(&slot, &sv);
	cr_assert(ne(u64, served_slot_generation(&slot), g1));
	served_slot_destroy(&slot);
}

Test(reply_cache, only_pure_ops_are_cacheable)
{
	cr_assert(proto_op_cacheable("ping"));
	cr_assert(proto_op_cacheable("rank"));
	cr_assert(proto_op_cacheable("candidates"));
	cr_assert(proto_op_cacheable("explain"));
	/* The invitation list reads the clock and the invitation book;
	 * invitation_status changes state. */
	cr_assert_not(proto_op_cacheable("invitations"));
	cr_assert_not(proto_op_cacheable("invitation_status"));
	cr_assert_not(proto_op_cacheable("-"));
	cr_assert_not(proto_op_cacheable(NULL));
}
