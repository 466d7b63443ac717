/* reliability.h - scale reliability of survey constructs. */
#ifndef AMB_SURVEY_RELIABILITY_H
#define AMB_SURVEY_RELIABILITY_H

#include <stddef.h>

/* Below this alpha a construct's items are reported as not measuring one
 * thing well enough (the usual rule of thumb). */
#define SURVEY_ALPHA_WARN 0.7

/* Cronbach's alpha of a complete-case matrix: `respondents` rows of
 * `items` values each, row-major, reverse items already flipped:
 *
 *   alpha = k / (k - 1) * (1 - sum_i var(item_i) / var(row totals))
 *
 * with sample variances (n - 1). Returns 0 and *out, or ERR_INVALID with a
 * message when there are fewer than 2 items or 2 respondents, a value is
 * not finite, or the row totals do not vary (alpha undefined). */
int survey_cronbach_alpha(double *out, const double *matrix, size_t respondents, size_t items);

#endif
