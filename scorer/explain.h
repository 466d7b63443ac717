/* explain.h - plain-language reasons from a snapshot row's detail JSON
 * (written by scorer_person_detail; docs/design.md, section 'How scoring works' describes it).
 */
#ifndef AMB_SCORER_EXPLAIN_H
#define AMB_SCORER_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/mem.h"

#define EXPLAIN_MAX_PLATFORMS 16

struct explain_activity {
	int weeks_active;
	double own, conversation, amplification, own_posts, engagement_per_post;
};

struct explain_platform {
	char name[64];
	struct explain_activity a;
};

/* The detail JSON, parsed. Missing numbers are NAN. */
struct explain_detail {
	bool eligible;
	char why_not[160];
	char consent[16];
	/* sub-features 0..1 */
	double steadiness, volume, response, conversation, authenticity;
	/* facts */
	struct explain_activity total;
	int window_weeks;
	double weighted_volume, own_share, engagement_per_post_shrunk, company_engagement_per_post;
	struct explain_platform platforms[EXPLAIN_MAX_PLATFORMS];
	size_t nplatforms;
	/* survey inputs */
	double in_attitude, in_intrinsic, in_extrinsic;
	char careless[32];
};

/* Parse detail JSON. Returns 0 or ERR_CORRUPT naming the problem. */
int explain_detail_parse(struct explain_detail *out, const char *json);

/* The facts behind a person's place, as one "; "-separated phrase, e.g.
 * "steady own posts on linkedin in 20 of 26 weeks; positive attitude (top
 * 10%); enjoys sharing knowledge". Percentiles are company percentiles
 * (0..100) of the attitude and motivation components, NAN when unknown. */
void explain_facts(struct buf *b, const struct explain_detail *d, double attitude,
                   double motivation, double attitude_pct, double motivation_pct);

/* Reasons as separate sentences, one per line prefixed by "  - ", for
 * `explain`: what helps and what holds the person back. */
void explain_reasons(struct buf *b, const struct explain_detail *d, double activity,
                     double attitude, double motivation, double attitude_pct,
                     double motivation_pct);

/* "top 10%" / "upper half" / "lower half" / "bottom 25%" for a percentile. */
const char *explain_band(double pct);

#endif
