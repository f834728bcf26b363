/*
 * EPSIM_LIVE_LOG: what the library intercepted, one line per call, on stderr
 * (EPSIM_LIVE_LOG=1) or appended to a file (EPSIM_LIVE_LOG=PATH).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "live.h"

struct live_log {
	int fd;
};

void live_log_open(struct live_state *st)
{
	const char *v = getenv("EPSIM_LIVE_LOG");
	long fd;

	if (!v || !*v || !strcmp(v, "0"))
		return;
	if (!strcmp(v, "1"))
		fd = live_sys(SYS_fcntl, 2, F_DUPFD_CLOEXEC, 0, 0, 0, 0);
	else
		fd = live_sys(SYS_open, (long)v, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644, 0, 0,
			      0);
	if (fd < 0)
		return;
	st->log = calloc(1, sizeof(*st->log));
	if (!st->log) {
		live_sys(SYS_close, fd, 0, 0, 0, 0, 0);
		return;
	}
	st->log->fd = live_private_fd(st, (int)fd);
}

bool live_logging(const struct live_state *st)
{
	return st && st->log && st->log->fd >= 0;
}

void live_logf(struct live_state *st, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (!live_logging(st))
		return;
	n = snprintf(line, sizeof(line), "epsim-live[%d]: ", (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	live_sys(SYS_write, st->log->fd, (long)line, n, 0, 0, 0);
}
