#!/usr/bin/env python3
"""The service benchmark (run it through tools/bench-serve, which installs and builds).

Builds a store from data/, serves it with `territory serve` and, in the same run, serves the same
store's GeoPackage (its `slices` table) with pygeoapi's SQLite/GeoPackage provider under gunicorn
with 2 workers. wrk loads each case for --duration seconds from a fixed list of random requests
(seeded): territory's GET /status at random places and days, items at random days, single features,
bbox pages and plain pages; pygeoapi's pages, bbox pages and single features (its provider ignores
datetime, so only those are shared). Prints requests/s, p50 and p99 latency and errors per case, the
ratios on the shared queries, and territory's resident memory at start, after every case and at
the end.
"""
import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

LUA = r'''
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
math.randomseed(math.floor(os.clock() * 1e9) % 2147483647 + tonumber(tostring({}):match("0x(%x+)"), 16) % 1000003)
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  io.write(string.format('BENCH {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"bytes":%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(99), summary.bytes))
end
'''

PYGEOAPI_CONFIG = '''server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  languages: [en-US]
  limits: {{default_items: 10, max_items: 10000}}
  map:
    url: 'https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png'
    attribution: OpenStreetMap
logging:
  level: ERROR
metadata:
  identification:
    title: territory store (pygeoapi peer)
    description: the slices table of a territory store
    keywords: [territory]
    keywords_type: theme
    terms_of_service: https://creativecommons.org/licenses/by/4.0/
    url: http://127.0.0.1
  license: {{name: CC-BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}}
  provider: {{name: territory, url: http://127.0.0.1}}
  contact: {{name: territory, position: none, address: none, city: none, stateorprovince: none, postalcode: none, country: none, phone: none, fax: none, email: none@example.org, url: http://127.0.0.1, hours: none, instructions: none, role: pointOfContact}}
resources:
  slices:
    type: collection
    title: slices
    description: time slices of every facet
    keywords: [slices]
    links: []
    extents:
      spatial: {{bbox: [{bbox}], crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84}}
    providers:
      - type: feature
        name: SQLiteGPKG
        data: {store}
        id_field: fid
        table: slices
'''


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.read()


def wait_for(url, proc, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None:
            sys.exit(f"bench-serve: the server exited ({proc.returncode}) before answering {url}")
        try:
            if get(url)[0] == 200:
                return
        except Exception:
            time.sleep(0.2)
    sys.exit(f"bench-serve: no answer from {url} in {seconds} s")


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def run_wrk(base, paths, connections, duration, work, name):
    pf = os.path.join(work, f"{name}.paths")
    with open(pf, "w") as f:
        f.write("\n".join(paths) + "\n")
    lua = os.path.join(work, "bench.lua")
    with open(lua, "w") as f:
        f.write(LUA)
    threads = min(2, connections)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", lua, base],
                         env={**os.environ, "BENCH_PATHS": pf}, capture_output=True, text=True)
    m = re.search(r"^BENCH (\{.*\})$", out.stdout, re.M)
    if not m:
        sys.exit(f"bench-serve: wrk printed no summary for {name}:\n{out.stdout}\n{out.stderr}")
    r = json.loads(m.group(1))
    # Only answers with a 2xx count as served: a fast error is not throughput.
    r["rps"] = (r["requests"] - r["status"]) / (r["duration_us"] / 1e6)
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return r


def check(base, paths, name, want_type=None):
    """Every case's requests are asked once by hand first: a 200 (and JSON) or the run stops."""
    for p in paths[:25]:
        try:
            status, body = get(base + p)
        except urllib.error.HTTPError as e:
            sys.exit(f"bench-serve: {name}: {p} answered {e.code}: {e.read()[:300]!r}")
        json.loads(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--territory", required=True)
    ap.add_argument("--pygeoapi", required=True, help="the venv holding pygeoapi 0.21.0 and gunicorn")
    ap.add_argument("--duration", type=int, default=30, help="seconds per case (default 30)")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections to territory (default 32)")
    ap.add_argument("--peer-connections", type=int, default=8, help="wrk connections to pygeoapi (default 8)")
    ap.add_argument("--no-peer", action="store_true", help="territory's cases only")
    ap.add_argument("--json", help="also write the figures to this file")
    a = ap.parse_args()
    rng = random.Random(20201110)
    work = tempfile.mkdtemp(prefix="territory-bench-serve-")
    store = os.path.join(work, "nk.gpkg")
    subprocess.run([a.territory, "build", "--store", store], check=True, stdout=subprocess.DEVNULL)

    # territory serve on a free loopback port.
    serve = subprocess.Popen([a.territory, "serve", "--store", store, "--port", "0", "--quiet"],
                             stderr=subprocess.PIPE, text=True)
    line = serve.stderr.readline()
    # Whatever it says later is drained, so that a full pipe never stalls it.
    import threading
    threading.Thread(target=lambda: [None for _ in serve.stderr], daemon=True).start()
    m = re.search(r"serving (http://[^/]+)/", line)
    if not m:
        sys.exit(f"bench-serve: territory serve said: {line!r}")
    base = m.group(1)
    peer = None
    try:
        _, body = get(base + "/collections/control")
        bbox = json.loads(body)["extent"]["spatial"]["bbox"][0]
        interval = json.loads(body)["extent"]["temporal"]["interval"][0]
        first = interval[0][:10]
        _, body = get(base + "/collections/control/items?limit=10000")
        control = json.loads(body)
        ids = [f["id"] for f in control["features"]]
        matched = control["numberMatched"]
        import datetime as dt
        d0 = dt.date.fromisoformat(first)
        d1 = max(d0, dt.date(2024, 12, 31))
        span = (d1 - d0).days

        def day():
            return (d0 + dt.timedelta(days=rng.randrange(span + 1))).isoformat()

        def box():
            w = rng.uniform(0.02, 0.3)
            h = rng.uniform(0.02, 0.3)
            x = rng.uniform(bbox[0], bbox[2] - w)
            y = rng.uniform(bbox[1], bbox[3] - h)
            return f"{x:.4f},{y:.4f},{x + w:.4f},{y + h:.4f}"

        n = 20000
        # The shared queries ask both servers the same boxes and offsets.
        boxes = [box() for _ in range(n)]
        offsets = [rng.randrange(matched) for _ in range(n)]
        cases = {
            "status": [f"/status?lon={rng.uniform(bbox[0], bbox[2]):.5f}&lat={rng.uniform(bbox[1], bbox[3]):.5f}&date={day()}" for _ in range(n)],
            "items at a day": [f"/collections/control/items?datetime={day()}" for _ in range(n)],
            "pages": [f"/collections/control/items?limit=10&offset={o}" for o in offsets],
            "bbox pages": [f"/collections/control/items?bbox={b}&limit=10" for b in boxes],
            "single features": [f"/collections/control/items/{rng.choice(ids)}" for _ in range(n)],
        }
        for name, paths in cases.items():
            check(base, paths, "territory " + name)
        pid = [serve.pid]
        memory = [("start", rss_kib(pid))]
        results = {}
        for name, paths in cases.items():
            print(f"bench-serve: territory {name}, {a.connections} connections, {a.duration} s", file=sys.stderr)
            results[("territory", name)] = run_wrk(base, paths, a.connections, a.duration, work, "t-" + name.replace(" ", "-"))
            memory.append((name, rss_kib(pid)))

        if not a.no_peer:
            import shutil
            import sqlite3
            # pygeoapi's provider writes to the file it serves (spatialite's AutoGPKGStart makes
            # its virtual tables on every request): it gets a copy of its own.
            peer_store = os.path.join(work, "pygeoapi.gpkg")
            shutil.copyfile(store, peer_store)
            con = sqlite3.connect(peer_store)
            fids = [r[0] for r in con.execute("SELECT fid FROM slices WHERE facet = 'control' ORDER BY fid")]
            con.close()
            port = free_port()
            config = os.path.join(work, "pygeoapi.yml")
            with open(config, "w") as f:
                f.write(PYGEOAPI_CONFIG.format(port=port, store=peer_store, bbox=", ".join(str(v) for v in bbox)))
            openapi = os.path.join(work, "pygeoapi-openapi.yml")
            env = {**os.environ, "PYGEOAPI_CONFIG": config, "PYGEOAPI_OPENAPI": openapi}
            subprocess.run([os.path.join(a.pygeoapi, "bin", "pygeoapi"), "openapi", "generate", config, "--output-file", openapi],
                           check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            peer_log_path = os.path.join(work, "pygeoapi.log")
            peer_log = open(peer_log_path, "w")
            peer = subprocess.Popen([os.path.join(a.pygeoapi, "bin", "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                                     "--log-level", "error", "pygeoapi.flask_app:APP"], env=env, stdout=peer_log, stderr=peer_log)
            pbase = f"http://127.0.0.1:{port}"
            wait_for(pbase + "/collections/slices/items?f=json&limit=1", peer)
            peer_cases = {
                "pages": [f"/collections/slices/items?f=json&facet=control&limit=10&offset={o}" for o in offsets],
                "bbox pages": [f"/collections/slices/items?f=json&facet=control&bbox={b}&limit=10" for b in boxes],
                "single features": [f"/collections/slices/items/{rng.choice(fids)}?f=json" for _ in range(n)],
            }
            for name, paths in peer_cases.items():
                check(pbase, paths, "pygeoapi " + name)
            peer_memory_start = rss_kib([peer.pid] + children(peer.pid))
            for name, paths in peer_cases.items():
                print(f"bench-serve: pygeoapi {name}, {a.peer_connections} connections, {a.duration} s", file=sys.stderr)
                results[("pygeoapi", name)] = run_wrk(pbase, paths, a.peer_connections, a.duration, work, "p-" + name.replace(" ", "-"))
            peer_memory_end = rss_kib([peer.pid] + children(peer.pid))
        memory.append(("end", rss_kib(pid)))
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
        if peer:
            peer.send_signal(signal.SIGTERM)
            peer.wait(timeout=30)

    print(f"\nterritory serve ({a.connections} connections) and pygeoapi 0.21.0 under gunicorn -w 2 ({a.peer_connections} connections), "
          f"wrk {a.duration} s per case, loopback, {os.cpu_count()} cores shared")
    print(f"{'server':10} {'case':16} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'requests':>9}")
    for (server, name), r in results.items():
        print(f"{server:10} {name:16} {r['rps']:11,.0f} {r['p50_us'] / 1000:8.2f} {r['p99_us'] / 1000:8.2f} {r['errors']:7d} {r['requests']:9,d}")
    ratios = {}
    if not a.no_peer:
        print(f"\nthroughput ratio on the shared queries (territory / pygeoapi; 2xx answers per second; same requests, "
              f"{a.connections} and {a.peer_connections} connections):")
        for name in ("pages", "bbox pages", "single features"):
            t, p = results[("territory", name)], results[("pygeoapi", name)]
            ratios[name] = t["rps"] / p["rps"] if p["rps"] else float("inf")
            print(f"  {name:16} {ratios[name]:8.1f}x   (pygeoapi errors: {p['errors']}, territory errors: {t['errors']})")
        with open(peer_log_path) as f:
            exceptions = sum(1 for line in f if " ERROR - " in line)
        print(f"pygeoapi logged {exceptions} errors (the log: {peer_log_path})")
        print(f"pygeoapi resident memory (master and workers): {peer_memory_start / 1024:.1f} MiB at start, {peer_memory_end / 1024:.1f} MiB at end")
    print("territory resident memory: " + ", ".join(f"{k} {v / 1024:.1f} MiB" for k, v in memory))
    s = results[("territory", "status")]
    print(f"\ntargets: GET /status >= 20,000 requests/s with p99 <= 5 ms: {s['rps']:,.0f} requests/s, p99 {s['p99_us'] / 1000:.2f} ms"
          f" -> {'met' if s['rps'] >= 20000 and s['p99_us'] <= 5000 else 'NOT met'}")
    if ratios:
        ok = all(v >= 100 for v in ratios.values()) and all(results[("territory", k)]["errors"] == 0 for k in ratios)
        print(f"         >= 100x pygeoapi on every shared query with zero errors: {'met' if ok else 'NOT met'}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"results": [{"server": k[0], "case": k[1], **v} for k, v in results.items()],
                       "ratios": ratios, "memory_kib": memory}, f, indent=1)


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


if __name__ == "__main__":
    main()
