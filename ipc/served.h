/* served.h - the score snapshot the service answers from, held in memory.
 *
 * A `served` is immutable once built and reference-counted: a worker takes
 * a reference for one request, the loader builds the next one off to the
 * side and swaps it into a `served_slot` under a mutex; the old one is
 * freed when its last reader lets go. So a reply always comes from exactly
 * one complete snapshot.
 *
 * A served also holds the newest approved pilot (the people the intranet
 * invites), loaded in the same read transaction as the snapshot.
 *
 * Invitation status by person, the one mutable piece, is in
 * ipc/invite_book.h; the front end's reply cache is in ipc/reply_cache.h.
 */
#ifndef AMB_IPC_SERVED_H
#define AMB_IPC_SERVED_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "core/store_pilot.h"
#include "core/store_service.h"
#include "scorer/profile.h"

typedef struct served served;

struct served_person {
	int64_t pid;
	char *employee_id, *name, *email, *department, *level; /* never NULL ("" if unset) */
	bool listable; /* on the roster, not opted out, not departed */
	bool eligible;
	int64_t rank;                                 /* 0 when not ranked */
	int64_t rank_lo, rank_hi;                     /* 90% rank interval; 0 when none */
	double score, activity, attitude, motivation; /* NAN when unknown */
	char *detail;                                 /* the scorer's JSON text */
	/* Mid-rank percentiles (0..100) of activity, attitude, motivation among
	 * the eligible listable people of the snapshot, and of the department
	 * (NAN when unknown, or when the department has fewer than the
	 * snapshot's min_group eligible people: no one's place in a small
	 * group is shown). scorer_standings is the rule, as for the CLI. */
	double pct[3], dept_pct[3];
};

/* An empty snapshot described by `info`, to be filled with served_add and
 * sealed with served_seal (tests build one without a database). */
served *served_new(const struct service_snapshot *info);
/* Copy one row in. Rows must come ranked first, by rank. */
void served_add(served *sv, const struct service_row *row);
/* Build the lookup index; after this the snapshot is read-only. */
void served_seal(served *sv);

/* Attach the weights the snapshot was computed with (JSON as stored),
 * before served_seal: the percentiles use their min_group.
 * Unparsable weights leave the defaults (and a warning in the log). */
void served_set_params(served *sv, const char *json);
/* The weights (defaults when none were attached) and their JSON text. */
const struct scorer_params *served_params(const served *sv);
const char *served_params_json(const served *sv);

/* One person of the approved pilot, as the intranet may see them. */
struct served_invitee {
	int64_t pid;
	char *employee_id, *name, *email, *department; /* never NULL */
	bool listable; /* on the roster now, not opted out, not departed */
};

/* The pilot the intranet invites: the newest approved one. */
struct served_pilot {
	int64_t id;
	char *name;
	int64_t approved_at;
	struct served_invitee *members; /* in pilot order */
	size_t n;
};

/* Attach the approved pilot `info` (tests build one without a database);
 * members are added in order with served_pilot_add. Before served_seal. */
void served_set_pilot(served *sv, const struct pilot_info *info);
void served_pilot_add(served *sv, const struct pilot_member *m);
/* The approved pilot, or NULL when no pilot was approved. */
const struct served_pilot *served_pilot_of(const served *sv);

/* Load the published snapshot of `s` and the newest approved pilot (inside
 * one read transaction). Returns 0, ERR_NOT_FOUND when nothing is
 * published, or a store error. */
int served_load(served **out, store *s);

/* Take / drop a reference. served_unref accepts NULL and sets *sv NULL. */
served *served_ref(served *sv);
void served_unref(served **sv);

const struct service_snapshot *served_info(const served *sv);
size_t served_count(const served *sv);
/* Person i (0-based, ranked first by rank). */
const struct served_person *served_at(const served *sv, size_t i);
/* By employee_id, or NULL. */
const struct served_person *served_find(const served *sv, const char *employee_id);

/* --- the slot the server swaps snapshots through ------------------------ */

struct served_slot {
	pthread_mutex_t mu;
	served *cur;                  /* owned; NULL before the first snapshot */
	_Atomic(uint64_t) generation; /* bumped by every swap */
};

void served_slot_init(struct served_slot *slot);
void served_slot_destroy(struct served_slot *slot);
/* A new reference to the current snapshot (NULL when none); unref it. */
served *served_slot_get(struct served_slot *slot);
/* The same, also giving the generation of the snapshot returned: replies
 * computed from it may be reused while served_slot_generation() still
 * gives that number. */
served *served_slot_get_gen(struct served_slot *slot, uint64_t *gen);
/* The current generation (one atomic load, no lock): it changes whenever
 * a snapshot is swapped in, even for a reload of the same snapshot id. */
uint64_t served_slot_generation(struct served_slot *slot);
/* Install *next (taking ownership; *next becomes NULL). */
void served_slot_swap(struct served_slot *slot, served **next);

#endif
