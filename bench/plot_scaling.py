#!/usr/bin/env python3
"""Draw bench_scaling's CSV as an SVG: time per loop against N, log-log.

usage: plot_scaling.py SCALING.csv OUT.svg

One panel per number of active fds; one line per (target, mechanism): the
kernel solid, the simulator dashed; select red, poll blue, epoll green.
Plain Python, no plotting package.
"""
import csv
import math
import sys

COLORS = {"select": "#d62728", "poll": "#1f77b4", "epoll": "#2ca02c"}
DASH = {"kernel": "", "sim": "6,4"}
PANEL_W, PANEL_H = 460, 360
MARGIN = dict(left=70, right=20, top=40, bottom=50)


def load(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["n"], r["active"] = int(r["n"]), int(r["active"])
        r["loop_ns"] = float(r["loop_ns"])
    return rows


def decades(lo, hi):
    return list(range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1))


class Axes:
    """Log-log mapping of one panel."""

    def __init__(self, x0, xdec, ydec):
        self.x0, self.xdec, self.ydec = x0, xdec, ydec
        self.w = PANEL_W - MARGIN["left"] - MARGIN["right"]
        self.h = PANEL_H - MARGIN["top"] - MARGIN["bottom"]

    def px(self, n):
        lo, hi = self.xdec[0], self.xdec[-1]
        return self.x0 + MARGIN["left"] + (math.log10(n) - lo) / (hi - lo) * self.w

    def py(self, v):
        lo, hi = self.ydec[0], self.ydec[-1]
        return MARGIN["top"] + self.h - (math.log10(v) - lo) / (hi - lo) * self.h


def label_ns(d):
    units = [(9, "s"), (6, "ms"), (3, "µs"), (0, "ns")]
    for e, u in units:
        if d >= e:
            return f"{10 ** (d - e):g} {u}"
    return f"1e{d} ns"


def grid(ax, out):
    for d in ax.xdec:
        x = ax.px(10 ** d)
        out.append(f'<line x1="{x:.1f}" y1="{MARGIN["top"]}" x2="{x:.1f}" '
                   f'y2="{MARGIN["top"] + ax.h}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{MARGIN["top"] + ax.h + 16}" '
                   f'text-anchor="middle">{10 ** d:,}</text>')
    for d in ax.ydec:
        y = ax.py(10 ** d)
        out.append(f'<line x1="{ax.x0 + MARGIN["left"]}" y1="{y:.1f}" '
                   f'x2="{ax.x0 + MARGIN["left"] + ax.w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{ax.x0 + MARGIN["left"] - 6}" y="{y + 4:.1f}" '
                   f'text-anchor="end">{label_ns(d)}</text>')
    out.append(f'<rect x="{ax.x0 + MARGIN["left"]}" y="{MARGIN["top"]}" width="{ax.w}" '
               f'height="{ax.h}" fill="none" stroke="#888"/>')


def series(ax, rows, out):
    keys = sorted({(r["target"], r["mux"]) for r in rows})
    for target, mux in keys:
        pts = sorted((r["n"], r["loop_ns"]) for r in rows
                     if r["target"] == target and r["mux"] == mux)
        path = " ".join(f"{ax.px(n):.1f},{ax.py(v):.1f}" for n, v in pts)
        dash = f' stroke-dasharray="{DASH[target]}"' if DASH[target] else ""
        out.append(f'<polyline points="{path}" fill="none" stroke="{COLORS[mux]}" '
                   f'stroke-width="2"{dash}/>')
        for n, v in pts:
            out.append(f'<circle cx="{ax.px(n):.1f}" cy="{ax.py(v):.1f}" r="3" '
                       f'fill="{COLORS[mux]}"/>')


def slope_guide(ax, rows, out):
    """A dotted line proportional to N, through the kernel's poll at N = 1000."""
    anchor = [r["loop_ns"] for r in rows
              if r["target"] == "kernel" and r["mux"] == "poll" and r["n"] == 1000]
    if not anchor:
        return
    lo, hi = 10 ** ax.xdec[0], 10 ** ax.xdec[-1]
    ymin, ymax = 10 ** ax.ydec[0], 10 ** ax.ydec[-1]
    x1 = max(lo, 1000 * ymin / anchor[0])
    x2 = min(hi, 1000 * ymax / anchor[0])
    y1, y2 = anchor[0] * x1 / 1000, anchor[0] * x2 / 1000
    out.append(f'<line x1="{ax.px(x1):.1f}" y1="{ax.py(y1):.1f}" x2="{ax.px(x2):.1f}" '
               f'y2="{ax.py(y2):.1f}" stroke="#999" stroke-dasharray="2,3"/>')


def legend(x, y, out):
    i = 0
    for target in ("kernel", "sim"):
        for mux in ("select", "poll", "epoll"):
            yy = y + 16 * i
            dash = f' stroke-dasharray="{DASH[target]}"' if DASH[target] else ""
            out.append(f'<line x1="{x}" y1="{yy}" x2="{x + 30}" y2="{yy}" '
                       f'stroke="{COLORS[mux]}" stroke-width="2"{dash}/>')
            out.append(f'<text x="{x + 36}" y="{yy + 4}">{target} {mux}</text>')
            i += 1
    yy = y + 16 * i
    out.append(f'<line x1="{x}" y1="{yy}" x2="{x + 30}" y2="{yy}" stroke="#999" '
               f'stroke-dasharray="2,3"/>')
    out.append(f'<text x="{x + 36}" y="{yy + 4}">proportional to N</text>')
    notes = ["time per loop: thread CPU", "time of the writes, the", "call and the reads;",
             "log-log. At N = 10 the", "right panel has 10 active."]
    for j, line in enumerate(notes):
        out.append(f'<text x="{x}" y="{yy + 30 + 14 * j}" fill="#555">{line}</text>')


def panel(rows, active, x0, xdec, ydec, out):
    ax = Axes(x0, xdec, ydec)
    sel = [r for r in rows if r["active"] == active or (r["n"] < active and r["active"] == r["n"])]
    grid(ax, out)
    slope_guide(ax, sel, out)
    series(ax, sel, out)
    out.append(f'<text x="{x0 + PANEL_W / 2}" y="24" text-anchor="middle" font-weight="bold">'
               f'{active} active fd{"s" if active > 1 else ""} per loop</text>')
    out.append(f'<text x="{x0 + MARGIN["left"] + ax.w / 2}" y="{PANEL_H - 8}" '
               f'text-anchor="middle">N watched fds</text>')


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plot_scaling.py SCALING.csv OUT.svg")
    rows = load(sys.argv[1])
    actives = sorted({r["active"] for r in rows if r["active"] in (1, 100)})
    xdec = decades(min(r["n"] for r in rows), max(r["n"] for r in rows))
    ydec = decades(min(r["loop_ns"] for r in rows), max(r["loop_ns"] for r in rows))
    width, height = PANEL_W * len(actives) + 170, PANEL_H
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    for i, a in enumerate(actives):
        panel(rows, a, i * PANEL_W, xdec, ydec, out)
    legend(PANEL_W * len(actives) + 10, MARGIN["top"] + 10, out)
    out.append("</svg>")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
