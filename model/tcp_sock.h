/*
 * The TCP socket of model/tcp.c and model/tcp_input.c: struct tcp_sock and
 * what the system-call side (tcp.c) uses of the wire side (tcp_input.c).
 * Internal to the TCP model; model.h is the public face.
 */
#ifndef EPSIM_TCP_SOCK_H
#define EPSIM_TCP_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include "model.h"
#include "wait.h"

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

/* Models inet_stream_ops, the socket calls of a TCP socket (model/af_inet.c). */
extern const struct proto_ops inet_stream_ops;

/* Models sk_alloc() + tcp_init_sock(): a fresh unconnected socket. */
struct tcp_sock *tcp_sock_alloc(struct world *w);
/* Models sock_hold(). */
void sock_hold(struct tcp_sock *sk);
/* Models sock_put() and, at zero, sk_free(). */
void sock_put(struct tcp_sock *sk);
/* Sever the connection both ways (the sockets stop being each other's peer). */
void tcp_unlink_peer(struct tcp_sock *sk);
/* Models inet_csk_get_port() with port 0: an ephemeral port. -EADDRINUSE when none is free. */
int inet_csk_get_port(struct tcp_sock *sk);
/* Models __inet_lookup_listener() for 127.0.0.1:port. */
struct tcp_sock *inet_lookup_listener(struct world *w, unsigned int port);
/* Models sock_def_wakeup(), sk_state_change: a NULL key, every waiter. */
void sk_state_change(struct tcp_sock *sk);
/* Models sock_def_error_report(), sk_error_report. */
void sk_error_report(struct tcp_sock *sk);
/* Models __sk_stream_is_writeable(): a third of the send buffer free (sk_stream_min_wspace). */
bool sk_stream_is_writeable(const struct tcp_sock *sk);
/* Models tcp_set_state(): a socket that reaches TCP_CLOSE gives its port back. */
void tcp_set_state(struct tcp_sock *sk, int state);
/* Models sock_error(): fetch and clear sk_err, as a negative errno. */
int sock_error(struct tcp_sock *sk);
/* Models tcp_need_reset(): the states in which an abort sends an RST. */
bool tcp_need_reset(int state);
/* Models tcp_send_active_reset(): the peer gets an RST; the connection is gone. */
void tcp_send_active_reset(struct tcp_sock *sk);
/* Models tcp_v4_rcv(): a segment arrives; an owned socket keeps it in its backlog. */
void tcp_v4_rcv(struct tcp_sock *sk, enum tcp_seg seg, size_t len);
/* Models lock_sock(). */
void lock_sock(struct tcp_sock *sk);
/* Models release_sock(): process the backlog in arrival order, then let go. */
void release_sock(struct tcp_sock *sk);
/* Models tcp_write_xmit(): send what the peer's window takes, one segment per MSS, then a FIN. */
void tcp_transmit(struct tcp_sock *sk);
/* Models tcp_send_fin(): the FIN follows the data still queued. */
void tcp_send_fin(struct tcp_sock *sk);
/* Models tcp_close_state(): the state after our close or shutdown; true if a FIN goes out. */
bool tcp_close_state(struct tcp_sock *sk);
/* Models sk_acceptq_is_full(). */
bool sk_acceptq_is_full(const struct tcp_sock *sk);

#endif
