/*
 * Targets: the one notion of where a trace runs.
 *
 *   sim          the simulator (the kernel profile it models: --kernel)
 *   kernel       this machine's kernel, through the kernel backend
 *   qemu:IMAGE   a Debian cloud kernel (qemu:6.1, qemu:6.12) booted under
 *                qemu TCG; one boot runs a whole batch of traces, whose logs
 *                come back over a second serial port (target_qemu.c)
 *   gvisor       the kernel backend inside gVisor (runsc do), a peer record
 *
 * A target runs a batch of traces and gives, per trace, its log lines and
 * failed inline expectations. A target whose packages are missing is
 * unavailable, with the reason; it never counts as passing.
 */
#ifndef EPSIM_TARGET_H
#define EPSIM_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include "backend.h"
#include "logdiff.h"

enum target_kind { TARGET_SIM, TARGET_KERNEL, TARGET_QEMU, TARGET_GVISOR };

struct target {
	enum target_kind kind;
	char name[64];		/* as given: "sim", "kernel", "qemu:6.1", "gvisor" */
	char image[32];		/* qemu: the kernel family, "6.1" */
	const struct backend_ops *ops; /* sim and kernel: the backend run in this process */
	int sim_kernel;		/* sim: the kernel profile to model, KREL(6, 1) (0: the default) */
	bool check;		/* sim: check the world's invariants after every step */
	char release[128];	/* the kernel's release, once known (uname -r) */
	char build[256];	/* the kernel's build (uname -v), once known */
	double boot_secs;	/* qemu: from start to the first result */
};

/* A failed inline expectation; why (else NULL): how its call never completed (run_expect.h). */
struct target_fail {
	int step, line, col;
	char *expected, *got, *why;
};

enum target_status {
	TARGET_RAN,		/* the trace ran: lines (and fails) are its log */
	TARGET_TROUBLE,		/* the run failed: error says why */
	TARGET_UNSUPPORTED,	/* the target cannot run this trace */
};

struct target_outcome {
	enum target_status status;
	struct log_lines lines;
	struct target_fail *fails;
	size_t nfails;
	char *error;
};

/* Parse a target name; -1 with a message for an unknown one. --backend B is --target B. */
int target_parse(const char *spec, struct target *t, char *err, size_t errlen);

/* Whether the target can run here; if not, why (e.g. "qemu-system-x86 unavailable"). */
bool target_available(struct target *t, char *why, size_t len);

/*
 * Run traces paths[0..n) on the target; out[i] for each. Returns 0, or -1
 * when the target failed as a whole (every outcome then says so).
 */
int target_run(struct target *t, char *const *paths, size_t n, struct target_outcome *out);

/* The golden directory the target's logs compare with: "linux-6.18", "gvisor". */
void target_profile(const struct target *t, char *out, size_t len);

void target_outcome_free(struct target_outcome *o);
void target_outcome_fail(struct target_outcome *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The batch runner inside a guest (qemu) or sandbox (gvisor): epsim guest-batch. */
int target_guest_main(int argc, char **argv);

/*
 * Parse a guest's framed output (see target_guest.c) into out[0..n); fills
 * t->release and t->build. 0 if the guest reported it was done, else -1 (the
 * traces without a result are trouble).
 */
int target_guest_parse(const char *text, const char *nonce, size_t n, struct target *t,
		       struct target_outcome *out);

/* target_qemu.c, target_gvisor.c */
bool target_qemu_available(struct target *t, char *why, size_t len);
int target_qemu_run(struct target *t, char *const *paths, size_t n, struct target_outcome *out);
bool target_gvisor_available(struct target *t, char *why, size_t len);
int target_gvisor_run(struct target *t, char *const *paths, size_t n, struct target_outcome *out);

#endif
