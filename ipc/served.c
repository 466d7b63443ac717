/* served.c - the in-memory snapshot (immutable, reference-counted, swapped
 * through a mutex-guarded slot). Loading reads the store through
 * core/store_service.h.
 *
 * A served owns every string of its people. The slot owns one reference to
 * the current snapshot; each reader owns the reference it took.
 */
#include "ipc/served.h"

#include <math.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "scorer/rank.h"

struct served {
	atomic_int refs;
	struct service_snapshot info;
	struct served_person *people;
	size_t n, cap;
	struct arena strings; /* the people's strings: freed at once (core/arena.h) */
	size_t *index;        /* open addressing by employee_id: person index + 1, 0 = empty */
	size_t index_mask;
	struct scorer_params params;
	char *params_json;
	struct served_pilot pilot;
	bool has_pilot;
	size_t pilot_cap;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Hand the heap pages left free back to the system: after a snapshot is
 * loaded (the reading's temporaries) and after one is freed. A few ms for
 * a million people, once per swap. */
static void give_back(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

served *served_new(const struct service_snapshot *info)
{
	served *sv = xcalloc(1, sizeof(*sv));

	atomic_init(&sv->refs, 1);
	scorer_params_defaults(&sv->params);
	sv->params_json = scorer_params_to_json(&sv->params);
	if (info)
		sv->info = *info;
	return sv;
}

void served_add(served *sv, const struct service_row *row)
{
	struct served_person *p;

	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 64;
		sv->people = xreallocarray(sv->people, sv->cap, sizeof(*sv->people));
	}
	p = &sv->people[sv->n++];
	p->pid = row->pid;
	p->employee_id = arena_strdup(&sv->strings, row->employee_id ? row->employee_id : "");
	p->name = arena_strdup(&sv->strings, row->name ? row->name : "");
	p->email = arena_strdup(&sv->strings, row->email ? row->email : "");
	p->department = arena_strdup(&sv->strings, row->department ? row->department : "");
	p->level = arena_strdup(&sv->strings, row->level ? row->level : "");
	p->listable = !row->opted_out && !row->departed;
	p->eligible = row->eligible && p->listable;
	p->rank = row->rank;
	p->rank_lo = row->rank_lo;
	p->rank_hi = row->rank_hi;
	p->score = row->score;
	p->activity = row->activity;
	p->attitude = row->attitude;
	p->motivation = row->motivation;
	p->detail = arena_strdup(&sv->strings, row->detail ? row->detail : "{}");
}

/* Percentiles by the scorer's one rule (scorer_standings): among the
 * eligible people still listable, with the snapshot's min_group; people
 * no longer listable get none. */
static void compute_percentiles(served *sv)
{
	struct scorer_peer *peers = xreallocarray(NULL, sv->n ? sv->n : 1, sizeof(*peers));
	struct scorer_standing *st = xreallocarray(NULL, sv->n ? sv->n : 1, sizeof(*st));
	size_t *idx = xreallocarray(NULL, sv->n ? sv->n : 1, sizeof(*idx));
	size_t n = 0;

	for (size_t i = 0; i < sv->n; i++) {
		struct served_person *p = &sv->people[i];
		for (int c = 0; c < 3; c++)
			p->pct[c] = p->dept_pct[c] = NAN;
		if (!p->listable)
			continue;
		idx[n] = i;
		peers[n++] = (struct scorer_peer){
		    .department = p->department,
		    .eligible = p->eligible,
		    .v = {p->score, p->activity, p->attitude, p->motivation},
		};
	}
	scorer_standings(st, peers, n, (size_t)sv->params.min_group);
	for (size_t k = 0; k < n; k++) {
		struct served_person *p = &sv->people[idx[k]];
		for (int c = 0; c < 3; c++) {
			p->pct[c] = st[k].company[c + 1];
			p->dept_pct[c] = st[k].department[c + 1];
		}
	}
	free(peers);
	free(st);
	free(idx);
}

void served_seal(served *sv)
{
	size_t size = 16;

	while (size < sv->n * 2)
		size *= 2;
	sv->index = xcalloc(size, sizeof(*sv->index));
	sv->index_mask = size - 1;
	for (size_t i = 0; i < sv->n; i++) {
		size_t h = (size_t)hash_str(sv->people[i].employee_id) & sv->index_mask;
		while (sv->index[h])
			h = (h + 1) & sv->index_mask;
		sv->index[h] = i + 1;
	}
	compute_percentiles(sv);
}

void served_set_params(served *sv, const char *json)
{
	struct scorer_params p;

	if (scorer_params_from_json(&p, json) != 0) {
		log_warn("snapshot %lld: weights not readable, defaults used: %s",
		         (long long)sv->info.id, err_msg());
		return;
	}
	sv->params = p;
	free(sv->params_json);
	sv->params_json = xstrdup(json);
}

const struct scorer_params *served_params(const served *sv)
{
	return &sv->params;
}

const char *served_params_json(const served *sv)
{
	return sv->params_json;
}

static int add_row(void *ctx, const struct service_row *row)
{
	served_add(ctx, row);
	return 0;
}

void served_set_pilot(served *sv, const struct pilot_info *info)
{
	free(sv->pilot.name);
	sv->pilot.id = info->id;
	sv->pilot.name = xstrdup(info->name ? info->name : "");
	sv->pilot.approved_at = info->approved_at;
	sv->has_pilot = true;
}

void served_pilot_add(served *sv, const struct pilot_member *m)
{
	struct served_invitee *p;

	if (sv->pilot.n == sv->pilot_cap) {
		sv->pilot_cap = sv->pilot_cap ? sv->pilot_cap * 2 : 16;
		sv->pilot.members =
		    xreallocarray(sv->pilot.members, sv->pilot_cap, sizeof(*sv->pilot.members));
	}
	p = &sv->pilot.members[sv->pilot.n++];
	p->pid = m->pid;
	p->employee_id = xstrdup(m->employee_id);
	p->name = xstrdup(m->name);
	p->email = xstrdup(m->email);
	p->department = xstrdup(m->department);
	p->listable = strcmp(m->consent, "no") != 0 && !m->departed;
}

const struct served_pilot *served_pilot_of(const served *sv)
{
	return sv->has_pilot ? &sv->pilot : NULL;
}

static int add_member(void *ctx, const struct pilot_member *m)
{
	served_pilot_add(ctx, m);
	return 0;
}

/* The newest approved pilot into sv (none is not an error). */
static int load_pilot(served *sv, store *s)
{
	struct pilot_info pi;
	int rc = store_pilot_get(s, NULL, true, &pi);

	if (rc <= 0)
		return rc;
	served_set_pilot(sv, &pi);
	rc = store_pilot_members_each(s, pi.id, add_member, sv);
	store_pilot_info_free(&pi);
	return rc;
}

int served_load(served **out, store *s)
{
	struct service_snapshot info;
	served *sv = NULL;
	char *params = NULL;
	int rc;

	*out = NULL;
	/* One read transaction: the snapshot row and its scores are seen from
	 * one state of the file, whatever commits meanwhile. */
	if ((rc = store_read_begin(s)))
		return rc;
	if ((rc = store_service_latest(s, &info)) || (rc = store_published_stale(s, &info.stale)))
		goto done;
	sv = served_new(&info);
	if ((rc = store_service_each(s, info.id, add_row, sv)))
		goto done;
	if ((rc = store_service_params(s, info.id, &params)) || (rc = load_pilot(sv, s)))
		goto done;
	served_set_params(sv, params);
	served_seal(sv);
	*out = sv;
	sv = NULL;
done:
	store_read_end(s);
	free(params);
	served_unref(&sv);
	give_back();
	return rc;
}

served *served_ref(served *sv)
{
	if (sv)
		atomic_fetch_add(&sv->refs, 1);
	return sv;
}

void served_unref(served **svp)
{
	served *sv = svp ? *svp : NULL;

	if (!sv)
		return;
	*svp = NULL;
	if (atomic_fetch_sub(&sv->refs, 1) != 1)
		return;
	arena_free(&sv->strings);
	free(sv->people);
	free(sv->index);
	free(sv->params_json);
	for (size_t i = 0; i < sv->pilot.n; i++) {
		struct served_invitee *m = &sv->pilot.members[i];
		free(m->employee_id);
		free(m->name);
		free(m->email);
		free(m->department);
	}
	free(sv->pilot.members);
	free(sv->pilot.name);
	free(sv);
	give_back();
}

const struct service_snapshot *served_info(const served *sv)
{
	return &sv->info;
}

size_t served_count(const served *sv)
{
	return sv->n;
}

const struct served_person *served_at(const served *sv, size_t i)
{
	return i < sv->n ? &sv->people[i] : NULL;
}

const struct served_person *served_find(const served *sv, const char *employee_id)
{
	size_t h;

	if (!sv->index)
		return NULL;
	h = (size_t)hash_str(employee_id) & sv->index_mask;
	while (sv->index[h]) {
		const struct served_person *p = &sv->people[sv->index[h] - 1];
		if (strcmp(p->employee_id, employee_id) == 0)
			return p;
		h = (h + 1) & sv->index_mask;
	}
	return NULL;
}

/* --- slot ----------------------------------------------------------------- */

void served_slot_init(struct served_slot *slot)
{
	pthread_mutex_init(&slot->mu, NULL);
	slot->cur = NULL;
	atomic_init(&slot->generation, 1);
}

void served_slot_destroy(struct served_slot *slot)
{
	served_unref(&slot->cur);
	pthread_mutex_destroy(&slot->mu);
}

served *served_slot_get(struct served_slot *slot)
{
	served *sv;

	pthread_mutex_lock(&slot->mu);
	sv = served_ref(slot->cur);
	pthread_mutex_unlock(&slot->mu);
	return sv;
}

served *served_slot_get_gen(struct served_slot *slot, uint64_t *gen)
{
	served *sv;

	pthread_mutex_lock(&slot->mu);
	sv = served_ref(slot->cur);
	*gen = atomic_load(&slot->generation);
	pthread_mutex_unlock(&slot->mu);
	return sv;
}

uint64_t served_slot_generation(struct served_slot *slot)
{
	return atomic_load_explicit(&slot->generation, memory_order_acquire);
}

void served_slot_swap(struct served_slot *slot, served **next)
{
	served *old;

	pthread_mutex_lock(&slot->mu);
	old = slot->cur;
	slot->cur = *next;
	/* After the new pointer, so whoever sees the new number and then takes
	 * the lock gets the new snapshot. */
	atomic_fetch_add_explicit(&slot->generation, 1, memory_order_release);
	pthread_mutex_unlock(&slot->mu);
	*next = NULL;
	/* Outside the lock: freeing a million people takes a while, and
	 * readers holding a reference keep the old one alive anyway. */
	served_unref(&old);
}
