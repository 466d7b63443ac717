/* store_features.h - the activity feature cache of migration 7 and the
 * activity version that says when it is valid.
 *
 * Scoring turns the weekly cells of a window into decayed sums per person
 * and platform. Those sums depend only on activity_weekly, the week scored
 * (as_of_week), the window and the half-life, never on the weights, so
 * they are kept in activity_features and a score after a weight change
 * reads one row per person instead of every weekly cell.
 *
 * Validity: meta 'activity_version' is a counter bumped, in the same
 * transaction, by everything that changes activity_weekly (an activity
 * import, a person's data being purged). The cache records the parameters
 * it was built for (meta 'activity_features') and the version it matches
 * (meta 'activity_features_version'); it is used only when both match.
 * Purging one person deletes that person's cache row too, so a cache that
 * was valid stays valid and is carried to the new version.
 */
#ifndef AMB_CORE_STORE_FEATURES_H
#define AMB_CORE_STORE_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* Decayed sums of one person on one platform, in the order the weekly
 * scan met the platforms. Stored exactly (IEEE bits), so a score from the
 * cache equals one from the weekly cells bit for bit. */
struct feature_platform {
	int64_t platform;
	int weeks_active;
	double own, conversation, amplification, posts;
	double reactions, comments, shares; /* engagement parts on own posts */
};

struct feature_row {
	int64_t pid;
	int weeks_active;     /* weeks with own content or comments, all platforms */
	double steady_weight; /* sum of the decay weights of those weeks */
	bool coarse;          /* some cell of the window was coarse: steadiness unknown */
	const struct feature_platform *plats;
	size_t nplats;
};

/* Inside the caller's transaction, with person pid's weekly cells being
 * deleted: delete pid's cache row and bump the version, carrying a cache
 * that matched the old version to the new one. */
int store_features_forget(store *s, int64_t pid);

/* Whether the cache holds the sums for parameters `key` at the current
 * activity version: 1 yes, 0 no, or an err_code. *out_version receives the
 * current activity version either way. */
int store_features_valid(store *s, const char *key, int64_t *out_version);

/* Visit every cached person in pid order. Rows are borrowed for the call.
 * The callback returns 0 to go on; anything else stops and is returned. */
typedef int (*store_feature_fn)(void *ctx, const struct feature_row *r);
int store_features_each(store *s, store_feature_fn fn, void *ctx);

/* Replace the whole cache inside the caller's write transaction: rows from
 * `next` (called until it returns 1 = no more, or an err_code) become the
 * cache for `key` at activity version `version`. A failure that leaves the
 * caller's transaction usable is undone (a savepoint), logged and returns
 * 0: the cache is then as before. Other failures return their err_code. */
typedef int (*store_feature_next_fn)(void *ctx, struct feature_row *out);
int store_features_replace(store *s, const char *key, int64_t version, store_feature_next_fn next,
                           void *ctx);

#endif
