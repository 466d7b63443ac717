/* report_html.c - HR's report as one self-contained HTML file: inline CSS
 * and inline SVG, no script, no font, image or style from anywhere else,
 * so it opens offline on a laptop or a phone and prints as a tidy
 * document. Every chart is a <figure> with a caption and a table holding
 * the same numbers. Colours are the Okabe-Ito palette, which readers with
 * the common colour-vision deficiencies can tell apart; no meaning rests on
 * colour alone (labels and tables carry it too).
 *
 * The charts are drawn by cli/report_charts.c.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli/report.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/timefmt.h"

static const char css[] =
    ":root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--soft:#f5f7fa;--accent:" REPORT_BLUE "}"
    "*{box-sizing:border-box}"
    "html{-webkit-text-size-adjust:100%}"
    "body{margin:0;color:var(--ink);background:#fff;font:15px/1.5 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}"
    "main{max-width:1200px;margin:0 auto;padding:28px 24px 48px}"
    "header.top{border-bottom:3px solid var(--accent);padding-bottom:14px;margin-bottom:22px}"
    "h1{font-size:26px;margin:0 0 4px;letter-spacing:-.01em}"
    "h2{font-size:19px;margin:34px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}"
    "h3{font-size:15px;margin:18px 0 6px}"
    ".meta{color:var(--muted);font-size:13.5px;margin:0}"
    ".notice{background:#fff8e6;border-left:4px solid " REPORT_ORANGE ";padding:10px 14px;"
    "margin:16px 0;font-size:14px}"
    ".kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;"
    "margin:14px 0}"
    ".kpi{background:var(--soft);border:1px solid var(--line);border-radius:6px;"
    "padding:10px 14px}"
    ".kpi b{display:block;font-size:24px;font-variant-numeric:tabular-nums}"
    ".kpi span{color:var(--muted);font-size:13px}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;width:100%;font-size:13.5px;margin:6px 0 10px}"
    "th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);"
    "vertical-align:top}"
    "th{background:var(--soft);font-weight:600;font-size:12.5px;color:var(--muted)}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "td.who b{display:block;white-space:nowrap}td.who small{color:var(--muted)}"
    "td.why{font-size:12.5px;color:#323f4b;min-width:260px}"
    "td.status{font-size:12.5px;white-space:nowrap}td.status .badge{margin-top:3px}"
    ".bars{display:grid;grid-template-columns:auto 64px 34px;gap:1px 6px;align-items:center;"
    "font-size:11.5px;min-width:150px}"
    ".bars i{display:block;height:8px;background:var(--soft);border:1px solid var(--line);"
    "border-radius:2px;position:relative;overflow:hidden}"
    ".bars i s{position:absolute;left:0;top:0;bottom:0;text-decoration:none}"
    ".bars em{font-style:normal;color:var(--muted)}"
    ".badge{display:inline-block;padding:1px 7px;border-radius:9px;font-size:12px;"
    "border:1px solid var(--line);white-space:nowrap}"
    ".b-accepted{background:#e3f1fa;border-color:" REPORT_BLUE "}"
    ".b-declined,.b-withdrawn{background:#fbe9e1;border-color:" REPORT_VERMILLION "}"
    ".b-invited{background:#fff3d6;border-color:" REPORT_ORANGE "}"
    "figure{margin:18px 0 26px;padding:14px 16px;border:1px solid var(--line);border-radius:6px;"
    "break-inside:avoid}"
    "figure svg{display:block;width:100%;height:auto;max-height:560px}"
    "figcaption{font-size:13.5px;color:#323f4b;margin:8px 0 6px}"
    "figcaption b{color:var(--ink)}"
    ".legend{font-size:12.5px;color:var(--muted);margin:4px 0}"
    ".legend span{display:inline-block;width:11px;height:11px;margin:0 4px -1px 12px;"
    "border-radius:2px}"
    "table.data{font-size:12.5px;max-width:760px}"
    "dl.params{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:13px}"
    "dl.params dt{font-family:ui-monospace,Menlo,Consolas,monospace}"
    "dl.params dd{margin:0;color:var(--muted)}"
    "footer{margin-top:36px;font-size:12.5px;color:var(--muted);border-top:1px solid var(--line);"
    "padding-top:10px}"
    "@media (max-width:640px){main{padding:16px 12px}h1{font-size:21px}"
    "td.why{min-width:180px}}"
    "@media print{@page{size:A4 landscape;margin:12mm 12mm}"
    "body{font-size:10.5pt}main{max-width:none;padding:0}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "h2{break-after:avoid}tr,figure,.kpi{break-inside:avoid}thead{display:table-header-group}"
    ".scroll{overflow:visible}figure svg{max-height:none}"
    "table{font-size:8.5pt}th,td{padding:3px 4px}td.why{min-width:0;font-size:8pt}"
    ".bars{min-width:0;grid-template-columns:auto 40px 24px;font-size:7.5pt}"
    ".kpis{grid-template-columns:repeat(4,1fr)}.kpi b{font-size:16pt}"
    "figure{padding:8px 10px}}";

void html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* At most `max` characters (UTF-8), with an ellipsis when cut. */
void html_short(FILE *f, const char *s, size_t max)
{
	size_t chars = 0, i = 0;

	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars > max)
			break;
	}
	if (!s[i]) {
		html_text(f, s);
		return;
	}
	char *cut = xstrndup(s, i);
	html_text(f, cut);
	fputs("\xE2\x80\xA6", f);
	free(cut);
}

void html_head(FILE *f, const char *title)
{
	/* A Content-Security-Policy that forbids every fetch: even a browser
	 * that would follow a link in the page cannot load anything. */
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"robots\" content=\"noindex\">\n<title>",
	      f);
	html_text(f, title);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", css);
}

void html_foot(FILE *f)
{
	fputs("</main>\n</body>\n</html>\n", f);
}

static void fmt_day(char *out, size_t n, int64_t t)
{
	if (t > 0)
		timefmt_date(out, n, t);
	else
		snprintf(out, n, "never");
}

static void fmt_when(char *out, size_t n, int64_t t)
{
	char iso[32];

	timefmt_iso(iso, sizeof(iso), t);
	/* 2026-12-06T06:17:45Z -> 2026-12-06 06:17 UTC */
	if (strlen(iso) >= 16) {
		iso[10] = ' ';
		iso[16] = '\0';
		snprintf(out, n, "%s UTC", iso);
	} else {
		snprintf(out, n, "%s", iso);
	}
}

double report_pct(size_t part, size_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* 979880 -> "979,880" */
void html_count(char *out, size_t n, unsigned long long v)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%llu", v);
	size_t k = 0;

	for (int i = 0; i < len && k + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	out[k] = '\0';
}

/* --- summary -------------------------------------------------------------- */

static void kpi(FILE *f, const char *value, const char *label)
{
	fprintf(f, "<div class=\"kpi\"><b>%s</b><span>%s</span></div>\n", value, label);
}

static void summary(FILE *f, const struct report *r)
{
	char a[64], b[64], c[64], d[64];
	size_t invited = 0, accepted = 0;
	int64_t not_eligible = r->v.info.people - r->v.info.eligible;

	for (size_t i = 0; i < r->ndepts; i++) {
		invited += r->depts[i].invited;
		accepted += r->depts[i].accepted;
	}
	fputs("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"kpis\">\n", f);
	html_count(a, sizeof(a), (unsigned long long)r->v.info.people);
	kpi(f, a, "people scored");
	html_count(a, sizeof(a), (unsigned long long)r->v.info.eligible);
	snprintf(b, sizeof(b), "eligible (%.0f%%)",
	         report_pct((size_t)r->v.info.eligible, (size_t)r->v.info.people));
	kpi(f, a, b);
	snprintf(a, sizeof(a), "%zu", r->npeople);
	kpi(f, a, "in this list");
	snprintf(a, sizeof(a), "%zu / %zu", invited, accepted);
	kpi(f, a, "invited / accepted so far");
	fputs("</div>\n", f);
	fmt_day(a, sizeof(a), r->v.info.as_of);
	fmt_when(b, sizeof(b), r->v.info.computed_at);
	fmt_when(c, sizeof(c), r->last_import);
	fmt_when(d, sizeof(d), r->generated_at);
	fputs("<p>", f);
	fprintf(f, "Scores of snapshot <b>#%lld</b>, computed %s with weight profile <b>",
	        (long long)r->v.info.id, b);
	html_text(f, r->v.info.profile);
	fprintf(f,
	        "</b> version %lld. Activity is counted up to <b>%s</b> (the %g weeks before it); "
	        "the newest data import was %s. This report was made %s.</p>\n",
	        (long long)r->v.info.profile_version, a, r->v.params.window_weeks,
	        r->last_import ? c : "never", d);
	if (r->stale)
		fputs("<p class=\"notice\"><b>Data changed after these scores were computed.</b> "
		      "Run <code>ambassador score</code> for scores of the newest data.</p>\n",
		      f);
	html_count(a, sizeof(a), (unsigned long long)not_eligible);
	fprintf(f,
	        "<h3>Why %s people are not eligible</h3>\n<p class=\"meta\">Eligible means: "
	        "consent%s, a trusted survey answer (attitude and motivation) and own posts or "
	        "comments in the activity window. People who opted out, left or declined are not "
	        "scored at all and are not counted here.</p>\n",
	        a, r->v.params.require_consent >= 1 ? " given" : " given or not yet asked");
	fputs(
	    "<div class=\"scroll\"><table class=\"data\"><thead><tr><th>Reason</th>"
	    "<th class=\"n\">People</th><th class=\"n\">Share of scored</th></tr></thead><tbody>\n",
	    f);
	for (size_t i = 0; i < r->nreasons; i++) {
		fputs("<tr><td>", f);
		html_text(f, r->reasons[i].why);
		html_count(b, sizeof(b), (unsigned long long)r->reasons[i].count);
		fprintf(f, "</td><td class=\"n\">%s</td><td class=\"n\">%.1f%%</td></tr>\n", b,
		        report_pct((size_t)r->reasons[i].count, (size_t)r->v.info.people));
	}
	if (!r->nreasons)
		fputs("<tr><td colspan=\"3\">Everyone scored is eligible.</td></tr>\n", f);
	fputs("</tbody></table></div>\n</section>\n", f);
}

/* --- the list ------------------------------------------------------------- */

static void bar_row(FILE *f, const char *label, double v, const char *colour)
{
	char num[32];

	scoring_fmt_component(num, v);
	fprintf(f, "<em>%s</em><i><s style=\"width:%.0f%%;background:%s\"></s></i><span>%s</span>",
	        label, isfinite(v) ? 100 * fmin(fmax(v, 0), 1) : 0, colour, *num ? num : "?");
}

static void person_row(FILE *f, size_t k, const struct report_person *p)
{
	char score[32];

	scoring_fmt_score(score, p->score);
	fprintf(f, "<tr><td class=\"n\">%zu</td><td class=\"who\"><b>", k + 1);
	html_text(f, *p->name ? p->name : p->employee_id);
	fputs("</b><small>", f);
	html_text(f, p->employee_id);
	fputs("</small></td><td>", f);
	html_text(f, p->department);
	fputs("</td><td>", f);
	html_text(f, *p->level ? p->level : "not given");
	fprintf(f, "</td><td class=\"n\">%s", score);
	/* How sure the rank is (score --intervals), and whether the data can
	 * tell this person from the best one left out. */
	if (p->rank > 0 && p->rank_lo > 0 && p->rank_hi > 0)
		fprintf(f, "<br><small>rank %lld, 90%% interval %lld&#8211;%lld</small>",
		        (long long)p->rank, (long long)p->rank_lo, (long long)p->rank_hi);
	if (p->close_call)
		fputs("<br><small><b>close call</b></small>", f);
	fputs("</td><td><div class=\"bars\">", f);
	bar_row(f, "activity", p->activity, REPORT_BLUE);
	bar_row(f, "attitude", p->attitude, REPORT_ORANGE);
	bar_row(f, "motivation", p->motivation, REPORT_GREEN);
	fputs("</div></td><td class=\"status\">consent: ", f);
	html_text(f, p->consent);
	fputs("<br>", f);
	if (*p->invitation) {
		fprintf(f, "<span class=\"badge b-%s\">", p->invitation);
		html_text(f, p->invitation);
		fputs("</span>", f);
	} else {
		fputs("not invited", f);
	}
	fputs("</td><td class=\"why\">", f);
	html_text(f, p->reason);
	fputs("</td></tr>\n", f);
}

static void people_list(FILE *f, const struct report *r)
{
	fputs("<section id=\"list\">\n<h2>", f);
	html_text(f, r->title);
	fputs("</h2>\n<p>", f);
	html_text(f, r->list_note);
	fputs("</p>\n<div class=\"scroll\"><table><thead><tr><th class=\"n\">#</th><th>Name</th>"
	      "<th>Department</th><th>Level</th><th class=\"n\">Score</th>"
	      "<th>Components (0&#8211;1)</th><th>Status</th>"
	      "<th>Why</th></tr></thead><tbody>\n",
	      f);
	for (size_t k = 0; k < r->npeople; k++)
		person_row(f, k, &r->people[k]);
	if (!r->npeople)
		fputs("<tr><td colspan=\"8\">Nobody reaches the minimum score.</td></tr>\n", f);
	fputs("</tbody></table></div>\n</section>\n", f);
}

/* --- method ------------------------------------------------------------------ */

static void method(FILE *f, const struct report *r)
{
	const struct scorer_params *p = &r->v.params;

	fputs("<section id=\"method\">\n<h2>How the list is made</h2>\n", f);
	fprintf(f,
	        "<p>Each person gets three components between 0 and 1. <b>Activity</b> comes "
	        "from their own posts, articles, videos and comments on social media and the "
	        "intranet over the last %g weeks: steady weeks count most, then how much "
	        "response their own content gets, then volume (with diminishing returns); "
	        "reshares, reactions and company-supplied posts count for little, and recent "
	        "weeks count more than old ones (half-life %g weeks). <b>Attitude</b> is their "
	        "positive attitude toward the organisation, from the survey. <b>Motivation</b> is "
	        "intrinsic motivation from the survey (joy in the work, wanting to share what "
	        "they know), lowered where being paid or pushed matters more to them.</p>\n",
	        p->window_weeks, p->half_life_weeks);
	fprintf(f,
	        "<p>The score (0&#8211;100) is a weighted geometric mean of the three (weights "
	        "%g, %g and %g): a low value on one component cannot be made up by a high value "
	        "on another. Pilot seats go first to the best person of every department that "
	        "reaches the minimum score (%g), then by score, with no department above %.0f%% "
	        "of the seats; within %g points a less represented level goes first.</p>\n",
	        p->w_activity, p->w_attitude, p->w_motivation, p->min_score, 100 * p->max_share,
	        p->level_tie);
	fputs("<p><b>What never counts:</b> sales figures or targets, and "
	      "anyone who opted out, left, or declined (for the cool-down period). Careless "
	      "survey answers (the same answer everywhere, or answered implausibly fast) are not "
	      "trusted. This report holds no survey answers, only the components computed from "
	      "them, and no figures for groups smaller than the minimum group size.</p>\n",
	      f);
	fputs("<p class=\"notice\"><b>These are suggestions for a person to review, not "
	      "decisions.</b> Ask before inviting: the programme is voluntary.</p>\n",
	      f);
	fputs("<h3>Parameters in force</h3>\n<dl class=\"params\">\n", f);
	for (size_t i = 0; i < scorer_param_count(); i++) {
		const struct scorer_param_info *pi = scorer_param_at(i);
		fprintf(f, "<dt>%s = %g</dt><dd>", pi->key, scorer_param_value(p, i));
		html_text(f, pi->help);
		fputs("</dd>\n", f);
	}
	fputs("</dl>\n</section>\n", f);
}

int report_write_html(const struct report *r, FILE *f)
{
	char when[64];

	html_head(f, "Employee advocacy pilot report");
	fmt_day(when, sizeof(when), r->v.info.as_of);
	fputs("<header class=\"top\">\n<h1>Employee advocacy: pilot report</h1>\n", f);
	fprintf(f, "<p class=\"meta\">Snapshot #%lld &#183; scores as of %s &#183; profile ",
	        (long long)r->v.info.id, when);
	html_text(f, r->v.info.profile);
	fprintf(f, " v%lld &#183; confidential: personal data, do not forward</p>\n</header>\n",
	        (long long)r->v.info.profile_version);
	fputs("<p class=\"notice\"><b>Suggestions for a person to review, not decisions.</b> "
	      "Everyone listed can say no; nobody is pressured.</p>\n",
	      f);
	summary(f, r);
	people_list(f, r);
	fputs("<section id=\"charts\">\n<h2>Spread, scores and invitations</h2>\n", f);
	report_charts_html(f, r);
	fputs("</section>\n", f);
	method(f, r);
	fprintf(f,
	        "<footer>Made by ambassador %s. Self-contained: this file loads nothing from "
	        "any network. Groups with fewer than %zu eligible people are not shown on their "
	        "own.</footer>\n",
	        AMB_VERSION, r->min_group);
	html_foot(f);
	if (fflush(f) != 0 || ferror(f))
		return err_set(ERR_IO, "writing the report failed");
	return 0;
}
