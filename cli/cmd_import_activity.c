/* cmd_import_activity.c - `ambassador import activity` (SPEC 2.3). */
#include "cli/import_cmds.h"
#include "core/err.h"

int import_activity_cmd(struct app *app, int argc, char **argv)
{
	return err_set(ERR_UNSUPPORTED, "import activity: not implemented yet");
}
