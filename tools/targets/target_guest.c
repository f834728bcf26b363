/*
 * The batch runner that runs inside a guest kernel (qemu) or sandbox
 * (gvisor), and the host's reader of what it writes.
 *
 *   epsim guest-batch --out PATH --nonce N [--module KO]... TRACE...
 *
 * loads the kernel modules given (finit_module; .ko.xz ones decompressed by
 * the kernel), then runs each trace on the kernel backend and writes its log to PATH (in qemu a
 * serial port of its own, so kernel messages never mix in), framed by lines
 * that start with "@@N " (N: a nonce the host chose for this boot):
 *
 *   @@N release RELEASE            uname -r, then uname -v
 *   @@N build BUILD
 *   @@N begin I                    the log of trace I follows, one line each
 *   @@N fail STEP LINE COL<TAB>EXPECTED<TAB>GOT
 *   @@N end I ran | trouble<TAB>MESSAGE
 *   @@N done
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "target.h"
#include "xalloc.h"

#define GUEST_MODULE_COMPRESSED 4	/* MODULE_INIT_COMPRESSED_FILE */

/* Load a kernel module file; one already loaded is fine. */
static void load_module(const char *path)
{
	size_t n = strlen(path);
	int flags = n > 3 && strcmp(path + n - 3, ".xz") == 0 ? GUEST_MODULE_COMPRESSED : 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || (syscall(SYS_finit_module, fd, "", flags) != 0 && errno != EEXIST))
		fprintf(stderr, "epsim guest-batch: module %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void guest_write(FILE *f, const char *nonce, size_t i, const struct target_outcome *o)
{
	fprintf(f, "@@%s begin %zu\n", nonce, i);
	for (size_t k = 0; k < o->lines.n; k++)
		fprintf(f, "%s\n", o->lines.lines[k]);
	for (size_t k = 0; k < o->nfails; k++)
		fprintf(f, "@@%s fail %d %d %d\t%s\t%s\t%s\n", nonce, o->fails[k].step,
			o->fails[k].line, o->fails[k].col, o->fails[k].expected, o->fails[k].got,
			o->fails[k].why ? o->fails[k].why : "");
	if (o->status == TARGET_RAN)
		fprintf(f, "@@%s end %zu ran\n", nonce, i);
	else
		fprintf(f, "@@%s end %zu trouble\t%s\n", nonce, i, o->error ? o->error : "");
	fflush(f);
}

int target_guest_main(int argc, char **argv)
{
	static const struct option opts[] = { { "out", required_argument, NULL, 'o' },
					      { "nonce", required_argument, NULL, 'n' },
					      { "module", required_argument, NULL, 'm' },
					      { NULL, 0, NULL, 0 } };
	const char *out = NULL, *nonce = "0";
	struct target t;
	struct utsname u;
	char err[256];
	FILE *f;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:n:m:", opts, NULL)) != -1) {
		if (ch == 'm')
			load_module(optarg);
		else if (ch == 'o')
			out = optarg;
		else if (ch == 'n')
			nonce = optarg;
		else
			return 2;
	}
	f = out ? fopen(out, "w") : stdout;
	if (!f) {
		fprintf(stderr, "epsim guest-batch: %s: %s\n", out, strerror(errno));
		return 2;
	}
	target_parse("kernel", &t, err, sizeof(err));
	if (uname(&u) == 0)
		fprintf(f, "@@%s release %s\n@@%s build %s\n", nonce, u.release, nonce, u.version);
	for (int i = optind; i < argc; i++) {
		struct target_outcome o;

		target_run(&t, &argv[i], 1, &o);
		guest_write(f, nonce, (size_t)(i - optind), &o);
		target_outcome_free(&o);
	}
	fprintf(f, "@@%s done\n", nonce);
	if (f != stdout)
		fclose(f);
	else
		fflush(f);
	return 0;
}

/* One framing line: its keyword and the rest; NULL if the line is not a frame. */
static const char *frame(const char *line, const char *prefix, size_t plen, char *kw, size_t kwlen)
{
	size_t n;

	if (strncmp(line, prefix, plen) != 0)
		return NULL;
	line += plen;
	n = strcspn(line, " \t");
	if (n >= kwlen)
		return NULL;
	memcpy(kw, line, n);
	kw[n] = '\0';
	return line[n] ? line + n + 1 : line + n;
}

static void parse_fail(struct target_outcome *o, const char *rest)
{
	struct target_fail f = { 0 };
	const char *tab1 = strchr(rest, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL, *tab3;

	if (!tab2 || sscanf(rest, "%d %d %d", &f.step, &f.line, &f.col) != 3)
		return;
	f.expected = xcalloc((size_t)(tab2 - tab1), 1);
	memcpy(f.expected, tab1 + 1, (size_t)(tab2 - tab1 - 1));
	tab3 = strchr(tab2 + 1, '\t');	/* then why, empty for a call that completed */
	f.got = tab3 ? xcalloc((size_t)(tab3 - tab2), 1) : xstrdup(tab2 + 1);
	if (tab3) {
		memcpy(f.got, tab2 + 1, (size_t)(tab3 - tab2 - 1));
		f.why = tab3[1] ? xstrdup(tab3 + 1) : NULL;
	}
	o->fails = xrealloc(o->fails, (o->nfails + 1) * sizeof(*o->fails));
	o->fails[o->nfails++] = f;
}

static void push_line(struct log_lines *l, const char *s)
{
	l->lines = xrealloc(l->lines, (l->n + 1) * sizeof(char *));
	l->lines[l->n++] = xstrdup(s);
}

/* Apply one line of guest output; *cur is the trace being read (-1: none). */
static void parse_line(const char *line, const char *prefix, size_t plen, size_t n,
		       struct target *t, struct target_outcome *out, long *cur, bool *done)
{
	char kw[16];
	const char *rest = frame(line, prefix, plen, kw, sizeof(kw));
	unsigned long i;

	if (!rest) {
		if (*cur >= 0)
			push_line(&out[*cur].lines, line);
		return;
	}
	if (!strcmp(kw, "release"))
		snprintf(t->release, sizeof(t->release), "%s", rest);
	else if (!strcmp(kw, "build"))
		snprintf(t->build, sizeof(t->build), "%s", rest);
	else if (!strcmp(kw, "begin") && sscanf(rest, "%lu", &i) == 1 && i < n)
		*cur = (long)i;
	else if (!strcmp(kw, "fail") && *cur >= 0)
		parse_fail(&out[*cur], rest);
	else if (!strcmp(kw, "end") && *cur >= 0) {
		const char *tab = strchr(rest, '\t');

		if (strstr(rest, " ran"))
			out[*cur].status = TARGET_RAN;
		else
			target_outcome_fail(&out[*cur], "%s", tab ? tab + 1 : "the run failed");
		*cur = -1;
	} else if (!strcmp(kw, "done"))
		*done = true;
}

int target_guest_parse(const char *text, const char *nonce, size_t n, struct target *t,
		       struct target_outcome *out)
{
	char prefix[64], *copy = xstrdup(text), *save = NULL;
	size_t plen;
	long cur = -1;
	bool done = false;

	snprintf(prefix, sizeof(prefix), "@@%s ", nonce);
	plen = strlen(prefix);
	for (size_t i = 0; i < n; i++)
		out[i].status = TARGET_TROUBLE;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(l);

		while (len > 0 && l[len - 1] == '\r')
			l[--len] = '\0';
		parse_line(l, prefix, plen, n, t, out, &cur, &done);
	}
	for (size_t i = 0; i < n; i++)
		if (out[i].status == TARGET_TROUBLE && !out[i].error)
			target_outcome_fail(&out[i], "%s: no result came back from the guest",
					    t->name);
	free(copy);
	return done ? 0 : -1;
}
