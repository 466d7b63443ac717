/* interval.h - how sure is a rank: a bootstrap interval per person.
 *
 * Each eligible person's evidence is resampled B times: the weeks of the
 * activity window (every week of the window, empty ones too, drawn with
 * replacement) and the answered items of each survey construct. Each
 * replicate rescores everyone against the population's references with
 * the scoring's own functions (scorer_person_rescore) and ranks them;
 * a person's interval is the 5th to 95th percentile of their ranks
 * (docs/analyst.md, section 'How sure is a rank').
 */
#ifndef AMB_SCORER_INTERVAL_H
#define AMB_SCORER_INTERVAL_H

#include <stddef.h>
#include <stdint.h>

#include "scorer/model.h"

#define SCORER_INTERVAL_B    200      /* replicates unless asked otherwise */
#define SCORER_INTERVAL_MAXB 10000    /* more is no surer, only slower */
#define SCORER_INTERVAL_SEED 1400731u /* the generator's seed: same data, same intervals */
#define SCORER_INTERVAL_LO   0.05     /* the percentiles kept: a 90% interval */
#define SCORER_INTERVAL_HI   0.95

/* Set rank_lo and rank_hi of every eligible person of `pop`, computed
 * with `p` from a population loaded with SCORER_LOAD_EVIDENCE, from `b`
 * replicates (1..SCORER_INTERVAL_MAXB) drawn by a Mersenne Twister seeded
 * with `seed`: the same population, weights, b and seed give the same
 * intervals, run after run. In a replicate someone whose resampled
 * evidence is no longer eligible (no own activity drawn) ranks after
 * everyone who is. The percentiles are rounded outwards to whole ranks
 * and widened to take in the person's rank, so rank_lo <= rank <=
 * rank_hi. Not eligible: 0 and 0. Sets pop->intervals. Returns 0,
 * ERR_INVALID for a bad b or a population without evidence. Memory:
 * b doubles per eligible person. */
int scorer_intervals(scorer_population *pop, const struct scorer_params *p, size_t b,
                     uint64_t seed);

/* Whether two intervals [alo, ahi] and [blo, bhi] share a rank. */
static inline int scorer_intervals_overlap(int64_t alo, int64_t ahi, int64_t blo, int64_t bhi)
{
	return alo > 0 && blo > 0 && alo <= bhi && blo <= ahi;
}

#endif
