/* Extras of the simulator backend: its world, for state snapshots. */
#ifndef EPSIM_BACKEND_SIM_H
#define EPSIM_BACKEND_SIM_H

struct backend;
struct world;

struct world *sim_backend_world(struct backend *b);
/* The simulated tid of runner thread `thread`, or -1. */
int sim_backend_tid(struct backend *b, int thread);

/* poll, select and fcntl on the simulator (backend_sim_mpx.c); tv: select's timeval storage. */
struct sys_call;
struct timeval;
long sim_issue_mpx(struct world *w, int tid, const struct sys_call *c, int target_tid,
		   struct timeval *tv);

/* io_uring on the simulator (backend_sim_mpx.c): *cqes is the thread's buffer, made on first use. */
struct io_uring_cqe;
struct sys_result;
long sim_issue_uring(struct world *w, int tid, const struct sys_call *c, struct io_uring_cqe **cqes);
/* A finished uring_wait: the reaped completions into res->events. */
void sim_fill_uring(const struct io_uring_cqe *cqes, long ret, struct sys_result *res);

#endif
