/* --record (a log of every epoll call with the simulator's state) and --shadow (a kernel epoll kept in step). */
#ifndef EPSIM_LIVE_RECORD_H
#define EPSIM_LIVE_RECORD_H

#include <stdint.h>
#include <sys/epoll.h>

struct live_state;

void live_record_create(struct live_state *st, int flags, long ret);
void live_record_ctl(struct live_state *st, int epfd, int op, int fd,
		     const struct epoll_event *ev, long ret);
void live_record_wait(struct live_state *st, int epfd, int maxevents, int64_t timeout_ns,
		      const struct epoll_event *events, long ret);
void live_shadow_ctl(struct live_state *st, int epfd, int op, int fd,
		     const struct epoll_event *ev, long ret);
void live_shadow_wait(struct live_state *st, int epfd, int maxevents,
		      const struct epoll_event *events, long ret);

#endif
