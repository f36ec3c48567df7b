/* log.h - one line per event on stderr, with time and level. */
#ifndef XT_LOG_H
#define XT_LOG_H

enum xt_log_level { XT_LOG_DEBUG, XT_LOG_INFO, XT_LOG_WARN, XT_LOG_ERROR };

void xt_log_set_level(enum xt_log_level level);
void xt_log(enum xt_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
