/*
 * The result log: one entry per step (and one per completion of a call that
 * blocked), canonical text for diffs and golden files, and JSON for machines.
 */
#ifndef EPSIM_RUNLOG_H
#define EPSIM_RUNLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum run_entry_kind {
	RUN_DONE,	/* the call returned */
	RUN_BLOCKS,	/* the call put its thread to sleep */
	RUN_PENDING,	/* still asleep when the trace ended */
	RUN_INFO,	/* what the step left behind: e.g. the interest set after a ctl */
};

struct run_event {
	char *name;		/* the fd name registered */
	uint32_t events;
	uint64_t data;		/* the data given at registration */
};

struct run_entry {
	int step;		/* 1-based step number where this happened */
	int src_step;		/* the step that issued the call (differs for completions) */
	enum run_entry_kind kind;
	char *thread;		/* NULL for the main thread */
	char *text;		/* the call as written */
	long ret;		/* >= 0 or -errno */
	bool watchdog;
	enum { RV_NONE, RV_VALUE, RV_SIGSET, RV_ERRNO } vkind; /* what value holds */
	uint64_t value;		/* eventfd/timerfd read value, or a signal set */
	struct run_event *events;
	int nevents;
	char *suffix;		/* more result text after the value: poll/select ready fds, fcntl flags */
	char *result;		/* rendered result: "0", "EEXIST", "1 [p.r in data=7]"; given for RUN_INFO */
};

struct run_log {
	char *trace;		/* trace path as given */
	char *backend;		/* "sim" or "kernel" */
	char *version;		/* uname -r or "epsim" */
	struct run_entry *entries;
	size_t n, cap;
};

void run_log_init(struct run_log *log, const char *trace, const char *backend,
		  const char *version);
void run_log_free(struct run_log *log);
/* Append an entry (copies the strings and events); renders entry.result. */
void run_log_add(struct run_log *log, const struct run_entry *e);
/* Render one entry's result text into buf. */
void run_entry_render(const struct run_entry *e, char *buf, size_t len);
/* One entry as its canonical log line (no newline). */
void run_entry_line(const struct run_entry *e, char *buf, size_t len);
void run_log_print_text(const struct run_log *log, FILE *f);
void run_log_print_json(const struct run_log *log, FILE *f);
/* Print s as a quoted JSON string. */
void run_json_str(FILE *f, const char *s);

#endif
