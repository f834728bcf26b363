/*
 * The gvisor target: the kernel backend inside gVisor, `runsc --network=none
 * do epsim guest-batch ...`; one sandbox runs the whole batch and its framed
 * output (target_guest.c) comes back on stdout. gVisor reports itself as
 * kernel 4.4.0; its logs are a peer record (traces/golden/gvisor), compared
 * with Linux, never an oracle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "target.h"
#include "target_spawn.h"
#include "xalloc.h"

#define GVISOR_BUDGET_MS 60000L
#define GVISOR_TRACE_BUDGET_MS 5000L

bool target_gvisor_available(struct target *t, char *why, size_t len)
{
	char p[512];

	(void)t;
	if (!target_which("runsc", p, sizeof(p))) {
		snprintf(why, len, "runsc unavailable");
		return false;
	}
	return true;
}

int target_gvisor_run(struct target *t, char *const *paths, size_t n, struct target_outcome *out)
{
	char runsc[512], exe[4096], nonce[32], why[256], dir[] = "/tmp/epsim-gvisor-XXXXXX";
	char outp[600], err[512] = "";
	struct spawn_result sr;
	char **argv = xcalloc(n + 16, sizeof(char *));
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int a = 0, rc = -1;
	char *text;

	if (!target_gvisor_available(t, why, sizeof(why)) || len <= 0 || !mkdtemp(dir)) {
		for (size_t i = 0; i < n; i++)
			target_outcome_fail(&out[i], "%s: %s", t->name,
					    len <= 0 ? strerror(errno) : why);
		free(argv);
		return -1;
	}
	exe[len] = '\0';
	target_which("runsc", runsc, sizeof(runsc));
	snprintf(nonce, sizeof(nonce), "%lx%lx", (unsigned long)getpid(), (unsigned long)time(NULL));
	snprintf(outp, sizeof(outp), "%s/out", dir);
	argv[a++] = runsc;
	argv[a++] = "--network=none";
	argv[a++] = "do";
	argv[a++] = exe;
	argv[a++] = "guest-batch";
	argv[a++] = "--nonce";
	argv[a++] = nonce;
	for (size_t i = 0; i < n; i++)
		argv[a++] = paths[i];
	if (target_spawn(argv, outp, outp, GVISOR_BUDGET_MS + (long)n * GVISOR_TRACE_BUDGET_MS, &sr,
			 err, sizeof(err)) == 0) {
		text = target_slurp(outp, NULL);
		t->boot_secs = sr.first_output_secs;
		rc = target_guest_parse(text ? text : "", nonce, n, t, out);
		free(text);
		if (rc)
			snprintf(err, sizeof(err), "%s: runsc did not finish (%s after %.1f s)", t->name,
				 sr.timed_out ? "killed" : "exited", sr.secs);
	}
	for (size_t i = 0; rc != 0 && i < n; i++)
		if (out[i].status != TARGET_RAN)
			target_outcome_fail(&out[i], "%s", err);
	target_rmdir(dir);
	free(argv);
	return rc;
}
