/* detail.h - the per-person scoring detail: one record, one JSON encoding.
 *
 * Every snapshot row carries the detail of how the person's score came
 * about (docs/design.md and docs/design.md, section 'How scoring works'): the
 * sub-features, the facts behind them, activity per platform and the
 * survey inputs. This module owns the format and knows nothing of the
 * model: scorer_detail_of (scorer/model.h) fills the record from a
 * computed population, scorer_detail_encode writes it as JSON (numbers
 * with six significant digits), and scorer_detail_decode reads it back
 * (jansson) for `explain`, candidates and the service. A record holds no
 * pointers: it is copied and freed as a value.
 */
#ifndef AMB_SCORER_DETAIL_H
#define AMB_SCORER_DETAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/mem.h"
#include "core/store_scores.h"

/* At most this many platforms are kept per person (the busiest first). */
#define SCORER_DETAIL_MAX_PLATFORMS 64
/* A platform name of up to 32 characters of UTF-8, with its NUL. */
#define SCORER_DETAIL_NAME_BYTES 132

/* Decayed activity as the detail shows it (in total or on one platform). */
struct scorer_detail_activity {
	int weeks_active;
	double own, conversation, amplification, own_posts, engagement_per_post;
};

struct scorer_detail_platform {
	char name[SCORER_DETAIL_NAME_BYTES];
	struct scorer_detail_activity a;
};

/* The detail of one person. Unknown numbers are NAN (JSON null). */
struct scorer_detail {
	bool eligible;
	char why_not[160]; /* "" when eligible (JSON null) */
	unsigned flags;    /* enum scorer_flag bits (scorer/model.h) */
	char consent[16];  /* "yes" or "not_asked" */
	/* sub-features 0..1 */
	double steadiness, volume, response, conversation, authenticity;
	/* facts */
	struct scorer_detail_activity total;
	int window_weeks;
	double weighted_volume, own_share, engagement_per_post_shrunk, company_engagement_per_post;
	struct scorer_detail_platform platforms[SCORER_DETAIL_MAX_PLATFORMS];
	size_t nplatforms;
	/* survey inputs */
	double in_attitude, in_intrinsic, in_extrinsic;
	char careless[32]; /* "" when the answer is trusted (JSON null) */
};

/* Append d as compact JSON to b. Returns 0, or ERR_INVALID when a text is
 * not UTF-8 (nothing is appended then). */
int scorer_detail_encode(struct buf *b, const struct scorer_detail *d);

/* The detail in two parts, each a JSON object, for storage: the part that
 * depends on the weights (eligibility, consent, sub-features and the four
 * facts computed with the weights) goes into every snapshot; the facts
 * part (activity in total and per platform, survey inputs) is the same
 * for every weight and is stored once (core/store_scores.h, score_facts).
 * The scored part ends in "}}" closing its "facts" object and itself; the
 * facts part starts with SCORER_DETAIL_FACTS_HEAD, the same "facts"
 * object reopened. The whole detail, as scorer_detail_encode writes it, is
 * the scored part without its last two bytes, a comma, and the facts part
 * without its head: the store joins them so (SQL_SNAPSHOT_DETAIL in
 * core/store_internal.h), and a test checks that the bytes agree. Same
 * returns as scorer_detail_encode. */
#define SCORER_DETAIL_FACTS_HEAD "{\"facts\":{"
/* The version of the facts part's encoding. Stored facts are reused by a
 * hash of their inputs (scorer/snapshot.c) that includes this number:
 * raise it with any change to what scorer_detail_encode_facts writes, so
 * that facts written by an older binary are not reused. */
#define SCORER_DETAIL_FACTS_FORMAT 1
int scorer_detail_encode_scored(struct buf *b, const struct scorer_detail *d);
int scorer_detail_encode_facts(struct buf *b, const struct scorer_detail *d);

/* The scored part as a snapshot row stores it: columns, not JSON
 * (core/store_scores.h, struct snapshot_scored, whose format prints them
 * back). out->cols points into *out only (its texts are copies, so d may
 * be reused). Returns 0, or
 * ERR_INVALID when why_not or consent is not UTF-8 or holds a control
 * character. */
struct scorer_detail_scored {
	struct snapshot_scored cols;
	char num[SNAPSHOT_SCORED_NUMS][32];
	char why_not[sizeof(((struct scorer_detail *)0)->why_not)];
	char consent[sizeof(((struct scorer_detail *)0)->consent)];
};
int scorer_detail_scored_columns(const struct scorer_detail *d, struct scorer_detail_scored *out);

/* What snprintf "%.6g" writes for a finite v, into out (32 bytes or
 * more), faster: the detail's numbers. Returns the length. */
size_t scorer_detail_fmt_g6(char *out, double v);

/* Read detail JSON into out. Missing numbers are NAN, missing texts "".
 * Returns 0, or ERR_CORRUPT naming the problem (not an object, a text too
 * long for its field, too many platforms). */
int scorer_detail_decode(struct scorer_detail *out, const char *json);

#endif
