/*
 * epsim matrix: every trace on every target, each compared with the golden
 * log of the kernel that target is (sim:P and qemu:P with linux-P, kernel with
 * this machine's family plus its known variants, gvisor with linux-6.18 as a
 * peer). Prints a table trace x target, a summary per target (matches, time),
 * JSON with --json, and an SVG picture with --svg FILE. A target that is not
 * available here is a column of "unavailable", never of passes.
 */
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "golden.h"
#include "golden_cmds.h"
#include "golden_cmp.h"
#include "runlog.h"
#include "xalloc.h"

#define MATRIX_MAX_TARGETS 16
#define NVERDICTS (CMP_UNAVAILABLE + 1)

const char *matrix_help =
	"usage: epsim matrix [--targets LIST] [--json] [--svg FILE] [--json-out FILE] [TRACE...]\n"
	"  Run TRACEs (default: traces/*.trace) on every target and compare each log with\n"
	"  the golden log of that target's kernel. Prints a table trace x target: match,\n"
	"  known variant, differs at step N, no golden, trouble, not supported, or\n"
	"  unavailable (the target's packages are missing here), then per target the\n"
	"  matches and the time taken (boot and batch).\n"
	"  --targets LIST  comma-separated (default sim:6.1,sim:6.12,sim:6.18,kernel,\n"
	"                  qemu:6.1,qemu:6.12,gvisor)\n"
	"  --json          print the matrix as one JSON document instead of the table\n"
	"  --svg FILE      also draw the matrix as an SVG picture\n"
	"  --json-out FILE also write the JSON document to FILE\n"
	"  Exit 0 when every available cell matches (or is a known variant), 1 if a\n"
	"  cell differs, 2 on trouble.\n";

static const char *default_targets = "sim:6.1,sim:6.12,sim:6.18,kernel,qemu:6.1,qemu:6.12,gvisor";

struct column {
	struct target t;
	bool available;
	char why[256];
	char profile[64];	/* the golden directory compared with */
	double secs;
	int counts[NVERDICTS];
};

struct matrix {
	struct column cols[MATRIX_MAX_TARGETS];
	size_t ncols;
	char **traces;
	size_t ntraces;
	struct cmp_result *cells;	/* ntraces x ncols, row-major */
};

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_targets(struct matrix *m, const char *list)
{
	char *copy = xstrdup(list), *save = NULL, err[256];

	for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		if (m->ncols == MATRIX_MAX_TARGETS || target_parse(s, &m->cols[m->ncols].t, err,
								    sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", m->ncols == MATRIX_MAX_TARGETS ? "too many targets" : err);
			free(copy);
			return -1;
		}
		m->ncols++;
	}
	free(copy);
	return m->ncols ? 0 : -1;
}

/* gVisor is compared with Linux; every other target with its own kernel's goldens. */
static void column_profile(struct column *c)
{
	if (c->t.kind == TARGET_GVISOR)
		snprintf(c->profile, sizeof(c->profile), "%s", GOLDEN_DEFAULT_PROFILE);
	else
		target_profile(&c->t, c->profile, sizeof(c->profile));
}

static void run_column(struct matrix *m, size_t k)
{
	struct column *c = &m->cols[k];
	struct target_outcome *o;
	struct variants vs = { 0 };
	char err[512];
	double start;

	c->available = target_available(&c->t, c->why, sizeof(c->why));
	if (!c->available) {
		for (size_t i = 0; i < m->ntraces; i++)
			m->cells[i * m->ncols + k].verdict = CMP_UNAVAILABLE;
		c->counts[CMP_UNAVAILABLE] = (int)m->ntraces;
		return;
	}
	o = xcalloc(m->ntraces, sizeof(*o));
	start = now_secs();
	target_run(&c->t, m->traces, m->ntraces, o);
	c->secs = now_secs() - start;
	column_profile(c);
	for (size_t i = 0; i < m->ntraces; i++) {
		char *vp = variants_path_for(m->traces[i]);
		bool real = c->t.kind == TARGET_KERNEL || c->t.kind == TARGET_QEMU;
		struct cmp_input in = { m->traces[i], c->profile, real ? c->t.release : NULL,
					c->t.name, false, &vs, 0, NULL };
		struct cmp_result *r = &m->cells[i * m->ncols + k];

		if (variants_load(vp, &vs, err, sizeof(err)) != 0)
			fprintf(stderr, "%s\n", err);
		golden_compare(&in, &o[i], r);
		c->counts[r->verdict]++;
		variants_free(&vs);
		target_outcome_free(&o[i]);
		free(vp);
	}
	free(o);
}

/* A cell as text: "match", "variant", "step 12", ... */
static void cell_text(const struct cmp_result *r, char *buf, size_t len)
{
	static const char *const short_names[] = { "match",   "variant", "differs", "no golden",
						   "trouble", "n/s",	 "unavail" };

	if (r->verdict == CMP_DIFFERS && r->step > 0)
		snprintf(buf, len, "step %d", r->step);
	else if (r->verdict == CMP_DIFFERS)
		snprintf(buf, len, "expect");
	else
		snprintf(buf, len, "%s", short_names[r->verdict]);
}

static const char *trace_label(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void print_summary(const struct matrix *m, FILE *f)
{
	fprintf(f, "\n%-12s %-34s %-12s %6s %6s %7s %6s %6s %8s\n", "target", "kernel", "golden",
		"match", "known", "differ", "other", "unavl", "time");
	for (size_t k = 0; k < m->ncols; k++) {
		const struct column *c = &m->cols[k];
		int other = c->counts[CMP_NO_GOLDEN] + c->counts[CMP_TROUBLE] +
			    c->counts[CMP_UNSUPPORTED];

		if (!c->available) {
			fprintf(f, "%-12s unavailable: %s\n", c->t.name, c->why);
			continue;
		}
		fprintf(f, "%-12s %-34.34s %-12s %6d %6d %7d %6d %6d %7.1fs", c->t.name,
			c->t.release[0] ? c->t.release : "?", c->profile, c->counts[CMP_MATCH],
			c->counts[CMP_VARIANT], c->counts[CMP_DIFFERS], other,
			c->counts[CMP_UNAVAILABLE], c->secs);
		if (c->t.boot_secs > 0)
			fprintf(f, " (first result after %.1fs)", c->t.boot_secs);
		fputc('\n', f);
	}
}

static void print_table(const struct matrix *m, FILE *f)
{
	char buf[32];

	fprintf(f, "%-44s", "trace");
	for (size_t k = 0; k < m->ncols; k++)
		fprintf(f, " %-10s", m->cols[k].t.name);
	fputc('\n', f);
	for (size_t i = 0; i < m->ntraces; i++) {
		fprintf(f, "%-44.44s", trace_label(m->traces[i]));
		for (size_t k = 0; k < m->ncols; k++) {
			cell_text(&m->cells[i * m->ncols + k], buf, sizeof(buf));
			fprintf(f, " %-10s", buf);
		}
		fputc('\n', f);
	}
	print_summary(m, f);
}

static void json_column(const struct column *c, FILE *f)
{
	fputs("{\"name\":", f);
	run_json_str(f, c->t.name);
	fprintf(f, ",\"available\":%s,\"why\":", c->available ? "true" : "false");
	run_json_str(f, c->available ? "" : c->why);
	fputs(",\"release\":", f);
	run_json_str(f, c->t.release);
	fputs(",\"build\":", f);
	run_json_str(f, c->t.build);
	fputs(",\"golden\":", f);
	run_json_str(f, c->profile);
	fprintf(f, ",\"secs\":%.2f,\"boot_secs\":%.2f,\"counts\":{", c->secs,
		c->t.boot_secs > 0 ? c->t.boot_secs : 0.0);
	for (int v = 0; v < NVERDICTS; v++)
		fprintf(f, "%s\"%s\":%d", v ? "," : "", cmp_verdict_name((enum cmp_verdict)v),
			c->counts[v]);
	fputs("}}", f);
}

static void print_json(const struct matrix *m, FILE *f)
{
	fputs("{\"schema\":1,\"targets\":[", f);
	for (size_t k = 0; k < m->ncols; k++) {
		fputs(k ? "," : "", f);
		json_column(&m->cols[k], f);
	}
	fputs("],\"traces\":[", f);
	for (size_t i = 0; i < m->ntraces; i++) {
		fputs(i ? ",{\"trace\":" : "{\"trace\":", f);
		run_json_str(f, m->traces[i]);
		fputs(",\"cells\":[", f);
		for (size_t k = 0; k < m->ncols; k++) {
			const struct cmp_result *r = &m->cells[i * m->ncols + k];

			fprintf(f, "%s{\"target\":", k ? "," : "");
			run_json_str(f, m->cols[k].t.name);
			fprintf(f, ",\"verdict\":\"%s\",\"step\":%d}", cmp_verdict_name(r->verdict),
				r->step);
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
}

static const char *cell_colour(enum cmp_verdict v)
{
	static const char *const colours[] = { "#4caf50", "#aed581", "#e53935", "#bdbdbd",
					       "#fb8c00", "#9e9e9e", "#eeeeee" };
	return colours[v];
}

static int write_svg(const struct matrix *m, const char *path)
{
	const int label = 300, cw = 78, ch = 14, top = 40, legend = 40;
	int w = label + (int)m->ncols * cw + 10, h = top + (int)m->ntraces * ch + legend;
	FILE *f = fopen(path, "w");
	char buf[32];

	if (!f) {
		fprintf(stderr, "%s: error: cannot write\n", path);
		return -1;
	}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "font-family=\"DejaVu Sans Mono, monospace\" font-size=\"10\">\n", w, h);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", w, h);
	for (size_t k = 0; k < m->ncols; k++)
		fprintf(f, "<text x=\"%zu\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
			label + k * cw + cw / 2, top - 8, m->cols[k].t.name);
	for (size_t i = 0; i < m->ntraces; i++) {
		int y = top + (int)i * ch;

		fprintf(f, "<text x=\"4\" y=\"%d\">%s</text>\n", y + ch - 3, trace_label(m->traces[i]));
		for (size_t k = 0; k < m->ncols; k++) {
			const struct cmp_result *r = &m->cells[i * m->ncols + k];

			cell_text(r, buf, sizeof(buf));
			fprintf(f, "<rect x=\"%zu\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
				   "stroke=\"white\"><title>%s on %s: %s</title></rect>\n",
				label + k * cw, y, cw, ch, cell_colour(r->verdict),
				trace_label(m->traces[i]), m->cols[k].t.name, buf);
			if (r->verdict != CMP_MATCH)
				fprintf(f, "<text x=\"%zu\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
					label + k * cw + cw / 2, y + ch - 3, buf);
		}
	}
	for (int v = 0; v < NVERDICTS; v++)
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			   "<text x=\"%d\" y=\"%d\">%s</text>\n", 4 + v * 110, h - 22,
			cell_colour((enum cmp_verdict)v), 18 + v * 110, h - 13,
			cmp_verdict_name((enum cmp_verdict)v));
	fputs("</svg>\n", f);
	return fclose(f) == 0 ? 0 : -1;
}

/* The exit status: 1 if an available cell differs, 2 on trouble or a missing golden. */
static int matrix_status(const struct matrix *m)
{
	int rc = 0;

	for (size_t k = 0; k < m->ncols; k++) {
		const int *n = m->cols[k].counts;

		if (n[CMP_TROUBLE] || n[CMP_NO_GOLDEN])
			rc = 2;
		else if (n[CMP_DIFFERS] && rc < 1)
			rc = 1;
	}
	return rc;
}

static void default_traces(struct matrix *m, glob_t *g)
{
	if (glob("traces/*.trace", 0, NULL, g) != 0)
		return;
	m->traces = g->gl_pathv;
	m->ntraces = g->gl_pathc;
}

int matrix_main(int argc, char **argv)
{
	static const struct option opts[] = { { "targets", required_argument, NULL, 't' },
					      { "json", no_argument, NULL, 'j' },
					      { "svg", required_argument, NULL, 's' },
					      { "json-out", required_argument, NULL, 'o' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *targets = default_targets, *svg = NULL, *json_out = NULL;
	struct matrix *m = xcalloc(1, sizeof(*m));
	glob_t g = { 0 };
	bool json = false;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "t:js:o:h", opts, NULL)) != -1) {
		if (ch == 'o')
			json_out = optarg;
		else if (ch == 't')
			targets = optarg;
		else if (ch == 'j')
			json = true;
		else if (ch == 's')
			svg = optarg;
		else {
			fputs(matrix_help, ch == 'h' ? stdout : stderr);
			free(m);
			return ch == 'h' ? 0 : 2;
		}
	}
	if (parse_targets(m, targets) != 0) {
		free(m);
		return 2;
	}
	if (optind < argc) {
		m->traces = argv + optind;
		m->ntraces = (size_t)(argc - optind);
	} else {
		default_traces(m, &g);
	}
	if (!m->ntraces) {
		fprintf(stderr, "epsim matrix: no traces\n");
		free(m);
		return 2;
	}
	m->cells = xcalloc(m->ntraces * m->ncols, sizeof(*m->cells));
	for (size_t k = 0; k < m->ncols; k++)
		run_column(m, k);
	if (json)
		print_json(m, stdout);
	else
		print_table(m, stdout);
	rc = matrix_status(m);
	if (svg && write_svg(m, svg) != 0)
		rc = 2;
	if (json_out) {
		FILE *f = fopen(json_out, "w");

		if (f)
			print_json(m, f);
		if (!f || fclose(f) != 0) {
			fprintf(stderr, "%s: error: cannot write\n", json_out);
			rc = 2;
		}
	}
	free(m->cells);
	globfree(&g);
	free(m);
	return rc;
}
