/* report_preview.c - the analyst's view of `weights preview --report FILE`:
 * current against proposed weights in one self-contained HTML file (the
 * same page frame as HR's report, cli/report_html.c). Who enters and
 * leaves the top N, rank moves as a slope chart of the two top lists,
 * seats per department of a pilot of N under each, both score
 * distributions, and Kendall's tau. Nothing here writes to the database.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/report.h"
#include "core/err.h"
#include "core/mem.h"
#include "scorer/select.h"

#define C_CUR  "#56B4E9"
#define C_NEW  "#0072B2"
#define C_UP   "#009E73"
#define C_DOWN "#D55E00"

struct seat_count {
	const char *dept;
	size_t eligible, cur, next;
};

static void bins_of(const scorer_population *p, size_t *bins)
{
	for (size_t i = 0; i < p->n; i++) {
		if (!p->people[i].eligible)
			continue;
		double b = floor(p->people[i].score / 2);
		bins[b < 0 ? 0 : b > REPORT_SCORE_BINS - 1 ? REPORT_SCORE_BINS - 1 : (size_t)b]++;
	}
}

static void kpi(FILE *f, const char *value, const char *label)
{
	fprintf(f, "<div class=\"kpi\"><b>%s</b><span>%s</span></div>\n", value, label);
}

static void person_cell(FILE *f, const struct scorer_person *p)
{
	fputs("<td class=\"who\"><b>", f);
	html_text(f, *p->name ? p->name : p->employee_id);
	fputs("</b><small>", f);
	html_text(f, p->employee_id);
	fputs("</small></td><td>", f);
	html_text(f, p->department);
	fputs("</td>", f);
}

static void top_table(FILE *f, const scorer_population *now, const scorer_population *next,
                      size_t top)
{
	fputs("<h3>The proposed top list</h3>\n<div class=\"scroll\"><table><thead><tr>"
	      "<th class=\"n\">Rank</th><th>Name</th><th>Department</th><th class=\"n\">Score</th>"
	      "<th class=\"n\">Rank now</th><th class=\"n\">Score now</th><th>Change</th>"
	      "</tr></thead><tbody>\n",
	      f);
	for (size_t r = 0; r < next->eligible && r < top; r++) {
		size_t i = next->order[r];
		const struct scorer_person *a = &now->people[i], *b = &next->people[i];
		fprintf(f, "<tr><td class=\"n\">%lld</td>", (long long)b->rank);
		person_cell(f, b);
		fprintf(f, "<td class=\"n\">%.1f</td>", b->score);
		if (a->rank)
			fprintf(f, "<td class=\"n\">%lld</td><td class=\"n\">%.1f</td>",
			        (long long)a->rank, a->score);
		else
			fputs("<td class=\"n\">not eligible</td><td class=\"n\"></td>", f);
		if (!a->rank || (size_t)a->rank > top)
			fprintf(
			    f,
			    "<td><span class=\"badge b-accepted\">enters the top %zu</span></td>",
			    top);
		else if (a->rank == b->rank)
			fputs("<td>same</td>", f);
		else
			fprintf(f, "<td>%s %lld</td>",
			        a->rank > b->rank ? "&#9650; up" : "&#9660; down",
			        (long long)llabs(a->rank - b->rank));
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

static size_t leaves_table(FILE *f, const scorer_population *now, const scorer_population *next,
                           size_t top)
{
	size_t n = 0;

	fprintf(f, "<h3>Leaving the top %zu</h3>\n", top);
	for (size_t r = 0; r < now->eligible && r < top; r++) {
		const struct scorer_person *b = &next->people[now->order[r]];
		if (b->rank && (size_t)b->rank <= top)
			continue;
		if (!n++)
			fputs("<div class=\"scroll\"><table><thead><tr><th>Name</th><th>Department"
			      "</th><th class=\"n\">Rank now</th><th class=\"n\">Proposed rank</th>"
			      "</tr></thead><tbody>\n",
			      f);
		fputs("<tr>", f);
		person_cell(f, b);
		if (b->rank)
			fprintf(f, "<td class=\"n\">%zu</td><td class=\"n\">%lld</td></tr>\n",
			        r + 1, (long long)b->rank);
		else
			fprintf(f,
			        "<td class=\"n\">%zu</td><td class=\"n\">not eligible</td></tr>\n",
			        r + 1);
	}
	if (n)
		fputs("</tbody></table></div>\n", f);
	else
		fputs("<p>Nobody leaves.</p>\n", f);
	return n;
}

/* Lines from the current to the proposed rank for everyone in either top
 * list (at most 2N people: never one element per employee). */
static void slope_chart(FILE *f, const scorer_population *now, const scorer_population *next,
                        size_t top)
{
	const double x0 = 240, x1 = 640, y0 = 28, row = top > 40 ? 8 : 16;
	double below = y0 + row * (double)top + 18, h = below + 30;

	fputs("<figure id=\"rank-moves\">\n", f);
	fprintf(f,
	        "<svg viewBox=\"0 0 880 %.0f\" role=\"img\" aria-labelledby=\"cap-moves\" "
	        "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\" "
	        "font-family=\"system-ui,Arial,sans-serif\">\n",
	        h);
	fprintf(f,
	        "<text x=\"%.0f\" y=\"14\" text-anchor=\"end\" font-weight=\"600\" "
	        "fill=\"#52606d\">current rank</text><text x=\"%.0f\" y=\"14\" "
	        "font-weight=\"600\" fill=\"#52606d\">proposed rank</text>\n",
	        x0, x1);
	for (size_t i = 0; i < now->n; i++) {
		const struct scorer_person *a = &now->people[i], *b = &next->people[i];
		bool in_a = a->rank && (size_t)a->rank <= top,
		     in_b = b->rank && (size_t)b->rank <= top;
		if (!in_a && !in_b)
			continue;
		double ya = in_a ? y0 + row * (double)(a->rank - 1) : below;
		double yb = in_b ? y0 + row * (double)(b->rank - 1) : below;
		const char *c = !in_a ? C_UP : !in_b ? C_DOWN : "#9AA5B1";
		fprintf(f,
		        "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"%s\" "
		        "stroke-width=\"%s\"/>\n",
		        x0 + 6, ya, x1 - 6, yb, c, in_a && in_b ? "1" : "2");
		if (in_a && row >= 12) {
			fprintf(f,
			        "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#1f2933\">",
			        x0, ya + 4);
			html_text(f, *a->name ? a->name : a->employee_id);
			fprintf(f, " %lld</text>\n", (long long)a->rank);
		}
		if (in_b && row >= 12) {
			fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" fill=\"#1f2933\">%lld ", x1, yb + 4,
			        (long long)b->rank);
			html_text(f, *b->name ? b->name : b->employee_id);
			fputs("</text>\n", f);
		}
	}
	fprintf(f,
	        "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" fill=\"#52606d\">below the top "
	        "%zu</text><text x=\"%.0f\" y=\"%.0f\" fill=\"#52606d\">below the top %zu</text>\n",
	        x0, below + 4, top, x1, below + 4, top);
	fputs("</svg>\n", f);
	fprintf(f,
	        "<figcaption id=\"cap-moves\"><b>Rank moves in the top %zu.</b> Each line joins a "
	        "person's current rank (left) to the proposed one (right); green lines enter the "
	        "top list, red lines leave it, grey lines stay in it. The tables above give the "
	        "same moves.</figcaption>\n<table class=\"data\"><thead><tr><th>Moves</th><th "
	        "class=\"n\">People</th></tr></thead><tbody>\n",
	        top);
	size_t up = 0, down = 0, same = 0;
	for (size_t r = 0; r < now->eligible && r < top; r++) {
		const struct scorer_person *a = &now->people[now->order[r]],
		                           *b = &next->people[now->order[r]];
		if (a->rank == b->rank)
			same++;
		else if (b->rank && b->rank < a->rank)
			up++;
		else
			down++;
	}
	fprintf(f,
	        "<tr><td>same rank</td><td class=\"n\">%zu</td></tr><tr><td>moves up</td><td "
	        "class=\"n\">%zu</td></tr><tr><td>moves down or leaves</td><td "
	        "class=\"n\">%zu</td></tr></tbody></table>\n</figure>\n",
	        same, up, down);
}

static void pilot_seats(const scorer_population *p, const struct scorer_params *par, size_t size,
                        struct seat_count *sc, size_t nsc, bool proposed)
{
	struct select_person *people = xcalloc(p->eligible + 1, sizeof(*people));
	struct select_pick *picks = xcalloc(size + 1, sizeof(*picks));
	struct select_opts so = {.size = size,
	                         .max_share = par->max_share,
	                         .min_score = par->min_score,
	                         .level_tie = par->level_tie};
	size_t npicks = 0;

	for (size_t r = 0; r < p->eligible; r++) {
		const struct scorer_person *sp = &p->people[p->order[r]];
		people[r] = (struct select_person){sp->department, sp->level, sp->score};
	}
	if (scorer_select(picks, &npicks, people, p->eligible, &so) == 0) {
		for (size_t k = 0; k < npicks; k++) {
			const char *d = people[picks[k].index].department;
			size_t j = 0;
			while (j < nsc && strcmp(sc[j].dept, d) != 0)
				j++;
			/* not found: a small department, counted in the merged row */
			if (j == nsc && nsc && strcmp(sc[nsc - 1].dept, REPORT_OTHER) == 0)
				j = nsc - 1;
			if (j < nsc)
				*(proposed ? &sc[j].next : &sc[j].cur) += 1;
		}
	}
	free(people);
	free(picks);
}

static int cmp_seat(const void *a, const void *b)
{
	const struct seat_count *x = a, *y = b;

	if (x->eligible != y->eligible)
		return x->eligible > y->eligible ? -1 : 1;
	return strcmp(x->dept, y->dept);
}

/* Seats per department of a pilot of `top` under each weighting. Groups
 * under min_group are merged (the last row). */
static void seats_section(FILE *f, const scorer_population *now, const scorer_population *next,
                          const struct scorer_params *cur, const struct scorer_params *prop,
                          size_t top)
{
	struct seat_count *sc = NULL;
	size_t n = 0, min = prop->min_group > 1 ? (size_t)prop->min_group : 1, k = 0;

	for (size_t i = 0; i < next->n; i++) {
		const struct scorer_person *p = &next->people[i];
		if (!p->eligible && !now->people[i].eligible)
			continue;
		size_t j = 0;
		while (j < n && strcmp(sc[j].dept, p->department) != 0)
			j++;
		if (j == n) {
			sc = xreallocarray(sc, n + 1, sizeof(*sc));
			sc[n++] = (struct seat_count){.dept = p->department};
		}
		sc[j].eligible++;
	}
	if (n > 1)
		qsort(sc, n, sizeof(*sc), cmp_seat);
	size_t merged = 0, merged_eligible = 0;
	for (size_t j = 0; j < n; j++) {
		if (sc[j].eligible >= min)
			sc[k++] = sc[j];
		else
			merged++, merged_eligible += sc[j].eligible;
	}
	if (merged) {
		sc = xreallocarray(sc, k + 1, sizeof(*sc));
		sc[k++] = (struct seat_count){.dept = REPORT_OTHER, .eligible = merged_eligible};
	}
	pilot_seats(now, cur, top, sc, k, false);
	pilot_seats(next, prop, top, sc, k, true);
	size_t m = 1;
	for (size_t j = 0; j < k; j++)
		m = sc[j].cur > m ? sc[j].cur : sc[j].next > m ? sc[j].next : m;
	fputs("<figure id=\"pilot-seats\">\n", f);
	const double row = 26, lw = 200, cw = 520;
	fprintf(f,
	        "<svg viewBox=\"0 0 800 %.0f\" role=\"img\" aria-labelledby=\"cap-seats\" "
	        "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\" "
	        "font-family=\"system-ui,Arial,sans-serif\">\n",
	        row * (double)k + 12);
	for (size_t j = 0; j < k; j++) {
		double y = row * (double)j + 4, wc = cw * (double)sc[j].cur / (double)m,
		       wn = cw * (double)sc[j].next / (double)m;
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#1f2933\">",
		        lw - 8, y + 15);
		html_text(f, sc[j].dept);
		fprintf(
		    f,
		    "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"%s\"/>"
		    "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"%s\"/>"
		    "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1f2933\">%zu &#8594; %zu</text>\n",
		    lw, y + 2, wc, C_CUR, lw, y + 12, wn, C_NEW, lw + fmax(wc, wn) + 6, y + 15,
		    sc[j].cur, sc[j].next);
	}
	fputs("</svg>\n<p class=\"legend\"><span style=\"background:" C_CUR
	      "\"></span>current weights<span style=\"background:" C_NEW
	      "\"></span>proposed weights</p>\n",
	      f);
	fprintf(f,
	        "<figcaption id=\"cap-seats\"><b>Seats per department in a pilot of %zu</b> "
	        "(as `candidates --size %zu` would choose), current and proposed. Departments "
	        "with fewer than %zu eligible people are counted together.</figcaption>\n",
	        top, top, min);
	fputs("<table class=\"data\"><thead><tr><th>Department</th><th class=\"n\">Eligible</th>"
	      "<th class=\"n\">Seats now</th><th class=\"n\">Seats proposed</th></tr></thead>"
	      "<tbody>\n",
	      f);
	for (size_t j = 0; j < k; j++) {
		fputs("<tr><td>", f);
		html_text(f, sc[j].dept);
		fprintf(f,
		        "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td "
		        "class=\"n\">%zu</td></tr>\n",
		        sc[j].eligible, sc[j].cur, sc[j].next);
	}
	fputs("</tbody></table>\n</figure>\n", f);
	free(sc);
}

static void distributions(FILE *f, const scorer_population *now, const scorer_population *next,
                          const struct scorer_params *cur, const struct scorer_params *prop)
{
	size_t a[REPORT_SCORE_BINS] = {0}, b[REPORT_SCORE_BINS] = {0};
	size_t ba[10] = {0}, bb[10] = {0};

	bins_of(now, a);
	bins_of(next, b);
	for (size_t i = 0; i < REPORT_SCORE_BINS; i++) {
		ba[i * 10 / REPORT_SCORE_BINS] += a[i];
		bb[i * 10 / REPORT_SCORE_BINS] += b[i];
	}
	fputs("<figure id=\"distributions\">\n<h3>Current weights</h3>\n", f);
	html_histogram(f, a, REPORT_SCORE_BINS, C_CUR, NULL, 0, cur->min_score,
	               "Score distribution with the current weights");
	fputs("<h3>Proposed weights</h3>\n", f);
	html_histogram(f, b, REPORT_SCORE_BINS, C_NEW, NULL, 0, prop->min_score,
	               "Score distribution with the proposed weights");
	fprintf(f,
	        "<figcaption><b>Score distributions of everyone eligible</b>, current (%zu "
	        "people) and proposed (%zu people), in bars of 2 points; the dashed line is the "
	        "minimum score for a pilot seat.</figcaption>\n",
	        now->eligible, next->eligible);
	fputs("<table class=\"data\"><thead><tr><th>Score</th><th class=\"n\">Current</th><th "
	      "class=\"n\">Proposed</th></tr></thead><tbody>\n",
	      f);
	for (int k = 9; k >= 0; k--)
		fprintf(f,
		        "<tr><td>%d&#8211;%d</td><td class=\"n\">%zu</td><td "
		        "class=\"n\">%zu</td></tr>\n",
		        k * 10, k * 10 + 10, ba[k], bb[k]);
	fputs("</tbody></table>\n</figure>\n", f);
}

static void changed_params(FILE *f, const struct scorer_params *cur,
                           const struct scorer_params *prop)
{
	fputs("<h3>What changes</h3>\n<table class=\"data\"><thead><tr><th>Parameter</th><th "
	      "class=\"n\">Current</th><th class=\"n\">Proposed</th><th>Meaning</th></tr></thead>"
	      "<tbody>\n",
	      f);
	for (size_t i = 0; i < scorer_param_count(); i++) {
		double a = scorer_param_value(cur, i), b = scorer_param_value(prop, i);
		if (a == b)
			continue;
		fprintf(f, "<tr><td>%s</td><td class=\"n\">%g</td><td class=\"n\">%g</td><td>",
		        scorer_param_at(i)->key, a, b);
		html_text(f, scorer_param_at(i)->help);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

int report_preview_html(FILE *f, const struct preview_report *p)
{
	char a[64], b[64];
	size_t enters = 0;

	for (size_t r = 0; r < p->next->eligible && r < p->top; r++) {
		const struct scorer_person *x = &p->now->people[p->next->order[r]];
		enters += !x->rank || (size_t)x->rank > p->top;
	}
	html_head(f, "Weights preview: current against proposed");
	fputs("<header class=\"top\">\n<h1>Weights preview: current against proposed</h1>\n"
	      "<p class=\"meta\">Profile ",
	      f);
	html_text(f, p->profile);
	fprintf(f, " &#183; scores as of the newest snapshot's date &#183; nothing was saved "
	           "(<code>weights set</code> saves)</p>\n</header>\n<div class=\"kpis\">\n");
	snprintf(a, sizeof(a), "%.3f", p->tau);
	kpi(f, a, "Kendall's tau between the two rankings (1 = same order)");
	snprintf(a, sizeof(a), "%zu", enters);
	snprintf(b, sizeof(b), "enter the top %zu", p->top);
	kpi(f, a, b);
	snprintf(a, sizeof(a), "%zu &#8594; %zu", p->now->eligible, p->next->eligible);
	kpi(f, a, "eligible, current &#8594; proposed");
	fputs("</div>\n", f);
	changed_params(f, p->cur, p->prop);
	top_table(f, p->now, p->next, p->top);
	leaves_table(f, p->now, p->next, p->top);
	fputs("<h2>Charts</h2>\n", f);
	slope_chart(f, p->now, p->next, p->top);
	seats_section(f, p->now, p->next, p->cur, p->prop, p->top);
	distributions(f, p->now, p->next, p->cur, p->prop);
	fputs("<p class=\"notice\"><b>These are suggestions for a person to review, not "
	      "decisions.</b> Ask before inviting: the programme is voluntary.</p>\n",
	      f);
	fprintf(f,
	        "<footer>Made by ambassador %s. Self-contained: this file loads nothing from "
	        "any network.</footer>\n",
	        AMB_VERSION);
	html_foot(f);
	if (fflush(f) != 0 || ferror(f))
		return err_set(ERR_IO, "writing the preview report failed");
	return 0;
}
