/* Answer labels: the built-in agreement scale in four languages, folding
 * of case, blanks and accents, and labels added from a file. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "../support/testutil.h"
#include "core/err.h"
#include "survey/labels.h"
#include "survey/survey.h"

static char *dir;

static void setup(void)
{
	dir = tu_tempdir();
}

static void teardown(void)
{
	tu_rmrf(dir);
	free(dir);
}

TestSuite(survey_labels, .init = setup, .fini = teardown);

static double value_of(const labels *l, const char *text)
{
	double v = -1;

	cr_assert(eq(int, labels_find(l, text, &v, NULL), 1), "'%s' is not known", text);
	return v;
}

Test(survey_labels, knows_the_english_agreement_scale)
{
	labels *l = labels_new();

	cr_assert(epsilon_eq(dbl, value_of(l, "Strongly disagree"), 1, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Disagree"), 2, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Neither agree nor disagree"), 3, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Neutral"), 3, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Agree"), 4, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Strongly agree"), 5, 1e-12));
	labels_destroy(&l);
	cr_assert(l == NULL);
}

Test(survey_labels, knows_the_danish_agreement_scale)
{
	labels *l = labels_new();

	cr_assert(epsilon_eq(dbl, value_of(l, "Helt uenig"), 1, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Uenig"), 2, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Delvis uenig"), 2, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Hverken enig eller uenig"), 3, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Enig"), 4, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Delvis enig"), 4, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Helt enig"), 5, 1e-12));
	labels_destroy(&l);
}

Test(survey_labels, knows_the_swedish_agreement_scale)
{
	labels *l = labels_new();

	cr_assert(epsilon_eq(dbl, value_of(l, "Tar helt avstånd"), 1, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Instämmer inte alls"), 1, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Tar delvis avstånd"), 2, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Varken eller"), 3, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Instämmer delvis"), 4, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Instämmer helt"), 5, 1e-12));
	labels_destroy(&l);
}

Test(survey_labels, knows_the_dutch_agreement_scale)
{
	labels *l = labels_new();

	cr_assert(epsilon_eq(dbl, value_of(l, "Helemaal mee oneens"), 1, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Mee oneens"), 2, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Neutraal"), 3, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Mee eens"), 4, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Helemaal mee eens"), 5, 1e-12));
	labels_destroy(&l);
}

Test(survey_labels, ignores_case_blanks_and_accents)
{
	labels *l = labels_new();
	char out[64];

	cr_assert(epsilon_eq(dbl, value_of(l, "  STRONGLY   agree "), 5, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "INSTÄMMER HELT"), 5, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "instammer helt"), 5, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "tar helt avstand"), 1, 1e-12));
	cr_assert(epsilon_eq(dbl,
	                     value_of(l, "Helt\xc2\xa0"
	                                 "enig"),
	                     5, 1e-12));
	labels_fold(out, sizeof(out), "Ærø Øst Ål Café Straße Œuvre");
	cr_assert(eq(str, out, "aero ost al cafe strasse oeuvre"));
	labels_destroy(&l);
}

Test(survey_labels, does_not_know_other_words)
{
	labels *l = labels_new();
	double v;

	cr_assert(eq(int, labels_find(l, "Sort of", &v, NULL), 0));
	cr_assert(eq(int, labels_find(l, "", &v, NULL), 0));
	labels_destroy(&l);
}

Test(survey_labels, adds_and_overrides_labels_from_a_file)
{
	char *path = tu_write(dir, "l.csv", "label,value\nStimme zu,4\nSehr gut,9\nNeutral,2.5\n");
	labels *l = labels_new();
	enum label_origin origin;
	double v;

	cr_assert(eq(int, labels_load(l, path, NULL), 0), "%s", err_msg());
	cr_assert(epsilon_eq(dbl, value_of(l, "stimme ZU"), 4, 1e-12));
	cr_assert(eq(int, labels_find(l, "Sehr gut", &v, &origin), 1));
	cr_assert(eq(int, origin, LABEL_FILE));
	cr_assert(epsilon_eq(dbl, value_of(l, "Neutral"), 2.5, 1e-12));
	cr_assert(eq(int, labels_find(l, "Agree", &v, &origin), 1));
	cr_assert(eq(int, origin, LABEL_BUILTIN));
	labels_destroy(&l);
	free(path);
}

Test(survey_labels, rejects_a_bad_labels_file_with_its_position)
{
	static const struct {
		const char *text, *needle;
	} cases[] = {
	    {"name,value\nx,1\n", "l.csv:1:1: the labels file needs columns label,value"},
	    {"label,value\nx,one\n", "l.csv:2:2: value 'one' is not a number"},
	    {"label,value\nx,inf\n", "l.csv:2:2:"},
	    {"label,value\n,3\n", "l.csv:2:1: the label is empty"},
	    {"label,value\nJa,1\nJA,2\n", "l.csv:3:1: label 'JA' was given the value 1 on line 2"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = tu_write(dir, "l.csv", cases[i].text);
		labels *l = labels_new();
		cr_assert(eq(int, labels_load(l, path, NULL), ERR_INVALID));
		cr_assert(strstr(err_msg(), cases[i].needle) != NULL, "'%s' not in '%s'",
		          cases[i].needle, err_msg());
		labels_destroy(&l);
		free(path);
	}
}

Test(survey_labels, parses_answer_cells_strictly)
{
	labels *l = labels_new();
	char why[256];
	double v = -1;

	cr_assert(eq(int, survey_parse_answer("", 1, 5, l, &v, why, sizeof(why)), 0));
	cr_assert(eq(int, survey_parse_answer("  ", 1, 5, l, &v, why, sizeof(why)), 0));
	cr_assert(eq(int, survey_parse_answer("3", 1, 5, l, &v, why, sizeof(why)), 1));
	cr_assert(epsilon_eq(dbl, v, 3, 1e-12));
	cr_assert(eq(int, survey_parse_answer("4.5", 1, 5, l, &v, why, sizeof(why)), 1));
	cr_assert(eq(int, survey_parse_answer("Enig", 1, 5, l, &v, why, sizeof(why)), 1));
	cr_assert(epsilon_eq(dbl, v, 4, 1e-12));
	cr_assert(eq(int, survey_parse_answer("-0", 0, 10, l, &v, why, sizeof(why)), 1));
	cr_assert(not(signbit(v)));
	static const char *const bad[] = {"-0",    "0",   "6",  "3,5", "NaN",   "-inf",
	                                  "1e999", "0x3", "3x", "1e",  "Enig!", "."};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert(eq(int, survey_parse_answer(bad[i], 1, 5, l, &v, why, sizeof(why)), -1),
		          "'%s' was accepted", bad[i]);
	labels_destroy(&l);
}

Test(survey_labels, knows_seven_point_scales_and_the_german_wording)
{
	labels *l = labels_new();
	struct label_match m;

	cr_assert(eq(int, labels_match(l, "Somewhat agree", &m), 1));
	cr_assert(epsilon_eq(dbl, m.value, 4, 1e-12));
	cr_assert(epsilon_eq(dbl, m.value7, 5, 1e-12));
	cr_assert(eq(int, labels_match(l, "Neither agree or disagree", &m), 1));
	cr_assert(epsilon_eq(dbl, m.value7, 4, 1e-12));
	cr_assert(eq(int, labels_match(l, "Strongly agree", &m), 1));
	cr_assert(epsilon_eq(dbl, m.value7, 7, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Meget enig"), 5, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Meget uenig"), 1, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Stimme eher zu"), 4, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Stimme überhaupt nicht zu"), 1, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Enigszins mee oneens"), 2, 1e-12));
	cr_assert(epsilon_eq(dbl, value_of(l, "Håller helt med"), 5, 1e-12));
	labels_destroy(&l);
}

Test(survey_labels, knows_dont_know_answers_in_five_languages)
{
	static const char *const dk[] = {"Don't know", "N/A",           "Unfamiliar (N/A)",
	                                 "Ved ikke",   "Vet ej",        "Weet niet",
	                                 "Weiß nicht", "not applicable"};
	labels *l = labels_new();
	struct label_match m;

	for (size_t i = 0; i < sizeof(dk) / sizeof(dk[0]); i++) {
		cr_assert(eq(int, labels_match(l, dk[i], &m), 1), "'%s' is not known", dk[i]);
		cr_assert(eq(int, m.origin, LABEL_MISSING), "'%s' is not missing", dk[i]);
	}
	labels_destroy(&l);
}

Test(survey_labels, takes_a_labels_file_row_without_a_value_as_missing)
{
	char *path = tu_write(dir, "l.csv", "label,value\nKan ikke svare,\nSehr gut,9\n");
	char *bad = tu_write(dir, "b.csv", "label,value\nX,\nx,3\n");
	labels *l = labels_new();
	struct label_match m;

	cr_assert(eq(int, labels_load(l, path, NULL), 0), "%s", err_msg());
	cr_assert(eq(int, labels_match(l, "kan ikke svare", &m), 1));
	cr_assert(eq(int, m.origin, LABEL_MISSING));
	labels_destroy(&l);
	l = labels_new();
	cr_assert(eq(int, labels_load(l, bad, NULL), ERR_INVALID));
	cr_assert(strstr(err_msg(), "b.csv:3:1: label 'x' is both missing and a value") != NULL,
	          "%s", err_msg());
	labels_destroy(&l);
	free(path);
	free(bad);
}

Test(survey_labels, reads_numbered_labels_seven_point_labels_and_dont_know)
{
	labels *l = labels_new();
	char why[256];
	double v = -1;

	cr_assert(
	    eq(int, survey_parse_answer("5 - Strongly agree", 1, 5, l, &v, why, sizeof(why)), 1),
	    "%s", why);
	cr_assert(epsilon_eq(dbl, v, 5, 1e-12));
	cr_assert(eq(int, survey_parse_answer("(2) Uenig", 1, 5, l, &v, why, sizeof(why)), 1));
	cr_assert(epsilon_eq(dbl, v, 2, 1e-12));
	cr_assert(eq(int, survey_parse_answer("Somewhat agree", 1, 7, l, &v, why, sizeof(why)), 1));
	cr_assert(epsilon_eq(dbl, v, 5, 1e-12));
	cr_assert(eq(int, survey_parse_answer("Strongly agree", 0, 6, l, &v, why, sizeof(why)), 1));
	cr_assert(epsilon_eq(dbl, v, 6, 1e-12));
	/* A numbered label of the survey's own: the number is the answer. */
	cr_assert(eq(int, survey_parse_answer("3. Sometimes", 1, 5, l, &v, why, sizeof(why)), 1));
	cr_assert(epsilon_eq(dbl, v, 3, 1e-12));
	cr_assert(eq(int, survey_parse_answer("9 - Sometimes", 1, 5, l, &v, why, sizeof(why)), -1));
	cr_assert(eq(int, survey_parse_answer("Ved ikke", 1, 5, l, &v, why, sizeof(why)), 2));
	cr_assert(eq(int, survey_parse_answer("(9) Don't know", 1, 5, l, &v, why, sizeof(why)), 2));
	cr_assert(eq(int, survey_parse_answer("Agree", 0, 10, l, &v, why, sizeof(why)), -1));
	labels_destroy(&l);
}
