/*
 * epsim diagram: pictures of a trace run on the simulator. A recording holds,
 * for every step, a snapshot of the world after it, the probes that fired
 * inside it (callbacks, sleeps, wake-ups, deliveries) resolved to trace names,
 * its log entries and, optionally, the kernel's log lines for it. Every format
 * is drawn from one recording. Output is byte-stable: logical time only.
 */
#ifndef EPSIM_DIAGRAM_H
#define EPSIM_DIAGRAM_H

#include <stdbool.h>
#include <stdio.h>
#include "logdiff.h"
#include "probe.h"
#include "runner.h"
#include "snapshot.h"
#include "trace.h"

/* One probe of a step, with no pointer into the world. */
struct dg_probe {
	enum probe_kind kind;
	enum probe_outcome outcome;	/* PROBE_CALLBACK */
	int ctx;			/* trace thread it ran in (inferred, see diagram_rec.c) */
	int task;			/* TASK_SLEEP / TASK_WAKE: the trace thread; else -1 */
	uint64_t ep_id;			/* CALLBACK, DELIVER, DROP: the instance */
	uint64_t file_id;		/* ... and the item's key */
	int fd;
	int item;			/* the item's registered trace name, -1 if unknown */
	uint64_t data;			/* the item's trace data */
	uint32_t key;			/* wake key (CALLBACK) or events (DELIVER) */
	int ewake;
	int cause;			/* index of the callback that led to it, -1 if none */
};

/* One step of the recording. */
struct dg_step {
	struct world_snapshot snap;	/* the world after the step */
	struct dg_probe *probes;	/* in the order they fired, a callback before what it caused */
	size_t nprobes;
	size_t log_from, log_to;	/* its entries in rec->res.log */
	int *fds;			/* per trace name: its fd number after the step, or -1 */
	char **kernel;			/* the kernel's log lines for this step */
	size_t nkernel;
	bool kernel_differs;		/* kernel lines differ from the simulator's */
};

/* What a registration token stands for (run_token_lookup, copied out of the run). */
struct dg_token {
	int name;
	uint64_t data;
};

struct dg_recording {
	const struct trace *t;
	char *title;			/* the trace's file name, without folders */
	char **source;			/* the trace file's lines (for the HTML page) */
	size_t nsource;
	struct run_result res;		/* the simulator's log */
	struct dg_step *steps;		/* one per trace step */
	size_t nsteps;
	size_t log_end;			/* first log entry after the last step (the "end" lines) */
	struct dg_token *tokens;
	size_t ntokens;
	bool has_kernel;
	char *kernel_label;		/* where the kernel log came from */
	size_t from, to;		/* the steps drawn: [from, to), 0-based */
	uint64_t *drawn;		/* the files and instances drawn (by f_id, sorted) */
	size_t ndrawn;
	size_t nhidden;			/* how many more there were */
};

/* Limits that keep a drawing of a large trace readable. */
#define DG_MAX_STEPS 250	/* steps drawn when no window is given */
#define DG_MAX_OBJECTS 32	/* files and instances drawn; the rest are counted */

/* How to record: the kernel log to annotate with, and the window of steps to draw. */
struct dg_options {
	const struct log_lines *kernel;	/* NULL: no annotation */
	const char *kernel_label;
	size_t first, last;		/* 1-based, inclusive; 0: the default window */
};

/*
 * Run t on the simulator and record it: snapshots and probes of the steps in
 * the window (and of the step before it), the log of every step, the kernel's
 * lines when given. 0, or -1 with a message in err.
 */
int dg_record(const struct trace *t, const struct dg_options *o, struct dg_recording *rec,
	      char *err, size_t errlen);
/* Whether a file or instance (by f_id) is among the ones drawn (DG_MAX_OBJECTS). */
bool dg_drawn(const struct dg_recording *rec, uint64_t file_id);
void dg_recording_free(struct dg_recording *rec);

/* ---- names and labels shared by the formats (diagram_names.c) ---- */

/* The trace name holding fd after step `step` (the latest defined), or NULL. */
const char *dg_fd_name(const struct dg_recording *rec, size_t step, int fd);
/* A file's label after step `step`: its fd's name, an item's name, or "file#ID". */
void dg_file_label(const struct dg_recording *rec, size_t step, uint64_t file_id, char *buf,
		   size_t len);
/* An item's label: the name it was registered under, else its file's label. */
void dg_item_label(const struct dg_recording *rec, size_t step, const struct snap_epitem *it,
		   char *buf, size_t len);
/* The trace name and data behind a registration token; false if unknown. */
bool dg_token(const struct dg_recording *rec, uint64_t token, int *name, uint64_t *data);
/* An event mask without the RDNORM/WRNORM twins of IN/OUT: "in|out|et", or "0". */
void dg_events(uint32_t events, char *buf, size_t len);
/* The mode of an item's mask: "LT", "ET", "ONESHOT", "ET|ONESHOT", with "+EXCL". */
void dg_mode(uint32_t events, char *buf, size_t len);
/* A probe in words, e.g. "ep_poll_callback(c, key=in): queued on rdllist". */
void dg_probe_text(const struct dg_recording *rec, const struct dg_probe *p, char *buf,
		   size_t len);
/* A log entry as the caller sees it: "t1: wait ep max=1" and its result. */
void dg_entry_call(const struct run_entry *e, char *buf, size_t len);
/* Name of a trace thread. */
const char *dg_thread_name(const struct dg_recording *rec, int thread);
/* The label of an instance (its epoll name) after step `step`. */
void dg_epoll_label(const struct dg_recording *rec, size_t step, const struct snap_epoll *ep,
		    char *buf, size_t len);
/* The instance with this id in a snapshot, or NULL. */
const struct snap_epoll *dg_epoll_by_id(const struct world_snapshot *s, uint64_t id);

/* ---- output escaping (diagram_names.c) ---- */
void dg_xml(FILE *f, const char *s);

/* ---- the formats ---- */

/* SVG timeline drawn by epsim: lanes per thread, instance and watched file. */
void dg_svg(const struct dg_recording *rec, int highlight_step, FILE *out);
/* Graphviz DOT of every instance's tree, ready list and sleepers after step (1-based). */
void dg_dot(const struct dg_recording *rec, size_t step, FILE *out);
/* Mermaid sequenceDiagram (fenced as Markdown unless raw). */
void dg_mermaid(const struct dg_recording *rec, bool fenced, FILE *out);
/* Chrome trace-event JSON (Perfetto, chrome://tracing), logical time. */
void dg_perfetto(const struct dg_recording *rec, FILE *out);
/* A self-contained HTML page stepping through the trace, opening at step (1-based). */
void dg_html(const struct dg_recording *rec, size_t step, FILE *out);
/* One instance after step index s (0-based) as SVG: tree with NIL leaves, rdllist, ovflist,
 * wq and poll_wait; styled by the HTML page it is part of. */
void dg_svg_instance(const struct dg_recording *rec, size_t s, const struct snap_epoll *ep,
		     FILE *out);

/* ---- the command ---- */
extern const char diagram_help[];
/* epsim diagram ARGS (argv[0] is "diagram"); returns the exit status. */
int diagram_main(int argc, char **argv);

#endif
