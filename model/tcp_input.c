/*
 * The loopback wire of the TCP model (net/ipv4/tcp_input.c, tcp_output.c,
 * tcp_ipv4.c and the socket helpers of net/core/sock.c and stream.c): socket
 * lifetime and ports, the wake-ups, and what a segment does when it arrives:
 * handshake, data, FIN, ACK, RST. A segment for a socket whose owner is
 * inside a system call waits in that socket's backlog until release_sock.
 * See model/tcp.c for the model as a whole.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include "alloc.h"
#include "tcp_sock.h"

/* ---- lifetime ----------------------------------------------------------- */

/* Models sk_alloc() + tcp_init_sock(): a fresh unconnected socket. */
struct tcp_sock *tcp_sock_alloc(struct world *w)
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
void sock_hold(struct tcp_sock *sk)
{
	sk->sk_refcnt++;
}

/* Models sock_put() and, at zero, sk_free(). */
void sock_put(struct tcp_sock *sk)
{
	if (--sk->sk_refcnt)
		return;
	inet_put_port(sk);
	sim_free(sk->world, sk);
}

/* Sever the connection both ways (the sockets stop being each other's peer). */
void tcp_unlink_peer(struct tcp_sock *sk)
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

/* Models the bind-hash walk of inet_csk_find_open_port(): someone holds this port. */
static bool port_in_use(const struct world *w, unsigned int port)
{
	const struct list_head *pos;

	list_for_each(pos, &w->tcp_bind_hash)
		if (list_entry(pos, struct tcp_sock, bind_node)->inet_num == port)
			return true;
	return false;
}

/* Models inet_csk_get_port() with port 0: an ephemeral port. -EADDRINUSE when none is free. */
int inet_csk_get_port(struct tcp_sock *sk)
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
struct tcp_sock *inet_lookup_listener(struct world *w, unsigned int port)
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
void sk_state_change(struct tcp_sock *sk)
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
void sk_error_report(struct tcp_sock *sk)
{
	if (skwq_has_sleeper(sk))
		wake_up_interruptible_poll(&sk->wait, EPOLLERR);
}

/* Models __sk_stream_is_writeable(): a third of the send buffer free (sk_stream_min_wspace). */
bool sk_stream_is_writeable(const struct tcp_sock *sk)
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
void tcp_set_state(struct tcp_sock *sk, int state)
{
	sk->sk_state = state;
	if (state == TCP_CLOSE)
		inet_put_port(sk);
}

/* Models sock_error(): fetch and clear sk_err, as a negative errno. */
int sock_error(struct tcp_sock *sk)
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
bool tcp_need_reset(int state)
{
	return TCPF(state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT) | TCPF(TCP_FIN_WAIT1) |
			      TCPF(TCP_FIN_WAIT2) | TCPF(TCP_SYN_RECV));
}

/* Models tcp_send_active_reset(): the peer gets an RST; the connection is gone. */
void tcp_send_active_reset(struct tcp_sock *sk)
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
	if (sk->peer)	/* our ACK of the FIN (in FIN_WAIT2 it went before tcp_time_wait) */
		tcp_v4_rcv(sk->peer, SEG_FIN_ACK, 0);
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

/* Process one segment now (the socket is not owned); held, as it may lose its last link. */
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
void tcp_v4_rcv(struct tcp_sock *sk, enum tcp_seg seg, size_t len)
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
void lock_sock(struct tcp_sock *sk)
{
	sk->owned = true;
	sock_hold(sk);
}

/* Models release_sock(): process the backlog in arrival order, then let go. */
void release_sock(struct tcp_sock *sk)
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
void tcp_transmit(struct tcp_sock *sk)
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
void tcp_send_fin(struct tcp_sock *sk)
{
	sk->fin_pending = true;
	tcp_transmit(sk);
}

/* Models tcp_close_state(): the state after our close or shutdown; true if a FIN goes out. */
bool tcp_close_state(struct tcp_sock *sk)
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

/* ---- the handshake's end ---------------------------------------------- */

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
bool sk_acceptq_is_full(const struct tcp_sock *sk)
{
	return sk->sk_ack_backlog > sk->sk_max_ack_backlog;
}
