/* The socket helpers of the generic socket layer (net/socket.c, net/core/sock.c). */
#include <errno.h>
#include <stddef.h>
#include "net.h"
#include "registry.h"

/* Models the net_families[family] lookup of __sock_create(). */
const struct net_proto_family *sock_family(int family)
{
	const struct net_proto_family *const *pf = sim_registry.net_families;

	for (; pf && *pf; pf++)
		if ((*pf)->family == family)
			return *pf;
	return NULL;
}

/* Models sock_no_listen(). */
int sock_no_listen(struct file *f, int backlog)
{
	(void)f;
	(void)backlog;
	return -EOPNOTSUPP;
}

/* Models sock_no_accept(). */
int sock_no_accept(struct file *f, unsigned int flags, struct file **newfile)
{
	(void)f;
	(void)flags;
	(void)newfile;
	return -EOPNOTSUPP;
}
