#!/usr/bin/env python3
"""A WebSocket client in the seed system's style: the token is the only subprotocol
(`new WebSocket(url, token)` in a browser), docs/migrating-from-aws.md.

Subscribes to a measurement (optionally some devices) on /v1/stream and reads points until
--expect have come or --timeout passes. With --latency-field, each point's latency is now
minus that field (nanoseconds since the epoch, set by the publisher: mqtt_robots.py --stamp).
Works over ws:// and wss:// (--ca for a private CA).

Prints one JSON line: points received, the subprotocol the server echoed and, with
--latency-field, latency percentiles in milliseconds. Exit status: 0 when --expect points
came, 1 otherwise, 2 when websocket-client is missing. Used by Tests/strataTests and
Benchmarks/mqtt/mqtt_bench.py.
"""
import argparse
import json
import ssl
import sys
import time

try:
    import websocket  # websocket-client
except ImportError:
    print("python3 cannot import websocket (package websocket-client): run scripts/setup-debian.sh")
    sys.exit(2)


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[i]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True, help="ws://HOST:PORT/v1/stream or wss://...")
    p.add_argument("--token", default="seed", help="offered as the only subprotocol (any text on an open server)")
    p.add_argument("--ca", help="PEM CA for wss://")
    p.add_argument("--db", default="robots")
    p.add_argument("--measurement", default="robot")
    p.add_argument("--device", action="append", default=[], help="device_id to follow (repeatable; none: all)")
    p.add_argument("--last", type=int, default=0, help="start with each series' last N points as history")
    p.add_argument("--expect", type=int, required=True)
    p.add_argument("--latency-field")
    p.add_argument("--timeout", type=float, default=60)
    args = p.parse_args()

    sslopt = {"ca_certs": args.ca, "cert_reqs": ssl.CERT_REQUIRED} if args.ca else None
    ws = websocket.create_connection(args.url, subprotocols=[args.token], timeout=args.timeout, sslopt=sslopt,
                                     suppress_origin=True)
    echoed = ws.getsubprotocol()
    request = {"action": "subscribe", "id": "seed", "db": args.db, "measurement": args.measurement}
    if args.device:
        request["where"] = {"device_id": args.device}
    if args.last:
        request["start"] = {"last": args.last}
    ws.send(json.dumps(request))
    print("subscribing", flush=True)

    deadline = time.monotonic() + args.timeout
    points, latencies, errors = 0, [], []
    while points < args.expect and time.monotonic() < deadline:
        ws.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            message = json.loads(ws.recv())
        except websocket.WebSocketTimeoutException:
            break
        kind = message.get("type")
        if kind == "subscribed":
            print("subscribed", flush=True)
        elif kind == "error":
            errors.append(message.get("error"))
            break
        elif kind == "data":
            now = time.time_ns()
            for series in message.get("series", []):
                columns = series["columns"]
                at = columns.index(args.latency_field) if args.latency_field in columns else None
                for row in series["values"]:
                    points += 1
                    if at is not None and row[at] is not None and not message.get("history"):
                        latencies.append((now - row[at]) / 1e6)
    ws.close()
    latencies.sort()
    report = {"points": points, "subprotocol": echoed, "errors": errors}
    if args.latency_field:
        report["latencyMs"] = {"samples": len(latencies), "p50": percentile(latencies, 0.5),
                               "p99": percentile(latencies, 0.99), "max": latencies[-1] if latencies else None}
    print(json.dumps(report))
    sys.exit(0 if points >= args.expect else 1)


if __name__ == "__main__":
    main()
