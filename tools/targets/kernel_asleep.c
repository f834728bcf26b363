/* Whether a kernel-backend thread sleeps in its call, from /proc (see kernel_asleep.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "kernel_asleep.h"

/* Read a /proc file afresh from its start: 0, or -1. */
static int pread_small(int fd, char *buf, size_t len)
{
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, buf, len - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Open path and move it to a high fd number (half the fd limit or more). */
static int open_high(const char *path)
{
	struct rlimit rl;
	int fd = open(path, O_RDONLY | O_CLOEXEC), hi;

	if (fd < 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return fd;
	hi = (int)(rl.rlim_cur / 2 > 64 ? (rl.rlim_cur > 1 << 20 ? 1 << 19 : rl.rlim_cur / 2) : 64);
	if (fd < hi) {
		int moved = fcntl(fd, F_DUPFD_CLOEXEC, hi);

		if (moved >= 0) {
			close(fd);
			fd = moved;
		}
	}
	return fd;
}

void task_proc_open(struct task_proc *t, pid_t pid, pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	t->stat_fd = open_high(path);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	t->syscall_fd = open_high(path);
}

void task_proc_close(struct task_proc *t)
{
	if (t->stat_fd >= 0)
		close(t->stat_fd);
	if (t->syscall_fd >= 0)
		close(t->syscall_fd);
	t->stat_fd = t->syscall_fd = -1;
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

/* One check: the task sleeps ('S') inside system call `sysno` (or, with no syscall file, in_call). */
static bool task_asleep_in(struct task_proc *t, long sysno, bool in_call)
{
	char buf[512];
	const char *p;
	char *end;
	long nr;

	if (pread_small(t->stat_fd, buf, sizeof(buf)) != 0)
		return false;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] != 'S')
		return false;
	if (t->syscall_fd < 0)
		return in_call;	/* no syscall file (gVisor): asleep inside the marked call */
	if (pread_small(t->syscall_fd, buf, sizeof(buf)) != 0)
		return false;
	nr = strtol(buf, &end, 10);
	return end != buf && nr == sysno;
}

bool kernel_asleep_in_call(struct task_proc *t, enum sys_nr nr, bool in_call)
{
	long sysno = blocking_sysno(nr);

	return sysno >= 0 && task_asleep_in(t, sysno, in_call);
}
