/*
 * epsim: run traces on the simulator or the real kernel, compare the two,
 * record golden logs. Exit status: 0 success, 1 divergence or failed
 * expectation, 2 trouble (bad trace, bad usage, a backend that failed).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "diagram.h"
#include "fuzz.h"
#include "golden_cmds.h"
#include "kprofile.h"
#include "live_cli.h"
#include "logdiff.h"
#include "lograce.h"
#include "profiles_cmd.h"
#include "run_report.h"
#include "runner.h"
#include "statedump.h"
#include "stats_report.h"
#include "target.h"
#include "trace.h"
#include "variants.h"
#include "version.h"
#include "xalloc.h"

#define EXIT_DIVERGE 1
#define EXIT_TROUBLE 2

struct cli {
	const struct backend_ops *backend;
	struct target target;	/* --target (or --backend): where the traces run */
	bool target_given;
	bool json;
	bool state;
	bool check;	/* --check: simulator invariants after every step */
	bool stats;	/* --stats: the simulator's cost counters per step (stats_report.c) */
	int kernel;	/* --kernel: the simulator's kernel profile (sim/kprofile.h); 0: default */
	int context;
	const char *out;
	size_t failed_expectations;	/* diff: steps whose expectation failed, over all traces */
	int divergences;		/* diff: traces whose logs diverge */
};

static const char *usage_text =
	"usage: epsim COMMAND [OPTIONS] TRACE...\n"
	"\n"
	"commands:\n"
	"  run     run a trace on one backend and print its result log\n"
	"  diff    run traces on the simulator and the kernel and compare the logs\n"
	"  check   run traces on a target and compare with their golden logs\n"
	"  record  run traces on a real kernel target and write their golden logs\n"
	"  matrix  run the corpus on every available target and tabulate the results\n"
	"  diagram draw a trace run on the simulator: svg, dot, mermaid, perfetto, html\n"
	"  fuzz    run random traces on both backends; shrink and save the first divergence\n"
	"  profiles list the simulator's kernel profiles and the behaviours they switch\n"
	"  live    run a real program with its epoll calls answered by the simulator\n"
	"  help    show help for a command\n"
	"\n"
	"Exit status: 0 success, 1 divergence or failed expectation, 2 trouble.\n"
	"Run 'epsim help COMMAND' for a command's options; 'epsim --version' for the version\n"
	"and the kernel profiles the simulator models.\n";

static const char *help_run =
	"usage: epsim run [--target T] [--json] [--state] [--check] [--stats] TRACE\n"
	"  Run TRACE and print its result log (text, or JSON with --json).\n"
	"  --target T    sim (default), kernel, qemu:6.1, qemu:6.12 or gvisor (--backend:\n"
	"                the same); --json, --state and --stats need sim or kernel\n"
	"  --kernel R    (sim) the kernel profile: 6.1, 6.12 or 6.18 (default)\n"
	"  --json        print the log as one JSON document (schema 1)\n"
	"  --state       (sim) print the simulator's epoll state after every step\n"
	"  --check       (sim) check the simulator's invariants after every step; a\n"
	"                violation stops the run with an error (exit 2)\n"
	"  --stats       (sim) print each step's cost counters (fds scanned, poll calls,\n"
	"                wait-queue entries, callbacks, bytes copied) and their totals\n"
	"  Inline expectations (=> ...) are checked: one that fails, or whose call never\n"
	"  completed (still blocked at the end, cut by the watchdog, never run), is\n"
	"  reported as FILE:LINE:COL: expectation failed: ...; exit status 1. A runtime\n"
	"  error prints the log up to its step, then FILE:LINE:COL: error: ...; exit 2.\n";
static const char *help_diff =
	"usage: epsim diff [--context N] [--check] [--kernel R] TRACE...\n"
	"  Run each TRACE on the simulator and on the kernel and compare the logs step by\n"
	"  step. Prints the first divergence with N lines around it (default 3).\n"
	"  Inline expectations are checked on both backends, those on blocking calls\n"
	"  against the call's final result; each failure names the backend(s) that\n"
	"  failed it, in step order, and is counted apart from divergences. A step\n"
	"  whose expectation lists alternatives (A | B) is a legal race: its call's\n"
	"  completions are compared as a set, each one of the alternatives.\n"
	"  The simulator runs the kernel profile R, by default the running kernel's\n"
	"  release when it has a profile (6.1, 6.12, 6.18), else 6.18.\n"
	"  Exit 0 if every trace matches and every expectation holds, 1 on a divergence\n"
	"  or a failed expectation, 2 on trouble.\n";
static const char *help_check =
	"usage: epsim check [--target T] [--check] [--kernel R] TRACE...\n"
	"  Run each TRACE on target T and compare its log with the golden log of T's kernel,\n"
	"  traces/golden/linux-X.Y/NAME.log (recorded from a real kernel by 'epsim record').\n"
	"  T: sim (default; its profile --kernel R), kernel (this machine), qemu:6.1,\n"
	"  qemu:6.12 (a Debian kernel under qemu, one boot per batch), gvisor (runsc).\n"
	"  --backend is an alias of --target. A difference listed in traces/variants.tsv\n"
	"  for this kernel build is a known variant (exit 0). A missing golden log is\n"
	"  trouble (exit 2); a target unavailable here is skipped (exit 77).\n"
	"  An empty golden log, or one whose header does not name a kernel, is trouble.\n"
	"  Inline expectations are checked as by 'run' (a failure is exit 1 even when the\n"
	"  log matches); a step whose expectation lists alternatives (A | B) is a legal\n"
	"  race: its call's completions are compared as a set.\n";
static const char *help_record =
	"usage: epsim record [--target kernel|qemu:IMAGE|gvisor] TRACE...\n"
	"  Run each TRACE on a real kernel (default: this machine's) and write its log to\n"
	"  traces/golden/linux-X.Y/NAME.log (gvisor: traces/golden/gvisor/NAME.log); the\n"
	"  header names the kernel's release and build. Inline expectations state Linux\n"
	"  6.18 behaviour: a 6.18 log that fails one is not written; on another kernel the\n"
	"  failures are listed as differences of that kernel.\n";

static const char *help_guest =
	"usage: epsim guest-batch --out PATH --nonce N [--module KO]... TRACE...\n"
	"  Inside a qemu guest or gVisor sandbox: run each TRACE on the kernel and write\n"
	"  the framed logs to PATH (used by the qemu and gvisor targets).\n";

static int usage(FILE *f, const char *text, int status)
{
	fputs(text, f);
	return status;
}

static const char *command_help(const char *cmd)
{
	if (!cmd)
		return usage_text;
	if (!strcmp(cmd, "run"))
		return help_run;
	if (!strcmp(cmd, "diff"))
		return help_diff;
	if (!strcmp(cmd, "check"))
		return help_check;
	if (!strcmp(cmd, "record"))
		return help_record;
	if (!strcmp(cmd, "diagram"))
		return diagram_help;
	if (!strcmp(cmd, "fuzz"))
		return fuzz_help;
	if (!strcmp(cmd, "matrix"))
		return matrix_help;
	if (!strcmp(cmd, "guest-batch"))
		return help_guest;
	if (!strcmp(cmd, "profiles"))
		return profiles_help;
	if (!strcmp(cmd, "live"))
		return live_help;
	return NULL;
}

static struct trace *load(const char *path)
{
	struct trace *t = NULL;
	struct trace_error err;

	if (trace_parse_file(path, &t, &err) != 0) {
		trace_error_print(path, &err, stderr);
		return NULL;
	}
	trace_lint(t, stderr);	/* warnings only: they never change the exit status */
	return t;
}

/* Run one trace on one backend; prints trouble to stderr. */
static int run_one(const struct trace *t, const struct backend_ops *ops, struct run_options *o,
		   struct run_result *res)
{
	char err[512] = "";

	if (run_trace(t, ops, o, res, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err[0] ? err : "epsim: the run failed");
		run_result_free(res);
		return -1;
	}
	return 0;
}

static int report_mismatches(const struct trace *t, const struct run_result *res)
{
	return run_report_mismatches(t->path, res, stderr) ? EXIT_DIVERGE : 0;
}

/* run: a runtime error still shows the log up to its step and the expectations failed so far. */
static int run_failed(const struct trace *t, struct run_result *res, const char *err)
{
	if (res->log.trace)
		run_log_print_text(&res->log, stdout);
	fflush(stdout);
	run_report_mismatches(t->path, res, stderr);
	fprintf(stderr, "%s\n", err[0] ? err : "epsim: the run failed");
	run_result_free(res);
	return EXIT_TROUBLE;
}

static int cmd_run(struct cli *c, int argc, char **argv)
{
	struct run_options o = { 0 };
	struct statedump sd = { .out = stdout };
	struct stats_report sr = { .out = stdout };
	struct run_result res;
	struct trace *t;
	char err[512] = "";
	int rc;

	if (argc != 1)
		return usage(stderr, help_run, EXIT_TROUBLE);
	if (!c->target.ops) {
		struct golden_cmd g = { &c->target, c->context };

		if (c->json || c->state || c->stats) {
			fprintf(stderr, "epsim: --json, --state and --stats need --target sim or kernel\n");
			return EXIT_TROUBLE;
		}
		return golden_run_remote(&g, argv[0]);
	}
	t = load(argv[0]);
	if (!t)
		return EXIT_TROUBLE;
	o.cfg.check = c->check;
	o.cfg.kernel_release = c->kernel;
	if (c->stats && (c->backend != &sim_backend_ops || c->state || c->json)) {
		fprintf(stderr, "epsim: --stats needs the sim backend, without --state or --json\n");
		trace_free(t);
		return EXIT_TROUBLE;
	}
	if (c->stats) {
		o.after_step = stats_after_step;
		o.after_step_ctx = &sr;
	}
	if (c->state && c->backend == &sim_backend_ops) {
		o.after_step = statedump_after_step;
		o.after_step_ctx = &sd;
	}
	if (run_trace(t, c->backend, &o, &res, err, sizeof(err)) != 0) {
		rc = run_failed(t, &res, err);
		trace_free(t);
		return rc;
	}
	if (c->json)
		run_log_print_json(&res.log, stdout);
	else if (c->stats)
		stats_finish(&sr, &res.log);
	else if (!c->state)
		run_log_print_text(&res.log, stdout);
	fflush(stdout);	/* the log first, then what failed in it */
	rc = report_mismatches(t, &res);
	run_result_free(&res);
	trace_free(t);
	return rc;
}

/* Run a trace and give its log lines; -1 on trouble. */
static int lines_of(const struct trace *t, const struct backend_ops *ops, struct log_lines *l,
		    struct run_result *keep, bool check, int kernel)
{
	struct run_options o = { .cfg.check = check, .cfg.kernel_release = kernel };
	struct run_result res;

	if (run_one(t, ops, &o, &res) != 0)
		return -1;
	log_lines_from_log(&res.log, l);
	*keep = res;	/* the caller reports its failed expectations and frees it */
	return 0;
}

/* The profile to compare with the running kernel: the one asked for, else the running kernel's. */
static int live_profile(int asked)
{
	struct utsname u;
	int rel;

	if (asked > 0 || uname(&u) != 0)
		return asked;
	rel = kprofile_from_uname(u.release);
	return rel > 0 ? rel : 0;
}

static int diff_one(struct cli *c, const char *path)
{
	struct log_lines ks, ss;
	struct run_result kr, sr;
	struct trace *t = load(path);
	char *whybuf = NULL;
	size_t failed, whylen = 0;
	FILE *why;
	int rc, raced;

	if (!t)
		return EXIT_TROUBLE;
	if (lines_of(t, &kernel_backend_ops, &ks, &kr, false, 0) != 0) {
		trace_free(t);
		return EXIT_TROUBLE;
	}
	if (lines_of(t, &sim_backend_ops, &ss, &sr, c->check, live_profile(c->kernel)) != 0) {
		log_lines_free(&ks);
		run_result_free(&kr);
		trace_free(t);
		return EXIT_TROUBLE;
	}
	failed = run_report_mismatches2(path, &kr, "kernel", &sr, "sim", stderr);
	fflush(stderr);
	why = open_memstream(&whybuf, &whylen);
	raced = log_race_diff(t, &ks, "kernel", &ss, "sim", why);
	fclose(why);
	rc = raced || log_lines_diff(&ks, "kernel", &ss, "sim", c->context, NULL);
	c->divergences += rc != 0;
	if (rc) {
		printf("%s: DIVERGES\n%s", path, whybuf ? whybuf : "");
		log_lines_diff(&ks, "kernel", &ss, "sim", c->context, stdout);
	} else {
		printf("%s: logs match (%zu lines)\n", path, ks.n);
	}
	if (failed)
		printf("%s: %zu expectation%s failed\n", path, failed, failed == 1 ? "" : "s");
	c->failed_expectations += failed;
	log_lines_free(&ks);
	log_lines_free(&ss);
	run_result_free(&kr);
	run_result_free(&sr);
	free(whybuf);
	trace_free(t);
	return rc || failed ? EXIT_DIVERGE : 0;
}

static int worst(int a, int b)
{
	return a > b ? a : b;
}

static int cmd_diff(struct cli *c, int argc, char **argv)
{
	int rc = 0, n = 0, trouble = 0;

	if (argc < 1)
		return usage(stderr, help_diff, EXIT_TROUBLE);
	for (int i = 0; i < argc; i++) {
		int r = diff_one(c, argv[i]);
		trouble += r == EXIT_TROUBLE;
		rc = worst(rc, r);
	}
	n = c->divergences;
	printf("%d trace%s, %d divergence%s, %zu expectation failure%s", argc,
	       argc == 1 ? "" : "s", n, n == 1 ? "" : "s", c->failed_expectations,
	       c->failed_expectations == 1 ? "" : "s");
	if (trouble)
		printf(", %d not run to the end (errors above)", trouble);
	printf("\n");
	return rc;
}

static int cmd_check(struct cli *c, int argc, char **argv)
{
	struct golden_cmd g = { &c->target, c->context };

	if (argc < 1)
		return usage(stderr, help_check, EXIT_TROUBLE);
	if (c->kernel > 0)
		c->target.sim_kernel = c->kernel;	/* --kernel R; sim:R already set it */
	c->target.check = c->check;
	return golden_check(&g, argc, argv);
}

static int cmd_record(struct cli *c, int argc, char **argv)
{
	struct golden_cmd g = { &c->target, c->context };

	if (argc < 1)
		return usage(stderr, help_record, EXIT_TROUBLE);
	if (!c->target_given)
		target_parse("kernel", &c->target, NULL, 0);
	return golden_record(&g, argc, argv);
}

/* Parse the options common to the commands; returns the index of the first operand or -1. */
static int parse_options(struct cli *c, const char *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' }, { "json", no_argument, NULL, 'j' },
		{ "state", no_argument, NULL, 's' },	     { "check", no_argument, NULL, 'K' },
		{ "stats", no_argument, NULL, 'S' },	     { "context", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },	     { "kernel", required_argument, NULL, 'k' },
		{ "target", required_argument, NULL, 'b' },  { NULL, 0, NULL, 0 }
	};
	char err[256];
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "b:jsc:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'b':	/* --target T, or its alias --backend T */
			if (target_parse(optarg, &c->target, err, sizeof(err)) != 0) {
				fprintf(stderr, "%s\n", err);
				return -1;
			}
			c->backend = c->target.ops;
			c->target_given = true;
			break;
		case 'j':
			c->json = true;
			break;
		case 's':
			c->state = true;
			break;
		case 'K':
			c->check = true;
			break;
		case 'S':
			c->stats = true;
			break;
		case 'c':
			c->context = atoi(optarg);
			break;
		case 'k':
			c->kernel = kprofile_parse(optarg);
			if (c->kernel < 0) {
				fprintf(stderr, "epsim: unknown kernel profile '%s' (6.1, 6.12 or 6.18)\n",
					optarg);
				return -1;
			}
			break;
		case 'h':
			fputs(command_help(cmd), stdout);
			exit(0);
		default:
			fputs(command_help(cmd), stderr);
			return -1;
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct cli c = { .backend = &sim_backend_ops, .context = 3 };
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int first;

	if (!cmd)
		return usage(stderr, usage_text, EXIT_TROUBLE);
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		epsim_print_version(stdout);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		const char *h = command_help(argc > 2 ? argv[2] : NULL);
		return h ? usage(stdout, h, 0) : usage(stderr, usage_text, EXIT_TROUBLE);
	}
	if (!command_help(cmd)) {
		fprintf(stderr, "epsim: unknown command '%s'\n", cmd);
		return usage(stderr, usage_text, EXIT_TROUBLE);
	}
	if (!strcmp(cmd, "diagram"))
		return diagram_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "fuzz"))
		return fuzz_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "profiles"))
		return profiles_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "live"))
		return live_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "matrix"))
		return matrix_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "guest-batch"))
		return target_guest_main(argc - 1, argv + 1);
	target_parse("sim", &c.target, NULL, 0);
	first = parse_options(&c, cmd, argc - 1, argv + 1);
	if (first < 0)
		return EXIT_TROUBLE;
	argc -= first + 1;
	argv += first + 1;
	if (!strcmp(cmd, "run"))
		return cmd_run(&c, argc, argv);
	if (!strcmp(cmd, "diff"))
		return cmd_diff(&c, argc, argv);
	if (!strcmp(cmd, "check"))
		return cmd_check(&c, argc, argv);
	return cmd_record(&c, argc, argv);
}
