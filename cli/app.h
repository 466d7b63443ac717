/* app.h - the CLI's context, built in main() and passed to every command.
 * It owns the store (opened on first use) and the output stream. */
#ifndef AMB_CLI_APP_H
#define AMB_CLI_APP_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/table.h"
#include "core/store.h"

struct app {
	const char *db_path; /* --db, $AMBASSADOR_DB or "ambassador.db" */
	store *store;        /* opened by app_store(); closed by main */
	FILE *out;           /* standard output */
	bool out_tty;        /* output is a terminal: tables, colours */
	bool err_tty;        /* stderr is a terminal: progress lines */
	bool quiet;          /* -q: no notices or progress */
	bool read_only;      /* --read-only: open the database read-only */
	char user[96];       /* app_user()'s text */
};

/* Open the database (creating it if `create`) and migrate it. The store
 * stays owned by the app. Returns 0 or an err_code. */
int app_store(struct app *app, bool create, store **out);

/* A subcommand: argv[0] is the command's own name. Returns 0 or an
 * err_code; main prints err_msg() as one line and exits non-zero. */
typedef int (*cmd_fn)(struct app *app, int argc, char **argv);

struct cmd {
	const char *name;
	cmd_fn run;
	const char *summary; /* one line for `ambassador --help` */
};

/* True when argv holds -h or --help (before any "--"). */
bool cmd_wants_help(int argc, char **argv);

/* Who is acting, for logs and history: "cli:" and $USER ("cli:unknown"
 * without one). Borrowed from the app. */
const char *app_user(struct app *app);

/* Parse a command whose only option is --format table|csv|json and which
 * takes no arguments; `cmd` names it in errors. */
int app_format_only(int argc, char **argv, const char *cmd, enum table_format *out_fmt);

/* Trim spaces, tabs and line ends around an id typed on the command line
 * (in place; returns s). */
char *app_trim_id(char *s);

int cmd_init(struct app *app, int argc, char **argv);
int cmd_import(struct app *app, int argc, char **argv);
int cmd_status(struct app *app, int argc, char **argv);

#endif
