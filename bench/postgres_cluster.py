"""The PostgreSQL side of bench/run: whether to measure it, the durable throwaway cluster it runs
on, the databases each measurement gets, and the server facts RESULTS.md reports.

bench/run measures PostgreSQL whenever the machine has it or can install it (root with apt-get,
which scripts/with-postgres uses), so one run prints both columns; --no-postgres skips it and
--postgres makes its absence an error. The cluster is scripts/with-postgres's, started with
BRAIND_PG_DURABLE=1: fsync and synchronous_commit stay on (the test default turns both off), so a
PostgreSQL save is as durable as an SQLite one with synchronous=FULL. bench/run re-executes itself
under that script, which stops the cluster and removes its files when the run ends, also on failure.
"""
import glob, os, shutil, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Set for the re-executed bench/run: the cluster below is the benchmark's own.
IN_CLUSTER = "BRAIND_BENCH_IN_CLUSTER"


def available():
    """Whether scripts/with-postgres can start a cluster here (installing the server if needed)."""
    if glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return True
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def reexec_in_cluster(argv):
    """Replaces this process with bench/run under a durable throwaway cluster of its own. A URL in
    BRAIND_TEST_POSTGRES_URL (a developer's server, the test suite's) is dropped, so the
    benchmark never runs on a server whose durability settings it did not choose."""
    env = {k: v for k, v in os.environ.items() if k != "BRAIND_TEST_POSTGRES_URL"}
    env.update({"BRAIND_PG_DURABLE": "1", IN_CLUSTER: "1"})
    # A port of its own: the socket's name only, but a test run's cluster may be up beside it.
    env.setdefault("BRAIND_PG_PORT", "54339")
    script = os.path.join(ROOT, "scripts", "with-postgres")
    sys.stdout.flush()
    os.execvpe(script, [script, sys.executable, *argv], env)


def base_url():
    """The cluster's URL (braind_service on its Unix socket), or None outside a cluster."""
    return os.environ.get("BRAIND_TEST_POSTGRES_URL") if os.environ.get(IN_CLUSTER) else None


def url_for(base, database):
    """`base` with another database name."""
    head, _, query = base.partition("?")
    return head.rsplit("/", 1)[0] + "/" + database + ("?" + query if query else "")


def psql(sql, database="postgres"):
    """One statement as braind_service through the cluster's socket (PGHOST and PGPORT from
    scripts/with-postgres); returns its rows as text lines."""
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-U", "braind_service", "-d", database, "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()


def create_database(base, name):
    """A new empty database for one braind, owned by braind_owner as the schema expects."""
    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}" OWNER braind_owner')
    return url_for(base, name)


def drop_database(name):
    psql(f'DROP DATABASE IF EXISTS "{name}"')


def settings():
    """The server's version and the settings a durable-save figure depends on."""
    names = ["server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers", "max_wal_size"]
    values = {name: psql(f"SHOW {name}") for name in names}
    return values


def describe(values):
    return (f"PostgreSQL {values['server_version']}, fsync={values['fsync']}, synchronous_commit={values['synchronous_commit']}, "
            f"full_page_writes={values['full_page_writes']}, wal_sync_method={values['wal_sync_method']}, "
            f"shared_buffers={values['shared_buffers']}, max_wal_size={values['max_wal_size']} (otherwise the defaults), "
            "on a Unix socket, same machine")
