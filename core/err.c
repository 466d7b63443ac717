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
	char joined[2 * ERR_MSG_MAX];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(joined, ERR_MSG_MAX, fmt, ap);
	va_end(ap);
	n = strlen(joined);
	/* joined has room for the prefix, ": " and the whole old message. */
	memcpy(joined + n, ": ", 2);
	memcpy(joined + n + 2, err_buf, strlen(err_buf) + 1);
	memcpy(err_buf, joined, ERR_MSG_MAX - 1);
	err_buf[ERR_MSG_MAX - 1] = '\0';
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
	case ERR_LIMIT: return "limit";
	default: return "unknown";
	}
}
