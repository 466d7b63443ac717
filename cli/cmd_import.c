/* cmd_import.c - `ambassador import roster|survey|activity FILE`: parse the
 * shared options, run the importer, print the error list and the one-line
 * summary. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/app.h"
#include "cli/cmds_outcomes.h"
#include "cli/import_cmds.h"
#include "core/err.h"
#include "core/num.h"
#include "core/mem.h"
#include "survey/roster.h"

static const char import_help[] =
    "usage: ambassador import roster FILE [--map FIELD=COLUMN,...] [options]\n"
    "       ambassador import survey FILE --codebook CODEBOOK [--labels FILE]\n"
    "                                     [--header-rows N] [--date-order dmy|mdy|ymd]\n"
    "                                     [options]\n"
    "       ambassador import activity FILE [options]\n"
    "       ambassador import activity --source viva-engage FILE [options]\n"
    "       ambassador import activity --source linkedin-export PATH --employee ID\n"
    "       ambassador import outcomes FILE [options]\n\n"
    "Each import is one transaction: it lands whole or not at all. The same\n"
    "content imported again is reported as a duplicate and changes nothing.\n\n"
    "options:\n"
    "  --skip-invalid      keep the good rows; write bad ones, with reasons, to\n"
    "                      FILE.rejects.csv (default: any bad row rejects the file)\n"
    "  --rejects PATH      where --skip-invalid writes the bad rows\n"
    "  --max-errors N      bad rows listed before the rest are only counted (20)\n"
    "  --max-field BYTES   longest field accepted (65536)\n"
    "  --delimiter C       field separator (default: ',', or ';' when the header\n"
    "                      line holds more of them, as Excel writes in much of Europe)\n"
    "  --encoding E        utf-8 (default), cp1252 or latin1: Excel's plain \"CSV\"\n"
    "                      on Windows is cp1252\n"
    "  --no-progress       no progress line on a terminal\n"
    "  --force             import even if the same content was imported before\n"
    "                      (e.g. a survey whose rows were skipped because the\n"
    "                      roster lacked those people then)\n"
    "  --allow-departures  roster: accept a file that marks more than 20% of the\n"
    "                      people departed (refused by default)\n"
    "  --map F=COLUMN,...  roster: which export column holds each field\n"
    "                      (employee_id, name, email, department, level, consent),\n"
    "                      e.g. --map employee_id=\"Employee Number\",department=\"Org\n"
    "                      Unit\"; kept for the next file with the same header\n";

static int parse_size(const char *s, const char *what, size_t *out)
{
	int64_t v;

	if (num_int(s, 1, INT64_MAX, &v) != 0)
		return err_set(ERR_USAGE, "%s must be a positive whole number, not '%s'", what, s);
	*out = (size_t)v;
	return 0;
}

int import_parse_common(struct app *app, int argc, char **argv, struct import_cmd_args *out)
{
	static const struct option opts[] = {
	    {"skip-invalid", no_argument, NULL, 's'},
	    {"rejects", required_argument, NULL, 'r'},
	    {"max-errors", required_argument, NULL, 'e'},
	    {"max-field", required_argument, NULL, 'f'},
	    {"delimiter", required_argument, NULL, 'D'},
	    {"no-progress", no_argument, NULL, 'P'},
	    {"codebook", required_argument, NULL, 'c'},
	    {"labels", required_argument, NULL, 'l'},
	    {"header-rows", required_argument, NULL, 'H'},
	    {"date-order", required_argument, NULL, 'O'},
	    {"encoding", required_argument, NULL, 'E'},
	    {"map", required_argument, NULL, 'M'},
	    {"help", no_argument, NULL, 'h'},
	    {"force", no_argument, NULL, 'F'},
	    {"allow-departures", no_argument, NULL, 'A'},
	    {"source", required_argument, NULL, 'S'},
	    {"employee", required_argument, NULL, 'I'},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->opts.progress = app->err_tty && !app->quiet;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 's': out->opts.skip_invalid = true; break;
		case 'r': out->opts.rejects_path = optarg; break;
		case 'e':
			if ((rc = parse_size(optarg, "--max-errors", &out->opts.max_errors)))
				return rc;
			break;
		case 'f':
			if ((rc = parse_size(optarg, "--max-field", &out->opts.csv.max_field)))
				return rc;
			break;
		case 'D':
			if (strlen(optarg) != 1 || optarg[0] == '"' || optarg[0] == '\n')
				return err_set(ERR_USAGE,
				               "--delimiter takes one character, not '%s'", optarg);
			out->opts.csv.delimiter = optarg[0];
			break;
		case 'P': out->opts.progress = false; break;
		case 'c': out->codebook = optarg; break;
		case 'l': out->labels = optarg; break;
		case 'H':
			if ((rc = parse_size(optarg, "--header-rows", &n)))
				return rc;
			out->header_rows = n;
			break;
		case 'E':
			if ((rc = csv_encoding_check(optarg)))
				return rc;
			out->opts.csv.encoding = optarg;
			break;
		case 'M':
			if (out->nmaps == sizeof(out->maps) / sizeof(out->maps[0]))
				return err_set(ERR_USAGE, "--map is given at most %zu times",
				               out->nmaps);
			out->maps[out->nmaps++] = optarg;
			break;
		case 'O':
			if ((rc = timefmt_order_parse(optarg, &out->date_order)))
				return rc;
			break;
		case 'h': out->help = true; return 0;
		case 'F': out->opts.force = true; break;
		case 'A': out->opts.allow_departures = true; break;
		case 'S': out->source = optarg; break;
		case 'I': out->employee = optarg; break;
		default: return err_set(ERR_USAGE, "see `ambassador import --help`");
		}
	}
	if (optind + 1 != argc)
		return err_set(ERR_USAGE,
		               "import %s needs exactly one FILE (see `ambassador "
		               "import --help`)",
		               argv[0]);
	out->file = argv[optind];
	return 0;
}

void import_print_summary(struct app *app, const char *file, const struct import_summary *sum)
{
	for (size_t i = 0; i < sum->nerrors; i++)
		fprintf(stderr, "%s\n", sum->errors[i]);
	if (sum->errors_total > (int64_t)sum->nerrors)
		fprintf(stderr, "... and %lld more bad rows\n",
		        (long long)(sum->errors_total - (int64_t)sum->nerrors));
	if (sum->duplicate) {
		fprintf(app->out,
		        "%s: the same content was already imported (import #%lld); "
		        "nothing changed%s\n",
		        file, (long long)sum->duplicate_of,
		        sum->duplicate_bytes ? " (the same bytes: no row was read)" : "");
		return;
	}
	if (!sum->committed)
		return; /* nothing landed: main prints the one-line reason */
	fprintf(app->out, "%s: %lld rows read, %lld kept, %lld rejected, %lld skipped", file,
	        (long long)sum->rows_read, (long long)sum->rows_kept, (long long)sum->rows_rejected,
	        (long long)sum->rows_skipped);
	for (size_t i = 0; i < sum->nnotes; i++)
		if (sum->notes[i].count)
			fprintf(app->out, "; %s: %lld", sum->notes[i].label,
			        (long long)sum->notes[i].count);
	fputc('\n', app->out);
	if (*sum->rejects_path && sum->rows_rejected)
		fprintf(app->out, "bad rows written to %s\n", sum->rejects_path);
}

int import_run_simple(struct app *app, int argc, char **argv, const char *help, import_fn fn)
{
	struct import_cmd_args a;
	struct import_summary sum = {0};
	store *s;
	int rc;

	if ((rc = import_parse_common(app, argc, argv, &a)))
		return rc;
	if (a.help) {
		fputs(help, app->out);
		return 0;
	}
	if (a.codebook || a.labels || a.header_rows || a.date_order)
		return err_set(ERR_USAGE, "--codebook, --labels, --header-rows and --date-order "
		                          "are for `import survey`");
	if (a.nmaps)
		return err_set(ERR_USAGE, "--map is for `import roster`");
	if (a.source || a.employee)
		return err_set(ERR_USAGE, "--source and --employee are for `import activity`");
	if ((rc = app_store(app, true, &s)))
		return rc;
	rc = fn(s, a.file, &a.opts, &sum);
	import_print_summary(app, a.file, &sum);
	import_summary_clear(&sum);
	return rc;
}

/* The --map arguments as "field=column" lines: each argument holds one or
 * more pairs separated by ','. Owned by the caller. */
static char *map_lines(const struct import_cmd_args *a)
{
	size_t len = 1, at = 0;
	char *text;

	for (size_t i = 0; i < a->nmaps; i++)
		len += strlen(a->maps[i]) + 1;
	text = xcalloc(1, len);
	for (size_t i = 0; i < a->nmaps; i++) {
		size_t n = strlen(a->maps[i]);
		memcpy(text + at, a->maps[i], n);
		text[at + n] = '\n';
		at += n + 1;
	}
	for (char *p = text; (p = strchr(p, ',')); p++)
		*p = '\n';
	return text;
}

static int import_roster_cmd(struct app *app, int argc, char **argv)
{
	struct import_cmd_args a;
	struct import_summary sum = {0};
	char *map = NULL;
	store *s;
	int rc;

	if ((rc = import_parse_common(app, argc, argv, &a)))
		return rc;
	if (a.help || !a.nmaps || a.source || a.employee)
		return import_run_simple(app, argc, argv, import_help, roster_import);
	if (a.codebook || a.labels || a.header_rows || a.date_order)
		return err_set(ERR_USAGE, "--codebook, --labels, --header-rows and --date-order "
		                          "are for `import survey`");
	if ((rc = app_store(app, true, &s)))
		return rc;
	map = map_lines(&a);
	rc = roster_import_mapped(s, a.file, &a.opts, map, &sum);
	if (!rc || sum.nerrors || sum.rows_read)
		import_print_summary(app, a.file, &sum);
	import_summary_clear(&sum);
	free(map);
	return rc;
}

static const struct {
	const char *name;
	cmd_fn run;
} kinds[] = {
    {"roster", import_roster_cmd},
    {"survey", import_survey_cmd},
    {"activity", import_activity_cmd},
    {"outcomes", import_outcomes_cmd},
};

int cmd_import(struct app *app, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(import_help, argc < 2 ? stderr : app->out);
		return argc < 2
		           ? err_set(ERR_USAGE, "import needs roster, survey, activity or outcomes")
		           : 0;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(argv[1], kinds[i].name) == 0)
			return kinds[i].run(app, argc - 1, argv + 1);
	return err_set(ERR_USAGE, "unknown import '%s': use roster, survey, activity or outcomes",
	               argv[1]);
}
