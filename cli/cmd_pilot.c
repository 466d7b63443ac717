/* cmd_pilot.c - `ambassador pilot propose|show|add|remove|approve|list`:
 * HR turns the candidates of the published snapshot into a pilot, reviews
 * it (adds and removes people, with reasons) and approves it; the intranet
 * then invites exactly that list (ipc/invite_book.c). Every step is kept with
 * time, author and reason (core/store_pilot.h): the evidence that a person
 * decided.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_scoring.h"
#include "cli/table.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/num.h"
#include "core/store_pilot.h"
#include "core/store_roster.h"
#include "core/timefmt.h"

static const char usage_text[] =
    "usage: ambassador pilot propose --size N [--name NAME] [--max-share F]\n"
    "       ambassador pilot show [NAME] [--format table|csv|json|xlsx] [--out FILE]\n"
    "                             [--excel] [--delimiter ';']\n"
    "       ambassador pilot add ID [--reason TEXT] [--pilot NAME] [--author A]\n"
    "       ambassador pilot remove ID [--reason TEXT] [--pilot NAME] [--author A]\n"
    "       ambassador pilot approve [NAME] [--author A]\n"
    "       ambassador pilot list [--format table|csv|json]\n\n"
    "propose: store the candidates of the published snapshot (as `candidates\n"
    "--size N` lists them, with their reasons) as a draft pilot (default name\n"
    "pilot-N). show: its people in order with score, components, reason,\n"
    "consent and invitation status, then every decision (default: the newest\n"
    "pilot). add / remove: change a draft (default: the newest pilot); add\n"
    "refuses anyone not listable (opted out, departed, declined within the\n"
    "cool-down, not eligible) and says why. approve: freeze it; the intranet's\n"
    "`invitations` then lists its people, in this order, until each has a\n"
    "status. Every proposal, addition, removal and approval is kept with time,\n"
    "author (default cli:$USER) and reason. show --format xlsx --out FILE writes\n"
    "an Excel workbook (the people, and an About sheet with the pilot, its\n"
    "snapshot and parameters); --format csv takes --out, --excel and --delimiter.\n";

struct pilot_args {
	const char *name, *reason, *author, *pilot;
	int64_t size;
	double max_share;
	enum table_format fmt;
	struct table_output out; /* show: --out, --excel, --delimiter */
	const char *pos[2];      /* positional arguments */
	int npos;
};

static int parse(int argc, char **argv, struct pilot_args *a)
{
	static const struct option opts[] = {
	    {"size", required_argument, NULL, 'n'},
	    {"name", required_argument, NULL, 'N'},
	    {"reason", required_argument, NULL, 'r'},
	    {"author", required_argument, NULL, 'a'},
	    {"pilot", required_argument, NULL, 'p'},
	    {"format", required_argument, NULL, 'f'},
	    {"max-share", required_argument, NULL, 'm'},
	    {"out", required_argument, NULL, 'o'},
	    {"excel", no_argument, NULL, 'E'},
	    {"delimiter", required_argument, NULL, 'D'},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': rc = scoring_parse_count("--size", optarg, 100000, &a->size); break;
		case 'N':
			a->name = optarg;
			if (!*optarg || strlen(optarg) > 128)
				rc = err_set(ERR_USAGE, "--name: 1 to 128 bytes");
			for (const char *c = optarg; !rc && *c; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f)
					rc = err_set(ERR_USAGE, "--name: no control characters");
			break;
		case 'r': a->reason = optarg; break;
		case 'a': a->author = optarg; break;
		case 'p': a->pilot = optarg; break;
		case 'f': rc = table_format_parse(optarg, &a->fmt); break;
		case 'm':
			if (num_double(optarg, &a->max_share) != 0 ||
			    !(a->max_share > 0 && a->max_share <= 1))
				rc = err_set(
				    ERR_USAGE,
				    "--max-share: '%s' is not a number above 0 and at most 1",
				    optarg);
			break;
		case 'o':
		case 'E':
		case 'D': rc = table_output_option(&a->out, ch, optarg) < 0 ? ERR_USAGE : 0; break;
		default: return err_set(ERR_USAGE, "see `ambassador pilot --help`");
		}
		if (rc)
			return rc;
	}
	a->out.fmt = a->fmt;
	for (int i = optind; i < argc; i++) {
		if (a->npos == 2)
			return err_set(ERR_USAGE, "pilot: too many arguments (see --help)");
		a->pos[a->npos++] = argv[i];
	}
	return 0;
}

/* Pilot `name` (NULL: the newest) into *out, or ERR_NOT_FOUND with advice. */
static int find_pilot(store *s, const char *name, struct pilot_info *out)
{
	int rc = store_pilot_get(s, name, false, out);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return name ? err_set(ERR_NOT_FOUND,
		                      "no pilot named '%s' (see `ambassador pilot list`)", name)
		            : err_set(ERR_NOT_FOUND,
		                      "no pilot yet: `ambassador pilot propose --size N`");
	return 0;
}

static int propose(struct app *app, struct pilot_args *a)
{
	struct scoring_view v;
	struct candidate *picks = NULL;
	struct pilot_member_in *m = NULL;
	size_t n = 0;
	char name[160];
	int64_t id = 0;
	int rc;

	if (a->size <= 0)
		return err_set(ERR_USAGE, "pilot propose: --size N (1 or more) is required");
	if (a->npos)
		return err_set(ERR_USAGE, "pilot propose takes no arguments (--name NAME)");
	if ((rc = scoring_view_open(app, 0, NULL, true, &v)))
		return rc;
	struct candidates_req req = {.size = (size_t)a->size, .max_share = a->max_share};
	if ((rc = candidates_pick(&v, &req, &picks, &n)))
		goto done;
	if (n == 0) {
		rc =
		    err_set(ERR_INVALID,
		            "nobody in snapshot #%lld reaches the minimum score: no pilot proposed",
		            (long long)v.info.id);
		goto done;
	}
	snprintf(name, sizeof(name), "%s", a->name ? a->name : "");
	if (!a->name)
		snprintf(name, sizeof(name), "pilot-%lld", (long long)v.info.id);
	m = xcalloc(n, sizeof(*m));
	for (size_t i = 0; i < n; i++)
		m[i] =
		    (struct pilot_member_in){.pid = picks[i].row->pid, .reason = picks[i].reason};
	if ((rc = store_pilot_create(v.store, name, v.info.id, a->size, m, n,
	                             a->author ? a->author : app_user(app), clock_now(), &id)))
		goto done;
	if (!app->quiet)
		fprintf(app->out,
		        "pilot '%s' proposed from snapshot #%lld: %zu of %lld seats (a draft).\n"
		        "Review it with `ambassador pilot show`, change it with `pilot add` and "
		        "`pilot remove`, then `ambassador pilot approve`.\n",
		        name, (long long)v.info.id, n, (long long)a->size);
done:
	free(m);
	candidates_free(&picks, n);
	scoring_view_close(&v);
	return rc;
}

/* --- show ------------------------------------------------------------------- */

static const struct table_column member_cols[] = {
    {"position", TABLE_NUMBER}, {"employee_id", TABLE_TEXT}, {"name", TABLE_TEXT},
    {"department", TABLE_TEXT}, {"level", TABLE_TEXT},       {"score", TABLE_NUMBER},
    {"activity", TABLE_NUMBER}, {"attitude", TABLE_NUMBER},  {"motivation", TABLE_NUMBER},
    {"invitation", TABLE_TEXT}, {"reason", TABLE_TEXT},      {"email", TABLE_TEXT},
    {"consent", TABLE_TEXT},    {"invited_at", TABLE_DATE},
};
#define MEMBER_TABLE_COLS 11 /* the terminal leaves out e-mail, consent, date */

static const struct table_column log_cols[] = {
    {"at", TABLE_TEXT},          {"author", TABLE_TEXT}, {"action", TABLE_TEXT},
    {"employee_id", TABLE_TEXT}, {"reason", TABLE_TEXT},
};

struct show_ctx {
	table *t;
	const struct scoring_view *v; /* the pilot's snapshot */
};

static const struct snapshot_row *row_of(const struct scoring_view *v, int64_t pid)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->rows[i].pid == pid)
			return &v->rows[i];
	return NULL;
}

static int add_member_row(void *ctx, const struct pilot_member *m)
{
	struct show_ctx *c = ctx;
	const struct snapshot_row *r = row_of(c->v, m->pid);
	char pos[24], score[32] = "", act[32] = "", att[32] = "", mot[32] = "", at[32] = "";
	const char *consent = strcmp(m->consent, "no") == 0 ? "opted out"
	                      : *m->consent                 ? m->consent
	                                                    : "not asked";

	snprintf(pos, sizeof(pos), "%lld", (long long)m->position);
	if (r) {
		scoring_fmt_score(score, r->score);
		scoring_fmt_component(act, r->activity);
		scoring_fmt_component(att, r->attitude);
		scoring_fmt_component(mot, r->motivation);
	}
	if (m->invitation_at)
		timefmt_date(at, sizeof(at), m->invitation_at);
	const char *cells[] = {pos,       m->employee_id,
	                       m->name,   m->department,
	                       m->level,  score,
	                       act,       att,
	                       mot,       m->departed ? "departed" : m->invitation,
	                       m->reason, m->email,
	                       consent,   at};
	table_add_row(c->t, cells);
	return 0;
}

static int add_log_row(void *ctx, const struct pilot_log_row *r)
{
	char at[32];

	timefmt_iso(at, sizeof(at), r->at);
	const char *cells[] = {at, r->author, r->action, r->employee_id, r->reason};
	table_add_row(ctx, cells);
	return 0;
}

static void pilot_header(FILE *f, const struct pilot_info *p)
{
	char at[32];

	fprintf(f, "Pilot '%s' from snapshot #%lld, %lld of %lld seats: ", p->name,
	        (long long)p->snapshot_id, (long long)p->members, (long long)p->size);
	if (p->approved_at) {
		timefmt_iso(at, sizeof(at), p->approved_at);
		fprintf(f, "approved by %s at %s (frozen; the intranet invites it)\n\n",
		        p->approved_by ? p->approved_by : "?", at);
	} else {
		fprintf(f, "a draft, not approved: nobody is invited from it yet\n\n");
	}
}

/* The xlsx "About" sheet: the pilot, then its snapshot and parameters. */
static void pilot_facts(table *t, const struct pilot_info *p, const struct scoring_view *v)
{
	table_add_fact_text(t, "pilot", p->name);
	table_add_fact_number(t, "seats", (double)p->size);
	table_add_fact_time(t, "proposed at (UTC)", p->created_at);
	table_add_fact_text(t, "proposed by", p->created_by);
	if (p->approved_at) {
		table_add_fact_time(t, "approved at (UTC)", p->approved_at);
		table_add_fact_text(t, "approved by", p->approved_by);
	} else {
		table_add_fact_text(t, "approved", "no (a draft)");
	}
	if (v->info.id)
		scoring_view_facts(t, v);
	else
		table_add_fact_text(t, "snapshot", "removed (no scores)");
}

static int show(struct app *app, struct pilot_args *a)
{
	struct pilot_info p = {0};
	struct scoring_view v = {0};
	struct show_ctx c = {0};
	table *log = NULL;
	store *s;
	int rc;

	if ((rc = table_output_check(&a->out)))
		return rc;
	if (a->out.path && a->fmt != TABLE_FORMAT_CSV && a->fmt != TABLE_FORMAT_XLSX)
		return err_set(ERR_USAGE, "pilot show: --out goes with --format csv or xlsx");
	if ((rc = app_store(app, false, &s)) ||
	    (rc = find_pilot(s, a->npos ? a->pos[0] : NULL, &p)))
		return rc;
	/* Scores from the pilot's own snapshot; nobody is left out for having
	 * declined since (the invitation column says so). */
	if ((rc = scoring_view_open_with_declined(app, p.snapshot_id, &v)) == ERR_NOT_FOUND) {
		err_clear(); /* the snapshot was removed (retention): no scores */
		rc = 0;
	}
	if (rc)
		goto done;
	c.v = &v;
	c.t = table_new(member_cols, a->fmt == TABLE_FORMAT_TABLE
	                                 ? MEMBER_TABLE_COLS
	                                 : sizeof(member_cols) / sizeof(member_cols[0]));
	if ((rc = store_pilot_members_each(s, p.id, add_member_row, &c)))
		goto done;
	log = table_new(log_cols, sizeof(log_cols) / sizeof(log_cols[0]));
	if ((rc = store_pilot_log_each(s, p.id, add_log_row, log)))
		goto done;
	table_set_notice(c.t, SCORING_NOTICE);
	if (a->fmt == TABLE_FORMAT_JSON) {
		char at[32] = "";
		if (p.approved_at)
			timefmt_iso(at, sizeof(at), p.approved_at);
		fprintf(app->out, "{\"pilot\":{\"name\":");
		table_json_string(app->out, p.name);
		fprintf(app->out, ",\"snapshot\":%lld,\"size\":%lld,\"approved_at\":",
		        (long long)p.snapshot_id, (long long)p.size);
		table_json_string(app->out, p.approved_at ? at : NULL);
		fprintf(app->out, "},\"members\":");
		if (!(rc = table_print(c.t, app->out, a->fmt))) {
			fprintf(app->out, ",\"decisions\":");
			rc = table_print(log, app->out, a->fmt);
		}
		fprintf(app->out, "}\n");
	} else if (a->fmt == TABLE_FORMAT_CSV || a->fmt == TABLE_FORMAT_XLSX) {
		pilot_facts(c.t, &p, &v);
		rc = table_write(c.t, app->out, &a->out);
	} else {
		pilot_header(app->out, &p);
		if (!(rc = table_print(c.t, app->out, a->fmt))) {
			fprintf(app->out, "\nDecisions:\n");
			rc = table_print(log, app->out, a->fmt);
		}
	}
done:
	table_destroy(&c.t);
	table_destroy(&log);
	scoring_view_close(&v);
	store_pilot_info_free(&p);
	return rc;
}

/* --- add, remove, approve, list ----------------------------------------------- */

/* Why employee_id may not join a pilot of snapshot `snap`, or NULL when it
 * may: they must be on the roster, consenting, present, not declined
 * within the cool-down, and eligible in that snapshot. */
static int why_not_listable(struct app *app, store *s, int64_t snap, const char *id,
                            int64_t *out_pid, char *why, size_t size)
{
	enum person_status st;
	struct scoring_view v;
	int rc;

	why[0] = '\0';
	if ((rc = store_person_status(s, id, out_pid, &st)))
		return rc;
	if (st == PERSON_UNKNOWN)
		return err_set(ERR_NOT_FOUND, "%s: no such person on the roster", id);
	if (st == PERSON_OPTED_OUT || st == PERSON_DEPARTED) {
		snprintf(why, size, "%s", st == PERSON_OPTED_OUT ? "has opted out" : "has left");
		return 0;
	}
	if ((rc = scoring_view_open(app, snap, id, false, &v)))
		return rc;
	if (v.n == 0)
		snprintf(
		    why, size,
		    "declined an invitation within the cool-down (%.0f days), or was not scored "
		    "in snapshot #%lld",
		    v.params.cooldown_days, (long long)snap);
	else if (!v.rows[0].eligible)
		snprintf(why, size,
		         "is not eligible in snapshot #%lld (see `ambassador explain %s --snapshot "
		         "%lld`)",
		         (long long)snap, id, (long long)snap);
	scoring_view_close(&v);
	return 0;
}

static int change(struct app *app, struct pilot_args *a, bool add)
{
	struct pilot_info p = {0};
	int64_t pid = 0;
	char why[256];
	char *id;
	store *s;
	int rc;

	if (a->npos != 1)
		return err_set(ERR_USAGE,
		               "usage: ambassador pilot %s ID [--reason TEXT] [--pilot NAME]",
		               add ? "add" : "remove");
	id = app_trim_id(xstrdup(a->pos[0]));
	if ((rc = app_store(app, false, &s)) || (rc = find_pilot(s, a->pilot, &p)))
		goto done;
	if (p.approved_at) {
		rc = err_set(ERR_FORBIDDEN,
		             "pilot '%s' is approved and frozen; propose a new one to change it",
		             p.name);
		goto done;
	}
	if (add) {
		if ((rc = why_not_listable(app, s, p.snapshot_id, id, &pid, why, sizeof(why))))
			goto done;
		if (*why) {
			rc = err_set(ERR_FORBIDDEN, "%s cannot join the pilot: %s", id, why);
			goto done;
		}
		rc = store_pilot_add(s, p.id, pid, a->reason, a->author ? a->author : app_user(app),
		                     clock_now());
	} else {
		enum person_status st;
		if ((rc = store_person_status(s, id, &pid, &st)))
			goto done;
		rc = store_pilot_remove(s, p.id, pid, a->reason,
		                        a->author ? a->author : app_user(app), clock_now());
	}
	if (rc == ERR_DUPLICATE || rc == ERR_NOT_FOUND)
		rc = err_set(rc, "%s is %s pilot '%s'", id, add ? "already in" : "not in", p.name);
	else if (!rc && !app->quiet)
		fprintf(app->out, "%s %s pilot '%s'\n", id, add ? "added to" : "removed from",
		        p.name);
done:
	free(id);
	store_pilot_info_free(&p);
	return rc;
}

static int approve(struct app *app, struct pilot_args *a)
{
	struct pilot_info p = {0};
	store *s;
	int rc;

	if (a->npos > 1)
		return err_set(ERR_USAGE, "usage: ambassador pilot approve [NAME] [--author A]");
	if ((rc = app_store(app, false, &s)) ||
	    (rc = find_pilot(s, a->npos ? a->pos[0] : NULL, &p)))
		goto done;
	rc = store_pilot_approve(s, p.id, a->author ? a->author : app_user(app), clock_now());
	if (rc == ERR_FORBIDDEN)
		rc = err_set(rc, "pilot '%s' is approved already", p.name);
	else if (!rc && !app->quiet)
		fprintf(app->out,
		        "pilot '%s' approved: %lld people. The intranet's `invitations` now lists "
		        "them (a running server picks it up within its poll interval).\n",
		        p.name, (long long)p.members);
done:
	store_pilot_info_free(&p);
	return rc;
}

static const struct table_column list_cols[] = {
    {"name", TABLE_TEXT},        {"snapshot", TABLE_NUMBER},  {"people", TABLE_NUMBER},
    {"seats", TABLE_NUMBER},     {"created_at", TABLE_TEXT},  {"created_by", TABLE_TEXT},
    {"approved_at", TABLE_TEXT}, {"approved_by", TABLE_TEXT},
};

static int add_pilot_row(void *ctx, const struct pilot_info *p)
{
	char snap[24], people[24], seats[24], created[32], approved[32] = "";

	snprintf(snap, sizeof(snap), "%lld", (long long)p->snapshot_id);
	snprintf(people, sizeof(people), "%lld", (long long)p->members);
	snprintf(seats, sizeof(seats), "%lld", (long long)p->size);
	timefmt_iso(created, sizeof(created), p->created_at);
	if (p->approved_at)
		timefmt_iso(approved, sizeof(approved), p->approved_at);
	const char *cells[] = {p->name,
	                       snap,
	                       people,
	                       seats,
	                       created,
	                       p->created_by,
	                       p->approved_at ? approved : "draft",
	                       p->approved_by};
	table_add_row(ctx, cells);
	return 0;
}

static int list(struct app *app, struct pilot_args *a)
{
	table *t;
	store *s;
	int rc;

	if (a->npos)
		return err_set(ERR_USAGE, "pilot list takes no arguments");
	if ((rc = app_store(app, false, &s)))
		return rc;
	t = table_new(list_cols, sizeof(list_cols) / sizeof(list_cols[0]));
	if (!(rc = store_pilots_each(s, add_pilot_row, t))) {
		if (table_rows(t) == 0)
			table_set_notice(t, "no pilot yet: `ambassador pilot propose --size N`");
		rc = table_print(t, app->out, a->fmt);
	}
	table_destroy(&t);
	return rc;
}

int cmd_pilot(struct app *app, int argc, char **argv)
{
	struct pilot_args a = {.fmt = TABLE_FORMAT_TABLE};
	const char *action;
	int rc;

	if (cmd_wants_help(argc, argv) || argc < 2) {
		fputs(usage_text, argc < 2 ? stderr : app->out);
		return argc < 2 ? ERR_USAGE : 0;
	}
	action = argv[1];
	if ((rc = parse(argc - 1, argv + 1, &a)))
		return rc;
	if (strcmp(action, "propose") == 0)
		return propose(app, &a);
	if (strcmp(action, "show") == 0)
		return show(app, &a);
	if (strcmp(action, "add") == 0 || strcmp(action, "remove") == 0)
		return change(app, &a, action[0] == 'a');
	if (strcmp(action, "approve") == 0)
		return approve(app, &a);
	if (strcmp(action, "list") == 0)
		return list(app, &a);
	return err_set(ERR_USAGE,
	               "pilot: unknown action '%s' (propose, show, add, remove, approve, list)",
	               action);
}
