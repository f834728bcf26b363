/*
 * TCP sockets over the loopback device, modelled on net/ipv4/tcp*.c,
 * af_inet.c, inet_connection_sock.c and the stream helpers of net/core
 * (Linux 6.18), as far as epoll can see them: states, shutdown bits, sk_err,
 * the accept queue, byte counts in flight, and exactly which wake-up (with
 * which key) each event issues on the socket's wait queue.
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
 * Not modelled: timers (retransmission, delayed ACK, keepalive, FIN_WAIT2
 * and TIME_WAIT timeouts), urgent data, Fast Open, SO_RCVLOWAT, a SYN
 * dropped for a full accept queue being retried, a socket connecting to its
 * own port (simultaneous open), and SIGPIPE.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "alloc.h"
#include "model.h"

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

#define TCPF(state) (1u << (state))

/* Models socket_state (include/uapi/linux/net.h). */
enum socket_state { SS_FREE, SS_UNCONNECTED, SS_CONNECTING, SS_CONNECTED, SS_DISCONNECTING };

/* A segment on the simulated wire (what the receiver's tcp_v4_rcv sees). */
enum tcp_seg { SEG_SYNACK, SEG_DATA, SEG_FIN, SEG_ACK, SEG_FIN_ACK, SEG_RST };

#define TCP_BACKLOG_MAX 16

/* Models the socket backlog (sk->sk_backlog) of an owned socket. */
struct tcp_backlog_entry {
	enum tcp_seg seg;
	size_t len;
};

/* Models struct tcp_sock with its inet_connection_sock, sock and struct socket. */
struct tcp_sock {
	enum socket_state sock_state;	/* sock->state */
	bool sock_nospace;		/* SOCK_NOSPACE in sock->flags */
	int sk_state;			/* TCP_ESTABLISHED ... (include/net/tcp_states.h) */
	unsigned char sk_shutdown;
	int sk_err;
	bool sock_dead;			/* SOCK_DEAD: orphaned, no wait queue */
	bool sock_done;			/* SOCK_DONE: a FIN arrived */
	bool sock_linger;		/* SOCK_LINGER */
	int sk_lingertime;		/* seconds */
	long sk_refcnt;			/* owner (file or accept queue) + peer links */
	size_t sk_sndbuf;
	unsigned int sk_ack_backlog, sk_max_ack_backlog;
	struct wait_queue_head wait;	/* sk->sk_wq->wait */
	struct world *world;
	unsigned int inet_num;		/* local port; 0: none */
	unsigned int inet_dport;	/* remote port */
	struct list_head bind_node;	/* world.tcp_bind_hash while inet_num != 0 */
	struct list_head accept_queue;	/* icsk_accept_queue: established children */
	struct list_head accept_node;	/* on the parent's accept_queue */
	struct tcp_sock *parent;	/* the listener while queued */
	struct tcp_sock *peer;		/* the other end of the connection; holds a reference */
	size_t rcv_avail;		/* rcv_nxt - copied_seq: received, unread */
	size_t snd_pending;		/* written, not yet taken by the receiver */
	bool fin_pending;		/* a FIN queued behind snd_pending */
	struct tcp_sock *req_child;	/* the listener's child, made with our SYN, until its SYN-ACK */
	bool owned;			/* sock_owned_by_user: inside one of its system calls */
	struct tcp_backlog_entry backlog[TCP_BACKLOG_MAX];
	int backlog_len;
};

static const struct file_operations tcp_fops;

static void tcp_v4_rcv(struct tcp_sock *sk, enum tcp_seg seg, size_t len);
static void tcp_transmit(struct tcp_sock *sk);

/* ---- lifetime ----------------------------------------------------------- */

/* Models sk_alloc() + tcp_init_sock(): a fresh unconnected socket. */
static struct tcp_sock *tcp_sock_alloc(struct world *w)
{
	struct tcp_sock *sk = sim_zalloc(w, sizeof(*sk));

	if (!sk)
		return NULL;
	sk->sock_state = SS_UNCONNECTED;
	sk->sk_state = TCP_CLOSE;
	sk->sk_refcnt = 1;
	sk->sk_sndbuf = TCP_DEFAULT_SNDBUF;
	init_waitqueue_head(&sk->wait);
	sk->world = w;
	INIT_LIST_HEAD(&sk->bind_node);
	INIT_LIST_HEAD(&sk->accept_queue);
	INIT_LIST_HEAD(&sk->accept_node);
	return sk;
}

/* Models inet_put_port(): give the port back. */
static void inet_put_port(struct tcp_sock *sk)
{
	list_del_init(&sk->bind_node);
	sk->inet_num = 0;
}

/* Models sock_hold(). */
static void sock_hold(struct tcp_sock *sk)
{
	sk->sk_refcnt++;
}

/* Models sock_put() and, at zero, sk_free(). */
static void sock_put(struct tcp_sock *sk)
{
	if (--sk->sk_refcnt)
		return;
	inet_put_port(sk);
	sim_free(sk->world, sk);
}

/* Sever the connection both ways (the sockets stop being each other's peer). */
static void tcp_unlink_peer(struct tcp_sock *sk)
{
	struct tcp_sock *peer = sk->peer;

	if (!peer)
		return;
	sk->peer = NULL;
	if (peer->peer == sk) {
		peer->peer = NULL;
		sock_put(sk);
	}
	sock_put(peer);
}

/* ---- ports -------------------------------------------------------------- */

static bool port_in_use(const struct world *w, unsigned int port)
{
	const struct list_head *pos;

	list_for_each(pos, &w->tcp_bind_hash)
		if (list_entry(pos, struct tcp_sock, bind_node)->inet_num == port)
			return true;
	return false;
}

/* Models inet_csk_get_port() with port 0: an ephemeral port. -EADDRINUSE when none is free. */
static int inet_csk_get_port(struct tcp_sock *sk)
{
	struct world *w = sk->world;
	int span = TCP_PORT_HIGH - TCP_PORT_LOW + 1;

	for (int i = 0; i < span; i++) {
		unsigned int port = TCP_PORT_LOW + (unsigned int)((w->tcp_port_rover + i) % span);

		if (!port_in_use(w, port)) {
			w->tcp_port_rover = (int)(port - TCP_PORT_LOW + 1) % span;
			sk->inet_num = port;
			list_add_tail(&sk->bind_node, &w->tcp_bind_hash);
			return 0;
		}
	}
	return -EADDRINUSE;
}

/* Models __inet_lookup_listener() for 127.0.0.1:port. */
static struct tcp_sock *inet_lookup_listener(struct world *w, unsigned int port)
{
	struct list_head *pos;

	list_for_each(pos, &w->tcp_bind_hash) {
		struct tcp_sock *sk = list_entry(pos, struct tcp_sock, bind_node);

		if (sk->inet_num == port && sk->sk_state == TCP_LISTEN)
			return sk;
	}
	return NULL;
}

/* ---- wake-ups (net/core/sock.c, net/core/stream.c) --------------------- */

/* Models skwq_has_sleeper(): an orphan has no wait queue any more. */
static bool skwq_has_sleeper(const struct tcp_sock *sk)
{
	return !sk->sock_dead && waitqueue_active(&sk->wait);
}

/* Models sock_def_wakeup(), sk_state_change: a NULL key, every waiter. */
static void sk_state_change(struct tcp_sock *sk)
{
	if (skwq_has_sleeper(sk))
		wake_up_interruptible_all(&sk->wait);
}

/* Models sock_def_readable(), sk_data_ready. */
static void sk_data_ready(struct tcp_sock *sk)
{
	if (skwq_has_sleeper(sk))
		wake_up_interruptible_sync_poll(&sk->wait,
						EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND);
}

/* Models sock_def_error_report(), sk_error_report. */
static void sk_error_report(struct tcp_sock *sk)
{
	if (skwq_has_sleeper(sk))
		wake_up_interruptible_poll(&sk->wait, EPOLLERR);
}

/* Models __sk_stream_is_writeable(): a third of the send buffer free (sk_stream_min_wspace). */
static bool sk_stream_is_writeable(const struct tcp_sock *sk)
{
	size_t queued = sk->snd_pending;

	return queued < sk->sk_sndbuf && sk->sk_sndbuf - queued >= queued / 2;
}

/* Models sk_stream_write_space(), the sk_write_space of TCP. */
static void sk_stream_write_space(struct tcp_sock *sk)
{
	if (!sk_stream_is_writeable(sk) || sk->sock_dead)
		return;
	sk->sock_nospace = false;
	if (skwq_has_sleeper(sk))
		wake_up_interruptible_poll(&sk->wait, EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
}

/* ---- state -------------------------------------------------------------- */

/* Models tcp_set_state(): a socket that reaches TCP_CLOSE gives its port back. */
static void tcp_set_state(struct tcp_sock *sk, int state)
{
	sk->sk_state = state;
	if (state == TCP_CLOSE)
		inet_put_port(sk);
}

/* Models sock_error(): fetch and clear sk_err, as a negative errno. */
static int sock_error(struct tcp_sock *sk)
{
	int err = sk->sk_err;

	sk->sk_err = 0;
	return -err;
}

/* Models tcp_done(): closed for good; an orphan goes away (inet_csk_destroy_sock). */
static void tcp_done(struct tcp_sock *sk)
{
	tcp_set_state(sk, TCP_CLOSE);
	sk->sk_shutdown = SHUTDOWN_MASK;
	tcp_unlink_peer(sk);
	if (!sk->sock_dead)
		sk_state_change(sk);
}

/* Models tcp_reset() via tcp_done_with_error(): an RST arrived. */
static void tcp_reset(struct tcp_sock *sk)
{
	int err;

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		err = ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		err = EPIPE;
		break;
	case TCP_CLOSE:
		return;
	default:
		err = ECONNRESET;
	}
	sk->sk_err = err;
	sk->snd_pending = 0;	/* tcp_write_queue_purge */
	sk->fin_pending = false;
	sock_hold(sk);		/* tcp_done may drop the last link */
	tcp_done(sk);
	if (!sk->sock_dead)
		sk_error_report(sk);
	sock_put(sk);
}

/* Models tcp_need_reset(): the states in which an abort sends an RST. */
static bool tcp_need_reset(int state)
{
	return TCPF(state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT) | TCPF(TCP_FIN_WAIT1) |
			      TCPF(TCP_FIN_WAIT2) | TCPF(TCP_SYN_RECV));
}

/* Models tcp_send_active_reset(): the peer gets an RST; the connection is gone. */
static void tcp_send_active_reset(struct tcp_sock *sk)
{
	struct tcp_sock *peer = sk->peer;

	if (!peer)
		return;
	sock_hold(peer);
	tcp_unlink_peer(sk);
	tcp_v4_rcv(peer, SEG_RST, 0);
	sock_put(peer);
}

/* ---- segments arriving -------------------------------------------------- */

/* Models tcp_fin(): the peer's FIN arrived (after all its data). */
static void tcp_fin(struct tcp_sock *sk)
{
	struct tcp_sock *peer = sk->peer;

	sk->sk_shutdown |= RCV_SHUTDOWN;
	sk->sock_done = true;
	sock_hold(sk);
	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		tcp_set_state(sk, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:	/* simultaneous close */
		tcp_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:	/* tcp_time_wait(): the full socket is done */
		if (peer)
			tcp_v4_rcv(peer, SEG_FIN_ACK, 0);
		tcp_done(sk);
		break;
	default:
		break;
	}
	if (!sk->sock_dead) {
		sk_state_change(sk);
		sk_data_ready(sk);	/* tcp_data_ready: SOCK_DONE */
	}
	if (sk->peer && sk->sk_state != TCP_FIN_WAIT2)
		tcp_v4_rcv(sk->peer, SEG_FIN_ACK, 0);
	sock_put(sk);
}

/* Models the FIN_WAIT1, CLOSING and LAST_ACK branches of tcp_rcv_state_process(): our FIN is acked. */
static void tcp_fin_acked(struct tcp_sock *sk)
{
	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		tcp_set_state(sk, TCP_FIN_WAIT2);
		sk->sk_shutdown |= SEND_SHUTDOWN;
		if (!sk->sock_dead)
			sk_state_change(sk);
		break;
	case TCP_CLOSING:	/* tcp_time_wait() */
	case TCP_LAST_ACK:
		tcp_done(sk);
		break;
	default:
		break;
	}
}

/* Models tcp_data_queue(): data in order, or an abort when we no longer read. */
static void tcp_data_queue(struct tcp_sock *sk, size_t len)
{
	if ((TCPF(sk->sk_state) & (TCPF(TCP_FIN_WAIT1) | TCPF(TCP_FIN_WAIT2))) &&
	    (sk->sk_shutdown & RCV_SHUTDOWN)) {
		tcp_send_active_reset(sk);	/* tcp_rcv_state_process: data after shutdown */
		tcp_reset(sk);
		return;
	}
	sk->rcv_avail += len;
	if (!sk->sock_dead)
		sk_data_ready(sk);	/* tcp_data_ready */
	if (sk->peer)
		tcp_v4_rcv(sk->peer, SEG_ACK, 0);
}

/* Models tcp_check_space(): an ACK freed send space; tell a writer that found none. */
static void tcp_check_space(struct tcp_sock *sk)
{
	if (sk->sock_nospace)
		sk_stream_write_space(sk);	/* tcp_new_space */
}

/* Models tcp_finish_connect() and the final ACK that lets the listener queue the child. */
static void tcp_rcv_synsent_state_process(struct tcp_sock *sk);

/* Process one segment now (the socket is not owned); sk may lose its last link meanwhile. */
static void tcp_rcv_segment(struct tcp_sock *sk, enum tcp_seg seg, size_t len)
{
	sock_hold(sk);
	switch (seg) {
	case SEG_SYNACK:
		tcp_rcv_synsent_state_process(sk);
		break;
	case SEG_DATA:
		tcp_data_queue(sk, len);
		break;
	case SEG_FIN:
		tcp_fin(sk);
		break;
	case SEG_ACK:
		tcp_transmit(sk);	/* tcp_data_snd_check: the window may have opened */
		tcp_check_space(sk);
		break;
	case SEG_FIN_ACK:
		tcp_fin_acked(sk);
		break;
	case SEG_RST:
		tcp_reset(sk);
		break;
	}
	sock_put(sk);
}

/* Models tcp_v4_rcv(): a segment arrives; an owned socket keeps it in its backlog. */
static void tcp_v4_rcv(struct tcp_sock *sk, enum tcp_seg seg, size_t len)
{
	if (sk->owned) {
		struct tcp_backlog_entry *last = sk->backlog_len ? &sk->backlog[sk->backlog_len - 1]
								 : NULL;

		if (last && last->seg == seg && (seg == SEG_DATA || seg == SEG_ACK)) {
			last->len += len;	/* segments of one kind in a row: one entry */
			return;
		}
		if (sk->backlog_len < TCP_BACKLOG_MAX)
			sk->backlog[sk->backlog_len++] = (struct tcp_backlog_entry){ seg, len };
		return;
	}
	tcp_rcv_segment(sk, seg, len);
}

/* Models lock_sock(). */
static void lock_sock(struct tcp_sock *sk)
{
	sk->owned = true;
	sock_hold(sk);
}

/* Models release_sock(): process the backlog in arrival order, then let go. */
static void release_sock(struct tcp_sock *sk)
{
	for (int i = 0; i < sk->backlog_len; i++)
		tcp_rcv_segment(sk, sk->backlog[i].seg, sk->backlog[i].len);
	sk->backlog_len = 0;
	sk->owned = false;
	sock_put(sk);
}

/* Bytes the receiver still takes: its window minus what it holds or has in its backlog. */
static size_t tcp_receive_room(const struct tcp_sock *sk)
{
	size_t held = sk->rcv_avail;

	for (int i = 0; i < sk->backlog_len; i++)
		if (sk->backlog[i].seg == SEG_DATA)
			held += sk->backlog[i].len;
	return held < TCP_RCV_WINDOW ? TCP_RCV_WINDOW - held : 0;
}

/* Models tcp_write_xmit(): send what the peer's window takes, one segment per MSS, then a FIN. */
static void tcp_transmit(struct tcp_sock *sk)
{
	while (sk->peer && sk->snd_pending) {
		size_t n = tcp_receive_room(sk->peer);

		if (n == 0)
			return;
		if (n > sk->snd_pending)
			n = sk->snd_pending;
		if (n > TCP_LOOPBACK_MSS)
			n = TCP_LOOPBACK_MSS;
		sk->snd_pending -= n;
		tcp_v4_rcv(sk->peer, SEG_DATA, n);
	}
	if (sk->fin_pending && !sk->snd_pending) {
		sk->fin_pending = false;
		if (sk->peer)
			tcp_v4_rcv(sk->peer, SEG_FIN, 0);
	}
}

/* Models tcp_send_fin(): the FIN follows the data still queued. */
static void tcp_send_fin(struct tcp_sock *sk)
{
	sk->fin_pending = true;
	tcp_transmit(sk);
}

/* Models tcp_close_state(): the state after our close or shutdown; true if a FIN goes out. */
static bool tcp_close_state(struct tcp_sock *sk)
{
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
	case TCP_SYN_RECV:
		tcp_set_state(sk, TCP_FIN_WAIT1);
		return true;
	case TCP_CLOSE_WAIT:
		tcp_set_state(sk, TCP_LAST_ACK);
		return true;
	case TCP_SYN_SENT:
		tcp_set_state(sk, TCP_CLOSE);
		return false;
	default:
		return false;
	}
}

/* ---- connecting --------------------------------------------------------- */

/*
 * Models tcp_create_openreq_child() + inet_csk_reqsk_queue_add(): the
 * listener's new child (allocated with the SYN, see tcp_v4_connect).
 */
static void tcp_child_queue(struct tcp_sock *listener, struct tcp_sock *child,
			    struct tcp_sock *client)
{
	child->sk_state = TCP_ESTABLISHED;
	child->sock_state = SS_CONNECTED;	/* set by sock_graft at accept */
	child->sk_sndbuf = TCP_ESTABLISHED_SNDBUF;
	child->inet_num = listener->inet_num;	/* shares the listener's port: not in the bind hash */
	child->inet_dport = client->inet_num;
	child->parent = listener;
	list_add_tail(&child->accept_node, &listener->accept_queue);
	listener->sk_ack_backlog++;
}

/* Join two sockets into one connection, each holding a reference on the other. */
static void tcp_link_peers(struct tcp_sock *a, struct tcp_sock *b)
{
	sock_hold(a);
	sock_hold(b);
	a->peer = b;
	b->peer = a;
}

/* Models tcp_rcv_synsent_state_process() for the SYN-ACK of a loopback listener. */
static void tcp_rcv_synsent_state_process(struct tcp_sock *sk)
{
	struct tcp_sock *listener = inet_lookup_listener(sk->world, sk->inet_dport);
	struct tcp_sock *child = sk->req_child;

	sk->req_child = NULL;
	if (sk->sk_state != TCP_SYN_SENT || !listener || !child) {
		if (child)
			sock_put(child);
		return;
	}
	tcp_set_state(sk, TCP_ESTABLISHED);	/* tcp_finish_connect */
	sk->sk_sndbuf = TCP_ESTABLISHED_SNDBUF;	/* tcp_init_buffer_space: tcp_sndbuf_expand */
	if (!sk->sock_dead)
		sk_state_change(sk);
	/* tcp_send_ack: the listener turns the request into a child and says so */
	tcp_child_queue(listener, child, sk);
	tcp_link_peers(sk, child);
	sk_data_ready(listener);
}

/* Models sk_acceptq_is_full(). */
static bool sk_acceptq_is_full(const struct tcp_sock *sk)
{
	return sk->sk_ack_backlog > sk->sk_max_ack_backlog;
}

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
