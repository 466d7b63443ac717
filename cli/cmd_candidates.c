#include "cli/cmds_scoring.h"
#include "core/err.h"

int cmd_candidates(struct app *app, int argc, char **argv)
{
	return err_set(ERR_UNSUPPORTED, "candidates: not yet");
}
