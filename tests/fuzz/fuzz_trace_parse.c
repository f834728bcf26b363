/*
 * libFuzzer harness for the trace parser (tools/trace_parse.c). Any input
 * must parse or fail with a positioned error, without a crash, a leak or
 * undefined behaviour (the fuzz preset adds ASan and UBSan). A trace that
 * parses must also hold together: every index a step holds points into the
 * trace, every error position is on a real line, and every event mask a ctl
 * step holds survives printing and parsing back. A broken property aborts,
 * which libFuzzer reports as a crash with the input that caused it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_trace_parse: property broken: %s\n", what);
		abort();
	}
}

/* An index a step holds: -1 (none) or a valid index below n. */
static int index_ok(int i, size_t n)
{
	return i == -1 || (i >= 0 && (size_t)i < n);
}

static void check_step(const struct trace *t, const struct trace_step *st)
{
	require(st->text != NULL && st->text[0] != '\0', "step text");
	require(st->thread >= 0 && (size_t)st->thread < t->nthreads, "step thread");
	require(st->obj_bad ? st->obj == -1 : index_ok(st->obj, t->nnames), "step obj");
	require(st->obj2_bad ? st->obj2 == -1 : index_ok(st->obj2, t->nnames), "step obj2");
	require(st->loc.line >= 1 && st->loc.col >= 1, "step location");
	if (st->op == TOP_CTL && !st->ev_null) {
		char buf[256];
		uint32_t back = 0;

		trace_format_events(st->events, buf, sizeof(buf));
		require(trace_parse_events(buf, &back) == 0 && back == st->events,
			"event mask round trip");
	}
}

static void check_trace(const struct trace *t)
{
	require(t->nthreads >= 1 && strcmp(t->threads[0].name, "main") == 0, "main thread");
	for (size_t i = 0; i < t->nnames; i++)
		require(t->names[i].step >= 0 && (size_t)t->names[i].step < t->nsteps, "name step");
	for (size_t i = 0; i < t->nsteps; i++)
		check_step(t, &t->steps[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace *t = NULL;
	struct trace_error err;

	memset(&err, 0, sizeof(err));
	if (trace_parse("fuzz.trace", (const char *)data, size, &t, &err) == 0) {
		require(t != NULL, "a parsed trace");
		check_trace(t);
		trace_free(t);
	} else {
		require(err.loc.line >= 1 && err.loc.col >= 1, "error position");
		require(memchr(err.msg, '\0', sizeof(err.msg)) != NULL && err.msg[0], "error message");
	}
	return 0;
}
