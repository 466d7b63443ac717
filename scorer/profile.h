/* profile.h - scoring parameters ("weights"), their defaults, validation,
 * JSON form, and named versioned profiles in the store.
 *
 * Every parameter has a key, a range and a default in one table
 * (profile.c); docs/design.md, section 'How scoring works' explains each. A profile version stores
 * the whole parameter set as a JSON object, so an old version can be restored exactly.
 */
#ifndef AMB_SCORER_PROFILE_H
#define AMB_SCORER_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/store.h"

struct scorer_params {
	/* activity window and decay */
	double window_weeks;    /* weeks before as_of that count */
	double half_life_weeks; /* a week this old weighs half */
	/* weighted volume: own + conversation*w + amplification*w */
	double volume_conversation;
	double volume_amplification;
	/* engagement per own post: reactions + 2 comments + 3 shares */
	double engagement_reactions, engagement_comments, engagement_shares;
	double prior_posts;       /* shrinkage strength m, in posts */
	double ref_quantile;      /* saturation point of volume/response/conversation */
	double authenticity_full; /* own share at and above which nothing is taken off */
	/* activity sub-feature weights */
	double w_steadiness, w_volume, w_response, w_conversation;
	/* motivation */
	double extrinsic_penalty;
	/* component weights in the geometric mean, and its floor */
	double w_activity, w_attitude, w_motivation;
	double component_floor;
	/* eligibility and selection */
	double require_consent; /* 1: only consent=yes is eligible; 0: unasked too */
	double cooldown_days;   /* a decline keeps someone out this long */
	double min_score;       /* candidates: minimum score for a seat */
	double max_share;       /* candidates: at most this share per department */
	double level_tie;       /* candidates: points within which levels are spread */
	double min_group;       /* smallest group shown in aggregates */
};

struct scorer_param_info {
	const char *key;
	size_t offset;
	double def, min, max;
	bool integer;
	const char *help;
};

/* The parameter table, in display order. */
size_t scorer_param_count(void);
const struct scorer_param_info *scorer_param_at(size_t i);
double scorer_param_value(const struct scorer_params *p, size_t i);

void scorer_params_defaults(struct scorer_params *out);

/* Set one parameter from text ("KEY=VALUE" split by the caller). Returns 0,
 * or ERR_INVALID naming the key (unknown key, not a number, out of range). */
int scorer_params_set(struct scorer_params *p, const char *key, const char *value);

/* Checks that span keys (some weight positive in each group). ERR_INVALID. */
int scorer_params_check(const struct scorer_params *p);

/* Parse a JSON object: defaults for absent keys; unknown keys, wrong types
 * and out-of-range values are ERR_INVALID. */
int scorer_params_from_json(struct scorer_params *out, const char *json);

/* The JSON object (keys in table order, compact). Caller frees. */
char *scorer_params_to_json(const struct scorer_params *p);

/* The active profile name (meta 'active_profile', default "default").
 * Caller frees. */
int scorer_profile_active(store *s, char **out);

/* Load the newest version of profile `name` (NULL: the active one). When
 * the profile has no version yet and `create` is set, version 1 is written
 * with the defaults (author "ambassador"). Fills *out, *out_version and
 * (when not NULL) a malloc'ed *out_name. ERR_NOT_FOUND when missing. */
int scorer_profile_load(store *s, const char *name, bool create, struct scorer_params *out,
                        int64_t *out_version, char **out_name);

/* Save `p` as a new version of profile `name` (checked first) with author
 * and note, in one transaction. The new version goes to *out_version. */
int scorer_profile_save(store *s, const char *name, const struct scorer_params *p,
                        const char *author, const char *note, int64_t *out_version);

/* Write a new version of `name` whose params equal version `to` (0: the
 * version before the newest). History is kept: nothing is deleted.
 * ERR_NOT_FOUND when there is no such version. */
int scorer_profile_rollback(store *s, const char *name, int64_t to, const char *author,
                            const char *note, int64_t *out_version);

#endif
