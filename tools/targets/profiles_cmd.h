/* epsim profiles: the simulator's kernel profiles and the behaviours each switches. */
#ifndef EPSIM_PROFILES_CMD_H
#define EPSIM_PROFILES_CMD_H

extern const char *profiles_help;
/* argv[0] is "profiles"; returns the exit status. */
int profiles_main(int argc, char **argv);

#endif
