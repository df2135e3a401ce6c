#!/usr/bin/env python3
"""Month-scale, Q4-style robot telemetry (InfluxDB line protocol), vectorised with numpy.

One line per device per second, time-major (all devices at t, then t+1 ...), ONE field:

  robot,device_id=robot-0042,fleet=fleet-east,model=rx200 temperature=36.41 1704067200000000000

Tags: numpy's default_rng(--seed) draws, for all --devices at once and in this order, fleet
(one of FLEETS), model (one of MODELS), hot (p = 0.10), temp_base, cruise, drain, battery, then
the initial temperature -- the order of the robot generator the peer benchmarks used, so the same
seed gives the same fleets.  temperature is a mean-reverting random walk around the per-device
base (~10% "hot" devices 50-56 degC, others 28-40 degC), step 1 s, time constant 120 s, noise
0.08 degC/sqrt(s) -- that generator's model without its motion-load term.  Values are
rounded to 0.01 (the file holds exactly round(100*t)/100).

The output depends only on (--devices, --seconds, --start, --seed, --block); never on wall clock.
Default: 100 devices x 2,592,000 s (30 days) = 259.2 M lines, ~24 GB.

Speed: each block of --block ticks x D devices is built as one uint8 matrix (prefix | value | ts)
and compacted with a boolean mask, so no per-line Python work is done.

  gen_month.py                                   # the full month -> /tmp/peers/month/robots_month.lp
  gen_month.py --seconds 7200 --out /tmp/peers/month/robots_2h.lp
  gen_month.py --seconds 3 --devices 3 --out -   # to stdout
"""
import argparse
import json
import math
import os
import sys
import time
from datetime import datetime, timezone

import numpy as np

FLEETS = ["fleet-north", "fleet-south", "fleet-east", "fleet-west"]    # the robot generator's fleets
MODELS = ["rx100", "rx200", "tx9"]
TS_DIGITS = 19                                                         # ns timestamps 2001..2286


def parse_start(s):
    if s.isdigit():
        return int(s)
    dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def static_attrs(seed, D):
    """The static draws, in the order given in the module docstring (same generator, same sizes)."""
    rng = np.random.default_rng(seed)
    fleet = rng.integers(0, len(FLEETS), D)
    model = rng.integers(0, len(MODELS), D)
    hot = rng.random(D) < 0.10
    temp_base = np.where(hot, rng.uniform(50.0, 56.0, D), rng.uniform(28.0, 40.0, D))
    rng.uniform(0.8, 2.0, D)            # cruise   (unused here, drawn to keep the stream aligned)
    rng.uniform(0.004, 0.008, D)        # drain
    rng.uniform(40.0, 100.0, D)         # battery
    temp = temp_base + rng.normal(0, 1.0, D)
    return rng, fleet, model, hot, temp_base, temp


def digits(v, n):
    """int64 array (N,) -> uint8 ASCII digits (N, n), zero-padded on the left."""
    out = np.empty((v.shape[0], n), dtype=np.uint8)
    x = v.copy()
    for j in range(n - 1, -1, -1):          # bounded: n digits
        out[:, j] = 48 + (x % 10)
        x //= 10
    return out


class Formatter:
    def __init__(self, prefixes):
        pb = [p.encode() for p in prefixes]
        self.D = len(pb)
        self.Wp = max(len(p) for p in pb)
        self.P = np.zeros((self.D, self.Wp), dtype=np.uint8)
        for d, p in enumerate(pb):
            self.P[d, :len(p)] = np.frombuffer(p, dtype=np.uint8)
        self.Pmask = np.arange(self.Wp)[None, :] < np.array([len(p) for p in pb])[:, None]
        self.WV = 8                                         # sign + 4 int digits + '.' + 2 decimals
        self.W = self.Wp + self.WV + 1 + TS_DIGITS + 1

    def block(self, cents, ts_ns):
        """cents: int64 (B, D) = round(100*value); ts_ns: int64 (B,) -> bytes of B*D lines."""
        B, D = cents.shape
        if cents.min() <= -1_000_000 or cents.max() >= 1_000_000:
            raise ValueError("temperature outside +-9999.99")
        full = np.empty((B, D, self.W), dtype=np.uint8)
        mask = np.empty((B, D, self.W), dtype=bool)
        Wp, WV = self.Wp, self.WV
        full[:, :, :Wp] = self.P[None]
        mask[:, :, :Wp] = self.Pmask[None]
        # value "[-]I.FF" right-aligned in WV columns, leading columns masked off
        c = cents.reshape(-1)
        neg = c < 0
        a = np.abs(c)
        ip = a // 100
        v = np.empty((c.shape[0], WV), dtype=np.uint8)
        v[:, WV - 2:] = digits(a % 100, 2)
        v[:, WV - 3] = ord(".")
        v[:, 1:WV - 3] = digits(ip, WV - 4)
        v[:, 0] = ord("0")
        nd = 1 + (ip >= 10) + (ip >= 100) + (ip >= 1000)    # integer digits (>= 1)
        first = (WV - 3) - nd - neg                          # first kept column
        if neg.any():
            ni = np.flatnonzero(neg)
            v[ni, first[ni]] = ord("-")
        full[:, :, Wp:Wp + WV] = v.reshape(B, D, WV)
        vm = np.arange(WV)[None, :] >= first[:, None]
        mask[:, :, Wp:Wp + WV] = vm.reshape(B, D, WV)
        # " <ts>\n"
        tail = np.empty((B, TS_DIGITS + 2), dtype=np.uint8)
        tail[:, 0] = ord(" ")
        tail[:, 1:TS_DIGITS + 1] = digits(ts_ns, TS_DIGITS)
        tail[:, -1] = ord("\n")
        full[:, :, Wp + WV:] = tail[:, None, :]
        mask[:, :, Wp + WV:] = True
        return full[mask].tobytes()


def generate(a, out, progress=True):
    D = a.devices
    rng, fleet, model, hot, temp_base, temp = static_attrs(a.seed, D)
    prefixes = [f"robot,device_id=robot-{d:04d},fleet={FLEETS[fleet[d]]},model={MODELS[model[d]]} temperature="
                for d in range(D)]
    fmt = Formatter(prefixes)
    start_ns = parse_start(a.start) * 1_000_000_000
    if not (10 ** (TS_DIGITS - 1) <= start_ns and start_ns + a.seconds * 10 ** 9 < 10 ** TS_DIGITS):
        sys.exit("start/seconds outside the 19-digit ns range")
    k = 1.0 - math.exp(-1.0 / 120.0)       # mean reversion at dt = 1 s (time constant 120 s)
    r = 1.0 - k
    sigma = 0.08
    nbytes = 0
    t_start = time.time()
    t_last = t_start
    i = 0
    nblocks = -(-a.seconds // a.block)
    for bi in range(nblocks):                                    # bounded
        B = min(a.block, a.seconds - i)
        eps = rng.normal(0.0, sigma, (B, D))                     # row-major = tick by tick
        # x_t - base = r^t (x_0 - base) + sum_{s<=t} r^(t-s) eps_s   (t = 1..B), exact OU recursion
        p = r ** np.arange(1, B + 1)                             # r^t
        acc = np.cumsum(eps / p[:, None], axis=0) * p[:, None]
        dev = (temp - temp_base)[None, :] * p[:, None] + acc
        vals = temp_base[None, :] + dev
        temp = vals[-1].copy()
        cents = np.rint(vals * 100.0).astype(np.int64)
        ts = start_ns + (i + np.arange(B, dtype=np.int64)) * 1_000_000_000
        chunk = fmt.block(cents, ts)
        out.write(chunk)
        nbytes += len(chunk)
        i += B
        now = time.time()
        if progress and now - t_last >= 30:
            t_last = now
            print(f"{time.strftime('%H:%M:%S')} gen: {i}/{a.seconds} ticks, {i * D / (now - t_start):,.0f} lines/s, "
                  f"{nbytes / 2**30:.2f} GiB", file=sys.stderr, flush=True)
    return nbytes, fleet, hot


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=100)
    ap.add_argument("--seconds", type=int, default=30 * 86400, help="span in seconds (1 sample/device/s)")
    ap.add_argument("--start", default="2024-01-01T00:00:00Z", help="ISO-8601 UTC or unix seconds")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--block", type=int, default=600, help="ticks per vectorised block (part of the output's identity)")
    ap.add_argument("--out", default="/tmp/peers/month/robots_month.lp", help="file or - ; a file gets <file>.meta.json")
    a = ap.parse_args()
    if not (1 <= a.devices <= 10000 and 1 <= a.seconds <= 10 ** 8 and 1 <= a.block <= 100000):
        sys.exit("bad --devices/--seconds/--block")
    t0 = time.time()
    if a.out == "-":
        generate(a, sys.stdout.buffer, progress=False)
        sys.stdout.flush()
        return
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".part"
    with open(tmp, "wb", buffering=1 << 23) as f:
        nbytes, fleet, hot = generate(a, f)
    os.replace(tmp, a.out)
    secs = time.time() - t0
    lines = a.seconds * a.devices
    start_s = parse_start(a.start)
    meta = {
        "generator": "gen_month.py v1",
        "measurement": "robot",
        "tags": ["device_id", "fleet", "model"],
        "fields": ["temperature"],
        "devices": a.devices,
        "interval_s": 1,
        "seconds": a.seconds,
        "ticks": a.seconds,
        "start_unix_s": start_s,
        "start": a.start,
        "seed": a.seed,
        "block": a.block,
        "precision": "ns",
        "lines": lines,
        "values": lines,
        "field_values": lines,
        "bytes": nbytes,
        "first_ts_ns": start_s * 10 ** 9,
        "last_ts_ns": (start_s + a.seconds - 1) * 10 ** 9,
        "fleet_devices": {f: int((fleet == i).sum()) for i, f in enumerate(FLEETS)},
        "hot_devices": [f"robot-{d:04d}" for d in range(a.devices) if hot[d]],
        "gen_seconds": round(secs, 2),
        "gen_lines_per_s": round(lines / secs),
    }
    with open(a.out + ".meta.json", "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps({k: meta[k] for k in ("lines", "bytes", "gen_seconds", "gen_lines_per_s", "fleet_devices")}
                     | {"out": a.out}), file=sys.stderr)


if __name__ == "__main__":
    main()
