/* Child processes that run calls for the kernel backend (see kproc.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kproc.h"

/* Far above the fd numbers a trace allocates, so making a child never shifts them. */
#define KPROC_FD_FLOOR 950

/* Move fd above the trace's fd numbers; -1 on failure (fd is closed either way). */
static int move_high(int fd)
{
	int hi = fcntl(fd, F_DUPFD_CLOEXEC, KPROC_FD_FLOOR);

	close(fd);
	return hi;
}

/* The child: a fresh signal mask, then one call at a time until the channel closes. */
static void __attribute__((noreturn)) child_serve(int chan, kproc_run_fn run)
{
	struct sys_result *res = calloc(1, sizeof(*res));
	struct sys_call c;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	while (res && recv(chan, &c, sizeof(c), 0) == (ssize_t)sizeof(c)) {
		memset(res, 0, offsetof(struct sys_result, events));
		res->fds[0] = res->fds[1] = -1;
		res->ret = run(&c, res);
		if (send(chan, res, sizeof(*res), MSG_NOSIGNAL) != (ssize_t)sizeof(*res))
			break;
	}
	_exit(0);
}

int kproc_fork(struct kproc *p, kproc_run_fn run)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	sv[0] = move_high(sv[0]);
	sv[1] = move_high(sv[1]);
	if (sv[0] < 0 || sv[1] < 0) {
		if (sv[0] >= 0)
			close(sv[0]);
		if (sv[1] >= 0)
			close(sv[1]);
		return -EMFILE;
	}
	pid = fork();
	if (pid < 0) {
		int err = errno;
		close(sv[0]);
		close(sv[1]);
		return -err;
	}
	if (pid == 0) {
		close(sv[0]);
		child_serve(sv[1], run);
	}
	close(sv[1]);
	p->pid = pid;
	p->chan = sv[0];
	return 0;
}

int kproc_call(struct kproc *p, const struct sys_call *c, struct sys_result *res)
{
	ssize_t n;

	if (send(p->chan, c, sizeof(*c), MSG_NOSIGNAL) != (ssize_t)sizeof(*c))
		return -errno;
	for (;;) {
		n = recv(p->chan, res, sizeof(*res), 0);
		if (n == (ssize_t)sizeof(*res))
			return 0;
		if (n < 0 && errno == EINTR) {
			kill(p->pid, SIGUSR2);	/* the watchdog's kick reaches the child's call */
			continue;
		}
		return n == 0 ? -ECHILD : -errno;
	}
}

void kproc_kill(struct kproc *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (p->chan >= 0)
		close(p->chan);
	p->pid = 0;
	p->chan = -1;
}
