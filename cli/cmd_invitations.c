/* cmd_invitations.c - `ambassador invitations list|set` (SPEC 2.4). The
 * list is computed exactly as the server computes it (ipc/served.c), from
 * the latest snapshot and the recorded statuses. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_service.h"
#include "cli/table.h"
#include "core/err.h"
#include "core/store_service.h"
#include "ipc/served.h"

/* The protocol's invitation item, exactly. */
static const struct table_column inv_cols[] = {
    {"employee_id", TABLE_TEXT},
    {"name", TABLE_TEXT},
    {"email", TABLE_TEXT},
    {"department", TABLE_TEXT},
};

static int add_invitee(void *ctx, const struct served_person *p)
{
	const char *const v[] = {p->employee_id, p->name, p->email, p->department};

	table_add_row(ctx, v);
	return 0;
}

static int list_cmd(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"limit", required_argument, NULL, 'l'},
	    {"department", required_argument, NULL, 'd'},
	    {"cooldown-days", required_argument, NULL, 'c'},
	    TABLE_OUTPUT_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	struct table_output out = {.fmt = TABLE_FORMAT_TABLE};
	long long limit = 20, cooldown = 365;
	const char *dept = NULL;
	invite_book *book = NULL;
	table *t = NULL;
	served *sv = NULL;
	store *s;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if ((rc = cli_parse_int(optarg, "--limit", 1, 1000000, &limit)))
				return rc;
			break;
		case 'd': dept = optarg; break;
		case 'c':
			if ((rc = cli_parse_int(optarg, "--cooldown-days", 0, 36500, &cooldown)))
				return rc;
			break;
		default:
			if ((rc = table_output_option(&out, ch, optarg)) < 0)
				return rc;
			if (rc == 0)
				return err_set(ERR_USAGE, "see `ambassador invitations --help`");
		}
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "invitations list takes no arguments");
	if ((rc = table_output_check(&out)))
		return rc;
	if ((rc = app_store(app, false, &s)) || (rc = served_load(&sv, s)))
		return rc;
	book = invite_book_new();
	if ((rc = invite_book_load(book, s)))
		goto done;
	t = table_new(inv_cols, 4);
	served_invitations(sv, book, store_now(), cooldown * 86400, dept, (size_t)limit,
	                   add_invitee, t);
	if (table_rows(t) == 0)
		table_set_notice(t, "nobody left to invite from the latest scores");
	table_add_fact_time(t, "listed at (UTC)", store_now());
	table_add_fact_number(t, "cooldown_days", (double)cooldown);
	table_add_fact_number(t, "limit", (double)limit);
	if (dept)
		table_add_fact_text(t, "department filter", dept);
	rc = table_write(t, app->out, &out);
done:
	table_destroy(&t);
	invite_book_destroy(&book);
	served_unref(&sv);
	return rc;
}

static int set_cmd(struct app *app, int argc, char **argv)
{
	const char *by = getenv("USER");
	char who[96];
	store *s;
	int rc;

	if (argc != 3)
		return err_set(ERR_USAGE, "usage: ambassador invitations set EMPLOYEE_ID STATUS");
	if (!store_invitation_status_valid(argv[2]))
		return err_set(ERR_USAGE,
		               "status must be invited, accepted, declined or withdrawn");
	snprintf(who, sizeof(who), "cli:%s", by && *by ? by : "unknown");
	if ((rc = app_store(app, false, &s)))
		return rc;
	if ((rc = store_invitation_set(s, argv[1], argv[2], who, store_now(), NULL)))
		return rc == ERR_NOT_FOUND ? err_set(rc, "%s: no such person", argv[1]) : rc;
	if (!app->quiet)
		fprintf(app->out, "%s: %s\n", argv[1], argv[2]);
	return 0;
}

int cmd_invitations(struct app *app, int argc, char **argv)
{
	if (argc < 2 || cmd_wants_help(argc, argv)) {
		fprintf(
		    argc < 2 ? stderr : app->out,
		    "usage: ambassador invitations list [--limit N] [--department D]\n"
		    "                                   [--cooldown-days N] [--format F]\n"
		    "                                   [--out FILE] [--excel] [--delimiter ';']\n"
		    "       ambassador invitations set EMPLOYEE_ID STATUS\n\n"
		    "list: the next people to invite: eligible people of the latest scores\n"
		    "by rank, leaving out ambassadors (accepted), the already invited, those\n"
		    "who declined or withdrew within the cool-down (default 365 days),\n"
		    "opted-out and departed people. Columns: employee_id, name, email,\n"
		    "department.\n"
		    "set: record invited, accepted, declined or withdrawn (kept with its\n"
		    "history).\n\n" TABLE_OUTPUT_HELP);
		return argc < 2 ? ERR_USAGE : 0;
	}
	if (strcmp(argv[1], "list") == 0)
		return list_cmd(app, argc - 1, argv + 1);
	if (strcmp(argv[1], "set") == 0)
		return set_cmd(app, argc - 1, argv + 1);
	return err_set(ERR_USAGE, "invitations: unknown action '%s' (list or set)", argv[1]);
}
