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

/* roster_import with a column map: `map_spec` holds "field=header" lines
 * (field one of employee_id, name, email, department, level, consent;
 * header the export's column). The map is stored with the import, keyed by
 * the file's header, and used again for a later file with the same header
 * when map_spec is NULL. Without any map, a field's own name is looked up,
 * then the names HR systems use (Employee Number, Work Email, Org Unit,
 * ...; docs/imports.md). ERR_USAGE for a bad map_spec; ERR_INVALID when
 * the map names a column the header lacks. */
int roster_import_mapped(store *s, const char *path, const struct import_opts *opts,
                         const char *map_spec, struct import_summary *sum);

/* Validate an employee id: 1-64 printable ASCII characters. Returns NULL
 * when valid, else a static reason. Shared by all importers. */
const char *roster_check_id(const char *id, size_t len);

#endif
