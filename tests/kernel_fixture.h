/*
 * Shared fixtures of the kernel-backend unit tests (test_backend_kernel.c,
 * test_kernel_child.c, test_kernel_tcp.c): open the backend, build a call,
 * count the entries of a /proc directory. Each test file includes it once.
 */
#ifndef EPSIM_TESTS_KERNEL_FIXTURE_H
#define EPSIM_TESTS_KERNEL_FIXTURE_H

#include <check.h>
#include <dirent.h>
#include <string.h>
#include "backend.h"

static const struct backend_ops *ops = &kernel_backend_ops;

/* The kernel backend with this watchdog; the test fails if it cannot open. */
static inline struct backend *kfx_open_backend(int watchdog_ms)
{
	struct backend_config cfg = { .watchdog_ms = watchdog_ms };
	char err[256] = "";
	struct backend *b = ops->open(&cfg, err, sizeof(err));

	ck_assert_msg(b != NULL, "open failed: %s", err);
	return b;
}

/* A call of system call nr with no fds. */
static inline struct sys_call kfx_call(enum sys_nr nr)
{
	struct sys_call c;

	memset(&c, 0, sizeof(c));
	c.nr = nr;
	c.fd = c.fd2 = -1;
	return c;
}

/* Entries of a directory, not counting dot files. */
static inline int kfx_count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

#endif
