/*
 * A parsed trace: the steps of a small fd workload, with names instead of fd
 * numbers. The grammar is documented in docs/trace-language.md.
 */
#ifndef EPSIM_TRACE_H
#define EPSIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum trace_opcode {
	TOP_EPOLL,		/* epoll NAME [cloexec] [flags=N]        -> epoll_create1 */
	TOP_EPOLL_CREATE,	/* epoll_create NAME SIZE                 -> epoll_create */
	TOP_PIPE,		/* pipe NAME [blocking]                   -> NAME.r NAME.w */
	TOP_EVENTFD,		/* eventfd NAME [init=N] [semaphore] [blocking] */
	TOP_SOCKETPAIR,		/* socketpair NAME [stream|dgram] [blocking] -> NAME.0 NAME.1 */
	TOP_CTL,		/* ctl EP add|mod|del|N FD [EVENTS|ev=null] [data=N] */
	TOP_WAIT,		/* wait EP [max=N] [timeout=MS] [buf=null|N] */
	TOP_READ,		/* read FD [N] */
	TOP_WRITE,		/* write FD N */
	TOP_CLOSE,		/* close FD */
	TOP_DUP,		/* dup FD NEWNAME */
	TOP_DUP2,		/* dup2 FD TARGET */
	TOP_SHUTDOWN,		/* shutdown FD rd|wr|rdwr */
	TOP_SLEEP,		/* sleep MS */
	TOP_PWAIT,		/* pwait EP [max=N] [timeout=MS] [buf=..] [sigmask=SIGS|none] [sigsetsize=N] */
	TOP_PWAIT2,		/* pwait2 EP [max=N] [ts=SEC,NSEC|null] [buf=..] [sigmask=..] [sigsetsize=N] */
	TOP_SIGNAL,		/* signal THREAD SIG          -> tgkill */
	TOP_SIGMASK,		/* sigmask block|unblock|set SIGS  -> sigprocmask of the calling thread */
	TOP_SIGPENDING,		/* sigpending                 -> the calling thread's pending set */
	TOP_TIMERFD,		/* timerfd NAME [blocking]    -> timerfd_create(CLOCK_MONOTONIC) */
	TOP_SETTIME,		/* settime FD initial=MS [interval=MS] -> timerfd_settime, relative */
	TOP_UNSTALL,		/* unstall THREAD: release the stalled copy of THREAD's wait (stall=N) */
	TOP_FORK,		/* fork NAME: a child process whose thread is NAME (`thread NAME: OP`) */
	TOP_EXIT,		/* exit NAME: the child process NAME ends (its fds close) */
	TOP_SIGNALFD,		/* signalfd NAME SIGS [blocking] [cloexec] -> signalfd4(-1, SIGS) */
	TOP_SOCKET,		/* socket NAME [blocking] [cloexec] -> socket(AF_INET, SOCK_STREAM) */
	TOP_BIND,		/* bind FD                    -> bind to 127.0.0.1 port 0 */
	TOP_LISTEN,		/* listen FD [BACKLOG]        -> listen(fd, BACKLOG), default 16 */
	TOP_CONNECT,		/* connect FD TARGET          -> connect to TARGET's local address */
	TOP_ACCEPT,		/* accept FD NEWNAME [blocking] [cloexec] -> accept4 */
	TOP_LINGER,		/* linger FD SECS             -> setsockopt SO_LINGER {1, SECS} */
	TOP_SOERROR,		/* soerror FD                 -> getsockopt SO_ERROR: "0 error=E..." */
	TOP_FILL,		/* fill FD                    -> write 64 KiB blocks until one fails */
	TOP_DRAIN,		/* drain FD                   -> read 64 KiB blocks until EAGAIN or EOF */
	TOP_POLL,		/* poll [FD:EVENTS...] [timeout=MS] [nfds=N] -> poll(2) */
	TOP_SELECT,		/* select [r=FDS] [w=FDS] [e=FDS] [timeout=MS] [nfds=N] -> select(2) */
	TOP_FCNTL,		/* fcntl FD getfl|setfl FLAGS|setown THREAD|setsig SIG -> fcntl(2) */
	TOP_URING,		/* uring NAME [entries=N]          -> io_uring_setup */
	TOP_URING_POLL,		/* uring_poll RING FD EVENTS [data=N] -> one IORING_OP_POLL_ADD */
	TOP_URING_READ,		/* uring_read RING FD N [data=N]   -> one IORING_OP_READ */
	TOP_URING_WAIT,		/* uring_wait RING [min=N]         -> io_uring_enter(GETEVENTS), reap */
	TOP_KILL,		/* kill PROC SIG              -> kill(pid of PROC, SIG): main or a fork name */
	TOP__COUNT
};

/* What a name stands for. */
enum trace_kind {
	TK_EPOLL,
	TK_PIPE_R,
	TK_PIPE_W,
	TK_EVENTFD,
	TK_SOCKET,
	TK_DUP,		/* made by dup: same kind as its source */
	TK_TIMERFD,
	TK_SIGNALFD,
	TK_TCP,		/* socket, accept: a TCP socket over loopback */
	TK_URING,	/* uring: an io_uring instance */
};

/* Creation flags (trace_step.flags). */
#define TF_CLOEXEC 0x1
#define TF_BLOCKING 0x2	/* the file is created without O_NONBLOCK */
#define TF_SEMAPHORE 0x4
#define TF_DGRAM 0x8	/* socketpair of SOCK_DGRAM */
#define TF_RAW_FLAGS 0x10	/* epoll flags=N given: raw flags in step.num */

/* User buffer given to a wait. */
enum trace_buf {
	TBUF_DEFAULT,	/* a valid buffer of min(max, TRACE_BUF_SLOTS) slots */
	TBUF_NULL,	/* NULL pointer */
	TBUF_SLOTS,	/* only buf_slots valid slots, the rest faults */
};
#define TRACE_BUF_SLOTS 4096

/* One fd of a poll or select step (trace_step.fdargs). */
struct trace_fdarg {
	int obj;		/* name index, or -1 for badfd */
	bool bad;		/* the literal badfd (fd -1; poll only) */
	uint32_t events;	/* poll: the pollfd's events (0..0xffff); select: TSEL_* sets */
};

/* The sets of select an fd is given in (trace_fdarg.events). */
#define TSEL_R 0x1
#define TSEL_W 0x2
#define TSEL_E 0x4

/* fcntl commands of the trace language (trace_step.how for TOP_FCNTL). */
enum trace_fcntl {
	TFC_GETFL,	/* F_GETFL: logged as "0 flags=..." */
	TFC_SETFL,	/* F_SETFL num: O_NONBLOCK, O_ASYNC, O_APPEND, O_DIRECT, O_NOATIME */
	TFC_SETOWN,	/* F_SETOWN_EX {F_OWNER_TID, thread `target`} */
	TFC_SETSIG,	/* F_SETSIG sig (0: SIGIO) */
};

struct trace_loc {
	int line;	/* 1-based */
	int col;	/* 1-based, in bytes */
};

struct trace_step {
	struct trace_loc loc;	/* where the op word starts */
	enum trace_opcode op;
	int thread;		/* index in trace.threads; 0 is the main thread */
	int obj;		/* first name operand (index in trace.names), or -1 */
	int obj2;		/* second name operand, or -1 */
	bool obj_bad;		/* the fd operand is the literal `badfd` (-1) */
	bool obj2_bad;
	long long num;		/* epoll_create size, epoll flags=, read/write count, sleep ms,
				 * fcntl setfl flags, uring entries=, uring_read N, uring_wait min= */
	int ctl_op;		/* EPOLL_CTL_ADD/MOD/DEL, or any other number given */
	uint32_t events;	/* ctl event mask, incl. et|oneshot|exclusive|wakeup */
	bool ev_null;		/* ctl ... ev=null: NULL event pointer */
	bool has_data;
	uint64_t data;		/* ctl data= (0 when not given) */
	int flags;		/* TF_* */
	uint64_t init;		/* eventfd init= */
	int how;		/* shutdown: SHUT_*; sigmask: SIG_*; fcntl: enum trace_fcntl */
	int maxevents;		/* wait max= (default 16) */
	long long timeout_ms;	/* wait timeout= (default 0; negative: infinite) */
	enum trace_buf buf;
	int buf_slots;
	bool has_sigmask;	/* pwait/pwait2 sigmask= given (else a NULL mask) */
	uint64_t sigmask;	/* pwait sigmask=, sigmask's SIGS: bit (sig - 1) */
	int sigsetsize;		/* pwait sigsetsize= (default 8) */
	bool ts_null;		/* pwait2 ts=null: no timeout */
	long long ts_sec, ts_nsec; /* pwait2 ts=SEC,NSEC (default 0,0) */
	int target;		/* signal: the thread index receiving it */
	int sig;		/* signal: the signal number */
	long long interval_ms;	/* settime interval= */
	bool has_stall;		/* wait/pwait/pwait2 stall=N: the copy into slot N stalls until unstall */
	int stall_slot;
	struct trace_fdarg *fdargs; /* poll: the pollfds in order; select: r=, then w=, then e= fds */
	int nfdargs;
	bool has_nfds;		/* poll/select nfds=N given (else: the pollfd count; highest fd + 1) */
	long long nfds;
	char *text;		/* the op as logged: its words joined by single spaces */
	char *expect;		/* the inline expectation after `=>`, normalised (trace_expect.c), or NULL */
	struct trace_loc expect_loc;
};

struct trace_name {
	char *name;
	enum trace_kind kind;
	int step;		/* index of the step that defines it */
};

struct trace_thread {
	char *name;		/* "main" for index 0 */
	bool process;		/* the main thread of a child process made by `fork NAME` */
};

struct trace {
	char *path;
	struct trace_step *steps;
	size_t nsteps;
	struct trace_name *names;
	size_t nnames;
	struct trace_thread *threads;
	size_t nthreads;
};

struct trace_error {
	struct trace_loc loc;
	char msg[256];
};

/* Parse a trace from memory. 0 on success; -1 with *err filled on a syntax or name error. */
int trace_parse(const char *path, const char *text, size_t len, struct trace **out,
		struct trace_error *err);
/* Read and parse a file. -1 with err->loc = {0,0} when the file cannot be read. */
int trace_parse_file(const char *path, struct trace **out, struct trace_error *err);
void trace_free(struct trace *t);
/* Print "path:line:col: error: msg" to f. */
void trace_error_print(const char *path, const struct trace_error *err, void *file /* FILE* */);

/* Names of ops and event bits, shared by the parser and the log. */
const char *trace_op_name(enum trace_opcode op);
/* Render an event mask as "in|out|et", or "0"; unknown bits as one trailing hex number. */
void trace_format_events(uint32_t events, char *buf, size_t len);
/* Parse "in|out|et" or a number; 0 on success. */
int trace_parse_events(const char *s, uint32_t *out);
/* Signal names ("usr1") and sets ("usr1|usr2", "0"); the trace language accepts these signals. */
int trace_signal_value(const char *name);
void trace_format_sigset(uint64_t set, char *buf, size_t len);
/* File status flags (fcntl): "nonblock", "async", "append", "direct", "noatime" (trace_oflags.c). */
int trace_parse_oflag(const char *name, unsigned int *out);
/* F_GETFL's flags as "rdonly|nonblock|async": the access mode, then flags, unknown bits in hex. */
void trace_format_oflags(unsigned int flags, char *buf, size_t len);
/*
 * Expectations (trace_expect.c): normalise the text after `=>` for op the way
 * the log renders a result (numbers in decimal, masks and signal sets in bit
 * order, a wait's missing data= as data=*, any data); alternatives stay joined by " | ".
 * 0 with *out allocated, or -1 with *why set (NULL: out of memory).
 */
int trace_expect_normalise(enum trace_opcode op, const char *s, size_t n, char **out,
			   const char **why);
/* Whether a rendered result is one of the expectation's alternatives. */
bool trace_expect_matches(const char *expect, const char *got);
bool trace_expect_has_alternatives(const char *expect);
/*
 * Warnings that do not stop a run (trace_lint.c): a name used after its file
 * was closed, once another file may have taken its fd number. Printed to f as
 * "path:line:col: warning: ..."; returns how many.
 */
int trace_lint(const struct trace *t, void *file /* FILE* */);

/* Names of errno values: "EEXIST"; and back. */
const char *trace_errno_name(int err);
int trace_errno_value(const char *name);

#endif
