/*
 * Whether a kernel-backend thread is asleep in its call: /proc's task state
 * is 'S' and its current system call is the one the call makes (only calls
 * that can block are ever considered asleep).
 */
#ifndef EPSIM_KERNEL_ASLEEP_H
#define EPSIM_KERNEL_ASLEEP_H

#include <stdbool.h>
#include <sys/types.h>
#include "backend.h"

/* Task tid of process pid looks asleep in the system call of a call nr (one check). */
bool kernel_asleep_in_call(pid_t pid, pid_t tid, enum sys_nr nr);

#endif
