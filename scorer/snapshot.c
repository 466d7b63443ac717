/* snapshot.c - writing a computed population as a snapshot: each
 * person's detail record (scorer/detail.h), its facts part only when the
 * store does not hold it yet (by a hash of what it is made of), and, in
 * the same transaction, the feature cache when the activity sums came from
 * the weekly cells.
 */
#include "scorer/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/store_activity.h"
#include "core/store_features.h"
#include "core/store_scores.h"
#include "scorer/model_int.h"

static void activity_of(struct scorer_detail_activity *out, const struct scorer_activity *a)
{
	*out = (struct scorer_detail_activity){
	    .weeks_active = a->weeks_active,
	    .own = a->own,
	    .conversation = a->conversation,
	    .amplification = a->amplification,
	    .own_posts = a->posts,
	    .engagement_per_post = a->posts > 0 ? a->engagement / a->posts : 0,
	};
}

/* Platforms by own content + conversation, then by name: stable order. */
static int cmp_platform_share(const struct scorer_platform *x, const struct scorer_platform *y,
                              const scorer_population *pop)
{
	double vx = x->a.own + x->a.conversation, vy = y->a.own + y->a.conversation;
	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(scorer_platform_name(pop, x->platform),
	              scorer_platform_name(pop, y->platform));
}

/* The members of the scored part (scorer_detail_encode_scored). */
static void scored_of(struct scorer_detail *out, const scorer_population *pop,
                      const struct scorer_person *sp)
{
	out->eligible = sp->eligible;
	if (!sp->eligible)
		snprintf(out->why_not, sizeof(out->why_not), "%s", scorer_flag_text(sp->flags));
	out->flags = sp->flags;
	snprintf(out->consent, sizeof(out->consent), "%s", sp->consent_yes ? "yes" : "not_asked");
	out->steadiness = sp->steadiness;
	out->volume = sp->volume;
	out->response = sp->response;
	out->conversation = sp->conversation;
	out->authenticity = sp->authenticity;
	out->weighted_volume = sp->weighted_volume;
	out->own_share = sp->own_share;
	out->engagement_per_post_shrunk = sp->response_shrunk;
	out->company_engagement_per_post = pop->mean_response;
}

/* The members of the facts part (scorer_detail_encode_facts). Whatever
 * they are made of goes into facts_hash below. */
static void facts_of(struct scorer_detail *out, const scorer_population *pop,
                     const struct scorer_person *sp)
{
	size_t order[SCORER_DETAIL_MAX_PLATFORMS];
	size_t np = sp->plat_count < SCORER_DETAIL_MAX_PLATFORMS ? sp->plat_count
	                                                         : SCORER_DETAIL_MAX_PLATFORMS;

	activity_of(&out->total, &sp->total);
	out->window_weeks = pop->window_weeks;
	for (size_t i = 0; i < np; i++) {
		size_t j = i;
		order[i] = sp->plat_first + i;
		/* insertion sort: a person has a handful of platforms */
		while (j > 0 && cmp_platform_share(&pop->plat[order[j]], &pop->plat[order[j - 1]],
		                                   pop) < 0) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
			j--;
		}
	}
	for (size_t i = 0; i < np; i++) {
		const struct scorer_platform *pl = &pop->plat[order[i]];
		struct scorer_detail_platform *dp = &out->platforms[i];
		/* Names are at most 32 UTF-8 characters (the importer's limit). */
		snprintf(dp->name, sizeof(dp->name), "%s", scorer_platform_name(pop, pl->platform));
		activity_of(&dp->a, &pl->a);
	}
	out->nplatforms = np;
	out->in_attitude = sp->in_attitude;
	out->in_intrinsic = sp->in_intrinsic;
	out->in_extrinsic = sp->in_extrinsic;
	snprintf(out->careless, sizeof(out->careless), "%s", sp->careless ? sp->careless : "");
}

void scorer_detail_of(struct scorer_detail *out, const scorer_population *pop,
                      const struct scorer_person *sp)
{
	/* Not the whole record: its platform table is most of it, and each
	 * entry used is set by facts_of. */
	memset(out, 0, offsetof(struct scorer_detail, platforms));
	scored_of(out, pop, sp);
	facts_of(out, pop, sp);
}

/* One 64-bit word into hash h (multiply and fold). */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 29);
}

static uint64_t mix_num(uint64_t h, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	return mix(h, bits);
}

static uint64_t mix_text(uint64_t h, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;
		memcpy(&w, s + i, n - i < 8 ? n - i : 8);
		h = mix(h, w);
	}
	return mix(h, n);
}

static uint64_t mix_activity(uint64_t h, const struct scorer_activity *a)
{
	h = mix_num(h, a->own);
	h = mix_num(h, a->conversation);
	h = mix_num(h, a->amplification);
	h = mix_num(h, a->posts);
	h = mix_num(h, a->engagement);
	return mix(h, (uint64_t)a->weeks_active);
}

/* A 64-bit hash of everything facts_of reads and of the encoding's
 * version, SCORER_DETAIL_FACTS_FORMAT (never 0): the same inputs
 * give the same facts text, so a person whose hash is stored already has
 * those facts written. Different inputs that print the same (six digits)
 * merely store the facts again. Not a cryptographic hash: it keeps apart
 * the changes of one person's activity and answers, which is all it is
 * for (a collision would show that person's earlier facts). */
static uint64_t facts_hash(const scorer_population *pop, const struct scorer_person *sp)
{
	uint64_t h = mix(0x2545F4914F6CDD1DULL, SCORER_DETAIL_FACTS_FORMAT);

	h = mix(h, (uint64_t)pop->window_weeks);
	h = mix_activity(h, &sp->total);
	h = mix(h, sp->plat_count);
	for (size_t i = 0; i < sp->plat_count; i++) {
		const struct scorer_platform *pl = &pop->plat[sp->plat_first + i];
		h = mix_text(h, scorer_platform_name(pop, pl->platform));
		h = mix_activity(h, &pl->a);
	}
	h = mix_num(h, sp->in_attitude);
	h = mix_num(h, sp->in_intrinsic);
	h = mix_num(h, sp->in_extrinsic);
	h = mix_text(h, sp->careless ? sp->careless : "");
	return h ? h : 1;
}

struct save_ctx {
	const scorer_population *pop;
	struct scorer_detail d;
	struct scorer_detail_scored scored; /* the row's scored part */
	struct buf facts;                   /* its facts part */
};

/* Row i with the scored part of its detail; the facts part is written by
 * save_facts when the store has none with this hash. */
static int save_row(void *ctx, size_t i, struct snapshot_score_in *out)
{
	struct save_ctx *c = ctx;
	const struct scorer_person *sp = &c->pop->people[i];
	int rc;

	memset(&c->d, 0, offsetof(struct scorer_detail, platforms));
	scored_of(&c->d, c->pop, sp);
	if ((rc = scorer_detail_scored_columns(&c->d, &c->scored)))
		return rc;
	out->scored = c->scored.cols;
	out->facts_hash = facts_hash(c->pop, sp);
	out->pid = sp->pid;
	out->eligible = sp->eligible;
	out->rank = sp->rank;
	out->rank_lo = c->pop->intervals ? sp->rank_lo : 0;
	out->rank_hi = c->pop->intervals ? sp->rank_hi : 0;
	out->score = sp->score;
	out->activity = sp->activity;
	out->attitude = sp->attitude;
	out->motivation = sp->motivation;
	return 0;
}

static int save_facts(void *ctx, size_t i, const char **out)
{
	struct save_ctx *c = ctx;
	int rc;

	buf_reset(&c->facts);
	memset(&c->d, 0, offsetof(struct scorer_detail, platforms));
	facts_of(&c->d, c->pop, &c->pop->people[i]);
	if ((rc = scorer_detail_encode_facts(&c->facts, &c->d)))
		return rc;
	*out = c->facts.data;
	return 0;
}

/* The feature cache rows: scored and unscored people merged by pid. */
struct cache_ctx {
	const scorer_population *pop;
	size_t i, j; /* next person, next unscored */
	struct feature_platform plats[MAX_PLATFORMS_PER_PERSON];
};

static int next_feature(void *ctx, struct feature_row *out)
{
	struct cache_ctx *c = ctx;
	const scorer_population *pop = c->pop;

	for (;;) {
		const struct scorer_person *sp = c->i < pop->n ? &pop->people[c->i] : NULL;
		const struct scorer_unscored *u =
		    c->j < pop->nunscored ? &pop->unscored[c->j] : NULL;
		size_t first, n;

		if (!sp && !u)
			return 1;
		if (sp && (!u || sp->pid < u->pid)) {
			c->i++;
			if (sp->plat_count == 0 && sp->total.weeks_active == 0)
				continue; /* no cells in the window: no row, as when scanned */
			*out = (struct feature_row){.pid = sp->pid,
			                            .weeks_active = sp->total.weeks_active,
			                            .steady_weight = sp->steady_weight,
			                            .coarse = sp->coarse};
			first = sp->plat_first;
			n = sp->plat_count;
		} else {
			c->j++;
			*out = (struct feature_row){.pid = u->pid,
			                            .weeks_active = u->weeks_active,
			                            .steady_weight = u->steady_weight,
			                            .coarse = u->coarse};
			first = u->plat_first;
			n = u->plat_count;
		}
		for (size_t k = 0; k < n && k < MAX_PLATFORMS_PER_PERSON; k++) {
			const struct scorer_platform *pl = &pop->plat[first + k];
			c->plats[k] = (struct feature_platform){
			    .platform = pl->platform,
			    .weeks_active = pl->a.weeks_active,
			    .own = pl->a.own,
			    .conversation = pl->a.conversation,
			    .amplification = pl->a.amplification,
			    .posts = pl->a.posts,
			    .reactions = pop->parts[first + k].reactions,
			    .comments = pop->parts[first + k].comments,
			    .shares = pop->parts[first + k].shares,
			};
		}
		out->plats = c->plats;
		out->nplats = n < MAX_PLATFORMS_PER_PERSON ? n : MAX_PLATFORMS_PER_PERSON;
		return 0;
	}
}

/* Store the sums read from the weekly cells as the feature cache, unless
 * activity changed since they were read (then the next score rebuilds). */
static int save_cache(store *s, const scorer_population *pop)
{
	struct cache_ctx *c;
	int64_t version;
	int rc;

	if (!pop->rebuild_cache || !pop->cache_key)
		return 0;
	if ((rc = store_activity_version(s, &version)) || version != pop->activity_version)
		return rc;
	c = xcalloc(1, sizeof(*c));
	c->pop = pop;
	rc = store_features_replace(s, pop->cache_key, version, next_feature, c);
	free(c);
	return rc;
}

int scorer_snapshot_save(store *s, const scorer_population *pop, const struct scorer_params *p,
                         const char *profile, int64_t profile_version, int64_t *out_id)
{
	struct save_ctx *c = xcalloc(1, sizeof(*c)); /* the detail record is large */
	struct snapshot_info info = {
	    .computed_at = clock_now(),
	    .as_of = pop->as_of,
	    .profile = (char *)profile,
	    .profile_version = profile_version,
	    .params = scorer_params_to_json(p),
	    .people = (int64_t)pop->n,
	    .eligible = (int64_t)pop->eligible,
	};
	bool own_tx = !store_in_transaction(s);
	int rc = own_tx ? store_begin(s) : 0;

	c->pop = pop;
	if (!rc && !(rc = save_cache(s, pop)) &&
	    !(rc = store_snapshot_write(s, &info, pop->n, save_row, save_facts, c, out_id)) &&
	    own_tx)
		rc = store_commit(s);
	if (rc && own_tx)
		store_rollback(s);
	free(info.params);
	buf_free(&c->facts);
	free(c);
	return rc;
}
