/* `epsim --version`: the version (epsim_version.h, made by CMake) and the modelled kernel profiles. */
#include "epsim_version.h"
#include "kprofile.h"
#include "version.h"

void epsim_print_version(FILE *f)
{
	size_t n;
	const int *rel = kprofile_releases(&n);
	char name[16];

	fprintf(f, "epsim %s\nkernel profiles:", EPSIM_VERSION);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s", kprofile_name(rel[i], name, sizeof(name)));
	fputc('\n', f);
}
