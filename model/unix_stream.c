/*
 * SOCK_STREAM unix sockets (net/unix/af_unix.c, Linux 6.18): send as a run of
 * skbs sized like unix_stream_sendmsg(), receive across skb boundaries, and
 * unix_poll(). Non-blocking only: a send or receive that would wait returns
 * -EAGAIN.
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "unix_sock.h"

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
ssize_t unix_stream_sendmsg(struct file *file, struct sim_io *io)
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
ssize_t unix_stream_recvmsg(struct file *file, struct sim_io *io)
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
__poll_t unix_peek(const struct file *file)
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
__poll_t unix_poll(struct file *file, poll_table *wait)
{
	struct unix_sock *u = file->private_data;

	poll_wait(file, &u->wait, wait);	/* sock_poll_wait */
	return unix_peek(file);
}
