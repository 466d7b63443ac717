/* test_select.c - pilot candidate lists: department seats, the share cap,
 * level spreading, the minimum score and determinism. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "scorer/select.h"

/* In rank order. */
static const struct select_person people[] = {
    {"Sales", "manager", 95},       {"Sales", "manager", 94},   {"Sales", "employee", 93},
    {"Sales", "employee", 92},      {"Sales", "intern", 91},    {"Development", "employee", 90},
    {"Development", "manager", 88}, {"Finance", "partner", 70}, {"People", "student", 45},
    {"Legal", "employee", 20},
};
#define N (sizeof(people) / sizeof(people[0]))

static size_t count_dept(const struct select_pick *p, size_t n, const char *dept)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += strcmp(people[p[i].index].department, dept) == 0;
	return c;
}

Test(scorer_select, gives_every_department_above_the_minimum_a_seat_first)
{
	struct select_opts o = {.size = 4, .max_share = 0.5, .min_score = 40, .level_tie = 0};
	struct select_pick p[4];
	size_t n;
	cr_assert(eq(int, scorer_select(p, &n, people, N, &o), 0));
	cr_assert(eq(sz, n, 4));
	cr_assert(eq(sz, count_dept(p, n, "Sales"), 1));
	cr_assert(eq(sz, count_dept(p, n, "Development"), 1));
	cr_assert(eq(sz, count_dept(p, n, "Finance"), 1));
	cr_assert(eq(sz, count_dept(p, n, "People"), 1));
	cr_assert(eq(sz, count_dept(p, n, "Legal"), 0)); /* below the minimum */
	cr_assert(eq(int, p[0].how, SELECT_DEPARTMENT_BEST));
}

Test(scorer_select, never_gives_a_department_more_than_its_share)
{
	struct select_opts o = {.size = 8, .max_share = 0.25, .min_score = 40, .level_tie = 0};
	struct select_pick p[8];
	size_t n;
	cr_assert(eq(int, scorer_select(p, &n, people, N, &o), 0));
	cr_assert(eq(sz, scorer_select_cap(&o), 2));
	cr_assert(le(sz, count_dept(p, n, "Sales"), 2));
	cr_assert(le(sz, count_dept(p, n, "Development"), 2));
	cr_assert(eq(sz, n, 6)); /* 2 + 2 + 1 + 1: nobody else may sit */
	for (size_t i = 1; i < n; i++)
		cr_assert(lt(sz, p[i - 1].index, p[i].index)); /* listed in rank order */
}

Test(scorer_select, spreads_levels_among_near_equal_scores)
{
	struct select_opts o = {.size = 3, .max_share = 1, .min_score = 0, .level_tie = 5};
	struct select_pick p[3];
	size_t n;
	cr_assert(eq(int, scorer_select(p, &n, people, 5, &o), 0)); /* Sales only */
	cr_assert(eq(sz, n, 3));
	/* manager 95 first; then within 5 points an employee and an intern
	 * beat the second manager */
	cr_assert(eq(str, (char *)people[p[0].index].level, "manager"));
	cr_assert(eq(sz, p[0].index, 0));
	int levels_manager = 0;
	for (size_t i = 0; i < n; i++)
		levels_manager += strcmp(people[p[i].index].level, "manager") == 0;
	cr_assert(eq(int, levels_manager, 1));
}

Test(scorer_select, gives_the_same_list_every_time)
{
	struct select_opts o = {.size = 7, .max_share = 0.3, .min_score = 40, .level_tie = 5};
	struct select_pick a[7], b[7];
	size_t na, nb;
	cr_assert(eq(int, scorer_select(a, &na, people, N, &o), 0));
	cr_assert(eq(int, scorer_select(b, &nb, people, N, &o), 0));
	cr_assert(eq(sz, na, nb));
	for (size_t i = 0; i < na; i++) {
		cr_assert(eq(sz, a[i].index, b[i].index));
		cr_assert(eq(int, a[i].how, b[i].how));
	}
}
