#!/usr/bin/env python3
"""Runs territory and the geopandas peer on the same dated points and the same layers.

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

    ours_csv, peer_csv = work / "territory.csv", work / "peer.csv"
    ours, peer = [], []
    for _ in range(3):  # best of three for each, alternating, in the same run
        ours.append(timed([t, "status", "--csv", str(points), "--out", str(ours_csv)] + data))
        peer.append(timed([sys.executable, str(SHARED / "peer_geopandas.py"), str(layers), str(points), "--value", "holder", "--out", str(peer_csv)], stdout=subprocess.DEVNULL))
    t_ours, t_peer = min(ours), min(peer)
    print(f"territory:      {a.n} points, {t_ours:.3f} s, {a.n / t_ours:,.0f} points/s (best of {ours and len(ours)}: {', '.join(f'{x:.3f}' for x in ours)} s)")
    print(f"peer geopandas: {a.n} points, {t_peer:.3f} s, {a.n / t_peer:,.0f} points/s (best of {len(peer)}: {', '.join(f'{x:.3f}' for x in peer)} s)")
    print(f"ratio:          {t_peer / t_ours:.1f}x the peer's end-to-end throughput")

    # Agreement on control, point by point.
    with open(ours_csv) as f1, open(peer_csv) as f2:
        r1, r2 = csv.reader(f1), csv.reader(f2)
        next(r1), next(r2)
        n = agree = 0
        differing = []
        for x, y in zip(r1, r2):
            n += 1
            if x[0] != y[0]:
                sys.exit(f"row {n}: ids differ ({x[0]} vs {y[0]}): output order is broken")
            if x[1] == y[1]:
                agree += 1
            elif len(differing) < 10:
                differing.append((x[0], x[1], y[1]))
    print(f"agreement:      {agree}/{n} points on control ({100 * agree / n:.4f} %)")
    if differing:
        with open(points) as f:
            wanted = {d[0] for d in differing}
            where = {row[0]: row for row in csv.reader(f) if row[0] in wanted}
        for pid, mine, theirs in differing:
            row = where.get(pid, [pid, "?", "?", "?"])
            print(f"  differs: point {pid} ({row[1]}, {row[2]}, {row[3]}): territory {mine or 'none'}, peer {theirs or 'none'}"
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
        rows = agree = 0
        for x, y in zip(r1, r2):
            rows += 1
            y[1] = {"t": "true", "f": "false"}.get(y[1], y[1])
            agree += x == y
    print(f"agreement:      {agree}/{rows} rows identical on every column ({100 * agree / max(rows, 1):.4f} %)")


if __name__ == "__main__":
    main()
