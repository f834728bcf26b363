#!/usr/bin/env python3
"""Check an SVG timeline written by `epsim diagram --format svg`.

It must parse as XML with an <svg> root and a <title>; every mark with a
tooltip has a non-empty <title>; and no two texts overlap. Text boxes are
computed the way epsim lays them out: monospace at 7.3 px a character, 12 px
high (14 px for the title), turned for rotate(-90) texts; the drawing must hold
every box. Usage: check_svg.py FILE...   Exit 0 when every file passes.
"""
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
CHAR_W = 7.3


def text_box(el):
    x, y = float(el.get("x")), float(el.get("y"))
    n = len(el.text or "")
    size = 14 if "title" in (el.get("class") or "") else 12
    w = n * CHAR_W * size / 12
    if "rotate(-90" in (el.get("transform") or ""):
        return (x - size + 2, y - w, x + 3, y)
    if "num" in (el.get("class") or ""):          # centred step numbers
        return (x - w / 2, y - size + 2, x + w / 2, y + 3)
    return (x, y - size + 2, x + w, y + 3)


def overlaps(a, b):
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def check(path):
    errors = []
    root = ET.parse(path).getroot()
    if root.tag != NS + "svg":
        errors.append("the root is not <svg>")
    width, height = float(root.get("width")), float(root.get("height"))
    if root.find(NS + "title") is None:
        errors.append("no <title>")
    for t in root.iter(NS + "title"):
        if not (t.text or "").strip():
            errors.append("an empty <title>")
    boxes = [(text_box(el), el.text) for el in root.iter(NS + "text") if el.text]
    for box, text in boxes:
        if box[0] < 0 or box[1] < 0 or box[2] > width + 0.5 or box[3] > height + 0.5:
            errors.append("text %r at %r is outside the %gx%g drawing" % (text, box, width, height))
    boxes.sort()
    for i, (a, ta) in enumerate(boxes):
        for b, tb in boxes[i + 1:]:
            if b[0] >= a[2]:
                break
            if overlaps(a, b):
                errors.append("texts overlap: %r %r and %r %r" % (ta, a, tb, b))
    for e in errors[:20]:
        print("%s: %s" % (path, e))
    if not errors:
        print("%s: ok (%d texts)" % (path, len(boxes)))
    return not errors


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    return 0 if all([check(p) for p in sys.argv[1:]]) else 1


if __name__ == "__main__":
    sys.exit(main())
