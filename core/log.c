/* log.c - one line per message on stderr: "ambassador: level: text". */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum log_level current_level = LOG_WARN;

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	char line[2048];
	va_list ap;

	if (level > current_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One stdio call per line: stdio locks the stream for each call, so
	 * concurrent threads do not interleave halves of lines. */
	fprintf(stderr, "ambassador: %s: %s\n", names[level], line);
}

void log_notice(const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (current_level < LOG_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ambassador: %s\n", line);
}
