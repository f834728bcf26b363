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

/*
 * Task tid of process pid looks asleep in the system call of a call nr (one
 * check). Where /proc has no TID/syscall file (gVisor), the system call cannot
 * be read: the task then counts as asleep when its state is 'S' and in_call
 * says it is inside the call (the thread sets it just before it enters the
 * system call and clears it as soon as the call returns), so a thread that
 * sleeps anywhere else (a lock, its wait for the next call) never counts.
 */
bool kernel_asleep_in_call(pid_t pid, pid_t tid, enum sys_nr nr, bool in_call);

#endif
