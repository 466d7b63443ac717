/* cmd_invitations.c - `ambassador invitations [pipeline|list|set]`
 * (docs/design.md, Contract 2.4). `list` is computed exactly as the server computes the
 * `invitations` op (ipc/invite_book.c): the approved pilot's people whose status
 * is still none. `pipeline` (the default) shows where everyone stands.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_service.h"
#include "cli/table.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/store_pilot.h"
#include "core/store_service.h"
#include "core/timefmt.h"
#include "ipc/invite_book.h"
#include "ipc/served.h"

static const char usage_text[] =
    "usage: ambassador invitations [pipeline] [--format table|csv|json]\n"
    "       ambassador invitations list [--limit N] [--department D] [--format F]\n"
    "                                   [--out FILE] [--excel] [--delimiter ';']\n"
    "       ambassador invitations set EMPLOYEE_ID STATUS [--reason TEXT]\n\n"
    "pipeline (the default): where everyone stands: counts per status (none,\n"
    "invited, accepted, declined, withdrawn) overall and per department, then each\n"
    "person with a status or in an approved pilot: status, when invited, when the\n"
    "status was set and by whom, the pilot. csv prints the people; json both.\n"
    "list: whom to invite next: the people of the newest approved pilot (see\n"
    "`ambassador pilot`) whose status is still none, in pilot order; never a\n"
    "ranking. Columns: employee_id, name, email, department (what the intranet\n"
    "gets from the `invitations` op).\n"
    "set: record invited, accepted, declined or withdrawn (kept with its history).\n"
    "Invited and accepted are refused for anyone opted out, departed, erased or\n"
    "not in an approved pilot. `set ID none --reason TEXT` corrects a mistake:\n"
    "the status goes back to none and the reason is kept.\n\n"
    "list output (--format xlsx needs --out):\n" TABLE_OUTPUT_HELP;

/* The protocol's invitation item, exactly. */
static const struct table_column inv_cols[] = {
    {"employee_id", TABLE_TEXT},
    {"name", TABLE_TEXT},
    {"email", TABLE_TEXT},
    {"department", TABLE_TEXT},
};

static int add_invitee(void *ctx, const struct served_invitee *p)
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
	    TABLE_OUTPUT_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	struct table_output out = {.fmt = TABLE_FORMAT_TABLE};
	long long limit = 20;
	const char *dept = NULL;
	const struct served_pilot *pilot;
	invite_book *book = NULL;
	table *t = NULL;
	served *sv = NULL;
	char note[256];
	store *s;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if ((rc = cli_parse_int(optarg, "--limit", 1, 1000000, &limit)))
				return rc;
			break;
		case 'd': dept = optarg; break;
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
	served_invitations(sv, book, dept, (size_t)limit, add_invitee, t);
	pilot = served_pilot_of(sv);
	if (!pilot)
		snprintf(note, sizeof(note),
		         "no approved pilot: nobody is invited from a ranking. Propose, review and "
		         "approve one with `ambassador pilot`.");
	else if (table_rows(t) == 0)
		snprintf(note, sizeof(note), "pilot '%s': everyone has been invited or answered",
		         pilot->name);
	else
		snprintf(note, sizeof(note), "pilot '%s' (approved): still to invite", pilot->name);
	table_set_notice(t, note);
	table_add_fact_time(t, "listed at (UTC)", store_now());
	table_add_fact_text(t, "pilot", pilot ? pilot->name : "none approved");
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
	static const struct option opts[] = {
	    {"reason", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	const char *reason = NULL;
	char *id;
	store *s;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'r')
			return err_set(ERR_USAGE, "see `ambassador invitations --help`");
		reason = optarg;
	}
	if (argc - optind != 2)
		return err_set(ERR_USAGE, "usage: ambassador invitations set EMPLOYEE_ID STATUS "
		                          "[--reason TEXT]");
	id = app_trim_id(argv[optind]);
	const char *status = argv[optind + 1];
	bool reset = strcmp(status, "none") == 0;
	if (!reset && !store_invitation_status_valid(status))
		return err_set(ERR_USAGE,
		               "status must be invited, accepted, declined, withdrawn or none");
	if (reset && !reason)
		return err_set(ERR_USAGE, "setting a status back to none needs --reason TEXT");
	if ((rc = app_store(app, false, &s)))
		return rc;
	rc = reset ? store_invitation_reset(s, id, reason, app_user(app), clock_now(), NULL)
	           : store_invitation_set(s, id, status, app_user(app), clock_now(), NULL);
	if (rc)
		return rc == ERR_NOT_FOUND ? err_set(rc, "%s: no such person", id) : rc;
	if (!app->quiet)
		fprintf(app->out, "%s: %s\n", id, status);
	return 0;
}

/* --- the pipeline -------------------------------------------------------- */

static const char *const statuses[] = {"none", "invited", "accepted", "declined", "withdrawn"};
#define NSTATUS 5

static const struct table_column count_cols[] = {
    {"department", TABLE_TEXT}, {"none", TABLE_NUMBER},     {"invited", TABLE_NUMBER},
    {"accepted", TABLE_NUMBER}, {"declined", TABLE_NUMBER}, {"withdrawn", TABLE_NUMBER},
};

static const struct table_column people_cols[] = {
    {"employee_id", TABLE_TEXT}, {"name", TABLE_TEXT},       {"department", TABLE_TEXT},
    {"status", TABLE_TEXT},      {"invited_at", TABLE_TEXT}, {"status_at", TABLE_TEXT},
    {"status_by", TABLE_TEXT},   {"pilot", TABLE_TEXT},      {"note", TABLE_TEXT},
};

struct dept_count {
	char *department;
	long long n[NSTATUS];
};

struct pipeline {
	table *people;
	struct dept_count *depts; /* rows come sorted by department */
	size_t ndepts;
	long long all[NSTATUS];
};

static int status_index(const char *status)
{
	for (int i = 0; i < NSTATUS; i++)
		if (strcmp(status, statuses[i]) == 0)
			return i;
	return 0;
}

static int add_pipeline_row(void *ctx, const struct pipeline_row *r)
{
	struct pipeline *p = ctx;
	char invited[32] = "", at[32] = "";
	int k = status_index(r->status);

	if (!p->ndepts || strcmp(p->depts[p->ndepts - 1].department, r->department) != 0) {
		p->depts = xreallocarray(p->depts, p->ndepts + 1, sizeof(*p->depts));
		p->depts[p->ndepts++] = (struct dept_count){.department = xstrdup(r->department)};
	}
	p->depts[p->ndepts - 1].n[k]++;
	p->all[k]++;
	if (r->invited_at)
		timefmt_date(invited, sizeof(invited), r->invited_at);
	if (r->updated_at)
		timefmt_date(at, sizeof(at), r->updated_at);
	const char *note = r->departed ? "departed" : r->opted_out ? "opted out" : NULL;
	const char *cells[] = {r->employee_id, r->name,  r->department, r->status, invited, at,
	                       r->updated_by,  r->pilot, note};
	table_add_row(p->people, cells);
	return 0;
}

static void count_row(table *t, const char *label, const long long n[NSTATUS])
{
	char v[NSTATUS][24];
	const char *cells[1 + NSTATUS] = {label};

	for (int i = 0; i < NSTATUS; i++) {
		snprintf(v[i], sizeof(v[i]), "%lld", n[i]);
		cells[i + 1] = v[i];
	}
	table_add_row(t, cells);
}

static int pipeline_cmd(struct app *app, int argc, char **argv)
{
	enum table_format fmt = TABLE_FORMAT_TABLE;
	struct pipeline p = {0};
	table *counts = NULL;
	store *s;
	int rc;

	if ((rc = app_format_only(argc, argv, "invitations pipeline", &fmt)) ||
	    (rc = app_store(app, false, &s)))
		return rc;
	p.people = table_new(people_cols, sizeof(people_cols) / sizeof(people_cols[0]));
	if ((rc = store_pipeline_each(s, add_pipeline_row, &p)))
		goto done;
	counts = table_new(count_cols, sizeof(count_cols) / sizeof(count_cols[0]));
	for (size_t i = 0; i < p.ndepts; i++)
		count_row(counts, p.depts[i].department, p.depts[i].n);
	count_row(counts, "all", p.all);
	if (table_rows(p.people) == 0)
		table_set_notice(p.people, "nobody invited yet and no approved pilot");
	if (fmt == TABLE_FORMAT_JSON) {
		fputs("{\"counts\":", app->out);
		if (!(rc = table_print(counts, app->out, fmt))) {
			fputs(",\"people\":", app->out);
			rc = table_print(p.people, app->out, fmt);
		}
		fputs("}\n", app->out);
	} else if (fmt == TABLE_FORMAT_CSV) {
		rc = table_print(p.people, app->out, fmt);
	} else if (!(rc = table_print(counts, app->out, fmt))) {
		fputc('\n', app->out);
		rc = table_print(p.people, app->out, fmt);
	}
done:
	for (size_t i = 0; i < p.ndepts; i++)
		free(p.depts[i].department);
	free(p.depts);
	table_destroy(&counts);
	table_destroy(&p.people);
	return rc;
}

int cmd_invitations(struct app *app, int argc, char **argv)
{
	if (cmd_wants_help(argc, argv)) {
		fputs(usage_text, app->out);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-')
		return pipeline_cmd(app, argc, argv);
	if (strcmp(argv[1], "pipeline") == 0)
		return pipeline_cmd(app, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return list_cmd(app, argc - 1, argv + 1);
	if (strcmp(argv[1], "set") == 0)
		return set_cmd(app, argc - 1, argv + 1);
	return err_set(ERR_USAGE, "invitations: unknown action '%s' (pipeline, list or set)",
	               argv[1]);
}
