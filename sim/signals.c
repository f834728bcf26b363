/*
 * Signals (kernel/signal.c, kernel/entry): a thread's pending and blocked
 * sets, the temporary mask of epoll_pwait, and delivery on the way back to
 * user space. Handlers are no-ops installed without SA_RESTART: what can be
 * observed is which calls return EINTR and which signals stay pending.
 */
#include <errno.h>
#include <signal.h>
#include "signals.h"
#include "task.h"
#include "world.h"

/* SIGKILL and SIGSTOP cannot be blocked (sigdelsetmask in the kernel). */
static uint64_t unblockable(void)
{
	return sig_bit(SIGKILL) | sig_bit(SIGSTOP);
}

bool signal_pending(const struct sim_task *t)
{
	return ((t->pending | t->proc->shared_pending) & ~t->blocked) != 0;
}

/* Models signal_wake_up(): an interruptible sleeper re-enters its call. */
static void signal_wake_up(struct sim_task *t)
{
	if (t->state == TASK_SLEEPING && !t->uninterruptible)
		task_wake(t);
}

/* Models do_tkill() + send_signal(): a pending non-RT signal is not queued twice. */
long do_tkill(struct sim_task *t, int sig)
{
	if (sig < 1 || sig > SIM_NSIG)
		return -EINVAL;
	if (t->pending & sig_bit(sig))
		return 0;	/* legacy_queue(): a pending non-RT signal is not queued again */
	if (waitqueue_active(&t->proc->signalfd_wqh))
		wake_up(&t->proc->signalfd_wqh);	/* models signalfd_notify() */
	t->pending |= sig_bit(sig);
	if (!(t->blocked & sig_bit(sig)))
		signal_wake_up(t);
	if (t->state == TASK_IDLE)
		do_signal(t);
	return 0;
}

long do_send_specific(struct world *w, int tgid, int pid, int sig)
{
	struct sim_task *p = world_find_task(w, pid);

	if (!p || (tgid > 0 && p->proc->pid != tgid))
		return -ESRCH;
	if (sig < 0 || sig > SIM_NSIG)
		return -EINVAL;	/* models check_kill_permission()'s valid_signal() */
	return sig ? do_tkill(p, sig) : 0;
}

/* Models handle_signal() for each deliverable signal, its own and its process's: the handler runs, the signal is consumed. */
void do_signal(struct sim_task *t)
{
	uint64_t deliver = t->pending & ~t->blocked;
	uint64_t shared = t->proc->shared_pending & ~t->blocked;

	t->pending &= ~deliver;
	t->proc->shared_pending &= ~shared;
	t->handled |= deliver | shared;
}

int dequeue_signal(struct sim_task *t, uint64_t mask)
{
	uint64_t *from = (t->pending & mask) ? &t->pending : &t->proc->shared_pending;
	uint64_t set = *from & mask;
	int sig = set ? __builtin_ctzll(set) + 1 : 0;

	if (sig)
		*from &= ~sig_bit(sig);
	return sig;
}

uint64_t sim_sigpending(const struct sim_task *t)
{
	return (t->pending | t->proc->shared_pending) & t->blocked;
}

/* Models wants_signal(): t does not block sig and has no other signal to take first (or is running). */
static bool wants_signal(const struct sim_task *t, int sig)
{
	if (t->blocked & sig_bit(sig))
		return false;
	return t == t->world->current || !signal_pending(t);
}

static struct sim_task *next_thread(struct sim_process *p, struct sim_task *t)
{
	struct list_head *n = t->node.next == &p->tasks ? p->tasks.next : t->node.next;

	return list_entry(n, struct sim_task, node);
}

/*
 * Models complete_signal()'s choice, made before sig is queued (as the
 * kernel's TIF_SIGPENDING does not show it yet): the first thread of the
 * process if it wants the signal, else the next one that does, round robin
 * from the last one chosen (signal->curr_target). NULL: no thread wants it,
 * it stays pending for the process.
 */
static struct sim_task *complete_signal_target(struct sim_process *p, int sig)
{
	struct sim_task *first = list_entry(p->tasks.next, struct sim_task, node);
	struct sim_task *t, *start;

	if (wants_signal(first, sig))
		return first;
	if (first->node.next == &p->tasks)
		return NULL;	/* one thread, which does not want it */
	start = p->curr_target ? p->curr_target : first;
	for (t = start; !wants_signal(t, sig);) {
		t = next_thread(p, t);
		if (t == start)
			return NULL;
	}
	p->curr_target = t;
	return t;
}

/* Models complete_signal()'s wake-up: the chosen thread is woken, or takes the signal at once when idle. */
static void complete_signal(struct sim_task *t)
{
	signal_wake_up(t);
	if (t->state == TASK_IDLE && t != t->world->current)
		do_signal(t);
}

static struct sim_process *find_process(struct world *w, int pid)
{
	struct list_head *pos;

	list_for_each(pos, &w->processes) {
		struct sim_process *p = list_entry(pos, struct sim_process, node);
		if (p->pid == pid && !list_empty(&p->tasks))
			return p;
	}
	return NULL;
}

long do_kill_process(struct world *w, int pid, int sig)
{
	struct sim_process *p = find_process(w, pid);
	struct sim_task *t;

	if (!p)
		return -ESRCH;
	if (sig < 0 || sig > SIM_NSIG)
		return -EINVAL;
	if (!sig || (p->shared_pending & sig_bit(sig)))
		return 0;	/* a probe; or legacy_queue(): not queued twice */
	t = complete_signal_target(p, sig);
	if (waitqueue_active(&p->signalfd_wqh))
		wake_up(&p->signalfd_wqh);	/* models signalfd_notify() */
	p->shared_pending |= sig_bit(sig);
	if (t)
		complete_signal(t);
	return 0;
}

long sim_sigprocmask(struct sim_task *t, int how, uint64_t set, uint64_t *old)
{
	if (old)
		*old = t->blocked;
	switch (how) {
	case SIG_BLOCK:
		t->blocked |= set;
		break;
	case SIG_UNBLOCK:
		t->blocked &= ~set;
		break;
	case SIG_SETMASK:
		t->blocked = set;
		break;
	default:
		return -EINVAL;
	}
	t->blocked &= ~unblockable();
	return 0;
}

long set_user_sigmask(struct sim_task *t, const uint64_t *umask, size_t sigsetsize)
{
	if (!umask)
		return 0;
	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	t->saved_sigmask = t->blocked;
	t->restore_sigmask = true;
	t->blocked = *umask & ~unblockable();
	return 0;
}

/* Models restore_saved_sigmask_unless(interrupted) followed by the exit-to-user signal work. */
void task_syscall_exit(struct sim_task *t, long ret)
{
	bool interrupted = ret == -EINTR;

	t->timer_fired = false;	/* the call's hrtimer sleeper is gone: no stale timeout for the next */
	if (t->restore_sigmask && !interrupted) {
		t->blocked = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	do_signal(t);
	if (t->restore_sigmask) {
		t->blocked = t->saved_sigmask;
		t->restore_sigmask = false;
	}
}
