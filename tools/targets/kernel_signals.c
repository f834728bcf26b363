/* Signal dispositions and masks of the kernel backend (see kernel_signals.h). */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include "kernel_signals.h"

/*
 * Signal dispositions while a backend is open, shared by every open backend
 * (the only global mutable state): the watchdog's wake signal and the trace
 * signals SIGUSR1 and SIGIO get handlers that do nothing (no SA_RESTART, so a blocked
 * call returns EINTR); SIGPIPE is ignored so that EPIPE is a result, as in
 * the simulator, not the end of the process.
 */
static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;
static int sig_users;

static const int handled_signals[] = { KERNEL_WAKE_SIGNAL, SIGUSR1, SIGPIPE, SIGIO };
#define NHANDLED (sizeof(handled_signals) / sizeof(handled_signals[0]))
static struct sigaction sig_saved[NHANDLED];

/* The signals a trace sends (signal, kill, fcntl setsig): added to set. */
void kernel_trace_signals_add(sigset_t *set)
{
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGIO);
}

static void wake_handler(int sig)
{
	(void)sig;	/* only there to make a blocked syscall fail with EINTR */
}

static int install_dispositions(void)
{
	for (size_t i = 0; i < NHANDLED; i++) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = handled_signals[i] == SIGPIPE ? SIG_IGN : wake_handler;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = 0;	/* no SA_RESTART: the syscall returns EINTR */
		if (sigaction(handled_signals[i], &sa, &sig_saved[i]) != 0) {
			while (i-- > 0)
				sigaction(handled_signals[i], &sig_saved[i], NULL);
			return -1;
		}
	}
	return 0;
}

/*
 * `kill main SIG` goes to the process, and the kernel gives it to a thread
 * that does not block it: the opening thread (the process's first, which the
 * kernel tries first) blocks the trace signals while the backend is open, as
 * the proxies of children do, so only trace threads can take one.
 */
bool kernel_block_trace_signals(sigset_t *saved)
{
	sigset_t set;

	sigemptyset(&set);
	kernel_trace_signals_add(&set);
	return pthread_sigmask(SIG_BLOCK, &set, saved) == 0;
}

int kernel_signals_acquire(void)
{
	int rc = 0;

	pthread_mutex_lock(&sig_lock);
	if (sig_users == 0)
		rc = install_dispositions();
	if (rc == 0)
		sig_users++;
	pthread_mutex_unlock(&sig_lock);
	return rc;
}

void kernel_signals_release(void)
{
	pthread_mutex_lock(&sig_lock);
	if (--sig_users == 0)
		for (size_t i = 0; i < NHANDLED; i++)
			sigaction(handled_signals[i], &sig_saved[i], NULL);
	pthread_mutex_unlock(&sig_lock);
}

/* A signal the tool can take: one whose handler does nothing, 0 (none, or SIGIO), or invalid. */
static bool signal_harmless(long long sig)
{
	return sig <= 0 || sig > 64 || sig == SIGUSR1 || sig == SIGIO || sig == KERNEL_WAKE_SIGNAL;
}

/* Calls that would send the tool a signal that kills or stops it are never made. */
bool kernel_call_signals_harmless(const struct sys_call *c)
{
	if (c->nr == SYS_TGKILL || c->nr == SYS_KILL)
		return signal_harmless(c->op);
	if (c->nr == SYS_FCNTL && c->op == F_SETSIG)
		return signal_harmless(c->num);
	return true;
}
