/*
 * The kernel profile table: every behaviour that differs between Linux 6.1,
 * 6.12 and 6.18, one entry each, and what the code, the docs and the tests
 * ask of it.
 */
#include <stdlib.h>
#include <string.h>
#include "kprofile.h"
#include "world.h"

#define KP_ID(x) .id = x, .enum_name = #x

static const struct kprofile_entry kprofile_entries[KP_COUNT] = {
	[KP_EPOLLWAKEUP_KEPT] = {
		KP_ID(KP_EPOLLWAKEUP_KEPT),
		.name = "epollwakeup-kept",
		.first = KREL(6, 1),
		.last = KREL(6, 12),
		.summary = "EPOLL_CTL_ADD and MOD keep EPOLLWAKEUP in the item's mask, so fdinfo "
			   "shows it (and a ONESHOT disarm keeps it, as a private bit). The Debian "
			   "6.1 and 6.12 builds have CONFIG_PM_SLEEP and the traces run as root, "
			   "which has CAP_BLOCK_SUSPEND; the 6.18 build the goldens come from has no "
			   "CONFIG_PM_SLEEP and drops the bit always. A difference of kernel "
			   "configuration, not of release.",
		.kernel = "ep_take_care_of_epollwakeup() (fs/eventpoll.c), under CONFIG_PM_SLEEP",
		.traces = "add-epollwakeup-dropped add-unknown-bits",
	},
	[KP_WAIT_CHECKS_ARGS_FIRST] = {
		KP_ID(KP_WAIT_CHECKS_ARGS_FIRST),
		.name = "wait-checks-args-first",
		.first = 0,
		.last = KREL(6, 14),
		.summary = "epoll_wait checks maxevents (EINVAL) and access_ok (EFAULT) before it "
			   "looks up the fd (EBADF): epoll_wait(badfd, max=0) is EINVAL. From 6.15 "
			   "the fd comes first and the same call is EBADF.",
		.kernel = "do_epoll_wait() (fs/eventpoll.c); 6.15 moved the checks after fdget() "
			  "into ep_check_params() (the io_uring IORING_OP_EPOLL_WAIT series)",
		.traces = "errno-wait-args",
	},
	[KP_DGRAM_PEER_BEFORE_SKB] = {
		KP_ID(KP_DGRAM_PEER_BEFORE_SKB),
		.name = "dgram-peer-before-skb",
		.first = 0,
		.last = KREL(6, 12),
		.summary = "A send on a unix datagram socket with no peer (disconnected) fails "
			   "with ENOTCONN before the size check (EMSGSIZE) and before the skb is "
			   "allocated (EPIPE after SHUT_WR); since no skb is made and freed, no "
			   "write-space wake-up follows, so an ET EPOLLOUT item gets no new edge. "
			   "In 6.18 the peer is looked up after the skb exists.",
		.kernel = "unix_dgram_sendmsg() (net/unix/af_unix.c): unix_peer_get() at the top "
			  "in the 6.1.y and 6.12.y sources, after sock_alloc_send_pskb() in 6.18 "
			  "(the af_unix sendmsg rework after 6.12; release not pinned)",
		.traces = "dgram-enotconn-check-order dgram-enotconn-send-out-edge",
	},
	[KP_EVENTFD_WRITE_ANY_SIZE] = {
		KP_ID(KP_EVENTFD_WRITE_ANY_SIZE),
		.name = "eventfd-write-any-size",
		.first = 0,
		.last = KREL(6, 5),
		.summary = "A write of more than 8 bytes to an eventfd adds its first 8 bytes as "
			   "the value and returns 8; only a shorter write is EINVAL. From 6.6 any "
			   "size other than 8 is EINVAL.",
		.kernel = "eventfd_write() (fs/eventfd.c): `count < sizeof(ucnt)` in the 6.1.y "
			  "source, `count != sizeof(ucnt)` in 6.12.y (\"eventfd: strictly check the "
			  "count parameter of eventfd_write\", 6.6)",
		.traces = "fuzz-byte-write-reaches-eventfd",
	},
	[KP_PIPE_READ_WAKES_WHILE_FULL] = {
		KP_ID(KP_PIPE_READ_WAKES_WHILE_FULL),
		.name = "pipe-read-wakes-while-full",
		.first = 0,
		.last = KREL(6, 13),
		.summary = "A read from a full pipe wakes the writers' queue (wr_wait) even when it "
			   "frees no slot (1 byte of a page): the first blocked writer wakes, finds "
			   "the pipe still full and queues again at the tail, so the next freed slot "
			   "goes to the writer that blocked second; epoll items re-poll and report "
			   "nothing. From 6.14 only a read that frees a slot wakes.",
		.kernel = "pipe_read() (fs/pipe.c): `was_full` at the start of the read in 6.1.y "
			  "and 6.12.y; \"pipe_read: don't wake up the writer if the pipe is still "
			  "full\" (6.14) sets wake_writer only when a buffer is released",
		.traces = "pipe-read-full-wakes-writer",
	},
	[KP_URING_TASK_WORK_LIFO] = {
		KP_ID(KP_URING_TASK_WORK_LIFO),
		.name = "uring-task-work-lifo",
		.first = 0,
		.last = KREL(6, 1),
		.summary = "io_uring runs the task_work of woken poll requests newest first: of two "
			   "reads armed on one pipe, the one submitted first (queued last on the "
			   "pipe's wait queue, so woken last) completes first and gets the data. "
			   "By 6.12 the batch runs in wake-up order, so the last submitted gets it.",
		.kernel = "tctx_task_work() (io_uring/io_uring.c): io_llist_xchg() and the list "
			  "walked as it comes in 6.1.y; llist_del_all() + llist_reverse_order() in "
			  "tctx_task_work_run() in 6.12.y (release of the change not pinned)",
		.traces = "uring-ring-in-epoll",
	},
	[KP_URING_PIPE_IO_WQ] = {
		KP_ID(KP_URING_PIPE_IO_WQ),
		.name = "uring-pipe-io-wq",
		.first = 0,
		.last = KREL(6, 1),
		.summary = "Pipes have no FMODE_NOWAIT, so an io_uring read of a blocking pipe is "
			   "handed to an io-wq worker thread that blocks in pipe_read(); its "
			   "completion is posted whenever that thread runs, which races with the "
			   "submitter (three runs under qemu gave three logs). Not modelled: the "
			   "trace is not supported on this profile.",
		.kernel = "io_file_supports_nowait() (io_uring/io_uring.c) and create_pipe_files() "
			  "(fs/pipe.c): FMODE_NOWAIT is set on pipes in 6.12.y, not in 6.1.y",
		.traces = "io-async-uring",
		.unmodelled = true,
	},
};

static const int kprofile_release_list[] = { KPROFILE_6_1, KPROFILE_6_12, KPROFILE_6_18 };

const struct kprofile_entry *kprofile_table(size_t *n)
{
	*n = KP_COUNT;
	return kprofile_entries;
}

const struct kprofile_entry *kprofile_entry(enum kp_behaviour id)
{
	if ((int)id < 0 || id >= KP_COUNT)
		return NULL;
	return &kprofile_entries[id];
}

const int *kprofile_releases(size_t *n)
{
	*n = sizeof(kprofile_release_list) / sizeof(kprofile_release_list[0]);
	return kprofile_release_list;
}

bool kprofile_is_release(int release)
{
	size_t n;
	const int *r = kprofile_releases(&n);

	for (size_t i = 0; i < n; i++)
		if (r[i] == release)
			return true;
	return false;
}

/* "MAJOR.MINOR" at the start of s into a release; -1 if s does not start so. *end: after it. */
static int parse_major_minor(const char *s, const char **end)
{
	char *e;
	long major, minor;

	if (*s < '0' || *s > '9')
		return -1;
	major = strtol(s, &e, 10);
	if (*e != '.' || e[1] < '0' || e[1] > '9')
		return -1;
	minor = strtol(e + 1, &e, 10);
	if (major > 99 || minor > 999)
		return -1;
	*end = e;
	return KREL((int)major, (int)minor);
}

int kprofile_parse(const char *name)
{
	const char *end;
	int rel = parse_major_minor(name, &end);

	if (rel < 0 || *end || !kprofile_is_release(rel))
		return -1;
	return rel;
}

const char *kprofile_name(int release, char *buf, size_t len)
{
	snprintf(buf, len, "%d.%d", KREL_MAJOR(release), KREL_MINOR(release));
	return buf;
}

int kprofile_from_uname(const char *uname_release)
{
	const char *end;
	int rel = parse_major_minor(uname_release, &end);

	if (rel < 0 || !kprofile_is_release(rel))
		return -1;
	return rel;
}

bool kprofile_release_has(int release, enum kp_behaviour id)
{
	const struct kprofile_entry *e = kprofile_entry(id);

	if (!e)
		return false;
	return (!e->first || release >= e->first) && (!e->last || release <= e->last);
}

/* Is `name` one of the space-separated words of list? */
static bool list_has_word(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " ");
		if (n == len && !strncmp(p, name, n))
			return true;
		p += n;
		p += strspn(p, " ");
	}
	return false;
}

const struct kprofile_entry *kprofile_unsupported(int release, const char *name)
{
	for (int i = 0; i < KP_COUNT; i++) {
		const struct kprofile_entry *e = &kprofile_entries[i];
		if (e->unmodelled && kprofile_release_has(release, e->id) &&
		    list_has_word(e->traces, name))
			return e;
	}
	return NULL;
}

bool kprofile_has(const struct world *w, enum kp_behaviour id)
{
	return kprofile_release_has(w->kernel_release, id);
}
