/* explain.h - plain-language reasons from a person's scoring detail
 * (scorer/detail.h; docs/design.md, section 'How scoring works' describes it).
 */
#ifndef AMB_SCORER_EXPLAIN_H
#define AMB_SCORER_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/mem.h"
#include "scorer/detail.h"

/* The facts behind a person's place, as one "; "-separated phrase, e.g.
 * "steady own posts on linkedin in 20 of 26 weeks; positive attitude (top
 * 10%); enjoys sharing knowledge". Percentiles are company percentiles
 * (0..100) of the attitude and motivation components, NAN when unknown. */
void explain_facts(struct buf *b, const struct scorer_detail *d, double attitude, double motivation,
                   double attitude_pct, double motivation_pct);

/* Reasons as separate sentences, one per line prefixed by "  - ", for
 * `explain`: what helps and what holds the person back. */
void explain_reasons(struct buf *b, const struct scorer_detail *d, double activity, double attitude,
                     double motivation, double attitude_pct, double motivation_pct);

/* "top 10%" / "upper half" / "lower half" / "bottom 25%" for a percentile. */
const char *explain_band(double pct);

#endif
