/* log.h - logging to standard error. The level is the one piece of global
 * mutable state besides the thread-local error: set once at start-up.
 * Never log names, e-mail addresses or answers: log pseudonymous ids only. */
#ifndef AMB_CORE_LOG_H
#define AMB_CORE_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* A line the user should see without -v (not a warning): printed unless
 * -q set the level to LOG_ERROR. */
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
