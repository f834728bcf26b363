/*
 * TCP over loopback for the kernel backend.
 *
 * Addresses. Every socket is bound to the loopback device (SO_BINDTODEVICE
 * "lo") as soon as it exists, so even a listener that listen() auto-binds to
 * the wildcard address only ever sees loopback traffic. `bind` binds
 * 127.0.0.1 port 0 (the kernel picks the port); `connect` connects to
 * 127.0.0.1 and the port of the target socket's own address (getsockname),
 * so a trace never names an address or a port.
 *
 * Settling. On loopback a segment is normally processed in the sender's own
 * softirq before its system call returns, but the kernel may defer that work
 * to ksoftirqd. After every step the backend therefore waits until every
 * connection a trace made looks finished: none of its two ends in SYN_SENT,
 * SYN_RECV, FIN_WAIT1, CLOSING or LAST_ACK, no unacknowledged data, and the
 * same picture on two looks 1 ms apart (five when data stays unacknowledged,
 * as it does behind a full window). Each end is looked up by its exact
 * address pair through NETLINK_SOCK_DIAG, which also finds the ends whose
 * fd is closed (orphans, TIME_WAIT) and handshakes not yet accepted; a dump
 * of /proc/net/tcp would walk the whole connection hash (milliseconds).
 * Everything is bounded (KERNEL_TCP_SETTLE_MS).
 */
#include "kernel_tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define QUIESCE_POLL_NS 1000000L
#define QUIESCE_UNACKED_LOOKS 5
#define FILL_BLOCK 65536

/* TCP states as sock_diag reports them (include/net/tcp_states.h). */
enum { ST_ESTABLISHED = 1, ST_SYN_SENT, ST_SYN_RECV, ST_FIN_WAIT1, ST_FIN_WAIT2, ST_TIME_WAIT,
       ST_CLOSE, ST_CLOSE_WAIT, ST_LAST_ACK, ST_LISTEN, ST_CLOSING };

/* One end of a connection: its ports (network order) and what was last seen of it. */
struct tcp_end {
	uint16_t sport, dport;
	int state;		/* 0: not found (gone) */
	uint32_t rqueue, wqueue;
};

struct kernel_tcp {
	struct tcp_end *ends;
	size_t nends, cap;
	int diag_fd;		/* NETLINK_SOCK_DIAG, opened at the first look; -1 before */
	unsigned lo_index;	/* the loopback device our sockets are bound to */
};

struct kernel_tcp *kernel_tcp_new(void)
{
	struct kernel_tcp *kt = calloc(1, sizeof(*kt));

	if (kt)
		kt->diag_fd = -1;
	return kt;
}

void kernel_tcp_free(struct kernel_tcp *kt)
{
	if (!kt)
		return;
	if (kt->diag_fd >= 0)
		close(kt->diag_fd);
	free(kt->ends);
	free(kt);
}

bool kernel_tcp_is_call(enum sys_nr nr)
{
	return nr == SYS_SOCKET || nr == SYS_BIND || nr == SYS_LISTEN || nr == SYS_CONNECT ||
	       nr == SYS_ACCEPT4 || nr == SYS_SO_LINGER || nr == SYS_SO_ERROR || nr == SYS_FILL ||
	       nr == SYS_DRAIN;
}

static void nap(long ns)
{
	struct timespec ts = { 0, ns };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long sys_ret(long r)
{
	return r < 0 ? -errno : r;
}

static struct sockaddr_in loopback(uint16_t port_be)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = port_be;
	return a;
}

/* socket(AF_INET, SOCK_STREAM), bound to the loopback device before anything else. */
static long tcp_socket(int flags)
{
	long fd = sys_ret(syscall(SYS_socket, AF_INET, SOCK_STREAM | flags, 0));
	static const char lo[] = "lo";

	if (fd < 0)
		return fd;
	if (setsockopt((int)fd, SOL_SOCKET, SO_BINDTODEVICE, lo, sizeof(lo)) != 0) {
		long err = -errno;

		close((int)fd);
		return err;	/* never leave a socket that could reach beyond loopback */
	}
	return fd;
}

/* The port (network order) of fd's own address; 0 if it has none or is not IPv4; -errno. */
static long local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (syscall(SYS_getsockname, fd, &ss, &len) != 0)
		return -errno;
	if (ss.ss_family != AF_INET)
		return 0;
	return ((struct sockaddr_in *)&ss)->sin_port;
}

static long tcp_connect(const struct sys_call *c)
{
	long port = local_port(c->fd2);
	struct sockaddr_in a;

	if (port < 0)
		return port;
	a = loopback((uint16_t)port);
	return sys_ret(syscall(SYS_connect, c->fd, &a, sizeof(a)));
}

static long tcp_so_error(const struct sys_call *c, struct sys_result *res)
{
	int err = 0;
	socklen_t len = sizeof(err);
	long r = sys_ret(syscall(SYS_getsockopt, c->fd, SOL_SOCKET, SO_ERROR, &err, &len));

	if (r == 0)
		res->value = (uint64_t)err;
	return r;
}

/*
 * fill: write 64 KiB blocks until one fails; drain: read them until one
 * fails or reads 0. A drain that meets EAGAIN looks once more after 1 ms, in
 * case the sender's part of the work was deferred to ksoftirqd.
 */
static long fill_or_drain(const struct sys_call *c)
{
	static const char zeros[FILL_BLOCK];	/* never written: what fill sends */
	char *buf = malloc(FILL_BLOCK);
	bool retried = false;
	long r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (c->nr == SYS_FILL)
			r = sys_ret(syscall(SYS_write, c->fd, zeros, (size_t)FILL_BLOCK));
		else
			r = sys_ret(syscall(SYS_read, c->fd, buf, (size_t)FILL_BLOCK));
		if (r > 0) {
			retried = false;
			continue;
		}
		if (r != -EAGAIN || c->nr == SYS_FILL || retried)
			break;
		retried = true;
		nap(QUIESCE_POLL_NS);
	}
	free(buf);
	return r;
}

long kernel_tcp_call(const struct sys_call *c, struct sys_result *res)
{
	struct sockaddr_in a = loopback(0);
	struct linger lg = { 1, (int)c->num };

	switch (c->nr) {
	case SYS_SOCKET:
		return tcp_socket(c->flags);
	case SYS_BIND:
		return sys_ret(syscall(SYS_bind, c->fd, &a, sizeof(a)));
	case SYS_LISTEN:
		return sys_ret(syscall(SYS_listen, c->fd, (int)c->num));
	case SYS_CONNECT:
		return tcp_connect(c);
	case SYS_ACCEPT4:
		return sys_ret(syscall(SYS_accept4, c->fd, NULL, NULL, c->flags));
	case SYS_SO_LINGER:
		return sys_ret(syscall(SYS_setsockopt, c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	case SYS_SO_ERROR:
		return tcp_so_error(c, res);
	case SYS_FILL:
	case SYS_DRAIN:
		return fill_or_drain(c);
	default:
		return -ENOSYS;
	}
}

/* Remember one end of a connection (ports in network order), once. */
static void note_end(struct kernel_tcp *kt, uint16_t sport, uint16_t dport)
{
	struct tcp_end *p;

	for (size_t i = 0; i < kt->nends; i++)
		if (kt->ends[i].sport == sport && kt->ends[i].dport == dport)
			return;
	if (kt->nends == kt->cap) {
		size_t cap = kt->cap ? kt->cap * 2 : 16;

		p = realloc(kt->ends, cap * sizeof(*p));
		if (!p)
			return;
		kt->ends = p;
		kt->cap = cap;
	}
	memset(&kt->ends[kt->nends], 0, sizeof(*p));
	kt->ends[kt->nends].sport = sport;
	kt->ends[kt->nends].dport = dport;
	kt->nends++;
}

void kernel_tcp_track(struct kernel_tcp *kt, const struct sys_call *c, const struct sys_result *res)
{
	long sport, dport;

	(void)res;
	if (!kt || c->nr != SYS_CONNECT)
		return;
	/* Both ends of what connect started, even when it failed at once or is refused later. */
	sport = local_port(c->fd);
	dport = local_port(c->fd2);
	if (sport <= 0 || dport < 0)
		return;
	note_end(kt, (uint16_t)sport, (uint16_t)dport);
	note_end(kt, (uint16_t)dport, (uint16_t)sport);
}

/* Look one end up by its exact address pair; fills state (0 if gone) and queues. */
static int diag_lookup(struct kernel_tcp *kt, struct tcp_end *e)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	union {
		struct nlmsghdr nlh;
		char buf[1024];
	} reply;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	const struct inet_diag_msg *d;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST;
	msg.req.sdiag_family = AF_INET;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = ~0u;
	msg.req.id.idiag_sport = e->sport;
	msg.req.id.idiag_dport = e->dport;
	msg.req.id.idiag_src[0] = htonl(INADDR_LOOPBACK);
	msg.req.id.idiag_dst[0] = htonl(INADDR_LOOPBACK);
	msg.req.id.idiag_if = kt->lo_index;
	msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (sendto(kt->diag_fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		return -errno;
	n = recv(kt->diag_fd, &reply, sizeof(reply), 0);
	if (n < 0)
		return -errno;
	e->state = 0;
	e->rqueue = e->wqueue = 0;
	if (!NLMSG_OK(&reply.nlh, (size_t)n) || reply.nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return 0;	/* NLMSG_ERROR: no such socket (any more) */
	d = NLMSG_DATA(&reply.nlh);
	e->state = d->idiag_state;
	e->rqueue = d->idiag_rqueue;
	e->wqueue = d->idiag_wqueue;
	return 0;
}

/*
 * An end between states: a handshake, or a FIN not yet acknowledged with no
 * data queued ahead of it (the FIN is the last sequence number: wqueue 1).
 */
static bool end_in_transition(const struct tcp_end *e)
{
	switch (e->state) {
	case ST_SYN_SENT:
	case ST_SYN_RECV:
		return true;
	case ST_FIN_WAIT1:
	case ST_CLOSING:
	case ST_LAST_ACK:
		return e->wqueue <= 1;
	default:
		return false;
	}
}

/* Data waits for an ACK: in flight, or held back by a full window. */
static bool end_unacked(const struct tcp_end *e)
{
	switch (e->state) {
	case ST_ESTABLISHED:
	case ST_CLOSE_WAIT:
		return e->wqueue != 0;
	case ST_FIN_WAIT1:
	case ST_CLOSING:
	case ST_LAST_ACK:
		return e->wqueue > 1;
	default:
		return false;
	}
}

/* What one look found. */
enum look_result {
	LOOK_CHANGED,	/* something moved since the last look, or is between states */
	LOOK_UNACKED,	/* unchanged, but data waits for an ACK (maybe a full window) */
	LOOK_QUIET,	/* unchanged, nothing in flight */
};

/* Look at every end and compare with the last look. */
static enum look_result look(struct kernel_tcp *kt)
{
	enum look_result res = LOOK_QUIET;

	for (size_t i = 0; i < kt->nends; i++) {
		struct tcp_end before = kt->ends[i];
		struct tcp_end *e = &kt->ends[i];

		if (diag_lookup(kt, e) < 0 || memcmp(&before, e, sizeof(before)) != 0 ||
		    end_in_transition(e))
			return LOOK_CHANGED;
		if (end_unacked(e))
			res = LOOK_UNACKED;
	}
	return res;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

bool kernel_tcp_quiesce(struct kernel_tcp *kt, int bound_ms)
{
	long long deadline = mono_ms() + bound_ms;

	if (!kt || kt->nends == 0)
		return true;
	if (kt->diag_fd < 0) {
		kt->diag_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
		kt->lo_index = if_nametoindex("lo");
		if (kt->diag_fd < 0)
			return false;
	}
	look(kt);	/* the picture now; settled when a look 1 ms later finds it unchanged */
	for (int unacked = 0;;) {
		enum look_result r;

		nap(QUIESCE_POLL_NS);
		r = look(kt);
		if (r == LOOK_QUIET)
			return true;
		/* unacknowledged data that stays put: a window that is full, not a segment in flight */
		unacked = r == LOOK_UNACKED ? unacked + 1 : 0;
		if (unacked >= QUIESCE_UNACKED_LOOKS)
			return true;
		if (mono_ms() >= deadline)
			return false;
	}
}
