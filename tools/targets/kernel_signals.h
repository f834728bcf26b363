/*
 * Signals while a kernel backend is open: dispositions shared by every open
 * backend (the watchdog's wake signal and the trace signals get handlers that
 * do nothing, installed without SA_RESTART so a blocked call returns EINTR;
 * SIGPIPE is ignored so EPIPE is a result), the masks that keep
 * process-directed trace signals to trace threads, and the signals a trace
 * may send at all.
 */
#ifndef EPSIM_KERNEL_SIGNALS_H
#define EPSIM_KERNEL_SIGNALS_H

#include <signal.h>
#include <stdbool.h>
#include "backend.h"

#define KERNEL_WAKE_SIGNAL SIGUSR2	/* the watchdog's: interrupts a thread's call */

/* Install the dispositions for one more open backend: 0, or -1 (errno set). */
int kernel_signals_acquire(void);
/* One backend fewer: the last one restores the previous dispositions. */
void kernel_signals_release(void);
/* Add the signals a trace sends (signal, kill, fcntl setsig) to set. */
void kernel_trace_signals_add(sigset_t *set);
/* Block the trace signals in the calling thread, its old mask in saved: true if done. */
bool kernel_block_trace_signals(sigset_t *saved);
/* False for a call that would send the tool a signal that kills or stops it. */
bool kernel_call_signals_harmless(const struct sys_call *c);

#endif
