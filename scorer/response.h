/* response.h - the response sub-feature: how much engagement a person's
 * own posts draw, relative to the company's typical poster.
 *
 * Engagement per post is heavy-tailed (a few viral posts, many quiet
 * ones), so everything happens on the log scale x = log1p(engagement per
 * post). A person's x is shrunk toward the company's median x by
 * prior_posts posts' worth, so a few posts say little; the shrunk x is then
 * placed by the quartiles of the shrunk x of people with at least
 * prior_posts posts (the measured; everyone with a post while fewer than 8
 * are measured). The median of the same group is the centre. The
 * typical poster gets
 * 0.5, the quartiles 0.25 and 0.75, zero engagement 0, and the
 * ref_quantile quantile (or the third quartile, if higher) and above 1.
 * docs/design.md, section 'How scoring works', gives the formula.
 */
#ifndef AMB_SCORER_RESPONSE_H
#define AMB_SCORER_RESPONSE_H

#include <stddef.h>

/* The company's figures for response. */
struct response_scale {
	double centre;   /* median of log1p(engagement per post) over the group */
	double knots[4]; /* shrunk log rates that get 0.25, 0.5, 0.75 and 1 */
	size_t posters;  /* people in the group: posts >= prior (or all posters) */
};

/* A person's shrunk log rate: (posts * log1p(engagement / posts) + prior *
 * centre) / (posts + prior). 0 when posts is not positive (no response). */
double response_shrunk_log(double engagement, double posts, double centre, double prior);

/* Fit the scale to n people (engagement[i] on posts[i] own posts with known
 * engagement; people with no such posts are skipped). quantile is
 * ref_quantile (0.5..1). Never fails: with no posters every figure is 0. */
void response_scale_fit(struct response_scale *out, const double *engagement, const double *posts,
                        size_t n, double prior, double quantile);

/* The response 0..1 of a shrunk log rate x under scale s: piecewise linear
 * through (0, 0) and the knots, 1 from the last knot up. */
double response_value(const struct response_scale *s, double x);

#endif
