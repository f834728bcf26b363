/*
 * Probes: what happened inside a step, for diagrams and debugging. The world
 * calls its probe sink (if any) at each point; the simulator never depends on it.
 */
#ifndef EPSIM_PROBE_H
#define EPSIM_PROBE_H

#include <stdint.h>

struct eventpoll;
struct epitem;
struct sim_task;

enum probe_kind {
	PROBE_CALLBACK,		/* ep_poll_callback ran for an item */
	PROBE_TASK_SLEEP,	/* a thread parked in a call */
	PROBE_TASK_WAKE,	/* a parked thread was woken */
	PROBE_DELIVER,		/* ep_send_events copied an item's event to user space */
	PROBE_DROP,		/* ep_send_events re-polled an item and found nothing */
};

/* What ep_poll_callback did with the item. */
enum probe_outcome {
	PROBE_DISARMED,		/* a fired ONESHOT item: ignored */
	PROBE_FILTERED,		/* the wake key matched nothing in the item's mask */
	PROBE_QUEUED,		/* appended to rdllist */
	PROBE_QUEUED_OVF,	/* pushed on ovflist: a transfer was running */
	PROBE_ALREADY_QUEUED,	/* already linked: nothing moved */
};

struct sim_probe {
	enum probe_kind kind;
	const struct eventpoll *ep;
	const struct epitem *epi;
	const struct sim_task *task;
	uint32_t key;		/* wake key (callback) or events (deliver) */
	enum probe_outcome outcome;
	int ewake;		/* callback's return value */
};

struct sim_probe_sink {
	void (*fn)(void *ctx, const struct sim_probe *p);
	void *ctx;
};

#endif
