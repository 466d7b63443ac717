/* invite_book.c - the invitation book (invitation status by person, an
 * open-addressing table under a read-write lock) and the invitation list
 * it gives with the approved pilot of a snapshot. Loading reads the store
 * through core/store_service.h.
 */
#include "ipc/invite_book.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/store_service.h"

struct invite_slot {
	int64_t pid; /* 0 = empty (pids start at 1) */
	enum invite_status status;
	int64_t at;
};

struct invite_book {
	pthread_rwlock_t lock;
	struct invite_slot *slots;
	size_t mask, used;
};

invite_book *invite_book_new(void)
{
	invite_book *b = xcalloc(1, sizeof(*b));

	pthread_rwlock_init(&b->lock, NULL);
	b->mask = 63;
	b->slots = xcalloc(b->mask + 1, sizeof(*b->slots));
	return b;
}

void invite_book_destroy(invite_book **bp)
{
	invite_book *b = bp ? *bp : NULL;

	if (!b)
		return;
	pthread_rwlock_destroy(&b->lock);
	free(b->slots);
	free(b);
	*bp = NULL;
}

static size_t pid_hash(int64_t pid, size_t mask)
{
	return (size_t)(((uint64_t)pid * 0x9E3779B97F4A7C15ULL) >> 17) & mask;
}

static struct invite_slot *book_slot(const invite_book *b, int64_t pid)
{
	size_t h = pid_hash(pid, b->mask);

	while (b->slots[h].pid && b->slots[h].pid != pid)
		h = (h + 1) & b->mask;
	return &b->slots[h];
}

static void book_put(invite_book *b, int64_t pid, enum invite_status st, int64_t at)
{
	struct invite_slot *s;

	if ((b->used + 1) * 2 > b->mask + 1) {
		struct invite_slot *old = b->slots;
		size_t oldsize = b->mask + 1;
		b->mask = oldsize * 2 - 1;
		b->slots = xcalloc(b->mask + 1, sizeof(*b->slots));
		for (size_t i = 0; i < oldsize; i++)
			if (old[i].pid)
				*book_slot(b, old[i].pid) = old[i];
		free(old);
	}
	s = book_slot(b, pid);
	if (!s->pid)
		b->used++;
	s->pid = pid;
	s->status = st;
	s->at = at;
}

void invite_book_set(invite_book *b, int64_t pid, enum invite_status st, int64_t at)
{
	pthread_rwlock_wrlock(&b->lock);
	book_put(b, pid, st, at);
	pthread_rwlock_unlock(&b->lock);
}

static int load_invitation(void *ctx, const struct invitation_row *row)
{
	book_put(ctx, row->pid, invite_status_parse(row->status), row->updated_at);
	return 0;
}

int invite_book_load(invite_book *b, store *s)
{
	invite_book *fresh = invite_book_new();
	int rc = store_invitations_each(s, load_invitation, fresh);

	if (rc == 0) {
		pthread_rwlock_wrlock(&b->lock);
		struct invite_slot *tmp = b->slots;
		b->slots = fresh->slots;
		fresh->slots = tmp;
		size_t m = b->mask, u = b->used;
		b->mask = fresh->mask;
		b->used = fresh->used;
		fresh->mask = m;
		fresh->used = u;
		pthread_rwlock_unlock(&b->lock);
	}
	invite_book_destroy(&fresh);
	return rc;
}

enum invite_status invite_status_parse(const char *s)
{
	static const char *const names[] = {"invited", "accepted", "declined", "withdrawn"};

	for (size_t i = 0; s && i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum invite_status)(i + 1);
	return INVITE_NONE;
}

const char *invite_status_name(enum invite_status st)
{
	static const char *const names[] = {"none", "invited", "accepted", "declined", "withdrawn"};

	return (unsigned)st <= INVITE_WITHDRAWN ? names[st] : "none";
}

bool served_same_department(const char *a, const char *b)
{
	size_t la, lb;

	while (*a == ' ' || *a == '\t')
		a++;
	while (*b == ' ' || *b == '\t')
		b++;
	la = strlen(a);
	lb = strlen(b);
	while (la && (a[la - 1] == ' ' || a[la - 1] == '\t'))
		la--;
	while (lb && (b[lb - 1] == ' ' || b[lb - 1] == '\t'))
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

int served_invitations(const served *sv, invite_book *b, const char *department, size_t limit,
                       served_invitee_fn fn, void *ctx)
{
	const struct served_pilot *pilot = served_pilot_of(sv);
	size_t listed = 0;
	int rc = 0;

	if (!pilot)
		return 0;
	pthread_rwlock_rdlock(&b->lock);
	for (size_t i = 0; i < pilot->n && listed < limit; i++) {
		const struct served_invitee *p = &pilot->members[i];
		const struct invite_slot *slot = book_slot(b, p->pid);
		if (!p->listable || (slot->pid && slot->status != INVITE_NONE))
			continue;
		if (department && !served_same_department(department, p->department))
			continue;
		listed++;
		if ((rc = fn(ctx, p)))
			break;
	}
	pthread_rwlock_unlock(&b->lock);
	return rc;
}
