/* clock.h - the one clock of the program: Unix seconds now.
 *
 * $AMBASSADOR_NOW (ISO 8601 or Unix seconds, as timefmt_parse reads them)
 * fixes the clock for reproducible runs and tests. It is read and parsed
 * once per process, on the first call; an unreadable value is ignored
 * (the real clock is used). Thread-safe.
 */
#ifndef AMB_CORE_CLOCK_H
#define AMB_CORE_CLOCK_H

#include <stdint.h>

/* Unix seconds: $AMBASSADOR_NOW when it was set and readable at the first
 * call, else time(NULL). */
int64_t clock_now(void);

#endif
