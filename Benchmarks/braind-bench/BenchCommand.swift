import ArgumentParser
import BrainCore
import BrainStoreSQLite
import Foundation

/// `braind-bench`: benchmarks that print numbers. Targets live here, never in timed tests.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "braind-bench",
        abstract: "braind benchmarks (build with -c release for meaningful numbers).",
        subcommands: [PushCommand.self, ReconcileCommand.self, SearchCommand.self, ReadyCommand.self, StoreCommand.self])
}

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Push pending rows to fake-mem0 with injected latency; compare with concurrency ÷ latency.")

    @Option(help: "Pending rows to push.") var rows = 10_000
    @Option(help: "Latency fake-mem0 adds to every request, in milliseconds.") var latencyMs = 20
    @Option(parsing: .upToNextOption, help: "Concurrency levels to measure.") var concurrency: [Int] = [8, 16, 32]
    @Option(help: "SQLite file (replaced for each measurement) or PostgreSQL URL (a database of its own is created on that server for each measurement, then dropped). Default: a temporary SQLite file.")
    var db: String?

    func run() async throws {
        let benchmark = PushBenchmark(rows: rows, latency: .milliseconds(latencyMs), concurrencies: concurrency, server: db)
        print("push \(rows) pending rows to fake-mem0, \(latencyMs) ms latency, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("concurrency  seconds  rows/s   bound rows/s  % of bound  remote  synced")
        for result in try await benchmark.run() {
            let line = [
                String(result.concurrency).padding(toLength: 11, withPad: " ", startingAt: 0),
                String(format: "%7.2f", result.seconds),
                String(format: "%7.0f", result.rowsPerSecond),
                String(format: "%13.0f", result.bound),
                String(format: "%10.1f%%", 100 * result.rowsPerSecond / result.bound),
                String(format: "%7d", result.remote),
                String(format: "%7d", result.synced),
            ]
            print(line.joined(separator: "  "))
        }
    }
}

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Reconcile matching sets with injected latency; compare with pages × latency ÷ concurrency.")

    @Option(help: "Entities (RUTs).") var entities = 1_000
    @Option(help: "Memories per entity.") var memories = 100
    @Option(help: "Latency fake-mem0 adds to every request, in milliseconds.") var latencyMs = 20
    @Option(help: "Entities listed at once.") var concurrency = 8
    @Option(help: "SQLite file (replaced for each measurement) or PostgreSQL URL (a database of its own is created on that server for each measurement, then dropped). Default: a temporary SQLite file.")
    var db: String?

    func run() async throws {
        let benchmark = ReconcileBenchmark(
            entities: entities, memoriesPerEntity: memories, latency: .milliseconds(latencyMs), concurrency: concurrency, server: db)
        print("reconcile \(entities * memories) memories over \(entities) entities, \(latencyMs) ms latency, concurrency \(concurrency)")
        let result = try await benchmark.run()
        print(String(format: "setup (adopting every memory as a row, no latency): %.1f s", result.setupSeconds))
        print(String(format: "run time %.2f s, listing bound %.2f s (%d pages × %d ms ÷ %d), ratio %.2f",
                     result.seconds, result.bound, result.pages, latencyMs, concurrency, result.seconds / result.bound))
        print("drift found \(result.report.driftFound), write calls \(result.report.writeCalls), remote seen \(result.report.remoteSeen)")
        print(String(format: "fake-mem0 served %d list requests in %.1f ms each on average (latency included); effective concurrency %.1f",
                     result.listRequests, result.meanListSeconds * 1000, Double(result.listRequests) * result.meanListSeconds / result.seconds))
        print(String(format: "braind's list calls took %.1f ms each on average, call to decoded answer; the rest of a slot's time is local work and waiting",
                     result.clientListSeconds / Double(max(1, result.listRequests)) * 1000))
        print(String(format: "CPU during the run (client and in-process fake together): %.2f s over %.2f s, %.0f%% of %d cores",
                     result.cpuSeconds, result.seconds, result.cpuSeconds / result.seconds / Double(ProcessInfo.processInfo.activeProcessorCount) * 100,
                     ProcessInfo.processInfo.activeProcessorCount))
    }
}

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Local search p50/p99 over owners × memories (default 10,000 × 100 = 1,000,000).")

    @Option(help: "Owners.") var owners = 10_000
    @Option(help: "Memories per owner.") var perOwner = 100
    @Option(help: "Queries to time.") var queries = 10_000
    @Option(help: "SQLite file or PostgreSQL URL to fill and keep (default: a temporary SQLite file, removed afterwards).") var db: String?
    @Option(help: "Owners saved at once while filling (default: 1 on SQLite, 4 on PostgreSQL).") var seedConcurrency: Int?

    func run() async throws {
        let target = db ?? FileManager.default.temporaryDirectory.appendingPathComponent("braind-search-\(UUID().uuidString).sqlite").path
        defer { if db == nil { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) } } }
        let benchmark = SearchBenchmark(owners: owners, perOwner: perOwner, queries: queries)
        print("local search: \(owners * perOwner) memories over \(owners) owners, \(queries) queries of 1-2 words")
        let concurrency = seedConcurrency ?? (PostgresURL.isPostgresURL(target) ? 4 : 1)
        let result = try await benchmark.run(db: target, seedConcurrency: concurrency)
        func ms(_ duration: Duration) -> String { String(format: "%.3f ms", duration.seconds * 1000) }
        print(String(format: "%@: seeded in %.1f s (%.0f memories/s, %d at once); database %.0f MB", result.store, result.seedSeconds,
                     Double(owners * perOwner) / result.seedSeconds, concurrency, Double(result.databaseBytes) / 1_048_576))
        if let settle = result.settleSeconds { print(String(format: "settled (VACUUM ANALYZE) in %.1f s", settle)) }
        print("p50 \(ms(result.p50))  p99 \(ms(result.p99))  max \(ms(result.max))  mean hits \(String(format: "%.1f", result.meanHits))")
    }
}

struct ReadyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ready", abstract: "Start braind on a database; print start-to-ready time and RSS.")

    @Option(help: "The braind executable.") var braind = ".build/release/braind"
    @Option(help: "The database (e.g. the one `search --db` filled).") var db: String
    @Option(help: "Socket path for the run.") var socket = "/tmp/braind-bench-ready.sock"

    func run() async throws {
        let result = try await ReadyBenchmark(braind: braind, database: db, socket: socket).run()
        print("memories \(result.memories)")
        print(String(format: "start-to-ready %.1f ms", result.readyMilliseconds))
        print(String(format: "RSS after ready %.1f MB, after 4,000 reads and searches %.1f MB",
                     Double(result.rssAfterReady) / 1_048_576, Double(result.rssAfterQueries) / 1_048_576))
    }
}

struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Saves per second in-process: sequential (one commit each) and concurrent (group commit).")

    @Option(help: "Saves per phase.") var saves = 5_000
    @Option(help: "Concurrent savers in the second phase.") var concurrency = 64
    @Option(help: "full or normal.") var synchronous = "full"

    func run() async throws {
        guard let mode = BrainDatabase.Synchronous(rawValue: synchronous) else { throw ValidationError("--synchronous is full or normal") }
        let result = try await StoreBenchmark(saves: saves, concurrency: concurrency, synchronous: mode).run()
        print(String(format: "synchronous=%@: sequential %.0f saves/s, %d concurrent %.0f saves/s", synchronous, result.sequential, concurrency, result.concurrent))
    }
}
