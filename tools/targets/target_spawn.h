/* Running a helper process (qemu, runsc) with a hard time limit; it never outlives us. */
#ifndef EPSIM_TARGET_SPAWN_H
#define EPSIM_TARGET_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

struct spawn_result {
	int status;		/* exit status; -1 if killed or it could not start */
	bool timed_out;		/* killed at the deadline */
	double secs;		/* wall time */
	double first_output_secs; /* when watch_path first had data; -1 never */
};

/*
 * Run argv with stdin /dev/null and stdout and stderr into out_path; kill it
 * (SIGKILL) after timeout_ms, or if this process dies (PR_SET_PDEATHSIG).
 * Always reaps it. 0 if it ran (see r->status), -1 if it could not start.
 */
int target_spawn(char *const argv[], const char *out_path, const char *watch_path,
		 long timeout_ms, struct spawn_result *r, char *err, size_t errlen);

/* The full path of a program found in PATH; false if there is none. */
bool target_which(const char *prog, char *out, size_t len);

/* A file's whole contents, NUL-terminated (malloc'd); NULL if unreadable. */
char *target_slurp(const char *path, size_t *len);

/* Remove a directory and the plain files in it. */
void target_rmdir(const char *dir);

#endif
