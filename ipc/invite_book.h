/* invite_book.h - invitation status by person, and the invitation list.
 *
 * The `invite_book` is the one mutable piece of what the service answers
 * from: invitation status by person, under a read-write lock, updated by
 * the worker that records a status and reloaded by the loader when another
 * process changed it. The invitation list joins it with the approved pilot
 * of a served snapshot (ipc/served.h).
 */
#ifndef AMB_IPC_INVITE_BOOK_H
#define AMB_IPC_INVITE_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "ipc/served.h"

enum invite_status {
	INVITE_NONE = 0,
	INVITE_INVITED,
	INVITE_ACCEPTED,
	INVITE_DECLINED,
	INVITE_WITHDRAWN,
};

typedef struct invite_book invite_book;

invite_book *invite_book_new(void);
void invite_book_destroy(invite_book **b);
/* Record (or replace) pid's status. */
void invite_book_set(invite_book *b, int64_t pid, enum invite_status st, int64_t at);
/* Replace the whole book with what the store holds. */
int invite_book_load(invite_book *b, store *s);

enum invite_status invite_status_parse(const char *s);
const char *invite_status_name(enum invite_status st);

/* The invitation list: the people of the approved pilot (served_pilot_of)
 * in pilot order whose invitation status is still none, who are still
 * listable, in `department` when not NULL (case and surrounding spaces
 * ignored). Never a ranking: with no approved pilot nobody is listed.
 * Calls fn for at most `limit` people; fn returns non-zero to stop. */
typedef int (*served_invitee_fn)(void *ctx, const struct served_invitee *p);
int served_invitations(const served *sv, invite_book *b, const char *department, size_t limit,
                       served_invitee_fn fn, void *ctx);

/* a and b name the same department: equal ignoring ASCII case and
 * surrounding spaces. */
bool served_same_department(const char *a, const char *b);

#endif
