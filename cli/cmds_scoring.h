/* cmds_scoring.h - the scoring commands (score, rank, candidates, explain,
 * weights) and what they share: opening the latest snapshot as a view.
 */
#ifndef AMB_CLI_CMDS_SCORING_H
#define AMB_CLI_CMDS_SCORING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/app.h"
#include "cli/table.h"
#include "core/store_scores.h"
#include "scorer/profile.h"
#include "scorer/rank.h"
#include "scorer/select.h"

int cmd_score(struct app *app, int argc, char **argv);
int cmd_rank(struct app *app, int argc, char **argv);
int cmd_candidates(struct app *app, int argc, char **argv);
int cmd_explain(struct app *app, int argc, char **argv);
int cmd_weights(struct app *app, int argc, char **argv);
int cmd_snapshots(struct app *app, int argc, char **argv);
int cmd_publish(struct app *app, int argc, char **argv);
int cmd_pilot(struct app *app, int argc, char **argv);
int cmd_report(struct app *app, int argc, char **argv);

/* Entries for main.c's command table. */
#define SCORING_COMMANDS                                                                           \
	{"score", cmd_score, "compute and publish a score snapshot (--draft: a trial)"},           \
	    {"snapshots", cmd_snapshots, "list score snapshots: published, earlier, drafts"},      \
	    {"publish", cmd_publish, "publish snapshot N: the one served and listed"},             \
	    {"pilot", cmd_pilot, "propose, review and approve the pilot the intranet invites"},    \
	    {"rank", cmd_rank, "list eligible people, best first (suggestions to review)"},        \
	    {"candidates", cmd_candidates, "a pilot list spread across departments and levels"},   \
	    {"explain", cmd_explain, "why a person scores as they do, in plain words"},            \
	    {"weights", cmd_weights, "show, change, preview, list or roll back weight profiles"},  \
	    {"report", cmd_report, "HR's report as one self-contained HTML file"},

/* Printed with every list and explanation. */
#define SCORING_NOTICE                                                                             \
	"These are suggestions for a person to review, not decisions. Ask before inviting: "       \
	"the programme is voluntary."

/* A snapshot opened for reading, with the weights it was computed with. */
struct scoring_view {
	store *store; /* borrowed from the app */
	struct snapshot_info info;
	struct scorer_params params;
	struct snapshot_row *rows; /* eligible by rank, then the others */
	size_t n;
	size_t eligible; /* rows[0..eligible) are eligible */
	bool intervals;  /* the snapshot was scored with rank intervals */
	bool top_only;   /* scoring_view_open_top: rows are the first ones asked for */
};

/* Open snapshot `id` (0 = the published one) of the app's database. `employee_id`
 * limits the rows to one person; `with_detail` loads the detail JSON.
 * ERR_NOT_FOUND with advice when nothing was scored yet. */
int scoring_view_open(struct app *app, int64_t id, const char *employee_id, bool with_detail,
                      struct scoring_view *out);
/* Like scoring_view_open (everyone, no detail), keeping people who
 * declined an invitation since: a pilot's record shows the scores it was
 * approved with, and says who declined in its own column. */
int scoring_view_open_with_declined(struct app *app, int64_t id, struct scoring_view *out);
/* Only the first `limit` eligible people by rank (of `department` and
 * `level` when given), read through the rank index: for `rank --limit`. */
int scoring_view_open_top(struct app *app, int64_t id, int64_t limit, const char *department,
                          const char *level, struct scoring_view *out);
void scoring_view_close(struct scoring_view *v);
/* Where each of rows[0..nrows) of v's snapshot (read in the snapshot's
 * order, as every view reads them) stands, into out[i]: among everyone of
 * the snapshot still on the roster, whatever their invitations, by the
 * scorer's one rule (scorer_standings with the snapshot's min_group), so
 * that `explain`, `candidates` and the service give the same percentiles. */
int scoring_standings(const struct scoring_view *v, const struct snapshot_row *rows, size_t nrows,
                      struct scorer_standing *out);

/* The snapshot, profile and parameters of `v` as facts of `t` (the xlsx
 * "About" sheet). */
void scoring_view_facts(table *t, const struct scoring_view *v);

/* Pilot candidates (`candidates`, `pilot propose`): up to `size` people
 * of the view spread across departments and levels (scorer/select.h),
 * each with the reason in plain words. */
struct candidates_req {
	size_t size;
	double max_share;       /* 0: the profile's */
	const char *department; /* NULL: every department */
};
struct candidate {
	const struct snapshot_row *row; /* borrowed from the view */
	char *reason;                   /* owned */
	bool close_call;                /* rank interval overlaps the best person left out's */
};
/* The picks in order into *out (free with candidates_free). */
int candidates_pick(const struct scoring_view *v, const struct candidates_req *req,
                    struct candidate **out, size_t *out_n);
void candidates_free(struct candidate **c, size_t n);

/* Parse a non-negative whole number option (ERR_USAGE naming it). */
int scoring_parse_count(const char *opt, const char *s, int64_t max, int64_t *out);

/* "12.3" style formatting of a score and "0.84" of a component; "" for an
 * unknown (NaN) value. out must hold 32 bytes. */
void scoring_fmt_score(char *out, double v);
void scoring_fmt_component(char *out, double v);

/* "4-12" for a row's 90% rank interval into out (SCORING_INTERVAL_BYTES);
 * NULL (and out untouched) when the row has none. */
#define SCORING_INTERVAL_BYTES 48
const char *scoring_fmt_interval(char *out, const struct snapshot_row *r);

#endif
