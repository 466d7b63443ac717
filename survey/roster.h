/* roster.h - `import roster FILE` (docs/design.md, Contract 2.1). */
#ifndef AMB_SURVEY_ROSTER_H
#define AMB_SURVEY_ROSTER_H

#include "core/store.h"
#include "survey/import.h"

#define ROSTER_ID_MAX   64
#define ROSTER_TEXT_MAX 256

/* Import a roster: people are inserted or updated by employee_id, people
 * missing from this roster are marked departed, and people with consent=no
 * lose their stored answers, activity and scores in the same transaction.
 * Returns 0 (also for a duplicate: sum->duplicate), ERR_INVALID with the
 * bad rows listed in sum->errors, ERR_NODATA for a file without rows, or
 * another err_code. */
int roster_import(store *s, const char *path, const struct import_opts *opts,
                  struct import_summary *sum);

/* Validate an employee id: 1-64 printable ASCII characters. Returns NULL
 * when valid, else a static reason. Shared by all importers. */
const char *roster_check_id(const char *id, size_t len);

#endif
