/*
 * Kernel profiles: the behaviours that differ between the kernel releases the
 * simulator models (Linux 6.1, 6.12 and 6.18). Each difference is one entry of
 * one table (kprofile.c): the releases it holds in, what changes, the kernel
 * function or commit, and the trace that shows it. A world carries the release
 * it models; the code that differs asks kprofile_has(w, KP_...). The table also
 * renders docs/kernel-profiles.md (epsim profiles --markdown) and drives the
 * per-profile tests.
 */
#ifndef EPSIM_KPROFILE_H
#define EPSIM_KPROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct world;

/* A kernel release as a number: KREL(6, 12) for 6.12. */
#define KREL(major, minor) ((major) * 1000 + (minor))
#define KREL_MAJOR(rel) ((rel) / 1000)
#define KREL_MINOR(rel) ((rel) % 1000)

/* The releases a profile exists for, oldest first; the newest is the default. */
#define KPROFILE_6_1 KREL(6, 1)
#define KPROFILE_6_12 KREL(6, 12)
#define KPROFILE_6_18 KREL(6, 18)
#define KPROFILE_DEFAULT KPROFILE_6_18

/* One behaviour that holds in some releases and not in others. */
enum kp_behaviour {
	KP_EPOLLWAKEUP_KEPT,		/* the build has CONFIG_PM_SLEEP: root keeps EPOLLWAKEUP */
	KP_WAIT_CHECKS_ARGS_FIRST,	/* epoll_wait: maxevents and access_ok before the fd lookup */
	KP_DGRAM_PEER_BEFORE_SKB,	/* unix dgram sendmsg: ENOTCONN before size, skb and shutdown */
	KP_EVENTFD_WRITE_ANY_SIZE,	/* eventfd_write accepts counts above 8 */
	KP_PIPE_READ_WAKES_WHILE_FULL,	/* pipe_read wakes writers whenever the pipe was full */
	KP_URING_TASK_WORK_LIFO,	/* io_uring task_work runs newest first */
	KP_URING_PIPE_IO_WQ,		/* io_uring reads of a blocking pipe go to io-wq (not modelled) */
	KP_COUNT
};

/* An entry of the profile table. */
struct kprofile_entry {
	enum kp_behaviour id;
	const char *enum_name;	/* "KP_..." as the code asks it */
	const char *name;	/* short stable name, e.g. "wait-checks-args-first" */
	int first;		/* first release with the behaviour (KREL), 0: since before 6.1 */
	int last;		/* last release with it (KREL), 0: still in the newest */
	const char *summary;	/* what changes, in one or two sentences */
	const char *kernel;	/* the kernel function(s) and commit that decide it */
	const char *traces;	/* the corpus traces that show it, separated by spaces */
	bool unmodelled;	/* the simulator does not switch it: its traces are not supported
				 * on the profiles that have it (target "not supported", visibly) */
};

/* The table, in enum order; *n gets KP_COUNT. */
const struct kprofile_entry *kprofile_table(size_t *n);
/* The entry of one behaviour, or NULL for an id out of range. */
const struct kprofile_entry *kprofile_entry(enum kp_behaviour id);

/* The profile releases, oldest first; *n gets their number. */
const int *kprofile_releases(size_t *n);
/* True if `release` is one of the profile releases. */
bool kprofile_is_release(int release);
/* "6.1", "6.12" or "6.18" into its release; -1 if it names no profile. */
int kprofile_parse(const char *name);
/* The profile's name ("6.12") into buf; returns buf. */
const char *kprofile_name(int release, char *buf, size_t len);
/*
 * The profile of a running kernel from its uname release ("6.18.44-fc-v1272"):
 * the profile of its major.minor if there is one, else -1.
 */
int kprofile_from_uname(const char *uname_release);

/* Does the behaviour hold in this release? */
bool kprofile_release_has(int release, enum kp_behaviour id);
/* Does the behaviour hold in the release the world models? */
bool kprofile_has(const struct world *w, enum kp_behaviour id);

/*
 * The unmodelled entry that makes trace NAME (no directory, no .trace) not
 * supported on the simulator under `release`, or NULL.
 */
const struct kprofile_entry *kprofile_unsupported(int release, const char *name);

/* The table as Markdown: the text of docs/kernel-profiles.md. */
void kprofile_write_markdown(FILE *f);

#endif
