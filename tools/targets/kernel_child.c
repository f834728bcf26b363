/* The call server of a forked child on the kernel backend (see kernel_child.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel_calls.h"
#include "kernel_child.h"
#include "kernel_mpx.h"

struct kernel_child *kernel_child_new(const struct fdset *own)
{
	struct kernel_child *k = calloc(1, sizeof(*k));

	if (k && fdset_copy(&k->own, own) != 0) {
		free(k);
		k = NULL;
	}
	return k;
}

void kernel_child_free(struct kernel_child *k)
{
	if (!k)
		return;
	fdset_free(&k->own);
	free(k);
}

static bool own_fd_cb(void *ctx, int fd)
{
	return fdset_has(ctx, fd);
}

/* io_uring rings live in the main process's registry: a child does not run them. */
static bool child_can_run(enum sys_nr nr)
{
	return nr != SYS_URING_SETUP && nr != SYS_URING_POLL && nr != SYS_URING_READ &&
	       nr != SYS_URING_WAIT;
}

long kernel_child_run(void *ctx, const struct sys_call *c, struct sys_result *res)
{
	struct kernel_child *k = ctx;
	struct sys_call call = *c;
	atomic_bool cancel;

	if (!child_can_run(c->nr))
		return -ENOSYS;
	atomic_init(&cancel, false);
	kfds_own_only(&k->own, &call);
	kernel_mpx_own_fds(&call, own_fd_cb, &k->own);
	res->ret = kernel_run_syscall(&call, res, &cancel);
	(void)kfds_track(&k->own, &call, res);	/* unrecorded (no memory): closed when the child ends */
	return res->ret;
}

int kernel_thread_sigblk(pid_t pid, pid_t tid, uint64_t *blocked)
{
	char path[64], line[256];
	unsigned long long v;
	FILE *f;
	int rc = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigBlk: %llx", &v) == 1) {
			*blocked = v;
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}
