/*
 * The shared state of the world invariant checker (world_check.c, with the
 * epoll instance and item checks in world_check_ep.c). Internal to the checker.
 */
#ifndef EPSIM_WORLD_CHECK_INTERNAL_H
#define EPSIM_WORLD_CHECK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "ep_internal.h"
#include "world.h"


/* A live file and the references it should hold. */
struct ck_file {
	struct file *f;
	long refs;
};

/* The checker's state: its findings so far and the live files. */
struct ck {
	const struct world *w;
	char *why;
	size_t len;
	struct ck_file *files;
	size_t nfiles, cap;
	long items;		/* epitems seen, across every instance */
	long fllinks;		/* epitems seen on files' f_ep lists */
	const struct eventpoll **eps;	/* the live instances, sorted, trees checked */
	size_t neps;
	const struct eppoll_entry **pwqs; /* linked wait entries, checked in bulk */
	size_t npwqs, cappwqs;
	bool oom;
};

/* world_check.c: record the first violation and return -1. */
int ck_fail(struct ck *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* world_check.c: walk a circular list checking next/prev agreement; the count in *n. */
int ck_list(struct ck *c, const struct list_head *h, const char *what, size_t *n);
/* world_check.c: the live file f, or NULL. */
const struct ck_file *ck_find_file(const struct ck *c, const struct file *f);

/* world_check_ep.c: qsort order of pointers. */
int ck_ptr_cmp(const void *a, const void *b);
/* world_check_ep.c: whether epi's node is in ep's tree (ep_find() by identity). */
bool ck_in_tree(const struct eventpoll *ep, const struct epitem *epi);
/* world_check_ep.c: the tree of one instance. */
int ck_ep_tree(struct ck *c, const struct eventpoll *ep);
/* world_check_ep.c: the instance behind an epoll file, its lists and its items. */
int ck_eventpoll(struct ck *c, const struct file *f);
/* world_check_ep.c: every linked wait entry is on the queue it names, in bulk. */
int ck_pwq_queues(struct ck *c);

#endif
