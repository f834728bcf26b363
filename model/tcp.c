/*
 * TCP sockets over the loopback device, modelled on net/ipv4/tcp*.c,
 * af_inet.c, inet_connection_sock.c and the stream helpers of net/core
 * (Linux 6.18), as far as epoll can see them: states, shutdown bits, sk_err,
 * the accept queue, byte counts in flight, and exactly which wake-up (with
 * which key) each event issues on the socket's wait queue. This file holds
 * the system-call side (connect, accept, send, receive, shutdown, close,
 * poll); model/tcp_input.c the wire side (what arriving segments do).
 *
 * The wire. Loopback delivers a segment in the sender's own context, before
 * the sender's system call returns. A segment for a socket whose owner is
 * inside a system call (lock_sock) waits in that socket's backlog and is
 * processed at release_sock, at the end of the call: that is why, for
 * instance, a non-blocking connect returns EINPROGRESS although the
 * handshake is complete when it returns, and why the client's state change
 * is seen before the listener's data-ready.
 *
 * Buffers. Bytes are counted, never stored. A receiver takes data while its
 * queue is below the receive window (TCP_RCV_WINDOW); the rest waits in the
 * sender's send queue (snd_pending, standing in for sk_wmem_queued), which
 * accepts data up to sk_sndbuf. Writable means a third of the send buffer is
 * free (__sk_stream_is_writeable). The real limits move with autotuning:
 * traces must not depend on the exact byte counts.
 *
 * Ports. A world's bind hash (world.tcp_bind_hash) holds the sockets that
 * own a port; bind and auto-bind pick ephemeral ports from 32768 up. A port
 * bound with port 0 is given back when the socket reaches TCP_CLOSE.
 *
 * Blocking. A blocking accept parks in sim/sys_socket.c, a blocking read in
 * sim/rw_wait.c (tcp_recvmsg hands it the sk_wait_data condition). A
 * blocking connect needs no sleep on loopback: the handshake is over when
 * the backlog runs.
 *
 * Not modelled: timers (retransmission, delayed ACK, keepalive, FIN_WAIT2
 * and TIME_WAIT timeouts), urgent data, Fast Open, SO_RCVLOWAT, a SYN
 * dropped for a full accept queue being retried (the client stays in
 * SYN_SENT), a blocking send that waits for room (it returns EAGAIN), a
 * socket connecting to its own port (simultaneous open), and SIGPIPE.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "alloc.h"
#include "tcp_sock.h"

static const struct file_operations tcp_fops;

/* ---- connecting --------------------------------------------------------- */

/*
 * Models tcp_v4_connect() and the SYN's journey: auto-bind, SYN_SENT, and
 * what comes back into our backlog: a SYN-ACK from a listener with room, an
 * RST from a port nobody listens on, nothing when the accept queue is full.
 * The listener's child is allocated here, with the SYN: an allocation that
 * fails is the SYN's skb failing (tcp_connect: -ENOBUFS), before any change.
 */
static int tcp_v4_connect(struct tcp_sock *sk, unsigned int port)
{
	struct tcp_sock *listener = port ? inet_lookup_listener(sk->world, port) : NULL;
	bool synack = listener && !sk_acceptq_is_full(listener);

	if (synack) {
		sk->req_child = tcp_sock_alloc(sk->world);
		if (!sk->req_child)
			return -ENOBUFS;
	}
	if (!sk->inet_num && inet_csk_get_port(sk) < 0) {
		if (sk->req_child)
			sock_put(sk->req_child);
		sk->req_child = NULL;
		return -EADDRNOTAVAIL;	/* inet_hash_connect */
	}
	sk->inet_dport = port;
	tcp_set_state(sk, TCP_SYN_SENT);
	if (!listener)
		tcp_v4_rcv(sk, SEG_RST, 0);	/* tcp_v4_send_reset from the closed port */
	else if (synack)
		tcp_v4_rcv(sk, SEG_SYNACK, 0);
	return 0;
}

/* Models the sock_error path of __inet_stream_connect(): report, disconnect. */
static int inet_stream_connect_error(struct tcp_sock *sk);

/* Models __inet_stream_connect() (the socket is owned). */
static int __inet_stream_connect(struct tcp_sock *sk, unsigned int port, bool nonblock)
{
	int err;

	switch (sk->sock_state) {
	case SS_CONNECTED:
		return -EISCONN;
	case SS_CONNECTING:
		err = -EALREADY;
		break;
	case SS_UNCONNECTED:
		if (sk->sk_state != TCP_CLOSE)
			return -EISCONN;
		err = tcp_v4_connect(sk, port);
		if (err < 0)
			return err;
		sk->sock_state = SS_CONNECTING;
		err = -EINPROGRESS;
		break;
	default:
		return -EINVAL;
	}
	if (TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV))) {
		if (nonblock)
			return err;
		/* inet_wait_for_connect: sleeping releases the socket, the backlog runs */
		release_sock(sk);
		lock_sock(sk);
		if (TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV)))
			return -EAGAIN;	/* a dropped SYN would be retried by a timer: not modelled */
	}
	if (sk->sk_state == TCP_CLOSE)
		return inet_stream_connect_error(sk);
	sk->sock_state = SS_CONNECTED;
	return 0;
}

/* Models tcp_disconnect(): back to a fresh unconnected socket. */
static void tcp_disconnect(struct tcp_sock *sk);

static int inet_stream_connect_error(struct tcp_sock *sk)
{
	int err = sock_error(sk);

	if (!err)
		err = -ECONNABORTED;
	sk->sock_state = SS_UNCONNECTED;
	tcp_disconnect(sk);
	return err;
}

/* ---- disconnect and close ------------------------------------------------ */

/* Models inet_csk_listen_stop(): every child not yet accepted is aborted. */
static void inet_csk_listen_stop(struct tcp_sock *sk)
{
	while (!list_empty(&sk->accept_queue)) {
		struct tcp_sock *child = list_first_entry(&sk->accept_queue, struct tcp_sock,
							  accept_node);

		list_del_init(&child->accept_node);
		child->parent = NULL;
		sk->sk_ack_backlog--;
		child->sock_dead = true;	/* inet_child_forget: orphaned, then disconnected */
		tcp_disconnect(child);
		sock_put(child);		/* the queue's reference */
	}
}

static void tcp_disconnect(struct tcp_sock *sk)
{
	int old_state = sk->sk_state;

	if (old_state != TCP_CLOSE)
		tcp_set_state(sk, TCP_CLOSE);
	if (old_state == TCP_LISTEN) {
		inet_csk_listen_stop(sk);
	} else if (tcp_need_reset(old_state)) {
		tcp_send_active_reset(sk);
		sk->sk_err = ECONNRESET;
	} else if (old_state == TCP_SYN_SENT) {
		sk->sk_err = ECONNRESET;
	}
	tcp_unlink_peer(sk);
	sk->sk_shutdown = 0;
	sk->sock_done = false;
	sk->rcv_avail = 0;
	sk->snd_pending = 0;
	sk->fin_pending = false;
	sk->sk_sndbuf = TCP_DEFAULT_SNDBUF;
	if (!sk->sock_dead)
		sk_error_report(sk);
}

/* Models tcp_close(): the last reference to the file is gone. */
static void tcp_close(struct tcp_sock *sk)
{
	bool data_was_unread = sk->rcv_avail > 0;

	lock_sock(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	if (sk->sk_state == TCP_LISTEN) {
		tcp_set_state(sk, TCP_CLOSE);
		inet_csk_listen_stop(sk);
	} else if (sk->sk_state == TCP_CLOSE) {
		/* nothing to tell anyone */
	} else if (data_was_unread) {
		tcp_set_state(sk, TCP_CLOSE);
		tcp_send_active_reset(sk);
	} else if (sk->sock_linger && sk->sk_lingertime == 0) {
		tcp_disconnect(sk);
	} else if (tcp_close_state(sk)) {
		tcp_send_fin(sk);
	}
	sk->rcv_avail = 0;
	sk->sock_dead = true;	/* sock_orphan */
	release_sock(sk);
	if (sk->sk_state == TCP_CLOSE)
		tcp_unlink_peer(sk);
	sock_put(sk);		/* the file's reference; the peer may keep the orphan */
}

/* ---- the socket calls ------------------------------------------------------ */

/* Models inet_bind() to 127.0.0.1 port 0. */
int tcp_bind(struct file *file)
{
	struct tcp_sock *sk = file->private_data;

	if (sk->sk_state != TCP_CLOSE || sk->inet_num)
		return -EINVAL;
	return inet_csk_get_port(sk);
}

/* Models inet_listen(): a listen() without bind auto-binds (inet_csk_listen_start). */
int tcp_listen(struct file *file, int backlog)
{
	struct tcp_sock *sk = file->private_data;
	unsigned int somaxconn = TCP_SOMAXCONN;

	if ((unsigned int)backlog > somaxconn)
		backlog = (int)somaxconn;	/* __sys_listen */
	if (sk->sock_state != SS_UNCONNECTED)
		return -EINVAL;
	if (!(TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_LISTEN))))
		return -EINVAL;
	sk->sk_max_ack_backlog = (unsigned int)backlog;
	if (sk->sk_state == TCP_LISTEN)
		return 0;
	if (!sk->inet_num && inet_csk_get_port(sk) < 0)
		return -EADDRINUSE;
	tcp_set_state(sk, TCP_LISTEN);
	return 0;
}

/* Models inet_stream_connect() to 127.0.0.1:port. */
int tcp_connect(struct file *file, unsigned int port)
{
	struct tcp_sock *sk = file->private_data;
	int err;

	lock_sock(sk);
	err = __inet_stream_connect(sk, port, file->f_flags & O_NONBLOCK);
	release_sock(sk);
	return err;
}

/* Models inet_csk_accept() + sock_graft() for a new file with flags (O_NONBLOCK). */
int tcp_accept(struct file *file, unsigned int flags, struct file **newfile)
{
	struct tcp_sock *sk = file->private_data;
	struct tcp_sock *child;
	struct file *nf;

	if (sk->sk_state != TCP_LISTEN)
		return -EINVAL;
	if (list_empty(&sk->accept_queue))
		return -EAGAIN;
	nf = file_alloc(sk->world, &tcp_fops, NULL, O_RDWR | (flags & O_NONBLOCK));
	if (!nf)
		return -ENOMEM;
	child = list_first_entry(&sk->accept_queue, struct tcp_sock, accept_node);
	list_del_init(&child->accept_node);
	child->parent = NULL;
	sk->sk_ack_backlog--;
	child->sock_state = SS_CONNECTED;
	nf->private_data = child;	/* the queue's reference passes to the file */
	*newfile = nf;
	return 0;
}

/* Models getsockname()'s port. */
unsigned int tcp_local_port(const struct file *file)
{
	const struct tcp_sock *sk = file->private_data;

	return sk->inet_num;
}

/* Models sock_setsockopt(SO_LINGER). */
int tcp_set_linger(struct file *file, int onoff, int secs)
{
	struct tcp_sock *sk = file->private_data;

	sk->sock_linger = onoff != 0;
	sk->sk_lingertime = secs;
	return 0;
}

/* Models sock_getsockopt(SO_ERROR): returns and clears sk_err. */
int tcp_so_error(struct file *file)
{
	return -sock_error(file->private_data);
}

/* ---- file operations ------------------------------------------------------- */

/* Models inet_csk_listen_poll() and the readiness half of tcp_poll(); no side effects. */
static __poll_t tcp_peek(const struct file *file)
{
	const struct tcp_sock *sk = file->private_data;
	int state = sk->sk_state;
	__poll_t mask = 0;

	if (state == TCP_LISTEN)
		return list_empty(&sk->accept_queue) ? 0 : EPOLLIN | EPOLLRDNORM;
	if (sk->sk_shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		if (sk->rcv_avail)
			mask |= EPOLLIN | EPOLLRDNORM;
		if ((sk->sk_shutdown & SEND_SHUTDOWN) || sk_stream_is_writeable(sk))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	if (sk->sk_err)
		mask |= EPOLLERR;
	return mask;
}

/* Models tcp_poll(): an unwritable socket sets SOCK_NOSPACE, asking for a write-space wake. */
static __poll_t tcp_poll(struct file *file, poll_table *wait)
{
	struct tcp_sock *sk = file->private_data;
	int state = sk->sk_state;

	poll_wait(file, &sk->wait, wait);	/* sock_poll_wait */
	if (state != TCP_LISTEN && state != TCP_SYN_SENT && state != TCP_SYN_RECV &&
	    !(sk->sk_shutdown & SEND_SHUTDOWN) && !sk_stream_is_writeable(sk))
		sk->sock_nospace = true;
	return tcp_peek(file);
}

/* Models sk_stream_wait_connect() for a call that will not wait. */
static int sk_stream_wait_connect(struct tcp_sock *sk)
{
	int err = sock_error(sk);

	if (err)
		return err;
	if (!(TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV))))
		return -EPIPE;
	return -EAGAIN;
}

/* Models sk_stream_error(): an EPIPE reports a pending socket error first. */
static int sk_stream_error(struct tcp_sock *sk, int err)
{
	if (err == -EPIPE) {
		int soerr = sock_error(sk);

		if (soerr)
			err = soerr;
	}
	return err;
}

/* The copy part of tcp_sendmsg_locked(): how much the send buffer takes; NOSPACE if not all. */
static ssize_t tcp_sendmsg_copy(struct tcp_sock *sk, size_t len)
{
	size_t room = sk->snd_pending < sk->sk_sndbuf ? sk->sk_sndbuf - sk->snd_pending : 0;
	size_t n = len < room ? len : room;

	if (n < len)
		sk->sock_nospace = true;	/* wait_for_space */
	if (n == 0 && len)
		return -EAGAIN;		/* sk_stream_wait_memory, non-blocking */
	sk->snd_pending += n;
	tcp_transmit(sk);		/* tcp_push */
	return (ssize_t)n;
}

/* Models tcp_sendmsg_locked(), non-blocking. */
static ssize_t tcp_sendmsg_locked(struct tcp_sock *sk, size_t len)
{
	int err;

	if (!(TCPF(sk->sk_state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT)))) {
		err = sk_stream_wait_connect(sk);
		if (err)
			return sk_stream_error(sk, err);
	}
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		return sk_stream_error(sk, -EPIPE);
	return tcp_sendmsg_copy(sk, len);
}

/* Models tcp_sendmsg(). */
static ssize_t tcp_sendmsg(struct file *file, struct sim_io *io)
{
	struct tcp_sock *sk = file->private_data;
	ssize_t ret;

	lock_sock(sk);
	ret = tcp_sendmsg_locked(sk, io->len);
	release_sock(sk);
	return ret;
}

/* Models tcp_cleanup_rbuf(): reading opened the window; the peer sends what it held back. */
static void tcp_cleanup_rbuf(struct tcp_sock *sk)
{
	if (sk->peer && (sk->peer->snd_pending || sk->peer->fin_pending))
		tcp_v4_rcv(sk->peer, SEG_ACK, 0);
}

/* Models tcp_recvmsg_locked() for a plain non-blocking read with nothing queued. */
static int tcp_recv_nothing(struct tcp_sock *sk)
{
	if (sk->sock_done)
		return 0;
	if (sk->sk_err)
		return sock_error(sk);
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		return 0;
	if (sk->sk_state == TCP_CLOSE)
		return -ENOTCONN;
	return -EAGAIN;
}

/* The condition sk_wait_data() sleeps on: something for the reader, data or an end. */
static bool tcp_recv_cond(const struct file *file, const struct sim_io *io)
{
	const struct tcp_sock *sk = file->private_data;

	(void)io;
	return sk->rcv_avail || sk->sock_done || sk->sk_err || (sk->sk_shutdown & RCV_SHUTDOWN) ||
	       sk->sk_state == TCP_CLOSE;
}

/* Models the sleep of a blocking tcp_recvmsg() in sk_wait_data(): a non-exclusive wait. */
static ssize_t tcp_recv_wait(struct tcp_sock *sk, struct sim_io *io)
{
	if (io->resumed && io->wait_ret)
		return io->wait_ret;	/* sock_intr_errno */
	if (io->signal_pending)
		return -EINTR;
	io->wq = &sk->wait;
	io->cond = tcp_recv_cond;
	io->wait_flags = 0;
	return -SIM_EWOULDSLEEP;
}

/* Models tcp_recvmsg(); a blocking read with nothing to read sleeps (sim/rw_wait.c). */
static ssize_t tcp_recvmsg(struct file *file, struct sim_io *io)
{
	struct tcp_sock *sk = file->private_data;
	size_t n;
	ssize_t ret;

	if (io->len == 0)
		return 0;	/* sock_read_iter */
	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN) {
		ret = -ENOTCONN;
	} else if (sk->rcv_avail == 0) {
		ret = tcp_recv_nothing(sk);
		if (ret == -EAGAIN && !(file->f_flags & O_NONBLOCK))
			ret = tcp_recv_wait(sk, io);
	} else {
		n = io->len < sk->rcv_avail ? io->len : sk->rcv_avail;
		sk->rcv_avail -= n;
		tcp_cleanup_rbuf(sk);
		ret = (ssize_t)n;
	}
	release_sock(sk);
	return ret;
}

/* Models inet_shutdown() with tcp_shutdown(). */
static long inet_shutdown(struct file *file, int how)
{
	struct tcp_sock *sk = file->private_data;
	unsigned char mode = (unsigned char)(how + 1);	/* SHUT_RD->RCV, SHUT_WR->SEND, both */
	int err = 0;

	lock_sock(sk);
	if (sk->sock_state == SS_CONNECTING)
		sk->sock_state = (TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV) |
							 TCPF(TCP_CLOSE))) ? SS_DISCONNECTING
									  : SS_CONNECTED;
	switch (sk->sk_state) {
	case TCP_CLOSE:
		err = -ENOTCONN;
		sk->sk_shutdown |= mode;	/* still set, to wake pollers */
		break;
	case TCP_LISTEN:
		if (!(mode & RCV_SHUTDOWN))
			break;
		/* fallthrough */
	case TCP_SYN_SENT:
		tcp_disconnect(sk);
		sk->sock_state = SS_UNCONNECTED;
		break;
	default:
		sk->sk_shutdown |= mode;
		if ((mode & SEND_SHUTDOWN) && tcp_close_state(sk))	/* tcp_shutdown */
			tcp_send_fin(sk);
		break;
	}
	sk_state_change(sk);
	release_sock(sk);
	return err;
}

/* Models sock_close() -> inet_release() -> tcp_close(). */
static void tcp_release(struct file *file)
{
	struct tcp_sock *sk = file->private_data;

	if (sk)
		tcp_close(sk);
}

/* The queue a blocking call sleeps on (sk_sleep()). */
static struct wait_queue_head *tcp_wait_queue(struct file *file, int for_write)
{
	struct tcp_sock *sk = file->private_data;

	(void)for_write;
	return &sk->wait;
}

static const struct file_operations tcp_fops = {
	.name = "tcp",
	.proto_ops = &inet_stream_ops,
	.poll = tcp_poll,
	.read = tcp_recvmsg,
	.write = tcp_sendmsg,
	.release = tcp_release,
	.shutdown = inet_shutdown,
	.wait_queue = tcp_wait_queue,
	.peek = tcp_peek,
};

/* Models __sys_socket(AF_INET, SOCK_STREAM, 0) without the fd install: flags O_NONBLOCK. */
int tcp_socket_create(struct world *w, unsigned int flags, struct file **out)
{
	struct tcp_sock *sk = tcp_sock_alloc(w);
	struct file *f;

	if (!sk)
		return -ENOBUFS;	/* sk_alloc failure in inet_create */
	f = file_alloc(w, &tcp_fops, sk, O_RDWR | (flags & O_NONBLOCK));
	if (!f) {
		sim_free(w, sk);
		return -ENOMEM;		/* sock_alloc_file */
	}
	*out = f;
	return 0;
}

/* True if f is a TCP socket. */
bool file_is_tcp(const struct file *f)
{
	return f && f->f_op == &tcp_fops;
}

/* The state of a TCP socket (TCP_ESTABLISHED ...), for tests and snapshots. */
int tcp_state(const struct file *f)
{
	const struct tcp_sock *sk = f->private_data;

	return sk->sk_state;
}

/* Unread bytes of a TCP socket (SIOCINQ). */
long tcp_inq_len(const struct file *f)
{
	const struct tcp_sock *sk = f->private_data;

	return (long)sk->rcv_avail;
}
