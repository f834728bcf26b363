/* Helper processes with a deadline (target_spawn.h). */
#include "target_spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "xalloc.h"

#define SPAWN_POLL_NS 20000000L

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* In the child: stdio redirected, death with the parent, then exec. */
static void child_exec(char *const argv[], const char *out_path, pid_t parent)
{
	int in = open("/dev/null", O_RDONLY), out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	execv(argv[0], argv);
	_exit(127);
}

static bool has_data(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && st.st_size > 0;
}

int target_spawn(char *const argv[], const char *out_path, const char *watch_path,
		 long timeout_ms, struct spawn_result *r, char *err, size_t errlen)
{
	struct timespec nap = { 0, SPAWN_POLL_NS };
	pid_t parent = getpid(), pid;
	double start = now_secs();
	int st;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	r->first_output_secs = -1;
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_exec(argv, out_path, parent);
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		double t = now_secs() - start;

		if (w == pid)
			break;
		if (r->first_output_secs < 0 && has_data(watch_path))
			r->first_output_secs = t;
		if (t * 1000 > (double)timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			r->timed_out = true;
			break;
		}
		nanosleep(&nap, NULL);
	}
	r->secs = now_secs() - start;
	if (!r->timed_out && WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	return 0;
}

bool target_which(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL;
	bool found = false;

	copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", d, prog);
		found = access(out, X_OK) == 0;
	}
	free(copy);
	return found;
}

char *target_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void target_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}
