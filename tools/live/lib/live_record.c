/* --record and --shadow hooks (see live_record.h). */
#include "live.h"
#include "live_record.h"

void live_record_create(struct live_state *st, int flags, long ret)
{
	(void)st; (void)flags; (void)ret;
}

void live_record_ctl(struct live_state *st, int epfd, int op, int fd,
		     const struct epoll_event *ev, long ret)
{
	(void)st; (void)epfd; (void)op; (void)fd; (void)ev; (void)ret;
}

void live_record_wait(struct live_state *st, int epfd, int maxevents, int64_t timeout_ns,
		      const struct epoll_event *events, long ret)
{
	(void)st; (void)epfd; (void)maxevents; (void)timeout_ns; (void)events; (void)ret;
}

void live_shadow_ctl(struct live_state *st, int epfd, int op, int fd,
		     const struct epoll_event *ev, long ret)
{
	(void)st; (void)epfd; (void)op; (void)fd; (void)ev; (void)ret;
}

void live_shadow_wait(struct live_state *st, int epfd, int maxevents,
		      const struct epoll_event *events, long ret)
{
	(void)st; (void)epfd; (void)maxevents; (void)events; (void)ret;
}
