#!/usr/bin/env python3
"""Responsiveness under heavy work (issue 12, "Isolation").

Starts a release `strata serve` on 127.0.0.1 with a temporary data directory, loads the peer
benchmark dataset into its head (no flush), then measures `GET /ping` and a one-line
`POST /write` every 20 ms in three phases:

  idle        nothing else runs                                   (reference)
  background  POST /flush of the whole head, then POST /compact   (engine background work)
  ingest      the dataset written again (2 connections) into a second database, with
              POST /flush every --flush-every seconds           (ingest with flushes)
  queries     three raw scans (`SELECT * FROM robot` over --hours hours, chunked=true)
              and the regex count query, each in a loop           (query execution)

Each phase samples for --seconds seconds (bounded: one sampler per kind, one request in
flight, a request timeout). The background phase also reports the samples taken while the
flush and the compaction were running. Speed targets live here, never in tests.

Usage (see README.md):
  python3 responsiveness.py --strata .build-iso/release/strata [--out result.json]
"""
import argparse
import http.client
import json
import multiprocessing as mp
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

DATASET = "/tmp/peers/data/robots_100d_21600s_seed42.lp"
START = "2024-01-01T00:00:00Z"
REGEX_QUERY = "SELECT count(battery) FROM robot WHERE device_id =~ /(a+)+$/"


def request(conn, method, path, body=None, headers=None, read=True):
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read() if read else None
    return resp.status, data, resp


def wait_ready(port, deadline=60.0):
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            status, _, _ = request(c, "GET", "/ping")
            c.close()
            if status == 204:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not answer /ping")


def load_worker(port, db, path, index, workers, batch_lines, out, stop_at=None):
    """Posts every `workers`-th batch of the file, starting at `index`; with `stop_at`, reads
    the file again and again (rewriting the same points) until then."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    lines = 0

    def post_batch(batch):
        status, data, _ = request(conn, "POST", f"/write?db={db}", b"".join(batch))
        if status != 204:
            raise SystemExit(f"write failed: {status} {data[:200]!r}")

    while True:
        with open(path, "rb") as f:
            batch, b = [], 0
            for line in f:
                batch.append(line)
                if len(batch) == batch_lines:
                    if stop_at is not None and time.monotonic() >= stop_at:
                        out.put(lines)
                        return
                    if b % workers == index:
                        post_batch(batch)
                        lines += len(batch)
                    batch, b = [], b + 1
            if batch and b % workers == index:
                post_batch(batch)
                lines += len(batch)
        if stop_at is None or time.monotonic() >= stop_at:
            break
    out.put(lines)


def query_path(db, q, chunked):
    params = {"db": db, "q": q, "epoch": "ns"}
    if chunked:
        params["chunked"] = "true"
    return "/query?" + urllib.parse.urlencode(params)


def query_loop(port, db, q, chunked, stop_at, out):
    """Runs `q` again and again until `stop_at` (monotonic), draining the answer."""
    runs, bytes_read, failures = 0, 0, 0
    while time.monotonic() < stop_at:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", query_path(db, q, chunked))
            resp = conn.getresponse()
            while True:
                chunk = resp.read(1 << 20)
                if not chunk:
                    break
                bytes_read += len(chunk)
            conn.close()
            if resp.status != 200:
                failures += 1
            runs += 1
        except OSError:
            failures += 1
    out.put({"query": q, "runs": runs, "bytes": bytes_read, "failures": failures})


class Sampler(threading.Thread):
    """One request every `interval` seconds (a missed tick is skipped, never queued)."""

    def __init__(self, port, kind, db, seconds, interval, timeout):
        super().__init__(daemon=True)
        self.port, self.kind, self.db = port, kind, db
        self.seconds, self.interval, self.timeout = seconds, interval, timeout
        self.samples = []  # (start monotonic, latency seconds, ok)

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        start = time.monotonic()
        next_tick = start
        value = 0
        while True:
            now = time.monotonic()
            if now - start >= self.seconds:
                break
            if now < next_tick:
                time.sleep(next_tick - now)
            t0 = time.monotonic()
            ok = True
            try:
                if self.kind == "ping":
                    status, _, _ = request(conn, "GET", "/ping")
                    ok = status == 204
                else:
                    value += 1
                    line = f"probe,src=responsiveness v={value}i {time.time_ns()}".encode()
                    status, _, _ = request(conn, "POST", f"/write?db={self.db}", line)
                    ok = status == 204
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            t1 = time.monotonic()
            self.samples.append((t0, t1 - t0, ok))
            next_tick += self.interval
            while next_tick < t1:
                next_tick += self.interval
        conn.close()


def percentiles(latencies):
    if not latencies:
        return None
    xs = sorted(latencies)

    def p(q):
        return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]

    return {"n": len(xs), "p50_ms": p(0.50) * 1e3, "p99_ms": p(0.99) * 1e3, "max_ms": xs[-1] * 1e3,
            "mean_ms": statistics.fmean(xs) * 1e3}


def summarize(samplers, window=None):
    """`window`: None (every sample), or one (start, end) or a list of them."""
    windows = None if window is None else (window if isinstance(window, list) else [window])
    out = {}
    for s in samplers:
        chosen = [(t, lat, ok) for (t, lat, ok) in s.samples
                  if windows is None or any(a <= t <= b for (a, b) in windows)]
        summary = percentiles([lat for (_, lat, _) in chosen])
        if summary is not None:
            summary["failed"] = sum(1 for (_, _, ok) in chosen if not ok)
        out[s.kind] = summary
    return out


def sample(port, db, seconds, interval, timeout):
    samplers = [Sampler(port, "ping", db, seconds, interval, timeout),
                Sampler(port, "write", db, seconds, interval, timeout)]
    for s in samplers:
        s.start()
    return samplers


def post(port, path, timeout=900):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    t0 = time.monotonic()
    status, data, _ = request(conn, "POST", path)
    t1 = time.monotonic()
    conn.close()
    return status, data, t0, t1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--strata", required=True, help="release strata binary")
    ap.add_argument("--dataset", default=DATASET)
    ap.add_argument("--port", type=int, default=18190)
    ap.add_argument("--seconds", type=float, default=20.0, help="sampling window per phase")
    ap.add_argument("--interval", type=float, default=0.02, help="seconds between samples")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-sample request timeout")
    ap.add_argument("--hours", type=int, default=3, help="span of each raw scan")
    ap.add_argument("--scans", type=int, default=3)
    ap.add_argument("--load-workers", type=int, default=2)
    ap.add_argument("--batch-lines", type=int, default=5000)
    ap.add_argument("--flush-every", type=float, default=3.0, help="seconds between flushes in the ingest phase")
    ap.add_argument("--phases", default="idle,background,ingest,queries")
    ap.add_argument("--out", help="write the result as JSON here")
    ap.add_argument("--label", default="", help="a name for this run in the output")
    args = ap.parse_args()

    db = "bench"
    data_dir = tempfile.mkdtemp(prefix="strata-responsiveness-")
    log = open(os.path.join(data_dir, "..", os.path.basename(data_dir) + ".log"), "w")
    env = dict(os.environ, STRATA_LOG_LEVEL="warning")
    server = subprocess.Popen([args.strata, "serve", "--data-dir", data_dir, "--http", f"127.0.0.1:{args.port}"],
                              stdout=log, stderr=subprocess.STDOUT, env=env)
    result = {"label": args.label, "strata": args.strata, "dataset": args.dataset,
              "interval_ms": args.interval * 1e3, "seconds": args.seconds, "phases": {}}
    try:
        wait_ready(args.port)
        c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        request(c, "POST", "/query?" + urllib.parse.urlencode({"q": f"CREATE DATABASE {db}"}))
        c.close()

        t0 = time.monotonic()
        q = mp.Queue()
        loaders = [mp.Process(target=load_worker, args=(args.port, db, args.dataset, i, args.load_workers,
                                                        args.batch_lines, q)) for i in range(args.load_workers)]
        for p in loaders:
            p.start()
        loaded = sum(q.get() for _ in loaders)
        for p in loaders:
            p.join()
        result["load"] = {"lines": loaded, "seconds": time.monotonic() - t0}
        print(f"loaded {loaded} lines in {result['load']['seconds']:.1f} s", flush=True)

        for phase in args.phases.split(","):
            if phase == "idle":
                samplers = sample(args.port, db, args.seconds, args.interval, args.timeout)
                for s in samplers:
                    s.join()
                result["phases"]["idle"] = {"all": summarize(samplers)}
            elif phase == "background":
                samplers = sample(args.port, db, args.seconds, args.interval, args.timeout)
                time.sleep(0.5)
                fs, _, f0, f1 = post(args.port, "/flush")
                cs, cdata, c0, c1 = post(args.port, "/compact")
                for s in samplers:
                    s.join()
                result["phases"]["background"] = {
                    "all": summarize(samplers),
                    "during_flush": summarize(samplers, (f0, f1)),
                    "during_compact": summarize(samplers, (c0, c1)),
                    "flush": {"status": fs, "seconds": f1 - f0},
                    "compact": {"status": cs, "seconds": c1 - c0},
                }
            elif phase == "ingest":
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                request(c, "POST", "/query?" + urllib.parse.urlencode({"q": "CREATE DATABASE bench2"}))
                c.close()
                stop_at = time.monotonic() + args.seconds + 1.0
                counts = mp.Queue()
                writers = [mp.Process(target=load_worker, args=(args.port, "bench2", args.dataset, i, args.load_workers,
                                                                args.batch_lines, counts, stop_at))
                           for i in range(args.load_workers)]
                for w in writers:
                    w.start()
                time.sleep(1.0)
                samplers = sample(args.port, db, args.seconds, args.interval, args.timeout)
                flushes = []
                while time.monotonic() < stop_at - 1.0:
                    time.sleep(args.flush_every)
                    status, _, a, b = post(args.port, "/flush")
                    flushes.append((a, b, status))
                for s in samplers:
                    s.join()
                ingested = sum(counts.get() for _ in writers)
                for w in writers:
                    w.join()
                windows = [(a, b) for (a, b, _) in flushes]
                result["phases"]["ingest"] = {
                    "all": summarize(samplers),
                    "during_flush": summarize(samplers, windows),
                    "flushes": {"count": len(flushes), "seconds": sum(b - a for (a, b) in windows),
                                "statuses": sorted({st for (_, _, st) in flushes})},
                    "ingested_lines": ingested,
                }
            elif phase == "queries":
                end = f"{START[:11]}{args.hours:02d}:00:00Z"
                scan = f"SELECT * FROM robot WHERE time >= '{START}' AND time < '{end}'"
                stop_at = time.monotonic() + args.seconds + 1.0
                out = mp.Queue()
                workers = [mp.Process(target=query_loop, args=(args.port, db, scan, True, stop_at, out))
                           for _ in range(args.scans)]
                workers.append(mp.Process(target=query_loop, args=(args.port, db, REGEX_QUERY, False, stop_at, out)))
                for w in workers:
                    w.start()
                time.sleep(1.0)  # let the scans get going
                samplers = sample(args.port, db, args.seconds, args.interval, args.timeout)
                for s in samplers:
                    s.join()
                loads = [out.get() for _ in workers]
                for w in workers:
                    w.join(timeout=180)
                    if w.is_alive():
                        w.terminate()
                result["phases"]["queries"] = {"all": summarize(samplers), "load": loads}
            else:
                raise SystemExit(f"unknown phase {phase}")
            print(f"{phase}: {json.dumps(result['phases'][phase], indent=None)}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)

    print(render(result))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)


def render(result):
    rows = ["| phase | window | kind | n | p50 ms | p99 ms | max ms | failed |", "|---|---|---|---|---|---|---|---|"]
    for phase, parts in result["phases"].items():
        for window, kinds in parts.items():
            if window in ("flush", "compact", "load", "flushes", "ingested_lines"):
                continue
            for kind, s in kinds.items():
                if s is None:
                    continue
                rows.append(f"| {phase} | {window} | {kind} | {s['n']} | {s['p50_ms']:.1f} | {s['p99_ms']:.1f} | "
                            f"{s['max_ms']:.1f} | {s['failed']} |")
    bg = result["phases"].get("background")
    extra = ""
    if bg:
        extra = f"\nflush {bg['flush']['seconds']:.1f} s, compact {bg['compact']['seconds']:.1f} s"
    ing = result["phases"].get("ingest")
    if ing:
        extra += (f"\ningest: {ing['ingested_lines']} lines in the window, {ing['flushes']['count']} flushes "
                  f"taking {ing['flushes']['seconds']:.1f} s")
    q = result["phases"].get("queries")
    if q:
        extra += "\n" + "; ".join(f"{l['query'][:40]}…: {l['runs']} runs, {l['bytes'] >> 20} MiB, {l['failures']} failed"
                                  for l in q["load"])
    return f"{result['label']} (load {result['load']['lines']} lines in {result['load']['seconds']:.1f} s)\n" + "\n".join(rows) + extra


if __name__ == "__main__":
    main()
