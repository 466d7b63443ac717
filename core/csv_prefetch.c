/* csv_prefetch.c - the read-ahead thread of core/csv_prefetch.h.
 *
 * A ring of PF_BLOCKS blocks. Each block is FREE (the producer may fill
 * it) or READY (filled; the consumer reads it). The producer fills blocks
 * in ring order and the consumer reads them in the same order, so one
 * index each is enough; the mutex and condition variable only guard the
 * state changes. The block the consumer is reading stays READY until it
 * moves on, so the row it handed out last stays valid. */
#include "core/csv_prefetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

#define PF_BLOCKS     4
#define PF_ROWS       4096         /* rows per block at most */
#define PF_BYTES      (512 * 1024) /* field bytes per block, soft limit */
#define PF_FIELDS_MIN 16384

enum pf_state { PF_FREE, PF_READY };

struct pf_row {
	int64_t line, number;
	size_t first, count; /* into the block's offs and lens */
};

struct pf_block {
	enum pf_state state;
	struct pf_row *rows;
	size_t nrows;
	size_t *offs, *lens; /* per field; offs into arena */
	size_t nfields, cap_fields;
	struct buf arena; /* fields, each followed by a NUL */
	uint64_t bytes_read;
	int end; /* 0: more blocks follow; 1: end of input after these rows; <0: error */
};

struct csv_prefetch {
	struct csv_row_source src;
	pthread_t thread;
	bool running; /* the thread was started and not yet joined */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool cancel;
	struct pf_block blocks[PF_BLOCKS];
	/* consumer side */
	size_t cur;    /* block index being read */
	bool have_cur; /* blocks[cur] is READY and being read */
	size_t next_row;
	const char **ptrs;
	size_t ptrs_cap;
	bool finished;
};

static void block_add_row(struct pf_block *b, const struct csv_row *row)
{
	size_t base = b->arena.len;
	struct pf_row *pr = &b->rows[b->nrows++];

	if (b->nfields + row->count > b->cap_fields) {
		size_t cap = b->cap_fields ? b->cap_fields : PF_FIELDS_MIN;
		while (cap < b->nfields + row->count)
			cap *= 2;
		b->offs = xreallocarray(b->offs, cap, sizeof(*b->offs));
		b->lens = xreallocarray(b->lens, cap, sizeof(*b->lens));
		b->cap_fields = cap;
	}
	pr->line = row->line;
	pr->number = row->number;
	pr->first = b->nfields;
	pr->count = row->count;
	for (size_t i = 0; i < row->count; i++) {
		b->offs[b->nfields + i] = b->arena.len - base;
		b->lens[b->nfields + i] = row->lens[i];
		buf_append(&b->arena, row->fields[i], row->lens[i] + 1);
	}
	/* Offsets relative to the row's start become absolute. */
	for (size_t i = 0; i < row->count; i++)
		b->offs[b->nfields + i] += base;
	b->nfields += row->count;
}

/* Wait until blocks[i] is FREE; false when cancelled. */
static bool wait_free(csv_prefetch *p, size_t i)
{
	bool ok;

	pthread_mutex_lock(&p->mu);
	while (p->blocks[i].state != PF_FREE && !p->cancel)
		pthread_cond_wait(&p->cv, &p->mu);
	ok = !p->cancel;
	pthread_mutex_unlock(&p->mu);
	return ok;
}

static void publish(csv_prefetch *p, size_t i)
{
	pthread_mutex_lock(&p->mu);
	p->blocks[i].state = PF_READY;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void *producer(void *arg)
{
	csv_prefetch *p = arg;
	struct csv_row row;
	size_t i = 0;

	for (;;) {
		struct pf_block *b = &p->blocks[i];
		int rc = 1;

		if (!wait_free(p, i))
			return NULL;
		b->nrows = b->nfields = 0;
		buf_reset(&b->arena);
		b->end = 0;
		while (b->nrows < PF_ROWS && b->arena.len < PF_BYTES &&
		       (rc = p->src.next(p->src.ctx, &row)) == 1)
			block_add_row(b, &row);
		b->bytes_read = p->src.bytes_read(p->src.ctx);
		if (rc <= 0)
			b->end = rc == 0 ? 1 : rc;
		publish(p, i);
		if (rc <= 0)
			return NULL;
		i = (i + 1) % PF_BLOCKS;
	}
}

int csv_prefetch_start(csv_prefetch **out, const struct csv_row_source *src)
{
	csv_prefetch *p = xcalloc(1, sizeof(*p));
	int rc;

	*out = NULL;
	p->src = *src;
	for (size_t i = 0; i < PF_BLOCKS; i++) {
		p->blocks[i].state = PF_FREE;
		p->blocks[i].rows = xcalloc(PF_ROWS, sizeof(*p->blocks[i].rows));
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if ((rc = pthread_create(&p->thread, NULL, producer, p)) != 0) {
		csv_prefetch_stop(&p);
		return err_set(ERR_INTERNAL, "cannot start the reading thread: %s", strerror(rc));
	}
	p->running = true;
	*out = p;
	return 0;
}

static void join(csv_prefetch *p)
{
	if (p->running) {
		pthread_join(p->thread, NULL);
		p->running = false;
	}
}

int csv_prefetch_next(csv_prefetch *p, struct csv_row *out)
{
	for (;;) {
		struct pf_block *b = &p->blocks[p->cur];

		if (!p->have_cur) {
			pthread_mutex_lock(&p->mu);
			while (b->state != PF_READY)
				pthread_cond_wait(&p->cv, &p->mu);
			pthread_mutex_unlock(&p->mu);
			p->have_cur = true;
			p->next_row = 0;
		}
		if (p->next_row < b->nrows) {
			const struct pf_row *pr = &b->rows[p->next_row++];
			if (pr->count > p->ptrs_cap) {
				p->ptrs_cap = pr->count < 64 ? 64 : 2 * pr->count;
				p->ptrs = xreallocarray(p->ptrs, p->ptrs_cap, sizeof(*p->ptrs));
			}
			for (size_t i = 0; i < pr->count; i++)
				p->ptrs[i] = b->arena.data + b->offs[pr->first + i];
			out->count = pr->count;
			out->fields = p->ptrs;
			out->lens = b->lens + pr->first;
			out->line = pr->line;
			out->number = pr->number;
			return 1;
		}
		if (b->end) {
			/* The producer has returned: its writes to the reader
			 * (digest, error) are complete and visible. */
			join(p);
			p->finished = true;
			return b->end == 1 ? 0 : p->src.error_again(p->src.ctx);
		}
		pthread_mutex_lock(&p->mu);
		b->state = PF_FREE;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		p->have_cur = false;
		p->cur = (p->cur + 1) % PF_BLOCKS;
	}
}

uint64_t csv_prefetch_bytes_read(const csv_prefetch *p)
{
	return p->have_cur ? p->blocks[p->cur].bytes_read : 0;
}

bool csv_prefetch_done(const csv_prefetch *p)
{
	return p->finished;
}

void csv_prefetch_stop(csv_prefetch **pp)
{
	csv_prefetch *p;

	if (!pp || !*pp)
		return;
	p = *pp;
	pthread_mutex_lock(&p->mu);
	p->cancel = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	join(p);
	for (size_t i = 0; i < PF_BLOCKS; i++) {
		free(p->blocks[i].rows);
		free(p->blocks[i].offs);
		free(p->blocks[i].lens);
		buf_free(&p->blocks[i].arena);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->ptrs);
	free(p);
	*pp = NULL;
}
