/* Child processes that run calls for the kernel backend (see kproc.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kproc.h"

/* Far above the fd numbers a trace allocates, so making a child never shifts them. */
#define KPROC_FD_FLOOR 950
#define KPROC_GONE_MS 2000	/* bound on a killed grandchild's exit */

/* Move fd above the trace's fd numbers; -1 on failure (fd is closed either way). */
static int move_high(int fd)
{
	int hi = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, KPROC_FD_FLOOR);

	if (fd >= 0)
		close(fd);
	return hi;
}

/* A channel pair above the trace's fds: 0, or -errno. */
static int chan_pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	sv[0] = move_high(sv[0]);
	sv[1] = move_high(sv[1]);
	if (sv[0] >= 0 && sv[1] >= 0)
		return 0;
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return -EMFILE;
}

/*
 * A new child keeps only its own channel of the runner's fds above the
 * floor (the other children's channels, the runner's own files): the trace's
 * fds below the floor are its copy of the fd table.
 */
static void close_strays(int chan)
{
	syscall(SYS_close_range, KPROC_FD_FLOOR, chan - 1, 0);
	syscall(SYS_close_range, chan + 1, ~0U, 0);
}

static void result_reset(struct sys_result *res)
{
	memset(res, 0, offsetof(struct sys_result, events));
	res->fds[0] = res->fds[1] = -1;
}

/* Send a result, with fds[0..nfds) attached (SCM_RIGHTS): 0, or -1. */
static int send_result(int chan, const struct sys_result *res, const int *fds, int nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} cm;
	struct iovec iov = { (void *)res, sizeof(*res) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		cm.h.cmsg_level = SOL_SOCKET;
		cm.h.cmsg_type = SCM_RIGHTS;
		cm.h.cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(&cm.h), fds, (size_t)nfds * sizeof(int));
	}
	return sendmsg(chan, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(*res) ? 0 : -1;
}

/*
 * In a call server: fork a grandchild, which goes on serving on a new
 * channel (*chan becomes it, in the grandchild: returns 1 there). In the
 * child, answer with the runner's end of the new channel and the
 * grandchild's pidfd attached (returns 0), or the error.
 */
static int serve_fork(int *chan, struct sys_result *res)
{
	int sv[2], fds[2], err, rc;
	pid_t pid;

	result_reset(res);
	res->ret = chan_pair(sv);
	if (res->ret < 0)
		return send_result(*chan, res, NULL, 0) < 0 ? -1 : 0;
	pid = fork();
	if (pid == 0) {
		close(*chan);
		close(sv[0]);
		*chan = sv[1];
		close_strays(*chan);
		return 1;
	}
	err = pid < 0 ? errno : 0;
	fds[0] = sv[0];
	fds[1] = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	if (pid > 0 && fds[1] < 0)
		err = errno;	/* no pidfds (ENOSYS under some emulators): no grandchild */
	fds[1] = move_high(fds[1]);
	if (!err && fds[1] < 0)
		err = EMFILE;
	res->ret = -err;
	res->value = pid > 0 ? (uint64_t)pid : 0;
	if (pid > 0 && err)
		kill(pid, SIGKILL);	/* reaped: SIGCHLD is ignored in a call server */
	close(sv[1]);
	rc = send_result(*chan, res, fds, res->ret == 0 ? 2 : 0);
	close(sv[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return rc < 0 ? -1 : 0;
}

/* The call server: one call at a time until the channel closes. */
static void __attribute__((noreturn)) child_serve(int chan, const struct kproc_server *srv)
{
	struct sys_result *res = calloc(1, sizeof(*res));
	struct sys_call c;

	signal(SIGCHLD, SIG_IGN);	/* its own children (grandchildren) reap themselves */
	while (res && recv(chan, &c, sizeof(c), 0) == (ssize_t)sizeof(c)) {
		if (c.nr == SYS_FORK) {
			if (serve_fork(&chan, res) < 0)
				break;
			continue;
		}
		result_reset(res);
		res->ret = srv->run(srv->ctx, &c, res);
		if (send_result(chan, res, NULL, 0) < 0)
			break;
	}
	_exit(0);
}

int kproc_fork(struct kproc *p, const struct kproc_server *srv, uint64_t blocked)
{
	int sv[2];
	int rc = chan_pair(sv);
	pid_t pid;

	if (rc < 0)
		return rc;
	pid = fork();
	if (pid < 0) {
		int err = errno;
		close(sv[0]);
		close(sv[1]);
		return -err;
	}
	if (pid == 0) {
		sigset_t set;

		sigemptyset(&set);
		for (int sig = 1; sig <= 64; sig++)
			if (blocked & (1ULL << (sig - 1)))
				sigaddset(&set, sig);
		sigprocmask(SIG_SETMASK, &set, NULL);	/* fork copies the forking thread's mask */
		close(sv[0]);
		close_strays(sv[1]);
		child_serve(sv[1], srv);
	}
	close(sv[1]);
	p->pid = pid;
	p->chan = sv[0];
	p->pidfd = -1;
	return 0;
}

/* Pass the watchdog's kick on to the child's call. */
static void kick(const struct kproc *p)
{
	if (p->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, p->pidfd, SIGUSR2, NULL, 0);
	else
		kill(p->pid, SIGUSR2);
}

/* Receive one result, and up to two fds sent with it (-1 where none). 0, or -errno. */
static int recv_result(struct kproc *p, struct sys_result *res, int fds[2])
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} cm;
	struct iovec iov = { res, sizeof(*res) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	fds[0] = fds[1] = -1;
	for (;;) {
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		n = recvmsg(p->chan, &msg, MSG_CMSG_CLOEXEC);
		if (n >= 0 || errno != EINTR)
			break;
		kick(p);
	}
	for (struct cmsghdr *h = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; h; h = CMSG_NXTHDR(&msg, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
			memcpy(fds, CMSG_DATA(h), h->cmsg_len - CMSG_LEN(0) < 2 * sizeof(int)
						  ? h->cmsg_len - CMSG_LEN(0) : 2 * sizeof(int));
	if (n == (ssize_t)sizeof(*res))
		return 0;
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	fds[0] = fds[1] = -1;
	return n == 0 ? -ECHILD : n < 0 ? -errno : -EPROTO;
}

int kproc_fork_from(struct kproc *parent, struct kproc *child)
{
	struct sys_call c;
	struct sys_result *res = calloc(1, sizeof(*res));
	int fds[2], rc;

	if (!res)
		return -ENOMEM;
	memset(&c, 0, sizeof(c));
	c.nr = SYS_FORK;
	rc = send(parent->chan, &c, sizeof(c), MSG_NOSIGNAL) == (ssize_t)sizeof(c) ? 0 : -errno;
	if (rc == 0)
		rc = recv_result(parent, res, fds);
	if (rc == 0 && res->ret == 0 && (fds[0] < 0 || fds[1] < 0))
		res->ret = -EPROTO;
	if (rc == 0 && res->ret == 0) {
		child->pid = (pid_t)res->value;
		child->chan = fds[0];
		child->pidfd = fds[1];
	} else {
		rc = rc < 0 ? rc : (int)res->ret;
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	free(res);
	return rc;
}

int kproc_call(struct kproc *p, const struct sys_call *c, struct sys_result *res)
{
	int fds[2];
	int rc;

	if (send(p->chan, c, sizeof(*c), MSG_NOSIGNAL) != (ssize_t)sizeof(*c))
		return -errno;
	rc = recv_result(p, res, fds);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);	/* only a fork's answer carries fds */
	return rc;
}

/* A grandchild: killed through its pidfd, gone when the pidfd polls readable. */
static void kill_grandchild(struct kproc *p)
{
	struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };

	syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
	while (poll(&pfd, 1, KPROC_GONE_MS) < 0 && errno == EINTR)
		;
	close(p->pidfd);
}

void kproc_kill(struct kproc *p)
{
	if (p->pid > 0 && p->pidfd >= 0) {
		kill_grandchild(p);
	} else if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (p->chan >= 0)
		close(p->chan);
	p->pid = 0;
	p->chan = -1;
	p->pidfd = -1;
}
