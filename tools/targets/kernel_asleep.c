/* Whether a kernel-backend thread sleeps in its call, from /proc (see kernel_asleep.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "kernel_asleep.h"

static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The system call a call can sleep in, or -1 if it never blocks. */
static long blocking_sysno(enum sys_nr nr)
{
	switch (nr) {
	case SYS_EPOLL_WAIT:
		return SYS_epoll_wait;
	case SYS_EPOLL_PWAIT:
		return SYS_epoll_pwait;
	case SYS_EPOLL_PWAIT2:
		return SYS_epoll_pwait2;
	case SYS_READ:
		return SYS_read;
	case SYS_WRITE:
		return SYS_write;
	case SYS_NANOSLEEP:
		return SYS_clock_nanosleep;
	case SYS_ACCEPT4:
		return SYS_accept4;
	case SYS_CONNECT:
		return SYS_connect;
	case SYS_POLL:
		return SYS_poll;
	case SYS_SELECT:
		return SYS_select;
	case SYS_URING_WAIT:
		return SYS_io_uring_enter;
	default:
		return -1;
	}
}

/* read_small()'s failure for a file that does not exist here: -2. */
static int read_proc(const char *path, char *buf, size_t len)
{
	if (read_small(path, buf, len) == 0)
		return 0;
	return access(path, F_OK) != 0 ? -2 : -1;
}

/* One check: the task sleeps ('S') inside system call `sysno` (or, with no syscall file, in_call). */
static bool task_asleep_in(pid_t pid, pid_t tid, long sysno, bool in_call)
{
	char path[64], buf[512];
	const char *p;
	char *end;
	long nr;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (read_small(path, buf, sizeof(buf)) != 0)
		return false;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] != 'S')
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	rc = read_proc(path, buf, sizeof(buf));
	if (rc == -2)
		return in_call;	/* no syscall file (gVisor): asleep inside the marked call */
	if (rc != 0)
		return false;
	nr = strtol(buf, &end, 10);
	return end != buf && nr == sysno;
}

bool kernel_asleep_in_call(pid_t pid, pid_t tid, enum sys_nr nr, bool in_call)
{
	long sysno = blocking_sysno(nr);

	return sysno >= 0 && task_asleep_in(pid, tid, sysno, in_call);
}
