/* cmd_import_survey.c - `ambassador import survey` (SPEC 2.2). */
#include "cli/import_cmds.h"
#include "core/err.h"

int import_survey_cmd(struct app *app, int argc, char **argv)
{
	return err_set(ERR_UNSUPPORTED, "import survey: not implemented yet");
}
