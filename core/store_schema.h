/* store_schema.h - the migration list (internal to the store). */
#ifndef AMB_CORE_STORE_SCHEMA_H
#define AMB_CORE_STORE_SCHEMA_H

#include "core/store.h"

/* store_migrations[i] takes the schema from version i to i + 1. */
extern const char *const store_migrations[STORE_SCHEMA_VERSION];

#endif
