@testable import BrainCore
@testable import BrainStoreSQLite
import Foundation
import GRDB
import BrainTestSupport
import Testing

struct StorageFaultTests {
    @Test("A full database refuses writes with storage_unavailable, keeps serving reads, and recovers without a restart")
    func diskFull() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try BrainDatabase(path: directory.appendingPathComponent("brain.sqlite").path)
        let company = try owner(companyRUT)
        _ = try await database.save(.company, owner: company, memories: [memory("kept", "stored before the disk filled")])

        // Cap the file at its current size: the next page allocation fails as a full disk would.
        let pages = try await database.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        try await database.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = \(pages)") }
        let big = (0..<50).map { memory("bulk_\($0)", String(repeating: "x", count: 30_000)) }
        await #expect(throws: BrainError.self) { try await database.save(.company, owner: company, memories: big) }
        do {
            _ = try await database.save(.company, owner: company, memories: big)
        } catch let error as BrainError {
            #expect(error.code == "storage_unavailable")
        }
        #expect(database.storageHealth.current?.contains("full") == true, "status shows why writes fail: \(database.storageHealth.current ?? "nil")")
        #expect(try await database.memory(.company, owner: company, slug: "kept").content == "stored before the disk filled")
        #expect(try await database.list(.company, owner: company).memories.map(\.slug) == ["kept"], "nothing half written")

        try await database.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        let result = try await database.save(.company, owner: company, memories: big)
        #expect(result.savedCount == 50)
        #expect(database.storageHealth.current == nil, "the first write that succeeds ends the episode")
    }
}
