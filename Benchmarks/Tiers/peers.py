"""Servers under test and measuring helpers for run_month.py (loopback only).

Adapters: InfluxDB (1.x, /usr/bin/influxd), VictoriaMetrics (/usr/bin/victoria-metrics) and
Strata ($STRATA_BIN, else ./.build/release/strata under $STRATA_DIR or the current directory).
An adapter describes how to run one server; run_month.py starts and stops it:

  name, port, extra_ports   ports that must be free before the start (all on HOST)
  prepare(root)             config files (written under PEER_ROOT/logs, outside the data dir)
  command(root)             argv; the binary is exec'd directly, so Popen.pid is the server
  ready_path                GET answers 2xx once the server is up
  setup()                   after ready: CREATE DATABASE
  write_path(meta)          line-protocol POST path for the dataset's precision
  flush()                   ask the server to persist / merge what it holds
  busy()                    True while background flush or merge work still runs
  settle_min_s              seconds to wait at least before the disk is measured
  storage_path(root)        the directory whose size is the on-disk figure
  stats(), version()        engine counters and version string for the results
  request/get/post          HTTP on the adapter's keep-alive connection (self.conn)

Every server lives under PEER_ROOT/<name>/ with its log in PEER_ROOT/logs/<name>.log.
Readings come from /proc: server CPU and RSS by pid, host CPU from /proc/stat.
"""
import http.client
import json
import os
import socket
import subprocess
import time
import urllib.parse

HOST = "127.0.0.1"            # the only address anything here talks to or binds
PEER_ROOT = "/tmp/peers/month"  # the caller may set it before making adapters


# ----------------------------------------------------------------------------- helpers
def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def du(path):
    """(apparent bytes as `du -sb`, allocated bytes as `du -s -B1`); (0, 0) if missing."""
    if not os.path.exists(path):
        return 0, 0

    def run(*flags):
        out = subprocess.run(["du", *flags, path], capture_output=True, text=True, timeout=120).stdout
        return int(out.split()[0])
    return run("-sb"), run("-s", "-B1")


def proc_status(pid):
    """{'VmHWM': bytes, 'VmRSS': bytes} of a process (empty once it is gone)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, val = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[key] = int(val.split()[0]) * 1024
    except OSError:
        pass
    return out


def _stat_cpu_ticks(pid):
    """utime + stime of /proc/<pid>/stat, in clock ticks; also returns the parent pid."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12]), fields[1]


def proc_cpu_s(pid):
    """User + system CPU seconds of a process; NaN once it is gone."""
    try:
        return _stat_cpu_ticks(pid)[0] / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def host_cpu_s():
    """(busy, irq + softirq, steal) CPU seconds of the whole host, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]] + [0] * 8
    tck = os.sysconf("SC_CLK_TCK")
    user, nice, system, irq, softirq, steal = v[0], v[1], v[2], v[5], v[6], v[7]
    return (user + nice + system + irq + softirq + steal) / tck, (irq + softirq) / tck, steal / tck


def kthread_cpu_s():
    """CPU seconds of all kernel threads (children of kthreadd, pid 2): writeback, ksoftirqd ..."""
    ticks = 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                t, ppid = _stat_cpu_ticks(d)
            except (OSError, IndexError):
                continue
            if ppid == "2":
                ticks += t
    return ticks / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds since construction, split into the server, this harness, the kernel
    (kernel threads + irq/softirq, mostly the server's I/O) and 'foreign': everything else
    on the host, i.e. interference."""

    def __init__(self, pid):
        self.pid = pid
        self.start = self._now()

    def _now(self):
        return (time.perf_counter(), proc_cpu_s(self.pid), time.process_time(), *host_cpu_s(), kthread_cpu_s())

    def read(self):
        w0, s0, h0, b0, i0, st0, k0 = self.start
        w1, s1, h1, b1, i1, st1, k1 = self._now()
        kernel = (k1 - k0) + (i1 - i0)
        others = (b1 - b0) - (s1 - s0) - (h1 - h0)
        return {"server": s1 - s0, "harness": h1 - h0, "kernel": kernel,
                "foreign": max(0.0, others - kernel), "steal": st1 - st0, "wall": w1 - w0}


def wait_quiet(pid, max_wait, threshold, window=2.0):
    """Wait until foreign processes use < threshold cores over a window, at most max_wait s.
    Returns (quiet, waited_s, foreign_cores_in_last_window)."""
    t0 = time.time()
    while True:
        meter = CpuMeter(pid)
        time.sleep(window)
        c = meter.read()
        rate = c["foreign"] / c["wall"]
        if rate < threshold:
            return True, time.time() - t0, rate
        if time.time() - t0 >= max_wait:
            return False, time.time() - t0, rate


def port_in_use(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) == 0


def http_call(conn, method, path, body=None, headers=None):
    """One request on conn; returns (status, body bytes)."""
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.read()


def settle(ad, min_wait, poll=3.0, stable_polls=4, max_wait=600):
    """Wait at least min_wait s, then until the storage size has not changed for stable_polls
    polls in a row and the adapter is not busy; give up after max_wait s.
    Returns (waited_s, [(t, apparent, allocated, busy), ...], settled)."""
    path = ad.storage_path(ad.root)
    t0 = time.time()
    history, last, stable = [], None, 0
    while time.time() - t0 < max_wait:
        time.sleep(poll)
        size = du(path)
        busy = ad.busy()
        history.append((round(time.time() - t0, 1), size[0], size[1], busy))
        stable = stable + 1 if (size == last and not busy) else 0
        last = size
        if time.time() - t0 >= min_wait and stable >= stable_polls:
            return time.time() - t0, history, True
    return time.time() - t0, history, False


def deb_version(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
    return r.stdout.strip() or "?"


# ----------------------------------------------------------------------------- adapters
class Adapter:
    name = "abstract"
    port = 0
    extra_ports = ()
    ready_path = "/"
    settle_min_s = 5

    def __init__(self):
        self.proc = None
        self.conn = None
        self.root = os.path.join(PEER_ROOT, self.name)
        self.log_path = os.path.join(PEER_ROOT, "logs", f"{self.name}.log")

    def version(self):
        return "?"

    def prepare(self, root):
        pass

    def setup(self):
        pass

    def flush(self):
        pass

    def busy(self):
        return False

    def storage_path(self, root):
        return root

    def stats(self):
        return {}

    def request(self, method, path, body=None, headers=None):
        """HTTP on the keep-alive connection; reconnects once if the server dropped it while
        idle (VictoriaMetrics closes connections idle for over a minute)."""
        for attempt in (0, 1):
            try:
                return http_call(self.conn, method, path, body, headers)
            except (http.client.RemoteDisconnected, ConnectionError, http.client.CannotSendRequest,
                    http.client.BadStatusLine):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=600)
                if attempt:
                    raise

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body, ctype="application/x-www-form-urlencoded"):
        return self.request("POST", path, body, {"Content-Type": ctype})


class InfluxDB(Adapter):
    name = "influxdb"
    port = 8086
    extra_ports = (8088,)          # the RPC (backup) address
    ready_path = "/ping"
    settle_min_s = 45              # cache snapshot after 5 s cold + full compaction after 30 s cold
    db = "robots"

    def version(self):
        return "InfluxDB " + deb_version("influxdb")

    def prepare(self, root):
        self.conf = os.path.join(PEER_ROOT, "logs", "influxdb.conf")
        os.makedirs(os.path.dirname(self.conf), exist_ok=True)
        with open(self.conf, "w") as f:
            f.write(f"""# generated by Benchmarks/Tiers/peers.py
reporting-enabled = false
bind-address = "{HOST}:8088"
[meta]
  dir = "{root}/meta"
[data]
  dir = "{root}/data"
  wal-dir = "{root}/wal"
  index-version = "inmem"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "5s"
  compact-full-write-cold-duration = "30s"
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "{HOST}:{self.port}"
  log-enabled = false
  pprof-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
""")

    def command(self, root):
        return ["/usr/bin/influxd", "run", "-config", self.conf]

    def setup(self):
        st, b = self.post("/query", urllib.parse.urlencode({"q": f"CREATE DATABASE {self.db}"}))
        assert st == 200 and b"error" not in b, b

    def write_path(self, meta):
        prec = {"ns": "ns", "us": "u", "ms": "ms", "s": "s"}[meta["precision"]]
        return f"/write?db={self.db}&precision={prec}"

    def _vars(self):
        """The tsm1/shard sections of /debug/vars: [(section name, values dict)]."""
        st, b = self.get("/debug/vars")
        return [(v.get("name"), v.get("values", {})) for v in json.loads(b).values() if isinstance(v, dict)]

    def busy(self):
        """Busy while any compaction/snapshot is active or queued, or the cache holds data."""
        try:
            sections = self._vars()
        except Exception:                                        # noqa: BLE001
            return True
        active = 0
        for name, values in sections:
            if name == "tsm1_engine":
                active += sum(x for k, x in values.items() if k.endswith("Active") or k.endswith("Queue"))
            elif name == "tsm1_cache":
                active += values.get("memBytes", 0) > 0
        return active > 0

    def stats(self):
        out = {}
        for name, values in self._vars():
            if name in ("tsm1_engine", "tsm1_filestore", "tsm1_wal", "shard"):
                for k, x in values.items():
                    if not k.endswith("Duration"):
                        out[f"{name}.{k}"] = out.get(f"{name}.{k}", 0) + x
        return out


class VictoriaMetrics(Adapter):
    name = "victoriametrics"
    port = 8428
    ready_path = "/health"
    settle_min_s = 5

    def version(self):
        return "VictoriaMetrics " + deb_version("victoria-metrics")

    def command(self, root):
        return ["/usr/bin/victoria-metrics",
                f"-httpListenAddr={HOST}:{self.port}",
                f"-storageDataPath={root}/data",
                "-retentionPeriod=100y",          # the data is from 2024; the 1-month default would drop it
                "-search.disableCache",           # no rollup-result cache between repetitions
                "-loggerLevel=INFO"]

    def storage_path(self, root):
        return f"{root}/data"

    def write_path(self, meta):
        return f"/write?precision={meta['precision']}"

    def flush(self):
        st, b = self.get("/internal/force_flush")
        assert st == 200, (st, b)
        time.sleep(2)
        st, b = self.get("/internal/force_merge")   # full merge of all partitions, in the background
        assert st == 200, (st, b)

    def _metrics(self):
        st, b = self.get("/metrics")
        return b.decode().splitlines()

    def busy(self):
        """Busy while merges run or rows wait to be written."""
        try:
            lines = self._metrics()
        except Exception:                                        # noqa: BLE001
            return True
        return sum(float(line.rsplit(" ", 1)[1]) for line in lines
                   if line.startswith(("vm_active_merges", "vm_pending_rows"))) > 0

    def stats(self):
        keep = ("vm_parts{", "vm_rows{", "vm_blocks{", "vm_rows_merged_total{", "vm_merges_total{",
                "vm_rows_inserted_total{", "vm_new_timeseries_created_total", "vm_data_size_bytes{")
        return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
                for line in self._metrics() if line.startswith(keep)}


class Strata(InfluxDB):
    """`strata serve --data-dir --http`, InfluxDB v1 /write and /query (InfluxQL), POST /flush."""
    name = "strata"
    port = 8181
    extra_ports = ()
    settle_min_s = 2

    def binary(self):
        b = os.environ.get("STRATA_BIN") or os.path.join(os.environ.get("STRATA_DIR", os.getcwd()),
                                                          ".build", "release", "strata")
        return os.path.abspath(b)

    def version(self):
        try:
            r = subprocess.run([self.binary(), "--version"], capture_output=True, text=True, timeout=10)
            return "Strata " + (r.stdout.strip() or r.stderr.strip() or "?")
        except OSError:
            return "Strata (binary missing)"

    def prepare(self, root):
        pass

    def command(self, root):
        return [self.binary(), "serve", "--data-dir", f"{root}/data", "--http", f"{HOST}:{self.port}"]

    def storage_path(self, root):
        return f"{root}/data"

    def setup(self):
        st, b = self.post("/query", urllib.parse.urlencode({"q": f"CREATE DATABASE {self.db}"}))
        if st != 200:
            log(f"strata: CREATE DATABASE answered {st}: {b[:200]!r} (continuing)")

    def flush(self):
        st, b = self.post("/flush", b"")
        if not 200 <= st < 300:
            raise RuntimeError(f"strata: POST /flush answered {st}: {b[:200]!r}")

    def busy(self):
        return False

    def stats(self):
        return {}
