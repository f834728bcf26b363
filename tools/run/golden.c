/* Golden log paths per kernel family (golden.h). */
#include "golden.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "xalloc.h"

bool golden_profile_of_release(const char *release, char *out, size_t len)
{
	unsigned major, minor;
	int n = 0;

	if (!release || sscanf(release, "%u.%u%n", &major, &minor, &n) != 2 || n == 0)
		return false;
	return snprintf(out, len, "linux-%u.%u", major, minor) < (int)len;
}

/* The directory part of a path, with its slash ("" if none), and the name without ".trace". */
static void split_trace(const char *trace_path, size_t *dirlen, const char **base, size_t *baselen)
{
	const char *slash = strrchr(trace_path, '/');

	*dirlen = slash ? (size_t)(slash - trace_path) + 1 : 0;
	*base = trace_path + *dirlen;
	*baselen = strlen(*base);
	if (*baselen > 6 && strcmp(*base + *baselen - 6, ".trace") == 0)
		*baselen -= 6;
}

char *golden_path(const char *trace_path, const char *profile)
{
	size_t dirlen, baselen, n;
	const char *base;
	char *p;

	split_trace(trace_path, &dirlen, &base, &baselen);
	n = dirlen + strlen("golden/") + strlen(profile) + 1 + baselen + strlen(".log") + 1;
	p = xcalloc(n, 1);
	snprintf(p, n, "%.*sgolden/%s/%.*s.log", (int)dirlen, trace_path, profile, (int)baselen,
		 base);
	return p;
}

char *golden_legacy_path(const char *trace_path)
{
	size_t n = strlen(trace_path) + sizeof(".expected");
	char *p = xcalloc(n, 1);

	snprintf(p, n, "%s.expected", trace_path);
	return p;
}

int golden_mkdirs(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = strchr(p + 1, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = -errno;
		*s = '/';
	}
	free(p);
	return rc;
}
