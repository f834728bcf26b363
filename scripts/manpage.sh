#!/bin/sh
# Write the man page epsim(1) from the tool's own help texts: `epsim --help`,
# `epsim help COMMAND` for each command it lists, and `epsim --version`.
# usage: scripts/manpage.sh EPSIM_BINARY OUTPUT
set -eu
bin=$1
out=$2

# roff-safe text: backslashes, leading dots and quotes, and hyphens as minus signs.
roff() {
	sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g'
}

version=$("$bin" --version | sed -n '1s/^epsim //p')
commands=$("$bin" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
{
	printf '.TH EPSIM 1 "" "epsim %s" "User Commands"\n' "$version"
	printf '.SH NAME\nepsim \\- Linux epoll internals, simulated and checked against the kernel\n'
	printf '.SH SYNOPSIS\n.B epsim\n.I COMMAND\n[\\fIOPTIONS\\fR] \\fITRACE\\fR...\n'
	printf '.br\n.B epsim \\-\\-version\n'
	printf '.SH DESCRIPTION\n.nf\n'
	"$bin" --help | roff
	printf '.fi\n.SH COMMANDS\n'
	for c in $commands; do
		[ "$c" = help ] && continue
		printf '.SS %s\n.nf\n' "$c"
		"$bin" help "$c" | roff
		printf '.fi\n'
	done
	printf '.SH VERSION\n.nf\n'
	"$bin" --version | roff
	printf '.fi\n.SH SEE ALSO\n.BR epoll (7),\n.BR epoll_ctl (2),\n.BR epoll_wait (2)\n'
} > "$out.tmp"
mv "$out.tmp" "$out"
