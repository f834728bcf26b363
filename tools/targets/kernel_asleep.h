/*
 * Whether a kernel-backend thread is asleep in its call: /proc's task state
 * is 'S' and its current system call is the one the call makes (only calls
 * that can block are ever considered asleep); without /proc/TID/syscall
 * (gVisor), 'S' while the thread is marked inside the call.
 */
#ifndef EPSIM_KERNEL_ASLEEP_H
#define EPSIM_KERNEL_ASLEEP_H

#include <stdbool.h>
#include <sys/types.h>
#include "backend.h"

struct task_proc;

/*
 * Task t (opened by task_proc_open) looks asleep in the system call of a call nr (one
 * check). Where /proc has no TID/syscall file (gVisor), the system call cannot
 * be read: the task then counts as asleep when its state is 'S' and in_call
 * says it is inside the call (the thread sets it just before it enters the
 * system call and clears it as soon as the call returns), so a thread that
 * sleeps anywhere else (a lock, its wait for the next call) never counts.
 */
bool kernel_asleep_in_call(struct task_proc *t, enum sys_nr nr, bool in_call);

/*
 * The task's /proc stat and syscall files, opened once when the thread or
 * child process starts and re-read with pread(). Opening them during a
 * settle would take the lowest free fd number: a thread that is still
 * re-scanning its poll set after a wake-up could then find a just-closed
 * fd open again (POLLIN where the kernel alone gives POLLNVAL). Both are
 * moved to high numbers, away from the numbers a trace's files get.
 */
struct task_proc {
	int stat_fd, syscall_fd;	/* -1: not open (syscall: absent under gVisor) */
};
void task_proc_open(struct task_proc *t, pid_t pid, pid_t tid);
void task_proc_close(struct task_proc *t);

#endif
