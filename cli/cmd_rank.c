/* cmd_rank.c - `ambassador rank`: everyone eligible in the newest snapshot,
 * best first, filterable by department and level. Also the snapshot view
 * the other scoring commands share.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cmds_scoring.h"
#include "cli/table.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/num.h"

int scoring_parse_count(const char *opt, const char *s, int64_t max, int64_t *out)
{
	if (num_int(s, 0, max, out) != 0)
		return err_set(ERR_USAGE, "%s: '%s' is not a whole number from 0 to %lld", opt, s,
		               (long long)max);
	return 0;
}

void scoring_fmt_score(char *out, double v)
{
	if (isfinite(v))
		snprintf(out, 32, "%.1f", v);
	else
		out[0] = '\0';
}

const char *scoring_fmt_interval(char *out, const struct snapshot_row *r)
{
	if (r->rank_lo <= 0 || r->rank_hi <= 0)
		return NULL;
	snprintf(out, SCORING_INTERVAL_BYTES, "%lld-%lld", (long long)r->rank_lo,
	         (long long)r->rank_hi);
	return out;
}

void scoring_view_facts(table *t, const struct scoring_view *v)
{
	table_add_fact_number(t, "snapshot", (double)v->info.id);
	table_add_fact_time(t, "computed_at (UTC)", v->info.computed_at);
	table_add_fact_time(t, "as_of (UTC)", v->info.as_of);
	table_add_fact_text(t, "profile", v->info.profile);
	table_add_fact_number(t, "profile_version", (double)v->info.profile_version);
	table_add_fact_number(t, "people scored", (double)v->info.people);
	table_add_fact_number(t, "eligible", (double)v->info.eligible);
	for (size_t i = 0; i < scorer_param_count(); i++)
		table_add_fact_number(t, scorer_param_at(i)->key,
		                      scorer_param_value(&v->params, i));
}

void scoring_fmt_component(char *out, double v)
{
	if (isfinite(v))
		snprintf(out, 32, "%.2f", v);
	else
		out[0] = '\0';
}

/* What both views read: snapshot `id`'s info and parameters, then the rows
 * from `top` (limit > 0 or filters) or all of them. */
struct view_query {
	const char *employee_id;
	bool with_detail;
	bool with_declined; /* also people who declined within the cool-down */
	bool top;
	int64_t limit;
	const char *department, *level;
};

static int view_open(struct app *app, int64_t id, const struct view_query *q,
                     struct scoring_view *out)
{
	int64_t declined_since;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = app_store(app, false, &out->store)))
		return rc;
	if ((rc = store_read_begin(out->store)))
		return rc;
	rc = store_snapshot_get(out->store, id, &out->info);
	if (rc == 0) {
		rc =
		    id ? err_set(ERR_NOT_FOUND, "no snapshot #%lld", (long long)id)
		       : err_set(ERR_NOT_FOUND, "nothing scored yet: run `ambassador score` first");
		goto end;
	}
	if (rc < 0)
		goto end;
	if ((rc = scorer_params_from_json(&out->params, out->info.params)))
		goto end;
	/* A decline counts from today, whatever the snapshot's date. */
	declined_since =
	    q->with_declined ? INT64_MAX : clock_now() - (int64_t)out->params.cooldown_days * 86400;
	out->top_only = q->top;
	if (q->top)
		rc = store_snapshot_top(out->store, out->info.id, declined_since, q->limit,
		                        q->department, q->level, &out->rows, &out->n);
	else
		rc = store_snapshot_rows(out->store, out->info.id, declined_since, q->employee_id,
		                         q->with_detail, &out->rows, &out->n);
	if (rc)
		goto end;
	while (out->eligible < out->n && out->rows[out->eligible].eligible)
		out->eligible++;
	out->intervals = out->eligible > 0 && out->rows[0].rank_lo > 0;
end:
	store_read_end(out->store);
	if (rc)
		scoring_view_close(out);
	return rc;
}

int scoring_view_open(struct app *app, int64_t id, const char *employee_id, bool with_detail,
                      struct scoring_view *out)
{
	const struct view_query q = {.employee_id = employee_id, .with_detail = with_detail};

	return view_open(app, id, &q, out);
}

int scoring_view_open_with_declined(struct app *app, int64_t id, struct scoring_view *out)
{
	const struct view_query q = {.with_declined = true};

	return view_open(app, id, &q, out);
}

int scoring_view_open_top(struct app *app, int64_t id, int64_t limit, const char *department,
                          const char *level, struct scoring_view *out)
{
	const struct view_query q = {
	    .top = true, .limit = limit, .department = department, .level = level};

	return view_open(app, id, &q, out);
}

int scoring_standings(const struct scoring_view *v, const struct snapshot_row *rows, size_t nrows,
                      struct scorer_standing *out)
{
	struct snapshot_row *all = NULL;
	struct scorer_peer *peers = NULL;
	struct scorer_standing *st = NULL;
	size_t n = 0, j = 0;
	int rc;

	if ((rc = store_snapshot_rows(v->store, v->info.id, INT64_MAX, NULL, false, &all, &n)))
		return rc;
	peers = xcalloc(n + 1, sizeof(*peers));
	st = xcalloc(n + 1, sizeof(*st));
	for (size_t i = 0; i < n; i++)
		peers[i] = (struct scorer_peer){
		    .department = all[i].department,
		    .eligible = all[i].eligible,
		    .v = {all[i].score, all[i].activity, all[i].attitude, all[i].motivation},
		};
	scorer_standings(st, peers, n, (size_t)v->params.min_group);
	/* rows are a subsequence of `all`, in the same order */
	for (size_t i = 0; i < nrows && rc == 0; i++) {
		while (j < n && all[j].pid != rows[i].pid)
			j++;
		if (j == n)
			rc = err_set(ERR_INTERNAL, "%s is not among the rows of snapshot #%lld",
			             rows[i].employee_id, (long long)v->info.id);
		else
			out[i] = st[j];
	}
	free(peers);
	free(st);
	store_snapshot_rows_free(&all, n);
	return rc;
}

void scoring_view_close(struct scoring_view *v)
{
	store_snapshot_rows_free(&v->rows, v->n);
	store_snapshot_info_free(&v->info);
	v->n = v->eligible = 0;
}

static const struct table_column rank_cols[] = {
    {"rank", TABLE_NUMBER},         {"employee_id", TABLE_TEXT}, {"name", TABLE_TEXT},
    {"department", TABLE_TEXT},     {"level", TABLE_TEXT},       {"score", TABLE_NUMBER},
    {"activity", TABLE_NUMBER},     {"attitude", TABLE_NUMBER},  {"motivation", TABLE_NUMBER},
    {"rank_interval", TABLE_RANGE},
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ambassador rank [--limit N] [--department D] [--level L]\n"
	        "                       [--format table|csv|json|xlsx] [--out FILE]\n"
	        "                       [--excel] [--delimiter ';'] [--snapshot ID]\n\n"
	        "Everyone eligible in the newest snapshot, best first; ties by employee_id.\n"
	        "Components are 0..1, the score 0..100. --limit 0 lists everyone\n"
	        "(default 20). Department and level match without regard to case.\n"
	        "rank_interval is the 90%% interval of the rank when the snapshot was\n"
	        "scored with `score --intervals` (JSON: [lo, hi], else null).\n"
	        "People who opted out, left or declined are never listed.\n\n" TABLE_OUTPUT_HELP);
}

int cmd_rank(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"limit", required_argument, NULL, 'n'},
	    {"department", required_argument, NULL, 'd'},
	    {"level", required_argument, NULL, 'l'},
	    {"snapshot", required_argument, NULL, 's'},
	    TABLE_OUTPUT_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	struct table_output out = {.fmt = TABLE_FORMAT_TABLE};
	const char *dept = NULL, *level = NULL;
	int64_t limit = 20, snap = 0;
	struct scoring_view v;
	table *t;
	int ch, rc;

	if (cmd_wants_help(argc, argv)) {
		usage(app->out);
		return 0;
	}
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': rc = scoring_parse_count("--limit", optarg, INT32_MAX, &limit); break;
		case 'd': dept = optarg, rc = 0; break;
		case 'l': level = optarg, rc = 0; break;
		case 's': rc = scoring_parse_count("--snapshot", optarg, INT64_MAX, &snap); break;
		default:
			if ((rc = table_output_option(&out, ch, optarg)) == 0)
				return err_set(ERR_USAGE, "rank: unknown option (see --help)");
			rc = rc < 0 ? rc : 0;
		}
		if (rc)
			return rc;
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "rank takes no arguments");
	if ((rc = table_output_check(&out)))
		return rc;
	/* Only the rows shown are read (through the rank index), so that
	 * `rank --limit 20` does not read a million people. */
	if ((rc = scoring_view_open_top(app, snap, limit, dept, level, &v)))
		return rc;
	/* The terminal shows the interval only when there is one. */
	t = table_new(rank_cols, sizeof(rank_cols) / sizeof(rank_cols[0]) -
	                             (out.fmt == TABLE_FORMAT_TABLE && !v.intervals ? 1 : 0));
	for (size_t i = 0; i < v.eligible && (limit == 0 || (int64_t)table_rows(t) < limit); i++) {
		const struct snapshot_row *r = &v.rows[i];
		char rank[32], score[32], act[32], att[32], mot[32], iv[SCORING_INTERVAL_BYTES];
		snprintf(rank, sizeof(rank), "%lld", (long long)r->rank);
		scoring_fmt_score(score, r->score);
		scoring_fmt_component(act, r->activity);
		scoring_fmt_component(att, r->attitude);
		scoring_fmt_component(mot, r->motivation);
		const char *cells[] = {rank,     r->employee_id,
		                       r->name,  r->department,
		                       r->level, score,
		                       act,      att,
		                       mot,      scoring_fmt_interval(iv, r)};
		table_add_row(t, cells);
	}
	table_set_notice(t, SCORING_NOTICE);
	scoring_view_facts(t, &v);
	if (out.fmt == TABLE_FORMAT_TABLE && !out.path)
		fprintf(app->out,
		        "Snapshot #%lld (profile %s v%lld): %lld eligible of %lld scored\n\n",
		        (long long)v.info.id, v.info.profile, (long long)v.info.profile_version,
		        (long long)v.info.eligible, (long long)v.info.people);
	rc = table_write(t, app->out, &out);
	if (out.fmt == TABLE_FORMAT_CSV && !out.path && !app->quiet)
		fprintf(stderr, "%s\n", SCORING_NOTICE);
	table_destroy(&t);
	scoring_view_close(&v);
	return rc;
}
