/* arena.h - strings that are made together and freed together, such as
 * the people of one served snapshot. They are packed into large chunks
 * mapped from the kernel and unmapped by arena_free, so the memory goes
 * back to the system at once: freed one by one, millions of small strings
 * stay in the allocator's heap, and a server that swapped a snapshot of a
 * million people kept both (bench/serve_swaps.py). */
#ifndef AMB_CORE_ARENA_H
#define AMB_CORE_ARENA_H

#include <stddef.h>

#include "core/mem.h"

struct arena_chunk;

/* Zero-initialise to use. */
struct arena {
	struct arena_chunk *head; /* newest first */
	char *cur;                /* the free part of the newest chunk */
	size_t left;
	size_t mapped; /* bytes mapped, for the curious */
};

/* A copy of s that lives until arena_free. Aborts when out of memory,
 * like xstrdup. */
char *arena_strdup(struct arena *a, const char *s) AMB_NONNULL_RESULT;
/* Unmap every chunk; the arena is empty and can be used again. */
void arena_free(struct arena *a);

#endif
