#!/usr/bin/env python3
"""The official InfluxDB 1.x Python client (`pip install influxdb`) against a live server.

  python_client_e2e.py --url http://127.0.0.1:PORT     a running server (Strata or InfluxDB)
  python_client_e2e.py --strata BIN                     starts `strata serve` itself
  python_client_e2e.py --influxd [PATH]                 starts InfluxDB 1.6 itself (checks this script)

Creates a database, writes JSON points (tags, all four field types, RFC3339, epoch-ns and
epoch-s times), lists databases and measurements, queries with bound parameters and reads the
rows back with get_points(). Prints one line per check; exit status 0 only if all pass.
"""
import argparse
import os
import shutil
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True                      # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import differential  # noqa: E402  (server start/stop helpers, same directory)

DB = "pyclient"
POINTS = [
    {"measurement": "robot", "tags": {"device_id": "robot-0001", "fleet": "alpha"},
     "time": "2024-01-01T00:00:00Z",
     "fields": {"battery": 81.5, "status": 1, "charging": False, "mode": "idle"}},
    {"measurement": "robot", "tags": {"device_id": "robot-0001", "fleet": "alpha"},
     "time": "2024-01-01T00:00:10.5Z",
     "fields": {"battery": 80.25, "status": 2, "charging": True, "mode": 'say "hi", then go'}},
    {"measurement": "robot", "tags": {"device_id": "robot-0002", "fleet": "beta"},
     "time": 1704067205000000000,
     "fields": {"battery": 60.0, "status": 3, "charging": False, "mode": "moving"}},
]
# Written with time_precision='s': integer seconds.
POINTS_S = [
    {"measurement": "env", "tags": {"site": "lab"}, "time": 1704067260, "fields": {"humidity": 41.5, "door": True}},
    {"measurement": "env", "tags": {"site": "lab"}, "time": 1704067320, "fields": {"humidity": 43.0, "door": False}},
]


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def run(self, name, fn):
        try:
            fn()
            self.passed += 1
            print(f"ok    {name}", flush=True)
        except Exception as e:                      # every check runs; failures are listed at the end
            detail = "".join(traceback.format_exception_only(type(e), e)).strip()
            self.failed.append(f"{name}: {detail}")
            print(f"FAIL  {name}: {detail}", flush=True)


def canonical(v):
    """InfluxDB answers this client in MessagePack (it sends Accept: application/x-msgpack) and
    the client then writes RFC3339 times with microseconds ('...10.500000Z'); a server that
    answers JSON writes '...10.5Z'. Both are right: trailing zeros of a fraction are dropped."""
    if isinstance(v, list):
        return [canonical(x) for x in v]
    if isinstance(v, dict):
        return {k: canonical(x) for k, x in v.items()}
    if isinstance(v, str) and len(v) > 20 and v.endswith("Z") and v[10:11] == "T" and "." in v[19:]:
        frac = v[20:-1].rstrip("0")
        return v[:19] + ("." + frac if frac else "") + "Z"
    return v


def expect(got, want, what):
    got, want = canonical(got), canonical(want)
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


def run_checks(url):
    from urllib.parse import urlparse
    from influxdb import InfluxDBClient

    u = urlparse(url)
    client = InfluxDBClient(host=u.hostname, port=u.port, database=DB, timeout=30, retries=1)
    c = Checks()

    c.run("ping answers with a version", lambda: expect(bool(client.ping()), True, "version"))
    c.run("create_database", lambda: client.create_database(DB))
    c.run("get_list_database lists it",
          lambda: expect({"name": DB} in client.get_list_database(), True, f"{DB} in {client.get_list_database()}"))
    c.run("write_points (RFC3339 and epoch-ns times)", lambda: expect(client.write_points(POINTS), True, "result"))
    c.run("write_points time_precision='s'",
          lambda: expect(client.write_points(POINTS_S, time_precision="s"), True, "result"))

    def measurements():
        names = [m["name"] for m in client.get_list_measurements()]
        expect(names, ["env", "robot"], "measurements")
    c.run("get_list_measurements", measurements)

    def raw_bound():
        rs = client.query('SELECT "battery", "status", "charging", "mode" FROM "robot" WHERE "device_id" = $dev',
                          bind_params={"dev": "robot-0001"})
        expect(list(rs.get_points()), [
            {"time": "2024-01-01T00:00:00Z", "battery": 81.5, "status": 1, "charging": False, "mode": "idle"},
            {"time": "2024-01-01T00:00:10.5Z", "battery": 80.25, "status": 2, "charging": True,
             "mode": 'say "hi", then go'},
        ], "rows")
    c.run("query with bind_params, get_points (RFC3339 times)", raw_bound)

    def epoch_ns():
        rs = client.query("SELECT battery, fleet FROM robot WHERE battery < $limit", epoch="ns",
                          bind_params={"limit": 70})
        expect(list(rs.get_points()), [{"time": 1704067205000000000, "battery": 60, "fleet": "beta"}], "rows")
    c.run("query epoch='ns' with a numeric bound parameter", epoch_ns)

    def grouped():
        rs = client.query("SELECT mean(battery), count(status) FROM robot GROUP BY device_id")
        expect(list(rs.keys()), [("robot", {"device_id": "robot-0001"}), ("robot", {"device_id": "robot-0002"})],
               "series keys")
        r1 = list(rs.get_points(measurement="robot", tags={"device_id": "robot-0001"}))
        expect(r1, [{"time": "1970-01-01T00:00:00Z", "mean": 80.875, "count": 2}], "robot-0001")
        r2 = list(rs.get_points(tags={"device_id": "robot-0002"}))
        expect(r2, [{"time": "1970-01-01T00:00:00Z", "mean": 60, "count": 1}], "robot-0002")
    c.run("aggregates GROUP BY tag, get_points(tags=...)", grouped)

    def second_precision():
        rs = client.query("SELECT humidity, door FROM env", epoch="s")
        expect(list(rs.get_points()), [{"time": 1704067260, "humidity": 41.5, "door": True},
                                       {"time": 1704067320, "humidity": 43, "door": False}], "rows")
    c.run("points written with time_precision='s' read back with epoch='s'", second_precision)

    def several_statements():
        rss = client.query("SELECT count(battery) FROM robot; SELECT last(humidity) FROM env")
        expect(len(rss), 2, "result sets")
        expect(list(rss[0].get_points())[0]["count"], 3, "count")
        expect(list(rss[1].get_points())[0]["last"], 43, "last")
    c.run("two statements in one query", several_statements)

    def tag_values():
        rs = client.query('SHOW TAG VALUES FROM "robot" WITH KEY = "fleet"')
        expect(list(rs.get_points()), [{"key": "fleet", "value": "alpha"}, {"key": "fleet", "value": "beta"}], "rows")
    c.run("SHOW TAG VALUES", tag_values)

    print(f"python client: {c.passed} passed, {len(c.failed)} failed")
    return c.failed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:8086")
    g.add_argument("--strata", metavar="BIN", help="start this strata binary on a free loopback port")
    g.add_argument("--influxd", nargs="?", const="", metavar="PATH", help="start InfluxDB 1.6 instead")
    args = ap.parse_args()
    try:
        import influxdb  # noqa: F401
    except ImportError:
        print("the Python package influxdb is missing for this python3: run scripts/setup-debian.sh")
        return 2
    tmp = None
    server = None
    try:
        url = args.url
        if not url:
            tmp = tempfile.mkdtemp(prefix="strata-pyclient-")
            if args.strata:
                server = differential.Strata(tmp, os.path.abspath(args.strata))
            else:
                server = differential.InfluxDB(tmp, differential.find_influxd(args.influxd or None))
            server.start()
            url = server.url
        failed = run_checks(url)
        for f in failed:
            print("FAILED: " + f)
        return 1 if failed else 0
    except differential.HarnessError as e:
        print(f"python client test: ERROR: {e}")
        return 2
    finally:
        if server:
            server.stop()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
