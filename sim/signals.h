/* Signals as epoll_wait sees them (kernel/signal.c): pending, blocked, temporary masks, handlers. */
#ifndef EPSIM_SIGNAL_H
#define EPSIM_SIGNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_task;
struct world;

#define SIM_NSIG 64
/* Models the kernel's sigmask(): the bit of signal sig. */
static inline uint64_t sig_bit(int sig)
{
	return 1ULL << (sig - 1);
}

/* Models signal_pending(): a pending signal that is not blocked. */
bool signal_pending(const struct sim_task *t);
/* Models do_tkill()'s delivery (send_signal, PIDTYPE_PID): queue sig for thread t, wake it if it sleeps interruptibly. */
long do_tkill(struct sim_task *t, int sig);
/*
 * Models do_send_specific(): sig to thread pid, which must be in thread group
 * tgid (tgid <= 0: any group). -ESRCH when there is no such thread, -EINVAL
 * for an invalid signal; signal 0 only probes.
 */
long do_send_specific(struct world *w, int tgid, int pid, int sig);
/*
 * Models kill_pid_info() for a process (PIDTYPE_TGID): sig joins the shared
 * pending set and complete_signal() picks the thread that takes it. -ESRCH
 * without such a process, -EINVAL for an invalid signal; 0 only probes.
 */
long do_kill_process(struct world *w, int pid, int sig);
/* Models dequeue_signal(): the lowest signal of mask pending for t (its own first, then shared); 0 if none. */
int dequeue_signal(struct sim_task *t, uint64_t mask);
/* Models sigpending(): the signals pending for t (its own and its process's) that it blocks. */
uint64_t sim_sigpending(const struct sim_task *t);
/* Models sigprocmask() for the calling thread (how: SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK). */
long sim_sigprocmask(struct sim_task *t, int how, uint64_t set, uint64_t *old);
/* Models set_user_sigmask(): install a temporary mask for the call (NULL: none). */
long set_user_sigmask(struct sim_task *t, const uint64_t *umask, size_t sigsetsize);
/* Models handle_signal() for every deliverable pending signal: its handler runs. */
void do_signal(struct sim_task *t);

#endif
