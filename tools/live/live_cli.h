/* `epsim live [OPTIONS] -- PROGRAM ARGS...`: run a program on the simulated epoll (docs/live-mode.md). */
#ifndef EPSIM_LIVE_CLI_H
#define EPSIM_LIVE_CLI_H

extern const char *live_help;
int live_main(int argc, char **argv);

#endif
