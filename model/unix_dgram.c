/*
 * SOCK_DGRAM unix sockets of a socketpair (net/unix/af_unix.c, Linux 6.18):
 * one datagram per send and per receive, the receive-queue limit
 * (max_dgram_qlen) and unix_dgram_poll(). Non-blocking only.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "kprofile.h"
#include "unix_sock.h"

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
ssize_t unix_dgram_sendmsg(struct file *file, struct sim_io *io)
{
	struct unix_sock *u = file->private_data;
	struct unix_sock *other = u->peer;
	size_t data_len;
	struct sk_buff *skb;
	int err;

	if (!other && kprofile_has(file->world, KP_DGRAM_PEER_BEFORE_SKB))
		return -ENOTCONN;	/* up to 6.12: unix_peer_get() comes first */
	if (io->len > (size_t)u->sndbuf - 32)
		return -EMSGSIZE;
	data_len = unix_dgram_data_len(io->len);
	skb = sock_alloc_send_pskb(u, io->len - data_len, data_len, &err);
	if (!skb)
		return err;
	err = 0;
	if (!other) {
		err = -ENOTCONN;	/* 6.18: the peer is looked up after the skb exists */
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
ssize_t unix_dgram_recvmsg(struct file *file, struct sim_io *io)
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
__poll_t unix_dgram_poll(struct file *file, poll_table *wait)
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
__poll_t unix_dgram_peek(const struct file *file)
{
	return unix_dgram_mask(file, ~(__poll_t)0);
}
