/* select.h - the pilot candidate list (docs/design.md, Contract 4): N people spread across
 * departments and levels, deterministic, each with how they were chosen.
 *
 * Greedy, in two passes over people in rank order (score descending, ties
 * by employee_id):
 *  1. department seats: departments whose best person reaches min_score,
 *     taken in the order of that best score, each get one seat while seats
 *     remain;
 *  2. the remaining seats by score, never letting a department hold more
 *     than ceil(max_share * size) seats.
 * Levels are spread: whenever the next person would be chosen, anyone
 * within level_tie points of them whose level has fewer seats so far goes
 * first (ties: rank order). Nobody below min_score is chosen, so a list can
 * be shorter than asked.
 */
#ifndef AMB_SCORER_SELECT_H
#define AMB_SCORER_SELECT_H

#include <stdbool.h>
#include <stddef.h>

struct select_person {
	const char *department;
	const char *level; /* "" when unknown: its own level */
	double score;
};

struct select_opts {
	size_t size;
	double max_share; /* 0 < max_share <= 1 */
	double min_score;
	double level_tie;
};

enum select_how {
	SELECT_DEPARTMENT_BEST = 1, /* pass 1: best of the department */
	SELECT_DEPARTMENT_LEVEL,    /* pass 1: near the best, level less represented */
	SELECT_BY_SCORE,            /* pass 2: next best score */
	SELECT_BY_SCORE_LEVEL,      /* pass 2: near the next best, level less represented */
};

struct select_pick {
	size_t index; /* into the people array */
	enum select_how how;
};

/* Choose up to o->size people from people[0..n), which must be in rank
 * order. out must hold o->size picks; they are written in rank order and
 * their number goes to *out_n. Returns 0 or ERR_INVALID for bad options. */
int scorer_select(struct select_pick *out, size_t *out_n, const struct select_person *people,
                  size_t n, const struct select_opts *o);

/* The best person left out: the first index of people[0..n) (rank order)
 * that is not among picks[0..npicks), or n when everyone was picked. A
 * pick whose rank interval overlaps theirs is a close call. */
size_t scorer_select_left_out(const struct select_pick *picks, size_t npicks, size_t n);

/* The department cap for these options: ceil(max_share * size), >= 1. */
size_t scorer_select_cap(const struct select_opts *o);

#endif
