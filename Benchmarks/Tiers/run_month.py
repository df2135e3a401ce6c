#!/usr/bin/env python3
"""Month-scale Q4 benchmark: streamed ingest of a gen_month.py file, then Q4 at three intervals.

The servers and the /proc readings are in peers.py next to this file: the adapters InfluxDB,
VictoriaMetrics and Strata (ports, config, start command, readiness, flush, busy, version) and the
helpers (du, settle, wait_quiet, CpuMeter, proc_status, proc_cpu_s, host_cpu_s).
Everything lives under /tmp/peers/month/ (PEER_ROOT): data dirs /tmp/peers/month/<system>/,
server logs + InfluxDB config in /tmp/peers/month/logs/, results in /tmp/peers/month/results/.
Loopback only (127.0.0.1).  Run it under `nice -n 19` (it also renices itself; servers inherit).

Per system:
  ingest (unless --skip-ingest): wipe /tmp/peers/month/<system>/, start, stream the file in
      --batch-line POSTs over --senders keep-alive connections (the file is never held in memory),
      sample every second (acked lines, server CPU/RSS, host CPU; Strata: gauge
      strata_compaction_active from GET /metrics) and keep a 10 s window series; abort if the rate
      stays < --collapse-lps for --collapse-s, or after --max-ingest-s (the result is then marked
      partial and left out of the consistency check).
      Then flush (Strata: POST /flush, then POST /compact, timed; 404 -> skipped), settle
      (storage size stable + adapter not busy), du -> bytes per value.
  --skip-ingest: start on the kept data dir (no wipe), measure du, query.
  queries: 1 warm-up + --reps timed runs each, median and min, over [t0, t0 + --span-days):
      Q4h / Q4m15 / Q4d = SELECT mean(temperature) FROM robot WHERE time >= t0 AND time < t_end
                          GROUP BY time(1h | 15m | 1d), fleet
      Strata additionally runs each with &tiers=off ("Q4h raw", ...).
      VictoriaMetrics: sum by (fleet)(sum_over_time(robot_temperature[I])) /
                       sum by (fleet)(count_over_time(robot_temperature[I])), query_range
                       step=I, evaluated at t0 + k*I - 1 ms, k = 1..N: VM's window (t-I, t] is then
                       [t0+(k-1)I, t0+kI) in ms, i.e. InfluxDB's bucket k-1. VM labels the point
                       with the bucket END (t), InfluxDB with the bucket START; we relabel VM's
                       points to start = t + 1 ms - I and compare per (fleet, bucket) as well as the
                       (count, sum) reduction.
  consistency: every answer -> (count of numbers, sum); all systems must agree (count exact, sum
      relative 1e-6), and per (fleet, bucket start) values must agree (relative 1e-6).  Answers are
      also saved in <results>/answers/<system>.json so a later run of one system (e.g. Strata
      alone) is compared against the stored answers of the others for the same dataset.

Usage:
  nice -n 19 run_month.py --dataset /tmp/peers/month/robots_month.lp --only influxdb,victoriametrics
  nice -n 19 run_month.py --dataset /tmp/peers/month/robots_month.lp --only influxdb --skip-ingest
  STRATA_BIN=/path/strata nice -n 19 run_month.py --dataset ... --only strata
  run_month.py --render /tmp/peers/month/results/month_<stamp>.json
"""
import argparse
import bisect
import http.client
import json
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone

import numpy as np

import peers as rp                                   # peers.py, next to this file

MONTH_ROOT = "/tmp/peers/month"
rp.PEER_ROOT = MONTH_ROOT                            # adapters put data dirs and logs here
HOST = rp.HOST
assert HOST == "127.0.0.1"
log = rp.log

INTERVALS = [("Q4h", 3600, "1h"), ("Q4m15", 900, "15m"), ("Q4d", 86400, "1d")]
DAY = 86400


# ----------------------------------------------------------------------------- workload
class MonthWorkload:
    def __init__(self, meta, span_days):
        self.meta = meta
        self.t0 = int(meta["start_unix_s"])
        self.range_s = int(span_days * DAY)
        self.t_end = self.t0 + self.range_s
        self.nfields = len(meta["fields"])
        self.fleets = sorted(f for f, n in (meta.get("fleet_devices") or {}).items() if n > 0)

    def expected(self, step):
        """Number of non-null numbers Q4 at this step returns: buckets holding data x fleets."""
        if not self.fleets:
            return None
        data_s = min(int(self.meta["seconds"]), self.range_s)
        return -(-data_s // step) * len(self.fleets)

    def buckets(self, step):
        return -(-self.range_s // step)


# ----------------------------------------------------------------------------- adapters
def influxql_q4(w, unit):
    return (f"SELECT mean(temperature) FROM robot WHERE time >= {w.t0}s AND time < {w.t_end}s "
            f"GROUP BY time({unit}), fleet")


def parse_influx(body):
    """InfluxDB /query JSON (epoch=ms) -> (count, sum, {(fleet, start_ms): value}, series)."""
    d = json.loads(body)
    if "error" in d:
        raise RuntimeError(d["error"])
    buckets = {}
    series = 0
    for res in d.get("results", []):
        if "error" in res:
            raise RuntimeError(res["error"])
        for s in res.get("series", []):
            series += 1
            fleet = (s.get("tags") or {}).get("fleet", "")
            for row in s["values"]:
                for v in row[1:]:
                    if v is None or isinstance(v, str):
                        continue
                    buckets[(fleet, int(row[0]))] = float(v)
    return buckets, series


class InfluxQLMixin:
    raw_variant = False

    def month_queries(self, w):
        out = {}
        for qid, step, unit in INTERVALS:
            q = influxql_q4(w, unit)
            path = "/query?" + urllib.parse.urlencode({"db": self.db, "epoch": "ms", "q": q})
            out[qid] = (path, q, step)
            if self.raw_variant:
                out[qid + " raw"] = (path + "&tiers=off", q + "   [&tiers=off]", step)
        return out

    def month_parse(self, qid, body, step):
        return parse_influx(body)


class MInfluxDB(InfluxQLMixin, rp.InfluxDB):
    pass


class MVictoriaMetrics(rp.VictoriaMetrics):
    EPS_MS = 1

    def command(self, root):
        # don't let the default 30 s -search.maxQueryDuration cut off a 30-day scan on a busy 2-core box
        return super().command(root) + ["-search.maxQueryDuration=600s"]

    def month_queries(self, w):
        out = {}
        for qid, step, unit in INTERVALS:
            q = (f"sum by (fleet) (sum_over_time(robot_temperature[{unit}])) / "
                 f"sum by (fleet) (count_over_time(robot_temperature[{unit}]))")
            n = w.buckets(step)
            start_ms = (w.t0 + step) * 1000 - self.EPS_MS
            end_ms = (w.t0 + n * step) * 1000 - self.EPS_MS
            path = "/api/v1/query_range?" + urllib.parse.urlencode(
                {"query": q, "start": f"{start_ms / 1000:.3f}", "end": f"{end_ms / 1000:.3f}",
                 "step": f"{step}s", "nocache": 1})
            out[qid] = (path, f"{q}  @[{start_ms / 1000:.3f},{end_ms / 1000:.3f}] step={step}s", step)
        return out

    def month_parse(self, qid, body, step):
        d = json.loads(body)
        if d.get("status") != "success":
            raise RuntimeError(d.get("error", body[:300]))
        buckets = {}
        res = d["data"]["result"]
        for s in res:
            fleet = s["metric"].get("fleet", "")
            for ts, v in s.get("values") or []:
                end_ms = int(round(float(ts) * 1000))
                buckets[(fleet, end_ms + self.EPS_MS - step * 1000)] = float(v)   # end label -> start label
        return buckets, len(res)


class MStrata(InfluxQLMixin, rp.Strata):
    raw_variant = True

    def compaction_active(self, conn):
        """Value of gauge strata_compaction_active (max over label sets); absent -> 0."""
        st, b = rp.http_call(conn, "GET", "/metrics")
        if st != 200:
            return None
        val = 0.0
        for line in b.decode(errors="replace").splitlines():
            if line.startswith("strata_compaction_active") and not line.startswith("#"):
                name = line.split("{", 1)[0].split(" ", 1)[0]
                if name == "strata_compaction_active":
                    try:
                        val = max(val, float(line.rsplit(" ", 1)[1]))
                    except ValueError:
                        pass
        return val


ADAPTERS = {a.name: a for a in (MInfluxDB, MVictoriaMetrics, MStrata)}


# ----------------------------------------------------------------------------- server lifecycle
def start_server(ad, wipe, ready_timeout=600):
    """Wipe (if wipe) and start the server, wait for its ready_path, then setup(); returns seconds to ready."""
    for p in (ad.port, *ad.extra_ports):
        if rp.port_in_use(p):
            raise RuntimeError(f"{ad.name}: port {HOST}:{p} already in use - stop the old server first")
    assert ad.root.startswith(MONTH_ROOT + "/") and len(ad.root) > len(MONTH_ROOT) + 1, ad.root
    if wipe:
        shutil.rmtree(ad.root, ignore_errors=True)
        os.makedirs(ad.root)
    elif not os.path.isdir(ad.storage_path(ad.root)):
        raise RuntimeError(f"{ad.name}: --skip-ingest but no kept data dir {ad.storage_path(ad.root)}")
    os.makedirs(os.path.dirname(ad.log_path), exist_ok=True)
    ad.prepare(ad.root)                                 # config files only (outside the data dir)
    cmd = ad.command(ad.root)
    ad.cmdline = " ".join(cmd)
    log(f"{ad.name}: start ({'fresh' if wipe else 'kept data'}): {ad.cmdline}")
    ad.logf = open(ad.log_path, "a")
    ad.logf.write(f"\n==== {time.strftime('%F %T')} run_month start (wipe={wipe})\n")
    ad.logf.flush()
    ad.proc = subprocess.Popen(cmd, stdout=ad.logf, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < ready_timeout:
        if ad.proc.poll() is not None:
            raise RuntimeError(f"{ad.name} exited rc={ad.proc.returncode}; see {ad.log_path}")
        try:
            c = http.client.HTTPConnection(HOST, ad.port, timeout=2)
            st, _ = rp.http_call(c, "GET", ad.ready_path)
            c.close()
            if 200 <= st < 300:
                break
        except OSError:
            pass
        time.sleep(0.5)
    else:
        raise RuntimeError(f"{ad.name}: not ready after {ready_timeout} s")
    ready_s = time.time() - t0
    ad.conn = http.client.HTTPConnection(HOST, ad.port, timeout=3600)
    ad.setup()
    log(f"{ad.name}: ready after {ready_s:.1f} s, pid {ad.proc.pid}")
    return ready_s


def stop_server(ad):
    """SIGTERM to our own child by pid; SIGKILL if it has not exited 180 s later."""
    if ad.proc and ad.proc.poll() is None:
        ad.proc.send_signal(signal.SIGTERM)
        try:
            ad.proc.wait(timeout=180)
        except subprocess.TimeoutExpired:
            log(f"{ad.name}: no exit 180 s after SIGTERM; SIGKILL pid {ad.proc.pid}")
            ad.proc.kill()
            ad.proc.wait(timeout=30)
    if getattr(ad, "logf", None):
        ad.logf.close()
        ad.logf = None
    return ad.proc.returncode if ad.proc else None


# ----------------------------------------------------------------------------- streamed ingest
def reader(path, lines_per_batch, q, stop, nsenders, state, chunk_bytes=64 << 20):
    """Read the file in chunks; put (bytes, nlines) batches of lines_per_batch lines on q."""
    try:
        size = os.path.getsize(path)
        carry = b""
        with open(path, "rb") as f:
            for _ in range(size // chunk_bytes + 2):            # bounded by the file size
                buf = f.read(chunk_bytes)
                if not buf:
                    break
                data = carry + buf if carry else buf
                nl = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
                ends = (nl[lines_per_batch - 1::lines_per_batch] + 1).tolist()
                s = 0
                for e in ends:
                    if not put(q, (data[s:e], lines_per_batch), stop):
                        return
                    s = e
                carry = data[s:]
            if carry:
                n = carry.count(b"\n") + (0 if carry.endswith(b"\n") else 1)
                put(q, (carry, n), stop)
    except Exception as e:                                        # noqa: BLE001
        state["errors"].append(f"reader: {e!r}")
        stop.set()
    finally:
        for _ in range(nsenders):
            put(q, None, stop, force=True)


def put(q, item, stop, force=False):
    for _ in range(100000):                                       # bounded (~28 h of 1 s waits)
        if stop.is_set() and not force:
            return False
        try:
            q.put(item, timeout=1.0)
            return True
        except queue.Full:
            if force and stop.is_set():
                try:                                              # make room for the end marker
                    q.get_nowait()
                except queue.Empty:
                    pass
    return False


def sender(ad, path, q, stop, state, lock, max_retries=8):
    conn = http.client.HTTPConnection(HOST, ad.port, timeout=600)
    try:
        for _ in range(10 ** 8):                                  # bounded by the batch count
            t = time.perf_counter()
            item = None
            for _ in range(100000):
                try:
                    item = q.get(timeout=1.0)
                    break
                except queue.Empty:
                    if stop.is_set():
                        return
            with lock:
                state["starved_s"] += time.perf_counter() - t
            if item is None or stop.is_set():
                return
            body, n = item
            for attempt in range(max_retries + 1):
                try:
                    st, b = rp.http_call(conn, "POST", path, body, {"Content-Type": "text/plain; charset=utf-8"})
                    if st in (200, 204):
                        with lock:
                            state["lines"] += n
                            state["batches"] += 1
                            state["t_last_ack"] = time.perf_counter()
                        break
                    msg = f"HTTP {st} {b[:200]!r}"
                except (OSError, http.client.HTTPException) as e:
                    msg = repr(e)
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, ad.port, timeout=600)
                with lock:
                    state["retries"] += 1
                    if len(state["retry_msgs"]) < 20:
                        state["retry_msgs"].append(f"{time.strftime('%H:%M:%S')} {msg}")
                if attempt == max_retries or stop.is_set():
                    with lock:
                        state["errors"].append(msg)
                    stop.set()
                    return
                time.sleep(min(8.0, 0.5 * 2 ** attempt))
    finally:
        conn.close()


def ingest_streamed(ad, args, meta):
    """Returns a dict with totals, the 10 s window series and the abort reason (None if complete)."""
    pid = ad.proc.pid
    nfields = len(meta["fields"])
    state = {"lines": 0, "batches": 0, "retries": 0, "retry_msgs": [], "errors": [], "starved_s": 0.0,
             "t_last_ack": None}
    lock = threading.Lock()
    stop = threading.Event()
    q = queue.Queue(maxsize=args.queue)
    path = ad.write_path(meta)
    mconn = http.client.HTTPConnection(HOST, ad.port, timeout=5) if isinstance(ad, MStrata) else None

    threads = [threading.Thread(target=reader, args=(args.dataset, args.batch, q, stop, args.senders, state),
                                daemon=True)]
    threads += [threading.Thread(target=sender, args=(ad, path, q, stop, state, lock), daemon=True)
                for _ in range(args.senders)]
    meter = rp.CpuMeter(pid)
    t0 = time.perf_counter()
    for t in threads:
        t.start()

    samples = [(0.0, 0, rp.proc_cpu_s(pid), rp.host_cpu_s()[0], rp.proc_status(pid).get("VmRSS"), None,
                time.process_time())]
    stimes = [0.0]        # samples: (t, lines, server_cpu, host_busy, rss, compaction_active, harness_cpu), 1/s
    windows = []
    abort = None
    win = args.window_s
    next_tick = t0 + 1.0
    last_log = t0
    max_ticks = int(args.max_ingest_s) + 600
    for _ in range(max_ticks):                                       # bounded: 1 tick per second
        time.sleep(max(0.0, next_tick - time.perf_counter()))
        next_tick += 1.0
        now = time.perf_counter()
        el = now - t0
        with lock:
            lines = state["lines"]
        comp = None
        if mconn is not None:
            try:
                comp = ad.compaction_active(mconn)
            except (OSError, http.client.HTTPException):
                mconn.close()
                mconn = http.client.HTTPConnection(HOST, ad.port, timeout=5)
        samples.append((el, lines, rp.proc_cpu_s(pid), rp.host_cpu_s()[0], rp.proc_status(pid).get("VmRSS"), comp,
                        time.process_time()))
        stimes.append(el)
        alive = any(t.is_alive() for t in threads[1:])
        # abort rules
        if not alive:
            pass
        elif el >= args.max_ingest_s:
            abort = f"hard cap: stopped after {el:.0f} s (> {args.max_ingest_s} s)"
        elif el >= args.collapse_s:
            ref = samples[min(len(samples) - 1, bisect.bisect_left(stimes, el - args.collapse_s - 0.5))]
            if el - ref[0] >= args.collapse_s - 1.5:
                rate = (lines - ref[1]) / (el - ref[0])
                if rate < args.collapse_lps:
                    abort = (f"rate collapse: {rate:,.0f} lines/s over the last {el - ref[0]:.0f} s "
                             f"(< {args.collapse_lps:,} lines/s)")
        # close a 10 s window (or the last, partial one)
        if (len(samples) - 1) % win == 0 or not alive or abort:
            k0 = len(windows) * win
            a = samples[k0]
            b = samples[-1]
            dt = b[0] - a[0]
            if dt > 0:
                comps = [s[5] for s in samples[k0 + 1:] if s[5] is not None] if mconn is not None else []
                windows.append({
                    "t_end_s": round(b[0], 2), "dt_s": round(dt, 2), "lines": b[1] - a[1],
                    "lines_per_s": (b[1] - a[1]) / dt, "values_per_s": (b[1] - a[1]) * nfields / dt,
                    "server_cpu_s": round(b[2] - a[2], 2),
                    "host_busy_cpu_s": round(b[3] - a[3], 2),
                    "harness_cpu_s": round(b[6] - a[6], 2),
                    "other_cpu_s": round(max(0.0, (b[3] - a[3]) - (b[2] - a[2]) - (b[6] - a[6])), 2),
                    "rss_bytes": b[4],
                    **({"compaction_active_frac": (sum(1 for c in comps if c and c > 0) / len(comps)) if comps else 0.0,
                        "compaction_samples": len(comps)} if mconn is not None else {}),
                })
        if now - last_log >= 60:
            last_log = now
            w = windows[-1] if windows else None
            log(f"{ad.name}: ingest {el:.0f} s: {lines:,}/{meta['lines']:,} lines "
                f"({100 * lines / meta['lines']:.1f}%), avg {lines / el:,.0f} lines/s, "
                f"last 10 s {w['lines_per_s'] if w else 0:,.0f} lines/s, retries {state['retries']}, "
                f"RSS {(samples[-1][4] or 0) / 2**20:.0f} MiB")
        if not alive:
            break
        if abort:
            log(f"{ad.name}: ABORT ingest: {abort}")
            stop.set()
            break
    else:
        abort = "monitor loop bound reached"
        stop.set()
    for t in threads:
        t.join(timeout=700)
    cpu = meter.read()
    t_end = state["t_last_ack"] or time.perf_counter()
    wall = t_end - t0
    if mconn is not None:
        mconn.close()
    if state["errors"] and not abort:
        abort = f"ingest errors: {state['errors'][:3]}"
    lines = state["lines"]
    res = {
        "complete": abort is None and lines == meta["lines"],
        "abort_reason": abort,
        "lines_ingested": lines,
        "fraction_ingested": lines / meta["lines"],
        "ingest_s": wall,
        "lines_per_s": lines / wall if wall > 0 else 0.0,
        "values_per_s": lines * nfields / wall if wall > 0 else 0.0,
        "retries": state["retries"],
        "retry_msgs": state["retry_msgs"],
        "errors": state["errors"][:5],
        "sender_starved_s": state["starved_s"],
        "server_cpu_ingest_s": cpu["server"], "harness_cpu_ingest_s": cpu["harness"],
        "kernel_cpu_ingest_s": cpu["kernel"], "foreign_cpu_ingest_s": cpu["foreign"],
        "steal_ingest_s": cpu["steal"],
        "windows": windows,
    }
    if lines != meta["lines"] and abort is None:
        res["abort_reason"] = f"only {lines} of {meta['lines']} lines acknowledged"
    return res


def window_stats(windows):
    """Summary of the window series (full 10 s windows only)."""
    full = [w["lines_per_s"] for w in windows if w["dt_s"] >= 9.5]
    if not full:
        return {}
    out = {"n": len(full), "min": min(full), "p10": float(np.percentile(full, 10)),
           "median": statistics.median(full), "p90": float(np.percentile(full, 90)), "max": max(full)}
    if windows and "compaction_active_frac" in windows[0]:
        on = [w["lines_per_s"] for w in windows if w["dt_s"] >= 9.5 and w["compaction_active_frac"] > 0]
        off = [w["lines_per_s"] for w in windows if w["dt_s"] >= 9.5 and w["compaction_active_frac"] == 0]
        out["compaction_on"] = {"n": len(on), "median": statistics.median(on) if on else None,
                                "mean": statistics.fmean(on) if on else None}
        out["compaction_off"] = {"n": len(off), "median": statistics.median(off) if off else None,
                                 "mean": statistics.fmean(off) if off else None}
    return out


# ----------------------------------------------------------------------------- queries
def run_month_queries(ad, w, reps):
    out, answers = {}, {}
    for qid, (path, text, step) in ad.month_queries(w).items():
        times = []
        first = None
        buckets = series = None
        nbytes = 0
        for i in range(reps + 1):                       # run 0 = warm-up
            t = time.perf_counter()
            st, b = ad.request("GET", path)
            dt = (time.perf_counter() - t) * 1000
            if st != 200:
                raise RuntimeError(f"{ad.name} {qid}: HTTP {st}: {b[:300]!r}")
            if i == 0:
                first = dt
                buckets, series = ad.month_parse(qid, b, step)
                nbytes = len(b)
            else:
                times.append(dt)
        vals = list(buckets.values())
        out[qid] = {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
                    "first_ms": first, "runs_ms": times, "query": text, "step_s": step, "series": series,
                    "count": len(vals), "sum": float(np.sum(vals)) if vals else 0.0,
                    "expected_count": w.expected(step), "response_bytes": nbytes}
        answers[qid] = {"count": len(vals), "sum": out[qid]["sum"],
                        "buckets": sorted([f, t, v] for (f, t), v in buckets.items())}
        log(f"{ad.name}: {qid} median {out[qid]['median_ms']:.1f} ms, min {out[qid]['min_ms']:.1f} "
            f"(first {first:.1f}); series={series} count={len(vals)} sum={out[qid]['sum']:.6f}")
    return out, answers


def dataset_id(args, meta, w):
    return {"dataset": os.path.abspath(args.dataset), "lines": meta["lines"], "bytes": meta.get("bytes"),
            "seed": meta.get("seed"), "t0": w.t0, "t_end": w.t_end}


def check_consistency(answers, exp_counts, rel=1e-6):
    """answers: {system: {qid: {count, sum, buckets}}}.  Compares every system with the first one,
    per query base id (a Strata 'Q4h raw' is compared with everybody's 'Q4h')."""
    notes, table = [], []
    qids = []
    for a in answers.values():
        for q in a:
            if q not in qids:
                qids.append(q)
    for qid in qids:
        base = qid.split(" ")[0]
        rows = [(s, a[qid]) for s, a in answers.items() if qid in a]
        refs = [(s, a[base]) for s, a in answers.items() if base in a]
        if not refs:
            continue
        rname, ref = refs[0]
        rmap = {(f, t): v for f, t, v in ref["buckets"]}
        for name, q in rows:
            ok = True
            if q["count"] == 0:
                notes.append(f"{qid}: {name} returned NO values")
                ok = False
            exp = exp_counts.get(base)
            if exp is not None and q["count"] != exp:
                notes.append(f"{qid}: {name} returned {q['count']} values, expected {exp}")
                ok = False
            if (name, qid) != (rname, base):
                if q["count"] != ref["count"]:
                    notes.append(f"{qid}: count differs: {rname}={ref['count']} {name}={q['count']}")
                    ok = False
                if abs(q["sum"] - ref["sum"]) > rel * max(1.0, abs(ref["sum"])):
                    notes.append(f"{qid}: sum differs: {rname}={ref['sum']:.6f} {name}={q['sum']:.6f}")
                    ok = False
                qmap = {(f, t): v for f, t, v in q["buckets"]}
                missing = set(rmap) ^ set(qmap)
                bad = [k for k in set(rmap) & set(qmap)
                       if abs(rmap[k] - qmap[k]) > rel * max(1.0, abs(rmap[k]))]
                if missing or bad:
                    ok = False
                    ex = sorted(missing)[:2] + sorted(bad)[:2]
                    notes.append(f"{qid}: per-bucket mismatch {rname} vs {name}: {len(missing)} buckets only in one, "
                                 f"{len(bad)} differ (e.g. {ex})")
            table.append((qid, name, q["count"], q["sum"], ok))
    return notes, table


# ----------------------------------------------------------------------------- one system
def bench_one(ad, args, meta, w):
    r = {"system": ad.name, "version": ad.version(), "skip_ingest": args.skip_ingest}
    notes = []
    try:
        os.sync()
        r["ready_s"] = start_server(ad, wipe=not args.skip_ingest)
        r["command"] = ad.cmdline
        pid = ad.proc.pid
        r["server_nice"] = os.getpriority(os.PRIO_PROCESS, pid)
        if not args.skip_ingest:
            r["quiet_before_ingest"] = rp.wait_quiet(pid, args.quiet_max_wait, args.quiet_cores)
            log(f"{ad.name}: streaming {meta['lines']:,} lines in {args.batch}-line batches, {args.senders} senders")
            ing = ingest_streamed(ad, args, meta)
            r.update(ing)
            r["window_stats"] = window_stats(ing["windows"])
            r["rss_after_ingest"] = rp.proc_status(pid).get("VmRSS")
            log(f"{ad.name}: ingest {ing['ingest_s']:.1f} s, {ing['lines_ingested']:,} lines "
                f"({100 * ing['fraction_ingested']:.1f}%) = {ing['lines_per_s']:,.0f} lines/s, "
                f"{ing['values_per_s']:,.0f} values/s; server CPU {ing['server_cpu_ingest_s']:.0f} s, "
                f"harness {ing['harness_cpu_ingest_s']:.0f} s, foreign {ing['foreign_cpu_ingest_s']:.0f} s; "
                f"retries {ing['retries']}; senders starved {ing['sender_starved_s']:.1f} s"
                + (f"; ABORTED: {ing['abort_reason']}" if ing["abort_reason"] else ""))
            if ing["abort_reason"]:
                notes.append(f"{ad.name}: ingest incomplete: {ing['abort_reason']} "
                             f"({ing['lines_ingested']:,} of {meta['lines']:,} lines)")
            r["size_right_after_ingest"] = rp.du(ad.storage_path(ad.root))
            cpu1 = rp.proc_cpu_s(pid)
            t = time.perf_counter()
            ad.flush()
            r["flush_s"] = time.perf_counter() - t
            if isinstance(ad, MStrata):
                t = time.perf_counter()
                st, b = ad.post("/compact", b"")
                r["compact_s"] = time.perf_counter() - t
                r["compact_status"] = st
                if st == 404:
                    r["compact_s"] = None
                    notes.append("strata: POST /compact answered 404 - compaction step skipped")
                elif st != 200:
                    raise RuntimeError(f"strata: POST /compact answered {st}: {b[:300]!r}")
                else:
                    try:
                        r["compact_report"] = json.loads(b)
                    except ValueError:
                        r["compact_report"] = b[:2000].decode(errors="replace")
                    log(f"strata: POST /compact took {r['compact_s']:.1f} s")
            sw, hist, ok = rp.settle(ad, ad.settle_min_s, max_wait=args.settle_max)
            r.update(settle_s=sw, settled=ok, settle_history=hist[-50:],
                     server_cpu_settle_s=rp.proc_cpu_s(pid) - cpu1)
            if not ok:
                notes.append(f"{ad.name}: storage not settled after {sw:.0f} s")
        nvals = (r["lines_ingested"] if not args.skip_ingest else meta["lines"]) * len(meta["fields"])
        app, alloc = rp.du(ad.storage_path(ad.root))
        r.update(disk_bytes=app, disk_alloc_bytes=alloc, values_stored=nvals,
                 bytes_per_value=app / nvals, alloc_bytes_per_value=alloc / nvals)
        try:
            r["engine_stats"] = ad.stats()
        except Exception as e:                                  # noqa: BLE001
            r["engine_stats"] = {"error": repr(e)}
        log(f"{ad.name}: disk {app:,} B apparent ({r['bytes_per_value']:.3f} B/value), "
            f"{alloc:,} B allocated ({r['alloc_bytes_per_value']:.3f} B/value)")
        r["quiet_before_queries"] = rp.wait_quiet(pid, args.quiet_max_wait, args.quiet_cores)
        m = rp.CpuMeter(pid)
        r["queries"], answers = run_month_queries(ad, w, args.reps)
        r["query_cpu"] = m.read()
        ps = rp.proc_status(pid)
        r.update(peak_rss=ps.get("VmHWM"), rss_end=ps.get("VmRSS"), server_cpu_total_s=rp.proc_cpu_s(pid))
        log(f"{ad.name}: peak RSS {(r['peak_rss'] or 0) / 2**20:.0f} MiB, server CPU total {r['server_cpu_total_s']:.0f} s")
    except Exception as e:                                      # noqa: BLE001
        log(f"{ad.name}: FAILED: {e!r}")
        r["error"] = repr(e)
        answers = None
    finally:
        r["exit_code"] = stop_server(ad)
    r["notes"] = notes
    return r, answers


# ----------------------------------------------------------------------------- report
def fmt_ms(q):
    return f"{q['median_ms']:,.0f} / {q['min_ms']:,.0f}" if q else "-"


def fmt_table(results, meta):
    qids = []
    for r in results:
        for q in r.get("queries", {}):
            if q not in qids:
                qids.append(q)
    hdr = ["system", "version", "ingest s", "lines/s", "values/s", "10 s windows lines/s p10 / median / p90",
           "B/value (du -sb)", "B/value (alloc)", "peak RSS MiB", "server CPU s ingest / settle / queries"] + \
          [f"{q} ms median / min" for q in qids]
    out = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    for r in results:
        if "error" in r and "queries" not in r:
            out.append(f"| {r['system']} | {r.get('version')} | FAILED: {r['error'][:200]} |")
            continue
        ws = r.get("window_stats") or {}
        ing = "(kept data)" if r.get("skip_ingest") else (
            f"{r['ingest_s']:,.0f}" + ("" if r.get("complete") else f" (PARTIAL {100 * r['fraction_ingested']:.1f}%)"))
        qcpu = r.get("query_cpu", {}).get("server")
        out.append("| " + " | ".join([
            r["system"], r["version"], ing,
            "-" if r.get("skip_ingest") else f"{r['lines_per_s']:,.0f}",
            "-" if r.get("skip_ingest") else f"{r['values_per_s']:,.0f}",
            f"{ws['p10']:,.0f} / {ws['median']:,.0f} / {ws['p90']:,.0f}" if ws else "-",
            f"{r['bytes_per_value']:.3f}", f"{r['alloc_bytes_per_value']:.3f}",
            f"{(r.get('peak_rss') or 0) / 2**20:,.0f}",
            " / ".join("-" if x is None else f"{x:,.0f}" for x in (r.get("server_cpu_ingest_s"), r.get("server_cpu_settle_s"), qcpu)),
        ] + [fmt_ms(r.get("queries", {}).get(q)) for q in qids]) + " |")
    extra = [r for r in results if "window_stats" in r and "compaction_on" in r["window_stats"]]
    if extra:
        out += ["", "| system | compact s | windows with compaction: n / median lines/s | without: n / median lines/s |",
                "|---|---|---|---|"]
        for r in extra:
            on, off = r["window_stats"]["compaction_on"], r["window_stats"]["compaction_off"]
            f = lambda d: f"{d['n']} / " + ("-" if d["median"] is None else f"{d['median']:,.0f}")
            out.append(f"| {r['system']} | {'-' if r.get('compact_s') is None else format(r['compact_s'], '.1f')} "
                       f"| {f(on)} | {f(off)} |")
    return "\n".join(out)


def fmt_consistency(table, notes):
    lines = ["| query | system | count | sum | ok |", "|---|---|---|---|---|"]
    for qid, name, c, s, ok in table:
        lines.append(f"| {qid} | {name} | {c} | {s:.6f} | {'yes' if ok else 'NO'} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", help="file made by gen_month.py (needs <file>.meta.json)")
    ap.add_argument("--only", default="influxdb,victoriametrics", help="comma list of: " + ",".join(ADAPTERS))
    ap.add_argument("--skip-ingest", action="store_true", help="start on the kept data dirs; queries only")
    ap.add_argument("--results", default=os.path.join(MONTH_ROOT, "results"), help="results directory")
    ap.add_argument("--span-days", type=float, default=30, help="query range [t0, t0 + span)")
    ap.add_argument("--batch", type=int, default=5000, help="lines per POST")
    ap.add_argument("--senders", type=int, default=2, help="concurrent keep-alive connections")
    ap.add_argument("--queue", type=int, default=64, help="batches buffered between reader and senders")
    ap.add_argument("--reps", type=int, default=5, help="timed runs per query after 1 warm-up")
    ap.add_argument("--window-s", type=int, default=10, help="ingest rate window")
    ap.add_argument("--collapse-lps", type=int, default=20000, help="abort ingest if below this many lines/s ...")
    ap.add_argument("--collapse-s", type=int, default=300, help="... for this many seconds")
    ap.add_argument("--max-ingest-s", type=int, default=75 * 60, help="hard cap on one system's ingest")
    ap.add_argument("--settle-max", type=int, default=2400, help="max seconds to wait for flush/compaction")
    ap.add_argument("--quiet-cores", type=float, default=0.15)
    ap.add_argument("--quiet-max-wait", type=int, default=60)
    ap.add_argument("--render", metavar="RESULTS_JSON", help="only re-print the tables of an earlier run")
    args = ap.parse_args()
    if args.render:
        with open(args.render) as f:
            old = json.load(f)
        print(fmt_table(old["results"], old["meta"]))
        print(fmt_consistency([tuple(x) for x in old["consistency_table"]], old["consistency_notes"]))
        print("consistency:", old["consistency_notes"] or "all consistent")
        return
    if not args.dataset:
        ap.error("--dataset is required")
    cur = os.getpriority(os.PRIO_PROCESS, 0)
    if cur < 19:
        os.nice(19 - cur)                       # servers started below inherit it
    names = [s.strip() for s in args.only.split(",") if s.strip()]
    for n in names:
        if n not in ADAPTERS:
            ap.error(f"unknown system {n}")
    with open(args.dataset + ".meta.json") as f:
        meta = json.load(f)
    if os.path.getsize(args.dataset) != meta.get("bytes", os.path.getsize(args.dataset)):
        sys.exit(f"{args.dataset}: size differs from meta bytes (incomplete file?)")
    w = MonthWorkload(meta, args.span_days)
    did = dataset_id(args, meta, w)
    log(f"dataset {args.dataset}: {meta['lines']:,} lines, {meta['bytes']:,} bytes, {meta['devices']} devices x "
        f"{meta['seconds']} s; query range [{w.t0}, {w.t_end}) = {args.span_days} d; nice {os.getpriority(os.PRIO_PROCESS, 0)}")
    t_start = time.time()
    results, answers, notes = [], {}, []
    for name in names:
        ad = ADAPTERS[name]()
        log(f"=== {name}")
        r, ans = bench_one(ad, args, meta, w)
        results.append(r)
        notes += r.get("notes", [])
        if ans is not None:
            if r.get("skip_ingest") or r.get("complete"):
                answers[name] = ans
                adir = os.path.join(args.results, "answers")
                os.makedirs(adir, exist_ok=True)
                with open(os.path.join(adir, f"{name}.json"), "w") as f:
                    json.dump({"dataset_id": did, "stamp": time.strftime("%FT%TZ", time.gmtime()), "answers": ans}, f)
            else:
                notes.append(f"{name}: answers on partial data - left out of the consistency check")
    # stored answers of systems not in this run (same dataset + query range)
    adir = os.path.join(args.results, "answers")
    if os.path.isdir(adir):
        for fn in sorted(os.listdir(adir)):
            sysname = fn[:-5]
            if fn.endswith(".json") and sysname not in answers and sysname not in names:
                with open(os.path.join(adir, fn)) as f:
                    old = json.load(f)
                if old.get("dataset_id") == did:
                    answers[f"{sysname} (stored {old.get('stamp')})"] = old["answers"]
    exp = {qid: w.expected(step) for qid, step, _ in INTERVALS}
    cnotes, ctable = check_consistency(answers, exp)
    notes += cnotes
    total = time.time() - t_start
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    os.makedirs(args.results, exist_ok=True)
    out = {"stamp": stamp, "dataset": args.dataset, "dataset_id": did, "meta": {k: v for k, v in meta.items()},
           "args": vars(args), "host": {"nproc": os.cpu_count(), "uname": " ".join(os.uname())},
           "query_range": [w.t0, w.t_end], "expected_counts": exp,
           "vm_alignment": ("VM query_range points at t0 + k*I - 1 ms (k = 1..N) cover (t - I, t] = "
                            "[t0 + (k-1)I, t0 + kI) ms = InfluxDB bucket k-1; VM labels them with the end t, "
                            "relabelled to the start t + 1 ms - I before the per-bucket comparison"),
           "results": results, "consistency_notes": notes, "consistency_table": ctable,
           "compared_systems": list(answers), "total_seconds": total}
    jpath = os.path.join(args.results, f"month_{stamp}.json")
    with open(jpath, "w") as f:
        json.dump(out, f, indent=1)
    table = fmt_table(results, meta)
    ctab = fmt_consistency(ctable, notes)
    with open(os.path.join(args.results, f"month_{stamp}.md"), "w") as f:
        f.write(f"# month run {stamp}\n\ndataset: {args.dataset} ({meta['lines']:,} lines, {meta['bytes']:,} bytes); "
                f"queries over [{w.t0}, {w.t_end}) ({args.span_days} d); {'--skip-ingest; ' if args.skip_ingest else ''}"
                f"times: median / min of {args.reps} runs after 1 warm-up\n\n{table}\n\n"
                f"## consistency (count of numbers, sum; per-bucket values)\n\n{ctab}\n\nnotes:\n" +
                "".join(f"- {n}\n" for n in notes or ["all query results consistent"]) +
                f"\nVictoriaMetrics alignment: {out['vm_alignment']}\n\ntotal {total:.0f} s\n")
    print(table)
    print()
    print(ctab)
    print("consistency:", notes or "all query results consistent (counts, sums, per-bucket values)")
    print(f"results: {jpath}; total {total:.0f} s")


if __name__ == "__main__":
    main()
