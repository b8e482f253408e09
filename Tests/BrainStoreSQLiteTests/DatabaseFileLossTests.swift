import BrainCore
import BrainStoreSQLite
import Foundation
import BrainTestSupport
import Testing

/// A database file deleted or replaced under the running store: every later write would go to a
/// file no one will open again, so writes and reads are refused as storage_unavailable.
struct DatabaseFileLossTests {
    @Test("Deleted or replaced", arguments: ["deleted", "replaced"])
    func fileLost(how: String) async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("brain.sqlite").path
        let database = try BrainDatabase(path: path)
        defer { try? database.close() }
        let company = try owner(companyRUT)
        _ = try await database.save(.company, owner: company, memories: [memory("a", "before")])

        if how == "deleted" {
            try FileManager.default.removeItem(atPath: path)
        } else {
            try Data("not the same file".utf8).write(to: directory.appendingPathComponent("other"))
            #expect(rename(directory.appendingPathComponent("other").path, path) == 0)
        }

        await #expect(throws: BrainError.self) { try await database.save(.company, owner: company, memories: [memory("b", "after")]) }
        do {
            _ = try await database.save(.company, owner: company, memories: [memory("b", "after")])
        } catch let error as BrainError {
            #expect(error.code == "storage_unavailable")
            #expect(error.description.contains(path), "\(error)")
        }
        do {
            _ = try await database.memory(.company, owner: company, slug: "a")
            Issue.record("a read was answered from a database file that is gone")
        } catch let error as BrainError {
            #expect(error.code == "storage_unavailable")
        }
        do {
            _ = try await database.delete(.company, owner: company, slug: "a")
            Issue.record("a delete was accepted")
        } catch let error as BrainError {
            #expect(error.code == "storage_unavailable")
        }
    }
}
