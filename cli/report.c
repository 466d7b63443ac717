/* report.c - what HR's report shows (report.h), gathered from a snapshot,
 * the roster's invitation statuses and the import ledger. The report owns
 * every string it holds; the view's rows are read, never kept.
 */
#include "cli/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/store_pilot.h"
#include "core/store_report.h"
#include "core/timefmt.h"

int report_open(struct report *out, struct app *app, int64_t snapshot)
{
	struct import_record last;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = scoring_view_open(app, snapshot, NULL, false, &out->v)))
		return rc;
	out->min_group = out->v.params.min_group > 1 ? (size_t)out->v.params.min_group : 1;
	out->generated_at = store_now();
	if ((rc = store_import_list(out->v.store, &last, 1, &n))) {
		report_close(out);
		return rc;
	}
	out->last_import = n ? last.imported_at : 0;
	/* Only the published snapshot can be older than the data it serves. */
	int64_t published = 0;
	if (!(rc = store_published_id(out->v.store, &published)) && published == out->v.info.id)
		rc = store_published_stale(out->v.store, &out->stale);
	if (rc)
		report_close(out);
	return rc;
}

static void person_from_row(struct report_person *p, const struct snapshot_row *r,
                            const char *reason, bool close_call)
{
	*p = (struct report_person){
	    .pid = r->pid,
	    .employee_id = xstrdup(r->employee_id),
	    .name = xstrdup(r->name),
	    .department = xstrdup(r->department),
	    .level = xstrdup(r->level),
	    .rank = r->rank,
	    .rank_lo = r->rank_lo,
	    .rank_hi = r->rank_hi,
	    .close_call = close_call,
	    .score = r->score,
	    .activity = r->activity,
	    .attitude = r->attitude,
	    .motivation = r->motivation,
	    .reason = xstrdup(reason ? reason : ""),
	    .consent = xstrdup("not asked"),
	    .invitation = xstrdup(""),
	};
}

int report_people_from_candidates(struct report *r, size_t size)
{
	struct candidates_req req = {.size = size};
	struct select_opts so = {.size = size, .max_share = r->v.params.max_share};
	struct candidate *c = NULL;
	size_t n = 0;
	struct buf note = {0};
	int rc;

	if ((rc = candidates_pick(&r->v, &req, &c, &n)))
		return rc;
	r->people = xcalloc(n + 1, sizeof(*r->people));
	for (size_t i = 0; i < n; i++)
		person_from_row(&r->people[i], c[i].row, c[i].reason, c[i].close_call);
	r->npeople = n;
	r->title = xstrdup("Pilot candidates");
	buf_printf(&note,
	           "The pilot candidates of this snapshot, as `ambassador candidates --size %zu` "
	           "lists them (no stored pilot is shown): %zu of %zu seats filled, at most %zu "
	           "per department, minimum score %.0f.",
	           size, n, size, scorer_select_cap(&so), r->v.params.min_score);
	r->list_note = note.data;
	candidates_free(&c, n);
	return 0;
}

struct pilot_walk {
	struct report *r;
	const size_t *by_pid; /* view row indexes sorted by pid */
	size_t left_out;
};

static int cmp_row_pid(const void *key, const void *elem, void *ctx)
{
	const struct scoring_view *v = ctx;
	int64_t a = *(const int64_t *)key, b = v->rows[*(const size_t *)elem].pid;

	return a < b ? -1 : a > b;
}

static const struct snapshot_row *row_of_pid(const struct pilot_walk *w, int64_t pid)
{
	const struct scoring_view *v = &w->r->v;
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_row_pid(&pid, &w->by_pid[mid], (void *)v);
		if (c == 0)
			return &v->rows[w->by_pid[mid]];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int add_member(void *ctx, const struct pilot_member *m)
{
	struct pilot_walk *w = ctx;
	struct report *r = w->r;
	const struct snapshot_row *row = row_of_pid(w, m->pid);

	/* Opted out or left since: never listed (docs/design.md, Contract 3.8). */
	if (m->departed || strcmp(m->consent, "no") == 0) {
		w->left_out++;
		return 0;
	}
	/* Not in the view (declined since, say): the snapshot still holds the
	 * scores the pilot was chosen on. */
	double sc[5] = {0, NAN, NAN, NAN, NAN};
	if (!row) {
		int rc = store_snapshot_scores_of(r->v.store, r->v.info.id, m->pid, sc);
		if (rc < 0)
			return rc;
	}
	r->people = xreallocarray(r->people, r->npeople + 1, sizeof(*r->people));
	struct report_person *p = &r->people[r->npeople++];
	*p = (struct report_person){
	    .pid = m->pid,
	    .employee_id = xstrdup(m->employee_id),
	    .name = xstrdup(m->name),
	    .department = xstrdup(m->department),
	    .level = xstrdup(m->level),
	    .rank = row ? row->rank : (int64_t)sc[0],
	    .rank_lo = row ? row->rank_lo : 0,
	    .rank_hi = row ? row->rank_hi : 0,
	    .score = row ? row->score : sc[1],
	    .activity = row ? row->activity : sc[2],
	    .attitude = row ? row->attitude : sc[3],
	    .motivation = row ? row->motivation : sc[4],
	    .reason = xstrdup(*m->reason ? m->reason : "added by hand"),
	    .consent = xstrdup(*m->consent ? m->consent : "not asked"),
	    .invitation = xstrdup(strcmp(m->invitation, "none") == 0 ? "" : m->invitation),
	};
	return 0;
}

static int cmp_by_pid(const void *a, const void *b, void *ctx)
{
	const struct scoring_view *v = ctx;
	int64_t x = v->rows[*(const size_t *)a].pid, y = v->rows[*(const size_t *)b].pid;

	return x < y ? -1 : x > y;
}

int report_people_from_pilot(struct report *r, const struct pilot_info *pilot)
{
	size_t *by_pid = xcalloc(r->v.n + 1, sizeof(*by_pid));
	struct pilot_walk w = {.r = r, .by_pid = by_pid};
	struct buf note = {0};
	char when[32];
	int rc;

	for (size_t i = 0; i < r->v.n; i++)
		by_pid[i] = i;
	qsort_r(by_pid, r->v.n, sizeof(*by_pid), cmp_by_pid, &r->v);
	rc = store_pilot_members_each(r->v.store, pilot->id, add_member, &w);
	free(by_pid);
	if (rc)
		return rc;
	buf_printf(&note, "Pilot \"%s\" of snapshot #%lld: %lld seats, %zu people shown, ",
	           pilot->name, (long long)pilot->snapshot_id, (long long)pilot->size, r->npeople);
	if (pilot->approved_at) {
		timefmt_date(when, sizeof(when), pilot->approved_at);
		buf_printf(&note, "approved by %s on %s.", pilot->approved_by, when);
	} else {
		buf_puts(&note, "a draft (not approved yet).");
	}
	if (w.left_out)
		buf_printf(&note, " %zu member%s who opted out or left since %s not shown.",
		           w.left_out, w.left_out == 1 ? "" : "s", w.left_out == 1 ? "is" : "are");
	buf_puts(&note, " Reasons are the ones recorded in the pilot.");
	r->title = xstrdup("The pilot");
	r->list_note = note.data;
	return 0;
}

/* --- groups ------------------------------------------------------------- */

struct groups {
	struct report_group *g;
	size_t n, last;
};

static struct report_group *group_of(struct groups *gs, const char *name)
{
	if (gs->last < gs->n && strcmp(gs->g[gs->last].name, name) == 0)
		return &gs->g[gs->last];
	for (size_t i = 0; i < gs->n; i++)
		if (strcmp(gs->g[i].name, name) == 0)
			return &gs->g[gs->last = i];
	gs->g = xreallocarray(gs->g, gs->n + 1, sizeof(*gs->g));
	gs->g[gs->n] = (struct report_group){.name = xstrdup(name)};
	gs->last = gs->n;
	return &gs->g[gs->n++];
}

static int cmp_group(const void *a, const void *b)
{
	const struct report_group *x = a, *y = b;

	if (!!x->merged_groups != !!y->merged_groups)
		return x->merged_groups ? 1 : -1; /* the merged group last */
	if (x->eligible != y->eligible)
		return x->eligible > y->eligible ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Merge groups with fewer than min eligible people into one, so no count
 * of a small group can be read off the report (docs/design.md, Contract 3.12); sort. */
static void groups_finish(struct groups *gs, size_t min, struct report_group **out, size_t *n)
{
	struct report_group other = {0};
	size_t k = 0;

	for (size_t i = 0; i < gs->n; i++) {
		struct report_group *g = &gs->g[i];
		if (g->eligible >= min) {
			gs->g[k++] = *g;
			continue;
		}
		other.eligible += g->eligible;
		other.seats += g->seats;
		other.invited += g->invited;
		other.accepted += g->accepted;
		other.declined += g->declined;
		other.merged_groups++;
		free(g->name);
	}
	if (other.merged_groups) {
		other.name = xstrdup(REPORT_OTHER);
		gs->g = xreallocarray(gs->g, k + 1, sizeof(*gs->g));
		gs->g[k++] = other;
	}
	if (k > 1)
		qsort(gs->g, k, sizeof(*gs->g), cmp_group);
	*out = gs->g;
	*n = k;
	gs->g = NULL;
	gs->n = 0;
}

/* --- statuses ----------------------------------------------------------- */

struct status {
	int64_t pid;
	char consent[12], invitation[12];
};

struct status_walk {
	struct status *st;
	size_t n, cap;
	struct groups *depts;
};

static void copy_word(char *out, size_t size, const char *s)
{
	snprintf(out, size, "%s", s ? s : "");
}

static int visit_person(void *ctx, const struct score_person_row *p)
{
	struct status_walk *w = ctx;
	struct status *s;

	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 1024;
		w->st = xreallocarray(w->st, w->cap, sizeof(*w->st));
	}
	s = &w->st[w->n++];
	s->pid = p->pid;
	copy_word(s->consent, sizeof(s->consent), *p->consent ? p->consent : "not asked");
	copy_word(s->invitation, sizeof(s->invitation), p->invitation);
	if (p->invitation) {
		struct report_group *g = group_of(w->depts, p->department);
		g->invited++;
		if (strcmp(p->invitation, "accepted") == 0)
			g->accepted++;
		else if (strcmp(p->invitation, "declined") == 0 ||
		         strcmp(p->invitation, "withdrawn") == 0)
			g->declined++;
	}
	return 0;
}

static int cmp_status(const void *key, const void *elem)
{
	int64_t a = *(const int64_t *)key, b = ((const struct status *)elem)->pid;

	return a < b ? -1 : a > b;
}

static int add_reason(void *ctx, const char *why, int64_t count)
{
	struct report *r = ctx;

	r->reasons = xreallocarray(r->reasons, r->nreasons + 1, sizeof(*r->reasons));
	r->reasons[r->nreasons++] = (struct report_reason){xstrdup(why), count};
	return 0;
}

static size_t bin_of(double v, size_t nbins, double max)
{
	double b = floor(v / max * (double)nbins);

	return !(b > 0) ? 0 : b >= (double)nbins ? nbins - 1 : (size_t)b;
}

static void count_people(struct report *r, struct groups *depts, struct groups *levels)
{
	for (size_t i = 0; i < r->v.eligible; i++) {
		const struct snapshot_row *row = &r->v.rows[i];
		group_of(depts, row->department)->eligible++;
		group_of(levels, *row->level ? row->level : "not given")->eligible++;
		r->score_bins[bin_of(row->score, REPORT_SCORE_BINS, 100)]++;
		if (isfinite(row->attitude))
			r->grid[bin_of(row->activity, REPORT_GRID, 1)]
			       [bin_of(row->attitude, REPORT_GRID, 1)]++;
		else
			r->grid_unknown++;
	}
	for (size_t i = 0; i < r->npeople; i++) {
		const struct report_person *p = &r->people[i];
		group_of(depts, p->department)->seats++;
		group_of(levels, *p->level ? p->level : "not given")->seats++;
	}
}

int report_load(struct report *r)
{
	struct groups depts = {0}, levels = {0};
	struct status_walk w = {.depts = &depts};
	int rc;

	/* Everyone who may be scored, the declined included (INT64_MAX: no
	 * decline is recent enough to leave anyone out), for the funnel. */
	if ((rc = store_scoring_people_each(r->v.store, INT64_MAX, INT64_MAX, visit_person, &w)))
		goto done;
	for (size_t i = 0; i < r->npeople; i++) {
		struct report_person *p = &r->people[i];
		const struct status *s = bsearch(&p->pid, w.st, w.n, sizeof(*w.st), cmp_status);
		if (!s)
			continue;
		free(p->consent);
		free(p->invitation);
		p->consent = xstrdup(s->consent);
		p->invitation = xstrdup(s->invitation);
	}
	count_people(r, &depts, &levels);
	if ((rc = store_snapshot_reasons_each(r->v.store, r->v.info.id, add_reason, r)))
		goto done;
	groups_finish(&depts, r->min_group, &r->depts, &r->ndepts);
	groups_finish(&levels, r->min_group, &r->levels, &r->nlevels);
done:
	for (size_t i = 0; i < depts.n; i++)
		free(depts.g[i].name);
	for (size_t i = 0; i < levels.n; i++)
		free(levels.g[i].name);
	free(depts.g);
	free(levels.g);
	free(w.st);
	return rc;
}

static void groups_free(struct report_group **g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((*g)[i].name);
	free(*g);
	*g = NULL;
}

void report_close(struct report *r)
{
	for (size_t i = 0; i < r->npeople; i++) {
		struct report_person *p = &r->people[i];
		free(p->employee_id);
		free(p->name);
		free(p->department);
		free(p->level);
		free(p->reason);
		free(p->consent);
		free(p->invitation);
	}
	free(r->people);
	groups_free(&r->depts, r->ndepts);
	groups_free(&r->levels, r->nlevels);
	for (size_t i = 0; i < r->nreasons; i++)
		free(r->reasons[i].why);
	free(r->reasons);
	free(r->title);
	free(r->list_note);
	scoring_view_close(&r->v);
	memset(r, 0, sizeof(*r));
}
