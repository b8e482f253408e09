import BrainCore
import BrainStoreSQLite
import Foundation

/// The save path without HTTP: sequential one-item saves (one commit each) and concurrent saves
/// (sharing commits through group commit), to separate store cost from socket and JSON cost.
struct StoreBenchmark {
    var saves: Int
    var concurrency: Int
    var synchronous: BrainDatabase.Synchronous

    func run() async throws -> (sequential: Double, concurrent: Double, transactions: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("braind-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try BrainDatabase(path: directory.appendingPathComponent("brain.sqlite").path, synchronous: synchronous)
        let owner = OwnerReference.rut(try RUT("12.345.678-5"))

        var started = ContinuousClock.now
        for index in 0..<saves {
            _ = try await database.save(.company, owner: owner, memories: [MemoryInput(slug: "s\(index % 1_000)", content: "sequential \(index)")])
        }
        let sequential = Double(saves) / (ContinuousClock.now - started).seconds

        started = ContinuousClock.now
        let perTask = saves / concurrency
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<concurrency {
                group.addTask {
                    for index in 0..<perTask {
                        _ = try await database.save(.company, owner: owner, memories: [MemoryInput(slug: "t\(task)_\(index % 100)", content: "concurrent \(index)")])
                    }
                }
            }
            try await group.waitForAll()
        }
        let concurrent = Double(perTask * concurrency) / (ContinuousClock.now - started).seconds
        try database.close()
        return (sequential, concurrent, "")
    }
}
