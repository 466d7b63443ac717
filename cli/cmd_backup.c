/* cmd_backup.c - `ambassador backup FILE [--force]`: a consistent copy of
 * the database while it is in use (core/store_backup.h). */
#include <getopt.h>
#include <stdio.h>

#include "cli/cmds_ops.h"
#include "core/err.h"
#include "core/log.h"
#include "core/store_backup.h"

#define BACKUP_USAGE "usage: ambassador [--db PATH] backup FILE [--force]"

int cmd_backup(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct store_backup_info info;
	bool force = false;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': force = true; break;
		case 'h':
			fprintf(app->out, BACKUP_USAGE
			        "\n\n"
			        "Write a consistent copy of the database to FILE, safe while\n"
			        "`serve` or an import runs: the copy is the database as of one\n"
			        "instant. It is written beside FILE, checked, synced and then\n"
			        "renamed, so FILE is never a partial copy; the file is private\n"
			        "(mode 0600). The schema is copied as found, not migrated.\n"
			        "An existing FILE is refused unless --force. Restore by\n"
			        "stopping the service and copying FILE over the database.\n");
			return 0;
		default: return err_set(ERR_USAGE, BACKUP_USAGE);
		}
	}
	if (optind != argc - 1)
		return err_set(ERR_USAGE, BACKUP_USAGE);
	/* Not app_store(): that migrates, and a backup taken before an upgrade
	 * must hold the old schema. */
	if ((rc = store_open(&app->store, app->db_path,
	                     STORE_NO_MIGRATE |
	                         (app->read_only ? STORE_READONLY : STORE_MUST_EXIST))))
		return rc;
	if ((rc = store_backup(app->store, argv[optind], force, &info)))
		return rc;
	log_info("backup: %s -> %s (schema %d, %lld bytes)", app->db_path, argv[optind],
	         info.schema_version, (long long)info.bytes);
	if (!app->quiet)
		fprintf(app->out, "backed up %s to %s: schema %d, %lld bytes\n", app->db_path,
		        argv[optind], info.schema_version, (long long)info.bytes);
	return 0;
}
