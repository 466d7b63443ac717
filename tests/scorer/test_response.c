/* test_response.c - the response scale: a median centre that outliers do
 * not move, quartile knots, zero engagement at 0, the top at 1. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>

#include "scorer/response.h"

/* 40 people with 10 posts each at rates 1..40, plus n_viral people with one
 * post at 10 000. */
static void company(double *eng, double *posts, size_t n_viral)
{
	for (size_t i = 0; i < 40; i++) {
		posts[i] = 10;
		eng[i] = 10.0 * (double)(i + 1);
	}
	for (size_t i = 40; i < 40 + n_viral; i++) {
		posts[i] = 1;
		eng[i] = 10000;
	}
}

Test(scorer_response, puts_the_typical_poster_mid_range_and_zero_at_zero)
{
	double eng[40], posts[40];
	struct response_scale s;

	company(eng, posts, 0);
	response_scale_fit(&s, eng, posts, 40, 5, 0.9);
	cr_assert(eq(sz, s.posters, 40));
	cr_assert(epsilon_eq(dbl, s.centre, log1p(20.5), 1e-2));
	double mid = response_value(&s, response_shrunk_log(eng[19], posts[19], s.centre, 5));
	cr_assert(gt(dbl, mid, 0.4));
	cr_assert(lt(dbl, mid, 0.6));
	cr_assert(lt(dbl, response_value(&s, response_shrunk_log(eng[3], 10, s.centre, 5)), 0.25));
	cr_assert(gt(dbl, response_value(&s, response_shrunk_log(eng[35], 10, s.centre, 5)), 0.75));
	cr_assert(eq(dbl, response_value(&s, 0), 0));
	cr_assert(eq(dbl, response_value(&s, 100), 1));
	/* zero engagement on 100 posts: about zero */
	cr_assert(lt(dbl, response_value(&s, response_shrunk_log(0, 100, s.centre, 5)), 0.05));
	/* monotone in the rate */
	double prev = -1;
	for (int r = 0; r <= 200; r++) {
		double v = response_value(&s, response_shrunk_log(10.0 * r, 10, s.centre, 5));
		cr_assert(ge(dbl, v, prev));
		prev = v;
	}
}

Test(scorer_response, keeps_its_centre_and_scale_when_viral_posts_arrive)
{
	double eng[50], posts[50];
	struct response_scale a, b;

	company(eng, posts, 0);
	response_scale_fit(&a, eng, posts, 40, 5, 0.9);
	company(eng, posts, 10);
	response_scale_fit(&b, eng, posts, 50, 5, 0.9);
	/* one-post people are not measured: the centre and knots stay */
	cr_assert(eq(dbl, a.centre, b.centre));
	for (int j = 0; j < 4; j++)
		cr_assert(eq(dbl, a.knots[j], b.knots[j]));
	/* a single viral post is shrunk by 5 posts' worth of the centre */
	double x = response_shrunk_log(10000, 1, b.centre, 5);
	cr_assert(lt(dbl, expm1(x), 10000 / 10.0));
}

Test(scorer_response, uses_everyone_when_few_are_measured_and_survives_no_posters)
{
	double eng[3] = {0, 10, 100}, posts[3] = {1, 2, 0};
	struct response_scale s;

	response_scale_fit(&s, eng, posts, 3, 5, 0.9);
	cr_assert(eq(sz, s.posters, 2));
	cr_assert(gt(dbl, s.centre, 0));
	posts[0] = posts[1] = 0;
	response_scale_fit(&s, eng, posts, 3, 5, 0.9);
	cr_assert(eq(sz, s.posters, 0));
	cr_assert(eq(dbl, response_value(&s, 0), 0));
	cr_assert(eq(dbl, response_value(&s, 1), 1));
	cr_assert(eq(dbl, response_shrunk_log(5, 0, 1, 5), 0));
	cr_assert(eq(dbl, response_shrunk_log(NAN, 3, 1, 0), 0));
}

/* Rates past DBL_MAX (a few denormal posts with huge engagement) and post
 * counts near DBL_MAX: the shrunk log and every knot stay finite, so no
 * response comes out NaN (found by fuzz_scoring). */
Test(scorer_response, stays_finite_at_the_ends_of_the_double_range)
{
	double eng[10], posts[10];
	struct response_scale s;

	for (size_t i = 0; i < 10; i++) {
		posts[i] = 1e-310;
		eng[i] = 1e200;
	}
	posts[9] = 1e308;
	eng[9] = 1e308;
	cr_assert(isfinite(response_shrunk_log(1e200, 1e-310, 0, 0)));
	cr_assert(isfinite(response_shrunk_log(1e308, 1e308, 700, 5)));
	response_scale_fit(&s, eng, posts, 10, 5, 0.9);
	cr_assert(isfinite(s.centre));
	for (int j = 0; j < 4; j++)
		cr_assert(isfinite(s.knots[j]), "knot %d is %g", j, s.knots[j]);
	for (size_t i = 0; i < 10; i++) {
		double v = response_value(&s, response_shrunk_log(eng[i], posts[i], s.centre, 5));
		cr_assert(ge(dbl, v, 0));
		cr_assert(le(dbl, v, 1));
	}
}

Test(scorer_response, interpolates_within_the_quarter_between_denormal_knots)
{
	/* knots and a value from a fuzzing input: (0.25 * (x - lo)) / (hi - lo)
	 * rounds on the denormal grid to 1.0000000000001 */
	struct response_scale s = {.knots = {2.0335741982825708e-320, 2.3240847980372237e-320,
	                                     3.6183684967525383e-311, 4.8244913281325114e-311}};
	double v = response_value(&s, 4.8244913281320173e-311);

	cr_assert(ge(dbl, v, 0.75));
	cr_assert(le(dbl, v, 1), "%.17g", v);
}
