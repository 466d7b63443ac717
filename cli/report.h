/* report.h - HR's report: what it shows (struct report, filled by
 * cli/report.c from a snapshot) and how it is written (cli/report_html.c:
 * one self-contained HTML file, inline CSS and SVG, no script, no request
 * to any network).
 *
 * Who is shown comes through one seam, report_people_from_candidates: it
 * fills report.people; another source of people-to-show (a stored pilot)
 * fills the same list. Everything else (groups, distributions, funnel,
 * reasons) is computed from the snapshot and the invitation statuses by
 * report_load.
 */
#ifndef AMB_CLI_REPORT_H
#define AMB_CLI_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cmds_scoring.h"
#include "scorer/model.h"

#define REPORT_SCORE_BINS 50 /* 2 points each over 0..100 */
#define REPORT_GRID       20 /* activity x attitude cells per side */

/* A person shown in the report. Strings are owned by the report. */
struct report_person {
	int64_t pid;
	char *employee_id, *name, *department, *level;
	int64_t rank;
	int64_t rank_lo, rank_hi; /* 90% rank interval; 0 when none */
	bool close_call;          /* overlaps the best person left out (candidates) */
	double score, activity, attitude, motivation; /* NAN when unknown */
	char *reason;
	char *consent;    /* "yes" or "not asked" */
	char *invitation; /* "", "invited", "accepted", "declined", "withdrawn" */
};

/* A department or level: eligible people, seats in the list shown and the
 * invitation funnel. Groups under min_group are merged into one group
 * named REPORT_OTHER (merged == true). */
struct report_group {
	char *name;
	size_t eligible, seats, invited, accepted, declined;
	size_t merged_groups; /* > 0 for the merged group: how many it holds */
};

struct report_reason {
	char *why;
	int64_t count;
};

struct report {
	struct scoring_view v; /* the snapshot and its weights */
	char *title;           /* what the list is, e.g. "Pilot candidates" */
	char *list_note;       /* how the list was chosen */
	struct report_person *people;
	size_t npeople;
	struct report_group *depts, *levels;
	size_t ndepts, nlevels;
	struct report_reason *reasons;
	size_t nreasons;
	size_t score_bins[REPORT_SCORE_BINS];
	size_t grid[REPORT_GRID][REPORT_GRID]; /* [activity][attitude], eligible */
	size_t grid_unknown;                   /* eligible without an attitude */
	int64_t last_import;                   /* newest import (0: none) */
	bool stale;                            /* data imported after the scores */
	size_t min_group;
	int64_t generated_at;
};

#define REPORT_OTHER "Smaller groups"

/* Open snapshot `snapshot` (0: newest) into *out. Nobody is shown yet.
 * Returns 0 or an err_code; on failure *out needs no cleanup. */
int report_open(struct report *out, struct app *app, int64_t snapshot);

/* The seam: show the pilot candidates (`candidates --size size`) of the
 * report's snapshot. Returns 0 or an err_code. */
int report_people_from_candidates(struct report *r, size_t size);

struct pilot_info;

/* The seam, for a stored pilot (core/store_pilot.h) whose snapshot the
 * report was opened on: its members in order, with the reason stored for
 * each; members who have since opted out or left are not shown (counted in
 * the note). Returns 0 or an err_code. */
int report_people_from_pilot(struct report *r, const struct pilot_info *pilot);

/* After people are set: group counts, distributions, funnel, reasons.
 * Returns 0 or an err_code. */
int report_load(struct report *r);

void report_close(struct report *r);

/* Write the report as HTML to `f`. Returns 0 or ERR_IO. */
int report_write_html(const struct report *r, FILE *f);

/* The analyst's preview (`weights preview --report`, cli/report_preview.c):
 * two populations scored with the current and the proposed weights. */
struct preview_report {
	const scorer_population *now, *next;
	const struct scorer_params *cur, *prop;
	size_t top;
	double tau;
	const char *profile;
};

/* Write the preview as HTML to `f`. Returns 0 or ERR_IO. */
int report_preview_html(FILE *f, const struct preview_report *p);

/* The report's five charts (cli/report_charts.c). */
void report_charts_html(FILE *f, const struct report *r);

/* Okabe-Ito colours, told apart by colour-blind readers. */
#define REPORT_BLUE       "#0072B2"
#define REPORT_ORANGE     "#E69F00"
#define REPORT_SKY        "#56B4E9"
#define REPORT_VERMILLION "#D55E00"
#define REPORT_GREEN      "#009E73"

/* HTML helpers (cli/report_html.c), shared by the report, its charts and
 * the weights preview. */
void html_text(FILE *f, const char *s);                     /* escaped text */
void html_short(FILE *f, const char *s, size_t max);        /* at most max characters */
void html_count(char *out, size_t n, unsigned long long v); /* "979,880" */
double report_pct(size_t part, size_t whole);               /* 0 when whole is 0 */
void html_head(FILE *f, const char *title);
void html_foot(FILE *f);
/* A histogram of `bins` counts over 0..100 as an inline SVG, the bars in
 * `colour`, optional marks (scores) drawn under the axis. */
void html_histogram(FILE *f, const size_t *bins, size_t nbins, const char *colour,
                    const double *marks, size_t nmarks, double threshold, const char *label);

#endif
