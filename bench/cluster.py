"""The cluster part of bench/run (issue 14): several braind daemons on one PostgreSQL database.

- Push throughput of 1, 2 and 3 daemons against fake-mem0 at 20 ms latency (adds answered
  synchronously, so one call per row), first with the same total Mem0 concurrency split over the
  daemons, then with each daemon at the full concurrency (scaled). The rows are written by SQL in
  one INSERT, as another program would: the triggers queue them and notify every daemon. The
  bound is total concurrency / latency; the rate is rows / time until fake-mem0 holds them all.
- The time from a SQL INSERT of one row to fake-mem0 holding its memory, 20 times, with the sync
  interval at 10 minutes so that only the database's notification can wake the push worker.
- `brain load companies` of 3,000 companies (about 13,600 memories) with 1, 2 and 3 daemons on the
  database (offline: the load is what is timed), each on a fresh database; the job is shared by
  every daemon (schema 0007), so this shows what spreading it buys on this machine.

`measure(rel, work, quick, row, admin_url)` needs a PostgreSQL URL whose role may create databases
owned by braind_owner (scripts/with-postgres gives one).
"""
import json, os, subprocess, time, urllib.request
from urllib.parse import urlsplit, urlunsplit

LATENCY_MS = 20


def psql(url, sql):
    subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True, capture_output=True, text=True)


def database(admin_url, name):
    """A new empty database on the admin URL's server, and its URL."""
    psql(admin_url, f"DROP DATABASE IF EXISTS {name}")
    psql(admin_url, f"CREATE DATABASE {name} OWNER braind_owner")
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def start_fake(rel):
    fake = subprocess.Popen([f"{rel}/fake-mem0", "--port", "0", "--any-key", "--latency-ms", str(LATENCY_MS), "--add-mode", "sync",
                             "--log-level", "error"], stdout=subprocess.PIPE, text=True)
    line = fake.stdout.readline()
    return fake, line.rsplit(" ", 1)[-1].strip().rstrip("/")


def fake_count(base):
    with urllib.request.urlopen(base + "/_control/state", timeout=5) as answer:
        return json.load(answer)["memory_count"]


def fake_reset(base):
    urllib.request.urlopen(urllib.request.Request(base + "/_control/reset", method="POST"), timeout=5).read()


def start_daemons(rel, work, url, base, count, concurrency, interval=1):
    config = os.path.join(work, f"cluster-{count}-{concurrency}.toml")
    with open(config, "w") as f:
        f.write(f"[sync]\nconcurrency = {concurrency}\ninterval_seconds = {interval}\n\n[reconcile]\ninterval_seconds = 0\n")
    env = {**os.environ, "MEM0_API_KEY": "bench-key", "MEM0_BASE_URL": base}
    daemons = []
    for n in range(count):
        sock = os.path.join(work, f"c{count}-{concurrency}-{n}.sock")
        daemons.append((subprocess.Popen([f"{rel}/braind", "--db", url, "--socket", sock, "--config", config, "--log-level", "warning"],
                                         env=env), sock))
    for _, sock in daemons:
        for _ in range(1500):
            if subprocess.run([f"{rel}/brain", "ping", "--socket", sock], capture_output=True).returncode == 0:
                break
            time.sleep(0.02)
    return daemons


def stop_daemons(daemons):
    for daemon, _ in daemons:
        daemon.terminate()
    for daemon, _ in daemons:
        daemon.wait()


def insert_rows(url, first_owner, owners, per_owner):
    """`owners × per_owner` rows in one SQL statement, as another program would write them."""
    psql(url, f"INSERT INTO companies (rut) SELECT ({first_owner} + g)::text FROM generate_series(0, {owners - 1}) g")
    psql(url, f"""INSERT INTO company_brain (company_id, slug, content)
                  SELECT c.id, 'fact_' || g, 'Hecho ' || g || ' de ' || c.rut FROM companies c, generate_series(1, {per_owner}) g
                  WHERE c.rut::bigint >= {first_owner}""")


def push_run(rel, work, admin_url, base, daemons, concurrency, rows):
    url = database(admin_url, f"bench_cluster_{daemons}_{concurrency}")
    running = start_daemons(rel, work, url, base, daemons, concurrency)
    try:
        fake_reset(base)
        owners = max(1, rows // 100)
        started = time.perf_counter()
        insert_rows(url, 50_000_000, owners, rows // owners)
        total = owners * (rows // owners)
        while fake_count(base) < total:
            time.sleep(0.005)
        seconds = time.perf_counter() - started
    finally:
        stop_daemons(running)
        psql(admin_url, f"DROP DATABASE IF EXISTS bench_cluster_{daemons}_{concurrency} WITH (FORCE)")
    bound = daemons * concurrency * 1000 / LATENCY_MS
    return total / seconds, bound


def insert_latency(rel, work, admin_url, base, rounds):
    url = database(admin_url, "bench_cluster_latency")
    running = start_daemons(rel, work, url, base, 1, 8, interval=600)
    latencies = []
    try:
        fake_reset(base)
        psql(url, "INSERT INTO companies (rut) VALUES ('60000000')")
        time.sleep(1)  # the daemon's first push round is over; from now on only notifications wake it
        for n in range(rounds):
            before = fake_count(base)
            started = time.perf_counter()
            psql(url, f"INSERT INTO company_brain (company_id, slug, content) SELECT id, 'latency_{n}', 'x' FROM companies")
            while fake_count(base) == before:
                time.sleep(0.001)
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        stop_daemons(running)
        psql(admin_url, "DROP DATABASE IF EXISTS bench_cluster_latency WITH (FORCE)")
    latencies.sort()
    return latencies


def companies_csv(path, count):
    """`count` companies with every field but the accounting start, valid RUTs."""
    def rut(body):
        total, factor = 0, 2
        for digit in reversed(str(body)):
            total += int(digit) * factor
            factor = 2 if factor == 7 else factor + 1
        check = 11 - total % 11
        return f"{body}-{'0' if check == 11 else 'K' if check == 10 else check}"
    with open(path, "w") as f:
        f.write("rut,business_name,tax_regime,sii_activity_name,sii_activity_code,legal_representative_name,"
                "legal_representative_rut,start_of_activities,accounting_start_month\n")
        for n in range(count):
            f.write(f"{rut(76_000_000 + n)},Empresa {n} SpA,ProPyme General,Comercio,471000,Representante {n},"
                    f"{rut(10_000_000 + n)},2020-03-15,\n")


def load_run(rel, work, admin_url, daemons, companies):
    """Seconds for `brain load companies` on the first of `daemons` daemons, and chunks per daemon."""
    name = f"bench_load_{daemons}"
    url = database(admin_url, name)
    config = os.path.join(work, "load.toml")
    with open(config, "w") as f:
        f.write("[reconcile]\ninterval_seconds = 0\n")
    env = {k: v for k, v in os.environ.items() if k != "MEM0_API_KEY"}
    running = []
    try:
        for n in range(daemons):
            sock = os.path.join(work, f"load-{daemons}-{n}.sock")
            running.append((subprocess.Popen([f"{rel}/braind", "--db", url, "--socket", sock, "--config", config,
                                              "--log-level", "warning"], env=env), sock))
        for _, sock in running:
            for _ in range(1500):
                if subprocess.run([f"{rel}/brain", "ping", "--socket", sock], capture_output=True).returncode == 0:
                    break
                time.sleep(0.02)
        data = os.path.join(work, "companies.csv")
        companies_csv(data, companies)
        subprocess.run([f"{rel}/brain", "import", "companies", data, "--socket", running[0][1]], check=True, capture_output=True)
        started = time.perf_counter()
        out = subprocess.run([f"{rel}/brain", "load", "companies", "--json", "--socket", running[0][1]],
                             check=True, capture_output=True, text=True).stdout
        seconds = time.perf_counter() - started
        result = json.loads(out)
        assert result["loaded_companies"] == companies, result
        chunks = subprocess.run(["psql", "-q", "-X", "-At", url, "-c",
                                 "SELECT count(*) FROM braind_load_chunks GROUP BY done_by ORDER BY 1 DESC"],
                                check=True, capture_output=True, text=True).stdout.split()
        return seconds, result["total_memories_created"], chunks
    finally:
        stop_daemons(running)
        psql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def measure(rel, work, quick, row, admin_url):
    fake, base = start_fake(rel)
    try:
        rows = 1_200 if quick else 6_000
        total = 24
        for label, per_daemon in (("total concurrency 24", lambda n: total // n), ("8 per daemon", lambda n: 8)):
            for daemons in (1, 2, 3):
                rate, bound = push_run(rel, work, admin_url, base, daemons, per_daemon(daemons), rows)
                row(f"cluster push, {daemons} daemon{'s' if daemons > 1 else ''}, {label}, {LATENCY_MS} ms latency, {rows:,} rows written by SQL",
                    f"{rate:,.0f} rows/s of bound {bound:,.0f} ({100 * rate / bound:.0f}%)")
        latencies = insert_latency(rel, work, admin_url, base, 10 if quick else 20)
        # The insert's own round trip (psql start-up included) is inside each figure.
        row("SQL INSERT to Mem0 add (psql process included, sync interval 600 s)",
            f"median {latencies[len(latencies) // 2]:.0f} ms, max {latencies[-1]:.0f} ms over {len(latencies)} inserts")
    finally:
        fake.terminate()
        fake.wait()
    companies = 1_000 if quick else 3_000
    for daemons in (1, 2, 3):
        seconds, memories, chunks = load_run(rel, work, admin_url, daemons, companies)
        row(f"brain load companies, {companies:,} companies ({memories:,} memories), {daemons} daemon{'s' if daemons > 1 else ''} on the database",
            f"{seconds:.1f} s ({companies / seconds:,.0f} owners/s; chunks per daemon {'/'.join(chunks)})")
