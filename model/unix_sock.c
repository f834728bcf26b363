/*
 * The generic socket and skb helpers of net/core/sock.c and net/core/skbuff.c
 * as unix sockets use them (Linux 6.18): skb truesize, socket lifetime,
 * wake-ups, skb charge and queueing.
 *
 * Like the kernel, sk_wmem_alloc starts at 1 (the socket's own reference)
 * and every skb adds its truesize to its *sender's* count until the
 * receiver frees it; the socket's memory goes when both sk_refcnt and sk_wmem_alloc reach zero.
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
 */
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include "alloc.h"
#include "fasync.h"
#include "unix_sock.h"

static void __sk_free(struct unix_sock *u);

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
void sk_free(struct unix_sock *u)
{
	if (--u->wmem_alloc == 0)
		__sk_free(u);
}

/* ---- wake-ups ----------------------------------------------------------- */

/* Models skwq_has_sleeper(): an orphaned socket has no wait queue any more. */
static bool skwq_has_sleeper(const struct unix_sock *u)
{
	return !u->dead && waitqueue_active(&u->wait);
}

/*
 * Models sk_wake_async() + sock_wake_async(): SIGIO to the owners of the
 * socket's O_ASYNC files. SOCK_WAKE_SPACE only after a send or poll found no
 * room; SOCK_WAKE_WAITD is skipped while a reader sleeps for data, which only
 * a blocking receive does (not modelled: it never sleeps here).
 */
void sk_wake_async(struct unix_sock *u, int how, int band)
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
void sock_def_wakeup(struct unix_sock *u)
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
void kfree_skb(struct sk_buff *skb)
{
	struct world *w = skb->sk->world;

	sock_wfree(skb);
	sim_free(w, skb);
}

/* Models sock_alloc_send_pskb(), non-blocking, with skb_set_owner_w(). */
struct sk_buff *sock_alloc_send_pskb(struct unix_sock *u, size_t header_len,
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
void unix_queue_skb(struct unix_sock *other, struct sk_buff *skb)
{
	list_add_tail(&skb->list, &other->receive_queue);
	other->rcvq_len++;
	sock_def_readable(other);
}

/* Models skb_unlink() + consume_skb() of a receive-queue skb. */
void unix_consume_skb(struct unix_sock *u, struct sk_buff *skb)
{
	list_del_init(&skb->list);
	u->rcvq_len--;
	kfree_skb(skb);
}
