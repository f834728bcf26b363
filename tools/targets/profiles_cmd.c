/* epsim profiles: the profile table (sim/kprofile.c) as text, or as docs/kernel-profiles.md. */
#include <stdio.h>
#include <string.h>
#include "kprofile.h"
#include "profiles_cmd.h"

const char *profiles_help =
	"usage: epsim profiles [--markdown]\n"
	"  List the simulator's kernel profiles (--kernel 6.1|6.12|6.18) and every behaviour\n"
	"  that differs between them: its releases, which profiles have it, the traces that\n"
	"  show it. --markdown prints docs/kernel-profiles.md, which is generated from the\n"
	"  same table.\n";

/* One line per behaviour: name, releases, one column per profile, traces. */
static void write_text(FILE *f)
{
	size_t n, nrel;
	const struct kprofile_entry *t = kprofile_table(&n);
	const int *rel = kprofile_releases(&nrel);
	char buf[16];

	fprintf(f, "%-28s", "behaviour");
	for (size_t r = 0; r < nrel; r++)
		fprintf(f, " %-5s", kprofile_name(rel[r], buf, sizeof(buf)));
	fputs(" traces\n", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%-28s", t[i].name);
		for (size_t r = 0; r < nrel; r++)
			fprintf(f, " %-5s", !kprofile_release_has(rel[r], t[i].id) ? "-" :
					    t[i].unmodelled ? "yes*" : "yes");
		fprintf(f, " %s\n", t[i].traces);
	}
	fputs("yes*: not modelled; the traces are not supported on that profile\n", f);
	fprintf(f, "default profile: %s\n", kprofile_name(KPROFILE_DEFAULT, buf, sizeof(buf)));
}

int profiles_main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--markdown")) {
		kprofile_write_markdown(stdout);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(profiles_help, stdout);
		return 0;
	}
	if (argc != 1) {
		fputs(profiles_help, stderr);
		return 2;
	}
	write_text(stdout);
	return 0;
}
