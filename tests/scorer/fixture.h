/* fixture.h - synthetic people, survey constructs and weekly activity for
 * the scorer tests, written straight into a store with SQL. Header-only so
 * each test binary stays one file. */
#ifndef AMB_TESTS_SCORER_FIXTURE_H
#define AMB_TESTS_SCORER_FIXTURE_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/store.h"
#include "core/store_activity.h"
#include "core/store_features.h"
#include "core/store_internal.h"
#include "core/store_scores.h"
#include "core/timefmt.h"
#include "scorer/detail.h"
#include "scorer/model.h"
#include "scorer/profile.h"

/* 2024-07-01T00:00:00Z, a Monday */
#define FX_AS_OF 1719792000LL

static inline int64_t fx_week(int age)
{
	return timefmt_week(FX_AS_OF) - age;
}

static inline store *fx_open(void)
{
	store *s = NULL;
	cr_assert(eq(int, store_open(&s, ":memory:", 0), 0));
	cr_assert(eq(int,
	             store_exec(s, "INSERT INTO platforms(id, name) VALUES(1, 'linkedin'),"
	                           " (2, 'instagram'), (3, 'intranet')"),
	             0));
	return s;
}

static inline void fx_sql(store *s, const char *sql)
{
	cr_assert(eq(int, store_exec(s, sql), 0), "%s", sql);
}

static inline int64_t fx_person(store *s, const char *id, const char *dept, const char *level,
                                const char *consent)
{
	sqlite3_stmt *st;
	int64_t pid;
	cr_assert(eq(int,
	             sqlite3_prepare_v2(s->db,
	                                "INSERT INTO people(employee_id, name, department, level,"
	                                " consent, updated_at) VALUES(?, ?, ?, ?, ?, 0)",
	                                -1, &st, NULL),
	             SQLITE_OK));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, dept, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, level, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, consent, -1, SQLITE_TRANSIENT);
	cr_assert(eq(int, sqlite3_step(st), SQLITE_DONE));
	sqlite3_finalize(st);
	pid = sqlite3_last_insert_rowid(s->db);
	return pid;
}

static inline void fx_construct(store *s, int64_t pid, const char *construct, double v)
{
	sqlite3_stmt *st;
	cr_assert(
	    eq(int,
	       sqlite3_prepare_v2(s->db,
	                          "INSERT OR REPLACE INTO survey_scores(pid, construct, score,"
	                          " answered, items) VALUES(?, ?, ?, 3, 3)",
	                          -1, &st, NULL),
	       SQLITE_OK));
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_text(st, 2, construct, -1, SQLITE_TRANSIENT);
	if (isnan(v))
		sqlite3_bind_null(st, 3);
	else
		sqlite3_bind_double(st, 3, v);
	cr_assert(eq(int, sqlite3_step(st), SQLITE_DONE));
	sqlite3_finalize(st);
}

/* A survey response with three constructs; careless NULL or a flag. */
static inline void fx_survey(store *s, int64_t pid, double attitude, double intrinsic,
                             double extrinsic, const char *careless)
{
	sqlite3_stmt *st;
	cr_assert(eq(int,
	             sqlite3_prepare_v2(s->db,
	                                "INSERT OR REPLACE INTO survey_responses(pid, submitted_at,"
	                                " careless, import_id) VALUES(?, 0, ?, 1)",
	                                -1, &st, NULL),
	             SQLITE_OK));
	sqlite3_bind_int64(st, 1, pid);
	if (careless)
		sqlite3_bind_text(st, 2, careless, -1, SQLITE_TRANSIENT);
	cr_assert(eq(int, sqlite3_step(st), SQLITE_DONE));
	sqlite3_finalize(st);
	fx_construct(s, pid, "attitude", attitude);
	fx_construct(s, pid, "intrinsic", intrinsic);
	fx_construct(s, pid, "extrinsic", extrinsic);
}

/* Add events (and engagement sums) to one weekly cell. */
static inline void fx_act(store *s, int64_t pid, int age, int platform, int kind, int origin,
                          int64_t events, int64_t reactions, int64_t comments, int64_t shares)
{
	sqlite3_stmt *st;
	cr_assert(
	    eq(int,
	       sqlite3_prepare_v2(
	           s->db,
	           "INSERT INTO activity_weekly(cell, events, reach, reactions, comments,"
	           " shares, clicks)"
	           " VALUES((?1" ACTIVITY_SQL_PID_SHIFT ") | (?2" ACTIVITY_SQL_WEEK_SHIFT
	           ") | (?3" ACTIVITY_SQL_PLATFORM_SHIFT ") | (?4" ACTIVITY_SQL_KIND_SHIFT ") | ?5,"
	           " ?6, 0, ?7, ?8, ?9, 0)"
	           " ON CONFLICT DO UPDATE SET events = events + excluded.events,"
	           " reactions = reactions + excluded.reactions,"
	           " comments = comments + excluded.comments,"
	           " shares = shares + excluded.shares",
	           -1, &st, NULL),
	       SQLITE_OK));
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, fx_week(age));
	sqlite3_bind_int(st, 3, platform);
	sqlite3_bind_int(st, 4, kind);
	sqlite3_bind_int(st, 5, origin);
	sqlite3_bind_int64(st, 6, events);
	sqlite3_bind_int64(st, 7, reactions);
	sqlite3_bind_int64(st, 8, comments);
	sqlite3_bind_int64(st, 9, shares);
	cr_assert(eq(int, sqlite3_step(st), SQLITE_DONE));
	sqlite3_finalize(st);
	/* as every writer of activity_weekly does */
	cr_assert(eq(int, store_activity_changed(s), 0));
}

/* One own LinkedIn post a week for `weeks` weeks, each with `eng`
 * reactions and a comment every week; plus a comment of one's own. */
static inline void fx_steady(store *s, int64_t pid, int weeks, int64_t reactions)
{
	for (int a = 0; a < weeks; a++) {
		fx_act(s, pid, a, 1, KIND_POST, 0, 1, reactions, 1, 0);
		fx_act(s, pid, a, 1, KIND_COMMENT, 0, 1, 0, 0, 0);
	}
}

/* A crowd of ordinary people so that population figures are meaningful. */
static inline void fx_crowd(store *s, int n)
{
	char id[32];
	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "C%03d", i);
		int64_t pid = fx_person(s, id, i % 2 ? "Sales" : "Finance",
		                        i % 3 ? "employee" : "manager", "yes");
		fx_survey(s, pid, 0.5 + 0.02 * (i % 10), 0.5, 0.4, NULL);
		for (int a = 0; a < 26; a += 1 + i % 4)
			fx_act(s, pid, a, 1 + i % 2, KIND_POST, 0, 1, 5 + i % 7, 1, 0);
	}
}

static inline scorer_population *fx_score(store *s, const struct scorer_params *pp)
{
	struct scorer_params p;
	scorer_population *pop = NULL;
	if (pp)
		p = *pp;
	else
		scorer_params_defaults(&p);
	cr_assert(eq(int, scorer_population_load(s, FX_AS_OF, &p, &pop), 0), "%s", err_msg());
	cr_assert(eq(int, scorer_compute(pop, &p), 0), "%s", err_msg());
	return pop;
}

static inline const struct scorer_person *fx_find(const scorer_population *pop, const char *id)
{
	for (size_t i = 0; i < pop->n; i++)
		if (strcmp(pop->people[i].employee_id, id) == 0)
			return &pop->people[i];
	return NULL;
}

/* Rank of id, or INT64_MAX when not listed (not eligible or absent). */
static inline int64_t fx_rank(const scorer_population *pop, const char *id)
{
	const struct scorer_person *sp = fx_find(pop, id);
	return sp && sp->rank > 0 ? sp->rank : INT64_MAX;
}

/* Append the detail JSON of sp, as a snapshot stores it, to b. */
static inline void fx_detail_json(const scorer_population *pop, const struct scorer_person *sp,
                                  struct buf *b)
{
	struct scorer_detail *d = xmalloc(sizeof(*d));

	scorer_detail_of(d, pop, sp);
	cr_assert(eq(int, scorer_detail_encode(b, d), 0), "%s", err_msg());
	free(d);
}

#endif
