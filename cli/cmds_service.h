/* cmds_service.h - the service's subcommands: serve, query, keygen,
 * invitations, erase and audit (cli/cmd_<name>.c). */
#ifndef AMB_CLI_CMDS_SERVICE_H
#define AMB_CLI_CMDS_SERVICE_H

#include "cli/app.h"

int cmd_serve(struct app *app, int argc, char **argv);
int cmd_query(struct app *app, int argc, char **argv);
int cmd_keygen(struct app *app, int argc, char **argv);
int cmd_invitations(struct app *app, int argc, char **argv);
int cmd_erase(struct app *app, int argc, char **argv);
int cmd_export(struct app *app, int argc, char **argv);
int cmd_retention(struct app *app, int argc, char **argv);
int cmd_audit(struct app *app, int argc, char **argv);

/* Parse a whole decimal number in [min, max] for option `what`. */
int cli_parse_int(const char *text, const char *what, long long min, long long max, long long *out);

#endif
