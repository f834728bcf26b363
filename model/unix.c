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
 * This file holds shutdown, release, the two file_operations tables and
 * socketpair creation; the SOCK_STREAM and SOCK_DGRAM methods are in
 * unix_stream.c and unix_dgram.c, the sock and skb helpers (with the skb
 * truesize table) in unix_sock.c, struct unix_sock in unix_sock.h.
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
#include "unix_sock.h"

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

/* Models unix_bind() and unix_stream_connect() given an AF_INET address. */
static int unix_bind_inet(struct file *f)
{
	(void)f;
	return -EINVAL;
}

static int unix_connect_inet(struct file *f, unsigned int port)
{
	(void)f;
	(void)port;
	return -EINVAL;
}

/* Models unix_listen() on a socketpair end: it has no address. */
static int unix_listen(struct file *f, int backlog)
{
	(void)f;
	(void)backlog;
	return -EINVAL;
}

/* Models unix_accept() on a socketpair end: it is not listening. */
static int unix_accept(struct file *f, unsigned int flags, struct file **newfile)
{
	(void)f;
	(void)flags;
	(void)newfile;
	return -EINVAL;
}

/* Models the SO_ERROR branch of sk_getsockopt(). */
static int unix_sock_so_error(struct file *f)
{
	return unix_so_error(f);
}

static const struct proto_ops unix_stream_ops = {
	.family = AF_UNIX,
	.bind = unix_bind_inet,
	.connect = unix_connect_inet,
	.listen = unix_listen,
	.accept = unix_accept,
	.so_error = unix_sock_so_error,
};

static const struct proto_ops unix_dgram_ops = {
	.family = AF_UNIX,
	.bind = unix_bind_inet,
	.connect = unix_connect_inet,
	.listen = sock_no_listen,
	.accept = sock_no_accept,
	.so_error = unix_sock_so_error,
};

static const struct file_operations unix_stream_fops = {
	.name = "unix_stream",
	.proto_ops = &unix_stream_ops,
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
	.proto_ops = &unix_dgram_ops,
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

/* Models the AF_UNIX checks of __sys_socketpair() and unix_create(), then the pair. */
static int unix_family_socketpair(struct world *w, int type, int protocol, unsigned int flags,
				  struct file *files[2])
{
	if (protocol != 0)
		return -EPROTONOSUPPORT;
	if (type != SOCK_STREAM && type != SOCK_DGRAM)
		return -EINVAL;
	return unix_socketpair_create(w, type, flags, files);
}

/* Models unix_family_ops: socketpair only (socket(AF_UNIX) is not modelled). */
const struct net_proto_family unix_family_ops = {
	.family = AF_UNIX,
	.socketpair = unix_family_socketpair,
};

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
