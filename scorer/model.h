/* model.h - the scoring model: from stored survey constructs and weekly
 * activity aggregates to sub-features, three components (activity,
 * attitude, motivation), a non-compensatory score, eligibility and rank.
 *
 * docs/design.md, section 'How scoring works' gives every formula and the reason for it. A
 * population owns every person record and string in it; records are borrowed by whoever reads them
 * and live until scorer_population_destroy.
 *
 * Defined in scorer/load.c (loading a population from the store),
 * scorer/model.c (the population's lifecycle, features, components and the
 * score) and scorer/snapshot.c (the detail record and writing snapshots).
 */
#ifndef AMB_SCORER_MODEL_H
#define AMB_SCORER_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/mem.h"
#include "core/store.h"
#include "scorer/detail.h"
#include "scorer/profile.h"
#include "scorer/response.h"

/* Why someone is not eligible (bits). */
enum scorer_flag {
	SCORER_NO_SURVEY = 1 << 0,      /* no survey answer at all */
	SCORER_CARELESS = 1 << 1,       /* answer flagged careless: not trusted */
	SCORER_NO_ATTITUDE = 1 << 2,    /* attitude construct missing */
	SCORER_NO_MOTIVATION = 1 << 3,  /* intrinsic construct missing */
	SCORER_NO_ACTIVITY = 1 << 4,    /* no own activity in the window */
	SCORER_CONSENT_NEEDED = 1 << 5, /* require_consent and not asked yet */
};

/* Decayed activity on one platform (or in total). Counts are decay-weighted
 * event counts: an event `a` weeks old counts 0.5^(a / half_life). */
struct scorer_activity {
	double own;           /* own posts, articles, videos (origin original) */
	double conversation;  /* own comments */
	double amplification; /* reshares, reactions, anything suggested */
	double posts;         /* own posts with engagement reported: response's denominator */
	double engagement;    /* reactions*1 + comments*2 + shares*3 on own posts */
	int weeks_active;     /* weeks in the window with own content or comments */
};

/* Decayed reactions, comments and shares on own posts on one platform:
 * engagement is their weighted sum, taken when loading with the weights
 * in force, so the feature cache keeps these instead of engagement. */
struct scorer_parts {
	double reactions, comments, shares;
};

struct scorer_platform {
	int64_t platform; /* id in the platforms table */
	struct scorer_activity a;
};

/* One week of a person's evidence (kept only when loading with
 * SCORER_LOAD_EVIDENCE, for scorer/interval.h): the week's decayed
 * contribution to the person's totals, and to steady_weight (its decay
 * weight when the week counts as active, else 0). */
struct scorer_week {
	struct scorer_activity a; /* weeks_active 1 when active */
	double steady;
};

/* The survey constructs whose items are kept as evidence, in this order. */
enum scorer_construct { SCORER_ATTITUDE, SCORER_INTRINSIC, SCORER_EXTRINSIC, SCORER_CONSTRUCTS };

struct scorer_person {
	int64_t pid;
	char *employee_id, *name, *department, *level; /* in the population's arena */
	bool consent_yes;
	/* survey inputs (NAN = missing) */
	bool has_response;
	char *careless; /* NULL when trusted; in the arena */
	double in_attitude, in_intrinsic, in_extrinsic;
	/* activity inputs */
	struct scorer_activity total;
	double steady_weight; /* sum of decay weights of active weeks */
	bool coarse;          /* some active week came from a report over several weeks */
	size_t plat_first, plat_count;
	/* evidence (SCORER_LOAD_EVIDENCE): weeks in the window with cells,
	 * and each construct's answered items on 0..1 (reversed as scored) */
	size_t week_first, week_count;
	size_t item_first[SCORER_CONSTRUCTS], item_count[SCORER_CONSTRUCTS];
	/* sub-features, each 0..1 (steadiness NAN when coarse: not observed) */
	double steadiness, volume, response, conversation;
	double own_share, authenticity;
	/* facts behind them */
	double weighted_volume, response_raw, response_shrunk;
	double response_log; /* shrunk log1p(engagement per post): scorer/response.h */
	/* components (attitude/motivation NAN when unknown) and result */
	double activity, attitude, motivation;
	double score; /* 0..100, 0 when not eligible */
	unsigned flags;
	bool eligible;
	int64_t rank; /* 1.. among the eligible; 0 when not eligible */
	/* 90% rank interval (scorer/interval.h); 0 when not computed */
	int64_t rank_lo, rank_hi;
};

/* Activity of someone with weekly cells who is not scored now (departed,
 * opted out, recently declined): kept only to rebuild the feature cache,
 * which holds everyone with activity. */
struct scorer_unscored {
	int64_t pid;
	int weeks_active;
	double steady_weight;
	bool coarse;
	size_t plat_first, plat_count;
};

struct scorer_population {
	struct scorer_person *people; /* pid order */
	size_t n, cap;
	size_t last;          /* the person a lookup by pid found last (rows come in pid order) */
	struct arena strings; /* every person's texts, freed together */
	struct scorer_platform *plat;
	size_t nplat, capplat;
	struct scorer_pname {
		int64_t id;
		char *name;
	} * pnames;
	size_t npnames;
	int64_t as_of, as_of_week;
	int window_weeks;
	double window_weight; /* sum of decay weights over the window */
	/* population figures set by scorer_compute */
	double mean_response; /* typical engagement per own post: expm1 of the median log rate */
	double ref_volume, ref_response, ref_conversation;
	struct response_scale response_scale; /* centre and quartile knots of response */
	size_t eligible;
	size_t *order; /* indices of the eligible, best first */
	/* The feature cache (core/store_features.h): the parameters key the
	 * sums were built for and the activity version they were read at.
	 * rebuild_cache is set when they came from the weekly cells, so that
	 * scorer_snapshot_save stores them; unscored then holds the others. */
	char *cache_key;
	int64_t activity_version;
	bool from_cache, rebuild_cache;
	struct scorer_parts *parts; /* beside plat[], only with rebuild_cache */
	size_t capparts;
	struct scorer_unscored *unscored;
	size_t nunscored, capunscored;
	/* Evidence for rank intervals, only with SCORER_LOAD_EVIDENCE. */
	bool evidence;
	struct scorer_week *weeks;
	size_t nweeks, capweeks;
	double *items;
	size_t nitems, capitems;
	bool intervals; /* rank_lo and rank_hi are set */
};

typedef struct scorer_population scorer_population;

/* Read everything scoring needs from the store for `as_of` (Unix seconds):
 * people who may be scored, their survey constructs, and activity in the
 * window before as_of, decayed with p's half-life. Runs in one read
 * transaction. The activity sums come from the feature cache when it is
 * valid for as_of's week, the window and the half-life (one row per
 * person), else from every weekly cell of the window; the result is the
 * same bit for bit. Returns 0 or an err_code; *out is NULL on failure. */
int scorer_population_load(store *s, int64_t as_of, const struct scorer_params *p,
                           scorer_population **out);

/* Options of scorer_population_load_with (bits). */
enum scorer_load {
	/* Also keep each person's evidence for rank intervals: their weeks
	 * (this always reads the weekly cells, never the feature cache) and
	 * their survey items. Only for people with a trusted survey answer:
	 * nobody else can be eligible. */
	SCORER_LOAD_EVIDENCE = 1 << 0,
};

/* scorer_population_load with `flags` (enum scorer_load). */
int scorer_population_load_with(store *s, int64_t as_of, const struct scorer_params *p,
                                unsigned flags, scorer_population **out);

/* An empty population for tests that add people by hand. */
scorer_population *scorer_population_new(int64_t as_of, const struct scorer_params *p);

void scorer_population_destroy(scorer_population **pop);

/* Compute sub-features, components, scores, eligibility and ranks with
 * `p`. Can be run again with other weights (but the window and half-life
 * are those the population was loaded with). */
int scorer_compute(scorer_population *pop, const struct scorer_params *p);

/* Score one person again against the references of a computed
 * population: the facts behind the sub-features, the sub-features,
 * components, score and eligibility, from sp's inputs (total activity,
 * steady_weight, construct scores). The one path scorer_compute takes for
 * everyone; the rank is left alone. */
void scorer_person_rescore(const scorer_population *pop, struct scorer_person *sp,
                           const struct scorer_params *p);

/* Platform name for an id (borrowed; "platform N" style never NULL). */
const char *scorer_platform_name(const scorer_population *pop, int64_t id);

/* Weighted geometric mean of components c[0..2] with weights w[0..2], each
 * floored at `floor`, times 100. Non-finite inputs count as the floor. */
double scorer_combine(const double c[3], const double w[3], double floor);

/* The detail record (scorer/detail.h) of person sp of a computed
 * population: platforms ordered by own content plus conversation, then by
 * name; at most SCORER_DETAIL_MAX_PLATFORMS of them. */
void scorer_detail_of(struct scorer_detail *out, const scorer_population *pop,
                      const struct scorer_person *sp);

/* Plain words for the first reason someone is not eligible. Static text. */
const char *scorer_flag_text(unsigned flags);

/* Compute a snapshot and write it: profile name and version, params, every
 * scored person with detail, in one transaction. *out_id is the new id.
 * When the activity sums were read from the weekly cells and no activity
 * changed since, the same transaction replaces the feature cache. */
int scorer_snapshot_save(store *s, const scorer_population *pop, const struct scorer_params *p,
                         const char *profile, int64_t profile_version, int64_t *out_id);

#endif
