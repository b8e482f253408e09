@testable import BrainCore
@testable import BrainStoreSQLite
import Foundation
import GRDB
import Synchronization
import BrainTestSupport
import Testing

/// Bulk work (large batches, imports) shares the one SQLite writer with agents' one-row saves; it
/// must take the writer in bounded slices so a small save never queues behind all of it.
/// Assertions count transactions and order events; durations belong in benchmarks.
struct WriterFairnessTests {
    @Test("A one-row save sent among 16 concurrent 1,000-item batches commits before most of them")
    func smallSaveAmongBigBatches() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try BrainDatabase(path: directory.appendingPathComponent("brain.sqlite").path)
        let batch = (0..<1_000).map { memory("fact_\($0)", "Dato número \($0) de una carga grande") }

        let transactionsWhenSmallDone = try await withThrowingTaskGroup(of: Int?.self) { group in
            for index in 0..<16 {
                group.addTask {
                    _ = try await database.save(.company, owner: try owner(LoadFixtures.rut(body: 60_000_000 + index)), memories: batch)
                    return nil
                }
            }
            // Let the batches queue up behind the first one's transaction.
            try await Task.sleep(for: .milliseconds(20))
            group.addTask {
                _ = try await database.save(.user, owner: try owner(userRUT), memories: [memory("user_note", "Prefiere correo")])
                return database.groupCommit.stats.transactions
            }
            return try await group.reduce(into: 0) { $0 = max($0, $1 ?? 0) }
        }

        let total = database.groupCommit.stats.transactions
        #expect(total >= 16, "each 1,000-item batch fills a transaction of its own; got \(total) transactions")
        #expect(
            transactionsWhenSmallDone <= total / 2,
            "the one-row save was committed by transaction \(transactionsWhenSmallDone) of \(total)")
        #expect(try await database.counts(.company).live == 16_000)
    }

    @Test("An import commits in slices: readers see its rows arrive, and a save made meanwhile finishes before it")
    func importInSlices() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try BrainDatabase(path: directory.appendingPathComponent("brain.sqlite").path)
        let csv = Data(LoadFixtures.companiesCSV(count: 20_000).utf8)
        let importDone = Flag()

        async let imported = { () async throws -> ImportResult in
            defer { importDone.set() }
            return try await database.importCompanies(csv)
        }()
        var partial: Int?
        var saveFinishedFirst = false
        while !importDone.isSet {
            let count = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM companies") ?? 0 }
            if count > 0 && count < 20_000 && partial == nil {
                partial = count
                _ = try await database.save(.user, owner: try owner(userRUT), memories: [memory("user_note", "Prefiere correo")])
                saveFinishedFirst = !importDone.isSet
            }
            try await Task.sleep(for: .milliseconds(1))
        }

        #expect(try await imported.created == 20_000)
        #expect(partial != nil, "a reader never saw part of the import: it held the writer for all 20,000 rows")
        #expect(saveFinishedFirst, "the one-row save waited for the whole import")
    }
}

/// A flag set by one task and read by another.
private final class Flag: Sendable {
    private let value = Atomic(false)

    func set() { value.store(true, ordering: .sequentiallyConsistent) }

    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
