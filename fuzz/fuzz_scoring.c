/* fuzz_scoring.c - libFuzzer target I5 (fuzzing, docs/testing.md, section 'Faults, fuzzing and
 * analysers'): bytes -> a population of people with arbitrary doubles (NaN,
 * infinities, denormals, huge, negative) -> scorer_compute, the ranking,
 * the detail JSON and the candidate selection.
 *
 * Input: byte 0 holds the number of weight overrides (bits 0-2) and the
 * candidate list size (bits 3-7, plus one). Each override is one byte (the
 * parameter, modulo the table) and 8 bytes of a double, set through
 * scorer_params_set as text, so only weights a user could set get in. Then
 * each person is FSC_RECORD bytes: a flag byte (bit 0: survey answered,
 * bit 1: flagged careless, bit 2: consent yes, bits 3-4: department,
 * bit 5: one platform record, bits 6-7: weeks active) and nine doubles in
 * host order: attitude, intrinsic, extrinsic, own, conversation,
 * amplification, own posts, engagement, steady weight. A short tail is
 * ignored, so an input of fewer than FSC_RECORD bytes scores nobody.
 * Checks, besides what ASan/UBSan see (GSL's error handler is left as
 * scorer_compute sets it, so a GSL error would abort here):
 *  - weights that pass the checks compute; others are ERR_INVALID;
 *  - every score is finite and within 0..100, 0 when not eligible; the
 *    activity component and its sub-features are finite and within 0..1;
 *    attitude is finite or unknown (NaN); motivation within 0..1 or unknown;
 *  - ranks are 1..eligible, once each, best score first, ties by
 *    employee_id; pop->order agrees;
 *  - every detail is JSON that scorer_detail_decode reads;
 *  - computing again, and computing a second population built from the
 *    same bytes, gives bit-identical scores and the same ranks;
 *  - the candidate list: at most `size` people, all ranked, in rank
 *    order, none below min_score, no department above its cap.
 * The replay of tests/regress/fuzz_scoring/ (tests/core/test_regress.c)
 * includes this file with AMB_FUZZ_NO_MAIN defined. */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "scorer/explain.h"
#include "scorer/model.h"
#include "scorer/profile.h"
#include "scorer/select.h"

int fuzz_scoring_one(const uint8_t *data, size_t size);

#define FSC_AS_OF    1719792000LL /* 2024-07-01T00:00:00Z */
#define FSC_DOUBLES  9
#define FSC_RECORD   (1 + 8 * FSC_DOUBLES)
#define FSC_MAX      2000 /* people per input */
#define FSC_DETAILED 64   /* people whose detail JSON is checked */

static void fsc_check(bool ok, const char *what, const char *who)
{
	if (!ok) {
		fprintf(stderr, "fuzz_scoring: property failed: %s (%s)\n", what, who ? who : "-");
		abort();
	}
}

static double fsc_double(const uint8_t *p)
{
	double d;

	memcpy(&d, p, sizeof(d));
	return d;
}

static bool fsc_unit(double v)
{
	return isfinite(v) && v >= 0 && v <= 1;
}

static const char *const fsc_depts[4] = {"Sales", "IT", "Legal", ""};

/* A population as the loader would leave it, but with the numbers taken
 * as they come. */
static scorer_population *fsc_build(const uint8_t *data, size_t n, const struct scorer_params *p)
{
	scorer_population *pop = scorer_population_new(FSC_AS_OF, p);

	pop->pnames = xcalloc(2, sizeof(*pop->pnames));
	pop->pnames[0] = (struct scorer_pname){1, xstrdup("linkedin")};
	pop->pnames[1] = (struct scorer_pname){2, xstrdup("intranet")};
	pop->npnames = 2;
	pop->people = xcalloc(n ? n : 1, sizeof(*pop->people));
	pop->cap = n ? n : 1;
	pop->plat = xcalloc(n ? n : 1, sizeof(*pop->plat));
	pop->capplat = n ? n : 1;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *r = data + i * FSC_RECORD;
		struct scorer_person *sp = &pop->people[pop->n++];
		double v[FSC_DOUBLES];
		char id[32];

		for (int k = 0; k < FSC_DOUBLES; k++)
			v[k] = fsc_double(r + 1 + 8 * k);
		snprintf(id, sizeof(id), "P%zu", i);
		sp->pid = (int64_t)i + 1;
		sp->employee_id = arena_strdup(&pop->strings, id);
		sp->name = arena_strdup(&pop->strings, id);
		sp->department = arena_strdup(&pop->strings, fsc_depts[(r[0] >> 3) & 3]);
		sp->level = arena_strdup(&pop->strings, i % 3 ? "employee" : "");
		sp->has_response = r[0] & 1;
		sp->careless = (r[0] & 2) ? arena_strdup(&pop->strings, "straightlining") : NULL;
		sp->consent_yes = r[0] & 4;
		sp->in_attitude = v[0];
		sp->in_intrinsic = v[1];
		sp->in_extrinsic = v[2];
		sp->total.own = v[3];
		sp->total.conversation = v[4];
		sp->total.amplification = v[5];
		sp->total.posts = v[6];
		sp->total.engagement = v[7];
		sp->steady_weight = v[8];
		sp->total.weeks_active = (r[0] >> 6) * 9;
		sp->plat_first = pop->nplat;
		if (r[0] & 0x20) {
			pop->plat[pop->nplat++] = (struct scorer_platform){
			    .platform = 1 + (int64_t)(i % 3), .a = sp->total};
			sp->plat_count = 1;
		}
	}
	return pop;
}

static void fsc_check_person(const struct scorer_person *sp)
{
	const char *id = sp->employee_id;

	fsc_check(isfinite(sp->score) && sp->score >= 0 && sp->score <= 100, "score finite, 0..100",
	          id);
	fsc_check(sp->eligible || (sp->score == 0 && sp->rank == 0),
	          "no score and no rank when not eligible", id);
	fsc_check(fsc_unit(sp->activity), "activity finite, 0..1", id);
	fsc_check(fsc_unit(sp->steadiness) && fsc_unit(sp->volume) &&
	              (fsc_unit(sp->response) || (isnan(sp->response) && !(sp->total.posts > 0))) &&
	              fsc_unit(sp->conversation) && fsc_unit(sp->own_share) &&
	              fsc_unit(sp->authenticity),
	          "sub-features finite, 0..1", id);
	fsc_check(isnan(sp->attitude) || isfinite(sp->attitude), "attitude finite or unknown", id);
	fsc_check(isnan(sp->motivation) || fsc_unit(sp->motivation), "motivation 0..1 or unknown",
	          id);
}

static void fsc_check_ranking(const scorer_population *pop)
{
	size_t k = 0;

	for (size_t i = 0; i < pop->n; i++) {
		fsc_check_person(&pop->people[i]);
		k += pop->people[i].eligible;
	}
	fsc_check(pop->eligible == k, "eligible counted", NULL);
	for (size_t r = 0; r < k; r++) {
		const struct scorer_person *sp;
		fsc_check(pop->order[r] < pop->n, "order within the population", NULL);
		sp = &pop->people[pop->order[r]];
		fsc_check(sp->eligible && sp->rank == (int64_t)r + 1, "order and rank agree",
		          sp->employee_id);
		if (r > 0) {
			const struct scorer_person *prev = &pop->people[pop->order[r - 1]];
			fsc_check(prev->score > sp->score ||
			              (prev->score == sp->score &&
			               strcmp(prev->employee_id, sp->employee_id) < 0),
			          "best score first, ties by employee_id", sp->employee_id);
		}
	}
}

static void fsc_check_details(const scorer_population *pop)
{
	struct buf b = {0}, w = {0}, f = {0};

	for (size_t i = 0; i < pop->n && i < FSC_DETAILED; i++) {
		struct scorer_detail d;
		json_t *j;

		buf_reset(&b);
		scorer_detail_of(&d, pop, &pop->people[i]);
		int rc = scorer_detail_encode(&b, &d);
		/* only a platform name that is not UTF-8 is refused */
		fsc_check(rc == 0 || rc == ERR_INVALID, "the detail encodes or is refused",
		          pop->people[i].employee_id);
		if (rc)
			continue;
		j = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, NULL);
		fsc_check(j != NULL, "the detail is JSON", pop->people[i].employee_id);
		json_decref(j);
		fsc_check(scorer_detail_decode(&d, b.data) == 0, "the detail reads back",
		          pop->people[i].employee_id);
		/* stored in two parts (scorer/detail.h): they join to the whole */
		scorer_detail_of(&d, pop, &pop->people[i]);
		buf_reset(&w);
		buf_reset(&f);
		fsc_check(scorer_detail_encode_scored(&w, &d) == 0 &&
		              scorer_detail_encode_facts(&f, &d) == 0 && w.len >= 2 &&
		              f.len >= 10 && w.len - 2 + 1 + f.len - 10 == b.len &&
		              memcmp(w.data, b.data, w.len - 2) == 0 && b.data[w.len - 2] == ',' &&
		              memcmp(f.data + 10, b.data + w.len - 1, f.len - 10) == 0,
		          "the scored and facts parts join to the whole detail",
		          pop->people[i].employee_id);
	}
	buf_free(&b);
	buf_free(&w);
	buf_free(&f);
}

static void fsc_check_select(const scorer_population *pop, const struct scorer_params *p,
                             size_t size)
{
	struct select_opts o = {.size = size,
	                        .max_share = p->max_share,
	                        .min_score = p->min_score,
	                        .level_tie = p->level_tie};
	struct select_person *people = xcalloc(pop->eligible + 1, sizeof(*people));
	struct select_pick *picks = xcalloc(size, sizeof(*picks));
	size_t npicks = 99999, cap = scorer_select_cap(&o), seats[4] = {0};

	for (size_t r = 0; r < pop->eligible; r++) {
		const struct scorer_person *sp = &pop->people[pop->order[r]];
		people[r] = (struct select_person){sp->department, sp->level, sp->score};
	}
	fsc_check(scorer_select(picks, &npicks, people, pop->eligible, &o) == 0,
	          "valid options select", NULL);
	fsc_check(npicks <= size, "at most size picks", NULL);
	for (size_t k = 0; k < npicks; k++) {
		size_t d = 0;
		fsc_check(picks[k].index < pop->eligible, "a pick is someone ranked", NULL);
		fsc_check(k == 0 || picks[k].index > picks[k - 1].index, "picks in rank order",
		          NULL);
		fsc_check(people[picks[k].index].score >= o.min_score, "no pick below min_score",
		          NULL);
		while (d < 3 && strcmp(fsc_depts[d], people[picks[k].index].department) != 0)
			d++;
		fsc_check(++seats[d] <= cap, "no department above its cap", NULL);
	}
	free(people);
	free(picks);
}

int fuzz_scoring_one(const uint8_t *data, size_t size)
{
	struct scorer_params p;
	scorer_population *pop, *twin;
	size_t noverride, list_size, n;
	double *scores;
	int64_t *ranks;
	int rc;

	if (size < 1)
		return 0;
	scorer_params_defaults(&p);
	noverride = data[0] & 7;
	list_size = (size_t)(data[0] >> 3) + 1;
	data++, size--;
	for (size_t i = 0; i < noverride && size >= 9; i++) {
		const struct scorer_param_info *info =
		    scorer_param_at(data[0] % scorer_param_count());
		char text[64];
		snprintf(text, sizeof(text), "%.17g", fsc_double(data + 1));
		(void)scorer_params_set(&p, info->key, text); /* out of range: ignored */
		data += 9, size -= 9;
	}
	n = size / FSC_RECORD;
	if (n > FSC_MAX)
		n = FSC_MAX;

	pop = fsc_build(data, n, &p);
	rc = scorer_compute(pop, &p);
	if (rc != 0) {
		fsc_check(rc == ERR_INVALID && scorer_params_check(&p) != 0,
		          "only weights that fail the checks are refused", NULL);
		scorer_population_destroy(&pop);
		return 0;
	}
	fsc_check_ranking(pop);
	fsc_check_details(pop);
	fsc_check_select(pop, &p, list_size);

	/* Deterministic: again on the same population, then on a twin. */
	scores = xcalloc(n ? n : 1, sizeof(*scores));
	ranks = xcalloc(n ? n : 1, sizeof(*ranks));
	for (size_t i = 0; i < n; i++) {
		scores[i] = pop->people[i].score;
		ranks[i] = pop->people[i].rank;
	}
	fsc_check(scorer_compute(pop, &p) == 0, "computes again", NULL);
	twin = fsc_build(data, n, &p);
	fsc_check(scorer_compute(twin, &p) == 0, "a twin computes", NULL);
	for (size_t i = 0; i < n; i++) {
		const char *id = pop->people[i].employee_id;
		fsc_check(memcmp(&scores[i], &pop->people[i].score, sizeof(double)) == 0 &&
		              ranks[i] == pop->people[i].rank,
		          "the same score and rank when computed again", id);
		fsc_check(memcmp(&scores[i], &twin->people[i].score, sizeof(double)) == 0 &&
		              ranks[i] == twin->people[i].rank,
		          "the same score and rank from the same bytes", id);
	}
	free(scores);
	free(ranks);
	scorer_population_destroy(&twin);
	scorer_population_destroy(&pop);
	return 0;
}

#ifndef AMB_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_scoring_one(data, size);
}
#endif
