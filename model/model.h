/*
 * Simulated file types that epoll watches: pipes (fs/pipe.c), eventfd
 * (fs/eventfd.c) and unix socketpairs (net/unix/af_unix.c). Each type is a
 * struct file_operations; these are its constructors and a few inspection
 * helpers that stand in for ioctls and getsockopt.
 *
 * Common rules for ->read and ->write (struct sim_io): they never sleep. On a
 * file with O_NONBLOCK, where the kernel would block they return -EAGAIN; on a
 * blocking pipe, eventfd or timerfd they do what the kernel does before its
 * sleep and return -SIM_EWOULDSLEEP with the wait in io, and sim/rw_wait.c
 * sleeps and calls them again (io->resumed). Types that do not model their
 * blocking wait (unix sockets) return -EAGAIN. No bytes are stored, only counts.
 */
#ifndef EPSIM_MODEL_H
#define EPSIM_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "file.h"
#include "net.h"
#include "world.h"

/* Pipe geometry (PAGE_SIZE, PIPE_DEF_BUFFERS). */
#define SIM_PAGE_SIZE 4096u
#define PIPE_DEF_BUFFERS 16u

/* Unix socket defaults: net.core.wmem_default and net.unix.max_dgram_qlen. */
#define UNIX_DEFAULT_SNDBUF 212992
#define UNIX_DEFAULT_MAX_DGRAM_QLEN 10

/*
 * Models create_pipe_files(): files[0] the read end, files[1] the write end.
 * flags may hold O_NONBLOCK and O_DIRECT (packet mode; O_CLOEXEC is ignored,
 * it belongs to the fd). 0 or -errno (-EINVAL for other bits, -ENOMEM).
 */
int pipe_create(struct world *w, unsigned int flags, struct file *files[2]);

/*
 * Models eventfd2's file: flags may hold EFD_SEMAPHORE and EFD_NONBLOCK
 * (EFD_CLOEXEC is accepted and left to the caller). -EINVAL on other bits.
 */
int eventfd_create(struct world *w, uint64_t count, int flags, struct file **out);

/*
 * Models socketpair(AF_UNIX, type, 0): type SOCK_STREAM or SOCK_DGRAM
 * (SOCK_RAW is treated as SOCK_DGRAM, as unix_create does; anything else is
 * -ESOCKTNOSUPPORT). flags may hold O_NONBLOCK (O_CLOEXEC is ignored).
 */
int unix_socketpair_create(struct world *w, int type, unsigned int flags, struct file *files[2]);

/* The address families the registry lists (model/registry.c): AF_UNIX and AF_INET. */
extern const struct net_proto_family unix_family_ops;
extern const struct net_proto_family inet_family_ops;

/* Models timerfd_create(CLOCK_MONOTONIC, flags) without the fd install: flags O_NONBLOCK, O_CLOEXEC. */
int timerfd_create_file(struct world *w, int flags, struct file **out);
/* Models timerfd_settime(fd, 0, {interval, initial}): relative times in ns; initial 0 disarms. */
long timerfd_settime_file(struct file *f, uint64_t initial_ns, uint64_t interval_ns);
/* Models signalfd4(-1, mask, flags) without the fd install: mask bit (sig - 1). */
int signalfd_create_file(struct world *w, uint64_t mask, int flags, struct file **out);
/* True if f is a signalfd. */
bool file_is_signalfd(const struct file *f);
/* True if f is a timerfd. */
bool file_is_timerfd(const struct file *f);

/* True if f is an eventfd (the runner uses this for 8-byte value semantics). */
bool file_is_eventfd(const struct file *f);
/* True if f is a pipe end. */
bool file_is_pipe(const struct file *f);
/* True if f is a unix socket of either type. */
bool file_is_unix_socket(const struct file *f);

/* Models FIONREAD on a pipe: bytes buffered. */
long pipe_fionread(const struct file *f);
/* Models fdinfo's eventfd-count. */
uint64_t eventfd_count(const struct file *f);
/* Models SIOCOUTQ on a unix socket: sk_wmem_alloc minus the socket's own reference. */
long unix_outq_len(const struct file *f);
/* Models SIOCINQ on a unix socket (stream: unread bytes; dgram: the first datagram's size). */
long unix_inq_len(const struct file *f);
/* Models getsockopt(SO_ERROR) on a unix socket: returns and clears sk_err. */
int unix_so_error(struct file *f);
/* Models the skb truesize a unix socket is charged for one skb of this linear and paged size. */
unsigned int unix_skb_truesize(size_t linear, size_t paged);

/*
 * TCP over loopback (model/tcp.c). Sockets bind only to 127.0.0.1; ports are
 * picked by the model. Buffer sizes as measured on the reference machine
 * (they move with autotuning there: traces must not depend on them).
 */
#define TCP_DEFAULT_SNDBUF 16384	/* net.ipv4.tcp_wmem[1] */
#define TCP_ESTABLISHED_SNDBUF 3939840	/* sk_sndbuf after tcp_sndbuf_expand on loopback */
#define TCP_RCV_WINDOW 131072		/* net.ipv4.tcp_rmem[1] */
#define TCP_LOOPBACK_MSS 65483		/* MTU 65536 minus headers and timestamps */
#define TCP_PORT_LOW 32768		/* net.ipv4.ip_local_port_range */
#define TCP_PORT_HIGH 60999
#define TCP_SOMAXCONN 4096		/* net.core.somaxconn */

/* Models socket(AF_INET, SOCK_STREAM, 0) without the fd install: flags O_NONBLOCK. */
int tcp_socket_create(struct world *w, unsigned int flags, struct file **out);
/* True if f is a TCP socket. */
bool file_is_tcp(const struct file *f);
/* Models inet_bind() to 127.0.0.1 port 0: 0, or -EINVAL when already bound or not closed. */
int tcp_bind(struct file *f);
/* Models inet_listen() (auto-binds an unbound socket). */
int tcp_listen(struct file *f, int backlog);
/* Models inet_stream_connect() to 127.0.0.1:port (O_NONBLOCK of f decides EINPROGRESS). */
int tcp_connect(struct file *f, unsigned int port);
/* Models inet_csk_accept(): a new file (flags: O_NONBLOCK) or -EINVAL, -EAGAIN, -ENOMEM. */
int tcp_accept(struct file *f, unsigned int flags, struct file **newfile);
/* Models getsockname()'s port: 0 when the socket holds none. */
unsigned int tcp_local_port(const struct file *f);
/* Models setsockopt(SO_LINGER, {onoff, secs}). */
int tcp_set_linger(struct file *f, int onoff, int secs);
/* Models getsockopt(SO_ERROR): returns and clears sk_err. */
int tcp_so_error(struct file *f);
/* The TCP state (TCP_ESTABLISHED ...) and unread bytes (SIOCINQ), for tests and snapshots. */
int tcp_state(const struct file *f);
long tcp_inq_len(const struct file *f);

#endif
