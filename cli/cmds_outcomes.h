/* cmds_outcomes.h - what a pilot produced: `ambassador outcomes` and
 * `import outcomes` (cli/cmd_outcomes.c). */
#ifndef AMB_CLI_CMDS_OUTCOMES_H
#define AMB_CLI_CMDS_OUTCOMES_H

#include "cli/app.h"

int cmd_outcomes(struct app *app, int argc, char **argv);

/* `import outcomes FILE`; argv[0] is "outcomes". */
int import_outcomes_cmd(struct app *app, int argc, char **argv);

/* `weights evaluate ...` (cli/cmd_weights_learn.c); argv[0] is
 * "evaluate". */
int weights_evaluate(struct app *app, store *s, int argc, char **argv);

/* `weights fit ...`: writes a proposed profile version, never activated. */
int weights_fit(struct app *app, store *s, int argc, char **argv);

#endif
