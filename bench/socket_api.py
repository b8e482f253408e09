"""The socket-API part of bench/run: ping and durable saves measured by clients that are not
braind (issue 19), and the three ratios of the save path against its floor.

- h2load (Debian nghttp2-client: C, one thread) measures ping, the floor of any request.
- bench/loadgen.c (C, one thread, epoll, like h2load) measures saves: h2load walks its URI list
  from the start on every connection, so it cannot give each of 64 connections' requests its own
  owner, and a save to an owner and slug already written is `unchanged` (writes nothing). loadgen
  also measures ping, so the two clients can be compared on the same requests, and records every
  request's latency (h2load reports no percentiles).
- fdatasync is timed on the database's own filesystem: one 4 KiB page written over, then synced.
- bench/sqlite_floor.c runs a save's own SQL on libsqlite3 from C, on a copy of the SQLite store
  just measured: what that transaction costs with no server at all, and so the best ratios any
  server on this schema and durability could reach on this machine.
"""
import json, os, re, shutil, subprocess, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_h2load():
    if subprocess.run(["dpkg", "-s", "nghttp2-client"], capture_output=True).returncode != 0 or not shutil.which("h2load"):
        print("installing nghttp2-client (h2load)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "nghttp2-client"], check=False)
        if not shutil.which("h2load"):
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "nghttp2-client"], check=True)
    return subprocess.run(["h2load", "--version"], capture_output=True, text=True).stdout.strip()


def build_loadgen(work):
    binary = os.path.join(work, "loadgen")
    if os.path.exists(binary):  # built for the first store already
        return binary
    subprocess.run(["gcc", "-O2", "-Wall", "-o", binary, os.path.join(ROOT, "bench", "loadgen.c")], check=True)
    return binary


def build_sqlite_floor(work):
    binary = os.path.join(work, "sqlite_floor")
    subprocess.run(["gcc", "-O2", "-Wall", "-o", binary, os.path.join(ROOT, "bench", "sqlite_floor.c"), "-lsqlite3"], check=True)
    return binary


def sqlite_floor(work, store, quick, rut_base):
    """The save's transaction alone (bench/sqlite_floor.c) on a copy of `store`, a closed braind
    SQLite file: one save per transaction, then 64 per transaction (group commit's best case)."""
    binary = build_sqlite_floor(work)
    copy = os.path.join(work, "floor.sqlite")
    for suffix in ("", "-wal"):
        if os.path.exists(store + suffix): shutil.copyfile(store + suffix, copy + suffix)
    # The saves just measured left tens of MB to write back; the floor's syncs should not queue behind them.
    os.sync()
    try:
        runs = []
        for transactions, per in ((1000, 1), (40, 64)) if quick else ((3000, 1), (100, 64)):
            warmup = transactions // 5
            out = subprocess.run([binary, copy, str(transactions), str(per), str(rut_base), str(warmup)],
                                 capture_output=True, text=True, check=True).stdout
            runs.append(json.loads(out))
            rut_base += (warmup + transactions) * per
        return runs
    finally:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(copy + suffix): os.unlink(copy + suffix)


def fdatasync_samples(directory, rounds=200):
    """Times (ms) of one 4 KiB overwrite plus fdatasync in `directory`, one per round."""
    path = os.path.join(directory, "fdatasync.probe")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        page = os.urandom(4096)
        os.pwrite(fd, page * 16, 0)
        os.fsync(fd)
        times = []
        for i in range(rounds):
            os.pwrite(fd, page, (i % 16) * 4096)
            started = time.perf_counter()
            os.fdatasync(fd)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    return times


def load():
    """Load averages and the busiest other processes, reported with every figure."""
    one, five, fifteen = open("/proc/loadavg").read().split()[:3]
    top = subprocess.run(["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"], capture_output=True, text=True).stdout
    busy = [l.strip() for l in top.splitlines()[:4] if float(l.split()[0]) >= 5.0]
    return {"load": f"{one} {five} {fifteen}", "busy": busy}


def ld(r):
    """The load read before a figure, as its row shows it."""
    return f"load {r['load']}" + (f"; busy: {', '.join(r['busy'])}" if r["busy"] else "")


def cpu_seconds(pid):
    """User plus system CPU the process has used, in seconds."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def per_request_cpu(pid, run):
    """Runs `run` (a client with a 1 s warm-up) and adds braind's CPU per request in us: CPU over
    warm-up and window, spread over the requests the window's rate implies for both."""
    before = cpu_seconds(pid)
    result = run()
    used = cpu_seconds(pid) - before
    seconds = result.get("seconds") or result["window"]
    result["cpu_us"] = used / (result["rate"] * (seconds + 1)) * 1e6
    result["cores"] = used / (seconds + 1)
    return result


def affinity(pid):
    out = subprocess.run(["taskset", "-cp", str(pid)], capture_output=True, text=True).stdout
    return out.rsplit(":", 1)[-1].strip()


def h2load(sock, conns, seconds, pin):
    """h2load GETs /v1/ping; returns rate, mean request time in ms and the load before it."""
    before = load()
    out = subprocess.run(
        pin + ["h2load", "--h1", "-B", f"unix:{sock}", "-c", str(conns), "-D", str(seconds), "--warm-up-time=1",
               "http://localhost/v1/ping"], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", out).group(1))
    mean = re.search(r"time for request:\s+\S+\s+\S+\s+(\S+)", out).group(1)
    # Every answer a 2xx and no request failed. Not "2xx == done": at the end of the window h2load
    # can count a request done whose status it never tallied (seen: 1860 done, 1859 2xx, 0 other).
    other = sum(map(int, re.search(r"status codes: \d+ 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out).groups()))
    failed = sum(map(int, re.search(r"(\d+) failed, (\d+) errored, (\d+) timeout", out).groups()))
    assert other == 0 and failed == 0, f"h2load: {other} non-2xx, {failed} failed, errored or timed out\n{out}"
    return {"rate": rate, "mean_ms": to_ms(mean), "window": seconds, **before}


def to_ms(text):
    value = float(re.match(r"[\d.]+", text).group(0))
    return value / 1000 if text.endswith("us") else value * 1000 if text.endswith("s") and not text.endswith("ms") else value


def loadgen(binary, sock, mode, conns, seconds, pin, rut_base, log=None):
    before = load()
    args = pin + [binary, sock, mode, str(conns), str(seconds), "1", str(rut_base)] + ([log] if log else [])
    result = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    assert result["non2xx"] == 0 and result["errors"] == 0, f"loadgen {mode}: {result}"
    return {**result, **before}


def measure(rel, work, quick, row, start_daemon, db=None, label="api"):
    """Runs the socket-API measurements against one braind and adds their rows.
    db: braind's --db, an empty store (default: an SQLite file in work); label names its socket."""
    version = ensure_h2load()
    binary = build_loadgen(work)
    seconds = 3 if quick else 8
    sock = os.path.join(work, f"{label}.sock")
    db = db or os.path.join(work, f"{label}.sqlite")
    daemon = start_daemon(sock, db)
    # Two cores: the one-threaded client gets core 1 to itself only if braind stays off it, which
    # would halve braind. So braind keeps both cores, the client is pinned to core 1, and both
    # affinities are printed; each rate is a lower bound for braind alone.
    pin = ["taskset", "-c", "1"] if os.cpu_count() and os.cpu_count() > 1 else []
    try:
        rut = [10_000_000]

        def saves(mode, conns, log=None):
            result = per_request_cpu(daemon.pid, lambda: loadgen(binary, sock, mode, conns, seconds, pin, rut[0], log))
            rut[0] = result["next_rut"]
            return result

        # The one-connection floor's three inputs back to back, fdatasync on both sides of the
        # saves, so a disk shared with other work weighs on the floor as it does on the saves.
        syncs = fdatasync_samples(work)
        ping1 = per_request_cpu(daemon.pid, lambda: h2load(sock, 1, seconds, pin))
        save1 = saves("save", 1)
        syncs += fdatasync_samples(work)
        ping64 = per_request_cpu(daemon.pid, lambda: h2load(sock, 64, seconds, pin))
        lg_ping64 = loadgen(binary, sock, "ping", 64, seconds, pin, 0)
        save8 = saves("save", 8)
        save64 = saves("save", 64, os.path.join(work, "save64.latency"))
        batch = saves("batch", 4)
        cores = f"braind on cores {affinity(daemon.pid)}, clients on {pin[2] if pin else 'any'}"
    finally:
        daemon.send_signal(15)
        daemon.wait()
    # SQLite only: braind has closed the file, so the copy is whole.
    transaction = None if "://" in db else sqlite_floor(work, db, quick, rut[0])

    row("clients", f"{version} (ping); bench/loadgen.c (saves, latencies); {cores}")
    syncs.sort()
    sync_mean, sync_median = sum(syncs) / len(syncs), syncs[len(syncs) // 2]
    row("fdatasync, 4 KiB page, database's filesystem", f"mean {sync_mean:.3f} ms, median {sync_median:.3f} ms, p99 {syncs[int(len(syncs) * 0.99)]:.3f} ms ({len(syncs)} syncs)")
    row("ping, 1 connection (h2load)", f"{ping1['rate']:.0f} req/s, mean {ping1['mean_ms']:.3f} ms, {cpu(ping1)} ({ld(ping1)})")
    row("ping, 64 connections (h2load)", f"{ping64['rate']:.0f} req/s, mean {ping64['mean_ms']:.3f} ms, {cpu(ping64)} ({ld(ping64)})")
    row("ping, 64 connections (loadgen)", f"{lg_ping64['rate']:.0f} req/s, p99 {lg_ping64['p99_ms']:.2f} ms ({ld(lg_ping64)})")
    for name, r in (("1 connection", save1), ("8 connections", save8), ("64 connections", save64)):
        row(f"durable saves, {name}, each to a new owner",
            f"{r['rate']:.0f} req/s, mean {r['mean_ms']:.3f} ms, p99 {r['p99_ms']:.2f} ms, p99.9 {r['p999_ms']:.2f} ms, {cpu(r)} ({ld(r)})")
    row("batch saves (100 rows each, new owner), 4 connections", f"{100 * batch['rate']:.0f} rows/s ({ld(batch)})")

    # The three ratios of issue 19, each with its inputs.
    ratio = save64["rate"] / ping64["rate"]
    ratio_lg = save64["rate"] / lg_ping64["rate"]
    worst = min(ratio, ratio_lg)
    row("ratio 1: saves at 64 connections / ping at 64 connections",
        f"{100 * ratio:.0f}% of h2load's ping ({save64['rate']:.0f} / {ping64['rate']:.0f}), "
        f"{100 * ratio_lg:.0f}% of loadgen's ping ({lg_ping64['rate']:.0f})", "≥ 75%", "yes" if worst >= 0.75 else "no")
    # Judged with the median fdatasync: on a disk shared with other builds the mean carries their
    # stalls (one run: mean 0.93 ms, median 0.05 ms), which would excuse a slow save.
    floor = ping1["mean_ms"] + sync_median
    row("ratio 2: one connection, mean save / (mean ping + median fdatasync)",
        f"{save1['mean_ms'] / floor:.2f} × ({save1['mean_ms']:.3f} ms / ({ping1['mean_ms']:.3f} + {sync_median:.3f} ms)); "
        f"with the mean fdatasync {save1['mean_ms'] / (ping1['mean_ms'] + sync_mean):.2f} ×",
        "≤ 2 ×", "yes" if save1["mean_ms"] <= 2 * floor else "no")
    row("ratio 3: p99 of saves at 64 connections (loadgen, every request's latency)",
        f"{save64['p99_ms']:.2f} ms over {save64['requests']} requests", "≤ 5 ms", "yes" if save64["p99_ms"] <= 5 else "no")
    if transaction:
        floor_rows(row, transaction, ping1, ping64, sync_median)


def floor_rows(row, transaction, ping1, ping64, sync_median):
    """The transaction's own cost, and the ratios a server adding nothing to ping and to that
    transaction would reach: what this schema and synchronous=FULL allow on this machine."""
    one, grouped = transaction
    row("the save's transaction alone: libsqlite3 from C (bench/sqlite_floor.c), same SQL and pragmas, no braind",
        f"1 save per transaction: {one['wall_us_per_save']:.0f} us wall, {one['cpu_us_per_save']:.0f} us CPU; "
        f"{grouped['saves_per_transaction']} per transaction: {grouped['wall_us_per_save']:.0f} us wall, "
        f"{grouped['cpu_us_per_save']:.0f} us CPU per save (a copy of the store above)")
    # Ratio 1 is CPU-bound (braind keeps ~1.6 of the 2 cores on ping and on saves alike): a save
    # costs at least ping's CPU plus its share of a 64-save transaction.
    best1 = ping64["cpu_us"] / (ping64["cpu_us"] + grouped["cpu_us_per_save"])
    # Ratio 2 is serial: one request at a time, so at least ping's round trip plus the transaction.
    best2 = (ping1["mean_ms"] + one["wall_us_per_save"] / 1000) / (ping1["mean_ms"] + sync_median)
    # Ratio 3 by Little's law: 64 requests always in flight at the best rate.
    best_mean = 64 / (ping64["rate"] * best1) * 1000
    row("the best ratios a server could reach: ping plus that transaction, nothing else",
        f"ratio 1 ≤ {100 * best1:.0f}% ({ping64['cpu_us']:.0f} us of ping CPU + {grouped['cpu_us_per_save']:.0f}); "
        f"ratio 2 ≥ {best2:.2f} × (({ping1['mean_ms']:.3f} + {one['wall_us_per_save'] / 1000:.3f} ms) / "
        f"({ping1['mean_ms']:.3f} + {sync_median:.3f} ms)); ratio 3: mean ≥ {best_mean:.1f} ms at 64 connections "
        f"(≤ {ping64['rate'] * best1:.0f} saves/s), p99 above it. Targets within reach: "
        + ", ".join(f"ratio {n} {'yes' if ok else 'no'}" for n, ok in ((1, best1 >= 0.75), (2, best2 <= 2), (3, best_mean <= 5))))


def cpu(r):
    """braind's CPU during a figure: cores busy and CPU per request (all its threads)."""
    return f"braind {r['cores']:.2f} cores, {r['cpu_us']:.0f} us CPU/request"


def percentiles(latencies_ms):
    """p50, p99 and max of a list of latencies, picked as loadgen picks them."""
    ordered = sorted(latencies_ms)
    if not ordered:
        return {"requests": 0, "p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    pick = lambda p: ordered[int((len(ordered) - 1) * p)]
    return {"requests": len(ordered), "p50_ms": pick(0.50), "p99_ms": pick(0.99), "max_ms": ordered[-1]}


def saves_around(binary, sock, conns, pin, rut_base, work, lead, action, tail=1.0):
    """Durable saves (each to a new owner) on `conns` connections from `lead` seconds before
    action() until `tail` seconds after it returns; one loadgen run, split by its latency log.
    Returns the saves in flight at any moment of action() ("during"), those that ended in as many
    seconds just before it ("baseline": the same load, no action), those that started in the tail
    ("after"), action()'s seconds and result, and loadgen's summary with the load before it."""
    log = os.path.join(work, "around.latency")
    before = load()
    launched = time.monotonic_ns()
    # 600 s only bounds the run: it is stopped once the tail is over.
    loadgen_run = subprocess.Popen(pin + [binary, sock, "save", str(conns), "600", "1", str(rut_base), log],
                                   stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1 + lead)  # loadgen's 1 s warm-up, then the baseline
        started = time.monotonic_ns()
        outcome = action()
        ended = time.monotonic_ns()
        time.sleep(tail)
    finally:
        loadgen_run.send_signal(15)
        summary = json.loads(loadgen_run.communicate(timeout=60)[0])
    assert summary["non2xx"] == 0 and summary["errors"] == 0, f"loadgen save: {summary}"
    requests = []  # (start ns, end ns)
    with open(log) as f:
        for line in f:
            end, latency_us = map(int, line.split())
            requests.append((end - latency_us * 1000, end))
    os.unlink(log)
    span = ended - started
    ms = lambda start, end: (end - start) / 1e6
    during = [ms(s, e) for s, e in requests if s < ended and e > started]
    baseline = [ms(s, e) for s, e in requests if started - span <= e <= started]
    after = [ms(s, e) for s, e in requests if s >= ended]
    # The baseline is shorter than action() only if `lead` was.
    baseline_seconds = min(span, started - launched - 1e9) / 1e9
    return {"seconds": span / 1e9, "baseline_seconds": baseline_seconds, "outcome": outcome, "during": percentiles(during),
            "baseline": percentiles(baseline), "after": percentiles(after), "summary": {**summary, **before}}
