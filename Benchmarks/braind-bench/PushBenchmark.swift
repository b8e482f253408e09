import BrainCore
import BrainSync
import FakeMem0
import Foundation
import Logging

/// Pushes pending rows to an in-process fake-mem0 with injected latency and reports the rate
/// against the bound `concurrency ÷ latency` (each row costs one call).
struct PushBenchmark {
    var rows: Int
    var latency: Duration
    var concurrencies: [Int]
    /// Where each measurement's fresh store lives (`BenchStore.scratch`): nil for a temporary SQLite file.
    var server: String?

    struct Result {
        var concurrency: Int
        var seconds: Double
        var rowsPerSecond: Double
        var bound: Double
        var remote: Int
        var synced: Int
    }

    func run() async throws -> [Result] {
        var results: [Result] = []
        for concurrency in concurrencies {
            results.append(try await measure(concurrency: concurrency))
        }
        return results
    }

    private func measure(concurrency: Int) async throws -> Result {
        let fake = FakeMem0Server()
        try await fake.start()
        defer { Task { await fake.stop() } }
        await fake.setLatency(latency)
        return try await BenchStore.withScratch(server: server) { database in
            try await measure(concurrency: concurrency, on: database, fake: fake)
        }
    }

    private func measure(concurrency: Int, on database: any BrainStore, fake: FakeMem0Server) async throws -> Result {
        try await seed(database)

        let client = Mem0HTTPClient(settings: Mem0Settings(apiKey: FakeMem0Settings.defaultAPIKey, baseURL: fake.baseURL))
        var settings = PushSettings()
        settings.concurrency = concurrency
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let worker = PushWorker(database: database, client: client, settings: settings, logger: logger)

        let started = ContinuousClock.now
        while try await database.counts(.company).pending > 0 {
            await worker.pushPending()
        }
        let seconds = (ContinuousClock.now - started).seconds
        let counts = try await database.counts(.company)
        let remote = await fake.memories().count
        return Result(
            concurrency: concurrency, seconds: seconds, rowsPerSecond: Double(rows) / seconds,
            bound: Double(concurrency) / latency.seconds, remote: remote, synced: counts.synced)
    }

    /// `rows` pending company memories over 100 owners with valid RUTs.
    private func seed(_ database: any BrainStore) async throws {
        let owners = 100
        let perOwner = (rows + owners - 1) / owners
        var remaining = rows
        for index in 0..<owners where remaining > 0 {
            let body = String(10_000_000 + index)
            let rut = try RUT(body + String(RUT.checkDigit(forBody: body)))
            let count = min(perOwner, remaining)
            let items = (0..<count).map { MemoryInput(slug: "fact_\($0)", category: "bench", content: "Benchmark fact \($0) of \(rut)") }
            _ = try await database.save(.company, owner: .rut(rut), memories: items)
            remaining -= count
        }
    }
}
