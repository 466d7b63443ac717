/* snapshot.c - writing a computed population as a snapshot: each
 * person's detail record (scorer/detail.h) and, in the same transaction,
 * the feature cache when the activity sums came from the weekly cells.
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

void scorer_detail_of(struct scorer_detail *out, const scorer_population *pop,
                      const struct scorer_person *sp)
{
	size_t order[SCORER_DETAIL_MAX_PLATFORMS];
	size_t np = sp->plat_count < SCORER_DETAIL_MAX_PLATFORMS ? sp->plat_count
	                                                         : SCORER_DETAIL_MAX_PLATFORMS;

	/* Not the whole record: its platform table is most of it, and each
	 * entry used is set below. */
	memset(out, 0, offsetof(struct scorer_detail, platforms));
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
	activity_of(&out->total, &sp->total);
	out->window_weeks = pop->window_weeks;
	out->weighted_volume = sp->weighted_volume;
	out->own_share = sp->own_share;
	out->engagement_per_post_shrunk = sp->response_shrunk;
	out->company_engagement_per_post = pop->mean_response;
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

struct save_ctx {
	const scorer_population *pop;
	struct scorer_detail d;
	struct buf detail;
};

static int save_row(void *ctx, size_t i, struct snapshot_score_in *out)
{
	struct save_ctx *c = ctx;
	const struct scorer_person *sp = &c->pop->people[i];
	int rc;

	buf_reset(&c->detail);
	scorer_detail_of(&c->d, c->pop, sp);
	if ((rc = scorer_detail_encode(&c->detail, &c->d)))
		return rc;
	out->pid = sp->pid;
	out->eligible = sp->eligible;
	out->rank = sp->rank;
	out->rank_lo = c->pop->intervals ? sp->rank_lo : 0;
	out->rank_hi = c->pop->intervals ? sp->rank_hi : 0;
	out->score = sp->score;
	out->activity = sp->activity;
	out->attitude = sp->attitude;
	out->motivation = sp->motivation;
	out->detail = c->detail.data;
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
	    !(rc = store_snapshot_write(s, &info, pop->n, save_row, c, out_id)) && own_tx)
		rc = store_commit(s);
	if (rc && own_tx)
		store_rollback(s);
	free(info.params);
	buf_free(&c->detail);
	free(c);
	return rc;
}
