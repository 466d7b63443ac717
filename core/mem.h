/* mem.h - allocation helpers that abort on out-of-memory, in one place,
 * and a growable byte buffer. */
#ifndef AMB_CORE_MEM_H
#define AMB_CORE_MEM_H

#include <stddef.h>

/* None of these returns NULL: they abort instead (and say so to the
 * compiler and the analysers). */
#define AMB_NONNULL_RESULT __attribute__((returns_nonnull, warn_unused_result))

void *xmalloc(size_t n) AMB_NONNULL_RESULT;
void *xcalloc(size_t count, size_t size) AMB_NONNULL_RESULT;
void *xrealloc(void *p, size_t n) AMB_NONNULL_RESULT;
/* realloc for arrays: aborts if count * size overflows. */
void *xreallocarray(void *p, size_t count, size_t size) AMB_NONNULL_RESULT;
char *xstrdup(const char *s) AMB_NONNULL_RESULT;
char *xstrndup(const char *s, size_t n) AMB_NONNULL_RESULT;
/* printf into a new string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2))) AMB_NONNULL_RESULT;

/* A growable, always NUL-terminated byte buffer. Zero-initialise to use. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
/* Free the storage; the buffer can be reused afterwards. */
void buf_free(struct buf *b);

#endif
