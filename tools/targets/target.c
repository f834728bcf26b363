/* Targets (target.h): names, availability, and the in-process targets sim and kernel. */
#include "target.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "golden.h"
#include "kprofile.h"
#include "runner.h"
#include "trace.h"
#include "variants.h"
#include "xalloc.h"

static int parse_qemu(const char *image, struct target *t, char *err, size_t errlen)
{
	unsigned major, minor;
	int n = 0;

	if (sscanf(image, "%u.%u%n", &major, &minor, &n) != 2 || image[n] != '\0') {
		snprintf(err, errlen, "epsim: bad qemu image '%s' (a kernel family: qemu:6.1, qemu:6.12)",
			 image);
		return -1;
	}
	t->kind = TARGET_QEMU;
	snprintf(t->image, sizeof(t->image), "%u.%u", major, minor);
	return 0;
}

int target_parse(const char *spec, struct target *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", spec);
	if (!strcmp(spec, "sim") || !strncmp(spec, "sim:", 4)) {
		t->kind = TARGET_SIM;
		t->ops = &sim_backend_ops;
		if (spec[3] == ':' && (t->sim_kernel = kprofile_parse(spec + 4)) <= 0) {
			snprintf(err, errlen, "epsim: unknown kernel profile '%s' (sim:6.1, sim:6.12, sim:6.18)",
				 spec + 4);
			return -1;
		}
		return 0;
	}
	if (!strcmp(spec, "kernel")) {
		t->kind = TARGET_KERNEL;
		t->ops = &kernel_backend_ops;
		return 0;
	}
	if (!strcmp(spec, "gvisor")) {
		t->kind = TARGET_GVISOR;
		return 0;
	}
	if (!strncmp(spec, "qemu:", 5))
		return parse_qemu(spec + 5, t, err, errlen);
	snprintf(err, errlen,
		 "epsim: unknown target '%s' (sim, sim:6.1, kernel, qemu:6.1, qemu:6.12, gvisor)",
		 spec);
	return -1;
}

bool target_available(struct target *t, char *why, size_t len)
{
	switch (t->kind) {
	case TARGET_QEMU:
		return target_qemu_available(t, why, len);
	case TARGET_GVISOR:
		return target_gvisor_available(t, why, len);
	default:
		return true;
	}
}

void target_profile(const struct target *t, char *out, size_t len)
{
	struct utsname u;

	switch (t->kind) {
	case TARGET_SIM:
		if (t->sim_kernel > 0)
			snprintf(out, len, "linux-%d.%d", t->sim_kernel / 1000, t->sim_kernel % 1000);
		else
			snprintf(out, len, "%s", GOLDEN_DEFAULT_PROFILE);
		return;
	case TARGET_KERNEL:
		if (t->release[0] && golden_profile_of_release(t->release, out, len))
			return;
		if (uname(&u) == 0 && golden_profile_of_release(u.release, out, len))
			return;
		snprintf(out, len, "%s", GOLDEN_DEFAULT_PROFILE);
		return;
	case TARGET_QEMU:
		snprintf(out, len, "linux-%s", t->image);
		return;
	case TARGET_GVISOR:
		snprintf(out, len, "gvisor");
		return;
	}
}

void target_outcome_free(struct target_outcome *o)
{
	log_lines_free(&o->lines);
	for (size_t i = 0; i < o->nfails; i++) {
		free(o->fails[i].expected);
		free(o->fails[i].got);
		free(o->fails[i].why);
	}
	free(o->fails);
	free(o->error);
	memset(o, 0, sizeof(*o));
}

void target_outcome_fail(struct target_outcome *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(o->error);
	o->error = xstrdup(buf);
	o->status = TARGET_TROUBLE;
}

/* A trace that does not parse: its positioned error as the outcome's message. */
static struct trace *load_into(const char *path, struct target_outcome *o)
{
	struct trace_error err;
	struct trace *tr = NULL;
	char *msg = NULL;
	size_t len = 0;
	FILE *m;

	if (trace_parse_file(path, &tr, &err) == 0)
		return tr;
	m = open_memstream(&msg, &len);
	if (m) {
		trace_error_print(path, &err, m);
		fclose(m);
	}
	while (len > 0 && msg[len - 1] == '\n')
		msg[--len] = '\0';
	target_outcome_fail(o, "%s", msg ? msg : "epsim: bad trace");
	free(msg);
	return NULL;
}

/*
 * On the simulator, a trace that shows a behaviour its kernel profile does
 * not model (an unmodelled entry of sim/kprofile.c) is not supported.
 */
static bool sim_unsupported(const struct target *t, const char *path, struct target_outcome *o)
{
	int rel = t->sim_kernel > 0 ? t->sim_kernel : KPROFILE_DEFAULT;
	char *name = trace_name_of(path), prof[16];
	const struct kprofile_entry *e = kprofile_unsupported(rel, name);

	free(name);
	if (!e)
		return false;
	target_outcome_fail(o, "not supported on the simulator's %s profile: %s is not modelled "
			    "(docs/kernel-profiles.md)", kprofile_name(rel, prof, sizeof(prof)), e->name);
	o->status = TARGET_UNSUPPORTED;
	return true;
}

/* Run one trace in this process on t->ops. */
static void run_local(struct target *t, const char *path, struct target_outcome *o)
{
	struct run_options ro = { .cfg.check = t->check, .cfg.kernel_release = t->sim_kernel };
	struct run_result res;
	char err[512] = "";
	struct trace *tr;

	if (t->kind == TARGET_SIM && sim_unsupported(t, path, o))
		return;
	tr = load_into(path, o);
	if (!tr)
		return;
	if (run_trace(tr, t->ops, &ro, &res, err, sizeof(err)) != 0) {
		target_outcome_fail(o, "%s", err[0] ? err : "epsim: the run failed");
		run_result_free(&res);
		trace_free(tr);
		return;
	}
	o->status = TARGET_RAN;
	log_lines_from_log(&res.log, &o->lines);
	o->fails = xcalloc(res.nmismatches ? res.nmismatches : 1, sizeof(*o->fails));
	for (size_t i = 0; i < res.nmismatches; i++) {
		const struct run_mismatch *m = &res.mismatches[i];

		o->fails[i] = (struct target_fail){ m->step, m->loc.line, m->loc.col,
						    xstrdup(m->expected), xstrdup(m->got),
						    m->why ? xstrdup(m->why) : NULL };
	}
	o->nfails = res.nmismatches;
	run_result_free(&res);
	trace_free(tr);
}

int target_run(struct target *t, char *const *paths, size_t n, struct target_outcome *out)
{
	struct utsname u;

	for (size_t i = 0; i < n; i++)
		memset(&out[i], 0, sizeof(out[i]));
	switch (t->kind) {
	case TARGET_QEMU:
		return target_qemu_run(t, paths, n, out);
	case TARGET_GVISOR:
		return target_gvisor_run(t, paths, n, out);
	case TARGET_KERNEL:
		if (uname(&u) == 0) {
			snprintf(t->release, sizeof(t->release), "%s", u.release);
			snprintf(t->build, sizeof(t->build), "%s", u.version);
		}
		break;
	case TARGET_SIM:
		snprintf(t->release, sizeof(t->release), "epsim");
		break;
	}
	for (size_t i = 0; i < n; i++)
		run_local(t, paths[i], &out[i]);
	return 0;
}
