/* userfaultfd for stalled copies to user space (see uffd_stall.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "uffd_stall.h"

/* Far above the fd numbers a trace allocates, so opening it never shifts them. */
#define UFFD_FD_FLOOR 900

struct uffd_stall {
	int fd;
	void *zero;	/* one zero page, the source of every release */
	size_t page;
};

struct uffd_stall *uffd_stall_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffd_stall *u = calloc(1, sizeof(*u));
	int fd;

	if (!u)
		return NULL;
	u->page = (size_t)sysconf(_SC_PAGESIZE);
	u->zero = mmap(NULL, u->page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || u->zero == MAP_FAILED)
		goto fail;
	u->fd = fcntl(fd, F_DUPFD_CLOEXEC, UFFD_FD_FLOOR);
	close(fd);
	if (u->fd < 0 || ioctl(u->fd, UFFDIO_API, &api) != 0)
		goto fail;
	return u;
fail:
	if (u->fd > 0)
		close(u->fd);
	if (u->zero != MAP_FAILED && u->zero)
		munmap(u->zero, u->page);
	free(u);
	return NULL;
}

void uffd_stall_close(struct uffd_stall *u)
{
	if (!u)
		return;
	close(u->fd);	/* wakes any thread still faulting; its fault then completes normally */
	munmap(u->zero, u->page);
	free(u);
}

int uffd_stall_register(struct uffd_stall *u, void *addr, size_t len)
{
	struct uffdio_register r = {
		.range = { (uintptr_t)addr, len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	return ioctl(u->fd, UFFDIO_REGISTER, &r) == 0 ? 0 : -errno;
}

int uffd_stall_wait_fault(struct uffd_stall *u, int timeout_ms)
{
	struct pollfd p = { .fd = u->fd, .events = POLLIN };
	struct uffd_msg msg;
	int r = poll(&p, 1, timeout_ms);

	if (r <= 0)
		return r < 0 ? -errno : 0;
	if (read(u->fd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg))
		return -errno;
	return msg.event == UFFD_EVENT_PAGEFAULT ? 1 : 0;
}

int uffd_stall_release(struct uffd_stall *u, void *addr, size_t len)
{
	for (size_t off = 0; off < len; off += u->page) {
		struct uffdio_copy c = {
			.dst = (uintptr_t)addr + off,
			.src = (uintptr_t)u->zero,
			.len = u->page,
		};
		if (ioctl(u->fd, UFFDIO_COPY, &c) != 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}
