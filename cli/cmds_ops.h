/* cmds_ops.h - operations commands: backup. */
#ifndef AMB_CLI_CMDS_OPS_H
#define AMB_CLI_CMDS_OPS_H

#include "cli/app.h"

int cmd_backup(struct app *app, int argc, char **argv);

#endif
