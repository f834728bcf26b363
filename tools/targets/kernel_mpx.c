/*
 * poll, select and fcntl on the real kernel, by raw syscall() so the system
 * call is the one named: SYS_poll (not ppoll), SYS_select (not pselect6),
 * SYS_fcntl. A poll whose nfds is larger than the pollfds the trace gave
 * gets an array that ends where an inaccessible page begins, so the kernel's
 * copy faults exactly past the valid entries (EFAULT), as in the simulator.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include "kernel_mpx.h"

static long sys_ret(long r)
{
	return r < 0 ? -errno : r;
}

bool kernel_mpx_is_call(enum sys_nr nr)
{
	return nr == SYS_POLL || nr == SYS_SELECT || nr == SYS_FCNTL;
}

/* poll on npfds valid entries followed by a PROT_NONE page. */
static long poll_guarded(const struct sys_call *c)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t valid = c->npfds * sizeof(struct pollfd);
	size_t span = (valid + page - 1) / page * page;
	char *map = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct pollfd *arr;
	long r;

	if (map == MAP_FAILED)
		return -ENOMEM;
	if (mprotect(map + span, page, PROT_NONE) != 0) {
		munmap(map, span + page);
		return -ENOMEM;
	}
	arr = (struct pollfd *)(void *)(map + span - valid);
	memcpy(arr, c->pfds, valid);
	r = sys_ret(syscall(SYS_poll, arr, (unsigned int)c->nfds, (int)c->timeout_ms));
	for (unsigned int i = 0; i < c->npfds; i++)
		c->pfds[i].revents = arr[i].revents;
	munmap(map, span + page);
	return r;
}

static long do_poll(const struct sys_call *c)
{
	if ((unsigned long long)c->nfds <= c->npfds)
		return sys_ret(syscall(SYS_poll, c->pfds, (unsigned int)c->nfds, (int)c->timeout_ms));
	return poll_guarded(c);
}

/* select with a timeval of timeout_ms, or NULL for a negative one (c->op: a refusal). */
static long do_select(const struct sys_call *c)
{
	if (c->op < 0)
		return c->op;
	struct timeval tv = { (time_t)(c->timeout_ms / 1000), (suseconds_t)(c->timeout_ms % 1000 * 1000) };

	return sys_ret(syscall(SYS_select, (int)c->nfds, c->fdsets[0], c->fdsets[1], c->fdsets[2],
			       c->timeout_ms >= 0 ? &tv : NULL));
}

static long do_fcntl(const struct sys_call *c)
{
	struct f_owner_ex owner = { F_OWNER_TID, c->fd2 };

	if (c->op == F_SETOWN_EX)
		return sys_ret(syscall(SYS_fcntl, c->fd, F_SETOWN_EX, &owner));
	return sys_ret(syscall(SYS_fcntl, c->fd, c->op, (unsigned long)c->num));
}

/* Set bits below nfds (the kernel clamps it to its table, never above INT_MAX fds) that are not ours. */
static bool select_has_foreign_fd(const struct sys_call *c, bool (*own)(void *, int), void *ctx)
{
	const size_t bits = 8 * sizeof(unsigned long);

	for (int k = 0; k < 3; k++) {
		for (long long fd = 0; c->fdsets[k] && fd < c->nfds && fd < (1LL << 21); fd++) {
			if ((c->fdsets[k][fd / bits] >> (fd % bits)) & 1UL && !own(ctx, (int)fd))
				return true;
		}
	}
	return false;
}

void kernel_mpx_own_fds(struct sys_call *c, bool (*own)(void *ctx, int fd), void *ctx)
{
	if (c->nr == SYS_POLL) {
		for (unsigned int i = 0; i < c->npfds; i++)
			if (c->pfds[i].fd >= 0 && !own(ctx, c->pfds[i].fd))
				c->pfds[i].fd = INT_MAX;	/* above fs.nr_open: never open */
	} else if (c->nr == SYS_SELECT && select_has_foreign_fd(c, own, ctx)) {
		c->op = -EBADF;
	}
}

long kernel_mpx_call(const struct sys_call *c)
{
	switch (c->nr) {
	case SYS_POLL:
		return do_poll(c);
	case SYS_SELECT:
		return do_select(c);
	case SYS_FCNTL:
		return do_fcntl(c);
	default:
		return -ENOSYS;
	}
}
