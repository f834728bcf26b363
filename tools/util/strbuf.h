/*
 * Appending to a fixed buffer without printf: the result log is rendered for
 * every step, so its hot paths build text with these.
 */
#ifndef EPSIM_STRBUF_H
#define EPSIM_STRBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Append s at *pos, never past len (the buffer stays NUL-terminated). */
static inline void sb_put(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos + 1 >= len)
		return;
	if (n > len - *pos - 1)
		n = len - *pos - 1;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
}

/* Append a number in decimal. */
static inline void sb_put_u64(char *buf, size_t len, size_t *pos, uint64_t v)
{
	char tmp[24];
	int i = (int)sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_put(buf, len, pos, tmp + i);
}

static inline void sb_put_long(char *buf, size_t len, size_t *pos, long v)
{
	if (v < 0) {
		sb_put(buf, len, pos, "-");
		sb_put_u64(buf, len, pos, (uint64_t)0 - (uint64_t)v);
		return;
	}
	sb_put_u64(buf, len, pos, (uint64_t)v);
}

/* Append s, then spaces until the text since `from` is `width` characters wide. */
static inline void sb_put_padded(char *buf, size_t len, size_t *pos, const char *s, size_t from,
				 size_t width)
{
	sb_put(buf, len, pos, s);
	while (*pos - from < width && *pos + 1 < len) {
		buf[(*pos)++] = ' ';
		buf[*pos] = '\0';
	}
}

#endif
