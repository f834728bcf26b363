/* --record (a log of every epoll call with the simulator's state) and --shadow (a kernel epoll kept in step). */
#ifndef EPSIM_LIVE_RECORD_H
#define EPSIM_LIVE_RECORD_H

#include <stdint.h>
#include <sys/epoll.h>

struct live_state;
struct file;

/* live_record.c */
void live_record_open(struct live_state *st, const char *path, const char *max_steps);
void live_record_wake(struct live_state *st, const struct file *f, uint32_t events);
void live_record_close(struct live_state *st, int fd);
void live_record_dup(struct live_state *st, int oldfd, int newfd);
void live_record_forget(struct live_state *st, const struct file *f);

void live_record_create(struct live_state *st, int flags, long ret);
void live_record_ctl(struct live_state *st, int epfd, int op, int fd,
		     const struct epoll_event *ev, long ret);
void live_record_wait(struct live_state *st, int epfd, int maxevents, int64_t timeout_ns,
		      const struct epoll_event *events, long ret);
/* live_shadow.c */
void live_shadow_open(struct live_state *st);
void live_shadow_create(struct live_state *st, int fd);
void live_shadow_forget(struct live_state *st, const struct file *file);
void live_shadow_ctl(struct live_state *st, int epfd, int op, int fd,
		     const struct epoll_event *ev, long ret);
void live_shadow_wait(struct live_state *st, int epfd, int maxevents,
		      const struct epoll_event *events, long ret);

#endif
