/* model_int.h - shared by the scoring model's own files only
 * (scorer/model.c, scorer/load.c, scorer/snapshot.c); nothing else may
 * include this.
 */
#ifndef AMB_SCORER_MODEL_INT_H
#define AMB_SCORER_MODEL_INT_H

#include <math.h>
#include <stdbool.h>

#include "scorer/model.h"

/* Platforms kept per person when loading and in a feature cache row. */
#define MAX_PLATFORMS_PER_PERSON 64

/* v limited to lo..hi; a non-finite v counts as lo. */
static inline double clamp(double v, double lo, double hi)
{
	if (!isfinite(v))
		return lo;
	return v < lo ? lo : v > hi ? hi : v;
}

/* Whether a person's survey answer is trusted: nobody else can be
 * eligible, so nobody else needs evidence for an interval. */
static inline bool survey_trusted(const struct scorer_person *sp)
{
	return sp->has_response && !sp->careless;
}

#endif
