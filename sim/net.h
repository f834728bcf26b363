/*
 * Sockets as the system calls of sim/sys_socket.c see them, modelled on
 * struct proto_ops and struct net_proto_family (include/linux/net.h). A
 * socket file's type points at its proto_ops (file_operations.proto_ops, the
 * simulator's socket->ops); an address family is one entry of the
 * net_families table the registry provides (sim/registry.h). Addresses are
 * implicit: bind means 127.0.0.1 port 0, connect means 127.0.0.1 and a port.
 */
#ifndef EPSIM_NET_H
#define EPSIM_NET_H

#include <stdint.h>
#include "file.h"

struct world;

/* Models struct proto_ops: the socket calls a socket type implements. */
struct proto_ops {
	int family;	/* AF_INET, AF_UNIX */
	/* Models ->bind to the AF_INET address 127.0.0.1 port 0. */
	int (*bind)(struct file *f);
	/* Models ->connect to the AF_INET address 127.0.0.1:port (O_NONBLOCK decides EINPROGRESS). */
	int (*connect)(struct file *f, unsigned int port);
	/* Models ->listen. */
	int (*listen)(struct file *f, int backlog);
	/* Models ->accept without waiting: a new file (flags: O_NONBLOCK), or -EAGAIN on an empty queue. */
	int (*accept)(struct file *f, unsigned int flags, struct file **newfile);
	/* Models ->getname's IPv4 port: 0 when the socket holds none. NULL: always 0. */
	long (*getname_port)(const struct file *f);
	/* Models sk_setsockopt(SO_LINGER) for the types that use it. NULL: accepted, no effect. */
	int (*set_linger)(struct file *f, int onoff, int secs);
	/* Models sk_getsockopt(SO_ERROR): the pending error, cleared. */
	int (*so_error)(struct file *f);
};

/* Models struct net_proto_family: how socket(2) and socketpair(2) make sockets of a family. */
struct net_proto_family {
	int family;
	/* Models ->create: one socket (flags: O_NONBLOCK). NULL: socket(2) is -EAFNOSUPPORT. */
	int (*create)(struct world *w, int type, int protocol, unsigned int flags, struct file **out);
	/*
	 * Models __sys_socketpair()'s sock_create twice, ops->socketpair and the
	 * two sock_alloc_file calls. NULL: socketpair(2) is -EAFNOSUPPORT.
	 */
	int (*socketpair)(struct world *w, int type, int protocol, unsigned int flags,
			  struct file *files[2]);
};

/* Models sock_from_file(): the socket calls of f, or NULL if f is not a socket. */
static inline const struct proto_ops *sock_from_file(const struct file *f)
{
	return f->f_op->proto_ops;
}

/* Models sock_no_listen() and sock_no_accept(): the calls a type does not support. */
int sock_no_listen(struct file *f, int backlog);
int sock_no_accept(struct file *f, unsigned int flags, struct file **newfile);

#endif
