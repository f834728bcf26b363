/*
 * The AF_INET socket layer of net/ipv4/af_inet.c for TCP over loopback:
 * inet_create() and inet_stream_ops, over the TCP model of model/tcp.c.
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "tcp_sock.h"

/* Models inet_create(): SOCK_STREAM with protocol 0 or IPPROTO_TCP only. */
static int inet_create(struct world *w, int type, int protocol, unsigned int flags,
		       struct file **out)
{
	if (type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != 0 && protocol != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	return tcp_socket_create(w, flags, out);
}

/* Models inet_getname()'s port. */
static long inet_getname_port(const struct file *f)
{
	return (long)tcp_local_port(f);
}

const struct proto_ops inet_stream_ops = {
	.family = AF_INET,
	.bind = tcp_bind,
	.connect = tcp_connect,
	.listen = tcp_listen,
	.accept = tcp_accept,
	.getname_port = inet_getname_port,
	.set_linger = tcp_set_linger,
	.so_error = tcp_so_error,
};

/* Models inet_family_ops: socket(2) only (socketpair is not supported for AF_INET). */
const struct net_proto_family inet_family_ops = {
	.family = AF_INET,
	.create = inet_create,
};
