/* File status flags as the trace language names them (fcntl F_GETFL / F_SETFL). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include "trace.h"

static const struct {
	const char *name;
	unsigned int bit;
} oflag_names[] = {
	{ "append", O_APPEND },	{ "nonblock", O_NONBLOCK }, { "async", O_ASYNC },
	{ "direct", O_DIRECT },	{ "largefile", O_LARGEFILE }, { "noatime", O_NOATIME },
	{ "cloexec", O_CLOEXEC },
};
#define NOFLAGS (sizeof(oflag_names) / sizeof(oflag_names[0]))

int trace_parse_oflag(const char *name, unsigned int *out)
{
	for (size_t i = 0; i < NOFLAGS; i++) {
		if (!strcmp(name, oflag_names[i].name)) {
			*out = oflag_names[i].bit;
			return 0;
		}
	}
	return -1;
}

void trace_format_oflags(unsigned int flags, char *buf, size_t len)
{
	static const char *const modes[4] = { "rdonly", "wronly", "rdwr", "accmode3" };
	unsigned int rest = flags & ~(unsigned int)O_ACCMODE;
	size_t pos = (size_t)snprintf(buf, len, "%s", modes[flags & O_ACCMODE]);

	for (size_t i = 0; i < NOFLAGS && pos < len; i++) {
		if (!(rest & oflag_names[i].bit))
			continue;
		pos += (size_t)snprintf(buf + pos, len - pos, "|%s", oflag_names[i].name);
		rest &= ~oflag_names[i].bit;
	}
	if (rest && pos < len)
		snprintf(buf + pos, len - pos, "|0x%x", rest);
}
