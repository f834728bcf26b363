#!/usr/bin/env python3
"""Instructions per loop from bench_scaling --count-loops run under callgrind.

usage: callgrind_rows.py CALLGRIND_OUT_BASE

Reads the dumps BASE.1, BASE.2, ... that the benchmark's client requests
wrote (one per row, named "sim epoll N=1000000 active=1 loops=1000"), prints
the instructions per loop of each row, and for each (target, mechanism,
active) the ratio of the largest N to the smallest N with all of them active.
"""
import glob
import re
import sys

DESC = re.compile(r"^desc: Trigger: Client Request: (\S+) (\S+) N=(\d+) active=(\d+) loops=(\d+)")


def rows(base):
    for path in glob.glob(base + ".*"):
        desc = summary = None
        with open(path) as f:
            for line in f:
                m = DESC.match(line)
                if m:
                    desc = m.groups()
                elif line.startswith("summary:"):
                    summary = int(line.split()[1])
        if desc and summary is not None:
            target, mux, n, active, loops = desc
            yield target, mux, int(n), int(active), summary / int(loops)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: callgrind_rows.py CALLGRIND_OUT_BASE")
    table = sorted(rows(sys.argv[1]), key=lambda r: (r[0], r[1], r[3], r[2]))
    for target, mux, n, active, ir in table:
        per_fd = f" ({ir / n:.1f} per watched fd)" if mux != "epoll" else ""
        print(f"{target:6} {mux:6} N={n:<8} active={active:<3} {ir:12.0f} instructions/loop{per_fd}")
    groups = {}
    for target, mux, n, active, ir in table:
        if active in (1, 100):
            groups.setdefault((target, mux, active), []).append((n, ir))
    for (target, mux, active), pts in sorted(groups.items()):
        (n0, ir0), (n1, ir1) = min(pts), max(pts)
        if n1 > n0:
            print(f"{target} {mux} active={active}: N={n1} vs N={n0}: instructions x{ir1 / ir0:.2f}"
                  f" (N x{n1 / n0:g})")


if __name__ == "__main__":
    main()
