/*
 * Names shared by the trace parser and the result log: op names, epoll event
 * bits and errno values. Everything here is constant data.
 */
#include "trace.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>

/* ---- ops ---- */

static const char *const op_names[TOP__COUNT] = {
	[TOP_EPOLL] = "epoll",
	[TOP_EPOLL_CREATE] = "epoll_create",
	[TOP_PIPE] = "pipe",
	[TOP_EVENTFD] = "eventfd",
	[TOP_SOCKETPAIR] = "socketpair",
	[TOP_CTL] = "ctl",
	[TOP_WAIT] = "wait",
	[TOP_READ] = "read",
	[TOP_WRITE] = "write",
	[TOP_CLOSE] = "close",
	[TOP_DUP] = "dup",
	[TOP_DUP2] = "dup2",
	[TOP_SHUTDOWN] = "shutdown",
	[TOP_SLEEP] = "sleep",
	[TOP_PWAIT] = "pwait",
	[TOP_PWAIT2] = "pwait2",
	[TOP_SIGNAL] = "signal",
	[TOP_KILL] = "kill",
	[TOP_SIGMASK] = "sigmask",
	[TOP_SIGPENDING] = "sigpending",
	[TOP_TIMERFD] = "timerfd",
	[TOP_SETTIME] = "settime",
	[TOP_UNSTALL] = "unstall",
	[TOP_FORK] = "fork",
	[TOP_EXIT] = "exit",
	[TOP_SIGNALFD] = "signalfd",
	[TOP_SOCKET] = "socket",
	[TOP_BIND] = "bind",
	[TOP_LISTEN] = "listen",
	[TOP_CONNECT] = "connect",
	[TOP_ACCEPT] = "accept",
	[TOP_LINGER] = "linger",
	[TOP_SOERROR] = "soerror",
	[TOP_FILL] = "fill",
	[TOP_DRAIN] = "drain",
	[TOP_POLL] = "poll",
	[TOP_SELECT] = "select",
	[TOP_FCNTL] = "fcntl",
	[TOP_URING] = "uring",
	[TOP_URING_POLL] = "uring_poll",
	[TOP_URING_READ] = "uring_read",
	[TOP_URING_WAIT] = "uring_wait",
};

/* ---- signals ---- */

/* The signals a trace may use: handlers are installed for these by the kernel backend. */
static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{ "usr1", SIGUSR1 },
	{ "io", SIGIO },	/* signal-driven I/O (fcntl O_ASYNC) */
};

int trace_signal_value(const char *name)
{
	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (!strcmp(name, signal_names[i].name))
			return signal_names[i].sig;
	return -1;
}

void trace_format_sigset(uint64_t set, char *buf, size_t len)
{
	size_t pos = 0;

	snprintf(buf, len, "0");
	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++) {
		uint64_t bit = 1ULL << (signal_names[i].sig - 1);
		if (!(set & bit))
			continue;
		set &= ~bit;
		if (pos < len)
			pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", pos ? "|" : "",
						signal_names[i].name);
	}
	if (set && pos < len)
		snprintf(buf + pos, len - pos, "%s0x%llx", pos ? "|" : "", (unsigned long long)set);
}

const char *trace_op_name(enum trace_opcode op)
{
	if ((unsigned)op >= TOP__COUNT)
		return "?";
	return op_names[op];
}

/* ---- event bits ---- */

struct event_word {
	const char *name;
	uint32_t bit;
};

/* The values of the kernel's uapi <linux/eventpoll.h>, in log order. */
static const struct event_word event_words[] = {
	{ "in", 0x00000001 },
	{ "pri", 0x00000002 },
	{ "out", 0x00000004 },
	{ "err", 0x00000008 },
	{ "hup", 0x00000010 },
	{ "nval", 0x00000020 },
	{ "rdnorm", 0x00000040 },
	{ "rdband", 0x00000080 },
	{ "wrnorm", 0x00000100 },
	{ "wrband", 0x00000200 },
	{ "msg", 0x00000400 },
	{ "rdhup", 0x00002000 },
	{ "exclusive", 1u << 28 },
	{ "wakeup", 1u << 29 },
	{ "oneshot", 1u << 30 },
	{ "et", 1u << 31 },
};

#define N_EVENT_WORDS (sizeof(event_words) / sizeof(event_words[0]))

/* Append s to buf (size len, *used bytes filled), truncating; buf stays NUL-terminated. */
static void append(char *buf, size_t len, size_t *used, const char *s)
{
	size_t n = strlen(s);

	if (*used + 1 >= len)
		return;
	if (n > len - 1 - *used)
		n = len - 1 - *used;
	memcpy(buf + *used, s, n);
	*used += n;
	buf[*used] = '\0';
}

void trace_format_events(uint32_t events, char *buf, size_t len)
{
	size_t used = 0;
	char hex[16];

	if (!buf || len == 0)
		return;
	buf[0] = '\0';
	if (events == 0) {
		append(buf, len, &used, "0");
		return;
	}
	for (size_t i = 0; i < N_EVENT_WORDS; i++) {
		if (!(events & event_words[i].bit))
			continue;
		if (used > 0)
			append(buf, len, &used, "|");
		append(buf, len, &used, event_words[i].name);
		events &= ~event_words[i].bit;
	}
	if (events) {
		snprintf(hex, sizeof(hex), "0x%x", (unsigned)events);
		if (used > 0)
			append(buf, len, &used, "|");
		append(buf, len, &used, hex);
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A decimal or 0x-hex number of n bytes that fits in 32 bits; 0 on success. */
static int parse_u32(const char *s, size_t n, uint32_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int d = hex_digit(s[i]);

		if (d < 0 || (unsigned)d >= base)
			return -1;
		v = v * base + (unsigned)d;
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* The n bytes at b (no NUL among them) are exactly the string s. */
static bool bytes_are(const char *b, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != b[i])	/* also stops at the end of a shorter s */
			return false;
	return s[n] == '\0';
}

/* One element of an event list: a word or a number; 0 on success. */
static int parse_event_elem(const char *s, size_t n, uint32_t *out)
{
	if (n > 0 && s[0] >= '0' && s[0] <= '9')
		return parse_u32(s, n, out);
	for (size_t i = 0; i < N_EVENT_WORDS; i++) {
		if (bytes_are(s, n, event_words[i].name)) {
			*out = event_words[i].bit;
			return 0;
		}
	}
	return -1;
}

int trace_parse_events(const char *s, uint32_t *out)
{
	uint32_t mask = 0;

	if (!s || !out)
		return -1;
	for (;;) {
		const char *bar = strchr(s, '|');
		size_t n = bar ? (size_t)(bar - s) : strlen(s);
		uint32_t bits;

		if (parse_event_elem(s, n, &bits) != 0)
			return -1;
		mask |= bits;
		if (!bar)
			break;
		s = bar + 1;
	}
	*out = mask;
	return 0;
}

/* ---- errno values ---- */

struct errno_name {
	int value;
	const char *name;
};

#define E(x) { x, #x }
static const struct errno_name errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
	E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ECHRNG),
	E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EUNATCH), E(ENOCSI),
	E(EL2HLT), E(EBADE), E(EBADR), E(EXFULL), E(ENOANO), E(EBADRQC),
	E(EBADSLT), E(EBFONT), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR),
	E(ENONET), E(ENOPKG), E(EREMOTE), E(ENOLINK), E(EADV), E(ESRMNT),
	E(ECOMM), E(EPROTO), E(EMULTIHOP), E(EDOTDOT), E(EBADMSG), E(EOVERFLOW),
	E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC), E(ELIBBAD), E(ELIBSCN),
	E(ELIBMAX), E(ELIBEXEC), E(EILSEQ), E(ERESTART), E(ESTRPIPE), E(EUSERS),
	E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT),
	E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT),
	E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN),
	E(ENETUNREACH), E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS),
	E(EISCONN), E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY),
	E(EINPROGRESS), E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL), E(EISNAM),
	E(EREMOTEIO), E(EDQUOT), E(ENOMEDIUM), E(EMEDIUMTYPE), E(ECANCELED),
	E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED), E(EKEYREJECTED),
	E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL), E(EHWPOISON),
	/* Kernel-internal values (include/linux/errno.h) a model might leak. */
	{ 512, "ERESTARTSYS" }, { 513, "ERESTARTNOINTR" }, { 514, "ERESTARTNOHAND" },
	{ 515, "ENOIOCTLCMD" }, { 516, "ERESTART_RESTARTBLOCK" }, { 517, "EPROBE_DEFER" },
	{ 518, "EOPENSTALE" }, { 519, "ENOPARAM" }, { 521, "EBADHANDLE" },
	{ 522, "ENOTSYNC" }, { 523, "EBADCOOKIE" }, { 524, "ENOTSUPP" },
	{ 525, "ETOOSMALL" }, { 526, "ESERVERFAULT" }, { 527, "EBADTYPE" },
	{ 528, "EJUKEBOX" }, { 529, "EIOCBQUEUED" }, { 530, "ERECALLCONFLICT" },
	{ 531, "ENOGRACE" },
};

/* Other spellings accepted by trace_errno_value (never produced by trace_errno_name). */
static const struct errno_name errno_aliases[] = {
	E(EWOULDBLOCK), E(EDEADLOCK), E(ENOTSUP),
};
#undef E

#define N_ERRNO_NAMES (sizeof(errno_names) / sizeof(errno_names[0]))
#define N_ERRNO_ALIASES (sizeof(errno_aliases) / sizeof(errno_aliases[0]))

/*
 * "E0" .. "E4099", built by the preprocessor so that an unknown value still
 * gets a constant name (the kernel's error values stop at 4095).
 */
#define U10(p) p "0", p "1", p "2", p "3", p "4", p "5", p "6", p "7", p "8", p "9"
#define U100(p) U10(p "0"), U10(p "1"), U10(p "2"), U10(p "3"), U10(p "4"), \
		U10(p "5"), U10(p "6"), U10(p "7"), U10(p "8"), U10(p "9")
static const char *const numbered_names[] = {
	U10("E"),
	U10("E1"), U10("E2"), U10("E3"), U10("E4"), U10("E5"), U10("E6"), U10("E7"),
	U10("E8"), U10("E9"),
	U100("E1"), U100("E2"), U100("E3"), U100("E4"), U100("E5"), U100("E6"),
	U100("E7"), U100("E8"), U100("E9"),
	U100("E10"), U100("E11"), U100("E12"), U100("E13"), U100("E14"), U100("E15"),
	U100("E16"), U100("E17"), U100("E18"), U100("E19"), U100("E20"), U100("E21"),
	U100("E22"), U100("E23"), U100("E24"), U100("E25"), U100("E26"), U100("E27"),
	U100("E28"), U100("E29"), U100("E30"), U100("E31"), U100("E32"), U100("E33"),
	U100("E34"), U100("E35"), U100("E36"), U100("E37"), U100("E38"), U100("E39"),
	U100("E40"),
};
#undef U100
#undef U10

#define N_NUMBERED (sizeof(numbered_names) / sizeof(numbered_names[0]))

/*
 * The symbolic name of an errno value ("EEXIST"). A value with no name gives
 * "E<value>" for 0..4095 (MAX_ERRNO) and "E?" beyond.
 */
const char *trace_errno_name(int err)
{
	for (size_t i = 0; i < N_ERRNO_NAMES; i++)
		if (errno_names[i].value == err)
			return errno_names[i].name;
	if (err >= 0 && err <= 4095 && (size_t)err < N_NUMBERED)
		return numbered_names[err];
	return "E?";
}

/* "E123" -> 123; -1 if s is not of that form or the number exceeds 4095. */
static int numbered_value(const char *s)
{
	int v = 0;

	if (s[0] != 'E' || s[1] == '\0')
		return -1;
	for (s++; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 4095)
			return -1;
	}
	return v;
}

/* The value of an errno name, an alias (EWOULDBLOCK) or "E<number>"; -1 if unknown. */
int trace_errno_value(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < N_ERRNO_NAMES; i++)
		if (strcmp(errno_names[i].name, name) == 0)
			return errno_names[i].value;
	for (size_t i = 0; i < N_ERRNO_ALIASES; i++)
		if (strcmp(errno_aliases[i].name, name) == 0)
			return errno_aliases[i].value;
	return numbered_value(name);
}
