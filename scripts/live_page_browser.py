#!/usr/bin/env python3
"""Drives Strata's live page (GET /) in headless Chromium through the DevTools protocol.

Called by Tests/strataTests/LivePageBrowserTests.swift against a running `strata serve`:
writes history for two devices, loads the page preselected on one, waits until it is live
with that history, writes new points and checks they appear, forces a reconnect while more
points are written and checks the page resumed with none missing or repeated, saves a
screenshot, and checks the page requested nothing from anywhere but the server. With
--token, the page is first expected to show that it was refused, the token is typed into
its token box, and after the steps a reload must go live again with the saved token.

Prints progress lines and, last, one JSON line with what it saw. Exit status: 0 passed,
1 a check failed, 2 the environment is missing something (the message names
scripts/setup-debian.sh). Every wait is bounded.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

SETUP_HINT = "run scripts/setup-debian.sh (installs chromium and the Python websocket-client)"

try:
    import websocket  # websocket-client
except ImportError:
    print(f"python3 cannot import websocket (package websocket-client): {SETUP_HINT}")
    sys.exit(2)


class CheckFailed(Exception):
    pass


class Browser:
    """One headless Chromium with its own profile directory, and a CDP session on its page."""

    def __init__(self, chromium, timeout):
        self.profile = tempfile.mkdtemp(prefix="strata-chromium-")
        self.log_path = os.path.join(self.profile, "chromium.log")
        self.log = open(self.log_path, "wb")
        args = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--mute-audio", "--window-size=1200,860",
                "about:blank"]
        # Its own process group, so the renderer and zygote children go with it at the end.
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        self.ws = None
        self.next_id = 0
        self.events = []
        try:
            self.port = self._devtools_port(timeout)
            self.ws = websocket.create_connection(self._page_socket_url(timeout), timeout=timeout,
                                                  suppress_origin=True)
        except BaseException:
            self.close()
            raise

    def _devtools_port(self, timeout):
        # --remote-debugging-port=0 picks a free port and writes it to DevToolsActivePort.
        path = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CheckFailed(f"chromium exited with {self.process.returncode}: {self.log_tail()}")
            try:
                with open(path) as f:
                    first = f.readline().strip()
                if first.isdigit():
                    return int(first)
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        raise CheckFailed(f"chromium wrote no DevToolsActivePort within {timeout} s: {self.log_tail()}")

    def _page_socket_url(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=5) as r:
                targets = json.load(r)
            pages = [t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            time.sleep(0.1)
        raise CheckFailed(f"chromium listed no page target within {timeout} s")

    def call(self, method, params=None, timeout=10):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            if message.get("id") == my_id:
                if "error" in message:
                    raise CheckFailed(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)
        raise CheckFailed(f"no answer to {method} within {timeout} s")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise CheckFailed(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def log_tail(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read()[-2000:].decode(errors="replace")

    def close(self):
        if self.ws:
            self.ws.close()
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


# What the page shows, read from the DOM ids that docs/live-page.md lists.
# 'null' while the document is still being parsed: the first ids may exist before the last.
SNAPSHOT = """document.readyState === 'loading' || !document.getElementById('state') ? 'null' : JSON.stringify({
  state: document.getElementById('state').dataset.state,
  reason: document.getElementById('reason').textContent,
  points: Number(document.getElementById('points').textContent),
  lastValue: document.getElementById('last-value').textContent,
  seq: document.getElementById('seq').textContent,
  resumes: Number(document.getElementById('resumes').textContent),
  repeats: Number(document.getElementById('repeats').textContent),
  lag: document.getElementById('lag').textContent,
  times: document.getElementById('chart').dataset.times.split(',').filter(Boolean),
  series: Number(document.getElementById('chart').dataset.series),
  errors: [...document.querySelectorAll('#log li.error')].map(li => li.textContent),
  log: [...document.querySelectorAll('#log li')].slice(0, 12).map(li => li.textContent),
  selected: ['db', 'measurement', 'device', 'field'].map(id => document.getElementById(id).value),
})"""


class Scenario:
    def __init__(self, args, browser):
        self.args = args
        self.browser = browser
        self.base = args.base_url.rstrip("/")
        self.last = {}

    def http(self, method, path, body=None):
        token = self.args.write_token or self.args.token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                self.last_body = r.read()
                return r.status
        except urllib.error.HTTPError as e:
            raise CheckFailed(f"{method} {path} answered {e.code}: {e.read().decode(errors='replace')}")

    def write(self, points):
        """points: [(device, time ns, value)]; 204 only once durable, so then it is visible."""
        lines = "\n".join(f"{self.args.measurement},device_id={d} {self.args.field}={v} {t}" for d, t, v in points)
        query = urllib.parse.urlencode({"db": self.args.db})
        status = self.http("POST", f"/write?{query}", lines.encode())
        if status != 204:
            raise CheckFailed(f"/write answered {status}")

    def snapshot(self):
        """None while the page is still loading."""
        shown = json.loads(self.browser.evaluate(SNAPSHOT))
        if shown is not None:
            self.last = shown
        return shown

    def wait_for(self, what, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.snapshot()
            if shown is not None and predicate(shown):
                print(f"ok: {what} ({json.dumps({k: self.last[k] for k in ('state', 'points', 'lastValue', 'seq')})})")
                return self.last
            time.sleep(0.1)
        if not self.last:
            seen = self.browser.evaluate("location.href + ': ' + (document.body ? document.body.innerText.slice(0, 300) : '')")
            raise CheckFailed(f"page did not show {what} within {timeout} s: the live page never loaded ({seen})")
        raise CheckFailed(f"page did not show {what} within {timeout} s; it shows {json.dumps(self.last)}")

    def run(self):
        a = self.args
        self.http("POST", "/query?" + urllib.parse.urlencode({"q": f'CREATE DATABASE "{a.db}"'}))
        now = time.time_ns()
        history = [(a.device, now - (a.history - i) * 1_000_000_000 + 123, round(50 + i * 0.25, 2))
                   for i in range(a.history)]
        # Another device's points must stay off the chart.
        other = [("robot-other", t + 7, v + 1000) for _, t, v in history]
        self.write(history + other)

        self.prepare_page()
        page_url = f"{self.base}/?" + urllib.parse.urlencode(
            {"db": a.db, "measurement": a.measurement, "device": a.device, "field": a.field})
        self.browser.call("Page.navigate", {"url": page_url})
        early_errors = []
        if a.token:
            # No token saved yet: the page must say it was refused, then take one typed in.
            shown = self.wait_for("refused without a token", lambda s: s["state"] == "refused", a.timeout)
            self.expect("401" in shown["reason"], f"refusal reason {shown['reason']!r} does not name the 401")
            early_errors = shown["errors"]
            self.browser.evaluate(f"document.getElementById('token').value = {json.dumps(a.token)};"
                                  "document.getElementById('save-token').click()")
        last_history = history[-1]
        shown = self.wait_for(
            f"live with {a.history} history points", lambda s: s["state"] == "live" and s["points"] >= a.history,
            a.timeout)
        self.expect(shown["points"] == a.history, f"history points {shown['points']} != {a.history}")
        self.expect(shown["series"] == 1, f"{shown['series']} series on the chart, want only {a.device}")
        self.expect(shown["lastValue"] == str(last_history[2]), f"last value {shown['lastValue']} != {last_history[2]}")
        self.expect(str(last_history[1]) in shown["times"], f"last history time {last_history[1]} not in {shown['times']}")
        self.expect(shown["selected"] == [a.db, a.measurement, a.device, a.field], f"pickers show {shown['selected']}")

        live_points = self.write_live(5, 81.5)
        expected = a.history + len(live_points)
        shown = self.wait_for(f"{len(live_points)} live points", lambda s: s["points"] >= expected
                              and s["lastValue"] == str(live_points[-1][2]), a.timeout)
        self.expect_points(shown, expected, live_points)
        seq_before = shown["seq"]

        # Drop the stream (the page's Reconnect button closes it) while writing more.
        self.browser.evaluate("document.getElementById('reconnect').click()")
        resumed_points = self.write_live(4, 90.25)
        expected += len(resumed_points)
        shown = self.wait_for("resumed and live", lambda s: s["state"] == "live" and s["resumes"] >= 1
                              and s["points"] >= expected, a.timeout)
        self.expect_points(shown, expected, resumed_points)
        self.expect(any("resuming" in line and f"seq {seq_before}" in line for line in shown["log"]),
                    f"no resume from seq {seq_before} in the log: {shown['log']}")
        expected = self.kick_and_resume(expected)
        shown = self.last
        errors = [e for e in shown["errors"] if e not in early_errors and "closed by an admin" not in e]
        self.expect(not errors, f"the page logged errors: {errors}")
        self.screenshot()
        if a.token:
            # The token was kept in localStorage: a reload goes live again without asking.
            self.browser.call("Page.reload")
            shown = self.wait_for("live again after a reload", lambda s: s["state"] == "live"
                                  and s["points"] >= expected and s["resumes"] == 0, a.timeout)
            self.expect(shown["points"] == expected, f"after a reload: points {shown['points']} != {expected}")

        outside = self.outside_requests()
        self.expect(not outside, f"requests to elsewhere than the server: {outside}")
        return {"history": a.history, "live": len(live_points), "resumed": len(resumed_points), "points": expected,
                "final": shown, "requests": len(self.requests())}

    def kick_and_resume(self, expected):
        """An admin closes the page's connection (4001): the page must say so and stay closed
        until Reconnect, which resumes with what was written meanwhile."""
        self.http("GET", "/v1/connections")
        connections = json.loads(self.last_body)["connections"]
        pages = [c for c in connections if "Chrome" in (c.get("user_agent") or "")]
        self.expect(len(pages) == 1, f"want the page's one connection in the registry, got {connections}")
        self.http("DELETE", f"/v1/connections/{urllib.parse.quote(pages[0]['id'])}?reason=browser%20test%20kick")
        shown = self.wait_for("closed by an admin", lambda s: s["state"] == "closed", self.args.timeout)
        self.expect("browser test kick" in shown["reason"], f"close reason not shown: {shown['reason']!r}")
        written = self.write_live(1, 99.5)
        time.sleep(1.0)  # longer than the first retry delay: a page that retried by itself would show it
        self.expect(self.snapshot()["state"] == "closed", f"the page did not stay closed: {self.last}")
        self.browser.evaluate("document.getElementById('reconnect').click()")
        expected += len(written)
        shown = self.wait_for("live after Reconnect", lambda s: s["state"] == "live" and s["resumes"] >= 2
                              and s["points"] >= expected, self.args.timeout)
        self.expect_points(shown, expected, written)
        return expected

    def write_live(self, count, first_value):
        points = []
        for i in range(count):
            points.append((self.args.device, time.time_ns(), first_value + i))
            self.write([points[-1]])
        return points

    def expect_points(self, shown, expected, written):
        self.expect(shown["points"] == expected, f"points {shown['points']} != {expected} (a gap or a duplicate)")
        self.expect(shown["repeats"] == 0, f"{shown['repeats']} points arrived twice")
        self.expect(shown["lastValue"] == str(written[-1][2]), f"last value {shown['lastValue']} != {written[-1][2]}")
        missing = [t for _, t, _ in written if str(t) not in shown["times"]]
        self.expect(not missing, f"written times {missing} not among the page's recent times {shown['times']}")

    def prepare_page(self):
        b = self.browser
        b.call("Network.enable")
        b.call("Page.enable")
        b.call("Runtime.enable")

    def screenshot(self):
        shot = self.browser.call("Page.captureScreenshot", {"format": "png"})
        with open(self.args.screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        print(f"ok: screenshot {self.args.screenshot}")

    def requests(self):
        # Drain the events that arrived while nothing was being called.
        self.browser.call("Runtime.evaluate", {"expression": "1"})
        kinds = ("Network.requestWillBeSent", "Network.webSocketCreated")
        found = []
        for event in self.browser.events:
            if event["method"] in kinds:
                params = event["params"]
                found.append(params.get("request", {}).get("url") or params.get("url"))
        return found

    def outside_requests(self):
        host = urllib.parse.urlsplit(self.base).netloc
        allowed = (f"http://{host}/", f"ws://{host}/", "data:")
        return [u for u in self.requests() if not u.startswith(allowed)]

    @staticmethod
    def expect(condition, message):
        if not condition:
            raise CheckFailed(message)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base-url", required=True)
    p.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    p.add_argument("--token", default="", help="the token typed into the page")
    p.add_argument("--write-token", default="", help="the token for the script's own writes (default --token)")
    p.add_argument("--db", default="robots")
    p.add_argument("--measurement", default="robot")
    p.add_argument("--device", default="robot-0001")
    p.add_argument("--field", default="battery")
    p.add_argument("--history", type=int, default=40)
    p.add_argument("--timeout", type=float, default=30.0, help="seconds for each wait (30: a loaded 2-core machine; each wait ends as soon as the page shows what it waits for)")
    p.add_argument("--screenshot", default=os.path.join(tempfile.gettempdir(), "strata-live-page.png"))
    args = p.parse_args()
    # A SIGTERM from the test's time bound unwinds through `finally`, which stops Chromium.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not shutil.which(args.chromium) and not os.access(args.chromium, os.X_OK):
        print(f"chromium not found ({args.chromium}): {SETUP_HINT}")
        return 2
    browser = None
    try:
        browser = Browser(args.chromium, args.timeout)
        scenario = Scenario(args, browser)
        summary = scenario.run()
        print(json.dumps({"passed": True, **summary}))
        return 0
    except CheckFailed as e:
        print(f"FAILED: {e}")
        if browser:
            for event in browser.events:
                if event["method"] in ("Runtime.exceptionThrown", "Runtime.consoleAPICalled"):
                    print("page console:", json.dumps(event["params"])[:500])
        print(json.dumps({"passed": False, "error": str(e)}))
        return 1
    finally:
        if browser:
            browser.close()


if __name__ == "__main__":
    sys.exit(main())
