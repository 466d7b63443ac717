/* detail.c - the per-person scoring detail to and from JSON.
 *
 * The encoding is compact, keys in a fixed order, numbers as "%.6g" (six
 * significant digits), counts as integers, unknown numbers as null. It is
 * written directly into the buffer, not through a jansson tree: a snapshot
 * writes one detail per person, and building and dumping a tree (its
 * allocations, its cycle check, printf for every number) made a rescore
 * four times as costly in CPU (docs/design.md). Decoding uses jansson;
 * a test decodes and re-encodes every detail of a scored population to
 * the same bytes. Decoding is lenient about missing members (old
 * snapshots) and strict about texts that do not fit their field: nothing
 * is cut short.
 */
#include "scorer/detail.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

/* --- encoding ----------------------------------------------------------- */

/* Decimal digits of n into out; returns the length. */
static size_t fmt_uint(char *out, unsigned long long n)
{
	char rev[24];
	size_t k = 0, len;

	do
		rev[k++] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	for (len = 0; k > 0; len++)
		out[len] = rev[--k];
	return len;
}

/* Exactly what "%.6g" prints for v (finite) into out (32 bytes or more,
 * NUL-terminated), without printf for the values a detail holds: zero,
 * whole numbers below 10^6, and anything from 10^-4 to 10^6, which "%.6g"
 * prints in plain notation rounded to six significant digits. v * 10^k
 * (below 10^6, 10^k exact) is off by at most 2^-34 < 1e-10, so rounding it
 * to an integer is decided right unless it lies within 1e-9 of a half:
 * those, and everything else, go to snprintf. A snapshot formats some
 * thirty numbers per person. Returns the length. */
size_t scorer_detail_fmt_g6(char *out, double v)
{
	static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	static const double decade[] = {1e5, 1e4, 1e3, 1e2, 1e1, 1, 1e-1, 1e-2, 1e-3, 1e-4};

	if (v == 0 && !signbit(v)) {
		out[0] = '0';
		out[1] = '\0';
		return 1;
	}
	if (v >= 1 && v < 1e6 && v == floor(v)) {
		size_t n = fmt_uint(out, (unsigned long long)v);
		out[n] = '\0';
		return n;
	}
	if (v >= 1e-4 && v < 1e6) {
		int e = 5; /* 10^e <= v < 10^(e+1), checked below through m */
		for (int i = 0; i < 10 && v < decade[i]; i++)
			e--;
		double sc = v * pow10[5 - e], fl = floor(sc), frac = sc - fl;
		unsigned long long m = (unsigned long long)fl + (frac > 0.5);
		if (fabs(frac - 0.5) > 1e-9 && m >= 100000 && m <= 999999) {
			char d[6];
			size_t n = 0;
			int last = 5; /* last digit kept: trailing zeros go */
			for (int i = 5; i >= 0; i--, m /= 10)
				d[i] = (char)('0' + m % 10);
			while (last > e && last > 0 && d[last] == '0')
				last--;
			if (e >= 0) {
				for (int i = 0; i <= last; i++) {
					out[n++] = d[i];
					if (i == e && i < last)
						out[n++] = '.';
				}
			} else {
				out[n++] = '0';
				out[n++] = '.';
				for (int i = -1; i > e; i--)
					out[n++] = '0';
				for (int i = 0; i <= last; i++)
					out[n++] = d[i];
			}
			out[n] = '\0';
			return n;
		}
	}
	return (size_t)snprintf(out, 32, "%.6g", v);
}

/* ,"key": (comma) or "key": into out; returns the length. */
static size_t fmt_key(char *out, const char *key, bool comma)
{
	size_t n = 0, k = strlen(key);

	if (comma)
		out[n++] = ',';
	out[n++] = '"';
	memcpy(out + n, key, k + 1); /* with its NUL, overwritten next */
	n += k;
	out[n++] = '"';
	out[n++] = ':';
	return n;
}

/* One buf_append per number: buf_printf would format it twice. */
static void put_num(struct buf *b, const char *key, double v, bool comma)
{
	char tmp[128];
	size_t n = fmt_key(tmp, key, comma);

	if (isfinite(v))
		n += scorer_detail_fmt_g6(tmp + n, v);
	else {
		memcpy(tmp + n, "null", 5);
		n += 4;
	}
	buf_append(b, tmp, n);
}

static void put_int(struct buf *b, const char *key, long long v, bool comma)
{
	char tmp[128];
	size_t n = fmt_key(tmp, key, comma);

	if (v < 0)
		tmp[n++] = '-';
	n += fmt_uint(tmp + n, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);
	buf_append(b, tmp, n);
}

/* A JSON string: '"' and '\' escaped, control characters as \u00XX,
 * everything else (UTF-8, checked by the caller) as it is. */
static void put_str(struct buf *b, const char *s)
{
	buf_puts(b, "\"");
	while (*s) {
		size_t run = 0;
		while (s[run] && s[run] != '"' && s[run] != '\\' && (unsigned char)s[run] >= 0x20)
			run++;
		buf_append(b, s, run); /* plain characters in one go */
		s += run;
		if (!*s)
			break;
		unsigned char ch = (unsigned char)*s++;
		if (ch == '"' || ch == '\\')
			buf_printf(b, "\\%c", ch);
		else
			buf_printf(b, "\\u%04x", ch);
	}
	buf_puts(b, "\"");
}

static void put_str_or_null(struct buf *b, const char *s)
{
	if (*s)
		put_str(b, s);
	else
		buf_puts(b, "null");
}

static void put_activity(struct buf *b, const struct scorer_detail_activity *a)
{
	put_int(b, "weeks_active", a->weeks_active, false);
	put_num(b, "own", a->own, true);
	put_num(b, "conversation", a->conversation, true);
	put_num(b, "amplification", a->amplification, true);
	put_num(b, "own_posts", a->own_posts, true);
	put_num(b, "engagement_per_post", a->engagement_per_post, true);
}

/* Whether s is UTF-8 (jansson's own check, so that what is written here
 * always reads back). Only for the few texts that can come from input. */
static bool is_utf8(const char *s)
{
	json_t *j;
	const char *c = s;

	while (*c && (unsigned char)*c < 0x80)
		c++;
	if (!*c)
		return true; /* ASCII, as the flags and most names are */
	j = json_string(s);
	json_decref(j);
	return j != NULL;
}

static bool texts_utf8(const struct scorer_detail *d)
{
	size_t np = d->nplatforms < SCORER_DETAIL_MAX_PLATFORMS ? d->nplatforms
	                                                        : SCORER_DETAIL_MAX_PLATFORMS;
	bool ok = is_utf8(d->why_not) && is_utf8(d->consent) && is_utf8(d->careless);

	for (size_t i = 0; i < np; i++)
		ok = ok && is_utf8(d->platforms[i].name);
	return ok;
}

static int not_utf8(void)
{
	return err_set(ERR_INVALID, "scoring detail: a platform name or flag is not UTF-8");
}

/* A text of the scored part: UTF-8 without control characters, so that
 * SQLite's json_quote() escapes it as put_str does. */
static bool scored_text_ok(const char *s)
{
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20)
			return false;
	return is_utf8(s);
}

int scorer_detail_scored_columns(const struct scorer_detail *d, struct scorer_detail_scored *out)
{
	const double v[SNAPSHOT_SCORED_NUMS] = {
	    [SCORED_STEADINESS] = d->steadiness,
	    [SCORED_VOLUME] = d->volume,
	    [SCORED_RESPONSE] = d->response,
	    [SCORED_CONVERSATION] = d->conversation,
	    [SCORED_AUTHENTICITY] = d->authenticity,
	    [SCORED_WEIGHTED_VOLUME] = d->weighted_volume,
	    [SCORED_OWN_SHARE] = d->own_share,
	    [SCORED_ENGAGEMENT_PER_POST_SHRUNK] = d->engagement_per_post_shrunk,
	    [SCORED_COMPANY_ENGAGEMENT_PER_POST] = d->company_engagement_per_post,
	};

	out->cols = (struct snapshot_scored){0};
	if (!scored_text_ok(d->why_not) || !scored_text_ok(d->consent))
		return err_set(ERR_INVALID, "scoring detail: why_not or consent is not UTF-8"
		                            " without control characters");
	memcpy(out->why_not, d->why_not, sizeof(out->why_not));
	memcpy(out->consent, d->consent, sizeof(out->consent));
	out->cols.flags = d->flags;
	out->cols.why_not = d->eligible ? NULL : out->why_not;
	out->cols.consent = out->consent;
	for (int k = 0; k < SNAPSHOT_SCORED_NUMS; k++) {
		out->cols.num[k] = NULL;
		if (isfinite(v[k])) {
			scorer_detail_fmt_g6(out->num[k], v[k]);
			out->cols.num[k] = out->num[k];
		}
	}
	return 0;
}

/* The members that depend on the weights, ending in the "facts" object
 * the facts part continues: the columns through the stored format. */
static void put_scored(struct buf *b, const struct scorer_detail *d,
                       const struct scorer_detail_scored *sc)
{
	struct buf why = {0}, consent = {0};
	const char *const *n = sc->cols.num;

	if (sc->cols.why_not)
		put_str(&why, sc->cols.why_not);
	put_str(&consent, sc->cols.consent);
#define SCORED_NUM(k) (n[k] ? n[k] : "null")
	buf_printf(b, SNAPSHOT_SCORED_FORMAT, d->eligible ? "true" : "false",
	           sc->cols.why_not ? why.data : "null", (int)sc->cols.flags, consent.data,
	           SCORED_NUM(0), SCORED_NUM(1), SCORED_NUM(2), SCORED_NUM(3), SCORED_NUM(4),
	           SCORED_NUM(5), SCORED_NUM(6), SCORED_NUM(7), SCORED_NUM(8));
#undef SCORED_NUM
	buf_free(&why);
	buf_free(&consent);
}

/* The members that do not: the rest of "facts", platforms, survey. */
static void put_facts(struct buf *b, const struct scorer_detail *d)
{
	size_t np = d->nplatforms < SCORER_DETAIL_MAX_PLATFORMS ? d->nplatforms
	                                                        : SCORER_DETAIL_MAX_PLATFORMS;

	put_activity(b, &d->total);
	put_int(b, "window_weeks", d->window_weeks, true);
	buf_puts(b, "},\"platforms\":[");
	for (size_t i = 0; i < np; i++) {
		buf_puts(b, i ? ",{\"platform\":" : "{\"platform\":");
		put_str(b, d->platforms[i].name);
		buf_puts(b, ",");
		put_activity(b, &d->platforms[i].a);
		buf_puts(b, "}");
	}
	buf_puts(b, "],\"survey\":{");
	put_num(b, "attitude", d->in_attitude, false);
	put_num(b, "intrinsic", d->in_intrinsic, true);
	put_num(b, "extrinsic", d->in_extrinsic, true);
	buf_puts(b, ",\"careless\":");
	put_str_or_null(b, d->careless);
	buf_puts(b, "}}");
}

int scorer_detail_encode(struct buf *b, const struct scorer_detail *d)
{
	struct scorer_detail_scored sc;
	int rc;

	if (!texts_utf8(d))
		return not_utf8();
	if ((rc = scorer_detail_scored_columns(d, &sc)))
		return rc;
	put_scored(b, d, &sc);
	buf_puts(b, ",");
	put_facts(b, d);
	return 0;
}

int scorer_detail_encode_scored(struct buf *b, const struct scorer_detail *d)
{
	struct scorer_detail_scored sc;
	int rc;

	if ((rc = scorer_detail_scored_columns(d, &sc)))
		return rc;
	put_scored(b, d, &sc);
	buf_puts(b, "}}");
	return 0;
}

int scorer_detail_encode_facts(struct buf *b, const struct scorer_detail *d)
{
	if (!texts_utf8(d))
		return not_utf8();
	buf_puts(b, SCORER_DETAIL_FACTS_HEAD);
	put_facts(b, d);
	return 0;
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
