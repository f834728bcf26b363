/*
 * The qemu target: a Debian cloud kernel (/boot/vmlinuz-6.1.*, 6.12.*)
 * booted under qemu TCG (nested KVM is not relied on), with an initramfs
 * that holds busybox, this epsim binary with its libc and loader, the batch
 * of traces and the two modules the kernel backend needs that the cloud
 * kernels build as modules (inet_diag, tcp_diag: NETLINK_SOCK_DIAG, used to
 * settle TCP). /init mounts proc, sys, devtmpfs and a tmpfs, brings up lo and
 * runs `epsim guest-batch`, which writes the framed logs to ttyS1 (a serial
 * port of its own: the kernel's console is ttyS0), then powers off. One boot
 * runs the whole batch; qemu is bounded by a deadline and killed on every
 * path.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "cpio_newc.h"
#include "target.h"
#include "target_spawn.h"
#include "xalloc.h"

#define QEMU_BOOT_BUDGET_MS 90000L	/* boot and power-off under TCG on a busy machine */
#define QEMU_TRACE_BUDGET_MS 3000L	/* per trace, on top */

/* The newest /boot/vmlinuz-FAMILY.* (e.g. 6.1 -> vmlinuz-6.1.0-57-cloud-amd64). */
static bool find_kernel(const char *family, char *path, size_t len, char *release, size_t rlen)
{
	char prefix[64];
	DIR *d = opendir("/boot");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	snprintf(prefix, sizeof(prefix), "vmlinuz-%s.", family);
	while ((e = readdir(d)) != NULL) {
		const char *rel = e->d_name + strlen("vmlinuz-");

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (found && strverscmp(rel, release) <= 0)
			continue;
		snprintf(release, rlen, "%s", rel);
		snprintf(path, len, "/boot/%s", e->d_name);
		found = true;
	}
	closedir(d);
	return found && access(path, R_OK) == 0;
}

static bool find_busybox(char *path, size_t len)
{
	static const char *const places[] = { "/bin/busybox", "/usr/bin/busybox" };

	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (access(places[i], X_OK) == 0) {
			snprintf(path, len, "%s", places[i]);
			return true;
		}
	return false;
}

bool target_qemu_available(struct target *t, char *why, size_t len)
{
	char p[512], rel[128];

	if (!target_which("qemu-system-x86_64", p, sizeof(p))) {
		snprintf(why, len, "qemu-system-x86 unavailable");
		return false;
	}
	if (!find_busybox(p, sizeof(p))) {
		snprintf(why, len, "busybox-static unavailable");
		return false;
	}
	if (!find_kernel(t->image, p, sizeof(p), rel, sizeof(rel))) {
		snprintf(why, len, "linux-image-%s cloud kernel unavailable (no /boot/vmlinuz-%s.*)",
			 t->image, t->image);
		return false;
	}
	return true;
}

/* The shared libraries a program loads, as ldd lists them (absolute paths). */
static void copy_libs(struct cpio_out *c, const char *exe)
{
	char cmd[4200], line[1024];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ldd '%s' 2>/dev/null", exe);
	p = popen(cmd, "r");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p)) {
		char *slash = strchr(line, '/'), *end;

		if (!slash)
			continue;
		end = slash + strcspn(slash, " \t\n(");
		*end = '\0';
		if (access(slash, R_OK) != 0)
			continue;
		*strrchr(slash, '/') = '\0';
		cpio_mkdirs(c, slash + 1);
		*strrchr(slash, '\0') = '/';
		cpio_copy(c, slash + 1, slash);
	}
	pclose(p);
}

/* The module NAME of kernel release rel: its .ko or .ko.xz; false if there is none. */
static bool find_module(const char *rel, const char *name, char *path, size_t len)
{
	snprintf(path, len, "/lib/modules/%s/kernel/net/ipv4/%s.ko", rel, name);
	if (access(path, R_OK) == 0)
		return true;
	snprintf(path, len, "/lib/modules/%s/kernel/net/ipv4/%s.ko.xz", rel, name);
	return access(path, R_OK) == 0;
}

struct initrd_plan {
	const char *release;
	const char *nonce;
	char *const *paths;
	size_t n;
};

/* The /init script: mounts, lo, the batch, power off. */
static char *make_init(const struct initrd_plan *pl, char mods[][64], size_t nmods)
{
	size_t cap = 4096 + pl->n * 24, len = 0;
	char *s = xcalloc(cap, 1);

	len += (size_t)snprintf(s + len, cap - len,
				"#!/bin/busybox sh\n"
				"b=/bin/busybox\n"
				"$b mount -t proc proc /proc\n"
				"$b mount -t sysfs sysfs /sys\n"
				"$b mount -t devtmpfs devtmpfs /dev\n"
				"$b mount -t tmpfs tmpfs /tmp\n"
				"$b ip link set lo up\n"
				"/epsim guest-batch --out /dev/ttyS1 --nonce %s", pl->nonce);
	for (size_t i = 0; i < nmods; i++)
		len += (size_t)snprintf(s + len, cap - len, " --module /m/%s", mods[i]);
	for (size_t i = 0; i < pl->n; i++)
		len += (size_t)snprintf(s + len, cap - len, " /t/%zu.trace", i);
	snprintf(s + len, cap - len, "\n$b sync\n$b poweroff -f\n");
	return s;
}

static int write_initrd(const char *out, const struct initrd_plan *pl, char *err, size_t errlen)
{
	static const char *const mods[] = { "inet_diag", "tcp_diag" };
	char exe[4096], bb[512], mod[2][64], mp[600], tp[96];
	size_t nmods = 0;
	struct cpio_out c;
	FILE *f = fopen(out, "wb");
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *init;
	int rc;

	if (!f || n <= 0 || !find_busybox(bb, sizeof(bb))) {
		snprintf(err, errlen, "cannot build the initramfs %s: %s", out, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	exe[n] = '\0';
	cpio_open(&c, f);
	cpio_mkdirs(&c, "proc");
	cpio_mkdirs(&c, "sys");
	cpio_mkdirs(&c, "dev");
	cpio_mkdirs(&c, "tmp");
	cpio_mkdirs(&c, "t");
	cpio_mkdirs(&c, "m");
	cpio_mkdirs(&c, "bin");
	cpio_chardev(&c, "dev/console", 5, 1);
	cpio_copy(&c, "bin/busybox", bb);
	cpio_copy(&c, "epsim", exe);
	copy_libs(&c, exe);
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		if (!find_module(pl->release, mods[i], mp, sizeof(mp)))
			continue;
		snprintf(mod[nmods], sizeof(mod[nmods]), "%s", strrchr(mp, '/') + 1);
		snprintf(tp, sizeof(tp), "m/%s", mod[nmods++]);
		cpio_copy(&c, tp, mp);
	}
	for (size_t i = 0; i < pl->n; i++) {
		snprintf(tp, sizeof(tp), "t/%zu.trace", i);
		cpio_copy(&c, tp, pl->paths[i]);
	}
	init = make_init(pl, mod, nmods);
	cpio_bytes(&c, "init", 0755, init, strlen(init));
	free(init);
	rc = cpio_close(&c);
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	if (rc)
		snprintf(err, errlen, "cannot build the initramfs %s: %s", out, strerror(-rc));
	return rc ? -1 : 0;
}

static void make_nonce(char *out, size_t len)
{
	unsigned char r[8] = { 0 };

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		unsigned long v = (unsigned long)getpid() ^ (unsigned long)time(NULL);
		memcpy(r, &v, sizeof(r) < sizeof(v) ? sizeof(r) : sizeof(v));
	}
	snprintf(out, len, "%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
		 r[6], r[7]);
}

/* The last lines of the console, to say why a boot gave no results. */
static void console_tail(const char *path, char *out, size_t len)
{
	char *text = target_slurp(path, NULL);
	size_t n = text ? strlen(text) : 0;
	const char *from = text ? text : "";

	if (n > 600)
		from = text + n - 600;
	snprintf(out, len, "%s", from);
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	free(text);
}

static long qemu_timeout_ms(size_t n)
{
	const char *env = getenv("EPSIM_QEMU_TIMEOUT");

	if (env && atol(env) > 0)
		return atol(env) * 1000;
	return QEMU_BOOT_BUDGET_MS + (long)n * QEMU_TRACE_BUDGET_MS;
}

/* Boot once with the batch; results in dir/results. */
static int boot(struct target *t, const char *dir, const char *vmlinuz, const char *nonce,
		size_t n, struct spawn_result *sr, char *err, size_t errlen)
{
	char qemu[512], initrd[600], con[600], res[600], log[600], s0[700], s1[700];
	char *argv[32];
	int a = 0;

	target_which("qemu-system-x86_64", qemu, sizeof(qemu));
	snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", dir);
	snprintf(con, sizeof(con), "%s/console", dir);
	snprintf(res, sizeof(res), "%s/results", dir);
	snprintf(log, sizeof(log), "%s/qemu.log", dir);
	snprintf(s0, sizeof(s0), "file:%s", con);
	snprintf(s1, sizeof(s1), "file:%s", res);
	argv[a++] = qemu;
	argv[a++] = "-accel";
	argv[a++] = "tcg";
	argv[a++] = "-cpu";
	argv[a++] = "max";
	argv[a++] = "-m";
	argv[a++] = "1024";
	argv[a++] = "-smp";
	argv[a++] = "1";
	argv[a++] = "-nodefaults";
	argv[a++] = "-display";
	argv[a++] = "none";
	argv[a++] = "-no-reboot";
	argv[a++] = "-kernel";
	argv[a++] = (char *)vmlinuz;
	argv[a++] = "-initrd";
	argv[a++] = initrd;
	argv[a++] = "-append";
	argv[a++] = "console=ttyS0 quiet panic=-1";
	argv[a++] = "-serial";
	argv[a++] = s0;
	argv[a++] = "-serial";
	argv[a++] = s1;
	argv[a] = NULL;
	(void)t;
	(void)nonce;
	return target_spawn(argv, log, res, qemu_timeout_ms(n), sr, err, errlen);
}

int target_qemu_run(struct target *t, char *const *paths, size_t n, struct target_outcome *out)
{
	char why[256], vmlinuz[512], rel[128], nonce[32], dir[] = "/tmp/epsim-qemu-XXXXXX";
	char err[1400] = "", res[600], con[600], tail[700];
	struct initrd_plan pl;
	struct spawn_result sr;
	char *text;
	int rc = -1;

	if (!target_qemu_available(t, why, sizeof(why)) ||
	    !find_kernel(t->image, vmlinuz, sizeof(vmlinuz), rel, sizeof(rel))) {
		for (size_t i = 0; i < n; i++)
			target_outcome_fail(&out[i], "%s: %s", t->name, why);
		return -1;
	}
	if (!mkdtemp(dir)) {
		for (size_t i = 0; i < n; i++)
			target_outcome_fail(&out[i], "%s: mkdtemp: %s", t->name, strerror(errno));
		return -1;
	}
	make_nonce(nonce, sizeof(nonce));
	pl = (struct initrd_plan){ rel, nonce, paths, n };
	snprintf(res, sizeof(res), "%s/initrd.cpio", dir);
	if (write_initrd(res, &pl, err, sizeof(err)) == 0 &&
	    boot(t, dir, vmlinuz, nonce, n, &sr, err, sizeof(err)) == 0) {
		snprintf(res, sizeof(res), "%s/results", dir);
		snprintf(con, sizeof(con), "%s/console", dir);
		text = target_slurp(res, NULL);
		t->boot_secs = sr.first_output_secs;
		rc = target_guest_parse(text ? text : "", nonce, n, t, out);
		free(text);
		if (rc != 0) {
			console_tail(con, tail, sizeof(tail));
			snprintf(err, sizeof(err), "%s: the guest did not finish (%s after %.1f s); console: %s",
				 t->name, sr.timed_out ? "killed" : "exited", sr.secs, tail);
		}
	}
	for (size_t i = 0; rc != 0 && i < n; i++)
		if (out[i].status != TARGET_RAN)
			target_outcome_fail(&out[i], "%s", err);
	target_rmdir(dir);
	return rc;
}
