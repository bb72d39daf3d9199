#!/usr/bin/env python3
"""Runs territory and both peers (geopandas, DuckDB spatial) on the same dated points and layers.

Prints both throughputs (whole runs, start-up included, timed from outside), their ratio, how
far they agree on control point by point (and why they differ where they do), the latency of one
`territory status` query with the store present, and, with --memory, the peak memory of
classifying ten million points.
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def timed(cmd, **kw):
    t = time.perf_counter()
    run(cmd, **kw)
    return time.perf_counter() - t


def peak_memory_kb(cmd):
    """Peak resident memory of a command, from /usr/bin/time or getrusage."""
    if os.path.exists("/usr/bin/time"):
        out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, check=True, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        return int(out.stderr.strip().splitlines()[-1])
    import resource
    run(cmd, stdout=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--territory", required=True)
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--work", default=os.environ.get("BENCH_DIR", "/tmp/territory-bench"))
    p.add_argument("--memory", action="store_true", help="also classify 10,000,000 points and report peak memory")
    p.add_argument("--postgis", action="store_true",
                   help="instead: the points loaded into PostGIS with COPY and classified by territory.classify, beside status --csv")
    a = p.parse_args()
    if not (SHARED / "peer_geopandas.py").exists():
        sys.exit(f"tools/bench: {SHARED} is missing: the peer benchmark lives there")
    t = str(Path(a.territory).resolve())
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    store = work / "store.gpkg"
    points = work / f"points-{a.n}.csv"
    if not points.exists():
        print(f"generating {a.n} points", file=sys.stderr)
        run([sys.executable, str(SHARED / "make_points.py"), "--n", str(a.n), "--out", str(points)])
    data = ["--data", str(ROOT / "data"), "--store", str(store)]
    run([t, "build"] + data, stdout=subprocess.DEVNULL)
    if a.postgis:
        return postgis(t, data, points, work, a.n)
    layers = work / "control-all-slices.geojson"
    run([t, "layers", "--all", "--facet", "control", "--out", str(layers)] + data)

    ours_csv = work / "territory.csv"
    control_csv = work / "territory-control.csv"
    peers = [("geopandas", SHARED / "peer_geopandas.py", work / "peer-geopandas.csv"),
             ("duckdb", SHARED / "peer_duckdb.py", work / "peer-duckdb.csv")]
    ours, only_control, floor = [], [], []
    times = {name: [] for name, _, _ in peers}
    for _ in range(3):  # best of three for each, alternating, in the same run
        ours.append(timed([t, "status", "--csv", str(points), "--out", str(ours_csv)] + data))
        only_control.append(timed([t, "status", "--csv", str(points), "--columns", "control", "--out", str(control_csv)] + data))
        # The floor: the same reading and parsing, nothing classified or written (--check).
        floor.append(timed([t, "status", "--csv", str(points), "--check"] + data, stderr=subprocess.DEVNULL))
        for name, script, out in peers:
            times[name].append(timed([sys.executable, str(script), str(layers), str(points), "--value", "holder", "--out", str(out)], stdout=subprocess.DEVNULL))
    t_ours = min(ours)
    print(f"territory:        {a.n} points, {t_ours:.3f} s, {a.n / t_ours:,.0f} points/s, every facet and the zones (best of 3: {', '.join(f'{x:.3f}' for x in ours)} s)")
    t_control = min(only_control)
    print(f"territory control: {a.n} points, {t_control:.3f} s, {a.n / t_control:,.0f} points/s, --columns control (best of 3: {', '.join(f'{x:.3f}' for x in only_control)} s)")
    t_floor = min(floor)
    print(f"floor:            {a.n} points read and parsed, nothing classified or written (--check): {t_floor:.3f} s; "
          f"a full run takes {t_ours / t_floor:.1f}x the floor (best of 3: {', '.join(f'{x:.3f}' for x in floor)} s)")
    for name, _, _ in peers:
        t_peer = min(times[name])
        print(f"peer {name + ':':12} {a.n} points, {t_peer:.3f} s, {a.n / t_peer:,.0f} points/s (best of 3: {', '.join(f'{x:.3f}' for x in times[name])} s)")
    for name, _, _ in peers:
        t_peer = min(times[name])
        print(f"ratio {name + ':':11} {t_peer / t_ours:.1f}x the peer's end-to-end throughput (every facet); {t_peer / t_control:.1f}x with --columns control")

    # Agreement on control, point by point, with each peer (the peers write rows in id order).
    with open(points) as f:
        order = [row[0] for row in csv.reader(f)][1:]
    with open(ours_csv) as f:
        r = csv.reader(f)
        next(r)
        mine = {row[0]: row[1] for row in r}
    for name, _, out in peers:
        with open(out) as f:
            r = csv.reader(f)
            next(r)
            theirs = {row[0]: row[1] for row in r}
        differing = [pid for pid in order if mine.get(pid, "") != theirs.get(pid, "")]
        n = len(order)
        print(f"agreement {name + ':':7} {n - len(differing)}/{n} points on control ({100 * (n - len(differing)) / n:.4f} %)")
        if differing:
            with open(points) as f:
                wanted = set(differing[:10])
                where = {row[0]: row for row in csv.reader(f) if row[0] in wanted}
            for pid in differing[:10]:
                row = where.get(pid, [pid, "?", "?", "?"])
                print(f"  differs: point {pid} ({row[1]}, {row[2]}, {row[3]}): territory {mine.get(pid) or 'none'}, {name} {theirs.get(pid) or 'none'}"
                      " (a point on a shared edge: territory counts edges as inside, the peer's 'within' does not)")

    # One status query, process start to answer, with the store present.
    lat = []
    for _ in range(21):
        lat.append(timed([t, "status", "--lon", "46.5469", "--lat", "39.6408", "--date", "2020-12-01"] + data, stdout=subprocess.DEVNULL))
    print(f"status query:   median {1000 * statistics.median(lat):.1f} ms, best {1000 * min(lat):.1f} ms over {len(lat)} runs (process start to answer)")

    if a.memory:
        big = work / "points-10000000.csv"
        if not big.exists():
            print("generating 10,000,000 points", file=sys.stderr)
            run([sys.executable, str(SHARED / "make_points.py"), "--n", "10000000", "--out", str(big)])
        kb = peak_memory_kb([t, "status", "--csv", str(big), "--out", str(work / "territory-10m.csv")] + data)
        print(f"memory:         10,000,000 points classified in {kb / 1024:.0f} MB peak resident memory")


PG = Path("/usr/lib/postgresql/15/bin")


def as_server(cmd):
    """A PostgreSQL server tool, as the postgres user when we are root (the server refuses root)."""
    if os.getuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    return subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def postgis(t, data, points, work, n):
    """COPY the points into a throwaway cluster, classify them in one SQL join, compare with status --csv."""
    import shutil
    import tempfile
    if not (PG / "initdb").exists():
        sys.exit("tools/bench --postgis: PostgreSQL 15 is not installed (tools/deps installs it)")
    folder = Path(tempfile.mkdtemp(prefix="territory-bench-pg-"))
    os.chmod(folder, 0o755)
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    pgdata = folder / "data"
    as_server([str(PG / "initdb"), "-D", str(pgdata), "-A", "trust", "-U", "postgres", "-E", "UTF8"])
    as_server([str(PG / "pg_ctl"), "-D", str(pgdata), "-o", f"-k {folder} -c listen_addresses='' -c shared_buffers=1GB -c work_mem=256MB",
               "-l", str(folder / "log"), "-w", "start"])
    psql = [str(PG / "psql"), "-h", str(folder), "-U", "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At"]
    try:
        script = work / "territory.sql"
        run([t, "export", "--postgis", "--out", str(script)] + data)
        run(psql + ["-f", str(script)], stdout=subprocess.DEVNULL)
        cols = "covered,control,sovereignty,administration,presence,access,zones,statements"
        ours_csv, sql_csv = work / "territory-all.csv", work / "postgis.csv"
        t_ours = min(timed([t, "status", "--csv", str(points), "--columns", cols, "--out", str(ours_csv)] + data) for _ in range(3))
        load_and_classify = f"""
            DROP TABLE IF EXISTS events, answers;
            CREATE TABLE events (id text, lon double precision, lat double precision, day date);
            \\copy events FROM '{points}' CSV HEADER
            CREATE TABLE answers AS SELECT * FROM territory.classify('events');
        """
        t0 = time.perf_counter()
        run(psql, input=load_and_classify.encode(), stdout=subprocess.DEVNULL)
        t_sql = time.perf_counter() - t0
        with open(sql_csv, "wb") as f:
            run(psql + ["-c", "COPY (SELECT id, covered, control, sovereignty, administration, nullif(array_to_string(presence, ';'), ''),"
                              " access, nullif(array_to_string(zones, ';'), ''), nullif(array_to_string(statements, ';'), '')"
                              " FROM answers) TO STDOUT WITH CSV"], stdout=f)
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--"] * (os.getuid() == 0) + [str(PG / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"territory:      {n} points, {t_ours:.3f} s, {n / t_ours:,.0f} points/s (status --csv, every column, best of 3)")
    print(f"PostGIS:        {n} points, {t_sql:.3f} s, {n / t_sql:,.0f} points/s (COPY into a table, then territory.classify into a table)")
    print(f"ratio:          {t_sql / t_ours:.1f}x: territory status --csv against the SQL join, end to end")
    with open(ours_csv) as f1, open(sql_csv) as f2:
        r1, r2 = csv.reader(f1), csv.reader(f2)
        next(r1)
        ours_rows, sql_rows = list(r1), list(r2)
        agree = 0
        for x, y in zip(ours_rows, sql_rows):
            y[1] = {"t": "true", "f": "false"}.get(y[1], y[1])
            agree += x == y
    n = max(len(ours_rows), len(sql_rows))
    print(f"agreement:      {agree}/{n} rows identical on every column ({100 * agree / max(n, 1):.4f} %)"
          + (f"; row counts differ: territory {len(ours_rows)}, PostGIS {len(sql_rows)}" if len(ours_rows) != len(sql_rows) else ""))


if __name__ == "__main__":
    main()
