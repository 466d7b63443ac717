#include "cli/cmds_scoring.h"
#include "core/err.h"

int cmd_weights(struct app *app, int argc, char **argv)
{
	return err_set(ERR_UNSUPPORTED, "weights: not yet");
}
