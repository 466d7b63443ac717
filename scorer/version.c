/* version.c - the GSL version, for `ambassador --version`; scorer/ is the
 * only module that includes GSL headers. */
#include "scorer/version.h"

#include <gsl/gsl_version.h>

const char *scorer_gsl_version(void)
{
	return gsl_version;
}
