/* Built against the installed libepsim through pkg-config: the README's example, checked. */
#include <epsim.h>
#include <epsim_version.h>
#include <stdio.h>
#include <sys/eventfd.h>

int main(void)
{
	struct world *w = epsim_world_create(NULL);
	int ep = (int)epsim_epoll_create1(w, EPSIM_MAIN_TID, 0);
	int e = (int)epsim_eventfd2(w, EPSIM_MAIN_TID, 0, EFD_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 7 }, out[8];
	long n;

	epsim_epoll_ctl(w, EPSIM_MAIN_TID, ep, EPOLL_CTL_ADD, e, &ev);
	epsim_write(w, EPSIM_MAIN_TID, e, 8, 1);
	n = epsim_epoll_wait(w, EPSIM_MAIN_TID, ep, out, 8, 8, 0);
	epsim_world_destroy(w);
	if (n != 1 || out[0].data.u64 != 7 || !(out[0].events & EPOLLIN)) {
		fprintf(stderr, "tiny: epoll_wait gave %ld\n", n);
		return 1;
	}
	printf("libepsim %s: 1 event, data 7\n", EPSIM_VERSION);
	return 0;
}
