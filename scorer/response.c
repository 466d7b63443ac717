/* response.c - the response sub-feature (response.h): a median centre,
 * shrinkage on the log scale and a quartile scale, with GSL's quantiles.
 * One temporary array per fit; nothing is kept. */
#include "scorer/response.h"

#include <float.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/mem.h"

/* Fewest measured people the scale is taken from (response_scale_fit). */
#define RESPONSE_MIN_MEASURED 8

double response_shrunk_log(double engagement, double posts, double centre, double prior)
{
	double x, w;

	if (!(posts > 0) || !isfinite(posts))
		return 0;
	x = isfinite(engagement) && engagement > 0 ? log1p(engagement / posts) : 0;
	/* A rate past DBL_MAX (a few posts of absurd engagement) would make
	 * the scale's quantiles NaN: it takes the largest finite log rate. */
	if (!isfinite(x))
		x = log(DBL_MAX);
	if (!(prior > 0))
		return x;
	/* A weighted mean, not (posts * x + prior * centre) / (posts + prior):
	 * that overflows for posts near DBL_MAX and gives inf / inf. */
	w = posts / (posts + prior);
	return w * x + (1 - w) * centre;
}

/* Whether person i is in the group the scale is taken from: posters with
 * at least min_posts posts of known engagement. */
static bool in_group(const double *posts, size_t i, double min_posts)
{
	return posts[i] > 0 && isfinite(posts[i]) && posts[i] >= min_posts;
}

void response_scale_fit(struct response_scale *out, const double *engagement, const double *posts,
                        size_t n, double prior, double quantile)
{
	double *v = xmalloc((n ? n : 1) * sizeof(double));
	double top = quantile > 0.75 ? quantile : 0.75, min_posts = prior;
	const double q[4] = {0.25, 0.5, 0.75, top > 1 ? 1 : top};
	size_t k = 0;

	*out = (struct response_scale){0};
	/* The scale comes from people with at least prior posts, whose rate is
	 * measured: among all posters, the many with a post or two sit near
	 * the centre after shrinkage, the quartiles crowd together and one
	 * lucky post reaches the top. Everyone with a post counts while fewer
	 * than RESPONSE_MIN_MEASURED people are measured. */
	for (size_t i = 0; i < n; i++)
		k += in_group(posts, i, min_posts);
	if (k < RESPONSE_MIN_MEASURED)
		min_posts = 0;
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (in_group(posts, i, min_posts))
			v[k++] = response_shrunk_log(engagement[i], posts[i], 0, 0);
	if (k == 0)
		goto done;
	/* The median of the raw log rates: a few viral posts move a mean, not
	 * this. */
	gsl_sort(v, 1, k);
	out->centre = gsl_stats_median_from_sorted_data(v, 1, k);
	out->posters = k;
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (in_group(posts, i, min_posts))
			v[k++] = response_shrunk_log(engagement[i], posts[i], out->centre, prior);
	gsl_sort(v, 1, k);
	for (int j = 0; j < 4; j++)
		out->knots[j] = gsl_stats_quantile_from_sorted_data(v, 1, k, q[j]);
done:
	free(v);
}

double response_value(const struct response_scale *s, double x)
{
	double lo = 0, vlo = 0;

	if (!(x > 0))
		return 0;
	for (int j = 0; j < 4; j++) {
		double hi = s->knots[j], vhi = 0.25 * (j + 1);
		if (x < hi) { /* hi > lo here: equal knots are passed over */
			/* The fraction first: (vhi - vlo) * (x - lo) rounds to the
			 * denormal grid when the knots are denormal, and the
			 * quotient could then pass 1. */
			double f = (x - lo) / (hi - lo);
			return vlo + (vhi - vlo) * (f < 1 ? f : 1);
		}
		lo = hi;
		vlo = vhi;
	}
	return 1;
}
