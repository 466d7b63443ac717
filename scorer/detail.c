/* detail.c - the per-person scoring detail to and from JSON (jansson).
 *
 * The encoding is compact, keys in a fixed order, numbers as JSON reals
 * with six significant digits (jansson's JSON_REAL_PRECISION(6): "%.6g",
 * with ".0" added to whole numbers), counts as integers, unknown numbers
 * as null. Decoding is lenient about missing members (old snapshots) and
 * strict about texts that do not fit their field: nothing is cut short.
 */
#include "scorer/detail.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

/* --- encoding ----------------------------------------------------------- */

static json_t *real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* A text, or null when empty; NULL when s is not UTF-8. */
static json_t *text_or_null(const char *s)
{
	return *s ? json_string(s) : json_null();
}

static json_t *activity_json(json_t *obj, const struct scorer_detail_activity *a)
{
	json_object_set_new(obj, "weeks_active", json_integer(a->weeks_active));
	json_object_set_new(obj, "own", real(a->own));
	json_object_set_new(obj, "conversation", real(a->conversation));
	json_object_set_new(obj, "amplification", real(a->amplification));
	json_object_set_new(obj, "own_posts", real(a->own_posts));
	json_object_set_new(obj, "engagement_per_post", real(a->engagement_per_post));
	return obj;
}

static int append_cb(const char *data, size_t len, void *ctx)
{
	buf_append(ctx, data, len);
	return 0;
}

int scorer_detail_encode(struct buf *b, const struct scorer_detail *d)
{
	json_t *root = json_object(), *act = json_object(), *facts = json_object();
	json_t *plats = json_array(), *survey = json_object();
	json_t *why = d->eligible ? json_null() : json_string(d->why_not);
	json_t *careless = text_or_null(d->careless);
	bool bad = !why || !careless;
	int rc = 0;

	json_object_set_new(root, "eligible", json_boolean(d->eligible));
	json_object_set_new(root, "why_not", why);
	json_object_set_new(root, "flags", json_integer((json_int_t)d->flags));
	json_object_set_new(root, "consent", json_string(d->consent));
	json_object_set_new(act, "steadiness", real(d->steadiness));
	json_object_set_new(act, "volume", real(d->volume));
	json_object_set_new(act, "response", real(d->response));
	json_object_set_new(act, "conversation", real(d->conversation));
	json_object_set_new(act, "authenticity", real(d->authenticity));
	json_object_set_new(root, "activity", act);
	activity_json(facts, &d->total);
	json_object_set_new(facts, "window_weeks", json_integer(d->window_weeks));
	json_object_set_new(facts, "weighted_volume", real(d->weighted_volume));
	json_object_set_new(facts, "own_share", real(d->own_share));
	json_object_set_new(facts, "engagement_per_post_shrunk",
	                    real(d->engagement_per_post_shrunk));
	json_object_set_new(facts, "company_engagement_per_post",
	                    real(d->company_engagement_per_post));
	json_object_set_new(root, "facts", facts);
	for (size_t i = 0; i < d->nplatforms && i < SCORER_DETAIL_MAX_PLATFORMS; i++) {
		json_t *pl = json_object(), *name = json_string(d->platforms[i].name);
		bad |= !name;
		json_object_set_new(pl, "platform", name);
		json_array_append_new(plats, activity_json(pl, &d->platforms[i].a));
	}
	json_object_set_new(root, "platforms", plats);
	json_object_set_new(survey, "attitude", real(d->in_attitude));
	json_object_set_new(survey, "intrinsic", real(d->in_intrinsic));
	json_object_set_new(survey, "extrinsic", real(d->in_extrinsic));
	json_object_set_new(survey, "careless", careless);
	json_object_set_new(root, "survey", survey);
	if (bad)
		rc = err_set(ERR_INVALID, "scoring detail: a platform name or flag is not UTF-8");
	else if (json_dump_callback(root, append_cb, b, JSON_COMPACT | JSON_REAL_PRECISION(6)))
		rc = err_set(ERR_INTERNAL, "scoring detail: cannot encode as JSON");
	json_decref(root);
	return rc;
}

/* --- decoding ----------------------------------------------------------- */

static double num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int whole(json_t *obj, const char *key)
{
	double v = num(obj, key);
	return isfinite(v) && fabs(v) < 1e9 ? (int)v : 0;
}

/* Copy a text member into out; "" when absent or null. */
static int text(char *out, size_t size, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	size_t len = json_is_string(v) ? json_string_length(v) : 0;

	out[0] = '\0';
	if (len >= size)
		return err_set(ERR_CORRUPT, "snapshot detail: %s is longer than %zu bytes", key,
		               size - 1);
	if (len)
		memcpy(out, json_string_value(v), len + 1);
	return 0;
}

static void read_activity(struct scorer_detail_activity *a, json_t *obj)
{
	a->weeks_active = whole(obj, "weeks_active");
	a->own = num(obj, "own");
	a->conversation = num(obj, "conversation");
	a->amplification = num(obj, "amplification");
	a->own_posts = num(obj, "own_posts");
	a->engagement_per_post = num(obj, "engagement_per_post");
}

static int read_platforms(struct scorer_detail *out, json_t *plats)
{
	size_t i;
	json_t *pl;
	int rc;

	if (json_array_size(plats) > SCORER_DETAIL_MAX_PLATFORMS)
		return err_set(ERR_CORRUPT, "snapshot detail: more than %d platforms",
		               SCORER_DETAIL_MAX_PLATFORMS);
	json_array_foreach(plats, i, pl)
	{
		struct scorer_detail_platform *p = &out->platforms[out->nplatforms++];
		if ((rc = text(p->name, sizeof(p->name), pl, "platform")))
			return rc;
		read_activity(&p->a, pl);
	}
	return 0;
}

int scorer_detail_decode(struct scorer_detail *out, const char *json)
{
	json_error_t jerr;
	json_t *root = json_loads(json ? json : "", 0, &jerr), *act, *facts, *survey, *flags;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(root)) {
		rc = err_set(ERR_CORRUPT, "snapshot detail is not a JSON object");
		goto done;
	}
	out->eligible = json_is_true(json_object_get(root, "eligible"));
	flags = json_object_get(root, "flags");
	out->flags = json_is_integer(flags) && json_integer_value(flags) >= 0 &&
	                     json_integer_value(flags) <= 0xffff
	                 ? (unsigned)json_integer_value(flags)
	                 : 0;
	act = json_object_get(root, "activity");
	out->steadiness = num(act, "steadiness");
	out->volume = num(act, "volume");
	out->response = num(act, "response");
	out->conversation = num(act, "conversation");
	out->authenticity = num(act, "authenticity");
	facts = json_object_get(root, "facts");
	read_activity(&out->total, facts);
	out->window_weeks = whole(facts, "window_weeks");
	out->weighted_volume = num(facts, "weighted_volume");
	out->own_share = num(facts, "own_share");
	out->engagement_per_post_shrunk = num(facts, "engagement_per_post_shrunk");
	out->company_engagement_per_post = num(facts, "company_engagement_per_post");
	survey = json_object_get(root, "survey");
	out->in_attitude = num(survey, "attitude");
	out->in_intrinsic = num(survey, "intrinsic");
	out->in_extrinsic = num(survey, "extrinsic");
	if ((rc = text(out->why_not, sizeof(out->why_not), root, "why_not")) ||
	    (rc = text(out->consent, sizeof(out->consent), root, "consent")) ||
	    (rc = text(out->careless, sizeof(out->careless), survey, "careless")) ||
	    (rc = read_platforms(out, json_object_get(root, "platforms"))))
		goto done;
done:
	json_decref(root);
	return rc;
}
