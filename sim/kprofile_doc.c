/* The profile table rendered as Markdown: docs/kernel-profiles.md is this output. */
#include <string.h>
#include "kprofile.h"

/* "6.1 to 6.12", "up to 6.14", "6.14 on" or "every release". */
static void write_range(FILE *f, const struct kprofile_entry *e)
{
	char a[16], b[16];

	if (e->first && e->last)
		fprintf(f, "%s to %s", kprofile_name(e->first, a, sizeof(a)),
			kprofile_name(e->last, b, sizeof(b)));
	else if (e->last)
		fprintf(f, "up to %s", kprofile_name(e->last, b, sizeof(b)));
	else if (e->first)
		fprintf(f, "%s on", kprofile_name(e->first, a, sizeof(a)));
	else
		fputs("every release", f);
}

/* Each trace of a space-separated list as a link into traces/. */
static void write_traces(FILE *f, const char *list)
{
	const char *p = list;
	bool first = true;

	while (*p) {
		size_t n = strcspn(p, " ");
		if (n) {
			fprintf(f, "%s[`%.*s`](../traces/%.*s.trace)", first ? "" : ", ", (int)n, p,
				(int)n, p);
			first = false;
		}
		p += n;
		p += strspn(p, " ");
	}
}

static void write_overview(FILE *f, const struct kprofile_entry *t, size_t n)
{
	size_t nrel;
	const int *rel = kprofile_releases(&nrel);
	char buf[16];

	fputs("| behaviour |", f);
	for (size_t r = 0; r < nrel; r++)
		fprintf(f, " %s |", kprofile_name(rel[r], buf, sizeof(buf)));
	fputs(" releases |\n| --- |", f);
	for (size_t r = 0; r < nrel; r++)
		fputs(" :-: |", f);
	fputs(" --- |\n", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "| [`%s`](#%s) |", t[i].name, t[i].name);
		for (size_t r = 0; r < nrel; r++)
			fputs(!kprofile_release_has(rel[r], t[i].id) ? " — |" :
			      t[i].unmodelled ? " yes, not modelled |" : " yes |", f);
		fputc(' ', f);
		write_range(f, &t[i]);
		fputs(" |\n", f);
	}
}

void kprofile_write_markdown(FILE *f)
{
	size_t n;
	const struct kprofile_entry *t = kprofile_table(&n);

	fputs("# Kernel profiles\n\n"
	      "<!-- Generated from the table in sim/kprofile.c by `epsim profiles --markdown`;\n"
	      "     unit.test_kprofile fails when this file and the table disagree. -->\n\n"
	      "The simulator models three kernel releases: `--kernel 6.1`, `--kernel 6.12` and\n"
	      "`--kernel 6.18` (the default; when a trace is compared with the running kernel, the\n"
	      "running kernel's release if it is one of these). A profile switches exactly the\n"
	      "behaviours below, each one entry of one table that the simulator's code asks\n"
	      "(`kprofile_has(w, KP_...)`), that this page is generated from, and that the tests\n"
	      "check: every trace runs on the simulator under every profile against the goldens\n"
	      "recorded on that release (`traces/golden/linux-RELEASE/`). Everything not listed is\n"
	      "the same in all three.\n\n",
	      f);
	write_overview(f, t, n);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "\n## %s\n\n- **releases**: ", t[i].name);
		write_range(f, &t[i]);
		fprintf(f, "\n- **what changes**: %s\n- **kernel**: %s\n- **shown by**: ",
			t[i].summary, t[i].kernel);
		write_traces(f, t[i].traces);
		if (t[i].unmodelled)
			fputs("\n- **simulator**: not modelled; on the profiles that have it, its traces "
			      "are not supported (reported so, never as passing)\n", f);
		else
			fprintf(f, "\n- **simulator**: `kprofile_has(w, %s)`\n", t[i].enum_name);
	}
}
