/* import_cmds.h - shared by the import subcommands (cli/cmd_import*.c). */
#ifndef AMB_CLI_IMPORT_CMDS_H
#define AMB_CLI_IMPORT_CMDS_H

#include <stddef.h>

#include "cli/app.h"
#include "core/timefmt.h"
#include "survey/import.h"

struct import_cmd_args {
	struct import_opts opts;
	const char *file;
	const char *codebook;          /* survey only */
	const char *labels;            /* survey only */
	size_t header_rows;            /* survey only; 0 = detect */
	enum timefmt_order date_order; /* survey only; AUTO = infer */
	const char *maps[8];           /* roster only: the --map arguments */
	size_t nmaps;
	const char *source; /* activity only: --source */
	char *employee;     /* activity only: --employee */
	int help;
};

/* Parse the options every import takes; argv[0] is the import kind. */
int import_parse_common(struct app *app, int argc, char **argv, struct import_cmd_args *out);

/* An importer with the shape of roster_import and activity_import. */
typedef int (*import_fn)(store *s, const char *path, const struct import_opts *opts,
                         struct import_summary *sum);

/* Parse the common options, open the store, run `fn` on FILE and print the
 * summary; `help` is printed for --help. For imports without extra options
 * (roster, activity). */
int import_run_simple(struct app *app, int argc, char **argv, const char *help, import_fn fn);

/* Print the listed errors (stderr) and the one-line summary (stdout). */
void import_print_summary(struct app *app, const char *file, const struct import_summary *sum);

/* `import survey` (cli/cmd_import_survey.c) and `import activity`
 * (cli/cmd_import_activity.c); argv[0] is "survey" / "activity". */
int import_survey_cmd(struct app *app, int argc, char **argv);
int import_activity_cmd(struct app *app, int argc, char **argv);

#endif
