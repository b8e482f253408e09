// sqlite_floor: what a durable save's transaction costs SQLite alone, built and run by bench/run.
//
// Why: the save-path targets (issue 19) are ratios against ping and fdatasync. This program runs
// the statements braind's save of one memory to a new company runs (BrainDatabase+Save.swift,
// Owner+Resolve.swift, EventJournal.swift: the owner's look-up and insert, the look-up of the row
// the save may replace, the row's insert with its triggers, the journal's insert), with the
// writer's pragmas and braind's process settings, straight on libsqlite3 from C: no HTTP, no Swift, no thread hand-offs. Its
// time is what no server built on this schema and this durability can go below, so bench/run
// prints it beside the ratios with the ceilings it implies. Keep the SQL in step with those files.
//
// Usage: sqlite_floor DATABASE TRANSACTIONS SAVES_PER_TRANSACTION RUT_BASE [WARMUP_TRANSACTIONS]
// DATABASE is a copy of a braind store (its schema and triggers); it gains the rows written.
// The warm-up transactions (default 0) run first, untimed: a fresh copy's first commits also pay
// for the page cache and for the writeback of the files just copied.
// Prints one JSON object: transactions, saves per transaction, wall and CPU us per transaction
// and per save. CPU is the process's user plus system time (getrusage), as bench/run reads
// braind's from /proc.
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>

static sqlite3 *db;

static void check(int rc, const char *what) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    fprintf(stderr, "sqlite_floor: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL), sql);
    return statement;
}

static void run(sqlite3_stmt *statement, const char *what) {
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {}
    check(rc, what);
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
}

static double seconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

// braind's ids: UUID version 7 text (time in ms, a sequence, random bits), as TimeOrderedID makes.
static void new_id(char out[37]) {
    static uint64_t last_ms, sequence;
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    uint64_t ms = (uint64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
    if (ms > last_ms) { last_ms = ms; sequence = 0; } else { sequence++; }
    uint64_t random;
    if (getrandom(&random, sizeof random, 0) != sizeof random) random = (uint64_t)t.tv_nsec * 0x9E3779B97F4A7C15ULL;
    uint64_t high = (last_ms << 16) | 0x7000 | (sequence & 0x0FFF), low = (random & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
    snprintf(out, 37, "%08llx-%04llx-%04llx-%04llx-%012llx", (unsigned long long)(high >> 32), (unsigned long long)((high >> 16) & 0xFFFF),
             (unsigned long long)(high & 0xFFFF), (unsigned long long)(low >> 48), (unsigned long long)(low & 0xFFFFFFFFFFFFULL));
}

// braind's timestamps: ISO 8601 in UTC with milliseconds.
static void now_text(char out[32]) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    struct tm parts;
    gmtime_r(&t.tv_sec, &parts);
    size_t length = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &parts);
    snprintf(out + length, 32 - length, ".%03ldZ", t.tv_nsec / 1000000);
}

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: sqlite_floor DATABASE TRANSACTIONS SAVES_PER_TRANSACTION RUT_BASE [WARMUP_TRANSACTIONS]\n");
        return 2;
    }
    int transactions = atoi(argv[2]), per_transaction = atoi(argv[3]), warmup = argc == 6 ? atoi(argv[5]) : 0;
    long rut_body = atol(argv[4]);
    // braind's process setting (SQLiteProcessSettings), before the first connection.
    check(sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0), "memory statistics off");
    check(sqlite3_open(argv[1], &db), "open");
    // The writer connection's settings (BrainDatabase.init and GRDB's defaults).
    check(sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; "
                           "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000", NULL, NULL, NULL), "pragmas");
    sqlite3_stmt *begin = prepare("BEGIN IMMEDIATE TRANSACTION"), *commit = prepare("COMMIT TRANSACTION");
    sqlite3_stmt *find_owner = prepare("SELECT id, rut FROM companies WHERE rut = ?");
    sqlite3_stmt *insert_owner = prepare("INSERT INTO companies (id, rut, created_at, updated_at) VALUES (?, ?, ?, ?)");
    sqlite3_stmt *find_target = prepare(
        "SELECT id, content, category, extra_metadata, deleted, source, sync_state, version "
        "FROM company_brain WHERE company_id = ? AND slug = ?");
    sqlite3_stmt *insert_row = prepare(
        "INSERT INTO company_brain (id, company_id, slug, category, content, extra_metadata, created_at, updated_at, source) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    sqlite3_stmt *insert_event = prepare(
        "INSERT INTO events (at, kind, brain, owner_id, record_id, slug, version, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

    char owner_id[37], row_id[37], rut[24], content[96], now[32];
    double wall_started = 0, cpu_started = 0;
    for (int t = -warmup; t < transactions; t++) {
        if (t == 0) {
            wall_started = seconds(CLOCK_MONOTONIC);
            cpu_started = cpu_seconds();
        }
        run(begin, "begin");
        for (int s = 0; s < per_transaction; s++, rut_body++) {
            // Owners are looked up by normalized RUT (body and check digit); any unique text will do here.
            snprintf(rut, sizeof rut, "%ld%c", rut_body, "0123456789k"[rut_body % 11]);
            snprintf(content, sizeof content, "regimen propyme memory %ld item 0", rut_body);
            sqlite3_bind_text(find_owner, 1, rut, -1, SQLITE_STATIC);
            run(find_owner, "owner look-up");
            new_id(owner_id);
            now_text(now);
            sqlite3_bind_text(insert_owner, 1, owner_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_owner, 2, rut, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_owner, 3, now, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_owner, 4, now, -1, SQLITE_STATIC);
            run(insert_owner, "owner insert");
            sqlite3_bind_text(find_target, 1, owner_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(find_target, 2, "fact_0", -1, SQLITE_STATIC);
            run(find_target, "row look-up");
            new_id(row_id);
            now_text(now);
            sqlite3_bind_text(insert_row, 1, row_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_row, 2, owner_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_row, 3, "fact_0", -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_row, 4, "bench", -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_row, 5, content, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_row, 6, "{}", -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_row, 7, now, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_row, 8, now, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_row, 9, "save", -1, SQLITE_STATIC);
            run(insert_row, "row insert");
            now_text(now);
            sqlite3_bind_text(insert_event, 1, now, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_event, 2, "created", -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_event, 3, "company", -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_event, 4, owner_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_event, 5, row_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert_event, 6, "fact_0", -1, SQLITE_STATIC);
            sqlite3_bind_int(insert_event, 7, 1);
            sqlite3_bind_null(insert_event, 8);
            run(insert_event, "journal insert");
        }
        run(commit, "commit");
    }
    double wall = seconds(CLOCK_MONOTONIC) - wall_started, cpu = cpu_seconds() - cpu_started;
    double saves = (double)transactions * per_transaction;
    printf("{\"transactions\": %d, \"saves_per_transaction\": %d, \"wall_us_per_transaction\": %.1f, "
           "\"cpu_us_per_transaction\": %.1f, \"wall_us_per_save\": %.1f, \"cpu_us_per_save\": %.1f}\n",
           transactions, per_transaction, wall / transactions * 1e6, cpu / transactions * 1e6, wall / saves * 1e6, cpu / saves * 1e6);
    sqlite3_close_v2(db);
    return 0;
}
