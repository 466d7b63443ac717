/* cmd_status.c - `ambassador status`: what the database holds: the roster
 * per department, the latest imports, the published snapshot (and whether
 * the data is newer than it) and the pilot in force. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/app.h"
#include "cli/table.h"
#include "core/err.h"
#include "core/store_pilot.h"
#include "core/store_roster.h"
#include "core/store_scores.h"
#include "core/timefmt.h"

#define STALE_NOTICE "data newer than the published snapshot: run score"

struct status {
	struct roster_counts counts;
	struct import_record recs[10];
	size_t nrecs;
	struct snapshot_info snap; /* id 0: nothing published */
	bool stale;
	struct pilot_info pilot; /* id 0: no approved pilot */
	char *clients_file;      /* set by `serve` when its clients file is stale */
	table *depts;
};

static const struct table_column dept_cols[] = {
    {"department", TABLE_TEXT},
    {"active", TABLE_NUMBER},
    {"opted_out", TABLE_NUMBER},
    {"departed", TABLE_NUMBER},
};

static int add_department(void *ctx, const char *department, int64_t active, int64_t opted_out,
                          int64_t departed)
{
	char a[24], o[24], d[24];

	snprintf(a, sizeof(a), "%lld", (long long)active);
	snprintf(o, sizeof(o), "%lld", (long long)opted_out);
	snprintf(d, sizeof(d), "%lld", (long long)departed);
	const char *cells[] = {department, a, o, d};
	table_add_row(ctx, cells);
	return 0;
}

static int gather(store *s, struct status *st)
{
	int rc;

	if ((rc = store_read_begin(s)))
		return rc;
	st->depts = table_new(dept_cols, 4);
	if ((rc = store_roster_counts(s, &st->counts)) ||
	    (rc = store_roster_departments(s, add_department, st->depts)) ||
	    (rc = store_import_list(s, st->recs, 10, &st->nrecs)) ||
	    (rc = store_snapshot_get(s, 0, &st->snap)) < 0 ||
	    (rc = store_published_stale(s, &st->stale)) ||
	    (rc = store_pilot_get(s, NULL, true, &st->pilot)) < 0 ||
	    (rc = store_meta_get(s, "serve_clients_file", &st->clients_file)) < 0)
		goto done;
	if (st->clients_file && !*st->clients_file) {
		free(st->clients_file);
		st->clients_file = NULL;
	}
	rc = 0;
done:
	store_read_end(s);
	return rc;
}

static void print_text(FILE *f, const char *db, const struct status *st)
{
	const struct roster_counts *c = &st->counts;
	char when[32];

	fprintf(f,
	        "%s: %lld people on the roster: %lld active (%lld consented, %lld not asked "
	        "yet), %lld opted out, %lld departed; %lld departments\n",
	        db, (long long)c->total, (long long)c->active, (long long)c->consent_yes,
	        (long long)c->consent_unasked, (long long)c->opted_out, (long long)c->departed,
	        (long long)c->departments);
	if (st->snap.id) {
		timefmt_date(when, sizeof(when), st->snap.as_of);
		fprintf(
		    f,
		    "published scores: snapshot #%lld as of %s (profile %s v%lld), %lld eligible\n",
		    (long long)st->snap.id, when, st->snap.profile,
		    (long long)st->snap.profile_version, (long long)st->snap.eligible);
		if (st->stale)
			fprintf(f, "%s\n", STALE_NOTICE);
	} else {
		fprintf(f, "published scores: none yet (run `ambassador score`)\n");
	}
	if (st->clients_file)
		fprintf(f, "serve: the clients file is %s\n", st->clients_file);
	if (st->pilot.id)
		fprintf(f, "approved pilot: '%s', %lld people (the intranet invites it)\n",
		        st->pilot.name, (long long)st->pilot.members);
	else
		fprintf(f, "approved pilot: none (the intranet invites nobody)\n");
	if (c->total) {
		fputc('\n', f);
		table_print(st->depts, f, TABLE_FORMAT_TABLE);
	}
	if (st->nrecs)
		fprintf(f, "\n  %-4s %-9s %-20s %-28s %8s %8s\n", "#", "kind", "imported", "source",
		        "rows", "kept");
	for (size_t i = 0; i < st->nrecs; i++) {
		timefmt_iso(when, sizeof(when), st->recs[i].imported_at);
		fprintf(f, "  %-4lld %-9s %-20s %-28.28s %8lld %8lld\n", (long long)st->recs[i].id,
		        st->recs[i].kind, when, st->recs[i].source,
		        (long long)st->recs[i].rows_read, (long long)st->recs[i].rows_kept);
	}
}

static void print_json(FILE *f, const struct status *st)
{
	const struct roster_counts *c = &st->counts;
	char when[32];

	fprintf(f,
	        "{\"people\":{\"total\":%lld,\"active\":%lld,\"consented\":%lld,\"not_asked\":%lld,"
	        "\"opted_out\":%lld,\"departed\":%lld,\"departments\":%lld},\"departments\":",
	        (long long)c->total, (long long)c->active, (long long)c->consent_yes,
	        (long long)c->consent_unasked, (long long)c->opted_out, (long long)c->departed,
	        (long long)c->departments);
	table_print(st->depts, f, TABLE_FORMAT_JSON);
	fputs(",\"published\":", f);
	if (st->snap.id) {
		timefmt_iso(when, sizeof(when), st->snap.as_of);
		fprintf(f, "{\"id\":%lld,\"as_of\":\"%s\",\"profile\":", (long long)st->snap.id,
		        when);
		table_json_string(f, st->snap.profile);
		fprintf(f, ",\"profile_version\":%lld,\"eligible\":%lld}",
		        (long long)st->snap.profile_version, (long long)st->snap.eligible);
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\"stale\":%s,", st->stale ? "true" : "false");
	if (st->stale)
		fputs("\"notice\":\"" STALE_NOTICE "\",", f);
	if (st->clients_file) {
		fputs("\"clients_file\":", f);
		table_json_string(f, st->clients_file);
		fputc(',', f);
	}
	fputs("\"pilot\":", f);
	if (st->pilot.id) {
		fputs("{\"name\":", f);
		table_json_string(f, st->pilot.name);
		fprintf(f, ",\"people\":%lld}", (long long)st->pilot.members);
	} else {
		fputs("null", f);
	}
	fputs(",\"imports\":[", f);
	for (size_t i = 0; i < st->nrecs; i++) {
		timefmt_iso(when, sizeof(when), st->recs[i].imported_at);
		fprintf(f, "%s{\"id\":%lld,\"kind\":\"%s\",\"imported_at\":\"%s\",\"source\":",
		        i ? "," : "", (long long)st->recs[i].id, st->recs[i].kind, when);
		table_json_string(f, st->recs[i].source);
		fprintf(f, ",\"rows_read\":%lld,\"rows_kept\":%lld}",
		        (long long)st->recs[i].rows_read, (long long)st->recs[i].rows_kept);
	}
	fputs("]}\n", f);
}

int cmd_status(struct app *app, int argc, char **argv)
{
	enum table_format fmt = TABLE_FORMAT_TABLE;
	struct status st = {0};
	store *s;
	int rc;

	if (cmd_wants_help(argc, argv)) {
		fprintf(
		    app->out,
		    "usage: ambassador [--db PATH] status [--format table|json]\n\n"
		    "Print how many people the roster holds (active, opted out, departed), per\n"
		    "department, the published snapshot (and \"" STALE_NOTICE "\"\n"
		    "when an import changed the data after it was computed), the approved\n"
		    "pilot, and the latest imports.\n");
		return 0;
	}
	if ((rc = app_format_only(argc, argv, "status", &fmt)))
		return rc;
	if (fmt == TABLE_FORMAT_CSV)
		return err_set(ERR_USAGE, "status: --format table or json");
	if ((rc = app_store(app, false, &s)) || (rc = gather(s, &st)))
		goto done;
	if (fmt == TABLE_FORMAT_JSON)
		print_json(app->out, &st);
	else
		print_text(app->out, app->db_path, &st);
	if (fflush(app->out) != 0)
		rc = err_set(ERR_IO, "writing the status");
done:
	table_destroy(&st.depts);
	store_snapshot_info_free(&st.snap);
	store_pilot_info_free(&st.pilot);
	free(st.clients_file);
	return rc;
}
