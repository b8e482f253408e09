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
    @Test("A one-row save sent while 1,000-item batches wait commits beside the next of them")
    func smallSaveAmongBigBatches() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try BrainDatabase(path: directory.appendingPathComponent("brain.sqlite").path)
        let batch = (0..<1_000).map { memory("fact_\($0)", "Dato número \($0) de una carga grande") }

        let (committedBefore, waitingBatches) = try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    _ = try await database.save(.company, owner: try owner(LoadFixtures.rut(body: 60_000_000 + index)), memories: batch)
                }
            }
            // Wait until several batches queue behind the one being written. Batches validate
            // on the cooperative pool and only then queue, so a fixed sleep measured the pool.
            while database.groupCommit.waiting < 4 && database.groupCommit.stats.transactions < 12 {
                try await Task.sleep(for: .milliseconds(1))
            }
            let waiting = database.groupCommit.waiting
            let committed = database.groupCommit.stats.transactions
            _ = try await database.save(.user, owner: try owner(userRUT), memories: [memory("user_note", "Prefiere correo")])
            try await group.waitForAll()
            return (committed, waiting)
        }

        // Commit order from the journal (ids ascend in commit order; one writer): how many batches
        // were written wholly before the one-row save. Timing its answer instead would measure
        // the cooperative pool, busy validating the other batches, not the writer.
        let batchesBefore = try await database.writer.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT max(id) AS last FROM events WHERE brain = 'company' GROUP BY owner_id)
                WHERE last < (SELECT id FROM events WHERE brain = 'user')
                """) ?? -1
        }
        let total = database.groupCommit.stats.transactions
        #expect(total >= 16, "each 1,000-item batch fills a transaction of its own; got \(total) transactions")
        #expect(waitingBatches >= 4, "the batches did not queue up; the test proves nothing")
        // At most: a transaction committed but not yet counted, the one being written when the
        // save queued, and the oldest waiting batch it rides beside.
        #expect(
            batchesBefore <= committedBefore + 3,
            "queued after \(committedBefore) transactions with \(waitingBatches) batches waiting; \(batchesBefore) batches committed before it")
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
