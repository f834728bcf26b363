/* Extras of the simulator backend: its world, for state snapshots. */
#ifndef EPSIM_BACKEND_SIM_H
#define EPSIM_BACKEND_SIM_H

struct backend;
struct world;

struct world *sim_backend_world(struct backend *b);
/* The simulated tid of runner thread `thread`, or -1. */
int sim_backend_tid(struct backend *b, int thread);

#endif
