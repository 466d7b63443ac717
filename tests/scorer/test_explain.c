/* test_explain.c - `explain` never shows a department percentile for a
 * department with fewer than min_group (5) eligible people (SPEC 3.12), and
 * does show one for a department large enough. */
#include "fixture.h"

#include <stdlib.h>

#include "cli/app.h"
#include "cli/cmds_scoring.h"
#include "tests/support/testutil.h"

/* A file database: 30 people in Sales/Finance (15 each) plus 3 eligible
 * people in Legal, scored once with the default profile. */
static char *build(char **dir)
{
	store *s = NULL;
	char *path = NULL;
	struct scorer_params p;
	int64_t version, id;
	char *name = NULL;
	scorer_population *pop = NULL;
	char eid[16];

	*dir = tu_tempdir();
	cr_assert(asprintf(&path, "%s/amb.db", *dir) > 0);
	cr_assert(eq(int, store_open(&s, path, 0), 0), "%s", err_msg());
	fx_sql(s, "INSERT INTO platforms(id, name) VALUES(1, 'linkedin'), (2, 'instagram'),"
	          " (3, 'intranet')");
	fx_crowd(s, 30);
	for (int i = 0; i < 3; i++) {
		snprintf(eid, sizeof(eid), "L%d", i);
		int64_t pid = fx_person(s, eid, "Legal", "employee", "yes");
		fx_survey(s, pid, 0.6, 0.6, 0.3, NULL);
		fx_steady(s, pid, 20, 4);
	}
	cr_assert(eq(int, scorer_profile_load(s, NULL, true, &p, &version, &name), 0));
	cr_assert(eq(int, scorer_population_load(s, FX_AS_OF, &p, &pop), 0), "%s", err_msg());
	cr_assert(eq(int, scorer_compute(pop, &p), 0));
	cr_assert(eq(int, scorer_snapshot_save(s, pop, &p, name, version, &id), 0));
	for (int i = 0; i < 3; i++) {
		snprintf(eid, sizeof(eid), "L%d", i);
		cr_assert(fx_find(pop, eid) && fx_find(pop, eid)->rank > 0, "%s not eligible", eid);
	}
	cr_assert(fx_find(pop, "C001") && fx_find(pop, "C001")->rank > 0);
	scorer_population_destroy(&pop);
	free(name);
	store_close(&s);
	return path;
}

/* The output of `ambassador --db path explain id`. */
static char *explain(const char *path, const char *id)
{
	char *out = NULL;
	size_t len = 0;
	struct app app = {0};
	char *argv[] = {"explain", (char *)id, NULL};

	app.db_path = path;
	app.out = open_memstream(&out, &len);
	app.quiet = true;
	optind = 0;
	cr_assert(eq(int, cmd_explain(&app, 2, argv), 0), "%s", err_msg());
	fclose(app.out);
	store_close(&app.store);
	return out;
}

Test(scorer_explain, small_department_shows_no_department_percentile)
{
	char *dir, *path = build(&dir);
	char *out = explain(path, "L0");
	const char *line = strstr(out, "\n  score ");

	cr_assert(ne(ptr, (void *)line, NULL), "%s", out);
	cr_assert(ne(ptr, strstr(out, "in Legal"), NULL), "%s", out);
	cr_assert(ne(ptr, strstr(out, "department too small to compare"), NULL), "%s", out);
	/* one company percentile per row at most: nothing for the department */
	for (const char *l = line + 1; l && *l && strncmp(l, "\n", 1) != 0;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (n == 0)
			break;
		char row[256];
		snprintf(row, sizeof(row), "%.*s", (int)n, l);
		const char *first = strstr(row, "th pct");
		if (first)
			cr_assert(eq(ptr, strstr(first + 1, "th pct"), NULL),
			          "department percentile shown: %s", row);
		l = nl ? nl + 1 : NULL;
	}
	free(out);
	free(path);
	tu_rmrf(dir);
	free(dir);
}

Test(scorer_explain, department_of_five_or_more_shows_a_percentile)
{
	char *dir, *path = build(&dir);
	char *out = explain(path, "C001");
	const char *line = strstr(out, "\n  score ");

	cr_assert(ne(ptr, (void *)line, NULL), "%s", out);
	cr_assert(ne(ptr, strstr(out, "in Sales"), NULL), "%s", out);
	cr_assert(eq(ptr, strstr(out, "too small"), NULL), "%s", out);
	const char *first = strstr(line, "th pct");
	const char *eol = strchr(line + 1, '\n');
	cr_assert(ne(ptr, (void *)first, NULL), "%s", out);
	const char *second = strstr(first + 1, "th pct");
	cr_assert(ne(ptr, (void *)second, NULL), "%s", out);
	cr_assert(eol == NULL || second < eol, "no department percentile on the score row: %s",
	          out);
	free(out);
	free(path);
	tu_rmrf(dir);
	free(dir);
}
