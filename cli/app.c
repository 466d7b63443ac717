/* app.c - helpers shared by the subcommands. */
#include "cli/app.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"

int app_store(struct app *app, bool create, store **out)
{
	int rc;

	if (create && app->read_only)
		return err_set(ERR_USAGE, "--read-only: this command writes to the database");
	if (!app->store && (rc = store_open(&app->store, app->db_path,
	                                    app->read_only ? STORE_READONLY
	                                    : create       ? 0
	                                                   : STORE_MUST_EXIST)))
		return rc;
	*out = app->store;
	return 0;
}

bool cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

int app_create_private(const char *path, FILE **out)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	*out = NULL;
	if (fd < 0)
		return err_set(ERR_IO, "cannot write %s: %s", path, strerror(errno));
	if (fchmod(fd, 0600) != 0 || !(*out = fdopen(fd, "w"))) {
		int e = errno;
		close(fd);
		return err_set(ERR_IO, "cannot write %s: %s", path, strerror(e));
	}
	return 0;
}
