/*
 * A minimal writer of "newc" cpio archives, the format the kernel unpacks as
 * an initramfs: directories, regular files (copied from the host or given as
 * bytes) and character device nodes, all owned by root.
 */
#ifndef EPSIM_CPIO_NEWC_H
#define EPSIM_CPIO_NEWC_H

#include <stddef.h>
#include <stdio.h>

struct cpio_out {
	FILE *f;
	unsigned ino;
	char **dirs;		/* directories written so far */
	size_t ndirs;
	int error;		/* first -errno seen; the archive is unusable if set */
};

void cpio_open(struct cpio_out *c, FILE *f);
/* A directory and every missing parent (path without the leading '/'). */
void cpio_mkdirs(struct cpio_out *c, const char *path);
void cpio_bytes(struct cpio_out *c, const char *path, unsigned mode, const void *data, size_t n);
/* A copy of host file src, with its permission bits. */
void cpio_copy(struct cpio_out *c, const char *path, const char *src);
void cpio_chardev(struct cpio_out *c, const char *path, unsigned major, unsigned minor);
/* The trailer; returns 0 or the first error. */
int cpio_close(struct cpio_out *c);

#endif
