/* main.c - `ambassador`: global options, then one subcommand from the
 * command table. Errors are printed here, once, as one line on stderr. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/app.h"
/* command headers */
#include "cli/cmds_outcomes.h"
#include "cli/cmds_service.h"
#include "cli/cmds_ops.h"
#include "cli/cmds_scoring.h"
#include "cli/version.h"
#include "core/err.h"
#include "core/log.h"

static const struct cmd commands[] = {
    {"init", cmd_init, "create or upgrade the database"},
    {"import", cmd_import, "import a roster, survey export, activity or outcomes file"},
    {"status", cmd_status, "what the database holds: people, departments, imports"},
    SCORING_COMMANDS /* scoring commands (cli/cmds_scoring.h) */
    /* service commands (cli/cmds_service.h) */
    {"serve", cmd_serve, "answer ranking and invitation requests over ZeroMQ"},
    {"query", cmd_query, "send one request to a server and print the reply"},
    {"keygen", cmd_keygen, "write a CurveZMQ key pair for the server or a client"},
    {"invitations", cmd_invitations, "list whom to invite next, record who was invited"},
    {"erase", cmd_erase, "erase a person for good (right to erasure)"},
    {"export", cmd_export, "everything stored about one person, as JSON (right of access)"},
    {"retention", cmd_retention, "remove old snapshots, audit entries and activity"},
    {"audit", cmd_audit, "show the service's audit log"},
    {"outcomes", cmd_outcomes, "what pilots produced: answers, activity after, ratings"},
    {"backup", cmd_backup, "write a consistent copy of the database, safe while serving"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: ambassador [--db PATH] [--read-only] [-q|-v] COMMAND [ARGS]\n\n"
	           "Find the first ambassadors of an employee advocacy programme: people who\n"
	           "already share their work on social media, like the organisation, and do\n"
	           "it because they want to.\n\n"
	           "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\noptions:\n"
	           "  --db PATH      database file (default $AMBASSADOR_DB or ambassador.db)\n"
	           "  --read-only    open the database read-only: reads work, every command\n"
	           "                 that writes fails with one \"read-only\" line\n"
	           "  -q, --quiet    no notices or progress\n"
	           "  -v, --verbose  more detail on stderr\n"
	           "  --version      print the version, schema version and library versions\n"
	           "  -h, --help     this help; `ambassador COMMAND --help` for a command\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"read-only", no_argument, NULL, 'R'},
	    {NULL, 0, NULL, 0},
	};
	struct app app = {0};
	const char *env = getenv("AMBASSADOR_DB");
	int ch, rc;

	app.db_path = env && *env ? env : "ambassador.db";
	app.out = stdout;
	app.out_tty = isatty(STDOUT_FILENO);
	app.err_tty = isatty(STDERR_FILENO);
	/* '+': stop at the first non-option, which is the subcommand. */
	while ((ch = getopt_long(argc, argv, "+qvh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': app.db_path = optarg; break;
		case 'R': app.read_only = true; break;
		case 'q':
			app.quiet = true;
			log_set_level(LOG_ERROR);
			break;
		case 'v': log_set_level(LOG_DEBUG); break;
		case 'h': usage(stdout); return 0;
		case 'V': app_print_version(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	int first = optind;
	const char *name = argv[first];
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, name) != 0)
			continue;
		optind = 0; /* reset getopt for the subcommand (glibc) */
		err_clear();
		rc = commands[i].run(&app, argc - first, argv + first);
		store_close(&app.store);
		if (rc == 0)
			return 0;
		fprintf(stderr, "ambassador: %s\n", *err_msg() ? err_msg() : err_name(rc));
		return rc == ERR_USAGE ? 2 : 1;
	}
	fprintf(stderr, "ambassador: unknown command '%s' (see `ambassador --help`)\n", name);
	return 2;
}
