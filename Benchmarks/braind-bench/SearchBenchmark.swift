import BrainCore
import Foundation

/// Local full-text search latency over a large store: `owners × perOwner` memories, queries of one
/// or two words scoped to a random owner, as the search route runs them.
struct SearchBenchmark {
    var owners: Int
    var perOwner: Int
    var queries: Int

    struct Result {
        var seedSeconds: Double
        var p50: Duration
        var p99: Duration
        var max: Duration
        var meanHits: Double
        var databaseBytes: Int
        /// Which store and version (`BenchStore.summary`).
        var store: String
        /// PostgreSQL's VACUUM (ANALYZE) after the fill; nil on SQLite, which needs none.
        var settleSeconds: Double?
    }

    /// A fixed vocabulary with accents, so queries exercise the diacritics folding.
    private static let vocabulary: [String] = {
        let stems = ["régimen", "tributario", "propyme", "general", "actividad", "económica", "comercio", "menor",
                     "representante", "legal", "inicio", "contabilidad", "correo", "teléfono", "cargo", "contador",
                     "gerente", "boleta", "factura", "impuesto", "renta", "declaración", "mensual", "anual", "sucursal",
                     "santiago", "valparaíso", "concepción", "exportación", "importación", "servicio", "asesoría"]
        return stems.flatMap { stem in (0..<16).map { "\(stem)\($0 == 0 ? "" : String($0))" } }
    }()

    /// Fills the store `db` names (an SQLite path or a PostgreSQL URL), then times the queries.
    /// - Parameter seedConcurrency: owners saved at once while filling. One on SQLite (its single
    ///   writer gains nothing from more); PostgreSQL's backends work in parallel, and a fill of
    ///   1,000,000 memories one save at a time would spend most of its time waiting on round trips.
    func run(db: String, seedConcurrency: Int) async throws -> Result {
        let opened = try await BenchStore.open(db, synchronous: .normal)
        let database = opened.store
        let seedStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<max(1, seedConcurrency) {
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    for owner in stride(from: worker, to: owners, by: max(1, seedConcurrency)) {
                        try await seed(owner: owner, into: database, using: &generator)
                    }
                }
            }
            try await group.waitForAll()
        }
        let seedSeconds = (ContinuousClock.now - seedStart).seconds

        var settleSeconds: Double?
        if opened.isPostgres {
            let settleStart = ContinuousClock.now
            try await PostgresDatabases.vacuumAnalyze(try PostgresURL(db))
            settleSeconds = (ContinuousClock.now - settleStart).seconds
        }

        var generator = SystemRandomNumberGenerator()
        let vocabulary = Self.vocabulary
        var latencies: [Duration] = []
        var hits = 0
        latencies.reserveCapacity(queries)
        for _ in 0..<queries {
            let owner = Int.random(in: 0..<owners, using: &generator)
            let body = String(40_000_000 + owner)
            let rut = try RUT(body + String(RUT.checkDigit(forBody: body)))
            let wordCount = Int.random(in: 1...2, using: &generator)
            let query = (0..<wordCount).map { _ in vocabulary.randomElement(using: &generator)!.folding(options: .diacriticInsensitive, locale: nil) }
                .joined(separator: " ")
            let started = ContinuousClock.now
            hits += try await database.searchLocal(.company, owner: .rut(rut), query: query, limit: 10).count
            latencies.append(ContinuousClock.now - started)
        }
        latencies.sort()
        // The store and, on SQLite, its search index beside it.
        let bytes = try await database.storageBytes()
        let size = (bytes["database"] ?? 0) + (bytes["search_index"] ?? 0)
        try await opened.close()
        return Result(
            seedSeconds: seedSeconds, p50: latencies[latencies.count / 2], p99: latencies[latencies.count * 99 / 100],
            max: latencies.last!, meanHits: Double(hits) / Double(queries), databaseBytes: size,
            store: opened.summary, settleSeconds: settleSeconds)
    }

    /// One owner's memories in one save: 8 random words each.
    private func seed(owner: Int, into database: any BrainStore, using generator: inout SystemRandomNumberGenerator) async throws {
        let body = String(40_000_000 + owner)
        let rut = try RUT(body + String(RUT.checkDigit(forBody: body)))
        let items = (0..<perOwner).map { index in
            let words = (0..<8).map { _ in Self.vocabulary.randomElement(using: &generator)! }
            return MemoryInput(slug: "fact_\(index)", category: "bench", content: words.joined(separator: " ").capitalized)
        }
        _ = try await database.save(.company, owner: .rut(rut), memories: items)
    }
}
