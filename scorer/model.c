/* model.c - features, components and the score (docs/design.md, section 'How scoring works').
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

#include <gsl/gsl_errno.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/store_activity.h"
#include "core/store_features.h"
#include "core/store_scores.h"
#include "core/timefmt.h"
#include "scorer/rank.h"
#include "scorer/response.h"

#define MAX_COUNT                1e9 /* one weekly cell above this is not believable: clamp */
#define MAX_PLATFORMS_PER_PERSON 64
#define MAX_WINDOW_WEEKS         261 /* scorer_params_check's limit on window_weeks */

static double clamp(double v, double lo, double hi)
{
	if (!isfinite(v))
		return lo;
	return v < lo ? lo : v > hi ? hi : v;
}

static double count(int64_t v)
{
	return clamp((double)v, 0, MAX_COUNT);
}

scorer_population *scorer_population_new(int64_t as_of, const struct scorer_params *p)
{
	scorer_population *pop = xcalloc(1, sizeof(*pop));
	double hl = p->half_life_weeks;

	pop->as_of = as_of;
	pop->as_of_week = timefmt_week(as_of);
	pop->window_weeks = (int)p->window_weeks;
	for (int a = 0; a < pop->window_weeks; a++)
		pop->window_weight += pow(0.5, a / hl);
	return pop;
}

void scorer_population_destroy(scorer_population **popp)
{
	scorer_population *pop = popp ? *popp : NULL;

	if (!pop)
		return;
	for (size_t i = 0; i < pop->n; i++) {
		struct scorer_person *sp = &pop->people[i];
		free(sp->employee_id);
		free(sp->name);
		free(sp->department);
		free(sp->level);
		free(sp->careless);
	}
	for (size_t i = 0; i < pop->npnames; i++)
		free(pop->pnames[i].name);
	free(pop->pnames);
	free(pop->people);
	free(pop->plat);
	free(pop->order);
	free(pop->unscored);
	free(pop->parts);
	free(pop->weeks);
	free(pop->items);
	free(pop->cache_key);
	free(pop);
	*popp = NULL;
}

const char *scorer_platform_name(const scorer_population *pop, int64_t id)
{
	for (size_t i = 0; i < pop->npnames; i++)
		if (pop->pnames[i].id == id)
			return pop->pnames[i].name;
	return "other";
}

/* --- loading ----------------------------------------------------------- */

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
	sp->employee_id = xstrdup(r->employee_id);
	sp->name = xstrdup(r->name);
	sp->department = xstrdup(r->department);
	sp->level = xstrdup(r->level);
	sp->consent_yes = strcmp(r->consent, "yes") == 0;
	sp->in_attitude = sp->in_intrinsic = sp->in_extrinsic = NAN;
	return 0;
}

static struct scorer_person *find_pid(scorer_population *pop, int64_t pid)
{
	size_t lo = 0, hi = pop->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pop->people[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pop->n && pop->people[lo].pid == pid ? &pop->people[lo] : NULL;
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
		sp->careless = xstrdup(r->careless);
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

/* Whether a person's survey answer is trusted: nobody else can be
 * eligible, so nobody else needs evidence for an interval. */
static bool survey_trusted(const struct scorer_person *sp)
{
	return sp->has_response && !sp->careless;
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
	int64_t declined_since = as_of - (int64_t)p->cooldown_days * 86400;
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

/* --- features ---------------------------------------------------------- */

double scorer_combine(const double c[3], const double w[3], double floor)
{
	double num = 0, den = 0;

	for (int i = 0; i < 3; i++) {
		double v = isfinite(c[i]) && c[i] > floor ? c[i] : floor;
		double wi = isfinite(w[i]) && w[i] > 0 ? w[i] : 0;
		num += wi * log(v > 1 ? 1 : v);
		den += wi;
	}
	return den > 0 ? 100 * exp(num / den) : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The q-quantile of the positive values in v (overwritten: sorted). */
static double positive_quantile(double *v, size_t n, double q)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] > 0)
			v[k++] = v[i];
	if (k == 0)
		return 0;
	qsort(v, k, sizeof(*v), cmp_double);
	return gsl_stats_quantile_from_sorted_data(v, 1, k, q);
}

/* log1p(x) relative to the reference: diminishing returns, and 1.0 from
 * the reference (the top of the company) up. */
static double saturate(double x, double ref)
{
	if (!(ref > 0) || !(x > 0))
		return 0;
	return clamp(log1p(x) / ref, 0, 1);
}

/* The facts behind the sub-features: weighted volume and the response
 * rate, shrunk towards the company's centre (needs the response scale). */
static void person_facts(const scorer_population *pop, struct scorer_person *sp,
                         const struct scorer_params *p)
{
	const struct scorer_activity *a = &sp->total;

	sp->weighted_volume = a->own + p->volume_conversation * a->conversation +
	                      p->volume_amplification * a->amplification;
	sp->response_raw = a->posts > 0 ? a->engagement / a->posts : 0;
	sp->response_log = response_shrunk_log(a->engagement, a->posts, pop->response_scale.centre,
	                                       p->prior_posts);
	sp->response_shrunk = expm1(sp->response_log);
}

static void population_refs(scorer_population *pop, const struct scorer_params *p)
{
	size_t n1 = pop->n ? pop->n : 1;
	double *v = xmalloc(n1 * sizeof(double));
	double *eng = xmalloc(n1 * sizeof(double)), *posts = xmalloc(n1 * sizeof(double));

	for (size_t i = 0; i < pop->n; i++) {
		eng[i] = pop->people[i].total.engagement;
		posts[i] = pop->people[i].total.posts;
	}
	response_scale_fit(&pop->response_scale, eng, posts, pop->n, p->prior_posts,
	                   p->ref_quantile);
	pop->mean_response = expm1(pop->response_scale.centre);
	pop->ref_response = pop->response_scale.knots[3];
	for (size_t i = 0; i < pop->n; i++)
		person_facts(pop, &pop->people[i], p);
	free(eng);
	free(posts);
	for (size_t i = 0; i < pop->n; i++)
		v[i] = log1p(pop->people[i].weighted_volume);
	pop->ref_volume = positive_quantile(v, pop->n, p->ref_quantile);
	for (size_t i = 0; i < pop->n; i++)
		v[i] = log1p(pop->people[i].total.conversation);
	pop->ref_conversation = positive_quantile(v, pop->n, p->ref_quantile);
	free(v);
}

static void person_activity(const scorer_population *pop, struct scorer_person *sp,
                            const struct scorer_params *p)
{
	const struct scorer_activity *a = &sp->total;
	double own_part = a->own + p->volume_conversation * a->conversation;
	double w_response = p->w_response, w_steadiness = p->w_steadiness, wsum;

	sp->steadiness =
	    pop->window_weight > 0 ? clamp(sp->steady_weight / pop->window_weight, 0, 1) : 0;
	if (sp->coarse) {
		/* weeks spread from a report over several weeks: not observed,
		 * left out of the mean rather than guessed */
		sp->steadiness = NAN;
		w_steadiness = 0;
	}
	sp->volume = saturate(sp->weighted_volume, pop->ref_volume);
	sp->response = a->posts > 0 ? response_value(&pop->response_scale, sp->response_log) : 0;
	if (a->own > 0 && !(a->posts > 0)) {
		/* own posts, none with engagement reported: unknown, left out of
		 * the mean rather than counted as no response */
		sp->response = NAN;
		w_response = 0;
	}
	wsum = w_steadiness + p->w_volume + w_response + p->w_conversation;
	sp->conversation = saturate(a->conversation, pop->ref_conversation);
	sp->own_share = sp->weighted_volume > 0 ? clamp(own_part / sp->weighted_volume, 0, 1) : 0;
	sp->authenticity = clamp(sp->own_share / p->authenticity_full, 0, 1);
	if (!(sp->weighted_volume > 0) || own_part <= 0 || wsum <= 0) {
		sp->activity = 0;
		return;
	}
	sp->activity =
	    clamp(((w_steadiness > 0 ? w_steadiness * sp->steadiness : 0) +
	           p->w_volume * sp->volume + (w_response > 0 ? w_response * sp->response : 0) +
	           p->w_conversation * sp->conversation) /
	              wsum * sp->authenticity,
	          0, 1);
}

static void person_survey(struct scorer_person *sp, const struct scorer_params *p)
{
	bool trusted = survey_trusted(sp);
	double intr = sp->in_intrinsic, extr = sp->in_extrinsic;

	sp->attitude = trusted && isfinite(sp->in_attitude) ? sp->in_attitude : NAN;
	sp->motivation = NAN;
	if (trusted && isfinite(intr)) {
		double gap = isfinite(extr) && extr > intr ? extr - intr : 0;
		sp->motivation = clamp(intr - p->extrinsic_penalty * gap, 0, 1);
	}
}

static void person_result(struct scorer_person *sp, const struct scorer_params *p)
{
	double c[3] = {sp->activity, sp->attitude, sp->motivation};
	double w[3] = {p->w_activity, p->w_attitude, p->w_motivation};

	sp->flags = 0;
	if (!sp->has_response)
		sp->flags |= SCORER_NO_SURVEY;
	else if (sp->careless)
		sp->flags |= SCORER_CARELESS;
	else {
		if (!isfinite(sp->attitude))
			sp->flags |= SCORER_NO_ATTITUDE;
		if (!isfinite(sp->motivation))
			sp->flags |= SCORER_NO_MOTIVATION;
	}
	if (!(sp->activity > 0))
		sp->flags |= SCORER_NO_ACTIVITY;
	if (p->require_consent >= 1 && !sp->consent_yes)
		sp->flags |= SCORER_CONSENT_NEEDED;
	sp->eligible = sp->flags == 0;
	sp->rank = 0;
	/* Rounded to a millionth so that equal-looking scores tie exactly and
	 * break by employee_id, the same on every machine. */
	sp->score = sp->eligible ? round(scorer_combine(c, w, p->component_floor) * 1e6) / 1e6 : 0;
}

/* Sub-features, components, score and eligibility from the facts. */
static void person_score(const scorer_population *pop, struct scorer_person *sp,
                         const struct scorer_params *p)
{
	person_activity(pop, sp, p);
	person_survey(sp, p);
	person_result(sp, p);
}

void scorer_person_rescore(const scorer_population *pop, struct scorer_person *sp,
                           const struct scorer_params *p)
{
	person_facts(pop, sp, p);
	person_score(pop, sp, p);
}

int scorer_compute(scorer_population *pop, const struct scorer_params *p)
{
	int rc;

	if ((rc = scorer_params_check(p)))
		return rc;
	gsl_set_error_handler_off();
	/* The references need everyone's facts first (population_refs). */
	population_refs(pop, p);
	for (size_t i = 0; i < pop->n; i++)
		person_score(pop, &pop->people[i], p);
	pop->intervals = false;
	return scorer_rank_population(pop);
}

const char *scorer_flag_text(unsigned flags)
{
	if (flags & SCORER_NO_SURVEY)
		return "needs a trusted survey answer (none yet)";
	if (flags & SCORER_CARELESS)
		return "needs a trusted survey answer (the answer given looks careless)";
	if (flags & (SCORER_NO_ATTITUDE | SCORER_NO_MOTIVATION))
		return "needs a trusted survey answer (too many questions left open)";
	if (flags & SCORER_NO_ACTIVITY)
		return "no own posts or comments in the activity window";
	if (flags & SCORER_CONSENT_NEEDED)
		return "consent not asked yet";
	return "eligible";
}

/* --- snapshots (the detail: scorer/detail.h) -------------------------- */

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
