/* cmd_status.c - `ambassador status`: what the database holds. */
#include <stdio.h>

#include "cli/app.h"
#include "core/err.h"
#include "core/store_roster.h"
#include "core/timefmt.h"

static int print_department(void *ctx, const char *department, int64_t active, int64_t opted_out,
                            int64_t departed)
{
	FILE *out = ctx;

	fprintf(out, "  %-24s %8lld %10lld %9lld\n", department, (long long)active,
	        (long long)opted_out, (long long)departed);
	return 0;
}

int cmd_status(struct app *app, int argc, char **argv)
{
	struct roster_counts rc_counts;
	struct import_record recs[10];
	size_t n;
	store *s;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		fprintf(app->out, "usage: ambassador [--db PATH] status\n\n"
		                  "Print how many people the roster holds (active, opted out,\n"
		                  "departed), per department, and the latest imports.\n");
		return 0;
	}
	if (argc > 1)
		return err_set(ERR_USAGE, "status takes no arguments");
	if ((rc = app_store(app, false, &s)))
		return rc;
	if ((rc = store_roster_counts(s, &rc_counts)))
		return rc;
	fprintf(app->out,
	        "%s: %lld people on the roster: %lld active (%lld consented, %lld not asked "
	        "yet), %lld opted out, %lld departed; %lld departments\n",
	        app->db_path, (long long)rc_counts.total, (long long)rc_counts.active,
	        (long long)rc_counts.consent_yes, (long long)rc_counts.consent_unasked,
	        (long long)rc_counts.opted_out, (long long)rc_counts.departed,
	        (long long)rc_counts.departments);
	if (rc_counts.total) {
		fprintf(app->out, "\n  %-24s %8s %10s %9s\n", "department", "active", "opted out",
		        "departed");
		if ((rc = store_roster_departments(s, print_department, app->out)))
			return rc;
	}
	if ((rc = store_import_list(s, recs, 10, &n)))
		return rc;
	if (n)
		fprintf(app->out, "\n  %-4s %-9s %-20s %-28s %8s %8s\n", "#", "kind", "imported",
		        "source", "rows", "kept");
	for (size_t i = 0; i < n; i++) {
		char when[32];
		timefmt_iso(when, sizeof(when), recs[i].imported_at);
		fprintf(app->out, "  %-4lld %-9s %-20s %-28.28s %8lld %8lld\n",
		        (long long)recs[i].id, recs[i].kind, when, recs[i].source,
		        (long long)recs[i].rows_read, (long long)recs[i].rows_kept);
	}
	return 0;
}
