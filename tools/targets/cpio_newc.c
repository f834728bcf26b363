/* The newc cpio writer (cpio_newc.h). */
#include "cpio_newc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "xalloc.h"

void cpio_open(struct cpio_out *c, FILE *f)
{
	memset(c, 0, sizeof(*c));
	c->f = f;
	c->ino = 1;
}

static void pad4(struct cpio_out *c, size_t n)
{
	static const char zeros[4];

	if (n % 4)
		fwrite(zeros, 1, 4 - n % 4, c->f);
}

/* One header and its name; the data follows. */
static void header(struct cpio_out *c, const char *path, unsigned mode, size_t size,
		   unsigned rmajor, unsigned rminor)
{
	size_t namesize = strlen(path) + 1;

	fprintf(c->f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", c->ino++,
		mode, 0u, 0u, 1u, 0u, size, 0u, 0u, rmajor, rminor, namesize, 0u);
	fwrite(path, 1, namesize, c->f);
	pad4(c, 110 + namesize);
	if (ferror(c->f) && !c->error)
		c->error = -EIO;
}

/* Whether a directory was written already; remembers it if not. */
static bool seen_dir(struct cpio_out *c, const char *path)
{
	for (size_t i = 0; i < c->ndirs; i++)
		if (strcmp(c->dirs[i], path) == 0)
			return true;
	c->dirs = xrealloc(c->dirs, (c->ndirs + 1) * sizeof(char *));
	c->dirs[c->ndirs++] = xstrdup(path);
	return false;
}

void cpio_mkdirs(struct cpio_out *c, const char *path)
{
	char *p = xstrdup(path);

	for (char *s = p;; s++) {
		if (*s == '/' || *s == '\0') {
			char keep = *s;

			*s = '\0';
			if (p[0] && !seen_dir(c, p))
				header(c, p, S_IFDIR | 0755, 0, 0, 0);
			*s = keep;
			if (!keep)
				break;
		}
	}
	free(p);
}

void cpio_bytes(struct cpio_out *c, const char *path, unsigned mode, const void *data, size_t n)
{
	header(c, path, S_IFREG | (mode & 07777), n, 0, 0);
	fwrite(data, 1, n, c->f);
	pad4(c, n);
}

void cpio_copy(struct cpio_out *c, const char *path, const char *src)
{
	FILE *in = fopen(src, "rb");
	struct stat st;
	char *buf;

	if (!in || fstat(fileno(in), &st) != 0) {
		if (!c->error)
			c->error = -errno;
		if (in)
			fclose(in);
		return;
	}
	buf = xcalloc((size_t)st.st_size + 1, 1);
	if (fread(buf, 1, (size_t)st.st_size, in) != (size_t)st.st_size && !c->error)
		c->error = -EIO;
	fclose(in);
	cpio_bytes(c, path, st.st_mode & 0777, buf, (size_t)st.st_size);
	free(buf);
}

void cpio_chardev(struct cpio_out *c, const char *path, unsigned major, unsigned minor)
{
	header(c, path, S_IFCHR | 0600, 0, major, minor);
}

int cpio_close(struct cpio_out *c)
{
	header(c, "TRAILER!!!", 0, 0, 0, 0);
	for (size_t i = 0; i < c->ndirs; i++)
		free(c->dirs[i]);
	free(c->dirs);
	c->dirs = NULL;
	c->ndirs = 0;
	if (fflush(c->f) != 0 && !c->error)
		c->error = -errno;
	return c->error;
}
