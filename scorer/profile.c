/* profile.c - the parameter table, validation, JSON (jansson) and named
 * profiles. One table holds every key with its default, range and help;
 * everything else (defaults, validation, JSON, `weights show`) walks it.
 */
#include "scorer/profile.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/num.h"
#include "core/store_scores.h"

#define P(field) offsetof(struct scorer_params, field)

static const struct scorer_param_info params_table[] = {
    {"window_weeks", P(window_weeks), 26, 1, 260, true, "weeks of activity before as_of"},
    {"half_life_weeks", P(half_life_weeks), 13, 1, 520, false,
     "age in weeks at which activity counts half"},
    {"volume_conversation", P(volume_conversation), 0.5, 0, 1, false,
     "weight of a comment in the volume (own post = 1)"},
    {"volume_amplification", P(volume_amplification), 0.1, 0, 1, false,
     "weight of a reshare, reaction or suggested item in the volume"},
    {"engagement_reactions", P(engagement_reactions), 1, 0, 100, false,
     "engagement points per reaction to an own post"},
    {"engagement_comments", P(engagement_comments), 2, 0, 100, false,
     "engagement points per comment on an own post"},
    {"engagement_shares", P(engagement_shares), 3, 0, 100, false,
     "engagement points per share of an own post"},
    {"prior_posts", P(prior_posts), 5, 0, 1000, false,
     "shrinkage: posts' worth of the company's median response added to everyone"},
    {"ref_quantile", P(ref_quantile), 0.9, 0.5, 1, false,
     "volume/response/conversation reach 1.0 at this quantile of the active"},
    {"authenticity_full", P(authenticity_full), 0.5, 0.01, 1, false,
     "own share of the weighted volume at which activity is not reduced"},
    {"w_steadiness", P(w_steadiness), 0.35, 0, 1, false, "activity: weight of steadiness"},
    {"w_volume", P(w_volume), 0.25, 0, 1, false, "activity: weight of volume"},
    {"w_response", P(w_response), 0.25, 0, 1, false, "activity: weight of response"},
    {"w_conversation", P(w_conversation), 0.15, 0, 1, false, "activity: weight of conversation"},
    {"extrinsic_penalty", P(extrinsic_penalty), 0.25, 0, 1, false,
     "motivation: taken off per point extrinsic exceeds intrinsic"},
    /* Relative: the score divides by their sum, so w_activity=2 means
     * activity counts twice what it did next to the same others. */
    {"w_activity", P(w_activity), 0.4, 0, 10, false, "score: weight of activity (relative)"},
    {"w_attitude", P(w_attitude), 0.4, 0, 10, false, "score: weight of attitude (relative)"},
    {"w_motivation", P(w_motivation), 0.2, 0, 10, false, "score: weight of motivation (relative)"},
    {"component_floor", P(component_floor), 0.01, 0.001, 0.5, false,
     "score: a component below this counts as this (log of 0)"},
    {"require_consent", P(require_consent), 0, 0, 1, true,
     "1: only consent=yes is eligible; 0: not-yet-asked too"},
    {"cooldown_days", P(cooldown_days), 365, 0, 3650, true,
     "days a declined person stays out of every list"},
    {"min_score", P(min_score), 40, 0, 100, false, "candidates: minimum score for a seat"},
    {"max_share", P(max_share), 0.25, 0.01, 1, false,
     "candidates: largest share of seats one department may take"},
    {"level_tie", P(level_tie), 5, 0, 100, false,
     "candidates: score points within which a less represented level goes first"},
    {"min_group", P(min_group), 5, 2, 1000, true,
     "smallest group for which department figures are shown"},
};

#define NPARAMS (sizeof(params_table) / sizeof(params_table[0]))

size_t scorer_param_count(void)
{
	return NPARAMS;
}

const struct scorer_param_info *scorer_param_at(size_t i)
{
	return i < NPARAMS ? &params_table[i] : NULL;
}

static double *field(struct scorer_params *p, size_t i)
{
	return (double *)((char *)p + params_table[i].offset);
}

double scorer_param_value(const struct scorer_params *p, size_t i)
{
	return *(const double *)((const char *)p + params_table[i].offset);
}

void scorer_params_defaults(struct scorer_params *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < NPARAMS; i++)
		*field(out, i) = params_table[i].def;
}

static int find_key(const char *key)
{
	for (size_t i = 0; i < NPARAMS; i++)
		if (strcmp(params_table[i].key, key) == 0)
			return (int)i;
	return -1;
}

static int set_checked(struct scorer_params *p, size_t i, double v)
{
	const struct scorer_param_info *pi = &params_table[i];

	if (!isfinite(v) || v < pi->min || v > pi->max)
		return err_set(ERR_INVALID, "%s: %g is out of range (%g to %g)", pi->key, v,
		               pi->min, pi->max);
	if (pi->integer && v != floor(v))
		return err_set(ERR_INVALID, "%s: %g is not a whole number", pi->key, v);
	*field(p, i) = v;
	return 0;
}

int scorer_params_set(struct scorer_params *p, const char *key, const char *value)
{
	int i = find_key(key);
	double v;

	if (i < 0)
		return err_set(ERR_INVALID, "%s: unknown weight (see `ambassador weights show`)",
		               key);
	if (num_double(value, &v) != 0)
		return err_set(ERR_INVALID, "%s: '%s' is not a number", key, value);
	return set_checked(p, (size_t)i, v);
}

int scorer_params_check(const struct scorer_params *p)
{
	if (p->w_steadiness + p->w_volume + p->w_response + p->w_conversation <= 0)
		return err_set(ERR_INVALID, "w_steadiness, w_volume, w_response, w_conversation: "
		                            "at least one must be above 0");
	if (p->w_activity <= 0 || p->w_attitude <= 0)
		return err_set(ERR_INVALID,
		               "%s: must be above 0 (a candidate needs both activity "
		               "and attitude)",
		               p->w_activity <= 0 ? "w_activity" : "w_attitude");
	return 0;
}

int scorer_params_from_json(struct scorer_params *out, const char *json)
{
	json_error_t jerr;
	json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	const char *key;
	json_t *val;
	int rc = 0;

	scorer_params_defaults(out);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		return err_set(ERR_INVALID, "weight profile is not a JSON object: %s",
		               root ? "wrong type" : jerr.text);
	}
	json_object_foreach(root, key, val)
	{
		int i = find_key(key);
		if (i < 0) {
			rc = err_set(ERR_INVALID, "%s: unknown weight in profile", key);
			break;
		}
		if (!json_is_number(val)) {
			rc = err_set(ERR_INVALID, "%s: not a number in profile", key);
			break;
		}
		if ((rc = set_checked(out, (size_t)i, json_number_value(val))))
			break;
	}
	json_decref(root);
	return rc ? rc : scorer_params_check(out);
}

char *scorer_params_to_json(const struct scorer_params *p)
{
	json_t *root = json_object();
	char *text;

	for (size_t i = 0; i < NPARAMS; i++) {
		double v = scorer_param_value(p, i);
		json_t *jv = params_table[i].integer ? json_integer((json_int_t)v) : json_real(v);
		json_object_set_new(root, params_table[i].key, jv);
	}
	/* Insertion order is kept by jansson >= 2.8: table order. 15 digits
	 * give back exactly any decimal a user typed with up to 15 digits. */
	text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(root);
	if (!text)
		abort(); /* only on out-of-memory, like xmalloc */
	char *copy = xstrdup(text);
	free(text);
	return copy;
}

int scorer_profile_active(store *s, char **out)
{
	int rc = store_meta_get(s, "active_profile", out);

	if (rc < 0)
		return rc;
	if (rc == 0 || !**out) {
		free(*out);
		*out = xstrdup("default");
	}
	return 0;
}

int scorer_profile_load(store *s, const char *name, bool create, struct scorer_params *out,
                        int64_t *out_version, char **out_name)
{
	struct profile_version pv;
	char *active = NULL;
	int rc;

	if (!name) {
		if ((rc = scorer_profile_active(s, &active)))
			return rc;
		name = active;
	}
	rc = store_profile_get(s, name, 0, &pv);
	if (rc == 0 && create) {
		char *json;
		scorer_params_defaults(out);
		json = scorer_params_to_json(out);
		rc = store_profile_add(s, name, json, "ambassador", "defaults", clock_now(),
		                       out_version);
		free(json);
		if (!rc && out_name)
			*out_name = xstrdup(name);
		free(active);
		return rc;
	}
	if (rc == 0)
		rc = err_set(ERR_NOT_FOUND, "no weight profile named '%s'", name);
	if (rc < 0) {
		free(active);
		return rc;
	}
	rc = scorer_params_from_json(out, pv.params);
	if (rc)
		err_wrap(rc, "profile %s version %lld", name, (long long)pv.version);
	if (out_version)
		*out_version = pv.version;
	if (!rc && out_name)
		*out_name = xstrdup(name);
	store_profile_version_free(&pv);
	free(active);
	return rc;
}

int scorer_profile_save(store *s, const char *name, const struct scorer_params *p,
                        const char *author, const char *note, int64_t *out_version)
{
	char *json;
	int rc;

	if ((rc = scorer_params_check(p)))
		return rc;
	json = scorer_params_to_json(p);
	if ((rc = store_begin(s)))
		goto done;
	rc = store_profile_add(s, name, json, author, note, clock_now(), out_version);
	if (rc)
		store_rollback(s);
	else
		rc = store_commit(s);
done:
	free(json);
	return rc;
}

int scorer_profile_rollback(store *s, const char *name, int64_t to, const char *author,
                            const char *note, int64_t *out_version)
{
	struct profile_version newest, target;
	struct scorer_params p;
	char *text = NULL;
	int rc;

	if ((rc = store_profile_get(s, name, 0, &newest)) <= 0)
		return rc ? rc : err_set(ERR_NOT_FOUND, "no weight profile named '%s'", name);
	if (to == 0)
		to = newest.version - 1;
	store_profile_version_free(&newest);
	if (to < 1 || (rc = store_profile_get(s, name, to, &target)) == 0)
		return err_set(ERR_NOT_FOUND, "profile '%s' has no version %lld to roll back to",
		               name, (long long)to);
	if (rc < 0)
		return rc;
	/* Re-validated (a version written by an older binary must still hold),
	 * then copied verbatim so the new version equals the old one exactly. */
	rc = scorer_params_from_json(&p, target.params);
	text = note && *note ? xasprintf("rollback to v%lld: %s", (long long)to, note)
	                     : xasprintf("rollback to v%lld", (long long)to);
	if (!rc && !(rc = store_begin(s))) {
		rc = store_profile_add(s, name, target.params, author, text, clock_now(),
		                       out_version);
		if (rc)
			store_rollback(s);
		else
			rc = store_commit(s);
	}
	store_profile_version_free(&target);
	free(text);
	return rc;
}
