/* explain.c - a scoring detail (scorer/detail.h) to plain words. Every sentence here is
 * about facts the person produced (their posts, their survey answers),
 * never about other people, so nothing leaks from small groups.
 */
#include "scorer/explain.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *explain_band(double pct)
{
	if (!isfinite(pct))
		return "no comparison";
	if (pct >= 90)
		return "top 10%";
	if (pct >= 75)
		return "top 25%";
	if (pct >= 50)
		return "upper half";
	if (pct >= 25)
		return "lower half";
	return "bottom 25%";
}

static void sep(struct buf *b, const char *s)
{
	if (b->len)
		buf_puts(b, s);
}

/* What the person does on their main platform. */
static void activity_phrase(struct buf *b, const struct scorer_detail *d)
{
	const struct scorer_detail_platform *p = d->nplatforms ? &d->platforms[0] : NULL;
	int w = p ? p->a.weeks_active : 0;

	if (!p || w == 0) {
		buf_puts(b, "no own posts or comments in the window");
		return;
	}
	bool posts = p->a.own > 0;
	const char *what = posts && p->a.conversation > 0 ? "own posts and comments"
	                   : posts                        ? "own posts"
	                                                  : "comments";
	/* steadiness NAN: weeks spread from a longer report, not observed */
	bool steady = isfinite(d->steadiness) && 2 * w >= d->window_weeks;
	buf_printf(b, "%s%s on %s in %d of %d weeks", steady ? "steady " : "", what, p->name, w,
	           d->window_weeks);
	if (!isfinite(d->steadiness))
		buf_puts(b, " (steadiness could not be observed: a report over several weeks)");
}

void explain_facts(struct buf *out, const struct scorer_detail *d, double attitude,
                   double motivation, double attitude_pct, double motivation_pct)
{
	struct buf b = {0};

	activity_phrase(&b, d);
	/* 0.75 is the company's third quartile (scorer/response.h): only the
	 * top quarter draws a strong response. */
	if (d->response >= 0.75 && d->total.own_posts > 0)
		buf_printf(&b, "; own posts draw a strong response (%.0f per post)",
		           d->engagement_per_post_shrunk);
	if (isfinite(d->authenticity) && d->authenticity < 1)
		buf_puts(&b, "; much of the activity is resharing or suggested content");
	if (isfinite(attitude) && attitude >= 0.6)
		buf_printf(&b, "; positive attitude (%s)", explain_band(attitude_pct));
	else if (isfinite(attitude) && attitude < 0.4)
		buf_puts(&b, "; reserved attitude to the organisation");
	if (isfinite(motivation) && motivation >= 0.7)
		buf_puts(&b, "; enjoys sharing knowledge");
	else if (isfinite(d->in_extrinsic) && isfinite(d->in_intrinsic) &&
	         d->in_extrinsic > d->in_intrinsic)
		buf_puts(&b, "; motivated more by rewards than by the work itself");
	(void)motivation_pct;
	sep(out, "; ");
	buf_puts(out, b.data ? b.data : "");
	buf_free(&b);
}

void explain_reasons(struct buf *b, const struct scorer_detail *d, double activity, double attitude,
                     double motivation, double attitude_pct, double motivation_pct)
{
	struct buf first = {0};
	activity_phrase(&first, d);
	if (first.data && first.data[0] >= 'a' && first.data[0] <= 'z')
		first.data[0] = (char)(first.data[0] - 'a' + 'A');
	buf_printf(b, "  - %s.\n", first.data ? first.data : "");
	buf_free(&first);
	if (d->total.own_posts > 0)
		buf_printf(b,
		           "  - Own posts draw about %.1f reactions/comments/shares each (weighted)"
		           "; counted as %.1f after allowing for few posts (company: %.1f).\n",
		           d->total.engagement_per_post, d->engagement_per_post_shrunk,
		           d->company_engagement_per_post);
	if (isfinite(d->own_share) && d->own_share < 0.999)
		buf_printf(
		    b,
		    "  - %.0f%% of the weighted activity is own posts and comments; the rest "
		    "is resharing, reactions or company-suggested content, which counts "
		    "little%s.\n",
		    100 * d->own_share,
		    isfinite(d->authenticity) && d->authenticity < 1 ? " and lowers activity" : "");
	if (isfinite(attitude))
		buf_printf(b, "  - Attitude toward the organisation %.2f of 1 (%s).\n", attitude,
		           explain_band(attitude_pct));
	if (isfinite(motivation))
		buf_printf(b, "  - Intrinsic motivation %.2f of 1 (%s)%s.\n", motivation,
		           explain_band(motivation_pct),
		           isfinite(d->in_extrinsic) && isfinite(d->in_intrinsic) &&
		                   d->in_extrinsic > d->in_intrinsic
		               ? "; rewards matter more to them than the work itself, which "
		                 "lowers it"
		               : "");
	if (d->careless[0])
		buf_printf(b, "  - The survey answer was flagged (%s) and is not used.\n",
		           d->careless);
	if (activity < 0.2 || (isfinite(attitude) && attitude < 0.3))
		buf_puts(b, "  - A candidate needs both activity and a positive attitude; a low "
		            "value on either keeps the score low, whatever the other.\n");
	if (strcmp(d->consent, "not_asked") == 0)
		buf_puts(b, "  - Consent has not been asked yet: ask before anything else.\n");
}
