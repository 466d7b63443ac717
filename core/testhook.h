/* testhook.h - environment switches that only test builds obey.
 *
 * Built with AMB_TEST_HOOKS defined (CMake option AMB_TEST_HOOKS, set by
 * the dev, asan and release presets, which run the tests),
 * testhook_env(name) is getenv(name). In a product build (the dist
 * preset, or a plain configure) it is NULL, so the hooks compile away and
 * no environment variable can make the program kill itself or skip its
 * authentication. The hooks (docs/design.md, section 'Test hooks'):
 * AMB_FAULT and AMB_FAULT_ROW (survey/import.c), AMB_TEST_NO_ZAP
 * (cli/cmd_serve.c), AMB_TEST_AUDIT_FAIL (ipc/server_loader.c),
 * AMB_TEST_WORKER_DELAY_MS (ipc/server_workers.c) and
 * AMBASSADOR_MAX_PAGES (core/store.c).
 */
#ifndef AMB_CORE_TESTHOOK_H
#define AMB_CORE_TESTHOOK_H

#include <stdbool.h>
#include <stdlib.h>

/* Whether this build obeys the test hooks. */
static inline bool testhook_enabled(void)
{
#ifdef AMB_TEST_HOOKS
	return true;
#else
	return false;
#endif
}

/* The value of test hook `name`, or NULL (always NULL in a product build). */
static inline const char *testhook_env(const char *name)
{
#ifdef AMB_TEST_HOOKS
	return getenv(name);
#else
	(void)name;
	return NULL;
#endif
}

#endif
