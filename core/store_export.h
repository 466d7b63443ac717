/* store_export.h - everything stored about one person, for the right of
 * access and data portability: a JSON document (jansson) built from every
 * table that holds personal data, the same list store_purge_person_data
 * erases. */
#ifndef AMB_CORE_STORE_EXPORT_H
#define AMB_CORE_STORE_EXPORT_H

#include <jansson.h>

#include "core/store.h"

/* The export of `employee_id` into *out (caller json_decref's). ERR_NOT_FOUND
 * when the roster has no such person (or they were erased). Read in one
 * read transaction, so the parts agree with each other. */
int store_person_export(store *s, const char *employee_id, json_t **out);

#endif
