/* cmd_keygen.c - `ambassador keygen PREFIX`: a CurveZMQ key pair in Z85,
 * PREFIX.key (secret, mode 0600) and PREFIX.pub. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmds_service.h"
#include "core/err.h"
#include "core/mem.h"
#include "ipc/auth.h"

/* Write `key` to a new temporary file (mkstemp: created, never opened
 * through a symlink), set its mode, then put it in place: link() without
 * --force (fails if the name exists, symlink or not), rename() with it
 * (replaces the name itself; a symlink's target is never written). */
static int write_key(const char *path, const char *key, mode_t mode, bool force)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	size_t len = strlen(key);
	int rc = 0;

	if (fd < 0) {
		rc = err_set(ERR_IO, "cannot write %s: %s", path, strerror(errno));
		free(tmp);
		return rc;
	}
	if (fchmod(fd, mode) != 0 || write(fd, key, len) != (ssize_t)len ||
	    write(fd, "\n", 1) != 1 || fsync(fd) != 0)
		rc = err_set(ERR_IO, "cannot write %s: %s", path, strerror(errno));
	if (close(fd) != 0 && !rc)
		rc = err_set(ERR_IO, "cannot write %s: %s", path, strerror(errno));
	if (!rc && !force && link(tmp, path) != 0)
		rc = err_set(ERR_IO, "cannot write %s: %s%s", path, strerror(errno),
		             errno == EEXIST ? " (use --force to replace it)" : "");
	if (!rc && force && rename(tmp, path) != 0)
		rc = err_set(ERR_IO, "cannot write %s: %s", path, strerror(errno));
	if (rc || !force)
		unlink(tmp); /* after link(), or after a failure */
	free(tmp);
	return rc;
}

int cmd_keygen(struct app *app, int argc, char **argv)
{
	char pub[41], secret[41];
	char *pub_path = NULL, *key_path = NULL;
	const char *prefix = NULL;
	bool force = false;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		fprintf(app->out,
		        "usage: ambassador keygen [--force] PREFIX\n\n"
		        "Write a CurveZMQ key pair in Z85: PREFIX.key (the secret key, mode 0600)\n"
		        "and PREFIX.pub (the public key, to give to the other side). Keep the\n"
		        "secret key to yourself; the server's clients file lists public keys.\n");
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = true;
		else if (!prefix && argv[i][0] != '-')
			prefix = argv[i];
		else
			return err_set(ERR_USAGE, "usage: ambassador keygen [--force] PREFIX");
	}
	if (!prefix || !*prefix)
		return err_set(ERR_USAGE, "usage: ambassador keygen [--force] PREFIX");
	if ((rc = ipc_keypair(pub, secret)))
		return rc;
	key_path = xasprintf("%s.key", prefix);
	pub_path = xasprintf("%s.pub", prefix);
	if (!(rc = write_key(key_path, secret, 0600, force)) &&
	    !(rc = write_key(pub_path, pub, 0644, force)))
		fprintf(app->out, "wrote %s (secret, keep private) and %s (public): %s\n", key_path,
		        pub_path, pub);
	memset(secret, 0, sizeof(secret));
	free(key_path);
	free(pub_path);
	return rc;
}
