/* report_charts.c - the charts of HR's report (cli/report.h), as inline
 * SVG, each in a <figure> with a caption and a table of the same numbers.
 * Colours are the Okabe-Ito palette (REPORT_* in report.h), which readers
 * with the common colour-vision deficiencies can tell apart; no meaning
 * rests on colour alone.
 *
 * Charts of everyone are binned (score bins, an activity x attitude grid):
 * the SVG has one element per bin, never one per person, so the file stays
 * small at a million people. Only the people shown get marks of their own.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "cli/report.h"
#include "core/mem.h"

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
		        lw, y + 3, we, REPORT_SKY, lw + we + 4, y + 15, g[i].eligible);
		fprintf(f,
		        "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1f2933\">%zu</text>\n",
		        lw + cw + gap, y + 3, ws, REPORT_BLUE, lw + cw + gap + ws + 4, y + 15,
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
		        g[i].eligible, g[i].seats, report_pct(g[i].seats, g[i].eligible));
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
		    x, x, top, top + ph, REPORT_VERMILLION, x + 4, top + 10, REPORT_VERMILLION,
		    threshold);
	}
	for (size_t i = 0; i < nmarks; i++) {
		double x = left + pw * fmin(fmax(marks[i], 0), 100) / 100.0;
		fprintf(f,
		        "<path d=\"M%.1f %.0fl-5 9h10z\" fill=\"%s\" stroke=\"#1f2933\" "
		        "stroke-width=\".6\"/>\n",
		        x, top + ph + 24, REPORT_ORANGE);
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
	html_histogram(f, r->score_bins, REPORT_SCORE_BINS, REPORT_SKY, marks, nmarks,
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
		        top + side - side * fmin(fmax(p->attitude, 0), 1), REPORT_ORANGE);
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
	        lx + 8, top + 140, REPORT_ORANGE, lx + 22, top + 144);
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
			const char *colours[] = {REPORT_BLUE, REPORT_ORANGE, REPORT_VERMILLION};
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
		fputs("<p class=\"legend\"><span style=\"background:" REPORT_BLUE
		      "\"></span>accepted<span style=\"background:" REPORT_ORANGE
		      "\"></span>waiting for an answer<span style=\"background:" REPORT_VERMILLION
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

void report_charts_html(FILE *f, const struct report *r)
{
	seats_chart(f, r->depts, r->ndepts, "department", "Department", r->min_group);
	seats_chart(f, r->levels, r->nlevels, "level", "Level", r->min_group);
	score_chart(f, r);
	grid_chart(f, r);
	funnel_chart(f, r);
}
