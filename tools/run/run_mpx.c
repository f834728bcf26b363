/* poll, select and fcntl steps in the runner: their user memory and their log text. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "run_mpx.h"
#include "runner.h"
#include "xalloc.h"

#define BITS_PER_LONG (8 * sizeof(unsigned long))

static int arg_fd(const struct trace_fdarg *fa, const int *fds)
{
	return fa->bad || fa->obj < 0 ? -1 : fds[fa->obj];
}

/* poll: one pollfd per FD:EVENTS, in order. */
static void build_poll(const struct trace_step *st, const int *fds, struct mpx_buf *b,
		       struct sys_call *c)
{
	size_t n = (size_t)st->nfdargs;

	if (n > b->pcap) {
		b->pfds = xrealloc(b->pfds, n * sizeof(*b->pfds));
		b->pcap = n;
	}
	for (size_t i = 0; i < n; i++) {
		b->pfds[i].fd = arg_fd(&st->fdargs[i], fds);
		b->pfds[i].events = (short)st->fdargs[i].events;
		b->pfds[i].revents = 0;
	}
	c->nr = SYS_POLL;
	c->pfds = b->pfds;
	c->npfds = (unsigned int)n;
	c->nfds = st->has_nfds ? (long long)(unsigned int)st->nfds : (long long)n;
	c->timeout_ms = st->timeout_ms;
}

/* select's default nfds: the highest fd in the sets + 1. */
static long long select_default_nfds(const struct trace_step *st, const int *fds)
{
	long long n = 0;

	for (int i = 0; i < st->nfdargs; i++) {
		int fd = arg_fd(&st->fdargs[i], fds);
		if (fd + 1LL > n)
			n = fd + 1LL;
	}
	return n;
}

/* select: the sets named by r=, w=, e= as bitmaps; sets not named are NULL. */
static void build_select(const struct trace_step *st, const int *fds, struct mpx_buf *b,
			 struct sys_call *c)
{
	long long nfds = st->has_nfds ? st->nfds : select_default_nfds(st, fds);
	long long bits = nfds < 0 ? 0 : nfds > MPX_MAX_SET_FDS ? MPX_MAX_SET_FDS : nfds;
	size_t longs = ((size_t)bits + BITS_PER_LONG - 1) / BITS_PER_LONG;

	for (int i = 0; i < st->nfdargs; i++) {	/* room for every named fd too */
		int fd = arg_fd(&st->fdargs[i], fds);
		if (fd >= 0 && (size_t)fd / BITS_PER_LONG + 1 > longs)
			longs = (size_t)fd / BITS_PER_LONG + 1;
	}
	if (longs == 0)
		longs = 1;
	for (int k = 0; k < 3; k++) {
		if (longs > b->scap)
			b->sets[k] = xrealloc(b->sets[k], longs * sizeof(unsigned long));
		memset(b->sets[k], 0, longs * sizeof(unsigned long));
		c->fdsets[k] = NULL;
	}
	if (longs > b->scap)
		b->scap = longs;
	for (int i = 0; i < st->nfdargs; i++) {
		int fd = arg_fd(&st->fdargs[i], fds);
		int k = st->fdargs[i].events == TSEL_R ? 0 : st->fdargs[i].events == TSEL_W ? 1 : 2;

		c->fdsets[k] = b->sets[k];
		if (fd >= 0)
			b->sets[k][fd / BITS_PER_LONG] |= 1UL << (fd % BITS_PER_LONG);
	}
	c->nr = SYS_SELECT;
	c->nfds = nfds;
	c->timeout_ms = st->timeout_ms;
}

/* fcntl: the command and its argument. */
static void build_fcntl(const struct trace_step *st, struct sys_call *c)
{
	static const int cmds[] = { [TFC_GETFL] = F_GETFL, [TFC_SETFL] = F_SETFL,
				    [TFC_SETOWN] = F_SETOWN_EX, [TFC_SETSIG] = F_SETSIG };

	c->nr = SYS_FCNTL;
	c->op = cmds[st->how];
	c->num = st->how == TFC_SETSIG ? st->sig : st->num;
	c->fd2 = st->target;
}

void mpx_build_call(const struct trace_step *st, const int *fds, struct mpx_buf *b,
		    struct sys_call *c)
{
	if (st->op == TOP_POLL)
		build_poll(st, fds, b, c);
	else if (st->op == TOP_SELECT)
		build_select(st, fds, b, c);
	else if (st->op == TOP_FCNTL)
		build_fcntl(st, c);
}

static const char *arg_name(const struct trace *t, const struct trace_fdarg *fa)
{
	return fa->bad || fa->obj < 0 ? "badfd" : t->names[fa->obj].name;
}

/* poll: "[NAME EVENTS]" for each pollfd with revents, in order. */
static void render_poll(const struct trace *t, const struct trace_step *st,
			const struct mpx_buf *b, char *out, size_t len)
{
	long long n = st->has_nfds ? (long long)(unsigned int)st->nfds : st->nfdargs;
	size_t pos = 0;
	char mask[160];

	for (int i = 0; i < st->nfdargs && i < n && pos < len; i++) {
		if (!b->pfds[i].revents)
			continue;
		trace_format_events((uint16_t)b->pfds[i].revents, mask, sizeof(mask));
		pos += (size_t)snprintf(out + pos, len - pos, "%s[%s %s]", pos ? " " : "",
					arg_name(t, &st->fdargs[i]), mask);
	}
}

static bool fd_in_set(const unsigned long *set, int fd)
{
	return fd >= 0 && (set[fd / BITS_PER_LONG] & (1UL << (fd % BITS_PER_LONG)));
}

/* select: "r=a,b w=c e=d" listing, per set, the named fds left set, in the trace's order. */
static void render_select(const struct trace *t, const struct trace_step *st, const int *fds,
			  const struct mpx_buf *b, char *out, size_t len)
{
	static const char set_names[3] = { 'r', 'w', 'e' };
	static const uint32_t set_bits[3] = { TSEL_R, TSEL_W, TSEL_E };
	size_t pos = 0;

	for (int k = 0; k < 3; k++) {
		int listed = 0;

		for (int i = 0; i < st->nfdargs && pos < len; i++) {
			if (st->fdargs[i].events != set_bits[k] ||
			    !fd_in_set(b->sets[k], arg_fd(&st->fdargs[i], fds)))
				continue;
			if (listed++)
				pos += (size_t)snprintf(out + pos, len - pos, ",");
			else
				pos += (size_t)snprintf(out + pos, len - pos, "%s%c=", pos ? " " : "",
							set_names[k]);
			if (pos < len)
				pos += (size_t)snprintf(out + pos, len - pos, "%s",
							arg_name(t, &st->fdargs[i]));
		}
	}
}

void mpx_render(const struct trace *t, const struct trace_step *st, const int *fds,
		const struct mpx_buf *b, long *ret, char *out, size_t len)
{
	out[0] = '\0';
	if (*ret < 0)
		return;
	if (st->op == TOP_POLL && *ret > 0)
		render_poll(t, st, b, out, len);
	else if (st->op == TOP_SELECT && *ret > 0)
		render_select(t, st, fds, b, out, len);
	else if (st->op == TOP_FCNTL && st->how == TFC_GETFL) {
		char flags[200];

		trace_format_oflags((unsigned int)*ret, flags, sizeof(flags));
		snprintf(out, len, "flags=%s", flags);
		*ret = 0;
	}
}

void uring_render(const struct trace *t, const struct reg_table *regs, const struct sys_result *r,
		  char *out, size_t len)
{
	size_t pos = 0;

	out[0] = '\0';
	for (int i = 0; i < r->nevents && pos < len; i++) {
		uint64_t tok = r->events[i].data.u64, data = tok;
		int32_t res = (int32_t)r->events[i].events;
		char rtext[160];
		const char *who = "?";
		int name = -1;

		if (run_token_lookup(regs, tok >> 1, &name, &data))
			who = name >= 0 ? t->names[name].name : "badfd";
		else
			data = tok;
		if (res < 0)
			snprintf(rtext, sizeof(rtext), "%s", trace_errno_name(-res));
		else if (tok & 1)
			trace_format_events((uint32_t)res, rtext, sizeof(rtext));
		else
			snprintf(rtext, sizeof(rtext), "%d", res);
		pos += (size_t)snprintf(out + pos, len - pos, "%s[%s res=%s data=%llu]", pos ? " " : "",
					who, rtext,
					(unsigned long long)data);
	}
}

void mpx_buf_free(struct mpx_buf *b)
{
	free(b->pfds);
	for (int k = 0; k < 3; k++)
		free(b->sets[k]);
	memset(b, 0, sizeof(*b));
}
