/* cmd_retention.c - `ambassador retention --days N [--dry-run]`: apply the
 * retention policy (core/store_retention.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmds_service.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/num.h"
#include "core/log.h"
#include "core/store_retention.h"
#include "core/timefmt.h"
#include "scorer/profile.h"

/* Refuse to delete activity that the active profile's scoring window
 * still reads, unless forced: it would silently change every score. */
static int check_window(store *s, long days, bool force)
{
	struct scorer_params p;
	int rc = scorer_profile_load(s, NULL, false, &p, NULL, NULL);

	if (rc == ERR_NOT_FOUND) {
		scorer_params_defaults(&p);
		rc = 0;
	}
	if (rc || force || (double)days >= p.window_weeks * 7)
		return rc;
	return err_set(ERR_USAGE,
	               "retention: --days %ld would delete activity inside the scoring window "
	               "(%.0f weeks = %.0f days), changing every score; use --days %.0f or more, "
	               "or --force",
	               days, p.window_weeks, p.window_weeks * 7, p.window_weeks * 7);
}

int cmd_retention(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"days", required_argument, NULL, 'd'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct retention_counts c;
	int64_t days = 0;
	bool dry = false, force = false;
	char when[16];
	store *s;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			if (num_int(optarg, 1, 36500, &days) != 0)
				return err_set(ERR_USAGE,
				               "retention: --days takes 1..36500, not '%s'",
				               optarg);
			break;
		case 'n': dry = true; break;
		case 'f': force = true; break;
		case 'h':
			fprintf(
			    app->out,
			    "usage: ambassador retention --days N [--dry-run] [--force]\n\n"
			    "Keep N days: remove score snapshots computed more than N days ago\n"
			    "(never the newest), audit log entries older than that, and weekly\n"
			    "activity of weeks that ended before it, with their de-duplication\n"
			    "keys. The policy is recorded: later activity imports skip events\n"
			    "that old, so an old export does not bring them back. Run it from a\n"
			    "daily job. --dry-run counts what would go and changes nothing.\n"
			    "N shorter than the active profile's scoring window is refused (it\n"
			    "would change every score) unless --force.\n");
			return 0;
		default:
			return err_set(ERR_USAGE,
			               "usage: ambassador retention --days N [--dry-run]");
		}
	}
	if (optind != argc || days == 0)
		return err_set(ERR_USAGE, "usage: ambassador retention --days N [--dry-run]");
	if ((rc = app_store(app, false, &s)) || (rc = check_window(s, days, force)))
		return rc;
	if ((rc = store_retention_apply(s, clock_now(), (int)days, dry, &c)))
		return rc;
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
