/* Helpers the diagram formats share: text buffers, text metrics, step and result text. */
#ifndef EPSIM_DIAGRAM_DRAW_H
#define EPSIM_DIAGRAM_DRAW_H

#include <stdarg.h>
#include "diagram.h"

/* A growing string. */
struct dg_buf {
	char *s;
	size_t n, cap;
};

void dg_buf_add(struct dg_buf *b, const char *s);
void dg_buf_printf(struct dg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a new line ('\n' between lines). */
void dg_buf_line(struct dg_buf *b, const char *s);

/* Monospace metrics: 12px DejaVu Sans Mono is 7.3px a character. */
#define DG_CHAR_W10 73
int dg_text_w(const char *s);
/* Width of the widest line of a '\n'-separated block (0 for NULL). */
int dg_text_block_w(const char *s);

int dg_cmp_u64(const void *a, const void *b);
/* The first step whose snapshot has this file (0 if none). */
size_t dg_first_step_with_file(const struct dg_recording *rec, uint64_t file_id);
/* A step's call as its thread issued it: "t1: wait ep max=1" (no prefix for main). */
void dg_step_call(const struct dg_recording *rec, size_t step, char *buf, size_t len);
/* A log entry's result as lines: "= 3" then "c in" per event; "blocks"; "still blocked". */
void dg_result_lines(const struct run_entry *e, struct dg_buf *b);
/* The same lines from a kernel log line ("t2: " in front for other threads). */
void dg_kernel_result(const char *line, struct dg_buf *b);
/* The call part of a log line ("t2: wait ep ...") and its result text; false if unparsable. */
bool dg_split_log_line(const char *line, char *call, size_t clen, const char **result);
/* Whether the thread named `name` is asleep in this snapshot. */
bool dg_thread_asleep(const struct world_snapshot *s, const char *name);
/* Where it sleeps: an instance's wq (*ep_id) or a file's queue (*file_id); false if nowhere. */
bool dg_sleeper_of(const struct world_snapshot *s, const char *name, uint64_t *ep_id,
		   uint64_t *file_id);
/* The log entries of step s (0-based): [*from, *to), the "end" entries with the last step. */
void dg_step_entries(const struct dg_recording *rec, size_t s, size_t *from, size_t *to);

/* Whether ep's rdllist holds the same items, in order, as `was` (NULL: no instance yet). */
bool dg_same_ready_list(const struct snap_epoll *ep, const struct snap_epoll *was);

/* Whether wake-up p in step s was a timeout: no callback caused it, and the woken wait
 * returned 0 in this step. */
bool dg_timed_out(const struct dg_recording *rec, size_t s, const struct dg_probe *p);

/* " (steps A-B of N)" when not every step is drawn, " (N more files and instances not
 * drawn)" when some are left out; nothing otherwise. Plain text, safe in XML and DOT. */
void dg_window_note(const struct dg_recording *rec, FILE *out);

#endif
