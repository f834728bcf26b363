/*
 * The socket system calls of the simulator (net/socket.c): socket, bind,
 * listen, connect, accept4, getsockname, and the SO_LINGER and SO_ERROR
 * socket options, through the address families of the registry and each
 * socket's proto_ops (sim/net.h): TCP over loopback and, where a trace can aim
 * them at one, unix socketpairs. Addresses are implicit: bind means
 * 127.0.0.1 port 0, connect means 127.0.0.1 and a port.
 *
 * A blocking accept parks its thread as an exclusive waiter at the tail of
 * the listener's wait queue (inet_csk_wait_for_connect) until a connection
 * is queued, the listener stops listening, or a signal arrives.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include "alloc.h"
#include "epsim.h"
#include "fdtable.h"
#include "net.h"
#include "registry.h"
#include "signals.h"
#include "sys_entry.h"
#include "sys_socket.h"
#include "task.h"

/* Models sockfd_lookup(): the socket behind fd, -EBADF or -ENOTSOCK. */
static int sockfd_lookup(struct sim_task *t, int fd, struct file **out)
{
	struct file *f = fd_lookup(t->proc->files, fd);

	if (!f)
		return -EBADF;
	if (!sock_from_file(f))
		return -ENOTSOCK;
	*out = f;
	return 0;
}

/* Install one new file as the lowest free fd, or drop it. */
static long sock_map_fd(struct sim_task *t, struct file *f, unsigned int cloexec)
{
	int fd = fd_install_new(t->proc->files, f, cloexec);

	if (fd < 0)
		fput(f);
	return fd;
}

/* Models __sys_socket() and __sock_create(): the family's ->create makes the socket. */
long epsim_socket(struct world *w, int tid, int domain, int type, int protocol)
{
	struct sim_task *t = sys_current(w, tid);
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	const struct net_proto_family *pf;
	struct file *f;
	long err;

	if (!t)
		return -ESRCH;
	if (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC | 0xf))
		return -EINVAL;
	pf = sock_family(domain);
	if (!pf || !pf->create)
		return -EAFNOSUPPORT;
	err = pf->create(w, type & 0xf, protocol, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, &f);
	if (err)
		return err;
	return sys_exit(w, t, sock_map_fd(t, f, (flags & SOCK_CLOEXEC) ? O_CLOEXEC : 0));
}

/* Models __sys_bind() with 127.0.0.1 port 0: an AF_INET address is EINVAL for a unix socket. */
long epsim_bind_loopback(struct world *w, int tid, int fd)
{
	struct sim_task *t = sys_current(w, tid);
	struct file *f;
	long err;

	if (!t)
		return -ESRCH;
	err = sockfd_lookup(t, fd, &f);
	if (!err)
		err = sock_from_file(f)->bind(f);
	return sys_exit(w, t, err);
}

/* Models __sys_listen(): a socketpair end has no address (EINVAL); datagrams cannot listen. */
long epsim_listen(struct world *w, int tid, int fd, int backlog)
{
	struct sim_task *t = sys_current(w, tid);
	struct file *f;
	long err;

	if (!t)
		return -ESRCH;
	err = sockfd_lookup(t, fd, &f);
	if (!err)
		err = sock_from_file(f)->listen(f, backlog);
	return sys_exit(w, t, err);
}

/* Models getsockname()'s port: >= 0 (0 for a socket without an IPv4 port), or -errno. */
long epsim_getsockname_port(struct world *w, int tid, int fd)
{
	struct sim_task *t = sys_current(w, tid);
	struct file *f;
	long err;

	if (!t)
		return -ESRCH;
	err = sockfd_lookup(t, fd, &f);
	if (!err && sock_from_file(f)->getname_port)
		err = sock_from_file(f)->getname_port(f);
	return sys_exit(w, t, err);
}

/* Models __sys_connect() to 127.0.0.1:port: an AF_INET address is EINVAL for a unix socket. */
long epsim_connect_loopback(struct world *w, int tid, int fd, unsigned int port)
{
	struct sim_task *t = sys_current(w, tid);
	struct file *f;
	long err;

	if (!t)
		return -ESRCH;
	err = sockfd_lookup(t, fd, &f);
	if (!err)
		err = sock_from_file(f)->connect(f, port);
	return sys_exit(w, t, err);
}

/* Models sock_setsockopt(SO_LINGER): any socket takes it; only TCP uses it. */
long epsim_setsockopt_linger(struct world *w, int tid, int fd, int onoff, int secs)
{
	struct sim_task *t = sys_current(w, tid);
	struct file *f;
	long err;

	if (!t)
		return -ESRCH;
	err = sockfd_lookup(t, fd, &f);
	if (!err && sock_from_file(f)->set_linger)
		err = sock_from_file(f)->set_linger(f, onoff, secs);
	return sys_exit(w, t, err);
}

/* Models sock_getsockopt(SO_ERROR): the pending error, cleared. */
long epsim_getsockopt_error(struct world *w, int tid, int fd, int *soerr)
{
	struct sim_task *t = sys_current(w, tid);
	struct file *f;
	long err;

	if (!t)
		return -ESRCH;
	err = sockfd_lookup(t, fd, &f);
	if (!err)
		*soerr = sock_from_file(f)->so_error(f);
	return sys_exit(w, t, err);
}

/* ---- accept ------------------------------------------------------------- */

/* A parked accept: the listener it holds, the new file's flags, its wait entry. */
struct accept_call {
	struct file *file;
	int flags;
	struct wait_queue_entry wait;
};

/* Models autoremove_wake_function(): a woken waiter leaves the queue. */
static int accept_wake_function(struct wait_queue_entry *wq_entry, unsigned mode, int flags,
				void *key)
{
	int ret = default_wake_function(wq_entry, mode, flags, key);

	if (ret)
		list_del_init(&wq_entry->entry);
	return ret;
}

/* One attempt: a new fd, or -EAGAIN when the queue is empty. */
static long accept_once(struct sim_task *t, struct file *f, int flags)
{
	struct file *nf;
	long err = sock_from_file(f)->accept(f, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, &nf);

	if (err)
		return err;
	return sock_map_fd(t, nf, (flags & SOCK_CLOEXEC) ? O_CLOEXEC : 0);
}

static long accept_resume(struct sim_task *t);
static void accept_cancel(struct sim_task *t);

/* Models the loop of inet_csk_wait_for_connect(): try (-EINVAL once not listening), or sleep again. */
static long accept_wait(struct sim_task *t)
{
	struct accept_call *c = t->call_state;
	long ret = accept_once(t, c->file, c->flags);

	if (ret == -EAGAIN && signal_pending(t))
		ret = -EINTR;	/* ERESTARTSYS; the trace's handlers have no SA_RESTART */
	if (ret != -EAGAIN) {
		fput(c->file);
		sim_free(t->world, c);
		t->call_state = NULL;
		return ret;
	}
	init_waitqueue_func_entry(&c->wait, accept_wake_function);
	c->wait.private = t;
	add_wait_queue_exclusive(c->file->f_op->wait_queue(c->file, 0), &c->wait);
	return task_sleep(t, accept_resume, accept_cancel);
}

/* Re-enter a parked accept after a wake-up (finish_wait, then the loop). */
static long accept_resume(struct sim_task *t)
{
	struct accept_call *c = t->call_state;

	list_del_init(&c->wait.entry);
	return accept_wait(t);
}

/* The thread goes away while parked: leave the queue, drop the listener. */
static void accept_cancel(struct sim_task *t)
{
	struct accept_call *c = t->call_state;

	list_del_init(&c->wait.entry);
	fput(c->file);
	sim_free(t->world, c);
	t->call_state = NULL;
}

/* A blocking accept on an empty queue: hold the listener and park (or -EINTR at once). */
static long accept_park(struct sim_task *t, struct file *f, int flags)
{
	struct accept_call *c;

	if (signal_pending(t))
		return -EINTR;
	c = sim_zalloc(t->world, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->file = get_file(f);
	c->flags = flags;
	INIT_LIST_HEAD(&c->wait.entry);
	t->call_state = c;
	return accept_wait(t);
}

/* Models __sys_accept4(fd, NULL, NULL, flags). */
long epsim_accept4(struct world *w, int tid, int fd, int flags)
{
	struct sim_task *t = sys_current(w, tid);
	struct file *f = NULL;
	long err;

	if (!t)
		return -ESRCH;
	if (!fd_lookup(t->proc->files, fd))
		err = -EBADF;
	else if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		err = -EINVAL;
	else
		err = sockfd_lookup(t, fd, &f);
	if (!err)
		err = accept_once(t, f, flags);
	if (err == -EAGAIN && !(f->f_flags & O_NONBLOCK))
		err = accept_park(t, f, flags);
	return sys_exit(w, t, err);
}

struct file *accept_held_file(const struct sim_task *t)
{
	if (t->state == TASK_IDLE || t->resume != accept_resume)
		return NULL;
	return ((const struct accept_call *)t->call_state)->file;
}
