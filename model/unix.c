/*
 * Unix domain socketpairs, modelled on net/unix/af_unix.c and the generic
 * socket helpers of net/core/sock.c (Linux 6.18), stream and datagram.
 *
 * Each socket has its own wait queue (sk->sk_wq->wait), a receive queue of
 * skbs, shutdown bits, sk_err, and sk_wmem_alloc. Like the kernel,
 * sk_wmem_alloc starts at 1 (the socket's own reference) and every skb adds
 * its truesize to its *sender's* count until the receiver frees it; the
 * socket's memory goes when both sk_refcnt and sk_wmem_alloc reach zero.
 *
 * skb truesize (unix_skb_truesize): the kernel charges
 *   kmalloc_size_roundup(SKB_DATA_ALIGN(linear) + SKB_DATA_ALIGN(sizeof(skb_shared_info)))
 *   + SKB_DATA_ALIGN(sizeof(struct sk_buff)) + PAGE_ALIGN(paged bytes)
 * with, on x86_64, sizeof(skb_shared_info) aligned = 320 and sizeof(sk_buff)
 * aligned = 256. Unix sockets allocate with GFP_KERNEL_ACCOUNT, which skips
 * the small-head cache, so the head comes from the kmalloc size classes.
 * A stream send of up to 3776 bytes is all linear; beyond that it is all or
 * mostly page fragments (unix_stream_sendmsg). This gives the measured table:
 * 1-100 bytes -> 512+256 = 768; 200-500 -> 1024+256 = 1280; 1000 -> 2048+256
 * = 2304; 2000 -> 4096+256 = 4352; 4096 -> (head 0 bytes) 512+256+4096 = 4864.
 *
 * Not modelled: listen/connect/accept, SEQPACKET, SCM rights and credentials,
 * MSG_OOB, MSG_PEEK, the peer_wait relay of asymmetric datagram sockets
 * (a socketpair is always connected both ways), SIGPIPE, and fasync.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "alloc.h"
#include "fasync.h"
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

static const struct file_operations unix_stream_fops;
static const struct file_operations unix_dgram_fops;

static void kfree_skb(struct sk_buff *skb);

/* ---- truesize ----------------------------------------------------------- */

/* Models kmalloc_size_roundup() for SLUB's kmalloc caches and the page allocator above them. */
static size_t kmalloc_size_roundup(size_t size)
{
	static const size_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256,
					  512, 1024, 2048, 4096, 8192 };
	size_t pages = SIM_PAGE_SIZE;

	if (size <= KMALLOC_MAX_CACHE_SIZE) {
		for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
			if (size <= classes[i])
				return classes[i];
	}
	while (pages < size)
		pages <<= 1;	/* PAGE_SIZE << get_order(size) */
	return pages;
}

/* Models the truesize of alloc_skb_with_frags(linear, paged): head slab plus whole pages. */
unsigned int unix_skb_truesize(size_t linear, size_t paged)
{
	size_t head = kmalloc_size_roundup(SKB_DATA_ALIGN(linear) + SKB_SHINFO_SIZE);

	return (unsigned int)(head + SKB_STRUCT_SIZE + PAGE_ALIGN(paged));
}

/* ---- socket lifetime ---------------------------------------------------- */

/* Models __sk_free() with unix_sock_destructor(): the memory goes. */
static void __sk_free(struct unix_sock *u)
{
	while (!list_empty(&u->receive_queue)) {
		struct sk_buff *skb = list_first_entry(&u->receive_queue, struct sk_buff, list);

		list_del_init(&skb->list);
		u->rcvq_len--;
		kfree_skb(skb);
	}
	sim_free(u->world, u);
}

/* Models sk_free(): drop the socket's own unit of sk_wmem_alloc. */
static void sk_free(struct unix_sock *u)
{
	if (--u->wmem_alloc == 0)
		__sk_free(u);
}

/* Models sock_put(). */
static void sock_put(struct unix_sock *u)
{
	if (--u->refcnt == 0)
		sk_free(u);
}

/* Models sock_error(): fetch and clear sk_err, as a negative errno. */
static int sock_error(struct unix_sock *u)
{
	int err = u->err;

	u->err = 0;
	return -err;
}

/* ---- wake-ups ----------------------------------------------------------- */

/* Models skwq_has_sleeper(): an orphaned socket has no wait queue any more. */
static bool skwq_has_sleeper(const struct unix_sock *u)
{
	return !u->dead && waitqueue_active(&u->wait);
}

/* Models unix_writable(). */
static bool unix_writable(const struct unix_sock *u, unsigned char state)
{
	return state != TCP_LISTEN && (u->wmem_alloc << 2) <= u->sndbuf;
}

/*
 * Models sk_wake_async() + sock_wake_async(): SIGIO to the owners of the
 * socket's O_ASYNC files. SOCK_WAKE_SPACE only after a send or poll found no
 * room; SOCK_WAKE_WAITD is skipped while a reader sleeps for data, which only
 * a blocking receive does (not modelled: it never sleeps here).
 */
static void sk_wake_async(struct unix_sock *u, int how, int band)
{
	if (u->dead || !u->fasync_list)
		return;
	if (how == SOCK_WAKE_SPACE) {
		if (!u->async_nospace)
			return;
		u->async_nospace = false;
	}
	kill_fasync(&u->fasync_list, how == SOCK_WAKE_URG ? SIGURG : SIGIO, band);
}

/* Models unix_write_space(). */
static void unix_write_space(struct unix_sock *u)
{
	if (!unix_writable(u, u->state))
		return;
	if (skwq_has_sleeper(u))
		wake_up_interruptible_sync_poll(&u->wait, EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
	sk_wake_async(u, SOCK_WAKE_SPACE, POLL_OUT);
}

/* Models sock_def_readable(), the sk_data_ready of unix sockets. */
static void sock_def_readable(struct unix_sock *u)
{
	if (skwq_has_sleeper(u))
		wake_up_interruptible_sync_poll(&u->wait,
						EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND);
	sk_wake_async(u, SOCK_WAKE_WAITD, POLL_IN);
}

/* Models sock_def_wakeup(), the sk_state_change of unix sockets. */
static void sock_def_wakeup(struct unix_sock *u)
{
	if (skwq_has_sleeper(u))
		wake_up_interruptible_all(&u->wait);
}

/* ---- skbs --------------------------------------------------------------- */

/* Models sock_wfree(): uncharge the sender, telling it about write space first. */
static void sock_wfree(struct sk_buff *skb)
{
	struct unix_sock *u = skb->sk;

	/* One unit stays held across the write_space call, as in the kernel. */
	u->wmem_alloc -= (long)skb->truesize - 1;
	unix_write_space(u);
	if (--u->wmem_alloc == 0)
		__sk_free(u);
}

/* Models kfree_skb() / consume_skb() of an unlinked skb (destructor unix_destruct_scm). */
static void kfree_skb(struct sk_buff *skb)
{
	struct world *w = skb->sk->world;

	sock_wfree(skb);
	sim_free(w, skb);
}

/* Models sock_alloc_send_pskb(), non-blocking, with skb_set_owner_w(). */
static struct sk_buff *sock_alloc_send_pskb(struct unix_sock *u, size_t header_len,
					    size_t data_len, int *errcode)
{
	struct sk_buff *skb;

	*errcode = sock_error(u);
	if (*errcode)
		return NULL;
	*errcode = -EPIPE;
	if (u->shutdown & SEND_SHUTDOWN)
		return NULL;
	*errcode = -EAGAIN;
	if (u->wmem_alloc - 1 >= u->sndbuf) {
		u->async_nospace = true;	/* sk_set_bit(SOCKWQ_ASYNC_NOSPACE) */
		return NULL;
	}
	*errcode = -ENOBUFS;
	skb = sim_zalloc(u->world, sizeof(*skb));
	if (!skb)
		return NULL;
	INIT_LIST_HEAD(&skb->list);
	skb->len = header_len + data_len;
	skb->truesize = unix_skb_truesize(header_len, data_len);
	skb->sk = u;
	u->wmem_alloc += skb->truesize;
	*errcode = 0;
	return skb;
}

/* Models skb_queue_tail() onto the receiver followed by its sk_data_ready. */
static void unix_queue_skb(struct unix_sock *other, struct sk_buff *skb)
{
	list_add_tail(&skb->list, &other->receive_queue);
	other->rcvq_len++;
	sock_def_readable(other);
}

/* Models skb_unlink() + consume_skb() of a receive-queue skb. */
static void unix_consume_skb(struct unix_sock *u, struct sk_buff *skb)
{
	list_del_init(&skb->list);
	u->rcvq_len--;
	kfree_skb(skb);
}

/* ---- stream ------------------------------------------------------------- */

/* Models the per-skb sizing of unix_stream_sendmsg(): total size and paged part. */
static size_t unix_stream_skb_size(const struct unix_sock *u, size_t left, size_t *data_len)
{
	size_t size = left;
	size_t half = (size_t)(u->sndbuf >> 1) - 64;

	if (size > half)
		size = half;
	if (size > SKB_MAX_HEAD0 + UNIX_SKB_FRAGS_SZ)
		size = SKB_MAX_HEAD0 + UNIX_SKB_FRAGS_SZ;
	*data_len = size > SKB_MAX_HEAD0 ? PAGE_ALIGN(size - SKB_MAX_HEAD0) : 0;
	if (*data_len > size)
		*data_len = size;
	return size;
}

/* Models unix_stream_sendmsg(), non-blocking: one skb per chunk, a data-ready wake per skb. */
static ssize_t unix_stream_sendmsg(struct file *file, struct sim_io *io)
{
	struct unix_sock *u = file->private_data;
	struct unix_sock *other = u->peer;
	size_t sent = 0;
	int err = 0;

	if (!other)
		return -ENOTCONN;
	if (u->shutdown & SEND_SHUTDOWN)
		return -EPIPE;
	while (sent < io->len) {
		size_t data_len, size = unix_stream_skb_size(u, io->len - sent, &data_len);
		struct sk_buff *skb = sock_alloc_send_pskb(u, size - data_len, data_len, &err);

		if (!skb)
			break;
		if (other->dead || (other->shutdown & RCV_SHUTDOWN)) {
			kfree_skb(skb);
			err = -EPIPE;
			break;
		}
		unix_queue_skb(other, skb);
		sent += size;
	}
	return sent ? (ssize_t)sent : err;
}

/* Models unix_stream_read_generic() for a plain non-blocking recvmsg. */
static ssize_t unix_stream_recvmsg(struct file *file, struct sim_io *io)
{
	struct unix_sock *u = file->private_data;
	size_t size = io->len, copied = 0;

	if (size == 0)
		return 0;	/* sock_read_iter: empty reads succeed at once */
	if (u->state != TCP_ESTABLISHED)
		return -EINVAL;
	do {
		struct sk_buff *skb;
		size_t chunk;

		if (list_empty(&u->receive_queue)) {
			int err;

			if (copied)
				break;
			err = sock_error(u);
			if (err)
				return err;
			return (u->shutdown & RCV_SHUTDOWN) ? 0 : -EAGAIN;
		}
		skb = list_first_entry(&u->receive_queue, struct sk_buff, list);
		chunk = skb->len - skb->consumed;
		if (chunk > size)
			chunk = size;
		copied += chunk;
		size -= chunk;
		skb->consumed += chunk;
		if (skb->len - skb->consumed)
			break;
		unix_consume_skb(u, skb);
	} while (size);
	return (ssize_t)copied;
}

/* The readiness half of unix_poll(): no side effects (file_operations.peek). */
static __poll_t unix_peek(const struct file *file)
{
	const struct unix_sock *u = file->private_data;
	__poll_t mask = 0;

	if (u->err)
		mask |= EPOLLERR;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
	if (!list_empty(&u->receive_queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (u->type == SOCK_STREAM && u->state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (unix_writable(u, u->state))
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	return mask;
}

/* Models unix_poll(). */
static __poll_t unix_poll(struct file *file, poll_table *wait)
{
	struct unix_sock *u = file->private_data;

	poll_wait(file, &u->wait, wait);	/* sock_poll_wait */
	return unix_peek(file);
}

/* ---- datagram ----------------------------------------------------------- */

/* Models unix_recvq_full_lockless(). */
static bool unix_recvq_full(const struct unix_sock *u)
{
	return u->rcvq_len > u->max_ack_backlog;
}

/*
 * Models the SOCK_DEAD branch of unix_dgram_sendmsg() for a socket whose
 * peer has been closed: disconnect (with unix_dgram_peer_wake_disconnect_wakeup's
 * write-space wake and unix_dgram_disconnected's purge), drop the peer.
 */
static void unix_dgram_peer_gone(struct unix_sock *u, struct unix_sock *other)
{
	u->peer = NULL;
	wake_up_interruptible_poll(&u->wait, EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
	u->state = TCP_CLOSE;
	while (!list_empty(&u->receive_queue))
		unix_consume_skb(u, list_first_entry(&u->receive_queue, struct sk_buff, list));
	sock_put(other);
}

/* Models the skb layout of unix_dgram_sendmsg(): linear up to SKB_MAX_ALLOC, then pages. */
static size_t unix_dgram_data_len(size_t len)
{
	size_t data_len;

	if (len <= SKB_MAX_ALLOC)
		return 0;
	data_len = len - SKB_MAX_ALLOC;
	if (data_len > MAX_SKB_FRAGS * SIM_PAGE_SIZE)
		data_len = MAX_SKB_FRAGS * SIM_PAGE_SIZE;
	return PAGE_ALIGN(data_len);
}

/* Models unix_dgram_sendmsg() on a connected socket, non-blocking: one datagram per call. */
static ssize_t unix_dgram_sendmsg(struct file *file, struct sim_io *io)
{
	struct unix_sock *u = file->private_data;
	struct unix_sock *other = u->peer;
	size_t data_len;
	struct sk_buff *skb;
	int err;

	if (io->len > (size_t)u->sndbuf - 32)
		return -EMSGSIZE;
	data_len = unix_dgram_data_len(io->len);
	skb = sock_alloc_send_pskb(u, io->len - data_len, data_len, &err);
	if (!skb)
		return err;
	err = 0;
	if (!other) {
		err = -ENOTCONN;	/* the peer is looked up after the skb exists (6.10+) */
	} else if (other->dead) {
		unix_dgram_peer_gone(u, other);
		err = -ECONNREFUSED;
	} else if (other->shutdown & RCV_SHUTDOWN) {
		err = -EPIPE;
	} else if (other->peer != u && unix_recvq_full(other)) {
		err = -EAGAIN;	/* never in a socketpair: the live peer points back */
	}
	if (err) {
		kfree_skb(skb);
		return err;
	}
	unix_queue_skb(other, skb);
	return (ssize_t)io->len;
}

/* Models __unix_dgram_recvmsg(), non-blocking: one whole datagram, truncated to len. */
static ssize_t unix_dgram_recvmsg(struct file *file, struct sim_io *io)
{
	struct unix_sock *u = file->private_data;
	struct sk_buff *skb;
	size_t n;
	int err;

	if (io->len == 0)
		return 0;	/* sock_read_iter */
	err = sock_error(u);	/* __skb_try_recv_datagram reports sk_err first */
	if (err)
		return err;
	if (list_empty(&u->receive_queue)) {
		/* A blocking reader would get EOF from the wait; only a non-blocking one sees EAGAIN. */
		if ((u->shutdown & RCV_SHUTDOWN) && !(file->f_flags & O_NONBLOCK))
			return 0;
		return -EAGAIN;
	}
	skb = list_first_entry(&u->receive_queue, struct sk_buff, list);
	n = skb->len < io->len ? skb->len : io->len;
	unix_consume_skb(u, skb);
	return (ssize_t)n;
}

/* The readiness half of unix_dgram_poll() for the events in `requested`; no side effects. */
static __poll_t unix_dgram_mask(const struct file *file, __poll_t requested)
{
	const struct unix_sock *u = file->private_data;
	__poll_t mask = 0;
	bool writable;

	if (u->err)
		mask |= EPOLLERR;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	if (!list_empty(&u->receive_queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (!(requested & (EPOLLWRBAND | EPOLLWRNORM | EPOLLOUT)))
		return mask;
	writable = unix_writable(u, u->state);
	if (writable && u->peer && u->peer->peer != u && unix_recvq_full(u->peer) &&
	    !u->peer->dead)
		writable = false;	/* unix_dgram_peer_wake_me(); the relay is not modelled */
	if (writable)
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	return mask;
}

/* Models unix_dgram_poll(). */
static __poll_t unix_dgram_poll(struct file *file, poll_table *wait)
{
	struct unix_sock *u = file->private_data;

	__poll_t requested = poll_requested_events(wait), mask;

	poll_wait(file, &u->wait, wait);	/* sock_poll_wait */
	mask = unix_dgram_mask(file, requested);
	if ((requested & (EPOLLWRBAND | EPOLLWRNORM | EPOLLOUT)) && !(mask & EPOLLOUT))
		u->async_nospace = true;	/* not writable: sk_set_bit(SOCKWQ_ASYNC_NOSPACE) */
	return mask;
}

/* unix_dgram_poll() with every event requested, without side effects (file_operations.peek). */
static __poll_t unix_dgram_peek(const struct file *file)
{
	return unix_dgram_mask(file, ~(__poll_t)0);
}

/* ---- shutdown and release ----------------------------------------------- */

/* Models unix_shutdown(): own bits and state change; a stream peer gets the mirror. */
static long unix_shutdown(struct file *file, int how)
{
	struct unix_sock *u = file->private_data;
	struct unix_sock *other = u->peer;
	unsigned char mode, peer_mode = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mode = (unsigned char)(how + 1);	/* SHUT_RD->RCV, SHUT_WR->SEND, SHUT_RDWR->both */
	u->shutdown |= mode;
	sock_def_wakeup(u);
	if (other && u->type == SOCK_STREAM) {
		if (mode & RCV_SHUTDOWN)
			peer_mode |= SEND_SHUTDOWN;
		if (mode & SEND_SHUTDOWN)
			peer_mode |= RCV_SHUTDOWN;
		other->shutdown |= peer_mode;
		sock_def_wakeup(other);
		if (peer_mode == SHUTDOWN_MASK)
			sk_wake_async(other, SOCK_WAKE_WAITD, POLL_HUP);
		else if (peer_mode & RCV_SHUTDOWN)
			sk_wake_async(other, SOCK_WAKE_WAITD, POLL_IN);
	}
	return 0;
}

/* Models the peer notification of unix_release_sock() for a stream socket. */
static void unix_release_notify_peer(struct unix_sock *u, struct unix_sock *skpair)
{
	skpair->shutdown = SHUTDOWN_MASK;
	if (!list_empty(&u->receive_queue))
		skpair->err = ECONNRESET;
	sock_def_wakeup(skpair);
	sk_wake_async(skpair, SOCK_WAKE_WAITD, POLL_HUP);
}

/* Models unix_release_sock(): orphan, tell the peer, then flush our receive queue. */
static void unix_release_sock(struct unix_sock *u)
{
	struct unix_sock *skpair = u->peer;

	u->dead = true;			/* sock_orphan: SOCK_DEAD, no wait queue */
	u->shutdown = SHUTDOWN_MASK;
	u->state = TCP_CLOSE;
	u->peer = NULL;
	if (skpair) {
		if (u->type == SOCK_STREAM)
			unix_release_notify_peer(u, skpair);
		sock_put(skpair);
	}
	/* Freeing the peer's unread skbs gives the peer write space (sock_wfree). */
	while (!list_empty(&u->receive_queue))
		unix_consume_skb(u, list_first_entry(&u->receive_queue, struct sk_buff, list));
	sock_put(u);
}

/* Models unix_release() via sock_close(). */
static void unix_release(struct file *file)
{
	unix_release_sock(file->private_data);
}

/* Models sock_fasync(): the socket's list of O_ASYNC files (SOCK_FASYNC while not empty). */
static int sock_fasync(int fd, struct file *filp, int on)
{
	struct unix_sock *u = filp->private_data;

	return fasync_helper(fd, filp, on, &u->fasync_list);
}

/* The queue a blocking send or receive sleeps on (sk_sleep()). */
static struct wait_queue_head *unix_wait_queue(struct file *file, int for_write)
{
	struct unix_sock *u = file->private_data;

	(void)for_write;
	return &u->wait;
}

static const struct file_operations unix_stream_fops = {
	.name = "unix_stream",
	.poll = unix_poll,
	.read = unix_stream_recvmsg,
	.write = unix_stream_sendmsg,
	.release = unix_release,
	.shutdown = unix_shutdown,
	.wait_queue = unix_wait_queue,
	.peek = unix_peek,
	.fasync = sock_fasync,
};

static const struct file_operations unix_dgram_fops = {
	.name = "unix_dgram",
	.poll = unix_dgram_poll,
	.read = unix_dgram_recvmsg,
	.write = unix_dgram_sendmsg,
	.release = unix_release,
	.shutdown = unix_shutdown,
	.wait_queue = unix_wait_queue,
	.peek = unix_dgram_peek,
	.fasync = sock_fasync,
};

/* ---- creation ----------------------------------------------------------- */

/* Models unix_create1() + sock_init_data(): a fresh unconnected socket. */
static struct unix_sock *unix_create1(struct world *w, int type)
{
	struct unix_sock *u = sim_zalloc(w, sizeof(*u));

	if (!u)
		return NULL;
	u->type = type;
	u->state = TCP_CLOSE;
	u->refcnt = 1;
	u->wmem_alloc = 1;
	u->sndbuf = UNIX_DEFAULT_SNDBUF;
	u->max_ack_backlog = UNIX_DEFAULT_MAX_DGRAM_QLEN;
	INIT_LIST_HEAD(&u->receive_queue);
	init_waitqueue_head(&u->wait);
	u->world = w;
	return u;
}

/* Models unix_socketpair(): each end holds a reference on the other. */
static void unix_socketpair(struct unix_sock *a, struct unix_sock *b)
{
	a->refcnt++;
	b->refcnt++;
	a->peer = b;
	b->peer = a;
	a->state = TCP_ESTABLISHED;
	b->state = TCP_ESTABLISHED;
}

/* Models __sys_socketpair() without the fd installs. */
int unix_socketpair_create(struct world *w, int type, unsigned int flags, struct file *files[2])
{
	const struct file_operations *fops;
	struct unix_sock *a, *b = NULL;
	struct file *fa = NULL, *fb = NULL;

	if (type == SOCK_RAW)
		type = SOCK_DGRAM;
	if (type != SOCK_STREAM && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (flags & ~(unsigned int)(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	fops = type == SOCK_STREAM ? &unix_stream_fops : &unix_dgram_fops;
	a = unix_create1(w, type);
	if (a)
		b = unix_create1(w, type);
	if (b)
		fa = file_alloc(w, fops, a, O_RDWR | (flags & O_NONBLOCK));
	if (fa)
		fb = file_alloc(w, fops, b, O_RDWR | (flags & O_NONBLOCK));
	if (!fb) {
		sim_free(w, fa);	/* nothing was published yet: plain frees */
		sim_free(w, b);
		sim_free(w, a);
		return -ENOMEM;
	}
	unix_socketpair(a, b);
	files[0] = fa;
	files[1] = fb;
	return 0;
}

/* ---- inspection --------------------------------------------------------- */

/* True if f is a unix socket of either type. */
bool file_is_unix_socket(const struct file *f)
{
	return f && (f->f_op == &unix_stream_fops || f->f_op == &unix_dgram_fops);
}

/* Models unix_outq_len() (SIOCOUTQ). */
long unix_outq_len(const struct file *f)
{
	const struct unix_sock *u = f->private_data;

	return u->wmem_alloc - 1;
}

/* Models unix_inq_len() (SIOCINQ). */
long unix_inq_len(const struct file *f)
{
	const struct unix_sock *u = f->private_data;
	const struct list_head *pos;
	long amount = 0;

	list_for_each(pos, &u->receive_queue) {
		const struct sk_buff *skb = list_entry(pos, struct sk_buff, list);

		amount += (long)(skb->len - skb->consumed);
		if (u->type != SOCK_STREAM)
			break;
	}
	return amount;
}

/* Models getsockopt(SO_ERROR): sock_error() read and cleared. */
int unix_so_error(struct file *f)
{
	return -sock_error(f->private_data);
}
