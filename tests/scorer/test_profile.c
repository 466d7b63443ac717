/* test_profile.c - weight profiles: validation, versions, rollback. */
#include "fixture.h"

#include <stdlib.h>

static void ranking(store *s, int64_t id, struct buf *b)
{
	struct snapshot_row *rows;
	size_t n;
	cr_assert(eq(int, store_snapshot_rows(s, id, 0, NULL, false, &rows, &n), 0));
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%lld %s %.6f|", (long long)rows[i].rank, rows[i].employee_id,
		           rows[i].score);
	store_snapshot_rows_free(&rows, n);
}

static int64_t score_now(store *s)
{
	struct scorer_params p;
	int64_t version, id;
	char *name = NULL;
	scorer_population *pop = NULL;
	cr_assert(eq(int, scorer_profile_load(s, NULL, true, &p, &version, &name), 0));
	cr_assert(eq(int, scorer_population_load(s, FX_AS_OF, &p, &pop), 0));
	cr_assert(eq(int, scorer_compute(pop, &p), 0));
	cr_assert(eq(int, scorer_snapshot_save(s, pop, &p, name, version, &id), 0));
	scorer_population_destroy(&pop);
	free(name);
	return id;
}

Test(scorer_profile, rejects_unknown_keys_and_out_of_range_values_naming_the_key)
{
	struct scorer_params p;
	scorer_params_defaults(&p);
	cr_assert(eq(int, scorer_params_set(&p, "w_sales", "1"), ERR_INVALID));
	cr_assert(ne(ptr, strstr(err_msg(), "w_sales"), NULL));
	cr_assert(eq(int, scorer_params_set(&p, "half_life_weeks", "0"), ERR_INVALID));
	cr_assert(ne(ptr, strstr(err_msg(), "half_life_weeks"), NULL));
	cr_assert(eq(int, scorer_params_set(&p, "w_volume", "nan"), ERR_INVALID));
	cr_assert(eq(int, scorer_params_set(&p, "window_weeks", "12.5"), ERR_INVALID));
	cr_assert(eq(int, scorer_params_set(&p, "w_volume", "0.3x"), ERR_INVALID));
	cr_assert(eq(int, scorer_params_set(&p, "w_volume", "0.3"), 0));
	cr_assert(epsilon_eq(dbl, p.w_volume, 0.3, 1e-12));
	p.w_attitude = 0;
	cr_assert(eq(int, scorer_params_check(&p), ERR_INVALID));
}

Test(scorer_profile, round_trips_params_through_json)
{
	struct scorer_params p, q;
	scorer_params_defaults(&p);
	cr_assert(eq(int, scorer_params_set(&p, "half_life_weeks", "7.123456789"), 0));
	char *json = scorer_params_to_json(&p);
	cr_assert(eq(int, scorer_params_from_json(&q, json), 0));
	cr_assert(eq(int, memcmp(&p, &q, sizeof(p)), 0));
	free(json);
	cr_assert(eq(int, scorer_params_from_json(&q, "{\"bogus\":1}"), ERR_INVALID));
	cr_assert(eq(int, scorer_params_from_json(&q, "[1]"), ERR_INVALID));
}

Test(scorer_profile, rollback_restores_the_previous_ranking_exactly_and_keeps_history)
{
	store *s = fx_open();
	fx_crowd(s, 30);
	int64_t first = score_now(s);
	struct scorer_params p;
	int64_t v;
	cr_assert(eq(int, scorer_profile_load(s, NULL, false, &p, &v, NULL), 0));
	cr_assert(eq(i64, v, 1));
	p.w_volume = 1;
	p.w_steadiness = 0.01;
	p.half_life_weeks = 2;
	cr_assert(eq(int, scorer_profile_save(s, "default", &p, "tester", "try", &v), 0));
	cr_assert(eq(i64, v, 2));
	int64_t second = score_now(s);
	cr_assert(eq(int, scorer_profile_rollback(s, "default", 0, "tester", NULL, &v), 0));
	cr_assert(eq(i64, v, 3));
	int64_t third = score_now(s);
	struct buf a = {0}, b = {0}, c = {0};
	ranking(s, first, &a);
	ranking(s, second, &b);
	ranking(s, third, &c);
	cr_assert(ne(str, a.data, b.data)); /* the change did change something */
	cr_assert(eq(str, a.data, c.data));
	struct profile_version v1, v3;
	cr_assert(eq(int, store_profile_get(s, "default", 1, &v1), 1));
	cr_assert(eq(int, store_profile_get(s, "default", 3, &v3), 1));
	cr_assert(eq(str, v1.params, v3.params));
	cr_assert(eq(str, v3.author, "tester"));
	cr_assert(eq(str, v3.note, "rollback to v1"));
	store_profile_version_free(&v1);
	store_profile_version_free(&v3);
	cr_assert(eq(int, scorer_profile_rollback(s, "default", 9, "t", NULL, &v), ERR_NOT_FOUND));
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
	store_close(&s);
}
