/* reliability.c - Cronbach's alpha with GSL's variance. The caller owns the
 * matrix; one temporary array of row totals is allocated here. */
#include "survey/reliability.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/mem.h"

int survey_cronbach_alpha(double *out, const double *matrix, size_t respondents, size_t items)
{
	double *totals = NULL, sum_var = 0, total_var;
	int rc = 0;

	/* GSL's default handler aborts; every status is checked here. */
	gsl_set_error_handler_off();
	if (items < 2)
		return err_set(ERR_INVALID, "alpha needs at least 2 items (has %zu)", items);
	if (respondents < 2)
		return err_set(
		    ERR_INVALID,
		    "alpha needs at least 2 respondents who answered every item (has %zu)",
		    respondents);
	for (size_t i = 0; i < respondents * items; i++)
		if (!isfinite(matrix[i]))
			return err_set(ERR_INVALID, "alpha: value %zu is not a finite number", i);
	totals = xcalloc(respondents, sizeof(double));
	for (size_t r = 0; r < respondents; r++)
		for (size_t i = 0; i < items; i++)
			totals[r] += matrix[r * items + i];
	for (size_t i = 0; i < items; i++)
		sum_var += gsl_stats_variance(matrix + i, items, respondents);
	total_var = gsl_stats_variance(totals, 1, respondents);
	if (!(total_var > 0) || !isfinite(total_var) || !isfinite(sum_var)) {
		rc = err_set(ERR_INVALID, "alpha is undefined: the total scores do not vary");
		goto out;
	}
	*out = (double)items / (double)(items - 1) * (1.0 - sum_var / total_var);
out:
	free(totals);
	return rc;
}
