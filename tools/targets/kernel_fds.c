/* fd sets and the own-fds rules of the kernel backend (see kernel_fds.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include "kernel_fds.h"

int fdset_add(struct fdset *s, int fd)
{
	if (fd < 0)
		return 0;
	if ((size_t)fd >= s->len) {
		size_t len = s->len ? s->len : 64;
		unsigned char *p;

		while (len <= (size_t)fd)
			len *= 2;
		p = realloc(s->has, len);
		if (!p)
			return -1;
		memset(p + s->len, 0, len - s->len);
		s->has = p;
		s->len = len;
	}
	s->has[fd] = 1;
	return 0;
}

bool fdset_has(const struct fdset *s, int fd)
{
	return fd >= 0 && (size_t)fd < s->len && s->has[fd];
}

void fdset_del(struct fdset *s, int fd)
{
	if (fdset_has(s, fd))
		s->has[fd] = 0;
}

int fdset_scan_open(struct fdset *s)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (end == e->d_name || *end || fd == dirfd(d))
			continue;
		if (fdset_add(s, (int)fd) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int fdset_copy(struct fdset *dst, const struct fdset *src)
{
	dst->has = NULL;
	dst->len = 0;
	if (!src->len)
		return 0;
	dst->has = malloc(src->len);
	if (!dst->has)
		return -1;
	memcpy(dst->has, src->has, src->len);
	dst->len = src->len;
	return 0;
}

void fdset_free(struct fdset *s)
{
	free(s->has);
	s->has = NULL;
	s->len = 0;
}

int kfds_closing_fd(const struct sys_call *c)
{
	if (c->nr == SYS_CLOSE)
		return c->fd;
	if (c->nr == SYS_DUP2)
		return c->fd2;
	if (c->nr == SYS_FCNTL)
		return c->fd;	/* flags and owners of the harness's fds are not ours to change */
	return -1;
}

static bool creates_one_fd(enum sys_nr nr)
{
	return nr == SYS_EPOLL_CREATE || nr == SYS_EPOLL_CREATE1 ||
	       nr == SYS_EVENTFD2 || nr == SYS_DUP || nr == SYS_DUP2 || nr == SYS_TIMERFD_CREATE ||
	       nr == SYS_SIGNALFD ||
	       nr == SYS_SOCKET || nr == SYS_ACCEPT4 || nr == SYS_URING_SETUP;
}

/* Whether call nr takes an fd in `fd` (the others take none, or a number that is not an fd). */
static bool call_takes_fd(enum sys_nr nr)
{
	switch (nr) {
	case SYS_EPOLL_CREATE:
	case SYS_EPOLL_CREATE1:
	case SYS_PIPE2:
	case SYS_EVENTFD2:
	case SYS_SOCKETPAIR:
	case SYS_NANOSLEEP:
	case SYS_TGKILL:
	case SYS_KILL:
	case SYS_SIGPROCMASK:
	case SYS_SIGPENDING:
	case SYS_TIMERFD_CREATE:
	case SYS_UNSTALL:
	case SYS_SOCKET:
	case SYS_SIGNALFD:
	case SYS_FORK:
	case SYS_EXIT:
		return false;
	default:
		return true;
	}
}

static int own_fd(const struct fdset *own, int fd)
{
	return fdset_has(own, fd) ? fd : -1;
}

/* dup2's target may also be a free number, but never an fd the trace did not make. */
static int own_or_free_fd(const struct fdset *own, int fd)
{
	if (fd < 0 || own_fd(own, fd) >= 0)
		return fd;
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF ? fd : -1;
}

void kfds_own_only(const struct fdset *own, struct sys_call *c)
{
	if (call_takes_fd(c->nr))
		c->fd = own_fd(own, c->fd);
	if (c->nr == SYS_EPOLL_CTL || c->nr == SYS_CONNECT || c->nr == SYS_URING_POLL ||
	    c->nr == SYS_URING_READ)
		c->fd2 = own_fd(own, c->fd2);
	else if (c->nr == SYS_DUP2)
		c->fd2 = own_or_free_fd(own, c->fd2);
}

int kfds_track(struct fdset *own, const struct sys_call *c, struct sys_result *res)
{
	if (c->nr == SYS_CLOSE) {
		fdset_del(own, c->fd);	/* closed even on EINTR/EIO */
		return 0;
	}
	if (res->ret >= 0 && creates_one_fd(c->nr)) {
		res->fds[0] = (int)res->ret;
		return fdset_add(own, res->fds[0]);
	}
	if (res->ret == 0 && (c->nr == SYS_PIPE2 || c->nr == SYS_SOCKETPAIR))
		return fdset_add(own, res->fds[0]) | fdset_add(own, res->fds[1]);
	return 0;
}
