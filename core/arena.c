/* arena.c - string arenas in kernel-mapped chunks (arena.h). */
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* 4 MiB: a million people's strings take a few hundred chunks. */
#define ARENA_CHUNK ((size_t)4 << 20)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size; /* mapped, this header included */
};

static void grow(struct arena *a, size_t need)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size = ARENA_CHUNK;
	struct arena_chunk *c;

	if (need > SIZE_MAX - sizeof(*c) - page) {
		fprintf(stderr, "ambassador: out of memory allocating %zu bytes\n", need);
		abort();
	}
	if (need + sizeof(*c) > size)
		size = (need + sizeof(*c) + page - 1) / page * page;
	c = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED) {
		fprintf(stderr, "ambassador: out of memory allocating %zu bytes\n", size);
		abort();
	}
	c->next = a->head;
	c->size = size;
	a->head = c;
	a->cur = (char *)(c + 1);
	a->left = size - sizeof(*c);
	a->mapped += size;
}

char *arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (n > a->left)
		grow(a, n);
	p = a->cur;
	memcpy(p, s, n);
	a->cur += n;
	a->left -= n;
	return p;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;

	while (c) {
		struct arena_chunk *next = c->next;
		munmap(c, c->size);
		c = next;
	}
	memset(a, 0, sizeof(*a));
}
