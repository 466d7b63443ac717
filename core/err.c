/* err.c - the thread-local last error. Messages are truncated to fit the
 * fixed buffer; nothing here allocates, so it is safe on out-of-memory paths. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ERR_MSG_MAX 1024

static _Thread_local char err_buf[ERR_MSG_MAX];

int err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	return code;
}

int err_wrap(int code, const char *fmt, ...)
{
	char prefix[ERR_MSG_MAX];
	char old[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err_buf, sizeof(old));
	snprintf(err_buf, sizeof(err_buf), "%s: %s", prefix, old);
	return code;
}

const char *err_msg(void)
{
	return err_buf;
}

void err_clear(void)
{
	err_buf[0] = '\0';
}

const char *err_name(int code)
{
	switch (code) {
	case ERR_OK: return "ok";
	case ERR_INVALID: return "invalid";
	case ERR_IO: return "io";
	case ERR_NOMEM: return "nomem";
	case ERR_DB: return "db";
	case ERR_NOT_FOUND: return "not_found";
	case ERR_BUSY: return "busy";
	case ERR_FULL: return "full";
	case ERR_READONLY: return "readonly";
	case ERR_VERSION: return "version";
	case ERR_DUPLICATE: return "duplicate";
	case ERR_UNSUPPORTED: return "unsupported";
	case ERR_FORBIDDEN: return "forbidden";
	case ERR_CORRUPT: return "corrupt";
	case ERR_USAGE: return "usage";
	case ERR_INTERNAL: return "internal";
	case ERR_NODATA: return "nodata";
	default: return "unknown";
	}
}
