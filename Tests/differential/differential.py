#!/usr/bin/env python3
"""Differential test: Strata against a real InfluxDB 1.6 on the same data and queries.

Starts influxd (Debian package `influxdb`, config in a temp dir, loopback only, free ports)
and `strata serve` (binary given with --strata), writes one deterministic dataset to both
(`/write?db=diff&precision=ns`, several batches in shuffled order, a Strata /flush half way,
overwrites of existing points afterwards), runs every query of queries.txt against both and
compares the JSON answers: structure, names, tags, columns, row order exactly; integers
exactly, floats with relative tolerance 1e-9. Exit status 0 only when every difference is
one that queries.txt marks `# expect-differ: ...`.

Query file: one query per line; blank lines and lines starting with `#` are ignored.
Trailing tags, each introduced by `  # ` outside quotes:
  # expect-differ: REASON   a known, documented difference (docs/influxdb-differences.md)
  # ties-unordered          rows of one series with equal timestamps may come in any order
                            (InfluxDB's order of such rows from different series is arbitrary)
  # series-unordered        the series of a result may come in any order (sorted before comparing)
  # error-only              both must fail (same HTTP status, an "error" at the same place);
                            the error texts may differ
  # rfc3339                 also run without `epoch` (RFC3339 time strings)
  # epoch=ms                also run with this epoch (h, m, s, ms, u, ns)
  # param:KEY=VALUE         an extra URL parameter (param:db=nosuch, param:chunked=true, ...)
  # header:NAME=VALUE       an extra request header (header:Accept=application/csv)

Modes:
  --strata BIN              the normal differential run
  --influx-only             only InfluxDB; print its answers (what a compatible engine must say)
  --self-check              InfluxDB against a second InfluxDB (proves the comparison works and
                            that the answers are deterministic); also runs the comparator's own tests
  --only 3,7-9 / --grep RE  run only these queries (numbers as printed: Q1 is the first query)
  --keep                    leave the servers running afterwards, print their URLs, wait for Ctrl-C
  --record FILE             write every answer (both sides) to FILE as JSON
  --pretty                  print answers of --influx-only / failing queries row by row

Stdlib only (urllib, json, subprocess): runs on any python3 >= 3.8.
"""
import argparse
import ctypes
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HOST = "127.0.0.1"          # the only address this program talks to or binds
HERE = os.path.dirname(os.path.abspath(__file__))
DB = "diff"
REL_TOL = 1e-9
SETUP_HINT = "run scripts/setup-debian.sh (it installs the Debian package influxdb)"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class HarnessError(Exception):
    pass


# ----------------------------------------------------------------------------- processes
def _die_with_parent():
    """preexec_fn: the child gets SIGKILL if this program dies (even by SIGKILL)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)               # PR_SET_PDEATHSIG
    except Exception:
        pass
    os.setsid()                                     # own process group: Ctrl-C goes to us only


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def http(method, url, body=None, headers=None, timeout=30):
    """(status, body bytes); HTTP errors are answers, not exceptions."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Server:
    name = "?"

    def __init__(self, root):
        self.root = root
        self.proc = None
        self.url = None
        self.logfile = None

    def log_tail(self, n=3000):
        try:
            with open(self.logfile, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_ping(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(f"{self.name} exited with {self.proc.returncode} during start:\n{self.log_tail()}")
            if self.url:
                try:
                    st, _ = http("GET", self.url + "/ping", timeout=2)
                    if st == 204:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise HarnessError(f"{self.name}: no 204 from /ping within {timeout} s:\n{self.log_tail()}")

    def spawn(self, cmd):
        self.logfile = os.path.join(self.root, "server.log")
        lf = open(self.logfile, "ab")
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=lf, stderr=lf,
                                         preexec_fn=_die_with_parent, cwd=self.root)
        finally:
            lf.close()

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)

    def query(self, q, params=None, headers=None):
        p = {"db": DB, "q": q}
        p.update(params or {})
        st, body = http("GET", self.url + "/query?" + urllib.parse.urlencode(p), headers=headers, timeout=60)
        return st, body

    def write(self, lines):
        body = ("\n".join(lines) + "\n").encode()
        st, b = http("POST", f"{self.url}/write?db={DB}&precision=ns", body=body, timeout=60)
        if st != 204:
            raise HarnessError(f"{self.name}: write of {len(lines)} lines -> HTTP {st}: {b[:500]!r}")

    def setup_db(self):
        st, b = http("POST", self.url + "/query", body=urllib.parse.urlencode({"q": f"CREATE DATABASE {DB}"}).encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        if st != 200 or b"error" in b:
            raise HarnessError(f"{self.name}: CREATE DATABASE -> HTTP {st}: {b[:500]!r}")

    def flush(self):
        pass


class InfluxDB(Server):
    def __init__(self, root, binary, label="influxdb"):
        super().__init__(root)
        self.binary = binary
        self.name = label

    def start(self):
        for attempt in range(3):                    # a free port may be taken between probe and bind
            http_port, rpc_port = free_port(), free_port()
            conf = os.path.join(self.root, "influxdb.conf")
            with open(conf, "w") as f:
                f.write(f"""# written by Tests/differential/differential.py
reporting-enabled = false
bind-address = "{HOST}:{rpc_port}"
[meta]
  dir = "{self.root}/meta"
  logging-enabled = false
[data]
  dir = "{self.root}/data"
  wal-dir = "{self.root}/wal"
  index-version = "inmem"
  wal-fsync-delay = "0s"
  query-log-enabled = false
[coordinator]
  log-queries-after = "0s"
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "{HOST}:{http_port}"
  log-enabled = false
  pprof-enabled = false
[logging]
  level = "warn"
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
""")
            self.url = f"http://{HOST}:{http_port}"
            self.spawn([self.binary, "run", "-config", conf])
            try:
                self.wait_ping()
                return
            except HarnessError:
                self.stop()
                if attempt == 2:
                    raise
                log(f"{self.name}: start failed, retrying with other ports")


class Strata(Server):
    name = "strata"

    def __init__(self, root, binary):
        super().__init__(root)
        self.binary = binary

    def start(self):
        self.spawn([self.binary, "serve", "--data-dir", os.path.join(self.root, "data"), "--http", f"{HOST}:0"])
        deadline = time.time() + 60
        while time.time() < deadline and not self.url:
            m = re.search(r"strata listening on (http://\S+)", self.log_tail(100000))
            if m:
                self.url = m.group(1).rstrip("/")
                break
            if self.proc.poll() is not None:
                raise HarnessError(f"strata exited with {self.proc.returncode} during start:\n{self.log_tail()}")
            time.sleep(0.05)
        if not self.url:
            raise HarnessError(f"strata did not print 'strata listening on' within 60 s:\n{self.log_tail()}")
        self.wait_ping()

    def flush(self):
        st, b = http("POST", self.url + "/flush", timeout=120)
        if st not in (200, 204):
            raise HarnessError(f"strata: POST /flush -> HTTP {st}: {b[:300]!r}")


# ----------------------------------------------------------------------------- dataset
T0 = 1704067200 * 10**9               # 2024-01-01T00:00:00Z in ns
HOUR = 3600 * 10**9
SPAN_H = 3                            # data from 00:00 to ~03:00


def fmt_float(v):
    s = repr(float(v))
    return s[:-2] if s.endswith(".0") else s    # `80` (no i) is still a float in line protocol


def esc_tag(s):
    return s.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def esc_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def line(meas, tags, fields, ts):
    key = meas.replace(",", "\\,").replace(" ", "\\ ")
    for k in sorted(tags):
        key += "," + esc_tag(k) + "=" + esc_tag(tags[k])
    fs = []
    for k, v in fields.items():
        if isinstance(v, bool):
            fs.append(f"{esc_tag(k)}={v}")
        elif isinstance(v, tuple) and v[0] == "bool":      # ("bool", literal) spells booleans variously
            fs.append(f"{esc_tag(k)}={v[1]}")
        elif isinstance(v, int):
            fs.append(f"{esc_tag(k)}={v}i")
        elif isinstance(v, float):
            fs.append(f"{esc_tag(k)}={fmt_float(v)}")
        else:
            fs.append(f"{esc_tag(k)}={esc_str(v)}")
    return f"{key} {','.join(fs)} {ts}"


ROBOTS = [
    ("robot-0001", {"fleet": "alpha", "model": "m1"}),
    ("robot-0002", {"fleet": "alpha", "model": "m2"}),
    ("robot-0003", {"fleet": "beta", "model": "m1"}),     # the hot one: temperature > 50 at times
    ("robot-0004", {"fleet": "beta"}),                    # no model tag
    ("robot-0005", {"model": "m3"}),                      # no fleet tag
    ("robot-0006", {"fleet": "gamma", "model": "m2"}),    # sparse: first hour only, big gaps
]
BOOL_SPELLINGS = {True: ["true", "t", "T", "TRUE", "True"], False: ["false", "f", "F", "FALSE", "False"]}
MODES = ["idle", "moving", "charging", "docked, waiting", 'say "hi"']


def generate(seed):
    """(first batch list, second batch list, overwrite lines) of line protocol; deterministic."""
    rnd = random.Random(seed)
    rows = []
    for i, (dev, extra) in enumerate(ROBOTS):
        tags = dict(extra, device_id=dev)
        t = T0
        # The first 10 minutes every robot reports on whole minutes (ties across series),
        # afterwards at irregular ns times.
        n = 0
        battery = 100.0 - 3 * i
        errors = 0
        end = T0 + (HOUR if dev == "robot-0006" else SPAN_H * HOUR)
        while t < end:
            n += 1
            f = {}
            if rnd.random() > 0.06:
                base = 20 + 4 * i + 8 * ((n % 40) / 40.0)
                if dev == "robot-0003" and 60 <= n % 100 < 70:
                    base += 30
                f["temperature"] = round(base + rnd.uniform(-1.5, 1.5), 2)
            if rnd.random() > 0.04:
                battery = max(0.0, battery - rnd.choice([0.0, 0.1, 0.2, 0.5, 1.0]))
                if n % 37 == 0:
                    battery = min(100.0, battery + 10.0)
                f["battery"] = round(battery, 1)
            f["status"] = rnd.choice([0, 0, 0, 1, 2, 3])
            if rnd.random() > 0.1:
                errors += rnd.choice([0, 0, 0, 1, 2])
                if n % 53 == 0:
                    errors = 0                              # counter reset (non_negative_*)
                f["error_count"] = errors
            moving = rnd.random() < 0.5
            f["charging"] = ("bool", rnd.choice(BOOL_SPELLINGS[not moving and rnd.random() < 0.5]))
            if rnd.random() > 0.15:
                f["mode"] = rnd.choice(MODES) if rnd.random() < 0.2 else ("moving" if moving else "idle")
            if moving:
                f["speed"] = round(rnd.uniform(0, 3), 3)
            f["x"] = round(rnd.uniform(-50, 50), 1)
            rows.append(line("robot", tags, f, t))
            if t < T0 + 10 * 60 * 10**9:
                t += 60 * 10**9
            else:
                gap = rnd.randint(20, 100) * 10**9 + rnd.randint(0, 10**9 - 1)
                if dev == "robot-0006" and rnd.random() < 0.2:
                    gap += 15 * 60 * 10**9                  # holes for fill()
                t += gap
    envs = [("env-01", {"site": "lab", "fleet": "alpha"}), ("env-02", {"site": "lab"}), ("env-03", {"site": "yard"})]
    for j, (dev, extra) in enumerate(envs):
        tags = dict(extra, device_id=dev)
        t = T0 + rnd.randint(0, 59) * 10**9
        while t < T0 + SPAN_H * HOUR:
            f = {"humidity": round(rnd.uniform(30, 70), 2), "pressure": 1000 + rnd.randint(0, 30) + j}
            if rnd.random() < 0.7:
                f["door"] = rnd.random() < 0.3
            if rnd.random() < 0.3:
                f["label"] = rnd.choice(["ok", "check", "alarm"])
            rows.append(line("env", tags, f, t))
            t += rnd.randint(90, 150) * 10**9 + rnd.randint(0, 999) * 10**6
    for k in range(40):
        tags = {"loc": "dock 1" if k % 3 else "dock 2"}
        f = {"value": round(rnd.uniform(-5, 5), 3), "n": k}
        rows.append(line("my meas", tags, f, T0 + k * 4 * 60 * 10**9 + 123))
    # Out of order: shuffled, in two halves (Strata flushes between them).
    rnd.shuffle(rows)
    half = len(rows) // 2
    first, second = rows[:half], rows[half:]
    # Overwrites: same series and time, later write wins per field; fields not in the new
    # point keep their old values.
    over = []
    picks = rnd.sample([r for r in first if r.startswith("robot,")], 12)
    for r in picks:
        key, ts = r.split(" ", 1)[0], r.rsplit(" ", 1)[1]        # robot keys have no spaces
        over.append(f"{key} temperature={fmt_float(round(rnd.uniform(10, 90), 2))},status={rnd.randint(4, 9)}i {ts}")
    over.append(first[0])                            # an identical rewrite
    return first, second, over


def load(server, seed, flush=True):
    first, second, over = generate(seed)
    server.setup_db()
    for i in range(0, len(first), 500):
        server.write(first[i:i + 500])
    if flush:
        server.flush()
    for i in range(0, len(second), 500):
        server.write(second[i:i + 500])
    server.write(over)
    return len(first) + len(second) + len(over)


# ----------------------------------------------------------------------------- queries
class Query:
    def __init__(self, num, lineno, text, tags):
        self.num, self.lineno, self.text = num, lineno, text
        self.expect_differ = None
        self.error_only = False
        self.ties_unordered = False
        self.series_unordered = False
        self.variants = [{"epoch": "ns"}]
        self.params = {}
        self.headers = {}
        for t in tags:
            if t.startswith("expect-differ"):
                self.expect_differ = t.partition(":")[2].strip() or "(no reason given)"
            elif t.startswith("error-only"):
                self.error_only = True
            elif t.startswith("ties-unordered"):
                self.ties_unordered = True
            elif t.startswith("series-unordered"):
                self.series_unordered = True
            elif t == "rfc3339":
                self.variants.append({})
            elif t.startswith("epoch="):
                self.variants.append({"epoch": t.partition("=")[2]})
            elif t.startswith("param:"):
                k, _, v = t[6:].partition("=")
                self.params[k.strip()] = v.strip()
            elif t.startswith("header:"):
                k, _, v = t[7:].partition("=")
                self.headers[k.strip()] = v.strip()
            else:
                raise HarnessError(f"queries.txt:{lineno}: unknown tag {t!r}")


def split_tags(raw):
    """Query text and its trailing `  # tag` list; `#` inside quotes is part of the query."""
    quote = None
    i = 0
    while i < len(raw):
        c = raw[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and i > 0 and raw[i - 1] in " \t":
            return raw[:i].strip(), [t.strip() for t in raw[i + 1:].split("#") if t.strip()]
        i += 1
    return raw.strip(), []


def read_queries(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            s = raw.strip()
            if not s or s.startswith("#"):
                continue
            text, tags = split_tags(s)
            out.append(Query(len(out) + 1, lineno, text, tags))
    return out


def select(queries, only, grep):
    if only:
        nums = set()
        for part in only.split(","):
            a, _, b = part.partition("-")
            nums.update(range(int(a), int(b or a) + 1))
        queries = [q for q in queries if q.num in nums]
    if grep:
        queries = [q for q in queries if re.search(grep, q.text, re.I)]
    return queries


# ----------------------------------------------------------------------------- comparison
def decode(status, body):
    """Status and parsed JSON; a chunked answer (one JSON object per line) becomes a list."""
    try:
        return {"status": status, "json": json.loads(body)}
    except ValueError:
        pass
    try:
        lines = [x for x in body.decode("utf-8").split("\n") if x.strip()]
        if len(lines) > 1:
            return {"status": status, "json": [json.loads(x) for x in lines]}
    except ValueError:
        pass
    return {"status": status, "text": body.decode("utf-8", "replace")}


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def first_difference(a, b, path="", error_only=False):
    """None when equal, else (path, a-part, b-part, why)."""
    if error_only and isinstance(a, dict) and isinstance(b, dict) and "error" in a and "error" in b:
        a = {k: v for k, v in a.items() if k != "error"}
        b = {k: v for k, v in b.items() if k != "error"}
    if _is_num(a) and _is_num(b):
        if isinstance(a, int) and isinstance(b, int):
            return None if a == b else (path, a, b, "integers differ")
        fa, fb = float(a), float(b)
        if fa == fb:
            if isinstance(a, int) != isinstance(b, int):
                return (path, a, b, "same value rendered as integer on one side, as float on the other")
            return None
        if abs(fa - fb) <= REL_TOL * max(abs(fa), abs(fb)):
            # A different summation order may move the last bits, but then both sides are
            # non-integral floats; an integer against a float is a type difference.
            if isinstance(a, int) and float(b).is_integer() or isinstance(b, int) and float(a).is_integer():
                return (path, a, b, "integer on one side, float on the other")
            return None
        return (path, a, b, "numbers differ")
    if type(a) is not type(b):
        return (path, a, b, f"{type(a).__name__} vs {type(b).__name__}")
    if isinstance(a, dict):
        ka, kb = list(a), list(b)
        if sorted(ka) != sorted(kb):
            only_a = [k for k in ka if k not in b]
            only_b = [k for k in kb if k not in a]
            return (path, a, b, f"keys differ: only left {only_a}, only right {only_b}")
        for k in ka:
            d = first_difference(a[k], b[k], f"{path}.{k}", error_only)
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]", error_only)
            if d:
                return d
        if len(a) != len(b):
            return (path, a, b, f"lengths differ: {len(a)} vs {len(b)}")
        return None
    return None if a == b else (path, a, b, "values differ")


def same_text_body(a, b):
    """CSV and other text bodies: equal cell by cell, numbers with a decimal point to a
    relative 1e-9 (float sums may run in a different order), everything else exactly."""
    if a == b:
        return True
    if a is None or b is None:
        return False
    rows_a, rows_b = a.split("\n"), b.split("\n")
    if len(rows_a) != len(rows_b):
        return False
    for ra, rb in zip(rows_a, rows_b):
        cells_a, cells_b = ra.split(","), rb.split(",")
        if len(cells_a) != len(cells_b):
            return False
        for ca, cb in zip(cells_a, cells_b):
            if ca == cb:
                continue
            if "." not in ca or "." not in cb:
                return False
            try:
                fa, fb = float(ca), float(cb)
            except ValueError:
                return False
            if abs(fa - fb) > 1e-9 * max(abs(fa), abs(fb)):
                return False
    return True


def compare_answers(x, y, error_only=False):
    if x.get("status") != y.get("status"):
        return ("status", x.get("status"), y.get("status"), "HTTP status differs")
    if "json" not in x or "json" not in y:
        if same_text_body(x.get("text"), y.get("text")):
            return None
        return ("body", x.get("text"), y.get("text"), "not JSON")
    if error_only and not (has_error(x["json"]) and has_error(y["json"])):
        return ("error", has_error(x["json"]), has_error(y["json"]), "error-only query: both must fail")
    return first_difference(x["json"], y["json"], "", error_only)


def normalized(ans, ties=False, series=False):
    """A copy of an answer with equal-time rows and/or series put in a canonical order."""
    if "json" not in ans or not isinstance(ans["json"], dict):
        return ans
    j = json.loads(json.dumps(ans["json"]))
    for r in j.get("results", []):
        ss = r.get("series")
        if not isinstance(ss, list):
            continue
        if series:
            ss.sort(key=lambda s: (str(s.get("name")), json.dumps(s.get("tags"), sort_keys=True)))
        if ties:
            for s in ss:
                vals = s.get("values") or []
                out, i = [], 0
                while i < len(vals):
                    k = i
                    while k < len(vals) and vals[k][:1] == vals[i][:1]:
                        k += 1
                    out += sorted(vals[i:k], key=lambda row: json.dumps(row))
                    i = k
                s["values"] = out
    return dict(ans, json=j)


def has_error(j):
    if isinstance(j, dict):
        return "error" in j or any(has_error(v) for v in j.values())
    if isinstance(j, list):
        return any(has_error(v) for v in j)
    return False


def comparator_selftest():
    """The comparison code's own cases (run by --self-check and at every start: it is cheap)."""
    eq = lambda a, b, **k: first_difference(a, b, **k) is None
    cases = [
        eq(1, 1), not eq(1, 2), eq(0.1 + 0.2, 0.3), not eq(0.3, 0.3001), not eq(3, 3.0),
        not eq(True, 1), not eq(1, True), not eq(None, 0), eq("a", "a"), not eq("a", "b"),
        not eq([1, 2], [1, 2, 3]), not eq([1, 2, 3], [1, 2]), not eq({"a": 1}, {"a": 1, "b": 2}),
        eq({"a": [1, {"b": 2.5}]}, {"a": [1, {"b": 2.5}]}), not eq({"a": [1, {"b": 2.5}]}, {"a": [1, {"b": 2.6}]}),
        not eq([[0, 1], [1, 2]], [[1, 2], [0, 1]]), eq(1e300, 1e300 * (1 + 1e-12)), not eq(1e300, 1e300 * (1 + 1e-8)),
        eq(300, 300.00000000000006), not eq(12345, 12345.0), eq(12.300000000000001, 12.3), not eq(-0.5, 0.5),
        eq({"error": "x", "statement_id": 0}, {"error": "y", "statement_id": 0}, error_only=True),
        not eq({"error": "x", "statement_id": 0}, {"error": "y", "statement_id": 0}),
    ]
    d = first_difference({"results": [{"series": [{"values": [[1, 2.0], [2, 3.5]]}]}]},
                         {"results": [{"series": [{"values": [[1, 2.0], [2, 3.75]]}]}]})
    cases.append(d is not None and d[0] == ".results[0].series[0].values[1][1]")
    bad = [i for i, ok in enumerate(cases) if not ok]
    if bad:
        raise HarnessError(f"comparator self-test failed: cases {bad}")


def at_path(j, path):
    """The value at a path like .results[0].series[1].values[3][2] (None when absent)."""
    for m in re.finditer(r"\.([^.\[]+)|\[(\d+)\]", path):
        try:
            j = j[m.group(1)] if m.group(1) is not None else j[int(m.group(2))]
        except (KeyError, IndexError, TypeError):
            return None
    return j


def render(ans, limit=4000):
    """An answer row by row: one line per series header and per row."""
    if "json" not in ans:
        return f"HTTP {ans['status']}: {ans.get('text', '')[:limit]}"
    j = ans["json"]
    out = [f"HTTP {ans['status']}"]
    if not isinstance(j, dict) or "results" not in j:
        out.append(json.dumps(j))
    else:
        for r in j["results"]:
            head = {k: v for k, v in r.items() if k != "series"}
            out.append("  result " + json.dumps(head))
            for s in r.get("series", []):
                sh = {k: v for k, v in s.items() if k != "values"}
                out.append("    series " + json.dumps(sh))
                for row in s.get("values", []):
                    out.append("      " + json.dumps(row))
    text = "\n".join(out)
    return text if len(text) <= limit else text[:limit] + f"\n      ... ({len(text) - limit} more characters)"


def snippet(ans, path):
    """The series (or result) around a differing path, compactly."""
    if "json" not in ans:
        return ans.get("text", "")[:600]
    m = re.match(r"(\.results\[\d+\](?:\.series\[\d+\])?)", path)
    part = at_path(ans["json"], m.group(1)) if m else ans["json"]
    if isinstance(part, dict) and "values" in part:
        vals = part["values"]
        rm = re.search(r"\.values\[(\d+)\]", path)
        i = int(rm.group(1)) if rm else 0
        lo = max(0, i - 2)
        part = dict(part, values=vals[lo:i + 3])
        if lo > 0 or i + 3 < len(vals):
            part["values (shown)"] = f"rows {lo}..{min(len(vals), i + 3) - 1} of {len(vals)}"
    s = json.dumps(part)
    return s if len(s) <= 1500 else s[:1500] + " ..."


# ----------------------------------------------------------------------------- run
def variant_label(params):
    return f"epoch={params['epoch']}" if "epoch" in params else "rfc3339"


def run_query(server, q, variant):
    return decode(*server.query(q.text, dict(q.params, **variant), q.headers or None))


def run_compare(queries, left, right, record, pretty, deterministic_check=False):
    failures, expected, now_equal = [], [], []
    checks = 0
    for q in queries:
        for params in q.variants:
            checks += 1
            a = run_query(left, q, params)
            b = run_query(right, q, params)
            if q.ties_unordered or q.series_unordered:
                a = normalized(a, q.ties_unordered, q.series_unordered)
                b = normalized(b, q.ties_unordered, q.series_unordered)
            d = compare_answers(a, b, q.error_only)
            if deterministic_check and d is None:
                a2 = normalized(run_query(left, q, params), q.ties_unordered, q.series_unordered)
                d2 = compare_answers(a, a2, q.error_only)
                if d2:
                    d = d2
                    b = a2
            record.append({"num": q.num, "line": q.lineno, "query": q.text, "params": dict(q.params, **params),
                           left.name: a, right.name: b, "equal": d is None})
            label = f"Q{q.num} (queries.txt:{q.lineno}, {variant_label(params)})"
            if d is None:
                if q.expect_differ:
                    now_equal.append(label)
                continue
            if q.expect_differ:
                expected.append(f"{label}: {q.expect_differ}")
                continue
            path, va, vb, why = d
            if compare_answers(normalized(a, ties=True), normalized(b, ties=True), q.error_only) is None:
                why += " (only the order of rows with equal timestamps differs: see the ties-unordered tag)"
            elif compare_answers(normalized(a, series=True), normalized(b, series=True), q.error_only) is None:
                why += " (only the order of the series differs)"
            msg = [f"--- {label}: {q.text}",
                   f"    first difference at {path or '(top)'}: {why}",
                   f"    {left.name}: {json.dumps(va)[:300]}",
                   f"    {right.name}: {json.dumps(vb)[:300]}",
                   f"    {left.name} around it: {snippet(a, path)}",
                   f"    {right.name} around it: {snippet(b, path)}"]
            if pretty:
                msg += [f"    {left.name} answer:", _indent(render(a)), f"    {right.name} answer:", _indent(render(b))]
            failures.append("\n".join(msg))
    return checks, failures, expected, now_equal


def _indent(s):
    return "\n".join("      " + x for x in s.splitlines())


def print_influx_only(queries, server, record, pretty):
    for q in queries:
        for params in q.variants:
            a = run_query(server, q, params)
            record.append({"num": q.num, "line": q.lineno, "query": q.text, "params": params, server.name: a})
            print(f"=== Q{q.num} (queries.txt:{q.lineno}, {variant_label(params)}): {q.text}")
            if pretty:
                print(render(a, limit=20000))
            else:
                print(f"HTTP {a['status']} " + (json.dumps(a["json"]) if "json" in a else a.get("text", "")))


def find_influxd(given):
    for c in [given, shutil.which("influxd"), "/usr/bin/influxd"]:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise HarnessError(f"influxd (InfluxDB 1.6) not found: {SETUP_HINT}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--strata", help="path of the strata binary")
    ap.add_argument("--influxd", help="path of influxd (default: on PATH, or /usr/bin/influxd)")
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.txt"))
    ap.add_argument("--only", help="query numbers, e.g. 3,7-9")
    ap.add_argument("--grep", help="only queries matching this regular expression")
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--seed-right", type=int, help="with --self-check: other data on the second InfluxDB "
                                                     "(shows that differences are found and reported)")
    ap.add_argument("--influx-only", action="store_true", help="print InfluxDB's answers only")
    ap.add_argument("--self-check", action="store_true", help="compare InfluxDB with a second InfluxDB")
    ap.add_argument("--keep", action="store_true", help="keep the servers running afterwards (Ctrl-C ends)")
    ap.add_argument("--keep-seconds", type=int, default=3600, help="with --keep: stop after this long anyway")
    ap.add_argument("--record", metavar="FILE", help="write every answer to FILE (JSON)")
    ap.add_argument("--pretty", action="store_true", help="print answers row by row")
    ap.add_argument("--no-flush", action="store_true", help="don't POST /flush to Strata between the write halves")
    ap.add_argument("--time-limit", type=float, default=600, help="give up after this many seconds")
    args = ap.parse_args()

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)

    def on_alarm(signum, frame):
        raise HarnessError(f"time limit of {args.time_limit:.0f} s reached")
    signal.signal(signal.SIGALRM, on_alarm)
    if not args.keep:
        signal.alarm(int(args.time_limit))

    if not (args.strata or args.influx_only or args.self_check):
        ap.error("give --strata BIN, --influx-only or --self-check")
    tmp = tempfile.mkdtemp(prefix="strata-diff-")
    servers = []
    record = []
    t_start = time.time()
    try:
        comparator_selftest()
        influxd = find_influxd(args.influxd)
        queries = select(read_queries(args.queries), args.only, args.grep)
        if not queries:
            raise HarnessError("no query selected")
        left = InfluxDB(os.path.join(tmp, "influxdb"), influxd)
        os.makedirs(left.root)
        servers.append(left)
        if args.self_check:
            right = InfluxDB(os.path.join(tmp, "influxdb2"), influxd, label="influxdb-2")
        elif not args.influx_only:
            if not (os.path.isfile(args.strata) and os.access(args.strata, os.X_OK)):
                raise HarnessError(f"strata binary {args.strata!r} is not an executable file")
            right = Strata(os.path.join(tmp, "strata"), os.path.abspath(args.strata))
        else:
            right = None
        if right:
            os.makedirs(right.root)
            servers.append(right)
        for s in servers:
            s.start()
            log(f"{s.name}: {s.url} (log {s.logfile})")
        for s in servers:
            seed = args.seed_right if (s is right and args.seed_right is not None) else args.seed
            n = load(s, seed, flush=not args.no_flush)
        log(f"wrote {n} lines to each server; {len(queries)} queries")
        if right is None:
            print_influx_only(queries, left, record, args.pretty)
            ok = True
        else:
            checks, failures, expected, now_equal = run_compare(queries, left, right, record, args.pretty,
                                                                deterministic_check=args.self_check)
            for f in failures:
                print(f)
            if expected:
                print(f"expected differences ({len(expected)}, see docs/influxdb-differences.md):")
                for e in expected:
                    print("    " + e)
            if now_equal:
                print(f"marked expect-differ but now equal ({len(now_equal)}): drop the tag:")
                for e in now_equal:
                    print("    " + e)
            print(f"differential: {len(queries)} queries, {checks} checks: {checks - len(failures) - len(expected)} "
                  f"equal, {len(failures)} differ unexpectedly, {len(expected)} expected differences "
                  f"({time.time() - t_start:.1f} s)")
            ok = not failures
        if args.record:
            with open(args.record, "w") as f:
                json.dump(record, f, indent=1)
            log(f"answers written to {args.record}")
        if args.keep:
            print("servers kept running:", ", ".join(f"{s.name} {s.url}" for s in servers))
            print(f"  e.g. curl -sG {servers[0].url}/query --data-urlencode db={DB} --data-urlencode 'q=SHOW MEASUREMENTS'")
            print(f"Ctrl-C stops them (or after {args.keep_seconds} s)", flush=True)
            try:
                deadline = time.time() + args.keep_seconds
                while time.time() < deadline and all(s.proc.poll() is None for s in servers):
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
        return 0 if ok else 1
    except HarnessError as e:
        print(f"differential: ERROR: {e}")
        return 2
    except KeyboardInterrupt as e:
        print(f"differential: interrupted ({e})")
        return 130
    finally:
        signal.alarm(0)
        for s in servers:
            try:
                s.stop()
            except Exception as e:                  # keep stopping the others
                log(f"stopping {s.name}: {e}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
