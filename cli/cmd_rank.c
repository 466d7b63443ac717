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

void scoring_fmt_component(char *out, double v)
{
	if (isfinite(v))
		snprintf(out, 32, "%.2f", v);
	else
		out[0] = '\0';
}

int scoring_view_open(struct app *app, int64_t id, const char *employee_id, bool with_detail,
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
	declined_since = clock_now() - (int64_t)out->params.cooldown_days * 86400;
	if ((rc = store_snapshot_rows(out->store, out->info.id, declined_since, employee_id,
	                              with_detail, &out->rows, &out->n)))
		goto end;
	while (out->eligible < out->n && out->rows[out->eligible].eligible)
		out->eligible++;
end:
	store_read_end(out->store);
	if (rc)
		scoring_view_close(out);
	return rc;
}

void scoring_view_close(struct scoring_view *v)
{
	store_snapshot_rows_free(&v->rows, v->n);
	store_snapshot_info_free(&v->info);
	v->n = v->eligible = 0;
}

static const struct table_column rank_cols[] = {
    {"rank", TABLE_NUMBER},     {"employee_id", TABLE_TEXT}, {"name", TABLE_TEXT},
    {"department", TABLE_TEXT}, {"level", TABLE_TEXT},       {"score", TABLE_NUMBER},
    {"activity", TABLE_NUMBER}, {"attitude", TABLE_NUMBER},  {"motivation", TABLE_NUMBER},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ambassador rank [--limit N] [--department D] [--level L]\n"
	           "                       [--format table|csv|json] [--snapshot ID]\n\n"
	           "Everyone eligible in the newest snapshot, best first; ties by employee_id.\n"
	           "Components are 0..1, the score 0..100. --limit 0 lists everyone\n"
	           "(default 20). Department and level match without regard to case.\n"
	           "People who opted out, left or declined are never listed.\n");
}

int cmd_rank(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"limit", required_argument, NULL, 'n'},
	    {"department", required_argument, NULL, 'd'},
	    {"level", required_argument, NULL, 'l'},
	    {"format", required_argument, NULL, 'f'},
	    {"snapshot", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	enum table_format fmt = TABLE_FORMAT_TABLE;
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
		case 'f': rc = table_format_parse(optarg, &fmt); break;
		case 's': rc = scoring_parse_count("--snapshot", optarg, INT64_MAX, &snap); break;
		default: return err_set(ERR_USAGE, "rank: unknown option (see --help)");
		}
		if (rc)
			return rc;
	}
	if (optind < argc)
		return err_set(ERR_USAGE, "rank takes no arguments");
	if ((rc = scoring_view_open(app, snap, NULL, false, &v)))
		return rc;
	t = table_new(rank_cols, sizeof(rank_cols) / sizeof(rank_cols[0]));
	for (size_t i = 0; i < v.eligible && (limit == 0 || (int64_t)table_rows(t) < limit); i++) {
		const struct snapshot_row *r = &v.rows[i];
		char rank[32], score[32], act[32], att[32], mot[32];
		if (dept && strcasecmp(dept, r->department) != 0)
			continue;
		if (level && strcasecmp(level, r->level) != 0)
			continue;
		snprintf(rank, sizeof(rank), "%lld", (long long)r->rank);
		scoring_fmt_score(score, r->score);
		scoring_fmt_component(act, r->activity);
		scoring_fmt_component(att, r->attitude);
		scoring_fmt_component(mot, r->motivation);
		const char *cells[] = {
		    rank, r->employee_id, r->name, r->department, r->level, score, act, att, mot};
		table_add_row(t, cells);
	}
	table_set_notice(t, SCORING_NOTICE);
	if (fmt == TABLE_FORMAT_TABLE)
		fprintf(app->out,
		        "Snapshot #%lld (profile %s v%lld): %lld eligible of %lld scored\n\n",
		        (long long)v.info.id, v.info.profile, (long long)v.info.profile_version,
		        (long long)v.eligible, (long long)v.info.people);
	rc = table_print(t, app->out, fmt);
	if (fmt == TABLE_FORMAT_CSV && !app->quiet)
		fprintf(stderr, "%s\n", SCORING_NOTICE);
	table_destroy(&t);
	scoring_view_close(&v);
	return rc;
}
