/*
 * `epsim live`: run an unmodified program with libepsim_live.so preloaded, so
 * its epoll calls are answered by the simulator. The options become the
 * library's environment; the program then replaces this process, so its exit
 * status is the command's.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "live_cli.h"

const char *live_help =
	"usage: epsim live [--stats] [--record FILE] [--shadow] [--log[=PATH]] [--lib SO]\n"
	"                  -- PROGRAM ARGS...\n"
	"  Run PROGRAM with its epoll_create/ctl/wait calls answered by the simulator\n"
	"  (libepsim_live.so through LD_PRELOAD); other calls go to the kernel.\n"
	"  --stats        print the simulator's cost counters when each process exits\n"
	"  --record FILE  write every epoll call, its result and the simulator's state\n"
	"                 as an epsim log that 'epsim diagram' can draw\n"
	"  --shadow       also run every call on a kernel epoll kept in step; report\n"
	"                 epoll_wait results that readiness timing cannot explain\n"
	"  --log[=PATH]   explain each intercepted call on stderr (or append to PATH)\n"
	"  --lib SO       the library (default: libepsim_live.so beside epsim, or\n"
	"                 $EPSIM_LIVE_LIB)\n"
	"  Exit status: the program's; 2 when it cannot be started.\n";

/* libepsim_live.so beside the running epsim binary. */
static int live_default_lib(char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(out, len, "%s/libepsim_live.so", exe) >= len)
		return -1;
	return access(out, R_OK);
}

/* LD_PRELOAD with the library first. */
static int live_set_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char buf[2 * PATH_MAX];

	if (old && *old)
		snprintf(buf, sizeof(buf), "%s:%s", lib, old);
	else
		snprintf(buf, sizeof(buf), "%s", lib);
	return setenv("LD_PRELOAD", buf, 1);
}

static int live_options(int argc, char **argv, const char **lib)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 's' },	 { "record", required_argument, NULL, 'r' },
		{ "shadow", no_argument, NULL, 'S' },	 { "log", optional_argument, NULL, 'l' },
		{ "lib", required_argument, NULL, 'L' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 's')
			setenv("EPSIM_LIVE_STATS", "1", 1);
		else if (c == 'r')
			setenv("EPSIM_LIVE_RECORD", optarg, 1);
		else if (c == 'S')
			setenv("EPSIM_LIVE_SHADOW", "1", 1);
		else if (c == 'l')
			setenv("EPSIM_LIVE_LOG", optarg ? optarg : "1", 1);
		else if (c == 'L')
			*lib = optarg;
		else if (c == 'h') {
			fputs(live_help, stdout);
			exit(0);
		} else
			return -1;
	}
	return optind;
}

int live_main(int argc, char **argv)
{
	char path[PATH_MAX];
	const char *lib = getenv("EPSIM_LIVE_LIB");
	int first = live_options(argc, argv, &lib);

	if (first < 0 || first >= argc) {
		fputs(live_help, stderr);
		return 2;
	}
	if (!lib) {
		if (live_default_lib(path, sizeof(path))) {
			fprintf(stderr, "epsim live: libepsim_live.so not found beside epsim; use --lib\n");
			return 2;
		}
		lib = path;
	}
	if (access(lib, R_OK) || live_set_preload(lib)) {
		fprintf(stderr, "epsim live: %s: %s\n", lib, strerror(errno));
		return 2;
	}
	execvp(argv[first], argv + first);
	fprintf(stderr, "epsim live: %s: %s\n", argv[first], strerror(errno));
	return 2;
}
