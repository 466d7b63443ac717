/* model.c - features, components and the score (docs/design.md, section 'How scoring works'),
 * and the population's lifecycle. Loading a population from the store is
 * scorer/load.c; writing a computed one as a snapshot is scorer/snapshot.c.
 * The population owns all records and strings.
 */
#include "scorer/model.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "core/timefmt.h"
#include "scorer/model_int.h"
#include "scorer/rank.h"
#include "scorer/response.h"

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
	arena_free(&pop->strings);
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
