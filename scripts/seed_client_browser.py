#!/usr/bin/env python3
"""The seed system's browser client in headless Chromium, against `strata serve` with MQTT
ingest (docs/migrating-from-aws.md).

The page runs exactly the seed's pattern, `new WebSocket(url, token)` with the token as the
only subprotocol, then subscribes to one device. This script publishes that device's
telemetry to the MQTT broker (as a robot would) and checks that each message reaches the
page as a live point, that the server echoed the token as the selected subprotocol, and
that a wrong token is refused.

Called by Tests/strataTests/SeedBrowserTests.swift. Prints progress and, last, one JSON
line. Exit status: 0 passed, 1 a check failed, 2 the environment lacks something.
"""
import argparse
import importlib.util
import json
import os
import shutil
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("live_page_browser", os.path.join(HERE, "live_page_browser.py"))
live_page_browser = importlib.util.module_from_spec(spec)
spec.loader.exec_module(live_page_browser)
Browser, CheckFailed, SETUP_HINT = live_page_browser.Browser, live_page_browser.CheckFailed, live_page_browser.SETUP_HINT

spec = importlib.util.spec_from_file_location("mqtt_robots", os.path.join(HERE, "mqtt_robots.py"))
mqtt_robots = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mqtt_robots)

# The seed's client, as a browser page would run it. State is kept on window.seed.
SEED_CLIENT = """
(() => {
  const seed = window.seed = {state: 'connecting', protocol: null, points: [], errors: [], closeCode: null};
  const ws = new WebSocket(%(url)s, %(token)s);
  ws.onopen = () => {
    seed.state = 'open';
    seed.protocol = ws.protocol;
    ws.send(JSON.stringify({action: 'subscribe', id: 'seed', db: %(db)s, measurement: 'robot',
                            where: {device_id: [%(device)s]}}));
  };
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'subscribed') seed.state = 'subscribed';
    if (message.type === 'error') seed.errors.push(message.error);
    if (message.type === 'data') {
      for (const series of message.series) {
        const battery = series.columns.indexOf('battery');
        for (const row of series.values) seed.points.push(row[battery]);
      }
    }
  };
  ws.onclose = (event) => { seed.state = 'closed'; seed.closeCode = event.code; };
  return true;
})()
"""


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base-url", required=True)
    p.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    p.add_argument("--token", required=True)
    p.add_argument("--mqtt-port", type=int, required=True)
    p.add_argument("--db", default="robots")
    p.add_argument("--robot", type=int, default=7)
    p.add_argument("--messages", type=int, default=5)
    p.add_argument("--timeout", type=float, default=30.0)
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not shutil.which(args.chromium) and not os.access(args.chromium, os.X_OK):
        print(f"chromium not found ({args.chromium}): {SETUP_HINT}")
        return 2
    base = args.base_url.rstrip("/")
    stream = base.replace("http://", "ws://").replace("https://", "wss://") + "/v1/stream"
    device = f"robot-{args.robot:04d}"
    browser = None
    try:
        browser = Browser(args.chromium, args.timeout)
        browser.call("Runtime.enable")
        browser.call("Page.navigate", {"url": base + "/health"})
        wait(browser, "the page to load", "document.readyState === 'complete'", args.timeout)

        # A wrong token first: the handshake must fail, and the page sees the socket close.
        browser.evaluate(SEED_CLIENT % {"url": json.dumps(stream), "token": json.dumps("not-a-token"),
                                        "db": json.dumps(args.db), "device": json.dumps(device)})
        wait(browser, "a wrong token to be refused", "window.seed.state === 'closed'", args.timeout)

        browser.evaluate(SEED_CLIENT % {"url": json.dumps(stream), "token": json.dumps(args.token),
                                        "db": json.dumps(args.db), "device": json.dumps(device)})
        wait(browser, "the subscription", "window.seed.state === 'subscribed'", args.timeout)
        protocol = browser.evaluate("window.seed.protocol")
        if protocol != args.token:
            raise CheckFailed(f"the server selected subprotocol {protocol!r}, not the token the page offered")

        client = mqtt_robots.make_client("seed-browser-robot")
        client.connect("127.0.0.1", args.mqtt_port, keepalive=30)
        client.loop_start()
        base_ms = int(time.time() * 1000)
        expected = []
        for i in range(args.messages):
            info = client.publish(f"robots/{device}/telemetry", mqtt_robots.payload(args.robot, i, base_ms), qos=1)
            info.wait_for_publish(timeout=args.timeout)
            expected.append(round(args.robot + i / 1000, 3))
        client.disconnect()
        client.loop_stop()
        wait(browser, f"{args.messages} live points", f"window.seed.points.length >= {args.messages}", args.timeout)
        seen = browser.evaluate("window.seed.points")
        if seen != expected:
            raise CheckFailed(f"the page saw {seen}, expected {expected}")
        errors = browser.evaluate("window.seed.errors")
        if errors:
            raise CheckFailed(f"the page got errors: {errors}")
        print(json.dumps({"passed": True, "points": len(seen), "protocol": "the token"}))
        return 0
    except CheckFailed as e:
        print(f"FAILED: {e}")
        print(json.dumps({"passed": False, "error": str(e)}))
        return 1
    finally:
        if browser:
            browser.close()


def wait(browser, what, expression, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if browser.evaluate(f"!!(window.seed || {{}}) && ({expression})"):
            print(f"seen: {what}", flush=True)
            return
        time.sleep(0.05)
    state = browser.evaluate("JSON.stringify(window.seed || null)")
    raise CheckFailed(f"timed out waiting for {what}; the page has {state}")


if __name__ == "__main__":
    sys.exit(main())
