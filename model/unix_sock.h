/*
 * The unix socket of model/unix*.c: struct unix_sock with its struct sock,
 * struct sk_buff as a unix socket uses it, and the helpers the stream and
 * datagram halves share (net/unix/af_unix.c, net/core/sock.c, skbuff.c).
 * Internal to the unix model; the rest of the simulator sees model.h.
 */
#ifndef EPSIM_UNIX_SOCK_H
#define EPSIM_UNIX_SOCK_H

#include <stdbool.h>
#include <sys/types.h>
#include "model.h"

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

/* Socket states used by unix sockets (include/net/tcp_states.h). */
#define TCP_ESTABLISHED 1
#define TCP_CLOSE 7
#define TCP_LISTEN 10

/* skb geometry on x86_64 with 4 KiB pages and MAX_SKB_FRAGS 17. */
#define SMP_CACHE_BYTES 64u
#define SKB_DATA_ALIGN(x) (((x) + (SMP_CACHE_BYTES - 1)) & ~(size_t)(SMP_CACHE_BYTES - 1))
#define SKB_SHINFO_SIZE 320u	/* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define SKB_STRUCT_SIZE 256u	/* SKB_DATA_ALIGN(sizeof(struct sk_buff)) */
#define MAX_SKB_FRAGS 17u
#define KMALLOC_MAX_CACHE_SIZE 8192u
#define PAGE_ALIGN(x) (((x) + (SIM_PAGE_SIZE - 1)) & ~(size_t)(SIM_PAGE_SIZE - 1))
#define SKB_MAX_HEAD0 (SIM_PAGE_SIZE - SKB_SHINFO_SIZE)		/* SKB_MAX_HEAD(0): 3776 */
#define SKB_MAX_ALLOC ((SIM_PAGE_SIZE << 2) - SKB_SHINFO_SIZE)	/* SKB_MAX_ORDER(0, 2): 16064 */
#define UNIX_SKB_FRAGS_SZ 32768u

/* Models struct sk_buff as a unix socket uses it. */
struct sk_buff {
	struct list_head list;		/* on the receiver's sk_receive_queue */
	struct unix_sock *sk;		/* skb->sk: the sender, charged truesize */
	size_t len;
	size_t consumed;		/* UNIXCB(skb).consumed (stream) */
	unsigned int truesize;
};

/* Models struct unix_sock with its struct sock. */
struct unix_sock {
	int type;			/* SOCK_STREAM or SOCK_DGRAM */
	unsigned char state;		/* sk_state */
	unsigned char shutdown;		/* sk_shutdown */
	bool dead;			/* SOCK_DEAD: orphaned by release, sk_wq gone */
	int err;			/* sk_err */
	long refcnt;			/* sk_refcnt: the file, and the peer's unix_peer() */
	long wmem_alloc;		/* sk_wmem_alloc: 1 + truesize of our live skbs */
	int sndbuf;			/* sk_sndbuf */
	unsigned int max_ack_backlog;	/* sk_max_ack_backlog (net.unix.max_dgram_qlen) */
	struct unix_sock *peer;		/* unix_peer() */
	struct list_head receive_queue;	/* sk_receive_queue */
	unsigned int rcvq_len;
	struct wait_queue_head wait;	/* sk->sk_wq->wait */
	struct fasync_struct *fasync_list; /* sk->sk_wq->fasync_list (O_ASYNC files) */
	bool async_nospace;		/* SOCKWQ_ASYNC_NOSPACE: a send or poll found no room */
	struct world *world;
};

/* How sk_wake_async() is asked to signal (enum sock_wake_async). */
enum { SOCK_WAKE_IO, SOCK_WAKE_WAITD, SOCK_WAKE_SPACE, SOCK_WAKE_URG };

/* Models sock_error(): fetch and clear sk_err, as a negative errno. */
static inline int sock_error(struct unix_sock *u)
{
	int err = u->err;

	u->err = 0;
	return -err;
}

/* Models unix_writable(). */
static inline bool unix_writable(const struct unix_sock *u, unsigned char state)
{
	return state != TCP_LISTEN && (u->wmem_alloc << 2) <= u->sndbuf;
}

/* Models sk_free(): drop the socket's own unit of sk_wmem_alloc (model/unix_sock.c). */
void sk_free(struct unix_sock *u);

/* Models sock_put(). */
static inline void sock_put(struct unix_sock *u)
{
	if (--u->refcnt == 0)
		sk_free(u);
}

/* model/unix_sock.c: wake-ups and skbs. */
void sk_wake_async(struct unix_sock *u, int how, int band);
void sock_def_wakeup(struct unix_sock *u);
void kfree_skb(struct sk_buff *skb);
struct sk_buff *sock_alloc_send_pskb(struct unix_sock *u, size_t header_len,
				     size_t data_len, int *errcode);
void unix_queue_skb(struct unix_sock *other, struct sk_buff *skb);
void unix_consume_skb(struct unix_sock *u, struct sk_buff *skb);

/* model/unix_stream.c: the SOCK_STREAM methods. */
ssize_t unix_stream_sendmsg(struct file *file, struct sim_io *io);
ssize_t unix_stream_recvmsg(struct file *file, struct sim_io *io);
__poll_t unix_poll(struct file *file, poll_table *wait);
__poll_t unix_peek(const struct file *file);

/* model/unix_dgram.c: the SOCK_DGRAM methods. */
ssize_t unix_dgram_sendmsg(struct file *file, struct sim_io *io);
ssize_t unix_dgram_recvmsg(struct file *file, struct sim_io *io);
__poll_t unix_dgram_poll(struct file *file, poll_table *wait);
__poll_t unix_dgram_peek(const struct file *file);

#endif
