/* report_html.c - HR's report as one self-contained HTML file: inline CSS
 * and inline SVG, no script, no font, image or style from anywhere else,
 * so it opens offline on a laptop or a phone and prints as a tidy
 * document. Every chart is a <figure> with a caption and a table holding
 * the same numbers. Colours are the Okabe-Ito palette, which readers with
 * the common colour-vision deficiencies can tell apart; no meaning rests on
 * colour alone (labels and tables carry it too).
 *
 * Charts of everyone are binned (score bins, an activity x attitude grid):
 * the SVG has one element per bin, never one per person, so the file stays
 * small at a million people. Only the people shown get marks of their own.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli/report.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/timefmt.h"

/* Okabe-Ito */
#define C_BLUE       "#0072B2"
#define C_ORANGE     "#E69F00"
#define C_SKY        "#56B4E9"
#define C_VERMILLION "#D55E00"
#define C_GREEN      "#009E73"
#define C_GREY       "#9AA5B1"

static const char css[] =
    ":root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--soft:#f5f7fa;--accent:" C_BLUE "}"
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
    ".notice{background:#fff8e6;border-left:4px solid " C_ORANGE ";padding:10px 14px;"
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
    ".b-accepted{background:#e3f1fa;border-color:" C_BLUE "}"
    ".b-declined,.b-withdrawn{background:#fbe9e1;border-color:" C_VERMILLION "}"
    ".b-invited{background:#fff3d6;border-color:" C_ORANGE "}"
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
static void html_short(FILE *f, const char *s, size_t max)
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

static double pct(size_t part, size_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* 979880 -> "979,880" */
static void fmt_count(char *out, size_t n, unsigned long long v)
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
	fmt_count(a, sizeof(a), (unsigned long long)r->v.info.people);
	kpi(f, a, "people scored");
	fmt_count(a, sizeof(a), (unsigned long long)r->v.info.eligible);
	snprintf(b, sizeof(b), "eligible (%.0f%%)",
	         pct((size_t)r->v.info.eligible, (size_t)r->v.info.people));
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
	fmt_count(a, sizeof(a), (unsigned long long)not_eligible);
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
		fmt_count(b, sizeof(b), (unsigned long long)r->reasons[i].count);
		fprintf(f, "</td><td class=\"n\">%s</td><td class=\"n\">%.1f%%</td></tr>\n", b,
		        pct((size_t)r->reasons[i].count, (size_t)r->v.info.people));
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
	fprintf(f, "</td><td class=\"n\">%s</td><td><div class=\"bars\">", score);
	bar_row(f, "activity", p->activity, C_BLUE);
	bar_row(f, "attitude", p->attitude, C_ORANGE);
	bar_row(f, "motivation", p->motivation, C_GREEN);
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

/* --- charts ----------------------------------------------------------------- */

static size_t max_of(const struct report_group *g, size_t n, size_t off)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		size_t v = *(const size_t *)((const char *)&g[i] + off);
		m = v > m ? v : m;
	}
	return m;
}

static void group_label(FILE *f, const struct report_group *g, size_t max)
{
	html_short(f, g->name, max);
}

/* Two bar columns per group, each on its own scale (a pilot has far fewer
 * seats than there are eligible people): eligible people, and seats. */
static void seats_chart(FILE *f, const struct report_group *g, size_t n, const char *what,
                        const char *What, size_t min_group)
{
	const double row = 24, top = 30, lw = 200, cw = 330, gap = 40;
	double h = top + row * (double)n + 10, w = lw + 2 * cw + gap + 20;
	size_t me = max_of(g, n, offsetof(struct report_group, eligible));
	size_t ms = max_of(g, n, offsetof(struct report_group, seats));

	fprintf(f, "<figure id=\"seats-%s\">\n", what);
	fprintf(f,
	        "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"cap-seats-%s\" "
	        "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\" "
	        "font-family=\"system-ui,Arial,sans-serif\">\n",
	        w, h, what);
	fprintf(f,
	        "<text x=\"%.0f\" y=\"16\" font-weight=\"600\" fill=\"#52606d\">Eligible "
	        "people</text><text x=\"%.0f\" y=\"16\" font-weight=\"600\" "
	        "fill=\"#52606d\">Seats in the list</text>\n",
	        lw, lw + cw + gap);
	for (size_t i = 0; i < n; i++) {
		double y = top + row * (double)i;
		double we = me ? (cw - 60) * (double)g[i].eligible / (double)me : 0;
		double ws = ms ? (cw - 60) * (double)g[i].seats / (double)ms : 0;
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#1f2933\">",
		        lw - 8, y + 15);
		group_label(f, &g[i], 28);
		fputs("</text>\n", f);
		fprintf(f,
		        "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1f2933\">%zu</text>\n",
		        lw, y + 3, we, C_SKY, lw + we + 4, y + 15, g[i].eligible);
		fprintf(f,
		        "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1f2933\">%zu</text>\n",
		        lw + cw + gap, y + 3, ws, C_BLUE, lw + cw + gap + ws + 4, y + 15,
		        g[i].seats);
	}
	fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"22\" y2=\"%.0f\" stroke=\"#d9e2ec\"/>\n", lw,
	        lw, h - 6);
	fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"22\" y2=\"%.0f\" stroke=\"#d9e2ec\"/>\n",
	        lw + cw + gap, lw + cw + gap, h - 6);
	fputs("</svg>\n", f);
	fprintf(f,
	        "<figcaption id=\"cap-seats-%s\"><b>Seats against eligible people per %s.</b> "
	        "Left: how many eligible people each %s has; right: how many of them are in this "
	        "list (each column on its own scale). %ss with fewer than %zu eligible people "
	        "are counted together as &#8220;" REPORT_OTHER "&#8221;.</figcaption>\n",
	        what, what, what, What, min_group);
	fprintf(f,
	        "<table class=\"data\"><thead><tr><th>%s</th><th class=\"n\">Eligible</th>"
	        "<th class=\"n\">Seats</th><th class=\"n\">Seats per 100 eligible</th></tr></thead>"
	        "<tbody>\n",
	        What);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr><td>", f);
		html_text(f, g[i].name);
		if (g[i].merged_groups)
			fprintf(f, " (%zu groups)", g[i].merged_groups);
		fprintf(f,
		        "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td "
		        "class=\"n\">%.2f</td></tr>\n",
		        g[i].eligible, g[i].seats, pct(g[i].seats, g[i].eligible));
	}
	fputs("</tbody></table>\n</figure>\n", f);
}

void html_histogram(FILE *f, const size_t *bins, size_t nbins, const char *colour,
                    const double *marks, size_t nmarks, double threshold, const char *label)
{
	const double left = 56, top = 14, pw = 860, ph = 220, w = left + pw + 20, h = top + ph + 64;
	size_t m = 0;

	for (size_t i = 0; i < nbins; i++)
		m = bins[i] > m ? bins[i] : m;
	/* A round step (1, 2 or 5 times a power of ten) with the top of the
	 * axis at 4 steps or fewer above the tallest bar. */
	size_t step = 1;
	for (size_t p10 = 1; step * 4 < m; p10 *= 10) {
		if (p10 * 4 >= m)
			step = p10;
		else if (2 * p10 * 4 >= m)
			step = 2 * p10;
		else if (5 * p10 * 4 >= m)
			step = 5 * p10;
		else
			continue;
		break;
	}
	size_t nticks = m ? (m + step - 1) / step : 1;
	m = nticks * step;
	fprintf(f,
	        "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\" "
	        "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\" "
	        "font-family=\"system-ui,Arial,sans-serif\">\n",
	        w, h, label);
	for (int t = 0; t <= 4; t++) {
		double y = top + ph - ph * t / 4.0;
		fprintf(f,
		        "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e7eb\"/>"
		        "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" "
		        "fill=\"#52606d\">%.0f</text>\n",
		        left, left + pw, y, y, left - 6, y + 4, (double)(step * (size_t)t));
	}
	for (size_t i = 0; i < nbins; i++) {
		double bh = m ? ph * (double)bins[i] / (double)m : 0;
		double x = left + pw * (double)i / (double)nbins;
		if (bins[i])
			fprintf(f,
			        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			        "fill=\"%s\"><title>%.0f-%.0f: %zu</title></rect>\n",
			        x + 0.5, top + ph - bh, pw / (double)nbins - 1, bh, colour,
			        100.0 * (double)i / (double)nbins,
			        100.0 * (double)(i + 1) / (double)nbins, bins[i]);
	}
	for (int t = 0; t <= 10; t++) {
		double x = left + pw * t / 10.0;
		fprintf(f,
		        "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" "
		        "fill=\"#52606d\">%d</text>\n",
		        x, top + ph + 16, t * 10);
	}
	fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#52606d\"/>\n",
	        left, left + pw, top + ph, top + ph);
	if (threshold >= 0) {
		double x = left + pw * threshold / 100.0;
		fprintf(
		    f,
		    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" "
		    "stroke-dasharray=\"5 4\" stroke-width=\"1.5\"/><text x=\"%.1f\" y=\"%.0f\" "
		    "fill=\"%s\">minimum score %.0f</text>\n",
		    x, x, top, top + ph, C_VERMILLION, x + 4, top + 10, C_VERMILLION, threshold);
	}
	for (size_t i = 0; i < nmarks; i++) {
		double x = left + pw * fmin(fmax(marks[i], 0), 100) / 100.0;
		fprintf(f,
		        "<path d=\"M%.1f %.0fl-5 9h10z\" fill=\"%s\" stroke=\"#1f2933\" "
		        "stroke-width=\".6\"/>\n",
		        x, top + ph + 24, C_ORANGE);
	}
	fprintf(f,
	        "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#52606d\">score "
	        "(0&#8211;100)%s</text>\n",
	        left + pw / 2, top + ph + 54, nmarks ? "; &#9650; a person in the list" : "");
	fputs("</svg>\n", f);
}

static void score_chart(FILE *f, const struct report *r)
{
	double *marks = xcalloc(r->npeople + 1, sizeof(double));
	size_t bands[10] = {0}, shown[10] = {0}, nmarks = 0;

	for (size_t i = 0; i < r->npeople; i++) {
		if (!isfinite(r->people[i].score))
			continue; /* a pilot member missing from the snapshot */
		marks[nmarks] = r->people[i].score;
		shown[(size_t)fmin(fmax(floor(marks[nmarks] / 10), 0), 9)]++;
		nmarks++;
	}
	for (size_t i = 0; i < REPORT_SCORE_BINS; i++)
		bands[i * 10 / REPORT_SCORE_BINS] += r->score_bins[i];
	fputs("<figure id=\"scores\">\n", f);
	html_histogram(f, r->score_bins, REPORT_SCORE_BINS, C_SKY, marks, nmarks,
	               r->v.params.min_score, "Score distribution of everyone eligible");
	fprintf(
	    f,
	    "<figcaption><b>Score distribution of everyone eligible</b> (%lld people, bars of 2 "
	    "points), with the people in this list marked &#9650; under the axis. The dashed "
	    "line is the minimum score for a seat (%.0f).</figcaption>\n",
	    (long long)r->v.eligible, r->v.params.min_score);
	fputs("<table class=\"data\"><thead><tr><th>Score</th><th class=\"n\">Eligible "
	      "people</th><th class=\"n\">In the list</th></tr></thead><tbody>\n",
	      f);
	for (int b = 9; b >= 0; b--)
		fprintf(f,
		        "<tr><td>%d&#8211;%d</td><td class=\"n\">%zu</td><td "
		        "class=\"n\">%zu</td></tr>\n",
		        b * 10, b * 10 + 10, bands[b], shown[b]);
	fputs("</tbody></table>\n</figure>\n", f);
	free(marks);
}

/* Light to dark blue, for counts in the activity x attitude grid. */
static const char *shade(size_t v, size_t max)
{
	static const char *const steps[] = {"#eef5fb", "#cfe3f3", "#a6cbe8", "#72acd9",
	                                    "#3f8cc6", "#0072B2", "#084c7d"};
	double t;

	if (!v || !max)
		return NULL;
	/* Square-root scale: a few crowded cells do not wash out the rest. */
	t = sqrt((double)v / (double)max);
	return steps[(size_t)fmin(6, floor(t * 6.999))];
}

static void grid_chart(FILE *f, const struct report *r)
{
	const double left = 64, top = 16, side = 400, cell = side / REPORT_GRID;
	double w = left + side + 190, h = top + side + 50;
	size_t m = 0, band[5][5] = {{0}};

	for (size_t a = 0; a < REPORT_GRID; a++)
		for (size_t t = 0; t < REPORT_GRID; t++) {
			m = r->grid[a][t] > m ? r->grid[a][t] : m;
			band[a * 5 / REPORT_GRID][t * 5 / REPORT_GRID] += r->grid[a][t];
		}
	fputs("<figure id=\"activity-attitude\">\n", f);
	fprintf(f,
	        "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"cap-grid\" "
	        "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\" "
	        "font-family=\"system-ui,Arial,sans-serif\">\n",
	        w, h);
	fprintf(f,
	        "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafbfc\" "
	        "stroke=\"#d9e2ec\"/>\n",
	        left, top, side, side);
	for (size_t a = 0; a < REPORT_GRID; a++)
		for (size_t t = 0; t < REPORT_GRID; t++) {
			const char *c = shade(r->grid[a][t], m);
			if (c)
				fprintf(
				    f,
				    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				    "fill=\"%s\"><title>%zu people</title></rect>\n",
				    left + cell * (double)a, top + side - cell * (double)(t + 1),
				    cell, cell, c, r->grid[a][t]);
		}
	for (size_t i = 0; i < r->npeople; i++) {
		const struct report_person *p = &r->people[i];
		if (!isfinite(p->attitude))
			continue;
		fprintf(f,
		        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\" stroke=\"#1f2933\" "
		        "stroke-width=\"1\"/>\n",
		        left + side * fmin(fmax(p->activity, 0), 1),
		        top + side - side * fmin(fmax(p->attitude, 0), 1), C_ORANGE);
	}
	for (int t = 0; t <= 4; t++) {
		double v = t / 4.0;
		fprintf(f,
		        "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" "
		        "fill=\"#52606d\">%.2f</text>"
		        "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" "
		        "fill=\"#52606d\">%.2f</text>\n",
		        left + side * v, top + side + 16, v, left - 6, top + side - side * v + 4,
		        v);
	}
	fprintf(f,
	        "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#1f2933\">activity "
	        "&#8594;</text>\n",
	        left + side / 2, top + side + 36);
	fprintf(f,
	        "<text transform=\"translate(16 %.0f) rotate(-90)\" text-anchor=\"middle\" "
	        "fill=\"#1f2933\">attitude &#8594;</text>\n",
	        top + side / 2);
	/* the legend */
	double lx = left + side + 24;
	fprintf(f,
	        "<text x=\"%.0f\" y=\"%.0f\" font-weight=\"600\" fill=\"#52606d\">people per "
	        "cell</text>\n",
	        lx, top + 12);
	size_t prev = 0, k = 0;
	for (int s = 1; s <= 5; s++) {
		/* upper ends of five steps of the square-root scale */
		size_t v = (size_t)ceil((double)m * s * s / 25.0);
		const char *c = shade(v, m);
		if (v == prev)
			continue;
		prev = v;
		fprintf(f,
		        "<rect x=\"%.0f\" y=\"%.0f\" width=\"16\" height=\"14\" fill=\"%s\" "
		        "stroke=\"#d9e2ec\"/><text x=\"%.0f\" y=\"%.0f\" fill=\"#1f2933\">up to "
		        "%zu</text>\n",
		        lx, top + 24 + 20 * (double)k, c ? c : "#fff", lx + 22,
		        top + 36 + 20 * (double)k, v);
		k++;
	}
	fprintf(f,
	        "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"4.5\" fill=\"%s\" stroke=\"#1f2933\"/>"
	        "<text x=\"%.0f\" y=\"%.0f\" fill=\"#1f2933\">in the list</text>\n",
	        lx + 8, top + 140, C_ORANGE, lx + 22, top + 144);
	fputs("</svg>\n", f);
	fprintf(f,
	        "<figcaption id=\"cap-grid\"><b>Activity against attitude, everyone eligible.</b> "
	        "Darker cells hold more people; orange dots are the people in this list. The score "
	        "multiplies the components (a weighted geometric mean), so it needs both: a very "
	        "active person with a poor attitude (bottom right) or an enthusiast who does not "
	        "post (top left) stays below someone good on both (top right).%s</figcaption>\n",
	        r->grid_unknown ? " Eligible people without an attitude value are not drawn." : "");
	fputs("<table class=\"data\"><thead><tr><th>Attitude \\ activity</th>", f);
	for (int a = 0; a < 5; a++)
		fprintf(f, "<th class=\"n\">%.1f&#8211;%.1f</th>", a * 0.2, a * 0.2 + 0.2);
	fputs("</tr></thead><tbody>\n", f);
	for (int t = 4; t >= 0; t--) {
		fprintf(f, "<tr><th>%.1f&#8211;%.1f</th>", t * 0.2, t * 0.2 + 0.2);
		for (int a = 0; a < 5; a++)
			fprintf(f, "<td class=\"n\">%zu</td>", band[a][t]);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n</figure>\n", f);
}

static void funnel_chart(FILE *f, const struct report *r)
{
	const double row = 24, top = 30, lw = 200, cw = 560;
	size_t n = 0, m = 0;

	for (size_t i = 0; i < r->ndepts; i++)
		if (r->depts[i].invited) {
			n++;
			m = r->depts[i].invited > m ? r->depts[i].invited : m;
		}
	fputs("<figure id=\"funnel\">\n", f);
	if (n) {
		double h = top + row * (double)n + 10, w = lw + cw + 80, y = top;
		fprintf(
		    f,
		    "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"cap-funnel\" "
		    "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\" "
		    "font-family=\"system-ui,Arial,sans-serif\">\n",
		    w, h);
		for (size_t i = 0; i < r->ndepts; i++) {
			const struct report_group *g = &r->depts[i];
			if (!g->invited)
				continue;
			double unit = cw / (double)m, x = lw;
			size_t waiting = g->invited - g->accepted - g->declined;
			const size_t parts[] = {g->accepted, waiting, g->declined};
			const char *colours[] = {C_BLUE, C_ORANGE, C_VERMILLION};
			const char *names[] = {"accepted", "waiting for an answer", "declined"};
			fprintf(f,
			        "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#1f2933\">",
			        lw - 8, y + 15);
			group_label(f, g, 28);
			fputs("</text>\n", f);
			for (int k = 0; k < 3; k++) {
				double pw = unit * (double)parts[k];
				if (parts[k])
					fprintf(f,
					        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
					        "height=\"16\" "
					        "fill=\"%s\" stroke=\"#fff\"><title>%s: "
					        "%zu</title></rect>\n",
					        x, y + 3, pw, colours[k], names[k], parts[k]);
				x += pw;
			}
			fprintf(f,
			        "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1f2933\">%zu invited</text>\n",
			        x + 4, y + 15, g->invited);
			y += row;
		}
		fputs("</svg>\n", f);
		fputs("<p class=\"legend\"><span style=\"background:" C_BLUE
		      "\"></span>accepted<span style=\"background:" C_ORANGE
		      "\"></span>waiting for an answer<span style=\"background:" C_VERMILLION
		      "\"></span>declined or withdrew</p>\n",
		      f);
	}
	fprintf(f,
	        "<figcaption id=\"cap-funnel\"><b>Invitation funnel per department.</b> Everyone "
	        "ever invited, split into who accepted, who has not answered yet and who declined "
	        "or withdrew (declined people are not asked again for %g days).%s</figcaption>\n",
	        r->v.params.cooldown_days, n ? "" : " Nobody has been invited yet.");
	fputs("<table class=\"data\"><thead><tr><th>Department</th><th class=\"n\">Invited</th>"
	      "<th class=\"n\">Accepted</th><th class=\"n\">Waiting</th><th "
	      "class=\"n\">Declined</th></tr></thead><tbody>\n",
	      f);
	for (size_t i = 0; i < r->ndepts; i++) {
		const struct report_group *g = &r->depts[i];
		if (!g->invited)
			continue;
		fputs("<tr><td>", f);
		html_text(f, g->name);
		fprintf(f,
		        "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td "
		        "class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n",
		        g->invited, g->accepted, g->invited - g->accepted - g->declined,
		        g->declined);
	}
	fputs("</tbody></table>\n</figure>\n", f);
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
	seats_chart(f, r->depts, r->ndepts, "department", "Department", r->min_group);
	seats_chart(f, r->levels, r->nlevels, "level", "Level", r->min_group);
	score_chart(f, r);
	grid_chart(f, r);
	funnel_chart(f, r);
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
