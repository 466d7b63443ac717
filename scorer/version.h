/* version.h - the GSL version the scorer runs with. */
#ifndef AMB_SCORER_VERSION_H
#define AMB_SCORER_VERSION_H

/* GSL's run-time version string, e.g. "2.7.1" (static). */
const char *scorer_gsl_version(void);

#endif
