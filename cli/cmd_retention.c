/* cmd_retention.c - `ambassador retention [--days N] [--audit-days N]
 * [--dry-run]`: apply the retention policy (core/store_retention.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmds_service.h"
#include "core/err.h"
#include "core/log.h"
#include "core/store_retention.h"
#include "core/timefmt.h"

int cmd_retention(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"days", required_argument, NULL, 'd'},
	    {"audit-days", required_argument, NULL, 'a'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct retention_counts c;
	long days = 0, audit_days = 0;
	bool dry = false;
	char *end, when[16];
	store *s;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
		case 'a': {
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > 36500)
				return err_set(ERR_USAGE,
				               "retention: --%s takes 1..36500, not '%s'",
				               ch == 'd' ? "days" : "audit-days", optarg);
			*(ch == 'd' ? &days : &audit_days) = v;
			break;
		}
		case 'n': dry = true; break;
		case 'h':
			fprintf(
			    app->out,
			    "usage: ambassador retention [--days N] [--audit-days N] "
			    "[--dry-run]\n\n"
			    "Keep N days: remove score snapshots computed more than N days ago\n"
			    "(never the newest), audit log entries older than that, and weekly\n"
			    "activity of weeks that ended before it, with their de-duplication\n"
			    "keys. The policy is recorded: later activity imports skip events\n"
			    "that old, so an old export does not bring them back. --audit-days N\n"
			    "keeps the audit log N days instead, independent of --days (either\n"
			    "may be given alone). Run it from a daily job. --dry-run counts what\n"
			    "would go and changes nothing.\n");
			return 0;
		default:
			return err_set(ERR_USAGE, "usage: ambassador retention [--days N] "
			                          "[--audit-days N] [--dry-run]");
		}
	}
	if (optind != argc || (days == 0 && audit_days == 0))
		return err_set(ERR_USAGE, "usage: ambassador retention [--days N] [--audit-days N] "
		                          "[--dry-run]");
	if ((rc = app_store(app, false, &s)))
		return rc;
	if ((rc = store_retention_apply(s, store_now(), (int)days, (int)audit_days, dry, &c)))
		return rc;
	if (!days) {
		timefmt_date(when, sizeof(when), c.audit_cutoff);
		log_info("retention%s: audit entries before %s: %lld removed",
		         dry ? " (dry run)" : "", when, (long long)c.audit);
		if (!app->quiet)
			fprintf(app->out, "%s audit entries before %s: %lld\n",
			        dry ? "would remove" : "removed", when, (long long)c.audit);
		return 0;
	}
	timefmt_date(when, sizeof(when), c.cutoff);
	/* The job's record, at the level of the other notices (stderr). */
	log_info("retention%s: kept %ld days (before %s): %lld snapshots (%lld score rows), "
	         "%lld audit entries, %lld weekly activity cells, %lld key chunks removed",
	         dry ? " (dry run)" : "", days, when, (long long)c.snapshots,
	         (long long)c.snapshot_rows, (long long)c.audit, (long long)c.activity_cells,
	         (long long)c.key_chunks);
	if (!app->quiet)
		fprintf(app->out,
		        "%s before %s: %lld snapshots (%lld score rows), %lld audit entries, "
		        "%lld weekly activity cells, %lld key chunks\n",
		        dry ? "would remove" : "removed", when, (long long)c.snapshots,
		        (long long)c.snapshot_rows, (long long)c.audit, (long long)c.activity_cells,
		        (long long)c.key_chunks);
	return 0;
}
