/* cmd_explain.c - `ambassador explain ID`: components, sub-features,
 * percentiles within the company and the department (scorer_standings:
 * only for departments with at least min_group eligible people, docs/design.md,
 * Contract 3.12, the same figures as the service's explain), and reasons.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds_scoring.h"
#include "cli/table.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/store_roster.h"
#include "core/timefmt.h"
#include "scorer/explain.h"
#include "scorer/rank.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ambassador explain ID [--snapshot N] [--format table|json]\n\n"
	           "Why employee ID scores as they do in the published snapshot (or snapshot\n"
	           "N): the three\n"
	           "components and their percentiles in the company and in the department\n"
	           "(departments with fewer eligible people than the profile's min_group are\n"
	           "not compared), the activity sub-features per platform, and the reasons.\n");
}

static int not_listed(store *s, const char *id)
{
	enum person_status st;
	int64_t pid;
	int rc = store_person_status(s, id, &pid, &st);

	if (rc)
		return rc;
	switch (st) {
	case PERSON_UNKNOWN: return err_set(ERR_NOT_FOUND, "%s is not on the roster", id);
	case PERSON_OPTED_OUT:
		return err_set(ERR_NOT_FOUND, "%s opted out and is never scored", id);
	case PERSON_DEPARTED: return err_set(ERR_NOT_FOUND, "%s has left and is not listed", id);
	default:
		return err_set(ERR_NOT_FOUND,
		               "%s is not in this snapshot (declined an invitation recently, or "
		               "added after it was computed: run `ambassador score`)",
		               id);
	}
}

/* "93rd pct", "11th pct", "-" when unknown. */
static void pct_text(char *out, size_t size, double p)
{
	long v;
	const char *suffix = "th";

	if (!isfinite(p)) {
		snprintf(out, size, "-");
		return;
	}
	v = lround(p);
	if (v % 100 < 11 || v % 100 > 13)
		suffix = v % 10 == 1 ? "st" : v % 10 == 2 ? "nd" : v % 10 == 3 ? "rd" : "th";
	snprintf(out, size, "%ld%s pct", v, suffix);
}

static void print_sub(FILE *out, const char *name, double v, const char *fact)
{
	if (isfinite(v))
		fprintf(out, "  %-13s %5.2f  %s\n", name, v, fact);
}

static void print_activity(FILE *out, const struct scorer_detail *d)
{
	char f[160];

	fprintf(out, "\nActivity sub-features (last %d weeks, recent weeks count more):\n",
	        d->window_weeks);
	snprintf(f, sizeof(f), "own posts or comments in %d of %d weeks", d->total.weeks_active,
	         d->window_weeks);
	if (isfinite(d->steadiness))
		print_sub(out, "steadiness", d->steadiness, f);
	else /* some active weeks spread from a report over several weeks */
		fprintf(out, "  %-13s %5s  %s\n", "steadiness", "-",
		        "could not be observed: activity from a report over several weeks "
		        "(left out of activity)");
	snprintf(f, sizeof(f), "%.1f weighted (own %.1f, comments %.1f, reshares/reactions %.1f)",
	         d->weighted_volume, d->total.own, d->total.conversation, d->total.amplification);
	print_sub(out, "volume", d->volume, f);
	snprintf(f, sizeof(f), "%.1f engagement per own post, %.1f after shrinkage (company %.1f)",
	         d->total.engagement_per_post, d->engagement_per_post_shrunk,
	         d->company_engagement_per_post);
	if (isfinite(d->response))
		print_sub(out, "response", d->response, f);
	else /* own posts, none with engagement reported */
		fprintf(out, "  %-13s %5s  %s\n", "response", "-",
		        "unknown: no own post's engagement was reported (left out of activity)");
	snprintf(f, sizeof(f), "%.1f own comments", d->total.conversation);
	print_sub(out, "conversation", d->conversation, f);
	snprintf(f, sizeof(f), "%.0f%% of the weighted activity is own content",
	         100 * (isfinite(d->own_share) ? d->own_share : 0));
	print_sub(out, "authenticity", d->authenticity, f);
	if (d->nplatforms) {
		fprintf(out, "\n  %-14s %6s %6s %9s %13s %10s\n", "platform", "weeks", "own",
		        "comments", "amplification", "eng/post");
		for (size_t i = 0; i < d->nplatforms; i++) {
			const struct scorer_detail_activity *a = &d->platforms[i].a;
			fprintf(out, "  %-14s %6d %6.1f %9.1f %13.1f %10.1f\n",
			        d->platforms[i].name, a->weeks_active, a->own, a->conversation,
			        a->amplification,
			        isfinite(a->engagement_per_post) ? a->engagement_per_post : 0);
		}
	}
}

static void print_components(FILE *out, const struct scorer_standing *st,
                             const struct snapshot_row *r)
{
	static const char *names[4] = {"score", "activity", "attitude", "motivation"};
	char dh[96];

	double vals[4] = {r->score, r->activity, r->attitude, r->motivation};
	char *dept_name = table_escape(r->department, strlen(r->department), false);
	snprintf(dh, sizeof(dh), "in %s", dept_name);
	free(dept_name);
	fprintf(out, "\n  %-11s %7s  %-18s %s\n", "component", "value", "in the company", dh);
	for (int c = 0; c < 4; c++) {
		char val[32], cp[32], dp[64];
		if (c == 0)
			scoring_fmt_score(val, vals[c]);
		else
			scoring_fmt_component(val, vals[c]);
		if (!st->company_shown)
			snprintf(cp, sizeof(cp), "%s", c == 0 ? "too few to compare" : "");
		else
			pct_text(cp, sizeof(cp), st->company[c]);
		if (!st->department_shown)
			snprintf(dp, sizeof(dp), "%s",
			         c == 0 ? "department too small to compare" : "");
		else
			pct_text(dp, sizeof(dp), st->department[c]);
		fprintf(out, "  %-11s %7s  %-18s %s\n", names[c], *val ? val : "unknown",
		        r->eligible ? cp : "-", r->eligible ? dp : "-");
	}
}

static void json_num(FILE *f, const char *key, double v, bool comma)
{
	if (isfinite(v))
		fprintf(f, "\"%s\":%.6g", key, v);
	else
		fprintf(f, "\"%s\":null", key);
	if (comma)
		fputc(',', f);
}

static void json_four(FILE *f, const char *key, const double v[4])
{
	fprintf(f, "\"%s\":{", key);
	json_num(f, "score", v[0], true);
	json_num(f, "activity", v[1], true);
	json_num(f, "attitude", v[2], true);
	json_num(f, "motivation", v[3], false);
	fputc('}', f);
}

/* The explanation as one JSON object (the protocol's explain op names the
 * same fields). */
static void print_json(FILE *f, const struct scoring_view *v, const struct snapshot_row *r,
                       const struct scorer_standing *st, const char *reasons)
{
	double vals[4] = {r->score, r->activity, r->attitude, r->motivation};
	char when[32];

	timefmt_iso(when, sizeof(when), v->info.as_of);
	fputs("{\"employee_id\":", f);
	table_json_string(f, r->employee_id);
	fputs(",\"name\":", f);
	table_json_string(f, r->name);
	fputs(",\"department\":", f);
	table_json_string(f, r->department);
	fputs(",\"level\":", f);
	table_json_string(f, r->level);
	fprintf(f,
	        ",\"snapshot\":{\"id\":%lld,\"as_of\":\"%s\",\"profile\":", (long long)v->info.id,
	        when);
	table_json_string(f, v->info.profile);
	fprintf(f, ",\"profile_version\":%lld},\"eligible\":%s,",
	        (long long)v->info.profile_version, r->eligible ? "true" : "false");
	if (r->eligible)
		fprintf(f, "\"rank\":%lld,\"of\":%zu,", (long long)r->rank, v->eligible);
	else
		fputs("\"rank\":null,", f);
	if (r->rank_lo > 0 && r->rank_hi > 0)
		fprintf(f, "\"rank_interval\":[%lld,%lld],", (long long)r->rank_lo,
		        (long long)r->rank_hi);
	else
		fputs("\"rank_interval\":null,", f);
	json_four(f, "components", vals);
	fputs(",\"percentiles\":{", f);
	json_four(f, "company", st->company);
	fputc(',', f);
	json_four(f, "department", st->department); /* NAN: too small to compare */
	fprintf(f, "},\"detail\":%s,\"reasons\":", r->detail ? r->detail : "{}");
	table_json_string(f, reasons);
	fputs(",\"notice\":", f);
	table_json_string(f, SCORING_NOTICE);
	fputs("}\n", f);
}

int cmd_explain(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"snapshot", required_argument, NULL, 's'},
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	enum table_format fmt = TABLE_FORMAT_TABLE;
	struct scoring_view v;
	struct snapshot_row *me = NULL;
	struct scorer_detail *d = NULL; /* large: on the heap */
	struct scorer_standing st = {0};
	int64_t snap = 0;
	size_t n = 0;
	int ch, rc;

	if (cmd_wants_help(argc, argv)) {
		usage(app->out);
		return 0;
	}
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'f') {
			if ((rc = table_format_parse(optarg, &fmt)))
				return rc;
			if (fmt == TABLE_FORMAT_CSV)
				return err_set(ERR_USAGE, "explain: --format table or json");
			continue;
		}
		if (ch != 's')
			return err_set(ERR_USAGE, "explain: unknown option (see --help)");
		if ((rc = scoring_parse_count("--snapshot", optarg, INT64_MAX, &snap)))
			return rc;
	}
	if (optind + 1 != argc)
		return err_set(ERR_USAGE, "usage: ambassador explain ID");
	const char *id = app_trim_id(argv[optind]);
	if ((rc = scoring_view_open(app, snap, NULL, false, &v)))
		return rc;
	d = xmalloc(sizeof(*d));
	rc = store_snapshot_rows(v.store, v.info.id,
	                         clock_now() - (int64_t)v.params.cooldown_days * 86400, id, true,
	                         &me, &n);
	if (!rc && n == 0)
		rc = not_listed(v.store, id);
	if (!rc)
		rc = scorer_detail_decode(d, me[0].detail);
	if (!rc)
		rc = scoring_standings(&v, me, 1, &st);
	if (rc)
		goto done;
	const struct snapshot_row *r = &me[0];
	char when[32];
	if (fmt == TABLE_FORMAT_JSON) {
		struct buf reasons = {0};
		explain_reasons(&reasons, d, r->activity, r->attitude, r->motivation, st.company[2],
		                st.company[3]);
		print_json(app->out, &v, r, &st, reasons.data ? reasons.data : "");
		buf_free(&reasons);
		goto done;
	}
	timefmt_date(when, sizeof(when), v.info.as_of);
	/* Roster text is escaped for the terminal (table_escape). */
	char *name = table_escape(r->name, strlen(r->name), false);
	char *dept = table_escape(r->department, strlen(r->department), false);
	char *level = table_escape(r->level, strlen(r->level), false);
	fprintf(app->out, "%s %s - %s%s%s\n", r->employee_id, name, dept, *level ? ", " : "",
	        level);
	free(name);
	free(dept);
	free(level);
	fprintf(app->out, "Snapshot #%lld as of %s, profile %s v%lld\n", (long long)v.info.id, when,
	        v.info.profile, (long long)v.info.profile_version);
	char iv[SCORING_INTERVAL_BYTES];
	if (r->eligible && scoring_fmt_interval(iv, r))
		fprintf(app->out,
		        "Rank %lld (90%% interval %s) of %zu eligible, score %.1f of 100\n",
		        (long long)r->rank, iv, v.eligible, r->score);
	else if (r->eligible)
		fprintf(app->out, "Rank %lld of %zu eligible, score %.1f of 100\n",
		        (long long)r->rank, v.eligible, r->score);
	else
		fprintf(app->out, "Not eligible: %s\n", d->why_not);
	print_components(app->out, &st, r);
	print_activity(app->out, d);
	struct buf reasons = {0};
	explain_reasons(&reasons, d, r->activity, r->attitude, r->motivation, st.company[2],
	                st.company[3]);
	char *why = table_escape(reasons.data ? reasons.data : "", reasons.len, true);
	fprintf(app->out, "\nReasons:\n%s\n%s\n", why, SCORING_NOTICE);
	free(why);
	buf_free(&reasons);
done:
	store_snapshot_rows_free(&me, n);
	scoring_view_close(&v);
	free(d);
	return rc;
}
