/* err.h - one error enum and a thread-local last-error message.
 *
 * Functions that can fail return 0 on success or a negative err_code.
 * The function that detects a failure calls err_set() once, with a one-line
 * message naming what failed (file:line:column, request field, ...); callers
 * propagate the code unchanged and the edge (CLI, server) prints err_msg().
 */
#ifndef AMB_CORE_ERR_H
#define AMB_CORE_ERR_H

enum err_code {
	ERR_OK = 0,
	ERR_INVALID = -1,      /* bad input: a file, a row, a request field */
	ERR_IO = -2,           /* operating-system I/O failure */
	ERR_NOMEM = -3,        /* out of memory (an allocation failed) */
	ERR_DB = -4,           /* unexpected database failure */
	ERR_NOT_FOUND = -5,    /* a named thing does not exist */
	ERR_BUSY = -6,         /* the database is locked; retry later */
	ERR_FULL = -7,         /* storage full */
	ERR_READONLY = -8,     /* the database is opened read-only */
	ERR_VERSION = -9,      /* schema newer than this binary */
	ERR_DUPLICATE = -10,   /* the same content was imported before */
	ERR_UNSUPPORTED = -11, /* not implemented */
	ERR_FORBIDDEN = -12,   /* the caller's role may not do this */
	ERR_CORRUPT = -13,     /* the database file is damaged */
	ERR_USAGE = -14,       /* wrong command-line usage */
	ERR_INTERNAL = -15,    /* a bug or a library failure we did not expect */
	ERR_NODATA = -16,      /* an input holds no data rows */
	ERR_LIMIT = -17,       /* input beyond a configured limit (a field too long) */
};

/* Record a one-line message for the calling thread and return `code`. */
int err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The calling thread's last message ("" when none). Borrowed; valid until
 * the next err_set on this thread. */
const char *err_msg(void);

/* Prefix the current message with "prefix: " (adds context on the way up)
 * and return `code`. */
int err_wrap(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Forget the calling thread's last message. */
void err_clear(void);

/* A short stable name for a code, e.g. "invalid" for ERR_INVALID. */
const char *err_name(int code);

#endif
