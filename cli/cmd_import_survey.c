/* cmd_import_survey.c - `ambassador import survey FILE --codebook CODEBOOK
 * [--labels FILE] [--header-rows N]` (docs/design.md, Contract 2.2): run the importer, print
 * the summary line and, after a committed import, one line per construct
 * with respondents, mean score and Cronbach's alpha. */
#include <stdio.h>

#include "cli/import_cmds.h"
#include "core/err.h"
#include "core/log.h"
#include "scorer/profile.h"
#include "survey/reliability.h"
#include "survey/survey.h"

static const char survey_help[] =
    "usage: ambassador import survey FILE --codebook CODEBOOK [--labels FILE]\n"
    "                                [--header-rows N] [--date-order dmy|mdy|ymd]\n"
    "                                [--skip-invalid] [options]\n\n"
    "Read a survey export (Microsoft Forms, Google Forms, Qualtrics, SurveyMonkey\n"
    "or any CSV with a header) through its codebook. Only the columns the\n"
    "codebook names are stored; respondents not on the roster, opted out or\n"
    "departed are skipped and counted. Each person counts with their latest\n"
    "answer. See docs/hr.md, section 'Survey import',\n"
    "and docs/imports.md.\n\n"
    "  --codebook FILE     columns column,construct,min,max,reverse; construct\n"
    "                      `id` names the employee-id column, `submitted_at` and\n"
    "                      `started_at` the timestamp columns\n"
    "  --labels FILE       extra answer labels (columns label,value)\n"
    "  --header-rows N     header rows before the data (default: detected;\n"
    "                      Qualtrics 3, SurveyMonkey 2, others 1)\n"
    "  --date-order ORDER  dmy, mdy or ymd: how to read numeric dates such as\n"
    "                      09/10/2024 (default: inferred from every date of the\n"
    "                      file; refused when none settles it)\n"
    "  --skip-invalid      keep the good rows; bad ones go to FILE.rejects.csv\n"
    "  --rejects PATH, --max-errors N, --max-field BYTES, --delimiter C,\n"
    "  --no-progress       as for every import (`ambassador import --help`)\n";

/* The smallest group of the active profile whose aggregates may be shown
 * (docs/design.md, Contract 3.12); the default when no profile is stored yet. */
static size_t min_group(store *s)
{
	struct scorer_params p;
	int64_t version;

	if (scorer_profile_load(s, NULL, false, &p, &version, NULL) != 0)
		scorer_params_defaults(&p);
	err_clear();
	return (size_t)p.min_group;
}

static void print_report(struct app *app, const char *file, const struct survey_report *r,
                         size_t min_n)
{
	fprintf(app->out, "%s: %s export, %zu header row%s", file, survey_vendor_name(r->vendor),
	        r->header_rows, r->header_rows == 1 ? "" : "s");
	if (r->date_order != TIMEFMT_ORDER_AUTO)
		fprintf(app->out, ", dates %s (%s)", timefmt_order_name(r->date_order),
		        r->date_order_inferred ? "inferred from the file" : "--date-order");
	fputc('\n', app->out);
	if (!r->nconstructs)
		return;
	fprintf(app->out, "%-20s %5s %11s %6s %8s %6s\n", "construct", "items", "respondents",
	        "mean", "complete", "alpha");
	for (size_t i = 0; i < r->nconstructs; i++) {
		const struct survey_construct_report *c = &r->constructs[i];
		if (c->respondents < (int64_t)min_n) {
			/* A mean or an alpha over a few people tells their answers. */
			fprintf(app->out,
			        "%-20s %5zu %11lld %6s %8zu %6s  (fewer than %zu: not shown)\n",
			        c->name, c->items, (long long)c->respondents, "-", c->complete, "-",
			        min_n);
			continue;
		}
		fprintf(app->out, "%-20s %5zu %11lld %6.3f %8zu ", c->name, c->items,
		        (long long)c->respondents, c->mean, c->complete);
		if (c->has_alpha)
			fprintf(app->out, "%6.3f\n", c->alpha);
		else
			fprintf(app->out, "%6s  (%s)\n", "-", c->note);
		if (c->has_alpha && c->alpha < SURVEY_ALPHA_WARN)
			log_warn(
			    "construct '%s': Cronbach's alpha %.3f is below %.1f; its items may "
			    "not measure one thing (check reverse items in the codebook)",
			    c->name, c->alpha, SURVEY_ALPHA_WARN);
	}
}

int import_survey_cmd(struct app *app, int argc, char **argv)
{
	struct import_cmd_args a;
	struct import_summary sum = {0};
	struct survey_report report = {0};
	struct survey_import_opts so;
	store *s;
	int rc;

	if ((rc = import_parse_common(app, argc, argv, &a)))
		return rc;
	if (a.help) {
		fputs(survey_help, app->out);
		return 0;
	}
	if (a.source || a.employee)
		return err_set(ERR_USAGE, "--source and --employee are for `import activity`");
	if (!a.codebook)
		return err_set(ERR_USAGE, "import survey needs --codebook CODEBOOK (see "
		                          "`ambassador import survey --help`)");
	so.codebook = a.codebook;
	so.labels = a.labels;
	so.header_rows = a.header_rows;
	so.date_order = a.date_order;
	if ((rc = app_store(app, true, &s)))
		return rc;
	rc = survey_import(s, a.file, &so, &a.opts, &sum, &report);
	/* A codebook or header error stops before any row: the one-line
	 * reason main prints says it all. */
	if (!rc || sum.nerrors || sum.rows_read)
		import_print_summary(app, a.file, &sum);
	if (!rc && !sum.duplicate)
		print_report(app, a.file, &report, min_group(s));
	survey_report_clear(&report);
	import_summary_clear(&sum);
	return rc;
}
