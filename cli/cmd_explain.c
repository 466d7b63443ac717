#include "cli/cmds_scoring.h"
#include "core/err.h"

int cmd_explain(struct app *app, int argc, char **argv)
{
	return err_set(ERR_UNSUPPORTED, "explain: not yet");
}
