/* cmd_audit.c - `ambassador audit [--limit N]`: the service's audit log,
 * one row per minute, client, op and status, newest first. It never holds
 * request payloads or personal data. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cmds_service.h"
#include "cli/table.h"
#include "core/err.h"
#include "core/store_service.h"
#include "core/timefmt.h"

static const struct table_column audit_cols[] = {
    {"id", TABLE_NUMBER},     {"minute", TABLE_TEXT}, {"client", TABLE_TEXT},
    {"role", TABLE_TEXT},     {"op", TABLE_TEXT},     {"requests", TABLE_NUMBER},
    {"people", TABLE_NUMBER}, {"status", TABLE_TEXT},
};

static int add_entry(void *ctx, int64_t id, const struct audit_entry *e)
{
	char when[32], ids[24], requests[24], people[24];
	const char *v[] = {ids, when, e->client, e->role, e->op, requests, people, e->status};

	timefmt_iso(when, sizeof(when), e->at);
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	snprintf(requests, sizeof(requests), "%lld", (long long)e->requests);
	snprintf(people, sizeof(people), "%lld", (long long)e->people);
	table_add_row(ctx, v);
	return 0;
}

int cmd_audit(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"limit", required_argument, NULL, 'l'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	enum table_format fmt = TABLE_FORMAT_TABLE;
	table *t;
	long long limit = 50;
	store *s;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if ((rc = cli_parse_int(optarg, "--limit", 1, 100000000, &limit)))
				return rc;
			break;
		case 'f':
			if ((rc = table_format_parse(optarg, &fmt)))
				return rc;
			break;
		case 'h':
			fprintf(
			    app->out,
			    "usage: ambassador audit [--limit N] [--format table|csv|json]\n\n"
			    "The service's audit log, newest first (default 50 rows). One row per\n"
			    "minute, client name, role, op and reply status, with how many "
			    "requests\n"
			    "it counts and how many people their replies listed; refusals\n"
			    "(rate_limited, unavailable, forbidden) are counted the same way.\n"
			    "Request payloads and personal data are never logged.\n");
			return 0;
		default: return err_set(ERR_USAGE, "see `ambassador audit --help`");
		}
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "audit takes no arguments");
	if ((rc = app_store(app, false, &s)))
		return rc;
	t = table_new(audit_cols, sizeof(audit_cols) / sizeof(audit_cols[0]));
	if (!(rc = store_audit_each(s, (size_t)limit, add_entry, t)))
		rc = table_print(t, app->out, fmt);
	table_destroy(&t);
	return rc;
}
