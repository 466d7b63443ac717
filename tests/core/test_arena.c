/* test_arena.c - core/arena.c: copies intact across chunks, strings larger
 * than a chunk, and an arena reusable after arena_free. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

Test(core_arena, keeps_every_copy_intact_across_chunks)
{
	struct arena a = {0};
	char **p = calloc(200000, sizeof(*p));
	char want[32];

	cr_assert(p != NULL);
	for (int i = 0; i < 200000; i++) {
		snprintf(want, sizeof(want), "person %d", i);
		p[i] = arena_strdup(&a, want);
	}
	cr_assert(gt(sz, a.mapped, (size_t)4 << 20), "more than one chunk was mapped");
	for (int i = 0; i < 200000; i++) {
		snprintf(want, sizeof(want), "person %d", i);
		cr_assert(eq(str, p[i], want));
	}
	cr_assert(eq(str, arena_strdup(&a, ""), ""));
	arena_free(&a);
	cr_assert(eq(sz, a.mapped, 0));
	cr_assert(a.head == NULL);
	free(p);
}

Test(core_arena, takes_a_string_larger_than_a_chunk_and_is_reusable)
{
	struct arena a = {0};
	size_t big = ((size_t)4 << 20) + 100;
	char *s = malloc(big + 1), *small, *copy;

	cr_assert(s != NULL);
	memset(s, 'x', big);
	s[big] = '\0';
	small = arena_strdup(&a, "before");
	copy = arena_strdup(&a, s);
	cr_assert(eq(sz, strlen(copy), big));
	cr_assert(eq(int, memcmp(copy, s, big + 1), 0));
	cr_assert(eq(str, small, "before"));
	cr_assert(eq(str, arena_strdup(&a, "after"), "after"));
	arena_free(&a);
	cr_assert(eq(str, arena_strdup(&a, "again"), "again"));
	arena_free(&a);
	free(s);
}
