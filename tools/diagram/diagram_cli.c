/*
 * The `epsim diagram` command: options, the recording, one format to a file
 * (or standard output), or every format to a folder.
 */
#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "diagram.h"
#include "xalloc.h"

extern char **environ;

const char diagram_help[] =
	"usage: epsim diagram --format FORMAT [--step N] [--kernel-log FILE | --kernel]\n"
	"                     [-o FILE] TRACE\n"
	"       epsim diagram --all DIR [--step N] [--kernel-log FILE | --kernel] TRACE\n"
	"  (both take --steps A:B too)\n"
	"  Run TRACE on the simulator, recording its state after every step (each epoll\n"
	"  instance's red-black tree, rdllist, ovflist and wq; each file's readiness and\n"
	"  wait queues) and the callbacks, wake-ups and deliveries inside each step, and\n"
	"  draw it. FORMAT is one of:\n"
	"    svg       timeline: a lane per thread, epoll instance and watched file;\n"
	"              readiness as level bars, callbacks and wake-ups as arrows\n"
	"    dot       Graphviz: every instance's tree (red/black, NIL leaves) with its\n"
	"              rdllist, ovflist and sleepers beside it, after step N (default: last)\n"
	"    mermaid   sequenceDiagram of threads, instances and files, as a Markdown\n"
	"              ```mermaid block (raw when FILE ends in .mmd)\n"
	"    perfetto  Chrome trace-event JSON (ui.perfetto.dev, chrome://tracing)\n"
	"    html      one self-contained page that steps through the trace\n"
	"  --step N          step to draw (dot), highlight (svg) or open at (html), from 1\n"
	"  --steps A:B       draw steps A to B only (default: all, at most the first 250)\n"
	"  --kernel-log FILE annotate with the kernel's log FILE (e.g. a golden log)\n"
	"  --kernel          run TRACE on this machine's kernel too and annotate with its log\n"
	"  -o FILE           write to FILE (default: standard output)\n"
	"  --all DIR         write NAME.svg, NAME.dot, NAME.mermaid.md, NAME.perfetto.json and\n"
	"                    NAME.html to DIR (and NAME.dot.svg when Graphviz's dot is found)\n"
	"  Output is byte-stable: logical time, names instead of fd numbers or addresses.\n"
	"  Exit status: 0, 1 when an inline expectation failed (the diagram is still\n"
	"  written), 2 on trouble.\n";

enum dg_format { DG_NONE, DG_SVG, DG_DOT, DG_MERMAID, DG_PERFETTO, DG_HTML };

struct dg_cli {
	enum dg_format format;
	long step;		/* 0: the format's default */
	size_t first, last;	/* --steps; 0: the default window */
	const char *kernel_log;
	bool kernel;
	const char *out;
	const char *all;
};

static enum dg_format dg_format_by_name(const char *s)
{
	static const char *const names[] = { "", "svg", "dot", "mermaid", "perfetto", "html" };

	for (int i = 1; i < 6; i++)
		if (!strcmp(s, names[i]))
			return (enum dg_format)i;
	return DG_NONE;
}

static bool dg_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Draw one format of the recording to out. */
static void dg_draw(const struct dg_recording *rec, enum dg_format f, const struct dg_cli *c,
		    const char *path, FILE *out)
{
	size_t step = c->step > 0 ? (size_t)c->step : 0;

	switch (f) {
	case DG_SVG:
		dg_svg(rec, (int)step, out);
		break;
	case DG_DOT:
		dg_dot(rec, step ? step : rec->to, out);
		break;
	case DG_MERMAID:
		dg_mermaid(rec, !(path && dg_has_suffix(path, ".mmd")), out);
		break;
	case DG_PERFETTO:
		dg_perfetto(rec, out);
		break;
	case DG_HTML:
		dg_html(rec, step ? step : rec->from + 1, out);
		break;
	case DG_NONE:
		break;
	}
}

/* Draw to a file ("-" or NULL: standard output). 0 or -1. */
static int dg_write(const struct dg_recording *rec, enum dg_format f, const struct dg_cli *c,
		    const char *path)
{
	FILE *out = stdout;

	if (path && strcmp(path, "-")) {
		out = fopen(path, "w");
		if (!out) {
			fprintf(stderr, "epsim: error: cannot write %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	dg_draw(rec, f, c, path, out);
	if (out != stdout)
		return fclose(out) == 0 ? 0 : -1;
	return fflush(out) == 0 ? 0 : -1;
}

/* Render a DOT file to SVG with Graphviz's dot, if it is installed; 0 if done or absent. */
static int dg_render_dot(const char *dot_path, const char *svg_path)
{
	char *argv[] = { "dot", "-Tsvg", "-o", (char *)svg_path, (char *)dot_path, NULL };
	pid_t pid;
	int status;

	if (posix_spawnp(&pid, "dot", NULL, NULL, argv, environ) != 0) {
		fprintf(stderr, "epsim: note: Graphviz's dot not found; %s not rendered\n", dot_path);
		return 0;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "epsim: error: dot failed on %s\n", dot_path);
		return -1;
	}
	return 0;
}

/* NAME of traces/NAME.trace. */
static char *dg_stem(const char *path)
{
	const char *base = strrchr(path, '/');
	char *s = xstrdup(base ? base + 1 : path);

	if (dg_has_suffix(s, ".trace"))
		s[strlen(s) - 6] = '\0';
	return s;
}

static int dg_write_all(const struct dg_recording *rec, const struct dg_cli *c)
{
	static const struct {
		enum dg_format f;
		const char *ext;
	} outs[] = { { DG_SVG, ".svg" },	       { DG_DOT, ".dot" },
		     { DG_MERMAID, ".mermaid.md" },  { DG_PERFETTO, ".perfetto.json" },
		     { DG_HTML, ".html" } };
	char *stem = dg_stem(rec->t->path);
	size_t n = strlen(c->all) + strlen(stem) + 32;
	char *path = xcalloc(n, 1), *svg = xcalloc(n, 1);
	int rc = 0;

	if (mkdir(c->all, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "epsim: error: cannot make %s: %s\n", c->all, strerror(errno));
		rc = -1;
	}
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]) && rc == 0; i++) {
		snprintf(path, n, "%s/%s%s", c->all, stem, outs[i].ext);
		rc = dg_write(rec, outs[i].f, c, path);
		if (rc == 0 && outs[i].f == DG_DOT) {
			snprintf(svg, n, "%s/%s.dot.svg", c->all, stem);
			rc = dg_render_dot(path, svg);
		}
	}
	free(path);
	free(svg);
	free(stem);
	return rc;
}

/* The kernel's log lines: from a file, or from running the trace on the kernel. */
static int dg_kernel_lines(const struct trace *t, const struct dg_cli *c, struct log_lines *l,
			   char *label, size_t len)
{
	struct run_result res;
	char err[512] = "";
	const char *base;

	if (c->kernel_log) {
		if (log_lines_from_file(c->kernel_log, l) != 0) {
			fprintf(stderr, "epsim: error: cannot read the kernel log %s\n", c->kernel_log);
			return -1;
		}
		base = strrchr(c->kernel_log, '/');
		snprintf(label, len, "%s", base ? base + 1 : c->kernel_log);
		return 0;
	}
	if (run_trace(t, &kernel_backend_ops, NULL, &res, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err[0] ? err : "epsim: the kernel run failed");
		run_result_free(&res);
		return -1;
	}
	log_lines_from_log(&res.log, l);
	snprintf(label, len, "kernel %s", res.log.version);
	run_result_free(&res);
	return 0;
}

static int dg_report(const struct trace *t, const struct run_result *res)
{
	for (size_t i = 0; i < res->nmismatches; i++) {
		const struct run_mismatch *m = &res->mismatches[i];
		fprintf(stderr, "%s:%d:%d: expectation failed: expected '%s', got '%s'\n", t->path,
			m->loc.line, m->loc.col, m->expected, m->got);
	}
	return res->nmismatches ? 1 : 0;
}

/* The window to record: --steps, or one around --step, or the DOT's one step. */
static void dg_window_for(const struct dg_cli *c, size_t nsteps, struct dg_options *o)
{
	size_t step = c->step > 0 ? (size_t)c->step : 0;

	o->first = c->first;
	o->last = c->last;
	if (c->first)
		return;
	if (c->format == DG_DOT && !c->all) {
		o->first = o->last = step ? step : nsteps;	/* only that step is drawn */
		return;
	}
	if (step > DG_MAX_STEPS)
		o->first = step - DG_MAX_STEPS / 2;
	if (nsteps > DG_MAX_STEPS)
		fprintf(stderr, "epsim: note: %zu steps; drawing %zu to %zu (choose with --steps A:B)\n",
			nsteps, o->first ? o->first : 1,
			(o->first ? o->first : 1) + DG_MAX_STEPS - 1 < nsteps ?
				(o->first ? o->first : 1) + DG_MAX_STEPS - 1 : nsteps);
}

/* Record the trace and write what was asked. */
static int dg_run(const struct dg_cli *c, const char *path)
{
	struct log_lines kl = { 0 };
	struct dg_options o = { 0 };
	struct dg_recording rec;
	struct trace_error terr;
	struct trace *t = NULL;
	char err[512] = "", label[256] = "";
	int rc = 2;

	if (trace_parse_file(path, &t, &terr) != 0) {
		trace_error_print(path, &terr, stderr);
		return 2;
	}
	if ((c->kernel_log || c->kernel) && dg_kernel_lines(t, c, &kl, label, sizeof(label)) != 0)
		goto out;
	dg_window_for(c, t->nsteps, &o);
	o.kernel = c->kernel_log || c->kernel ? &kl : NULL;
	o.kernel_label = label;
	if (dg_record(t, &o, &rec, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err[0] ? err : "epsim: the run failed");
		goto out;
	}
	if ((c->all ? dg_write_all(&rec, c) : dg_write(&rec, c->format, c, c->out)) == 0)
		rc = dg_report(t, &rec.res);
	dg_recording_free(&rec);
out:
	log_lines_free(&kl);
	trace_free(t);
	return rc;
}

static int dg_usage(FILE *f, int status)
{
	fputs(diagram_help, f);
	return status;
}

/* "A:B" with 1 <= A <= B; 0 or -1. */
static int dg_parse_range(const char *s, size_t *first, size_t *last)
{
	char *end;
	unsigned long a = strtoul(s, &end, 10), b;

	if (*end != ':' || a < 1)
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end || b < a)
		return -1;
	*first = a;
	*last = b;
	return 0;
}

/* Parse the options; the index of the trace operand, or -1 (exit status in *rc). */
static int dg_parse(struct dg_cli *c, int argc, char **argv, int *rc)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' }, { "step", required_argument, NULL, 's' },
		{ "kernel-log", required_argument, NULL, 'k' }, { "kernel", no_argument, NULL, 'K' },
		{ "output", required_argument, NULL, 'o' }, { "all", required_argument, NULL, 'a' },
		{ "steps", required_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int ch;

	*rc = 2;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:s:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			c->format = dg_format_by_name(optarg);
			if (c->format == DG_NONE) {
				fprintf(stderr, "epsim: unknown format '%s' (svg, dot, mermaid, perfetto, html)\n",
					optarg);
				return -1;
			}
			break;
		case 's':
			c->step = strtol(optarg, &end, 10);
			if (*end || c->step < 1) {
				fprintf(stderr, "epsim: --step needs a step number from 1\n");
				return -1;
			}
			break;
		case 'S':
			if (dg_parse_range(optarg, &c->first, &c->last) != 0) {
				fprintf(stderr, "epsim: --steps needs A:B with 1 <= A <= B\n");
				return -1;
			}
			break;
		case 'k':
			c->kernel_log = optarg;
			break;
		case 'K':
			c->kernel = true;
			break;
		case 'o':
			c->out = optarg;
			break;
		case 'a':
			c->all = optarg;
			break;
		case 'h':
			*rc = 0;
			dg_usage(stdout, 0);
			return -1;
		default:
			dg_usage(stderr, 2);
			return -1;
		}
	}
	return optind;
}

int diagram_main(int argc, char **argv)
{
	struct dg_cli c = { 0 };
	int rc, first = dg_parse(&c, argc, argv, &rc);

	if (first < 0)
		return rc;
	if (argc - first != 1 || (c.format == DG_NONE) == !c.all || (c.kernel && c.kernel_log) ||
	    (c.all && c.out))
		return dg_usage(stderr, 2);
	return dg_run(&c, argv[first]);
}
