#!/usr/bin/env python3
"""Check a Chrome trace-event JSON file written by `epsim diagram --format perfetto`.

It must parse as JSON; on every (pid, tid) track the complete ("X") slices must
nest properly (each slice lies inside the one it starts in, or after it); every
flow start ("s") has exactly one finish ("f") with a later or equal time, and
both lie inside a slice on their track; counters carry numeric args.
Usage: check_perfetto.py FILE...   Exit 0 when every file passes.
"""
import json
import sys
from collections import defaultdict


def slices_nest(slices):
    """slices: list of (ts, end, name) on one track. Returns an error or None."""
    stack = []
    for ts, end, name in sorted(slices, key=lambda s: (s[0], -(s[1] - s[0]))):
        while stack and stack[-1][1] <= ts:
            stack.pop()
        if stack and end > stack[-1][1]:
            return "slice %r [%d, %d] overlaps %r [%d, %d]" % (
                name, ts, end, stack[-1][2], stack[-1][0], stack[-1][1])
        stack.append((ts, end, name))
    return None


def inside(slices, ts):
    return any(s <= ts < e for s, e, _ in slices)


def check(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    tracks = defaultdict(list)
    flows = defaultdict(dict)
    errors = []
    for ev in events:
        ph = ev.get("ph")
        for key in ("name", "pid", "tid", "ts"):
            if key not in ev:
                errors.append("event without %s: %r" % (key, ev))
        if ph == "X":
            if not isinstance(ev.get("dur"), int) or ev["dur"] < 0:
                errors.append("slice without a duration: %r" % ev)
                continue
            tracks[(ev["pid"], ev["tid"])].append((ev["ts"], ev["ts"] + ev["dur"], ev["name"]))
        elif ph in ("s", "f"):
            if ev["id"] in flows[ph]:
                errors.append("flow id %r has two %r events" % (ev["id"], ph))
            flows[ph][ev["id"]] = ev
        elif ph == "C":
            if not ev.get("args") or not all(isinstance(v, (int, float)) for v in ev["args"].values()):
                errors.append("counter without numeric args: %r" % ev)
    for track, slices in sorted(tracks.items()):
        err = slices_nest(slices)
        if err:
            errors.append("track %r: %s" % (track, err))
    for fid, start in flows["s"].items():
        end = flows["f"].get(fid)
        if not end:
            errors.append("flow %r starts but never ends" % fid)
            continue
        if end["ts"] < start["ts"]:
            errors.append("flow %r ends before it starts" % fid)
        for ev in (start, end):
            if not inside(tracks[(ev["pid"], ev["tid"])], ev["ts"]):
                errors.append("flow %r event at %d is in no slice of its track" % (fid, ev["ts"]))
    for fid in flows["f"]:
        if fid not in flows["s"]:
            errors.append("flow %r ends but never starts" % fid)
    nslices = sum(len(s) for s in tracks.values())
    if nslices == 0:
        errors.append("no slices at all")
    for e in errors:
        print("%s: %s" % (path, e))
    if not errors:
        print("%s: ok (%d events, %d slices on %d tracks, %d flows)" % (
            path, len(events), nslices, len(tracks), len(flows["s"])))
    return not errors


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    ok = all([check(p) for p in sys.argv[1:]])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
