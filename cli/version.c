/* version.c - `ambassador --version`: what a bug report needs to know. Each
 * library's version comes from the module that owns the library. */
#include "cli/version.h"

#include "core/csv.h"
#include "core/sha256.h"
#include "core/store.h"
#include "ipc/version.h"
#include "scorer/version.h"

void app_print_version(FILE *f)
{
	struct ipc_versions v;

	ipc_versions_get(&v);
	fprintf(f, "ambassador %s\n", AMB_VERSION);
	fprintf(f, "schema %d\n", STORE_SCHEMA_VERSION);
	fprintf(f, "sqlite %s\n", store_sqlite_version());
	fprintf(f, "libzmq %s (curve: %s)\n", v.zmq, v.curve ? "yes" : "no");
	if (!v.curve)
		fprintf(f, "libsodium none (libzmq built without CURVE)\n");
	else if (*v.sodium)
		fprintf(f, "libsodium %s (through libzmq)\n", v.sodium);
	else
		fprintf(f, "libsodium not found (libzmq's own CURVE code or static link)\n");
	fprintf(f, "gsl %s\n", scorer_gsl_version());
	fprintf(f, "libcsv %s\n", csv_library_version());
	fprintf(f, "libcrypto %s\n", sha256_library_version());
}
