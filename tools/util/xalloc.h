/* Allocation for the command-line tools: out of memory ends the program with a message. */
#ifndef EPSIM_XALLOC_H
#define EPSIM_XALLOC_H

#include <stddef.h>

void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

#endif
