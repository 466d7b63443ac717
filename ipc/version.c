/* version.c - libzmq's version and CURVE support, for `ambassador
 * --version`. libsodium is not a direct dependency: it is reached through
 * the dynamic linker, because libzmq loaded it. */
#include "ipc/version.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

void ipc_versions_get(struct ipc_versions *out)
{
	int major = 0, minor = 0, patch = 0;
	const char *(*sodium_version)(void);
	void *sym;

	memset(out, 0, sizeof(*out));
	zmq_version(&major, &minor, &patch);
	snprintf(out->zmq, sizeof(out->zmq), "%d.%d.%d", major, minor, patch);
	out->curve = zmq_has("curve") != 0;
	/* dlsym returns void *; going through memcpy keeps ISO C's
	 * object-to-function pointer rule. */
	sym = dlsym(RTLD_DEFAULT, "sodium_version_string");
	if (!sym)
		return;
	memcpy(&sodium_version, &sym, sizeof(sodium_version));
	snprintf(out->sodium, sizeof(out->sodium), "%s", sodium_version());
}
