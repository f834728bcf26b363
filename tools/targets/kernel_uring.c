/*
 * io_uring on the real kernel with raw system calls: io_uring_setup, mmap of
 * the SQ ring, the CQ ring and the SQE array, then for each request one SQE
 * and io_uring_enter(fd, 1, 0, 0). uring_wait is io_uring_enter(fd, 0, min,
 * IORING_ENTER_GETEVENTS) followed by reading the CQ ring from head to tail.
 *
 * A READ's buffer must stay valid until the kernel completes or cancels the
 * request, which can happen after the ring fd is closed: buffers are only
 * freed with the registry, when the backend closes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include "kernel_uring.h"

/* One mapped ring. */
struct kring {
	int fd;
	struct io_uring_params p;
	void *sq, *cq;
	struct io_uring_sqe *sqes;
	size_t sq_len, cq_len, sqes_len;
	struct kring *next;
};

/* A READ buffer, kept until the registry goes. */
struct kbuf {
	void *mem;
	struct kbuf *next;
};

struct kernel_urings {
	pthread_mutex_t lock;	/* rings and buffers; the SQ and CQ of each ring */
	struct kring *rings;
	struct kbuf *bufs;
};

static long sys_ret(long r)
{
	return r < 0 ? -errno : r;
}

struct kernel_urings *kernel_urings_new(void)
{
	struct kernel_urings *u = calloc(1, sizeof(*u));

	if (u)
		pthread_mutex_init(&u->lock, NULL);
	return u;
}

static void kring_unmap(struct kring *r)
{
	if (r->sq && r->sq != MAP_FAILED)
		munmap(r->sq, r->sq_len);
	if (r->cq && r->cq != MAP_FAILED)
		munmap(r->cq, r->cq_len);
	if (r->sqes && (void *)r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_len);
	free(r);
}

void kernel_urings_free(struct kernel_urings *u)
{
	if (!u)
		return;
	while (u->rings) {
		struct kring *r = u->rings;

		u->rings = r->next;
		kring_unmap(r);
	}
	while (u->bufs) {
		struct kbuf *b = u->bufs;

		u->bufs = b->next;
		free(b->mem);
		free(b);
	}
	pthread_mutex_destroy(&u->lock);
	free(u);
}

bool kernel_uring_is_call(enum sys_nr nr)
{
	return nr == SYS_URING_SETUP || nr == SYS_URING_POLL || nr == SYS_URING_READ ||
	       nr == SYS_URING_WAIT;
}

/* The u32 at offset off of a mapped ring. */
static unsigned int *ring_u32(void *ring, unsigned int off)
{
	return (unsigned int *)(void *)((char *)ring + off);
}

/* Map the three regions of a new ring. */
static int kring_map(struct kring *r)
{
	r->sq_len = r->p.sq_off.array + r->p.sq_entries * sizeof(unsigned int);
	r->cq_len = r->p.cq_off.cqes + r->p.cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_len = r->p.sq_entries * sizeof(struct io_uring_sqe);
	r->sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		     IORING_OFF_SQ_RING);
	r->cq = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		     IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	return r->sq == MAP_FAILED || r->cq == MAP_FAILED || (void *)r->sqes == MAP_FAILED ? -1 : 0;
}

static long uring_setup(struct kernel_urings *u, unsigned int entries)
{
	struct kring *r = calloc(1, sizeof(*r));
	long fd;

	if (!r)
		return -ENOMEM;
	fd = sys_ret(syscall(SYS_io_uring_setup, entries, &r->p));
	if (fd < 0) {
		free(r);
		return fd;
	}
	r->fd = (int)fd;
	if (kring_map(r) != 0) {
		close(r->fd);
		kring_unmap(r);
		return -ENOMEM;
	}
	pthread_mutex_lock(&u->lock);
	r->next = u->rings;
	u->rings = r;
	pthread_mutex_unlock(&u->lock);
	return fd;
}

/* The ring on fd, or NULL (the lock is held). */
static struct kring *kring_find(struct kernel_urings *u, int fd)
{
	for (struct kring *r = u->rings; r; r = r->next)
		if (r->fd == fd)
			return r;
	return NULL;
}

/* Put one SQE at the SQ tail and hand it to the kernel. */
static long uring_submit(struct kernel_urings *u, int fd, const struct io_uring_sqe *sqe)
{
	struct kring *r;
	unsigned int tail, idx;
	long ret;

	pthread_mutex_lock(&u->lock);
	r = kring_find(u, fd);
	if (r) {
		tail = *ring_u32(r->sq, r->p.sq_off.tail);
		idx = tail & *ring_u32(r->sq, r->p.sq_off.ring_mask);
		r->sqes[idx] = *sqe;
		ring_u32(r->sq, r->p.sq_off.array)[idx] = idx;
		__atomic_store_n(ring_u32(r->sq, r->p.sq_off.tail), tail + 1, __ATOMIC_RELEASE);
	}
	/* not a ring of ours: the kernel says why (EBADF, EOPNOTSUPP) */
	ret = sys_ret(syscall(SYS_io_uring_enter, fd, 1, 0, 0, NULL, 0));
	pthread_mutex_unlock(&u->lock);
	return ret;
}

static long uring_poll(struct kernel_urings *u, const struct sys_call *c)
{
	struct io_uring_sqe sqe;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_POLL_ADD;
	sqe.fd = c->fd2;
	sqe.poll32_events = c->ev.events;
	sqe.user_data = c->ev.data.u64;
	return uring_submit(u, c->fd, &sqe);
}

static long uring_read(struct kernel_urings *u, const struct sys_call *c)
{
	struct kbuf *b = calloc(1, sizeof(*b));
	struct io_uring_sqe sqe;

	if (!b || !(b->mem = malloc(c->num > 0 ? (size_t)c->num : 1))) {
		free(b);
		return -ENOMEM;
	}
	pthread_mutex_lock(&u->lock);
	b->next = u->bufs;
	u->bufs = b;
	pthread_mutex_unlock(&u->lock);
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_READ;
	sqe.fd = c->fd2;
	sqe.addr = (unsigned long)b->mem;
	sqe.len = (unsigned int)c->num;
	sqe.off = (unsigned long long)-1;	/* the file position: a pipe has none */
	sqe.user_data = c->ev.data.u64;
	return uring_submit(u, c->fd, &sqe);
}

/* Read the CQ ring from head to tail into res->events. */
static long uring_reap(struct kernel_urings *u, int fd, struct sys_result *res)
{
	struct io_uring_cqe *cqes;
	unsigned int head, tail, mask;
	struct kring *r;
	int n = 0;

	pthread_mutex_lock(&u->lock);
	r = kring_find(u, fd);
	if (r) {
		head = *ring_u32(r->cq, r->p.cq_off.head);
		tail = __atomic_load_n(ring_u32(r->cq, r->p.cq_off.tail), __ATOMIC_ACQUIRE);
		mask = *ring_u32(r->cq, r->p.cq_off.ring_mask);
		cqes = (struct io_uring_cqe *)(void *)((char *)r->cq + r->p.cq_off.cqes);
		for (; head != tail && n < SYS_MAX_EVENTS_COPY; head++, n++) {
			res->events[n].events = (uint32_t)cqes[head & mask].res;
			res->events[n].data.u64 = cqes[head & mask].user_data;
		}
		__atomic_store_n(ring_u32(r->cq, r->p.cq_off.head), head, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&u->lock);
	res->nevents = n;
	return n;
}

static long uring_wait(struct kernel_urings *u, const struct sys_call *c, struct sys_result *res)
{
	long ret = sys_ret(syscall(SYS_io_uring_enter, c->fd, 0, (unsigned int)c->num,
				   IORING_ENTER_GETEVENTS, NULL, 0));

	return ret < 0 ? ret : uring_reap(u, c->fd, res);
}

long kernel_uring_call(struct kernel_urings *u, const struct sys_call *c, struct sys_result *res)
{
	switch (c->nr) {
	case SYS_URING_SETUP:
		return uring_setup(u, (unsigned int)c->num);
	case SYS_URING_POLL:
		return uring_poll(u, c);
	case SYS_URING_READ:
		return uring_read(u, c);
	case SYS_URING_WAIT:
		return uring_wait(u, c, res);
	default:
		return -ENOSYS;
	}
}

void kernel_uring_forget(struct kernel_urings *u, int fd)
{
	struct kring **pp, *r;

	pthread_mutex_lock(&u->lock);
	for (pp = &u->rings; (r = *pp) != NULL; pp = &r->next) {
		if (r->fd == fd) {
			*pp = r->next;
			kring_unmap(r);
			break;
		}
	}
	pthread_mutex_unlock(&u->lock);
}
