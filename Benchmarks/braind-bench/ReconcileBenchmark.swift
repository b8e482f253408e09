import BrainCore
import BrainSync
import FakeMem0
import Foundation
import Logging

/// Reconciles entities whose Mem0 memories all match their rows, with injected latency, and
/// compares the run time with the listing bound `pages × latency ÷ concurrency`.
struct ReconcileBenchmark {
    var entities: Int
    var memoriesPerEntity: Int
    var latency: Duration
    var concurrency: Int
    /// Where the fresh store lives (`BenchStore.scratch`): nil for a temporary SQLite file.
    var server: String?

    struct Result {
        var seconds: Double
        var bound: Double
        var pages: Int
        var report: ReconcileReport
        var setupSeconds: Double
        /// Mean time the fake spent on one list request (its latency included).
        var meanListSeconds: Double
        /// List requests the fake saw during the measured run.
        var listRequests: Int
        /// Time braind's calls to `list` took, summed over calls (request, answer and decoding).
        var clientListSeconds: Double
        /// CPU time of the whole process (braind's side and the in-process fake) during the run.
        var cpuSeconds: Double
    }

    /// User plus system CPU time of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    func run() async throws -> Result {
        let fake = FakeMem0Server()
        try await fake.start()
        defer { Task { await fake.stop() } }
        return try await BenchStore.withScratch(server: server) { database in try await run(on: database, fake: fake) }
    }

    private func run(on database: any BrainStore, fake: FakeMem0Server) async throws -> Result {
        let client = TimedMem0Client(Mem0HTTPClient(settings: Mem0Settings(apiKey: FakeMem0Settings.defaultAPIKey, baseURL: fake.baseURL)))
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        var settings = ReconcileSettings()
        settings.interval = nil
        settings.concurrency = concurrency
        let reconciler = Reconciler(database: database, client: client, gate: Mem0Gate(), settings: settings, logger: logger)

        // Setup: Mem0 holds the memories; a first run (no latency) adopts them as rows, so the
        // measured run compares matching sets, the steady state of a healthy daemon.
        let setupStart = ContinuousClock.now
        for entity in 0..<entities {
            let body = String(30_000_000 + entity)
            let rut = body + String(RUT.checkDigit(forBody: body))
            _ = try await database.save(.company, owner: .rut(try RUT(rut)), memories: [MemoryInput(slug: "seed", content: "seed")])
            _ = try await database.delete(.company, owner: .rut(try RUT(rut)), slug: "seed")
            for index in 0..<memoriesPerEntity {
                _ = await fake.insertMemory(FakeMemory(
                    memory: "Hecho \(index) de \(rut)", userID: rut,
                    metadata: ["brain": "company", "slug": .string("fact_\(index)"), "record_id": .string(UUID().uuidString.lowercased())]))
            }
        }
        let adopted = await reconciler.runOnce(ReconcileOptions())
        guard adopted.drift["orphan"]?.repaired == entities * memoriesPerEntity else {
            throw BenchmarkError.setup("adoption repaired \(adopted.drift["orphan"]?.repaired ?? 0) of \(entities * memoriesPerEntity)")
        }
        let setupSeconds = (ContinuousClock.now - setupStart).seconds

        await fake.setLatency(latency)
        await fake.clearRequestLog()
        let started = ContinuousClock.now
        let cpuBefore = Self.processCPUSeconds()
        let listsBefore = client.lists
        let report = await reconciler.runOnce(ReconcileOptions())
        let seconds = (ContinuousClock.now - started).seconds
        let cpuSeconds = Self.processCPUSeconds() - cpuBefore
        let clientListSeconds = client.lists.seconds - listsBefore.seconds
        let pagesPerEntity = max(1, (memoriesPerEntity + Mem0Settings.maxListPageSize - 1) / Mem0Settings.maxListPageSize)
        let pages = entities * pagesPerEntity
        let lists = await fake.requestLog().filter { $0.route == .list }
        return Result(
            seconds: seconds, bound: Double(pages) * latency.seconds / Double(concurrency), pages: pages, report: report,
            setupSeconds: setupSeconds, meanListSeconds: lists.map(\.duration.seconds).reduce(0, +) / Double(max(1, lists.count)),
            listRequests: lists.count, clientListSeconds: clientListSeconds, cpuSeconds: cpuSeconds)
    }
}

enum BenchmarkError: Error, CustomStringConvertible {
    case setup(String)

    var description: String {
        switch self {
        case .setup(let detail): "benchmark setup failed: \(detail)"
        }
    }
}
