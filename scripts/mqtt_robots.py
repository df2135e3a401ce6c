#!/usr/bin/env python3
"""Robots publishing JSON telemetry over MQTT, as the seed system's did (docs/mqtt.md).

Each robot is its own MQTT connection (paho-mqtt) publishing to robots/<id>/telemetry:

    {"device_id": "robot-0001", "timestamp": <ms>, "battery": 98.25, "speed": 1.5,
     "pose": {"x": 1.0, "y": 2.0, "theta": 0.5}, "mode": "auto", "ok": true}

that is 7 values a message. Message i of robot r has timestamp base + 10*i ms and
battery = r + i/1000, so a reader can check each point. Used by
Tests/strataTests/MQTTIngestTests.swift and Benchmarks/mqtt/mqtt_bench.py.

Every message is published at the QoS given (1 by default) and counted as accepted only when
the broker acknowledged it. The last output line is a JSON report. Exit status: 0 every
message accepted, 1 some were not, 2 paho-mqtt is missing. Bounded: --timeout seconds at most.
"""
import argparse
import json
import os
import sys
import threading
import time

SETUP_HINT = "run scripts/setup-debian.sh (installs mosquitto and the Python paho-mqtt)"
try:
    import paho.mqtt.client as mqtt
except ImportError:
    print(f"python3 cannot import paho.mqtt (package paho-mqtt): {SETUP_HINT}")
    sys.exit(2)

VALUES_PER_MESSAGE = 7


def make_client(client_id):
    # paho-mqtt 2 asks which callback API the caller was written for; 1.x has no such argument.
    if hasattr(mqtt, "CallbackAPIVersion"):
        return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    return mqtt.Client(client_id=client_id, clean_session=True)


def payload(robot, i, base_ms):
    device = f"robot-{robot:04d}"
    return json.dumps({
        "device_id": device, "timestamp": base_ms + 10 * i, "battery": round(robot + i / 1000, 3),
        "speed": round((i % 50) / 10, 1), "pose": {"x": float(i), "y": float(robot), "theta": round(i / 100, 2)},
        "mode": "auto" if i % 2 == 0 else "manual", "ok": i % 7 != 0,
    }, separators=(",", ":"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--robots", type=int, default=100)
    p.add_argument("--messages", type=int, default=50, help="per robot")
    p.add_argument("--rate", type=float, default=20, help="messages a second per robot; 0: as fast as possible")
    p.add_argument("--base-ms", type=int, default=1_796_000_000_000)
    p.add_argument("--qos", type=int, default=1)
    p.add_argument("--inflight", type=int, default=100, help="unacknowledged messages per connection")
    p.add_argument("--stamp", action="store_true", help="add sent_ns, the wall clock at publish, to each message")
    p.add_argument("--pause-after", type=int, default=0,
                   help="after this many messages per robot, wait until --resume-file exists (a test's cue)")
    p.add_argument("--resume-file")
    p.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()
    deadline = time.monotonic() + args.timeout

    clients = []
    for r in range(args.robots):
        c = make_client(f"robot-{r:04d}-pub")
        c.max_inflight_messages_set(args.inflight)
        c.connect(args.host, args.port, keepalive=60)
        c.loop_start()
        clients.append(c)
    for c in clients:
        while not c.is_connected():
            if time.monotonic() > deadline:
                print(json.dumps({"error": "publishers could not connect"}))
                sys.exit(1)
            time.sleep(0.01)

    infos = []
    started = time.monotonic()
    paused = 0.0
    for i in range(args.messages):
        if args.pause_after and i == args.pause_after and args.resume_file:
            print("paused", flush=True)
            pause_started = time.monotonic()
            while not os.path.exists(args.resume_file) and time.monotonic() < deadline:
                time.sleep(0.02)
            paused = time.monotonic() - pause_started
        if args.rate > 0:
            due = started + paused + i / args.rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        if time.monotonic() > deadline:
            break
        for r, c in enumerate(clients):
            body = payload(r, i, args.base_ms)
            if args.stamp:
                body = body[:-1] + f',"sent_ns":{time.time_ns()}}}'
            infos.append(c.publish(f"robots/robot-{r:04d}/telemetry", body, qos=args.qos))
    published_in = time.monotonic() - started

    accepted = 0
    for info in infos:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            info.wait_for_publish(timeout=remaining)
        except (RuntimeError, ValueError):
            continue
        if info.is_published():
            accepted += 1
    elapsed = time.monotonic() - started
    for c in clients:
        c.disconnect()
        c.loop_stop()
    report = {"published": len(infos), "accepted": accepted, "seconds": round(elapsed, 3),
              "publishSeconds": round(published_in, 3), "messagesPerSecond": round(accepted / elapsed, 1) if elapsed else 0,
              "valuesPerMessage": VALUES_PER_MESSAGE}
    print(json.dumps(report))
    sys.exit(0 if accepted == args.robots * args.messages else 1)


if __name__ == "__main__":
    main()
