#!/usr/bin/env python3
"""Browser test of the HTML stepper page written by `epsim diagram --format html`.

Opens the page in headless Chromium (driven over the DevTools protocol on a
pipe: no network, no extra packages), clicks "next" with real mouse events and
checks that the step counter advances and that the drawn ready list changes;
presses the left arrow key and checks that it comes back; saves a screenshot
of each state as test artifacts.

usage: html_stepper_test.py --epsim EPSIM --trace TRACE --step N --out DIR
  N: the step to open at; the ready list after step N+1 must differ from it.
Exit 0 when every check passes; prints 'N passed, M failed'.
"""
import argparse
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-dev-shm-usage", "--remote-debugging-pipe",
]


class Browser:
    """Chromium with the DevTools protocol on fds 3 (commands) and 4 (replies)."""

    def __init__(self, exe, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()

        def wire():  # in the child: the pipe ends become fds 3 and 4, kept across exec
            a, b = os.dup(cmd_r), os.dup(res_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen([exe] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile],
                                     preexec_fn=wire, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(res_w)
        self.buf = b""
        self.next_id = 0
        self.session = None

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.res_r], [], [], left)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.res_r, 1 << 16)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, timeout=30, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})

    def open_page(self, url, width=1400, height=900):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target["targetId"], "flatten": True},
                                 session=False)["sessionId"]
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + 30
        while self.eval("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise TimeoutError("the page did not load")
            time.sleep(0.05)

    def eval(self, expr):
        res = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        if "exceptionDetails" in res:
            raise RuntimeError("page error: %s" % res["exceptionDetails"])
        return res["result"].get("value")

    def click(self, selector):
        box = self.eval("(() => { const r = document.querySelector(%s).getBoundingClientRect();"
                        " return [r.x + r.width / 2, r.y + r.height / 2]; })()" % json.dumps(selector))
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                   "button": "left", "clickCount": 1})

    def key(self, name, code):
        for kind in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", {"type": kind, "key": name, "code": name,
                                                 "windowsVirtualKeyCode": code})

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close", session=False, timeout=10)
        except (TimeoutError, EOFError, RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# What is on screen: the visible step, the counter, and the drawn ready lists (their SVG text).
STATE_JS = """(() => {
  const shown = Array.from(document.querySelectorAll('.step')).filter(s => !s.hidden);
  const step = shown.length === 1 ? shown[0] : null;
  const lists = step ? Array.from(step.querySelectorAll('g.chain.rdllist')) : [];
  return {
    visible: shown.length,
    step: step ? Number(step.getAttribute('data-step')) : 0,
    counter: document.getElementById('counter').textContent,
    drawn: lists.map(g => Array.from(g.querySelectorAll('text')).map(t => t.textContent).join(' ')),
    onscreen: lists.every(g => g.getBoundingClientRect().width > 0),
    current_line: (document.querySelector('#source .line.cur') || {}).textContent || ''
  };
})()"""


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what):
        print("%s: %s" % ("ok" if ok else "FAIL", what))
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def run(args, checks):
    html = os.path.join(args.out, "stepper.html")
    subprocess.run([args.epsim, "diagram", "--format", "html", "--step", str(args.step),
                    args.trace, "-o", html], check=True)
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        checks.check(False, "chromium is installed")
        return
    profile = tempfile.mkdtemp(prefix="epsim-chromium-")
    browser = Browser(exe, profile)
    try:
        browser.open_page("file://" + os.path.abspath(html))
        before = browser.eval(STATE_JS)
        browser.screenshot(os.path.join(args.out, "stepper-step%d.png" % args.step))
        checks.check(before["visible"] == 1 and before["step"] == args.step,
                     "the page opens at step %d, one step shown (%r)" % (args.step, before["counter"]))
        checks.check(bool(before["drawn"]) and before["onscreen"],
                     "a ready list is drawn: %r" % before["drawn"])
        browser.click("#next")
        after = browser.eval(STATE_JS)
        browser.screenshot(os.path.join(args.out, "stepper-step%d.png" % (args.step + 1)))
        checks.check(after["step"] == args.step + 1 and after["visible"] == 1,
                     "clicking next shows step %d (%r)" % (args.step + 1, after["counter"]))
        checks.check(after["drawn"] != before["drawn"],
                     "the drawn ready list changes: %r -> %r" % (before["drawn"], after["drawn"]))
        checks.check(after["current_line"] != before["current_line"],
                     "the highlighted trace line moves: %r" % after["current_line"])
        browser.key("ArrowLeft", 37)
        back = browser.eval(STATE_JS)
        checks.check(back["step"] == args.step and back["drawn"] == before["drawn"],
                     "the left arrow key goes back to step %d" % args.step)
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epsim", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--step", type=int, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    checks = Checks()
    try:
        run(args, checks)
    except Exception as e:  # a crash is a failed check, with its reason
        checks.check(False, "the browser session ran: %s: %s" % (type(e).__name__, e))
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 0 if checks.failed == 0 and checks.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
