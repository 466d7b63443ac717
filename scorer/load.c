/* load.c - reading a population from the store for scoring: the people
 * who may be scored, their survey constructs and items, and their weekly
 * activity or the feature cache.
 *
 * Loading streams three ordered queries (people, survey constructs, weekly
 * activity, all by pid) into one array of person records: cost grows with
 * people and weekly rows, never with raw events. The activity sums depend
 * on the weekly cells, the week, the window and the half-life only (the
 * engagement weights are applied to their parts when loading), so after a
 * scan they are saved as the feature cache (core/store_features.h) and a
 * score after a weight change reads one cached row per person instead.
 * Every number read is sanitised (non-finite survey scores are missing;
 * counts are clamped), so no NaN reaches a ranking. The population owns
 * all records and strings.
 */
#include "scorer/model.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/store_activity.h"
#include "core/store_features.h"
#include "core/store_scores.h"
#include "scorer/model_int.h"

#define MAX_COUNT        1e9 /* one weekly cell above this is not believable: clamp */
#define MAX_WINDOW_WEEKS 261 /* scorer_params_check's limit on window_weeks */

static double count(int64_t v)
{
	return clamp((double)v, 0, MAX_COUNT);
}

static int add_person(void *ctx, const struct score_person_row *r)
{
	scorer_population *pop = ctx;
	struct scorer_person *sp;

	if (pop->n == pop->cap) {
		pop->cap = pop->cap ? 2 * pop->cap : 256;
		pop->people = xreallocarray(pop->people, pop->cap, sizeof(*pop->people));
	}
	sp = &pop->people[pop->n++];
	memset(sp, 0, sizeof(*sp));
	sp->pid = r->pid;
	sp->employee_id = arena_strdup(&pop->strings, r->employee_id);
	sp->name = arena_strdup(&pop->strings, r->name);
	sp->department = arena_strdup(&pop->strings, r->department);
	sp->level = arena_strdup(&pop->strings, r->level);
	sp->consent_yes = strcmp(r->consent, "yes") == 0;
	sp->in_attitude = sp->in_intrinsic = sp->in_extrinsic = NAN;
	return 0;
}

/* The person with this pid, or NULL. Survey and activity rows come in
 * pid order, so the last one found and the one after are tried first. */
static struct scorer_person *find_pid(scorer_population *pop, int64_t pid)
{
	size_t lo = 0, hi = pop->n;

	for (size_t k = pop->last; k < pop->last + 2 && k < pop->n; k++)
		if (pop->people[k].pid == pid)
			return &pop->people[pop->last = k];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pop->people[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pop->n && pop->people[lo].pid == pid) {
		pop->last = lo;
		return &pop->people[lo];
	}
	return NULL;
}

static int add_survey(void *ctx, const struct survey_score_row *r)
{
	struct scorer_person *sp = find_pid(ctx, r->pid);
	/* Stored construct scores are 0..1; anything else is not trusted. */
	double v = isfinite(r->score) && r->score >= 0 && r->score <= 1 ? r->score : NAN;

	if (!sp)
		return 0;
	sp->has_response = r->has_response;
	if (r->careless && *r->careless && !sp->careless)
		sp->careless = arena_strdup(&((scorer_population *)ctx)->strings, r->careless);
	if (strcmp(r->construct, "attitude") == 0)
		sp->in_attitude = v;
	else if (strcmp(r->construct, "intrinsic") == 0)
		sp->in_intrinsic = v;
	else if (strcmp(r->construct, "extrinsic") == 0)
		sp->in_extrinsic = v;
	return 0;
}

/* The survey items of the person whose answers are being read, per
 * construct, until the next person's (evidence only). */
struct item_ctx {
	scorer_population *pop;
	int64_t pid; /* INT64_MIN before the first row */
	double *v[SCORER_CONSTRUCTS];
	size_t n[SCORER_CONSTRUCTS], cap[SCORER_CONSTRUCTS];
};

static void items_done(struct item_ctx *c)
{
	scorer_population *pop = c->pop;
	struct scorer_person *sp = c->pid == INT64_MIN ? NULL : find_pid(pop, c->pid);

	for (int k = 0; k < SCORER_CONSTRUCTS; k++) {
		size_t n = sp ? c->n[k] : 0;
		if (sp) {
			sp->item_first[k] = pop->nitems;
			sp->item_count[k] = n;
		}
		if (pop->nitems + n > pop->capitems) {
			while (pop->nitems + n > pop->capitems)
				pop->capitems = pop->capitems ? 2 * pop->capitems : 1024;
			pop->items = xreallocarray(pop->items, pop->capitems, sizeof(double));
		}
		if (n)
			memcpy(&pop->items[pop->nitems], c->v[k], n * sizeof(double));
		pop->nitems += n;
		c->n[k] = 0;
	}
}

static int add_item(void *ctx, const struct survey_item_row *r)
{
	struct item_ctx *c = ctx;
	int k = strcmp(r->construct, "attitude") == 0    ? SCORER_ATTITUDE
	        : strcmp(r->construct, "intrinsic") == 0 ? SCORER_INTRINSIC
	                                                 : SCORER_EXTRINSIC;

	if (r->pid != c->pid) {
		items_done(c);
		c->pid = r->pid;
	}
	if (!isfinite(r->unit))
		return 0;
	if (c->n[k] == c->cap[k]) {
		c->cap[k] = c->cap[k] ? 2 * c->cap[k] : 16;
		c->v[k] = xreallocarray(c->v[k], c->cap[k], sizeof(double));
	}
	c->v[k][c->n[k]++] = clamp(r->unit, 0, 1);
	return 0;
}

/* Read every trusted person's survey items into the population. */
static int load_items(store *s, scorer_population *pop)
{
	struct item_ctx c = {.pop = pop, .pid = INT64_MIN};
	int rc = store_scoring_items_each(s, add_item, &c);

	if (!rc)
		items_done(&c);
	for (int k = 0; k < SCORER_CONSTRUCTS; k++)
		free(c.v[k]);
	return rc;
}

/* Activity of the person whose rows are being read. */
struct act_ctx {
	scorer_population *pop;
	const struct scorer_params *p;
	double decay[MAX_WINDOW_WEEKS];
	int64_t cur_pid;      /* INT64_MIN before the first row */
	int64_t last_week;    /* last active week, total */
	int weeks_active;     /* of cur_pid, total */
	double steady_weight; /* of cur_pid */
	bool coarse;          /* of cur_pid: an active week came from a multi-week report */
	struct scorer_platform plats[MAX_PLATFORMS_PER_PERSON];
	struct scorer_parts parts[MAX_PLATFORMS_PER_PERSON];
	int64_t plat_last_week[MAX_PLATFORMS_PER_PERSON];
	size_t nplats;
	/* evidence: cur_pid's weeks so far, the last one being summed */
	struct scorer_week weeks[MAX_WINDOW_WEEKS];
	struct scorer_parts week_parts; /* of weeks[nweeks - 1] */
	int64_t week;                   /* of weeks[nweeks - 1] */
	size_t nweeks;
};

static void add_activity(struct scorer_activity *a, const struct scorer_activity *b)
{
	a->own += b->own;
	a->conversation += b->conversation;
	a->amplification += b->amplification;
	a->posts += b->posts;
	a->engagement += b->engagement;
}

/* Engagement from its decayed parts with the weights in force: the same
 * expression whether the parts come from weekly cells or from the cache. */
static double engagement(const struct scorer_params *p, const struct scorer_parts *a)
{
	return p->engagement_reactions * a->reactions + p->engagement_comments * a->comments +
	       p->engagement_shares * a->shares;
}

/* Keep a person's weeks as evidence, when the population keeps any. */
static void keep_weeks(scorer_population *pop, struct scorer_person *sp,
                       const struct scorer_week *weeks, size_t n)
{
	sp->week_first = pop->nweeks;
	sp->week_count = 0;
	if (!pop->evidence || !survey_trusted(sp) || n == 0)
		return;
	if (pop->nweeks + n > pop->capweeks) {
		while (pop->nweeks + n > pop->capweeks)
			pop->capweeks = pop->capweeks ? 2 * pop->capweeks : 1024;
		pop->weeks = xreallocarray(pop->weeks, pop->capweeks, sizeof(*pop->weeks));
	}
	memcpy(&pop->weeks[pop->nweeks], weeks, n * sizeof(*weeks));
	pop->nweeks += n;
	sp->week_count = n;
}

/* One person's sums are complete: attach them (and their weeks, when
 * kept) to the person, or keep them aside for the cache (keep_unscored)
 * when the person is not scored now. */
static void person_done(scorer_population *pop, const struct scorer_params *p, int64_t pid,
                        int weeks_active, double steady_weight, bool coarse,
                        struct scorer_platform *plats, const struct scorer_parts *parts, size_t n,
                        bool keep_unscored, const struct scorer_week *weeks, size_t nweeks)
{
	struct scorer_person *sp = find_pid(pop, pid);
	size_t first = pop->nplat;

	if (!sp && (!keep_unscored || (n == 0 && weeks_active == 0)))
		return;
	for (size_t i = 0; i < n; i++) {
		if (pop->nplat == pop->capplat) {
			pop->capplat = pop->capplat ? 2 * pop->capplat : 256;
			pop->plat = xreallocarray(pop->plat, pop->capplat, sizeof(*pop->plat));
		}
		if (pop->rebuild_cache) { /* the cache keeps the parts */
			if (pop->capparts < pop->capplat) {
				pop->capparts = pop->capplat;
				pop->parts =
				    xreallocarray(pop->parts, pop->capparts, sizeof(*pop->parts));
			}
			pop->parts[pop->nplat] = parts[i];
		}
		plats[i].a.engagement = engagement(p, &parts[i]);
		pop->plat[pop->nplat++] = plats[i];
	}
	if (sp) {
		sp->plat_first = first;
		sp->plat_count = n;
		for (size_t i = 0; i < n; i++)
			add_activity(&sp->total, &pop->plat[first + i].a);
		sp->total.weeks_active = weeks_active;
		sp->steady_weight = steady_weight;
		sp->coarse = coarse;
		keep_weeks(pop, sp, weeks, nweeks);
		return;
	}
	if (pop->nunscored == pop->capunscored) {
		pop->capunscored = pop->capunscored ? 2 * pop->capunscored : 256;
		pop->unscored =
		    xreallocarray(pop->unscored, pop->capunscored, sizeof(*pop->unscored));
	}
	pop->unscored[pop->nunscored++] = (struct scorer_unscored){
	    .pid = pid,
	    .weeks_active = weeks_active,
	    .steady_weight = steady_weight,
	    .coarse = coarse,
	    .plat_first = first,
	    .plat_count = n,
	};
}

/* The week being summed is complete: its engagement from its parts. */
static void week_done(struct act_ctx *c)
{
	if (c->nweeks > 0)
		c->weeks[c->nweeks - 1].a.engagement = engagement(c->p, &c->week_parts);
}

static void flush_person(struct act_ctx *c)
{
	week_done(c);
	if (c->cur_pid != INT64_MIN)
		person_done(c->pop, c->p, c->cur_pid, c->weeks_active, c->steady_weight, c->coarse,
		            c->plats, c->parts, c->nplats, true, c->weeks, c->nweeks);
	c->nplats = 0;
	c->nweeks = 0;
}

static size_t platform_slot(struct act_ctx *c, int64_t platform)
{
	for (size_t i = 0; i < c->nplats; i++)
		if (c->plats[i].platform == platform)
			return i;
	if (c->nplats == MAX_PLATFORMS_PER_PERSON)
		return MAX_PLATFORMS_PER_PERSON - 1; /* fold the rest into the last */
	memset(&c->plats[c->nplats], 0, sizeof(c->plats[0]));
	memset(&c->parts[c->nplats], 0, sizeof(c->parts[0]));
	c->plats[c->nplats].platform = platform;
	c->plat_last_week[c->nplats] = INT64_MIN;
	return c->nplats++;
}

/* Add one weekly cell, decayed by d, to a and its engagement parts: the
 * one place a cell's kind and origin decide what it counts as. Returns
 * whether it makes its week active (own content or comments). */
static bool cell_add(struct scorer_activity *a, struct scorer_parts *parts, double d,
                     const struct activity_cell *r)
{
	double ev = count(r->events);

	if (r->origin != ORIGIN_ORIGINAL) {
		a->amplification += d * ev; /* suggested content is the company's voice */
		return false;
	}
	if (r->kind >= KIND_POST && r->kind <= KIND_VIDEO) {
		/* posts whose engagement went unreported stay out of response */
		a->own += d * ev;
		a->posts += d * (ev - clamp(count(r->unrated), 0, ev));
		parts->reactions += d * count(r->reactions);
		parts->comments += d * count(r->comments);
		parts->shares += d * count(r->shares);
		return ev > 0;
	}
	if (r->kind == KIND_COMMENT) {
		a->conversation += d * ev;
		return ev > 0;
	}
	if (r->kind == KIND_RESHARE || r->kind == KIND_REACTION)
		a->amplification += d * ev;
	return false;
}

/* The same cell into the person's evidence: one record per week. */
static void week_add(struct act_ctx *c, double d, const struct activity_cell *r)
{
	struct scorer_week *w;

	if (c->nweeks == 0 || c->week != r->week) {
		week_done(c);
		if (c->nweeks == MAX_WINDOW_WEEKS) /* rows of one week come together */
			return;
		c->weeks[c->nweeks++] = (struct scorer_week){{0}, 0};
		c->week_parts = (struct scorer_parts){0};
		c->week = r->week;
	}
	w = &c->weeks[c->nweeks - 1];
	if (cell_add(&w->a, &c->week_parts, d, r)) {
		w->a.weeks_active = 1;
		w->steady = d;
	}
}

/* Every person with weekly cells is summed, scored now or not: the sums
 * become the feature cache, which must not depend on who is scored. */
static int add_activity_row(void *ctx, const struct activity_cell *r)
{
	struct act_ctx *c = ctx;
	int64_t age = c->pop->as_of_week - r->week;
	double d;
	size_t slot;

	if (r->pid != c->cur_pid) {
		flush_person(c);
		c->cur_pid = r->pid;
		c->last_week = INT64_MIN;
		c->weeks_active = 0;
		c->steady_weight = 0;
		c->coarse = false;
	}
	if (age < 0 || age >= c->pop->window_weeks) /* outside the window */
		return 0;
	d = c->decay[age];
	slot = platform_slot(c, r->platform);
	if (c->pop->evidence)
		week_add(c, d, r);
	if (!cell_add(&c->plats[slot].a, &c->parts[slot], d, r))
		return 0;
	/* A week filled by spreading a longer report says nothing of when the
	 * person was active: steadiness is then not observed. */
	c->coarse |= r->coarse > 0;
	/* Rows come in week order per person: count each week once. */
	if (c->plat_last_week[slot] != r->week) {
		c->plat_last_week[slot] = r->week;
		c->plats[slot].a.weeks_active++;
	}
	if (c->last_week != r->week) {
		c->last_week = r->week;
		c->weeks_active++;
		c->steady_weight += d;
	}
	return 0;
}

/* A stored sum: the cache holds what the weekly scan made (finite, >= 0);
 * anything else in the file is not trusted. */
static double stored_sum(double v)
{
	return clamp(v, 0, HUGE_VAL);
}

static int add_feature_row(void *ctx, const struct feature_row *r)
{
	struct act_ctx *c = ctx;

	if (r->nplats > MAX_PLATFORMS_PER_PERSON)
		return err_set(ERR_CORRUPT, "activity features of pid %lld: %zu platforms",
		               (long long)r->pid, r->nplats);
	for (size_t i = 0; i < r->nplats; i++) {
		const struct feature_platform *f = &r->plats[i];
		c->plats[i] = (struct scorer_platform){
		    .platform = f->platform,
		    .a =
		        {
		            .own = stored_sum(f->own),
		            .conversation = stored_sum(f->conversation),
		            .amplification = stored_sum(f->amplification),
		            .posts = stored_sum(f->posts),
		            .weeks_active = f->weeks_active > 0 ? f->weeks_active : 0,
		        },
		};
		c->parts[i] = (struct scorer_parts){
		    .reactions = stored_sum(f->reactions),
		    .comments = stored_sum(f->comments),
		    .shares = stored_sum(f->shares),
		};
	}
	person_done(c->pop, c->p, r->pid, r->weeks_active > 0 ? r->weeks_active : 0,
	            stored_sum(r->steady_weight), r->coarse, c->plats, c->parts, r->nplats, false,
	            NULL, 0);
	return 0;
}

static int add_platform_name(void *ctx, int64_t id, const char *name)
{
	scorer_population *pop = ctx;

	pop->pnames = xreallocarray(pop->pnames, pop->npnames + 1, sizeof(*pop->pnames));
	pop->pnames[pop->npnames].id = id;
	pop->pnames[pop->npnames].name = xstrdup(name);
	pop->npnames++;
	return 0;
}

/* What the feature cache depends on besides the activity version. "f2" is
 * the meaning of the sums: change it with add_activity_row. */
static char *cache_key(const scorer_population *pop, const struct scorer_params *p)
{
	struct buf b = {0};

	buf_printf(&b, "f2 week=%lld window=%d half_life=%a", (long long)pop->as_of_week,
	           pop->window_weeks, p->half_life_weeks);
	return b.data;
}

int scorer_population_load(store *s, int64_t as_of, const struct scorer_params *p,
                           scorer_population **out)
{
	return scorer_population_load_with(s, as_of, p, 0, out);
}

int scorer_population_load_with(store *s, int64_t as_of, const struct scorer_params *p,
                                unsigned flags, scorer_population **out)
{
	scorer_population *pop = scorer_population_new(as_of, p);
	struct act_ctx *c = xcalloc(1, sizeof(*c));
	int64_t declined_since = as_of - (int64_t)p->cooldown_days * 86400, bound = 0;
	int rc;

	*out = NULL;
	if ((rc = store_read_begin(s)))
		goto done;
	c->pop = pop;
	c->p = p;
	c->cur_pid = INT64_MIN;
	pop->evidence = (flags & SCORER_LOAD_EVIDENCE) != 0;
	for (int a = 0; a < pop->window_weeks && a < MAX_WINDOW_WEEKS; a++)
		c->decay[a] = pow(0.5, a / p->half_life_weeks);
	pop->cache_key = cache_key(pop, p);
	/* Sized once: growing a 40 MiB array by doubling copies it into
	 * fresh pages, and fresh pages are what a load pays for most. */
	if ((rc = store_scoring_people_bound(s, &bound)))
		goto end;
	if (bound > 0 && (uint64_t)bound < SIZE_MAX / sizeof(*pop->people)) {
		pop->cap = (size_t)bound;
		pop->people = xreallocarray(NULL, pop->cap, sizeof(*pop->people));
	}
	if ((rc = store_scoring_people_each(s, declined_since, as_of, add_person, pop)))
		goto end;
	if ((rc = store_scoring_survey_each(s, add_survey, pop)))
		goto end;
	if (pop->evidence && (rc = load_items(s, pop)))
		goto end;
	if ((rc = store_features_valid(s, pop->cache_key, &pop->activity_version)) < 0)
		goto end;
	/* The cache holds sums, not weeks: evidence needs the weekly cells. */
	if (rc == 1 && !pop->evidence) {
		pop->from_cache = true;
		if ((rc = store_features_each(s, add_feature_row, c)))
			goto end;
	} else {
		pop->rebuild_cache = true;
		if ((rc = store_activity_each(s, (int32_t)(pop->as_of_week - pop->window_weeks + 1),
		                              add_activity_row, c)))
			goto end;
		flush_person(c);
	}
	rc = store_platforms_each(s, add_platform_name, pop);
end:
	store_read_end(s);
done:
	free(c);
	if (rc) {
		scorer_population_destroy(&pop);
		return rc;
	}
	*out = pop;
	return 0;
}
