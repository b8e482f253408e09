import BrainCore
import BrainStoreSQLite
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
    }

    /// A fixed vocabulary with accents, so queries exercise the diacritics folding.
    private static let vocabulary: [String] = {
        let stems = ["régimen", "tributario", "propyme", "general", "actividad", "económica", "comercio", "menor",
                     "representante", "legal", "inicio", "contabilidad", "correo", "teléfono", "cargo", "contador",
                     "gerente", "boleta", "factura", "impuesto", "renta", "declaración", "mensual", "anual", "sucursal",
                     "santiago", "valparaíso", "concepción", "exportación", "importación", "servicio", "asesoría"]
        return stems.flatMap { stem in (0..<16).map { "\(stem)\($0 == 0 ? "" : String($0))" } }
    }()

    func run(path: String) async throws -> Result {
        let database = try BrainDatabase(path: path, synchronous: .normal)
        var generator = SystemRandomNumberGenerator()
        let vocabulary = Self.vocabulary
        let seedStart = ContinuousClock.now
        for owner in 0..<owners {
            let body = String(40_000_000 + owner)
            let rut = try RUT(body + String(RUT.checkDigit(forBody: body)))
            let items = (0..<perOwner).map { index in
                let words = (0..<8).map { _ in vocabulary.randomElement(using: &generator)! }
                return MemoryInput(slug: "fact_\(index)", category: "bench", content: words.joined(separator: " ").capitalized)
            }
            _ = try await database.save(.company, owner: .rut(rut), memories: items)
        }
        let seedSeconds = (ContinuousClock.now - seedStart).seconds

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
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        try database.close()
        return Result(
            seedSeconds: seedSeconds, p50: latencies[latencies.count / 2], p99: latencies[latencies.count * 99 / 100],
            max: latencies.last!, meanHits: Double(hits) / Double(queries), databaseBytes: size)
    }
}
