#!/usr/bin/env python3
"""MQTT ingest and publish-to-browser latency of `strata serve` through a real mosquitto.

Starts mosquitto and `strata serve --mqtt-broker` on free loopback ports (fresh data
directory), then:

1. ingest: --robots robots publish --messages JSON messages each (7 values a message, the
   payloads of scripts/mqtt_robots.py) at QoS 1 as fast as they can, each robot a
   `mosquitto_pub -l` process (C: Python's paho-mqtt tops out near 2,000 messages a second
   on one core, below what Strata takes; --publisher paho uses it anyway); the run ends when
   Strata has stored every one. Reports messages/s and values/s over that wall time, and the CPU seconds
   (utime + stime from /proc) of the broker, Strata and the publishers over it, so that
   "messages per Strata CPU-second" can be compared across noisy runs.
2. latency: a seed-style WebSocket client (scripts/seed_client.py) follows every robot while
   they publish --latency-rate messages a second each for --latency-seconds, each message
   stamped with its publish time; reports p50/p99/max from publish to the client.

Usage: python3 Benchmarks/mqtt/mqtt_bench.py --strata .build/release/strata [--robots 100]
Every loop is bounded in count and time; everything listens on 127.0.0.1 only.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULES = [{"topic": "robots/+/telemetry", "db": "robots", "measurement": "robot",
          "tags": {"device_id": "{topic.1}"}, "time": {"field": "timestamp", "unit": "ms"}}]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """utime + stime of a process (its waited-for children too), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks


def wait_port(port, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port} after {timeout} s")


def stored(http_port):
    q = urllib.parse.urlencode({"db": "robots", "q": "SELECT count(battery) FROM robot"})
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/query?{q}", timeout=10) as r:
        series = json.load(r)["results"][0].get("series") or []
    return series[0]["values"][0][1] if series else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--strata", required=True)
    p.add_argument("--robots", type=int, default=100)
    p.add_argument("--messages", type=int, default=1000, help="per robot, ingest phase")
    p.add_argument("--inflight", type=int, default=100, help="mosquitto max_inflight_messages and the publishers'")
    p.add_argument("--publisher", choices=["mosquitto_pub", "paho"], default="mosquitto_pub")
    p.add_argument("--latency-rate", type=float, default=10)
    p.add_argument("--latency-seconds", type=float, default=10)
    p.add_argument("--timeout", type=float, default=600)
    args = p.parse_args()

    work = tempfile.mkdtemp(prefix="strata-mqtt-bench-")
    mqtt_port, http_port = free_port(), free_port()
    with open(f"{work}/mosquitto.conf", "w") as f:
        f.write(f"listener {mqtt_port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                f"max_queued_messages 0\nmax_inflight_messages {args.inflight}\n")
    with open(f"{work}/rules.json", "w") as f:
        json.dump(RULES, f)
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    broker = subprocess.Popen([mosquitto, "-c", f"{work}/mosquitto.conf"], stdout=subprocess.DEVNULL,
                              stderr=open(f"{work}/mosquitto.log", "w"))
    strata = None
    try:
        wait_port(mqtt_port)
        strata = subprocess.Popen([args.strata, "serve", "--data-dir", f"{work}/data", "--http", f"127.0.0.1:{http_port}",
                                   "--mqtt-broker", f"tcp://127.0.0.1:{mqtt_port}", "--mqtt-rules", f"{work}/rules.json",
                                   "--mqtt-client-id", "strata-bench"],
                                  stdout=subprocess.DEVNULL, stderr=open(f"{work}/strata.log", "w"))
        wait_port(http_port)
        time.sleep(0.5)
        report = {"robots": args.robots, "messagesPerRobot": args.messages, "inflight": args.inflight}
        report["ingest"] = ingest(args, mqtt_port, http_port, broker.pid, strata.pid)
        report["latency"] = latency(args, mqtt_port, http_port)
        print(json.dumps(report, indent=1))
    finally:
        for proc in (strata, broker):
            if proc and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def ingest(args, mqtt_port, http_port, broker_pid, strata_pid):
    total = args.robots * args.messages
    files = robot_files(args) if args.publisher == "mosquitto_pub" else None
    cpu_before = {"broker": cpu_seconds(broker_pid), "strata": cpu_seconds(strata_pid)}
    started = time.monotonic()
    publisher, publishers = None, None
    if files is not None:
        publishers = start_publishers(args, mqtt_port, files)
    else:
        publisher = subprocess.Popen([sys.executable, f"{ROOT}/scripts/mqtt_robots.py", "--port", str(mqtt_port),
                                      "--robots", str(args.robots), "--messages", str(args.messages), "--rate", "0",
                                      "--inflight", str(args.inflight), "--timeout", str(args.timeout)],
                                     stdout=subprocess.PIPE, text=True)
    deadline = started + args.timeout
    n = 0
    while time.monotonic() < deadline:
        n = stored(http_port)
        if n >= total:
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    cpu = {"broker": cpu_seconds(broker_pid) - cpu_before["broker"], "strata": cpu_seconds(strata_pid) - cpu_before["strata"]}
    if publisher is not None:
        out, _ = publisher.communicate(timeout=args.timeout)
        published = json.loads(out.strip().splitlines()[-1])
    else:
        failed = sum(1 for proc in publishers if proc.wait(timeout=args.timeout) != 0)
        published = {"processes": len(publishers), "failed": failed}
    return {"stored": n, "seconds": round(elapsed, 3), "messagesPerSecond": round(n / elapsed),
            "valuesPerSecond": round(7 * n / elapsed), "cpuSeconds": {k: round(v, 2) for k, v in cpu.items()},
            "messagesPerStrataCpuSecond": round(n / cpu["strata"]) if cpu["strata"] else None,
            "valuesPerStrataCpuSecond": round(7 * n / cpu["strata"]) if cpu["strata"] else None,
            "publisher": published}


def robot_files(args):
    """Each robot's messages, a JSON document a line, for `mosquitto_pub -l`."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("mqtt_robots", f"{ROOT}/scripts/mqtt_robots.py")
    robots = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(robots)
    work = tempfile.mkdtemp(prefix="strata-mqtt-pub-")
    base_ms = int(time.time() * 1000) - 10 * args.messages
    paths = []
    for r in range(args.robots):
        path = f"{work}/{r}.txt"
        with open(path, "w") as f:
            for i in range(args.messages):
                f.write(robots.payload(r, i, base_ms) + "\n")
        paths.append(path)
    return paths


def start_publishers(args, mqtt_port, files):
    """One mosquitto_pub per robot publishing its file's lines at QoS 1, then exiting."""
    mosquitto_pub = shutil.which("mosquitto_pub") or "/usr/bin/mosquitto_pub"
    return [subprocess.Popen([mosquitto_pub, "-p", str(mqtt_port), "-q", "1", "-M", str(args.inflight), "-l",
                              "-i", f"robot-{r:04d}-pub", "-t", f"robots/robot-{r:04d}/telemetry"],
                             stdin=open(path), stdout=subprocess.DEVNULL)
            for r, path in enumerate(files)]


def latency(args, mqtt_port, http_port):
    messages = int(args.latency_rate * args.latency_seconds)
    expect = args.robots * messages
    client = subprocess.Popen([sys.executable, f"{ROOT}/scripts/seed_client.py", "--url",
                               f"ws://127.0.0.1:{http_port}/v1/stream", "--expect", str(expect), "--latency-field",
                               "sent_ns", "--timeout", str(args.latency_seconds + 60)], stdout=subprocess.PIPE, text=True)
    line = client.stdout.readline()
    while line and "subscribed" != line.strip():
        line = client.stdout.readline()
    subprocess.run([sys.executable, f"{ROOT}/scripts/mqtt_robots.py", "--port", str(mqtt_port), "--robots",
                    str(args.robots), "--messages", str(messages), "--rate", str(args.latency_rate), "--stamp",
                    "--base-ms", str(int(time.time() * 1000)), "--timeout", str(args.latency_seconds + 60)],
                   stdout=subprocess.DEVNULL, check=False)
    out, _ = client.communicate(timeout=args.latency_seconds + 90)
    return json.loads(out.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
